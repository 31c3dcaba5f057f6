/* envelope_vectors.h — what tests/vectors/envelope/ holds: shared by the
 * generator (gen_envelope_vectors.c, run by hand) and the test that opens the
 * committed files (test_envelope_vectors.c). Changing this table means
 * regenerating the vectors, which is a format change. */
#ifndef SHROUD_TESTS_ENVELOPE_VECTORS_H
#define SHROUD_TESTS_ENVELOPE_VECTORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "shroud.h"

#define VEC_NATIVE_KEY_FILE "native.key"
#define VEC_RSA_KEY_FILE "rsa2048.pem"
#define VEC_RSA_BITS 2048

#define VEC_PASSPHRASE "correct horse battery staple"
#define VEC_SCRYPT_LOG_N 10
#define VEC_PBKDF2_ITERATIONS 600000u

/* The plaintexts. */
#define VEC_SHORT_TEXT "shroud envelope test vector\n"
#define VEC_PATTERN_LEN 40000 /* byte i is i mod 251: three chunks */
enum vec_plain { VEC_PLAIN_SHORT, VEC_PLAIN_PATTERN, VEC_PLAIN_EMPTY };

/* Who an envelope is sealed to; stanzas appear in this bit order. */
enum vec_keys { VEC_NATIVE = 1, VEC_RSA = 2, VEC_SCRYPT = 4, VEC_PBKDF2 = 8 };

typedef struct {
    const char *file;
    const char *about;
    unsigned keys;  /* enum vec_keys */
    unsigned flags; /* SHROUD_FLAG_* given to the sealer */
    int plain;      /* enum vec_plain */
} vec_envelope;

static const vec_envelope VEC_ENVELOPES[] = {
    {"native_short.shroud", "the short text to the native key", VEC_NATIVE, 0, VEC_PLAIN_SHORT},
    {"native_empty.shroud", "the empty message (one empty chunk) to the native key", VEC_NATIVE, 0,
     VEC_PLAIN_EMPTY},
    {"native_40000.shroud", "the 40000-byte pattern (3 chunks) to the native key", VEC_NATIVE, 0,
     VEC_PLAIN_PATTERN},
    {"rsa_short.shroud", "the short text to the RSA-2048 key", VEC_RSA, 0, VEC_PLAIN_SHORT},
    {"native_rsa_short.shroud", "the short text to both keys (X25519 stanza, then RSA-OAEP)",
     VEC_NATIVE | VEC_RSA, 0, VEC_PLAIN_SHORT},
    {"scrypt_short.shroud", "the short text to the passphrase, scrypt log2 N = 10", VEC_SCRYPT, 0,
     VEC_PLAIN_SHORT},
    {"pbkdf2_short.shroud", "the short text to the passphrase, PBKDF2 600000 iterations",
     VEC_PBKDF2, 0, VEC_PLAIN_SHORT},
    {"native_short.asc", "the short text to the native key, armored", VEC_NATIVE, SHROUD_FLAG_ARMOR,
     VEC_PLAIN_SHORT},
    {"native_40000.asc", "the 40000-byte pattern to the native key, armored", VEC_NATIVE,
     SHROUD_FLAG_ARMOR, VEC_PLAIN_PATTERN},
    {"native_short.headerless", "the short text to the native key, headerless (no magic)",
     VEC_NATIVE, SHROUD_FLAG_HEADERLESS, VEC_PLAIN_SHORT},
};
#define VEC_N_ENVELOPES (sizeof VEC_ENVELOPES / sizeof VEC_ENVELOPES[0])

/* The plaintext of a vector in a fresh buffer (never NULL); free with free(). */
static inline uint8_t *vec_plaintext(int plain, size_t *len)
{
    size_t n = plain == VEC_PLAIN_SHORT     ? sizeof VEC_SHORT_TEXT - 1
               : plain == VEC_PLAIN_PATTERN ? VEC_PATTERN_LEN
                                            : 0;
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        return NULL;
    for (size_t i = 0; i < n; i++)
        p[i] = plain == VEC_PLAIN_SHORT ? (uint8_t)VEC_SHORT_TEXT[i] : (uint8_t)(i % 251);
    *len = n;
    return p;
}

#endif
