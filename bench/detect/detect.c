/*
 * detect.c — bench/detect: the classic structural LSB detectors (chi-square
 * attack, RS analysis, Sample Pair Analysis, calibrated HCF-COM in 1D and
 * adjacency versions) run on clean covers, on the tutorial's sequential LSB
 * replacement, on plain random +-1 embedding and on shroud's embedding, at
 * the same rates; prints a report (report.c).
 *
 *   detect [-n] [-t TILE] [-o CSV] TESTDATA_DIR
 *
 * -n: no shroud rows; -t: tile side (default 256); -o: every value as CSV.
 *
 * See README.md for what is measured and how to read it. A benchmark: it
 * asserts nothing and exits 0 when the measurements ran.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detectors.h"
#include "embed.h"
#include "images.h"
#include "shroud_embed.h"
#include "bench.h"

#define DEFAULT_TILE 256 /* samples are TILE x TILE crops */
#define MAX_SIDE 1024    /* larger photos are first centre-cropped to this */
#define MIN_TILE 16
#define MAX_SAMPLES 4096
#define SEED 0x5eed2024d37ec7ULL

const double RATES[N_RATES] = {0.05, 0.1, 0.2, 0.4};
const char *const GROUP_NAMES[N_GROUPS] = {"PNG", "decoded JPEG"};
const char *const METHOD_NAMES[N_METHODS] = {"LSB replacement", "+-1 random", "shroud"};

/* The covers. photo1080/2160.png are left out: upscaled mosaics of the
 * others (see ../shared/testdata/README.md), whose interpolated pixels break
 * the cover models of RS and SPA (clean estimates up to 2); photo*.jpg are
 * the same mosaics. */
static const struct {
    const char *file;
    int group;
} SOURCES[] = {
    {"astronaut.png", GROUP_PNG},
    {"camera.png", GROUP_PNG},
    {"chelsea.png", GROUP_PNG},
    {"coffee.png", GROUP_PNG},
    {"motorcycle_left.png", GROUP_PNG},
    {"rocket.jpg", GROUP_JPEG},
    {"hubble_deep_field.jpg", GROUP_JPEG},
};
#define N_SOURCES (sizeof SOURCES / sizeof SOURCES[0])

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

size_t case_index(int method, size_t rate)
{
    return 1 + (size_t)method * N_RATES + rate;
}

void case_label(size_t c, char *out, size_t len)
{
    if (c == CASE_CLEAN)
        snprintf(out, len, "clean");
    else
        snprintf(out, len, "%s %.2f", METHOD_NAMES[(c - 1) / N_RATES], RATES[(c - 1) % N_RATES]);
}

/* ---- measuring ---- */

/* Runs the detectors on every channel of im, as samples first, first + 1, ... */
static void analyse(bench *b, size_t first, size_t c, const image8 *im)
{
    size_t n = (size_t)im->width * im->height;
    uint8_t *buf = malloc(n);
    if (!buf)
        return;
    for (unsigned ch = 0; ch < im->channels; ch++) {
        image_channel(im, ch, buf);
        plane p = {im->width, im->height, buf};
        double *v = b->values[first + ch][c];
        chisq_result chi = chisq_attack(&p);
        v[DET_CHISQ] = chi.fraction;
        v[DET_CHISQ_P] = chi.p_whole;
        v[DET_RS] = rs_estimate(&p);
        v[DET_SPA] = spa_estimate(&p);
        v[DET_HCF] = hcf_com_ratio(&p);
        v[DET_HCF2] = hcf_com_ratio_2d(&p);
    }
    free(buf);
}

static void shroud_case(bench *b, size_t first, const image8 *tile, size_t r)
{
    image8 stego;
    shroud_hide_info info;
    char err[256];
    double t0 = now();
    int rc = shroud_bench_hide(tile, RATES[r], &stego, &info, err, sizeof err);
    b->shroud_seconds += now() - t0;
    shroud_totals *t = &b->shroud[r];
    if (rc) {
        t->failed++;
        snprintf(b->shroud_error, sizeof b->shroud_error, "%s", err);
        return;
    }
    t->hides++;
    t->usable_rate += info.bits_per_usable;
    t->sample_rate += info.bits_per_sample;
    t->change_rate += (double)info.changed / (double)info.usable;
    t->mismatch += info.changed != info.changed_seen;
    t->bad += info.bad_changes;
    analyse(b, first, case_index(METHOD_SHROUD, r), &stego);
    image_free(&stego);
}

/* Embeds with the bench's own method m at rate r into a copy and analyses. */
static void own_case(bench *b, size_t first, const image8 *tile, int m, size_t r, rng *g)
{
    image8 copy = *tile;
    size_t n = image_samples(tile);
    copy.px = malloc(n);
    if (!copy.px)
        return;
    memcpy(copy.px, tile->px, n);
    if (m == METHOD_LSB)
        embed_lsb_sequential(copy.px, n, RATES[r], g);
    else
        embed_pm1_random(copy.px, n, RATES[r], g);
    analyse(b, first, case_index(m, r), &copy);
    free(copy.px);
}

static void measure_tile(bench *b, const image8 *tile, int group, const char *source, rng *g)
{
    size_t first = b->n;
    if (first + tile->channels > b->capacity)
        return;
    for (size_t i = 0; i < tile->channels; i++) {
        b->group[first + i] = group;
        b->source[first + i] = source;
        b->channel[first + i] = (unsigned)i;
        for (size_t c = 0; c < N_CASES; c++)
            for (int d = 0; d < N_DETS; d++)
                b->values[first + i][c][d] = NAN;
    }
    b->n += tile->channels;
    b->per_group[group] += tile->channels;
    b->tiles++;
    analyse(b, first, CASE_CLEAN, tile);
    for (size_t r = 0; r < N_RATES; r++) {
        own_case(b, first, tile, METHOD_LSB, r, g);
        own_case(b, first, tile, METHOD_PM1, r, g);
        if (b->shroud_ok)
            shroud_case(b, first, tile, r);
    }
}

