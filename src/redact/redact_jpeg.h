/*
 * redact_jpeg.h — region redaction on JPEG DCT coefficients (internal).
 *
 * A region covers whole MCUs: it grows outward to the MCU grid (and stops
 * at the image edge). For each component, the blocks under the covered
 * rectangle are the region's content; every other block is never touched.
 *
 * Captured content, per region in order, per component in order, block rows
 * top to bottom, blocks left to right:
 *   block = n:u8 | coef:varint{n}
 * where coef is a coefficient v mapped to u = v >= 0 ? 2v : -2v - 1 and
 * written as a minimal little-endian base-128 number (1 to 3 bytes), the
 * coefficients are in zigzag order and n is 1 + the zigzag index
 * of the last non-zero one (0 for an all-zero block).
 *
 * Coding (how the original was entropy-coded, so restore can reproduce it):
 *   progressive:u8 | arithmetic:u8 | restart:u32be | huffman:u8 |
 * (restart: the interval in MCUs, or 0x80000000 | R for R MCU rows per scan)
 *   (if huffman == GIVEN) dc_present:u8 | ac_present:u8 |
 *   (bits[1..16] | values[sum bits]) for each present DC then AC slot
 */
#ifndef SHROUD_REDACT_JPEG_H
#define SHROUD_REDACT_JPEG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bytebuf.h"
#include "image/jpeg_coeffs.h"
#include "shroud.h"

/* The most bytes one captured block takes: n, then 64 varints of 3 bytes. */
#define JPEG_CAPTURED_BLOCK_MAX (1 + 3 * 64)

/* The covered pixel rectangle of a region (grown to the MCU grid). */
void jpeg_cover(const jpeg_info *info, const shroud_region *r, shroud_region *covered);

/* Appends the regions' original blocks to out (on error, part of them). */
int jpeg_capture(jpeg_coeffs *j, const shroud_region *regions, size_t n, bytebuf *out);
/* Writes captured blocks back. SHROUD_ERR_RECORD if raw does not hold
 * exactly the blocks of these regions. */
int jpeg_put_back(jpeg_coeffs *j, const shroud_region *regions, size_t n, const uint8_t *raw,
                  size_t raw_len);
/* Obscures the regions' blocks with a style (enum shroud_style). */
int jpeg_obscure(jpeg_coeffs *j, const shroud_region *regions, size_t n, int style);

/* The coding of a write-options set, and back. jpeg_coding_parse fills o and
 * the tables it points to; SHROUD_ERR_RECORD when malformed. */
int jpeg_coding_encode(const jpeg_write_options *o, bytebuf *out);
int jpeg_coding_parse(const uint8_t *buf, size_t len, jpeg_write_options *o, jpeg_huff_set *tables);

#endif
