/*
 * store_suite.c — what every store must do, whatever its database: users
 * (unique names, kept across reopening), sessions (expiry, deletion),
 * login-failure windows, images (newest first, paging, deletion), several
 * threads on one store, and several stores on one database at once (as
 * several server processes would be): racing creates of one name, failure
 * counts from two stores, two opens of a fresh database.
 */
#include "store_suite.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const store_backend *store_suite_backend;

int store_suite_setup(void **state)
{
    (void)state;
    store_suite_backend->wipe();
    return 0;
}

int store_suite_teardown(void **state)
{
    (void)state;
    store_suite_backend->wipe();
    return 0;
}

static store *open_db(void)
{
    store *s = NULL;
    char err[256] = "";
    int rc = store_suite_backend->open(&s, err, sizeof err);
    if (rc != STORE_OK)
        fail_msg("cannot open the store: %s", err);
    assert_non_null(s);
    return s;
}

void store_suite_users_are_unique_and_survive_reopening(void **state)
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

void store_suite_sessions_expire_and_end(void **state)
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

void store_suite_failure_windows(void **state)
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
    assert_int_equal(start, 5);
    assert_int_equal(store_failure_undo(s, "addr:x"), STORE_OK);
    assert_int_equal(store_failure_undo(s, "addr:x"), STORE_OK); /* never below zero */
    assert_int_equal(store_failure_get(s, "addr:x", &count, &start), STORE_OK);
    assert_int_equal(count, 0);
    store_close(s);
}

