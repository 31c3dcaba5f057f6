/* stego_stream.c — laying the hidden stream out over the drawn samples
 * (stego_format.h), and reading it back. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bigendian.h"
#include "crypto/envelope.h"
#include "crypto/primitives.h"
#include "stego/hamming.h"
#include "stego/cells.h"
#include "stego/stego_internal.h"

/* The smallest envelope any writer makes: a header with one scrypt stanza
 * and an empty message. Shorter lengths are noise. */
#define STEGO_MIN_ENVELOPE (1 + 3 + STANZA_SCRYPT_BODY + 32 + STEGO_PAYLOAD_FIXED + 16)

static int xor_keystream(keystream *w, uint8_t *buf, size_t len)
{
    uint8_t block[256];
    while (len) {
        size_t take = len < sizeof block ? len : sizeof block;
        int err = keystream_bytes(w, block, take);
        if (err)
            return err;
        for (size_t i = 0; i < take; i++)
            buf[i] ^= block[i];
        buf += take;
        len -= take;
    }
    return SHROUD_OK;
}

static int start_cursor(stego_cursor *cur, const png_raster *img, const stego_cells *cells,
                        int salted)
{
    int err = stego_cursor_init(cur, img, cells);
    if (err || !salted)
        return err;
    uint8_t key[KEYSTREAM_KEY_BYTES];
    if ((err = stego_salt_key(key)))
        return err;
    return stego_cursor_rekey(cur, key);
}

int stego_read_salt(const png_raster *img, const stego_cells *cells, uint8_t salt[STEGO_SALT_BYTES])
{
    stego_cursor cur;
    int err = start_cursor(&cur, img, cells, 1);
    if (!err)
        err = stego_read_plain(&cur, salt, STEGO_SALT_SAMPLES);
    stego_cursor_free(&cur);
    return err == SHROUD_ERR_CAPACITY ? SHROUD_ERR_NO_MESSAGE : err;
}

/* Past the salt: the cells from here on follow the positions key, and white
 * starts the stream's keystream. */
static int enter_keyed(stego_cursor *cur, const stego_keys *keys, keystream *white)
{
    int err = stego_cursor_rekey(cur, keys->positions);
    if (err)
        return err;
    return keystream_init(white, keys->stream);
}

size_t stego_max_changes(int salted, size_t env_len, unsigned code_bits)
{
    size_t coded = STEGO_LENGTH_BYTES + env_len;
    return (salted ? STEGO_SALT_SAMPLES : 0) + STEGO_CODE_BITS_SAMPLES +
           (coded * 8 + code_bits - 1) / code_bits;
}

/* stego_embed into target (img itself), or, target NULL, into *steps. */
static int embed(const png_raster *img, png_raster *target, const stego_cells *cells,
                 const uint8_t *salt, const stego_keys *keys, const uint8_t *envelope,
                 size_t env_len, png_sample_step **steps, size_t *n_steps,
                 shroud_stego_stats *stats)
{
    if (env_len > UINT32_MAX)
        return SHROUD_ERR_CAPACITY;
    size_t coded = STEGO_LENGTH_BYTES + env_len;
    unsigned p;
    int err = stego_code_bits_for(cells->usable, salt != NULL, coded, &p);
    if (err)
        return err;
    size_t groups = (coded * 8 + p - 1) / p, nbits = groups * p;
    size_t max_steps = target ? 0 : stego_max_changes(salt != NULL, env_len, p);
    png_sample_step *changes = target ? NULL : malloc(max_steps * sizeof *changes);
    uint8_t *buf = calloc(1 + (nbits + 7) / 8, 1);
    if (!buf || (!target && !changes)) {
        free(buf);
        free(changes);
        return SHROUD_ERR_NOMEM;
    }
    buf[0] = (uint8_t)p;
    store_be32(buf + 1, (uint32_t)env_len);
    memcpy(buf + 1 + STEGO_LENGTH_BYTES, envelope, env_len);

    stego_cursor cur;
    memset(&cur, 0, sizeof cur);
    stego_writer w;
    keystream white;
    memset(&w, 0, sizeof w);
    memset(&white, 0, sizeof white);
    err = stego_writer_init(&w, img, target, changes, max_steps, &cur);
    if (!err) /* first: the thread wakes while the work before the coded part is done */
        err = stego_writer_start_helper(&w, cells, groups * stego_code_group(p));
    if (!err)
        err = start_cursor(&cur, img, cells, salt != NULL);
    if (!err && salt)
        err = stego_write_plain(&w, salt, STEGO_SALT_SAMPLES);
    if (!err)
        err = enter_keyed(&cur, keys, &white);
    if (!err)
        err = xor_keystream(&white, buf, 1 + (nbits + 7) / 8);
    if (!err)
        err = stego_write_plain(&w, buf, STEGO_CODE_BITS_SAMPLES);
    if (!err)
        err = stego_write_coded(&w, p, buf + 1, nbits);
    if (!err && stats) {
        stats->usable_samples = cells->usable;
        stats->stream_bits = ((salt ? STEGO_SALT_BYTES : 0) + 1 + coded) * 8;
        stats->samples_used = cells->usable - stego_cursor_remaining(&cur);
        stats->code_bits = p;
        stats->changed_samples = w.changed;
        stats->bits_per_sample =
            cells->usable ? (double)stats->stream_bits / (double)cells->usable : 0;
    }
    keystream_free(&white);
    stego_writer_free(&w);
    stego_cursor_free(&cur);
    free(buf);
    if (!target && !err) {
        *steps = changes;
        *n_steps = w.changed;
    } else {
        if (changes) /* where the message went, in part */
            prim_wipe(changes, w.changed * sizeof *changes);
        free(changes);
    }
    return err;
}

