/*
 * fuzz_server_requests.c — the request bodies the server reads with its own
 * code: JSON bodies into named string fields (json_body.c) and the fields of
 * multipart/form-data bodies as libmicrohttpd's post processor hands them
 * over in pieces (form.c).
 *
 * Byte 0 picks the target (even: JSON, odd: form). JSON: the rest is the
 * body; a success must give strings without NUL that equal the object's
 * values. Form: bytes 1-2 are the body limit (0..65535), then pieces, each
 * `flags:u8 name:u8 size:u8 data[size]` — flags bit 0: a file part, bit 1:
 * continue the last field (offset = its length, else a new field at offset
 * 0), bit 2: a wrong offset; name picks one of eight names (7: empty). A
 * shadow model of the fields is kept and compared after every piece: what
 * the form holds is exactly what was accepted, within the limits, and an
 * error sticks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "server/form.h"
#include "server/json_body.h"

static void json_target(const uint8_t *data, size_t len)
{
    static const char *const names[] = {"username", "password", "public_key", NULL};
    const char *values[3];
    size_t lengths[3];
    char problem[128];
    json_t *obj = json_body_fields(len ? (const char *)data : NULL, len, names, values, lengths,
                                   problem, sizeof problem);
    if (!obj) {
        FUZZ_CHECK(problem[0] != '\0');
        return;
    }
    FUZZ_CHECK(json_is_object(obj));
    for (size_t i = 0; names[i]; i++) {
        json_t *v = json_object_get(obj, names[i]);
        FUZZ_CHECK(json_is_string(v) && json_string_value(v) == values[i]);
        FUZZ_CHECK(strlen(values[i]) == lengths[i] && lengths[i] == json_string_length(v));
    }
    json_decref(obj);
}

static const char *const piece_names[] = {"image",     "message",  "file", "passphrase",
                                          "recipient", "identity", "x",    ""};

typedef struct {
    size_t name;
    size_t len;
    int is_file;
} shadow_field;

static void form_target(const uint8_t *data, size_t len)
{
    if (len < 2)
        return;
    form *f = calloc(1, sizeof *f);
    FUZZ_CHECK(f != NULL);
    f->max_total = (size_t)data[0] << 8 | data[1];
    shadow_field shadow[FORM_MAX_FIELDS];
    size_t count = 0, total = 0;
    int failed = 0;
    for (size_t at = 2; at + 3 <= len;) {
        uint8_t flags = data[at], name = data[at + 1] % 8, size = data[at + 2];
        at += 3;
        if (size > len - at)
            size = (uint8_t)(len - at);
        const uint8_t *piece = data + at;
        at += size;
        int cont = (flags & 2) && count > 0;
        uint64_t offset = cont ? shadow[count - 1].len : 0;
        if (flags & 4)
            offset += 1 + (flags >> 4);
        int rc =
            form_piece(f, piece_names[name], (flags & 1) ? "f.bin" : NULL, offset, piece, size);
        /* the model: what must have happened */
        int expect_ok = !failed;
        if (expect_ok && offset == 0) {
            expect_ok = name != 7 && count < FORM_MAX_FIELDS;
        } else if (expect_ok) {
            expect_ok = count > 0 &&
                        strcmp(piece_names[shadow[count - 1].name], piece_names[name]) == 0 &&
                        offset == shadow[count - 1].len;
        }
        if (expect_ok && offset == 0)
            shadow[count++] = (shadow_field){name, 0, flags & 1};
        if (expect_ok && size > f->max_total - total)
            expect_ok = 0;
        FUZZ_CHECK((rc == 0) == expect_ok);
        if (!expect_ok) {
            failed = 1;
            FUZZ_CHECK(f->error != FORM_OK);
            continue;
        }
        FUZZ_CHECK(f->error == FORM_OK);
        const form_field *field = &f->fields[count - 1];
        FUZZ_CHECK(memcmp(field->data + shadow[count - 1].len, piece, size) == 0);
        shadow[count - 1].len += size;
        total += size;
    }
    FUZZ_CHECK(f->count == count && (failed || f->total == total));
    for (size_t i = 0; i < count; i++) {
        FUZZ_CHECK(strcmp(f->fields[i].name, piece_names[shadow[i].name]) == 0);
        FUZZ_CHECK(failed || f->fields[i].len == shadow[i].len);
        FUZZ_CHECK(f->fields[i].data[f->fields[i].len] == '\0');
        FUZZ_CHECK(f->fields[i].is_file == shadow[i].is_file);
    }
    for (size_t n = 0; n < 7; n++) {
        size_t c = form_count(f, piece_names[n]);
        FUZZ_CHECK((c == 0) == (form_get(f, piece_names[n]) == NULL));
        FUZZ_CHECK(c == 0 || form_get_nth(f, piece_names[n], c - 1) != NULL);
        FUZZ_CHECK(form_get_nth(f, piece_names[n], c) == NULL);
    }
    form_clear(f);
    FUZZ_CHECK(f->count == 0);
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < 1 || len > 65536)
        return 0;
    if (data[0] % 2 == 0)
        json_target(data + 1, len - 1);
    else
        form_target(data + 1, len - 1);
    return 0;
}
