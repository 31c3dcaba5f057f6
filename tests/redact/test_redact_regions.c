/*
 * Regions and the redactor's argument checks. Regions touching every edge and
 * corner, overlapping in one group and across groups, covering the whole
 * image, and the most regions a group may have (256), on a PNG and on JPEGs
 * whose size is not a multiple of the MCU: outside untouched, restore exact.
 * Then what shroud_redactor_add_group / _finish refuse and with which code:
 *  - empty, out-of-bounds or wrapping (x + w overflows uint32) regions, no
 *    regions, more than SHROUD_MAX_REGIONS: SHROUD_ERR_REGION;
 *  - more than SHROUD_MAX_GROUPS groups: SHROUD_ERR_LIMIT;
 *  - bad or duplicate group names, unknown styles, no recipient and no
 *    passphrase, empty or overlong passphrases, too many recipients:
 *    SHROUD_ERR_ARGUMENT; a passphrase with recipients: SHROUD_ERR_PASSPHRASE_MIX;
 *  - a refused group leaves the redactor usable; a finished one is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/embedded.h"
#include "jpeg_util.h"
#include "redact_util.h"

static shroud_identity *alice, *bob;
static shroud_recipient *alice_pub, *bob_pub;

static int setup(void **state)
{
    (void)state;
    alice = ru_native_identity();
    bob = ru_native_identity();
    alice_pub = ru_recipient_of(alice);
    bob_pub = ru_recipient_of(bob);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(alice);
    shroud_identity_free(bob);
    shroud_recipient_free(alice_pub);
    shroud_recipient_free(bob_pub);
    return 0;
}

/* The test images: a PNG and JPEGs whose sizes are not multiples of their MCU. */
typedef struct {
    const char *name;
    uint8_t *data;
    size_t len;
    uint32_t w, h;
} test_image;

#define N_IMAGES 3

static void make_images(test_image *img)
{
    ru_png_spec png = {.width = 57, .height = 41, .color_type = PNG_CT_RGB, .bit_depth = 8};
    img[0] = (test_image){"PNG 57x41", NULL, 0, 57, 41};
    img[0].data = ru_png_make(&png, &img[0].len);
    ju_spec j420 = {.width = 70, .height = 50};
    img[1] = (test_image){"JPEG 4:2:0 70x50", NULL, 0, 70, 50};
    img[1].data = ju_make(&j420, &img[1].len);
    ju_spec j444 = {.width = 57, .height = 41, .h_samp = {1, 1, 1}, .v_samp = {1, 1, 1}};
    img[2] = (test_image){"JPEG 4:4:4 57x41", NULL, 0, 57, 41};
    img[2].data = ju_make(&j444, &img[2].len);
}

static void free_images(test_image *img)
{
    for (int i = 0; i < N_IMAGES; i++)
        free(img[i].data);
}

/* Redacts one group (alice), checks outside and that restore is exact. */
static void redact_restore(const test_image *img, int style, const shroud_region *regions, size_t n,
                           const char *what)
{
    size_t red_len, res_len;
    uint8_t *red = ru_redact_one(img->data, img->len, style, regions, n, alice_pub, &red_len);
    ru_assert_same_outside(img->data, img->len, red, red_len, regions, n, what);
    if (style == SHROUD_STYLE_FILL || style == SHROUD_STYLE_NOISE)
        for (size_t i = 0; i < n; i++)
            if ((size_t)regions[i].w * regions[i].h >= 64 &&
                ru_same_inside(img->data, img->len, red, red_len, &regions[i]))
                fail_msg("%s: region %zu was not obscured", what, i);
    const shroud_identity *ids[1] = {alice};
    uint8_t *res = ru_restore(red, red_len, ids, 1, NULL, &res_len, NULL);
    ru_assert_same_image(img->data, img->len, res, res_len, what);
    if (image_sniff(img->data, img->len) == IMAGE_FORMAT_JPEG &&
        (res_len != img->len || memcmp(res, img->data, res_len) != 0))
        fail_msg("%s: restored JPEG is not byte-identical", what);
    free(red);
    free(res);
}

