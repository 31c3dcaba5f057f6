/* stego_util.c — see stego_util.h. */
#include "stego_util.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/bytebuf.h"
#include "stego/cover.h"
#include "stego/cells.h"
#include "stego/positions.h"

/* ---- random numbers ---------------------------------------------------------------------- */

void su_seed(su_rng *r, uint64_t seed)
{
    r->s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    if (!r->s)
        r->s = 1;
}

uint32_t su_rand(su_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (uint32_t)((r->s * 0x2545F4914F6CDD1Dull) >> 32);
}

uint32_t su_below(su_rng *r, uint32_t bound)
{
    return (uint32_t)(((uint64_t)su_rand(r) * bound) >> 32);
}

void su_bytes(su_rng *r, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(su_rand(r) >> 24);
}

/* ---- rasters ------------------------------------------------------------------------------ */

int su_has_alpha(const png_raster *img)
{
    return img->color_type == PNG_CT_GRAY_ALPHA || img->color_type == PNG_CT_RGBA;
}

size_t su_samples(const png_raster *img)
{
    return (size_t)img->width * img->height * img->channels;
}

static uint32_t colour_value(int fill, uint32_t max, uint32_t x, uint32_t y, unsigned c, su_rng *r)
{
    if (fill == SU_FILL_SATURATED)
        return su_below(r, 2) ? max : 0;
    if (fill == SU_FILL_EDGES) {
        switch (su_below(r, 5)) {
        case 0:
            return 0;
        case 1:
            return 1;
        case 2:
            return max - 1;
        case 3:
            return max;
        default:
            return su_below(r, max + 1);
        }
    }
    /* photo-like: smooth gradients with noise, a few saturated samples */
    uint32_t k = su_below(r, 64);
    if (k == 0)
        return 0;
    if (k == 1)
        return max;
    uint32_t v8 = (x * 7u + y * 5u + c * 40u) % 200u + 20u + su_below(r, 8);
    return max == 255 ? v8 : v8 * 257u + su_below(r, 257);
}

static uint32_t alpha_value(int fill, uint32_t max, su_rng *r)
{
    if (fill == SU_FILL_SATURATED)
        return max;
    uint32_t k = su_below(r, fill == SU_FILL_EDGES ? 4 : 16);
    if (k == 0)
        return 0;
    if (k == 1)
        return fill == SU_FILL_EDGES ? 1 : su_below(r, max + 1);
    if (k == 2 && fill == SU_FILL_EDGES)
        return su_below(r, max + 1);
    return max;
}

png_raster *su_raster(uint32_t w, uint32_t h, int color_type, int depth, int fill, su_rng *r)
{
    png_raster *img = calloc(1, sizeof *img);
    assert_non_null(img);
    img->width = w;
    img->height = h;
    img->bit_depth = (uint8_t)depth;
    img->color_type = (uint8_t)color_type;
    img->channels = color_type == PNG_CT_GRAY         ? 1
                    : color_type == PNG_CT_GRAY_ALPHA ? 2
                    : color_type == PNG_CT_RGB        ? 3
                                                      : 4;
    img->sample_bytes = depth == 16 ? 2 : 1;
    img->pixel_bytes = (size_t)img->channels * img->sample_bytes;
    img->stride = (size_t)w * img->pixel_bytes;
    img->pixels = malloc(img->stride * h + 1);
    assert_non_null(img->pixels);
    uint32_t max = stego_sample_max(img);
    int alpha = su_has_alpha(img);
    unsigned colours = img->channels - (alpha ? 1u : 0u);
    uint32_t s = 0;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            for (unsigned c = 0; c < colours; c++)
                stego_set_sample(img, s++, colour_value(fill, max, x, y, c, r));
            if (alpha)
                stego_set_sample(img, s++, alpha_value(fill, max, r));
        }
    return img;
}

uint8_t *su_png(const png_raster *img, size_t *len)
{
    bytebuf b = {0};
    int err = png_raster_encode(img, NULL, 0, 6, &b);
    assert_int_equal(err, SHROUD_OK);
    *len = b.len;
    return b.data;
}

/* ---- BMP files ---------------------------------------------------------------------------- */

static void le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    le16(p, v);
    le16(p + 2, v >> 16);
}

