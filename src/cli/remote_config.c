/* remote_config.c — shroud remote's files: the configuration directory,
 * known_servers (the pinned keys), one session file per server, and the
 * default server. Every file is written atomically (temporary + rename). */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/remote.h"

#define CONFIG_FILE_MAX (1u << 20)
#define SESSION_FILE_MAX 4096u

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return ENOMEM;
    int e = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char saved = *s;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            e = errno;
            break;
        }
        *s = saved;
        if (saved == '\0')
            break;
    }
    free(p);
    return e;
}

int remote_config_open(remote_config *c, int create)
{
    memset(c, 0, sizeof *c);
    const char *env = getenv("SHROUD_CONFIG_DIR");
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (env && *env)
        c->dir = strdup(env);
    else if (xdg && *xdg)
        c->dir = join(xdg, "shroud");
    else if (home && *home)
        c->dir = join(home, ".config/shroud");
    else
        return fail("no configuration directory: set SHROUD_CONFIG_DIR or HOME");
    if (c->dir) {
        c->known_servers = join(c->dir, "known_servers");
        c->default_server = join(c->dir, "remote_default");
        c->sessions = join(c->dir, "sessions");
    }
    if (!c->dir || !c->known_servers || !c->default_server || !c->sessions) {
        remote_config_close(c);
        return fail("out of memory");
    }
    if (!create)
        return 0;
    int e = make_dirs(c->sessions);
    if (e) {
        fail("cannot create the configuration directory %s: %s", c->sessions, strerror(e));
        remote_config_close(c);
        return EXIT_FAILED;
    }
    return 0;
}

void remote_config_close(remote_config *c)
{
    free(c->dir);
    free(c->known_servers);
    free(c->default_server);
    free(c->sessions);
    memset(c, 0, sizeof *c);
}

int remote_origin_parse(const char *cmd, const char *url, char *origin, int *tls)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *user = NULL;
    int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK;
    int rc = 0;
    if (!ok) {
        rc = usage_error(cmd, "--server takes a URL like https://HOST:PORT, not '%s'", url);
    } else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
        rc = usage_error(
            cmd, "--server: use https://HOST:PORT (or http:// for a --no-tls server), not '%s'",
            url);
    } else {
        curl_url_get(u, CURLUPART_PATH, &path, 0);
        curl_url_get(u, CURLUPART_QUERY, &query, 0);
        curl_url_get(u, CURLUPART_USER, &user, 0);
        if ((path && strcmp(path, "/") != 0) || query || user)
            rc = usage_error(cmd,
                             "--server takes the server's origin (https://HOST:PORT), without a "
                             "path, query or user: not '%s'",
                             url);
    }
    if (!rc) {
        for (char *p = host; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        int n = snprintf(origin, REMOTE_ORIGIN_MAX, "%s://%s:%s", scheme, host, port);
        if (n < 0 || n >= REMOTE_ORIGIN_MAX)
            rc = usage_error(cmd, "--server: the host name is too long");
        *tls = strcmp(scheme, "https") == 0;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_free(user);
    curl_url_cleanup(u);
    return rc;
}

/* Reads a whole configuration file: 1 when read, 0 when absent, -1 (printed)
 * on an error. */
static int read_config_file(const char *path, size_t max, char **text, size_t *len)
{
    int e = read_small_file(path, max, text, len);
    if (e == ENOENT)
        return 0;
    if (e) {
        fail("cannot read %s: %s", path, e == EFBIG ? "too large" : strerror(e));
        return -1;
    }
    return 1;
}

int remote_pick_server(const remote_config *c, const remote_opts *o, char *origin, int *tls)
{
    if (o->server)
        return remote_origin_parse(o->cmd, o->server, origin, tls);
    const char *env = getenv("SHROUD_SERVER");
    if (env && *env)
        return remote_origin_parse(o->cmd, env, origin, tls);
    char *text = NULL;
    size_t len = 0;
    int found = read_config_file(c->default_server, 4096, &text, &len);
    if (found < 0)
        return EXIT_FAILED;
    if (!found)
        return usage_error(o->cmd, "no server given and none logged in to yet: pass --server "
                                   "https://HOST:PORT (or set SHROUD_SERVER)");
    text[strcspn(text, "\r\n")] = '\0';
    int rc = remote_origin_parse(o->cmd, text, origin, tls);
    free(text);
    return rc;
}

int known_servers_find(const remote_config *c, const char *origin, char *pin, int *line_no)
{
    char *text = NULL;
    size_t len = 0;
    int r = read_config_file(c->known_servers, CONFIG_FILE_MAX, &text, &len);
    if (r != 1)
        return r;
    int found = 0, n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        n++;
        char name[REMOTE_ORIGIN_MAX], value[REMOTE_PIN_MAX];
        if (line[0] == '#' || sscanf(line, "%299s %63s", name, value) != 2)
            continue;
        if (strcmp(name, origin) == 0) {
            snprintf(pin, REMOTE_PIN_MAX, "%s", value);
            *line_no = n;
            found = 1;
            break;
        }
    }
    free(text);
    return found;
}

