/* Known-answer tests for scrypt_kdf (RFC 7914 §12, rfc7914_vectors.json).
 * Vector 4 needs 1 GiB (128 * r * N) and takes a few seconds; its time is
 * printed. */
#include <stdlib.h>
#include <time.h>

#include "crypto/primitives.h"
#include "kat.h"

#define FILE_RFC7914 "rfc7914_vectors.json"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Entries of "scrypt" have P and S as text, N, r, p, dkLen and DK as hex. */
static void run_entry(const json_t *entry, int number)
{
    kat_case kc = {.file = FILE_RFC7914, .test = entry, .tc_id = number};
    kat_bytes pass = kat_text(entry, "P"), salt = kat_text(entry, "S");
    kat_bytes dk = kat_hex(entry, "DK");
    KAT_CHECK(&kc, dk.len == (size_t)kat_int(entry, "dkLen"));
    uint8_t *out = malloc(dk.len);
    assert_non_null(out);
    double start = now();
    KAT_CHECK_RC(&kc,
                 scrypt_kdf(pass.p, pass.len, salt.p, salt.len, (uint64_t)kat_int(entry, "N"),
                            (uint32_t)kat_int(entry, "r"), (uint32_t)kat_int(entry, "p"), out,
                            dk.len),
                 SHROUD_OK);
    print_message("scrypt RFC 7914 vector %d (N=%lld): %.2f s\n", number, kat_int(entry, "N"),
                  now() - start);
    KAT_CHECK_BYTES(&kc, out, dk.len, dk);
    free(out);
    kat_bytes_free(&pass);
    kat_bytes_free(&salt);
    kat_bytes_free(&dk);
}

/* Runs RFC 7914 vectors first..last (numbered from 1). */
static void run_vectors(int first, int last)
{
    json_t *root = tu_load_vectors(FILE_RFC7914);
    const json_t *list = json_object_get(root, "scrypt");
    assert_int_equal(json_array_size(list), 4);
    for (int n = first; n <= last; n++)
        run_entry(json_array_get(list, (size_t)n - 1), n);
    json_decref(root);
}

static void test_scrypt_matches_rfc7914_vectors_1_to_3(void **state)
{
    (void)state;
    run_vectors(1, 3);
}

static void test_scrypt_matches_rfc7914_vector_4_using_1_gib(void **state)
{
    (void)state;
    run_vectors(4, 4);
}

static int derive(uint64_t n, uint32_t r, uint32_t p)
{
    static const uint8_t pass[] = "password", salt[] = "NaCl";
    uint8_t out[64];
    return scrypt_kdf(pass, 8, salt, 4, n, r, p, out, sizeof out);
}

static void test_scrypt_rejects_n_not_a_power_of_two(void **state)
{
    (void)state;
    assert_int_not_equal(derive(1000, 8, 1), SHROUD_OK);
    assert_int_not_equal(derive(3, 1, 1), SHROUD_OK);
    assert_int_not_equal(derive(16385, 8, 1), SHROUD_OK);
}

static void test_scrypt_rejects_n_of_one_and_zero(void **state)
{
    (void)state;
    assert_int_not_equal(derive(1, 1, 1), SHROUD_OK);
    assert_int_not_equal(derive(0, 1, 1), SHROUD_OK);
}

static void test_scrypt_rejects_memory_over_2_gib(void **state)
{
    (void)state;
    /* 128 * r * N = 128 * 8 * 2^22 = 4 GiB. */
    assert_int_not_equal(derive(UINT64_C(1) << 22, 8, 1), SHROUD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scrypt_matches_rfc7914_vectors_1_to_3),
        cmocka_unit_test(test_scrypt_matches_rfc7914_vector_4_using_1_gib),
        cmocka_unit_test(test_scrypt_rejects_n_not_a_power_of_two),
        cmocka_unit_test(test_scrypt_rejects_n_of_one_and_zero),
        cmocka_unit_test(test_scrypt_rejects_memory_over_2_gib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
