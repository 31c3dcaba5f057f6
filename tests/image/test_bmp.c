/*
 * The BMP reader (bmp.h): files built in memory by a small writer below —
 * 24-bit and 32-bit, bottom-up and top-down, odd widths (row padding), every
 * supported header size, bitfields with and without alpha, gray palettes —
 * decode to exactly the samples written. Every truncation of a valid file,
 * every refused variant, the size limits, offsets outside the file and bad
 * palette indices give the documented error and no output.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "image/bmp.h"
#include "image/image_limits.h"
#include "image/png_raster.h"
#include "shroud.h"
#include "testutil.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a BMP writer --------------------------------------------------------------------------- */

#define BI_RGB 0u
#define BI_RLE8 1u
#define BI_RLE4 2u
#define BI_BITFIELDS 3u
#define BI_JPEG 4u
#define BI_PNG 5u
#define BI_ALPHABITFIELDS 6u

static const uint32_t byte_masks[4] = {0x00FF0000u, 0x0000FF00u, 0x000000FFu, 0xFF000000u};

/* What to write. Pixels are given in file order per pixel (8-bit: the index;
 * 24: B G R; 32: B G R A), rows top to bottom, unpadded; the writer pads the
 * rows to 4 bytes and stores them bottom-up unless top_down. */
typedef struct {
    uint32_t header_size;  /* 40, 52, 56, 108, 124 (or anything, for refusals) */
    int32_t width, height; /* height > 0; top_down writes -height */
    int top_down;
    uint16_t planes, bits;
    uint32_t compression;
    uint32_t masks[4];      /* R, G, B, A: in the header when it has room */
    size_t masks_after;     /* masks written after the header: 0, 3 or 4 */
    uint32_t clr_used;      /* biClrUsed */
    size_t palette_entries; /* entries written */
    const uint8_t *palette; /* palette_entries * 4 bytes: B G R 0 */
    const uint8_t *pixels;
    size_t gap;      /* zero bytes between palette and pixels */
    size_t trailing; /* bytes after the pixel data */
} bmp_spec;

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static size_t row_bytes(const bmp_spec *s)
{
    return ((size_t)s->width * s->bits + 31) / 32 * 4;
}

static void write_info_header(const bmp_spec *s, uint8_t *h)
{
    put_le32(h, s->header_size);
    put_le32(h + 4, (uint32_t)s->width);
    put_le32(h + 8, s->top_down ? 0u - (uint32_t)s->height : (uint32_t)s->height);
    put_le16(h + 12, s->planes);
    put_le16(h + 14, s->bits);
    put_le32(h + 16, s->compression);
    put_le32(h + 20, 0);    /* biSizeImage: may be 0 for BI_RGB, and is ignored */
    put_le32(h + 24, 2835); /* 72 dpi */
    put_le32(h + 28, 2835);
    put_le32(h + 32, s->clr_used);
    for (size_t i = 0; i < 4 && 40 + 4 * i + 4 <= s->header_size; i++)
        put_le32(h + 40 + 4 * i, s->masks[i]);
    if (s->header_size >= 108)
        memcpy(h + 56, "BGRs", 4); /* LCS_sRGB, stored little-endian */
}

/* A whole file (malloc'ed, exactly *len bytes). */
static uint8_t *build_bmp(const bmp_spec *s, size_t *len)
{
    size_t hsize = s->header_size < 40 ? 40 : s->header_size; /* room for the fields */
    size_t pixel_bytes = s->bits / 8u ? s->bits / 8u : 1;
    /* no pixel rows for the refused zero or negative sizes */
    size_t rb = s->width > 0 ? row_bytes(s) : 0, h = s->height > 0 ? (size_t)s->height : 0;
    size_t off = 14 + hsize + 4 * s->masks_after + 4 * s->palette_entries + s->gap;
    *len = off + rb * h + s->trailing;
    uint8_t *f = calloc(1, *len);
    assert_non_null(f);
    f[0] = 'B';
    f[1] = 'M';
    put_le32(f + 2, (uint32_t)*len);
    put_le32(f + 10, (uint32_t)off);
    write_info_header(s, f + 14);
    uint8_t *p = f + 14 + hsize;
    for (size_t i = 0; i < s->masks_after; i++, p += 4)
        put_le32(p, s->masks[i]);
    if (s->palette_entries)
        memcpy(p, s->palette, 4 * s->palette_entries);
    size_t in_row = (size_t)s->width * pixel_bytes;
    for (size_t y = 0; y < h && rb && s->pixels; y++) {
        size_t file_row = s->top_down ? y : h - 1 - y;
        /* refused bit counts (0, 1, 4) may give rows shorter than in_row */
        memcpy(f + off + file_row * rb, s->pixels + y * in_row, in_row < rb ? in_row : rb);
    }
    for (size_t i = 0; i < s->trailing; i++)
        f[off + rb * h + i] = (uint8_t)(0xA5 ^ i);
    return f;
}

