/*
 * make_jpeg_seeds.c — writes the seed corpora of fuzz_jpeg_coeffs and
 * fuzz_jpeg_segments: tiny JPEGs of every kind libjpeg makes (baseline,
 * optimized, restart intervals, sampling factors, grayscale, CMYK,
 * progressive, arithmetic, extra APPn/COM segments) and, for the segment
 * harness, files carrying shroud APP11 blocks (spliced in by hand, so the
 * seeds do not depend on the code under test) next to foreign APP11s.
 *
 * Usage: make_jpeg_seeds OUTDIR (fuzz/make_jpeg_seeds.sh builds and runs it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

typedef struct {
    const char *name;
    int w, h, comps;
    int h0, v0; /* luma sampling (chroma 1x1); 0: libjpeg's 2x2 */
    int progressive, optimize, arithmetic, restart, markers, no_jfif;
} seed_spec;

static const seed_spec specs[] = {
    {"baseline_420.jpg", 24, 16, 3, 0, 0, 0, 0, 0, 0, 0, 0},
    {"baseline_444.jpg", 16, 16, 3, 1, 1, 0, 0, 0, 0, 0, 0},
    {"baseline_422_odd.jpg", 13, 11, 3, 2, 1, 0, 0, 0, 0, 0, 0},
    {"gray.jpg", 16, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0},
    {"optimized_restart.jpg", 24, 16, 3, 0, 0, 0, 1, 0, 1, 0, 0},
    {"progressive.jpg", 24, 16, 3, 0, 0, 1, 0, 0, 0, 0, 0},
    {"progressive_gray.jpg", 8, 8, 1, 0, 0, 1, 0, 0, 0, 0, 0},
    {"arithmetic.jpg", 16, 16, 3, 0, 0, 0, 0, 1, 2, 0, 0},
    {"arithmetic_progressive.jpg", 16, 16, 3, 0, 0, 1, 0, 1, 0, 0, 0},
    {"cmyk.jpg", 8, 8, 4, 0, 0, 0, 0, 0, 0, 0, 0},
    {"markers.jpg", 8, 8, 3, 0, 0, 0, 0, 0, 0, 1, 1},
    {"one_pixel.jpg", 1, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0},
};

static unsigned char *make(const seed_spec *s, unsigned long *len)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    *len = 0;
    jpeg_mem_dest(&c, &out, len);
    c.image_width = (JDIMENSION)s->w;
    c.image_height = (JDIMENSION)s->h;
    c.input_components = s->comps;
    c.in_color_space = s->comps == 1 ? JCS_GRAYSCALE : s->comps == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 80, TRUE);
    if (s->h0) {
        c.comp_info[0].h_samp_factor = s->h0;
        c.comp_info[0].v_samp_factor = s->v0;
    }
    if (s->progressive)
        jpeg_simple_progression(&c);
    c.optimize_coding = s->optimize ? TRUE : FALSE;
    c.arith_code = s->arithmetic ? TRUE : FALSE;
    c.restart_interval = (unsigned)s->restart;
    if (s->no_jfif)
        c.write_JFIF_header = FALSE;
    jpeg_start_compress(&c, TRUE);
    if (s->markers) {
        static const unsigned char exif[] = "Exif\0\0MM\0*\0\0\0\x08";
        static const unsigned char icc[] = "ICC_PROFILE\0\x01\x01profile";
        static const char com[] = "comment";
        jpeg_write_marker(&c, JPEG_APP0 + 1, exif, sizeof exif - 1);
        jpeg_write_marker(&c, JPEG_APP0 + 2, icc, sizeof icc - 1);
        jpeg_write_marker(&c, JPEG_COM, (const JOCTET *)com, sizeof com - 1);
    }
    size_t stride = (size_t)s->w * (size_t)s->comps;
    unsigned char *row = malloc(stride);
    while (c.next_scanline < c.image_height) {
        for (size_t i = 0; i < stride; i++)
            row[i] = (unsigned char)((i * 37 + c.next_scanline * 11 + (i % 3) * 60) ^
                                     (c.next_scanline & 4 ? 0x55 : 0));
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&c, rows, 1);
    }
    free(row);
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    return out;
}

