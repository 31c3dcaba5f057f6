/*
 * The committed envelope vectors (tests/vectors/envelope, made once by
 * gen_envelope_vectors): each one must open to its plaintext through the
 * public API, have the byte layout docs/FORMAT.md documents, decrypt with
 * OpenSSL alone by following docs/FORMAT.md, and match the SHA-256 listed in
 * the folder's README. A format change therefore breaks this test.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/armor.h"
#include "crypto/bech32.h"
#include "envelope_util.h"
#include "envelope_vectors.h"

#define DIR SHROUD_TEST_VECTORS "/envelope/"
#define MAC_BYTES 32

static shroud_identity *native, *rsa;
static char *native_text, *rsa_text;
static size_t native_text_len, rsa_text_len;

static char *read_vector(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s", DIR, name);
    uint8_t *data = tu_read_file(path, len);
    char *text = realloc(data, *len + 1); /* NUL-terminated for the text ones */
    assert_non_null(text);
    text[*len] = '\0';
    return text;
}

static int setup(void **state)
{
    (void)state;
    native_text = read_vector(VEC_NATIVE_KEY_FILE, &native_text_len);
    rsa_text = read_vector(VEC_RSA_KEY_FILE, &rsa_text_len);
    assert_int_equal(shroud_identity_parse(&native, native_text, native_text_len, NULL, NULL),
                     SHROUD_OK);
    assert_int_equal(shroud_identity_parse(&rsa, rsa_text, rsa_text_len, NULL, NULL), SHROUD_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(native);
    shroud_identity_free(rsa);
    free(native_text);
    free(rsa_text);
    return 0;
}

/* A vector's envelope as binary (armor removed); free with free(). */
static uint8_t *binary_of(const vec_envelope *v, size_t *len)
{
    size_t file_len = 0;
    char *file = read_vector(v->file, &file_len);
    if (!(v->flags & SHROUD_FLAG_ARMOR)) {
        *len = file_len;
        return (uint8_t *)file;
    }
    uint8_t *bin = NULL;
    assert_int_equal(armor_decode(ARMOR_LABEL_MESSAGE, file, file_len, &bin, len), SHROUD_OK);
    free(file);
    return bin;
}

static size_t popcount(unsigned x)
{
    size_t n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static void test_every_vector_opens_to_its_plaintext(void **state)
{
    (void)state;
    for (size_t i = 0; i < VEC_N_ENVELOPES; i++) {
        const vec_envelope *v = &VEC_ENVELOPES[i];
        print_message("  %s\n", v->file);
        size_t len = 0, pt_len = 0;
        char *env = read_vector(v->file, &len);
        uint8_t *pt = vec_plaintext(v->plain, &pt_len);
        unsigned open_flags = v->flags & SHROUD_FLAG_HEADERLESS;
        if (v->keys & (VEC_SCRYPT | VEC_PBKDF2))
            assert_opens_to(&(open_spec){.pass = VEC_PASSPHRASE, .flags = open_flags},
                            (const uint8_t *)env, len, pt, pt_len);
        const shroud_identity *ids[] = {native, rsa};
        for (size_t k = 0; k < 2; k++) /* each key alone */
            if (v->keys & (1u << k))
                assert_opens_to(&(open_spec){.ids = &ids[k], .n = 1, .flags = open_flags},
                                (const uint8_t *)env, len, pt, pt_len);
        free(pt);
        free(env);
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks one stanza at env[*pos] against the format; advances *pos. */
static void check_stanza(const uint8_t *env, size_t *pos, unsigned key)
{
    static const struct {
        unsigned key;
        uint8_t type;
        size_t body;
    } kinds[] = {{VEC_NATIVE, 0x01, 80},
                 {VEC_RSA, 0x02, VEC_RSA_BITS / 8},
                 {VEC_SCRYPT, 0x03, 65},
                 {VEC_PBKDF2, 0x04, 68}};
    for (size_t i = 0; i < N_ITEMS(kinds); i++) {
        if (kinds[i].key != key)
            continue;
        const uint8_t *s = env + *pos;
        assert_int_equal(s[0], kinds[i].type);
        assert_int_equal((size_t)(s[1] << 8 | s[2]), kinds[i].body);
        if (key == VEC_SCRYPT)
            assert_int_equal(s[3 + 16], VEC_SCRYPT_LOG_N); /* salt[16] log_n */
        if (key == VEC_PBKDF2)
            assert_int_equal(be32(s + 3 + 16), VEC_PBKDF2_ITERATIONS);
        *pos += 3 + kinds[i].body;
        return;
    }
    fail_msg("unknown key bit %u", key);
}

static void test_every_vector_has_the_documented_layout(void **state)
{
    (void)state;
    for (size_t i = 0; i < VEC_N_ENVELOPES; i++) {
        const vec_envelope *v = &VEC_ENVELOPES[i];
        print_message("  %s\n", v->file);
        size_t len = 0, pt_len = 0;
        uint8_t *env = binary_of(v, &len);
        free(vec_plaintext(v->plain, &pt_len));
        size_t pos = 0;
        if (!(v->flags & SHROUD_FLAG_HEADERLESS)) {
            assert_memory_equal(env, "SHROUD\0\1", MAGIC_BYTES);
            pos = MAGIC_BYTES;
        }
        assert_int_equal(env[pos++], popcount(v->keys)); /* stanza count */
        for (unsigned bit = 1; bit <= VEC_PBKDF2; bit <<= 1)
            if (v->keys & bit)
                check_stanza(env, &pos, bit);
        pos += MAC_BYTES;
        /* payload: salt 24, commitment 32, full chunks of 16384 + 16, a short final one */
        size_t full = pt_len / SHROUD_CHUNK_BYTES, last = pt_len % SHROUD_CHUNK_BYTES;
        assert_int_equal(len, pos + PAYLOAD_PREFIX + full * SEALED_CHUNK + last + 16);
        free(env);
    }
}

/* The .asc vectors: BEGIN line, 64-character lines, END line, LF. */
static void test_armored_vectors_have_pem_layout(void **state)
{
    (void)state;
    for (size_t i = 0; i < VEC_N_ENVELOPES; i++) {
        if (!(VEC_ENVELOPES[i].flags & SHROUD_FLAG_ARMOR))
            continue;
        size_t len = 0;
        char *text = read_vector(VEC_ENVELOPES[i].file, &len);
        const char begin[] = "-----BEGIN SHROUD MESSAGE-----\n";
        const char end[] = "-----END SHROUD MESSAGE-----\n";
        assert_memory_equal(text, begin, strlen(begin));
        assert_memory_equal(text + len - strlen(end), end, strlen(end));
        size_t body_end = len - strlen(end);
        for (size_t at = strlen(begin); at < body_end;) {
            size_t line = strcspn(text + at, "\n");
            bool is_last = at + line + 1 == body_end;
            if (is_last)
                assert_in_range(line, 1, 64);
            else
                assert_int_equal(line, 64);
            at += line + 1;
        }
        free(text);
    }
}

/* ---- decrypting with OpenSSL alone, by docs/FORMAT.md ---- */

static void hkdf(const char *mode, const char *digest, const uint8_t *key, size_t key_len,
                 const uint8_t *salt, size_t salt_len, const uint8_t *info, size_t info_len,
                 uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    assert_non_null(ctx);
    OSSL_PARAM params[6], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)mode, 0);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt_len) /* none: RFC 5869's string of zeros */
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_KDF_derive(ctx, out, out_len, params), 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
}

static void hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                        const char *info, uint8_t out[32])
{
    hkdf("EXTRACT_AND_EXPAND", "SHA256", ikm, ikm_len, salt, salt_len, (const uint8_t *)info,
         strlen(info), out, 32);
}

