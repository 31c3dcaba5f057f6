/* cells.c — cells of samples and the cursor that walks them. */
#include "stego/cells.h"

#include <stdlib.h>
#include <string.h>

#include "shroud.h"
#include "stego/cover.h"
#include "stego/stego_format.h"
#include "stego/window64.h"

/* x86-64 processors since 2008 count bits in one instruction (popcnt), but
 * the x86-64 baseline does not have it: the per-cell walk and the usable
 * count are compiled twice, and the loader picks the popcnt copy where the
 * processor has it. Elsewhere, one plain copy. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#endif
#endif
#ifndef POPCNT_CLONES
#define POPCNT_CLONES
#endif

/* The bits of `bits` at the set bits of mask, packed to the bottom in order
 * (BMI2's pext): for cells with unusable samples, which take no index. */
static uint64_t compact_bits_plain(uint64_t bits, uint64_t mask)
{
    uint64_t out = 0;
    for (unsigned k = 0; mask; mask &= mask - 1, k++)
        out |= (bits >> __builtin_ctzll(mask) & 1u) << k;
    return out;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

__attribute__((target("bmi2"))) static uint64_t compact_bits_bmi2(uint64_t bits, uint64_t mask)
{
    return _pext_u64(bits, mask);
}

static int have_bmi2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("bmi2");
}
#else
static uint64_t compact_bits_bmi2(uint64_t bits, uint64_t mask)
{
    return compact_bits_plain(bits, mask);
}

static int have_bmi2(void)
{
    return 0;
}
#endif

static inline int usable(const stego_cursor *cur, uint32_t s, unsigned c)
{
    return stego_usable(cur->img, &cur->layout, s, c);
}

/* 8-bit samples without alpha: usable means neither 0 nor 255. */
static inline int plain8(const stego_cursor *cur)
{
    return cur->img->sample_bytes == 1 && !cur->layout.alpha;
}

POPCNT_CLONES static size_t count_usable8(const uint8_t *px, size_t samples)
{
    size_t count = 0, s = 0;
    for (; s + STEGO_CELL_SAMPLES <= samples; s += STEGO_CELL_SAMPLES) {
        uint64_t use, lsb;
        window64_masks(px + s, &use, &lsb);
        count += (size_t)__builtin_popcountll(use);
    }
    for (; s < samples; s++)
        count += (uint8_t)(px[s] - 1) < 254; /* 1 .. 254 */
    return count;
}

