/* png_util.c — test PNGs in memory, an independent decode, chunk building, pngcheck. */
#include "png_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <png.h>
#include <zlib.h>

#define DEFAULT_WIDTH 16
#define DEFAULT_HEIGHT 12
#define ICC_PROFILE_BYTES 132 /* header and an empty tag table */

/* ---- small helpers -------------------------------------------------------- */

uint32_t pu_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void pu_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

int pu_channels(int color_type)
{
    switch (color_type) {
    case PU_RGB:
        return 3;
    case PU_GRAY_ALPHA:
        return 2;
    case PU_RGBA:
        return 4;
    default:
        return 1;
    }
}

/* ---- pixels ------------------------------------------------------------------ */

/* An 8-bit value for sample c of pixel (x, y): gradients, a checkerboard and
 * hashed noise, so that every PNG filter wins somewhere. */
static unsigned value8(uint32_t x, uint32_t y, uint32_t w, uint32_t h, int c, int alpha,
                       unsigned seed)
{
    uint32_t wd = w > 1 ? w - 1 : 1, hd = h > 1 ? h - 1 : 1;
    uint32_t hv = hash32(x * 7919u + y * 104729u + (uint32_t)c * 31u + seed * 2654435761u);
    if (alpha) { /* opaque, transparent and in between */
        unsigned k = (x / 3 + y / 2 + seed) % 4;
        return k == 0 ? 255 : k == 1 ? 0 : (unsigned)((x * 255 / wd + hv % 16) & 255);
    }
    int base = c == 0   ? (int)(x * 255 / wd)
               : c == 1 ? (int)(y * 255 / hd)
                        : (int)((x + y) * 127 / (wd + hd) + 64);
    int checker = ((x / 4 + y / 4 + seed) & 1) ? 20 : -20;
    int v = base + checker + (int)(hv % 25) - 12;
    return (unsigned)(v < 0 ? 0 : v > 255 ? 255 : v);
}

uint8_t *pu_pattern(uint32_t w, uint32_t h, int color_type, int bit_depth, unsigned palette_len,
                    unsigned seed)
{
    int ch = pu_channels(color_type);
    int has_alpha = color_type == PU_GRAY_ALPHA || color_type == PU_RGBA;
    size_t sb = bit_depth == 16 ? 2 : 1;
    size_t total = (size_t)w * h * (size_t)ch * sb;
    uint8_t *p = malloc(total ? total : 1);
    assert_non_null(p);
    size_t i = 0;
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            for (int c = 0; c < ch; c++) {
                unsigned v = value8(x, y, w, h, c, has_alpha && c == ch - 1, seed);
                uint32_t noise = hash32(x * 131u + y * 977u + (uint32_t)c + seed * 7u);
                if (color_type == PU_PALETTE) {
                    unsigned n = palette_len ? palette_len : 1;
                    p[i++] = (uint8_t)(((x + y * 3) / 2 + (noise % 3) + seed) % n);
                } else if (bit_depth == 16) {
                    unsigned v16 = v * 257u ^ (noise & 0xFFu);
                    p[i++] = (uint8_t)(v16 >> 8);
                    p[i++] = (uint8_t)v16;
                } else if (bit_depth < 8) {
                    unsigned max = (1u << bit_depth) - 1;
                    unsigned s = (v * max + 127) / 255;
                    if (noise % 7 == 0) /* a little noise at every depth */
                        s = noise / 7 % (max + 1);
                    p[i++] = (uint8_t)s;
                } else {
                    p[i++] = (uint8_t)v;
                }
            }
        }
    }
    return p;
}

void pu_palette(unsigned n, unsigned seed, uint8_t rgb[256][3], uint8_t alpha[256])
{
    memset(rgb, 0, 256 * 3);
    memset(alpha, 255, 256);
    for (unsigned i = 0; i < n && i < 256; i++) {
        uint32_t hv = hash32(i * 40503u + seed * 97u + 1);
        rgb[i][0] = (uint8_t)hv;
        rgb[i][1] = (uint8_t)(hv >> 8);
        rgb[i][2] = (uint8_t)(i * 255 / (n > 1 ? n - 1 : 1));
        alpha[i] = i % 3 == 0 ? 255 : (uint8_t)(i * 37 + seed);
    }
}

