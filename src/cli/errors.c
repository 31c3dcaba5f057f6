/* errors.c — one-line messages on stderr and small parsing helpers. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

__attribute__((format(printf, 2, 0))) static void vprint(const char *prefix, const char *fmt,
                                                         va_list ap)
{
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint("shroud: ", fmt, ap);
    va_end(ap);
    return EXIT_FAILED;
}

void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint("shroud: warning: ", fmt, ap);
    va_end(ap);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "shroud %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'shroud %s --help'.\n", cmd);
    va_end(ap);
    return EXIT_USAGE;
}

int option_error(const char *cmd, int c, char *const *argv)
{
    const char *arg = argv[optind - 1];
    char short_opt[3] = {'-', (char)optopt, '\0'};
    int is_long = strncmp(arg, "--", 2) == 0;
    const char *name = is_long ? arg : short_opt;
    int len = is_long ? (int)strcspn(arg, "=") : 2;
    if (c == ':')
        return usage_error(cmd, "option '%.*s' needs an argument", len, name);
    return usage_error(cmd, "unknown option '%.*s'", len, name);
}

int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;

void secret_wipe(void *p, size_t len)
{
    if (p && len)
        wipe_memset(p, 0, len);
}
