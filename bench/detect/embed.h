/*
 * embed.h — the bench's own embeddings (the baselines shroud is compared
 * with) and its deterministic random generator.
 */
#ifndef DETECT_EMBED_H
#define DETECT_EMBED_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro256** (Blackman, Vigna), seeded through splitmix64. */
typedef struct {
    uint64_t s[4];
} rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
/* Uniform in [0, n), n > 0. */
uint64_t rng_below(rng *r, uint64_t n);
void rng_bytes(rng *r, uint8_t *out, size_t n);

/* The tutorial's LSB replacement: the LSBs of the first round(rate * n)
 * samples in row-major order (channels interleaved) overwritten with random
 * message bits. */
void embed_lsb_sequential(uint8_t *samples, size_t n, double rate, rng *r);

/* Plain LSB matching: round(rate * n) samples chosen uniformly at random
 * carry one random message bit each; a sample whose LSB differs moves by +1
 * or -1 (random; +1 at 0, -1 at 255). No matrix embedding. */
void embed_pm1_random(uint8_t *samples, size_t n, double rate, rng *r);

#endif
