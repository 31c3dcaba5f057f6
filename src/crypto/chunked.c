/* chunked.c — c2sp.org/chunked-encryption v1 with AES-256-GCM and SHA-512. */
#include "crypto/chunked.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"

#define CHUNKED_INFO_PREFIX "c2sp.org/chunked-encryption@v1+"
#define SEALED_CHUNK_BYTES (CHUNKED_CHUNK_BYTES + CHUNKED_TAG_BYTES)

/* What HKDF-Expand yields for one message. */
typedef struct {
    uint8_t key[AES256_KEY_BYTES];
    uint8_t base_nonce[GCM_NONCE_BYTES];
    uint8_t commitment[CHUNKED_COMMITMENT_BYTES];
} message_keys;

/* State shared by both directions. */
typedef struct {
    aes_gcm *gcm;
    uint8_t base_nonce[GCM_NONCE_BYTES];
    uint64_t counter; /* index of the next chunk */
    shroud_write_fn write;
    void *wctx;
    int error; /* sticky: once set, every call returns it */
} chunk_stream;

struct chunked_writer {
    chunk_stream s;
    uint8_t salt[CHUNKED_SALT_BYTES];
    uint8_t commitment[CHUNKED_COMMITMENT_BYTES];
    int prefix_written;
    size_t pending; /* plaintext bytes waiting in plain[] */
    uint8_t plain[CHUNKED_CHUNK_BYTES];
    uint8_t sealed[SEALED_CHUNK_BYTES];
};

struct chunked_reader {
    chunk_stream s;
    uint8_t input_key[CHUNKED_KEY_BYTES];
    uint8_t *context;
    size_t context_len;
    uint8_t prefix[CHUNKED_PREFIX_BYTES];
    size_t prefix_len;
    size_t pending; /* ciphertext bytes waiting in sealed[] */
    uint8_t sealed[SEALED_CHUNK_BYTES];
    uint8_t plain[CHUNKED_CHUNK_BYTES];
};

/* key || base nonce || commitment = HKDF-Expand-SHA-512(input key, info). */
static int derive_message_keys(const uint8_t *input_key, const uint8_t *salt,
                               const uint8_t *context, size_t context_len, message_keys *out)
{
    static const char prefix[] = CHUNKED_INFO_PREFIX CHUNKED_AEAD_NAME;
    size_t prefix_len = sizeof prefix; /* includes the terminating 0x00 separator */
    if (context_len > SIZE_MAX - prefix_len - CHUNKED_SALT_BYTES)
        return SHROUD_ERR_ARGUMENT;
    size_t info_len = prefix_len + CHUNKED_SALT_BYTES + context_len;
    uint8_t *info = malloc(info_len);
    if (!info)
        return SHROUD_ERR_NOMEM;
    memcpy(info, prefix, prefix_len);
    memcpy(info + prefix_len, salt, CHUNKED_SALT_BYTES);
    if (context_len)
        memcpy(info + prefix_len + CHUNKED_SALT_BYTES, context, context_len);
    uint8_t okm[sizeof(message_keys)];
    int err = hkdf_expand("SHA512", input_key, CHUNKED_KEY_BYTES, info, info_len, okm, sizeof okm);
    free(info);
    if (err == SHROUD_OK) {
        memcpy(out->key, okm, AES256_KEY_BYTES);
        memcpy(out->base_nonce, okm + AES256_KEY_BYTES, GCM_NONCE_BYTES);
        memcpy(out->commitment, okm + AES256_KEY_BYTES + GCM_NONCE_BYTES, CHUNKED_COMMITMENT_BYTES);
    }
    prim_wipe(okm, sizeof okm);
    return err;
}

static int stream_start(chunk_stream *s, const message_keys *k)
{
    memcpy(s->base_nonce, k->base_nonce, GCM_NONCE_BYTES);
    s->counter = 0;
    return aes_gcm_new(&s->gcm, k->key);
}

/* The nonce of chunk s->counter: base nonce XOR the counter, big-endian. */
static int next_nonce(chunk_stream *s, uint8_t nonce[GCM_NONCE_BYTES])
{
    if (s->counter >= CHUNKED_MAX_CHUNKS)
        return SHROUD_ERR_LIMIT;
    memcpy(nonce, s->base_nonce, GCM_NONCE_BYTES);
    uint64_t c = s->counter++;
    for (int i = GCM_NONCE_BYTES - 1; i >= GCM_NONCE_BYTES - 5; i--, c >>= 8)
        nonce[i] ^= (uint8_t)c;
    return SHROUD_OK;
}

static int emit(chunk_stream *s, const uint8_t *buf, size_t len)
{
    if (len == 0)
        return SHROUD_OK;
    return s->write(s->wctx, buf, len) == 0 ? SHROUD_OK : SHROUD_ERR_CANCELLED;
}

