/*
 * cells.h — the order in which samples carry bits (internal).
 *
 * The image's samples are cut into cells of STEGO_CELL_SAMPLES consecutive
 * samples (cell c: samples 64c .. 64c+63; the last cell may be shorter).
 * The cells are visited in the order of a keyed Fisher-Yates shuffle
 * (positions.h) and, inside a cell, its usable samples (cover.h) in
 * increasing order: that is the keyed permutation of the usable samples the
 * hidden stream follows. Shuffling cells rather than single samples keeps
 * the embedding's memory accesses in cache and needs no list of the usable
 * samples: a 1080p RGB photo has 6 million samples but 97,200 cells.
 *
 * A cursor walks that order; the samples it yields depend only on the
 * usable set and the keystreams, and embedding keeps the usable set, so a
 * reader's cursor yields exactly the samples the writer's did.
 */
#ifndef SHROUD_STEGO_CELLS_H
#define SHROUD_STEGO_CELLS_H

#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "image/png_raster.h"
#include "stego/cover.h"
#include "stego/positions.h"

#define STEGO_CELL_SAMPLES 64

typedef struct {
    size_t samples;  /* all samples of the image */
    size_t n;        /* cells */
    size_t usable;   /* usable samples */
    uint8_t *counts; /* the usable samples of each cell, or NULL */
} stego_cells;

/* Counts img's usable samples and cells (counts NULL). */
void stego_cells_find(const png_raster *img, stego_cells *cells);
/* The same, and each cell's usable samples in cells->counts, which lets a
 * cursor be split (stego_cursor_split). Free with stego_cells_free. */
int stego_cells_count(const png_raster *img, stego_cells *cells);
void stego_cells_free(stego_cells *cells);

/* A moment's wait in a spin loop (turn `spins`): the waits between the two
 * threads of a split are short. */
static inline void stego_pause(unsigned spins)
{
    if (spins % 64 == 63)
        sched_yield(); /* in case the two threads share one processor */
#if defined(__x86_64__) || defined(__i386__)
    else
        __builtin_ia32_pause();
#endif
}

/* The cells of a split's first part, as the split draws them (below). */
typedef struct {
    const uint32_t *cells; /* in the order */
    atomic_size_t ready;   /* how many are drawn, or STEGO_QUEUE_FAILED */
} stego_queue;
#define STEGO_QUEUE_FAILED SIZE_MAX

typedef struct {
    const png_raster *img;
    const stego_cells *cells;
    positions order; /* the cell shuffle */
    uint32_t sample; /* next sample to look at in the current cell */
    uint32_t end;    /* end of the current cell */
    size_t passed;   /* usable samples yielded or skipped so far ... */
    size_t limit;    /* ... and in all (the image's, or a split's first part's) */
    size_t taken;    /* cells entered so far */
    int bmi2;        /* the processor has pext (cells.c) ... */
    int avx2;        /* ... and AVX2 */
    stego_layout layout;
    stego_queue *queue; /* a split's first part: its cells come from there ... */
    size_t queue_taken; /* ... (this many so far), never from the order */
} stego_cursor;

/* A cursor over img's cells; no keystream yet (stego_cursor_rekey). */
int stego_cursor_init(stego_cursor *cur, const png_raster *img, const stego_cells *cells);
/* Skips what is left of the current cell; cells entered from now on are
 * drawn from keystream(key). */
int stego_cursor_rekey(stego_cursor *cur, const uint8_t key[KEYSTREAM_KEY_BYTES]);
/* The next k samples of the order into out[0..k). SHROUD_ERR_CAPACITY when
 * the cells run out. */
