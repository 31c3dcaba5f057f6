/*
 * fuzz_inflate_literals.c — inflate_literals (the fast inflater of
 * deflate_literals' streams) against libdeflate, which judges every stream.
 *
 * Input layout:
 *   byte 0: control. Bits 0-1, where the stream comes from: 0 the rest of
 *     the input as it is; 1 deflate_literals_part (not last) or 2
 *     deflate_literals of data made from the rest; 3 libdeflate's
 *     compressor (level 1, or 9 with bit 7) on that data (dynamic blocks
 *     with matches, or literals under a code with unused and length
 *     symbols). Then (1-3) edited. Bits 2-3 (1-3): how the rest becomes
 *     the data: 0 as it is; 1 repeated to 16 KiB; 2 squeezed into five
 *     values and repeated (short codes, several literals per look-up); 3
 *     the bytes, then up to 30000 with geometric counts drawn from a seed
 *     (codes of 13-15 bits: the second-level table). Bits 4-6 (1-3): the
 *     number of edits. Bit 7 (1-2): the data's halves are compressed apart
 *     (the first not last) and joined, when the second is one final
 *     dynamic block right where the first's blocks end, mid-byte (see
 *     make_parts): block after block, as past DEFLATE_LITERALS_BLOCK,
 *     without the cost of that much data (the unit test has such streams).
 *   bytes 1-2: an output length (LE) to try.
 *   bytes 3-4: c (LE): the prefix read TO_BOUNDARY is the stream less
 *     c mod (len + 1) bytes.
 *   (1-3) 4 bytes per edit: position (LE; bit 15: counted from the end),
 *     kind (mod 4: xor a value, set a value, flip a bit, cut the stream
 *     there), value. Then the rest.
 *
 * Invariants checked (in and out are exact-size heap buffers, so ASan sees
 * any access outside them):
 *  - TO_FINAL on the whole stream, with out_len = the fuzzer's length,
 *    libdeflate's output length (when it succeeds) and, for a stream made
 *    from data, the data's length: whenever inflate_literals says OK,
 *    libdeflate says SUCCESS with the same output length, identical bytes
 *    and the same in_used;
 *  - TO_BOUNDARY on the prefix of L bytes, with out_len as above: whenever
 *    it says OK, *in_used == L, and libdeflate on the prefix followed by
 *    0x03 0x00 (a final empty fixed-Huffman block) succeeds using L + 2
 *    bytes with identical output;
 *  - deflate_literals' stream, not edited, is accepted (TO_FINAL if last,
 *    else TO_BOUNDARY on the whole) with exactly the data, using all of it;
 *  - inflate_literals_two on the whole stream (TO_FINAL) and the prefix
 *    (TO_BOUNDARY) gives what the two calls give: results, bytes, in_used.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "fuzz_util.h"
#include "image/deflate_literals.h"
#include "image/inflate_literals.h"

#define HEADER_BYTES 5
#define EDIT_BYTES 4
#define REPEAT_BYTES 16384u
#define SQUEEZE_BYTES 20000u
#define GEOMETRIC_BYTES 30000u

static struct libdeflate_decompressor *decompressor;
static struct libdeflate_compressor *compressor[2]; /* levels 1 and 9 */

static unsigned le16(const uint8_t *p)
{
    return p[0] | (unsigned)p[1] << 8;
}

