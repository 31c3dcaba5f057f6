/*
 * fuzz_png_deflate.c — png_deflate (the Huffman-only zlib streams PNG level 1
 * writes) on arbitrary data, inflated back with libdeflate and zlib.
 *
 * The first input byte picks how the rest becomes the data to compress, so
 * the runs reach what small inputs alone would not:
 *   bits 0-1: 0 the bytes as they are; 1 the bytes repeated up to
 *             REPEAT_BYTES (several blocks, stored and coded); 2 each byte's
 *             low bits as a run length (long runs: skewed codes that need
 *             length limiting); 3 the bytes repeated, each value squeezed
 *             into a few symbols.
 * Invariants checked: the stream fits png_deflate_bound, has a valid zlib
 * header, and both inflaters give back exactly the data, using the whole
 * stream; one byte less of buffer than the bound is refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "fuzz_util.h"
#include "image/deflate_literals.h"
#include "image/png_deflate.h"

#define REPEAT_BYTES (3u * DEFLATE_LITERALS_BLOCK + 17u)

/* The data png_deflate gets for this input (malloc'd, *n bytes). */
static uint8_t *make_data(const uint8_t *in, size_t len, size_t *n)
{
    unsigned mode = len ? in[0] & 3u : 0;
    const uint8_t *rest = len ? in + 1 : in;
    size_t m = len ? len - 1 : 0;
    size_t want = mode == 0 || m == 0 ? m : REPEAT_BYTES;
    uint8_t *data = malloc(want ? want : 1);
    FUZZ_CHECK(data != NULL);
    size_t at = 0;
    for (size_t k = 0; at < want; k = (k + 1) % m) {
        uint8_t b = rest[k];
        if (mode == 2) { /* runs: value from the high bits, length from the low */
            size_t run = ((size_t)(b & 15u) + 1) << ((b >> 4) & 7u);
            for (size_t r = 0; r < run && at < want; r++)
                data[at++] = (uint8_t)(b >> 7);
        } else {
            data[at++] = mode == 3 ? (uint8_t)(b % 5u) : b;
        }
    }
    *n = want;
    return data;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
    size_t n;
    uint8_t *data = make_data(in, len, &n);
    size_t cap = png_deflate_bound(n);
    uint8_t *z = malloc(cap);
    FUZZ_CHECK(z != NULL);
    FUZZ_CHECK(png_deflate(data, n, z, cap - 1) == 0);
    size_t z_len = png_deflate(data, n, z, cap);
    FUZZ_CHECK(z_len >= 6 && z_len <= cap);
    FUZZ_CHECK((z[0] << 8 | z[1]) % 31 == 0 && (z[0] & 15) == 8 && !(z[1] & 0x20));

    uint8_t *back = malloc(n ? n : 1);
    FUZZ_CHECK(back != NULL);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    FUZZ_CHECK(d != NULL);
    size_t used = 0, got = 0;
    FUZZ_CHECK(libdeflate_zlib_decompress_ex(d, z, z_len, back, n, &used, &got) ==
               LIBDEFLATE_SUCCESS);
    libdeflate_free_decompressor(d);
    FUZZ_CHECK(used == z_len && got == n && (n == 0 || memcmp(back, data, n) == 0));

    memset(back, 0, n ? n : 1);
    uLongf zgot = (uLongf)n;
    FUZZ_CHECK(uncompress(back, &zgot, z, (uLong)z_len) == Z_OK);
    FUZZ_CHECK(zgot == n && (n == 0 || memcmp(back, data, n) == 0));

    free(back);
    free(z);
    free(data);
    return 0;
}
