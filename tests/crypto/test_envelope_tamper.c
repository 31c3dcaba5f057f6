/*
 * Tampering with a binary envelope (40000 bytes of plaintext to one native
 * recipient: header, payload prefix and 3 chunks). Every modification must be
 * rejected with one of the "damaged message" errors, and no more than a
 * strict prefix of the plaintext (whole authenticated chunks) may come out.
 * SHROUD_TEST_EXHAUSTIVE=1 in the environment flips every byte (slow).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "envelope_util.h"

#define PLAIN_LEN 40000

static shroud_identity *alice;
static shroud_recipient *alice_r;
static uint8_t *plain;
static tu_buf env;
static envelope_layout lay;
static open_spec as_alice;

static int setup(void **state)
{
    (void)state;
    alice = new_native_identity();
    alice_r = recipient_of(alice);
    plain = pattern(PLAIN_LEN, 40000);
    seal_to(alice_r, 0, plain, PLAIN_LEN, &env);
    layout_of(env.data, env.len, false, &lay);
    assert_int_equal(lay.n_chunks, 3);
    as_alice = (open_spec){.ids = (const shroud_identity *const *)&alice, .n = 1};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(alice);
    shroud_recipient_free(alice_r);
    free(plain);
    tu_buf_free(&env);
    return 0;
}

/* Expects the given bytes to be rejected as damage. */
static void expect_rejected(const uint8_t *ct, size_t len, const char *what)
{
    expect_open_failure(&as_alice, ct, len, plain, PLAIN_LEN, DAMAGE_ERRORS, N_DAMAGE_ERRORS, what);
}

/* Builds an envelope from pieces of the original: pairs of (offset, length). */
static void rebuild(tu_buf *out, const size_t *pieces, size_t n_pieces)
{
    for (size_t i = 0; i < n_pieces; i += 2)
        buf_append(out, env.data + pieces[i], pieces[i + 1]);
}

static void expect_rebuilt_rejected(const size_t *pieces, size_t n_pieces, const char *what)
{
    tu_buf t = {0};
    rebuild(&t, pieces, n_pieces);
    expect_rejected(t.data, t.len, what);
    tu_buf_free(&t);
}

static void test_untouched_envelope_opens(void **state)
{
    (void)state;
    assert_opens_to(&as_alice, env.data, env.len, plain, PLAIN_LEN);
}

/* The offsets the flip test covers. Every byte where the structure changes:
 * magic, header, payload prefix, and 64 bytes either side of every chunk
 * boundary and of the end (tags, nonce order, final-chunk rules); inside the
 * chunks, where every byte is alike, every 61st. Each flip costs a whole open
 * (~150 us, mostly X25519), so every one of the ~40000 offsets twice takes
 * ~12 s of CPU: set SHROUD_TEST_EXHAUSTIVE=1 in the environment for that. */
static size_t *flip_offsets(size_t *n)
{
    size_t *offsets = malloc(env.len * sizeof *offsets);
    assert_non_null(offsets);
    bool every = getenv("SHROUD_TEST_EXHAUSTIVE") != NULL;
    *n = 0;
    for (size_t i = 0; i < env.len; i++) {
        bool near = i < lay.chunks_start + 64 || i + 64 >= env.len;
        for (size_t c = 1; c < lay.n_chunks; c++)
            near |= i + 64 >= chunk_offset(&lay, c) && i < chunk_offset(&lay, c) + 64;
        if (every || near || i % 61 == 0)
            offsets[(*n)++] = i;
    }
    return offsets;
}

/* Every byte of a small (one-chunk) envelope, both masks: exhaustive always. */
static void test_open_rejects_every_byte_flip_of_a_small_envelope(void **state)
{
    (void)state;
    static const uint8_t masks[] = {0x01, 0x80};
    tu_buf small = {0};
    seal_to(alice_r, 0, plain, 300, &small);
    for (size_t m = 0; m < N_ITEMS(masks); m++)
        flip_every_byte(&as_alice, small.data, small.len, masks[m], plain, 300, DAMAGE_ERRORS,
                        N_DAMAGE_ERRORS);
    tu_buf_free(&small);
}

