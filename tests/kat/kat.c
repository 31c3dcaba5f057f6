#include "kat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

static kat_result parse_result(const char *file, int tc_id, const char *s)
{
    if (strcmp(s, "valid") == 0)
        return KAT_VALID;
    if (strcmp(s, "invalid") == 0)
        return KAT_INVALID;
    if (strcmp(s, "acceptable") == 0)
        return KAT_ACCEPTABLE;
    fail_msg("%s tcId %d: unknown result \"%s\"", file, tc_id, s);
    return KAT_INVALID;
}

static void count(kat_counts *c, kat_result r)
{
    if (r == KAT_VALID)
        c->valid++;
    else if (r == KAT_INVALID)
        c->invalid++;
    else
        c->acceptable++;
}

static void run_group(const char *file, const json_t *group, kat_fn fn, void *ctx,
                      kat_counts *counts)
{
    const json_t *tests = json_object_get(group, "tests");
    assert_true(json_is_array(tests));
    size_t i;
    const json_t *test;
    json_array_foreach(tests, i, test)
    {
        kat_case kc = {.file = file, .group = group, .test = test};
        kc.tc_id = (int)kat_int(test, "tcId");
        kc.result = parse_result(file, kc.tc_id, kat_str(test, "result"));
        if (fn(&kc, ctx))
            count(counts, kc.result);
    }
}

kat_counts kat_run(const char *file, kat_group_filter filter, kat_fn fn, void *ctx)
{
    json_t *root = tu_load_vectors(file);
    const json_t *groups = json_object_get(root, "testGroups");
    assert_true(json_is_array(groups));
    kat_counts counts = {0};
    size_t i;
    const json_t *group;
    json_array_foreach(groups, i, group)
    {
        if (!filter || filter(group))
            run_group(file, group, fn, ctx, &counts);
    }
    json_decref(root);
    return counts;
}

size_t kat_number_of_tests(const char *file)
{
    json_t *root = tu_load_vectors(file);
    size_t n = (size_t)kat_int(root, "numberOfTests");
    json_decref(root);
    return n;
}

size_t kat_total(kat_counts c)
{
    return c.valid + c.invalid + c.acceptable;
}

void kat_expect_counts(const char *what, kat_counts got, size_t valid, size_t invalid,
                       size_t acceptable)
{
    print_message("%s: ran %zu vectors (%zu valid, %zu invalid, %zu acceptable)\n", what,
                  kat_total(got), got.valid, got.invalid, got.acceptable);
    assert_true(kat_total(got) > 0);
    assert_int_equal(got.valid, valid);
    assert_int_equal(got.invalid, invalid);
    assert_int_equal(got.acceptable, acceptable);
}

static const json_t *field(const json_t *obj, const char *name)
{
    const json_t *v = json_object_get(obj, name);
    if (!v)
        fail_msg("vector field \"%s\" missing", name);
    return v;
}

const char *kat_str(const json_t *obj, const char *name)
{
    const json_t *v = field(obj, name);
    if (!json_is_string(v))
        fail_msg("vector field \"%s\" is not a string", name);
    return json_string_value(v);
}

long long kat_int(const json_t *obj, const char *name)
{
    const json_t *v = field(obj, name);
    if (!json_is_integer(v))
        fail_msg("vector field \"%s\" is not an integer", name);
    return (long long)json_integer_value(v);
}

kat_bytes kat_hex(const json_t *obj, const char *name)
{
    kat_bytes b;
    b.p = tu_unhex(kat_str(obj, name), &b.len);
    return b;
}

kat_bytes kat_text(const json_t *obj, const char *name)
{
    const json_t *v = field(obj, name);
    assert_true(json_is_string(v));
    kat_bytes b = {.len = json_string_length(v)};
    b.p = malloc(b.len + 1);
    assert_non_null(b.p);
    memcpy(b.p, json_string_value(v), b.len);
    return b;
}

static void inflate_all(z_stream *zs, tu_buf *out)
{
    uint8_t tmp[65536];
    int rc;
    do {
        zs->next_out = tmp;
        zs->avail_out = sizeof tmp;
        rc = inflate(zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            fail_msg("zlib inflate failed: %d", rc);
        assert_int_equal(tu_buf_write(out, tmp, sizeof tmp - zs->avail_out), 0);
    } while (rc != Z_STREAM_END);
}

kat_bytes kat_zhex(const json_t *obj, const char *name)
{
    kat_bytes z = kat_hex(obj, name);
    z_stream zs = {.next_in = z.p, .avail_in = (uInt)z.len};
    assert_int_equal(inflateInit(&zs), Z_OK);
    tu_buf out = {0};
    inflate_all(&zs, &out);
    inflateEnd(&zs);
    kat_bytes_free(&z);
    if (!out.data)
        assert_int_equal(tu_buf_write(&out, (const uint8_t *)"", 0), 0);
    return (kat_bytes){.p = out.data, .len = out.len};
}

bool kat_has_flag(const kat_case *kc, const char *flag)
{
    const json_t *flags = json_object_get(kc->test, "flags");
    size_t i;
    const json_t *f;
    json_array_foreach(flags, i, f)
    {
        if (json_is_string(f) && strcmp(json_string_value(f), flag) == 0)
            return true;
    }
    return false;
}

const char *kat_comment(const kat_case *kc)
{
    const json_t *c = json_object_get(kc->test, "comment");
    return json_is_string(c) ? json_string_value(c) : "";
}

void kat_bytes_free(kat_bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

const char *kat_tohex(const uint8_t *p, size_t len)
{
    static char buf[2 * 96 + 4];
    size_t n = len < 96 ? len : 96;
    for (size_t i = 0; i < n; i++)
        snprintf(buf + 2 * i, 3, "%02x", p[i]);
    strcpy(buf + 2 * n, len > n ? "..." : "");
    return buf;
}
