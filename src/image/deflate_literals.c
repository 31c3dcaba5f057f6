/* deflate_literals.c — literals-only deflate streams (deflate_literals.h). */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "image/deflate_literals.h"

#include <stdlib.h>
#include <string.h>

#define LITERALS 257 /* byte values and end-of-block */
#define END_OF_BLOCK 256
#define DISTANCE_CODES 2     /* two unused 1-bit codes: a complete code every inflater takes */
#define CODE_LENGTH_CODES 19 /* the alphabet of the code lengths (RFC 1951 3.2.7) */
#define MAX_CODE_BITS 15
#define MAX_CODE_LENGTH_BITS 7
#define STORED_MAX 65535u /* bytes of one stored block */
#define BIT_SLACK 8       /* the bit writer stores 8 bytes at a time */

/* The order code-length code lengths are sent in (RFC 1951 3.2.7). */
static const uint8_t code_length_order[CODE_LENGTH_CODES] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                             11, 4,  12, 3, 13, 2, 14, 1, 15};

typedef struct {
    uint8_t *out;
    size_t pos;    /* whole bytes written */
    uint64_t bits; /* pending bits, first at bit 0 */
    unsigned n;    /* how many: at most 7 between writes */
} bit_writer;

static inline void store_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, sizeof v);
#else
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    p[4] = (uint8_t)(v >> 32);
    p[5] = (uint8_t)(v >> 40);
    p[6] = (uint8_t)(v >> 48);
    p[7] = (uint8_t)(v >> 56);
#endif
}

/* Moves the whole bytes of the pending bits out (needs BIT_SLACK bytes). */
static inline void flush_bytes(bit_writer *w)
{
    store_le64(w->out + w->pos, w->bits);
    w->pos += w->n >> 3;
    w->bits >>= w->n & ~7u; /* n <= 7 + 32 */
    w->n &= 7u;
}

/* Appends the low `count` bits of v (count <= 32). */
static inline void put_bits(bit_writer *w, uint32_t v, unsigned count)
{
    w->bits |= (uint64_t)v << w->n;
    w->n += count;
    flush_bytes(w);
}

/* Pads to a byte boundary with zero bits. */
static void align_byte(bit_writer *w)
{
    if (w->n) {
        w->n = 8;
        flush_bytes(w);
    }
}

typedef struct {
    uint32_t weight;
    uint16_t symbol;
} leaf;

static int by_weight(const void *x, const void *y)
{
    const leaf *a = x, *b = y;
    if (a->weight != b->weight)
        return a->weight < b->weight ? -1 : 1;
    return a->symbol < b->symbol ? -1 : a->symbol > b->symbol;
}

/* The depths of the optimal tree over m >= 2 leaves sorted by weight, as
 * code lengths in len[symbol]. Returns the longest. */
static unsigned tree_lengths(const leaf *leaves, unsigned m, uint8_t *len)
{
    uint32_t weight[2 * LITERALS];
    uint16_t parent[2 * LITERALS];
    uint8_t depth[2 * LITERALS];
    for (unsigned i = 0; i < m; i++)
        weight[i] = leaves[i].weight;
    /* Two queues: the sorted leaves, and the internal nodes in the order
     * they are made (their weights never decrease). */
    unsigned next_leaf = 0, next_inner = m, made = m;
    for (; made < 2 * m - 1; made++) {
        unsigned pick[2];
        for (int k = 0; k < 2; k++) {
            if (next_leaf < m && (next_inner == made || weight[next_leaf] <= weight[next_inner]))
                pick[k] = next_leaf++;
            else
                pick[k] = next_inner++;
        }
        weight[made] = weight[pick[0]] + weight[pick[1]];
        parent[pick[0]] = parent[pick[1]] = (uint16_t)made;
    }
    unsigned longest = 0;
    depth[made - 1] = 0;
    for (unsigned i = made - 1; i-- > 0;) {
        depth[i] = (uint8_t)(depth[parent[i]] + 1);
        if (i < m) {
            len[leaves[i].symbol] = depth[i];
            longest = depth[i] > longest ? depth[i] : longest;
        }
    }
    return longest;
}

/* Code lengths for freq[0..n) (n <= LITERALS; at least two nonzero), 0
 * for unused symbols, of at most `limit` bits: when the optimal tree is
 * deeper, the frequencies are halved (staying nonzero) until it is not;
 * they end, at worst, all equal, which gives a balanced tree. Halving keeps
 * the leaves in order, so they are sorted once. */
