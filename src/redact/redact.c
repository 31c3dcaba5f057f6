/* redact.c — shroud_redactor: obscure regions, seal their originals in the file. */
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "crypto/primitives.h"
#include "image/embedded.h"
#include "image/jpeg_splice.h"
#include "image/png_chunks.h"
#include "image/previews.h"
#include "redact/redact_jpeg.h"
#include "redact/redact_png.h"
#include "redact/redactor.h"

#define ALL_GROUPS ((1u << SHROUD_MAX_GROUPS) - 1)

typedef struct {
    shroud_recipient *recipients[SHROUD_MAX_RECIPIENTS];
    size_t n_recipients;
    char *pass; /* secret copy, or NULL */
    size_t pass_len;
    int log_n;
    bytebuf original; /* captured content (secret) */
} group_keys;

struct shroud_redactor {
    const uint8_t *image;
    size_t len;
    decoded_image img;
    redaction_layout layout;
    group_keys keys[SHROUD_MAX_GROUPS];
    int strip;
    int png_level;
    const shroud_identity *signer;
    int done;
    size_t dropped_previews;
};

static int read_image(const uint8_t *buf, size_t len, int header_only, decoded_image *out)
{
    memset(out, 0, sizeof *out);
    int err;
    switch (image_sniff(buf, len)) {
    case IMAGE_FORMAT_PNG:
        out->format = SHROUD_IMAGE_PNG;
        err = header_only ? png_raster_read_header(buf, len, &out->png)
                          : png_raster_decode(buf, len, &out->png);
        if (err == SHROUD_OK) {
            out->width = out->png->width;
            out->height = out->png->height;
        }
        return err;
    case IMAGE_FORMAT_JPEG:
        out->format = SHROUD_IMAGE_JPEG;
        err = header_only ? jpeg_coeffs_read_header(buf, len, &out->jpeg)
                          : jpeg_coeffs_read(buf, len, &out->jpeg);
        if (err == SHROUD_OK) {
            out->width = jpeg_coeffs_info(out->jpeg)->width;
            out->height = jpeg_coeffs_info(out->jpeg)->height;
        }
        return err;
    default:
        return SHROUD_ERR_IMAGE_FORMAT;
    }
}

int decoded_image_open(const uint8_t *buf, size_t len, decoded_image *out)
{
    return read_image(buf, len, image_sniff(buf, len) == IMAGE_FORMAT_JPEG, out);
}

int decoded_image_read_blocks(decoded_image *d, const uint8_t *buf, size_t len,
                              const redaction_layout *l, unsigned groups)
{
    if (!d->jpeg)
        return SHROUD_OK; /* a PNG is decoded already */
    size_t n = 0;
    for (unsigned g = 0; g < l->n_groups; g++)
        n += groups >> g & 1u ? l->groups[g].n_regions : 0;
    shroud_region *regions = malloc((n ? n : 1) * sizeof *regions);
    if (!regions)
        return SHROUD_ERR_NOMEM;
    n = 0;
    for (unsigned g = 0; g < l->n_groups; g++)
        if (groups >> g & 1u) {
            memcpy(regions + n, l->groups[g].regions, l->groups[g].n_regions * sizeof *regions);
            n += l->groups[g].n_regions;
        }
    jpeg_coeffs_free(d->jpeg);
    d->jpeg = NULL;
    int err = jpeg_coeffs_read_regions(buf, len, regions, n, &d->jpeg);
    free(regions);
    return err;
}

int decoded_image_read_header(const uint8_t *buf, size_t len, decoded_image *out)
{
    return read_image(buf, len, 1, out);
}

void decoded_image_free(decoded_image *d)
{
    png_raster_free(d->png);
    jpeg_coeffs_free(d->jpeg);
    memset(d, 0, sizeof *d);
}

void decoded_image_cover(const decoded_image *d, const shroud_region *r, shroud_region *covered)
{
    if (d->jpeg)
        jpeg_cover(jpeg_coeffs_info(d->jpeg), r, covered);
    else
        *covered = *r;
}

