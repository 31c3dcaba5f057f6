/*
 * window64.h — 64 samples at a time (internal).
 *
 * For 8-bit images without alpha, a cell (cells.h) holds 64 consecutive
 * samples. Two 64-bit masks describe it: which samples are usable (1..254)
 * and which of those have their LSB set. Runs (cells.h) are built from
 * these masks and read with popcounts and parities.
 */
#ifndef SHROUD_STEGO_WINDOW64_H
#define SHROUD_STEGO_WINDOW64_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* x86-64 processors since 2008 count bits in one instruction (popcnt), but
 * the x86-64 baseline does not have it: the loops that count bits are
 * compiled twice, and the loader picks the popcnt copy where the processor
 * has it. Elsewhere, one plain copy. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#endif
#endif
#ifndef POPCNT_CLONES
#define POPCNT_CLONES
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

#endif
