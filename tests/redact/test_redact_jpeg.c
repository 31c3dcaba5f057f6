/*
 * JPEG redaction round trips over sampling layouts, grayscale, CMYK,
 * progressive, optimized Huffman tables, restart intervals, arithmetic
 * coding and odd sizes, with every style. Contracts checked
 * (docs/redaction.md, docs/FORMAT.md section 5):
 *  - regions grow to the MCU grid and stop at the image edge: inspect's
 *    `covered` rectangles are exactly that;
 *  - every coefficient block outside the covered blocks is bit-identical in
 *    every component; fill blocks are flat black (mid-level for CMYK), noise
 *    blocks carry only a DC and the first few zigzag coefficients;
 *  - the redacted file keeps the original's mode (progressive, arithmetic,
 *    restart interval) and decodes cleanly;
 *  - restore gives the original coefficients and decoded pixels exactly, and
 *    byte-identical files for libjpeg-written originals.
 *
 * Byte identity after a full restore (what this suite found and asserts):
 * identical for baseline with standard or optimized tables, every sampling
 * layout (4:4:4 ... 4:1:1, 4:4:0, chroma above luma, factors 3 and 4),
 * grayscale, CMYK, quality 5..100, restart intervals in MCUs or rows,
 * progressive (color, gray, CMYK, with restarts in MCUs), arithmetic
 * (sequential, progressive, with restarts), files with EXIF/ICC/COM or
 * someone else's APP11, and files written by cjpeg (-optimize, -progressive,
 * -restart, -arithmetic, -grayscale, -rgb, -quality 100, -quality 2 with
 * 16-bit tables).
 * Not identical: a progressive file whose restart interval was given in MCU
 * rows (libjpeg writes a different DRI per scan; only the last is recorded):
 * same coefficients and pixels, other bytes (except for a one-MCU image).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/embedded.h"
#include "image/jpeg_coeffs.h"
#include "jpeg_util.h"
#include "redact_util.h"

static shroud_identity *alice;
static shroud_recipient *alice_pub;

static int setup(void **state)
{
    (void)state;
    alice = ru_native_identity();
    alice_pub = ru_recipient_of(alice);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(alice);
    shroud_recipient_free(alice_pub);
    return 0;
}

/* APP11 segments that are not shroud's: a JPEG XT / JUMBF box and one that
 * starts like shroud's without its NUL. They must be kept, in place. */
static const uint8_t jumbf[] = {'J', 'P', 0, 0, 0, 0, 0, 1, 0, 0, 0, 12, 'j', 'u', 'm', 'b'};
static const uint8_t shroud_x[] = {'s', 'h', 'r', 'o', 'u', 'd', 'X', 1, 0, 0, 0, 1};
static const ju_marker foreign_app11[2] = {{0xEB, jumbf, sizeof jumbf},
                                           {0xEB, shroud_x, sizeof shroud_x}};

typedef struct {
    const char *name;
    ju_spec spec;
    int byte_identical; /* a full restore gives the original bytes (always, for images of a
                           single MCU) */
} jpeg_variant;

