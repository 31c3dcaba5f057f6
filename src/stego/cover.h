/*
 * cover.h — the samples of a lossless image that may carry hidden bits
 * (internal).
 *
 * A sample is one channel value of one pixel; sample i of an image is byte
 * i (8-bit) or big-endian byte pair i (16-bit) of png_raster.pixels, so
 * samples are numbered in row-major order, channels interleaved. A sample
 * is *usable* when it is not alpha, its pixel is not fully transparent
 * (alpha 0), and its value is neither 0 nor the maximum (255 or 65535):
 * there +-1 could only go one way. Embedding keeps every usable sample in
 * 1 .. maximum-1, so the usable set is the same before and after.
 */
#ifndef SHROUD_STEGO_COVER_H
#define SHROUD_STEGO_COVER_H

#include <stddef.h>
#include <stdint.h>

#include "image/png_raster.h"

/* Decodes a PNG or BMP and checks it can be a cover: SHROUD_ERR_COVER for
 * JPEG, palette PNG, gray below 8 bits, and gray/RGB PNG with a tRNS colour
 * key (+-1 could turn a pixel into the transparent colour);
 * SHROUD_ERR_IMAGE_FORMAT when it is none of PNG, BMP, JPEG. */
int stego_image_decode(const uint8_t *buf, size_t len, png_raster **out);

/* Decodes a PNG (any type) or BMP without the cover checks, with the
 * samples numpy would see (bmp_decode_as_pil), for reading the tutorial
 * layout. */
int stego_image_decode_any(const uint8_t *buf, size_t len, png_raster **out);

/* The usable samples of img, in increasing order (for tests: the library
 * walks cells instead, cells.h). Free *out with free(). */
int stego_usable_samples(const png_raster *img, uint32_t **out, size_t *n);

/* Value of sample i, and its maximum (255 or 65535). */
static inline uint32_t stego_sample(const png_raster *img, uint32_t i)
{
    if (img->sample_bytes == 1)
        return img->pixels[i];
    const uint8_t *p = img->pixels + (size_t)i * 2;
    return (uint32_t)p[0] << 8 | p[1];
}

static inline void stego_set_sample(png_raster *img, uint32_t i, uint32_t v)
{
    if (img->sample_bytes == 1) {
        img->pixels[i] = (uint8_t)v;
        return;
    }
    uint8_t *p = img->pixels + (size_t)i * 2;
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline uint32_t stego_sample_max(const png_raster *img)
{
    return img->sample_bytes == 1 ? 255u : 65535u;
}

/* The channel layout the usable rule needs. */
typedef struct {
    unsigned channels, colours; /* colours: channels without alpha */
    int alpha;
    uint32_t max;
} stego_layout;

static inline stego_layout stego_layout_of(const png_raster *img)
{
    stego_layout l;
    l.channels = img->channels;
    l.alpha = img->color_type == PNG_CT_GRAY_ALPHA || img->color_type == PNG_CT_RGBA;
    l.colours = l.channels - (l.alpha ? 1u : 0u);
    l.max = stego_sample_max(img);
    return l;
}

/* 1 if sample s, channel c of its pixel, is usable: the one definition. */
static inline int stego_usable(const png_raster *img, const stego_layout *l, uint32_t s, unsigned c)
{
    if (c >= l->colours)
        return 0;
    if (l->alpha && stego_sample(img, s - c + l->colours) == 0)
        return 0;
    uint32_t v = stego_sample(img, s);
    return v != 0 && v != l->max;
}

#endif
