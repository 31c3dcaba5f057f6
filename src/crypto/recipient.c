/* recipient.c — public keys: parse, format, fingerprint. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/bech32.h"
#include "crypto/keys.h"

/* Trims white space at both ends of text. */
static void trim(const char **text, size_t *len)
{
    while (*len > 0 && isspace((unsigned char)**text)) {
        (*text)++;
        (*len)--;
    }
    while (*len > 0 && isspace((unsigned char)(*text)[*len - 1]))
        (*len)--;
}

static int starts_with_ci(const char *text, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    if (len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)text[i]) != prefix[i])
            return 0;
    return 1;
}

int text_contains(const char *text, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(text + i, needle, n) == 0)
            return 1;
    return 0;
}

/* Like contains, ignoring case; needle in lower case. */
static int contains_ci(const char *text, size_t len, const char *needle)
{
    for (size_t i = 0; i < len; i++)
        if (starts_with_ci(text + i, len - i, needle))
            return 1;
    return 0;
}

/* Decodes an RSA public key from PEM (SPKI or PKCS#1), checking its size. */
static int parse_rsa_public(const char *text, size_t len, EVP_PKEY **out)
{
    EVP_PKEY *pkey = NULL;
    OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(
        &pkey, "PEM", NULL, "RSA", OSSL_KEYMGMT_SELECT_PUBLIC_KEY, NULL, NULL);
    if (!dctx)
        return SHROUD_ERR_CRYPTO;
    const unsigned char *p = (const unsigned char *)text;
    size_t left = len;
    int ok = OSSL_DECODER_from_data(dctx, &p, &left) == 1 && pkey;
    OSSL_DECODER_CTX_free(dctx);
    if (!ok) {
        EVP_PKEY_free(pkey);
        return SHROUD_ERR_KEY;
    }
    unsigned bits = rsa_bits(pkey);
    if (bits < SHROUD_RSA_MIN_BITS || bits > SHROUD_RSA_MAX_BITS) {
        EVP_PKEY_free(pkey);
        return SHROUD_ERR_KEY_SIZE;
    }
    *out = pkey;
    return SHROUD_OK;
}

int shroud_recipient_parse(shroud_recipient **out, const char *text, size_t len)
{
    if (!out || (len && !text))
        return SHROUD_ERR_ARGUMENT;
    trim(&text, &len);
    if (contains_ci(text, len, SECRET_KEY_HRP "1") || text_contains(text, len, "PRIVATE KEY-----"))
        return SHROUD_ERR_KEY_KIND; /* a secret key where a public one belongs */
    shroud_recipient *r = calloc(1, sizeof *r);
    if (!r)
        return SHROUD_ERR_NOMEM;
    int err;
    if (starts_with_ci(text, len, PUBLIC_KEY_HRP "1")) {
        uint8_t raw[NATIVE_PUBLIC_BYTES] = {0};
        err = bech32_decode(PUBLIC_KEY_HRP, text, len, raw, sizeof raw);
        memcpy(r->x25519, raw, X25519_KEY_BYTES);
        memcpy(r->ed25519, raw + X25519_KEY_BYTES, ED25519_PUBLIC_BYTES);
        r->kind = SHROUD_KEY_NATIVE;
    } else if (text_contains(text, len, "-----BEGIN ")) {
        err = parse_rsa_public(text, len, &r->rsa);
        r->kind = SHROUD_KEY_RSA;
    } else {
        err = SHROUD_ERR_KEY;
    }
    if (err) {
        shroud_recipient_free(r);
        return err;
    }
    *out = r;
    return SHROUD_OK;
}

