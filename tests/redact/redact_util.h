/*
 * redact_util.h — helpers shared by the redaction unit tests (tests/redact):
 * PNG files of any colour type and bit depth made in memory with libpng,
 * keys, redacting and restoring through the public API, and access to the
 * record a redacted file carries. Helpers fail the calling test (cmocka) when
 * something they need does not work, unless a return value says otherwise.
 */
#ifndef SHROUD_TESTS_REDACT_UTIL_H
#define SHROUD_TESTS_REDACT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/png_raster.h"
#include "shroud.h"
#include "testutil.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- PNG files --------------------------------------------------------------- */

/* What ru_png_make produces. */
typedef struct {
    uint32_t width, height;
    uint8_t color_type; /* enum png_color_type */
    uint8_t bit_depth;
    bool interlaced;      /* Adam7 */
    uint16_t palette_len; /* palette images: entries (0: 2^depth); entry 1 is the darkest */
    bool trns;            /* palette: alpha for the first half of the entries;
                             gray / RGB: a transparent colour key */
    bool black_key;       /* gray / RGB with trns: the key is black (0) */
    bool text;            /* a tEXt chunk (RU_TEXT_KEY, RU_TEXT_VALUE) */
    bool gama;            /* a gAMA chunk (RU_GAMA) */
    bool iccp;            /* an iCCP chunk (ru_iccp_data) */
    unsigned seed;        /* picks another pixel pattern */
} ru_png_spec;

#define RU_TEXT_KEY "Comment"
#define RU_TEXT_VALUE "shroud redaction test"
#define RU_GAMA 45455u

/* The raw iCCP chunk data ru_png_make writes (profile name, method, zlib stream). */
const uint8_t *ru_iccp_data(size_t *len);

/* The pixels ru_png_make writes, in png_raster's layout (one byte per sample
 * below 8 bits, 16-bit samples big-endian; palette images: indices). */
uint8_t *ru_png_pixels(const ru_png_spec *spec, size_t *len);

/* The palette (RGB triplets) and tRNS entries ru_png_make writes. */
void ru_png_palette(const ru_png_spec *spec, uint8_t palette[256][3], uint16_t *n,
                    uint8_t trns[256], uint16_t *n_trns);

/* A PNG file made with libpng (malloc'd). */
uint8_t *ru_png_make(const ru_png_spec *spec, size_t *len);

/* Decodes with png_raster_decode, failing the test on error. */
png_raster *ru_png_decode(const uint8_t *png, size_t len);

/* The data of the n-th (0-based) chunk of this type, or NULL; *len its length. */
const uint8_t *ru_png_chunk(const uint8_t *png, size_t len, const char *type, size_t n,
                            uint32_t *data_len);

/* Number of chunks of this type. */
size_t ru_png_chunk_count(const uint8_t *png, size_t len, const char *type);

/* One complete chunk (length, type, data, CRC) appended to out. */
void ru_png_chunk_append(tu_buf *out, const char *type, const uint8_t *data, uint32_t len);

/* ---- keys ----------------------------------------------------------------------- */

shroud_identity *ru_native_identity(void);
shroud_identity *ru_rsa_identity(void); /* 2048 bits */
shroud_recipient *ru_recipient_of(const shroud_identity *id);

/* A shroud_passphrase_fn answering pass (refusing when NULL); counts calls. */
typedef struct {
    const char *pass;
    int calls;
} ru_pass;
int ru_pass_fn(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len);

#define RU_LOG_N SHROUD_SCRYPT_MIN_LOG_N /* the cheapest work factor the API takes */

/* ---- redacting and restoring ----------------------------------------------------------- */

/* One group for ru_redact. */
typedef struct {
    const char *name;
    int style;
    const shroud_region *regions;
    size_t n_regions;
    const shroud_recipient *const *recipients;
    size_t n_recipients;
    const char *pass; /* with RU_LOG_N */
} ru_group;

/* Options for ru_redact beyond the groups. */
typedef struct {
    bool strip;
    int png_level; /* 0: the default */
    const shroud_identity *signer;
} ru_options;

/* Redacts through the public API; fails the test unless every step works.
 * opts may be NULL. Free with free(). */
uint8_t *ru_redact(const uint8_t *image, size_t len, const ru_group *groups, size_t n_groups,
                   const ru_options *opts, size_t *out_len);

/* One group sealed to one recipient. */
uint8_t *ru_redact_one(const uint8_t *image, size_t len, int style, const shroud_region *regions,
                       size_t n_regions, const shroud_recipient *r, size_t *out_len);

/* Restores, failing the test unless it works; *info (if not NULL) gets the
 * restore info. Free with free(). */
uint8_t *ru_restore(const uint8_t *image, size_t len, const shroud_identity *const *ids,
                    size_t n_ids, ru_pass *pass, size_t *out_len, shroud_image_info **info);

/* Restores expecting failure: the error must be one of allowed, and nothing
 * (no output, no length, no info) may come back. Returns the error. */
int ru_restore_fails(const uint8_t *image, size_t len, const shroud_identity *const *ids,
                     size_t n_ids, ru_pass *pass, const int *allowed, size_t n_allowed,
                     const char *what);

/* ---- the record inside a file ---------------------------------------------------------- */

/* A copy of the payload of a kind (EMBED_RECORD / EMBED_SIGNATURE), or NULL. */
uint8_t *ru_payload(const uint8_t *image, size_t len, int kind, size_t *payload_len);

/* The file with the blocks of `kind` replaced by payload (NULL: removed).
 * Fails the test unless the container allows it. */
uint8_t *ru_with_payload(const uint8_t *image, size_t len, int kind, const uint8_t *payload,
                         size_t payload_len, size_t *out_len);

/* Bytes of the public layout at the start of a record payload (parsed from
 * its group and region counts). */
size_t ru_layout_len(const uint8_t *payload, size_t len);

/* Where group g's envelope_len field starts and how long the envelope is. */
void ru_envelope_at(const uint8_t *payload, size_t len, unsigned g, size_t *offset,
                    size_t *env_len);

/* The blocks of a kind in file order: offsets and sizes on disk. */
size_t ru_blocks(const uint8_t *image, size_t len, int kind, size_t *offsets, size_t *sizes,
                 size_t cap);

/* ---- comparing images (PNG: decoded pixels; JPEG: coefficient blocks) ------------------ */

/* The rectangle a JPEG region covers: grown outward to the MCU grid of the
 * image, clipped to it (docs/FORMAT.md); computed here, not by the library.
 * For a PNG the region itself. */
shroud_region ru_cover(const uint8_t *image, size_t len, const shroud_region *r);

/* 1 if a and b (same format and size) have the same content inside r: PNG
 * pixels of r, JPEG blocks (all components) under ru_cover(r). */
int ru_same_inside(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                   const shroud_region *r);

/* Fails unless everything outside the regions (JPEG: outside their covered
 * blocks) is identical in a and b. */
void ru_assert_same_outside(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                            const shroud_region *regions, size_t n, const char *what);

/* Fails unless b holds exactly a's image: PNG the same size, colour type,
 * depth, palette and pixels; JPEG the same coefficients and decoded pixels. */
void ru_assert_same_image(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                          const char *what);

/* ---- misc -------------------------------------------------------------------------------- */

/* A copy of len bytes. */
uint8_t *ru_dup(const uint8_t *p, size_t len);

/* 1 if (x, y) is inside any of the regions. */
int ru_inside(const shroud_region *regions, size_t n, uint32_t x, uint32_t y);

/* Deterministic 32-bit hash. */
uint32_t ru_hash(uint32_t x);

#endif
