/* identity.c — secret keys: generate, parse, serialize. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "crypto/armor.h"
#include "crypto/bech32.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"

#define RSA_PKCS8_ITERATIONS 600000 /* PBKDF2 rounds protecting an RSA PEM */

static shroud_identity *identity_alloc(int kind)
{
    shroud_identity *id = calloc(1, sizeof *id);
    if (id) {
        id->kind = kind;
        id->pub.kind = kind;
    }
    return id;
}

int identity_derive_public(shroud_identity *id)
{
    int err = x25519_public(id->x25519_secret, id->pub.x25519);
    return err ? err : ed25519_public(id->ed25519_seed, id->pub.ed25519);
}

int shroud_identity_generate(shroud_identity **out)
{
    if (!out)
        return SHROUD_ERR_ARGUMENT;
    shroud_identity *id = identity_alloc(SHROUD_KEY_NATIVE);
    if (!id)
        return SHROUD_ERR_NOMEM;
    int err = prim_random(id->x25519_secret, sizeof id->x25519_secret);
    if (!err)
        err = prim_random(id->ed25519_seed, sizeof id->ed25519_seed);
    if (!err)
        err = identity_derive_public(id);
    if (err) {
        shroud_identity_free(id);
        return err;
    }
    *out = id;
    return SHROUD_OK;
}

int shroud_identity_generate_rsa(shroud_identity **out, unsigned bits)
{
    if (!out)
        return SHROUD_ERR_ARGUMENT;
    if (bits < SHROUD_RSA_MIN_BITS || bits > SHROUD_RSA_MAX_BITS)
        return SHROUD_ERR_KEY_SIZE;
    shroud_identity *id = identity_alloc(SHROUD_KEY_RSA);
    if (!id)
        return SHROUD_ERR_NOMEM;
    id->pub.rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    if (!id->pub.rsa) {
        shroud_identity_free(id);
        return SHROUD_ERR_CRYPTO;
    }
    *out = id;
    return SHROUD_OK;
}

/* ---- parsing ---- */

typedef struct {
    shroud_passphrase_fn ask;
    void *ctx;
    int asked;    /* a passphrase was needed */
    int declined; /* ... and none was given */
} pass_bridge;

/* shroud_passphrase_fn that re-asks the caller's callback "for the identity". */
static int ask_for_identity(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    (void)purpose;
    pass_bridge *b = ctx;
    b->asked = 1;
    int rc = b->ask ? b->ask(b->ctx, "identity", buf, cap, len) : -1;
    b->declined |= rc != 0;
    return rc;
}

/* OpenSSL's passphrase callback shape, bridged to ours. */
static int openssl_pass_cb(char *buf, size_t cap, size_t *len, const OSSL_PARAM params[], void *ctx)
{
    (void)params;
    return ask_for_identity(ctx, "identity", buf, cap, len) == 0;
}

static int parse_rsa_identity(shroud_identity **out, const char *text, size_t len, pass_bridge *b)
{
    EVP_PKEY *pkey = NULL;
    OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, "RSA",
                                                           OSSL_KEYMGMT_SELECT_KEYPAIR, NULL, NULL);
    if (!dctx)
        return SHROUD_ERR_CRYPTO;
    OSSL_DECODER_CTX_set_passphrase_cb(dctx, openssl_pass_cb, b);
    const unsigned char *p = (const unsigned char *)text;
    size_t left = len;
    int ok = OSSL_DECODER_from_data(dctx, &p, &left) == 1 && pkey;
    OSSL_DECODER_CTX_free(dctx);
    ERR_clear_error();
    if (!ok) {
        EVP_PKEY_free(pkey);
        if (b->asked)
            return b->declined ? SHROUD_ERR_NEED_PASSPHRASE : SHROUD_ERR_PASSPHRASE;
        return SHROUD_ERR_KEY;
    }
    unsigned bits = rsa_bits(pkey);
    if (bits < SHROUD_RSA_MIN_BITS || bits > SHROUD_RSA_MAX_BITS) {
        EVP_PKEY_free(pkey);
        return SHROUD_ERR_KEY_SIZE;
    }
    shroud_identity *id = identity_alloc(SHROUD_KEY_RSA);
    if (!id) {
        EVP_PKEY_free(pkey);
        return SHROUD_ERR_NOMEM;
    }
    id->pub.rsa = pkey;
    *out = id;
    return SHROUD_OK;
}

