/*
 * embedded.h — shroud's blocks inside PNG and JPEG files (internal).
 *
 * Two kinds of payload ride inside an image: the redaction record and the
 * image signature. In a PNG each is one or more consecutive private chunks
 * (shRD / shSG, see png_chunks.h); in a JPEG one or more APP11 segments
 * before the first SOS, each holding
 *     "shroud" 0x00 | kind:u8 | seq:u16be | count:u16be | data
 * with seq 0 .. count-1 in file order (data <= JPEG_EMBED_DATA_MAX bytes).
 * The payload is the concatenation of the data of all blocks of a kind.
 *
 * Blocks are found and spliced at the byte level: inserting or removing them
 * never changes any other byte of the file, so a digest that leaves them out
 * (image_embedded_digest) is stable across embedding.
 */
#ifndef SHROUD_IMAGE_EMBEDDED_H
#define SHROUD_IMAGE_EMBEDDED_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bytebuf.h"

enum image_format { IMAGE_FORMAT_UNKNOWN = 0, IMAGE_FORMAT_PNG = 1, IMAGE_FORMAT_JPEG = 2 };
enum embed_kind { EMBED_RECORD = 1, EMBED_SIGNATURE = 2 };
#define EMBED_MASK(kind) (1u << (kind))
#define EMBED_ALL (EMBED_MASK(EMBED_RECORD) | EMBED_MASK(EMBED_SIGNATURE))

#define JPEG_EMBED_IDENT "shroud"  /* followed by a 0x00 byte */
#define JPEG_EMBED_HEADER_BYTES 12 /* ident + NUL + kind + seq + count */
#define JPEG_EMBED_DATA_MAX (65533u - JPEG_EMBED_HEADER_BYTES)
#define EMBED_MAX_PAYLOAD (256u * 1024u * 1024u) /* one kind's payload */

typedef struct {
    size_t offset, size; /* a block on disk */
    uint8_t kind;        /* enum embed_kind */
} embed_range;

typedef struct {
    int format;          /* enum image_format */
    uint8_t *payload[3]; /* indexed by kind; NULL when absent; owned */
    size_t payload_len[3];
    embed_range *ranges; /* every shroud block, file order; owned */
    size_t ranges_len;
} image_embedded;

/* The format from the first bytes, IMAGE_FORMAT_UNKNOWN if neither. */
int image_sniff(const uint8_t *buf, size_t len);

/* Finds shroud's blocks. SHROUD_ERR_IMAGE_FORMAT when buf is neither PNG nor
 * JPEG; SHROUD_ERR_IMAGE when the container is broken (see the walkers) or
 * shroud's blocks are inconsistent (JPEG: a sequence number missing, repeated
 * or out of order, counts that disagree, an unknown kind; PNG: blocks of one
 * kind not consecutive); SHROUD_ERR_IMAGE_LIMIT above EMBED_MAX_PAYLOAD.
 * Free with image_embedded_free (also after an error). */
int image_embedded_find(const uint8_t *buf, size_t len, image_embedded *out);
void image_embedded_free(image_embedded *e);

/* SHA-256 of buf with every block whose kind is in kinds_mask left out. */
int image_embedded_digest(const uint8_t *buf, size_t len, const image_embedded *e,
                          unsigned kinds_mask, uint8_t digest[32]);

/* Appends to out a copy of buf without the blocks whose kind is in
 * remove_mask and, when payload is not NULL, with payload embedded as blocks
 * of `kind` (PNG: just before the first IDAT; JPEG: after the APPn/COM
 * segments that follow SOI, before the first other segment), after any
 * remaining shroud block. On error out keeps its length but may have grown
 * its allocation: the caller frees out either way. */
int image_embedded_rewrite(const uint8_t *buf, size_t len, const image_embedded *e,
                           unsigned remove_mask, int kind, const uint8_t *payload,
                           size_t payload_len, bytebuf *out);

/* Appends a block's range to e->ranges, growing it (*cap: its allocated
 * length, kept by the caller across calls): SHROUD_OK or SHROUD_ERR_NOMEM. */
int image_embedded_add_range(image_embedded *e, size_t *cap, size_t offset, size_t size, int kind);

/* Per-format halves of the above (embedded_png.c, embedded_jpeg.c). */
int png_embedded_find(const uint8_t *buf, size_t len, image_embedded *out);
int png_embedded_rewrite(const uint8_t *buf, size_t len, const image_embedded *e,
                         unsigned remove_mask, int kind, const uint8_t *payload, size_t payload_len,
                         bytebuf *out);
int jpeg_embedded_find(const uint8_t *buf, size_t len, image_embedded *out);
int jpeg_embedded_rewrite(const uint8_t *buf, size_t len, const image_embedded *e,
                          unsigned remove_mask, int kind, const uint8_t *payload,
                          size_t payload_len, bytebuf *out);

#endif
