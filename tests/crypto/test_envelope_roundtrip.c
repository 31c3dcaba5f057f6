/*
 * Envelope round trips through the public API: shroud_sealer/shroud_opener
 * and shroud_seal/shroud_open, for every kind of recipient, plaintext sizes
 * around the 16 KiB chunk boundaries up to ~1 MiB, in the binary, armored
 * and headerless forms, and with the ciphertext fed in awkward pieces.
 */
#include <stdlib.h>
#include <string.h>

#include "envelope_util.h"

#define PASS "correct horse battery staple"
#define LOG_N 10

static shroud_identity *native[3];
static shroud_recipient *native_r[3];
static shroud_identity *rsa;
static shroud_recipient *rsa_r;

static int setup_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ITEMS(native); i++) {
        native[i] = new_native_identity();
        native_r[i] = recipient_of(native[i]);
    }
    rsa = new_rsa_identity(2048); /* slow: once per file */
    rsa_r = recipient_of(rsa);
    return 0;
}

static int free_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ITEMS(native); i++) {
        shroud_identity_free(native[i]);
        shroud_recipient_free(native_r[i]);
    }
    shroud_identity_free(rsa);
    shroud_recipient_free(rsa_r);
    return 0;
}

/* The three forms: flags given to the sealer and to the opener. */
static const struct {
    const char *name;
    unsigned seal_flags, open_flags;
} FORMS[] = {
    {"binary", 0, 0},
    {"armored", SHROUD_FLAG_ARMOR, 0}, /* the opener detects armor by itself */
    {"headerless", SHROUD_FLAG_HEADERLESS, SHROUD_FLAG_HEADERLESS},
};

/* shroud_open must give back exactly pt. */
static void assert_one_shot_opens_to(const open_spec *spec, const uint8_t *ct, size_t len,
                                     const uint8_t *pt, size_t pt_len)
{
    pass_source src = {.pass = spec->pass};
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(shroud_open(spec->ids, spec->n, spec->pass ? pass_fn : NULL, &src, spec->flags,
                                 ct, len, &out, &out_len),
                     SHROUD_OK);
    assert_non_null(out);
    assert_int_equal(out_len, pt_len);
    if (pt_len)
        assert_memory_equal(out, pt, pt_len);
    shroud_free_secret(out, out_len);
}

/* shroud_seal's output must open to pt (recipients only: shroud_seal's
 * passphrase always costs the default scrypt work factor). */
static void assert_one_shot_seal_roundtrips(const seal_spec *seal_with, const open_spec *open_with,
                                            const uint8_t *pt, size_t pt_len)
{
    uint8_t *ct = NULL;
    size_t ct_len = 0;
    assert_int_equal(shroud_seal(seal_with->recipients, seal_with->n, NULL, 0, seal_with->flags, pt,
                                 pt_len, &ct, &ct_len),
                     SHROUD_OK);
    assert_opens_to(open_with, ct, ct_len, pt, pt_len);
    shroud_free(ct);
}

/* Seals every TEST_SIZES plaintext in every form as `seal_with` says and
 * opens it as `open_with` says, with the streaming and the one-shot API. */
static void roundtrip_every_size_and_form(seal_spec seal_with, open_spec open_with)
{
    for (size_t i = 0; i < N_TEST_SIZES; i++) {
        size_t len = TEST_SIZES[i];
        uint8_t *pt = pattern(len, (uint32_t)len + 1);
        for (size_t f = 0; f < N_ITEMS(FORMS); f++) {
            print_message("  %zu bytes, %s\n", len, FORMS[f].name);
            seal_with.flags = FORMS[f].seal_flags;
            open_with.flags = FORMS[f].open_flags;
            tu_buf ct = {0};
            seal(&seal_with, pt, len, &ct);
            assert_opens_to(&open_with, ct.data, ct.len, pt, len);
            assert_one_shot_opens_to(&open_with, ct.data, ct.len, pt, len);
            if (!seal_with.scrypt && !seal_with.pbkdf2)
                assert_one_shot_seal_roundtrips(&seal_with, &open_with, pt, len);
            tu_buf_free(&ct);
        }
        free(pt);
    }
}

static void test_native_recipient_roundtrips_every_size_and_form(void **state)
{
    (void)state;
    seal_spec s = {.recipients = (const shroud_recipient *const *)native_r, .n = 1};
    open_spec o = {.ids = (const shroud_identity *const *)native, .n = 1};
    roundtrip_every_size_and_form(s, o);
}

static void test_rsa_recipient_roundtrips_every_size_and_form(void **state)
{
    (void)state;
    const shroud_recipient *r = rsa_r;
    const shroud_identity *id = rsa;
    roundtrip_every_size_and_form((seal_spec){.recipients = &r, .n = 1},
                                  (open_spec){.ids = &id, .n = 1});
}

