/*
 * fuzz_png_chunks.c — the PNG chunk walker (png_chunks_next) and shroud's
 * shRD / shSG chunks (png_embedded_find, png_embedded_rewrite,
 * image_embedded_digest) on arbitrary bytes. Each input is tried as it is
 * and, when that differs, with every CRC recomputed, so that mutations inside
 * chunks get past the CRC check.
 *
 * Invariants checked:
 *  - walker: same verdict and same number of chunks as a reference walk
 *    written here from the PNG spec (signature; length <= 2^31-1 and inside
 *    the buffer; type bytes letters; CRC; IHDR first and 13 bytes; IEND last,
 *    nothing after it); chunks contiguous from offset 8, fields consistent
 *    with the bytes; 0 again after the end; only the documented errors;
 *  - find: the reference's verdict (a kind's chunks must be one run); the
 *    ranges are exactly the shRD / shSG chunks in file order and the payloads
 *    their concatenated data;
 *  - removing every block gives the input less those chunks, byte for byte,
 *    where find sees none, whose SHA-256 is the digest without blocks;
 *  - re-inserting the payloads found puts them right before the first IDAT
 *    (the bare file's bytes around them unchanged), gives the same payloads
 *    and the same digest; with no IDAT it is SHROUD_ERR_IMAGE;
 *  - a fresh payload made from the input (at times over 1 MiB, so split)
 *    replacing one kind is found again, the other kind and digest unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <openssl/sha.h>

#include "fuzz_util.h"
#include "image/previews.h"
#include "image/embedded.h"
#include "image/png_chunks.h"

#define MIB (1024u * 1024u)

static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int letter(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int kind_of(const uint8_t *type)
{
    if (memcmp(type, "shRD", 4) == 0)
        return EMBED_RECORD;
    if (memcmp(type, "shSG", 4) == 0)
        return EMBED_SIGNATURE;
    return 0;
}

/* What the reference walk makes of a buffer. */
typedef struct {
    int err;           /* SHROUD_OK, SHROUD_ERR_IMAGE_FORMAT or SHROUD_ERR_IMAGE */
    size_t count;      /* chunks a walker returns before its verdict */
    int second_run;    /* a kind's chunks are not consecutive (among those) */
    size_t first_idat; /* offset, or SIZE_MAX */
} reference;

static reference ref_walk(const uint8_t *buf, size_t len)
{
    reference r = {SHROUD_ERR_IMAGE, 0, 0, SIZE_MAX};
    if (len < 8 || memcmp(buf, signature, 8) != 0) {
        r.err = SHROUD_ERR_IMAGE_FORMAT;
        return r;
    }
    int ended[3] = {0, 0, 0}, previous = 0;
    size_t pos = 8;
    for (;;) {
        if (len - pos < 12)
            return r; /* truncated, or no IEND */
        uint32_t n = be32(buf + pos);
        if (n > 0x7fffffffu || n > len - pos - 12)
            return r;
        const uint8_t *type = buf + pos + 4;
        if (!letter(type[0]) || !letter(type[1]) || !letter(type[2]) || !letter(type[3]))
            return r;
        if ((uint32_t)libdeflate_crc32(0, type, 4 + (size_t)n) != be32(buf + pos + 8 + n))
            return r;
        int ihdr = memcmp(type, "IHDR", 4) == 0;
        if ((r.count == 0) != ihdr || (ihdr && n != 13))
            return r;
        r.count++;
        int kind = kind_of(type);
        if (previous && kind != previous)
            ended[previous] = 1;
        if (kind && ended[kind])
            r.second_run = 1;
        previous = kind;
        if (memcmp(type, "IDAT", 4) == 0 && r.first_idat == SIZE_MAX)
            r.first_idat = pos;
        pos += 12 + (size_t)n;
        if (memcmp(type, "IEND", 4) == 0) {
            r.err = pos == len ? SHROUD_OK : SHROUD_ERR_IMAGE;
            return r;
        }
    }
}

