/*
 * test_form.c — multipart fields collected from pieces (form.c) and JSON
 * bodies read into named fields (json_body.c): fields split over many
 * pieces, repeated names, empty values, every limit and the errors that
 * stick, and JSON bodies that are not objects, lack a field, repeat a key
 * or hide a NUL.
 */
#include <stdlib.h>
#include <string.h>

#include "server/form.h"
#include "server/json_body.h"
#include "testutil.h"

static form *new_form(size_t max_total)
{
    form *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->max_total = max_total;
    return f;
}

static void free_form(form *f)
{
    form_clear(f);
    free(f);
}

static int piece(form *f, const char *name, const char *filename, uint64_t off, const char *data)
{
    return form_piece(f, name, filename, off, (const uint8_t *)data, strlen(data));
}

static void test_pieces_join(void **state)
{
    (void)state;
    form *f = new_form(1000);
    assert_int_equal(piece(f, "image", "a.png", 0, "abc"), 0);
    assert_int_equal(piece(f, "image", "a.png", 3, "def"), 0);
    assert_int_equal(piece(f, "recipient", NULL, 0, "k1"), 0);
    assert_int_equal(piece(f, "recipient", NULL, 0, ""), 0);
    assert_int_equal(piece(f, "recipient", NULL, 0, "k3"), 0);
    assert_int_equal(f->count, 4);
    const form_field *img = form_get(f, "image");
    assert_non_null(img);
    assert_true(img->is_file);
    assert_int_equal(img->len, 6);
    assert_string_equal((const char *)img->data, "abcdef");
    assert_int_equal(form_count(f, "recipient"), 3);
    assert_false(form_get(f, "recipient")->is_file);
    assert_int_equal(form_get_nth(f, "recipient", 1)->len, 0);
    assert_string_equal((const char *)form_get_nth(f, "recipient", 1)->data, "");
    assert_string_equal((const char *)form_get_nth(f, "recipient", 2)->data, "k3");
    assert_null(form_get_nth(f, "recipient", 3));
    assert_null(form_get(f, "passphrase"));
    assert_int_equal(form_count(f, "passphrase"), 0);
    assert_int_equal(f->total, 10);
    free_form(f);
}

static void test_large_field_grows(void **state)
{
    (void)state;
    form *f = new_form(1u << 22);
    static char chunk[4096];
    memset(chunk, 'x', sizeof chunk - 1);
    size_t off = 0;
    for (int i = 0; i < 300; i++) {
        assert_int_equal(form_piece(f, "image", "big", off, (const uint8_t *)chunk, 4095), 0);
        off += 4095;
    }
    const form_field *img = form_get(f, "image");
    assert_int_equal(img->len, off);
    assert_int_equal(img->data[off], '\0');
    assert_int_equal(img->data[off - 1], 'x');
    free_form(f);
}

static void test_limits(void **state)
{
    (void)state;
    form *f = new_form(10);
    assert_int_equal(piece(f, "a", NULL, 0, "12345"), 0);
    assert_int_equal(piece(f, "b", "f", 0, "123456"), -1); /* 11 > 10 */
    assert_int_equal(f->error, FORM_TOO_BIG);
    assert_int_equal(piece(f, "c", NULL, 0, ""), -1); /* the error sticks */
    assert_int_equal(f->error, FORM_TOO_BIG);
    assert_non_null(strstr(form_error_text(f->error), "too large"));
    free_form(f);

    f = new_form(1u << 22); /* a text field stops at 1 MiB, a file does not */
    uint8_t *mib = calloc(1, FORM_TEXT_MAX + 1);
    assert_non_null(mib);
    assert_int_equal(form_piece(f, "file", "f.bin", 0, mib, FORM_TEXT_MAX + 1), 0);
    assert_int_equal(form_piece(f, "message", NULL, 0, mib, FORM_TEXT_MAX), 0);
    assert_int_equal(form_piece(f, "message", NULL, FORM_TEXT_MAX, mib, 1), -1);
    assert_int_equal(f->error, FORM_TOO_BIG);
    free(mib);
    free_form(f);

    f = new_form(1000);
    for (int i = 0; i < FORM_MAX_FIELDS; i++)
        assert_int_equal(piece(f, "x", NULL, 0, "1"), 0);
    assert_int_equal(piece(f, "x", NULL, 0, "1"), -1);
    assert_int_equal(f->error, FORM_TOO_MANY);
    free_form(f);
}

