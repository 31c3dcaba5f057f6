/*
 * bench.h — what bench/detect measures: the cases (clean, then embedding
 * method x rate), the detectors, and the table of every value, shared by
 * the measuring (detect.c) and the report (report.c).
 */
#ifndef DETECT_BENCH_H
#define DETECT_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define N_RATES 4
extern const double RATES[N_RATES]; /* 0.05, 0.1, 0.2, 0.4 */

/* Where a sample comes from: a PNG photo or a decoded JPEG. */
enum { GROUP_PNG, GROUP_JPEG, N_GROUPS };
extern const char *const GROUP_NAMES[N_GROUPS];

/* Embeddings; the cases are clean (0), then method x rate. */
enum { METHOD_LSB, METHOD_PM1, METHOD_SHROUD, N_METHODS };
extern const char *const METHOD_NAMES[N_METHODS];
#define N_CASES (1 + N_METHODS * N_RATES)
#define CASE_CLEAN 0

enum { DET_CHISQ, DET_CHISQ_P, DET_RS, DET_SPA, DET_HCF, DET_HCF2, N_DETS };

/* Per rate: what shroud's hides reported (sums over the tiles). */
typedef struct {
    double usable_rate, sample_rate, change_rate;
    size_t hides, failed, mismatch, bad;
} shroud_totals;

/* values[sample][case][detector], NAN where the case is missing. A sample
 * is one channel of one tile. */
typedef struct {
    double (*values)[N_CASES][N_DETS];
    int *group;
    const char **source; /* file name */
    unsigned *channel;
    size_t n, capacity;
    size_t per_group[N_GROUPS];
    size_t tiles;
    uint32_t tile;
    char sources[2048]; /* "name WxH: k tiles; ..." for the report */
    shroud_totals shroud[N_RATES];
    int shroud_ok;
    char shroud_error[256];
    double shroud_seconds;
} bench;

size_t case_index(int method, size_t rate);
void case_label(size_t c, char *out, size_t len);

/* report.c */
void report(const bench *b, double seconds);
int write_csv(const bench *b, const char *path);

#endif
