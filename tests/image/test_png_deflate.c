/*
 * test_png_deflate.c — the Huffman-only zlib streams of png_deflate.h and the
 * PNGs written with them (level 1): every stream inflates, with zlib and with
 * libdeflate, to exactly its input, for empty, tiny, block-sized, random,
 * constant and skewed data; a too-small buffer is refused; a PNG of every
 * colour type and depth, odd widths included, written at level 1 passes
 * pngcheck and decodes with libpng to the same samples; and the single-pass
 * filter choice picks what trying every filter picks.
 */
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "image/deflate_literals.h"
#include "image/png_deflate.h"
#include "image/png_raster.h"
#include "png_util.h"
#include "shroud.h"
#include "testutil.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A deterministic byte source (xorshift). */
static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Compresses in, checks the stream's frame and that zlib and libdeflate both
 * give back exactly in; returns the stream's length. */
static size_t deflate_and_check(const uint8_t *in, size_t len, const char *what)
{
    size_t cap = png_deflate_bound(len);
    uint8_t *z = malloc(cap);
    assert_non_null(z);
    size_t z_len = png_deflate(in, len, z, cap);
    if (z_len == 0 || z_len > cap)
        fail_msg("%s: %zu bytes compressed to %zu (bound %zu)", what, len, z_len, cap);
    assert_int_equal(z[0] & 0x0F, 8);             /* deflate */
    assert_int_equal((z[0] << 8 | z[1]) % 31, 0); /* FCHECK */
    assert_int_equal(z[1] & 0x20, 0);             /* no preset dictionary */
    uint8_t *back = malloc(len ? len : 1);
    assert_non_null(back);

    uLongf got = (uLongf)len;
    int zerr = uncompress(back, &got, z, (uLong)z_len);
    if (zerr != Z_OK || got != len || (len && memcmp(back, in, len) != 0))
        fail_msg("%s: zlib gives %d, %lu bytes of %zu", what, zerr, (unsigned long)got, len);

    memset(back, 0, len ? len : 1);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    assert_non_null(d);
    size_t in_used = 0, out_got = 0;
    enum libdeflate_result r =
        libdeflate_zlib_decompress_ex(d, z, z_len, back, len, &in_used, &out_got);
    libdeflate_free_decompressor(d);
    if (r != LIBDEFLATE_SUCCESS || in_used != z_len || out_got != len ||
        (len && memcmp(back, in, len) != 0))
        fail_msg("%s: libdeflate gives %d, %zu bytes of %zu, read %zu of %zu", what, (int)r,
                 out_got, len, in_used, z_len);
    free(back);
    free(z);
    return z_len;
}

static void test_sizes_around_the_block_edges(void **state)
{
    (void)state;
    static const size_t sizes[] = {0,
                                   1,
                                   2,
                                   3,
                                   4,
                                   5,
                                   255,
                                   65535,
                                   65536,
                                   DEFLATE_LITERALS_BLOCK - 1,
                                   DEFLATE_LITERALS_BLOCK,
                                   DEFLATE_LITERALS_BLOCK + 1,
                                   3 * DEFLATE_LITERALS_BLOCK + 7};
    size_t max = 3 * DEFLATE_LITERALS_BLOCK + 7;
    uint8_t *buf = malloc(max);
    assert_non_null(buf);
    uint32_t s = 12345;
    /* Photo-like residuals: mostly small values around 0, some large. */
    for (size_t i = 0; i < max; i++) {
        uint32_t r = next_random(&s);
        buf[i] = (uint8_t)((r & 0xF0000000u) ? (int8_t)((int)(r & 15) - 8) : (int)(r >> 8));
    }
    for (size_t k = 0; k < N_ITEMS(sizes); k++) {
        char what[64];
        snprintf(what, sizeof what, "%zu residual bytes", sizes[k]);
        size_t z = deflate_and_check(buf, sizes[k], what);
        if (sizes[k] >= 65536 && z > sizes[k] * 7 / 10)
            fail_msg("%s: %zu bytes: the code does not compress low-entropy data", what, z);
    }
    free(buf);
}

/* Random bytes cannot be compressed: the blocks are stored, and the stream
 * stays within the bound, a few bytes per 64 KiB over the input. */
