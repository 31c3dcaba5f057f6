/* jpeg_splice.c — rewrite some MCUs of a sequential JPEG, copy the others' bits. */
#include "image/jpeg_splice.h"

#include <stdlib.h>
#include <string.h>

#include "shroud.h"

#define LOOK_BITS 9         /* codes up to this long decode with one table look-up */
#define BLOCK_CODED_MAX 256 /* bytes one block's codes can take: 64 * (16 + 15) bits */
/* zeros after the unstuffed data: the reader, checked once per block, stays inside */
#define PAD_BYTES (2 * BLOCK_CODED_MAX)
#define MAX_DC_CATEGORY 11 /* 8-bit samples: DC differences need at most 11 bits */
#define MAX_AC_CATEGORY 10 /* and AC coefficients 10 */
#define MCU_CODED_MAX 8192 /* output bytes one MCU can take, stuffing included */
#define COPY_SLACK 16      /* output bytes a copy may need beyond its whole bytes */
#define ZRL 0xF0           /* sixteen zeros */
#define MARKER_RST0 0xD0
#define MARKER_EOI 0xD9

/* A skip entry: what an AC code of LOOK_BITS or fewer bits and its extra
 * bits amount to when only their length matters. */
#define SKIP_BITS 0x1F    /* code and extra bits */
#define SKIP_STEP_SHIFT 5 /* then positions advanced (run + 1, or 16 for ZRL) */
#define SKIP_END 0x400    /* end of block */
#define SKIP_BAD 0x800    /* run/size symbol undefined in sequential mode */
#define SKIP_VALID 0x8000 /* 0: a longer code, see maxcode */

/* A pair entry: up to two AC codes with their extra bits within the next
 * PAIR_BITS bits, when only their length matters. */
#define PAIR_BITS 12
#define PAIR_USED 0x0F    /* bits the codes and extra bits take */
#define PAIR_STEP_SHIFT 4 /* then positions advanced (at most 32) */
#define PAIR_END 0x400    /* the last of them ends the block */
#define PAIR_VALID 0x8000 /* 0: the first code does not fit */

typedef struct {
    uint16_t look[1u << LOOK_BITS]; /* length << 8 | symbol; 0: a longer code */
    uint16_t skip[1u << LOOK_BITS]; /* AC tables: skip entries */
    uint16_t pair[1u << PAIR_BITS]; /* AC tables: pair entries */
    int32_t maxcode[17];            /* largest code of each length, -1 when none */
    int32_t valoffset[17];          /* values index of a code of that length, less the code */
    uint8_t values[256];
} huff_decoder;

/* Zigzag position of each natural-order index. */
static const uint8_t zigzag_of[64] = {
    0,  1,  5,  6,  14, 15, 27, 28, 2,  4,  7,  13, 16, 26, 29, 42, 3,  8,  12, 17, 25, 30,
    41, 43, 9,  11, 18, 24, 31, 40, 44, 53, 10, 19, 23, 32, 39, 45, 52, 54, 20, 22, 33, 38,
    46, 51, 55, 60, 21, 34, 37, 47, 50, 56, 59, 61, 35, 36, 48, 49, 57, 58, 62, 63,
};

typedef struct {
    uint16_t code[256];
    uint8_t size[256]; /* 0: the symbol has no code */
} huff_encoder;

typedef struct {
    huff_decoder dec;
    huff_encoder enc;
} huff_tables;

struct jpeg_splice {
    jpeg_splice_scan scan;
    huff_tables *tables[2 * JPEG_MAX_COMPONENTS]; /* per component: DC, AC (may repeat) */
    huff_tables table_store[2 * JPEG_MAX_COMPONENTS];
    uint8_t
        *bits; /* the entropy-coded data, stuffing and markers removed, intervals back to back */
    uint32_t n_intervals;
    uint32_t *interval_start; /* byte offsets in bits; n_intervals + 1 entries */
    uint32_t *mcu_start;      /* bit offset of each MCU */
    uint32_t *interval_end;   /* bit offset where the last MCU of each interval ended */
    uint8_t *recode;          /* per MCU: 1 rewritten, 2 after a rewritten one, 0 copied */
    int16_t (*pred_in)[JPEG_MAX_COMPONENTS]; /* DC predictions entering each recoded MCU */
    JPEG_BLOCK **rows[JPEG_MAX_COMPONENTS];  /* kept block rows, NULL elsewhere */
    uint32_t row_count[JPEG_MAX_COMPONENTS], row_blocks[JPEG_MAX_COMPONENTS];
    JPEG_BLOCK *kept;
};

