/*
 * Splicing (jpeg_coeffs_read_regions / jpeg_coeffs_write_spliced, over
 * jpeg_splice.c): only the MCUs of the regions, and the one after each, are
 * coded again; every other MCU's bits are copied.
 *
 * What is checked, over a matrix of libjpeg-made files (samplings, odd sizes,
 * gray, CMYK, restart intervals, optimized tables): written back untouched,
 * a spliced file is byte-identical to the input (libjpeg writes edge blocks
 * the way the splice codes them); modified, it decodes (libjpeg, djpeg) to
 * exactly the coefficients libjpeg itself would have written; blocks the
 * file's tables cannot code make the write refuse and the full read take
 * over; files the splice does not handle are read in full; and on corrupt
 * or truncated data the splice gives exactly libjpeg's answer, error or
 * coefficients.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/jpeg_coeffs.h"
#include "image/jpeg_segments.h"
#include "image/jpeg_splice.h"
#include "jpeg_util.h"
#include "shroud.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_REGIONS 4

typedef struct {
    const char *name;
    ju_spec spec;
    shroud_region regions[MAX_REGIONS];
    size_t n_regions;
} splice_case;

/* Region sets chosen to touch edges, restart boundaries and each other. */
static const splice_case matrix[] = {
    {"4:2:0 one inner region", {.width = 96, .height = 64}, {{20, 20, 30, 20}}, 1},
    {"4:2:0 odd size, right and bottom edges",
     {.width = 67, .height = 45},
     {{50, 0, 17, 10}, {0, 40, 67, 5}},
     2},
    {"4:2:0 the whole image", {.width = 40, .height = 24}, {{0, 0, 40, 24}}, 1},
    {"4:4:4 overlapping",
     {.width = 61, .height = 37, .h_samp = {1, 1, 1}, .v_samp = {1, 1, 1}},
     {{3, 3, 20, 20}, {10, 10, 30, 20}},
     2},
    {"4:2:2",
     {.width = 80, .height = 48, .h_samp = {2, 1, 1}, .v_samp = {1, 1, 1}},
     {{17, 9, 30, 30}},
     1},
    {"4:4:0",
     {.width = 48, .height = 80, .h_samp = {1, 1, 1}, .v_samp = {2, 1, 1}},
     {{9, 17, 30, 30}},
     1},
    {"gray odd size",
     {.width = 45, .height = 29, .components = 1},
     {{0, 0, 1, 1}, {40, 20, 5, 9}},
     2},
    {"gray 2x2 sampling declared",
     {.width = 45, .height = 29, .components = 1, .h_samp = {2}, .v_samp = {2}},
     {{9, 9, 20, 9}},
     1},
    {"CMYK", {.width = 40, .height = 40, .components = 4}, {{8, 8, 16, 16}}, 1},
    {"restart every MCU", {.width = 64, .height = 48, .restart_mcus = 1}, {{16, 16, 16, 16}}, 1},
    {"restart every 3 MCUs",
     {.width = 99, .height = 50, .restart_mcus = 3},
     {{30, 0, 40, 50}, {90, 40, 9, 10}},
     2},
    {"restart every MCU row",
     {.width = 70, .height = 50, .restart_rows = 1},
     {{60, 10, 10, 20}},
     1},
    {"optimized tables", {.width = 64, .height = 64, .optimize = 1}, {{16, 16, 32, 32}}, 1},
    {"quality 100 with metadata",
     {.width = 50, .height = 50, .quality = 100, .exif = 1, .icc = 1, .comment = 1},
     {{10, 10, 30, 30}},
     1},
    {"no regions", {.width = 32, .height = 32}, {{0}}, 0},
};

