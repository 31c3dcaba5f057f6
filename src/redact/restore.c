/* restore.c — shroud_restore: open each group's record and put its content back. */
#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"
#include "image/embedded.h"
#include "image/jpeg_splice.h"
#include "redact/inspect.h"
#include "redact/redact_jpeg.h"
#include "redact/redact_png.h"
#include "redact/redactor.h"

typedef struct {
    uint8_t *plain; /* the opened record (secret), NULL when not opened */
    size_t plain_len;
    sealed_record rec;
} opened_group;

/* Errors that mean "this group is not for these keys"; anything else while
 * opening a group (a tampered envelope) stops the restore. */
static int not_for_us(int err)
{
    return err == SHROUD_ERR_NO_IDENTITY || err == SHROUD_ERR_NEED_PASSPHRASE ||
           err == SHROUD_ERR_PASSPHRASE;
}

/* Upper and lower bounds of a JPEG group's captured size. */
static int jpeg_capture_bounds(const decoded_image *d, const layout_group *g, size_t *lo,
                               size_t *hi)
{
    const jpeg_info *info = jpeg_coeffs_info(d->jpeg);
    size_t blocks = 0;
    for (unsigned i = 0; i < g->n_regions; i++) {
        shroud_region cov;
        jpeg_cover(info, &g->regions[i], &cov);
        for (int c = 0; c < info->components; c++) {
            /* blocks of component c under cov: at most its share of the area, plus a margin
             * row/column */
            size_t bw = (size_t)cov.w * info->comp[c].h_samp / (8u * info->max_h_samp) + 2;
            size_t bh = (size_t)cov.h * info->comp[c].v_samp / (8u * info->max_v_samp) + 2;
            blocks += bw * bh;
        }
    }
    *lo = 0;
    *hi = blocks * JPEG_CAPTURED_BLOCK_MAX;
    return SHROUD_OK;
}

static int put_back_group(decoded_image *d, const layout_group *g, const sealed_record *rec)
{
    size_t lo = 0, hi = 0;
    if (d->png) {
        if (png_capture_size(d->png, g->regions, g->n_regions, &lo))
            return SHROUD_ERR_RECORD;
        hi = lo;
    } else {
        jpeg_capture_bounds(d, g, &lo, &hi);
    }
    if (rec->raw_len < lo || rec->raw_len > hi)
        return SHROUD_ERR_RECORD;
    uint8_t *raw = NULL;
    int err = record_inflate(rec->data, rec->data_len, rec->raw_len, &raw);
    if (err)
        return err;
    err = d->png ? png_put_back(d->png, g->regions, g->n_regions, raw, rec->raw_len)
                 : jpeg_put_back(d->jpeg, g->regions, g->n_regions, raw, rec->raw_len);
    prim_wipe(raw, rec->raw_len);
    free(raw);
    return err;
}

/* Checks an opened record against the image it came with. */
static int check_record(const sealed_record *rec, unsigned g, const uint8_t content[32],
                        const uint8_t layout_digest[32], const decoded_image *d)
{
    if (rec->group_index != g)
        return SHROUD_ERR_RECORD_EDITED; /* envelopes swapped between groups */
    if (!prim_equal(rec->layout_digest, layout_digest, REDACT_DIGEST_BYTES))
        return SHROUD_ERR_RECORD_EDITED;
    if (!prim_equal(rec->content_digest, content, REDACT_DIGEST_BYTES))
        return SHROUD_ERR_RECORD_MISMATCH;
    if (d->png) {
        uint8_t coding[PNG_CODING_BYTES];
        png_coding(d->png, coding);
        if (rec->coding_len != PNG_CODING_BYTES || memcmp(rec->coding, coding, sizeof coding))
            return SHROUD_ERR_RECORD_MISMATCH;
    }
    return SHROUD_OK;
}

/* 1 if writing j's file with its own coding is writing it the way the record
 * says the original was: sequential, same restart interval, same tables. */
static int file_has_original_coding(const jpeg_coeffs *j, const jpeg_write_options *o)
{
    const jpeg_info *in = jpeg_coeffs_info(j);
    const jpeg_huff_set *own = jpeg_coeffs_huffman(j);
    if (o->progressive || o->arithmetic || o->restart_rows ||
        o->restart_interval != in->restart_interval)
        return 0;
    if (o->huffman == JPEG_HUFF_STANDARD)
        return jpeg_huff_set_is_standard(own);
    return o->huffman == JPEG_HUFF_GIVEN && jpeg_huff_set_equal(own, o->tables);
}

/* A spliced JPEG (only the opened groups' MCUs decoded) is written by
 * splicing again when its own coding is the original's: every other MCU's
 * bits are the original's, so the file comes back byte for byte far more
 * often than through libjpeg. Otherwise it is read in full first. */