/* ---- Huffman tables ------------------------------------------------------ */

/* The skip entry of AC symbol rs coded in len bits. */
static uint16_t skip_entry(unsigned len, unsigned rs)
{
    unsigned r = rs >> 4, size = rs & 15;
    if (size)
        return (uint16_t)(SKIP_VALID | (r + 1) << SKIP_STEP_SHIFT | (len + size));
    if (r == 0)
        return (uint16_t)(SKIP_VALID | SKIP_END | len);
    if (r == 15)
        return (uint16_t)(SKIP_VALID | 16u << SKIP_STEP_SHIFT | len);
    return SKIP_VALID | SKIP_BAD;
}

/* The skip entry of the code at bit `at` of the PAIR_BITS-bit pattern bits,
 * or 0 when it and its extra bits do not fit in the pattern. */
static unsigned skip_at(const uint16_t *look, const uint16_t *skip, unsigned bits, unsigned at)
{
    unsigned window = (bits << at) >> (PAIR_BITS - LOOK_BITS) & ((1u << LOOK_BITS) - 1);
    unsigned e = look[window] ? skip[window] : 0;
    return e && (e & SKIP_BITS) <= PAIR_BITS - at && !(e & SKIP_BAD) ? e : 0;
}

/* The pair entry of a PAIR_BITS-bit pattern (skip table built). */
static uint16_t pair_entry(const huff_decoder *d, unsigned bits)
{
    unsigned first = skip_at(d->look, d->skip, bits, 0);
    if (!first)
        return 0;
    unsigned used = first & SKIP_BITS, step = (first >> SKIP_STEP_SHIFT) & 0x1F;
    unsigned end = first & SKIP_END ? PAIR_END : 0;
    if (!end) {
        unsigned second = skip_at(d->look, d->skip, bits, used);
        if (second) {
            used += second & SKIP_BITS;
            step += (second >> SKIP_STEP_SHIFT) & 0x1F;
            end = second & SKIP_END ? PAIR_END : 0;
        }
    }
    return (uint16_t)(PAIR_VALID | end | step << PAIR_STEP_SHIFT | used);
}

/* Builds both directions of a DHT table (T.81 annex C); -1 when the counts
 * overflow the code space (libjpeg: "Bogus Huffman table definition") or a
 * DC symbol is beyond 8-bit precision. */
static int build_tables(const jpeg_huff_table *t, int is_dc, huff_tables *h)
{
    memset(h, 0, sizeof *h);
    uint8_t sizes[257];
    unsigned n = 0;
    for (unsigned l = 1; l <= 16; l++)
        for (unsigned i = 0; i < t->bits[l]; i++) {
            if (n >= 256)
                return -1;
            sizes[n++] = (uint8_t)l;
        }
    sizes[n] = 0;
    uint32_t code = 0;
    unsigned p = 0;
    for (unsigned l = 1; l <= 16; l++) {
        h->dec.valoffset[l] = (int32_t)p - (int32_t)code;
        while (p < n && sizes[p] == l) {
            uint8_t sym = t->values[p];
            if ((is_dc && sym > MAX_DC_CATEGORY) || code >= (1u << l))
                return -1;
            if (l <= LOOK_BITS) {
                uint32_t first = code << (LOOK_BITS - l), count = 1u << (LOOK_BITS - l);
                for (uint32_t i = 0; i < count; i++)
                    h->dec.look[first + i] = (uint16_t)(l << 8 | sym);
            }
            if (!h->enc.size[sym]) { /* a repeated symbol keeps its first (shortest) code */
                h->enc.code[sym] = (uint16_t)code;
                h->enc.size[sym] = (uint8_t)l;
            }
            p++, code++;
        }
        h->dec.maxcode[l] = p > 0 && sizes[p - 1] == l ? (int32_t)code - 1 : -1;
        if (code >= (1u << l))
            return -1; /* no code may be all 1-bits (libjpeg refuses the table) */
        code <<= 1;
    }
    memcpy(h->dec.values, t->values, n);
    for (unsigned i = 0; i < (1u << LOOK_BITS) && !is_dc; i++)
        if (h->dec.look[i])
            h->dec.skip[i] = skip_entry(h->dec.look[i] >> 8, h->dec.look[i] & 0xFF);
    for (unsigned i = 0; i < (1u << PAIR_BITS) && !is_dc; i++)
        h->dec.pair[i] = pair_entry(&h->dec, i);
    return 0;
}

