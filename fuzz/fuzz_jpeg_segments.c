/*
 * fuzz_jpeg_segments.c — the JPEG marker-segment walker and shroud's APP11
 * blocks (jpeg_embedded_find / jpeg_embedded_rewrite) on arbitrary bytes.
 *
 * Invariants checked:
 *  - walker: segments come in file order inside the buffer, each starts with
 *    0xFF and its marker, data = offset + 4, size = 4 + length (2 for TEM);
 *    SOS is last and the walker keeps returning 0 after it; only the
 *    documented errors;
 *  - find: only the documented errors; on success the ranges are sorted,
 *    inside the buffer, whole shroud APP11 segments, and each kind's payload
 *    is the concatenation of its blocks' data;
 *  - removing every block gives a file where find sees none, of the expected
 *    length, whose SHA-256 is the digest of the input without its blocks;
 *  - re-embedding the payloads found (record, then signature) gives a file
 *    with the same payloads and the same digest without blocks; so does
 *    embedding a payload made from the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "fuzz_util.h"
#include "image/embedded.h"
#include "image/previews.h"
#include "image/jpeg_segments.h"

#define SEGMENT_HEAD (4 + JPEG_EMBED_HEADER_BYTES)

static void check_walk(const uint8_t *buf, size_t len)
{
    jpeg_segment_reader r;
    int err = jpeg_segments_begin(&r, buf, len);
    if (err) {
        FUZZ_CHECK(err == SHROUD_ERR_IMAGE_FORMAT);
        return;
    }
    size_t end = 2;
    jpeg_segment s;
    int more;
    while ((more = jpeg_segments_next(&r, &s)) == 1) {
        FUZZ_CHECK(s.offset >= end && s.offset < len && s.size <= len - s.offset);
        FUZZ_CHECK(buf[s.offset] == 0xFF && buf[s.offset + 1] == s.marker);
        /* the preview detector reads only inside the segment (ASan checks) */
        int preview = jpeg_segment_is_preview(s.marker, s.data, s.length);
        FUZZ_CHECK(preview == 0 || preview == 1);
        for (size_t i = end; i < s.offset; i++)
            FUZZ_CHECK(buf[i] == 0xFF); /* only fill bytes in between */
        if (s.size == 2) {
            FUZZ_CHECK(s.marker == 0x01 && s.length == 0);
        } else {
            FUZZ_CHECK(s.size == 4 + (size_t)s.length && s.data == buf + s.offset + 4);
            FUZZ_CHECK((uint32_t)(buf[s.offset + 2] << 8 | buf[s.offset + 3]) == s.length + 2);
        }
        FUZZ_CHECK(!(s.marker >= 0xD0 && s.marker <= 0xD9));
        end = s.offset + s.size;
        if (s.marker == JPEG_MARKER_SOS)
            FUZZ_CHECK(r.done);
    }
    FUZZ_CHECK(more == 0 || more == SHROUD_ERR_IMAGE);
    if (more == 0) {
        FUZZ_CHECK(r.done && s.marker == JPEG_MARKER_SOS);
        FUZZ_CHECK(jpeg_segments_next(&r, &s) == 0);
    }
}

static void check_found(const uint8_t *buf, size_t len, const image_embedded *e)
{
    size_t pos = 0, data[3] = {0};
    for (size_t i = 0; i < e->ranges_len; i++) {
        const embed_range *r = &e->ranges[i];
        FUZZ_CHECK(r->offset >= pos && r->offset <= len && r->size <= len - r->offset);
        FUZZ_CHECK(r->size >= SEGMENT_HEAD);
        FUZZ_CHECK(r->kind == EMBED_RECORD || r->kind == EMBED_SIGNATURE);
        const uint8_t *p = buf + r->offset;
        FUZZ_CHECK(p[0] == 0xFF && p[1] == JPEG_MARKER_APP11);
        FUZZ_CHECK((size_t)(p[2] << 8 | p[3]) + 2 == r->size);
        FUZZ_CHECK(memcmp(p + 4, JPEG_EMBED_IDENT, 7) == 0 && p[11] == r->kind);
        FUZZ_CHECK(e->payload[r->kind] != NULL);
        size_t n = r->size - SEGMENT_HEAD;
        FUZZ_CHECK(data[r->kind] + n <= e->payload_len[r->kind]);
        FUZZ_CHECK(memcmp(e->payload[r->kind] + data[r->kind], p + SEGMENT_HEAD, n) == 0);
        data[r->kind] += n;
        pos = r->offset + r->size;
    }
    for (int k = EMBED_RECORD; k <= EMBED_SIGNATURE; k++)
        FUZZ_CHECK(data[k] == e->payload_len[k]);
}

static void digest_of(const uint8_t *buf, size_t len, const image_embedded *e, uint8_t d[32])
{
    FUZZ_CHECK(image_embedded_digest(buf, len, e, EMBED_ALL, d) == SHROUD_OK);
}

/* Embeds payload as kind into buf (removing that kind first) and checks
 * the result: the payload found, the other kind's unchanged, same digest. */
