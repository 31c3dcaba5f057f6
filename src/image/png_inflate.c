/*
 * png_inflate.c — the fast way to a PNG's pixels: libdeflate and our own
 * unfiltering, for the common files (not interlaced, 8 or 16 bits, no
 * palette). png_decode.c tries it first and falls back to libpng on any
 * surprise, so libpng stays the judge of unusual files.
 */
#include "image/png_inflate.h"

#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "crypto/bigendian.h"
#include "image/big_buffer.h"
#include "image/inflate_literals.h"
#include "image/png_chunks.h"
#include "image/png_deflate.h"
#include "shroud.h"

/* The IDAT data of the file (total bytes, as the chunk walk of
 * png_decode.c counted them), concatenated. */
static uint8_t *gather_idat(const uint8_t *buf, size_t len, size_t total)
{
    png_chunk_reader r;
    png_chunk c;
    uint8_t *data = big_buffer_alloc(total);
    if (!data || png_chunks_begin(&r, buf, len) != SHROUD_OK) {
        free(data);
        return NULL;
    }
    size_t at = 0;
    while (png_chunks_next(&r, &c) == 1)
        if (memcmp(c.type, "IDAT", 4) == 0) {
            if (c.length > total - at) { /* not the file that was walked */
                free(data);
                return NULL;
            }
            memcpy(data + at, c.data, c.length);
            at += c.length;
        }
    return data;
}

/* The Paeth predictor without branches (photos make them unpredictable):
 * p - a = b - c, p - b = a - c, p - c = a + b - 2c. */
static inline uint8_t paeth(int a, int b, int c)
{
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
    int bc = pb <= pc ? b : c;
    return (uint8_t)(pa <= pb && pa <= pc ? a : bc);
}

/* Paeth rows with a constant pixel size, so the compiler keeps the bpp
 * independent chains in registers. */
static inline void paeth_row(const uint8_t *in, uint8_t *out, const uint8_t *prev, size_t n,
                             size_t bpp)
{
    for (size_t i = 0; i < bpp; i++)
        out[i] = (uint8_t)(in[i] + prev[i]); /* a = c = 0: the predictor is b */
    for (size_t i = bpp; i < n; i++)
        out[i] = (uint8_t)(in[i] + paeth(out[i - bpp], prev[i], prev[i - bpp]));
}

#if defined(__SSE2__)
/* Two Paeth rows at once with SSE2, for 3- and 4-byte pixels: one register
 * of eight 16-bit lanes holds pixel x of the upper row (lanes 0-3) and
 * pixel x-1 of the lower row (lanes 4-7). The lower row's b and c are
 * upper-row pixels the step before has just decoded, so a pixel's serial
 * chain of selects yields two pixels instead of one (about twice as fast
 * as the scalar rows on a 1080p photo). The filtered rows in_up and in_low
 * are unfiltered into upper and lower, which may be the same rows (each
 * byte is read before it is overwritten); prev is the unfiltered row above
 * the upper one. Inside the rows, pixels are loaded 4 bytes at a
 * time even when they have 3: a 3-byte load goes through memory and stalls
 * on store forwarding, which made this slower than the scalar rows. The
 * fourth byte (the next pixel's, or the next row's filter byte) is decoded
 * along in a lane that is never stored. */
static inline __attribute__((always_inline)) __m128i load_pixel16(const uint8_t *p, size_t bpp)
{
    uint32_t v = 0;
    memcpy(&v, p, bpp);
    return _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)v), _mm_setzero_si128());
}

/* 4 bytes at p, when they are inside the buffer: for 3-byte pixels the
 * fourth lane is the next pixel's byte, decoded along and never stored. */
static inline __attribute__((always_inline)) __m128i load4_pixel16(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)v), _mm_setzero_si128());
}

static inline __m128i abs16(__m128i x)
{
    __m128i negative = _mm_cmplt_epi16(x, _mm_setzero_si128());
    return _mm_sub_epi16(_mm_xor_si128(x, negative), negative);
}

static inline __m128i select16(__m128i mask, __m128i yes, __m128i no)
{
    return _mm_or_si128(_mm_and_si128(mask, yes), _mm_andnot_si128(mask, no));
}

