/*
 * passwords.h — account passwords: the policy and the stored hash (server
 * layer).
 *
 * Stored form: "scrypt$LOG_N$R$P$SALT$HASH", SALT (16 bytes) and HASH
 * (32 bytes) in unpadded base64url; the parameters travel with the hash so
 * they can be raised later without invalidating old accounts.
 */
#ifndef SHROUD_SERVER_PASSWORDS_H
#define SHROUD_SERVER_PASSWORDS_H

#include <stddef.h>

#define PASSWORD_MIN_CHARS 8
#define PASSWORD_MAX_CHARS 1024
#define PASSWORD_LOG_N 15 /* 32 MiB, about 0.1 s here: each login pays it once */
#define PASSWORD_HASH_MAX 128

/* NULL if password is acceptable for username, else why not (a constant
 * string for the client). Counts UTF-8 characters, not bytes. */
const char *password_problem(const char *username, const char *password, size_t len);

/* Hashes password with a fresh salt into out (PASSWORD_HASH_MAX bytes):
 * 0, or -1 when the crypto library fails. */
int password_hash(const char *password, size_t len, char out[PASSWORD_HASH_MAX]);

/* 1 if password matches stored (constant time in the hash), 0 if not or if
 * stored is malformed. */
int password_verify(const char *password, size_t len, const char *stored);

#endif
