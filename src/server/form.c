/* form.c — collects multipart/form-data fields under limits. */
#include "server/form.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"

static int fail(form *f, enum form_error e)
{
    f->error = e;
    return -1;
}

/* Grows field->data to hold extra more bytes plus the terminator. */
static int reserve(form_field *field, size_t extra)
{
    size_t need = field->len + extra + 1;
    if (need <= field->cap)
        return 0;
    size_t cap = field->cap ? field->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *grown = malloc(cap);
    if (!grown)
        return -1;
    memcpy(grown, field->data, field->len + 1);
    prim_wipe(field->data, field->cap); /* the old copy may hold a secret */
    free(field->data);
    field->data = grown;
    field->cap = cap;
    return 0;
}

static int start_field(form *f, const char *name, int is_file)
{
    size_t n = strlen(name);
    if (n == 0 || n > FORM_NAME_MAX)
        return fail(f, FORM_BAD_NAME);
    if (f->count == FORM_MAX_FIELDS)
        return fail(f, FORM_TOO_MANY);
    form_field *field = &f->fields[f->count];
    memset(field, 0, sizeof *field);
    field->name = malloc(n + 1);
    field->data = calloc(1, 1);
    if (!field->name || !field->data) {
        free(field->name);
        free(field->data);
        return fail(f, FORM_NO_MEMORY);
    }
    memcpy(field->name, name, n + 1);
    field->cap = 1;
    field->is_file = is_file;
    f->count++;
    return 0;
}

int form_piece(form *f, const char *name, const char *filename, uint64_t offset,
               const uint8_t *data, size_t size)
{
    if (f->error)
        return -1;
    if (!name)
        return fail(f, FORM_BAD_NAME);
    if (offset == 0) {
        if (start_field(f, name, filename != NULL) != 0)
            return -1;
    } else if (f->count == 0 || strcmp(f->fields[f->count - 1].name, name) != 0 ||
               f->fields[f->count - 1].len != offset) {
        return fail(f, FORM_OUT_OF_ORDER);
    }
    form_field *field = &f->fields[f->count - 1];
    if (size > f->max_total - f->total || (!field->is_file && size > FORM_TEXT_MAX - field->len))
        return fail(f, FORM_TOO_BIG);
    if (size == 0)
        return 0;
    if (reserve(field, size) != 0)
        return fail(f, FORM_NO_MEMORY);
    memcpy(field->data + field->len, data, size);
    field->len += size;
    field->data[field->len] = '\0';
    f->total += size;
    return 0;
}

const form_field *form_get_nth(const form *f, const char *name, size_t index)
{
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->fields[i].name, name) == 0 && index-- == 0)
            return &f->fields[i];
    return NULL;
}

const form_field *form_get(const form *f, const char *name)
{
    return form_get_nth(f, name, 0);
}

size_t form_count(const form *f, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++)
        n += strcmp(f->fields[i].name, name) == 0;
    return n;
}

const char *form_error_text(enum form_error e)
{
    switch (e) {
    case FORM_OK:
        return "no error";
    case FORM_TOO_BIG:
        return "the form is too large (a text field is limited to 1 MiB, the whole body to "
               "--max-upload)";
    case FORM_TOO_MANY:
        return "the form has too many fields (at most 64)";
    case FORM_BAD_NAME:
        return "a form field has an empty or over-long name (at most 64 bytes)";
    case FORM_OUT_OF_ORDER:
        return "the form's fields arrived out of order";
    case FORM_NO_MEMORY:
        return "out of memory";
    }
    return "invalid form";
}

void form_clear(form *f)
{
    for (size_t i = 0; i < f->count; i++) {
        prim_wipe(f->fields[i].data, f->fields[i].cap);
        free(f->fields[i].data);
        free(f->fields[i].name);
    }
    f->count = 0;
    f->total = 0;
    f->error = FORM_OK;
}
