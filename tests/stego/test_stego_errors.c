/*
 * What steganography refuses, and how it fails: JPEG, palette, gray below 8
 * bits and tRNS colour keys are SHROUD_ERR_COVER; anything else that is not
 * a PNG or BMP is SHROUD_ERR_IMAGE_FORMAT; covers with no room (all 0/max,
 * all transparent, 2x2, one sample short of the smallest message) give
 * SHROUD_ERR_CAPACITY; reveal on a clean image, with a wrong key, or on a
 * stego image damaged the way lossy recompression damages it gives
 * SHROUD_ERR_NO_MESSAGE and nothing; truncated files give an image error,
 * never success and never a crash; a lossless re-encode (PNG at another
 * level, or BMP) still reveals. shroud_stego_read_lsb reads the tutorial
 * layout of every image type. API misuse is SHROUD_ERR_ARGUMENT.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/bytebuf.h"
#include "jpeg_util.h"
#include "png_util.h"
#include "stego/cover.h"
#include "stego/stego_internal.h"
#include "stego_util.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

static void expect_cover_error(const uint8_t *buf, size_t len, int want)
{
    shroud_cover *c = (shroud_cover *)1;
    int err = shroud_cover_new(&c, buf, len);
    if (err != want)
        fail_msg("shroud_cover_new: %d (%s), expected %d (%s)", err, shroud_strerror(err), want,
                 shroud_strerror(want));
    assert_null(c);
}

/* A stego image (RGB 8, 97 x 61) with a short message for id. */
static uint8_t *make_stego(const shroud_identity *id, const uint8_t *msg, size_t msg_len,
                           size_t *len, png_raster **cover_img)
{
    su_rng r;
    su_seed(&r, 4242);
    png_raster *img = su_raster(97, 61, PNG_CT_RGB, 8, SU_FILL_PHOTO, &r);
    size_t png_len = 0;
    uint8_t *png = su_png(img, &png_len);
    shroud_cover *c = su_cover(png, png_len);
    shroud_recipient *pk = su_recipient(id);
    const shroud_recipient *rcp[1] = {pk};
    uint8_t *out = NULL;
    assert_int_equal(shroud_stego_hide(c, rcp, 1, NULL, 0, msg, msg_len, &out, len, NULL),
                     SHROUD_OK);
    shroud_recipient_free(pk);
    shroud_cover_free(c);
    free(png);
    if (cover_img)
        *cover_img = img;
    else
        png_raster_free(img);
    return out;
}

static int reveal_with(const shroud_identity *id, const uint8_t *img, size_t len, uint8_t **out,
                       size_t *out_len)
{
    const shroud_identity *ids[1] = {id};
    *out = (uint8_t *)"junk";
    *out_len = 77;
    return shroud_stego_reveal(img, len, ids, 1, NULL, 0, NULL, 0, out, out_len);
}

static void expect_no_message(const shroud_identity *id, const uint8_t *img, size_t len)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    int err = reveal_with(id, img, len, &out, &out_len);
    if (err != SHROUD_ERR_NO_MESSAGE)
        fail_msg("reveal: %d (%s), expected no message", err, shroud_strerror(err));
    assert_null(out);
    assert_int_equal(out_len, 0);
}

static void expect_message(const shroud_identity *id, const uint8_t *img, size_t len,
                           const uint8_t *msg, size_t msg_len)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    int err = reveal_with(id, img, len, &out, &out_len);
    if (err)
        fail_msg("reveal: %s", shroud_strerror(err));
    assert_int_equal(out_len, msg_len);
    assert_memory_equal(out, msg, msg_len);
    shroud_free_secret(out, out_len);
}

/* ---- refused covers ------------------------------------------------------------------------ */

