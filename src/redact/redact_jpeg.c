/* redact_jpeg.c — capture, obscure and put back JPEG regions, block by block. */
#include "redact/redact_jpeg.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"
#include "redact/cursor.h"

#define NOISE_AC 5       /* zigzag positions 1..NOISE_AC get random values */
#define PIXELATE_CELLS 8 /* cells across the shorter side of a region */
#define BLUR_PASSES 2
#define HUFF_MODE_GIVEN JPEG_HUFF_GIVEN
#define CODING_FIXED_BYTES 7
#define RESTART_IN_ROWS 0x80000000u /* flag in the coding's restart field */

static int append(bytebuf *out, const void *p, size_t n)
{
    return bytebuf_write(out, p, n) == 0 ? SHROUD_OK : SHROUD_ERR_NOMEM;
}

void jpeg_cover(const jpeg_info *info, const shroud_region *r, shroud_region *covered)
{
    uint32_t mw = jpeg_mcu_width(info), mh = jpeg_mcu_height(info);
    uint32_t x0 = r->x / mw * mw, y0 = r->y / mh * mh;
    uint64_t x1 = ((uint64_t)r->x + r->w + mw - 1) / mw * mw;
    uint64_t y1 = ((uint64_t)r->y + r->h + mh - 1) / mh * mh;
    if (x1 > info->width)
        x1 = info->width;
    if (y1 > info->height)
        y1 = info->height;
    covered->x = x0;
    covered->y = y0;
    covered->w = (uint32_t)x1 - x0;
    covered->h = (uint32_t)y1 - y0;
}

/* The blocks [bx0, bx1) x [by0, by1) of component c under a region. */
typedef struct {
    uint32_t bx0, bx1, by0, by1;
} block_rect;

static block_rect blocks_of(const jpeg_info *info, int c, const shroud_region *r)
{
    shroud_region cov;
    jpeg_cover(info, r, &cov);
    const jpeg_comp_geometry *g = &info->comp[c];
    uint32_t mw = jpeg_mcu_width(info), mh = jpeg_mcu_height(info);
    block_rect b;
    uint32_t hs = jpeg_mcu_blocks_across(info, c), vs = jpeg_mcu_blocks_down(info, c);
    b.bx0 = cov.x / mw * hs;
    b.by0 = cov.y / mh * vs;
    b.bx1 = (uint32_t)(((uint64_t)cov.x + cov.w + mw - 1) / mw) * hs;
    b.by1 = (uint32_t)(((uint64_t)cov.y + cov.h + mh - 1) / mh) * vs;
    if (b.bx1 > g->width_in_blocks)
        b.bx1 = g->width_in_blocks;
    if (b.by1 > g->height_in_blocks)
        b.by1 = g->height_in_blocks;
    if (b.bx0 > b.bx1)
        b.bx0 = b.bx1;
    if (b.by0 > b.by1)
        b.by0 = b.by1;
    return b;
}

/* ---- capture and put back ---- */

/* A coefficient as an unsigned number: 0, -1, 1, -2, 2 ... -> 0, 1, 2, 3, 4 ... */
static uint16_t zigzag_sign(int16_t v)
{
    return (uint16_t)((uint16_t)v << 1 ^ (uint16_t)(v < 0 ? 0xFFFF : 0));
}

static int16_t unzigzag_sign(uint16_t u)
{
    return (int16_t)(u >> 1 ^ (uint16_t) - (u & 1));
}

/* Appends u as a little-endian base-128 number (1 to 3 bytes); returns the
 * bytes written. */
static size_t put_varint(uint8_t *p, uint16_t u)
{
    size_t n = 0;
    while (u >= 0x80) {
        p[n++] = (uint8_t)(0x80 | (u & 0x7F));
        u >>= 7;
    }
    p[n++] = (uint8_t)u;
    return n;
}

/* Reads a varint written by put_varint, refusing longer (non-minimal)
 * encodings and values above 16 bits. */
static int take_varint(cursor *c, uint16_t *out)
{
    uint32_t u = 0;
    for (unsigned shift = 0; shift <= 14; shift += 7) {
        uint8_t b;
        if (take_u8(c, &b))
            return -1;
        u |= (uint32_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            if ((shift && b == 0) || u > 0xFFFF)
                return -1;
            *out = (uint16_t)u;
            return 0;
        }
    }
    return -1;
}