static const jpeg_variant variants[] = {
    {"4:4:4", {.h_samp = {1, 1, 1}, .v_samp = {1, 1, 1}}, 1},
    {"4:2:2", {.h_samp = {2, 1, 1}, .v_samp = {1, 1, 1}}, 1},
    {"4:2:0", {.h_samp = {2, 1, 1}, .v_samp = {2, 1, 1}}, 1},
    {"4:4:0", {.h_samp = {1, 1, 1}, .v_samp = {2, 1, 1}}, 1},
    {"4:1:1", {.h_samp = {4, 1, 1}, .v_samp = {1, 1, 1}}, 1},
    {"2x2,1x1,1x2", {.h_samp = {2, 1, 1}, .v_samp = {2, 1, 2}}, 1},
    {"gray", {.components = 1}, 1},
    {"CMYK", {.components = 4}, 1},
    {"q100", {.quality = 100}, 1},
    {"q5", {.quality = 5}, 1},
    {"optimized", {.optimize = 1}, 1},
    {"optimized gray", {.optimize = 1, .components = 1}, 1},
    {"progressive", {.progressive = 1}, 1},
    {"progressive gray", {.progressive = 1, .components = 1}, 1},
    {"progressive CMYK", {.progressive = 1, .components = 4}, 1},
    {"restart every MCU", {.restart_mcus = 1}, 1},
    {"restart every 3 MCUs", {.restart_mcus = 3}, 1},
    {"restart every MCU row", {.restart_rows = 1}, 1},
    {"optimized, restart 2 MCUs", {.optimize = 1, .restart_mcus = 2}, 1},
    {"progressive, restart 2 MCUs", {.progressive = 1, .restart_mcus = 2}, 1},
    {"progressive, restart every row", {.progressive = 1, .restart_rows = 1}, 1},
    {"arithmetic", {.arithmetic = 1}, 1},
    {"arithmetic progressive", {.arithmetic = 1, .progressive = 1}, 1},
    {"arithmetic, restart 4 MCUs", {.arithmetic = 1, .restart_mcus = 4}, 1},
    {"EXIF, ICC, COM", {.exif = 1, .icc = 1, .comment = 1}, 1},
    {"no JFIF", {.no_jfif = 1}, 1},
    {"others' APP11 (JUMBF, \"shroudX\")", {.extra = foreign_app11, .n_extra = 2}, 1},
    {"luma 1x1, chroma 2x2", {.h_samp = {1, 2, 1}, .v_samp = {1, 2, 1}}, 1},
    {"luma 3x1", {.h_samp = {3, 1, 1}, .v_samp = {1, 1, 1}}, 1},
    {"luma 1x3, progressive", {.h_samp = {1, 1, 1}, .v_samp = {3, 1, 1}, .progressive = 1}, 1},
    {"luma 4x2 (10 blocks per MCU)", {.h_samp = {4, 1, 1}, .v_samp = {2, 1, 1}}, 1},
};

static const struct {
    uint32_t w, h;
} sizes[] = {{1, 1}, {17, 9}, {33, 47}, {80, 56}};

static const int styles[] = {SHROUD_STYLE_NOISE, SHROUD_STYLE_FILL, SHROUD_STYLE_PIXELATE,
                             SHROUD_STYLE_BLUR};
static const char *const style_names[] = {"noise", "fill", "pixelate", "blur"};

/* ---- expectations computed independently of the library --------------------------- */

/* The covered rectangle: the region grown outward to the MCU grid, clipped
 * to the image (docs/FORMAT.md). */
static shroud_region expected_cover(const jpeg_info *in, const shroud_region *r)
{
    uint32_t mw = 8u * in->max_h_samp, mh = 8u * in->max_v_samp;
    uint64_t x1 = ((uint64_t)r->x + r->w + mw - 1) / mw * mw;
    uint64_t y1 = ((uint64_t)r->y + r->h + mh - 1) / mh * mh;
    shroud_region c = {r->x / mw * mw, r->y / mh * mh, 0, 0};
    c.w = (uint32_t)(x1 < in->width ? x1 : in->width) - c.x;
    c.h = (uint32_t)(y1 < in->height ? y1 : in->height) - c.y;
    return c;
}

/* 1 if block (row, col) of component c lies under a covered rectangle. */
static int block_covered(const jpeg_info *in, int c, uint32_t row, uint32_t col,
                         const shroud_region *covered, size_t n)
{
    uint32_t mw = 8u * in->max_h_samp, mh = 8u * in->max_v_samp;
    const jpeg_comp_geometry *g = &in->comp[c];
    for (size_t i = 0; i < n; i++) {
        const shroud_region *r = &covered[i];
        uint32_t bx0 = r->x / mw * g->h_samp, by0 = r->y / mh * g->v_samp;
        uint32_t bx1 = (r->x + r->w + mw - 1) / mw * g->h_samp;
        uint32_t by1 = (r->y + r->h + mh - 1) / mh * g->v_samp;
        if (col >= bx0 && col < bx1 && row >= by0 && row < by1)
            return 1;
    }
    return 0;
}

/* zigzag index -> natural index (ITU T.81 figure A.6) */
static const uint8_t zigzag[64] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
};

/* A fill block: flat (no AC) and black: luma (gray, YCbCr) or every RGB
 * component at level 0 (DC * q = -1024 within rounding), chroma and CMYK
 * components at mid level (DC 0). */
static void check_fill_block(const jpeg_info *in, int c, const int16_t *blk, const char *what)
{
    for (int k = 1; k < 64; k++)
        if (blk[k] != 0)
            fail_msg("%s: fill block of component %d has AC %d", what, c, k);
    int black = in->color_space == 2 || ((in->color_space == 1 || in->color_space == 3) && c == 0);
    long q = in->comp[c].quant[0];
    if (black) {
        long level = blk[0] * q;
        if (level + 1024 > q / 2 + 1 || level + 1024 < -(q / 2 + 1))
            fail_msg("%s: fill DC of component %d is %d (q %ld), not black", what, c, blk[0], q);
    } else if (blk[0] != 0) {
        fail_msg("%s: fill DC of component %d is %d, not mid-level", what, c, blk[0]);
    }
}