/* A spec with the common fields set; pixels / palette left to the caller. */
static bmp_spec spec(uint32_t header_size, int32_t w, int32_t h, uint16_t bits, uint32_t comp)
{
    bmp_spec s;
    memset(&s, 0, sizeof s);
    s.header_size = header_size;
    s.width = w;
    s.height = h;
    s.planes = 1;
    s.bits = bits;
    s.compression = comp;
    memcpy(s.masks, byte_masks, sizeof s.masks);
    return s;
}

/* w * h pixels of `bytes` bytes, a pattern that differs per sample. */
static uint8_t *pattern(int32_t w, int32_t h, size_t bytes, unsigned seed)
{
    size_t n = (size_t)w * (size_t)h * bytes;
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 37u + seed * 101u + (i >> 5) * 13u);
    return p;
}

/* ---- checking ------------------------------------------------------------------------------- */

/* An exact-size copy, so that the sanitizers see any read past the end. */
static int decode_copy(const uint8_t *file, size_t len, png_raster **img)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, file, len);
    *img = (png_raster *)img; /* not NULL: decode must clear it */
    int err = bmp_decode(copy, len, img);
    free(copy);
    if (err)
        assert_null(*img);
    return err;
}

static png_raster *decode_ok(const bmp_spec *s)
{
    size_t len;
    uint8_t *f = build_bmp(s, &len);
    png_raster *img = NULL;
    int err = decode_copy(f, len, &img);
    free(f);
    if (err)
        fail_msg("bmp_decode: %s (%d)", shroud_strerror(err), err);
    return img;
}

static int decode_err(const bmp_spec *s)
{
    size_t len;
    uint8_t *f = build_bmp(s, &len);
    png_raster *img = NULL;
    int err = decode_copy(f, len, &img);
    free(f);
    png_raster_free(img);
    return err;
}

static void check_header(const png_raster *img, const bmp_spec *s, int ct, int channels)
{
    assert_int_equal(img->width, (uint32_t)s->width);
    assert_int_equal(img->height, (uint32_t)s->height);
    assert_int_equal(img->bit_depth, 8);
    assert_int_equal(img->color_type, ct);
    assert_int_equal(img->channels, channels);
    assert_int_equal(img->sample_bytes, 1);
    assert_int_equal(img->interlaced, 0);
    assert_int_equal(img->pixel_bytes, (size_t)channels);
    assert_int_equal(img->stride, (size_t)s->width * (size_t)channels);
    assert_non_null(img->pixels);
    assert_null(img->kept);
    assert_int_equal(img->kept_len, 0);
    assert_int_equal(img->palette_len, 0);
    assert_int_equal(img->trns_len, 0);
}

/* Every sample of a 24- or 32-bit decode against the B G R (A) written:
 * channels 3 drops the fourth byte, 4 keeps it as alpha. */
static void check_direct(const png_raster *img, const bmp_spec *s, int channels)
{
    size_t in_px = s->bits / 8u;
    check_header(img, s, channels == 4 ? PNG_CT_RGBA : PNG_CT_RGB, channels);
    for (uint32_t y = 0; y < img->height; y++)
        for (uint32_t x = 0; x < img->width; x++) {
            const uint8_t *in = s->pixels + ((size_t)y * img->width + x) * in_px;
            const uint8_t *out = png_raster_pixel(img, x, y);
            assert_int_equal(out[0], in[2]);
            assert_int_equal(out[1], in[1]);
            assert_int_equal(out[2], in[0]);
            if (channels == 4)
                assert_int_equal(out[3], in[3]);
        }
}

