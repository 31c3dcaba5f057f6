/*
 * Envelope errors through the public API: wrong keys and passphrases,
 * inputs that are not envelopes, unsupported versions, misuse of the sealer
 * and opener, and hostile work factors.
 */
#include <stdlib.h>
#include <string.h>

#include "envelope_util.h"

#define PASS "correct horse battery staple"
#define LOG_N 10
#define STANZA_BODY (MAGIC_BYTES + 1 + 3) /* offset of the first stanza body */

static shroud_identity *alice, *bob, *rsa, *rsa2;
static shroud_recipient *alice_r, *rsa_r;
static tu_buf pbkdf2_env; /* sealing one costs ~0.3 s: made once */
static uint8_t *plain;
#define PLAIN_LEN 40000

static int setup(void **state)
{
    (void)state;
    alice = new_native_identity();
    bob = new_native_identity();
    rsa = new_rsa_identity(2048);
    rsa2 = new_rsa_identity(2048);
    alice_r = recipient_of(alice);
    rsa_r = recipient_of(rsa);
    plain = pattern(PLAIN_LEN, 3);
    seal(&(seal_spec){.pbkdf2 = PASS}, plain, PLAIN_LEN, &pbkdf2_env);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(alice);
    shroud_identity_free(bob);
    shroud_identity_free(rsa);
    shroud_identity_free(rsa2);
    shroud_recipient_free(alice_r);
    shroud_recipient_free(rsa_r);
    tu_buf_free(&pbkdf2_env);
    free(plain);
    return 0;
}

/* Opens with spec and expects exactly `want`, with no plaintext at all. */
static void expect_error_and_nothing(const open_spec *spec, const uint8_t *ct, size_t len, int want)
{
    tu_buf out = {0};
    int err = open_env(spec, ct, len, &out);
    if (err != want)
        fail_msg("expected %d (%s), got %d (%s)", want, shroud_strerror(want), err,
                 shroud_strerror(err));
    assert_int_equal(out.len, 0);
    tu_buf_free(&out);
    /* shroud_open agrees and returns nothing */
    pass_source src = {.pass = spec->pass};
    uint8_t *res = NULL;
    size_t res_len = 0;
    assert_int_equal(shroud_open(spec->ids, spec->n, spec->pass ? pass_fn : NULL, &src, spec->flags,
                                 ct, len, &res, &res_len),
                     want);
    assert_null(res);
}

static void test_wrong_key_fails_with_no_identity_and_delivers_nothing(void **state)
{
    (void)state;
    tu_buf to_alice = {0}, to_rsa = {0};
    seal_to(alice_r, 0, plain, PLAIN_LEN, &to_alice);
    seal_to(rsa_r, 0, plain, PLAIN_LEN, &to_rsa);
    const shroud_identity *wrong_for_alice[] = {bob, rsa};
    const shroud_identity *wrong_for_rsa[] = {rsa2, alice};
    for (size_t i = 0; i < 2; i++) {
        expect_error_and_nothing(&(open_spec){.ids = &wrong_for_alice[i], .n = 1}, to_alice.data,
                                 to_alice.len, SHROUD_ERR_NO_IDENTITY);
        expect_error_and_nothing(&(open_spec){.ids = &wrong_for_rsa[i], .n = 1}, to_rsa.data,
                                 to_rsa.len, SHROUD_ERR_NO_IDENTITY);
    }
    /* all the wrong ones at once, and none at all */
    expect_error_and_nothing(&(open_spec){.ids = wrong_for_alice, .n = 2}, to_alice.data,
                             to_alice.len, SHROUD_ERR_NO_IDENTITY);
    expect_error_and_nothing(&(open_spec){.n = 0}, to_alice.data, to_alice.len,
                             SHROUD_ERR_NO_IDENTITY);
    /* a passphrase source does not open a recipient envelope */
    expect_error_and_nothing(&(open_spec){.pass = PASS}, to_alice.data, to_alice.len,
                             SHROUD_ERR_NO_IDENTITY);
    tu_buf_free(&to_alice);
    tu_buf_free(&to_rsa);
}

static void test_wrong_passphrase_fails_with_passphrase_error(void **state)
{
    (void)state;
    tu_buf ct = {0};
    seal(&(seal_spec){.scrypt = PASS, .log_n = LOG_N}, plain, PLAIN_LEN, &ct);
    const char *wrong[] = {"correct horse battery stapl", "Correct horse battery staple", PASS " ",
                           "x"};
    for (size_t i = 0; i < N_ITEMS(wrong); i++)
        expect_error_and_nothing(&(open_spec){.pass = wrong[i]}, ct.data, ct.len,
                                 SHROUD_ERR_PASSPHRASE);
    tu_buf_free(&ct);
    expect_error_and_nothing(&(open_spec){.pass = "wrong"}, pbkdf2_env.data, pbkdf2_env.len,
                             SHROUD_ERR_PASSPHRASE);
}

