/* primitives.c — OpenSSL 3 behind the small interface of primitives.h. */
#include "crypto/primitives.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#define SCRYPT_MAX_MEMORY (UINT64_C(2) << 30)

/* The kernel's generator (getrandom): a few microseconds even with cold
 * caches, where OpenSSL's RAND_bytes took 20 to 60 (its DRBG code and
 * locks), which a stego hide paid for one key; RAND_bytes where the kernel
 * has no getrandom. */
int prim_random(uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t got = getrandom(buf, len, 0);
        if (got > 0) {
            buf += got;
            len -= (size_t)got;
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno != ENOSYS)
            return SHROUD_ERR_RANDOM;
        break; /* no getrandom: OpenSSL's generator */
    }
    while (len > 0) {
        int n = len > INT_MAX ? INT_MAX : (int)len;
        if (RAND_bytes(buf, n) != 1)
            return SHROUD_ERR_RANDOM;
        buf += n;
        len -= (size_t)n;
    }
    return SHROUD_OK;
}

void prim_wipe(void *p, size_t len)
{
    if (p && len)
        OPENSSL_cleanse(p, len);
}

int prim_equal(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

/* ---- AES-256-GCM ---- */

struct aes_gcm {
    EVP_CIPHER_CTX *enc;
    EVP_CIPHER_CTX *dec;
};

static int gcm_ctx_new(EVP_CIPHER_CTX **out, const uint8_t *key, int encrypt)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c)
        return SHROUD_ERR_NOMEM;
    if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, NULL, encrypt) != 1) {
        EVP_CIPHER_CTX_free(c);
        return SHROUD_ERR_CRYPTO;
    }
    *out = c;
    return SHROUD_OK;
}

int aes_gcm_new(aes_gcm **out, const uint8_t key[AES256_KEY_BYTES])
{
    aes_gcm *g = calloc(1, sizeof *g);
    if (!g)
        return SHROUD_ERR_NOMEM;
    int err = gcm_ctx_new(&g->enc, key, 1);
    if (err == SHROUD_OK)
        err = gcm_ctx_new(&g->dec, key, 0);
    if (err != SHROUD_OK) {
        aes_gcm_free(g);
        return err;
    }
    *out = g;
    return SHROUD_OK;
}

void aes_gcm_free(aes_gcm *g)
{
    if (!g)
        return;
    EVP_CIPHER_CTX_free(g->enc);
    EVP_CIPHER_CTX_free(g->dec);
    free(g);
}

/* Runs the data through an initialised context in pieces OpenSSL accepts. */
static int gcm_update(EVP_CIPHER_CTX *c, uint8_t *out, const uint8_t *in, size_t len)
{
    while (len > 0) {
        int n = len > (size_t)(INT_MAX / 2) ? INT_MAX / 2 : (int)len;
        int outl = 0;
        if (EVP_CipherUpdate(c, out, &outl, in, n) != 1 || outl != n)
            return SHROUD_ERR_CRYPTO;
        in += n;
        out += n;
        len -= (size_t)n;
    }
    return SHROUD_OK;
}

static int gcm_aad(EVP_CIPHER_CTX *c, const uint8_t *aad, size_t aad_len)
{
    if (aad_len == 0)
        return SHROUD_OK;
    if (aad_len > INT_MAX)
        return SHROUD_ERR_ARGUMENT;
    int outl = 0;
    return EVP_CipherUpdate(c, NULL, &outl, aad, (int)aad_len) == 1 ? SHROUD_OK : SHROUD_ERR_CRYPTO;
}

