/* envelope_util.h — helpers shared by the envelope, armor, key and signature
 * unit tests: deterministic data, sealing and opening through the public
 * streaming API, and the byte layout of a sealed envelope. */
#ifndef SHROUD_TESTS_ENVELOPE_UTIL_H
#define SHROUD_TESTS_ENVELOPE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shroud.h"
#include "testutil.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Sealed sizes of the c2sp payload (see docs/FORMAT.md §1). */
#define SEALED_CHUNK (SHROUD_CHUNK_BYTES + 16)
#define PAYLOAD_PREFIX 56
#define MAGIC_BYTES 8

/* Piece size meaning "random sizes from 1 to 40000" (deterministic). */
#define PIECES_RANDOM SIZE_MAX

/* Plaintext sizes every round trip runs through. */
extern const size_t TEST_SIZES[];
extern const size_t N_TEST_SIZES;

/* A small deterministic generator (xorshift32; the state must not be 0). */
uint32_t rng_next(uint32_t *state);

/* len deterministic bytes for a seed; never NULL. Free with free(). */
uint8_t *pattern(size_t len, uint32_t seed);

/* A shroud_passphrase_fn source: answers with pass (refuses when NULL) and
 * records how often and why it was asked. */
typedef struct {
    const char *pass;
    int calls;
    char purpose[32];
} pass_source;
int pass_fn(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len);

/* What to seal to. Exactly what the sealer is given: recipients, then the
 * scrypt passphrase (log_n), then the PBKDF2 one (iterations), skipping NULLs. */
typedef struct {
    const shroud_recipient *const *recipients;
    size_t n;
    const char *scrypt;
    int log_n;
    const char *pbkdf2;
    uint32_t iterations;
    unsigned flags;
    size_t piece; /* plaintext write size: 0 whole, PIECES_RANDOM */
} seal_spec;

/* Seals through shroud_sealer; fails the test unless everything succeeds. */
void seal(const seal_spec *spec, const uint8_t *pt, size_t len, tu_buf *out);
/* Seals to one recipient. */
void seal_to(const shroud_recipient *r, unsigned flags, const uint8_t *pt, size_t len, tu_buf *out);

/* How to open. */
typedef struct {
    const shroud_identity *const *ids;
    size_t n;
    const char *pass; /* NULL: no passphrase callback at all */
    unsigned flags;
    size_t piece; /* ciphertext write size: 0 whole, PIECES_RANDOM */
} open_spec;

/* Opens through shroud_opener; returns the first error (write or finish)
 * with whatever plaintext was delivered in out (which the caller frees). */
int open_env(const open_spec *spec, const uint8_t *ct, size_t len, tu_buf *out);
/* Opens with one identity. */
int open_with(const shroud_identity *id, unsigned flags, const uint8_t *ct, size_t len,
              tu_buf *out);

/* Opens and checks that exactly pt comes out. */
void assert_opens_to(const open_spec *spec, const uint8_t *ct, size_t len, const uint8_t *pt,
                     size_t pt_len);

/* The errors a modified or damaged envelope may legitimately produce. */
extern const int DAMAGE_ERRORS[];
extern const size_t N_DAMAGE_ERRORS;
/* ... and an armored one, which adds the armor errors. */
extern const int ARMOR_DAMAGE_ERRORS[];
extern const size_t N_ARMOR_DAMAGE_ERRORS;

/* Opens ct and fails the test (naming `what`) unless the error is one of
 * allowed and at most a strict prefix of pt was delivered. Returns the error. */
int expect_open_failure(const open_spec *spec, const uint8_t *ct, size_t len, const uint8_t *pt,
                        size_t pt_len, const int *allowed, size_t n_allowed, const char *what);

/* For each of the n_offsets offsets (NULL: every offset of ct), XORs that
 * byte of a copy of ct with mask and expects what expect_open_failure does.
 * Spread over the processors (each worker opens with its own identity copies). */
void flip_bytes(const open_spec *spec, const uint8_t *ct, size_t len, const size_t *offsets,
                size_t n_offsets, uint8_t mask, const uint8_t *pt, size_t pt_len,
                const int *allowed, size_t n_allowed);
void flip_every_byte(const open_spec *spec, const uint8_t *ct, size_t len, uint8_t mask,
                     const uint8_t *pt, size_t pt_len, const int *allowed, size_t n_allowed);

/* Where the pieces of a binary envelope are. */
typedef struct {
    size_t header_end;   /* offset of the payload (magic, if any, included before) */
    size_t chunks_start; /* offset of chunk 0 (header_end + 56) */
    size_t n_chunks;
    size_t total;
} envelope_layout;

void layout_of(const uint8_t *env, size_t len, bool headerless, envelope_layout *out);
size_t chunk_offset(const envelope_layout *l, size_t i);
size_t chunk_length(const envelope_layout *l, size_t i);

/* A fresh identity and its recipient; fail the test on error. */
shroud_identity *new_native_identity(void);
shroud_identity *new_rsa_identity(unsigned bits);
shroud_recipient *recipient_of(const shroud_identity *id);
/* An independent copy (through serialize and parse). */
shroud_identity *identity_copy(const shroud_identity *id);

/* Concatenates parts into a fresh tu_buf. */
void buf_append(tu_buf *b, const void *p, size_t len);

#endif
