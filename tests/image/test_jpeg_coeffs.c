/*
 * DCT coefficients in and out (jpeg_coeffs.h): which files come back
 * byte-identical when written with their own options, that coefficients and
 * pixels never change, that edits stay where they were made, the marker
 * policies, and what is refused (unsupported variants, limits, corruption,
 * Huffman tables that cannot code the blocks).
 *
 * Byte-identical (input options): everything libjpeg-turbo itself wrote with
 * its standard progression script — baseline with standard or optimized
 * tables, restart intervals, any sampling, grayscale, CMYK, progressive,
 * arithmetic. Not byte-identical: progressive files whose restart interval
 * was given in rows (it differs per scan), files that group several DQT/DHT
 * tables in one segment or order them differently (camera files), APPn/COM
 * segments after the first scan (they move up), data after EOI (dropped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/embedded.h"
#include "image/image_limits.h"
#include "image/jpeg_coeffs.h"
#include "image/jpeg_segments.h"
#include "jpeg_util.h"
#include "shroud.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---------------------------------------------------------------- */

static void free_buf(bytebuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* Pixels of both files are equal (libjpeg in process, and djpeg when on PATH). */
static void assert_same_pixels(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                               const char *what)
{
    ju_image ia, ib;
    if (ju_decode(a, a_len, &ia) != 0)
        fail_msg("%s: the first file does not decode cleanly", what);
    if (ju_decode(b, b_len, &ib) != 0)
        fail_msg("%s: the second file does not decode cleanly", what);
    assert_int_equal(ia.width, ib.width);
    assert_int_equal(ia.height, ib.height);
    assert_int_equal(ia.components, ib.components);
    if (memcmp(ia.pixels, ib.pixels, (size_t)ia.width * ia.height * (size_t)ia.components) != 0)
        fail_msg("%s: decoded pixels differ", what);
    ju_image_free(&ia);
    ju_image_free(&ib);
    tu_buf pa = {0}, pb = {0};
    int ra = ju_djpeg(a, a_len, &pa);
    if (ra == 1)
        return; /* no djpeg */
    int rb = ju_djpeg(b, b_len, &pb);
    if (ra != 0 || rb != 0)
        fail_msg("%s: djpeg failed (%d, %d)", what, ra, rb);
    if (pa.len != pb.len || memcmp(pa.data, pb.data, pa.len) != 0)
        fail_msg("%s: djpeg output differs", what);
    tu_buf_free(&pa);
    tu_buf_free(&pb);
}

/* Coefficients of the file re-read equal j's. */
static void assert_same_coefficients(jpeg_coeffs *j, const uint8_t *jpeg, size_t len,
                                     const char *what)
{
    jpeg_coeffs *k = ju_read(jpeg, len);
    int c;
    uint32_t row, col;
    size_t n = ju_coeffs_diff(j, k, &c, &row, &col);
    if (n != 0)
        fail_msg("%s: %zu blocks differ, first at component %d row %u col %u", what, n, c,
                 (unsigned)row, (unsigned)col);
    jpeg_coeffs_free(k);
}

/* Reads and writes back with the input options: 1 if the bytes are the
 * same. The coefficients and pixels must be the same either way. */
static int round_trip(const uint8_t *jpeg, size_t len, const char *what)
{
    jpeg_coeffs *j = ju_read(jpeg, len);
    bytebuf out;
    int err = ju_write(j, NULL, &out);
    if (err)
        fail_msg("%s: write failed: %s", what, shroud_strerror(err));
    assert_same_coefficients(j, out.data, out.len, what);
    assert_same_pixels(jpeg, len, out.data, out.len, what);
    int same = out.len == len && memcmp(out.data, jpeg, len) == 0;
    free_buf(&out);
    jpeg_coeffs_free(j);
    return same;
}

static void assert_round_trip_identical(const uint8_t *jpeg, size_t len, const char *what)
{
    if (!round_trip(jpeg, len, what))
        fail_msg("%s: not byte-identical", what);
}

/* The segments from SOI up to SOS of a file, as markers in order. */
static size_t marker_codes(const uint8_t *jpeg, size_t len, uint8_t *codes, size_t cap)
{
    jpeg_segment_reader r;
    jpeg_segment s;
    assert_int_equal(jpeg_segments_begin(&r, jpeg, len), SHROUD_OK);
    size_t n = 0;
    while (jpeg_segments_next(&r, &s) == 1) {
        assert_true(n < cap);
        codes[n++] = s.marker;
    }
    return n;
}

/* A minimal header: SOI, DQT, SOFn (components 1..n, 1x1, table 0), SOS
 * with up to 4 of them, a few zero bytes, EOI. Enough for jpeg_read_header. */
static size_t craft_header(uint8_t *out, uint8_t sof, uint8_t precision, uint16_t w, uint16_t h,
                           int ncomp)
{
    size_t n = 0;
    out[n++] = 0xFF;
    out[n++] = 0xD8;
    out[n++] = 0xFF;
    out[n++] = 0xDB;
    out[n++] = 0;
    out[n++] = 67;
    out[n++] = 0;
    for (int i = 0; i < 64; i++)
        out[n++] = 1;
    out[n++] = 0xFF;
    out[n++] = sof;
    out[n++] = 0;
    out[n++] = (uint8_t)(8 + 3 * ncomp);
    out[n++] = precision;
    out[n++] = (uint8_t)(h >> 8);
    out[n++] = (uint8_t)h;
    out[n++] = (uint8_t)(w >> 8);
    out[n++] = (uint8_t)w;
    out[n++] = (uint8_t)ncomp;
    for (int i = 0; i < ncomp; i++) {
        out[n++] = (uint8_t)(i + 1);
        out[n++] = 0x11;
        out[n++] = 0;
    }
    int ns = ncomp > 4 ? 1 : ncomp;
    out[n++] = 0xFF;
    out[n++] = 0xDA;
    out[n++] = 0;
    out[n++] = (uint8_t)(6 + 2 * ns);
    out[n++] = (uint8_t)ns;
    for (int i = 0; i < ns; i++) {
        out[n++] = (uint8_t)(i + 1);
        out[n++] = 0;
    }
    out[n++] = 0;
    out[n++] = 63;
    out[n++] = 0;
    for (int i = 0; i < 16; i++)
        out[n++] = 0;
    out[n++] = 0xFF;
    out[n++] = 0xD9;
    return n;
}

static int read_error(const uint8_t *jpeg, size_t len)
{
    jpeg_coeffs *j = NULL;
    int err = jpeg_coeffs_read(jpeg, len, &j);
    if (err == SHROUD_OK)
        jpeg_coeffs_free(j);
    else
        assert_null(j);
    return err;
}

/* The end of the entropy data that starts at pos: the next marker other
 * than RSTn (0xFF00 is a stuffed byte). */
static size_t scan_end(const uint8_t *jpeg, size_t len, size_t pos)
{
    for (; pos + 1 < len; pos++)
        if (jpeg[pos] == 0xFF && jpeg[pos + 1] != 0 &&
            !(jpeg[pos + 1] >= 0xD0 && jpeg[pos + 1] <= 0xD7))
            return pos;
    return len;
}

/* Offset of the n-th (0-based) SOS marker in the whole file. */
static size_t nth_sos(const uint8_t *jpeg, size_t len, int n)
{
    size_t pos = 2;
    while (pos + 4 <= len) {
        assert_int_equal(jpeg[pos], 0xFF);
        uint8_t m = jpeg[pos + 1];
        size_t seg = 2 + ((size_t)jpeg[pos + 2] << 8 | jpeg[pos + 3]);
        if (m == 0xDA) {
            if (n-- == 0)
                return pos;
            pos = scan_end(jpeg, len, pos + seg);
        } else {
            pos += seg;
        }
    }
    fail_msg("no SOS #%d", n);
    return 0;
}

/* ---- byte identity ------------------------------------------------------------------- */

typedef struct {
    const char *name;
    ju_spec spec;
} named_spec;

static const named_spec identity_matrix[] = {
    {"baseline 4:2:0 q75, partial MCUs", {.width = 67, .height = 45}},
    {"baseline q95 with EXIF, ICC, COM", {.quality = 95, .exif = 1, .icc = 1, .comment = 1}},
    {"baseline q5", {.quality = 5}},
    {"optimized tables", {.optimize = 1, .width = 77, .height = 31}},
    {"restart every MCU", {.restart_mcus = 1}},
    {"restart every 3 MCUs", {.restart_mcus = 3, .width = 70}},
    {"restart every MCU row", {.restart_rows = 1}},
    {"optimized, restart 5 MCUs", {.optimize = 1, .restart_mcus = 5}},
    {"4:4:4", {.h_samp = {1, 1, 1}, .v_samp = {1, 1, 1}}},
    {"4:2:2", {.h_samp = {2, 1, 1}, .v_samp = {1, 1, 1}, .width = 41}},
    {"4:2:0", {.h_samp = {2, 1, 1}, .v_samp = {2, 1, 1}, .height = 33}},
    {"4:4:0", {.h_samp = {1, 1, 1}, .v_samp = {2, 1, 1}, .height = 39}},
    {"4:1:1", {.h_samp = {4, 1, 1}, .v_samp = {1, 1, 1}, .width = 75}},
    {"2x2, 1x1, 1x2", {.h_samp = {2, 1, 1}, .v_samp = {2, 1, 2}}},
    {"grayscale", {.components = 1, .width = 59}},
    {"grayscale optimized, restart 5", {.components = 1, .optimize = 1, .restart_mcus = 5}},
    {"progressive", {.progressive = 1, .width = 67, .height = 45}},
    {"progressive grayscale", {.progressive = 1, .components = 1}},
    {"progressive 4:4:4, restart 2 MCUs",
     {.progressive = 1, .h_samp = {1, 1, 1}, .v_samp = {1, 1, 1}, .restart_mcus = 2}},
    {"arithmetic", {.arithmetic = 1}},
    {"arithmetic progressive", {.arithmetic = 1, .progressive = 1}},
    {"arithmetic, restart 4 MCUs", {.arithmetic = 1, .restart_mcus = 4}},
    {"CMYK with Adobe APP14", {.components = 4}},
    {"CMYK progressive", {.components = 4, .progressive = 1}},
    {"no JFIF marker", {.no_jfif = 1, .exif = 1}},
    {"1x1 pixel", {.width = 1, .height = 1}},
    {"8x8 pixels", {.width = 8, .height = 8}},
    {"9x200 pixels", {.width = 9, .height = 200}},
};

static void test_libjpeg_files_round_trip_byte_identical(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ITEMS(identity_matrix); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&identity_matrix[i].spec, &len);
        assert_round_trip_identical(jpeg, len, identity_matrix[i].name);
        free(jpeg);
    }
}

