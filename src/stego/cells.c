/* cells.c — cells of samples and the cursor that walks them. */
#include "stego/cells.h"

#include <stdlib.h>
#include <string.h>

#include "image/big_buffer.h"
#include "shroud.h"
#include "stego/cover.h"
#include "stego/stego_format.h"
#include "stego/window64.h"

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

static int have_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
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

static int have_avx2(void)
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

/* Counts the usable samples, and each cell's into counts[] unless NULL. */
POPCNT_CLONES static size_t count_usable8(const uint8_t *px, size_t samples, uint8_t *counts)
{
    size_t count = 0, s = 0;
    for (; s + STEGO_CELL_SAMPLES <= samples; s += STEGO_CELL_SAMPLES) {
        uint64_t use, lsb;
        window64_masks(px + s, &use, &lsb);
        unsigned in_cell = (unsigned)__builtin_popcountll(use);
        if (counts)
            counts[s / STEGO_CELL_SAMPLES] = (uint8_t)in_cell;
        count += in_cell;
    }
    size_t tail = 0;
    for (size_t t = s; t < samples; t++)
        tail += (uint8_t)(px[t] - 1) < 254; /* 1 .. 254 */
    if (counts && s < samples)
        counts[s / STEGO_CELL_SAMPLES] = (uint8_t)tail;
    return count + tail;
}

static size_t cells_of(const png_raster *img)
{
    size_t samples = (size_t)img->width * img->height * img->channels;
    return (samples + STEGO_CELL_SAMPLES - 1) / STEGO_CELL_SAMPLES;
}

static void find_cells(const png_raster *img, stego_cells *cells, uint8_t *counts)
{
    stego_layout l = stego_layout_of(img);
    size_t samples = (size_t)img->width * img->height * img->channels, count = 0;
    if (img->sample_bytes == 1 && !l.alpha) {
        count = count_usable8(img->pixels, samples, counts);
    } else {
        for (size_t s = 0; s < samples; s += STEGO_CELL_SAMPLES) {
            size_t end = s + STEGO_CELL_SAMPLES < samples ? s + STEGO_CELL_SAMPLES : samples;
            unsigned in_cell = 0;
            for (size_t t = s; t < end; t++)
                in_cell += (unsigned)stego_usable(img, &l, (uint32_t)t, (unsigned)(t % l.channels));
            if (counts)
                counts[s / STEGO_CELL_SAMPLES] = (uint8_t)in_cell;
            count += in_cell;
        }
    }
    cells->samples = samples;
    cells->n = cells_of(img);
    cells->usable = count;
    cells->counts = counts;
}

void stego_cells_find(const png_raster *img, stego_cells *cells)
{
    find_cells(img, cells, NULL);
}

int stego_cells_count(const png_raster *img, stego_cells *cells)
{
    size_t n = cells_of(img);
    uint8_t *counts = malloc(n ? n : 1);
    if (!counts)
        return SHROUD_ERR_NOMEM;
    find_cells(img, cells, counts);
    return SHROUD_OK;
}

void stego_cells_free(stego_cells *cells)
{
    if (!cells)
        return;
    free(cells->counts);
    cells->counts = NULL;
}

int stego_cursor_init(stego_cursor *cur, const png_raster *img, const stego_cells *cells)
{
    memset(cur, 0, sizeof *cur);
    cur->img = img;
    cur->layout = stego_layout_of(img);
    cur->cells = cells;
    cur->limit = cells->usable;
    cur->bmi2 = have_bmi2();
    cur->avx2 = have_avx2();
    return positions_init_identity(&cur->order, cells->n);
}

/* Counts the usable samples left in the current cell and leaves it. */
/* Usable samples left in cur's current cell. */
static size_t left_in_cell(const stego_cursor *cur)
{
    if (cur->sample >= cur->end)
        return 0;
    uint64_t use, lsb;
    stego_cell_masks(cur->img, &cur->layout, cur->cells->samples, cur->sample / STEGO_CELL_SAMPLES,
                     &use, &lsb);
    return (size_t)__builtin_popcountll(use & ~0ull << (cur->sample % STEGO_CELL_SAMPLES));
}