static void test_open_rejects_byte_flips_across_three_chunks(void **state)
{
    (void)state;
    static const uint8_t masks[] = {0x01, 0x80};
    size_t n = 0;
    size_t *offsets = flip_offsets(&n);
    print_message("  %zu offsets of %zu\n", n, env.len);
    for (size_t m = 0; m < N_ITEMS(masks); m++)
        flip_bytes(&as_alice, env.data, env.len, offsets, n, masks[m], plain, PLAIN_LEN,
                   DAMAGE_ERRORS, N_DAMAGE_ERRORS);
    free(offsets);
}

static void test_open_rejects_truncation_at_every_length_up_to_the_first_chunk(void **state)
{
    (void)state;
    char what[48];
    for (size_t len = 0; len <= lay.chunks_start; len++) {
        snprintf(what, sizeof what, "truncated to %zu bytes", len);
        expect_rejected(env.data, len, what);
    }
}

static void test_open_rejects_truncation_at_every_chunk_boundary(void **state)
{
    (void)state;
    char what[48];
    for (size_t i = 0; i < lay.n_chunks; i++) {
        size_t at = chunk_offset(&lay, i);
        const size_t near[] = {at - 1, at, at + 1, at + 15, at + 16, at + 17};
        for (size_t j = 0; j < N_ITEMS(near); j++) {
            snprintf(what, sizeof what, "truncated to %zu bytes", near[j]);
            expect_rejected(env.data, near[j], what);
        }
    }
    expect_rejected(env.data, env.len - 1, "last byte removed");
}

static void test_open_rejects_truncation_at_sampled_lengths(void **state)
{
    (void)state;
    char what[48];
    for (size_t len = lay.chunks_start; len < env.len; len += 331) {
        snprintf(what, sizeof what, "truncated to %zu bytes", len);
        expect_rejected(env.data, len, what);
    }
    for (size_t len = env.len - 40; len < env.len; len++) {
        snprintf(what, sizeof what, "truncated to %zu bytes", len);
        expect_rejected(env.data, len, what);
    }
}

static void test_open_rejects_swapped_chunks(void **state)
{
    (void)state;
    const size_t c0 = chunk_offset(&lay, 0), c1 = chunk_offset(&lay, 1), c2 = chunk_offset(&lay, 2);
    const size_t swapped[] = {0, c0, c1, SEALED_CHUNK, c0, SEALED_CHUNK, c2, env.len - c2};
    expect_rebuilt_rejected(swapped, N_ITEMS(swapped), "chunks 0 and 1 swapped");
    /* the short final chunk moved to the front */
    const size_t last_first[] = {0, c0, c2, env.len - c2, c0, 2 * SEALED_CHUNK};
    expect_rebuilt_rejected(last_first, N_ITEMS(last_first), "final chunk moved first");
}

static void test_open_rejects_dropped_chunk(void **state)
{
    (void)state;
    for (size_t i = 0; i < lay.n_chunks; i++) {
        size_t at = chunk_offset(&lay, i), len = chunk_length(&lay, i);
        const size_t dropped[] = {0, at, at + len, env.len - at - len};
        char what[48];
        snprintf(what, sizeof what, "chunk %zu dropped", i);
        expect_rebuilt_rejected(dropped, N_ITEMS(dropped), what);
    }
}

static void test_open_rejects_appended_data(void **state)
{
    (void)state;
    static const uint8_t zeros[16] = {0};
    const size_t extra[] = {1, 16};
    for (size_t i = 0; i < N_ITEMS(extra); i++) {
        tu_buf t = {0};
        buf_append(&t, env.data, env.len);
        buf_append(&t, zeros, extra[i]);
        expect_rejected(t.data, t.len, "bytes appended");
        tu_buf_free(&t);
    }
    const size_t c0 = chunk_offset(&lay, 0), c2 = chunk_offset(&lay, 2);
    const size_t copy_first[] = {0, env.len, c0, SEALED_CHUNK};
    expect_rebuilt_rejected(copy_first, N_ITEMS(copy_first), "chunk 0 appended again");
    const size_t copy_last[] = {0, env.len, c2, env.len - c2};
    expect_rebuilt_rejected(copy_last, N_ITEMS(copy_last), "final chunk appended again");
}

/* A message of exactly one chunk ends with an empty final chunk: dropping it
 * leaves a full chunk at the end, which is truncation. */