static void check_gray(const png_raster *img, const bmp_spec *s)
{
    check_header(img, s, PNG_CT_GRAY, 1);
    for (uint32_t y = 0; y < img->height; y++)
        for (uint32_t x = 0; x < img->width; x++) {
            uint8_t index = s->pixels[(size_t)y * img->width + x];
            assert_int_equal(*png_raster_pixel(img, x, y), s->palette[4 * (size_t)index]);
        }
}

static void decode_and_check_direct(const bmp_spec *s, int channels)
{
    png_raster *img = decode_ok(s);
    check_direct(img, s, channels);
    png_raster_free(img);
}

/* ---- 24-bit --------------------------------------------------------------------------------- */

static const int32_t widths[] = {1, 2, 3, 4, 5, 7, 8, 13};
static const int32_t heights[] = {1, 2, 3, 6};

static void round_trips_24bit(int top_down)
{
    for (size_t i = 0; i < N_ITEMS(widths); i++)
        for (size_t j = 0; j < N_ITEMS(heights); j++) {
            bmp_spec s = spec(40, widths[i], heights[j], 24, BI_RGB);
            s.top_down = top_down;
            uint8_t *px = pattern(s.width, s.height, 3, (unsigned)(i * 7 + j));
            s.pixels = px;
            decode_and_check_direct(&s, 3);
            free(px);
        }
}

static void test_24bit_bottom_up_odd_widths_decode_every_sample(void **state)
{
    (void)state;
    round_trips_24bit(0);
}

static void test_24bit_top_down_odd_widths_decode_every_sample(void **state)
{
    (void)state;
    round_trips_24bit(1);
}

static void test_every_header_size_reads_24bit(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {40, 52, 56, 108, 124};
    for (size_t i = 0; i < N_ITEMS(sizes); i++) {
        bmp_spec s = spec(sizes[i], 5, 3, 24, BI_RGB);
        uint8_t *px = pattern(5, 3, 3, (unsigned)i);
        s.pixels = px;
        decode_and_check_direct(&s, 3);
        free(px);
    }
}

static void test_gap_before_pixels_and_trailing_bytes_are_ignored(void **state)
{
    (void)state;
    bmp_spec s = spec(40, 3, 4, 24, BI_RGB);
    uint8_t *px = pattern(3, 4, 3, 9);
    s.pixels = px;
    s.gap = 17;
    s.trailing = 5;
    decode_and_check_direct(&s, 3);
    free(px);
}

/* ---- 32-bit --------------------------------------------------------------------------------- */

/* 32-bit pixels whose alpha bytes are all `alpha` (or the pattern when
 * alpha < 0). */
static uint8_t *pattern32(int32_t w, int32_t h, int alpha, unsigned seed)
{
    uint8_t *px = pattern(w, h, 4, seed);
    if (alpha >= 0)
        for (size_t i = 3; i < (size_t)w * (size_t)h * 4; i += 4)
            px[i] = (uint8_t)alpha;
    return px;
}

static void test_32bit_bi_rgb_ignores_fourth_byte(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {40, 56, 108, 124}; /* alpha mask present but BI_RGB */
    for (size_t i = 0; i < N_ITEMS(sizes); i++)
        for (int32_t w = 1; w <= 5; w += 2) {
            bmp_spec s = spec(sizes[i], w, 3, 32, BI_RGB);
            s.top_down = w == 3;
            uint8_t *px = pattern32(w, 3, -1, (unsigned)w);
            s.pixels = px;
            decode_and_check_direct(&s, 3);
            free(px);
        }
}

static void test_32bit_bitfields_with_alpha_give_rgba(void **state)
{
    (void)state;
    /* V3, V4, V5 headers carry the alpha mask; a 40-byte header carries it
     * after itself only with BI_ALPHABITFIELDS. */
    static const struct {
        uint32_t header_size, compression;
        size_t masks_after;
    } cases[] = {{56, BI_BITFIELDS, 0},
                 {108, BI_BITFIELDS, 0},
                 {124, BI_BITFIELDS, 0},
                 {124, BI_ALPHABITFIELDS, 0},
                 {40, BI_ALPHABITFIELDS, 4}};
    for (size_t i = 0; i < N_ITEMS(cases); i++) {
        bmp_spec s = spec(cases[i].header_size, 7, 5, 32, cases[i].compression);
        s.masks_after = cases[i].masks_after;
        s.top_down = (int)(i & 1);
        uint8_t *px = pattern32(7, 5, -1, (unsigned)i);
        s.pixels = px;
        decode_and_check_direct(&s, 4);
        /* one non-zero alpha byte is enough */
        memset(px, 0, 7 * 5 * 4);
        px[4 * 17 + 3] = 1;
        decode_and_check_direct(&s, 4);
        free(px);
    }
}

