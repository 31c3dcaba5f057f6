/* Known-answer tests for rsa_pss_verify / rsa_pss_sign (Wycheproof
 * rsa_pss_{2048,3072}_sha256_mgf1_32_test.json). */
#include <string.h>

#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/primitives.h"
#include "kat.h"

typedef struct {
    const char *file;
    unsigned bits;
} pss_suite;

static const pss_suite SUITES[] = {
    {"wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json", 2048},
    {"wycheproof/rsa_pss_3072_sha256_mgf1_32_test.json", 3072},
};

static EVP_PKEY *public_key_of(const kat_case *kc, unsigned bits)
{
    kat_bytes der = kat_hex(kc->group, "publicKeyDer");
    const unsigned char *p = der.p;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)der.len);
    kat_bytes_free(&der);
    KAT_CHECK(kc, key != NULL);
    KAT_CHECK(kc, rsa_bits(key) == bits);
    KAT_CHECK(kc, kat_int(kc->group, "sLen") == 32);
    return key;
}

/* Valid: SHROUD_OK. Invalid: SHROUD_ERR_SIGNATURE. Acceptable: either. */
static bool run_vector(const kat_case *kc, void *ctx)
{
    const pss_suite *s = ctx;
    EVP_PKEY *key = public_key_of(kc, s->bits);
    kat_bytes msg = kat_hex(kc->test, "msg"), sig = kat_hex(kc->test, "sig");
    int rc = rsa_pss_verify(key, msg.p, msg.len, sig.p, sig.len);
    if (kc->result == KAT_VALID)
        KAT_CHECK_RC(kc, rc, SHROUD_OK);
    else if (kc->result == KAT_INVALID)
        KAT_CHECK_RC(kc, rc, SHROUD_ERR_SIGNATURE);
    else
        KAT_CHECK(kc, rc == SHROUD_OK || rc == SHROUD_ERR_SIGNATURE);
    kat_bytes_free(&msg);
    kat_bytes_free(&sig);
    EVP_PKEY_free(key);
    return true;
}

static void run_suite(const pss_suite *s)
{
    kat_counts c = kat_run(s->file, NULL, run_vector, (void *)s);
    assert_int_equal(kat_total(c), kat_number_of_tests(s->file));
    kat_expect_counts(s->file, c, 63, 45, 0);
}

static void test_rsa_pss_2048_verify_accepts_valid_and_rejects_invalid(void **state)
{
    (void)state;
    run_suite(&SUITES[0]);
}

static void test_rsa_pss_3072_verify_accepts_valid_and_rejects_invalid(void **state)
{
    (void)state;
    run_suite(&SUITES[1]);
}

/* ---- sign -> verify with a fresh key ---- */

static EVP_PKEY *public_half(EVP_PKEY *priv)
{
    unsigned char *der = NULL;
    int len = i2d_PUBKEY(priv, &der);
    assert_true(len > 0);
    const unsigned char *p = der;
    EVP_PKEY *pub = d2i_PUBKEY(NULL, &p, len);
    OPENSSL_free(der);
    assert_non_null(pub);
    return pub;
}

/* Verifies with OpenSSL directly, demanding a 32-byte salt and MGF1-SHA-256. */
static int openssl_verify_salt32(EVP_PKEY *pub, const uint8_t *msg, size_t len, const uint8_t *sig,
                                 size_t sig_len)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    assert_non_null(mctx);
    int ok = EVP_DigestVerifyInit(mctx, &pctx, EVP_sha256(), NULL, pub) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1 &&
             EVP_DigestVerify(mctx, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(mctx);
    return ok;
}

static void test_rsa_pss_sign_verify_round_trip_with_fresh_2048_bit_key(void **state)
{
    (void)state;
    EVP_PKEY *priv = EVP_RSA_gen(2048);
    assert_non_null(priv);
    EVP_PKEY *pub = public_half(priv);
    assert_int_equal(rsa_bits(pub), 2048);
    uint8_t msg[] = "shroud rsa-pss round trip", sig[256], sig2[256];
    size_t sig_len = 0, sig2_len = 0;
    assert_int_equal(rsa_pss_sign(priv, msg, sizeof msg, sig, sizeof sig, &sig_len), SHROUD_OK);
    assert_int_equal(sig_len, 256);
    assert_int_equal(rsa_pss_verify(pub, msg, sizeof msg, sig, sig_len), SHROUD_OK);
    assert_true(openssl_verify_salt32(pub, msg, sizeof msg, sig, sig_len));
    assert_int_equal(rsa_pss_sign(priv, msg, sizeof msg, sig2, sizeof sig2, &sig2_len), SHROUD_OK);
    assert_memory_not_equal(sig, sig2, sizeof sig); /* random salt */
    msg[0] ^= 1;
    assert_int_equal(rsa_pss_verify(pub, msg, sizeof msg, sig, sig_len), SHROUD_ERR_SIGNATURE);
    msg[0] ^= 1;
    sig[100] ^= 1;
    assert_int_equal(rsa_pss_verify(pub, msg, sizeof msg, sig, sig_len), SHROUD_ERR_SIGNATURE);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(priv);
}

static void test_rsa_bits_is_zero_for_non_rsa_keys(void **state)
{
    (void)state;
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_non_null(ed);
    assert_int_equal(rsa_bits(ed), 0);
    EVP_PKEY_free(ed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_pss_2048_verify_accepts_valid_and_rejects_invalid),
        cmocka_unit_test(test_rsa_pss_3072_verify_accepts_valid_and_rejects_invalid),
        cmocka_unit_test(test_rsa_pss_sign_verify_round_trip_with_fresh_2048_bit_key),
        cmocka_unit_test(test_rsa_bits_is_zero_for_non_rsa_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
