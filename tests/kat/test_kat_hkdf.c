/* Known-answer tests for hkdf() and hkdf_expand() with SHA-256 and SHA-512
 * (Wycheproof hkdf_sha256_test.json, hkdf_sha512_test.json). */
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>

#include "crypto/primitives.h"
#include "kat.h"

typedef struct {
    const char *file;
    const char *digest; /* as hkdf() and OpenSSL name it */
} hkdf_suite;

static const hkdf_suite SHA256_SUITE = {"wycheproof/hkdf_sha256_test.json", "SHA256"};
static const hkdf_suite SHA512_SUITE = {"wycheproof/hkdf_sha512_test.json", "SHA512"};

typedef struct {
    kat_bytes ikm, salt, info, okm;
    size_t size;
} hkdf_vector;

static hkdf_vector load(const kat_case *kc)
{
    hkdf_vector v = {
        .ikm = kat_hex(kc->test, "ikm"),
        .salt = kat_hex(kc->test, "salt"),
        .info = kat_hex(kc->test, "info"),
        .okm = kat_hex(kc->test, "okm"),
        .size = (size_t)kat_int(kc->test, "size"),
    };
    return v;
}

static void unload(hkdf_vector *v)
{
    kat_bytes_free(&v->ikm);
    kat_bytes_free(&v->salt);
    kat_bytes_free(&v->info);
    kat_bytes_free(&v->okm);
}

/* Valid: the output matches okm. Invalid (output too long): an error. */
static void check_result(const kat_case *kc, const hkdf_vector *v, int rc, const uint8_t *out)
{
    if (kc->result == KAT_VALID) {
        KAT_CHECK_RC(kc, rc, SHROUD_OK);
        KAT_CHECK_BYTES(kc, out, v->size, v->okm);
    } else {
        KAT_CHECK_RC(kc, rc, SHROUD_ERR_ARGUMENT);
    }
}

static bool run_hkdf(const kat_case *kc, void *ctx)
{
    const hkdf_suite *s = ctx;
    hkdf_vector v = load(kc);
    uint8_t *out = malloc(v.size + 1);
    assert_non_null(out);
    int rc = hkdf(s->digest, v.ikm.p, v.ikm.len, v.salt.p, v.salt.len, v.info.p, v.info.len, out,
                  v.size);
    check_result(kc, &v, rc, out);
    free(out);
    unload(&v);
    return true;
}

/* HKDF-Extract computed directly with OpenSSL: PRK = HMAC(salt, ikm). An
 * empty salt is the same HMAC key as HashLen zero bytes. */
static void extract(const kat_case *kc, const hkdf_suite *s, const hkdf_vector *v, uint8_t *prk,
                    unsigned *prk_len)
{
    const EVP_MD *md = EVP_get_digestbyname(s->digest);
    KAT_CHECK(kc, md != NULL);
    KAT_CHECK(kc, HMAC(md, v->salt.p, (int)v->salt.len, v->ikm.p, v->ikm.len, prk, prk_len));
}

static bool run_hkdf_expand(const kat_case *kc, void *ctx)
{
    const hkdf_suite *s = ctx;
    hkdf_vector v = load(kc);
    uint8_t prk[EVP_MAX_MD_SIZE];
    unsigned prk_len = 0;
    extract(kc, s, &v, prk, &prk_len);
    uint8_t *out = malloc(v.size + 1);
    assert_non_null(out);
    int rc = hkdf_expand(s->digest, prk, prk_len, v.info.p, v.info.len, out, v.size);
    if (kc->result == KAT_VALID)
        check_result(kc, &v, rc, out);
    else
        KAT_CHECK(kc, rc != SHROUD_OK);
    free(out);
    unload(&v);
    return true;
}

static void run_suite(const hkdf_suite *s, kat_fn fn, const char *what, size_t n_valid,
                      size_t n_invalid)
{
    kat_counts c = kat_run(s->file, NULL, fn, (void *)s);
    assert_int_equal(kat_total(c), kat_number_of_tests(s->file));
    kat_expect_counts(what, c, n_valid, n_invalid, 0);
}

static void test_hkdf_sha256_matches_okm_and_rejects_oversized_output(void **state)
{
    (void)state;
    run_suite(&SHA256_SUITE, run_hkdf, "hkdf SHA256", 83, 3);
}

static void test_hkdf_sha512_matches_okm_and_rejects_oversized_output(void **state)
{
    (void)state;
    run_suite(&SHA512_SUITE, run_hkdf, "hkdf SHA512", 80, 3);
}

static void test_hkdf_expand_sha256_matches_okm_from_extracted_prk(void **state)
{
    (void)state;
    run_suite(&SHA256_SUITE, run_hkdf_expand, "hkdf_expand SHA256", 83, 3);
}

static void test_hkdf_expand_sha512_matches_okm_from_extracted_prk(void **state)
{
    (void)state;
    run_suite(&SHA512_SUITE, run_hkdf_expand, "hkdf_expand SHA512", 80, 3);
}

static void test_hkdf_rejects_unknown_digest(void **state)
{
    (void)state;
    uint8_t ikm[32] = {0}, out[32];
    assert_int_not_equal(hkdf("NO-SUCH-DIGEST", ikm, sizeof ikm, ikm, 0, ikm, 0, out, sizeof out),
                         SHROUD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hkdf_sha256_matches_okm_and_rejects_oversized_output),
        cmocka_unit_test(test_hkdf_sha512_matches_okm_and_rejects_oversized_output),
        cmocka_unit_test(test_hkdf_expand_sha256_matches_okm_from_extracted_prk),
        cmocka_unit_test(test_hkdf_expand_sha512_matches_okm_from_extracted_prk),
        cmocka_unit_test(test_hkdf_rejects_unknown_digest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
