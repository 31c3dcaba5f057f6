/*
 * blobs_suite.c — what every image-bytes store must do, wherever it keeps
 * them: store, read back byte for byte (NULs, an empty blob, a large one),
 * keep the first copy of an id, remove (a second removal says ENOENT),
 * refuse ids that are not SHA-256 hex, keep blobs across reopening, serve
 * several threads at once and two stores on one place (as two server
 * processes would), and survive two opens of a fresh place at once.
 */
#include "blobs_suite.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const blobs_backend *blobs_suite_backend;

int blobs_suite_setup(void **state)
{
    (void)state;
    blobs_suite_backend->wipe();
    return 0;
}

int blobs_suite_teardown(void **state)
{
    (void)state;
    blobs_suite_backend->wipe();
    return 0;
}

void blobs_suite_remove_dir(const char *dir)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fail_msg("cannot remove %s", dir);
}

blobs *blobs_suite_open(void)
{
    blobs *b = NULL;
    char err[512] = "";
    if (blobs_suite_backend->open(&b, err, sizeof err) != 0)
        fail_msg("cannot open the blobs: %s", err);
    assert_non_null(b);
    return b;
}

uint8_t *blobs_suite_read(blobs *b, const char *id, size_t *len)
{
    blob_content c;
    int e = blobs_get(b, id, &c);
    if (e)
        fail_msg("blobs_get %s: %s", id, strerror(e));
    uint8_t *out = malloc(c.size + 1);
    assert_non_null(out);
    assert_true(c.fd >= 0);
    size_t done = 0;
    ssize_t n;
    while ((n = pread(c.fd, out + done, c.size + 1 - done, (off_t)done)) > 0)
        done += (size_t)n;
    assert_int_equal(done, c.size); /* and no byte beyond the size */
    *len = (size_t)c.size;
    blob_content_clear(&c);
    assert_int_equal(c.fd, -1);
    return out;
}

/* Stores data under its id (written to id) and checks it reads back. */
static void put_checked(blobs *b, const uint8_t *data, size_t len, char id[BLOB_ID_CHARS + 1])
{
    assert_int_equal(blobs_id(data, len, id), 0);
    assert_int_equal(blobs_put(b, id, data, len), 0);
    size_t back_len = 0;
    uint8_t *back = blobs_suite_read(b, id, &back_len);
    assert_int_equal(back_len, len);
    if (len)
        assert_memory_equal(back, data, len);
    free(back);
}

void blobs_suite_put_get_remove(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    static const uint8_t data[] = "some image bytes";
    char id[BLOB_ID_CHARS + 1];
    put_checked(b, data, sizeof data - 1, id);
    /* The same id again keeps the first bytes (the id is their hash; the
     * second copy is not written). */
    static const uint8_t other[] = "other bytes";
    assert_int_equal(blobs_put(b, id, other, sizeof other - 1), 0);
    size_t len = 0;
    uint8_t *back = blobs_suite_read(b, id, &len);
    assert_int_equal(len, sizeof data - 1);
    assert_memory_equal(back, data, len);
    free(back);

    assert_int_equal(blobs_remove(b, id), 0);
    assert_int_equal(blobs_remove(b, id), ENOENT);
    blob_content c;
    assert_int_equal(blobs_get(b, id, &c), ENOENT);
    assert_int_equal(c.fd, -1);
    blobs_close(b);
}

void blobs_suite_every_byte_value_and_empty_and_large(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    uint8_t all[512];
    for (size_t i = 0; i < sizeof all; i++)
        all[i] = (uint8_t)(i * 7); /* every value, NUL and 0x80.. included */
    char id[BLOB_ID_CHARS + 1];
    put_checked(b, all, sizeof all, id);
    put_checked(b, (const uint8_t *)"", 0, id);
    size_t big_len = 5u * 1024u * 1024u + 3u; /* several TOAST chunks, pipe buffers */
    uint8_t *big = malloc(big_len);
    assert_non_null(big);
    uint32_t x = 12345;
    for (size_t i = 0; i < big_len; i++) {
        x = x * 1103515245u + 12345u;
        big[i] = (uint8_t)(x >> 24);
    }
    put_checked(b, big, big_len, id);
    free(big);
    blobs_close(b);
}

