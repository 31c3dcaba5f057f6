/*
 * routes_stego.c — stateless steganography: POST /api/stego/hide returns
 * the stego PNG, POST /api/stego/reveal the message as JSON. Nothing is
 * stored; the form's values (passphrase, message, identity) are wiped when
 * the request ends (form_clear), results here as soon as they are sent.
 */
#include <microhttpd.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/form.h"
#include "server/routes.h"
#include "shroud.h"
#include "stego/cover_problem.h"

#define STEGO_JOBS_MAX 2 /* at once: each may take ~400 MiB for scrypt */
#define STEGO_MESSAGE_MAX (1u << 20)
#define STEGO_RECIPIENTS_MAX 16
#define STEGO_KEY_TEXT_MAX (64u * 1024u)

static atomic_int jobs_running;

/* Takes a job slot, or answers 503 and returns 0. */
static int job_begin(http_request *r)
{
    if (atomic_fetch_add(&jobs_running, 1) < STEGO_JOBS_MAX)
        return 1;
    atomic_fetch_sub(&jobs_running, 1);
    http_busy(r, "busy with other hide/reveal requests: retry shortly");
    return 0;
}

static void job_end(void)
{
    atomic_fetch_sub(&jobs_running, 1);
}

/* Answers before "name" after. */
static void field_error(http_request *r, unsigned status, const char *before, const char *name,
                        const char *after)
{
    char msg[192];
    snprintf(msg, sizeof msg, "%s\"%.64s\"%s", before, name, after);
    http_error(r, status, msg);
}

/* The form, every field name in allowed[] (NULL-ended), and at most one of
 * each name in single[]; else answers 415/400 and returns NULL. */
static const form *checked_form(http_request *r, const char *const *allowed,
                                const char *const *single)
{
    const form *f = http_form(r);
    if (!f) {
        http_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "send the fields as multipart/form-data");
        return NULL;
    }
    for (size_t i = 0; i < f->count; i++) {
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], f->fields[i].name) != 0)
            k++;
        if (!allowed[k]) {
            field_error(r, MHD_HTTP_BAD_REQUEST, "unknown field ", f->fields[i].name, "");
            return NULL;
        }
    }
    for (size_t k = 0; single[k]; k++)
        if (form_count(f, single[k]) > 1) {
            field_error(r, MHD_HTTP_BAD_REQUEST, "field ", single[k], " given more than once");
            return NULL;
        }
    if (!form_get(f, "image")) {
        http_error(r, MHD_HTTP_BAD_REQUEST, "field \"image\" missing: attach the image file");
        return NULL;
    }
    return f;
}

/* The passphrase field, checked: 1 and sets it, 0 when absent, -1 answered. */
static int passphrase_field(http_request *r, const form *f, const form_field **out)
{
    *out = form_get(f, "passphrase");
    if (!*out)
        return 0;
    if ((*out)->len == 0 || (*out)->len > SHROUD_PASSPHRASE_MAX) {
        http_error(r, MHD_HTTP_BAD_REQUEST, "passphrase: 1 to 1024 bytes");
        return -1;
    }
    return 1;
}

/* Answers for a cover or image the library refused. */
static void image_refused(http_request *r, int err, const form_field *image, int revealing)
{
    char msg[512];
    if (err == SHROUD_ERR_COVER)
        snprintf(msg, sizeof msg, "the image %s",
                 stego_cover_problem(image->data, image->len, revealing));
    else if (err == SHROUD_ERR_IMAGE_FORMAT)
        snprintf(msg, sizeof msg,
                 "the image is not a PNG or BMP (hidden messages live in "
                 "lossless images)");
    else if (err == SHROUD_ERR_IMAGE_LIMIT)
        snprintf(msg, sizeof msg,
                 "the image is too large (at most 32768 pixels a side and "
                 "67108864 in all)");
    else
        snprintf(msg, sizeof msg, "the image cannot be read: %s", shroud_strerror(err));
    http_error(r,
               err == SHROUD_ERR_NOMEM ? MHD_HTTP_INTERNAL_SERVER_ERROR
                                       : MHD_HTTP_UNPROCESSABLE_CONTENT,
               msg);
}

/* Parses every field called name as a public key into keys (at most max);
 * returns the count, or -1 after answering 400. */
static int public_keys(http_request *r, const form *f, const char *name, shroud_recipient **keys,
                       size_t max)
{
    size_t n = form_count(f, name);
    if (n > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "at most %zu \"%s\" fields", max, name);
        http_error(r, MHD_HTTP_BAD_REQUEST, msg);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const form_field *k = form_get_nth(f, name, i);
        if (k->len > STEGO_KEY_TEXT_MAX ||
            shroud_recipient_parse(&keys[i], (const char *)k->data, k->len) != SHROUD_OK) {
            keys[i] = NULL;
            field_error(r, MHD_HTTP_BAD_REQUEST, "field ", name,
                        ": give a shroudpk1... line or an RSA public key in PEM");
            while (i--)
                shroud_recipient_free(keys[i]);
            return -1;
        }
    }
    return (int)n;
}