static void test_random_data_is_stored_within_the_bound(void **state)
{
    (void)state;
    size_t len = 2 * DEFLATE_LITERALS_BLOCK + 1000;
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    uint32_t s = 99;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(next_random(&s) >> 24);
    size_t z = deflate_and_check(buf, len, "random bytes");
    assert_true(z <= len + 6 + 5 * (len / 65535 + 3) + 6);
    free(buf);
}

/* One value, two values, and a geometric spread of values whose optimal
 * Huffman code is deeper than 15 bits (the lengths must be limited). */
static void test_constant_and_skewed_data(void **state)
{
    (void)state;
    size_t len = DEFLATE_LITERALS_BLOCK + 4321;
    uint8_t *buf = malloc(len);
    assert_non_null(buf);

    memset(buf, 0, len);
    size_t z = deflate_and_check(buf, len, "zeros");
    assert_true(z < len / 6); /* about 1 bit per byte */
    memset(buf, 0xFF, len);
    deflate_and_check(buf, len, "0xFF bytes");

    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i % 7 == 0 ? 200 : 3);
    deflate_and_check(buf, len, "two values");

    /* value v appears about len / 2^(v+1) times: frequencies down to 1 */
    uint32_t s = 7;
    for (size_t i = 0; i < len; i++) {
        uint32_t r = next_random(&s) | 1u << 31, v = 0;
        while (!(r & 1u)) {
            r >>= 1;
            v++;
        }
        buf[i] = (uint8_t)(v * 13);
    }
    deflate_and_check(buf, len, "geometric frequencies");
    free(buf);
}

static void test_small_buffer_refused(void **state)
{
    (void)state;
    uint8_t in[100] = {1, 2, 3}, out[512];
    size_t bound = png_deflate_bound(sizeof in);
    assert_true(bound <= sizeof out);
    assert_true(bound >= sizeof in + 6);
    assert_int_equal(png_deflate(in, sizeof in, out, bound - 1), 0);
    assert_int_equal(png_deflate(in, sizeof in, out, 0), 0);
    assert_true(png_deflate(in, sizeof in, out, bound) > 0);
}

/* The same bytes give the same stream: outputs are reproducible. */
static void test_deterministic(void **state)
{
    (void)state;
    uint8_t in[5000];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * i >> 3);
    size_t cap = png_deflate_bound(sizeof in);
    uint8_t *a = malloc(cap), *b = malloc(cap);
    assert_non_null(a);
    assert_non_null(b);
    size_t la = png_deflate(in, sizeof in, a, cap), lb = png_deflate(in, sizeof in, b, cap);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
}

/* ---- PNGs at level 1 ---- */

/* Encodes spec's image at level 1: pngcheck accepts the file, libpng decodes
 * it to the same samples and, when own_decoder, so does shroud's decoder. */
static void assert_level1_round_trip(const pu_spec *spec, const char *what, int own_decoder)
{
    size_t len;
    uint8_t *png = pu_make(spec, &len);
    png_raster *img = NULL;
    assert_int_equal(png_raster_decode(png, len, &img), SHROUD_OK);
    bytebuf out = {0};
    assert_int_equal(png_raster_encode(img, NULL, 0, PNG_FASTEST_LEVEL, &out), SHROUD_OK);
    if (pu_pngcheck(out.data, out.len) < 0)
        fail_msg("pngcheck refuses %s", what);
    pu_image ref;
    if (pu_decode(out.data, out.len, &ref) != 0)
        fail_msg("libpng refuses %s", what);
    if (ref.stride * ref.height != img->stride * img->height ||
        memcmp(ref.pixels, img->pixels, img->stride * img->height) != 0)
        fail_msg("%s: libpng decodes other samples", what);
    pu_image_free(&ref);
    if (own_decoder) {
        png_raster *back = NULL;
        assert_int_equal(png_raster_decode(out.data, out.len, &back), SHROUD_OK);
        assert_memory_equal(back->pixels, img->pixels, img->stride * img->height);
        png_raster_free(back);
    }
    free(out.data);
    png_raster_free(img);
    free(png);
}

