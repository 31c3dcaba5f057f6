/*
 * bmp_decode.c — reads a Windows BMP file into a png_raster (bmp.h).
 *
 * Layout: a 14-byte file header ("BM", size, reserved, bfOffBits), an info
 * header (BITMAPINFOHEADER 40, V2 52, V3 56, V4 108 or V5 124 bytes), for a
 * 40-byte header with BI_BITFIELDS / BI_ALPHABITFIELDS the 3 / 4 masks right
 * after it, for 8-bit images the palette (4 bytes an entry: B, G, R, 0), and
 * at bfOffBits the rows, each padded to 4 bytes, bottom-up unless the height
 * is negative. All fields are little-endian.
 *
 * The header is checked in this order: the variant (SHROUD_ERR_IMAGE_FORMAT),
 * the size limits (SHROUD_ERR_IMAGE_LIMIT), then that the masks, palette and
 * pixel data are inside the file, in that order and not overlapping
 * (SHROUD_ERR_IMAGE). Only then is memory allocated. An 8-bit image is
 * accepted when every palette entry its pixels use is gray; an unused
 * coloured entry is allowed. bfSize and biSizeImage are ignored (writers get
 * them wrong); bytes after the pixel data are ignored.
 */
#include "image/bmp.h"

#include <stdlib.h>
#include <string.h>

#include "image/image_limits.h"
#include "shroud.h"

#define BMP_FILE_HEADER 14
#define BI_RGB 0u
#define BI_BITFIELDS 3u
#define BI_ALPHABITFIELDS 6u

#define MASK_R 0x00FF0000u
#define MASK_G 0x0000FF00u
#define MASK_B 0x000000FFu
#define MASK_A 0xFF000000u

/* What the headers say, once checked. Offsets are from the start of the file. */
typedef struct {
    uint32_t width, height;
    int top_down;
    uint16_t bits;        /* 8, 24 or 32 */
    uint32_t compression; /* BI_RGB, BI_BITFIELDS or BI_ALPHABITFIELDS */
    uint32_t header_size; /* the info header's biSize */
    uint32_t alpha_mask;  /* 0 or MASK_A; only set for 32-bit bitfields */
    uint32_t palette_len; /* entries (8-bit only) */
    size_t palette_off;
    size_t data_off;  /* bfOffBits */
    size_t row_bytes; /* one file row, padding included */
} bmp_info;

static uint16_t load_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int bmp_is_bmp(const uint8_t *buf, size_t len)
{
    return buf != NULL && len >= 2 && buf[0] == 'B' && buf[1] == 'M';
}

static int supported_header_size(uint32_t size)
{
    return size == 40 || size == 52 || size == 56 || size == 108 || size == 124;
}

/* Reads the signed width and height fields. Zero, negative widths and
 * INT32_MIN heights are refused; a negative height means top-down rows. */
static int read_dimensions(const uint8_t *info, bmp_info *bi)
{
    uint32_t w = load_le32(info + 4), h = load_le32(info + 8);
    if (w == 0 || w > 0x7fffffffu || h == 0 || h == 0x80000000u)
        return SHROUD_ERR_IMAGE_FORMAT;
    bi->width = w;
    bi->top_down = h > 0x7fffffffu;
    bi->height = bi->top_down ? (uint32_t)(0u - h) : h;
    return SHROUD_OK;
}

/* 1 if the bit count goes with the compression (the supported pairs). */
static int supported_pair(uint16_t bits, uint32_t compression)
{
    if (compression == BI_RGB)
        return bits == 8 || bits == 24 || bits == 32;
    if (compression == BI_BITFIELDS || compression == BI_ALPHABITFIELDS)
        return bits == 32;
    return 0;
}

/* Parses the file header and the fixed part of the info header into bi
 * (dimensions, bit count, compression, header size, bfOffBits). Needs only
 * the first 14 + biSize bytes to be there. */
static int read_headers(const uint8_t *buf, size_t len, bmp_info *bi)
{
    if (!bmp_is_bmp(buf, len))
        return SHROUD_ERR_IMAGE_FORMAT;
    if (len < BMP_FILE_HEADER + 4)
        return SHROUD_ERR_IMAGE;
    const uint8_t *info = buf + BMP_FILE_HEADER;
    bi->header_size = load_le32(info);
    if (!supported_header_size(bi->header_size))
        return SHROUD_ERR_IMAGE_FORMAT; /* OS/2 headers among them */
    if (len - BMP_FILE_HEADER < bi->header_size)
        return SHROUD_ERR_IMAGE;
    bi->data_off = load_le32(buf + 10);
    int err = read_dimensions(info, bi);
    if (err)
        return err;
    bi->bits = load_le16(info + 14);
    bi->compression = load_le32(info + 16);
    if (load_le16(info + 12) != 1 || !supported_pair(bi->bits, bi->compression))
        return SHROUD_ERR_IMAGE_FORMAT;
    return SHROUD_OK;
}

