/*
 * bmp.h — reading Windows BMP files into a raster (internal).
 *
 * Steganography covers may be BMP (steghide's format); they are decoded into
 * the same png_raster the PNG reader fills, so the rest of shroud sees one
 * kind of image and writes it back as PNG. Supported: uncompressed
 * (BI_RGB) 24-bit and 32-bit, BI_BITFIELDS / V4 / V5 32-bit with 8-bit
 * masks, and 8-bit palette images whose palette is gray (r = g = b), bottom-up
 * or top-down rows. The result is 8-bit: RGB, RGBA (a 32-bit file whose
 * alpha mask is set and whose alpha is not 0 everywhere) or GRAY (sample =
 * the palette entry's value). kept is empty. Everything else (RLE, 1/4-bit,
 * 16-bit, colour palettes, JPEG/PNG inside BMP, OS/2 headers) is refused.
 */
#ifndef SHROUD_IMAGE_BMP_H
#define SHROUD_IMAGE_BMP_H

#include <stddef.h>
#include <stdint.h>

#include "image/png_raster.h"

/* 1 if buf starts like a BMP file ("BM"). */
int bmp_is_bmp(const uint8_t *buf, size_t len);

/* Decodes a whole BMP file. SHROUD_ERR_IMAGE_FORMAT when it is not a BMP or
 * is a variant listed above as refused, SHROUD_ERR_IMAGE when it is corrupt
 * (truncated pixel data, offsets outside the file), SHROUD_ERR_IMAGE_LIMIT
 * beyond image_limits.h (checked before allocating). Free *out with
 * png_raster_free. */
int bmp_decode(const uint8_t *buf, size_t len, png_raster **out);

/* The samples as numpy.array(PIL.Image.open(file)) holds them, for reading
 * the Python tutorial's layout: 8-bit palette images give their indices
 * (any palette, as gray samples), and a 32-bit file with an alpha mask is
 * RGBA even when its alpha is 0 everywhere. Otherwise as bmp_decode. */
int bmp_decode_as_pil(const uint8_t *buf, size_t len, png_raster **out);

#endif
