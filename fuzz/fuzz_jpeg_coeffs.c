/*
 * fuzz_jpeg_coeffs.c — jpeg_coeffs_read on arbitrary bytes, and the write
 * path on whatever it accepts.
 *
 * Inputs whose header might claim more than FUZZ_MAX_PIXELS are skipped
 * before libjpeg sees them (any 0xFF 0xC0..0xCF SOF-like marker anywhere in
 * the input counts), so that a tiny file cannot make every run allocate and
 * clear hundreds of megabytes; the limits themselves are unit-tested.
 *
 * Invariants checked:
 *  - only the documented errors;
 *  - on success the geometry is consistent (1..4 components, sides and area
 *    within image_limits.h, blocks per component as the sampling implies)
 *    and the saved markers are APPn/COM segments of at most 65533 bytes;
 *  - the input options write (given Huffman tables, falling back to
 *    optimized ones when they cannot code the blocks) either succeeds or is
 *    refused as SHROUD_ERR_IMAGE_FORMAT (coefficients no table can code);
 *  - what it writes reads back with the same geometry, coding flags and
 *    markers (less shroud's blocks) and exactly the same coefficients; and
 *    writing that again with its own input options gives the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "image/image_limits.h"
#include "image/jpeg_coeffs.h"

#define FUZZ_MAX_PIXELS (1u << 20)

static uint32_t div_up(uint32_t a, uint32_t b)
{
    return (a + b - 1) / b;
}

static void check_info(const jpeg_info *in)
{
    FUZZ_CHECK(in->components >= 1 && in->components <= JPEG_MAX_COMPONENTS);
    FUZZ_CHECK(in->width >= 1 && in->height >= 1);
    FUZZ_CHECK(in->width <= IMAGE_MAX_DIMENSION && in->height <= IMAGE_MAX_DIMENSION);
    FUZZ_CHECK((uint64_t)in->width * in->height <= IMAGE_MAX_PIXELS);
    for (int c = 0; c < in->components; c++) {
        const jpeg_comp_geometry *g = &in->comp[c];
        FUZZ_CHECK(g->h_samp >= 1 && g->h_samp <= in->max_h_samp);
        FUZZ_CHECK(g->v_samp >= 1 && g->v_samp <= in->max_v_samp);
        FUZZ_CHECK(g->width_in_blocks == div_up(in->width * g->h_samp, 8u * in->max_h_samp));
        FUZZ_CHECK(g->height_in_blocks == div_up(in->height * g->v_samp, 8u * in->max_v_samp));
        FUZZ_CHECK(g->quant_slot < 4);
    }
}

static int is_shroud_block(const jpeg_marker *m)
{
    return m->marker == 0xEB && m->length >= 7 && memcmp(m->data, "shroud", 7) == 0;
}

static void check_markers(const jpeg_coeffs *j)
{
    const jpeg_marker *m;
    size_t n;
    jpeg_coeffs_markers(j, &m, &n);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK((m[i].marker >= 0xE0 && m[i].marker <= 0xEF) || m[i].marker == 0xFE);
        FUZZ_CHECK(m[i].length <= 65533);
        FUZZ_CHECK(m[i].length == 0 || m[i].data != NULL);
    }
}

/* b's markers are a's without shroud's blocks. */
static void check_same_markers(const jpeg_coeffs *a, const jpeg_coeffs *b)
{
    const jpeg_marker *ma, *mb;
    size_t na, nb, k = 0;
    jpeg_coeffs_markers(a, &ma, &na);
    jpeg_coeffs_markers(b, &mb, &nb);
    for (size_t i = 0; i < na; i++) {
        if (is_shroud_block(&ma[i]))
            continue;
        FUZZ_CHECK(k < nb);
        FUZZ_CHECK(ma[i].marker == mb[k].marker && ma[i].length == mb[k].length);
        FUZZ_CHECK(ma[i].length == 0 || memcmp(ma[i].data, mb[k].data, ma[i].length) == 0);
        k++;
    }
    FUZZ_CHECK(k == nb);
}

