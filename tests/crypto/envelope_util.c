#include "envelope_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/envelope.h"

const size_t TEST_SIZES[] = {0,
                             1,
                             SHROUD_CHUNK_BYTES - 1,
                             SHROUD_CHUNK_BYTES,
                             SHROUD_CHUNK_BYTES + 1,
                             3 * SHROUD_CHUNK_BYTES,
                             1048576 + 7};
const size_t N_TEST_SIZES = N_ITEMS(TEST_SIZES);

const int DAMAGE_ERRORS[] = {
    SHROUD_ERR_HEADER,  SHROUD_ERR_HEADER_MAC, SHROUD_ERR_NO_IDENTITY, SHROUD_ERR_COMMITMENT,
    SHROUD_ERR_PAYLOAD, SHROUD_ERR_TRUNCATED,  SHROUD_ERR_NOT_SHROUD,  SHROUD_ERR_VERSION,
};
const size_t N_DAMAGE_ERRORS = N_ITEMS(DAMAGE_ERRORS);

const int ARMOR_DAMAGE_ERRORS[] = {
    SHROUD_ERR_HEADER,  SHROUD_ERR_HEADER_MAC, SHROUD_ERR_NO_IDENTITY, SHROUD_ERR_COMMITMENT,
    SHROUD_ERR_PAYLOAD, SHROUD_ERR_TRUNCATED,  SHROUD_ERR_NOT_SHROUD,  SHROUD_ERR_VERSION,
    SHROUD_ERR_ARMOR,   SHROUD_ERR_TRAILING,
};
const size_t N_ARMOR_DAMAGE_ERRORS = N_ITEMS(ARMOR_DAMAGE_ERRORS);

uint32_t rng_next(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

uint8_t *pattern(size_t len, uint32_t seed)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    uint32_t state = seed ? seed : 1;
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(rng_next(&state) >> 24);
    return p;
}

int pass_fn(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    pass_source *src = ctx;
    src->calls++;
    snprintf(src->purpose, sizeof src->purpose, "%s", purpose ? purpose : "");
    if (!src->pass)
        return -1;
    size_t n = strlen(src->pass);
    if (n > cap)
        return -1;
    memcpy(buf, src->pass, n);
    *len = n;
    return 0;
}

/* The next piece size to feed. */
static size_t next_piece(size_t piece, size_t left, uint32_t *state)
{
    size_t n = piece == 0 ? left : piece == PIECES_RANDOM ? 1 + rng_next(state) % 40000 : piece;
    return n < left ? n : left;
}

void seal(const seal_spec *spec, const uint8_t *pt, size_t len, tu_buf *out)
{
    shroud_sealer *s = NULL;
    assert_int_equal(shroud_sealer_new(&s, spec->flags, tu_buf_write, out), SHROUD_OK);
    for (size_t i = 0; i < spec->n; i++)
        assert_int_equal(shroud_sealer_add_recipient(s, spec->recipients[i]), SHROUD_OK);
    if (spec->scrypt)
        assert_int_equal(
            shroud_sealer_add_passphrase(s, spec->scrypt, strlen(spec->scrypt), spec->log_n),
            SHROUD_OK);
    if (spec->pbkdf2)
        assert_int_equal(shroud_sealer_add_passphrase_pbkdf2(s, spec->pbkdf2, strlen(spec->pbkdf2),
                                                             spec->iterations),
                         SHROUD_OK);
    uint32_t state = 0x5eed;
    size_t done = 0;
    do { /* at least one write, even of nothing */
        size_t n = next_piece(spec->piece, len - done, &state);
        assert_int_equal(shroud_sealer_write(s, pt + done, n), SHROUD_OK);
        done += n;
    } while (done < len);
    assert_int_equal(shroud_sealer_finish(s), SHROUD_OK);
    shroud_sealer_free(s);
}

void seal_to(const shroud_recipient *r, unsigned flags, const uint8_t *pt, size_t len, tu_buf *out)
{
    seal_spec spec = {.recipients = &r, .n = 1, .flags = flags};
    seal(&spec, pt, len, out);
}

/* No cmocka calls in here: flip_every_byte runs it on worker threads. A
 * failure to set the opener up is returned as is (never a damage error). */