int shroud_redactor_new(shroud_redactor **out, const uint8_t *image, size_t len)
{
    if (!out || !image)
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    image_embedded e;
    int err = image_embedded_find(image, len, &e);
    if (err == SHROUD_OK && e.payload[EMBED_RECORD])
        err = SHROUD_ERR_ALREADY_REDACTED;
    image_embedded_free(&e);
    if (err)
        return err;
    shroud_redactor *r = calloc(1, sizeof *r);
    if (!r)
        return SHROUD_ERR_NOMEM;
    r->image = image;
    r->len = len;
    r->png_level = PNG_DEFAULT_LEVEL;
    /* A JPEG's blocks are read in finish, once the regions are known. */
    err = decoded_image_open(image, len, &r->img);
    if (err) {
        shroud_redactor_free(r);
        return err;
    }
    r->layout.format = (uint8_t)r->img.format;
    r->layout.width = r->img.width;
    r->layout.height = r->img.height;
    *out = r;
    return SHROUD_OK;
}

int shroud_redactor_size(const shroud_redactor *r, uint32_t *width, uint32_t *height)
{
    if (!r || !width || !height)
        return SHROUD_ERR_ARGUMENT;
    *width = r->img.width;
    *height = r->img.height;
    return SHROUD_OK;
}

int shroud_redactor_add_group(shroud_redactor *r, const char *name, int style,
                              const shroud_region *regions, size_t n_regions,
                              const shroud_recipient *const *recipients, size_t n_recipients,
                              const char *pass, size_t pass_len, int log_n)
{
    if (!r)
        return SHROUD_ERR_ARGUMENT;
    if (r->done)
        return SHROUD_ERR_STATE; /* finished, or unusable after a failed add */
    if (!shroud_group_name_valid(name) || style < SHROUD_STYLE_NOISE || style > SHROUD_STYLE_BLUR ||
        (n_recipients && !recipients) || n_recipients > SHROUD_MAX_RECIPIENTS ||
        (!pass && n_recipients == 0))
        return SHROUD_ERR_ARGUMENT;
    if (pass && n_recipients)
        return SHROUD_ERR_PASSPHRASE_MIX;
    if (pass && (pass_len == 0 || pass_len > SHROUD_PASSPHRASE_MAX))
        return SHROUD_ERR_ARGUMENT;
    if (pass && log_n && (log_n < SHROUD_SCRYPT_MIN_LOG_N || log_n > SHROUD_SCRYPT_MAX_LOG_N))
        return SHROUD_ERR_WORK_FACTOR; /* here, not only when finish seals */
    if (r->layout.n_groups == SHROUD_MAX_GROUPS)
        return SHROUD_ERR_LIMIT;
    for (unsigned g = 0; g < r->layout.n_groups; g++)
        if (strcmp(r->layout.groups[g].name, name) == 0)
            return SHROUD_ERR_ARGUMENT;
    int err = regions_check(regions, n_regions, r->img.width, r->img.height);
    if (err)
        return err;
    layout_group *grp = &r->layout.groups[r->layout.n_groups];
    group_keys *k = &r->keys[r->layout.n_groups];
    memset(grp, 0, sizeof *grp);
    memset(k, 0, sizeof *k);
    k->original.secret = 1;
    grp->regions = malloc(n_regions * sizeof *regions);
    if (!grp->regions)
        return SHROUD_ERR_NOMEM;
    memcpy(grp->regions, regions, n_regions * sizeof *regions);
    grp->n_regions = (uint16_t)n_regions;
    grp->style = (uint8_t)style;
    strcpy(grp->name, name);
    for (size_t i = 0; i < n_recipients && err == SHROUD_OK; i++) {
        err = shroud_recipient_dup(recipients[i], &k->recipients[i]);
        if (err == SHROUD_OK)
            k->n_recipients++;
    }
    if (err == SHROUD_OK && pass) {
        k->pass = malloc(pass_len);
        if (k->pass) {
            memcpy(k->pass, pass, pass_len);
            k->pass_len = pass_len;
            k->log_n = log_n ? log_n : SHROUD_SCRYPT_DEFAULT_LOG_N;
        } else {
            err = SHROUD_ERR_NOMEM;
        }
    }
    r->layout.n_groups++; /* freed with the redactor either way */
    if (err) {
        r->done = 1; /* a half-added group: the redactor is unusable */
        return err;
    }
    return SHROUD_OK;
}

