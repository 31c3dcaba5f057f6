/*
 * jpeg_util.h — test JPEGs made in memory with libjpeg, decoding, coefficient
 * comparison, and the libjpeg-turbo command-line tools when they are on PATH.
 * Shared by tests/image and tests/redact. Failures of the helpers themselves
 * fail the calling test (cmocka), except where a return value says otherwise.
 */
#ifndef SHROUD_TESTS_JPEG_UTIL_H
#define SHROUD_TESTS_JPEG_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "image/jpeg_coeffs.h"
#include "testutil.h"

/* One extra APPn/COM segment for ju_make (data without marker and length). */
typedef struct {
    uint8_t marker; /* 0xE0 + n or 0xFE */
    const uint8_t *data;
    size_t len;
} ju_marker;

/* What ju_make produces. Zero fields mean libjpeg's defaults. */
typedef struct {
    uint32_t width, height;       /* 0: 64 x 48 */
    int components;               /* 1 gray, 3 RGB in (YCbCr file), 4 CMYK (Adobe APP14); 0: 3 */
    int quality;                  /* 1..100; 0: 75 */
    uint8_t h_samp[4], v_samp[4]; /* per component; all 0: libjpeg's (2x2,1x1,1x1) */
    int progressive;              /* libjpeg's simple progression script */
    int optimize;                 /* optimized Huffman tables */
    int arithmetic;               /* arithmetic coding */
    unsigned restart_mcus;        /* restart interval in MCUs */
    unsigned restart_rows;        /* restart interval in MCU rows (wins over restart_mcus) */
    int no_jfif;                  /* suppress the JFIF APP0 libjpeg writes for gray/YCbCr */
    int exif, icc, comment;       /* add a fake EXIF APP1, a 2-segment ICC APP2 set, a COM */
    const ju_marker *extra;       /* more segments, written after the ones above */
    size_t n_extra;
    unsigned seed; /* picks another variant of the pattern */
} ju_spec;

/* Deterministic test pixels (gradients, texture and hashed noise), w*h*comps bytes. */
uint8_t *ju_pattern(uint32_t w, uint32_t h, int comps, unsigned seed);

/* A JPEG file of spec's pattern (malloc'd); fails the test if libjpeg fails. */
uint8_t *ju_make(const ju_spec *spec, size_t *len);

/* Decoded pixels of a JPEG. */
typedef struct {
    uint32_t width, height;
    int components;
    uint8_t *pixels; /* malloc'd, width * height * components */
} ju_image;

/* Decodes with libjpeg (default output colour space): 0, or -1 on any libjpeg error or warning. */
int ju_decode(const uint8_t *jpeg, size_t len, ju_image *img);
void ju_image_free(ju_image *img);

/* Number of real blocks that differ between a and b (first one in *c, *row, *col), 0 if all
 * equal, SIZE_MAX if the geometry differs. Pointers may be NULL. */
size_t ju_coeffs_diff(jpeg_coeffs *a, jpeg_coeffs *b, int *c, uint32_t *row, uint32_t *col);

/* Reads a JPEG into coefficients, failing the test on error. */
jpeg_coeffs *ju_read(const uint8_t *jpeg, size_t len);

/* Writes with opts (NULL: the input options) into *out, which it zeroes first (free out->data);
 * returns jpeg_coeffs_write's code. */
int ju_write(jpeg_coeffs *j, const jpeg_write_options *opts, bytebuf *out);

/* 1 if the command-line tool is on PATH. */
int ju_have_tool(const char *name);

/* Runs `djpeg -pnm` on the file: 0 with the PNM in *pnm (if not NULL), 1 if djpeg is not on PATH,
 * -1 if it failed or printed anything (a warning). */
int ju_djpeg(const uint8_t *jpeg, size_t len, tu_buf *pnm);

/* Fails the test (what: the label) unless the file decodes without any warning, in process and
 * with djpeg when it is on PATH. */
void ju_assert_decodes(const uint8_t *jpeg, size_t len, const char *what);

/* Runs `cjpeg ARGS` on a PPM (comps 3) or PGM (comps 1) of the pattern: the JPEG (malloc'd), or
 * NULL if cjpeg is not on PATH. Fails the test if cjpeg fails. */
uint8_t *ju_cjpeg(const char *args, uint32_t w, uint32_t h, int comps, unsigned seed, size_t *len);

/* The offset of the first segment with this marker (SOS included) up to SOS, or SIZE_MAX. */
size_t ju_find_marker(const uint8_t *jpeg, size_t len, uint8_t marker);

#endif