/* The data a made stream compresses (malloc'd, *n bytes). */
static uint8_t *make_data(unsigned transform, const uint8_t *in, size_t len, size_t *n)
{
    size_t want = transform == 0 || len == 0 ? len
                  : transform == 1           ? REPEAT_BYTES
                  : transform == 2           ? SQUEEZE_BYTES
                                             : GEOMETRIC_BYTES;
    uint8_t *data = malloc(want ? want : 1);
    FUZZ_CHECK(data != NULL);
    if (transform == 3 && len) {
        /* the input, then byte values v*a+b, v drawn with probability
         * 2^-(v+1) from a seed made of the input */
        uint64_t seed = 0xcbf29ce484222325u;
        for (size_t i = 0; i < len; i++)
            seed = (seed ^ in[i]) * 0x100000001b3u;
        unsigned a = in[0] | 1u, b = len > 1 ? in[1] : 0;
        memcpy(data, in, len < want ? len : want);
        for (size_t i = len; i < want; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            uint32_t r = (uint32_t)(seed >> 32);
            unsigned v = r ? (unsigned)__builtin_ctz(r) : 32;
            data[i] = (uint8_t)(v * a + b);
        }
    } else if (len) {
        /* the bytes (squeezed), then copies of what is there so far */
        size_t first = len < want ? len : want;
        for (size_t i = 0; i < first; i++)
            data[i] = transform == 2 ? (uint8_t)(in[i] % 5u) : in[i];
        for (size_t have = first; have < want; have *= 2)
            memcpy(data + have, data, have < want - have ? have : want - have);
    }
    *n = want;
    return data;
}

/* The two halves of data compressed apart (the first not last) and joined
 * into out (cap >= 2 * deflate_literals_bound(len) + 1); returns the length.
 * When the second half is one final dynamic block, it follows the first
 * half's last block at once, mid-byte (a dynamic header read from a full bit
 * buffer): the first part's closing empty stored block (3 zero bits,
 * padding, 00 00 FF FF) is dropped, and the bit where its blocks end is the
 * first of the 8 places it can be at which libdeflate reads back exactly
 * the data from the whole result. Otherwise the parts are concatenated. */
static size_t make_parts(const uint8_t *data, size_t len, int last, uint8_t *out, size_t cap)
{
    size_t half = len / 2, cap_a = deflate_literals_bound(half),
           cap_b = deflate_literals_bound(len - half);
    uint8_t *a = malloc(cap_a), *b = malloc(cap_b), *back = malloc(len + 1);
    FUZZ_CHECK(a != NULL && b != NULL && back != NULL);
    size_t na = deflate_literals_part(data, half, 0, a, cap_a);
    size_t nb = deflate_literals_part(data + half, len - half, last, b, cap_b);
    FUZZ_CHECK(na >= 5 && nb > 0 && na + nb + 1 <= cap);
    size_t n = 0;
    for (size_t drop = 3;
         last && ((b[0] >> 1) & 3) == 2 && !n && drop <= 10 && drop <= 8 * (na - 4); drop++) {
        size_t at = 8 * (na - 4) - drop, m = at / 8, shift = at % 8;
        memcpy(out, a, m);
        unsigned acc = a[m] & ((1u << shift) - 1);
        for (size_t i = 0; i < nb; i++, acc >>= 8) {
            acc |= (unsigned)b[i] << shift;
            out[m++] = (uint8_t)acc;
        }
        if (shift)
            out[m++] = (uint8_t)acc;
        size_t used = 0, got = 0;
        if (libdeflate_deflate_decompress_ex(decompressor, out, m, back, len + 1, &used, &got) ==
                LIBDEFLATE_SUCCESS &&
            got == len && (len == 0 || memcmp(back, data, len) == 0) && used + 1 >= m)
            n = used; /* the last byte may be padding only */
    }
    if (!n) {
        memcpy(out, a, na);
        memcpy(out + na, b, nb);
        n = na + nb;
    }
    free(a);
    free(b);
    free(back);
    return n;
}

/* inflate_literals into an exact-size buffer (*out, malloc'd). */
static int ours(const uint8_t *in, size_t in_len, enum inflate_literals_end end, size_t out_len,
                uint8_t **out, size_t *used)
{
    *out = malloc(out_len ? out_len : 1);
    FUZZ_CHECK(*out != NULL);
    *used = SIZE_MAX;
    int r = inflate_literals(in, in_len, end, *out, out_len, used);
    FUZZ_CHECK(r == INFLATE_LITERALS_OK || r == INFLATE_LITERALS_UNSUPPORTED);
    return r;
}

