/* image_signature.c — sign and verify PNG/JPEG files in place. */
#include "redact/image_signature.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/bytebuf.h"
#include "image/embedded.h"
#include "redact/cursor.h"

int image_signature_parse(const uint8_t *buf, size_t len, image_signature *out)
{
    memset(out, 0, sizeof *out);
    cursor c = cursor_of(buf, len);
    uint16_t n;
    const uint8_t *text;
    if (take_u16(&c, &n) || n == 0 || n > IMAGE_SIGNER_MAX || take_bytes(&c, n, &text) ||
        memchr(text, 0, n))
        return SHROUD_ERR_SIGNATURE_FORMAT;
    out->signer_text = malloc((size_t)n + 1);
    if (!out->signer_text)
        return SHROUD_ERR_NOMEM;
    memcpy(out->signer_text, text, n);
    out->signer_text[n] = '\0';
    out->signer_len = n;
    if (shroud_recipient_parse(&out->signer, out->signer_text, n) != SHROUD_OK)
        return SHROUD_ERR_SIGNATURE_FORMAT;
    return signature_block_decode(c.p, c.left, &out->sig);
}

void image_signature_free(image_signature *s)
{
    if (!s)
        return;
    free(s->signer_text);
    shroud_recipient_free(s->signer);
    memset(s, 0, sizeof *s);
}

int shroud_image_sign(const uint8_t *image, size_t len, const shroud_identity *signer,
                      uint8_t **out, size_t *out_len)
{
    if (!image || !signer || !out || !out_len)
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    *out_len = 0;
    image_embedded e;
    shroud_recipient *pub = NULL;
    char *text = NULL;
    size_t text_len = 0;
    bytebuf payload = {0}, file = {0};
    uint8_t digest[SHA256_BYTES];
    signature_block sig;
    uint8_t block[SIGNATURE_BLOCK_MAX];
    size_t block_len = 0;
    int err = image_embedded_find(image, len, &e);
    if (err == SHROUD_OK)
        err = image_embedded_digest(image, len, &e, EMBED_MASK(EMBED_SIGNATURE), digest);
    if (err == SHROUD_OK)
        err = shroud_identity_recipient(signer, &pub);
    if (err == SHROUD_OK)
        err = shroud_recipient_format(pub, &text, &text_len);
    if (err == SHROUD_OK && text_len > IMAGE_SIGNER_MAX)
        err = SHROUD_ERR_KEY;
    if (err == SHROUD_OK)
        err = signature_sign_digest(signer, SIG_CONTEXT_IMAGE, digest, &sig);
    if (err == SHROUD_OK)
        err = signature_block_encode(&sig, block, sizeof block, &block_len);
    if (err == SHROUD_OK) {
        uint8_t n[2];
        store_be16(n, (uint16_t)text_len);
        if (bytebuf_write(&payload, n, 2) ||
            bytebuf_write(&payload, (const uint8_t *)text, text_len) ||
            bytebuf_write(&payload, block, block_len))
            err = SHROUD_ERR_NOMEM;
    }
    if (err == SHROUD_OK)
        err = image_embedded_rewrite(image, len, &e, EMBED_MASK(EMBED_SIGNATURE), EMBED_SIGNATURE,
                                     payload.data, payload.len, &file);
    image_embedded_free(&e);
    shroud_recipient_free(pub);
    shroud_free(text);
    free(payload.data);
    return bytebuf_finish(&file, err, out, out_len);
}

int image_signature_check_found(const uint8_t *image, size_t len, const image_embedded *e,
                                const shroud_recipient *key, image_signature *parsed)
{
    image_signature s;
    memset(&s, 0, sizeof s);
    if (parsed)
        memset(parsed, 0, sizeof *parsed);
    uint8_t digest[SHA256_BYTES];
    int err = e->payload[EMBED_SIGNATURE] ? SHROUD_OK : SHROUD_ERR_NO_SIGNATURE;
    if (err == SHROUD_OK)
        err =
            image_signature_parse(e->payload[EMBED_SIGNATURE], e->payload_len[EMBED_SIGNATURE], &s);
    if (err == SHROUD_OK)
        err = image_embedded_digest(image, len, e, EMBED_MASK(EMBED_SIGNATURE), digest);
    if (err == SHROUD_OK)
        err = signature_verify_digest(key ? key : s.signer, SIG_CONTEXT_IMAGE, digest, &s.sig);
    if (parsed && s.signer_text)
        *parsed = s;
    else
        image_signature_free(&s);
    return err;
}

int image_signature_check(const uint8_t *image, size_t len, const shroud_recipient *key,
                          image_signature *parsed)
{
    if (parsed)
        memset(parsed, 0, sizeof *parsed);
    image_embedded e;
    int err = image_embedded_find(image, len, &e);
    if (err == SHROUD_OK)
        err = image_signature_check_found(image, len, &e, key, parsed);
    image_embedded_free(&e);
    return err;
}

int shroud_image_verify(const uint8_t *image, size_t len, const shroud_recipient *key)
{
    if (!image || !key)
        return SHROUD_ERR_ARGUMENT;
    return image_signature_check(image, len, key, NULL);
}
