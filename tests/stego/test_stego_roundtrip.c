/*
 * shroud_stego_hide / shroud_stego_reveal round trips: every PNG cover type
 * (gray, gray+alpha, RGB, RGBA at 8 and 16 bits) and BMP (24-bit, 32-bit
 * BI_RGB, 32-bit with alpha, 8-bit gray with an identity and a reversed
 * palette), messages of 0, 1, 2, 100 bytes, a third of the capacity,
 * capacity - 1 and exactly the capacity; capacity + 1 is refused with
 * SHROUD_ERR_CAPACITY and nothing returned. Each stego image is a PNG of the
 * cover's size and type whose samples differ from the cover only by +-1 at
 * usable samples among the positions the recipient's key draws, with
 * stats.changed_samples changes, at most one per Hamming group, the code
 * length the largest that fits. RSA recipients, several recipients (the
 * later ones reveal with --position-key, i.e. position_keys) and the
 * passphrase mode (scrypt: only a few calls).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stego/cover.h"
#include "stego/stego_internal.h"
#include "stego_util.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

enum { KIND_PNG, KIND_BMP };

typedef struct {
    const char *name;
    int kind;
    int color_type, depth;
    int fill;
    int bmp_bits, reverse_palette;
} cover_case;

static const cover_case cases[] = {
    {"png gray 8", KIND_PNG, PNG_CT_GRAY, 8, SU_FILL_PHOTO, 0, 0},
    {"png gray 16", KIND_PNG, PNG_CT_GRAY, 16, SU_FILL_PHOTO, 0, 0},
    {"png gray+alpha 8", KIND_PNG, PNG_CT_GRAY_ALPHA, 8, SU_FILL_PHOTO, 0, 0},
    {"png gray+alpha 16", KIND_PNG, PNG_CT_GRAY_ALPHA, 16, SU_FILL_PHOTO, 0, 0},
    {"png rgb 8", KIND_PNG, PNG_CT_RGB, 8, SU_FILL_PHOTO, 0, 0},
    {"png rgb 16", KIND_PNG, PNG_CT_RGB, 16, SU_FILL_PHOTO, 0, 0},
    {"png rgba 8", KIND_PNG, PNG_CT_RGBA, 8, SU_FILL_PHOTO, 0, 0},
    {"png rgba 16", KIND_PNG, PNG_CT_RGBA, 16, SU_FILL_PHOTO, 0, 0},
    {"png rgba 8 edges", KIND_PNG, PNG_CT_RGBA, 8, SU_FILL_EDGES, 0, 0},
    {"png gray 16 edges", KIND_PNG, PNG_CT_GRAY, 16, SU_FILL_EDGES, 0, 0},
    {"bmp 24-bit", KIND_BMP, PNG_CT_RGB, 8, SU_FILL_PHOTO, 24, 0},
    {"bmp 32-bit BI_RGB", KIND_BMP, PNG_CT_RGB, 8, SU_FILL_PHOTO, 32, 0},
    {"bmp 32-bit alpha", KIND_BMP, PNG_CT_RGBA, 8, SU_FILL_PHOTO, 32, 0},
    {"bmp 8-bit gray", KIND_BMP, PNG_CT_GRAY, 8, SU_FILL_PHOTO, 8, 0},
    {"bmp 8-bit gray reversed palette", KIND_BMP, PNG_CT_GRAY, 8, SU_FILL_EDGES, 8, 1},
};

/* 97 x 61: an odd width (BMP row padding), about 6000 pixels. */
#define W 97
#define H 61

typedef struct {
    uint8_t *file;
    size_t len;
    png_raster *img; /* the cover as the cover reader decodes it */
    shroud_cover *cover;
} test_cover;

static void make_cover(const cover_case *cc, unsigned seed, test_cover *t)
{
    su_rng r;
    su_seed(&r, seed);
    png_raster *src = su_raster(W, H, cc->color_type, cc->depth, cc->fill, &r);
    t->file = cc->kind == KIND_PNG ? su_png(src, &t->len)
                                   : su_bmp(src, cc->bmp_bits, cc->reverse_palette, &t->len);
    t->img = su_decode_cover(t->file, t->len);
    /* the decoders give back exactly the samples written */
    assert_int_equal(t->img->color_type, src->color_type);
    assert_int_equal(t->img->bit_depth, src->bit_depth);
    assert_memory_equal(t->img->pixels, src->pixels, src->stride * src->height);
    png_raster_free(src);
    t->cover = su_cover(t->file, t->len);
}

