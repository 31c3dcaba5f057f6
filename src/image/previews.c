/* previews.c — finds preview pictures inside image metadata (previews.h). */
#include "image/previews.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#define APP1 0xE1
#define APP2 0xE2
#define APP13 0xED

static uint32_t get16(const uint8_t *p, int big)
{
    return big ? (uint32_t)p[0] << 8 | p[1] : (uint32_t)p[1] << 8 | p[0];
}

static uint32_t get32(const uint8_t *p, int big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int exif_has_thumbnail(const uint8_t *tiff, size_t len)
{
    if (len < 8)
        return 1;
    int big;
    if (memcmp(tiff, "II*\0", 4) == 0)
        big = 0;
    else if (memcmp(tiff, "MM\0*", 4) == 0)
        big = 1;
    else
        return 1;
    uint32_t ifd0 = get32(tiff + 4, big);
    if (ifd0 < 8 || ifd0 > len || len - ifd0 < 2)
        return 1;
    uint32_t count = get16(tiff + ifd0, big);
    uint64_t next_at = (uint64_t)ifd0 + 2 + 12u * count;
    if (next_at + 4 > len)
        return 1;
    return get32(tiff + next_at, big) != 0; /* IFD1: the thumbnail's directory */
}

static int starts_with(const uint8_t *data, size_t len, const char *prefix, size_t n)
{
    return len >= n && memcmp(data, prefix, n) == 0;
}

static int contains(const uint8_t *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (data[i] == (uint8_t)needle[0] && memcmp(data + i, needle, n) == 0)
            return 1;
    return 0;
}

/* Photoshop image resources: "8BIM" id:u16 name(pascal, even) size:u32
 * data(even). Resources 0x0409 and 0x040C are thumbnails. */
static int photoshop_has_thumbnail(const uint8_t *p, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        if (len - pos < 7 || memcmp(p + pos, "8BIM", 4) != 0)
            return len - pos >= 4 ? 1 : 0; /* trailing padding is fine; garbage is not */
        uint32_t id = get16(p + pos + 4, 1);
        size_t name = 1 + (size_t)p[pos + 6];
        name += name & 1;
        size_t at = pos + 6 + name;
        if (at > len || len - at < 4)
            return 1;
        uint32_t size = get32(p + at, 1);
        if (size > len - at - 4)
            return 1;
        if (id == 0x0409 || id == 0x040C)
            return 1;
        pos = at + 4 + size + (size & 1);
    }
    return 0;
}

/* XMP that carries a picture: the thumbnail (xmpGImg:image, xapGImg:image),
 * and Google's portrait-mode photos, which keep the original image
 * (GImage:Data) and a depth map of the scene (GDepth:Data), base64. */
static int xmp_has_picture(const uint8_t *xmp, size_t len)
{
    return contains(xmp, len, "GImg:image") || contains(xmp, len, "GImage:Data") ||
           contains(xmp, len, "GDepth:Data");
}

int jpeg_segment_is_preview(uint8_t marker, const uint8_t *data, size_t len)
{
    static const char exif[] = "Exif\0\0", xmp[] = "http://ns.adobe.com/", ps[] = "Photoshop 3.0\0",
                      extended[] = "http://ns.adobe.com/xmp/extension/";
    if (marker == APP1 && starts_with(data, len, exif, 6))
        return exif_has_thumbnail(data + 6, len - 6);
    if (marker == APP1 && starts_with(data, len, xmp, sizeof xmp - 1))
        /* extended XMP: pieces of a packet too large for one segment (in
         * practice the portrait-mode image and depth map), which a segment
         * alone cannot be judged by */
        return starts_with(data, len, extended, sizeof extended - 1) || xmp_has_picture(data, len);
    if (marker == APP2)
        return starts_with(data, len, "MPF\0", 4) || starts_with(data, len, "FPXR\0", 5);
    if (marker == APP13 && starts_with(data, len, ps, sizeof ps - 1))
        return photoshop_has_thumbnail(data + sizeof ps - 1, len - (sizeof ps - 1));
    return 0;
}

/* Text chunks inflate to at most this much; larger ones count as previews. */
#define TEXT_MAX (16u << 20)

/* The zlib stream z inflated into a new buffer (*out, free()): 0, or -1
 * when it is not one or would be larger than TEXT_MAX. */
