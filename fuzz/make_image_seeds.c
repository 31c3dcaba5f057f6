/*
 * make_image_seeds.c — writes the seed corpora of fuzz_image_restore and
 * fuzz_redaction_record: small PNGs and JPEGs (at most 64 x 64, under the
 * restore harness's size gate) redacted with the public API and the fixed
 * keys of fuzz_fixed_keys.h, in a few variants (a group sealed to the native
 * X25519 key, a passphrase group at the lowest scrypt cost the API accepts,
 * two groups, signed, stripped, a group only the RSA key opens, signed but not
 * redacted), and, for the record harness, what those files carry, each
 * prefixed with the harness's selector byte:
 *   0x00 the redaction block (the shRD / APP11 kind-1 payload),
 *   0x01 each group's sealed record (the envelope opened with the fixed keys),
 *   0x02 the JPEG coding inside a JPEG record,
 *   0x03 the image signature payload.
 * It also writes the seeds of fuzz_stego_reveal: small PNGs with a message
 * hidden for the native key (or the fuzz passphrase).
 * Envelopes use fresh randomness, so the bytes differ from run to run.
 *
 * Usage: make_image_seeds OUTDIR (fuzz/make_image_seeds.sh builds and runs it).
 */
#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

#include "fuzz_fixed_keys.h"
#include "image/embedded.h"
#include "redact/record.h"
#include "stego/stego_format.h"
#include "shroud.h"

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        int err_ = (expr);                                                                         \
        if (err_ != SHROUD_OK) {                                                                   \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, shroud_strerror(err_));  \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

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

static const char *out_dir;

static void save(const char *sub, const char *name, unsigned char selector, const void *data,
                 size_t len, int with_selector)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", out_dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f || (with_selector && fputc(selector, f) == EOF) ||
        (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* ---- input images -------------------------------------------------------------- */

static unsigned char sample(int x, int y, int c)
{
    unsigned v = (unsigned)(x * 9 + y * 5 + c * 70) ^ (unsigned)((x / 4 + y / 4) % 2 ? 0x35 : 0);
    return (unsigned char)(v * 2654435761u >> 24 ^ (unsigned)x * 4);
}

static void on_png_write(png_structp png, png_bytep data, size_t n)
{
    put(png_get_io_ptr(png), data, n);
}

static void on_png_flush(png_structp png)
{
    (void)png;
}

/* A PNG of the test pattern: depth 8 or 16, colour type as in IHDR. */
static bytes make_png(int w, int h, int depth, int ct, int interlace, int text)
{
    bytes out = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (!png || !info || setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "libpng failed\n");
        exit(1);
    }
    png_set_write_fn(png, &out, on_png_write, on_png_flush);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, ct,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    int comps = ct == PNG_COLOR_TYPE_RGB ? 3 : ct == PNG_COLOR_TYPE_RGBA ? 4 : 1;
    if (ct == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[16];
        png_byte alpha[16];
        for (int i = 0; i < 16; i++) {
            pal[i] = (png_color){(png_byte)(i * 16), (png_byte)(255 - i * 9), (png_byte)(i * 40)};
            alpha[i] = (png_byte)(i % 4 ? 255 : i * 20);
        }
        png_set_PLTE(png, info, pal, 16);
        png_set_tRNS(png, info, alpha, 16, NULL);
    }
    if (text) {
        png_text t = {PNG_TEXT_COMPRESSION_NONE, "Comment", "a fuzz seed", 11, 0, NULL, NULL};
        png_set_text(png, info, &t, 1);
    }
    png_write_info(png, info);
    if (depth < 8)
        png_set_packing(png);
    size_t sb = depth == 16 ? 2 : 1, stride = (size_t)w * (size_t)comps * sb;
    unsigned char *pixels = malloc(stride * (size_t)h);
    png_bytep *rows = malloc(sizeof *rows * (size_t)h);
    if (!pixels || !rows)
        exit(1);
    for (int y = 0; y < h; y++) {
        rows[y] = pixels + (size_t)y * stride;
        for (size_t i = 0; i < stride; i++) {
            unsigned char v = sample((int)(i / ((size_t)comps * sb)), y, (int)(i % (size_t)comps));
            rows[y][i] = ct == PNG_COLOR_TYPE_PALETTE ? (unsigned char)(v % 16) : v;
        }
    }
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(pixels);
    return out;
}

