/*
 * stego_internal.h — what the steganography files share (internal).
 */
#ifndef SHROUD_STEGO_INTERNAL_H
#define SHROUD_STEGO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "image/png_raster.h"
#include "shroud.h"
#include "stego/cells.h"
#include "stego/stego_format.h"

/* The chunked payload's fixed part: salt and key commitment. */
#define STEGO_PAYLOAD_FIXED (24 + 32)

struct shroud_cover {
    png_raster *img;
    stego_cells cells;
    int png_level;
};

/* Bytes of the headerless envelope for that mode and message length. */
int stego_envelope_bytes(const shroud_recipient *const *recipients, size_t n_recipients,
                         int passphrase, size_t msg_len, size_t *out);

/* The largest code (most bits per group) with which coded_bytes fit in
 * `samples` usable samples after the fixed ones (code length, and in
 * passphrase mode the salt with the rest of its cell);
 * SHROUD_ERR_CAPACITY if none. */
int stego_code_bits_for(size_t samples, int passphrase, size_t coded_bytes, unsigned *code_bits);

/* Hides an already sealed headerless envelope with the given keys (and, in
 * passphrase mode, the salt, written at the public positions). img is
 * changed in place; cells are its cells (stego_cells_find). For tests and
 * benchmarks that fix the keys. */
int stego_embed(png_raster *img, const stego_cells *cells,
                const uint8_t *salt /* NULL: recipient mode */, const stego_keys *keys,
                const uint8_t *envelope, size_t env_len, shroud_stego_stats *stats);

/* stego_embed without touching img: the changes come back as steps
 * (png_raster.h; *steps to free with free(), *n_steps of them, at most
 * stego_max_changes) for png_raster_encode_stepped or
 * png_raster_apply_steps. The same changes stego_embed makes, given the
 * same direction keystream. */
int stego_embed_steps(const png_raster *img, const stego_cells *cells, const uint8_t *salt,
                      const stego_keys *keys, const uint8_t *envelope, size_t env_len,
                      png_sample_step **steps, size_t *n_steps, shroud_stego_stats *stats);

/* The most samples an embedding of env_len bytes with that code changes:
 * one per plain bit (salt, code length) and one per group. */
size_t stego_max_changes(int salted, size_t env_len, unsigned code_bits);

/* Reads the stream at the positions of `keys` (after the salt positions
 * when salted): *envelope (free with free()) when the code length and
 * length are plausible, SHROUD_ERR_NO_MESSAGE when not. */
int stego_extract(const png_raster *img, const stego_cells *cells, int salted,
                  const stego_keys *keys, uint8_t **envelope, size_t *env_len);

/* Reads the salt at the public positions. */
int stego_read_salt(const png_raster *img, const stego_cells *cells,
                    uint8_t salt[STEGO_SALT_BYTES]);

#endif