static void skip_cell(stego_cursor *cur)
{
    cur->passed += left_in_cell(cur);
    cur->sample = cur->end;
}

int stego_cursor_rekey(stego_cursor *cur, const uint8_t key[KEYSTREAM_KEY_BYTES])
{
    if (cur->queue)
        return SHROUD_ERR_STATE;
    skip_cell(cur);
    return positions_rekey(&cur->order, key);
}

size_t stego_cursor_remaining(const stego_cursor *cur)
{
    return cur->limit - cur->passed;
}

/* Puts the cursor at the start of cell `cell`. */
static void enter_cell(stego_cursor *cur, uint32_t cell)
{
    size_t start = (size_t)cell * STEGO_CELL_SAMPLES, end = start + STEGO_CELL_SAMPLES;
    cur->sample = (uint32_t)start;
    cur->end = (uint32_t)(end < cur->cells->samples ? end : cur->cells->samples);
}

/* Up to `want` cells of a split's first part, waiting for them to be drawn
 * (the split may be on another thread): *cells points at them, *got says how
 * many (at least one). SHROUD_ERR_STATE when the split failed. */
static int take_queued(stego_cursor *cur, size_t want, const uint32_t **cells, size_t *got)
{
    size_t ready;
    for (unsigned spins = 0;
         (ready = atomic_load_explicit(&cur->queue->ready, memory_order_acquire)) ==
         cur->queue_taken;
         spins++)
        stego_pause(spins);
    if (ready == STEGO_QUEUE_FAILED)
        return SHROUD_ERR_STATE;
    *cells = cur->queue->cells + cur->queue_taken;
    *got = ready - cur->queue_taken < want ? ready - cur->queue_taken : want;
    cur->queue_taken += *got;
    return SHROUD_OK;
}

