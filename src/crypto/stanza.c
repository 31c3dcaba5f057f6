/* stanza.c — wrapping and unwrapping the file key for each recipient kind. */
#include <string.h>

#include "crypto/bigendian.h"
#include "crypto/envelope.h"
#include "crypto/primitives.h"

static const uint8_t zero_nonce[GCM_NONCE_BYTES];

/* Each wrapping key is used exactly once, so a fixed zero nonce is safe. */
static int wrap(const uint8_t key[32], const uint8_t file_key[SHROUD_FILE_KEY_BYTES], uint8_t *out)
{
    return aes_gcm_seal_once(key, zero_nonce, file_key, SHROUD_FILE_KEY_BYTES, out,
                             out + SHROUD_FILE_KEY_BYTES);
}

static int unwrap(const uint8_t key[32], const uint8_t *wrapped,
                  uint8_t file_key[SHROUD_FILE_KEY_BYTES])
{
    return aes_gcm_open_once(key, zero_nonce, wrapped, SHROUD_FILE_KEY_BYTES,
                             wrapped + SHROUD_FILE_KEY_BYTES, file_key);
}

/* ---- X25519 ---- */

/* wrap key = HKDF-SHA256(shared, salt = ephemeral share || recipient, info). */
static int x25519_wrap_key(const uint8_t shared[32], const uint8_t share[32],
                           const uint8_t recipient[32], uint8_t key[32])
{
    uint8_t salt[2 * X25519_KEY_BYTES];
    memcpy(salt, share, X25519_KEY_BYTES);
    memcpy(salt + X25519_KEY_BYTES, recipient, X25519_KEY_BYTES);
    return hkdf("SHA256", shared, X25519_KEY_BYTES, salt, sizeof salt,
                (const uint8_t *)STANZA_X25519_INFO, strlen(STANZA_X25519_INFO), key, 32);
}

static int wrap_x25519(const shroud_recipient *r, const uint8_t file_key[SHROUD_FILE_KEY_BYTES],
                       stanza *out)
{
    uint8_t eph[X25519_KEY_BYTES], shared[X25519_KEY_BYTES], key[32];
    int err = prim_random(eph, sizeof eph);
    if (!err)
        err = x25519_public(eph, out->body);
    if (!err)
        err = x25519_shared(eph, r->x25519, shared);
    if (!err)
        err = x25519_wrap_key(shared, out->body, r->x25519, key);
    if (!err)
        err = wrap(key, file_key, out->body + X25519_KEY_BYTES);
    out->type = STANZA_X25519;
    out->len = STANZA_X25519_BODY;
    prim_wipe(eph, sizeof eph);
    prim_wipe(shared, sizeof shared);
    prim_wipe(key, sizeof key);
    return err;
}

static int unwrap_x25519(const stanza_view *s, const shroud_identity *id,
                         uint8_t file_key[SHROUD_FILE_KEY_BYTES])
{
    uint8_t shared[X25519_KEY_BYTES], key[32];
    int err = x25519_shared(id->x25519_secret, s->body, shared);
    if (err == SHROUD_ERR_KEY)
        err = SHROUD_ERR_HEADER; /* a low-order ephemeral share: forged stanza */
    if (!err)
        err = x25519_wrap_key(shared, s->body, id->pub.x25519, key);
    if (!err)
        err = unwrap(key, s->body + X25519_KEY_BYTES, file_key);
    if (err == SHROUD_ERR_PAYLOAD)
        err = SHROUD_ERR_NO_IDENTITY;
    prim_wipe(shared, sizeof shared);
    prim_wipe(key, sizeof key);
    return err;
}

/* ---- RSA-OAEP ---- */

static int wrap_rsa(const shroud_recipient *r, const uint8_t file_key[SHROUD_FILE_KEY_BYTES],
                    stanza *out)
{
    size_t len = 0;
    int err = rsa_oaep_encrypt(r->rsa, (const uint8_t *)STANZA_RSA_LABEL, strlen(STANZA_RSA_LABEL),
                               file_key, SHROUD_FILE_KEY_BYTES, out->body, sizeof out->body, &len);
    out->type = STANZA_RSA_OAEP;
    out->len = (uint16_t)len;
    return err;
}

static int unwrap_rsa(const stanza_view *s, const shroud_identity *id,
                      uint8_t file_key[SHROUD_FILE_KEY_BYTES])
{
    if ((size_t)EVP_PKEY_get_size(id->pub.rsa) != s->len)
        return SHROUD_ERR_NO_IDENTITY;
    size_t len = 0;
    int err =
        rsa_oaep_decrypt(id->pub.rsa, (const uint8_t *)STANZA_RSA_LABEL, strlen(STANZA_RSA_LABEL),
                         s->body, s->len, file_key, SHROUD_FILE_KEY_BYTES, &len);
    if (err == SHROUD_OK && len != SHROUD_FILE_KEY_BYTES)
        err = SHROUD_ERR_HEADER;
    if (err == SHROUD_ERR_KEY)
        err = SHROUD_ERR_NO_IDENTITY;
    if (err)
        prim_wipe(file_key, SHROUD_FILE_KEY_BYTES);
    return err;
}

int stanza_wrap_recipient(const shroud_recipient *r, const uint8_t file_key[SHROUD_FILE_KEY_BYTES],
                          stanza *out)
{
    switch (r->kind) {
    case SHROUD_KEY_NATIVE:
        return wrap_x25519(r, file_key, out);
    case SHROUD_KEY_RSA:
        return wrap_rsa(r, file_key, out);
    }
    return SHROUD_ERR_ARGUMENT;
}

