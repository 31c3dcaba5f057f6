/*
 * PNG pixels in and out (png_raster.h): decode -> encode -> decode round trips
 * of every colour type, bit depth and interlace at odd sizes, checked against
 * the generated pattern, an independent libpng decode and pngcheck; kept and
 * dropped chunks; the adaptive filter choice; every compression level; IDAT
 * splitting; the size limits; corrupt files; clone.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "image/image_limits.h"
#include "image/png_chunks.h"
#include "image/png_raster.h"
#include "png_util.h"
#include "shroud.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define MIB (1024u * 1024u)

/* ---- helpers ------------------------------------------------------------------------ */

static png_raster *decode_ok(const uint8_t *buf, size_t len)
{
    png_raster *img = NULL;
    int err = png_raster_decode(buf, len, &img);
    if (err)
        fail_msg("png_raster_decode: %s (%d)", shroud_strerror(err), err);
    assert_non_null(img);
    return img;
}

static void encode_ok(const png_raster *img, const uint8_t *extra, size_t extra_len, int level,
                      bytebuf *out)
{
    memset(out, 0, sizeof *out);
    int err = png_raster_encode(img, extra, extra_len, level, out);
    if (err)
        fail_msg("png_raster_encode: %s (%d)", shroud_strerror(err), err);
}

static void free_buf(bytebuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* pngcheck must pass; without pngcheck the check is skipped, said once. */
static void check_pngcheck(const uint8_t *png, size_t len, const char *what)
{
    static int said;
    int rc = pu_pngcheck(png, len);
    if (rc == 1) {
        if (!said++)
            print_message("pngcheck is not on PATH: output validation skipped\n");
        return;
    }
    if (rc != 0)
        fail_msg("pngcheck refuses %s", what);
}

/* The decode error of buf, with *out NULL on error. */
static int decode_err(const uint8_t *buf, size_t len)
{
    png_raster *img = (png_raster *)&img; /* not NULL: decode must clear it */
    int err = png_raster_decode(buf, len, &img);
    if (err)
        assert_null(img);
    png_raster_free(img);
    return err;
}

/* Header fields of a decoded image against what the file says. */
static void check_header(const png_raster *img, uint32_t w, uint32_t h, int ct, int depth,
                         int interlaced)
{
    static const uint8_t channels[7] = {1, 0, 3, 1, 2, 0, 4};
    assert_int_equal(img->width, w);
    assert_int_equal(img->height, h);
    assert_int_equal(img->color_type, ct);
    assert_int_equal(img->bit_depth, depth);
    assert_int_equal(img->interlaced, interlaced);
    assert_int_equal(img->channels, channels[ct]);
    assert_int_equal(img->sample_bytes, depth == 16 ? 2 : 1);
    assert_int_equal(img->pixel_bytes, (size_t)img->channels * img->sample_bytes);
    assert_int_equal(img->stride, (size_t)w * img->pixel_bytes);
    assert_non_null(img->pixels);
}

/* The decoded image equals libpng's own decode of the same file. */
static void check_like_libpng(const png_raster *img, const uint8_t *png, size_t len)
{
    pu_image ref;
    assert_int_equal(pu_decode(png, len, &ref), 0);
    assert_int_equal(ref.width, img->width);
    assert_int_equal(ref.height, img->height);
    assert_int_equal(ref.color_type, img->color_type);
    assert_int_equal(ref.bit_depth, img->bit_depth);
    assert_int_equal(ref.stride, img->stride);
    assert_memory_equal(ref.pixels, img->pixels, img->stride * img->height);
    if (img->color_type == PNG_CT_PALETTE) {
        assert_int_equal(ref.num_palette, img->palette_len);
        assert_memory_equal(ref.palette, img->palette, (size_t)ref.num_palette * 3);
        assert_int_equal(ref.num_trans, img->trns_len);
        assert_memory_equal(ref.trans, img->trns, (size_t)ref.num_trans);
    }
    pu_image_free(&ref);
}

/* Two images hold the same pixels, palette and kept chunks. */
static void check_same_image(const png_raster *a, const png_raster *b)
{
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    assert_int_equal(a->bit_depth, b->bit_depth);
    assert_int_equal(a->color_type, b->color_type);
    assert_int_equal(a->stride, b->stride);
    assert_memory_equal(a->pixels, b->pixels, a->stride * a->height);
    assert_int_equal(a->palette_len, b->palette_len);
    assert_memory_equal(a->palette, b->palette, (size_t)a->palette_len * 3);
    assert_int_equal(a->trns_len, b->trns_len);
    assert_memory_equal(a->trns, b->trns, a->trns_len);
    assert_int_equal(a->kept_len, b->kept_len);
    for (size_t i = 0; i < a->kept_len; i++) {
        assert_string_equal(a->kept[i].type, b->kept[i].type);
        assert_int_equal(a->kept[i].place, b->kept[i].place);
        assert_int_equal(a->kept[i].length, b->kept[i].length);
        assert_memory_equal(a->kept[i].data, b->kept[i].data, a->kept[i].length);
    }
}

/* A gray 8-bit image's IDAT data (filter None rows of value v), zlib-compressed. */
static uint8_t *gray_idat(uint32_t w, uint32_t h, uint8_t v, size_t *len)
{
    size_t n = ((size_t)w + 1) * h;
    uint8_t *raw = malloc(n);
    assert_non_null(raw);
    for (size_t i = 0; i < n; i++)
        raw[i] = i % ((size_t)w + 1) ? v : 0;
    uint8_t *z = pu_zlib(raw, n, len);
    free(raw);
    return z;
}

/* A hand-made gray 8-bit file in two halves: signature and IHDR, then (after
 * the caller's chunks) IDAT and IEND. */
static void gray_begin(tu_buf *f, uint32_t w, uint32_t h)
{
    *f = (tu_buf){0};
    pu_put_signature(f);
    pu_put_ihdr(f, w, h, 8, PU_GRAY, 0);
}

static void gray_end(tu_buf *f, uint32_t w, uint32_t h)
{
    size_t zlen;
    uint8_t *z = gray_idat(w, h, 0x80, &zlen);
    pu_put_chunk(f, "IDAT", z, zlen);
    pu_put_chunk(f, "IEND", NULL, 0);
    free(z);
}

/* The pngcheck helper tells a broken file from a good one (else a silent
 * pngcheck would make every check below pass). */
static void test_pngcheck_helper_sees_errors(void **state)
{
    (void)state;
    pu_spec spec = {.width = 4, .height = 4, .color_type = PU_PALETTE, .bit_depth = 2};
    size_t len;
    uint8_t *png = pu_make(&spec, &len);
    int rc = pu_pngcheck(png, len);
    if (rc == 1) {
        print_message("pngcheck is not on PATH: skipped\n");
        free(png);
        return;
    }
    assert_int_equal(rc, 0);
    size_t idat = pu_find_chunk(png, len, "IDAT", 0);
    png[idat + 9] ^= 0x40; /* a data byte: its CRC no longer matches */
    assert_int_equal(pu_pngcheck(png, len), -1);
    png[idat + 9] ^= 0x40;
    size_t plte = pu_find_chunk(png, len, "PLTE", 0);
    memcpy(png + plte + 4, "pLTE", 4); /* no PLTE for a palette image */
    pu_fix_crc(png, plte);
    assert_int_equal(pu_pngcheck(png, len), -1);
    free(png);
}

/* ---- round trips ---------------------------------------------------------------------------- */

typedef struct {
    int ct, depth;
    unsigned palette_len;
} type_case;

static const type_case all_types[] = {
    {PU_GRAY, 1, 0},        {PU_GRAY, 2, 0},     {PU_GRAY, 4, 0},      {PU_GRAY, 8, 0},
    {PU_GRAY, 16, 0},       {PU_RGB, 8, 0},      {PU_RGB, 16, 0},      {PU_GRAY_ALPHA, 8, 0},
    {PU_GRAY_ALPHA, 16, 0}, {PU_RGBA, 8, 0},     {PU_RGBA, 16, 0},     {PU_PALETTE, 1, 2},
    {PU_PALETTE, 2, 3},     {PU_PALETTE, 4, 11}, {PU_PALETTE, 8, 200},
};

static void round_trip(const pu_spec *spec)
{
    char what[128];
    snprintf(what, sizeof what, "type %d depth %d %ux%u%s", spec->color_type, spec->bit_depth,
             spec->width, spec->height, spec->interlace ? " interlaced" : "");
    size_t len, pattern_len;
    uint8_t *png = pu_make(spec, &len);
    uint8_t *pattern = pu_spec_pattern(spec, &pattern_len);

    png_raster *img = decode_ok(png, len);
    check_header(img, spec->width, spec->height, spec->color_type, spec->bit_depth,
                 spec->interlace);
    assert_int_equal(img->stride * img->height, pattern_len);
    if (memcmp(img->pixels, pattern, pattern_len) != 0)
        fail_msg("%s: decoded samples differ from the pattern", what);
    check_like_libpng(img, png, len);
    if (spec->color_type == PU_PALETTE) {
        uint8_t rgb[256][3], alpha[256];
        pu_palette(spec->palette_len, spec->seed, rgb, alpha);
        assert_int_equal(img->palette_len, spec->palette_len);
        assert_memory_equal(img->palette, rgb, (size_t)spec->palette_len * 3);
        assert_int_equal(img->trns_len, spec->trns ? spec->palette_len : 0);
        assert_memory_equal(img->trns, alpha, img->trns_len);
    } else {
        assert_int_equal(img->palette_len, 0);
        assert_int_equal(img->trns_len, 0);
    }
    assert_int_equal(img->dropped_unsafe, 0);

    bytebuf out;
    encode_ok(img, NULL, 0, PNG_DEFAULT_LEVEL, &out);
    check_pngcheck(out.data, out.len, what);
    assert_int_equal(out.data[8 + 8 + 12], 0); /* IHDR interlace method: never interlaced */
    /* The output decodes, with libpng too, to the same samples. */
    png_raster *back = decode_ok(out.data, out.len);
    check_header(back, spec->width, spec->height, spec->color_type, spec->bit_depth, 0);
    check_same_image(img, back);
    check_like_libpng(back, out.data, out.len);
    /* And looks the same once rendered (palette and tRNS carried over). The
     * reference is the non-interlaced twin of the input: libpng 1.6.39's
     * simplified API renders interlaced 16-bit files wrongly. */
    pu_spec twin_spec = *spec;
    twin_spec.interlace = 0;
    size_t twin_len;
    uint8_t *twin = pu_make(&twin_spec, &twin_len);
    uint8_t *rgba_in = NULL, *rgba_out = NULL;
    uint32_t w1, h1, w2, h2;
    assert_int_equal(pu_decode_rgba(twin, twin_len, &rgba_in, &w1, &h1), 0);
    free(twin);
    assert_int_equal(pu_decode_rgba(out.data, out.len, &rgba_out, &w2, &h2), 0);
    if (memcmp(rgba_in, rgba_out, (size_t)w1 * h1 * 4) != 0)
        fail_msg("%s: rendered pixels differ", what);
    /* Encoding is deterministic. */
    bytebuf again;
    encode_ok(back, NULL, 0, PNG_DEFAULT_LEVEL, &again);
    assert_int_equal(again.len, out.len);
    assert_memory_equal(again.data, out.data, out.len);

    free(rgba_in);
    free(rgba_out);
    free_buf(&again);
    free_buf(&out);
    png_raster_free(back);
    png_raster_free(img);
    free(pattern);
    free(png);
}

static void test_round_trips_every_type_depth_and_size(void **state)
{
    (void)state;
    static const uint32_t sizes[][2] = {{1, 1}, {1, 17}, {17, 1}, {13, 7}, {40, 33}};
    for (size_t t = 0; t < N_ITEMS(all_types); t++)
        for (size_t s = 0; s < N_ITEMS(sizes); s++)
            for (int interlace = 0; interlace < 2; interlace++) {
                pu_spec spec = {.width = sizes[s][0],
                                .height = sizes[s][1],
                                .color_type = all_types[t].ct,
                                .bit_depth = all_types[t].depth,
                                .interlace = interlace,
                                .palette_len = all_types[t].palette_len,
                                .trns = (int)(s % 2),
                                .seed = (unsigned)(t * 7 + s)};
                round_trip(&spec);
            }
}

static uint64_t sum_abs(const uint8_t *p, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i] < 128 ? p[i] : 256u - p[i];
    return s;
}

