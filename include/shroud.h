/*
 * shroud.h — the public API of libshroud.
 *
 * Conventions (read these once, they hold everywhere):
 *  - Every function that can fail returns an int: SHROUD_OK (0) or a negative
 *    SHROUD_ERR_* code; shroud_strerror() turns it into one line of English.
 *  - Objects are opaque handles made by *_new / *_generate / *_parse and
 *    released by the matching *_free, which accepts NULL.
 *  - Buffers always come with their length. Buffers the library allocates for
 *    the caller are released with shroud_free(); secret ones (serialized
 *    identities) with shroud_free_secret(), which wipes them first.
 *  - The library never touches the file system or the terminal: bytes come in
 *    through arguments, go out through a shroud_write_fn the caller supplies,
 *    and passphrases are asked for through a shroud_passphrase_fn.
 *  - No global state: handles may be used from different threads as long as
 *    one handle is used by one thread at a time.
 */
#ifndef SHROUD_H
#define SHROUD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHROUD_VERSION_STRING "0.1.0"

/* ---- Errors ------------------------------------------------------------ */

enum shroud_error {
    SHROUD_OK = 0,
    SHROUD_ERR_NOMEM = -1,             /* out of memory */
    SHROUD_ERR_ARGUMENT = -2,          /* invalid argument (API misuse) */
    SHROUD_ERR_STATE = -3,             /* call not allowed in this state */
    SHROUD_ERR_CRYPTO = -4,            /* the crypto library failed */
    SHROUD_ERR_RANDOM = -5,            /* the system random generator failed */
    SHROUD_ERR_NOT_SHROUD = -6,        /* input is not a shroud message */
    SHROUD_ERR_VERSION = -7,           /* unsupported format version */
    SHROUD_ERR_HEADER = -8,            /* malformed message header */
    SHROUD_ERR_HEADER_MAC = -9,        /* header authentication failed */
    SHROUD_ERR_NO_IDENTITY = -10,      /* no identity opens any recipient stanza */
    SHROUD_ERR_PASSPHRASE = -11,       /* wrong passphrase */
    SHROUD_ERR_NEED_PASSPHRASE = -12,  /* passphrase needed, none available */
    SHROUD_ERR_PAYLOAD = -13,          /* payload chunk failed authentication */
    SHROUD_ERR_TRUNCATED = -14,        /* input ends too early */
    SHROUD_ERR_TRAILING = -15,         /* data after the end of the message */
    SHROUD_ERR_COMMITMENT = -16,       /* payload key commitment mismatch */
    SHROUD_ERR_ARMOR = -17,            /* malformed armor */
    SHROUD_ERR_KEY = -18,              /* malformed or unsupported key */
    SHROUD_ERR_KEY_CHECKSUM = -19,     /* key text has a bad checksum (typo?) */
    SHROUD_ERR_KEY_SIZE = -20,         /* RSA key size outside 2048..4096 */
    SHROUD_ERR_WORK_FACTOR = -21,      /* KDF cost outside the accepted range */
    SHROUD_ERR_LIMIT = -22,            /* a size limit was exceeded */
    SHROUD_ERR_SIGNATURE = -23,        /* signature does not verify */
    SHROUD_ERR_SIGNATURE_FORMAT = -24, /* malformed signature */
    SHROUD_ERR_WRONG_SIGNER = -25,     /* signature made by another key */
    SHROUD_ERR_CANCELLED = -26,        /* a callback asked to stop */
    SHROUD_ERR_PASSPHRASE_MIX = -27,   /* a passphrase stanza must stand alone */
    SHROUD_ERR_KEY_KIND = -28,         /* key cannot do this (e.g. RSA public key used to sign) */
    SHROUD_ERR_IMAGE = -29,            /* malformed or corrupt image file */
    SHROUD_ERR_IMAGE_FORMAT = -30,     /* not a PNG/JPEG, or an unsupported variant */
    SHROUD_ERR_IMAGE_LIMIT = -31,      /* image or one of its chunks exceeds a size limit */
    SHROUD_ERR_REGION = -32,           /* a region is empty or outside the image */
    SHROUD_ERR_NO_RECORD = -33,        /* the image carries no redaction record */
    SHROUD_ERR_RECORD = -34,           /* malformed redaction record */
    SHROUD_ERR_RECORD_MISMATCH = -35,  /* record belongs to another image, or image was edited */
    SHROUD_ERR_RECORD_EDITED = -36,    /* the visible region list differs from the sealed one */
    SHROUD_ERR_NO_SIGNATURE = -37,     /* the image carries no signature */
    SHROUD_ERR_ALREADY_REDACTED = -38, /* the image already carries a redaction record */
    SHROUD_ERR_NO_MESSAGE = -39,       /* no hidden message for this key (or none at all) */
    SHROUD_ERR_CAPACITY = -40,         /* the message does not fit in this cover */
    SHROUD_ERR_COVER = -41,            /* this image cannot carry a hidden message */
};