uint8_t *su_bmp(const png_raster *img, int bits, int reverse_palette, size_t *len)
{
    assert_int_equal(img->bit_depth, 8);
    int gray = img->color_type == PNG_CT_GRAY, rgba = img->color_type == PNG_CT_RGBA;
    if (gray)
        assert_int_equal(bits, 8);
    else if (rgba)
        assert_int_equal(bits, 32);
    else
        assert_true(img->color_type == PNG_CT_RGB && (bits == 24 || bits == 32));
    uint32_t info = rgba ? 108 : 40, palette = gray ? 256 * 4 : 0;
    size_t row = ((size_t)img->width * (size_t)bits + 31) / 32 * 4;
    size_t off = 14 + info + palette, total = off + row * img->height;
    uint8_t *b = calloc(total, 1);
    assert_non_null(b);
    b[0] = 'B';
    b[1] = 'M';
    le32(b + 2, (uint32_t)total);
    le32(b + 10, (uint32_t)off);
    uint8_t *h = b + 14;
    le32(h, info);
    le32(h + 4, img->width);
    le32(h + 8, img->height); /* positive: bottom-up */
    le16(h + 12, 1);
    le16(h + 14, (uint32_t)bits);
    le32(h + 16, rgba ? 3u : 0u);
    le32(h + 20, (uint32_t)(row * img->height));
    le32(h + 24, 2835);
    le32(h + 28, 2835);
    if (gray)
        le32(h + 32, 256);
    if (rgba) {
        le32(h + 40, 0x00FF0000u);
        le32(h + 44, 0x0000FF00u);
        le32(h + 48, 0x000000FFu);
        le32(h + 52, 0xFF000000u);
        le32(h + 56, 0x73524742u); /* LCS_sRGB */
    }
    for (uint32_t i = 0; gray && i < 256; i++) {
        uint8_t v = (uint8_t)(reverse_palette ? 255 - i : i);
        memset(b + 14 + info + 4 * i, v, 3);
    }
    for (uint32_t y = 0; y < img->height; y++) {
        uint8_t *dst = b + off + (size_t)(img->height - 1 - y) * row;
        const uint8_t *src = png_raster_pixel(img, 0, y);
        for (uint32_t x = 0; x < img->width; x++, src += img->channels) {
            if (gray) {
                dst[x] = (uint8_t)(reverse_palette ? 255 - src[0] : src[0]);
                continue;
            }
            uint8_t *d = dst + (size_t)x * (size_t)(bits / 8);
            d[0] = src[2];
            d[1] = src[1];
            d[2] = src[0];
            if (bits == 32)
                d[3] = rgba ? src[3] : 0xA5; /* BI_RGB: the 4th byte means nothing */
        }
    }
    *len = total;
    return b;
}

png_raster *su_decode(const uint8_t *buf, size_t len)
{
    png_raster *img = NULL;
    int err = stego_image_decode_any(buf, len, &img);
    assert_int_equal(err, SHROUD_OK);
    return img;
}

png_raster *su_decode_cover(const uint8_t *buf, size_t len)
{
    png_raster *img = NULL;
    int err = stego_image_decode(buf, len, &img);
    assert_int_equal(err, SHROUD_OK);
    return img;
}

/* ---- checks ------------------------------------------------------------------------------- */

size_t su_check_stego(const png_raster *cover, const png_raster *stego)
{
    assert_int_equal(stego->width, cover->width);
    assert_int_equal(stego->height, cover->height);
    assert_int_equal(stego->color_type, cover->color_type);
    assert_int_equal(stego->bit_depth, cover->bit_depth);
    assert_int_equal(stego->channels, cover->channels);
    uint32_t max = stego_sample_max(cover);
    int alpha = su_has_alpha(cover);
    unsigned colours = cover->channels - (alpha ? 1u : 0u);
    size_t pixels = (size_t)cover->width * cover->height, changed = 0;
    uint32_t s = 0;
    for (size_t p = 0; p < pixels; p++, s += cover->channels) {
        int transparent = alpha && stego_sample(cover, s + colours) == 0;
        if (alpha)
            assert_int_equal(stego_sample(stego, s + colours), stego_sample(cover, s + colours));
        for (unsigned c = 0; c < colours; c++) {
            uint32_t a = stego_sample(cover, s + c), b = stego_sample(stego, s + c);
            if (a == b)
                continue;
            changed++;
            if (transparent || a == 0 || a == max)
                fail_msg("sample %u changed from %u to %u (transparent %d, max %u)", s + c, a, b,
                         transparent, max);
            if (!(b == a + 1 || b + 1 == a) || b < 1 || b > max - 1)
                fail_msg("sample %u changed from %u to %u: not +-1 within 1..%u", s + c, a, b,
                         max - 1);
        }
    }
    uint32_t *u1 = NULL, *u2 = NULL;
    size_t n1 = 0, n2 = 0;
    assert_int_equal(stego_usable_samples(cover, &u1, &n1), SHROUD_OK);
    assert_int_equal(stego_usable_samples(stego, &u2, &n2), SHROUD_OK);
    assert_int_equal(n1, n2);
    assert_true(n1 == 0 || memcmp(u1, u2, n1 * sizeof *u1) == 0);
    stego_cells c1, c2;
    stego_cells_find(cover, &c1);
    stego_cells_find(stego, &c2);
    assert_int_equal(c1.usable, n1); /* the library's count agrees with the definition */
    assert_int_equal(c2.usable, n2);
    free(u1);
    free(u2);
    return changed;
}

uint32_t *su_changed(const png_raster *a, const png_raster *b, size_t *n)
{
    size_t total = su_samples(a);
    assert_int_equal(su_samples(b), total);
    uint32_t *list = malloc((total ? total : 1) * sizeof *list);
    assert_non_null(list);
    *n = 0;
    for (uint32_t s = 0; s < total; s++)
        if (stego_sample(a, s) != stego_sample(b, s))
            list[(*n)++] = s;
    return list;
}

