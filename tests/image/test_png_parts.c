/*
 * test_png_parts.c — files written in parts (png_encode.c's level 1 for
 * large images) and decoded in parts on two threads (png_inflate.c).
 *
 * - The encoder's layout: four parts, an IDAT chunk each (each but the
 *   last ending with an empty stored block), each part's first row
 *   filtered None or Sub.
 * - Such files go the parts way and decode to the same pixels as the
 *   one-pass way and as libpng; every colour type and 16 bits.
 * - Hand-made files of 2 to 5 parts whose parts are not what the encoder
 *   writes: a last part with matches (libdeflate), parts whose first row
 *   needs the row above, an unknown filter type in the first, a middle or
 *   the last row, fewer rows than parts, parts in two chunks each (copied
 *   to be read), an IDAT boundary off the block boundary, a match reaching
 *   back from the second part into the first.
 * - Corruption: every byte around the first cut, bytes anywhere and the
 *   Adler-32 flipped (CRCs fixed): the same result with and without the
 *   parts way (the same error, or the same pixels).
 */
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "crypto/bytebuf.h"
#include "image/deflate_literals.h"
#include "image/png_inflate.h"
#include "image/png_raster.h"
#include "png_util.h"
#include "shroud.h"
#include "testutil.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Photo-like samples: a smooth gradient with a little noise. */
static uint8_t *photo_samples(size_t n, size_t bpp, size_t w, uint32_t seed)
{
    uint8_t *raw = malloc(n ? n : 1);
    assert_non_null(raw);
    uint32_t s = seed;
    for (size_t i = 0; i < n; i++)
        raw[i] = (uint8_t)(i / bpp % w / 3 + i / (bpp * w) / 2 + next_random(&s) % 7);
    return raw;
}

/* A w x h image of photo_samples (pixels malloc'd). */
static png_raster photo_raster(uint32_t w, uint32_t h, int color_type, int depth, uint32_t seed)
{
    png_raster img = {0};
    img.width = w;
    img.height = h;
    img.bit_depth = (uint8_t)depth;
    img.color_type = (uint8_t)color_type;
    img.channels = (uint8_t)pu_channels(color_type);
    img.sample_bytes = (uint8_t)(depth / 8);
    img.pixel_bytes = (size_t)img.channels * img.sample_bytes;
    img.stride = w * img.pixel_bytes;
    img.pixels = photo_samples(img.stride * h, img.pixel_bytes, w, seed);
    return img;
}

/* Decodes with the parts way allowed or not: the error, and the
 * pixels (malloc'd) on success. */
static int decode_with(const uint8_t *png, size_t len, int parts, uint8_t **pixels, size_t *n)
{
    png_inflate_allow_parts(parts);
    png_raster *img = NULL;
    int err = png_raster_decode(png, len, &img);
    png_inflate_allow_parts(1);
    *pixels = NULL;
    *n = 0;
    if (err == SHROUD_OK) {
        *n = img->stride * img->height;
        *pixels = malloc(*n ? *n : 1);
        assert_non_null(*pixels);
        memcpy(*pixels, img->pixels, *n);
        png_raster_free(img);
    }
    return err;
}

/* Both ways give the same result; returns the error. */
static int check_same_both_ways(const uint8_t *png, size_t len, const char *what)
{
    uint8_t *a, *b;
    size_t na, nb;
    int ea = decode_with(png, len, 1, &a, &na), eb = decode_with(png, len, 0, &b, &nb);
    if (ea != eb || na != nb || (na && memcmp(a, b, na) != 0))
        fail_msg("%s: in parts %d, one pass %d (or other pixels)", what, ea, eb);
    free(a);
    free(b);
    return ea;
}

/* The IDAT data of a file, concatenated, and where each chunk's data ends
 * in it (up to 16). */
static uint8_t *idat_of(const uint8_t *png, size_t len, size_t *z_len, size_t *ends, size_t *n_ends)
{
    uint8_t *z = malloc(len);
    assert_non_null(z);
    *z_len = 0;
    *n_ends = 0;
    for (unsigned k = 0;; k++) {
        size_t at = pu_find_chunk(png, len, "IDAT", k);
        if (at == SIZE_MAX)
            break;
        uint32_t n = pu_be32(png + at);
        memcpy(z + *z_len, png + at + 8, n);
        *z_len += n;
        if (*n_ends < 16)
            ends[(*n_ends)++] = *z_len;
    }
    return z;
}

