/*
 * test_inflate_literals.c — the literals-only inflater (inflate_literals.h)
 * against deflate_literals' streams and against libdeflate, which must agree
 * whenever it says OK (it may refuse anything, never accept wrongly).
 * Round trips, TO_FINAL: sizes 0 to 80 and past DEFLATE_LITERALS_BLOCK
 * (several blocks) of small filtered-photo-like deltas, uniform random
 * bytes (stored blocks, one past 64 KiB), runs of one byte value
 * (degenerate codes), geometric byte counts (codes of 13-15 bits: the
 * second-level table, checked by reading the block header), zlib's
 * Huffman-only streams (another encoder's literal blocks); output exactly
 * the data, in_used the stream's length even with bytes after it.
 * TO_BOUNDARY: a part that is not last decodes to exactly its data, and two
 * such parts one after the other to both; a byte less, out_len off by one,
 * TO_FINAL on it, TO_BOUNDARY on a stream with a final block are refused.
 * Refusals: out_len one off, every truncation, a match (libdeflate level 6),
 * fixed-Huffman blocks (alone and after a valid part), block type 3, bad
 * stored LEN/NLEN. A differential check over every single-bit flip and
 * every value of a few bytes of small streams (dynamic, stored, a part read
 * TO_BOUNDARY): each OK must be libdeflate's SUCCESS with the same output
 * and in_used, and both verdicts must occur. inflate_literals_two on pairs
 * of streams (long, parts, stored, empty, refused, every bit of a small one
 * flipped) gives what two calls give. Buffers are exact-size heap copies,
 * so ASan sees any access outside them.
 */
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "image/deflate_literals.h"
#include "image/inflate_literals.h"
#include "testutil.h"

static uint32_t rng_state = 2024;

static uint32_t next_random(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

/* An exact-size heap copy (a 1-byte allocation for nothing, never NULL). */
static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    assert_non_null(q);
    if (n)
        memcpy(q, p, n);
    return q;
}

/* Bytes like a filtered photograph: small deltas around zero. */
static uint8_t *make_deltas(size_t len)
{
    uint8_t *raw = malloc(len ? len : 1);
    assert_non_null(raw);
    for (size_t i = 0; i < len; i++) {
        uint32_t r = next_random();
        raw[i] = (uint8_t)(r % 100 < 90 ? (int)(r % 9) - 4 : (int)(r >> 8));
    }
    return raw;
}

static uint8_t *make_uniform(size_t len)
{
    uint8_t *raw = malloc(len ? len : 1);
    assert_non_null(raw);
    for (size_t i = 0; i < len; i++)
        raw[i] = (uint8_t)next_random();
    return raw;
}

/* deflate_literals_part of raw as an exact-size heap buffer. */
static uint8_t *compress_part(const uint8_t *raw, size_t len, int last, size_t *n)
{
    size_t cap = deflate_literals_bound(len);
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    *n = deflate_literals_part(raw, len, last, buf, cap);
    assert_true(*n > 0);
    uint8_t *out = dup_exact(buf, *n);
    free(buf);
    return out;
}

static uint8_t *concat(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    uint8_t *p = malloc(na + nb ? na + nb : 1);
    assert_non_null(p);
    if (na)
        memcpy(p, a, na);
    if (nb)
        memcpy(p + na, b, nb);
    return p;
}

/* BTYPE of the stream's first block. */
static unsigned first_block_type(const uint8_t *s)
{
    return (s[0] >> 1) & 3u;
}

/* inflate_literals on an exact-size copy of in, into an exact-size buffer
 * of out_len bytes; *out (when not NULL) receives that buffer. */
static int ours(const uint8_t *in, size_t in_len, enum inflate_literals_end end, size_t out_len,
                size_t *used, uint8_t **out)
{
    uint8_t *copy = dup_exact(in, in_len);
    uint8_t *buf = malloc(out_len ? out_len : 1);
    assert_non_null(buf);
    *used = (size_t)-1;
    int r = inflate_literals(copy, in_len, end, buf, out_len, used);
    assert_true(r == INFLATE_LITERALS_OK || r == INFLATE_LITERALS_UNSUPPORTED);
    free(copy);
    if (out)
        *out = buf;
    else
        free(buf);
    return r;
}