static inline __attribute__((always_inline)) __m128i paeth_add16(__m128i x, __m128i a, __m128i b,
                                                                 __m128i c)
{
    __m128i pa = _mm_sub_epi16(b, c), pb = _mm_sub_epi16(a, c);
    __m128i pc = abs16(_mm_add_epi16(pa, pb));
    pa = abs16(pa);
    pb = abs16(pb);
    __m128i least = _mm_min_epi16(_mm_min_epi16(pa, pb), pc);
    __m128i pred =
        select16(_mm_cmpeq_epi16(least, pa), a, select16(_mm_cmpeq_epi16(least, pb), b, c));
    return _mm_and_si128(_mm_add_epi16(x, pred), _mm_set1_epi16(0xFF));
}

/* One step: x_up / x_low are the filtered pixels, *a, *b, *c the lanes as
 * the comment above says; returns the two decoded pixels, packed to bytes
 * (upper in bytes 0-3, lower in bytes 4-7), and moves a, b, c on. */
static inline __attribute__((always_inline)) __m128i
paeth_step(__m128i x_up, __m128i b_up, __m128i x_low, __m128i *a, __m128i *b, __m128i *c)
{
    *c = *b;                           /* prev[x-1] | upper[x-2] */
    *b = _mm_unpacklo_epi64(b_up, *a); /* prev[x] | upper[x-1] */
    *a = paeth_add16(_mm_unpacklo_epi64(x_up, x_low), *a, *b, *c);
    return _mm_packus_epi16(*a, *a);
}

static inline __attribute__((always_inline)) void store_pixel(uint8_t *p, __m128i packed, int lower,
                                                              size_t bpp)
{
    uint32_t v = (uint32_t)_mm_cvtsi128_si32(lower ? _mm_srli_si128(packed, 4) : packed);
    memcpy(p, &v, bpp);
}

/* An Average row of 3- or 4-byte pixels: each pixel's left neighbour stays
 * in a register as 16-bit lanes (the scalar loop reloads the byte it has
 * just stored, a store-forwarding stall per byte). prev NULL: the first
 * row (b = 0). in may be out. */
static inline __attribute__((always_inline)) void
average_row(const uint8_t *in, uint8_t *out, const uint8_t *prev, size_t width, size_t bpp)
{
    __m128i a = _mm_setzero_si128(), b = a, low_bytes = _mm_set1_epi16(0xFF);
    for (size_t x = 0; x < width; x++) {
        /* 4-byte loads but for the last pixel, whose fourth byte may be
         * past the buffer */
        int last = x + 1 == width;
        __m128i x_in = last ? load_pixel16(in + x * bpp, bpp) : load4_pixel16(in + x * bpp);
        if (prev)
            b = last ? load_pixel16(prev + x * bpp, bpp) : load4_pixel16(prev + x * bpp);
        a = _mm_and_si128(_mm_add_epi16(x_in, _mm_srli_epi16(_mm_add_epi16(a, b), 1)), low_bytes);
        store_pixel(out + x * bpp, _mm_packus_epi16(a, a), 0, bpp);
    }
}

static void average_row3(const uint8_t *in, uint8_t *out, const uint8_t *prev, size_t width)
{
    average_row(in, out, prev, width, 3);
}

static void average_row4(const uint8_t *in, uint8_t *out, const uint8_t *prev, size_t width)
{
    average_row(in, out, prev, width, 4);
}

/* Two Average rows at once, laid out as Paeth's: lanes 0-3 hold
 * pixel x of the upper row, lanes 4-7 pixel x-1 of the lower one, whose b
 * is the upper pixel the step before decoded; one chain of adds yields two
 * pixels. */
static inline __attribute__((always_inline)) __m128i average_step(__m128i x_up, __m128i b_up,
                                                                  __m128i x_low, __m128i *a)
{
    __m128i b = _mm_unpacklo_epi64(b_up, *a); /* prev[x] | upper[x-1] */
    __m128i sum = _mm_srli_epi16(_mm_add_epi16(*a, b), 1);
    *a = _mm_and_si128(_mm_add_epi16(_mm_unpacklo_epi64(x_up, x_low), sum), _mm_set1_epi16(0xFF));
    return _mm_packus_epi16(*a, *a);
}

