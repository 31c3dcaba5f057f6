/*
 * make_png_seeds.c — writes the seed corpora of fuzz_png_chunks and
 * fuzz_png_decode: tiny PNGs of every colour type and bit depth libpng
 * writes (interlaced or not, several IDATs, palettes with and without tRNS),
 * files with metadata chunks (gAMA, iCCP, tEXt, zTXt, pHYs, unknown safe and
 * unsafe chunks, APNG acTL/fcTL), files in the parts layout of
 * shroud's level-1 encoder, and files carrying shroud's shRD / shSG
 * chunks (spliced in by hand, so the seeds do not depend on the code under
 * test), some of them in layouts shroud refuses.
 *
 * Usage: make_png_seeds OUTDIR (fuzz/make_png_seeds.sh builds and runs it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <zlib.h>

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
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put_be32(unsigned char *p, unsigned long v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static size_t be32(const unsigned char *p)
{
    return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

/* One chunk with its CRC. */
static void put_chunk(bytes *b, const char *type, const void *data, size_t n)
{
    unsigned char head[8], tail[4];
    put_be32(head, n);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0L, head + 4, 4);
    if (n)
        crc = crc32(crc, data, (uInt)n);
    put_be32(tail, crc);
    put(b, head, 8);
    put(b, data, n);
    put(b, tail, 4);
}

typedef struct {
    const char *name;
    int w, h, depth, ct, interlace, trns;
    size_t idat; /* libpng's IDAT size; 0: default */
} seed_spec;

static const seed_spec specs[] = {
    {"gray1.png", 9, 5, 1, PNG_COLOR_TYPE_GRAY, 0, 0, 0},
    {"gray2_interlaced.png", 11, 9, 2, PNG_COLOR_TYPE_GRAY, 1, 0, 0},
    {"gray4.png", 7, 3, 4, PNG_COLOR_TYPE_GRAY, 0, 0, 0},
    {"gray8_idats.png", 16, 12, 8, PNG_COLOR_TYPE_GRAY, 0, 0, 40},
    {"gray16.png", 5, 4, 16, PNG_COLOR_TYPE_GRAY, 0, 0, 0},
    {"rgb8.png", 8, 6, 8, PNG_COLOR_TYPE_RGB, 0, 0, 0},
    {"rgb16_interlaced.png", 9, 9, 16, PNG_COLOR_TYPE_RGB, 1, 0, 0},
    {"gray_alpha8.png", 6, 5, 8, PNG_COLOR_TYPE_GRAY_ALPHA, 0, 0, 0},
    {"gray_alpha16.png", 4, 3, 16, PNG_COLOR_TYPE_GRAY_ALPHA, 0, 0, 0},
    {"rgba8_interlaced.png", 10, 7, 8, PNG_COLOR_TYPE_RGBA, 1, 0, 0},
    {"rgba16.png", 4, 4, 16, PNG_COLOR_TYPE_RGBA, 0, 0, 0},
    {"palette1.png", 13, 4, 1, PNG_COLOR_TYPE_PALETTE, 0, 0, 0},
    {"palette2_trns.png", 7, 7, 2, PNG_COLOR_TYPE_PALETTE, 0, 1, 0},
    {"palette4_interlaced.png", 12, 10, 4, PNG_COLOR_TYPE_PALETTE, 1, 1, 0},
    {"palette8_trns.png", 9, 6, 8, PNG_COLOR_TYPE_PALETTE, 0, 1, 0},
    {"one_pixel.png", 1, 1, 8, PNG_COLOR_TYPE_RGB, 0, 0, 0},
};

static void on_write(png_structp png, png_bytep data, size_t n)
{
    put(png_get_io_ptr(png), data, n);
}

static void on_flush(png_structp png)
{
    (void)png;
}

static int channels(int ct)
{
    return ct == PNG_COLOR_TYPE_RGB          ? 3
           : ct == PNG_COLOR_TYPE_RGBA       ? 4
           : ct == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                                             : 1;
}

