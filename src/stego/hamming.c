/* hamming.c — LSB matching with Hamming matrix embedding. */
#include "stego/hamming.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"
#include "shroud.h"
#include "stego/cover.h"
#include "stego/stego_format.h"

static unsigned get_bit(const uint8_t *bytes, size_t k)
{
    return (bytes[k >> 3] >> (7 - (k & 7))) & 1u;
}

static void set_bit(uint8_t *bytes, size_t k, unsigned bit)
{
    bytes[k >> 3] |= (uint8_t)(bit << (7 - (k & 7)));
}

int stego_writer_init(stego_writer *w, png_raster *img, stego_cursor *cur)
{
    memset(w, 0, sizeof *w);
    w->img = img;
    w->cur = cur;
    int err = stego_group_trace_init(&w->group);
    if (err)
        return err;
    uint8_t key[KEYSTREAM_KEY_BYTES];
    err = prim_random(key, sizeof key);
    if (!err)
        err = keystream_init(&w->directions, key);
    prim_wipe(key, sizeof key);
    return err;
}

void stego_writer_free(stego_writer *w)
{
    keystream_free(&w->directions);
    stego_group_trace_free(&w->group);
}

/* Flips sample s's LSB by +-1, keeping it inside 1 .. max-1. */
static int flip(stego_writer *w, uint32_t s)
{
    uint32_t v = stego_sample(w->img, s), max = stego_sample_max(w->img);
    if (w->dir_left == 0) {
        int err = keystream_bytes(&w->directions, &w->dir_bits, 1);
        if (err)
            return err;
        w->dir_left = 8;
    }
    unsigned up = w->dir_bits & 1u;
    w->dir_bits >>= 1;
    w->dir_left--;
    if (v <= 1)
        up = 1;
    else if (v >= max - 1)
        up = 0;
    stego_set_sample(w->img, s, up ? v + 1 : v - 1);
    w->changed++;
    return SHROUD_OK;
}

int stego_write_plain(stego_writer *w, const uint8_t *bytes, size_t nbits)
{
    for (size_t k = 0; k < nbits; k++) {
        uint32_t at;
        int err = stego_cursor_next(w->cur, &at, 1);
        if (!err && (stego_sample(w->img, at) & 1u) != get_bit(bytes, k))
            err = flip(w, at);
        if (err)
            return err;
    }
    return SHROUD_OK;
}

int stego_write_coded(stego_writer *w, unsigned code_bits, const uint8_t *bytes, size_t nbits)
{
    size_t n = stego_code_group(code_bits);
    for (size_t k = 0; k < nbits; k += code_bits) {
        uint32_t value;
        int err = stego_cursor_group(w->cur, n, &w->group, &value);
        if (err)
            return err;
        uint32_t want = 0;
        for (unsigned b = 0; b < code_bits; b++)
            want = want << 1 | get_bit(bytes, k + b);
        uint32_t d = value ^ want;
        if (d && (err = flip(w, stego_group_trace_sample(&w->group, d))))
            return err;
    }
    return SHROUD_OK;
}

int stego_read_plain(stego_cursor *cur, uint8_t *bytes, size_t nbits)
{
    memset(bytes, 0, (nbits + 7) / 8);
    for (size_t k = 0; k < nbits; k++) {
        uint32_t at;
        int err = stego_cursor_next(cur, &at, 1);
        if (err)
            return err;
        set_bit(bytes, k, stego_sample(cur->img, at) & 1u);
    }
    return SHROUD_OK;
}

int stego_read_coded(stego_cursor *cur, unsigned code_bits, uint8_t *bytes, size_t at_bit,
                     size_t nbits)
{
    size_t n = stego_code_group(code_bits);
    for (size_t k = 0; k < nbits; k += code_bits) {
        uint32_t value;
        int err = stego_cursor_group(cur, n, NULL, &value);
        if (err)
            return err;
        for (unsigned b = 0; b < code_bits; b++)
            set_bit(bytes, at_bit + k + b, (value >> (code_bits - 1 - b)) & 1u);
    }
    return SHROUD_OK;
}
