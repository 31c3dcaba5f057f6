/*
 * png_steps.h — +-1 sample steps (png_raster.h) grouped by row, so that an
 * encoder can filter each row as if they were applied (internal).
 */
#ifndef SHROUD_IMAGE_PNG_STEPS_H
#define SHROUD_IMAGE_PNG_STEPS_H

#include <stddef.h>
#include <stdint.h>

#include "image/png_raster.h"

typedef struct {
    const png_raster *img;
    size_t row_samples; /* samples per row */
    uint32_t *first;    /* the steps of row y are by_row[first[y] .. first[y + 1]) */
    png_sample_step *by_row;
    size_t n;
} png_row_steps;

/* Groups the steps by row: SHROUD_OK, SHROUD_ERR_ARGUMENT when a step is
 * past the last sample (or there are 2^32 or more), SHROUD_ERR_NOMEM. */
int png_row_steps_init(png_row_steps *rs, const png_raster *img, const png_sample_step *steps,
                       size_t n_steps);
/* Frees, wiping the steps first (they say where a hidden message is). */
void png_row_steps_free(png_row_steps *rs);

/* Row y with its steps applied: the image's own row when it has none,
 * otherwise a copy made in buf (img->stride bytes). */
const uint8_t *png_row_steps_row(const png_row_steps *rs, uint32_t y, uint8_t *buf);

#endif