int stanza_unwrap_identity(const stanza_view *s, const shroud_identity *id,
                           uint8_t file_key[SHROUD_FILE_KEY_BYTES])
{
    if (s->type == STANZA_X25519 && id->kind == SHROUD_KEY_NATIVE)
        return unwrap_x25519(s, id, file_key);
    if (s->type == STANZA_RSA_OAEP && id->kind == SHROUD_KEY_RSA)
        return unwrap_rsa(s, id, file_key);
    return SHROUD_ERR_NO_IDENTITY;
}

/* ---- passphrases ---- */

/* salt for the KDF = label || the stanza's random salt (domain separation). */
static void labelled_salt(const char *label, const uint8_t *salt, uint8_t *out, size_t *out_len)
{
    size_t n = strlen(label);
    memcpy(out, label, n);
    memcpy(out + n, salt, STANZA_SALT_BYTES);
    *out_len = n + STANZA_SALT_BYTES;
}

static int scrypt_key(const char *pass, size_t pass_len, const uint8_t *salt, int log_n,
                      uint8_t key[32])
{
    uint8_t full[64];
    size_t full_len;
    labelled_salt(STANZA_SCRYPT_LABEL, salt, full, &full_len);
    return scrypt_kdf((const uint8_t *)pass, pass_len, full, full_len, UINT64_C(1) << log_n,
                      STANZA_SCRYPT_R, STANZA_SCRYPT_P, key, 32);
}

static int pbkdf2_key(const char *pass, size_t pass_len, const uint8_t *salt, uint32_t iterations,
                      uint8_t key[32])
{
    uint8_t full[64];
    size_t full_len;
    labelled_salt(STANZA_PBKDF2_LABEL, salt, full, &full_len);
    return pbkdf2_sha256((const uint8_t *)pass, pass_len, full, full_len, iterations, key, 32);
}

static int pass_ok(const char *pass, size_t pass_len)
{
    return pass && pass_len > 0 && pass_len <= SHROUD_PASSPHRASE_MAX;
}

int stanza_wrap_scrypt(const char *pass, size_t pass_len, int log_n,
                       const uint8_t file_key[SHROUD_FILE_KEY_BYTES], stanza *out)
{
    if (!pass_ok(pass, pass_len))
        return SHROUD_ERR_ARGUMENT;
    if (log_n < SHROUD_SCRYPT_MIN_LOG_N || log_n > SHROUD_SCRYPT_MAX_LOG_N)
        return SHROUD_ERR_WORK_FACTOR;
    uint8_t key[32];
    uint8_t *salt = out->body;
    int err = prim_random(salt, STANZA_SALT_BYTES);
    out->body[STANZA_SALT_BYTES] = (uint8_t)log_n;
    if (!err)
        err = scrypt_key(pass, pass_len, salt, log_n, key);
    if (!err)
        err = wrap(key, file_key, out->body + STANZA_SALT_BYTES + 1);
    out->type = STANZA_SCRYPT;
    out->len = STANZA_SCRYPT_BODY;
    prim_wipe(key, sizeof key);
    return err;
}

int stanza_wrap_pbkdf2(const char *pass, size_t pass_len, uint32_t iterations,
                       const uint8_t file_key[SHROUD_FILE_KEY_BYTES], stanza *out)
{
    if (!pass_ok(pass, pass_len))
        return SHROUD_ERR_ARGUMENT;
    if (iterations < SHROUD_PBKDF2_MIN_ITERATIONS || iterations > SHROUD_PBKDF2_MAX_ITERATIONS)
        return SHROUD_ERR_WORK_FACTOR;
    uint8_t key[32];
    uint8_t *salt = out->body;
    int err = prim_random(salt, STANZA_SALT_BYTES);
    store_be32(out->body + STANZA_SALT_BYTES, iterations);
    if (!err)
        err = pbkdf2_key(pass, pass_len, salt, iterations, key);
    if (!err)
        err = wrap(key, file_key, out->body + STANZA_SALT_BYTES + 4);
    out->type = STANZA_PBKDF2;
    out->len = STANZA_PBKDF2_BODY;
    prim_wipe(key, sizeof key);
    return err;
}

int stanza_unwrap_passphrase(const stanza_view *s, const char *pass, size_t pass_len,
                             uint8_t file_key[SHROUD_FILE_KEY_BYTES])
{
    if (!pass_ok(pass, pass_len))
        return SHROUD_ERR_PASSPHRASE;
    uint8_t key[32];
    int err;
    const uint8_t *wrapped;
    if (s->type == STANZA_SCRYPT) {
        int log_n = s->body[STANZA_SALT_BYTES];
        if (log_n < SHROUD_SCRYPT_MIN_LOG_N || log_n > SHROUD_SCRYPT_MAX_LOG_N)
            return SHROUD_ERR_WORK_FACTOR;
        err = scrypt_key(pass, pass_len, s->body, log_n, key);
        wrapped = s->body + STANZA_SALT_BYTES + 1;
    } else if (s->type == STANZA_PBKDF2) {
        uint32_t iterations = load_be32(s->body + STANZA_SALT_BYTES);
        if (iterations < SHROUD_PBKDF2_MIN_ITERATIONS || iterations > SHROUD_PBKDF2_MAX_ITERATIONS)
            return SHROUD_ERR_WORK_FACTOR;
        err = pbkdf2_key(pass, pass_len, s->body, iterations, key);
        wrapped = s->body + STANZA_SALT_BYTES + 4;
    } else {
        return SHROUD_ERR_ARGUMENT;
    }
    if (!err)
        err = unwrap(key, wrapped, file_key);
    if (err == SHROUD_ERR_PAYLOAD)
        err = SHROUD_ERR_PASSPHRASE;
    prim_wipe(key, sizeof key);
    return err;
}
