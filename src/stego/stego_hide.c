/* stego_hide.c — shroud_stego_hide: seal, embed, encode the cover with the
 * changes; the cover itself is never changed. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bytebuf.h"
#include "crypto/primitives.h"
#include "stego/stego_internal.h"

/* Seals msg headerless to the recipients, or to the passphrase with the
 * cheap inner work factor (the stego scrypt already gates every guess). */
static int seal(const shroud_recipient *const *recipients, size_t n_recipients, const char *pass,
                size_t pass_len, const uint8_t *msg, size_t msg_len, bytebuf *out)
{
    shroud_sealer *s = NULL;
    int err = shroud_sealer_new(&s, SHROUD_FLAG_HEADERLESS, bytebuf_write, out);
    for (size_t i = 0; !err && i < n_recipients; i++)
        err = shroud_sealer_add_recipient(s, recipients[i]);
    if (!err && pass)
        err = shroud_sealer_add_passphrase(s, pass, pass_len, STEGO_INNER_LOG_N);
    if (!err)
        err = shroud_sealer_write(s, msg, msg_len);
    if (!err)
        err = shroud_sealer_finish(s);
    shroud_sealer_free(s);
    return err;
}

int shroud_stego_hide(const shroud_cover *c, const shroud_recipient *const *recipients,
                      size_t n_recipients, const char *pass, size_t pass_len, const uint8_t *msg,
                      size_t msg_len, uint8_t **out, size_t *out_len, shroud_stego_stats *stats)
{
    if (!c || !out || !out_len || (!msg && msg_len) || (pass != NULL) == (n_recipients != 0) ||
        (n_recipients && !recipients))
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    *out_len = 0;
    int salted = pass != NULL;
    size_t env_len;
    unsigned code_bits;
    int err = stego_envelope_bytes(recipients, n_recipients, salted, msg_len, &env_len);
    if (!err)
        err =
            stego_code_bits_for(c->cells.usable, salted, STEGO_LENGTH_BYTES + env_len, &code_bits);
    if (err)
        return err;

    bytebuf env = {0};
    png_raster *copy = NULL;
    stego_keys keys;
    uint8_t salt[STEGO_SALT_BYTES];
    err = seal(recipients, n_recipients, pass, pass_len, msg ? msg : (const uint8_t *)"", msg_len,
               &env);
    if (!err && env.len != env_len)
        err = SHROUD_ERR_CRYPTO; /* the size formula and the sealer disagree */
    if (!err && salted) {
        err = prim_random(salt, sizeof salt);
        if (!err)
            err = stego_keys_from_passphrase(pass, pass_len, salt, &keys);
    } else if (!err) {
        err = stego_keys_from_recipient(recipients[0], &keys);
    }
    /* A message that changes few samples (most do: one per group at most)
     * is kept as a list of steps the encoder applies row by row: no copy of
     * the cover. A large one (up to one change per sample) is cheaper
     * written into a copy. */
    png_sample_step *steps = NULL;
    size_t n_steps = 0;
    int as_steps = stego_max_changes(salted, env_len, code_bits) * sizeof *steps * 2 <=
                   c->img->stride * c->img->height;
    if (!err && as_steps)
        err = stego_embed_steps(c->img, &c->cells, salted ? salt : NULL, &keys, env.data, env.len,
                                &steps, &n_steps, stats);
    if (!err && !as_steps)
        err = png_raster_clone(c->img, &copy);
    if (!err && !as_steps)
        err = stego_embed(copy, &c->cells, salted ? salt : NULL, &keys, env.data, env.len, stats);
    bytebuf png = {0};
    if (!err)
        err = png_raster_encode_stepped(copy ? copy : c->img, steps, n_steps, NULL, 0, c->png_level,
                                        &png);
    prim_wipe(&keys, sizeof keys);
    if (steps)
        prim_wipe(steps, n_steps * sizeof *steps); /* where the message is */
    free(steps);
    png_raster_free(copy);
    free(env.data);
    return bytebuf_finish(&png, err, out, out_len);
}