int aes_gcm_seal(aes_gcm *g, const uint8_t nonce[GCM_NONCE_BYTES], const uint8_t *aad,
                 size_t aad_len, const uint8_t *pt, size_t len, uint8_t *ct,
                 uint8_t tag[GCM_TAG_BYTES])
{
    EVP_CIPHER_CTX *c = g->enc;
    if (EVP_CipherInit_ex(c, NULL, NULL, NULL, nonce, 1) != 1)
        return SHROUD_ERR_CRYPTO;
    int err = gcm_aad(c, aad, aad_len);
    if (err == SHROUD_OK)
        err = gcm_update(c, ct, pt, len);
    if (err != SHROUD_OK)
        return err;
    int outl = 0;
    if (EVP_CipherFinal_ex(c, ct + len, &outl) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG_BYTES, tag) != 1)
        return SHROUD_ERR_CRYPTO;
    return SHROUD_OK;
}

int aes_gcm_open(aes_gcm *g, const uint8_t nonce[GCM_NONCE_BYTES], const uint8_t *aad,
                 size_t aad_len, const uint8_t *ct, size_t len, const uint8_t tag[GCM_TAG_BYTES],
                 uint8_t *pt)
{
    EVP_CIPHER_CTX *c = g->dec;
    uint8_t tag_copy[GCM_TAG_BYTES];
    memcpy(tag_copy, tag, sizeof tag_copy);
    if (EVP_CipherInit_ex(c, NULL, NULL, NULL, nonce, 0) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG_BYTES, tag_copy) != 1)
        return SHROUD_ERR_CRYPTO;
    int err = gcm_aad(c, aad, aad_len);
    if (err == SHROUD_OK)
        err = gcm_update(c, pt, ct, len);
    if (err != SHROUD_OK)
        return err;
    int outl = 0;
    if (EVP_CipherFinal_ex(c, pt + len, &outl) != 1) {
        prim_wipe(pt, len);
        return SHROUD_ERR_PAYLOAD;
    }
    return SHROUD_OK;
}

int aes_gcm_seal_once(const uint8_t key[AES256_KEY_BYTES], const uint8_t nonce[GCM_NONCE_BYTES],
                      const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[GCM_TAG_BYTES])
{
    aes_gcm *g = NULL;
    int err = aes_gcm_new(&g, key);
    if (err == SHROUD_OK)
        err = aes_gcm_seal(g, nonce, NULL, 0, pt, len, ct, tag);
    aes_gcm_free(g);
    return err;
}

int aes_gcm_open_once(const uint8_t key[AES256_KEY_BYTES], const uint8_t nonce[GCM_NONCE_BYTES],
                      const uint8_t *ct, size_t len, const uint8_t tag[GCM_TAG_BYTES], uint8_t *pt)
{
    aes_gcm *g = NULL;
    int err = aes_gcm_new(&g, key);
    if (err == SHROUD_OK)
        err = aes_gcm_open(g, nonce, NULL, 0, ct, len, tag, pt);
    aes_gcm_free(g);
    return err;
}

/* ---- Hashes, MACs, KDFs ---- */

int sha256(const uint8_t *msg, size_t len, uint8_t out[SHA256_BYTES])
{
    return EVP_Digest(msg, len, out, NULL, EVP_sha256(), NULL) == 1 ? SHROUD_OK : SHROUD_ERR_CRYPTO;
}

int hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
                uint8_t out[SHA256_BYTES])
{
    unsigned int out_len = 0;
    if (key_len > INT_MAX)
        return SHROUD_ERR_ARGUMENT;
    static const uint8_t empty[1] = {0};
    if (!HMAC(EVP_sha256(), key_len ? key : empty, (int)key_len, len ? msg : empty, len, out,
              &out_len) ||
        out_len != SHA256_BYTES)
        return SHROUD_ERR_CRYPTO;
    return SHROUD_OK;
}

/* Runs an EVP_KDF by name with the given parameters into out. */
static int run_kdf(const char *name, const OSSL_PARAM *params, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
    if (!kdf)
        return SHROUD_ERR_CRYPTO;
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!ctx)
        return SHROUD_ERR_NOMEM;
    int ok = EVP_KDF_derive(ctx, out, out_len, params);
    EVP_KDF_CTX_free(ctx);
    return ok == 1 ? SHROUD_OK : SHROUD_ERR_CRYPTO;
}

