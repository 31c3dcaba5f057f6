/* armor.c — streaming, strict base64 armor. */
#include "crypto/armor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bytebuf.h"

#define ARMOR_DASHES "-----"
#define MAX_FRAME_LINE (ARMOR_MAX_LABEL + 16)
#define MAX_LINE (MAX_FRAME_LINE > ARMOR_LINE_CHARS ? MAX_FRAME_LINE : ARMOR_LINE_CHARS)

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int label_ok(const char *label)
{
    return label && strlen(label) > 0 && strlen(label) <= ARMOR_MAX_LABEL;
}

static int emit(shroud_write_fn write, void *wctx, const void *buf, size_t len)
{
    return write(wctx, buf, len) == 0 ? SHROUD_OK : SHROUD_ERR_CANCELLED;
}

/* ---- writer ---- */

struct armor_writer {
    char label[ARMOR_MAX_LABEL + 1];
    shroud_write_fn write;
    void *wctx;
    int started;
    int error;
    size_t pending;
    uint8_t line[ARMOR_LINE_BYTES];
    char text[ARMOR_LINE_CHARS + 1];
};

/* Encodes 1..48 bytes as one base64 line with its newline; returns its length. */
static size_t encode_line(const uint8_t *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? b64[v & 63] : '=';
    }
    out[o++] = '\n';
    return o;
}

static int write_frame(armor_writer *a, const char *what)
{
    char line[MAX_FRAME_LINE + 2];
    size_t n =
        (size_t)snprintf(line, sizeof line, ARMOR_DASHES "%s %s" ARMOR_DASHES "\n", what, a->label);
    return emit(a->write, a->wctx, line, n);
}

int armor_writer_new(armor_writer **out, const char *label, shroud_write_fn write, void *wctx)
{
    if (!out || !label_ok(label) || !write)
        return SHROUD_ERR_ARGUMENT;
    armor_writer *a = calloc(1, sizeof *a);
    if (!a)
        return SHROUD_ERR_NOMEM;
    strcpy(a->label, label);
    a->write = write;
    a->wctx = wctx;
    *out = a;
    return SHROUD_OK;
}

int armor_writer_write(armor_writer *a, const uint8_t *buf, size_t len)
{
    if (!a || (len && !buf))
        return SHROUD_ERR_ARGUMENT;
    if (a->error)
        return a->error;
    int err = SHROUD_OK;
    if (!a->started) {
        a->started = 1;
        err = write_frame(a, "BEGIN");
    }
    while (err == SHROUD_OK && len > 0) {
        size_t n = ARMOR_LINE_BYTES - a->pending;
        if (n > len)
            n = len;
        memcpy(a->line + a->pending, buf, n);
        a->pending += n;
        buf += n;
        len -= n;
        if (a->pending == ARMOR_LINE_BYTES) {
            /* Keep one full line back: the last line must be written by finish. */
            if (len == 0)
                break;
            err = emit(a->write, a->wctx, a->text, encode_line(a->line, a->pending, a->text));
            a->pending = 0;
        }
    }
    if (err)
        a->error = err;
    return err;
}

int armor_writer_finish(armor_writer *a)
{
    if (!a)
        return SHROUD_ERR_ARGUMENT;
    int err = a->error;
    if (err == SHROUD_OK && !a->started) {
        a->started = 1;
        err = write_frame(a, "BEGIN");
    }
    if (err == SHROUD_OK && a->pending > 0)
        err = emit(a->write, a->wctx, a->text, encode_line(a->line, a->pending, a->text));
    a->pending = 0;
    if (err == SHROUD_OK)
        err = write_frame(a, "END");
    a->error = err ? err : SHROUD_ERR_STATE;
    return err;
}

void armor_writer_free(armor_writer *a)
{
    free(a);
}

/* ---- reader ---- */

enum armor_state { EXPECT_BEGIN, IN_BODY, AFTER_LAST_LINE, AFTER_END };

struct armor_reader {
    char label[ARMOR_MAX_LABEL + 1];
    shroud_write_fn write;
    void *wctx;
    enum armor_state state;
    int error;
    size_t line_len;
    char line[MAX_LINE + 2];
    uint8_t decoded[ARMOR_LINE_BYTES];
};

static int b64_value(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

/* Decodes one body line strictly; *last is set when it may be the final one. */
static int decode_line(armor_reader *a, const char *s, size_t len, size_t *out_len, int *last)
{
    if (len == 0 || len > ARMOR_LINE_CHARS || len % 4 != 0)
        return SHROUD_ERR_ARMOR;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4], pad = 0;
        for (int j = 0; j < 4; j++) {
            if (s[i + j] == '=' && i + 4 == len && j >= 2) {
                v[j] = 0;
                pad++;
                continue;
            }
            if (pad || (v[j] = b64_value(s[i + j])) < 0)
                return SHROUD_ERR_ARMOR;
        }
        uint32_t x =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        if ((pad == 1 && (x & 0xff)) || (pad == 2 && (x & 0xffff)))
            return SHROUD_ERR_ARMOR; /* non-canonical: stray bits in the padding */
        a->decoded[o++] = (uint8_t)(x >> 16);
        if (pad < 2)
            a->decoded[o++] = (uint8_t)(x >> 8);
        if (pad < 1)
            a->decoded[o++] = (uint8_t)x;
        if (pad && i + 4 != len)
            return SHROUD_ERR_ARMOR;
    }
    *out_len = o;
    *last = len < ARMOR_LINE_CHARS || o < ARMOR_LINE_BYTES;
    return SHROUD_OK;
}

