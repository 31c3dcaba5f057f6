/* Known-answer tests for hmac_sha256 (Wycheproof hmac_sha256_test.json). */
#include <string.h>

#include "crypto/primitives.h"
#include "kat.h"

#define FILE_HMAC "wycheproof/hmac_sha256_test.json"

/* Groups with full 32-byte tags: keySize 256 (27 valid, 54 invalid), 128 and
 * 520 (3 valid each). Truncated-tag groups do not apply: the wrapper always
 * produces the whole tag. */
#define N_VALID 33
#define N_INVALID 54

static bool full_tags(const json_t *group)
{
    return kat_int(group, "tagSize") == 256;
}

static bool run_vector(const kat_case *kc, void *ctx)
{
    (void)ctx;
    kat_bytes key = kat_hex(kc->test, "key"), msg = kat_hex(kc->test, "msg");
    kat_bytes tag = kat_hex(kc->test, "tag");
    uint8_t out[SHA256_BYTES];
    KAT_CHECK_RC(kc, hmac_sha256(key.p, key.len, msg.p, msg.len, out), SHROUD_OK);
    if (kc->result == KAT_VALID)
        KAT_CHECK_BYTES(kc, out, sizeof out, tag);
    else
        KAT_CHECK(kc, tag.len != sizeof out || memcmp(out, tag.p, sizeof out) != 0);
    kat_bytes_free(&key);
    kat_bytes_free(&msg);
    kat_bytes_free(&tag);
    return true;
}

static void test_hmac_sha256_matches_valid_tags_and_not_invalid_ones(void **state)
{
    (void)state;
    kat_counts c = kat_run(FILE_HMAC, full_tags, run_vector, NULL);
    kat_expect_counts("hmac_sha256 (256-bit tags)", c, N_VALID, N_INVALID, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_sha256_matches_valid_tags_and_not_invalid_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