/* The spec with its defaults filled in. */
static pu_spec resolved(const pu_spec *spec)
{
    pu_spec s = *spec;
    if (!s.width)
        s.width = DEFAULT_WIDTH;
    if (!s.height)
        s.height = DEFAULT_HEIGHT;
    if (!s.bit_depth)
        s.bit_depth = 8;
    if (s.color_type == PU_PALETTE && !s.palette_len)
        s.palette_len = s.bit_depth >= 8 ? 256 : 1u << s.bit_depth;
    return s;
}

uint8_t *pu_spec_pattern(const pu_spec *spec, size_t *len)
{
    pu_spec s = resolved(spec);
    *len = (size_t)s.width * s.height * (size_t)pu_channels(s.color_type) *
           (s.bit_depth == 16 ? 2u : 1u);
    return pu_pattern(s.width, s.height, s.color_type, s.bit_depth, s.palette_len, s.seed);
}

/* ---- chunks ------------------------------------------------------------------- */

void pu_put_signature(tu_buf *out)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    tu_buf_write(out, sig, sizeof sig);
}

void pu_put_chunk(tu_buf *out, const char *type, const void *data, size_t len)
{
    uint8_t head[8], tail[4];
    assert_true(len <= 0x7fffffffu);
    pu_put_be32(head, (uint32_t)len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0L, head + 4, 4);
    if (len)
        crc = crc32(crc, data, (uInt)len);
    pu_put_be32(tail, (uint32_t)crc);
    tu_buf_write(out, head, sizeof head);
    if (len)
        tu_buf_write(out, data, len);
    tu_buf_write(out, tail, sizeof tail);
}

void pu_put_ihdr(tu_buf *out, uint32_t w, uint32_t h, int depth, int color_type, int interlace)
{
    uint8_t ihdr[13] = {0};
    pu_put_be32(ihdr, w);
    pu_put_be32(ihdr + 4, h);
    ihdr[8] = (uint8_t)depth;
    ihdr[9] = (uint8_t)color_type;
    ihdr[12] = (uint8_t)interlace;
    pu_put_chunk(out, "IHDR", ihdr, sizeof ihdr);
}

void pu_fix_crc(uint8_t *png, size_t offset)
{
    uint32_t n = pu_be32(png + offset);
    uLong crc = crc32(0L, png + offset + 4, 4 + n);
    pu_put_be32(png + offset + 8 + n, (uint32_t)crc);
}

uint8_t *pu_zlib(const void *data, size_t len, size_t *out_len)
{
    uLongf n = compressBound((uLong)len);
    uint8_t *out = malloc(n);
    assert_non_null(out);
    assert_int_equal(compress2(out, &n, data, (uLong)len, 9), Z_OK);
    *out_len = n;
    return out;
}

size_t pu_find_chunk(const uint8_t *png, size_t len, const char *type, unsigned nth)
{
    size_t pos = 8;
    while (pos + 12 <= len) {
        size_t n = pu_be32(png + pos);
        if (n > len - pos - 12)
            break;
        if (memcmp(png + pos + 4, type, 4) == 0 && nth-- == 0)
            return pos;
        pos += 12 + n;
    }
    return SIZE_MAX;
}

char *pu_chunk_types(const uint8_t *png, size_t len)
{
    tu_buf b = {0};
    size_t pos = 8;
    while (pos + 12 <= len) {
        size_t n = pu_be32(png + pos);
        if (n > len - pos - 12)
            break;
        if (b.len)
            tu_buf_write(&b, (const uint8_t *)" ", 1);
        tu_buf_write(&b, png + pos + 4, 4);
        pos += 12 + n;
    }
    tu_buf_write(&b, (const uint8_t *)"", 1); /* NUL */
    return (char *)b.data;
}

