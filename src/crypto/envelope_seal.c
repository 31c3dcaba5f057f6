/* envelope_seal.c — streaming encryption into an envelope. */
#include <stdlib.h>
#include <string.h>

#include "crypto/armor.h"
#include "crypto/chunked.h"
#include "crypto/envelope.h"
#include "crypto/primitives.h"

struct shroud_sealer {
    unsigned flags;
    uint8_t file_key[SHROUD_FILE_KEY_BYTES];
    stanza *stanzas; /* ENVELOPE_MAX_STANZAS of them */
    size_t count;
    int has_passphrase;
    chunked_writer *payload; /* made when the header is written */
    armor_writer *armor;     /* with SHROUD_FLAG_ARMOR */
    shroud_write_fn write;   /* where envelope bytes go: the armor or the caller */
    void *wctx;
    int error;
};

static int to_armor(void *ctx, const uint8_t *buf, size_t len)
{
    return armor_writer_write(ctx, buf, len) == SHROUD_OK ? 0 : -1;
}

int shroud_sealer_new(shroud_sealer **out, unsigned flags, shroud_write_fn write, void *write_ctx)
{
    if (!out || !write || (flags & ~(SHROUD_FLAG_HEADERLESS | SHROUD_FLAG_ARMOR)))
        return SHROUD_ERR_ARGUMENT;
    if ((flags & SHROUD_FLAG_HEADERLESS) && (flags & SHROUD_FLAG_ARMOR))
        return SHROUD_ERR_ARGUMENT; /* headerless bytes go inside images, never in text */
    shroud_sealer *s = calloc(1, sizeof *s);
    if (!s)
        return SHROUD_ERR_NOMEM;
    s->flags = flags;
    s->stanzas = calloc(ENVELOPE_MAX_STANZAS, sizeof *s->stanzas);
    int err = s->stanzas ? prim_random(s->file_key, sizeof s->file_key) : SHROUD_ERR_NOMEM;
    if (!err && (flags & SHROUD_FLAG_ARMOR))
        err = armor_writer_new(&s->armor, ARMOR_LABEL_MESSAGE, write, write_ctx);
    if (err) {
        shroud_sealer_free(s);
        return err;
    }
    s->write = s->armor ? to_armor : write;
    s->wctx = s->armor ? (void *)s->armor : write_ctx;
    *out = s;
    return SHROUD_OK;
}

/* Checks that one more stanza may be added. */
static int room_for(shroud_sealer *s, int passphrase)
{
    if (s->error)
        return s->error;
    if (s->payload)
        return SHROUD_ERR_STATE; /* recipients come before the data */
    if (s->has_passphrase || (passphrase && s->count > 0))
        return SHROUD_ERR_PASSPHRASE_MIX;
    if (s->count >= ENVELOPE_MAX_STANZAS)
        return SHROUD_ERR_LIMIT;
    return SHROUD_OK;
}

int shroud_sealer_add_recipient(shroud_sealer *s, const shroud_recipient *r)
{
    if (!s || !r)
        return SHROUD_ERR_ARGUMENT;
    int err = room_for(s, 0);
    if (!err)
        err = stanza_wrap_recipient(r, s->file_key, &s->stanzas[s->count]);
    if (!err)
        s->count++;
    return err;
}

int shroud_sealer_add_passphrase(shroud_sealer *s, const char *pass, size_t len, int log_n)
{
    if (!s)
        return SHROUD_ERR_ARGUMENT;
    int err = room_for(s, 1);
    if (!err)
        err = stanza_wrap_scrypt(pass, len, log_n ? log_n : SHROUD_SCRYPT_DEFAULT_LOG_N,
                                 s->file_key, &s->stanzas[s->count]);
    if (!err) {
        s->count++;
        s->has_passphrase = 1;
    }
    return err;
}

int shroud_sealer_add_passphrase_pbkdf2(shroud_sealer *s, const char *pass, size_t len,
                                        uint32_t iterations)
{
    if (!s)
        return SHROUD_ERR_ARGUMENT;
    int err = room_for(s, 1);
    if (!err)
        err = stanza_wrap_pbkdf2(pass, len, iterations ? iterations : SHROUD_PBKDF2_MIN_ITERATIONS,
                                 s->file_key, &s->stanzas[s->count]);
    if (!err) {
        s->count++;
        s->has_passphrase = 1;
    }
    return err;
}

/* Writes magic and header, and starts the payload, on first use. */
static int start(shroud_sealer *s)
{
    if (s->payload)
        return SHROUD_OK;
    if (s->count == 0)
        return SHROUD_ERR_STATE; /* no recipient: nobody could open it */
    uint8_t *header = NULL, payload_key[32];
    size_t header_len = 0;
    int err = envelope_header_encode(s->stanzas, s->count, s->file_key, &header, &header_len);
    if (!err && !(s->flags & SHROUD_FLAG_HEADERLESS) &&
        s->write(s->wctx, (const uint8_t *)ENVELOPE_MAGIC, ENVELOPE_MAGIC_BYTES) != 0)
        err = SHROUD_ERR_CANCELLED;
    if (!err && s->write(s->wctx, header, header_len) != 0)
        err = SHROUD_ERR_CANCELLED;
    if (!err)
        err = envelope_payload_key(s->file_key, payload_key);
    if (!err)
        err = chunked_writer_new(&s->payload, payload_key, sizeof payload_key,
                                 header + header_len - ENVELOPE_MAC_BYTES, ENVELOPE_MAC_BYTES, NULL,
                                 s->write, s->wctx);
    prim_wipe(payload_key, sizeof payload_key);
    prim_wipe(s->file_key, sizeof s->file_key); /* no longer needed */
    free(header);
    return err;
}

int shroud_sealer_write(shroud_sealer *s, const uint8_t *buf, size_t len)
{
    if (!s || (len && !buf))
        return SHROUD_ERR_ARGUMENT;
    if (s->error)
        return s->error;
    int err = start(s);
    if (!err)
        err = chunked_writer_write(s->payload, buf, len);
    return s->error = err;
}

int shroud_sealer_finish(shroud_sealer *s)
{
    if (!s)
        return SHROUD_ERR_ARGUMENT;
    if (s->error)
        return s->error;
    int err = start(s);
    if (!err)
        err = chunked_writer_finish(s->payload);
    if (!err && s->armor)
        err = armor_writer_finish(s->armor);
    s->error = err ? err : SHROUD_ERR_STATE;
    return err;
}

void shroud_sealer_free(shroud_sealer *s)
{
    if (!s)
        return;
    chunked_writer_free(s->payload);
    armor_writer_free(s->armor);
    if (s->stanzas)
        prim_wipe(s->stanzas, ENVELOPE_MAX_STANZAS * sizeof *s->stanzas);
    free(s->stanzas);
    prim_wipe(s, sizeof *s);
    free(s);
}
