/*
 * The PNG chunk walker (png_chunks.h): valid files walk chunk by chunk with
 * the right offsets and sizes; every malformation (truncation at any byte,
 * CRC, length, type bytes, IHDR, IEND) is SHROUD_ERR_IMAGE exactly at the
 * broken chunk, never a read outside the buffer; png_chunk_append round trips;
 * the critical / safe-to-copy bits.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "image/png_chunks.h"
#include "png_util.h"
#include "shroud.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A small file with several chunks before, between and after the IDATs. */
static uint8_t *base_file(size_t *len)
{
    pu_spec spec = {.width = 5,
                    .height = 3,
                    .color_type = PU_PALETTE,
                    .bit_depth = 4,
                    .palette_len = 6,
                    .trns = 1,
                    .chunks = PU_GAMA | PU_TEXT | PU_SAFE_UNKNOWN};
    return pu_make(&spec, len);
}

/* An exact-size heap copy, so ASan sees any read past the end. */
static uint8_t *exact_copy(const uint8_t *buf, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    if (len)
        memcpy(p, buf, len);
    return p;
}

/* Walks buf: the last return of png_chunks_next (0 or an error; a begin
 * error is returned as is) and how many chunks came before it. Checks every
 * chunk returned against the bytes. */
static int walk(const uint8_t *buf, size_t len, size_t *count)
{
    uint8_t *copy = exact_copy(buf, len);
    png_chunk_reader r;
    *count = 0;
    int err = png_chunks_begin(&r, copy, len);
    if (err) {
        free(copy);
        return err;
    }
    size_t end = PNG_SIGNATURE_BYTES;
    png_chunk c;
    int more;
    while ((more = png_chunks_next(&r, &c)) == 1) {
        assert_int_equal(c.offset, end);
        assert_true(c.size <= len - c.offset);
        assert_int_equal(c.size, PNG_CHUNK_OVERHEAD + (size_t)c.length);
        assert_int_equal(c.length, pu_be32(copy + c.offset));
        assert_memory_equal(c.type, copy + c.offset + 4, 4);
        assert_int_equal(c.type[4], '\0');
        assert_ptr_equal(c.data, copy + c.offset + 8);
        end = c.offset + c.size;
        (*count)++;
        assert_int_equal(r.count, *count);
    }
    if (more == 0) {
        assert_int_equal(end, len);
        assert_int_equal(png_chunks_next(&r, &c), 0); /* stays at the end */
    }
    free(copy);
    return more;
}

/* Number of chunks in a well-formed file. */
static size_t chunk_count(const uint8_t *buf, size_t len)
{
    size_t n = 0;
    assert_int_equal(walk(buf, len, &n), 0);
    return n;
}

/* ---- valid files ------------------------------------------------------------------ */

static void test_walks_valid_files(void **state)
{
    (void)state;
    static const pu_spec specs[] = {
        {.width = 5, .height = 3, .color_type = PU_PALETTE, .bit_depth = 4, .trns = 1},
        {.width = 40, .height = 30, .color_type = PU_RGBA, .idat_max = 300},
        {.width = 1, .height = 1, .bit_depth = 1},
        {.chunks = PU_GAMA | PU_ICCP | PU_TEXT | PU_UNSAFE_UNKNOWN | PU_ACTL | PU_SAFE_UNKNOWN},
    };
    for (size_t i = 0; i < N_ITEMS(specs); i++) {
        size_t len;
        uint8_t *png = pu_make(&specs[i], &len);
        char *types = pu_chunk_types(png, len);
        png_chunk_reader r;
        assert_int_equal(png_chunks_begin(&r, png, len), SHROUD_OK);
        tu_buf seen = {0};
        png_chunk c;
        int more;
        while ((more = png_chunks_next(&r, &c)) == 1) {
            if (seen.len)
                tu_buf_write(&seen, (const uint8_t *)" ", 1);
            tu_buf_write(&seen, (const uint8_t *)c.type, 4);
        }
        assert_int_equal(more, 0);
        tu_buf_write(&seen, (const uint8_t *)"", 1);
        assert_string_equal((const char *)seen.data, types);
        assert_true(strncmp(types, "IHDR ", 5) == 0);
        assert_string_equal(types + strlen(types) - 4, "IEND");
        size_t n;
        assert_int_equal(walk(png, len, &n), 0);
        if (specs[i].idat_max)
            assert_non_null(strstr(types, "IDAT IDAT IDAT")); /* several IDATs */
        tu_buf_free(&seen);
        free(types);
        free(png);
    }
}

