/*
 * jpeg_segments.h — walks the marker segments of a JPEG file held in memory,
 * from SOI up to and including the first SOS (internal).
 *
 * Everything shroud adds to a JPEG (APP11 segments) lives in that stretch.
 * The walker checks that the file starts with SOI, that every segment length
 * fits in the file, and skips fill bytes (0xFF runs) between segments. It
 * never reads outside the buffer and never allocates.
 */
#ifndef SHROUD_IMAGE_JPEG_SEGMENTS_H
#define SHROUD_IMAGE_JPEG_SEGMENTS_H

#include <stddef.h>
#include <stdint.h>

#define JPEG_MARKER_SOI 0xD8
#define JPEG_MARKER_EOI 0xD9
#define JPEG_MARKER_SOS 0xDA
#define JPEG_MARKER_SOF0 0xC0 /* baseline sequential, Huffman */
#define JPEG_MARKER_SOF1 0xC1 /* extended sequential, Huffman */
#define JPEG_MARKER_DHT 0xC4
#define JPEG_MARKER_DQT 0xDB
#define JPEG_MARKER_DRI 0xDD
#define JPEG_MARKER_APP0 0xE0
#define JPEG_MARKER_APP11 0xEB
#define JPEG_MARKER_COM 0xFE
#define JPEG_SEGMENT_MAX_DATA 65533u /* a segment's length field counts itself */

typedef struct {
    uint8_t marker;      /* the byte after 0xFF */
    const uint8_t *data; /* after the length field; points into the file */
    uint32_t length;     /* of data (0 for standalone markers) */
    size_t offset;       /* of the 0xFF that starts the marker */
    size_t size;         /* the whole segment on disk: 2 + 2 + length (2 when standalone) */
} jpeg_segment;

typedef struct {
    const uint8_t *buf;
    size_t len, pos;
    int done; /* SOS returned */
} jpeg_segment_reader;

/* SHROUD_OK, or SHROUD_ERR_IMAGE_FORMAT when buf does not start with SOI. */
int jpeg_segments_begin(jpeg_segment_reader *r, const uint8_t *buf, size_t len);

/* 1 with *s filled for the next segment (SOS included: it is the last one),
 * 0 after SOS, or SHROUD_ERR_IMAGE (truncated, a length below 2, a byte other
 * than 0xFF where a marker must start, EOI or a standalone marker other than
 * TEM before SOS). */
int jpeg_segments_next(jpeg_segment_reader *r, jpeg_segment *s);

#endif