static void save(const char *dir, const char *sub, const char *name, const unsigned char *buf,
                 size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* A growable byte string. */
typedef struct {
    unsigned char *p;
    size_t len;
} bytes;

static void put(bytes *b, const void *data, size_t n)
{
    b->p = realloc(b->p, b->len + n + 1);
    if (!b->p)
        exit(1);
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put_segment(bytes *b, unsigned char marker, const void *data, size_t n)
{
    unsigned char head[4] = {0xFF, marker, (unsigned char)((n + 2) >> 8), (unsigned char)(n + 2)};
    put(b, head, 4);
    put(b, data, n);
}

static void put_block(bytes *b, int kind, int seq, int count, const char *data)
{
    unsigned char seg[64];
    size_t n = strlen(data);
    memcpy(seg, "shroud", 7);
    seg[7] = (unsigned char)kind;
    seg[8] = 0;
    seg[9] = (unsigned char)seq;
    seg[10] = 0;
    seg[11] = (unsigned char)count;
    memcpy(seg + 12, data, n);
    put_segment(b, 0xEB, seg, 12 + n);
}

/* Offset of the first segment with this marker (a libjpeg file, no fill). */
static size_t find_marker(const unsigned char *j, size_t len, unsigned char marker)
{
    size_t pos = 2;
    while (pos + 4 <= len && j[pos + 1] != marker)
        pos += 2 + ((size_t)j[pos + 2] << 8 | j[pos + 3]);
    return pos;
}

/* The file with `mid` spliced in at `at`. */
static void save_spliced(const char *dir, const char *name, const unsigned char *j, size_t len,
                         size_t at, const bytes *mid)
{
    bytes out = {0};
    put(&out, j, at);
    put(&out, mid->p, mid->len);
    put(&out, j + at, len - at);
    save(dir, "fuzz_jpeg_segments", name, out.p, out.len);
    free(out.p);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_jpeg_seeds OUTDIR\n");
        return 2;
    }
    const char *dir = argv[1];
    unsigned char *base = NULL, *prog = NULL;
    unsigned long base_len = 0, prog_len = 0;
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        unsigned long len;
        unsigned char *j = make(&specs[i], &len);
        save(dir, "fuzz_jpeg_coeffs", specs[i].name, j, len);
        if (i == 0) {
            base = j;
            base_len = len;
        } else if (i == 6) {
            prog = j;
            prog_len = len;
        } else {
            free(j);
        }
    }
    save(dir, "fuzz_jpeg_segments", "plain.jpg", base, base_len);
    size_t run_end = find_marker(base, base_len, 0xDB);

    bytes b = {0};
    put_block(&b, 1, 0, 1, "record payload");
    save_spliced(dir, "record.jpg", base, base_len, run_end, &b);
    b.len = 0;
    put_block(&b, 1, 0, 2, "first half ");
    put_block(&b, 1, 1, 2, "second half");
    put_block(&b, 2, 0, 1, "signature");
    save_spliced(dir, "record2_signature.jpg", base, base_len, run_end, &b);
    b.len = 0;
    put_block(&b, 2, 0, 1, "");
    put_segment(&b, 0xEB, "JP\0\0\0\0\0\x01jumb", 12);
    put(&b, "\xFF\xFF", 2); /* fill bytes */
    put_segment(&b, 0xEB, "shroudX", 7);
    save_spliced(dir, "foreign_app11.jpg", base, base_len, run_end, &b);
    b.len = 0;
    put_block(&b, 1, 0, 1, "after the tables");
    save_spliced(dir, "late_block.jpg", base, base_len, find_marker(base, base_len, 0xC0), &b);
    b.len = 0;
    put_block(&b, 1, 0, 1, "progressive");
    save_spliced(dir, "progressive_record.jpg", prog, prog_len, find_marker(prog, prog_len, 0xDB),
                 &b);
    b.len = 0;
    put_block(&b, 1, 0, 3, "gap");
    put_block(&b, 1, 2, 3, "gap");
    save_spliced(dir, "bad_gap.jpg", base, base_len, run_end, &b);
    free(b.p);
    free(base);
    free(prog);
    return 0;
}
