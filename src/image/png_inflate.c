/*
 * png_inflate.c — the fast way to a PNG's pixels: libdeflate and our own
 * unfiltering, for the common files (not interlaced, 8 or 16 bits, no
 * palette). png_decode.c tries it first and falls back to libpng on any
 * surprise, so libpng stays the judge of unusual files.
 */
#include "image/png_inflate.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "image/big_buffer.h"
#include "image/png_chunks.h"
#include "shroud.h"

/* The IDAT data of the file (total bytes, as the chunk walk of
 * png_decode.c counted them), concatenated. */
static uint8_t *gather_idat(const uint8_t *buf, size_t len, size_t total)
{
    png_chunk_reader r;
    png_chunk c;
    uint8_t *data = big_buffer_alloc(total);
    if (!data || png_chunks_begin(&r, buf, len) != SHROUD_OK) {
        free(data);
        return NULL;
    }
    size_t at = 0;
    while (png_chunks_next(&r, &c) == 1)
        if (memcmp(c.type, "IDAT", 4) == 0) {
            if (c.length > total - at) { /* not the file that was walked */
                free(data);
                return NULL;
            }
            memcpy(data + at, c.data, c.length);
            at += c.length;
        }
    return data;
}

/* The Paeth predictor without branches (photos make them unpredictable):
 * p - a = b - c, p - b = a - c, p - c = a + b - 2c. */
static inline uint8_t paeth(int a, int b, int c)
{
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
    int bc = pb <= pc ? b : c;
    return (uint8_t)(pa <= pb && pa <= pc ? a : bc);
}

/* Paeth rows with a constant pixel size, so the compiler keeps the bpp
 * independent chains in registers. */
static inline void paeth_row(const uint8_t *in, uint8_t *out, const uint8_t *prev, size_t n,
                             size_t bpp)
{
    for (size_t i = 0; i < bpp; i++)
        out[i] = (uint8_t)(in[i] + prev[i]); /* a = c = 0: the predictor is b */
    for (size_t i = bpp; i < n; i++)
        out[i] = (uint8_t)(in[i] + paeth(out[i - bpp], prev[i], prev[i - bpp]));
}

#if defined(__SSE2__)
/* Two Paeth rows at once with SSE2, for 3- and 4-byte pixels: one register
 * of eight 16-bit lanes holds pixel x of the upper row (lanes 0-3) and
 * pixel x-1 of the lower row (lanes 4-7). The lower row's b and c are
 * upper-row pixels the step before has just decoded, so a pixel's serial
 * chain of selects yields two pixels instead of one (about twice as fast
 * as the scalar rows on a 1080p photo). Each row is unfiltered in place
 * (its filtered bytes are read before they are overwritten); prev is the
 * row above the upper one. Inside the rows, pixels are loaded 4 bytes at a
 * time even when they have 3: a 3-byte load goes through memory and stalls
 * on store forwarding, which made this slower than the scalar rows. The
 * fourth byte (the next pixel's, or the next row's filter byte) is decoded
 * along in a lane that is never stored. */
static inline __attribute__((always_inline)) __m128i load_pixel16(const uint8_t *p, size_t bpp)
{
    uint32_t v = 0;
    memcpy(&v, p, bpp);
    return _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)v), _mm_setzero_si128());
}

/* 4 bytes at p, when they are inside the buffer: for 3-byte pixels the
 * fourth lane is the next pixel's byte, decoded along and never stored. */
static inline __attribute__((always_inline)) __m128i load4_pixel16(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)v), _mm_setzero_si128());
}

static inline __m128i abs16(__m128i x)
{
    __m128i negative = _mm_cmplt_epi16(x, _mm_setzero_si128());
    return _mm_sub_epi16(_mm_xor_si128(x, negative), negative);
}

static inline __m128i select16(__m128i mask, __m128i yes, __m128i no)
{
    return _mm_or_si128(_mm_and_si128(mask, yes), _mm_andnot_si128(mask, no));
}

static inline __attribute__((always_inline)) __m128i paeth_add16(__m128i x, __m128i a, __m128i b,
                                                                 __m128i c)
{
    __m128i pa = _mm_sub_epi16(b, c), pb = _mm_sub_epi16(a, c);
    __m128i pc = abs16(_mm_add_epi16(pa, pb));
    pa = abs16(pa);
    pb = abs16(pb);
    __m128i least = _mm_min_epi16(_mm_min_epi16(pa, pb), pc);
    __m128i pred =
        select16(_mm_cmpeq_epi16(least, pa), a, select16(_mm_cmpeq_epi16(least, pb), b, c));
    return _mm_and_si128(_mm_add_epi16(x, pred), _mm_set1_epi16(0xFF));
}

/* One step: x_up / x_low are the filtered pixels, *a, *b, *c the lanes as
 * the comment above says; returns the two decoded pixels, packed to bytes
 * (upper in bytes 0-3, lower in bytes 4-7), and moves a, b, c on. */
static inline __attribute__((always_inline)) __m128i
paeth_step(__m128i x_up, __m128i b_up, __m128i x_low, __m128i *a, __m128i *b, __m128i *c)
{
    *c = *b;                           /* prev[x-1] | upper[x-2] */
    *b = _mm_unpacklo_epi64(b_up, *a); /* prev[x] | upper[x-1] */
    *a = paeth_add16(_mm_unpacklo_epi64(x_up, x_low), *a, *b, *c);
    return _mm_packus_epi16(*a, *a);
}

static inline __attribute__((always_inline)) void store_pixel(uint8_t *p, __m128i packed, int lower,
                                                              size_t bpp)
{
    uint32_t v = (uint32_t)_mm_cvtsi128_si32(lower ? _mm_srli_si128(packed, 4) : packed);
    memcpy(p, &v, bpp);
}

