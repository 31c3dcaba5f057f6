/*
 * inflate_literals.c — see inflate_literals.h.
 *
 * Bits are read LSB first from a 64-bit buffer refilled 8 bytes at a time
 * (libdeflate's branch-free refill: the bits above the count are the next
 * bytes' and stay consistent). A literal/length code is looked up in a
 * table of 2^12 entries; an entry holds up to three literals whose codes
 * fit in those 12 bits together, so a photograph's short codes come out
 * about two at a time; longer codes go through a second-level table. Past the end of the input the
 * reader sees zero bytes, so look-ups never read outside it; a block that consumed them is refused
 * when it ends.
 */
#include "image/inflate_literals.h"

#include <string.h>

#define PRIMARY_BITS 12
#define PRIMARY_SIZE (1u << PRIMARY_BITS)
#define MAX_CODE_BITS 15
#define MAX_LITLEN 286 /* RFC 1951 3.2.7: HLIT + 257 */
#define MAX_DIST 30
#define MAX_PRE_BITS 7
#define END_OF_BLOCK 256
/* Every second-level table has at most 2^(15 - 11) entries, and each holds a
 * code of its own. */
#define SUB_SIZE (MAX_LITLEN << (MAX_CODE_BITS - PRIMARY_BITS))

/* A table entry: bits 0-5 are the bits it consumes (for a second-level
 * pointer, the bits that index its table), so a shift by the entry itself
 * consumes them; bits 6-7 how many literals it holds (1 to 3, in bits 8-15,
 * 16-23 and 24-31), 0 for the other kinds, which keep their kind in bits
 * 8-9 and a second-level table's offset in bits 16-31. */
enum { KIND_END, KIND_SUB, KIND_REFUSE };

/* Where an inflater is. */
enum reading { AT_HEADER, IN_DATA, DONE, FAILED };

static inline uint32_t literal_entry(unsigned literal, unsigned bits)
{
    return literal << 8 | 1u << 6 | bits;
}

static inline uint32_t other_entry(unsigned kind, unsigned bits, unsigned offset)
{
    return offset << 16 | kind << 8 | bits;
}

static inline unsigned entry_bits(uint32_t e)
{
    return e & 63;
}

static inline unsigned entry_literals(uint32_t e)
{
    return (e >> 6) & 3;
}

static inline unsigned entry_kind(uint32_t e)
{
    return (e >> 8) & 3;
}

typedef struct {
    const uint8_t *in, *next, *end;
    size_t overrun; /* zero bytes read past the end */
    uint64_t bits;  /* valid: the low count bits */
    unsigned count;
    uint8_t *out, *out_end;
    size_t end_bit; /* where the input ends, in bits */
    enum inflate_literals_end mode;
    int final; /* the block being read is the last */
    int state; /* enum reading */
    uint32_t table[PRIMARY_SIZE];
    uint32_t single[PRIMARY_SIZE]; /* one symbol per entry, while building */
    uint32_t sub[SUB_SIZE];
} inflater;

static inline uint64_t load_le64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
#endif
}

/* At least 49 valid bits afterwards (at most 63). */
static inline void refill(inflater *s)
{
    if (s->end - s->next >= 8) {
        s->bits |= load_le64(s->next) << s->count;
        s->next += (63 - s->count) >> 3;
        s->count |= 56;
        return;
    }
    while (s->count <= 48) {
        uint64_t byte = 0;
        if (s->next < s->end)
            byte = *s->next++;
        else
            s->overrun++;
        s->bits |= byte << s->count;
        s->count += 8;
    }
}

static inline unsigned take(inflater *s, unsigned n)
{
    if (s->count < n)
        refill(s);
    unsigned v = (unsigned)(s->bits & ((1u << n) - 1));
    s->bits >>= n;
    s->count -= n;
    return v;
}

static inline void consume(inflater *s, unsigned n)
{
    s->bits >>= n;
    s->count -= n;
}