static void test_32bit_bitfields_with_alpha_all_zero_give_rgb(void **state)
{
    (void)state;
    bmp_spec s = spec(124, 5, 4, 32, BI_BITFIELDS);
    uint8_t *px = pattern32(5, 4, 0, 3);
    s.pixels = px;
    decode_and_check_direct(&s, 3);
    s.header_size = 40;
    s.compression = BI_ALPHABITFIELDS;
    s.masks_after = 4;
    decode_and_check_direct(&s, 3);
    free(px);
}

static void test_32bit_bitfields_without_alpha_mask_give_rgb(void **state)
{
    (void)state;
    uint8_t *px = pattern32(3, 3, -1, 5); /* alpha bytes not 0, but no mask */
    bmp_spec s = spec(40, 3, 3, 32, BI_BITFIELDS);
    s.masks_after = 3;
    s.pixels = px;
    decode_and_check_direct(&s, 3);
    s.header_size = 52; /* V2: R, G, B masks in the header */
    s.masks_after = 0;
    decode_and_check_direct(&s, 3);
    s.header_size = 124;
    s.masks[3] = 0;
    decode_and_check_direct(&s, 3);
    free(px);
}

/* ---- 8-bit gray palettes -------------------------------------------------------------------- */

/* A palette of n entries: entry i is gray value[i]. */
static void gray_palette(uint8_t *pal, size_t n, const uint8_t *value)
{
    for (size_t i = 0; i < n; i++) {
        pal[4 * i] = pal[4 * i + 1] = pal[4 * i + 2] = value[i];
        pal[4 * i + 3] = 0;
    }
}

/* w * h indices below n. */
static uint8_t *indices(int32_t w, int32_t h, size_t n)
{
    uint8_t *px = pattern(w, h, 1, 11);
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        px[i] = (uint8_t)(px[i] % n);
    return px;
}

static void test_8bit_identity_gray_palette_gives_gray(void **state)
{
    (void)state;
    uint8_t value[256], pal[1024];
    for (int i = 0; i < 256; i++)
        value[i] = (uint8_t)i;
    gray_palette(pal, 256, value);
    for (size_t i = 0; i < N_ITEMS(widths); i++) {
        bmp_spec s = spec(40, widths[i], 3, 8, BI_RGB);
        s.top_down = (int)(i & 1);
        s.palette = pal;
        s.palette_entries = 256; /* clr_used 0 means 256 */
        uint8_t *px = indices(s.width, 3, 256);
        s.pixels = px;
        png_raster *img = decode_ok(&s);
        check_gray(img, &s);
        png_raster_free(img);
        free(px);
    }
}

static void test_8bit_non_identity_gray_palette_gives_entry_values(void **state)
{
    (void)state;
    uint8_t value[16], pal[64];
    for (int i = 0; i < 16; i++)
        value[i] = (uint8_t)(255 - 13 * i); /* reversed, spaced */
    gray_palette(pal, 16, value);
    static const uint32_t sizes[] = {40, 108, 124};
    for (size_t i = 0; i < N_ITEMS(sizes); i++) {
        bmp_spec s = spec(sizes[i], 7, 5, 8, BI_RGB);
        s.clr_used = 16;
        s.palette = pal;
        s.palette_entries = 16;
        uint8_t *px = indices(7, 5, 16);
        s.pixels = px;
        png_raster *img = decode_ok(&s);
        check_gray(img, &s);
        png_raster_free(img);
        free(px);
    }
}

static void test_8bit_unused_colour_entry_is_accepted(void **state)
{
    (void)state;
    uint8_t value[4] = {10, 20, 30, 40}, pal[16];
    gray_palette(pal, 4, value);
    pal[4 * 3 + 2] = 99; /* entry 3 is red-ish, but no pixel uses it */
    uint8_t px[6] = {0, 1, 2, 2, 1, 0};
    bmp_spec s = spec(40, 3, 2, 8, BI_RGB);
    s.clr_used = 4;
    s.palette = pal;
    s.palette_entries = 4;
    s.pixels = px;
    png_raster *img = decode_ok(&s);
    check_gray(img, &s);
    png_raster_free(img);
}

