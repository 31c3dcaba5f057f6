/*
 * Known-answer tests for the chunked-encryption layer (c2sp.org/chunked-
 * encryption, Cobblestone-256) with every vector of Wycheproof's
 * c2sp_chunked_encryption_aes_256_gcm_test.json, applied as described in
 * tests/vectors/wycheproof/c2sp_chunked_encryption.md:
 *  - decryption, feeding the ciphertext whole and in odd-sized pieces;
 *  - streaming rules for invalid vectors (only a valid prefix may come out,
 *    the error is sticky);
 *  - InvalidKeySize vectors rejected when the key is given;
 *  - encryption with the vector's salt reproduces the ciphertext exactly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "crypto/chunked.h"
#include "kat.h"

#define FILE_CHUNKED "wycheproof/c2sp_chunked_encryption_aes_256_gcm_test.json"
#define WHOLE SIZE_MAX

/* Piece sizes the ciphertext is fed in: whole, and around a chunk's
 * encrypted size (16384 + 16 = 16400). */
static const size_t READ_PIECES[] = {WHOLE, 1, 7, 16399, 16400, 16401};
/* Piece sizes the plaintext is fed in when re-encrypting. */
static const size_t WRITE_PIECES[] = {WHOLE, 1, 7, 16383, 16384, 16385};

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* "whole" or "pieces of N", for failure messages. */
static const char *how(size_t piece)
{
    static char buf[48];
    if (piece == WHOLE)
        return "whole";
    snprintf(buf, sizeof buf, "pieces of %zu", piece);
    return buf;
}

typedef struct {
    kat_bytes key, ctx, ct; /* ct decompressed */
    bool has_msg;           /* msgLength / msgSha512 given */
    size_t msg_len;
    kat_bytes msg_sha512;
} chunk_vector;

static chunk_vector load(const kat_case *kc)
{
    chunk_vector v = {
        .key = kat_hex(kc->test, "key"),
        .ctx = kat_hex(kc->test, "ctx"),
        .ct = kat_zhex(kc->test, "ct"),
        .has_msg = json_object_get(kc->test, "msgLength") != NULL,
    };
    if (v.has_msg) {
        v.msg_len = (size_t)kat_int(kc->test, "msgLength");
        v.msg_sha512 = kat_hex(kc->test, "msgSha512");
        KAT_CHECK(kc, v.msg_sha512.len == SHA512_DIGEST_LENGTH);
    }
    KAT_CHECK(kc, v.has_msg || kc->result == KAT_INVALID);
    return v;
}

static void unload(chunk_vector *v)
{
    kat_bytes_free(&v->key);
    kat_bytes_free(&v->ctx);
    kat_bytes_free(&v->ct);
    kat_bytes_free(&v->msg_sha512);
}

static bool is_message(const chunk_vector *v, const uint8_t *p, size_t len)
{
    uint8_t md[SHA512_DIGEST_LENGTH];
    SHA512(p, len, md);
    return v->has_msg && len == v->msg_len && memcmp(md, v->msg_sha512.p, sizeof md) == 0;
}

/* ---- feeding a reader or writer in pieces ---- */

typedef int (*write_fn)(void *obj, const uint8_t *buf, size_t len);

static int reader_write(void *r, const uint8_t *buf, size_t len)
{
    return chunked_reader_write(r, buf, len);
}

static int writer_write(void *w, const uint8_t *buf, size_t len)
{
    return chunked_writer_write(w, buf, len);
}

/* Writes buf in pieces of at most piece bytes (at least one call, even for
 * an empty buf); returns the first error. */
static int feed(void *obj, write_fn put, const uint8_t *buf, size_t len, size_t piece)
{
    size_t off = 0;
    do {
        size_t n = len - off < piece ? len - off : piece;
        int rc = put(obj, buf + off, n);
        if (rc != SHROUD_OK)
            return rc;
        off += n;
    } while (off < len);
    return SHROUD_OK;
}

/* ---- decryption ---- */

/* After an error every later call returns it, and no more output appears. */
static void check_error_is_sticky(const kat_case *kc, chunked_reader *r, int rc, const tu_buf *out)
{
    static const uint8_t more[1] = {0};
    size_t emitted = out->len;
    KAT_CHECK_RC(kc, chunked_reader_write(r, more, sizeof more), rc);
    KAT_CHECK_RC(kc, chunked_reader_finish(r), rc);
    KAT_CHECK_RC(kc, chunked_reader_write(r, more, sizeof more), rc);
    KAT_CHECK_RC(kc, chunked_reader_finish(r), rc);
    KAT_CHECK(kc, out->len == emitted);
}