/* A noise block has nothing beyond zigzag position 5. */
static void check_noise_block(int c, const int16_t *blk, const char *what)
{
    for (int k = 6; k < 64; k++)
        if (blk[zigzag[k]] != 0)
            fail_msg("%s: noise block of component %d has zigzag %d set", what, c, k);
}

/* Compares the redacted coefficients with the original's block by block. */
static void check_redacted_blocks(jpeg_coeffs *orig, jpeg_coeffs *red, int style,
                                  const shroud_region *covered, size_t n, const char *what)
{
    const jpeg_info *in = jpeg_coeffs_info(orig);
    size_t changed_luma = 0;
    for (int c = 0; c < in->components; c++) {
        const jpeg_comp_geometry *g = &in->comp[c];
        for (uint32_t row = 0; row < g->height_in_blocks; row++) {
            JPEG_BLOCK *ro = jpeg_coeffs_row(orig, c, row), *rr = jpeg_coeffs_row(red, c, row);
            assert_non_null(ro);
            assert_non_null(rr);
            for (uint32_t col = 0; col < g->width_in_blocks; col++) {
                int same = memcmp(ro[col], rr[col], sizeof(JPEG_BLOCK)) == 0;
                if (!block_covered(in, c, row, col, covered, n)) {
                    if (!same)
                        fail_msg("%s: block outside the covered area changed (component %d, "
                                 "row %u, col %u)",
                                 what, c, row, col);
                    continue;
                }
                changed_luma += c == 0 && !same;
                if (style == SHROUD_STYLE_FILL)
                    check_fill_block(in, c, rr[col], what);
                else if (style == SHROUD_STYLE_NOISE)
                    check_noise_block(c, rr[col], what);
                else /* pixelate, blur: DC only */
                    for (int k = 1; k < 64; k++)
                        if (rr[col][k] != 0)
                            fail_msg("%s: smoothed block has AC %d", what, k);
            }
        }
    }
    if (style == SHROUD_STYLE_NOISE && changed_luma == 0)
        fail_msg("%s: noise changed no block", what);
}

/* Decodes both files (libjpeg, no warning allowed) and compares pixels. */
static void assert_same_pixels(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                               const char *what)
{
    ju_image ia, ib;
    if (ju_decode(a, a_len, &ia) != 0)
        fail_msg("%s: the original does not decode cleanly", what);
    if (ju_decode(b, b_len, &ib) != 0)
        fail_msg("%s: the restored file does not decode cleanly", what);
    assert_int_equal(ia.width, ib.width);
    assert_int_equal(ia.height, ib.height);
    assert_int_equal(ia.components, ib.components);
    if (memcmp(ia.pixels, ib.pixels, (size_t)ia.width * ia.height * (size_t)ia.components) != 0)
        fail_msg("%s: restored pixels differ", what);
    ju_image_free(&ia);
    ju_image_free(&ib);
}

static void assert_decodes(const uint8_t *jpeg, size_t len, const char *what)
{
    ju_image img;
    if (ju_decode(jpeg, len, &img) != 0)
        fail_msg("%s: does not decode cleanly", what);
    ju_image_free(&img);
}

/* Redacts, checks, restores, checks; returns 1 if the restored file is
 * byte-identical to the original. */
