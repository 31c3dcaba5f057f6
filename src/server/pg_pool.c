/* pg_pool.c — the connections of pg_pool.h. */
#include "server/pg_pool.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/pg_common.h"

int pg_pool_open(pg_pool *pool, const char *url, const char *purpose, PGconn **first, char *err,
                 size_t err_len)
{
    memset(pool, 0, sizeof *pool);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->freed, NULL);
    pool->url = strdup(url);
    PGconn *conn = pool->url ? PQconnectdb(url) : NULL;
    pool->conns[0] = conn;
    pool->busy[0] = 1;
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        char msg[512];
        pg_primary_message(NULL, conn, msg, sizeof msg);
        snprintf(err, err_len,
                 "cannot connect to PostgreSQL%s: %s (check the URL postgres://USER@HOST:PORT/DB "
                 "and that the server runs)",
                 purpose, msg);
        pg_pool_close(pool);
        return -1;
    }
    pg_quiet(conn);
    *first = conn;
    return 0;
}

/* Takes a connection for this thread alone: an idle one, else a new one
 * while there are fewer than PG_POOL_CONNECTIONS, else waits for one. Its
 * slot in *slot; NULL (logged as WHAT) when a new connection failed. */
static PGconn *pg_pool_take(pg_pool *pool, const char *what, int *slot)
{
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        int unopened = -1;
        for (int i = 0; i < PG_POOL_CONNECTIONS; i++) {
            if (pool->conns[i] && !pool->busy[i]) {
                pool->busy[i] = 1;
                pthread_mutex_unlock(&pool->lock);
                *slot = i;
                return pool->conns[i];
            }
            if (!pool->conns[i] && !pool->busy[i] && unopened < 0)
                unopened = i;
        }
        if (unopened >= 0) {
            pool->busy[unopened] = 1; /* reserved while connecting, unlocked */
            pthread_mutex_unlock(&pool->lock);
            PGconn *conn = PQconnectdb(pool->url);
            if (conn && PQstatus(conn) == CONNECTION_OK) {
                pg_quiet(conn);
                pool->conns[unopened] = conn; /* its slot is ours: busy */
                *slot = unopened;
                return conn;
            }
            pg_log_failure(what, NULL, conn);
            PQfinish(conn);
            pg_pool_give(pool, unopened);
            return NULL;
        }
        pthread_cond_wait(&pool->freed, &pool->lock);
    }
}

void pg_pool_give(pg_pool *pool, int slot)
{
    pthread_mutex_lock(&pool->lock);
    pool->busy[slot] = 0;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}

void pg_pool_close(pg_pool *pool)
{
    for (int i = 0; i < PG_POOL_CONNECTIONS; i++)
        PQfinish(pool->conns[i]);
    pthread_cond_destroy(&pool->freed);
    pthread_mutex_destroy(&pool->lock);
    free(pool->url);
    memset(pool, 0, sizeof *pool);
}

/* 1 when an idle connection is known broken or has been closed by the
 * server: a server that ends a connection (a restart, pg_terminate_backend)
 * sends a FATAL error and closes it, so its end-of-file waits on the socket.
 * Checked without blocking before each statement, so that the statement
 * goes to a live connection instead of failing. Anything else waiting (a
 * notice, a TLS record with no data) is read and the connection kept. */
static int connection_closed(PGconn *conn)
{
    if (PQstatus(conn) != CONNECTION_OK)
        return 1;
    struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
    if (poll(&p, 1, 0) == 0)
        return 0;
    if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK)
        return 1; /* end-of-file or an error reading */
    return poll(&p, 1, 0) != 0 && (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK);
}

PGresult *pg_pool_query(pg_pool *pool, const char *what, const char *sql, int n,
                        const char *const *values, const int *lengths, const int *formats,
                        int binary_result)
{
    int slot;
    PGconn *conn = pg_pool_take(pool, what, &slot);
    if (!conn)
        return NULL;
    if (connection_closed(conn))
        PQreset(conn);
    PGresult *res = PQexecParams(conn, sql, n, NULL, values, lengths, formats, binary_result);
    if (!pg_result_ok(res) && !pg_constraint_violation(res))
        pg_log_failure(what, res, conn);
    pg_pool_give(pool, slot);
    return res;
}
