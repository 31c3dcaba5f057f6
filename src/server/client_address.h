/*
 * client_address.h — who a request comes from, as text (server layer).
 *
 * Addresses are compared as canonical text: inet_ntop's form, with an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d, how an IPv4 peer appears on a
 * dual-stack IPv6 socket) written as the IPv4 address a.b.c.d, so one
 * client or proxy has one spelling whichever socket it came through.
 */
#ifndef SHROUD_SERVER_CLIENT_ADDRESS_H
#define SHROUD_SERVER_CLIENT_ADDRESS_H

#include <stddef.h>
#include <sys/socket.h>

/* Writes the canonical text of an IPv4 or IPv6 address (no port, no
 * brackets) into out (HTTP_ADDR_MAX bytes): 0, or -1 when text is not one. */
int server_canonical_address(const char *text, char *out, size_t cap);

/* The canonical text of a socket address (AF_INET or AF_INET6) into out:
 * 0, or -1 ("-" written) for any other family or a NULL sa. */
int client_address_of(const struct sockaddr *sa, char *out, size_t cap);

/* The client a reverse proxy names: the last comma-separated entry of
 * x_forwarded_for (the one the proxy itself added), else x_real_ip; either
 * may be NULL. An entry must be a bare IP address (spaces around it
 * allowed). 0 with the canonical address in out, or -1 when neither header
 * names one (out untouched). */
int forwarded_address(const char *x_forwarded_for, const char *x_real_ip, char *out, size_t cap);

#endif
