/* png_steps.c — +-1 sample steps: applied in place, or row by row on copies. */
#include "image/png_steps.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"
#include "shroud.h"

/* Steps the sample at p (sample_bytes 1, or 2 big-endian). */
static void step_sample(uint8_t *p, unsigned sample_bytes, png_sample_step step)
{
    int delta = step & PNG_STEP_UP ? 1 : -1;
    if (sample_bytes == 1) {
        p[0] = (uint8_t)(p[0] + delta);
        return;
    }
    uint32_t v = ((uint32_t)p[0] << 8 | p[1]) + (uint32_t)delta;
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void png_raster_apply_steps(png_raster *img, const png_sample_step *steps, size_t n_steps)
{
    for (size_t i = 0; i < n_steps; i++)
        step_sample(img->pixels + (size_t)(steps[i] & PNG_STEP_SAMPLE) * img->sample_bytes,
                    img->sample_bytes, steps[i]);
}

int png_row_steps_init(png_row_steps *rs, const png_raster *img, const png_sample_step *steps,
                       size_t n_steps)
{
    memset(rs, 0, sizeof *rs);
    rs->img = img;
    rs->row_samples = (size_t)img->width * img->channels;
    size_t samples = rs->row_samples * img->height;
    if (n_steps >= UINT32_MAX || rs->row_samples == 0)
        return SHROUD_ERR_ARGUMENT;
    rs->n = n_steps;
    /* counting sort by row, one spare entry: row y is counted in first[y + 2];
     * after the prefix sums first[y + 1] is row y's start, and placing the
     * steps moves it to row y's end, which is row y + 1's start */
    rs->first = calloc((size_t)img->height + 2, sizeof *rs->first);
    rs->by_row = malloc((n_steps ? n_steps : 1) * sizeof *rs->by_row);
    if (!rs->first || !rs->by_row) {
        png_row_steps_free(rs);
        return SHROUD_ERR_NOMEM;
    }
    for (size_t i = 0; i < n_steps; i++) {
        size_t s = steps[i] & PNG_STEP_SAMPLE;
        if (s >= samples) {
            png_row_steps_free(rs);
            return SHROUD_ERR_ARGUMENT;
        }
        rs->first[s / rs->row_samples + 2]++;
    }
    for (uint32_t y = 1; y <= img->height; y++)
        rs->first[y + 1] += rs->first[y];
    for (size_t i = 0; i < n_steps; i++)
        rs->by_row[rs->first[(steps[i] & PNG_STEP_SAMPLE) / rs->row_samples + 1]++] = steps[i];
    return SHROUD_OK;
}

void png_row_steps_free(png_row_steps *rs)
{
    if (rs->by_row) /* where a hidden message changed the image */
        prim_wipe(rs->by_row, rs->n * sizeof *rs->by_row);
    free(rs->first);
    free(rs->by_row);
    rs->first = NULL;
    rs->by_row = NULL;
}

const uint8_t *png_row_steps_row(const png_row_steps *rs, uint32_t y, uint8_t *buf)
{
    const png_raster *img = rs->img;
    const uint8_t *row = img->pixels + (size_t)y * img->stride;
    uint32_t from = rs->first[y], to = rs->first[y + 1];
    if (from == to)
        return row;
    memcpy(buf, row, img->stride);
    size_t row_start = (size_t)y * rs->row_samples;
    for (uint32_t i = from; i < to; i++)
        step_sample(buf + ((rs->by_row[i] & PNG_STEP_SAMPLE) - row_start) * img->sample_bytes,
                    img->sample_bytes, rs->by_row[i]);
    return buf;
}
