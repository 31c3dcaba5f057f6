/* record.c — the redaction block and sealed records: encoding and parsing. */
#include "redact/record.h"

#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <openssl/sha.h>

#include "image/deflate_literals.h"
#include "image/image_limits.h"
#include "redact/cursor.h"

#define REGION_BYTES 16

static int append(bytebuf *out, const void *p, size_t n)
{
    return bytebuf_write(out, p, n) == 0 ? SHROUD_OK : SHROUD_ERR_NOMEM;
}

int shroud_group_name_valid(const char *name)
{
    if (!name)
        return 0;
    size_t n = strlen(name);
    if (n == 0 || n > SHROUD_GROUP_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}

int regions_check(const shroud_region *regions, size_t n, uint32_t width, uint32_t height)
{
    if (n == 0 || n > SHROUD_MAX_REGIONS || !regions)
        return SHROUD_ERR_REGION;
    for (size_t i = 0; i < n; i++) {
        const shroud_region *r = &regions[i];
        if (r->w == 0 || r->h == 0 || r->x >= width || r->y >= height || r->w > width - r->x ||
            r->h > height - r->y)
            return SHROUD_ERR_REGION;
    }
    return SHROUD_OK;
}

int layout_encode(const redaction_layout *l, bytebuf *out)
{
    uint8_t head[REDACT_MAGIC_BYTES + 11];
    memcpy(head, LAYOUT_MAGIC, REDACT_MAGIC_BYTES);
    head[8] = l->format;
    store_be32(head + 9, l->width);
    store_be32(head + 13, l->height);
    head[17] = l->flags;
    head[18] = l->n_groups;
    int err = append(out, head, sizeof head);
    for (unsigned g = 0; err == SHROUD_OK && g < l->n_groups; g++) {
        const layout_group *grp = &l->groups[g];
        size_t name_len = strlen(grp->name);
        uint8_t gh[1 + SHROUD_GROUP_NAME_MAX + 3];
        gh[0] = (uint8_t)name_len;
        memcpy(gh + 1, grp->name, name_len);
        gh[1 + name_len] = grp->style;
        store_be16(gh + 2 + name_len, grp->n_regions);
        err = append(out, gh, 4 + name_len);
        for (unsigned i = 0; err == SHROUD_OK && i < grp->n_regions; i++) {
            uint8_t rb[REGION_BYTES];
            store_be32(rb, grp->regions[i].x);
            store_be32(rb + 4, grp->regions[i].y);
            store_be32(rb + 8, grp->regions[i].w);
            store_be32(rb + 12, grp->regions[i].h);
            err = append(out, rb, sizeof rb);
        }
    }
    return err;
}

int block_encode(const redaction_layout *l, const uint8_t *const *envelopes,
                 const size_t *envelope_lens, bytebuf *out)
{
    int err = layout_encode(l, out);
    for (unsigned g = 0; err == SHROUD_OK && g < l->n_groups; g++) {
        if (envelope_lens[g] == 0 || envelope_lens[g] > UINT32_MAX)
            return SHROUD_ERR_ARGUMENT;
        uint8_t len[4];
        store_be32(len, (uint32_t)envelope_lens[g]);
        err = append(out, len, sizeof len);
        if (err == SHROUD_OK)
            err = append(out, envelopes[g], envelope_lens[g]);
    }
    return err;
}

/* Reads one group's layout entry; SHROUD_ERR_RECORD when malformed. */
static int parse_group(cursor *c, const redaction_layout *l, layout_group *g)
{
    uint8_t name_len;
    const uint8_t *name;
    if (take_u8(c, &name_len) || name_len == 0 || name_len > SHROUD_GROUP_NAME_MAX ||
        take_bytes(c, name_len, &name) || memchr(name, 0, name_len)) /* a NUL would cut it */
        return SHROUD_ERR_RECORD;
    memcpy(g->name, name, name_len);
    g->name[name_len] = '\0';
    if (!shroud_group_name_valid(g->name) || take_u8(c, &g->style) ||
        g->style > SHROUD_STYLE_BLUR || take_u16(c, &g->n_regions) || g->n_regions == 0 ||
        g->n_regions > SHROUD_MAX_REGIONS || c->left / REGION_BYTES < g->n_regions)
        return SHROUD_ERR_RECORD;
    g->regions = calloc(g->n_regions, sizeof *g->regions);
    if (!g->regions)
        return SHROUD_ERR_NOMEM;
    for (unsigned i = 0; i < g->n_regions; i++) {
        shroud_region *r = &g->regions[i];
        take_u32(c, &r->x);
        take_u32(c, &r->y);
        take_u32(c, &r->w);
        take_u32(c, &r->h);
    }
    if (c->bad || regions_check(g->regions, g->n_regions, l->width, l->height) != SHROUD_OK)
        return SHROUD_ERR_RECORD;
    return SHROUD_OK;
}

int block_parse(const uint8_t *buf, size_t len, redaction_layout *out,
                uint8_t layout_digest[REDACT_DIGEST_BYTES])
{
    if (!buf || !out || !layout_digest)
        return SHROUD_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    cursor c = cursor_of(buf, len);
    const uint8_t *magic;
    if (take_bytes(&c, REDACT_MAGIC_BYTES, &magic))
        return SHROUD_ERR_RECORD;
    if (memcmp(magic, LAYOUT_MAGIC, REDACT_MAGIC_BYTES - 1) != 0)
        return SHROUD_ERR_RECORD;
    if (magic[REDACT_MAGIC_BYTES - 1] != LAYOUT_MAGIC[REDACT_MAGIC_BYTES - 1])
        return SHROUD_ERR_VERSION;
    take_u8(&c, &out->format);
    take_u32(&c, &out->width);
    take_u32(&c, &out->height);
    take_u8(&c, &out->flags);
    take_u8(&c, &out->n_groups);
    if (c.bad || (out->format != SHROUD_IMAGE_PNG && out->format != SHROUD_IMAGE_JPEG) ||
        out->width == 0 || out->height == 0 || out->width > IMAGE_MAX_DIMENSION ||
        out->height > IMAGE_MAX_DIMENSION || (out->flags & ~LAYOUT_FLAGS_KNOWN) ||
        out->n_groups == 0 || out->n_groups > SHROUD_MAX_GROUPS)
        return SHROUD_ERR_RECORD;
    for (unsigned g = 0; g < out->n_groups; g++) {
        int err = parse_group(&c, out, &out->groups[g]);
        if (err)
            return err;
        for (unsigned h = 0; h < g; h++)
            if (strcmp(out->groups[h].name, out->groups[g].name) == 0)
                return SHROUD_ERR_RECORD;
    }
    SHA256(buf, len - c.left, layout_digest);
    for (unsigned g = 0; g < out->n_groups; g++) {
        layout_group *grp = &out->groups[g];
        if (take_u32(&c, &grp->envelope_len) || grp->envelope_len == 0 ||
            take_bytes(&c, grp->envelope_len, &grp->envelope))
            return SHROUD_ERR_RECORD;
    }
    return c.left == 0 ? SHROUD_OK : SHROUD_ERR_RECORD;
}

void layout_free(redaction_layout *l)
{
    if (!l)
        return;
    for (unsigned g = 0; g < SHROUD_MAX_GROUPS; g++)
        free(l->groups[g].regions);
    memset(l, 0, sizeof *l);
}

int record_encode(const sealed_record *r, bytebuf *out)
{
    if (r->coding_len > RECORD_CODING_MAX)
        return SHROUD_ERR_ARGUMENT;
    uint8_t head[REDACT_MAGIC_BYTES + 1 + 2 * REDACT_DIGEST_BYTES + 2];
    memcpy(head, RECORD_MAGIC, REDACT_MAGIC_BYTES);
    head[8] = r->group_index;
    memcpy(head + 9, r->content_digest, REDACT_DIGEST_BYTES);
    memcpy(head + 9 + REDACT_DIGEST_BYTES, r->layout_digest, REDACT_DIGEST_BYTES);
    store_be16(head + 9 + 2 * REDACT_DIGEST_BYTES, r->coding_len);
    uint8_t raw_len[4];
    store_be32(raw_len, r->raw_len);
    int err = append(out, head, sizeof head);
    if (err == SHROUD_OK)
        err = append(out, r->coding, r->coding_len);
    if (err == SHROUD_OK)
        err = append(out, raw_len, sizeof raw_len);
    if (err == SHROUD_OK)
        err = append(out, r->data, r->data_len);
    return err;
}

int record_parse(const uint8_t *buf, size_t len, sealed_record *out)
{
    if (!buf || !out)
        return SHROUD_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    cursor c = cursor_of(buf, len);
    const uint8_t *magic;
    if (take_bytes(&c, REDACT_MAGIC_BYTES, &magic) ||
        memcmp(magic, RECORD_MAGIC, REDACT_MAGIC_BYTES) != 0)
        return SHROUD_ERR_RECORD;
    take_u8(&c, &out->group_index);
    take_copy(&c, out->content_digest, REDACT_DIGEST_BYTES);
    take_copy(&c, out->layout_digest, REDACT_DIGEST_BYTES);
    take_u16(&c, &out->coding_len);
    if (c.bad || out->coding_len > RECORD_CODING_MAX ||
        take_bytes(&c, out->coding_len, &out->coding) || take_u32(&c, &out->raw_len))
        return SHROUD_ERR_RECORD;
    out->data = c.p;
    out->data_len = c.left;
    return SHROUD_OK;
}

int record_deflate(const uint8_t *raw, size_t raw_len, int level, bytebuf *out)
{
    if (level == RECORD_DEFLATE_LITERALS) { /* straight into out, as below */
        size_t bound = deflate_literals_bound(raw_len);
        if (bytebuf_reserve(out, bound) != 0)
            return SHROUD_ERR_NOMEM;
        size_t n = deflate_literals(raw, raw_len, out->data + out->len, bound);
        if (n == 0)
            return SHROUD_ERR_NOMEM;
        bytebuf_commit(out, n);
        return SHROUD_OK;
    }
    struct libdeflate_compressor *z = libdeflate_alloc_compressor(level);
    if (!z)
        return SHROUD_ERR_NOMEM;
    /* straight into out: no other copy of the (secret) compressed data */
    size_t bound = libdeflate_deflate_compress_bound(z, raw_len);
    int err = bytebuf_reserve(out, bound) == 0 ? SHROUD_OK : SHROUD_ERR_NOMEM;
    if (err == SHROUD_OK) {
        size_t n = libdeflate_deflate_compress(z, raw, raw_len, out->data + out->len, bound);
        if (n > 0)
            bytebuf_commit(out, n);
        else
            err = SHROUD_ERR_NOMEM;
    }
    libdeflate_free_compressor(z);
    return err;
}

int record_inflate(const uint8_t *data, size_t len, size_t raw_len, uint8_t **out)
{
    *out = NULL;
    uint8_t *raw = malloc(raw_len ? raw_len : 1);
    if (!raw)
        return SHROUD_ERR_NOMEM;
    struct libdeflate_decompressor *z = libdeflate_alloc_decompressor();
    if (!z) {
        free(raw);
        return SHROUD_ERR_NOMEM;
    }
    size_t in_used = 0, got = 0;
    enum libdeflate_result res =
        libdeflate_deflate_decompress_ex(z, data, len, raw, raw_len, &in_used, &got);
    libdeflate_free_decompressor(z);
    if (res != LIBDEFLATE_SUCCESS || got != raw_len || in_used != len) {
        free(raw);
        return SHROUD_ERR_RECORD;
    }
    *out = raw;
    return SHROUD_OK;
}