static void test_jpeg_cover_is_refused(void **state)
{
    (void)state;
    ju_spec js = {0};
    size_t len = 0;
    uint8_t *jpeg = ju_make(&js, &len);
    expect_cover_error(jpeg, len, SHROUD_ERR_COVER);
    shroud_identity *id = su_identity();
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(reveal_with(id, jpeg, len, &out, &out_len), SHROUD_ERR_COVER);
    assert_null(out);
    assert_int_equal(shroud_stego_read_lsb(jpeg, len, 1, &out), SHROUD_ERR_COVER);
    assert_null(out);
    /* a JPEG is refused by its signature, whole or not */
    expect_cover_error(jpeg, 3, SHROUD_ERR_COVER);
    shroud_identity_free(id);
    free(jpeg);
}

static void test_palette_and_low_depth_pngs_are_refused(void **state)
{
    (void)state;
    static const struct {
        int type, depth;
    } refused[] = {{PU_PALETTE, 8}, {PU_PALETTE, 4}, {PU_PALETTE, 2}, {PU_PALETTE, 1},
                   {PU_GRAY, 1},    {PU_GRAY, 2},    {PU_GRAY, 4}};
    for (size_t i = 0; i < N_ITEMS(refused); i++) {
        pu_spec s = {.width = 40,
                     .height = 30,
                     .color_type = refused[i].type,
                     .bit_depth = refused[i].depth};
        size_t len = 0;
        uint8_t *png = pu_make(&s, &len);
        expect_cover_error(png, len, SHROUD_ERR_COVER);
        free(png);
    }
    /* a palette with transparency too */
    pu_spec s = {.width = 40, .height = 30, .color_type = PU_PALETTE, .bit_depth = 8, .trns = 1};
    size_t len = 0;
    uint8_t *png = pu_make(&s, &len);
    expect_cover_error(png, len, SHROUD_ERR_COVER);
    free(png);
}

static void test_colour_key_pngs_are_refused(void **state)
{
    (void)state;
    static const uint8_t key2[2] = {0, 100}, key6[6] = {0, 10, 0, 20, 0, 30};
    static const struct {
        int type, depth;
        const uint8_t *key;
        size_t key_len;
    } cases[] = {
        {PU_GRAY, 8, key2, 2}, {PU_GRAY, 16, key2, 2}, {PU_RGB, 8, key6, 6}, {PU_RGB, 16, key6, 6}};
    for (size_t i = 0; i < N_ITEMS(cases); i++) {
        pu_chunk trns = {"tRNS", cases[i].key, cases[i].key_len, PU_BEFORE_IDAT};
        pu_spec s = {.width = 40,
                     .height = 30,
                     .color_type = cases[i].type,
                     .bit_depth = cases[i].depth,
                     .extra = &trns,
                     .n_extra = 1};
        size_t len = 0;
        uint8_t *png = pu_make(&s, &len);
        expect_cover_error(png, len, SHROUD_ERR_COVER);
        free(png);
        /* the same image without the key is a cover, with other chunks too */
        s.extra = NULL;
        s.n_extra = 0;
        s.chunks = PU_GAMA | PU_TEXT | PU_SAFE_UNKNOWN;
        png = pu_make(&s, &len);
        shroud_cover *c = su_cover(png, len);
        shroud_cover_free(c);
        free(png);
    }
}

static void test_not_an_image_is_a_format_error(void **state)
{
    (void)state;
    static const char *texts[] = {"GIF89a\x01\x00\x01\x00", "hello, world", "RIFF....WEBPVP8 ",
                                  "\x89PNG", "B"};
    for (size_t i = 0; i < N_ITEMS(texts); i++)
        expect_cover_error((const uint8_t *)texts[i], strlen(texts[i]), SHROUD_ERR_IMAGE_FORMAT);
    uint8_t noise[1000];
    su_rng r;
    su_seed(&r, 1);
    su_bytes(&r, noise, sizeof noise);
    noise[0] = 0x42; /* not 'B', 0x89 nor 0xFF */
    expect_cover_error(noise, sizeof noise, SHROUD_ERR_IMAGE_FORMAT);
    expect_cover_error(noise, 0, SHROUD_ERR_IMAGE_FORMAT);
    uint8_t *out = NULL;
    assert_int_equal(shroud_stego_read_lsb(noise, sizeof noise, 1, &out), SHROUD_ERR_IMAGE_FORMAT);
    assert_null(out);
}

