/* redact_util.c — PNG files, keys, redact/restore and record access for tests/redact. */
#include "redact_util.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <zlib.h>

#include "image/embedded.h"
#include "image/jpeg_coeffs.h"
#include "image/png_chunks.h"
#include "jpeg_util.h"

/* ---- misc ------------------------------------------------------------------------ */

uint32_t ru_hash(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

uint8_t *ru_dup(const uint8_t *p, size_t len)
{
    uint8_t *c = malloc(len ? len : 1);
    assert_non_null(c);
    if (len)
        memcpy(c, p, len);
    return c;
}

int ru_inside(const shroud_region *regions, size_t n, uint32_t x, uint32_t y)
{
    for (size_t i = 0; i < n; i++)
        if (x >= regions[i].x && x - regions[i].x < regions[i].w && y >= regions[i].y &&
            y - regions[i].y < regions[i].h)
            return 1;
    return 0;
}

/* ---- PNG files ----------------------------------------------------------------------- */

static unsigned channels_of(uint8_t color_type)
{
    switch (color_type) {
    case PNG_CT_RGB:
        return 3;
    case PNG_CT_GRAY_ALPHA:
        return 2;
    case PNG_CT_RGBA:
        return 4;
    default:
        return 1;
    }
}

static uint16_t palette_len_of(const ru_png_spec *s)
{
    return s->palette_len ? s->palette_len : (uint16_t)(1u << s->bit_depth);
}

void ru_png_palette(const ru_png_spec *spec, uint8_t palette[256][3], uint16_t *n,
                    uint8_t trns[256], uint16_t *n_trns)
{
    uint16_t len = palette_len_of(spec);
    for (unsigned i = 0; i < len; i++)
        for (unsigned c = 0; c < 3; c++)
            palette[i][c] = (uint8_t)(60 + ru_hash(i * 3 + c + spec->seed * 1000u) % 196);
    if (len > 1) /* the one dark entry: fill must pick it */
        palette[1][0] = palette[1][1] = palette[1][2] = 5;
    *n = len;
    *n_trns = spec->trns ? (uint16_t)((len + 1) / 2) : 0;
    for (unsigned i = 0; i < *n_trns; i++)
        trns[i] = (uint8_t)(ru_hash(i + 77u) & 0xFF);
}

uint8_t *ru_png_pixels(const ru_png_spec *spec, size_t *len)
{
    unsigned ch = channels_of(spec->color_type);
    unsigned bytes = spec->bit_depth == 16 ? 2 : 1;
    uint32_t max = spec->bit_depth == 16 ? 0xFFFFu : (1u << spec->bit_depth) - 1u;
    size_t n = (size_t)spec->width * spec->height * ch * bytes;
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    uint16_t pal = palette_len_of(spec);
    size_t o = 0;
    for (uint32_t y = 0; y < spec->height; y++)
        for (uint32_t x = 0; x < spec->width; x++)
            for (unsigned c = 0; c < ch; c++) {
                uint32_t h = ru_hash(x * 73856093u ^ y * 19349663u ^ c * 83492791u ^
                                     (spec->seed + 1) * 2654435761u);
                uint32_t v = spec->color_type == PNG_CT_PALETTE ? h % pal : h % (max + 1);
                if (bytes == 2)
                    p[o++] = (uint8_t)(v >> 8);
                p[o++] = (uint8_t)v;
            }
    *len = n;
    return p;
}

static const uint8_t *iccp_bytes(size_t *len)
{
    static uint8_t data[512];
    static size_t data_len;
    if (!data_len) {
        uint8_t profile[200];
        for (size_t i = 0; i < sizeof profile; i++)
            profile[i] = (uint8_t)(i * 13 + 7);
        static const char name[] = "shroud test profile";
        memcpy(data, name, sizeof name); /* with its NUL */
        data[sizeof name] = 0;           /* compression method: zlib */
        uLongf z = (uLongf)(sizeof data - sizeof name - 1);
        assert_int_equal(compress2(data + sizeof name + 1, &z, profile, sizeof profile, 9), Z_OK);
        data_len = sizeof name + 1 + z;
    }
    *len = data_len;
    return data;
}

const uint8_t *ru_iccp_data(size_t *len)
{
    return iccp_bytes(len);
}

void ru_png_chunk_append(tu_buf *out, const char *type, const uint8_t *data, uint32_t len)
{
    uint8_t head[8] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                       (uint8_t)len};
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0, head + 4, 4);
    if (len)
        crc = crc32(crc, data, len);
    uint8_t tail[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8),
                       (uint8_t)crc};
    tu_buf_write(out, head, sizeof head);
    if (len)
        tu_buf_write(out, data, len);
    tu_buf_write(out, tail, sizeof tail);
}

