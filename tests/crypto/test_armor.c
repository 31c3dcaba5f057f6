/*
 * The armored envelope: its layout, and what the opener accepts and rejects
 * (docs/FORMAT.md §1 "Armor": strict about the body, lenient about the frame).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/armor.h"
#include "envelope_util.h"

#define BEGIN "-----BEGIN SHROUD MESSAGE-----"
#define END "-----END SHROUD MESSAGE-----"
#define PLAIN_LEN 1000 /* 25 lines of base64 */

static shroud_identity *alice;
static shroud_recipient *alice_r;
static uint8_t *plain;
static tu_buf armored; /* PLAIN_LEN bytes sealed to alice, armored */
static open_spec as_alice;

static int setup(void **state)
{
    (void)state;
    alice = new_native_identity();
    alice_r = recipient_of(alice);
    plain = pattern(PLAIN_LEN, 1000);
    seal_to(alice_r, SHROUD_FLAG_ARMOR, plain, PLAIN_LEN, &armored);
    as_alice = (open_spec){.ids = (const shroud_identity *const *)&alice, .n = 1};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(alice);
    shroud_recipient_free(alice_r);
    free(plain);
    tu_buf_free(&armored);
    return 0;
}

/* Offset of the start of line k (0-based) of t; t->len past the last. */
static size_t line_start(const tu_buf *t, size_t k)
{
    size_t off = 0;
    for (; k > 0 && off < t->len; off++)
        if (t->data[off] == '\n')
            k--;
    return off;
}

static size_t count_lines(const tu_buf *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->len; i++)
        n += t->data[i] == '\n';
    return n;
}

/* A copy of t with `cut` bytes at `at` replaced by the string `with`. */
static void edit(const tu_buf *t, size_t at, size_t cut, const char *with, tu_buf *out)
{
    *out = (tu_buf){0};
    buf_append(out, t->data, at);
    buf_append(out, with, strlen(with));
    buf_append(out, t->data + at + cut, t->len - at - cut);
}

/* Opens text as alice and expects one of the allowed errors. */
static void expect_text_rejected(const tu_buf *text, const int *allowed, size_t n_allowed,
                                 const char *what)
{
    expect_open_failure(&as_alice, text->data, text->len, plain, PLAIN_LEN, allowed, n_allowed,
                        what);
}

static void expect_text_error(const tu_buf *text, int want, const char *what)
{
    expect_text_rejected(text, &want, 1, what);
}

/* The armored envelope with line k replaced by `with` (which ends in "\n"). */
static void expect_line_edit_error(size_t k, const char *with, int want)
{
    tu_buf t;
    size_t at = line_start(&armored, k);
    edit(&armored, at, line_start(&armored, k + 1) - at, with, &t);
    expect_text_error(&t, want, with);
    tu_buf_free(&t);
}

static void expect_opens(const tu_buf *t, size_t piece)
{
    open_spec spec = as_alice;
    spec.piece = piece;
    assert_opens_to(&spec, t->data, t->len, plain, PLAIN_LEN);
}

static void test_armored_envelope_has_pem_layout(void **state)
{
    (void)state;
    size_t n = count_lines(&armored);
    assert_true(n >= 3);
    assert_int_equal(armored.data[armored.len - 1], '\n');
    assert_null(memchr(armored.data, '\r', armored.len));
    assert_memory_equal(armored.data, BEGIN "\n", strlen(BEGIN) + 1);
    size_t end_at = line_start(&armored, n - 1);
    assert_int_equal(armored.len - end_at, strlen(END) + 1);
    assert_memory_equal(armored.data + end_at, END "\n", strlen(END) + 1);
    for (size_t k = 1; k < n - 1; k++) {
        size_t len = line_start(&armored, k + 1) - line_start(&armored, k) - 1;
        if (k < n - 2)
            assert_int_equal(len, 64);
        else
            assert_in_range(len, 1, 64);
    }
    /* the body is the binary envelope */
    uint8_t *bin = NULL;
    size_t bin_len = 0;
    assert_int_equal(
        armor_decode(ARMOR_LABEL_MESSAGE, (const char *)armored.data, armored.len, &bin, &bin_len),
        SHROUD_OK);
    assert_memory_equal(bin, "SHROUD\0\1", MAGIC_BYTES);
    assert_int_equal(bin_len, MAGIC_BYTES + 1 + 3 + 80 + 32 + PAYLOAD_PREFIX + PLAIN_LEN + 16);
    assert_opens_to(&as_alice, bin, bin_len, plain, PLAIN_LEN);
    free(bin);
}

