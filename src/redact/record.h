/*
 * record.h — the redaction block stored in an image, and the sealed record
 * of each group (internal). Byte layouts: docs/FORMAT.md, "Redacted images".
 *
 * Redaction block (the EMBED_RECORD payload of the image):
 *   layout    = "SHRDRED" 0x01 | format:u8 | width:u32be | height:u32be |
 *               flags:u8 | group_count:u8 | group{group_count}
 *   group     = name_len:u8 | name | style:u8 | region_count:u16be |
 *               region{region_count}
 *   region    = x:u32be | y:u32be | w:u32be | h:u32be
 *   block     = layout | (envelope_len:u32be | envelope){group_count}
 * The layout is public (shroud inspect shows it); each envelope seals one
 * group's record.
 *
 * Sealed record (the plaintext of a group's envelope):
 *   "SHRDREC" 0x01 | group_index:u8 | content_digest[32] | layout_digest[32] |
 *   coding_len:u16be | coding | raw_len:u32be | data (raw deflate, to the end)
 * content_digest is SHA-256 of the image file without its shroud blocks;
 * layout_digest is SHA-256 of the layout bytes. coding holds the format's
 * parameters (PNG: pixel format; JPEG: how the original was entropy-coded)
 * and data the original content of the group's regions, compressed.
 */
#ifndef SHROUD_REDACT_RECORD_H
#define SHROUD_REDACT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bytebuf.h"
#include "shroud.h"

#define LAYOUT_MAGIC "SHRDRED\1"
#define RECORD_MAGIC "SHRDREC\1"
#define REDACT_MAGIC_BYTES 8
#define REDACT_DIGEST_BYTES 32
#define RECORD_CODING_MAX 4096
#define LAYOUT_FLAG_STRIPPED 0x01u /* metadata was stripped at redaction */
#define LAYOUT_FLAGS_KNOWN LAYOUT_FLAG_STRIPPED

typedef struct {
    char name[SHROUD_GROUP_NAME_MAX + 1];
    uint8_t style;
    uint16_t n_regions;
    shroud_region *regions;  /* owned */
    const uint8_t *envelope; /* parsed blocks: points into the block */
    uint32_t envelope_len;
} layout_group;

typedef struct {
    uint8_t format; /* enum shroud_image_format */
    uint32_t width, height;
    uint8_t flags;
    uint8_t n_groups;
    layout_group groups[SHROUD_MAX_GROUPS];
} redaction_layout;

/* SHROUD_OK if every region is non-empty and inside width x height, else
 * SHROUD_ERR_REGION. */
int regions_check(const shroud_region *regions, size_t n, uint32_t width, uint32_t height);

/* Appends the layout bytes (no envelopes) to out. */
int layout_encode(const redaction_layout *l, bytebuf *out);

/* Appends the whole block: layout, then each group's envelope. */
int block_encode(const redaction_layout *l, const uint8_t *const *envelopes,
                 const size_t *envelope_lens, bytebuf *out);

/* Parses and validates a block (magic, format, sizes within image_limits.h,
 * 1..SHROUD_MAX_GROUPS groups with valid unique names, known styles,
 * 1..SHROUD_MAX_REGIONS regions inside the image, no trailing bytes).
 * Envelope pointers point into buf. SHROUD_ERR_RECORD when malformed,
 * SHROUD_ERR_VERSION for another magic version. Fills layout_digest.
 * Free with layout_free (also after an error). */
int block_parse(const uint8_t *buf, size_t len, redaction_layout *out,
                uint8_t layout_digest[REDACT_DIGEST_BYTES]);

void layout_free(redaction_layout *l);

typedef struct {
    uint8_t group_index;
    uint8_t content_digest[REDACT_DIGEST_BYTES];
    uint8_t layout_digest[REDACT_DIGEST_BYTES];
    const uint8_t *coding;
    uint16_t coding_len;
    uint32_t raw_len;    /* size of data once inflated */
    const uint8_t *data; /* raw deflate */
    size_t data_len;
} sealed_record;

int record_encode(const sealed_record *r, bytebuf *out);
/* Pointers point into buf. SHROUD_ERR_RECORD when malformed. */
int record_parse(const uint8_t *buf, size_t len, sealed_record *out);

/* A record_deflate level: Huffman-coded literals only (deflate_literals.h),
 * smaller and faster than any libdeflate level on captured JPEG blocks. */
#define RECORD_DEFLATE_LITERALS (-1)

/* Compresses raw into out: raw deflate at libdeflate's `level` (1..12), or
 * RECORD_DEFLATE_LITERALS. */
int record_deflate(const uint8_t *raw, size_t raw_len, int level, bytebuf *out);
/* Inflates exactly raw_len bytes into a new buffer (free with free());
 * SHROUD_ERR_RECORD if the data does not inflate to exactly raw_len. */
int record_inflate(const uint8_t *data, size_t len, size_t raw_len, uint8_t **out);

#endif