/* Writes a block's captured form at p (at most JPEG_CAPTURED_BLOCK_MAX
 * bytes): the count n of coefficients up to the last non-zero one in zigzag
 * order, then those n as varints. Returns the bytes written. */
static size_t capture_block(const int16_t *blk, uint8_t *p)
{
    unsigned n = 64;
    while (n > 0 && blk[dct_natural_order[n - 1]] == 0)
        n--;
    size_t len = 0;
    p[len++] = (uint8_t)n;
    for (unsigned k = 0; k < n; k++) {
        uint16_t u = zigzag_sign(blk[dct_natural_order[k]]);
        if (u < 0x80)
            p[len++] = (uint8_t)u;
        else
            len += put_varint(p + len, u);
    }
    return len;
}

int jpeg_capture(jpeg_coeffs *j, const shroud_region *regions, size_t n, bytebuf *out)
{
    const jpeg_info *info = jpeg_coeffs_info(j);
    size_t most = 0; /* every block at its largest: one allocation, never regrown */
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < info->components; c++) {
            block_rect b = blocks_of(info, c, &regions[i]);
            most += (size_t)(b.bx1 - b.bx0) * (b.by1 - b.by0) * JPEG_CAPTURED_BLOCK_MAX;
        }
    if (bytebuf_reserve(out, most) != 0)
        return SHROUD_ERR_NOMEM;
    /* written in place, within the room just reserved */
    size_t len = 0;
    int err = SHROUD_OK;
    for (size_t i = 0; i < n && err == SHROUD_OK; i++)
        for (int c = 0; c < info->components && err == SHROUD_OK; c++) {
            block_rect b = blocks_of(info, c, &regions[i]);
            for (uint32_t by = b.by0; by < b.by1 && err == SHROUD_OK; by++) {
                JPEG_BLOCK *row = jpeg_coeffs_row(j, c, by);
                if (!row) {
                    err = SHROUD_ERR_IMAGE;
                    break;
                }
                for (uint32_t bx = b.bx0; bx < b.bx1; bx++)
                    len += capture_block(row[bx], out->data + out->len + len);
            }
        }
    bytebuf_commit(out, len); /* even on error: a secret buffer's wipe covers it */
    return err;
}

int jpeg_put_back(jpeg_coeffs *j, const shroud_region *regions, size_t n, const uint8_t *raw,
                  size_t raw_len)
{
    const jpeg_info *info = jpeg_coeffs_info(j);
    cursor cur = cursor_of(raw, raw_len);
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < info->components; c++) {
            block_rect b = blocks_of(info, c, &regions[i]);
            for (uint32_t by = b.by0; by < b.by1; by++) {
                JPEG_BLOCK *row = jpeg_coeffs_row(j, c, by);
                if (!row)
                    return SHROUD_ERR_IMAGE;
                for (uint32_t bx = b.bx0; bx < b.bx1; bx++) {
                    uint8_t count;
                    if (take_u8(&cur, &count) || count > 64)
                        return SHROUD_ERR_RECORD;
                    int16_t blk[64] = {0};
                    for (unsigned k = 0; k < count; k++) {
                        uint16_t u;
                        if (take_varint(&cur, &u))
                            return SHROUD_ERR_RECORD;
                        blk[dct_natural_order[k]] = unzigzag_sign(u);
                    }
                    if (count && blk[dct_natural_order[count - 1]] == 0)
                        return SHROUD_ERR_RECORD; /* n must end on a non-zero value */
                    memcpy(row[bx], blk, sizeof blk);
                }
            }
        }
    return cur.left == 0 ? SHROUD_OK : SHROUD_ERR_RECORD;
}

/* ---- styles ---- */

/* A quantised coefficient for an unquantised value v with step q. */
static int16_t quantise(long v, unsigned q)
{
    if (q == 0)
        q = 1;
    long r = v >= 0 ? (v + (long)q / 2) / (long)q : -((-v + (long)q / 2) / (long)q);
    if (r > 1023)
        r = 1023;
    if (r < -1023)
        r = -1023;
    return (int16_t)r;
}