int pu_inflate_idat(const uint8_t *png, size_t len, uint8_t **out, size_t *out_len)
{
    tu_buf z = {0}, raw = {0};
    size_t at;
    for (unsigned i = 0; (at = pu_find_chunk(png, len, "IDAT", i)) != SIZE_MAX; i++)
        tu_buf_write(&z, png + at + 8, pu_be32(png + at));
    z_stream s;
    memset(&s, 0, sizeof s);
    assert_int_equal(inflateInit(&s), Z_OK);
    s.next_in = z.data;
    s.avail_in = (uInt)z.len;
    uint8_t tmp[65536];
    int rc;
    do {
        s.next_out = tmp;
        s.avail_out = sizeof tmp;
        rc = inflate(&s, Z_NO_FLUSH);
        tu_buf_write(&raw, tmp, sizeof tmp - s.avail_out);
    } while (rc == Z_OK && (s.avail_in > 0 || s.avail_out == 0));
    inflateEnd(&s);
    tu_buf_free(&z);
    if (rc != Z_STREAM_END) {
        tu_buf_free(&raw);
        return -1;
    }
    *out = raw.data ? raw.data : malloc(1);
    *out_len = raw.len;
    return 0;
}

/* ---- making files ----------------------------------------------------------------- */

static void on_error(png_structp png, png_const_charp msg)
{
    (void)png;
    fail_msg("libpng (making a test file): %s", msg);
}

static void on_write(png_structp png, png_bytep data, size_t n)
{
    tu_buf_write(png_get_io_ptr(png), data, n);
}

static void on_flush(png_structp png)
{
    (void)png;
}

/* A plausible ICC profile header (v2, display class, D50) and no tags. */
static void icc_profile(uint8_t p[ICC_PROFILE_BYTES], int gray)
{
    static const uint8_t d50[12] = {0, 0, 0xf6, 0xd6, 0, 1, 0, 0, 0, 0, 0xd3, 0x2d};
    memset(p, 0, ICC_PROFILE_BYTES);
    pu_put_be32(p, ICC_PROFILE_BYTES);
    p[8] = 2; /* version 2.1 */
    p[9] = 0x10;
    memcpy(p + 12, "mntr", 4);
    memcpy(p + 16, gray ? "GRAY" : "RGB ", 4);
    memcpy(p + 20, "XYZ ", 4);
    memcpy(p + 36, "acsp", 4);
    memcpy(p + 68, d50, sizeof d50);
}

static void put_stock(tu_buf *out, const pu_spec *s, int place)
{
    if (place == PU_AFTER_IHDR && (s->chunks & PU_GAMA)) {
        uint8_t g[4];
        pu_put_be32(g, 45455);
        pu_put_chunk(out, "gAMA", g, 4);
    }
    if (place == PU_AFTER_IHDR && (s->chunks & PU_ICCP)) {
        uint8_t prof[ICC_PROFILE_BYTES];
        icc_profile(prof, !(s->color_type & 2));
        size_t zlen;
        uint8_t *z = pu_zlib(prof, sizeof prof, &zlen);
        tu_buf c = {0};
        tu_buf_write(&c, (const uint8_t *)"test profile\0\0", 14); /* name, NUL, method 0 */
        tu_buf_write(&c, z, zlen);
        pu_put_chunk(out, "iCCP", c.data, c.len);
        tu_buf_free(&c);
        free(z);
    }
    if (place == PU_BEFORE_IDAT && (s->chunks & PU_TEXT)) {
        static const char text[] = "Comment\0shroud png_util test file";
        pu_put_chunk(out, "tEXt", text, sizeof text - 1);
    }
    if (place == PU_BEFORE_IDAT && (s->chunks & PU_UNSAFE_UNKNOWN))
        pu_put_chunk(out, "teST", "unsafe!!", 8);
    if (place == PU_BEFORE_IDAT && (s->chunks & PU_ACTL)) {
        uint8_t actl[8] = {0}, fctl[26] = {0};
        pu_put_be32(actl, 1); /* one frame, loop forever */
        pu_put_be32(fctl + 4, s->width);
        pu_put_be32(fctl + 8, s->height);
        fctl[21] = 1;  /* delay 1/10 s */
        fctl[23] = 10; /* delay_den */
        pu_put_chunk(out, "acTL", actl, sizeof actl);
        pu_put_chunk(out, "fcTL", fctl, sizeof fctl);
    }
    if (place == PU_AFTER_IDAT && (s->chunks & PU_SAFE_UNKNOWN))
        pu_put_chunk(out, "teSt", "safe!", 5);
    for (size_t i = 0; i < s->n_extra; i++)
        if (s->extra[i].place == place)
            pu_put_chunk(out, s->extra[i].type, s->extra[i].data, s->extra[i].len);
}

