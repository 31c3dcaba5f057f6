/*
 * kat.h — helpers for the known-answer tests: walking Wycheproof-style vector
 * files (testGroups[].tests[]), decoding their fields and reporting failures
 * with the file and tcId of the vector that failed.
 */
#ifndef SHROUD_KAT_H
#define SHROUD_KAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "testutil.h"

typedef enum { KAT_VALID, KAT_INVALID, KAT_ACCEPTABLE } kat_result;

/* One test vector, as handed to a kat_fn. */
typedef struct {
    const char *file;    /* vector file, relative to tests/vectors */
    const json_t *group; /* testGroups[i] */
    const json_t *test;  /* testGroups[i].tests[j] */
    int tc_id;
    kat_result result;
} kat_case;

/* A decoded byte string (hex or zlib); free with kat_bytes_free. */
typedef struct {
    uint8_t *p;
    size_t len;
} kat_bytes;

/* How many vectors of each result a run executed. */
typedef struct {
    size_t valid, invalid, acceptable;
} kat_counts;

/* Runs one vector. Returns false if the vector does not apply (not counted). */
typedef bool (*kat_fn)(const kat_case *kc, void *ctx);
/* Selects the test groups a run applies to; NULL selects all. */
typedef bool (*kat_group_filter)(const json_t *group);

/* Runs fn over every test of every selected group of file and returns how
 * many it ran. */
kat_counts kat_run(const char *file, kat_group_filter filter, kat_fn fn, void *ctx);

/* The file's "numberOfTests". */
size_t kat_number_of_tests(const char *file);

size_t kat_total(kat_counts c);

/* Prints the counts and fails unless they equal the expected ones (> 0). */
void kat_expect_counts(const char *what, kat_counts got, size_t valid, size_t invalid,
                       size_t acceptable);

/* Field accessors: each fails the test if the field is missing or mistyped. */
kat_bytes kat_hex(const json_t *obj, const char *field);
kat_bytes kat_zhex(const json_t *obj, const char *field); /* hex of a zlib stream */
kat_bytes kat_text(const json_t *obj, const char *field); /* a string's bytes */
long long kat_int(const json_t *obj, const char *field);
const char *kat_str(const json_t *obj, const char *field);
bool kat_has_flag(const kat_case *kc, const char *flag);
const char *kat_comment(const kat_case *kc);
void kat_bytes_free(kat_bytes *b);

/* Hex of a (short) buffer for failure messages; returns a static buffer. */
const char *kat_tohex(const uint8_t *p, size_t len);

#define KAT_FAIL(kc, fmt, ...)                                                                     \
    fail_msg("%s tcId %d (%s): " fmt, (kc)->file, (kc)->tc_id, kat_comment(kc), __VA_ARGS__)

#define KAT_CHECK(kc, cond)                                                                        \
    do {                                                                                           \
        if (!(cond))                                                                               \
            KAT_FAIL(kc, "check failed: %s", #cond);                                               \
    } while (0)

#define KAT_CHECK_RC(kc, expr, want)                                                               \
    do {                                                                                           \
        int kat_rc_ = (expr), kat_want_ = (want);                                                  \
        if (kat_rc_ != kat_want_)                                                                  \
            KAT_FAIL(kc, "%s returned %d, want %d", #expr, kat_rc_, kat_want_);                    \
    } while (0)

#define KAT_CHECK_BYTES(kc, got, got_len, want)                                                    \
    do {                                                                                           \
        if ((got_len) != (want).len || memcmp((got), (want).p, (want).len) != 0)                   \
            KAT_FAIL(kc, "%s mismatch: got %s", #got, kat_tohex((got), (got_len)));                \
    } while (0)

#endif
