/*
 * session_token.h — session tokens as text (server layer, no HTTP).
 *
 * A token is 32 random bytes, given to the client as 43 characters of
 * unpadded base64url, in a bearer header or the shroud_session cookie; the
 * store keeps only SHA-256 of the bytes.
 */
#ifndef SHROUD_SERVER_SESSION_TOKEN_H
#define SHROUD_SERVER_SESSION_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define SESSION_TOKEN_BYTES 32
#define SESSION_TOKEN_CHARS 43
#define SESSION_COOKIE "shroud_session"
#define SESSION_HASH_BYTES 32

/* The text form of a token (SESSION_TOKEN_CHARS characters and a NUL). */
void session_token_text(const uint8_t token[SESSION_TOKEN_BYTES],
                        char out[SESSION_TOKEN_CHARS + 1]);
/* SHA-256 of the token's bytes, from its text (len bytes, not necessarily
 * NUL-terminated): 0, or -1 when it is not a token. */
int session_token_hash(const char *text, size_t len, uint8_t hash[SESSION_HASH_BYTES]);
/* The value of the shroud_session cookie in a Cookie header (NULL-safe):
 * a pointer into cookies with its length in *len, or NULL. */
const char *session_cookie_find(const char *cookies, size_t *len);

#endif
