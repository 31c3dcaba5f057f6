/*
 * inflate_literals.h — a fast inflater for the raw deflate (RFC 1951) that
 * deflate_literals writes (internal).
 *
 * It reads stored blocks and dynamic-Huffman blocks whose data are literals
 * and end-of-block codes, which is all deflate_literals writes, two
 * literals per table look-up where their codes fit. Anything else — a
 * match, a fixed-Huffman block, an incomplete or over-subscribed code, a
 * header field out of range, bad stored lengths, input or output running
 * out — makes it give up with INFLATE_LITERALS_UNSUPPORTED and no claim
 * about the stream; the caller then asks libdeflate, which judges every
 * stream. When it succeeds, its output is what any conforming inflater
 * makes of the same bits, and it knows exactly where blocks end, which is
 * what lets png_inflate.c cut a stream in two at a block boundary.
 */
#ifndef SHROUD_IMAGE_INFLATE_LITERALS_H
#define SHROUD_IMAGE_INFLATE_LITERALS_H

#include <stddef.h>
#include <stdint.h>

#define INFLATE_LITERALS_OK 0
#define INFLATE_LITERALS_UNSUPPORTED (-1)

/* How far to read. */
enum inflate_literals_end {
    /* Non-final blocks up to a block boundary exactly at the end of the
     * input (in_len bytes): a final block, or a block running past the
     * end, is UNSUPPORTED. */
    INFLATE_LITERALS_TO_BOUNDARY,
    /* Blocks up to the end of the final block, which must end inside the
     * input; *in_used is then the stream's length in bytes (its last byte
     * padded, as RFC 1951 ends a stream). */
    INFLATE_LITERALS_TO_FINAL,
};

/* Inflates the raw deflate stream that starts at bit 0 of in[0] into
 * out[0..out_len), which it must fill exactly (more or less output is
 * UNSUPPORTED). Reads nothing outside in[0..in_len) and writes nothing
 * outside out[0..out_len), whatever the input; on UNSUPPORTED, out holds
 * garbage. in_used may be NULL. */
int inflate_literals(const uint8_t *in, size_t in_len, enum inflate_literals_end end, uint8_t *out,
                     size_t out_len, size_t *in_used);

/* One stream for inflate_literals_two: inflate_literals' arguments. */
typedef struct {
    const uint8_t *in;
    size_t in_len;
    enum inflate_literals_end end;
    uint8_t *out;
    size_t out_len;
    size_t *in_used;
} inflate_literals_job;

/* Two independent streams at once on the calling thread, results[i] as
 * inflate_literals(jobs[i]) would give it: their Huffman data are read in
 * one loop, a code of each in turn, so the two chains of table look-ups
 * overlap (faster than one after the other). */
void inflate_literals_two(const inflate_literals_job jobs[2], int results[2]);

#endif
