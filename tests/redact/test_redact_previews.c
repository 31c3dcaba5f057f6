/*
 * test_redact_previews.c — metadata holding a picture of the original (EXIF
 * thumbnail, Photoshop thumbnail, XMP thumbnail, MPF/FlashPix previews; in
 * PNG text chunks, compressed or not, and ImageMagick raw profiles) is
 * left out of a redacted file even when metadata is kept; other metadata
 * stays. The parsers behind it never read outside their input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/jpeg_coeffs.h"
#include "image/png_chunks.h"
#include "image/png_raster.h"
#include "image/previews.h"
#include "jpeg_util.h"
#include "redact_util.h"

static shroud_identity *alice;
static shroud_recipient *alice_pub;

static int setup(void **state)
{
    (void)state;
    alice = ru_native_identity();
    alice_pub = ru_recipient_of(alice);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_recipient_free(alice_pub);
    shroud_identity_free(alice);
    return 0;
}

/* A little-endian TIFF with IFD0 of one entry, then a next-IFD link
 * (thumbnail != 0: an IFD1 with no entries follows). */
static size_t make_tiff(uint8_t *out, int thumbnail)
{
    static const uint8_t head[] = {'I',  'I',  '*', 0, 8, 0, 0, 0, /* IFD0 at 8 */
                                   1,    0,                        /* one entry */
                                   0x0f, 0x01, 2,   0, 4, 0, 0, 0, 'c', 'a', 'm', 0};
    memcpy(out, head, sizeof head);
    size_t n = sizeof head;
    uint32_t next = thumbnail ? (uint32_t)(n + 4) : 0;
    for (int i = 0; i < 4; i++)
        out[n++] = (uint8_t)(next >> (8 * i));
    if (thumbnail) {
        memset(out + n, 0, 6); /* IFD1: no entries, no next */
        n += 6;
    }
    return n;
}

static size_t make_exif(uint8_t *out, int thumbnail)
{
    memcpy(out, "Exif\0\0", 6);
    return 6 + make_tiff(out + 6, thumbnail);
}

/* Photoshop APP13 with one image resource of the given id. */
static size_t make_photoshop(uint8_t *out, uint16_t id)
{
    static const char ps[] = "Photoshop 3.0";
    size_t n = sizeof ps; /* with its NUL */
    memcpy(out, ps, n);
    const uint8_t res[] = {'8', 'B', 'I', 'M', (uint8_t)(id >> 8), (uint8_t)id, 0, 0, 0, 0, 0, 4,
                           1,   2,   3,   4};
    memcpy(out + n, res, sizeof res);
    return n + sizeof res;
}

