/*
 * gen_envelope_vectors — writes tests/vectors/envelope/: two identities, the
 * envelopes listed in envelope_vectors.h, and README.md with every file's
 * SHA-256. Run by hand (never by ctest), and only when the format changes on
 * purpose: every run makes new keys and new envelopes.
 *
 *   build-unit/tests/crypto/gen_envelope_vectors [directory]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "envelope_vectors.h"
#include "shroud.h"

static void check(int err, const char *what)
{
    if (err != SHROUD_OK) {
        fprintf(stderr, "gen_envelope_vectors: %s: %s\n", what, shroud_strerror(err));
        exit(1);
    }
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "gen_envelope_vectors: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void sha256_hex(const void *data, size_t len, char hex[65])
{
    uint8_t md[32];
    unsigned int md_len = 0;
    if (EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) != 1)
        check(SHROUD_ERR_CRYPTO, "SHA-256");
    for (size_t i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The README is built as the files are written. */
static char readme_rows[8192];

static void add_row(const char *name, const char *about, const void *data, size_t len)
{
    char hex[65], row[512];
    sha256_hex(data, len, hex);
    snprintf(row, sizeof row, "| `%s` | %s | `%s` |\n", name, about, hex);
    strncat(readme_rows, row, sizeof readme_rows - strlen(readme_rows) - 1);
}

static int write_sink(void *ctx, const uint8_t *buf, size_t len)
{
    FILE *f = ctx;
    return fwrite(buf, 1, len, f) == len ? 0 : -1;
}

/* Seals one vector into memory; free *out with free(). */
static void seal_vector(const vec_envelope *v, const shroud_recipient *native,
                        const shroud_recipient *rsa, char **out, size_t *out_len)
{
    FILE *mem = open_memstream(out, out_len);
    if (!mem)
        check(SHROUD_ERR_NOMEM, "open_memstream");
    shroud_sealer *s = NULL;
    check(shroud_sealer_new(&s, v->flags, write_sink, mem), "sealer");
    if (v->keys & VEC_NATIVE)
        check(shroud_sealer_add_recipient(s, native), "native recipient");
    if (v->keys & VEC_RSA)
        check(shroud_sealer_add_recipient(s, rsa), "RSA recipient");
    if (v->keys & VEC_SCRYPT)
        check(shroud_sealer_add_passphrase(s, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE),
                                           VEC_SCRYPT_LOG_N),
              "scrypt");
    if (v->keys & VEC_PBKDF2)
        check(shroud_sealer_add_passphrase_pbkdf2(s, VEC_PASSPHRASE, strlen(VEC_PASSPHRASE),
                                                  VEC_PBKDF2_ITERATIONS),
              "PBKDF2");
    size_t len = 0;
    uint8_t *pt = vec_plaintext(v->plain, &len);
    if (!pt)
        check(SHROUD_ERR_NOMEM, "plaintext");
    check(shroud_sealer_write(s, pt, len), v->file);
    check(shroud_sealer_finish(s), v->file);
    shroud_sealer_free(s);
    free(pt);
    if (fclose(mem) != 0)
        check(SHROUD_ERR_NOMEM, "open_memstream");
}

static shroud_identity *write_identity(const char *dir, const char *name, const char *about,
                                       unsigned rsa_bits)
{
    shroud_identity *id = NULL;
    check(rsa_bits ? shroud_identity_generate_rsa(&id, rsa_bits) : shroud_identity_generate(&id),
          name);
    char *text = NULL;
    size_t len = 0;
    check(shroud_identity_serialize(id, NULL, 0, 0, &text, &len), name);
    write_file(dir, name, text, len);
    add_row(name, about, text, len);
    shroud_free_secret(text, len);
    return id;
}

