/* store_sqlite.c — the SQLite store: one connection, serialized, WAL,
 * synchronous=FULL, schema migrations numbered in user_version. */
#include "server/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    store base; /* first: a store * points at the sqlite_store */
    sqlite3 *db;
} sqlite_store;

static sqlite3 *db_of(store *s)
{
    return ((sqlite_store *)s)->db;
}

static const store_ops sqlite_ops;

/* Schema steps; step i brings user_version from i to i + 1. */
static const char *const migrations[] = {
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " password_hash TEXT NOT NULL, public_key TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE sessions (token_hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL"
    " REFERENCES users(id) ON DELETE CASCADE, expires INTEGER NOT NULL);"
    "CREATE TABLE login_failures (key TEXT PRIMARY KEY, count INTEGER NOT NULL,"
    " window_start INTEGER NOT NULL);",
    "CREATE TABLE images (id TEXT PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES users(id),"
    " size INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,"
    " format TEXT NOT NULL, groups INTEGER NOT NULL, created INTEGER NOT NULL);"
    "CREATE INDEX images_by_age ON images (created DESC, id);",
};

#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

static int db_fail(store *s, const char *what)
{
    fprintf(stderr, "shroud serve: database: %s: %s\n", what, sqlite3_errmsg(db_of(s)));
    return STORE_ERROR;
}

static int migrate(sqlite3 *db, char *err, size_t err_len)
{
    sqlite3_stmt *st = NULL;
    int version = -1;
    /* BEGIN IMMEDIATE: two servers starting together migrate one at a time. */
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        goto fail;
    version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (version > (int)N_MIGRATIONS) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        snprintf(err, err_len,
                 "the database is from a newer shroud (schema %d, this one knows %zu)", version,
                 N_MIGRATIONS);
        return STORE_ERROR;
    }
    for (size_t i = (size_t)version; i < N_MIGRATIONS; i++) {
        char set[64];
        snprintf(set, sizeof set, "PRAGMA user_version = %zu", i + 1);
        if (sqlite3_exec(db, migrations[i], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(db, set, NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    return STORE_OK;
fail:
    snprintf(err, err_len, "cannot prepare the database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return STORE_ERROR;
}

int store_open_sqlite(const char *path, store **out, char *err, size_t err_len)
{
    sqlite_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return STORE_ERROR;
    }
    s->base.ops = &sqlite_ops;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, err_len, "cannot open %s: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        store_close(&s->base);
        return STORE_ERROR;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if (sqlite3_exec(s->db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     " PRAGMA foreign_keys = ON;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, err_len, "cannot set up %s: %s", path, sqlite3_errmsg(s->db));
        store_close(&s->base);
        return STORE_ERROR;
    }
    if (migrate(s->db, err, err_len) != STORE_OK) {
        store_close(&s->base);
        return STORE_ERROR;
    }
    *out = &s->base;
    return STORE_OK;
}

static void sqlite_close(store *s)
{
    sqlite3_close(db_of(s));
    free(s);
}

/* Prepares sql; STORE_ERROR (logged) on failure. */
static int prepare(store *s, const char *sql, sqlite3_stmt **st)
{
    return sqlite3_prepare_v2(db_of(s), sql, -1, st, NULL) == SQLITE_OK ? STORE_OK
                                                                        : db_fail(s, "prepare");
}

/* Steps a statement that returns no row. */
static int exec_done(store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return STORE_OK;
    if (rc == SQLITE_CONSTRAINT)
        return STORE_EXISTS;
    return db_fail(s, what);
}

/* Steps a DELETE ... RETURNING: STORE_OK if it deleted a row (told by the
 * row it returns, not by sqlite3_changes, which other threads may move). */
static int delete_returning(store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW;
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(s, what);
    return found ? STORE_OK : STORE_NOT_FOUND;
}

static int sqlite_user_create(store *s, const char *name, const char *password_hash,
                              const char *public_key, int64_t now)
{
    sqlite3_stmt *st;
    if (prepare(s,
                "INSERT INTO users (name, password_hash, public_key, created)"
                " VALUES (?, ?, ?, ?)",
                &st))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, public_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    return exec_done(s, st, "create user");
}

static char *column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

static int read_user(store *s, sqlite3_stmt *st, store_user *out)
{
    memset(out, 0, sizeof *out);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(st, 1));
        out->password_hash = column_text(st, 2);
        out->public_key = column_text(st, 3);
        rc = out->password_hash && out->public_key ? STORE_OK : STORE_ERROR;
    } else {
        rc = rc == SQLITE_DONE ? STORE_NOT_FOUND : db_fail(s, "read user");
    }
    sqlite3_finalize(st);
    if (rc != STORE_OK)
        store_user_clear(out);
    return rc;
}

static int sqlite_user_by_name(store *s, const char *name, store_user *out)
{
    sqlite3_stmt *st;
    if (prepare(s, "SELECT id, name, password_hash, public_key FROM users WHERE name = ?", &st))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    return read_user(s, st, out);
}

static int sqlite_user_by_id(store *s, int64_t id, store_user *out)
{
    sqlite3_stmt *st;
    if (prepare(s, "SELECT id, name, password_hash, public_key FROM users WHERE id = ?", &st))
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    return read_user(s, st, out);
}

static int sqlite_session_create(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES],
                                 int64_t user_id, int64_t expires)
{
    sqlite3_stmt *st;
    if (prepare(s, "INSERT INTO sessions (token_hash, user_id, expires) VALUES (?, ?, ?)", &st))
        return STORE_ERROR;
    sqlite3_bind_blob(st, 1, hash, STORE_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, expires);
    return exec_done(s, st, "create session");
}

static int sqlite_session_user(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES], int64_t now,
                               int64_t *user_id)
{
    sqlite3_stmt *st;
    if (prepare(s, "SELECT user_id FROM sessions WHERE token_hash = ? AND expires > ?", &st))
        return STORE_ERROR;
    sqlite3_bind_blob(st, 1, hash, STORE_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *user_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW    ? STORE_OK
           : rc == SQLITE_DONE ? STORE_NOT_FOUND
                               : db_fail(s, "session");
}

static int sqlite_session_delete(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES])
{
    sqlite3_stmt *st;
    if (prepare(s, "DELETE FROM sessions WHERE token_hash = ? RETURNING user_id", &st))
        return STORE_ERROR;
    sqlite3_bind_blob(st, 1, hash, STORE_TOKEN_HASH_BYTES, SQLITE_STATIC);
    return delete_returning(s, st, "delete session");
}

