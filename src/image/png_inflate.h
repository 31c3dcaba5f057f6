/*
 * png_inflate.h — a fast decoder for the common PNGs (internal).
 */
#ifndef SHROUD_IMAGE_PNG_INFLATE_H
#define SHROUD_IMAGE_PNG_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "image/png_raster.h"

#define PNG_INFLATE_UNSUPPORTED 1 /* not for the fast path: use libpng */

/* Decodes the pixels of buf, whose chunks png_decode.c has already walked
 * and checked into img's header fields (idat_bytes: the IDAT data it
 * counted), with libdeflate (or, for a file in parts, with inflate_literals
 * on two threads; see png_inflate.c): SHROUD_OK with
 * img->pixels set, or PNG_INFLATE_UNSUPPORTED (img unchanged) for anything
 * but a non-interlaced 8/16-bit gray, gray+alpha, RGB or RGBA image whose
 * IDAT data inflate to exactly its rows with known filters — including
 * corrupt data, which libpng then reports. */
int png_inflate_pixels(const uint8_t *buf, size_t len, size_t idat_bytes, png_raster *img);

/* Whether png_inflate_pixels may decode a file written in parts (as
 * shroud's level-1 encoder writes large images) in parts, on two threads;
 * on by default. For tests and fuzzers, which compare both ways: not
 * thread-safe. */
void png_inflate_allow_parts(int allow);

/* How many decodes of this process went the parts way (for tests). */
unsigned long png_inflate_parts_taken(void);

#endif
