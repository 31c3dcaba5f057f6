/*
 * png_encode.c — writes a png_raster as a PNG file (png_raster.h).
 *
 * Rows are filtered the way libpng's default does for truecolour and gray
 * images of 8 bits or more (per row, the filter whose output has the
 * smallest sum of absolute values as signed bytes) and with filter None for
 * palette and sub-byte images, then compressed in one go with libdeflate and
 * cut into IDAT chunks of at most PNG_IDAT_MAX bytes. At level 1 (our
 * literals-only deflate) an image of at least PARALLEL_MIN_BYTES of 8- or
 * 16-bit rows is filtered and compressed in PNG_LEVEL1_PARTS parts, on two
 * threads when the machine has two processors, an IDAT chunk per part.
 */
#include "image/png_raster.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "crypto/bigendian.h"
#include "image/big_buffer.h"
#include "image/deflate_literals.h"
#include "image/png_chunks.h"
#include "image/png_deflate.h"
#include "image/png_steps.h"
#include "shroud.h"

#define PNG_IDAT_MAX (1024u * 1024u)
#define PNG_LEVEL1_PARTS 4 /* even: half of them on each of two threads */

enum { FILTER_NONE, FILTER_SUB, FILTER_UP, FILTER_AVERAGE, FILTER_PAETH, FILTER_COUNT };

/* The Paeth predictor as selects, not branches, so the filter loop
 * vectorises (p - a = b - c, p - b = a - c, p - c = a + b - 2c). */
static inline uint8_t paeth(int a, int b, int c)
{
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
    int bc = pb <= pc ? b : c;
    return (uint8_t)(pa <= pb && pa <= pc ? a : bc);
}

/* The cost of a filtered byte: its absolute value as a signed byte. */
static inline unsigned cost(uint8_t v)
{
    return v < 128 ? v : 256u - v;
}

/* Filters row (n bytes, bpp bytes per pixel for the left neighbour) against
 * prior (the previous raw row; a row of zeros for the first) into out and
 * returns the sum of the costs of the output. One loop per filter, so each
 * is a straight pass the compiler can vectorise. */
static uint64_t filter_row(int filter, const uint8_t *row, const uint8_t *prior, size_t n,
                           size_t bpp, uint8_t *out)
{
    uint64_t sum = 0;
    size_t i;
    switch (filter) {
    case FILTER_NONE:
        for (i = 0; i < n; i++)
            sum += cost(out[i] = row[i]);
        break;
    case FILTER_SUB:
        for (i = 0; i < bpp && i < n; i++)
            sum += cost(out[i] = row[i]);
        for (; i < n; i++)
            sum += cost(out[i] = (uint8_t)(row[i] - row[i - bpp]));
        break;
    case FILTER_UP:
        for (i = 0; i < n; i++)
            sum += cost(out[i] = (uint8_t)(row[i] - prior[i]));
        break;
    case FILTER_AVERAGE:
        for (i = 0; i < bpp && i < n; i++)
            sum += cost(out[i] = (uint8_t)(row[i] - (prior[i] >> 1)));
        for (; i < n; i++)
            sum += cost(out[i] = (uint8_t)(row[i] - ((row[i - bpp] + prior[i]) >> 1)));
        break;
    default: /* FILTER_PAETH: with a = c = 0 at the left edge it predicts b */
        for (i = 0; i < bpp && i < n; i++)
            sum += cost(out[i] = (uint8_t)(row[i] - prior[i]));
        for (; i < n; i++)
            sum += cost(out[i] = (uint8_t)(row[i] - paeth(row[i - bpp], prior[i], prior[i - bpp])));
    }
    return sum;
}

