/*
 * signature.h — signatures over SHA-256 digests (internal).
 *
 * Signed message M = "shroud/v1 signature" 0x00 || context:u8 || alg:u8 ||
 * key_id[8] || digest[32]; Ed25519 signs M, RSA-PSS-SHA256 (MGF1-SHA256,
 * 32-byte salt) signs M. The context keeps a detached file signature from
 * being replayed as an image signature and vice versa.
 *
 * Binary signature block: magic "SHRDSIG" 0x01, alg:u8, key_id[8],
 * sig_len:u16be, sig[sig_len]. Detached signatures are this block armored
 * as "SHROUD SIGNATURE".
 */
#ifndef SHROUD_CRYPTO_SIGNATURE_H
#define SHROUD_CRYPTO_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/keys.h"

#define SIGNATURE_MAGIC "SHRDSIG\1"
#define SIGNATURE_MAGIC_BYTES 8
#define SIGNATURE_DOMAIN "shroud/v1 signature"
#define SIGNATURE_MAX_BYTES (SHROUD_RSA_MAX_BITS / 8)
#define SIGNATURE_BLOCK_MAX                                                                        \
    (SIGNATURE_MAGIC_BYTES + 1 + SHROUD_KEY_ID_BYTES + 2 + SIGNATURE_MAX_BYTES)

enum signature_alg { SIG_ED25519 = 1, SIG_RSA_PSS_SHA256 = 2 };
enum signature_context { SIG_CONTEXT_FILE = 1, SIG_CONTEXT_IMAGE = 2 };

typedef struct {
    uint8_t alg;
    uint8_t key_id[SHROUD_KEY_ID_BYTES];
    uint16_t len;
    uint8_t sig[SIGNATURE_MAX_BYTES];
} signature_block;

/* Signs a digest: fills every field of *out. */
int signature_sign_digest(const shroud_identity *id, uint8_t context,
                          const uint8_t digest[SHA256_BYTES], signature_block *out);

/* SHROUD_OK, SHROUD_ERR_WRONG_SIGNER (key id or algorithm differ from the
 * key's) or SHROUD_ERR_SIGNATURE. */
int signature_verify_digest(const shroud_recipient *key, uint8_t context,
                            const uint8_t digest[SHA256_BYTES], const signature_block *sig);

/* Binary block encoding; *out_len <= SIGNATURE_BLOCK_MAX. */
int signature_block_encode(const signature_block *sig, uint8_t *out, size_t cap, size_t *out_len);
/* SHROUD_ERR_SIGNATURE_FORMAT when malformed (trailing bytes included). */
int signature_block_decode(const uint8_t *buf, size_t len, signature_block *out);

#endif
