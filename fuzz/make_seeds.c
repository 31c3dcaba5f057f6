/*
 * make_seeds.c — writes the seed corpora of the fuzz harnesses, using the
 * library itself (public API, plus the internal header encoder for the one
 * crafted envelope). Run once through fuzz/make_seeds.sh; the outputs are
 * committed under fuzz/corpus/<harness>/. Envelopes use fresh randomness, so
 * each run writes different (equally good) bytes.
 *
 *   make_seeds CORPUS_DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/encoder.h>

#include "crypto/armor.h"
#include "crypto/chunked.h"
#include "crypto/envelope.h"
#include "crypto/keys.h"
#include "crypto/primitives.h"
#include "fuzz_fixed_keys.h"
#include "shroud.h"

static const char *corpus;

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        int err_ = (expr);                                                                         \
        if (err_ != SHROUD_OK) {                                                                   \
            fprintf(stderr, "make_seeds: %s:%d: %s: %s\n", __FILE__, __LINE__, #expr,              \
                    shroud_strerror(err_));                                                        \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static void die(const char *what)
{
    fprintf(stderr, "make_seeds: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die(path);
}

/* Writes prefix (may be empty) then body to CORPUS/harness/name. */
static void seed2(const char *harness, const char *name, const void *prefix, size_t prefix_len,
                  const void *body, size_t body_len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", corpus, harness);
    make_dir(path);
    snprintf(path, sizeof path, "%s/%s/%s", corpus, harness, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        die(path);
    if ((prefix_len && fwrite(prefix, 1, prefix_len, f) != prefix_len) ||
        (body_len && fwrite(body, 1, body_len, f) != body_len) || fclose(f) != 0)
        die(path);
}

static void seed(const char *harness, const char *name, const void *body, size_t len)
{
    seed2(harness, name, NULL, 0, body, len);
}

/* Deterministic filler plaintext. */
static uint8_t *plaintext(size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    if (!p)
        die("malloc");
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i * 131 + (i >> 8));
    return p;
}

/* ---- keys ---- */

static shroud_identity *native_id, *rsa_id, *other_id;
static shroud_recipient *native_pub, *rsa_pub, *other_pub;

static void load_keys(void)
{
    static const char native[] = FUZZ_NATIVE_IDENTITY, rsa[] = FUZZ_RSA_IDENTITY;
    CHECK(shroud_identity_parse(&native_id, native, sizeof native - 1, NULL, NULL));
    CHECK(shroud_identity_parse(&rsa_id, rsa, sizeof rsa - 1, NULL, NULL));
    CHECK(shroud_identity_generate(&other_id));
    CHECK(shroud_identity_recipient(native_id, &native_pub));
    CHECK(shroud_identity_recipient(rsa_id, &rsa_pub));
    CHECK(shroud_identity_recipient(other_id, &other_pub));
}

/* ---- envelopes ---- */

typedef struct {
    uint8_t *data;
    size_t len, cap;
} buffer;

static int buffer_write(void *ctx, const uint8_t *buf, size_t len)
{
    buffer *b = ctx;
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data)
            return -1;
    }
    memcpy(b->data + b->len, buf, len);
    b->len += len;
    return 0;
}

enum pass_kind { PASS_NONE, PASS_SCRYPT, PASS_PBKDF2 };

/* Seals len filler bytes to the recipients (or a passphrase). */
static buffer seal(const shroud_recipient *const *rs, size_t n, enum pass_kind pass, int cost,
                   unsigned flags, size_t len)
{
    buffer b = {0};
    shroud_sealer *s = NULL;
    CHECK(shroud_sealer_new(&s, flags, buffer_write, &b));
    for (size_t i = 0; i < n; i++)
        CHECK(shroud_sealer_add_recipient(s, rs[i]));
    static const char pw[] = FUZZ_PASSPHRASE;
    if (pass == PASS_SCRYPT)
        CHECK(shroud_sealer_add_passphrase(s, pw, sizeof pw - 1, cost));
    if (pass == PASS_PBKDF2)
        CHECK(shroud_sealer_add_passphrase_pbkdf2(s, pw, sizeof pw - 1, 0));
    uint8_t *p = plaintext(len);
    CHECK(shroud_sealer_write(s, p, len));
    CHECK(shroud_sealer_finish(s));
    shroud_sealer_free(s);
    free(p);
    return b;
}

/* Checks that env opens to the filler plaintext (when it should). */
static void check_opens(const buffer *env, unsigned flags, size_t len, int with_pass);

