/*
 * Where the bits go: the usable set is the same before and after embedding
 * (random covers full of 0, 1, max-1, max and alpha 0/1/max); the library's
 * cell cursor yields exactly the order docs/FORMAT.md section 6 defines
 * (computed here independently: su_order), next() and group() alike, fast
 * 8-bit path (with and without pext) and general path; with fixed keys,
 * the positions the extractor walks on the stego image are exactly those
 * the embedder walked on the cover, every changed sample is among them,
 * and extraction reads nothing else (noise on every other usable sample
 * does not disturb it); the code byte and the length are whitened. The
 * keyed stream: keystream_below is uniform and below its bound (1 and
 * 2^32-1 included), the lazy Fisher-Yates draws a permutation, and known
 * answers pin the algorithm.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/bigendian.h"
#include "stego/cells.h"
#include "stego/cover.h"
#include "stego/hamming.h"
#include "stego/keystream.h"
#include "stego/positions.h"
#include "stego/stego_internal.h"
#include "stego/window64.h"
#include "stego_util.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The smallest envelope stego_extract accepts as plausible (stego_stream.c). */
#define MIN_ENVELOPE 173

static void fixed_keys(su_rng *r, stego_keys *k)
{
    su_bytes(r, k->positions, sizeof k->positions);
    su_bytes(r, k->stream, sizeof k->stream);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Moves every usable sample that is not in drawn[0 .. n) by +-1, staying
 * usable. */
static void disturb_undrawn(png_raster *img, const uint32_t *drawn, size_t n, su_rng *r)
{
    uint32_t *usable = NULL, *sorted = malloc((n ? n : 1) * sizeof *sorted);
    size_t n_usable = 0;
    assert_non_null(sorted);
    assert_int_equal(stego_usable_samples(img, &usable, &n_usable), SHROUD_OK);
    memcpy(sorted, drawn, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u32);
    uint32_t max = stego_sample_max(img);
    for (size_t i = 0; i < n_usable; i++) {
        if (bsearch(&usable[i], sorted, n, sizeof *sorted, cmp_u32))
            continue;
        uint32_t v = stego_sample(img, usable[i]);
        int up = v == 1 ? 1 : v == max - 1 ? 0 : (int)su_below(r, 2);
        stego_set_sample(img, usable[i], up ? v + 1 : v - 1);
    }
    free(usable);
    free(sorted);
}

/* stego_embed_steps leaves the cover alone and returns steps for the
 * samples stego_embed changed (directions are random: the same samples,
 * each by +-1); the steps applied, and the cover encoded with them, give
 * one stego image, from which the envelope extracts. */
static void check_steps_match(const png_raster *cover, const stego_cells *cells,
                              const uint8_t *salt, const stego_keys *keys, const uint8_t *env,
                              size_t env_len, const uint32_t *changed, size_t n_changed)
{
    png_raster *before = NULL, *applied = NULL, *decoded = NULL;
    assert_int_equal(png_raster_clone(cover, &before), SHROUD_OK);
    png_sample_step *steps = NULL;
    size_t n_steps = 0;
    shroud_stego_stats st;
    assert_int_equal(
        stego_embed_steps(cover, cells, salt, keys, env, env_len, &steps, &n_steps, &st),
        SHROUD_OK);
    assert_int_equal(n_steps, st.changed_samples);
    assert_true(n_steps <= stego_max_changes(salt != NULL, env_len, st.code_bits));
    assert_memory_equal(cover->pixels, before->pixels, cover->stride * cover->height);
    assert_int_equal(png_raster_clone(cover, &applied), SHROUD_OK);
    png_raster_apply_steps(applied, steps, n_steps);
    size_t n = 0;
    uint32_t *got = su_changed(cover, applied, &n);
    assert_int_equal(n, n_changed);
    assert_memory_equal(got, changed, n * sizeof *got);
    assert_int_equal(su_check_stego(cover, applied), n_steps);
    bytebuf png = {0};
    assert_int_equal(png_raster_encode_stepped(cover, steps, n_steps, NULL, 0, 1, &png), SHROUD_OK);
    assert_int_equal(png_raster_decode(png.data, png.len, &decoded), SHROUD_OK);
    assert_memory_equal(decoded->pixels, applied->pixels, cover->stride * cover->height);
    uint8_t *back = NULL;
    size_t back_len = 0;
    assert_int_equal(stego_extract(decoded, cells, salt != NULL, keys, &back, &back_len),
                     SHROUD_OK);
    assert_int_equal(back_len, env_len);
    assert_memory_equal(back, env, env_len);
    free(back);
    free(png.data);
    free(got);
    free(steps);
    png_raster_free(decoded);
    png_raster_free(applied);
    png_raster_free(before);
}

static int embed_extract_case(int color_type, int depth, int fill, unsigned seed, int salted)
{
    su_rng r;
    su_seed(&r, seed);
    uint32_t w = 64 + su_below(&r, 64), h = 48 + su_below(&r, 48);
    png_raster *cover = su_raster(w, h, color_type, depth, fill, &r);
    stego_cells cells, cells2;
    stego_cells_find(cover, &cells);
    size_t n_usable = cells.usable;

    /* an envelope of random bytes, from the smallest plausible to the largest that fits */
    size_t fixed = (salted ? STEGO_SALT_RESERVE : 0) + STEGO_CODE_BITS_SAMPLES;
    if (n_usable < fixed + 8 * (STEGO_LENGTH_BYTES + MIN_ENVELOPE)) {
        png_raster_free(cover);
        return 0; /* too few usable samples in this random cover */
    }
    size_t max_env = (n_usable - fixed) / 8 - STEGO_LENGTH_BYTES;
    size_t env_len = MIN_ENVELOPE + su_below(&r, (uint32_t)(max_env - MIN_ENVELOPE + 1));
    if (seed % 5 == 0)
        env_len = max_env;
    uint8_t *env = malloc(env_len), salt[STEGO_SALT_BYTES];
    assert_non_null(env);
    su_bytes(&r, env, env_len);
    su_bytes(&r, salt, sizeof salt);
    stego_keys keys;
    fixed_keys(&r, &keys);

    png_raster *stego = NULL;
    assert_int_equal(png_raster_clone(cover, &stego), SHROUD_OK);
    shroud_stego_stats st;
    assert_int_equal(stego_embed(stego, &cells, salted ? salt : NULL, &keys, env, env_len, &st),
                     SHROUD_OK);
    /* +-1 only, saturated/alpha/transparent untouched, the usable set unchanged */
    size_t changed = su_check_stego(cover, stego);
    assert_int_equal(changed, st.changed_samples);
    stego_cells_find(stego, &cells2);
    assert_int_equal(cells2.usable, cells.usable);
    assert_int_equal(cells2.n, cells.n);

    /* the order the extractor walks on the stego image = the embedder's on the cover */
    unsigned p = st.code_bits;
    size_t coded = STEGO_LENGTH_BYTES + env_len, groups = (coded * 8 + p - 1) / p;
    size_t n_after = STEGO_CODE_BITS_SAMPLES + groups * stego_code_group(p);
    size_t first = salted ? STEGO_SALT_SAMPLES : 0, skipped = 0, skipped2 = 0;
    uint32_t *drawn = su_order(cover, salted, &keys, n_after, &skipped);
    uint32_t *drawn2 = su_order(stego, salted, &keys, n_after, &skipped2);
    uint32_t *walked = su_cursor_order(stego, salted, &keys, n_after);
    assert_memory_equal(drawn, drawn2, (first + n_after) * sizeof *drawn);
    assert_memory_equal(drawn, walked, (first + n_after) * sizeof *drawn);
    assert_int_equal(skipped, skipped2);
    assert_true(skipped <= 63);
    assert_int_equal(st.samples_used, first + skipped + n_after);
    size_t n_changed = 0;
    uint32_t *changes = su_changed(cover, stego, &n_changed);
    su_assert_subset(changes, n_changed, drawn, first + n_after);
    check_steps_match(cover, &cells, salted ? salt : NULL, &keys, env, env_len, changes, n_changed);

    /* extraction finds the envelope ... */
    uint8_t *back = NULL, got_salt[STEGO_SALT_BYTES];
    size_t back_len = 0;
    assert_int_equal(stego_extract(stego, &cells2, salted, &keys, &back, &back_len), SHROUD_OK);
    assert_int_equal(back_len, env_len);
    assert_memory_equal(back, env, env_len);
    free(back);
    if (salted) {
        assert_int_equal(stego_read_salt(stego, &cells2, got_salt), SHROUD_OK);
        assert_memory_equal(got_salt, salt, sizeof salt);
    }
    /* ... reading only the walked positions: noise everywhere else changes nothing */
    disturb_undrawn(stego, drawn, first + n_after, &r);
    stego_cells_find(stego, &cells2);
    assert_int_equal(cells2.usable, n_usable);
    back = NULL;
    assert_int_equal(stego_extract(stego, &cells2, salted, &keys, &back, &back_len), SHROUD_OK);
    assert_int_equal(back_len, env_len);
    assert_memory_equal(back, env, env_len);
    free(back);
    /* other keys find nothing (the code byte or the length is implausible) */
    stego_keys other;
    fixed_keys(&r, &other);
    back = NULL;
    int err = stego_extract(stego, &cells2, salted, &other, &back, &back_len);
    if (err == SHROUD_OK) /* possible by chance (about 1 in 10^4): then it is noise */
        free(back);
    else
        assert_int_equal(err, SHROUD_ERR_NO_MESSAGE);

    free(changes);
    free(walked);
    free(drawn2);
    free(drawn);
    free(env);
    png_raster_free(stego);
    png_raster_free(cover);
    return 1;
}

static void test_usable_set_and_positions_are_stable(void **state)
{
    (void)state;
    static const int types[4] = {PNG_CT_GRAY, PNG_CT_GRAY_ALPHA, PNG_CT_RGB, PNG_CT_RGBA};
    unsigned seed = 1, ran = 0;
    for (int t = 0; t < 4; t++)
        for (int depth = 8; depth <= 16; depth += 8)
            for (int k = 0; k < 8; k++, seed++)
                ran += (unsigned)embed_extract_case(
                    types[t], depth, k < 6 ? SU_FILL_EDGES : SU_FILL_PHOTO, seed, k % 2);
    assert_int_equal(ran, seed - 1); /* every cover had room */
}

/* The usable set by definition, sample by sample. */
static void test_usable_samples_definition(void **state)
{
    (void)state;
    static const int types[4] = {PNG_CT_GRAY, PNG_CT_GRAY_ALPHA, PNG_CT_RGB, PNG_CT_RGBA};
    su_rng r;
    su_seed(&r, 5);
    for (int t = 0; t < 4; t++)
        for (int depth = 8; depth <= 16; depth += 8) {
            png_raster *img = su_raster(33, 17, types[t], depth, SU_FILL_EDGES, &r);
            uint32_t *u = NULL;
            size_t n = 0, k = 0;
            assert_int_equal(stego_usable_samples(img, &u, &n), SHROUD_OK);
            int alpha = su_has_alpha(img);
            uint32_t max = stego_sample_max(img);
            for (uint32_t s = 0; s < su_samples(img); s++) {
                uint32_t c = s % img->channels;
                uint32_t px = s - c;
                int is_alpha = alpha && c == img->channels - 1u;
                int transparent = alpha && stego_sample(img, px + img->channels - 1u) == 0;
                uint32_t v = stego_sample(img, s);
                int want = !is_alpha && !transparent && v != 0 && v != max;
                if (want) {
                    assert_true(k < n);
                    assert_int_equal(u[k], s);
                    k++;
                }
            }
            assert_int_equal(k, n);
            free(u);
            png_raster_free(img);
        }
}

/* The code byte and the length on the samples are not the plain values. */
static void test_code_byte_and_length_are_whitened(void **state)
{
    (void)state;
    su_rng r;
    su_seed(&r, 99);
    png_raster *img = su_raster(64, 48, PNG_CT_RGB, 8, SU_FILL_PHOTO, &r);
    stego_cells cells;
    stego_cells_find(img, &cells);
    stego_keys keys;
    fixed_keys(&r, &keys);
    size_t env_len = 300;
    uint8_t env[300];
    memset(env, 0, sizeof env); /* zeros: whatever is seen on the samples is the mask */
    shroud_stego_stats st;
    assert_int_equal(stego_embed(img, &cells, NULL, &keys, env, env_len, &st), SHROUD_OK);
    stego_cursor cur;
    assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
    assert_int_equal(stego_cursor_rekey(&cur, keys.positions), SHROUD_OK);
    uint8_t code = 0, head[8] = {0};
    assert_int_equal(stego_read_plain(&cur, &code, STEGO_CODE_BITS_SAMPLES), SHROUD_OK);
    size_t head_bits = (32 + st.code_bits - 1) / st.code_bits * st.code_bits;
    assert_int_equal(stego_read_coded(&cur, st.code_bits, head, 0, head_bits), SHROUD_OK);
    /* what is on the samples is the keystream of keys.stream xor the plain values */
    keystream ks;
    uint8_t mask[5];
    assert_int_equal(keystream_init(&ks, keys.stream), SHROUD_OK);
    assert_int_equal(keystream_bytes(&ks, mask, sizeof mask), SHROUD_OK);
    keystream_free(&ks);
    assert_int_equal(code ^ mask[0], st.code_bits);
    assert_int_equal(load_be32(head) ^ load_be32(mask + 1), env_len);
    assert_int_not_equal(code, st.code_bits);
    assert_int_not_equal(load_be32(head), env_len);
    stego_cursor_free(&cur);
    png_raster_free(img);
}

/* A hook that checks each group as it comes in against the definition:
 * its samples and its Hamming value, while the run keeps only a window. */
typedef struct {
    const png_raster *img;
    const uint32_t *ref; /* the run's samples, by definition */
    size_t group, done, calls;
} group_check;

static int check_groups(void *ctx, const stego_run *run, size_t groups)
{
    group_check *c = ctx;
    assert_true(groups > c->done || groups * c->group == run->n);
    c->calls++;
    for (; c->done < groups; c->done++) {
        size_t start = c->done * c->group;
        uint32_t want = 0;
        size_t e = 0; /* the forward search (as the writer walks) = the bisection */
        for (size_t i = 0; i < c->group; i += 1 + (i * 7 + c->done) % 13) {
            e = stego_run_entry(run, start + i, e);
            assert_int_equal(e, stego_run_entry(run, start + i, run->cells));
            assert_int_equal(stego_run_sample_at(run, e, start + i), c->ref[start + i]);
        }
        for (size_t i = 0; i < c->group; i++) {
            assert_int_equal(stego_run_sample(run, start + i), c->ref[start + i]);
            want ^= (uint32_t)(i + 1) & (0u - (stego_sample(c->img, c->ref[start + i]) & 1u));
        }
        assert_int_equal(stego_run_value(run, start, c->group), want);
    }
    return SHROUD_OK;
}

/* A run of whole groups of a random size (some beyond the hook's 1024
 * samples) with check_groups: returns the samples it took. */
static size_t hooked_run(stego_cursor *cur, const png_raster *img, const uint32_t *ref, size_t left,
                         su_rng *r)
{
    size_t group = su_below(r, 4) ? 1 + su_below(r, 200) : 1000 + su_below(r, 3000);
    if (group > left)
        group = left;
    size_t k = group * (1 + su_below(r, (uint32_t)(left / group)));
    group_check c = {img, ref, group, 0, 0};
    stego_run_hook hook = {group, check_groups, &c};
    stego_run run;
    assert_int_equal(stego_cursor_run(cur, k, &hook, &run), SHROUD_OK);
    assert_int_equal(c.done, k / group);
    assert_true(c.calls >= 1);
    stego_run_free(&run);
    return k;
}

/* Runs with a hook over images large enough for many windows (the run
 * keeps about 16384 samples): every group checked as it comes in, with
 * group sizes below and above the window's step, 8-bit (fast path) and
 * 16-bit with alpha (general path). */
static void test_hooked_runs_slide_their_window(void **state)
{
    (void)state;
    su_rng r;
    su_seed(&r, 4242);
    static const size_t groups[] = {1, 7, 511, 2047, 20000, 65535};
    for (size_t t = 0; t < 2 * sizeof groups / sizeof *groups; t++) {
        int wide = (int)(t % 2);
        png_raster *img = su_raster(wide ? 480 : 640, 360, wide ? PNG_CT_RGBA : PNG_CT_RGB,
                                    wide ? 16 : 8, SU_FILL_EDGES, &r);
        stego_cells cells;
        stego_cells_find(img, &cells);
        stego_keys k;
        fixed_keys(&r, &k);
        uint32_t *ref = su_order_keys(img, NULL, 0, k.positions, SIZE_MAX, NULL);
        size_t group = groups[t / 2];
        size_t n = cells.usable / group * group;
        assert_true(n / group >= 3);
        stego_cursor cur;
        stego_run run;
        assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
        assert_int_equal(stego_cursor_rekey(&cur, k.positions), SHROUD_OK);
        group_check c = {img, ref, group, 0, 0};
        stego_run_hook hook = {group, check_groups, &c};
        assert_int_equal(stego_cursor_run(&cur, n, &hook, &run), SHROUD_OK);
        assert_int_equal(c.done, n / group);
        assert_true(run.lsb_base > 0 && run.cell_base > 0); /* it did slide */
        assert_int_equal(stego_cursor_remaining(&cur), cells.usable - n);
        stego_run_free(&run);
        stego_cursor_free(&cur);
        free(ref);
        png_raster_free(img);
    }
}

/* The library's cursor against the definition: random images of every type
 * (8-bit without alpha takes the fast path), random keys, random mixes of
 * next(), run() (its bitmap, its samples and group values in it; with a
 * hook, each group as it comes in, the run keeping a window) and rekey()
 * mid-cell. */
static void test_cursor_follows_the_definition(void **state)
{
    (void)state;
    static const int types[4] = {PNG_CT_GRAY, PNG_CT_GRAY_ALPHA, PNG_CT_RGB, PNG_CT_RGBA};
    su_rng r;
    su_seed(&r, 2024);
    uint32_t *at = malloc(65535 * sizeof *at);
    assert_non_null(at);
    for (unsigned n = 0; n < 48; n++) {
        int type = types[n % 4], depth = n % 8 < 4 ? 8 : 16;
        uint32_t w = 1 + su_below(&r, 70), h = 1 + su_below(&r, 50);
        png_raster *img = su_raster(w, h, type, depth, n % 3 ? SU_FILL_EDGES : SU_FILL_PHOTO, &r);
        stego_cells cells;
        stego_cells_find(img, &cells);
        assert_int_equal(cells.samples, su_samples(img));
        assert_int_equal(cells.n, (cells.samples + 63) / 64);
        stego_keys k1, k2;
        fixed_keys(&r, &k1);
        fixed_keys(&r, &k2);
        /* k1 for a random number of samples (none: no k1 at all), the rest of
         * that cell skipped, then k2 for all that remain */
        size_t split = n % 4 == 0 ? 0 : su_below(&r, (uint32_t)cells.usable / 2 + 1);
        const uint8_t *key1 = split ? k1.positions : NULL;
        size_t skipped = 0;
        uint32_t *ref = su_order_keys(img, key1, split, k2.positions, SIZE_MAX, &skipped);
        size_t rest = cells.usable - split - skipped;

        stego_cursor cur;
        stego_run run;
        assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
        assert_int_equal(stego_cursor_remaining(&cur), cells.usable);
        if (cells.usable) /* no key yet */
            assert_int_equal(stego_cursor_next(&cur, at, 1), SHROUD_ERR_STATE);
        stego_cursor_free(&cur);
        assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
        if (n % 2)
            cur.bmi2 = 0; /* the portable compaction of cells with unusable samples too */
        if (n % 4 == 1)
            cur.avx2 = 0; /* and the SSE2 masks */
        if (key1) {
            assert_int_equal(stego_cursor_rekey(&cur, key1), SHROUD_OK);
            assert_int_equal(stego_cursor_next(&cur, at, split), SHROUD_OK);
            assert_memory_equal(at, ref, split * sizeof *at);
        }
        assert_int_equal(stego_cursor_rekey(&cur, k2.positions), SHROUD_OK);
        assert_int_equal(stego_cursor_remaining(&cur), rest);
        const uint32_t *ref2 = ref + split;
        size_t done = 0;
        while (done < rest) {
            size_t left = rest - done;
            size_t k = 1 + su_below(&r, left < 300 ? (uint32_t)left : 300);
            assert_int_equal(stego_cursor_remaining(&cur), left);
            if (su_below(&r, 3) == 0) {
                assert_int_equal(stego_cursor_next(&cur, at, k), SHROUD_OK);
                assert_memory_equal(at, ref2 + done, k * sizeof *at);
            } else if (su_below(&r, 3) == 0) {
                k = hooked_run(&cur, img, ref2 + done, left, &r);
            } else {
                if (su_below(&r, 4) == 0) /* long runs too: many cells at once */
                    k = left < 5000 ? left : 1 + su_below(&r, 5000);
                assert_int_equal(stego_cursor_run(&cur, k, NULL, &run), SHROUD_OK);
                assert_int_equal(run.n, k);
                for (size_t i = 0; i < k; i++) {
                    assert_int_equal(stego_run_sample(&run, i), ref2[done + i]);
                    assert_int_equal(run.lsb[i / 64] >> (i % 64) & 1,
                                     stego_sample(img, ref2[done + i]) & 1u);
                }
                for (int g = 0; g < 3; g++) { /* a few groups inside the run */
                    size_t start = su_below(&r, (uint32_t)k),
                           len = su_below(&r, (uint32_t)(k - start + 1));
                    uint32_t want = 0;
                    for (size_t i = 0; i < len; i++)
                        want ^= (uint32_t)(i + 1) &
                                (0u - (stego_sample(img, ref2[done + start + i]) & 1u));
                    assert_int_equal(stego_run_value(&run, start, len), want);
                }
                stego_run_free(&run);
            }
            done += k;
        }
        assert_int_equal(stego_cursor_remaining(&cur), 0);
        assert_int_equal(stego_cursor_next(&cur, at, 1), SHROUD_ERR_CAPACITY);
        assert_int_equal(stego_cursor_run(&cur, 1, NULL, &run), SHROUD_ERR_CAPACITY);
        assert_int_equal(stego_cursor_run(&cur, 0, NULL, &run), SHROUD_OK);
        stego_run_free(&run);
        stego_cursor_free(&cur);
        free(ref);
        png_raster_free(img);
    }
    free(at);
}

/* stego_cells_count: each cell's count is its usable samples by the
 * definition, and the totals are stego_cells_find's. */
static void test_cells_count_each_cell(void **state)
{
    (void)state;
    static const int types[4] = {PNG_CT_GRAY, PNG_CT_GRAY_ALPHA, PNG_CT_RGB, PNG_CT_RGBA};
    su_rng r;
    su_seed(&r, 77);
    for (unsigned n = 0; n < 32; n++) {
        png_raster *img = su_raster(1 + su_below(&r, 90), 1 + su_below(&r, 40), types[n % 4],
                                    n % 8 < 4 ? 8 : 16, (int)(n / 8 % 3), &r);
        stego_cells found, counted;
        stego_cells_find(img, &found);
        assert_null(found.counts);
        assert_int_equal(stego_cells_count(img, &counted), SHROUD_OK);
        assert_non_null(counted.counts);
        assert_int_equal(counted.samples, found.samples);
        assert_int_equal(counted.n, found.n);
        assert_int_equal(counted.usable, found.usable);
        stego_layout l = stego_layout_of(img);
        for (size_t c = 0; c < counted.n; c++) {
            unsigned want = 0;
            for (size_t s = c * 64; s < (c + 1) * 64 && s < counted.samples; s++)
                want += (unsigned)stego_usable(img, &l, (uint32_t)s, (unsigned)(s % l.channels));
            assert_int_equal(counted.counts[c], want);
        }
        stego_cells_free(&counted);
        assert_null(counted.counts);
        png_raster_free(img);
    }
}

/* Takes k samples from cur, by next() or by a run, and checks them against
 * ref. */
static void take_and_check(stego_cursor *cur, const png_raster *img, const uint32_t *ref, size_t k,
                           uint32_t *at, su_rng *r)
{
    size_t done = 0;
    while (done < k) {
        size_t left = k - done, piece = 1 + su_below(r, left < 5000 ? (uint32_t)left : 5000);
        if (su_below(r, 3) == 0) {
            assert_int_equal(stego_cursor_next(cur, at, piece), SHROUD_OK);
            assert_memory_equal(at, ref + done, piece * sizeof *at);
        } else if (su_below(r, 2) == 0) {
            piece = hooked_run(cur, img, ref + done, left, r);
        } else {
            stego_run run;
            assert_int_equal(stego_cursor_run(cur, piece, NULL, &run), SHROUD_OK);
            for (size_t i = 0; i < piece; i++)
                assert_int_equal(stego_run_sample(&run, i), ref[done + i]);
            stego_run_free(&run);
        }
        done += piece;
    }
}

/* The first part walked on a thread: its samples (no cmocka assertion
 * there), checked after the join. */
typedef struct {
    stego_cursor *cur;
    size_t n;
    uint32_t *got;
    int err;
} walker;

static void *walk(void *arg)
{
    walker *w = arg;
    stego_run run;
    w->err = stego_cursor_run(w->cur, w->n, NULL, &run);
    for (size_t i = 0; !w->err && i < w->n; i++)
        w->got[i] = stego_run_sample(&run, i);
    stego_run_free(&run);
    return NULL;
}

/* A split cursor: the lent part yields exactly the next `at` samples of the
 * order and then has none left, the split cursor all the samples after
 * them; the lent part walked before, after, or while (on a thread) the
 * split draws its cells; split at a cell boundary, inside a cell, at the
 * very end, after a start inside a cell; every image type, fast and
 * general paths. Refused: no counts, a lent cursor, a point inside the
 * current cell; a failed split fails the lent walk. */
static void test_split_cursors_yield_the_order(void **state)
{
    (void)state;
    static const int types[4] = {PNG_CT_GRAY, PNG_CT_GRAY_ALPHA, PNG_CT_RGB, PNG_CT_RGBA};
    su_rng r;
    su_seed(&r, 5150);
    uint32_t *at = malloc(65535 * sizeof *at);
    assert_non_null(at);
    for (unsigned n = 0; n < 64; n++) {
        png_raster *img = su_raster(8 + su_below(&r, 300), 8 + su_below(&r, 200), types[n % 4],
                                    n % 8 < 4 ? 8 : 16, n % 3 ? SU_FILL_PHOTO : SU_FILL_EDGES, &r);
        stego_cells cells;
        assert_int_equal(stego_cells_count(img, &cells), SHROUD_OK);
        stego_keys k;
        fixed_keys(&r, &k);
        uint32_t *ref = su_order_keys(img, NULL, 0, k.positions, SIZE_MAX, NULL);
        size_t total = cells.usable;
        if (total < 200) {
            free(ref);
            stego_cells_free(&cells);
            png_raster_free(img);
            continue;
        }
        stego_cursor cur;
        assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
        assert_int_equal(stego_cursor_rekey(&cur, k.positions), SHROUD_OK);
        size_t pre = n % 2 ? su_below(&r, (uint32_t)total / 4) : 0;
        assert_int_equal(stego_cursor_next(&cur, at, pre), SHROUD_OK);
        size_t cut; /* where the first part ends, from the cursor's place */
        switch (n % 5) {
        case 0: /* the very end */
            cut = total - pre;
            break;
        case 1: /* a cell boundary */
            cut = pre + 65 + su_below(&r, (uint32_t)(total - pre - 65));
            while (cut < total && ref[cut - 1] / 64 == ref[cut] / 64)
                cut++;
            cut -= pre;
            break;
        default:
            cut = 65 + su_below(&r, (uint32_t)(total - pre - 65 + 1));
        }
        /* inside the cursor's current cell: nothing to share */
        size_t in_cell = 0;
        while (pre && pre + in_cell < total && ref[pre + in_cell] / 64 == ref[pre - 1] / 64)
            in_cell++;
        stego_queue q, q2;
        stego_cursor first, other;
        if (in_cell)
            assert_int_equal(stego_cursor_lend(&cur, in_cell, &q, &first), SHROUD_ERR_ARGUMENT);
        assert_int_equal(stego_cursor_lend(&cur, total - pre + 1, &q, &first), SHROUD_ERR_CAPACITY);

        assert_int_equal(stego_cursor_lend(&cur, cut, &q, &first), SHROUD_OK);
        assert_int_equal(stego_cursor_remaining(&first), cut);
        assert_int_equal(stego_cursor_lend(&first, 100, &q2, &other), SHROUD_ERR_STATE);
        assert_int_equal(stego_cursor_rekey(&first, k.stream), SHROUD_ERR_STATE);
        int second_first = n % 3 == 0; /* they are independent */
        if (n % 4 == 2) {              /* the first part walked on a thread while the split draws */
            walker wk = {&first, cut, malloc(cut * sizeof(uint32_t)), -1};
            pthread_t t;
            assert_non_null(wk.got);
            assert_int_equal(pthread_create(&t, NULL, walk, &wk), 0);
            assert_int_equal(stego_cursor_split(&cur, cut, &q), SHROUD_OK);
            assert_int_equal(pthread_join(t, NULL), 0);
            assert_int_equal(wk.err, SHROUD_OK);
            assert_memory_equal(wk.got, ref + pre, cut * sizeof(uint32_t));
            free(wk.got);
        } else {
            assert_int_equal(stego_cursor_split(&cur, cut, &q), SHROUD_OK);
            if (second_first)
                take_and_check(&cur, img, ref + pre + cut, total - pre - cut, at, &r);
            take_and_check(&first, img, ref + pre, cut, at, &r);
        }
        assert_int_equal(stego_cursor_remaining(&first), 0);
        stego_run run;
        assert_int_equal(stego_cursor_next(&first, at, 1), SHROUD_ERR_CAPACITY);
        assert_int_equal(stego_cursor_run(&first, 1, NULL, &run), SHROUD_ERR_CAPACITY);
        if (!second_first || n % 4 == 2)
            take_and_check(&cur, img, ref + pre + cut, total - pre - cut, at, &r);
        assert_int_equal(stego_cursor_remaining(&cur), 0);
        assert_int_equal(stego_cursor_next(&cur, at, 1), SHROUD_ERR_CAPACITY);
        stego_cursor_free(&cur); /* the order's one owner */
        free(ref);
        stego_cells_free(&cells);
        png_raster_free(img);
    }
    /* no counts: no split */
    png_raster *img = su_raster(100, 100, PNG_CT_RGB, 8, SU_FILL_PHOTO, &r);
    stego_cells cells;
    stego_cells_find(img, &cells);
    stego_keys k;
    fixed_keys(&r, &k);
    stego_cursor cur, first;
    stego_queue q;
    assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
    assert_int_equal(stego_cursor_rekey(&cur, k.positions), SHROUD_OK);
    assert_int_equal(stego_cursor_lend(&cur, 1000, &q, &first), SHROUD_ERR_STATE);
    /* a split that failed: the first part's walk fails, it does not wait */
    stego_cells_free(&cells);
    assert_int_equal(stego_cells_count(img, &cells), SHROUD_OK);
    assert_int_equal(stego_cursor_lend(&cur, 1000, &q, &first), SHROUD_OK);
    atomic_store(&q.ready, STEGO_QUEUE_FAILED);
    stego_run run;
    assert_int_equal(stego_cursor_run(&first, 1000, NULL, &run), SHROUD_ERR_STATE);
    assert_int_equal(stego_cursor_next(&first, at, 1), SHROUD_ERR_STATE);
    stego_cursor_free(&cur);
    stego_cells_free(&cells);
    png_raster_free(img);
    free(at);
}

/* Long enough for two threads (stego_write_coded): on a cover with counted
 * cells the embedding is cut in two and changes exactly the samples the
 * one-thread walk changes (check_steps_match: steps, +-1, extraction);
 * 8-bit RGB (fast path) and 16-bit RGBA (general path), both modes. */
static void test_split_embedding_changes_the_same_samples(void **state)
{
    (void)state;
    su_rng r;
    su_seed(&r, 1812);
    for (int t = 0; t < 4; t++) {
        int wide = t % 2, salted = t / 2;
        png_raster *cover = wide ? su_raster(1024, 600, PNG_CT_RGBA, 16, SU_FILL_PHOTO, &r)
                                 : su_raster(1280, 640, PNG_CT_RGB, 8, SU_FILL_PHOTO, &r);
        stego_cells found, counted;
        stego_cells_find(cover, &found);
        assert_int_equal(stego_cells_count(cover, &counted), SHROUD_OK);
        size_t env_len = 600 + su_below(&r, 20000);
        uint8_t *env = malloc(env_len), salt[STEGO_SALT_BYTES];
        assert_non_null(env);
        su_bytes(&r, env, env_len);
        su_bytes(&r, salt, sizeof salt);
        stego_keys keys;
        fixed_keys(&r, &keys);
        png_raster *stego = NULL;
        assert_int_equal(png_raster_clone(cover, &stego), SHROUD_OK);
        shroud_stego_stats st;
        assert_int_equal(stego_embed(stego, &found, salted ? salt : NULL, &keys, env, env_len, &st),
                         SHROUD_OK);
        assert_true(st.samples_used > STEGO_SPLIT_MIN_SAMPLES + 200); /* the run splits */
        size_t n_changed = 0;
        uint32_t *changes = su_changed(cover, stego, &n_changed);
        assert_int_equal(n_changed, st.changed_samples);
        check_steps_match(cover, &counted, salted ? salt : NULL, &keys, env, env_len, changes,
                          n_changed);
        free(changes);
        free(env);
        stego_cells_free(&counted);
        png_raster_free(stego);
        png_raster_free(cover);
    }
}

/* The helper thread is started only when a write will be split (into
 * steps, counted cells, a long enough walk), and a writer freed without
 * writing stops it (no hang, no leak under the sanitizers). */
static void test_writer_helper_starts_only_when_useful(void **state)
{
    (void)state;
    su_rng r;
    su_seed(&r, 31);
    png_raster *img = su_raster(64, 48, PNG_CT_RGB, 8, SU_FILL_PHOTO, &r);
    stego_cells found, counted;
    stego_cells_find(img, &found);
    assert_int_equal(stego_cells_count(img, &counted), SHROUD_OK);
    stego_cursor cur;
    assert_int_equal(stego_cursor_init(&cur, img, &counted), SHROUD_OK);
    png_sample_step steps[4];
    stego_writer w;
    struct {
        png_raster *target;
        const stego_cells *cells;
        size_t samples;
        int started;
    } cases[] = {
        {NULL, &counted, STEGO_SPLIT_MIN_SAMPLES, 1},
        {NULL, &counted, STEGO_SPLIT_MIN_SAMPLES - 1, 0},
        {NULL, &found, STEGO_SPLIT_MIN_SAMPLES, 0},
        {img, &counted, STEGO_SPLIT_MIN_SAMPLES, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        assert_int_equal(stego_writer_init(&w, img, cases[k].target, steps, 4, &cur), SHROUD_OK);
        assert_int_equal(stego_writer_start_helper(&w, cases[k].cells, cases[k].samples),
                         SHROUD_OK);
        if (sysconf(_SC_NPROCESSORS_ONLN) >= 2)
            assert_int_equal(w.helper != NULL, cases[k].started);
        stego_writer_free(&w);
        assert_null(w.helper);
    }
    stego_cursor_free(&cur);
    stego_cells_free(&counted);
    png_raster_free(img);
}

static void test_keystream_below_bounds_and_uniformity(void **state)
{
    (void)state;
    uint8_t key[KEYSTREAM_KEY_BYTES];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(0xA0 + i);
    keystream ks;
    assert_int_equal(keystream_init(&ks, key), SHROUD_OK);
    uint32_t v = 7; /* bound 0 is outside the contract (bound >= 1): not tried */
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(keystream_below(&ks, 1, &v), SHROUD_OK);
        assert_int_equal(v, 0);
    }
    static const uint32_t bounds[] = {2, 3, 1000, 0x80000001u, 0xFFFFFFFEu, 0xFFFFFFFFu};
    for (size_t b = 0; b < N_ITEMS(bounds); b++) {
        int low = 0;
        for (int i = 0; i < 20000; i++) {
            assert_int_equal(keystream_below(&ks, bounds[b], &v), SHROUD_OK);
            assert_true(v < bounds[b]);
            low += v < bounds[b] / 2;
        }
        /* P(v < bound/2) = floor(bound/2) / bound: within 5 sigma (sigma <= 71) */
        double want = 20000.0 * (double)(bounds[b] / 2) / (double)bounds[b];
        assert_true(low > want - 355 && low < want + 355);
    }
    /* df = k - 1; limits: df + 6 sd, sd = sqrt(2 df) */
    static const uint32_t ks_bounds[] = {6, 1000};
    static const double ks_limits[] = {5 + 6 * 3.163, 999 + 6 * 44.70};
    for (size_t b = 0; b < N_ITEMS(ks_bounds); b++) {
        uint32_t k = ks_bounds[b];
        size_t draws = (size_t)k * 200;
        size_t *count = calloc(k, sizeof *count);
        assert_non_null(count);
        for (size_t i = 0; i < draws; i++) {
            assert_int_equal(keystream_below(&ks, k, &v), SHROUD_OK);
            count[v]++;
        }
        double expect = (double)draws / k, chi = 0;
        for (uint32_t i = 0; i < k; i++)
            chi += ((double)count[i] - expect) * ((double)count[i] - expect) / expect;
        double limit = ks_limits[b];
        if (chi > limit)
            fail_msg("chi-square %.1f over %u buckets (limit %.1f)", chi, k, limit);
        free(count);
    }
    keystream_free(&ks);
    keystream_free(&ks); /* twice is fine */
}

static void test_fisher_yates_draws_a_permutation(void **state)
{
    (void)state;
    su_rng r;
    su_seed(&r, 3);
    enum { N = 1000 };
    uint32_t list[N], sorted[N];
    for (uint32_t i = 0; i < N; i++)
        list[i] = i * 7919u + su_below(&r, 7); /* distinct, increasing */
    stego_keys k1, k2;
    fixed_keys(&r, &k1);
    fixed_keys(&r, &k2);
    positions p;
    const uint32_t *at = NULL;
    assert_int_equal(positions_init(&p, list, N), SHROUD_OK);
    assert_int_equal(positions_draw(&p, 1, &at), SHROUD_ERR_STATE); /* no key yet */
    assert_int_equal(positions_rekey(&p, k1.positions), SHROUD_OK);
    size_t drawn = 0, chunk = 1;
    uint32_t got[N];
    while (drawn < N) {
        size_t k = chunk < N - drawn ? chunk : N - drawn;
        assert_int_equal(positions_draw(&p, k, &at), SHROUD_OK);
        memcpy(got + drawn, at, k * sizeof *at);
        drawn += k;
        chunk = chunk * 3 + 1;
        if (drawn > N / 2 && drawn - k <= N / 2) /* switch keys midway, as the salt does */
            assert_int_equal(positions_rekey(&p, k2.positions), SHROUD_OK);
    }
    assert_int_equal(positions_draw(&p, 1, &at), SHROUD_ERR_CAPACITY);
    assert_int_equal(positions_draw(&p, 0, &at), SHROUD_OK);
    memcpy(sorted, got, sizeof got);
    qsort(sorted, N, sizeof *sorted, cmp_u32);
    assert_memory_equal(sorted, list, sizeof list); /* each entry exactly once */
    size_t fixed_points = 0;
    for (size_t i = 0; i < N; i++)
        fixed_points += got[i] == list[i];
    assert_true(fixed_points < 10); /* shuffled (expected: 1) */
    positions_free(&p);
    positions_free(&p);

    /* more than there are: refused, nothing drawn */
    assert_int_equal(positions_init(&p, list, 5), SHROUD_OK);
    assert_int_equal(positions_rekey(&p, k1.positions), SHROUD_OK);
    assert_int_equal(positions_draw(&p, 6, &at), SHROUD_ERR_CAPACITY);
    assert_int_equal(positions_draw(&p, 5, &at), SHROUD_OK);
    positions_free(&p);
    /* an empty list */
    assert_int_equal(positions_init(&p, list, 0), SHROUD_OK);
    assert_int_equal(positions_rekey(&p, k1.positions), SHROUD_OK);
    assert_int_equal(positions_draw(&p, 0, &at), SHROUD_OK);
    assert_int_equal(positions_draw(&p, 1, &at), SHROUD_ERR_CAPACITY);
    positions_free(&p);

    /* the first draw over 5 entries is uniform across keys */
    size_t first[5] = {0};
    for (int i = 0; i < 2000; i++) {
        stego_keys k;
        fixed_keys(&r, &k);
        assert_int_equal(positions_init(&p, list, 5), SHROUD_OK);
        assert_int_equal(positions_rekey(&p, k.positions), SHROUD_OK);
        assert_int_equal(positions_draw(&p, 1, &at), SHROUD_OK);
        first[at[0] / 7919u]++;
        positions_free(&p);
    }
    for (int i = 0; i < 5; i++)
        assert_true(first[i] > 400 - 100 && first[i] < 400 + 100);
}

/*
 * Known answers. These constants pin the steganography format of
 * docs/FORMAT.md section 6 (keystream = AES-256-CTR from a zero counter
 * block, u32 little-endian, below() = Lemire multiply-shift with rejection,
 * draw k swaps entries k and k + below(n - k); cells of 64 samples, usable
 * ones in increasing order, the rest of a cell skipped at a key change).
 * They were computed independently (openssl enc -aes-256-ctr and a Python
 * transcription of section 6). If they change, every stego image made so
 * far becomes unreadable: change the format version, not these numbers.
 */
static void test_known_answers_pin_the_format(void **state)
{
    (void)state;
    uint8_t key[KEYSTREAM_KEY_BYTES];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)i; /* 0x00 .. 0x1f */
    static const uint32_t want_u32[8] = {0xb60090f2u, 0xd09f492au, 0x6a9af3a9u, 0x80772eddu,
                                         0xae765df0u, 0xe59fb94au, 0x319bf6a6u, 0x3d36c248u};
    keystream ks;
    assert_int_equal(keystream_init(&ks, key), SHROUD_OK);
    for (int i = 0; i < 8; i++) {
        uint32_t v = 0;
        assert_int_equal(keystream_u32(&ks, &v), SHROUD_OK);
        assert_int_equal(v, want_u32[i]);
    }
    keystream_free(&ks);
    /* keystream_bytes gives the same stream as bytes */
    uint8_t bytes[8];
    assert_int_equal(keystream_init(&ks, key), SHROUD_OK);
    assert_int_equal(keystream_bytes(&ks, bytes, 8), SHROUD_OK);
    assert_int_equal(bytes[0] | bytes[1] << 8 | bytes[2] << 16 | (uint32_t)bytes[3] << 24,
                     want_u32[0]);
    keystream_free(&ks);

    static const uint32_t want_pos[10] = {710, 815, 417, 503, 682, 897, 198, 244, 871, 742};
    uint32_t list[1000];
    for (uint32_t i = 0; i < 1000; i++)
        list[i] = i;
    positions p;
    const uint32_t *at = NULL;
    assert_int_equal(positions_init(&p, list, 1000), SHROUD_OK);
    assert_int_equal(positions_rekey(&p, key), SHROUD_OK);
    assert_int_equal(positions_draw(&p, 3, &at), SHROUD_OK); /* in pieces: the same draws */
    assert_memory_equal(at, want_pos, 3 * sizeof *at);
    assert_int_equal(positions_draw(&p, 7, &at), SHROUD_OK);
    assert_memory_equal(at, want_pos + 3, 7 * sizeof *at);
    positions_free(&p);

    /* the same shuffle over cells numbered 0 .. 999 */
    assert_int_equal(positions_init_identity(&p, 1000), SHROUD_OK);
    assert_int_equal(positions_rekey(&p, key), SHROUD_OK);
    assert_int_equal(positions_draw(&p, 10, &at), SHROUD_OK);
    assert_memory_equal(at, want_pos, 10 * sizeof *at);
    positions_free(&p);

    /* the cell order: a 20 x 10 gray image, sample s = (37 s + 11) mod 256
     * (only sample 145 is 0 or 255), 4 cells (the last one 8 samples) */
    png_raster *img = su_raster(20, 10, PNG_CT_GRAY, 8, SU_FILL_PHOTO, &(su_rng){1});
    for (uint32_t s = 0; s < 200; s++)
        img->pixels[s] = (uint8_t)((37 * s + 11) % 256);
    static const uint32_t want_walk[24] = {128, 129, 130, 131, 132, 133, 134, 135,
                                           136, 137, 138, 139, 140, 141, 142, 143,
                                           144, 146, 147, 148, 149, 150, 151, 152};
    stego_cells cells;
    stego_cells_find(img, &cells);
    assert_int_equal(cells.n, 4);
    assert_int_equal(cells.usable, 199);
    stego_cursor cur;
    uint32_t got[24];
    assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
    assert_int_equal(stego_cursor_rekey(&cur, key), SHROUD_OK);
    assert_int_equal(stego_cursor_next(&cur, got, 24), SHROUD_OK);
    assert_memory_equal(got, want_walk, sizeof want_walk);
    stego_cursor_free(&cur);
    /* 5 samples from the salt key's cells, the rest of that cell skipped, 10 from key's */
    static const uint32_t want_salt5[5] = {64, 65, 66, 67, 68};
    static const uint32_t want_after[10] = {192, 193, 194, 195, 196, 197, 198, 199, 0, 1};
    uint8_t sk[32];
    assert_int_equal(stego_salt_key(sk), SHROUD_OK);
    assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
    assert_int_equal(stego_cursor_rekey(&cur, sk), SHROUD_OK);
    assert_int_equal(stego_cursor_next(&cur, got, 5), SHROUD_OK);
    assert_memory_equal(got, want_salt5, sizeof want_salt5);
    assert_int_equal(stego_cursor_rekey(&cur, key), SHROUD_OK);
    assert_int_equal(stego_cursor_remaining(&cur), 199 - 64);
    assert_int_equal(stego_cursor_next(&cur, got, 10), SHROUD_OK);
    assert_memory_equal(got, want_after, sizeof want_after);
    stego_cursor_free(&cur);
    png_raster_free(img);

    /* the public key of the passphrase mode's salt positions:
     * SHA-256("shroud/v1 stego salt positions") */
    static const uint8_t want_salt_key[32] = {0x12, 0x39, 0xda, 0x5b, 0x3e, 0x57, 0xd3, 0xac,
                                              0x7f, 0xd3, 0xfe, 0x1c, 0xc2, 0x79, 0x28, 0x4e,
                                              0x0b, 0x6a, 0x53, 0xa5, 0xf2, 0x19, 0x8d, 0xad,
                                              0xf9, 0xd4, 0x9a, 0x56, 0x90, 0xa3, 0xad, 0x35};
    uint8_t salt_key[32];
    assert_int_equal(stego_salt_key(salt_key), SHROUD_OK);
    assert_memory_equal(salt_key, want_salt_key, 32);
}

