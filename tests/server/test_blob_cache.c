/*
 * test_blob_cache.c — the in-memory cache in front of a blob store: the
 * shared blobs suite through a small cache over a directory (so blobs are
 * kept, dropped and read through during it), then the cache's own
 * contract: a second read is a hit with the same bytes, the least recently
 * read blob goes first when bytes or entries run out, a blob larger than
 * an eighth of the cache is never kept, a removal drops the kept copy, a
 * descriptor handed out survives its blob's removal, and a blob removed by
 * another store on the same place is still answered from the cache (why
 * the routes check the store's row first).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blobs_suite.h"
#include "server/blob_cache.h"

static char dir[256];
static uint64_t cache_bytes = 64 * 1024;

static int open_plain(blobs **out, char *err, size_t err_len)
{
    return blobs_open_dir(dir, out, err, err_len);
}

static int open_cached(blobs **out, char *err, size_t err_len)
{
    blobs *inner = NULL;
    int e = blobs_open_dir(dir, &inner, err, err_len);
    if (e)
        return e;
    e = blobs_cache_wrap(inner, cache_bytes, out);
    if (e)
        snprintf(err, err_len, "cannot make the cache: %s", strerror(e));
    return e;
}

static void wipe_dir(void)
{
    blobs_suite_remove_dir(dir);
}

static void age_file(const char *id, int64_t seconds)
{
    blobs_suite_age_file(dir, id, seconds);
}

static const blobs_backend cached_dir_backend = {open_cached, wipe_dir, age_file};

/* Stores size bytes of a pattern seeded by n; its id into id. */
static void put_pattern(blobs *b, int n, size_t size, char id[BLOB_ID_CHARS + 1])
{
    uint8_t *data = malloc(size ? size : 1);
    assert_non_null(data);
    for (size_t i = 0; i < size; i++)
        data[i] = (uint8_t)(n * 31 + (int)i * 7);
    if (size >= sizeof n)
        memcpy(data, &n, sizeof n); /* distinct blobs for distinct n */
    assert_int_equal(blobs_id(data, size, id), 0);
    assert_int_equal(blobs_put(b, id, data, size), 0);
    free(data);
}

static blob_cache_stats stats(blobs *b)
{
    blob_cache_stats s;
    assert_int_equal(blob_cache_stats_of(b, &s), 1);
    return s;
}

static void read_and_drop(blobs *b, const char *id)
{
    size_t len = 0;
    free(blobs_suite_read(b, id, &len));
}

static void test_second_read_is_a_hit(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    char id[BLOB_ID_CHARS + 1];
    put_pattern(b, 1, 1000, id);
    size_t len1 = 0, len2 = 0;
    uint8_t *first = blobs_suite_read(b, id, &len1);
    uint8_t *second = blobs_suite_read(b, id, &len2);
    assert_int_equal(len1, 1000);
    assert_int_equal(len2, 1000);
    assert_memory_equal(first, second, 1000);
    free(first);
    free(second);
    blob_cache_stats s = stats(b);
    assert_int_equal(s.misses, 1);
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.entries, 1);
    assert_int_equal(s.bytes, 1000);
    /* a blob that is not there is not kept */
    blob_content c;
    assert_int_equal(
        blobs_get(b, "0000000000000000000000000000000000000000000000000000000000000000", &c),
        ENOENT);
    assert_int_equal(stats(b).entries, 1);
    blobs_close(b);
}

static void test_least_recently_read_goes_first(void **state)
{
    (void)state;
    cache_bytes = 8000; /* eight blobs of 1000 bytes (each at most an eighth) */
    blobs *b = blobs_suite_open();
    char ids[10][BLOB_ID_CHARS + 1];
    for (int i = 0; i < 10; i++)
        put_pattern(b, i, 1000, ids[i]);
    for (int i = 0; i < 8; i++)
        read_and_drop(b, ids[i]);
    assert_int_equal(stats(b).entries, 8);
    read_and_drop(b, ids[0]); /* 0 becomes the most recent: 1 is the oldest */
    read_and_drop(b, ids[8]); /* a ninth: 1 goes */
    blob_cache_stats s = stats(b);
    assert_int_equal(s.entries, 8);
    assert_int_equal(s.bytes, 8000);
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.misses, 9);
    read_and_drop(b, ids[0]); /* kept */
    assert_int_equal(stats(b).hits, 2);
    read_and_drop(b, ids[1]); /* dropped: read through (and 2 goes) */
    assert_int_equal(stats(b).misses, 10);
    read_and_drop(b, ids[3]); /* kept */
    assert_int_equal(stats(b).hits, 3);
    read_and_drop(b, ids[2]);
    assert_int_equal(stats(b).misses, 11);
    blobs_close(b);
    cache_bytes = 64 * 1024;
}

static void test_entries_are_limited(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    char id[BLOB_ID_CHARS + 1];
    for (int i = 0; i < BLOB_CACHE_MAX_ENTRIES + 40; i++) {
        put_pattern(b, i, 16, id);
        read_and_drop(b, id);
    }
    blob_cache_stats s = stats(b);
    assert_int_equal(s.entries, BLOB_CACHE_MAX_ENTRIES);
    assert_int_equal(s.bytes, 16 * BLOB_CACHE_MAX_ENTRIES);
    read_and_drop(b, id); /* the last one is kept */
    assert_int_equal(stats(b).hits, 1);
    blobs_close(b);
}