/* The same with files made by cjpeg from a PPM/PGM (skipped without cjpeg). */
static void test_cjpeg_files_round_trip_byte_identical(void **state)
{
    (void)state;
    if (!ju_have_tool("cjpeg"))
        skip();
    static const struct {
        const char *args;
        int comps;
    } cases[] = {
        {"", 3},
        {"-optimize", 3},
        {"-restart 1", 3},
        {"-restart 3B", 3},
        {"-sample 1x1", 3},
        {"-sample 2x1", 3},
        {"-sample 2x2", 3},
        {"-sample 1x2", 3},
        {"-grayscale", 3},
        {"", 1},
        {"-progressive", 3},
        {"-progressive", 1},
        {"-progressive -restart 2B", 3},
        {"-arithmetic", 3},
        {"-rgb", 3},
        {"-quality 2", 3}, /* 16-bit quantisation tables: SOF1 */
        {"-quality 100", 3},
    };
    for (size_t i = 0; i < N_ITEMS(cases); i++) {
        size_t len;
        uint8_t *jpeg = ju_cjpeg(cases[i].args, 131, 67, cases[i].comps, (unsigned)i, &len);
        assert_non_null(jpeg);
        char what[64];
        snprintf(what, sizeof what, "cjpeg %s (%d components)", cases[i].args, cases[i].comps);
        assert_round_trip_identical(jpeg, len, what);
        free(jpeg);
    }
}

/* A restart interval given in MCU rows differs per progressive scan (a
 * non-interleaved AC scan has one block per MCU): the reader recognises it
 * (info.restart_rows) and the writer gives libjpeg the rows again, so the
 * file comes back byte for byte. */
static void test_progressive_with_restart_in_rows_round_trips(void **state)
{
    (void)state;
    for (unsigned rows = 1; rows <= 3; rows++) {
        ju_spec spec = {.width = 80, .height = 48, .progressive = 1, .restart_rows = rows};
        size_t len;
        uint8_t *jpeg = ju_make(&spec, &len);
        jpeg_coeffs *j = ju_read(jpeg, len);
        assert_int_equal(jpeg_coeffs_info(j)->restart_rows, rows);
        jpeg_coeffs_free(j);
        assert_round_trip_identical(jpeg, len, "progressive, restart in rows");
        free(jpeg);
    }
    /* the same interval in every scan stays an interval in MCUs */
    ju_spec same = {.width = 80, .height = 48, .progressive = 1, .restart_mcus = 2};
    size_t len;
    uint8_t *jpeg = ju_make(&same, &len);
    jpeg_coeffs *j = ju_read(jpeg, len);
    assert_int_equal(jpeg_coeffs_info(j)->restart_rows, 0);
    assert_int_equal(jpeg_coeffs_info(j)->restart_interval, 2);
    jpeg_coeffs_free(j);
    free(jpeg);
}

/* Copies jpeg with all DQT tables in one segment and all DHT tables in
 * another, the way many cameras write them. */