/* One line of English for an error code; never NULL. */
const char *shroud_strerror(int err);

/* The library version, e.g. "0.1.0". */
const char *shroud_version(void);

/* Releases a buffer the library allocated for the caller (NULL is fine). */
void shroud_free(void *p);

/* Wipes len bytes at p, then releases it (NULL is fine). */
void shroud_free_secret(void *p, size_t len);

/* ---- Callbacks ----------------------------------------------------------- */

/* Receives output bytes. Returns 0 to go on, non-zero to abort (the calling
 * function then returns SHROUD_ERR_CANCELLED). */
typedef int (*shroud_write_fn)(void *ctx, const uint8_t *buf, size_t len);

/* Asked for a passphrase. Writes at most cap bytes (no terminator needed) to
 * buf, stores the length in *len and returns 0; non-zero means "none"
 * (the caller gets SHROUD_ERR_NEED_PASSPHRASE). `purpose` says why it is
 * asked, e.g. "decrypt" or "identity". */
typedef int (*shroud_passphrase_fn)(void *ctx, const char *purpose, char *buf, size_t cap,
                                    size_t *len);

#define SHROUD_PASSPHRASE_MAX 1024 /* bytes; longer passphrases are refused */

/* ---- Keys ---------------------------------------------------------------- */

/* An identity is a secret key: either a native identity (an X25519 key for
 * decryption plus an Ed25519 key for signing) or an RSA key (2048..4096 bits,
 * decryption with RSA-OAEP-SHA256 and signing with RSA-PSS-SHA256). */
typedef struct shroud_identity shroud_identity;

/* A recipient is a public key: what you encrypt to and verify with. */
typedef struct shroud_recipient shroud_recipient;

enum shroud_key_kind {
    SHROUD_KEY_NATIVE = 1, /* X25519 + Ed25519 */
    SHROUD_KEY_RSA = 2,
};

#define SHROUD_RSA_MIN_BITS 2048
#define SHROUD_RSA_MAX_BITS 4096
#define SHROUD_RSA_DEFAULT_BITS 3072

int shroud_identity_generate(shroud_identity **out);
int shroud_identity_generate_rsa(shroud_identity **out, unsigned bits);

/* Parses an identity file's text: a native identity ("SHROUD-SECRET-KEY-1..."
 * with optional '#' comment lines), a native identity protected by a
 * passphrase (an armored shroud message; `ask` is called), or an RSA key in
 * PEM (PKCS#8 "PRIVATE KEY", "ENCRYPTED PRIVATE KEY" — `ask` is called — or
 * PKCS#1 "RSA PRIVATE KEY"). `ask` may be NULL when no passphrase can be had. */
int shroud_identity_parse(shroud_identity **out, const char *text, size_t len,
                          shroud_passphrase_fn ask, void *ask_ctx);