/* AES-256-GCM open with empty associated data; false when the tag fails. */
static bool gcm_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *ct, size_t len,
                     const uint8_t *tag, uint8_t *pt)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    assert_int_equal(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce), 1);
    assert_int_equal(EVP_DecryptUpdate(ctx, pt, &n, ct, (int)len), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag), 1);
    bool ok = EVP_DecryptFinal_ex(ctx, pt + n, &n) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static const uint8_t ZERO_NONCE[12];

/* wrapped[48] = AES-256-GCM(wrap_key, zero nonce, file_key). */
static void unwrap(const uint8_t wrap_key[32], const uint8_t *wrapped, uint8_t file_key[32])
{
    assert_true(gcm_open(wrap_key, ZERO_NONCE, wrapped, 32, wrapped + 32, file_key));
}

static void unwrap_x25519(const uint8_t *body, uint8_t file_key[32])
{
    const char *line = strstr(native_text, "SHROUD-SECRET-KEY-1");
    assert_non_null(line);
    uint8_t secret[64], recipient[32], shared[32], salt[64], key[32];
    assert_int_equal(
        bech32_decode("shroud-secret-key-", line, strcspn(line, "\n"), secret, sizeof secret),
        SHROUD_OK);
    EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, secret, 32);
    EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, body, 32);
    size_t n = sizeof recipient;
    assert_int_equal(EVP_PKEY_get_raw_public_key(priv, recipient, &n), 1);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(priv, NULL);
    n = sizeof shared;
    assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(ctx, peer), 1);
    assert_int_equal(EVP_PKEY_derive(ctx, shared, &n), 1);
    memcpy(salt, body, 32); /* ephemeral share || recipient */
    memcpy(salt + 32, recipient, 32);
    hkdf_sha256(shared, 32, salt, 64, "shroud/v1 X25519", key);
    unwrap(key, body + 32, file_key);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(priv);
    EVP_PKEY_free(peer);
}