/* ---- refusals ------------------------------------------------------------------------------- */

/* Small valid files of each kind, to cut and break. */
static uint8_t *sample_file(int kind, size_t *len)
{
    static uint8_t pal[16];
    static const uint8_t value[4] = {0, 85, 170, 255};
    gray_palette(pal, 4, value);
    static const uint8_t idx[15] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2};
    uint8_t *px = pattern(5, 3, 4, 1);
    bmp_spec s;
    if (kind == 0) {
        s = spec(40, 5, 3, 24, BI_RGB);
    } else if (kind == 1) {
        s = spec(124, 3, 2, 32, BI_BITFIELDS);
        s.top_down = 1;
    } else if (kind == 2) {
        s = spec(40, 2, 2, 32, BI_BITFIELDS);
        s.masks_after = 3;
    } else {
        s = spec(40, 5, 3, 8, BI_RGB);
        s.clr_used = 4;
        s.palette = pal;
        s.palette_entries = 4;
        memcpy(px, idx, sizeof idx);
    }
    s.pixels = px;
    uint8_t *f = build_bmp(&s, len);
    free(px);
    return f;
}

static void test_every_truncation_is_an_error(void **state)
{
    (void)state;
    for (int kind = 0; kind < 4; kind++) {
        size_t len;
        uint8_t *f = sample_file(kind, &len);
        png_raster *img = NULL;
        assert_int_equal(decode_copy(f, len, &img), SHROUD_OK);
        png_raster_free(img);
        for (size_t n = 0; n < len; n++) {
            int err = decode_copy(f, n, &img);
            if (err != (n < 2 ? SHROUD_ERR_IMAGE_FORMAT : SHROUD_ERR_IMAGE))
                fail_msg("kind %d cut to %zu of %zu bytes: %d", kind, n, len, err);
        }
        free(f);
    }
}

/* Decoding s gives `want`; `what` names the case. */
static void expect(const bmp_spec *s, int want, const char *what)
{
    int err = decode_err(s);
    if (err != want)
        fail_msg("%s: got %d (%s), want %d", what, err, shroud_strerror(err), want);
}

static void test_unsupported_variants_are_image_format(void **state)
{
    (void)state;
    uint8_t px[64] = {0};
    bmp_spec base = spec(40, 2, 2, 24, BI_RGB), s;
    base.pixels = px;
    expect(&base, SHROUD_OK, "the base file");
#define VARIANT(field, value, what)                                                                \
    do {                                                                                           \
        s = base;                                                                                  \
        s.field = value;                                                                           \
        expect(&s, SHROUD_ERR_IMAGE_FORMAT, what);                                                 \
    } while (0)
    VARIANT(header_size, 12, "OS/2 BITMAPCOREHEADER");
    VARIANT(header_size, 16, "OS/2 2.x short header");
    VARIANT(header_size, 64, "OS/2 2.x header");
    VARIANT(header_size, 0, "header size 0");
    VARIANT(bits, 1, "1-bit");
    VARIANT(bits, 4, "4-bit");
    VARIANT(bits, 16, "16-bit");
    VARIANT(bits, 0, "0 bits");
    VARIANT(bits, 48, "48-bit");
    VARIANT(compression, BI_RLE8, "RLE8");
    VARIANT(compression, BI_RLE4, "RLE4");
    VARIANT(compression, BI_JPEG, "BI_JPEG");
    VARIANT(compression, BI_PNG, "BI_PNG");
    VARIANT(compression, 11, "unknown compression");
    VARIANT(compression, BI_BITFIELDS, "24-bit bitfields");
    VARIANT(planes, 0, "0 planes");
    VARIANT(planes, 2, "2 planes");
    VARIANT(width, 0, "width 0");
    VARIANT(width, -2, "negative width");
    VARIANT(height, 0, "height 0");
    VARIANT(height, INT32_MIN, "height INT32_MIN");

    /* RLE with the bit counts they go with */
    s = spec(40, 2, 2, 8, BI_RLE8);
    s.pixels = px;
    expect(&s, SHROUD_ERR_IMAGE_FORMAT, "8-bit RLE8");
    s = spec(40, 2, 2, 4, BI_RLE4);
    s.pixels = px;
    expect(&s, SHROUD_ERR_IMAGE_FORMAT, "4-bit RLE4");
    s = spec(40, 2, 2, 16, BI_BITFIELDS);
    s.masks_after = 3;
    s.pixels = px;
    expect(&s, SHROUD_ERR_IMAGE_FORMAT, "16-bit bitfields");
    s = spec(40, 2, 2, 8, BI_BITFIELDS);
    s.masks_after = 3;
    s.pixels = px;
    expect(&s, SHROUD_ERR_IMAGE_FORMAT, "8-bit bitfields");
    s = spec(52, 2, 2, 32, BI_ALPHABITFIELDS);
    s.pixels = px;
    expect(&s, SHROUD_ERR_IMAGE_FORMAT, "alpha bitfields in a V2 header");

    uint8_t bad[8];
    memcpy(bad, "BA\0\0\0\0\0\0", 8);
    png_raster *img = NULL;
    assert_int_equal(decode_copy(bad, sizeof bad, &img), SHROUD_ERR_IMAGE_FORMAT);
    memcpy(bad, "\x89PNG\r\n\x1a\n", 8);
    assert_int_equal(decode_copy(bad, sizeof bad, &img), SHROUD_ERR_IMAGE_FORMAT);
#undef VARIANT
}