/* Enters the next cell of the order; SHROUD_ERR_CAPACITY after the last. */
static int next_cell(stego_cursor *cur)
{
    const uint32_t *drawn;
    size_t got;
    if (cur->queue) {
        int err = take_queued(cur, 1, &drawn, &got);
        if (err)
            return err;
    } else if (cur->taken == cur->order.n) {
        return SHROUD_ERR_CAPACITY;
    } else {
        int err = positions_draw(&cur->order, 1, &drawn);
        if (err)
            return err;
        cur->taken++;
    }
    enter_cell(cur, *drawn);
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

/* ---- runs ---- */

void stego_cell_masks(const png_raster *img, const stego_layout *l, size_t samples, uint32_t cell,
                      uint64_t *usable_mask, uint64_t *lsb_mask)
{
    size_t start = (size_t)cell * STEGO_CELL_SAMPLES, end = start + STEGO_CELL_SAMPLES;
    if (img->sample_bytes == 1 && !l->alpha && end <= samples) {
        window64_masks(img->pixels + start, usable_mask, lsb_mask);
        return;
    }
    if (end > samples)
        end = samples;
    uint64_t u = 0, b = 0;
    unsigned c = (unsigned)(start % l->channels);
    for (size_t s = start; s < end; s++) {
        uint64_t use = (uint64_t)stego_usable(img, l, (uint32_t)s, c);
        u |= use << (s - start);
        b |= (use & stego_sample(img, (uint32_t)s)) << (s - start);
        if (++c == l->channels)
            c = 0;
    }
    *usable_mask = u;
    *lsb_mask = b;
}

/* The lowest `keep` set bits of mask (keep <= popcount(mask)). */
static inline uint64_t low_set_bits(uint64_t mask, size_t keep)
{
    uint64_t out = 0;
    for (; keep; keep--) {
        out |= mask & (0 - mask);
        mask &= mask - 1;
    }
    return out;
}

/* Builds a run: the bitmap a word at a time, and the cell list. The loops
 * work on a local copy (so its fields stay in registers: the stores to the
 * arrays cannot alias it) and store it back. lsb, cell, first and take are
 * the run's arrays: with a hook, windows that start at run->lsb_base and
 * run->cell_base (see slide). */
typedef struct {
    uint64_t *lsb;
    uint32_t *cell, *first;
    uint64_t *take;
    size_t n;                   /* samples the run takes */
    size_t got;                 /* samples in the run so far */
    size_t cells;               /* cells in the run so far */
    uint64_t acc;               /* bits not yet stored ... */
    unsigned fill;              /* ... and how many */
    size_t words;               /* words stored */
    size_t next_call;           /* samples in when the hook is next called */
    const stego_run_hook *hook; /* or NULL */
    stego_run *run;
} run_builder;

/* The hook is called at least every HOOK_SAMPLES samples (or group), while
 * the bitmap and the cells it covers are still in the caches: 16384
 * samples of a photo are about 256 cells, 16 KiB of lines. (1024 and 4096
 * were about 10% and 4% slower on the 1080p embedding, 65536 no faster.) */
#define HOOK_SAMPLES 16384

/* Samples between hook calls: whole groups, at least HOOK_SAMPLES or one. */
static size_t hook_step(size_t group)
{
    return group < HOOK_SAMPLES ? HOOK_SAMPLES / group * group : group;
}

/* When the hook is next called, `groups` whole groups being in: `step`
 * samples later, at the run's end at last. */
static size_t next_hook_call(const run_builder *b, size_t groups)
{
    size_t next = groups * b->hook->group + hook_step(b->hook->group);
    return next < b->n ? next : b->n;
}

/* The bitmap words and cell entries a run with a hook holds at most. The
 * hook is called once `step` samples (next_hook_call) have come in after
 * the groups it last had, plus at most one cell (63 more); what lies
 * before those groups was dropped, but for the word and the entry they
 * start in: step + 126 samples, a word being filled, a spare zero word. */
static size_t window_words(size_t step)
{
    return (step + 126) / 64 + 5;
}

static size_t window_entries(size_t step)
{
    return step + 2 * 64 + 66;
}

/* Drops the bitmap words and cell entries before run sample `from` (the
 * first the hook has not had), but for the ones it lies in. */
static void slide(run_builder *b, size_t from)
{
    stego_run *run = b->run;
    size_t drop = from / 64 - run->lsb_base; /* <= b->words: from <= got */
    if (drop) {
        memmove(b->lsb, b->lsb + drop, (b->words - drop) * sizeof *b->lsb);
        b->words -= drop;
        run->lsb_base += drop;
    }
    size_t keep_from =
        from < b->got ? stego_run_entry(run, from, run->cell_base) - run->cell_base : b->cells;
    if (keep_from) {
        memmove(b->cell, b->cell + keep_from, (b->cells - keep_from) * sizeof *b->cell);
        memmove(b->first, b->first + keep_from, (b->cells - keep_from) * sizeof *b->first);
        memmove(b->take, b->take + keep_from, (b->cells - keep_from) * sizeof *b->take);
        b->cells -= keep_from;
        run->cell_base += keep_from;
    }
}

/* Hands the groups now complete to the hook: the bitmap so far, its bits
 * not yet stored included, and the cells so far; then drops what it has
 * handled. */
static int call_hook(run_builder *b)
{
    b->lsb[b->words] = b->acc; /* words + 1 inside the window (window_words) */
    b->lsb[b->words + 1] = 0;
    b->run->cells = b->run->cell_base + b->cells;
    size_t groups = b->got / b->hook->group;
    int err = b->hook->fn(b->hook->ctx, b->run, groups);
    b->next_call = next_hook_call(b, groups);
    if (!err)
        slide(b, groups * b->hook->group);
    return err;
}

/* Appends the `count` samples of cell `cell` whose LSBs are `bits` (packed
 * to the bottom). */
static inline void append_bits(run_builder *b, uint32_t cell, uint64_t take, uint64_t bits,
                               unsigned count)
{
    b->cell[b->cells] = cell;
    b->take[b->cells] = take;
    b->first[b->cells++] = (uint32_t)b->got;
    b->got += count;
    b->acc |= bits << b->fill;
    if (b->fill + count >= 64) {
        b->lsb[b->words++] = b->acc;
        b->acc = b->fill ? bits >> (64 - b->fill) : 0;
        b->fill = b->fill + count - 64;
    } else {
        b->fill += count;
    }
}

/* take: the usable samples of a cell (or those from the cursor on); keeps
 * the lowest ones that fit in the run, *count of them. */
static inline uint64_t fit(const run_builder *b, uint64_t take, unsigned *count)
{
    size_t room = b->n - b->got;
    *count = (unsigned)__builtin_popcountll(take);
    if (*count > room) {
        take = low_set_bits(take, room);
        *count = (unsigned)room;
    }
    return take;
}

/* Appends a cell given its masks; returns the samples it took. */
static inline uint64_t append_cell(run_builder *b, const stego_cursor *cur, uint32_t cell,
                                   uint64_t take, uint64_t lsb)
{
    unsigned count;
    take = fit(b, take, &count);
    if (!count)
        return 0;
    unsigned low = (unsigned)__builtin_ctzll(take);
    uint64_t span = take >> low;
    uint64_t bits = (span & (span + 1)) == 0 ? (lsb & take) >> low
                    : cur->bmi2              ? compact_bits_bmi2(lsb, take)
                                             : compact_bits_plain(lsb, take);
    append_bits(b, cell, take, bits, count);
    return take;
}

/* Cells are scattered over an image larger than the caches: each one is
 * fetched this many cells before it is read. */
#define CELL_PREFETCH 16

/* Appends the drawn cells, any layout; returns the samples the last one gave. */
POPCNT_CLONES static int append_cells(run_builder *out, const stego_cursor *cur,
                                      const uint32_t *drawn, size_t k, uint64_t *last_taken)
{
    run_builder local = *out, *b = &local;
    const uint8_t *px = cur->img->pixels;
    size_t cell_bytes = (size_t)STEGO_CELL_SAMPLES * cur->img->sample_bytes;
    uint64_t taken = 0;
    int err = SHROUD_OK;
    for (size_t i = 0; !err && i < k; i++) {
        if (i + CELL_PREFETCH < k) {
            const uint8_t *ahead = px + (size_t)drawn[i + CELL_PREFETCH] * cell_bytes;
            __builtin_prefetch(ahead);
            __builtin_prefetch(ahead + cell_bytes - 1);
        }
        uint64_t use, lsb;
        stego_cell_masks(cur->img, &cur->layout, cur->cells->samples, drawn[i], &use, &lsb);
        taken = append_cell(b, cur, drawn[i], use, lsb);
        if (b->got >= b->next_call)
            err = call_hook(b);
    }
    *out = local;
    *last_taken = taken;
    return err;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same for 8-bit images without alpha, the masks 32 samples per
 * instruction (AVX2), compaction with pext. */
__attribute__((target("avx2,bmi2,popcnt"))) static int
append_cells8_avx2(run_builder *out, const stego_cursor *cur, const uint32_t *drawn, size_t k,
                   uint64_t *last_taken)
{
    const uint8_t *px = cur->img->pixels;
    size_t whole = cur->cells->samples / STEGO_CELL_SAMPLES, i = 0;
    const __m256i zero = _mm256_setzero_si256(), full = _mm256_set1_epi8((char)0xFF);
    uint64_t taken = 0;
    int err = SHROUD_OK;
    while (!err && i < k) {
        /* Whole cells that fit, up to the next hook call, with the builder
         * in registers: no call in this loop. */
        run_builder b = *out; /* local: its fields stay in registers */
        size_t stop = b.next_call < b.n ? b.next_call : b.n;
        for (; i < k && b.got < stop; i++) {
            if (i + CELL_PREFETCH < k)
                __builtin_prefetch(px + (size_t)drawn[i + CELL_PREFETCH] * STEGO_CELL_SAMPLES);
            uint32_t cell = drawn[i];
            if (cell >= whole)
                break; /* the short last cell */
            const uint8_t *p = px + (size_t)cell * STEGO_CELL_SAMPLES;
            __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)p);
            __m256i y = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
            __m256i bad_x = _mm256_or_si256(_mm256_cmpeq_epi8(x, zero), _mm256_cmpeq_epi8(x, full));
            __m256i bad_y = _mm256_or_si256(_mm256_cmpeq_epi8(y, zero), _mm256_cmpeq_epi8(y, full));
            uint64_t use = ~((uint32_t)_mm256_movemask_epi8(bad_x) |
                             (uint64_t)(uint32_t)_mm256_movemask_epi8(bad_y) << 32);
            uint64_t lsb = (uint32_t)_mm256_movemask_epi8(_mm256_slli_epi16(x, 7)) |
                           (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_slli_epi16(y, 7)) << 32;
            unsigned count = (unsigned)_mm_popcnt_u64(use);
            if (count > b.n - b.got)
                break; /* the last cell, part of it */
            taken = use;
            if (count) /* pext is slow on some processors: not for whole usable cells */
                append_bits(&b, cell, use, use == ~0ull ? lsb : _pext_u64(lsb, use), count);
        }
        *out = b;
        if (i < k && b.got < stop) { /* the cell the loop left to the general path */
            uint64_t use, lsb;
            stego_cell_masks(cur->img, &cur->layout, cur->cells->samples, drawn[i], &use, &lsb);
            taken = append_cell(out, cur, drawn[i], use, lsb);
            i++;
        }
        if (out->got >= out->next_call)
            err = call_hook(out);
    }
    *last_taken = taken;
    return err;
}
#else
static int append_cells8_avx2(run_builder *b, const stego_cursor *cur, const uint32_t *drawn,
                              size_t k, uint64_t *last_taken)
{
    return append_cells(b, cur, drawn, k, last_taken);
}
#endif