/* ---- covers with no room ------------------------------------------------------------------- */

static void no_room(const png_raster *img, const shroud_identity *id)
{
    size_t len = 0;
    uint8_t *png = su_png(img, &len);
    shroud_cover *c = su_cover(png, len);
    shroud_recipient *pk = su_recipient(id);
    const shroud_recipient *rcp[1] = {pk};
    size_t cap = 99;
    assert_int_equal(shroud_cover_capacity(c, rcp, 1, 0, &cap), SHROUD_ERR_CAPACITY);
    assert_int_equal(cap, 0);
    cap = 99;
    assert_int_equal(shroud_cover_capacity(c, NULL, 0, 1, &cap), SHROUD_ERR_CAPACITY);
    assert_int_equal(cap, 0);
    uint8_t *out = (uint8_t *)"x";
    size_t out_len = 5;
    assert_int_equal(
        shroud_stego_hide(c, rcp, 1, NULL, 0, (const uint8_t *)"a", 1, &out, &out_len, NULL),
        SHROUD_ERR_CAPACITY);
    assert_null(out);
    assert_int_equal(out_len, 0);
    assert_int_equal(shroud_stego_hide(c, rcp, 1, NULL, 0, NULL, 0, &out, &out_len, NULL),
                     SHROUD_ERR_CAPACITY);
    /* passphrase mode: refused before scrypt */
    assert_int_equal(
        shroud_stego_hide(c, NULL, 0, "pw", 2, (const uint8_t *)"a", 1, &out, &out_len, NULL),
        SHROUD_ERR_CAPACITY);
    assert_null(out);
    /* and nothing to find there, without scrypt either (no room for a salt) */
    expect_no_message(id, png, len);
    const shroud_identity *ids[1] = {id};
    size_t usable = 1;
    assert_int_equal(shroud_cover_info(c, NULL, NULL, &usable), SHROUD_OK);
    if (usable < STEGO_SALT_SAMPLES) {
        assert_int_equal(shroud_stego_reveal(png, len, ids, 1, NULL, 0, "pw", 2, &out, &out_len),
                         SHROUD_ERR_NO_MESSAGE);
        assert_null(out);
    }
    shroud_recipient_free(pk);
    shroud_cover_free(c);
    free(png);
}

static void test_covers_without_room(void **state)
{
    (void)state;
    shroud_identity *id = su_identity();
    su_rng r;
    su_seed(&r, 2);
    /* every colour sample 0 or max: nothing usable */
    static const int types[4] = {PNG_CT_GRAY, PNG_CT_GRAY_ALPHA, PNG_CT_RGB, PNG_CT_RGBA};
    for (int t = 0; t < 4; t++)
        for (int depth = 8; depth <= 16; depth += 8) {
            png_raster *img = su_raster(50, 40, types[t], depth, SU_FILL_SATURATED, &r);
            size_t len = 0, usable = 1;
            uint8_t *png = su_png(img, &len);
            shroud_cover *c = su_cover(png, len);
            uint32_t w = 0, h = 0;
            assert_int_equal(shroud_cover_info(c, &w, &h, &usable), SHROUD_OK);
            assert_int_equal(w, 50);
            assert_int_equal(h, 40);
            assert_int_equal(usable, 0);
            shroud_cover_free(c);
            free(png);
            no_room(img, id);
            png_raster_free(img);
        }
    /* every pixel fully transparent */
    png_raster *img = su_raster(50, 40, PNG_CT_RGBA, 8, SU_FILL_PHOTO, &r);
    for (size_t p = 0; p < 50 * 40; p++)
        img->pixels[p * 4 + 3] = 0;
    no_room(img, id);
    png_raster_free(img);
    /* 2 x 2 */
    img = su_raster(2, 2, PNG_CT_RGB, 8, SU_FILL_PHOTO, &r);
    no_room(img, id);
    png_raster_free(img);
    shroud_identity_free(id);
}

/* The smallest cover for an empty X25519 message: 8 code-byte samples and
 * 8 bits per byte of length (4) and envelope (1 + 32 + 3 + 80 + 56 + 16). */
