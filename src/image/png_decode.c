/*
 * png_decode.c — reads a PNG into a png_raster (png_raster.h).
 *
 * The container is walked by png_chunks first: that checks every CRC and
 * the chunk order, enforces the metadata limits and collects the chunks to
 * carry over, raw. libpng then decodes only the pixels: every ancillary
 * chunk but tRNS is skipped by it, so a malformed text or ICC chunk cannot
 * make it fail, and its row-size limits are set from image_limits.h.
 * Common files (not interlaced, 8/16 bits, no palette) take a faster road
 * first, libdeflate and our own unfiltering (png_inflate.c); anything it
 * does not expect goes to libpng.
 */
#include "image/png_raster.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "crypto/bigendian.h"
#include "image/big_buffer.h"
#include "image/image_limits.h"
#include "image/png_chunks.h"
#include "image/png_inflate.h"
#include "shroud.h"

/* shroud's own chunks are never carried over: a new record or signature
 * replaces them. */
static int is_shroud_chunk(const char *type)
{
    return memcmp(type, PNG_CHUNK_RECORD, 4) == 0 || memcmp(type, PNG_CHUNK_SIGNATURE, 4) == 0;
}

/* The ancillary chunks of the PNG 3 specification whose meaning does not
 * depend on the pixel values, so they stay valid when pixels change. hIST
 * and sPLT are left out: they describe which colours the pixels use (a
 * colour seen only in a redacted region would show), and PNG marks them
 * unsafe to copy, so they are dropped like unknown unsafe chunks. */
static int is_standard_ancillary(const char *type)
{
    return PNG_TYPE_IN(type, "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "cICP", "mDCV", "cLLI",
                       "bKGD", "pHYs", "eXIf", "tIME", "tEXt", "zTXt", "iTXt");
}

static int keep_chunk(png_raster *img, size_t *cap, const png_chunk *c, uint8_t place)
{
    if (img->kept_len == *cap) {
        size_t n = *cap ? *cap * 2 : 8;
        png_kept_chunk *p = realloc(img->kept, n * sizeof *p);
        if (!p)
            return SHROUD_ERR_NOMEM;
        img->kept = p;
        *cap = n;
    }
    png_kept_chunk *k = &img->kept[img->kept_len];
    memcpy(k->type, c->type, 5);
    k->place = place;
    k->length = c->length;
    k->data = malloc(c->length ? c->length : 1);
    if (!k->data)
        return SHROUD_ERR_NOMEM;
    if (c->length)
        memcpy(k->data, c->data, c->length);
    img->kept_len++;
    return SHROUD_OK;
}

static int valid_header(uint8_t depth, uint8_t color)
{
    switch (color) {
    case PNG_CT_GRAY:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case PNG_CT_PALETTE:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case PNG_CT_RGB:
    case PNG_CT_GRAY_ALPHA:
    case PNG_CT_RGBA:
        return depth == 8 || depth == 16;
    default:
        return 0;
    }
}

/* Where PNG (3rd edition, 5.6) allows a standard ancillary chunk, given
 * what came before it: 1 if it may stay. A chunk that may not is dropped so
 * the re-encoded file is valid even when the input was not (libpng only
 * warns about them). */
static int chunk_allowed(const png_raster *img, const png_chunk *c, int seen_plte, int seen_idat)
{
    const char *t = c->type;
    uint8_t ct = img->color_type;
    if (PNG_TYPE_IN(t, "cHRM", "gAMA", "iCCP", "sBIT", "sRGB", "cICP", "mDCV", "cLLI"))
        return !seen_plte && !seen_idat;
    if (PNG_TYPE_IN(t, "bKGD", "tRNS")) {
        if (seen_idat || (ct == PNG_CT_PALETTE && !seen_plte))
            return 0;
        if (memcmp(t, "tRNS", 4) != 0)
            return 1;
        if (ct == PNG_CT_GRAY_ALPHA || ct == PNG_CT_RGBA)
            return 0; /* these have an alpha channel */
        if (ct == PNG_CT_PALETTE)
            return c->length <= img->palette_len;
        return c->length == (ct == PNG_CT_GRAY ? 2u : 6u);
    }
    if (PNG_TYPE_IN(t, "pHYs"))
        return !seen_idat;
    return 1;
}

/* Chunks PNG allows at most once. */
static int single_instance(const char *type)
{
    return PNG_TYPE_IN(type, "cHRM", "gAMA", "iCCP", "sBIT", "sRGB", "cICP", "mDCV", "cLLI", "bKGD",
                       "tRNS", "pHYs", "tIME", "eXIf");
}

static int already_kept(const png_raster *img, const char *type)
{
    for (size_t i = 0; i < img->kept_len; i++)
        if (memcmp(img->kept[i].type, type, 4) == 0)
            return 1;
    return 0;
}

/* Walks the chunks: header fields, limits, kept chunks; *idat_bytes gets
 * the length of the compressed image data. */