static void test_passphrase_envelope_without_passphrase_needs_passphrase(void **state)
{
    (void)state;
    tu_buf ct = {0}, out = {0};
    seal(&(seal_spec){.scrypt = PASS, .log_n = LOG_N}, plain, 100, &ct);
    /* no callback, even with identities */
    const shroud_identity *ids[] = {alice, rsa};
    expect_error_and_nothing(&(open_spec){.ids = ids, .n = 2}, ct.data, ct.len,
                             SHROUD_ERR_NEED_PASSPHRASE);
    /* a callback that has none */
    pass_source none = {.pass = NULL};
    shroud_opener *o = NULL;
    assert_int_equal(shroud_opener_new(&o, 0, tu_buf_write, &out), SHROUD_OK);
    shroud_opener_set_passphrase_fn(o, pass_fn, &none);
    int err = shroud_opener_write(o, ct.data, ct.len);
    if (!err)
        err = shroud_opener_finish(o);
    assert_int_equal(err, SHROUD_ERR_NEED_PASSPHRASE);
    assert_int_equal(none.calls, 1);
    assert_int_equal(out.len, 0);
    shroud_opener_free(o);
    tu_buf_free(&ct);
}

static void test_empty_input_is_not_shroud(void **state)
{
    (void)state;
    static const unsigned flags[] = {0, SHROUD_FLAG_HEADERLESS};
    for (size_t i = 0; i < N_ITEMS(flags); i++) {
        tu_buf out = {0};
        shroud_opener *o = NULL;
        assert_int_equal(shroud_opener_new(&o, flags[i], tu_buf_write, &out), SHROUD_OK);
        assert_int_equal(shroud_opener_add_identity(o, alice), SHROUD_OK);
        assert_int_equal(shroud_opener_write(o, (const uint8_t *)"", 0), SHROUD_OK);
        assert_int_equal(shroud_opener_finish(o), SHROUD_ERR_NOT_SHROUD);
        shroud_opener_free(o);
        expect_error_and_nothing(
            &(open_spec){.ids = (const shroud_identity *const *)&alice, .n = 1, .flags = flags[i]},
            (const uint8_t *)"", 0, SHROUD_ERR_NOT_SHROUD);
    }
}

static void test_random_garbage_is_not_shroud(void **state)
{
    (void)state;
    const shroud_identity *id = alice;
    for (uint32_t seed = 1; seed <= 64; seed++) {
        size_t len = 1 + seed * 97;
        uint8_t *junk = pattern(len, seed * 7919);
        /* Input that starts like text armor (dash or white space) is read as
         * armor; that case is covered in test_armor.c. */
        if (strchr("- \t\r\n", junk[0]) || junk[0] == 'S')
            junk[0] ^= 0x80;
        expect_error_and_nothing(&(open_spec){.ids = &id, .n = 1}, junk, len,
                                 SHROUD_ERR_NOT_SHROUD);
        free(junk);
    }
    static const char *texts[] = {"hello, world\n", "SHROUD MESSAGE", "shroud\0\1",
                                  "SHROUD\x01\x01", "\x89PNG\r\n\x1a\n"};
    for (size_t i = 0; i < N_ITEMS(texts); i++)
        expect_error_and_nothing(&(open_spec){.ids = &id, .n = 1}, (const uint8_t *)texts[i],
                                 strlen(texts[i]) + 1, SHROUD_ERR_NOT_SHROUD);
}

static void test_unsupported_version_byte_is_reported(void **state)
{
    (void)state;
    const shroud_identity *id = alice;
    tu_buf ct = {0};
    seal_to(alice_r, 0, plain, 1000, &ct);
    static const uint8_t versions[] = {0x00, 0x02, 0x7f, 0xff};
    for (size_t i = 0; i < N_ITEMS(versions); i++) {
        ct.data[MAGIC_BYTES - 1] = versions[i];
        expect_error_and_nothing(&(open_spec){.ids = &id, .n = 1}, ct.data, ct.len,
                                 SHROUD_ERR_VERSION);
        /* the magic alone is enough to tell */
        expect_error_and_nothing(&(open_spec){.ids = &id, .n = 1}, ct.data, MAGIC_BYTES,
                                 SHROUD_ERR_VERSION);
    }
    tu_buf_free(&ct);
}