static void test_smallest_cover_exactly(void **state)
{
    (void)state;
    shroud_identity *id = su_identity();
    shroud_recipient *pk = su_recipient(id);
    const shroud_recipient *rcp[1] = {pk};
    size_t stream = 0;
    assert_int_equal(shroud_stego_stream_bytes(rcp, 1, 0, 0, &stream), SHROUD_OK);
    assert_int_equal(stream, 1 + 4 + 188);
    size_t need = 8 + 8 * (stream - 1);
    for (int shorter = 0; shorter <= 1; shorter++) {
        su_rng r;
        su_seed(&r, 3);
        png_raster *img =
            su_raster((uint32_t)(need - (size_t)shorter), 1, PNG_CT_GRAY, 8, SU_FILL_PHOTO, &r);
        memset(img->pixels, 128, img->width);
        size_t len = 0, cap = 99, out_len = 0;
        uint8_t *png = su_png(img, &len), *out = NULL;
        shroud_cover *c = su_cover(png, len);
        if (shorter) {
            assert_int_equal(shroud_cover_capacity(c, rcp, 1, 0, &cap), SHROUD_ERR_CAPACITY);
            assert_int_equal(shroud_stego_hide(c, rcp, 1, NULL, 0, NULL, 0, &out, &out_len, NULL),
                             SHROUD_ERR_CAPACITY);
        } else {
            assert_int_equal(shroud_cover_capacity(c, rcp, 1, 0, &cap), SHROUD_OK);
            assert_int_equal(cap, 0);
            shroud_stego_stats st;
            assert_int_equal(shroud_stego_hide(c, rcp, 1, NULL, 0, NULL, 0, &out, &out_len, &st),
                             SHROUD_OK);
            assert_int_equal(st.samples_used, need);
            assert_int_equal(st.code_bits, 1);
            uint8_t *back = NULL;
            size_t back_len = 9;
            const shroud_identity *ids[1] = {id};
            assert_int_equal(
                shroud_stego_reveal(out, out_len, ids, 1, NULL, 0, NULL, 0, &back, &back_len),
                SHROUD_OK);
            assert_int_equal(back_len, 0);
            shroud_free_secret(back, back_len);
            shroud_free(out);
        }
        shroud_cover_free(c);
        free(png);
        png_raster_free(img);
    }
    shroud_recipient_free(pk);
    shroud_identity_free(id);
}

/* ---- nothing to find ---------------------------------------------------------------------- */

static void test_clean_image_and_wrong_key(void **state)
{
    (void)state;
    shroud_identity *id = su_identity(), *other = su_identity();
    su_rng r;
    su_seed(&r, 8);
    png_raster *img = su_raster(97, 61, PNG_CT_RGBA, 8, SU_FILL_PHOTO, &r);
    size_t len = 0;
    uint8_t *clean = su_png(img, &len);
    expect_no_message(id, clean, len);
    /* a clean BMP, too */
    png_raster *rgb = su_raster(97, 61, PNG_CT_RGB, 8, SU_FILL_PHOTO, &r);
    size_t bmp_len = 0;
    uint8_t *bmp = su_bmp(rgb, 24, 0, &bmp_len);
    expect_no_message(id, bmp, bmp_len);
    /* passphrase on a clean image (one scrypt) */
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(shroud_stego_reveal(clean, len, NULL, 0, NULL, 0, "pw", 2, &out, &out_len),
                     SHROUD_ERR_NO_MESSAGE);
    assert_null(out);

    static const uint8_t msg[] = "the eagle has landed";
    size_t stego_len = 0;
    uint8_t *stego = make_stego(id, msg, sizeof msg, &stego_len, NULL);
    expect_message(id, stego, stego_len, msg, sizeof msg);
    expect_no_message(other, stego, stego_len);
    /* the wrong key among position keys does not help; the right one among
     * many identities does */
    const shroud_identity *both[2] = {other, id};
    assert_int_equal(
        shroud_stego_reveal(stego, stego_len, both, 2, NULL, 0, NULL, 0, &out, &out_len),
        SHROUD_OK);
    assert_int_equal(out_len, sizeof msg);
    shroud_free_secret(out, out_len);
    free(stego);
    free(bmp);
    free(clean);
    png_raster_free(rgb);
    png_raster_free(img);
    shroud_identity_free(other);
    shroud_identity_free(id);
}