/* Each row's filter has the smallest sum of |signed byte| of the five (8 bits
 * and more, not palette), or is None (palette, sub-byte depths); the filtered
 * bytes are that filter's. */
static void test_filter_choice(void **state)
{
    (void)state;
    static const type_case types[] = {{PU_GRAY, 8, 0},        {PU_RGB, 8, 0},    {PU_RGB, 16, 0},
                                      {PU_GRAY_ALPHA, 16, 0}, {PU_RGBA, 8, 0},   {PU_GRAY, 4, 0},
                                      {PU_PALETTE, 8, 100},   {PU_PALETTE, 2, 4}};
    for (size_t t = 0; t < N_ITEMS(types); t++) {
        pu_spec spec = {.width = 37,
                        .height = 29,
                        .color_type = types[t].ct,
                        .bit_depth = types[t].depth,
                        .palette_len = types[t].palette_len};
        size_t len;
        uint8_t *png = pu_make(&spec, &len);
        png_raster *img = decode_ok(png, len);
        bytebuf out;
        encode_ok(img, NULL, 0, 9, &out);
        uint8_t *raw;
        size_t raw_len;
        assert_int_equal(pu_inflate_idat(out.data, out.len, &raw, &raw_len), 0);
        int sub_byte = img->bit_depth < 8;
        size_t row_bytes =
            sub_byte ? ((size_t)img->width * img->channels * img->bit_depth + 7) / 8 : img->stride;
        assert_int_equal(raw_len, (row_bytes + 1) * img->height);
        int adaptive = img->color_type != PNG_CT_PALETTE && !sub_byte;
        uint8_t *trial = malloc(row_bytes), *best = malloc(row_bytes);
        assert_non_null(trial);
        assert_non_null(best);
        unsigned used = 0;
        for (uint32_t y = 0; y < img->height; y++) {
            const uint8_t *line = raw + (size_t)y * (row_bytes + 1);
            if (!adaptive) {
                assert_int_equal(line[0], 0);
                continue;
            }
            const uint8_t *row = img->pixels + (size_t)y * img->stride;
            const uint8_t *prior = y ? row - img->stride : NULL;
            uint64_t min = UINT64_MAX, chosen = 0;
            assert_true(line[0] <= 4);
            for (int f = 0; f < 5; f++) {
                pu_filter_row(f, row, prior, row_bytes, img->pixel_bytes, trial);
                uint64_t s = sum_abs(trial, row_bytes);
                if (s < min)
                    min = s;
                if (f == line[0]) {
                    chosen = s;
                    memcpy(best, trial, row_bytes);
                }
            }
            if (chosen != min)
                fail_msg("type %d/%d row %u: filter %d sums %llu, the best %llu", types[t].ct,
                         types[t].depth, y, line[0], (unsigned long long)chosen,
                         (unsigned long long)min);
            assert_memory_equal(line + 1, best, row_bytes);
            used |= 1u << line[0];
        }
        if (adaptive)
            assert_true(used & ~1u); /* the pattern makes some filter beat None */
        free(trial);
        free(best);
        free(raw);
        free_buf(&out);
        png_raster_free(img);
        free(png);
    }
}

/* ---- chunks ------------------------------------------------------------------------------------
 */