static const char README_HEAD[] =
    "# Envelope test vectors\n"
    "\n"
    "Envelopes made by this implementation, with the keys that open them, so that any change to\n"
    "the envelope format (docs/FORMAT.md) breaks the build: `test_envelope_vectors`\n"
    "(`tests/crypto/test_envelope_vectors.c`) opens every envelope below through the public API "
    "and\n"
    "checks the plaintext exactly, checks the byte layout the format documents, decrypts each one "
    "a\n"
    "second time with OpenSSL alone following docs/FORMAT.md, and checks every SHA-256 listed "
    "here.\n"
    "\n"
    "Generated once by `tests/crypto/gen_envelope_vectors.c` (built with the tests, never run by\n"
    "ctest). Regenerate only when the format changes on purpose: each run makes new keys and new\n"
    "envelopes, and rewrites this file.\n"
    "\n"
    "The keys are test keys, published here: never use them for anything else.\n"
    "\n"
    "## Plaintexts\n"
    "\n"
    "- *short text*: the 28 bytes `shroud envelope test vector` followed by a line feed (0x0a).\n"
    "- *40000-byte pattern*: byte *i* is *i* mod 251 (*i* = 0..39999); sealed, it is two full\n"
    "  chunks of 16384 bytes and a final one of 7232.\n"
    "- *empty message*: zero bytes, sealed as one empty final chunk.\n"
    "\n"
    "The passphrase is `correct horse battery staple` (28 bytes, no newline).\n"
    "\n"
    "## Files\n"
    "\n"
    "| File | Contents | SHA-256 |\n"
    "|---|---|---|\n";

static const char README_TAIL[] =
    "\n"
    "## Layout\n"
    "\n"
    "Each binary envelope is `\"SHROUD\" 00 01`, the stanza count, the stanzas (type, u16be "
    "length,\n"
    "body: X25519 0x01 with 80 bytes, RSA-OAEP 0x02 with 256 bytes for this 2048-bit key, scrypt\n"
    "0x03 with 65 bytes whose byte 16 is log2 N = 10, PBKDF2 0x04 with 68 bytes whose bytes "
    "16..19\n"
    "are 600000 big-endian), the 32-byte header MAC, then the payload: 24-byte salt, 32-byte\n"
    "commitment, chunks of 16384 + 16 bytes and a final chunk of 16..16399 bytes. The headerless\n"
    "file is the same without the first 8 bytes; the `.asc` files are the binary envelope in\n"
    "`SHROUD MESSAGE` armor.\n";

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : SHROUD_ENVELOPE_VECTORS;
    shroud_identity *native =
        write_identity(dir, VEC_NATIVE_KEY_FILE, "native identity (X25519 + Ed25519)", 0);
    shroud_identity *rsa =
        write_identity(dir, VEC_RSA_KEY_FILE, "RSA-2048 identity, PKCS#8 PEM", VEC_RSA_BITS);
    shroud_recipient *native_r = NULL, *rsa_r = NULL;
    check(shroud_identity_recipient(native, &native_r), "native recipient");
    check(shroud_identity_recipient(rsa, &rsa_r), "RSA recipient");
    for (size_t i = 0; i < VEC_N_ENVELOPES; i++) {
        char *env = NULL;
        size_t len = 0;
        seal_vector(&VEC_ENVELOPES[i], native_r, rsa_r, &env, &len);
        write_file(dir, VEC_ENVELOPES[i].file, env, len);
        add_row(VEC_ENVELOPES[i].file, VEC_ENVELOPES[i].about, env, len);
        free(env);
    }
    char readme[sizeof README_HEAD + sizeof readme_rows + sizeof README_TAIL];
    snprintf(readme, sizeof readme, "%s%s%s", README_HEAD, readme_rows, README_TAIL);
    write_file(dir, "README.md", readme, strlen(readme));
    shroud_recipient_free(native_r);
    shroud_recipient_free(rsa_r);
    shroud_identity_free(native);
    shroud_identity_free(rsa);
    printf("wrote %zu envelopes, 2 identities and README.md to %s\n", VEC_N_ENVELOPES, dir);
    return 0;
}
