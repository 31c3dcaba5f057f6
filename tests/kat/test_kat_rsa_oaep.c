/* Known-answer tests for rsa_oaep_decrypt / rsa_oaep_encrypt (Wycheproof
 * rsa_oaep_{2048,3072}_sha256_mgf1sha256_test.json). */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "crypto/primitives.h"
#include "kat.h"

typedef struct {
    const char *file;
    unsigned bits;
} oaep_suite;

static const oaep_suite SUITES[] = {
    {"wycheproof/rsa_oaep_2048_sha256_mgf1sha256_test.json", 2048},
    {"wycheproof/rsa_oaep_3072_sha256_mgf1sha256_test.json", 3072},
};

static EVP_PKEY *private_key_of(const kat_case *kc, unsigned bits)
{
    kat_bytes der = kat_hex(kc->group, "privateKeyPkcs8");
    const unsigned char *p = der.p;
    EVP_PKEY *key = d2i_AutoPrivateKey(NULL, &p, (long)der.len);
    kat_bytes_free(&der);
    KAT_CHECK(kc, key != NULL);
    KAT_CHECK(kc, rsa_bits(key) == bits);
    return key;
}

typedef struct {
    kat_bytes label, ct, msg;
} oaep_vector;

static void check_decrypt(const kat_case *kc, EVP_PKEY *key, const oaep_vector *v)
{
    size_t cap = rsa_bits(key) / 8, out_len = 0;
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    int rc =
        rsa_oaep_decrypt(key, v->label.p, v->label.len, v->ct.p, v->ct.len, out, cap, &out_len);
    if (kc->result == KAT_VALID) {
        KAT_CHECK_RC(kc, rc, SHROUD_OK);
        KAT_CHECK_BYTES(kc, out, out_len, v->msg);
    } else {
        KAT_CHECK_RC(kc, rc, SHROUD_ERR_KEY);
    }
    free(out);
}

static bool run_vector(const kat_case *kc, void *ctx)
{
    const oaep_suite *s = ctx;
    EVP_PKEY *key = private_key_of(kc, s->bits);
    oaep_vector v = {
        .label = kat_hex(kc->test, "label"),
        .ct = kat_hex(kc->test, "ct"),
        .msg = kat_hex(kc->test, "msg"),
    };
    KAT_CHECK(kc, kc->result != KAT_ACCEPTABLE); /* the files have none */
    check_decrypt(kc, key, &v);
    kat_bytes_free(&v.label);
    kat_bytes_free(&v.ct);
    kat_bytes_free(&v.msg);
    EVP_PKEY_free(key);
    return true;
}

static void run_suite(const oaep_suite *s)
{
    kat_counts c = kat_run(s->file, NULL, run_vector, (void *)s);
    assert_int_equal(kat_total(c), kat_number_of_tests(s->file));
    kat_expect_counts(s->file, c, 18, 19, 0);
}

static void test_rsa_oaep_2048_decrypt_matches_vectors_and_rejects_invalid(void **state)
{
    (void)state;
    run_suite(&SUITES[0]);
}

static void test_rsa_oaep_3072_decrypt_matches_vectors_and_rejects_invalid(void **state)
{
    (void)state;
    run_suite(&SUITES[1]);
}

/* ---- round trips with the vector files' keys ---- */

typedef struct {
    EVP_PKEY *priv, *pub;
    size_t k; /* modulus bytes */
} key_pair;

static bool grab_key(const kat_case *kc, void *ctx)
{
    EVP_PKEY **out = ctx;
    if (!*out)
        *out = private_key_of(kc, (unsigned)kat_int(kc->group, "keySize"));
    return true;
}

static key_pair load_pair(const oaep_suite *s)
{
    key_pair kp = {0};
    kat_run(s->file, NULL, grab_key, &kp.priv);
    assert_non_null(kp.priv);
    unsigned char *der = NULL;
    int len = i2d_PUBKEY(kp.priv, &der);
    assert_true(len > 0);
    const unsigned char *p = der;
    kp.pub = d2i_PUBKEY(NULL, &p, len);
    OPENSSL_free(der);
    assert_non_null(kp.pub);
    kp.k = s->bits / 8;
    return kp;
}

static void free_pair(key_pair *kp)
{
    EVP_PKEY_free(kp->priv);
    EVP_PKEY_free(kp->pub);
}

static void round_trip(const key_pair *kp, const uint8_t *label, size_t label_len,
                       const uint8_t *msg, size_t len)
{
    uint8_t ct[512], pt[512];
    size_t ct_len = 0, pt_len = 0;
    assert_int_equal(rsa_oaep_encrypt(kp->pub, label, label_len, msg, len, ct, kp->k, &ct_len),
                     SHROUD_OK);
    assert_int_equal(ct_len, kp->k);
    assert_int_equal(rsa_oaep_decrypt(kp->priv, label, label_len, ct, ct_len, pt, kp->k, &pt_len),
                     SHROUD_OK);
    assert_int_equal(pt_len, len);
    assert_memory_equal(pt, msg, len);
    static const uint8_t other[] = "another label";
    assert_int_equal(
        rsa_oaep_decrypt(kp->priv, other, sizeof other, ct, ct_len, pt, kp->k, &pt_len),
        SHROUD_ERR_KEY);
}

static void round_trips(const oaep_suite *s)
{
    key_pair kp = load_pair(s);
    static const uint8_t label[] = "shroud label";
    uint8_t msg[512];
    size_t max = kp.k - 2 * SHA256_BYTES - 2;
    for (size_t i = 0; i < max; i++)
        msg[i] = (uint8_t)i;
    round_trip(&kp, label, 0, msg, 0);
    round_trip(&kp, label, 0, msg, 32);
    round_trip(&kp, label, sizeof label, msg, 32);
    round_trip(&kp, label, sizeof label, msg, max);
    uint8_t ct[512];
    size_t ct_len = 0;
    assert_int_not_equal(rsa_oaep_encrypt(kp.pub, label, 0, msg, max + 1, ct, kp.k, &ct_len),
                         SHROUD_OK);
    assert_int_not_equal(rsa_oaep_encrypt(kp.pub, label, 0, msg, 32, ct, kp.k - 1, &ct_len),
                         SHROUD_OK);
    free_pair(&kp);
}

static void test_rsa_oaep_2048_encrypt_decrypt_round_trips(void **state)
{
    (void)state;
    round_trips(&SUITES[0]);
}

static void test_rsa_oaep_3072_encrypt_decrypt_round_trips(void **state)
{
    (void)state;
    round_trips(&SUITES[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_oaep_2048_decrypt_matches_vectors_and_rejects_invalid),
        cmocka_unit_test(test_rsa_oaep_3072_decrypt_matches_vectors_and_rejects_invalid),
        cmocka_unit_test(test_rsa_oaep_2048_encrypt_decrypt_round_trips),
        cmocka_unit_test(test_rsa_oaep_3072_encrypt_decrypt_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
