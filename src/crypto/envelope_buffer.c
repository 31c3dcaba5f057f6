/* envelope_buffer.c — one-shot seal/open of memory buffers. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bytebuf.h"
#include "crypto/envelope.h"
#include "crypto/primitives.h"
#include "shroud.h"

/* The one-shot sealer behind shroud_seal and envelope_seal_passphrase. */
static int seal_buffer(const shroud_recipient *const *recipients, size_t n_recipients,
                       const char *pass, size_t pass_len, int log_n, unsigned flags,
                       const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
    if (!out || !out_len || (len && !buf) || (n_recipients && !recipients))
        return SHROUD_ERR_ARGUMENT;
    bytebuf m = {0};
    shroud_sealer *s = NULL;
    int err = shroud_sealer_new(&s, flags, bytebuf_write, &m);
    for (size_t i = 0; !err && i < n_recipients; i++)
        err = shroud_sealer_add_recipient(s, recipients[i]);
    if (!err && pass)
        err = shroud_sealer_add_passphrase(s, pass, pass_len, log_n);
    if (!err)
        err = shroud_sealer_write(s, buf, len);
    if (!err)
        err = shroud_sealer_finish(s);
    shroud_sealer_free(s);
    return bytebuf_finish(&m, err, out, out_len);
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
    bytebuf m = {.secret = 1};
    shroud_opener *o = NULL;
    int err = shroud_opener_new(&o, flags, bytebuf_write, &m);
    for (size_t i = 0; !err && i < n_ids; i++)
        err = shroud_opener_add_identity(o, ids[i]);
    if (!err)
        shroud_opener_set_passphrase_fn(o, ask, ask_ctx);
    if (!err)
        err = shroud_opener_write(o, buf, len);
    if (!err)
        err = shroud_opener_finish(o);
    shroud_opener_free(o);
    return bytebuf_finish(&m, err, out, out_len);
}