typedef struct {
    const char *type;
    int place;
} kept_want;

/* How many kept chunks before the ith have its type. */
static unsigned occurrence(const png_raster *img, size_t i)
{
    unsigned n = 0;
    for (size_t k = 0; k < i; k++)
        n += strcmp(img->kept[k].type, img->kept[i].type) == 0;
    return n;
}

static void test_kept_chunks_keep_order_and_place(void **state)
{
    (void)state;
    static const uint8_t phys[9] = {0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1};
    static const char after_text[] = "Title\0after the pixels";
    const pu_chunk extra[] = {
        {"teST", (const uint8_t *)"unsafe", 6, PU_AFTER_IHDR},
        {"shSG", (const uint8_t *)"old signature", 13, PU_AFTER_IHDR},
        {"pHYs", phys, sizeof phys, PU_BEFORE_IDAT},
        {"teSt", (const uint8_t *)"safe one", 8, PU_BEFORE_IDAT},
        {"shRD", (const uint8_t *)"old record", 10, PU_BEFORE_IDAT},
        {"aBCD", (const uint8_t *)"public, unknown, unsafe", 23, PU_BEFORE_IDAT},
        {"tEXt", (const uint8_t *)after_text, sizeof after_text - 1, PU_AFTER_IDAT},
        {"shRD", (const uint8_t *)"late record", 11, PU_AFTER_IDAT},
    };
    pu_spec spec = {.width = 9,
                    .height = 5,
                    .color_type = PU_PALETTE,
                    .bit_depth = 8,
                    .palette_len = 20,
                    .trns = 1,
                    .chunks =
                        PU_GAMA | PU_ICCP | PU_TEXT | PU_UNSAFE_UNKNOWN | PU_ACTL | PU_SAFE_UNKNOWN,
                    .extra = extra,
                    .n_extra = N_ITEMS(extra)};
    size_t len;
    uint8_t *png = pu_make(&spec, &len);
    char *in_types = pu_chunk_types(png, len);
    assert_string_equal(in_types, "IHDR gAMA iCCP teST shSG PLTE tRNS tEXt teST acTL fcTL pHYs "
                                  "teSt shRD aBCD IDAT teSt tEXt shRD IEND");
    png_raster *img = decode_ok(png, len);
    static const kept_want want[] = {
        {"gAMA", PNG_PLACE_BEFORE_PLTE}, {"iCCP", PNG_PLACE_BEFORE_PLTE},
        {"PLTE", PNG_PLACE_BEFORE_IDAT}, {"tRNS", PNG_PLACE_BEFORE_IDAT},
        {"tEXt", PNG_PLACE_BEFORE_IDAT}, {"pHYs", PNG_PLACE_BEFORE_IDAT},
        {"teSt", PNG_PLACE_BEFORE_IDAT}, {"teSt", PNG_PLACE_AFTER_IDAT},
        {"tEXt", PNG_PLACE_AFTER_IDAT},
    };
    assert_int_equal(img->kept_len, N_ITEMS(want));
    for (size_t i = 0; i < N_ITEMS(want); i++) {
        assert_string_equal(img->kept[i].type, want[i].type);
        assert_int_equal(img->kept[i].place, want[i].place);
        /* raw data as in the file */
        size_t at = pu_find_chunk(png, len, want[i].type, occurrence(img, i));
        assert_true(at != SIZE_MAX);
        assert_int_equal(img->kept[i].length, pu_be32(png + at));
        assert_memory_equal(img->kept[i].data, png + at + 8, img->kept[i].length);
    }
    /* teST twice, acTL, fcTL, aBCD: unknown and unsafe; shRD and shSG are not counted */
    assert_int_equal(img->dropped_unsafe, 5);

    /* Re-encoded with one extra chunk: everything back in its place. */
    bytebuf extra_chunks = {0};
    assert_int_equal(png_chunk_append(&extra_chunks, "shRD", (const uint8_t *)"new", 3), SHROUD_OK);
    bytebuf out;
    encode_ok(img, extra_chunks.data, extra_chunks.len, PNG_DEFAULT_LEVEL, &out);
    char *out_types = pu_chunk_types(out.data, out.len);
    assert_string_equal(out_types,
                        "IHDR gAMA iCCP PLTE tRNS tEXt pHYs teSt shRD IDAT teSt tEXt IEND");
    check_pngcheck(out.data, out.len, "kept chunks");
    size_t at = pu_find_chunk(out.data, out.len, "shRD", 0);
    assert_memory_equal(out.data + at, extra_chunks.data, extra_chunks.len);
    for (size_t i = 0; i < img->kept_len; i++) {
        size_t o = pu_find_chunk(out.data, out.len, img->kept[i].type, occurrence(img, i));
        size_t p = pu_find_chunk(png, len, img->kept[i].type, occurrence(img, i));
        assert_int_equal(pu_be32(out.data + o) + 12u, pu_be32(png + p) + 12u);
        assert_memory_equal(out.data + o, png + p,
                            pu_be32(png + p) + 12u); /* same bytes, CRC too */
    }
    png_raster *back = decode_ok(out.data, out.len);
    check_same_image(img, back);
    assert_int_equal(back->dropped_unsafe, 0);
    png_raster_free(back);
    free(out_types);
    free_buf(&out);
    free_buf(&extra_chunks);
    png_raster_free(img);
    free(in_types);
    free(png);
}

/* Without a PLTE everything before IDAT is "before PLTE"; a palette for an
 * RGB image (a suggestion) is kept too. */
static void test_places_without_and_with_suggested_palette(void **state)
{
    (void)state;
    pu_spec spec = {.width = 6, .height = 4, .color_type = PU_RGB, .chunks = PU_GAMA | PU_TEXT};
    size_t len;
    uint8_t *png = pu_make(&spec, &len);
    png_raster *img = decode_ok(png, len);
    assert_int_equal(img->kept_len, 2);
    assert_string_equal(img->kept[0].type, "gAMA");
    assert_int_equal(img->kept[0].place, PNG_PLACE_BEFORE_PLTE);
    assert_string_equal(img->kept[1].type, "tEXt");
    assert_int_equal(img->kept[1].place, PNG_PLACE_BEFORE_PLTE);
    assert_int_equal(img->palette_len, 0);
    png_raster_free(img);
    free(png);

    static const uint8_t pal[6] = {1, 2, 3, 4, 5, 6};
    const pu_chunk plte[] = {{"PLTE", pal, 6, PU_BEFORE_IDAT}};
    spec.extra = plte;
    spec.n_extra = 1;
    png = pu_make(&spec, &len);
    img = decode_ok(png, len);
    assert_int_equal(img->kept_len, 3);
    assert_string_equal(img->kept[2].type, "PLTE");
    assert_int_equal(img->palette_len, 2);
    bytebuf out;
    encode_ok(img, NULL, 0, 1, &out);
    char *types = pu_chunk_types(out.data, out.len);
    assert_string_equal(types, "IHDR gAMA tEXt PLTE IDAT IEND");
    check_pngcheck(out.data, out.len, "RGB with a suggested palette");
    free(types);
    free_buf(&out);
    png_raster_free(img);
    free(png);
}

/* shroud's own chunks, several of them, anywhere: dropped, never counted. */
static void test_shroud_chunks_dropped(void **state)
{
    (void)state;
    uint8_t big[3000];
    memset(big, 0x5a, sizeof big);
    const pu_chunk extra[] = {
        {"shRD", big, sizeof big, PU_BEFORE_IDAT},
        {"shRD", big, 10, PU_BEFORE_IDAT},
        {"shSG", big, 0, PU_BEFORE_IDAT},
        {"shSG", big, 5, PU_AFTER_IDAT},
    };
    pu_spec spec = {
        .width = 7, .height = 3, .color_type = PU_GRAY_ALPHA, .extra = extra, .n_extra = 4};
    size_t len;
    uint8_t *png = pu_make(&spec, &len);
    png_raster *img = decode_ok(png, len);
    assert_int_equal(img->kept_len, 0);
    assert_int_equal(img->dropped_unsafe, 0);
    bytebuf out;
    encode_ok(img, NULL, 0, PNG_DEFAULT_LEVEL, &out);
    char *types = pu_chunk_types(out.data, out.len);
    assert_string_equal(types, "IHDR IDAT IEND");
    free(types);
    free_buf(&out);
    png_raster_free(img);
    free(png);
}

