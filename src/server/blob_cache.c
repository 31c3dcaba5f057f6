/* blob_cache.c — an LRU of blob descriptors in front of another blobs
 * implementation (see blob_cache.h). One mutex guards the table and the
 * list; reads through to the inner store happen outside it. */
#include "server/blob_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUCKETS 512 /* a power of two, >= BLOB_CACHE_MAX_ENTRIES */

typedef struct entry entry;
struct entry {
    char id[BLOB_ID_CHARS + 1];
    int fd;
    uint64_t size;
    entry *newer, *older; /* the recency list */
    entry *next;          /* the bucket's chain */
};

typedef struct {
    blobs base; /* first: a blobs * points at the cache */
    blobs *inner;
    uint64_t max_bytes;
    pthread_mutex_t lock;
    entry *buckets[BUCKETS];
    entry *newest, *oldest;
    blob_cache_stats stats;
} cache;

static const blobs_ops cache_ops;

static cache *cache_of(blobs *b)
{
    return (cache *)b;
}

/* ids are validated hex digests (blobs.c), so their first digits are
 * already uniformly spread. */
static entry **bucket_of(cache *c, const char *id)
{
    unsigned h = 0;
    for (int i = 0; i < 8; i++)
        h = h * 16 + (unsigned)(id[i] <= '9' ? id[i] - '0' : id[i] - 'a' + 10);
    return &c->buckets[h & (BUCKETS - 1)];
}

static entry *find(cache *c, const char *id)
{
    for (entry *e = *bucket_of(c, id); e; e = e->next)
        if (strcmp(e->id, id) == 0)
            return e;
    return NULL;
}

static void unlink_recency(cache *c, entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void make_newest(cache *c, entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

/* Removes e from the table and the list, closes and frees it. */
static void drop(cache *c, entry *e)
{
    entry **p = bucket_of(c, e->id);
    while (*p != e)
        p = &(*p)->next;
    *p = e->next;
    unlink_recency(c, e);
    c->stats.entries--;
    c->stats.bytes -= e->size;
    close(e->fd);
    free(e);
}

/* Keeps fd (taken over) as the bytes of id, then drops the least recently
 * read blobs until the cache is within its limits. Called locked. */
static void keep(cache *c, const char *id, int fd, uint64_t size)
{
    entry *e = find(c, id) ? NULL : calloc(1, sizeof *e);
    if (!e) { /* kept meanwhile by another reader, or no memory */
        close(fd);
        return;
    }
    memcpy(e->id, id, BLOB_ID_CHARS + 1);
    e->fd = fd;
    e->size = size;
    entry **b = bucket_of(c, id);
    e->next = *b;
    *b = e;
    make_newest(c, e);
    c->stats.entries++;
    c->stats.bytes += size;
    while (c->stats.bytes > c->max_bytes || c->stats.entries > BLOB_CACHE_MAX_ENTRIES)
        drop(c, c->oldest);
}

static int cache_get(blobs *b, const char *id, blob_content *out)
{
    cache *c = cache_of(b);
    pthread_mutex_lock(&c->lock);
    entry *e = find(c, id);
    if (e) {
        int fd = fcntl(e->fd, F_DUPFD_CLOEXEC, 0);
        int err = fd < 0 ? errno : 0;
        if (fd >= 0) {
            unlink_recency(c, e);
            make_newest(c, e);
            c->stats.hits++;
            out->fd = fd;
            out->size = e->size;
        }
        pthread_mutex_unlock(&c->lock);
        return err;
    }
    c->stats.misses++;
    pthread_mutex_unlock(&c->lock);

    int err = c->inner->ops->get(c->inner, id, out);
    if (err || out->size > c->max_bytes / 8)
        return err;
    int kept = fcntl(out->fd, F_DUPFD_CLOEXEC, 0);
    if (kept < 0) /* out of descriptors: serve it, keep nothing */
        return 0;
    pthread_mutex_lock(&c->lock);
    keep(c, id, kept, out->size);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

static int cache_put(blobs *b, const char *id, const uint8_t *data, size_t len)
{
    cache *c = cache_of(b);
    return c->inner->ops->put(c->inner, id, data, len);
}

static int cache_remove(blobs *b, const char *id)
{
    cache *c = cache_of(b);
    pthread_mutex_lock(&c->lock);
    entry *e = find(c, id);
    if (e)
        drop(c, e);
    pthread_mutex_unlock(&c->lock);
    return c->inner->ops->remove(c->inner, id);
}

typedef struct {
    cache *c;
    blobs_listed_fn listed;
    void *arg;
} sweep_filter;

/* The caller's listed(); an unlisted blob (about to be removed, or kept
 * only because it was stored again) leaves the cache either way. */
static int listed_and_dropped(const char *id, void *p)
{
    sweep_filter *f = p;
    int r = f->listed(id, f->arg);
    if (r == 0) {
        pthread_mutex_lock(&f->c->lock);
        entry *e = find(f->c, id);
        if (e)
            drop(f->c, e);
        pthread_mutex_unlock(&f->c->lock);
    }
    return r;
}

static int cache_sweep(blobs *b, int64_t grace_seconds, blobs_listed_fn listed, void *arg,
                       size_t *removed)
{
    cache *c = cache_of(b);
    sweep_filter f = {c, listed, arg};
    return c->inner->ops->sweep(c->inner, grace_seconds, listed_and_dropped, &f, removed);
}

static void cache_close(blobs *b)
{
    cache *c = cache_of(b);
    while (c->oldest)
        drop(c, c->oldest);
    blobs_close(c->inner);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static const blobs_ops cache_ops = {cache_close, cache_put, cache_get, cache_remove, cache_sweep};

int blobs_cache_wrap(blobs *inner, uint64_t max_bytes, blobs **out)
{
    *out = NULL;
    cache *c = calloc(1, sizeof *c);
    if (!c) {
        blobs_close(inner);
        return ENOMEM;
    }
    c->base.ops = &cache_ops;
    c->inner = inner;
    c->max_bytes = max_bytes;
    pthread_mutex_init(&c->lock, NULL);
    *out = &c->base;
    return 0;
}

int blob_cache_stats_of(blobs *b, blob_cache_stats *out)
{
    if (!b || b->ops != &cache_ops)
        return 0;
    cache *c = cache_of(b);
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    pthread_mutex_unlock(&c->lock);
    return 1;
}