/* libdeflate_deflate_decompress_ex into a fresh buffer of cap bytes. */
static enum libdeflate_result lib(const uint8_t *in, size_t in_len, size_t cap, size_t *used,
                                  size_t *got, uint8_t **out)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    assert_non_null(d);
    uint8_t *buf = malloc(cap ? cap : 1);
    assert_non_null(buf);
    *used = *got = 0;
    enum libdeflate_result r = libdeflate_deflate_decompress_ex(d, in, in_len, buf, cap, used, got);
    libdeflate_free_decompressor(d);
    if (out)
        *out = buf;
    else
        free(buf);
    return r;
}

/* The stream decodes TO_FINAL to exactly raw with both inflaters, using
 * all of it, and also with bytes after it (in_used unchanged); out_len one
 * off either way is refused. */
static void assert_round_trip(const uint8_t *s, size_t n, const uint8_t *raw, size_t len)
{
    size_t used, got;
    uint8_t *out;
    assert_int_equal(ours(s, n, INFLATE_LITERALS_TO_FINAL, len, &used, &out), INFLATE_LITERALS_OK);
    assert_int_equal(used, n);
    if (len)
        assert_memory_equal(out, raw, len);
    free(out);

    assert_int_equal(lib(s, n, len + 1, &used, &got, &out), LIBDEFLATE_SUCCESS);
    assert_int_equal(used, n);
    assert_int_equal(got, len);
    if (len)
        assert_memory_equal(out, raw, len);
    free(out);

    /* in_used may be NULL */
    uint8_t *copy = dup_exact(s, n), *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    assert_int_equal(inflate_literals(copy, n, INFLATE_LITERALS_TO_FINAL, buf, len, NULL),
                     INFLATE_LITERALS_OK);
    free(buf);
    free(copy);

    static const uint8_t trailer[3] = {0xFF, 0x00, 0x5A};
    uint8_t *more = concat(s, n, trailer, sizeof trailer);
    assert_int_equal(ours(more, n + sizeof trailer, INFLATE_LITERALS_TO_FINAL, len, &used, &out),
                     INFLATE_LITERALS_OK);
    assert_int_equal(used, n);
    if (len)
        assert_memory_equal(out, raw, len);
    free(out);
    free(more);

    if (len)
        assert_int_equal(ours(s, n, INFLATE_LITERALS_TO_FINAL, len - 1, &used, NULL),
                         INFLATE_LITERALS_UNSUPPORTED);
    assert_int_equal(ours(s, n, INFLATE_LITERALS_TO_FINAL, len + 1, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);
}

/* deflate_literals of raw, checked by assert_round_trip; returns the
 * stream (*n bytes). */
static uint8_t *round_trip(const uint8_t *raw, size_t len, size_t *n)
{
    uint8_t *s = compress_part(raw, len, 1, n);
    assert_round_trip(s, *n, raw, len);
    return s;
}

/* ---- reading a dynamic block's header (RFC 1951 3.2.7), bit by bit ---- */

typedef struct {
    const uint8_t *p;
    size_t len, pos;
} bit_reader;

static unsigned get_bits(bit_reader *r, unsigned n)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++, r->pos++) {
        assert_true(r->pos / 8 < r->len);
        v |= ((r->p[r->pos / 8] >> (r->pos % 8)) & 1u) << i;
    }
    return v;
}

/* One symbol of the canonical code with these lengths (as in zlib's puff). */
static unsigned get_symbol(bit_reader *r, const uint8_t *lens, unsigned n)
{
    unsigned code = 0, first = 0;
    for (unsigned bits = 1; bits <= 15; bits++) {
        code |= get_bits(r, 1);
        unsigned count = 0;
        for (unsigned s = 0; s < n; s++)
            count += lens[s] == bits;
        if (code - first < count) {
            unsigned k = code - first;
            for (unsigned s = 0; s < n; s++)
                if (lens[s] == bits && k-- == 0)
                    return s;
        }
        first = (first + count) << 1;
        code <<= 1;
    }
    fail_msg("bad code in block header");
    return 0;
}

