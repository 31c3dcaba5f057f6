/* testutil.h — helpers shared by the unit tests: hex, files, vectors. */
#ifndef SHROUD_TESTUTIL_H
#define SHROUD_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

/* Decodes a hex string into a fresh buffer (NULL for an empty string is not
 * returned: a 1-byte allocation is). Fails the test on bad hex. */
uint8_t *tu_unhex(const char *hex, size_t *len);

/* Loads tests/vectors/<name> as JSON; fails the test if it cannot. */
json_t *tu_load_vectors(const char *name);

/* Reads a whole file; fails the test if it cannot. */
uint8_t *tu_read_file(const char *path, size_t *len);

/* A growable byte buffer usable as a shroud_write_fn sink. */
typedef struct {
    uint8_t *data;
    size_t len, cap;
} tu_buf;

int tu_buf_write(void *ctx, const uint8_t *buf, size_t len);
void tu_buf_free(tu_buf *b);

#endif
