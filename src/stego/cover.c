/* cover.c — which images can be covers, and which of their samples carry bits. */
#include "stego/cover.h"

#include <stdlib.h>
#include <string.h>

#include "image/bmp.h"
#include "shroud.h"

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

static int is_png(const uint8_t *buf, size_t len)
{
    return len >= sizeof png_signature && memcmp(buf, png_signature, sizeof png_signature) == 0;
}

static int is_jpeg(const uint8_t *buf, size_t len)
{
    return len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF;
}

static int decode(const uint8_t *buf, size_t len, int as_pil, png_raster **out)
{
    if (!buf || !out)
        return SHROUD_ERR_ARGUMENT;
    if (is_png(buf, len))
        return png_raster_decode(buf, len, out);
    if (bmp_is_bmp(buf, len))
        return as_pil ? bmp_decode_as_pil(buf, len, out) : bmp_decode(buf, len, out);
    return is_jpeg(buf, len) ? SHROUD_ERR_COVER : SHROUD_ERR_IMAGE_FORMAT;
}

int stego_image_decode_any(const uint8_t *buf, size_t len, png_raster **out)
{
    return decode(buf, len, 1, out);
}

static int has_colour_key(const png_raster *img)
{
    for (size_t i = 0; i < img->kept_len; i++)
        if (memcmp(img->kept[i].type, "tRNS", 4) == 0)
            return 1;
    return 0;
}

int stego_image_decode(const uint8_t *buf, size_t len, png_raster **out)
{
    png_raster *img = NULL;
    int err = decode(buf, len, 0, &img);
    if (err)
        return err;
    if (img->color_type == PNG_CT_PALETTE || img->bit_depth < 8 ||
        ((img->color_type == PNG_CT_GRAY || img->color_type == PNG_CT_RGB) &&
         has_colour_key(img))) {
        png_raster_free(img);
        return SHROUD_ERR_COVER;
    }
    *out = img;
    return SHROUD_OK;
}

int stego_usable_samples(const png_raster *img, uint32_t **out, size_t *n)
{
    stego_layout l = stego_layout_of(img);
    size_t samples = (size_t)img->width * img->height * l.channels;
    uint32_t *list = malloc((samples ? samples : 1) * sizeof *list);
    if (!list)
        return SHROUD_ERR_NOMEM;
    size_t count = 0;
    for (size_t s = 0; s < samples; s++) {
        list[count] = (uint32_t)s;
        count += (size_t)stego_usable(img, &l, (uint32_t)s, (unsigned)(s % l.channels));
    }
    *out = list;
    *n = count;
    return SHROUD_OK;
}