static void test_masks_other_than_bytes_are_image_format(void **state)
{
    (void)state;
    static const uint32_t bad[][4] = {
        {0x000000FFu, 0x0000FF00u, 0x00FF0000u, 0}, /* R and B swapped */
        {0x00FF0000u, 0x0000FF00u, 0x000000FFu, 0x000000FFu},
        {0xFF000000u, 0x00FF0000u, 0x0000FF00u, 0x000000FFu}, /* RGBA byte order */
        {0x3FF00000u, 0x000FFC00u, 0x000003FFu, 0},           /* 10-bit */
        {0x00FF0000u, 0x0000FF00u, 0x000000FFu, 0xC0000000u}, /* 2-bit alpha */
        {0x00FE0000u, 0x0000FF00u, 0x000000FFu, 0},
        {0, 0, 0, 0},
    };
    uint8_t px[32] = {0};
    for (size_t i = 0; i < N_ITEMS(bad); i++) {
        bmp_spec s = spec(124, 2, 2, 32, BI_BITFIELDS);
        s.pixels = px;
        memcpy(s.masks, bad[i], sizeof s.masks);
        expect(&s, SHROUD_ERR_IMAGE_FORMAT, "V5 masks");
        s.header_size = 40;
        s.compression = BI_ALPHABITFIELDS;
        s.masks_after = 4;
        expect(&s, SHROUD_ERR_IMAGE_FORMAT, "masks after the header");
    }
}

static void test_colour_palette_is_image_format(void **state)
{
    (void)state;
    uint8_t value[3] = {0, 128, 255}, pal[12];
    gray_palette(pal, 3, value);
    uint8_t px[4] = {0, 1, 2, 1};
    bmp_spec s = spec(40, 2, 2, 8, BI_RGB);
    s.clr_used = 3;
    s.palette = pal;
    s.palette_entries = 3;
    s.pixels = px;
    expect(&s, SHROUD_OK, "gray palette");
    for (int c = 0; c < 3; c++) {
        gray_palette(pal, 3, value);
        pal[4 * 1 + c] ^= 1; /* entry 1 off gray in one component */
        expect(&s, SHROUD_ERR_IMAGE_FORMAT, "colour palette entry");
    }
}

static void test_palette_index_beyond_count_is_image_error(void **state)
{
    (void)state;
    uint8_t value[3] = {0, 128, 255}, pal[16] = {0};
    gray_palette(pal, 3, value);
    uint8_t px[4] = {0, 1, 2, 3};
    bmp_spec s = spec(40, 2, 2, 8, BI_RGB);
    s.clr_used = 3;
    s.palette = pal;
    s.palette_entries = 4; /* a 4th gray entry is there, but biClrUsed says 3 */
    s.pixels = px;
    expect(&s, SHROUD_ERR_IMAGE, "index 3 of 3 entries");
    px[3] = 255;
    expect(&s, SHROUD_ERR_IMAGE, "index 255 of 3 entries");
    px[3] = 2;
    expect(&s, SHROUD_OK, "indices within the palette");
}

