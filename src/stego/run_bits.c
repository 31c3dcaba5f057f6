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
    uint64_t all = 0;
    uint32_t high = 0;
    for (size_t j = 0; 64 * j <= len; j++) {
        /* window j: index 64j + i is run sample start - 1 + 64j + i */
        uint64_t w = j ? bits_at(run, start - 1 + 64 * j) : bits_at(run, start) << 1;
        size_t top = len - 64 * j; /* the highest index of the window in the group */
        if (top < 63)
            w &= (2ull << top) - 1;
        all ^= w;
        high ^= (uint32_t)(64 * j) & (0u - (uint32_t)__builtin_parityll(w));
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

size_t stego_run_entry(const stego_run *run, size_t i, size_t from)
{
    if (from < run->cell_base) /* dropped since: i, held, is after it */
        from = run->cell_base;
    if (from < run->cells && first_of(run, from) <= i) {
        while (from + 1 < run->cells && first_of(run, from + 1) <= i)
            from++;
        return from;
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