static void check_walk(const uint8_t *buf, size_t len, const reference *ref)
{
    png_chunk_reader r;
    int err = png_chunks_begin(&r, buf, len);
    if (err) {
        FUZZ_CHECK(err == SHROUD_ERR_IMAGE_FORMAT && ref->err == SHROUD_ERR_IMAGE_FORMAT);
        return;
    }
    FUZZ_CHECK(ref->err != SHROUD_ERR_IMAGE_FORMAT);
    size_t end = 8, count = 0;
    png_chunk c;
    int more;
    while ((more = png_chunks_next(&r, &c)) == 1) {
        FUZZ_CHECK(c.offset == end && c.size <= len - c.offset);
        FUZZ_CHECK(c.size == 12 + (size_t)c.length && c.length == be32(buf + c.offset));
        FUZZ_CHECK(memcmp(c.type, buf + c.offset + 4, 4) == 0 && c.type[4] == '\0');
        FUZZ_CHECK(c.data == buf + c.offset + 8);
        int preview = png_chunk_is_preview(c.type, c.data, c.length); /* in bounds (ASan) */
        FUZZ_CHECK(preview == 0 || preview == 1);
        FUZZ_CHECK(count > 0 || (strcmp(c.type, "IHDR") == 0 && c.length == 13));
        end = c.offset + c.size;
        count++;
        FUZZ_CHECK(r.count == count);
    }
    FUZZ_CHECK(more == 0 || more == SHROUD_ERR_IMAGE);
    FUZZ_CHECK(more == ref->err && count == ref->count);
    if (more == 0) {
        FUZZ_CHECK(end == len && strcmp(c.type, "IEND") == 0);
        FUZZ_CHECK(png_chunks_next(&r, &c) == 0);
    }
}

static void check_found(const uint8_t *buf, size_t len, const image_embedded *e)
{
    FUZZ_CHECK(e->format == IMAGE_FORMAT_PNG);
    /* the ranges are exactly the shroud chunks, in file order */
    size_t i = 0, data[3] = {0, 0, 0};
    for (size_t pos = 8; pos < len; pos += 12 + (size_t)be32(buf + pos)) {
        int kind = kind_of(buf + pos + 4);
        if (!kind)
            continue;
        FUZZ_CHECK(i < e->ranges_len);
        const embed_range *r = &e->ranges[i++];
        size_t n = be32(buf + pos);
        FUZZ_CHECK(r->offset == pos && r->size == 12 + n && r->kind == kind);
        FUZZ_CHECK(e->payload[kind] != NULL && data[kind] + n <= e->payload_len[kind]);
        FUZZ_CHECK(n == 0 || memcmp(e->payload[kind] + data[kind], buf + pos + 8, n) == 0);
        data[kind] += n;
    }
    FUZZ_CHECK(i == e->ranges_len);
    for (int k = EMBED_RECORD; k <= EMBED_SIGNATURE; k++) {
        FUZZ_CHECK(data[k] == e->payload_len[k]);
        if (!e->payload[k])
            FUZZ_CHECK(e->payload_len[k] == 0);
    }
}

static void digest_of(const uint8_t *buf, size_t len, const image_embedded *e, uint8_t d[32])
{
    FUZZ_CHECK(image_embedded_digest(buf, len, e, EMBED_ALL, d) == SHROUD_OK);
}

static void find_ok(const uint8_t *buf, size_t len, image_embedded *e)
{
    FUZZ_CHECK(png_embedded_find(buf, len, e) == SHROUD_OK);
    check_found(buf, len, e);
}

/* Inserting payload as kind into bare (a file without blocks, found as b):
 * the chunks sit right before the first IDAT, nothing else changes. */
