/*
 * Groups and who may restore them. Two groups sealed to different X25519
 * keys: each key restores its own group only (restore_status per group in the
 * info), both keys restore everything; a passphrase group (scrypt at the
 * lowest work factor); an RSA recipient; several recipients in one group.
 * A key that opens nothing gives SHROUD_ERR_NO_IDENTITY (a wrong passphrase
 * SHROUD_ERR_PASSPHRASE, none SHROUD_ERR_NEED_PASSPHRASE) and no output;
 * a file that already carries a record is refused by the redactor
 * (SHROUD_ERR_ALREADY_REDACTED); a restored file carries none
 * (SHROUD_ERR_NO_RECORD) and can be redacted again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/embedded.h"
#include "jpeg_util.h"
#include "redact_util.h"

static shroud_identity *alice, *bob, *carol, *rsa;
static shroud_recipient *alice_pub, *bob_pub, *carol_pub, *rsa_pub;

static int setup(void **state)
{
    (void)state;
    alice = ru_native_identity();
    bob = ru_native_identity();
    carol = ru_native_identity();
    rsa = ru_rsa_identity();
    alice_pub = ru_recipient_of(alice);
    bob_pub = ru_recipient_of(bob);
    carol_pub = ru_recipient_of(carol);
    rsa_pub = ru_recipient_of(rsa);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity *ids[] = {alice, bob, carol, rsa};
    shroud_recipient *pubs[] = {alice_pub, bob_pub, carol_pub, rsa_pub};
    for (size_t i = 0; i < N_ITEMS(ids); i++) {
        shroud_identity_free(ids[i]);
        shroud_recipient_free(pubs[i]);
    }
    return 0;
}

/* A PNG, a baseline JPEG and an optimized-Huffman JPEG (a partial restore of
 * the latter must not reuse the original tables for the noise left). */
#define N_IMAGES 3
static const char *const image_names[N_IMAGES] = {"PNG", "JPEG", "JPEG optimized"};

static uint8_t *make_image(int i, size_t *len)
{
    if (i == 0) {
        ru_png_spec spec = {.width = 64, .height = 48, .color_type = PNG_CT_RGBA, .bit_depth = 8};
        return ru_png_make(&spec, len);
    }
    ju_spec spec = {.width = 64, .height = 48, .optimize = i == 2, .quality = 90};
    return ju_make(&spec, len);
}

/* Regions far apart, even grown to 16x16 MCUs. */
static const shroud_region region_a = {2, 2, 20, 12}, region_b = {36, 20, 20, 20};

static void test_each_key_restores_its_group(void **state)
{
    (void)state;
    for (int i = 0; i < N_IMAGES; i++) {
        size_t len, red_len, res_len;
        uint8_t *img = make_image(i, &len);
        const shroud_recipient *ka[1] = {alice_pub}, *kb[1] = {bob_pub};
        ru_group groups[2] = {{"faces", SHROUD_STYLE_NOISE, &region_a, 1, ka, 1, NULL},
                              {"plates", SHROUD_STYLE_NOISE, &region_b, 1, kb, 1, NULL}};
        uint8_t *red = ru_redact(img, len, groups, 2, NULL, &red_len);

        const shroud_identity *only_a[1] = {alice}, *only_b[1] = {bob}, *both[2] = {bob, alice};
        const shroud_identity *const *keys[3] = {only_a, only_b, both};
        const size_t n_keys[3] = {1, 1, 2};
        for (int k = 0; k < 3; k++) {
            shroud_image_info *info = NULL;
            uint8_t *res = ru_restore(red, red_len, keys[k], n_keys[k], NULL, &res_len, &info);
            int want_a = k != 1, want_b = k != 0;
            assert_int_equal(info->n_groups, 2);
            assert_string_equal(info->groups[0].name, "faces");
            assert_string_equal(info->groups[1].name, "plates");
            assert_int_equal(info->groups[0].restore_status,
                             want_a ? SHROUD_OK : SHROUD_ERR_NO_IDENTITY);
            assert_int_equal(info->groups[1].restore_status,
                             want_b ? SHROUD_OK : SHROUD_ERR_NO_IDENTITY);
            shroud_image_info_free(info);
            /* a restored group shows the original, the other what was published */
            assert_true(ru_same_inside(img, len, res, res_len, &region_a) == want_a);
            assert_true(ru_same_inside(red, red_len, res, res_len, &region_a) == !want_a);
            assert_true(ru_same_inside(img, len, res, res_len, &region_b) == want_b);
            assert_true(ru_same_inside(red, red_len, res, res_len, &region_b) == !want_b);
            const shroud_region both_regions[2] = {region_a, region_b};
            ru_assert_same_outside(img, len, res, res_len, both_regions, 2, image_names[i]);
            if (k == 2)
                ru_assert_same_image(img, len, res, res_len, image_names[i]);
            if (i > 0) { /* the JPEG decodes cleanly however much was restored */
                ju_image dec;
                assert_int_equal(ju_decode(res, res_len, &dec), 0);
                ju_image_free(&dec);
            }
            /* the output carries no record: nothing more to restore */
            const int no_record[] = {SHROUD_ERR_NO_RECORD};
            ru_restore_fails(res, res_len, both, 2, NULL, no_record, 1, "restore of a restore");
            free(res);
        }
        /* a third key opens nothing */
        const shroud_identity *only_c[1] = {carol};
        const int no_id[] = {SHROUD_ERR_NO_IDENTITY};
        ru_restore_fails(red, red_len, only_c, 1, NULL, no_id, 1, "wrong key");
        ru_restore_fails(red, red_len, NULL, 0, NULL, no_id, 1, "no key at all");
        ru_pass pass = {"irrelevant", 0};
        ru_restore_fails(red, red_len, only_c, 1, &pass, no_id, 1, "wrong key and a passphrase");
        free(red);
        free(img);
    }
}