/* Serializes an identity as the text of an identity file. If passphrase is
 * non-NULL the result is protected with it (scrypt, log2 N = log_n; 0 means
 * the default). Free *out with shroud_free_secret(*out, *out_len). */
int shroud_identity_serialize(const shroud_identity *id, const char *passphrase,
                              size_t passphrase_len, int log_n, char **out, size_t *out_len);

int shroud_identity_kind(const shroud_identity *id);

/* The public half of an identity. */
int shroud_identity_recipient(const shroud_identity *id, shroud_recipient **out);

void shroud_identity_free(shroud_identity *id);

/* Parses a public key: a native public key line ("shroudpk1...") or an RSA
 * public key in PEM ("PUBLIC KEY" SubjectPublicKeyInfo or PKCS#1
 * "RSA PUBLIC KEY"). Surrounding white space is ignored. */
int shroud_recipient_parse(shroud_recipient **out, const char *text, size_t len);

/* Formats a public key: one line (no newline) for a native key, SPKI PEM for
 * an RSA key. Free *out with shroud_free. */
int shroud_recipient_format(const shroud_recipient *r, char **out, size_t *out_len);

int shroud_recipient_kind(const shroud_recipient *r);

/* A short stable fingerprint: the first 8 bytes of SHA-256 over the public
 * key's canonical encoding. */
#define SHROUD_KEY_ID_BYTES 8
int shroud_recipient_key_id(const shroud_recipient *r, uint8_t id[SHROUD_KEY_ID_BYTES]);

int shroud_recipient_dup(const shroud_recipient *r, shroud_recipient **out);
void shroud_recipient_free(shroud_recipient *r);

/* ---- Envelope: sealing ------------------------------------------------- */

#define SHROUD_FILE_KEY_BYTES 32
#define SHROUD_CHUNK_BYTES 16384
#define SHROUD_MAX_RECIPIENTS 64
#define SHROUD_SCRYPT_DEFAULT_LOG_N 18
#define SHROUD_SCRYPT_MIN_LOG_N 10
#define SHROUD_SCRYPT_MAX_LOG_N 20
#define SHROUD_PBKDF2_MIN_ITERATIONS 600000u
#define SHROUD_PBKDF2_MAX_ITERATIONS 100000000u

/* Flags for shroud_sealer_new / shroud_opener_new. */
#define SHROUD_FLAG_HEADERLESS 0x1u /* no magic: for embedding inside images */
#define SHROUD_FLAG_ARMOR 0x2u      /* sealer only, not with HEADERLESS: PEM-style armor */

/* Streaming encryption. Add recipients (or exactly one passphrase), then
 * write the plaintext in pieces of any size, then finish. Output goes to
 * `out` as it is produced; memory use is constant. */
typedef struct shroud_sealer shroud_sealer;

int shroud_sealer_new(shroud_sealer **out, unsigned flags, shroud_write_fn write, void *write_ctx);
int shroud_sealer_add_recipient(shroud_sealer *s, const shroud_recipient *r);
/* log_n 0 means SHROUD_SCRYPT_DEFAULT_LOG_N. */
int shroud_sealer_add_passphrase(shroud_sealer *s, const char *pass, size_t len, int log_n);
/* iterations 0 means SHROUD_PBKDF2_MIN_ITERATIONS. */
int shroud_sealer_add_passphrase_pbkdf2(shroud_sealer *s, const char *pass, size_t len,
                                        uint32_t iterations);
int shroud_sealer_write(shroud_sealer *s, const uint8_t *buf, size_t len);
int shroud_sealer_finish(shroud_sealer *s);
void shroud_sealer_free(shroud_sealer *s);

/* ---- Envelope: opening ------------------------------------------------- */

/* Streaming decryption. Add identities (and/or a passphrase source), then
 * write the ciphertext in pieces of any size, then finish. Plaintext is
 * passed to `out` only after it has been authenticated; an error at the end
 * (truncation) can still follow plaintext already delivered, so callers
 * writing files must discard their output on any error. Armor is detected
 * and decoded unless SHROUD_FLAG_HEADERLESS is given. */