static void png_write_to_buf(png_structp png, png_bytep data, size_t len)
{
    tu_buf_write(png_get_io_ptr(png), data, len);
}

static void png_flush_nothing(png_structp png)
{
    (void)png;
}

static void png_fail(png_structp png, png_const_charp msg)
{
    (void)png;
    fail_msg("libpng: %s", msg);
}

static void png_ignore_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

uint8_t *ru_png_make(const ru_png_spec *spec, size_t *len)
{
    size_t pixels_len;
    uint8_t *pixels = ru_png_pixels(spec, &pixels_len);
    unsigned ch = channels_of(spec->color_type);
    size_t stride = (size_t)spec->width * ch * (spec->bit_depth == 16 ? 2 : 1);

    tu_buf file = {0};
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_ignore_warning);
    assert_non_null(png);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    png_set_write_fn(png, &file, png_write_to_buf, png_flush_nothing);
    png_set_IHDR(png, info, spec->width, spec->height, spec->bit_depth, spec->color_type,
                 spec->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (spec->color_type == PNG_CT_PALETTE) {
        uint8_t pal[256][3], trns[256];
        uint16_t n, n_trns;
        ru_png_palette(spec, pal, &n, trns, &n_trns);
        png_color colors[256];
        for (unsigned i = 0; i < n; i++)
            colors[i] = (png_color){pal[i][0], pal[i][1], pal[i][2]};
        png_set_PLTE(png, info, colors, n);
        if (n_trns)
            png_set_tRNS(png, info, trns, n_trns, NULL);
    } else if (spec->trns && (spec->color_type == PNG_CT_GRAY || spec->color_type == PNG_CT_RGB)) {
        uint16_t max = spec->bit_depth == 16 ? 0xFFFFu : (uint16_t)((1u << spec->bit_depth) - 1);
        png_color_16 key = {0, (uint16_t)(3 & max), (uint16_t)(5 & max), (uint16_t)(7 & max),
                            (uint16_t)(1 & max)};
        if (spec->black_key)
            key = (png_color_16){0, 0, 0, 0, 0};
        png_set_tRNS(png, info, NULL, 0, &key);
    }
    if (spec->gama)
        png_set_gAMA_fixed(png, info, RU_GAMA);
    png_text text = {0};
    if (spec->text) {
        text.compression = PNG_TEXT_COMPRESSION_NONE;
        text.key = (png_charp)RU_TEXT_KEY;
        text.text = (png_charp)RU_TEXT_VALUE;
        png_set_text(png, info, &text, 1);
    }
    png_write_info(png, info);
    if (spec->bit_depth < 8)
        png_set_packing(png);
    if (spec->interlaced)
        (void)png_set_interlace_handling(png);
    png_bytep *rows = malloc(spec->height * sizeof *rows);
    assert_non_null(rows);
    for (uint32_t y = 0; y < spec->height; y++)
        rows[y] = pixels + (size_t)y * stride;
    png_write_image(png, rows);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(pixels);

    if (!spec->iccp) {
        *len = file.len;
        return file.data;
    }
    /* iCCP goes right after IHDR (signature 8 bytes + IHDR chunk 25 bytes). */
    const size_t after_ihdr = PNG_SIGNATURE_BYTES + PNG_CHUNK_OVERHEAD + 13;
    tu_buf with = {0};
    tu_buf_write(&with, file.data, after_ihdr);
    size_t iccp_len;
    const uint8_t *iccp = iccp_bytes(&iccp_len);
    ru_png_chunk_append(&with, "iCCP", iccp, (uint32_t)iccp_len);
    tu_buf_write(&with, file.data + after_ihdr, file.len - after_ihdr);
    tu_buf_free(&file);
    *len = with.len;
    return with.data;
}

