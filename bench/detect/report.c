/*
 * report.c — the plain-text report of bench/detect, and the CSV of every
 * value.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "stats.h"

#define SIGMAS 3.0        /* "caught": mean above clean mean + SIGMAS std */
#define TARGET_FPR 0.05   /* +-1 detectors: 5% false positives on the clean covers */
#define GOAL_MAX_RATE 0.2 /* shroud must pass chi-square / RS / SPA up to this rate */
#define RATE_EPS 1e-9

/* One test's answers for the goal: shroud indistinguishable and LSB
 * replacement caught at every rate <= GOAL_MAX_RATE, and the lowest rate from
 * which LSB replacement is caught (0: at no rate). */
typedef struct {
    int shroud_hidden, lsb_caught;
    double caught_from;
} test_result;

/* The two tests of an estimator: T, the mean against the clean mean +
 * SIGMAS std; R, the AUC against 0.5 (see verdicts()). */
typedef struct {
    test_result by_mean, by_rank;
} goal_result;

/* The values of detector d for case c, from group (all if < 0), missing ones
 * left out, multiplied by sign. Returns the count. */
static size_t column(const bench *b, size_t c, int d, int group, double sign, double *out)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++) {
        double v = b->values[i][c][d];
        if (!isnan(v) && (group < 0 || b->group[i] == group))
            out[k++] = sign * v;
    }
    return k;
}

/* Mean over the samples of (value in case c - value of the same sample
 * clean), and its standard error. */
static void paired_shift(const bench *b, size_t c, int d, double *buf, double *mean, double *se)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++) {
        double v = b->values[i][c][d], v0 = b->values[i][CASE_CLEAN][d];
        if (!isnan(v) && !isnan(v0))
            buf[k++] = v - v0;
    }
    summary s = summarize(buf, k);
    *mean = s.mean;
    *se = k ? s.std / sqrt((double)k) : 0.0;
}

static const char *yes_no(int v)
{
    return v ? "yes" : "no";
}

/* ---- chi-square, RS, SPA: higher = more payload ---- */

static void estimator_row(const bench *b, size_t c, int d, int extra, double thr,
                          const double *clean, size_t nc, double *buf)
{
    char label[64];
    size_t n = column(b, c, d, -1, 1.0, buf);
    if (!n)
        return;
    summary s = summarize(buf, n);
    case_label(c, label, sizeof label);
    printf("  %-22s %7.3f %6.3f %6.3f %7.1f%%", label, s.mean, s.std, s.max,
           100.0 * fraction_above(buf, n, thr));
    if (c == CASE_CLEAN) {
        printf(" %6s %17s", "-", "-");
    } else {
        double auc = roc_auc(clean, nc, buf, n), shift, se;
        paired_shift(b, c, d, buf, &shift, &se);
        printf(" %6.3f %+8.4f(%.4f)", auc, shift, se);
    }
    if (extra >= 0) {
        size_t m = column(b, c, extra, -1, 1.0, buf);
        printf(" %8.3f", summarize(buf, m).mean);
    }
    printf("\n");
}

/* One line: the clean mean (std) of detector d per source photo. */
static void clean_by_source(const bench *b, int d, double *buf)
{
    printf("  clean by photo:");
    for (size_t i = 0; i < b->n; i++) {
        if (i && b->source[i] == b->source[i - 1])
            continue;
        size_t k = 0;
        for (size_t j = i; j < b->n && b->source[j] == b->source[i]; j++)
            buf[k++] = b->values[j][CASE_CLEAN][d];
        summary s = summarize(buf, k);
        printf(" %s %.3f(%.3f)", b->source[i], s.mean, s.std);
    }
    printf("\n");
}

/* Folds the answers at rate index r into a test_result. */
static void tally(test_result *t, size_t r, int caught, int hidden)
{
    if (RATES[r] <= GOAL_MAX_RATE + RATE_EPS) {
        t->lsb_caught = t->lsb_caught && caught;
        t->shroud_hidden = t->shroud_hidden && hidden;
    }
}

/* The lowest rate from which caught[] holds up to the highest rate. */
static double caught_from(const int caught[N_RATES])
{
    double from = 0.0;
    for (size_t r = N_RATES; r-- > 0 && caught[r];)
        from = RATES[r];
    return from;
}

