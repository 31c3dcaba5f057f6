/* jpeg_segments.c — the marker-segment walker, SOI up to the first SOS. */
#include "image/jpeg_segments.h"

#include <string.h>

#include "shroud.h"

#define JPEG_MARKER_TEM 0x01

int jpeg_segments_begin(jpeg_segment_reader *r, const uint8_t *buf, size_t len)
{
    if (!r)
        return SHROUD_ERR_ARGUMENT;
    memset(r, 0, sizeof *r);
    if (!buf || len < 2 || buf[0] != 0xFF || buf[1] != JPEG_MARKER_SOI)
        return SHROUD_ERR_IMAGE_FORMAT;
    r->buf = buf;
    r->len = len;
    r->pos = 2;
    return SHROUD_OK;
}

/* Markers that stand alone (no length field): TEM, RSTn, SOI, EOI. */
static int is_standalone(uint8_t m)
{
    return m == JPEG_MARKER_TEM || (m >= 0xD0 && m <= JPEG_MARKER_EOI);
}

int jpeg_segments_next(jpeg_segment_reader *r, jpeg_segment *s)
{
    if (!r || !s || !r->buf)
        return SHROUD_ERR_ARGUMENT;
    if (r->done)
        return 0;
    const uint8_t *b = r->buf;
    size_t pos = r->pos;
    if (pos >= r->len || b[pos] != 0xFF)
        return SHROUD_ERR_IMAGE; /* truncated, or garbage where a marker must start */
    /* Fill bytes: any run of 0xFF; the marker's own 0xFF is the last one. */
    while (pos + 1 < r->len && b[pos + 1] == 0xFF)
        pos++;
    if (pos + 1 >= r->len)
        return SHROUD_ERR_IMAGE;
    uint8_t marker = b[pos + 1];
    if (marker == 0x00)
        return SHROUD_ERR_IMAGE; /* a stuffed 0xFF00 is entropy data, not a marker */
    memset(s, 0, sizeof *s);
    s->marker = marker;
    s->offset = pos;
    if (is_standalone(marker)) {
        if (marker != JPEG_MARKER_TEM)
            return SHROUD_ERR_IMAGE; /* EOI, SOI or RSTn before SOS */
        s->size = 2;
        r->pos = pos + 2;
        return 1;
    }
    if (r->len - pos < 4)
        return SHROUD_ERR_IMAGE;
    uint32_t field = (uint32_t)b[pos + 2] << 8 | b[pos + 3];
    if (field < 2 || field > r->len - pos - 2)
        return SHROUD_ERR_IMAGE;
    s->length = field - 2;
    s->data = b + pos + 4;
    s->size = 2 + (size_t)field;
    r->pos = pos + s->size;
    if (marker == JPEG_MARKER_SOS)
        r->done = 1;
    return 1;
}