static size_t digest_size(const char *digest)
{
    if (strcmp(digest, "SHA256") == 0)
        return SHA256_BYTES;
    if (strcmp(digest, "SHA512") == 0)
        return SHA512_BYTES;
    return 0;
}

static int hkdf_mode(const char *digest, int mode, const uint8_t *ikm, size_t ikm_len,
                     const uint8_t *salt, size_t salt_len, const uint8_t *info, size_t info_len,
                     uint8_t *out, size_t out_len)
{
    size_t hash_len = digest_size(digest);
    if (hash_len == 0 || out_len == 0 || out_len > 255 * hash_len)
        return SHROUD_ERR_ARGUMENT;
    static uint8_t empty[1];
    OSSL_PARAM params[6];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                    ikm_len ? (void *)ikm : empty, ikm_len);
    if (salt_len)
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                    info_len ? (void *)info : empty, info_len);
    params[n] = OSSL_PARAM_construct_end();
    return run_kdf("HKDF", params, out, out_len);
}

int hkdf(const char *digest, const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
         size_t salt_len, const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    return hkdf_mode(digest, EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, ikm, ikm_len, salt, salt_len,
                     info, info_len, out, out_len);
}

int hkdf_expand(const char *digest, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                size_t info_len, uint8_t *out, size_t out_len)
{
    return hkdf_mode(digest, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, prk_len, NULL, 0, info, info_len,
                     out, out_len);
}

int pbkdf2_sha256(const uint8_t *pass, size_t pass_len, const uint8_t *salt, size_t salt_len,
                  uint64_t iterations, uint8_t *out, size_t out_len)
{
    if (iterations < 1 || out_len == 0)
        return SHROUD_ERR_ARGUMENT;
    static uint8_t empty[1];
    int pkcs5_mode = 1; /* no SP 800-132 minimums: the published vectors use short salts */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, pass_len ? (void *)pass : empty,
                                          pass_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_len ? (void *)salt : empty,
                                          salt_len),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iterations),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &pkcs5_mode),
        OSSL_PARAM_construct_end(),
    };
    return run_kdf("PBKDF2", params, out, out_len);
}

int scrypt_kdf(const uint8_t *pass, size_t pass_len, const uint8_t *salt, size_t salt_len,
               uint64_t n, uint32_t r, uint32_t p, uint8_t *out, size_t out_len)
{
    if (n < 2 || (n & (n - 1)) != 0 || r == 0 || p == 0 || out_len == 0)
        return SHROUD_ERR_ARGUMENT;
    if (n > SCRYPT_MAX_MEMORY / 128 / r)
        return SHROUD_ERR_WORK_FACTOR;
    static uint8_t empty[1];
    uint64_t maxmem = SCRYPT_MAX_MEMORY + UINT64_C(64) * 1024 * 1024;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, pass_len ? (void *)pass : empty,
                                          pass_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_len ? (void *)salt : empty,
                                          salt_len),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    return run_kdf("SCRYPT", params, out, out_len);
}

/* ---- X25519 / Ed25519 ---- */

static int raw_public(int type, const uint8_t priv[32], uint8_t pub[32])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(type, NULL, priv, 32);
    if (!k)
        return SHROUD_ERR_KEY;
    size_t len = 32;
    int ok = EVP_PKEY_get_raw_public_key(k, pub, &len) == 1 && len == 32;
    EVP_PKEY_free(k);
    return ok ? SHROUD_OK : SHROUD_ERR_CRYPTO;
}

int x25519_public(const uint8_t priv[X25519_KEY_BYTES], uint8_t pub[X25519_KEY_BYTES])
{
    return raw_public(EVP_PKEY_X25519, priv, pub);
}

