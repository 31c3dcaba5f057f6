/*
 * The JPEG marker-segment walker (jpeg_segments.h): what it returns for good
 * files, and that damage is an error, never a read outside the buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "image/jpeg_segments.h"
#include "jpeg_util.h"
#include "shroud.h"

#define MAX_SEGMENTS 64

typedef struct {
    jpeg_segment seg[MAX_SEGMENTS];
    size_t n;
} walk_result;

/* Walks buf to the end; returns the walker's last result (0 or an error). */
static int walk(const uint8_t *buf, size_t len, walk_result *w)
{
    memset(w, 0, sizeof *w);
    jpeg_segment_reader r;
    int err = jpeg_segments_begin(&r, buf, len);
    if (err)
        return err;
    int more;
    jpeg_segment s;
    while ((more = jpeg_segments_next(&r, &s)) == 1) {
        assert_true(w->n < MAX_SEGMENTS);
        w->seg[w->n++] = s;
    }
    return more;
}

/* An exact-size heap copy, so ASan sees any read past the end. */
static uint8_t *copy_of(const uint8_t *buf, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, buf, len);
    return p;
}

/* buf with `with` (n bytes) replacing `cut` bytes at `at`. */
static uint8_t *edit(const uint8_t *buf, size_t len, size_t at, size_t cut, const void *with,
                     size_t n, size_t *out_len)
{
    *out_len = len - cut + n;
    uint8_t *p = malloc(*out_len);
    assert_non_null(p);
    memcpy(p, buf, at);
    memcpy(p + at, with, n);
    memcpy(p + at + n, buf + at + cut, len - at - cut);
    return p;
}

static uint8_t *small_file(size_t *len)
{
    ju_spec spec = {.width = 16, .height = 16, .exif = 1, .icc = 1, .comment = 1};
    return ju_make(&spec, len);
}

static void test_walks_every_segment_up_to_sos(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = small_file(&len);
    walk_result w;
    assert_int_equal(walk(jpeg, len, &w), 0);
    static const uint8_t want[] = {0xE0, 0xE1, 0xE2, 0xE2, 0xFE, 0xDB, 0xDB,
                                   0xC0, 0xC4, 0xC4, 0xC4, 0xC4, 0xDA};
    assert_int_equal(w.n, sizeof want);
    size_t expect_offset = 2;
    for (size_t i = 0; i < w.n; i++) {
        const jpeg_segment *s = &w.seg[i];
        assert_int_equal(s->marker, want[i]);
        assert_int_equal(s->offset, expect_offset);
        assert_int_equal(s->size, 4 + (size_t)s->length);
        assert_ptr_equal(s->data, jpeg + s->offset + 4);
        assert_int_equal(jpeg[s->offset], 0xFF);
        assert_int_equal(jpeg[s->offset + 1], s->marker);
        expect_offset += s->size;
    }
    assert_memory_equal(w.seg[0].data, "JFIF", 5);
    assert_memory_equal(w.seg[1].data, "Exif\0\0", 6);
    assert_int_equal(w.seg[4].length, strlen("shroud test comment"));
    free(jpeg);
}

static void test_returns_zero_after_sos_and_keeps_returning_it(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = small_file(&len);
    jpeg_segment_reader r;
    jpeg_segment s;
    assert_int_equal(jpeg_segments_begin(&r, jpeg, len), SHROUD_OK);
    int more;
    while ((more = jpeg_segments_next(&r, &s)) == 1 && s.marker != JPEG_MARKER_SOS)
        ;
    assert_int_equal(more, 1);
    assert_true(r.done);
    assert_int_equal(jpeg_segments_next(&r, &s), 0);
    assert_int_equal(jpeg_segments_next(&r, &s), 0);
    free(jpeg);
}

