/* routes_accounts.c — register, log in, log out, who am I. */
#include <ctype.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto/primitives.h"
#include "server/json_body.h"
#include "server/passwords.h"
#include "server/sessions.h"
#include "server/routes.h"
#include "shroud.h"

#define THROTTLE_WINDOW 900 /* seconds */
#define THROTTLE_PER_USER 5
#define THROTTLE_PER_ADDRESS 20
#define NAME_MIN 3

/* A hash made once with a random password: logins for unknown users check
 * against it, so they cost the same time as wrong passwords. */
static const char dummy_hash[] = "scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA$"
                                 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* 1 if the request says its body is JSON (parameters allowed). */
static int json_content(const http_request *r)
{
    const char *t = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    size_t n = strlen("application/json");
    return t && strncasecmp(t, "application/json", n) == 0 &&
           (t[n] == '\0' || t[n] == ';' || t[n] == ' ');
}

/* The body as a JSON object with the string fields names[] (NULL-ended)
 * into values[]; on failure answers (415/400) and returns NULL. The object
 * owns the strings: json_decref it when done. */
static json_t *json_fields(http_request *r, const char *const *names, const char **values)
{
    if (!json_content(r)) {
        http_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
        return NULL;
    }
    size_t len;
    const char *body = http_body(r, &len);
    char problem[128];
    json_t *obj = json_body_fields(body, len, names, values, NULL, problem, sizeof problem);
    if (!obj)
        http_error(r, MHD_HTTP_BAD_REQUEST, problem);
    return obj;
}

static int valid_username(const char *name)
{
    size_t n = strlen(name);
    if (n < NAME_MIN || n > STORE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)name[i]) || isdigit((unsigned char)name[i]) ||
              strchr("_.-", name[i])))
            return 0;
    return 1;
}

static void key_id_hex(const shroud_recipient *key, char out[2 * SHROUD_KEY_ID_BYTES + 1])
{
    uint8_t id[SHROUD_KEY_ID_BYTES];
    out[0] = '\0';
    if (shroud_recipient_key_id(key, id) != SHROUD_OK)
        return;
    for (size_t i = 0; i < sizeof id; i++)
        snprintf(out + 2 * i, 3, "%02x", id[i]);
}

void route_register(http_request *r)
{
    static const char *const names[] = {"username", "password", "public_key", NULL};
    const char *v[3];
    json_t *obj = json_fields(r, names, v);
    if (!obj)
        return;
    const char *name = v[0], *pass = v[1];
    size_t pass_len = json_string_length(json_object_get(obj, "password"));
    shroud_recipient *key = NULL;
    char *key_text = NULL, hash[PASSWORD_HASH_MAX], kid[2 * SHROUD_KEY_ID_BYTES + 1];
    size_t key_len = 0;
    const char *problem;
    if (!valid_username(name))
        http_error(r, MHD_HTTP_BAD_REQUEST,
                   "username: 3 to 32 characters of a-z, 0-9, '_', '.' and '-'");
    else if ((problem = password_problem(name, pass, pass_len)))
        http_error(r, MHD_HTTP_BAD_REQUEST, problem);
    else if (shroud_recipient_parse(&key, v[2], strlen(v[2])) != SHROUD_OK ||
             shroud_recipient_format(key, &key_text, &key_len) != SHROUD_OK)
        http_error(r, MHD_HTTP_BAD_REQUEST,
                   "public key: give a shroudpk1... line or an RSA public key in PEM");
    else if (password_hash(pass, pass_len, hash) != 0)
        http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot hash the password");
    else {
        int rc = store_user_create(http_app(r)->store, name, hash, key_text, now_s());
        key_id_hex(key, kid);
        if (rc == STORE_EXISTS)
            http_error(r, MHD_HTTP_CONFLICT, "username taken");
        else if (rc != STORE_OK)
            http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the database failed");
        else
            http_respond(r, MHD_HTTP_CREATED,
                         json_pack("{s:s,s:s}", "username", name, "key_id", kid), NULL);
    }
    prim_wipe(hash, sizeof hash);
    shroud_free(key_text);
    shroud_recipient_free(key);
    json_decref(obj);
}

/* Counts this attempt against key before the password is checked, so
 * guesses made in parallel cannot all slip under the limit; answers 429
 * with Retry-After and returns 1 when the attempt is over the limit. */