/* ---- damaged stego images ---------------------------------------------------------------- */

static void test_truncated_stego_image(void **state)
{
    (void)state;
    shroud_identity *id = su_identity();
    static const uint8_t msg[] = "truncate me";
    size_t len = 0;
    uint8_t *stego = make_stego(id, msg, sizeof msg, &len, NULL);
    size_t iend = pu_find_chunk(stego, len, "IEND", 0);
    assert_true(iend != SIZE_MAX && iend + 12 == len);
    size_t cuts[] = {0, 1, 7, 8, 16, 33, 40, 100, len / 3, len / 2, len - 200, iend - 4, iend - 1};
    for (size_t i = 0; i < N_ITEMS(cuts); i++) {
        uint8_t *copy = malloc(cuts[i] ? cuts[i] : 1);
        assert_non_null(copy);
        memcpy(copy, stego, cuts[i]);
        uint8_t *out = NULL;
        size_t out_len = 0;
        int err = reveal_with(id, copy, cuts[i], &out, &out_len);
        if (err == SHROUD_OK)
            fail_msg("a stego image cut to %zu of %zu bytes revealed a message", cuts[i], len);
        if (err != SHROUD_ERR_IMAGE && err != SHROUD_ERR_IMAGE_FORMAT &&
            err != SHROUD_ERR_NO_MESSAGE)
            fail_msg("cut to %zu bytes: unexpected error %d (%s)", cuts[i], err,
                     shroud_strerror(err));
        if (cuts[i] > 8 && err != SHROUD_ERR_IMAGE)
            fail_msg("cut to %zu bytes: %s, expected a corrupt image error", cuts[i],
                     shroud_strerror(err));
        assert_null(out);
        free(copy);
    }
    free(stego);
    shroud_identity_free(id);
}

/* Moves usable samples by +-1 (staying usable), each with probability
 * percent / 100: what lossy recompression does to the LSBs. */
static void add_noise(png_raster *img, unsigned percent, su_rng *r)
{
    uint32_t *u = NULL;
    size_t n = 0;
    assert_int_equal(stego_usable_samples(img, &u, &n), SHROUD_OK);
    uint32_t max = stego_sample_max(img);
    for (size_t i = 0; i < n; i++) {
        if (su_below(r, 100) >= percent)
            continue;
        uint32_t v = stego_sample(img, u[i]);
        int up = v == 1 ? 1 : v == max - 1 ? 0 : (int)su_below(r, 2);
        stego_set_sample(img, u[i], up ? v + 1 : v - 1);
    }
    free(u);
}

static void test_recompressed_stego_image(void **state)
{
    (void)state;
    shroud_identity *id = su_identity();
    static const uint8_t msg[] = "noise kills it";
    size_t len = 0;
    uint8_t *stego = make_stego(id, msg, sizeof msg, &len, NULL);
    su_rng r;
    su_seed(&r, 6);
    static const unsigned percents[] = {100, 50, 10};
    for (size_t i = 0; i < N_ITEMS(percents); i++) {
        png_raster *img = NULL;
        assert_int_equal(png_raster_decode(stego, len, &img), SHROUD_OK);
        add_noise(img, percents[i], &r);
        size_t noisy_len = 0;
        uint8_t *noisy = su_png(img, &noisy_len);
        expect_no_message(id, noisy, noisy_len);
        free(noisy);
        png_raster_free(img);
    }
    free(stego);
    shroud_identity_free(id);
}