static void test_magic_alone_is_truncated(void **state)
{
    (void)state;
    const shroud_identity *id = alice;
    expect_error_and_nothing(&(open_spec){.ids = &id, .n = 1}, (const uint8_t *)"SHROUD\0\1",
                             MAGIC_BYTES, SHROUD_ERR_TRUNCATED);
}

static void test_headerless_and_normal_forms_are_not_interchangeable(void **state)
{
    (void)state;
    const shroud_identity *id = alice;
    tu_buf headerless = {0}, normal = {0}, armored = {0};
    seal_to(alice_r, SHROUD_FLAG_HEADERLESS, plain, 1000, &headerless);
    seal_to(alice_r, 0, plain, 1000, &normal);
    seal_to(alice_r, SHROUD_FLAG_ARMOR, plain, 1000, &armored);
    int all[] = {SHROUD_ERR_NOT_SHROUD, SHROUD_ERR_HEADER, SHROUD_ERR_ARMOR};
    expect_open_failure(&(open_spec){.ids = &id, .n = 1}, headerless.data, headerless.len, plain,
                        1000, all, N_ITEMS(all), "headerless given to a normal opener");
    expect_open_failure(&(open_spec){.ids = &id, .n = 1, .flags = SHROUD_FLAG_HEADERLESS},
                        normal.data, normal.len, plain, 1000, all, N_ITEMS(all),
                        "normal given to a headerless opener");
    expect_open_failure(&(open_spec){.ids = &id, .n = 1, .flags = SHROUD_FLAG_HEADERLESS},
                        armored.data, armored.len, plain, 1000, all, N_ITEMS(all),
                        "armored given to a headerless opener");
    /* the headerless form is the normal one minus the magic: adding it back works */
    tu_buf restored = {0};
    buf_append(&restored, "SHROUD\0\1", MAGIC_BYTES);
    buf_append(&restored, headerless.data, headerless.len);
    assert_opens_to(&(open_spec){.ids = &id, .n = 1}, restored.data, restored.len, plain, 1000);
    tu_buf_free(&restored);
    tu_buf_free(&headerless);
    tu_buf_free(&normal);
    tu_buf_free(&armored);
}

static void test_opener_error_is_sticky(void **state)
{
    (void)state;
    tu_buf ct = {0}, out = {0};
    seal_to(alice_r, 0, plain, 100, &ct);
    shroud_opener *o = NULL;
    assert_int_equal(shroud_opener_new(&o, 0, tu_buf_write, &out), SHROUD_OK);
    assert_int_equal(shroud_opener_add_identity(o, bob), SHROUD_OK);
    assert_int_equal(shroud_opener_write(o, ct.data, ct.len), SHROUD_ERR_NO_IDENTITY);
    assert_int_equal(shroud_opener_write(o, ct.data, 1), SHROUD_ERR_NO_IDENTITY);
    assert_int_equal(shroud_opener_finish(o), SHROUD_ERR_NO_IDENTITY);
    shroud_opener_free(o);
    assert_int_equal(out.len, 0);
    /* after a successful finish nothing more is taken */
    assert_int_equal(shroud_opener_new(&o, 0, tu_buf_write, &out), SHROUD_OK);
    assert_int_equal(shroud_opener_add_identity(o, alice), SHROUD_OK);
    assert_int_equal(shroud_opener_write(o, ct.data, ct.len), SHROUD_OK);
    assert_int_equal(shroud_opener_finish(o), SHROUD_OK);
    assert_int_not_equal(shroud_opener_write(o, ct.data, 1), SHROUD_OK);
    assert_int_not_equal(shroud_opener_finish(o), SHROUD_OK);
    shroud_opener_free(o);
    tu_buf_free(&out);
    tu_buf_free(&ct);
}

static void test_sealer_refuses_use_out_of_order(void **state)
{
    (void)state;
    tu_buf sink = {0};
    shroud_sealer *s = NULL;
    assert_int_equal(shroud_sealer_new(&s, 0, tu_buf_write, &sink), SHROUD_OK);
    assert_int_equal(shroud_sealer_add_recipient(s, alice_r), SHROUD_OK);
    assert_int_equal(shroud_sealer_write(s, plain, 10), SHROUD_OK);
    assert_int_equal(shroud_sealer_add_recipient(s, rsa_r), SHROUD_ERR_STATE);
    assert_int_equal(shroud_sealer_finish(s), SHROUD_OK);
    assert_int_equal(shroud_sealer_write(s, plain, 10), SHROUD_ERR_STATE);
    assert_int_equal(shroud_sealer_finish(s), SHROUD_ERR_STATE);
    shroud_sealer_free(s);
    tu_buf_free(&sink);
}