static void test_parsers(void **state)
{
    (void)state;
    uint8_t buf[128];
    size_t n = make_tiff(buf, 1);
    assert_int_equal(exif_has_thumbnail(buf, n), 1);
    n = make_tiff(buf, 0);
    assert_int_equal(exif_has_thumbnail(buf, n), 0);
    for (size_t cut = 0; cut < n; cut++) /* truncated: counts as holding one */
        assert_int_equal(exif_has_thumbnail(buf, cut), 1);
    n = make_photoshop(buf, 0x0409);
    assert_int_equal(jpeg_segment_is_preview(0xED, buf, n), 1);
    n = make_photoshop(buf, 0x040C);
    assert_int_equal(jpeg_segment_is_preview(0xED, buf, n), 1);
    n = make_photoshop(buf, 0x0404); /* IPTC: not a picture */
    assert_int_equal(jpeg_segment_is_preview(0xED, buf, n), 0);
    for (size_t cut = 14 + 4; cut < n - 4; cut++) /* under 4 bytes after the header: padding */
        assert_int_equal(jpeg_segment_is_preview(0xED, buf, cut), 1);
    assert_int_equal(jpeg_segment_is_preview(0xE2, (const uint8_t *)"MPF\0II*\0", 8), 1);
    assert_int_equal(jpeg_segment_is_preview(0xE2, (const uint8_t *)"FPXR\0\0\0", 7), 1);
    assert_int_equal(jpeg_segment_is_preview(0xE2, (const uint8_t *)"ICC_PROFILE\0", 12), 0);
    static const char xmp_thumb[] = "http://ns.adobe.com/xap/1.0/\0<x><xmpGImg:image>AAA</x>";
    static const char xmp_plain[] = "http://ns.adobe.com/xap/1.0/\0<x><dc:title>t</dc:title></x>";
    assert_int_equal(jpeg_segment_is_preview(0xE1, (const uint8_t *)xmp_thumb, sizeof xmp_thumb),
                     1);
    assert_int_equal(jpeg_segment_is_preview(0xE1, (const uint8_t *)xmp_plain, sizeof xmp_plain),
                     0);
    assert_int_equal(jpeg_segment_is_preview(0xE0, (const uint8_t *)"JFIF\0", 5), 0);
    /* portrait-mode photos: the original image and the depth map in XMP;
     * extended XMP (segments of a packet too large for one) always */
    static const char gimage[] = "http://ns.adobe.com/xap/1.0/\0<x GImage:Mime='image/jpeg' "
                                 "GImage:Data='/9j/4AAQ'/>";
    static const char gdepth[] = "http://ns.adobe.com/xap/1.0/\0<x GDepth:Data='iVBORw0K'/>";
    static const char extended[] = "http://ns.adobe.com/xmp/extension/\0"
                                   "0123456789ABCDEF0123456789ABCDEF\0\0\1\0\0\0\0\0AAAA";
    assert_int_equal(jpeg_segment_is_preview(0xE1, (const uint8_t *)gimage, sizeof gimage), 1);
    assert_int_equal(jpeg_segment_is_preview(0xE1, (const uint8_t *)gdepth, sizeof gdepth), 1);
    assert_int_equal(jpeg_segment_is_preview(0xE1, (const uint8_t *)extended, sizeof extended), 1);
    static const char itxt_gimage[] = "XML:com.adobe.xmp\0\0\0\0\0<x GImage:Data='/9j/'/>";
    assert_int_equal(
        png_chunk_is_preview("iTXt", (const uint8_t *)itxt_gimage, sizeof itxt_gimage - 1), 1);
    n = make_tiff(buf, 1);
    assert_int_equal(png_chunk_is_preview("eXIf", buf, n), 1);
    n = make_tiff(buf, 0);
    assert_int_equal(png_chunk_is_preview("eXIf", buf, n), 0);
    assert_int_equal(png_chunk_is_preview("tEXt", (const uint8_t *)"Title\0x", 7), 0);
}

/* A text chunk's data: keyword, then (zTXt) method 0 or (iTXt) the
 * compression flag, method 0, language "en", translated keyword "";
 * the text zlib-compressed when `compress` (zTXt always). */
static size_t make_text_chunk(uint8_t *out, size_t cap, const char *type, const char *keyword,
                              const uint8_t *text, size_t len, int compress)
{
    size_t n = strlen(keyword) + 1;
    memcpy(out, keyword, n);
    if (strcmp(type, "zTXt") == 0) {
        out[n++] = 0;
        compress = 1;
    } else if (strcmp(type, "iTXt") == 0) {
        out[n++] = (uint8_t)compress;
        out[n++] = 0;
        memcpy(out + n, "en\0\0", 4);
        n += 4;
    }
    if (!compress) {
        assert_true(n + len <= cap);
        memcpy(out + n, text, len);
        return n + len;
    }
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    assert_non_null(c);
    size_t z = libdeflate_zlib_compress(c, text, len, out + n, cap - n);
    libdeflate_free_compressor(c);
    assert_true(z > 0);
    return n + z;
}

/* ImageMagick's raw profile text: "\nNAME\n    LENGTH\n" then hex, 72 digits a line. */
static size_t make_raw_profile(char *out, const char *name, const uint8_t *data, size_t len)
{
    size_t n = (size_t)sprintf(out, "\n%s\n%8zu\n", name, len);
    for (size_t i = 0; i < len; i++) {
        n += (size_t)sprintf(out + n, "%02x", data[i]);
        if (i % 36 == 35)
            out[n++] = '\n';
    }
    out[n++] = '\n';
    return n;
}

/* Text chunks: an XMP thumbnail found in tEXt, zTXt and iTXt (plain and
 * compressed), ImageMagick raw profiles (EXIF with and without its "Exif"
 * header, XMP, Photoshop) with and without a thumbnail, plain or
 * compressed; other profiles and text kept; malformed chunks, streams
 * that do not inflate, and text inflating past 16 MiB count as previews. */