void blobs_suite_bad_ids_are_refused(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    static const char *const bad[] = {
        "", "../../etc/passwd", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(blobs_put(b, bad[i], (const uint8_t *)"x", 1), EINVAL);
        blob_content c;
        assert_int_equal(blobs_get(b, bad[i], &c), ENOENT);
        assert_int_equal(blobs_remove(b, bad[i]), ENOENT);
    }
    blobs_close(b);
}

void blobs_suite_kept_across_reopening(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    char id[BLOB_ID_CHARS + 1];
    put_checked(b, (const uint8_t *)"kept", 4, id);
    blobs_close(b);
    b = blobs_suite_open();
    size_t len = 0;
    uint8_t *back = blobs_suite_read(b, id, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(back, "kept", 4);
    free(back);
    blobs_close(b);
}

#define THREADS 4
#define PER_THREAD 20

typedef struct {
    blobs *b;
    int n;
    int failures;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *w = p;
    for (int i = 0; i < PER_THREAD; i++) {
        char data[64], id[BLOB_ID_CHARS + 1];
        int len = snprintf(data, sizeof data, "thread %d blob %d", w->n, i);
        blob_content c;
        if (blobs_id((const uint8_t *)data, (size_t)len, id) != 0 ||
            blobs_put(w->b, id, (const uint8_t *)data, (size_t)len) != 0 ||
            blobs_get(w->b, id, &c) != 0) {
            w->failures++;
            continue;
        }
        char back[64] = "";
        if (c.size != (uint64_t)len || pread(c.fd, back, sizeof back, 0) != len ||
            memcmp(back, data, (size_t)len) != 0)
            w->failures++;
        blob_content_clear(&c);
        if (i % 2 && blobs_remove(w->b, id) != 0)
            w->failures++;
    }
    return NULL;
}

/* THREADS threads on stores[t % n_stores]: every put reads back, every
 * removal finds its blob. */
static void run_workers(blobs **stores, int n_stores)
{
    pthread_t t[THREADS];
    worker_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (worker_arg){stores[i % n_stores], i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    /* the even-numbered blobs stayed */
    char id[BLOB_ID_CHARS + 1];
    assert_int_equal(blobs_id((const uint8_t *)"thread 2 blob 4", 15, id), 0);
    size_t len = 0;
    free(blobs_suite_read(stores[0], id, &len));
    assert_int_equal(len, 15);
    assert_int_equal(blobs_id((const uint8_t *)"thread 2 blob 5", 15, id), 0);
    blob_content c;
    assert_int_equal(blobs_get(stores[0], id, &c), ENOENT);
}

void blobs_suite_threads_share_one_store(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    run_workers(&b, 1);
    blobs_close(b);
}

void blobs_suite_two_stores_on_one_place(void **state)
{
    (void)state;
    blobs *two[2] = {blobs_suite_open(), blobs_suite_open()};
    run_workers(two, 2);
    /* what one stored, the other reads and removes */
    char id[BLOB_ID_CHARS + 1];
    put_checked(two[0], (const uint8_t *)"shared", 6, id);
    size_t len = 0;
    free(blobs_suite_read(two[1], id, &len));
    assert_int_equal(len, 6);
    assert_int_equal(blobs_remove(two[1], id), 0);
    assert_int_equal(blobs_remove(two[0], id), ENOENT);
    blobs_close(two[0]);
    blobs_close(two[1]);
}

typedef struct {
    blobs *b;
    int rc;
    char err[512];
} opener_arg;

static void *opener(void *p)
{
    opener_arg *o = p;
    o->rc = blobs_suite_backend->open(&o->b, o->err, sizeof o->err);
    return NULL;
}

void blobs_suite_concurrent_opens_of_a_fresh_place(void **state)
{
    (void)state;
    opener_arg o[THREADS];
    pthread_t t[THREADS];
    memset(o, 0, sizeof o);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, opener, &o[i]), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS; i++) {
        if (o[i].rc != 0)
            fail_msg("open %d of %d failed: %s", i + 1, THREADS, o[i].err);
        assert_non_null(o[i].b);
    }
    char id[BLOB_ID_CHARS + 1];
    put_checked(o[0].b, (const uint8_t *)"after", 5, id);
    for (int i = 0; i < THREADS; i++)
        blobs_close(o[i].b);
}

