/*
 * test_png_unfilter.c — the fast decoder's unfiltering (png_inflate.c), on
 * hand-made PNGs whose rows use chosen filters: runs of Paeth rows (decoded
 * two rows at a time for 3- and 4-byte pixels) and of Average rows, alone
 * and mixed, of even and odd length, Paeth on the first row, Paeth next to
 * the other filters, widths from 1 pixel, every 8-bit colour type and
 * RGB/RGBA at 16 bits. Each file is checked against the pixels it was made
 * from and against libpng.
 */
#include <stdlib.h>
#include <string.h>

#include "image/png_raster.h"
#include "png_util.h"
#include "shroud.h"
#include "testutil.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* A PNG of raw (w x h, the colour type and depth) whose row y uses filter
 * filters[y % n_filters] (malloc'd). */
static uint8_t *make_png(const uint8_t *raw, uint32_t w, uint32_t h, int color_type, int depth,
                         const int *filters, size_t n_filters, size_t *len)
{
    size_t bpp = (size_t)pu_channels(color_type) * (size_t)(depth / 8), stride = w * bpp;
    uint8_t *data = malloc((stride + 1) * h);
    assert_non_null(data);
    for (uint32_t y = 0; y < h; y++) {
        uint8_t *dst = data + y * (stride + 1);
        dst[0] = (uint8_t)filters[y % n_filters];
        pu_filter_row(dst[0], raw + y * stride, y ? raw + (y - 1) * stride : NULL, stride, bpp,
                      dst + 1);
    }
    size_t z_len;
    uint8_t *z = pu_zlib(data, (stride + 1) * h, &z_len);
    tu_buf out = {0};
    pu_put_signature(&out);
    pu_put_ihdr(&out, w, h, depth, color_type, 0);
    pu_put_chunk(&out, "IDAT", z, z_len);
    pu_put_chunk(&out, "IEND", NULL, 0);
    free(z);
    free(data);
    *len = out.len;
    return out.data;
}

static void check_decodes(uint32_t w, uint32_t h, int color_type, int depth, const int *filters,
                          size_t n_filters, uint32_t seed)
{
    size_t bpp = (size_t)pu_channels(color_type) * (size_t)(depth / 8), n = w * bpp * h;
    uint8_t *raw = malloc(n);
    assert_non_null(raw);
    uint32_t s = seed;
    /* a smooth gradient with noise: every Paeth branch gets taken */
    for (size_t i = 0; i < n; i++)
        raw[i] = (uint8_t)(i / bpp % w * 7 + (next_random(&s) % 23));
    size_t len;
    uint8_t *png = make_png(raw, w, h, color_type, depth, filters, n_filters, &len);
    char what[96];
    snprintf(what, sizeof what, "%ux%u type %d depth %d, %zu filters from %d", w, h, color_type,
             depth, n_filters, filters[0]);

    pu_image ref;
    if (pu_decode(png, len, &ref) != 0 || memcmp(ref.pixels, raw, n) != 0)
        fail_msg("%s: libpng disagrees with the test's own filtering", what);
    pu_image_free(&ref);

    png_raster *img = NULL;
    assert_int_equal(png_raster_decode(png, len, &img), SHROUD_OK);
    assert_int_equal(img->stride * img->height, n);
    if (memcmp(img->pixels, raw, n) != 0)
        fail_msg("%s: decoded pixels differ", what);
    png_raster_free(img);
    free(png);
    free(raw);
}

static void test_paeth_and_average_runs_of_every_length(void **state)
{
    (void)state;
    static const int all_paeth[] = {4};
    static const int all_average[] = {3};
    static const int mixed[] = {4, 4, 4, 1, 4, 2, 4, 4, 3, 0, 4};
    static const int others_first[] = {1, 4, 4, 4, 4, 2};
    static const int average_and_paeth[] = {3, 4, 4, 3, 3, 3, 4, 1, 3};
    static const uint32_t widths[] = {1, 2, 3, 5, 16, 17, 64};
    static const uint32_t heights[] = {1, 2, 3, 4, 5, 12};
    static const int types[] = {PU_RGB, PU_RGBA};
    for (size_t t = 0; t < N_ITEMS(types); t++)
        for (size_t w = 0; w < N_ITEMS(widths); w++)
            for (size_t h = 0; h < N_ITEMS(heights); h++) {
                uint32_t seed = (uint32_t)(1 + t * 100 + w * 10 + h);
                check_decodes(widths[w], heights[h], types[t], 8, all_paeth, 1, seed);
                check_decodes(widths[w], heights[h], types[t], 8, mixed, N_ITEMS(mixed), seed);
                check_decodes(widths[w], heights[h], types[t], 8, others_first,
                              N_ITEMS(others_first), seed);
                check_decodes(widths[w], heights[h], types[t], 8, all_average, 1, seed);
                check_decodes(widths[w], heights[h], types[t], 8, average_and_paeth,
                              N_ITEMS(average_and_paeth), seed);
            }
}

/* The other pixel sizes take the one-row path. */
static void test_paeth_other_pixel_sizes(void **state)
{
    (void)state;
    static const int all_paeth[] = {4};
    static const int mixed[] = {4, 4, 1, 4, 3, 4, 4, 4, 2};
    static const struct {
        int color_type, depth;
    } types[] = {{PU_GRAY, 8}, {PU_GRAY_ALPHA, 8}, {PU_RGB, 16}, {PU_RGBA, 16}, {PU_GRAY, 16}};
    for (size_t t = 0; t < N_ITEMS(types); t++) {
        check_decodes(13, 7, types[t].color_type, types[t].depth, all_paeth, 1, 3);
        check_decodes(13, 9, types[t].color_type, types[t].depth, mixed, N_ITEMS(mixed), 4);
    }
}

/* An unknown filter type in a Paeth run is refused, not decoded. */
static void test_bad_filter_type_after_paeth_refused(void **state)
{
    (void)state;
    static const int bad[] = {4, 4, 5, 4};
    uint8_t raw[6 * 3 * 4] = {0};
    size_t len;
    uint8_t *png = make_png(raw, 6, 4, PU_RGB, 8, bad, N_ITEMS(bad), &len);
    png_raster *img = (png_raster *)&img;
    assert_int_equal(png_raster_decode(png, len, &img), SHROUD_ERR_IMAGE);
    assert_null(img);
    free(png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paeth_and_average_runs_of_every_length),
        cmocka_unit_test(test_paeth_other_pixel_sizes),
        cmocka_unit_test(test_bad_filter_type_after_paeth_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