static void test_scrypt_passphrase_roundtrips_every_size_and_form(void **state)
{
    (void)state;
    roundtrip_every_size_and_form((seal_spec){.scrypt = PASS, .log_n = LOG_N},
                                  (open_spec){.pass = PASS});
}

/* PBKDF2 costs ~0.3 s per derivation: one size in the binary and the armored
 * form (the headerless form only drops the magic, tested with the others). */
static void test_pbkdf2_passphrase_roundtrips_binary_and_armored(void **state)
{
    (void)state;
    static const size_t sizes[] = {SHROUD_CHUNK_BYTES + 1, 1};
    for (size_t f = 0; f < N_ITEMS(sizes); f++) {
        uint8_t *pt = pattern(sizes[f], 77);
        seal_spec s = {.pbkdf2 = PASS, .flags = FORMS[f].seal_flags};
        open_spec o = {.pass = PASS, .flags = FORMS[f].open_flags};
        tu_buf ct = {0};
        seal(&s, pt, sizes[f], &ct);
        assert_opens_to(&o, ct.data, ct.len, pt, sizes[f]);
        tu_buf_free(&ct);
        free(pt);
    }
}

/* Each identity alone opens an envelope sealed to all of `rs`. */
static void roundtrip_to_each_identity(const shroud_recipient *const *rs,
                                       const shroud_identity *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        roundtrip_every_size_and_form((seal_spec){.recipients = rs, .n = n},
                                      (open_spec){.ids = &ids[i], .n = 1});
}

static void test_native_and_rsa_mixture_opens_with_either_identity(void **state)
{
    (void)state;
    const shroud_recipient *rs[] = {native_r[0], rsa_r};
    const shroud_identity *ids[] = {native[0], rsa};
    roundtrip_to_each_identity(rs, ids, N_ITEMS(rs));
}

static void test_several_native_recipients_open_with_each_identity(void **state)
{
    (void)state;
    roundtrip_to_each_identity((const shroud_recipient *const *)native_r,
                               (const shroud_identity *const *)native, N_ITEMS(native));
}

static void test_any_identity_among_several_opens(void **state)
{
    (void)state;
    uint8_t *pt = pattern(5000, 5);
    tu_buf ct = {0};
    seal_to(native_r[2], 0, pt, 5000, &ct);
    const shroud_identity *ids[] = {rsa, native[0], native[1], native[2]};
    assert_opens_to(&(open_spec){.ids = ids, .n = N_ITEMS(ids)}, ct.data, ct.len, pt, 5000);
    tu_buf_free(&ct);
    seal_to(rsa_r, 0, pt, 5000, &ct);
    const shroud_identity *ids2[] = {native[0], native[1], rsa};
    assert_opens_to(&(open_spec){.ids = ids2, .n = N_ITEMS(ids2)}, ct.data, ct.len, pt, 5000);
    tu_buf_free(&ct);
    free(pt);
}

static void test_64_recipients_is_the_maximum_and_65_is_refused(void **state)
{
    (void)state;
    shroud_identity *ids[SHROUD_MAX_RECIPIENTS + 1];
    shroud_recipient *rs[SHROUD_MAX_RECIPIENTS + 1];
    for (size_t i = 0; i < N_ITEMS(ids); i++) {
        ids[i] = new_native_identity();
        rs[i] = recipient_of(ids[i]);
    }
    uint8_t *pt = pattern(20000, 64);
    tu_buf ct = {0};
    seal(
        &(seal_spec){.recipients = (const shroud_recipient *const *)rs, .n = SHROUD_MAX_RECIPIENTS},
        pt, 20000, &ct);
    assert_int_equal(ct.data[MAGIC_BYTES], SHROUD_MAX_RECIPIENTS); /* stanza count */
    const size_t probes[] = {0, 31, SHROUD_MAX_RECIPIENTS - 1};
    for (size_t i = 0; i < N_ITEMS(probes); i++) {
        const shroud_identity *id = ids[probes[i]];
        assert_opens_to(&(open_spec){.ids = &id, .n = 1}, ct.data, ct.len, pt, 20000);
    }
    tu_buf_free(&ct);

    /* The 65th recipient: refused by the sealer and by shroud_seal. */
    shroud_sealer *s = NULL;
    assert_int_equal(shroud_sealer_new(&s, 0, tu_buf_write, &ct), SHROUD_OK);
    for (size_t i = 0; i < SHROUD_MAX_RECIPIENTS; i++)
        assert_int_equal(shroud_sealer_add_recipient(s, rs[i]), SHROUD_OK);
    assert_int_equal(shroud_sealer_add_recipient(s, rs[SHROUD_MAX_RECIPIENTS]), SHROUD_ERR_LIMIT);
    shroud_sealer_free(s);
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(shroud_seal((const shroud_recipient *const *)rs, N_ITEMS(rs), NULL, 0, 0, pt,
                                 20000, &out, &out_len),
                     SHROUD_ERR_LIMIT);
    assert_null(out);
    tu_buf_free(&ct);
    free(pt);
    for (size_t i = 0; i < N_ITEMS(ids); i++) {
        shroud_identity_free(ids[i]);
        shroud_recipient_free(rs[i]);
    }
}

