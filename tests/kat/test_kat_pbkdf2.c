/* Known-answer tests for pbkdf2_sha256 (Wycheproof pbkdf2_hmacsha256_test.json
 * and the PBKDF2-HMAC-SHA256 vectors of RFC 7914 §11). All vectors run: the
 * largest iteration count is 80000 and the 60 Wycheproof vectors total about
 * 320000 iterations, well under a second, so none is skipped or capped. */
#include <stdlib.h>

#include "crypto/primitives.h"
#include "kat.h"

#define FILE_PBKDF2 "wycheproof/pbkdf2_hmacsha256_test.json"
#define FILE_RFC7914 "rfc7914_vectors.json"

static void check_dk(const kat_case *kc, kat_bytes pass, kat_bytes salt, long long iterations,
                     kat_bytes dk)
{
    uint8_t *out = malloc(dk.len + 1);
    assert_non_null(out);
    KAT_CHECK_RC(
        kc, pbkdf2_sha256(pass.p, pass.len, salt.p, salt.len, (uint64_t)iterations, out, dk.len),
        SHROUD_OK);
    KAT_CHECK_BYTES(kc, out, dk.len, dk);
    free(out);
}

static bool run_wycheproof(const kat_case *kc, void *ctx)
{
    (void)ctx;
    kat_bytes pass = kat_hex(kc->test, "password"), salt = kat_hex(kc->test, "salt");
    kat_bytes dk = kat_hex(kc->test, "dk");
    KAT_CHECK(kc, kc->result == KAT_VALID); /* the file has only valid vectors */
    KAT_CHECK(kc, dk.len == (size_t)kat_int(kc->test, "dkLen"));
    check_dk(kc, pass, salt, kat_int(kc->test, "iterationCount"), dk);
    kat_bytes_free(&pass);
    kat_bytes_free(&salt);
    kat_bytes_free(&dk);
    return true;
}

static void test_pbkdf2_sha256_matches_wycheproof_vectors(void **state)
{
    (void)state;
    kat_counts c = kat_run(FILE_PBKDF2, NULL, run_wycheproof, NULL);
    assert_int_equal(kat_total(c), kat_number_of_tests(FILE_PBKDF2));
    kat_expect_counts("pbkdf2_sha256 wycheproof", c, 60, 0, 0);
}

/* rfc7914_vectors.json is not in Wycheproof layout: each entry of
 * "pbkdf2_hmac_sha256" has P and S as text, c, dkLen and DK as hex. */
static void run_rfc7914_entry(const json_t *entry, int index)
{
    kat_case kc = {.file = FILE_RFC7914, .test = entry, .tc_id = index};
    kat_bytes pass = kat_text(entry, "P"), salt = kat_text(entry, "S");
    kat_bytes dk = kat_hex(entry, "DK");
    KAT_CHECK(&kc, dk.len == (size_t)kat_int(entry, "dkLen"));
    check_dk(&kc, pass, salt, kat_int(entry, "c"), dk);
    kat_bytes_free(&pass);
    kat_bytes_free(&salt);
    kat_bytes_free(&dk);
}

static void test_pbkdf2_sha256_matches_rfc7914_vectors(void **state)
{
    (void)state;
    json_t *root = tu_load_vectors(FILE_RFC7914);
    const json_t *list = json_object_get(root, "pbkdf2_hmac_sha256");
    assert_int_equal(json_array_size(list), 2);
    for (size_t i = 0; i < json_array_size(list); i++)
        run_rfc7914_entry(json_array_get(list, i), (int)i + 1);
    print_message("pbkdf2_sha256 RFC 7914: ran %zu vectors\n", json_array_size(list));
    json_decref(root);
}

static void test_pbkdf2_sha256_rejects_zero_iterations(void **state)
{
    (void)state;
    static const uint8_t pass[] = "pass", salt[] = "salt";
    uint8_t out[32];
    assert_int_not_equal(pbkdf2_sha256(pass, 4, salt, 4, 0, out, sizeof out), SHROUD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pbkdf2_sha256_matches_wycheproof_vectors),
        cmocka_unit_test(test_pbkdf2_sha256_matches_rfc7914_vectors),
        cmocka_unit_test(test_pbkdf2_sha256_rejects_zero_iterations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
