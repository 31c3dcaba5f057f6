/* remote_accounts.c — shroud remote register, login and logout: passwords
 * from a file or the terminal (wiped after use), the session token kept in
 * a 0600 file per server and sent as a bearer token afterwards. */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/remote.h"

#define JSON_FIELDS_MAX 3

/* 1 if there is a terminal to ask on. */
static int have_terminal(void)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

/* The password: the first line of --password-file, else asked on the
 * terminal without echo (twice when confirm). 0, or EXIT_FAILED (printed). */
static int get_password(const remote_opts *o, const remote_server *s, int confirm, char *buf,
                        size_t cap, size_t *len)
{
    char what[REMOTE_ORIGIN_MAX + REMOTE_USER_MAX + 16];
    snprintf(what, sizeof what, "%s on %s", o->user, s->origin);
    pass_source src = {o->password_file, what, 0};
    if (!o->password_file && !have_terminal())
        return fail("no terminal to ask for the password on: use --password-file FILE");
    if (confirm || o->password_file)
        return pass_new(&src, buf, cap, len);
    fprintf(stderr, "Logging in to %s as %s.\n", s->origin, o->user);
    if (pass_ask(&src, "password", buf, cap, len) == 0)
        return 0;
    return src.reported ? EXIT_FAILED : fail("no password given");
}

/* Appends s as a JSON string at out (room for 6 bytes per byte + 2). */
static size_t put_json_string(char *out, const char *s)
{
    size_t n = 0;
    out[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            out[n++] = '\\';
            out[n++] = (char)*p;
        } else if (*p < 0x20 || *p == 0x7f) {
            n += (size_t)snprintf(out + n, 7, "\\u%04x", *p);
        } else {
            out[n++] = (char)*p;
        }
    }
    out[n++] = '"';
    return n;
}

/* {"k0": "v0", ...} of string values, malloc'd (free with
 * shroud_free_secret(p, *len + 1): it holds the password); NULL when out of
 * memory. Built by hand so no copy of the password is left unwiped. */
static char *json_object_of(const char *const *keys, const char *const *values, size_t n,
                            size_t *len)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(keys[i]), v = strlen(values[i]);
        if (v > SIZE_MAX / 8 - k - 16 - cap)
            return NULL;
        cap += 6 * (k + v) + 8;
    }
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t at = 0;
    out[at++] = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            out[at++] = ',';
        at += put_json_string(out + at, keys[i]);
        out[at++] = ':';
        at += put_json_string(out + at, values[i]);
    }
    out[at++] = '}';
    out[at] = '\0';
    *len = at;
    return out;
}

/* POSTs a JSON object of string fields; 0 when the server answered. */
static int post_fields(const remote_server *s, const char *path, const char *const *keys,
                       const char *const *values, size_t n, remote_response *rs)
{
    size_t len = 0;
    char *body = json_object_of(keys, values, n, &len);
    if (!body)
        return fail("out of memory");
    remote_request rq = {.method = "POST",
                         .path = path,
                         .content_type = "application/json",
                         .body = body,
                         .body_len = len};
    int rc = remote_perform(s, &rq, rs);
    shroud_free_secret(body, len + 1);
    return rc;
}

/* The public key to register, as text: of -i IDENTITY or from -k PUBKEY. */
static char *public_key_text(const remote_opts *o, size_t *len)
{
    shroud_recipient *pub = NULL;
    if (o->identity) {
        shroud_identity *id = load_identity(o->identity, NULL);
        if (!id)
            return NULL;
        int err = shroud_identity_recipient(id, &pub);
        shroud_identity_free(id);
        if (err) {
            fail("%s: %s", o->identity, shroud_strerror(err));
            return NULL;
        }
    } else {
        pub = load_public_key(o->public_key);
        if (!pub)
            return NULL;
    }
    char *text = NULL;
    int err = shroud_recipient_format(pub, &text, len);
    shroud_recipient_free(pub);
    if (err) {
        fail("cannot format the public key: %s", shroud_strerror(err));
        return NULL;
    }
    return text;
}

int remote_register(const remote_config *c, const remote_opts *o, remote_server *s)
{
    (void)c;
    if (!o->user)
        return usage_error(o->cmd, "give the account's name with --user NAME");
    if ((o->identity != NULL) == (o->public_key != NULL))
        return usage_error(o->cmd, "give the key to register: -i IDENTITY or -k PUBKEY (one)");
    size_t key_len = 0;
    char *key = public_key_text(o, &key_len);
    if (!key)
        return EXIT_FAILED;
    char password[SHROUD_PASSPHRASE_MAX + 1];
    size_t pw_len = 0;
    int rc = get_password(o, s, 1, password, sizeof password - 1, &pw_len);
    remote_response rs = {0};
    if (!rc) {
        password[pw_len] = '\0';
        const char *keys[] = {"username", "password", "public_key"};
        const char *values[] = {o->user, password, key};
        rc = post_fields(s, "/api/register", keys, values, 3, &rs);
    }
    secret_wipe(password, sizeof password);
    shroud_free(key);
    if (rc)
        return rc;
    if (rs.status == 201) {
        json_t *j = json_loadb(rs.body, rs.len, 0, NULL);
        const char *key_id = json_string_value(json_object_get(j, "key_id"));
        printf("registered %s on %s (key id %s); log in with 'shroud remote login --server %s "
               "--user %s'\n",
               o->user, s->origin, key_id ? key_id : "?", s->origin, o->user);
        json_decref(j);
    } else {
        char doing[REMOTE_USER_MAX + 32];
        snprintf(doing, sizeof doing, "registering %s", o->user);
        rc = remote_status_fail(s, &rs, doing);
    }
    remote_response_free(&rs);
    return rc;
}

