/*
 * jpeg_coeffs.h — a JPEG's quantised DCT coefficients, read and written with
 * libjpeg-turbo's transcoding API (jpeg_read_coefficients /
 * jpeg_write_coefficients), so nothing is decoded to pixels and nothing is
 * re-quantised (internal).
 *
 * Reading keeps every APPn and COM segment (in file order) and the file's
 * coding parameters (progressive, arithmetic, restart interval, Huffman
 * tables). Any libjpeg warning (corrupt or truncated entropy data) is an
 * error: shroud only rewrites files it can reproduce exactly. Limits:
 * image_limits.h pixels, JPEG_MAX_SCANS scans, 8-bit samples only.
 *
 * Blocks are JPEG_BLOCK (64 coefficients in natural, not zigzag, order),
 * addressed per component by block row and column. Every block inside
 * [0, width_in_blocks) x [0, height_in_blocks) is real; blocks beyond those
 * (padding up to a whole MCU) exist but are never written.
 */
#ifndef SHROUD_IMAGE_JPEG_COEFFS_H
#define SHROUD_IMAGE_JPEG_COEFFS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bytebuf.h"
#include "shroud.h"

#define JPEG_MAX_COMPONENTS 4
#define JPEG_MAX_SCANS 1000 /* a progressive file with more scans is refused */
#define JPEG_HUFF_SLOTS 4

typedef int16_t JPEG_BLOCK[64];

typedef struct {
    uint8_t h_samp, v_samp;    /* sampling factors */
    uint32_t width_in_blocks;  /* real blocks per row */
    uint32_t height_in_blocks; /* real block rows */
    uint16_t quant[64];        /* quantisation table, natural order */
    uint8_t quant_slot;        /* which DQT table (0..3) */
} jpeg_comp_geometry;

/* One Huffman table as in a DHT segment: bits[1..16] counts, then values. */
typedef struct {
    uint8_t bits[17]; /* bits[0] unused */
    uint8_t values[256];
} jpeg_huff_table;

typedef struct {
    uint8_t dc_present, ac_present; /* bit s set: slot s defined */
    jpeg_huff_table dc[JPEG_HUFF_SLOTS], ac[JPEG_HUFF_SLOTS];
} jpeg_huff_set;

typedef struct {
    uint32_t width, height;
    uint8_t components;
    uint8_t max_h_samp, max_v_samp; /* an MCU is 8*max_h_samp x 8*max_v_samp pixels */
    uint8_t progressive, arithmetic;
    uint32_t restart_interval; /* in MCUs; 0 = none (the last scan's) */
    /* R > 0 when the scans' restart intervals differ but each is R MCU rows
     * of its scan (libjpeg's restart_in_rows, as cjpeg/jpegtran -restart N
     * write progressive files); 0 otherwise */
    uint32_t restart_rows;
    int color_space; /* libjpeg J_COLOR_SPACE of the file */
    jpeg_comp_geometry comp[JPEG_MAX_COMPONENTS];
} jpeg_info;

/* Natural-order (row-major) index of each zigzag position (T.81 figure A.6).
 * Not jpeg_natural_order: libjpeg exports a table of that name (with 16
 * more entries), and ours would take its place in its own code. */
extern const uint8_t dct_natural_order[64];

/* The magnitude category of a coefficient or difference: the bits of |v|. */
static inline unsigned jpeg_category(int v)
{
    unsigned a = (unsigned)(v < 0 ? -v : v);
    return a ? 32u - (unsigned)__builtin_clz(a) : 0;
}

/* Blocks of component c across and down one MCU. A lone component is coded
 * one block per MCU whatever its header says (T.81 A.2.2). */
static inline uint32_t jpeg_mcu_blocks_across(const jpeg_info *in, int c)
{
    return in->components == 1 ? 1u : in->comp[c].h_samp;
}

static inline uint32_t jpeg_mcu_blocks_down(const jpeg_info *in, int c)
{
    return in->components == 1 ? 1u : in->comp[c].v_samp;
}

/* An MCU's size in pixels (8x8 for a lone component). */
static inline uint32_t jpeg_mcu_width(const jpeg_info *in)
{
    return 8u * (in->components == 1 ? 1u : in->max_h_samp);
}

static inline uint32_t jpeg_mcu_height(const jpeg_info *in)
{
    return 8u * (in->components == 1 ? 1u : in->max_v_samp);
}

typedef struct {
    uint8_t marker; /* JPEG_MARKER_APP0 + n, or JPEG_MARKER_COM */
    uint32_t length;
    const uint8_t *data; /* owned by the jpeg_coeffs */
} jpeg_marker;

typedef struct jpeg_coeffs jpeg_coeffs;

/* Reads a whole JPEG file. SHROUD_ERR_IMAGE_FORMAT when it is not a JPEG or
 * uses what libjpeg-turbo cannot transcode (12-bit, lossless), SHROUD_ERR_IMAGE
 * when it is corrupt, SHROUD_ERR_IMAGE_LIMIT beyond the limits. */
int jpeg_coeffs_read(const uint8_t *buf, size_t len, jpeg_coeffs **out);

