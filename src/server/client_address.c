/* client_address.c — canonical address text and the proxy headers (see
 * client_address.h). */
#include "server/client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "server/http.h"

/* inet_ntop of an IPv6 address, or of the IPv4 address it maps. */
static int canonical_v6(const struct in6_addr *a, char *out, size_t cap)
{
    if (IN6_IS_ADDR_V4MAPPED(a))
        return inet_ntop(AF_INET, &a->s6_addr[12], out, (socklen_t)cap) ? 0 : -1;
    return inet_ntop(AF_INET6, a, out, (socklen_t)cap) ? 0 : -1;
}

int server_canonical_address(const char *text, char *out, size_t cap)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, text, &v4) == 1)
        return inet_ntop(AF_INET, &v4, out, (socklen_t)cap) ? 0 : -1;
    if (inet_pton(AF_INET6, text, &v6) == 1)
        return canonical_v6(&v6, out, cap);
    return -1;
}

int client_address_of(const struct sockaddr *sa, char *out, size_t cap)
{
    int rc = -1;
    if (sa && sa->sa_family == AF_INET)
        rc = inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                       (socklen_t)cap)
                 ? 0
                 : -1;
    else if (sa && sa->sa_family == AF_INET6)
        rc = canonical_v6(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, cap);
    if (rc != 0 && cap >= 2)
        memcpy(out, "-", 2);
    return rc;
}

/* The last comma-separated entry of list, canonical, into out: 0, or -1
 * when it is not an IP address. */
static int last_listed_address(const char *list, char *out, size_t cap)
{
    const char *start = strrchr(list, ',');
    start = start ? start + 1 : list;
    start += strspn(start, " \t");
    size_t n = strcspn(start, " \t");
    char text[HTTP_ADDR_MAX];
    if (n == 0 || n >= sizeof text || start[n + strspn(start + n, " \t")] != '\0')
        return -1;
    memcpy(text, start, n);
    text[n] = '\0';
    return server_canonical_address(text, out, cap);
}

int forwarded_address(const char *x_forwarded_for, const char *x_real_ip, char *out, size_t cap)
{
    char client[HTTP_ADDR_MAX];
    if ((x_forwarded_for && last_listed_address(x_forwarded_for, client, sizeof client) == 0) ||
        (x_real_ip && last_listed_address(x_real_ip, client, sizeof client) == 0)) {
        if (strlen(client) >= cap)
            return -1;
        memcpy(out, client, strlen(client) + 1);
        return 0;
    }
    return -1;
}