/* An envelope whose size is a multiple of 48 ends with a full 64-char line. */
static void test_full_last_line_opens(void **state)
{
    (void)state;
    size_t overhead = MAGIC_BYTES + 1 + 3 + 80 + 32 + PAYLOAD_PREFIX + 16;
    size_t len = 48 * 8 - overhead;
    tu_buf t = {0};
    seal_to(alice_r, SHROUD_FLAG_ARMOR, plain, len, &t);
    size_t n = count_lines(&t);
    assert_int_equal(line_start(&t, n - 1) - line_start(&t, n - 2), 65);
    assert_opens_to(&as_alice, t.data, t.len, plain, len);
    tu_buf_free(&t);
}

static void test_open_rejects_every_character_flip(void **state)
{
    (void)state;
    static const uint8_t masks[] = {0x01, 0x80};
    for (size_t m = 0; m < N_ITEMS(masks); m++)
        flip_every_byte(&as_alice, armored.data, armored.len, masks[m], plain, PLAIN_LEN,
                        ARMOR_DAMAGE_ERRORS, N_ARMOR_DAMAGE_ERRORS);
}

static void test_open_rejects_edited_begin_line(void **state)
{
    (void)state;
    static const char *edits[] = {
        "-----BEGIN SHROUD MESSAGX-----\n",
        "-----BEGIN SHROUD SIGNATURE-----\n",
        "----BEGIN SHROUD MESSAGE-----\n",
        "-----BEGIN SHROUD MESSAGE----\n",
        "-----begin shroud message-----\n",
        "-----BEGIN SHROUD MESSAGE----- x\n",
        "-----BEGIN  SHROUD MESSAGE-----\n",
        "BEGIN SHROUD MESSAGE\n",
        "\n", /* no BEGIN at all */
    };
    const int allowed[] = {SHROUD_ERR_ARMOR, SHROUD_ERR_NOT_SHROUD};
    for (size_t i = 0; i < N_ITEMS(edits); i++) {
        tu_buf t;
        edit(&armored, 0, strlen(BEGIN) + 1, edits[i], &t);
        expect_text_rejected(&t, allowed, N_ITEMS(allowed), edits[i]);
        tu_buf_free(&t);
    }
}

static void test_open_rejects_edited_end_line(void **state)
{
    (void)state;
    size_t last = count_lines(&armored) - 1;
    expect_line_edit_error(last, "-----END SHROUD MESSAGX-----\n", SHROUD_ERR_ARMOR);
    expect_line_edit_error(last, "-----END SHROUD SIGNATURE-----\n", SHROUD_ERR_ARMOR);
    expect_line_edit_error(last, "-----END SHROUD MESSAGE----\n", SHROUD_ERR_ARMOR);
}

static void test_open_rejects_trailing_data_after_end(void **state)
{
    (void)state;
    static const char *tails[] = {"x", "garbage\n", "\n\nmore\n", " \t-\n"};
    for (size_t i = 0; i < N_ITEMS(tails); i++) {
        tu_buf t = {0};
        buf_append(&t, armored.data, armored.len);
        buf_append(&t, tails[i], strlen(tails[i]));
        expect_text_error(&t, SHROUD_ERR_TRAILING, tails[i]);
        tu_buf_free(&t);
    }
    tu_buf twice = {0}, longer = {0};
    buf_append(&twice, armored.data, armored.len);
    buf_append(&twice, armored.data, armored.len);
    expect_text_error(&twice, SHROUD_ERR_TRAILING, "the message twice");
    buf_append(&longer, armored.data, armored.len);
    for (int i = 0; i < 300; i++)
        buf_append(&longer, "z", 1);
    expect_text_error(&longer, SHROUD_ERR_TRAILING, "a long trailing line");
    tu_buf_free(&twice);
    tu_buf_free(&longer);
}

static void test_open_rejects_missing_end_line(void **state)
{
    (void)state;
    size_t n = count_lines(&armored);
    tu_buf t = {0};
    buf_append(&t, armored.data, line_start(&armored, n - 1));
    expect_text_error(&t, SHROUD_ERR_TRUNCATED, "END line removed");
    t.len--; /* and the newline of the last body line */
    expect_text_error(&t, SHROUD_ERR_TRUNCATED, "END line and last newline removed");
    t.len = line_start(&armored, n - 2);
    expect_text_error(&t, SHROUD_ERR_TRUNCATED, "END line and last body line removed");
    tu_buf_free(&t);
}