/* Two rows of Paeth (paeth) or Average pixels, bpp bytes each. */
static inline __attribute__((always_inline)) void two_rows(int paeth, const uint8_t *in_up,
                                                           const uint8_t *in_low, uint8_t *upper,
                                                           uint8_t *lower, const uint8_t *prev,
                                                           size_t width, size_t bpp)
{
    __m128i zero = _mm_setzero_si128(), a = zero, b = zero, c = zero;
#define TWO_ROWS_STEP(x_up, b_up, x_low)                                                           \
    (paeth ? paeth_step(x_up, b_up, x_low, &a, &b, &c) : average_step(x_up, b_up, x_low, &a))
    /* x = 0: the lower row has no pixel -1 (its lanes stay 0) */
    __m128i p = TWO_ROWS_STEP(load_pixel16(in_up, bpp), load_pixel16(prev, bpp), zero);
    store_pixel(upper, p, 0, bpp);
    a = _mm_unpacklo_epi64(a, zero);
    for (size_t x = 1; x < width; x++) {
        p = TWO_ROWS_STEP(load4_pixel16(in_up + x * bpp), load4_pixel16(prev + x * bpp),
                          load4_pixel16(in_low + (x - 1) * bpp));
        store_pixel(upper + x * bpp, p, 0, bpp);
        store_pixel(lower + (x - 1) * bpp, p, 1, bpp);
    }
    /* x = width: the upper row is done */
    p = TWO_ROWS_STEP(zero, zero, load_pixel16(in_low + (width - 1) * bpp, bpp));
    store_pixel(lower + (width - 1) * bpp, p, 1, bpp);
#undef TWO_ROWS_STEP
}

static void paeth_two_rows3(const uint8_t *in_up, const uint8_t *in_low, uint8_t *upper,
                            uint8_t *lower, const uint8_t *prev, size_t width)
{
    two_rows(1, in_up, in_low, upper, lower, prev, width, 3);
}

static void paeth_two_rows4(const uint8_t *in_up, const uint8_t *in_low, uint8_t *upper,
                            uint8_t *lower, const uint8_t *prev, size_t width)
{
    two_rows(1, in_up, in_low, upper, lower, prev, width, 4);
}

static void average_two_rows3(const uint8_t *in_up, const uint8_t *in_low, uint8_t *upper,
                              uint8_t *lower, const uint8_t *prev, size_t width)
{
    two_rows(0, in_up, in_low, upper, lower, prev, width, 3);
}

static void average_two_rows4(const uint8_t *in_up, const uint8_t *in_low, uint8_t *upper,
                              uint8_t *lower, const uint8_t *prev, size_t width)
{
    two_rows(0, in_up, in_low, upper, lower, prev, width, 4);
}
#endif

/* Undoes one row's filter (PNG spec 9.2) from in into out, which may be the
 * same buffer (each byte is read before it is written); prev is the
 * previous unfiltered row (NULL for the first). 0, or -1 for an unknown
 * filter type. */
static int unfilter(uint8_t type, const uint8_t *in, uint8_t *out, const uint8_t *prev, size_t n,
                    size_t bpp)
{
    switch (type) {
    case 0:
        memmove(out, in, n);
        return 0;
    case 1:
        memmove(out, in, bpp);
        for (size_t i = bpp; i < n; i++)
            out[i] = (uint8_t)(in[i] + out[i - bpp]);
        return 0;
    case 2:
        if (!prev)
            memmove(out, in, n);
        else
            for (size_t i = 0; i < n; i++)
                out[i] = (uint8_t)(in[i] + prev[i]);
        return 0;
    case 3:
#if defined(__SSE2__)
        if ((bpp == 3 || bpp == 4) && n % bpp == 0) {
            if (bpp == 3)
                average_row3(in, out, prev, n / 3);
            else
                average_row4(in, out, prev, n / 4);
            return 0;
        }
#endif
        for (size_t i = 0; i < n; i++) {
            unsigned a = i >= bpp ? out[i - bpp] : 0, b = prev ? prev[i] : 0;
            out[i] = (uint8_t)(in[i] + ((a + b) >> 1));
        }
        return 0;
    case 4:
        if (!prev) /* Paeth over a zero row is Sub */
            return unfilter(1, in, out, NULL, n, bpp);
        if (bpp == 3)
            paeth_row(in, out, prev, n, 3);
        else if (bpp == 4)
            paeth_row(in, out, prev, n, 4);
        else
            paeth_row(in, out, prev, n, bpp);
        return 0;
    default:
        return -1;
    }
}