/* ---- reading bits -------------------------------------------------------- */

/* 57 or more valid bits at bit offset pos, left-aligned. */
static inline uint64_t peek(const uint8_t *bits, uint64_t pos)
{
    uint64_t w;
    memcpy(&w, bits + (pos >> 3), sizeof w);
    return __builtin_bswap64(w) << (pos & 7);
}

/* MSB-first bits in a register: the top n bits of acc are the next ones
 * (bits below them are 0 or the stream's own next bits). The data is
 * padded, so a refill never reads outside it. */
typedef struct {
    const uint8_t *p; /* next byte not yet in acc */
    uint64_t acc;
    unsigned n;
} bit_reader;

static inline void refill(bit_reader *b)
{
    uint64_t w;
    memcpy(&w, b->p, sizeof w);
    b->acc |= __builtin_bswap64(w) >> b->n;
    b->p += (63 - b->n) >> 3;
    b->n |= 56;
}

static inline void consume(bit_reader *b, unsigned bits)
{
    b->acc <<= bits;
    b->n -= bits;
}

static inline uint64_t bit_position(const bit_reader *b, const uint8_t *base)
{
    return (uint64_t)(b->p - base) * 8 - b->n;
}

/* The symbol at the top of w and its code length, or -1 (no such code). */
static inline int decode_symbol(const huff_decoder *d, uint64_t w, unsigned *len)
{
    unsigned e = d->look[w >> (64 - LOOK_BITS)];
    if (e) {
        *len = e >> 8;
        return (int)(e & 0xFF);
    }
    for (unsigned l = LOOK_BITS + 1; l <= 16; l++) {
        int32_t code = (int32_t)(w >> (64 - l));
        if (code <= d->maxcode[l]) {
            *len = l;
            return d->values[(uint8_t)(d->valoffset[l] + code)];
        }
    }
    return -1;
}

/* The value of s extra bits v (T.81 F.2.2.1 EXTEND). */
static inline int extend(uint32_t v, unsigned s)
{
    return v < (1u << (s - 1)) ? (int)v - (int)(1u << s) + 1 : (int)v;
}

/* Reads a category symbol and its extra bits: 0, or -1 on a code the table
 * lacks. */
static inline int read_value(bit_reader *b, const huff_decoder *d, int *symbol, int *value)
{
    if (b->n < 32)
        refill(b);
    unsigned len;
    int s = decode_symbol(d, b->acc, &len);
    if (s < 0)
        return -1;
    unsigned size = (unsigned)s & 15;
    *symbol = s;
    *value = size ? extend((uint32_t)((b->acc << len) >> (64 - size)), size) : 0;
    consume(b, len + size);
    return 0;
}

/* Reads a DC difference into *pred; -1 on a bad code or an overflow. */
static inline int read_dc(bit_reader *b, const huff_decoder *dc, int *pred)
{
    int s, v;
    if (read_value(b, dc, &s, &v) != 0)
        return -1;
    *pred += v;
    return *pred < INT16_MIN || *pred > INT16_MAX ? -1 : 0;
}

/* Skips a block's AC codes; -1 on a bad code, a run past the block's end or
 * an undefined run/size symbol. */
static int skip_ac(bit_reader *b, const huff_decoder *ac)
{
    unsigned k = 1;
    for (;;) {
        if (b->n < 32)
            refill(b);
        unsigned p = ac->pair[b->acc >> (64 - PAIR_BITS)];
        if (p &&
            k + ((p >> PAIR_STEP_SHIFT) & 0x3F) < 64) { /* two codes at once, inside the block */
            consume(b, p & PAIR_USED);
            k += (p >> PAIR_STEP_SHIFT) & 0x3F;
            if (p & PAIR_END)
                return 0;
            continue;
        }
        unsigned e = ac->skip[b->acc >> (64 - LOOK_BITS)];
        if (!e) { /* a code longer than LOOK_BITS */
            unsigned len;
            int rs = decode_symbol(ac, b->acc, &len);
            if (rs < 0)
                return -1;
            e = skip_entry(len, (unsigned)rs);
        }
        if (e & (SKIP_END | SKIP_BAD)) {
            consume(b, e & SKIP_BITS);
            return e & SKIP_BAD ? -1 : 0;
        }
        consume(b, e & SKIP_BITS);
        k += (e >> SKIP_STEP_SHIFT) & 0x1F;
        if (k >= 64)
            return k == 64 ? 0 : -1;
    }
}

