/* server.c — libmicrohttpd set-up, request dispatch and the access log. */
#include "server/server.h"
#include "server/client_address.h"

#include "server/form.h"
#include "server/http.h"
#include "server/routes.h"
#include "server/sessions.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct server {
    struct MHD_Daemon *daemon;
    server_config cfg;
    metrics counters;
    pthread_mutex_t log_lock;
    atomic_size_t held;    /* body bytes reserved by large requests in progress */
    atomic_int started;    /* libmicrohttpd's messages go to stderr from now on */
    char start_error[256]; /* its last message while starting */
};

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

/* One request, from the handler's first call to the access-log line. */
struct http_request {
    struct MHD_Connection *conn;
    const server_app *app;
    struct timespec start;
    char method[16];
    char path[HTTP_LOG_PATH_MAX]; /* for the log: cut, control bytes replaced */
    char *url;                    /* as received */
    char addr[HTTP_ADDR_MAX];
    char *body;
    size_t body_len, body_cap, body_limit;
    size_t reserved;  /* of the server's --max-upload-memory, given back when done */
    unsigned refusal; /* 401 or 503 decided on the headers (early_refusal), or 0 */
    int body_too_big;
    struct MHD_PostProcessor *post; /* multipart/form-data: fields go to form */
    form *form;
    int form_malformed;
    int answered;
    unsigned status;
    size_t bytes;
};

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

static void client_address(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    client_address_of(ci ? ci->client_addr : NULL, out, cap);
}

/* Header iterator: keeps the value of the last X-Forwarded-For header (a
 * proxy may add its own header rather than extend the client's). */
static enum MHD_Result keep_last_forwarded_for(void *cls, enum MHD_ValueKind kind, const char *key,
                                               const char *value)
{
    (void)kind;
    if (key && value && strcasecmp(key, "X-Forwarded-For") == 0)
        *(const char **)cls = value;
    return MHD_YES;
}

/* When the peer in addr is a trusted proxy, replaces addr by the client it
 * names: the last entry of X-Forwarded-For, else X-Real-IP; a missing or
 * malformed header leaves the peer's address. */
static void forwarded_client(const server_config *cfg, struct MHD_Connection *c, char *addr,
                             size_t cap)
{
    size_t i = 0;
    while (i < cfg->n_trusted_proxies && strcmp(cfg->trusted_proxies[i], addr) != 0)
        i++;
    if (i == cfg->n_trusted_proxies)
        return;
    const char *xff = NULL;
    MHD_get_connection_values(c, MHD_HEADER_KIND, keep_last_forwarded_for, &xff);
    forwarded_address(xff, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Real-IP"), addr, cap);
}

const char *http_method(const http_request *r)
{
    return r->method;
}

const char *http_path(const http_request *r)
{
    return r->url;
}

const char *http_client(const http_request *r)
{
    return r->addr;
}

const char *http_body(const http_request *r, size_t *len)
{
    *len = r->body ? r->body_len : 0;
    return r->body;
}

const char *http_header(const http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const form *http_form(const http_request *r)
{
    return r->form;
}

const server_app *http_app(const http_request *r)
{
    return r->app;
}

/* Adds the common and the given headers (name, value, ..., NULL), queues
 * resp and records what the log says of it. */
static int queue(http_request *r, unsigned status, struct MHD_Response *resp, size_t bytes,
                 va_list headers)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    for (const char *name; (name = va_arg(headers, const char *)) != NULL;)
        MHD_add_response_header(resp, name, va_arg(headers, const char *));
    enum MHD_Result ok = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    r->answered = 1;
    r->status = status;
    r->bytes = bytes;
    return ok == MHD_YES ? 0 : -1;
}

int http_respond(http_request *r, unsigned status, json_t *body, ...)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    size_t len = text ? strlen(text) : 0;
    json_malloc_t json_alloc;
    json_free_t json_free; /* the text is jansson's: its free (which may wipe) */
    json_get_alloc_funcs(&json_alloc, &json_free);
    struct MHD_Response *resp =
        text ? MHD_create_response_from_buffer_with_free_callback(len, text, json_free)
             : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        if (text)
            json_free(text);
        return -1;
    }
    if (text)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    va_list ap;
    va_start(ap, body);
    int rc = queue(r, status, resp, len, ap);
    va_end(ap);
    return rc;
}

/* File responses are read in blocks this large: libmicrohttpd's own fd
 * responses read 4 KiB at a time, and over TLS each read became a record
 * and a system call of its own (bench/server/README.md measured 2x nginx's
 * CPU per download that way). */
