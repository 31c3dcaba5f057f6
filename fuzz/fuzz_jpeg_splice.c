/*
 * fuzz_jpeg_splice.c — the splice (jpeg_coeffs_read_regions and
 * jpeg_coeffs_write_spliced, over jpeg_splice.c) against libjpeg on
 * arbitrary bytes.
 *
 * The whole input is the file; its last four bytes (which libjpeg ignores
 * when they follow EOI) also pick one region: x, y, w, h in units of 4
 * pixels. Inputs whose header might claim more than FUZZ_MAX_PIXELS are
 * skipped, as in fuzz_jpeg_coeffs.
 *
 * Invariants checked:
 *  - read_regions gives exactly jpeg_coeffs_read's error, or succeeds when
 *    it does;
 *  - a spliced object written back untouched reads (libjpeg) to exactly the
 *    coefficients libjpeg read from the input (or, when the file's tables
 *    cannot code a block again, e.g. an AC value of more than 10 bits, the
 *    write refuses and the full read it falls back to is libjpeg's);
 *  - with the region's blocks changed the same way in the spliced object and
 *    in libjpeg's, the spliced write (or, when the file's tables cannot code
 *    them, the full read it falls back to) reads back to libjpeg's object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "image/jpeg_coeffs.h"
#include "image/jpeg_splice.h"

#define FUZZ_MAX_PIXELS (1u << 20)

static void check_same(jpeg_coeffs *a, jpeg_coeffs *b)
{
    const jpeg_info *ia = jpeg_coeffs_info(a), *ib = jpeg_coeffs_info(b);
    FUZZ_CHECK(ia->width == ib->width && ia->height == ib->height);
    FUZZ_CHECK(ia->components == ib->components);
    for (int c = 0; c < ia->components; c++) {
        const jpeg_comp_geometry *g = &ia->comp[c];
        FUZZ_CHECK(g->width_in_blocks == ib->comp[c].width_in_blocks);
        FUZZ_CHECK(g->height_in_blocks == ib->comp[c].height_in_blocks);
        for (uint32_t r = 0; r < g->height_in_blocks; r++) {
            JPEG_BLOCK *ra = jpeg_coeffs_row(a, c, r), *rb = jpeg_coeffs_row(b, c, r);
            FUZZ_CHECK(ra && rb);
            FUZZ_CHECK(memcmp(ra, rb, g->width_in_blocks * sizeof(JPEG_BLOCK)) == 0);
        }
    }
}

/* The same change in both objects: the region's blocks (grown to MCUs). */
static void modify(jpeg_coeffs *j, const shroud_region *r, uint8_t seed)
{
    const jpeg_info *in = jpeg_coeffs_info(j);
    uint32_t mw = 8u * (in->components == 1 ? 1u : in->max_h_samp);
    uint32_t mh = 8u * (in->components == 1 ? 1u : in->max_v_samp);
    for (int c = 0; c < in->components; c++) {
        uint32_t hs = in->components == 1 ? 1 : in->comp[c].h_samp;
        uint32_t vs = in->components == 1 ? 1 : in->comp[c].v_samp;
        uint32_t bx0 = r->x / mw * hs, by0 = r->y / mh * vs;
        uint32_t bx1 = (r->x + r->w + mw - 1) / mw * hs, by1 = (r->y + r->h + mh - 1) / mh * vs;
        if (bx1 > in->comp[c].width_in_blocks)
            bx1 = in->comp[c].width_in_blocks;
        if (by1 > in->comp[c].height_in_blocks)
            by1 = in->comp[c].height_in_blocks;
        for (uint32_t by = by0; by < by1; by++) {
            JPEG_BLOCK *row = jpeg_coeffs_row(j, c, by);
            FUZZ_CHECK(row != NULL);
            for (uint32_t bx = bx0; bx < bx1; bx++) {
                row[bx][0] = (int16_t)(row[bx][0] / 2 + seed - 128);
                row[bx][(seed & 63) | 1] = (int16_t)(seed % 9 - 4);
            }
        }
    }
}

/* Writes *sp and checks it reads back as full; *sp may be replaced by a
 * full read (when the write refuses). */
static void check_write(jpeg_coeffs **sp, jpeg_coeffs *full, const uint8_t *buf, size_t len)
{
    bytebuf out = {0};
    int err = jpeg_coeffs_write_spliced(*sp, JPEG_MARKERS_ALL, &out);
    FUZZ_CHECK(err == SHROUD_OK || err == JPEG_SPLICE_UNSUITABLE);
    if (err == SHROUD_OK) {
        jpeg_coeffs *back = NULL;
        FUZZ_CHECK(jpeg_coeffs_read(out.data, out.len, &back) == SHROUD_OK);
        check_same(back, full);
        jpeg_coeffs_free(back);
    } else {
        FUZZ_CHECK(out.len == 0);
        FUZZ_CHECK(jpeg_coeffs_unsplice(sp, buf, len) == SHROUD_OK);
        check_same(*sp, full);
    }
    free(out.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < 4 || fuzz_jpeg_claims_more_than(data, len, FUZZ_MAX_PIXELS))
        return 0;
    shroud_region r = {4u * data[len - 4], 4u * data[len - 3], 4u * data[len - 2] + 1u,
                       4u * data[len - 1] + 1u};
    uint8_t *buf = (uint8_t *)fuzz_copy(data, len);
    jpeg_coeffs *full = NULL, *sp = NULL;
    int e_full = jpeg_coeffs_read(buf, len, &full);
    const jpeg_info *in = e_full == SHROUD_OK ? jpeg_coeffs_info(full) : NULL;
    if (in && (r.x >= in->width || r.y >= in->height)) {
        r.x %= in->width;
        r.y %= in->height;
    }
    if (in && r.w > in->width - r.x)
        r.w = in->width - r.x;
    if (in && r.h > in->height - r.y)
        r.h = in->height - r.y;
    int e_sp = jpeg_coeffs_read_regions(buf, len, &r, 1, &sp);
    FUZZ_CHECK(e_sp == e_full);
    if (e_full == SHROUD_OK && !jpeg_coeffs_is_spliced(sp))
        check_same(sp, full);
    if (e_full == SHROUD_OK && jpeg_coeffs_is_spliced(sp)) {
        check_write(&sp, full, buf, len);
        if (jpeg_coeffs_is_spliced(sp)) {
            modify(sp, &r, data[len - 1]);
            modify(full, &r, data[len - 1]);
            check_write(&sp, full, buf, len);
        }
    }
    jpeg_coeffs_free(sp);
    jpeg_coeffs_free(full);
    free(buf);
    return 0;
}
