/*
 * redact_bench.c — in-process timings of shroud's image redaction and of the
 * baselines it is judged against.
 *
 *   redact_bench [-m MIN_RUNS] [-M MAX_RUNS] [-b BUDGET_S] [-only WHAT] IMAGE X,Y,W,H...
 *   redact_bench synth W H OUT.ppm OUT.png
 *
 * IMAGE is a JPEG or a PNG file, read into memory once. One group with the
 * given regions (style noise, the CLI's default) is sealed to one native
 * X25519 recipient generated here (no passphrase: no scrypt in the timings).
 * Each iteration times, one after the other in the same conditions:
 *
 *  every image:
 *   redact   shroud_redactor_new + _add_group + _finish + _free (the whole
 *            public redaction path, memory to memory)
 *   restore  shroud_restore of the redacted file with the identity
 *  JPEG:
 *   coef     libjpeg-turbo alone: jpeg_read_header + jpeg_read_coefficients,
 *            jpeg_copy_critical_parameters (the default copy of the tables,
 *            default Huffman coding), jpeg_write_coefficients to memory
 *            (jpeg_mem_dest), every APPn/COM marker copied as jpegtran
 *            -copy all does. The floor of any DCT-domain pass.
 *   sread    shroud's internal reader as redact calls it:
 *            jpeg_coeffs_read_regions with the regions (for a sequential
 *            file the splice: only the regions' MCUs decoded into blocks)
 *   swrite   its writer as redact calls it, on unmodified coefficients:
 *            jpeg_coeffs_write_spliced, or for a file read in full
 *            jpeg_coeffs_write with the options redact uses
 *  PNG:
 *   decode   shroud's internal png_raster_decode (libpng)
 *   encode   shroud's internal png_raster_encode at PNG_DEFAULT_LEVEL
 *            (the encoder and level redact uses)
 *   lpng     libpng's own writer with its defaults (zlib level 6, adaptive
 *            filters), to memory, from the decoded rows: for context
 *
 * One untimed warm-up iteration first. Iterations go on until at least
 * MIN_RUNS (default 5) are done and BUDGET_S seconds (default 15) have
 * passed, or MAX_RUNS (default 31) are done. Times are CLOCK_MONOTONIC,
 * reported as the median over the iterations, in milliseconds. The
 * warm-up also checks the result once: a restored JPEG must be
 * byte-identical to the input (true for files libjpeg wrote with their
 * markers first), a restored PNG must decode to the input's pixels.
 *
 * -only redact|restore|coef times only that (for perf record).
 *
 * Output: one line of key=value pairs, for run.sh to parse.
 *
 * synth writes a synthetic W x H RGB image (smooth gradients, waves and
 * fine texture) as binary PPM and as PNG, for when the test photos are
 * missing.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jpeglib.h>
#include <png.h>

#include "crypto/bytebuf.h"
#include "image/jpeg_coeffs.h"
#include "image/png_raster.h"
#include "shroud.h"

#define BENCH_NAME "redact_bench"
#include "../bench_util.h"

#define MAX_REGIONS 64
#define HARD_MAX_RUNS 1001

/* ---- shroud's public API ---- */

typedef struct {
    const uint8_t *image;
    size_t len;
    const shroud_region *regions;
    size_t n_regions;
    const shroud_recipient *recipient;
    const shroud_identity *identity;
} job;

/* Redacts j->image; returns the redacted file (free with shroud_free). */
static uint8_t *do_redact(const job *j, size_t *out_len)
{
    shroud_redactor *r = NULL;
    uint8_t *out = NULL;
    check("shroud_redactor_new", shroud_redactor_new(&r, j->image, j->len));
    check("shroud_redactor_add_group",
          shroud_redactor_add_group(r, "default", SHROUD_STYLE_NOISE, j->regions, j->n_regions,
                                    &j->recipient, 1, NULL, 0, 0));
    check("shroud_redactor_finish", shroud_redactor_finish(r, &out, out_len));
    shroud_redactor_free(r);
    return out;
}

static uint8_t *do_restore(const job *j, const uint8_t *redacted, size_t len, size_t *out_len)
{
    uint8_t *out = NULL;
    check("shroud_restore",
          shroud_restore(redacted, len, &j->identity, 1, NULL, NULL, &out, out_len, NULL));
    return out;
}