/* Reads a block's AC coefficients into blk (natural order, zeroed); -1 as
 * skip_ac. */
static int read_ac(bit_reader *b, const huff_decoder *ac, int16_t *blk)
{
    for (unsigned k = 1; k < 64; k++) {
        int rs, v;
        if (read_value(b, ac, &rs, &v) != 0)
            return -1;
        unsigned r = (unsigned)rs >> 4;
        if (rs & 15) {
            k += r;
            if (k > 63)
                return -1;
            blk[dct_natural_order[k]] = (int16_t)v;
        } else if (r == 0) {
            break; /* end of block */
        } else if (r != 15 || k + 15 > 63) {
            return -1;
        } else {
            k += 15;
        }
    }
    return 0;
}

/* ---- reading the scan ---------------------------------------------------- */

/* Removes byte stuffing and splits the data at restart markers. Fill bytes
 * (0xFF runs) before a marker are dropped as libjpeg drops them. */
static int unstuff(jpeg_splice *s, const uint8_t *data, size_t len)
{
    size_t pos = 0, out = 0;
    uint32_t k = 0;
    s->interval_start[0] = 0;
    for (;;) {
        const uint8_t *ff = memchr(data + pos, 0xFF, len - pos);
        if (!ff)
            return JPEG_SPLICE_UNSUITABLE; /* no EOI */
        size_t at = (size_t)(ff - data);
        memcpy(s->bits + out, data + pos, at - pos);
        out += at - pos;
        pos = at + 1;
        while (pos < len && data[pos] == 0xFF)
            pos++;
        if (pos >= len)
            return JPEG_SPLICE_UNSUITABLE;
        uint8_t m = data[pos++];
        if (m == 0x00) {
            s->bits[out++] = 0xFF;
            continue;
        }
        if (m >= MARKER_RST0 && m < MARKER_RST0 + 8 && s->scan.restart_interval &&
            k + 1 < s->n_intervals && m == MARKER_RST0 + (k & 7)) {
            s->interval_start[++k] = (uint32_t)out;
            continue;
        }
        if (m == MARKER_EOI && k + 1 == s->n_intervals) {
            s->interval_start[s->n_intervals] = (uint32_t)out;
            memset(s->bits + out, 0, PAD_BYTES);
            return SHROUD_OK;
        }
        return JPEG_SPLICE_UNSUITABLE; /* another marker, or a restart out of place */
    }
}

/* Marks the MCUs to recode: those in rects (1) and the next one in scan
 * order after each (2); returns how many there are. */
static uint64_t mark_recoded(jpeg_splice *s, const jpeg_mcu_rect *rects, size_t n)
{
    uint32_t per_row = s->scan.mcus_per_row, rows = s->scan.mcu_rows;
    uint64_t total = (uint64_t)per_row * rows;
    for (size_t i = 0; i < n; i++) {
        uint32_t x1 = rects[i].x1 < per_row ? rects[i].x1 : per_row;
        uint32_t y1 = rects[i].y1 < rows ? rects[i].y1 : rows;
        for (uint32_t y = rects[i].y0; y < y1; y++)
            for (uint32_t x = rects[i].x0; x < x1; x++)
                s->recode[(uint64_t)y * per_row + x] = 1;
    }
    uint64_t count = 0;
    for (uint64_t m = 0; m < total; m++) {
        if (m + 1 < total && s->recode[m] == 1 && !s->recode[m + 1])
            s->recode[m + 1] = 2;
        count += s->recode[m] != 0;
    }
    return count;
}