static bytes make(const seed_spec *s)
{
    bytes out = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (!png || !info || setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "libpng failed on %s\n", s->name);
        exit(1);
    }
    png_set_write_fn(png, &out, on_write, on_flush);
    png_set_IHDR(png, info, (png_uint_32)s->w, (png_uint_32)s->h, s->depth, s->ct,
                 s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    int entries = s->depth < 8 ? 1 << s->depth : 20;
    if (s->ct == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[256];
        png_byte alpha[256];
        for (int i = 0; i < entries; i++) {
            pal[i] = (png_color){(png_byte)(i * 53), (png_byte)(255 - i * 11), (png_byte)(i * 7)};
            alpha[i] = (png_byte)(i % 3 ? i * 40 : 255);
        }
        png_set_PLTE(png, info, pal, entries);
        if (s->trns)
            png_set_tRNS(png, info, alpha, entries, NULL);
    }
    if (s->idat)
        png_set_compression_buffer_size(png, s->idat);
    png_write_info(png, info);
    if (s->depth < 8)
        png_set_packing(png);
    size_t sb = s->depth == 16 ? 2 : 1, stride = (size_t)s->w * (size_t)channels(s->ct) * sb;
    unsigned char *pixels = malloc(stride * (size_t)s->h);
    png_bytep *rows = malloc(sizeof *rows * (size_t)s->h);
    if (!pixels || !rows)
        exit(1);
    unsigned max =
        s->ct == PNG_COLOR_TYPE_PALETTE ? (unsigned)entries : 1u << (s->depth < 8 ? s->depth : 8);
    for (int y = 0; y < s->h; y++) {
        rows[y] = pixels + (size_t)y * stride;
        for (size_t i = 0; i < stride; i++)
            rows[y][i] =
                (unsigned char)(((i * 37 + (size_t)y * 11 + (i % 3) * 60) ^ (y & 4 ? 0x55u : 0u)) %
                                max);
    }
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(pixels);
    return out;
}

static void save(const char *dir, const char *sub, const char *name, const bytes *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->p, 1, b->len, f) != b->len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void save_both(const char *dir, const char *name, const bytes *b)
{
    save(dir, "fuzz_png_chunks", name, b);
    save(dir, "fuzz_png_decode", name, b);
}

/* Offset of the first chunk of this type (a libpng file), or the end. */
static size_t find_chunk(const bytes *b, const char *type)
{
    size_t pos = 8;
    while (pos + 12 <= b->len && memcmp(b->p + pos + 4, type, 4) != 0)
        pos += 12 + be32(b->p + pos);
    return pos;
}

/* The file with `mid` spliced in at `at`. */
static bytes spliced(const bytes *png, size_t at, const bytes *mid)
{
    bytes out = {0};
    put(&out, png->p, at);
    put(&out, mid->p, mid->len);
    put(&out, png->p + at, png->len - at);
    return out;
}

/* Saves the file with `mid` spliced in before the first chunk of `type`. */
static void save_spliced(const char *dir, const char *sub, const char *name, const bytes *png,
                         const char *type, const bytes *mid)
{
    bytes out = spliced(png, find_chunk(png, type), mid);
    if (sub)
        save(dir, sub, name, &out);
    else
        save_both(dir, name, &out);
    free(out.p);
}

/* An RGB image written in parts the way shroud's level-1 encoder lays
 * them out (png_inflate.c decodes such files on two threads): rows filtered
 * Sub, each part deflated Huffman-only and, but the last, ended with a full
 * flush (an empty stored block), an IDAT chunk per part. Made with zlib,
 * not with shroud's encoder. */