typedef struct shroud_opener shroud_opener;

int shroud_opener_new(shroud_opener **out, unsigned flags, shroud_write_fn write, void *write_ctx);
int shroud_opener_add_identity(shroud_opener *o, const shroud_identity *id);
void shroud_opener_set_passphrase_fn(shroud_opener *o, shroud_passphrase_fn ask, void *ask_ctx);
int shroud_opener_write(shroud_opener *o, const uint8_t *buf, size_t len);
int shroud_opener_finish(shroud_opener *o);
void shroud_opener_free(shroud_opener *o);

/* ---- Envelope: one-shot helpers ---------------------------------------- */

/* Seals buf to the recipients (and/or one passphrase, pass may be NULL).
 * Free *out with shroud_free. */
int shroud_seal(const shroud_recipient *const *recipients, size_t n_recipients, const char *pass,
                size_t pass_len, unsigned flags, const uint8_t *buf, size_t len, uint8_t **out,
                size_t *out_len);

/* Opens buf with the identities (and/or a passphrase source). On error
 * nothing is returned. Free *out with shroud_free_secret. */
int shroud_open(const shroud_identity *const *ids, size_t n_ids, shroud_passphrase_fn ask,
                void *ask_ctx, unsigned flags, const uint8_t *buf, size_t len, uint8_t **out,
                size_t *out_len);

/* ---- Signatures -------------------------------------------------------- */

/* Detached signatures over a byte stream: Ed25519 for native identities,
 * RSA-PSS-SHA256 for RSA ones. The signature is an armored text block. */
typedef struct shroud_signer shroud_signer;
typedef struct shroud_verifier shroud_verifier;

int shroud_signer_new(shroud_signer **out, const shroud_identity *id);
int shroud_signer_update(shroud_signer *s, const uint8_t *buf, size_t len);
/* Free *sig with shroud_free. */
int shroud_signer_finish(shroud_signer *s, char **sig, size_t *sig_len);
void shroud_signer_free(shroud_signer *s);

/* Returns SHROUD_ERR_SIGNATURE_FORMAT at once if sig does not parse, or
 * SHROUD_ERR_VERSION if it is a signature of a later format version. */
int shroud_verifier_new(shroud_verifier **out, const shroud_recipient *key, const char *sig,
                        size_t sig_len);
int shroud_verifier_update(shroud_verifier *v, const uint8_t *buf, size_t len);
/* SHROUD_OK when the signature verifies; SHROUD_ERR_WRONG_SIGNER when it was
 * made by another key; SHROUD_ERR_SIGNATURE when it does not verify. */
int shroud_verifier_finish(shroud_verifier *v);
void shroud_verifier_free(shroud_verifier *v);

/* ---- Images: reversible region redaction ------------------------------- */

/* A PNG or JPEG file in memory goes in, a file of the same format comes out.
 * Regions of the image are obscured for everyone; their original content is
 * sealed (with the envelope above) to each group's recipients and stored in
 * the file, so a key holder restores it exactly. JPEG is handled in the DCT
 * domain: regions grow to whole MCUs and every other block stays
 * bit-identical. See docs/FORMAT.md, "Redacted images". */

typedef struct {
    uint32_t x, y, w, h; /* pixels; w, h >= 1, inside the image */
} shroud_region;

enum shroud_style {
    SHROUD_STYLE_NOISE = 0,    /* random content: leaks nothing (default) */
    SHROUD_STYLE_FILL = 1,     /* a flat black box: leaks nothing */
    SHROUD_STYLE_PIXELATE = 2, /* coarse cells of average colour: LEAKS shapes and colours */
    SHROUD_STYLE_BLUR = 3,     /* a strong blur: LEAKS shapes and colours */
};

enum shroud_image_format { SHROUD_IMAGE_PNG = 1, SHROUD_IMAGE_JPEG = 2 };