/* The "level" field: 1..12, or the default; -1 after answering 400. */
static int level_field(http_request *r, const form *f)
{
    const form_field *l = form_get(f, "level");
    if (!l)
        return SHROUD_STEGO_DEFAULT_PNG_LEVEL;
    char *end;
    long v = strtol((const char *)l->data, &end, 10);
    if (l->len == 0 || *end || v < 1 || v > 12) {
        http_error(r, MHD_HTTP_BAD_REQUEST, "level: a whole number from 1 (fast) to 12 (small)");
        return -1;
    }
    return (int)v;
}

/* The hide request's checked inputs. */
typedef struct {
    const form_field *image, *message, *passphrase;
    shroud_recipient *recipients[STEGO_RECIPIENTS_MAX];
    size_t n_recipients;
    int level;
} hide_input;

static int hide_inputs(http_request *r, const form *f, hide_input *in)
{
    in->image = form_get(f, "image");
    const form_field *msg = form_get(f, "message"), *file = form_get(f, "file");
    if (!msg == !file) {
        http_error(r, MHD_HTTP_BAD_REQUEST,
                   msg ? "give the message as \"message\" or \"file\", not both"
                       : "field \"message\" (text) or \"file\" (a file) missing");
        return -1;
    }
    in->message = msg ? msg : file;
    if (in->message->len == 0) {
        http_error(r, MHD_HTTP_BAD_REQUEST, "the message is empty");
        return -1;
    }
    if (in->message->len > STEGO_MESSAGE_MAX) {
        http_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "the message is over 1 MiB");
        return -1;
    }
    int has_pass = passphrase_field(r, f, &in->passphrase);
    if (has_pass < 0 || (in->level = level_field(r, f)) < 0)
        return -1;
    int n = public_keys(r, f, "recipient", in->recipients, STEGO_RECIPIENTS_MAX);
    if (n < 0)
        return -1;
    in->n_recipients = (size_t)n;
    if ((n > 0) == (has_pass > 0)) {
        http_error(r, MHD_HTTP_BAD_REQUEST,
                   n ? "give a passphrase or recipients, not both"
                     : "field \"passphrase\" or \"recipient\" missing: say who can reveal it");
        return -1;
    }
    return 0;
}

static void hide_answer(http_request *r, const hide_input *in)
{
    shroud_cover *cover = NULL;
    uint8_t *png = NULL;
    size_t png_len = 0;
    const shroud_recipient *const *recips = (const shroud_recipient *const *)in->recipients;
    int err = shroud_cover_new(&cover, in->image->data, in->image->len);
    if (err != SHROUD_OK) {
        image_refused(r, err, in->image, 0);
        return;
    }
    shroud_cover_png_level(cover, in->level);
    const char *pass = in->passphrase ? (const char *)in->passphrase->data : NULL;
    size_t pass_len = in->passphrase ? in->passphrase->len : 0;
    err = shroud_stego_hide(cover, recips, in->n_recipients, pass, pass_len, in->message->data,
                            in->message->len, &png, &png_len, NULL);
    if (err == SHROUD_ERR_CAPACITY) {
        size_t capacity = 0;
        shroud_cover_capacity(cover, recips, in->n_recipients, pass != NULL, &capacity);
        char msg[160];
        snprintf(msg, sizeof msg,
                 "the message (%zu bytes) does not fit: this image can hide %zu bytes in this "
                 "mode",
                 in->message->len, capacity);
        http_respond(r, MHD_HTTP_UNPROCESSABLE_CONTENT,
                     json_pack("{s:s,s:I}", "error", msg, "capacity", (json_int_t)capacity), NULL);
    } else if (err != SHROUD_OK) {
        http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, shroud_strerror(err));
    } else {
        http_respond_bytes(r, MHD_HTTP_OK, "image/png", png, png_len,
                           MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                           "attachment; filename=\"hidden.png\"", NULL);
    }
    shroud_free(png);
    shroud_cover_free(cover);
}

void route_stego_hide(http_request *r)
{
    static const char *const allowed[] = {"image",     "message", "file", "passphrase",
                                          "recipient", "level",   NULL};
    static const char *const single[] = {"image", "message", "file", "passphrase", "level", NULL};
    const form *f = checked_form(r, allowed, single);
    hide_input in;
    memset(&in, 0, sizeof in);
    if (!f || hide_inputs(r, f, &in) != 0 || !job_begin(r)) {
        for (size_t i = 0; i < STEGO_RECIPIENTS_MAX; i++)
            shroud_recipient_free(in.recipients[i]);
        return;
    }
    hide_answer(r, &in);
    job_end();
    for (size_t i = 0; i < in.n_recipients; i++)
        shroud_recipient_free(in.recipients[i]);
}

