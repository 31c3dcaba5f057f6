/*
 * Detached signatures through the public API (docs/FORMAT.md §4): Ed25519
 * for native identities, RSA-PSS-SHA256 for RSA ones; the armored block's
 * layout; modified data, other keys, and every corruption of the signature.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/armor.h"
#include "crypto/bech32.h"
#include "envelope_util.h"

#define DATA_LEN 3000
#define BLOCK_FIXED (8 + 1 + SHROUD_KEY_ID_BYTES + 2) /* magic, alg, key id, length */

static shroud_identity *native, *other, *rsa;
static shroud_recipient *native_r, *other_r, *rsa_r;
static uint8_t *data;

static int setup(void **state)
{
    (void)state;
    native = new_native_identity();
    other = new_native_identity();
    rsa = new_rsa_identity(2048);
    native_r = recipient_of(native);
    other_r = recipient_of(other);
    rsa_r = recipient_of(rsa);
    data = pattern(DATA_LEN, 42);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(native);
    shroud_identity_free(other);
    shroud_identity_free(rsa);
    shroud_recipient_free(native_r);
    shroud_recipient_free(other_r);
    shroud_recipient_free(rsa_r);
    free(data);
    return 0;
}

/* Signs buf, fed in pieces of `piece` bytes (0: whole). Free with shroud_free. */
static char *sign(const shroud_identity *id, const uint8_t *buf, size_t len, size_t piece,
                  size_t *sig_len)
{
    shroud_signer *s = NULL;
    assert_int_equal(shroud_signer_new(&s, id), SHROUD_OK);
    for (size_t done = 0; done < len;) {
        size_t n = piece && piece < len - done ? piece : len - done;
        assert_int_equal(shroud_signer_update(s, buf + done, n), SHROUD_OK);
        done += n;
    }
    char *sig = NULL;
    assert_int_equal(shroud_signer_finish(s, &sig, sig_len), SHROUD_OK);
    shroud_signer_free(s);
    return sig;
}

/* The verdict on sig over buf: the error of shroud_verifier_new, or of finish. */
static int verify(const shroud_recipient *key, const char *sig, size_t sig_len, const uint8_t *buf,
                  size_t len, size_t piece)
{
    shroud_verifier *v = NULL;
    int err = shroud_verifier_new(&v, key, sig, sig_len);
    if (err) {
        assert_null(v);
        return err;
    }
    for (size_t done = 0; !err && done < len;) {
        size_t n = piece && piece < len - done ? piece : len - done;
        err = shroud_verifier_update(v, buf + done, n);
        done += n;
    }
    if (!err)
        err = shroud_verifier_finish(v);
    shroud_verifier_free(v);
    return err;
}

/* The binary block inside an armored signature. Free with free(). */
static uint8_t *block_of(const char *sig, size_t sig_len, size_t *len)
{
    uint8_t *block = NULL;
    assert_int_equal(armor_decode(ARMOR_LABEL_SIGNATURE, sig, sig_len, &block, len), SHROUD_OK);
    return block;
}

/* The verdict on a binary block, armored as a signature. */
static int verify_block(const shroud_recipient *key, const uint8_t *block, size_t len)
{
    char *text = NULL;
    size_t text_len = 0;
    assert_int_equal(armor_encode(ARMOR_LABEL_SIGNATURE, block, len, &text, &text_len), SHROUD_OK);
    int err = verify(key, text, text_len, data, DATA_LEN, 0);
    free(text);
    return err;
}

static const struct {
    const char *name;
    shroud_identity **id;
    shroud_recipient **key;
    uint8_t alg;
    size_t sig_bytes;
} SIGNERS[] = {
    {"Ed25519", &native, &native_r, 1, 64},
    {"RSA-PSS", &rsa, &rsa_r, 2, 256},
};

