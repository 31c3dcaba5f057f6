/*
 * redactor.h — what redact.c, restore.c and inspect.c share (internal).
 */
#ifndef SHROUD_REDACT_REDACTOR_H
#define SHROUD_REDACT_REDACTOR_H

#include "image/jpeg_coeffs.h"
#include "image/png_raster.h"
#include "redact/record.h"

/* How a group's captured original is compressed: PNG pixels with
 * libdeflate's level 1; JPEG coefficients (varints with few repeats) as
 * literals only. */
#define RECORD_DEFLATE_LEVEL 1
#define RECORD_DEFLATE_LEVEL_JPEG RECORD_DEFLATE_LITERALS

/* A decoded image of either format. */
typedef struct {
    int format; /* enum shroud_image_format */
    uint32_t width, height;
    png_raster *png;
    jpeg_coeffs *jpeg;
} decoded_image;

/* Reads a PNG or JPEG file: a PNG's pixels, a JPEG's header only (its blocks
 * with decoded_image_read_blocks, once the regions are known). */
int decoded_image_open(const uint8_t *buf, size_t len, decoded_image *out);
/* Reads the blocks of an opened JPEG (buf: the same file) for the regions of
 * the groups of l whose bit is set in groups: only their MCUs when the file
 * can be spliced (jpeg_coeffs_read_regions). Nothing to do for a PNG. */
int decoded_image_read_blocks(decoded_image *d, const uint8_t *buf, size_t len,
                              const redaction_layout *l, unsigned groups);
/* Only what describing the file needs: size, format details, JPEG geometry;
 * no pixels or coefficients (the compressed data is not checked). */
int decoded_image_read_header(const uint8_t *buf, size_t len, decoded_image *out);
void decoded_image_free(decoded_image *d);

/* The covered rectangle of a region (JPEG: grown to whole MCUs). */
void decoded_image_cover(const decoded_image *d, const shroud_region *r, shroud_region *covered);

#endif
