/* stego_cover.c — the public cover handle: parsing, usable samples, sizes. */
#include <openssl/evp.h>
#include <stdlib.h>

#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "stego/cover.h"
#include "stego/stego_format.h"
#include "stego/stego_internal.h"

int shroud_cover_new(shroud_cover **out, const uint8_t *image, size_t len)
{
    if (!out || !image)
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    shroud_cover *c = calloc(1, sizeof *c);
    if (!c)
        return SHROUD_ERR_NOMEM;
    c->png_level = SHROUD_STEGO_DEFAULT_PNG_LEVEL;
    int err = stego_image_decode(image, len, &c->img);
    if (!err) /* with each cell's count: hide splits its embedding in two */
        err = stego_cells_count(c->img, &c->cells);
    if (err) {
        shroud_cover_free(c);
        return err;
    }
    *out = c;
    return SHROUD_OK;
}

int shroud_cover_info(const shroud_cover *c, uint32_t *width, uint32_t *height,
                      size_t *usable_samples)
{
    if (!c)
        return SHROUD_ERR_ARGUMENT;
    if (width)
        *width = c->img->width;
    if (height)
        *height = c->img->height;
    if (usable_samples)
        *usable_samples = c->cells.usable;
    return SHROUD_OK;
}

int shroud_cover_png_level(shroud_cover *c, int level)
{
    if (!c || level < 1 || level > 12)
        return SHROUD_ERR_ARGUMENT;
    c->png_level = level;
    return SHROUD_OK;
}

void shroud_cover_free(shroud_cover *c)
{
    if (!c)
        return;
    png_raster_free(c->img);
    stego_cells_free(&c->cells);
    free(c);
}

/* Bytes of a headerless envelope of msg_len bytes with these stanzas. */
static int envelope_bytes(const shroud_recipient *const *recipients, size_t n_recipients,
                          int passphrase, size_t msg_len, size_t *out)
{
    if ((passphrase != 0) == (n_recipients != 0) || n_recipients > ENVELOPE_MAX_STANZAS)
        return SHROUD_ERR_ARGUMENT;
    size_t header = 1 + ENVELOPE_MAC_BYTES;
    if (passphrase)
        header += 3 + STANZA_SCRYPT_BODY;
    for (size_t i = 0; i < n_recipients; i++) {
        if (!recipients[i])
            return SHROUD_ERR_ARGUMENT;
        if (recipients[i]->kind == SHROUD_KEY_RSA)
            header += 3 + (size_t)EVP_PKEY_get_size(recipients[i]->rsa);
        else
            header += 3 + STANZA_X25519_BODY;
    }
    size_t chunks = msg_len / SHROUD_CHUNK_BYTES + 1;
    if (msg_len > SIZE_MAX / 2)
        return SHROUD_ERR_LIMIT;
    *out = header + STEGO_PAYLOAD_FIXED + msg_len + chunks * GCM_TAG_BYTES;
    return SHROUD_OK;
}

int stego_envelope_bytes(const shroud_recipient *const *recipients, size_t n_recipients,
                         int passphrase, size_t msg_len, size_t *out)
{
    return envelope_bytes(recipients, n_recipients, passphrase, msg_len, out);
}

int shroud_stego_stream_bytes(const shroud_recipient *const *recipients, size_t n_recipients,
                              int passphrase, size_t msg_len, size_t *stream_bytes)
{
    if (!stream_bytes)
        return SHROUD_ERR_ARGUMENT;
    size_t env;
    int err = envelope_bytes(recipients, n_recipients, passphrase, msg_len, &env);
    if (err)
        return err;
    *stream_bytes = (passphrase ? STEGO_SALT_BYTES : 0) + 1 + STEGO_LENGTH_BYTES + env;
    return SHROUD_OK;
}

int stego_code_bits_for(size_t samples, int passphrase, size_t coded_bytes, unsigned *code_bits)
{
    size_t fixed = (passphrase ? STEGO_SALT_RESERVE : 0) + STEGO_CODE_BITS_SAMPLES;
    if (samples < fixed || coded_bytes > (SIZE_MAX - 16) / 8)
        return SHROUD_ERR_CAPACITY;
    size_t room = samples - fixed, bits = coded_bytes * 8;
    for (unsigned p = STEGO_MAX_CODE_BITS; p >= 1; p--) {
        size_t groups = (bits + p - 1) / p;
        if (groups <= room / stego_code_group(p)) {
            *code_bits = p;
            return SHROUD_OK;
        }
    }
    return SHROUD_ERR_CAPACITY;
}

int shroud_cover_capacity(const shroud_cover *c, const shroud_recipient *const *recipients,
                          size_t n_recipients, int passphrase, size_t *msg_bytes)
{
    if (!c || !msg_bytes)
        return SHROUD_ERR_ARGUMENT;
    size_t env0;
    int err = envelope_bytes(recipients, n_recipients, passphrase, 0, &env0);
    if (err)
        return err;
    size_t fixed = (passphrase ? STEGO_SALT_RESERVE : 0) + STEGO_CODE_BITS_SAMPLES;
    size_t samples = c->cells.usable;
    size_t room = samples > fixed ? (samples - fixed) / 8 : 0; /* coded bytes at 1 bit */
    if (room < STEGO_LENGTH_BYTES + env0) {
        *msg_bytes = 0;
        return SHROUD_ERR_CAPACITY;
    }
    /* The envelope grows with the message: the largest m with
     * 4 + envelope(m) <= room, by bisection. */
    size_t lo = 0, hi = room;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2, env;
        if ((err = envelope_bytes(recipients, n_recipients, passphrase, mid, &env)))
            return err;
        if (STEGO_LENGTH_BYTES + env <= room)
            lo = mid;
        else
            hi = mid - 1;
    }
    *msg_bytes = lo;
    return SHROUD_OK;
}