static int check_limits(const bmp_info *bi)
{
    if (bi->width > IMAGE_MAX_DIMENSION || bi->height > IMAGE_MAX_DIMENSION ||
        (uint64_t)bi->width * bi->height > IMAGE_MAX_PIXELS)
        return SHROUD_ERR_IMAGE_LIMIT;
    return SHROUD_OK;
}

/* For 32-bit bitfields: reads the masks (in a V2+ header, or after a
 * 40-byte one, where they must be in the file) and requires the byte masks
 * R 0x00FF0000, G 0x0000FF00, B 0x000000FF, alpha 0 or 0xFF000000.
 * BI_ALPHABITFIELDS with a V2 header (no alpha field) is refused. *end is
 * advanced past masks stored after the header. */
static int read_masks(const uint8_t *buf, size_t len, bmp_info *bi, size_t *end)
{
    const uint8_t *m = buf + BMP_FILE_HEADER + 40;
    size_t n = bi->compression == BI_ALPHABITFIELDS ? 4 : 3;
    if (bi->header_size == 40) {
        if (len - *end < 4 * n)
            return SHROUD_ERR_IMAGE;
        *end += 4 * n;
    } else if (bi->header_size == 52) {
        if (n == 4)
            return SHROUD_ERR_IMAGE_FORMAT; /* no room for the alpha mask */
    } else {
        n = 4; /* V3 and later headers always carry the alpha mask */
    }
    uint32_t alpha = n == 4 ? load_le32(m + 12) : 0;
    if (load_le32(m) != MASK_R || load_le32(m + 4) != MASK_G || load_le32(m + 8) != MASK_B ||
        (alpha != 0 && alpha != MASK_A))
        return SHROUD_ERR_IMAGE_FORMAT;
    bi->alpha_mask = alpha;
    return SHROUD_OK;
}

/* For 8-bit images: the palette (biClrUsed entries, 0 meaning 256) follows
 * the header and must be in the file. *end is advanced past it. */
static int read_palette_place(const uint8_t *buf, size_t len, bmp_info *bi, size_t *end)
{
    uint32_t used = load_le32(buf + BMP_FILE_HEADER + 32);
    if (used > 256)
        return SHROUD_ERR_IMAGE;
    bi->palette_len = used ? used : 256;
    bi->palette_off = *end;
    if (len - *end < 4 * (size_t)bi->palette_len)
        return SHROUD_ERR_IMAGE;
    *end += 4 * (size_t)bi->palette_len;
    return SHROUD_OK;
}

/* Masks, palette and pixel data: each inside the file, the pixels starting
 * at bfOffBits, after the header, masks and palette. Sets row_bytes. */
static int locate_parts(const uint8_t *buf, size_t len, bmp_info *bi)
{
    size_t end = BMP_FILE_HEADER + (size_t)bi->header_size;
    int err = SHROUD_OK;
    if (bi->compression != BI_RGB)
        err = read_masks(buf, len, bi, &end);
    else if (bi->bits == 8)
        err = read_palette_place(buf, len, bi, &end);
    if (err)
        return err;
    /* width <= IMAGE_MAX_DIMENSION: no overflow here */
    bi->row_bytes = ((size_t)bi->width * bi->bits + 31) / 32 * 4;
    if (bi->data_off < end || bi->data_off > len)
        return SHROUD_ERR_IMAGE;
    if ((len - bi->data_off) / bi->row_bytes < bi->height)
        return SHROUD_ERR_IMAGE; /* truncated pixel data */
    return SHROUD_OK;
}

/* The file row holding output row y (rows top to bottom). */
static const uint8_t *file_row(const uint8_t *buf, const bmp_info *bi, uint32_t y)
{
    uint32_t r = bi->top_down ? y : bi->height - 1 - y;
    return buf + bi->data_off + (size_t)r * bi->row_bytes;
}

/* 1 if the image is to be RGBA: an alpha mask and some pixel's alpha not 0. */
static int has_alpha(const uint8_t *buf, const bmp_info *bi)
{
    if (bi->bits != 32 || bi->alpha_mask == 0)
        return 0;
    for (uint32_t y = 0; y < bi->height; y++) {
        const uint8_t *row = file_row(buf, bi, y);
        for (uint32_t x = 0; x < bi->width; x++)
            if (row[4 * (size_t)x + 3] != 0)
                return 1;
    }
    return 0;
}

