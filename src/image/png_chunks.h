/*
 * png_chunks.h — walks the chunks of a PNG file held in memory (internal).
 *
 * The walker checks the signature, every chunk's length and CRC, that IHDR
 * comes first and that IEND ends the file (bytes after IEND are an error).
 * It never reads outside the buffer and never allocates. Chunk contents are
 * not interpreted here except IHDR's length.
 */
#ifndef SHROUD_IMAGE_PNG_CHUNKS_H
#define SHROUD_IMAGE_PNG_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bytebuf.h"

#define PNG_SIGNATURE_BYTES 8
#define PNG_CHUNK_OVERHEAD 12 /* length:u32be, type[4], CRC:u32be */
#define PNG_MAX_CHUNK_LENGTH 0x7fffffffu

/* shroud's own chunks: private (2nd letter lowercase), ancillary, and
 * unsafe to copy (4th letter uppercase), so an editor that changes the
 * pixels drops them instead of carrying a stale record. */
#define PNG_CHUNK_RECORD "shRD"
#define PNG_CHUNK_SIGNATURE "shSG"
/* Payloads longer than this are split over several chunks of the same type,
 * consecutive in the file; their data concatenated in file order. */
#define PNG_EMBED_CHUNK_MAX (1024u * 1024u)

typedef struct {
    char type[5];        /* NUL-terminated */
    const uint8_t *data; /* points into the file buffer */
    uint32_t length;     /* of data */
    size_t offset;       /* of the chunk's length field in the file */
    size_t size;         /* PNG_CHUNK_OVERHEAD + length: the chunk on disk */
} png_chunk;

typedef struct {
    const uint8_t *buf;
    size_t len, pos;
    int seen_iend;
    uint32_t count;
} png_chunk_reader;

/* SHROUD_OK, or SHROUD_ERR_IMAGE_FORMAT when buf does not start with the PNG
 * signature. */
int png_chunks_begin(png_chunk_reader *r, const uint8_t *buf, size_t len);

/* 1 with *c filled for the next chunk (IEND included), 0 once IEND has been
 * returned and nothing follows it, or SHROUD_ERR_IMAGE (truncated chunk, bad
 * CRC, bad type bytes, IHDR not first or not 13 bytes, no IEND, data after
 * IEND). */
int png_chunks_next(png_chunk_reader *r, png_chunk *c);

/* Chunk type properties (PNG spec 5.4). */
int png_chunk_is_critical(const char type[4]);
int png_chunk_is_safe_to_copy(const char type[4]);

/* 1 if type is one of the n four-letter types in list. PNG_TYPE_IN(type,
 * "gAMA", "cHRM") takes the list inline. */
int png_type_in(const char type[4], const char *const *list, size_t n);
#define PNG_TYPE_IN(type, ...)                                                                     \
    png_type_in(type, (const char *const[]){__VA_ARGS__},                                          \
                sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* Appends one chunk (length, type, data, CRC) to out: SHROUD_OK or
 * SHROUD_ERR_NOMEM. */
int png_chunk_append(bytebuf *out, const char type[4], const uint8_t *data, uint32_t length);

#endif