static void test_bad_pieces(void **state)
{
    (void)state;
    form *f = new_form(1000);
    assert_int_equal(piece(f, "", NULL, 0, "v"), -1);
    assert_int_equal(f->error, FORM_BAD_NAME);
    free_form(f);

    char long_name[FORM_NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    f = new_form(1000);
    assert_int_equal(piece(f, long_name, NULL, 0, "v"), -1);
    assert_int_equal(f->error, FORM_BAD_NAME);
    free_form(f);

    f = new_form(1000);
    assert_int_equal(piece(f, NULL, NULL, 0, "v"), -1);
    free_form(f);

    f = new_form(1000); /* continuations: of nothing, of another name, with a gap */
    assert_int_equal(piece(f, "a", NULL, 5, "v"), -1);
    assert_int_equal(f->error, FORM_OUT_OF_ORDER);
    free_form(f);
    f = new_form(1000);
    assert_int_equal(piece(f, "a", NULL, 0, "vv"), 0);
    assert_int_equal(piece(f, "b", NULL, 2, "v"), -1);
    assert_int_equal(f->error, FORM_OUT_OF_ORDER);
    free_form(f);
    f = new_form(1000);
    assert_int_equal(piece(f, "a", NULL, 0, "vv"), 0);
    assert_int_equal(piece(f, "a", NULL, 3, "v"), -1);
    assert_int_equal(f->error, FORM_OUT_OF_ORDER);
    form_clear(f); /* clearing resets the form for reuse */
    assert_int_equal(f->count, 0);
    assert_int_equal(f->error, FORM_OK);
    assert_int_equal(piece(f, "a", NULL, 0, "ok"), 0);
    free_form(f);
}

static json_t *fields(const char *body, const char **v, size_t *lens, char *problem)
{
    static const char *const names[] = {"username", "password", NULL};
    return json_body_fields(body, body ? strlen(body) : 0, names, v, lens, problem, 128);
}

static void test_json_body(void **state)
{
    (void)state;
    const char *v[2];
    size_t lens[2];
    char problem[128];
    json_t *obj = fields("{\"username\":\"alice\",\"password\":\"p\\u00e9 w\",\"extra\":1}", v,
                         lens, problem);
    assert_non_null(obj);
    assert_string_equal(v[0], "alice");
    assert_string_equal(v[1], "p\xc3\xa9 w");
    assert_int_equal(lens[1], 5);
    json_decref(obj);

    static const struct {
        const char *body, *problem;
    } bad[] = {
        {NULL, "not a JSON object"},
        {"", "not a JSON object"},
        {"[1,2]", "not a JSON object"},
        {"{\"username\":\"a\"", "not a JSON object"},
        {"{\"username\":\"a\",\"username\":\"b\",\"password\":\"p\"}", "not a JSON object"},
        {"{\"username\":\"a\"}", "\"password\" missing"},
        {"{\"username\":1,\"password\":\"p\"}", "\"username\" missing or not a string"},
        {"{\"username\":\"a\\u0000b\",\"password\":\"p\"}", "not a JSON object"}, /* no NUL */
        {"{\"username\":\"a\",\"password\":\"\\ud800\"}", "not a JSON object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        problem[0] = '\0';
        assert_null(fields(bad[i].body, v, lens, problem));
        if (!strstr(problem, bad[i].problem))
            fail_msg("body %zu: problem \"%s\", expected \"%s\"", i, problem, bad[i].problem);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces_join), cmocka_unit_test(test_large_field_grows),
        cmocka_unit_test(test_limits),      cmocka_unit_test(test_bad_pieces),
        cmocka_unit_test(test_json_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
