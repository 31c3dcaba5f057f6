/*
 * blob_cache.h — recently read image bytes kept in memory (server layer).
 *
 * A blobs implementation wrapping another: blobs_get answers from memory
 * when it can, else reads through and keeps what it read. An id names its
 * bytes forever (it is their SHA-256), so a kept blob is never stale; a
 * blob removed elsewhere (another server process) may still be kept here,
 * which is why the routes look an image's row up in the store before its
 * bytes. Used in front of PostgreSQL, where each read costs a query and a
 * copy; a directory has the kernel's page cache instead.
 *
 * Kept blobs are anonymous in-memory files; blobs_get hands out a duplicate
 * descriptor, so a blob dropped from the cache while it is being sent stays
 * readable until its reader closes it.
 */
#ifndef SHROUD_SERVER_BLOB_CACHE_H
#define SHROUD_SERVER_BLOB_CACHE_H

#include <stdint.h>

#include "server/blobs.h"

/* Blobs kept at most, whatever their size (each holds a descriptor). */
#define BLOB_CACHE_MAX_ENTRIES 256

/* Wraps inner (owned from now on, closed with the cache) with a cache of
 * at most max_bytes of blobs, least recently read dropped first; a blob
 * larger than max_bytes / 8 is read through but not kept. 0, or ENOMEM
 * (inner is then closed). */
int blobs_cache_wrap(blobs *inner, uint64_t max_bytes, blobs **out);

/* What the cache did since it opened (for /metrics and tests). */
typedef struct {
    uint64_t hits, misses, entries, bytes;
} blob_cache_stats;

/* The counters of b if it is a cache (1), else 0. */
int blob_cache_stats_of(blobs *b, blob_cache_stats *out);

#endif