/* The bit the next read starts at, counted from in[0] bit 0. */
static inline size_t position(const inflater *s)
{
    return ((size_t)(s->next - s->in) + s->overrun) * 8 - s->count;
}

static unsigned reverse_bits(unsigned code, unsigned n)
{
    unsigned r = 0;
    for (unsigned i = 0; i < n; i++)
        r |= ((code >> i) & 1) << (n - 1 - i);
    return r;
}

/* The canonical codes (RFC 1951 3.2.2) of len[0..n), bit-reversed for an
 * LSB-first reader, in codes; 0 unless the code is complete (lengths at
 * most max_bits), the only kind this inflater reads. */
static int canonical_codes(const uint8_t *len, unsigned n, unsigned max_bits, uint16_t *codes)
{
    unsigned count[MAX_CODE_BITS + 1] = {0}, next[MAX_CODE_BITS + 1];
    uint32_t kraft = 0;
    for (unsigned i = 0; i < n; i++) {
        count[len[i]]++;
        if (len[i])
            kraft += 1u << (max_bits - len[i]);
    }
    if (kraft != 1u << max_bits)
        return 0;
    unsigned code = 0;
    count[0] = 0;
    for (unsigned b = 1; b <= max_bits; b++) {
        code = (code + count[b - 1]) << 1;
        next[b] = code;
    }
    for (unsigned i = 0; i < n; i++)
        codes[i] = len[i] ? (uint16_t)reverse_bits(next[len[i]]++, len[i]) : 0;
    return 1;
}

/* The literal/length look-up tables for len[0..n): 0 unless the code is
 * complete and has an end-of-block code. Length symbols get entries that
 * refuse the block. */
static int build_litlen(inflater *s, const uint8_t *len, unsigned n)
{
    uint16_t codes[MAX_LITLEN];
    uint8_t longest[PRIMARY_SIZE];
    if (!len[END_OF_BLOCK] || !canonical_codes(len, n, MAX_CODE_BITS, codes))
        return 0;
    memset(longest, 0, sizeof longest);
    for (unsigned sym = 0; sym < n; sym++) {
        unsigned b = len[sym];
        if (b > PRIMARY_BITS) {
            unsigned prefix = codes[sym] & (PRIMARY_SIZE - 1);
            if (b > longest[prefix])
                longest[prefix] = (uint8_t)b;
        } else if (b) {
            uint32_t e = sym < END_OF_BLOCK    ? literal_entry(sym, b)
                         : sym == END_OF_BLOCK ? other_entry(KIND_END, b, 0)
                                               : other_entry(KIND_REFUSE, b, 0);
            for (unsigned i = codes[sym]; i < PRIMARY_SIZE; i += 1u << b)
                s->single[i] = e;
        }
    }
    unsigned used = 0;
    for (unsigned prefix = 0; prefix < PRIMARY_SIZE; prefix++)
        if (longest[prefix]) {
            unsigned index_bits = longest[prefix] - PRIMARY_BITS;
            s->single[prefix] = other_entry(KIND_SUB, index_bits, used);
            used += 1u << index_bits;
        }
    for (unsigned sym = 0; sym < n; sym++) {
        unsigned b = len[sym];
        if (b <= PRIMARY_BITS)
            continue;
        uint32_t ptr = s->single[codes[sym] & (PRIMARY_SIZE - 1)];
        unsigned offset = ptr >> 16, size = 1u << entry_bits(ptr);
        uint32_t e = sym < END_OF_BLOCK    ? literal_entry(sym, b)
                     : sym == END_OF_BLOCK ? other_entry(KIND_END, b, 0)
                                           : other_entry(KIND_REFUSE, b, 0);
        for (unsigned i = codes[sym] >> PRIMARY_BITS; i < size; i += 1u << (b - PRIMARY_BITS))
            s->sub[offset + i] = e;
    }
    /* Runs of up to three literals whose codes fit in the primary bits. */
    for (unsigned i = 0; i < PRIMARY_SIZE; i++) {
        uint32_t e = s->single[i];
        unsigned b = entry_bits(e);
        for (unsigned held = 1; held < 3 && entry_literals(e) == held && b < PRIMARY_BITS; held++) {
            uint32_t next = s->single[i >> b];
            unsigned b2 = entry_bits(next);
            if (entry_literals(next) != 1 || b2 > PRIMARY_BITS - b)
                break;
            b += b2;
            e = (e & ~255u) | (next >> 8) << (8 + 8 * held) | (held + 1) << 6 | b;
        }
        s->table[i] = e;
    }
    return 1;
}