static void test_lossless_reencode_still_reveals(void **state)
{
    (void)state;
    shroud_identity *id = su_identity();
    static const uint8_t msg[] = "lossless is fine";
    size_t len = 0;
    uint8_t *stego = make_stego(id, msg, sizeof msg, &len, NULL);
    png_raster *img = NULL;
    assert_int_equal(png_raster_decode(stego, len, &img), SHROUD_OK);
    static const int levels[] = {1, 9, 12};
    for (size_t i = 0; i < N_ITEMS(levels); i++) {
        bytebuf b = {0};
        assert_int_equal(png_raster_encode(img, NULL, 0, levels[i], &b), SHROUD_OK);
        expect_message(id, b.data, b.len, msg, sizeof msg);
        free(b.data);
    }
    /* and as a 24-bit BMP */
    size_t bmp_len = 0;
    uint8_t *bmp = su_bmp(img, 24, 0, &bmp_len);
    expect_message(id, bmp, bmp_len, msg, sizeof msg);
    free(bmp);
    png_raster_free(img);
    free(stego);
    shroud_identity_free(id);
}

/* ---- the tutorial layout ------------------------------------------------------------------ */

/* The first n bytes of the LSBs of samples 0, 1, 2, ... MSB first. */
static uint8_t *expected_lsb(const png_raster *img, size_t n)
{
    uint8_t *b = calloc(n ? n : 1, 1);
    assert_non_null(b);
    for (size_t k = 0; k < 8 * n; k++)
        b[k / 8] |= (uint8_t)((stego_sample(img, (uint32_t)k) & 1u) << (7 - k % 8));
    return b;
}

static void check_read_lsb(const uint8_t *file, size_t len, const png_raster *img)
{
    size_t samples = su_samples(img), all = samples / 8;
    uint8_t *want = expected_lsb(img, all);
    size_t sizes[] = {0, 1, 2, 17, all - 1, all};
    for (size_t i = 0; i < N_ITEMS(sizes); i++) {
        uint8_t *out = NULL;
        assert_int_equal(shroud_stego_read_lsb(file, len, sizes[i], &out), SHROUD_OK);
        assert_non_null(out);
        if (sizes[i])
            assert_memory_equal(out, want, sizes[i]);
        shroud_free(out);
    }
    uint8_t *out = (uint8_t *)"x";
    assert_int_equal(shroud_stego_read_lsb(file, len, all + 1, &out), SHROUD_ERR_CAPACITY);
    assert_null(out);
    free(want);
}

static void test_read_lsb_known_pattern(void **state)
{
    (void)state;
    /* a known message written sequentially, as the tutorial does */
    static const char text[] = "Hello, tutorial! 0123456789";
    su_rng r;
    su_seed(&r, 12);
    png_raster *img = su_raster(20, 10, PNG_CT_RGB, 8, SU_FILL_PHOTO, &r);
    for (size_t k = 0; k < 8 * sizeof text; k++) {
        unsigned bit = ((uint8_t)text[k / 8] >> (7 - k % 8)) & 1u;
        img->pixels[k] = (uint8_t)((img->pixels[k] & ~1u) | bit);
    }
    size_t len = 0;
    uint8_t *png = su_png(img, &len), *out = NULL;
    assert_int_equal(shroud_stego_read_lsb(png, len, sizeof text, &out), SHROUD_OK);
    assert_memory_equal(out, text, sizeof text);
    shroud_free(out);
    check_read_lsb(png, len, img);
    free(png);
    png_raster_free(img);

    /* every PNG type (alpha included in the order) and BMP */
    static const int types[4] = {PNG_CT_GRAY, PNG_CT_GRAY_ALPHA, PNG_CT_RGB, PNG_CT_RGBA};
    for (int t = 0; t < 4; t++)
        for (int depth = 8; depth <= 16; depth += 8) {
            img = su_raster(21, 9, types[t], depth, SU_FILL_EDGES, &r);
            png = su_png(img, &len);
            check_read_lsb(png, len, img);
            if (depth == 8 && types[t] != PNG_CT_GRAY_ALPHA) {
                /* identity gray palette: index = value (see test_stego.sh for a
                 * palette where numpy's indices and the values differ) */
                uint8_t *bmp = su_bmp(img, types[t] == PNG_CT_GRAY ? 8 : 32, 0, &len);
                check_read_lsb(bmp, len, img);
                free(bmp);
            }
            free(png);
            png_raster_free(img);
        }
    /* palette (indices) and low-depth gray (unscaled values) are read too */
    static const struct {
        int type, depth;
    } other[] = {{PU_PALETTE, 8}, {PU_PALETTE, 4}, {PU_GRAY, 1}, {PU_GRAY, 4}};
    for (size_t i = 0; i < N_ITEMS(other); i++) {
        pu_spec s = {
            .width = 19, .height = 11, .color_type = other[i].type, .bit_depth = other[i].depth};
        png = pu_make(&s, &len);
        img = su_decode(png, len);
        size_t pat_len = 0;
        uint8_t *pat = pu_spec_pattern(&s, &pat_len);
        assert_int_equal(pat_len, 19 * 11);
        assert_memory_equal(img->pixels, pat, pat_len);
        check_read_lsb(png, len, img);
        free(pat);
        free(png);
        png_raster_free(img);
    }
}