static void check_embed(const uint8_t *buf, size_t len, const image_embedded *e, int kind,
                        const uint8_t *payload, size_t payload_len, const uint8_t want_digest[32])
{
    bytebuf out = {0};
    int err =
        jpeg_embedded_rewrite(buf, len, e, EMBED_MASK(kind), kind, payload, payload_len, &out);
    FUZZ_CHECK(err == SHROUD_OK);
    image_embedded f;
    FUZZ_CHECK(image_embedded_find(out.data, out.len, &f) == SHROUD_OK);
    FUZZ_CHECK(f.payload[kind] && f.payload_len[kind] == payload_len);
    FUZZ_CHECK(payload_len == 0 || memcmp(f.payload[kind], payload, payload_len) == 0);
    int other = kind == EMBED_RECORD ? EMBED_SIGNATURE : EMBED_RECORD;
    FUZZ_CHECK(f.payload_len[other] == e->payload_len[other]);
    FUZZ_CHECK((f.payload[other] == NULL) == (e->payload[other] == NULL));
    FUZZ_CHECK(e->payload_len[other] == 0 ||
               memcmp(f.payload[other], e->payload[other], e->payload_len[other]) == 0);
    uint8_t d[32];
    digest_of(out.data, out.len, &f, d);
    FUZZ_CHECK(memcmp(d, want_digest, 32) == 0);
    image_embedded_free(&f);
    free(out.data);
}

static void check_embedded(const uint8_t *buf, size_t len)
{
    image_embedded e;
    memset(&e, 0, sizeof e);
    int err = jpeg_embedded_find(buf, len, &e);
    FUZZ_CHECK(err == SHROUD_OK || err == SHROUD_ERR_IMAGE || err == SHROUD_ERR_IMAGE_FORMAT ||
               err == SHROUD_ERR_IMAGE_LIMIT);
    if (err) {
        image_embedded_free(&e);
        return;
    }
    check_found(buf, len, &e);
    uint8_t want[32];
    digest_of(buf, len, &e, want);

    /* Remove everything. */
    bytebuf bare = {0};
    FUZZ_CHECK(jpeg_embedded_rewrite(buf, len, &e, EMBED_ALL, 0, NULL, 0, &bare) == SHROUD_OK);
    size_t removed = 0;
    for (size_t i = 0; i < e.ranges_len; i++)
        removed += e.ranges[i].size;
    FUZZ_CHECK(bare.len == len - removed);
    image_embedded b;
    FUZZ_CHECK(jpeg_embedded_find(bare.data, bare.len, &b) == SHROUD_OK);
    FUZZ_CHECK(b.ranges_len == 0 && !b.payload[EMBED_RECORD] && !b.payload[EMBED_SIGNATURE]);
    uint8_t d[32];
    SHA256(bare.data ? bare.data : (const uint8_t *)"", bare.len, d);
    FUZZ_CHECK(memcmp(d, want, 32) == 0);

    /* Put the payloads found back into the bare file, one kind at a time. */
    bytebuf one = {0}, two = {0};
    const uint8_t *cur = bare.data;
    size_t cur_len = bare.len;
    if (e.payload[EMBED_RECORD]) {
        FUZZ_CHECK(jpeg_embedded_rewrite(cur, cur_len, &b, 0, EMBED_RECORD, e.payload[EMBED_RECORD],
                                         e.payload_len[EMBED_RECORD], &one) == SHROUD_OK);
        cur = one.data;
        cur_len = one.len;
    }
    if (e.payload[EMBED_SIGNATURE]) {
        image_embedded c;
        FUZZ_CHECK(jpeg_embedded_find(cur, cur_len, &c) == SHROUD_OK);
        FUZZ_CHECK(jpeg_embedded_rewrite(cur, cur_len, &c, 0, EMBED_SIGNATURE,
                                         e.payload[EMBED_SIGNATURE], e.payload_len[EMBED_SIGNATURE],
                                         &two) == SHROUD_OK);
        image_embedded_free(&c);
        cur = two.data;
        cur_len = two.len;
    }
    image_embedded again;
    FUZZ_CHECK(jpeg_embedded_find(cur, cur_len, &again) == SHROUD_OK);
    for (int k = EMBED_RECORD; k <= EMBED_SIGNATURE; k++) {
        FUZZ_CHECK((again.payload[k] == NULL) == (e.payload[k] == NULL));
        FUZZ_CHECK(again.payload_len[k] == e.payload_len[k]);
        FUZZ_CHECK(e.payload_len[k] == 0 ||
                   memcmp(again.payload[k], e.payload[k], e.payload_len[k]) == 0);
    }
    digest_of(cur, cur_len, &again, d);
    FUZZ_CHECK(memcmp(d, want, 32) == 0);
    image_embedded_free(&again);

    /* A fresh payload (the input itself, capped) replacing one kind. */
    size_t n = len < 3 * JPEG_EMBED_DATA_MAX ? len : 3 * JPEG_EMBED_DATA_MAX;
    check_embed(buf, len, &e, len % 2 ? EMBED_RECORD : EMBED_SIGNATURE, buf, n, want);

    free(one.data);
    free(two.data);
    free(bare.data);
    image_embedded_free(&b);
    image_embedded_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    uint8_t *buf = (uint8_t *)fuzz_copy(data, len);
    check_walk(buf, len);
    check_embedded(buf, len);
    free(buf);
    return 0;
}
