/*
 * test_deflate_literals.c — raw literals-only deflate (deflate_literals.h),
 * the compression of PNG level 1 (inside png_deflate.h's zlib wrapper,
 * tested in test_png_deflate.c) and of a JPEG redaction's record: every
 * stream must inflate, with both libdeflate (what shroud restore uses) and
 * zlib (what browsers' DecompressionStream uses), to exactly the input.
 * Inputs: empty, one byte, one repeated byte, two symbols, skewed
 * varint-like bytes (must come out well below the input's size), counts
 * shaped like the Fibonacci numbers (a plain Huffman code would need more
 * than 15 bits: the length limit must hold), uniformly random bytes
 * (incompressible: stored blocks, several of them past 64 KiB, within the
 * bound), and an output buffer one byte short of the bound (refused).
 */
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "image/deflate_literals.h"
#include "testutil.h"

/* Inflates data (raw deflate) with libdeflate and zlib; both must give
 * exactly raw[0..len). */
static void assert_inflates_to(const uint8_t *data, size_t data_len, const uint8_t *raw, size_t len)
{
    uint8_t *back = malloc(len + 1);
    assert_non_null(back);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    assert_non_null(d);
    size_t got = 0, used = 0;
    assert_int_equal(
        libdeflate_deflate_decompress_ex(d, data, data_len, back, len + 1, &used, &got),
        LIBDEFLATE_SUCCESS);
    libdeflate_free_decompressor(d);
    assert_int_equal(used, data_len);
    assert_int_equal(got, len);
    assert_memory_equal(back, raw, len);

    memset(back, 0xAA, len + 1);
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(inflateInit2(&z, -15), Z_OK);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)data_len;
    z.next_out = back;
    z.avail_out = (uInt)(len + 1);
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(z.avail_in, 0);
    assert_int_equal(z.total_out, len);
    inflateEnd(&z);
    assert_memory_equal(back, raw, len);
    free(back);
}

/* Compresses raw and checks the round trip; returns the compressed size. */
static size_t round_trip(const uint8_t *raw, size_t len)
{
    size_t cap = deflate_literals_bound(len);
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    size_t n = deflate_literals(raw, len, out, cap);
    assert_true(n > 0);
    assert_true(n <= cap);
    assert_inflates_to(out, n, raw, len);
    free(out);
    return n;
}

static uint32_t rng_state = 12345;

static uint32_t next_random(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static void test_small_inputs(void **state)
{
    (void)state;
    static const uint8_t one[1] = {0x42}, two[6] = {1, 2, 1, 2, 2, 2};
    uint8_t same[1000];
    memset(same, 7, sizeof same);
    assert_int_equal(round_trip(NULL, 0), 5); /* one empty stored block */
    round_trip(one, sizeof one);
    round_trip(two, sizeof two);
    assert_true(round_trip(same, sizeof same) < sizeof same / 4);
}

/* Bytes like a JPEG capture: small values frequent, large ones rare. */
static void test_skewed_bytes_shrink(void **state)
{
    (void)state;
    size_t len = 300000;
    uint8_t *raw = malloc(len);
    assert_non_null(raw);
    for (size_t i = 0; i < len; i++) {
        uint32_t r = next_random();
        raw[i] = (uint8_t)(r % 100 < 70 ? r % 8 : r % 100 < 95 ? r % 64 : r % 256);
    }
    size_t n = round_trip(raw, len);
    assert_true(n < len * 3 / 4);
    free(raw);
}

/* Counts 1, 1, 2, 3, 5, 8 ... : an unlimited Huffman code would be ~25 bits deep. */
static void test_length_limit(void **state)
{
    (void)state;
    size_t counts[26], len = 0;
    counts[0] = counts[1] = 1;
    for (int i = 2; i < 26; i++)
        counts[i] = counts[i - 1] + counts[i - 2];
    for (int i = 0; i < 26; i++)
        len += counts[i];
    uint8_t *raw = malloc(len), *p = raw;
    assert_non_null(raw);
    for (int i = 0; i < 26; i++)
        for (size_t k = 0; k < counts[i]; k++)
            *p++ = (uint8_t)('a' + i);
    size_t n = round_trip(raw, len);
    assert_true(n < len / 2);
    free(raw);
}

/* Uniform bytes do not shrink: stored blocks, no more than 5 bytes per 64 KiB over. */
static void test_incompressible_is_stored(void **state)
{
    (void)state;
    size_t len = 200000;
    uint8_t *raw = malloc(len);
    assert_non_null(raw);
    for (size_t i = 0; i < len; i++)
        raw[i] = (uint8_t)next_random();
    size_t n = round_trip(raw, len);
    assert_int_equal(n, len + 5 * (len / 65535 + 1));
    free(raw);
}

static void test_short_buffer_is_refused(void **state)
{
    (void)state;
    uint8_t raw[5000];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)(i % 13);
    size_t cap = deflate_literals_bound(sizeof raw);
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    assert_int_equal(deflate_literals(raw, sizeof raw, out, cap - 1), 0);
    assert_int_equal(deflate_literals(raw, sizeof raw, out, 0), 0);
    free(out);
}

/* Parts compressed apart (the first not last) concatenate into one stream
 * of the whole input: at a block edge, inside a block, an empty part. */
static void test_parts_concatenate(void **state)
{
    (void)state;
    size_t len = 3 * DEFLATE_LITERALS_BLOCK + 999;
    uint8_t *raw = malloc(len);
    assert_non_null(raw);
    for (size_t i = 0; i < len; i++) {
        uint32_t r = next_random();
        raw[i] = (uint8_t)(r % 100 < 80 ? r % 16 : r);
    }
    const size_t splits[] = {0,  1, 12345, DEFLATE_LITERALS_BLOCK, 2 * DEFLATE_LITERALS_BLOCK + 7,
                             len};
    for (size_t k = 0; k < sizeof splits / sizeof splits[0]; k++) {
        size_t a = splits[k], cap_a = deflate_literals_bound(a),
               cap_b = deflate_literals_bound(len - a);
        uint8_t *out = malloc(cap_a + cap_b);
        assert_non_null(out);
        size_t na = deflate_literals_part(raw, a, 0, out, cap_a);
        assert_true(na > 0);
        size_t nb = deflate_literals_part(raw + a, len - a, 1, out + na, cap_b);
        assert_true(nb > 0);
        assert_inflates_to(out, na + nb, raw, len);
        free(out);
    }
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_inputs),
        cmocka_unit_test(test_skewed_bytes_shrink),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_incompressible_is_stored),
        cmocka_unit_test(test_short_buffer_is_refused),
        cmocka_unit_test(test_parts_concatenate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
