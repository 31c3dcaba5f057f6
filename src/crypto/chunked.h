/*
 * chunked.h — c2sp.org/chunked-encryption v1, instantiated with
 * AEAD_AES_256_GCM and HKDF-Expand-SHA-512 ("Cobblestone-256").
 *
 * Ciphertext = salt (24) || commitment (32) || chunk AEAD ciphertexts.
 * Both directions are push-style: feed bytes with *_write in pieces of any
 * size, call *_finish once; output goes to the shroud_write_fn. Memory use is
 * constant. After any error every later call returns the same error.
 */
#ifndef SHROUD_CRYPTO_CHUNKED_H
#define SHROUD_CRYPTO_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

#include "shroud.h"

#define CHUNKED_KEY_BYTES 32
#define CHUNKED_SALT_BYTES 24
#define CHUNKED_COMMITMENT_BYTES 32
#define CHUNKED_PREFIX_BYTES (CHUNKED_SALT_BYTES + CHUNKED_COMMITMENT_BYTES)
#define CHUNKED_CHUNK_BYTES 16384
#define CHUNKED_TAG_BYTES 16
#define CHUNKED_MAX_CHUNKS (UINT64_C(1) << 38)
#define CHUNKED_AEAD_NAME "AEAD_AES_256_GCM"

typedef struct chunked_writer chunked_writer;
typedef struct chunked_reader chunked_reader;

/* key_len must be CHUNKED_KEY_BYTES (else SHROUD_ERR_ARGUMENT). salt NULL
 * means a fresh random salt; a given salt is for known-answer tests only. */
int chunked_writer_new(chunked_writer **out, const uint8_t *key, size_t key_len,
                       const uint8_t *context, size_t context_len,
                       const uint8_t salt[CHUNKED_SALT_BYTES], shroud_write_fn write, void *wctx);
int chunked_writer_write(chunked_writer *w, const uint8_t *buf, size_t len);
int chunked_writer_finish(chunked_writer *w);
void chunked_writer_free(chunked_writer *w);

/* Errors: SHROUD_ERR_COMMITMENT (wrong key/context or corrupted prefix),
 * SHROUD_ERR_PAYLOAD (a chunk fails authentication), SHROUD_ERR_TRUNCATED
 * (ends early or the final chunk is not short), SHROUD_ERR_LIMIT (2^38
 * chunks). Plaintext is emitted only for authenticated chunks. */
int chunked_reader_new(chunked_reader **out, const uint8_t *key, size_t key_len,
                       const uint8_t *context, size_t context_len, shroud_write_fn write,
                       void *wctx);
int chunked_reader_write(chunked_reader *r, const uint8_t *buf, size_t len);
int chunked_reader_finish(chunked_reader *r);
void chunked_reader_free(chunked_reader *r);

#endif