/* ---- libjpeg-turbo alone: coefficients in, coefficients out ---- */

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jmp;
} lj_error;

static void lj_error_exit(j_common_ptr c)
{
    char msg[JMSG_LENGTH_MAX];
    (*c->err->format_message)(c, msg);
    fprintf(stderr, "redact_bench: libjpeg: %s\n", msg);
    exit(1);
}

/* jpegtran -copy all, in memory: returns the output size. */
static size_t coef_read_write(const uint8_t *buf, size_t len)
{
    struct jpeg_decompress_struct d;
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr de, ce;
    d.err = jpeg_std_error(&de);
    de.error_exit = lj_error_exit;
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, buf, (unsigned long)len);
    jpeg_save_markers(&d, JPEG_COM, 0xFFFF);
    for (int m = 0; m < 16; m++)
        jpeg_save_markers(&d, JPEG_APP0 + m, 0xFFFF);
    jpeg_read_header(&d, TRUE);
    jvirt_barray_ptr *coefs = jpeg_read_coefficients(&d);

    c.err = jpeg_std_error(&ce);
    ce.error_exit = lj_error_exit;
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long out_len = 0;
    jpeg_mem_dest(&c, &out, &out_len);
    jpeg_copy_critical_parameters(&d, &c);
    jpeg_write_coefficients(&c, coefs);
    /* as jcopy_markers_execute (transupp.c): skip what libjpeg writes itself */
    for (jpeg_saved_marker_ptr m = d.marker_list; m; m = m->next) {
        if (c.write_JFIF_header && m->marker == JPEG_APP0 && m->data_length >= 5 &&
            memcmp(m->data, "JFIF", 5) == 0)
            continue;
        if (c.write_Adobe_marker && m->marker == JPEG_APP0 + 14 && m->data_length >= 5 &&
            memcmp(m->data, "Adobe", 5) == 0)
            continue;
        jpeg_write_marker(&c, m->marker, m->data, m->data_length);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    size_t n = out_len;
    free(out);
    return n;
}

/* ---- shroud's internal JPEG reader and writer ---- */

static jpeg_coeffs *shroud_jpeg_read(const job *jb)
{
    jpeg_coeffs *j = NULL;
    check("jpeg_coeffs_read_regions",
          jpeg_coeffs_read_regions(jb->image, jb->len, jb->regions, jb->n_regions, &j));
    return j;
}

/* Writes j with the options redact uses for the redacted file (redact.c:
 * jpeg_original_coding, then given tables become optimized ones). */
static size_t shroud_jpeg_write(jpeg_coeffs *j)
{
    jpeg_write_options o;
    jpeg_coeffs_input_options(j, &o);
    if (o.progressive || o.arithmetic)
        o.huffman = JPEG_HUFF_OPTIMIZE;
    else if (jpeg_huff_set_is_standard(jpeg_coeffs_huffman(j)))
        o.huffman = JPEG_HUFF_STANDARD;
    if (o.huffman == JPEG_HUFF_GIVEN)
        o.huffman = JPEG_HUFF_OPTIMIZE;
    bytebuf out = {0};
    if (jpeg_coeffs_is_spliced(j))
        check("jpeg_coeffs_write_spliced",
              jpeg_coeffs_write_spliced(j, JPEG_MARKERS_NO_PREVIEWS, &out));
    else
        check("jpeg_coeffs_write", jpeg_coeffs_write(j, &o, &out));
    size_t n = out.len;
    free(out.data);
    return n;
}

static const char *huffman_mode(jpeg_coeffs *j)
{
    const jpeg_info *in = jpeg_coeffs_info(j);
    if (in->progressive || in->arithmetic)
        return in->progressive ? "progressive" : "arithmetic";
    return jpeg_huff_set_is_standard(jpeg_coeffs_huffman(j)) ? "standard" : "optimized";
}

/* ---- PNG ---- */

static png_raster *shroud_png_decode(const uint8_t *buf, size_t len)
{
    png_raster *img = NULL;
    check("png_raster_decode", png_raster_decode(buf, len, &img));
    return img;
}

