/*
 * embed.c — the bench's baseline embeddings and random generator.
 */
#include "embed.h"

#include <math.h>

#define SAMPLE_MAX 255

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t rng_below(rng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = rng_next(r);
    while (x >= limit);
    return x % n;
}

void rng_bytes(rng *r, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(rng_next(r) >> 56);
}

static size_t bits_for(size_t n, double rate)
{
    size_t k = (size_t)llround(rate * (double)n);
    return k > n ? n : k;
}

void embed_lsb_sequential(uint8_t *samples, size_t n, double rate, rng *r)
{
    size_t k = bits_for(n, rate);
    for (size_t i = 0; i < k; i++)
        samples[i] = (uint8_t)((samples[i] & ~1u) | (rng_next(r) >> 63));
}

static void match_bit(uint8_t *s, unsigned bit, rng *r)
{
    if ((*s & 1u) == bit)
        return;
    if (*s == 0)
        *s = 1;
    else if (*s == SAMPLE_MAX)
        *s = SAMPLE_MAX - 1;
    else
        *s = (uint8_t)(*s + ((rng_next(r) >> 63) ? 1 : -1));
}

void embed_pm1_random(uint8_t *samples, size_t n, double rate, rng *r)
{
    size_t k = bits_for(n, rate);
    /* selection sampling (Knuth, TAOCP vol. 2, 3.4.2, algorithm S) */
    for (size_t i = 0; i < n && k > 0; i++) {
        if (rng_below(r, n - i) < k) {
            match_bit(&samples[i], (unsigned)(rng_next(r) >> 63), r);
            k--;
        }
    }
}