#if defined(__SSE2__)
/* The cost of 16 filtered bytes, as two 64-bit sums (SAD against zero). */
static inline __m128i cost16(__m128i v)
{
    __m128i zero = _mm_setzero_si128();
    return _mm_sad_epu8(_mm_min_epu8(v, _mm_sub_epi8(zero, v)), zero);
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

/* paeth() on 8 bytes widened to 16-bit lanes. */
static inline __m128i paeth8(__m128i a, __m128i b, __m128i c)
{
    __m128i pa = _mm_sub_epi16(b, c), pb = _mm_sub_epi16(a, c);
    __m128i pc = abs16(_mm_add_epi16(pa, pb));
    pa = abs16(pa);
    pb = abs16(pb);
    __m128i least = _mm_min_epi16(_mm_min_epi16(pa, pb), pc);
    return select16(_mm_cmpeq_epi16(least, pa), a, select16(_mm_cmpeq_epi16(least, pb), b, c));
}

static inline __m128i paeth16(__m128i a, __m128i b, __m128i c)
{
    __m128i zero = _mm_setzero_si128();
    __m128i low =
        paeth8(_mm_unpacklo_epi8(a, zero), _mm_unpacklo_epi8(b, zero), _mm_unpacklo_epi8(c, zero));
    __m128i high =
        paeth8(_mm_unpackhi_epi8(a, zero), _mm_unpackhi_epi8(b, zero), _mm_unpackhi_epi8(c, zero));
    return _mm_packus_epi16(low, high);
}

static inline uint64_t lanes(__m128i v)
{
    uint64_t two[2];
    _mm_storeu_si128((__m128i *)(void *)two, v);
    return two[0] + two[1];
}

/* Bytes from `from` on, 16 at a time, into cost[] (filter_costs); returns
 * where it stopped. */
static size_t filter_costs_sse2(const uint8_t *row, const uint8_t *prior, size_t from, size_t n,
                                size_t bpp, uint64_t cost[FILTER_COUNT])
{
    __m128i sum[FILTER_COUNT];
    for (int f = 0; f < FILTER_COUNT; f++)
        sum[f] = _mm_setzero_si128();
    const __m128i one = _mm_set1_epi8(1);
    size_t i = from;
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(row + i));
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(row + i - bpp));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(prior + i));
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(prior + i - bpp));
        /* (a + b) >> 1: the rounded-up average minus the odd bit */
        __m128i avg = _mm_sub_epi8(_mm_avg_epu8(a, b), _mm_and_si128(_mm_xor_si128(a, b), one));
        sum[FILTER_NONE] = _mm_add_epi64(sum[FILTER_NONE], cost16(x));
        sum[FILTER_SUB] = _mm_add_epi64(sum[FILTER_SUB], cost16(_mm_sub_epi8(x, a)));
        sum[FILTER_UP] = _mm_add_epi64(sum[FILTER_UP], cost16(_mm_sub_epi8(x, b)));
        sum[FILTER_AVERAGE] = _mm_add_epi64(sum[FILTER_AVERAGE], cost16(_mm_sub_epi8(x, avg)));
        sum[FILTER_PAETH] =
            _mm_add_epi64(sum[FILTER_PAETH], cost16(_mm_sub_epi8(x, paeth16(a, b, c))));
    }
    for (int f = 0; f < FILTER_COUNT; f++)
        cost[f] += lanes(sum[f]);
    return i;
}
#endif

/* The sums filter_row would return for each of the five filters, in one
 * pass over the row and without writing any of them. */
static void filter_costs(const uint8_t *row, const uint8_t *prior, size_t n, size_t bpp,
                         uint64_t cost_of[FILTER_COUNT])
{
    uint64_t c[FILTER_COUNT] = {0};
    size_t i = 0;
    for (; i < bpp && i < n; i++) { /* a = c = 0 at the left edge */
        c[FILTER_NONE] += cost(row[i]);
        c[FILTER_SUB] += cost(row[i]);
        c[FILTER_UP] += cost((uint8_t)(row[i] - prior[i]));
        c[FILTER_AVERAGE] += cost((uint8_t)(row[i] - (prior[i] >> 1)));
        c[FILTER_PAETH] += cost((uint8_t)(row[i] - prior[i]));
    }
#if defined(__SSE2__)
    i = filter_costs_sse2(row, prior, i, n, bpp, c);
#endif
    for (; i < n; i++) {
        uint8_t x = row[i], a = row[i - bpp], b = prior[i], p = prior[i - bpp];
        c[FILTER_NONE] += cost(x);
        c[FILTER_SUB] += cost((uint8_t)(x - a));
        c[FILTER_UP] += cost((uint8_t)(x - b));
        c[FILTER_AVERAGE] += cost((uint8_t)(x - ((a + b) >> 1)));
        c[FILTER_PAETH] += cost((uint8_t)(x - paeth(a, b, p)));
    }
    memcpy(cost_of, c, sizeof c);
}