/* Runs both inflaters on stream[0..n) (exact-size): TO_FINAL when !boundary,
 * else TO_BOUNDARY (libdeflate reading the stream and a final empty block).
 * want is an out_len to try besides the fuzzer's and libdeflate's (SIZE_MAX:
 * none); returns 1 if inflate_literals accepted it at want, when its output
 * must then be want_data (unless NULL). */
static int compare(const uint8_t *stream, size_t n, int boundary, size_t fuzz_len, size_t want,
                   const uint8_t *want_data)
{
    static const uint8_t final_block[2] = {0x03, 0x00};
    size_t lin_len = boundary ? n + 2 : n;
    uint8_t *lin = malloc(lin_len ? lin_len : 1);
    FUZZ_CHECK(lin != NULL);
    if (n)
        memcpy(lin, stream, n);
    if (boundary)
        memcpy(lin + n, final_block, 2);
    /* a literal takes at least one bit: inflate_literals can make no more
     * than 8 bytes per input byte */
    size_t cap = 8 * n + 64;
    if (fuzz_len >= cap)
        cap = fuzz_len + 1;
    if (want != SIZE_MAX && want >= cap)
        cap = want + 1;
    uint8_t *lout = malloc(cap);
    FUZZ_CHECK(lout != NULL);
    size_t lused = 0, got = 0;
    enum libdeflate_result lr =
        libdeflate_deflate_decompress_ex(decompressor, lin, lin_len, lout, cap, &lused, &got);

    size_t tries[3] = {fuzz_len, lr == LIBDEFLATE_SUCCESS ? got : SIZE_MAX, want};
    int accepted_want = 0;
    for (int k = 0; k < 3; k++) {
        if (tries[k] == SIZE_MAX || (k > 0 && tries[k] == tries[0]) ||
            (k == 2 && tries[2] == tries[1]))
            continue;
        uint8_t *out;
        size_t used;
        int r = ours(stream, n, boundary ? INFLATE_LITERALS_TO_BOUNDARY : INFLATE_LITERALS_TO_FINAL,
                     tries[k], &out, &used);
        if (r == INFLATE_LITERALS_OK) {
            FUZZ_CHECK(lr == LIBDEFLATE_SUCCESS);
            FUZZ_CHECK(got == tries[k]);
            FUZZ_CHECK(got == 0 || memcmp(out, lout, got) == 0);
            if (boundary) {
                FUZZ_CHECK(used == n);
                FUZZ_CHECK(lused == n + 2);
            } else {
                FUZZ_CHECK(used == lused);
            }
            if (tries[k] == want) {
                accepted_want = 1;
                if (want_data) {
                    FUZZ_CHECK(want == 0 || memcmp(out, want_data, want) == 0);
                    FUZZ_CHECK(used == n);
                }
            }
        }
        free(out);
    }
    free(lout);
    free(lin);
    return accepted_want;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
    if (len < HEADER_BYTES)
        return 0;
    if (!decompressor) {
        decompressor = libdeflate_alloc_decompressor();
        FUZZ_CHECK(decompressor != NULL);
    }
    unsigned control = in[0];
    size_t fuzz_len = le16(in + 1), cut = le16(in + 3);
    const uint8_t *rest = in + HEADER_BYTES;
    size_t rest_len = len - HEADER_BYTES;

    uint8_t *stream, *data = NULL;
    size_t n, data_len = 0;
    unsigned source = control & 3;
    int ours_made = source == 1 || source == 2, last = source == 2, edited = 0;
    if (source == 0) {
        stream = (uint8_t *)fuzz_copy(rest, rest_len);
        n = rest_len;
    } else {
        unsigned edits = (control >> 4) & 7;
        if (edits > rest_len / EDIT_BYTES)
            edits = (unsigned)(rest_len / EDIT_BYTES);
        const uint8_t *edit = rest;
        rest += edits * EDIT_BYTES;
        rest_len -= edits * EDIT_BYTES;
        data = make_data((control >> 2) & 3, rest, rest_len, &data_len);
        size_t cap = 2 * deflate_literals_bound(data_len) + 1;
        if (source == 3) {
            int k = control >> 7;
            if (!compressor[k]) {
                compressor[k] = libdeflate_alloc_compressor(k ? 9 : 1);
                FUZZ_CHECK(compressor[k] != NULL);
            }
            cap = libdeflate_deflate_compress_bound(compressor[k], data_len);
        }
        uint8_t *buf = malloc(cap);
        FUZZ_CHECK(buf != NULL);
        if (source == 3) {
            n = libdeflate_deflate_compress(compressor[control >> 7], data, data_len, buf, cap);
            FUZZ_CHECK(n > 0);
        } else if (control & 0x80) {
            n = make_parts(data, data_len, last, buf, cap);
        } else {
            n = deflate_literals_part(data, data_len, last, buf, cap);
            FUZZ_CHECK(n > 0 && n <= cap);
        }
        for (unsigned e = 0; e < edits && n > 0; e++, edit += EDIT_BYTES) {
            unsigned where = le16(edit), kind = edit[2] & 3, value = edit[3];
            size_t at = (where & 0x7FFF) % n;
            if (where & 0x8000)
                at = n - 1 - at;
            if (kind == 0)
                buf[at] ^= (uint8_t)value;
            else if (kind == 1)
                buf[at] = (uint8_t)value;
            else if (kind == 2)
                buf[at] ^= (uint8_t)(1u << (value & 7));
            else
                n = at;
            edited = 1;
        }
        stream = (uint8_t *)fuzz_copy(buf, n);
        free(buf);
    }

    /* TO_FINAL on the whole stream */
    int want_final = ours_made && !edited && last;
    const uint8_t *expect = ours_made && !edited ? data : NULL;
    int ok = compare(stream, n, 0, fuzz_len, source ? data_len : SIZE_MAX, expect);
    if (want_final)
        FUZZ_CHECK(ok);

    /* TO_BOUNDARY on a prefix (an exact-size copy) */
    size_t prefix = n - cut % (n + 1);
    uint8_t *p = (uint8_t *)fuzz_copy(stream, prefix);
    int want_boundary = ours_made && !edited && !last && prefix == n;
    ok = compare(p, prefix, 1, fuzz_len, source ? data_len : SIZE_MAX, prefix == n ? expect : NULL);
    if (want_boundary)
        FUZZ_CHECK(ok);

    /* both at once: what the two calls give */
    size_t out_len = source ? data_len : fuzz_len;
    inflate_literals_job jobs[2] = {
        {stream, n, INFLATE_LITERALS_TO_FINAL, malloc(out_len ? out_len : 1), out_len, NULL},
        {p, prefix, INFLATE_LITERALS_TO_BOUNDARY, malloc(out_len ? out_len : 1), out_len, NULL}};
    size_t used[2] = {0, 0}, single_used[2] = {0, 0};
    jobs[0].in_used = &used[0];
    jobs[1].in_used = &used[1];
    FUZZ_CHECK(jobs[0].out != NULL && jobs[1].out != NULL);
    int results[2];
    inflate_literals_two(jobs, results);
    for (int i = 0; i < 2; i++) {
        uint8_t *single_out;
        int r =
            ours(jobs[i].in, jobs[i].in_len, jobs[i].end, out_len, &single_out, &single_used[i]);
        FUZZ_CHECK(r == results[i]);
        if (r == INFLATE_LITERALS_OK) {
            FUZZ_CHECK(used[i] == single_used[i]);
            FUZZ_CHECK(out_len == 0 || memcmp(jobs[i].out, single_out, out_len) == 0);
        }
        free(single_out);
        free(jobs[i].out);
    }
    free(p);

    free(stream);
    free(data);
    return 0;
}
