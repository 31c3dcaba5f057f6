/*
 * blobs.h — image bytes stored by content (server layer).
 *
 * One interface, two implementations. The directory (blobs.c) keeps
 * DIR/<id>, id = SHA-256 of the bytes in lowercase hex; a file appears only
 * complete: written to DIR/.tmp-*, fsynced, renamed, and the directory
 * fsynced, so a crash leaves either nothing or the whole file (and at most a
 * .tmp- file, removed by an open when the process that made it is gone, or
 * once it is BLOBS_SWEEP_GRACE_SECONDS old: it may be another host's
 * upload in progress on a shared directory). PostgreSQL (blobs_pg.c) keeps one
 * row per id in the table blobs; a row is inserted by one statement, so a
 * crash leaves either no row or the whole image. Either way the image's
 * store row (store.h) is added only after blobs_put succeeded and removed
 * before blobs_remove: nothing lists bytes that are not all there. Bytes a
 * crash left without a row are removed by blobs_sweep. Every function is
 * safe to use from several threads.
 */
#ifndef SHROUD_SERVER_BLOBS_H
#define SHROUD_SERVER_BLOBS_H

#include <stddef.h>
#include <stdint.h>

#define BLOB_ID_CHARS 64

typedef struct blobs blobs;

/* Creates dir (0700) if needed and removes leftover temporary files: 0, or
 * an errno with a reason in err. */
int blobs_open_dir(const char *dir, blobs **out, char *err, size_t err_len);
/* Connects to PostgreSQL at url (as store_open_postgres) and creates the
 * table blobs if needed (several processes may do so at once): 0, or -1
 * with a reason in err (never the password). Later calls use up to
 * PG_POOL_CONNECTIONS (pg_pool.h) connections at once, opened as needed. */
int blobs_open_postgres(const char *url, blobs **out, char *err, size_t err_len);
void blobs_close(blobs *b);

/* The id of data: SHA-256, lowercase hex. */
int blobs_id(const uint8_t *data, size_t len, char id[BLOB_ID_CHARS + 1]);
/* 1 if id is 64 lowercase hex digits. */
int blobs_valid_id(const char *id);

/* Stores data under id (replacing nothing if it is already there): 0 or an
 * errno (EIO when the database failed; logged on stderr). */
int blobs_put(blobs *b, const char *id, const uint8_t *data, size_t len);

/* The bytes of one blob: a file descriptor the caller reads with pread()
 * (a file of the directory, or an anonymous in-memory file) and closes. */
typedef struct {
    int fd;
    uint64_t size;
} blob_content;

/* Reads the blob of id: 0, ENOENT when there is none, or an errno. */
int blobs_get(blobs *b, const char *id, blob_content *out);
/* Releases what blobs_get returned (fd closed). */
void blob_content_clear(blob_content *c);
/* Removes the blob of id: 0 or an errno (ENOENT included). */
int blobs_remove(blobs *b, const char *id);

/* A blob must have gone this long without being stored (blobs_put) before
 * a sweep may remove it: far longer than an upload takes from storing its
 * bytes to adding its row. */
#define BLOBS_SWEEP_GRACE_SECONDS 3600

/* Whether an image row refers to id: 1 yes, 0 no, -1 cannot tell. */
typedef int (*blobs_listed_fn)(const char *id, void *arg);

/* Removes the blobs that no image row refers to (listed() says 0) and that
 * were last stored more than grace_seconds ago: what a crash between
 * storing an image's bytes and adding its row, or between removing its row
 * and its bytes, left behind. Safe while other threads and processes put,
 * get, remove and sweep: a blob stored again meanwhile is kept, each blob
 * is removed once. The number removed in *removed. 0, or an errno (EIO
 * when the database failed or listed() could not tell: the sweep stops). */
int blobs_sweep(blobs *b, int64_t grace_seconds, blobs_listed_fn listed, void *arg,
                size_t *removed);

/* ---- for implementations ----
 * An implementation embeds `blobs` as the first member of its own struct,
 * points ops at its table and returns &its->base from its opener. */

typedef struct {
    void (*close)(blobs *b);
    int (*put)(blobs *b, const char *id, const uint8_t *data, size_t len);
    int (*get)(blobs *b, const char *id, blob_content *out);
    int (*remove)(blobs *b, const char *id);
    int (*sweep)(blobs *b, int64_t grace_seconds, blobs_listed_fn listed, void *arg,
                 size_t *removed);
} blobs_ops;

struct blobs {
    const blobs_ops *ops;
};

#endif