int stego_cursor_next(stego_cursor *cur, uint32_t *out, size_t k);
/*
 * Cutting the order in two, so that two threads walk it: the samples are
 * the ones cur alone would have yielded, in the same order. Needs
 * cells->counts.
 *
 * stego_cursor_lend makes *first a cursor for cur's next `at` samples
 * (more than what is left of its current cell), whose cells are those
 * stego_cursor_split(cur, at, q) draws: it may be walked on another thread
 * at once, and waits for each cell to be drawn. It never draws from the
 * order, and is not freed (cur keeps the order). stego_cursor_split draws
 * the cells of those samples from cur's order, hands them on through q as
 * it goes, and leaves cur after them. If it fails, first's walk fails too
 * (SHROUD_ERR_STATE) instead of waiting.
 */
int stego_cursor_lend(stego_cursor *cur, size_t at, stego_queue *q, stego_cursor *first);
int stego_cursor_split(stego_cursor *cur, size_t at, stego_queue *q);
/* Usable samples the cursor can still yield. */
size_t stego_cursor_remaining(const stego_cursor *cur);
void stego_cursor_free(stego_cursor *cur);

/* The usable and LSB-set (and usable) samples of a cell as masks: bit k
 * for sample 64 * cell + k; none past the image's `samples`. */
void stego_cell_masks(const png_raster *img, const stego_layout *l, size_t samples, uint32_t cell,
                      uint64_t *usable, uint64_t *lsb);

/*
 * A run: the next n samples of the order taken at once, for the Hamming
 * code, which reads many samples per bit. The cells are drawn as
 * one-at-a-time draws would draw them, fetched ahead of use (they are
 * scattered over the image), and the LSBs of their usable samples laid one
 * after the other in a bitmap, so a group's Hamming value is a few
 * popcounts per 64 samples.
 */
typedef struct {
    uint64_t *lsb;    /* bit i % 64 of word i / 64 - lsb_base: the LSB of run sample i */
    size_t lsb_base;  /* bitmap words dropped (runs with a hook: see below) */
    size_t n;         /* samples */
    uint32_t *cell;   /* the cells with samples in the run, in order (entry e at
                       * e - cell_base), ... */
    uint32_t *first;  /* ... the run index of each one's first sample in it ... */
    uint64_t *take;   /* ... the samples of its cell it has (bit k: sample 64 cell + k) */
    size_t cells;     /* ... and how many so far */
    size_t cell_base; /* entries dropped */
    int bmi2;         /* the cursor's */
} stego_run;

/* What reads or writes the groups of a run as they come in, while their
 * bits and cells are in the caches: fn(ctx, run so far, groups) is called
 * each time more whole groups of `group` samples are in (groups: how many
 * are in, from the run's start). The run then holds the samples of the
 * groups not yet handed to fn, and from the last call's on; what lies
 * before is dropped (a run with a hook keeps a window of a few groups, not
 * the whole bitmap). fn may change the samples of whole groups (keeping
 * the usable set); a non-zero return stops the run with that error. */
typedef struct {
    size_t group;
    int (*fn)(void *ctx, const stego_run *so_far, size_t groups);
    void *ctx;
} stego_run_hook;

/* Takes the next n samples (n may be 0; with a hook, a multiple of its
 * group). SHROUD_ERR_CAPACITY when fewer remain. The hook may be NULL:
 * then the whole run stays in *run (tests). */
int stego_cursor_run(stego_cursor *cur, size_t n, const stego_run_hook *hook, stego_run *run);
/* The Hamming value (hamming.h) of run samples start .. start+len-1 as one
 * group: the XOR of j + 1 over the j whose sample has its LSB set. The
 * accessors take run indices from the run's start; they must be held. */
uint32_t stego_run_value(const stego_run *run, size_t start, size_t len);
/* The entry (counted from the run's start) holding run index i (< run->n),
 * searched from entry `from` (or the first one held) on when i is there
 * (indices asked in increasing order walk the list once), else by
 * bisection. */
size_t stego_run_entry(const stego_run *run, size_t i, size_t from);
/* The sample at run index i, which entry e holds. */
uint32_t stego_run_sample_at(const stego_run *run, size_t e, size_t i);
/* The sample at run index i. */
uint32_t stego_run_sample(const stego_run *run, size_t i);
void stego_run_free(stego_run *run);

#endif