static void test_png_text_chunks(void **state)
{
    (void)state;
    static const char xmp_thumb[] =
        "<x:xmpmeta><xmpGImg:image>/9j/4AAQ</xmpGImg:image></x:xmpmeta>";
    static const char xmp_plain[] = "<x:xmpmeta><dc:title>t</dc:title></x:xmpmeta>";
    static const char *const types[] = {"tEXt", "zTXt", "iTXt"};
    size_t cap = 1 << 16;
    uint8_t *chunk = malloc(cap), tiff[80], ps[64];
    char *text = malloc(cap);
    assert_non_null(chunk);
    assert_non_null(text);
    for (int t = 0; t < 3; t++) {
        for (int compress = 0; compress <= 1; compress++) {
            if (t == 0 && compress)
                continue; /* tEXt is never compressed */
            size_t n = make_text_chunk(chunk, cap, types[t], "XML:com.adobe.xmp",
                                       (const uint8_t *)xmp_thumb, strlen(xmp_thumb), compress);
            assert_int_equal(png_chunk_is_preview(types[t], chunk, n), 1);
            n = make_text_chunk(chunk, cap, types[t], "XML:com.adobe.xmp",
                                (const uint8_t *)xmp_plain, strlen(xmp_plain), compress);
            assert_int_equal(png_chunk_is_preview(types[t], chunk, n), 0);
            for (int thumb = 0; thumb <= 1; thumb++) {
                struct {
                    const char *keyword, *name;
                    const uint8_t *data;
                    size_t len;
                } profiles[4];
                size_t tl = make_tiff(tiff + 6, thumb);
                memcpy(tiff, "Exif\0\0", 6);
                size_t pl = make_photoshop(ps, thumb ? 0x040C : 0x0404);
                profiles[0].keyword = "Raw profile type exif";
                profiles[0].name = "exif";
                profiles[0].data = tiff;
                profiles[0].len = tl + 6;
                profiles[1].keyword = "Raw profile type APP1";
                profiles[1].name = "APP1";
                profiles[1].data = tiff + 6;
                profiles[1].len = tl;
                profiles[2].keyword = "Raw profile type xmp";
                profiles[2].name = "xmp";
                profiles[2].data = (const uint8_t *)(thumb ? xmp_thumb : xmp_plain);
                profiles[2].len = strlen((const char *)profiles[2].data);
                profiles[3].keyword = "Raw profile type 8bim";
                profiles[3].name = "8bim";
                profiles[3].data = ps + sizeof "Photoshop 3.0";
                profiles[3].len = pl - sizeof "Photoshop 3.0";
                for (int k = 0; k < 4; k++) {
                    size_t tn =
                        make_raw_profile(text, profiles[k].name, profiles[k].data, profiles[k].len);
                    n = make_text_chunk(chunk, cap, types[t], profiles[k].keyword,
                                        (const uint8_t *)text, tn, compress);
                    if (png_chunk_is_preview(types[t], chunk, n) != thumb)
                        fail_msg("%s %s compressed %d thumbnail %d", types[t], profiles[k].keyword,
                                 compress, thumb);
                    if (thumb && k < 2) { /* cut short: cannot be decoded */
                        n = make_text_chunk(chunk, cap, types[t], profiles[k].keyword,
                                            (const uint8_t *)text, tn / 2, compress);
                        assert_int_equal(png_chunk_is_preview(types[t], chunk, n), 1);
                    }
                }
            }
            /* other profiles and plain text stay */
            size_t tn = make_raw_profile(text, "icc", tiff, 20);
            n = make_text_chunk(chunk, cap, types[t], "Raw profile type icc", (const uint8_t *)text,
                                tn, compress);
            assert_int_equal(png_chunk_is_preview(types[t], chunk, n), 0);
            n = make_text_chunk(chunk, cap, types[t], "Comment", (const uint8_t *)"hello", 5,
                                compress);
            assert_int_equal(png_chunk_is_preview(types[t], chunk, n), 0);
        }
    }
    /* malformed */
    assert_int_equal(png_chunk_is_preview("tEXt", (const uint8_t *)"no keyword end", 14), 1);
    assert_int_equal(png_chunk_is_preview("tEXt", (const uint8_t *)"\0text", 5), 1);
    assert_int_equal(png_chunk_is_preview("zTXt", (const uint8_t *)"k\0\1xx", 5), 1); /* method */
    assert_int_equal(png_chunk_is_preview("zTXt", (const uint8_t *)"k\0\0not zlib", 11), 1);
    assert_int_equal(png_chunk_is_preview("zTXt", (const uint8_t *)"k\0", 2), 1);
    assert_int_equal(png_chunk_is_preview("iTXt", (const uint8_t *)"k\0\0\0en", 7), 1);
    assert_int_equal(png_chunk_is_preview("iTXt", (const uint8_t *)"k\0\2\0\0\0", 6), 1);
    size_t n = make_text_chunk(chunk, cap, "zTXt", "Comment", (const uint8_t *)"hello", 5, 1);
    assert_int_equal(png_chunk_is_preview("zTXt", chunk, n - 1), 1); /* cut stream */
    /* a bomb: 17 MiB of spaces inflate past the bound */
    size_t big = 17u << 20;
    uint8_t *spaces = malloc(big), *z = malloc(big / 100);
    assert_non_null(spaces);
    assert_non_null(z);
    memset(spaces, ' ', big);
    n = make_text_chunk(z, big / 100, "zTXt", "Comment", spaces, big, 1);
    assert_int_equal(png_chunk_is_preview("zTXt", z, n), 1);
    n = make_text_chunk(z, big / 100, "zTXt", "Comment", spaces, 15u << 20, 1);
    assert_int_equal(png_chunk_is_preview("zTXt", z, n), 0); /* under it: kept */
    free(spaces);
    free(z);
    free(text);
    free(chunk);
}