/* The code lengths of a dynamic block (RFC 1951 3.2.7) and its tables. */
static int read_dynamic_header(inflater *s)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    unsigned n_lit = take(s, 5) + 257, n_dist = take(s, 5) + 1, n_pre = take(s, 4) + 4;
    if (n_lit > MAX_LITLEN || n_dist > MAX_DIST)
        return 0;
    uint8_t pre_len[19] = {0};
    uint16_t pre_codes[19];
    for (unsigned i = 0; i < n_pre; i++)
        pre_len[order[i]] = (uint8_t)take(s, 3);
    if (!canonical_codes(pre_len, 19, MAX_PRE_BITS, pre_codes))
        return 0;
    uint16_t pre[1u << MAX_PRE_BITS]; /* symbol | bits << 8 */
    for (unsigned sym = 0; sym < 19; sym++)
        if (pre_len[sym])
            for (unsigned i = pre_codes[sym]; i < (1u << MAX_PRE_BITS); i += 1u << pre_len[sym])
                pre[i] = (uint16_t)(sym | pre_len[sym] << 8);
    uint8_t len[MAX_LITLEN + MAX_DIST];
    unsigned total = n_lit + n_dist;
    for (unsigned i = 0; i < total;) {
        if (s->count < MAX_PRE_BITS + 7)
            refill(s);
        unsigned e = pre[s->bits & ((1u << MAX_PRE_BITS) - 1)];
        consume(s, e >> 8);
        unsigned sym = e & 0xFF, repeat, value = 0;
        if (sym < 16) {
            len[i++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0)
                return 0;
            value = len[i - 1];
            repeat = 3 + take(s, 2);
        } else if (sym == 17) {
            repeat = 3 + take(s, 3);
        } else {
            repeat = 11 + take(s, 7);
        }
        if (repeat > total - i)
            return 0;
        memset(len + i, (int)value, repeat);
        i += repeat;
    }
    uint16_t dist_codes[MAX_DIST];
    return canonical_codes(len + n_lit, n_dist, MAX_CODE_BITS, dist_codes) &&
           build_litlen(s, len, n_lit);
}

static void block_read(inflater *s);

/* The bit reader and output of a Huffman block's data in locals, which the
 * compiler keeps in registers once step() is inlined. */
typedef struct {
    uint64_t bits;
    unsigned count;
    const uint8_t *next;
    uint8_t *out;
} reader;

static inline reader reader_of(const inflater *s)
{
    reader r = {s->bits, s->count, s->next, s->out};
    return r;
}

static inline void reader_back(inflater *s, const reader *r)
{
    s->bits = r->bits;
    s->count = r->count;
    s->next = r->next;
    s->out = r->out;
}

/* At least 49 valid bits (see refill). */
static inline __attribute__((always_inline)) void reader_refill(inflater *s, reader *r)
{
    if (s->end - r->next >= 8) {
        r->bits |= load_le64(r->next) << r->count;
        r->next += (63 - r->count) >> 3;
        r->count |= 56;
    } else {
        reader_back(s, r);
        refill(s);
        *r = reader_of(s);
    }
}

enum { STEP_ON, STEP_END, STEP_STOP };

