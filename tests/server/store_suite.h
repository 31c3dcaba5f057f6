/*
 * store_suite.h — the store test suite, run unchanged against every store
 * implementation (test_store_sqlite.c, test_store_pg.c). A test program
 * sets store_suite_backend, then lists STORE_SUITE_TESTS among its tests.
 */
#ifndef SHROUD_TESTS_STORE_SUITE_H
#define SHROUD_TESTS_STORE_SUITE_H

#include "server/store.h"
#include "testutil.h"

typedef struct {
    /* Opens the store under test (a new connection to the same database
     * each time), as store_open_sqlite/store_open_postgres do. Called from
     * several threads at once. */
    int (*open)(store **out, char *err, size_t err_len);
    /* Empties the database: the next open starts from nothing. */
    void (*wipe)(void);
} store_backend;

extern const store_backend *store_suite_backend;

/* Wipe before and after each test. */
int store_suite_setup(void **state);
int store_suite_teardown(void **state);

void store_suite_users_are_unique_and_survive_reopening(void **state);
void store_suite_sessions_expire_and_end(void **state);
void store_suite_failure_windows(void **state);
void store_suite_threads_share_one_store(void **state);
void store_suite_images_list_newest_first_and_delete(void **state);
void store_suite_racing_creates_of_one_name(void **state);
void store_suite_failures_counted_from_two_stores(void **state);
void store_suite_concurrent_opens_of_a_fresh_database(void **state);

#define STORE_SUITE_TEST(f)                                                                        \
    cmocka_unit_test_setup_teardown(f, store_suite_setup, store_suite_teardown)

#define STORE_SUITE_TESTS                                                                          \
    STORE_SUITE_TEST(store_suite_users_are_unique_and_survive_reopening),                          \
        STORE_SUITE_TEST(store_suite_sessions_expire_and_end),                                     \
        STORE_SUITE_TEST(store_suite_failure_windows),                                             \
        STORE_SUITE_TEST(store_suite_threads_share_one_store),                                     \
        STORE_SUITE_TEST(store_suite_images_list_newest_first_and_delete),                         \
        STORE_SUITE_TEST(store_suite_racing_creates_of_one_name),                                  \
        STORE_SUITE_TEST(store_suite_failures_counted_from_two_stores),                            \
        STORE_SUITE_TEST(store_suite_concurrent_opens_of_a_fresh_database)

#endif
