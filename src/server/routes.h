/*
 * routes.h — which handler answers which request (server layer).
 */
#ifndef SHROUD_SERVER_ROUTES_H
#define SHROUD_SERVER_ROUTES_H

#include "server/http.h"

/* Answers r: a route's handler, 404 for an unknown path, 405 (with Allow)
 * for a known path with another method. */
void routes_dispatch(http_request *r);

/* Handlers (routes_accounts.c). Each answers exactly once. */
void route_register(http_request *r);
void route_login(http_request *r);
void route_logout(http_request *r);
void route_me(http_request *r);
/* routes_images.c: /api/images (GET list, POST upload), /api/images/ID (GET,
 * DELETE), /images/ID (GET, HEAD: the file). */
void route_images(http_request *r);
void route_image(http_request *r);
void route_image_file(http_request *r);
/* routes_stego.c: POST /api/stego/hide (multipart in, PNG out) and
 * /api/stego/reveal (multipart in, JSON out). */
void route_stego_hide(http_request *r);
void route_stego_reveal(http_request *r);
/* routes_web.c: / and /assets/... (GET, HEAD): the embedded web UI. */
void route_web(http_request *r);

#endif