static void check_insert_into_bare(const uint8_t *bare, size_t bare_len, const image_embedded *b,
                                   int kind, const uint8_t *payload, size_t payload_len,
                                   size_t first_idat)
{
    bytebuf out = {0};
    int err = png_embedded_rewrite(bare, bare_len, b, 0, kind, payload, payload_len, &out);
    if (first_idat == SIZE_MAX) {
        FUZZ_CHECK(err == SHROUD_ERR_IMAGE && out.len == 0);
        free(out.data);
        return;
    }
    FUZZ_CHECK(err == SHROUD_OK);
    size_t chunks = payload_len ? (payload_len + MIB - 1) / MIB : 1;
    size_t added = payload_len + 12 * chunks;
    FUZZ_CHECK(out.len == bare_len + added);
    FUZZ_CHECK(memcmp(out.data, bare, first_idat) == 0);
    FUZZ_CHECK(memcmp(out.data + first_idat + added, bare + first_idat, bare_len - first_idat) ==
               0);
    image_embedded f;
    find_ok(out.data, out.len, &f);
    FUZZ_CHECK(f.ranges_len == chunks && f.ranges[0].offset == first_idat);
    FUZZ_CHECK(f.payload_len[kind] == payload_len && f.payload[3 - kind] == NULL);
    FUZZ_CHECK(payload_len == 0 || memcmp(f.payload[kind], payload, payload_len) == 0);
    image_embedded_free(&f);
    free(out.data);
}