static size_t shroud_png_encode(const png_raster *img)
{
    bytebuf out = {0};
    check("png_raster_encode", png_raster_encode(img, NULL, 0, PNG_DEFAULT_LEVEL, &out));
    size_t n = out.len;
    free(out.data);
    return n;
}

static void lp_write(png_structp p, png_bytep data, size_t n)
{
    if (bytebuf_write(png_get_io_ptr(p), data, n))
        png_error(p, "out of memory");
}

static void lp_flush(png_structp p)
{
    (void)p;
}

static void lp_error(png_structp p, png_const_charp msg)
{
    (void)p;
    die("libpng", msg);
}

/* libpng's writer with its defaults; rows from img. Returns the size. */
static size_t libpng_write(const png_raster *img)
{
    if (img->color_type == PNG_CT_PALETTE || img->bit_depth < 8)
        return 0; /* only the common truecolour/gray case is needed here */
    bytebuf out = {0};
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, lp_error, NULL);
    png_infop info = p ? png_create_info_struct(p) : NULL;
    png_bytep *rows = malloc(img->height * sizeof *rows);
    if (!p || !info || !rows)
        die("libpng", "out of memory");
    for (uint32_t y = 0; y < img->height; y++)
        rows[y] = img->pixels + (size_t)y * img->stride;
    png_set_write_fn(p, &out, lp_write, lp_flush);
    png_set_IHDR(p, info, img->width, img->height, img->bit_depth, img->color_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    png_write_image(p, rows);
    png_write_end(p, NULL);
    png_destroy_write_struct(&p, &info);
    free(rows);
    size_t n = out.len;
    free(out.data);
    return n;
}

/* ---- synthetic stand-in images ---- */

