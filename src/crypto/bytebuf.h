/*
 * bytebuf.h — a growable byte buffer that collects shroud_write_fn output
 * (internal). Always NUL-terminated after its data, so text can be handed
 * out as a C string. A secret buffer wipes every copy it lets go of.
 */
#ifndef SHROUD_CRYPTO_BYTEBUF_H
#define SHROUD_CRYPTO_BYTEBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *data;
    size_t len, cap;
    int secret;
    size_t touched; /* bytes of data ever written: what a wipe must cover */
} bytebuf;

/* A shroud_write_fn appending to the bytebuf at ctx; -1 when out of memory. */
int bytebuf_write(void *ctx, const uint8_t *buf, size_t len);

/* Makes room for `extra` more bytes without writing them, so a caller that
 * knows the final size (or a bound) avoids regrowing: 0, or -1 when out of
 * memory. Pages reserved but never written cost no memory. */
int bytebuf_reserve(bytebuf *b, size_t extra);

/* Counts n bytes the caller wrote at data + len, within room reserved with
 * bytebuf_reserve, as appended (and as written, for a secret's wipe). */
void bytebuf_commit(bytebuf *b, size_t n);

/* Ends the buffer's life: on err == SHROUD_OK hands the data over (never NULL,
 * free with free()) and returns SHROUD_OK; otherwise frees it (wiping it if
 * secret) and returns err, with SHROUD_ERR_CANCELLED — our own write failing
 * — turned into SHROUD_ERR_NOMEM. */
int bytebuf_finish(bytebuf *b, int err, uint8_t **out, size_t *out_len);

#endif