static int give_passphrase(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    (void)ctx;
    (void)purpose;
    static const char pw[] = FUZZ_PASSPHRASE;
    if (cap < sizeof pw - 1)
        return -1;
    memcpy(buf, pw, sizeof pw - 1);
    *len = sizeof pw - 1;
    return 0;
}

static void check_opens(const buffer *env, unsigned flags, size_t len, int with_pass)
{
    const shroud_identity *ids[] = {rsa_id, native_id};
    uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK(shroud_open(ids, 2, with_pass ? give_passphrase : NULL, NULL,
                      flags & SHROUD_FLAG_HEADERLESS, env->data, env->len, &out, &out_len));
    uint8_t *p = plaintext(len);
    if (out_len != len || memcmp(out, p, len) != 0) {
        fprintf(stderr, "make_seeds: a seed does not open to its plaintext\n");
        exit(1);
    }
    free(p);
    shroud_free_secret(out, out_len);
}

/* One fuzz_envelope_open seed: control byte, cut points, stream. */
static void open_seed(const char *name, unsigned ctl, const uint16_t *cuts, const buffer *env)
{
    uint8_t prefix[1 + 2 * 7];
    size_t n = ctl & 7u, pos = 0;
    prefix[pos++] = (uint8_t)ctl;
    for (size_t i = 0; i < n; i++) {
        prefix[pos++] = (uint8_t)(cuts[i] >> 8);
        prefix[pos++] = (uint8_t)cuts[i];
    }
    seed2("fuzz_envelope_open", name, prefix, pos, env->data, env->len);
}

/* The header of a binary envelope (magic removed) as a fuzz_envelope_header seed. */
static void header_seed(const char *name, const buffer *env, unsigned flags)
{
    size_t skip = (flags & SHROUD_FLAG_HEADERLESS) ? 0 : ENVELOPE_MAGIC_BYTES;
    envelope_header h;
    size_t needed = 0;
    CHECK(envelope_header_parse(env->data + skip, env->len - skip, &h, &needed));
    seed("fuzz_envelope_header", name, env->data + skip, h.size);
}

/* An envelope with an unknown stanza type before the native one: built by
 * hand with the internal encoder, as a newer sealer might write it. */
static buffer crafted_unknown_stanza(size_t len)
{
    uint8_t file_key[SHROUD_FILE_KEY_BYTES], payload_key[32];
    CHECK(prim_random(file_key, sizeof file_key));
    static stanza st[2];
    st[0].type = 0x7f;
    st[0].len = 11;
    memcpy(st[0].body, "future-kind", 11);
    CHECK(stanza_wrap_recipient(native_pub, file_key, &st[1]));
    uint8_t *hdr = NULL;
    size_t hdr_len = 0;
    CHECK(envelope_header_encode(st, 2, file_key, &hdr, &hdr_len));
    buffer b = {0};
    buffer_write(&b, (const uint8_t *)ENVELOPE_MAGIC, ENVELOPE_MAGIC_BYTES);
    buffer_write(&b, hdr, hdr_len);
    CHECK(envelope_payload_key(file_key, payload_key));
    chunked_writer *w = NULL;
    CHECK(chunked_writer_new(&w, payload_key, sizeof payload_key,
                             hdr + hdr_len - ENVELOPE_MAC_BYTES, ENVELOPE_MAC_BYTES, NULL,
                             buffer_write, &b));
    uint8_t *p = plaintext(len);
    CHECK(chunked_writer_write(w, p, len));
    CHECK(chunked_writer_finish(w));
    chunked_writer_free(w);
    free(p);
    free(hdr);
    return b;
}

