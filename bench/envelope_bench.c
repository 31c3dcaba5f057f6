/*
 * envelope_bench.c — throughput and memory of libshroud's streaming envelope.
 *
 *   envelope_bench MIB [REPEAT]
 *
 * Encrypts MIB MiB of plaintext to one native recipient and decrypts it
 * again, single-threaded, through the public streaming API only. Nothing of
 * the message's size is ever stored: the plaintext is one 1 MiB buffer
 * (pseudo-random, filled once, its first 8 bytes overwritten with the piece
 * number before each write so that every piece differs), and ciphertext
 * never exists as a whole.
 *
 * Two timed passes, each repeated REPEAT times (default 3; the median is
 * reported):
 *  1. encrypt: shroud_sealer_write in 1 MiB pieces, then finish; the output
 *     callback discards the ciphertext after touching one word of every
 *     64-byte cache line of it (so the bytes are really read).
 *  2. pipeline: the same sealing, but the sealer's output callback feeds the
 *     ciphertext straight into shroud_opener_write, whose output callback
 *     checks the plaintext (length, and the piece number at the start of every
 *     1 MiB piece) and touches it like above.
 * Decrypt time is measured directly, not inferred: the time spent inside
 * shroud_opener_write/finish is accumulated with CLOCK_MONOTONIC around each
 * call (one call per 16 KiB chunk; the ~65536 clock reads per GiB cost
 * about a millisecond). The pipeline's encrypt side is what remains of the
 * pipeline's time; it is printed as a cross-check of pass 1.
 *
 * Throughput is plaintext bytes per second in MB/s (10^6 bytes), the unit
 * `openssl speed` uses (its "k" is 1000 bytes). Peak RSS is getrusage's
 * ru_maxrss of this process, read at the end: run the program once per size
 * to compare sizes.
 *
 * Output: one line of key=value pairs, for bench/envelope to parse.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "shroud.h"

#define PIECE (1024u * 1024u)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *what, int err)
{
    fprintf(stderr, "envelope_bench: %s: %s\n", what, shroud_strerror(err));
    exit(1);
}

/* Reads one word of every 64-byte line of buf (and the tail). */
static uint64_t touch(const uint8_t *buf, size_t len)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 64) {
        uint64_t w;
        memcpy(&w, buf + i, 8);
        acc ^= w;
    }
    if (len > 0)
        acc += buf[len - 1];
    return acc;
}

/* ---- the plaintext source ---- */

static uint8_t *piece_buf;

static void fill_piece_buf(void)
{
    piece_buf = malloc(PIECE);
    if (!piece_buf) {
        fprintf(stderr, "envelope_bench: out of memory\n");
        exit(1);
    }
    uint64_t x = 0x9e3779b97f4a7c15u; /* xorshift64 */
    for (size_t i = 0; i < PIECE; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(piece_buf + i, &x, 8);
    }
}

/* Stamps piece number n into the plaintext buffer. */
static void stamp(uint64_t n)
{
    memcpy(piece_buf, &n, 8);
}

/* ---- pass 1: encrypt into a discarding sink ---- */

typedef struct {
    uint64_t acc;
    uint64_t bytes;
} discard_sink;

static int discard(void *ctx, const uint8_t *buf, size_t len)
{
    discard_sink *d = ctx;
    d->acc ^= touch(buf, len);
    d->bytes += len;
    return 0;
}

static void seal_all(shroud_sealer *s, size_t mib)
{
    for (uint64_t n = 0; n < mib; n++) {
        stamp(n);
        int err = shroud_sealer_write(s, piece_buf, PIECE);
        if (err)
            fail("shroud_sealer_write", err);
    }
    int err = shroud_sealer_finish(s);
    if (err)
        fail("shroud_sealer_finish", err);
}

static double encrypt_pass(const shroud_recipient *r, size_t mib, uint64_t *ct_bytes)
{
    discard_sink d = {0, 0};
    shroud_sealer *s = NULL;
    int err = shroud_sealer_new(&s, 0, discard, &d);
    if (!err)
        err = shroud_sealer_add_recipient(s, r);
    if (err)
        fail("shroud_sealer_new", err);
    double t0 = now();
    seal_all(s, mib);
    double t = now() - t0;
    shroud_sealer_free(s);
    *ct_bytes = d.bytes;
    if (d.acc == 0x5eed)
        fputc(' ', stderr); /* keep the touches observable */
    return t;
}

/* ---- pass 2: seal straight into the opener ---- */

typedef struct {
    uint64_t bytes; /* plaintext received */
    uint64_t acc;
} check_sink;

static int check_plain(void *ctx, const uint8_t *buf, size_t len)
{
    check_sink *c = ctx;
    /* Chunks are 16 KiB, so a 1 MiB piece always starts a chunk. */
    if (c->bytes % PIECE == 0 && len >= 8) {
        uint64_t n;
        memcpy(&n, buf, 8);
        if (n != c->bytes / PIECE) {
            fprintf(stderr, "envelope_bench: wrong plaintext at piece %llu\n",
                    (unsigned long long)(c->bytes / PIECE));
            exit(1);
        }
    }
    c->acc ^= touch(buf, len);
    c->bytes += len;
    return 0;
}

typedef struct {
    shroud_opener *o;
    double in_opener; /* seconds spent inside shroud_opener_* */
    uint8_t *stage;   /* NULL: pass each sealer write straight on */
    size_t staged;
} pipe_ctx;

