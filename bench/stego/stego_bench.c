/*
 * stego_bench.c — in-process timings of shroud's steganography (hide and
 * reveal) and of the plain PNG decode + encode it is judged against.
 *
 *   stego_bench [-m MIN_RUNS] [-M MAX_RUNS] [-b BUDGET_S] [-g GUESSES]
 *               [-l LEVEL] COVER MESSAGE
 *   stego_bench synth W H OUT.png
 *
 * COVER (PNG or BMP) and MESSAGE are read into memory once. The message is
 * sealed to one native X25519 recipient generated here (recipient mode: no
 * scrypt in these timings). One thread (the library starts a second for a
 * long embedding and a large level-1 encode); each iteration times, one
 * after the other with CLOCK_MONOTONIC:
 *
 *   embed     the internal stego_embed_steps alone, as shroud_stego_hide
 *             calls it for a message of this size: an envelope sealed once
 *             beforehand, keys derived once (stego_keys_from_recipient), on
 *             a cover just parsed (shroud_cover_new, not timed: the state
 *             hide embeds in), read and left as it is, the changes returned
 *             as steps. No sealing, no PNG decode or encode.
 *   extract   the internal stego_extract of a png_raster_clone of that cover
 *             with those steps applied (clone and steps not timed: the
 *             positions and the stream read back; no PNG decode, no opening)
 *   seal      sealing the message headerless to the recipient (the envelope
 *             shroud_stego_hide makes)
 *   decode    png_raster_decode of COVER (shroud's PNG reader, the one
 *             hide and reveal use; a PNG cover only)
 *   encode    png_raster_encode of the decoded cover at LEVEL (default
 *             SHROUD_STEGO_DEFAULT_PNG_LEVEL: shroud's filters + libdeflate)
 *   cover     shroud_cover_new (decode + finding the usable samples)
 *   hide      shroud_stego_hide on that cover (seal + keys + embed + PNG
 *             encode of the cover with the steps, at the cover's level),
 *             memory to memory
 *   reveal    shroud_stego_reveal of hide's output with the identity
 *             (decode + usable samples + keys + extract + open)
 *   decode_stego  png_raster_decode of hide's output (written in parts at
 *             level 1, decoded in parts on two threads)
 *
 * and the sums: bare = decode + encode (a plain PNG round trip with the same
 * library and level), hide_api = cover + hide, both = cover + hide + reveal.
 * Sums are medians of the per-iteration sums.
 *
 * Then GUESSES (default 3) wrong-passphrase guesses against a stego image
 * made once in passphrase mode, each timed as an attacker who has the image
 * parsed already pays it: read the salt (public positions), derive the keys
 * with scrypt (N = 2^17, r = 8), extract, and open when the extraction finds
 * something plausible. And one right-passphrase hide for the record.
 *
 * One untimed warm-up iteration first, which also checks the results: the
 * envelope extracted equals the one embedded and the revealed message equals
 * MESSAGE. Iterations go on until at least MIN_RUNS (default 7) are done and
 * BUDGET_S seconds (default 10; run.sh gives 20) have passed, or MAX_RUNS
 * (default 41) are done. Times are medians (and minima) over the iterations,
 * in milliseconds.
 *
 * Output: one line of key=value pairs, for run.sh to parse.
 *
 * synth writes a synthetic W x H RGB PNG (gradients, waves, fine texture),
 * for when the test photo is missing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/bytebuf.h"
#include "image/png_raster.h"
#include "shroud.h"
#include "stego/stego_format.h"
#include "stego/stego_internal.h"

#define BENCH_NAME "stego_bench"
#include "../bench_util.h"

#define HARD_MAX_RUNS 1001
#define MAX_GUESSES 50

static int is_png(const uint8_t *buf, size_t len)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    return len >= 8 && memcmp(buf, sig, 8) == 0;
}

/* Seals msg headerless to one recipient, as shroud_stego_hide does. */
static void seal(const shroud_recipient *r, const uint8_t *msg, size_t len, bytebuf *out)
{
    shroud_sealer *s = NULL;
    check("shroud_sealer_new", shroud_sealer_new(&s, SHROUD_FLAG_HEADERLESS, bytebuf_write, out));
    check("shroud_sealer_add_recipient", shroud_sealer_add_recipient(s, r));
    check("shroud_sealer_write", shroud_sealer_write(s, msg, len));
    check("shroud_sealer_finish", shroud_sealer_finish(s));
    shroud_sealer_free(s);
}

/* ---- the internal calls (stego_internal.h), in one place ---- */

static int embed(const shroud_cover *c, const stego_keys *keys, const uint8_t *env, size_t env_len,
                 png_sample_step **steps, size_t *n_steps, shroud_stego_stats *stats)
{
    return stego_embed_steps(c->img, &c->cells, NULL, keys, env, env_len, steps, n_steps, stats);
}