void store_suite_images_list_newest_first_and_delete(void **state)
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
    /* added in the same second: the later one lists first */
    store_image same = {.owner_id = u.id, .size = 1, .width = 1, .height = 1, .created = 1004};
    snprintf(same.id, sizeof same.id, "%064d", 5);
    snprintf(same.format, sizeof same.format, "png");
    assert_int_equal(store_image_add(s, &same), STORE_OK);
    store_image *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(store_image_list(s, 0, 3, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 3);
    assert_int_equal(total, 6);
    assert_string_equal(list[0].id, same.id); /* newest first */
    assert_int_equal(list[1].created, 1004);
    assert_int_equal(list[1].size, 104);
    assert_int_equal(list[2].created, 1003);
    assert_string_equal(list[0].owner, "alice");
    assert_int_equal(list[1].owner_id, u.id);
    assert_int_equal(list[1].groups, 4);
    assert_int_equal(list[1].width, 10);
    assert_int_equal(list[1].height, 20);
    assert_string_equal(list[1].format, "jpeg");
    free(list);
    assert_int_equal(store_image_list(s, 5, 2, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].created, 1000);
    free(list);
    assert_int_equal(store_image_list(s, 10, 2, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 6);
    free(list);
    assert_int_equal(store_image_list(s, -1, 2, &list, &n, &total), STORE_ERROR);
    assert_null(list);
    store_image got;
    char id[65];
    snprintf(id, sizeof id, "%064d", 3);
    assert_int_equal(store_image_get(s, id, &got), STORE_OK);
    assert_int_equal(got.size, 103);
    assert_string_equal(got.format, "png");
    assert_string_equal(got.owner, "alice");
    assert_int_equal(store_image_delete(s, id), STORE_OK);
    assert_int_equal(store_image_delete(s, id), STORE_NOT_FOUND);
    assert_int_equal(store_image_get(s, id, &got), STORE_NOT_FOUND);
    store_user_clear(&u);
    store_close(s);
}

#define THREADS 4
#define PER_THREAD 50

typedef struct {
    store *s;
    int index;
    pthread_barrier_t *start;
    int result; /* what the thread's work returned */
} worker;

static void *create_many(void *arg)
{
    worker *w = arg;
    w->result = STORE_OK;
    for (int i = 0; i < PER_THREAD && w->result == STORE_OK; i++) {
        char name[32];
        snprintf(name, sizeof name, "u%d_%d", w->index, i);
        int64_t c, ws;
        w->result = store_user_create(w->s, name, "h", "k", i);
        if (w->result == STORE_OK)
            w->result = store_failure_add(w->s, "addr:shared", 10, 900, &c, &ws);
    }
    return NULL;
}

void store_suite_threads_share_one_store(void **state)
{
    (void)state;
    store *s = open_db();
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t] = (worker){.s = s, .index = t};
        assert_int_equal(pthread_create(&th[t], NULL, create_many, &w[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(w[t].result, STORE_OK);
    }
    int64_t count, start;
    assert_int_equal(store_failure_get(s, "addr:shared", &count, &start), STORE_OK);
    assert_int_equal(count, THREADS * PER_THREAD);
    store_close(s);
}

#define RACES 20

static void *create_racing(void *arg)
{
    worker *w = arg;
    char name[32];
    snprintf(name, sizeof name, "racer%d", w->index);
    pthread_barrier_wait(w->start);
    w->result = store_user_create(w->s, name, "h", "k", 1);
    return NULL;
}

/* Two stores (two server processes) register one name at the same moment:
 * exactly one wins, the other is told the name exists. */
void store_suite_racing_creates_of_one_name(void **state)
{
    (void)state;
    store *a = open_db(), *b = open_db();
    for (int i = 0; i < RACES; i++) {
        pthread_barrier_t start;
        pthread_barrier_init(&start, NULL, 2);
        worker w[2] = {{.s = a, .index = i, .start = &start},
                       {.s = b, .index = i, .start = &start}};
        pthread_t th[2];
        for (int t = 0; t < 2; t++)
            assert_int_equal(pthread_create(&th[t], NULL, create_racing, &w[t]), 0);
        for (int t = 0; t < 2; t++)
            pthread_join(th[t], NULL);
        pthread_barrier_destroy(&start);
        int ok = (w[0].result == STORE_OK) + (w[1].result == STORE_OK);
        int exists = (w[0].result == STORE_EXISTS) + (w[1].result == STORE_EXISTS);
        assert_int_equal(ok, 1);
        assert_int_equal(exists, 1);
    }
    store_close(a);
    store_close(b);
}

static void *fail_many(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(w->start);
    w->result = STORE_OK;
    for (int i = 0; i < PER_THREAD && w->result == STORE_OK; i++) {
        int64_t c, ws;
        w->result = store_failure_add(w->s, "user:target", 50, 900, &c, &ws);
    }
    return NULL;
}

/* Failures counted through two stores at once are all counted. */
void store_suite_failures_counted_from_two_stores(void **state)
{
    (void)state;
    store *a = open_db(), *b = open_db();
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    worker w[2] = {{.s = a, .start = &start}, {.s = b, .start = &start}};
    pthread_t th[2];
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_create(&th[t], NULL, fail_many, &w[t]), 0);
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    pthread_barrier_destroy(&start);
    assert_int_equal(w[0].result, STORE_OK);
    assert_int_equal(w[1].result, STORE_OK);
    int64_t count, window_start;
    assert_int_equal(store_failure_get(a, "user:target", &count, &window_start), STORE_OK);
    assert_int_equal(count, 2 * PER_THREAD);
    assert_int_equal(window_start, 50);
    store_close(a);
    store_close(b);
}

typedef struct {
    pthread_barrier_t *start;
    store *s;
    int result;
    char err[256];
} opener;

static void *open_racing(void *arg)
{
    opener *o = arg;
    pthread_barrier_wait(o->start);
    o->result = store_suite_backend->open(&o->s, o->err, sizeof o->err);
    return NULL;
}

/* Two servers starting together on an empty database: both open it (the
 * migrations run once, one after the other), and both see the same data. */
void store_suite_concurrent_opens_of_a_fresh_database(void **state)
{
    (void)state;
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    opener o[2] = {{.start = &start}, {.start = &start}};
    pthread_t th[2];
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_create(&th[t], NULL, open_racing, &o[t]), 0);
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    pthread_barrier_destroy(&start);
    for (int t = 0; t < 2; t++)
        if (o[t].result != STORE_OK)
            fail_msg("open %d failed: %s", t, o[t].err);
    assert_int_equal(store_user_create(o[0].s, "first", "h", "k", 1), STORE_OK);
    store_user u;
    assert_int_equal(store_user_by_name(o[1].s, "first", &u), STORE_OK);
    store_user_clear(&u);
    store_close(o[0].s);
    store_close(o[1].s);
}
