/* redact_png.c — capture, obscure and put back PNG regions. */
#include "redact/redact_png.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"

#define PIXELATE_CELLS 8    /* cells across the shorter side of a region */
#define PIXELATE_MIN_CELL 8 /* pixels */
#define BLUR_PASSES 3       /* three box blurs approximate a Gaussian */
#define BLUR_DIVISOR 8      /* radius = shorter side / BLUR_DIVISOR */
#define BLUR_MIN_RADIUS 3

static int append(bytebuf *out, const void *p, size_t n)
{
    return bytebuf_write(out, p, n) == 0 ? SHROUD_OK : SHROUD_ERR_NOMEM;
}

int png_capture_size(const png_raster *img, const shroud_region *regions, size_t n, size_t *size)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t row = (size_t)regions[i].w * img->pixel_bytes; /* w <= 32768, no overflow */
        if (regions[i].h && row > (SIZE_MAX - total) / regions[i].h)
            return SHROUD_ERR_LIMIT;
        total += row * regions[i].h;
    }
    *size = total;
    return SHROUD_OK;
}

int png_capture(const png_raster *img, const shroud_region *regions, size_t n, bytebuf *out)
{
    for (size_t i = 0; i < n; i++) {
        const shroud_region *r = &regions[i];
        size_t row = (size_t)r->w * img->pixel_bytes;
        for (uint32_t y = r->y; y < r->y + r->h; y++) {
            int err = append(out, png_raster_pixel(img, r->x, y), row);
            if (err)
                return err;
        }
    }
    return SHROUD_OK;
}

int png_put_back(png_raster *img, const shroud_region *regions, size_t n, const uint8_t *raw,
                 size_t raw_len)
{
    size_t need;
    if (png_capture_size(img, regions, n, &need) || need != raw_len)
        return SHROUD_ERR_RECORD;
    for (size_t i = 0; i < n; i++) {
        const shroud_region *r = &regions[i];
        size_t row = (size_t)r->w * img->pixel_bytes;
        for (uint32_t y = r->y; y < r->y + r->h; y++) {
            memcpy(png_raster_pixel(img, r->x, y), raw, row);
            raw += row;
        }
    }
    return SHROUD_OK;
}

void png_coding(const png_raster *img, uint8_t coding[PNG_CODING_BYTES])
{
    coding[0] = img->bit_depth;
    coding[1] = img->color_type;
}

/* ---- samples ---- */

static unsigned sample_max(const png_raster *img)
{
    return (1u << img->bit_depth) - 1u;
}

static unsigned get_sample(const uint8_t *p, int wide)
{
    return wide ? (unsigned)p[0] << 8 | p[1] : p[0];
}

static void set_sample(uint8_t *p, int wide, unsigned v)
{
    if (wide) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
    } else {
        p[0] = (uint8_t)v;
    }
}

static int has_alpha(const png_raster *img)
{
    return img->color_type == PNG_CT_GRAY_ALPHA || img->color_type == PNG_CT_RGBA;
}

