/* signature.c — detached signatures: Ed25519 and RSA-PSS-SHA256 over SHA-256. */
#include "crypto/signature.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/armor.h"

#define SIGNED_MESSAGE_BYTES (sizeof SIGNATURE_DOMAIN + 2 + SHROUD_KEY_ID_BYTES + SHA256_BYTES)

static void signed_message(uint8_t context, uint8_t alg, const uint8_t key_id[SHROUD_KEY_ID_BYTES],
                           const uint8_t digest[SHA256_BYTES], uint8_t out[SIGNED_MESSAGE_BYTES])
{
    size_t pos = sizeof SIGNATURE_DOMAIN; /* the domain and its 0x00 */
    memcpy(out, SIGNATURE_DOMAIN, pos);
    out[pos++] = context;
    out[pos++] = alg;
    memcpy(out + pos, key_id, SHROUD_KEY_ID_BYTES);
    memcpy(out + pos + SHROUD_KEY_ID_BYTES, digest, SHA256_BYTES);
}

static uint8_t alg_for(int kind)
{
    return kind == SHROUD_KEY_RSA ? SIG_RSA_PSS_SHA256 : SIG_ED25519;
}

int signature_sign_digest(const shroud_identity *id, uint8_t context,
                          const uint8_t digest[SHA256_BYTES], signature_block *out)
{
    memset(out, 0, sizeof *out);
    out->alg = alg_for(id->kind);
    int err = shroud_recipient_key_id(&id->pub, out->key_id);
    if (err)
        return err;
    uint8_t msg[SIGNED_MESSAGE_BYTES];
    signed_message(context, out->alg, out->key_id, digest, msg);
    if (id->kind == SHROUD_KEY_NATIVE) {
        out->len = ED25519_SIGNATURE_BYTES;
        return ed25519_sign(id->ed25519_seed, msg, sizeof msg, out->sig);
    }
    size_t len = 0;
    err = rsa_pss_sign(id->pub.rsa, msg, sizeof msg, out->sig, sizeof out->sig, &len);
    out->len = (uint16_t)len;
    return err;
}

int signature_verify_digest(const shroud_recipient *key, uint8_t context,
                            const uint8_t digest[SHA256_BYTES], const signature_block *sig)
{
    uint8_t key_id[SHROUD_KEY_ID_BYTES];
    int err = shroud_recipient_key_id(key, key_id);
    if (err)
        return err;
    if (sig->alg != alg_for(key->kind) || !prim_equal(key_id, sig->key_id, sizeof key_id))
        return SHROUD_ERR_WRONG_SIGNER;
    uint8_t msg[SIGNED_MESSAGE_BYTES];
    signed_message(context, sig->alg, sig->key_id, digest, msg);
    if (key->kind == SHROUD_KEY_NATIVE)
        return ed25519_verify(key->ed25519, msg, sizeof msg, sig->sig, sig->len);
    return rsa_pss_verify(key->rsa, msg, sizeof msg, sig->sig, sig->len);
}

int signature_block_encode(const signature_block *sig, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t need = SIGNATURE_MAGIC_BYTES + 1 + SHROUD_KEY_ID_BYTES + 2 + sig->len;
    if (sig->len > SIGNATURE_MAX_BYTES || need > cap)
        return SHROUD_ERR_ARGUMENT;
    size_t pos = 0;
    memcpy(out, SIGNATURE_MAGIC, SIGNATURE_MAGIC_BYTES);
    pos += SIGNATURE_MAGIC_BYTES;
    out[pos++] = sig->alg;
    memcpy(out + pos, sig->key_id, SHROUD_KEY_ID_BYTES);
    pos += SHROUD_KEY_ID_BYTES;
    out[pos++] = (uint8_t)(sig->len >> 8);
    out[pos++] = (uint8_t)sig->len;
    memcpy(out + pos, sig->sig, sig->len);
    *out_len = need;
    return SHROUD_OK;
}

int signature_block_decode(const uint8_t *buf, size_t len, signature_block *out)
{
    memset(out, 0, sizeof *out);
    size_t fixed = SIGNATURE_MAGIC_BYTES + 1 + SHROUD_KEY_ID_BYTES + 2;
    if (len < fixed || memcmp(buf, SIGNATURE_MAGIC, SIGNATURE_MAGIC_BYTES - 1) != 0)
        return SHROUD_ERR_SIGNATURE_FORMAT;
    if (buf[SIGNATURE_MAGIC_BYTES - 1] != (uint8_t)SIGNATURE_MAGIC[SIGNATURE_MAGIC_BYTES - 1])
        return SHROUD_ERR_VERSION;
    size_t pos = SIGNATURE_MAGIC_BYTES;
    out->alg = buf[pos++];
    memcpy(out->key_id, buf + pos, SHROUD_KEY_ID_BYTES);
    pos += SHROUD_KEY_ID_BYTES;
    out->len = (uint16_t)(buf[pos] << 8 | buf[pos + 1]);
    pos += 2;
    if ((out->alg != SIG_ED25519 && out->alg != SIG_RSA_PSS_SHA256) ||
        out->len > SIGNATURE_MAX_BYTES || len != pos + out->len ||
        (out->alg == SIG_ED25519 && out->len != ED25519_SIGNATURE_BYTES))
        return SHROUD_ERR_SIGNATURE_FORMAT;
    memcpy(out->sig, buf + pos, out->len);
    return SHROUD_OK;
}