/* libpng's file with the extra chunks spliced in at their places. */
static uint8_t *splice_extras(const tu_buf *in, const pu_spec *s, size_t *len)
{
    tu_buf out = {0};
    tu_buf_write(&out, in->data, 8);
    size_t pos = 8;
    int seen_idat = 0, after_done = 0;
    while (pos + 12 <= in->len) {
        size_t n = pu_be32(in->data + pos);
        const uint8_t *type = in->data + pos + 4;
        int is_idat = memcmp(type, "IDAT", 4) == 0;
        if (is_idat && !seen_idat) {
            put_stock(&out, s, PU_BEFORE_IDAT);
            seen_idat = 1;
        }
        if (!is_idat && seen_idat && !after_done) {
            put_stock(&out, s, PU_AFTER_IDAT);
            after_done = 1;
        }
        tu_buf_write(&out, in->data + pos, 12 + n);
        if (memcmp(type, "IHDR", 4) == 0)
            put_stock(&out, s, PU_AFTER_IHDR);
        pos += 12 + n;
    }
    assert_int_equal(pos, in->len);
    *len = out.len;
    return out.data;
}

uint8_t *pu_make(const pu_spec *spec, size_t *len)
{
    pu_spec s = resolved(spec);
    int ch = pu_channels(s.color_type);
    size_t stride = (size_t)s.width * (size_t)ch * (s.bit_depth == 16 ? 2u : 1u);
    uint8_t *pixels =
        pu_pattern(s.width, s.height, s.color_type, s.bit_depth, s.palette_len, s.seed);
    png_bytep *rows = malloc(s.height * sizeof *rows);
    assert_non_null(rows);
    for (uint32_t y = 0; y < s.height; y++)
        rows[y] = pixels + (size_t)y * stride;

    tu_buf file = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, NULL);
    assert_non_null(png);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    png_set_write_fn(png, &file, on_write, on_flush);
    png_set_IHDR(png, info, s.width, s.height, s.bit_depth, s.color_type,
                 s.interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (s.color_type == PU_PALETTE) {
        uint8_t rgb[256][3], alpha[256];
        pu_palette(s.palette_len, s.seed, rgb, alpha);
        png_color pal[256];
        for (unsigned i = 0; i < s.palette_len; i++)
            pal[i] = (png_color){rgb[i][0], rgb[i][1], rgb[i][2]};
        png_set_PLTE(png, info, pal, (int)s.palette_len);
        if (s.trns)
            png_set_tRNS(png, info, alpha, (int)s.palette_len, NULL);
    }
    if (s.idat_max)
        png_set_compression_buffer_size(png, s.idat_max);
    png_write_info(png, info);
    if (s.bit_depth < 8)
        png_set_packing(png);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(pixels);
    uint8_t *out = splice_extras(&file, &s, len);
    tu_buf_free(&file);
    return out;
}

/* ---- decoding ---------------------------------------------------------------------- */

typedef struct {
    const uint8_t *buf;
    size_t len, pos;
    int warned;
} pu_source;

static void on_read(png_structp png, png_bytep out, size_t n)
{
    pu_source *src = png_get_io_ptr(png);
    if (n > src->len - src->pos)
        png_error(png, "truncated");
    memcpy(out, src->buf + src->pos, n);
    src->pos += n;
}

static void on_read_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void on_read_warning(png_structp png, png_const_charp msg)
{
    (void)msg;
    ((pu_source *)png_get_io_ptr(png))->warned = 1;
}