static bytes make_parts(unsigned w, unsigned h, unsigned parts)
{
    size_t stride = (size_t)w * 3, rows_len = (stride + 1) * h;
    unsigned char *rows = malloc(rows_len), *z = malloc(2 * rows_len + 64);
    if (!rows || !z)
        exit(1);
    for (size_t y = 0; y < h; y++) {
        unsigned char *r = rows + y * (stride + 1);
        r[0] = 1; /* Sub: small residuals of a smooth gradient */
        for (size_t i = 1; i <= stride; i++)
            r[i] = (unsigned char)(i < 4 ? y * 9 : (i * 7 + y) % 5);
    }
    z_stream zs = {0};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15, 8, Z_HUFFMAN_ONLY) != Z_OK)
        exit(1);
    zs.next_in = rows;
    zs.next_out = z;
    zs.avail_out = (uInt)(2 * rows_len + 64);
    size_t cuts[8] = {0};
    for (unsigned k = 0; k < parts; k++) {
        size_t to = (stride + 1) * (h * (k + 1) / parts);
        zs.avail_in = (uInt)(to - (size_t)(zs.next_in - rows));
        int last = k + 1 == parts;
        if (deflate(&zs, last ? Z_FINISH : Z_FULL_FLUSH) != (last ? Z_STREAM_END : Z_OK))
            exit(1);
        cuts[k + 1] = zs.total_out;
    }
    deflateEnd(&zs);
    bytes out = {0};
    unsigned char ihdr[13] = {0};
    put_be32(ihdr, w);
    put_be32(ihdr + 4, h);
    ihdr[8] = 8;
    ihdr[9] = 2;
    put(&out, "\x89PNG\r\n\x1a\n", 8);
    put_chunk(&out, "IHDR", ihdr, sizeof ihdr);
    for (unsigned k = 0; k < parts; k++)
        put_chunk(&out, "IDAT", z + cuts[k], cuts[k + 1] - cuts[k]);
    put_chunk(&out, "IEND", NULL, 0);
    free(rows);
    free(z);
    return out;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_png_seeds OUTDIR\n");
        return 2;
    }
    const char *dir = argv[1];
    bytes base = {0}, pal = {0};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        bytes b = make(&specs[i]);
        save_both(dir, specs[i].name, &b);
        if (i == 5)
            base = b;
        else if (i == 14)
            pal = b;
        else
            free(b.p);
    }

    /* Metadata before PLTE, between PLTE and IDAT, after IDAT. */
    bytes m = {0};
    unsigned char gama[4], phys[9] = {0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1};
    put_be32(gama, 45455);
    put_chunk(&m, "gAMA", gama, 4);
    static const char profile[] = "fake icc profile bytes";
    uLongf zlen = 128;
    unsigned char iccp[160] = "icc\0\0";
    if (compress2(iccp + 5, &zlen, (const Bytef *)profile, sizeof profile, 9) != Z_OK)
        return 1;
    put_chunk(&m, "iCCP", iccp, 5 + zlen);
    bytes meta = spliced(&pal, find_chunk(&pal, "PLTE"), &m);
    m.len = 0;
    put_chunk(&m, "tEXt", "Comment\0seed", 12);
    put_chunk(&m, "pHYs", phys, sizeof phys);
    put_chunk(&m, "teST", "unsafe", 6);
    unsigned char actl[8] = {0, 0, 0, 1, 0, 0, 0, 0}, fctl[26] = {0};
    put_be32(fctl + 4, 9);
    put_be32(fctl + 8, 6);
    fctl[21] = 1;
    fctl[23] = 10;
    put_chunk(&m, "acTL", actl, sizeof actl);
    put_chunk(&m, "fcTL", fctl, sizeof fctl);
    bytes meta2 = spliced(&meta, find_chunk(&meta, "IDAT"), &m);
    m.len = 0;
    unsigned char ztxt[64] = "Title\0";
    zlen = sizeof ztxt - 7;
    if (compress2(ztxt + 7, &zlen, (const Bytef *)"compressed text", 15, 9) != Z_OK)
        return 1;
    put_chunk(&m, "zTXt", ztxt, 7 + zlen);
    put_chunk(&m, "teSt", "safe", 4);
    save_spliced(dir, NULL, "metadata.png", &meta2, "IEND", &m);

    /* Text chunks that hold pictures (the preview detector): an XMP
     * thumbnail in a compressed iTXt, an EXIF thumbnail as an ImageMagick
     * hex raw profile in a zTXt. */
    m.len = 0;
    static const char xmp[] = "<x:xmpmeta><xmpGImg:image>/9j/4A</xmpGImg:image></x:xmpmeta>";
    unsigned char itxt[160] = "XML:com.adobe.xmp\0\1\0en\0";
    size_t ihead = 18 + 2 + 3 + 1;
    zlen = sizeof itxt - ihead;
    if (compress2(itxt + ihead, &zlen, (const Bytef *)xmp, sizeof xmp - 1, 9) != Z_OK)
        return 1;
    put_chunk(&m, "iTXt", itxt, ihead + zlen);
    static const char raw[] = "\nexif\n      %d\n"; /* then the hex of: */
    static const unsigned char exif[] = {'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0,
                                         0,   0,   0,   14,  0, 0, 0,   0,   0,  0, 0, 0, 0};
    char rawtext[128];
    int rl = snprintf(rawtext, sizeof rawtext, raw, (int)sizeof exif);
    for (size_t i = 0; i < sizeof exif; i++)
        rl += snprintf(rawtext + rl, sizeof rawtext - (size_t)rl, "%02x", exif[i]);
    unsigned char zraw[160] = "Raw profile type exif\0";
    size_t zhead = 22 + 1;
    zlen = sizeof zraw - zhead;
    if (compress2(zraw + zhead, &zlen, (const Bytef *)rawtext, (uLong)rl, 9) != Z_OK)
        return 1;
    put_chunk(&m, "zTXt", zraw, zhead + zlen);
    save_spliced(dir, "fuzz_png_chunks", "text_previews.png", &base, "IDAT", &m);

    for (unsigned parts = 2; parts <= 4; parts += 2) {
        char name[32];
        snprintf(name, sizeof name, "parts%u_rgb8.png", parts);
        bytes b = make_parts(24, 10, parts);
        save(dir, "fuzz_png_decode", name, &b);
        free(b.p);
    }

    /* shroud's chunks. */
    m.len = 0;
    put_chunk(&m, "shRD", "SHRDRED\x01 record payload", 23);
    save_spliced(dir, NULL, "record.png", &base, "IDAT", &m);
    m.len = 0;
    put_chunk(&m, "shRD", "first half ", 11);
    put_chunk(&m, "shRD", "second half", 11);
    put_chunk(&m, "shSG", "signature", 9);
    save_spliced(dir, NULL, "record2_signature.png", &meta2, "IDAT", &m);
    m.len = 0;
    put_chunk(&m, "shSG", "", 0);
    put_chunk(&m, "shRD", "", 0);
    save_spliced(dir, "fuzz_png_chunks", "empty_blocks.png", &base, "IDAT", &m);
    m.len = 0;
    put_chunk(&m, "shSG", "late signature", 14);
    save_spliced(dir, "fuzz_png_chunks", "late_signature.png", &base, "IEND", &m);
    m.len = 0;
    put_chunk(&m, "shRD", "run one", 7);
    put_chunk(&m, "tEXt", "a\0b", 3);
    put_chunk(&m, "shRD", "run two", 7);
    save_spliced(dir, "fuzz_png_chunks", "bad_second_run.png", &base, "IDAT", &m);

    /* No IDAT: blocks can be found and removed but not inserted. */
    bytes no_idat = {0};
    put(&no_idat, base.p, find_chunk(&base, "IDAT"));
    put_chunk(&no_idat, "shSG", "sig", 3);
    put_chunk(&no_idat, "IEND", "", 0);
    save(dir, "fuzz_png_chunks", "no_idat.png", &no_idat);

    free(no_idat.p);
    free(m.p);
    free(meta.p);
    free(meta2.p);
    free(base.p);
    free(pal.p);
    return 0;
}
