/*
 * embedded_jpeg.c — shroud's APP11 blocks in a JPEG file: finding them and
 * splicing them in or out at the byte level (see embedded.h for the layout).
 *
 * Only the stretch from SOI to the first SOS is looked at. An APP11 segment
 * is shroud's when its data starts with "shroud" and a NUL; any other APP11
 * (JPEG XT, C2PA JUMBF) is someone else's and is left alone.
 */
#include "image/embedded.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/bigendian.h"
#include "image/jpeg_segments.h"
#include "shroud.h"

#define IDENT_BYTES 7 /* "shroud" and its NUL */
#define N_KINDS 3     /* payload[] is indexed by kind: 1, 2 */

static int is_shroud_segment(const jpeg_segment *s)
{
    return s->marker == JPEG_MARKER_APP11 && s->length >= IDENT_BYTES &&
           memcmp(s->data, JPEG_EMBED_IDENT, IDENT_BYTES) == 0;
}

static int is_appn_or_com(uint8_t marker)
{
    return (marker >= JPEG_MARKER_APP0 && marker <= JPEG_MARKER_APP0 + 15) ||
           marker == JPEG_MARKER_COM;
}

/* Per kind: where the sequence stands while walking. */
typedef struct {
    int started, complete;
    uint32_t next, count;
    size_t total;
} kind_state;

/* Checks one block against its kind's sequence; SHROUD_ERR_IMAGE when it
 * is out of order, repeated, of an unknown kind or too short. */
static int take_block(const jpeg_segment *s, kind_state *ks, uint8_t *kind_out)
{
    if (s->length < JPEG_EMBED_HEADER_BYTES)
        return SHROUD_ERR_IMAGE;
    uint8_t kind = s->data[IDENT_BYTES];
    uint32_t seq = load_be16(s->data + IDENT_BYTES + 1),
             count = load_be16(s->data + IDENT_BYTES + 3);
    if (kind != EMBED_RECORD && kind != EMBED_SIGNATURE)
        return SHROUD_ERR_IMAGE;
    kind_state *k = &ks[kind];
    if (k->complete)
        return SHROUD_ERR_IMAGE; /* a second sequence of the same kind */
    if (!k->started) {
        if (seq != 0 || count == 0)
            return SHROUD_ERR_IMAGE;
        k->started = 1;
        k->count = count;
    } else if (seq != k->next || count != k->count) {
        return SHROUD_ERR_IMAGE;
    }
    k->next = seq + 1;
    k->complete = k->next == k->count;
    size_t data = s->length - JPEG_EMBED_HEADER_BYTES;
    if (data > EMBED_MAX_PAYLOAD - k->total)
        return SHROUD_ERR_IMAGE_LIMIT;
    k->total += data;
    *kind_out = kind;
    return SHROUD_OK;
}

/* Concatenates each kind's block data into out->payload[kind]. */
static int gather_payloads(const uint8_t *buf, const kind_state *ks, image_embedded *out)
{
    for (int kind = EMBED_RECORD; kind <= EMBED_SIGNATURE; kind++) {
        if (!ks[kind].started)
            continue;
        out->payload[kind] = malloc(ks[kind].total ? ks[kind].total : 1);
        if (!out->payload[kind])
            return SHROUD_ERR_NOMEM;
    }
    for (size_t i = 0; i < out->ranges_len; i++) {
        const embed_range *r = &out->ranges[i];
        size_t head = 4 + JPEG_EMBED_HEADER_BYTES, n = r->size - head;
        memcpy(out->payload[r->kind] + out->payload_len[r->kind], buf + r->offset + head, n);
        out->payload_len[r->kind] += n;
    }
    return SHROUD_OK;
}

int jpeg_embedded_find(const uint8_t *buf, size_t len, image_embedded *out)
{
    if (!out)
        return SHROUD_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->format = IMAGE_FORMAT_JPEG;
    jpeg_segment_reader r;
    int err = jpeg_segments_begin(&r, buf, len);
    if (err)
        return err;
    kind_state ks[N_KINDS];
    memset(ks, 0, sizeof ks);
    size_t cap = 0;
    jpeg_segment s;
    int more;
    while ((more = jpeg_segments_next(&r, &s)) == 1) {
        if (!is_shroud_segment(&s))
            continue;
        uint8_t kind = 0;
        if ((err = take_block(&s, ks, &kind)) != SHROUD_OK)
            return err;
        if ((err = image_embedded_add_range(out, &cap, s.offset, s.size, kind)) != SHROUD_OK)
            return err;
    }
    if (more < 0)
        return more;
    for (int kind = EMBED_RECORD; kind <= EMBED_SIGNATURE; kind++)
        if (ks[kind].started && !ks[kind].complete)
            return SHROUD_ERR_IMAGE; /* the last blocks of a sequence are missing */
    return gather_payloads(buf, ks, out);
}

/* Offset where new blocks go: the end of the APPn/COM run that follows SOI
 * (2, right after SOI, when there is none). */
