/* blobs.c — the blobs_* functions (dispatching to an implementation, see
 * blobs.h) and the directory implementation: content-addressed files,
 * written atomically. */
#include "server/blobs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/primitives.h"
#include "shroud.h"

#define TMP_PREFIX ".tmp-"     /* + host + "~" + pid + "~" + 6 random characters */
#define SWEEP_PREFIX ".sweep-" /* + id + "-" + 8 random hex digits: set aside by a sweep */
#define SWEEP_NAME_CHARS (sizeof SWEEP_PREFIX + BLOB_ID_CHARS + 9)
#define PATH_CHARS 4200

/* ---- the public functions ---- */

void blobs_close(blobs *b)
{
    if (b)
        b->ops->close(b);
}

int blobs_id(const uint8_t *data, size_t len, char id[BLOB_ID_CHARS + 1])
{
    uint8_t h[SHA256_BYTES];
    if (sha256(data, len, h) != SHROUD_OK)
        return -1;
    for (size_t i = 0; i < sizeof h; i++)
        snprintf(id + 2 * i, 3, "%02x", h[i]);
    return 0;
}

int blobs_valid_id(const char *id)
{
    size_t i = 0;
    for (; id[i]; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return 0;
    return i == BLOB_ID_CHARS;
}

int blobs_put(blobs *b, const char *id, const uint8_t *data, size_t len)
{
    return blobs_valid_id(id) ? b->ops->put(b, id, data, len) : EINVAL;
}

int blobs_get(blobs *b, const char *id, blob_content *out)
{
    out->fd = -1;
    out->size = 0;
    return blobs_valid_id(id) ? b->ops->get(b, id, out) : ENOENT;
}

void blob_content_clear(blob_content *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->size = 0;
}

int blobs_remove(blobs *b, const char *id)
{
    return blobs_valid_id(id) ? b->ops->remove(b, id) : ENOENT;
}

int blobs_sweep(blobs *b, int64_t grace_seconds, blobs_listed_fn listed, void *arg, size_t *removed)
{
    *removed = 0;
    return b->ops->sweep(b, grace_seconds < 0 ? 0 : grace_seconds, listed, arg, removed);
}

/* ---- the directory ---- */

typedef struct {
    blobs base; /* first: a blobs * points at the dir_blobs */
    char dir[PATH_CHARS];
} dir_blobs;

static const blobs_ops dir_ops;

static const char *dir_of(blobs *b)
{
    return ((dir_blobs *)b)->dir;
}

/* 1 when the regular file name in the directory dfd was last modified
 * before cutoff, 0 when later (or not a regular file), -1 when it is gone. */
static int modified_before(int dfd, const char *name, time_t cutoff)
{
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return -1;
    return S_ISREG(st.st_mode) && st.st_mtime < cutoff;
}

#define HOST_CHARS 256

/* This machine's name as temporary file names carry it ("" if unknown). */
static void this_host(char out[HOST_CHARS])
{
    if (gethostname(out, HOST_CHARS - 1) != 0)
        out[0] = '\0';
    out[HOST_CHARS - 1] = '\0';
    out[strcspn(out, "/~")] = '\0';
}

/* 1 when the temporary file name was made by a process of this host that
 * is gone (so no upload is writing it), else 0. */
static int left_by_dead_process(const char *name)
{
    char host[HOST_CHARS];
    this_host(host);
    size_t prefix = strlen(TMP_PREFIX), hlen = strlen(host);
    if (strncmp(name + prefix, host, hlen) != 0 || name[prefix + hlen] != '~')
        return 0;
    char *end;
    long pid = strtol(name + prefix + hlen + 1, &end, 10);
    return pid > 0 && *end == '~' && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Puts a blob a sweep set aside (aside) back under its id, unless the id
 * was stored again meanwhile (the same bytes): then drops the aside copy.
 * On any other failure the aside file stays, for the next open. */
static void put_back(int dfd, const char *aside, const char *id)
{
    if (linkat(dfd, aside, dfd, id, 0) == 0 || errno == EEXIST)
        unlinkat(dfd, aside, 0);
}

int blobs_open_dir(const char *dir, blobs **out, char *err, size_t err_len)
{
    *out = NULL;
    if (strlen(dir) + 1 + BLOB_ID_CHARS >= PATH_CHARS) {
        snprintf(err, err_len, "the image directory's path is too long: %.64s...", dir);
        return ENAMETOOLONG;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        int e = errno;
        snprintf(err, err_len, "cannot create the image directory %s: %s", dir, strerror(e));
        return e;
    }
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        snprintf(err, err_len, "cannot open the image directory %s: %s", dir, strerror(e));
        return e;
    }
    /* What crashes left: temporary files of uploads (of a dead process of
     * this host, or old: others may be uploads in progress in other
     * processes sharing the directory) and blobs a sweep had set aside
     * (back in place: the next sweep decides). */
    time_t cutoff = time(NULL) - BLOBS_SWEEP_GRACE_SECONDS;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0 &&
            (left_by_dead_process(e->d_name) || modified_before(dirfd(d), e->d_name, cutoff) == 1))
            unlinkat(dirfd(d), e->d_name, 0);
        else if (strncmp(e->d_name, SWEEP_PREFIX, strlen(SWEEP_PREFIX)) == 0 &&
                 strlen(e->d_name) == SWEEP_NAME_CHARS - 1) {
            char id[BLOB_ID_CHARS + 1];
            memcpy(id, e->d_name + strlen(SWEEP_PREFIX), BLOB_ID_CHARS);
            id[BLOB_ID_CHARS] = '\0';
            if (blobs_valid_id(id))
                put_back(dirfd(d), e->d_name, id);
        }
    }
    closedir(d);
    dir_blobs *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, err_len, "out of memory");
        return ENOMEM;
    }
    b->base.ops = &dir_ops;
    snprintf(b->dir, sizeof b->dir, "%s", dir);
    *out = &b->base;
    return 0;
}