static bytes make_jpeg(int w, int h, int comps, int progressive, int optimize)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char *buf = NULL;
    unsigned long len = 0;
    jpeg_mem_dest(&c, &buf, &len);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = comps;
    c.in_color_space = comps == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 80, TRUE);
    if (progressive)
        jpeg_simple_progression(&c);
    c.optimize_coding = optimize ? TRUE : FALSE;
    jpeg_start_compress(&c, TRUE);
    static const char com[] = "fuzz seed";
    jpeg_write_marker(&c, JPEG_COM, (const JOCTET *)com, sizeof com - 1);
    unsigned char *row = malloc((size_t)w * (size_t)comps);
    if (!row)
        exit(1);
    while (c.next_scanline < c.image_height) {
        for (int i = 0; i < w * comps; i++)
            row[i] = sample(i / comps, (int)c.next_scanline, i % comps);
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&c, rows, 1);
    }
    free(row);
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    bytes out = {0};
    put(&out, buf, len);
    free(buf);
    return out;
}

/* ---- keys ---------------------------------------------------------------------------- */

static shroud_identity *native_id, *rsa_id;
static shroud_recipient *native_pub, *rsa_pub;
static const char passphrase[] = FUZZ_PASSPHRASE;

static int give_passphrase(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    (void)ctx;
    (void)purpose;
    if (cap < sizeof passphrase - 1)
        return -1;
    memcpy(buf, passphrase, sizeof passphrase - 1);
    *len = sizeof passphrase - 1;
    return 0;
}

/* ---- variants -------------------------------------------------------------------------- */

enum { NATIVE = 1, PASS = 2, TWO = 3, RSA_ONLY = 4, NATIVE_AND_RSA = 5 };

typedef struct {
    int groups; /* enum above */
    int style;
    int sign, strip;
} variant;

static void add_group(shroud_redactor *r, const char *name, int style, const shroud_region *reg,
                      const shroud_recipient *const *keys, size_t n_keys, int pass)
{
    CHECK(shroud_redactor_add_group(r, name, style, reg, 1, keys, n_keys, pass ? passphrase : NULL,
                                    pass ? sizeof passphrase - 1 : 0,
                                    pass ? SHROUD_SCRYPT_MIN_LOG_N : 0));
}

static bytes redact(const bytes *image, const variant *v)
{
    shroud_redactor *r = NULL;
    CHECK(shroud_redactor_new(&r, image->p, image->len));
    uint32_t w, h;
    CHECK(shroud_redactor_size(r, &w, &h));
    const shroud_region a = {1, 2, w / 3 + 1, h / 3 + 1}, b = {w / 2, h / 2, w / 2, h / 2};
    const shroud_recipient *native[] = {native_pub}, *rsa[] = {rsa_pub},
                           *both[] = {native_pub, rsa_pub};
    switch (v->groups) {
    case NATIVE:
        add_group(r, "faces", v->style, &a, native, 1, 0);
        break;
    case PASS:
        add_group(r, "plates", v->style, &a, NULL, 0, 1);
        break;
    case TWO:
        add_group(r, "faces", v->style, &a, native, 1, 0);
        add_group(r, "plates.2", SHROUD_STYLE_FILL, &b, NULL, 0, 1);
        break;
    case RSA_ONLY:
        add_group(r, "rsa", v->style, &b, rsa, 1, 0);
        break;
    default:
        add_group(r, "team-a_1", v->style, &b, both, 2, 0);
        break;
    }
    if (v->strip)
        CHECK(shroud_redactor_strip_metadata(r, 1));
    if (v->sign)
        CHECK(shroud_redactor_sign(r, native_id));
    uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK(shroud_redactor_finish(r, &out, &out_len));
    shroud_redactor_free(r);
    bytes file = {0};
    put(&file, out, out_len);
    shroud_free(out);
    return file;
}

/* Saves what file carries into the record harness's corpus. */
static void save_payloads(const char *stem, const bytes *file)
{
    char name[256];
    image_embedded e;
    CHECK(image_embedded_find(file->p, file->len, &e));
    if (e.payload[EMBED_SIGNATURE]) {
        snprintf(name, sizeof name, "signature_%s.bin", stem);
        save("fuzz_redaction_record", name, 0x03, e.payload[EMBED_SIGNATURE],
             e.payload_len[EMBED_SIGNATURE], 1);
    }
    if (e.payload[EMBED_RECORD]) {
        snprintf(name, sizeof name, "block_%s.bin", stem);
        save("fuzz_redaction_record", name, 0x00, e.payload[EMBED_RECORD],
             e.payload_len[EMBED_RECORD], 1);
        redaction_layout l;
        uint8_t digest[REDACT_DIGEST_BYTES];
        CHECK(block_parse(e.payload[EMBED_RECORD], e.payload_len[EMBED_RECORD], &l, digest));
        for (unsigned g = 0; g < l.n_groups; g++) {
            const shroud_identity *ids[] = {native_id, rsa_id};
            uint8_t *plain = NULL;
            size_t plain_len = 0;
            CHECK(shroud_open(ids, 2, give_passphrase, NULL, 0, l.groups[g].envelope,
                              l.groups[g].envelope_len, &plain, &plain_len));
            snprintf(name, sizeof name, "record_%s_g%u.bin", stem, g);
            save("fuzz_redaction_record", name, 0x01, plain, plain_len, 1);
            sealed_record rec;
            CHECK(record_parse(plain, plain_len, &rec));
            if (l.format == SHROUD_IMAGE_JPEG && g == 0) {
                snprintf(name, sizeof name, "coding_%s.bin", stem);
                save("fuzz_redaction_record", name, 0x02, rec.coding, rec.coding_len, 1);
            }
            shroud_free_secret(plain, plain_len);
        }
        layout_free(&l);
    }
    image_embedded_free(&e);
}

