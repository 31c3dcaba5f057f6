/*
 * envelope.h — the shroud envelope v1 (internal layout; docs/FORMAT.md is
 * the specification).
 *
 *   envelope   = [magic] header payload
 *   magic      = "SHROUD" 0x00 0x01            (absent in the headerless form)
 *   header     = count:u8 stanza{count} mac[32]
 *   stanza     = type:u8 length:u16be body[length]
 *   mac        = HMAC-SHA256(HKDF-SHA256(file key, "", "shroud/v1 header"),
 *                            magic || count || stanzas)
 *   payload    = c2sp chunked encryption, input key
 *                HKDF-SHA256(file key, "", "shroud/v1 payload"), context = mac
 */
#ifndef SHROUD_CRYPTO_ENVELOPE_H
#define SHROUD_CRYPTO_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/keys.h"
#include "shroud.h"

#define ENVELOPE_MAGIC "SHROUD\0\1"
#define ENVELOPE_MAGIC_BYTES 8
#define ENVELOPE_VERSION 1
#define ENVELOPE_MAC_BYTES 32
#define ENVELOPE_MAX_STANZAS SHROUD_MAX_RECIPIENTS
#define ENVELOPE_MAX_STANZA_BODY 4096
#define ENVELOPE_MAC_INFO "shroud/v1 header"
#define ENVELOPE_PAYLOAD_INFO "shroud/v1 payload"

enum stanza_type {
    STANZA_X25519 = 0x01,
    STANZA_RSA_OAEP = 0x02,
    STANZA_SCRYPT = 0x03,
    STANZA_PBKDF2 = 0x04,
};

#define STANZA_SALT_BYTES 16
#define WRAPPED_KEY_BYTES (SHROUD_FILE_KEY_BYTES + GCM_TAG_BYTES)
#define STANZA_X25519_BODY (X25519_KEY_BYTES + WRAPPED_KEY_BYTES)      /* 80 */
#define STANZA_SCRYPT_BODY (STANZA_SALT_BYTES + 1 + WRAPPED_KEY_BYTES) /* 65 */
#define STANZA_PBKDF2_BODY (STANZA_SALT_BYTES + 4 + WRAPPED_KEY_BYTES) /* 68 */
#define STANZA_RSA_MIN_BODY (SHROUD_RSA_MIN_BITS / 8)
#define STANZA_RSA_MAX_BODY (SHROUD_RSA_MAX_BITS / 8)
#define STANZA_X25519_INFO "shroud/v1 X25519"
#define STANZA_RSA_LABEL "shroud/v1 RSA-OAEP"
#define STANZA_SCRYPT_LABEL "shroud/v1 scrypt"
#define STANZA_PBKDF2_LABEL "shroud/v1 PBKDF2"
#define STANZA_SCRYPT_R 8
#define STANZA_SCRYPT_P 1

typedef struct {
    uint8_t type;
    uint16_t len;
    const uint8_t *body; /* points into the buffer the header was parsed from */
} stanza_view;

/* A stanza being built by the sealer; body owned. */
typedef struct {
    uint8_t type;
    uint16_t len;
    uint8_t body[STANZA_RSA_MAX_BODY]; /* the largest stanza we write */
} stanza;

typedef struct {
    size_t count;
    stanza_view stanzas[ENVELOPE_MAX_STANZAS];
    const uint8_t *mac;
    size_t size; /* bytes of header (count .. mac), magic excluded */
} envelope_header;

/* Parses a header from buf (magic already removed). On SHROUD_ERR_TRUNCATED
 * *needed is the total length buf must reach before it is worth calling
 * again. SHROUD_ERR_HEADER when malformed (unknown stanza types are
 * accepted; known ones must have their exact size; a passphrase stanza must
 * stand alone). */
int envelope_header_parse(const uint8_t *buf, size_t len, envelope_header *h, size_t *needed);

/* Encodes count stanzas and their MAC under file_key. Free *out with free(). */
int envelope_header_encode(const stanza *stanzas, size_t count,
                           const uint8_t file_key[SHROUD_FILE_KEY_BYTES], uint8_t **out,
                           size_t *out_len);

/* SHROUD_OK when the parsed header's MAC is right for file_key. raw is the
 * buffer the header was parsed from. */
int envelope_header_check_mac(const uint8_t *raw, const envelope_header *h,
                              const uint8_t file_key[SHROUD_FILE_KEY_BYTES]);

/* The chunked-payload input key for a file key. */
int envelope_payload_key(const uint8_t file_key[SHROUD_FILE_KEY_BYTES], uint8_t key[32]);

/* Seals buf to one scrypt passphrase with the given log2 N (0: default).
 * Free *out with free(). */
int envelope_seal_passphrase(const char *pass, size_t pass_len, int log_n, unsigned flags,
                             const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len);

/* ---- stanzas (stanza.c) ---- */

int stanza_wrap_recipient(const shroud_recipient *r, const uint8_t file_key[SHROUD_FILE_KEY_BYTES],
                          stanza *out);
int stanza_wrap_scrypt(const char *pass, size_t pass_len, int log_n,
                       const uint8_t file_key[SHROUD_FILE_KEY_BYTES], stanza *out);
int stanza_wrap_pbkdf2(const char *pass, size_t pass_len, uint32_t iterations,
                       const uint8_t file_key[SHROUD_FILE_KEY_BYTES], stanza *out);

/* SHROUD_OK and the file key; SHROUD_ERR_NO_IDENTITY when this identity does
 * not open this stanza (wrong kind or wrong key). */
int stanza_unwrap_identity(const stanza_view *s, const shroud_identity *id,
                           uint8_t file_key[SHROUD_FILE_KEY_BYTES]);

/* 1 if s is a scrypt or PBKDF2 stanza. */
int stanza_is_passphrase(const stanza_view *s);

/* SHROUD_OK and the file key; SHROUD_ERR_PASSPHRASE when wrong;
 * SHROUD_ERR_WORK_FACTOR when the stored cost is outside the accepted range. */
int stanza_unwrap_passphrase(const stanza_view *s, const char *pass, size_t pass_len,
                             uint8_t file_key[SHROUD_FILE_KEY_BYTES]);

#endif
