/* files.c — inputs, atomic outputs, small files, progress. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "image/big_buffer.h"

#define PROGRESS_MIN_BYTES (64 * 1024 * 1024) /* smaller inputs finish too fast to matter */

int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
        return 0;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return errno ? errno : EIO;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* "<dir>/.<base>.tmp-XXXXXX" beside path. */
static char *tmp_template(const char *path)
{
    char *a = strdup(path), *b = strdup(path);
    char *out = NULL;
    if (a && b) {
        size_t n = strlen(path) + 32;
        out = malloc(n);
        if (out)
            snprintf(out, n, "%s/.%s.tmp-XXXXXX", dirname(a), basename(b));
    }
    free(a);
    free(b);
    return out;
}

int output_open(cli_output *o, const char *path, int force, mode_t mode)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->buf = malloc(IO_BUFFER_BYTES);
    if (!o->buf)
        return ENOMEM;
    if (!path || strcmp(path, "-") == 0) {
        o->fd = STDOUT_FILENO;
        return 0;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* a FIFO, a terminal, /dev/null: write into it, there is nothing to replace */
        o->fd = open(path, O_WRONLY | O_CLOEXEC);
        if (o->fd < 0) {
            int e = errno;
            output_abort(o);
            return e;
        }
        return 0;
    }
    if (!force && path_exists(path)) {
        output_abort(o);
        return EEXIST;
    }
    o->path = strdup(path);
    o->tmp_path = tmp_template(path);
    if (!o->path || !o->tmp_path) {
        output_abort(o);
        return ENOMEM;
    }
    /* No signal between creating the file and telling the handler about it. */
    sigset_t block, saved;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &saved);
    o->fd = mkstemp(o->tmp_path);
    if (o->fd >= 0)
        signals_track_tmp(o->tmp_path);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    if (o->fd < 0) {
        int e = errno;
        free(o->tmp_path);
        o->tmp_path = NULL;
        output_abort(o);
        return e;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(o->fd, mode & ~mask) != 0) {
        int e = errno;
        output_abort(o);
        return e;
    }
    return 0;
}

static int output_flush(cli_output *o)
{
    if (o->len > o->buf_used)
        o->buf_used = o->len;
    int e = write_all(o->fd, o->buf, o->len);
    o->len = 0;
    return e;
}

int output_write(void *ctx, const uint8_t *buf, size_t len)
{
    cli_output *o = ctx;
    if (o->failed_errno)
        return -1;
    if (o->len + len > IO_BUFFER_BYTES) {
        o->failed_errno = output_flush(o);
        if (!o->failed_errno && len >= IO_BUFFER_BYTES)
            o->failed_errno = write_all(o->fd, buf, len);
        else if (!o->failed_errno)
            memcpy(o->buf + o->len, buf, len), o->len += len;
        return o->failed_errno ? -1 : 0;
    }
    memcpy(o->buf + o->len, buf, len);
    o->len += len;
    return 0;
}

int output_commit(cli_output *o)
{
    int e = o->failed_errno ? o->failed_errno : output_flush(o);
    if (e)
        return e;
    if (!o->tmp_path) { /* stdout, or written straight into a FIFO or device */
        if (o->fd > STDERR_FILENO && close(o->fd) != 0) {
            o->fd = -1;
            return errno;
        }
        o->fd = -1;
        return 0;
    }
    if (fsync(o->fd) != 0 || close(o->fd) != 0) {
        o->fd = -1;
        return errno;
    }
    o->fd = -1;
    if (rename(o->tmp_path, o->path) != 0)
        return errno;
    free(o->tmp_path);
    o->tmp_path = NULL;
    signals_track_tmp(NULL);
    return 0;
}

void output_abort(cli_output *o)
{
    if (!o->tmp_path && o->fd > STDERR_FILENO)
        close(o->fd);
    if (o->tmp_path) {
        if (o->fd >= 0)
            close(o->fd);
        unlink(o->tmp_path);
        signals_track_tmp(NULL);
    }
    free(o->tmp_path);
    free(o->path);
    if (o->len > o->buf_used)
        o->buf_used = o->len;
    if (o->buf) /* may hold plaintext; pages never filled are left untouched */
        memset(o->buf, 0, o->buf_used);
    free(o->buf);
    memset(o, 0, sizeof *o);
    o->fd = -1;
}

int output_is_tty(const cli_output *o)
{
    return o->fd >= 0 && isatty(o->fd);
}

