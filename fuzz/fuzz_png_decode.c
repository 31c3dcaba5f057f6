/*
 * fuzz_png_decode.c — png_raster_decode on arbitrary bytes, then the
 * encode -> decode round trip. Every chunk CRC is recomputed first (when the
 * chunk lengths allow), so that mutations reach the chunk rules and libpng
 * rather than stopping at the CRC check (fuzz_png_chunks covers that).
 *
 * Invariants checked:
 *  - only documented errors (IMAGE, IMAGE_FORMAT, IMAGE_LIMIT), *out NULL
 *    on error;
 *  - the same result (error, or header and pixels) with png_inflate.c's
 *    decode in parts turned off (parts2_rgb8.png and parts4_rgb8.png are
 *    seeds in its layout);
 *  - on success the header is consistent: a valid depth / colour type pair,
 *    channels, sample_bytes, pixel_bytes and stride as png_raster.h says,
 *    dimensions within the limits, sub-byte samples below 2^depth, a palette
 *    for palette images, kept chunks PLTE or ancillary (never shRD / shSG),
 *    their places in file order;
 *  - png_raster_clone gives an equal image;
 *  - png_raster_encode (a level taken from the input, an extra shRD chunk)
 *    succeeds; the output decodes to the same header, samples, palette, tRNS
 *    and kept chunks, not interlaced, nothing dropped; encoding that again
 *    gives the same bytes.
 * Inputs whose IHDR claims more than FUZZ_MAX_PIXELS are skipped (keeps runs
 * fast; the limits themselves are unit-tested).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "fuzz_util.h"
#include "image/image_limits.h"
#include "image/png_chunks.h"
#include "image/png_inflate.h"
#include "image/png_raster.h"

#define FUZZ_MAX_PIXELS (256u * 256u)

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void fix_crcs(uint8_t *buf, size_t len)
{
    for (size_t pos = 8; len >= 12 && pos <= len - 12;) {
        uint32_t n = be32(buf + pos);
        if (n > len - pos - 12)
            break;
        put_be32(buf + pos + 8 + n, (uint32_t)libdeflate_crc32(0, buf + pos + 4, 4 + (size_t)n));
        pos += 12 + (size_t)n;
    }
}

/* The pixel count IHDR claims when it is where the walker wants it. */
static uint64_t claimed_pixels(const uint8_t *buf, size_t len)
{
    if (len < 33 || memcmp(buf + 12, "IHDR", 4) != 0)
        return 0;
    return (uint64_t)be32(buf + 16) * be32(buf + 20);
}