/* Redacts with metadata kept and returns the output's APPn markers. */
static void redact_jpeg_markers(const uint8_t *jpeg, size_t len, size_t *dropped, uint8_t *markers,
                                size_t *n_markers, int strip)
{
    shroud_redactor *r = NULL;
    assert_int_equal(shroud_redactor_new(&r, jpeg, len), SHROUD_OK);
    const shroud_region reg = {0, 0, 8, 8};
    const shroud_recipient *rc[] = {alice_pub};
    assert_int_equal(
        shroud_redactor_add_group(r, "default", SHROUD_STYLE_FILL, &reg, 1, rc, 1, NULL, 0, 0),
        SHROUD_OK);
    shroud_redactor_strip_metadata(r, strip);
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(shroud_redactor_finish(r, &out, &out_len), SHROUD_OK);
    *dropped = shroud_redactor_dropped_previews(r);
    shroud_redactor_free(r);
    jpeg_coeffs *j = ju_read(out, out_len);
    const jpeg_marker *m;
    size_t n;
    jpeg_coeffs_markers(j, &m, &n);
    *n_markers = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i].marker != 0xEB) /* shroud's own record */
            markers[(*n_markers)++] = m[i].marker;
    jpeg_coeffs_free(j);
    shroud_free(out);
}

static void test_jpeg_previews_left_out(void **state)
{
    (void)state;
    uint8_t exif_thumb[64], exif_plain[64], ps_thumb[64], ps_iptc[64];
    size_t l1 = make_exif(exif_thumb, 1), l2 = make_exif(exif_plain, 0),
           l3 = make_photoshop(ps_thumb, 0x0409), l4 = make_photoshop(ps_iptc, 0x0404);
    static const uint8_t mpf[] = "MPF\0II*\0";
    const ju_marker with_previews[] = {{0xE1, exif_thumb, l1},
                                       {0xED, ps_thumb, l3},
                                       {0xE2, mpf, 8},
                                       {0xFE, (const uint8_t *)"hi", 2}};
    const ju_marker without[] = {{0xE1, exif_plain, l2}, {0xED, ps_iptc, l4}};
    ju_spec spec = {.width = 32, .height = 16, .extra = with_previews, .n_extra = 4};
    size_t len, dropped, n;
    uint8_t markers[32];
    uint8_t *jpeg = ju_make(&spec, &len);
    redact_jpeg_markers(jpeg, len, &dropped, markers, &n, 0);
    assert_int_equal(dropped, 3);
    assert_int_equal(n, 2); /* JFIF APP0 and the comment */
    assert_int_equal(markers[0], 0xE0);
    assert_int_equal(markers[1], 0xFE);
    free(jpeg);

    spec.extra = without;
    spec.n_extra = 2;
    jpeg = ju_make(&spec, &len);
    redact_jpeg_markers(jpeg, len, &dropped, markers, &n, 0);
    assert_int_equal(dropped, 0);
    assert_int_equal(n, 3); /* JFIF, EXIF without thumbnail, Photoshop IPTC: kept */
    assert_int_equal(markers[1], 0xE1);
    assert_int_equal(markers[2], 0xED);
    redact_jpeg_markers(jpeg, len, &dropped, markers, &n, 1);
    assert_int_equal(dropped, 0); /* stripping drops them all, not counted as previews */
    assert_int_equal(n, 1);
    free(jpeg);
}

