/* remote_http.c — shroud remote's requests with libcurl: HTTPS checked by
 * the pinned key alone (the server's certificate is self-signed, so there is
 * no CA to ask), the bearer token, answers gathered or streamed, and one
 * clear line for every way a request can fail. */
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/remote.h"

#define CONNECT_TIMEOUT_SECONDS 15L
#define STALL_TIMEOUT_SECONDS 60L /* a transfer slower than 1 byte/s for this long fails */

typedef struct {
    CURL *curl;
    const remote_request *rq;
    remote_response *rs;
    int sink_failed;
    int too_large;
} transfer;

/* Answers of 2xx go to the request's sink when it has one; everything else
 * is kept in the response, up to REMOTE_JSON_MAX bytes. */
static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    transfer *t = ctx;
    size_t len = size * n;
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    if (t->rq->sink && status >= 200 && status < 300) {
        if (t->rq->sink(t->rq->sink_ctx, (const uint8_t *)data, len) != 0) {
            t->sink_failed = 1;
            return 0;
        }
        return len;
    }
    remote_response *rs = t->rs;
    if (len > REMOTE_JSON_MAX - rs->len) {
        t->too_large = 1;
        return 0;
    }
    if (rs->len + len + 1 > rs->cap) { /* doubling: linear time for long answers */
        size_t cap = rs->cap ? rs->cap : 4096;
        while (cap < rs->len + len + 1)
            cap *= 2;
        char *grown = malloc(cap);
        if (!grown)
            return 0;
        if (rs->body) {
            memcpy(grown, rs->body, rs->len);
            shroud_free_secret(rs->body, rs->cap); /* a login answer holds the token */
        }
        rs->body = grown;
        rs->cap = cap;
    }
    memcpy(rs->body + rs->len, data, len);
    rs->len += len;
    rs->body[rs->len] = '\0';
    return len;
}

void remote_response_free(remote_response *rs)
{
    if (rs->body)
        shroud_free_secret(rs->body, rs->cap);
    memset(rs, 0, sizeof *rs);
}

/* Sets what every request shares: the URL, time-outs, TLS by the pin. */
static int setup(CURL *curl, const remote_server *s, const char *path, char *url, size_t url_cap,
                 char *errbuf)
{
    snprintf(url, url_cap, "%s%s", s->origin, path);
    int bad = 0;
    bad |= curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_SECONDS) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, STALL_TIMEOUT_SECONDS) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_USERAGENT, "shroud-remote") != CURLE_OK;
    /* Self-signed certificate: no CA and no name to check; the pin is the check. */
    bad |= curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L) != CURLE_OK;
    return bad;
}

/* One line for a request that got no HTTP answer. */
static int transport_fail(const remote_server *s, const char *url, CURLcode code,
                          const char *errbuf)
{
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(code);
    switch (code) {
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return fail("the server at %s presents another key than the one pinned for it in %s: "
                    "either it has a new certificate or someone is intercepting the connection. "
                    "Ask its operator for the pin 'shroud serve' printed at start; only if it is "
                    "the server's new key, delete the line '%s %s' from %s and connect again "
                    "with --pin NEW_PIN",
                    s->origin, s->known_servers, s->origin, s->pin, s->known_servers);
    case CURLE_COULDNT_CONNECT:
        return fail("cannot connect to %s: %s (is the server running?)", s->origin, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
        return fail("cannot find the host of %s: %s", s->origin, detail);
    case CURLE_OPERATION_TIMEDOUT:
        return fail("%s did not answer in time: %s", url, detail);
    case CURLE_SSL_CONNECT_ERROR:
        return fail("TLS handshake with %s failed: %s (a server run with --no-tls takes an "
                    "http:// URL)",
                    s->origin, detail);
    case CURLE_GOT_NOTHING:
        return fail("%s closed the connection without answering (an https:// server given as "
                    "http://?)",
                    url);
    default:
        return fail("request to %s failed: %s", url, detail);
    }
}

/* The headers: Accept, Content-Type, and the bearer token when there is one. */
static struct curl_slist *make_headers(const remote_server *s, const remote_request *rq)
{
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
    char line[REMOTE_TOKEN_MAX + 32];
    if (h && rq->content_type) {
        snprintf(line, sizeof line, "Content-Type: %s", rq->content_type);
        h = curl_slist_append(h, line) ? h : (curl_slist_free_all(h), NULL);
    }
    if (h && s->token[0]) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", s->token);
        struct curl_slist *more = curl_slist_append(h, line);
        secret_wipe(line, sizeof line);
        h = more ? more : (curl_slist_free_all(h), NULL);
    }
    return h;
}

static void free_headers(struct curl_slist *h)
{
    for (struct curl_slist *p = h; p; p = p->next)
        secret_wipe(p->data, strlen(p->data));
    curl_slist_free_all(h);
}