static void free_buf(bytebuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static jpeg_coeffs *read_spliced(const uint8_t *jpeg, size_t len, const splice_case *k)
{
    jpeg_coeffs *j = NULL;
    int err = jpeg_coeffs_read_regions(jpeg, len, k->regions, k->n_regions, &j);
    if (err != SHROUD_OK)
        fail_msg("%s: read_regions gave %d", k->name, err);
    if (!jpeg_coeffs_is_spliced(j))
        fail_msg("%s: not spliced", k->name);
    return j;
}

/* The MCU-aligned block rectangle of region r in component c. */
static void region_blocks(const jpeg_info *in, int c, const shroud_region *r, uint32_t *bx0,
                          uint32_t *bx1, uint32_t *by0, uint32_t *by1)
{
    uint32_t hs = in->components == 1 ? 1 : in->comp[c].h_samp;
    uint32_t vs = in->components == 1 ? 1 : in->comp[c].v_samp;
    uint32_t mw = 8 * (in->components == 1 ? 1 : in->max_h_samp);
    uint32_t mh = 8 * (in->components == 1 ? 1 : in->max_v_samp);
    *bx0 = r->x / mw * hs;
    *by0 = r->y / mh * vs;
    *bx1 = (r->x + r->w + mw - 1) / mw * hs;
    *by1 = (r->y + r->h + mh - 1) / mh * vs;
    if (*bx1 > in->comp[c].width_in_blocks)
        *bx1 = in->comp[c].width_in_blocks;
    if (*by1 > in->comp[c].height_in_blocks)
        *by1 = in->comp[c].height_in_blocks;
}

/* Gives every block of the regions new values (deterministic, codable with
 * the standard tables), the same in any object. */
static void modify_regions(jpeg_coeffs *j, const shroud_region *regions, size_t n, int big)
{
    const jpeg_info *in = jpeg_coeffs_info(j);
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < in->components; c++) {
            uint32_t bx0, bx1, by0, by1;
            region_blocks(in, c, &regions[i], &bx0, &bx1, &by0, &by1);
            for (uint32_t by = by0; by < by1; by++) {
                JPEG_BLOCK *row = jpeg_coeffs_row(j, c, by);
                assert_non_null(row);
                for (uint32_t bx = bx0; bx < bx1; bx++) {
                    uint32_t h = (bx * 2654435761u) ^ (by * 40503u) ^ (uint32_t)c * 977u;
                    memset(row[bx], 0, sizeof(JPEG_BLOCK));
                    row[bx][0] = (int16_t)((int)(h % 401) - 200);
                    row[bx][1] = (int16_t)((int)(h >> 9) % 21 - 10);
                    row[bx][8] = (int16_t)((int)(h >> 14) % 7 - 3);
                    if (big)
                        row[bx][63] = (int16_t)(1000 - (int)(h % 7)); /* (0,10) at the end */
                }
            }
        }
}

static void test_untouched_files_come_back_byte_identical(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ITEMS(matrix); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&matrix[i].spec, &len);
        jpeg_coeffs *j = read_spliced(jpeg, len, &matrix[i]);
        bytebuf out = {0};
        assert_int_equal(jpeg_coeffs_write_spliced(j, JPEG_MARKERS_ALL, &out), SHROUD_OK);
        if (out.len != len || memcmp(out.data, jpeg, len) != 0)
            fail_msg("%s: %zu bytes written for %zu, not the same", matrix[i].name, out.len, len);
        free_buf(&out);
        jpeg_coeffs_free(j);
        free(jpeg);
    }
}

static void test_modified_regions_decode_as_libjpeg_would_write_them(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ITEMS(matrix); i++) {
        const splice_case *k = &matrix[i];
        size_t len;
        uint8_t *jpeg = ju_make(&k->spec, &len);
        jpeg_coeffs *sp = read_spliced(jpeg, len, k), *full = ju_read(jpeg, len);
        modify_regions(sp, k->regions, k->n_regions, 0);
        modify_regions(full, k->regions, k->n_regions, 0);
        bytebuf out = {0};
        int err = jpeg_coeffs_write_spliced(sp, JPEG_MARKERS_ALL, &out);
        if (err == JPEG_SPLICE_UNSUITABLE && k->spec.optimize) {
            /* the file's optimized tables lack codes the new values need */
            assert_int_equal(jpeg_coeffs_unsplice(&sp, jpeg, len), SHROUD_OK);
            assert_int_equal(ju_coeffs_diff(sp, full, NULL, NULL, NULL), 0);
            free_buf(&out);
            jpeg_coeffs_free(full);
            jpeg_coeffs_free(sp);
            free(jpeg);
            continue;
        }
        if (err != SHROUD_OK)
            fail_msg("%s: write gave %d", k->name, err);
        ju_assert_decodes(out.data, out.len, k->name);
        jpeg_coeffs *back = ju_read(out.data, out.len);
        int c;
        uint32_t row, col;
        size_t diff = ju_coeffs_diff(back, full, &c, &row, &col);
        if (diff)
            fail_msg("%s: %zu blocks differ, first component %d row %u col %u", k->name, diff, c,
                     row, col);
        /* nothing before the first modified MCU was coded again */
        size_t sos = ju_find_marker(jpeg, len, JPEG_MARKER_SOS);
        assert_int_equal(ju_find_marker(out.data, out.len, JPEG_MARKER_SOS), sos);
        assert_memory_equal(out.data, jpeg, sos);
        jpeg_coeffs_free(back);
        jpeg_coeffs_free(full);
        jpeg_coeffs_free(sp);
        free_buf(&out);
        free(jpeg);
    }
}

