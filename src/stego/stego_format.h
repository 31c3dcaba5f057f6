/*
 * stego_format.h — constants and keys of the hidden stream (internal).
 * docs/FORMAT.md section 6 is the specification; this is its code.
 *
 * Samples are drawn in the order of positions.h. Passphrase mode first
 * draws STEGO_SALT_SAMPLES positions from keystream(STEGO_SALT_KEY) — a
 * public key — and reads the salt there, one bit per sample; the rest comes
 * from the keys below. The stream itself:
 *
 *   byte 0           code_bits (1..STEGO_MAX_CODE_BITS), one bit per sample
 *   bytes 1..4       length of the envelope, u32be       } Hamming-coded,
 *   bytes 5..        the headerless envelope             } code_bits bits per
 *                                                        } 2^code_bits-1 samples
 * every byte XORed with keystream(stream key), byte 0 with its first byte.
 */
#ifndef SHROUD_STEGO_FORMAT_H
#define SHROUD_STEGO_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "shroud.h"
#include "stego/keystream.h"

#define STEGO_SALT_BYTES 16
#define STEGO_SALT_SAMPLES (STEGO_SALT_BYTES * 8)
/* What the salt may cost: its samples and the rest of its last cell. */
#define STEGO_SALT_RESERVE (STEGO_SALT_SAMPLES + 63)
#define STEGO_CODE_BITS_SAMPLES 8 /* byte 0 */
#define STEGO_LENGTH_BYTES 4
#define STEGO_MAX_CODE_BITS 16
#define STEGO_INNER_LOG_N SHROUD_SCRYPT_MIN_LOG_N /* the envelope's own scrypt stanza */
#define STEGO_SCRYPT_R 8
#define STEGO_SCRYPT_P 1

#define STEGO_SALT_KEY_INFO "shroud/v1 stego salt positions"
#define STEGO_SCRYPT_LABEL "shroud/v1 stego"
#define STEGO_RECIPIENT_INFO "shroud/v1 stego recipient"
#define STEGO_POSITIONS_INFO "shroud/v1 stego positions"
#define STEGO_STREAM_INFO "shroud/v1 stego stream"

typedef struct {
    uint8_t positions[KEYSTREAM_KEY_BYTES];
    uint8_t stream[KEYSTREAM_KEY_BYTES];
} stego_keys;

/* SHA-256(STEGO_SALT_KEY_INFO): the public key of the salt positions. */
int stego_salt_key(uint8_t key[KEYSTREAM_KEY_BYTES]);
/* seed = scrypt(pass, STEGO_SCRYPT_LABEL || salt, 2^SHROUD_STEGO_SCRYPT_LOG_N,
 * 8, 1, 32); keys = HKDF-SHA256(seed, info = POSITIONS / STREAM). */
int stego_keys_from_passphrase(const char *pass, size_t pass_len,
                               const uint8_t salt[STEGO_SALT_BYTES], stego_keys *keys);
/* seed = HKDF-SHA256(ikm = the recipient's canonical public bytes,
 * info = STEGO_RECIPIENT_INFO); keys as above. */
int stego_keys_from_recipient(const shroud_recipient *r, stego_keys *keys);

/* Samples a Hamming code with code_bits bits per group covers. */
static inline size_t stego_code_group(unsigned code_bits)
{
    return ((size_t)1 << code_bits) - 1;
}

#endif
