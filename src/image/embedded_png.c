/*
 * embedded_png.c — shroud's private chunks (shRD, shSG) in a PNG file:
 * finding them and splicing them in or out at the byte level (embedded.h).
 *
 * The whole file is walked, so a broken chunk anywhere (bad CRC, truncation,
 * data after IEND) is reported, not only in the stretch shroud touches.
 */
#include "image/embedded.h"

#include <stdlib.h>
#include <string.h>

#include "image/png_chunks.h"
#include "shroud.h"

/* The embed kind of a chunk type, 0 for anyone else's chunk. */
static int chunk_kind(const char *type)
{
    if (memcmp(type, PNG_CHUNK_RECORD, 4) == 0)
        return EMBED_RECORD;
    if (memcmp(type, PNG_CHUNK_SIGNATURE, 4) == 0)
        return EMBED_SIGNATURE;
    return 0;
}

int png_embedded_find(const uint8_t *buf, size_t len, image_embedded *out)
{
    if (!out)
        return SHROUD_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->format = IMAGE_FORMAT_PNG;
    png_chunk_reader r;
    int err = png_chunks_begin(&r, buf, len);
    if (err)
        return err;
    size_t cap = 0, total[3] = {0, 0, 0};
    int done[3] = {0, 0, 0}, previous = 0, more;
    png_chunk c;
    while ((more = png_chunks_next(&r, &c)) == 1) {
        int kind = chunk_kind(c.type);
        if (previous && kind != previous)
            done[previous] = 1; /* its run has ended */
        previous = kind;
        if (!kind)
            continue;
        if (done[kind])
            return SHROUD_ERR_IMAGE; /* a second run of the same kind */
        if (c.length > EMBED_MAX_PAYLOAD - total[kind])
            return SHROUD_ERR_IMAGE_LIMIT;
        total[kind] += c.length;
        if ((err = image_embedded_add_range(out, &cap, c.offset, c.size, kind)) != SHROUD_OK)
            return err;
    }
    if (more < 0)
        return more;
    for (size_t i = 0; i < out->ranges_len; i++) {
        const embed_range *e = &out->ranges[i];
        uint8_t **p = &out->payload[e->kind];
        if (!*p && !(*p = malloc(total[e->kind] ? total[e->kind] : 1)))
            return SHROUD_ERR_NOMEM;
        size_t n = e->size - PNG_CHUNK_OVERHEAD;
        memcpy(*p + out->payload_len[e->kind], buf + e->offset + 8, n);
        out->payload_len[e->kind] += n;
    }
    return SHROUD_OK;
}

static int emit_chunks(bytebuf *out, int kind, const uint8_t *payload, size_t payload_len)
{
    const char *type = kind == EMBED_RECORD ? PNG_CHUNK_RECORD : PNG_CHUNK_SIGNATURE;
    size_t off = 0;
    do {
        size_t n =
            payload_len - off < PNG_EMBED_CHUNK_MAX ? payload_len - off : PNG_EMBED_CHUNK_MAX;
        int err = png_chunk_append(out, type, payload + off, (uint32_t)n);
        if (err)
            return err;
        off += n;
    } while (off < payload_len);
    return SHROUD_OK;
}

/* Is the chunk at offset one of the ranges to remove? */
static int removed(const image_embedded *e, unsigned remove_mask, size_t offset)
{
    for (size_t i = 0; i < e->ranges_len; i++)
        if (e->ranges[i].offset == offset)
            return (remove_mask & EMBED_MASK(e->ranges[i].kind)) != 0;
    return 0;
}

static int copy_chunks(const uint8_t *buf, size_t len, const image_embedded *e,
                       unsigned remove_mask, int kind, const uint8_t *payload, size_t payload_len,
                       bytebuf *out)
{
    png_chunk_reader r;
    int err = png_chunks_begin(&r, buf, len);
    if (err)
        return err;
    if (bytebuf_write(out, buf, PNG_SIGNATURE_BYTES) != 0)
        return SHROUD_ERR_NOMEM;
    int pending = payload != NULL, more;
    png_chunk c;
    while ((more = png_chunks_next(&r, &c)) == 1) {
        if (pending && memcmp(c.type, "IDAT", 4) == 0) {
            if ((err = emit_chunks(out, kind, payload, payload_len)) != SHROUD_OK)
                return err;
            pending = 0;
        }
        if (chunk_kind(c.type) && removed(e, remove_mask, c.offset))
            continue;
        if (bytebuf_write(out, buf + c.offset, c.size) != 0)
            return SHROUD_ERR_NOMEM;
    }
    if (more < 0)
        return more;
    return pending ? SHROUD_ERR_IMAGE : SHROUD_OK; /* no IDAT at all */
}

int png_embedded_rewrite(const uint8_t *buf, size_t len, const image_embedded *e,
                         unsigned remove_mask, int kind, const uint8_t *payload, size_t payload_len,
                         bytebuf *out)
{
    if (!buf || !e || !out)
        return SHROUD_ERR_ARGUMENT;
    if (payload) {
        if (kind != EMBED_RECORD && kind != EMBED_SIGNATURE)
            return SHROUD_ERR_ARGUMENT;
        if (payload_len > EMBED_MAX_PAYLOAD)
            return SHROUD_ERR_IMAGE_LIMIT;
        if (!(remove_mask & EMBED_MASK(kind)))
            for (size_t i = 0; i < e->ranges_len; i++)
                if (e->ranges[i].kind == kind)
                    return SHROUD_ERR_ARGUMENT; /* would make a second run */
    }
    size_t start = out->len;
    int err = copy_chunks(buf, len, e, remove_mask, kind, payload, payload_len, out);
    if (err && out->len > start) {
        out->len = start;
        out->data[start] = 0;
    }
    return err;
}