static void dir_close(blobs *b)
{
    free(b);
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int e = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return e;
}

static int dir_put(blobs *b, const char *id, const uint8_t *data, size_t len)
{
    const char *dir = dir_of(b);
    char final[PATH_CHARS + 80], tmp[PATH_CHARS + HOST_CHARS + 80];
    snprintf(final, sizeof final, "%s/%s", dir, id);
    /* The same bytes already there: stored again now, so no sweep takes
     * them (one that set them aside first makes this fail: write anew). */
    if (utimensat(AT_FDCWD, final, NULL, 0) == 0)
        return 0;
    if (errno != ENOENT)
        return errno;
    char host[HOST_CHARS];
    this_host(host);
    snprintf(tmp, sizeof tmp, "%s/" TMP_PREFIX "%s~%ld~XXXXXX", dir, host, (long)getpid());
    int fd = mkstemp(tmp);
    if (fd < 0)
        return errno;
    int e = 0;
    for (size_t done = 0; !e && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno != EINTR)
            e = errno;
        else if (n > 0)
            done += (size_t)n;
    }
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && rename(tmp, final) != 0)
        e = errno;
    if (e) {
        unlink(tmp);
        return e;
    }
    return sync_dir(dir);
}

static int dir_get(blobs *b, const char *id, blob_content *out)
{
    char path[PATH_CHARS + 80];
    snprintf(path, sizeof path, "%s/%s", dir_of(b), id);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ENOENT;
    }
    out->fd = fd;
    out->size = (uint64_t)st.st_size;
    return 0;
}

static int dir_remove(blobs *b, const char *id)
{
    char path[PATH_CHARS + 80];
    snprintf(path, sizeof path, "%s/%s", dir_of(b), id);
    if (unlink(path) != 0)
        return errno;
    return sync_dir(dir_of(b));
}

/* Each candidate (old, not listed) is renamed aside under a name of this
 * sweep's own, then checked again: stored meanwhile (a put refreshes the
 * time, or finds it gone and writes it anew) or listed meanwhile, it goes
 * back; otherwise it is removed. Another sweep's rename makes ours fail
 * (skipped). */
static int dir_sweep(blobs *b, int64_t grace_seconds, blobs_listed_fn listed, void *arg,
                     size_t *removed)
{
    DIR *d = opendir(dir_of(b));
    if (!d)
        return errno;
    int dfd = dirfd(d), e = 0;
    time_t cutoff = time(NULL) - (time_t)grace_seconds;
    struct dirent *ent;
    while (!e && (ent = readdir(d)) != NULL) {
        const char *id = ent->d_name;
        if (!blobs_valid_id(id) || modified_before(dfd, id, cutoff) != 1)
            continue;
        int r = listed(id, arg);
        if (r != 0) {
            e = r < 0 ? EIO : 0;
            continue;
        }
        uint8_t nonce[4];
        char aside[SWEEP_NAME_CHARS];
        if (prim_random(nonce, sizeof nonce) != SHROUD_OK) {
            e = EIO;
            break;
        }
        snprintf(aside, sizeof aside, SWEEP_PREFIX "%.64s-%02x%02x%02x%02x", id, nonce[0], nonce[1],
                 nonce[2], nonce[3]);
        if (renameat(dfd, id, dfd, aside) != 0)
            continue; /* gone meanwhile: removed, or another sweep has it */
        if (modified_before(dfd, aside, cutoff) != 1 || (r = listed(id, arg)) != 0) {
            put_back(dfd, aside, id);
            e = r < 0 ? EIO : 0;
            continue;
        }
        if (unlinkat(dfd, aside, 0) == 0)
            (*removed)++;
    }
    closedir(d);
    int synced = *removed ? sync_dir(dir_of(b)) : 0;
    return e ? e : synced;
}

static const blobs_ops dir_ops = {dir_close, dir_put, dir_get, dir_remove, dir_sweep};
