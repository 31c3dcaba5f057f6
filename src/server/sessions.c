/* sessions.c — finding the session a request carries. */
#include "server/sessions.h"

#include "server/session_token.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto/primitives.h"
#include "shroud.h"

/* The session's token hash from "Authorization: Bearer T" or the cookie;
 * -1 when there is none that looks like a token. */
int http_session_hash(const http_request *r, uint8_t hash[STORE_TOKEN_HASH_BYTES])
{
    const char *auth = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
        return session_token_hash(auth + 7, strlen(auth + 7), hash);
    size_t len = 0;
    const char *value = session_cookie_find(http_header(r, MHD_HTTP_HEADER_COOKIE), &len);
    return value ? session_token_hash(value, len, hash) : -1;
}

void http_unauthorized(http_request *r)
{
    http_respond(r, MHD_HTTP_UNAUTHORIZED,
                 json_pack("{s:s}", "error", "log in first (session missing, expired or ended)"),
                 MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer", NULL);
}

int http_session_user(const http_request *r, int64_t *user_id)
{
    uint8_t hash[STORE_TOKEN_HASH_BYTES];
    return http_session_hash(r, hash) == 0 &&
                   store_session_user(http_app(r)->store, hash, (int64_t)time(NULL), user_id) ==
                       STORE_OK
               ? 0
               : -1;
}
