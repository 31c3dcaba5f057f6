/*
 * fuzz_keys.c — key text parsers on arbitrary text:
 *   shroud_recipient_parse, shroud_identity_parse (its passphrase callback
 *   always says "none", so protected identities stop before the KDF), and
 *   bech32_decode under both key prefixes and a one-letter prefix.
 *
 * Checked beyond "no crash": what parses formats and parses back to the same
 * key (same key id), an identity's serialization parses back to the same
 * public key, and bech32_decode writes no more than it was asked for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bech32.h"
#include "crypto/keys.h"
#include "fuzz_util.h"

static void key_id(const shroud_recipient *r, uint8_t id[SHROUD_KEY_ID_BYTES])
{
    FUZZ_CHECK(shroud_recipient_key_id(r, id) == SHROUD_OK);
}

/* Formats r and parses it back: the same key must come out. */
static void recipient_round_trip(const shroud_recipient *r)
{
    char *text = NULL;
    size_t text_len = 0;
    FUZZ_CHECK(shroud_recipient_format(r, &text, &text_len) == SHROUD_OK);
    shroud_recipient *back = NULL;
    FUZZ_CHECK(shroud_recipient_parse(&back, text, text_len) == SHROUD_OK);
    FUZZ_CHECK(shroud_recipient_kind(back) == shroud_recipient_kind(r));
    uint8_t a[SHROUD_KEY_ID_BYTES], b[SHROUD_KEY_ID_BYTES];
    key_id(r, a);
    key_id(back, b);
    FUZZ_CHECK(memcmp(a, b, sizeof a) == 0);
    shroud_recipient_free(back);
    shroud_free(text);
}

static void parse_recipient(const char *text, size_t len)
{
    shroud_recipient *r = NULL;
    int err = shroud_recipient_parse(&r, text, len);
    if (err == SHROUD_OK) {
        FUZZ_CHECK(r != NULL);
        int kind = shroud_recipient_kind(r);
        FUZZ_CHECK(kind == SHROUD_KEY_NATIVE || kind == SHROUD_KEY_RSA);
        recipient_round_trip(r);
        shroud_recipient *dup = NULL;
        FUZZ_CHECK(shroud_recipient_dup(r, &dup) == SHROUD_OK);
        shroud_recipient_free(dup);
    }
    shroud_recipient_free(r);
}

static void parse_identity(const char *text, size_t len)
{
    shroud_identity *id = NULL;
    int err = shroud_identity_parse(&id, text, len, fuzz_no_passphrase, NULL);
    if (err != SHROUD_OK)
        return;
    FUZZ_CHECK(id != NULL);
    shroud_recipient *pub = NULL;
    FUZZ_CHECK(shroud_identity_recipient(id, &pub) == SHROUD_OK);
    recipient_round_trip(pub);
    /* Serialize without a passphrase and parse again: same public key. The
     * RSA path goes through OpenSSL's encoder, which may refuse a mangled
     * (inconsistent) private key it decoded; that is not a shroud bug. */
    char *ser = NULL;
    size_t ser_len = 0;
    err = shroud_identity_serialize(id, NULL, 0, 0, &ser, &ser_len);
    if (shroud_identity_kind(id) == SHROUD_KEY_NATIVE)
        FUZZ_CHECK(err == SHROUD_OK);
    if (err == SHROUD_OK) {
        shroud_identity *back = NULL;
        FUZZ_CHECK(shroud_identity_parse(&back, ser, ser_len, fuzz_no_passphrase, NULL) ==
                   SHROUD_OK);
        shroud_recipient *pub2 = NULL;
        FUZZ_CHECK(shroud_identity_recipient(back, &pub2) == SHROUD_OK);
        uint8_t a[SHROUD_KEY_ID_BYTES], b[SHROUD_KEY_ID_BYTES];
        key_id(pub, a);
        key_id(pub2, b);
        FUZZ_CHECK(memcmp(a, b, sizeof a) == 0);
        shroud_recipient_free(pub2);
        shroud_identity_free(back);
        shroud_free_secret(ser, ser_len);
    }
    shroud_recipient_free(pub);
    shroud_identity_free(id);
}

/* bech32_decode into a buffer of exactly `want` bytes (ASan checks it). */
static void decode_bech32(const char *hrp, const char *text, size_t len, size_t want)
{
    uint8_t *out = malloc(want ? want : 1);
    FUZZ_CHECK(out != NULL);
    int err = bech32_decode(hrp, text, len, out, want);
    FUZZ_CHECK(err == SHROUD_OK || err == SHROUD_ERR_KEY || err == SHROUD_ERR_KEY_CHECKSUM);
    if (err == SHROUD_OK && want <= 256) {
        /* Encoding the result gives the same text up to case. */
        char enc[BECH32_MAX_TEXT + 1];
        FUZZ_CHECK(bech32_encode(hrp, out, want, 0, enc, sizeof enc) == SHROUD_OK);
        FUZZ_CHECK(strlen(enc) == len);
        for (size_t i = 0; i < len; i++)
            FUZZ_CHECK(enc[i] == text[i] || enc[i] == text[i] + ('a' - 'A'));
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    char *text = fuzz_copy(data, len);
    parse_recipient(text, len);
    parse_identity(text, len);
    decode_bech32(PUBLIC_KEY_HRP, text, len, NATIVE_PUBLIC_BYTES);
    decode_bech32(SECRET_KEY_HRP, text, len, NATIVE_SECRET_BYTES);
    /* A one-letter prefix, asking for exactly as many bytes as the text holds. */
    if (len >= 8)
        decode_bech32("a", text, len, (len - 8) * 5 / 8);
    free(text);
    return 0;
}