/* Sets stray bits in the padding position of the last quartet. */
static void expect_noncanonical_padding_rejected(size_t pt_len, size_t n_pad)
{
    tu_buf t = {0};
    seal_to(alice_r, SHROUD_FLAG_ARMOR, plain, pt_len, &t);
    size_t end_at = line_start(&t, count_lines(&t) - 1);
    size_t last = end_at - 2 - n_pad; /* the character before the '=' */
    assert_int_equal(t.data[end_at - 2], '=');
    assert_int_not_equal(t.data[last], '=');
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t v = (size_t)(strchr(b64, t.data[last]) - b64);
    t.data[last] = (uint8_t)b64[v | 1]; /* the lowest bit is always padding */
    expect_open_failure(&as_alice, t.data, t.len, plain, pt_len, (const int[]){SHROUD_ERR_ARMOR}, 1,
                        "non-canonical padding");
    tu_buf_free(&t);
}

static void test_open_rejects_noncanonical_padding_bits(void **state)
{
    (void)state;
    /* envelope size = 196 + plaintext: 1 or 2 bytes left over for base64 */
    size_t overhead = MAGIC_BYTES + 1 + 3 + 80 + 32 + PAYLOAD_PREFIX + 16;
    for (size_t n_pad = 1; n_pad <= 2; n_pad++) {
        size_t pt_len = 300;
        while ((overhead + pt_len) % 3 != 3 - n_pad)
            pt_len++;
        expect_noncanonical_padding_rejected(pt_len, n_pad);
    }
}

static void test_open_rejects_short_line_in_the_middle(void **state)
{
    (void)state;
    /* line 2 split into two lines of 32: the same bytes, but a short line
     * that is not the last one */
    tu_buf t;
    edit(&armored, line_start(&armored, 2) + 32, 0, "\n", &t);
    expect_text_error(&t, SHROUD_ERR_ARMOR, "short line in the middle");
    tu_buf_free(&t);
    /* a body line one character short */
    edit(&armored, line_start(&armored, 3), 1, "", &t);
    expect_text_error(&t, SHROUD_ERR_ARMOR, "63-character line");
    tu_buf_free(&t);
}

static void test_open_rejects_overlong_line(void **state)
{
    (void)state;
    tu_buf t;
    edit(&armored, line_start(&armored, 2) - 1, 1, "", &t); /* lines 1 and 2 joined */
    expect_text_error(&t, SHROUD_ERR_ARMOR, "128-character line");
    tu_buf_free(&t);
    edit(&armored, line_start(&armored, 2) - 1, 0, "AAAA", &t);
    expect_text_error(&t, SHROUD_ERR_ARMOR, "68-character line");
    tu_buf_free(&t);
}

static void test_open_rejects_padding_before_the_end(void **state)
{
    (void)state;
    tu_buf t;
    edit(&armored, line_start(&armored, 1) + 2, 2, "==", &t);
    expect_text_error(&t, SHROUD_ERR_ARMOR, "padding in the first line");
    tu_buf_free(&t);
}

static void test_open_rejects_white_space_inside_the_body(void **state)
{
    (void)state;
    static const char *inserts[] = {" ", "\t", "\n"};
    for (size_t i = 0; i < N_ITEMS(inserts); i++) {
        tu_buf t;
        edit(&armored, line_start(&armored, 2) - 1, 0, inserts[i], &t); /* end of line 1 */
        expect_text_error(&t, SHROUD_ERR_ARMOR, "white space in the body");
        tu_buf_free(&t);
        edit(&armored, line_start(&armored, 2), 0, inserts[i], &t); /* start of line 2 */
        expect_text_error(&t, SHROUD_ERR_ARMOR, "white space in the body");
        tu_buf_free(&t);
    }
}

static void test_open_accepts_crlf_line_endings(void **state)
{
    (void)state;
    tu_buf t = {0};
    for (size_t i = 0; i < armored.len; i++) {
        if (armored.data[i] == '\n')
            buf_append(&t, "\r", 1);
        buf_append(&t, &armored.data[i], 1);
    }
    expect_opens(&t, 0);
    expect_opens(&t, 1); /* CR and LF in different writes */
    tu_buf_free(&t);
}

