/* previews.c — finds preview pictures inside image metadata (previews.h). */
#include "image/previews.h"

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

static const char xmp_thumbnail[] = "GImg:image"; /* xmpGImg:image / xapGImg:image */

int jpeg_segment_is_preview(uint8_t marker, const uint8_t *data, size_t len)
{
    static const char exif[] = "Exif\0\0", xmp[] = "http://ns.adobe.com/", ps[] = "Photoshop 3.0\0";
    if (marker == APP1 && starts_with(data, len, exif, 6))
        return exif_has_thumbnail(data + 6, len - 6);
    if (marker == APP1 && starts_with(data, len, xmp, sizeof xmp - 1))
        return contains(data, len, xmp_thumbnail);
    if (marker == APP2)
        return starts_with(data, len, "MPF\0", 4) || starts_with(data, len, "FPXR\0", 5);
    if (marker == APP13 && starts_with(data, len, ps, sizeof ps - 1))
        return photoshop_has_thumbnail(data + sizeof ps - 1, len - (sizeof ps - 1));
    return 0;
}

int png_chunk_is_preview(const char type[4], const uint8_t *data, size_t len)
{
    if (memcmp(type, "eXIf", 4) == 0)
        return exif_has_thumbnail(data, len);
    if (memcmp(type, "iTXt", 4) == 0 || memcmp(type, "tEXt", 4) == 0)
        return contains(data, len, xmp_thumbnail);
    return 0;
}