static int reserve_attempt(http_request *r, const char *key, int64_t limit)
{
    int64_t count = 0, start = 0, now = now_s();
    if (store_failure_add(http_app(r)->store, key, now, THROTTLE_WINDOW, &count, &start) !=
            STORE_OK ||
        count <= limit)
        return 0;
    char after[32];
    snprintf(after, sizeof after, "%lld", (long long)(start + THROTTLE_WINDOW - now));
    http_respond(r, MHD_HTTP_TOO_MANY_REQUESTS,
                 json_pack("{s:s}", "error", "too many failed logins: try again later"),
                 MHD_HTTP_HEADER_RETRY_AFTER, after, NULL);
    return 1;
}

void route_login(http_request *r)
{
    static const char *const names[] = {"username", "password", NULL};
    const char *v[2];
    json_t *obj = json_fields(r, names, v);
    if (!obj)
        return;
    const server_app *app = http_app(r);
    char user_key[64], addr_key[64];
    snprintf(user_key, sizeof user_key, "user:%.40s", v[0]);
    snprintf(addr_key, sizeof addr_key, "addr:%s", http_client(r));
    size_t pass_len = json_string_length(json_object_get(obj, "password"));
    store_user u;
    memset(&u, 0, sizeof u);
    if (reserve_attempt(r, user_key, THROTTLE_PER_USER) ||
        reserve_attempt(r, addr_key, THROTTLE_PER_ADDRESS)) {
        json_decref(obj);
        return;
    }
    int found = store_user_by_name(app->store, v[0], &u);
    if (found == STORE_ERROR) {
        http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the database failed");
        json_decref(obj);
        return;
    }
    int ok = password_verify(v[1], pass_len, found == STORE_OK ? u.password_hash : dummy_hash) &&
             found == STORE_OK;
    if (!ok) { /* the attempt already counts as a failure */
        http_error(r, MHD_HTTP_UNAUTHORIZED, "wrong username or password");
    } else {
        uint8_t token[SESSION_TOKEN_BYTES], hash[STORE_TOKEN_HASH_BYTES];
        char text[SESSION_TOKEN_CHARS + 1];
        int64_t expires = now_s() + app->session_ttl;
        store_failure_clear(app->store, user_key);
        store_failure_undo(app->store, addr_key); /* it was no failure after all */
        if (prim_random(token, sizeof token) != SHROUD_OK ||
            sha256(token, sizeof token, hash) != SHROUD_OK ||
            store_session_create(app->store, hash, u.id, expires) != STORE_OK) {
            http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot open a session");
        } else {
            char cookie[256];
            session_token_text(token, text);
            snprintf(cookie, sizeof cookie,
                     "%s=%s; Path=/; HttpOnly;%s SameSite=Strict; Max-Age=%lld", SESSION_COOKIE,
                     text, app->tls ? " Secure;" : "", (long long)app->session_ttl);
            http_respond(r, MHD_HTTP_OK,
                         json_pack("{s:s,s:I,s:s}", "token", text, "expires", (json_int_t)expires,
                                   "username", u.name),
                         MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL);
            prim_wipe(cookie, sizeof cookie);
            prim_wipe(text, sizeof text);
        }
        prim_wipe(token, sizeof token);
    }
    store_user_clear(&u);
    json_decref(obj);
}

void route_me(http_request *r)
{
    int64_t id;
    store_user u;
    memset(&u, 0, sizeof u);
    if (http_session_user(r, &id) != 0 ||
        store_user_by_id(http_app(r)->store, id, &u) != STORE_OK) {
        http_unauthorized(r);
        return;
    }
    shroud_recipient *key = NULL;
    char kid[2 * SHROUD_KEY_ID_BYTES + 1] = "";
    if (shroud_recipient_parse(&key, u.public_key, strlen(u.public_key)) == SHROUD_OK)
        key_id_hex(key, kid);
    http_respond(
        r, MHD_HTTP_OK,
        json_pack("{s:s,s:s,s:s}", "username", u.name, "public_key", u.public_key, "key_id", kid),
        NULL);
    shroud_recipient_free(key);
    store_user_clear(&u);
}

void route_logout(http_request *r)
{
    uint8_t hash[STORE_TOKEN_HASH_BYTES];
    int64_t id;
    const server_app *app = http_app(r);
    if (http_session_hash(r, hash) != 0 ||
        store_session_user(app->store, hash, now_s(), &id) != STORE_OK ||
        store_session_delete(app->store, hash) != STORE_OK) {
        http_unauthorized(r);
        return;
    }
    char cookie[96];
    snprintf(cookie, sizeof cookie, "%s=; Path=/; HttpOnly;%s SameSite=Strict; Max-Age=0",
             SESSION_COOKIE, app->tls ? " Secure;" : "");
    http_respond(r, MHD_HTTP_NO_CONTENT, NULL, MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL);
}