int open_env(const open_spec *spec, const uint8_t *ct, size_t len, tu_buf *out)
{
    shroud_opener *o = NULL;
    int err = shroud_opener_new(&o, spec->flags, tu_buf_write, out);
    if (err)
        return err;
    for (size_t i = 0; i < spec->n; i++) {
        if ((err = shroud_opener_add_identity(o, spec->ids[i])) != SHROUD_OK) {
            shroud_opener_free(o);
            return err;
        }
    }
    pass_source src = {.pass = spec->pass};
    if (spec->pass)
        shroud_opener_set_passphrase_fn(o, pass_fn, &src);
    uint32_t state = 0xfeed;
    for (size_t done = 0; !err && done < len;) {
        size_t n = next_piece(spec->piece, len - done, &state);
        err = shroud_opener_write(o, ct + done, n);
        done += n;
    }
    if (!err)
        err = shroud_opener_finish(o);
    shroud_opener_free(o);
    return err;
}

int open_with(const shroud_identity *id, unsigned flags, const uint8_t *ct, size_t len, tu_buf *out)
{
    open_spec spec = {.ids = &id, .n = 1, .flags = flags};
    return open_env(&spec, ct, len, out);
}

void assert_opens_to(const open_spec *spec, const uint8_t *ct, size_t len, const uint8_t *pt,
                     size_t pt_len)
{
    tu_buf out = {0};
    int err = open_env(spec, ct, len, &out);
    if (err != SHROUD_OK)
        fail_msg("open failed: %s (%d), plaintext %zu bytes", shroud_strerror(err), err, pt_len);
    assert_int_equal(out.len, pt_len);
    if (pt_len)
        assert_memory_equal(out.data, pt, pt_len);
    tu_buf_free(&out);
}

static bool is_allowed(int err, const int *allowed, size_t n_allowed)
{
    for (size_t i = 0; i < n_allowed; i++)
        if (err == allowed[i])
            return true;
    return false;
}

/* Less than the whole plaintext, and only its beginning. */
static bool is_strict_prefix(const tu_buf *out, const uint8_t *pt, size_t pt_len)
{
    if (out->len == 0)
        return true;
    return out->len < pt_len && memcmp(out->data, pt, out->len) == 0;
}

int expect_open_failure(const open_spec *spec, const uint8_t *ct, size_t len, const uint8_t *pt,
                        size_t pt_len, const int *allowed, size_t n_allowed, const char *what)
{
    tu_buf out = {0};
    int err = open_env(spec, ct, len, &out);
    if (!is_allowed(err, allowed, n_allowed))
        fail_msg("%s: got %d (%s)", what, err, shroud_strerror(err));
    if (!is_strict_prefix(&out, pt, pt_len))
        fail_msg("%s: %zu bytes delivered that are not a strict prefix of the plaintext", what,
                 out.len);
    tu_buf_free(&out);
    return err;
}

/* ---- every byte flipped, on all processors ---- */

typedef struct {
    const open_spec *spec;
    const uint8_t *ct;
    size_t len;
    const uint8_t *pt;
    size_t pt_len;
    const int *allowed;
    size_t n_allowed;
    const size_t *offsets; /* NULL: every offset */
    size_t count;
    uint8_t mask;
    size_t first, step; /* this worker's share of the offsets */
    /* the first offset that was not rejected properly, if any */
    bool failed;
    size_t bad_offset, bad_out_len;
    int bad_err;
} flip_job;

static void *flip_worker(void *arg)
{
    flip_job *job = arg;
    uint8_t *copy = malloc(job->len);
    if (!copy) {
        job->failed = true;
        job->bad_err = SHROUD_ERR_NOMEM;
        return NULL;
    }
    memcpy(copy, job->ct, job->len);
    tu_buf out = {0};
    for (size_t k = job->first; k < job->count && !job->failed; k += job->step) {
        size_t i = job->offsets ? job->offsets[k] : k;
        copy[i] ^= job->mask;
        out.len = 0;
        int err = open_env(job->spec, copy, job->len, &out);
        copy[i] ^= job->mask;
        if (!is_allowed(err, job->allowed, job->n_allowed) ||
            !is_strict_prefix(&out, job->pt, job->pt_len)) {
            job->failed = true;
            job->bad_offset = i;
            job->bad_err = err;
            job->bad_out_len = out.len;
        }
    }
    tu_buf_free(&out);
    free(copy);
    return NULL;
}