static void envelope_seeds(void)
{
    const shroud_recipient *native[] = {native_pub};
    const shroud_recipient *rsa[] = {rsa_pub};
    const shroud_recipient *multi[] = {rsa_pub, other_pub, native_pub};
    const shroud_recipient *other[] = {other_pub};
    static const uint16_t cuts3[] = {5, 100, 8000}, cut1[] = {30},
                          cuts7[] = {1, 8, 9, 12, 90, 91, 16000};

    buffer e = seal(native, 1, PASS_NONE, 0, 0, 5);
    check_opens(&e, 0, 5, 0);
    open_seed("native_small.bin", 0x00, NULL, &e);
    header_seed("native.bin", &e, 0);
    free(e.data);

    e = seal(native, 1, PASS_NONE, 0, 0, 0);
    check_opens(&e, 0, 0, 0);
    open_seed("native_empty.bin", 0x00, NULL, &e);
    free(e.data);

    e = seal(native, 1, PASS_NONE, 0, 0, 16384); /* one full chunk, then an empty final one */
    check_opens(&e, 0, 16384, 0);
    open_seed("native_16384_cut3.bin", 0x03, cuts3, &e);
    free(e.data);

    e = seal(native, 1, PASS_NONE, 0, 0, 20000); /* a full chunk and a short final one */
    check_opens(&e, 0, 20000, 0);
    open_seed("native_20000_cut7.bin", 0x07, cuts7, &e);
    free(e.data);

    e = seal(native, 1, PASS_NONE, 0, 0, 5000);
    open_seed("native_5000_cancel.bin", 0x10, NULL, &e);
    free(e.data);

    e = seal(native, 1, PASS_NONE, 0, SHROUD_FLAG_ARMOR, 300);
    check_opens(&e, 0, 300, 0);
    open_seed("native_armored_cut1.txt", 0x01, cut1, &e);
    seed2("fuzz_armor", "message.txt", "\x00", 1, e.data, e.len);
    free(e.data);

    e = seal(native, 1, PASS_NONE, 0, SHROUD_FLAG_HEADERLESS, 100);
    check_opens(&e, SHROUD_FLAG_HEADERLESS, 100, 0);
    open_seed("native_headerless.bin", 0x08, NULL, &e);
    header_seed("headerless.bin", &e, SHROUD_FLAG_HEADERLESS);
    free(e.data);

    e = seal(multi, 3, PASS_NONE, 0, 0, 200);
    check_opens(&e, 0, 200, 0);
    open_seed("multi_rsa_other_native.bin", 0x20, NULL, &e);
    open_seed("multi_native_only.bin", 0x00, NULL, &e);
    header_seed("multi.bin", &e, 0);
    free(e.data);

    e = seal(rsa, 1, PASS_NONE, 0, 0, 50);
    check_opens(&e, 0, 50, 0);
    open_seed("rsa.bin", 0x21, cut1, &e);
    header_seed("rsa.bin", &e, 0);
    free(e.data);

    e = seal(other, 1, PASS_NONE, 0, 0, 50);
    open_seed("other_key.bin", 0x00, NULL, &e);
    free(e.data);

    e = seal(NULL, 0, PASS_SCRYPT, SHROUD_SCRYPT_MIN_LOG_N, 0, 1000);
    check_opens(&e, 0, 1000, 1);
    open_seed("scrypt10.bin", 0x00, NULL, &e); /* the harness gives the passphrase */
    header_seed("scrypt.bin", &e, 0);
    free(e.data);

    e = seal(NULL, 0, PASS_SCRYPT, SHROUD_SCRYPT_MIN_LOG_N, SHROUD_FLAG_ARMOR, 100);
    check_opens(&e, 0, 100, 1);
    open_seed("scrypt10_armored_cut1.txt", 0x01, cut1, &e);
    free(e.data);

    e = seal(NULL, 0, PASS_SCRYPT, 16, 0, 100);
    open_seed("scrypt16_refused.bin", 0x00, NULL, &e); /* too slow: the harness refuses */
    free(e.data);

    e = seal(NULL, 0, PASS_PBKDF2, 0, 0, 100);
    open_seed("pbkdf2_refused.bin", 0x00, NULL, &e);
    header_seed("pbkdf2.bin", &e, 0);
    free(e.data);

    e = crafted_unknown_stanza(700);
    check_opens(&e, 0, 700, 0);
    open_seed("unknown_stanza_then_native.bin", 0x00, NULL, &e);
    header_seed("unknown_stanza.bin", &e, 0);
    /* A header cut short inside its second stanza. */
    seed("fuzz_envelope_header", "truncated.bin", e.data + ENVELOPE_MAGIC_BYTES, 40);
    free(e.data);
}

/* ---- armor ---- */

static void armor_seeds(void)
{
    static const char crlf[] =
        "\r\n  \n-----BEGIN SHROUD MESSAGE-----\r\n"
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\r\n"
        "MDEyMw==\r\n-----END SHROUD MESSAGE-----\r\n\r\n";
    seed2("fuzz_armor", "crlf_space.txt", "\x02", 1, crlf, sizeof crlf - 1);
    static const char trailing[] = "-----BEGIN SHROUD MESSAGE-----\nAAEC\n"
                                   "-----END SHROUD MESSAGE-----\ntrailing text\n";
    seed2("fuzz_armor", "trailing.txt", "\x04", 1, trailing, sizeof trailing - 1);
    static const char empty[] = "-----BEGIN SHROUD MESSAGE-----\n-----END SHROUD MESSAGE-----\n";
    seed2("fuzz_armor", "empty_body.txt", "\x06", 1, empty, sizeof empty - 1);
    uint8_t *p = plaintext(100);
    seed2("fuzz_armor", "roundtrip_100.bin", "\x01", 1, p, 100);
    seed2("fuzz_armor", "roundtrip_48_signature.bin", "\x03", 1, p, 48);
    seed2("fuzz_armor", "roundtrip_1.bin", "\x05", 1, p, 1);
    free(p);
}