int shroud_redactor_strip_metadata(shroud_redactor *r, int strip)
{
    if (!r)
        return SHROUD_ERR_ARGUMENT;
    if (r->done)
        return SHROUD_ERR_STATE;
    r->strip = strip != 0;
    return SHROUD_OK;
}

int shroud_redactor_png_level(shroud_redactor *r, int level)
{
    if (!r || level < 1 || level > 12)
        return SHROUD_ERR_ARGUMENT;
    if (r->done)
        return SHROUD_ERR_STATE;
    r->png_level = level;
    return SHROUD_OK;
}

int shroud_redactor_sign(shroud_redactor *r, const shroud_identity *signer)
{
    if (!r)
        return SHROUD_ERR_ARGUMENT;
    if (r->done)
        return SHROUD_ERR_STATE;
    r->signer = signer;
    return SHROUD_OK;
}

/* PNG chunks kept by --strip-metadata: those decoding or colour depend on. */
/* --strip-metadata keeps only the chunks that change how pixels look. */
static int png_not_essential(const png_kept_chunk *k)
{
    return !PNG_TYPE_IN(k->type, "PLTE", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT", "cICP");
}

static int png_is_preview(const png_kept_chunk *k)
{
    return png_chunk_is_preview(k->type, k->data, k->length);
}

/* How the original JPEG was entropy-coded, so restore can do it again. */
static void jpeg_original_coding(const jpeg_coeffs *j, jpeg_write_options *o)
{
    jpeg_coeffs_input_options(j, o);
    if (o->progressive || o->arithmetic)
        o->huffman = JPEG_HUFF_OPTIMIZE;
    else if (jpeg_huff_set_is_standard(jpeg_coeffs_huffman(j)))
        o->huffman = JPEG_HUFF_STANDARD;
}

/* Encodes the obscured image (no shroud blocks) into out. */
static int encode_redacted(shroud_redactor *r, bytebuf *out)
{
    if (r->img.png) {
        if (r->strip)
            png_raster_drop_kept(r->img.png, png_not_essential);
        else
            r->dropped_previews = png_raster_drop_kept(r->img.png, png_is_preview);
        return png_raster_encode(r->img.png, NULL, 0, r->png_level, out);
    }
    jpeg_write_options o;
    jpeg_original_coding(r->img.jpeg, &o);
    /* Obscured blocks may need codes the original's own tables lack. */
    if (o.huffman == JPEG_HUFF_GIVEN)
        o.huffman = JPEG_HUFF_OPTIMIZE;
    o.markers = r->strip ? JPEG_MARKERS_ESSENTIAL : JPEG_MARKERS_NO_PREVIEWS;
    if (!r->strip) {
        const jpeg_marker *m;
        size_t n;
        jpeg_coeffs_markers(r->img.jpeg, &m, &n);
        for (size_t i = 0; i < n; i++)
            r->dropped_previews +=
                (size_t)jpeg_segment_is_preview(m[i].marker, m[i].data, m[i].length);
    }
    /* About the input's size: noise blocks cost more bits than most. */
    if (bytebuf_reserve(out, r->len + r->len / 4 + 65536) != 0)
        return SHROUD_ERR_NOMEM;
    if (jpeg_coeffs_is_spliced(r->img.jpeg)) {
        int err = jpeg_coeffs_write_spliced(r->img.jpeg, o.markers, out);
        if (err != JPEG_SPLICE_UNSUITABLE)
            return err;
        /* the file's tables cannot code the obscured blocks: libjpeg, new tables */
        err = jpeg_coeffs_unsplice(&r->img.jpeg, r->image, r->len);
        if (err)
            return err;
    }
    return jpeg_coeffs_write(r->img.jpeg, &o, out);
}

static int coding_bytes(const shroud_redactor *r, bytebuf *out)
{
    if (r->img.png) {
        uint8_t c[PNG_CODING_BYTES];
        png_coding(r->img.png, c);
        return bytebuf_write(out, c, sizeof c) ? SHROUD_ERR_NOMEM : SHROUD_OK;
    }
    jpeg_write_options o;
    jpeg_original_coding(r->img.jpeg, &o);
    return jpeg_coding_encode(&o, out);
}

static int capture_all(shroud_redactor *r)
{
    for (unsigned g = 0; g < r->layout.n_groups; g++) {
        const layout_group *grp = &r->layout.groups[g];
        int err =
            r->img.png
                ? png_capture(r->img.png, grp->regions, grp->n_regions, &r->keys[g].original)
                : jpeg_capture(r->img.jpeg, grp->regions, grp->n_regions, &r->keys[g].original);
        if (err)
            return err;
    }
    return SHROUD_OK;
}

static int obscure_all(shroud_redactor *r)
{
    for (unsigned g = 0; g < r->layout.n_groups; g++) {
        const layout_group *grp = &r->layout.groups[g];
        int err = r->img.png ? png_obscure(r->img.png, grp->regions, grp->n_regions, grp->style)
                             : jpeg_obscure(r->img.jpeg, grp->regions, grp->n_regions, grp->style);
        if (err)
            return err;
    }
    return SHROUD_OK;
}

/* Seals group g's record into *env. */
static int seal_group(shroud_redactor *r, unsigned g, const uint8_t content[32],
                      const uint8_t layout_digest[32], const bytebuf *coding, uint8_t **env,
                      size_t *env_len)
{
    group_keys *k = &r->keys[g];
    bytebuf packed = {.secret = 1}, plain = {.secret = 1};
    sealed_record rec;
    memset(&rec, 0, sizeof rec);
    int err = k->original.len > UINT32_MAX ? SHROUD_ERR_LIMIT : SHROUD_OK;
    if (err == SHROUD_OK)
        err =
            record_deflate(k->original.data, k->original.len,
                           r->img.jpeg ? RECORD_DEFLATE_LEVEL_JPEG : RECORD_DEFLATE_LEVEL, &packed);
    if (err == SHROUD_OK) {
        rec.group_index = (uint8_t)g;
        memcpy(rec.content_digest, content, REDACT_DIGEST_BYTES);
        memcpy(rec.layout_digest, layout_digest, REDACT_DIGEST_BYTES);
        rec.coding = coding->data;
        rec.coding_len = (uint16_t)coding->len;
        rec.raw_len = (uint32_t)k->original.len;
        rec.data = packed.data;
        rec.data_len = packed.len;
        err = record_encode(&rec, &plain);
    }
    if (err == SHROUD_OK && !k->pass)
        err = shroud_seal((const shroud_recipient *const *)k->recipients, k->n_recipients, NULL, 0,
                          0, plain.data, plain.len, env, env_len);
    if (err == SHROUD_OK && k->pass) {
        /* the sealer, not shroud_seal, so the group's work factor is used */
        bytebuf sealed = {0};
        shroud_sealer *s = NULL;
        err = shroud_sealer_new(&s, 0, bytebuf_write, &sealed);
        if (err == SHROUD_OK)
            err = shroud_sealer_add_passphrase(s, k->pass, k->pass_len, k->log_n);
        if (err == SHROUD_OK)
            err = shroud_sealer_write(s, plain.data, plain.len);
        if (err == SHROUD_OK)
            err = shroud_sealer_finish(s);
        shroud_sealer_free(s);
        err = bytebuf_finish(&sealed, err, env, env_len);
    }
    bytebuf_finish(&packed, SHROUD_ERR_CANCELLED, NULL, NULL);
    bytebuf_finish(&plain, SHROUD_ERR_CANCELLED, NULL, NULL);
    return err;
}

int shroud_redactor_finish(shroud_redactor *r, uint8_t **out, size_t *out_len)
{
    if (!r || !out || !out_len)
        return SHROUD_ERR_ARGUMENT;
    if (r->done)
        return SHROUD_ERR_STATE; /* finished once already */
    *out = NULL;
    *out_len = 0;
    if (r->layout.n_groups == 0)
        return SHROUD_ERR_ARGUMENT;
    r->done = 1;
    if (r->strip)
        r->layout.flags |= LAYOUT_FLAG_STRIPPED;
    bytebuf plain = {0}, layout = {0}, coding = {0}, block = {0}, file = {0};
    uint8_t *envs[SHROUD_MAX_GROUPS] = {0};
    size_t env_lens[SHROUD_MAX_GROUPS] = {0};
    uint8_t content[SHA256_BYTES], layout_digest[SHA256_BYTES];
    image_embedded e;
    memset(&e, 0, sizeof e);

    int err = decoded_image_read_blocks(&r->img, r->image, r->len, &r->layout, ALL_GROUPS);
    if (err == SHROUD_OK)
        err = capture_all(r);
    if (err == SHROUD_OK)
        err = obscure_all(r);
    if (err == SHROUD_OK)
        err = encode_redacted(r, &plain);
    if (err == SHROUD_OK)
        err = layout_encode(&r->layout, &layout);
    if (err == SHROUD_OK) {
        SHA256(plain.data, plain.len, content);
        SHA256(layout.data, layout.len, layout_digest);
        err = coding_bytes(r, &coding);
    }
    for (unsigned g = 0; err == SHROUD_OK && g < r->layout.n_groups; g++)
        err = seal_group(r, g, content, layout_digest, &coding, &envs[g], &env_lens[g]);
    if (err == SHROUD_OK)
        err = block_encode(&r->layout, (const uint8_t *const *)envs, env_lens, &block);
    if (err == SHROUD_OK)
        err = image_embedded_find(plain.data, plain.len, &e);
    if (err == SHROUD_OK)
        err = image_embedded_rewrite(plain.data, plain.len, &e, 0, EMBED_RECORD, block.data,
                                     block.len, &file);
    if (err == SHROUD_OK && r->signer) {
        uint8_t *signed_file = NULL;
        size_t signed_len = 0;
        err = shroud_image_sign(file.data, file.len, r->signer, &signed_file, &signed_len);
        if (err == SHROUD_OK) {
            free(file.data);
            file.data = signed_file;
            file.len = file.cap = signed_len;
        }
    }
    image_embedded_free(&e);
    for (unsigned g = 0; g < SHROUD_MAX_GROUPS; g++)
        shroud_free(envs[g]);
    free(plain.data);
    free(layout.data);
    free(coding.data);
    free(block.data);
    return bytebuf_finish(&file, err, out, out_len);
}

size_t shroud_redactor_dropped_previews(const shroud_redactor *r)
{
    return r ? r->dropped_previews : 0;
}

void shroud_redactor_free(shroud_redactor *r)
{
    if (!r)
        return;
    for (unsigned g = 0; g < SHROUD_MAX_GROUPS; g++) {
        group_keys *k = &r->keys[g];
        for (size_t i = 0; i < k->n_recipients; i++)
            shroud_recipient_free(k->recipients[i]);
        if (k->pass)
            shroud_free_secret(k->pass, k->pass_len);
        bytebuf_finish(&k->original, SHROUD_ERR_CANCELLED, NULL, NULL);
    }
    layout_free(&r->layout);
    decoded_image_free(&r->img);
    free(r);
}
