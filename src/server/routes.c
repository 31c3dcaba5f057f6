/* routes.c — the route table and its dispatcher. */
#include "server/routes.h"

#include <microhttpd.h>
#include <string.h>

static void route_healthz(http_request *r)
{
    http_respond(r, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"), NULL);
}

typedef struct {
    const char *method, *path;
    void (*handle)(http_request *r);
} route;

static const route table[] = {
    {"GET", "/healthz", route_healthz},        {"HEAD", "/healthz", route_healthz},
    {"POST", "/api/register", route_register}, {"POST", "/api/login", route_login},
    {"POST", "/api/logout", route_logout},     {"GET", "/api/me", route_me},
};

#define N_ROUTES (sizeof table / sizeof table[0])

void routes_dispatch(http_request *r)
{
    const char *path = http_path(r), *method = http_method(r);
    char allow[64] = "";
    for (size_t i = 0; i < N_ROUTES; i++) {
        if (strcmp(table[i].path, path) != 0)
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