static int inflate_text(const uint8_t *z, size_t len, uint8_t **out, size_t *out_len)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t cap = len < (TEXT_MAX - 1024) / 4 ? len * 4 + 1024 : TEXT_MAX;
    uint8_t *buf = NULL;
    int ok = 0;
    while (d && !ok && cap <= TEXT_MAX) {
        uint8_t *grown = realloc(buf, cap);
        if (!grown)
            break;
        buf = grown;
        enum libdeflate_result r = libdeflate_zlib_decompress(d, z, len, buf, cap, out_len);
        if (r == LIBDEFLATE_SUCCESS)
            ok = 1;
        else if (r == LIBDEFLATE_INSUFFICIENT_SPACE && cap < TEXT_MAX)
            cap = cap * 2 < TEXT_MAX ? cap * 2 : TEXT_MAX;
        else
            break;
    }
    libdeflate_free_decompressor(d);
    if (!ok) {
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

static int hex_digit(uint8_t c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* An ImageMagick raw profile ("\n<name>\n   <length>\n<hex digits, lines
 * broken anywhere>") decoded into a new buffer: 0, or -1 when it is not
 * one. */
static int raw_profile(const uint8_t *text, size_t len, uint8_t **out, size_t *out_len)
{
    size_t pos = 0;
    while (pos < len && text[pos] == '\n')
        pos++;
    while (pos < len && text[pos] != '\n') /* the profile's name */
        pos++;
    while (pos < len && (text[pos] == '\n' || text[pos] == ' '))
        pos++;
    size_t n = 0;
    int digits = 0;
    for (; pos < len && text[pos] >= '0' && text[pos] <= '9' && digits < 10; pos++, digits++)
        n = n * 10 + (size_t)(text[pos] - '0');
    if (!digits || n > len / 2)
        return -1;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return -1;
    size_t got = 0;
    int high = -1;
    for (; pos < len && got < n; pos++) {
        int v = hex_digit(text[pos]);
        if (v < 0) {
            if (text[pos] != '\n' && text[pos] != ' ' && text[pos] != '\r')
                break;
            continue;
        }
        if (high < 0) {
            high = v;
        } else {
            buf[got++] = (uint8_t)(high << 4 | v);
            high = -1;
        }
    }
    if (got < n) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = n;
    return 0;
}

/* Whether an ImageMagick raw profile named `name` (keyword "Raw profile
 * type NAME") holds a picture: EXIF with a thumbnail, XMP with one,
 * Photoshop resources with one; 1 when it cannot be decoded. */
static int raw_profile_is_preview(const char *name, size_t name_len, const uint8_t *text,
                                  size_t len)
{
    int exif = (name_len == 4 && memcmp(name, "exif", 4) == 0) ||
               (name_len == 4 && memcmp(name, "APP1", 4) == 0);
    int xmp = name_len == 3 && memcmp(name, "xmp", 3) == 0;
    int ps = name_len == 4 && memcmp(name, "8bim", 4) == 0;
    if (!exif && !xmp && !ps)
        return 0; /* icc, iptc, ...: no pictures */
    uint8_t *data;
    size_t n;
    if (raw_profile(text, len, &data, &n))
        return 1;
    int preview;
    if (exif && starts_with(data, n, "Exif\0\0", 6))
        preview = exif_has_thumbnail(data + 6, n - 6);
    else if (exif)
        preview = exif_has_thumbnail(data, n);
    else if (xmp)
        preview = xmp_has_picture(data, n);
    else
        preview = photoshop_has_thumbnail(data, n);
    free(data);
    return preview;
}

/* The text of a text chunk after its keyword (NUL-terminated, 1 to 79
 * bytes) and, for iTXt, its flags, language and translated keyword. */
typedef struct {
    const char *keyword;
    size_t keyword_len;
    const uint8_t *text;
    size_t len;
    int compressed; /* text is a zlib stream */
} text_chunk;

/* 0, or -1 when the chunk is malformed. */
static int parse_text_chunk(const char type[4], const uint8_t *data, size_t len, text_chunk *t)
{
    const uint8_t *nul = memchr(data, 0, len < 80 ? len : 80);
    if (!nul || nul == data)
        return -1;
    t->keyword = (const char *)data;
    t->keyword_len = (size_t)(nul - data);
    size_t pos = t->keyword_len + 1;
    t->compressed = 0;
    if (memcmp(type, "zTXt", 4) == 0) {
        if (pos >= len || data[pos] != 0) /* method 0: zlib */
            return -1;
        pos++;
        t->compressed = 1;
    } else if (memcmp(type, "iTXt", 4) == 0) {
        if (len - pos < 2 || data[pos] > 1 || data[pos + 1] != 0)
            return -1;
        t->compressed = data[pos];
        pos += 2;
        for (int field = 0; field < 2; field++) { /* language tag, translated keyword */
            const uint8_t *end = memchr(data + pos, 0, len - pos);
            if (!end)
                return -1;
            pos = (size_t)(end - data) + 1;
        }
    }
    t->text = data + pos;
    t->len = len - pos;
    return 0;
}

static const char raw_prefix[] = "Raw profile type ";

int png_chunk_is_preview(const char type[4], const uint8_t *data, size_t len)
{
    if (memcmp(type, "eXIf", 4) == 0)
        return exif_has_thumbnail(data, len);
    if (memcmp(type, "iTXt", 4) != 0 && memcmp(type, "tEXt", 4) != 0 &&
        memcmp(type, "zTXt", 4) != 0)
        return 0;
    text_chunk t;
    if (parse_text_chunk(type, data, len, &t))
        return 1;
    uint8_t *inflated = NULL;
    if (t.compressed) {
        if (inflate_text(t.text, t.len, &inflated, &t.len))
            return 1;
        t.text = inflated;
    }
    size_t raw = sizeof raw_prefix - 1;
    int preview = xmp_has_picture(t.text, t.len);
    if (!preview && t.keyword_len > raw && memcmp(t.keyword, raw_prefix, raw) == 0)
        preview = raw_profile_is_preview(t.keyword + raw, t.keyword_len - raw, t.text, t.len);
    free(inflated);
    return preview;
}