static void test_level1_png_of_every_type_decodes_with_libpng(void **state)
{
    (void)state;
    static const struct {
        int color_type, bit_depth;
    } types[] = {{PU_GRAY, 1},        {PU_GRAY, 2},   {PU_GRAY, 4},  {PU_GRAY, 8},
                 {PU_GRAY, 16},       {PU_RGB, 8},    {PU_RGB, 16},  {PU_GRAY_ALPHA, 8},
                 {PU_GRAY_ALPHA, 16}, {PU_RGBA, 8},   {PU_RGBA, 16}, {PU_PALETTE, 1},
                 {PU_PALETTE, 4},     {PU_PALETTE, 8}};
    static const uint32_t widths[] = {1, 2, 3, 7, 17, 33, 101};
    for (size_t t = 0; t < N_ITEMS(types); t++)
        for (size_t w = 0; w < N_ITEMS(widths); w++) {
            pu_spec spec = {.width = widths[w],
                            .height = 9,
                            .color_type = types[t].color_type,
                            .bit_depth = types[t].bit_depth,
                            .seed = (unsigned)(t * 31 + w)};
            char what[96];
            snprintf(what, sizeof what, "type %d depth %d width %u at level 1", spec.color_type,
                     spec.bit_depth, spec.width);
            assert_level1_round_trip(&spec, what, 1);
        }
}

/* A noisy RGB image large enough for several blocks and IDAT chunks. */
static void test_level1_large_noisy_image(void **state)
{
    (void)state;
    png_raster img = {0};
    img.width = 700;
    img.height = 500;
    img.bit_depth = 8;
    img.color_type = PNG_CT_RGB;
    img.channels = 3;
    img.sample_bytes = 1;
    img.pixel_bytes = 3;
    img.stride = 700 * 3;
    img.pixels = malloc(img.stride * img.height);
    assert_non_null(img.pixels);
    uint32_t s = 5;
    for (size_t i = 0; i < img.stride * img.height; i++)
        img.pixels[i] = (uint8_t)((i % img.stride) / 9 + (next_random(&s) & 7));
    bytebuf out = {0};
    assert_int_equal(png_raster_encode(&img, NULL, 0, PNG_FASTEST_LEVEL, &out), SHROUD_OK);
    assert_true(out.len < img.stride * img.height / 2);
    if (pu_pngcheck(out.data, out.len) < 0)
        fail_msg("pngcheck refuses the large level-1 image");
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    assert_int_equal(pu_inflate_idat(out.data, out.len, &raw, &raw_len), 0);
    assert_int_equal(raw_len, (img.stride + 1) * img.height);
    free(raw);
    png_raster *back = NULL;
    assert_int_equal(png_raster_decode(out.data, out.len, &back), SHROUD_OK);
    assert_memory_equal(back->pixels, img.pixels, img.stride * img.height);
    png_raster_free(back);
    free(out.data);
    free(img.pixels);
}

/* Images large enough for level 1's two-thread path (two halves of rows,
 * filtered and compressed apart, the streams joined): every type it takes,
 * odd heights, decoded by libpng to the same samples, accepted by pngcheck. */
static void test_level1_two_halves_of_every_type(void **state)
{
    (void)state;
    static const struct {
        int color_type, bit_depth;
        uint32_t width, height;
    } types[] = {{PU_RGB, 8, 600, 457},   {PU_RGBA, 16, 300, 457},    {PU_GRAY, 8, 1200, 457},
                 {PU_GRAY, 16, 700, 401}, {PU_PALETTE, 8, 1200, 457}, {PU_GRAY_ALPHA, 8, 20000, 15},
                 {PU_RGB, 8, 30000, 7}};
    for (size_t t = 0; t < N_ITEMS(types); t++) {
        pu_spec spec = {.width = types[t].width,
                        .height = types[t].height,
                        .color_type = types[t].color_type,
                        .bit_depth = types[t].bit_depth,
                        .seed = (unsigned)(t + 77)};
        char what[96];
        snprintf(what, sizeof what, "type %d depth %d, %ux%u at level 1", spec.color_type,
                 spec.bit_depth, spec.width, spec.height);
        assert_level1_round_trip(&spec, what, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_around_the_block_edges),
        cmocka_unit_test(test_random_data_is_stored_within_the_bound),
        cmocka_unit_test(test_constant_and_skewed_data),
        cmocka_unit_test(test_small_buffer_refused),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_level1_png_of_every_type_decodes_with_libpng),
        cmocka_unit_test(test_level1_large_noisy_image),
        cmocka_unit_test(test_level1_two_halves_of_every_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