/* A len-byte plaintext sealed in every form with the plaintext written in
 * seal_piece pieces, then opened with the ciphertext written in open_piece
 * pieces (0: whole, PIECES_RANDOM). */
static void roundtrip_in_pieces(size_t len, size_t seal_piece, size_t open_piece)
{
    uint8_t *pt = pattern(len, 99);
    const shroud_recipient *r = native_r[1];
    const shroud_identity *id = native[1];
    for (size_t f = 0; f < N_ITEMS(FORMS); f++) {
        print_message("  %s\n", FORMS[f].name);
        tu_buf ct = {0};
        seal(
            &(seal_spec){
                .recipients = &r, .n = 1, .flags = FORMS[f].seal_flags, .piece = seal_piece},
            pt, len, &ct);
        assert_opens_to(
            &(open_spec){.ids = &id, .n = 1, .flags = FORMS[f].open_flags, .piece = open_piece},
            ct.data, ct.len, pt, len);
        tu_buf_free(&ct);
    }
    free(pt);
}

static void test_opener_accepts_one_byte_pieces(void **state)
{
    (void)state;
    roundtrip_in_pieces(3 * SHROUD_CHUNK_BYTES + 1, 0, 1);
}

static void test_opener_accepts_random_sized_pieces(void **state)
{
    (void)state;
    roundtrip_in_pieces(1048576 + 7, 0, PIECES_RANDOM);
}

static void test_sealer_accepts_one_byte_and_random_sized_pieces(void **state)
{
    (void)state;
    roundtrip_in_pieces(3 * SHROUD_CHUNK_BYTES + 1, 1, 0);
    roundtrip_in_pieces(1048576 + 7, PIECES_RANDOM, PIECES_RANDOM);
}

static void test_passphrase_with_other_recipients_is_refused(void **state)
{
    (void)state;
    tu_buf sink = {0};
    shroud_sealer *s = NULL;
    /* recipient, then passphrase (either KDF) */
    assert_int_equal(shroud_sealer_new(&s, 0, tu_buf_write, &sink), SHROUD_OK);
    assert_int_equal(shroud_sealer_add_recipient(s, native_r[0]), SHROUD_OK);
    assert_int_equal(shroud_sealer_add_passphrase(s, PASS, strlen(PASS), LOG_N),
                     SHROUD_ERR_PASSPHRASE_MIX);
    assert_int_equal(shroud_sealer_add_passphrase_pbkdf2(s, PASS, strlen(PASS), 0),
                     SHROUD_ERR_PASSPHRASE_MIX);
    shroud_sealer_free(s);
    /* passphrase, then a recipient or a second passphrase */
    assert_int_equal(shroud_sealer_new(&s, 0, tu_buf_write, &sink), SHROUD_OK);
    assert_int_equal(shroud_sealer_add_passphrase(s, PASS, strlen(PASS), LOG_N), SHROUD_OK);
    assert_int_equal(shroud_sealer_add_recipient(s, native_r[0]), SHROUD_ERR_PASSPHRASE_MIX);
    assert_int_equal(shroud_sealer_add_passphrase(s, PASS, strlen(PASS), LOG_N),
                     SHROUD_ERR_PASSPHRASE_MIX);
    shroud_sealer_free(s);
    /* shroud_seal with both */
    uint8_t *out = NULL;
    size_t out_len = 0;
    const shroud_recipient *r = native_r[0];
    assert_int_equal(
        shroud_seal(&r, 1, PASS, strlen(PASS), 0, (const uint8_t *)"x", 1, &out, &out_len),
        SHROUD_ERR_PASSPHRASE_MIX);
    assert_null(out);
    assert_int_equal(sink.len, 0);
    tu_buf_free(&sink);
}