/* The literal/length code lengths of the stream's first block (dynamic). */
static void litlen_lengths(const uint8_t *s, size_t n, uint8_t lens[288])
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    bit_reader r = {s, n, 0};
    get_bits(&r, 1);
    assert_int_equal(get_bits(&r, 2), 2);
    unsigned n_lit = get_bits(&r, 5) + 257, n_dist = get_bits(&r, 5) + 1,
             n_pre = get_bits(&r, 4) + 4;
    uint8_t pre[19] = {0}, all[288 + 32] = {0};
    for (unsigned i = 0; i < n_pre; i++)
        pre[order[i]] = (uint8_t)get_bits(&r, 3);
    for (unsigned i = 0; i < n_lit + n_dist;) {
        unsigned sym = get_symbol(&r, pre, 19), repeat = 1, value = sym;
        if (sym == 16) {
            assert_true(i > 0);
            value = all[i - 1];
            repeat = 3 + get_bits(&r, 2);
        } else if (sym == 17) {
            value = 0;
            repeat = 3 + get_bits(&r, 3);
        } else if (sym == 18) {
            value = 0;
            repeat = 11 + get_bits(&r, 7);
        }
        assert_true(i + repeat <= n_lit + n_dist);
        while (repeat--)
            all[i++] = (uint8_t)value;
    }
    memset(lens, 0, 288);
    memcpy(lens, all, n_lit);
}

/* ---- round trips ---- */

static void test_small_and_multi_block(void **state)
{
    (void)state;
    size_t n;
    for (size_t len = 0; len <= 80; len++) {
        uint8_t *raw = make_deltas(len);
        free(round_trip(raw, len, &n));
        free(raw);
    }
    const size_t sizes[] = {1000, 65536 + 3, DEFLATE_LITERALS_BLOCK,
                            3 * DEFLATE_LITERALS_BLOCK + 1234};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint8_t *raw = make_deltas(sizes[k]);
        uint8_t *s = round_trip(raw, sizes[k], &n);
        assert_int_equal(first_block_type(s), 2);
        assert_true(n < sizes[k] * 3 / 4);
        free(s);
        free(raw);
    }
}

/* No input and no output: an empty part is at its boundary at once; the
 * final block a stream needs is not there. */
static void test_null_and_empty(void **state)
{
    (void)state;
    size_t used = 99;
    assert_int_equal(inflate_literals(NULL, 0, INFLATE_LITERALS_TO_BOUNDARY, NULL, 0, &used),
                     INFLATE_LITERALS_OK);
    assert_int_equal(used, 0);
    assert_int_equal(inflate_literals(NULL, 0, INFLATE_LITERALS_TO_FINAL, NULL, 0, &used),
                     INFLATE_LITERALS_UNSUPPORTED);
    assert_int_equal(inflate_literals(NULL, 1, INFLATE_LITERALS_TO_FINAL, NULL, 0, &used),
                     INFLATE_LITERALS_UNSUPPORTED);
    uint8_t out[1];
    assert_int_equal(inflate_literals(NULL, 0, INFLATE_LITERALS_TO_BOUNDARY, out, 1, &used),
                     INFLATE_LITERALS_UNSUPPORTED);
}

static void test_uniform_bytes_stored(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 7, 300, 70000, 200000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint8_t *raw = make_uniform(sizes[k]);
        size_t n;
        uint8_t *s = round_trip(raw, sizes[k], &n);
        assert_int_equal(first_block_type(s), 0);
        free(s);
        free(raw);
    }
}

/* One byte value throughout: one short code, 256 unused ones. */
static void test_single_value_runs(void **state)
{
    (void)state;
    const size_t sizes[] = {2, 100, 5000, DEFLATE_LITERALS_BLOCK + 5};
    const uint8_t values[] = {0x00, 0x80, 0xFF};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (size_t v = 0; v < sizeof values; v++) {
            uint8_t *raw = malloc(sizes[k]);
            assert_non_null(raw);
            memset(raw, values[v], sizes[k]);
            size_t n;
            uint8_t *s = round_trip(raw, sizes[k], &n);
            if (sizes[k] >= 100)
                assert_int_equal(first_block_type(s), 2);
            if (sizes[k] >= 5000)
                assert_true(n < sizes[k] / 4);
            free(s);
            free(raw);
        }
}

/* Byte k about 2^(16-k) times: codes up to 15 bits long, many past the 12
 * of the primary table (end-of-block too), every one of them used; the
 * bytes shuffled, in ascending order (the long codes end the output), and
 * descending (they start it). */
