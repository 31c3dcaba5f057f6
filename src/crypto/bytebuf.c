/* bytebuf.c — growable output buffer. */
#include "crypto/bytebuf.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"

static void release(bytebuf *b)
{
    if (b->secret)
        prim_wipe(b->data, b->cap);
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int bytebuf_write(void *ctx, const uint8_t *buf, size_t len)
{
    bytebuf *b = ctx;
    if (len > SIZE_MAX / 2 - b->len)
        return -1;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1)
            cap *= 2;
        /* malloc + copy rather than realloc, so a secret old copy can be wiped */
        uint8_t *p = malloc(cap);
        if (!p)
            return -1;
        if (b->len)
            memcpy(p, b->data, b->len);
        int secret = b->secret;
        size_t keep = b->len;
        release(b);
        b->secret = secret;
        b->data = p;
        b->len = keep;
        b->cap = cap;
    }
    if (len)
        memcpy(b->data + b->len, buf, len);
    b->len += len;
    b->data[b->len] = 0;
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
