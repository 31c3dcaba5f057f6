/*
 * keystream.h — a deterministic keyed byte stream: AES-256-CTR (internal).
 *
 * keystream(key) is AES-256 in counter mode under `key`, starting from a
 * counter block of 16 zero bytes, encrypting zeros: the bytes the
 * steganography format (docs/FORMAT.md section 6) draws positions, whitening
 * and +-1 directions from. Given the key, anyone reproduces it exactly.
 */
#ifndef SHROUD_STEGO_KEYSTREAM_H
#define SHROUD_STEGO_KEYSTREAM_H

#include <stddef.h>
#include <stdint.h>

#define KEYSTREAM_KEY_BYTES 32
#define KEYSTREAM_BUFFER 4096

typedef struct {
    void *ctx; /* EVP_CIPHER_CTX */
    uint8_t buf[KEYSTREAM_BUFFER];
    size_t pos; /* next unread byte of buf */
} keystream;

int keystream_init(keystream *ks, const uint8_t key[KEYSTREAM_KEY_BYTES]);
/* Wipes and frees; safe on a zeroed or already freed keystream. */
void keystream_free(keystream *ks);

int keystream_bytes(keystream *ks, uint8_t *out, size_t len);
/* Refills the buffer (for the inline readers below). */
int keystream_refill(keystream *ks);

/* The next 4 bytes as a little-endian integer. */
static inline int keystream_u32(keystream *ks, uint32_t *out)
{
    if (ks->pos + 4 > KEYSTREAM_BUFFER) {
        uint8_t b[4];
        int err = keystream_bytes(ks, b, 4);
        *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        return err;
    }
    const uint8_t *b = ks->buf + ks->pos;
    *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    ks->pos += 4;
    return 0;
}

/* A uniform integer in 0 .. bound-1 (bound >= 1): Lemire's multiply-shift
 * with rejection, so exactly uniform; draws 4 bytes at a time. */
static inline int keystream_below(keystream *ks, uint32_t bound, uint32_t *out)
{
    uint32_t r;
    int err = keystream_u32(ks, &r);
    uint64_t m = (uint64_t)r * bound;
    uint32_t low = (uint32_t)m;
    if (low < bound) {
        uint32_t threshold = (uint32_t)-bound % bound;
        while (!err && low < threshold) {
            err = keystream_u32(ks, &r);
            m = (uint64_t)r * bound;
            low = (uint32_t)m;
        }
    }
    *out = (uint32_t)(m >> 32);
    return err;
}

#endif
