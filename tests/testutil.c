#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *tu_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    assert_true(n % 2 == 0);
    uint8_t *out = malloc(n / 2 + 1);
    assert_non_null(out);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        assert_true(hi >= 0 && lo >= 0);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

json_t *tu_load_vectors(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", SHROUD_TEST_VECTORS, name);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        fail_msg("cannot load %s: %s (line %d)", path, err.text, err.line);
    return root;
}

uint8_t *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    tu_buf b = {0};
    uint8_t tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        tu_buf_write(&b, tmp, n);
    fclose(f);
    if (!b.data)
        b.data = malloc(1);
    *len = b.len;
    return b.data;
}

int tu_buf_write(void *ctx, const uint8_t *buf, size_t len)
{
    tu_buf *b = ctx;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1)
            cap *= 2;
        uint8_t *p = realloc(b->data, cap);
        if (!p)
            return -1;
        b->data = p;
        b->cap = cap;
    }
    if (len)
        memcpy(b->data + b->len, buf, len);
    b->len += len;
    return 0;
}

void tu_buf_free(tu_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
