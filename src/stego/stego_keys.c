/* stego_keys.c — where the hidden stream's keys come from. */
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "crypto/primitives.h"
#include "stego/stego_format.h"

int stego_salt_key(uint8_t key[KEYSTREAM_KEY_BYTES])
{
    return sha256((const uint8_t *)STEGO_SALT_KEY_INFO, strlen(STEGO_SALT_KEY_INFO), key);
}

static int keys_from_seed(const uint8_t seed[32], stego_keys *keys)
{
    int err = hkdf_expand("SHA256", seed, 32, (const uint8_t *)STEGO_POSITIONS_INFO,
                          strlen(STEGO_POSITIONS_INFO), keys->positions, sizeof keys->positions);
    if (!err)
        err = hkdf_expand("SHA256", seed, 32, (const uint8_t *)STEGO_STREAM_INFO,
                          strlen(STEGO_STREAM_INFO), keys->stream, sizeof keys->stream);
    return err;
}

int stego_keys_from_passphrase(const char *pass, size_t pass_len,
                               const uint8_t salt[STEGO_SALT_BYTES], stego_keys *keys)
{
    uint8_t s[sizeof STEGO_SCRYPT_LABEL - 1 + STEGO_SALT_BYTES];
    memcpy(s, STEGO_SCRYPT_LABEL, sizeof STEGO_SCRYPT_LABEL - 1);
    memcpy(s + sizeof STEGO_SCRYPT_LABEL - 1, salt, STEGO_SALT_BYTES);
    uint8_t seed[32];
    int err = scrypt_kdf((const uint8_t *)pass, pass_len, s, sizeof s,
                         (uint64_t)1 << SHROUD_STEGO_SCRYPT_LOG_N, STEGO_SCRYPT_R, STEGO_SCRYPT_P,
                         seed, sizeof seed);
    if (!err)
        err = keys_from_seed(seed, keys);
    prim_wipe(seed, sizeof seed);
    return err;
}

int stego_keys_from_recipient(const shroud_recipient *r, stego_keys *keys)
{
    uint8_t *pub = NULL, seed[32];
    size_t pub_len = 0;
    int err = recipient_canonical_bytes(r, &pub, &pub_len);
    if (err)
        return err;
    err = hkdf("SHA256", pub, pub_len, NULL, 0, (const uint8_t *)STEGO_RECIPIENT_INFO,
               strlen(STEGO_RECIPIENT_INFO), seed, sizeof seed);
    free(pub);
    if (!err)
        err = keys_from_seed(seed, keys);
    prim_wipe(seed, sizeof seed);
    return err;
}
