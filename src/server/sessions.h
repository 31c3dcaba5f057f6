/*
 * sessions.h — the session a request carries (server layer); the token
 * format is in session_token.h.
 */
#ifndef SHROUD_SERVER_SESSIONS_H
#define SHROUD_SERVER_SESSIONS_H

#include <stdint.h>

#include "server/http.h"
#include "server/session_token.h"

#define SESSION_TOKEN_BYTES 32
#define SESSION_TOKEN_CHARS 43
#define SESSION_COOKIE "shroud_session"

/* The text form of a token. */
void session_token_text(const uint8_t token[SESSION_TOKEN_BYTES],
                        char out[SESSION_TOKEN_CHARS + 1]);
/* The hash of the token the request carries ("Authorization: Bearer T" or
 * the cookie): 0, or -1 when there is none that looks like a token. */
int http_session_hash(const http_request *r, uint8_t hash[STORE_TOKEN_HASH_BYTES]);
/* The user of the request's live session: 0, or -1 (no session, unknown,
 * expired). */
int http_session_user(const http_request *r, int64_t *user_id);
/* Answers 401 with WWW-Authenticate: Bearer. */
void http_unauthorized(http_request *r);

#endif