static void code_lengths(const uint32_t *freq, unsigned n, unsigned limit, uint8_t *len)
{
    leaf leaves[LITERALS];
    unsigned m = 0;
    for (unsigned s = 0; s < n; s++) {
        len[s] = 0;
        if (freq[s])
            leaves[m++] = (leaf){freq[s], (uint16_t)s};
    }
    qsort(leaves, m, sizeof *leaves, by_weight);
    while (tree_lengths(leaves, m, len) > limit)
        for (unsigned i = 0; i < m; i++)
            leaves[i].weight = leaves[i].weight >> 1 | 1u;
}

/* Canonical codes (RFC 1951 3.2.2), bit-reversed for LSB-first writing. */
static void canonical_codes(const uint8_t *len, unsigned n, uint16_t *code)
{
    unsigned count[MAX_CODE_BITS + 1] = {0}, next[MAX_CODE_BITS + 1] = {0};
    for (unsigned s = 0; s < n; s++)
        count[len[s]]++;
    count[0] = 0;
    for (unsigned b = 1, c = 0; b <= MAX_CODE_BITS; b++) {
        c = (c + count[b - 1]) << 1;
        next[b] = c;
    }
    for (unsigned s = 0; s < n; s++) {
        unsigned c = len[s] ? next[len[s]]++ : 0, r = 0;
        for (unsigned b = 0; b < len[s]; b++)
            r |= ((c >> b) & 1u) << (len[s] - 1 - b);
        code[s] = (uint16_t)r;
    }
}

typedef struct {
    uint8_t len[LITERALS];
    uint16_t code[LITERALS];
    uint8_t cl_len[CODE_LENGTH_CODES];
    uint16_t cl_code[CODE_LENGTH_CODES];
    uint64_t bits; /* the whole block, header included */
} block_code;

/* The code of one block: every symbol gets a code (so the code is complete
 * whatever the data), sized by the block's byte counts. */
static void plan_block(const uint8_t *in, size_t n, block_code *bc)
{
    uint32_t hist[4][256] = {{0}}, freq[LITERALS];
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        hist[0][in[i]]++;
        hist[1][in[i + 1]]++;
        hist[2][in[i + 2]]++;
        hist[3][in[i + 3]]++;
    }
    for (; i < n; i++)
        hist[0][in[i]]++;
    for (unsigned s = 0; s < 256; s++)
        freq[s] = hist[0][s] + hist[1][s] + hist[2][s] + hist[3][s] + 1;
    freq[END_OF_BLOCK] = 1;
    code_lengths(freq, LITERALS, MAX_CODE_BITS, bc->len);
    canonical_codes(bc->len, LITERALS, bc->code);

    uint32_t cl_freq[CODE_LENGTH_CODES] = {0};
    for (unsigned s = 0; s < LITERALS; s++)
        cl_freq[bc->len[s]]++;
    cl_freq[1] += DISTANCE_CODES;
    code_lengths(cl_freq, CODE_LENGTH_CODES, MAX_CODE_LENGTH_BITS, bc->cl_len);
    canonical_codes(bc->cl_len, CODE_LENGTH_CODES, bc->cl_code);

    uint64_t bits = 3 + 5 + 5 + 4 + 3 * CODE_LENGTH_CODES;
    for (unsigned v = 0; v < CODE_LENGTH_CODES; v++)
        bits += (uint64_t)cl_freq[v] * bc->cl_len[v];
    for (unsigned s = 0; s < LITERALS; s++)
        bits += (uint64_t)(freq[s] - (s != END_OF_BLOCK)) * bc->len[s];
    bc->bits = bits;
}

static void write_dynamic_header(bit_writer *w, const block_code *bc, int final)
{
    put_bits(w, (final ? 1u : 0u) | 2u << 1, 3);                   /* BFINAL, BTYPE = 2 */
    put_bits(w, (LITERALS - 257) | (DISTANCE_CODES - 1) << 5, 10); /* HLIT, HDIST */
    put_bits(w, CODE_LENGTH_CODES - 4, 4);                         /* HCLEN */
    for (unsigned i = 0; i < CODE_LENGTH_CODES; i++)
        put_bits(w, bc->cl_len[code_length_order[i]], 3);
    for (unsigned s = 0; s < LITERALS; s++)
        put_bits(w, bc->cl_code[bc->len[s]], bc->cl_len[bc->len[s]]);
    for (unsigned d = 0; d < DISTANCE_CODES; d++)
        put_bits(w, bc->cl_code[1], bc->cl_len[1]);
}