/* One code: its literals written (up to 3, with 4 bytes of room: the
 * caller checks; or exactly, when exact), STEP_END for end-of-block,
 * STEP_STOP for a code this inflater refuses or output running out.
 * Needs 15 valid bits. */
static inline __attribute__((always_inline)) int step(const inflater *s, reader *r, int exact)
{
    uint32_t e = s->table[r->bits & (PRIMARY_SIZE - 1)];
    unsigned n = entry_literals(e);
    if (!n && entry_kind(e) == KIND_SUB) {
        unsigned index = (unsigned)(r->bits >> PRIMARY_BITS) & ((1u << entry_bits(e)) - 1);
        e = s->sub[(e >> 16) + index];
        n = entry_literals(e);
    }
    if (n) {
        if (!exact) {
            uint32_t v = e >> 8;
            r->out[0] = (uint8_t)v;
            r->out[1] = (uint8_t)(v >> 8);
            r->out[2] = (uint8_t)(v >> 16);
        } else if (s->out_end - r->out >= (ptrdiff_t)n) {
            for (unsigned j = 0; j < n; j++)
                r->out[j] = (uint8_t)(e >> (8 + 8 * j));
        } else {
            return STEP_STOP;
        }
        r->out += n;
    } else if (entry_kind(e) != KIND_END) {
        return STEP_STOP;
    }
    r->bits >>= entry_bits(e);
    r->count -= entry_bits(e);
    return n ? STEP_ON : STEP_END;
}

/* Room for three steps without checks: 3 x 3 literals and the 4th byte
 * a step's store may write. */
#define STEPS_ROOM 10

/* The data of a Huffman block, to its end-of-block code. */
static int read_huffman_data(inflater *s)
{
    reader r = reader_of(s);
    int got = STEP_ON;
    while (got == STEP_ON) {
        reader_refill(s, &r);
        /* 49 bits: three codes of at most 15 */
        int exact = s->out_end - r.out < STEPS_ROOM;
        for (int k = 0; k < 3 && got == STEP_ON; k++)
            got = step(s, &r, exact);
    }
    reader_back(s, &r);
    return got == STEP_END;
}

/* The data of two Huffman blocks at once, one code of each in turn, until
 * one of them ends (its state then moves on) or either nears the end of
 * its input or output; the rest is read one block at a time. Two chains
 * of table look-ups in one loop: the processor overlaps their latencies. */
static void read_huffman_data_two(inflater *a, inflater *b)
{
    reader ra = reader_of(a), rb = reader_of(b);
    int got_a = STEP_ON, got_b = STEP_ON;
    while (got_a == STEP_ON && got_b == STEP_ON && a->end - ra.next >= 8 && b->end - rb.next >= 8 &&
           a->out_end - ra.out >= STEPS_ROOM && b->out_end - rb.out >= STEPS_ROOM) {
        reader_refill(a, &ra);
        reader_refill(b, &rb);
        for (int k = 0; k < 3 && got_a == STEP_ON && got_b == STEP_ON; k++) {
            got_a = step(a, &ra, 0);
            got_b = step(b, &rb, 0);
        }
    }
    reader_back(a, &ra);
    reader_back(b, &rb);
    /* an ended block moves on; a code step() refused is read again, and
     * refused, one block at a time */
    if (got_a == STEP_END)
        block_read(a);
    if (got_b == STEP_END)
        block_read(b);
}

/* A stored block, from just after its 3 header bits. */
static int read_stored(inflater *s)
{
    size_t at = (position(s) + 7) / 8, in_len = (size_t)(s->end - s->in);
    if (at > in_len || in_len - at < 4)
        return 0;
    const uint8_t *p = s->in + at;
    unsigned len = p[0] | (unsigned)p[1] << 8, nlen = p[2] | (unsigned)p[3] << 8;
    if (len != (~nlen & 0xFFFF) || len > in_len - at - 4 || len > (size_t)(s->out_end - s->out))
        return 0;
    memcpy(s->out, p + 4, len);
    s->out += len;
    s->next = p + 4 + len;
    s->overrun = 0;
    s->bits = 0;
    s->count = 0;
    return 1;
}

