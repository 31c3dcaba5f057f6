/* cells.c — cells of samples and the cursor that walks them. */
#include "stego/cells.h"

#include <string.h>

#include "shroud.h"
#include "stego/cover.h"
#include "stego/window64.h"

static inline int usable(const stego_cursor *cur, uint32_t s, unsigned c)
{
    return stego_usable(cur->img, &cur->layout, s, c);
}

/* 8-bit samples without alpha: usable means neither 0 nor 255. */
static inline int plain8(const stego_cursor *cur)
{
    return cur->img->sample_bytes == 1 && !cur->layout.alpha;
}

void stego_cells_find(const png_raster *img, stego_cells *cells)
{
    stego_layout l = stego_layout_of(img);
    size_t samples = (size_t)img->width * img->height * img->channels, count = 0;
    if (img->sample_bytes == 1 && !l.alpha) {
        const uint8_t *px = img->pixels;
        for (size_t s = 0; s < samples; s++)
            count += (uint8_t)(px[s] - 1) < 254; /* 1 .. 254 */
    } else {
        for (size_t s = 0; s < samples; s++)
            count += (size_t)stego_usable(img, &l, (uint32_t)s, (unsigned)(s % l.channels));
    }
    cells->samples = samples;
    cells->n = (samples + STEGO_CELL_SAMPLES - 1) / STEGO_CELL_SAMPLES;
    cells->usable = count;
}

int stego_cursor_init(stego_cursor *cur, const png_raster *img, const stego_cells *cells)
{
    memset(cur, 0, sizeof *cur);
    cur->img = img;
    cur->layout = stego_layout_of(img);
    cur->cells = cells;
    return positions_init_identity(&cur->order, cells->n);
}

/* Counts the usable samples left in the current cell and leaves it. */
static void skip_cell(stego_cursor *cur)
{
    for (uint32_t s = cur->sample; s < cur->end; s++)
        cur->passed += (size_t)usable(cur, s, s % cur->layout.channels);
    cur->sample = cur->end;
}

int stego_cursor_rekey(stego_cursor *cur, const uint8_t key[KEYSTREAM_KEY_BYTES])
{
    if (cur->lookahead)
        return SHROUD_ERR_STATE; /* cells were drawn ahead with the old key */
    skip_cell(cur);
    return positions_rekey(&cur->order, key);
}

void stego_cursor_lookahead(stego_cursor *cur)
{
    cur->lookahead = 1;
}

size_t stego_cursor_remaining(const stego_cursor *cur)
{
    return cur->cells->usable - cur->passed;
}

/* Cells drawn ahead and prefetched once the key is final: the cells are
 * scattered over an image larger than the caches, so each one is a memory
 * access the walk would otherwise wait for. */
#define CELL_LOOKAHEAD 8

/* Enters the next cell of the order; SHROUD_ERR_CAPACITY after the last. */
static int next_cell(stego_cursor *cur)
{
    positions *order = &cur->order;
    if (cur->taken == order->n)
        return SHROUD_ERR_CAPACITY;
    size_t want = cur->taken + 1 + (cur->lookahead ? CELL_LOOKAHEAD : 0);
    if (want > order->n)
        want = order->n;
    if (order->drawn < want) {
        const uint32_t *drawn;
        int err = positions_draw(order, want - order->drawn, &drawn);
        if (err)
            return err;
        if (cur->lookahead && want == cur->taken + 1 + CELL_LOOKAHEAD) {
            const uint8_t *ahead = cur->img->pixels + (size_t)order->order[want - 1] *
                                                          STEGO_CELL_SAMPLES *
                                                          cur->img->sample_bytes;
            __builtin_prefetch(ahead);
            __builtin_prefetch(ahead + 63);
        }
    }
    size_t start = (size_t)order->order[cur->taken++] * STEGO_CELL_SAMPLES;
    size_t end = start + STEGO_CELL_SAMPLES;
    cur->sample = (uint32_t)start;
    cur->end = (uint32_t)(end < cur->cells->samples ? end : cur->cells->samples);
    return SHROUD_OK;
}