/* Optimized tables rarely have a code for a 10-bit coefficient after no
 * zeros at position 63: the write refuses, and the full read takes over. */
static void test_uncodable_blocks_fall_back_to_a_full_read(void **state)
{
    (void)state;
    const splice_case k = {
        "optimized", {.width = 64, .height = 64, .optimize = 1}, {{16, 16, 16, 16}}, 1};
    size_t len;
    uint8_t *jpeg = ju_make(&k.spec, &len);
    jpeg_coeffs *sp = read_spliced(jpeg, len, &k), *full = ju_read(jpeg, len);
    modify_regions(sp, k.regions, 1, 1);
    modify_regions(full, k.regions, 1, 1);
    bytebuf out = {0};
    assert_int_equal(bytebuf_write(&out, (const uint8_t *)"xy", 2), 0);
    assert_int_equal(jpeg_coeffs_write_spliced(sp, JPEG_MARKERS_ALL, &out), JPEG_SPLICE_UNSUITABLE);
    assert_int_equal(out.len, 2); /* left as it was */
    free_buf(&out);
    jpeg_write_options o;
    jpeg_coeffs_input_options(sp, &o);
    assert_int_equal(jpeg_coeffs_write(sp, &o, &out), SHROUD_ERR_ARGUMENT); /* not on a splice */
    assert_int_equal(jpeg_coeffs_unsplice(&sp, jpeg, len), SHROUD_OK);
    assert_false(jpeg_coeffs_is_spliced(sp));
    assert_int_equal(ju_coeffs_diff(sp, full, NULL, NULL, NULL), 0);
    o.huffman = JPEG_HUFF_OPTIMIZE;
    o.tables = NULL;
    assert_int_equal(jpeg_coeffs_write(sp, &o, &out), SHROUD_OK);
    jpeg_coeffs *back = ju_read(out.data, out.len);
    assert_int_equal(ju_coeffs_diff(back, full, NULL, NULL, NULL), 0);
    jpeg_coeffs_free(back);
    jpeg_coeffs_free(full);
    jpeg_coeffs_free(sp);
    free_buf(&out);
    free(jpeg);
}

static void test_other_files_are_read_in_full(void **state)
{
    (void)state;
    static const ju_spec specs[] = {{.width = 40, .height = 40, .progressive = 1},
                                    {.width = 40, .height = 40, .arithmetic = 1}};
    shroud_region r = {8, 8, 8, 8};
    for (size_t i = 0; i < N_ITEMS(specs); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&specs[i], &len);
        jpeg_coeffs *j = NULL, *full = ju_read(jpeg, len);
        assert_int_equal(jpeg_coeffs_read_regions(jpeg, len, &r, 1, &j), SHROUD_OK);
        assert_false(jpeg_coeffs_is_spliced(j));
        assert_int_equal(ju_coeffs_diff(j, full, NULL, NULL, NULL), 0);
        bytebuf out = {0};
        assert_int_equal(jpeg_coeffs_write_spliced(j, JPEG_MARKERS_ALL, &out), SHROUD_ERR_ARGUMENT);
        jpeg_coeffs_free(j);
        jpeg_coeffs_free(full);
        free(jpeg);
    }
    jpeg_coeffs *j = (jpeg_coeffs *)1;
    assert_int_equal(jpeg_coeffs_read_regions(NULL, 10, &r, 1, &j), SHROUD_ERR_ARGUMENT);
    assert_null(j);
}

static void test_marker_policy_applies_to_the_copied_head(void **state)
{
    (void)state;
    const splice_case k = {
        "metadata", {.width = 32, .height = 32, .exif = 1, .comment = 1}, {{0, 0, 8, 8}}, 1};
    size_t len;
    uint8_t *jpeg = ju_make(&k.spec, &len);
    assert_int_not_equal(ju_find_marker(jpeg, len, 0xE1), SIZE_MAX);
    assert_int_not_equal(ju_find_marker(jpeg, len, JPEG_MARKER_COM), SIZE_MAX);
    jpeg_coeffs *j = read_spliced(jpeg, len, &k);
    bytebuf out = {0};
    assert_int_equal(jpeg_coeffs_write_spliced(j, JPEG_MARKERS_ESSENTIAL, &out), SHROUD_OK);
    assert_int_equal(ju_find_marker(out.data, out.len, 0xE1), SIZE_MAX);
    assert_int_equal(ju_find_marker(out.data, out.len, JPEG_MARKER_COM), SIZE_MAX);
    assert_int_not_equal(ju_find_marker(out.data, out.len, JPEG_MARKER_APP0), SIZE_MAX);
    ju_assert_decodes(out.data, out.len, k.name);
    jpeg_coeffs *back = ju_read(out.data, out.len), *full = ju_read(jpeg, len);
    assert_int_equal(ju_coeffs_diff(back, full, NULL, NULL, NULL), 0);
    jpeg_coeffs_free(back);
    jpeg_coeffs_free(full);
    jpeg_coeffs_free(j);
    free_buf(&out);
    free(jpeg);
}

