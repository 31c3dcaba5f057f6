/*
 * hcf.c — calibrated HCF-COM, a detector of +-1 (LSB matching) embedding.
 *
 * J. Harmsen, W. Pearlman, "Steganalysis of Additive Noise Modelable
 * Information Hiding", Proc. SPIE 5020, 2003: the histogram characteristic
 * function H (the DFT of the histogram h, N = 256 bins) and its centre of
 * mass
 *     C(H) = sum_{k=0}^{N/2} k |H[k]| / sum_{k=0}^{N/2} |H[k]|.
 * +-1 embedding convolves h with [a, 1 - 2a, a], which multiplies H[k] by
 * 1 - 4a sin^2(pi k / N): C(H) goes down.
 * A. Ker, "Steganalysis of LSB Matching in Grayscale Images", IEEE Signal
 * Processing Letters 12(6), 2005, pp. 441-444: calibration by the image
 * downsampled by 2 in each direction, p'(i, j) = floor(sum of the 2x2 block
 * / 4), whose C(H') embedding barely moves (the averaging divides the noise).
 * The detector is C(H) / C(H'): lower means more likely stego.
 * Two versions: the 1D one on the histogram of the channel, and Ker's
 * adjacency one on the 2D histogram h(m, n) of horizontally adjacent pairs
 * (m, n), with H its 2D DFT and
 *     C2(H) = sum_{k,l=0}^{N/2} (k + l) |H[k, l]| / sum_{k,l=0}^{N/2} |H[k, l]|,
 * calibrated by the same downsampled channel.
 */
#include "detectors.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>

#define HCF_BINS 256
#define HCF_HALF (HCF_BINS / 2)
#define DOWNSAMPLE 2

static const double TWO_PI = 6.283185307179586476925286766559;

/* C(H) of a histogram. */
static double hcf_com(const uint64_t hist[HCF_BINS])
{
    double num = 0.0, den = 0.0;
    for (int k = 0; k <= HCF_HALF; k++) {
        double re = 0.0, im = 0.0;
        for (int n = 0; n < HCF_BINS; n++) {
            double phase = TWO_PI * (double)((k * n) % HCF_BINS) / HCF_BINS;
            re += (double)hist[n] * cos(phase);
            im -= (double)hist[n] * sin(phase);
        }
        double mag = sqrt(re * re + im * im);
        num += k * mag;
        den += mag;
    }
    return den > 0.0 ? num / den : 0.0;
}

static void histogram(const uint8_t *v, size_t n, uint64_t hist[HCF_BINS])
{
    for (int i = 0; i < HCF_BINS; i++)
        hist[i] = 0;
    for (size_t i = 0; i < n; i++)
        hist[v[i]]++;
}

/* In-place radix-2 FFT of HCF_BINS points (forward: e^{-2 pi i k n / N}). */
static void fft(double complex *a)
{
    for (int i = 1, j = 0; i < HCF_BINS; i++) {
        int bit = HCF_BINS >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double complex t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
    for (int len = 2; len <= HCF_BINS; len <<= 1) {
        double complex w = cexp(-I * TWO_PI / len);
        for (int i = 0; i < HCF_BINS; i += len) {
            double complex wk = 1.0;
            for (int k = 0; k < len / 2; k++) {
                double complex u = a[i + k], v = a[i + k + len / 2] * wk;
                a[i + k] = u + v;
                a[i + k + len / 2] = u - v;
                wk *= w;
            }
        }
    }
}

/* C2(H) of a 2D histogram (HCF_BINS x HCF_BINS, row m = first sample);
 * the array is overwritten. */
static double hcf_com_2d(double complex *h)
{
    double complex col[HCF_BINS];
    for (int m = 0; m < HCF_BINS; m++)
        fft(h + (size_t)m * HCF_BINS);
    double num = 0.0, den = 0.0;
    for (int l = 0; l <= HCF_HALF; l++) {
        for (int m = 0; m < HCF_BINS; m++)
            col[m] = h[(size_t)m * HCF_BINS + l];
        fft(col);
        for (int k = 0; k <= HCF_HALF; k++) {
            double mag = cabs(col[k]);
            num += (k + l) * mag;
            den += mag;
        }
    }
    return den > 0.0 ? num / den : 0.0;
}

/* Adds the horizontally adjacent pairs of a rows x cols raster to h. */
static void add_pairs(const uint8_t *v, uint32_t cols, uint32_t rows, double complex *h)
{
    for (uint32_t y = 0; y < rows; y++) {
        const uint8_t *r = v + (size_t)y * cols;
        for (uint32_t x = 0; x + 1 < cols; x++)
            h[(size_t)r[x] * HCF_BINS + r[x + 1]] += 1.0;
    }
}

/* The channel downsampled by averaging 2x2 blocks; NULL without memory. */
static uint8_t *downsample(const plane *p, uint32_t *w, uint32_t *h)
{
    *w = p->width / DOWNSAMPLE;
    *h = p->height / DOWNSAMPLE;
    uint8_t *d = malloc((size_t)*w * *h + 1);
    for (uint32_t y = 0; d && y < *h; y++) {
        const uint8_t *r0 = p->v + (size_t)2 * y * p->width, *r1 = r0 + p->width;
        for (uint32_t x = 0; x < *w; x++)
            d[(size_t)y * *w + x] =
                (uint8_t)((r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1]) / 4);
    }
    return d;
}

/* Returns Ker's calibrated adjacency ratio C2(H) / C2(H') of the channel
 * (0 without memory); lower values point to +-1 embedding. */
double hcf_com_ratio_2d(const plane *p)
{
    uint32_t dw, dh;
    uint8_t *d = downsample(p, &dw, &dh);
    double complex *h = calloc((size_t)HCF_BINS * HCF_BINS, sizeof *h);
    double ratio = 0.0;
    if (d && h) {
        add_pairs(p->v, p->width, p->height, h);
        double c = hcf_com_2d(h);
        for (size_t i = 0; i < (size_t)HCF_BINS * HCF_BINS; i++)
            h[i] = 0.0;
        add_pairs(d, dw, dh, h);
        double cd = hcf_com_2d(h);
        ratio = cd > 0.0 ? c / cd : 0.0;
    }
    free(d);
    free(h);
    return ratio;
}

/* Returns Ker's calibrated ratio C(H) / C(H') of the channel (0 without
 * memory); lower values point to +-1 embedding. */
double hcf_com_ratio(const plane *p)
{
    uint64_t h[HCF_BINS], hd[HCF_BINS];
    uint32_t dw, dh;
    uint8_t *d = downsample(p, &dw, &dh);
    if (!d)
        return 0.0;
    histogram(p->v, (size_t)p->width * p->height, h);
    histogram(d, (size_t)dw * dh, hd);
    free(d);
    double cd = hcf_com(hd);
    return cd > 0.0 ? hcf_com(h) / cd : 0.0;
}
