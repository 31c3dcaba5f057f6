/* run_bits.c — reading a run (cells.h): Hamming values from its bitmap, and
 * the sample behind a run index. */
#include <stdlib.h>

#include "stego/cells.h"
#include "stego/window64.h"

/* Bits pos .. pos+63 of the run's bitmap (it has a spare word at the end). */
static inline uint64_t bits_at(const stego_run *run, size_t pos)
{
    const uint64_t *lsb = run->lsb;
    size_t w = pos / 64 - run->lsb_base;
    unsigned sh = (unsigned)(pos % 64);
    return sh ? lsb[w] >> sh | lsb[w + 1] << (64 - sh) : lsb[w];
}

/*
 * The group's samples take the indices 1 .. len. Seen as windows of 64
 * indices (window j: indices 64j .. 64j+63, index 0 standing for no sample),
 * bits 0..5 of an index are its place in its window, and bits 6 and up are
 * j. So the XOR of the indices whose LSB is set is, bit by bit: for bits
 * 0..5 the parity of the set LSBs at the window places with that bit, all
 * windows XORed together first; for bits 6 and up, j for every window with
 * an odd number of set LSBs.
 */
POPCNT_CLONES uint32_t stego_run_value(const stego_run *run, size_t start, size_t len)
{
    static const uint64_t place_bit[6] = {
        0xAAAAAAAAAAAAAAAAu, 0xCCCCCCCCCCCCCCCCu, 0xF0F0F0F0F0F0F0F0u,
        0xFF00FF00FF00FF00u, 0xFFFF0000FFFF0000u, 0xFFFFFFFF00000000u,
    };
    if (!len)
        return 0;
    size_t last = len / 64;              /* the last window */
    unsigned top = (unsigned)(len % 64); /* the last window's highest index */
    /* window 0: index i is run sample start - 1 + i, index 0 none */
    uint64_t w = bits_at(run, start) << 1;
    if (last == 0 && top < 63)
        w &= (2ull << top) - 1;
    uint64_t all = w;
    uint32_t high = 0;
    /* window j >= 1 starts at run sample q + 64 (j - 1), q = start + 63: the
     * same shift in every word pair; (x << 1) << (63 - sh) is x << (64 - sh),
     * and 0 when sh is 0, without a branch */
    size_t q = start + 63;
    const uint64_t *lsb = run->lsb + (q / 64 - run->lsb_base);
    unsigned sh = (unsigned)(q % 64);
    for (size_t j = 1; j <= last; j++) {
        w = lsb[j - 1] >> sh | (lsb[j] << 1) << (63 - sh);
        if (j == last && top < 63)
            w &= (2ull << top) - 1;
        all ^= w;
        high ^= (uint32_t)(64 * j) & (0u - (uint32_t)(__builtin_popcountll(w) & 1));
    }
    uint32_t low = 0;
    for (unsigned b = 0; b < 6; b++)
        low |= (uint32_t)__builtin_parityll(all & place_bit[b]) << b;
    return high | low;
}

/* The run index of entry e's first sample. */
static inline uint32_t first_of(const stego_run *run, size_t e)
{
    return run->first[e - run->cell_base];
}

/* How many of the 8 increasing run indices at f are <= i (all below
 * 2^31): the place of the first one above it. */
static inline unsigned firsts_at_most(const uint32_t *f, uint32_t i)
{
#if defined(__SSE2__)
    const __m128i at = _mm_set1_epi32((int)i);
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)f);
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(f + 4));
    __m128i above = _mm_packs_epi32(_mm_cmpgt_epi32(a, at), _mm_cmpgt_epi32(b, at));
    unsigned mask = (unsigned)_mm_movemask_epi8(above); /* two bits per index */
    return mask ? (unsigned)__builtin_ctz(mask) / 2 : 8;
#else
    unsigned n = 0;
    for (unsigned k = 0; k < 8; k++)
        n += f[k] <= i;
    return n;
#endif
}

size_t stego_run_entry(const stego_run *run, size_t i, size_t from)
{
    if (from < run->cell_base) /* dropped since: i, held, is after it */
        from = run->cell_base;
    if (from < run->cells && first_of(run, from) <= i) {
        /* entries asked for in increasing order are a few cells apart:
         * count the next 8 at a time (their firsts increase), no branch
         * per entry */
        const uint32_t *first = run->first;
        size_t e = from - run->cell_base, end = run->cells - run->cell_base;
        while (e + 8 < end) {
            unsigned ahead = firsts_at_most(first + e + 1, (uint32_t)i);
            e += ahead;
            if (ahead < 8)
                return e + run->cell_base;
        }
        while (e + 1 < end && first[e + 1] <= i)
            e++;
        return e + run->cell_base;
    }
    size_t lo = run->cell_base, hi = run->cells; /* the last entry whose first <= i */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (first_of(run, mid) <= i)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The place of the set bit of x with r set bits below it (r < popcount(x)). */
static unsigned select_plain(uint64_t x, unsigned r)
{
    for (; r; r--)
        x &= x - 1;
    return (unsigned)__builtin_ctzll(x);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

__attribute__((target("bmi,bmi2"))) static unsigned select_bmi2(uint64_t x, unsigned r)
{
    return (unsigned)_tzcnt_u64(_pdep_u64(1ull << r, x));
}
#else
static unsigned select_bmi2(uint64_t x, unsigned r)
{
    return select_plain(x, r);
}
#endif

uint32_t stego_run_sample_at(const stego_run *run, size_t e, size_t i)
{
    uint32_t cell = run->cell[e - run->cell_base];
    uint64_t take = run->take[e - run->cell_base];
    unsigned r = (unsigned)(i - first_of(run, e));
    return cell * STEGO_CELL_SAMPLES + (run->bmi2 ? select_bmi2(take, r) : select_plain(take, r));
}

uint32_t stego_run_sample(const stego_run *run, size_t i)
{
    return stego_run_sample_at(run, stego_run_entry(run, i, run->cells), i);
}

void stego_run_free(stego_run *run)
{
    if (!run)
        return;
    free(run->lsb);
    free(run->cell);
    free(run->first);
    free(run->take);
    run->lsb = NULL;
    run->cell = NULL;
    run->first = NULL;
    run->take = NULL;
    run->n = run->cells = 0;
}
