/* blobs.c — content-addressed image files, written atomically. */
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

int blobs_open(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return errno;
    DIR *d = opendir(dir);
    if (!d)
        return errno;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
            continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path); /* an upload a crash interrupted */
    }
    closedir(d);
    return 0;
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

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int e = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return e;
}

int blobs_put(const char *dir, const char *id, const uint8_t *data, size_t len)
{
    char final[4200], tmp[4200];
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

int blobs_open_file(const char *dir, const char *id, uint64_t *size)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, id);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

int blobs_remove(const char *dir, const char *id)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, id);
    if (unlink(path) != 0)
        return errno;
    return sync_dir(dir);
}