/* How the cases of the corruption test went (so it cannot pass vacuously). */
static size_t n_refused, n_spliced, n_read_in_full;

/* The splice must answer exactly as libjpeg does: the same error, or (when
 * both accept) a write that decodes to libjpeg's coefficients. */
static void assert_agrees_with_libjpeg(const uint8_t *p, size_t len, const shroud_region *r,
                                       const char *what, size_t at)
{
    jpeg_coeffs *full = NULL, *sp = NULL;
    int e_full = jpeg_coeffs_read(p, len, &full);
    int e_sp = jpeg_coeffs_read_regions(p, len, r, 1, &sp);
    if (e_full != e_sp)
        fail_msg("%s at %zu: libjpeg %d, splice %d", what, at, e_full, e_sp);
    n_refused += e_full != SHROUD_OK;
    n_spliced += e_full == SHROUD_OK && jpeg_coeffs_is_spliced(sp);
    n_read_in_full += e_full == SHROUD_OK && !jpeg_coeffs_is_spliced(sp);
    if (e_full == SHROUD_OK && jpeg_coeffs_is_spliced(sp)) {
        bytebuf out = {0};
        assert_int_equal(jpeg_coeffs_write_spliced(sp, JPEG_MARKERS_ALL, &out), SHROUD_OK);
        jpeg_coeffs *back = NULL;
        if (jpeg_coeffs_read(out.data, out.len, &back) != SHROUD_OK)
            fail_msg("%s at %zu: the spliced write does not read back", what, at);
        if (ju_coeffs_diff(back, full, NULL, NULL, NULL) != 0)
            fail_msg("%s at %zu: the spliced write decodes differently", what, at);
        jpeg_coeffs_free(back);
        free_buf(&out);
    } else if (e_full == SHROUD_OK && ju_coeffs_diff(sp, full, NULL, NULL, NULL) != 0) {
        fail_msg("%s at %zu: the full read differs", what, at);
    }
    jpeg_coeffs_free(full);
    jpeg_coeffs_free(sp);
}

static void test_corrupt_and_truncated_data_get_libjpegs_answer(void **state)
{
    (void)state;
    static const ju_spec specs[] = {
        {.width = 32, .height = 24, .quality = 90},
        {.width = 32, .height = 24, .restart_mcus = 1},
        {.width = 24, .height = 16, .components = 1, .restart_mcus = 2}};
    shroud_region r = {8, 8, 8, 8};
    static const uint8_t flips[] = {0x01, 0x10, 0x80, 0xFF};
    for (size_t i = 0; i < N_ITEMS(specs); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&specs[i], &len);
        size_t sos = ju_find_marker(jpeg, len, JPEG_MARKER_SOS);
        uint8_t *p = malloc(len);
        for (size_t at = sos; at < len; at++)
            for (size_t f = 0; f < N_ITEMS(flips); f++) {
                memcpy(p, jpeg, len);
                p[at] ^= flips[f];
                assert_agrees_with_libjpeg(p, len, &r, "flip", at);
            }
        for (size_t cut = sos; cut < len; cut++)
            assert_agrees_with_libjpeg(jpeg, cut, &r, "cut", cut);
        /* extra bytes before EOI, and data after it */
        uint8_t *q = malloc(len + 8);
        memcpy(q, jpeg, len - 2);
        memcpy(q + len - 2, "\x12\x34\x56\xFF\xD9", 5);
        assert_agrees_with_libjpeg(q, len + 3, &r, "extra bytes", len);
        memcpy(q, jpeg, len);
        memcpy(q + len, "junk", 4);
        assert_agrees_with_libjpeg(q, len + 4, &r, "after EOI", len);
        free(q);
        free(p);
        free(jpeg);
    }
    print_message("refused %zu, spliced %zu, accepted by libjpeg only %zu\n", n_refused, n_spliced,
                  n_read_in_full);
    assert_true(n_refused > 0 && n_spliced > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untouched_files_come_back_byte_identical),
        cmocka_unit_test(test_modified_regions_decode_as_libjpeg_would_write_them),
        cmocka_unit_test(test_uncodable_blocks_fall_back_to_a_full_read),
        cmocka_unit_test(test_other_files_are_read_in_full),
        cmocka_unit_test(test_marker_policy_applies_to_the_copied_head),
        cmocka_unit_test(test_corrupt_and_truncated_data_get_libjpegs_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