/* Uniform in [-range, range] from two random bytes. */
static long spread(const uint8_t *rnd, long range)
{
    unsigned v = (unsigned)rnd[0] << 8 | rnd[1];
    return (long)(v % (unsigned long)(2 * range + 1)) - range;
}

/* Per block: a random mean colour and a few random low frequencies, drawn
 * from the system CSPRNG: nothing depends on the original. */
static int noise_rect(jpeg_coeffs *j, int c, block_rect b)
{
    const jpeg_comp_geometry *g = &jpeg_coeffs_info(j)->comp[c];
    size_t per_block = 2 * (1 + NOISE_AC);
    size_t row_bytes = (size_t)(b.bx1 - b.bx0) * per_block;
    size_t all = row_bytes * (b.by1 - b.by0);
    if (all == 0)
        return SHROUD_OK;
    uint8_t *rnd = malloc(all); /* one draw for the rectangle: fewer CSPRNG calls */
    if (!rnd)
        return SHROUD_ERR_NOMEM;
    long dc_range = c == 0 ? 1016 : 512;
    int err = prim_random(rnd, all);
    for (uint32_t by = b.by0; by < b.by1 && err == SHROUD_OK; by++) {
        JPEG_BLOCK *row = jpeg_coeffs_row(j, c, by);
        err = row ? SHROUD_OK : SHROUD_ERR_IMAGE;
        for (uint32_t bx = b.bx0; bx < b.bx1 && err == SHROUD_OK; bx++) {
            const uint8_t *r =
                rnd + (size_t)(by - b.by0) * row_bytes + (size_t)(bx - b.bx0) * per_block;
            int16_t *blk = row[bx];
            memset(blk, 0, sizeof(JPEG_BLOCK));
            blk[0] = quantise(spread(r, dc_range), g->quant[0]);
            for (unsigned k = 1; k <= NOISE_AC; k++)
                blk[dct_natural_order[k]] =
                    quantise(spread(r + 2 * k, 256), g->quant[dct_natural_order[k]]);
        }
    }
    free(rnd);
    return err;
}

/* The DC value of black for a component: the luma (or each RGB component)
 * at its lowest level, colour differences neutral. */
static int16_t black_dc(const jpeg_info *info, int c)
{
    /* libjpeg J_COLOR_SPACE: 1 GRAYSCALE, 2 RGB, 3 YCbCr; others (CMYK,
     * YCCK) get a mid-level box. */
    int cs = info->color_space;
    if (cs == 2 || ((cs == 1 || cs == 3) && c == 0))
        return quantise(-1024, info->comp[c].quant[0]);
    return 0;
}

static int fill_rect(jpeg_coeffs *j, int c, block_rect b)
{
    const jpeg_info *info = jpeg_coeffs_info(j);
    int16_t dc = black_dc(info, c);
    for (uint32_t by = b.by0; by < b.by1; by++) {
        JPEG_BLOCK *row = jpeg_coeffs_row(j, c, by);
        if (!row)
            return SHROUD_ERR_IMAGE;
        for (uint32_t bx = b.bx0; bx < b.bx1; bx++) {
            memset(row[bx], 0, sizeof(JPEG_BLOCK));
            row[bx][0] = dc;
        }
    }
    return SHROUD_OK;
}

/* Loads the DC values of a block rectangle (AC dropped). */
static int load_dc(jpeg_coeffs *j, int c, block_rect b, long *dc)
{
    uint32_t w = b.bx1 - b.bx0;
    for (uint32_t by = b.by0; by < b.by1; by++) {
        JPEG_BLOCK *row = jpeg_coeffs_row(j, c, by);
        if (!row)
            return SHROUD_ERR_IMAGE;
        for (uint32_t bx = b.bx0; bx < b.bx1; bx++)
            dc[(size_t)(by - b.by0) * w + (bx - b.bx0)] = row[bx][0];
    }
    return SHROUD_OK;
}