/* Decrypts v->ct fed in pieces into out (via sink); returns the result. */
static int decrypt(const kat_case *kc, const chunk_vector *v, size_t piece, shroud_write_fn sink,
                   tu_buf *out)
{
    chunked_reader *r = NULL;
    KAT_CHECK_RC(kc, chunked_reader_new(&r, v->key.p, v->key.len, v->ctx.p, v->ctx.len, sink, out),
                 SHROUD_OK);
    int rc = feed(r, reader_write, v->ct.p, v->ct.len, piece);
    if (rc == SHROUD_OK)
        rc = chunked_reader_finish(r);
    if (rc != SHROUD_OK)
        check_error_is_sticky(kc, r, rc, out);
    chunked_reader_free(r);
    return rc;
}

static void check_valid(const kat_case *kc, const chunk_vector *v, size_t piece, int rc,
                        const tu_buf *out)
{
    if (rc != SHROUD_OK)
        KAT_FAIL(kc, "%s: decryption failed with %d", how(piece), rc);
    if (!is_message(v, out->data, out->len))
        KAT_FAIL(kc, "%s: got %zu bytes, want %zu bytes with msgSha512", how(piece), out->len,
                 v->msg_len);
}

static bool is_decryption_error(int rc)
{
    return rc == SHROUD_ERR_COMMITMENT || rc == SHROUD_ERR_PAYLOAD || rc == SHROUD_ERR_TRUNCATED ||
           rc == SHROUD_ERR_ARGUMENT || rc == SHROUD_ERR_LIMIT;
}

/* A header failure is a short prefix (truncated) or a commitment mismatch. */
static int header_error(const chunk_vector *v)
{
    return v->ct.len < CHUNKED_PREFIX_BYTES ? SHROUD_ERR_TRUNCATED : SHROUD_ERR_COMMITMENT;
}

/* Only whole authenticated chunks of the valid prefix (PartialPlaintext:
 * msgLength bytes; otherwise none) may have come out before the error. */
static void check_invalid(const kat_case *kc, const chunk_vector *v, size_t piece, int rc,
                          const tu_buf *out)
{
    if (!is_decryption_error(rc))
        KAT_FAIL(kc, "%s: returned %d, want a decryption error", how(piece), rc);
    if (kat_has_flag(kc, "HeaderFailure") && rc != header_error(v))
        KAT_FAIL(kc, "%s: header failure returned %d, want %d", how(piece), rc, header_error(v));
    size_t allowed = kat_has_flag(kc, "PartialPlaintext") ? v->msg_len : 0;
    if (out->len > allowed || out->len % CHUNKED_CHUNK_BYTES != 0)
        KAT_FAIL(kc, "%s: emitted %zu bytes, want whole chunks, at most %zu", how(piece), out->len,
                 allowed);
    if (out->len > 0 && out->len == v->msg_len && !is_message(v, out->data, out->len))
        KAT_FAIL(kc, "%s: emitted prefix does not match msgSha512", how(piece));
}

static void check_decrypt(const kat_case *kc, const chunk_vector *v, size_t piece)
{
    tu_buf out = {0};
    int rc = decrypt(kc, v, piece, tu_buf_write, &out);
    if (kc->result == KAT_VALID)
        check_valid(kc, v, piece, rc, &out);
    else
        check_invalid(kc, v, piece, rc, &out);
    tu_buf_free(&out);
}

/* InvalidKeySize: the reader (and writer) refuse the key up front. */
static void check_key_rejected(const kat_case *kc, const chunk_vector *v)
{
    tu_buf out = {0};
    chunked_reader *r = NULL;
    chunked_writer *w = NULL;
    KAT_CHECK(kc, v->key.len != CHUNKED_KEY_BYTES);
    KAT_CHECK_RC(
        kc, chunked_reader_new(&r, v->key.p, v->key.len, v->ctx.p, v->ctx.len, tu_buf_write, &out),
        SHROUD_ERR_ARGUMENT);
    KAT_CHECK_RC(kc,
                 chunked_writer_new(&w, v->key.p, v->key.len, v->ctx.p, v->ctx.len, v->ct.p,
                                    tu_buf_write, &out),
                 SHROUD_ERR_ARGUMENT);
    KAT_CHECK(kc, out.len == 0);
    chunked_reader_free(r);
    chunked_writer_free(w);
    tu_buf_free(&out);
}

