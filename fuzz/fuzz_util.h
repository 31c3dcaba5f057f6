/*
 * fuzz_util.h — small helpers shared by the libFuzzer harnesses (header-only
 * so that every harness is a single translation unit plus the library).
 */
#ifndef SHROUD_FUZZ_UTIL_H
#define SHROUD_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_fixed_keys.h"
#include "shroud.h"

/* Stops the run with a message libFuzzer reports as a crash (abort). */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* 1 if some JPEG SOF-like marker anywhere in buf claims more than max_pixels:
 * JPEG harnesses skip such inputs, so that a tiny file cannot make every run
 * allocate and clear hundreds of megabytes (the limits are unit-tested). */
static inline int fuzz_jpeg_claims_more_than(const uint8_t *buf, size_t len, uint64_t max_pixels)
{
    for (size_t i = 0; i + 8 < len; i++) {
        if (buf[i] != 0xFF || buf[i + 1] < 0xC0 || buf[i + 1] > 0xCF || buf[i + 1] == 0xC4 ||
            buf[i + 1] == 0xC8 || buf[i + 1] == 0xCC)
            continue;
        uint32_t h = (uint32_t)buf[i + 5] << 8 | buf[i + 6];
        uint32_t w = (uint32_t)buf[i + 7] << 8 | buf[i + 8];
        if ((uint64_t)w * h > max_pixels)
            return 1;
    }
    return 0;
}

/* An exact-size heap copy of the input (no NUL terminator), so that ASan sees every
 * read past its end (libFuzzer's own buffer is exact-size too; this keeps the
 * harnesses honest when they cut it). */
static inline char *fuzz_copy(const uint8_t *data, size_t len)
{
    char *p = malloc(len ? len : 1);
    FUZZ_CHECK(p != NULL);
    if (len)
        memcpy(p, data, len);
    return p;
}

/* The fixed native identity of fuzz_fixed_keys.h and its public key (key may
 * be NULL); stops the run if they do not parse. */
static inline void fuzz_native_keys(shroud_identity **id, shroud_recipient **key)
{
    static const char id_text[] = FUZZ_NATIVE_IDENTITY;
    static const char key_text[] = FUZZ_NATIVE_RECIPIENT;
    FUZZ_CHECK(shroud_identity_parse(id, id_text, sizeof id_text - 1, NULL, NULL) == SHROUD_OK);
    if (key)
        FUZZ_CHECK(shroud_recipient_parse(key, key_text, sizeof key_text - 1) == SHROUD_OK);
}

/* A shroud_write_fn that reads every byte it is given (so ASan checks the
 * whole buffer) and folds them into a 64-bit FNV-1a hash. */
typedef struct {
    uint64_t hash;
    size_t total;
    size_t cancel_after; /* return non-zero once total exceeds this; SIZE_MAX: never */
} fuzz_sink;

static inline void fuzz_sink_init(fuzz_sink *s, size_t cancel_after)
{
    s->hash = 0xcbf29ce484222325u;
    s->total = 0;
    s->cancel_after = cancel_after;
}

static inline int fuzz_sink_write(void *ctx, const uint8_t *buf, size_t len)
{
    fuzz_sink *s = ctx;
    for (size_t i = 0; i < len; i++)
        s->hash = (s->hash ^ buf[i]) * 0x100000001b3u;
    s->total += len;
    return s->total > s->cancel_after ? 1 : 0;
}

/* A passphrase callback that always says "none". */
static inline int fuzz_no_passphrase(void *ctx, const char *purpose, char *buf, size_t cap,
                                     size_t *len)
{
    (void)ctx;
    (void)purpose;
    (void)buf;
    (void)cap;
    (void)len;
    return -1;
}

#endif
