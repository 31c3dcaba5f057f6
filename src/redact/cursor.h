/*
 * cursor.h — bounds-checked big-endian reading of a byte buffer (internal).
 *
 * Every take_* returns 0 and advances, or returns -1 and sets c->bad without
 * reading when fewer bytes remain; after the first failure every later call
 * fails too, so a parser can read a whole structure and check c->bad once.
 */
#ifndef SHROUD_REDACT_CURSOR_H
#define SHROUD_REDACT_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/bigendian.h"

typedef struct {
    const uint8_t *p;
    size_t left;
    int bad;
} cursor;

static inline cursor cursor_of(const uint8_t *buf, size_t len)
{
    cursor c = {buf, len, 0};
    return c;
}

/* Points *out at the next n bytes (no copy). */
static inline int take_bytes(cursor *c, size_t n, const uint8_t **out)
{
    if (c->bad || n > c->left) {
        c->bad = 1;
        return -1;
    }
    *out = c->p;
    c->p += n;
    c->left -= n;
    return 0;
}

static inline int take_copy(cursor *c, void *dst, size_t n)
{
    const uint8_t *p;
    if (take_bytes(c, n, &p))
        return -1;
    memcpy(dst, p, n);
    return 0;
}

static inline int take_u8(cursor *c, uint8_t *v)
{
    return take_copy(c, v, 1);
}

static inline int take_u16(cursor *c, uint16_t *v)
{
    const uint8_t *p;
    if (take_bytes(c, 2, &p))
        return -1;
    *v = load_be16(p);
    return 0;
}

static inline int take_u32(cursor *c, uint32_t *v)
{
    const uint8_t *p;
    if (take_bytes(c, 4, &p))
        return -1;
    *v = load_be32(p);
    return 0;
}

#endif
