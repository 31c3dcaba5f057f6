/* tls_identity.c — a self-signed ECDSA P-256 certificate, made once and kept. */
#include "server/tls_identity.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TLS_FILE_MAX (64u * 1024u)

static int failf(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the explanation into err; returns -1. */
static int failf(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return -1;
}

/* Reads a small file whole, NUL-terminated; NULL with errno set on failure. */
static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(TLS_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, TLS_FILE_MAX + 1, f) : 0;
    int bad = !buf || ferror(f) || n > TLS_FILE_MAX;
    fclose(f);
    if (bad) {
        free(buf);
        errno = buf ? EFBIG : ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Writes text to path atomically (temporary file, fsync, rename) with mode. */
static int write_text(const char *path, const char *text, size_t len, mode_t mode)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return errno;
    int e = 0;
    if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0)
        e = errno ? errno : EIO;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e)
        unlink(tmp);
    return e;
}

static char *bio_string(BIO *bio, size_t *len)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *out = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!out)
        return NULL;
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    if (len)
        *len = (size_t)n;
    return out;
}

static int add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = ext && X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* A new P-256 key and a self-signed certificate for it, as PEM. */
static int make_pair(tls_identity *id)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
    ASN1_INTEGER *serial = ASN1_INTEGER_new();
    BIGNUM *bn = BN_new();
    int ok = key && cert && cb && kb && serial && bn && BN_rand(bn, 127, BN_RAND_TOP_ANY, 0) &&
             BN_to_ASN1_INTEGER(bn, serial) && X509_set_version(cert, 2) &&
             X509_set_serialNumber(cert, serial) && X509_gmtime_adj(X509_getm_notBefore(cert), 0) &&
             X509_gmtime_adj(X509_getm_notAfter(cert), (long)TLS_CERT_DAYS * 24 * 3600) &&
             X509_set_pubkey(cert, key);
    X509_NAME *name = ok ? X509_get_subject_name(cert) : NULL;
    ok = ok && name &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"shroud", -1,
                                    -1, 0) &&
         X509_set_issuer_name(cert, name) &&
         add_ext(cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") &&
         add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") &&
         add_ext(cert, NID_key_usage, "critical,digitalSignature") &&
         add_ext(cert, NID_ext_key_usage, "serverAuth") && X509_sign(cert, key, EVP_sha256()) &&
         PEM_write_bio_X509(cb, cert) &&
         PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL);
    if (ok) {
        id->cert_pem = bio_string(cb, NULL);
        id->key_pem = bio_string(kb, &id->key_len);
        ok = id->cert_pem && id->key_pem;
    }
    BN_free(bn);
    ASN1_INTEGER_free(serial);
    BIO_free_all(cb);
    BIO_free_all(kb);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

/* Fills the pin and the fingerprint from cert_pem; checks key_pem matches. */
static int describe(tls_identity *id, char *err, size_t err_len)
{
    BIO *cb = BIO_new_mem_buf(id->cert_pem, -1), *kb = BIO_new_mem_buf(id->key_pem, -1);
    X509 *cert = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
    unsigned char *spki = NULL, md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    int rc = -1;
    if (!cert)
        failf(err, err_len, "the certificate is not a PEM X.509 certificate");
    else if (!key)
        failf(err, err_len, "the key is not a PEM private key (unencrypted)");
    else if (X509_check_private_key(cert, key) != 1)
        failf(err, err_len, "the key does not belong to the certificate");
    else {
        int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &spki);
        unsigned char b64[64];
        if (n > 0 && EVP_Digest(spki, (size_t)n, md, &md_len, EVP_sha256(), NULL) &&
            EVP_EncodeBlock(b64, md, (int)md_len) == 44 &&
            X509_digest(cert, EVP_sha256(), md, &md_len) && md_len == 32) {
            snprintf(id->pin, sizeof id->pin, "sha256//%s", (const char *)b64);
            for (unsigned i = 0; i < md_len; i++)
                snprintf(id->fingerprint + 3 * i, 4, i + 1 < md_len ? "%02X:" : "%02X", md[i]);
            rc = 0;
        } else {
            failf(err, err_len, "cannot hash the certificate");
        }
    }
    OPENSSL_free(spki);
    EVP_PKEY_free(key);
    X509_free(cert);
    BIO_free(cb);
    BIO_free(kb);
    return rc;
}

static int load_files(tls_identity *id, const char *cert_path, const char *key_path, char *err,
                      size_t err_len)
{
    size_t n;
    if (!(id->cert_pem = read_text(cert_path, &n)))
        return failf(err, err_len, "cannot read %s: %s", cert_path, strerror(errno));
    if (!(id->key_pem = read_text(key_path, &id->key_len)))
        return failf(err, err_len, "cannot read %s: %s", key_path, strerror(errno));
    return 0;
}

static int load(tls_identity *id, const char *data_dir, const char *cert_path, const char *key_path,
                char *err, size_t err_len)
{
    if (cert_path || key_path) {
        if (!cert_path || !key_path)
            return failf(err, err_len, "give both --tls-cert and --tls-key");
        if (load_files(id, cert_path, key_path, err, err_len) || describe(id, err, err_len))
            return -1;
        return 0;
    }
    char dir[4096], cpath[4200], kpath[4200];
    if (snprintf(dir, sizeof dir, "%s/tls", data_dir) >= (int)sizeof dir)
        return failf(err, err_len, "data directory path too long: %s", data_dir);
    snprintf(cpath, sizeof cpath, "%s/cert.pem", dir);
    snprintf(kpath, sizeof kpath, "%s/key.pem", dir);
    if (access(cpath, F_OK) == 0 || access(kpath, F_OK) == 0)
        return load_files(id, cpath, kpath, err, err_len) || describe(id, err, err_len) ? -1 : 0;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return failf(err, err_len, "cannot create %s: %s", dir, strerror(errno));
    if (make_pair(id) != 0)
        return failf(err, err_len, "cannot make a TLS certificate (OpenSSL failed)");
    int e = write_text(kpath, id->key_pem, id->key_len, 0600);
    if (!e)
        e = write_text(cpath, id->cert_pem, strlen(id->cert_pem), 0644);
    if (e)
        return failf(err, err_len, "cannot write the TLS files in %s: %s", dir, strerror(e));
    id->created = 1;
    return describe(id, err, err_len);
}

int tls_identity_load(tls_identity *id, const char *data_dir, const char *cert_path,
                      const char *key_path, char *err, size_t err_len)
{
    memset(id, 0, sizeof *id);
    int rc = load(id, data_dir, cert_path, key_path, err, err_len);
    if (rc)
        tls_identity_free(id);
    return rc;
}

void tls_identity_free(tls_identity *id)
{
    if (!id)
        return;
    free(id->cert_pem);
    if (id->key_pem) {
        OPENSSL_cleanse(id->key_pem, id->key_len);
        free(id->key_pem);
    }
    memset(id, 0, sizeof *id);
}
