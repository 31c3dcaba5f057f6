/* jpeg_util.c — test JPEGs in memory, decoding, coefficient comparison, CLI tools. */
#include "jpeg_util.h"

#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>

#include "shroud.h"

#define DEFAULT_WIDTH 64
#define DEFAULT_HEIGHT 48
#define ICC_CHUNK 1000 /* bytes of fake profile per APP2 segment */
#define EXIF_BYTES 100

/* ---- pixels -------------------------------------------------------------- */

static uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

static uint8_t clamp255(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

uint8_t *ju_pattern(uint32_t w, uint32_t h, int comps, unsigned seed)
{
    uint8_t *p = malloc((size_t)w * h * (size_t)comps + 1);
    assert_non_null(p);
    uint32_t wd = w > 1 ? w - 1 : 1, hd = h > 1 ? h - 1 : 1;
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            int checker = ((x / 4 + y / 4 + seed) & 1) ? 24 : -24;
            int64_t dx = (int64_t)x - w / 2, dy = (int64_t)y - h / 2;
            int ring = ((dx * dx + dy * dy) / 37 + seed) & 16 ? 30 : 0;
            for (int c = 0; c < comps; c++) {
                int base;
                switch (c) {
                case 0:
                    base = (int)(x * 255 / wd);
                    break;
                case 1:
                    base = (int)(y * 255 / hd);
                    break;
                case 2:
                    base = (int)((x + y) * 255 / (wd + hd));
                    break;
                default:
                    base = 96 + (int)((x * y) % 64);
                    break;
                }
                uint32_t hv =
                    hash32(x * 7919u + y * 104729u + (uint32_t)c * 31u + seed * 2654435761u);
                int noise = (int)(hv % 33) - 16;
                int texture = c == 0 ? checker + ring : (c == 1 ? ring : checker / 2);
                p[((size_t)y * w + x) * (size_t)comps + (size_t)c] =
                    clamp255(base + texture + noise);
            }
        }
    }
    return p;
}

/* ---- libjpeg errors -------------------------------------------------------- */

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jmp;
    int fatal_is_test_failure; /* ju_make: fail the test; ju_decode: return -1 */
    int warned;
} ju_err;

static void ju_error_exit(j_common_ptr cinfo)
{
    ju_err *e = (ju_err *)cinfo->err;
    char msg[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, msg);
    if (e->fatal_is_test_failure)
        fail_msg("libjpeg: %s", msg);
    longjmp(e->jmp, 1);
}

static void ju_emit_message(j_common_ptr cinfo, int level)
{
    if (level < 0)
        ((ju_err *)cinfo->err)->warned = 1;
}

static void ju_output_message(j_common_ptr cinfo)
{
    (void)cinfo;
}

static struct jpeg_error_mgr *ju_err_init(ju_err *e, int fatal_is_test_failure)
{
    memset(e, 0, sizeof *e);
    jpeg_std_error(&e->pub);
    e->pub.error_exit = ju_error_exit;
    e->pub.emit_message = ju_emit_message;
    e->pub.output_message = ju_output_message;
    e->fatal_is_test_failure = fatal_is_test_failure;
    return &e->pub;
}

/* ---- making files ------------------------------------------------------------ */

static void write_markers(j_compress_ptr c, const ju_spec *s)
{
    if (s->exif) {
        uint8_t exif[EXIF_BYTES] = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8};
        /* IFD0 with no entries and no next IFD (a thumbnail's IFD1 would make
         * shroud leave the segment out), then filler */
        for (size_t i = 20; i < sizeof exif; i++)
            exif[i] = (uint8_t)(i * 3);
        jpeg_write_marker(c, JPEG_APP0 + 1, exif, sizeof exif);
    }
    if (s->icc) {
        static const char tag[] = "ICC_PROFILE";
        uint8_t seg[sizeof tag + 2 + ICC_CHUNK];
        for (int k = 0; k < 2; k++) {
            memcpy(seg, tag, sizeof tag); /* with its NUL */
            seg[sizeof tag] = (uint8_t)(k + 1);
            seg[sizeof tag + 1] = 2;
            for (size_t i = 0; i < ICC_CHUNK; i++)
                seg[sizeof tag + 2 + i] = (uint8_t)(i + (size_t)k * 7);
            jpeg_write_marker(c, JPEG_APP0 + 2, seg, sizeof seg);
        }
    }
    if (s->comment) {
        static const char text[] = "shroud test comment";
        jpeg_write_marker(c, JPEG_COM, (const JOCTET *)text, sizeof text - 1);
    }
    for (size_t i = 0; i < s->n_extra; i++)
        jpeg_write_marker(c, s->extra[i].marker, s->extra[i].data, (unsigned)s->extra[i].len);
}

