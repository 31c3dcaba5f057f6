/* keys.c — loading identities and recipients named on the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

void format_key_id(const uint8_t id[SHROUD_KEY_ID_BYTES], char out[2 * SHROUD_KEY_ID_BYTES + 1])
{
    for (int i = 0; i < SHROUD_KEY_ID_BYTES; i++)
        snprintf(out + 2 * i, 3, "%02x", id[i]);
}

static const char *key_hint(int err)
{
    switch (err) {
    case SHROUD_ERR_KEY_KIND:
        return " (a public key where a secret one is needed, or the reverse)";
    default:
        return "";
    }
}

shroud_identity *load_identity(const char *path, const char *passphrase_file)
{
    char *text = NULL;
    size_t len = 0;
    int e = read_small_file(path, KEY_FILE_MAX, &text, &len);
    if (e) {
        fail("cannot read identity %s: %s", path, e == EFBIG ? "file too large" : strerror(e));
        return NULL;
    }
    pass_source src = {passphrase_file, path, 0};
    shroud_identity *id = NULL;
    int err = shroud_identity_parse(&id, text, len, pass_ask, &src);
    shroud_free_secret(text, len + 1);
    if (err && src.reported)
        return NULL; /* pass_ask said why */
    if (err == SHROUD_ERR_NEED_PASSPHRASE)
        fail("identity %s is protected by a passphrase: run on a terminal or use "
             "--passphrase-file FILE",
             path);
    else if (err == SHROUD_ERR_PASSPHRASE)
        fail("identity %s: wrong passphrase", path);
    else if (err)
        fail("identity %s: %s%s", path, shroud_strerror(err), key_hint(err));
    struct stat st;
    if (!err && stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
        warn("identity %s is readable by other users; run: chmod 600 %s", path, path);
    return err ? NULL : id;
}

shroud_recipient *parse_recipient_arg(const char *text)
{
    shroud_recipient *r = NULL;
    int err = shroud_recipient_parse(&r, text, strlen(text));
    if (err == SHROUD_OK)
        return r;
    if (path_exists(text))
        fail("-r takes a public key, not a file: use -R %s", text);
    else
        fail("recipient '%.24s%s': %s%s", text, strlen(text) > 24 ? "..." : "",
             shroud_strerror(err), key_hint(err));
    return NULL;
}

/* Appends one parsed key, reporting where it came from on failure. */
static int add_key(const char *path, int line, const char *text, size_t len,
                   shroud_recipient **list, size_t cap, size_t *n)
{
    if (*n >= cap)
        return fail("%s: more than %zu recipients", path, cap);
    int err = shroud_recipient_parse(&list[*n], text, len);
    if (err)
        return fail("%s:%d: %s%s", path, line, shroud_strerror(err), key_hint(err));
    (*n)++;
    return 0;
}

int load_recipients_file(const char *path, shroud_recipient **list, size_t cap, size_t *n)
{
    char *text = NULL;
    size_t len = 0;
    int e = read_small_file(path, KEY_FILE_MAX, &text, &len);
    if (e)
        return fail("cannot read recipients file %s: %s", path, strerror(e));
    int rc = 0, line = 0;
    size_t before = *n;
    const char *pem_start = NULL;
    int pem_line = 0;
    for (char *p = text; rc == 0 && p < text + len;) {
        char *end = memchr(p, '\n', (size_t)(text + len - p));
        size_t l = end ? (size_t)(end - p) : (size_t)(text + len - p);
        line++;
        char *s = p;
        size_t sl = l;
        while (sl > 0 && (*s == ' ' || *s == '\t'))
            s++, sl--;
        while (sl > 0 && (s[sl - 1] == ' ' || s[sl - 1] == '\t' || s[sl - 1] == '\r'))
            sl--;
        if (pem_start) {
            if (sl >= 9 && strncmp(s, "-----END ", 9) == 0) {
                rc = add_key(path, pem_line, pem_start, (size_t)(s + sl - pem_start), list, cap, n);
                pem_start = NULL;
            }
        } else if (sl >= 11 && strncmp(s, "-----BEGIN ", 11) == 0) {
            pem_start = s;
            pem_line = line;
        } else if (sl > 0 && s[0] != '#') {
            rc = add_key(path, line, s, sl, list, cap, n);
        }
        p += l + 1;
    }
    free(text);
    if (rc)
        return rc;
    if (pem_start)
        return fail("%s:%d: PEM block without its END line", path, pem_line);
    if (*n == before)
        return fail("%s: no public key found", path);
    return 0;
}

shroud_recipient *load_public_key(const char *arg)
{
    shroud_recipient *r = NULL;
    if (shroud_recipient_parse(&r, arg, strlen(arg)) == SHROUD_OK)
        return r;
    if (!path_exists(arg)) {
        if (strncmp(arg, "shroudpk1", 9) == 0 || strncmp(arg, "-----BEGIN", 10) == 0)
            return parse_recipient_arg(arg); /* prints why the text is not a key */
        fail("%s: no such key file, and not a public key (a 'shroudpk1...' line or a PEM "
             "block)",
             arg);
        return NULL;
    }
    shroud_recipient *list[1] = {NULL};
    size_t n = 0;
    if (load_recipients_file(arg, list, 1, &n))
        return NULL;
    return list[0];
}

int load_identities(const char *const *paths, size_t n_paths, int passphrase, const char *pass_file,
                    shroud_identity **ids, size_t *n)
{
    *n = 0;
    if (n_paths == 0 && !passphrase) {
        char *path = default_identity_path();
        int rc = 0;
        if (path && path_exists(path)) {
            ids[0] = load_identity(path, pass_file);
            *n = ids[0] ? 1 : 0;
            rc = ids[0] ? 0 : EXIT_FAILED;
        }
        free(path);
        return rc;
    }
    for (size_t i = 0; i < n_paths; i++) {
        if (!(ids[i] = load_identity(paths[i], pass_file)))
            return EXIT_FAILED;
        (*n)++;
    }
    return 0;
}