static int scan_chunks(const uint8_t *buf, size_t len, png_raster *img, size_t *idat_bytes)
{
    *idat_bytes = 0;
    png_chunk_reader r;
    int err = png_chunks_begin(&r, buf, len);
    if (err)
        return err;
    size_t cap = 0, metadata = 0;
    uint8_t place = PNG_PLACE_BEFORE_PLTE;
    int seen_idat = 0, idat_ended = 0, more;
    png_chunk c;
    while ((more = png_chunks_next(&r, &c)) == 1) {
        if (memcmp(c.type, "IHDR", 4) == 0) {
            img->width = load_be32(c.data);
            img->height = load_be32(c.data + 4);
            img->bit_depth = c.data[8];
            img->color_type = c.data[9];
            img->interlaced = c.data[12];
            if (img->width == 0 || img->height == 0 || img->width > 0x7fffffffu ||
                img->height > 0x7fffffffu || !valid_header(img->bit_depth, img->color_type) ||
                c.data[10] != 0 || c.data[11] != 0 || c.data[12] > 1)
                return SHROUD_ERR_IMAGE;
            if (img->width > IMAGE_MAX_DIMENSION || img->height > IMAGE_MAX_DIMENSION ||
                (uint64_t)img->width * img->height > IMAGE_MAX_PIXELS)
                return SHROUD_ERR_IMAGE_LIMIT;
            continue;
        }
        if (memcmp(c.type, "IDAT", 4) == 0) {
            if (idat_ended)
                return SHROUD_ERR_IMAGE; /* IDAT chunks must be consecutive */
            seen_idat = 1;
            *idat_bytes += c.length;
            place = PNG_PLACE_AFTER_IDAT;
            continue;
        }
        if (seen_idat)
            idat_ended = 1;
        if (memcmp(c.type, "IEND", 4) == 0)
            continue; /* the walker then refuses anything after it */
        if (memcmp(c.type, "PLTE", 4) == 0 &&
            (img->color_type == PNG_CT_GRAY || img->color_type == PNG_CT_GRAY_ALPHA)) {
            img->dropped_misplaced++; /* PNG forbids a palette in a gray image */
            continue;
        }
        if (memcmp(c.type, "PLTE", 4) == 0) {
            if (seen_idat || img->palette_len)
                return SHROUD_ERR_IMAGE;
            if (c.length == 0 || c.length % 3 || c.length > 768)
                return SHROUD_ERR_IMAGE;
            img->palette_len = (uint16_t)(c.length / 3);
            memcpy(img->palette, c.data, c.length);
            if ((err = keep_chunk(img, &cap, &c, PNG_PLACE_BEFORE_IDAT)) != SHROUD_OK)
                return err;
            place = PNG_PLACE_BEFORE_IDAT;
            continue;
        }
        if (png_chunk_is_critical(c.type))
            return SHROUD_ERR_IMAGE; /* an unknown critical chunk: cannot decode */
        if (is_shroud_chunk(c.type))
            continue;
        if (!is_standard_ancillary(c.type) && !png_chunk_is_safe_to_copy(c.type)) {
            img->dropped_unsafe++;
            continue;
        }
        if (is_standard_ancillary(c.type) &&
            (!chunk_allowed(img, &c, img->palette_len != 0, seen_idat) ||
             (single_instance(c.type) && already_kept(img, c.type)))) {
            img->dropped_misplaced++;
            continue;
        }
        if (c.length > IMAGE_MAX_METADATA_CHUNK || c.length > IMAGE_MAX_METADATA_TOTAL - metadata)
            return SHROUD_ERR_IMAGE_LIMIT;
        metadata += c.length;
        if ((err = keep_chunk(img, &cap, &c, place)) != SHROUD_OK)
            return err;
    }
    if (more < 0)
        return more;
    if (!seen_idat || (img->color_type == PNG_CT_PALETTE && !img->palette_len))
        return SHROUD_ERR_IMAGE;
    return SHROUD_OK;
}

typedef struct {
    const uint8_t *buf;
    size_t len, pos;
} mem_source;

static void read_from_memory(png_structp png, png_bytep out, size_t n)
{
    mem_source *src = png_get_io_ptr(png);
    if (n > src->len - src->pos)
        png_error(png, "truncated");
    memcpy(out, src->buf + src->pos, n);
    src->pos += n;
}

static void on_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Decodes the pixels with libpng into img->pixels (img's header already
 * filled by scan_chunks). */
