/* embedded.c — format dispatch and the digest that leaves shroud's blocks out. */
#include "image/embedded.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/primitives.h"
#include "shroud.h"

static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

int image_sniff(const uint8_t *buf, size_t len)
{
    if (!buf)
        return IMAGE_FORMAT_UNKNOWN;
    if (len >= sizeof png_magic && memcmp(buf, png_magic, sizeof png_magic) == 0)
        return IMAGE_FORMAT_PNG;
    if (len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF)
        return IMAGE_FORMAT_JPEG;
    return IMAGE_FORMAT_UNKNOWN;
}

int image_embedded_find(const uint8_t *buf, size_t len, image_embedded *out)
{
    if (!out)
        return SHROUD_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    switch (image_sniff(buf, len)) {
    case IMAGE_FORMAT_PNG:
        out->format = IMAGE_FORMAT_PNG;
        return png_embedded_find(buf, len, out);
    case IMAGE_FORMAT_JPEG:
        out->format = IMAGE_FORMAT_JPEG;
        return jpeg_embedded_find(buf, len, out);
    default:
        return SHROUD_ERR_IMAGE_FORMAT;
    }
}

void image_embedded_free(image_embedded *e)
{
    if (!e)
        return;
    for (size_t k = 0; k < sizeof e->payload / sizeof e->payload[0]; k++)
        free(e->payload[k]);
    free(e->ranges);
    memset(e, 0, sizeof *e);
}

int image_embedded_add_range(image_embedded *e, size_t *cap, size_t offset, size_t size, int kind)
{
    if (e->ranges_len == *cap) {
        size_t n = *cap ? *cap * 2 : 8;
        embed_range *p = realloc(e->ranges, n * sizeof *p);
        if (!p)
            return SHROUD_ERR_NOMEM;
        e->ranges = p;
        *cap = n;
    }
    e->ranges[e->ranges_len++] =
        (embed_range){.offset = offset, .size = size, .kind = (uint8_t)kind};
    return SHROUD_OK;
}

int image_embedded_digest(const uint8_t *buf, size_t len, const image_embedded *e,
                          unsigned kinds_mask, uint8_t digest[32])
{
    if (!buf || !e || !digest)
        return SHROUD_ERR_ARGUMENT;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md)
        return SHROUD_ERR_NOMEM;
    int ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    size_t pos = 0;
    for (size_t i = 0; ok && i < e->ranges_len; i++) {
        const embed_range *r = &e->ranges[i];
        if (!(kinds_mask & EMBED_MASK(r->kind)))
            continue;
        if (r->offset < pos || r->offset > len || r->size > len - r->offset) {
            EVP_MD_CTX_free(md);
            return SHROUD_ERR_ARGUMENT; /* ranges must be sorted and inside buf */
        }
        ok = EVP_DigestUpdate(md, buf + pos, r->offset - pos);
        pos = r->offset + r->size;
    }
    ok = ok && EVP_DigestUpdate(md, buf + pos, len - pos);
    unsigned int n = 0;
    ok = ok && EVP_DigestFinal_ex(md, digest, &n) && n == SHA256_BYTES;
    EVP_MD_CTX_free(md);
    return ok ? SHROUD_OK : SHROUD_ERR_CRYPTO;
}

int image_embedded_rewrite(const uint8_t *buf, size_t len, const image_embedded *e,
                           unsigned remove_mask, int kind, const uint8_t *payload,
                           size_t payload_len, bytebuf *out)
{
    if (!buf || !e || !out || (payload && kind != EMBED_RECORD && kind != EMBED_SIGNATURE))
        return SHROUD_ERR_ARGUMENT;
    if (payload && payload_len > EMBED_MAX_PAYLOAD)
        return SHROUD_ERR_IMAGE_LIMIT;
    /* the file plus the new blocks and their headers (one per 64 KiB at most) */
    size_t n_payload = payload ? payload_len : 0;
    if (n_payload > SIZE_MAX / 2 - len ||
        bytebuf_reserve(out, len + n_payload + n_payload / 4096 + 64) != 0)
        return SHROUD_ERR_NOMEM;
    switch (e->format) {
    case IMAGE_FORMAT_PNG:
        return png_embedded_rewrite(buf, len, e, remove_mask, kind, payload, payload_len, out);
    case IMAGE_FORMAT_JPEG:
        return jpeg_embedded_rewrite(buf, len, e, remove_mask, kind, payload, payload_len, out);
    default:
        return SHROUD_ERR_ARGUMENT;
    }
}