/* Images beyond these are refused with SHROUD_ERR_IMAGE_LIMIT before any
 * large allocation (decompression bombs). */
#define SHROUD_IMAGE_MAX_DIMENSION 32768u                  /* pixels per side */
#define SHROUD_IMAGE_MAX_PIXELS (64u * 1024u * 1024u)      /* width * height */
#define SHROUD_IMAGE_MAX_FILE_BYTES (512u * 1024u * 1024u) /* the whole file */

#define SHROUD_MAX_GROUPS 16
#define SHROUD_MAX_REGIONS 256   /* per group */
#define SHROUD_GROUP_NAME_MAX 64 /* bytes of [A-Za-z0-9._-] */

/* 1 if name is a valid group name: 1..SHROUD_GROUP_NAME_MAX bytes of
 * [A-Za-z0-9._-]; 0 otherwise (NULL included). */
int shroud_group_name_valid(const char *name);

typedef struct shroud_redactor shroud_redactor;

/* Parses the image (refusing corrupt files, and images above the limits in
 * docs/FORMAT.md with SHROUD_ERR_IMAGE_LIMIT). A JPEG's header is checked
 * here, its compressed data in shroud_redactor_finish (once the regions are
 * known, only what they need is decoded), which then reports corruption.
 * The buffer must stay valid until shroud_redactor_free. */
int shroud_redactor_new(shroud_redactor **out, const uint8_t *image, size_t len);

/* The image's size in pixels. */
int shroud_redactor_size(const shroud_redactor *r, uint32_t *width, uint32_t *height);

/* Adds a group: its regions are obscured with `style` and their original
 * content is sealed to the recipients and/or one passphrase (pass may be NULL;
 * log_n 0 means SHROUD_SCRYPT_DEFAULT_LOG_N, else SHROUD_SCRYPT_MIN_LOG_N ..
 * SHROUD_SCRYPT_MAX_LOG_N: SHROUD_ERR_WORK_FACTOR outside). Names must be
 * unique. After finish, or after an
 * add that failed part-way (out of memory), this and the other setters give
 * SHROUD_ERR_STATE. */
int shroud_redactor_add_group(shroud_redactor *r, const char *name, int style,
                              const shroud_region *regions, size_t n_regions,
                              const shroud_recipient *const *recipients, size_t n_recipients,
                              const char *pass, size_t pass_len, int log_n);

/* Drops EXIF, XMP, ICC profiles, comments and text chunks from the output
 * (the markers that decoding needs stay). */
int shroud_redactor_strip_metadata(shroud_redactor *r, int strip);
/* PNG output compression level, 1 (fast) .. 12 (small); default 6. */
int shroud_redactor_png_level(shroud_redactor *r, int level);
/* Signs the output with the identity (embedded image signature). */
int shroud_redactor_sign(shroud_redactor *r, const shroud_identity *signer);

/* Produces the redacted file (SHROUD_ERR_IMAGE when a JPEG's compressed
 * data is corrupt). Free *out with shroud_free. */
int shroud_redactor_finish(shroud_redactor *r, uint8_t **out, size_t *out_len);
/* After finish: how many metadata blocks carrying a preview picture of the
 * original (EXIF thumbnail, Photoshop thumbnail, XMP thumbnail, MPF/FlashPix
 * previews) were left out of the output, as they would show the regions.
 * They are dropped even when metadata is otherwise kept, and not restored. */
size_t shroud_redactor_dropped_previews(const shroud_redactor *r);
void shroud_redactor_free(shroud_redactor *r);

/* What an image carries, readable without any key. */
typedef struct {
    char name[SHROUD_GROUP_NAME_MAX + 1];
    int style; /* enum shroud_style */
    size_t n_regions;
    shroud_region *regions; /* as requested */
    shroud_region *covered; /* what is actually obscured (JPEG: grown to MCUs) */
    size_t n_stanzas;       /* recipients and passphrases it is sealed to */
    unsigned stanza_kinds;  /* bit 1<<k for each SHROUD_STANZA_* k present */
    int restore_status;     /* after shroud_restore: SHROUD_OK when restored, else why not */
} shroud_group_info;