/* Zero-length chunks, any letter case, a file of only IHDR and IEND. */
static void test_minimal_and_odd_but_valid(void **state)
{
    (void)state;
    tu_buf f = {0};
    pu_put_signature(&f);
    pu_put_ihdr(&f, 1, 1, 8, PU_GRAY, 0);
    pu_put_chunk(&f, "IEND", NULL, 0);
    size_t n;
    assert_int_equal(walk(f.data, f.len, &n), 0);
    assert_int_equal(n, 2);
    tu_buf_free(&f);

    pu_put_signature(&f);
    pu_put_ihdr(&f, 1, 1, 8, PU_GRAY, 0);
    static const char *const types[] = {"aBcD", "ZzZz", "zzzz", "AAAA", "IDAT", "tEXt"};
    for (size_t i = 0; i < N_ITEMS(types); i++)
        pu_put_chunk(&f, types[i], "x", i % 2);
    pu_put_chunk(&f, "IEND", NULL, 0);
    assert_int_equal(walk(f.data, f.len, &n), 0);
    assert_int_equal(n, N_ITEMS(types) + 2);
    tu_buf_free(&f);
}

/* ---- refused -------------------------------------------------------------------------- */

static void test_begin_and_arguments(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    png_chunk_reader r;
    png_chunk c;
    assert_int_equal(png_chunks_begin(NULL, png, len), SHROUD_ERR_ARGUMENT);
    assert_int_equal(png_chunks_begin(&r, NULL, 100), SHROUD_ERR_IMAGE_FORMAT);
    for (size_t n = 0; n < PNG_SIGNATURE_BYTES; n++) {
        uint8_t *copy = exact_copy(png, n);
        assert_int_equal(png_chunks_begin(&r, copy, n), SHROUD_ERR_IMAGE_FORMAT);
        free(copy);
    }
    for (size_t i = 0; i < PNG_SIGNATURE_BYTES; i++) {
        png[i] ^= 0x20;
        assert_int_equal(png_chunks_begin(&r, png, len), SHROUD_ERR_IMAGE_FORMAT);
        /* after a failed begin the reader is unusable, not undefined */
        assert_int_equal(png_chunks_next(&r, &c), SHROUD_ERR_ARGUMENT);
        png[i] ^= 0x20;
    }
    assert_int_equal(png_chunks_begin(&r, png, len), SHROUD_OK);
    assert_int_equal(png_chunks_next(NULL, &c), SHROUD_ERR_ARGUMENT);
    assert_int_equal(png_chunks_next(&r, NULL), SHROUD_ERR_ARGUMENT);
    /* The signature alone: no IHDR, no IEND. */
    size_t n;
    assert_int_equal(walk(png, PNG_SIGNATURE_BYTES, &n), SHROUD_ERR_IMAGE);
    assert_int_equal(n, 0);
    free(png);
}

static void test_truncation_at_every_offset(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    size_t ends[32], n_chunks = 0;
    for (size_t pos = PNG_SIGNATURE_BYTES; pos < len; pos += 12 + pu_be32(png + pos))
        ends[n_chunks++] = pos + 12 + pu_be32(png + pos);
    for (size_t cut = 0; cut < len; cut++) {
        size_t n;
        int err = walk(png, cut, &n);
        if (cut < PNG_SIGNATURE_BYTES) {
            assert_int_equal(err, SHROUD_ERR_IMAGE_FORMAT);
            continue;
        }
        if (err != SHROUD_ERR_IMAGE)
            fail_msg("cut at %zu of %zu: got %d", cut, len, err);
        size_t whole = 0; /* the chunks that fit are returned, then the error */
        while (whole < n_chunks && ends[whole] <= cut)
            whole++;
        assert_int_equal(n, whole);
    }
    free(png);
}