static void store_dc(jpeg_coeffs *j, int c, block_rect b, const long *dc)
{
    uint32_t w = b.bx1 - b.bx0;
    for (uint32_t by = b.by0; by < b.by1; by++) {
        JPEG_BLOCK *row = jpeg_coeffs_row(j, c, by);
        for (uint32_t bx = b.bx0; bx < b.bx1; bx++) {
            memset(row[bx], 0, sizeof(JPEG_BLOCK));
            row[bx][0] = (int16_t)dc[(size_t)(by - b.by0) * w + (bx - b.bx0)];
        }
    }
}

static long rounded_mean(long sum, long n)
{
    return sum >= 0 ? (sum + n / 2) / n : -((-sum + n / 2) / n);
}

/* Cells of cell_w x cell_h blocks take their mean DC. */
static void pixelate_dc(long *dc, uint32_t w, uint32_t h, uint32_t cell_w, uint32_t cell_h)
{
    for (uint32_t cy = 0; cy < h; cy += cell_h)
        for (uint32_t cx = 0; cx < w; cx += cell_w) {
            uint32_t ye = cy + cell_h < h ? cy + cell_h : h, xe = cx + cell_w < w ? cx + cell_w : w;
            long sum = 0, n = (long)(ye - cy) * (long)(xe - cx);
            for (uint32_t y = cy; y < ye; y++)
                for (uint32_t x = cx; x < xe; x++)
                    sum += dc[(size_t)y * w + x];
            long avg = rounded_mean(sum, n);
            for (uint32_t y = cy; y < ye; y++)
                for (uint32_t x = cx; x < xe; x++)
                    dc[(size_t)y * w + x] = avg;
        }
}

/* 3x3 box smoothing of the DC grid, edges clamped. */
static void smooth_dc(long *dc, long *tmp, uint32_t w, uint32_t h)
{
    memcpy(tmp, dc, (size_t)w * h * sizeof *dc);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            long sum = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    long yy = (long)y + dy, xx = (long)x + dx;
                    yy = yy < 0 ? 0 : (yy >= (long)h ? (long)h - 1 : yy);
                    xx = xx < 0 ? 0 : (xx >= (long)w ? (long)w - 1 : xx);
                    sum += tmp[(size_t)yy * w + (size_t)xx];
                }
            dc[(size_t)y * w + x] = rounded_mean(sum, 9);
        }
}

static int smooth_rect(jpeg_coeffs *j, int c, block_rect b, const shroud_region *cov, int style)
{
    const jpeg_info *info = jpeg_coeffs_info(j);
    uint32_t w = b.bx1 - b.bx0, h = b.by1 - b.by0;
    if (w == 0 || h == 0)
        return SHROUD_OK;
    long *dc = malloc((size_t)w * h * 2 * sizeof *dc);
    if (!dc)
        return SHROUD_ERR_NOMEM;
    int err = load_dc(j, c, b, dc);
    if (err == SHROUD_OK) {
        if (style == SHROUD_STYLE_PIXELATE) {
            /* a cell of about 1/PIXELATE_CELLS of the shorter side, whole MCUs */
            uint32_t side = cov->w < cov->h ? cov->w : cov->h;
            uint32_t mcus = side / PIXELATE_CELLS / jpeg_mcu_width(info);
            if (mcus == 0)
                mcus = 1;
            pixelate_dc(dc, w, h, mcus * jpeg_mcu_blocks_across(info, c),
                        mcus * jpeg_mcu_blocks_down(info, c));
        } else {
            for (int pass = 0; pass < BLUR_PASSES; pass++)
                smooth_dc(dc, dc + (size_t)w * h, w, h);
        }
        store_dc(j, c, b, dc);
    }
    free(dc);
    return err;
}

int jpeg_obscure(jpeg_coeffs *j, const shroud_region *regions, size_t n, int style)
{
    const jpeg_info *info = jpeg_coeffs_info(j);
    for (size_t i = 0; i < n; i++) {
        shroud_region cov;
        jpeg_cover(info, &regions[i], &cov);
        for (int c = 0; c < info->components; c++) {
            block_rect b = blocks_of(info, c, &regions[i]);
            int err;
            switch (style) {
            case SHROUD_STYLE_NOISE:
                err = noise_rect(j, c, b);
                break;
            case SHROUD_STYLE_FILL:
                err = fill_rect(j, c, b);
                break;
            case SHROUD_STYLE_PIXELATE:
            case SHROUD_STYLE_BLUR:
                err = smooth_rect(j, c, b, &cov, style);
                break;
            default:
                return SHROUD_ERR_ARGUMENT;
            }
            if (err)
                return err;
        }
    }
    return SHROUD_OK;
}