/* ---- levels and IDAT size ---------------------------------------------------------------- */

static void test_every_level_gives_a_valid_file(void **state)
{
    (void)state;
    static const pu_spec specs[] = {
        {.width = 64, .height = 48, .color_type = PU_RGB, .bit_depth = 16, .chunks = PU_TEXT},
        {.width = 33, .height = 20, .color_type = PU_PALETTE, .bit_depth = 4, .trns = 1},
    };
    for (size_t s = 0; s < N_ITEMS(specs); s++) {
        size_t len;
        uint8_t *png = pu_make(&specs[s], &len);
        png_raster *img = decode_ok(png, len);
        for (int level = 1; level <= 12; level++) {
            char what[64];
            snprintf(what, sizeof what, "spec %zu at level %d", s, level);
            bytebuf out;
            encode_ok(img, NULL, 0, level, &out);
            check_pngcheck(out.data, out.len, what);
            png_raster *back = decode_ok(out.data, out.len);
            check_same_image(img, back);
            check_like_libpng(back, out.data, out.len);
            png_raster_free(back);
            free_buf(&out);
        }
        bytebuf out = {0};
        assert_int_equal(png_raster_encode(img, NULL, 0, 0, &out), SHROUD_ERR_ARGUMENT);
        assert_int_equal(png_raster_encode(img, NULL, 0, 13, &out), SHROUD_ERR_ARGUMENT);
        assert_int_equal(png_raster_encode(img, NULL, 0, -1, &out), SHROUD_ERR_ARGUMENT);
        assert_int_equal(png_raster_encode(img, NULL, 5, 6, &out), SHROUD_ERR_ARGUMENT);
        assert_int_equal(png_raster_encode(NULL, NULL, 0, 6, &out), SHROUD_ERR_ARGUMENT);
        assert_int_equal(png_raster_encode(img, NULL, 0, 6, NULL), SHROUD_ERR_ARGUMENT);
        assert_int_equal(out.len, 0);
        png_raster_free(img);
        free(png);
    }
}

/* Output appended to a buffer that already holds something. */
static void test_encode_appends(void **state)
{
    (void)state;
    pu_spec spec = {.width = 3, .height = 3};
    size_t len;
    uint8_t *png = pu_make(&spec, &len);
    png_raster *img = decode_ok(png, len);
    bytebuf alone, out = {0};
    encode_ok(img, NULL, 0, 6, &alone);
    assert_int_equal(bytebuf_write(&out, (const uint8_t *)"prefix", 6), 0);
    assert_int_equal(png_raster_encode(img, NULL, 0, 6, &out), SHROUD_OK);
    assert_int_equal(out.len, 6 + alone.len);
    assert_memory_equal(out.data, "prefix", 6);
    assert_memory_equal(out.data + 6, alone.data, alone.len);
    free_buf(&alone);
    free_buf(&out);
    png_raster_free(img);
    free(png);
}

/* Incompressible pixels (2.8 MB): at level 6, IDAT chunks of exactly 1 MiB
 * but the last; at level 1 (written in four parts), a chunk per part, each
 * but the last ending with the empty stored block that ends its deflate. */
static void test_large_image_splits_idat(void **state)
{
    (void)state;
    png_raster *img = calloc(1, sizeof *img);
    assert_non_null(img);
    img->width = 1000;
    img->height = 700;
    img->bit_depth = 8;
    img->color_type = PNG_CT_RGBA;
    img->channels = 4;
    img->sample_bytes = 1;
    img->pixel_bytes = 4;
    img->stride = 4000;
    size_t n = img->stride * img->height;
    img->pixels = malloc(n);
    assert_non_null(img->pixels);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        img->pixels[i] = (uint8_t)(x >> 7);
    }
    for (int level = 6; level >= 1; level -= 5) {
        bytebuf out;
        encode_ok(img, NULL, 0, level, &out);
        size_t idats = 0, total = 0, last = 0;
        for (size_t at;
             (at = pu_find_chunk(out.data, out.len, "IDAT", (unsigned)idats)) != SIZE_MAX;
             idats++) {
            size_t len = pu_be32(out.data + at);
            if (idats) {
                assert_int_equal(at, last + 12 + pu_be32(out.data + last)); /* consecutive */
                if (level == 6)
                    assert_int_equal(pu_be32(out.data + last), MIB); /* the one before: full */
                else
                    assert_memory_equal(out.data + at - 8, "\x00\x00\xff\xff", 4);
            }
            assert_true(len <= MIB);
            total += len;
            last = at;
        }
        assert_int_equal(idats, level == 6 ? (total + MIB - 1) / MIB : 4);
        assert_true(total > 2 * MIB);
        check_pngcheck(out.data, out.len, "a 2.8 MB image");
        pu_image ref;
        assert_int_equal(pu_decode(out.data, out.len, &ref), 0);
        assert_memory_equal(ref.pixels, img->pixels, n);
        pu_image_free(&ref);
        free_buf(&out);
    }
    png_raster_free(img);
}

/* ---- stepped encoding --------------------------------------------------------------- */

static png_raster *noise_raster(uint32_t w, uint32_t h, int ct, unsigned channels,
                                unsigned sample_bytes, uint32_t *x)
{
    png_raster *img = calloc(1, sizeof *img);
    assert_non_null(img);
    img->width = w;
    img->height = h;
    img->bit_depth = (uint8_t)(8 * sample_bytes);
    img->color_type = (uint8_t)ct;
    img->channels = (uint8_t)channels;
    img->sample_bytes = (uint8_t)sample_bytes;
    img->pixel_bytes = channels * sample_bytes;
    img->stride = (size_t)w * img->pixel_bytes;
    size_t n = img->stride * h;
    img->pixels = malloc(n);
    assert_non_null(img->pixels);
    for (size_t i = 0; i < n; i++) {
        *x ^= *x << 13;
        *x ^= *x >> 17;
        *x ^= *x << 5;
        img->pixels[i] = (uint8_t)(*x >> 7);
    }
    return img;
}

/* Sets sample s to v (1 or 2 bytes, big-endian). */
static void set_sample(png_raster *img, uint32_t s, unsigned v)
{
    uint8_t *p = img->pixels + (size_t)s * img->sample_bytes;
    if (img->sample_bytes == 2)
        *p++ = (uint8_t)(v >> 8);
    *p = (uint8_t)v;
}

/* Steps at random samples (moved to mid-range first, so that they stay in
 * range), the first and last samples, a sample stepped twice, and at 16
 * bits steps that carry into the high byte. Encoded with the steps, the
 * file is byte for byte the file of the image with them applied, and the
 * image is left as it was. */
