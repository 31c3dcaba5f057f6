/* blobs_pg.c — image bytes in PostgreSQL (libpq): one row per id in the
 * table blobs (bytea, stored uncompressed: PNG and JPEG already are). A row
 * is written by one INSERT, so it is either absent or complete. A pool of
 * connections (pg_pool.h), so one large download does not hold up the
 * others. A read lands
 * in an anonymous in-memory file (memfd), which the caller serves like a
 * file. Errors are logged with their primary message and SQLSTATE only,
 * never a value. */
#define _GNU_SOURCE /* memfd_create */
#include "server/blobs.h"
#include "server/pg_common.h"
#include "server/pg_pool.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
    blobs base; /* first: a blobs * points at the pg_blobs */
    pg_pool pool;
} pg_blobs;

static const blobs_ops pg_blob_ops;

/* Any 64-bit number (not the store's): serializes creating the table. */
#define BLOBS_SCHEMA_LOCK_KEY "7308238123660375902"

static pg_blobs *pg_of(blobs *b)
{
    return (pg_blobs *)b;
}

/* Runs sql with params (text, except a binary one given a length > 0) on a
 * connection of the pool, failures logged as `what`; the result in binary
 * when binary_result. PQclear the result (NULL: no connection, out of
 * memory). */
static PGresult *query(pg_blobs *p, const char *what, const char *sql, int n,
                       const char *const *values, const int *lengths, int binary_result)
{
    int formats[2] = {lengths && lengths[0] > 0, lengths && n > 1 && lengths[1] > 0};
    return pg_pool_query(&p->pool, what, sql, n, values, lengths, formats, binary_result);
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
        /* when the blob was last stored, for blobs_sweep (added in 0.x: may be missing) */
        "ALTER TABLE blobs ADD COLUMN IF NOT EXISTS stored_at TIMESTAMPTZ NOT NULL DEFAULT now()",
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
    PGconn *first = NULL;
    if (pg_pool_open(&p->pool, url, " for images", &first, err, err_len) != 0) {
        free(p);
        return -1;
    }
    int schema = create_schema(first, err, err_len);
    pg_pool_give(&p->pool, 0);
    if (schema != 0) {
        blobs_close(&p->base);
        return -1;
    }
    *out = &p->base;
    return 0;
}

static void pg_close(blobs *b)
{
    pg_blobs *p = pg_of(b);
    pg_pool_close(&p->pool);
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
    PGresult *res = query(p, "store an image",
                          "INSERT INTO blobs (id, bytes) VALUES ($1, $2::bytea)"
                          " ON CONFLICT (id) DO UPDATE SET stored_at = now()",
                          2, values, lengths, 0);
    int e = pg_result_ok(res) ? 0 : EIO;
    PQclear(res);
    return e;
}

/* An anonymous in-memory file holding data[0..len): its descriptor, or -1
 * with errno set. */
static int memory_file(const char *data, size_t len)
{
    int fd = memfd_create("shroud-image", MFD_CLOEXEC);
    for (size_t done = 0; fd >= 0 && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n > 0)
            done += (size_t)n;
        else if (n < 0 && errno != EINTR) {
            int e = errno;
            close(fd);
            errno = e;
            fd = -1;
        }
    }
    return fd;
}

static int pg_get(blobs *b, const char *id, blob_content *out)
{
    pg_blobs *p = pg_of(b);
    const char *values[1] = {id};
    PGresult *res =
        query(p, "read an image", "SELECT bytes FROM blobs WHERE id = $1", 1, values, NULL, 1);
    int e = pg_result_ok(res) ? 0 : EIO;
    if (!e && PQntuples(res) != 1)
        e = ENOENT;
    if (!e) {
        size_t len = (size_t)PQgetlength(res, 0, 0);
        out->fd = memory_file(PQgetvalue(res, 0, 0), len);
        if (out->fd < 0)
            e = errno ? errno : EIO;
        else
            out->size = len;
    }
    PQclear(res);
    return e;
}

static int pg_remove(blobs *b, const char *id)
{
    pg_blobs *p = pg_of(b);
    const char *values[1] = {id};
    PGresult *res =
        query(p, "remove an image", "DELETE FROM blobs WHERE id = $1", 1, values, NULL, 0);
    int e = !pg_result_ok(res) ? EIO : strcmp(PQcmdTuples(res), "0") == 0 ? ENOENT : 0;
    PQclear(res);
    return e;
}

/* The candidates (stored before the cutoff) are read first; each one that
 * listed() says is unreferenced is deleted only if it is still that old,
 * so a put that refreshed it meanwhile (ON CONFLICT ... stored_at) keeps
 * it: PostgreSQL rechecks the condition on the row a concurrent put
 * updated. */
static int pg_sweep(blobs *b, int64_t grace_seconds, blobs_listed_fn listed, void *arg,
                    size_t *removed)
{
    pg_blobs *p = pg_of(b);
    char grace[24];
    snprintf(grace, sizeof grace, "%lld", (long long)grace_seconds);
    const char *values[2] = {grace, NULL};
    PGresult *old = query(p, "list old images",
                          "SELECT id FROM blobs WHERE stored_at < now() - make_interval(secs => $1)"
                          " ORDER BY id",
                          1, values, NULL, 0);
    int e = pg_result_ok(old) ? 0 : EIO;
    for (int i = 0; !e && i < PQntuples(old); i++) {
        const char *id = PQgetvalue(old, i, 0);
        int r = listed(id, arg);
        if (r != 0) {
            e = r < 0 ? EIO : 0;
            continue;
        }
        values[1] = id;
        PGresult *res = query(p, "remove an unlisted image",
                              "DELETE FROM blobs WHERE id = $2"
                              " AND stored_at < now() - make_interval(secs => $1)",
                              2, values, NULL, 0);
        if (!pg_result_ok(res))
            e = EIO;
        else if (strcmp(PQcmdTuples(res), "1") == 0)
            (*removed)++;
        PQclear(res);
    }
    PQclear(old);
    return e;
}

static const blobs_ops pg_blob_ops = {pg_close, pg_put, pg_get, pg_remove, pg_sweep};
