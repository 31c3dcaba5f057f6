/* remote_trust.c — trust on first use, like ssh's known_hosts: the first
 * time shroud remote meets an HTTPS server it learns the pin of the key the
 * server presents, has the user confirm it (--pin, or yes on the terminal),
 * and stores it in known_servers; every later request checks that pin. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/remote.h"

#define PIN_PREFIX "sha256//"
#define PIN_BASE64_CHARS 44 /* a SHA-256 in base64 */
#define ANSWER_MAX 64

/* "sha256//" and 44 characters of base64. */
static int pin_well_formed(const char *pin)
{
    size_t prefix = strlen(PIN_PREFIX);
    if (strncmp(pin, PIN_PREFIX, prefix) != 0 || strlen(pin) != prefix + PIN_BASE64_CHARS)
        return 0;
    for (const char *p = pin + prefix; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '/' && *p != '=')
            return 0;
    return 1;
}

/* Reads one line from fd into buf[cap] (the rest of a long line dropped). */
static size_t read_answer(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || ch == '\n')
            break;
        if (n + 1 < cap)
            buf[n++] = ch;
    }
    buf[n] = '\0';
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        buf[--n] = '\0';
    return n;
}

/* Shows the pin on the terminal and asks. 0 when the user says yes. */
static int ask_on_terminal(const remote_config *c, const remote_server *s, const char *pin)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return fail("%s is not a known server and there is no terminal to ask whether to trust "
                    "it: pass --pin with the pin 'shroud serve' printed at start (its line "
                    "'pin sha256//...')",
                    s->origin);
    char prompt[1024];
    int n = snprintf(prompt, sizeof prompt,
                     "The server at %s is not known yet. The pin of its key is\n"
                     "    %s\n"
                     "Compare it with the pin 'shroud serve' printed when it started (or that its\n"
                     "operator gave you). Trust this server and store the pin in %s? [yes/no]: ",
                     s->origin, pin, c->known_servers);
    (void)!write(fd, prompt, n > 0 && (size_t)n < sizeof prompt ? (size_t)n : strlen(prompt));
    char answer[ANSWER_MAX];
    read_answer(fd, answer, sizeof answer);
    close(fd);
    if (strcasecmp(answer, "yes") == 0 || strcasecmp(answer, "y") == 0)
        return 0;
    return fail("%s not trusted: nothing stored, the command not run", s->origin);
}

int remote_trust(const remote_config *c, const remote_opts *o, remote_server *s)
{
    s->known_servers = c->known_servers;
    if (!s->tls) {
        warn("%s is plain HTTP: passwords, session tokens and images travel unencrypted and "
             "unauthenticated (use https:// unless the server is on this machine)",
             s->origin);
        return 0;
    }
    if (o->pin && !pin_well_formed(o->pin))
        return usage_error(o->cmd,
                           "--pin takes sha256// and 44 characters of base64 (the "
                           "'pin' line of shroud serve), not '%s'",
                           o->pin);
    char stored[REMOTE_PIN_MAX];
    int line = 0;
    int found = known_servers_find(c, s->origin, stored, &line);
    if (found < 0)
        return EXIT_FAILED;
    if (found) {
        if (o->pin && strcmp(o->pin, stored) != 0)
            return fail("--pin %s differs from the pin stored for %s on line %d of %s; if the "
                        "server's key really changed, delete that line first",
                        o->pin, s->origin, line, c->known_servers);
        snprintf(s->pin, sizeof s->pin, "%s", stored);
        return 0;
    }
    char actual[REMOTE_PIN_MAX];
    if (remote_fetch_pin(s, actual) != 0)
        return EXIT_FAILED;
    if (o->pin && strcmp(o->pin, actual) != 0)
        return fail("the server at %s does not have the key of --pin %s: check the pin 'shroud "
                    "serve' printed at start (or someone is intercepting the connection); "
                    "nothing was stored",
                    s->origin, o->pin);
    if (!o->pin) {
        int rc = ask_on_terminal(c, s, actual);
        if (rc)
            return rc;
    }
    if (known_servers_add(c, s->origin, actual) != 0)
        return EXIT_FAILED;
    fprintf(stderr, "shroud: %s is now a known server (pin %s in %s)\n", s->origin, actual,
            c->known_servers);
    snprintf(s->pin, sizeof s->pin, "%s", actual);
    return 0;
}