static void test_passphrase_group(void **state)
{
    (void)state;
    for (int i = 0; i < N_IMAGES; i++) {
        size_t len, red_len, res_len;
        uint8_t *img = make_image(i, &len);
        const shroud_recipient *ka[1] = {alice_pub};
        ru_group groups[2] = {{"keyed", SHROUD_STYLE_FILL, &region_a, 1, ka, 1, NULL},
                              {"pass", SHROUD_STYLE_NOISE, &region_b, 1, NULL, 0, "correct horse"}};
        uint8_t *red = ru_redact(img, len, groups, 2, NULL, &red_len);

        shroud_image_info *info = NULL;
        assert_int_equal(shroud_image_inspect(red, red_len, &info), SHROUD_OK);
        assert_int_equal(info->groups[1].n_stanzas, 1);
        assert_int_equal(info->groups[1].stanza_kinds, 1u << SHROUD_STANZA_SCRYPT);
        shroud_image_info_free(info);

        /* the passphrase alone */
        ru_pass good = {"correct horse", 0};
        uint8_t *res = ru_restore(red, red_len, NULL, 0, &good, &res_len, &info);
        assert_true(good.calls >= 1);
        assert_int_equal(info->groups[0].restore_status, SHROUD_ERR_NO_IDENTITY);
        assert_int_equal(info->groups[1].restore_status, SHROUD_OK);
        shroud_image_info_free(info);
        assert_true(ru_same_inside(img, len, res, res_len, &region_b));
        assert_false(ru_same_inside(img, len, res, res_len, &region_a));
        free(res);

        /* the key alone: the passphrase group says why it stayed obscured */
        const shroud_identity *ids[1] = {alice};
        res = ru_restore(red, red_len, ids, 1, NULL, &res_len, &info);
        assert_int_equal(info->groups[0].restore_status, SHROUD_OK);
        assert_int_equal(info->groups[1].restore_status, SHROUD_ERR_NEED_PASSPHRASE);
        shroud_image_info_free(info);
        free(res);
        ru_pass bad = {"wrong horse", 0};
        res = ru_restore(red, red_len, ids, 1, &bad, &res_len, &info);
        assert_int_equal(info->groups[1].restore_status, SHROUD_ERR_PASSPHRASE);
        shroud_image_info_free(info);
        free(res);

        /* both */
        good.calls = 0;
        res = ru_restore(red, red_len, ids, 1, &good, &res_len, NULL);
        ru_assert_same_image(img, len, res, res_len, image_names[i]);
        free(res);

        /* nothing opens: the most telling reason */
        const int wrong[] = {SHROUD_ERR_PASSPHRASE}, none[] = {SHROUD_ERR_NEED_PASSPHRASE};
        ru_restore_fails(red, red_len, NULL, 0, &bad, wrong, 1, "wrong passphrase");
        ru_pass refusing = {NULL, 0};
        ru_restore_fails(red, red_len, NULL, 0, &refusing, none, 1, "passphrase refused");
        ru_restore_fails(red, red_len, NULL, 0, NULL, none, 1, "no passphrase source");
        free(red);
        free(img);
    }
}