/* Unfilters rows [y0, y1) of the filtered rows at in (row_bytes apart,
 * each with its filter byte first) into out (out_stride apart; may be
 * in + 1 with out_stride row_bytes: in place). prev: the unfiltered row
 * above y0, or NULL when there is none or y0's filter does not use it.
 * 0, or -1 for an unknown filter type. */
static int unfilter_rows(const png_raster *img, const uint8_t *in, size_t row_bytes, uint8_t *out,
                         size_t out_stride, const uint8_t *prev, size_t y0, size_t y1)
{
    for (size_t y = y0; y < y1; y++) {
        const uint8_t *row = in + y * row_bytes;
        uint8_t *dst = out + y * out_stride;
#if defined(__SSE2__)
        if (prev && y + 1 < y1 && (row[0] == 3 || row[0] == 4) && row[row_bytes] == row[0] &&
            img->sample_bytes == 1 && (img->pixel_bytes == 3 || img->pixel_bytes == 4)) {
            typedef void row_pair_fn(const uint8_t *, const uint8_t *, uint8_t *, uint8_t *,
                                     const uint8_t *, size_t);
            row_pair_fn *f = row[0] == 4
                                 ? (img->pixel_bytes == 3 ? paeth_two_rows3 : paeth_two_rows4)
                                 : (img->pixel_bytes == 3 ? average_two_rows3 : average_two_rows4);
            f(row + 1, row + 1 + row_bytes, dst, dst + out_stride, prev, img->width);
            prev = dst + out_stride;
            y++;
            continue;
        }
#endif
        if (unfilter(row[0], row + 1, dst, prev, img->stride, img->pixel_bytes) != 0)
            return -1;
        prev = dst;
    }
    return 0;
}

/* ---- parts on two threads ----
 * shroud's level-1 encoder (png_encode.c) compresses an image's rows in
 * parts: each part's deflate but the last ends with an empty stored block
 * on a byte boundary, where an IDAT chunk ends too, and each part's first
 * row is filtered None or Sub (it does not need the row above). Such a file
 * is inflated and unfiltered in parts as well, half of them on a second
 * thread, two at a time on each thread (inflate_literals_two). Each part is
 * read with inflate_literals from its first byte to its last, after which
 * its blocks must end exactly: if its first byte starts a block of the
 * whole stream, a conforming inflater reading the whole stream is at a
 * block boundary after its last byte too, with the same output. The first
 * part starts where the stream does, so by induction every part is what
 * that inflater reads, from an empty window as it needs none
 * (inflate_literals, or for the last part libdeflate when it has matches,
 * which refuses one reaching back before its start). The sizes and the
 * Adler-32 of the whole are checked as libdeflate checks them. Whatever
 * does not fit or check out goes the one-pass way, which then decides. */
#define PARTS_MAX 8
#define PARTS_THREAD_MIN_BYTES (256u * 1024u) /* below: all on this thread */

static int parts_allowed = 1;
static _Atomic unsigned long parts_taken;

void png_inflate_allow_parts(int allow)
{
    parts_allowed = allow;
}

unsigned long png_inflate_parts_taken(void)
{
    return parts_taken;
}

typedef struct {
    size_t z_at, z_end;    /* its deflate in the IDAT data */
    size_t chunk0, chunk1; /* its IDAT chunks */
    size_t y0, y1;         /* its rows */
    int last;              /* the stream's final block is in it */
    int inflated, unfiltered, bad_filter;
    const uint8_t *data; /* its deflate (in the file, or copied) */
    size_t in_used;      /* the last part's deflate length */
    uint32_t adler;
} part;