#define FILE_BLOCK (64u * 1024u)

static ssize_t file_block(void *cls, uint64_t pos, char *buf, size_t max)
{
    int fd = (int)(intptr_t)cls;
    ssize_t n;
    do
        n = pread(fd, buf, max, (off_t)pos);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        return n;
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void file_close(void *cls)
{
    close((int)(intptr_t)cls);
}

int http_respond_file(http_request *r, unsigned status, int fd, uint64_t size,
                      const char *content_type, ...)
{
    struct MHD_Response *resp = MHD_create_response_from_callback(size, FILE_BLOCK, file_block,
                                                                  (void *)(intptr_t)fd, file_close);
    if (!resp) {
        close(fd);
        return -1;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    va_list ap;
    va_start(ap, content_type);
    int rc = queue(r, status, resp, (size_t)size, ap);
    va_end(ap);
    return rc;
}

int http_respond_bytes(http_request *r, unsigned status, const char *content_type, const void *data,
                       size_t len, ...)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return -1;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    va_list ap;
    va_start(ap, len);
    int rc = queue(r, status, resp, len, ap);
    va_end(ap);
    return rc;
}

int http_etag_fresh(const http_request *r, const char *etag)
{
    const char *p = http_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    size_t n = strlen(etag);
    if (!p)
        return 0;
    while (*p) {
        p += strspn(p, " \t,");
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        const char *end = *p == '"' ? strchr(p + 1, '"') : NULL;
        if (!end)
            return 0; /* malformed: not fresh */
        if ((size_t)(end + 1 - p) == n && memcmp(p, etag, n) == 0)
            return 1;
        p = end + 1;
    }
    return 0;
}

int http_error(http_request *r, unsigned status, const char *message)
{
    return http_respond(r, status, json_pack("{s:s}", "error", message), NULL);
}

int http_busy(http_request *r, const char *message)
{
    return http_respond(r, MHD_HTTP_SERVICE_UNAVAILABLE, json_pack("{s:s}", "error", message),
                        MHD_HTTP_HEADER_RETRY_AFTER, "1", NULL);
}

/* The Content-Length the client announced, or -1. */
static long long announced_length(struct MHD_Connection *c)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    char *end;
    long long n = v ? strtoll(v, &end, 10) : -1;
    return v && *end == '\0' && n >= 0 ? n : -1;
}

/* 1 for the routes that take multipart/form-data (others refuse it: 415). */
static int form_route(const char *method, const char *url)
{
    return strcmp(method, "POST") == 0 &&
           (strcmp(url, HTTP_STEGO_HIDE_PATH) == 0 || strcmp(url, HTTP_STEGO_REVEAL_PATH) == 0);
}

/* 1 for the routes whose bodies may be as large as --max-upload. */
static int large_body_route(const char *method, const char *url)
{
    return (strcmp(method, "POST") == 0 && strcmp(url, HTTP_UPLOAD_PATH) == 0) ||
           form_route(method, url);
}

/* libmicrohttpd's post processor hands over form pieces here. */
static enum MHD_Result form_piece_received(void *cls, enum MHD_ValueKind kind, const char *key,
                                           const char *filename, const char *content_type,
                                           const char *transfer_encoding, const char *data,
                                           uint64_t off, size_t size)
{
    http_request *r = cls;
    (void)kind, (void)content_type, (void)transfer_encoding;
    return form_piece(r->form, key, filename, off, (const uint8_t *)data, size) == 0 ? MHD_YES
                                                                                     : MHD_NO;
}

/* Sets up form parsing when the body is multipart/form-data: 0, or -1 when
 * it cannot be parsed (no boundary) or memory ran out. */
static int start_form(http_request *r, struct MHD_Connection *c)
{
    const char *type =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!type || strncasecmp(type, "multipart/form-data", strlen("multipart/form-data")) != 0)
        return 0;
    r->form = calloc(1, sizeof *r->form);
    if (!r->form)
        return -1;
    r->form->max_total = r->body_limit;
    r->post = MHD_create_post_processor(c, 64 * 1024, form_piece_received, r);
    return r->post ? 0 : -1;
}

/* Feeds n body bytes to the form parser (already counted against the limit). */
static void feed_form(http_request *r, const char *upload, size_t n)
{
    if (r->form_malformed || r->form->error)
        return;
    if (MHD_post_process(r->post, upload, n) != MHD_YES && !r->form->error)
        r->form_malformed = 1;
}