static void test_bad_crc_anywhere(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    size_t k = 0;
    for (size_t pos = PNG_SIGNATURE_BYTES; pos < len; pos += 12 + pu_be32(png + pos), k++) {
        size_t data_len = pu_be32(png + pos), crc_at = pos + 8 + data_len;
        size_t targets[3] = {crc_at, crc_at + 3, pos + 8}; /* CRC bytes, first data byte */
        for (size_t t = 0; t < (data_len ? 3u : 2u); t++) {
            for (unsigned bit = 0; bit < 8; bit += 7) {
                png[targets[t]] ^= (uint8_t)(1u << bit);
                size_t n;
                assert_int_equal(walk(png, len, &n), SHROUD_ERR_IMAGE);
                assert_int_equal(n, k);
                png[targets[t]] ^= (uint8_t)(1u << bit);
            }
        }
        /* A type letter with its case flipped is still letters: only the CRC catches it. */
        png[pos + 5] ^= 0x20;
        size_t n;
        assert_int_equal(walk(png, len, &n), SHROUD_ERR_IMAGE);
        assert_int_equal(n, k);
        png[pos + 5] ^= 0x20;
    }
    free(png);
}

static void test_lengths_past_the_end(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    size_t total = chunk_count(png, len);
    size_t k = 0;
    for (size_t pos = PNG_SIGNATURE_BYTES; pos < len; k++) {
        uint32_t orig = pu_be32(png + pos);
        uint32_t left = (uint32_t)(len - pos - 12);
        const uint32_t bad[] = {left + 1,    left + 4,    0x7fffffffu,
                                0x80000000u, 0xfffffff4u, 0xffffffffu};
        for (size_t i = 0; i < N_ITEMS(bad); i++) {
            pu_put_be32(png + pos, bad[i]);
            size_t n;
            assert_int_equal(walk(png, len, &n), SHROUD_ERR_IMAGE);
            assert_int_equal(n, k);
        }
        /* A length that swallows the rest of the file exactly, CRC fixed: the
         * chunk itself is fine, then there is no IEND. */
        if (k > 0 && k + 1 < total) {
            pu_put_be32(png + pos, left);
            uint8_t saved[4];
            memcpy(saved, png + len - 4, 4);
            pu_fix_crc(png, pos);
            size_t n;
            assert_int_equal(walk(png, len, &n), SHROUD_ERR_IMAGE);
            assert_int_equal(n, k + 1);
            memcpy(png + len - 4, saved, 4);
        }
        pu_put_be32(png + pos, orig);
        pos += 12 + orig;
    }
    assert_int_equal(walk(png, len, &k), 0);
    free(png);
}

static void test_type_bytes_must_be_letters(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    size_t at = pu_find_chunk(png, len, "tEXt", 0);
    assert_true(at != SIZE_MAX);
    size_t before;
    {
        /* the index of tEXt among the chunks */
        before = 0;
        for (size_t pos = PNG_SIGNATURE_BYTES; pos < at; pos += 12 + pu_be32(png + pos))
            before++;
    }
    static const uint8_t bad[] = {0x00, ' ',  '0',  '9',  '@',  '[', '`',
                                  '{',  0x7f, 0x80, 0xC1, 0xE1, 0xFF};
    for (int i = 0; i < 4; i++) {
        uint8_t orig = png[at + 4 + i];
        for (size_t b = 0; b < N_ITEMS(bad); b++) {
            png[at + 4 + i] = bad[b];
            pu_fix_crc(png, at); /* only the type is wrong */
            size_t n;
            assert_int_equal(walk(png, len, &n), SHROUD_ERR_IMAGE);
            assert_int_equal(n, before);
        }
        png[at + 4 + i] = orig;
        pu_fix_crc(png, at);
    }
    size_t n;
    assert_int_equal(walk(png, len, &n), 0);
    free(png);
}

static void test_ihdr_first_and_13_bytes(void **state)
{
    (void)state;
    uint8_t ihdr[14] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0};
    size_t n;
    /* another chunk first */
    tu_buf f = {0};
    pu_put_signature(&f);
    pu_put_chunk(&f, "gAMA", "\0\0\xb1\x8f", 4);
    pu_put_chunk(&f, "IHDR", ihdr, 13);
    pu_put_chunk(&f, "IEND", NULL, 0);
    assert_int_equal(walk(f.data, f.len, &n), SHROUD_ERR_IMAGE);
    assert_int_equal(n, 0);
    tu_buf_free(&f);
    /* IEND first, lower-case ihdr */
    static const char *const first[] = {"IEND", "ihdr", "IHDr", "IDAT"};
    for (size_t i = 0; i < N_ITEMS(first); i++) {
        pu_put_signature(&f);
        pu_put_chunk(&f, first[i], ihdr, strcmp(first[i], "IEND") ? 13 : 0);
        pu_put_chunk(&f, "IEND", NULL, 0);
        assert_int_equal(walk(f.data, f.len, &n), SHROUD_ERR_IMAGE);
        assert_int_equal(n, 0);
        tu_buf_free(&f);
    }
    /* wrong IHDR lengths */
    static const size_t lengths[] = {0, 12, 14};
    for (size_t i = 0; i < N_ITEMS(lengths); i++) {
        pu_put_signature(&f);
        pu_put_chunk(&f, "IHDR", ihdr, lengths[i]);
        pu_put_chunk(&f, "IEND", NULL, 0);
        assert_int_equal(walk(f.data, f.len, &n), SHROUD_ERR_IMAGE);
        assert_int_equal(n, 0);
        tu_buf_free(&f);
    }
    /* a second IHDR */
    pu_put_signature(&f);
    pu_put_chunk(&f, "IHDR", ihdr, 13);
    pu_put_chunk(&f, "IDAT", "x", 1);
    pu_put_chunk(&f, "IHDR", ihdr, 13);
    pu_put_chunk(&f, "IEND", NULL, 0);
    assert_int_equal(walk(f.data, f.len, &n), SHROUD_ERR_IMAGE);
    assert_int_equal(n, 2);
    tu_buf_free(&f);
}