static int sqlite_failure_get(store *s, const char *key, int64_t *count, int64_t *window_start)
{
    sqlite3_stmt *st;
    if (prepare(s, "SELECT count, window_start FROM login_failures WHERE key = ?", &st))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    *window_start = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : db_fail(s, "read failures");
}

static int sqlite_failure_add(store *s, const char *key, int64_t now, int64_t window,
                              int64_t *count, int64_t *window_start)
{
    sqlite3_stmt *st;
    /* One statement, counting and reading back together: with several
     * threads, a separate read could see a later attempt's count. A new
     * window starts when the old one is over. */
    if (prepare(s,
                "INSERT INTO login_failures (key, count, window_start) VALUES (?1, 1, ?2)"
                " ON CONFLICT(key) DO UPDATE SET"
                " count = CASE WHEN window_start + ?3 <= ?2 THEN 1 ELSE count + 1 END,"
                " window_start = CASE WHEN window_start + ?3 <= ?2 THEN ?2 ELSE window_start END"
                " RETURNING count, window_start",
                &st))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, window);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int64(st, 0);
        *window_start = sqlite3_column_int64(st, 1);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : db_fail(s, "count a failure");
}

static int sqlite_failure_clear(store *s, const char *key)
{
    sqlite3_stmt *st;
    if (prepare(s, "DELETE FROM login_failures WHERE key = ?", &st))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    return exec_done(s, st, "clear failures");
}