static void redacted_seed(const char *stem, const char *ext, const bytes *image, const variant *v)
{
    bytes file = redact(image, v);
    char name[256];
    snprintf(name, sizeof name, "%s.%s", stem, ext);
    save("fuzz_image_restore", name, 0, file.p, file.len, 0);
    save_payloads(stem, &file);
    /* the harness restores it: make sure it can */
    shroud_image_info *info = NULL;
    CHECK(shroud_image_inspect(file.p, file.len, &info));
    if (file.len > 48 * 1024 || info->width * info->height > 64 * 64) {
        fprintf(stderr, "%s is too big for a seed\n", name);
        exit(1);
    }
    shroud_image_info_free(info);
    /* and restores it as the harness does (native key, the passphrase) */
    const shroud_identity *ids[] = {native_id};
    uint8_t *restored = NULL;
    size_t restored_len = 0;
    int err = shroud_restore(file.p, file.len, ids, 1, give_passphrase, NULL, &restored,
                             &restored_len, NULL);
    if (err != (v->groups == RSA_ONLY ? SHROUD_ERR_NO_IDENTITY : SHROUD_OK)) {
        fprintf(stderr, "%s: restore gives %s\n", name, shroud_strerror(err));
        exit(1);
    }
    shroud_free(restored);
    if (v->sign)
        CHECK(shroud_image_verify(file.p, file.len, native_pub));
    free(file.p);
}

static void signed_seed(const char *stem, const char *ext, const bytes *image)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK(shroud_image_sign(image->p, image->len, native_id, &out, &out_len));
    char name[256];
    snprintf(name, sizeof name, "%s.%s", stem, ext);
    save("fuzz_image_restore", name, 0, out, out_len, 0);
    bytes file = {0};
    put(&file, out, out_len);
    save_payloads(stem, &file);
    free(file.p);
    shroud_free(out);
}

/* A stego seed: msg hidden for the native key (and, when `pass`, also a
 * copy hidden with the fuzz passphrase, which the harness does not try: it
 * still exercises the salt and the stream reader on a wrong key). */
