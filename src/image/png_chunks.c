/* png_chunks.c — a bounds-checked walk over the chunks of a PNG in memory. */
#include "image/png_chunks.h"

#include <string.h>

#include <libdeflate.h>

#include "crypto/bigendian.h"
#include "shroud.h"

static const uint8_t png_magic[PNG_SIGNATURE_BYTES] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static int is_letter(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int png_chunks_begin(png_chunk_reader *r, const uint8_t *buf, size_t len)
{
    if (!r)
        return SHROUD_ERR_ARGUMENT;
    memset(r, 0, sizeof *r);
    if (!buf || len < PNG_SIGNATURE_BYTES || memcmp(buf, png_magic, PNG_SIGNATURE_BYTES) != 0)
        return SHROUD_ERR_IMAGE_FORMAT;
    r->buf = buf;
    r->len = len;
    r->pos = PNG_SIGNATURE_BYTES;
    return SHROUD_OK;
}

int png_chunks_next(png_chunk_reader *r, png_chunk *c)
{
    if (!r || !c || !r->buf)
        return SHROUD_ERR_ARGUMENT;
    if (r->seen_iend)
        return r->pos == r->len ? 0 : SHROUD_ERR_IMAGE; /* data after IEND */
    size_t left = r->len - r->pos;
    if (left < PNG_CHUNK_OVERHEAD)
        return SHROUD_ERR_IMAGE; /* truncated, or no IEND */
    const uint8_t *p = r->buf + r->pos;
    uint32_t length = load_be32(p);
    if (length > PNG_MAX_CHUNK_LENGTH || length > left - PNG_CHUNK_OVERHEAD)
        return SHROUD_ERR_IMAGE;
    for (int i = 0; i < 4; i++)
        if (!is_letter(p[4 + i]))
            return SHROUD_ERR_IMAGE;
    uint32_t crc = (uint32_t)libdeflate_crc32(0, p + 4, 4 + (size_t)length);
    if (crc != load_be32(p + 8 + length))
        return SHROUD_ERR_IMAGE;
    int is_ihdr = memcmp(p + 4, "IHDR", 4) == 0;
    if ((r->count == 0) != is_ihdr || (is_ihdr && length != 13))
        return SHROUD_ERR_IMAGE;
    memcpy(c->type, p + 4, 4);
    c->type[4] = '\0';
    c->data = p + 8;
    c->length = length;
    c->offset = r->pos;
    c->size = PNG_CHUNK_OVERHEAD + (size_t)length;
    r->pos += c->size;
    r->count++;
    if (memcmp(c->type, "IEND", 4) == 0)
        r->seen_iend = 1;
    return 1;
}

int png_chunk_is_critical(const char type[4])
{
    return !(type[0] & 0x20);
}

int png_chunk_is_safe_to_copy(const char type[4])
{
    return (type[3] & 0x20) != 0;
}

int png_type_in(const char type[4], const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(type, list[i], 4) == 0)
            return 1;
    return 0;
}

int png_chunk_append(bytebuf *out, const char type[4], const uint8_t *data, uint32_t length)
{
    if (!out || (!data && length) || length > PNG_MAX_CHUNK_LENGTH)
        return SHROUD_ERR_ARGUMENT;
    uint8_t head[8], tail[4];
    store_be32(head, length);
    memcpy(head + 4, type, 4);
    uint32_t crc = (uint32_t)libdeflate_crc32(0, head + 4, 4);
    if (length) /* libdeflate_crc32 with a NULL buffer restarts the CRC */
        crc = (uint32_t)libdeflate_crc32(crc, data, length);
    store_be32(tail, crc);
    if (bytebuf_write(out, head, sizeof head) != 0 || bytebuf_write(out, data, length) != 0 ||
        bytebuf_write(out, tail, sizeof tail) != 0)
        return SHROUD_ERR_NOMEM;
    return SHROUD_OK;
}