static void check_stepped(png_raster *img, int level, uint32_t *x)
{
    uint32_t samples = img->width * img->height * img->channels;
    unsigned mid = img->sample_bytes == 2 ? 0x8000 : 0x80;
    png_sample_step steps[300];
    size_t n = 0;
    for (; samples > 4 && n < 290; n++) {
        *x ^= *x << 13;
        *x ^= *x >> 17;
        *x ^= *x << 5;
        uint32_t s = 3 + *x % (samples - 4); /* not 0 to 2, nor the last: below */
        set_sample(img, s, mid + (unsigned)(n % 7));
        steps[n] = s | (*x >> 30 & 1 ? PNG_STEP_UP : 0);
    }
    set_sample(img, 0, mid);
    set_sample(img, samples - 1, mid);
    steps[n++] = 0 | PNG_STEP_UP;
    steps[n++] = samples - 1;
    steps[n++] = (samples - 1) | PNG_STEP_UP; /* a sample stepped twice: back where it was */
    steps[n++] = 0 | PNG_STEP_UP;             /* and one twice the same way: +2 */
    if (img->sample_bytes == 2) {
        set_sample(img, 1, 0x00ff);
        set_sample(img, 2, 0x0100);
        steps[n++] = 1 | PNG_STEP_UP;
        steps[n++] = 2;
    }
    png_raster *applied = NULL;
    assert_int_equal(png_raster_clone(img, &applied), SHROUD_OK);
    png_raster_apply_steps(applied, steps, n);
    assert_int_equal(applied->pixels[img->sample_bytes - 1], (uint8_t)(mid + 2));
    if (img->sample_bytes == 2) {
        assert_int_equal(applied->pixels[2] << 8 | applied->pixels[3], 0x0100);
        assert_int_equal(applied->pixels[4] << 8 | applied->pixels[5], 0x00ff);
    }
    png_raster *before = NULL;
    assert_int_equal(png_raster_clone(img, &before), SHROUD_OK);
    bytebuf want, got = {0};
    encode_ok(applied, NULL, 0, level, &want);
    assert_int_equal(png_raster_encode_stepped(img, steps, n, NULL, 0, level, &got), SHROUD_OK);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    assert_memory_equal(img->pixels, before->pixels, img->stride * img->height);
    free_buf(&got);
    free_buf(&want);
    png_raster_free(before);
    png_raster_free(applied);
}

static void test_stepped_encode_is_the_applied_image(void **state)
{
    (void)state;
    uint32_t x = 99;
    struct {
        uint32_t w, h;
        int ct;
        unsigned channels, sample_bytes;
    } shapes[] = {
        {37, 23, PNG_CT_RGB, 3, 1},  {19, 11, PNG_CT_GRAY, 1, 2},
        {13, 17, PNG_CT_RGBA, 4, 2}, {1000, 700, PNG_CT_RGBA, 4, 1}, /* level 1 on two threads */
        {1, 1, PNG_CT_GRAY, 1, 1},
    };
    for (size_t i = 0; i < N_ITEMS(shapes); i++)
        for (int level = 1; level <= 6; level += 5) {
            png_raster *img = noise_raster(shapes[i].w, shapes[i].h, shapes[i].ct,
                                           shapes[i].channels, shapes[i].sample_bytes, &x);
            check_stepped(img, level, &x);
            png_raster_free(img);
        }
}

static void test_stepped_encode_refuses_bad_steps(void **state)
{
    (void)state;
    uint32_t x = 7;
    png_raster *img = noise_raster(8, 4, PNG_CT_RGB, 3, 1, &x);
    bytebuf out = {0};
    png_sample_step past = 8 * 4 * 3, last = past - 1;
    assert_int_equal(png_raster_encode_stepped(img, &past, 1, NULL, 0, 1, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(png_raster_encode_stepped(img, &past, 1, NULL, 0, 6, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(png_raster_encode_stepped(img, NULL, 1, NULL, 0, 1, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(out.len, 0);
    assert_int_equal(png_raster_encode_stepped(img, &last, 1, NULL, 0, 1, &out), SHROUD_OK);
    assert_true(out.len > 0);
    free_buf(&out);
    png_raster_free(img);
}

/* ---- limits ------------------------------------------------------------------------------------
 */

/* IHDR dimensions beyond the limits are refused before any pixel buffer is
 * allocated: the files have a tiny IDAT, so a decoder that allocated and
 * started would fail with SHROUD_ERR_IMAGE (not enough data) instead. */
static void test_dimension_limits(void **state)
{
    (void)state;
    static const struct {
        uint32_t w, h;
        int err;
    } cases[] = {
        {40000, 1, SHROUD_ERR_IMAGE_LIMIT},
        {1, 40000, SHROUD_ERR_IMAGE_LIMIT},
        {32769, 1, SHROUD_ERR_IMAGE_LIMIT},
        {10000, 10000, SHROUD_ERR_IMAGE_LIMIT},
        {8192, 8193, SHROUD_ERR_IMAGE_LIMIT},
        {32768, 2049, SHROUD_ERR_IMAGE_LIMIT},
        {0x7fffffff, 1, SHROUD_ERR_IMAGE_LIMIT},
        {0x80000000u, 1, SHROUD_ERR_IMAGE},
        {0, 1, SHROUD_ERR_IMAGE},
        {1, 0, SHROUD_ERR_IMAGE},
        {8192, 8192, SHROUD_ERR_IMAGE}, /* at the limit: decoded, and short of data */
    };
    size_t zlen;
    uint8_t *z = gray_idat(4, 1, 7, &zlen);
    for (size_t i = 0; i < N_ITEMS(cases); i++) {
        tu_buf f = {0};
        pu_put_signature(&f);
        pu_put_ihdr(&f, cases[i].w, cases[i].h, 8, PU_GRAY, 0);
        pu_put_chunk(&f, "IDAT", z, zlen);
        pu_put_chunk(&f, "IEND", NULL, 0);
        int err = decode_err(f.data, f.len);
        if (err != cases[i].err)
            fail_msg("%ux%u: got %d, want %d", cases[i].w, cases[i].h, err, cases[i].err);
        tu_buf_free(&f);
    }
    free(z);
    /* The largest width decodes. */
    tu_buf f;
    gray_begin(&f, 32768, 1);
    gray_end(&f, 32768, 1);
    png_raster *img = decode_ok(f.data, f.len);
    assert_int_equal(img->width, 32768);
    assert_int_equal(img->pixels[32767], 0x80);
    png_raster_free(img);
    tu_buf_free(&f);
}

static void test_metadata_limits(void **state)
{
    (void)state;
    const size_t max = IMAGE_MAX_METADATA_CHUNK;
    uint8_t *data = malloc(max + 1);
    assert_non_null(data);
    memset(data, 'm', max + 1);
    memcpy(data, "Comment\0", 8);
    /* One kept chunk: 16 MiB is fine, a byte more is not. */
    tu_buf f;
    gray_begin(&f, 2, 2);
    pu_put_chunk(&f, "tEXt", data, max);
    gray_end(&f, 2, 2);
    png_raster *img = decode_ok(f.data, f.len);
    assert_int_equal(img->kept_len, 1);
    assert_int_equal(img->kept[0].length, max);
    png_raster_free(img);
    tu_buf_free(&f);
    static const char *const kept_types[] = {"tEXt", "iCCP", "teSt", "eXIf"};
    for (size_t i = 0; i < N_ITEMS(kept_types); i++) {
        gray_begin(&f, 2, 2);
        pu_put_chunk(&f, kept_types[i], data, max + 1);
        gray_end(&f, 2, 2);
        assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE_LIMIT);
        tu_buf_free(&f);
    }
    /* A dropped chunk is not kept, so not limited. */
    gray_begin(&f, 2, 2);
    pu_put_chunk(&f, "teST", data, max + 1);
    gray_end(&f, 2, 2);
    img = decode_ok(f.data, f.len);
    assert_int_equal(img->kept_len, 0);
    assert_int_equal(img->dropped_unsafe, 1);
    png_raster_free(img);
    tu_buf_free(&f);
    /* All kept metadata together: 64 MiB at most. */
    gray_begin(&f, 2, 2);
    for (int i = 0; i < 4; i++)
        pu_put_chunk(&f, "zTXt", data, max);
    pu_put_chunk(&f, "tEXt", data, 9);
    gray_end(&f, 2, 2);
    assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE_LIMIT);
    tu_buf_free(&f);
    free(data);

    /* A file above IMAGE_MAX_FILE_BYTES is refused before it is read
     * (an untouched anonymous mapping stands for it). */
    size_t big = (size_t)IMAGE_MAX_FILE_BYTES + 1;
    uint8_t *map =
        mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map != MAP_FAILED) {
        assert_int_equal(decode_err(map, big), SHROUD_ERR_IMAGE_LIMIT);
        munmap(map, big);
    }
}

/* ---- corrupt files ------------------------------------------------------------------------------
 */

/* A palette file (4-bit, several IDATs) to break in various ways. */
static uint8_t *palette_file(size_t *len)
{
    pu_spec spec = {.width = 30,
                    .height = 20,
                    .color_type = PU_PALETTE,
                    .bit_depth = 4,
                    .trns = 1,
                    .chunks = PU_TEXT,
                    .idat_max = 64};
    return pu_make(&spec, len);
}

/* The file with the chunk at [at, at + size) replaced by the bytes of rep. */
static void replace_chunk(const uint8_t *png, size_t len, size_t at, const tu_buf *rep, tu_buf *out)
{
    *out = (tu_buf){0};
    tu_buf_write(out, png, at);
    if (rep)
        tu_buf_write(out, rep->data, rep->len);
    size_t end = at + 12 + pu_be32(png + at);
    tu_buf_write(out, png + end, len - end);
}

/* The file with every IDAT replaced by one IDAT holding z. */
static void with_idat(const uint8_t *png, size_t len, const uint8_t *z, size_t zlen, tu_buf *out)
{
    *out = (tu_buf){0};
    size_t first = pu_find_chunk(png, len, "IDAT", 0), pos = first;
    while (memcmp(png + pos + 4, "IDAT", 4) == 0)
        pos += 12 + pu_be32(png + pos);
    tu_buf_write(out, png, first);
    pu_put_chunk(out, "IDAT", z, zlen);
    tu_buf_write(out, png + pos, len - pos);
}

/* Breaks the image data of png in every way libpng and the libdeflate fast
 * path (png_inflate.c) must both refuse. */
static void check_corrupt_image_data(uint8_t *png, size_t len)
{
    png_raster *ok = decode_ok(png, len);
    png_raster_free(ok);
    /* The whole zlib stream, then broken copies of it. */
    tu_buf z = {0};
    for (unsigned i = 0;; i++) {
        size_t at = pu_find_chunk(png, len, "IDAT", i);
        if (at == SIZE_MAX)
            break;
        tu_buf_write(&z, png + at + 8, pu_be32(png + at));
    }
    assert_true(z.len > 40);
    tu_buf f;
    /* truncated stream */
    static const size_t keep[] = {0, 1, 2, 10, 0};
    for (size_t i = 0; i < N_ITEMS(keep); i++) {
        size_t n = i + 1 == N_ITEMS(keep) ? z.len / 2 : keep[i];
        with_idat(png, len, z.data, n, &f);
        if (decode_err(f.data, f.len) != SHROUD_ERR_IMAGE)
            fail_msg("IDAT cut to %zu bytes accepted", n);
        tu_buf_free(&f);
    }
    /* bad zlib header: FCHECK, compression method, preset dictionary */
    uint8_t *bad = malloc(z.len);
    assert_non_null(bad);
    const uint8_t headers[][2] = {{0x78, 0x9d}, {0x79, 0x9c}, {0x78, 0xbb}};
    for (size_t i = 0; i < N_ITEMS(headers); i++) {
        memcpy(bad, z.data, z.len);
        bad[0] = headers[i][0];
        bad[1] = headers[i][1];
        with_idat(png, len, bad, z.len, &f);
        assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE);
        tu_buf_free(&f);
    }
    /* garbage deflate data (an invalid block type) */
    memcpy(bad, z.data, z.len);
    memset(bad + 2, 0xff, z.len - 2);
    with_idat(png, len, bad, z.len, &f);
    assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE);
    tu_buf_free(&f);
    free(bad);
    /* an invalid filter type byte in the first row */
    uint8_t *raw;
    size_t raw_len;
    assert_int_equal(pu_inflate_idat(png, len, &raw, &raw_len), 0);
    raw[0] = 5;
    size_t zl;
    uint8_t *zz = pu_zlib(raw, raw_len, &zl);
    with_idat(png, len, zz, zl, &f);
    assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE);
    tu_buf_free(&f);
    free(zz);
    free(raw);
    /* no IDAT at all */
    with_idat(png, len, NULL, 0, &f);
    size_t at = pu_find_chunk(f.data, f.len, "IDAT", 0);
    tu_buf g;
    replace_chunk(f.data, f.len, at, NULL, &g);
    assert_int_equal(decode_err(g.data, g.len), SHROUD_ERR_IMAGE);
    tu_buf_free(&g);
    /* an empty IDAT only */
    assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE);
    tu_buf_free(&f);
    tu_buf_free(&z);
    free(png);
}