int stego_embed(png_raster *img, const stego_cells *cells, const uint8_t *salt,
                const stego_keys *keys, const uint8_t *envelope, size_t env_len,
                shroud_stego_stats *stats)
{
    return embed(img, img, cells, salt, keys, envelope, env_len, NULL, NULL, stats);
}

int stego_embed_steps(const png_raster *img, const stego_cells *cells, const uint8_t *salt,
                      const stego_keys *keys, const uint8_t *envelope, size_t env_len,
                      png_sample_step **steps, size_t *n_steps, shroud_stego_stats *stats)
{
    *steps = NULL;
    *n_steps = 0;
    return embed(img, NULL, cells, salt, keys, envelope, env_len, steps, n_steps, stats);
}

/* After byte 0: reads the coded part. head holds the first head_groups
 * groups already read; the length in it decides how much more to read. */
static int read_coded_rest(stego_cursor *cur, unsigned p, keystream *white, uint8_t **envelope,
                           size_t *env_len)
{
    size_t n = stego_code_group(p);
    size_t head_groups = (STEGO_LENGTH_BYTES * 8 + p - 1) / p;
    if (head_groups > stego_cursor_remaining(cur) / n)
        return SHROUD_ERR_NO_MESSAGE;
    uint8_t head[(STEGO_LENGTH_BYTES * 8 + STEGO_MAX_CODE_BITS) / 8 + 1] = {0};
    int err = stego_read_coded(cur, p, head, 0, head_groups * p);
    uint8_t mask[STEGO_LENGTH_BYTES];
    if (!err)
        err = keystream_bytes(white, mask, sizeof mask);
    if (err)
        return err;
    uint32_t len = load_be32(head) ^ load_be32(mask);
    size_t coded = STEGO_LENGTH_BYTES + (size_t)len;
    if (len < STEGO_MIN_ENVELOPE || coded > SIZE_MAX / 8 - STEGO_MAX_CODE_BITS)
        return SHROUD_ERR_NO_MESSAGE;
    size_t groups = (coded * 8 + p - 1) / p;
    if (groups - head_groups > stego_cursor_remaining(cur) / n)
        return SHROUD_ERR_NO_MESSAGE;
    uint8_t *buf = calloc((groups * p + 7) / 8, 1);
    if (!buf)
        return SHROUD_ERR_NOMEM;
    memcpy(buf, head, (head_groups * p + 7) / 8);
    err = stego_read_coded(cur, p, buf, head_groups * p, (groups - head_groups) * p);
    if (!err)
        err = xor_keystream(white, buf + STEGO_LENGTH_BYTES, len);
    if (err) {
        free(buf);
        return err;
    }
    memmove(buf, buf + STEGO_LENGTH_BYTES, len);
    *envelope = buf;
    *env_len = len;
    return SHROUD_OK;
}

int stego_extract(const png_raster *img, const stego_cells *cells, int salted,
                  const stego_keys *keys, uint8_t **envelope, size_t *env_len)
{
    stego_cursor cur;
    keystream white;
    memset(&white, 0, sizeof white);
    uint32_t skip[STEGO_SALT_SAMPLES];
    uint8_t code_bits = 0;
    int err = start_cursor(&cur, img, cells, salted);
    if (!err && salted)
        err = stego_cursor_next(&cur, skip, STEGO_SALT_SAMPLES);
    if (!err)
        err = enter_keyed(&cur, keys, &white);
    if (!err)
        err = stego_read_plain(&cur, &code_bits, STEGO_CODE_BITS_SAMPLES);
    if (!err)
        err = xor_keystream(&white, &code_bits, 1);
    if (!err && (code_bits < 1 || code_bits > STEGO_MAX_CODE_BITS))
        err = SHROUD_ERR_NO_MESSAGE;
    if (!err)
        err = read_coded_rest(&cur, code_bits, &white, envelope, env_len);
    keystream_free(&white);
    stego_cursor_free(&cur);
    return err == SHROUD_ERR_CAPACITY ? SHROUD_ERR_NO_MESSAGE : err;
}