static void test_signature_verifies_however_the_data_is_fed(void **state)
{
    (void)state;
    static const size_t pieces[] = {0, 1, 7, 1024};
    for (size_t k = 0; k < N_ITEMS(SIGNERS); k++) {
        for (size_t p = 0; p < N_ITEMS(pieces); p++) {
            size_t sig_len = 0;
            char *sig = sign(*SIGNERS[k].id, data, DATA_LEN, pieces[p], &sig_len);
            for (size_t q = 0; q < N_ITEMS(pieces); q++)
                assert_int_equal(verify(*SIGNERS[k].key, sig, sig_len, data, DATA_LEN, pieces[q]),
                                 SHROUD_OK);
            shroud_free(sig);
        }
        /* empty data */
        size_t sig_len = 0;
        char *sig = sign(*SIGNERS[k].id, data, 0, 0, &sig_len);
        assert_int_equal(verify(*SIGNERS[k].key, sig, sig_len, data, 0, 0), SHROUD_OK);
        assert_int_equal(verify(*SIGNERS[k].key, sig, sig_len, data, 1, 0), SHROUD_ERR_SIGNATURE);
        shroud_free(sig);
    }
}

/* A recipient parsed from the formatted public key verifies too. */
static void test_signature_verifies_with_the_published_public_key(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_ITEMS(SIGNERS); k++) {
        char *text = NULL;
        size_t text_len = 0;
        assert_int_equal(shroud_recipient_format(*SIGNERS[k].key, &text, &text_len), SHROUD_OK);
        shroud_recipient *pub = NULL;
        assert_int_equal(shroud_recipient_parse(&pub, text, text_len), SHROUD_OK);
        size_t sig_len = 0;
        char *sig = sign(*SIGNERS[k].id, data, DATA_LEN, 0, &sig_len);
        assert_int_equal(verify(pub, sig, sig_len, data, DATA_LEN, 0), SHROUD_OK);
        shroud_free(sig);
        shroud_recipient_free(pub);
        shroud_free(text);
    }
}

static void test_signature_block_has_the_documented_layout(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_ITEMS(SIGNERS); k++) {
        size_t sig_len = 0, len = 0;
        char *sig = sign(*SIGNERS[k].id, data, DATA_LEN, 0, &sig_len);
        assert_memory_equal(sig, "-----BEGIN SHROUD SIGNATURE-----\n", 33);
        const char end[] = "-----END SHROUD SIGNATURE-----\n";
        assert_memory_equal(sig + sig_len - strlen(end), end, strlen(end));
        uint8_t *block = block_of(sig, sig_len, &len);
        uint8_t key_id[SHROUD_KEY_ID_BYTES];
        assert_int_equal(shroud_recipient_key_id(*SIGNERS[k].key, key_id), SHROUD_OK);
        assert_int_equal(len, BLOCK_FIXED + SIGNERS[k].sig_bytes);
        assert_memory_equal(block, "SHRDSIG\1", 8);
        assert_int_equal(block[8], SIGNERS[k].alg);
        assert_memory_equal(block + 9, key_id, SHROUD_KEY_ID_BYTES);
        assert_int_equal(block[17] << 8 | block[18], SIGNERS[k].sig_bytes);
        free(block);
        shroud_free(sig);
    }
}

static void test_modified_data_fails_with_signature_error(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_ITEMS(SIGNERS); k++) {
        size_t sig_len = 0;
        char *sig = sign(*SIGNERS[k].id, data, DATA_LEN, 0, &sig_len);
        const shroud_recipient *key = *SIGNERS[k].key;
        for (size_t i = 0; i < DATA_LEN; i += 97) {
            data[i] ^= 0x01;
            assert_int_equal(verify(key, sig, sig_len, data, DATA_LEN, 0), SHROUD_ERR_SIGNATURE);
            data[i] ^= 0x01;
        }
        assert_int_equal(verify(key, sig, sig_len, data, DATA_LEN - 1, 0), SHROUD_ERR_SIGNATURE);
        assert_int_equal(verify(key, sig, sig_len, data + 1, DATA_LEN - 1, 0),
                         SHROUD_ERR_SIGNATURE);
        assert_int_equal(verify(key, sig, sig_len, data, 0, 0), SHROUD_ERR_SIGNATURE);
        assert_int_equal(verify(key, sig, sig_len, data, DATA_LEN, 0), SHROUD_OK);
        shroud_free(sig);
    }
}

