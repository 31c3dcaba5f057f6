/* remote_images.c — shroud remote upload, list, get and delete: the image
 * routes of docs/API.md. Uploads stream from the file, downloads stream to a
 * temporary file renamed into place once their SHA-256 matches the id. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/remote.h"

#define ID_HEX 64         /* an image id: SHA-256, lowercase hex */
#define ID_PREFIX_MIN 8   /* the shortest start of an id get/delete accept */
#define ID_SHOWN 16       /* digits of the id the table shows */
#define LIST_PAGE_MAX 100 /* the server's largest per_page */
#define RESOLVE_PAGES_MAX 100000
#define OWNER_SHOWN 16

/* "image/png" or "image/jpeg" from the file's first bytes, NULL otherwise. */
static const char *image_type(FILE *f)
{
    static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t head[8];
    size_t n = fread(head, 1, sizeof head, f);
    rewind(f);
    if (n == sizeof head && memcmp(head, png, sizeof png) == 0)
        return "image/png";
    if (n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        return "image/jpeg";
    return NULL;
}

/* Prints a body as it came, ending with a newline. */
static void print_body(const remote_response *rs)
{
    fwrite(rs->body, 1, rs->len, stdout);
    if (rs->len == 0 || rs->body[rs->len - 1] != '\n')
        putchar('\n');
}

int remote_upload(const remote_config *c, const remote_opts *o, remote_server *s)
{
    (void)c;
    const char *path = o->args[0];
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail("cannot open %s: %s", path, strerror(errno));
    struct stat st;
    const char *type = NULL;
    int rc = 0;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        rc = fail("%s is not a regular file", path);
    else if (!(type = image_type(f)))
        rc = fail("%s is neither a PNG nor a JPEG: the server keeps only PNG and JPEG images "
                  "signed with your key (shroud sign -i KEY -o OUT FILE)",
                  path);
    remote_response rs = {0};
    if (!rc) {
        remote_request rq = {.method = "POST",
                             .path = "/api/images",
                             .content_type = type,
                             .upload = f,
                             .upload_len = (long long)st.st_size};
        rc = remote_perform(s, &rq, &rs);
    }
    fclose(f);
    if (rc)
        return rc;
    if (rs.status == 200 || rs.status == 201) {
        json_t *j = json_loadb(rs.body, rs.len, 0, NULL);
        const char *id = json_string_value(json_object_get(j, "id"));
        if (o->json)
            print_body(&rs);
        else if (id)
            printf("%s\n", id);
        else
            rc = fail("%s: the upload answer has no id", s->origin);
        if (!rc && rs.status == 200)
            fprintf(stderr, "shroud: %s was already on %s: nothing new stored\n", path, s->origin);
        json_decref(j);
    } else {
        char doing[4200];
        snprintf(doing, sizeof doing, "uploading %s", path);
        rc = remote_status_fail(s, &rs, doing);
    }
    remote_response_free(&rs);
    return rc;
}

/* GET /api/images?page=&per_page= into rs; 0 when answered 200. */
static int fetch_page(const remote_server *s, unsigned long page, unsigned long per_page,
                      remote_response *rs)
{
    char path[96];
    int n = snprintf(path, sizeof path, "/api/images?page=%lu", page ? page : 1);
    if (per_page)
        snprintf(path + n, sizeof path - (size_t)n, "&per_page=%lu", per_page);
    remote_request rq = {.method = "GET", .path = path};
    int rc = remote_perform(s, &rq, rs);
    if (!rc && rs->status != 200) {
        rc = remote_status_fail(s, rs, "listing the images");
        remote_response_free(rs);
    }
    return rc;
}

static void human_size(long long bytes, char out[24])
{
    if (bytes < 1024)
        snprintf(out, 24, "%lld B", bytes);
    else if (bytes < 1024 * 1024)
        snprintf(out, 24, "%.1f KiB", (double)bytes / 1024.0);
    else
        snprintf(out, 24, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
}

/* At most cap-1 bytes of s, anything unprintable as '?'. */
static void printable(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; s && *s && n + 1 < cap; s++)
        out[n++] = isprint((unsigned char)*s) ? *s : '?';
    out[n] = '\0';
}

static long long int_field(json_t *obj, const char *key)
{
    return (long long)json_integer_value(json_object_get(obj, key));
}

static void print_table(json_t *list)
{
    json_t *images = json_object_get(list, "images");
    long long page = int_field(list, "page"), per_page = int_field(list, "per_page");
    long long total = int_field(list, "total");
    long long pages = per_page > 0 ? (total + per_page - 1) / per_page : 0;
    if (json_array_size(images) == 0) {
        if (total == 0)
            printf("no images\n");
        else
            printf("no images on page %lld (%lld in all, %lld per page)\n", page, total, per_page);
        return;
    }
    printf("%-*s  %-*s  %10s  %11s  %6s  %s\n", ID_SHOWN, "ID", OWNER_SHOWN, "OWNER", "SIZE",
           "WIDTHxHEIGHT", "GROUPS", "CREATED (UTC)");
    size_t i;
    json_t *img;
    json_array_foreach(images, i, img)
    {
        char id[ID_SHOWN + 1], owner[OWNER_SHOWN + 1], size[24], dims[48], created[32];
        printable(json_string_value(json_object_get(img, "id")), id, sizeof id);
        printable(json_string_value(json_object_get(img, "owner")), owner, sizeof owner);
        human_size(int_field(img, "size"), size);
        snprintf(dims, sizeof dims, "%lldx%lld", int_field(img, "width"), int_field(img, "height"));
        json_t *groups = json_object_get(img, "groups");
        long long n_groups =
            json_is_array(groups) ? (long long)json_array_size(groups) : int_field(img, "groups");
        remote_format_time(int_field(img, "created"), created);
        created[strlen(created) > 4 ? strlen(created) - 4 : 0] = '\0'; /* the header says UTC */
        printf("%-*s  %-*s  %10s  %11s  %6lld  %s\n", ID_SHOWN, id, OWNER_SHOWN, owner, size, dims,
               n_groups, created);
    }
    printf("page %lld of %lld (%lld image%s)%s\n", page, pages, total, total == 1 ? "" : "s",
           page < pages ? "; --page N for the others" : "");
}

int remote_list(const remote_config *c, const remote_opts *o, remote_server *s)
{
    (void)c;
    remote_response rs;
    int rc = fetch_page(s, o->page, o->per_page, &rs);
    if (rc)
        return rc;
    if (o->json) {
        print_body(&rs);
    } else {
        json_t *list = json_loadb(rs.body, rs.len, 0, NULL);
        if (!json_is_array(json_object_get(list, "images")))
            rc = fail("%s: the list answer is not the expected JSON", s->origin);
        else
            print_table(list);
        json_decref(list);
    }
    remote_response_free(&rs);
    return rc;
}

/* Looks through the gallery for the one id that starts with prefix. */
static int find_by_prefix(const remote_server *s, const char *prefix, char *id)
{
    size_t n_prefix = strlen(prefix);
    int matches = 0;
    for (unsigned long page = 1; page <= RESOLVE_PAGES_MAX; page++) {
        remote_response rs;
        if (fetch_page(s, page, LIST_PAGE_MAX, &rs) != 0)
            return EXIT_FAILED;
        json_t *list = json_loadb(rs.body, rs.len, 0, NULL);
        json_t *images = json_object_get(list, "images");
        size_t i;
        json_t *img;
        json_array_foreach(images, i, img)
        {
            const char *candidate = json_string_value(json_object_get(img, "id"));
            if (candidate && strlen(candidate) == ID_HEX &&
                strncmp(candidate, prefix, n_prefix) == 0 && matches++ == 0)
                memcpy(id, candidate, ID_HEX + 1);
        }
        int last = json_array_size(images) < LIST_PAGE_MAX;
        json_decref(list);
        remote_response_free(&rs);
        if (last)
            break;
    }
    if (matches == 0)
        return fail("%s: no image has an id starting with %s", s->origin, prefix);
    if (matches > 1)
        return fail("%s: %d images have an id starting with %s: give more digits", s->origin,
                    matches, prefix);
    return 0;
}

/* The full id of the image arg names: its 64 hex digits, or a unique start
 * of at least ID_PREFIX_MIN of them. 0, or prints the problem. */
static int resolve_id(const remote_opts *o, const remote_server *s, const char *arg, char *id)
{
    size_t n = strlen(arg);
    char lower[ID_HEX + 1];
    if (n < ID_PREFIX_MIN || n > ID_HEX || strspn(arg, "0123456789abcdefABCDEF") != n)
        return usage_error(o->cmd,
                           "an image id is 64 hex digits (or a unique start of %d or more), not "
                           "'%.80s'",
                           ID_PREFIX_MIN, arg);
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)tolower((unsigned char)arg[i]);
    if (n == ID_HEX) {
        memcpy(id, lower, ID_HEX + 1);
        return 0;
    }
    return find_by_prefix(s, lower, id);
}

