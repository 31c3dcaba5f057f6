/* signals.c — leave no temporary file and no echo-less terminal behind when
 * interrupted. The only global state of the command; touched by the signal
 * handler with async-signal-safe calls only. */
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"

static char tmp_path[4096];
static volatile sig_atomic_t have_tmp;
static struct termios tty_saved;
static volatile sig_atomic_t tty_fd = -1;

void signals_track_tmp(const char *path)
{
    have_tmp = 0;
    if (path && strlen(path) < sizeof tmp_path) {
        strcpy(tmp_path, path);
        have_tmp = 1;
    }
}

void signals_track_tty(int fd, const struct termios *saved)
{
    tty_fd = -1;
    if (saved) {
        tty_saved = *saved;
        tty_fd = fd;
    }
}

static void on_signal(int sig)
{
    if (tty_fd >= 0) {
        tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
        (void)!write(tty_fd, "\n", 1);
    }
    if (have_tmp)
        unlink(tmp_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

void signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed pipe is an EPIPE write error instead */
}
