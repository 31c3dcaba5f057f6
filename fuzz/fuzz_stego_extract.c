/*
 * fuzz_stego_extract.c — the hidden-stream reader with arbitrary keys: the
 * cover decoder, the cell cursor, the salt reader and stego_extract (code
 * length, whitened length, Hamming decoding) under keys the fuzzer chooses,
 * so it reaches plausible code lengths and lengths that a fixed key would
 * almost never produce.
 *
 * Input: byte 0 = flags (bit 0: passphrase layout, salt first), bytes
 * 1..64 = the positions key and the stream key (stego_keys), the rest = the
 * image. Checked beyond "no crash": documented error codes only; a stream
 * found is at least the smallest envelope and fits in the image's usable
 * samples; the salt reader agrees with itself.
 * Seeds: stego PNGs with the keys that find their stream (make_image_seeds.sh).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "stego/cells.h"
#include "stego/cover.h"
#include "stego/stego_internal.h"

#define FUZZ_MAX_BYTES (256u * 1024u)
#define HEAD (1 + 2 * KEYSTREAM_KEY_BYTES)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < HEAD || len > FUZZ_MAX_BYTES)
        return 0;
    stego_keys keys;
    memcpy(keys.positions, data + 1, KEYSTREAM_KEY_BYTES);
    memcpy(keys.stream, data + 1 + KEYSTREAM_KEY_BYTES, KEYSTREAM_KEY_BYTES);
    int salted = data[0] & 1;
    size_t n = len - HEAD;
    uint8_t *buf = (uint8_t *)fuzz_copy(data + HEAD, n);
    png_raster *img = NULL;
    int err = stego_image_decode(buf, n, &img);
    FUZZ_CHECK(err <= SHROUD_OK && err >= SHROUD_ERR_COVER);
    if (err == SHROUD_OK && (uint64_t)img->width * img->height <= 256u * 256u) {
        stego_cells cells;
        stego_cells_find(img, &cells);
        FUZZ_CHECK(cells.usable <= cells.samples);
        uint8_t salt[STEGO_SALT_BYTES], again[STEGO_SALT_BYTES];
        int s1 = stego_read_salt(img, &cells, salt), s2 = stego_read_salt(img, &cells, again);
        FUZZ_CHECK(s1 == s2 && (s1 != SHROUD_OK || memcmp(salt, again, sizeof salt) == 0));
        uint8_t *env = NULL;
        size_t env_len = 0;
        err = stego_extract(img, &cells, salted, &keys, &env, &env_len);
        FUZZ_CHECK(err == SHROUD_OK || err == SHROUD_ERR_NO_MESSAGE || err == SHROUD_ERR_NOMEM);
        if (err == SHROUD_OK) {
            FUZZ_CHECK(env != NULL && env_len >= 173 && env_len * 8 <= cells.usable);
            free(env);
        } else {
            FUZZ_CHECK(env == NULL);
        }
    }
    png_raster_free(img);
    free(buf);
    return 0;
}
