/*
 * images.h — 8-bit gray or RGB rasters: decoding the test photos (libpng,
 * libjpeg), crops, PNG in memory (for shroud), channel planes.
 */
#ifndef DETECT_IMAGES_H
#define DETECT_IMAGES_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t width, height;
    unsigned channels; /* 1 (gray) or 3 (RGB), interleaved */
    uint8_t *px;
} image8;

/* Reads a PNG (gray or RGB) or a JPEG (decoded by libjpeg, islow IDCT).
 * 0 on success; else -1 with a message in err. */
int image_load(const char *path, image8 *out, char *err, size_t errlen);
void image_free(image8 *im);
size_t image_samples(const image8 *im);
/* A copy of the w x h rectangle at (x, y). 0 on success. */
int image_crop(const image8 *in, uint32_t x, uint32_t y, uint32_t w, uint32_t h, image8 *out);
/* PNG bytes of the image (libpng simplified API). Free *out with free(). */
int image_png_encode(const image8 *im, uint8_t **out, size_t *len);
/* Decodes PNG bytes to `channels` channels. 0 on success. */
int image_png_decode(const uint8_t *buf, size_t len, unsigned channels, image8 *out);
/* Copies channel c of the image to dst (width * height bytes). */
void image_channel(const image8 *im, unsigned c, uint8_t *dst);

#endif