static int opener_write(pipe_ctx *p, const uint8_t *buf, size_t len)
{
    double t0 = now();
    int err = shroud_opener_write(p->o, buf, len);
    p->in_opener += now() - t0;
    return err ? 1 : 0;
}

/* The sealer's output callback: straight into the opener, or through a
 * 1 MiB staging buffer so that the opener gets 1 MiB writes. */
static int to_opener(void *ctx, const uint8_t *buf, size_t len)
{
    pipe_ctx *p = ctx;
    if (!p->stage)
        return opener_write(p, buf, len);
    while (len > 0) {
        size_t n = PIECE - p->staged < len ? PIECE - p->staged : len;
        memcpy(p->stage + p->staged, buf, n);
        p->staged += n;
        buf += n;
        len -= n;
        if (p->staged == PIECE) {
            p->staged = 0;
            if (opener_write(p, p->stage, PIECE))
                return 1;
        }
    }
    return 0;
}

static void pipeline_pass(const shroud_recipient *r, const shroud_identity *id, size_t mib,
                          int staged, double *total, double *decrypt)
{
    static uint8_t stage[PIECE];
    check_sink c = {0, 0};
    pipe_ctx p = {NULL, 0, staged ? stage : NULL, 0};
    int err = shroud_opener_new(&p.o, 0, check_plain, &c);
    if (!err)
        err = shroud_opener_add_identity(p.o, id);
    if (err)
        fail("shroud_opener_new", err);
    shroud_sealer *s = NULL;
    err = shroud_sealer_new(&s, 0, to_opener, &p);
    if (!err)
        err = shroud_sealer_add_recipient(s, r);
    if (err)
        fail("shroud_sealer_new", err);
    double t0 = now();
    seal_all(s, mib);
    if (p.staged > 0 && opener_write(&p, p.stage, p.staged))
        fail("shroud_opener_write", shroud_opener_finish(p.o));
    double t1 = now();
    err = shroud_opener_finish(p.o);
    p.in_opener += now() - t1;
    *total = now() - t0;
    if (err)
        fail("shroud_opener_finish", err);
    if (c.bytes != (uint64_t)mib * PIECE) {
        fprintf(stderr, "envelope_bench: decrypted %llu bytes, expected %llu\n",
                (unsigned long long)c.bytes, (unsigned long long)mib * PIECE);
        exit(1);
    }
    *decrypt = p.in_opener;
    shroud_sealer_free(s);
    shroud_opener_free(p.o);
    if (c.acc == 0x5eed)
        fputc(' ', stderr);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: envelope_bench MIB [REPEAT]\n");
        return 2;
    }
    long mib = strtol(argv[1], NULL, 10);
    int repeat = argc > 2 ? atoi(argv[2]) : 3;
    if (mib < 1 || mib > 1L << 20 || repeat < 1 || repeat > 100) {
        fprintf(stderr, "envelope_bench: MIB must be 1..1048576, REPEAT 1..100\n");
        return 2;
    }
    fill_piece_buf();
    shroud_identity *id = NULL;
    shroud_recipient *r = NULL;
    int err = shroud_identity_generate(&id);
    if (!err)
        err = shroud_identity_recipient(id, &r);
    if (err)
        fail("key generation", err);

    /* Per repeat: encrypt alone; the pipeline with 1 MiB staging (decrypt
     * time); the pipeline without staging (decrypt time with one sealed
     * chunk per write, and the whole pipeline's time). */
    double *enc = calloc((size_t)repeat, sizeof *enc);
    double *dec = calloc((size_t)repeat, sizeof *dec);
    double *dec_chunk = calloc((size_t)repeat, sizeof *dec_chunk);
    double *pipe = calloc((size_t)repeat, sizeof *pipe);
    double *pipe_enc = calloc((size_t)repeat, sizeof *pipe_enc);
    if (!enc || !dec || !dec_chunk || !pipe || !pipe_enc) {
        fprintf(stderr, "envelope_bench: out of memory\n");
        return 1;
    }
    uint64_t ct_bytes = 0;
    for (int i = 0; i < repeat; i++) {
        double staged_total;
        enc[i] = encrypt_pass(r, (size_t)mib, &ct_bytes);
        pipeline_pass(r, id, (size_t)mib, 1, &staged_total, &dec[i]);
        pipeline_pass(r, id, (size_t)mib, 0, &pipe[i], &dec_chunk[i]);
        pipe_enc[i] = pipe[i] - dec_chunk[i];
    }
    double bytes = (double)mib * PIECE;
    double te = median(enc, repeat), td = median(dec, repeat);
    double tdc = median(dec_chunk, repeat);
    double tp = median(pipe, repeat), tpe = median(pipe_enc, repeat);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("mib=%ld repeat=%d ciphertext_bytes=%llu encrypt_s=%.4f decrypt_s=%.4f "
           "decrypt_chunk_s=%.4f pipeline_s=%.4f encrypt_mbps=%.1f decrypt_mbps=%.1f "
           "decrypt_chunk_mbps=%.1f pipeline_mbps=%.1f pipeline_encrypt_mbps=%.1f "
           "maxrss_kib=%ld\n",
           mib, repeat, (unsigned long long)ct_bytes, te, td, tdc, tp, bytes / te / 1e6,
           bytes / td / 1e6, bytes / tdc / 1e6, bytes / tp / 1e6, bytes / tpe / 1e6, ru.ru_maxrss);
    free(enc);
    free(dec);
    free(dec_chunk);
    free(pipe);
    free(pipe_enc);
    free(piece_buf);
    shroud_recipient_free(r);
    shroud_identity_free(id);
    return 0;
}