static int decode_pixels(const uint8_t *buf, size_t len, png_raster *img)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
    if (!png)
        return SHROUD_ERR_NOMEM;
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    mem_source src = {buf, len, 0};
    /* volatile: read after longjmp */
    volatile int err = SHROUD_ERR_IMAGE;
    if (!info) {
        err = SHROUD_ERR_NOMEM;
        goto done;
    }
    if (setjmp(png_jmpbuf(png)))
        goto done;
    png_set_read_fn(png, &src, read_from_memory);
    png_set_user_limits(png, IMAGE_MAX_DIMENSION, IMAGE_MAX_DIMENSION);
    png_set_chunk_malloc_max(png, IMAGE_MAX_METADATA_CHUNK);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_read_info(png, info);
    if (png_get_image_width(png, info) != img->width ||
        png_get_image_height(png, info) != img->height)
        goto done;
    if (img->bit_depth < 8)
        png_set_packing(png); /* one byte per sample, value unscaled */
    if (img->interlaced)
        (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != img->stride)
        goto done;
    if (img->color_type == PNG_CT_PALETTE) {
        png_bytep alpha = NULL;
        int n = 0;
        if (png_get_valid(png, info, PNG_INFO_tRNS) && png_get_tRNS(png, info, &alpha, &n, NULL) &&
            alpha && n > 0 && n <= 256) {
            img->trns_len = (uint16_t)n;
            memcpy(img->trns, alpha, (size_t)n);
        }
    }
    img->pixels = big_buffer_alloc(img->stride * img->height);
    rows = malloc(img->height * sizeof *rows);
    if (!img->pixels || !rows) {
        err = SHROUD_ERR_NOMEM;
        goto done;
    }
    for (uint32_t y = 0; y < img->height; y++)
        rows[y] = img->pixels + (size_t)y * img->stride;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    err = SHROUD_OK;
done:
    png_destroy_read_struct(&png, info ? &info : NULL, NULL);
    free(rows);
    return err;
}

static int read_png(const uint8_t *buf, size_t len, int header_only, png_raster **out)
{
    if (!out)
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    if (!buf)
        return SHROUD_ERR_ARGUMENT;
    if (len > IMAGE_MAX_FILE_BYTES)
        return SHROUD_ERR_IMAGE_LIMIT;
    png_raster *img = calloc(1, sizeof *img);
    if (!img)
        return SHROUD_ERR_NOMEM;
    size_t idat_bytes = 0;
    int err = scan_chunks(buf, len, img, &idat_bytes);
    if (!err) {
        static const uint8_t channels[7] = {1, 0, 3, 1, 2, 0, 4};
        img->channels = channels[img->color_type];
        img->sample_bytes = img->bit_depth == 16 ? 2 : 1;
        img->pixel_bytes = (size_t)img->channels * img->sample_bytes;
        img->stride = (size_t)img->width * img->pixel_bytes;
        if (!header_only) {
            err = png_inflate_pixels(buf, len, idat_bytes, img);
            if (err == PNG_INFLATE_UNSUPPORTED)
                err = decode_pixels(buf, len, img);
        }
        if (!err && !already_kept(img, "tRNS"))
            img->trns_len = 0; /* libpng may have read one we dropped as misplaced */
    }
    if (err) {
        png_raster_free(img);
        return err;
    }
    *out = img;
    return SHROUD_OK;
}

int png_raster_decode(const uint8_t *buf, size_t len, png_raster **out)
{
    return read_png(buf, len, 0, out);
}

int png_raster_read_header(const uint8_t *buf, size_t len, png_raster **out)
{
    return read_png(buf, len, 1, out);
}

int png_raster_clone(const png_raster *img, png_raster **out)
{
    if (!img || !out)
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    png_raster *c = malloc(sizeof *c);
    if (!c)
        return SHROUD_ERR_NOMEM;
    *c = *img;
    c->pixels = NULL;
    c->kept = NULL;
    c->kept_len = 0;
    size_t bytes = img->stride * img->height;
    c->pixels = big_buffer_alloc(bytes);
    c->kept = calloc(img->kept_len ? img->kept_len : 1, sizeof *c->kept);
    if (!c->pixels || !c->kept) {
        png_raster_free(c);
        return SHROUD_ERR_NOMEM;
    }
    memcpy(c->pixels, img->pixels, bytes);
    for (size_t i = 0; i < img->kept_len; i++) {
        c->kept[i] = img->kept[i];
        c->kept[i].data = malloc(img->kept[i].length ? img->kept[i].length : 1);
        if (!c->kept[i].data) {
            png_raster_free(c);
            return SHROUD_ERR_NOMEM;
        }
        memcpy(c->kept[i].data, img->kept[i].data, img->kept[i].length);
        c->kept_len++;
    }
    *out = c;
    return SHROUD_OK;
}

size_t png_raster_drop_kept(png_raster *img, int (*drop)(const png_kept_chunk *chunk))
{
    size_t n = 0, dropped = 0;
    for (size_t i = 0; i < img->kept_len; i++) {
        if (drop(&img->kept[i])) {
            free(img->kept[i].data);
            dropped++;
        } else {
            img->kept[n++] = img->kept[i];
        }
    }
    img->kept_len = n;
    return dropped;
}

void png_raster_free(png_raster *img)
{
    if (!img)
        return;
    for (size_t i = 0; i < img->kept_len; i++)
        free(img->kept[i].data);
    free(img->kept);
    free(img->pixels);
    free(img);
}