static int round_trip(const uint8_t *jpeg, size_t len, int style, const shroud_region *regions,
                      size_t n, const char *what)
{
    jpeg_coeffs *orig = ju_read(jpeg, len);
    const jpeg_info *in = jpeg_coeffs_info(orig);
    size_t red_len, res_len;
    uint8_t *red = ru_redact_one(jpeg, len, style, regions, n, alice_pub, &red_len);

    /* covered rectangles as inspect reports them */
    shroud_image_info *info = NULL;
    assert_int_equal(shroud_image_inspect(red, red_len, &info), SHROUD_OK);
    assert_int_equal(info->format, SHROUD_IMAGE_JPEG);
    assert_int_equal(info->progressive, in->progressive);
    assert_int_equal(info->n_groups, 1);
    assert_int_equal(info->groups[0].n_regions, n);
    shroud_region covered[8];
    assert_true(n <= N_ITEMS(covered));
    for (size_t i = 0; i < n; i++) {
        shroud_region want = expected_cover(in, &regions[i]);
        const shroud_region *req = &info->groups[0].regions[i], *got = &info->groups[0].covered[i];
        assert_memory_equal(req, &regions[i], sizeof *req);
        if (memcmp(got, &want, sizeof want) != 0)
            fail_msg("%s: region %zu covers %u,%u %ux%u, expected %u,%u %ux%u", what, i, got->x,
                     got->y, got->w, got->h, want.x, want.y, want.w, want.h);
        covered[i] = *got;
    }
    shroud_image_info_free(info);

    /* the redacted file: same mode, untouched blocks outside, decodes */
    jpeg_coeffs *redc = ju_read(red, red_len);
    const jpeg_info *rin = jpeg_coeffs_info(redc);
    assert_int_equal(rin->progressive, in->progressive);
    assert_int_equal(rin->arithmetic, in->arithmetic);
    assert_int_equal(rin->restart_interval, in->restart_interval);
    assert_int_equal(rin->color_space, in->color_space);
    check_redacted_blocks(orig, redc, style, covered, n, what);
    assert_decodes(red, red_len, what);

    /* restore: same coefficients, same pixels, no shroud block left */
    const shroud_identity *ids[1] = {alice};
    uint8_t *res = ru_restore(red, red_len, ids, 1, NULL, &res_len, NULL);
    jpeg_coeffs *resc = ju_read(res, res_len);
    int c;
    uint32_t row, col;
    size_t diff = ju_coeffs_diff(orig, resc, &c, &row, &col);
    if (diff)
        fail_msg("%s: %zu restored blocks differ, first component %d row %u col %u", what, diff, c,
                 row, col);
    assert_same_pixels(jpeg, len, res, res_len, what);
    size_t plen;
    assert_null(ru_payload(res, res_len, EMBED_RECORD, &plen));
    int identical = res_len == len && memcmp(res, jpeg, len) == 0;

    jpeg_coeffs_free(orig);
    jpeg_coeffs_free(redc);
    jpeg_coeffs_free(resc);
    free(red);
    free(res);
    return identical;
}

/* Regions for a w x h image: one inside, one on the bottom-right corner
 * pixel (1x1: the only pixel). */
static size_t regions_for(uint32_t w, uint32_t h, shroud_region *out)
{
    if (w * h == 1) {
        out[0] = (shroud_region){0, 0, 1, 1};
        return 1;
    }
    out[0] = (shroud_region){w / 3, h / 3, w / 4 ? w / 4 : 1, h / 4 ? h / 4 : 1};
    out[1] = (shroud_region){w - 1, h - 1, 1, 1};
    return 2;
}

static void test_every_variant_size_and_style(void **state)
{
    (void)state;
    const int probe = getenv("SHROUD_PROBE") != NULL;
    for (size_t v = 0; v < N_ITEMS(variants); v++)
        for (size_t s = 0; s < N_ITEMS(sizes); s++)
            for (size_t st = 0; st < N_ITEMS(styles); st++) {
                ju_spec spec = variants[v].spec;
                spec.width = sizes[s].w;
                spec.height = sizes[s].h;
                spec.seed = (unsigned)(v + s + st);
                size_t len;
                uint8_t *jpeg = ju_make(&spec, &len);
                shroud_region regions[2];
                size_t n = regions_for(spec.width, spec.height, regions);
                char what[128];
                snprintf(what, sizeof what, "%s %ux%u %s", variants[v].name, spec.width,
                         spec.height, style_names[st]);
                int identical = round_trip(jpeg, len, styles[st], regions, n, what);
                if (probe)
                    printf("%-40s byte-identical: %d\n", what, identical);
                else if (identical !=
                         (variants[v].byte_identical || (spec.width <= 8 && spec.height <= 8)))
                    fail_msg("%s: restore %s byte-identical", what,
                             identical ? "unexpectedly is" : "is not");
                free(jpeg);
            }
}

/* strip_metadata: EXIF, ICC and COM are gone from the redacted file and do
 * not come back at restore; the JFIF APP0 (colour interpretation) stays.
 * Pixels still come back exactly. */
