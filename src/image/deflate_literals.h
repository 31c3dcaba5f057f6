/*
 * deflate_literals.h — fast raw deflate (RFC 1951) of literals only
 * (internal).
 *
 * The input is cut into blocks of DEFLATE_LITERALS_BLOCK bytes; each block
 * gets its own dynamic Huffman code for the 256 byte values and end-of-block
 * (every symbol has a code, at most 15 bits) and its bytes are written as
 * literals: no matches are searched. For data with skewed byte frequencies
 * and few repeated strings (filtered photographs, a JPEG redaction's
 * captured coefficients) this comes close to libdeflate's level 1 in size,
 * or beats it, at a fraction of its time; flat data compresses much worse
 * (at best about 1 bit per byte). A block whose code would not beat
 * storing it is stored. Any inflater (zlib, libdeflate, browsers) reads the
 * result. Working state derived from the data is wiped before returning.
 */
#ifndef SHROUD_IMAGE_DEFLATE_LITERALS_H
#define SHROUD_IMAGE_DEFLATE_LITERALS_H

#include <stddef.h>
#include <stdint.h>

#define DEFLATE_LITERALS_BLOCK (256u * 1024u)

/* The most bytes deflate_literals can write for in_len bytes of input. */
size_t deflate_literals_bound(size_t in_len);

/* Compresses in[0..in_len) into out (out_cap >= deflate_literals_bound)
 * as one raw deflate stream; returns its length, or 0 when out_cap is too
 * small. */
size_t deflate_literals(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap);

/* The same for one part of a longer input: unless last, the part ends with
 * an empty non-final stored block (byte-aligned), so the raw streams of
 * consecutive parts, compressed independently (on several threads), simply
 * concatenate into one stream of their whole input. */
size_t deflate_literals_part(const uint8_t *in, size_t in_len, int last, uint8_t *out,
                             size_t out_cap);

#endif