/* Packs one row of unpacked sub-byte samples (one per byte) into out. */
static void pack_row(const uint8_t *samples, size_t count, unsigned depth, uint8_t *out,
                     size_t out_len)
{
    memset(out, 0, out_len);
    unsigned per_byte = 8 / depth, mask = (1u << depth) - 1;
    for (size_t i = 0; i < count; i++) {
        unsigned shift = 8 - depth * (unsigned)(i % per_byte + 1);
        out[i / per_byte] |= (uint8_t)((samples[i] & mask) << shift);
    }
}

/* The filtered image data (filter byte + row, per row) ready for zlib. */
/* How filter_rows lays out and filters an image's rows. */
typedef struct {
    const png_raster *img;
    const png_row_steps *steps; /* NULL: the pixels as they are */
    size_t samples, row_bytes, bpp;
    int adaptive;         /* the filter of each row chosen by its cost */
    const uint8_t *zeros; /* the prior row of the first row (adaptive) */
} row_filter;

/* Row y as it is encoded: with its steps applied (in one of the two
 * stride-byte rows of scratch, by the parity of y) when there are steps. */
static const uint8_t *source_row(const row_filter *f, uint32_t y, uint8_t *scratch)
{
    if (f->steps)
        return png_row_steps_row(f->steps, y, scratch + (y & 1) * f->img->stride);
    return f->img->pixels + (size_t)y * f->img->stride;
}

/* Filters rows [y0, y1) of f->img into data (row y at y * (row_bytes + 1)).
 * packed: room for a packed row (2 * row_bytes) when the depth is below 8.
 * first_alone: row y0 gets filter None or Sub, which do not use the row
 * above, so a decoder can unfilter from y0 on without the rows before.
 * SHROUD_OK or SHROUD_ERR_NOMEM. */
static int filter_rows(const row_filter *f, uint8_t *data, uint32_t y0, uint32_t y1,
                       uint8_t *packed, int first_alone)
{
    const png_raster *img = f->img;
    size_t row_bytes = f->row_bytes;
    uint8_t *scratch = NULL;
    if (f->steps && !(scratch = malloc(2 * img->stride)))
        return SHROUD_ERR_NOMEM;
    const uint8_t *prior = f->zeros;
    if (f->adaptive && y0 > 0)
        prior = source_row(f, y0 - 1, scratch);
    for (uint32_t y = y0; y < y1; y++) {
        uint8_t *dst = data + (size_t)y * (row_bytes + 1);
        const uint8_t *row = source_row(f, y, scratch);
        if (!f->adaptive) {
            dst[0] = FILTER_NONE;
            if (packed) {
                pack_row(row, f->samples, img->bit_depth, packed, row_bytes);
                memcpy(dst + 1, packed, row_bytes);
            } else {
                memcpy(dst + 1, row, row_bytes);
            }
            continue;
        }
        uint64_t sum[FILTER_COUNT];
        filter_costs(row, prior, row_bytes, f->bpp, sum);
        int best = FILTER_NONE; /* the first of the cheapest, as libpng */
        int last = first_alone && y == y0 ? FILTER_SUB : FILTER_COUNT - 1;
        for (int fl = FILTER_SUB; fl <= last; fl++)
            if (sum[fl] < sum[best])
                best = fl;
        dst[0] = (uint8_t)best;
        filter_row(best, row, prior, row_bytes, f->bpp, dst + 1);
        prior = row;
    }
    free(scratch);
    return SHROUD_OK;
}

/* Sets up f for img (and its steps, or NULL), with its zero row:
 * SHROUD_OK or SHROUD_ERR_NOMEM. */
static int row_filter_init(row_filter *f, const png_raster *img, const png_row_steps *steps)
{
    f->img = img;
    f->steps = steps;
    f->samples = (size_t)img->width * img->channels;
    f->row_bytes = img->bit_depth < 8 ? (f->samples * img->bit_depth + 7) / 8 : img->stride;
    f->bpp = img->pixel_bytes < 1 ? 1 : img->pixel_bytes;
    f->adaptive = img->color_type != PNG_CT_PALETTE && img->bit_depth >= 8;
    f->zeros = NULL;
    if (f->adaptive && !(f->zeros = calloc(1, f->row_bytes)))
        return SHROUD_ERR_NOMEM;
    return SHROUD_OK;
}

