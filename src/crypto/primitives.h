/*
 * primitives.h — thin wrappers over OpenSSL 3 for every primitive shroud uses.
 *
 * Each function returns SHROUD_OK or a negative SHROUD_ERR_* code. Fixed-size
 * inputs and outputs are arrays of named sizes; variable ones come with their
 * lengths. Nothing here allocates memory the caller must free, except the
 * aes_gcm context and EVP_PKEY handles.
 */
#ifndef SHROUD_CRYPTO_PRIMITIVES_H
#define SHROUD_CRYPTO_PRIMITIVES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "shroud.h"

#define AES256_KEY_BYTES 32
#define GCM_NONCE_BYTES 12
#define GCM_TAG_BYTES 16
#define SHA256_BYTES 32
#define SHA512_BYTES 64
#define X25519_KEY_BYTES 32
#define ED25519_SEED_BYTES 32
#define ED25519_PUBLIC_BYTES 32
#define ED25519_SIGNATURE_BYTES 64

/* Fills buf with len bytes from the system CSPRNG. */
int prim_random(uint8_t *buf, size_t len);

/* Wipes len bytes at p (not optimised away). */
void prim_wipe(void *p, size_t len);

/* Constant-time equality of two len-byte buffers: 1 if equal, else 0. */
int prim_equal(const void *a, const void *b, size_t len);

/* ---- AES-256-GCM, 96-bit nonce, 128-bit tag ---- */

/* A context with the key already expanded, for many messages under one key. */
typedef struct aes_gcm aes_gcm;

int aes_gcm_new(aes_gcm **out, const uint8_t key[AES256_KEY_BYTES]);
void aes_gcm_free(aes_gcm *g);

/* Encrypts len bytes of pt into ct (may be the same buffer) and writes the tag. */
int aes_gcm_seal(aes_gcm *g, const uint8_t nonce[GCM_NONCE_BYTES], const uint8_t *aad,
                 size_t aad_len, const uint8_t *pt, size_t len, uint8_t *ct,
                 uint8_t tag[GCM_TAG_BYTES]);

/* Decrypts and authenticates: SHROUD_OK, or SHROUD_ERR_PAYLOAD when the tag
 * does not match (pt then holds no usable data). ct and pt may be the same. */
int aes_gcm_open(aes_gcm *g, const uint8_t nonce[GCM_NONCE_BYTES], const uint8_t *aad,
                 size_t aad_len, const uint8_t *ct, size_t len, const uint8_t tag[GCM_TAG_BYTES],
                 uint8_t *pt);

/* One-shot forms (key used once, e.g. key wrapping). */
int aes_gcm_seal_once(const uint8_t key[AES256_KEY_BYTES], const uint8_t nonce[GCM_NONCE_BYTES],
                      const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[GCM_TAG_BYTES]);
int aes_gcm_open_once(const uint8_t key[AES256_KEY_BYTES], const uint8_t nonce[GCM_NONCE_BYTES],
                      const uint8_t *ct, size_t len, const uint8_t tag[GCM_TAG_BYTES], uint8_t *pt);

/* ---- Hashes, MACs and KDFs ---- */

int sha256(const uint8_t *msg, size_t len, uint8_t out[SHA256_BYTES]);
int hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
                uint8_t out[SHA256_BYTES]);

/* HKDF (RFC 5869) extract-then-expand with digest "SHA256" or "SHA512".
 * Fails with SHROUD_ERR_ARGUMENT when out_len is 0 or exceeds 255 * digest size. */
int hkdf(const char *digest, const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
         size_t salt_len, const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);

/* HKDF-Expand only (prk used as is). */
int hkdf_expand(const char *digest, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                size_t info_len, uint8_t *out, size_t out_len);

/* PBKDF2-HMAC-SHA256. iterations >= 1. */
int pbkdf2_sha256(const uint8_t *pass, size_t pass_len, const uint8_t *salt, size_t salt_len,
                  uint64_t iterations, uint8_t *out, size_t out_len);

/* scrypt (RFC 7914). n must be a power of two > 1 (else SHROUD_ERR_ARGUMENT);
 * memory 128*r*n bytes must be at most 2 GiB (else SHROUD_ERR_WORK_FACTOR). */
int scrypt_kdf(const uint8_t *pass, size_t pass_len, const uint8_t *salt, size_t salt_len,
               uint64_t n, uint32_t r, uint32_t p, uint8_t *out, size_t out_len);

/* ---- X25519 / Ed25519 (raw 32-byte keys) ---- */

int x25519_public(const uint8_t priv[X25519_KEY_BYTES], uint8_t pub[X25519_KEY_BYTES]);
/* Fails with SHROUD_ERR_KEY if the shared secret is all zero (low-order point). */
int x25519_shared(const uint8_t priv[X25519_KEY_BYTES], const uint8_t peer[X25519_KEY_BYTES],
                  uint8_t shared[X25519_KEY_BYTES]);

int ed25519_public(const uint8_t seed[ED25519_SEED_BYTES], uint8_t pub[ED25519_PUBLIC_BYTES]);
int ed25519_sign(const uint8_t seed[ED25519_SEED_BYTES], const uint8_t *msg, size_t len,
                 uint8_t sig[ED25519_SIGNATURE_BYTES]);
/* SHROUD_OK or SHROUD_ERR_SIGNATURE. sig_len other than 64 never verifies. */
int ed25519_verify(const uint8_t pub[ED25519_PUBLIC_BYTES], const uint8_t *msg, size_t len,
                   const uint8_t *sig, size_t sig_len);

/* ---- RSA (EVP_PKEY holding an RSA key) ---- */

/* RSA-OAEP with SHA-256 and MGF1-SHA-256; label may be empty. *out_len is
 * the modulus size in bytes on success; out must hold that much. */
int rsa_oaep_encrypt(EVP_PKEY *pub, const uint8_t *label, size_t label_len, const uint8_t *pt,
                     size_t len, uint8_t *out, size_t out_cap, size_t *out_len);
/* SHROUD_ERR_KEY when decryption fails (wrong key or malformed ciphertext). */
int rsa_oaep_decrypt(EVP_PKEY *priv, const uint8_t *label, size_t label_len, const uint8_t *ct,
                     size_t len, uint8_t *out, size_t out_cap, size_t *out_len);

/* RSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt, over msg. */
int rsa_pss_sign(EVP_PKEY *priv, const uint8_t *msg, size_t len, uint8_t *sig, size_t sig_cap,
                 size_t *sig_len);
/* SHROUD_OK or SHROUD_ERR_SIGNATURE. */
int rsa_pss_verify(EVP_PKEY *pub, const uint8_t *msg, size_t len, const uint8_t *sig,
                   size_t sig_len);

/* Bits of the RSA modulus, or 0 if pkey is not RSA. */
unsigned rsa_bits(const EVP_PKEY *pkey);

#endif