static int encode_restored(decoded_image *d, const uint8_t *image, size_t len,
                           const sealed_record *rec, int all_restored, bytebuf *out)
{
    if (d->png)
        return png_raster_encode(d->png, NULL, 0, PNG_DEFAULT_LEVEL, out);
    jpeg_write_options o;
    jpeg_huff_set tables;
    int err = jpeg_coding_parse(rec->coding, rec->coding_len, &o, &tables);
    if (err)
        return err;
    if (jpeg_coeffs_is_spliced(d->jpeg)) {
        if (file_has_original_coding(d->jpeg, &o)) {
            err = jpeg_coeffs_write_spliced(d->jpeg, JPEG_MARKERS_ALL, out);
            if (err != JPEG_SPLICE_UNSUITABLE)
                return err;
        }
        if ((err = jpeg_coeffs_unsplice(&d->jpeg, image, len)) != SHROUD_OK)
            return err;
    }
    size_t mark = out->len;
    err = jpeg_coeffs_write(d->jpeg, &o, out);
    if (err == SHROUD_ERR_IMAGE_FORMAT && !all_restored && o.huffman == JPEG_HUFF_GIVEN) {
        /* obscured blocks left may need codes the original tables lack */
        out->len = mark;
        o.huffman = JPEG_HUFF_OPTIMIZE;
        err = jpeg_coeffs_write(d->jpeg, &o, out);
    }
    return err;
}

/* Opens every group it can; *opened counts them. Fills info statuses. */
static int open_groups(const redaction_layout *l, const shroud_identity *const *ids, size_t n_ids,
                       shroud_passphrase_fn ask, void *ask_ctx, opened_group *groups,
                       shroud_image_info *info, size_t *opened, int *best_miss)
{
    *opened = 0;
    *best_miss = SHROUD_ERR_NO_IDENTITY;
    for (unsigned g = 0; g < l->n_groups; g++) {
        int err = shroud_open(ids, n_ids, ask, ask_ctx, 0, l->groups[g].envelope,
                              l->groups[g].envelope_len, &groups[g].plain, &groups[g].plain_len);
        info->groups[g].restore_status = err;
        if (err == SHROUD_OK) {
            (*opened)++;
            continue;
        }
        if (!not_for_us(err))
            return err;
        /* the most telling reason when nothing opens: a wrong passphrase
         * beats a missing one, which beats "no key" */
        if (err == SHROUD_ERR_PASSPHRASE ||
            (err == SHROUD_ERR_NEED_PASSPHRASE && *best_miss == SHROUD_ERR_NO_IDENTITY))
            *best_miss = err;
    }
    return SHROUD_OK;
}

int shroud_restore(const uint8_t *image, size_t len, const shroud_identity *const *ids,
                   size_t n_ids, shroud_passphrase_fn ask, void *ask_ctx, uint8_t **out,
                   size_t *out_len, shroud_image_info **info_out)
{
    if (!image || !out || !out_len || (n_ids && !ids))
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    *out_len = 0;
    if (info_out)
        *info_out = NULL;
    image_embedded e;
    redaction_layout l;
    decoded_image d;
    memset(&d, 0, sizeof d);
    opened_group groups[SHROUD_MAX_GROUPS];
    memset(groups, 0, sizeof groups);
    shroud_image_info *info = NULL;
    bytebuf file = {0};
    uint8_t layout_digest[REDACT_DIGEST_BYTES], content[REDACT_DIGEST_BYTES];
    size_t opened = 0;
    int miss = SHROUD_ERR_NO_IDENTITY;
    const sealed_record *any = NULL;

    int err = image_read_layout(image, len, &e, &l, layout_digest);
    if (err == SHROUD_OK && l.n_groups == 0)
        err = SHROUD_ERR_NO_RECORD;
    if (err == SHROUD_OK)
        err = image_embedded_digest(image, len, &e, EMBED_ALL, content);
    if (err == SHROUD_OK) /* a JPEG's blocks: once the opened groups are known */
        err = decoded_image_open(image, len, &d);
    if (err == SHROUD_OK && (l.width != d.width || l.height != d.height))
        err = SHROUD_ERR_RECORD_MISMATCH;
    if (err == SHROUD_OK)
        err = image_info_build(&d, &l, &info);
    if (err == SHROUD_OK)
        err = open_groups(&l, ids, n_ids, ask, ask_ctx, groups, info, &opened, &miss);
    if (err == SHROUD_OK && opened == 0)
        err = miss;
    if (err == SHROUD_OK) {
        unsigned opened_mask = 0;
        for (unsigned g = 0; g < l.n_groups; g++)
            opened_mask |= groups[g].plain ? 1u << g : 0;
        err = decoded_image_read_blocks(&d, image, len, &l, opened_mask);
    }
    for (unsigned g = 0; err == SHROUD_OK && g < l.n_groups; g++) {
        if (!groups[g].plain)
            continue;
        err = record_parse(groups[g].plain, groups[g].plain_len, &groups[g].rec);
        if (err == SHROUD_OK)
            err = check_record(&groups[g].rec, g, content, layout_digest, &d);
        if (err == SHROUD_OK)
            err = put_back_group(&d, &l.groups[g], &groups[g].rec);
        if (err == SHROUD_OK && !any)
            any = &groups[g].rec;
    }
    if (err == SHROUD_OK)
        err = encode_restored(&d, image, len, any, opened == l.n_groups, &file);

    for (unsigned g = 0; g < SHROUD_MAX_GROUPS; g++)
        if (groups[g].plain)
            shroud_free_secret(groups[g].plain, groups[g].plain_len);
    decoded_image_free(&d);
    layout_free(&l);
    image_embedded_free(&e);
    if (err == SHROUD_OK && info_out)
        *info_out = info;
    else
        shroud_image_info_free(info);
    return bytebuf_finish(&file, err, out, out_len);
}
