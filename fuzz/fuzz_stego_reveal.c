/*
 * fuzz_stego_reveal.c — a stego image from untrusted hands: the cover parser
 * (PNG, BMP), the usable-sample scan, the keyed position draw, the stream
 * reader (code length, encrypted length, Hamming decoding) and the envelope,
 * through shroud_stego_reveal with the fixed native identity; the tutorial
 * layout reader shroud_stego_read_lsb; and, on every input that parses as a
 * cover with room, a hide + reveal round trip of a short message.
 *
 * Checked beyond "no crash": only documented error codes come back; nothing
 * is returned on error; a round trip gives the message back exactly.
 * Inputs whose header claims more than FUZZ_MAX_PIXELS are skipped (the
 * passphrase mode is not tried: one scrypt at 2^17 per input is too slow).
 * Seeds: small stego PNGs made with the fixed keys by make_image_seeds.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#define FUZZ_MAX_PIXELS (128u * 128u)
#define RAW_BYTES 24

static shroud_identity *native_id;
static shroud_recipient *native_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_native_keys(&native_id, &native_key);
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The pixel count a PNG IHDR or BMP header claims; 0 if neither. */
static uint64_t claimed_pixels(const uint8_t *buf, size_t len)
{
    if (len >= 24 && buf[0] == 0x89 && memcmp(buf + 12, "IHDR", 4) == 0) {
        uint64_t w = (uint64_t)buf[16] << 24 | (uint64_t)buf[17] << 16 | buf[18] << 8 | buf[19];
        uint64_t h = (uint64_t)buf[20] << 24 | (uint64_t)buf[21] << 16 | buf[22] << 8 | buf[23];
        return w * h;
    }
    if (len >= 26 && buf[0] == 'B' && buf[1] == 'M') {
        int32_t w = (int32_t)le32(buf + 18), h = (int32_t)le32(buf + 22);
        uint64_t aw = w < 0 ? (uint64_t) - (int64_t)w : (uint64_t)w;
        uint64_t ah = h < 0 ? (uint64_t) - (int64_t)h : (uint64_t)h;
        return aw * ah;
    }
    return 0;
}

static int documented(int err)
{
    return err <= SHROUD_OK && err >= SHROUD_ERR_COVER;
}

static void round_trip(const uint8_t *buf, size_t len)
{
    shroud_cover *c = NULL;
    int err = shroud_cover_new(&c, buf, len);
    FUZZ_CHECK(documented(err));
    if (err)
        return;
    static const uint8_t msg[] = "fuzz";
    const shroud_recipient *to[1] = {native_key};
    size_t cap = 0;
    err = shroud_cover_capacity(c, to, 1, 0, &cap);
    FUZZ_CHECK(err == SHROUD_OK || err == SHROUD_ERR_CAPACITY);
    uint8_t *stego = NULL, *back = NULL;
    size_t stego_len = 0, back_len = 0;
    err = shroud_stego_hide(c, to, 1, NULL, 0, msg, sizeof msg - 1, &stego, &stego_len, NULL);
    FUZZ_CHECK((err == SHROUD_OK) == (cap >= sizeof msg - 1));
    if (err == SHROUD_OK) {
        const shroud_identity *ids[1] = {native_id};
        FUZZ_CHECK(shroud_stego_reveal(stego, stego_len, ids, 1, NULL, 0, NULL, 0, &back,
                                       &back_len) == SHROUD_OK);
        FUZZ_CHECK(back_len == sizeof msg - 1 && memcmp(back, msg, back_len) == 0);
        shroud_free_secret(back, back_len);
    }
    shroud_free(stego);
    shroud_cover_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    uint64_t claimed = claimed_pixels(data, len);
    if (claimed == 0 || claimed > FUZZ_MAX_PIXELS)
        return 0;
    uint8_t *buf = (uint8_t *)fuzz_copy(data, len);
    const shroud_identity *ids[1] = {native_id};
    uint8_t *out = NULL;
    size_t out_len = 0;
    int err = shroud_stego_reveal(buf, len, ids, 1, NULL, 0, NULL, 0, &out, &out_len);
    FUZZ_CHECK(documented(err));
    FUZZ_CHECK(err == SHROUD_OK ? out != NULL : out == NULL);
    if (out)
        shroud_free_secret(out, out_len);
    uint8_t *raw = NULL;
    err = shroud_stego_read_lsb(buf, len, RAW_BYTES, &raw);
    FUZZ_CHECK(documented(err));
    FUZZ_CHECK(err == SHROUD_OK ? raw != NULL : raw == NULL);
    shroud_free(raw);
    round_trip(buf, len);
    free(buf);
    return 0;
}