static void test_edges_and_corners(void **state)
{
    (void)state;
    test_image imgs[N_IMAGES];
    make_images(imgs);
    for (int i = 0; i < N_IMAGES; i++) {
        uint32_t w = imgs[i].w, h = imgs[i].h;
        const shroud_region edges[] = {
            {5, 0, 10, 3},     /* top */
            {5, h - 3, 10, 3}, /* bottom */
            {0, 5, 3, 9},      /* left */
            {w - 3, 5, 3, 9},  /* right */
            {0, 0, 2, 2},      /* corners */
            {w - 2, 0, 2, 2},  {0, h - 2, 2, 2}, {w - 2, h - 2, 2, 2},
            {0, 0, w, 1}, /* full first and last rows, columns */
            {0, h - 1, w, 1},  {0, 0, 1, h},     {w - 1, 0, 1, h},
        };
        char what[96];
        for (size_t k = 0; k < N_ITEMS(edges); k++) {
            snprintf(what, sizeof what, "%s edge region %zu", imgs[i].name, k);
            redact_restore(&imgs[i], SHROUD_STYLE_FILL, &edges[k], 1, what);
        }
        snprintf(what, sizeof what, "%s all edge regions", imgs[i].name);
        redact_restore(&imgs[i], SHROUD_STYLE_NOISE, edges, N_ITEMS(edges), what);
    }
    free_images(imgs);
}

/* Overlapping regions in one group are stored twice and put back exactly. */
static void test_overlap_in_one_group(void **state)
{
    (void)state;
    test_image imgs[N_IMAGES];
    make_images(imgs);
    const shroud_region overlap[] = {{2, 2, 12, 10}, {6, 5, 12, 10}, {2, 2, 12, 10}, {8, 8, 1, 1}};
    for (int i = 0; i < N_IMAGES; i++)
        for (int style = SHROUD_STYLE_NOISE; style <= SHROUD_STYLE_BLUR; style++) {
            char what[96];
            snprintf(what, sizeof what, "%s overlap style %d", imgs[i].name, style);
            redact_restore(&imgs[i], style, overlap, N_ITEMS(overlap), what);
        }
    free_images(imgs);
}

/* Two groups whose regions overlap: each key restores its own regions whole
 * (the overlap included); the other group's part stays obscured. */
static void test_overlap_across_groups(void **state)
{
    (void)state;
    test_image imgs[N_IMAGES];
    make_images(imgs);
    /* ra and rb overlap; a_only and b_only lie in one of them only, even
     * once grown to 16x16 MCUs */
    const shroud_region ra = {2, 2, 20, 12}, rb = {18, 10, 30, 20};
    const shroud_region a_only = {2, 2, 8, 2}, b_only = {40, 20, 8, 8};
    for (int i = 0; i < N_IMAGES; i++) {
        const test_image *img = &imgs[i];
        const shroud_recipient *ka[1] = {alice_pub}, *kb[1] = {bob_pub};
        ru_group groups[2] = {{"a", SHROUD_STYLE_NOISE, &ra, 1, ka, 1, NULL},
                              {"b", SHROUD_STYLE_FILL, &rb, 1, kb, 1, NULL}};
        size_t red_len, res_len;
        uint8_t *red = ru_redact(img->data, img->len, groups, 2, NULL, &red_len);
        const shroud_region both[2] = {ra, rb};
        ru_assert_same_outside(img->data, img->len, red, red_len, both, 2, img->name);

        const shroud_identity *ids_a[1] = {alice};
        uint8_t *res = ru_restore(red, red_len, ids_a, 1, NULL, &res_len, NULL);
        assert_true(ru_same_inside(img->data, img->len, res, res_len, &ra));
        assert_false(ru_same_inside(img->data, img->len, res, res_len, &b_only));
        assert_true(ru_same_inside(red, red_len, res, res_len, &b_only));
        free(res);

        const shroud_identity *ids_b[1] = {bob};
        res = ru_restore(red, red_len, ids_b, 1, NULL, &res_len, NULL);
        assert_true(ru_same_inside(img->data, img->len, res, res_len, &rb));
        assert_false(ru_same_inside(img->data, img->len, res, res_len, &a_only));
        free(res);

        const shroud_identity *ids_ab[2] = {alice, bob};
        res = ru_restore(red, red_len, ids_ab, 2, NULL, &res_len, NULL);
        ru_assert_same_image(img->data, img->len, res, res_len, img->name);
        free(res);
        free(red);
    }
    free_images(imgs);
}