static void test_open_accepts_blank_lines_around_the_block(void **state)
{
    (void)state;
    static const char *before[] = {"", "\n", "\n\n\n", " \t\n", "\r\n", "  \n\t\n"};
    static const char *after[] = {"", "\n", "\n\n", "  \t \n", "\r\n\r\n", "   "};
    for (size_t i = 0; i < N_ITEMS(before); i++) {
        for (size_t j = 0; j < N_ITEMS(after); j++) {
            tu_buf t = {0};
            buf_append(&t, before[i], strlen(before[i]));
            buf_append(&t, armored.data, armored.len);
            buf_append(&t, after[j], strlen(after[j]));
            expect_opens(&t, 0);
            tu_buf_free(&t);
        }
    }
    tu_buf t = {0}; /* no newline after END */
    buf_append(&t, armored.data, armored.len - 1);
    expect_opens(&t, 0);
    expect_opens(&t, 1);
    tu_buf_free(&t);
}

/* Well-formed armor whose content is not an envelope, or has another label. */
static void test_open_rejects_valid_armor_around_other_things(void **state)
{
    (void)state;
    uint8_t *bin = NULL;
    size_t bin_len = 0;
    assert_int_equal(
        armor_decode(ARMOR_LABEL_MESSAGE, (const char *)armored.data, armored.len, &bin, &bin_len),
        SHROUD_OK);
    struct {
        const char *label;
        const uint8_t *data;
        size_t len;
    } cases[] = {
        {ARMOR_LABEL_SIGNATURE, bin, bin_len}, /* an envelope under the wrong label */
        {ARMOR_LABEL_MESSAGE, plain, 500},     /* random bytes */
        {ARMOR_LABEL_MESSAGE, (const uint8_t *)"hello", 5},
    };
    const int allowed[] = {SHROUD_ERR_ARMOR, SHROUD_ERR_NOT_SHROUD};
    for (size_t i = 0; i < N_ITEMS(cases); i++) {
        char *text = NULL;
        size_t text_len = 0;
        assert_int_equal(
            armor_encode(cases[i].label, cases[i].data, cases[i].len, &text, &text_len), SHROUD_OK);
        expect_open_failure(&as_alice, (const uint8_t *)text, text_len, plain, PLAIN_LEN, allowed,
                            N_ITEMS(allowed), cases[i].label);
        free(text);
    }
    free(bin);
    /* BEGIN and END with nothing between */
    const char empty[] = BEGIN "\n" END "\n";
    const int any[] = {SHROUD_ERR_ARMOR, SHROUD_ERR_NOT_SHROUD, SHROUD_ERR_TRUNCATED};
    expect_open_failure(&as_alice, (const uint8_t *)empty, strlen(empty), plain, PLAIN_LEN, any,
                        N_ITEMS(any), "empty armor");
}

/* Text starting with white space is taken for armor; without a BEGIN line it
 * is rejected. */
static void test_open_rejects_text_that_only_looks_like_armor(void **state)
{
    (void)state;
    static const char *texts[] = {"\nhello\n", "   ", "\t\t\n\n", "-", "--- not armor ---\n"};
    const int allowed[] = {SHROUD_ERR_ARMOR, SHROUD_ERR_NOT_SHROUD};
    for (size_t i = 0; i < N_ITEMS(texts); i++)
        expect_open_failure(&as_alice, (const uint8_t *)texts[i], strlen(texts[i]), plain,
                            PLAIN_LEN, allowed, N_ITEMS(allowed), texts[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_armored_envelope_has_pem_layout),
        cmocka_unit_test(test_full_last_line_opens),
        cmocka_unit_test(test_open_rejects_every_character_flip),
        cmocka_unit_test(test_open_rejects_edited_begin_line),
        cmocka_unit_test(test_open_rejects_edited_end_line),
        cmocka_unit_test(test_open_rejects_trailing_data_after_end),
        cmocka_unit_test(test_open_rejects_missing_end_line),
        cmocka_unit_test(test_open_rejects_noncanonical_padding_bits),
        cmocka_unit_test(test_open_rejects_short_line_in_the_middle),
        cmocka_unit_test(test_open_rejects_overlong_line),
        cmocka_unit_test(test_open_rejects_padding_before_the_end),
        cmocka_unit_test(test_open_rejects_white_space_inside_the_body),
        cmocka_unit_test(test_open_accepts_crlf_line_endings),
        cmocka_unit_test(test_open_accepts_blank_lines_around_the_block),
        cmocka_unit_test(test_open_rejects_valid_armor_around_other_things),
        cmocka_unit_test(test_open_rejects_text_that_only_looks_like_armor),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
