/*
 * spa.c — Sample Pair Analysis.
 *
 * S. Dumitrescu, X. Wu, Z. Wang, "Detection of LSB Steganography via Sample
 * Pair Analysis", IEEE Trans. Signal Processing 51(7), 2003, pp. 1995-2007;
 * in the trace-set formulation of A. Ker, "A General Framework for Structural
 * Steganalysis of LSB Replacement", Information Hiding 2005, LNCS 3727.
 *
 * Pairs (u, v) of horizontally adjacent samples (all of them, overlapping).
 * The trace set C_m holds the pairs with |floor(u/2) - floor(v/2)| = m: LSB
 * replacement moves pairs only inside their trace set. Orienting each pair so
 * that lo has the smaller floor(./2), a pair of C_m (m >= 1) has one of four
 * LSB patterns (lo, hi) = 00, 11 (difference 2m), 01 (2m + 1, lo even: the
 * set E_2m+1) or 10 (2m - 1, lo odd: O_2m-1). Embedding at rate p flips each
 * LSB with probability q = p / 2, which mixes the patterns by K (x) K with
 * K = [[1-q, q], [q, 1-q]]; inverting it gives the cover counts from the
 * stego ones. The cover assumption of the paper is |E_2m+1| = |O_2m+1| (a
 * pair with an odd difference is as likely to start on an even as on an
 * odd value). Summed over all m >= 0 (E_2m+1 lies in C_m, O_2m+1 in C_m+1;
 * in C_0 the two LSB-differing patterns are both E_1) the terms of C_1..C_127
 * telescope and the condition becomes
 *     (|C_0| / 2) p^2 - (|C_0| + W) p + (|X| - |Y|) = 0,
 * with X (Y) the pairs with an odd difference whose smaller value is even
 * (odd), S the pairs of C_0 with u != v, and W = |X| - |Y| - |S|. p is the
 * root of smaller absolute value.
 */
#include "detectors.h"

/* Counts over the pairs, as in the comment above. */
typedef struct {
    double c0, s, x, y;
} spa_counts;

static void spa_count_pair(int u, int v, spa_counts *c)
{
    if ((u >> 1) == (v >> 1)) {
        c->c0++;
        if (u != v)
            c->s++;
    }
    int d = u > v ? u - v : v - u;
    if (d & 1) {
        int lo = u < v ? u : v;
        if (lo & 1)
            c->y++;
        else
            c->x++;
    }
}

/* Returns SPA's estimate of p, the fraction of samples whose LSB carries
 * message bits (about 0 on a clean channel). */
double spa_estimate(const plane *p)
{
    spa_counts c = {0, 0, 0, 0};
    for (uint32_t y = 0; y < p->height; y++) {
        const uint8_t *row = p->v + (size_t)y * p->width;
        for (uint32_t x = 0; x + 1 < p->width; x++)
            spa_count_pair(row[x], row[x + 1], &c);
    }
    double w = c.x - c.y - c.s;
    return small_root(c.c0 / 2.0, -(c.c0 + w), c.x - c.y);
}