/* A walk over the cells of the order, from the definition. */
typedef struct {
    positions cells;
    const uint8_t *map; /* 1 for usable samples */
    size_t samples, at, end;
} ref_walk;

static void ref_take(ref_walk *r, uint32_t *out, size_t k)
{
    size_t got = 0;
    while (got < k) {
        while (r->at < r->end && got < k) {
            size_t s = r->at++;
            if (r->map[s])
                out[got++] = (uint32_t)s;
        }
        if (got < k) {
            const uint32_t *c = NULL;
            assert_int_equal(positions_draw(&r->cells, 1, &c), SHROUD_OK);
            r->at = (size_t)*c * 64;
            r->end = r->at + 64 < r->samples ? r->at + 64 : r->samples;
        }
    }
}

uint32_t *su_order_keys(const png_raster *img, const uint8_t *key1, size_t n1, const uint8_t *key2,
                        size_t n2, size_t *skipped)
{
    size_t samples = su_samples(img), n_usable = 0;
    uint32_t *usable = NULL;
    assert_int_equal(stego_usable_samples(img, &usable, &n_usable), SHROUD_OK);
    uint8_t *map = calloc(samples ? samples : 1, 1);
    assert_non_null(map);
    for (size_t i = 0; i < n_usable; i++)
        map[usable[i]] = 1;
    free(usable);
    size_t first = key1 ? n1 : 0, skip = 0;
    ref_walk r = {.map = map, .samples = samples};
    assert_int_equal(positions_init_identity(&r.cells, (samples + 63) / 64), SHROUD_OK);
    uint32_t *out = malloc((n_usable + 1) * sizeof *out);
    assert_non_null(out);
    if (key1) {
        assert_int_equal(positions_rekey(&r.cells, key1), SHROUD_OK);
        ref_take(&r, out, n1);
        for (; r.at < r.end; r.at++) /* the rest of the cell is skipped */
            skip += map[r.at];
    }
    if (n2 == SIZE_MAX)
        n2 = n_usable - first - skip;
    assert_true(first + skip + n2 <= n_usable);
    assert_int_equal(positions_rekey(&r.cells, key2), SHROUD_OK);
    ref_take(&r, out + first, n2);
    if (skipped)
        *skipped = skip;
    positions_free(&r.cells);
    free(map);
    return out;
}

uint32_t *su_order(const png_raster *img, int salted, const stego_keys *keys, size_t n_after,
                   size_t *skipped)
{
    uint8_t salt_key[KEYSTREAM_KEY_BYTES];
    assert_int_equal(stego_salt_key(salt_key), SHROUD_OK);
    return su_order_keys(img, salted ? salt_key : NULL, STEGO_SALT_SAMPLES, keys->positions,
                         n_after, skipped);
}

uint32_t *su_cursor_order(const png_raster *img, int salted, const stego_keys *keys, size_t n_after)
{
    stego_cells cells;
    stego_cells_find(img, &cells);
    stego_cursor cur;
    size_t first = salted ? STEGO_SALT_SAMPLES : 0;
    uint32_t *out = malloc((first + n_after + 1) * sizeof *out);
    assert_non_null(out);
    assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
    if (salted) {
        uint8_t salt_key[KEYSTREAM_KEY_BYTES];
        assert_int_equal(stego_salt_key(salt_key), SHROUD_OK);
        assert_int_equal(stego_cursor_rekey(&cur, salt_key), SHROUD_OK);
        assert_int_equal(stego_cursor_next(&cur, out, STEGO_SALT_SAMPLES), SHROUD_OK);
    }
    assert_int_equal(stego_cursor_rekey(&cur, keys->positions), SHROUD_OK);
    assert_int_equal(stego_cursor_next(&cur, out + first, n_after), SHROUD_OK);
    stego_cursor_free(&cur);
    return out;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void su_assert_subset(const uint32_t *list, size_t n, const uint32_t *set, size_t n_set)
{
    uint32_t *sorted = malloc((n_set ? n_set : 1) * sizeof *sorted);
    assert_non_null(sorted);
    if (n_set)
        memcpy(sorted, set, n_set * sizeof *sorted);
    qsort(sorted, n_set, sizeof *sorted, cmp_u32);
    for (size_t i = 0; i < n; i++)
        if (!bsearch(&list[i], sorted, n_set, sizeof *sorted, cmp_u32))
            fail_msg("sample %u changed but is not among the %zu drawn positions", list[i], n_set);
    free(sorted);
}

/* ---- keys and covers ---------------------------------------------------------------------- */

shroud_identity *su_identity(void)
{
    shroud_identity *id = NULL;
    assert_int_equal(shroud_identity_generate(&id), SHROUD_OK);
    return id;
}

shroud_recipient *su_recipient(const shroud_identity *id)
{
    shroud_recipient *r = NULL;
    assert_int_equal(shroud_identity_recipient(id, &r), SHROUD_OK);
    return r;
}

shroud_cover *su_cover(const uint8_t *buf, size_t len)
{
    shroud_cover *c = NULL;
    int err = shroud_cover_new(&c, buf, len);
    if (err)
        fail_msg("shroud_cover_new: %s", shroud_strerror(err));
    return c;
}