static void check_encoder_layout(uint32_t w, uint32_t h, int color_type, int depth)
{
    png_raster img = photo_raster(w, h, color_type, depth, w * 31 + h);
    size_t n = img.stride * h;
    bytebuf out = {0};
    assert_int_equal(png_raster_encode(&img, NULL, 0, 1, &out), SHROUD_OK);
    char what[64];
    snprintf(what, sizeof what, "%ux%u type %d depth %d", w, h, color_type, depth);

    /* the cuts: IDAT chunks ending after 00 00 ff ff, not the last one */
    size_t z_len, ends[16], n_ends, cuts = 0;
    uint8_t *z = idat_of(out.data, out.len, &z_len, ends, &n_ends);
    for (size_t k = 0; k + 1 < n_ends; k++)
        cuts += memcmp(z + ends[k] - 4, "\x00\x00\xff\xff", 4) == 0;
    if (cuts != 3 || n_ends != 4)
        fail_msg("%s: %zu IDAT chunks, %zu ending at parts' boundaries: not a chunk per part", what,
                 n_ends, cuts);
    /* each part's first row needs no row above */
    uint8_t *rows;
    size_t rows_len;
    assert_int_equal(pu_inflate_idat(out.data, out.len, &rows, &rows_len), 0);
    assert_int_equal(rows_len, (img.stride + 1) * h);
    for (uint32_t k = 1; k < 4; k++) {
        uint8_t filter = rows[(size_t)(h * k / 4) * (img.stride + 1)];
        if (filter > 1)
            fail_msg("%s: part %u starts with filter %u", what, k, filter);
    }

    uint8_t *pixels;
    size_t got;
    unsigned long taken = png_inflate_parts_taken();
    assert_int_equal(decode_with(out.data, out.len, 1, &pixels, &got), SHROUD_OK);
    assert_int_equal(got, n);
    if (png_inflate_parts_taken() != taken + 1)
        fail_msg("%s: not decoded in parts", what);
    if (memcmp(pixels, img.pixels, n) != 0)
        fail_msg("%s: the decode in parts differs from the image", what);
    pu_image ref;
    assert_int_equal(pu_decode(out.data, out.len, &ref), 0);
    assert_memory_equal(ref.pixels, img.pixels, n);
    pu_image_free(&ref);
    free(pixels);
    free(rows);
    free(z);
    free(out.data);
    free(img.pixels);
}

static void test_encoder_writes_the_parts_layout(void **state)
{
    (void)state;
    check_encoder_layout(640, 480, PU_RGB, 8);
    check_encoder_layout(641, 331, PU_RGBA, 8); /* odd row count */
    check_encoder_layout(1024, 700, PU_GRAY, 8);
    check_encoder_layout(700, 400, PU_GRAY_ALPHA, 8);
    check_encoder_layout(300, 301, PU_RGB, 16);
    check_encoder_layout(360, 200, PU_RGBA, 16);
}

/* ---- hand-made files in the parts layout ---- */

enum part_coding { LITERALS, WITH_MATCHES };

typedef struct {
    uint32_t w, h;
    int color_type;
    unsigned parts;        /* 2 to 5: rows k * h / parts to (k + 1) * h / parts */
    int first_filter;      /* filter of the first row of parts 1.. (others: Sub) */
    int bad_filter_row;    /* a row with filter 5, or -1 */
    enum part_coding last; /* how the last part is compressed */
    size_t cut_shift;      /* the first IDAT chunk boundary moved by this many bytes */
    int two_chunks;        /* each part in two IDAT chunks (copied together to be read) */
} layout;

/* A PNG of the layout's photo samples, its rows filtered as asked, the
 * parts compressed separately and the IDAT cut at their boundaries. */