/* Reads only up to the first scan: jpeg_coeffs_info (without restart_rows,
 * which needs every scan) and the markers before it, no coefficients
 * (jpeg_coeffs_row gives NULL; do not write it). The entropy-coded data is
 * not checked. For describing a file quickly. */
int jpeg_coeffs_read_header(const uint8_t *buf, size_t len, jpeg_coeffs **out);
void jpeg_coeffs_free(jpeg_coeffs *j);

const jpeg_info *jpeg_coeffs_info(const jpeg_coeffs *j);

/* Block row `row` of component c: width_in_blocks (at least) writable blocks.
 * NULL if c or row is out of range. */
JPEG_BLOCK *jpeg_coeffs_row(jpeg_coeffs *j, int c, uint32_t row);

/* The saved APPn/COM segments in file order. */
void jpeg_coeffs_markers(const jpeg_coeffs *j, const jpeg_marker **markers, size_t *count);

/* The Huffman tables the file defined (the last definition of each slot). */
const jpeg_huff_set *jpeg_coeffs_huffman(const jpeg_coeffs *j);

/* 1 if both sets define the same slots with the same tables. */
int jpeg_huff_set_equal(const jpeg_huff_set *a, const jpeg_huff_set *b);

/* 1 if every table in set equals the JPEG standard's (Annex K) table for its
 * slot class (DC slot 0/AC slot 0 luminance, slot 1 chrominance). */
int jpeg_huff_set_is_standard(const jpeg_huff_set *set);

enum jpeg_huffman_mode {
    JPEG_HUFF_STANDARD = 0, /* Annex K tables, one pass */
    JPEG_HUFF_OPTIMIZE = 1, /* tables computed from the coefficients (two passes) */
    JPEG_HUFF_GIVEN = 2,    /* the tables in jpeg_write_options.tables */
};

enum jpeg_marker_policy {
    JPEG_MARKERS_ALL = 0,         /* every saved APPn/COM except shroud's APP11 */
    JPEG_MARKERS_ESSENTIAL = 1,   /* only JFIF APP0 and Adobe APP14 (they affect colours) */
    JPEG_MARKERS_NO_PREVIEWS = 2, /* ALL less those carrying a preview picture (previews.h) */
};

typedef struct {
    uint8_t huffman;             /* enum jpeg_huffman_mode */
    const jpeg_huff_set *tables; /* JPEG_HUFF_GIVEN only */
    uint8_t progressive;         /* libjpeg's simple progression script */
    uint8_t arithmetic;
    uint32_t restart_interval; /* in MCUs */
    uint32_t restart_rows;     /* when > 0: R MCU rows in every scan, instead of the above */
    uint8_t markers;           /* enum jpeg_marker_policy */
} jpeg_write_options;

/* The options that re-create the file as it was read: its progressive,
 * arithmetic and restart settings, its Huffman tables (given), all markers. */
void jpeg_coeffs_input_options(const jpeg_coeffs *j, jpeg_write_options *o);

/* Writes the (possibly modified) coefficients as a JPEG file appended to out.
 * The saved markers are written right after SOI in their original order (no
 * JFIF/Adobe marker is synthesised), then libjpeg's DQT, SOF, DHT, DRI, SOS.
 * SHROUD_ERR_IMAGE_FORMAT if the given Huffman tables cannot code the
 * coefficients (use JPEG_HUFF_OPTIMIZE then). */
int jpeg_coeffs_write(jpeg_coeffs *j, const jpeg_write_options *o, bytebuf *out);

/* ---- splicing (jpeg_splice.h) ----
 *
 * For rewriting a few regions of a sequential Huffman-coded file: only the
 * MCU rows of the regions are decoded into blocks, and the write copies the
 * entropy-coded bits of every other MCU unchanged. */

/* Like jpeg_coeffs_read, but when the file can be spliced decodes only the
 * blocks of the MCUs that regions (pixel rectangles, grown to whole MCUs)
 * cover, and of the MCU after each: jpeg_coeffs_row gives NULL for rows
 * without such MCUs, and the other blocks of a row it gives are unspecified;
 * jpeg_coeffs_write refuses the object: write it with
 * jpeg_coeffs_write_spliced. Any other file is read in full, as
 * jpeg_coeffs_read does (jpeg_coeffs_is_spliced tells which). */
int jpeg_coeffs_read_regions(const uint8_t *buf, size_t len, const shroud_region *regions, size_t n,
                             jpeg_coeffs **out);
int jpeg_coeffs_is_spliced(const jpeg_coeffs *j);

/* Writes a spliced object: the file's own segments up to SOS (APPn and COM
 * filtered by marker_policy, everything else as it was), then the entropy-
 * coded data with only the MCUs of the regions and the one after each coded
 * again with the file's tables. JPEG_SPLICE_UNSUITABLE (1) when those tables
 * cannot code the modified blocks: jpeg_coeffs_unsplice, then
 * jpeg_coeffs_write. */
int jpeg_coeffs_write_spliced(jpeg_coeffs *j, int marker_policy, bytebuf *out);

/* Replaces a spliced object by a full read of buf (the same file), with the
 * kept rows, as modified, copied in. */
int jpeg_coeffs_unsplice(jpeg_coeffs **j, const uint8_t *buf, size_t len);

#endif