static int synth(int argc, char **argv)
{
    if (argc != 6)
        die("usage", "redact_bench synth W H OUT.ppm OUT.png");
    long w = strtol(argv[2], NULL, 10), h = strtol(argv[3], NULL, 10);
    if (w < 16 || h < 16 || w > 16384 || h > 16384)
        die("synth", "W and H must be 16..16384");
    size_t stride = (size_t)w * 3;
    uint8_t *px = malloc(stride * (size_t)h);
    if (!px)
        die("synth", "out of memory");
    uint32_t x32 = 2463534242u; /* xorshift32 texture */
    for (long y = 0; y < h; y++)
        for (long x = 0; x < w; x++) {
            x32 ^= x32 << 13;
            x32 ^= x32 >> 17;
            x32 ^= x32 << 5;
            double u = (double)x / (double)w, v = (double)y / (double)h;
            /* overlapping integer "waves" so blocks have real AC content */
            long t1 = ((x * 7 + y * 3) % 97) - 48, t2 = ((x * x / 64 + y * 5) % 61) - 30;
            int noise = (int)(x32 % 17) - 8;
            long r = (long)(255 * u) + t1 + noise, g = (long)(255 * v) + t2 + noise,
                 b = (long)(128 + 100 * (u - v)) + (t1 + t2) / 2 + noise;
            uint8_t *p = px + (size_t)y * stride + (size_t)x * 3;
            p[0] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
            p[1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
            p[2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
        }
    FILE *f = fopen(argv[4], "wb");
    if (!f)
        die(argv[4], "cannot create");
    fprintf(f, "P6\n%ld %ld\n255\n", w, h);
    fwrite(px, 1, stride * (size_t)h, f);
    if (fclose(f) != 0)
        die(argv[4], "write error");
    png_raster img;
    memset(&img, 0, sizeof img);
    img.width = (uint32_t)w;
    img.height = (uint32_t)h;
    img.bit_depth = 8;
    img.color_type = PNG_CT_RGB;
    img.channels = 3;
    img.sample_bytes = 1;
    img.pixel_bytes = 3;
    img.stride = stride;
    img.pixels = px;
    bytebuf out = {0};
    check("png_raster_encode", png_raster_encode(&img, NULL, 0, PNG_DEFAULT_LEVEL, &out));
    f = fopen(argv[5], "wb");
    if (!f)
        die(argv[5], "cannot create");
    fwrite(out.data, 1, out.len, f);
    if (fclose(f) != 0)
        die(argv[5], "write error");
    free(out.data);
    free(px);
    return 0;
}

/* ---- main ---- */

enum { T_REDACT, T_RESTORE, T_COEF, T_SREAD, T_SWRITE, T_DECODE, T_ENCODE, T_LPNG, T_COUNT };
static const char *const t_name[T_COUNT] = {"redact", "restore", "coef",   "sread",
                                            "swrite", "decode",  "encode", "lpng"};

static int parse_region(const char *s, shroud_region *r)
{
    unsigned long v[4];
    char tail;
    if (sscanf(s, "%lu,%lu,%lu,%lu%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
        return -1;
    r->x = (uint32_t)v[0];
    r->y = (uint32_t)v[1];
    r->w = (uint32_t)v[2];
    r->h = (uint32_t)v[3];
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "synth") == 0)
        return synth(argc, argv);
    int min_runs = 5, max_runs = 31;
    double budget = 15;
    const char *only = NULL;
    int a = 1;
    for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
        if (strcmp(argv[a], "-m") == 0)
            min_runs = atoi(argv[a + 1]);
        else if (strcmp(argv[a], "-M") == 0)
            max_runs = atoi(argv[a + 1]);
        else if (strcmp(argv[a], "-b") == 0)
            budget = atof(argv[a + 1]);
        else if (strcmp(argv[a], "-only") == 0)
            only = argv[a + 1];
        else
            break;
    }
    if (argc - a < 2 || min_runs < 1 || max_runs < min_runs || max_runs > HARD_MAX_RUNS ||
        argc - a - 1 > MAX_REGIONS) {
        fprintf(stderr, "usage: redact_bench [-m MIN_RUNS] [-M MAX_RUNS] [-b BUDGET_S] "
                        "[-only redact|restore|coef] IMAGE X,Y,W,H...\n"
                        "       redact_bench synth W H OUT.ppm OUT.png\n");
        return 2;
    }
    const char *path = argv[a++];
    shroud_region regions[MAX_REGIONS];
    size_t n_regions = 0;
    for (; a < argc; a++)
        if (parse_region(argv[a], &regions[n_regions++]))
            die(argv[a], "a region is X,Y,W,H");

    size_t len;
    uint8_t *image = read_file(path, &len);
    int is_png = len >= 8 && memcmp(image, "\x89PNG", 4) == 0;
    int is_jpeg = len >= 3 && image[0] == 0xFF && image[1] == 0xD8;
    if (!is_png && !is_jpeg)
        die(path, "neither PNG nor JPEG");

    shroud_identity *id = NULL;
    shroud_recipient *rcpt = NULL;
    check("shroud_identity_generate", shroud_identity_generate(&id));
    check("shroud_identity_recipient", shroud_identity_recipient(id, &rcpt));
    job j = {image, len, regions, n_regions, rcpt, id};

    int want[T_COUNT] = {0};
    if (only) {
        int k = 0;
        while (k < T_COUNT && strcmp(t_name[k], only) != 0)
            k++;
        if (k == T_COUNT)
            die(only, "-only takes redact, restore or coef");
        want[k] = 1;
    } else {
        want[T_REDACT] = want[T_RESTORE] = 1;
        if (is_jpeg)
            want[T_COEF] = want[T_SREAD] = want[T_SWRITE] = 1;
        else
            want[T_DECODE] = want[T_ENCODE] = want[T_LPNG] = 1;
    }

    /* The warm-up, with the one-off checks. */
    size_t redacted_len = 0, restored_len = 0, coef_len = 0, encode_len = 0, lpng_len = 0;
    uint8_t *redacted = do_redact(&j, &redacted_len);
    uint8_t *restored = do_restore(&j, redacted, redacted_len, &restored_len);
    int identical;
    char detail[64] = "";
    if (is_jpeg) {
        identical = restored_len == len && memcmp(restored, image, len) == 0;
        jpeg_coeffs *jc = shroud_jpeg_read(&j);
        const jpeg_info *in = jpeg_coeffs_info(jc);
        snprintf(detail, sizeof detail, "huffman=%s sampling=%ux%u", huffman_mode(jc),
                 (unsigned)in->max_h_samp, (unsigned)in->max_v_samp);
        if (want[T_SWRITE])
            shroud_jpeg_write(jc);
        jpeg_coeffs_free(jc);
        if (want[T_COEF])
            coef_len = coef_read_write(image, len);
    } else {
        png_raster *orig = shroud_png_decode(image, len),
                   *back = shroud_png_decode(restored, restored_len);
        identical = orig->stride == back->stride && orig->height == back->height &&
                    memcmp(orig->pixels, back->pixels, orig->stride * orig->height) == 0;
        snprintf(detail, sizeof detail, "color_type=%u bit_depth=%u", (unsigned)orig->color_type,
                 (unsigned)orig->bit_depth);
        if (want[T_ENCODE])
            encode_len = shroud_png_encode(orig);
        if (want[T_LPNG])
            lpng_len = libpng_write(orig);
        png_raster_free(back);
        png_raster_free(orig);
    }
    shroud_free(restored);

    double *t[T_COUNT];
    for (int k = 0; k < T_COUNT; k++)
        if (!(t[k] = calloc((size_t)max_runs, sizeof(double))))
            die("timings", "out of memory");
    double start = now();
    int runs = 0;
    while (runs < max_runs && (runs < min_runs || now() - start < budget)) {
        double t0;
        if (want[T_REDACT]) {
            size_t n;
            t0 = now();
            uint8_t *out = do_redact(&j, &n);
            shroud_free(out);
            t[T_REDACT][runs] = now() - t0;
        }
        if (want[T_RESTORE]) {
            size_t n;
            t0 = now();
            uint8_t *out = do_restore(&j, redacted, redacted_len, &n);
            shroud_free(out);
            t[T_RESTORE][runs] = now() - t0;
        }
        if (want[T_COEF]) {
            t0 = now();
            coef_read_write(image, len);
            t[T_COEF][runs] = now() - t0;
        }
        if (want[T_SREAD]) {
            t0 = now();
            jpeg_coeffs *jc = shroud_jpeg_read(&j);
            t[T_SREAD][runs] = now() - t0;
            t0 = now();
            shroud_jpeg_write(jc);
            t[T_SWRITE][runs] = now() - t0;
            jpeg_coeffs_free(jc);
        }
        if (want[T_DECODE]) {
            t0 = now();
            png_raster *img = shroud_png_decode(image, len);
            t[T_DECODE][runs] = now() - t0;
            t0 = now();
            shroud_png_encode(img);
            t[T_ENCODE][runs] = now() - t0;
            t0 = now();
            libpng_write(img);
            t[T_LPNG][runs] = now() - t0;
            png_raster_free(img);
        }
        runs++;
    }

    printf("format=%s bytes=%zu runs=%d redacted_bytes=%zu restore_identical=%d %s",
           is_jpeg ? "jpeg" : "png", len, runs, redacted_len, identical, detail);
    if (coef_len)
        printf(" coef_bytes=%zu", coef_len);
    if (encode_len)
        printf(" encode_bytes=%zu", encode_len);
    if (lpng_len)
        printf(" lpng_bytes=%zu", lpng_len);
    for (int k = 0; k < T_COUNT; k++)
        if (want[k])
            printf(" %s_ms=%.3f %s_min_ms=%.3f", t_name[k], median_ms(t[k], runs), t_name[k],
                   min_ms(t[k], runs));
    if (want[T_DECODE]) {
        /* decode + encode per iteration, then the median of the sums */
        for (int i = 0; i < runs; i++) {
            t[T_LPNG][i] += t[T_DECODE][i];
            t[T_DECODE][i] += t[T_ENCODE][i];
        }
        printf(" plain_ms=%.3f plain_min_ms=%.3f lpng_plain_ms=%.3f", median_ms(t[T_DECODE], runs),
               min_ms(t[T_DECODE], runs), median_ms(t[T_LPNG], runs));
    }
    if (want[T_SREAD]) {
        for (int i = 0; i < runs; i++)
            t[T_SREAD][i] += t[T_SWRITE][i];
        printf(" srw_ms=%.3f", median_ms(t[T_SREAD], runs));
    }
    printf("\n");
    for (int k = 0; k < T_COUNT; k++)
        free(t[k]);
    shroud_free(redacted);
    shroud_recipient_free(rcpt);
    shroud_identity_free(id);
    free(image);
    return 0;
}
