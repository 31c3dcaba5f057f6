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

#include <stddef.h>
#include <stdint.h>

#include "image/png_raster.h"
#include "stego/cover.h"
#include "stego/positions.h"

#define STEGO_CELL_SAMPLES 64

typedef struct {
    size_t samples; /* all samples of the image */
    size_t n;       /* cells */
    size_t usable;  /* usable samples */
} stego_cells;

/* Counts img's usable samples and cells. */
void stego_cells_find(const png_raster *img, stego_cells *cells);

typedef struct {
    const png_raster *img;
    const stego_cells *cells;
    positions order; /* the cell shuffle */
    uint32_t sample; /* next sample to look at in the current cell */
    uint32_t end;    /* end of the current cell */
    size_t passed;   /* usable samples yielded or skipped so far */
    size_t taken;    /* cells entered so far (order may be drawn further) */
    int lookahead;   /* the key is final: cells may be drawn ahead */
    int bmi2;        /* the processor has pext (cells.c) */
    stego_layout layout;
} stego_cursor;

/* A cursor over img's cells; no keystream yet (stego_cursor_rekey). */
int stego_cursor_init(stego_cursor *cur, const png_raster *img, const stego_cells *cells);
/* Skips what is left of the current cell; cells entered from now on are
 * drawn from keystream(key). */
int stego_cursor_rekey(stego_cursor *cur, const uint8_t key[KEYSTREAM_KEY_BYTES]);
/* Promises no further rekey, so cells can be drawn and prefetched ahead
 * (the order stays the same: a draw depends only on the draws before it). */
void stego_cursor_lookahead(stego_cursor *cur);
/* The next k samples of the order into out[0..k). SHROUD_ERR_CAPACITY when
 * the cells run out. */
int stego_cursor_next(stego_cursor *cur, uint32_t *out, size_t k);
/* Where a group's samples are, as the pieces of cells it took: sample
 * start + k for each bit k of taken, in increasing order, with the group
 * indices first_index, first_index + 1, ... */
typedef struct {
    uint32_t start;       /* the cell's first sample (or the sample itself) */
    uint32_t first_index; /* 1-based group index of the lowest taken bit */
    uint64_t taken;
} stego_span;

typedef struct {
    stego_span *spans; /* room for a group of STEGO_MAX_CODE_BITS */
    size_t n;
} stego_group_trace;

int stego_group_trace_init(stego_group_trace *t);
void stego_group_trace_free(stego_group_trace *t);
/* The sample with 1-based group index `index` of the traced group. */
uint32_t stego_group_trace_sample(const stego_group_trace *t, uint32_t index);

/* The next n samples (n <= stego_code_group(STEGO_MAX_CODE_BITS)) as one
 * code group: their Hamming value (hamming.h) in *value, and where they
 * are in *trace unless trace is NULL. */
int stego_cursor_group(stego_cursor *cur, size_t n, stego_group_trace *trace, uint32_t *value);
/* Usable samples the cursor can still yield. */
size_t stego_cursor_remaining(const stego_cursor *cur);
void stego_cursor_free(stego_cursor *cur);

#endif