/* Leaves the cursor after the `take` samples of the cell it is in. */
static void stop_in_cell(stego_cursor *cur, uint32_t cell, uint64_t take)
{
    uint32_t after = cell * STEGO_CELL_SAMPLES + 64u - (uint32_t)__builtin_clzll(take);
    cur->sample = after < cur->end ? after : cur->end;
}

int stego_cursor_run(stego_cursor *cur, size_t n, const stego_run_hook *hook, stego_run *run)
{
    memset(run, 0, sizeof *run);
    if (hook && (!hook->group || n % hook->group))
        return SHROUD_ERR_ARGUMENT;
    if (n > stego_cursor_remaining(cur))
        return SHROUD_ERR_CAPACITY;
    if (!cur->order.keyed)
        return SHROUD_ERR_STATE;
    /* at most one cell per sample, and no more cells than are left; with a
     * hook, a window */
    size_t most = cur->queue ? n : cur->order.n - cur->taken + 1, words = n / 64 + 2;
    if (most > n)
        most = n;
    if (hook) {
        size_t step = hook_step(hook->group);
        if (words > window_words(step))
            words = window_words(step);
        if (most > window_entries(step))
            most = window_entries(step);
    }
    run->lsb = big_buffer_alloc(words * sizeof *run->lsb);
    run->cell = malloc((most ? most : 1) * sizeof *run->cell);
    run->first = malloc((most ? most : 1) * sizeof *run->first);
    run->take = malloc((most ? most : 1) * sizeof *run->take);
    if (!run->lsb || !run->cell || !run->first || !run->take) {
        stego_run_free(run);
        return SHROUD_ERR_NOMEM;
    }
    run->n = n;
    run->bmi2 = cur->bmi2;
    run_builder b = {.lsb = run->lsb,
                     .cell = run->cell,
                     .first = run->first,
                     .take = run->take,
                     .n = n,
                     .next_call = SIZE_MAX,
                     .hook = hook,
                     .run = run};
    if (hook)
        b.next_call = next_hook_call(&b, 0);
    int err = SHROUD_OK;
    if (n && cur->sample < cur->end) { /* the rest of the current cell */
        uint32_t cell = cur->sample / STEGO_CELL_SAMPLES;
        uint64_t rest = ~0ull << (cur->sample % STEGO_CELL_SAMPLES), use, lsb;
        stego_cell_masks(cur->img, &cur->layout, cur->cells->samples, cell, &use, &lsb);
        uint64_t taken = append_cell(&b, cur, cell, use & rest, lsb);
        if (taken && b.got == n)
            stop_in_cell(cur, cell, taken);
        else
            cur->sample = cur->end;
        if (hook && b.got >= b.next_call)
            err = call_hook(&b);
    }
    int fast = cur->avx2 && cur->bmi2 && plain8(cur);
    while (!err && b.got < n) {
        /* Draw as many cells as the rest needs at least (64 samples each at
         * most), never more: the draws stay those of one-at-a-time. Only the
         * last cell drawn can be left part-way. A split cursor's first part
         * has its cells drawn already. */
        size_t want = (n - b.got + STEGO_CELL_SAMPLES - 1) / STEGO_CELL_SAMPLES;
        const uint32_t *drawn = NULL;
        if (cur->queue) {
            if ((err = take_queued(cur, want, &drawn, &want)))
                break;
        } else if ((err = positions_draw(&cur->order, want, &drawn))) { /* no CAPACITY here */
            break;
        } else {
            cur->taken += want;
        }
        uint64_t taken = 0;
        err = fast ? append_cells8_avx2(&b, cur, drawn, want, &taken)
                   : append_cells(&b, cur, drawn, want, &taken);
        enter_cell(cur, drawn[want - 1]);
        if (b.got == n && taken)
            stop_in_cell(cur, drawn[want - 1], taken);
        else
            cur->sample = cur->end;
    }
    if (err) {
        stego_run_free(run);
        return err;
    }
    run->lsb[b.words++] = b.acc;
    run->lsb[b.words] = 0;
    run->cells = run->cell_base + b.cells;
    cur->passed += n;
    return SHROUD_OK;
}