static void free_cover(test_cover *t)
{
    shroud_cover_free(t->cover);
    png_raster_free(t->img);
    free(t->file);
}

static size_t ceil_div(size_t a, size_t b)
{
    return (a + b - 1) / b;
}

/* What any stego image of `t` must satisfy for a stream of stream_bytes
 * bytes: the sample-level checks, the stats, one change per group at most,
 * the largest code that fits. Returns the stego raster (free it). */
static png_raster *check_stego(const test_cover *t, const uint8_t *png, size_t png_len,
                               const shroud_stego_stats *st, size_t stream_bytes, int salted)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    assert_true(png_len > 8);
    assert_memory_equal(png, sig, 8); /* always PNG, whatever the cover */
    png_raster *stego = NULL;
    assert_int_equal(png_raster_decode(png, png_len, &stego), SHROUD_OK);
    size_t changed = su_check_stego(t->img, stego);

    size_t usable = 0;
    assert_int_equal(shroud_cover_info(t->cover, NULL, NULL, &usable), SHROUD_OK);
    size_t fixed = (salted ? STEGO_SALT_RESERVE : 0) + STEGO_CODE_BITS_SAMPLES;
    size_t coded = stream_bytes - 1 - (salted ? STEGO_SALT_BYTES : 0);
    unsigned p = st->code_bits;
    assert_true(p >= 1 && p <= STEGO_MAX_CODE_BITS);
    size_t groups = ceil_div(coded * 8, p);
    assert_int_equal(st->usable_samples, usable);
    assert_int_equal(st->stream_bits, stream_bytes * 8);
    assert_int_equal(st->changed_samples, changed);
    /* the salt, the rest of its last cell (at most 63 usable samples), the code byte, the groups */
    size_t walked =
        (salted ? STEGO_SALT_SAMPLES : 0) + STEGO_CODE_BITS_SAMPLES + groups * stego_code_group(p);
    assert_true(st->samples_used >= walked && st->samples_used <= walked + (salted ? 63 : 0));
    assert_true(st->samples_used <= usable);
    /* the largest code that fits: one more bit per group would not */
    if (p < STEGO_MAX_CODE_BITS)
        assert_true(ceil_div(coded * 8, p + 1) * stego_code_group(p + 1) > usable - fixed);
    /* matrix embedding: at most one change per group, plus the plain parts */
    assert_true(changed <= groups + STEGO_CODE_BITS_SAMPLES + (salted ? STEGO_SALT_SAMPLES : 0));
    double bps = (double)st->stream_bits / (double)usable;
    assert_true(st->bits_per_sample > bps * 0.999 && st->bits_per_sample < bps * 1.001);
    return stego;
}

/* In recipient mode the positions are public given the first key: every
 * changed sample lies among the samples of the order it defines. */
static void check_recipient_positions(const test_cover *t, const png_raster *stego,
                                      const shroud_recipient *first, const shroud_stego_stats *st)
{
    stego_keys keys;
    assert_int_equal(stego_keys_from_recipient(first, &keys), SHROUD_OK);
    uint32_t *drawn = su_order(t->img, 0, &keys, st->samples_used, NULL);
    size_t n_changed = 0;
    uint32_t *changed = su_changed(t->img, stego, &n_changed);
    su_assert_subset(changed, n_changed, drawn, st->samples_used);
    free(changed);
    free(drawn);
}

static void random_message(su_rng *r, uint8_t **msg, size_t len)
{
    *msg = malloc(len ? len : 1);
    assert_non_null(*msg);
    su_bytes(r, *msg, len);
}