static inline __attribute__((always_inline)) void
paeth_two_rows(uint8_t *upper, uint8_t *lower, const uint8_t *prev, size_t width, size_t bpp)
{
    __m128i zero = _mm_setzero_si128(), a = zero, b = zero, c = zero;
    /* x = 0: the lower row has no pixel -1 (its lanes stay 0) */
    __m128i p = paeth_step(load_pixel16(upper, bpp), load_pixel16(prev, bpp), zero, &a, &b, &c);
    store_pixel(upper, p, 0, bpp);
    a = _mm_unpacklo_epi64(a, zero);
    for (size_t x = 1; x < width; x++) {
        p = paeth_step(load4_pixel16(upper + x * bpp), load4_pixel16(prev + x * bpp),
                       load4_pixel16(lower + (x - 1) * bpp), &a, &b, &c);
        store_pixel(upper + x * bpp, p, 0, bpp);
        store_pixel(lower + (x - 1) * bpp, p, 1, bpp);
    }
    /* x = width: the upper row is done */
    p = paeth_step(zero, zero, load_pixel16(lower + (width - 1) * bpp, bpp), &a, &b, &c);
    store_pixel(lower + (width - 1) * bpp, p, 1, bpp);
}

static void paeth_two_rows3(uint8_t *upper, uint8_t *lower, const uint8_t *prev, size_t width)
{
    paeth_two_rows(upper, lower, prev, width, 3);
}

static void paeth_two_rows4(uint8_t *upper, uint8_t *lower, const uint8_t *prev, size_t width)
{
    paeth_two_rows(upper, lower, prev, width, 4);
}
#endif

/* Undoes one row's filter (PNG spec 9.2) from in into out, which may be the
 * same buffer (each byte is read before it is written); prev is the
 * previous unfiltered row (NULL for the first). 0, or -1 for an unknown
 * filter type. */
static int unfilter(uint8_t type, const uint8_t *in, uint8_t *out, const uint8_t *prev, size_t n,
                    size_t bpp)
{
    switch (type) {
    case 0:
        memmove(out, in, n);
        return 0;
    case 1:
        memmove(out, in, bpp);
        for (size_t i = bpp; i < n; i++)
            out[i] = (uint8_t)(in[i] + out[i - bpp]);
        return 0;
    case 2:
        if (!prev)
            memmove(out, in, n);
        else
            for (size_t i = 0; i < n; i++)
                out[i] = (uint8_t)(in[i] + prev[i]);
        return 0;
    case 3:
        for (size_t i = 0; i < n; i++) {
            unsigned a = i >= bpp ? out[i - bpp] : 0, b = prev ? prev[i] : 0;
            out[i] = (uint8_t)(in[i] + ((a + b) >> 1));
        }
        return 0;
    case 4:
        if (!prev) /* Paeth over a zero row is Sub */
            return unfilter(1, in, out, NULL, n, bpp);
        if (bpp == 3)
            paeth_row(in, out, prev, n, 3);
        else if (bpp == 4)
            paeth_row(in, out, prev, n, 4);
        else
            paeth_row(in, out, prev, n, bpp);
        return 0;
    default:
        return -1;
    }
}

int png_inflate_pixels(const uint8_t *buf, size_t len, size_t idat_bytes, png_raster *img)
{
    if (img->interlaced || img->bit_depth < 8 || img->color_type == PNG_CT_PALETTE)
        return PNG_INFLATE_UNSUPPORTED;
    size_t rows = img->height, row_bytes = img->stride + 1;
    if (img->stride > (SIZE_MAX - 1) / rows / 2)
        return PNG_INFLATE_UNSUPPORTED;
    uint8_t *idat = gather_idat(buf, len, idat_bytes);
    uint8_t *rows_buf = big_buffer_alloc(rows * row_bytes);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    int result = PNG_INFLATE_UNSUPPORTED;
    size_t got = 0;
    if (!idat || !rows_buf || !d)
        goto done;
    /* Exactly the rows, or libpng decides (extra data, short data, errors). */
    if (libdeflate_zlib_decompress(d, idat, idat_bytes, rows_buf, rows * row_bytes, &got) !=
            LIBDEFLATE_SUCCESS ||
        got != rows * row_bytes)
        goto done;
    /* Unfiltered in place, then the filter bytes squeezed out: no second
     * image-sized buffer to allocate and fault in. */
    for (size_t y = 0; y < rows; y++) {
        uint8_t *row = rows_buf + y * row_bytes;
#if defined(__SSE2__)
        if (y && y + 1 < rows && row[0] == 4 && row[row_bytes] == 4 && img->sample_bytes == 1 &&
            (img->pixel_bytes == 3 || img->pixel_bytes == 4)) {
            if (img->pixel_bytes == 3)
                paeth_two_rows3(row + 1, row + 1 + row_bytes, row + 1 - row_bytes, img->width);
            else
                paeth_two_rows4(row + 1, row + 1 + row_bytes, row + 1 - row_bytes, img->width);
            y++;
            continue;
        }
#endif
        if (unfilter(row[0], row + 1, row + 1, y ? row + 1 - row_bytes : NULL, img->stride,
                     img->pixel_bytes) != 0)
            goto done;
    }
    for (size_t y = 0; y < rows; y++)
        memmove(rows_buf + y * img->stride, rows_buf + y * row_bytes + 1, img->stride);
    uint8_t *pixels = realloc(rows_buf, rows * img->stride);
    if (pixels)
        rows_buf = pixels;
    img->pixels = rows_buf;
    rows_buf = NULL;
    result = SHROUD_OK;
done:
    libdeflate_free_decompressor(d);
    free(idat);
    free(rows_buf);
    return result;
}
