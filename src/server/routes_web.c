/* routes_web.c — the web UI: GET/HEAD / and /assets/..., served from the
 * files embedded at build time (web_assets.h). */
#include <microhttpd.h>
#include <string.h>

#include "server/routes.h"
#include "server/web_assets.h"

/* Scripts only from this origin (no inline script), images also from blob:
 * and data: URLs (the restored image is a blob), no framing, no plugins. */
#define WEB_CSP                                                                                    \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "        \
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "                 \
    "frame-ancestors 'none'"

/* The files never change while the server runs, but a new build may change
 * them under the same URL: the browser keeps them and revalidates by ETag. */
#define WEB_CACHE_CONTROL "no-cache"

static const web_asset *find_asset(const char *path)
{
    for (size_t i = 0; i < web_assets_count; i++)
        if (strcmp(web_assets[i].path, path) == 0)
            return &web_assets[i];
    return NULL;
}

void route_web(http_request *r)
{
    const web_asset *a = find_asset(http_path(r));
    if (!a) {
        http_error(r, MHD_HTTP_NOT_FOUND, "no such file in the web UI");
        return;
    }
    int fresh = http_etag_fresh(r, a->etag);
    http_respond_static(r, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, fresh ? NULL : a->data,
                        fresh ? 0 : a->size, a->content_type, MHD_HTTP_HEADER_ETAG, a->etag,
                        MHD_HTTP_HEADER_CACHE_CONTROL, WEB_CACHE_CONTROL, "Content-Security-Policy",
                        WEB_CSP, "X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer", NULL);
}