static int insertion_point(const uint8_t *buf, size_t len, size_t *at)
{
    jpeg_segment_reader r;
    int err = jpeg_segments_begin(&r, buf, len);
    if (err)
        return err;
    *at = 2;
    jpeg_segment s;
    int more;
    while ((more = jpeg_segments_next(&r, &s)) == 1 && is_appn_or_com(s.marker))
        *at = s.offset + s.size;
    return more < 0 ? more : SHROUD_OK;
}

static int emit_blocks(bytebuf *out, int kind, const uint8_t *payload, size_t payload_len)
{
    size_t n = payload_len ? (payload_len + JPEG_EMBED_DATA_MAX - 1) / JPEG_EMBED_DATA_MAX : 1;
    if (n > 0xFFFF)
        return SHROUD_ERR_IMAGE_LIMIT;
    for (size_t i = 0; i < n; i++) {
        size_t off = i * JPEG_EMBED_DATA_MAX;
        size_t chunk =
            payload_len - off < JPEG_EMBED_DATA_MAX ? payload_len - off : JPEG_EMBED_DATA_MAX;
        size_t field = 2 + JPEG_EMBED_HEADER_BYTES + chunk;
        uint8_t head[4 + JPEG_EMBED_HEADER_BYTES] = {
            0xFF,
            JPEG_MARKER_APP11,
            (uint8_t)(field >> 8),
            (uint8_t)field,
            's',
            'h',
            'r',
            'o',
            'u',
            'd',
            0,
            (uint8_t)kind,
            (uint8_t)(i >> 8),
            (uint8_t)i,
            (uint8_t)(n >> 8),
            (uint8_t)n,
        };
        if (bytebuf_write(out, head, sizeof head) != 0 ||
            bytebuf_write(out, chunk ? payload + off : NULL, chunk) != 0)
            return SHROUD_ERR_NOMEM;
    }
    return SHROUD_OK;
}

/* The ranges must be what jpeg_embedded_find returned for this buffer. */
static int ranges_valid(const uint8_t *buf, size_t len, const image_embedded *e)
{
    size_t pos = 0;
    for (size_t i = 0; i < e->ranges_len; i++) {
        const embed_range *r = &e->ranges[i];
        if (r->offset < pos || r->offset > len || r->size > len - r->offset ||
            r->size < 4 + JPEG_EMBED_HEADER_BYTES || buf[r->offset] != 0xFF ||
            buf[r->offset + 1] != JPEG_MARKER_APP11)
            return 0;
        pos = r->offset + r->size;
    }
    return 1;
}

static int splice(const uint8_t *buf, size_t len, const image_embedded *e, unsigned remove_mask,
                  int kind, const uint8_t *payload, size_t payload_len, size_t at, bytebuf *out)
{
    size_t pos = 0;
    int pending = payload != NULL, err;
    for (size_t i = 0; i < e->ranges_len; i++) {
        const embed_range *r = &e->ranges[i];
        if (!(remove_mask & EMBED_MASK(r->kind)))
            continue;
        if (pending && at <= r->offset) {
            if (bytebuf_write(out, buf + pos, at - pos) != 0)
                return SHROUD_ERR_NOMEM;
            if ((err = emit_blocks(out, kind, payload, payload_len)) != SHROUD_OK)
                return err;
            pos = at;
            pending = 0;
        }
        if (bytebuf_write(out, buf + pos, r->offset - pos) != 0)
            return SHROUD_ERR_NOMEM;
        pos = r->offset + r->size;
    }
    if (pending) { /* at is never inside a range, so here at >= pos */
        if (bytebuf_write(out, buf + pos, at - pos) != 0)
            return SHROUD_ERR_NOMEM;
        if ((err = emit_blocks(out, kind, payload, payload_len)) != SHROUD_OK)
            return err;
        pos = at;
    }
    return bytebuf_write(out, buf + pos, len - pos) != 0 ? SHROUD_ERR_NOMEM : SHROUD_OK;
}

int jpeg_embedded_rewrite(const uint8_t *buf, size_t len, const image_embedded *e,
                          unsigned remove_mask, int kind, const uint8_t *payload,
                          size_t payload_len, bytebuf *out)
{
    if (!buf || !e || !out || !ranges_valid(buf, len, e))
        return SHROUD_ERR_ARGUMENT;
    if (payload) {
        if (kind != EMBED_RECORD && kind != EMBED_SIGNATURE)
            return SHROUD_ERR_ARGUMENT;
        if (payload_len > EMBED_MAX_PAYLOAD)
            return SHROUD_ERR_IMAGE_LIMIT;
        /* Blocks of the kind that stay would make a second sequence. */
        if (!(remove_mask & EMBED_MASK(kind)))
            for (size_t i = 0; i < e->ranges_len; i++)
                if (e->ranges[i].kind == kind)
                    return SHROUD_ERR_ARGUMENT;
    }
    size_t at = 0;
    int err = insertion_point(buf, len, &at);
    if (err)
        return err;
    size_t start = out->len;
    err = splice(buf, len, e, remove_mask, kind, payload, payload_len, at, out);
    if (err && out->len > start) {
        out->len = start;
        out->data[start] = 0;
    }
    return err;
}