static void test_iend_ends_the_file(void **state)
{
    (void)state;
    size_t len, n;
    uint8_t *png = base_file(&len);
    size_t total = chunk_count(png, len);
    size_t iend = pu_find_chunk(png, len, "IEND", 0);
    assert_int_equal(iend + 12, len);
    /* missing IEND: cut right after the chunk before it */
    assert_int_equal(walk(png, iend, &n), SHROUD_ERR_IMAGE);
    assert_int_equal(n, total - 1);
    /* anything after IEND: one byte, a whole chunk, another PNG */
    tu_buf after = {0};
    pu_put_chunk(&after, "tEXt", "a\0b", 3);
    const struct {
        const uint8_t *data;
        size_t len;
    } tails[] = {{(const uint8_t *)"", 1},
                 {(const uint8_t *)"\0\0\0\0", 4},
                 {after.data, after.len},
                 {png, len}};
    for (size_t i = 0; i < N_ITEMS(tails); i++) {
        tu_buf f = {0};
        tu_buf_write(&f, png, len);
        tu_buf_write(&f, tails[i].data, tails[i].len);
        assert_int_equal(walk(f.data, f.len, &n), SHROUD_ERR_IMAGE);
        assert_int_equal(n, total); /* IEND itself is returned */
        tu_buf_free(&f);
    }
    /* IEND in the middle, then more chunks */
    tu_buf f = {0};
    pu_put_signature(&f);
    pu_put_ihdr(&f, 1, 1, 8, PU_GRAY, 0);
    pu_put_chunk(&f, "IEND", NULL, 0);
    pu_put_chunk(&f, "IDAT", "x", 1);
    pu_put_chunk(&f, "IEND", NULL, 0);
    assert_int_equal(walk(f.data, f.len, &n), SHROUD_ERR_IMAGE);
    assert_int_equal(n, 2);
    tu_buf_free(&f);
    tu_buf_free(&after);
    free(png);
}

/* ---- append ------------------------------------------------------------------------------ */

