/*
 * form.h — the fields of a multipart/form-data request, collected from the
 * pieces libmicrohttpd's post processor hands over (server layer; no HTTP
 * here, so the fuzzers can drive it).
 *
 * A piece with offset 0 starts a new field (a name may repeat: each is its
 * own field); a piece with a later offset continues the last field and must
 * carry its name and continue exactly where it ended. Limits hold at every
 * piece: the first one crossed sets form.error and everything after it is
 * ignored (the request is then refused whole).
 */
#ifndef SHROUD_SERVER_FORM_H
#define SHROUD_SERVER_FORM_H

#include <stddef.h>
#include <stdint.h>

#define FORM_MAX_FIELDS 64
#define FORM_NAME_MAX 64         /* bytes of a field name */
#define FORM_TEXT_MAX (1u << 20) /* bytes of a field without a file name */

enum form_error {
    FORM_OK = 0,
    FORM_TOO_BIG,      /* the fields' bytes passed max_total, or a text field FORM_TEXT_MAX */
    FORM_TOO_MANY,     /* more than FORM_MAX_FIELDS fields */
    FORM_BAD_NAME,     /* an empty or over-long field name */
    FORM_OUT_OF_ORDER, /* a continuation that does not follow its field */
    FORM_NO_MEMORY,
};

typedef struct {
    char *name;    /* NUL-terminated */
    int is_file;   /* the part had a filename */
    uint8_t *data; /* NUL-terminated (not counted in len), never NULL */
    size_t len;
    size_t cap;
} form_field;

typedef struct form {
    form_field fields[FORM_MAX_FIELDS];
    size_t count;
    size_t total;     /* bytes of all values */
    size_t max_total; /* set before the first piece */
    enum form_error error;
} form;

/* Adds one piece (filename NULL for a text field): 0, or -1 with f->error
 * set. Once an error is set every later call returns -1 at once. */
int form_piece(form *f, const char *name, const char *filename, uint64_t offset,
               const uint8_t *data, size_t size);

/* The number of fields called name. */
size_t form_count(const form *f, const char *name);
/* The first field called name, or NULL. */
const form_field *form_get(const form *f, const char *name);
/* The index-th field called name (0-based), or NULL. */
const form_field *form_get_nth(const form *f, const char *name, size_t index);
/* What an error means, for a 4xx answer. */
const char *form_error_text(enum form_error e);

/* Wipes every value (they may be passphrases or messages) and frees them. */
void form_clear(form *f);

#endif