/* The stream carries more than the rows: libpng accepts it with a warning,
 * and so must the fast path, with the same pixels. A wrong Adler-32 is
 * refused by both. */
static void check_extra_and_checksum(uint8_t *png, size_t len)
{
    png_raster *ok = decode_ok(png, len);
    uint8_t *raw;
    size_t raw_len, zl;
    assert_int_equal(pu_inflate_idat(png, len, &raw, &raw_len), 0);
    uint8_t *longer = malloc(raw_len + 100);
    assert_non_null(longer);
    memcpy(longer, raw, raw_len);
    memset(longer + raw_len, 0, 100);
    uint8_t *zz = pu_zlib(longer, raw_len + 100, &zl);
    tu_buf f;
    with_idat(png, len, zz, zl, &f);
    png_raster *img = NULL;
    int err = png_raster_decode(f.data, f.len, &img);
    if (err == SHROUD_OK)
        assert_memory_equal(img->pixels, ok->pixels, ok->stride * ok->height);
    else
        assert_int_equal(err, SHROUD_ERR_IMAGE);
    png_raster_free(img);
    tu_buf_free(&f);
    free(zz);
    zz = pu_zlib(raw, raw_len, &zl);
    zz[zl - 1] ^= 1; /* the last byte of the Adler-32 */
    with_idat(png, len, zz, zl, &f);
    assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE);
    tu_buf_free(&f);
    free(zz);
    free(longer);
    free(raw);
    png_raster_free(ok);
    free(png);
}

static void test_corrupt_image_data(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = palette_file(&len);
    check_corrupt_image_data(png, len);
    /* 8- and 16-bit truecolour files take the libdeflate road first */
    pu_spec rgb = {.width = 31, .height = 17, .color_type = PU_RGB, .idat_max = 64};
    pu_spec rgba16 = {.width = 9, .height = 7, .color_type = PU_RGBA, .bit_depth = 16};
    const pu_spec *fast[] = {&rgb, &rgba16};
    for (size_t i = 0; i < N_ITEMS(fast); i++) {
        png = pu_make(fast[i], &len);
        check_corrupt_image_data(png, len);
        png = pu_make(fast[i], &len);
        check_extra_and_checksum(png, len);
    }
}

