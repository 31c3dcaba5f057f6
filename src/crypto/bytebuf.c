/* bytebuf.c — growable output buffer. */
#include "crypto/bytebuf.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"

static size_t wipe_span(const bytebuf *b)
{
    size_t n = b->touched > b->len ? b->touched : b->len;
    return n + 1 > b->cap ? b->cap : n + 1; /* the NUL after the data too */
}

static void release(bytebuf *b)
{
    if (b->secret && b->data)
        prim_wipe(b->data, wipe_span(b));
    free(b->data);
    b->data = NULL;
    b->len = b->cap = b->touched = 0;
}

/* Grows the allocation to hold at least `need` bytes. A public buffer is
 * realloc'd (large blocks move without copying); a secret one gets a new
 * block and its old copy is wiped. */
static int grow(bytebuf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (!b->secret) {
        uint8_t *p = realloc(b->data, cap);
        if (!p)
            return -1;
        b->data = p;
        b->cap = cap;
        return 0;
    }
    uint8_t *p = malloc(cap);
    if (!p)
        return -1;
    size_t keep = b->len;
    if (keep)
        memcpy(p, b->data, keep);
    release(b);
    b->secret = 1;
    b->data = p;
    b->len = keep;
    b->touched = keep;
    b->cap = cap;
    return 0;
}

int bytebuf_reserve(bytebuf *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len)
        return -1;
    return b->len + extra + 1 > b->cap ? grow(b, b->len + extra + 1) : 0;
}

void bytebuf_commit(bytebuf *b, size_t n)
{
    b->len += n;
    b->data[b->len] = 0;
    if (b->len > b->touched)
        b->touched = b->len;
}

int bytebuf_write(void *ctx, const uint8_t *buf, size_t len)
{
    bytebuf *b = ctx;
    if (bytebuf_reserve(b, len) != 0)
        return -1;
    if (len)
        memcpy(b->data + b->len, buf, len);
    bytebuf_commit(b, len);
    return 0;
}

int bytebuf_finish(bytebuf *b, int err, uint8_t **out, size_t *out_len)
{
    if (!err && !b->data && bytebuf_write(b, NULL, 0) != 0)
        err = SHROUD_ERR_NOMEM;
    if (err) {
        release(b);
        return err == SHROUD_ERR_CANCELLED ? SHROUD_ERR_NOMEM : err;
    }
    *out = b->data;
    *out_len = b->len;
    return SHROUD_OK;
}
