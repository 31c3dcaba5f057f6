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

/* The data of a Huffman block, to its end-of-block code. The reader's
 * state lives in locals here (the compiler keeps them in registers). */
static int read_huffman_data(inflater *s)
{
    uint8_t *out = s->out, *out_end = s->out_end;
    const uint32_t *table = s->table;
    uint64_t bits = s->bits;
    unsigned count = s->count;
    const uint8_t *next = s->next;
    int ok = 0;
    for (;;) {
        if (s->end - next >= 8) {
            bits |= load_le64(next) << count;
            next += (63 - count) >> 3;
            count |= 56;
        } else {
            s->bits = bits;
            s->count = count;
            s->next = next;
            refill(s);
            bits = s->bits;
            count = s->count;
            next = s->next;
        }
        uint32_t e;
        /* Three primary look-ups take at most 36 of the 49 bits; when one
         * is not a literal entry, at most 24 are gone and the 15 a
         * second-level code needs are there. */
        for (int k = 0; k < 3; k++) {
            e = table[bits & (PRIMARY_SIZE - 1)];
            unsigned n = entry_literals(e);
            if (!n)
                goto other;
            if (out_end - out >= 4) {
                uint32_t v = e >> 8;
                out[0] = (uint8_t)v;
                out[1] = (uint8_t)(v >> 8);
                out[2] = (uint8_t)(v >> 16);
            } else if (out_end - out >= (ptrdiff_t)n) {
                for (unsigned j = 0; j < n; j++)
                    out[j] = (uint8_t)(e >> (8 + 8 * j));
            } else {
                goto done;
            }
            out += n;
            bits >>= entry_bits(e);
            count -= entry_bits(e);
        }
        continue;
    other:
        if (entry_kind(e) == KIND_SUB) {
            unsigned index = (unsigned)(bits >> PRIMARY_BITS) & ((1u << entry_bits(e)) - 1);
            e = s->sub[(e >> 16) + index];
            if (entry_literals(e)) {
                if (out == out_end)
                    goto done;
                *out++ = (uint8_t)(e >> 8);
                bits >>= entry_bits(e);
                count -= entry_bits(e);
                continue;
            }
        }
        if (entry_kind(e) == KIND_END) {
            bits >>= entry_bits(e);
            count -= entry_bits(e);
            ok = 1;
        }
        goto done;
    }
done:
    s->bits = bits;
    s->count = count;
    s->next = next;
    s->out = out;
    return ok;
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

int inflate_literals(const uint8_t *in, size_t in_len, enum inflate_literals_end end, uint8_t *out,
                     size_t out_len, size_t *in_used)
{
    if ((!in && in_len) || (!out && out_len) || in_len > SIZE_MAX / 8 - 64)
        return INFLATE_LITERALS_UNSUPPORTED;
    inflater s;
    s.in = s.next = in;
    s.end = in_len ? in + in_len : in; /* no arithmetic on a NULL pointer */
    s.overrun = 0;
    s.bits = 0;
    s.count = 0;
    s.out = out;
    s.out_end = out_len ? out + out_len : out;
    size_t end_bit = in_len * 8;
    for (;;) {
        if (end == INFLATE_LITERALS_TO_BOUNDARY && position(&s) == end_bit)
            break;
        unsigned final = take(&s, 1), type = take(&s, 2);
        if (final && end == INFLATE_LITERALS_TO_BOUNDARY)
            return INFLATE_LITERALS_UNSUPPORTED;
        int ok = type == 0   ? read_stored(&s)
                 : type == 2 ? read_dynamic_header(&s) && read_huffman_data(&s)
                             : 0;
        if (!ok || position(&s) > end_bit)
            return INFLATE_LITERALS_UNSUPPORTED;
        if (final)
            break;
    }
    if (s.out != s.out_end)
        return INFLATE_LITERALS_UNSUPPORTED;
    if (in_used)
        *in_used = (position(&s) + 7) / 8;
    return INFLATE_LITERALS_OK;
}
