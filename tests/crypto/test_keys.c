/*
 * Keys through the public API: identities (native, RSA, passphrase-protected)
 * generated, serialized and parsed back; public key lines and PEM; typo and
 * kind detection; RSA size limits; key ids (docs/FORMAT.md §3).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/bech32.h"
#include "envelope_util.h"

#define PASS "correct horse battery staple"
#define LOG_N 10
#define PUBLIC_LINE_LEN (8 + 1 + 103 + 6) /* hrp, '1', 64 bytes in base32, checksum */

static shroud_identity *native, *rsa;
static char *rsa_pkcs8; /* rsa serialized, unprotected */
static size_t rsa_pkcs8_len;
static EVP_PKEY *rsa_pkey; /* the same key as an OpenSSL object */

static int setup(void **state)
{
    (void)state;
    native = new_native_identity();
    rsa = new_rsa_identity(2048);
    assert_int_equal(shroud_identity_serialize(rsa, NULL, 0, 0, &rsa_pkcs8, &rsa_pkcs8_len),
                     SHROUD_OK);
    BIO *bio = BIO_new_mem_buf(rsa_pkcs8, (int)rsa_pkcs8_len);
    rsa_pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(rsa_pkey);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(native);
    shroud_identity_free(rsa);
    shroud_free_secret(rsa_pkcs8, rsa_pkcs8_len);
    EVP_PKEY_free(rsa_pkey);
    return 0;
}

/* ---- helpers ---- */

/* The formatted public key of an identity or recipient; free with shroud_free. */
static char *format_recipient(const shroud_recipient *r, size_t *len)
{
    char *text = NULL;
    assert_int_equal(shroud_recipient_format(r, &text, len), SHROUD_OK);
    assert_int_equal(strlen(text), *len);
    return text;
}

static char *public_text(const shroud_identity *id, size_t *len)
{
    shroud_recipient *r = recipient_of(id);
    char *text = format_recipient(r, len);
    shroud_recipient_free(r);
    return text;
}

static void key_id_of_recipient(const shroud_recipient *r, uint8_t id[SHROUD_KEY_ID_BYTES])
{
    assert_int_equal(shroud_recipient_key_id(r, id), SHROUD_OK);
}

static void key_id_of(const shroud_identity *id, uint8_t out[SHROUD_KEY_ID_BYTES])
{
    shroud_recipient *r = recipient_of(id);
    key_id_of_recipient(r, out);
    shroud_recipient_free(r);
}

static void assert_same_key(const shroud_identity *a, const shroud_identity *b)
{
    uint8_t ia[SHROUD_KEY_ID_BYTES], ib[SHROUD_KEY_ID_BYTES];
    key_id_of(a, ia);
    key_id_of(b, ib);
    assert_memory_equal(ia, ib, sizeof ia);
    assert_int_equal(shroud_identity_kind(a), shroud_identity_kind(b));
    size_t la, lb;
    char *ta = public_text(a, &la), *tb = public_text(b, &lb);
    assert_string_equal(ta, tb);
    shroud_free(ta);
    shroud_free(tb);
}

/* Parses identity text (with `pass` for the callback, if any). */
static int parse_identity(const char *text, size_t len, const char *pass, shroud_identity **out)
{
    pass_source src = {.pass = pass};
    return shroud_identity_parse(out, text, len, pass ? pass_fn : NULL, &src);
}

static void expect_identity_error(const char *text, size_t len, int want)
{
    shroud_identity *id = NULL;
    int err = parse_identity(text, len, NULL, &id);
    if (err != want)
        fail_msg("identity \"%.40s\": expected %d (%s), got %d (%s)", text, want,
                 shroud_strerror(want), err, shroud_strerror(err));
    assert_null(id);
}

static int parse_recipient(const char *text, size_t len)
{
    shroud_recipient *r = NULL;
    int err = shroud_recipient_parse(&r, text, len);
    shroud_recipient_free(r);
    return err;
}

