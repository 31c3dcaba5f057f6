/*
 * keys.h — what identities and recipients hold (internal).
 *
 * A native key pairs an X25519 key (decryption) with an Ed25519 key
 * (signing). An RSA key is an EVP_PKEY (private for identities, public for
 * recipients).
 */
#ifndef SHROUD_CRYPTO_KEYS_H
#define SHROUD_CRYPTO_KEYS_H

#include <openssl/bio.h>
#include <openssl/evp.h>

#include "crypto/primitives.h"
#include "shroud.h"

#define NATIVE_PUBLIC_BYTES (X25519_KEY_BYTES + ED25519_PUBLIC_BYTES)
#define NATIVE_SECRET_BYTES (X25519_KEY_BYTES + ED25519_SEED_BYTES)
#define PUBLIC_KEY_HRP "shroudpk"
#define SECRET_KEY_HRP "shroud-secret-key-"

struct shroud_recipient {
    int kind; /* enum shroud_key_kind */
    uint8_t x25519[X25519_KEY_BYTES];
    uint8_t ed25519[ED25519_PUBLIC_BYTES];
    EVP_PKEY *rsa; /* public key, kind == SHROUD_KEY_RSA */
};

struct shroud_identity {
    int kind;
    uint8_t x25519_secret[X25519_KEY_BYTES];
    uint8_t ed25519_seed[ED25519_SEED_BYTES];
    shroud_recipient pub; /* the public half, kept alongside */
};

/* Fills a native identity's public half from its secrets. */
int identity_derive_public(shroud_identity *id);

/* The canonical public encoding used for key ids: the 64 raw bytes of a
 * native key, or the DER SubjectPublicKeyInfo of an RSA key. Free with free(). */
int recipient_canonical_bytes(const shroud_recipient *r, uint8_t **out, size_t *out_len);

/* 1 if needle occurs in the first len bytes of text (which need not be
 * NUL-terminated). */
int text_contains(const char *text, size_t len, const char *needle);

/* Copies a memory BIO's contents into a NUL-terminated malloc'd string
 * (free with free(), or shroud_free_secret when it holds a key). */
int bio_text(BIO *bio, char **out, size_t *out_len);

#endif