/* Allocates the block rows of every MCU row holding a recoded MCU. */
static int keep_rows(jpeg_splice *s)
{
    const jpeg_splice_scan *sc = &s->scan;
    uint8_t *row_kept = calloc(sc->mcu_rows, 1);
    if (!row_kept)
        return SHROUD_ERR_NOMEM;
    size_t kept_mcu_rows = 0;
    for (uint32_t y = 0; y < sc->mcu_rows; y++) {
        for (uint32_t x = 0; x < sc->mcus_per_row && !row_kept[y]; x++)
            row_kept[y] = s->recode[(uint64_t)y * sc->mcus_per_row + x] != 0;
        kept_mcu_rows += row_kept[y];
    }
    size_t blocks = 0;
    for (int c = 0; c < sc->n_comps; c++) {
        s->row_blocks[c] = sc->mcus_per_row * sc->comp[c].h;
        s->row_count[c] = sc->mcu_rows * sc->comp[c].v;
        blocks += kept_mcu_rows * sc->comp[c].v * s->row_blocks[c];
        s->rows[c] = calloc(s->row_count[c], sizeof *s->rows[c]);
        if (!s->rows[c]) {
            free(row_kept);
            return SHROUD_ERR_NOMEM;
        }
    }
    s->kept = blocks ? malloc(blocks * sizeof(JPEG_BLOCK)) : NULL;
    if (blocks && !s->kept) {
        free(row_kept);
        return SHROUD_ERR_NOMEM;
    }
    JPEG_BLOCK *next = s->kept;
    for (uint32_t y = 0; y < sc->mcu_rows; y++) {
        if (!row_kept[y])
            continue;
        for (int c = 0; c < sc->n_comps; c++)
            for (uint32_t v = 0; v < sc->comp[c].v; v++) {
                s->rows[c][y * sc->comp[c].v + v] = next;
                next += s->row_blocks[c];
            }
    }
    free(row_kept);
    return SHROUD_OK;
}

/* Decodes every MCU, noting where each starts and keeping the blocks of
 * the MCUs to recode. */
static int decode_scan(jpeg_splice *s)
{
    const jpeg_splice_scan *sc = &s->scan;
    uint64_t total = (uint64_t)sc->mcus_per_row * sc->mcu_rows;
    uint64_t m = 0;
    uint32_t recoded = 0;
    for (uint32_t k = 0; k < s->n_intervals; k++) {
        uint64_t end = (uint64_t)s->interval_start[k + 1] * 8;
        bit_reader b = {s->bits + s->interval_start[k], 0, 0};
        const uint8_t *limit = s->bits + s->interval_start[k + 1] + 8;
        uint64_t last = sc->restart_interval ? m + sc->restart_interval : total;
        if (last > total)
            last = total;
        int pred[JPEG_MAX_COMPONENTS] = {0};
        for (; m < last; m++) {
            uint32_t my = (uint32_t)(m / sc->mcus_per_row), mx = (uint32_t)(m % sc->mcus_per_row);
            s->mcu_start[m] = (uint32_t)bit_position(&b, s->bits);
            int keep = s->recode[m] != 0;
            if (keep) {
                for (int c = 0; c < sc->n_comps; c++)
                    s->pred_in[recoded][c] = (int16_t)pred[c];
                recoded++;
            }
            for (int c = 0; c < sc->n_comps; c++) {
                const huff_decoder *dc = &s->tables[2 * c]->dec, *ac = &s->tables[2 * c + 1]->dec;
                uint32_t h = sc->comp[c].h, v = sc->comp[c].v;
                for (uint32_t by = 0; by < v; by++) {
                    JPEG_BLOCK *row = keep ? s->rows[c][my * v + by] : NULL;
                    for (uint32_t bx = 0; bx < h; bx++) {
                        if (b.p > limit || read_dc(&b, dc, &pred[c]) != 0)
                            return JPEG_SPLICE_UNSUITABLE; /* past the data, or a bad code */
                        int bad;
                        if (row) {
                            int16_t *blk = row[mx * h + bx];
                            memset(blk, 0, sizeof(JPEG_BLOCK));
                            blk[0] = (int16_t)pred[c];
                            bad = read_ac(&b, ac, blk);
                        } else {
                            bad = skip_ac(&b, ac);
                        }
                        if (bad)
                            return JPEG_SPLICE_UNSUITABLE;
                    }
                }
            }
        }
        uint64_t pos = bit_position(&b, s->bits);
        /* past the end: data missing (ran into the marker); only the padding
         * of the last byte may be left (libjpeg warns of more) */
        if (pos > end || end - pos >= 8)
            return JPEG_SPLICE_UNSUITABLE;
        s->interval_end[k] = (uint32_t)pos;
    }
    return SHROUD_OK;
}

