/*
 * remote.h — what the parts of `shroud remote` (the client of shroud serve)
 * share: the configuration files (remote_config.c), the HTTP(S) requests
 * with a pinned key (remote_http.c), trust on first use (remote_trust.c),
 * and the subcommands (remote_accounts.c, remote_images.c), dispatched by
 * remote.c.
 */
#ifndef SHROUD_CLI_REMOTE_H
#define SHROUD_CLI_REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define REMOTE_ORIGIN_MAX 300                 /* "https://" + a host name (253) + ":65535" */
#define REMOTE_PIN_MAX 64                     /* "sha256//" + 44 characters of base64 */
#define REMOTE_TOKEN_MAX 128                  /* the server's are 43 characters */
#define REMOTE_USER_MAX 64                    /* the server's are 3..32 characters */
#define REMOTE_JSON_MAX (16u * 1024u * 1024u) /* largest JSON answer read */

/* ---- options (remote.c) ---- */

/* Every option of the subcommands; each subcommand accepts a subset. */
typedef struct {
    const char *cmd;           /* "remote login"..., for messages */
    const char *server;        /* --server URL */
    const char *pin;           /* --pin sha256//... */
    const char *user;          /* --user NAME */
    const char *password_file; /* --password-file F */
    const char *identity;      /* -i IDENTITY */
    const char *public_key;    /* -k PUBKEY */
    const char *output;        /* -o OUT */
    int force, json;
    unsigned long page, per_page; /* 0: the server's default */
    char **args;                  /* the positional arguments */
    int n_args;
} remote_opts;

/* ---- configuration files (remote_config.c) ---- */

/* The configuration directory and the files in it (malloc'd paths). */
typedef struct {
    char *dir; /* $SHROUD_CONFIG_DIR, else $XDG_CONFIG_HOME/shroud, else ~/.config/shroud */
    char *known_servers;  /* DIR/known_servers: "ORIGIN PIN" lines */
    char *default_server; /* DIR/remote_default: the origin last logged in to */
    char *sessions;       /* DIR/sessions/: one file per origin */
} remote_config;

/* Finds (and with create, makes, mode 0700) the directory. Returns 0, or
 * prints the problem and returns EXIT_FAILED. */
int remote_config_open(remote_config *c, int create);
void remote_config_close(remote_config *c);

/* Normalises a server URL to its origin "scheme://host:port" (lower case,
 * port explicit) in origin[REMOTE_ORIGIN_MAX]; *tls is 1 for https. Returns
 * 0, or prints the problem and returns EXIT_USAGE. */
int remote_origin_parse(const char *cmd, const char *url, char *origin, int *tls);

/* The server to talk to: --server, else $SHROUD_SERVER, else the last one
 * logged in to. Returns 0, or prints the problem and returns non-zero. */
int remote_pick_server(const remote_config *c, const remote_opts *o, char *origin, int *tls);

/* Looks origin up in known_servers: 1 with pin[REMOTE_PIN_MAX] and its line
 * number filled when found, 0 when not, -1 (printed) when unreadable. */
int known_servers_find(const remote_config *c, const char *origin, char *pin, int *line_no);
/* Appends "origin pin" to known_servers (atomically). 0 or EXIT_FAILED. */
int known_servers_add(const remote_config *c, const char *origin, const char *pin);

/* A login kept for one origin (DIR/sessions/..., mode 0600). */
typedef struct {
    char token[REMOTE_TOKEN_MAX];
    char user[REMOTE_USER_MAX];
    long long expires; /* Unix seconds */
} remote_session;

/* 1 with *s filled when a session file exists for origin, 0 when none,
 * -1 (printed) when it cannot be read. Wipe *s after use. */
int session_load(const remote_config *c, const char *origin, remote_session *s);
/* Writes the session file atomically (0600). 0 or EXIT_FAILED (printed). */
int session_save(const remote_config *c, const char *origin, const remote_session *s);
/* Removes the session file; 0 (also when there was none) or EXIT_FAILED. */
int session_delete(const remote_config *c, const char *origin);
/* Records origin as the default server. 0 or EXIT_FAILED (printed). */
int default_server_save(const remote_config *c, const char *origin);

/* ---- HTTP (remote_http.c) ---- */

/* The server a command talks to, with the pin every HTTPS request checks. */
typedef struct {
    char origin[REMOTE_ORIGIN_MAX];
    int tls;
    char pin[REMOTE_PIN_MAX];     /* "" until trusted; unused over http */
    char token[REMOTE_TOKEN_MAX]; /* "" for no Authorization header */
    const char *known_servers;    /* for the changed-key message */
} remote_server;

/* Receives the body of a 2xx answer; returns 0, or non-zero to stop. */
typedef int (*remote_sink)(void *ctx, const uint8_t *buf, size_t len);

typedef struct {
    const char *method; /* "GET", "POST", "DELETE" */
    const char *path;   /* "/api/images?page=2" */
    const char *content_type;
    const char *body; /* an in-memory body of body_len bytes, or NULL */
    size_t body_len;
    FILE *upload; /* or a file streamed as the body, upload_len bytes */
    long long upload_len;
    remote_sink sink; /* 2xx bodies go there instead of the response */
    void *sink_ctx;
} remote_request;

typedef struct {
    long status;
    char *body; /* NUL-terminated (not for a sink's 2xx answer); wiped by remote_response_free */
    size_t len;
    size_t cap; /* bytes allocated at body */
} remote_response;

/* Sends the request. Returns 0 when the server answered (any status), or
 * prints the problem (connection, TLS, a changed key...) and returns
 * EXIT_FAILED. Free the response with remote_response_free. */
int remote_perform(const remote_server *s, const remote_request *rq, remote_response *rs);
void remote_response_free(remote_response *rs);

/* Prints "shroud: ORIGIN: HTTP STATUS: <the server's error>" (for 401, how
 * to log in again) and returns EXIT_FAILED. */
int remote_status_fail(const remote_server *s, const remote_response *rs, const char *doing);

/* The pin (sha256//BASE64 of the SubjectPublicKeyInfo) of the certificate
 * the server presents, into pin[REMOTE_PIN_MAX], without checking it. Returns
 * 0, or prints the problem and returns EXIT_FAILED. */
int remote_fetch_pin(const remote_server *s, char *pin);

/* ---- trust on first use (remote_trust.c) ---- */

/* Fills s->pin: the pin stored for s->origin, else the server's after the
 * user accepts it (--pin, or a yes on the terminal), storing it. Over http,
 * warns and returns 0. Returns 0, or prints the problem and returns non-zero. */
int remote_trust(const remote_config *c, const remote_opts *o, remote_server *s);

/* ---- subcommands ---- */

int remote_register(const remote_config *c, const remote_opts *o, remote_server *s);
int remote_login(const remote_config *c, const remote_opts *o, remote_server *s);
int remote_logout(const remote_config *c, const remote_opts *o, remote_server *s);
int remote_upload(const remote_config *c, const remote_opts *o, remote_server *s);
int remote_list(const remote_config *c, const remote_opts *o, remote_server *s);
int remote_get(const remote_config *c, const remote_opts *o, remote_server *s);
int remote_delete(const remote_config *c, const remote_opts *o, remote_server *s);

/* Loads the session for s->origin into s->token, or prints that one must log
 * in first and returns EXIT_FAILED. */
int remote_need_session(const remote_config *c, const remote_opts *o, remote_server *s);

/* Formats Unix seconds as "YYYY-MM-DD HH:MM UTC" into out[32]. */
void remote_format_time(long long t, char out[32]);

#endif