static void test_another_key_fails_with_wrong_signer(void **state)
{
    (void)state;
    size_t len = 0;
    char *by_native = sign(native, data, DATA_LEN, 0, &len);
    assert_int_equal(verify(other_r, by_native, len, data, DATA_LEN, 0), SHROUD_ERR_WRONG_SIGNER);
    assert_int_equal(verify(rsa_r, by_native, len, data, DATA_LEN, 0), SHROUD_ERR_WRONG_SIGNER);
    shroud_free(by_native);
    char *by_rsa = sign(rsa, data, DATA_LEN, 0, &len);
    assert_int_equal(verify(native_r, by_rsa, len, data, DATA_LEN, 0), SHROUD_ERR_WRONG_SIGNER);
    shroud_free(by_rsa);
}

static void test_every_byte_flip_of_the_signature_block_is_rejected(void **state)
{
    (void)state;
    static const uint8_t masks[] = {0x01, 0x80};
    for (size_t k = 0; k < N_ITEMS(SIGNERS); k++) {
        size_t sig_len = 0, len = 0;
        char *sig = sign(*SIGNERS[k].id, data, DATA_LEN, 0, &sig_len);
        uint8_t *block = block_of(sig, sig_len, &len);
        assert_int_equal(verify_block(*SIGNERS[k].key, block, len), SHROUD_OK);
        for (size_t m = 0; m < N_ITEMS(masks); m++) {
            for (size_t i = 0; i < len; i++) {
                block[i] ^= masks[m];
                int err = verify_block(*SIGNERS[k].key, block, len);
                if (err == SHROUD_OK)
                    fail_msg("%s: block byte %zu ^ 0x%02x accepted", SIGNERS[k].name, i, masks[m]);
                block[i] ^= masks[m];
            }
        }
        free(block);
        shroud_free(sig);
    }
}

static void test_every_byte_flip_of_the_armored_signature_is_rejected(void **state)
{
    (void)state;
    static const uint8_t masks[] = {0x01, 0x80};
    for (size_t k = 0; k < N_ITEMS(SIGNERS); k++) {
        size_t len = 0;
        char *sig = sign(*SIGNERS[k].id, data, DATA_LEN, 0, &len);
        for (size_t m = 0; m < N_ITEMS(masks); m++) {
            for (size_t i = 0; i < len; i++) {
                sig[i] = (char)(sig[i] ^ masks[m]);
                int err = verify(*SIGNERS[k].key, sig, len, data, DATA_LEN, 0);
                if (err == SHROUD_OK)
                    fail_msg("%s: text byte %zu ^ 0x%02x accepted", SIGNERS[k].name, i, masks[m]);
                sig[i] = (char)(sig[i] ^ masks[m]);
            }
        }
        shroud_free(sig);
    }
}

static void test_truncated_or_extended_signature_is_malformed(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_ITEMS(SIGNERS); k++) {
        const shroud_recipient *key = *SIGNERS[k].key;
        size_t sig_len = 0, len = 0;
        char *sig = sign(*SIGNERS[k].id, data, DATA_LEN, 0, &sig_len);
        uint8_t *block = block_of(sig, sig_len, &len);
        for (size_t cut = 0; cut < len; cut++)
            assert_int_equal(verify_block(key, block, cut), SHROUD_ERR_SIGNATURE_FORMAT);
        uint8_t *longer = malloc(len + 1);
        assert_non_null(longer);
        memcpy(longer, block, len);
        longer[len] = 0;
        assert_int_equal(verify_block(key, longer, len + 1), SHROUD_ERR_SIGNATURE_FORMAT);
        free(longer);
        /* the text cut anywhere before its final newline */
        for (size_t cut = 0; cut + 1 < sig_len; cut++)
            assert_int_equal(verify(key, sig, cut, data, DATA_LEN, 0), SHROUD_ERR_SIGNATURE_FORMAT);
        assert_int_equal(verify(key, sig, sig_len - 1, data, DATA_LEN, 0), SHROUD_OK);
        free(block);
        shroud_free(sig);
    }
    /* things that are not signatures at all */
    static const char armored_message[] = "-----BEGIN SHROUD MESSAGE-----\nU0hST1VE\n"
                                          "-----END SHROUD MESSAGE-----\n";
    static const char *junk[] = {"", "hello", armored_message};
    shroud_verifier *v = NULL;
    for (size_t i = 0; i < N_ITEMS(junk); i++)
        assert_int_equal(shroud_verifier_new(&v, native_r, junk[i], strlen(junk[i])),
                         SHROUD_ERR_SIGNATURE_FORMAT);
    assert_null(v);
}