/* The palette index nearest to an RGB colour (8-bit components). */
static unsigned nearest_palette(const png_raster *img, unsigned r, unsigned g, unsigned b)
{
    unsigned best = 0;
    unsigned long best_d = (unsigned long)-1;
    for (unsigned i = 0; i < img->palette_len; i++) {
        long dr = (long)img->palette[i][0] - (long)r, dg = (long)img->palette[i][1] - (long)g,
             db = (long)img->palette[i][2] - (long)b;
        unsigned long d = (unsigned long)(dr * dr + dg * dg + db * db);
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

/* ---- styles ---- */

/* Random samples: uniformly distributed, independent of the original. Alpha
 * becomes opaque so the noise is visible. */
static int obscure_noise(png_raster *img, const shroud_region *r)
{
    size_t row_bytes = (size_t)r->w * img->pixel_bytes;
    uint8_t *rnd = malloc(row_bytes);
    if (!rnd)
        return SHROUD_ERR_NOMEM;
    int wide = img->sample_bytes == 2, alpha = has_alpha(img);
    unsigned max = sample_max(img);
    int err = SHROUD_OK;
    for (uint32_t y = r->y; y < r->y + r->h && err == SHROUD_OK; y++) {
        err = prim_random(rnd, row_bytes);
        uint8_t *px = png_raster_pixel(img, r->x, y);
        for (uint32_t x = 0; x < r->w && err == SHROUD_OK; x++) {
            for (unsigned c = 0; c < img->channels; c++) {
                size_t off = (size_t)x * img->pixel_bytes + (size_t)c * img->sample_bytes;
                unsigned v;
                if (alpha && c == img->channels - 1u)
                    v = max;
                else if (img->color_type == PNG_CT_PALETTE)
                    v = img->palette_len ? rnd[off] % img->palette_len : 0;
                else if (img->bit_depth < 8)
                    v = rnd[off] & max;
                else
                    v = get_sample(rnd + off, wide);
                set_sample(px + off, wide, v);
            }
        }
    }
    prim_wipe(rnd, row_bytes);
    free(rnd);
    return err;
}

/* Black, opaque. */
static void obscure_fill(png_raster *img, const shroud_region *r)
{
    int wide = img->sample_bytes == 2, alpha = has_alpha(img);
    unsigned black = img->color_type == PNG_CT_PALETTE ? nearest_palette(img, 0, 0, 0) : 0;
    for (uint32_t y = r->y; y < r->y + r->h; y++) {
        uint8_t *px = png_raster_pixel(img, r->x, y);
        for (uint32_t x = 0; x < r->w; x++)
            for (unsigned c = 0; c < img->channels; c++) {
                unsigned v = alpha && c == img->channels - 1u ? sample_max(img) : black;
                set_sample(px + (size_t)x * img->pixel_bytes + (size_t)c * img->sample_bytes, wide,
                           v);
            }
    }
}

/* Working copy of a region as up to 4 channels of unsigned values; palette
 * images are expanded to RGB(A) and mapped back by nearest colour. */
typedef struct {
    uint32_t w, h;
    unsigned ch;
    uint32_t *v; /* w * h * ch */
} plane;

static int plane_load(const png_raster *img, const shroud_region *r, plane *p)
{
    int pal = img->color_type == PNG_CT_PALETTE;
    p->w = r->w;
    p->h = r->h;
    p->ch = pal ? 4 : img->channels;
    p->v = malloc((size_t)r->w * r->h * p->ch * sizeof *p->v);
    if (!p->v)
        return SHROUD_ERR_NOMEM;
    int wide = img->sample_bytes == 2;
    uint32_t *o = p->v;
    for (uint32_t y = 0; y < r->h; y++) {
        const uint8_t *px = png_raster_pixel(img, r->x, r->y + y);
        for (uint32_t x = 0; x < r->w; x++) {
            if (pal) {
                unsigned i = px[x];
                for (unsigned c = 0; c < 3; c++)
                    *o++ = i < img->palette_len ? img->palette[i][c] : 0;
                *o++ = i < img->trns_len ? img->trns[i] : 255;
            } else {
                for (unsigned c = 0; c < p->ch; c++)
                    *o++ = get_sample(
                        px + (size_t)x * img->pixel_bytes + (size_t)c * img->sample_bytes, wide);
            }
        }
    }
    return SHROUD_OK;
}

static void plane_store(png_raster *img, const shroud_region *r, const plane *p)
{
    int pal = img->color_type == PNG_CT_PALETTE, wide = img->sample_bytes == 2;
    const uint32_t *in = p->v;
    for (uint32_t y = 0; y < r->h; y++) {
        uint8_t *px = png_raster_pixel(img, r->x, r->y + y);
        for (uint32_t x = 0; x < r->w; x++, in += p->ch) {
            if (pal)
                px[x] = (uint8_t)nearest_palette(img, in[0], in[1], in[2]);
            else
                for (unsigned c = 0; c < p->ch; c++)
                    set_sample(px + (size_t)x * img->pixel_bytes + (size_t)c * img->sample_bytes,
                               wide, in[c]);
        }
    }
}

static uint32_t shorter_side(const shroud_region *r)
{
    return r->w < r->h ? r->w : r->h;
}

/* Cells of the region's average colour. */
static void pixelate_plane(plane *p, uint32_t cell)
{
    for (uint32_t cy = 0; cy < p->h; cy += cell)
        for (uint32_t cx = 0; cx < p->w; cx += cell) {
            uint32_t ye = cy + cell < p->h ? cy + cell : p->h;
            uint32_t xe = cx + cell < p->w ? cx + cell : p->w;
            uint64_t n = (uint64_t)(ye - cy) * (xe - cx);
            for (unsigned c = 0; c < p->ch; c++) {
                uint64_t sum = 0;
                for (uint32_t y = cy; y < ye; y++)
                    for (uint32_t x = cx; x < xe; x++)
                        sum += p->v[((size_t)y * p->w + x) * p->ch + c];
                uint32_t avg = (uint32_t)((sum + n / 2) / n);
                for (uint32_t y = cy; y < ye; y++)
                    for (uint32_t x = cx; x < xe; x++)
                        p->v[((size_t)y * p->w + x) * p->ch + c] = avg;
            }
        }
}

/* One box blur of radius rad along a line of n values at stride `step`,
 * edges clamped; tmp holds n values. */
static void box_line(uint32_t *v, size_t n, size_t step, uint32_t rad, uint32_t *tmp)
{
    for (size_t i = 0; i < n; i++)
        tmp[i] = v[i * step];
    uint64_t sum = 0;
    uint64_t win = 2u * (uint64_t)rad + 1u;
    for (int64_t k = -(int64_t)rad; k <= (int64_t)rad; k++)
        sum += tmp[k < 0 ? 0 : ((size_t)k >= n ? n - 1 : (size_t)k)];
    for (size_t i = 0; i < n; i++) {
        v[i * step] = (uint32_t)((sum + win / 2) / win);
        int64_t out = (int64_t)i - (int64_t)rad, in = (int64_t)i + (int64_t)rad + 1;
        sum -= tmp[out < 0 ? 0 : (size_t)out];
        sum += tmp[(size_t)in >= n ? n - 1 : (size_t)in];
    }
}

static int blur_plane(plane *p, uint32_t rad)
{
    size_t longest = p->w > p->h ? p->w : p->h;
    uint32_t *tmp = malloc(longest * sizeof *tmp);
    if (!tmp)
        return SHROUD_ERR_NOMEM;
    for (int pass = 0; pass < BLUR_PASSES; pass++)
        for (unsigned c = 0; c < p->ch; c++) {
            for (uint32_t y = 0; y < p->h; y++)
                box_line(p->v + (size_t)y * p->w * p->ch + c, p->w, p->ch, rad, tmp);
            for (uint32_t x = 0; x < p->w; x++)
                box_line(p->v + (size_t)x * p->ch + c, p->h, (size_t)p->w * p->ch, rad, tmp);
        }
    free(tmp);
    return SHROUD_OK;
}

static int obscure_smooth(png_raster *img, const shroud_region *r, int style)
{
    plane p;
    int err = plane_load(img, r, &p);
    if (err)
        return err;
    if (style == SHROUD_STYLE_PIXELATE) {
        uint32_t cell = shorter_side(r) / PIXELATE_CELLS;
        pixelate_plane(&p, cell < PIXELATE_MIN_CELL ? PIXELATE_MIN_CELL : cell);
    } else {
        uint32_t rad = shorter_side(r) / BLUR_DIVISOR;
        err = blur_plane(&p, rad < BLUR_MIN_RADIUS ? BLUR_MIN_RADIUS : rad);
    }
    if (err == SHROUD_OK)
        plane_store(img, r, &p);
    free(p.v);
    return err;
}

/* The transparent colour key of a gray or RGB image (its tRNS chunk): 1
 * with key[] filled (one value per channel), 0 when it has none. */
static int colour_key(const png_raster *img, unsigned key[3])
{
    if (img->color_type != PNG_CT_GRAY && img->color_type != PNG_CT_RGB)
        return 0;
    for (size_t i = 0; i < img->kept_len; i++) {
        const png_kept_chunk *k = &img->kept[i];
        if (memcmp(k->type, "tRNS", 4) != 0 || k->length != 2u * img->channels)
            continue;
        for (unsigned c = 0; c < img->channels; c++)
            key[c] = (unsigned)k->data[2 * c] << 8 | k->data[2 * c + 1];
        return 1;
    }
    return 0;
}

/* Obscured pixels must stay visible: any that landed on the transparent
 * colour key moves its first sample one step (black becomes the darkest
 * visible gray or colour). */
static void avoid_colour_key(png_raster *img, const shroud_region *r)
{
    unsigned key[3];
    if (!colour_key(img, key))
        return;
    int wide = img->sample_bytes == 2;
    unsigned max = sample_max(img);
    for (uint32_t y = r->y; y < r->y + r->h; y++)
        for (uint32_t x = r->x; x < r->x + r->w; x++) {
            uint8_t *px = png_raster_pixel(img, x, y);
            unsigned c = 0;
            while (c < img->channels && get_sample(px + c * img->sample_bytes, wide) == key[c])
                c++;
            if (c < img->channels)
                continue;
            set_sample(px, wide, key[0] < max ? key[0] + 1 : key[0] - 1);
        }
}

int png_obscure(png_raster *img, const shroud_region *regions, size_t n, int style)
{
    for (size_t i = 0; i < n; i++) {
        int err = SHROUD_OK;
        switch (style) {
        case SHROUD_STYLE_NOISE:
            err = obscure_noise(img, &regions[i]);
            break;
        case SHROUD_STYLE_FILL:
            obscure_fill(img, &regions[i]);
            break;
        case SHROUD_STYLE_PIXELATE:
        case SHROUD_STYLE_BLUR:
            err = obscure_smooth(img, &regions[i], style);
            break;
        default:
            return SHROUD_ERR_ARGUMENT;
        }
        if (err)
            return err;
        avoid_colour_key(img, &regions[i]);
    }
    return SHROUD_OK;
}
