/* sessions.c — session tokens: their text form, their hash, and finding
 * the session a request carries. */
#include "server/sessions.h"

#include <ctype.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto/primitives.h"
#include "shroud.h"

/* Unpadded base64url of the token. */
void session_token_text(const uint8_t token[SESSION_TOKEN_BYTES], char out[SESSION_TOKEN_CHARS + 1])
{
    unsigned char tmp[48];
    EVP_EncodeBlock(tmp, token, SESSION_TOKEN_BYTES);
    for (int i = 0; i < SESSION_TOKEN_CHARS; i++)
        out[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : (char)tmp[i];
    out[SESSION_TOKEN_CHARS] = '\0';
    prim_wipe(tmp, sizeof tmp);
}

/* SHA-256 of the token's bytes, from its text; -1 if it is not a token. */
static int token_hash(const char *text, size_t len, uint8_t hash[STORE_TOKEN_HASH_BYTES])
{
    if (len != SESSION_TOKEN_CHARS)
        return -1;
    unsigned char tmp[48], raw[36];
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (!(isalnum((unsigned char)ch) || ch == '-' || ch == '_'))
            return -1;
        tmp[i] = ch == '-' ? '+' : ch == '_' ? '/' : (unsigned char)ch;
    }
    tmp[len] = '=';
    if (EVP_DecodeBlock(raw, tmp, (int)len + 1) != 33)
        return -1;
    int rc = sha256(raw, SESSION_TOKEN_BYTES, hash) == SHROUD_OK ? 0 : -1;
    prim_wipe(raw, sizeof raw);
    return rc;
}

/* The session's token hash from "Authorization: Bearer T" or the cookie;
 * -1 when there is none that looks like a token. */
int http_session_hash(const http_request *r, uint8_t hash[STORE_TOKEN_HASH_BYTES])
{
    const char *auth = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
        return token_hash(auth + 7, strlen(auth + 7), hash);
    const char *cookies = http_header(r, MHD_HTTP_HEADER_COOKIE);
    for (const char *p = cookies; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        size_t n = strcspn(p, ";");
        if (n > sizeof SESSION_COOKIE && strncmp(p, SESSION_COOKIE "=", sizeof SESSION_COOKIE) == 0)
            return token_hash(p + sizeof SESSION_COOKIE, n - sizeof SESSION_COOKIE, hash);
        p += n;
    }
    return -1;
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