png_raster *ru_png_decode(const uint8_t *png, size_t len)
{
    png_raster *img = NULL;
    int err = png_raster_decode(png, len, &img);
    if (err)
        fail_msg("png_raster_decode: %s (%d)", shroud_strerror(err), err);
    return img;
}

const uint8_t *ru_png_chunk(const uint8_t *png, size_t len, const char *type, size_t n,
                            uint32_t *data_len)
{
    png_chunk_reader r;
    assert_int_equal(png_chunks_begin(&r, png, len), SHROUD_OK);
    png_chunk c;
    int more;
    while ((more = png_chunks_next(&r, &c)) == 1)
        if (memcmp(c.type, type, 4) == 0 && n-- == 0) {
            *data_len = c.length;
            return c.data;
        }
    assert_int_equal(more, 0);
    return NULL;
}

size_t ru_png_chunk_count(const uint8_t *png, size_t len, const char *type)
{
    size_t n = 0;
    uint32_t ignored;
    while (ru_png_chunk(png, len, type, n, &ignored))
        n++;
    return n;
}

/* ---- keys -------------------------------------------------------------------------- */

shroud_identity *ru_native_identity(void)
{
    shroud_identity *id = NULL;
    assert_int_equal(shroud_identity_generate(&id), SHROUD_OK);
    return id;
}

shroud_identity *ru_rsa_identity(void)
{
    shroud_identity *id = NULL;
    assert_int_equal(shroud_identity_generate_rsa(&id, SHROUD_RSA_MIN_BITS), SHROUD_OK);
    return id;
}

shroud_recipient *ru_recipient_of(const shroud_identity *id)
{
    shroud_recipient *r = NULL;
    assert_int_equal(shroud_identity_recipient(id, &r), SHROUD_OK);
    return r;
}

int ru_pass_fn(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    (void)purpose;
    ru_pass *p = ctx;
    p->calls++;
    if (!p->pass)
        return 1;
    size_t n = strlen(p->pass);
    assert_true(n <= cap);
    memcpy(buf, p->pass, n);
    *len = n;
    return 0;
}

/* ---- redacting and restoring ------------------------------------------------------------ */

uint8_t *ru_redact(const uint8_t *image, size_t len, const ru_group *groups, size_t n_groups,
                   const ru_options *opts, size_t *out_len)
{
    shroud_redactor *r = NULL;
    int err = shroud_redactor_new(&r, image, len);
    if (err)
        fail_msg("shroud_redactor_new: %s (%d)", shroud_strerror(err), err);
    for (size_t g = 0; g < n_groups; g++) {
        const ru_group *gr = &groups[g];
        err = shroud_redactor_add_group(r, gr->name, gr->style, gr->regions, gr->n_regions,
                                        gr->recipients, gr->n_recipients, gr->pass,
                                        gr->pass ? strlen(gr->pass) : 0, RU_LOG_N);
        if (err)
            fail_msg("shroud_redactor_add_group(%s): %s (%d)", gr->name, shroud_strerror(err), err);
    }
    if (opts && opts->strip)
        assert_int_equal(shroud_redactor_strip_metadata(r, 1), SHROUD_OK);
    if (opts && opts->png_level)
        assert_int_equal(shroud_redactor_png_level(r, opts->png_level), SHROUD_OK);
    if (opts && opts->signer)
        assert_int_equal(shroud_redactor_sign(r, opts->signer), SHROUD_OK);
    uint8_t *out = NULL;
    err = shroud_redactor_finish(r, &out, out_len);
    if (err)
        fail_msg("shroud_redactor_finish: %s (%d)", shroud_strerror(err), err);
    shroud_redactor_free(r);
    assert_non_null(out);
    /* a plain malloc'd copy, so callers free everything with free() */
    uint8_t *copy = ru_dup(out, *out_len);
    shroud_free(out);
    return copy;
}