/* After the whole body: answers 400/413 when the form failed. 1 if answered. */
static int finish_form(http_request *r)
{
    if (MHD_destroy_post_processor(r->post) != MHD_YES && !r->form->error)
        r->form_malformed = 1;
    r->post = NULL;
    if (r->form->error == FORM_TOO_BIG)
        http_error(r, MHD_HTTP_CONTENT_TOO_LARGE, form_error_text(r->form->error));
    else if (r->form->error)
        http_error(r,
                   r->form->error == FORM_NO_MEMORY ? MHD_HTTP_INTERNAL_SERVER_ERROR
                                                    : MHD_HTTP_BAD_REQUEST,
                   form_error_text(r->form->error));
    else if (r->form_malformed)
        http_error(r, MHD_HTTP_BAD_REQUEST, "malformed multipart/form-data body");
    return r->answered;
}

/* Takes n bytes of the memory large bodies may hold at once: 1, or 0 when
 * that would go over --max-upload-memory. */
static int reserve_body(server *s, size_t n)
{
    size_t held = atomic_load(&s->held);
    do {
        if (n > s->cfg.max_upload_memory || held > s->cfg.max_upload_memory - n)
            return 0;
    } while (!atomic_compare_exchange_weak(&s->held, &held, held + n));
    return 1;
}

/* Before a large body is read, on its headers: an upload without a live
 * session is refused (401), and so is a body the memory budget has no room
 * for (503, Retry-After: 1); either way nothing of the body is kept, so
 * nobody without an account, and no crowd of uploads, makes the server hold
 * memory. The status, or 0 to go on (the body's share then reserved). */
static unsigned early_refusal(server *s, http_request *r, const char *method, const char *url,
                              long long announced)
{
    int64_t user;
    if (strcmp(method, "POST") == 0 && strcmp(url, HTTP_UPLOAD_PATH) == 0 &&
        http_session_user(r, &user) != 0)
        return MHD_HTTP_UNAUTHORIZED;
    if (r->body_too_big)
        return 0; /* kept nothing: answered 413 at the end */
    size_t want = announced >= 0 ? (size_t)announced : r->body_limit; /* chunked: the limit */
    if (!reserve_body(s, want))
        return MHD_HTTP_SERVICE_UNAVAILABLE;
    r->reserved = want;
    return 0;
}

/* Answers the refusal early_refusal chose. */
static void answer_refusal(http_request *r)
{
    if (r->refusal == MHD_HTTP_UNAUTHORIZED)
        http_unauthorized(r);
    else
        http_busy(r, "too many large uploads in progress: retry in a moment");
}

/* 1 when the client waits for "100 Continue" before sending its body: then
 * an answer now spares it the upload. */