/* Hamming matrix embedding on its own: any bits, at most one change per group. */
static void test_hamming_groups_change_at_most_one_sample(void **state)
{
    (void)state;
    su_rng r;
    su_seed(&r, 17);
    for (unsigned p = 1; p <= 10; p++) {
        int type = p % 2 ? PNG_CT_GRAY : PNG_CT_RGBA; /* fast path and general path */
        png_raster *img = su_raster(128, 96, type, 8, SU_FILL_PHOTO, &r);
        png_raster *orig = NULL;
        assert_int_equal(png_raster_clone(img, &orig), SHROUD_OK);
        stego_cells cells;
        stego_cells_find(img, &cells);
        size_t group = stego_code_group(p), groups = cells.usable / group;
        if (groups > 200)
            groups = 200;
        size_t nbits = groups * p;
        uint8_t *bits = calloc(nbits / 8 + 2, 1), *got = calloc(nbits / 8 + 2, 1);
        assert_non_null(bits);
        assert_non_null(got);
        su_bytes(&r, bits, nbits / 8 + 1);
        stego_keys k;
        fixed_keys(&r, &k);
        stego_cursor cur;
        stego_writer w;
        assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
        assert_int_equal(stego_cursor_rekey(&cur, k.positions), SHROUD_OK);
        assert_int_equal(stego_writer_init(&w, img, img, NULL, 0, &cur), SHROUD_OK);
        assert_int_equal(stego_write_coded(&w, p, bits, nbits), SHROUD_OK);
        assert_int_equal(cells.usable - stego_cursor_remaining(&cur), groups * group);
        stego_cursor_free(&cur);
        uint32_t *drawn = su_order_keys(orig, NULL, 0, k.positions, groups * group, NULL);
        /* per group of drawn samples, at most one changed; nothing else changed */
        size_t n_changed = 0;
        uint32_t *changes = su_changed(orig, img, &n_changed);
        su_assert_subset(changes, n_changed, drawn, groups * group);
        for (size_t g = 0; g < groups; g++) {
            size_t ch = 0;
            for (size_t i = 0; i < group; i++) {
                uint32_t s = drawn[g * group + i];
                ch += stego_sample(img, s) != stego_sample(orig, s);
            }
            assert_true(ch <= 1);
        }
        assert_int_equal(su_check_stego(orig, img), w.changed);
        /* and the reader gets the bits back */
        assert_int_equal(stego_cursor_init(&cur, img, &cells), SHROUD_OK);
        assert_int_equal(stego_cursor_rekey(&cur, k.positions), SHROUD_OK);
        assert_int_equal(stego_read_coded(&cur, p, got, 0, nbits), SHROUD_OK);
        for (size_t b = 0; b < nbits; b++)
            assert_int_equal((got[b / 8] >> (7 - b % 8)) & 1, (bits[b / 8] >> (7 - b % 8)) & 1);
        /* expected changes per group: 1 - 2^-p (p = 1: half) */
        double rate = (double)w.changed / (double)groups;
        double want = 1.0 - 1.0 / (double)(1u << p);
        assert_true(rate > want - 0.2 && rate < want + 0.2);
        stego_cursor_free(&cur);
        stego_writer_free(&w);
        free(changes);
        free(drawn);
        free(bits);
        free(got);
        png_raster_free(orig);
        png_raster_free(img);
    }
}

