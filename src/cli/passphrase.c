/* passphrase.c — passphrases from a file or from the terminal without echo. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"

/* Strips one trailing "\n" or "\r\n". */
static size_t chomp(const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '\n')
        len--;
    if (len > 0 && s[len - 1] == '\r')
        len--;
    return len;
}

/* The first line of the passphrase file. */
static int pass_from_file(const char *path, char *buf, size_t cap, size_t *len)
{
    char *text = NULL;
    size_t text_len = 0;
    int e = read_small_file(path, SHROUD_PASSPHRASE_MAX + 2, &text, &text_len);
    if (e) {
        fail("cannot read passphrase file %s: %s", path,
             e == EFBIG ? "longer than 1024 bytes" : strerror(e));
        return -1;
    }
    const char *nl = memchr(text, '\n', text_len);
    size_t n = chomp(text, nl ? (size_t)(nl - text) + 1 : text_len);
    int ok = n > 0 && n <= cap;
    if (ok)
        memcpy(buf, text, n);
    shroud_free_secret(text, text_len + 1);
    if (!ok) {
        fail("passphrase file %s: %s", path, n == 0 ? "the first line is empty" : "too long");
        return -1;
    }
    *len = n;
    return 0;
}

/* Prompts on /dev/tty with echo off; -1 when there is no terminal. */
static int pass_from_tty(const char *prompt, char *buf, size_t cap, size_t *len)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct termios saved, quiet;
    if (tcgetattr(fd, &saved) != 0) {
        close(fd);
        return -1;
    }
    quiet = saved;
    quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    signals_track_tty(fd, &saved);
    (void)!write(fd, prompt, strlen(prompt));
    tcsetattr(fd, TCSAFLUSH, &quiet);
    size_t n = 0;
    int rc = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || c == '\n')
            break;
        if (n >= cap) {
            rc = -2; /* too long: keep reading to the end of the line */
            continue;
        }
        buf[n++] = c;
    }
    tcsetattr(fd, TCSAFLUSH, &saved);
    signals_track_tty(-1, NULL);
    (void)!write(fd, "\n", 1);
    close(fd);
    n = chomp(buf, n);
    if (rc == -2) {
        memset(buf, 0, cap);
        fail("passphrase longer than %d bytes", SHROUD_PASSPHRASE_MAX);
        return -2;
    }
    *len = n;
    return 0;
}

int pass_ask(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    pass_source *src = ctx;
    if (src && src->file) {
        int rc = pass_from_file(src->file, buf, cap, len);
        src->reported |= rc != 0;
        return rc;
    }
    char prompt[512];
    if (strcmp(purpose, "identity") == 0)
        snprintf(prompt, sizeof prompt,
                 "Passphrase for identity %s: ", src && src->what ? src->what : "");
    else
        snprintf(prompt, sizeof prompt, "Passphrase: ");
    int rc = pass_from_tty(prompt, buf, cap, len);
    if (src && rc == -2)
        src->reported = 1;
    return rc == 0 && *len > 0 ? 0 : -1;
}

int pass_new(const pass_source *src, char *buf, size_t cap, size_t *len)
{
    if (src->file)
        return pass_from_file(src->file, buf, cap, len) == 0 ? 0 : EXIT_FAILED;
    char again[SHROUD_PASSPHRASE_MAX];
    size_t again_len = 0;
    char prompt[256], confirm[256];
    snprintf(prompt, sizeof prompt, "Enter passphrase%s%s: ", src->what ? " for " : "",
             src->what ? src->what : "");
    snprintf(confirm, sizeof confirm, "Confirm passphrase%s%s: ", src->what ? " for " : "",
             src->what ? src->what : "");
    int rc = pass_from_tty(prompt, buf, cap, len);
    if (rc == -1)
        return fail("no terminal to ask for a passphrase on; use --passphrase-file FILE");
    if (rc != 0)
        return EXIT_FAILED;
    if (*len == 0)
        return fail("empty passphrase refused");
    rc = pass_from_tty(confirm, again, sizeof again, &again_len);
    int same = rc == 0 && again_len == *len && memcmp(again, buf, *len) == 0;
    memset(again, 0, sizeof again);
    if (!same) {
        memset(buf, 0, cap);
        return fail("the passphrases do not match");
    }
    return 0;
}
