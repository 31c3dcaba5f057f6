/*
 * chisquare.c — the chi-square attack on pairs of values.
 *
 * A. Westfeld, A. Pfitzmann, "Attacks on Steganographic Systems", Information
 * Hiding 1999, LNCS 1768, pp. 61-76. LSB replacement with random bits makes
 * the counts of each pair of values (2k, 2k+1) equal. For a set of samples
 * with histogram h, the expected count of category k under "embedded" is
 * n*_k = (h[2k] + h[2k+1]) / 2, the observed one n_k = h[2k], and
 *     X^2 = sum_k (n_k - n*_k)^2 / n*_k
 * with k - 1 degrees of freedom (k = categories used) gives
 *     p = 1 - CDF_chi2(X^2, k - 1),
 * the probability that the samples are embedded: near 1 over an embedded
 * part, near 0 over a clean one. As in the paper, the test is run on
 * increasing prefixes of the samples in row-major order; the embedded length
 * of a sequential embedding is read where p drops.
 */
#include "detectors.h"

#include <math.h>

#define CHISQ_STEPS 100        /* prefixes of 1%, 2%, ..., 100% of the channel */
#define CHISQ_MIN_EXPECTED 5.0 /* categories with n*_k below this are not used */
#define CHISQ_EMBEDDED_P 0.5   /* a prefix with p above this counts as embedded */
#define GAMMA_EPS 1e-14        /* relative precision of the series / fraction */
#define GAMMA_TINY 1e-300      /* guards the continued fraction against 0 */
#define GAMMA_MAX_TERMS 100000

/* P(a, x) by its power series; valid (fast) for x < a + 1. */
static double gamma_p_series(double a, double x)
{
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < GAMMA_MAX_TERMS; n++) {
        term *= x / (a + n);
        sum += term;
        if (fabs(term) < fabs(sum) * GAMMA_EPS)
            break;
    }
    return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Q(a, x) by its continued fraction (modified Lentz); for x >= a + 1. */
static double gamma_q_fraction(double a, double x)
{
    double b = x + 1.0 - a, c = 1.0 / GAMMA_TINY, d = 1.0 / b, h = d;
    for (int i = 1; i < GAMMA_MAX_TERMS; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < GAMMA_TINY)
            d = GAMMA_TINY;
        c = b + an / c;
        if (fabs(c) < GAMMA_TINY)
            c = GAMMA_TINY;
        d = 1.0 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) < GAMMA_EPS)
            break;
    }
    return exp(-x + a * log(x) - lgamma(a)) * h;
}

double gamma_q(double a, double x)
{
    if (x <= 0.0)
        return 1.0;
    if (x < a + 1.0)
        return 1.0 - gamma_p_series(a, x);
    return gamma_q_fraction(a, x);
}

/* The p-value of the pairs-of-values test on a histogram; 0 when fewer than
 * two categories have enough samples (no evidence of embedding). */
static double pov_p_value(const uint64_t hist[256])
{
    double x2 = 0.0;
    int k = 0;
    for (int i = 0; i < 128; i++) {
        double expected = (double)(hist[2 * i] + hist[2 * i + 1]) / 2.0;
        if (expected < CHISQ_MIN_EXPECTED)
            continue;
        double d = (double)hist[2 * i] - expected;
        x2 += d * d / expected;
        k++;
    }
    if (k < 2)
        return 0.0;
    return gamma_q((k - 1) / 2.0, x2 / 2.0);
}

/* Returns the fraction of the CHISQ_STEPS increasing prefixes (row-major) of
 * the channel whose p-value is above CHISQ_EMBEDDED_P — the estimated
 * embedded fraction of a sequential embedding — and the p-value of the whole
 * channel. */
chisq_result chisq_attack(const plane *p)
{
    uint64_t hist[256] = {0};
    size_t n = (size_t)p->width * p->height, done = 0;
    int embedded = 0;
    double pv = 0.0;
    for (int step = 1; step <= CHISQ_STEPS; step++) {
        size_t end = n * (size_t)step / CHISQ_STEPS;
        for (; done < end; done++)
            hist[p->v[done]]++;
        pv = pov_p_value(hist);
        if (pv > CHISQ_EMBEDDED_P)
            embedded++;
    }
    return (chisq_result){(double)embedded / CHISQ_STEPS, pv};
}