static int is_frame(const armor_reader *a, const char *what, const char *s, size_t len)
{
    char want[MAX_FRAME_LINE + 1];
    int n = snprintf(want, sizeof want, ARMOR_DASHES "%s %s" ARMOR_DASHES, what, a->label);
    return n > 0 && (size_t)n == len && memcmp(s, want, len) == 0;
}

static int only_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* Handles one complete line (without its newline and trailing CR). */
static int handle_line(armor_reader *a, const char *s, size_t len)
{
    switch (a->state) {
    case EXPECT_BEGIN:
        while (len > 0 && (*s == ' ' || *s == '\t')) /* as armor_detect allows */
            s++, len--;
        if (only_space(s, len))
            return SHROUD_OK;
        if (!is_frame(a, "BEGIN", s, len))
            return SHROUD_ERR_ARMOR;
        a->state = IN_BODY;
        return SHROUD_OK;
    case IN_BODY:
    case AFTER_LAST_LINE:
        if (is_frame(a, "END", s, len)) {
            a->state = AFTER_END;
            return SHROUD_OK;
        }
        if (a->state == AFTER_LAST_LINE)
            return SHROUD_ERR_ARMOR; /* a short line was not the last one */
        size_t n = 0;
        int last = 0;
        int err = decode_line(a, s, len, &n, &last);
        if (err)
            return err;
        if (last)
            a->state = AFTER_LAST_LINE;
        return emit(a->write, a->wctx, a->decoded, n);
    case AFTER_END:
        return only_space(s, len) ? SHROUD_OK : SHROUD_ERR_TRAILING;
    }
    return SHROUD_ERR_STATE;
}

int armor_reader_new(armor_reader **out, const char *label, shroud_write_fn write, void *wctx)
{
    if (!out || !label_ok(label) || !write)
        return SHROUD_ERR_ARGUMENT;
    armor_reader *a = calloc(1, sizeof *a);
    if (!a)
        return SHROUD_ERR_NOMEM;
    strcpy(a->label, label);
    a->write = write;
    a->wctx = wctx;
    *out = a;
    return SHROUD_OK;
}

static int end_line(armor_reader *a)
{
    size_t len = a->line_len;
    if (len > 0 && a->line[len - 1] == '\r')
        len--;
    a->line_len = 0;
    return handle_line(a, a->line, len);
}

int armor_reader_write(armor_reader *a, const uint8_t *buf, size_t len)
{
    if (!a || (len && !buf))
        return SHROUD_ERR_ARGUMENT;
    int err = a->error;
    for (size_t i = 0; err == SHROUD_OK && i < len; i++) {
        char c = (char)buf[i];
        if (c == '\n') {
            err = end_line(a);
        } else if (a->line_len >= MAX_LINE + 1) {
            /* Over-long: only white space may go on after END. */
            err = a->state == AFTER_END ? SHROUD_ERR_TRAILING : SHROUD_ERR_ARMOR;
        } else {
            a->line[a->line_len++] = c;
        }
    }
    if (err)
        a->error = err;
    return err;
}

int armor_reader_finish(armor_reader *a)
{
    if (!a)
        return SHROUD_ERR_ARGUMENT;
    int err = a->error;
    if (err == SHROUD_OK && a->line_len > 0)
        err = end_line(a); /* a last line without its newline */
    if (err == SHROUD_OK && a->state != AFTER_END)
        err = a->state == EXPECT_BEGIN ? SHROUD_ERR_ARMOR : SHROUD_ERR_TRUNCATED;
    a->error = err ? err : SHROUD_ERR_STATE;
    return err;
}

void armor_reader_free(armor_reader *a)
{
    if (a)
        memset(a, 0, sizeof *a);
    free(a);
}

/* ---- one-shot ---- */

int armor_encode(const char *label, const uint8_t *data, size_t len, char **out, size_t *out_len)
{
    bytebuf b = {0};
    armor_writer *a = NULL;
    int err = armor_writer_new(&a, label, bytebuf_write, &b);
    if (err == SHROUD_OK)
        err = armor_writer_write(a, data, len);
    if (err == SHROUD_OK)
        err = armor_writer_finish(a);
    armor_writer_free(a);
    return bytebuf_finish(&b, err, (uint8_t **)out, out_len);
}

int armor_decode(const char *label, const char *text, size_t len, uint8_t **out, size_t *out_len)
{
    bytebuf b = {0};
    armor_reader *a = NULL;
    int err = armor_reader_new(&a, label, bytebuf_write, &b);
    if (err == SHROUD_OK)
        err = armor_reader_write(a, (const uint8_t *)text, len);
    if (err == SHROUD_OK)
        err = armor_reader_finish(a);
    armor_reader_free(a);
    if (err == SHROUD_OK && b.len == 0)
        err = SHROUD_ERR_ARMOR; /* an empty body */
    return bytebuf_finish(&b, err, out, out_len);
}

int armor_detect(const char *label, const uint8_t *text, size_t len)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    char want[MAX_FRAME_LINE + 1];
    int n = snprintf(want, sizeof want, ARMOR_DASHES "BEGIN %s" ARMOR_DASHES, label);
    return n > 0 && len - i >= (size_t)n && memcmp(text + i, want, (size_t)n) == 0;
}