static void test_whole_image(void **state)
{
    (void)state;
    test_image imgs[N_IMAGES];
    make_images(imgs);
    for (int i = 0; i < N_IMAGES; i++)
        for (int style = SHROUD_STYLE_NOISE; style <= SHROUD_STYLE_BLUR; style++) {
            shroud_region all = {0, 0, imgs[i].w, imgs[i].h};
            char what[96];
            snprintf(what, sizeof what, "%s whole image style %d", imgs[i].name, style);
            redact_restore(&imgs[i], style, &all, 1, what);
        }
    free_images(imgs);
}

/* SHROUD_MAX_REGIONS regions in one group: a grid of small tiles, listed in
 * inspect and all put back. */
static void test_max_regions(void **state)
{
    (void)state;
    test_image imgs[N_IMAGES];
    make_images(imgs);
    shroud_region grid[SHROUD_MAX_REGIONS];
    for (int i = 0; i < N_IMAGES; i++) {
        for (unsigned k = 0; k < SHROUD_MAX_REGIONS; k++) {
            uint32_t x = (k * 7u) % imgs[i].w, y = (k * 3u) % imgs[i].h;
            grid[k] = (shroud_region){x, y, imgs[i].w - x < 2 ? 1 : 2, imgs[i].h - y < 2 ? 1 : 2};
        }
        size_t red_len;
        uint8_t *red = ru_redact_one(imgs[i].data, imgs[i].len, SHROUD_STYLE_NOISE, grid,
                                     SHROUD_MAX_REGIONS, alice_pub, &red_len);
        shroud_image_info *info = NULL;
        assert_int_equal(shroud_image_inspect(red, red_len, &info), SHROUD_OK);
        assert_int_equal(info->n_groups, 1);
        assert_int_equal(info->groups[0].n_regions, SHROUD_MAX_REGIONS);
        assert_memory_equal(info->groups[0].regions, grid, sizeof grid);
        shroud_image_info_free(info);
        free(red);
        redact_restore(&imgs[i], SHROUD_STYLE_FILL, grid, SHROUD_MAX_REGIONS, imgs[i].name);
    }
    free_images(imgs);
}

/* ---- refused arguments ------------------------------------------------------------------ */

static int add_group(shroud_redactor *r, const char *name, int style, const shroud_region *regions,
                     size_t n)
{
    const shroud_recipient *rs[1] = {alice_pub};
    return shroud_redactor_add_group(r, name, style, regions, n, rs, 1, NULL, 0, 0);
}

/* After a refused group the redactor still redacts with the next good one. */
static void assert_still_usable(shroud_redactor *r, const uint8_t *image, size_t len)
{
    shroud_region ok = {0, 0, 4, 4};
    assert_int_equal(add_group(r, "after-refusal", SHROUD_STYLE_FILL, &ok, 1), SHROUD_OK);
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(shroud_redactor_finish(r, &out, &out_len), SHROUD_OK);
    shroud_image_info *info = NULL;
    assert_int_equal(shroud_image_inspect(out, out_len, &info), SHROUD_OK);
    assert_int_equal(info->n_groups, 1);
    assert_string_equal(info->groups[0].name, "after-refusal");
    shroud_image_info_free(info);
    const shroud_identity *ids[1] = {alice};
    size_t res_len;
    uint8_t *res = ru_restore(out, out_len, ids, 1, NULL, &res_len, NULL);
    ru_assert_same_image(image, len, res, res_len, "after a refused group");
    free(res);
    shroud_free(out);
}