static int valid_pair(int depth, int ct)
{
    switch (ct) {
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

static void check_header(const png_raster *img)
{
    static const uint8_t channels[7] = {1, 0, 3, 1, 2, 0, 4};
    FUZZ_CHECK(valid_pair(img->bit_depth, img->color_type));
    FUZZ_CHECK(img->width >= 1 && img->height >= 1 && img->width <= IMAGE_MAX_DIMENSION &&
               img->height <= IMAGE_MAX_DIMENSION &&
               (uint64_t)img->width * img->height <= IMAGE_MAX_PIXELS);
    FUZZ_CHECK(img->channels == channels[img->color_type]);
    FUZZ_CHECK(img->sample_bytes == (img->bit_depth == 16 ? 2 : 1));
    FUZZ_CHECK(img->pixel_bytes == (size_t)img->channels * img->sample_bytes);
    FUZZ_CHECK(img->stride == (size_t)img->width * img->pixel_bytes);
    FUZZ_CHECK(img->pixels != NULL && img->interlaced <= 1);
    FUZZ_CHECK(img->palette_len <= 256 && img->trns_len <= 256);
    if (img->color_type == PNG_CT_PALETTE)
        FUZZ_CHECK(img->palette_len > 0);
    else
        FUZZ_CHECK(img->trns_len == 0);
    if (img->bit_depth < 8)
        for (size_t i = 0; i < img->stride * img->height; i++)
            FUZZ_CHECK(img->pixels[i] < (1u << img->bit_depth));
    uint8_t place = 0;
    for (size_t i = 0; i < img->kept_len; i++) {
        const png_kept_chunk *k = &img->kept[i];
        FUZZ_CHECK(strlen(k->type) == 4 && k->data != NULL);
        FUZZ_CHECK(strcmp(k->type, "PLTE") == 0 || !png_chunk_is_critical(k->type));
        FUZZ_CHECK(strcmp(k->type, "shRD") != 0 && strcmp(k->type, "shSG") != 0);
        FUZZ_CHECK(k->place >= place && k->place <= PNG_PLACE_AFTER_IDAT);
        FUZZ_CHECK(k->length <= IMAGE_MAX_METADATA_CHUNK || strcmp(k->type, "PLTE") == 0);
        place = k->place;
    }
}

static void check_same(const png_raster *a, const png_raster *b)
{
    FUZZ_CHECK(a->width == b->width && a->height == b->height);
    FUZZ_CHECK(a->bit_depth == b->bit_depth && a->color_type == b->color_type);
    FUZZ_CHECK(a->stride == b->stride);
    FUZZ_CHECK(memcmp(a->pixels, b->pixels, a->stride * a->height) == 0);
    FUZZ_CHECK(a->palette_len == b->palette_len);
    FUZZ_CHECK(memcmp(a->palette, b->palette, (size_t)a->palette_len * 3) == 0);
    FUZZ_CHECK(a->trns_len == b->trns_len && memcmp(a->trns, b->trns, a->trns_len) == 0);
    FUZZ_CHECK(a->kept_len == b->kept_len);
    for (size_t i = 0; i < a->kept_len; i++) {
        FUZZ_CHECK(strcmp(a->kept[i].type, b->kept[i].type) == 0);
        FUZZ_CHECK(a->kept[i].place == b->kept[i].place);
        FUZZ_CHECK(a->kept[i].length == b->kept[i].length);
        FUZZ_CHECK(memcmp(a->kept[i].data, b->kept[i].data, a->kept[i].length) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (claimed_pixels(data, len) > FUZZ_MAX_PIXELS)
        return 0;
    uint8_t *buf = (uint8_t *)fuzz_copy(data, len);
    fix_crcs(buf, len);
    png_raster *img = (png_raster *)&img, *one_pass = NULL;
    int err = png_raster_decode(buf, len, &img);
    png_inflate_allow_parts(0);
    int one_pass_err = png_raster_decode(buf, len, &one_pass);
    png_inflate_allow_parts(1);
    FUZZ_CHECK(one_pass_err == err);
    if (err) {
        FUZZ_CHECK(err == SHROUD_ERR_IMAGE || err == SHROUD_ERR_IMAGE_FORMAT ||
                   err == SHROUD_ERR_IMAGE_LIMIT);
        FUZZ_CHECK(img == NULL);
        free(buf);
        return 0;
    }
    check_header(img);
    check_same(img, one_pass);
    png_raster_free(one_pass);

    png_raster *copy = NULL;
    FUZZ_CHECK(png_raster_clone(img, &copy) == SHROUD_OK);
    check_same(img, copy);
    FUZZ_CHECK(copy->interlaced == img->interlaced && copy->dropped_unsafe == img->dropped_unsafe);
    png_raster_free(copy);

    bytebuf extra = {0}, out = {0}, again = {0};
    FUZZ_CHECK(png_chunk_append(&extra, "shRD", buf, len < 64 ? (uint32_t)len : 64) == SHROUD_OK);
    int level = 1 + (int)(len % 12);
    FUZZ_CHECK(png_raster_encode(img, extra.data, extra.len, level, &out) == SHROUD_OK);
    png_raster *back = NULL;
    err = png_raster_decode(out.data, out.len, &back);
    if (err)
        fprintf(stderr, "re-decoding the encoded image failed: %d\n", err);
    FUZZ_CHECK(err == SHROUD_OK);
    check_header(back);
    check_same(img, back);
    FUZZ_CHECK(back->interlaced == 0 && back->dropped_unsafe == 0);
    FUZZ_CHECK(png_raster_encode(back, extra.data, extra.len, level, &again) == SHROUD_OK);
    FUZZ_CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);

    free(again.data);
    free(out.data);
    free(extra.data);
    png_raster_free(back);
    png_raster_free(img);
    free(buf);
    return 0;
}