/* A download on its way to its output, hashed as it comes. */
typedef struct {
    cli_output *out;
    EVP_MD_CTX *sha;
    const char *name;
} download;

static int download_sink(void *ctx, const uint8_t *buf, size_t len)
{
    download *d = ctx;
    if (EVP_DigestUpdate(d->sha, buf, len) != 1) {
        fail("SHA-256 failed");
        return -1;
    }
    if (output_write(d->out, buf, len) != 0) {
        fail("cannot write %s: %s", d->name, strerror(d->out->failed_errno));
        return -1;
    }
    return 0;
}

/* 1 if the SHA-256 gathered in sha is the id (64 hex digits). */
static int digest_is_id(EVP_MD_CTX *sha, const char *id)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(sha, digest, &len) != 1 || len * 2 != ID_HEX)
        return 0;
    char hex[ID_HEX + 1];
    for (unsigned int i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return strcmp(hex, id) == 0;
}

int remote_get(const remote_config *c, const remote_opts *o, remote_server *s)
{
    (void)c;
    if (!o->output)
        return usage_error(o->cmd, "give the output with -o OUT ('-o -' for standard output)");
    char id[ID_HEX + 1];
    int rc = resolve_id(o, s, o->args[0], id);
    if (rc)
        return rc;
    cli_output out;
    int e = output_open(&out, o->output, o->force, 0644);
    if (e == EEXIST)
        return fail("%s already exists; use --force to replace it", o->output);
    if (e)
        return fail("cannot create %s: %s", o->output, strerror(e));
    const char *name = strcmp(o->output, "-") != 0 ? o->output : "standard output";
    if (output_is_tty(&out)) {
        output_abort(&out);
        return fail("refusing to write an image to a terminal; use -o FILE");
    }
    download d = {&out, EVP_MD_CTX_new(), name};
    if (!d.sha || EVP_DigestInit_ex(d.sha, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(d.sha);
        output_abort(&out);
        return fail("cannot start SHA-256");
    }
    char path[16 + ID_HEX];
    snprintf(path, sizeof path, "/images/%s", id);
    remote_request rq = {.method = "GET", .path = path, .sink = download_sink, .sink_ctx = &d};
    remote_response rs;
    rc = remote_perform(s, &rq, &rs);
    if (!rc && rs.status != 200) {
        char doing[96];
        snprintf(doing, sizeof doing, "getting image %s", id);
        rc = remote_status_fail(s, &rs, doing);
    } else if (!rc && !digest_is_id(d.sha, id)) {
        rc = fail("%s: the file sent for image %s does not have that SHA-256: not saved", s->origin,
                  id);
    } else if (!rc && (e = output_commit(&out)) != 0) {
        rc = fail("cannot write %s: %s", name, strerror(e));
    }
    remote_response_free(&rs);
    EVP_MD_CTX_free(d.sha);
    output_abort(&out);
    return rc;
}

int remote_delete(const remote_config *c, const remote_opts *o, remote_server *s)
{
    (void)c;
    char id[ID_HEX + 1];
    int rc = resolve_id(o, s, o->args[0], id);
    if (rc)
        return rc;
    char path[16 + ID_HEX];
    snprintf(path, sizeof path, "/api/images/%s", id);
    remote_request rq = {.method = "DELETE", .path = path};
    remote_response rs;
    rc = remote_perform(s, &rq, &rs);
    if (rc)
        return rc;
    if (rs.status == 204) {
        printf("deleted %s\n", id);
    } else {
        char doing[96];
        snprintf(doing, sizeof doing, "deleting image %s", id);
        rc = remote_status_fail(s, &rs, doing);
    }
    remote_response_free(&rs);
    return rc;
}
