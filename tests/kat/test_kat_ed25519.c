/* Known-answer tests for ed25519_verify / ed25519_sign / ed25519_public
 * (Wycheproof ed25519_test.json, RFC 8032 §7.1 test 1). */
#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"
#include "kat.h"

#define FILE_ED25519 "wycheproof/ed25519_test.json"

static bool run_vector(const kat_case *kc, void *ctx)
{
    (void)ctx;
    const json_t *key = json_object_get(kc->group, "publicKey");
    kat_bytes pk = kat_hex(key, "pk");
    kat_bytes msg = kat_hex(kc->test, "msg"), sig = kat_hex(kc->test, "sig");
    KAT_CHECK(kc, pk.len == ED25519_PUBLIC_BYTES);
    int want = kc->result == KAT_VALID ? SHROUD_OK : SHROUD_ERR_SIGNATURE;
    KAT_CHECK(kc, kc->result != KAT_ACCEPTABLE); /* the file has none */
    KAT_CHECK_RC(kc, ed25519_verify(pk.p, msg.p, msg.len, sig.p, sig.len), want);
    kat_bytes_free(&pk);
    kat_bytes_free(&msg);
    kat_bytes_free(&sig);
    return true;
}

static void test_ed25519_verify_accepts_valid_and_rejects_invalid_vectors(void **state)
{
    (void)state;
    kat_counts c = kat_run(FILE_ED25519, NULL, run_vector, NULL);
    assert_int_equal(kat_total(c), kat_number_of_tests(FILE_ED25519));
    kat_expect_counts("ed25519_verify", c, 88, 63, 0);
}

static uint8_t *unhex_n(const char *hex, size_t want_len)
{
    size_t len;
    uint8_t *p = tu_unhex(hex, &len);
    assert_int_equal(len, want_len);
    return p;
}

/* RFC 8032 §7.1 TEST 1: empty message. */
static void test_ed25519_sign_matches_rfc8032_test_1(void **state)
{
    (void)state;
    uint8_t *seed = unhex_n("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", 32);
    uint8_t *want_pub =
        unhex_n("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", 32);
    uint8_t *want_sig = unhex_n("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                                "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                                64);
    uint8_t pub[ED25519_PUBLIC_BYTES], sig[ED25519_SIGNATURE_BYTES];
    assert_int_equal(ed25519_public(seed, pub), SHROUD_OK);
    assert_memory_equal(pub, want_pub, sizeof pub);
    assert_int_equal(ed25519_sign(seed, (const uint8_t *)"", 0, sig), SHROUD_OK);
    assert_memory_equal(sig, want_sig, sizeof sig);
    assert_int_equal(ed25519_verify(pub, (const uint8_t *)"", 0, sig, sizeof sig), SHROUD_OK);
    free(seed);
    free(want_pub);
    free(want_sig);
}

static void test_ed25519_sign_verify_round_trip_with_fixed_seed(void **state)
{
    (void)state;
    uint8_t seed[ED25519_SEED_BYTES], pub[ED25519_PUBLIC_BYTES];
    uint8_t sig[ED25519_SIGNATURE_BYTES], sig2[ED25519_SIGNATURE_BYTES];
    uint8_t msg[] = "shroud ed25519 round trip";
    for (size_t i = 0; i < sizeof seed; i++)
        seed[i] = (uint8_t)(0xa0 + i);
    assert_int_equal(ed25519_public(seed, pub), SHROUD_OK);
    assert_int_equal(ed25519_sign(seed, msg, sizeof msg, sig), SHROUD_OK);
    assert_int_equal(ed25519_sign(seed, msg, sizeof msg, sig2), SHROUD_OK);
    assert_memory_equal(sig, sig2, sizeof sig); /* Ed25519 is deterministic */
    assert_int_equal(ed25519_verify(pub, msg, sizeof msg, sig, sizeof sig), SHROUD_OK);
    msg[0] ^= 1;
    assert_int_equal(ed25519_verify(pub, msg, sizeof msg, sig, sizeof sig), SHROUD_ERR_SIGNATURE);
    msg[0] ^= 1;
    sig[10] ^= 0x40;
    assert_int_equal(ed25519_verify(pub, msg, sizeof msg, sig, sizeof sig), SHROUD_ERR_SIGNATURE);
    sig[10] ^= 0x40;
    assert_int_equal(ed25519_verify(pub, msg, sizeof msg, sig, sizeof sig - 1),
                     SHROUD_ERR_SIGNATURE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ed25519_verify_accepts_valid_and_rejects_invalid_vectors),
        cmocka_unit_test(test_ed25519_sign_matches_rfc8032_test_1),
        cmocka_unit_test(test_ed25519_sign_verify_round_trip_with_fixed_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