/* The verdicts of an estimator at each rate, by two tests: T, the stego mean
 * above the clean mean + SIGMAS std; R, the AUC beyond 0.5 +- SIGMAS times
 * its standard deviation when stego and clean do not differ. */
static goal_result verdicts(const bench *b, int d, double thr, const double *clean, size_t nc,
                            double *buf)
{
    goal_result g = {{1, 1, 0.0}, {1, 1, 0.0}};
    int caught_t[N_RATES], caught_r[N_RATES];
    double margin = SIGMAS * auc_null_std(nc, nc);
    printf("  verdicts: T = clean mean + %.0f std = %.3f; R = 0.5 + %.0f x (std of the AUC when\n"
           "  there is no difference) = %.3f; shift: paired (stego - clean), with its se\n",
           SIGMAS, thr, SIGMAS, 0.5 + margin);
    printf("    %-5s %-25s  %s\n", "", "LSB replacement caught", "shroud indistinguishable");
    printf("    %-5s %-12s  %-11s  %-12s  %-11s  %s\n", "rate", "mean > T", "AUC > R", "mean <= T",
           "|AUC-.5|<=R", "shift (se)");
    for (size_t r = 0; r < N_RATES; r++) {
        size_t nl = column(b, case_index(METHOD_LSB, r), d, -1, 1.0, buf);
        double ml = summarize(buf, nl).mean, al = roc_auc(clean, nc, buf, nl);
        caught_t[r] = nl && ml > thr;
        caught_r[r] = nl && al > 0.5 + margin;
        printf("    %-5.2f %-3s (%6.3f)  %-3s (%5.3f)  ", RATES[r], yes_no(caught_t[r]), ml,
               yes_no(caught_r[r]), al);
        size_t ns = column(b, case_index(METHOD_SHROUD, r), d, -1, 1.0, buf);
        if (!ns) {
            printf("not measured\n");
            tally(&g.by_mean, r, caught_t[r], 0);
            tally(&g.by_rank, r, caught_r[r], 0);
            continue;
        }
        double ms = summarize(buf, ns).mean, as = roc_auc(clean, nc, buf, ns), shift, se;
        int hidden_t = ms <= thr, hidden_r = fabs(as - 0.5) <= margin;
        paired_shift(b, case_index(METHOD_SHROUD, r), d, buf, &shift, &se);
        printf("%-3s (%6.3f)  %-3s (%5.3f)  %+.4f (%.4f)\n", yes_no(hidden_t), ms, yes_no(hidden_r),
               as, shift, se);
        tally(&g.by_mean, r, caught_t[r], hidden_t);
        tally(&g.by_rank, r, caught_r[r], hidden_r);
    }
    g.by_mean.caught_from = caught_from(caught_t);
    g.by_rank.caught_from = caught_from(caught_r);
    return g;
}

static goal_result estimator_table(const bench *b, int d, int extra, const char *title,
                                   const char *what)
{
    goal_result g = {{0, 0, 0.0}, {0, 0, 0.0}};
    double *clean = malloc(b->n * sizeof *clean), *buf = malloc(b->n * sizeof *buf);
    if (clean && buf) {
        size_t nc = column(b, CASE_CLEAN, d, -1, 1.0, clean);
        summary s = summarize(clean, nc);
        double thr = s.mean + SIGMAS * s.std;
        printf("%s\n  %s\n", title, what);
        printf("  %-22s %7s %6s %6s %8s %6s %17s%s\n", "case", "mean", "std", "max", "flagged",
               "AUC", "shift(se)", extra >= 0 ? " p(whole)" : "");
        for (size_t c = 0; c < N_CASES; c++)
            estimator_row(b, c, d, extra, thr, clean, nc, buf);
        clean_by_source(b, d, buf);
        g = verdicts(b, d, thr, clean, nc, buf);
        printf("\n");
    }
    free(clean);
    free(buf);
    return g;
}

/* ---- +-1 detectors (HCF-COM): lower = more likely stego ---- */

