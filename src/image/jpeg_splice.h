/*
 * jpeg_splice.h — rewrites chosen MCUs of a sequential Huffman-coded JPEG
 * without re-encoding the others (internal; jpeg_coeffs.c is its user).
 *
 * The reader decodes the single scan's entropy-coded data with its own
 * Huffman decoder, keeping the coefficients only of the MCU rows that hold
 * MCUs to rewrite, and the bit position where every MCU starts. The writer
 * then emits, MCU by MCU, either the original bits (copied, shifted and
 * re-stuffed) or, for a rewritten MCU and for the one after it (its DC
 * predictions changed), the kept coefficients coded again with the file's
 * own Huffman tables. Nothing outside the rewritten MCUs is re-encoded.
 *
 * Anything the splice does not handle exactly the way libjpeg-turbo would
 * (an undefined Huffman code, a premature end, extraneous bytes, a restart
 * marker out of sequence, a marker after the scan, a symbol the tables
 * cannot code...) gives JPEG_SPLICE_UNSUITABLE and the caller goes through
 * libjpeg instead, which then accepts the file or reports its error.
 */
#ifndef SHROUD_IMAGE_JPEG_SPLICE_H
#define SHROUD_IMAGE_JPEG_SPLICE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bytebuf.h"
#include "image/jpeg_coeffs.h"

#define JPEG_SPLICE_UNSUITABLE 1 /* not an error: use libjpeg */

/* The scan as the splice needs it; components in scan order, which must be
 * the frame's order. */
typedef struct {
    uint32_t mcus_per_row, mcu_rows;
    uint32_t restart_interval; /* MCUs, 0 = none */
    uint8_t n_comps;
    struct {
        uint32_t width_in_blocks, height_in_blocks; /* real blocks */
        uint8_t h, v;                               /* blocks per MCU across, down */
        const jpeg_huff_table *dc, *ac;
    } comp[JPEG_MAX_COMPONENTS];
} jpeg_splice_scan;

/* An MCU rectangle [x0, x1) x [y0, y1), in MCUs. */
typedef struct {
    uint32_t x0, x1, y0, y1;
} jpeg_mcu_rect;

typedef struct jpeg_splice jpeg_splice;

/* Decodes the entropy-coded data that starts at data (right after the SOS
 * segment) and runs to EOI within len bytes, to rewrite the MCUs in rects.
 * SHROUD_OK, JPEG_SPLICE_UNSUITABLE, or SHROUD_ERR_NOMEM. */
int jpeg_splice_read(const uint8_t *data, size_t len, const jpeg_splice_scan *scan,
                     const jpeg_mcu_rect *rects, size_t n_rects, jpeg_splice **out);
void jpeg_splice_free(jpeg_splice *s);

/* Block row `row` of component c (blocks in natural order, mcus_per_row * h
 * of them), or NULL when that row was not kept: only the MCU rows of the
 * rectangles (and of the MCUs right after them) are. Within a kept row only
 * the blocks of those MCUs hold coefficients (jpeg_splice_block_kept); the
 * others are never decoded and their contents are unspecified. */
JPEG_BLOCK *jpeg_splice_row(jpeg_splice *s, int c, uint32_t row);

/* 1 if block (row, col) of component c was decoded into its kept row. */
int jpeg_splice_block_kept(const jpeg_splice *s, int c, uint32_t row, uint32_t col);

/* Appends the new entropy-coded data and EOI to out. SHROUD_OK,
 * JPEG_SPLICE_UNSUITABLE (a kept block the tables cannot code: out is left
 * as it was), or SHROUD_ERR_NOMEM. Blocks past the image's edge in a
 * rewritten MCU are coded as libjpeg codes them: the previous block's DC,
 * no AC, so nothing of the original survives there. */
int jpeg_splice_write(jpeg_splice *s, bytebuf *out);

#endif
