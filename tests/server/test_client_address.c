/*
 * test_client_address.c — the address a request is counted under
 * (client_address.c): canonical text for IPv4, IPv6 and IPv4-mapped IPv6
 * (a dual-stack socket's view of an IPv4 peer, which must match an IPv4
 * --trust-proxy), socket addresses, and the client a proxy names in
 * X-Forwarded-For / X-Real-IP: the last entry only, spaces allowed, ports,
 * names, empty entries and overlong text refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "server/client_address.h"
#include "server/http.h"
#include "testutil.h"

static const char *canonical(const char *text)
{
    static char out[HTTP_ADDR_MAX];
    strcpy(out, "untouched");
    return server_canonical_address(text, out, sizeof out) == 0 ? out : NULL;
}

static void test_canonical_text(void **state)
{
    (void)state;
    assert_string_equal(canonical("127.0.0.1"), "127.0.0.1");
    assert_string_equal(canonical("::1"), "::1");
    assert_string_equal(canonical("0:0:0:0:0:0:0:1"), "::1");
    assert_string_equal(canonical("2001:DB8:0:0::1"), "2001:db8::1");
    assert_string_equal(canonical("::ffff:192.0.2.7"), "192.0.2.7");
    assert_string_equal(canonical("::FFFF:c000:0207"), "192.0.2.7");
    assert_string_equal(canonical("::192.0.2.7"), "::192.0.2.7"); /* compatible, not mapped */
    static const char *const bad[] = {"",          "localhost",    "127.0.0.1:80", "[::1]",
                                      "127.1",     "256.0.0.1",    " 127.0.0.1",   "::1%lo",
                                      "1.2.3.4.5", "::ffff:1.2.3", "fe80::1/64"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (canonical(bad[i]))
            fail_msg("'%s' taken as an address", bad[i]);
}

static void test_socket_addresses(void **state)
{
    (void)state;
    char out[HTTP_ADDR_MAX];
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    inet_pton(AF_INET, "203.0.113.9", &v4.sin_addr);
    assert_int_equal(client_address_of((struct sockaddr *)&v4, out, sizeof out), 0);
    assert_string_equal(out, "203.0.113.9");
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "::ffff:203.0.113.9", &v6.sin6_addr);
    assert_int_equal(client_address_of((struct sockaddr *)&v6, out, sizeof out), 0);
    assert_string_equal(out, "203.0.113.9"); /* the same client as over IPv4 */
    inet_pton(AF_INET6, "2001:db8::42", &v6.sin6_addr);
    assert_int_equal(client_address_of((struct sockaddr *)&v6, out, sizeof out), 0);
    assert_string_equal(out, "2001:db8::42");
    struct sockaddr unix_like = {.sa_family = AF_UNIX};
    assert_int_equal(client_address_of(&unix_like, out, sizeof out), -1);
    assert_string_equal(out, "-");
    assert_int_equal(client_address_of(NULL, out, sizeof out), -1);
    assert_string_equal(out, "-");
}

static const char *forwarded(const char *xff, const char *real_ip)
{
    static char out[HTTP_ADDR_MAX];
    strcpy(out, "untouched");
    return forwarded_address(xff, real_ip, out, sizeof out) == 0 ? out : NULL;
}

static void test_forwarded_for(void **state)
{
    (void)state;
    assert_string_equal(forwarded("198.51.100.1", NULL), "198.51.100.1");
    /* the last entry is the one the trusted proxy added; earlier ones are
     * whatever the client sent */
    assert_string_equal(forwarded("10.0.0.1, 198.51.100.1", NULL), "198.51.100.1");
    assert_string_equal(forwarded("spoofed,198.51.100.1", NULL), "198.51.100.1");
    assert_string_equal(forwarded(" \t198.51.100.1 \t", NULL), "198.51.100.1");
    assert_string_equal(forwarded("::ffff:198.51.100.1", NULL), "198.51.100.1");
    assert_string_equal(forwarded("2001:DB8::1", NULL), "2001:db8::1");
    /* X-Real-IP when X-Forwarded-For names nobody */
    assert_string_equal(forwarded(NULL, "192.0.2.5"), "192.0.2.5");
    assert_string_equal(forwarded("unknown", "192.0.2.5"), "192.0.2.5");
    assert_string_equal(forwarded("198.51.100.1", "192.0.2.5"), "198.51.100.1");
    static const char *const bad[] = {"",
                                      ",",
                                      "198.51.100.1,",
                                      "198.51.100.1, ",
                                      "198.51.100.1:4711",
                                      "[2001:db8::1]",
                                      "198.51.100.1 198.51.100.2",
                                      "client.example",
                                      "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb",
                                      "198.51.100.1\r\nX-Evil: 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (forwarded(bad[i], NULL))
            fail_msg("X-Forwarded-For '%s' named a client", bad[i]);
        if (forwarded(NULL, bad[i]))
            fail_msg("X-Real-IP '%s' named a client", bad[i]);
        if (forwarded(bad[i], bad[i]))
            fail_msg("'%s' twice named a client", bad[i]);
    }
    assert_null(forwarded(NULL, NULL));
    char small[8] = "keep";
    assert_int_equal(forwarded_address("2001:db8::1", NULL, small, sizeof small), -1);
    assert_string_equal(small, "keep");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_text),
        cmocka_unit_test(test_socket_addresses),
        cmocka_unit_test(test_forwarded_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