/* Redacts img encoded with one extra chunk (metadata kept): the previews
 * dropped, and how many `type` and tEXt chunks the output has. */
static void redact_png_with_chunk(const png_raster *img, const char *type, const uint8_t *data,
                                  size_t n, size_t *dropped, size_t *kept, size_t *texts)
{
    bytebuf extra = {0}, file = {0};
    assert_int_equal(png_chunk_append(&extra, type, data, (uint32_t)n), SHROUD_OK);
    assert_int_equal(png_raster_encode(img, extra.data, extra.len, 6, &file), SHROUD_OK);
    shroud_redactor *r = NULL;
    assert_int_equal(shroud_redactor_new(&r, file.data, file.len), SHROUD_OK);
    const shroud_region reg = {0, 0, 4, 4};
    const shroud_recipient *rc[] = {alice_pub};
    assert_int_equal(
        shroud_redactor_add_group(r, "default", SHROUD_STYLE_NOISE, &reg, 1, rc, 1, NULL, 0, 0),
        SHROUD_OK);
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(shroud_redactor_finish(r, &out, &out_len), SHROUD_OK);
    *dropped = shroud_redactor_dropped_previews(r);
    *kept = (size_t)ru_png_chunk_count(out, out_len, type);
    *texts = (size_t)ru_png_chunk_count(out, out_len, "tEXt");
    shroud_redactor_free(r);
    shroud_free(out);
    free(extra.data);
    free(file.data);
}

/* End to end: an eXIf with a thumbnail, and a zTXt XMP thumbnail, are left
 * out of a redacted PNG (counted as dropped); without one they and the
 * other text stay. */
static void test_png_previews_left_out(void **state)
{
    (void)state;
    static const char xmp_thumb[] =
        "<x:xmpmeta><xmpGImg:image>/9j/4AAQ</xmpGImg:image></x:xmpmeta>";
    ru_png_spec spec = {
        .width = 16, .height = 8, .color_type = PNG_CT_RGB, .bit_depth = 8, .text = true};
    size_t len;
    uint8_t *plain = ru_png_make(&spec, &len);
    png_raster *img = ru_png_decode(plain, len);
    uint8_t tiff[64], chunk[512];
    for (int thumb = 0; thumb <= 1; thumb++) {
        size_t dropped, kept, texts;
        size_t n = make_tiff(tiff, thumb);
        redact_png_with_chunk(img, "eXIf", tiff, n, &dropped, &kept, &texts);
        assert_int_equal(dropped, (size_t)thumb);
        assert_int_equal(kept, thumb ? 0 : 1);
        assert_int_equal(texts, 1);
        const char *text = thumb ? xmp_thumb : "a comment";
        n = make_text_chunk(chunk, sizeof chunk, "zTXt", thumb ? "XML:com.adobe.xmp" : "c",
                            (const uint8_t *)text, strlen(text), 1);
        redact_png_with_chunk(img, "zTXt", chunk, n, &dropped, &kept, &texts);
        assert_int_equal(dropped, (size_t)thumb);
        assert_int_equal(kept, thumb ? 0 : 1);
        assert_int_equal(texts, 1);
    }
    png_raster_free(img);
    free(plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parsers),
        cmocka_unit_test(test_jpeg_previews_left_out),
        cmocka_unit_test(test_png_text_chunks),
        cmocka_unit_test(test_png_previews_left_out),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