static int sqlite_failure_undo(store *s, const char *key)
{
    sqlite3_stmt *st;
    if (prepare(s, "UPDATE login_failures SET count = max(count - 1, 0) WHERE key = ?", &st))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    return exec_done(s, st, "undo a failure");
}

static int sqlite_image_add(store *s, const store_image *img)
{
    sqlite3_stmt *st;
    if (prepare(s,
                "INSERT INTO images (id, owner_id, size, width, height, format, groups, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                &st))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, img->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, img->owner_id);
    sqlite3_bind_int64(st, 3, img->size);
    sqlite3_bind_int64(st, 4, img->width);
    sqlite3_bind_int64(st, 5, img->height);
    sqlite3_bind_text(st, 6, img->format, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, img->groups);
    sqlite3_bind_int64(st, 8, img->created);
    return exec_done(s, st, "add image");
}

#define IMAGE_COLUMNS                                                                              \
    "i.id, i.owner_id, u.name, i.size, i.width, i.height, i.format, i.groups, i.created"

static void read_image_row(sqlite3_stmt *st, store_image *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", (const char *)sqlite3_column_text(st, 0));
    out->owner_id = sqlite3_column_int64(st, 1);
    snprintf(out->owner, sizeof out->owner, "%s", (const char *)sqlite3_column_text(st, 2));
    out->size = sqlite3_column_int64(st, 3);
    out->width = sqlite3_column_int64(st, 4);
    out->height = sqlite3_column_int64(st, 5);
    snprintf(out->format, sizeof out->format, "%s", (const char *)sqlite3_column_text(st, 6));
    out->groups = sqlite3_column_int64(st, 7);
    out->created = sqlite3_column_int64(st, 8);
}

static int sqlite_image_get(store *s, const char *id, store_image *out)
{
    sqlite3_stmt *st;
    if (prepare(s,
                "SELECT " IMAGE_COLUMNS " FROM images i JOIN users u ON u.id = i.owner_id"
                " WHERE i.id = ?",
                &st))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_image_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : db_fail(s, "image");
}

static int sqlite_image_list(store *s, int64_t offset, int64_t limit, store_image **out, size_t *n,
                             int64_t *total)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (prepare(s, "SELECT count(*) FROM images", &st))
        return STORE_ERROR;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_fail(s, "count images");
    }
    *total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (prepare(s,
                "SELECT " IMAGE_COLUMNS " FROM images i JOIN users u ON u.id = i.owner_id"
                " ORDER BY i.created DESC, i.rowid DESC LIMIT ? OFFSET ?",
                &st))
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset);
    store_image *list = calloc((size_t)(limit > 0 ? limit : 1), sizeof *list);
    int rc = list ? SQLITE_ROW : SQLITE_NOMEM;
    while (list && *n < (size_t)limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
        read_image_row(st, &list[(*n)++]);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        free(list);
        *n = 0;
        return db_fail(s, "list images");
    }
    *out = list;
    return STORE_OK;
}

static int sqlite_image_delete(store *s, const char *id)
{
    sqlite3_stmt *st;
    if (prepare(s, "DELETE FROM images WHERE id = ? RETURNING id", &st))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    return delete_returning(s, st, "delete image");
}

static const store_ops sqlite_ops = {
    .close = sqlite_close,
    .user_create = sqlite_user_create,
    .user_by_name = sqlite_user_by_name,
    .user_by_id = sqlite_user_by_id,
    .session_create = sqlite_session_create,
    .session_user = sqlite_session_user,
    .session_delete = sqlite_session_delete,
    .failure_add = sqlite_failure_add,
    .failure_get = sqlite_failure_get,
    .failure_clear = sqlite_failure_clear,
    .failure_undo = sqlite_failure_undo,
    .image_add = sqlite_image_add,
    .image_get = sqlite_image_get,
    .image_list = sqlite_image_list,
    .image_delete = sqlite_image_delete,
};
