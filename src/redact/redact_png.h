/*
 * redact_png.h — region redaction on decoded PNG pixels (internal).
 *
 * The original content of a group is the pixels of each of its regions, in
 * region order, row by row, in the image's own sample format (png_raster.h).
 * Overlapping regions are stored twice; putting them back in any order gives
 * the same image, since all were captured before anything was obscured.
 */
#ifndef SHROUD_REDACT_PNG_H
#define SHROUD_REDACT_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bytebuf.h"
#include "image/png_raster.h"
#include "shroud.h"

#define PNG_CODING_BYTES 2 /* bit_depth, color_type */

/* Bytes the regions' pixels take; SHROUD_ERR_LIMIT on overflow. */
int png_capture_size(const png_raster *img, const shroud_region *regions, size_t n, size_t *size);
/* Appends the regions' pixels to out. */
int png_capture(const png_raster *img, const shroud_region *regions, size_t n, bytebuf *out);
/* Writes captured pixels back; raw_len must be png_capture_size. */
int png_put_back(png_raster *img, const shroud_region *regions, size_t n, const uint8_t *raw,
                 size_t raw_len);
/* Obscures the regions with a style (enum shroud_style). */
int png_obscure(png_raster *img, const shroud_region *regions, size_t n, int style);

void png_coding(const png_raster *img, uint8_t coding[PNG_CODING_BYTES]);

#endif
