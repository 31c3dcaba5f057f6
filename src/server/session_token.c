/* session_token.c — session tokens as text, and their hash (pure: no HTTP,
 * so the fuzzers can reach it). */
#include "server/session_token.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <string.h>

#include "crypto/primitives.h"
#include "shroud.h"

/* Unpadded base64url of the token. */
void session_token_text(const uint8_t token[SESSION_TOKEN_BYTES], char out[SESSION_TOKEN_CHARS + 1])
{
    unsigned char tmp[48];
    EVP_EncodeBlock(tmp, token, SESSION_TOKEN_BYTES);
    for (int i = 0; i < SESSION_TOKEN_CHARS; i++)
        out[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : (char)tmp[i];
    out[SESSION_TOKEN_CHARS] = '\0';
    prim_wipe(tmp, sizeof tmp);
}

/* SHA-256 of the token's bytes, from its text; -1 if it is not a token. */
int session_token_hash(const char *text, size_t len, uint8_t hash[SESSION_HASH_BYTES])
{
    if (len != SESSION_TOKEN_CHARS)
        return -1;
    unsigned char tmp[48], raw[36];
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (!(isalnum((unsigned char)ch) || ch == '-' || ch == '_'))
            return -1;
        tmp[i] = ch == '-' ? '+' : ch == '_' ? '/' : (unsigned char)ch;
    }
    tmp[len] = '=';
    if (EVP_DecodeBlock(raw, tmp, (int)len + 1) != 33)
        return -1;
    int rc = sha256(raw, SESSION_TOKEN_BYTES, hash) == SHROUD_OK ? 0 : -1;
    prim_wipe(raw, sizeof raw);
    return rc;
}

const char *session_cookie_find(const char *cookies, size_t *len)
{
    for (const char *p = cookies; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        size_t n = strcspn(p, ";");
        if (n > sizeof SESSION_COOKIE &&
            strncmp(p, SESSION_COOKIE "=", sizeof SESSION_COOKIE) == 0) {
            *len = n - sizeof SESSION_COOKIE;
            return p + sizeof SESSION_COOKIE;
        }
        p += n;
    }
    return NULL;
}
