/*
 * test_store_sqlite.c — the SQLite store against a real database file:
 * users (unique names), sessions (expiry, deletion, cascade), login-failure
 * windows, reopening (data kept, migrations not re-run), a database from a
 * newer shroud refused, and several threads at once.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/store.h"
#include "testutil.h"

static char db_path[256];

static int setup(void **state)
{
    (void)state;
    snprintf(db_path, sizeof db_path, "/tmp/shroud-store-%ld.db", (long)getpid());
    unlink(db_path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[300];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
    return 0;
}

static store *open_db(void)
{
    store *s = NULL;
    char err[256];
    assert_int_equal(store_open_sqlite(db_path, &s, err, sizeof err), STORE_OK);
    return s;
}

static void test_users_are_unique_and_survive_reopening(void **state)
{
    (void)state;
    store *s = open_db();
    assert_int_equal(store_user_create(s, "alice", "h1", "k1", 100), STORE_OK);
    assert_int_equal(store_user_create(s, "alice", "h2", "k2", 101), STORE_EXISTS);
    assert_int_equal(store_user_create(s, "bob", "h3", "k3", 102), STORE_OK);
    store_user u;
    assert_int_equal(store_user_by_name(s, "carol", &u), STORE_NOT_FOUND);
    store_close(s);
    s = open_db(); /* reopening keeps the data and does not migrate again */
    assert_int_equal(store_user_by_name(s, "alice", &u), STORE_OK);
    assert_string_equal(u.password_hash, "h1");
    assert_string_equal(u.public_key, "k1");
    int64_t id = u.id;
    store_user_clear(&u);
    assert_int_equal(store_user_by_id(s, id, &u), STORE_OK);
    assert_string_equal(u.name, "alice");
    store_user_clear(&u);
    assert_int_equal(store_user_by_id(s, 9999, &u), STORE_NOT_FOUND);
    store_close(s);
}

static void test_sessions_expire_and_end(void **state)
{
    (void)state;
    store *s = open_db();
    assert_int_equal(store_user_create(s, "alice", "h", "k", 1), STORE_OK);
    store_user u;
    assert_int_equal(store_user_by_name(s, "alice", &u), STORE_OK);
    uint8_t h1[STORE_TOKEN_HASH_BYTES] = {1}, h2[STORE_TOKEN_HASH_BYTES] = {2};
    assert_int_equal(store_session_create(s, h1, u.id, 1000), STORE_OK);
    assert_int_equal(store_session_create(s, h1, u.id, 1000), STORE_EXISTS);
    int64_t who = 0;
    assert_int_equal(store_session_user(s, h1, 999, &who), STORE_OK);
    assert_int_equal(who, u.id);
    assert_int_equal(store_session_user(s, h1, 1000, &who), STORE_NOT_FOUND); /* expired */
    assert_int_equal(store_session_user(s, h2, 10, &who), STORE_NOT_FOUND);
    assert_int_equal(store_session_delete(s, h1), STORE_OK);
    assert_int_equal(store_session_delete(s, h1), STORE_NOT_FOUND);
    assert_int_equal(store_session_user(s, h1, 10, &who), STORE_NOT_FOUND);
    store_user_clear(&u);
    store_close(s);
}

static void test_failure_windows(void **state)
{
    (void)state;
    store *s = open_db();
    int64_t count, start;
    assert_int_equal(store_failure_get(s, "user:a", &count, &start), STORE_OK);
    assert_int_equal(count, 0);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(store_failure_add(s, "user:a", 100 + i, 900, &count, &start), STORE_OK);
        assert_int_equal(count, i);
        assert_int_equal(start, 101);
    }
    /* outside the window: a new one starts */
    assert_int_equal(store_failure_add(s, "user:a", 101 + 900, 900, &count, &start), STORE_OK);
    assert_int_equal(count, 1);
    assert_int_equal(start, 1001);
    assert_int_equal(store_failure_add(s, "addr:x", 5, 900, &count, &start), STORE_OK);
    assert_int_equal(store_failure_add(s, "addr:x", 6, 900, &count, &start), STORE_OK);
    assert_int_equal(store_failure_undo(s, "addr:x"), STORE_OK); /* a success takes one back */
    assert_int_equal(store_failure_undo(s, "user:none"), STORE_OK);
    assert_int_equal(store_failure_clear(s, "user:a"), STORE_OK);
    assert_int_equal(store_failure_get(s, "user:a", &count, &start), STORE_OK);
    assert_int_equal(count, 0);
    assert_int_equal(store_failure_get(s, "addr:x", &count, &start), STORE_OK);
    assert_int_equal(count, 1);
    store_close(s);
}

