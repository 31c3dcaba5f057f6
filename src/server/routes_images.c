/* routes_images.c — upload, gallery, metadata, download, delete. */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/blobs.h"
#include "server/routes.h"
#include "server/sessions.h"
#include "shroud.h"

#define PER_PAGE_DEFAULT 20
#define PER_PAGE_MAX 100
#define PAGE_MAX 1000000

static json_t *image_json(const store_image *img)
{
    return json_pack("{s:s,s:s,s:I,s:I,s:I,s:s,s:I,s:I}", "id", img->id, "owner", img->owner,
                     "size", (json_int_t)img->size, "width", (json_int_t)img->width, "height",
                     (json_int_t)img->height, "format", img->format, "groups",
                     (json_int_t)img->groups, "created", (json_int_t)img->created);
}

/* The media type the client declared for the body: "png", "jpeg" or NULL. */
static const char *declared_format(const http_request *r)
{
    const char *t = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!t)
        return NULL;
    size_t n = strcspn(t, "; ");
    if (n == 9 && strncmp(t, "image/png", 9) == 0)
        return "png";
    if (n == 10 && strncmp(t, "image/jpeg", 10) == 0)
        return "jpeg";
    return NULL;
}

/* Checks the upload and fills img (all but owner and created); on failure
 * answers and returns -1. */
static int check_upload(http_request *r, const uint8_t *data, size_t len, const store_user *owner,
                        store_image *img)
{
    shroud_image_info *info = NULL;
    int err = shroud_image_inspect(data, len, &info);
    if (err == SHROUD_ERR_IMAGE_LIMIT) {
        http_error(r, MHD_HTTP_CONTENT_TOO_LARGE, shroud_strerror(err));
        return -1;
    }
    if (err) {
        char msg[160];
        snprintf(msg, sizeof msg, "not a PNG or JPEG shroud can read: %s", shroud_strerror(err));
        http_error(r, MHD_HTTP_BAD_REQUEST, msg);
        return -1;
    }
    const char *format = info->format == SHROUD_IMAGE_PNG ? "png" : "jpeg";
    int has_signature = info->has_signature;
    img->width = info->width;
    img->height = info->height;
    img->groups = (int64_t)info->n_groups;
    snprintf(img->format, sizeof img->format, "%s", format);
    shroud_image_info_free(info);
    if (strcmp(format, declared_format(r)) != 0) {
        http_error(r, MHD_HTTP_BAD_REQUEST, "the Content-Type does not match the file's format");
        return -1;
    }
    if (!has_signature) {
        http_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT,
                   "the image is not signed: sign it with your key first (shroud sign, or "
                   "shroud redact --sign)");
        return -1;
    }
    shroud_recipient *key = NULL;
    err = shroud_recipient_parse(&key, owner->public_key, strlen(owner->public_key));
    if (!err)
        err = shroud_image_verify(data, len, key);
    shroud_recipient_free(key);
    if (err == SHROUD_ERR_WRONG_SIGNER) {
        http_error(r, MHD_HTTP_FORBIDDEN, "the image is signed by another key than yours");
        return -1;
    }
    if (err) {
        http_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT,
                   "the signature does not verify: the image changed after it was signed");
        return -1;
    }
    img->size = (int64_t)len;
    return 0;
}

static void upload(http_request *r)
{
    const server_app *app = http_app(r);
    int64_t uid;
    store_user owner;
    memset(&owner, 0, sizeof owner);
    if (http_session_user(r, &uid) != 0 || store_user_by_id(app->store, uid, &owner) != STORE_OK) {
        http_unauthorized(r);
        return;
    }
    size_t len;
    const uint8_t *data = (const uint8_t *)http_body(r, &len);
    store_image img, existing;
    memset(&img, 0, sizeof img);
    if (!declared_format(r))
        http_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "send the image as image/png or image/jpeg");
    else if (!data || len == 0)
        http_error(r, MHD_HTTP_BAD_REQUEST, "the body is empty: send the image file");
    else if (check_upload(r, data, len, &owner, &img) == 0) {
        img.owner_id = owner.id;
        img.created = (int64_t)time(NULL);
        snprintf(img.owner, sizeof img.owner, "%s", owner.name);
        int rc = blobs_id(data, len, img.id) == 0 ? STORE_OK : STORE_ERROR;
        if (rc == STORE_OK && store_image_get(app->store, img.id, &existing) == STORE_OK) {
            if (existing.owner_id == owner.id)
                http_respond(r, MHD_HTTP_OK, image_json(&existing), NULL);
            else
                http_error(r, MHD_HTTP_CONFLICT, "this file is already stored");
        } else if (rc != STORE_OK || blobs_put(app->images, img.id, data, len) != 0) {
            http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot store the image");
        } else {
            /* The bytes are complete and durable before the row makes them visible. */
            rc = store_image_add(app->store, &img);
            if (rc == STORE_OK) {
                metrics_upload(app->metrics);
                http_respond(r, MHD_HTTP_CREATED, image_json(&img), NULL);
            } else if (rc == STORE_EXISTS &&
                       store_image_get(app->store, img.id, &existing) == STORE_OK &&
                       existing.owner_id == owner.id)
                http_respond(r, MHD_HTTP_OK, image_json(&existing), NULL);
            else
                http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot record the image");
        }
    }
    store_user_clear(&owner);
}