/* Hides len bytes for the recipients, checks the image, reveals with ids. */
static void roundtrip(const test_cover *t, const shroud_recipient *const *rcp, size_t n_rcp,
                      const shroud_identity *const *ids, size_t n_ids, size_t len, su_rng *r)
{
    uint8_t *msg = NULL, *out = NULL, *back = NULL;
    size_t out_len = 0, back_len = 0, stream = 0;
    random_message(r, &msg, len);
    shroud_stego_stats st;
    memset(&st, 0, sizeof st);
    int err = shroud_stego_hide(t->cover, rcp, n_rcp, NULL, 0, msg, len, &out, &out_len, &st);
    if (err)
        fail_msg("hide of %zu bytes: %s", len, shroud_strerror(err));
    assert_int_equal(shroud_stego_stream_bytes(rcp, n_rcp, 0, len, &stream), SHROUD_OK);
    png_raster *stego = check_stego(t, out, out_len, &st, stream, 0);
    check_recipient_positions(t, stego, rcp[0], &st);
    png_raster_free(stego);

    err = shroud_stego_reveal(out, out_len, ids, n_ids, NULL, 0, NULL, 0, &back, &back_len);
    if (err)
        fail_msg("reveal of %zu bytes: %s", len, shroud_strerror(err));
    assert_int_equal(back_len, len);
    if (len)
        assert_memory_equal(back, msg, len);
    shroud_free_secret(back, back_len);
    shroud_free(out);
    free(msg);
}

static void refused_over_capacity(const test_cover *t, const shroud_recipient *const *rcp,
                                  size_t n_rcp, const char *pass, size_t cap)
{
    uint8_t *msg = calloc(cap + 1, 1), *out = (uint8_t *)"x";
    size_t out_len = 99;
    assert_non_null(msg);
    int err = shroud_stego_hide(t->cover, rcp, n_rcp, pass, pass ? strlen(pass) : 0, msg, cap + 1,
                                &out, &out_len, NULL);
    assert_int_equal(err, SHROUD_ERR_CAPACITY);
    assert_null(out);
    assert_int_equal(out_len, 0);
    free(msg);
}

/* capacity is the largest message whose stream fits at one bit per sample. */
static void check_capacity_formula(const test_cover *t, const shroud_recipient *const *rcp,
                                   size_t n_rcp, int salted, size_t cap)
{
    size_t usable = t->cover->cells.usable, stream = 0;
    size_t fixed = (salted ? STEGO_SALT_RESERVE : 0) + STEGO_CODE_BITS_SAMPLES;
    size_t extra = 1 + (salted ? STEGO_SALT_BYTES : 0);
    assert_int_equal(shroud_stego_stream_bytes(rcp, n_rcp, salted, cap, &stream), SHROUD_OK);
    assert_true((stream - extra) * 8 <= usable - fixed);
    assert_int_equal(shroud_stego_stream_bytes(rcp, n_rcp, salted, cap + 1, &stream), SHROUD_OK);
    assert_true((stream - extra) * 8 > usable - fixed);
}

static void test_every_cover_type_x25519(void **state)
{
    (void)state;
    shroud_identity *id = su_identity();
    shroud_recipient *pk = su_recipient(id);
    const shroud_recipient *rcp[1] = {pk};
    const shroud_identity *ids[1] = {id};
    su_rng r;
    su_seed(&r, 42);
    for (size_t i = 0; i < N_ITEMS(cases); i++) {
        print_message("cover: %s\n", cases[i].name);
        test_cover t;
        make_cover(&cases[i], 100 + (unsigned)i, &t);
        size_t cap = 0;
        assert_int_equal(shroud_cover_capacity(t.cover, rcp, 1, 0, &cap), SHROUD_OK);
        assert_true(cap > 200);
        check_capacity_formula(&t, rcp, 1, 0, cap);
        size_t sizes[] = {0, 1, 2, 100, cap / 3, cap - 1, cap};
        for (size_t k = 0; k < N_ITEMS(sizes); k++)
            roundtrip(&t, rcp, 1, ids, 1, sizes[k], &r);
        refused_over_capacity(&t, rcp, 1, NULL, cap);
        free_cover(&t);
    }
    shroud_recipient_free(pk);
    shroud_identity_free(id);
}