int input_open(cli_input *in, const char *path)
{
    memset(in, 0, sizeof *in);
    in->size = -1;
    if (!path || strcmp(path, "-") == 0) {
        in->fd = STDIN_FILENO;
        in->name = "standard input";
    } else {
        in->fd = open(path, O_RDONLY | O_CLOEXEC);
        in->name = path;
        if (in->fd < 0)
            return errno;
    }
    struct stat st;
    if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode))
        in->size = st.st_size;
    if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        input_close(in);
        return EISDIR;
    }
    return 0;
}

void input_close(cli_input *in)
{
    if (in->fd > STDERR_FILENO)
        close(in->fd);
    in->fd = -1;
}

/* ---- progress on a terminal ---- */

typedef struct {
    int on;
    const char *verb;
    off_t total, done;
    int last_percent;
} progress;

static void progress_show(progress *p)
{
    int percent = p->total > 0 ? (int)(p->done * 100 / p->total) : 100;
    if (!p->on || percent == p->last_percent)
        return;
    p->last_percent = percent;
    int width = 30, filled = percent * width / 100;
    fprintf(stderr, "\r%s [", p->verb);
    for (int i = 0; i < width; i++)
        fputc(i < filled ? '#' : '.', stderr);
    fprintf(stderr, "] %3d%%", percent);
    fflush(stderr);
}

static void progress_end(progress *p)
{
    if (p->on)
        fprintf(stderr, "\r\033[K");
}

int input_pump(cli_input *in, int (*fn)(void *ctx, const uint8_t *buf, size_t len), void *ctx,
               const char *verb, int *read_errno)
{
    uint8_t *buf = malloc(IO_BUFFER_BYTES);
    if (!buf)
        return SHROUD_ERR_NOMEM;
    progress p = {isatty(STDERR_FILENO) && in->size >= PROGRESS_MIN_BYTES, verb, in->size, 0, -1};
    int err = SHROUD_OK;
    *read_errno = 0;
    for (;;) {
        ssize_t n = read(in->fd, buf, IO_BUFFER_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *read_errno = errno;
            err = SHROUD_ERR_CANCELLED;
            break;
        }
        if (n == 0)
            break;
        err = fn(ctx, buf, (size_t)n);
        if (err)
            break;
        p.done += n;
        progress_show(&p);
    }
    progress_end(&p);
    free(buf);
    return err;
}

/* ---- small files ---- */

int read_small_file(const char *path, size_t max, char **out, size_t *out_len)
{
    cli_input in;
    int e = input_open(&in, path);
    if (e)
        return e;
    size_t cap = 4096, len = 0;
    struct stat st; /* a regular file: its size, plus one byte to see the end */
    if (fstat(in.fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        cap = (uint64_t)st.st_size < max ? (size_t)st.st_size + 1 : max;
    char *buf = big_buffer_alloc(cap + 1); /* an image: huge pages when large */
    while (buf) {
        if (len == cap) {
            if (cap >= max) {
                e = EFBIG;
                break;
            }
            size_t ncap = cap * 2 > max ? max : cap * 2;
            char *p = malloc(ncap + 1);
            if (p) {
                memcpy(p, buf, len);
                shroud_free_secret(buf, cap + 1); /* may hold a key: wipe the old copy */
            }
            buf = p;
            cap = ncap;
            continue;
        }
        ssize_t n = read(in.fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            e = errno;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    input_close(&in);
    if (!buf)
        return ENOMEM;
    if (e) {
        shroud_free_secret(buf, cap + 1);
        return e;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

int write_small_file(const char *path, const char *text, size_t len, int force, mode_t mode)
{
    cli_output o;
    int e = output_open(&o, path, force, mode);
    if (e)
        return e;
    if (output_write(&o, (const uint8_t *)text, len) != 0)
        e = o.failed_errno;
    if (!e)
        e = output_commit(&o);
    output_abort(&o); /* also wipes the buffer that held the text */
    return e;
}

char *default_identity_path(void)
{
    const char *env = getenv("SHROUD_IDENTITY");
    if (env && *env)
        return strdup(env);
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char buf[4096];
    if (xdg && *xdg)
        snprintf(buf, sizeof buf, "%s/shroud/identity", xdg);
    else if (home && *home)
        snprintf(buf, sizeof buf, "%s/.config/shroud/identity", home);
    else
        return NULL;
    return strdup(buf);
}