/* After a block's last bit: on to the next header, or done. */
static void block_read(inflater *s)
{
    if (position(s) > s->end_bit)
        s->state = FAILED;
    else
        s->state = s->final ? DONE : AT_HEADER;
}

/* Reads block headers (stored blocks whole) until s is in a Huffman
 * block's data, done, or failed. */
static void advance(inflater *s)
{
    while (s->state == AT_HEADER) {
        if (s->mode == INFLATE_LITERALS_TO_BOUNDARY && position(s) == s->end_bit) {
            s->state = DONE;
            return;
        }
        s->final = (int)take(s, 1);
        unsigned type = take(s, 2);
        if (s->final && s->mode == INFLATE_LITERALS_TO_BOUNDARY)
            s->state = FAILED;
        else if (type == 0 && read_stored(s))
            block_read(s);
        else if (type == 2)
            s->state = read_dynamic_header(s) ? IN_DATA : FAILED;
        else
            s->state = FAILED;
    }
}

/* Sets s up for a job: 0 when its arguments are unusable. */
static int start(inflater *s, const inflate_literals_job *job)
{
    if ((!job->in && job->in_len) || (!job->out && job->out_len) || job->in_len > SIZE_MAX / 8 - 64)
        return 0;
    s->in = s->next = job->in;
    s->end = job->in_len ? job->in + job->in_len : job->in; /* no arithmetic on NULL */
    s->overrun = 0;
    s->bits = 0;
    s->count = 0;
    s->out = job->out;
    s->out_end = job->out_len ? job->out + job->out_len : job->out;
    s->end_bit = job->in_len * 8;
    s->mode = job->end;
    s->final = 0;
    s->state = AT_HEADER;
    return 1;
}

/* One Huffman block's data alone. */
static void read_block_data(inflater *s)
{
    if (read_huffman_data(s))
        block_read(s);
    else
        s->state = FAILED;
}

static int finish(const inflater *s, const inflate_literals_job *job)
{
    if (s->state != DONE || s->out != s->out_end)
        return INFLATE_LITERALS_UNSUPPORTED;
    if (job->in_used)
        *job->in_used = (position(s) + 7) / 8;
    return INFLATE_LITERALS_OK;
}

int inflate_literals(const uint8_t *in, size_t in_len, enum inflate_literals_end end, uint8_t *out,
                     size_t out_len, size_t *in_used)
{
    inflate_literals_job job = {in, in_len, end, out, out_len, in_used};
    inflater s;
    if (!start(&s, &job))
        return INFLATE_LITERALS_UNSUPPORTED;
    for (advance(&s); s.state == IN_DATA; advance(&s))
        read_block_data(&s);
    return finish(&s, &job);
}

void inflate_literals_two(const inflate_literals_job jobs[2], int results[2])
{
    inflater s[2];
    int ok[2];
    for (int i = 0; i < 2; i++)
        if (!(ok[i] = start(&s[i], &jobs[i])))
            s[i].state = FAILED;
    for (;;) {
        advance(&s[0]);
        advance(&s[1]);
        if (s[0].state == IN_DATA && s[1].state == IN_DATA) {
            read_huffman_data_two(&s[0], &s[1]);
            /* a pair that stopped without an end: one block alone */
            if (s[0].state == IN_DATA && s[1].state == IN_DATA)
                read_block_data(&s[0]);
        } else if (s[0].state == IN_DATA) {
            read_block_data(&s[0]);
        } else if (s[1].state == IN_DATA) {
            read_block_data(&s[1]);
        } else {
            break;
        }
    }
    for (int i = 0; i < 2; i++)
        results[i] = ok[i] ? finish(&s[i], &jobs[i]) : INFLATE_LITERALS_UNSUPPORTED;
}