static void test_corrupt_chunk_structure(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = palette_file(&len);
    size_t plte = pu_find_chunk(png, len, "PLTE", 0), idat = pu_find_chunk(png, len, "IDAT", 0);
    size_t idat2 = pu_find_chunk(png, len, "IDAT", 1), iend = pu_find_chunk(png, len, "IEND", 0);
    tu_buf f, rep = {0};
    /* PLTE missing for a palette image */
    replace_chunk(png, len, plte, NULL, &f);
    assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE);
    tu_buf_free(&f);
    /* PLTE of a bad length: 0, not a multiple of 3, more than 256 entries */
    uint8_t pal[771] = {0};
    static const size_t pal_lens[] = {0, 4, 31, 771};
    for (size_t i = 0; i < N_ITEMS(pal_lens); i++) {
        pu_put_chunk(&rep, "PLTE", pal, pal_lens[i]);
        replace_chunk(png, len, plte, &rep, &f);
        if (decode_err(f.data, f.len) != SHROUD_ERR_IMAGE)
            fail_msg("PLTE of %zu bytes accepted", pal_lens[i]);
        tu_buf_free(&f);
        tu_buf_free(&rep);
    }
    /* two PLTEs */
    size_t plte_size = 12 + pu_be32(png + plte);
    f = (tu_buf){0};
    tu_buf_write(&f, png, idat);
    tu_buf_write(&f, png + plte, plte_size);
    tu_buf_write(&f, png + idat, len - idat);
    assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE);
    tu_buf_free(&f);
    /* PLTE moved after the IDATs */
    f = (tu_buf){0};
    tu_buf_write(&f, png, plte);
    tu_buf_write(&f, png + plte + plte_size, iend - plte - plte_size);
    tu_buf_write(&f, png + plte, plte_size);
    tu_buf_write(&f, png + iend, len - iend);
    assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE);
    tu_buf_free(&f);
    /* IDAT chunks not consecutive */
    pu_put_chunk(&rep, "tEXt", "a\0b", 3);
    f = (tu_buf){0};
    tu_buf_write(&f, png, idat2);
    tu_buf_write(&f, rep.data, rep.len);
    tu_buf_write(&f, png + idat2, len - idat2);
    assert_int_equal(decode_err(f.data, f.len), SHROUD_ERR_IMAGE);
    tu_buf_free(&f);
    tu_buf_free(&rep);
    /* an unknown critical chunk, before or after the image data */
    static const char *const critical[] = {"CrIT", "ABCD", "IDAt"};
    const size_t spots[] = {idat, iend};
    for (size_t i = 0; i < N_ITEMS(critical); i++)
        for (size_t s = 0; s < N_ITEMS(spots); s++) {
            pu_put_chunk(&rep, critical[i], "data", 4);
            f = (tu_buf){0};
            tu_buf_write(&f, png, spots[s]);
            tu_buf_write(&f, rep.data, rep.len);
            tu_buf_write(&f, png + spots[s], len - spots[s]);
            if (decode_err(f.data, f.len) != SHROUD_ERR_IMAGE)
                fail_msg("critical %s accepted", critical[i]);
            tu_buf_free(&f);
            tu_buf_free(&rep);
        }
    /* container errors: truncated, bad CRC */
    assert_int_equal(decode_err(png, len - 1), SHROUD_ERR_IMAGE);
    assert_int_equal(decode_err(png, idat + 20), SHROUD_ERR_IMAGE);
    png[idat + 10] ^= 1;
    assert_int_equal(decode_err(png, len), SHROUD_ERR_IMAGE);
    png[idat + 10] ^= 1;
    free(png);
}

/* Bytes after IEND make the container invalid (png_chunks.h), as
 * png_embedded_find reports; the decoder must not accept such a file. */
static void test_data_after_iend_is_refused(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = palette_file(&len);
    tu_buf chunk = {0};
    pu_put_chunk(&chunk, "tEXt", "hidden\0after IEND", 18);
    const struct {
        const char *what;
        const uint8_t *data;
        size_t len;
    } tails[] = {
        {"one byte", (const uint8_t *)"x", 1},
        {"a whole tEXt chunk", chunk.data, chunk.len},
        {"a second PNG", png, len},
        {"half a chunk header", (const uint8_t *)"\0\0\0\1IE", 6},
    };
    int failures = 0;
    for (size_t i = 0; i < N_ITEMS(tails); i++) {
        tu_buf f = {0};
        tu_buf_write(&f, png, len);
        tu_buf_write(&f, tails[i].data, tails[i].len);
        int err = decode_err(f.data, f.len);
        if (err != SHROUD_ERR_IMAGE) {
            print_error("png_raster_decode accepted %s after IEND: got %d (%s), want "
                        "SHROUD_ERR_IMAGE\n",
                        tails[i].what, err, shroud_strerror(err));
            failures++;
        }
        tu_buf_free(&f);
    }
    tu_buf_free(&chunk);
    free(png);
    if (failures)
        fail_msg("%d file(s) with data after IEND decoded", failures);
}

