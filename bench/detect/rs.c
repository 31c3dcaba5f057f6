/*
 * rs.c — RS analysis.
 *
 * J. Fridrich, M. Goljan, R. Du, "Reliable Detection of LSB Steganography in
 * Color and Grayscale Images", Proc. ACM Workshop on Multimedia and Security,
 * 2001, pp. 27-30 (and "Detecting LSB Steganography in Color and Gray-Scale
 * Images", IEEE Multimedia 8(4), 2001).
 *
 * The channel is cut into groups G of RS_GROUP horizontally adjacent samples
 * (non-overlapping, row by row). The discrimination function is the
 * variation f(G) = sum |x[i+1] - x[i]|. Flipping F1 swaps 2k <-> 2k+1,
 * F-1 swaps 2k-1 <-> 2k (F-1(x) = F1(x + 1) - 1), F0 is the identity. A mask
 * M = [0 1 1 0] says which flipping acts on which sample; -M uses F-1 where
 * M uses F1. A group is Regular if f(F_M(G)) > f(G), Singular if <. R_M, S_M,
 * R_-M, S_-M are the fractions of groups, measured on the channel and on the
 * channel with every LSB flipped. With d0 = R_M - S_M, d1 the same on the
 * flipped channel, d-0, d-1 the same for -M, the root x of smaller absolute
 * value of
 *     2 (d1 + d0) x^2 + (d-0 - d-1 - d1 - 3 d0) x + d0 - d-0 = 0
 * gives the estimated message length p = x / (x - 1/2): the fraction of
 * samples carrying a message bit (half of them changed).
 */
#include "detectors.h"

#include <math.h>
#include <stdlib.h>

#define RS_GROUP 4
static const int RS_MASK[RS_GROUP] = {0, 1, 1, 0};

/* Counts of regular and singular groups for one mask sign. */
typedef struct {
    size_t regular, singular;
} rs_counts;

static int flip_pos(int x)
{
    return x ^ 1;
}

static int flip_neg(int x)
{
    return ((x + 1) ^ 1) - 1;
}

static int variation(const int *g)
{
    int f = 0;
    for (int i = 0; i + 1 < RS_GROUP; i++)
        f += abs(g[i + 1] - g[i]);
    return f;
}

/* Classifies group g under the mask applied with F1 (neg = 0) or F-1. */
static void classify(const int *g, int neg, rs_counts *c)
{
    int flipped[RS_GROUP];
    for (int i = 0; i < RS_GROUP; i++)
        flipped[i] = RS_MASK[i] ? (neg ? flip_neg(g[i]) : flip_pos(g[i])) : g[i];
    int before = variation(g), after = variation(flipped);
    if (after > before)
        c->regular++;
    else if (after < before)
        c->singular++;
}

/* d = R - S for the four measurements: [0] M, [1] -M on the channel;
 * [2] M, [3] -M on the channel with all LSBs flipped. */
static void rs_measure(const plane *p, double d[4])
{
    rs_counts c[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
    size_t groups = 0;
    for (uint32_t y = 0; y < p->height; y++) {
        const uint8_t *row = p->v + (size_t)y * p->width;
        for (uint32_t x = 0; x + RS_GROUP <= p->width; x += RS_GROUP) {
            int g[RS_GROUP], inv[RS_GROUP];
            for (int i = 0; i < RS_GROUP; i++) {
                g[i] = row[x + i];
                inv[i] = row[x + i] ^ 1;
            }
            classify(g, 0, &c[0]);
            classify(g, 1, &c[1]);
            classify(inv, 0, &c[2]);
            classify(inv, 1, &c[3]);
            groups++;
        }
    }
    for (int i = 0; i < 4; i++)
        d[i] = groups ? ((double)c[i].regular - (double)c[i].singular) / (double)groups : 0.0;
}

double small_root(double a, double b, double c)
{
    if (fabs(a) < 1e-12)
        return fabs(b) < 1e-12 ? 0.0 : -c / b;
    double disc = b * b - 4.0 * a * c;
    if (disc < 0.0)
        return -b / (2.0 * a);
    double s = sqrt(disc);
    double r1 = (-b + s) / (2.0 * a), r2 = (-b - s) / (2.0 * a);
    return fabs(r1) < fabs(r2) ? r1 : r2;
}

/* Returns RS's estimate of p, the fraction of samples whose LSB carries
 * message bits (about 0 on a clean channel, 1 when fully embedded). */
double rs_estimate(const plane *p)
{
    double d[4];
    rs_measure(p, d);
    double d0 = d[0], dm0 = d[1], d1 = d[2], dm1 = d[3];
    double x = small_root(2.0 * (d1 + d0), dm0 - dm1 - d1 - 3.0 * d0, d0 - dm0);
    return x / (x - 0.5);
}