/* The signed message M of FORMAT.md §4, rebuilt by hand. */
static void signed_message(uint8_t alg, const shroud_recipient *key, const uint8_t *buf, size_t len,
                           uint8_t *m, size_t *m_len)
{
    static const char domain[] = "shroud/v1 signature";
    size_t pos = sizeof domain; /* with its 0x00 */
    memcpy(m, domain, pos);
    m[pos++] = 0x01; /* context: detached file signature */
    m[pos++] = alg;
    assert_int_equal(shroud_recipient_key_id(key, m + pos), SHROUD_OK);
    pos += SHROUD_KEY_ID_BYTES;
    unsigned int md_len = 0;
    assert_int_equal(EVP_Digest(buf, len, m + pos, &md_len, EVP_sha256(), NULL), 1);
    *m_len = pos + md_len;
}

/* FORMAT.md says a signature can be checked with OpenSSL alone. */
static void test_signatures_verify_with_openssl_from_the_format_alone(void **state)
{
    (void)state;
    uint8_t m[128];
    size_t m_len = 0, sig_len = 0, len = 0;
    /* Ed25519 over M with the public key's last 32 bytes */
    char *line = NULL;
    assert_int_equal(shroud_recipient_format(native_r, &line, &len), SHROUD_OK);
    uint8_t raw[64];
    assert_int_equal(bech32_decode("shroudpk", line, len, raw, sizeof raw), SHROUD_OK);
    shroud_free(line);
    EVP_PKEY *ed = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw + 32, 32);
    assert_non_null(ed);
    char *sig = sign(native, data, DATA_LEN, 0, &sig_len);
    uint8_t *block = block_of(sig, sig_len, &len);
    signed_message(1, native_r, data, DATA_LEN, m, &m_len);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, NULL, NULL, ed), 1);
    assert_int_equal(EVP_DigestVerify(md, block + BLOCK_FIXED, 64, m, m_len), 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(ed);
    free(block);
    shroud_free(sig);

    /* RSA-PSS-SHA256, MGF1-SHA256, salt 32, over M */
    char *pem = NULL;
    assert_int_equal(shroud_recipient_format(rsa_r, &pem, &len), SHROUD_OK);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *pub = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    shroud_free(pem);
    assert_non_null(pub);
    sig = sign(rsa, data, DATA_LEN, 0, &sig_len);
    block = block_of(sig, sig_len, &len);
    signed_message(2, rsa_r, data, DATA_LEN, m, &m_len);
    EVP_PKEY_CTX *pctx = NULL;
    md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pub), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32), 1);
    assert_int_equal(EVP_DigestVerify(md, block + BLOCK_FIXED, len - BLOCK_FIXED, m, m_len), 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pub);
    free(block);
    shroud_free(sig);
}

static void test_signer_and_verifier_refuse_bad_arguments(void **state)
{
    (void)state;
    shroud_signer *s = NULL;
    shroud_verifier *v = NULL;
    char *sig = NULL;
    size_t len = 0;
    assert_int_equal(shroud_signer_new(NULL, native), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_signer_new(&s, NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_signer_update(NULL, data, 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_signer_finish(NULL, &sig, &len), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_verifier_new(&v, NULL, "x", 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_verifier_new(&v, native_r, NULL, 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_verifier_update(NULL, data, 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_verifier_finish(NULL), SHROUD_ERR_ARGUMENT);
    shroud_signer_free(NULL);
    shroud_verifier_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_verifies_however_the_data_is_fed),
        cmocka_unit_test(test_signature_verifies_with_the_published_public_key),
        cmocka_unit_test(test_signature_block_has_the_documented_layout),
        cmocka_unit_test(test_modified_data_fails_with_signature_error),
        cmocka_unit_test(test_another_key_fails_with_wrong_signer),
        cmocka_unit_test(test_every_byte_flip_of_the_signature_block_is_rejected),
        cmocka_unit_test(test_every_byte_flip_of_the_armored_signature_is_rejected),
        cmocka_unit_test(test_truncated_or_extended_signature_is_malformed),
        cmocka_unit_test(test_signatures_verify_with_openssl_from_the_format_alone),
        cmocka_unit_test(test_signer_and_verifier_refuse_bad_arguments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
