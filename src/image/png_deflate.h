/*
 * png_deflate.h — a fast zlib stream for filtered PNG rows (internal).
 *
 * Huffman-only deflate (deflate_literals.h) in a zlib wrapper (RFC 1950).
 * Filtered photographs have almost no repeated strings, so this comes close
 * to libdeflate level 1 in size at a fraction of its time; flat images
 * compress much worse. Any inflater (zlib, libdeflate, libpng) reads it.
 */
#ifndef SHROUD_IMAGE_PNG_DEFLATE_H
#define SHROUD_IMAGE_PNG_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes png_deflate can write for in_len bytes of input. */
size_t png_deflate_bound(size_t in_len);

/* Compresses in[0..in_len) into out (out_cap >= png_deflate_bound(in_len))
 * as one zlib stream; returns its length, or 0 when out_cap is too small. */
size_t png_deflate(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap);

/* 1 if head[0..2) is a zlib header an inflater takes (RFC 1950, as
 * libdeflate checks it: deflate, a window of at most 32 KiB, no preset
 * dictionary, the check bits right). */
int png_zlib_header_ok(const uint8_t head[2]);

/* The Adler-32 of the concatenation of data whose Adler-32 is a and of
 * len_b bytes whose Adler-32 is b (zlib's adler32_combine), so parts
 * checksummed apart (on several threads) make the whole's. */
uint32_t png_adler32_combine(uint32_t a, uint32_t b, size_t len_b);

#endif
