/* envelope_buffer.c — one-shot seal/open of memory buffers. */
#include <stdlib.h>
#include <string.h>

#include "crypto/envelope.h"
#include "crypto/primitives.h"
#include "shroud.h"

typedef struct {
    uint8_t *data;
    size_t len, cap;
    int secret; /* wipe old storage when growing */
} membuf;

static int membuf_write(void *ctx, const uint8_t *buf, size_t len)
{
    membuf *m = ctx;
    if (len > SIZE_MAX / 2 - m->len)
        return -1;
    if (m->len + len > m->cap) {
        size_t cap = m->cap ? m->cap : 256;
        while (cap < m->len + len)
            cap *= 2;
        uint8_t *p = malloc(cap);
        if (!p)
            return -1;
        if (m->len)
            memcpy(p, m->data, m->len);
        if (m->secret)
            prim_wipe(m->data, m->cap);
        free(m->data);
        m->data = p;
        m->cap = cap;
    }
    if (len)
        memcpy(m->data + m->len, buf, len);
    m->len += len;
    return 0;
}

/* Hands the buffer over (never NULL on success), or wipes and frees it. */
static int membuf_result(membuf *m, int err, uint8_t **out, size_t *out_len)
{
    if (!err && !m->data) { /* empty output: still a buffer to free */
        m->data = malloc(1);
        m->cap = m->data ? 1 : 0;
        if (!m->data)
            err = SHROUD_ERR_NOMEM;
    }
    if (err) {
        if (m->secret)
            prim_wipe(m->data, m->cap);
        free(m->data);
        return err == SHROUD_ERR_CANCELLED ? SHROUD_ERR_NOMEM : err;
    }
    *out = m->data;
    *out_len = m->len;
    return SHROUD_OK;
}

/* The one-shot sealer behind shroud_seal and envelope_seal_passphrase. */
static int seal_buffer(const shroud_recipient *const *recipients, size_t n_recipients,
                       const char *pass, size_t pass_len, int log_n, unsigned flags,
                       const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
    if (!out || !out_len || (len && !buf) || (n_recipients && !recipients))
        return SHROUD_ERR_ARGUMENT;
    membuf m = {0};
    shroud_sealer *s = NULL;
    int err = shroud_sealer_new(&s, flags, membuf_write, &m);
    for (size_t i = 0; !err && i < n_recipients; i++)
        err = shroud_sealer_add_recipient(s, recipients[i]);
    if (!err && pass)
        err = shroud_sealer_add_passphrase(s, pass, pass_len, log_n);
    if (!err)
        err = shroud_sealer_write(s, buf, len);
    if (!err)
        err = shroud_sealer_finish(s);
    shroud_sealer_free(s);
    return membuf_result(&m, err, out, out_len);
}

int shroud_seal(const shroud_recipient *const *recipients, size_t n_recipients, const char *pass,
                size_t pass_len, unsigned flags, const uint8_t *buf, size_t len, uint8_t **out,
                size_t *out_len)
{
    return seal_buffer(recipients, n_recipients, pass, pass_len, 0, flags, buf, len, out, out_len);
}

int envelope_seal_passphrase(const char *pass, size_t pass_len, int log_n, unsigned flags,
                             const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
    return seal_buffer(NULL, 0, pass, pass_len, log_n, flags, buf, len, out, out_len);
}

int shroud_open(const shroud_identity *const *ids, size_t n_ids, shroud_passphrase_fn ask,
                void *ask_ctx, unsigned flags, const uint8_t *buf, size_t len, uint8_t **out,
                size_t *out_len)
{
    if (!out || !out_len || (len && !buf) || (n_ids && !ids))
        return SHROUD_ERR_ARGUMENT;
    membuf m = {.secret = 1};
    shroud_opener *o = NULL;
    int err = shroud_opener_new(&o, flags, membuf_write, &m);
    for (size_t i = 0; !err && i < n_ids; i++)
        err = shroud_opener_add_identity(o, ids[i]);
    if (!err)
        shroud_opener_set_passphrase_fn(o, ask, ask_ctx);
    if (!err)
        err = shroud_opener_write(o, buf, len);
    if (!err)
        err = shroud_opener_finish(o);
    shroud_opener_free(o);
    return membuf_result(&m, err, out, out_len);
}
