/* envelope_header.c — parse, encode and authenticate the envelope header. */
#include "crypto/envelope.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"

#define STANZA_PREFIX_BYTES 3 /* type u8, length u16be */

/* The exact body size a known stanza type must have; 0 for unknown types. */
static int known_size_ok(uint8_t type, size_t len)
{
    switch (type) {
    case STANZA_X25519:
        return len == STANZA_X25519_BODY;
    case STANZA_SCRYPT:
        return len == STANZA_SCRYPT_BODY;
    case STANZA_PBKDF2:
        return len == STANZA_PBKDF2_BODY;
    case STANZA_RSA_OAEP:
        return len >= STANZA_RSA_MIN_BODY && len <= STANZA_RSA_MAX_BODY;
    default:
        return len <= ENVELOPE_MAX_STANZA_BODY;
    }
}

int stanza_is_passphrase(const stanza_view *s)
{
    return s->type == STANZA_SCRYPT || s->type == STANZA_PBKDF2;
}

int envelope_header_parse(const uint8_t *buf, size_t len, envelope_header *h, size_t *needed)
{
    if (!buf || !h || !needed)
        return SHROUD_ERR_ARGUMENT;
    memset(h, 0, sizeof *h);
    if (len < 1) {
        *needed = 1;
        return SHROUD_ERR_TRUNCATED;
    }
    size_t count = buf[0];
    if (count == 0 || count > ENVELOPE_MAX_STANZAS)
        return SHROUD_ERR_HEADER;
    size_t pos = 1;
    for (size_t i = 0; i < count; i++) {
        if (len < pos + STANZA_PREFIX_BYTES) {
            *needed = pos + STANZA_PREFIX_BYTES;
            return SHROUD_ERR_TRUNCATED;
        }
        stanza_view *s = &h->stanzas[i];
        s->type = buf[pos];
        s->len = (uint16_t)(buf[pos + 1] << 8 | buf[pos + 2]);
        if (!known_size_ok(s->type, s->len))
            return SHROUD_ERR_HEADER;
        pos += STANZA_PREFIX_BYTES;
        if (len < pos + s->len) {
            *needed = pos + s->len;
            return SHROUD_ERR_TRUNCATED;
        }
        s->body = buf + pos;
        pos += s->len;
        if (stanza_is_passphrase(s) && count != 1)
            return SHROUD_ERR_HEADER; /* a passphrase stanza stands alone */
    }
    if (len < pos + ENVELOPE_MAC_BYTES) {
        *needed = pos + ENVELOPE_MAC_BYTES;
        return SHROUD_ERR_TRUNCATED;
    }
    h->count = count;
    h->mac = buf + pos;
    h->size = pos + ENVELOPE_MAC_BYTES;
    return SHROUD_OK;
}

static int header_mac(const uint8_t *body, size_t len,
                      const uint8_t file_key[SHROUD_FILE_KEY_BYTES],
                      uint8_t mac[ENVELOPE_MAC_BYTES])
{
    uint8_t key[SHA256_BYTES];
    int err = hkdf("SHA256", file_key, SHROUD_FILE_KEY_BYTES, NULL, 0,
                   (const uint8_t *)ENVELOPE_MAC_INFO, strlen(ENVELOPE_MAC_INFO), key, sizeof key);
    uint8_t *msg = err ? NULL : malloc(ENVELOPE_MAGIC_BYTES + len);
    if (!err && !msg)
        err = SHROUD_ERR_NOMEM;
    if (!err) {
        /* The MAC always covers the magic, so both forms carry the same header. */
        memcpy(msg, ENVELOPE_MAGIC, ENVELOPE_MAGIC_BYTES);
        memcpy(msg + ENVELOPE_MAGIC_BYTES, body, len);
        err = hmac_sha256(key, sizeof key, msg, ENVELOPE_MAGIC_BYTES + len, mac);
    }
    free(msg);
    prim_wipe(key, sizeof key);
    return err;
}

int envelope_header_encode(const stanza *stanzas, size_t count,
                           const uint8_t file_key[SHROUD_FILE_KEY_BYTES], uint8_t **out,
                           size_t *out_len)
{
    if (count == 0 || count > ENVELOPE_MAX_STANZAS)
        return SHROUD_ERR_ARGUMENT;
    size_t size = 1 + ENVELOPE_MAC_BYTES;
    for (size_t i = 0; i < count; i++)
        size += STANZA_PREFIX_BYTES + stanzas[i].len;
    uint8_t *buf = malloc(size);
    if (!buf)
        return SHROUD_ERR_NOMEM;
    size_t pos = 0;
    buf[pos++] = (uint8_t)count;
    for (size_t i = 0; i < count; i++) {
        buf[pos++] = stanzas[i].type;
        buf[pos++] = (uint8_t)(stanzas[i].len >> 8);
        buf[pos++] = (uint8_t)stanzas[i].len;
        memcpy(buf + pos, stanzas[i].body, stanzas[i].len);
        pos += stanzas[i].len;
    }
    int err = header_mac(buf, pos, file_key, buf + pos);
    if (err) {
        free(buf);
        return err;
    }
    *out = buf;
    *out_len = size;
    return SHROUD_OK;
}

int envelope_header_check_mac(const uint8_t *raw, const envelope_header *h,
                              const uint8_t file_key[SHROUD_FILE_KEY_BYTES])
{
    uint8_t mac[ENVELOPE_MAC_BYTES];
    int err = header_mac(raw, h->size - ENVELOPE_MAC_BYTES, file_key, mac);
    if (err == SHROUD_OK && !prim_equal(mac, h->mac, ENVELOPE_MAC_BYTES))
        err = SHROUD_ERR_HEADER_MAC;
    return err;
}

int envelope_payload_key(const uint8_t file_key[SHROUD_FILE_KEY_BYTES], uint8_t key[32])
{
    return hkdf("SHA256", file_key, SHROUD_FILE_KEY_BYTES, NULL, 0,
                (const uint8_t *)ENVELOPE_PAYLOAD_INFO, strlen(ENVELOPE_PAYLOAD_INFO), key, 32);
}