static int fail(chunk_stream *s, int err)
{
    if (s->error == SHROUD_OK)
        s->error = err;
    return s->error;
}

/* ---- writer ---- */

int chunked_writer_new(chunked_writer **out, const uint8_t *key, size_t key_len,
                       const uint8_t *context, size_t context_len,
                       const uint8_t salt[CHUNKED_SALT_BYTES], shroud_write_fn write, void *wctx)
{
    if (!out || !key || key_len != CHUNKED_KEY_BYTES || !write || (context_len && !context))
        return SHROUD_ERR_ARGUMENT;
    chunked_writer *w = calloc(1, sizeof *w);
    if (!w)
        return SHROUD_ERR_NOMEM;
    w->s.write = write;
    w->s.wctx = wctx;
    int err = salt ? (memcpy(w->salt, salt, CHUNKED_SALT_BYTES), SHROUD_OK)
                   : prim_random(w->salt, CHUNKED_SALT_BYTES);
    message_keys k;
    if (err == SHROUD_OK)
        err = derive_message_keys(key, w->salt, context, context_len, &k);
    if (err == SHROUD_OK) {
        memcpy(w->commitment, k.commitment, CHUNKED_COMMITMENT_BYTES);
        err = stream_start(&w->s, &k);
    }
    prim_wipe(&k, sizeof k);
    if (err != SHROUD_OK) {
        chunked_writer_free(w);
        return err;
    }
    *out = w;
    return SHROUD_OK;
}

static int write_prefix(chunked_writer *w)
{
    if (w->prefix_written)
        return SHROUD_OK;
    w->prefix_written = 1;
    int err = emit(&w->s, w->salt, CHUNKED_SALT_BYTES);
    return err ? err : emit(&w->s, w->commitment, CHUNKED_COMMITMENT_BYTES);
}

/* Seals len (<= 16 KiB) bytes of plaintext as the next chunk and emits it. */
static int seal_chunk(chunked_writer *w, const uint8_t *plain, size_t len)
{
    uint8_t nonce[GCM_NONCE_BYTES];
    int err = next_nonce(&w->s, nonce);
    if (err == SHROUD_OK)
        err = aes_gcm_seal(w->s.gcm, nonce, NULL, 0, plain, len, w->sealed, w->sealed + len);
    return err ? err : emit(&w->s, w->sealed, len + CHUNKED_TAG_BYTES);
}

int chunked_writer_write(chunked_writer *w, const uint8_t *buf, size_t len)
{
    if (!w || (len && !buf))
        return SHROUD_ERR_ARGUMENT;
    if (w->s.error)
        return w->s.error;
    int err = write_prefix(w);
    /* A full chunk is never the final one, so it can be sealed at once. */
    while (err == SHROUD_OK && len > 0) {
        if (w->pending == 0 && len >= CHUNKED_CHUNK_BYTES) {
            err = seal_chunk(w, buf, CHUNKED_CHUNK_BYTES);
            buf += CHUNKED_CHUNK_BYTES;
            len -= CHUNKED_CHUNK_BYTES;
            continue;
        }
        size_t n = CHUNKED_CHUNK_BYTES - w->pending;
        if (n > len)
            n = len;
        memcpy(w->plain + w->pending, buf, n);
        w->pending += n;
        buf += n;
        len -= n;
        if (w->pending == CHUNKED_CHUNK_BYTES) {
            err = seal_chunk(w, w->plain, CHUNKED_CHUNK_BYTES);
            w->pending = 0;
        }
    }
    return err ? fail(&w->s, err) : SHROUD_OK;
}

int chunked_writer_finish(chunked_writer *w)
{
    if (!w)
        return SHROUD_ERR_ARGUMENT;
    if (w->s.error)
        return w->s.error;
    int err = write_prefix(w);
    if (err == SHROUD_OK)
        err = seal_chunk(w, w->plain, w->pending); /* always short, maybe empty */
    w->pending = 0;
    if (err != SHROUD_OK)
        return fail(&w->s, err);
    fail(&w->s, SHROUD_ERR_STATE); /* finished: nothing may follow the final chunk */
    return SHROUD_OK;
}

void chunked_writer_free(chunked_writer *w)
{
    if (!w)
        return;
    aes_gcm_free(w->s.gcm);
    prim_wipe(w, sizeof *w);
    free(w);
}

/* ---- reader ---- */

int chunked_reader_new(chunked_reader **out, const uint8_t *key, size_t key_len,
                       const uint8_t *context, size_t context_len, shroud_write_fn write,
                       void *wctx)
{
    if (!out || !key || key_len != CHUNKED_KEY_BYTES || !write || (context_len && !context))
        return SHROUD_ERR_ARGUMENT;
    chunked_reader *r = calloc(1, sizeof *r);
    if (!r)
        return SHROUD_ERR_NOMEM;
    r->context = malloc(context_len ? context_len : 1);
    if (!r->context) {
        free(r);
        return SHROUD_ERR_NOMEM;
    }
    if (context_len)
        memcpy(r->context, context, context_len);
    r->context_len = context_len;
    memcpy(r->input_key, key, CHUNKED_KEY_BYTES);
    r->s.write = write;
    r->s.wctx = wctx;
    *out = r;
    return SHROUD_OK;
}