int recipient_canonical_bytes(const shroud_recipient *r, uint8_t **out, size_t *out_len)
{
    if (r->kind == SHROUD_KEY_NATIVE) {
        uint8_t *buf = malloc(NATIVE_PUBLIC_BYTES);
        if (!buf)
            return SHROUD_ERR_NOMEM;
        memcpy(buf, r->x25519, X25519_KEY_BYTES);
        memcpy(buf + X25519_KEY_BYTES, r->ed25519, ED25519_PUBLIC_BYTES);
        *out = buf;
        *out_len = NATIVE_PUBLIC_BYTES;
        return SHROUD_OK;
    }
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(r->rsa, &der);
    if (n <= 0)
        return SHROUD_ERR_CRYPTO;
    *out = malloc((size_t)n);
    if (*out)
        memcpy(*out, der, (size_t)n);
    OPENSSL_free(der);
    if (!*out)
        return SHROUD_ERR_NOMEM;
    *out_len = (size_t)n;
    return SHROUD_OK;
}

int bio_text(BIO *bio, char **out, size_t *out_len)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    if (n <= 0)
        return SHROUD_ERR_CRYPTO;
    *out = malloc((size_t)n + 1);
    if (!*out)
        return SHROUD_ERR_NOMEM;
    memcpy(*out, data, (size_t)n);
    (*out)[n] = '\0';
    *out_len = (size_t)n;
    return SHROUD_OK;
}

int shroud_recipient_format(const shroud_recipient *r, char **out, size_t *out_len)
{
    if (!r || !out || !out_len)
        return SHROUD_ERR_ARGUMENT;
    if (r->kind == SHROUD_KEY_NATIVE) {
        uint8_t raw[NATIVE_PUBLIC_BYTES];
        char line[BECH32_MAX_TEXT];
        memcpy(raw, r->x25519, X25519_KEY_BYTES);
        memcpy(raw + X25519_KEY_BYTES, r->ed25519, ED25519_PUBLIC_BYTES);
        int err = bech32_encode(PUBLIC_KEY_HRP, raw, sizeof raw, 0, line, sizeof line);
        if (err)
            return err;
        *out = strdup(line);
        *out_len = strlen(line);
        return *out ? SHROUD_OK : SHROUD_ERR_NOMEM;
    }
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return SHROUD_ERR_NOMEM;
    int err =
        PEM_write_bio_PUBKEY(bio, r->rsa) == 1 ? bio_text(bio, out, out_len) : SHROUD_ERR_CRYPTO;
    BIO_free(bio);
    return err;
}

int shroud_recipient_kind(const shroud_recipient *r)
{
    return r ? r->kind : SHROUD_ERR_ARGUMENT;
}

int shroud_recipient_key_id(const shroud_recipient *r, uint8_t id[SHROUD_KEY_ID_BYTES])
{
    if (!r || !id)
        return SHROUD_ERR_ARGUMENT;
    uint8_t *bytes = NULL, digest[SHA256_BYTES];
    size_t len = 0;
    int err = recipient_canonical_bytes(r, &bytes, &len);
    if (!err)
        err = sha256(bytes, len, digest);
    if (!err)
        memcpy(id, digest, SHROUD_KEY_ID_BYTES);
    free(bytes);
    return err;
}

int shroud_recipient_dup(const shroud_recipient *r, shroud_recipient **out)
{
    if (!r || !out)
        return SHROUD_ERR_ARGUMENT;
    shroud_recipient *c = calloc(1, sizeof *c);
    if (!c)
        return SHROUD_ERR_NOMEM;
    *c = *r;
    c->rsa = NULL;
    if (r->rsa) {
        /* Through DER so the copy holds only the public half. */
        unsigned char *der = NULL;
        int n = i2d_PUBKEY(r->rsa, &der);
        const unsigned char *p = der;
        c->rsa = n > 0 ? d2i_PUBKEY(NULL, &p, n) : NULL;
        OPENSSL_free(der);
        if (!c->rsa) {
            free(c);
            return SHROUD_ERR_CRYPTO;
        }
    }
    *out = c;
    return SHROUD_OK;
}

void shroud_recipient_free(shroud_recipient *r)
{
    if (!r)
        return;
    EVP_PKEY_free(r->rsa);
    free(r);
}