static bool run_decrypt(const kat_case *kc, void *ctx)
{
    (void)ctx;
    chunk_vector v = load(kc);
    if (kat_has_flag(kc, "InvalidKeySize")) {
        check_key_rejected(kc, &v);
    } else {
        for (size_t i = 0; i < N_ITEMS(READ_PIECES); i++)
            check_decrypt(kc, &v, READ_PIECES[i]);
    }
    unload(&v);
    return true;
}

static void test_chunked_reader_decrypts_valid_and_rejects_invalid_vectors(void **state)
{
    (void)state;
    kat_counts c = kat_run(FILE_CHUNKED, NULL, run_decrypt, NULL);
    assert_int_equal(kat_total(c), kat_number_of_tests(FILE_CHUNKED));
    kat_expect_counts("chunked_reader", c, 10, 25, 0);
}

/* ---- encryption with the vector's salt ---- */

static void check_reencrypt(const kat_case *kc, const chunk_vector *v, const tu_buf *msg,
                            size_t piece)
{
    tu_buf out = {0};
    chunked_writer *w = NULL;
    KAT_CHECK(kc, v->ct.len >= CHUNKED_SALT_BYTES);
    KAT_CHECK_RC(kc,
                 chunked_writer_new(&w, v->key.p, v->key.len, v->ctx.p, v->ctx.len, v->ct.p,
                                    tu_buf_write, &out),
                 SHROUD_OK);
    int rc = feed(w, writer_write, msg->data, msg->len, piece);
    if (rc == SHROUD_OK)
        rc = chunked_writer_finish(w);
    if (rc != SHROUD_OK)
        KAT_FAIL(kc, "%s: encryption failed with %d", how(piece), rc);
    if (out.len != v->ct.len || memcmp(out.data, v->ct.p, out.len) != 0)
        KAT_FAIL(kc, "%s: ciphertext differs (%zu bytes, want %zu)", how(piece), out.len,
                 v->ct.len);
    chunked_writer_free(w);
    tu_buf_free(&out);
}

static bool run_reencrypt(const kat_case *kc, void *ctx)
{
    (void)ctx;
    if (kc->result != KAT_VALID)
        return false;
    chunk_vector v = load(kc);
    tu_buf msg = {0};
    check_valid(kc, &v, WHOLE, decrypt(kc, &v, WHOLE, tu_buf_write, &msg), &msg);
    if (!msg.data) /* empty message: give the writer a valid pointer */
        assert_int_equal(tu_buf_write(&msg, (const uint8_t *)"", 0), 0);
    for (size_t i = 0; i < N_ITEMS(WRITE_PIECES); i++)
        check_reencrypt(kc, &v, &msg, WRITE_PIECES[i]);
    tu_buf_free(&msg);
    unload(&v);
    return true;
}

static void test_chunked_writer_with_vector_salt_reproduces_ciphertext(void **state)
{
    (void)state;
    kat_counts c = kat_run(FILE_CHUNKED, NULL, run_reencrypt, NULL);
    kat_expect_counts("chunked_writer re-encryption", c, 10, 0, 0);
}

/* ---- a sink that refuses output ---- */

static int refuse(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return 1;
}

static bool run_cancel(const kat_case *kc, void *ctx)
{
    (void)ctx;
    if (kc->result != KAT_VALID || kat_int(kc->test, "msgLength") == 0)
        return false;
    chunk_vector v = load(kc);
    tu_buf unused = {0};
    KAT_CHECK_RC(kc, decrypt(kc, &v, WHOLE, refuse, &unused), SHROUD_ERR_CANCELLED);
    unload(&v);
    return true;
}

static void test_chunked_reader_returns_cancelled_when_sink_refuses(void **state)
{
    (void)state;
    kat_counts c = kat_run(FILE_CHUNKED, NULL, run_cancel, NULL);
    kat_expect_counts("chunked_reader with refusing sink", c, 9, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunked_reader_decrypts_valid_and_rejects_invalid_vectors),
        cmocka_unit_test(test_chunked_writer_with_vector_salt_reproduces_ciphertext),
        cmocka_unit_test(test_chunked_reader_returns_cancelled_when_sink_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