/* The block's bytes as literals, three per flush (3 x 15 + 7 bits fit in
 * 64), then end-of-block. */
static void write_literals(bit_writer *w, const block_code *bc, const uint8_t *in, size_t n)
{
    uint32_t sym[256]; /* code | length << 16 */
    for (unsigned s = 0; s < 256; s++)
        sym[s] = bc->code[s] | (uint32_t)bc->len[s] << 16;
    uint64_t bits = w->bits;
    unsigned count = w->n;
    uint8_t *out = w->out;
    size_t pos = w->pos, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t e0 = sym[in[i]], e1 = sym[in[i + 1]], e2 = sym[in[i + 2]];
        bits |= (uint64_t)(e0 & 0xFFFFu) << count;
        count += e0 >> 16;
        bits |= (uint64_t)(e1 & 0xFFFFu) << count;
        count += e1 >> 16;
        bits |= (uint64_t)(e2 & 0xFFFFu) << count;
        count += e2 >> 16;
        store_le64(out + pos, bits);
        pos += count >> 3;
        bits >>= count & ~7u;
        count &= 7u;
    }
    w->bits = bits;
    w->n = count;
    w->pos = pos;
    for (; i < n; i++)
        put_bits(w, bc->code[in[i]], bc->len[in[i]]);
    put_bits(w, bc->code[END_OF_BLOCK], bc->len[END_OF_BLOCK]);
}

static void write_stored(bit_writer *w, const uint8_t *in, size_t n, int final)
{
    do {
        size_t take = n < STORED_MAX ? n : STORED_MAX;
        put_bits(w, (final && take == n) ? 1u : 0u, 3); /* BFINAL, BTYPE = 0 */
        align_byte(w);
        uint8_t head[4] = {(uint8_t)take, (uint8_t)(take >> 8), (uint8_t)~take,
                           (uint8_t)(~take >> 8)};
        memcpy(w->out + w->pos, head, sizeof head);
        if (take) { /* in may be NULL when there is nothing (and NULL + 0 is UB) */
            memcpy(w->out + w->pos + 4, in, take);
            in += take;
        }
        w->pos += 4 + take;
        n -= take;
    } while (n);
}

/* Stored chunks of a block of n bytes. */
static size_t stored_chunks(size_t n)
{
    return n ? (n + STORED_MAX - 1) / STORED_MAX : 1;
}

size_t deflate_literals_bound(size_t in_len)
{
    size_t blocks = in_len / DEFLATE_LITERALS_BLOCK + 1;
    /* Each block is stored unless its code is smaller: per stored chunk 5
     * bytes of header, per block up to 2 bytes of bit padding; 5 more for
     * the empty block that ends a part that is not the last. */
    return in_len + 5 * (in_len / STORED_MAX + blocks) + 2 * blocks + 5 + BIT_SLACK;
}

size_t deflate_literals_part(const uint8_t *in, size_t in_len, int last, uint8_t *out,
                             size_t out_cap)
{
    if (out_cap < deflate_literals_bound(in_len) || in_len > SIZE_MAX / 2)
        return 0;
    bit_writer w = {out, 0, 0, 0};
    block_code bc;
    size_t at = 0;
    do {
        size_t n = in_len - at < DEFLATE_LITERALS_BLOCK ? in_len - at : DEFLATE_LITERALS_BLOCK;
        int final = last && at + n == in_len;
        const uint8_t *block = n ? in + at : in; /* in may be NULL for an empty input */
        plan_block(block, n, &bc);
        if (bc.bits < (uint64_t)n * 8 + 40 * stored_chunks(n)) {
            write_dynamic_header(&w, &bc, final);
            write_literals(&w, &bc, block, n);
        } else {
            write_stored(&w, block, n, final);
        }
        at += n;
    } while (at < in_len);
    if (!last) /* an empty stored block: the stream ends on a byte boundary */
        write_stored(&w, NULL, 0, 0);
    align_byte(&w);
    explicit_bzero(&bc, sizeof bc); /* the code tells about the data, which may be secret */
    return w.pos;
}

size_t deflate_literals(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap)
{
    return deflate_literals_part(in, in_len, 1, out, out_cap);
}