static void test_bad_regions(void **state)
{
    (void)state;
    test_image imgs[N_IMAGES];
    make_images(imgs);
    for (int i = 0; i < N_IMAGES; i++) {
        uint32_t w = imgs[i].w, h = imgs[i].h;
        const shroud_region bad[] = {
            {0, 0, 0, 5},               /* zero width */
            {0, 0, 5, 0},               /* zero height */
            {w, 0, 1, 1},               /* x at the right edge */
            {0, h, 1, 1},               /* y at the bottom edge */
            {w - 4, 0, 5, 1},           /* one column too wide */
            {0, h - 4, 1, 5},           /* one row too tall */
            {10, 0, UINT32_MAX - 5, 1}, /* x + w wraps */
            {0, 10, 1, UINT32_MAX - 5}, /* y + h wraps */
            {UINT32_MAX, 0, 2, 1},      /* x itself far out, x + w wraps */
            {0, UINT32_MAX, 1, 2},      /* y likewise */
            {UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX},
        };
        for (size_t k = 0; k < N_ITEMS(bad); k++) {
            shroud_redactor *r = NULL;
            assert_int_equal(shroud_redactor_new(&r, imgs[i].data, imgs[i].len), SHROUD_OK);
            /* alone and after a valid region of the same group */
            const shroud_region pair[2] = {{1, 1, 2, 2}, bad[k]};
            int err1 = add_group(r, "g", SHROUD_STYLE_NOISE, &bad[k], 1);
            int err2 = add_group(r, "g", SHROUD_STYLE_NOISE, pair, 2);
            if (err1 != SHROUD_ERR_REGION || err2 != SHROUD_ERR_REGION)
                fail_msg("%s bad region %zu: %d / %d, expected SHROUD_ERR_REGION", imgs[i].name, k,
                         err1, err2);
            assert_still_usable(r, imgs[i].data, imgs[i].len);
            shroud_redactor_free(r);
        }
        shroud_redactor *r = NULL;
        assert_int_equal(shroud_redactor_new(&r, imgs[i].data, imgs[i].len), SHROUD_OK);
        shroud_region one = {0, 0, 1, 1};
        assert_int_equal(add_group(r, "g", SHROUD_STYLE_NOISE, &one, 0), SHROUD_ERR_REGION);
        assert_int_equal(add_group(r, "g", SHROUD_STYLE_NOISE, NULL, 1), SHROUD_ERR_REGION);
        shroud_region many[SHROUD_MAX_REGIONS + 1];
        for (size_t k = 0; k < N_ITEMS(many); k++)
            many[k] = one;
        assert_int_equal(add_group(r, "g", SHROUD_STYLE_NOISE, many, SHROUD_MAX_REGIONS + 1),
                         SHROUD_ERR_REGION);
        assert_still_usable(r, imgs[i].data, imgs[i].len);
        shroud_redactor_free(r);
    }
    free_images(imgs);
}

static void test_groups_limit(void **state)
{
    (void)state;
    ru_png_spec spec = {.width = 20, .height = 20, .color_type = PNG_CT_GRAY, .bit_depth = 8};
    size_t len;
    uint8_t *png = ru_png_make(&spec, &len);
    shroud_redactor *r = NULL;
    assert_int_equal(shroud_redactor_new(&r, png, len), SHROUD_OK);
    for (unsigned g = 0; g < SHROUD_MAX_GROUPS; g++) {
        char name[16];
        snprintf(name, sizeof name, "g%u", g);
        shroud_region reg = {g, g, 2, 2};
        assert_int_equal(add_group(r, name, (int)g % 4, &reg, 1), SHROUD_OK);
    }
    shroud_region reg = {0, 0, 1, 1};
    assert_int_equal(add_group(r, "one-too-many", SHROUD_STYLE_NOISE, &reg, 1), SHROUD_ERR_LIMIT);
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(shroud_redactor_finish(r, &out, &out_len), SHROUD_OK);
    shroud_redactor_free(r);
    shroud_image_info *info = NULL;
    assert_int_equal(shroud_image_inspect(out, out_len, &info), SHROUD_OK);
    assert_int_equal(info->n_groups, SHROUD_MAX_GROUPS);
    for (unsigned g = 0; g < SHROUD_MAX_GROUPS; g++)
        assert_int_equal(info->groups[g].style, (int)g % 4);
    shroud_image_info_free(info);
    const shroud_identity *ids[1] = {alice};
    size_t res_len;
    shroud_image_info *rinfo = NULL;
    uint8_t *res = ru_restore(out, out_len, ids, 1, NULL, &res_len, &rinfo);
    for (unsigned g = 0; g < SHROUD_MAX_GROUPS; g++)
        assert_int_equal(rinfo->groups[g].restore_status, SHROUD_OK);
    shroud_image_info_free(rinfo);
    ru_assert_same_image(png, len, res, res_len, "16 groups");
    free(res);
    shroud_free(out);
    free(png);
}