static uint8_t *group_tables(const uint8_t *jpeg, size_t len, size_t *out_len)
{
    tu_buf head = {0}, dqt = {0}, dht = {0}, sof = {0};
    jpeg_segment_reader r;
    jpeg_segment s;
    jpeg_segments_begin(&r, jpeg, len);
    size_t rest = 0;
    tu_buf_write(&head, jpeg, 2);
    while (jpeg_segments_next(&r, &s) == 1) {
        if (s.marker == 0xDB)
            tu_buf_write(&dqt, s.data, s.length);
        else if (s.marker == 0xC4)
            tu_buf_write(&dht, s.data, s.length);
        else if (s.marker == 0xC0)
            tu_buf_write(&sof, jpeg + s.offset, s.size);
        else if (s.marker == JPEG_MARKER_SOS)
            rest = s.offset;
        else
            tu_buf_write(&head, jpeg + s.offset, s.size);
    }
    tu_buf out = {0};
    tu_buf_write(&out, head.data, head.len);
    uint8_t m[4] = {0xFF, 0xDB, (uint8_t)((dqt.len + 2) >> 8), (uint8_t)(dqt.len + 2)};
    tu_buf_write(&out, m, 4);
    tu_buf_write(&out, dqt.data, dqt.len);
    tu_buf_write(&out, sof.data, sof.len);
    m[1] = 0xC4;
    m[2] = (uint8_t)((dht.len + 2) >> 8);
    m[3] = (uint8_t)(dht.len + 2);
    tu_buf_write(&out, m, 4);
    tu_buf_write(&out, dht.data, dht.len);
    tu_buf_write(&out, jpeg + rest, len - rest);
    tu_buf_free(&head);
    tu_buf_free(&dqt);
    tu_buf_free(&dht);
    tu_buf_free(&sof);
    *out_len = out.len;
    return out.data;
}

/* Grouped tables come out one per segment (libjpeg's layout): not the input
 * bytes, but exactly the file libjpeg had written. */
static void test_grouped_tables_come_out_one_per_segment(void **state)
{
    (void)state;
    ju_spec spec = {.no_jfif = 1, .exif = 1, .icc = 1, .optimize = 1};
    size_t len, grouped_len;
    uint8_t *jpeg = ju_make(&spec, &len);
    uint8_t *grouped = group_tables(jpeg, len, &grouped_len);
    assert_int_equal(grouped_len, len - 4 - 3 * 4); /* one DQT and three DHT headers fewer */
    assert_false(round_trip(grouped, grouped_len, "grouped tables"));
    jpeg_coeffs *j = ju_read(grouped, grouped_len);
    bytebuf out;
    assert_int_equal(ju_write(j, NULL, &out), SHROUD_OK);
    assert_int_equal(out.len, len);
    assert_memory_equal(out.data, jpeg, len);
    free_buf(&out);
    jpeg_coeffs_free(j);
    free(grouped);
    free(jpeg);
}

/* Bytes after EOI are not part of the image: dropped. A COM segment after the
 * scan moves up to the other saved segments. */
static void test_trailing_data_is_dropped_and_late_markers_move_up(void **state)
{
    (void)state;
    ju_spec spec = {.exif = 1};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    tu_buf t = {0};
    tu_buf_write(&t, jpeg, len);
    tu_buf_write(&t, (const uint8_t *)"trailing bytes", 14);
    jpeg_coeffs *j = ju_read(t.data, t.len);
    bytebuf out;
    assert_int_equal(ju_write(j, NULL, &out), SHROUD_OK);
    assert_int_equal(out.len, len);
    assert_memory_equal(out.data, jpeg, len);
    free_buf(&out);
    jpeg_coeffs_free(j);
    tu_buf_free(&t);

    static const uint8_t com[] = {0xFF, 0xFE, 0x00, 0x06, 'l', 'a', 't', 'e'};
    tu_buf_write(&t, jpeg, len - 2);
    tu_buf_write(&t, com, sizeof com);
    tu_buf_write(&t, jpeg + len - 2, 2);
    j = ju_read(t.data, t.len);
    const jpeg_marker *markers;
    size_t n;
    jpeg_coeffs_markers(j, &markers, &n);
    assert_int_equal(n, 3);
    assert_int_equal(markers[2].marker, JPEG_MARKER_COM);
    assert_int_equal(markers[2].length, 4);
    assert_int_equal(ju_write(j, NULL, &out), SHROUD_OK);
    uint8_t codes[32];
    size_t nc = marker_codes(out.data, out.len, codes, sizeof codes);
    assert_true(nc >= 3);
    assert_int_equal(codes[0], 0xE0);
    assert_int_equal(codes[1], 0xE1);
    assert_int_equal(codes[2], 0xFE);
    assert_same_coefficients(j, out.data, out.len, "late COM");
    free_buf(&out);
    jpeg_coeffs_free(j);
    tu_buf_free(&t);
    free(jpeg);
}

/* A file without DHT (Motion-JPEG style) decodes with the standard tables;
 * they are not reported as the file's, and writing adds the DHT segments. */
static void test_file_without_huffman_tables_uses_the_standard_ones(void **state)
{
    (void)state;
    ju_spec spec = {0};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    tu_buf t = {0};
    jpeg_segment_reader r;
    jpeg_segment s;
    jpeg_segments_begin(&r, jpeg, len);
    size_t pos = 0;
    while (jpeg_segments_next(&r, &s) == 1) {
        if (s.marker != 0xC4)
            continue;
        tu_buf_write(&t, jpeg + pos, s.offset - pos);
        pos = s.offset + s.size;
    }
    tu_buf_write(&t, jpeg + pos, len - pos);
    assert_true(t.len < len);
    jpeg_coeffs *j = ju_read(t.data, t.len);
    const jpeg_huff_set *h = jpeg_coeffs_huffman(j);
    assert_int_equal(h->dc_present, 0);
    assert_int_equal(h->ac_present, 0);
    assert_true(jpeg_huff_set_is_standard(h));
    bytebuf out;
    assert_int_equal(ju_write(j, NULL, &out), SHROUD_OK);
    assert_int_equal(out.len, len);
    assert_memory_equal(out.data, jpeg, len);
    free_buf(&out);
    jpeg_coeffs_free(j);
    tu_buf_free(&t);
    free(jpeg);
}

/* Real photos from ../shared/testdata when present: rocket.jpg (a camera
 * file with libjpeg's table layout) comes back identical; the Hubble image
 * (all tables in one DQT and one DHT) does not, its coefficients do. */
static void test_shared_photos(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int identical;
    } photos[] = {{"rocket.jpg", 1}, {"hubble_deep_field.jpg", 0}, {"photo1080.jpg", 1}};
    int found = 0;
    for (size_t i = 0; i < N_ITEMS(photos); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/../../../shared/testdata/%s", SHROUD_TEST_VECTORS,
                 photos[i].name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fclose(f);
        found++;
        size_t len;
        uint8_t *jpeg = tu_read_file(path, &len);
        assert_int_equal(round_trip(jpeg, len, photos[i].name), photos[i].identical);
        free(jpeg);
    }
    if (!found)
        skip();
}

/* ---- coefficients never change -------------------------------------------------------- */

