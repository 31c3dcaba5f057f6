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

#include "image/png_chunks.h"
#include "shroud.h"

/* The IDAT data of the file (total bytes, as the chunk walk of
 * png_decode.c counted them), concatenated. */
static uint8_t *gather_idat(const uint8_t *buf, size_t len, size_t total)
{
    png_chunk_reader r;
    png_chunk c;
    uint8_t *data = malloc(total ? total : 1);
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
    uint8_t *rows_buf = malloc(rows * row_bytes);
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