int stego_cursor_lend(stego_cursor *cur, size_t at, stego_queue *q, stego_cursor *first)
{
    if (!cur->cells->counts || !cur->order.keyed || cur->queue)
        return SHROUD_ERR_STATE;
    if (at > stego_cursor_remaining(cur))
        return SHROUD_ERR_CAPACITY;
    if (at <= left_in_cell(cur))
        return SHROUD_ERR_ARGUMENT; /* inside the current cell: nothing to share */
    q->cells = cur->order.order + cur->order.drawn;
    atomic_init(&q->ready, 0);
    *first = *cur;
    first->queue = q;
    first->queue_taken = 0;
    first->limit = cur->passed + at;
    return SHROUD_OK;
}

/* Cells are handed on to the first part at least this often. */
#define SPLIT_BATCH 1024

int stego_cursor_split(stego_cursor *cur, size_t at, stego_queue *q)
{
    const uint8_t *counts = cur->cells->counts;
    size_t got = left_in_cell(cur), before = got, first = cur->order.drawn;
    uint32_t cell = 0;
    /* Draw as stego_cursor_run would: never more cells than `at` needs at
     * least, so only the last cell of the last batch reaches it. */
    while (got < at) {
        size_t want = (at - got + STEGO_CELL_SAMPLES - 1) / STEGO_CELL_SAMPLES;
        if (want > SPLIT_BATCH)
            want = SPLIT_BATCH;
        const uint32_t *drawn;
        int err = positions_draw(&cur->order, want, &drawn); /* no CAPACITY: lend checked */
        if (err) {
            atomic_store_explicit(&q->ready, STEGO_QUEUE_FAILED, memory_order_release);
            return err;
        }
        cur->taken += want;
        for (size_t i = 0; i < want; i++) {
            before = got;
            got += counts[drawn[i]];
        }
        cell = drawn[want - 1];
        atomic_store_explicit(&q->ready, cur->order.drawn - first, memory_order_release);
    }
    /* cur goes on after the `at - before` usable samples of `cell` the
     * first part takes */
    enter_cell(cur, cell);
    size_t mine = at - before;
    if (mine == counts[cell]) {
        cur->sample = cur->end;
    } else {
        uint64_t use, lsb;
        stego_cell_masks(cur->img, &cur->layout, cur->cells->samples, cell, &use, &lsb);
        stop_in_cell(cur, cell, low_set_bits(use, mine));
    }
    cur->passed += at;
    return SHROUD_OK;
}

void stego_cursor_free(stego_cursor *cur)
{
    if (!cur)
        return;
    positions_free(&cur->order);
    memset(cur, 0, sizeof *cur);
}