static void test_strip_metadata(void **state)
{
    (void)state;
    for (int components = 3; components <= 4; components++) {
        ju_spec spec = {
            .width = 48, .height = 32, .components = components, .exif = 1, .icc = 1, .comment = 1};
        size_t len, red_len, res_len;
        uint8_t *jpeg = ju_make(&spec, &len);
        assert_true(ju_find_marker(jpeg, len, 0xE1) != SIZE_MAX);
        shroud_region r = {4, 4, 20, 20};
        const shroud_recipient *rs[1] = {alice_pub};
        ru_group g = {"g", SHROUD_STYLE_NOISE, &r, 1, rs, 1, NULL};
        ru_options opts = {.strip = true};
        uint8_t *red = ru_redact(jpeg, len, &g, 1, &opts, &red_len);
        const shroud_identity *ids[1] = {alice};
        uint8_t *res = ru_restore(red, red_len, ids, 1, NULL, &res_len, NULL);
        const uint8_t *files[2] = {red, res};
        const size_t lens[2] = {red_len, res_len};
        for (int i = 0; i < 2; i++) {
            /* JFIF (YCbCr) or Adobe (CMYK) stays: colours depend on it */
            uint8_t keep = components == 4 ? 0xEE : 0xE0;
            assert_true(ju_find_marker(files[i], lens[i], keep) != SIZE_MAX);
            assert_int_equal(ju_find_marker(files[i], lens[i], 0xE1), SIZE_MAX);
            assert_int_equal(ju_find_marker(files[i], lens[i], 0xE2), SIZE_MAX);
            assert_int_equal(ju_find_marker(files[i], lens[i], 0xFE), SIZE_MAX);
        }
        assert_same_pixels(jpeg, len, res, res_len, "stripped");
        free(jpeg);
        free(red);
        free(res);
    }
}

/* Files written by the cjpeg tool (when on PATH) restore byte-identically
 * too: docs/redaction.md promises it for libjpeg-written files. */
static void test_cjpeg_files(void **state)
{
    (void)state;
    if (!ju_have_tool("cjpeg"))
        skip();
    static const char *const args[] = {
        "", "-optimize", "-progressive", "-restart 2", "-sample 1x1", "-arithmetic", "-grayscale"};
    for (size_t i = 0; i < N_ITEMS(args); i++) {
        size_t len;
        uint8_t *jpeg = ju_cjpeg(args[i], 57, 43, 3, (unsigned)i, &len);
        assert_non_null(jpeg);
        shroud_region r = {10, 10, 20, 20};
        for (size_t st = 0; st < N_ITEMS(styles); st++) {
            char what[64];
            snprintf(what, sizeof what, "cjpeg %s, %s", args[i], style_names[st]);
            if (!round_trip(jpeg, len, styles[st], &r, 1, what))
                fail_msg("%s: restore is not byte-identical", what);
        }
        free(jpeg);
    }
}

/* A JPEG's header is checked by shroud_redactor_new, its compressed data in
 * finish (the splice decodes it there, and so does libjpeg for the others):
 * corrupt data is SHROUD_ERR_IMAGE with no output, whichever path read it. */
static void test_corrupt_data_is_refused_at_finish(void **state)
{
    (void)state;
    static const ju_spec specs[] = {{.width = 64, .height = 48},
                                    {.width = 64, .height = 48, .restart_mcus = 2},
                                    {.width = 64, .height = 48, .progressive = 1}};
    shroud_region r = {16, 16, 16, 16};
    for (size_t i = 0; i < N_ITEMS(specs); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&specs[i], &len);
        size_t sos = ju_find_marker(jpeg, len, 0xDA);
        uint8_t *bad = malloc(len);
        memcpy(bad, jpeg, len);
        memcpy(bad + sos + 20, "\xFF\xD5", 2); /* a marker where data must be */
        const size_t lens[] = {sos + (len - sos) / 2, len};
        const uint8_t *bufs[] = {jpeg, bad};
        for (int k = 0; k < 2; k++) {
            shroud_redactor *red = NULL;
            assert_int_equal(shroud_redactor_new(&red, bufs[k], lens[k]), SHROUD_OK);
            const shroud_recipient *to[1] = {alice_pub};
            assert_int_equal(
                shroud_redactor_add_group(red, "g", SHROUD_STYLE_NOISE, &r, 1, to, 1, NULL, 0, 0),
                SHROUD_OK);
            uint8_t *out = (uint8_t *)1;
            size_t out_len = 1;
            assert_int_equal(shroud_redactor_finish(red, &out, &out_len), SHROUD_ERR_IMAGE);
            assert_null(out);
            assert_int_equal(out_len, 0);
            shroud_redactor_free(red);
        }
        free(bad);
        free(jpeg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_variant_size_and_style),
        cmocka_unit_test(test_strip_metadata),
        cmocka_unit_test(test_cjpeg_files),
        cmocka_unit_test(test_corrupt_data_is_refused_at_finish),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