int jpeg_splice_read(const uint8_t *data, size_t len, const jpeg_splice_scan *scan,
                     const jpeg_mcu_rect *rects, size_t n_rects, jpeg_splice **out)
{
    *out = NULL;
    uint64_t total = (uint64_t)scan->mcus_per_row * scan->mcu_rows;
    /* bit offsets are 32-bit */
    if (!data || scan->n_comps < 1 || scan->n_comps > JPEG_MAX_COMPONENTS || total == 0 ||
        total > UINT32_MAX || len > UINT32_MAX / 8 - PAD_BYTES)
        return JPEG_SPLICE_UNSUITABLE;
    jpeg_splice *s = calloc(1, sizeof *s);
    if (!s)
        return SHROUD_ERR_NOMEM;
    s->scan = *scan;
    for (int c = 0; c < scan->n_comps; c++) {
        for (int ac = 0; ac < 2; ac++) {
            const jpeg_huff_table *t = ac ? scan->comp[c].ac : scan->comp[c].dc;
            huff_tables *h = NULL;
            for (int i = 0; i < 2 * c + ac && !h; i++) /* components often share tables */
                if ((i & 1) == ac && (ac ? scan->comp[i / 2].ac : scan->comp[i / 2].dc) == t)
                    h = s->tables[i];
            if (!h) {
                h = &s->table_store[2 * c + ac];
                if (!t || build_tables(t, !ac, h) != 0) {
                    jpeg_splice_free(s);
                    return JPEG_SPLICE_UNSUITABLE;
                }
            }
            s->tables[2 * c + ac] = h;
        }
    }
    s->n_intervals = scan->restart_interval
                         ? (uint32_t)((total + scan->restart_interval - 1) / scan->restart_interval)
                         : 1;
    s->bits = malloc(len + PAD_BYTES);
    s->interval_start = malloc(((size_t)s->n_intervals + 1) * sizeof *s->interval_start);
    s->interval_end = malloc((size_t)s->n_intervals * sizeof *s->interval_end);
    s->mcu_start = malloc(total * sizeof *s->mcu_start);
    s->recode = calloc(total, 1);
    int err = s->bits && s->interval_start && s->interval_end && s->mcu_start && s->recode
                  ? SHROUD_OK
                  : SHROUD_ERR_NOMEM;
    if (err == SHROUD_OK)
        err = unstuff(s, data, len);
    if (err == SHROUD_OK) {
        uint64_t recoded = mark_recoded(s, rects, n_rects);
        s->pred_in = malloc((recoded ? recoded : 1) * sizeof *s->pred_in);
        err = s->pred_in ? keep_rows(s) : SHROUD_ERR_NOMEM;
    }
    if (err == SHROUD_OK)
        err = decode_scan(s);
    if (err) {
        jpeg_splice_free(s);
        return err;
    }
    *out = s;
    return SHROUD_OK;
}

void jpeg_splice_free(jpeg_splice *s)
{
    if (!s)
        return;
    free(s->bits);
    free(s->interval_start);
    free(s->interval_end);
    free(s->mcu_start);
    free(s->recode);
    free(s->pred_in);
    for (int c = 0; c < JPEG_MAX_COMPONENTS; c++)
        free(s->rows[c]);
    free(s->kept);
    free(s);
}

JPEG_BLOCK *jpeg_splice_row(jpeg_splice *s, int c, uint32_t row)
{
    if (!s || c < 0 || c >= s->scan.n_comps || row >= s->row_count[c])
        return NULL;
    return s->rows[c][row];
}

int jpeg_splice_block_kept(const jpeg_splice *s, int c, uint32_t row, uint32_t col)
{
    if (!s || c < 0 || c >= s->scan.n_comps || row >= s->row_count[c] || col >= s->row_blocks[c])
        return 0;
    uint32_t mx = col / s->scan.comp[c].h, my = row / s->scan.comp[c].v;
    return s->recode[(uint64_t)my * s->scan.mcus_per_row + mx] != 0;
}

/* ---- writing ------------------------------------------------------------- */