static void test_append_round_trip(void **state)
{
    (void)state;
    static const struct {
        const char *type;
        size_t len;
    } chunks[] = {{"tEXt", 0}, {"teSt", 1}, {"IDAT", 13}, {"shRD", 1000}, {"zzzz", 70000}};
    bytebuf out = {0};
    uint8_t ihdr[13] = {0, 0, 0, 2, 0, 0, 0, 2, 8, 0, 0, 0, 0};
    assert_int_equal(bytebuf_write(&out, (const uint8_t *)"\x89PNG\r\n\x1a\n", 8), 0);
    assert_int_equal(png_chunk_append(&out, "IHDR", ihdr, 13), SHROUD_OK);
    uint8_t *data = malloc(70000);
    assert_non_null(data);
    for (size_t i = 0; i < 70000; i++)
        data[i] = (uint8_t)(i * 131 + (i >> 8));
    for (size_t i = 0; i < N_ITEMS(chunks); i++) {
        size_t at = out.len;
        assert_int_equal(png_chunk_append(&out, chunks[i].type, data, (uint32_t)chunks[i].len),
                         SHROUD_OK);
        /* The bytes, with an independent CRC. */
        assert_int_equal(out.len, at + 12 + chunks[i].len);
        assert_int_equal(pu_be32(out.data + at), chunks[i].len);
        assert_memory_equal(out.data + at + 4, chunks[i].type, 4);
        assert_memory_equal(out.data + at + 8, data, chunks[i].len);
        uLong crc = crc32(crc32(0L, out.data + at + 4, 4), data, (uInt)chunks[i].len);
        assert_int_equal(pu_be32(out.data + at + 8 + chunks[i].len), (uint32_t)crc);
    }
    assert_int_equal(png_chunk_append(&out, "IEND", NULL, 0), SHROUD_OK);
    /* IEND's CRC is the well-known one */
    assert_memory_equal(out.data + out.len - 4, "\xae\x42\x60\x82", 4);
    png_chunk_reader r;
    png_chunk c;
    assert_int_equal(png_chunks_begin(&r, out.data, out.len), SHROUD_OK);
    assert_int_equal(png_chunks_next(&r, &c), 1);
    assert_string_equal(c.type, "IHDR");
    for (size_t i = 0; i < N_ITEMS(chunks); i++) {
        assert_int_equal(png_chunks_next(&r, &c), 1);
        assert_string_equal(c.type, chunks[i].type);
        assert_int_equal(c.length, chunks[i].len);
        assert_memory_equal(c.data, data, chunks[i].len);
    }
    assert_int_equal(png_chunks_next(&r, &c), 1);
    assert_string_equal(c.type, "IEND");
    assert_int_equal(png_chunks_next(&r, &c), 0);

    /* Refused arguments leave out alone. */
    size_t before = out.len;
    assert_int_equal(png_chunk_append(NULL, "tEXt", data, 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(png_chunk_append(&out, "tEXt", NULL, 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(png_chunk_append(&out, "tEXt", data, 0x80000000u), SHROUD_ERR_ARGUMENT);
    assert_int_equal(png_chunk_append(&out, "tEXt", data, 0xffffffffu), SHROUD_ERR_ARGUMENT);
    assert_int_equal(out.len, before);
    free(data);
    free(out.data);
}

/* ---- properties ------------------------------------------------------------------------------ */

static void test_type_properties(void **state)
{
    (void)state;
    static const char *const critical[] = {"IHDR", "PLTE", "IDAT", "IEND", "CrIT", "ABCD"};
    static const char *const ancillary[] = {"tEXt", "gAMA", "tRNS", "shRD", "shSG",
                                            "teSt", "teST", "acTL", "fdAT", "zzzz"};
    for (size_t i = 0; i < N_ITEMS(critical); i++)
        assert_true(png_chunk_is_critical(critical[i]));
    for (size_t i = 0; i < N_ITEMS(ancillary); i++)
        assert_false(png_chunk_is_critical(ancillary[i]));
    static const char *const safe[] = {"tEXt", "zTXt", "iTXt", "teSt", "zzzz", "pHYs"};
    static const char *const unsafe[] = {"gAMA", "iCCP", "shRD", "shSG", "teST",
                                         "acTL", "fcTL", "fdAT", "IDAT", "PLTE"};
    for (size_t i = 0; i < N_ITEMS(safe); i++)
        assert_true(png_chunk_is_safe_to_copy(safe[i]));
    for (size_t i = 0; i < N_ITEMS(unsafe); i++)
        assert_false(png_chunk_is_safe_to_copy(unsafe[i]));
    /* Every letter: bit 5 (lower case) of byte 0 and byte 3 (PNG spec 5.4). */
    for (int c = 0; c < 52; c++) {
        char letter = (char)(c < 26 ? 'A' + c : 'a' + c - 26);
        int lower = c >= 26;
        char t[5] = {letter, 'x', 'X', 'x', 0};
        assert_int_equal(png_chunk_is_critical(t) != 0, !lower);
        char u[5] = {'a', 'x', 'X', letter, 0};
        assert_int_equal(png_chunk_is_safe_to_copy(u) != 0, lower);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walks_valid_files),
        cmocka_unit_test(test_minimal_and_odd_but_valid),
        cmocka_unit_test(test_begin_and_arguments),
        cmocka_unit_test(test_truncation_at_every_offset),
        cmocka_unit_test(test_bad_crc_anywhere),
        cmocka_unit_test(test_lengths_past_the_end),
        cmocka_unit_test(test_type_bytes_must_be_letters),
        cmocka_unit_test(test_ihdr_first_and_13_bytes),
        cmocka_unit_test(test_iend_ends_the_file),
        cmocka_unit_test(test_append_round_trip),
        cmocka_unit_test(test_type_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