int x25519_shared(const uint8_t priv[X25519_KEY_BYTES], const uint8_t peer[X25519_KEY_BYTES],
                  uint8_t shared[X25519_KEY_BYTES])
{
    int err = SHROUD_ERR_CRYPTO;
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, X25519_KEY_BYTES);
    EVP_PKEY *p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, X25519_KEY_BYTES);
    EVP_PKEY_CTX *ctx = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
    size_t len = X25519_KEY_BYTES;
    if (!k || !p) {
        err = SHROUD_ERR_KEY;
        goto done;
    }
    if (!ctx || EVP_PKEY_derive_init(ctx) != 1)
        goto done;
    /* OpenSSL refuses a peer that yields the all-zero secret here. */
    if (EVP_PKEY_derive_set_peer(ctx, p) != 1 || EVP_PKEY_derive(ctx, shared, &len) != 1 ||
        len != X25519_KEY_BYTES) {
        err = SHROUD_ERR_KEY;
        goto done;
    }
    static const uint8_t zero[X25519_KEY_BYTES];
    err = prim_equal(shared, zero, X25519_KEY_BYTES) ? SHROUD_ERR_KEY : SHROUD_OK;
done:
    if (err != SHROUD_OK)
        prim_wipe(shared, X25519_KEY_BYTES);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(k);
    EVP_PKEY_free(p);
    return err;
}

int ed25519_public(const uint8_t seed[ED25519_SEED_BYTES], uint8_t pub[ED25519_PUBLIC_BYTES])
{
    return raw_public(EVP_PKEY_ED25519, seed, pub);
}

int ed25519_sign(const uint8_t seed[ED25519_SEED_BYTES], const uint8_t *msg, size_t len,
                 uint8_t sig[ED25519_SIGNATURE_BYTES])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, ED25519_SEED_BYTES);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t sig_len = ED25519_SIGNATURE_BYTES;
    static const uint8_t empty[1];
    int ok = k && md && EVP_DigestSignInit(md, NULL, NULL, NULL, k) == 1 &&
             EVP_DigestSign(md, sig, &sig_len, len ? msg : empty, len) == 1 &&
             sig_len == ED25519_SIGNATURE_BYTES;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    return ok ? SHROUD_OK : SHROUD_ERR_CRYPTO;
}

int ed25519_verify(const uint8_t pub[ED25519_PUBLIC_BYTES], const uint8_t *msg, size_t len,
                   const uint8_t *sig, size_t sig_len)
{
    if (sig_len != ED25519_SIGNATURE_BYTES)
        return SHROUD_ERR_SIGNATURE;
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, ED25519_PUBLIC_BYTES);
    if (!k)
        return SHROUD_ERR_SIGNATURE;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    static const uint8_t empty[1];
    int ok = md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, k) == 1 &&
             EVP_DigestVerify(md, sig, sig_len, len ? msg : empty, len) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    return ok ? SHROUD_OK : SHROUD_ERR_SIGNATURE;
}

/* ---- RSA ---- */

unsigned rsa_bits(const EVP_PKEY *pkey)
{
    if (!pkey || !EVP_PKEY_is_a(pkey, "RSA"))
        return 0;
    int bits = EVP_PKEY_get_bits(pkey);
    return bits > 0 ? (unsigned)bits : 0;
}

/* Sets OAEP padding, SHA-256 for OAEP and MGF1, and the label on ctx. */
static int oaep_setup(EVP_PKEY_CTX *ctx, const uint8_t *label, size_t label_len)
{
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) != 1)
        return SHROUD_ERR_CRYPTO;
    if (label_len == 0)
        return SHROUD_OK;
    /* OpenSSL takes ownership of the label copy. */
    uint8_t *copy = OPENSSL_memdup(label, label_len);
    if (!copy)
        return SHROUD_ERR_NOMEM;
    if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, (int)label_len) != 1) {
        OPENSSL_free(copy);
        return SHROUD_ERR_CRYPTO;
    }
    return SHROUD_OK;
}