/* Fills img->pixels from 24- or 32-bit BGR(A) rows. */
static void convert_direct(const uint8_t *buf, const bmp_info *bi, png_raster *img)
{
    size_t in_px = bi->bits / 8u;
    for (uint32_t y = 0; y < bi->height; y++) {
        const uint8_t *src = file_row(buf, bi, y);
        uint8_t *dst = img->pixels + (size_t)y * img->stride;
        for (uint32_t x = 0; x < bi->width; x++, src += in_px, dst += img->channels) {
            dst[0] = src[2];
            dst[1] = src[1];
            dst[2] = src[0];
            if (img->channels == 4)
                dst[3] = src[3];
        }
    }
}

/* Fills img->pixels with the gray value of each pixel's palette entry, or
 * with the index itself when `indices`. SHROUD_ERR_IMAGE for an index
 * beyond the palette, SHROUD_ERR_IMAGE_FORMAT for an entry that is not gray
 * (unless `indices`). */
static int convert_palette(const uint8_t *buf, const bmp_info *bi, png_raster *img, int indices)
{
    const uint8_t *pal = buf + bi->palette_off;
    for (uint32_t y = 0; y < bi->height; y++) {
        const uint8_t *src = file_row(buf, bi, y);
        uint8_t *dst = img->pixels + (size_t)y * img->stride;
        for (uint32_t x = 0; x < bi->width; x++) {
            if (src[x] >= bi->palette_len)
                return SHROUD_ERR_IMAGE;
            const uint8_t *e = pal + 4 * (size_t)src[x];
            if (indices) {
                dst[x] = src[x];
                continue;
            }
            if (e[0] != e[1] || e[1] != e[2])
                return SHROUD_ERR_IMAGE_FORMAT; /* a colour palette */
            dst[x] = e[0];
        }
    }
    return SHROUD_OK;
}

/* Allocates *out for bi (header fields set, pixels allocated, not filled). */
static int new_raster(const bmp_info *bi, uint8_t color_type, uint8_t channels, png_raster **out)
{
    png_raster *img = calloc(1, sizeof *img);
    if (!img)
        return SHROUD_ERR_NOMEM;
    img->width = bi->width;
    img->height = bi->height;
    img->bit_depth = 8;
    img->color_type = color_type;
    img->channels = channels;
    img->sample_bytes = 1;
    img->pixel_bytes = channels;
    img->stride = (size_t)bi->width * channels;
    /* within IMAGE_MAX_PIXELS * 4 bytes: no overflow */
    img->pixels = malloc(img->stride * bi->height);
    if (!img->pixels) {
        png_raster_free(img);
        return SHROUD_ERR_NOMEM;
    }
    *out = img;
    return SHROUD_OK;
}

/* Decodes the checked pixel data into a new raster (as_pil: bmp_decode_as_pil). */
static int decode_pixels(const uint8_t *buf, const bmp_info *bi, int as_pil, png_raster **out)
{
    png_raster *img = NULL;
    int err;
    if (bi->bits == 8) {
        if ((err = new_raster(bi, PNG_CT_GRAY, 1, &img)) != SHROUD_OK)
            return err;
        err = convert_palette(buf, bi, img, as_pil);
    } else {
        int rgba = as_pil ? bi->bits == 32 && bi->alpha_mask != 0 : has_alpha(buf, bi);
        err = new_raster(bi, rgba ? PNG_CT_RGBA : PNG_CT_RGB, rgba ? 4 : 3, &img);
        if (err)
            return err;
        convert_direct(buf, bi, img);
    }
    if (err) {
        png_raster_free(img);
        return err;
    }
    *out = img;
    return SHROUD_OK;
}

static int decode(const uint8_t *buf, size_t len, int as_pil, png_raster **out)
{
    if (!out)
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    if (!buf)
        return SHROUD_ERR_ARGUMENT;
    if (len > IMAGE_MAX_FILE_BYTES)
        return SHROUD_ERR_IMAGE_LIMIT;
    bmp_info bi;
    memset(&bi, 0, sizeof bi);
    int err = read_headers(buf, len, &bi);
    if (!err)
        err = check_limits(&bi);
    if (!err)
        err = locate_parts(buf, len, &bi);
    if (!err)
        err = decode_pixels(buf, &bi, as_pil, out);
    return err;
}

int bmp_decode(const uint8_t *buf, size_t len, png_raster **out)
{
    return decode(buf, len, 0, out);
}

int bmp_decode_as_pil(const uint8_t *buf, size_t len, png_raster **out)
{
    return decode(buf, len, 1, out);
}