typedef struct {
    uint8_t *out; /* room checked by the caller before each MCU or copy */
    size_t len;
    uint64_t acc; /* the low n bits are pending */
    unsigned n;
} bit_writer;

static inline void emit_byte(bit_writer *w, uint8_t b)
{
    w->out[w->len++] = b;
    if (b == 0xFF)
        w->out[w->len++] = 0x00; /* stuffing */
}

/* Writes out the pending bits 32 at a time while 32 or more are pending. */
__attribute__((always_inline)) static inline void flush32(bit_writer *w)
{
    while (w->n >= 32) {
        uint32_t v = (uint32_t)(w->acc >> (w->n - 32));
        w->n -= 32;
        uint32_t t = ~v; /* a byte of v is 0xFF where t's byte is zero */
        if (((t - 0x01010101u) & ~t & 0x80808080u) == 0) {
            uint32_t be = __builtin_bswap32(v);
            memcpy(w->out + w->len, &be, 4);
            w->len += 4;
        } else {
            emit_byte(w, (uint8_t)(v >> 24));
            emit_byte(w, (uint8_t)(v >> 16));
            emit_byte(w, (uint8_t)(v >> 8));
            emit_byte(w, (uint8_t)v);
        }
    }
}

/* Appends size (1..32) bits of code. */
__attribute__((always_inline)) static inline void put_bits(bit_writer *w, uint32_t code,
                                                           unsigned size)
{
    w->acc = w->acc << size | (code & (uint32_t)((1ull << size) - 1));
    w->n += size;
    flush32(w);
}

/* Pads with 1-bits to a byte boundary and writes out everything pending. */
static void pad_to_byte(bit_writer *w)
{
    if (w->n & 7)
        put_bits(w, 0xFF, 8 - (w->n & 7));
    while (w->n >= 8) {
        w->n -= 8;
        emit_byte(w, (uint8_t)(w->acc >> w->n));
    }
}

/* Copies bits [from, to) of the unstuffed data. */
static void copy_bits(bit_writer *dst, const uint8_t *bits, uint64_t from, uint64_t to)
{
    bit_writer w = *dst; /* in registers for the loop */
    while (to - from >= 32) {
        put_bits(&w, (uint32_t)(peek(bits, from) >> 32), 32);
        from += 32;
    }
    if (to > from)
        put_bits(&w, (uint32_t)(peek(bits, from) >> (64 - (to - from))), (unsigned)(to - from));
    *dst = w;
}

/* Codes a value's category symbol then its bits; -1 when the table has no
 * code for it. */
__attribute__((always_inline)) static inline int put_value(bit_writer *w, const huff_encoder *e,
                                                           unsigned symbol, int v, unsigned cat)
{
    if (!e->size[symbol])
        return -1;
    put_bits(w, e->code[symbol], e->size[symbol]);
    if (cat)
        put_bits(w, (uint32_t)(v < 0 ? v - 1 : v), cat);
    return 0;
}

/* The zigzag position of the last non-zero AC coefficient, 0 when none. */
static unsigned last_nonzero(const int16_t *blk)
{
    uint64_t mask = 0;
    for (unsigned i = 1; i < 64; i++)
        mask |= (uint64_t)(blk[i] != 0) << i;
    unsigned last = 0;
    for (; mask; mask &= mask - 1) {
        unsigned k = zigzag_of[__builtin_ctzll(mask)];
        last = k > last ? k : last;
    }
    return last;
}

static int encode_block(bit_writer *dst, const int16_t *blk, int *pred, const huff_tables *dc,
                        const huff_tables *ac)
{
    bit_writer w = *dst; /* in registers */
    int diff = blk[0] - *pred, err = 0;
    *pred = blk[0];
    unsigned cat = jpeg_category(diff), last = last_nonzero(blk);
    if (cat > MAX_DC_CATEGORY || put_value(&w, &dc->enc, cat, diff, cat) != 0)
        err = -1;
    unsigned run = 0;
    for (unsigned k = 1; k <= last && !err; k++) {
        int v = blk[dct_natural_order[k]];
        if (v == 0) {
            run++;
            continue;
        }
        for (; run > 15 && !err; run -= 16)
            err = put_value(&w, &ac->enc, ZRL, 0, 0);
        cat = jpeg_category(v);
        if (err || cat > MAX_AC_CATEGORY || put_value(&w, &ac->enc, run << 4 | cat, v, cat) != 0)
            err = -1;
        run = 0;
    }
    if (!err && last < 63)
        err = put_value(&w, &ac->enc, 0x00, 0, 0); /* end of block */
    *dst = w;
    return err;
}