static void check_same_coefficients(jpeg_coeffs *a, jpeg_coeffs *b)
{
    const jpeg_info *ia = jpeg_coeffs_info(a), *ib = jpeg_coeffs_info(b);
    FUZZ_CHECK(ia->width == ib->width && ia->height == ib->height);
    FUZZ_CHECK(ia->components == ib->components);
    FUZZ_CHECK(ia->max_h_samp == ib->max_h_samp && ia->max_v_samp == ib->max_v_samp);
    for (int c = 0; c < ia->components; c++) {
        const jpeg_comp_geometry *ga = &ia->comp[c], *gb = &ib->comp[c];
        FUZZ_CHECK(ga->h_samp == gb->h_samp && ga->v_samp == gb->v_samp);
        FUZZ_CHECK(ga->width_in_blocks == gb->width_in_blocks);
        FUZZ_CHECK(ga->height_in_blocks == gb->height_in_blocks);
        FUZZ_CHECK(memcmp(ga->quant, gb->quant, sizeof ga->quant) == 0);
        for (uint32_t r = 0; r < ga->height_in_blocks; r++) {
            JPEG_BLOCK *ra = jpeg_coeffs_row(a, c, r), *rb = jpeg_coeffs_row(b, c, r);
            FUZZ_CHECK(ra && rb);
            FUZZ_CHECK(memcmp(ra, rb, ga->width_in_blocks * sizeof(JPEG_BLOCK)) == 0);
        }
    }
}

static void check_rewrite(jpeg_coeffs *j)
{
    jpeg_write_options o;
    jpeg_coeffs_input_options(j, &o);
    bytebuf out = {0};
    int err = jpeg_coeffs_write(j, &o, &out);
    if (err == SHROUD_ERR_IMAGE_FORMAT && o.huffman == JPEG_HUFF_GIVEN) {
        o.huffman = JPEG_HUFF_OPTIMIZE;
        err = jpeg_coeffs_write(j, &o, &out);
    }
    FUZZ_CHECK(err == SHROUD_OK || err == SHROUD_ERR_IMAGE_FORMAT);
    if (err) {
        FUZZ_CHECK(out.len == 0);
        free(out.data);
        return;
    }
    jpeg_coeffs *k = NULL;
    FUZZ_CHECK(jpeg_coeffs_read(out.data, out.len, &k) == SHROUD_OK);
    const jpeg_info *ik = jpeg_coeffs_info(k);
    FUZZ_CHECK(ik->progressive == o.progressive && ik->arithmetic == o.arithmetic);
    FUZZ_CHECK(ik->restart_interval == o.restart_interval);
    FUZZ_CHECK(ik->color_space == jpeg_coeffs_info(j)->color_space);
    check_same_coefficients(j, k);
    check_same_markers(j, k);

    /* A file libjpeg wrote comes back byte for byte. */
    jpeg_write_options o2;
    jpeg_coeffs_input_options(k, &o2);
    bytebuf again = {0};
    FUZZ_CHECK(jpeg_coeffs_write(k, &o2, &again) == SHROUD_OK);
    FUZZ_CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
    free(again.data);
    jpeg_coeffs_free(k);
    free(out.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (fuzz_jpeg_claims_more_than(data, len, FUZZ_MAX_PIXELS))
        return 0;
    uint8_t *buf = (uint8_t *)fuzz_copy(data, len);
    jpeg_coeffs *j = NULL;
    int err = jpeg_coeffs_read(buf, len, &j);
    FUZZ_CHECK(err == SHROUD_OK || err == SHROUD_ERR_IMAGE || err == SHROUD_ERR_IMAGE_FORMAT ||
               err == SHROUD_ERR_IMAGE_LIMIT);
    free(buf); /* the object must not depend on the input buffer */
    if (err) {
        FUZZ_CHECK(j == NULL);
        return 0;
    }
    check_info(jpeg_coeffs_info(j));
    check_markers(j);
    check_rewrite(j);
    jpeg_coeffs_free(j);
    return 0;
}
