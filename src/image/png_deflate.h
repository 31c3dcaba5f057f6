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

#endif