static void test_every_write_mode_keeps_coefficients_and_pixels(void **state)
{
    (void)state;
    static const ju_spec specs[] = {
        {.width = 67, .height = 45},
        {.components = 1, .width = 30, .height = 17, .optimize = 1},
        {.components = 4, .progressive = 1},
        {.h_samp = {1, 1, 1}, .v_samp = {2, 1, 1}, .arithmetic = 1, .restart_mcus = 2},
    };
    for (size_t i = 0; i < N_ITEMS(specs); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&specs[i], &len);
        jpeg_coeffs *j = ju_read(jpeg, len);
        for (int huff = JPEG_HUFF_STANDARD; huff <= JPEG_HUFF_GIVEN; huff++) {
            for (int mode = 0; mode < 8; mode++) {
                jpeg_write_options o = {
                    .huffman = (uint8_t)huff,
                    .tables = jpeg_coeffs_huffman(j),
                    .progressive = mode & 1,
                    .arithmetic = (mode >> 1) & 1,
                    .restart_interval = mode & 4 ? 3 : 0,
                };
                bytebuf out;
                int err = ju_write(j, &o, &out);
                char what[96];
                snprintf(what, sizeof what, "spec %zu huffman %d mode %d", i, huff, mode);
                /* Given tables matter for sequential Huffman output only.
                 * The file's own optimized tables need not code the DC
                 * differences new restart points create, nor can a
                 * progressive file's last-scan tables code a whole image. */
                int sequential = !o.progressive && !o.arithmetic;
                if (err == SHROUD_ERR_IMAGE_FORMAT && huff == JPEG_HUFF_GIVEN && sequential &&
                    (o.restart_interval || specs[i].progressive))
                    continue;
                if (err)
                    fail_msg("%s: %s", what, shroud_strerror(err));
                assert_same_coefficients(j, out.data, out.len, what);
                assert_same_pixels(jpeg, len, out.data, out.len, what);
                free_buf(&out);
            }
        }
        jpeg_coeffs_free(j);
        free(jpeg);
    }
}

/* One block changed: after write and read only that block differs. */
static void test_modified_block_is_the_only_difference(void **state)
{
    (void)state;
    ju_spec spec = {.width = 67, .height = 45};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    jpeg_coeffs *orig = ju_read(jpeg, len);
    static const int modes[][2] = {{JPEG_HUFF_OPTIMIZE, 0},
                                   {JPEG_HUFF_GIVEN, 0},
                                   {JPEG_HUFF_STANDARD, 1},
                                   {JPEG_HUFF_OPTIMIZE, 1}};
    for (size_t m = 0; m < N_ITEMS(modes); m++) {
        jpeg_coeffs *j = ju_read(jpeg, len);
        JPEG_BLOCK *row = jpeg_coeffs_row(j, 1, 2);
        assert_non_null(row);
        row[3][0] += 5;
        row[3][1] = -7;
        row[3][63] = 2;
        jpeg_write_options o;
        jpeg_coeffs_input_options(j, &o);
        o.huffman = (uint8_t)modes[m][0];
        o.progressive = (uint8_t)modes[m][1];
        bytebuf out;
        assert_int_equal(ju_write(j, &o, &out), SHROUD_OK);
        jpeg_coeffs *back = ju_read(out.data, out.len);
        int c;
        uint32_t r, col;
        assert_int_equal(ju_coeffs_diff(orig, back, &c, &r, &col), 1);
        assert_int_equal(c, 1);
        assert_int_equal(r, 2);
        assert_int_equal(col, 3);
        assert_int_equal(ju_coeffs_diff(j, back, NULL, NULL, NULL), 0);
        ju_assert_decodes(out.data, out.len, "one block modified");
        jpeg_coeffs_free(back);
        free_buf(&out);
        jpeg_coeffs_free(j);
    }
    jpeg_coeffs_free(orig);
    free(jpeg);
}

/* One object, written, changed, written again. */
static void test_same_object_writes_more_than_once(void **state)
{
    (void)state;
    ju_spec spec = {.optimize = 1};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    jpeg_coeffs *j = ju_read(jpeg, len);
    bytebuf a, b;
    assert_int_equal(ju_write(j, NULL, &a), SHROUD_OK);
    assert_int_equal(ju_write(j, NULL, &b), SHROUD_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_int_equal(a.len, len);
    free_buf(&b);
    JPEG_BLOCK *row = jpeg_coeffs_row(j, 0, 0);
    int16_t saved = row[0][0];
    row[0][0] = (int16_t)(saved + 1);
    jpeg_write_options o;
    jpeg_coeffs_input_options(j, &o);
    o.huffman = JPEG_HUFF_OPTIMIZE;
    assert_int_equal(ju_write(j, &o, &b), SHROUD_OK);
    jpeg_coeffs *back = ju_read(b.data, b.len);
    assert_int_equal(jpeg_coeffs_row(back, 0, 0)[0][0], saved + 1);
    jpeg_coeffs_free(back);
    free_buf(&b);
    row[0][0] = saved; /* back as it was: the original bytes again */
    assert_int_equal(ju_write(j, NULL, &b), SHROUD_OK);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, jpeg, len);
    free_buf(&a);
    free_buf(&b);
    jpeg_coeffs_free(j);
    free(jpeg);
}

