/*
 * stats.h — summaries of detector outputs over the samples, and the
 * accuracy of a detector as a classifier (higher score = "stego").
 */
#ifndef DETECT_STATS_H
#define DETECT_STATS_H

#include <stddef.h>

typedef struct {
    size_t n;
    double mean, std, max; /* std: sample standard deviation */
} summary;

summary summarize(const double *v, size_t n);
/* Area under the ROC curve: P(stego score > clean score), ties count 1/2. */
double roc_auc(const double *clean, size_t nc, const double *stego, size_t ns);
/* The standard deviation of the AUC of two samples of nc and ns scores from
 * the same distribution (Mann-Whitney, no ties, independent scores). */
double auc_null_std(size_t nc, size_t ns);
/* The threshold t such that at most a fraction fpr of the clean scores are
 * above it: a score > t is flagged. */
double threshold_at_fpr(const double *clean, size_t nc, double fpr);
/* Fraction of the scores above t. */
double fraction_above(const double *v, size_t n, double t);
/* max over thresholds of (true negative rate + true positive rate) / 2,
 * i.e. 1 - min P_E with equal priors. */
double best_accuracy(const double *clean, size_t nc, const double *stego, size_t ns);

#endif