static void test_many_random_covers_and_sizes(void **state)
{
    (void)state;
    static const int types[4] = {PNG_CT_GRAY, PNG_CT_GRAY_ALPHA, PNG_CT_RGB, PNG_CT_RGBA};
    shroud_identity *id = su_identity();
    shroud_recipient *pk = su_recipient(id);
    const shroud_recipient *rcp[1] = {pk};
    const shroud_identity *ids[1] = {id};
    su_rng r;
    su_seed(&r, 7);
    for (unsigned n = 0; n < 24; n++) {
        cover_case cc = {"random",
                         KIND_PNG,
                         types[n % 4],
                         n % 8 < 4 ? 8 : 16,
                         n % 3 == 0 ? SU_FILL_EDGES : SU_FILL_PHOTO,
                         0,
                         0};
        test_cover t;
        make_cover(&cc, 1000 + n, &t);
        size_t cap = 0;
        assert_int_equal(shroud_cover_capacity(t.cover, rcp, 1, 0, &cap), SHROUD_OK);
        roundtrip(&t, rcp, 1, ids, 1, su_below(&r, (uint32_t)cap + 1), &r);
        free_cover(&t);
    }
    shroud_recipient_free(pk);
    shroud_identity_free(id);
}

/* Messages around the envelope's 16 KiB chunk size: the size formula of
 * shroud_stego_stream_bytes must agree with what the sealer writes. */
static void test_chunk_boundaries(void **state)
{
    (void)state;
    shroud_identity *id = su_identity();
    shroud_recipient *pk = su_recipient(id);
    const shroud_recipient *rcp[1] = {pk};
    const shroud_identity *ids[1] = {id};
    su_rng r;
    su_seed(&r, 16384);
    cover_case cc = {"big rgb", KIND_PNG, PNG_CT_RGB, 8, SU_FILL_PHOTO, 0, 0};
    test_cover t;
    su_rng cr;
    su_seed(&cr, 5);
    png_raster *src = su_raster(240, 200, cc.color_type, cc.depth, cc.fill, &cr);
    t.file = su_png(src, &t.len);
    t.img = src;
    t.cover = su_cover(t.file, t.len);
    size_t cap = 0;
    assert_int_equal(shroud_cover_capacity(t.cover, rcp, 1, 0, &cap), SHROUD_OK);
    assert_true(cap > 16385);
    size_t sizes[] = {16383, 16384, 16385, cap};
    for (size_t k = 0; k < N_ITEMS(sizes); k++)
        roundtrip(&t, rcp, 1, ids, 1, sizes[k], &r);
    free_cover(&t);
    shroud_recipient_free(pk);
    shroud_identity_free(id);
}

static shroud_identity *rsa_id;

static int make_rsa(void **state)
{
    (void)state;
    return shroud_identity_generate_rsa(&rsa_id, 2048) == SHROUD_OK ? 0 : -1;
}

static int free_rsa(void **state)
{
    (void)state;
    shroud_identity_free(rsa_id);
    return 0;
}

static void test_rsa_recipient(void **state)
{
    (void)state;
    shroud_recipient *pk = su_recipient(rsa_id);
    shroud_identity *xid = su_identity();
    shroud_recipient *xpk = su_recipient(xid);
    const shroud_recipient *rcp[1] = {pk}, *xrcp[1] = {xpk};
    const shroud_identity *ids[1] = {rsa_id};
    su_rng r;
    su_seed(&r, 9);
    test_cover t;
    make_cover(&cases[4], 77, &t); /* RGB 8 */
    size_t cap = 0, xcap = 0;
    assert_int_equal(shroud_cover_capacity(t.cover, rcp, 1, 0, &cap), SHROUD_OK);
    assert_int_equal(shroud_cover_capacity(t.cover, xrcp, 1, 0, &xcap), SHROUD_OK);
    /* an RSA-2048 stanza body is the 256-byte ciphertext, an X25519 one 80 bytes */
    assert_int_equal(xcap - cap, 256 - 80);
    check_capacity_formula(&t, rcp, 1, 0, cap);
    roundtrip(&t, rcp, 1, ids, 1, 1, &r);
    roundtrip(&t, rcp, 1, ids, 1, cap, &r);
    refused_over_capacity(&t, rcp, 1, NULL, cap);
    free_cover(&t);
    shroud_recipient_free(xpk);
    shroud_identity_free(xid);
    shroud_recipient_free(pk);
}