typedef struct {
    const png_raster *img;
    const uint8_t *file;
    const size_t *chunk_at; /* where each IDAT chunk's data is in the file */
    const uint32_t *chunk_len;
    uint8_t *idat, *rows, *pixels; /* IDAT data (NULL: no part needs it), filtered rows, pixels */
    size_t row_bytes;
    part *parts;
    size_t p0, p1; /* this worker's parts */
} worker;

/* Part p's deflate: where it is in the file when it is one chunk, else
 * copied into the IDAT data. */
static const uint8_t *part_data(const worker *w, const part *p)
{
    if (p->chunk1 == p->chunk0 + 1)
        return w->file + w->chunk_at[p->chunk0];
    size_t at = p->z_at;
    for (size_t k = p->chunk0; k < p->chunk1; k++) {
        memcpy(w->idat + at, w->file + w->chunk_at[k], w->chunk_len[k]);
        at += w->chunk_len[k];
    }
    return w->idat + p->z_at;
}

/* Part p's inflate. */
static inflate_literals_job part_job(const worker *w, part *p)
{
    size_t skip = p->z_at == 0 ? 2 : 0; /* the zlib header */
    inflate_literals_job job = {p->data + skip,
                                p->z_end - p->z_at - skip,
                                p->last ? INFLATE_LITERALS_TO_FINAL : INFLATE_LITERALS_TO_BOUNDARY,
                                w->rows + p->y0 * w->row_bytes,
                                (p->y1 - p->y0) * w->row_bytes,
                                &p->in_used};
    return job;
}

/* After inflate_literals gave result for part p: libdeflate for a last
 * part it refused (a stream with matches?), then the Adler-32 and the rows
 * (unless the first needs the row above). */
static void finish_part(const worker *w, part *p, int result)
{
    inflate_literals_job job = part_job(w, p);
    if (result != INFLATE_LITERALS_OK && p->last) {
        struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
        size_t got = 0;
        if (d &&
            libdeflate_deflate_decompress_ex(d, job.in, job.in_len, job.out, job.out_len,
                                             &p->in_used, &got) == LIBDEFLATE_SUCCESS &&
            got == job.out_len)
            result = INFLATE_LITERALS_OK;
        libdeflate_free_decompressor(d);
    }
    if (!(p->inflated = result == INFLATE_LITERALS_OK))
        return;
    p->adler = (uint32_t)libdeflate_adler32(1, job.out, job.out_len);
    if (p->y0 > 0 && job.out[0] > 1) /* needs the row above: done after the join */
        return;
    p->bad_filter = unfilter_rows(w->img, w->rows, w->row_bytes, w->pixels, w->img->stride, NULL,
                                  p->y0, p->y1) != 0;
    p->unfiltered = !p->bad_filter;
}

static void *run_worker(void *arg)
{
    const worker *w = arg;
    for (size_t k = w->p0; k < w->p1; k++)
        w->parts[k].data = part_data(w, &w->parts[k]);
    for (size_t k = w->p0; k < w->p1; k += 2) {
        part *p = &w->parts[k];
        if (k + 1 < w->p1) { /* two at once */
            inflate_literals_job jobs[2] = {part_job(w, p), part_job(w, p + 1)};
            int results[2];
            inflate_literals_two(jobs, results);
            finish_part(w, p, results[0]);
            finish_part(w, p + 1, results[1]);
        } else {
            inflate_literals_job job = part_job(w, p);
            finish_part(
                w, p,
                inflate_literals(job.in, job.in_len, job.end, job.out, job.out_len, job.in_used));
        }
    }
    return NULL;
}

/* The IDAT chunks' data places and lengths (*n of them) of the walked file,
 * without CRCs (png_decode.c checked them); NULL when the walk meets
 * anything unexpected. */