static void expect_recipient_error(const char *text, int want)
{
    int err = parse_recipient(text, strlen(text));
    if (err != want)
        fail_msg("recipient \"%.40s\": expected %d (%s), got %d (%s)", text, want,
                 shroud_strerror(want), err, shroud_strerror(err));
}

/* The identity parsed from its own serialization (protected if pass). */
static shroud_identity *reparse(const shroud_identity *id, const char *pass, char **text,
                                size_t *len)
{
    assert_int_equal(shroud_identity_serialize(id, pass, pass ? strlen(pass) : 0, LOG_N, text, len),
                     SHROUD_OK);
    shroud_identity *back = NULL;
    assert_int_equal(parse_identity(*text, *len, pass, &back), SHROUD_OK);
    assert_same_key(id, back);
    return back;
}

/* An envelope sealed to `to` must open with `with`. */
static void assert_decrypts_for(const shroud_identity *to, const shroud_identity *with)
{
    shroud_recipient *r = recipient_of(to);
    tu_buf ct = {0};
    seal_to(r, 0, (const uint8_t *)"key test", 8, &ct);
    assert_opens_to(&(open_spec){.ids = &with, .n = 1}, ct.data, ct.len,
                    (const uint8_t *)"key test", 8);
    tu_buf_free(&ct);
    shroud_recipient_free(r);
}

/* PEM of an OpenSSL key: structure "PrivateKeyInfo", "type-specific"
 * (PKCS#1) or "SubjectPublicKeyInfo". Free with free(). */
static char *pem_of(EVP_PKEY *pkey, int selection, const char *structure, size_t *len)
{
    OSSL_ENCODER_CTX *ctx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, "PEM", structure, NULL);
    assert_non_null(ctx);
    unsigned char *data = NULL;
    assert_int_equal(OSSL_ENCODER_to_data(ctx, &data, len), 1);
    OSSL_ENCODER_CTX_free(ctx);
    char *text = malloc(*len + 1);
    assert_non_null(text);
    memcpy(text, data, *len);
    text[*len] = '\0';
    OPENSSL_free(data);
    return text;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- identities ---- */

static void test_native_identity_roundtrips_through_its_file(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    shroud_identity *back = reparse(native, NULL, &text, &len);
    assert_int_equal(shroud_identity_kind(back), SHROUD_KEY_NATIVE);
    /* comment lines naming the public key, then the upper-case key line */
    size_t pub_len;
    char *pub = public_text(native, &pub_len);
    char expect_head[256];
    snprintf(expect_head, sizeof expect_head,
             "# shroud identity: keep this file secret\n# public key: %s\nSHROUD-SECRET-KEY-1",
             pub);
    assert_true(starts_with(text, expect_head));
    assert_int_equal(text[len - 1], '\n');
    for (size_t i = strlen(expect_head); i + 1 < len; i++)
        assert_false(islower((unsigned char)text[i]));
    /* serializing again gives the same text */
    char *again = NULL;
    size_t again_len = 0;
    assert_int_equal(shroud_identity_serialize(back, NULL, 0, 0, &again, &again_len), SHROUD_OK);
    assert_int_equal(again_len, len);
    assert_memory_equal(again, text, len);
    assert_decrypts_for(native, back);
    shroud_free_secret(again, again_len);
    shroud_free(pub);
    shroud_free_secret(text, len);
    shroud_identity_free(back);
}

