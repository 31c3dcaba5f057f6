/* blobs.c — the blobs_* functions (dispatching to an implementation, see
 * blobs.h) and the directory implementation: content-addressed files,
 * written atomically. */
#include "server/blobs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/primitives.h"
#include "shroud.h"

#define TMP_PREFIX ".tmp-"
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
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
            continue;
        char path[PATH_CHARS + 256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path); /* an upload a crash interrupted */
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
    char final[PATH_CHARS + 80], tmp[PATH_CHARS + 80];
    snprintf(final, sizeof final, "%s/%s", dir, id);
    if (access(final, F_OK) == 0)
        return 0; /* the same bytes are already there */
    snprintf(tmp, sizeof tmp, "%s/" TMP_PREFIX "XXXXXX", dir);
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

static const blobs_ops dir_ops = {dir_close, dir_put, dir_get, dir_remove};