uint8_t *ru_redact_one(const uint8_t *image, size_t len, int style, const shroud_region *regions,
                       size_t n_regions, const shroud_recipient *r, size_t *out_len)
{
    const shroud_recipient *rs[1] = {r};
    ru_group g = {"default", style, regions, n_regions, rs, 1, NULL};
    return ru_redact(image, len, &g, 1, NULL, out_len);
}

uint8_t *ru_restore(const uint8_t *image, size_t len, const shroud_identity *const *ids,
                    size_t n_ids, ru_pass *pass, size_t *out_len, shroud_image_info **info)
{
    uint8_t *out = NULL;
    int err =
        shroud_restore(image, len, ids, n_ids, pass ? ru_pass_fn : NULL, pass, &out, out_len, info);
    if (err)
        fail_msg("shroud_restore: %s (%d)", shroud_strerror(err), err);
    assert_non_null(out);
    uint8_t *copy = ru_dup(out, *out_len);
    shroud_free(out);
    return copy;
}

int ru_restore_fails(const uint8_t *image, size_t len, const shroud_identity *const *ids,
                     size_t n_ids, ru_pass *pass, const int *allowed, size_t n_allowed,
                     const char *what)
{
    uint8_t sentinel = 0;
    uint8_t *out = &sentinel;
    size_t out_len = 12345;
    shroud_image_info *info = (shroud_image_info *)&sentinel;
    int err = shroud_restore(image, len, ids, n_ids, pass ? ru_pass_fn : NULL, pass, &out, &out_len,
                             &info);
    if (err == SHROUD_OK) {
        shroud_free(out);
        shroud_image_info_free(info);
        fail_msg("%s: restore succeeded", what);
    }
    if (out != NULL || out_len != 0 || info != NULL)
        fail_msg("%s: restore failed (%s) but returned something", what, shroud_strerror(err));
    for (size_t i = 0; i < n_allowed; i++)
        if (err == allowed[i])
            return err;
    fail_msg("%s: unexpected error %d (%s)", what, err, shroud_strerror(err));
    return err;
}

/* ---- the record inside a file ----------------------------------------------------------- */

uint8_t *ru_payload(const uint8_t *image, size_t len, int kind, size_t *payload_len)
{
    image_embedded e;
    int err = image_embedded_find(image, len, &e);
    if (err)
        fail_msg("image_embedded_find: %s", shroud_strerror(err));
    uint8_t *p = NULL;
    *payload_len = 0;
    if (e.payload[kind]) {
        p = ru_dup(e.payload[kind], e.payload_len[kind]);
        *payload_len = e.payload_len[kind];
    }
    image_embedded_free(&e);
    return p;
}

