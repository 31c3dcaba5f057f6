/*
 * images.c — decoding, cropping and encoding the bench's rasters.
 */
#include "images.h"

#include <png.h>
#include <jpeglib.h>

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PNG_MAGIC_LEN 8

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 20, n = 0;
    uint8_t *b = malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *bigger = realloc(b, cap * 2);
        if (!bigger) {
            free(b);
            b = NULL;
            break;
        }
        b = bigger;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b || bad) {
        free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

size_t image_samples(const image8 *im)
{
    return (size_t)im->width * im->height * im->channels;
}

void image_free(image8 *im)
{
    free(im->px);
    im->px = NULL;
}

int image_png_decode(const uint8_t *buf, size_t len, unsigned channels, image8 *out)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, buf, len))
        return -1;
    img.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    out->width = img.width;
    out->height = img.height;
    out->channels = channels;
    out->px = malloc(PNG_IMAGE_SIZE(img));
    if (!out->px || !png_image_finish_read(&img, NULL, out->px, 0, NULL)) {
        png_image_free(&img);
        image_free(out);
        return -1;
    }
    return 0;
}

/* The channels of a PNG as its header says: 1 for gray, 3 for colour. */
static unsigned png_channels(const uint8_t *buf, size_t len)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, buf, len))
        return 0;
    unsigned c = (img.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
    png_image_free(&img);
    return c;
}

struct jpeg_fail {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
};

static void jpeg_fail_exit(j_common_ptr cinfo)
{
    longjmp(((struct jpeg_fail *)cinfo->err)->jump, 1);
}

static int jpeg_decode(const uint8_t *buf, size_t len, image8 *out)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_fail fail;
    cinfo.err = jpeg_std_error(&fail.mgr);
    fail.mgr.error_exit = jpeg_fail_exit;
    out->px = NULL;
    if (setjmp(fail.jump)) {
        jpeg_destroy_decompress(&cinfo);
        image_free(out);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, buf, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_start_decompress(&cinfo);
    out->width = cinfo.output_width;
    out->height = cinfo.output_height;
    out->channels = (unsigned)cinfo.output_components;
    size_t stride = (size_t)out->width * out->channels;
    out->px = malloc(stride * out->height);
    if (!out->px)
        longjmp(fail.jump, 1);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out->px + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

int image_load(const char *path, image8 *out, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    if (read_file(path, &buf, &len) != 0) {
        snprintf(err, errlen, "cannot read %s", path);
        return -1;
    }
    int rc;
    if (len >= PNG_MAGIC_LEN && png_sig_cmp(buf, 0, PNG_MAGIC_LEN) == 0) {
        unsigned c = png_channels(buf, len);
        rc = c ? image_png_decode(buf, len, c, out) : -1;
    } else {
        rc = jpeg_decode(buf, len, out);
    }
    free(buf);
    if (rc != 0)
        snprintf(err, errlen, "cannot decode %s", path);
    return rc;
}

int image_crop(const image8 *in, uint32_t x, uint32_t y, uint32_t w, uint32_t h, image8 *out)
{
    if (x + w > in->width || y + h > in->height)
        return -1;
    size_t row = (size_t)w * in->channels, in_stride = (size_t)in->width * in->channels;
    out->width = w;
    out->height = h;
    out->channels = in->channels;
    out->px = malloc(row * h);
    if (!out->px)
        return -1;
    for (uint32_t r = 0; r < h; r++)
        memcpy(out->px + row * r, in->px + in_stride * (y + r) + (size_t)x * in->channels, row);
    return 0;
}

int image_png_encode(const image8 *im, uint8_t **out, size_t *len)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = im->width;
    img.height = im->height;
    img.format = im->channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    if (!png_image_write_get_memory_size(img, size, 0, im->px, 0, NULL))
        return -1;
    *out = malloc(size);
    if (!*out)
        return -1;
    if (!png_image_write_to_memory(&img, *out, &size, 0, im->px, 0, NULL)) {
        free(*out);
        return -1;
    }
    *len = size;
    return 0;
}

void image_channel(const image8 *im, unsigned c, uint8_t *dst)
{
    size_t n = (size_t)im->width * im->height;
    for (size_t i = 0; i < n; i++)
        dst[i] = im->px[i * im->channels + c];
}
