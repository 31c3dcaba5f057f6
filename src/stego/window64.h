/*
 * window64.h — Hamming values over 64 samples at a time (internal).
 *
 * For 8-bit images without alpha, a cell holds 64 consecutive samples. Two
 * 64-bit masks describe it: which samples are usable (1..254) and which of
 * those have their LSB set. When the whole window is usable, its samples
 * take the consecutive group indices i0, i0+1, ..., and the XOR of the
 * indices of the set LSBs is computed bit by bit from parities (popcounts)
 * instead of sample by sample:
 *   - bits 0..5 of i0+k depend only on (i0 mod 64) + k: periodic patterns,
 *     rotated by i0 mod 64;
 *   - bits 6 and up are those of i0 before k = 64 - (i0 mod 64) and those
 *     of i0 + 64 - (i0 mod 64) from there on.
 */
#ifndef SHROUD_STEGO_WINDOW64_H
#define SHROUD_STEGO_WINDOW64_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The usable and LSB masks of the 64 samples at px (bit k: sample k). */
static inline void window64_masks(const uint8_t *px, uint64_t *usable, uint64_t *lsb)
{
    uint64_t u = 0, l = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128(), full = _mm_set1_epi8((char)0xFF);
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(px + 16 * k));
        __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v, zero), _mm_cmpeq_epi8(v, full));
        u |= (uint64_t)(~(unsigned)_mm_movemask_epi8(bad) & 0xFFFFu) << (16 * k);
        l |= (uint64_t)((unsigned)_mm_movemask_epi8(_mm_slli_epi16(v, 7)) & 0xFFFFu) << (16 * k);
    }
#else
    for (int k = 0; k < 64; k++) {
        uint64_t use = (uint8_t)(px[k] - 1) < 254;
        u |= use << k;
        l |= (uint64_t)(px[k] & 1u) << k;
    }
#endif
    *usable = u;
    *lsb = l & u;
}

static inline unsigned window64_parity(uint64_t x)
{
    return (unsigned)__builtin_parityll(x);
}

static inline uint64_t window64_rotr(uint64_t x, unsigned r)
{
    return r ? x >> r | x << (64 - r) : x;
}

/* XOR of (i0 + k) over the set bits k of lsb (a window whose samples are
 * all usable and take the indices i0, i0 + 1, ...). */
static inline uint32_t window64_xor(uint32_t i0, uint64_t lsb)
{
    static const uint64_t pattern[6] = {
        0xAAAAAAAAAAAAAAAAu, 0xCCCCCCCCCCCCCCCCu, 0xF0F0F0F0F0F0F0F0u,
        0xFF00FF00FF00FF00u, 0xFFFF0000FFFF0000u, 0xFFFFFFFF00000000u,
    };
    unsigned o = i0 & 63u;
    uint32_t x = 0;
    for (unsigned b = 0; b < 6; b++) /* bit b of (o + k) mod 64 */
        x |= (uint32_t)window64_parity(lsb & window64_rotr(pattern[b], o)) << b;
    uint32_t high = i0 & ~63u;
    uint64_t before = o ? (~0ull >> o) : ~0ull; /* k < 64 - o: no carry into bit 6 */
    if (window64_parity(lsb & before))
        x ^= high;
    if (window64_parity(lsb & ~before))
        x ^= high + 64u;
    return x;
}

#endif
