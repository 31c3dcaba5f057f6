/* stego_reveal.c — shroud_stego_reveal and the tutorial layout reader. */
#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"
#include "stego/cover.h"
#include "stego/stego_internal.h"

typedef struct {
    const char *pass;
    size_t len;
} given_passphrase;

static int give_passphrase(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    (void)purpose;
    const given_passphrase *g = ctx;
    if (g->len > cap)
        return 1;
    memcpy(buf, g->pass, g->len);
    *len = g->len;
    return 0;
}

/* Extracts with keys and opens what was found. SHROUD_ERR_NO_MESSAGE when
 * nothing is there or nothing opens; other errors (memory) as they are. */
static int try_keys(const shroud_cover *c, int salted, const stego_keys *keys,
                    const shroud_identity *const *ids, size_t n_ids, const given_passphrase *g,
                    uint8_t **out, size_t *out_len)
{
    uint8_t *env = NULL;
    size_t env_len = 0;
    int err = stego_extract(c->img, &c->cells, salted, keys, &env, &env_len);
    if (err)
        return err;
    err =
        shroud_open(salted ? NULL : ids, salted ? 0 : n_ids, salted ? give_passphrase : NULL,
                    salted ? (void *)g : NULL, SHROUD_FLAG_HEADERLESS, env, env_len, out, out_len);
    free(env);
    if (err == SHROUD_ERR_NOMEM || err == SHROUD_ERR_CRYPTO || err == SHROUD_ERR_RANDOM)
        return err;
    return err ? SHROUD_ERR_NO_MESSAGE : SHROUD_OK;
}

static int try_passphrase(const shroud_cover *c, const char *pass, size_t pass_len, uint8_t **out,
                          size_t *out_len)
{
    uint8_t salt[STEGO_SALT_BYTES];
    stego_keys keys;
    int err = stego_read_salt(c->img, &c->cells, salt);
    if (!err)
        err = stego_keys_from_passphrase(pass, pass_len, salt, &keys);
    given_passphrase g = {pass, pass_len};
    if (!err)
        err = try_keys(c, 1, &keys, NULL, 0, &g, out, out_len);
    prim_wipe(&keys, sizeof keys);
    return err;
}

static int try_recipient(const shroud_cover *c, const shroud_recipient *r,
                         const shroud_identity *const *ids, size_t n_ids, uint8_t **out,
                         size_t *out_len)
{
    stego_keys keys;
    int err = stego_keys_from_recipient(r, &keys);
    if (!err)
        err = try_keys(c, 0, &keys, ids, n_ids, NULL, out, out_len);
    prim_wipe(&keys, sizeof keys);
    return err;
}

static int reveal(const shroud_cover *c, const shroud_identity *const *ids, size_t n_ids,
                  const shroud_recipient *const *position_keys, size_t n_position_keys,
                  const char *pass, size_t pass_len, uint8_t **out, size_t *out_len)
{
    int err = SHROUD_ERR_NO_MESSAGE;
    if (pass)
        err = try_passphrase(c, pass, pass_len, out, out_len);
    for (size_t i = 0; err == SHROUD_ERR_NO_MESSAGE && i < n_ids; i++) {
        shroud_recipient *own = NULL;
        err = shroud_identity_recipient(ids[i], &own);
        if (!err)
            err = try_recipient(c, own, ids, n_ids, out, out_len);
        shroud_recipient_free(own);
    }
    for (size_t i = 0; err == SHROUD_ERR_NO_MESSAGE && n_ids && i < n_position_keys; i++)
        err = try_recipient(c, position_keys[i], ids, n_ids, out, out_len);
    return err;
}

int shroud_stego_reveal(const uint8_t *image, size_t len, const shroud_identity *const *ids,
                        size_t n_ids, const shroud_recipient *const *position_keys,
                        size_t n_position_keys, const char *pass, size_t pass_len, uint8_t **out,
                        size_t *out_len)
{
    if (!image || !out || !out_len || (n_ids && !ids) || (n_position_keys && !position_keys) ||
        (!pass && !n_ids))
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    *out_len = 0;
    shroud_cover *c = NULL;
    int err = shroud_cover_new(&c, image, len);
    if (!err)
        err = reveal(c, ids, n_ids, position_keys, n_position_keys, pass, pass_len, out, out_len);
    shroud_cover_free(c);
    return err;
}

int shroud_stego_read_lsb(const uint8_t *image, size_t len, size_t n_bytes, uint8_t **out)
{
    if (!image || !out)
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    png_raster *img = NULL;
    int err = stego_image_decode_any(image, len, &img);
    if (err)
        return err;
    size_t samples = (size_t)img->width * img->height * img->channels;
    uint8_t *bytes = NULL;
    if (n_bytes > samples / 8)
        err = SHROUD_ERR_CAPACITY; /* checked before allocating n_bytes */
    else if (!(bytes = calloc(n_bytes ? n_bytes : 1, 1)))
        err = SHROUD_ERR_NOMEM;
    for (size_t k = 0; !err && k < n_bytes * 8; k++)
        bytes[k >> 3] |= (uint8_t)((stego_sample(img, (uint32_t)k) & 1u) << (7 - (k & 7)));
    png_raster_free(img);
    if (err) {
        free(bytes);
        return err;
    }
    *out = bytes;
    return SHROUD_OK;
}