static void test_sealing_without_recipient_fails_at_write_and_finish(void **state)
{
    (void)state;
    tu_buf sink = {0};
    shroud_sealer *s = NULL;
    assert_int_equal(shroud_sealer_new(&s, 0, tu_buf_write, &sink), SHROUD_OK);
    assert_int_not_equal(shroud_sealer_write(s, (const uint8_t *)"data", 4), SHROUD_OK);
    shroud_sealer_free(s);
    assert_int_equal(shroud_sealer_new(&s, SHROUD_FLAG_ARMOR, tu_buf_write, &sink), SHROUD_OK);
    assert_int_not_equal(shroud_sealer_finish(s), SHROUD_OK);
    shroud_sealer_free(s);
    assert_int_equal(sink.len, 0); /* not even armor */
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_not_equal(shroud_seal(NULL, 0, NULL, 0, 0, (const uint8_t *)"x", 1, &out, &out_len),
                         SHROUD_OK);
    assert_null(out);
}

/* The one test that pays for the default scrypt cost (log2 N = 18, ~1 s per
 * derivation): sealing only; opening is covered by the other passphrase tests. */
static void test_one_shot_passphrase_seal_uses_default_scrypt_cost(void **state)
{
    (void)state;
    static const uint8_t pt[] = "a secret";
    uint8_t *ct = NULL;
    size_t ct_len = 0;
    assert_int_equal(shroud_seal(NULL, 0, PASS, strlen(PASS), 0, pt, sizeof pt, &ct, &ct_len),
                     SHROUD_OK);
    /* magic, count 1, type 0x03, length 65, salt[16], log_n */
    assert_int_equal(ct[MAGIC_BYTES], 1);
    assert_int_equal(ct[MAGIC_BYTES + 1], 0x03);
    assert_int_equal(ct[MAGIC_BYTES + 1 + 3 + 16], SHROUD_SCRYPT_DEFAULT_LOG_N);
    shroud_free(ct);
}

static void test_passphrase_is_asked_once_for_decrypt(void **state)
{
    (void)state;
    tu_buf ct = {0}, out = {0};
    seal(&(seal_spec){.scrypt = PASS, .log_n = LOG_N}, (const uint8_t *)"abc", 3, &ct);
    pass_source src = {.pass = PASS};
    shroud_opener *o = NULL;
    assert_int_equal(shroud_opener_new(&o, 0, tu_buf_write, &out), SHROUD_OK);
    assert_int_equal(shroud_opener_add_identity(o, native[0]), SHROUD_OK); /* ignored */
    shroud_opener_set_passphrase_fn(o, pass_fn, &src);
    assert_int_equal(shroud_opener_write(o, ct.data, ct.len), SHROUD_OK);
    assert_int_equal(shroud_opener_finish(o), SHROUD_OK);
    shroud_opener_free(o);
    assert_int_equal(src.calls, 1);
    assert_string_equal(src.purpose, "decrypt");
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "abc", 3);
    tu_buf_free(&ct);
    tu_buf_free(&out);
}

/* Two seals of the same plaintext differ (fresh file key, salt, ephemeral). */
static void test_sealing_twice_gives_different_envelopes(void **state)
{
    (void)state;
    tu_buf a = {0}, b = {0};
    seal_to(native_r[0], 0, (const uint8_t *)"same", 4, &a);
    seal_to(native_r[0], 0, (const uint8_t *)"same", 4, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_not_equal(a.data, b.data, a.len);
    tu_buf_free(&a);
    tu_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_recipient_roundtrips_every_size_and_form),
        cmocka_unit_test(test_rsa_recipient_roundtrips_every_size_and_form),
        cmocka_unit_test(test_scrypt_passphrase_roundtrips_every_size_and_form),
        cmocka_unit_test(test_pbkdf2_passphrase_roundtrips_binary_and_armored),
        cmocka_unit_test(test_native_and_rsa_mixture_opens_with_either_identity),
        cmocka_unit_test(test_several_native_recipients_open_with_each_identity),
        cmocka_unit_test(test_any_identity_among_several_opens),
        cmocka_unit_test(test_64_recipients_is_the_maximum_and_65_is_refused),
        cmocka_unit_test(test_opener_accepts_one_byte_pieces),
        cmocka_unit_test(test_opener_accepts_random_sized_pieces),
        cmocka_unit_test(test_sealer_accepts_one_byte_and_random_sized_pieces),
        cmocka_unit_test(test_passphrase_with_other_recipients_is_refused),
        cmocka_unit_test(test_sealing_without_recipient_fails_at_write_and_finish),
        cmocka_unit_test(test_one_shot_passphrase_seal_uses_default_scrypt_cost),
        cmocka_unit_test(test_passphrase_is_asked_once_for_decrypt),
        cmocka_unit_test(test_sealing_twice_gives_different_envelopes),
    };
    return cmocka_run_group_tests(tests, setup_keys, free_keys);
}
