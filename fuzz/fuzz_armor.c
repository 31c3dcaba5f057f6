/*
 * fuzz_armor.c — the PEM-style armor reader and writer.
 *
 * The first input byte picks the mode, the rest is the payload:
 *   even: armor_decode("SHROUD MESSAGE", text). Checks: a success returns a
 *         non-empty body; the streaming reader fed the same text in pieces
 *         (sizes taken from the first byte) gives the same result and bytes;
 *         armor_detect agrees with a successful decode; and re-encoding the
 *         decoded bytes gives text that decodes to the same bytes.
 *   odd:  round trip: armor_encode(label, data) then armor_decode must give
 *         data back (for non-empty data; empty data must be refused), the
 *         encoded text must have the canonical shape (lines of 64 characters
 *         and a shorter or equal last one), and armor_detect must see it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/armor.h"
#include "fuzz_util.h"

static const char *const labels[] = {ARMOR_LABEL_MESSAGE, ARMOR_LABEL_SIGNATURE, "X",
                                     "THIRTY-TWO CHARACTERS LONG LABEL"};

/* Decodes text with the streaming reader in pieces of `piece` bytes. */
static int stream_decode(const char *label, const char *text, size_t len, size_t piece,
                         fuzz_sink *sink)
{
    armor_reader *r = NULL;
    FUZZ_CHECK(armor_reader_new(&r, label, fuzz_sink_write, sink) == SHROUD_OK);
    int err = SHROUD_OK;
    for (size_t off = 0; err == SHROUD_OK && off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        err = armor_reader_write(r, (const uint8_t *)text + off, n);
    }
    if (err == SHROUD_OK)
        err = armor_reader_finish(r);
    else
        FUZZ_CHECK(armor_reader_finish(r) == err); /* errors are sticky */
    armor_reader_free(r);
    return err;
}

static uint64_t hash_of(const uint8_t *buf, size_t len)
{
    fuzz_sink s;
    fuzz_sink_init(&s, SIZE_MAX);
    fuzz_sink_write(&s, buf, len);
    return s.hash;
}

static void check_canonical(const char *label, const char *text, size_t len, size_t data_len)
{
    char begin[64], end[64];
    int nb = snprintf(begin, sizeof begin, "-----BEGIN %s-----\n", label);
    int ne = snprintf(end, sizeof end, "-----END %s-----\n", label);
    FUZZ_CHECK(len >= (size_t)(nb + ne));
    FUZZ_CHECK(memcmp(text, begin, (size_t)nb) == 0);
    FUZZ_CHECK(memcmp(text + len - (size_t)ne, end, (size_t)ne) == 0);
    size_t body = len - (size_t)nb - (size_t)ne;
    size_t lines = (data_len + ARMOR_LINE_BYTES - 1) / ARMOR_LINE_BYTES;
    size_t chars = (data_len + 2) / 3 * 4;
    FUZZ_CHECK(body == chars + lines);
    const char *p = text + nb;
    for (size_t i = 0; i < lines; i++) {
        const char *nl = memchr(p, '\n', body);
        FUZZ_CHECK(nl != NULL);
        size_t line = (size_t)(nl - p);
        FUZZ_CHECK(i + 1 == lines ? (line >= 4 && line <= ARMOR_LINE_CHARS)
                                  : line == ARMOR_LINE_CHARS);
        body -= line + 1;
        p = nl + 1;
    }
    FUZZ_CHECK(body == 0);
}

static void round_trip(const char *label, const uint8_t *data, size_t len)
{
    char *text = NULL;
    size_t text_len = 0;
    FUZZ_CHECK(armor_encode(label, data, len, &text, &text_len) == SHROUD_OK);
    FUZZ_CHECK(text != NULL && text_len == strlen(text));
    FUZZ_CHECK(armor_detect(label, (const uint8_t *)text, text_len));
    if (len > 0)
        check_canonical(label, text, text_len, len);
    uint8_t *back = NULL;
    size_t back_len = 0;
    int err = armor_decode(label, text, text_len, &back, &back_len);
    if (len == 0) {
        FUZZ_CHECK(err == SHROUD_ERR_ARMOR); /* an empty body is refused */
    } else {
        FUZZ_CHECK(err == SHROUD_OK);
        FUZZ_CHECK(back_len == len && memcmp(back, data, len) == 0);
    }
    free(back);
    free(text);
}

static void decode(const char *text, size_t len, unsigned piece_sel)
{
    const char *label = ARMOR_LABEL_MESSAGE;
    uint8_t *out = NULL;
    size_t out_len = 0;
    int err = armor_decode(label, text, len, &out, &out_len);
    FUZZ_CHECK(err == SHROUD_OK || err == SHROUD_ERR_ARMOR || err == SHROUD_ERR_TRUNCATED ||
               err == SHROUD_ERR_TRAILING);

    /* The streaming reader must not depend on how the text is cut. */
    static const size_t pieces[] = {1, 2, 3, 7, 63, 64, 65, 4096};
    fuzz_sink sink;
    fuzz_sink_init(&sink, SIZE_MAX);
    int serr = stream_decode(label, text, len, pieces[piece_sel % 8], &sink);
    if (err == SHROUD_OK) {
        FUZZ_CHECK(out != NULL && out_len > 0);
        FUZZ_CHECK(serr == SHROUD_OK);
        FUZZ_CHECK(sink.total == out_len && sink.hash == hash_of(out, out_len));
        FUZZ_CHECK(armor_detect(label, (const uint8_t *)text, len));
        round_trip(label, out, out_len);
    } else {
        /* Both forms must agree, except that the one-shot form refuses an
         * empty body (BEGIN line, then END line) the streaming form accepts. */
        FUZZ_CHECK(serr == err ||
                   (err == SHROUD_ERR_ARMOR && serr == SHROUD_OK && sink.total == 0));
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < 1)
        return 0;
    unsigned mode = data[0];
    char *rest = fuzz_copy(data + 1, len - 1);
    if (mode % 2 == 0)
        decode(rest, len - 1, mode >> 1);
    else
        round_trip(labels[(mode >> 1) % 4], (const uint8_t *)rest, len - 1);
    free(rest);
    return 0;
}