/* An RSA recipient, and a group sealed to several recipients (two native
 * keys and the RSA key): each key alone restores it. */
static void test_rsa_and_several_recipients(void **state)
{
    (void)state;
    for (int i = 0; i < N_IMAGES; i++) {
        size_t len, red_len, res_len;
        uint8_t *img = make_image(i, &len);
        const shroud_recipient *only_rsa[1] = {rsa_pub}, *three[3] = {alice_pub, rsa_pub, bob_pub};
        ru_group groups[2] = {{"rsa", SHROUD_STYLE_PIXELATE, &region_a, 1, only_rsa, 1, NULL},
                              {"three", SHROUD_STYLE_BLUR, &region_b, 1, three, 3, NULL}};
        uint8_t *red = ru_redact(img, len, groups, 2, NULL, &red_len);

        shroud_image_info *info = NULL;
        assert_int_equal(shroud_image_inspect(red, red_len, &info), SHROUD_OK);
        assert_int_equal(info->groups[0].n_stanzas, 1);
        assert_int_equal(info->groups[0].stanza_kinds, 1u << SHROUD_STANZA_RSA_OAEP);
        assert_int_equal(info->groups[1].n_stanzas, 3);
        assert_int_equal(info->groups[1].stanza_kinds,
                         1u << SHROUD_STANZA_X25519 | 1u << SHROUD_STANZA_RSA_OAEP);
        shroud_image_info_free(info);

        const shroud_identity *with_rsa[1] = {rsa};
        uint8_t *res = ru_restore(red, red_len, with_rsa, 1, NULL, &res_len, &info);
        assert_int_equal(info->groups[0].restore_status, SHROUD_OK);
        assert_int_equal(info->groups[1].restore_status, SHROUD_OK);
        shroud_image_info_free(info);
        ru_assert_same_image(img, len, res, res_len, "RSA key");
        free(res);
        const shroud_identity *natives[2] = {alice, bob};
        for (int k = 0; k < 2; k++) {
            res = ru_restore(red, red_len, &natives[k], 1, NULL, &res_len, &info);
            assert_int_equal(info->groups[0].restore_status, SHROUD_ERR_NO_IDENTITY);
            assert_int_equal(info->groups[1].restore_status, SHROUD_OK);
            shroud_image_info_free(info);
            assert_true(ru_same_inside(img, len, res, res_len, &region_b));
            assert_false(ru_same_inside(img, len, res, res_len, &region_a));
            free(res);
        }
        free(red);
        free(img);
    }
}

/* A file with a record is refused by the redactor; its restored output is
 * not, and redacts and restores again. */
static void test_already_redacted(void **state)
{
    (void)state;
    for (int i = 0; i < N_IMAGES; i++) {
        size_t len, red_len, res_len;
        uint8_t *img = make_image(i, &len);
        uint8_t *red =
            ru_redact_one(img, len, SHROUD_STYLE_NOISE, &region_a, 1, alice_pub, &red_len);
        shroud_redactor *r = (shroud_redactor *)img;
        assert_int_equal(shroud_redactor_new(&r, red, red_len), SHROUD_ERR_ALREADY_REDACTED);
        assert_null(r);
        /* also when the record is signed over */
        uint8_t *signed_red = NULL;
        size_t signed_len = 0;
        assert_int_equal(shroud_image_sign(red, red_len, bob, &signed_red, &signed_len), SHROUD_OK);
        assert_int_equal(shroud_redactor_new(&r, signed_red, signed_len),
                         SHROUD_ERR_ALREADY_REDACTED);
        shroud_free(signed_red);

        const shroud_identity *ids[1] = {alice};
        uint8_t *res = ru_restore(red, red_len, ids, 1, NULL, &res_len, NULL);
        size_t again_len, back_len;
        uint8_t *again =
            ru_redact_one(res, res_len, SHROUD_STYLE_FILL, &region_b, 1, bob_pub, &again_len);
        const shroud_identity *bids[1] = {bob};
        uint8_t *back = ru_restore(again, again_len, bids, 1, NULL, &back_len, NULL);
        ru_assert_same_image(img, len, back, back_len, "redacted twice");
        free(back);
        free(again);
        free(res);
        free(red);
        free(img);
    }
}

