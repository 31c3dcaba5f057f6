/* passwords.c — password policy and scrypt hashes. */
#include "server/passwords.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/primitives.h"

#define SALT_BYTES 16
#define HASH_BYTES 32
#define PASSWORD_R 8
#define PASSWORD_P 1
#define STORED_LOG_N_MAX 20 /* refuse hashes that would cost more than 1 GiB */

/* The most common passwords of at least 8 characters (from published leak
 * statistics); compared case-insensitively. */
static const char *const common[] = {
    "password",  "12345678",    "123456789",  "1234567890",    "qwertyuiop", "iloveyou",
    "password1", "11111111",    "00000000",   "87654321",      "abcd1234",   "qwerty123",
    "1q2w3e4r",  "1qaz2wsx",    "sunshine",   "princess",      "football",   "baseball",
    "welcome1",  "whatever",    "trustno1",   "superman",      "starwars",   "passw0rd",
    "p@ssw0rd",  "password123", "letmein1",   "michelle",      "jennifer",   "computer",
    "internet",  "1234qwer",    "qwer1234",   "aaaaaaaa",      "asdfghjkl",  "zxcvbnm1",
    "q1w2e3r4",  "q1w2e3r4t5",  "1q2w3e4r5t", "12341234",      "123123123",  "987654321",
    "qwertyui",  "asdfasdf",    "changeme",   "administrator", "admin123",   "welcome123",
    "iloveyou1", "dragon123",   "monkey123",  "shadow123",     "master123",  "liverpool",
    "chocolate", "butterfly",   "password12", "123qweasd",     "zaq12wsx",
};

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

const char *password_problem(const char *username, const char *password, size_t len)
{
    size_t chars = utf8_chars(password, len);
    if (chars < PASSWORD_MIN_CHARS)
        return "password too short: use at least 8 characters";
    if (chars > PASSWORD_MAX_CHARS)
        return "password too long: at most 1024 characters";
    if (memchr(password, '\0', len))
        return "password must not contain NUL characters";
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (strlen(common[i]) == len && strncasecmp(common[i], password, len) == 0)
            return "password too common: it is on every attacker's list";
    if (username && strlen(username) == len && strncasecmp(username, password, len) == 0)
        return "password must not be the username";
    return NULL;
}

static int derive(const char *password, size_t len, const uint8_t *salt, int log_n, int r, int p,
                  uint8_t out[HASH_BYTES])
{
    return scrypt_kdf((const uint8_t *)password, len, salt, SALT_BYTES, (uint64_t)1 << log_n,
                      (uint32_t)r, (uint32_t)p, out, HASH_BYTES);
}

/* Unpadded base64url of n bytes into out (at least 4 * n / 3 + 2 bytes). */
static void b64url(const uint8_t *in, size_t n, char *out)
{
    unsigned char tmp[64];
    int len = EVP_EncodeBlock(tmp, in, (int)n);
    int j = 0;
    for (int i = 0; i < len && tmp[i] != '='; i++)
        out[j++] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : (char)tmp[i];
    out[j] = '\0';
}

/* The reverse, exactly `want` bytes: 0 or -1. */
static int unb64url(const char *in, size_t in_len, uint8_t *out, size_t want)
{
    unsigned char tmp[64], dec[64];
    if (in_len == 0 || in_len > 60)
        return -1;
    size_t j = 0;
    for (size_t i = 0; i < in_len; i++)
        tmp[j++] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : (unsigned char)in[i];
    while (j % 4)
        tmp[j++] = '=';
    int n = EVP_DecodeBlock(dec, tmp, (int)j);
    if (n < 0)
        return -1;
    size_t pad = j - in_len; /* EVP_DecodeBlock counts padding as zero bytes */
    if ((size_t)n - pad != want)
        return -1;
    char again[64];
    b64url(dec, want, again); /* canonical only: unused low bits must be zero */
    if (strlen(again) != in_len || memcmp(again, in, in_len) != 0)
        return -1;
    memcpy(out, dec, want);
    return 0;
}

int password_hash(const char *password, size_t len, char out[PASSWORD_HASH_MAX])
{
    uint8_t salt[SALT_BYTES], hash[HASH_BYTES];
    char s64[32], h64[48];
    if (prim_random(salt, sizeof salt) ||
        derive(password, len, salt, PASSWORD_LOG_N, PASSWORD_R, PASSWORD_P, hash))
        return -1;
    b64url(salt, sizeof salt, s64);
    b64url(hash, sizeof hash, h64);
    snprintf(out, PASSWORD_HASH_MAX, "scrypt$%d$%d$%d$%s$%s", PASSWORD_LOG_N, PASSWORD_R,
             PASSWORD_P, s64, h64);
    prim_wipe(hash, sizeof hash);
    return 0;
}

int password_verify(const char *password, size_t len, const char *stored)
{
    int log_n, r, p, consumed = 0;
    if (sscanf(stored, "scrypt$%d$%d$%d$%n", &log_n, &r, &p, &consumed) != 3 || consumed == 0 ||
        log_n < 10 || log_n > STORED_LOG_N_MAX || r < 1 || r > 32 || p < 1 || p > 4)
        return 0;
    const char *salt64 = stored + consumed, *dollar = strchr(salt64, '$');
    uint8_t salt[SALT_BYTES], want[HASH_BYTES], got[HASH_BYTES];
    if (!dollar || unb64url(salt64, (size_t)(dollar - salt64), salt, sizeof salt) ||
        unb64url(dollar + 1, strlen(dollar + 1), want, sizeof want) ||
        derive(password, len, salt, log_n, r, p, got))
        return 0;
    int ok = prim_equal(got, want, sizeof want);
    prim_wipe(got, sizeof got);
    return ok;
}