static uint8_t *make_layout(const layout *l, uint8_t **raw_out, size_t *len)
{
    size_t bpp = (size_t)pu_channels(l->color_type), stride = l->w * bpp;
    size_t rows_len = (stride + 1) * l->h;
    uint8_t *raw = photo_samples(stride * l->h, bpp, l->w, l->w + l->h);
    uint8_t *rows = malloc(rows_len);
    assert_non_null(rows);
    for (uint32_t y = 0; y < l->h; y++) {
        uint8_t *dst = rows + y * (stride + 1);
        int first = 0;
        for (unsigned k = 1; k < l->parts; k++)
            first |= y == l->h * k / l->parts;
        dst[0] = first ? (uint8_t)l->first_filter : 1;
        pu_filter_row(dst[0], raw + y * stride, y ? raw + (y - 1) * stride : NULL, stride, bpp,
                      dst + 1);
        if ((int)y == l->bad_filter_row)
            dst[0] = 5;
    }
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    assert_non_null(c);
    size_t cap = 2 + 2 * deflate_literals_bound(rows_len) +
                 libdeflate_deflate_compress_bound(c, rows_len) + 4;
    uint8_t *z = malloc(cap);
    assert_non_null(z);
    z[0] = 0x78;
    z[1] = 0x01;
    size_t at = 2, cuts[5];
    for (unsigned k = 0; k < l->parts; k++) {
        size_t from = (stride + 1) * (l->h * k / l->parts);
        size_t to = (stride + 1) * (l->h * (k + 1) / l->parts), n;
        if (k + 1 < l->parts || l->last == LITERALS)
            n = deflate_literals_part(rows + from, to - from, k + 1 == l->parts, z + at, cap - at);
        else
            n = libdeflate_deflate_compress(c, rows + from, to - from, z + at, cap - at);
        assert_true(n > 0);
        cuts[k] = at;
        at += n;
    }
    libdeflate_free_compressor(c);
    size_t z_len = at + 4;
    pu_put_be32(z + z_len - 4, (uint32_t)libdeflate_adler32(1, rows, rows_len));
    cuts[1] += l->cut_shift;
    tu_buf out = {0};
    pu_put_signature(&out);
    pu_put_ihdr(&out, l->w, l->h, 8, l->color_type, 0);
    for (unsigned k = 0; k < l->parts; k++) {
        size_t from = k ? cuts[k] : 0, to = k + 1 < l->parts ? cuts[k + 1] : z_len;
        size_t mid = l->two_chunks ? from + (to - from) / 2 : to;
        pu_put_chunk(&out, "IDAT", z + from, mid - from);
        if (mid < to)
            pu_put_chunk(&out, "IDAT", z + mid, to - mid);
    }
    pu_put_chunk(&out, "IEND", NULL, 0);
    free(z);
    free(rows);
    *raw_out = raw;
    *len = out.len;
    return out.data;
}

/* expect: the decode's result; split: whether the parts way gives it (or
 * the one-pass way, after the parts way gave up). */
static void check_layout(const layout *l, int expect, int split, const char *what)
{
    uint8_t *raw;
    size_t len;
    uint8_t *png = make_layout(l, &raw, &len);
    unsigned long taken = png_inflate_parts_taken();
    int err = check_same_both_ways(png, len, what);
    if ((png_inflate_parts_taken() != taken) != (split && expect == SHROUD_OK))
        fail_msg("%ux%u, %u parts, %s: the parts way %s", l->w, l->h, l->parts, what,
                 split ? "not taken" : "taken");
    if (err != expect)
        fail_msg("%ux%u, %u parts, %s: decode gives %d, expected %d", l->w, l->h, l->parts, what,
                 err, expect);
    if (err == SHROUD_OK) {
        uint8_t *pixels;
        size_t n;
        assert_int_equal(decode_with(png, len, 1, &pixels, &n), SHROUD_OK);
        if (memcmp(pixels, raw, n) != 0)
            fail_msg("%s: pixels differ from the image", what);
        free(pixels);
    }
    free(png);
    free(raw);
}

