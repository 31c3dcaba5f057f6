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

int stego_writer_init(stego_writer *w, const png_raster *img, png_raster *target,
                      png_sample_step *steps, size_t max_steps, stego_cursor *cur)
{
    memset(w, 0, sizeof *w);
    w->img = img;
    w->target = target;
    w->steps = steps;
    w->max_steps = max_steps;
    w->cur = cur;
    uint8_t key[KEYSTREAM_KEY_BYTES];
    int err = prim_random(key, sizeof key);
    if (!err)
        err = keystream_init(&w->directions, key);
    prim_wipe(key, sizeof key);
    return err;
}

void stego_writer_free(stego_writer *w)
{
    keystream_free(&w->directions);
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
    if (w->target) {
        stego_set_sample(w->target, s, up ? v + 1 : v - 1);
    } else {
        if (w->changed == w->max_steps)
            return SHROUD_ERR_STATE; /* the caller's bound is wrong */
        w->steps[w->changed] = s | (up ? PNG_STEP_UP : 0);
    }
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

/* code_bits bits of bytes from bit `at` on, most significant first. */
static uint32_t get_bits(const uint8_t *bytes, size_t at, unsigned code_bits)
{
    uint32_t v = 0;
    while (code_bits) {
        unsigned in_byte = 8 - (unsigned)(at & 7), take = in_byte < code_bits ? in_byte : code_bits;
        v = v << take | ((uint32_t)bytes[at >> 3] >> (in_byte - take) & ((1u << take) - 1));
        at += take;
        code_bits -= take;
    }
    return v;
}

/* The low code_bits bits of v into bytes from bit `at` on (those bits zero
 * before), most significant first. */
static void put_bits(uint8_t *bytes, size_t at, unsigned code_bits, uint32_t v)
{
    while (code_bits) {
        unsigned in_byte = 8 - (unsigned)(at & 7), take = in_byte < code_bits ? in_byte : code_bits;
        code_bits -= take;
        bytes[at >> 3] |= (uint8_t)((v >> code_bits & ((1u << take) - 1)) << (in_byte - take));
        at += take;
    }
}

typedef struct {
    stego_writer *w;
    const uint8_t *bytes;
    unsigned code_bits;
    size_t done;  /* groups written */
    size_t entry; /* run->cell entry of the last change */
} coded_writer;

/* The run hook of the writer: at most one change per group, in a cell the
 * run has just read. */
static int write_groups(void *ctx, const stego_run *run, size_t groups)
{
    coded_writer *c = ctx;
    size_t n = stego_code_group(c->code_bits);
    for (; c->done < groups; c->done++) {
        size_t g = c->done;
        uint32_t d =
            stego_run_value(run, g * n, n) ^ get_bits(c->bytes, g * c->code_bits, c->code_bits);
        if (!d)
            continue;
        size_t i = g * n + d - 1;
        c->entry = stego_run_entry(run, i, c->entry);
        int err = flip(c->w, stego_run_sample_at(run, c->entry, i));
        if (err)
            return err;
    }
    return SHROUD_OK;
}

int stego_write_coded(stego_writer *w, unsigned code_bits, const uint8_t *bytes, size_t nbits)
{
    size_t n = stego_code_group(code_bits), groups = nbits / code_bits;
    coded_writer c = {w, bytes, code_bits, 0, 0};
    stego_run_hook hook = {n, write_groups, &c};
    stego_run run;
    int err = stego_cursor_run(w->cur, groups * n, &hook, &run);
    stego_run_free(&run);
    return err;
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

typedef struct {
    uint8_t *bytes;
    size_t at;
    unsigned code_bits;
    size_t done; /* groups read */
} coded_reader;

static int read_groups(void *ctx, const stego_run *run, size_t groups)
{
    coded_reader *c = ctx;
    size_t n = stego_code_group(c->code_bits);
    for (; c->done < groups; c->done++)
        put_bits(c->bytes, c->at + c->done * c->code_bits, c->code_bits,
                 stego_run_value(run, c->done * n, n));
    return SHROUD_OK;
}

int stego_read_coded(stego_cursor *cur, unsigned code_bits, uint8_t *bytes, size_t at_bit,
                     size_t nbits)
{
    size_t n = stego_code_group(code_bits), groups = nbits / code_bits;
    coded_reader c = {bytes, at_bit, code_bits, 0};
    stego_run_hook hook = {n, read_groups, &c};
    stego_run run;
    int err = stego_cursor_run(cur, groups * n, &hook, &run);
    stego_run_free(&run);
    return err;
}