static void test_native_identity_file_tolerates_comments_blank_lines_and_crlf(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(shroud_identity_serialize(native, NULL, 0, 0, &text, &len), SHROUD_OK);
    const char *key = strstr(text, "SHROUD-SECRET-KEY-1");
    assert_non_null(key);
    size_t key_len = strcspn(key, "\n");
    char variant[512];
    static const struct {
        const char *before, *after;
    } frames[] = {{"", ""},
                  {"\n\n  ", "  \n\n"},
                  {"# a comment\r\n", "\r\n"},
                  {"#\n# x\n\t", "\t\n# after\n"}};
    for (size_t i = 0; i < N_ITEMS(frames); i++) {
        snprintf(variant, sizeof variant, "%s%.*s%s", frames[i].before, (int)key_len, key,
                 frames[i].after);
        shroud_identity *id = NULL;
        assert_int_equal(parse_identity(variant, strlen(variant), NULL, &id), SHROUD_OK);
        assert_same_key(native, id);
        shroud_identity_free(id);
    }
    /* two key lines, or none */
    snprintf(variant, sizeof variant, "%.*s\n%.*s\n", (int)key_len, key, (int)key_len, key);
    expect_identity_error(variant, strlen(variant), SHROUD_ERR_KEY);
    expect_identity_error("# only a comment\n", 17, SHROUD_ERR_KEY);
    /* mixed case and a typo */
    snprintf(variant, sizeof variant, "%.*s", (int)key_len, key);
    size_t letter = 25;
    while (!isupper((unsigned char)variant[letter]))
        letter++;
    variant[letter] = (char)tolower((unsigned char)variant[letter]);
    expect_identity_error(variant, key_len, SHROUD_ERR_KEY);
    snprintf(variant, sizeof variant, "%.*s", (int)key_len, key);
    variant[30] = variant[30] == 'Q' ? 'P' : 'Q';
    expect_identity_error(variant, key_len, SHROUD_ERR_KEY_CHECKSUM);
    shroud_free_secret(text, len);
}

static void test_protected_native_identity_roundtrips_with_its_passphrase(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    shroud_identity *back = reparse(native, PASS, &text, &len);
    assert_true(starts_with(text, "-----BEGIN SHROUD MESSAGE-----\n"));
    assert_null(strstr(text, "SECRET"));
    assert_decrypts_for(native, back);
    shroud_identity_free(back);
    /* the callback is asked once, for the identity */
    pass_source src = {.pass = PASS};
    assert_int_equal(shroud_identity_parse(&back, text, len, pass_fn, &src), SHROUD_OK);
    assert_int_equal(src.calls, 1);
    assert_string_equal(src.purpose, "identity");
    shroud_identity_free(back);
    /* it is a passphrase envelope: opening it gives the plain identity file */
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    assert_int_equal(
        shroud_open(NULL, 0, pass_fn, &src, 0, (const uint8_t *)text, len, &plain, &plain_len),
        SHROUD_OK);
    assert_true(plain_len > 20 && memcmp(plain, "# shroud identity", 17) == 0);
    shroud_free_secret(plain, plain_len);
    shroud_free_secret(text, len);
}

static void test_protected_identity_needs_the_right_passphrase(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(shroud_identity_serialize(native, PASS, strlen(PASS), LOG_N, &text, &len),
                     SHROUD_OK);
    shroud_identity *id = NULL;
    assert_int_equal(parse_identity(text, len, "wrong", &id), SHROUD_ERR_PASSPHRASE);
    assert_null(id);
    assert_int_equal(parse_identity(text, len, NULL, &id), SHROUD_ERR_NEED_PASSPHRASE);
    pass_source refuses = {.pass = NULL};
    assert_int_equal(shroud_identity_parse(&id, text, len, pass_fn, &refuses),
                     SHROUD_ERR_NEED_PASSPHRASE);
    assert_null(id);
    shroud_free_secret(text, len);
}

/* An armored envelope that is not passphrase-protected is not an identity. */
static void test_armored_envelope_to_a_key_is_not_an_identity(void **state)
{
    (void)state;
    shroud_recipient *r = recipient_of(native);
    tu_buf ct = {0};
    seal_to(r, SHROUD_FLAG_ARMOR, (const uint8_t *)"x", 1, &ct);
    shroud_identity *id = NULL;
    assert_int_not_equal(parse_identity((const char *)ct.data, ct.len, PASS, &id), SHROUD_OK);
    assert_null(id);
    tu_buf_free(&ct);
    shroud_recipient_free(r);
}