enum shroud_stanza_kind {
    SHROUD_STANZA_X25519 = 1,
    SHROUD_STANZA_RSA_OAEP = 2,
    SHROUD_STANZA_SCRYPT = 3,
    SHROUD_STANZA_PBKDF2 = 4,
};

typedef struct {
    int format; /* enum shroud_image_format */
    uint32_t width, height;
    int progressive; /* JPEG */
    size_t n_groups; /* 0: no redaction record */
    shroud_group_info *groups;
    int has_signature;
    char *signer; /* the signer's public key as text (key line or PEM), or NULL */
    uint8_t signer_key_id[SHROUD_KEY_ID_BYTES];
    int signature_status; /* SHROUD_OK if the signature verifies against `signer` */
} shroud_image_info;

/* Describes the image: format, size, groups, regions, recipient kinds,
 * signature and whether it verifies against the key it names. Fast: reads
 * the container and headers (every PNG chunk CRC, the JPEG headers), not the
 * compressed pixel data, which shroud_restore and a full decode check. Free
 * with shroud_image_info_free. */
int shroud_image_inspect(const uint8_t *image, size_t len, shroud_image_info **out);
void shroud_image_info_free(shroud_image_info *info);

/* Restores every group the identities (or the passphrase source) open and
 * returns the restored file without any shroud record or signature. Groups
 * that no key opens stay obscured; *info (optional) tells which group was
 * restored (restore_status). SHROUD_ERR_NO_IDENTITY when none opens;
 * SHROUD_ERR_RECORD_MISMATCH / SHROUD_ERR_RECORD_EDITED when the record does
 * not match the image; nothing is returned on error. A JPEG whose groups are
 * all restored decodes to exactly the original pixels. Free *out with
 * shroud_free and *info with shroud_image_info_free. */
int shroud_restore(const uint8_t *image, size_t len, const shroud_identity *const *ids,
                   size_t n_ids, shroud_passphrase_fn ask, void *ask_ctx, uint8_t **out,
                   size_t *out_len, shroud_image_info **info);

/* ---- Images: embedded signatures ---------------------------------------- */

/* Signs a PNG or JPEG: the signature (and the signer's public key) is stored
 * inside the file, over every byte of the file but the signature itself. An
 * existing signature is replaced. Free *out with shroud_free. */
int shroud_image_sign(const uint8_t *image, size_t len, const shroud_identity *signer,
                      uint8_t **out, size_t *out_len);

/* Checks the embedded signature against `key`: SHROUD_OK,
 * SHROUD_ERR_NO_SIGNATURE, SHROUD_ERR_WRONG_SIGNER (made by another key) or
 * SHROUD_ERR_SIGNATURE (the image changed after signing). */
int shroud_image_verify(const uint8_t *image, size_t len, const shroud_recipient *key);

/* ---- Steganography ------------------------------------------------------ */
/* A message is sealed with the envelope (headerless) and hidden in the least
 * significant bits of a lossless cover: PNG (8/16-bit gray, gray+alpha, RGB,
 * RGBA) or BMP (24/32-bit, 8-bit gray). Samples at a key-derived permutation
 * are changed by +-1 (LSB matching) with Hamming matrix embedding; alpha,
 * fully transparent pixels and saturated samples (0, maximum) never carry
 * data. The output is always PNG. Positions come from scrypt of the
 * passphrase, or from the (first) recipient's public key. See docs/stego.md
 * and docs/FORMAT.md section 6. */

/* scrypt work factor of the passphrase mode: every guess (right or wrong)
 * costs a reveal one scrypt with N = 2^17, r = 8 (128 MiB). */
#define SHROUD_STEGO_SCRYPT_LOG_N 17

typedef struct shroud_cover shroud_cover;