/* A byte count far beyond the image is refused before anything is done
 * with it (no allocation of that size: under AddressSanitizer a calloc of
 * SIZE_MAX bytes aborts the process). */
static void test_read_lsb_huge_count_is_refused_before_allocating(void **state)
{
    (void)state;
    su_rng r;
    su_seed(&r, 15);
    png_raster *img = su_raster(20, 10, PNG_CT_RGB, 8, SU_FILL_PHOTO, &r);
    size_t len = 0;
    uint8_t *png = su_png(img, &len), *out = (uint8_t *)"x";
    static const size_t counts[] = {(size_t)1 << 40, SIZE_MAX / 8 + 1, SIZE_MAX};
    for (size_t i = 0; i < N_ITEMS(counts); i++) {
        assert_int_equal(shroud_stego_read_lsb(png, len, counts[i], &out), SHROUD_ERR_CAPACITY);
        assert_null(out);
    }
    free(png);
    png_raster_free(img);
}

/* ---- API misuse --------------------------------------------------------------------------- */

static void test_invalid_arguments(void **state)
{
    (void)state;
    shroud_identity *id = su_identity();
    shroud_recipient *pk = su_recipient(id);
    const shroud_recipient *rcp[2] = {pk, NULL};
    const shroud_identity *ids[1] = {id};
    su_rng r;
    su_seed(&r, 14);
    png_raster *img = su_raster(40, 30, PNG_CT_RGB, 8, SU_FILL_PHOTO, &r);
    size_t len = 0, n = 0, out_len = 0;
    uint8_t *png = su_png(img, &len), *out = NULL;
    shroud_cover *c = NULL;
    const uint8_t m[1] = {'m'};

    assert_int_equal(shroud_cover_new(NULL, png, len), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_cover_new(&c, NULL, len), SHROUD_ERR_ARGUMENT);
    assert_null(c);
    c = su_cover(png, len);
    assert_int_equal(shroud_cover_info(NULL, NULL, NULL, &n), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_cover_info(c, NULL, NULL, NULL), SHROUD_OK);
    shroud_cover_free(NULL);

    /* stream size and capacity: exactly one of recipients and passphrase */
    assert_int_equal(shroud_stego_stream_bytes(rcp, 1, 1, 5, &n), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_stream_bytes(NULL, 0, 0, 5, &n), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_stream_bytes(rcp, 1, 0, 5, NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_stream_bytes(rcp, 2, 0, 5, &n), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_cover_capacity(NULL, rcp, 1, 0, &n), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_cover_capacity(c, rcp, 1, 0, NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_cover_capacity(c, rcp, 1, 1, &n), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_cover_capacity(c, NULL, 0, 0, &n), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_cover_capacity(c, rcp, 2, 0, &n), SHROUD_ERR_ARGUMENT);

    /* hide */
    assert_int_equal(shroud_stego_hide(NULL, rcp, 1, NULL, 0, m, 1, &out, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_hide(c, rcp, 1, "pw", 2, m, 1, &out, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_hide(c, NULL, 0, NULL, 0, m, 1, &out, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_hide(c, NULL, 1, NULL, 0, m, 1, &out, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_hide(c, rcp, 2, NULL, 0, m, 1, &out, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_hide(c, rcp, 1, NULL, 0, NULL, 1, &out, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_hide(c, rcp, 1, NULL, 0, m, 1, NULL, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_hide(c, rcp, 1, NULL, 0, m, 1, &out, NULL, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_null(out);
    /* passphrases: 1 .. SHROUD_PASSPHRASE_MAX bytes (refused before the stego scrypt) */
    static char long_pass[SHROUD_PASSPHRASE_MAX + 1];
    memset(long_pass, 'p', sizeof long_pass);
    assert_int_equal(shroud_stego_hide(c, NULL, 0, "", 0, m, 1, &out, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(
        shroud_stego_hide(c, NULL, 0, long_pass, sizeof long_pass, m, 1, &out, &out_len, NULL),
        SHROUD_ERR_ARGUMENT);
    assert_null(out);

    /* a valid stego image for the reveal checks */
    size_t stego_len = 0;
    uint8_t *stego = NULL;
    assert_int_equal(shroud_stego_hide(c, rcp, 1, NULL, 0, m, 1, &stego, &stego_len, NULL),
                     SHROUD_OK);
    assert_int_equal(shroud_stego_reveal(NULL, stego_len, ids, 1, NULL, 0, NULL, 0, &out, &out_len),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(
        shroud_stego_reveal(stego, stego_len, ids, 1, NULL, 0, NULL, 0, NULL, &out_len),
        SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_reveal(stego, stego_len, ids, 1, NULL, 0, NULL, 0, &out, NULL),
                     SHROUD_ERR_ARGUMENT);
    /* no identity and no passphrase; position keys alone are not keys */
    assert_int_equal(
        shroud_stego_reveal(stego, stego_len, NULL, 0, NULL, 0, NULL, 0, &out, &out_len),
        SHROUD_ERR_ARGUMENT);
    assert_int_equal(
        shroud_stego_reveal(stego, stego_len, NULL, 0, rcp, 1, NULL, 0, &out, &out_len),
        SHROUD_ERR_ARGUMENT);
    assert_int_equal(
        shroud_stego_reveal(stego, stego_len, NULL, 1, NULL, 0, NULL, 0, &out, &out_len),
        SHROUD_ERR_ARGUMENT);
    assert_int_equal(
        shroud_stego_reveal(stego, stego_len, ids, 1, NULL, 1, NULL, 0, &out, &out_len),
        SHROUD_ERR_ARGUMENT);
    assert_null(out);
    assert_int_equal(
        shroud_stego_reveal(stego, stego_len, ids, 1, NULL, 0, NULL, 0, &out, &out_len), SHROUD_OK);
    assert_int_equal(out_len, 1);
    shroud_free_secret(out, out_len);

    assert_int_equal(shroud_stego_read_lsb(NULL, len, 1, &out), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_stego_read_lsb(png, len, 1, NULL), SHROUD_ERR_ARGUMENT);

    shroud_free(stego);
    shroud_cover_free(c);
    free(png);
    png_raster_free(img);
    shroud_recipient_free(pk);
    shroud_identity_free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jpeg_cover_is_refused),
        cmocka_unit_test(test_palette_and_low_depth_pngs_are_refused),
        cmocka_unit_test(test_colour_key_pngs_are_refused),
        cmocka_unit_test(test_not_an_image_is_a_format_error),
        cmocka_unit_test(test_covers_without_room),
        cmocka_unit_test(test_smallest_cover_exactly),
        cmocka_unit_test(test_clean_image_and_wrong_key),
        cmocka_unit_test(test_truncated_stego_image),
        cmocka_unit_test(test_recompressed_stego_image),
        cmocka_unit_test(test_lossless_reencode_still_reveals),
        cmocka_unit_test(test_read_lsb_known_pattern),
        cmocka_unit_test(test_invalid_arguments),
        /* last: under AddressSanitizer the library's bug aborts the process */
        cmocka_unit_test(test_read_lsb_huge_count_is_refused_before_allocating),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
