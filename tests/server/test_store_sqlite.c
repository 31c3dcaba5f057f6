/*
 * test_store_sqlite.c — the SQLite store against a real database file: the
 * shared store suite (store_suite.c), then what is SQLite's own: a database
 * from a newer shroud refused, a file that is not a database refused.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_suite.h"

static char db_path[256];

static int open_sqlite(store **out, char *err, size_t err_len)
{
    return store_open_sqlite(db_path, out, err, err_len);
}

static void wipe_sqlite(void)
{
    char p[300];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
}

static const store_backend sqlite_backend = {open_sqlite, wipe_sqlite};

static void test_newer_schema_is_refused(void **state)
{
    (void)state;
    store *s = NULL;
    char err[256] = "";
    assert_int_equal(open_sqlite(&s, err, sizeof err), STORE_OK);
    store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    s = NULL;
    assert_int_equal(open_sqlite(&s, err, sizeof err), STORE_ERROR);
    assert_non_null(strstr(err, "newer"));
    assert_null(s);
}

static void test_not_a_database_is_refused(void **state)
{
    (void)state;
    FILE *f = fopen(db_path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 4096; i++)
        fputc('x', f);
    fclose(f);
    store *s = NULL;
    char err[256] = "";
    assert_int_equal(open_sqlite(&s, err, sizeof err), STORE_ERROR);
    assert_true(strlen(err) > 0);
}

int main(void)
{
    snprintf(db_path, sizeof db_path, "/tmp/shroud-store-%ld.db", (long)getpid());
    store_suite_backend = &sqlite_backend;
    const struct CMUnitTest tests[] = {
        STORE_SUITE_TESTS,
        STORE_SUITE_TEST(test_newer_schema_is_refused),
        STORE_SUITE_TEST(test_not_a_database_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