/* Parses a cover image. SHROUD_ERR_COVER for JPEG (lossy: recompression
 * would destroy the message), palette PNG (+-1 on an index changes the colour
 * arbitrarily), gray below 8 bits and PNG with a tRNS colour key;
 * SHROUD_ERR_IMAGE_FORMAT for anything else that is not a PNG or BMP. The
 * buffer may be freed after the call. */
int shroud_cover_new(shroud_cover **out, const uint8_t *image, size_t len);
/* Size in pixels and the number of samples that may carry data. */
int shroud_cover_info(const shroud_cover *c, uint32_t *width, uint32_t *height,
                      size_t *usable_samples);
/* PNG output compression level, 1 (fast) .. 12 (small); default
 * SHROUD_STEGO_DEFAULT_PNG_LEVEL. */
#define SHROUD_STEGO_DEFAULT_PNG_LEVEL 1
int shroud_cover_png_level(shroud_cover *c, int level);
void shroud_cover_free(shroud_cover *c);

/* Bytes embedded for a message of msg_len bytes sealed to the recipients, or
 * to a passphrase (passphrase != 0, recipients empty): the envelope and its
 * encrypted length. */
int shroud_stego_stream_bytes(const shroud_recipient *const *recipients, size_t n_recipients,
                              int passphrase, size_t msg_len, size_t *stream_bytes);
/* The largest message that fits in the cover for that mode. */
int shroud_cover_capacity(const shroud_cover *c, const shroud_recipient *const *recipients,
                          size_t n_recipients, int passphrase, size_t *msg_bytes);

typedef struct {
    size_t usable_samples;  /* samples that may carry data */
    size_t stream_bits;     /* bits embedded (envelope, length, code length) */
    size_t samples_used;    /* samples the code covers */
    unsigned code_bits;     /* Hamming code: code_bits bits per 2^code_bits - 1 samples */
    size_t changed_samples; /* samples moved by +-1 */
    double bits_per_sample; /* stream_bits / usable_samples */
} shroud_stego_stats;

/* Hides msg in the cover, sealed to the recipients or to one passphrase
 * (exactly one of the two). Positions come from the passphrase, or from
 * recipients[0]'s public key. SHROUD_ERR_CAPACITY, before any work, when it
 * does not fit. stats may be NULL. Free *out with shroud_free. With two
 * processors, a long walk (2^20 samples and more: a few KiB in a photo) and
 * the level-1 encode of a large image each use a second thread for the
 * time of the call. */
int shroud_stego_hide(const shroud_cover *c, const shroud_recipient *const *recipients,
                      size_t n_recipients, const char *pass, size_t pass_len, const uint8_t *msg,
                      size_t msg_len, uint8_t **out, size_t *out_len, shroud_stego_stats *stats);

/* Finds and opens a hidden message. Tries the passphrase (if pass != NULL),
 * then for each identity the positions of its own public key and of each
 * position_keys entry (the first recipient the message was hidden for, when
 * that is not the identity itself). SHROUD_ERR_NO_MESSAGE when nothing opens
 * (wrong key, no message, or a damaged image). Free *out with
 * shroud_free_secret. */
int shroud_stego_reveal(const uint8_t *image, size_t len, const shroud_identity *const *ids,
                        size_t n_ids, const shroud_recipient *const *position_keys,
                        size_t n_position_keys, const char *pass, size_t pass_len, uint8_t **out,
                        size_t *out_len);

/* The classic tutorial layout: n_bytes bytes read from the least significant
 * bit of every sample in row-major order (all channels, alpha included, as
 * numpy flattens a PIL image), most significant bit of each byte first. PNG
 * (any type; palette gives the indices) or BMP. SHROUD_ERR_CAPACITY when the
 * image has fewer than 8 * n_bytes samples. Free *out with shroud_free. */
int shroud_stego_read_lsb(const uint8_t *image, size_t len, size_t n_bytes, uint8_t **out);

#ifdef __cplusplus
}
#endif

#endif /* SHROUD_H */
