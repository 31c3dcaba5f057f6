/*
 * detectors.h — the classic structural LSB detectors of bench/detect, each
 * implemented from its paper, on one 8-bit channel of an image.
 */
#ifndef DETECT_DETECTORS_H
#define DETECT_DETECTORS_H

#include <stddef.h>
#include <stdint.h>

/* One channel, row-major, width * height samples. */
typedef struct {
    uint32_t width, height;
    const uint8_t *v;
} plane;

/* The chi-square attack's result (chisquare.c). */
typedef struct {
    double fraction; /* fraction of the increasing prefixes with p > 0.5 */
    double p_whole;  /* p-value of the whole channel */
} chisq_result;

chisq_result chisq_attack(const plane *p);
double rs_estimate(const plane *p);
double spa_estimate(const plane *p);
double hcf_com_ratio(const plane *p);
double hcf_com_ratio_2d(const plane *p);

/* The root of a x^2 + b x + c = 0 of smaller absolute value; the vertex
 * when there is no real root (rs.c; RS and SPA both solve a quadratic). */
double small_root(double a, double b, double c);

/* The regularized upper incomplete gamma function Q(a, x) (chisquare.c):
 * the p-value of a chi-square statistic x2 with k degrees of freedom is
 * gamma_q(k / 2, x2 / 2). */
double gamma_q(double a, double x);

#endif