static void test_rejects_what_does_not_start_with_soi(void **state)
{
    (void)state;
    jpeg_segment_reader r;
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const uint8_t eoi[] = {0xFF, 0xD9, 0xFF, 0xD8};
    static const uint8_t one[] = {0xFF};
    assert_int_equal(jpeg_segments_begin(&r, png, sizeof png), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(jpeg_segments_begin(&r, eoi, sizeof eoi), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(jpeg_segments_begin(&r, one, sizeof one), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(jpeg_segments_begin(&r, one, 0), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(jpeg_segments_begin(&r, NULL, 10), SHROUD_ERR_IMAGE_FORMAT);
}

/* Every prefix of a small file is walked without reading past it: an error
 * while SOS is incomplete, success from the first byte after SOS on. */
static void test_truncated_at_every_offset_is_an_error(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = small_file(&len);
    walk_result full;
    assert_int_equal(walk(jpeg, len, &full), 0);
    const jpeg_segment *sos = &full.seg[full.n - 1];
    size_t sos_end = sos->offset + sos->size;
    for (size_t cut = 0; cut <= sos_end + 8 && cut <= len; cut++) {
        uint8_t *p = copy_of(jpeg, cut);
        walk_result w;
        int got = walk(p, cut, &w);
        if (cut < 2)
            assert_int_equal(got, SHROUD_ERR_IMAGE_FORMAT);
        else if (cut < sos_end)
            assert_int_equal(got, SHROUD_ERR_IMAGE);
        else
            assert_int_equal(got, 0);
        free(p);
    }
    free(jpeg);
}

static void test_rejects_length_below_two_or_past_the_end(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = small_file(&len);
    static const uint16_t bad[] = {0, 1};
    for (size_t i = 0; i < 2; i++) {
        uint8_t field[2] = {0, (uint8_t)bad[i]};
        size_t n;
        uint8_t *p = edit(jpeg, len, 4, 2, field, 2, &n); /* APP0's length */
        walk_result w;
        assert_int_equal(walk(p, n, &w), SHROUD_ERR_IMAGE);
        assert_int_equal(w.n, 0);
        free(p);
    }
    /* A length that runs past the end of the file. */
    uint8_t huge[2] = {0xFF, 0xFF};
    uint8_t *p = copy_of(jpeg, 40);
    memcpy(p + 4, huge, 2);
    walk_result w;
    assert_int_equal(walk(p, 40, &w), SHROUD_ERR_IMAGE);
    free(p);
    free(jpeg);
}

static void test_rejects_garbage_between_segments(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = small_file(&len);
    walk_result full;
    walk(jpeg, len, &full);
    size_t at = full.seg[1].offset; /* between APP0 and APP1 */
    static const uint8_t garbage[][2] = {{0x00, 0x00}, {0x12, 0x34}, {0xFF, 0x00}};
    for (size_t i = 0; i < 3; i++) {
        size_t n;
        uint8_t *p = edit(jpeg, len, at, 0, garbage[i], 2, &n);
        walk_result w;
        assert_int_equal(walk(p, n, &w), SHROUD_ERR_IMAGE);
        assert_int_equal(w.n, 1); /* APP0 came out before the garbage */
        free(p);
    }
    free(jpeg);
}

/* Fill bytes (0xFF runs) before a marker are skipped; the segment starts at
 * the last 0xFF. */
static void test_skips_fill_bytes(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = small_file(&len);
    walk_result full;
    walk(jpeg, len, &full);
    static const uint8_t fill[] = {0xFF, 0xFF, 0xFF};
    size_t n;
    uint8_t *p = edit(jpeg, len, full.seg[2].offset, 0, fill, sizeof fill, &n);
    walk_result w;
    assert_int_equal(walk(p, n, &w), 0);
    assert_int_equal(w.n, full.n);
    assert_int_equal(w.seg[2].offset, full.seg[2].offset + sizeof fill);
    assert_int_equal(w.seg[2].size, full.seg[2].size);
    assert_int_equal(w.seg[2].marker, full.seg[2].marker);
    free(p);
    free(jpeg);
}

static void test_rejects_eoi_rst_and_soi_before_sos_but_allows_tem(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = small_file(&len);
    walk_result full;
    walk(jpeg, len, &full);
    size_t at = full.seg[5].offset; /* before the first DQT */
    static const uint8_t bad[][2] = {{0xFF, 0xD9}, {0xFF, 0xD0}, {0xFF, 0xD7}, {0xFF, 0xD8}};
    for (size_t i = 0; i < 4; i++) {
        size_t n;
        uint8_t *p = edit(jpeg, len, at, 0, bad[i], 2, &n);
        walk_result w;
        assert_int_equal(walk(p, n, &w), SHROUD_ERR_IMAGE);
        assert_int_equal(w.n, 5);
        free(p);
    }
    static const uint8_t tem[] = {0xFF, 0x01};
    size_t n;
    uint8_t *p = edit(jpeg, len, at, 0, tem, 2, &n);
    walk_result w;
    assert_int_equal(walk(p, n, &w), 0);
    assert_int_equal(w.n, full.n + 1);
    assert_int_equal(w.seg[5].marker, 0x01);
    assert_int_equal(w.seg[5].size, 2);
    assert_int_equal(w.seg[5].length, 0);
    free(p);
    /* A file that ends right after SOI + APP0 + EOI has no SOS. */
    static const uint8_t eoi_only[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0xFF, 0xD9};
    assert_int_equal(walk(eoi_only, sizeof eoi_only, &w), SHROUD_ERR_IMAGE);
    assert_int_equal(w.n, 1);
    free(jpeg);
}

/* The largest segment (length field 0xFFFF, 65533 bytes of data). */
static void test_walks_a_segment_of_the_largest_size(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = small_file(&len);
    size_t seg = 4 + JPEG_SEGMENT_MAX_DATA;
    uint8_t *big = calloc(1, seg);
    assert_non_null(big);
    big[0] = 0xFF;
    big[1] = 0xED;
    big[2] = 0xFF;
    big[3] = 0xFF;
    size_t n;
    uint8_t *p = edit(jpeg, len, 2, 0, big, seg, &n);
    walk_result w;
    assert_int_equal(walk(p, n, &w), 0);
    assert_int_equal(w.seg[0].marker, 0xED);
    assert_int_equal(w.seg[0].length, JPEG_SEGMENT_MAX_DATA);
    assert_int_equal(w.seg[0].size, seg);
    assert_int_equal(w.seg[1].offset, 2 + seg);
    free(p);
    free(big);
    free(jpeg);
}

/* A marker cut after its 0xFF, or after one byte of its length. */
static void test_rejects_marker_cut_in_its_header(void **state)
{
    (void)state;
    static const uint8_t a[] = {0xFF, 0xD8, 0xFF};
    static const uint8_t b[] = {0xFF, 0xD8, 0xFF, 0xE0};
    static const uint8_t c[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00};
    static const uint8_t d[] = {0xFF, 0xD8, 0xFF, 0xFF, 0xFF};
    const uint8_t *cases[] = {a, b, c, d};
    size_t lens[] = {sizeof a, sizeof b, sizeof c, sizeof d};
    for (size_t i = 0; i < 4; i++) {
        uint8_t *p = copy_of(cases[i], lens[i]);
        walk_result w;
        assert_int_equal(walk(p, lens[i], &w), SHROUD_ERR_IMAGE);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walks_every_segment_up_to_sos),
        cmocka_unit_test(test_returns_zero_after_sos_and_keeps_returning_it),
        cmocka_unit_test(test_rejects_what_does_not_start_with_soi),
        cmocka_unit_test(test_truncated_at_every_offset_is_an_error),
        cmocka_unit_test(test_rejects_length_below_two_or_past_the_end),
        cmocka_unit_test(test_rejects_garbage_between_segments),
        cmocka_unit_test(test_skips_fill_bytes),
        cmocka_unit_test(test_rejects_eoi_rst_and_soi_before_sos_but_allows_tem),
        cmocka_unit_test(test_walks_a_segment_of_the_largest_size),
        cmocka_unit_test(test_rejects_marker_cut_in_its_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