static void unwrap_rsa(const uint8_t *body, size_t len, uint8_t file_key[32])
{
    BIO *bio = BIO_new_mem_buf(rsa_text, (int)rsa_text_len);
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(pkey);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
    static const char label[] = "shroud/v1 RSA-OAEP";
    void *label_copy = OPENSSL_memdup(label, strlen(label));
    assert_int_equal(EVP_PKEY_decrypt_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()), 1);
    assert_int_equal(EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label_copy, (int)strlen(label)), 1);
    uint8_t out[512];
    size_t n = sizeof out;
    assert_int_equal(EVP_PKEY_decrypt(ctx, out, &n, body, len), 1);
    assert_int_equal(n, 32);
    memcpy(file_key, out, 32);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
}

/* salt for the passphrase KDFs: label || the stanza's 16-byte salt */
static size_t labelled_salt(const char *label, const uint8_t *salt, uint8_t out[64])
{
    memcpy(out, label, strlen(label));
    memcpy(out + strlen(label), salt, 16);
    return strlen(label) + 16;
}

static void unwrap_scrypt(const uint8_t *body, uint8_t file_key[32])
{
    uint8_t salt[64], key[32];
    size_t salt_len = labelled_salt("shroud/v1 scrypt", body, salt);
    assert_int_equal(EVP_PBE_scrypt(VEC_PASSPHRASE, strlen(VEC_PASSPHRASE), salt, salt_len,
                                    UINT64_C(1) << body[16], 8, 1, 0, key, sizeof key),
                     1);
    unwrap(key, body + 17, file_key);
}

static void unwrap_pbkdf2(const uint8_t *body, uint8_t file_key[32])
{
    uint8_t salt[64], key[32];
    size_t salt_len = labelled_salt("shroud/v1 PBKDF2", body, salt);
    assert_int_equal(PKCS5_PBKDF2_HMAC(VEC_PASSPHRASE, (int)strlen(VEC_PASSPHRASE), salt,
                                       (int)salt_len, (int)be32(body + 16), EVP_sha256(),
                                       sizeof key, key),
                     1);
    unwrap(key, body + 20, file_key);
}

/* The file key from the first stanza. */
static void file_key_of(const uint8_t *stanza, uint8_t file_key[32])
{
    size_t body_len = (size_t)(stanza[1] << 8 | stanza[2]);
    const uint8_t *body = stanza + 3;
    switch (stanza[0]) {
    case 0x01:
        unwrap_x25519(body, file_key);
        return;
    case 0x02:
        unwrap_rsa(body, body_len, file_key);
        return;
    case 0x03:
        unwrap_scrypt(body, file_key);
        return;
    case 0x04:
        unwrap_pbkdf2(body, file_key);
        return;
    }
    fail_msg("stanza type %u", stanza[0]);
}

/* Decrypts a binary envelope following docs/FORMAT.md; fills out. */
static void decrypt_by_the_spec(const uint8_t *env, size_t len, bool headerless, tu_buf *out)
{
    size_t start = headerless ? 0 : MAGIC_BYTES, pos = start + 1;
    for (size_t i = 0; i < env[start]; i++)
        pos += 3 + (size_t)(env[pos + 1] << 8 | env[pos + 2]);
    const uint8_t *mac = env + pos;
    uint8_t file_key[32], mac_key[32], payload_key[32], want_mac[32];
    file_key_of(env + start + 1, file_key);

    /* mac = HMAC-SHA256(mac_key, magic || count || stanzas) */
    hkdf_sha256(file_key, 32, NULL, 0, "shroud/v1 header", mac_key);
    tu_buf macced = {0};
    buf_append(&macced, "SHROUD\0\1", MAGIC_BYTES);
    buf_append(&macced, env + start, pos - start);
    size_t mac_len = 0;
    assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, mac_key, 32, macced.data,
                              macced.len, want_mac, sizeof want_mac, &mac_len));
    tu_buf_free(&macced);
    assert_memory_equal(want_mac, mac, MAC_BYTES);

    /* key || base_nonce || commitment = HKDF-Expand-SHA-512(payload_key, info, 76) */
    hkdf_sha256(file_key, 32, NULL, 0, "shroud/v1 payload", payload_key);
    const uint8_t *payload = mac + MAC_BYTES;
    static const char prefix[] = "c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM";
    uint8_t info[sizeof prefix + 24 + MAC_BYTES], okm[76];
    memcpy(info, prefix, sizeof prefix); /* with its 0x00 */
    memcpy(info + sizeof prefix, payload, 24);
    memcpy(info + sizeof prefix + 24, mac, MAC_BYTES);
    hkdf("EXPAND_ONLY", "SHA512", payload_key, 32, NULL, 0, info, sizeof info, okm, sizeof okm);
    assert_memory_equal(okm + 44, payload + 24, 32); /* the commitment */

    const uint8_t *chunk = payload + PAYLOAD_PREFIX, *end = env + len;
    uint8_t plain[SHROUD_CHUNK_BYTES];
    for (uint64_t i = 0;; i++) {
        size_t left = (size_t)(end - chunk);
        assert_in_range(left, 16, SIZE_MAX);
        size_t n = left > SEALED_CHUNK ? SEALED_CHUNK : left;
        assert_int_not_equal(left, SEALED_CHUNK); /* never a full final chunk */
        uint8_t nonce[12];
        memcpy(nonce, okm + 32, 12);
        for (int b = 0; b < 8; b++)
            nonce[11 - b] ^= (uint8_t)(i >> (8 * b));
        assert_true(gcm_open(okm, nonce, chunk, n - 16, chunk + n - 16, plain));
        buf_append(out, plain, n - 16);
        chunk += n;
        if (n < SEALED_CHUNK)
            break;
    }
    assert_ptr_equal(chunk, end);
}