/* The next usable sample into *out. */
static inline int next_sample(stego_cursor *cur, uint32_t *out)
{
    for (;;) {
        while (cur->sample < cur->end) {
            uint32_t s = cur->sample++;
            if (usable(cur, s, s % cur->layout.channels)) {
                cur->passed++;
                *out = s;
                return SHROUD_OK;
            }
        }
        int err = next_cell(cur);
        if (err)
            return err;
    }
}

int stego_cursor_next(stego_cursor *cur, uint32_t *out, size_t k)
{
    if (k > stego_cursor_remaining(cur))
        return SHROUD_ERR_CAPACITY;
    for (size_t i = 0; i < k; i++) {
        int err = next_sample(cur, &out[i]);
        if (err)
            return err;
    }
    return SHROUD_OK;
}

/* Samples s .. end-1 of an 8-bit image without alpha into a group whose
 * next index is *index: when `checked`, stops after index n. */
static inline uint32_t walk8(const uint8_t *px, uint32_t s, uint32_t end, uint32_t *index,
                             uint32_t n, uint32_t *at, uint32_t *value, int checked)
{
    uint32_t v = *value, i = *index;
    for (; s < end && (!checked || i <= n); s++) {
        uint8_t b = px[s];
        uint32_t use = (uint8_t)(b - 1) < 254;
        if (at)
            at[i - 1] = s; /* overwritten until a usable sample keeps it */
        v ^= i & (0u - (use & b));
        i += use;
    }
    *value = v;
    *index = i;
    return s;
}

/* A rest of cell [s, end) that lies inside the group and is all usable,
 * 64 samples at a time (window64.h): 1 with *index and *value advanced, 0
 * when the window does not apply (then walk8 does it). */
static inline int window8(const uint8_t *px, size_t samples, uint32_t s, uint32_t end,
                          uint32_t *index, uint32_t *at, uint32_t *value)
{
    uint32_t len = end - s;
    if ((size_t)s + 64 > samples || len == 0)
        return 0;
    uint64_t usable, lsb, in = len == 64 ? ~0ull : (1ull << len) - 1;
    window64_masks(px + s, &usable, &lsb);
    if ((usable & in) != in)
        return 0;
    *value ^= window64_xor(*index, lsb & in);
    if (at)
        for (uint32_t k = 0; k < len; k++)
            at[*index - 1 + k] = s + k;
    *index += len;
    return 1;
}

/* The plain8 walk of stego_cursor_group: n usable samples, listed in at
 * when at is not NULL, their Hamming value in *value. */
static int group_plain8(stego_cursor *cur, size_t n, uint32_t *at, uint32_t *value)
{
    const uint8_t *px = cur->img->pixels;
    size_t samples = cur->cells->samples;
    uint32_t v = 0, index = 1, last = (uint32_t)n;
    while (index <= last) {
        if (cur->sample == cur->end) {
            int err = next_cell(cur);
            if (err)
                return err;
        }
        /* A rest of cell that cannot finish the group needs no index check. */
        int checked = cur->end - cur->sample > last - index;
        if (checked)
            cur->sample = walk8(px, cur->sample, cur->end, &index, last, at, &v, 1);
        else if (window8(px, samples, cur->sample, cur->end, &index, at, &v))
            cur->sample = cur->end;
        else
            cur->sample = walk8(px, cur->sample, cur->end, &index, last, at, &v, 0);
    }
    cur->passed += n;
    *value = v;
    return SHROUD_OK;
}

int stego_cursor_group(stego_cursor *cur, size_t n, uint32_t *at, uint32_t *value)
{
    if (n > stego_cursor_remaining(cur))
        return SHROUD_ERR_CAPACITY;
    if (plain8(cur))
        return group_plain8(cur, n, at, value);
    uint32_t v = 0;
    for (uint32_t index = 1; index <= n; index++) {
        uint32_t s;
        int err = next_sample(cur, &s);
        if (err)
            return err;
        if (at)
            at[index - 1] = s;
        v ^= index & (0u - (stego_sample(cur->img, s) & 1u));
    }
    *value = v;
    return SHROUD_OK;
}

void stego_cursor_free(stego_cursor *cur)
{
    if (!cur)
        return;
    positions_free(&cur->order);
    memset(cur, 0, sizeof *cur);
}