void flip_bytes(const open_spec *spec, const uint8_t *ct, size_t len, const size_t *offsets,
                size_t n_offsets, uint8_t mask, const uint8_t *pt, size_t pt_len,
                const int *allowed, size_t n_allowed)
{
    enum { MAX_WORKERS = 8 };
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cpus < 1 ? 1 : cpus > MAX_WORKERS ? MAX_WORKERS : (size_t)cpus;
    assert_true(spec->n <= SHROUD_MAX_RECIPIENTS);
    flip_job jobs[MAX_WORKERS];
    pthread_t threads[MAX_WORKERS];
    /* A handle is used by one thread at a time: each worker gets copies. */
    shroud_identity *ids[MAX_WORKERS][SHROUD_MAX_RECIPIENTS];
    open_spec specs[MAX_WORKERS];
    for (size_t t = 0; t < n; t++) {
        for (size_t i = 0; i < spec->n; i++)
            ids[t][i] = identity_copy(spec->ids[i]);
        specs[t] = *spec;
        specs[t].ids = (const shroud_identity *const *)ids[t];
        jobs[t] = (flip_job){.spec = &specs[t],
                             .ct = ct,
                             .len = len,
                             .pt = pt,
                             .pt_len = pt_len,
                             .allowed = allowed,
                             .n_allowed = n_allowed,
                             .offsets = offsets,
                             .count = offsets ? n_offsets : len,
                             .mask = mask,
                             .first = t,
                             .step = n};
        assert_int_equal(pthread_create(&threads[t], NULL, flip_worker, &jobs[t]), 0);
    }
    for (size_t t = 0; t < n; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        for (size_t i = 0; i < spec->n; i++)
            shroud_identity_free(ids[t][i]);
    }
    for (size_t t = 0; t < n; t++)
        if (jobs[t].failed)
            fail_msg("byte %zu ^ 0x%02x: got %d (%s) with %zu bytes of plaintext out",
                     jobs[t].bad_offset, mask, jobs[t].bad_err, shroud_strerror(jobs[t].bad_err),
                     jobs[t].bad_out_len);
}

void flip_every_byte(const open_spec *spec, const uint8_t *ct, size_t len, uint8_t mask,
                     const uint8_t *pt, size_t pt_len, const int *allowed, size_t n_allowed)
{
    flip_bytes(spec, ct, len, NULL, 0, mask, pt, pt_len, allowed, n_allowed);
}

void layout_of(const uint8_t *env, size_t len, bool headerless, envelope_layout *out)
{
    size_t skip = headerless ? 0 : MAGIC_BYTES;
    assert_true(len > skip);
    envelope_header h;
    size_t needed = 0;
    assert_int_equal(envelope_header_parse(env + skip, len - skip, &h, &needed), SHROUD_OK);
    out->header_end = skip + h.size;
    out->chunks_start = out->header_end + PAYLOAD_PREFIX;
    assert_true(len >= out->chunks_start + 16);
    out->n_chunks = (len - out->chunks_start) / SEALED_CHUNK + 1;
    out->total = len;
}

size_t chunk_offset(const envelope_layout *l, size_t i)
{
    return l->chunks_start + i * SEALED_CHUNK;
}

size_t chunk_length(const envelope_layout *l, size_t i)
{
    return i + 1 < l->n_chunks ? SEALED_CHUNK : l->total - chunk_offset(l, i);
}

shroud_identity *new_native_identity(void)
{
    shroud_identity *id = NULL;
    assert_int_equal(shroud_identity_generate(&id), SHROUD_OK);
    return id;
}

shroud_identity *new_rsa_identity(unsigned bits)
{
    shroud_identity *id = NULL;
    assert_int_equal(shroud_identity_generate_rsa(&id, bits), SHROUD_OK);
    return id;
}

shroud_identity *identity_copy(const shroud_identity *id)
{
    char *text = NULL;
    size_t len = 0;
    shroud_identity *copy = NULL;
    assert_int_equal(shroud_identity_serialize(id, NULL, 0, 0, &text, &len), SHROUD_OK);
    assert_int_equal(shroud_identity_parse(&copy, text, len, NULL, NULL), SHROUD_OK);
    shroud_free_secret(text, len);
    return copy;
}

shroud_recipient *recipient_of(const shroud_identity *id)
{
    shroud_recipient *r = NULL;
    assert_int_equal(shroud_identity_recipient(id, &r), SHROUD_OK);
    return r;
}

void buf_append(tu_buf *b, const void *p, size_t len)
{
    assert_int_equal(tu_buf_write(b, p, len), 0);
}