static void test_bad_group_arguments(void **state)
{
    (void)state;
    ru_png_spec spec = {.width = 20, .height = 20, .color_type = PNG_CT_GRAY, .bit_depth = 8};
    size_t len;
    uint8_t *png = ru_png_make(&spec, &len);
    shroud_redactor *r = NULL;
    assert_int_equal(shroud_redactor_new(&r, png, len), SHROUD_OK);
    shroud_region reg = {0, 0, 3, 3};
    char long_name[SHROUD_GROUP_NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const char *const bad_names[] = {"",          long_name,   "a b", "a/b",   "caf\xc3\xa9",
                                     "tab\there", "new\nline", "x:y", "semi;", "quote\""};
    for (size_t k = 0; k < N_ITEMS(bad_names); k++)
        if (add_group(r, bad_names[k], SHROUD_STYLE_NOISE, &reg, 1) != SHROUD_ERR_ARGUMENT)
            fail_msg("group name \"%s\" was not refused", bad_names[k]);
    assert_int_equal(add_group(r, NULL, SHROUD_STYLE_NOISE, &reg, 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(add_group(r, "s", -1, &reg, 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(add_group(r, "s", SHROUD_STYLE_BLUR + 1, &reg, 1), SHROUD_ERR_ARGUMENT);

    /* the longest name and every allowed character */
    long_name[SHROUD_GROUP_NAME_MAX] = '\0';
    assert_int_equal(add_group(r, long_name, SHROUD_STYLE_NOISE, &reg, 1), SHROUD_OK);
    assert_int_equal(add_group(r, "AZaz09._-", SHROUD_STYLE_NOISE, &reg, 1), SHROUD_OK);
    assert_int_equal(add_group(r, "AZaz09._-", SHROUD_STYLE_FILL, &reg, 1), SHROUD_ERR_ARGUMENT);

    /* keys */
    const shroud_recipient *rs[SHROUD_MAX_RECIPIENTS + 1];
    for (size_t k = 0; k < N_ITEMS(rs); k++)
        rs[k] = alice_pub;
    assert_int_equal(shroud_redactor_add_group(r, "k", 0, &reg, 1, NULL, 0, NULL, 0, 0),
                     SHROUD_ERR_ARGUMENT); /* sealed to nobody */
    assert_int_equal(shroud_redactor_add_group(r, "k", 0, &reg, 1, NULL, 1, NULL, 0, 0),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(
        shroud_redactor_add_group(r, "k", 0, &reg, 1, rs, SHROUD_MAX_RECIPIENTS + 1, NULL, 0, 0),
        SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_redactor_add_group(r, "k", 0, &reg, 1, rs, 1, "pw", 2, RU_LOG_N),
                     SHROUD_ERR_PASSPHRASE_MIX);
    assert_int_equal(shroud_redactor_add_group(r, "k", 0, &reg, 1, NULL, 0, "", 0, RU_LOG_N),
                     SHROUD_ERR_ARGUMENT);
    static char huge[SHROUD_PASSPHRASE_MAX + 1];
    memset(huge, 'p', sizeof huge);
    assert_int_equal(
        shroud_redactor_add_group(r, "k", 0, &reg, 1, NULL, 0, huge, sizeof huge, RU_LOG_N),
        SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_redactor_add_group(r, "k", 0, &reg, 1, NULL, 0, huge,
                                               SHROUD_PASSPHRASE_MAX, RU_LOG_N),
                     SHROUD_OK);
    assert_int_equal(
        shroud_redactor_add_group(r, "k64", 0, &reg, 1, rs, SHROUD_MAX_RECIPIENTS, NULL, 0, 0),
        SHROUD_OK);

    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(shroud_redactor_finish(r, &out, &out_len), SHROUD_OK);
    shroud_image_info *info = NULL;
    assert_int_equal(shroud_image_inspect(out, out_len, &info), SHROUD_OK);
    assert_int_equal(info->n_groups, 4);
    assert_string_equal(info->groups[0].name, long_name);
    assert_int_equal(info->groups[2].n_stanzas, 1);
    assert_int_equal(info->groups[2].stanza_kinds, 1u << SHROUD_STANZA_SCRYPT);
    assert_int_equal(info->groups[3].n_stanzas, SHROUD_MAX_RECIPIENTS);
    shroud_image_info_free(info);
    shroud_free(out);

    shroud_redactor_free(r); /* what a finished redactor refuses: test_calls_after_finish */

    /* finishing without any group */
    assert_int_equal(shroud_redactor_new(&r, png, len), SHROUD_OK);
    out = (uint8_t *)png;
    assert_int_equal(shroud_redactor_finish(r, &out, &out_len), SHROUD_ERR_ARGUMENT);
    assert_null(out);
    assert_int_equal(out_len, 0);
    shroud_redactor_free(r);

    /* NULL handles and buffers */
    assert_int_equal(shroud_redactor_new(NULL, png, len), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_redactor_new(&r, NULL, len), SHROUD_ERR_ARGUMENT);
    assert_int_equal(add_group(NULL, "g", 0, &reg, 1), SHROUD_ERR_ARGUMENT);
    shroud_redactor_free(NULL);
    free(png);
}

/* A scrypt work factor outside SHROUD_SCRYPT_MIN_LOG_N..MAX_LOG_N is refused
 * with SHROUD_ERR_WORK_FACTOR and nothing comes out. (add_group takes it;
 * the refusal comes from finish, which leaves the redactor finished.) */
/* A work factor out of range is refused by add_group itself (not first at
 * finish), and the redactor goes on with a good group. */
static void test_bad_work_factor(void **state)
{
    (void)state;
    ru_png_spec spec = {.width = 8, .height = 8, .color_type = PNG_CT_GRAY, .bit_depth = 8};
    size_t len;
    uint8_t *png = ru_png_make(&spec, &len);
    const shroud_region reg = {0, 0, 2, 2};
    const int bad[] = {-1, SHROUD_SCRYPT_MIN_LOG_N - 1, SHROUD_SCRYPT_MAX_LOG_N + 1, 64};
    for (size_t i = 0; i < N_ITEMS(bad); i++) {
        shroud_redactor *r = NULL;
        assert_int_equal(shroud_redactor_new(&r, png, len), SHROUD_OK);
        int err = shroud_redactor_add_group(r, "g", 0, &reg, 1, NULL, 0, "pw", 2, bad[i]);
        if (err != SHROUD_ERR_WORK_FACTOR)
            fail_msg("log_n %d: %d (%s), expected SHROUD_ERR_WORK_FACTOR", bad[i], err,
                     shroud_strerror(err));
        assert_still_usable(r, png, len);
        shroud_redactor_free(r);
    }
    free(png);
}

/* After finish every setter, another group and a second finish are
 * SHROUD_ERR_STATE, and nothing is produced. */
static void test_calls_after_finish(void **state)
{
    (void)state;
    ru_png_spec spec = {.width = 8, .height = 8, .color_type = PNG_CT_GRAY, .bit_depth = 8};
    size_t len;
    uint8_t *png = ru_png_make(&spec, &len);
    const shroud_region reg = {0, 0, 2, 2};
    shroud_redactor *r = NULL;
    assert_int_equal(shroud_redactor_new(&r, png, len), SHROUD_OK);
    assert_int_equal(add_group(r, "g", SHROUD_STYLE_NOISE, &reg, 1), SHROUD_OK);
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(shroud_redactor_finish(r, &out, &out_len), SHROUD_OK);
    shroud_free(out);
    assert_int_equal(add_group(r, "h", SHROUD_STYLE_NOISE, &reg, 1), SHROUD_ERR_STATE);
    assert_int_equal(shroud_redactor_strip_metadata(r, 1), SHROUD_ERR_STATE);
    assert_int_equal(shroud_redactor_png_level(r, 3), SHROUD_ERR_STATE);
    assert_int_equal(shroud_redactor_sign(r, alice), SHROUD_ERR_STATE);
    out = (uint8_t *)1;
    out_len = 1;
    assert_int_equal(shroud_redactor_finish(r, &out, &out_len), SHROUD_ERR_STATE);
    assert_ptr_equal(out, (uint8_t *)1); /* untouched: the caller's */
    /* arguments are still checked first */
    assert_int_equal(shroud_redactor_png_level(r, 13), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_redactor_finish(r, NULL, &out_len), SHROUD_ERR_ARGUMENT);
    shroud_redactor_free(r);
    free(png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges_and_corners),     cmocka_unit_test(test_overlap_in_one_group),
        cmocka_unit_test(test_overlap_across_groups), cmocka_unit_test(test_whole_image),
        cmocka_unit_test(test_max_regions),           cmocka_unit_test(test_bad_regions),
        cmocka_unit_test(test_groups_limit),          cmocka_unit_test(test_bad_group_arguments),
        cmocka_unit_test(test_bad_work_factor),       cmocka_unit_test(test_calls_after_finish),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
