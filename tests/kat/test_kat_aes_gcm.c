/* Known-answer tests for the AES-256-GCM wrappers (Wycheproof aes_gcm_test.json). */
#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"
#include "kat.h"

#define FILE_GCM "wycheproof/aes_gcm_test.json"

/* The group of aes_gcm_test.json with keySize 256, ivSize 96 and tagSize 128
 * holds 39 valid and 27 invalid vectors; 21 valid and 27 invalid of them have
 * no AAD and so also apply to the *_once forms, which take none. */
#define N_VALID 39
#define N_INVALID 27
#define N_ONCE_VALID 21
#define N_ONCE_INVALID 27

typedef struct {
    kat_bytes key, iv, aad, msg, ct, tag;
} gcm_vector;

typedef enum { VIA_CONTEXT, VIA_CONTEXT_IN_PLACE, VIA_ONCE } gcm_mode;

static bool applies(const json_t *group)
{
    return kat_int(group, "keySize") == 256 && kat_int(group, "ivSize") == 96 &&
           kat_int(group, "tagSize") == 128;
}

static gcm_vector load(const kat_case *kc)
{
    gcm_vector v = {
        .key = kat_hex(kc->test, "key"),
        .iv = kat_hex(kc->test, "iv"),
        .aad = kat_hex(kc->test, "aad"),
        .msg = kat_hex(kc->test, "msg"),
        .ct = kat_hex(kc->test, "ct"),
        .tag = kat_hex(kc->test, "tag"),
    };
    KAT_CHECK(kc, v.key.len == AES256_KEY_BYTES);
    KAT_CHECK(kc, v.iv.len == GCM_NONCE_BYTES);
    KAT_CHECK(kc, v.tag.len == GCM_TAG_BYTES);
    KAT_CHECK(kc, v.ct.len == v.msg.len);
    return v;
}

static void unload(gcm_vector *v)
{
    kat_bytes *all[] = {&v->key, &v->iv, &v->aad, &v->msg, &v->ct, &v->tag};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        kat_bytes_free(all[i]);
}

/* Seals msg (in a separate buffer, or in place) and returns the ciphertext. */
static uint8_t *seal(const kat_case *kc, const gcm_vector *v, gcm_mode mode,
                     uint8_t tag[GCM_TAG_BYTES])
{
    uint8_t *ct = malloc(v->msg.len + 1);
    assert_non_null(ct);
    if (mode == VIA_ONCE) {
        KAT_CHECK_RC(kc, aes_gcm_seal_once(v->key.p, v->iv.p, v->msg.p, v->msg.len, ct, tag),
                     SHROUD_OK);
        return ct;
    }
    aes_gcm *g = NULL;
    KAT_CHECK_RC(kc, aes_gcm_new(&g, v->key.p), SHROUD_OK);
    const uint8_t *pt = v->msg.p;
    if (mode == VIA_CONTEXT_IN_PLACE)
        pt = memcpy(ct, v->msg.p, v->msg.len);
    KAT_CHECK_RC(kc, aes_gcm_seal(g, v->iv.p, v->aad.p, v->aad.len, pt, v->msg.len, ct, tag),
                 SHROUD_OK);
    aes_gcm_free(g);
    return ct;
}

/* Opens ct||tag; returns the wrapper's result and the plaintext in *pt. */
static int open_ct(const kat_case *kc, const gcm_vector *v, gcm_mode mode, uint8_t **pt)
{
    *pt = malloc(v->ct.len + 1);
    assert_non_null(*pt);
    if (mode == VIA_ONCE)
        return aes_gcm_open_once(v->key.p, v->iv.p, v->ct.p, v->ct.len, v->tag.p, *pt);
    aes_gcm *g = NULL;
    KAT_CHECK_RC(kc, aes_gcm_new(&g, v->key.p), SHROUD_OK);
    const uint8_t *ct = v->ct.p;
    if (mode == VIA_CONTEXT_IN_PLACE)
        ct = memcpy(*pt, v->ct.p, v->ct.len);
    int rc = aes_gcm_open(g, v->iv.p, v->aad.p, v->aad.len, ct, v->ct.len, v->tag.p, *pt);
    aes_gcm_free(g);
    return rc;
}

static void check_seal(const kat_case *kc, const gcm_vector *v, gcm_mode mode)
{
    uint8_t tag[GCM_TAG_BYTES];
    uint8_t *ct = seal(kc, v, mode, tag);
    bool same = memcmp(ct, v->ct.p, v->ct.len) == 0 && memcmp(tag, v->tag.p, sizeof tag) == 0;
    if (kc->result == KAT_VALID) {
        KAT_CHECK_BYTES(kc, ct, v->ct.len, v->ct);
        KAT_CHECK_BYTES(kc, tag, sizeof tag, v->tag);
    } else {
        KAT_CHECK(kc, !same); /* an invalid ct||tag is not what sealing yields */
    }
    free(ct);
}