static size_t *list_idat(const uint8_t *buf, size_t len, size_t total, uint32_t **lengths,
                         size_t *n)
{
    size_t count = 0, cap = 16, sum = 0;
    size_t *at = malloc(cap * sizeof *at);
    uint32_t *lens = malloc(cap * sizeof *lens);
    for (size_t pos = PNG_SIGNATURE_BYTES; at && lens && pos + PNG_CHUNK_OVERHEAD <= len;) {
        uint32_t length = load_be32(buf + pos);
        if (length > len - pos - PNG_CHUNK_OVERHEAD)
            break;
        if (memcmp(buf + pos + 4, "IDAT", 4) == 0) {
            if (count == cap) {
                cap *= 2;
                size_t *at2 = realloc(at, cap * sizeof *at);
                if (at2)
                    at = at2;
                uint32_t *lens2 = realloc(lens, cap * sizeof *lens);
                if (lens2)
                    lens = lens2;
                if (!at2 || !lens2)
                    break;
            }
            at[count] = pos + 8;
            lens[count++] = length;
            sum += length;
        } else if (memcmp(buf + pos + 4, "IEND", 4) == 0) {
            if (sum != total)
                break;
            *lengths = lens;
            *n = count;
            return at;
        }
        pos += PNG_CHUNK_OVERHEAD + length;
    }
    free(at);
    free(lens);
    return NULL;
}

/* The parts of the file: at each IDAT chunk boundary after 00 00 ff ff, as
 * png_encode.c cuts them (rows k * h / n to (k + 1) * h / n). How many. */
static size_t find_parts(const uint8_t *buf, const size_t *chunk_at, const uint32_t *chunk_len,
                         size_t n_chunks, size_t idat_bytes, size_t rows, part *parts)
{
    size_t n = 0, at = 0, start = 0, chunk0 = 0;
    for (size_t k = 0; k + 1 < n_chunks; k++) {
        at += chunk_len[k];
        const uint8_t *end = buf + chunk_at[k] + chunk_len[k];
        if (chunk_len[k] >= 4 && at >= 6 && at + 4 < idat_bytes && end[-4] == 0 && end[-3] == 0 &&
            end[-2] == 0xFF && end[-1] == 0xFF) {
            if (n + 1 == PARTS_MAX)
                return 0;
            parts[n].z_at = start;
            parts[n].z_end = at;
            parts[n].chunk0 = chunk0;
            parts[n++].chunk1 = k + 1;
            start = at;
            chunk0 = k + 1;
        }
    }
    if (n == 0 || rows < n + 1)
        return 0;
    parts[n].z_at = start;
    parts[n].z_end = idat_bytes - 4;
    parts[n].chunk0 = chunk0;
    parts[n++].chunk1 = n_chunks;
    for (size_t k = 0; k < n; k++) {
        parts[k].y0 = rows * k / n;
        parts[k].y1 = rows * (k + 1) / n;
        parts[k].last = k + 1 == n;
    }
    return n;
}

/* SHROUD_OK with img->pixels set; PNG_INFLATE_UNSUPPORTED when the data
 * inflated and checked out but a filter type is unknown (the one-pass way
 * would find the same); 1 to go the one-pass way. */