/* Output is appended; on failure the buffer is as it was. */
static void test_write_appends_and_leaves_buffer_alone_on_failure(void **state)
{
    (void)state;
    ju_spec spec = {.optimize = 1};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    jpeg_coeffs *j = ju_read(jpeg, len);
    bytebuf out = {0};
    assert_int_equal(bytebuf_write(&out, (const uint8_t *)"abc", 3), 0);
    jpeg_write_options o;
    jpeg_coeffs_input_options(j, &o);
    assert_int_equal(jpeg_coeffs_write(j, &o, &out), SHROUD_OK);
    assert_int_equal(out.len, 3 + len);
    assert_memory_equal(out.data, "abc", 3);
    assert_memory_equal(out.data + 3, jpeg, len);
    out.len = 3;
    jpeg_coeffs_row(j, 0, 0)[0][63] = 1023; /* a symbol the optimized tables lack */
    assert_int_equal(jpeg_coeffs_write(j, &o, &out), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(out.len, 3);
    jpeg_write_options bad = o;
    bad.huffman = 7;
    assert_int_equal(jpeg_coeffs_write(j, &bad, &out), SHROUD_ERR_ARGUMENT);
    bad = o;
    bad.tables = NULL;
    assert_int_equal(jpeg_coeffs_write(j, &bad, &out), SHROUD_ERR_ARGUMENT);
    bad = o;
    bad.restart_interval = 65536;
    assert_int_equal(jpeg_coeffs_write(j, &bad, &out), SHROUD_ERR_ARGUMENT);
    assert_int_equal(out.len, 3);
    free_buf(&out);
    jpeg_coeffs_free(j);
    free(jpeg);
}

/* ---- info, rows, Huffman tables ---------------------------------------------------------- */

static void test_info_describes_the_file(void **state)
{
    (void)state;
    ju_spec spec = {.width = 70, .height = 40, .restart_mcus = 7, .quality = 90};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    jpeg_coeffs *j = ju_read(jpeg, len);
    const jpeg_info *in = jpeg_coeffs_info(j);
    assert_int_equal(in->width, 70);
    assert_int_equal(in->height, 40);
    assert_int_equal(in->components, 3);
    assert_int_equal(in->max_h_samp, 2);
    assert_int_equal(in->max_v_samp, 2);
    assert_int_equal(in->progressive, 0);
    assert_int_equal(in->arithmetic, 0);
    assert_int_equal(in->restart_interval, 7);
    assert_int_equal(in->color_space, 3); /* JCS_YCbCr */
    assert_int_equal(in->comp[0].width_in_blocks, 9);
    assert_int_equal(in->comp[0].height_in_blocks, 5);
    assert_int_equal(in->comp[1].width_in_blocks, 5);
    assert_int_equal(in->comp[1].height_in_blocks, 3);
    assert_int_equal(in->comp[0].quant_slot, 0);
    assert_int_equal(in->comp[2].quant_slot, 1);
    /* quality 90 luminance table, natural order: 3 2 2 3 2 2 3 3 ... */
    assert_int_equal(in->comp[0].quant[0], 3);
    assert_int_equal(in->comp[0].quant[1], 2);
    assert_int_equal(in->comp[0].quant[8], 2);
    /* Rows: real rows and the MCU padding exist, nothing beyond. */
    assert_non_null(jpeg_coeffs_row(j, 0, 4));
    assert_non_null(jpeg_coeffs_row(j, 0, 5)); /* padding up to the MCU */
    assert_null(jpeg_coeffs_row(j, 0, 6));
    assert_non_null(jpeg_coeffs_row(j, 2, 2));
    assert_null(jpeg_coeffs_row(j, 2, 3));
    assert_null(jpeg_coeffs_row(j, 3, 0));
    assert_null(jpeg_coeffs_row(j, -1, 0));
    jpeg_write_options o;
    jpeg_coeffs_input_options(j, &o);
    assert_int_equal(o.huffman, JPEG_HUFF_GIVEN);
    assert_ptr_equal(o.tables, jpeg_coeffs_huffman(j));
    assert_int_equal(o.restart_interval, 7);
    assert_int_equal(o.markers, JPEG_MARKERS_ALL);
    jpeg_coeffs_free(j);
    free(jpeg);

    ju_spec prog = {.progressive = 1, .components = 1};
    jpeg = ju_make(&prog, &len);
    j = ju_read(jpeg, len);
    jpeg_coeffs_input_options(j, &o);
    assert_int_equal(o.progressive, 1);
    assert_int_equal(o.huffman, JPEG_HUFF_OPTIMIZE); /* libjpeg optimizes progressive anyway */
    assert_int_equal(jpeg_coeffs_info(j)->color_space, 1); /* JCS_GRAYSCALE */
    jpeg_coeffs_free(j);
    free(jpeg);

    ju_spec arith = {.arithmetic = 1, .components = 4};
    jpeg = ju_make(&arith, &len);
    j = ju_read(jpeg, len);
    jpeg_coeffs_input_options(j, &o);
    assert_int_equal(o.arithmetic, 1);
    assert_int_equal(o.huffman, JPEG_HUFF_STANDARD);
    assert_int_equal(jpeg_coeffs_info(j)->color_space, 4); /* JCS_CMYK */
    assert_int_equal(jpeg_coeffs_huffman(j)->dc_present, 0);
    jpeg_coeffs_free(j);
    free(jpeg);
}

static void test_standard_tables_are_recognised(void **state)
{
    (void)state;
    ju_spec std = {0}, opt = {.optimize = 1};
    size_t len;
    uint8_t *jpeg = ju_make(&std, &len);
    jpeg_coeffs *j = ju_read(jpeg, len);
    const jpeg_huff_set *h = jpeg_coeffs_huffman(j);
    assert_int_equal(h->dc_present, 3);
    assert_int_equal(h->ac_present, 3);
    assert_true(jpeg_huff_set_is_standard(h));
    jpeg_huff_set set = *h;
    set.dc[1] = set.dc[0]; /* luminance table in the chrominance slot */
    assert_false(jpeg_huff_set_is_standard(&set));
    set = *h;
    set.ac[2] = set.ac[0];
    set.ac_present |= 4; /* slot 2 has no standard table */
    assert_false(jpeg_huff_set_is_standard(&set));
    jpeg_huff_set empty = {0};
    assert_true(jpeg_huff_set_is_standard(&empty));
    assert_false(jpeg_huff_set_is_standard(NULL));
    jpeg_coeffs_free(j);
    free(jpeg);

    jpeg = ju_make(&opt, &len);
    j = ju_read(jpeg, len);
    assert_false(jpeg_huff_set_is_standard(jpeg_coeffs_huffman(j)));
    jpeg_coeffs_free(j);
    free(jpeg);
}

/* ---- given Huffman tables ------------------------------------------------------------------- */

/* Symbols (bit set) of a DHT-style table. */
static void table_symbols(const jpeg_huff_table *t, uint8_t has[256])
{
    memset(has, 0, 256);
    unsigned n = 0;
    for (int l = 1; l <= 16; l++)
        n += t->bits[l];
    for (unsigned i = 0; i < n; i++)
        has[t->values[i]] = 1;
}

/* 1 if every symbol of each used table is also in the given table. */
static int tables_cover(const jpeg_huff_set *used, const jpeg_huff_set *given)
{
    for (int s = 0; s < JPEG_HUFF_SLOTS; s++) {
        for (int dc = 0; dc < 2; dc++) {
            unsigned up = dc ? used->dc_present : used->ac_present;
            unsigned gp = dc ? given->dc_present : given->ac_present;
            if (!(up & 1u << s))
                continue;
            if (!(gp & 1u << s))
                return 0;
            uint8_t u[256], g[256];
            table_symbols(dc ? &used->dc[s] : &used->ac[s], u);
            table_symbols(dc ? &given->dc[s] : &given->ac[s], g);
            for (int k = 0; k < 256; k++)
                if (u[k] && !g[k])
                    return 0;
        }
    }
    return 1;
}

static uint32_t xorshift(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* With given tables the write succeeds exactly when libjpeg's own symbol
 * statistics (an optimized write's tables hold exactly the symbols used)
 * fit in them; and a success always decodes back to the same blocks. */
static void test_given_tables_check_agrees_with_libjpeg_statistics(void **state)
{
    (void)state;
    static const ju_spec specs[] = {
        {.optimize = 1, .width = 67, .height = 45},
        {.optimize = 1, .components = 1, .width = 33, .height = 20, .restart_mcus = 3},
        {.optimize = 1, .h_samp = {1, 1, 1}, .v_samp = {2, 1, 1}, .restart_mcus = 2},
        {.optimize = 1, .components = 4, .width = 20, .height = 20},
    };
    uint32_t rng = 12345;
    int successes = 0, refusals = 0;
    for (size_t i = 0; i < N_ITEMS(specs); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&specs[i], &len);
        for (int trial = 0; trial < 25; trial++) {
            jpeg_coeffs *j = ju_read(jpeg, len);
            const jpeg_info *in = jpeg_coeffs_info(j);
            int edits = (int)(xorshift(&rng) % 4);
            for (int e = 0; e < edits; e++) {
                int c = (int)(xorshift(&rng) % in->components);
                uint32_t r = xorshift(&rng) % in->comp[c].height_in_blocks;
                uint32_t col = xorshift(&rng) % in->comp[c].width_in_blocks;
                int k = (int)(xorshift(&rng) % 64);
                int mag = 1 << (xorshift(&rng) % 9);
                jpeg_coeffs_row(j, c, r)[col][k] =
                    (int16_t)((int)(xorshift(&rng) % (2u * (unsigned)mag + 1)) - mag);
            }
            jpeg_write_options given, opt;
            jpeg_coeffs_input_options(j, &given);
            opt = given;
            opt.huffman = JPEG_HUFF_OPTIMIZE;
            bytebuf g, o;
            int gerr = ju_write(j, &given, &g);
            assert_int_equal(ju_write(j, &opt, &o), SHROUD_OK);
            jpeg_coeffs *stats = ju_read(o.data, o.len);
            int expect = tables_cover(jpeg_coeffs_huffman(stats), jpeg_coeffs_huffman(j));
            jpeg_coeffs_free(stats);
            if (expect) {
                assert_int_equal(gerr, SHROUD_OK);
                assert_same_coefficients(j, g.data, g.len, "given tables");
                ju_assert_decodes(g.data, g.len, "given tables");
                successes++;
            } else {
                assert_int_equal(gerr, SHROUD_ERR_IMAGE_FORMAT);
                assert_null(g.data);
                refusals++;
            }
            free_buf(&g);
            free_buf(&o);
            jpeg_coeffs_free(j);
        }
        free(jpeg);
    }
    assert_true(successes > 10);
    assert_true(refusals > 10);
}

/* libjpeg-turbo would silently write a corrupt stream for a symbol without
 * a code; the check refuses instead. Standard tables code every 8-bit
 * symbol; a category-11 AC value fits no table and no mode. */
static void test_uncodable_coefficients_are_refused(void **state)
{
    (void)state;
    ju_spec spec = {.optimize = 1};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    jpeg_coeffs *j = ju_read(jpeg, len);
    JPEG_BLOCK *row = jpeg_coeffs_row(j, 0, 0);
    row[0][63] = 1000;
    row[0][62] = -1000;
    jpeg_write_options o;
    jpeg_coeffs_input_options(j, &o);
    bytebuf out;
    assert_int_equal(ju_write(j, &o, &out), SHROUD_ERR_IMAGE_FORMAT);
    o.huffman = JPEG_HUFF_STANDARD;
    assert_int_equal(ju_write(j, &o, &out), SHROUD_OK);
    assert_same_coefficients(j, out.data, out.len, "standard tables");
    ju_assert_decodes(out.data, out.len, "standard tables");
    free_buf(&out);
    o.huffman = JPEG_HUFF_OPTIMIZE;
    assert_int_equal(ju_write(j, &o, &out), SHROUD_OK);
    assert_same_coefficients(j, out.data, out.len, "optimized tables");
    free_buf(&out);

    /* Category 11: beyond sequential 8-bit JPEG in every Huffman mode. The
     * progressive script's point transform (AC scans with Al >= 1) still
     * codes it; 32767 is too much for that too. */
    row[0][5] = 2000;
    o.tables = jpeg_coeffs_huffman(j);
    for (int huff = JPEG_HUFF_STANDARD; huff <= JPEG_HUFF_GIVEN; huff++) {
        o.huffman = (uint8_t)huff;
        o.progressive = 0;
        assert_int_equal(ju_write(j, &o, &out), SHROUD_ERR_IMAGE_FORMAT);
        assert_null(out.data);
        o.progressive = 1;
        assert_int_equal(ju_write(j, &o, &out), SHROUD_OK);
        assert_same_coefficients(j, out.data, out.len, "progressive category 11");
        free_buf(&out);
    }
    row[0][5] = 32767;
    assert_int_equal(ju_write(j, &o, &out), SHROUD_ERR_IMAGE_FORMAT);
    /* A DC difference of category 12 (the standard DC tables stop at 11). */
    row[0][5] = 0;
    row[0][0] = 1500;
    jpeg_coeffs_row(j, 0, 0)[1][0] = -1500;
    o.huffman = JPEG_HUFF_STANDARD;
    o.progressive = 0;
    assert_int_equal(ju_write(j, &o, &out), SHROUD_ERR_IMAGE_FORMAT);
    jpeg_coeffs_free(j);
    free(jpeg);
}

/* libjpeg's arithmetic decoder refuses a DC difference of 32769 or more
 * (a 16-bit magnitude category) that its encoder writes without a word:
 * refused for sequential arithmetic output; the progressive script halves
 * DC values (Al = 1), so there it fits. */
static void test_arithmetic_dc_difference_beyond_15_bits_is_refused(void **state)
{
    (void)state;
    ju_spec spec = {.arithmetic = 1, .components = 1, .width = 16, .height = 8};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    jpeg_coeffs *j = ju_read(jpeg, len);
    JPEG_BLOCK *row = jpeg_coeffs_row(j, 0, 0);
    row[0][0] = 20000;
    row[1][0] = -20000;
    jpeg_write_options o;
    jpeg_coeffs_input_options(j, &o);
    bytebuf out;
    assert_int_equal(ju_write(j, &o, &out), SHROUD_ERR_IMAGE_FORMAT);
    o.progressive = 1;
    assert_int_equal(ju_write(j, &o, &out), SHROUD_OK);
    assert_same_coefficients(j, out.data, out.len, "arithmetic progressive");
    ju_assert_decodes(out.data, out.len, "arithmetic progressive");
    free_buf(&out);
    row[1][0] = -12768; /* a difference of exactly 32768 still fits */
    o.progressive = 0;
    assert_int_equal(ju_write(j, &o, &out), SHROUD_OK);
    assert_same_coefficients(j, out.data, out.len, "arithmetic, difference 32768");
    free_buf(&out);
    jpeg_coeffs_free(j);
    free(jpeg);
}

/* Given tables that are not a valid code are refused too. */
static void test_invalid_given_tables_are_refused(void **state)
{
    (void)state;
    ju_spec spec = {0};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    jpeg_coeffs *j = ju_read(jpeg, len);
    jpeg_huff_set set = *jpeg_coeffs_huffman(j);
    set.dc[0].bits[1] = 3; /* three 1-bit codes cannot exist */
    jpeg_write_options o;
    jpeg_coeffs_input_options(j, &o);
    o.tables = &set;
    bytebuf out;
    assert_int_equal(ju_write(j, &o, &out), SHROUD_ERR_IMAGE_FORMAT);
    jpeg_coeffs_free(j);
    free(jpeg);
}

/* ---- markers ----------------------------------------------------------------------------------
 */

static const uint8_t jumbf[] = {'J', 'P', 0, 0, 0, 0, 0, 1, 'j', 'u', 'm', 'b'};
static const uint8_t shroud_block[] = {'s', 'h', 'r', 'o', 'u', 'd', 0, 1, 0, 0, 0, 1, 'x'};
static const uint8_t app15[] = {'X'};
static const uint8_t jfxx[] = {'J', 'F', 'X', 'X', 0, 0x13};

static void test_markers_are_kept_in_order_without_shroud_blocks(void **state)
{
    (void)state;
    const ju_marker extra[] = {
        {0xEB, jumbf, sizeof jumbf}, {0xEB, shroud_block, sizeof shroud_block}, {0xEF, app15, 1}};
    ju_spec spec = {.exif = 1, .icc = 1, .comment = 1, .extra = extra, .n_extra = 3};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    jpeg_coeffs *j = ju_read(jpeg, len);
    const jpeg_marker *m;
    size_t n;
    jpeg_coeffs_markers(j, &m, &n);
    static const uint8_t want[] = {0xE0, 0xE1, 0xE2, 0xE2, 0xFE, 0xEB, 0xEB, 0xEF};
    assert_int_equal(n, sizeof want);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(m[i].marker, want[i]);
    assert_int_equal(m[5].length, sizeof jumbf);
    assert_memory_equal(m[5].data, jumbf, sizeof jumbf);
    assert_memory_equal(m[6].data, shroud_block, sizeof shroud_block);

    bytebuf out;
    assert_int_equal(ju_write(j, NULL, &out), SHROUD_OK);
    /* The output is the input without the shroud segment. */
    size_t at = ju_find_marker(jpeg, len, 0xEF) - (4 + sizeof shroud_block);
    assert_int_equal(out.len, len - (4 + sizeof shroud_block));
    assert_memory_equal(out.data, jpeg, at);
    assert_memory_equal(out.data + at, jpeg + at + 4 + sizeof shroud_block, out.len - at);
    free_buf(&out);
    jpeg_coeffs_free(j);
    free(jpeg);
}

static void test_essential_policy_keeps_only_jfif_and_adobe(void **state)
{
    (void)state;
    static const ju_marker extra[] = {{0xE0, jfxx, sizeof jfxx}, {0xEB, jumbf, sizeof jumbf}};
    static const ju_spec specs[] = {
        {.exif = 1, .icc = 1, .comment = 1, .extra = extra, .n_extra = 2},
        {.components = 4, .exif = 1, .comment = 1},
    };
    static const uint8_t keep[] = {0xE0, 0xEE};
    for (size_t i = 0; i < N_ITEMS(specs); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&specs[i], &len);
        jpeg_coeffs *j = ju_read(jpeg, len);
        jpeg_write_options o;
        jpeg_coeffs_input_options(j, &o);
        o.markers = JPEG_MARKERS_ESSENTIAL;
        bytebuf out;
        assert_int_equal(ju_write(j, &o, &out), SHROUD_OK);
        jpeg_coeffs *back = ju_read(out.data, out.len);
        const jpeg_marker *m;
        size_t n;
        jpeg_coeffs_markers(back, &m, &n);
        assert_int_equal(n, 1);
        assert_int_equal(m[0].marker, keep[i]);
        assert_memory_equal(m[0].data, i == 0 ? "JFIF" : "Adobe", i == 0 ? 5 : 5);
        /* SOI, then the kept segment byte for byte as in the input */
        size_t src = ju_find_marker(jpeg, len, keep[i]);
        size_t seg = 4 + m[0].length;
        assert_memory_equal(out.data + 2, jpeg + src, seg);
        assert_int_equal(ju_coeffs_diff(j, back, NULL, NULL, NULL), 0);
        assert_same_pixels(jpeg, len, out.data, out.len, "essential markers");
        jpeg_coeffs_free(back);
        free_buf(&out);
        jpeg_coeffs_free(j);
        free(jpeg);
    }
}

/* ---- refused files -----------------------------------------------------------------------------
 */

static void test_unsupported_variants_are_image_format(void **state)
{
    (void)state;
    uint8_t buf[512];
    assert_int_equal(read_error(buf, craft_header(buf, 0xC1, 12, 16, 16, 1)),
                     SHROUD_ERR_IMAGE_FORMAT); /* 12-bit */
    assert_int_equal(read_error(buf, craft_header(buf, 0xC3, 8, 16, 16, 1)),
                     SHROUD_ERR_IMAGE_FORMAT); /* lossless */
    assert_int_equal(read_error(buf, craft_header(buf, 0xC5, 8, 16, 16, 1)),
                     SHROUD_ERR_IMAGE_FORMAT); /* hierarchical */
    assert_int_equal(read_error(buf, craft_header(buf, 0xC0, 8, 16, 16, 5)),
                     SHROUD_ERR_IMAGE_FORMAT); /* more than 4 components */
    assert_int_equal(read_error(buf, craft_header(buf, 0xC0, 8, 16, 16, 11)),
                     SHROUD_ERR_IMAGE_FORMAT); /* more than libjpeg's 10 */
    assert_int_equal(read_error(buf, craft_header(buf, 0xC0, 8, 16, 0, 1)),
                     SHROUD_ERR_IMAGE_FORMAT); /* height in a DNL marker */
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_int_equal(read_error(png, sizeof png), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(read_error(png, 0), SHROUD_ERR_IMAGE_FORMAT);
    jpeg_coeffs *j = (jpeg_coeffs *)1;
    assert_int_equal(jpeg_coeffs_read(NULL, 10, &j), SHROUD_ERR_ARGUMENT);
    assert_int_equal(jpeg_coeffs_read(png, sizeof png, NULL), SHROUD_ERR_ARGUMENT);
}

/* Sizes beyond the limits are refused from the header alone: a 65500 x
 * 65500 header would otherwise have libjpeg allocate some 8 GiB. */
static void test_pixel_limits_are_checked_before_allocating(void **state)
{
    (void)state;
    uint8_t buf[512];
    assert_int_equal(read_error(buf, craft_header(buf, 0xC0, 8, 65500, 65500, 3)),
                     SHROUD_ERR_IMAGE_LIMIT);
    assert_int_equal(read_error(buf, craft_header(buf, 0xC0, 8, IMAGE_MAX_DIMENSION + 1, 8, 1)),
                     SHROUD_ERR_IMAGE_LIMIT);
    assert_int_equal(read_error(buf, craft_header(buf, 0xC0, 8, 8, IMAGE_MAX_DIMENSION + 1, 1)),
                     SHROUD_ERR_IMAGE_LIMIT);
    /* 9000 x 9000 = 81 Mpx: both sides fit, the area does not. */
    assert_int_equal(read_error(buf, craft_header(buf, 0xC0, 8, 9000, 9000, 1)),
                     SHROUD_ERR_IMAGE_LIMIT);
    /* At the side limit it is read (and then refused for its missing data). */
    assert_int_equal(read_error(buf, craft_header(buf, 0xC0, 8, IMAGE_MAX_DIMENSION, 8, 1)),
                     SHROUD_ERR_IMAGE);
}

static void test_truncated_files_are_refused(void **state)
{
    (void)state;
    static const ju_spec specs[] = {{.width = 24, .height = 16},
                                    {.width = 24, .height = 16, .progressive = 1},
                                    {.width = 24, .height = 16, .arithmetic = 1}};
    for (size_t i = 0; i < N_ITEMS(specs); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&specs[i], &len);
        assert_int_equal(read_error(jpeg, len), SHROUD_OK);
        for (size_t cut = 3; cut < len; cut++) {
            uint8_t *p = malloc(cut);
            memcpy(p, jpeg, cut);
            int err = read_error(p, cut);
            if (err != SHROUD_ERR_IMAGE)
                fail_msg("spec %zu cut at %zu of %zu: %d", i, cut, len, err);
            free(p);
        }
        free(jpeg);
    }
}

/* A marker in the middle of entropy data (libjpeg warns and pads with
 * zeros) is corruption, not a shorter image. */
static void test_corrupt_entropy_data_is_refused(void **state)
{
    (void)state;
    ju_spec spec = {.width = 64, .height = 64};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    size_t sos = nth_sos(jpeg, len, 0);
    size_t mid = sos + (len - sos) / 2;
    uint8_t *p = malloc(len);
    memcpy(p, jpeg, len);
    p[mid] = 0xFF;
    p[mid + 1] = 0xD3; /* RST3 in a file without restarts */
    assert_int_equal(read_error(p, len), SHROUD_ERR_IMAGE);
    memcpy(p, jpeg, len);
    memset(p + mid, 0xAA, 16); /* random-looking bits */
    int err = read_error(p, len);
    assert_true(err == SHROUD_ERR_IMAGE || err == SHROUD_OK);
    free(p);
    free(jpeg);
}

/* Repeating a progressive file's first scan (made Al = 0 so that a repeat
 * is consistent): 1000 scans are read, 1001 are refused as a limit. */
static void test_scan_count_limit(void **state)
{
    (void)state;
    ju_spec spec = {.width = 8, .height = 8, .components = 1, .progressive = 1};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    size_t first = nth_sos(jpeg, len, 0), second = nth_sos(jpeg, len, 1);
    size_t header = 2 + ((size_t)jpeg[first + 2] << 8 | jpeg[first + 3]);
    uint8_t *scan = malloc(second - first);
    memcpy(scan, jpeg + first, second - first);
    scan[header - 1] = 0x00; /* Ah = 0, Al = 0 */
    for (int total = JPEG_MAX_SCANS; total <= JPEG_MAX_SCANS + 1; total++) {
        tu_buf t = {0};
        tu_buf_write(&t, jpeg, first);
        for (int k = 0; k < total; k++)
            tu_buf_write(&t, scan, second - first);
        tu_buf_write(&t, jpeg + len - 2, 2);
        int err = read_error(t.data, t.len);
        assert_int_equal(err, total > JPEG_MAX_SCANS ? SHROUD_ERR_IMAGE_LIMIT : SHROUD_OK);
        tu_buf_free(&t);
    }
    free(scan);
    free(jpeg);
}

/* A quantisation table redefined after a scan used it cannot be written by
 * libjpeg (one table per slot): refused on reading. */
static void test_quant_table_redefined_between_scans_is_refused(void **state)
{
    (void)state;
    ju_spec spec = {.progressive = 1};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    size_t second = nth_sos(jpeg, len, 1);
    uint8_t dqt[4 + 65] = {0xFF, 0xDB, 0, 67, 0};
    for (int i = 0; i < 64; i++)
        dqt[5 + i] = 9;
    tu_buf t = {0};
    tu_buf_write(&t, jpeg, second);
    tu_buf_write(&t, dqt, sizeof dqt);
    tu_buf_write(&t, jpeg + second, len - second);
    assert_int_equal(read_error(t.data, t.len), SHROUD_ERR_IMAGE_FORMAT);
    tu_buf_free(&t);
    free(jpeg);
}

/* The header-only read gives the same geometry and quantisers as the full
 * read (progressive files too, whose later components latch their tables
 * only in later scans), and no coefficients. */
static void test_header_only_read_matches(void **state)
{
    (void)state;
    const ju_spec specs[] = {
        {.width = 40, .height = 24},
        {.width = 33, .height = 17, .progressive = 1},
        {.width = 16, .height = 16, .components = 1, .restart_mcus = 1},
        {.width = 48, .height = 8, .components = 4, .progressive = 1},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&specs[i], &len);
        jpeg_coeffs *full = ju_read(jpeg, len), *head = NULL;
        assert_int_equal(jpeg_coeffs_read_header(jpeg, len, &head), SHROUD_OK);
        jpeg_info a, b; /* memcpy: padding bytes too (both zeroed by the reader) */
        memcpy(&a, jpeg_coeffs_info(full), sizeof a);
        memcpy(&b, jpeg_coeffs_info(head), sizeof b);
        a.restart_rows = b.restart_rows = 0;
        assert_memory_equal(&a, &b, sizeof a);
        assert_null(jpeg_coeffs_row(head, 0, 0));
        jpeg_coeffs_free(head);
        jpeg_coeffs_free(full);
        assert_int_equal(jpeg_coeffs_read_header(jpeg, 40, &head), SHROUD_ERR_IMAGE);
        assert_null(head);
        free(jpeg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libjpeg_files_round_trip_byte_identical),
        cmocka_unit_test(test_cjpeg_files_round_trip_byte_identical),
        cmocka_unit_test(test_progressive_with_restart_in_rows_round_trips),
        cmocka_unit_test(test_header_only_read_matches),
        cmocka_unit_test(test_grouped_tables_come_out_one_per_segment),
        cmocka_unit_test(test_trailing_data_is_dropped_and_late_markers_move_up),
        cmocka_unit_test(test_file_without_huffman_tables_uses_the_standard_ones),
        cmocka_unit_test(test_shared_photos),
        cmocka_unit_test(test_every_write_mode_keeps_coefficients_and_pixels),
        cmocka_unit_test(test_modified_block_is_the_only_difference),
        cmocka_unit_test(test_same_object_writes_more_than_once),
        cmocka_unit_test(test_write_appends_and_leaves_buffer_alone_on_failure),
        cmocka_unit_test(test_info_describes_the_file),
        cmocka_unit_test(test_standard_tables_are_recognised),
        cmocka_unit_test(test_given_tables_check_agrees_with_libjpeg_statistics),
        cmocka_unit_test(test_uncodable_coefficients_are_refused),
        cmocka_unit_test(test_arithmetic_dc_difference_beyond_15_bits_is_refused),
        cmocka_unit_test(test_invalid_given_tables_are_refused),
        cmocka_unit_test(test_markers_are_kept_in_order_without_shroud_blocks),
        cmocka_unit_test(test_essential_policy_keeps_only_jfif_and_adobe),
        cmocka_unit_test(test_unsupported_variants_are_image_format),
        cmocka_unit_test(test_pixel_limits_are_checked_before_allocating),
        cmocka_unit_test(test_truncated_files_are_refused),
        cmocka_unit_test(test_corrupt_entropy_data_is_refused),
        cmocka_unit_test(test_scan_count_limit),
        cmocka_unit_test(test_quant_table_redefined_between_scans_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