int known_servers_add(const remote_config *c, const char *origin, const char *pin)
{
    char *text = NULL;
    size_t len = 0;
    int r = read_config_file(c->known_servers, CONFIG_FILE_MAX, &text, &len);
    if (r < 0)
        return EXIT_FAILED;
    const char *head = "# shroud remote: the servers trusted, one \"ORIGIN PIN\" a line (the pin:\n"
                       "# sha256// and the base64 SHA-256 of the certificate's public key).\n";
    size_t cap = (r ? len : strlen(head)) + strlen(origin) + strlen(pin) + 4;
    char *out = malloc(cap);
    if (!out) {
        free(text);
        return fail("out of memory");
    }
    const char *old = r ? text : head;
    size_t old_len = r ? len : strlen(head);
    int sep = old_len > 0 && old[old_len - 1] != '\n';
    int n = snprintf(out, cap, "%.*s%s%s %s\n", (int)old_len, old, sep ? "\n" : "", origin, pin);
    int e = write_small_file(c->known_servers, out, (size_t)n, 1, 0644);
    free(out);
    free(text);
    if (e)
        return fail("cannot write %s: %s", c->known_servers, strerror(e));
    return 0;
}

/* DIR/sessions/SCHEME_HOST_PORT, each byte of the host outside
 * [A-Za-z0-9.-] as %XX (IPv6 brackets and colons), so names never collide. */
static char *session_path(const remote_config *c, const char *origin)
{
    const char *host = strstr(origin, "://");
    const char *port = strrchr(origin, ':');
    if (!host || !port || port < host + 3)
        return NULL;
    char name[3 * REMOTE_ORIGIN_MAX + 1];
    int n = snprintf(name, sizeof name, "%.*s_", (int)(host - origin), origin);
    for (const unsigned char *p = (const unsigned char *)host + 3; p < (const unsigned char *)port;
         p++) {
        if (isalnum(*p) || *p == '.' || *p == '-')
            name[n++] = (char)*p;
        else
            n += snprintf(name + n, sizeof name - (size_t)n, "%%%02X", *p);
    }
    snprintf(name + n, sizeof name - (size_t)n, "_%s", port + 1);
    return join(c->sessions, name);
}

int session_load(const remote_config *c, const char *origin, remote_session *s)
{
    memset(s, 0, sizeof *s);
    char *path = session_path(c, origin);
    if (!path)
        return fail("out of memory");
    char *text = NULL;
    size_t len = 0;
    int r = read_config_file(path, SESSION_FILE_MAX, &text, &len);
    if (r != 1) {
        free(path);
        return r;
    }
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *value = strchr(line, ' ');
        if (!value)
            continue;
        *value++ = '\0';
        if (strcmp(line, "token") == 0)
            snprintf(s->token, sizeof s->token, "%s", value);
        else if (strcmp(line, "user") == 0)
            snprintf(s->user, sizeof s->user, "%s", value);
        else if (strcmp(line, "expires") == 0)
            s->expires = strtoll(value, NULL, 10);
    }
    shroud_free_secret(text, len + 1);
    if (s->token[0] == '\0') {
        secret_wipe(s, sizeof *s);
        fail("%s holds no token: remove it and run 'shroud remote login'", path);
        free(path);
        return -1;
    }
    free(path);
    return 1;
}

int session_save(const remote_config *c, const char *origin, const remote_session *s)
{
    char *path = session_path(c, origin);
    if (!path)
        return fail("out of memory");
    char text[REMOTE_ORIGIN_MAX + REMOTE_TOKEN_MAX + REMOTE_USER_MAX + 64];
    int n = snprintf(text, sizeof text, "server %s\nuser %s\nexpires %lld\ntoken %s\n", origin,
                     s->user, s->expires, s->token);
    int e = write_small_file(path, text, (size_t)n, 1, 0600);
    secret_wipe(text, sizeof text);
    int rc = e ? fail("cannot write %s: %s", path, strerror(e)) : 0;
    free(path);
    return rc;
}

int session_delete(const remote_config *c, const char *origin)
{
    char *path = session_path(c, origin);
    if (!path)
        return fail("out of memory");
    int rc = 0;
    if (remove(path) != 0 && errno != ENOENT)
        rc = fail("cannot remove %s: %s", path, strerror(errno));
    free(path);
    return rc;
}

int default_server_save(const remote_config *c, const char *origin)
{
    char text[REMOTE_ORIGIN_MAX + 2];
    int n = snprintf(text, sizeof text, "%s\n", origin);
    int e = write_small_file(c->default_server, text, (size_t)n, 1, 0600);
    return e ? fail("cannot write %s: %s", c->default_server, strerror(e)) : 0;
}