/* {"bytes", "base64", and "text" when msg is UTF-8 without NUL}. */
static json_t *message_json(const uint8_t *msg, size_t len)
{
    size_t b64_len = 4 * ((len + 2) / 3);
    char *b64 = malloc(b64_len + 1);
    if (!b64)
        return NULL;
    EVP_EncodeBlock((unsigned char *)b64, msg, (int)len);
    json_t *obj = json_pack("{s:I,s:s}", "bytes", (json_int_t)len, "base64", b64);
    OPENSSL_cleanse(b64, b64_len);
    free(b64);
    json_t *text = memchr(msg, 0, len) ? NULL : json_stringn((const char *)msg, len);
    if (obj && text)
        json_object_set_new(obj, "text", text);
    return obj;
}

static void reveal_answer(http_request *r, const form_field *image, const shroud_identity *id,
                          const form_field *pass, shroud_recipient **position_keys,
                          size_t n_position_keys)
{
    uint8_t *msg = NULL;
    size_t len = 0;
    int err = shroud_stego_reveal(image->data, image->len, id ? &id : NULL, id ? 1 : 0,
                                  (const shroud_recipient *const *)position_keys, n_position_keys,
                                  pass ? (const char *)pass->data : NULL, pass ? pass->len : 0,
                                  &msg, &len);
    if (err == SHROUD_ERR_NO_MESSAGE) {
        http_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "no message for this key");
    } else if (err == SHROUD_ERR_COVER || err == SHROUD_ERR_IMAGE_FORMAT ||
               err == SHROUD_ERR_IMAGE_LIMIT || err == SHROUD_ERR_IMAGE) {
        image_refused(r, err, image, 1);
    } else if (err != SHROUD_OK) {
        http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, shroud_strerror(err));
    } else {
        json_t *body = message_json(msg, len);
        if (body)
            http_respond(r, MHD_HTTP_OK, body, NULL);
        else
            http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    shroud_free_secret(msg, len);
}

/* The identity field parsed, NULL when absent; *answered after a 400. */
static shroud_identity *identity_field(http_request *r, const form *f, int *answered)
{
    const form_field *text = form_get(f, "identity");
    shroud_identity *id = NULL;
    *answered = 0;
    if (!text)
        return NULL;
    int err = text->len > STEGO_KEY_TEXT_MAX
                  ? SHROUD_ERR_KEY
                  : shroud_identity_parse(&id, (const char *)text->data, text->len, NULL, NULL);
    if (err == SHROUD_OK)
        return id;
    http_error(r, MHD_HTTP_BAD_REQUEST,
               err == SHROUD_ERR_NEED_PASSPHRASE
                   ? "identity: this key file is protected by a passphrase; reveal with the "
                     "command line (shroud reveal -i FILE) instead"
                   : "identity: give the text of a shroud identity file or an RSA private key "
                     "in PEM");
    *answered = 1;
    return NULL;
}

void route_stego_reveal(http_request *r)
{
    static const char *const allowed[] = {"image", "passphrase", "identity", "position_key", NULL};
    static const char *const single[] = {"image", "passphrase", "identity", NULL};
    const form *f = checked_form(r, allowed, single);
    if (!f)
        return;
    const form_field *pass = NULL;
    int answered, has_pass = passphrase_field(r, f, &pass);
    if (has_pass < 0)
        return;
    shroud_identity *id = identity_field(r, f, &answered);
    shroud_recipient *position_keys[STEGO_RECIPIENTS_MAX] = {NULL};
    int n_keys =
        answered ? -1 : public_keys(r, f, "position_key", position_keys, STEGO_RECIPIENTS_MAX);
    if (n_keys < 0) {
        shroud_identity_free(id);
        return;
    }
    if (!id == !pass)
        http_error(r, MHD_HTTP_BAD_REQUEST,
                   pass ? "give a passphrase or an identity, not both"
                        : "field \"passphrase\" or \"identity\" missing: give the key");
    else if (n_keys && !id)
        http_error(r, MHD_HTTP_BAD_REQUEST, "position_key goes with an identity");
    else if (job_begin(r)) {
        reveal_answer(r, form_get(f, "image"), id, pass, position_keys, (size_t)n_keys);
        job_end();
    }
    for (int i = 0; i < n_keys; i++)
        shroud_recipient_free(position_keys[i]);
    shroud_identity_free(id);
}