/* The one non-comment line of a native identity file. */
static int find_key_line(const char *text, size_t len, const char **line, size_t *line_len)
{
    *line = NULL;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && text[i] != '\n')
            i++;
        size_t end = i++;
        while (start < end && isspace((unsigned char)text[start]))
            start++;
        while (end > start && isspace((unsigned char)text[end - 1]))
            end--;
        if (start == end || text[start] == '#')
            continue;
        if (*line)
            return SHROUD_ERR_KEY; /* one identity per file */
        *line = text + start;
        *line_len = end - start;
    }
    return *line ? SHROUD_OK : SHROUD_ERR_KEY;
}

static int parse_native_identity(shroud_identity **out, const char *text, size_t len)
{
    const char *line;
    size_t line_len;
    int err = find_key_line(text, len, &line, &line_len);
    if (err)
        return err;
    static const char public_prefix[] = PUBLIC_KEY_HRP "1";
    if (line_len >= strlen(public_prefix) &&
        strncasecmp(line, public_prefix, strlen(public_prefix)) == 0)
        return SHROUD_ERR_KEY_KIND; /* a public key where the secret one belongs */
    shroud_identity *id = identity_alloc(SHROUD_KEY_NATIVE);
    if (!id)
        return SHROUD_ERR_NOMEM;
    uint8_t raw[NATIVE_SECRET_BYTES];
    err = bech32_decode(SECRET_KEY_HRP, line, line_len, raw, sizeof raw);
    if (!err) {
        memcpy(id->x25519_secret, raw, X25519_KEY_BYTES);
        memcpy(id->ed25519_seed, raw + X25519_KEY_BYTES, ED25519_SEED_BYTES);
        err = identity_derive_public(id);
    }
    prim_wipe(raw, sizeof raw);
    if (err) {
        shroud_identity_free(id);
        return err;
    }
    *out = id;
    return SHROUD_OK;
}

/* A passphrase-protected native identity: an armored envelope around the file. */
static int parse_protected_identity(shroud_identity **out, const char *text, size_t len,
                                    pass_bridge *b)
{
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    int err = shroud_open(NULL, 0, ask_for_identity, b, 0, (const uint8_t *)text, len, &plain,
                          &plain_len);
    if (err == SHROUD_ERR_NO_IDENTITY)
        err = SHROUD_ERR_KEY; /* protected by something other than a passphrase */
    if (!err)
        err = armor_detect(ARMOR_LABEL_MESSAGE, plain, plain_len)
                  ? SHROUD_ERR_KEY
                  : parse_native_identity(out, (const char *)plain, plain_len);
    shroud_free_secret(plain, plain_len);
    return err;
}

int shroud_identity_parse(shroud_identity **out, const char *text, size_t len,
                          shroud_passphrase_fn ask, void *ask_ctx)
{
    if (!out || (len && !text))
        return SHROUD_ERR_ARGUMENT;
    pass_bridge b = {ask, ask_ctx, 0, 0};
    if (armor_detect(ARMOR_LABEL_MESSAGE, (const uint8_t *)text, len))
        return parse_protected_identity(out, text, len, &b);
    if (text_contains(text, len, "-----BEGIN PUBLIC KEY-----") ||
        text_contains(text, len, "-----BEGIN RSA PUBLIC KEY-----"))
        return SHROUD_ERR_KEY_KIND;
    if (text_contains(text, len, "-----BEGIN "))
        return parse_rsa_identity(out, text, len, &b);
    return parse_native_identity(out, text, len);
}

/* ---- serializing ---- */

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = (*len + n + 1) * 2;
        char *p = malloc(c);
        if (!p)
            return SHROUD_ERR_NOMEM;
        if (*buf) {
            memcpy(p, *buf, *len);
            shroud_free_secret(*buf, *cap);
        }
        *buf = p;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return SHROUD_OK;
}

