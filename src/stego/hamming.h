/*
 * hamming.h — writing and reading bits in the LSBs of the samples a cursor
 * (cells.h) yields (internal).
 *
 * Plain: one bit per sample, the sample's LSB. Coded (matrix embedding with
 * the binary Hamming code): code_bits bits per group of 2^code_bits - 1
 * samples; the group's value is the XOR of the 1-based indices of its
 * samples whose LSB is 1, and the writer changes at most one sample so it
 * equals the bits. Bits are taken from bytes most significant first; a
 * group's first bit is the most significant bit of its value.
 *
 * The writer changes a sample by +1 or -1 (LSB matching), the direction from
 * a random keystream, forced to +1 at value 1 and -1 at the maximum - 1, so
 * every usable sample stays usable. It writes the change into a target
 * raster, or records it as a png_sample_step and leaves the image as it is
 * (no sample is read after it changed: every sample is drawn once).
 */
#ifndef SHROUD_STEGO_HAMMING_H
#define SHROUD_STEGO_HAMMING_H

#include <stddef.h>
#include <stdint.h>

#include "image/png_raster.h"
#include "stego/keystream.h"
#include "stego/cells.h"

typedef struct stego_helper stego_helper;

typedef struct {
    const png_raster *img; /* the samples read */
    png_raster *target;    /* where changes go (img itself), or NULL: into steps */
    png_sample_step *steps;
    size_t max_steps; /* room in steps */
    stego_cursor *cur;
    keystream directions; /* random: the +-1 choices */
    uint8_t dir_bits;     /* unused direction bits ... */
    unsigned dir_left;    /* ... and how many */
    size_t changed;       /* samples changed so far (steps recorded) */
    stego_helper *helper; /* a second thread for the coded write, or NULL */
} stego_writer;

/* A writer reading img's samples through cur; target NULL: changes are
 * recorded in steps, which must have room for max_steps (at most one change
 * per plain bit and per group: SHROUD_ERR_STATE beyond that). */
int stego_writer_init(stego_writer *w, const png_raster *img, png_raster *target,
                      png_sample_step *steps, size_t max_steps, stego_cursor *cur);
/* Stops the helper (if any), wipes and frees. */
void stego_writer_free(stego_writer *w);
/* Starts a second thread for w's coded write of `samples` samples over
 * cells, when that write will be split: into steps, on counted cells
 * (stego_cells_count), at least STEGO_SPLIT_MIN_SAMPLES, two processors;
 * else (or with no thread to be had) the write runs on one thread. Start it
 * before the work that comes before the write: waking a processor takes
 * 0.1 to 0.2 ms here. */
int stego_writer_start_helper(stego_writer *w, const stego_cells *cells, size_t samples);
/* Writes nbits bits of bytes, one per sample of the order. */
int stego_write_plain(stego_writer *w, const uint8_t *bytes, size_t nbits);
/* Writes nbits bits of bytes (nbits a multiple of code_bits) with the code.
 * With a helper (stego_writer_start_helper), in two parts on two threads
 * (stego_cursor_split): the same samples change, the same steps come back,
 * but for the random directions. */
#define STEGO_SPLIT_MIN_SAMPLES (1u << 20) /* about 0.25 ms of work; a thread, 50 us */
int stego_write_coded(stego_writer *w, unsigned code_bits, const uint8_t *bytes, size_t nbits);

/* Reads nbits bits into bytes (zeroed first), one per drawn sample. */
int stego_read_plain(stego_cursor *cur, uint8_t *bytes, size_t nbits);
/* Reads nbits bits with the code, appending at bit offset `at` of bytes
 * (those bytes zeroed by the caller); nbits a multiple of code_bits. */
int stego_read_coded(stego_cursor *cur, unsigned code_bits, uint8_t *bytes, size_t at,
                     size_t nbits);

#endif