static void test_codes_longer_than_12_bits(void **state)
{
    (void)state;
    size_t len = 0;
    for (unsigned k = 0; k < 256; k++)
        len += k < 16 ? (size_t)1 << (16 - k) : 1;
    uint8_t *raw = malloc(len), *p = raw;
    assert_non_null(raw);
    for (int pass = 0; pass < 3; pass++) {
        p = raw;
        for (unsigned i = 0; i < 256; i++) {
            unsigned k = pass == 2 ? 255 - i : i;
            for (size_t c = k < 16 ? (size_t)1 << (16 - k) : 1; c > 0; c--)
                *p++ = (uint8_t)k;
        }
        for (size_t i = len - 1; pass == 0 && i > 0; i--) {
            size_t j = ((size_t)next_random() << 8 ^ next_random()) % (i + 1);
            uint8_t t = raw[i];
            raw[i] = raw[j];
            raw[j] = t;
        }
        size_t n;
        uint8_t *s = round_trip(raw, len, &n);
        uint8_t lens[288];
        litlen_lengths(s, n, lens);
        unsigned longest = 0, long_codes = 0;
        for (unsigned sym = 0; sym < 257; sym++) {
            longest = lens[sym] > longest ? lens[sym] : longest;
            long_codes += lens[sym] > 12;
        }
        assert_int_equal(longest, 15);
        assert_true(long_codes >= 200);
        assert_true(lens[256] > 12);
        size_t long_bytes = 0;
        for (size_t i = 0; i < len; i++)
            long_bytes += lens[raw[i]] > 12;
        assert_true(long_bytes >= 200);
        free(s);
    }
    free(raw);
}

/* Another encoder's literal-only dynamic blocks: zlib, Z_HUFFMAN_ONLY. */
static void test_zlib_huffman_only(void **state)
{
    (void)state;
    size_t len = 100000;
    uint8_t *raw = make_deltas(len);
    size_t cap = compressBound((uLong)len) + 64;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_HUFFMAN_ONLY), Z_OK);
    z.next_in = raw;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    deflateEnd(&z);
    uint8_t *s = dup_exact(buf, n);
    free(buf);
    assert_int_equal(first_block_type(s), 2);
    assert_round_trip(s, n, raw, len);
    free(s);
    free(raw);
}

/* ---- TO_BOUNDARY ---- */