static void test_second_recipient_needs_the_first_key_for_positions(void **state)
{
    (void)state;
    shroud_identity *a = su_identity(), *b = su_identity(), *c = su_identity();
    shroud_recipient *pa = su_recipient(a), *pb = su_recipient(b), *pc = su_recipient(c);
    shroud_recipient *prsa = su_recipient(rsa_id);
    const shroud_recipient *rcp[3] = {pa, pb, prsa};
    su_rng r;
    su_seed(&r, 11);
    test_cover t;
    make_cover(&cases[6], 55, &t); /* RGBA 8 */
    const uint8_t msg[] = "meet at the usual place";
    uint8_t *out = NULL, *back = NULL;
    size_t out_len = 0, back_len = 0;
    assert_int_equal(
        shroud_stego_hide(t.cover, rcp, 3, NULL, 0, msg, sizeof msg, &out, &out_len, NULL),
        SHROUD_OK);

    const shroud_identity *ia[1] = {a}, *ib[1] = {b}, *ic[1] = {c}, *irsa[1] = {rsa_id};
    const shroud_identity *icb[2] = {c, b};
    const shroud_recipient *first[1] = {pa}, *wrong[2] = {pb, pc}, *several[3] = {pc, pb, pa};
    /* the first recipient finds it with its own key */
    assert_int_equal(shroud_stego_reveal(out, out_len, ia, 1, NULL, 0, NULL, 0, &back, &back_len),
                     SHROUD_OK);
    assert_int_equal(back_len, sizeof msg);
    assert_memory_equal(back, msg, sizeof msg);
    shroud_free_secret(back, back_len);
    /* the others cannot find it without the first key ... */
    assert_int_equal(shroud_stego_reveal(out, out_len, ib, 1, NULL, 0, NULL, 0, &back, &back_len),
                     SHROUD_ERR_NO_MESSAGE);
    assert_null(back);
    assert_int_equal(shroud_stego_reveal(out, out_len, ib, 1, wrong, 2, NULL, 0, &back, &back_len),
                     SHROUD_ERR_NO_MESSAGE);
    assert_int_equal(shroud_stego_reveal(out, out_len, irsa, 1, NULL, 0, NULL, 0, &back, &back_len),
                     SHROUD_ERR_NO_MESSAGE);
    /* ... and with it they do, among other position keys and other identities */
    const shroud_identity *const *who[3] = {ib, irsa, icb};
    size_t n_who[3] = {1, 1, 2};
    for (size_t i = 0; i < 3; i++) {
        back = NULL;
        assert_int_equal(shroud_stego_reveal(out, out_len, who[i], n_who[i], i ? several : first,
                                             i ? 3 : 1, NULL, 0, &back, &back_len),
                         SHROUD_OK);
        assert_int_equal(back_len, sizeof msg);
        assert_memory_equal(back, msg, sizeof msg);
        shroud_free_secret(back, back_len);
    }
    /* the first key locates the stream, but someone not a recipient cannot open it */
    assert_int_equal(shroud_stego_reveal(out, out_len, ic, 1, first, 1, NULL, 0, &back, &back_len),
                     SHROUD_ERR_NO_MESSAGE);
    assert_null(back);
    shroud_free(out);
    free_cover(&t);
    shroud_recipient_free(prsa);
    shroud_recipient_free(pc);
    shroud_recipient_free(pb);
    shroud_recipient_free(pa);
    shroud_identity_free(c);
    shroud_identity_free(b);
    shroud_identity_free(a);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* scrypt N = 2^17 per call: three calls here (one hide, two reveals). */
static void test_passphrase_full_capacity_and_wrong_passphrase(void **state)
{
    (void)state;
    static const char pass[] = "correct horse battery staple";
    su_rng r;
    su_seed(&r, 13);
    test_cover t;
    make_cover(&cases[13], 21, &t); /* BMP 8-bit gray */
    size_t cap = 0, xcap = 0, stream = 0;
    assert_int_equal(shroud_cover_capacity(t.cover, NULL, 0, 1, &cap), SHROUD_OK);
    check_capacity_formula(&t, NULL, 0, 1, cap);
    shroud_identity *id = su_identity();
    shroud_recipient *pk = su_recipient(id);
    const shroud_recipient *rcp[1] = {pk};
    assert_int_equal(shroud_cover_capacity(t.cover, rcp, 1, 0, &xcap), SHROUD_OK);
    check_capacity_formula(&t, rcp, 1, 0, xcap);
    /* the salt reserve (128 + 63 samples, about 24 bytes) vs an X25519 stanza 15 bytes
     * larger than the scrypt one */
    assert_true(xcap - cap == 8 || xcap - cap == 9);

    /* too large: refused before any scrypt */
    double t0 = now();
    refused_over_capacity(&t, NULL, 0, pass, cap);
    assert_true(now() - t0 < 0.3);

    uint8_t *msg = NULL, *out = NULL, *back = NULL;
    size_t out_len = 0, back_len = 0;
    random_message(&r, &msg, cap);
    shroud_stego_stats st;
    assert_int_equal(
        shroud_stego_hide(t.cover, NULL, 0, pass, strlen(pass), msg, cap, &out, &out_len, &st),
        SHROUD_OK);
    assert_int_equal(shroud_stego_stream_bytes(NULL, 0, 1, cap, &stream), SHROUD_OK);
    assert_int_equal(st.code_bits, 1); /* full: one bit per sample */
    png_raster *stego = check_stego(&t, out, out_len, &st, stream, 1);
    png_raster_free(stego);

    assert_int_equal(
        shroud_stego_reveal(out, out_len, NULL, 0, NULL, 0, pass, strlen(pass), &back, &back_len),
        SHROUD_OK);
    assert_int_equal(back_len, cap);
    assert_memory_equal(back, msg, cap);
    shroud_free_secret(back, back_len);

    /* a wrong passphrase (and an identity that is no recipient): one error */
    const shroud_identity *ids[1] = {id};
    back = NULL;
    assert_int_equal(shroud_stego_reveal(out, out_len, ids, 1, NULL, 0, "correct horse battery", 21,
                                         &back, &back_len),
                     SHROUD_ERR_NO_MESSAGE);
    assert_null(back);
    assert_int_equal(back_len, 0);
    shroud_free(out);
    free(msg);
    shroud_recipient_free(pk);
    shroud_identity_free(id);
    free_cover(&t);
}

/* Hiding twice gives different images (fresh keys, random +-1 directions),
 * both revealing the message; the PNG level option changes only the file. */
static void test_hide_is_randomized_and_png_level(void **state)
{
    (void)state;
    shroud_identity *id = su_identity();
    shroud_recipient *pk = su_recipient(id);
    const shroud_recipient *rcp[1] = {pk};
    const shroud_identity *ids[1] = {id};
    test_cover t;
    make_cover(&cases[5], 31, &t); /* RGB 16 */
    const uint8_t msg[] = "same message";
    uint8_t *a = NULL, *b = NULL, *back = NULL;
    size_t a_len = 0, b_len = 0, back_len = 0;
    assert_int_equal(shroud_cover_png_level(t.cover, 0), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_cover_png_level(t.cover, 13), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_cover_png_level(NULL, 5), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_hide(t.cover, rcp, 1, NULL, 0, msg, sizeof msg, &a, &a_len, NULL),
                     SHROUD_OK);
    assert_int_equal(shroud_cover_png_level(t.cover, 12), SHROUD_OK);
    assert_int_equal(shroud_stego_hide(t.cover, rcp, 1, NULL, 0, msg, sizeof msg, &b, &b_len, NULL),
                     SHROUD_OK);
    assert_false(a_len == b_len && memcmp(a, b, a_len) == 0);
    const uint8_t *imgs[2] = {a, b};
    size_t lens[2] = {a_len, b_len};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(
            shroud_stego_reveal(imgs[i], lens[i], ids, 1, NULL, 0, NULL, 0, &back, &back_len),
            SHROUD_OK);
        assert_int_equal(back_len, sizeof msg);
        assert_memory_equal(back, msg, sizeof msg);
        shroud_free_secret(back, back_len);
    }
    shroud_free(a);
    shroud_free(b);
    free_cover(&t);
    shroud_recipient_free(pk);
    shroud_identity_free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_cover_type_x25519),
        cmocka_unit_test(test_many_random_covers_and_sizes),
        cmocka_unit_test(test_chunk_boundaries),
        cmocka_unit_test(test_rsa_recipient),
        cmocka_unit_test(test_second_recipient_needs_the_first_key_for_positions),
        cmocka_unit_test(test_passphrase_full_capacity_and_wrong_passphrase),
        cmocka_unit_test(test_hide_is_randomized_and_png_level),
    };
    return cmocka_run_group_tests(tests, make_rsa, free_rsa);
}