static int filter_image(const png_raster *img, const png_row_steps *steps, uint8_t **out,
                        size_t *out_len)
{
    row_filter f;
    if (row_filter_init(&f, img, steps) != SHROUD_OK)
        return SHROUD_ERR_NOMEM;
    size_t total = (f.row_bytes + 1) * img->height;
    uint8_t *data = big_buffer_alloc(total), *packed = NULL;
    if (!data || (!f.adaptive && img->bit_depth < 8 && !(packed = malloc(f.row_bytes * 2)))) {
        free(data);
        free((void *)f.zeros);
        return SHROUD_ERR_NOMEM;
    }
    int err = filter_rows(&f, data, 0, img->height, packed, 0);
    free(packed);
    free((void *)f.zeros);
    if (err) {
        free(data);
        return err;
    }
    *out = data;
    *out_len = total;
    return SHROUD_OK;
}

/* ---- level 1 in parts ----
 * The rows are cut in PNG_LEVEL1_PARTS parts; each is filtered and
 * compressed (deflate_literals_part) on its own, the first half of them on
 * this thread and the rest on a second one (all in turn on one processor),
 * each but the last ending on a byte boundary, so the raw streams
 * concatenate. Each part's first row is filtered None or Sub and its data
 * is one IDAT chunk, which is what lets png_inflate.c decode the parts on
 * two threads too, two at a time on each, where they are in the file.
 * Worth it from PARALLEL_MIN_BYTES of filtered data. */
#define PARALLEL_MIN_BYTES (2u * DEFLATE_LITERALS_BLOCK)

typedef struct {
    const row_filter *f;
    uint8_t *data; /* all the filtered rows */
    uint32_t y0, y1;
    int last;
    uint8_t *z; /* this part's raw deflate */
    size_t z_len;
    uint32_t adler; /* of this part's filtered rows */
    int err;
} part;

static void filter_and_deflate(part *p)
{
    size_t stride = p->f->row_bytes + 1;
    const uint8_t *in = p->data + (size_t)p->y0 * stride;
    size_t len = (size_t)(p->y1 - p->y0) * stride;
    if ((p->err = filter_rows(p->f, p->data, p->y0, p->y1, NULL, p->y0 > 0)))
        return;
    size_t cap = deflate_literals_bound(len);
    p->z = big_buffer_alloc(cap);
    p->z_len = p->z ? deflate_literals_part(in, len, p->last, p->z, cap) : 0;
    p->adler = (uint32_t)libdeflate_adler32(1, in, len);
    p->err = p->z_len ? SHROUD_OK : SHROUD_ERR_NOMEM;
}

/* The second half of the parts (a thread's work). */
static void *filter_and_deflate_second(void *arg)
{
    part *parts = arg;
    for (int k = PNG_LEVEL1_PARTS / 2; k < PNG_LEVEL1_PARTS; k++)
        filter_and_deflate(&parts[k]);
    return NULL;
}

/* The zlib stream of img's filtered rows at level 1, made in parts:
 * SHROUD_OK with cuts[k] where part k + 1's deflate starts, 1 when not
 * worth it or not possible (the caller goes the one-thread way), or
 * SHROUD_ERR_NOMEM. */