static int refuse_output(void *ctx, const uint8_t *buf, size_t len)
{
    (void)buf;
    (void)len;
    ++*(int *)ctx;
    return 1;
}

static void test_output_callback_can_cancel(void **state)
{
    (void)state;
    int calls = 0;
    shroud_sealer *s = NULL;
    assert_int_equal(shroud_sealer_new(&s, 0, refuse_output, &calls), SHROUD_OK);
    assert_int_equal(shroud_sealer_add_recipient(s, alice_r), SHROUD_OK);
    assert_int_equal(shroud_sealer_write(s, plain, 10), SHROUD_ERR_CANCELLED);
    assert_int_equal(shroud_sealer_finish(s), SHROUD_ERR_CANCELLED);
    shroud_sealer_free(s);
    assert_int_equal(calls, 1);

    tu_buf ct = {0};
    seal_to(alice_r, SHROUD_FLAG_ARMOR, plain, 100, &ct);
    calls = 0;
    shroud_opener *o = NULL;
    assert_int_equal(shroud_opener_new(&o, 0, refuse_output, &calls), SHROUD_OK);
    assert_int_equal(shroud_opener_add_identity(o, alice), SHROUD_OK);
    int err = shroud_opener_write(o, ct.data, ct.len);
    if (!err)
        err = shroud_opener_finish(o);
    assert_int_equal(err, SHROUD_ERR_CANCELLED);
    assert_int_equal(calls, 1);
    shroud_opener_free(o);
    tu_buf_free(&ct);
}

static void test_sealer_refuses_bad_passphrases_and_work_factors(void **state)
{
    (void)state;
    static const int log_ns[] = {SHROUD_SCRYPT_MIN_LOG_N - 1, SHROUD_SCRYPT_MAX_LOG_N + 1, -1};
    static const uint32_t iterations[] = {SHROUD_PBKDF2_MIN_ITERATIONS - 1,
                                          SHROUD_PBKDF2_MAX_ITERATIONS + 1};
    char long_pass[SHROUD_PASSPHRASE_MAX + 1];
    memset(long_pass, 'p', sizeof long_pass);
    tu_buf sink = {0};
    shroud_sealer *s = NULL;
    assert_int_equal(shroud_sealer_new(&s, 0, tu_buf_write, &sink), SHROUD_OK);
    for (size_t i = 0; i < N_ITEMS(log_ns); i++)
        assert_int_equal(shroud_sealer_add_passphrase(s, PASS, strlen(PASS), log_ns[i]),
                         SHROUD_ERR_WORK_FACTOR);
    for (size_t i = 0; i < N_ITEMS(iterations); i++)
        assert_int_equal(shroud_sealer_add_passphrase_pbkdf2(s, PASS, strlen(PASS), iterations[i]),
                         SHROUD_ERR_WORK_FACTOR);
    assert_int_equal(shroud_sealer_add_passphrase(s, PASS, 0, LOG_N), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_sealer_add_passphrase(s, NULL, 5, LOG_N), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_sealer_add_passphrase(s, long_pass, sizeof long_pass, LOG_N),
                     SHROUD_ERR_ARGUMENT);
    /* the longest accepted passphrase still works */
    assert_int_equal(shroud_sealer_add_passphrase(s, long_pass, SHROUD_PASSPHRASE_MAX, LOG_N),
                     SHROUD_OK);
    assert_int_equal(shroud_sealer_finish(s), SHROUD_OK);
    shroud_sealer_free(s);
    long_pass[SHROUD_PASSPHRASE_MAX] = '\0';
    assert_opens_to(&(open_spec){.pass = long_pass}, sink.data, sink.len, NULL, 0);
    tu_buf_free(&sink);
}

/* A hostile file cannot make the reader spend more (or less) than allowed:
 * out-of-range costs are refused before anything is derived. */