int remote_perform(const remote_server *s, const remote_request *rq, remote_response *rs)
{
    memset(rs, 0, sizeof *rs);
    if (s->tls && !s->pin[0])
        return fail("internal error: no pin for %s", s->origin);
    CURL *curl = curl_easy_init();
    if (!curl)
        return fail("cannot start libcurl");
    char url[REMOTE_ORIGIN_MAX + 512];
    char errbuf[CURL_ERROR_SIZE] = "";
    transfer t = {curl, rq, rs, 0, 0};
    struct curl_slist *headers = make_headers(s, rq);
    int bad = !headers || setup(curl, s, rq->path, url, sizeof url, errbuf);
    if (s->tls)
        bad |= curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, s->pin) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t) != CURLE_OK;
    if (rq->upload) {
        bad |= curl_easy_setopt(curl, CURLOPT_POST, 1L) != CURLE_OK;
        bad |= curl_easy_setopt(curl, CURLOPT_READDATA, rq->upload) != CURLE_OK;
        bad |= curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->upload_len) !=
               CURLE_OK;
    } else if (strcmp(rq->method, "POST") == 0) {
        bad |= curl_easy_setopt(curl, CURLOPT_POSTFIELDS, rq->body ? rq->body : "") != CURLE_OK;
        bad |= curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len) !=
               CURLE_OK;
    } else if (strcmp(rq->method, "GET") != 0) {
        bad |= curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, rq->method) != CURLE_OK;
    }
    int rc = 0;
    if (bad) {
        rc = fail("cannot set up the request to %s (libcurl too old or out of memory)", s->origin);
    } else {
        CURLcode code = curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &rs->status);
        if (t.sink_failed)
            rc = EXIT_FAILED; /* the sink said why */
        else if (t.too_large)
            rc =
                fail("%s answered more than %u MiB of JSON; giving up", url, REMOTE_JSON_MAX >> 20);
        else if (code != CURLE_OK)
            rc = transport_fail(s, url, code, errbuf);
        else if (rs->status == 0)
            rc = fail("%s sent no HTTP answer", url);
    }
    free_headers(headers);
    curl_easy_cleanup(curl);
    if (rc)
        remote_response_free(rs);
    return rc;
}

int remote_status_fail(const remote_server *s, const remote_response *rs, const char *doing)
{
    char text[512] = "";
    json_t *j = rs->body ? json_loadb(rs->body, rs->len, 0, NULL) : NULL;
    const char *msg = json_string_value(json_object_get(j, "error"));
    if (msg)
        snprintf(text, sizeof text, "%s", msg);
    else if (rs->body && rs->len)
        snprintf(text, sizeof text, "%.200s", rs->body); /* not JSON: a proxy's page? */
    json_decref(j);
    for (char *p = text; *p; p++) /* one line, and no terminal escapes from the server */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    if (rs->status == 401)
        return fail("%s: %s: not logged in, or the session expired or ended (HTTP 401: %s); "
                    "run 'shroud remote login --server %s --user NAME'",
                    s->origin, doing, text[0] ? text : "unauthorized", s->origin);
    return fail("%s: %s failed: HTTP %ld%s%s", s->origin, doing, rs->status, text[0] ? ": " : "",
                text);
}

/* sha256// and the base64 SHA-256 of the certificate's SubjectPublicKeyInfo. */
static int pin_of_pem(const char *pem, char *pin)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    unsigned char *der = NULL;
    int der_len = cert ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der) : -1;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int ok = der_len > 0 &&
             EVP_Digest(der, (size_t)der_len, digest, &digest_len, EVP_sha256(), NULL) == 1;
    if (ok) {
        unsigned char b64[48]; /* 44 characters for 32 bytes, and a NUL */
        EVP_EncodeBlock(b64, digest, (int)digest_len);
        snprintf(pin, REMOTE_PIN_MAX, "sha256//%s", (const char *)b64);
    }
    OPENSSL_free(der);
    X509_free(cert);
    BIO_free(bio);
    return ok ? 0 : -1;
}

/* The "Cert:" PEM of the first (leaf) certificate curl saw, or NULL. */
static const char *leaf_pem(CURL *curl)
{
    struct curl_certinfo *info = NULL;
    if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) != CURLE_OK || !info ||
        info->num_of_certs < 1)
        return NULL;
    for (struct curl_slist *p = info->certinfo[0]; p; p = p->next)
        if (strncmp(p->data, "Cert:", 5) == 0)
            return p->data + 5;
    return NULL;
}

int remote_fetch_pin(const remote_server *s, char *pin)
{
    CURL *curl = curl_easy_init();
    if (!curl)
        return fail("cannot start libcurl");
    char url[REMOTE_ORIGIN_MAX + 16];
    char errbuf[CURL_ERROR_SIZE] = "";
    int bad = setup(curl, s, "/healthz", url, sizeof url, errbuf);
    bad |= curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_NOBODY, 1L) != CURLE_OK;
    int rc = 0;
    if (bad) {
        rc = fail("cannot set up the request to %s (libcurl too old or out of memory)", s->origin);
    } else {
        CURLcode code = curl_easy_perform(curl);
        const char *pem = leaf_pem(curl);
        if (!pem && code != CURLE_OK)
            rc = transport_fail(s, url, code, errbuf);
        else if (!pem || pin_of_pem(pem, pin) != 0)
            rc = fail("%s did not show a certificate whose key shroud can read", s->origin);
    }
    curl_easy_cleanup(curl);
    return rc;
}