static int expects_continue(struct MHD_Connection *c)
{
    const char *e = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
    return e && strcasecmp(e, "100-continue") == 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    server *s = cls;
    (void)version;
    http_request *r = *con_cls;
    if (!r) { /* first call: headers only; answer on a later one (keep-alive) */
        r = calloc(1, sizeof *r);
        if (!r || !(r->url = strdup(url))) {
            free(r);
            return MHD_NO;
        }
        r->conn = c;
        r->app = &s->cfg.app;
        clock_gettime(CLOCK_MONOTONIC, &r->start);
        log_field(r->method, sizeof r->method, method);
        log_field(r->path, sizeof r->path, url);
        client_address(c, r->addr, sizeof r->addr);
        forwarded_client(&s->cfg, c, r->addr, sizeof r->addr);
        *con_cls = r;
        /* A body announced over the limit is refused: a moderate one after
         * it has been read and dropped (so the client hears the answer), a
         * huge one at once (the connection then closes). */
        int image_upload = large_body_route(method, url);
        r->body_limit = image_upload ? s->cfg.app.max_upload : HTTP_JSON_MAX;
        long long announced = announced_length(c);
        if (announced > (long long)r->body_limit &&
            (image_upload || announced > (long long)HTTP_DRAIN_MAX))
            return http_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large") == 0
                       ? MHD_YES
                       : MHD_NO;
        r->body_too_big = announced > (long long)r->body_limit;
        if (image_upload && (r->refusal = early_refusal(s, r, method, url, announced)) != 0) {
            /* answered now if the client waits for it; else once the body
             * has been read and dropped (answering mid-upload would reset
             * the connection under the client's feet) */
            if (expects_continue(c))
                answer_refusal(r);
            return MHD_YES;
        }
        if (form_route(method, url) && start_form(r, c) != 0)
            return http_error(r, MHD_HTTP_BAD_REQUEST,
                              "multipart/form-data needs a boundary parameter") == 0
                       ? MHD_YES
                       : MHD_NO;
        return MHD_YES;
    }
    if (r->answered) { /* answered early: the rest of the body is dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->refusal)
            return MHD_YES; /* refused on its headers: read, not kept */
        if (r->body_too_big || n > r->body_limit - r->body_len) {
            r->body_too_big = 1; /* keep reading, keep nothing */
            return MHD_YES;
        }
        if (r->form) { /* the fields are kept, not the raw body */
            r->body_len += n;
            feed_form(r, upload, n);
            return MHD_YES;
        }
        if (r->body_len + n + 1 > r->body_cap) { /* the announced size, else doubling */
            size_t cap = r->body_cap ? r->body_cap * 2 : 64 * 1024;
            long long announced = announced_length(c);
            if (!r->body_cap && announced >= 0 && (size_t)announced <= r->body_limit)
                cap = (size_t)announced + 1;
            if (cap < r->body_len + n + 1)
                cap = r->body_len + n + 1;
            if (cap > r->body_limit + 1)
                cap = r->body_limit + 1;
            char *grown = realloc(r->body, cap);
            if (!grown)
                return MHD_NO;
            r->body = grown;
            r->body_cap = cap;
        }
        memcpy(r->body + r->body_len, upload, n);
        r->body_len += n;
        r->body[r->body_len] = '\0';
        return MHD_YES;
    }
    if (r->refusal) {
        answer_refusal(r);
        return MHD_YES;
    }
    if (r->body_too_big)
        return http_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large") == 0 ? MHD_YES
                                                                                        : MHD_NO;
    if (r->form && finish_form(r))
        return MHD_YES;
    routes_dispatch(r);
    if (!r->answered)
        http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
    return MHD_YES;
}

/* One line per request: time, address, method, path, status, bytes, ms. */
static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    server *s = cls;
    http_request *r = *con_cls;
    (void)c;
    if (!r)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - r->start.tv_sec) * 1e3 +
                (double)(now.tv_nsec - r->start.tv_nsec) / 1e6;
    metrics_request(&s->counters, r->status, ms / 1e3, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
    if (s->cfg.access_log) {
        time_t t = time(NULL);
        struct tm tm;
        char when[32];
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        pthread_mutex_lock(&s->log_lock);
        fprintf(s->cfg.access_log, "%s %s %s %s %u %zu %.1fms%s\n", when, r->addr, r->method,
                r->path, r->status, r->bytes, ms,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
        fflush(s->cfg.access_log);
        pthread_mutex_unlock(&s->log_lock);
    }
    if (r->reserved)
        atomic_fetch_sub(&s->held, r->reserved);
    if (r->post)
        MHD_destroy_post_processor(r->post);
    if (r->form) {
        form_clear(r->form);
        free(r->form);
    }
    free(r->url);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

/* libmicrohttpd's messages: kept while starting (the failure is reported
 * once, in our words), printed afterwards. */
__attribute__((format(printf, 2, 0))) static void log_error(void *cls, const char *fmt, va_list ap)
{
    server *s = cls;
    if (!atomic_load(&s->started)) {
        vsnprintf(s->start_error, sizeof s->start_error, fmt, ap);
        s->start_error[strcspn(s->start_error, "\n")] = '\0';
        return;
    }
    char line[512]; /* one write, so lines from two threads do not interleave */
    int n = snprintf(line, sizeof line, "shroud serve: ");
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    fputs(line, stderr);
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
    if (!s->cfg.max_upload_memory)
        s->cfg.max_upload_memory = SERVER_UPLOAD_MEMORY_FACTOR * s->cfg.max_upload;
    atomic_init(&s->held, 0);
    s->cfg.app.metrics = &s->counters;
    pthread_mutex_init(&s->log_lock, NULL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads : (cpus > 0 ? (unsigned)cpus : 2);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (addr.ss_family == AF_INET6) /* [::] takes IPv4 clients too, as ::ffff:a.b.c.d */
        flags |= IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&addr)->sin6_addr)
                     ? MHD_USE_DUAL_STACK
                     : MHD_USE_IPv6;
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

int http_respond_static(http_request *r, unsigned status, const void *data, size_t len,
                        const char *content_type, ...)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(len ? data : ""), MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return -1;
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    va_list ap;
    va_start(ap, content_type);
    int rc = queue(r, status, resp, len, ap);
    va_end(ap);
    return rc;
}