uint8_t *ju_make(const ju_spec *spec, size_t *len)
{
    ju_spec s = *spec;
    if (!s.width)
        s.width = DEFAULT_WIDTH;
    if (!s.height)
        s.height = DEFAULT_HEIGHT;
    if (!s.components)
        s.components = 3;
    uint8_t *pixels = ju_pattern(s.width, s.height, s.components, s.seed);

    struct jpeg_compress_struct c;
    ju_err err;
    c.err = ju_err_init(&err, 1);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long out_len = 0;
    jpeg_mem_dest(&c, &out, &out_len);
    c.image_width = s.width;
    c.image_height = s.height;
    c.input_components = s.components;
    c.in_color_space = s.components == 1 ? JCS_GRAYSCALE : s.components == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&c);
    if (s.quality)
        jpeg_set_quality(&c, s.quality, TRUE);
    for (int i = 0; i < c.num_components && i < 4; i++) {
        if (s.h_samp[i])
            c.comp_info[i].h_samp_factor = s.h_samp[i];
        if (s.v_samp[i])
            c.comp_info[i].v_samp_factor = s.v_samp[i];
        if ((s.h_samp[0] || s.v_samp[0]) && !s.h_samp[i])
            c.comp_info[i].h_samp_factor = 1;
        if ((s.h_samp[0] || s.v_samp[0]) && !s.v_samp[i])
            c.comp_info[i].v_samp_factor = 1;
    }
    if (s.progressive)
        jpeg_simple_progression(&c);
    c.optimize_coding = s.optimize ? TRUE : FALSE;
    c.arith_code = s.arithmetic ? TRUE : FALSE;
    if (s.restart_rows)
        c.restart_in_rows = (int)s.restart_rows;
    else
        c.restart_interval = s.restart_mcus;
    if (s.no_jfif)
        c.write_JFIF_header = FALSE;
    jpeg_start_compress(&c, TRUE);
    write_markers(&c, &s);
    size_t stride = (size_t)s.width * (size_t)s.components;
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = pixels + (size_t)c.next_scanline * stride;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(pixels);
    assert_false(err.warned);
    *len = out_len;
    return out;
}

/* ---- decoding ------------------------------------------------------------------ */