static void test_hand_made_parts(void **state)
{
    (void)state;
    static const uint32_t heights[] = {2, 3, 7, 64, 65};
    for (unsigned parts = 2; parts <= 5; parts++)
        for (size_t i = 0; i < N_ITEMS(heights); i++) {
            uint32_t h = heights[i];
            int split = h >= parts; /* a part of no rows: one pass */
            layout l = {37, h, PU_RGB, parts, 1, -1, LITERALS, 0, 0};
            check_layout(&l, SHROUD_OK, split, "Sub first, literals");
            l.two_chunks = 1;
            check_layout(&l, SHROUD_OK, split, "parts in two chunks each");
            l.last = WITH_MATCHES;
            check_layout(&l, SHROUD_OK, split, "two chunks each, last part with matches");
            l.last = LITERALS;
            l.two_chunks = 0;
            l.first_filter = 0;
            check_layout(&l, SHROUD_OK, split, "None first");
            for (int f = 2; f <= 4; f++) { /* the parts wait for the one before */
                l.first_filter = f;
                check_layout(&l, SHROUD_OK, split, "parts need the row above");
            }
            l.first_filter = 1;
            l.last = WITH_MATCHES; /* libdeflate reads the last part */
            check_layout(&l, SHROUD_OK, split, "last part with matches");
            l.last = LITERALS;
            l.bad_filter_row = 0;
            check_layout(&l, SHROUD_ERR_IMAGE, split, "bad filter in the first part");
            l.bad_filter_row = (int)h - 1;
            check_layout(&l, SHROUD_ERR_IMAGE, split, "bad filter at the end");
            l.bad_filter_row = (int)(h / parts);
            check_layout(&l, SHROUD_ERR_IMAGE, split, "bad filter starting the second part");
        }
    /* an IDAT boundary off the block boundary: one pass decides */
    layout l = {64, 40, PU_RGBA, 2, 1, -1, LITERALS, 1, 0};
    check_layout(&l, SHROUD_OK, 0, "chunk boundary one byte late");
    l.parts = 4;
    check_layout(&l, SHROUD_OK, 0, "first of three chunk boundaries one byte late");
}

/* The second half made by libdeflate with a match reaching back into the
 * first half: only the one-pass inflate can read it, and does. */