/* The same identity given twice, or with an unrelated one, changes nothing. */
static void test_extra_identities(void **state)
{
    (void)state;
    size_t len, red_len, res_len;
    uint8_t *img = make_image(1, &len);
    uint8_t *red = ru_redact_one(img, len, SHROUD_STYLE_NOISE, &region_a, 1, bob_pub, &red_len);
    const shroud_identity *ids[4] = {carol, rsa, bob, bob};
    uint8_t *res = ru_restore(red, red_len, ids, 4, NULL, &res_len, NULL);
    assert_int_equal(res_len, len);
    assert_memory_equal(res, img, len);
    free(res);
    free(red);
    free(img);
}

/* Misuse of shroud_restore: SHROUD_ERR_ARGUMENT. */
static void test_restore_arguments(void **state)
{
    (void)state;
    size_t len, red_len;
    uint8_t *img = make_image(0, &len);
    uint8_t *red = ru_redact_one(img, len, SHROUD_STYLE_NOISE, &region_a, 1, alice_pub, &red_len);
    uint8_t *out = NULL;
    size_t out_len = 0;
    const shroud_identity *ids[2] = {alice, NULL};
    assert_int_equal(shroud_restore(NULL, red_len, ids, 1, NULL, NULL, &out, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_restore(red, red_len, ids, 1, NULL, NULL, NULL, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_restore(red, red_len, ids, 1, NULL, NULL, &out, NULL, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_restore(red, red_len, NULL, 1, NULL, NULL, &out, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_restore(red, red_len, ids, 2, NULL, NULL, &out, &out_len, NULL),
                     SHROUD_ERR_ARGUMENT); /* a NULL identity */
    assert_null(out);
    /* the info pointer is optional */
    assert_int_equal(shroud_restore(red, red_len, ids, 1, NULL, NULL, &out, &out_len, NULL),
                     SHROUD_OK);
    shroud_free(out);
    free(red);
    free(img);
}

/* JPEG regions of two groups that do not overlap as pixels but share an MCU
 * overlap once grown (inspect's `covered`): as docs/redaction.md says of
 * overlaps, either key then restores the shared MCU, other group's pixels
 * in it included. */
static void test_shared_mcu_restored_by_either_key(void **state)
{
    (void)state;
    ju_spec spec = {.width = 48, .height = 32}; /* 4:2:0: 16x16 MCUs */
    size_t len, red_len, res_len;
    uint8_t *img = ju_make(&spec, &len);
    const shroud_region ra = {1, 1, 4, 4}, rb = {9, 9, 4, 4}; /* both in MCU (0,0) */
    const shroud_recipient *ka[1] = {alice_pub}, *kb[1] = {bob_pub};
    ru_group groups[2] = {{"a", SHROUD_STYLE_NOISE, &ra, 1, ka, 1, NULL},
                          {"b", SHROUD_STYLE_FILL, &rb, 1, kb, 1, NULL}};
    uint8_t *red = ru_redact(img, len, groups, 2, NULL, &red_len);
    shroud_image_info *info = NULL;
    assert_int_equal(shroud_image_inspect(red, red_len, &info), SHROUD_OK);
    assert_memory_equal(&info->groups[0].covered[0], &info->groups[1].covered[0],
                        sizeof(shroud_region));
    shroud_image_info_free(info);
    const shroud_identity *only_a[1] = {alice};
    uint8_t *res = ru_restore(red, red_len, only_a, 1, NULL, &res_len, NULL);
    assert_true(ru_same_inside(img, len, res, res_len, &rb));
    ru_assert_same_image(img, len, res, res_len, "shared MCU, key a");
    free(res);
    free(red);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_key_restores_its_group),
        cmocka_unit_test(test_passphrase_group),
        cmocka_unit_test(test_rsa_and_several_recipients),
        cmocka_unit_test(test_already_redacted),
        cmocka_unit_test(test_extra_identities),
        cmocka_unit_test(test_restore_arguments),
        cmocka_unit_test(test_shared_mcu_restored_by_either_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