static void test_huge_dimensions_are_limit_errors_before_reading_pixels(void **state)
{
    (void)state;
    /* The files hold 2x2 pixels at most: a limit check after the data check
     * would say IMAGE, an allocation first would be huge. */
    static const struct {
        int32_t w, h;
        int top_down;
        int want;
    } cases[] = {
        {IMAGE_MAX_DIMENSION + 1, 1, 0, SHROUD_ERR_IMAGE_LIMIT},
        {1, IMAGE_MAX_DIMENSION + 1, 0, SHROUD_ERR_IMAGE_LIMIT},
        {1, IMAGE_MAX_DIMENSION + 1, 1, SHROUD_ERR_IMAGE_LIMIT},
        {IMAGE_MAX_DIMENSION, IMAGE_MAX_DIMENSION, 0, SHROUD_ERR_IMAGE_LIMIT},
        {INT32_MAX, INT32_MAX, 0, SHROUD_ERR_IMAGE_LIMIT},
        {INT32_MAX, INT32_MAX, 1, SHROUD_ERR_IMAGE_LIMIT},
        {IMAGE_MAX_DIMENSION, IMAGE_MAX_PIXELS / IMAGE_MAX_DIMENSION + 1, 0,
         SHROUD_ERR_IMAGE_LIMIT},
        /* exactly at the limits: allowed, so the missing pixels are found */
        {IMAGE_MAX_DIMENSION, IMAGE_MAX_PIXELS / IMAGE_MAX_DIMENSION, 0, SHROUD_ERR_IMAGE},
        {IMAGE_MAX_DIMENSION, 1, 1, SHROUD_ERR_IMAGE},
    };
    uint8_t px[16] = {0};
    static const uint16_t bits[] = {24, 32, 8};
    uint8_t pal[4] = {0};
    for (size_t i = 0; i < N_ITEMS(cases); i++)
        for (size_t b = 0; b < N_ITEMS(bits); b++) {
            bmp_spec s = spec(40, 2, 2, bits[b], BI_RGB);
            s.palette = pal;
            s.palette_entries = bits[b] == 8;
            s.clr_used = bits[b] == 8;
            s.pixels = px;
            size_t len;
            uint8_t *f = build_bmp(&s, &len);
            put_le32(f + 18, (uint32_t)cases[i].w);
            put_le32(f + 22, cases[i].top_down ? 0u - (uint32_t)cases[i].h : (uint32_t)cases[i].h);
            png_raster *img = NULL;
            int err = decode_copy(f, len, &img);
            if (err != cases[i].want)
                fail_msg("%d x %d (%d bits): %d", cases[i].w, cases[i].h, bits[b], err);
            free(f);
        }

    /* A file above IMAGE_MAX_FILE_BYTES is refused before it is read (an
     * untouched anonymous mapping stands for it). */
    size_t big = (size_t)IMAGE_MAX_FILE_BYTES + 1;
    uint8_t *map =
        mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map != MAP_FAILED) {
        png_raster *img = (png_raster *)&img;
        assert_int_equal(bmp_decode(map, big, &img), SHROUD_ERR_IMAGE_LIMIT);
        assert_null(img);
        munmap(map, big);
    }
}

/* Sets bfOffBits of a sample file and decodes it. */
static int decode_with_offset(int kind, int64_t delta, uint32_t absolute)
{
    size_t len;
    uint8_t *f = sample_file(kind, &len);
    uint32_t off = (uint32_t)(f[10] | f[11] << 8);
    put_le32(f + 10, delta ? (uint32_t)((int64_t)off + delta) : absolute);
    png_raster *img = NULL;
    int err = decode_copy(f, len, &img);
    png_raster_free(img);
    free(f);
    return err;
}

static void test_offsets_outside_the_file_are_image_errors(void **state)
{
    (void)state;
    for (int kind = 0; kind < 4; kind++) {
        size_t len;
        free(sample_file(kind, &len));
        assert_int_equal(decode_with_offset(kind, 0, (uint32_t)len + 1), SHROUD_ERR_IMAGE);
        assert_int_equal(decode_with_offset(kind, 0, (uint32_t)len), SHROUD_ERR_IMAGE);
        assert_int_equal(decode_with_offset(kind, 0, UINT32_MAX), SHROUD_ERR_IMAGE);
        assert_int_equal(decode_with_offset(kind, 0, 0), SHROUD_ERR_IMAGE);
        assert_int_equal(decode_with_offset(kind, 0, 14), SHROUD_ERR_IMAGE);
        /* one byte later: the last row no longer fits */
        assert_int_equal(decode_with_offset(kind, 1, 0), SHROUD_ERR_IMAGE);
        /* one byte earlier: into the header, masks or palette */
        assert_int_equal(decode_with_offset(kind, -1, 0), SHROUD_ERR_IMAGE);
    }
}