/* stego_run_value (64 samples at a time) against the sample-by-sample XOR,
 * for groups starting at every offset modulo 64 and as long as every code
 * makes them (up to 65535); and window64_masks against a byte-by-byte
 * reading. */
static void test_run_values_and_masks_match_the_plain_walk(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15u;
    enum { BITS = 70000 };
    uint64_t *lsb = calloc(BITS / 64 + 2, sizeof *lsb);
    assert_non_null(lsb);
    stego_run run = {.lsb = lsb, .n = BITS};
    for (int fill = 0; fill < 3; fill++) {
        for (size_t w = 0; w < BITS / 64 + 1; w++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            lsb[w] = fill == 0 ? ~0ull : fill == 1 ? x & (x >> 3) : x;
        }
        lsb[BITS / 64] &= (1ull << (BITS % 64)) - 1;
        for (size_t start = 0; start < 130; start += (fill ? 7 : 1)) {
            static const size_t lens[] = {0,    1,    2,    3,    7,     15,    31,
                                          63,   64,   65,   127,  128,   255,   511,
                                          1023, 2047, 4095, 8191, 16383, 32767, 65535};
            for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
                size_t len = lens[li];
                uint32_t want = 0;
                for (size_t k = 0; k < len; k++)
                    if (lsb[(start + k) / 64] >> ((start + k) % 64) & 1)
                        want ^= (uint32_t)(k + 1);
                assert_int_equal(stego_run_value(&run, start, len), want);
            }
        }
    }
    free(lsb);
    uint8_t px[64];
    for (int rep = 0; rep < 200; rep++) {
        for (int k = 0; k < 64; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            px[k] = (uint8_t)(x % 5 == 0 ? (x & 8 ? 0 : 255) : x >> 8);
        }
        uint64_t usable, lsb_mask, want_u = 0, want_l = 0;
        window64_masks(px, &usable, &lsb_mask);
        for (int k = 0; k < 64; k++) {
            uint64_t use = px[k] != 0 && px[k] != 255;
            want_u |= use << k;
            want_l |= (use & px[k]) << k;
        }
        assert_true(usable == want_u);
        assert_true(lsb_mask == want_l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usable_set_and_positions_are_stable),
        cmocka_unit_test(test_usable_samples_definition),
        cmocka_unit_test(test_code_byte_and_length_are_whitened),
        cmocka_unit_test(test_cursor_follows_the_definition),
        cmocka_unit_test(test_hooked_runs_slide_their_window),
        cmocka_unit_test(test_cells_count_each_cell),
        cmocka_unit_test(test_split_cursors_yield_the_order),
        cmocka_unit_test(test_split_embedding_changes_the_same_samples),
        cmocka_unit_test(test_writer_helper_starts_only_when_useful),
        cmocka_unit_test(test_keystream_below_bounds_and_uniformity),
        cmocka_unit_test(test_fisher_yates_draws_a_permutation),
        cmocka_unit_test(test_known_answers_pin_the_format),
        cmocka_unit_test(test_run_values_and_masks_match_the_plain_walk),
        cmocka_unit_test(test_hamming_groups_change_at_most_one_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
