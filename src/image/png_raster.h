/*
 * png_raster.h — PNG pixels in, PNG pixels out (internal).
 *
 * png_raster_decode reads with libpng under shroud's limits and keeps the
 * image in its own colour type and bit depth, so re-encoding loses nothing:
 *   - samples are unpacked: depths 1, 2, 4 and 8 give one byte per sample
 *     (value 0 .. 2^depth - 1, not scaled); depth 16 gives two bytes per
 *     sample, big-endian as in PNG;
 *   - palette images keep their indices (one byte per pixel) and palette;
 *   - Adam7-interlaced input is de-interlaced (output is never interlaced;
 *     the decoded pixels are the same).
 * The chunks a re-encoded file should carry over are kept raw, in input
 * order: PLTE and every ancillary chunk that stays valid when pixels change
 * (the standard ones such as tRNS, gAMA, iCCP, eXIf, tEXt, pHYs, and unknown
 * safe-to-copy ones). shroud's own chunks (shRD, shSG) and unknown
 * unsafe-to-copy chunks (APNG's acTL/fcTL/fdAT among them) are dropped and
 * counted.
 *
 * png_raster_encode writes a PNG with the same IHDR (interlace 0) and the
 * kept chunks in their original places, filtering each row with the
 * minimum-sum-of-absolute-differences heuristic and compressing IDAT with
 * libdeflate at the given level; level 1, the fastest, is shroud's own
 * Huffman-only deflate (png_deflate.h: several times faster than
 * libdeflate level 1, a little larger for photographs, much larger for
 * flat images), on two threads for large images (png_encode.c).
 */
#ifndef SHROUD_IMAGE_PNG_RASTER_H
#define SHROUD_IMAGE_PNG_RASTER_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bytebuf.h"

enum png_color_type {
    PNG_CT_GRAY = 0,
    PNG_CT_RGB = 2,
    PNG_CT_PALETTE = 3,
    PNG_CT_GRAY_ALPHA = 4,
    PNG_CT_RGBA = 6,
};

/* Where a kept chunk goes relative to PLTE and IDAT. */
enum png_chunk_place {
    PNG_PLACE_BEFORE_PLTE = 0,
    PNG_PLACE_BEFORE_IDAT = 1,
    PNG_PLACE_AFTER_IDAT = 2
};

#define PNG_DEFAULT_LEVEL 6 /* libdeflate level used when the caller has no preference */
#define PNG_FASTEST_LEVEL 1 /* png_deflate.h's Huffman-only deflate, not libdeflate's */

typedef struct {
    char type[5];
    uint8_t place; /* enum png_chunk_place */
    uint32_t length;
    uint8_t *data; /* owned by the image */
} png_kept_chunk;

typedef struct {
    uint32_t width, height;
    uint8_t bit_depth;    /* 1, 2, 4, 8 or 16, as in IHDR */
    uint8_t color_type;   /* enum png_color_type */
    uint8_t channels;     /* samples per pixel: 1 (gray, palette), 2, 3 or 4 */
    uint8_t sample_bytes; /* 1, or 2 when bit_depth is 16 */
    uint8_t interlaced;   /* the input was Adam7 */
    size_t pixel_bytes;   /* channels * sample_bytes */
    size_t stride;        /* width * pixel_bytes */
    uint8_t *pixels;      /* height * stride bytes, row after row */

    uint16_t palette_len; /* entries in palette (palette images; 0 otherwise) */
    uint8_t palette[256][3];
    uint16_t trns_len; /* palette alpha entries from tRNS (palette images) */
    uint8_t trns[256];

    png_kept_chunk *kept; /* PLTE and ancillary chunks to carry over */
    size_t kept_len;
    size_t dropped_unsafe;    /* unknown unsafe-to-copy chunks that were dropped */
    size_t dropped_misplaced; /* standard chunks where PNG forbids them (dropped) */
} png_raster;

/* Decodes a whole PNG file. SHROUD_ERR_IMAGE_FORMAT when it is not a PNG,
 * SHROUD_ERR_IMAGE when it is corrupt, SHROUD_ERR_IMAGE_LIMIT beyond
 * image_limits.h. Free *out with png_raster_free. */
int png_raster_decode(const uint8_t *buf, size_t len, png_raster **out);

/* Walks and checks the chunks (CRCs, order, limits) and fills everything but
 * the pixels (pixels stays NULL: do not encode it). For describing a file
 * quickly; the compressed data is not checked. */
int png_raster_read_header(const uint8_t *buf, size_t len, png_raster **out);

/* Encodes img; the extra chunks (already complete chunk bytes, as made by
 * png_chunk_append) are written just before the first IDAT. level is 1
 * (PNG_FASTEST_LEVEL) or a libdeflate level 2..12. Appends to out. */
int png_raster_encode(const png_raster *img, const uint8_t *extra_chunks, size_t extra_len,
                      int level, bytebuf *out);

/* A +-1 change of one sample, for encoding an image with a few samples
 * changed without copying it: bits 0-30 are the sample (byte i of pixels,
 * or big-endian byte pair i at 16 bits: row-major, channels interleaved),
 * bit 31 is set for +1 and clear for -1. Whoever makes the steps keeps
 * every stepped sample inside 0 .. maximum (no wrap-around); a sample may
 * be stepped more than once (steps add up). */
typedef uint32_t png_sample_step;
#define PNG_STEP_UP 0x80000000u
#define PNG_STEP_SAMPLE 0x7fffffffu

/* png_raster_encode of img as if the steps were applied to its pixels,
 * which stay as they are. Steps in any order; each below the image's
 * sample count (SHROUD_ERR_ARGUMENT otherwise). */
int png_raster_encode_stepped(const png_raster *img, const png_sample_step *steps, size_t n_steps,
                              const uint8_t *extra_chunks, size_t extra_len, int level,
                              bytebuf *out);

/* Applies the steps to img's pixels (each below the sample count). */
void png_raster_apply_steps(png_raster *img, const png_sample_step *steps, size_t n_steps);

/* A deep copy (pixels and kept chunks included). */
int png_raster_clone(const png_raster *img, png_raster **out);

/* Removes (and frees) the kept chunks drop() says 1 for; returns how many. */
size_t png_raster_drop_kept(png_raster *img, int (*drop)(const png_kept_chunk *chunk));

void png_raster_free(png_raster *img);

/* Address of the first byte of pixel (x, y). */
static inline uint8_t *png_raster_pixel(const png_raster *img, uint32_t x, uint32_t y)
{
    return img->pixels + (size_t)y * img->stride + (size_t)x * img->pixel_bytes;
}

#endif
