/*
 * server.h — shroud's HTTP(S) server (server layer).
 *
 * libmicrohttpd with its epoll thread pool; TLS through its GnuTLS support
 * with the certificate of tls_identity.h. Requests are answered on the
 * handler's second call (answering on the first makes libmicrohttpd close
 * keep-alive connections). One access-log line per request.
 *
 * Routes: routes.c. Request bodies are read into memory up to
 * HTTP_JSON_MAX; an announced larger body is refused (413) before it is
 * read, a larger chunked one is read and dropped, then refused.
 */
#ifndef SHROUD_SERVER_SERVER_H
#define SHROUD_SERVER_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "server/http.h"

#define SERVER_DEFAULT_LISTEN "127.0.0.1:8443"
#define SERVER_DEFAULT_DATA "shroud-data"
#define SERVER_DEFAULT_MAX_UPLOAD (64u * 1024u * 1024u)
/* --max-upload-memory by default: this many --max-upload */
#define SERVER_UPLOAD_MEMORY_FACTOR 4
#define SERVER_TRUSTED_PROXIES_MAX 16

typedef struct {
    const char *listen;   /* "HOST:PORT" ("[v6]:PORT" for IPv6); port 0: any free port */
    const char *cert_pem; /* NULL: plain HTTP */
    const char *key_pem;
    size_t max_upload;
    /* At most this many bytes of large bodies (uploads, stego forms) are
     * held at once, each counted at its announced length (the limit when
     * chunked); more waits: 503. 0: SERVER_UPLOAD_MEMORY_FACTOR *
     * max_upload. At least max_upload. */
    size_t max_upload_memory;
    unsigned threads; /* 0: one per processor */
    FILE *access_log; /* NULL: none */
    server_app app;   /* what the routes use: the store, session lifetime */
    /* Peers (server_canonical_address text) whose X-Forwarded-For, else
     * X-Real-IP, names the client for the throttling and the access log;
     * from any other peer those headers are ignored. None by default. */
    char trusted_proxies[SERVER_TRUSTED_PROXIES_MAX][HTTP_ADDR_MAX];
    size_t n_trusted_proxies;
} server_config;

typedef struct server server;

/* Parses "HOST:PORT" / "[V6]:PORT" / "localhost:PORT" into addr: 0 or -1. */
int server_parse_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *len);

/* Starts listening and serving in background threads. On failure returns
 * -1 with one line of explanation in err. */
int server_start(const server_config *cfg, server **out, char *err, size_t err_len);
/* The port actually bound (useful with port 0). */
uint16_t server_port(const server *s);
/* Stops accepting, lets requests in progress finish, frees everything. */
void server_stop(server *s);

#endif
