/*
 * stats.c — means, deviations, ROC figures.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

summary summarize(const double *v, size_t n)
{
    summary s = {n, 0.0, 0.0, n ? v[0] : 0.0};
    for (size_t i = 0; i < n; i++) {
        s.mean += v[i];
        if (v[i] > s.max)
            s.max = v[i];
    }
    if (!n)
        return s;
    s.mean /= (double)n;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - s.mean) * (v[i] - s.mean);
    s.std = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    return s;
}

double roc_auc(const double *clean, size_t nc, const double *stego, size_t ns)
{
    double wins = 0.0;
    for (size_t i = 0; i < ns; i++)
        for (size_t j = 0; j < nc; j++)
            wins += stego[i] > clean[j] ? 1.0 : stego[i] == clean[j] ? 0.5 : 0.0;
    return nc && ns ? wins / ((double)nc * (double)ns) : 0.0;
}

double auc_null_std(size_t nc, size_t ns)
{
    if (!nc || !ns)
        return 0.0;
    return sqrt((double)(nc + ns + 1) / (12.0 * (double)nc * (double)ns));
}

static int descending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

double threshold_at_fpr(const double *clean, size_t nc, double fpr)
{
    if (!nc)
        return 0.0;
    double *v = malloc(nc * sizeof *v);
    if (!v)
        return 0.0;
    memcpy(v, clean, nc * sizeof *v);
    qsort(v, nc, sizeof *v, descending);
    size_t k = (size_t)floor(fpr * (double)nc); /* k clean scores may lie above t */
    double t = v[k < nc ? k : nc - 1];
    free(v);
    return t;
}

double fraction_above(const double *v, size_t n, double t)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += v[i] > t;
    return n ? (double)k / (double)n : 0.0;
}

/* (TNR + TPR) / 2 for the threshold t (flag when score > t). */
static double balanced_accuracy(const double *clean, size_t nc, const double *stego, size_t ns,
                                double t)
{
    return ((1.0 - fraction_above(clean, nc, t)) + fraction_above(stego, ns, t)) / 2.0;
}

double best_accuracy(const double *clean, size_t nc, const double *stego, size_t ns)
{
    double best = 0.5;
    for (size_t i = 0; i < nc + ns; i++) {
        double t = i < nc ? clean[i] : stego[i - nc];
        double acc = balanced_accuracy(clean, nc, stego, ns, t);
        if (acc > best)
            best = acc;
    }
    return best;
}