static void check_open(const kat_case *kc, const gcm_vector *v, gcm_mode mode)
{
    uint8_t *pt;
    int rc = open_ct(kc, v, mode, &pt);
    if (kc->result == KAT_VALID) {
        KAT_CHECK_RC(kc, rc, SHROUD_OK);
        KAT_CHECK_BYTES(kc, pt, v->msg.len, v->msg);
    } else {
        KAT_CHECK_RC(kc, rc, SHROUD_ERR_PAYLOAD);
    }
    free(pt);
}

static bool run_vector(const kat_case *kc, void *ctx)
{
    gcm_mode mode = *(const gcm_mode *)ctx;
    gcm_vector v = load(kc);
    bool applicable = mode != VIA_ONCE || v.aad.len == 0;
    if (applicable) {
        check_seal(kc, &v, mode);
        check_open(kc, &v, mode);
    }
    unload(&v);
    return applicable;
}

static kat_counts run_mode(gcm_mode mode)
{
    return kat_run(FILE_GCM, applies, run_vector, &mode);
}

static void test_aes_gcm_seal_and_open_match_wycheproof_vectors(void **state)
{
    (void)state;
    kat_expect_counts("aes_gcm_seal/open", run_mode(VIA_CONTEXT), N_VALID, N_INVALID, 0);
}

static void test_aes_gcm_seal_and_open_work_in_place(void **state)
{
    (void)state;
    kat_expect_counts("aes_gcm_seal/open in place", run_mode(VIA_CONTEXT_IN_PLACE), N_VALID,
                      N_INVALID, 0);
}

static void test_aes_gcm_once_forms_match_vectors_without_aad(void **state)
{
    (void)state;
    kat_expect_counts("aes_gcm_seal_once/open_once", run_mode(VIA_ONCE), N_ONCE_VALID,
                      N_ONCE_INVALID, 0);
}

/* Counts the applicable vectors independently of the runs above. */
static bool count_only(const kat_case *kc, void *ctx)
{
    (void)kc;
    (void)ctx;
    return true;
}

static void test_aes_gcm_applicable_vector_count_is_as_expected(void **state)
{
    (void)state;
    kat_counts c = kat_run(FILE_GCM, applies, count_only, NULL);
    kat_expect_counts("aes_gcm applicable (256-bit key, 96-bit IV, 128-bit tag)", c, N_VALID,
                      N_INVALID, 0);
}

static void test_aes_gcm_context_is_reusable_across_messages(void **state)
{
    (void)state;
    static const uint8_t key[AES256_KEY_BYTES] = {1}, nonce[GCM_NONCE_BYTES] = {2};
    static const uint8_t msg[] = "reused context";
    uint8_t ct[sizeof msg], pt[sizeof msg], tag1[GCM_TAG_BYTES], tag2[GCM_TAG_BYTES];
    aes_gcm *g = NULL;
    assert_int_equal(aes_gcm_new(&g, key), SHROUD_OK);
    assert_int_equal(aes_gcm_seal(g, nonce, NULL, 0, msg, sizeof msg, ct, tag1), SHROUD_OK);
    assert_int_equal(aes_gcm_seal(g, nonce, NULL, 0, msg, sizeof msg, ct, tag2), SHROUD_OK);
    assert_memory_equal(tag1, tag2, sizeof tag1);
    assert_int_equal(aes_gcm_open(g, nonce, NULL, 0, ct, sizeof ct, tag1, pt), SHROUD_OK);
    assert_memory_equal(pt, msg, sizeof msg);
    tag1[0] ^= 1;
    assert_int_equal(aes_gcm_open(g, nonce, NULL, 0, ct, sizeof ct, tag1, pt), SHROUD_ERR_PAYLOAD);
    tag1[0] ^= 1;
    assert_int_equal(aes_gcm_open(g, nonce, NULL, 0, ct, sizeof ct, tag1, pt), SHROUD_OK);
    aes_gcm_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aes_gcm_applicable_vector_count_is_as_expected),
        cmocka_unit_test(test_aes_gcm_seal_and_open_match_wycheproof_vectors),
        cmocka_unit_test(test_aes_gcm_seal_and_open_work_in_place),
        cmocka_unit_test(test_aes_gcm_once_forms_match_vectors_without_aad),
        cmocka_unit_test(test_aes_gcm_context_is_reusable_across_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