static void stego_seed(const char *stem, const bytes *cover, const char *msg, int pass)
{
    shroud_cover *c = NULL;
    uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK(shroud_cover_new(&c, cover->p, cover->len));
    const shroud_recipient *to[1] = {native_pub};
    CHECK(shroud_stego_hide(c, pass ? NULL : to, pass ? 0 : 1, pass ? passphrase : NULL,
                            pass ? sizeof passphrase - 1 : 0, (const uint8_t *)msg, strlen(msg),
                            &out, &out_len, NULL));
    char name[256];
    snprintf(name, sizeof name, "%s.png", stem);
    save("fuzz_stego_reveal", name, 0, out, out_len, 0);
    if (!pass) { /* fuzz_stego_extract: flags, the keys that find the stream, the image */
        stego_keys keys;
        CHECK(stego_keys_from_recipient(native_pub, &keys));
        uint8_t *seed = malloc(1 + sizeof keys + out_len);
        if (!seed)
            exit(1);
        memcpy(seed + 1, keys.positions, sizeof keys.positions);
        memcpy(seed + 1 + sizeof keys.positions, keys.stream, sizeof keys.stream);
        memcpy(seed + 1 + sizeof keys, out, out_len);
        seed[0] = 0;
        snprintf(name, sizeof name, "%s.bin", stem);
        save("fuzz_stego_extract", name, 0, seed, 1 + sizeof keys + out_len, 0);
        free(seed);
    }
    shroud_free(out);
    shroud_cover_free(c);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_image_seeds OUTDIR\n");
        return 2;
    }
    out_dir = argv[1];
    static const char native_text[] = FUZZ_NATIVE_IDENTITY, rsa_text[] = FUZZ_RSA_IDENTITY;
    CHECK(shroud_identity_parse(&native_id, native_text, sizeof native_text - 1, NULL, NULL));
    CHECK(shroud_identity_parse(&rsa_id, rsa_text, sizeof rsa_text - 1, NULL, NULL));
    CHECK(shroud_identity_recipient(native_id, &native_pub));
    CHECK(shroud_identity_recipient(rsa_id, &rsa_pub));

    bytes png_rgb = make_png(48, 32, 8, PNG_COLOR_TYPE_RGB, 0, 1);
    bytes png_pal = make_png(32, 32, 4, PNG_COLOR_TYPE_PALETTE, 0, 0);
    bytes png_gray16 = make_png(24, 16, 16, PNG_COLOR_TYPE_GRAY, 1, 0);
    bytes png_rgba = make_png(20, 20, 8, PNG_COLOR_TYPE_RGBA, 0, 0);
    bytes jpg_base = make_jpeg(48, 32, 3, 0, 0);
    bytes jpg_opt = make_jpeg(32, 32, 3, 0, 1);
    bytes jpg_prog = make_jpeg(32, 24, 3, 1, 0);
    bytes jpg_gray = make_jpeg(16, 16, 1, 0, 0);

    const struct {
        const char *stem, *ext;
        const bytes *image;
        variant v;
    } seeds[] = {
        {"png_rgb_x25519", "png", &png_rgb, {NATIVE, SHROUD_STYLE_NOISE, 0, 0}},
        {"png_rgb_passphrase", "png", &png_rgb, {PASS, SHROUD_STYLE_FILL, 0, 0}},
        {"png_rgb_two_groups_signed", "png", &png_rgb, {TWO, SHROUD_STYLE_PIXELATE, 1, 0}},
        {"png_rgb_stripped_rsa_and_x25519",
         "png",
         &png_rgb,
         {NATIVE_AND_RSA, SHROUD_STYLE_BLUR, 0, 1}},
        {"png_rgb_rsa_only", "png", &png_rgb, {RSA_ONLY, SHROUD_STYLE_NOISE, 0, 0}},
        {"png_palette_x25519", "png", &png_pal, {NATIVE, SHROUD_STYLE_PIXELATE, 0, 0}},
        {"png_gray16_interlaced_signed", "png", &png_gray16, {NATIVE, SHROUD_STYLE_BLUR, 1, 0}},
        {"png_rgba_passphrase", "png", &png_rgba, {PASS, SHROUD_STYLE_NOISE, 0, 0}},
        {"jpg_baseline_x25519", "jpg", &jpg_base, {NATIVE, SHROUD_STYLE_NOISE, 0, 0}},
        {"jpg_optimized_passphrase", "jpg", &jpg_opt, {PASS, SHROUD_STYLE_FILL, 0, 0}},
        {"jpg_progressive_two_groups_signed", "jpg", &jpg_prog, {TWO, SHROUD_STYLE_BLUR, 1, 0}},
        {"jpg_gray_stripped", "jpg", &jpg_gray, {NATIVE, SHROUD_STYLE_PIXELATE, 0, 1}},
        {"jpg_optimized_rsa_only", "jpg", &jpg_opt, {RSA_ONLY, SHROUD_STYLE_NOISE, 1, 0}},
    };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        redacted_seed(seeds[i].stem, seeds[i].ext, seeds[i].image, &seeds[i].v);
    signed_seed("png_signed_only", "png", &png_pal);
    signed_seed("jpg_signed_only", "jpg", &jpg_base);
    /* Covers need room for the envelope: about 1,700 usable samples. */
    bytes cover_gray16 = make_png(64, 64, 16, PNG_COLOR_TYPE_GRAY, 0, 0);
    bytes cover_rgba = make_png(40, 40, 8, PNG_COLOR_TYPE_RGBA, 0, 0);
    stego_seed("stego_rgb_x25519", &png_rgb, "a hidden message", 0);
    stego_seed("stego_gray16_x25519", &cover_gray16, "16-bit", 0);
    stego_seed("stego_rgba_x25519", &cover_rgba, "alpha", 0);
    stego_seed("stego_rgb_passphrase", &png_rgb, "salted", 1);
    free(cover_gray16.p);
    free(cover_rgba.p);

    bytes *all[] = {&png_rgb,  &png_pal, &png_gray16, &png_rgba,
                    &jpg_base, &jpg_opt, &jpg_prog,   &jpg_gray};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]->p);
    shroud_identity_free(native_id);
    shroud_identity_free(rsa_id);
    shroud_recipient_free(native_pub);
    shroud_recipient_free(rsa_pub);
    return 0;
}
