/*
 * test_passwords.c — the account password policy and the stored scrypt
 * hash: what is refused and why, round trips, wrong passwords, salts that
 * differ, and stored hashes that are malformed or ask for too much work.
 */
#include <stdlib.h>
#include <string.h>

#include "server/passwords.h"
#include "testutil.h"

static void test_policy_refuses_short_long_common_and_username(void **state)
{
    (void)state;
    assert_non_null(password_problem("alice", "short", 5));
    assert_non_null(password_problem("alice", "1234567", 7));
    assert_null(password_problem("alice", "12345678x", 9));
    assert_non_null(password_problem("alice", "password", 8));
    assert_non_null(password_problem("alice", "PassWord", 8)); /* case-insensitive */
    assert_non_null(password_problem("alice", "iloveyou", 8));
    assert_non_null(password_problem("alicealice", "AliceAlice", 10));
    assert_non_null(password_problem("alice", "abc\0defgh", 9));
    /* characters, not bytes: 8 two-byte characters pass, 7 do not */
    const char *e8 = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
    assert_null(password_problem("alice", e8, 16));
    assert_non_null(password_problem("alice", e8, 14));
    /* 1024 characters pass (2048 bytes), 1025 do not */
    char *big = malloc(2 * 1025);
    assert_non_null(big);
    for (int i = 0; i < 1025; i++)
        memcpy(big + 2 * i, "\xc3\xa9", 2);
    assert_null(password_problem("alice", big, 2 * 1024));
    assert_non_null(password_problem("alice", big, 2 * 1025));
    free(big);
}

static void test_hash_round_trip_and_wrong_password(void **state)
{
    (void)state;
    char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("correct horse", 13, a), 0);
    assert_int_equal(password_hash("correct horse", 13, b), 0);
    assert_true(strncmp(a, "scrypt$15$8$1$", 14) == 0);
    assert_string_not_equal(a, b); /* fresh salt each time */
    assert_true(password_verify("correct horse", 13, a));
    assert_true(password_verify("correct horse", 13, b));
    assert_false(password_verify("correct horsf", 13, a));
    assert_false(password_verify("correct hors", 12, a));
    assert_null(strstr(a, "correct"));
}

static void test_malformed_or_costly_hashes_are_refused(void **state)
{
    (void)state;
    char good[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("correct horse", 13, good), 0);
    const char *bad[] = {
        "",
        "scrypt",
        "bcrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "scrypt$30$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "scrypt$15$99$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "scrypt$15$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
        "scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA",
        "scrypt$15$8$1$!!!!!!!!!!!!!!!!!!!!!!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(password_verify("correct horse", 13, bad[i]));
    /* every single-character change of a good hash fails to verify */
    size_t n = strlen(good);
    for (size_t i = 14; i < n; i++) {
        char copy[PASSWORD_HASH_MAX];
        memcpy(copy, good, n + 1);
        copy[i] = copy[i] == 'A' ? 'B' : 'A';
        if (i % 7 == 0) /* a sample keeps the test fast: each verify costs a scrypt */
            assert_false(password_verify("correct horse", 13, copy));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_refuses_short_long_common_and_username),
        cmocka_unit_test(test_hash_round_trip_and_wrong_password),
        cmocka_unit_test(test_malformed_or_costly_hashes_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
