/* Known-answer tests for x25519_shared / x25519_public (Wycheproof
 * x25519_test.json, RFC 7748 §6.1). */
#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"
#include "kat.h"

#define FILE_X25519 "wycheproof/x25519_test.json"

static bool all_zero(const uint8_t *p, size_t len)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= p[i];
    return acc == 0;
}

/* Valid or acceptable with a nonzero secret: it must match. An all-zero
 * secret (low-order public key): SHROUD_ERR_KEY. Invalid: anything but the
 * listed secret. */
static void check_shared(const kat_case *kc, int rc, const uint8_t *got, kat_bytes want)
{
    if (all_zero(want.p, want.len)) {
        KAT_CHECK_RC(kc, rc, SHROUD_ERR_KEY);
    } else if (kc->result == KAT_INVALID) {
        KAT_CHECK(kc, rc != SHROUD_OK || memcmp(got, want.p, want.len) != 0);
    } else {
        KAT_CHECK_RC(kc, rc, SHROUD_OK);
        KAT_CHECK_BYTES(kc, got, (size_t)X25519_KEY_BYTES, want);
    }
}

static bool run_vector(const kat_case *kc, void *ctx)
{
    size_t *zero_count = ctx;
    kat_bytes priv = kat_hex(kc->test, "private"), pub = kat_hex(kc->test, "public");
    kat_bytes shared = kat_hex(kc->test, "shared");
    KAT_CHECK(kc, priv.len == X25519_KEY_BYTES && pub.len == X25519_KEY_BYTES);
    KAT_CHECK(kc, shared.len == X25519_KEY_BYTES);
    uint8_t out[X25519_KEY_BYTES];
    int rc = x25519_shared(priv.p, pub.p, out);
    check_shared(kc, rc, out, shared);
    *zero_count += all_zero(shared.p, shared.len);
    kat_bytes_free(&priv);
    kat_bytes_free(&pub);
    kat_bytes_free(&shared);
    return true;
}

static void test_x25519_shared_matches_vectors_and_rejects_zero_secrets(void **state)
{
    (void)state;
    size_t zero = 0;
    kat_counts c = kat_run(FILE_X25519, NULL, run_vector, &zero);
    assert_int_equal(kat_total(c), kat_number_of_tests(FILE_X25519));
    kat_expect_counts("x25519_shared", c, 264, 0, 254);
    print_message("x25519_shared: %zu of them have an all-zero secret (rejected)\n", zero);
    assert_int_equal(zero, 31);
}

static void unhex_fixed(const char *hex, uint8_t out[X25519_KEY_BYTES])
{
    size_t len;
    uint8_t *p = tu_unhex(hex, &len);
    assert_int_equal(len, X25519_KEY_BYTES);
    memcpy(out, p, len);
    free(p);
}

/* RFC 7748 §6.1: Alice's and Bob's keys and their shared secret. */
static void test_x25519_public_and_shared_match_rfc7748(void **state)
{
    (void)state;
    uint8_t a[32], b[32], a_pub[32], b_pub[32], want[32], got[32];
    unhex_fixed("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a);
    unhex_fixed("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b);
    assert_int_equal(x25519_public(a, a_pub), SHROUD_OK);
    assert_int_equal(x25519_public(b, b_pub), SHROUD_OK);
    unhex_fixed("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", want);
    assert_memory_equal(a_pub, want, 32);
    unhex_fixed("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", want);
    assert_memory_equal(b_pub, want, 32);
    unhex_fixed("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", want);
    assert_int_equal(x25519_shared(a, b_pub, got), SHROUD_OK);
    assert_memory_equal(got, want, 32);
    assert_int_equal(x25519_shared(b, a_pub, got), SHROUD_OK);
    assert_memory_equal(got, want, 32);
}

static void test_x25519_shared_agrees_both_ways_for_random_keys(void **state)
{
    (void)state;
    for (int i = 0; i < 16; i++) {
        uint8_t a[32], b[32], a_pub[32], b_pub[32], ab[32], ba[32];
        assert_int_equal(prim_random(a, sizeof a), SHROUD_OK);
        assert_int_equal(prim_random(b, sizeof b), SHROUD_OK);
        assert_int_equal(x25519_public(a, a_pub), SHROUD_OK);
        assert_int_equal(x25519_public(b, b_pub), SHROUD_OK);
        assert_int_equal(x25519_shared(a, b_pub, ab), SHROUD_OK);
        assert_int_equal(x25519_shared(b, a_pub, ba), SHROUD_OK);
        assert_memory_equal(ab, ba, sizeof ab);
        assert_false(all_zero(ab, sizeof ab));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x25519_shared_matches_vectors_and_rejects_zero_secrets),
        cmocka_unit_test(test_x25519_public_and_shared_match_rfc7748),
        cmocka_unit_test(test_x25519_shared_agrees_both_ways_for_random_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