static void pm1_row(const bench *b, size_t c, int d, double thr, double *clean, double *buf)
{
    char label[64];
    size_t n = column(b, c, d, -1, -1.0, buf), nc = column(b, CASE_CLEAN, d, -1, -1.0, clean);
    if (!n)
        return;
    summary s = summarize(buf, n);
    case_label(c, label, sizeof label);
    printf("  %-22s %7.4f %6.4f %7.1f%%", label, -s.mean, s.std,
           100.0 * fraction_above(buf, n, thr));
    if (c == CASE_CLEAN) {
        printf("\n");
        return;
    }
    double auc = roc_auc(clean, nc, buf, n), acc = best_accuracy(clean, nc, buf, n), shift, se;
    paired_shift(b, c, d, buf, &shift, &se);
    printf(" %6.3f %6.3f %+8.4f(%.4f)", auc, acc, shift, se);
    for (int g = 0; g < N_GROUPS; g++) {
        size_t gc = column(b, CASE_CLEAN, d, g, -1.0, clean);
        size_t gs = column(b, c, d, g, -1.0, buf);
        if (gc && gs)
            printf(" %6.3f", roc_auc(clean, gc, buf, gs));
        else
            printf(" %6s", "-");
    }
    printf("\n");
}

static void pm1_table(const bench *b, int d, const char *title)
{
    double *clean = malloc(b->n * sizeof *clean), *buf = malloc(b->n * sizeof *buf);
    if (clean && buf) {
        size_t nc = column(b, CASE_CLEAN, d, -1, -1.0, clean);
        double thr = threshold_at_fpr(clean, nc, TARGET_FPR);
        printf("%s\n", title);
        printf("  flagged: ratio below %.4f (%.0f%% false positives on the clean samples)\n", -thr,
               100.0 * TARGET_FPR);
        printf("  %-22s %7s %6s %8s %6s %6s %17s  AUC:", "case", "mean", "std", "flagged", "AUC",
               "best", "shift(se)");
        for (int g = 0; g < N_GROUPS; g++)
            printf(" %s%s", GROUP_NAMES[g], g + 1 < N_GROUPS ? "," : "\n");
        for (size_t c = 0; c < N_CASES; c++)
            pm1_row(b, c, d, thr, clean, buf);
        printf("\n");
    }
    free(clean);
    free(buf);
}

/* ---- the rest ---- */

static void shroud_summary(const bench *b)
{
    if (!b->shroud_ok) {
        printf("shroud rows: MISSING (%s)\n\n", b->shroud_error);
        return;
    }
    printf("shroud_stego_hide, one X25519 recipient, %.1f s in hide + decode; means over tiles:\n",
           b->shroud_seconds);
    printf("  %-6s %5s %12s %12s %15s  %s\n", "rate", "hides", "bits/usable", "bits/sample",
           "changes/usable", "check");
    for (size_t r = 0; r < N_RATES; r++) {
        const shroud_totals *t = &b->shroud[r];
        double k = t->hides ? (double)t->hides : 1.0;
        printf("  %-6.2f %5zu %12.4f %12.4f %15.4f  ", RATES[r], t->hides, t->usable_rate / k,
               t->sample_rate / k, t->change_rate / k);
        if (!t->mismatch && !t->bad)
            printf("ok");
        else
            printf("%zu tiles with changed_samples != changes seen; %zu changes not +-1 or on "
                   "0/255",
                   t->mismatch, t->bad);
        if (t->failed)
            printf("; %zu hides FAILED (%s)", t->failed, b->shroud_error);
        printf("\n");
    }
    printf("  (check: the decoded output differs from the cover in exactly changed_samples\n"
           "  samples, each by +-1 and none at 0 or 255)\n\n");
}