/* Tiles per axis: the side divided by the tile, rounded, at least 1. */
static uint32_t tiles_along(uint32_t side, uint32_t tile)
{
    uint32_t k = (side + tile / 2) / tile;
    return k ? k : 1;
}

static uint32_t tile_pos(uint32_t side, uint32_t tile, uint32_t k, uint32_t i)
{
    return k == 1 ? (side - tile) / 2 : (uint32_t)((uint64_t)i * (side - tile) / (k - 1));
}

/* Centre crop to at most MAX_SIDE x MAX_SIDE; *im is replaced. */
static int limit_size(image8 *im)
{
    uint32_t w = im->width < MAX_SIDE ? im->width : MAX_SIDE;
    uint32_t h = im->height < MAX_SIDE ? im->height : MAX_SIDE;
    if (w == im->width && h == im->height)
        return 0;
    image8 c;
    if (image_crop(im, (im->width - w) / 2, (im->height - h) / 2, w, h, &c) != 0)
        return -1;
    image_free(im);
    *im = c;
    return 1;
}

static void measure_source(bench *b, const char *dir, size_t s, uint32_t tile, rng *g)
{
    char path[4096], err[512];
    image8 im;
    snprintf(path, sizeof path, "%s/%s", dir, SOURCES[s].file);
    if (image_load(path, &im, err, sizeof err) != 0) {
        fprintf(stderr, "detect: %s: skipped\n", err);
        return;
    }
    uint32_t w0 = im.width, h0 = im.height;
    int cropped = limit_size(&im);
    if (cropped < 0 || im.width < tile || im.height < tile) {
        fprintf(stderr, "detect: %s: smaller than a tile, skipped\n", path);
        image_free(&im);
        return;
    }
    uint32_t kx = tiles_along(im.width, tile), ky = tiles_along(im.height, tile);
    size_t len = strlen(b->sources);
    snprintf(b->sources + len, sizeof b->sources - len, "%s%s %ux%u%s%s: %u tiles", len ? "; " : "",
             SOURCES[s].file, w0, h0, im.channels == 1 ? " gray" : "",
             cropped ? " (centre 1024x1024)" : "", kx * ky);
    fprintf(stderr, "detect: %s: %u tiles\n", SOURCES[s].file, kx * ky);
    for (uint32_t j = 0; j < ky; j++) {
        for (uint32_t i = 0; i < kx; i++) {
            image8 t;
            if (image_crop(&im, tile_pos(im.width, tile, kx, i), tile_pos(im.height, tile, ky, j),
                           tile, tile, &t) != 0)
                continue;
            measure_tile(b, &t, SOURCES[s].group, SOURCES[s].file, g);
            image_free(&t);
        }
    }
    image_free(&im);
}

static bench *bench_new(void)
{
    bench *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->capacity = MAX_SAMPLES;
    b->values = calloc(MAX_SAMPLES, sizeof *b->values);
    b->group = calloc(MAX_SAMPLES, sizeof *b->group);
    b->source = calloc(MAX_SAMPLES, sizeof *b->source);
    b->channel = calloc(MAX_SAMPLES, sizeof *b->channel);
    if (b->values && b->group && b->source && b->channel)
        return b;
    free(b->values);
    free(b->group);
    free(b->source);
    free(b->channel);
    free(b);
    return NULL;
}

static void bench_free(bench *b)
{
    free(b->values);
    free(b->group);
    free(b->source);
    free(b->channel);
    free(b);
}

int main(int argc, char **argv)
{
    uint32_t tile = DEFAULT_TILE;
    const char *csv = NULL;
    int a = 1, no_shroud = 0;
    for (; a < argc && argv[a][0] == '-'; a++) {
        if (strcmp(argv[a], "-n") == 0)
            no_shroud = 1;
        else if (strcmp(argv[a], "-t") == 0 && a + 1 < argc)
            tile = (uint32_t)strtoul(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "-o") == 0 && a + 1 < argc)
            csv = argv[++a];
        else
            break;
    }
    if (a != argc - 1 || tile < MIN_TILE) {
        fprintf(stderr, "usage: detect [-n] [-t TILE] [-o CSV] TESTDATA_DIR\n");
        return 2;
    }
    double t0 = now();
    bench *b = bench_new();
    if (!b) {
        fprintf(stderr, "detect: out of memory\n");
        return 1;
    }
    b->tile = tile;
    if (no_shroud)
        snprintf(b->shroud_error, sizeof b->shroud_error, "left out (-n)");
    else
        b->shroud_ok = shroud_bench_init(b->shroud_error, sizeof b->shroud_error) == 0;
    rng g;
    rng_seed(&g, SEED);
    for (size_t s = 0; s < N_SOURCES; s++)
        measure_source(b, argv[a], s, tile, &g);
    int rc = 0;
    if (!b->n) {
        fprintf(stderr, "detect: no cover found in %s\n", argv[a]);
        rc = 1;
    } else {
        report(b, now() - t0);
        if (csv && write_csv(b, csv) != 0)
            fprintf(stderr, "detect: cannot write %s\n", csv);
    }
    shroud_bench_done();
    bench_free(b);
    return rc;
}
