/* net_exec.c — `shroud serve|remote`: runs shroud-net in this process's place. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#ifndef SHROUD_LIBEXECDIR
#define SHROUD_LIBEXECDIR "/usr/local/libexec/shroud"
#endif

#define NET_PROGRAM "shroud-net"

#ifndef SHROUD_BIN_TO_LIBEXEC
#define SHROUD_BIN_TO_LIBEXEC "../libexec/shroud"
#endif

/* 1 when dir/sub/shroud-net (sub may be "") can be run; out holds its path. */
static int runnable(char *out, size_t cap, const char *dir, const char *sub)
{
    int n = snprintf(out, cap, "%s/%s%s" NET_PROGRAM, dir, sub, sub[0] ? "/" : "");
    return n > 0 && (size_t)n < cap && access(out, X_OK) == 0;
}

/* Where shroud-net is: beside this executable (a build tree), in the
 * libexec directory relative to it (an install, moved or not), else at the
 * configured SHROUD_LIBEXECDIR. 0, or -1. */
static int find_net_program(char *out, size_t cap)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            if (runnable(out, cap, self, "") || runnable(out, cap, self, SHROUD_BIN_TO_LIBEXEC))
                return 0;
        }
    }
    return runnable(out, cap, SHROUD_LIBEXECDIR, "") ? 0 : -1;
}

/* argv[0] is the command's name ("serve" or "remote"). Returns only on
 * failure. */
static int run_net(int argc, char **argv)
{
    char path[PATH_MAX];
    if (find_net_program(path, sizeof path) != 0)
        return fail("%s: cannot find %s (beside shroud or in " SHROUD_LIBEXECDIR
                    "): reinstall shroud",
                    argv[0], NET_PROGRAM);
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args)
        return fail("out of memory");
    args[0] = path;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    execv(path, args);
    int e = errno;
    free(args);
    return fail("%s: cannot run %s: %s", argv[0], path, strerror(e));
}

int cmd_serve(int argc, char **argv)
{
    return run_net(argc, argv);
}

int cmd_remote(int argc, char **argv)
{
    return run_net(argc, argv);
}