static void test_opener_refuses_hostile_work_factors(void **state)
{
    (void)state;
    tu_buf ct = {0};
    seal(&(seal_spec){.scrypt = PASS, .log_n = LOG_N}, plain, 100, &ct);
    size_t log_n_at = STANZA_BODY + 16;
    assert_int_equal(ct.data[log_n_at], LOG_N);
    static const uint8_t bad_log_n[] = {0, SHROUD_SCRYPT_MIN_LOG_N - 1, SHROUD_SCRYPT_MAX_LOG_N + 1,
                                        40, 0xff};
    for (size_t i = 0; i < N_ITEMS(bad_log_n); i++) {
        ct.data[log_n_at] = bad_log_n[i];
        expect_error_and_nothing(&(open_spec){.pass = PASS}, ct.data, ct.len,
                                 SHROUD_ERR_WORK_FACTOR);
    }
    ct.data[log_n_at] = LOG_N + 1; /* in range but wrong: the key does not unwrap */
    expect_error_and_nothing(&(open_spec){.pass = PASS}, ct.data, ct.len, SHROUD_ERR_PASSPHRASE);
    tu_buf_free(&ct);

    tu_buf p = {0};
    buf_append(&p, pbkdf2_env.data, pbkdf2_env.len);
    size_t it_at = STANZA_BODY + 16; /* iterations:u32be */
    uint32_t it = (uint32_t)p.data[it_at] << 24 | (uint32_t)p.data[it_at + 1] << 16 |
                  (uint32_t)p.data[it_at + 2] << 8 | p.data[it_at + 3];
    assert_int_equal(it, SHROUD_PBKDF2_MIN_ITERATIONS); /* 0 meant the minimum */
    static const uint32_t bad_it[] = {0, SHROUD_PBKDF2_MIN_ITERATIONS - 1,
                                      SHROUD_PBKDF2_MAX_ITERATIONS + 1, UINT32_MAX};
    for (size_t i = 0; i < N_ITEMS(bad_it); i++) {
        for (int b = 0; b < 4; b++)
            p.data[it_at + b] = (uint8_t)(bad_it[i] >> (24 - 8 * b));
        expect_error_and_nothing(&(open_spec){.pass = PASS}, p.data, p.len, SHROUD_ERR_WORK_FACTOR);
    }
    tu_buf_free(&p);
}

static void test_api_misuse_is_an_argument_error(void **state)
{
    (void)state;
    tu_buf sink = {0};
    shroud_sealer *s = NULL;
    shroud_opener *o = NULL;
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(shroud_sealer_new(NULL, 0, tu_buf_write, &sink), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_sealer_new(&s, 0, NULL, NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_sealer_new(&s, 0x80, tu_buf_write, &sink), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_opener_new(&o, SHROUD_FLAG_ARMOR, tu_buf_write, &sink),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_opener_new(&o, 0, NULL, NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_sealer_add_recipient(NULL, alice_r), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_sealer_write(NULL, plain, 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_sealer_finish(NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_opener_add_identity(NULL, alice), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_opener_write(NULL, plain, 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_opener_finish(NULL), SHROUD_ERR_ARGUMENT);
    const shroud_recipient *r = alice_r;
    assert_int_equal(shroud_seal(&r, 1, NULL, 0, 0, plain, 1, NULL, &out_len), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_seal(&r, 1, NULL, 0, 0, NULL, 1, &out, &out_len), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_open(NULL, 0, NULL, NULL, 0, plain, 1, &out, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_null(out);
    shroud_sealer_free(NULL);
    shroud_opener_free(NULL);
}

static void test_every_error_has_a_message(void **state)
{
    (void)state;
    const char *unknown = shroud_strerror(1);
    for (int err = SHROUD_OK; err >= SHROUD_ERR_KEY_KIND; err--) {
        assert_non_null(shroud_strerror(err));
        assert_string_not_equal(shroud_strerror(err), unknown);
    }
    assert_non_null(shroud_strerror(-1000));
    assert_string_equal(shroud_version(), SHROUD_VERSION_STRING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_key_fails_with_no_identity_and_delivers_nothing),
        cmocka_unit_test(test_wrong_passphrase_fails_with_passphrase_error),
        cmocka_unit_test(test_passphrase_envelope_without_passphrase_needs_passphrase),
        cmocka_unit_test(test_empty_input_is_not_shroud),
        cmocka_unit_test(test_random_garbage_is_not_shroud),
        cmocka_unit_test(test_unsupported_version_byte_is_reported),
        cmocka_unit_test(test_magic_alone_is_truncated),
        cmocka_unit_test(test_headerless_and_normal_forms_are_not_interchangeable),
        cmocka_unit_test(test_opener_error_is_sticky),
        cmocka_unit_test(test_sealer_refuses_use_out_of_order),
        cmocka_unit_test(test_output_callback_can_cancel),
        cmocka_unit_test(test_sealer_refuses_bad_passphrases_and_work_factors),
        cmocka_unit_test(test_opener_refuses_hostile_work_factors),
        cmocka_unit_test(test_api_misuse_is_an_argument_error),
        cmocka_unit_test(test_every_error_has_a_message),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
