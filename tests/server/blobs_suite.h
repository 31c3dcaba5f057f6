/*
 * blobs_suite.h — the image-bytes test suite, run unchanged against every
 * blobs implementation (test_blobs.c: a directory, test_blobs_pg.c:
 * PostgreSQL). A test program sets blobs_suite_backend, then lists
 * BLOBS_SUITE_TESTS among its tests.
 */
#ifndef SHROUD_TESTS_BLOBS_SUITE_H
#define SHROUD_TESTS_BLOBS_SUITE_H

#include "server/blobs.h"
#include "testutil.h"

typedef struct {
    /* Opens the blobs under test (a new connection or handle on the same
     * place each time). Called from several threads at once. */
    int (*open)(blobs **out, char *err, size_t err_len);
    /* Empties the place: the next open starts from nothing. */
    void (*wipe)(void);
    /* Makes the blob of id look last stored seconds ago. */
    void (*age)(const char *id, int64_t seconds);
} blobs_backend;

extern const blobs_backend *blobs_suite_backend;

/* Wipe before and after each test. */
int blobs_suite_setup(void **state);
int blobs_suite_teardown(void **state);

/* rm -rf dir (for a directory backend's wipe); fails the test on error. */
void blobs_suite_remove_dir(const char *dir);
/* Sets the times of dir/id to seconds ago (a directory backend's age). */
void blobs_suite_age_file(const char *dir, const char *id, int64_t seconds);

/* Opens the backend; fails the test on error. */
blobs *blobs_suite_open(void);
/* The bytes of id, read whole from its descriptor; fails the
 * test unless blobs_get succeeds. free() them. */
uint8_t *blobs_suite_read(blobs *b, const char *id, size_t *len);

void blobs_suite_put_get_remove(void **state);
void blobs_suite_every_byte_value_and_empty_and_large(void **state);
void blobs_suite_bad_ids_are_refused(void **state);
void blobs_suite_kept_across_reopening(void **state);
void blobs_suite_threads_share_one_store(void **state);
void blobs_suite_two_stores_on_one_place(void **state);
void blobs_suite_concurrent_opens_of_a_fresh_place(void **state);
void blobs_suite_sweep_removes_old_unlisted_blobs(void **state);
void blobs_suite_sweep_keeps_what_is_stored_again(void **state);
void blobs_suite_sweep_stops_when_it_cannot_tell(void **state);
void blobs_suite_sweeps_race_uploads(void **state);

#define BLOBS_SUITE_TEST(f)                                                                        \
    cmocka_unit_test_setup_teardown(f, blobs_suite_setup, blobs_suite_teardown)

#define BLOBS_SUITE_TESTS                                                                          \
    BLOBS_SUITE_TEST(blobs_suite_put_get_remove),                                                  \
        BLOBS_SUITE_TEST(blobs_suite_every_byte_value_and_empty_and_large),                        \
        BLOBS_SUITE_TEST(blobs_suite_bad_ids_are_refused),                                         \
        BLOBS_SUITE_TEST(blobs_suite_kept_across_reopening),                                       \
        BLOBS_SUITE_TEST(blobs_suite_threads_share_one_store),                                     \
        BLOBS_SUITE_TEST(blobs_suite_two_stores_on_one_place),                                     \
        BLOBS_SUITE_TEST(blobs_suite_concurrent_opens_of_a_fresh_place),                           \
        BLOBS_SUITE_TEST(blobs_suite_sweep_removes_old_unlisted_blobs),                            \
        BLOBS_SUITE_TEST(blobs_suite_sweep_keeps_what_is_stored_again),                            \
        BLOBS_SUITE_TEST(blobs_suite_sweep_stops_when_it_cannot_tell),                             \
        BLOBS_SUITE_TEST(blobs_suite_sweeps_race_uploads)

#endif
