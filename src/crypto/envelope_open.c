/* envelope_open.c — streaming decryption of an envelope (binary or armored). */
#include <stdlib.h>
#include <string.h>

#include "crypto/armor.h"
#include "crypto/chunked.h"
#include "crypto/envelope.h"
#include "crypto/primitives.h"

enum input_mode { MODE_UNDECIDED, MODE_BINARY, MODE_ARMOR };

struct shroud_opener {
    unsigned flags;
    shroud_write_fn write;
    void *wctx;
    const shroud_identity *ids[SHROUD_MAX_RECIPIENTS];
    size_t n_ids;
    shroud_passphrase_fn ask;
    void *ask_ctx;
    enum input_mode mode;
    armor_reader *armor;
    size_t received; /* bytes of binary envelope seen */
    uint8_t magic[ENVELOPE_MAGIC_BYTES];
    size_t magic_len;
    uint8_t *header; /* header bytes gathered so far (magic excluded) */
    size_t header_len, header_needed;
    chunked_reader *payload; /* made once the header is authenticated */
    int error;               /* sticky */
};

int shroud_opener_new(shroud_opener **out, unsigned flags, shroud_write_fn write, void *write_ctx)
{
    if (!out || !write || (flags & ~SHROUD_FLAG_HEADERLESS))
        return SHROUD_ERR_ARGUMENT;
    shroud_opener *o = calloc(1, sizeof *o);
    if (!o)
        return SHROUD_ERR_NOMEM;
    o->flags = flags;
    o->write = write;
    o->wctx = write_ctx;
    o->header_needed = 1;
    o->mode = (flags & SHROUD_FLAG_HEADERLESS) ? MODE_BINARY : MODE_UNDECIDED;
    o->magic_len = (flags & SHROUD_FLAG_HEADERLESS) ? ENVELOPE_MAGIC_BYTES : 0;
    *out = o;
    return SHROUD_OK;
}

int shroud_opener_add_identity(shroud_opener *o, const shroud_identity *id)
{
    if (!o || !id)
        return SHROUD_ERR_ARGUMENT;
    if (o->n_ids >= SHROUD_MAX_RECIPIENTS)
        return SHROUD_ERR_LIMIT;
    o->ids[o->n_ids++] = id;
    return SHROUD_OK;
}

void shroud_opener_set_passphrase_fn(shroud_opener *o, shroud_passphrase_fn ask, void *ask_ctx)
{
    if (!o)
        return;
    o->ask = ask;
    o->ask_ctx = ask_ctx;
}

/* Asks for the passphrase and unwraps the lone passphrase stanza. */
static int unlock_passphrase(shroud_opener *o, const stanza_view *s,
                             uint8_t file_key[SHROUD_FILE_KEY_BYTES])
{
    if (!o->ask)
        return SHROUD_ERR_NEED_PASSPHRASE;
    char pass[SHROUD_PASSPHRASE_MAX];
    size_t len = 0;
    int err = SHROUD_ERR_NEED_PASSPHRASE;
    if (o->ask(o->ask_ctx, "decrypt", pass, sizeof pass, &len) == 0 && len <= sizeof pass)
        err = stanza_unwrap_passphrase(s, pass, len, file_key);
    prim_wipe(pass, sizeof pass);
    return err;
}

/* Finds the file key: the passphrase stanza, or any stanza an identity opens. */
static int unlock(shroud_opener *o, const envelope_header *h,
                  uint8_t file_key[SHROUD_FILE_KEY_BYTES])
{
    if (h->count == 1 && stanza_is_passphrase(&h->stanzas[0]))
        return unlock_passphrase(o, &h->stanzas[0], file_key);
    for (size_t i = 0; i < h->count; i++) {
        for (size_t j = 0; j < o->n_ids; j++) {
            int err = stanza_unwrap_identity(&h->stanzas[i], o->ids[j], file_key);
            if (err != SHROUD_ERR_NO_IDENTITY)
                return err; /* opened, or a hard error */
        }
    }
    return SHROUD_ERR_NO_IDENTITY;
}

/* The header is complete: authenticate it and start the payload. */
static int open_header(shroud_opener *o, const envelope_header *h)
{
    uint8_t file_key[SHROUD_FILE_KEY_BYTES], payload_key[32];
    int err = unlock(o, h, file_key);
    if (!err)
        err = envelope_header_check_mac(o->header, h, file_key);
    if (!err)
        err = envelope_payload_key(file_key, payload_key);
    if (!err)
        err = chunked_reader_new(&o->payload, payload_key, sizeof payload_key, h->mac,
                                 ENVELOPE_MAC_BYTES, o->write, o->wctx);
    prim_wipe(file_key, sizeof file_key);
    prim_wipe(payload_key, sizeof payload_key);
    return err;
}

