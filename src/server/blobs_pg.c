/* blobs_pg.c — image bytes in PostgreSQL (libpq): one row per id in the
 * table blobs (bytea, stored uncompressed: PNG and JPEG already are). A row
 * is written by one INSERT, so it is either absent or complete. One
 * connection, used by one thread at a time under a mutex, reconnected when
 * it breaks (as store_pg.c). Errors are logged with their primary message
 * and SQLSTATE only, never a value. */
#include "server/blobs.h"
#include "server/pg_common.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    blobs base; /* first: a blobs * points at the pg_blobs */
    PGconn *conn;
    pthread_mutex_t lock;
} pg_blobs;

static const blobs_ops pg_blob_ops;

/* Any 64-bit number (not the store's): serializes creating the table. */
#define BLOBS_SCHEMA_LOCK_KEY "7308238123660375902"

static pg_blobs *pg_of(blobs *b)
{
    return (pg_blobs *)b;
}

static int db_fail(pg_blobs *p, const char *what, const PGresult *res)
{
    pg_log_failure(what, res, p->conn);
    return EIO;
}

/* Runs sql with params (text, except a binary one given a length > 0) on
 * the locked connection, reconnecting first if it broke; the result in
 * binary when binary_result. PQclear the result (NULL: out of memory). */
static PGresult *run(pg_blobs *p, const char *sql, int n, const char *const *values,
                     const int *lengths, int binary_result)
{
    if (PQstatus(p->conn) != CONNECTION_OK)
        PQreset(p->conn);
    int formats[2] = {lengths && lengths[0] > 0, lengths && n > 1 && lengths[1] > 0};
    return PQexecParams(p->conn, sql, n, NULL, values, lengths, formats, binary_result);
}

/* Creates the table in a transaction holding an advisory lock, so servers
 * starting together do not race on CREATE TABLE IF NOT EXISTS. */
static int create_schema(PGconn *conn, char *err, size_t err_len)
{
    static const char *const steps[] = {
        "BEGIN",
        "SELECT pg_advisory_xact_lock(" BLOBS_SCHEMA_LOCK_KEY ")",
        "CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, bytes BYTEA NOT NULL)",
        "ALTER TABLE blobs ALTER COLUMN bytes SET STORAGE EXTERNAL",
        "COMMIT",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        PGresult *res = PQexec(conn, steps[i]);
        if (!pg_result_ok(res)) {
            char msg[512];
            pg_primary_message(res, conn, msg, sizeof msg);
            snprintf(err, err_len, "cannot create the table of images in PostgreSQL: %s", msg);
            PQclear(res);
            PQclear(PQexec(conn, "ROLLBACK"));
            return -1;
        }
        PQclear(res);
    }
    return 0;
}

int blobs_open_postgres(const char *url, blobs **out, char *err, size_t err_len)
{
    *out = NULL;
    pg_blobs *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    p->base.ops = &pg_blob_ops;
    pthread_mutex_init(&p->lock, NULL);
    p->conn = PQconnectdb(url);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        char msg[512];
        pg_primary_message(NULL, p->conn, msg, sizeof msg);
        snprintf(err, err_len,
                 "cannot connect to PostgreSQL for images: %s (check the URL "
                 "postgres://USER@HOST:PORT/DB and that the server runs)",
                 msg);
        blobs_close(&p->base);
        return -1;
    }
    pg_quiet(p->conn);
    if (create_schema(p->conn, err, err_len) != 0) {
        blobs_close(&p->base);
        return -1;
    }
    *out = &p->base;
    return 0;
}

static void pg_close(blobs *b)
{
    pg_blobs *p = pg_of(b);
    PQfinish(p->conn);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static int pg_put(blobs *b, const char *id, const uint8_t *data, size_t len)
{
    pg_blobs *p = pg_of(b);
    if (len > 0x7fffffff)
        return EFBIG; /* libpq's parameter lengths are ints */
    /* A zero-length binary parameter would go as text: "" is still no bytes. */
    const char *values[2] = {id, len ? (const char *)data : ""};
    int lengths[2] = {0, (int)len};
    pthread_mutex_lock(&p->lock);
    PGresult *res = run(p,
                        "INSERT INTO blobs (id, bytes) VALUES ($1, $2::bytea)"
                        " ON CONFLICT (id) DO NOTHING",
                        2, values, lengths, 0);
    int e = pg_result_ok(res) ? 0 : db_fail(p, "store an image", res);
    PQclear(res);
    pthread_mutex_unlock(&p->lock);
    return e;
}

static int pg_get(blobs *b, const char *id, blob_content *out)
{
    pg_blobs *p = pg_of(b);
    const char *values[1] = {id};
    pthread_mutex_lock(&p->lock);
    PGresult *res = run(p, "SELECT bytes FROM blobs WHERE id = $1", 1, values, NULL, 1);
    int e = 0;
    if (!pg_result_ok(res))
        e = db_fail(p, "read an image", res);
    else if (PQntuples(res) != 1)
        e = ENOENT;
    else {
        size_t len = (size_t)PQgetlength(res, 0, 0);
        out->data = malloc(len ? len : 1);
        if (!out->data)
            e = ENOMEM;
        else {
            memcpy(out->data, PQgetvalue(res, 0, 0), len);
            out->size = len;
        }
    }
    PQclear(res);
    pthread_mutex_unlock(&p->lock);
    return e;
}

static int pg_remove(blobs *b, const char *id)
{
    pg_blobs *p = pg_of(b);
    const char *values[1] = {id};
    pthread_mutex_lock(&p->lock);
    PGresult *res = run(p, "DELETE FROM blobs WHERE id = $1", 1, values, NULL, 0);
    int e = 0;
    if (!pg_result_ok(res))
        e = db_fail(p, "remove an image", res);
    else if (strcmp(PQcmdTuples(res), "0") == 0)
        e = ENOENT;
    PQclear(res);
    pthread_mutex_unlock(&p->lock);
    return e;
}

static const blobs_ops pg_blob_ops = {pg_close, pg_put, pg_get, pg_remove};
