/*
 * bench_util.h — what the in-process benchmark harnesses share (header
 * only: each harness is one C file). Define BENCH_NAME (the program's name
 * for messages) before including it.
 */
#ifndef SHROUD_BENCH_UTIL_H
#define SHROUD_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shroud.h"

/* CLOCK_MONOTONIC in seconds. */
static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints "BENCH_NAME: what: why" and exits 1. */
static inline void die(const char *what, const char *why)
{
    fprintf(stderr, BENCH_NAME ": %s: %s\n", what, why);
    exit(1);
}

/* Dies with shroud's message when err is not SHROUD_OK. */
static inline void check(const char *what, int err)
{
    if (err)
        die(what, shroud_strerror(err));
}

/* The whole file (free with free()); dies on failure. */
static inline uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path, "cannot open");
    size_t cap = 1u << 20, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf)
            die(path, "out of memory");
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        buf = realloc(buf, cap);
    }
    if (ferror(f))
        die(path, "read error");
    fclose(f);
    *len = n;
    return buf;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of n times in seconds, in milliseconds (0 for none). */
static inline double median_ms(const double *v, int n)
{
    if (n <= 0)
        return 0;
    double *s = malloc((size_t)n * sizeof *s);
    if (!s)
        die("median", "out of memory");
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return m * 1e3;
}

/* The smallest of n (>= 1) times in seconds, in milliseconds. */
static inline double min_ms(const double *v, int n)
{
    double m = v[0];
    for (int i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m * 1e3;
}

#endif