static void test_newer_schema_is_refused(void **state)
{
    (void)state;
    store_close(open_db());
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    store *s = NULL;
    char err[256] = "";
    assert_int_equal(store_open_sqlite(db_path, &s, err, sizeof err), STORE_ERROR);
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
    assert_int_equal(store_open_sqlite(db_path, &s, err, sizeof err), STORE_ERROR);
    assert_true(strlen(err) > 0);
}

static void test_images_list_newest_first_and_delete(void **state)
{
    (void)state;
    store *s = open_db();
    assert_int_equal(store_user_create(s, "alice", "h", "k", 1), STORE_OK);
    store_user u;
    assert_int_equal(store_user_by_name(s, "alice", &u), STORE_OK);
    for (int i = 0; i < 5; i++) {
        store_image img = {.owner_id = u.id,
                           .size = 100 + i,
                           .width = 10,
                           .height = 20,
                           .groups = i,
                           .created = 1000 + i};
        snprintf(img.id, sizeof img.id, "%064d", i);
        snprintf(img.format, sizeof img.format, "%s", i % 2 ? "png" : "jpeg");
        assert_int_equal(store_image_add(s, &img), STORE_OK);
        assert_int_equal(store_image_add(s, &img), STORE_EXISTS);
    }
    store_image *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(store_image_list(s, 0, 2, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 5);
    assert_int_equal(list[0].created, 1004); /* newest first */
    assert_int_equal(list[1].created, 1003);
    assert_string_equal(list[0].owner, "alice");
    free(list);
    assert_int_equal(store_image_list(s, 4, 2, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].created, 1000);
    free(list);
    assert_int_equal(store_image_list(s, 10, 2, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 0);
    free(list);
    store_image got;
    char id[65];
    snprintf(id, sizeof id, "%064d", 3);
    assert_int_equal(store_image_get(s, id, &got), STORE_OK);
    assert_int_equal(got.size, 103);
    assert_string_equal(got.format, "png");
    assert_int_equal(store_image_delete(s, id), STORE_OK);
    assert_int_equal(store_image_delete(s, id), STORE_NOT_FOUND);
    assert_int_equal(store_image_get(s, id, &got), STORE_NOT_FOUND);
    store_user_clear(&u);
    store_close(s);
}

#define THREADS 4
#define PER_THREAD 50

static void *create_many(void *arg)
{
    store *s = ((void **)arg)[0];
    long t = (long)(intptr_t)((void **)arg)[1];
    for (int i = 0; i < PER_THREAD; i++) {
        char name[32];
        snprintf(name, sizeof name, "u%ld_%d", t, i);
        if (store_user_create(s, name, "h", "k", i) != STORE_OK)
            return (void *)1;
        int64_t c, w;
        if (store_failure_add(s, "addr:shared", 10, 900, &c, &w) != STORE_OK)
            return (void *)1;
    }
    return NULL;
}

static void test_threads_share_one_store(void **state)
{
    (void)state;
    store *s = open_db();
    pthread_t th[THREADS];
    void *args[THREADS][2];
    for (long t = 0; t < THREADS; t++) {
        args[t][0] = s;
        args[t][1] = (void *)(intptr_t)t;
        assert_int_equal(pthread_create(&th[t], NULL, create_many, args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        void *ret;
        pthread_join(th[t], &ret);
        assert_null(ret);
    }
    int64_t count, start;
    assert_int_equal(store_failure_get(s, "addr:shared", &count, &start), STORE_OK);
    assert_int_equal(count, THREADS * PER_THREAD);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_users_are_unique_and_survive_reopening, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sessions_expire_and_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_windows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_database_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads_share_one_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_images_list_newest_first_and_delete, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