/* ---- keys ---- */

/* PEM of an RSA key in a given structure ("type-specific": PKCS#1). */
static void rsa_pem_seed(const char *name, int selection, const char *structure)
{
    OSSL_ENCODER_CTX *ctx =
        OSSL_ENCODER_CTX_new_for_pkey(rsa_id->pub.rsa, selection, "PEM", structure, NULL);
    unsigned char *data = NULL;
    size_t len = 0;
    if (!ctx || OSSL_ENCODER_to_data(ctx, &data, &len) != 1) {
        fprintf(stderr, "make_seeds: cannot encode %s\n", name);
        exit(1);
    }
    seed("fuzz_keys", name, data, len);
    OPENSSL_free(data);
    OSSL_ENCODER_CTX_free(ctx);
}

static void key_seeds(void)
{
    static const char native[] = FUZZ_NATIVE_IDENTITY, pub[] = FUZZ_NATIVE_RECIPIENT;
    static const char rsa[] = FUZZ_RSA_IDENTITY, rsa_spki[] = FUZZ_RSA_RECIPIENT;
    seed("fuzz_keys", "native_identity.txt", native, sizeof native - 1);
    seed("fuzz_keys", "native_public.txt", pub, sizeof pub - 1);
    char upper[sizeof pub];
    for (size_t i = 0; i < sizeof pub; i++)
        upper[i] = (char)(pub[i] >= 'a' && pub[i] <= 'z' ? pub[i] - 32 : pub[i]);
    seed("fuzz_keys", "native_public_upper.txt", upper, sizeof pub - 1);
    seed("fuzz_keys", "rsa_pkcs8.pem", rsa, sizeof rsa - 1);
    seed("fuzz_keys", "rsa_spki.pem", rsa_spki, sizeof rsa_spki - 1);
    rsa_pem_seed("rsa_pkcs1_public.pem", OSSL_KEYMGMT_SELECT_PUBLIC_KEY, "type-specific");
    rsa_pem_seed("rsa_pkcs1_private.pem", OSSL_KEYMGMT_SELECT_KEYPAIR, "type-specific");

    char *text = NULL;
    size_t len = 0;
    static const char pw[] = FUZZ_PASSPHRASE;
    CHECK(shroud_identity_serialize(native_id, pw, sizeof pw - 1, SHROUD_SCRYPT_MIN_LOG_N, &text,
                                    &len));
    seed("fuzz_keys", "native_identity_protected.txt", text, len);
    shroud_free_secret(text, len);
    CHECK(shroud_identity_serialize(rsa_id, pw, sizeof pw - 1, 0, &text, &len));
    seed("fuzz_keys", "rsa_pkcs8_encrypted.pem", text, len);
    shroud_free_secret(text, len);
}

/* ---- signatures ---- */

static void sign_seed(const char *name, const shroud_identity *id, const char *msg)
{
    shroud_signer *s = NULL;
    char *sig = NULL;
    size_t len = 0;
    CHECK(shroud_signer_new(&s, id));
    CHECK(shroud_signer_update(s, (const uint8_t *)msg, strlen(msg)));
    CHECK(shroud_signer_finish(s, &sig, &len));
    shroud_signer_free(s);
    seed("fuzz_signature", name, sig, len);
    shroud_free(sig);
}

static void signature_seeds(void)
{
    sign_seed("native.txt", native_id, FUZZ_SIGNED_MESSAGE);
    sign_seed("rsa.txt", rsa_id, FUZZ_SIGNED_MESSAGE);
    sign_seed("native_other_message.txt", native_id, "another message");
    sign_seed("other_signer.txt", other_id, FUZZ_SIGNED_MESSAGE);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds CORPUS_DIR\n");
        return 2;
    }
    corpus = argv[1];
    make_dir(corpus);
    load_keys();
    envelope_seeds();
    armor_seeds();
    key_seeds();
    signature_seeds();
    shroud_identity_free(native_id);
    shroud_identity_free(rsa_id);
    shroud_identity_free(other_id);
    shroud_recipient_free(native_pub);
    shroud_recipient_free(rsa_pub);
    shroud_recipient_free(other_pub);
    return 0;
}