static void check_embedded(const uint8_t *buf, size_t len, const reference *ref)
{
    image_embedded e;
    int err = png_embedded_find(buf, len, &e);
    int want = ref->err ? ref->err : ref->second_run ? SHROUD_ERR_IMAGE : SHROUD_OK;
    FUZZ_CHECK(err == want);
    if (err) {
        image_embedded_free(&e);
        return;
    }
    check_found(buf, len, &e);
    uint8_t want_digest[32], d[32];
    digest_of(buf, len, &e, want_digest);

    /* Remove everything: the input less the block chunks. */
    bytebuf bare = {0};
    FUZZ_CHECK(png_embedded_rewrite(buf, len, &e, EMBED_ALL, 0, NULL, 0, &bare) == SHROUD_OK);
    size_t pos = 0, at = 0;
    for (size_t i = 0; i < e.ranges_len; i++) {
        size_t n = e.ranges[i].offset - pos;
        FUZZ_CHECK(at + n <= bare.len && memcmp(bare.data + at, buf + pos, n) == 0);
        at += n;
        pos = e.ranges[i].offset + e.ranges[i].size;
    }
    FUZZ_CHECK(bare.len == at + (len - pos) && memcmp(bare.data + at, buf + pos, len - pos) == 0);
    image_embedded b;
    find_ok(bare.data, bare.len, &b);
    FUZZ_CHECK(b.ranges_len == 0 && !b.payload[EMBED_RECORD] && !b.payload[EMBED_SIGNATURE]);
    SHA256(bare.data, bare.len, d);
    FUZZ_CHECK(memcmp(d, want_digest, 32) == 0);
    reference bare_ref = ref_walk(bare.data, bare.len);
    FUZZ_CHECK(bare_ref.err == SHROUD_OK);

    /* Each kind found, alone into the bare file. */
    for (int k = EMBED_RECORD; k <= EMBED_SIGNATURE; k++)
        if (e.payload[k])
            check_insert_into_bare(bare.data, bare.len, &b, k, e.payload[k], e.payload_len[k],
                                   bare_ref.first_idat);

    /* Both back, record then signature: same payloads, same digest. */
    if (bare_ref.first_idat != SIZE_MAX) {
        bytebuf one = {0}, two = {0};
        const uint8_t *cur = bare.data;
        size_t cur_len = bare.len;
        if (e.payload[EMBED_RECORD]) {
            FUZZ_CHECK(png_embedded_rewrite(cur, cur_len, &b, 0, EMBED_RECORD,
                                            e.payload[EMBED_RECORD], e.payload_len[EMBED_RECORD],
                                            &one) == SHROUD_OK);
            cur = one.data;
            cur_len = one.len;
        }
        if (e.payload[EMBED_SIGNATURE]) {
            image_embedded c;
            find_ok(cur, cur_len, &c);
            FUZZ_CHECK(png_embedded_rewrite(cur, cur_len, &c, 0, EMBED_SIGNATURE,
                                            e.payload[EMBED_SIGNATURE],
                                            e.payload_len[EMBED_SIGNATURE], &two) == SHROUD_OK);
            image_embedded_free(&c);
            cur = two.data;
            cur_len = two.len;
        }
        image_embedded again;
        find_ok(cur, cur_len, &again);
        for (int k = EMBED_RECORD; k <= EMBED_SIGNATURE; k++) {
            FUZZ_CHECK((again.payload[k] == NULL) == (e.payload[k] == NULL));
            FUZZ_CHECK(again.payload_len[k] == e.payload_len[k]);
            FUZZ_CHECK(e.payload_len[k] == 0 ||
                       memcmp(again.payload[k], e.payload[k], e.payload_len[k]) == 0);
        }
        digest_of(cur, cur_len, &again, d);
        FUZZ_CHECK(memcmp(d, want_digest, 32) == 0);
        image_embedded_free(&again);
        free(one.data);
        free(two.data);
    }

    /* A fresh payload replacing one kind (over 1 MiB for one input in 64). */
    int kind = len % 2 ? EMBED_RECORD : EMBED_SIGNATURE, other = 3 - kind;
    size_t n = len % 64 == 0 ? MIB + len : len;
    uint8_t *payload = malloc(n ? n : 1);
    FUZZ_CHECK(payload != NULL);
    for (size_t i = 0; i < n; i++)
        payload[i] = buf[i % len];
    bytebuf out = {0};
    err = png_embedded_rewrite(buf, len, &e, EMBED_MASK(kind), kind, payload, n, &out);
    if (bare_ref.first_idat == SIZE_MAX) {
        FUZZ_CHECK(err == SHROUD_ERR_IMAGE && out.len == 0);
    } else {
        FUZZ_CHECK(err == SHROUD_OK);
        image_embedded f;
        find_ok(out.data, out.len, &f);
        FUZZ_CHECK(f.payload[kind] && f.payload_len[kind] == n);
        FUZZ_CHECK(memcmp(f.payload[kind], payload, n) == 0);
        FUZZ_CHECK(f.payload_len[other] == e.payload_len[other]);
        FUZZ_CHECK((f.payload[other] == NULL) == (e.payload[other] == NULL));
        FUZZ_CHECK(e.payload_len[other] == 0 ||
                   memcmp(f.payload[other], e.payload[other], e.payload_len[other]) == 0);
        digest_of(out.data, out.len, &f, d);
        FUZZ_CHECK(memcmp(d, want_digest, 32) == 0);
        /* the kind still there and not removed: refused, nothing written */
        bytebuf twice = {0};
        FUZZ_CHECK(png_embedded_rewrite(out.data, out.len, &f, 0, kind, payload, 1, &twice) ==
                   SHROUD_ERR_ARGUMENT);
        FUZZ_CHECK(twice.len == 0);
        free(twice.data);
        image_embedded_free(&f);
    }
    free(out.data);
    free(payload);
    image_embedded_free(&b);
    free(bare.data);
    image_embedded_free(&e);
}

/* Recomputes the CRC of every chunk whose length fits; 1 if anything changed. */
static int fix_crcs(uint8_t *buf, size_t len)
{
    int changed = 0;
    for (size_t pos = 8; len >= 12 && pos <= len - 12;) {
        uint32_t n = be32(buf + pos);
        if (n > len - pos - 12)
            break;
        uint32_t crc = (uint32_t)libdeflate_crc32(0, buf + pos + 4, 4 + (size_t)n);
        if (crc != be32(buf + pos + 8 + n)) {
            put_be32(buf + pos + 8 + n, crc);
            changed = 1;
        }
        pos += 12 + (size_t)n;
    }
    return changed;
}

static void check_all(const uint8_t *buf, size_t len)
{
    reference ref = ref_walk(buf, len);
    check_walk(buf, len, &ref);
    check_embedded(buf, len, &ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    uint8_t *buf = (uint8_t *)fuzz_copy(data, len);
    check_all(buf, len);
    if (fix_crcs(buf, len))
        check_all(buf, len);
    free(buf);
    return 0;
}
