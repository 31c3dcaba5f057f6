/* server.c — libmicrohttpd set-up, request dispatch and the access log. */
#include "server/server.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct server {
    struct MHD_Daemon *daemon;
    server_config cfg;
    pthread_mutex_t log_lock;
    int started;           /* libmicrohttpd's messages go to stderr from now on */
    char start_error[256]; /* its last message while starting */
};

/* What one request carries between the handler's calls and the log. */
#define LOG_PATH_MAX 256 /* longer paths are cut in the log */

typedef struct {
    struct timespec start;
    char method[16];
    char path[LOG_PATH_MAX];
    unsigned status;
    size_t bytes;
} request;

/* Copies text into a log field, cut to fit, with control bytes and spaces
 * replaced so that one request stays one line. */
static void log_field(char *dst, size_t cap, const char *text)
{
    size_t i = 0;
    for (; text && text[i] && i + 1 < cap; i++) {
        unsigned char ch = (unsigned char)text[i];
        dst[i] = ch <= 0x20 || ch == 0x7F ? '_' : (char)ch;
    }
    dst[i] = '\0';
}

int server_parse_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *len)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host)
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port < 0 || port > 65535)
        return -1;
    memset(addr, 0, sizeof *addr);
    size_t hl = strlen(host);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    if (strcmp(host, "localhost") == 0)
        return inet_pton(AF_INET, "127.0.0.1", &a4->sin_addr) == 1 ? 0 : -1;
    return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -1;
}

static enum MHD_Result send_json(struct MHD_Connection *c, request *r, unsigned status,
                                 const char *json)
{
    size_t len = strlen(json);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)json, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    r->status = status;
    r->bytes = len;
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    (void)upload;
    request *r = *con_cls;
    if (!r) { /* first call: headers only; answer on the next one (keep-alive) */
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &r->start);
        log_field(r->method, sizeof r->method, method);
        log_field(r->path, sizeof r->path, url);
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) { /* no route takes a body yet: drop it */
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/healthz") == 0) {
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return send_json(c, r, MHD_HTTP_METHOD_NOT_ALLOWED,
                             "{\"error\":\"method not allowed: use GET\"}");
        return send_json(c, r, MHD_HTTP_OK, "{\"status\":\"ok\"}");
    }
    return send_json(c, r, MHD_HTTP_NOT_FOUND, "{\"error\":\"no such route\"}");
}

/* One line per request: address, method, path, status, bytes, milliseconds. */
static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    server *s = cls;
    request *r = *con_cls;
    if (!r)
        return;
    if (s->cfg.access_log) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double ms = (double)(now.tv_sec - r->start.tv_sec) * 1e3 +
                    (double)(now.tv_nsec - r->start.tv_nsec) / 1e6;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        char addr[INET6_ADDRSTRLEN] = "-";
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr,
                          sizeof addr);
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                          addr, sizeof addr);
        }
        time_t t = time(NULL);
        struct tm tm;
        char when[32];
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        pthread_mutex_lock(&s->log_lock);
        fprintf(s->cfg.access_log, "%s %s %s %s %u %zu %.1fms%s\n", when, addr, r->method, r->path,
                r->status, r->bytes, ms,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
        fflush(s->cfg.access_log);
        pthread_mutex_unlock(&s->log_lock);
    }
    free(r);
    *con_cls = NULL;
}

/* libmicrohttpd's messages: kept while starting (the failure is reported
 * once, in our words), printed afterwards. */
static void log_error(void *cls, const char *fmt, va_list ap)
{
    server *s = cls;
    if (!atomic_load(&s->started)) {
        vsnprintf(s->start_error, sizeof s->start_error, fmt, ap);
        s->start_error[strcspn(s->start_error, "\n")] = '\0';
        return;
    }
    fputs("shroud serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

int server_start(const server_config *cfg, server **out, char *err, size_t err_len)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    if (server_parse_listen(cfg->listen, &addr, &addr_len) != 0) {
        snprintf(err, err_len,
                 "--listen takes HOST:PORT (e.g. 127.0.0.1:8443 or [::1]:8443), not '%s'",
                 cfg->listen);
        return -1;
    }
    server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    s->cfg = *cfg;
    pthread_mutex_init(&s->log_lock, NULL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads : (cpus > 0 ? (unsigned)cpus : 2);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cfg->cert_pem)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->key_pem},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cfg->cert_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER,
                                 log_error, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                 MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
                                 completed, s, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_ARRAY,
                                 cfg->cert_pem ? tls_opts : tls_opts + 2, MHD_OPTION_END);
    if (!s->daemon) {
        const char *why = strrchr(s->start_error, ':'); /* "Failed to bind ...: <strerror>" */
        snprintf(err, err_len, "cannot listen on %s: %s", cfg->listen,
                 why && why[1]       ? why + 2
                 : s->start_error[0] ? s->start_error
                                     : "libmicrohttpd refused to start");
        pthread_mutex_destroy(&s->log_lock);
        free(s);
        return -1;
    }
    atomic_store(&s->started, 1);
    *out = s;
    return 0;
}

uint16_t server_port(const server *s)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void server_stop(server *s)
{
    if (!s)
        return;
    MHD_quiesce_daemon(s->daemon); /* no new connections ... */
    MHD_stop_daemon(s->daemon);    /* ... and those in progress finish */
    pthread_mutex_destroy(&s->log_lock);
    free(s);
}
