/*
 * fuzz_envelope_header.c — envelope_header_parse on arbitrary bytes (the
 * header as it follows the magic).
 *
 * Invariants checked:
 *  - SHROUD_OK: 1 <= count <= 64, h.size <= len, every stanza body lies inside
 *    the header before the MAC, the MAC is the last 32 bytes of the header,
 *    stanzas are contiguous, and a passphrase stanza stands alone;
 *  - SHROUD_ERR_TRUNCATED: needed > len (the streaming opener relies on it);
 *  - prefix stability, which the streaming opener relies on as well: a parse
 *    of exactly h.size bytes gives the same header, and a parse of fewer
 *    bytes reports TRUNCATED with needed <= h.size;
 *  - round trip: a parsed header re-encoded under some file key parses to the
 *    same stanzas and its MAC checks under that key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/envelope.h"
#include "fuzz_util.h"

static void check_ok(const uint8_t *buf, size_t len, const envelope_header *h)
{
    FUZZ_CHECK(h->count >= 1 && h->count <= ENVELOPE_MAX_STANZAS);
    FUZZ_CHECK(h->count == buf[0]);
    FUZZ_CHECK(h->size >= 1 + ENVELOPE_MAC_BYTES && h->size <= len);
    FUZZ_CHECK(h->mac == buf + h->size - ENVELOPE_MAC_BYTES);
    size_t pos = 1;
    for (size_t i = 0; i < h->count; i++) {
        const stanza_view *s = &h->stanzas[i];
        FUZZ_CHECK(s->type == buf[pos]);
        FUZZ_CHECK(s->len == (uint16_t)(buf[pos + 1] << 8 | buf[pos + 2]));
        pos += 3;
        FUZZ_CHECK(s->body == buf + pos);
        FUZZ_CHECK(pos + s->len <= h->size - ENVELOPE_MAC_BYTES);
        pos += s->len;
        if (stanza_is_passphrase(s))
            FUZZ_CHECK(h->count == 1);
        switch (s->type) {
        case STANZA_X25519:
            FUZZ_CHECK(s->len == STANZA_X25519_BODY);
            break;
        case STANZA_SCRYPT:
            FUZZ_CHECK(s->len == STANZA_SCRYPT_BODY);
            break;
        case STANZA_PBKDF2:
            FUZZ_CHECK(s->len == STANZA_PBKDF2_BODY);
            break;
        case STANZA_RSA_OAEP:
            FUZZ_CHECK(s->len >= STANZA_RSA_MIN_BODY && s->len <= STANZA_RSA_MAX_BODY);
            break;
        default:
            FUZZ_CHECK(s->len <= ENVELOPE_MAX_STANZA_BODY);
            break;
        }
    }
    FUZZ_CHECK(pos + ENVELOPE_MAC_BYTES == h->size);
}

/* Parsing exactly h->size bytes (a fresh exact-size copy, so ASan catches
 * any read past them) must give the same header; any shorter prefix must
 * say TRUNCATED with a need no larger than the full header. */
static void check_prefixes(const uint8_t *buf, const envelope_header *h)
{
    uint8_t *exact = (uint8_t *)fuzz_copy(buf, h->size);
    envelope_header h2;
    size_t needed = 0;
    FUZZ_CHECK(envelope_header_parse(exact, h->size, &h2, &needed) == SHROUD_OK);
    FUZZ_CHECK(h2.count == h->count && h2.size == h->size);
    for (size_t i = 0; i < h->count; i++)
        FUZZ_CHECK(h2.stanzas[i].type == h->stanzas[i].type &&
                   h2.stanzas[i].len == h->stanzas[i].len &&
                   h2.stanzas[i].body - exact == h->stanzas[i].body - buf);
    free(exact);

    /* Feeding the header the way the streaming opener does: grow the buffer
     * to exactly what the parser asks for, until it succeeds. */
    size_t have = 1, steps = 0;
    for (;;) {
        FUZZ_CHECK(have <= h->size);
        uint8_t *part = (uint8_t *)fuzz_copy(buf, have);
        int err = envelope_header_parse(part, have, &h2, &needed);
        free(part);
        if (err == SHROUD_OK) {
            FUZZ_CHECK(have == h->size);
            break;
        }
        FUZZ_CHECK(err == SHROUD_ERR_TRUNCATED);
        FUZZ_CHECK(needed > have && needed <= h->size);
        have = needed;
        FUZZ_CHECK(++steps <= 2 + 2 * ENVELOPE_MAX_STANZAS);
    }
}

/* Re-encodes the parsed stanzas (when they fit the encoder's stanza type)
 * and parses the result back. */
static void check_round_trip(const envelope_header *h)
{
    static const uint8_t file_key[SHROUD_FILE_KEY_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8};
    stanza *st = calloc(h->count, sizeof *st);
    FUZZ_CHECK(st != NULL);
    for (size_t i = 0; i < h->count; i++) {
        if (h->stanzas[i].len > sizeof st[i].body) {
            free(st);
            return; /* an unknown stanza larger than any the sealer writes */
        }
        st[i].type = h->stanzas[i].type;
        st[i].len = h->stanzas[i].len;
        memcpy(st[i].body, h->stanzas[i].body, st[i].len);
    }
    uint8_t *enc = NULL;
    size_t enc_len = 0;
    FUZZ_CHECK(envelope_header_encode(st, h->count, file_key, &enc, &enc_len) == SHROUD_OK);
    FUZZ_CHECK(enc_len == h->size);
    envelope_header h2;
    size_t needed = 0;
    FUZZ_CHECK(envelope_header_parse(enc, enc_len, &h2, &needed) == SHROUD_OK);
    FUZZ_CHECK(h2.count == h->count && h2.size == h->size);
    for (size_t i = 0; i < h->count; i++)
        FUZZ_CHECK(h2.stanzas[i].type == st[i].type && h2.stanzas[i].len == st[i].len &&
                   memcmp(h2.stanzas[i].body, st[i].body, st[i].len) == 0);
    FUZZ_CHECK(envelope_header_check_mac(enc, &h2, file_key) == SHROUD_OK);
    free(enc);
    free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    envelope_header h;
    size_t needed = 0;
    int err = envelope_header_parse(data, len, &h, &needed);
    if (err == SHROUD_OK) {
        check_ok(data, len, &h);
        check_prefixes(data, &h);
        check_round_trip(&h);
    } else if (err == SHROUD_ERR_TRUNCATED) {
        FUZZ_CHECK(needed > len);
    } else {
        FUZZ_CHECK(err == SHROUD_ERR_HEADER);
    }
    return 0;
}