static int compress_fast_parallel(const png_raster *img, const png_row_steps *steps, uint8_t **out,
                                  size_t *out_len, size_t cuts[PNG_LEVEL1_PARTS - 1])
{
    row_filter f;
    size_t stride = img->bit_depth < 8 ? 0 : img->stride + 1; /* packed depths: one thread */
    if (stride == 0 || img->height < PNG_LEVEL1_PARTS || stride * img->height < PARALLEL_MIN_BYTES)
        return 1;
    if (row_filter_init(&f, img, steps) != SHROUD_OK)
        return SHROUD_ERR_NOMEM;
    size_t total = stride * img->height;
    uint8_t *data = big_buffer_alloc(total);
    if (!data) {
        free((void *)f.zeros);
        return SHROUD_ERR_NOMEM;
    }
    part parts[PNG_LEVEL1_PARTS];
    for (int k = 0; k < PNG_LEVEL1_PARTS; k++)
        parts[k] = (part){&f,
                          data,
                          (uint32_t)((uint64_t)img->height * (uint32_t)k / PNG_LEVEL1_PARTS),
                          (uint32_t)((uint64_t)img->height * (uint32_t)(k + 1) / PNG_LEVEL1_PARTS),
                          k == PNG_LEVEL1_PARTS - 1,
                          NULL,
                          0,
                          1,
                          0};
    pthread_t second;
    int threaded = sysconf(_SC_NPROCESSORS_ONLN) >= 2 &&
                   pthread_create(&second, NULL, filter_and_deflate_second, parts) == 0;
    for (int k = 0; k < PNG_LEVEL1_PARTS / 2; k++)
        filter_and_deflate(&parts[k]);
    if (threaded)
        pthread_join(second, NULL);
    else
        filter_and_deflate_second(parts); /* one processor, or no thread to be had */
    int err = SHROUD_OK;
    size_t n = 2 + 4;
    for (int k = 0; k < PNG_LEVEL1_PARTS; k++) {
        if (!err)
            err = parts[k].err;
        n += parts[k].z_len;
    }
    uint8_t *z = NULL;
    if (!err && !(z = big_buffer_alloc(n)))
        err = SHROUD_ERR_NOMEM;
    if (!err) {
        z[0] = 0x78; /* deflate, 32 KiB window */
        z[1] = 0x01; /* fastest, no dictionary: as png_deflate */
        size_t at = 2;
        uint32_t adler = 1; /* the parts' Adler-32s, made on their threads */
        for (int k = 0; k < PNG_LEVEL1_PARTS; k++) {
            if (k)
                cuts[k - 1] = at;
            memcpy(z + at, parts[k].z, parts[k].z_len);
            at += parts[k].z_len;
            adler = png_adler32_combine(adler, parts[k].adler,
                                        (size_t)(parts[k].y1 - parts[k].y0) * stride);
        }
        store_be32(z + n - 4, adler);
        *out = z;
        *out_len = n;
    }
    for (int k = 0; k < PNG_LEVEL1_PARTS; k++)
        free(parts[k].z);
    free(data);
    free((void *)f.zeros);
    return err;
}

static int compress_image(const uint8_t *in, size_t in_len, int level, uint8_t **out,
                          size_t *out_len)
{
    if (level == PNG_FASTEST_LEVEL) {
        size_t cap = png_deflate_bound(in_len);
        uint8_t *buf = big_buffer_alloc(cap);
        if (!buf)
            return SHROUD_ERR_NOMEM;
        *out = buf;
        *out_len = png_deflate(in, in_len, buf, cap);
        return SHROUD_OK;
    }
    struct libdeflate_compressor *z = libdeflate_alloc_compressor(level);
    if (!z)
        return SHROUD_ERR_NOMEM;
    size_t bound = libdeflate_zlib_compress_bound(z, in_len);
    uint8_t *buf = big_buffer_alloc(bound);
    if (!buf) {
        libdeflate_free_compressor(z);
        return SHROUD_ERR_NOMEM;
    }
    size_t n = libdeflate_zlib_compress(z, in, in_len, buf, bound);
    libdeflate_free_compressor(z);
    if (n == 0) {
        free(buf);
        return SHROUD_ERR_NOMEM; /* cannot happen: the buffer is the bound */
    }
    *out = buf;
    *out_len = n;
    return SHROUD_OK;
}

static int write_kept(bytebuf *out, const png_raster *img, int after_idat)
{
    for (size_t i = 0; i < img->kept_len; i++) {
        const png_kept_chunk *k = &img->kept[i];
        if ((k->place == PNG_PLACE_AFTER_IDAT) != after_idat)
            continue;
        int err = png_chunk_append(out, k->type, k->data, k->length);
        if (err)
            return err;
    }
    return SHROUD_OK;
}

/* The file: IDAT chunks of at most PNG_IDAT_MAX bytes of z, or with
 * n_cuts (increasing) cuts, one chunk from each cut to the next. */