static void test_rsa_identity_roundtrips_as_pkcs8(void **state)
{
    (void)state;
    assert_true(starts_with(rsa_pkcs8, "-----BEGIN PRIVATE KEY-----\n"));
    char *text = NULL;
    size_t len = 0;
    shroud_identity *back = reparse(rsa, NULL, &text, &len);
    assert_int_equal(shroud_identity_kind(back), SHROUD_KEY_RSA);
    assert_decrypts_for(rsa, back);
    shroud_free_secret(text, len);
    shroud_identity_free(back);
}

/* PBKDF2 with 600000 iterations: ~0.3 s per serialize or parse. */
static void test_protected_rsa_identity_roundtrips_with_its_passphrase(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    shroud_identity *back = reparse(rsa, PASS, &text, &len);
    assert_true(starts_with(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    shroud_identity *id = NULL;
    assert_int_equal(parse_identity(text, len, "wrong", &id), SHROUD_ERR_PASSPHRASE);
    assert_int_equal(parse_identity(text, len, NULL, &id), SHROUD_ERR_NEED_PASSPHRASE);
    assert_null(id);
    shroud_free_secret(text, len);
    shroud_identity_free(back);
}

static void test_pkcs1_rsa_keys_are_accepted(void **state)
{
    (void)state;
    size_t len = 0;
    char *priv = pem_of(rsa_pkey, EVP_PKEY_KEYPAIR, "type-specific", &len);
    assert_true(starts_with(priv, "-----BEGIN RSA PRIVATE KEY-----"));
    shroud_identity *id = NULL;
    assert_int_equal(parse_identity(priv, len, NULL, &id), SHROUD_OK);
    assert_same_key(rsa, id);
    shroud_identity_free(id);
    free(priv);

    char *pub = pem_of(rsa_pkey, EVP_PKEY_PUBLIC_KEY, "type-specific", &len);
    assert_true(starts_with(pub, "-----BEGIN RSA PUBLIC KEY-----"));
    shroud_recipient *r = NULL;
    assert_int_equal(shroud_recipient_parse(&r, pub, len), SHROUD_OK);
    uint8_t a[SHROUD_KEY_ID_BYTES], b[SHROUD_KEY_ID_BYTES];
    key_id_of_recipient(r, a);
    key_id_of(rsa, b);
    assert_memory_equal(a, b, sizeof a);
    shroud_recipient_free(r);
    free(pub);
}

static void test_serialize_refuses_bad_passphrase_arguments(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    char long_pass[SHROUD_PASSPHRASE_MAX + 1];
    memset(long_pass, 'x', sizeof long_pass);
    assert_int_equal(shroud_identity_serialize(native, PASS, 0, LOG_N, &text, &len),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(
        shroud_identity_serialize(native, long_pass, sizeof long_pass, LOG_N, &text, &len),
        SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_identity_serialize(native, PASS, strlen(PASS),
                                               SHROUD_SCRYPT_MIN_LOG_N - 1, &text, &len),
                     SHROUD_ERR_WORK_FACTOR);
    assert_int_equal(shroud_identity_serialize(NULL, NULL, 0, 0, &text, &len), SHROUD_ERR_ARGUMENT);
    assert_null(text);
}

/* ---- public keys ---- */

static void test_public_key_line_roundtrips(void **state)
{
    (void)state;
    size_t len = 0;
    char *line = public_text(native, &len);
    assert_int_equal(len, PUBLIC_LINE_LEN);
    assert_true(starts_with(line, "shroudpk1"));
    for (size_t i = 0; i < len; i++)
        assert_false(isupper((unsigned char)line[i]) || isspace((unsigned char)line[i]));
    char padded[256];
    snprintf(padded, sizeof padded, " \t%s\r\n\n", line);
    const char *forms[] = {line, padded};
    for (size_t i = 0; i < N_ITEMS(forms); i++) {
        shroud_recipient *r = NULL;
        assert_int_equal(shroud_recipient_parse(&r, forms[i], strlen(forms[i])), SHROUD_OK);
        assert_int_equal(shroud_recipient_kind(r), SHROUD_KEY_NATIVE);
        size_t again_len = 0;
        char *again = format_recipient(r, &again_len);
        assert_string_equal(again, line);
        shroud_free(again);
        shroud_recipient_free(r);
    }
    shroud_free(line);
}

static void test_public_key_typo_is_caught(void **state)
{
    (void)state;
    static const char alphabet[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    size_t len = 0;
    char *line = public_text(native, &len);
    char typo[PUBLIC_LINE_LEN + 2];
    for (size_t i = 0; i < len; i++) {
        /* every other character of the alphabet at every position */
        for (size_t a = 0; a < 32; a++) {
            memcpy(typo, line, len + 1);
            if (typo[i] == alphabet[a])
                continue;
            typo[i] = alphabet[a];
            int err = parse_recipient(typo, len);
            bool ok = i >= 9 ? err == SHROUD_ERR_KEY_CHECKSUM
                             : err == SHROUD_ERR_KEY || err == SHROUD_ERR_KEY_CHECKSUM;
            if (!ok)
                fail_msg("'%c' at %zu: got %d (%s)", alphabet[a], i, err, shroud_strerror(err));
        }
        /* a character left out, or doubled */
        memcpy(typo, line, i);
        memcpy(typo + i, line + i + 1, len - i);
        int err = parse_recipient(typo, len - 1);
        assert_true(err == SHROUD_ERR_KEY || err == SHROUD_ERR_KEY_CHECKSUM);
        memcpy(typo, line, i + 1);
        memcpy(typo + i + 1, line + i, len - i + 1);
        err = parse_recipient(typo, len + 1);
        assert_true(err == SHROUD_ERR_KEY || err == SHROUD_ERR_KEY_CHECKSUM);
    }
    /* two neighbours swapped */
    for (size_t i = 9; i + 1 < len; i++) {
        if (line[i] == line[i + 1])
            continue;
        memcpy(typo, line, len + 1);
        typo[i] = line[i + 1];
        typo[i + 1] = line[i];
        assert_int_equal(parse_recipient(typo, len), SHROUD_ERR_KEY_CHECKSUM);
    }
    shroud_free(line);
}

static void test_public_key_case_rules(void **state)
{
    (void)state;
    size_t len = 0;
    char *line = public_text(native, &len);
    char *upper = strdup(line);
    assert_non_null(upper);
    for (size_t i = 0; i < len; i++)
        upper[i] = (char)toupper((unsigned char)upper[i]);
    shroud_recipient *r = NULL;
    assert_int_equal(shroud_recipient_parse(&r, upper, len), SHROUD_OK);
    size_t again_len = 0;
    char *again = format_recipient(r, &again_len);
    assert_string_equal(again, line); /* formatted back in lower case */
    shroud_free(again);
    shroud_recipient_free(r);
    /* one letter of the other case: in the hrp, the data, the checksum */
    const size_t at[] = {0, 20, len - 1};
    for (size_t k = 0; k < N_ITEMS(at); k++) {
        size_t i = at[k];
        while (!isalpha((unsigned char)line[i]))
            i = (i + 1) % len;
        char *mixed = strdup(line);
        assert_non_null(mixed);
        mixed[i] = (char)toupper((unsigned char)mixed[i]);
        expect_recipient_error(mixed, SHROUD_ERR_KEY);
        upper[i] = (char)tolower((unsigned char)upper[i]);
        expect_recipient_error(upper, SHROUD_ERR_KEY);
        upper[i] = (char)toupper((unsigned char)upper[i]);
        free(mixed);
    }
    free(upper);
    shroud_free(line);
}

static void test_rsa_recipient_formats_as_spki_pem(void **state)
{
    (void)state;
    size_t len = 0;
    char *pem = public_text(rsa, &len);
    assert_true(starts_with(pem, "-----BEGIN PUBLIC KEY-----\n"));
    assert_non_null(strstr(pem, "-----END PUBLIC KEY-----\n"));
    assert_int_equal(pem[len - 1], '\n');
    shroud_recipient *r = NULL;
    assert_int_equal(shroud_recipient_parse(&r, pem, len), SHROUD_OK);
    assert_int_equal(shroud_recipient_kind(r), SHROUD_KEY_RSA);
    size_t again_len = 0;
    char *again = format_recipient(r, &again_len);
    assert_string_equal(again, pem);
    /* the same text as OpenSSL's SubjectPublicKeyInfo */
    size_t ossl_len = 0;
    char *ossl = pem_of(rsa_pkey, EVP_PKEY_PUBLIC_KEY, "SubjectPublicKeyInfo", &ossl_len);
    assert_string_equal(ossl, pem);
    free(ossl);
    shroud_free(again);
    shroud_recipient_free(r);
    shroud_free(pem);
}

/* ---- wrong kinds, sizes and garbage ---- */

static void test_secret_key_given_as_recipient_is_wrong_kind(void **state)
{
    (void)state;
    char *file = NULL;
    size_t file_len = 0;
    assert_int_equal(shroud_identity_serialize(native, NULL, 0, 0, &file, &file_len), SHROUD_OK);
    const char *key = strstr(file, "SHROUD-SECRET-KEY-1");
    assert_non_null(key);
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(key, "\n"), key);
    size_t pkcs1_len = 0;
    char *pkcs1 = pem_of(rsa_pkey, EVP_PKEY_KEYPAIR, "type-specific", &pkcs1_len);
    const char *secrets[] = {line, file, rsa_pkcs8, pkcs1};
    for (size_t i = 0; i < N_ITEMS(secrets); i++)
        expect_recipient_error(secrets[i], SHROUD_ERR_KEY_KIND);
    for (size_t i = 0; line[i]; i++)
        line[i] = (char)tolower((unsigned char)line[i]);
    expect_recipient_error(line, SHROUD_ERR_KEY_KIND);
    free(pkcs1);
    shroud_free_secret(file, file_len);
}

static void test_public_key_given_as_identity_is_wrong_kind(void **state)
{
    (void)state;
    size_t len = 0;
    char *line = public_text(native, &len);
    char *pem = public_text(rsa, &len);
    size_t pkcs1_len = 0;
    char *pkcs1 = pem_of(rsa_pkey, EVP_PKEY_PUBLIC_KEY, "type-specific", &pkcs1_len);
    char upper[256];
    snprintf(upper, sizeof upper, "%s", line);
    for (size_t i = 0; upper[i]; i++)
        upper[i] = (char)toupper((unsigned char)upper[i]);
    const char *publics[] = {line, upper, pem, pkcs1};
    for (size_t i = 0; i < N_ITEMS(publics); i++)
        expect_identity_error(publics[i], strlen(publics[i]), SHROUD_ERR_KEY_KIND);
    free(pkcs1);
    shroud_free(pem);
    shroud_free(line);
}

static void test_rsa_keys_outside_2048_to_4096_bits_are_refused(void **state)
{
    (void)state;
    EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    assert_non_null(small);
    size_t len = 0;
    char *priv = pem_of(small, EVP_PKEY_KEYPAIR, "PrivateKeyInfo", &len);
    expect_identity_error(priv, len, SHROUD_ERR_KEY_SIZE);
    free(priv);
    char *pub = pem_of(small, EVP_PKEY_PUBLIC_KEY, "SubjectPublicKeyInfo", &len);
    expect_recipient_error(pub, SHROUD_ERR_KEY_SIZE);
    free(pub);
    EVP_PKEY_free(small);
    shroud_identity *id = NULL;
    static const unsigned bits[] = {0, 1024, SHROUD_RSA_MIN_BITS - 1, SHROUD_RSA_MAX_BITS + 1,
                                    8192};
    for (size_t i = 0; i < N_ITEMS(bits); i++)
        assert_int_equal(shroud_identity_generate_rsa(&id, bits[i]), SHROUD_ERR_KEY_SIZE);
    assert_null(id);
}

static void test_malformed_keys_are_rejected(void **state)
{
    (void)state;
    static const char *recipients[] = {
        "",
        "   \n",
        "shroudpk1",
        "shroudpk",
        "hello",
        "shroudpk1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
        "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    };
    for (size_t i = 0; i < N_ITEMS(recipients); i++)
        expect_recipient_error(recipients[i], SHROUD_ERR_KEY);
    static const char *identities[] = {
        "",
        "\n\n",
        "SHROUD-SECRET-KEY-1",
        "hello world",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    };
    for (size_t i = 0; i < N_ITEMS(identities); i++)
        expect_identity_error(identities[i], strlen(identities[i]), SHROUD_ERR_KEY);
    shroud_recipient *r = NULL;
    shroud_identity *id = NULL;
    assert_int_equal(shroud_recipient_parse(NULL, "x", 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_recipient_parse(&r, NULL, 1), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_identity_parse(NULL, "x", 1, NULL, NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_identity_parse(&id, NULL, 1, NULL, NULL), SHROUD_ERR_ARGUMENT);
}

/* Parsers read exactly len bytes: every prefix of real keys is given in a
 * buffer of exactly that size (AddressSanitizer catches reads past it). */
static void test_parsers_read_only_the_given_length(void **state)
{
    (void)state;
    char *file = NULL;
    size_t file_len = 0, line_len = 0;
    assert_int_equal(shroud_identity_serialize(native, NULL, 0, 0, &file, &file_len), SHROUD_OK);
    char *line = public_text(native, &line_len);
    const char *texts[] = {line, strstr(file, "SHROUD-SECRET-KEY-1"), "shroudpk1", "SHROUDPK1"};
    for (size_t t = 0; t < N_ITEMS(texts); t++) {
        size_t n = strlen(texts[t]);
        for (size_t len = 0; len <= n; len++) {
            char *exact = malloc(len ? len : 1);
            assert_non_null(exact);
            memcpy(exact, texts[t], len);
            shroud_identity *id = NULL;
            if (shroud_identity_parse(&id, exact, len, NULL, NULL) == SHROUD_OK)
                shroud_identity_free(id);
            parse_recipient(exact, len);
            free(exact);
        }
    }
    shroud_free(line);
    shroud_free_secret(file, file_len);
}

/* ---- key ids ---- */

static void sha256_prefix(const uint8_t *data, size_t len, uint8_t out[SHROUD_KEY_ID_BYTES])
{
    uint8_t md[32];
    unsigned int md_len = 0;
    assert_int_equal(EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL), 1);
    memcpy(out, md, SHROUD_KEY_ID_BYTES);
}

static void test_key_ids_follow_the_format(void **state)
{
    (void)state;
    /* native: SHA-256 of the 64 public bytes */
    size_t len = 0;
    char *line = public_text(native, &len);
    uint8_t raw[64], want[SHROUD_KEY_ID_BYTES], got[SHROUD_KEY_ID_BYTES];
    assert_int_equal(bech32_decode("shroudpk", line, len, raw, sizeof raw), SHROUD_OK);
    sha256_prefix(raw, sizeof raw, want);
    key_id_of(native, got);
    assert_memory_equal(got, want, sizeof got);
    shroud_free(line);
    /* RSA: SHA-256 of the DER SubjectPublicKeyInfo */
    unsigned char *der = NULL;
    int der_len = i2d_PUBKEY(rsa_pkey, &der);
    assert_true(der_len > 0);
    sha256_prefix(der, (size_t)der_len, want);
    OPENSSL_free(der);
    key_id_of(rsa, got);
    assert_memory_equal(got, want, sizeof got);
}

static void test_key_ids_are_stable_and_distinct(void **state)
{
    (void)state;
    shroud_identity *other = new_native_identity();
    const shroud_identity *ids[] = {native, rsa, other};
    uint8_t first[3][SHROUD_KEY_ID_BYTES], again[SHROUD_KEY_ID_BYTES];
    for (size_t i = 0; i < N_ITEMS(ids); i++) {
        key_id_of(ids[i], first[i]);
        key_id_of(ids[i], again);
        assert_memory_equal(first[i], again, sizeof again);
        /* through the formatted public key */
        size_t len = 0;
        char *text = public_text(ids[i], &len);
        shroud_recipient *r = NULL, *dup = NULL;
        assert_int_equal(shroud_recipient_parse(&r, text, len), SHROUD_OK);
        assert_int_equal(shroud_recipient_dup(r, &dup), SHROUD_OK);
        shroud_recipient_free(r); /* the copy stands on its own */
        key_id_of_recipient(dup, again);
        assert_memory_equal(first[i], again, sizeof again);
        shroud_recipient_free(dup);
        shroud_free(text);
    }
    for (size_t i = 0; i < N_ITEMS(ids); i++)
        for (size_t j = i + 1; j < N_ITEMS(ids); j++)
            assert_memory_not_equal(first[i], first[j], SHROUD_KEY_ID_BYTES);
    shroud_identity_free(other);
}

static void test_generated_identities_differ(void **state)
{
    (void)state;
    shroud_identity *a = new_native_identity(), *b = new_native_identity();
    size_t la, lb;
    char *ta = public_text(a, &la), *tb = public_text(b, &lb);
    assert_string_not_equal(ta, tb);
    assert_int_equal(shroud_identity_kind(a), SHROUD_KEY_NATIVE);
    assert_int_equal(shroud_identity_kind(NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_recipient_kind(NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_identity_generate(NULL), SHROUD_ERR_ARGUMENT);
    shroud_free(ta);
    shroud_free(tb);
    shroud_identity_free(a);
    shroud_identity_free(b);
    shroud_identity_free(NULL);
    shroud_recipient_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_identity_roundtrips_through_its_file),
        cmocka_unit_test(test_native_identity_file_tolerates_comments_blank_lines_and_crlf),
        cmocka_unit_test(test_protected_native_identity_roundtrips_with_its_passphrase),
        cmocka_unit_test(test_protected_identity_needs_the_right_passphrase),
        cmocka_unit_test(test_armored_envelope_to_a_key_is_not_an_identity),
        cmocka_unit_test(test_rsa_identity_roundtrips_as_pkcs8),
        cmocka_unit_test(test_protected_rsa_identity_roundtrips_with_its_passphrase),
        cmocka_unit_test(test_pkcs1_rsa_keys_are_accepted),
        cmocka_unit_test(test_serialize_refuses_bad_passphrase_arguments),
        cmocka_unit_test(test_public_key_line_roundtrips),
        cmocka_unit_test(test_public_key_typo_is_caught),
        cmocka_unit_test(test_public_key_case_rules),
        cmocka_unit_test(test_rsa_recipient_formats_as_spki_pem),
        cmocka_unit_test(test_secret_key_given_as_recipient_is_wrong_kind),
        cmocka_unit_test(test_public_key_given_as_identity_is_wrong_kind),
        cmocka_unit_test(test_rsa_keys_outside_2048_to_4096_bits_are_refused),
        cmocka_unit_test(test_malformed_keys_are_rejected),
        cmocka_unit_test(test_parsers_read_only_the_given_length),
        cmocka_unit_test(test_key_ids_follow_the_format),
        cmocka_unit_test(test_key_ids_are_stable_and_distinct),
        cmocka_unit_test(test_generated_identities_differ),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