void stego_cells_find(const png_raster *img, stego_cells *cells)
{
    stego_layout l = stego_layout_of(img);
    size_t samples = (size_t)img->width * img->height * img->channels, count = 0;
    if (img->sample_bytes == 1 && !l.alpha) {
        count = count_usable8(img->pixels, samples);
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
    cur->bmi2 = have_bmi2();
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

/* The usable and LSB masks of the cell that starts at sample `cell` of an
 * 8-bit image without alpha (window64.h); the short last cell has no bits
 * past the image's end. */
static inline void cell_masks8(const uint8_t *px, size_t samples, uint32_t cell, uint64_t *usable,
                               uint64_t *lsb)
{
    if ((size_t)cell + STEGO_CELL_SAMPLES <= samples) {
        window64_masks(px + cell, usable, lsb);
        return;
    }
    uint64_t u = 0, l = 0;
    for (uint32_t k = 0; cell + k < samples; k++) {
        uint64_t use = (uint8_t)(px[cell + k] - 1) < 254;
        u |= use << k;
        l |= (use & px[cell + k]) << k;
    }
    *usable = u;
    *lsb = l;
}

/* mask without its `drop` highest set bits (drop < popcount(mask)). */
static inline uint64_t drop_high_bits(uint64_t mask, unsigned drop)
{
    while (drop--)
        mask &= ~(1ull << (63 - __builtin_clzll(mask)));
    return mask;
}

/* The plain8 walk of stego_cursor_group, a cell at a time: the cell's
 * masks, the usable samples from the cursor on (as many as the group still
 * needs), and their share of the Hamming value from parities
 * (window64_xor) instead of sample by sample. */
POPCNT_CLONES static int group_plain8(stego_cursor *cur, size_t n, stego_group_trace *trace,
                                      uint32_t *value)
{
    const uint8_t *px = cur->img->pixels;
    size_t samples = cur->cells->samples, spans = 0;
    uint32_t v = 0, index = 1, last = (uint32_t)n;
    while (index <= last) {
        if (cur->sample == cur->end) {
            int err = next_cell(cur);
            if (err)
                return err;
        }
        uint32_t cell = (cur->end - 1) & ~(uint32_t)(STEGO_CELL_SAMPLES - 1);
        uint64_t usable, lsb;
        cell_masks8(px, samples, cell, &usable, &lsb);
        usable &= ~0ull << (cur->sample - cell);
        unsigned avail = (unsigned)__builtin_popcountll(usable), need = last - index + 1;
        if (avail > need) { /* the group ends in this cell */
            usable = drop_high_bits(usable, avail - need);
            avail = need;
            cur->sample = cell + STEGO_CELL_SAMPLES - (uint32_t)__builtin_clzll(usable);
        } else {
            cur->sample = cur->end;
        }
        if (!avail)
            continue;
        unsigned low = (unsigned)__builtin_ctzll(usable);
        uint64_t run = usable >> low;
        uint64_t bits = (run & (run + 1)) == 0 ? (lsb & usable) >> low
                        : cur->bmi2            ? compact_bits_bmi2(lsb, usable)
                                               : compact_bits_plain(lsb, usable);
        v ^= window64_xor(index, bits);
        if (trace)
            trace->spans[spans++] = (stego_span){cell, index, usable};
        index += avail;
    }
    if (trace)
        trace->n = spans;
    cur->passed += n;
    *value = v;
    return SHROUD_OK;
}

int stego_cursor_group(stego_cursor *cur, size_t n, stego_group_trace *trace, uint32_t *value)
{
    if (n > stego_cursor_remaining(cur))
        return SHROUD_ERR_CAPACITY;
    if (n > stego_code_group(STEGO_MAX_CODE_BITS))
        return SHROUD_ERR_ARGUMENT;
    if (plain8(cur))
        return group_plain8(cur, n, trace, value);
    uint32_t v = 0;
    for (uint32_t index = 1; index <= n; index++) {
        uint32_t s;
        int err = next_sample(cur, &s);
        if (err)
            return err;
        if (trace)
            trace->spans[index - 1] = (stego_span){s, index, 1};
        v ^= index & (0u - (stego_sample(cur->img, s) & 1u));
    }
    if (trace)
        trace->n = n;
    *value = v;
    return SHROUD_OK;
}

int stego_group_trace_init(stego_group_trace *t)
{
    t->n = 0;
    t->spans = malloc(stego_code_group(STEGO_MAX_CODE_BITS) * sizeof *t->spans);
    return t->spans ? SHROUD_OK : SHROUD_ERR_NOMEM;
}

void stego_group_trace_free(stego_group_trace *t)
{
    free(t->spans);
    t->spans = NULL;
    t->n = 0;
}

uint32_t stego_group_trace_sample(const stego_group_trace *t, uint32_t index)
{
    size_t i = t->n;
    while (i > 1 && t->spans[i - 1].first_index > index)
        i--;
    const stego_span *sp = &t->spans[i - 1];
    uint64_t taken = sp->taken;
    for (uint32_t r = index - sp->first_index; r; r--)
        taken &= taken - 1;
    return sp->start + (uint32_t)__builtin_ctzll(taken);
}

void stego_cursor_free(stego_cursor *cur)
{
    if (!cur)
        return;
    positions_free(&cur->order);
    memset(cur, 0, sizeof *cur);
}