/* A decimal argument of the query string in [min, max], or def when absent;
 * -1 when present but malformed. */
static long long query_number(const http_request *r, const char *name, long long def, long long min,
                              long long max)
{
    const char *v = http_query(r, name);
    if (!v)
        return def;
    char *end;
    long long n = strtoll(v, &end, 10);
    return *v >= '0' && *v <= '9' && *end == '\0' && n >= min && n <= max ? n : -1;
}

static void gallery(http_request *r)
{
    long long page = query_number(r, "page", 1, 1, PAGE_MAX);
    long long per = query_number(r, "per_page", PER_PAGE_DEFAULT, 1, PER_PAGE_MAX);
    if (page < 0 || per < 0) {
        http_error(r, MHD_HTTP_BAD_REQUEST, "page must be >= 1 and per_page 1 .. 100");
        return;
    }
    store_image *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (store_image_list(http_app(r)->store, (page - 1) * per, per, &list, &n, &total) !=
        STORE_OK) {
        http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the database failed");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, image_json(&list[i]));
    free(list);
    http_respond(r, MHD_HTTP_OK,
                 json_pack("{s:o,s:I,s:I,s:I}", "images", items, "page", (json_int_t)page,
                           "per_page", (json_int_t)per, "total", (json_int_t)total),
                 NULL);
}

void route_images(http_request *r)
{
    if (strcmp(http_method(r), "POST") == 0)
        upload(r);
    else
        gallery(r);
}

/* The image named by the path after prefix; answers 404 and returns -1 when
 * there is none. */
static int image_of(http_request *r, const char *prefix, store_image *img)
{
    const char *id = http_path(r) + strlen(prefix);
    if (!blobs_valid_id(id) || store_image_get(http_app(r)->store, id, img) != STORE_OK) {
        http_error(r, MHD_HTTP_NOT_FOUND, "no such image");
        return -1;
    }
    return 0;
}

void route_image(http_request *r)
{
    store_image img;
    if (image_of(r, "/api/images/", &img) != 0)
        return;
    if (strcmp(http_method(r), "GET") == 0) {
        http_respond(r, MHD_HTTP_OK, image_json(&img), NULL);
        return;
    }
    int64_t uid;
    const server_app *app = http_app(r);
    if (http_session_user(r, &uid) != 0) {
        http_unauthorized(r);
        return;
    }
    if (uid != img.owner_id) {
        http_error(r, MHD_HTTP_FORBIDDEN, "only the owner can delete an image");
        return;
    }
    /* The row goes first: nothing lists a file that is about to vanish. */
    int rc = store_image_delete(app->store, img.id);
    if (rc == STORE_NOT_FOUND) {
        http_error(r, MHD_HTTP_NOT_FOUND, "no such image");
        return;
    }
    if (rc != STORE_OK) {
        http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the database failed");
        return;
    }
    blobs_remove(app->images, img.id);
    http_respond(r, MHD_HTTP_NO_CONTENT, NULL, NULL);
}

/* An image's bytes never change under its id (the id is their hash). */
#define IMAGE_CACHE_CONTROL "public, max-age=31536000, immutable"

void route_image_file(http_request *r)
{
    store_image img;
    if (image_of(r, "/images/", &img) != 0)
        return;
    char etag[STORE_IMAGE_ID_CHARS + 3];
    snprintf(etag, sizeof etag, "\"%s\"", img.id);
    if (http_etag_fresh(r, etag)) { /* 304 repeats the 200's caching headers */
        http_respond_static(r, MHD_HTTP_NOT_MODIFIED, NULL, 0, NULL, MHD_HTTP_HEADER_ETAG, etag,
                            MHD_HTTP_HEADER_CACHE_CONTROL, IMAGE_CACHE_CONTROL, NULL);
        return;
    }
    blob_content bytes;
    int e = blobs_get(http_app(r)->images, img.id, &bytes);
    if (e) {
        if (e == ENOENT)
            http_error(r, MHD_HTTP_NOT_FOUND, "no such image");
        else
            http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the image");
        return;
    }
    /* The response takes the descriptor. */
    http_respond_file(r, MHD_HTTP_OK, bytes.fd, bytes.size,
                      strcmp(img.format, "png") == 0 ? "image/png" : "image/jpeg",
                      MHD_HTTP_HEADER_ETAG, etag, MHD_HTTP_HEADER_CACHE_CONTROL,
                      IMAGE_CACHE_CONTROL, NULL);
    bytes.fd = -1;
    blob_content_clear(&bytes);
}