static int inflate_parts(const uint8_t *buf, size_t len, size_t idat_bytes, png_raster *img)
{
    size_t rows = img->height, row_bytes = img->stride + 1, total = rows * row_bytes;
    if (!parts_allowed || rows < 2 || idat_bytes < 12)
        return 1;
    uint32_t *chunk_len = NULL;
    size_t n_chunks = 0, *chunk_at = list_idat(buf, len, idat_bytes, &chunk_len, &n_chunks);
    if (!chunk_at)
        return 1;
    part parts[PARTS_MAX];
    memset(parts, 0, sizeof parts);
    size_t n = find_parts(buf, chunk_at, chunk_len, n_chunks, idat_bytes, rows, parts);
    if (chunk_len[0] < 2 || !png_zlib_header_ok(buf + chunk_at[0]))
        n = 0;
    int result = 1, gather = 0;
    for (size_t k = 0; k < n; k++)
        gather |= parts[k].chunk1 != parts[k].chunk0 + 1;
    uint8_t *idat = NULL, *filtered = NULL, *pixels = NULL;
    if (!n || (gather && !(idat = big_buffer_alloc(idat_bytes))) ||
        !(filtered = big_buffer_alloc(total)) || !(pixels = big_buffer_alloc(rows * img->stride)))
        goto done;
    worker workers[2];
    for (int i = 0; i < 2; i++)
        workers[i] = (worker){img,    buf,       chunk_at, chunk_len,     idat,         filtered,
                              pixels, row_bytes, parts,    i ? n / 2 : 0, i ? n : n / 2};
    pthread_t second;
    int threaded = total >= PARTS_THREAD_MIN_BYTES && sysconf(_SC_NPROCESSORS_ONLN) >= 2 &&
                   pthread_create(&second, NULL, run_worker, &workers[1]) == 0;
    run_worker(&workers[0]);
    if (threaded)
        pthread_join(second, NULL);
    else
        run_worker(&workers[1]);
    uint32_t adler = 1;
    for (size_t k = 0; k < n; k++) {
        if (!parts[k].inflated)
            goto done;
        adler = png_adler32_combine(adler, parts[k].adler, (parts[k].y1 - parts[k].y0) * row_bytes);
    }
    const part *last = &parts[n - 1];
    if (last->z_at + last->in_used > idat_bytes - 4)
        goto done;
    /* the Adler-32 follows, in the same chunk */
    if (adler != load_be32(last->data + last->in_used))
        goto done;
    /* The stream checked out: the filters decide from here. */
    result = PNG_INFLATE_UNSUPPORTED;
    for (size_t k = 0; k < n; k++) {
        const part *p = &parts[k];
        if (p->bad_filter)
            goto done;
        if (!p->unfiltered && unfilter_rows(img, filtered, row_bytes, pixels, img->stride,
                                            pixels + (p->y0 - 1) * img->stride, p->y0, p->y1) != 0)
            goto done;
    }
    img->pixels = pixels;
    pixels = NULL;
    parts_taken++;
    result = SHROUD_OK;
done:
    free(chunk_at);
    free(chunk_len);
    free(idat);
    free(filtered);
    free(pixels);
    return result;
}

int png_inflate_pixels(const uint8_t *buf, size_t len, size_t idat_bytes, png_raster *img)
{
    if (img->interlaced || img->bit_depth < 8 || img->color_type == PNG_CT_PALETTE)
        return PNG_INFLATE_UNSUPPORTED;
    size_t rows = img->height, row_bytes = img->stride + 1;
    if (img->stride > (SIZE_MAX - 1) / rows / 2)
        return PNG_INFLATE_UNSUPPORTED;
    int split = inflate_parts(buf, len, idat_bytes, img);
    if (split != 1)
        return split;
    uint8_t *idat = gather_idat(buf, len, idat_bytes);
    uint8_t *rows_buf = big_buffer_alloc(rows * row_bytes);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    int result = PNG_INFLATE_UNSUPPORTED;
    size_t got = 0;
    if (!idat || !rows_buf || !d)
        goto done;
    /* Exactly the rows, or libpng decides (extra data, short data, errors). */
    if (libdeflate_zlib_decompress(d, idat, idat_bytes, rows_buf, rows * row_bytes, &got) !=
            LIBDEFLATE_SUCCESS ||
        got != rows * row_bytes)
        goto done;
    /* Unfiltered in place, then the filter bytes squeezed out: no second
     * image-sized buffer to allocate and fault in. */
    if (unfilter_rows(img, rows_buf, row_bytes, rows_buf + 1, row_bytes, NULL, 0, rows) != 0)
        goto done;
    for (size_t y = 0; y < rows; y++)
        memmove(rows_buf + y * img->stride, rows_buf + y * row_bytes + 1, img->stride);
    uint8_t *pixels = realloc(rows_buf, rows * img->stride);
    if (pixels)
        rows_buf = pixels;
    img->pixels = rows_buf;
    rows_buf = NULL;
    result = SHROUD_OK;
done:
    libdeflate_free_decompressor(d);
    free(idat);
    free(rows_buf);
    return result;
}