/* ---- sweeping blobs no image row refers to ---- */

#define HOUR 3600

/* The ids of a test, and which of them an image row "refers to". */
#define SWEEP_IDS 200
static char sweep_ids[SWEEP_IDS][BLOB_ID_CHARS + 1];
static atomic_int sweep_listed[SWEEP_IDS];
static atomic_int sweep_asked;
static atomic_int uploaders_done;

static int listed_in_table(const char *id, void *arg)
{
    (void)arg;
    atomic_fetch_add(&sweep_asked, 1);
    int r = 0;
    for (int i = 0; i < SWEEP_IDS; i++)
        if (strcmp(sweep_ids[i], id) == 0)
            r = atomic_load(&sweep_listed[i]);
    if (r == 0) /* the answer gets old while the sweep acts on it: races show */
        nanosleep(&(struct timespec){0, 100000}, NULL);
    return r;
}

static int cannot_tell(const char *id, void *arg)
{
    (void)id;
    (void)arg;
    return -1;
}

/* Stores n distinct blobs as sweep_ids[0..n), none listed. */
static void put_sweep_ids(blobs *b, int n)
{
    for (int i = 0; i < SWEEP_IDS; i++) {
        sweep_ids[i][0] = '\0';
        atomic_store(&sweep_listed[i], 0);
    }
    atomic_store(&sweep_asked, 0);
    for (int i = 0; i < n; i++) {
        char data[32];
        int len = snprintf(data, sizeof data, "sweep blob %d", i);
        put_checked(b, (const uint8_t *)data, (size_t)len, sweep_ids[i]);
    }
}

static int readable(blobs *b, const char *id)
{
    blob_content c;
    int e = blobs_get(b, id, &c);
    blob_content_clear(&c);
    return e == 0;
}