int rsa_oaep_encrypt(EVP_PKEY *pub, const uint8_t *label, size_t label_len, const uint8_t *pt,
                     size_t len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (label_len > INT_MAX)
        return SHROUD_ERR_ARGUMENT;
    if (rsa_bits(pub) == 0)
        return SHROUD_ERR_KEY_KIND;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    if (!ctx)
        return SHROUD_ERR_NOMEM;
    int err =
        EVP_PKEY_encrypt_init(ctx) == 1 ? oaep_setup(ctx, label, label_len) : SHROUD_ERR_CRYPTO;
    size_t n = out_cap;
    if (err == SHROUD_OK && EVP_PKEY_encrypt(ctx, out, &n, pt, len) != 1)
        err = SHROUD_ERR_CRYPTO;
    EVP_PKEY_CTX_free(ctx);
    if (err == SHROUD_OK)
        *out_len = n;
    return err;
}

int rsa_oaep_decrypt(EVP_PKEY *priv, const uint8_t *label, size_t label_len, const uint8_t *ct,
                     size_t len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (label_len > INT_MAX)
        return SHROUD_ERR_ARGUMENT;
    if (rsa_bits(priv) == 0)
        return SHROUD_ERR_KEY_KIND;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(priv, NULL);
    if (!ctx)
        return SHROUD_ERR_NOMEM;
    int err =
        EVP_PKEY_decrypt_init(ctx) == 1 ? oaep_setup(ctx, label, label_len) : SHROUD_ERR_CRYPTO;
    /* The decrypted message is never longer than the modulus; decrypt into a
     * modulus-sized scratch buffer so a short out never truncates silently. */
    size_t mod = (size_t)EVP_PKEY_get_size(priv);
    uint8_t *tmp = err == SHROUD_OK ? OPENSSL_malloc(mod) : NULL;
    size_t n = mod;
    if (err == SHROUD_OK && !tmp)
        err = SHROUD_ERR_NOMEM;
    if (err == SHROUD_OK && EVP_PKEY_decrypt(ctx, tmp, &n, ct, len) != 1)
        err = SHROUD_ERR_KEY;
    if (err == SHROUD_OK && n > out_cap)
        err = SHROUD_ERR_KEY;
    if (err == SHROUD_OK) {
        memcpy(out, tmp, n);
        *out_len = n;
    }
    if (tmp)
        OPENSSL_clear_free(tmp, mod);
    EVP_PKEY_CTX_free(ctx);
    return err;
}

/* Sets PSS padding with SHA-256 MGF1 and a 32-byte salt on a signing ctx. */
static int pss_setup(EVP_PKEY_CTX *pctx)
{
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                   EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1 &&
                   EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, SHA256_BYTES) == 1
               ? SHROUD_OK
               : SHROUD_ERR_CRYPTO;
}

int rsa_pss_sign(EVP_PKEY *priv, const uint8_t *msg, size_t len, uint8_t *sig, size_t sig_cap,
                 size_t *sig_len)
{
    if (rsa_bits(priv) == 0)
        return SHROUD_ERR_KEY_KIND;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    size_t n = sig_cap;
    int err = SHROUD_ERR_CRYPTO;
    if (md && EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, priv) == 1 &&
        pss_setup(pctx) == SHROUD_OK && EVP_DigestSign(md, sig, &n, msg, len) == 1) {
        *sig_len = n;
        err = SHROUD_OK;
    }
    EVP_MD_CTX_free(md);
    return err;
}

int rsa_pss_verify(EVP_PKEY *pub, const uint8_t *msg, size_t len, const uint8_t *sig,
                   size_t sig_len)
{
    if (rsa_bits(pub) == 0)
        return SHROUD_ERR_KEY_KIND;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = md && EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pub) == 1 &&
             pss_setup(pctx) == SHROUD_OK && EVP_DigestVerify(md, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    return ok ? SHROUD_OK : SHROUD_ERR_SIGNATURE;
}
