/*
 * store.h — where the server keeps its state (server layer).
 *
 * One interface, two implementations: SQLite (store_sqlite.c, embedded,
 * the default) and PostgreSQL (store_pg.c, libpq, for several server
 * processes over one database). Both pass one test suite
 * (tests/server/store_suite.c). Every function returns STORE_OK or a
 * STORE_* code; the store is safe to use from several threads. Timestamps
 * are Unix seconds.
 */
#ifndef SHROUD_SERVER_STORE_H
#define SHROUD_SERVER_STORE_H

#include <stddef.h>
#include <stdint.h>

enum store_result {
    STORE_OK = 0,
    STORE_NOT_FOUND = 1,
    STORE_EXISTS = 2,
    STORE_ERROR = -1, /* the database failed (logged on stderr) */
};

#define STORE_NAME_MAX 32
#define STORE_TOKEN_HASH_BYTES 32

typedef struct store store;

typedef struct {
    int64_t id;
    char name[STORE_NAME_MAX + 1];
    char *password_hash; /* free with free() */
    char *public_key;    /* free with free() */
} store_user;

/* Opens (creating) the SQLite database at path and brings its schema to the
 * current version. On failure returns STORE_ERROR with a reason in err. */
int store_open_sqlite(const char *path, store **out, char *err, size_t err_len);
/* Connects to PostgreSQL at url (a libpq URL or conninfo string:
 * postgres://user@host/db) and brings its schema to the current version;
 * several processes may do so at once. On failure returns STORE_ERROR with
 * a reason in err (never the password). */
int store_open_postgres(const char *url, store **out, char *err, size_t err_len);
void store_close(store *s);

int store_user_create(store *s, const char *name, const char *password_hash, const char *public_key,
                      int64_t now);
int store_user_by_name(store *s, const char *name, store_user *out);
int store_user_by_id(store *s, int64_t id, store_user *out);
void store_user_clear(store_user *u);

int store_session_create(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES], int64_t user_id,
                         int64_t expires);
/* The user of a session that has not expired at `now`. */
int store_session_user(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES], int64_t now,
                       int64_t *user_id);
int store_session_delete(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES]);

/* Failed-login counters: `key` names what is throttled ("user:NAME",
 * "addr:IP"). A failure inside the window adds one; outside it starts a new
 * window. *count and *window_start describe the counter afterwards (0 and
 * 0 when there is none). */
int store_failure_add(store *s, const char *key, int64_t now, int64_t window, int64_t *count,
                      int64_t *window_start);
int store_failure_get(store *s, const char *key, int64_t *count, int64_t *window_start);
int store_failure_clear(store *s, const char *key);
/* Takes back one failure counted for key (never below zero). */
int store_failure_undo(store *s, const char *key);

/* ---- images ---- */

#define STORE_IMAGE_ID_CHARS 64 /* SHA-256, lowercase hex */

typedef struct {
    char id[STORE_IMAGE_ID_CHARS + 1];
    int64_t owner_id;
    char owner[STORE_NAME_MAX + 1]; /* filled by get and list */
    int64_t size, width, height, groups, created;
    char format[8]; /* "png" or "jpeg" */
} store_image;

/* STORE_EXISTS when the id is already stored. */
int store_image_add(store *s, const store_image *img);
int store_image_get(store *s, const char *id, store_image *out);
/* Newest first: up to limit images from offset; *total counts them all.
 * Free *out with free(). */
int store_image_list(store *s, int64_t offset, int64_t limit, store_image **out, size_t *n,
                     int64_t *total);
int store_image_delete(store *s, const char *id);

/* ---- for implementations ----
 * An implementation embeds `store` as the first member of its own struct,
 * points ops at its table and returns &its->base from its opener. The
 * store_* functions above dispatch through ops (store_dispatch.c), which
 * every implementation fills completely. */

typedef struct {
    void (*close)(store *s);
    int (*user_create)(store *s, const char *name, const char *password_hash,
                       const char *public_key, int64_t now);
    int (*user_by_name)(store *s, const char *name, store_user *out);
    int (*user_by_id)(store *s, int64_t id, store_user *out);
    int (*session_create)(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES], int64_t user_id,
                          int64_t expires);
    int (*session_user)(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES], int64_t now,
                        int64_t *user_id);
    int (*session_delete)(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES]);
    int (*failure_add)(store *s, const char *key, int64_t now, int64_t window, int64_t *count,
                       int64_t *window_start);
    int (*failure_get)(store *s, const char *key, int64_t *count, int64_t *window_start);
    int (*failure_clear)(store *s, const char *key);
    int (*failure_undo)(store *s, const char *key);
    int (*image_add)(store *s, const store_image *img);
    int (*image_get)(store *s, const char *id, store_image *out);
    /* Called with offset >= 0 and limit >= 0 only. */
    int (*image_list)(store *s, int64_t offset, int64_t limit, store_image **out, size_t *n,
                      int64_t *total);
    int (*image_delete)(store *s, const char *id);
} store_ops;

struct store {
    const store_ops *ops;
};

#endif
