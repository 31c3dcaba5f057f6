/*
 * png_util.h — test PNGs made in memory with libpng (every colour type, bit
 * depth and interlace, deterministic pixels, optional extra chunks), an
 * independent libpng decode to compare with, a CRC-fixing chunk builder for
 * hand-made malformed files, and pngcheck when it is on PATH. Shared by
 * tests/image and tests/redact. Failures of the helpers themselves fail the
 * calling test (cmocka), except where a return value says otherwise.
 *
 * Samples are "unpacked" everywhere, as in png_raster.h: depths 1..8 give one
 * byte per sample (value 0 .. 2^depth - 1), depth 16 two big-endian bytes.
 */
#ifndef SHROUD_TESTS_PNG_UTIL_H
#define SHROUD_TESTS_PNG_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "testutil.h"

/* Colour types as in IHDR. */
enum { PU_GRAY = 0, PU_RGB = 2, PU_PALETTE = 3, PU_GRAY_ALPHA = 4, PU_RGBA = 6 };

/* Where pu_make puts an extra chunk. */
enum pu_place {
    PU_AFTER_IHDR = 0,  /* right after IHDR, so before PLTE */
    PU_BEFORE_IDAT = 1, /* right before the first IDAT (after PLTE and tRNS) */
    PU_AFTER_IDAT = 2   /* after the last IDAT, before IEND */
};

/* One extra chunk for pu_make (type without NUL needed beyond 4 chars). */
typedef struct {
    const char *type;
    const uint8_t *data;
    size_t len;
    int place; /* enum pu_place */
} pu_chunk;

/* Stock extra chunks (bits of pu_spec.chunks), written in this order. */
enum {
    PU_GAMA = 1 << 0,           /* gAMA 1/2.2, after IHDR */
    PU_ICCP = 1 << 1,           /* iCCP with a zlib-compressed fake profile, after IHDR */
    PU_TEXT = 1 << 2,           /* tEXt "Comment", before IDAT */
    PU_UNSAFE_UNKNOWN = 1 << 3, /* private unsafe-to-copy "teST", before IDAT */
    PU_ACTL = 1 << 4,           /* APNG acTL + fcTL (one frame), before IDAT */
    PU_SAFE_UNKNOWN = 1 << 5,   /* private safe-to-copy "teSt", after IDAT */
};

/* What pu_make produces. Zero fields mean the defaults. */
typedef struct {
    uint32_t width, height; /* 0: 16 x 12 */
    int color_type;         /* PU_*; 0 is gray */
    int bit_depth;          /* 0: 8 */
    int interlace;          /* Adam7 */
    unsigned palette_len;   /* palette images: entries; 0: 2^depth (at most 256) */
    int trns;               /* palette images: a tRNS with an alpha per entry */
    unsigned chunks;        /* PU_GAMA | ... */
    const pu_chunk *extra;  /* more chunks, after the stock ones of the same place */
    size_t n_extra;
    size_t idat_max; /* libpng's IDAT size (compression buffer); 0: libpng's 8192 */
    unsigned seed;   /* picks another variant of the pattern */
} pu_spec;

/* Samples per pixel of a colour type. */
int pu_channels(int color_type);

/* Deterministic unpacked samples for a w x h image of that type and depth
 * (palette: indices below palette_len), malloc'd. */
uint8_t *pu_pattern(uint32_t w, uint32_t h, int color_type, int bit_depth, unsigned palette_len,
                    unsigned seed);

/* The palette (and alpha) pu_make writes for a palette image. */
void pu_palette(unsigned n, unsigned seed, uint8_t rgb[256][3], uint8_t alpha[256]);

/* A PNG file of spec's pattern (malloc'd); fails the test if libpng fails. */
uint8_t *pu_make(const pu_spec *spec, size_t *len);

/* The pixels pu_make(spec) holds: pu_pattern with the spec's defaults applied. */
uint8_t *pu_spec_pattern(const pu_spec *spec, size_t *len);

/* A PNG decoded with libpng's classic API, kept in its own type and depth. */
typedef struct {
    uint32_t width, height;
    int color_type, bit_depth, interlace;
    int channels;
    size_t stride;   /* bytes per unpacked row */
    uint8_t *pixels; /* malloc'd, height * stride */
    int num_palette;
    uint8_t palette[256][3];
    int num_trans; /* palette alpha entries */
    uint8_t trans[256];
} pu_image;

/* 0, or -1 on any libpng error or warning. */
int pu_decode(const uint8_t *png, size_t len, pu_image *img);
void pu_image_free(pu_image *img);

/* Decodes with the simplified API to 8-bit RGBA (malloc'd, w*h*4): 0, or -1. */
int pu_decode_rgba(const uint8_t *png, size_t len, uint8_t **rgba, uint32_t *w, uint32_t *h);

/* Appends one chunk with a correct CRC (zlib's crc32). */
void pu_put_chunk(tu_buf *out, const char *type, const void *data, size_t len);

/* Appends the 8-byte signature. */
void pu_put_signature(tu_buf *out);

/* Appends an IHDR chunk. */
void pu_put_ihdr(tu_buf *out, uint32_t w, uint32_t h, int depth, int color_type, int interlace);

/* Recomputes the CRC of the chunk at offset in place. */
void pu_fix_crc(uint8_t *png, size_t offset);

/* zlib-compresses (zlib's compress2, level 9) into a malloc'd buffer. */
uint8_t *pu_zlib(const void *data, size_t len, size_t *out_len);

/* Offset of the nth (0-based) chunk of this type, or SIZE_MAX; a lenient walk
 * that stops at the first chunk not inside the buffer. */
size_t pu_find_chunk(const uint8_t *png, size_t len, const char *type, unsigned nth);

/* The chunk types in file order, space-separated (e.g. "IHDR IDAT IEND"),
 * malloc'd; a lenient walk as above. */
char *pu_chunk_types(const uint8_t *png, size_t len);

/* The concatenated IDAT data inflated with zlib (malloc'd): 0, or -1. */
int pu_inflate_idat(const uint8_t *png, size_t len, uint8_t **out, size_t *out_len);

/* Runs `pngcheck -q` on the file: 0 if it passes, 1 if pngcheck is not on
 * PATH, -1 if it reports anything (its output then goes to stdout). */
int pu_pngcheck(const uint8_t *png, size_t len);

/* Big-endian helpers. */
uint32_t pu_be32(const uint8_t *p);
void pu_put_be32(uint8_t *p, uint32_t v);

/* Filters row (n bytes, bpp per pixel) with PNG filter f (0..4) against
 * prior (NULL: the first row) into out: the textbook definitions (PNG spec
 * 9.2), a reference for the library's filters and unfilters. */
void pu_filter_row(int f, const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp,
                   uint8_t *out);

#endif