/* A is a part that is not last (ends with an empty stored block), B the last. */
static void check_parts(const uint8_t *a_raw, size_t a_len, const uint8_t *b_raw, size_t b_len)
{
    size_t na, nb, used, got;
    uint8_t *a = compress_part(a_raw, a_len, 0, &na);
    uint8_t *b = compress_part(b_raw, b_len, 1, &nb);
    uint8_t *out;

    assert_int_equal(ours(a, na, INFLATE_LITERALS_TO_BOUNDARY, a_len, &used, &out),
                     INFLATE_LITERALS_OK);
    assert_int_equal(used, na);
    if (a_len)
        assert_memory_equal(out, a_raw, a_len);
    free(out);
    /* libdeflate agrees once a final empty fixed block follows */
    static const uint8_t final_block[2] = {0x03, 0x00};
    uint8_t *a_end = concat(a, na, final_block, 2);
    assert_int_equal(lib(a_end, na + 2, a_len + 1, &used, &got, &out), LIBDEFLATE_SUCCESS);
    assert_int_equal(used, na + 2);
    assert_int_equal(got, a_len);
    if (a_len)
        assert_memory_equal(out, a_raw, a_len);
    free(out);
    free(a_end);

    assert_int_equal(ours(a, na - 1, INFLATE_LITERALS_TO_BOUNDARY, a_len, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);
    if (a_len)
        assert_int_equal(ours(a, na, INFLATE_LITERALS_TO_BOUNDARY, a_len - 1, &used, NULL),
                         INFLATE_LITERALS_UNSUPPORTED);
    assert_int_equal(ours(a, na, INFLATE_LITERALS_TO_BOUNDARY, a_len + 1, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);
    assert_int_equal(ours(a, na, INFLATE_LITERALS_TO_FINAL, a_len, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);
    /* one more byte after the boundary: no longer a boundary at the end */
    uint8_t *a_more = concat(a, na, final_block + 1, 1);
    assert_int_equal(ours(a_more, na + 1, INFLATE_LITERALS_TO_BOUNDARY, a_len, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);
    free(a_more);

    assert_int_equal(ours(b, nb, INFLATE_LITERALS_TO_FINAL, b_len, &used, &out),
                     INFLATE_LITERALS_OK);
    assert_int_equal(used, nb);
    if (b_len)
        assert_memory_equal(out, b_raw, b_len);
    free(out);
    assert_int_equal(ours(b, nb, INFLATE_LITERALS_TO_BOUNDARY, b_len, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);

    uint8_t *ab = concat(a, na, b, nb), *ab_raw = concat(a_raw, a_len, b_raw, b_len);
    assert_round_trip(ab, na + nb, ab_raw, a_len + b_len);
    assert_int_equal(ours(ab, na + nb, INFLATE_LITERALS_TO_BOUNDARY, a_len + b_len, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);
    /* A's data alone out of the whole stream: refused too (more output follows) */
    if (b_len)
        assert_int_equal(ours(ab, na + nb, INFLATE_LITERALS_TO_FINAL, a_len, &used, NULL),
                         INFLATE_LITERALS_UNSUPPORTED);
    free(ab);
    free(ab_raw);

    /* A then A: two non-final parts, one boundary-ended stream */
    uint8_t *aa = concat(a, na, a, na), *aa_raw = concat(a_raw, a_len, a_raw, a_len);
    assert_int_equal(ours(aa, 2 * na, INFLATE_LITERALS_TO_BOUNDARY, 2 * a_len, &used, &out),
                     INFLATE_LITERALS_OK);
    assert_int_equal(used, 2 * na);
    if (a_len)
        assert_memory_equal(out, aa_raw, 2 * a_len);
    free(out);
    free(aa);
    free(aa_raw);
    free(a);
    free(b);
}

static void test_parts_to_boundary(void **state)
{
    (void)state;
    uint8_t *d1 = make_deltas(5000), *d2 = make_deltas(3000), *u = make_uniform(1000);
    uint8_t *big = make_deltas(DEFLATE_LITERALS_BLOCK + 100);
    check_parts(d1, 5000, d2, 3000);                          /* coded, coded */
    check_parts(u, 1000, d2, 3000);                           /* stored, coded */
    check_parts(d1, 5000, u, 1000);                           /* coded, stored */
    check_parts(d1, 0, d2, 3000);                             /* an empty part first */
    check_parts(d1, 5000, d2, 0);                             /* an empty last part */
    check_parts(d1, 1, d2, 1);                                /* one byte each */
    check_parts(big, DEFLATE_LITERALS_BLOCK + 100, d2, 3000); /* two blocks before the boundary */
    free(d1);
    free(d2);
    free(u);
    free(big);
}

/* ---- refusals ---- */

static void test_truncations_refused(void **state)
{
    (void)state;
    uint8_t *coded = make_deltas(300), *stored = make_uniform(100);
    const uint8_t *raws[2] = {coded, stored};
    const size_t lens[2] = {300, 100};
    for (int k = 0; k < 2; k++) {
        size_t n, used;
        uint8_t *s = compress_part(raws[k], lens[k], 1, &n);
        assert_int_equal(first_block_type(s), k == 0 ? 2u : 0u);
        for (size_t cut = 0; cut < n; cut++)
            assert_int_equal(ours(s, cut, INFLATE_LITERALS_TO_FINAL, lens[k], &used, NULL),
                             INFLATE_LITERALS_UNSUPPORTED);
        free(s);
        /* a part that is not last, cut anywhere: TO_BOUNDARY refuses the
         * cuts that are not block boundaries and libdeflate agrees with
         * any it takes */
        s = compress_part(raws[k], lens[k], 0, &n);
        for (size_t cut = 0; cut < n; cut++) {
            uint8_t *out;
            if (ours(s, cut, INFLATE_LITERALS_TO_BOUNDARY, lens[k], &used, &out) ==
                INFLATE_LITERALS_OK) {
                static const uint8_t final_block[2] = {0x03, 0x00};
                uint8_t *ended = concat(s, cut, final_block, 2), *lout;
                size_t lused, got;
                assert_int_equal(lib(ended, cut + 2, lens[k] + 1, &lused, &got, &lout),
                                 LIBDEFLATE_SUCCESS);
                assert_int_equal(lused, cut + 2);
                assert_int_equal(got, lens[k]);
                assert_memory_equal(lout, out, lens[k]);
                free(lout);
                free(ended);
            }
            free(out);
        }
        free(s);
    }
    free(coded);
    free(stored);
}

/* libdeflate at level 6 on repetitive data: a dynamic block with matches. */
static void test_match_refused(void **state)
{
    (void)state;
    size_t len = 20000;
    uint8_t *raw = malloc(len), *phrase = make_deltas(40);
    assert_non_null(raw);
    for (size_t i = 0; i < len; i++)
        raw[i] = (uint8_t)(phrase[(i / 40 + i) % 40] + (next_random() % 50 == 0));
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    assert_non_null(c);
    size_t cap = libdeflate_deflate_compress_bound(c, len);
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = libdeflate_deflate_compress(c, raw, len, buf, cap);
    libdeflate_free_compressor(c);
    assert_true(n > 0 && n < len / 4); /* only matches make it this small */
    uint8_t *s = dup_exact(buf, n), *out;
    free(buf);
    assert_int_equal(first_block_type(s), 2);
    size_t used, got;
    assert_int_equal(lib(s, n, len, &used, &got, &out), LIBDEFLATE_SUCCESS);
    assert_int_equal(got, len);
    assert_memory_equal(out, raw, len);
    free(out);
    assert_int_equal(ours(s, n, INFLATE_LITERALS_TO_FINAL, len, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);
    free(s);
    free(raw);
    free(phrase);
}

static void test_fixed_and_reserved_blocks_refused(void **state)
{
    (void)state;
    size_t used, got;
    /* an empty final fixed-Huffman block */
    static const uint8_t empty_fixed[2] = {0x03, 0x00};
    assert_int_equal(lib(empty_fixed, 2, 1, &used, &got, NULL), LIBDEFLATE_SUCCESS);
    assert_int_equal(got, 0);
    assert_int_equal(ours(empty_fixed, 2, INFLATE_LITERALS_TO_FINAL, 0, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);

    /* literals in a fixed block (zlib, Z_FIXED, no repeated strings) */
    static const char text[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t len = sizeof text - 1;
    uint8_t buf[256];
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_FIXED), Z_OK);
    z.next_in = (Bytef *)text;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = sizeof buf;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    deflateEnd(&z);
    assert_int_equal(first_block_type(buf), 1);
    uint8_t *out;
    assert_int_equal(lib(buf, n, len + 1, &used, &got, &out), LIBDEFLATE_SUCCESS);
    assert_int_equal(got, len);
    assert_memory_equal(out, text, len);
    free(out);
    assert_int_equal(ours(buf, n, INFLATE_LITERALS_TO_FINAL, len, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);

    /* a valid part that is not last, then a final fixed block */
    uint8_t *raw = make_deltas(2000);
    size_t na;
    uint8_t *a = compress_part(raw, 2000, 0, &na);
    uint8_t *s = concat(a, na, empty_fixed, 2);
    assert_int_equal(lib(s, na + 2, 2001, &used, &got, NULL), LIBDEFLATE_SUCCESS);
    assert_int_equal(got, 2000);
    assert_int_equal(ours(s, na + 2, INFLATE_LITERALS_TO_FINAL, 2000, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);
    free(s);
    free(a);
    free(raw);

    /* block type 3 (reserved): both refuse */
    static const uint8_t reserved[8] = {0x07, 0, 0, 0, 0, 0, 0, 0};
    assert_int_not_equal(lib(reserved, sizeof reserved, 16, &used, &got, NULL), LIBDEFLATE_SUCCESS);
    assert_int_equal(ours(reserved, sizeof reserved, INFLATE_LITERALS_TO_FINAL, 0, &used, NULL),
                     INFLATE_LITERALS_UNSUPPORTED);
}

static void test_bad_stored_lengths_refused(void **state)
{
    (void)state;
    size_t used, got, n;
    /* final stored block "hello": LEN 5, NLEN ~5 */
    static const uint8_t good[10] = {0x01, 0x05, 0x00, 0xFA, 0xFF, 'h', 'e', 'l', 'l', 'o'};
    uint8_t *out;
    assert_int_equal(ours(good, sizeof good, INFLATE_LITERALS_TO_FINAL, 5, &used, &out),
                     INFLATE_LITERALS_OK);
    assert_int_equal(used, sizeof good);
    assert_memory_equal(out, "hello", 5);
    free(out);
    uint8_t bad[10];
    for (int k = 0; k < 3; k++) {
        memcpy(bad, good, sizeof bad);
        if (k == 0)
            bad[3] ^= 0x01; /* NLEN not ~LEN */
        else if (k == 1)
            bad[4] = 0x00; /* NLEN's high byte */
        else
            bad[1] = 0x06, bad[3] = 0xF9; /* LEN 6: past the end */
        assert_int_not_equal(lib(bad, sizeof bad, 16, &used, &got, NULL), LIBDEFLATE_SUCCESS);
        assert_int_equal(ours(bad, sizeof bad, INFLATE_LITERALS_TO_FINAL, 5, &used, NULL),
                         INFLATE_LITERALS_UNSUPPORTED);
    }
    /* deflate_literals' stored blocks with NLEN broken, one byte at a time */
    uint8_t *raw = make_uniform(500);
    uint8_t *s = compress_part(raw, 500, 1, &n);
    assert_int_equal(first_block_type(s), 0);
    for (size_t at = 1; at < 5; at++) {
        s[at] ^= 0x10;
        assert_int_not_equal(lib(s, n, 1000, &used, &got, NULL), LIBDEFLATE_SUCCESS);
        assert_int_equal(ours(s, n, INFLATE_LITERALS_TO_FINAL, 500, &used, NULL),
                         INFLATE_LITERALS_UNSUPPORTED);
        s[at] ^= 0x10;
    }
    free(s);
    free(raw);
}

/* ---- differential: whenever inflate_literals says OK, libdeflate agrees ---- */

typedef struct {
    unsigned accepted, refused;
} tally;

/* Checks one stream: ours at out_len, and at libdeflate's length when it
 * differs. TO_BOUNDARY is compared with the stream followed by a final
 * empty fixed block. */
static void differential(const uint8_t *s, size_t n, enum inflate_literals_end end, size_t out_len,
                         tally *t)
{
    static const uint8_t final_block[2] = {0x03, 0x00};
    int boundary = end == INFLATE_LITERALS_TO_BOUNDARY;
    uint8_t *lin = boundary ? concat(s, n, final_block, 2) : dup_exact(s, n);
    size_t lin_len = boundary ? n + 2 : n;
    size_t cap = out_len + 64, lused, got;
    uint8_t *lout;
    int lr = lib(lin, lin_len, cap, &lused, &got, &lout);
    size_t tries[2] = {out_len, got};
    for (int k = 0; k < (lr == LIBDEFLATE_SUCCESS && got != out_len ? 2 : 1); k++) {
        size_t used;
        uint8_t *out;
        if (ours(s, n, end, tries[k], &used, &out) == INFLATE_LITERALS_OK) {
            t->accepted++;
            assert_int_equal(lr, LIBDEFLATE_SUCCESS);
            assert_int_equal(got, tries[k]);
            assert_int_equal(boundary ? used + 2 : used, lused);
            if (got)
                assert_memory_equal(out, lout, got);
        } else {
            t->refused++;
        }
        free(out);
    }
    free(lout);
    free(lin);
}

/* Every single-bit flip, and every value of a few bytes. */
static void flips_and_values(uint8_t *s, size_t n, enum inflate_literals_end end, size_t out_len,
                             tally *t)
{
    for (size_t bit = 0; bit < 8 * n; bit++) {
        s[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        differential(s, n, end, out_len, t);
        s[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    const size_t at[] = {0, 1, 2, 3, 4, 5, 9, 20, n / 2, n - 2, n - 1};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        uint8_t keep = s[at[k]];
        for (unsigned v = 0; v < 256; v++) {
            s[at[k]] = (uint8_t)v;
            differential(s, n, end, out_len, t);
        }
        s[at[k]] = keep;
    }
}

static void test_differential_flips(void **state)
{
    (void)state;
    uint8_t *deltas = make_deltas(400), *uniform = make_uniform(300);
    size_t n;

    tally coded = {0, 0};
    uint8_t *s = compress_part(deltas, 400, 1, &n);
    assert_int_equal(first_block_type(s), 2);
    flips_and_values(s, n, INFLATE_LITERALS_TO_FINAL, 400, &coded);
    free(s);
    assert_true(coded.accepted > 0 && coded.refused > 0);

    tally stored = {0, 0};
    s = compress_part(uniform, 300, 1, &n);
    assert_int_equal(first_block_type(s), 0);
    flips_and_values(s, n, INFLATE_LITERALS_TO_FINAL, 300, &stored);
    free(s);
    assert_true(stored.accepted > 0 && stored.refused > 0);

    tally boundary = {0, 0};
    s = compress_part(deltas, 400, 0, &n);
    flips_and_values(s, n, INFLATE_LITERALS_TO_BOUNDARY, 400, &boundary);
    free(s);
    assert_true(boundary.accepted > 0 && boundary.refused > 0);

    print_message("accepted/refused: coded %u/%u, stored %u/%u, boundary %u/%u\n", coded.accepted,
                  coded.refused, stored.accepted, stored.refused, boundary.accepted,
                  boundary.refused);
    free(deltas);
    free(uniform);
}

/* ---- two streams at once: what two calls give ---- */

typedef struct {
    const uint8_t *s;
    size_t n, out_len;
    enum inflate_literals_end end;
} stream;

/* inflate_literals_two on a and b (exact-size copies) gives each the
 * result, output and in_used of inflate_literals alone. 1 if both OK. */
static int check_two(const stream *a, const stream *b)
{
    const stream *st[2] = {a, b};
    inflate_literals_job jobs[2];
    uint8_t *single_out[2];
    size_t single_used[2], used[2] = {(size_t)-1, (size_t)-1};
    int single[2];
    for (int i = 0; i < 2; i++) {
        single[i] =
            ours(st[i]->s, st[i]->n, st[i]->end, st[i]->out_len, &single_used[i], &single_out[i]);
        uint8_t *out = malloc(st[i]->out_len ? st[i]->out_len : 1);
        assert_non_null(out);
        jobs[i] = (inflate_literals_job){
            dup_exact(st[i]->s, st[i]->n), st[i]->n, st[i]->end, out, st[i]->out_len, &used[i]};
    }
    int results[2];
    inflate_literals_two(jobs, results);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(results[i], single[i]);
        if (single[i] == INFLATE_LITERALS_OK) {
            assert_int_equal(used[i], single_used[i]);
            if (st[i]->out_len)
                assert_memory_equal(jobs[i].out, single_out[i], st[i]->out_len);
        }
        free((void *)jobs[i].in);
        free(jobs[i].out);
        free(single_out[i]);
    }
    return results[0] == INFLATE_LITERALS_OK && results[1] == INFLATE_LITERALS_OK;
}

static void test_two_at_once(void **state)
{
    (void)state;
    size_t long_len = 3 * DEFLATE_LITERALS_BLOCK + 1234, n_long, n_part, n_small, n_stored;
    uint8_t *deltas = make_deltas(long_len), *uniform = make_uniform(70000);
    uint8_t *long_s = compress_part(deltas, long_len, 1, &n_long);
    uint8_t *part_s = compress_part(deltas + 1000, 100000, 0, &n_part);
    uint8_t *small_s = compress_part(deltas, 400, 1, &n_small);
    uint8_t *stored_s = compress_part(uniform, 70000, 1, &n_stored);
    const stream streams[] = {
        {long_s, n_long, long_len, INFLATE_LITERALS_TO_FINAL},
        {part_s, n_part, 100000, INFLATE_LITERALS_TO_BOUNDARY},
        {small_s, n_small, 400, INFLATE_LITERALS_TO_FINAL},
        {stored_s, n_stored, 70000, INFLATE_LITERALS_TO_FINAL},
        {part_s, n_part, 99999, INFLATE_LITERALS_TO_BOUNDARY}, /* refused: too much output */
        {NULL, 0, 0, INFLATE_LITERALS_TO_BOUNDARY},            /* empty: OK at once */
    };
    size_t n_streams = sizeof streams / sizeof streams[0];
    for (size_t i = 0; i < n_streams; i++)
        for (size_t j = 0; j < n_streams; j++)
            assert_int_equal(check_two(&streams[i], &streams[j]), i != 4 && j != 4);
    /* every bit of the small stream flipped, next to one of 8 KB, both
     * ways round: refusals in the middle of the pair's loop */
    size_t n_mid;
    uint8_t *mid_s = compress_part(deltas + 77, 8192, 1, &n_mid);
    const stream mid = {mid_s, n_mid, 8192, INFLATE_LITERALS_TO_FINAL};
    uint8_t *flip = dup_exact(small_s, n_small);
    unsigned both_ok = 0, refused = 0;
    for (size_t bit = 0; bit < 8 * n_small; bit++) {
        flip[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        stream bad = {flip, n_small, 400, INFLATE_LITERALS_TO_FINAL};
        if (check_two(&bad, &mid))
            both_ok++;
        else
            refused++;
        check_two(&mid, &bad);
        flip[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    assert_true(both_ok > 0 && refused > 0);
    free(flip);
    free(mid_s);
    free(long_s);
    free(part_s);
    free(small_s);
    free(stored_s);
    free(deltas);
    free(uniform);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_and_multi_block),
        cmocka_unit_test(test_null_and_empty),
        cmocka_unit_test(test_uniform_bytes_stored),
        cmocka_unit_test(test_single_value_runs),
        cmocka_unit_test(test_codes_longer_than_12_bits),
        cmocka_unit_test(test_zlib_huffman_only),
        cmocka_unit_test(test_parts_to_boundary),
        cmocka_unit_test(test_truncations_refused),
        cmocka_unit_test(test_match_refused),
        cmocka_unit_test(test_fixed_and_reserved_blocks_refused),
        cmocka_unit_test(test_bad_stored_lengths_refused),
        cmocka_unit_test(test_differential_flips),
        cmocka_unit_test(test_two_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