/* ---- coding ---- */

static int encode_table(const jpeg_huff_table *t, bytebuf *out)
{
    unsigned total = 0;
    for (int i = 1; i <= 16; i++)
        total += t->bits[i];
    if (total > 256)
        return SHROUD_ERR_ARGUMENT;
    int err = append(out, t->bits + 1, 16);
    return err ? err : append(out, t->values, total);
}

int jpeg_coding_encode(const jpeg_write_options *o, bytebuf *out)
{
    uint8_t head[CODING_FIXED_BYTES];
    head[0] = o->progressive;
    head[1] = o->arithmetic;
    store_be32(head + 2, o->restart_rows ? RESTART_IN_ROWS | o->restart_rows : o->restart_interval);
    head[6] = o->huffman;
    int err = append(out, head, sizeof head);
    if (err || o->huffman != HUFF_MODE_GIVEN)
        return err;
    if (!o->tables)
        return SHROUD_ERR_ARGUMENT;
    uint8_t present[2] = {o->tables->dc_present, o->tables->ac_present};
    err = append(out, present, 2);
    for (int s = 0; err == SHROUD_OK && s < JPEG_HUFF_SLOTS; s++)
        if (o->tables->dc_present & (1u << s))
            err = encode_table(&o->tables->dc[s], out);
    for (int s = 0; err == SHROUD_OK && s < JPEG_HUFF_SLOTS; s++)
        if (o->tables->ac_present & (1u << s))
            err = encode_table(&o->tables->ac[s], out);
    return err;
}

static int parse_table(cursor *c, jpeg_huff_table *t)
{
    memset(t, 0, sizeof *t);
    if (take_copy(c, t->bits + 1, 16))
        return SHROUD_ERR_RECORD;
    unsigned total = 0;
    for (int i = 1; i <= 16; i++)
        total += t->bits[i];
    if (total == 0 || total > 256 || take_copy(c, t->values, total))
        return SHROUD_ERR_RECORD;
    return SHROUD_OK;
}

int jpeg_coding_parse(const uint8_t *buf, size_t len, jpeg_write_options *o, jpeg_huff_set *tables)
{
    memset(o, 0, sizeof *o);
    memset(tables, 0, sizeof *tables);
    cursor c = cursor_of(buf, len);
    take_u8(&c, &o->progressive);
    take_u8(&c, &o->arithmetic);
    take_u32(&c, &o->restart_interval);
    take_u8(&c, &o->huffman);
    if (o->restart_interval & RESTART_IN_ROWS) {
        o->restart_rows = o->restart_interval & ~RESTART_IN_ROWS;
        o->restart_interval = 0;
        if (o->restart_rows == 0)
            return SHROUD_ERR_RECORD;
    }
    if (c.bad || o->progressive > 1 || o->arithmetic > 1 || o->restart_interval > 65535 ||
        o->restart_rows > 65535 || o->huffman > HUFF_MODE_GIVEN)
        return SHROUD_ERR_RECORD;
    if (o->huffman == HUFF_MODE_GIVEN) {
        if (take_u8(&c, &tables->dc_present) || take_u8(&c, &tables->ac_present) ||
            tables->dc_present > 0xF || tables->ac_present > 0xF)
            return SHROUD_ERR_RECORD;
        for (int s = 0; s < JPEG_HUFF_SLOTS; s++)
            if ((tables->dc_present & (1u << s)) && parse_table(&c, &tables->dc[s]))
                return SHROUD_ERR_RECORD;
        for (int s = 0; s < JPEG_HUFF_SLOTS; s++)
            if ((tables->ac_present & (1u << s)) && parse_table(&c, &tables->ac[s]))
                return SHROUD_ERR_RECORD;
        o->tables = tables;
    }
    o->markers = JPEG_MARKERS_ALL;
    return c.left == 0 ? SHROUD_OK : SHROUD_ERR_RECORD;
}