/* Takes header bytes, never more than the parser asked for. */
static int take_header(shroud_opener *o, const uint8_t **buf, size_t *len)
{
    while (*len > 0 && !o->payload) {
        size_t want = o->header_needed - o->header_len;
        if (want > *len)
            want = *len;
        uint8_t *p = realloc(o->header, o->header_len + want);
        if (!p)
            return SHROUD_ERR_NOMEM;
        o->header = p;
        memcpy(o->header + o->header_len, *buf, want);
        o->header_len += want;
        *buf += want;
        *len -= want;
        if (o->header_len < o->header_needed)
            return SHROUD_OK;
        envelope_header h;
        int err = envelope_header_parse(o->header, o->header_len, &h, &o->header_needed);
        if (err == SHROUD_OK)
            return open_header(o, &h);
        if (err != SHROUD_ERR_TRUNCATED)
            return err;
    }
    return SHROUD_OK;
}

static int take_magic(shroud_opener *o, const uint8_t **buf, size_t *len)
{
    size_t n = ENVELOPE_MAGIC_BYTES - o->magic_len;
    if (n > *len)
        n = *len;
    memcpy(o->magic + o->magic_len, *buf, n);
    o->magic_len += n;
    *buf += n;
    *len -= n;
    if (memcmp(o->magic, ENVELOPE_MAGIC, o->magic_len < 7 ? o->magic_len : 7) != 0)
        return SHROUD_ERR_NOT_SHROUD;
    if (o->magic_len == ENVELOPE_MAGIC_BYTES && o->magic[7] != ENVELOPE_VERSION)
        return SHROUD_ERR_VERSION;
    return SHROUD_OK;
}

/* Consumes binary envelope bytes (after armor decoding, if any). */
static int binary_input(shroud_opener *o, const uint8_t *buf, size_t len)
{
    o->received += len;
    int err = SHROUD_OK;
    if (o->magic_len < ENVELOPE_MAGIC_BYTES)
        err = take_magic(o, &buf, &len);
    if (!err && !o->payload && len > 0)
        err = take_header(o, &buf, &len);
    if (!err && len > 0)
        err = chunked_reader_write(o->payload, buf, len);
    return err;
}

static int from_armor(void *ctx, const uint8_t *buf, size_t len)
{
    shroud_opener *o = ctx;
    o->error = binary_input(o, buf, len);
    return o->error ? -1 : 0;
}

/* Decides between binary and armor from the first byte. */
static int choose_mode(shroud_opener *o, uint8_t first)
{
    if (first == (uint8_t)ENVELOPE_MAGIC[0]) {
        o->mode = MODE_BINARY;
        return SHROUD_OK;
    }
    if (first == '-' || first == ' ' || first == '\t' || first == '\r' || first == '\n') {
        o->mode = MODE_ARMOR;
        return armor_reader_new(&o->armor, ARMOR_LABEL_MESSAGE, from_armor, o);
    }
    return SHROUD_ERR_NOT_SHROUD;
}

/* An armor reader error caused by our callback carries the real cause. */
static int armor_result(shroud_opener *o, int err)
{
    return (err == SHROUD_ERR_CANCELLED && o->error) ? o->error : err;
}

int shroud_opener_write(shroud_opener *o, const uint8_t *buf, size_t len)
{
    if (!o || (len && !buf))
        return SHROUD_ERR_ARGUMENT;
    if (o->error || len == 0)
        return o->error;
    int err = o->mode == MODE_UNDECIDED ? choose_mode(o, buf[0]) : SHROUD_OK;
    if (!err)
        err = o->mode == MODE_ARMOR ? armor_result(o, armor_reader_write(o->armor, buf, len))
                                    : binary_input(o, buf, len);
    if (err == SHROUD_ERR_NOT_SHROUD && o->mode == MODE_ARMOR)
        err = SHROUD_ERR_ARMOR; /* armor around something that is not an envelope */
    return o->error = err;
}

int shroud_opener_finish(shroud_opener *o)
{
    if (!o)
        return SHROUD_ERR_ARGUMENT;
    if (o->error)
        return o->error;
    int err = SHROUD_OK;
    if (o->mode == MODE_UNDECIDED)
        err = SHROUD_ERR_NOT_SHROUD; /* empty input */
    if (!err && o->mode == MODE_ARMOR)
        err = armor_result(o, armor_reader_finish(o->armor));
    if (!err && !o->payload)
        err = o->received == 0 ? SHROUD_ERR_NOT_SHROUD : SHROUD_ERR_TRUNCATED;
    if (!err)
        err = chunked_reader_finish(o->payload);
    o->error = err ? err : SHROUD_ERR_STATE;
    return err;
}

void shroud_opener_free(shroud_opener *o)
{
    if (!o)
        return;
    chunked_reader_free(o->payload);
    armor_reader_free(o->armor);
    free(o->header);
    free(o);
}