static void test_bad_ihdr_fields(void **state)
{
    (void)state;
    static const struct {
        int depth, ct, compression, filter, interlace;
    } bad[] = {
        {3, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {32, 0, 0, 0, 0}, {4, 2, 0, 0, 0},   {16, 3, 0, 0, 0},
        {2, 4, 0, 0, 0}, {4, 6, 0, 0, 0}, {8, 1, 0, 0, 0},  {8, 5, 0, 0, 0},   {8, 7, 0, 0, 0},
        {8, 0, 1, 0, 0}, {8, 0, 0, 1, 0}, {8, 0, 0, 0, 2},  {8, 2, 0, 0, 255},
    };
    size_t zlen;
    uint8_t *z = gray_idat(2, 2, 1, &zlen);
    for (size_t i = 0; i < N_ITEMS(bad); i++) {
        uint8_t ihdr[13] = {0, 0, 0, 2, 0, 0, 0, 2};
        ihdr[8] = (uint8_t)bad[i].depth;
        ihdr[9] = (uint8_t)bad[i].ct;
        ihdr[10] = (uint8_t)bad[i].compression;
        ihdr[11] = (uint8_t)bad[i].filter;
        ihdr[12] = (uint8_t)bad[i].interlace;
        tu_buf f = {0};
        pu_put_signature(&f);
        pu_put_chunk(&f, "IHDR", ihdr, 13);
        pu_put_chunk(&f, "IDAT", z, zlen);
        pu_put_chunk(&f, "IEND", NULL, 0);
        if (decode_err(f.data, f.len) != SHROUD_ERR_IMAGE)
            fail_msg("IHDR case %zu accepted", i);
        tu_buf_free(&f);
    }
    free(z);
}

static void test_not_a_png_and_arguments(void **state)
{
    (void)state;
    static const char text[] = "not an image at all";
    static const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0};
    static const uint8_t gif[] = "GIF89a\x01\x00\x01\x00";
    static const uint8_t almost[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\r'};
    assert_int_equal(decode_err((const uint8_t *)text, sizeof text), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(decode_err(jpeg, sizeof jpeg), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(decode_err(gif, sizeof gif), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(decode_err(almost, sizeof almost), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(decode_err(almost, 7), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(decode_err(almost, 0), SHROUD_ERR_IMAGE_FORMAT);
    png_raster *img = (png_raster *)&img;
    assert_int_equal(png_raster_decode(NULL, 10, &img), SHROUD_ERR_ARGUMENT);
    assert_null(img);
    assert_int_equal(png_raster_decode(almost, 8, NULL), SHROUD_ERR_ARGUMENT);
    png_raster_free(NULL);
}

/* ---- clone
 * ---------------------------------------------------------------------------------------- */

static void test_clone_equals_original(void **state)
{
    (void)state;
    static const pu_spec specs[] = {
        {.width = 11,
         .height = 6,
         .color_type = PU_PALETTE,
         .bit_depth = 2,
         .trns = 1,
         .chunks = PU_GAMA | PU_ICCP | PU_TEXT | PU_SAFE_UNKNOWN},
        {.width = 5, .height = 9, .color_type = PU_RGBA, .bit_depth = 16, .interlace = 1},
    };
    for (size_t s = 0; s < N_ITEMS(specs); s++) {
        size_t len;
        uint8_t *png = pu_make(&specs[s], &len);
        png_raster *img = decode_ok(png, len), *copy = NULL;
        assert_int_equal(png_raster_clone(img, &copy), SHROUD_OK);
        assert_non_null(copy);
        check_header(copy, img->width, img->height, img->color_type, img->bit_depth,
                     img->interlaced);
        check_same_image(img, copy);
        assert_int_equal(copy->dropped_unsafe, img->dropped_unsafe);
        assert_int_equal(copy->pixel_bytes, img->pixel_bytes);
        /* deep: nothing shared */
        assert_ptr_not_equal(copy->pixels, img->pixels);
        for (size_t i = 0; i < img->kept_len; i++)
            assert_ptr_not_equal(copy->kept[i].data, img->kept[i].data);
        bytebuf a, b;
        encode_ok(img, NULL, 0, 6, &a);
        encode_ok(copy, NULL, 0, 6, &b);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
        copy->pixels[0] ^= 1;
        if (copy->kept_len)
            copy->kept[0].data[0] ^= 1;
        bytebuf c;
        encode_ok(img, NULL, 0, 6, &c);
        assert_memory_equal(a.data, c.data, a.len); /* the original did not change */
        free_buf(&a);
        free_buf(&b);
        free_buf(&c);
        png_raster_free(copy);
        png_raster_free(img);
        free(png);
    }
    png_raster *copy = (png_raster *)&copy;
    assert_int_equal(png_raster_clone(NULL, &copy), SHROUD_ERR_ARGUMENT);
}

/* A hand-made 4x2 file of colour type ct holding `middle` (chunk bytes
 * built with pu_put_chunk) between IHDR and IDAT, with 8-bit samples. */
static uint8_t *file_with(int ct, const tu_buf *middle, const tu_buf *after, size_t *len)
{
    static const unsigned channels[7] = {1, 0, 3, 1, 2, 0, 4};
    size_t row = 1 + 4 * channels[ct], raw_len = 2 * row, z_len;
    uint8_t raw[2 * (1 + 4 * 4)] = {0};
    uint8_t *z = pu_zlib(raw, raw_len, &z_len);
    tu_buf out = {0};
    pu_put_signature(&out);
    pu_put_ihdr(&out, 4, 2, 8, ct, 0);
    tu_buf_write(&out, middle->data, middle->len);
    pu_put_chunk(&out, "IDAT", z, z_len);
    if (after)
        tu_buf_write(&out, after->data, after->len);
    pu_put_chunk(&out, "IEND", NULL, 0);
    free(z);
    *len = out.len;
    return out.data;
}

/* Chunks PNG forbids where they stand are dropped (and counted), so what
 * shroud writes passes pngcheck even when the input did not. */
static void test_misplaced_chunks_are_dropped(void **state)
{
    (void)state;
    static const uint8_t gama[4] = {0, 0, 0xB1, 0x8F}, trns_rgb[6] = {0},
                         plte[6] = {1, 2, 3, 4, 5, 6}, trns_pal[1] = {0},
                         phys[9] = {0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1};
    struct {
        int ct;
        const char *what;
        size_t dropped;
        const char *kept;
    } cases[] = {
        {PNG_CT_PALETTE, "tRNS before PLTE, gAMA after PLTE", 2, "PLTE"},
        {PNG_CT_GRAY, "PLTE in a gray image, gAMA twice", 2, "gAMA"},
        {PNG_CT_RGBA, "tRNS with an alpha channel", 1, "gAMA"},
        {PNG_CT_RGB, "tRNS of the wrong length, pHYs after IDAT", 2, "gAMA"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tu_buf mid = {0}, after = {0};
        switch (i) {
        case 0:
            pu_put_chunk(&mid, "tRNS", trns_pal, sizeof trns_pal);
            pu_put_chunk(&mid, "PLTE", plte, sizeof plte);
            pu_put_chunk(&mid, "gAMA", gama, sizeof gama);
            break;
        case 1:
            pu_put_chunk(&mid, "gAMA", gama, sizeof gama);
            pu_put_chunk(&mid, "gAMA", gama, sizeof gama);
            pu_put_chunk(&mid, "PLTE", plte, sizeof plte);
            break;
        case 2:
            pu_put_chunk(&mid, "gAMA", gama, sizeof gama);
            pu_put_chunk(&mid, "tRNS", trns_rgb, sizeof trns_rgb);
            break;
        default:
            pu_put_chunk(&mid, "gAMA", gama, sizeof gama);
            pu_put_chunk(&mid, "tRNS", trns_rgb, 2);
            pu_put_chunk(&after, "pHYs", phys, sizeof phys);
        }
        size_t len;
        uint8_t *png = file_with(cases[i].ct, &mid, after.len ? &after : NULL, &len);
        png_raster *img = NULL;
        assert_int_equal(png_raster_decode(png, len, &img), SHROUD_OK);
        if (img->dropped_misplaced != cases[i].dropped || img->kept_len != 1 ||
            memcmp(img->kept[0].type, cases[i].kept, 4) != 0)
            fail_msg("%s: dropped %zu (want %zu), kept %zu chunk(s), first %s", cases[i].what,
                     img->dropped_misplaced, cases[i].dropped, img->kept_len,
                     img->kept_len ? img->kept[0].type : "-");
        assert_int_equal(img->trns_len, 0);
        bytebuf out = {0};
        assert_int_equal(png_raster_encode(img, NULL, 0, 6, &out), SHROUD_OK);
        int check = pu_pngcheck(out.data, out.len);
        if (check < 0)
            fail_msg("%s: pngcheck refuses the re-encoded file", cases[i].what);
        free(out.data);
        png_raster_free(img);
        free(png);
        tu_buf_free(&mid);
        tu_buf_free(&after);
    }
}

/* The header-only read checks the chunks and fills everything but the
 * pixels. */
static void test_header_only_read(void **state)
{
    (void)state;
    tu_buf mid = {0};
    static const uint8_t gama[4] = {0, 0, 0xB1, 0x8F};
    pu_put_chunk(&mid, "gAMA", gama, sizeof gama);
    size_t len;
    uint8_t *png = file_with(PNG_CT_RGB, &mid, NULL, &len);
    png_raster *full = NULL, *head = NULL;
    assert_int_equal(png_raster_decode(png, len, &full), SHROUD_OK);
    assert_int_equal(png_raster_read_header(png, len, &head), SHROUD_OK);
    assert_null(head->pixels);
    assert_int_equal(head->width, full->width);
    assert_int_equal(head->height, full->height);
    assert_int_equal(head->stride, full->stride);
    assert_int_equal(head->kept_len, 1);
    bytebuf out = {0};
    assert_int_equal(png_raster_encode(head, NULL, 0, 6, &out), SHROUD_ERR_ARGUMENT);
    png_raster_free(head);
    png[len - 5] ^= 1; /* IEND's CRC */
    assert_int_equal(png_raster_read_header(png, len, &head), SHROUD_ERR_IMAGE);
    assert_null(head);
    png_raster_free(full);
    free(png);
    tu_buf_free(&mid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pngcheck_helper_sees_errors),
        cmocka_unit_test(test_round_trips_every_type_depth_and_size),
        cmocka_unit_test(test_filter_choice),
        cmocka_unit_test(test_kept_chunks_keep_order_and_place),
        cmocka_unit_test(test_places_without_and_with_suggested_palette),
        cmocka_unit_test(test_shroud_chunks_dropped),
        cmocka_unit_test(test_every_level_gives_a_valid_file),
        cmocka_unit_test(test_encode_appends),
        cmocka_unit_test(test_large_image_splits_idat),
        cmocka_unit_test(test_stepped_encode_is_the_applied_image),
        cmocka_unit_test(test_stepped_encode_refuses_bad_steps),
        cmocka_unit_test(test_dimension_limits),
        cmocka_unit_test(test_metadata_limits),
        cmocka_unit_test(test_corrupt_image_data),
        cmocka_unit_test(test_corrupt_chunk_structure),
        cmocka_unit_test(test_data_after_iend_is_refused),
        cmocka_unit_test(test_bad_ihdr_fields),
        cmocka_unit_test(test_not_a_png_and_arguments),
        cmocka_unit_test(test_clone_equals_original),
        cmocka_unit_test(test_misplaced_chunks_are_dropped),
        cmocka_unit_test(test_header_only_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