static int write_file(const png_raster *img, const uint8_t *extra, size_t extra_len,
                      const uint8_t *z, size_t z_len, const size_t *cuts, size_t n_cuts,
                      bytebuf *out)
{
    static const uint8_t magic[PNG_SIGNATURE_BYTES] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13] = {
        (uint8_t)(img->width >> 24),
        (uint8_t)(img->width >> 16),
        (uint8_t)(img->width >> 8),
        (uint8_t)img->width,
        (uint8_t)(img->height >> 24),
        (uint8_t)(img->height >> 16),
        (uint8_t)(img->height >> 8),
        (uint8_t)img->height,
        img->bit_depth,
        img->color_type,
        0,
        0,
        0,
    };
    size_t kept = 0;
    for (size_t i = 0; i < img->kept_len; i++)
        kept += 12 + (size_t)img->kept[i].length;
    /* one allocation for the whole file: 12 bytes per chunk around the data */
    size_t whole = sizeof magic + 25 + kept + extra_len + z_len +
                   12 * (z_len / PNG_IDAT_MAX + 1 + n_cuts) + 12;
    if (bytebuf_reserve(out, whole) != 0)
        return SHROUD_ERR_NOMEM;
    int err;
    if (bytebuf_write(out, magic, sizeof magic) != 0)
        return SHROUD_ERR_NOMEM;
    if ((err = png_chunk_append(out, "IHDR", ihdr, sizeof ihdr)) || (err = write_kept(out, img, 0)))
        return err;
    if (extra_len && bytebuf_write(out, extra, extra_len) != 0)
        return SHROUD_ERR_NOMEM;
    /* in parts, a part per chunk: a reader finds each part's deflate in
     * one piece, where it is in the file */
    size_t chunk_max = n_cuts ? PNG_MAX_CHUNK_LENGTH : PNG_IDAT_MAX;
    for (size_t off = 0, n, c = 0; off < z_len; off += n) {
        while (c < n_cuts && cuts[c] <= off)
            c++;
        size_t end = c < n_cuts ? cuts[c] : z_len;
        n = end - off < chunk_max ? end - off : chunk_max;
        if ((err = png_chunk_append(out, "IDAT", z + off, (uint32_t)n)))
            return err;
    }
    if ((err = write_kept(out, img, 1)))
        return err;
    return png_chunk_append(out, "IEND", NULL, 0);
}

int png_raster_encode(const png_raster *img, const uint8_t *extra_chunks, size_t extra_len,
                      int level, bytebuf *out)
{
    return png_raster_encode_stepped(img, NULL, 0, extra_chunks, extra_len, level, out);
}

int png_raster_encode_stepped(const png_raster *img, const png_sample_step *steps, size_t n_steps,
                              const uint8_t *extra_chunks, size_t extra_len, int level,
                              bytebuf *out)
{
    if (!img || !img->pixels || !out || (!extra_chunks && extra_len) || level < 1 || level > 12 ||
        (!steps && n_steps))
        return SHROUD_ERR_ARGUMENT;
    png_row_steps rows, *by_row = NULL;
    if (n_steps) {
        int err = png_row_steps_init(&rows, img, steps, n_steps);
        if (err)
            return err;
        by_row = &rows;
    }
    uint8_t *filtered = NULL, *z = NULL;
    size_t filtered_len = 0, z_len = 0, cuts[PNG_LEVEL1_PARTS - 1], n_cuts = 0;
    int err =
        level == PNG_FASTEST_LEVEL ? compress_fast_parallel(img, by_row, &z, &z_len, cuts) : 1;
    if (err == SHROUD_OK)
        n_cuts = PNG_LEVEL1_PARTS - 1;
    if (err == 1) {
        err = filter_image(img, by_row, &filtered, &filtered_len);
        if (!err)
            err = compress_image(filtered, filtered_len, level, &z, &z_len);
        free(filtered);
    }
    if (by_row)
        png_row_steps_free(by_row);
    size_t start = out->len;
    if (!err)
        err = write_file(img, extra_chunks, extra_len, z, z_len, cuts, n_cuts, out);
    free(z);
    if (err && out->len > start) {
        out->len = start;
        out->data[start] = 0;
    }
    return err;
}