static void test_match_into_the_first_half(void **state)
{
    (void)state;
    uint32_t w = 16, h = 8;
    size_t stride = w * 3, rows_len = (stride + 1) * h, half_len = (stride + 1) * (h / 2);
    uint8_t *rows = calloc(1, rows_len);
    assert_non_null(rows);
    uint32_t s = 9;
    for (size_t i = 0; i < half_len; i++)
        rows[i] = i % (stride + 1) ? (uint8_t)next_random(&s) : 0;
    memcpy(rows + half_len, rows, rows_len - half_len); /* the second half repeats the first */
    uint8_t z[4096];
    z[0] = 0x78;
    z[1] = 0x01;
    size_t first = deflate_literals_part(rows, half_len, 0, z + 2, sizeof z - 2);
    /* the second half: a fixed-Huffman block with one match of the whole
     * half at distance half_len (RFC 1951 3.2.6), then end of block */
    assert_true(half_len <= 258 && half_len > 3);
    uint8_t *p = z + 2 + first;
    uint64_t bits = 0;
    unsigned count = 0;
#define PUT(v, n) (bits |= (uint64_t)(v) << count, count += (n))
#define PUT_REV(v, n)                                                                              \
    do {                                                                                           \
        for (int i_ = (n)-1; i_ >= 0; i_--)                                                        \
            PUT(((v) >> i_) & 1u, 1);                                                              \
    } while (0)
#define FLUSH()                                                                                    \
    while (count >= 8) {                                                                           \
        *p++ = (uint8_t)bits;                                                                      \
        bits >>= 8;                                                                                \
        count -= 8;                                                                                \
    }
    PUT(1, 1); /* final */
    PUT(1, 2); /* fixed Huffman */
    /* the length: its code from RFC 1951's table, then its extra bits */
    static const uint16_t base[] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const uint8_t extra[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    unsigned length = (unsigned)half_len, code = 0;
    while (code + 1 < N_ITEMS(base) && base[code + 1] <= length)
        code++;
    unsigned sym = 257 + code; /* 257..279: 7-bit codes 0000001..; 280..287: 8-bit 11000000.. */
    if (sym <= 279)
        PUT_REV(sym - 256, 7);
    else
        PUT_REV(sym - 280 + 0xC0, 8);
    PUT(length - base[code], extra[code]);
    FLUSH();
    /* distance half_len: codes 0..29, base/extra per RFC 1951 */
    static const uint16_t dbase[] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                     33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                     1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    unsigned dist = (unsigned)half_len, dcode = 0;
    while (dcode + 1 < N_ITEMS(dbase) && dbase[dcode + 1] <= dist)
        dcode++;
    PUT_REV(dcode, 5);
    PUT(dist - dbase[dcode], dcode < 4 ? 0 : dcode / 2 - 1);
    PUT_REV(0, 7); /* end of block */
    FLUSH();
    if (count)
        *p++ = (uint8_t)bits;
#undef PUT
#undef PUT_REV
#undef FLUSH
    size_t z_len = (size_t)(p - z) + 4;
    pu_put_be32(z + z_len - 4, (uint32_t)libdeflate_adler32(1, rows, rows_len));
    tu_buf out = {0};
    pu_put_signature(&out);
    pu_put_ihdr(&out, w, h, 8, PU_RGB, 0);
    pu_put_chunk(&out, "IDAT", z, 2 + first);
    pu_put_chunk(&out, "IDAT", z + 2 + first, z_len - 2 - first);
    pu_put_chunk(&out, "IEND", NULL, 0);
    /* libdeflate itself reads the stream whole */
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    uint8_t *back = malloc(rows_len);
    size_t got = 0;
    assert_int_equal(libdeflate_zlib_decompress(d, z, z_len, back, rows_len, &got),
                     LIBDEFLATE_SUCCESS);
    assert_int_equal(got, rows_len);
    assert_memory_equal(back, rows, rows_len);
    libdeflate_free_decompressor(d);
    unsigned long taken = png_inflate_parts_taken();
    assert_int_equal(check_same_both_ways(out.data, out.len, "match into the first half"),
                     SHROUD_OK);
    assert_int_equal(png_inflate_parts_taken(), taken); /* the second half's inflate failed */
    free(back);
    free(out.data);
    free(rows);
}

/* Every byte near the cut, a spread of bytes in both halves, and the
 * Adler-32 flipped, CRCs fixed: both ways agree. */
static void test_corruption_gives_the_same_result_both_ways(void **state)
{
    (void)state;
    png_raster img = photo_raster(640, 300, PU_RGB, 8, 5);
    bytebuf out = {0};
    assert_int_equal(png_raster_encode(&img, NULL, 0, 1, &out), SHROUD_OK);
    size_t z_len, ends[16], n_ends;
    uint8_t *z = idat_of(out.data, out.len, &z_len, ends, &n_ends);
    assert_true(n_ends >= 2);
    free(z);
    /* file offsets of the IDAT data */
    size_t first_idat = pu_find_chunk(out.data, out.len, "IDAT", 0);
    size_t second_idat = pu_find_chunk(out.data, out.len, "IDAT", 1);
    size_t last_idat = pu_find_chunk(out.data, out.len, "IDAT", (unsigned)n_ends - 1);
    size_t first_end = first_idat + 8 + pu_be32(out.data + first_idat);
    size_t last_end = last_idat + 8 + pu_be32(out.data + last_idat);
    size_t positions[200], n_pos = 0;
    for (size_t i = 0; i < 24; i++) { /* before and after the cut */
        positions[n_pos++] = first_end - 1 - i;
        positions[n_pos++] = second_idat + 8 + i;
    }
    for (size_t i = 0; i < 8; i++) /* the zlib header, the Adler-32 */
        positions[n_pos++] = i < 2 ? first_idat + 8 + i : last_end - 1 - (i - 2);
    uint32_t s = 77;
    while (n_pos < N_ITEMS(positions)) { /* anywhere in either half */
        size_t k = next_random(&s) % 2 ? first_idat : second_idat;
        size_t n = pu_be32(out.data + k);
        positions[n_pos++] = k + 8 + next_random(&s) % n;
    }
    int refused = 0, accepted = 0;
    for (size_t i = 0; i < n_pos; i++) {
        uint8_t *copy = malloc(out.len);
        assert_non_null(copy);
        memcpy(copy, out.data, out.len);
        copy[positions[i]] ^= (uint8_t)(1u << (i % 8));
        size_t chunk = positions[i] < first_end ? first_idat : second_idat;
        if (positions[i] > last_idat)
            chunk = last_idat;
        pu_fix_crc(copy, chunk);
        char what[64];
        snprintf(what, sizeof what, "byte %zu flipped", positions[i]);
        if (check_same_both_ways(copy, out.len, what) == SHROUD_OK)
            accepted++;
        else
            refused++;
        free(copy);
    }
    assert_true(refused > 0); /* the checks are real: most flips are caught */
    (void)accepted;
    free(out.data);
    free(img.pixels);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encoder_writes_the_parts_layout),
        cmocka_unit_test(test_hand_made_parts),
        cmocka_unit_test(test_match_into_the_first_half),
        cmocka_unit_test(test_corruption_gives_the_same_result_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