/* Codes MCU (mx, my) from the kept rows. A block past the image's edge is
 * coded as libjpeg codes it: the DC of the component's previous block, no
 * AC. */
static int encode_mcu(jpeg_splice *s, bit_writer *w, uint32_t mx, uint32_t my,
                      int pred[JPEG_MAX_COMPONENTS])
{
    const jpeg_splice_scan *sc = &s->scan;
    for (int c = 0; c < sc->n_comps; c++) {
        uint32_t h = sc->comp[c].h, v = sc->comp[c].v;
        for (uint32_t by = 0; by < v; by++) {
            uint32_t row = my * v + by;
            JPEG_BLOCK *blocks = s->rows[c][row];
            if (!blocks)
                return -1; /* cannot happen: recoded MCUs' rows are kept */
            for (uint32_t bx = 0; bx < h; bx++) {
                uint32_t col = mx * h + bx;
                JPEG_BLOCK dummy = {0};
                const int16_t *blk = blocks[col];
                if (col >= sc->comp[c].width_in_blocks || row >= sc->comp[c].height_in_blocks) {
                    dummy[0] = (int16_t)pred[c];
                    blk = dummy;
                }
                if (encode_block(w, blk, &pred[c], s->tables[2 * c], s->tables[2 * c + 1]) != 0)
                    return -1;
            }
        }
    }
    return 0;
}

int jpeg_splice_write(jpeg_splice *s, bytebuf *out)
{
    const jpeg_splice_scan *sc = &s->scan;
    uint64_t total = (uint64_t)sc->mcus_per_row * sc->mcu_rows, m = 0;
    size_t start = out->len;
    bit_writer w = {0};
    uint32_t recoded = 0;
    int err = SHROUD_OK;
    for (uint32_t k = 0; k < s->n_intervals && err == SHROUD_OK; k++) {
        uint64_t last = sc->restart_interval ? m + sc->restart_interval : total;
        if (last > total)
            last = total;
        int pred[JPEG_MAX_COMPONENTS] = {0};
        while (m < last && err == SHROUD_OK) {
            if (!s->recode[m]) { /* a run of untouched MCUs: their bits as they were */
                uint64_t e = m + 1;
                while (e < last && !s->recode[e])
                    e++;
                uint64_t from = s->mcu_start[m],
                         to = e < last ? s->mcu_start[e] : s->interval_end[k];
                size_t room = (size_t)((to - from) / 8) * 2 + COPY_SLACK;
                if (bytebuf_reserve(out, w.len + room) != 0) {
                    err = SHROUD_ERR_NOMEM;
                    break;
                }
                w.out = out->data + start;
                copy_bits(&w, s->bits, from, to);
                m = e;
                continue;
            }
            if (bytebuf_reserve(out, w.len + MCU_CODED_MAX) != 0) {
                err = SHROUD_ERR_NOMEM;
                break;
            }
            w.out = out->data + start;
            /* after copied bits, the predictions are the original ones */
            if (m == 0 || !s->recode[m - 1] ||
                (sc->restart_interval && m % sc->restart_interval == 0))
                for (int c = 0; c < sc->n_comps; c++)
                    pred[c] = s->pred_in[recoded][c];
            recoded++;
            if (encode_mcu(s, &w, (uint32_t)(m % sc->mcus_per_row),
                           (uint32_t)(m / sc->mcus_per_row), pred) != 0)
                err = JPEG_SPLICE_UNSUITABLE;
            m++;
        }
        if (err == SHROUD_OK && bytebuf_reserve(out, w.len + COPY_SLACK) != 0)
            err = SHROUD_ERR_NOMEM;
        if (err == SHROUD_OK) {
            w.out = out->data + start;
            pad_to_byte(&w);
            w.out[w.len++] = 0xFF;
            w.out[w.len++] = k + 1 < s->n_intervals ? (uint8_t)(MARKER_RST0 + (k & 7)) : MARKER_EOI;
        }
    }
    if (err)
        return err; /* nothing committed: out is as it was */
    bytebuf_commit(out, w.len);
    return SHROUD_OK;
}