static void test_masks_and_palette_outside_the_file_are_image_errors(void **state)
{
    (void)state;
    /* 40-byte header, bitfields: masks cut off by the end of the file */
    uint8_t f[14 + 40 + 8] = {'B', 'M'};
    put_le32(f + 10, sizeof f);
    put_le32(f + 14, 40);
    put_le32(f + 18, 1);
    put_le32(f + 22, 1);
    put_le16(f + 26, 1);
    put_le16(f + 28, 32);
    put_le32(f + 30, BI_BITFIELDS);
    png_raster *img = NULL;
    assert_int_equal(decode_copy(f, sizeof f, &img), SHROUD_ERR_IMAGE);

    /* 8-bit: biClrUsed above 256, or more entries than the file holds */
    uint8_t px[4] = {0};
    uint8_t pal[1024] = {0};
    bmp_spec s = spec(40, 2, 2, 8, BI_RGB);
    s.palette = pal;
    s.palette_entries = 2;
    s.clr_used = 257;
    s.pixels = px;
    expect(&s, SHROUD_ERR_IMAGE, "biClrUsed 257");
    s.clr_used = 0; /* 256 entries: they run into the pixels */
    expect(&s, SHROUD_ERR_IMAGE, "256 entries, 2 written");
    s.clr_used = 3; /* the 3rd entry overlaps the pixel data */
    expect(&s, SHROUD_ERR_IMAGE, "3 entries, 2 written");
    s.clr_used = 2;
    expect(&s, SHROUD_OK, "2 entries, 2 written");
}

static void test_arguments_and_magic(void **state)
{
    (void)state;
    size_t len;
    uint8_t *f = sample_file(0, &len);
    png_raster *img = (png_raster *)&img;
    assert_int_equal(bmp_decode(NULL, len, &img), SHROUD_ERR_ARGUMENT);
    assert_null(img);
    assert_int_equal(bmp_decode(f, len, NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(bmp_is_bmp(f, len), 1);
    assert_int_equal(bmp_is_bmp(f, 2), 1);
    assert_int_equal(bmp_is_bmp(f, 1), 0);
    assert_int_equal(bmp_is_bmp(NULL, 10), 0);
    assert_int_equal(bmp_is_bmp((const uint8_t *)"\x89PNG", 4), 0);
    assert_int_equal(bmp_is_bmp((const uint8_t *)"bm", 2), 0);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_24bit_bottom_up_odd_widths_decode_every_sample),
        cmocka_unit_test(test_24bit_top_down_odd_widths_decode_every_sample),
        cmocka_unit_test(test_every_header_size_reads_24bit),
        cmocka_unit_test(test_gap_before_pixels_and_trailing_bytes_are_ignored),
        cmocka_unit_test(test_32bit_bi_rgb_ignores_fourth_byte),
        cmocka_unit_test(test_32bit_bitfields_with_alpha_give_rgba),
        cmocka_unit_test(test_32bit_bitfields_with_alpha_all_zero_give_rgb),
        cmocka_unit_test(test_32bit_bitfields_without_alpha_mask_give_rgb),
        cmocka_unit_test(test_8bit_identity_gray_palette_gives_gray),
        cmocka_unit_test(test_8bit_non_identity_gray_palette_gives_entry_values),
        cmocka_unit_test(test_8bit_unused_colour_entry_is_accepted),
        cmocka_unit_test(test_every_truncation_is_an_error),
        cmocka_unit_test(test_unsupported_variants_are_image_format),
        cmocka_unit_test(test_masks_other_than_bytes_are_image_format),
        cmocka_unit_test(test_colour_palette_is_image_format),
        cmocka_unit_test(test_palette_index_beyond_count_is_image_error),
        cmocka_unit_test(test_huge_dimensions_are_limit_errors_before_reading_pixels),
        cmocka_unit_test(test_offsets_outside_the_file_are_image_errors),
        cmocka_unit_test(test_masks_and_palette_outside_the_file_are_image_errors),
        cmocka_unit_test(test_arguments_and_magic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
