/*
 * test_store_pg.c — the PostgreSQL store against a real server: the shared
 * store suite (store_suite.c), then what is PostgreSQL's own: migrations
 * recorded once in schema_version even when two servers start together, a
 * database from a newer shroud refused, an unreachable server refused with
 * a reason that does not repeat the password.
 *
 * Needs SHROUD_PG_URL: a database it may empty (it drops shroud's tables).
 * CTest runs it inside a throwaway cluster: scripts/pg-cluster run.
 */
#define _DEFAULT_SOURCE /* usleep */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/pg_pool.h"
#include "store_suite.h"

static const char *pg_url;

static int open_pg(store **out, char *err, size_t err_len)
{
    return store_open_postgres(pg_url, out, err, err_len);
}

/* Runs sql on a connection of the test's own; fails the test on error.
 * Returns the result (PQclear it). */
static PGresult *sql(const char *query)
{
    PGconn *c = PQconnectdb(pg_url);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", pg_url, PQerrorMessage(c));
    PGresult *res = PQexec(c, query);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", query, PQerrorMessage(c));
    PQfinish(c);
    return res;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void wipe_pg(void)
{
    PGconn *c = PQconnectdb(pg_url);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", pg_url, PQerrorMessage(c));
    PQsetNoticeProcessor(c, quiet, NULL);
    PGresult *res = PQexec(c, "DROP TABLE IF EXISTS images, login_failures, sessions, users,"
                              " schema_version CASCADE");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("cannot empty the database: %s", PQerrorMessage(c));
    PQclear(res);
    PQfinish(c);
}

static const store_backend pg_backend = {open_pg, wipe_pg};

static void test_migrations_recorded_once(void **state)
{
    /* two servers start together on the empty database */
    store_suite_concurrent_opens_of_a_fresh_database(state);
    PGresult *res = sql("SELECT count(*), count(DISTINCT version), max(version)"
                        " FROM schema_version");
    assert_string_equal(PQgetvalue(res, 0, 0), "2");
    assert_string_equal(PQgetvalue(res, 0, 1), "2");
    assert_string_equal(PQgetvalue(res, 0, 2), "2");
    PQclear(res);
}

static void test_newer_schema_is_refused(void **state)
{
    (void)state;
    store *s = NULL;
    char err[256] = "";
    assert_int_equal(open_pg(&s, err, sizeof err), STORE_OK);
    store_close(s);
    PQclear(sql("INSERT INTO schema_version (version) VALUES (999)"));
    s = NULL;
    assert_int_equal(open_pg(&s, err, sizeof err), STORE_ERROR);
    assert_non_null(strstr(err, "newer"));
    assert_null(s);
    /* and the refused open changed nothing */
    PGresult *res = sql("SELECT max(version) FROM schema_version");
    assert_string_equal(PQgetvalue(res, 0, 0), "999");
    PQclear(res);
}

/* The backends of the store's connections other than the test's own. */
static int store_backends(void)
{
    PGresult *res = sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
    int n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

/* The server closes the store's connections (as a restart does, with a
 * FATAL message): each is found closed and reset by its next user before
 * its statement, so not one request fails, and the store never holds more
 * than PG_POOL_CONNECTIONS. */
static void test_broken_connections_are_reset(void **state)
{
    (void)state;
    store *s = NULL;
    char err[512];
    assert_int_equal(open_pg(&s, err, sizeof err), STORE_OK);
    assert_int_equal(store_user_create(s, "carol", "hash", "key", 1000), STORE_OK);
    PQclear(sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"));
    /* terminating is asynchronous: wait until the backends have gone */
    for (int i = 0; i < 500 && store_backends() > 0; i++)
        usleep(10 * 1000);
    assert_int_equal(store_backends(), 0);
    store_user u;
    int rc = store_user_by_name(s, "carol", &u);
    assert_int_equal(rc, STORE_OK);
    assert_string_equal(u.name, "carol");
    store_user_clear(&u);
    assert_int_equal(store_user_create(s, "dave", "hash", "key", 1000), STORE_OK);
    assert_true(store_backends() <= PG_POOL_CONNECTIONS);
    store_close(s);
}

static void test_unreachable_server_is_refused(void **state)
{
    (void)state;
    store *s = NULL;
    char err[512] = "";
    /* port 1: nothing listens there */
    assert_int_equal(store_open_postgres("postgresql://shroud:sekrit-pw@127.0.0.1:1/shroud", &s,
                                         err, sizeof err),
                     STORE_ERROR);
    assert_null(s);
    assert_non_null(strstr(err, "cannot connect to PostgreSQL"));
    assert_null(strstr(err, "sekrit-pw"));
    assert_int_equal(store_open_postgres("postgresql://[bad", &s, err, sizeof err), STORE_ERROR);
    assert_null(s);
    assert_true(strlen(err) > 0);
}

int main(void)
{
    pg_url = getenv("SHROUD_PG_URL");
    if (!pg_url || !*pg_url) {
        fprintf(stderr, "test_store_pg: SHROUD_PG_URL is not set: run it inside a throwaway "
                        "cluster, `scripts/pg-cluster run BUILD/tests/server/test_store_pg` "
                        "(ctest does), or point SHROUD_PG_URL at a database it may empty\n");
        return 1;
    }
    store_suite_backend = &pg_backend;
    const struct CMUnitTest tests[] = {
        STORE_SUITE_TESTS,
        STORE_SUITE_TEST(test_migrations_recorded_once),
        STORE_SUITE_TEST(test_newer_schema_is_refused),
        STORE_SUITE_TEST(test_broken_connections_are_reset),
        STORE_SUITE_TEST(test_unreachable_server_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
