/*
 * test_blobs_pg.c — image bytes in PostgreSQL against a real server: the
 * shared blobs suite (blobs_suite.c), then what is PostgreSQL's own: one
 * row per blob holding exactly its bytes, an INSERT that fails leaves no
 * row, an unreachable server refused with a reason that does not repeat
 * the password, and the table living beside the store's without touching it.
 *
 * Needs SHROUD_PG_URL: a database it may empty (it drops the table blobs).
 * CTest runs it inside a throwaway cluster: scripts/pg-cluster run.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blobs_suite.h"
#include "server/pg_pool.h"

static const char *pg_url;

static int open_pg(blobs **out, char *err, size_t err_len)
{
    return blobs_open_postgres(pg_url, out, err, err_len);
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs sql on a connection of the test's own; fails the test on error.
 * Returns the result (PQclear it). */
static PGresult *sql(const char *query)
{
    PGconn *c = PQconnectdb(pg_url);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", pg_url, PQerrorMessage(c));
    PQsetNoticeProcessor(c, quiet, NULL);
    PGresult *res = PQexec(c, query);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", query, PQerrorMessage(c));
    PQfinish(c);
    return res;
}

static void wipe_pg(void)
{
    PQclear(sql("DROP TABLE IF EXISTS blobs"));
}

static void age_row(const char *id, int64_t seconds)
{
    char query[256];
    snprintf(query, sizeof query,
             "UPDATE blobs SET stored_at = now() - make_interval(secs => %lld) WHERE id = '%s'",
             (long long)seconds, id);
    PQclear(sql(query));
}

static int nothing_listed(const char *id, void *arg)
{
    (void)id;
    (void)arg;
    return 0; /* only its age protects a blob */
}

static const blobs_backend pg_backend = {open_pg, wipe_pg, age_row};

static void test_one_row_per_blob(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    char id[BLOB_ID_CHARS + 1];
    static const uint8_t data[] = {0, 1, 2, 0xff, 0};
    assert_int_equal(blobs_id(data, sizeof data, id), 0);
    assert_int_equal(blobs_put(b, id, data, sizeof data), 0);
    assert_int_equal(blobs_put(b, id, data, sizeof data), 0);
    PGresult *res = sql("SELECT id, encode(bytes, 'hex') FROM blobs");
    assert_int_equal(PQntuples(res), 1);
    assert_string_equal(PQgetvalue(res, 0, 0), id);
    assert_string_equal(PQgetvalue(res, 0, 1), "000102ff00");
    PQclear(res);
    size_t len = 0;
    uint8_t *back = blobs_suite_read(b, id, &len); /* from an in-memory file */
    assert_int_equal(len, sizeof data);
    assert_memory_equal(back, data, sizeof data);
    free(back);
    blobs_close(b);
}

/* A put the database refuses (here: the table became read-only for the
 * moment, as a full disk or a lost connection would refuse it) reports an
 * error and leaves no row: no half image is ever visible. */
static void test_failed_put_leaves_nothing(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    PQclear(sql("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
                " $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$"));
    PQclear(sql("CREATE TRIGGER refuse AFTER INSERT ON blobs FOR EACH ROW EXECUTE FUNCTION "
                "refuse()"));
    char id[BLOB_ID_CHARS + 1];
    assert_int_equal(blobs_id((const uint8_t *)"refused", 7, id), 0);
    assert_int_equal(blobs_put(b, id, (const uint8_t *)"refused", 7), EIO);
    blob_content c;
    assert_int_equal(blobs_get(b, id, &c), ENOENT);
    PGresult *res = sql("SELECT count(*) FROM blobs");
    assert_string_equal(PQgetvalue(res, 0, 0), "0");
    PQclear(res);
    PQclear(sql("DROP TRIGGER refuse ON blobs"));
    PQclear(sql("DROP FUNCTION refuse()"));
    /* and the connection still works */
    assert_int_equal(blobs_put(b, id, (const uint8_t *)"refused", 7), 0);
    blobs_close(b);
}

/* The connection breaks under the store (a restarted server, a
 * terminated backend): the next call reconnects. */