/* ---- the public streaming API ---- */

struct shroud_signer {
    const shroud_identity *id;
    EVP_MD_CTX *md;
};

struct shroud_verifier {
    const shroud_recipient *key;
    EVP_MD_CTX *md;
    signature_block sig;
};

static EVP_MD_CTX *sha256_start(void)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        md = NULL;
    }
    return md;
}

static int sha256_update(EVP_MD_CTX *md, const uint8_t *buf, size_t len)
{
    return EVP_DigestUpdate(md, buf, len) == 1 ? SHROUD_OK : SHROUD_ERR_CRYPTO;
}

static int sha256_finish(EVP_MD_CTX *md, uint8_t digest[SHA256_BYTES])
{
    unsigned int n = 0;
    return EVP_DigestFinal_ex(md, digest, &n) == 1 && n == SHA256_BYTES ? SHROUD_OK
                                                                        : SHROUD_ERR_CRYPTO;
}

int shroud_signer_new(shroud_signer **out, const shroud_identity *id)
{
    if (!out || !id)
        return SHROUD_ERR_ARGUMENT;
    shroud_signer *s = calloc(1, sizeof *s);
    if (!s)
        return SHROUD_ERR_NOMEM;
    s->id = id;
    s->md = sha256_start();
    if (!s->md) {
        free(s);
        return SHROUD_ERR_CRYPTO;
    }
    *out = s;
    return SHROUD_OK;
}

int shroud_signer_update(shroud_signer *s, const uint8_t *buf, size_t len)
{
    if (!s || (len && !buf))
        return SHROUD_ERR_ARGUMENT;
    return sha256_update(s->md, buf, len);
}

int shroud_signer_finish(shroud_signer *s, char **sig, size_t *sig_len)
{
    if (!s || !sig || !sig_len)
        return SHROUD_ERR_ARGUMENT;
    uint8_t digest[SHA256_BYTES], block[SIGNATURE_BLOCK_MAX];
    size_t block_len = 0;
    signature_block b;
    int err = sha256_finish(s->md, digest);
    if (!err)
        err = signature_sign_digest(s->id, SIG_CONTEXT_FILE, digest, &b);
    if (!err)
        err = signature_block_encode(&b, block, sizeof block, &block_len);
    if (!err)
        err = armor_encode(ARMOR_LABEL_SIGNATURE, block, block_len, sig, sig_len);
    return err;
}

void shroud_signer_free(shroud_signer *s)
{
    if (!s)
        return;
    EVP_MD_CTX_free(s->md);
    free(s);
}

int shroud_verifier_new(shroud_verifier **out, const shroud_recipient *key, const char *sig,
                        size_t sig_len)
{
    if (!out || !key || (sig_len && !sig))
        return SHROUD_ERR_ARGUMENT;
    uint8_t *block = NULL;
    size_t block_len = 0;
    int err = armor_decode(ARMOR_LABEL_SIGNATURE, sig, sig_len, &block, &block_len);
    if (err)
        return err == SHROUD_ERR_NOMEM ? err : SHROUD_ERR_SIGNATURE_FORMAT;
    shroud_verifier *v = calloc(1, sizeof *v);
    if (!v) {
        free(block);
        return SHROUD_ERR_NOMEM;
    }
    err = signature_block_decode(block, block_len, &v->sig);
    free(block);
    v->key = key;
    v->md = err ? NULL : sha256_start();
    if (!err && !v->md)
        err = SHROUD_ERR_CRYPTO;
    if (err) {
        shroud_verifier_free(v);
        return err;
    }
    *out = v;
    return SHROUD_OK;
}

int shroud_verifier_update(shroud_verifier *v, const uint8_t *buf, size_t len)
{
    if (!v || (len && !buf))
        return SHROUD_ERR_ARGUMENT;
    return sha256_update(v->md, buf, len);
}

int shroud_verifier_finish(shroud_verifier *v)
{
    if (!v)
        return SHROUD_ERR_ARGUMENT;
    uint8_t digest[SHA256_BYTES];
    int err = sha256_finish(v->md, digest);
    return err ? err : signature_verify_digest(v->key, SIG_CONTEXT_FILE, digest, &v->sig);
}

void shroud_verifier_free(shroud_verifier *v)
{
    if (!v)
        return;
    EVP_MD_CTX_free(v->md);
    free(v);
}