void blobs_suite_sweep_removes_old_unlisted_blobs(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    put_sweep_ids(b, 4);
    blobs_suite_backend->age(sweep_ids[0], 2 * HOUR);
    blobs_suite_backend->age(sweep_ids[1], 2 * HOUR);
    blobs_suite_backend->age(sweep_ids[3], 2 * HOUR);
    atomic_store(&sweep_listed[1], 1); /* old, but an image refers to it */
    size_t removed = 99;
    assert_int_equal(blobs_sweep(b, HOUR, listed_in_table, NULL, &removed), 0);
    assert_int_equal(removed, 2);
    assert_false(readable(b, sweep_ids[0]));
    assert_true(readable(b, sweep_ids[1]));
    assert_true(readable(b, sweep_ids[2])); /* unlisted, but young: an upload in progress */
    assert_false(readable(b, sweep_ids[3]));
    assert_int_equal(blobs_sweep(b, HOUR, listed_in_table, NULL, &removed), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(blobs_remove(b, sweep_ids[0]), ENOENT);
    blobs_close(b);
}

void blobs_suite_sweep_keeps_what_is_stored_again(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    put_sweep_ids(b, 1);
    blobs_suite_backend->age(sweep_ids[0], 2 * HOUR);
    /* an upload of the same bytes: stored again, its row about to come */
    static const char data[] = "sweep blob 0";
    assert_int_equal(blobs_put(b, sweep_ids[0], (const uint8_t *)data, sizeof data - 1), 0);
    size_t removed = 99;
    assert_int_equal(blobs_sweep(b, HOUR, listed_in_table, NULL, &removed), 0);
    assert_int_equal(removed, 0);
    assert_true(readable(b, sweep_ids[0]));
    blobs_close(b);
}

void blobs_suite_sweep_stops_when_it_cannot_tell(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    put_sweep_ids(b, 3);
    for (int i = 0; i < 3; i++)
        blobs_suite_backend->age(sweep_ids[i], 2 * HOUR);
    size_t removed = 99;
    assert_int_equal(blobs_sweep(b, HOUR, cannot_tell, NULL, &removed), EIO);
    assert_int_equal(removed, 0);
    for (int i = 0; i < 3; i++)
        assert_true(readable(b, sweep_ids[i]));
    blobs_close(b);
}

typedef struct {
    blobs *b;
    int first, step;
    size_t removed;
    int failures;
} sweep_arg;

/* An upload of each of its ids in turn: store the bytes again, then its
 * row refers to them. */
static void *uploader(void *p)
{
    sweep_arg *a = p;
    while (atomic_load(&sweep_asked) == 0) /* a sweep has begun */
        sched_yield();
    for (int i = a->first; i < SWEEP_IDS; i += a->step) {
        sched_yield();
        char data[32];
        int len = snprintf(data, sizeof data, "sweep blob %d", i);
        if (blobs_put(a->b, sweep_ids[i], (const uint8_t *)data, (size_t)len) != 0)
            a->failures++;
        nanosleep(&(struct timespec){0, 300000}, NULL); /* adding the image's row */
        atomic_store(&sweep_listed[i], 1);
    }
    atomic_fetch_add(&uploaders_done, 1);
    return NULL;
}

static void *sweeper(void *p)
{
    sweep_arg *a = p;
    for (int last = 0; !last;) {
        last = atomic_load(&uploaders_done) == 2; /* one more after the uploads */
        size_t n = 0;
        if (blobs_sweep(a->b, HOUR, listed_in_table, NULL, &n) != 0)
            a->failures++;
        a->removed += n;
    }
    return NULL;
}

/* Old unlisted blobs being uploaded again while two stores (two server
 * processes) sweep: whatever a row came to refer to is there at the end. */
void blobs_suite_sweeps_race_uploads(void **state)
{
    (void)state;
    blobs *two[2] = {blobs_suite_open(), blobs_suite_open()};
    put_sweep_ids(two[0], SWEEP_IDS);
    for (int i = 0; i < SWEEP_IDS; i++)
        blobs_suite_backend->age(sweep_ids[i], 2 * HOUR);
    atomic_store(&uploaders_done, 0);
    sweep_arg args[4] = {
        {two[0], 0, 2, 0, 0}, {two[1], 1, 2, 0, 0}, {two[0], 0, 0, 0, 0}, {two[1], 0, 0, 0, 0}};
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, i < 2 ? uploader : sweeper, &args[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    int missing = 0;
    for (int i = 0; i < SWEEP_IDS; i++)
        missing += !readable(two[i % 2], sweep_ids[i]);
    if (missing)
        fail_msg("%d of %d blobs uploaded again were lost to a sweep (%zu + %zu removed)", missing,
                 SWEEP_IDS, args[2].removed, args[3].removed);
    assert_true(args[2].removed + args[3].removed <= SWEEP_IDS);
    assert_true(atomic_load(&sweep_asked) > 0);
    blobs_close(two[0]);
    blobs_close(two[1]);
}

void blobs_suite_age_file(const char *dir, const char *id, int64_t seconds)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, id);
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= (time_t)seconds;
    t[1] = t[0];
    if (utimensat(AT_FDCWD, path, t, 0) != 0)
        fail_msg("cannot age %s: %s", path, strerror(errno));
}