static int extract(const shroud_cover *c, const png_raster *img, int salted, const stego_keys *keys,
                   uint8_t **env, size_t *env_len)
{
    return stego_extract(img, &c->cells, salted, keys, env, env_len);
}

static int read_salt(const shroud_cover *c, uint8_t salt[STEGO_SALT_BYTES])
{
    return stego_read_salt(c->img, &c->cells, salt);
}

/* ---- synthetic stand-in ---- */

static int synth(int argc, char **argv)
{
    if (argc != 5)
        die("usage", "stego_bench synth W H OUT.png");
    long w = strtol(argv[2], NULL, 10), h = strtol(argv[3], NULL, 10);
    if (w < 16 || h < 16 || w > 16384 || h > 16384)
        die("synth", "W and H must be 16..16384");
    size_t stride = (size_t)w * 3;
    uint8_t *px = malloc(stride * (size_t)h);
    if (!px)
        die("synth", "out of memory");
    uint32_t x32 = 2463534242u; /* xorshift32 texture */
    for (long y = 0; y < h; y++)
        for (long x = 0; x < w; x++) {
            x32 ^= x32 << 13;
            x32 ^= x32 >> 17;
            x32 ^= x32 << 5;
            double u = (double)x / (double)w, v = (double)y / (double)h;
            long t1 = ((x * 7 + y * 3) % 97) - 48, t2 = ((x * x / 64 + y * 5) % 61) - 30;
            int noise = (int)(x32 % 17) - 8;
            long r = (long)(20 + 215 * u) + t1 / 2 + noise,
                 g = (long)(20 + 215 * v) + t2 / 2 + noise,
                 b = (long)(128 + 80 * (u - v)) + (t1 + t2) / 4 + noise;
            uint8_t *p = px + (size_t)y * stride + (size_t)x * 3;
            p[0] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
            p[1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
            p[2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
        }
    png_raster img;
    memset(&img, 0, sizeof img);
    img.width = (uint32_t)w;
    img.height = (uint32_t)h;
    img.bit_depth = 8;
    img.color_type = PNG_CT_RGB;
    img.channels = 3;
    img.sample_bytes = 1;
    img.pixel_bytes = 3;
    img.stride = stride;
    img.pixels = px;
    bytebuf out = {0};
    check("png_raster_encode", png_raster_encode(&img, NULL, 0, PNG_DEFAULT_LEVEL, &out));
    FILE *f = fopen(argv[4], "wb");
    if (!f)
        die(argv[4], "cannot create");
    fwrite(out.data, 1, out.len, f);
    if (fclose(f) != 0)
        die(argv[4], "write error");
    free(out.data);
    free(px);
    return 0;
}

/* ---- main ---- */

enum {
    T_EMBED,
    T_EXTRACT,
    T_SEAL,
    T_DECODE,
    T_ENCODE,
    T_COVER,
    T_HIDE,
    T_REVEAL,
    T_BARE,
    T_HIDE_API,
    T_BOTH,
    T_DECODE_STEGO,
    T_COUNT
};
static const char *const t_name[T_COUNT] = {"embed",  "extract",  "seal", "decode",
                                            "encode", "cover",    "hide", "reveal",
                                            "bare",   "hide_api", "both", "decode_stego"};

static const char right_pass[] = "correct horse battery staple";
static const char wrong_pass[] = "wrong horse battery staple";

static int give_wrong(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    (void)ctx;
    (void)purpose;
    size_t n = strlen(wrong_pass);
    if (n > cap)
        return 1;
    memcpy(buf, wrong_pass, n);
    *len = n;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "synth") == 0)
        return synth(argc, argv);
    long min_runs = 7, max_runs = 41, guesses = 3, level = SHROUD_STEGO_DEFAULT_PNG_LEVEL;
    double budget = 10;
    int a = 1;
    for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
        if (strcmp(argv[a], "-m") == 0)
            min_runs = strtol(argv[a + 1], NULL, 10);
        else if (strcmp(argv[a], "-M") == 0)
            max_runs = strtol(argv[a + 1], NULL, 10);
        else if (strcmp(argv[a], "-b") == 0)
            budget = strtod(argv[a + 1], NULL);
        else if (strcmp(argv[a], "-g") == 0)
            guesses = strtol(argv[a + 1], NULL, 10);
        else if (strcmp(argv[a], "-l") == 0)
            level = strtol(argv[a + 1], NULL, 10);
        else
            break;
    }
    if (argc - a != 2) {
        fprintf(stderr, "usage: stego_bench [-m MIN_RUNS] [-M MAX_RUNS] [-b BUDGET_S] "
                        "[-g GUESSES] [-l LEVEL] COVER MESSAGE\n"
                        "       stego_bench synth W H OUT.png\n");
        return 2;
    }
    if (min_runs < 1)
        min_runs = 1;
    if (max_runs > HARD_MAX_RUNS)
        max_runs = HARD_MAX_RUNS;
    if (max_runs < min_runs)
        max_runs = min_runs;
    if (guesses < 0)
        guesses = 0;
    if (guesses > MAX_GUESSES)
        guesses = MAX_GUESSES;
    if (level < 1 || level > 12)
        die("-l", "LEVEL must be 1..12");

    size_t cover_len, msg_len;
    uint8_t *cover_file = read_file(argv[a], &cover_len);
    uint8_t *msg = read_file(argv[a + 1], &msg_len);
    int png = is_png(cover_file, cover_len);

    shroud_identity *id = NULL;
    shroud_recipient *rec = NULL;
    check("shroud_identity_generate", shroud_identity_generate(&id));
    check("shroud_identity_recipient", shroud_identity_recipient(id, &rec));
    const shroud_recipient *recs[1] = {rec};
    const shroud_identity *ids[1] = {id};

    shroud_cover *cover = NULL;
    check("shroud_cover_new", shroud_cover_new(&cover, cover_file, cover_len));
    check("shroud_cover_png_level", shroud_cover_png_level(cover, (int)level));
    bytebuf env = {0};
    seal(rec, msg, msg_len, &env);
    stego_keys keys;
    check("stego_keys_from_recipient", stego_keys_from_recipient(rec, &keys));

    static double t[T_COUNT][HARD_MAX_RUNS];
    shroud_stego_stats stats;
    size_t stego_bytes = 0, encode_bytes = 0;
    int runs = 0, checked = 0;
    double start = 0;
    for (int it = -1; it < max_runs; it++) { /* it = -1: warm-up and checks */
        if (it == 0)
            start = now();
        if (it >= min_runs && now() - start >= budget)
            break;
        double t0, t1;
        double row[T_COUNT] = {0};

        /* sealing alone */
        bytebuf e2 = {0};
        t0 = now();
        seal(rec, msg, msg_len, &e2);
        t1 = now();
        row[T_SEAL] = t1 - t0;
        free(e2.data);

        /* a bare PNG decode + encode */
        if (png) {
            png_raster *img = NULL;
            bytebuf out = {0};
            t0 = now();
            check("png_raster_decode", png_raster_decode(cover_file, cover_len, &img));
            t1 = now();
            row[T_DECODE] = t1 - t0;
            t0 = now();
            check("png_raster_encode", png_raster_encode(img, NULL, 0, (int)level, &out));
            t1 = now();
            row[T_ENCODE] = t1 - t0;
            row[T_BARE] = row[T_DECODE] + row[T_ENCODE];
            encode_bytes = out.len;
            free(out.data);
            png_raster_free(img);
        }

        /* the public API: hide, then reveal */
        shroud_cover *c = NULL;
        uint8_t *stego = NULL, *back = NULL;
        size_t back_len = 0;
        t0 = now();
        check("shroud_cover_new", shroud_cover_new(&c, cover_file, cover_len));
        t1 = now();
        row[T_COVER] = t1 - t0;
        if (level != SHROUD_STEGO_DEFAULT_PNG_LEVEL)
            check("shroud_cover_png_level", shroud_cover_png_level(c, (int)level));
        t0 = now();
        check("shroud_stego_hide",
              shroud_stego_hide(c, recs, 1, NULL, 0, msg, msg_len, &stego, &stego_bytes, NULL));
        t1 = now();
        row[T_HIDE] = t1 - t0;
        shroud_cover_free(c);
        t0 = now();
        check("shroud_stego_reveal",
              shroud_stego_reveal(stego, stego_bytes, ids, 1, NULL, 0, NULL, 0, &back, &back_len));
        t1 = now();
        row[T_REVEAL] = t1 - t0;
        if (it < 0) {
            if (back_len != msg_len || memcmp(back, msg, msg_len) != 0)
                die("check", "shroud_stego_reveal did not give the message back");
            checked = 1;
        }
        shroud_free_secret(back, back_len);
        /* the stego image's decode alone (shroud's level-1 layout: in parts) */
        png_raster *decoded = NULL;
        t0 = now();
        check("png_raster_decode (stego)", png_raster_decode(stego, stego_bytes, &decoded));
        t1 = now();
        row[T_DECODE_STEGO] = t1 - t0;
        png_raster_free(decoded);
        shroud_free(stego);
        /* embed and extract alone, in the state shroud hide embeds in: the
         * cover just decoded (shroud_cover_new, not timed), as tutorial.py's
         * loop runs on an array just copied */
        shroud_cover *fresh = NULL;
        check("shroud_cover_new", shroud_cover_new(&fresh, cover_file, cover_len));
        png_sample_step *steps = NULL;
        size_t n_steps = 0;
        t0 = now();
        check("stego_embed_steps",
              embed(fresh, &keys, env.data, env.len, &steps, &n_steps, &stats));
        t1 = now();
        row[T_EMBED] = t1 - t0;
        png_raster *copy = NULL;
        check("png_raster_clone", png_raster_clone(fresh->img, &copy));
        png_raster_apply_steps(copy, steps, n_steps);
        free(steps);
        uint8_t *got = NULL;
        size_t got_len = 0;
        t0 = now();
        check("stego_extract", extract(fresh, copy, 0, &keys, &got, &got_len));
        t1 = now();
        row[T_EXTRACT] = t1 - t0;
        if (it < 0 && (got_len != env.len || memcmp(got, env.data, env.len) != 0))
            die("check", "stego_extract did not give the embedded envelope back");
        free(got);
        png_raster_free(copy);
        shroud_cover_free(fresh);

        row[T_HIDE_API] = row[T_COVER] + row[T_HIDE];
        row[T_BOTH] = row[T_HIDE_API] + row[T_REVEAL];
        if (it >= 0) {
            for (int k = 0; k < T_COUNT; k++)
                t[k][it] = row[k];
            runs = it + 1;
        }
    }

    /* the passphrase mode: one hide, then wrong guesses */
    double pass_hide = 0, guess[MAX_GUESSES];
    int n_guess = 0;
    if (guesses > 0) {
        uint8_t *stego = NULL;
        size_t stego_len = 0;
        double t0 = now();
        check("shroud_stego_hide (passphrase)",
              shroud_stego_hide(cover, NULL, 0, right_pass, strlen(right_pass), msg, msg_len,
                                &stego, &stego_len, NULL));
        pass_hide = now() - t0;
        shroud_cover *c = NULL;
        check("shroud_cover_new", shroud_cover_new(&c, stego, stego_len));
        for (; n_guess < guesses; n_guess++) {
            t0 = now();
            uint8_t salt[STEGO_SALT_BYTES];
            stego_keys k;
            uint8_t *e = NULL, *opened = NULL;
            size_t e_len = 0, o_len = 0;
            check("stego_read_salt", read_salt(c, salt));
            check("stego_keys_from_passphrase",
                  stego_keys_from_passphrase(wrong_pass, strlen(wrong_pass), salt, &k));
            int err = extract(c, c->img, 1, &k, &e, &e_len);
            if (!err) { /* plausible by chance: the opener says no */
                if (shroud_open(NULL, 0, give_wrong, NULL, SHROUD_FLAG_HEADERLESS, e, e_len,
                                &opened, &o_len) == SHROUD_OK)
                    die("check", "a wrong passphrase opened the message");
                free(e);
            } else if (err != SHROUD_ERR_NO_MESSAGE) {
                check("stego_extract (wrong passphrase)", err);
            }
            guess[n_guess] = now() - t0;
        }
        shroud_cover_free(c);
        shroud_free(stego);
    }

    uint32_t w = 0, h = 0;
    size_t usable = 0;
    shroud_cover_info(cover, &w, &h, &usable);
    printf("runs=%d checked=%d width=%u height=%u usable=%zu msg_bytes=%zu env_bytes=%zu "
           "code_bits=%u samples_used=%zu changed=%zu stream_bits=%zu png_cover=%d level=%ld "
           "cover_bytes=%zu stego_bytes=%zu encode_bytes=%zu",
           runs, checked, w, h, usable, msg_len, env.len, stats.code_bits, stats.samples_used,
           stats.changed_samples, stats.stream_bits, png, level, cover_len, stego_bytes,
           encode_bytes);
    for (int k = 0; k < T_COUNT; k++) {
        if (!png && (k == T_DECODE || k == T_ENCODE || k == T_BARE))
            continue;
        printf(" %s_ms=%.3f %s_min_ms=%.3f", t_name[k], median_ms(t[k], runs), t_name[k],
               min_ms(t[k], runs));
    }
    if (n_guess > 0)
        printf(" pass_hide_ms=%.1f guess_ms=%.1f guess_min_ms=%.1f guesses=%d", pass_hide * 1e3,
               median_ms(guess, n_guess), min_ms(guess, n_guess), n_guess);
    printf("\n");

    free(env.data);
    shroud_cover_free(cover);
    shroud_recipient_free(rec);
    shroud_identity_free(id);
    free(msg);
    free(cover_file);
    return 0;
}
