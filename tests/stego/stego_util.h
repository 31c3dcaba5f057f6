/*
 * stego_util.h — helpers of the steganography tests: rasters of every PNG
 * colour type and depth filled with random samples (optionally rich in the
 * values where +-1 embedding could go wrong: 0, 1, max-1, max, alpha 0/1),
 * PNG and BMP files made from them, keys, and the checks every stego image
 * must pass against its cover. Failures fail the calling test (cmocka).
 */
#ifndef SHROUD_TESTS_STEGO_UTIL_H
#define SHROUD_TESTS_STEGO_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "image/png_raster.h"
#include "shroud.h"
#include "stego/stego_format.h"
#include "testutil.h"

/* A small deterministic generator (xorshift64*). */
typedef struct {
    uint64_t s;
} su_rng;

void su_seed(su_rng *r, uint64_t seed);
uint32_t su_rand(su_rng *r);
uint32_t su_below(su_rng *r, uint32_t bound);
void su_bytes(su_rng *r, uint8_t *out, size_t len);

/* How su_raster fills the samples. */
enum su_fill {
    SU_FILL_PHOTO = 0, /* smooth values in 1..max-1, a few saturated ones, alpha mostly opaque */
    SU_FILL_EDGES = 1, /* most samples 0, 1, max-1 or max; alpha 0, 1, max or random */
    SU_FILL_SATURATED = 2, /* every colour sample 0 or max */
};

/* A new raster (8 or 16 bits; PNG_CT_GRAY, _GRAY_ALPHA, _RGB or _RGBA). */
png_raster *su_raster(uint32_t w, uint32_t h, int color_type, int depth, int fill, su_rng *r);

/* The raster as a PNG file (png_raster_encode, level 6), malloc'd. */
uint8_t *su_png(const png_raster *img, size_t *len);

/* BMP files of an 8-bit raster: GRAY as 8-bit with a gray palette (identity,
 * or reversed when reverse_palette: index = 255 - value), RGB as 24-bit or as
 * 32-bit BI_RGB (bits 24 / 32), RGBA as 32-bit with a V4 header and an alpha
 * mask. Bottom-up rows, padded to 4 bytes. malloc'd. */
uint8_t *su_bmp(const png_raster *img, int bits, int reverse_palette, size_t *len);

/* Decodes a PNG or BMP as the tutorial reader sees it (stego_image_decode_any:
 * palette indices, as numpy would). */
png_raster *su_decode(const uint8_t *buf, size_t len);
/* Decodes a cover as hide sees it (stego_image_decode: BMP palette values). */
png_raster *su_decode_cover(const uint8_t *buf, size_t len);

/* Samples per pixel, whether the last one is alpha, and the sample count. */
int su_has_alpha(const png_raster *img);
size_t su_samples(const png_raster *img);

/* The checks every stego image passes against its cover: same size, type and
 * depth; alpha and the samples of fully transparent pixels identical;
 * saturated samples (0, max) unchanged; every other sample unchanged or moved
 * by exactly +-1 and still in 1..max-1; the usable sets of both identical.
 * Returns the number of changed samples. */
size_t su_check_stego(const png_raster *cover, const png_raster *stego);

/* The samples where a and b differ (malloc'd list, count in *n). */
uint32_t *su_changed(const png_raster *a, const png_raster *b, size_t *n);

/* The order of the usable samples a stream with these keys follows,
 * computed from its definition (docs/FORMAT.md section 6) independently of
 * the library's cursor: cells of 64 samples taken in the order of a keyed
 * Fisher-Yates shuffle (positions.h) of the cell numbers, in each cell its
 * usable samples in increasing order. Salted: the first STEGO_SALT_SAMPLES
 * from cells drawn with the public salt key, the rest of that cell skipped
 * (*skipped: how many usable samples), then cells drawn with
 * keys->positions. n_after samples after the salt; the list (malloc'd)
 * holds (salted ? STEGO_SALT_SAMPLES : 0) + n_after entries. */
uint32_t *su_order(const png_raster *img, int salted, const stego_keys *keys, size_t n_after,
                   size_t *skipped);

/* The same with any keys: n1 samples from key1's cells (none if key1 is
 * NULL), the rest of that cell skipped, then n2 from key2's (SIZE_MAX: all
 * that remain). The list holds n1 (if key1) + n2 entries. */
uint32_t *su_order_keys(const png_raster *img, const uint8_t *key1, size_t n1, const uint8_t *key2,
                        size_t n2, size_t *skipped);

/* The same order through the library's cursor (cells.h). */
uint32_t *su_cursor_order(const png_raster *img, int salted, const stego_keys *keys,
                          size_t n_after);

/* Fails unless every entry of list is among set[0 .. n_set). */
void su_assert_subset(const uint32_t *list, size_t n, const uint32_t *set, size_t n_set);

/* Keys. */
shroud_identity *su_identity(void);
shroud_recipient *su_recipient(const shroud_identity *id);

/* A cover handle of a file; fails the test on error. */
shroud_cover *su_cover(const uint8_t *buf, size_t len);

#endif