/* 1 if t looks like a token: base64url characters, not too long. */
static int token_well_formed(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n >= REMOTE_TOKEN_MAX)
        return 0;
    return strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* Keeps the session a login answered, and the server as the default. */
static int keep_session(const remote_config *c, const remote_opts *o, const remote_server *s,
                        const remote_response *rs)
{
    json_t *j = json_loadb(rs->body, rs->len, 0, NULL);
    const char *token = json_string_value(json_object_get(j, "token"));
    json_t *expires = json_object_get(j, "expires");
    int rc = 0;
    if (!token || !token_well_formed(token) || !json_is_integer(expires)) {
        rc = fail("%s: the login answer has no usable token and expiry", s->origin);
    } else {
        remote_session session;
        memset(&session, 0, sizeof session);
        snprintf(session.token, sizeof session.token, "%s", token);
        snprintf(session.user, sizeof session.user, "%s", o->user);
        session.expires = (long long)json_integer_value(expires);
        rc = session_save(c, s->origin, &session);
        secret_wipe(&session, sizeof session);
    }
    json_decref(j); /* wiped: cmd_remote's allocator */
    if (!rc)
        rc = default_server_save(c, s->origin);
    return rc;
}

int remote_login(const remote_config *c, const remote_opts *o, remote_server *s)
{
    if (!o->user)
        return usage_error(o->cmd, "give the account's name with --user NAME");
    if (strlen(o->user) >= REMOTE_USER_MAX || strchr(o->user, '\n'))
        return usage_error(o->cmd, "--user: no such account name could exist: '%s'", o->user);
    char password[SHROUD_PASSPHRASE_MAX + 1];
    size_t pw_len = 0;
    int rc = get_password(o, s, 0, password, sizeof password - 1, &pw_len);
    remote_response rs = {0};
    if (!rc) {
        password[pw_len] = '\0';
        const char *keys[] = {"username", "password"};
        const char *values[] = {o->user, password};
        rc = post_fields(s, "/api/login", keys, values, 2, &rs);
    }
    secret_wipe(password, sizeof password);
    if (rc)
        return rc;
    if (rs.status == 200) {
        rc = keep_session(c, o, s, &rs);
        if (!rc) {
            json_t *j = json_loadb(rs.body, rs.len, 0, NULL);
            char until[32];
            remote_format_time((long long)json_integer_value(json_object_get(j, "expires")), until);
            json_decref(j);
            printf("logged in to %s as %s until %s\n", s->origin, o->user, until);
        }
    } else if (rs.status == 401) {
        rc = fail("%s: wrong username or password for %s (HTTP 401)", s->origin, o->user);
    } else {
        char doing[REMOTE_USER_MAX + 32];
        snprintf(doing, sizeof doing, "logging in as %s", o->user);
        rc = remote_status_fail(s, &rs, doing);
    }
    remote_response_free(&rs);
    return rc;
}

int remote_need_session(const remote_config *c, const remote_opts *o, remote_server *s)
{
    (void)o;
    remote_session session;
    int found = session_load(c, s->origin, &session);
    if (found < 0)
        return EXIT_FAILED;
    if (!found)
        return fail("not logged in to %s: log in first with 'shroud remote login --server %s "
                    "--user NAME'",
                    s->origin, s->origin);
    int rc = 0;
    if (!token_well_formed(session.token)) {
        rc = fail("the session file for %s holds no usable token: log in again with 'shroud "
                  "remote login --server %s --user NAME'",
                  s->origin, s->origin);
    } else if (session.expires > 0 && session.expires <= (long long)time(NULL)) {
        char when[32];
        remote_format_time(session.expires, when);
        rc = fail("the session on %s expired on %s: log in again with 'shroud remote login "
                  "--server %s --user %s'",
                  s->origin, when, s->origin, session.user);
    } else {
        memcpy(s->token, session.token, sizeof s->token);
    }
    secret_wipe(&session, sizeof session);
    return rc;
}

int remote_logout(const remote_config *c, const remote_opts *o, remote_server *s)
{
    (void)o;
    remote_session session;
    int found = session_load(c, s->origin, &session);
    if (found < 0)
        return EXIT_FAILED;
    if (!found)
        return fail("not logged in to %s: nothing to log out of", s->origin);
    memcpy(s->token, session.token, sizeof s->token);
    secret_wipe(&session, sizeof session);
    remote_request rq = {.method = "POST", .path = "/api/logout"};
    remote_response rs;
    int rc = remote_perform(s, &rq, &rs);
    if (rc)
        return rc; /* the session stays, so that logout can be tried again */
    if (rs.status == 204 || rs.status == 401) {
        rc = session_delete(c, s->origin);
        if (!rc)
            printf("logged out of %s%s\n", s->origin,
                   rs.status == 401 ? " (the server had already ended the session)" : "");
    } else {
        rc = remote_status_fail(s, &rs, "logging out");
    }
    remote_response_free(&rs);
    return rc;
}
