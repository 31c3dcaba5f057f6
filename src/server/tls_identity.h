/*
 * tls_identity.h — the server's TLS certificate and key (server layer).
 *
 * Either given as PEM files, or made on first start in the data directory:
 * an ECDSA P-256 key (tls/key.pem, mode 0600) and a self-signed X.509 v3
 * certificate (tls/cert.pem) for localhost and 127.0.0.1, kept and reused
 * on later starts so clients' pins stay valid. The pin is curl's
 * --pinnedpubkey syntax: "sha256//" + base64(SHA-256(SubjectPublicKeyInfo)).
 */
#ifndef SHROUD_SERVER_TLS_IDENTITY_H
#define SHROUD_SERVER_TLS_IDENTITY_H

#include <stddef.h>

#define TLS_PIN_MAX 80         /* "sha256//" + 44 base64 characters + NUL, with room */
#define TLS_FINGERPRINT_MAX 96 /* 32 bytes as XX:XX:...: 95 characters + NUL */
#define TLS_CERT_DAYS 825

typedef struct {
    char *cert_pem; /* NUL-terminated */
    char *key_pem;  /* NUL-terminated; secret: wiped by tls_identity_free */
    size_t key_len;
    char pin[TLS_PIN_MAX];
    char fingerprint[TLS_FINGERPRINT_MAX]; /* SHA-256 of the certificate (DER) */
    int created;                           /* made on this start */
} tls_identity;

/* Loads cert_path and key_path (both given) or, when both are NULL, the pair
 * in data_dir/tls/, making it first if absent. On failure returns -1, holds
 * nothing (no tls_identity_free needed) and writes one line of explanation
 * into err. */
int tls_identity_load(tls_identity *id, const char *data_dir, const char *cert_path,
                      const char *key_path, char *err, size_t err_len);
void tls_identity_free(tls_identity *id);

#endif
