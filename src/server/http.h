/*
 * http.h — one request as the routes see it, and how they answer (server
 * layer). server.c fills it; routes_*.c read it and call http_respond once.
 */
#ifndef SHROUD_SERVER_HTTP_H
#define SHROUD_SERVER_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "server/blobs.h"
#include "server/metrics.h"
#include "server/store.h"

#define HTTP_LOG_PATH_MAX 256
#define HTTP_JSON_MAX (64u * 1024u)    /* request bodies of the JSON routes */
#define HTTP_DRAIN_MAX (1024u * 1024u) /* larger bodies are refused unread */
#define HTTP_ADDR_MAX 46

/* What every route may use: the store, the image bytes and the settings. */
typedef struct {
    store *store;
    int64_t session_ttl; /* seconds */
    int tls;             /* cookies get Secure */
    blobs *images;       /* the image bytes (blobs.h) */
    size_t max_upload;   /* bytes of an image upload */
    metrics *metrics;    /* counters for /metrics (owned by the server) */
} server_app;

/* Request bodies: the image upload and the stego routes take up to
 * max_upload, every other route HTTP_JSON_MAX. */
#define HTTP_UPLOAD_PATH "/api/images"
#define HTTP_STEGO_HIDE_PATH "/api/stego/hide"
#define HTTP_STEGO_REVEAL_PATH "/api/stego/reveal"

typedef struct http_request http_request;

/* The request's method, path (as received), client address, body (NUL
 * terminated, NULL when empty) and a header (NULL if absent). */
const char *http_method(const http_request *r);
const char *http_path(const http_request *r);
const char *http_client(const http_request *r);
const char *http_body(const http_request *r, size_t *len);
const char *http_header(const http_request *r, const char *name);
/* A query-string argument (decoded), NULL if absent. */
const char *http_query(const http_request *r, const char *name);
const server_app *http_app(const http_request *r);

/* Answers with status and body (a JSON value, stolen; NULL: no body) and
 * extra headers given as name, value, ..., NULL. Returns 0, or -1 when the
 * response could not be queued. */
int http_respond(http_request *r, unsigned status, json_t *body, ...);
/* Answers with the file behind fd (taken: closed by the response), size
 * bytes of content_type, plus headers as for http_respond. */
int http_respond_file(http_request *r, unsigned status, int fd, uint64_t size,
                      const char *content_type, ...);
/* Answers with len bytes of data (copied) of content_type, plus headers as
 * for http_respond. */
int http_respond_bytes(http_request *r, unsigned status, const char *content_type, const void *data,
                       size_t len, ...);
/* The fields of a multipart/form-data body (form.h), or NULL when the body
 * was not sent as multipart/form-data. Only the stego routes' bodies are
 * read as forms. */
const struct form *http_form(const http_request *r);
/* 1 when the request's If-None-Match names etag (a quoted entity tag) or
 * is "*": a list of tags, weak ones (W/"...") included, compared weakly
 * as RFC 9110 says for If-None-Match. */
int http_etag_fresh(const http_request *r, const char *etag);
/* Answers {"error": message}. */
int http_error(http_request *r, unsigned status, const char *message);
/* Answers 503 {"error": message} with Retry-After: 1 (busy: try again). */
int http_busy(http_request *r, const char *message);
/* Answers with len bytes at data (not copied: they must outlive the
 * response, as static data does; NULL when len is 0) of content_type (NULL:
 * none), plus headers as for http_respond; no Cache-Control of its own. */
int http_respond_static(http_request *r, unsigned status, const void *data, size_t len,
                        const char *content_type, ...);

#endif