/* Once salt and commitment are in: derive the keys, check the commitment. */
static int open_prefix(chunked_reader *r)
{
    message_keys k;
    int err = derive_message_keys(r->input_key, r->prefix, r->context, r->context_len, &k);
    if (err == SHROUD_OK &&
        !prim_equal(k.commitment, r->prefix + CHUNKED_SALT_BYTES, CHUNKED_COMMITMENT_BYTES))
        err = SHROUD_ERR_COMMITMENT;
    if (err == SHROUD_OK)
        err = stream_start(&r->s, &k);
    prim_wipe(&k, sizeof k);
    prim_wipe(r->input_key, sizeof r->input_key);
    return err;
}

/* Opens one sealed chunk of len bytes (tag included) and emits its plaintext. */
static int open_chunk(chunked_reader *r, const uint8_t *sealed, size_t len)
{
    if (len < CHUNKED_TAG_BYTES)
        return SHROUD_ERR_TRUNCATED;
    size_t plain_len = len - CHUNKED_TAG_BYTES;
    uint8_t nonce[GCM_NONCE_BYTES];
    int err = next_nonce(&r->s, nonce);
    if (err == SHROUD_OK)
        err =
            aes_gcm_open(r->s.gcm, nonce, NULL, 0, sealed, plain_len, sealed + plain_len, r->plain);
    if (err == SHROUD_OK)
        return emit(&r->s, r->plain, plain_len);
    /* Unauthenticated plaintext is wiped now; good chunks are overwritten by the
     * next one and the whole buffer is wiped by chunked_reader_free. */
    prim_wipe(r->plain, plain_len);
    return err;
}

/* Takes up to the 56-byte prefix from the input; opens it when complete. */
static int take_prefix(chunked_reader *r, const uint8_t **buf, size_t *len)
{
    size_t n = CHUNKED_PREFIX_BYTES - r->prefix_len;
    if (n > *len)
        n = *len;
    memcpy(r->prefix + r->prefix_len, *buf, n);
    r->prefix_len += n;
    *buf += n;
    *len -= n;
    return r->prefix_len == CHUNKED_PREFIX_BYTES ? open_prefix(r) : SHROUD_OK;
}

int chunked_reader_write(chunked_reader *r, const uint8_t *buf, size_t len)
{
    if (!r || (len && !buf))
        return SHROUD_ERR_ARGUMENT;
    if (r->s.error)
        return r->s.error;
    int err = SHROUD_OK;
    if (r->prefix_len < CHUNKED_PREFIX_BYTES)
        err = take_prefix(r, &buf, &len);
    /* A full sealed chunk is known not to be final only once a byte follows it. */
    while (err == SHROUD_OK && len > 0) {
        if (r->pending == SEALED_CHUNK_BYTES) {
            err = open_chunk(r, r->sealed, SEALED_CHUNK_BYTES);
            r->pending = 0;
            continue;
        }
        if (r->pending == 0 && len > SEALED_CHUNK_BYTES) {
            err = open_chunk(r, buf, SEALED_CHUNK_BYTES);
            buf += SEALED_CHUNK_BYTES;
            len -= SEALED_CHUNK_BYTES;
            continue;
        }
        size_t n = SEALED_CHUNK_BYTES - r->pending;
        if (n > len)
            n = len;
        memcpy(r->sealed + r->pending, buf, n);
        r->pending += n;
        buf += n;
        len -= n;
    }
    return err ? fail(&r->s, err) : SHROUD_OK;
}

int chunked_reader_finish(chunked_reader *r)
{
    if (!r)
        return SHROUD_ERR_ARGUMENT;
    if (r->s.error)
        return r->s.error;
    int err = SHROUD_OK;
    if (r->prefix_len < CHUNKED_PREFIX_BYTES || r->pending == SEALED_CHUNK_BYTES)
        err = SHROUD_ERR_TRUNCATED; /* the final chunk must be short */
    else
        err = open_chunk(r, r->sealed, r->pending);
    r->pending = 0;
    if (err != SHROUD_OK)
        return fail(&r->s, err);
    fail(&r->s, SHROUD_ERR_STATE); /* finished: nothing more may come */
    return SHROUD_OK;
}

void chunked_reader_free(chunked_reader *r)
{
    if (!r)
        return;
    aes_gcm_free(r->s.gcm);
    free(r->context);
    prim_wipe(r, sizeof *r);
    free(r);
}