int ju_decode(const uint8_t *jpeg, size_t len, ju_image *img)
{
    memset(img, 0, sizeof *img);
    struct jpeg_decompress_struct d;
    ju_err err;
    d.err = ju_err_init(&err, 0);
    jpeg_create_decompress(&d);
    if (setjmp(err.jmp)) {
        jpeg_destroy_decompress(&d);
        ju_image_free(img);
        return -1;
    }
    jpeg_mem_src(&d, jpeg, (unsigned long)len);
    jpeg_read_header(&d, TRUE);
    jpeg_start_decompress(&d);
    img->width = d.output_width;
    img->height = d.output_height;
    img->components = d.output_components;
    size_t stride = (size_t)d.output_width * (size_t)d.output_components;
    img->pixels = malloc(stride * d.output_height + 1);
    assert_non_null(img->pixels);
    while (d.output_scanline < d.output_height) {
        JSAMPROW row = img->pixels + (size_t)d.output_scanline * stride;
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    if (err.warned) {
        ju_image_free(img);
        return -1;
    }
    return 0;
}

void ju_image_free(ju_image *img)
{
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

/* ---- coefficients ------------------------------------------------------------------ */

static void set_loc(int *c, uint32_t *row, uint32_t *col, int cv, uint32_t rv, uint32_t colv)
{
    if (c)
        *c = cv;
    if (row)
        *row = rv;
    if (col)
        *col = colv;
}

size_t ju_coeffs_diff(jpeg_coeffs *a, jpeg_coeffs *b, int *c, uint32_t *row, uint32_t *col)
{
    const jpeg_info *ia = jpeg_coeffs_info(a), *ib = jpeg_coeffs_info(b);
    set_loc(c, row, col, -1, 0, 0);
    if (ia->width != ib->width || ia->height != ib->height || ia->components != ib->components)
        return SIZE_MAX;
    size_t n = 0;
    for (int ci = 0; ci < ia->components; ci++) {
        const jpeg_comp_geometry *ga = &ia->comp[ci], *gb = &ib->comp[ci];
        if (ga->width_in_blocks != gb->width_in_blocks ||
            ga->height_in_blocks != gb->height_in_blocks || ga->h_samp != gb->h_samp ||
            ga->v_samp != gb->v_samp)
            return SIZE_MAX;
        for (uint32_t r = 0; r < ga->height_in_blocks; r++) {
            JPEG_BLOCK *ra = jpeg_coeffs_row(a, ci, r), *rb = jpeg_coeffs_row(b, ci, r);
            assert_non_null(ra);
            assert_non_null(rb);
            for (uint32_t k = 0; k < ga->width_in_blocks; k++) {
                if (memcmp(ra[k], rb[k], sizeof(JPEG_BLOCK)) == 0)
                    continue;
                if (n++ == 0)
                    set_loc(c, row, col, ci, r, k);
            }
        }
    }
    return n;
}

jpeg_coeffs *ju_read(const uint8_t *jpeg, size_t len)
{
    jpeg_coeffs *j = NULL;
    int err = jpeg_coeffs_read(jpeg, len, &j);
    if (err)
        fail_msg("jpeg_coeffs_read: %s (%d)", shroud_strerror(err), err);
    return j;
}

int ju_write(jpeg_coeffs *j, const jpeg_write_options *opts, bytebuf *out)
{
    memset(out, 0, sizeof *out);
    jpeg_write_options o;
    if (!opts) {
        jpeg_coeffs_input_options(j, &o);
        opts = &o;
    }
    return jpeg_coeffs_write(j, opts, out);
}

/* ---- command-line tools ---------------------------------------------------------------- */

int ju_have_tool(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/* A fresh temporary file name (the file exists, empty). */
static void temp_path(char *path, size_t cap, const char *what)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, cap, "%s/shroud_ju_%s_XXXXXX", dir && *dir ? dir : "/tmp", what);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static void put_file(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

void ju_assert_decodes(const uint8_t *jpeg, size_t len, const char *what)
{
    ju_image img;
    if (ju_decode(jpeg, len, &img) != 0)
        fail_msg("%s: libjpeg does not decode it cleanly", what);
    ju_image_free(&img);
    if (ju_djpeg(jpeg, len, NULL) < 0)
        fail_msg("%s: djpeg does not decode it cleanly", what);
}

int ju_djpeg(const uint8_t *jpeg, size_t len, tu_buf *pnm)
{
    if (!ju_have_tool("djpeg"))
        return 1;
    char in[256], out[256], errs[256], cmd[1024];
    temp_path(in, sizeof in, "in");
    temp_path(out, sizeof out, "out");
    temp_path(errs, sizeof errs, "err");
    put_file(in, jpeg, len);
    snprintf(cmd, sizeof cmd, "djpeg -pnm '%s' > '%s' 2> '%s'", in, out, errs);
    int rc = system(cmd);
    size_t err_len = 0, out_len = 0;
    uint8_t *err_text = tu_read_file(errs, &err_len);
    uint8_t *decoded = tu_read_file(out, &out_len);
    unlink(in);
    unlink(out);
    unlink(errs);
    free(err_text);
    if (rc != 0 || err_len != 0) {
        free(decoded);
        return -1;
    }
    if (pnm) {
        *pnm = (tu_buf){0};
        tu_buf_write(pnm, decoded, out_len);
    }
    free(decoded);
    return 0;
}

uint8_t *ju_cjpeg(const char *args, uint32_t w, uint32_t h, int comps, unsigned seed, size_t *len)
{
    if (!ju_have_tool("cjpeg"))
        return NULL;
    assert_true(comps == 1 || comps == 3);
    char in[256], out[256], cmd[1024];
    temp_path(in, sizeof in, "pnm");
    temp_path(out, sizeof out, "jpg");
    uint8_t *pixels = ju_pattern(w, h, comps, seed);
    char head[64];
    int n = snprintf(head, sizeof head, "P%c\n%u %u\n255\n", comps == 1 ? '5' : '6', w, h);
    tu_buf file = {0};
    tu_buf_write(&file, (const uint8_t *)head, (size_t)n);
    tu_buf_write(&file, pixels, (size_t)w * h * (size_t)comps);
    put_file(in, file.data, file.len);
    tu_buf_free(&file);
    free(pixels);
    snprintf(cmd, sizeof cmd, "cjpeg %s '%s' > '%s' 2>/dev/null", args, in, out);
    int rc = system(cmd);
    uint8_t *jpeg = tu_read_file(out, len);
    unlink(in);
    unlink(out);
    if (rc != 0)
        fail_msg("cjpeg %s failed", args);
    return jpeg;
}

size_t ju_find_marker(const uint8_t *jpeg, size_t len, uint8_t marker)
{
    size_t pos = 2;
    while (pos + 4 <= len && jpeg[pos] == 0xFF) {
        if (jpeg[pos + 1] == 0xFF) { /* a fill byte */
            pos++;
            continue;
        }
        uint8_t m = jpeg[pos + 1];
        if (m == marker)
            return pos;
        if (m == 0xDA)
            break;
        pos += 2 + ((size_t)jpeg[pos + 2] << 8 | jpeg[pos + 3]);
    }
    return SIZE_MAX;
}