static void test_broken_connection_reconnects(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    char id[BLOB_ID_CHARS + 1];
    assert_int_equal(blobs_id((const uint8_t *)"again", 5, id), 0);
    assert_int_equal(blobs_put(b, id, (const uint8_t *)"again", 5), 0);
    PQclear(sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"));
    blob_content c;
    int e = blobs_get(b, id, &c); /* may fail once: the break is found here */
    if (e)
        e = blobs_get(b, id, &c);
    assert_int_equal(e, 0);
    assert_int_equal(c.size, 5);
    blob_content_clear(&c);
    blobs_close(b);
}

/* A table made before blobs had stored_at (an older shroud) gains it at
 * open; its rows count as stored then, so no sweep takes them at once. */
static void test_older_table_is_migrated(void **state)
{
    (void)state;
    PQclear(sql("CREATE TABLE blobs (id TEXT PRIMARY KEY, bytes BYTEA NOT NULL)"));
    char id[BLOB_ID_CHARS + 1];
    assert_int_equal(blobs_id((const uint8_t *)"old", 3, id), 0);
    char query[200];
    snprintf(query, sizeof query, "INSERT INTO blobs VALUES ('%s', 'old'::bytea)", id);
    PQclear(sql(query));
    blobs *b = blobs_suite_open();
    size_t removed = 9;
    assert_int_equal(blobs_sweep(b, 60, nothing_listed, NULL, &removed), 0);
    assert_int_equal(removed, 0);
    size_t len = 0;
    uint8_t *back = blobs_suite_read(b, id, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(back, "old", 3);
    free(back);
    blobs_close(b);
}

#define READERS 8

typedef struct {
    blobs *b;
    const char *id;
    int failures;
} reader_arg;

static void *read_big(void *p)
{
    reader_arg *r = p;
    for (int i = 0; i < 6; i++) {
        size_t len = 0;
        blob_content c;
        if (blobs_get(r->b, r->id, &c) != 0)
            r->failures++;
        else
            len = (size_t)c.size;
        blob_content_clear(&c);
        if (len != 3u << 20)
            r->failures++;
    }
    return NULL;
}

static int client_connections(void)
{
    PGresult *res = sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
    int n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

/* Reads in parallel use several connections (one large read does not hold
 * up the others), never more than PG_POOL_CONNECTIONS. */
static void test_parallel_reads_use_a_bounded_pool(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    assert_int_equal(client_connections(), 1); /* the first, opened by the opener */
    size_t len = 3u << 20;
    uint8_t *big = calloc(1, len);
    assert_non_null(big);
    char id[BLOB_ID_CHARS + 1];
    assert_int_equal(blobs_id(big, len, id), 0);
    assert_int_equal(blobs_put(b, id, big, len), 0);
    free(big);
    pthread_t t[READERS];
    reader_arg args[READERS];
    for (int i = 0; i < READERS; i++) {
        args[i] = (reader_arg){b, id, 0};
        assert_int_equal(pthread_create(&t[i], NULL, read_big, &args[i]), 0);
    }
    for (int i = 0; i < READERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    int n = client_connections();
    assert_true(n >= 2);
    assert_true(n <= PG_POOL_CONNECTIONS);
    blobs_close(b);
}

static void test_unreachable_server_is_refused(void **state)
{
    (void)state;
    blobs *b = NULL;
    char err[512] = "";
    /* port 1: nothing listens there */
    assert_int_equal(blobs_open_postgres("postgresql://shroud:sekrit-pw@127.0.0.1:1/shroud", &b,
                                         err, sizeof err),
                     -1);
    assert_null(b);
    assert_non_null(strstr(err, "cannot connect to PostgreSQL"));
    assert_null(strstr(err, "sekrit-pw"));
    assert_int_equal(blobs_open_postgres("postgresql://[bad", &b, err, sizeof err), -1);
    assert_null(b);
    assert_true(strlen(err) > 0);
}

int main(void)
{
    pg_url = getenv("SHROUD_PG_URL");
    if (!pg_url || !*pg_url) {
        fprintf(stderr, "test_blobs_pg: SHROUD_PG_URL is not set: run it inside a throwaway "
                        "cluster, `scripts/pg-cluster run BUILD/tests/server/test_blobs_pg` "
                        "(ctest does), or point SHROUD_PG_URL at a database it may empty\n");
        return 1;
    }
    blobs_suite_backend = &pg_backend;
    const struct CMUnitTest tests[] = {
        BLOBS_SUITE_TESTS,
        BLOBS_SUITE_TEST(test_one_row_per_blob),
        BLOBS_SUITE_TEST(test_failed_put_leaves_nothing),
        BLOBS_SUITE_TEST(test_broken_connection_reconnects),
        BLOBS_SUITE_TEST(test_parallel_reads_use_a_bounded_pool),
        BLOBS_SUITE_TEST(test_older_table_is_migrated),
        BLOBS_SUITE_TEST(test_unreachable_server_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