static int native_text(const shroud_identity *id, char **out, size_t *out_len)
{
    uint8_t raw[NATIVE_SECRET_BYTES];
    char secret[BECH32_MAX_TEXT], *pub = NULL, *buf = NULL;
    size_t pub_len = 0, len = 0, cap = 0;
    memcpy(raw, id->x25519_secret, X25519_KEY_BYTES);
    memcpy(raw + X25519_KEY_BYTES, id->ed25519_seed, ED25519_SEED_BYTES);
    int err = bech32_encode(SECRET_KEY_HRP, raw, sizeof raw, 1, secret, sizeof secret);
    if (!err)
        err = shroud_recipient_format(&id->pub, &pub, &pub_len);
    static const char head[] = "# shroud identity: keep this file secret\n# public key: ";
    if (!err)
        err = append(&buf, &len, &cap, head, strlen(head));
    if (!err)
        err = append(&buf, &len, &cap, pub, pub_len);
    if (!err)
        err = append(&buf, &len, &cap, "\n", 1);
    if (!err)
        err = append(&buf, &len, &cap, secret, strlen(secret));
    if (!err)
        err = append(&buf, &len, &cap, "\n", 1);
    prim_wipe(raw, sizeof raw);
    prim_wipe(secret, sizeof secret);
    free(pub);
    if (err) {
        shroud_free_secret(buf, cap);
        return err;
    }
    *out = buf;
    *out_len = len;
    return SHROUD_OK;
}

/* PKCS#8 PEM; with a passphrase PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), as
 * `openssl pkey` reads it. */
static int rsa_text(const shroud_identity *id, const char *pass, size_t pass_len, char **out,
                    size_t *out_len)
{
    BIO *bio = BIO_new(BIO_s_secmem());
    if (!bio)
        return SHROUD_ERR_NOMEM;
    int ok;
    if (!pass) {
        ok = PEM_write_bio_PKCS8PrivateKey(bio, id->pub.rsa, NULL, NULL, 0, NULL, NULL) == 1;
    } else {
        PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(id->pub.rsa);
        X509_ALGOR *pbe = PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), RSA_PKCS8_ITERATIONS, NULL, 0, NULL,
                                            NID_hmacWithSHA256);
        X509_SIG *sig = (p8 && pbe) ? PKCS8_set0_pbe(pass, (int)pass_len, p8, pbe) : NULL;
        if (!sig)
            X509_ALGOR_free(pbe); /* owned by sig on success */
        ok = sig && PEM_write_bio_PKCS8(bio, sig) == 1;
        X509_SIG_free(sig);
        PKCS8_PRIV_KEY_INFO_free(p8);
    }
    int err = ok ? bio_text(bio, out, out_len) : SHROUD_ERR_CRYPTO;
    BIO_free(bio);
    return err;
}

int shroud_identity_serialize(const shroud_identity *id, const char *passphrase,
                              size_t passphrase_len, int log_n, char **out, size_t *out_len)
{
    if (!id || !out || !out_len)
        return SHROUD_ERR_ARGUMENT;
    if (passphrase && (passphrase_len == 0 || passphrase_len > SHROUD_PASSPHRASE_MAX))
        return SHROUD_ERR_ARGUMENT;
    if (id->kind == SHROUD_KEY_RSA)
        return rsa_text(id, passphrase, passphrase_len, out, out_len);
    char *plain = NULL;
    size_t plain_len = 0;
    int err = native_text(id, &plain, &plain_len);
    if (err || !passphrase) {
        *out = plain;
        *out_len = plain_len;
        return err;
    }
    /* Protected: the identity text sealed to the passphrase, armored. */
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    err = envelope_seal_passphrase(passphrase, passphrase_len, log_n, SHROUD_FLAG_ARMOR,
                                   (const uint8_t *)plain, plain_len, &sealed, &sealed_len);
    shroud_free_secret(plain, plain_len);
    if (err)
        return err;
    *out = (char *)sealed;
    *out_len = sealed_len;
    return SHROUD_OK;
}

int shroud_identity_kind(const shroud_identity *id)
{
    return id ? id->kind : SHROUD_ERR_ARGUMENT;
}

int shroud_identity_recipient(const shroud_identity *id, shroud_recipient **out)
{
    if (!id || !out)
        return SHROUD_ERR_ARGUMENT;
    return shroud_recipient_dup(&id->pub, out);
}

void shroud_identity_free(shroud_identity *id)
{
    if (!id)
        return;
    EVP_PKEY_free(id->pub.rsa);
    prim_wipe(id, sizeof *id);
    free(id);
}