static void header(const bench *b)
{
    char date[64];
    time_t t = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    printf("== shroud steganalysis benchmark (bench/detect), %s\n", date);
    printf("covers: %s\n", b->sources);
    printf("samples: %zu tiles of %ux%u; each channel of a tile is one sample: %zu per case (",
           b->tiles, b->tile, b->tile, b->n);
    for (int g = 0; g < N_GROUPS; g++)
        printf("%s %zu%s", GROUP_NAMES[g], b->per_group[g], g + 1 < N_GROUPS ? ", " : ")\n");
    printf("rates: LSB replacement, +-1 random: message bits per sample (all samples);\n");
    printf("       shroud: stream bits per usable sample (shroud's definition)\n");
    printf(
        "columns: flagged = samples above the clean mean + %.0f std (estimators) or past the\n"
        "  %.0f%%-false-positive threshold (+-1 detectors); AUC = P(stego sample scores as more\n"
        "  stego than a clean one); best = max over thresholds of (TNR + TPR) / 2;\n"
        "  shift(se) = mean of (stego - clean) of the same sample, and its standard error\n\n",
        SIGMAS, 100.0 * TARGET_FPR);
}

static void goal_line(const char *name, const char *test, test_result t, int measured)
{
    printf("  %-10s by %s  ", name, test);
    if (measured)
        printf("%-7s: shroud indistinguishable up to %.2f: %-3s; ",
               t.shroud_hidden && t.lsb_caught ? "met" : "NOT met", GOAL_MAX_RATE,
               yes_no(t.shroud_hidden));
    else
        printf("shroud not measured; ");
    if (t.caught_from > 0.0)
        printf("LSB replacement caught from %.2f\n", t.caught_from);
    else
        printf("LSB replacement caught at no rate\n");
}

static void goal_lines(const char *name, goal_result g, int measured)
{
    goal_line(name, "T", g.by_mean, measured);
    goal_line(name, "R", g.by_rank, measured);
}

void report(const bench *b, double seconds)
{
    header(b);
    shroud_summary(b);
    goal_result chi = estimator_table(
        b, DET_CHISQ, DET_CHISQ_P,
        "chi-square attack (Westfeld & Pfitzmann 1999), per channel, row-major prefixes:",
        "estimate = fraction of the 100 prefixes (1%..100%) with p > 0.5; p(whole) = mean p");
    goal_result rs =
        estimator_table(b, DET_RS, -1, "RS analysis (Fridrich, Goljan & Du 2001), per channel:",
                        "estimate = p, groups of 4 horizontal samples, mask [0 1 1 0]");
    goal_result spa = estimator_table(
        b, DET_SPA, -1, "Sample Pair Analysis (Dumitrescu, Wu & Wang 2003; Ker 2005), per channel:",
        "estimate = p, all horizontally adjacent pairs");
    pm1_table(b, DET_HCF,
              "calibrated HCF-COM (Harmsen & Pearlman 2003; Ker 2005), 1D, per channel:\n"
              "  C(H) / C(H') with H' of the 2x2-averaged channel; lower = more likely +-1 stego");
    pm1_table(b, DET_HCF2,
              "calibrated adjacency HCF-COM (Ker 2005), 2D histogram of horizontal pairs:\n"
              "  C2(H) / C2(H'); lower = more likely +-1 stego");
    printf("goal: shroud at <= %.2f bits per usable sample indistinguishable from clean\n"
           "  (chi-square, RS, SPA) while LSB replacement at the same rate is caught:\n",
           GOAL_MAX_RATE);
    goal_lines("chi-square", chi, b->shroud_ok);
    goal_lines("RS", rs, b->shroud_ok);
    goal_lines("SPA", spa, b->shroud_ok);
    printf("run time: %.1f s (measurements, one thread)\n", seconds);
}

int write_csv(const bench *b, const char *path)
{
    static const char *const DET_NAMES[N_DETS] = {
        "chisq_fraction", "chisq_p", "rs", "spa", "hcf", "hcf2"};
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "sample,source,channel,case");
    for (int d = 0; d < N_DETS; d++)
        fprintf(f, ",%s", DET_NAMES[d]);
    fprintf(f, "\n");
    for (size_t i = 0; i < b->n; i++) {
        for (size_t c = 0; c < N_CASES; c++) {
            char label[64];
            case_label(c, label, sizeof label);
            fprintf(f, "%zu,%s,%u,%s", i, b->source[i], b->channel[i], label);
            for (int d = 0; d < N_DETS; d++)
                fprintf(f, ",%.6g", b->values[i][c][d]);
            fprintf(f, "\n");
        }
    }
    return fclose(f);
}