int pu_decode(const uint8_t *data, size_t len, pu_image *img)
{
    memset(img, 0, sizeof *img);
    pu_source src = {data, len, 0, 0};
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, on_read_error, on_read_warning);
    assert_non_null(png);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        pu_image_free(img);
        return -1;
    }
    png_set_read_fn(png, &src, on_read);
    /* Only the pixels are compared: ancillary chunks (but tRNS) are skipped,
     * so a fake ICC profile or APNG chunks cause no warning. */
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_read_info(png, info);
    img->width = png_get_image_width(png, info);
    img->height = png_get_image_height(png, info);
    img->color_type = png_get_color_type(png, info);
    img->bit_depth = png_get_bit_depth(png, info);
    img->interlace = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    img->channels = png_get_channels(png, info);
    if (img->bit_depth < 8)
        png_set_packing(png);
    if (img->interlace)
        (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);
    img->stride = png_get_rowbytes(png, info);
    png_colorp pal = NULL;
    int n = 0;
    if (png_get_PLTE(png, info, &pal, &n) && pal) {
        img->num_palette = n;
        for (int i = 0; i < n; i++) {
            img->palette[i][0] = pal[i].red;
            img->palette[i][1] = pal[i].green;
            img->palette[i][2] = pal[i].blue;
        }
    }
    png_bytep alpha = NULL;
    if (img->color_type == PU_PALETTE && png_get_tRNS(png, info, &alpha, &n, NULL) && alpha) {
        img->num_trans = n;
        memcpy(img->trans, alpha, (size_t)n);
    }
    img->pixels = malloc(img->stride * img->height + 1);
    rows = malloc(img->height * sizeof *rows + 1);
    assert_non_null(img->pixels);
    assert_non_null(rows);
    for (uint32_t y = 0; y < img->height; y++)
        rows[y] = img->pixels + (size_t)y * img->stride;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    if (src.warned) {
        pu_image_free(img);
        return -1;
    }
    return 0;
}

void pu_image_free(pu_image *img)
{
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

int pu_decode_rgba(const uint8_t *png, size_t len, uint8_t **rgba, uint32_t *w, uint32_t *h)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    *rgba = NULL;
    if (!png_image_begin_read_from_memory(&image, png, len))
        return -1;
    image.format = PNG_FORMAT_RGBA;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(image));
    assert_non_null(buf);
    if (!png_image_finish_read(&image, NULL, buf, 0, NULL)) {
        free(buf);
        png_image_free(&image);
        return -1;
    }
    *rgba = buf;
    *w = image.width;
    *h = image.height;
    return 0;
}

/* ---- pngcheck ------------------------------------------------------------------------ */

static int have_pngcheck(void)
{
    static int known = -1;
    if (known < 0)
        known = system("command -v pngcheck >/dev/null 2>&1") == 0;
    return known;
}

int pu_pngcheck(const uint8_t *png, size_t len)
{
    if (!have_pngcheck())
        return 1;
    const char *dir = getenv("TMPDIR");
    char in[256], log[300], cmd[1024];
    snprintf(in, sizeof in, "%s/shroud_pu_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(in);
    assert_true(fd >= 0);
    close(fd);
    snprintf(log, sizeof log, "%s.log", in);
    FILE *f = fopen(in, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(png, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "pngcheck -q '%s' > '%s' 2>&1", in, log);
    int rc = system(cmd);
    size_t out_len = 0;
    uint8_t *out = tu_read_file(log, &out_len);
    unlink(in);
    unlink(log);
    int bad = rc != 0 || out_len != 0;
    if (bad)
        printf("pngcheck (exit %d): %.*s\n", rc, (int)out_len, (const char *)out);
    free(out);
    return bad ? -1 : 0;
}

void pu_filter_row(int f, const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp,
                   uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int a = i >= bpp ? row[i - bpp] : 0, b = prior ? prior[i] : 0,
            c = prior && i >= bpp ? prior[i - bpp] : 0, pred = 0;
        if (f == 1)
            pred = a;
        else if (f == 2)
            pred = b;
        else if (f == 3)
            pred = (a + b) / 2;
        else if (f == 4) {
            int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
            pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        out[i] = (uint8_t)(row[i] - pred);
    }
}