uint8_t *ru_with_payload(const uint8_t *image, size_t len, int kind, const uint8_t *payload,
                         size_t payload_len, size_t *out_len)
{
    image_embedded e;
    int err = image_embedded_find(image, len, &e);
    if (err)
        fail_msg("image_embedded_find: %s", shroud_strerror(err));
    bytebuf out = {0};
    err =
        image_embedded_rewrite(image, len, &e, EMBED_MASK(kind), kind, payload, payload_len, &out);
    image_embedded_free(&e);
    if (err)
        fail_msg("image_embedded_rewrite: %s", shroud_strerror(err));
    *out_len = out.len;
    return out.data;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t ru_layout_len(const uint8_t *payload, size_t len)
{
    assert_true(len >= 19);
    size_t pos = 19;
    for (unsigned g = 0; g < payload[18]; g++) {
        assert_true(pos < len);
        pos += 1 + payload[pos];
        assert_true(pos + 3 <= len);
        size_t regions = (size_t)payload[pos + 1] << 8 | payload[pos + 2];
        pos += 3 + 16 * regions;
    }
    assert_true(pos <= len);
    return pos;
}

void ru_envelope_at(const uint8_t *payload, size_t len, unsigned g, size_t *offset, size_t *env_len)
{
    size_t pos = ru_layout_len(payload, len);
    for (unsigned i = 0;; i++) {
        assert_true(pos + 4 <= len);
        size_t n = be32(payload + pos);
        if (i == g) {
            *offset = pos;
            *env_len = n;
            return;
        }
        pos += 4 + n;
    }
}

size_t ru_blocks(const uint8_t *image, size_t len, int kind, size_t *offsets, size_t *sizes,
                 size_t cap)
{
    image_embedded e;
    assert_int_equal(image_embedded_find(image, len, &e), SHROUD_OK);
    size_t n = 0;
    for (size_t i = 0; i < e.ranges_len; i++) {
        if (e.ranges[i].kind != kind)
            continue;
        assert_true(n < cap);
        offsets[n] = e.ranges[i].offset;
        sizes[n] = e.ranges[i].size;
        n++;
    }
    image_embedded_free(&e);
    return n;
}

/* ---- comparing images ------------------------------------------------------------------- */

static int is_jpeg(const uint8_t *image, size_t len)
{
    return image_sniff(image, len) == IMAGE_FORMAT_JPEG;
}

static shroud_region cover_of(const jpeg_info *in, const shroud_region *r)
{
    uint32_t mw = 8u * in->max_h_samp, mh = 8u * in->max_v_samp;
    uint64_t x1 = ((uint64_t)r->x + r->w + mw - 1) / mw * mw;
    uint64_t y1 = ((uint64_t)r->y + r->h + mh - 1) / mh * mh;
    shroud_region c = {r->x / mw * mw, r->y / mh * mh, 0, 0};
    c.w = (uint32_t)(x1 < in->width ? x1 : in->width) - c.x;
    c.h = (uint32_t)(y1 < in->height ? y1 : in->height) - c.y;
    return c;
}

shroud_region ru_cover(const uint8_t *image, size_t len, const shroud_region *r)
{
    if (!is_jpeg(image, len))
        return *r;
    jpeg_coeffs *j = ju_read(image, len);
    shroud_region c = cover_of(jpeg_coeffs_info(j), r);
    jpeg_coeffs_free(j);
    return c;
}

/* 1 if block (row, col) of component c lies under the covered rectangle cov. */
static int under(const jpeg_info *in, int c, uint32_t row, uint32_t col, const shroud_region *cov)
{
    uint32_t mw = 8u * in->max_h_samp, mh = 8u * in->max_v_samp;
    const jpeg_comp_geometry *g = &in->comp[c];
    uint32_t bx0 = cov->x / mw * g->h_samp, by0 = cov->y / mh * g->v_samp;
    uint32_t bx1 = (cov->x + cov->w + mw - 1) / mw * g->h_samp;
    uint32_t by1 = (cov->y + cov->h + mh - 1) / mh * g->v_samp;
    return col >= bx0 && col < bx1 && row >= by0 && row < by1;
}

/* Walks the blocks of a and b; inside (1) or outside (0) the covered
 * rectangles of the regions. Returns the number of differing blocks there. */
static size_t jpeg_diff_where(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                              const shroud_region *regions, size_t n, int inside)
{
    jpeg_coeffs *ja = ju_read(a, a_len), *jb = ju_read(b, b_len);
    const jpeg_info *in = jpeg_coeffs_info(ja), *ib = jpeg_coeffs_info(jb);
    assert_int_equal(in->width, ib->width);
    assert_int_equal(in->height, ib->height);
    assert_int_equal(in->components, ib->components);
    shroud_region *cov = malloc((n ? n : 1) * sizeof *cov);
    assert_non_null(cov);
    for (size_t i = 0; i < n; i++)
        cov[i] = cover_of(in, &regions[i]);
    size_t diff = 0;
    for (int c = 0; c < in->components; c++)
        for (uint32_t row = 0; row < in->comp[c].height_in_blocks; row++) {
            JPEG_BLOCK *ra = jpeg_coeffs_row(ja, c, row), *rb = jpeg_coeffs_row(jb, c, row);
            assert_non_null(ra);
            assert_non_null(rb);
            for (uint32_t col = 0; col < in->comp[c].width_in_blocks; col++) {
                int in_any = 0;
                for (size_t i = 0; i < n && !in_any; i++)
                    in_any = under(in, c, row, col, &cov[i]);
                if (in_any == inside && memcmp(ra[col], rb[col], sizeof(JPEG_BLOCK)) != 0)
                    diff++;
            }
        }
    free(cov);
    jpeg_coeffs_free(ja);
    jpeg_coeffs_free(jb);
    return diff;
}

/* The same for PNG pixels. */
static size_t png_diff_where(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                             const shroud_region *regions, size_t n, int inside)
{
    png_raster *pa = ru_png_decode(a, a_len), *pb = ru_png_decode(b, b_len);
    assert_int_equal(pa->width, pb->width);
    assert_int_equal(pa->height, pb->height);
    assert_int_equal(pa->pixel_bytes, pb->pixel_bytes);
    size_t diff = 0;
    for (uint32_t y = 0; y < pa->height; y++)
        for (uint32_t x = 0; x < pa->width; x++)
            if (ru_inside(regions, n, x, y) == inside &&
                memcmp(png_raster_pixel(pa, x, y), png_raster_pixel(pb, x, y), pa->pixel_bytes))
                diff++;
    png_raster_free(pa);
    png_raster_free(pb);
    return diff;
}

int ru_same_inside(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                   const shroud_region *r)
{
    size_t diff = is_jpeg(a, a_len) ? jpeg_diff_where(a, a_len, b, b_len, r, 1, 1)
                                    : png_diff_where(a, a_len, b, b_len, r, 1, 1);
    return diff == 0;
}

void ru_assert_same_outside(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                            const shroud_region *regions, size_t n, const char *what)
{
    size_t diff = is_jpeg(a, a_len) ? jpeg_diff_where(a, a_len, b, b_len, regions, n, 0)
                                    : png_diff_where(a, a_len, b, b_len, regions, n, 0);
    if (diff)
        fail_msg("%s: %zu %s outside the regions differ", what, diff,
                 is_jpeg(a, a_len) ? "blocks" : "pixels");
}

void ru_assert_same_image(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                          const char *what)
{
    if (is_jpeg(a, a_len)) {
        assert_true(is_jpeg(b, b_len));
        jpeg_coeffs *ja = ju_read(a, a_len), *jb = ju_read(b, b_len);
        size_t diff = ju_coeffs_diff(ja, jb, NULL, NULL, NULL);
        jpeg_coeffs_free(ja);
        jpeg_coeffs_free(jb);
        if (diff)
            fail_msg("%s: %zu blocks differ", what, diff);
        ju_image ia, ib;
        if (ju_decode(a, a_len, &ia) != 0 || ju_decode(b, b_len, &ib) != 0)
            fail_msg("%s: a file does not decode cleanly", what);
        if (ia.width != ib.width || ia.height != ib.height || ia.components != ib.components ||
            memcmp(ia.pixels, ib.pixels, (size_t)ia.width * ia.height * (size_t)ia.components))
            fail_msg("%s: decoded pixels differ", what);
        ju_image_free(&ia);
        ju_image_free(&ib);
        return;
    }
    png_raster *pa = ru_png_decode(a, a_len), *pb = ru_png_decode(b, b_len);
    if (pa->width != pb->width || pa->height != pb->height || pa->bit_depth != pb->bit_depth ||
        pa->color_type != pb->color_type || pa->palette_len != pb->palette_len ||
        memcmp(pa->palette, pb->palette, sizeof pa->palette) != 0 || pa->trns_len != pb->trns_len ||
        memcmp(pa->trns, pb->trns, pa->trns_len) != 0)
        fail_msg("%s: image format differs", what);
    if (memcmp(pa->pixels, pb->pixels, pa->stride * pa->height) != 0)
        fail_msg("%s: pixels differ", what);
    png_raster_free(pa);
    png_raster_free(pb);
}