static void test_vectors_decrypt_with_openssl_following_the_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < VEC_N_ENVELOPES; i++) {
        const vec_envelope *v = &VEC_ENVELOPES[i];
        print_message("  %s\n", v->file);
        size_t len = 0, pt_len = 0;
        uint8_t *env = binary_of(v, &len);
        uint8_t *pt = vec_plaintext(v->plain, &pt_len);
        tu_buf out = {0};
        decrypt_by_the_spec(env, len, v->flags & SHROUD_FLAG_HEADERLESS, &out);
        assert_int_equal(out.len, pt_len);
        if (pt_len)
            assert_memory_equal(out.data, pt, pt_len);
        tu_buf_free(&out);
        free(pt);
        free(env);
    }
}

/* ---- the README ---- */

static void sha256_hex(const void *data, size_t len, char hex[65])
{
    uint8_t md[32];
    unsigned int md_len = 0;
    assert_int_equal(EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL), 1);
    for (size_t i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The README row "| `name` | ... | `sha256` |" must hold the file's hash. */
static void check_listed(const char *readme, const char *name)
{
    char cell[128];
    snprintf(cell, sizeof cell, "| `%s` |", name);
    const char *row = strstr(readme, cell);
    if (!row)
        fail_msg("README.md does not list %s", name);
    size_t row_len = strcspn(row, "\n");
    char hex[65];
    size_t len = 0;
    char *data = read_vector(name, &len);
    sha256_hex(data, len, hex);
    free(data);
    char want[80];
    snprintf(want, sizeof want, "| `%s` |", hex);
    if (row_len < strlen(want) || memcmp(row + row_len - strlen(want), want, strlen(want)) != 0)
        fail_msg("README.md: %s should have SHA-256 %s", name, hex);
}

static void test_readme_lists_every_file_with_its_sha256(void **state)
{
    (void)state;
    size_t len = 0;
    char *readme = read_vector("README.md", &len);
    check_listed(readme, VEC_NATIVE_KEY_FILE);
    check_listed(readme, VEC_RSA_KEY_FILE);
    for (size_t i = 0; i < VEC_N_ENVELOPES; i++)
        check_listed(readme, VEC_ENVELOPES[i].file);
    free(readme);
}

/* The committed keys are what the README says they are. */
static void test_vector_keys_are_a_native_and_an_rsa_2048_identity(void **state)
{
    (void)state;
    assert_int_equal(shroud_identity_kind(native), SHROUD_KEY_NATIVE);
    assert_int_equal(shroud_identity_kind(rsa), SHROUD_KEY_RSA);
    assert_non_null(strstr(rsa_text, "-----BEGIN PRIVATE KEY-----"));
    shroud_recipient *r = recipient_of(native);
    char *line = NULL;
    size_t line_len = 0;
    assert_int_equal(shroud_recipient_format(r, &line, &line_len), SHROUD_OK);
    assert_non_null(strstr(native_text, line)); /* named in the file's comment */
    shroud_free(line);
    shroud_recipient_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_vector_opens_to_its_plaintext),
        cmocka_unit_test(test_every_vector_has_the_documented_layout),
        cmocka_unit_test(test_armored_vectors_have_pem_layout),
        cmocka_unit_test(test_vectors_decrypt_with_openssl_following_the_format),
        cmocka_unit_test(test_readme_lists_every_file_with_its_sha256),
        cmocka_unit_test(test_vector_keys_are_a_native_and_an_rsa_2048_identity),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