static void test_large_blobs_are_read_through(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    char small[BLOB_ID_CHARS + 1], large[BLOB_ID_CHARS + 1];
    put_pattern(b, 1, (size_t)cache_bytes / 8, small);
    put_pattern(b, 2, (size_t)cache_bytes / 8 + 1, large);
    read_and_drop(b, large);
    read_and_drop(b, large);
    read_and_drop(b, small);
    read_and_drop(b, small);
    blob_cache_stats s = stats(b);
    assert_int_equal(s.misses, 3);
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.entries, 1);
    assert_int_equal(s.bytes, cache_bytes / 8);
    blobs_close(b);
}

static void test_removal_drops_the_copy_but_not_a_reader(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    char id[BLOB_ID_CHARS + 1];
    put_pattern(b, 5, 3000, id);
    read_and_drop(b, id);
    blob_content held;
    assert_int_equal(blobs_get(b, id, &held), 0); /* a download in progress */
    assert_int_equal(blobs_remove(b, id), 0);
    assert_int_equal(stats(b).entries, 0);
    blob_content c;
    assert_int_equal(blobs_get(b, id, &c), ENOENT);
    uint8_t buf[3001];
    assert_int_equal(pread(held.fd, buf, sizeof buf, 0), 3000); /* still whole */
    assert_int_equal(held.size, 3000);
    blob_content_clear(&held);
    blobs_close(b);
}

/* The cache does not know what another process removed: the bytes under
 * an id never change, and the routes ask the store whether the image
 * still exists before they read its bytes. */
static void test_removal_elsewhere_is_not_seen(void **state)
{
    (void)state;
    blobs *cached = blobs_suite_open();
    blobs *other = NULL;
    char err[512];
    assert_int_equal(open_plain(&other, err, sizeof err), 0);
    char id[BLOB_ID_CHARS + 1];
    put_pattern(other, 6, 500, id);
    read_and_drop(cached, id);
    assert_int_equal(blobs_remove(other, id), 0);
    size_t len = 0;
    free(blobs_suite_read(cached, id, &len));
    assert_int_equal(len, 500);
    assert_int_equal(blobs_remove(cached, id), ENOENT); /* the place says so */
    blob_content c;
    assert_int_equal(blobs_get(cached, id, &c), ENOENT); /* and the copy is gone */
    blobs_close(other);
    blobs_close(cached);
}

static void test_stats_only_of_a_cache(void **state)
{
    (void)state;
    blobs *plain = NULL;
    char err[512];
    assert_int_equal(open_plain(&plain, err, sizeof err), 0);
    blob_cache_stats s;
    assert_int_equal(blob_cache_stats_of(plain, &s), 0);
    assert_int_equal(blob_cache_stats_of(NULL, &s), 0);
    blobs_close(plain);
}

#define READERS 4
#define ROUNDS 300

typedef struct {
    blobs *b;
    const char (*ids)[BLOB_ID_CHARS + 1];
    int n;
    int failures;
} reader_arg;

/* Reads, and sometimes removes and puts back, blobs others read too. */
static void *reader(void *p)
{
    reader_arg *r = p;
    for (int i = 0; i < ROUNDS; i++) {
        int k = (i * 7 + r->n) % 12;
        blob_content c;
        int e = blobs_get(r->b, r->ids[k], &c);
        if (e == 0) {
            uint8_t buf[2100];
            if (c.size != 2000 || pread(c.fd, buf, sizeof buf, 0) != 2000 ||
                memcmp(buf, &k, sizeof k) != 0)
                r->failures++;
            blob_content_clear(&c);
        } else if (e != ENOENT)
            r->failures++;
        if (i % 50 == r->n) {
            char id[BLOB_ID_CHARS + 1];
            blobs_remove(r->b, r->ids[k]);
            put_pattern(r->b, k, 2000, id);
        }
    }
    return NULL;
}

static void test_threads_read_remove_and_put(void **state)
{
    (void)state;
    cache_bytes = 16000; /* eight of the twelve blobs: drops all the time */
    blobs *b = blobs_suite_open();
    char ids[12][BLOB_ID_CHARS + 1];
    for (int i = 0; i < 12; i++)
        put_pattern(b, i, 2000, ids[i]);
    pthread_t t[READERS];
    reader_arg args[READERS];
    for (int i = 0; i < READERS; i++) {
        args[i] = (reader_arg){b, (const char(*)[BLOB_ID_CHARS + 1]) ids, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, reader, &args[i]), 0);
    }
    for (int i = 0; i < READERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    blob_cache_stats s = stats(b);
    assert_true(s.entries <= 8);
    assert_true(s.bytes <= 16000);
    assert_int_equal(s.hits + s.misses, READERS * ROUNDS);
    blobs_close(b);
    cache_bytes = 64 * 1024;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/shroud-test-blob-cache-%d", (int)getpid());
    blobs_suite_backend = &cached_dir_backend;
    const struct CMUnitTest tests[] = {
        BLOBS_SUITE_TESTS,
        BLOBS_SUITE_TEST(test_second_read_is_a_hit),
        BLOBS_SUITE_TEST(test_least_recently_read_goes_first),
        BLOBS_SUITE_TEST(test_entries_are_limited),
        BLOBS_SUITE_TEST(test_large_blobs_are_read_through),
        BLOBS_SUITE_TEST(test_removal_drops_the_copy_but_not_a_reader),
        BLOBS_SUITE_TEST(test_removal_elsewhere_is_not_seen),
        BLOBS_SUITE_TEST(test_stats_only_of_a_cache),
        BLOBS_SUITE_TEST(test_threads_read_remove_and_put),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
