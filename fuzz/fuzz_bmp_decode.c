/*
 * fuzz_bmp_decode.c — bmp_decode on arbitrary bytes.
 *
 * Invariants checked:
 *  - only documented errors (IMAGE, IMAGE_FORMAT, IMAGE_LIMIT), *out NULL on
 *    error; an input not starting with "BM" is IMAGE_FORMAT;
 *  - on success: 8-bit GRAY, RGB or RGBA with channels, sample_bytes,
 *    pixel_bytes and stride = width * channels as png_raster.h says,
 *    dimensions within the limits, pixels non-NULL, nothing kept, no
 *    palette, not interlaced; an RGBA result has some alpha not 0;
 *  - bytes after the pixel data are ignored: the input with one more byte
 *    decodes to the same result (compared in full, so ASan sees every byte
 *    of both pixel buffers).
 * The decoder allocates only after the pixel data is known to be in the
 * input, so no input needs skipping.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "image/bmp.h"
#include "image/image_limits.h"
#include "image/png_raster.h"

static void check_header(const png_raster *img)
{
    FUZZ_CHECK(img->bit_depth == 8 && img->sample_bytes == 1 && img->interlaced == 0);
    FUZZ_CHECK((img->color_type == PNG_CT_GRAY && img->channels == 1) ||
               (img->color_type == PNG_CT_RGB && img->channels == 3) ||
               (img->color_type == PNG_CT_RGBA && img->channels == 4));
    FUZZ_CHECK(img->width >= 1 && img->height >= 1 && img->width <= IMAGE_MAX_DIMENSION &&
               img->height <= IMAGE_MAX_DIMENSION &&
               (uint64_t)img->width * img->height <= IMAGE_MAX_PIXELS);
    FUZZ_CHECK(img->pixel_bytes == img->channels);
    FUZZ_CHECK(img->stride == (size_t)img->width * img->channels);
    FUZZ_CHECK(img->pixels != NULL);
    FUZZ_CHECK(img->kept == NULL && img->kept_len == 0);
    FUZZ_CHECK(img->palette_len == 0 && img->trns_len == 0);
}

/* 1 if the image has an alpha channel and some alpha is not 0. */
static int any_alpha(const png_raster *img)
{
    size_t n = img->stride * img->height;
    if (img->channels != 4)
        return 0;
    for (size_t i = 3; i < n; i += 4)
        if (img->pixels[i] != 0)
            return 1;
    return 0;
}

static void check_same(const png_raster *a, const png_raster *b)
{
    FUZZ_CHECK(a->width == b->width && a->height == b->height);
    FUZZ_CHECK(a->color_type == b->color_type && a->stride == b->stride);
    FUZZ_CHECK(memcmp(a->pixels, b->pixels, a->stride * a->height) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    uint8_t *buf = (uint8_t *)fuzz_copy(data, len);
    png_raster *img = (png_raster *)&img;
    int err = bmp_decode(buf, len, &img);
    if (err) {
        FUZZ_CHECK(err == SHROUD_ERR_IMAGE || err == SHROUD_ERR_IMAGE_FORMAT ||
                   err == SHROUD_ERR_IMAGE_LIMIT);
        FUZZ_CHECK(img == NULL);
        FUZZ_CHECK(bmp_is_bmp(buf, len) || err == SHROUD_ERR_IMAGE_FORMAT);
        free(buf);
        return 0;
    }
    FUZZ_CHECK(bmp_is_bmp(buf, len));
    check_header(img);
    FUZZ_CHECK(any_alpha(img) == (img->color_type == PNG_CT_RGBA));

    uint8_t *longer = malloc(len + 1);
    FUZZ_CHECK(longer != NULL);
    memcpy(longer, data, len);
    longer[len] = data[0];
    png_raster *again = NULL;
    FUZZ_CHECK(bmp_decode(longer, len + 1, &again) == SHROUD_OK);
    check_same(img, again);

    png_raster_free(again);
    free(longer);
    png_raster_free(img);
    free(buf);
    return 0;
}
