/*
 * pg_pool.h — a few libpq connections shared by threads (server layer).
 *
 * Up to PG_POOL_CONNECTIONS connections to one URL, opened as needed; each
 * is used by one thread at a time for one statement (pg_pool_query), so
 * one long statement (a large image) does not hold up the others. A
 * connection found broken, or closed by the server while it sat idle (a
 * restart: the FATAL message and end-of-file wait on its socket), is reset
 * by its next user before the statement (PQreset), so the statement does
 * not fail; one that breaks during a statement fails that statement (it is
 * not repeated: it may have run). Used by the PostgreSQL
 * store (store_pg.c) and blob store (blobs_pg.c), each with its own pool.
 */
#ifndef SHROUD_SERVER_PG_POOL_H
#define SHROUD_SERVER_PG_POOL_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stddef.h>

#define PG_POOL_CONNECTIONS 4

typedef struct {
    char *url;
    pthread_mutex_t lock;               /* guards the slots below */
    pthread_cond_t freed;               /* a connection went back to the pool */
    PGconn *conns[PG_POOL_CONNECTIONS]; /* NULL: not opened yet */
    int busy[PG_POOL_CONNECTIONS];
} pg_pool;

/* Opens the pool's first connection (quiet, as pg_quiet) and returns it in
 * *first, taken: the caller sets the schema up on it, then gives slot 0
 * back. 0, or -1 with "cannot connect to PostgreSQL<purpose>: <libpq's
 * reason> (check the URL ...)" in err (never the password); the pool is
 * then closed. */
int pg_pool_open(pg_pool *pool, const char *url, const char *purpose, PGconn **first, char *err,
                 size_t err_len);
/* Gives the connection of slot back (slot 0 after pg_pool_open). */
void pg_pool_give(pg_pool *pool, int slot);
/* Closes every connection. */
void pg_pool_close(pg_pool *pool);
/* Runs one statement (PQexecParams) on a connection taken for it, reset
 * first if it broke, and gives the connection back. Returns the result
 * (PQclear it), or NULL when no connection could be had or sending failed.
 * A failure is logged as `what`, except a constraint violation
 * (pg_constraint_violation), which callers may expect. */
PGresult *pg_pool_query(pg_pool *pool, const char *what, const char *sql, int n,
                        const char *const *values, const int *lengths, const int *formats,
                        int binary_result);

#endif
