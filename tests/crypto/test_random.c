/*
 * prim_random (the kernel's getrandom, OpenSSL's generator as a fallback):
 * it fills every byte asked for, at every size (0, 1, odd, over getrandom's
 * 256-byte single-read guarantee, 1 MiB), never the same bytes twice, and a
 * megabyte of it looks uniform (chi-square over the 256 byte values).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"
#include "shroud.h"
#include "testutil.h"

#define BIG (1u << 20)

static void test_random_fills_every_size(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 31, 255, 256, 257, 4096, 65537, BIG};
    uint8_t *a = malloc(BIG + 1), *b = malloc(BIG + 1), *written = malloc(BIG);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(written);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t len = sizes[k];
        /* a byte left as it was in 5 draws in a row is a byte not written
         * (a random one stays by chance with probability 2^-40) */
        memset(written, 0, len);
        for (int draw = 0; draw < 5; draw++) {
            memset(a, 0xA5, BIG + 1);
            assert_int_equal(prim_random(a, len), SHROUD_OK);
            assert_int_equal(a[len], 0xA5); /* nothing past the end */
            for (size_t i = 0; i < len; i++)
                written[i] |= a[i] != 0xA5;
        }
        for (size_t i = 0; i < len; i++)
            if (!written[i])
                fail_msg("byte %zu of %zu never written", i, len);
        assert_int_equal(prim_random(b, len), SHROUD_OK);
        if (len >= 8)
            assert_true(memcmp(a, b, len) != 0);
    }
    free(written);
    free(a);
    free(b);
}

static void test_random_bytes_look_uniform(void **state)
{
    (void)state;
    uint8_t *buf = malloc(BIG);
    assert_non_null(buf);
    assert_int_equal(prim_random(buf, BIG), SHROUD_OK);
    size_t count[256] = {0};
    for (size_t i = 0; i < BIG; i++)
        count[buf[i]]++;
    double expect = BIG / 256.0, chi = 0;
    for (int v = 0; v < 256; v++)
        chi += (count[v] - expect) * (count[v] - expect) / expect;
    /* 255 degrees of freedom: mean 255, sd sqrt(510) = 22.6; 6 sd either way */
    if (chi > 255 + 6 * 22.6 || chi < 255 - 6 * 22.6)
        fail_msg("chi-square %.1f over 256 byte values", chi);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_fills_every_size),
        cmocka_unit_test(test_random_bytes_look_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