static void test_open_rejects_dropped_empty_final_chunk(void **state)
{
    (void)state;
    tu_buf t = {0};
    seal_to(alice_r, 0, plain, SHROUD_CHUNK_BYTES, &t);
    envelope_layout l;
    layout_of(t.data, t.len, false, &l);
    assert_int_equal(l.n_chunks, 2);
    assert_int_equal(chunk_length(&l, 1), 16);
    tu_buf out = {0};
    assert_int_equal(open_with(alice, 0, t.data, t.len - 16, &out), SHROUD_ERR_TRUNCATED);
    tu_buf_free(&out);
    tu_buf_free(&t);
}

/* The payload is bound to its header: another envelope's payload (same
 * recipient, same plaintext) does not fit. */
static void test_open_rejects_payload_spliced_onto_another_header(void **state)
{
    (void)state;
    tu_buf other = {0}, t = {0};
    seal_to(alice_r, 0, plain, PLAIN_LEN, &other);
    buf_append(&t, env.data, lay.header_end);
    buf_append(&t, other.data + lay.header_end, other.len - lay.header_end);
    tu_buf out = {0};
    assert_int_equal(open_with(alice, 0, t.data, t.len, &out), SHROUD_ERR_COMMITMENT);
    assert_int_equal(out.len, 0);
    tu_buf_free(&out);
    tu_buf_free(&t);
    tu_buf_free(&other);
}

/* Forged headers: stanza count 0 or above 64, a low-order ephemeral share. */
static void test_open_rejects_forged_headers(void **state)
{
    (void)state;
    tu_buf t = {0}, out = {0};
    buf_append(&t, env.data, env.len);
    static const uint8_t counts[] = {0, SHROUD_MAX_RECIPIENTS + 1, 0xff};
    for (size_t i = 0; i < N_ITEMS(counts); i++) {
        t.data[MAGIC_BYTES] = counts[i];
        assert_int_equal(open_with(alice, 0, t.data, t.len, &out), SHROUD_ERR_HEADER);
    }
    t.data[MAGIC_BYTES] = 1;
    memset(t.data + MAGIC_BYTES + 1 + 3, 0, 32); /* the all-zero point */
    assert_int_equal(open_with(alice, 0, t.data, t.len, &out), SHROUD_ERR_HEADER);
    assert_int_equal(out.len, 0);
    tu_buf_free(&out);
    tu_buf_free(&t);
}

/* The MAC covers every stanza: changing one the reader cannot open (here the
 * type of Bob's stanza, making it unknown) is caught once Alice's opens. */
static void test_header_mac_covers_stanzas_the_reader_skips(void **state)
{
    (void)state;
    shroud_identity *bob = new_native_identity();
    shroud_recipient *bob_r = recipient_of(bob);
    const shroud_recipient *rs[] = {bob_r, alice_r};
    tu_buf t = {0}, out = {0};
    seal(&(seal_spec){.recipients = rs, .n = 2}, plain, 100, &t);
    size_t bob_type = MAGIC_BYTES + 1;
    assert_int_equal(t.data[bob_type], 0x01);
    t.data[bob_type] = 0x7f;
    assert_int_equal(open_with(alice, 0, t.data, t.len, &out), SHROUD_ERR_HEADER_MAC);
    t.data[bob_type] = 0x01;
    t.data[bob_type + 3 + 40] ^= 1; /* inside Bob's wrapped key */
    assert_int_equal(open_with(alice, 0, t.data, t.len, &out), SHROUD_ERR_HEADER_MAC);
    assert_int_equal(out.len, 0);
    tu_buf_free(&out);
    tu_buf_free(&t);
    shroud_identity_free(bob);
    shroud_recipient_free(bob_r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untouched_envelope_opens),
        cmocka_unit_test(test_open_rejects_every_byte_flip_of_a_small_envelope),
        cmocka_unit_test(test_open_rejects_byte_flips_across_three_chunks),
        cmocka_unit_test(test_open_rejects_truncation_at_every_length_up_to_the_first_chunk),
        cmocka_unit_test(test_open_rejects_truncation_at_every_chunk_boundary),
        cmocka_unit_test(test_open_rejects_truncation_at_sampled_lengths),
        cmocka_unit_test(test_open_rejects_swapped_chunks),
        cmocka_unit_test(test_open_rejects_dropped_chunk),
        cmocka_unit_test(test_open_rejects_appended_data),
        cmocka_unit_test(test_open_rejects_dropped_empty_final_chunk),
        cmocka_unit_test(test_open_rejects_payload_spliced_onto_another_header),
        cmocka_unit_test(test_open_rejects_forged_headers),
        cmocka_unit_test(test_header_mac_covers_stanzas_the_reader_skips),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
