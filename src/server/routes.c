/* routes.c — the route table and its dispatcher. */
#define _GNU_SOURCE /* asprintf */
#include "server/routes.h"

#include <inttypes.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/blob_cache.h"

static void route_healthz(http_request *r)
{
    http_respond(r, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"), NULL);
}

/* The image cache's metrics (blob_cache.h), when images go through one:
 * text with them appended (text freed), else text. NULL: out of memory. */
static char *with_cache_metrics(char *text, blobs *images)
{
    blob_cache_stats s;
    if (!text || !blob_cache_stats_of(images, &s))
        return text;
    char *out = NULL;
    int n =
        asprintf(&out,
                 "%s# HELP shroud_image_cache_hits_total Image downloads answered from memory.\n"
                 "# TYPE shroud_image_cache_hits_total counter\n"
                 "shroud_image_cache_hits_total %" PRIu64 "\n"
                 "# HELP shroud_image_cache_misses_total Image downloads read from the database.\n"
                 "# TYPE shroud_image_cache_misses_total counter\n"
                 "shroud_image_cache_misses_total %" PRIu64 "\n"
                 "# HELP shroud_image_cache_bytes Bytes of images kept in memory.\n"
                 "# TYPE shroud_image_cache_bytes gauge\n"
                 "shroud_image_cache_bytes %" PRIu64 "\n",
                 text, s.hits, s.misses, s.bytes);
    free(text);
    return n < 0 ? NULL : out;
}

static void route_metrics(http_request *r)
{
    char *text = with_cache_metrics(metrics_render(http_app(r)->metrics), http_app(r)->images);
    if (!text) {
        http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
        return;
    }
    http_respond_bytes(r, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text,
                       strlen(text), NULL);
    free(text);
}

/* A path ending in '/' matches the paths one segment below it; one ending
 * in "/" and a star every path below it, at any depth. */
typedef struct {
    const char *method, *path;
    void (*handle)(http_request *r);
} route;

static const route table[] = {
    {"GET", "/healthz", route_healthz},
    {"HEAD", "/healthz", route_healthz},
    {"GET", "/metrics", route_metrics},
    {"POST", "/api/register", route_register},
    {"POST", "/api/login", route_login},
    {"POST", "/api/logout", route_logout},
    {"GET", "/api/me", route_me},
    {"GET", "/api/images", route_images},
    {"POST", "/api/images", route_images},
    {"GET", "/api/images/", route_image},
    {"DELETE", "/api/images/", route_image},
    {"GET", "/images/", route_image_file},
    {"HEAD", "/images/", route_image_file},
    {"POST", "/api/stego/hide", route_stego_hide},
    {"POST", "/api/stego/reveal", route_stego_reveal},
    {"GET", "/", route_web},
    {"HEAD", "/", route_web},
    {"GET", "/assets/*", route_web},
    {"HEAD", "/assets/*", route_web},
};

#define N_ROUTES (sizeof table / sizeof table[0])

static int path_matches(const char *pattern, const char *path)
{
    size_t n = strlen(pattern);
    if (n >= 2 && pattern[n - 1] == '*' && pattern[n - 2] == '/')
        return strncmp(pattern, path, n - 1) == 0 && path[n - 1];
    if (pattern[n - 1] != '/' || n == 1)
        return strcmp(pattern, path) == 0;
    return strncmp(pattern, path, n) == 0 && path[n] && !strchr(path + n, '/');
}

void routes_dispatch(http_request *r)
{
    const char *path = http_path(r), *method = http_method(r);
    char allow[64] = "";
    for (size_t i = 0; i < N_ROUTES; i++) {
        if (!path_matches(table[i].path, path))
            continue;
        if (strcmp(table[i].method, method) == 0) {
            table[i].handle(r);
            return;
        }
        if (strlen(allow) + strlen(table[i].method) + 3 < sizeof allow) {
            if (allow[0])
                strcat(allow, ", ");
            strcat(allow, table[i].method);
        }
    }
    if (allow[0])
        http_respond(r, MHD_HTTP_METHOD_NOT_ALLOWED,
                     json_pack("{s:s}", "error", "method not allowed on this path"), "Allow", allow,
                     NULL);
    else
        http_error(r, MHD_HTTP_NOT_FOUND, "no such route");
}
