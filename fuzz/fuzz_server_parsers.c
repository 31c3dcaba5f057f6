/*
 * fuzz_server_parsers.c — what the server parses itself from untrusted
 * requests and its own database: session tokens (bearer text), the
 * shroud_session cookie in a Cookie header, the password policy, and stored
 * password hashes ("scrypt$LOG_N$R$P$SALT$HASH").
 *
 * Input: byte 0 picks the parser (mod 4), the rest is its text. Checked
 * beyond "no crash": a token accepted has exactly 43 base64url characters
 * and its text form (session_token_text of its bytes is not recoverable
 * from the hash, so: the same text always gives the same hash); a cookie
 * value found lies inside the header; a stored hash that verifies must be
 * the hash of the password tried. Stored hashes asking for more than
 * 2^12 scrypt work are skipped (verification of 2^20 costs 1 GiB by design).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "server/passwords.h"
#include "server/session_token.h"

#define FUZZ_MAX_LOG_N 12

static void tokens(const char *text, size_t len)
{
    uint8_t a[SESSION_HASH_BYTES], b[SESSION_HASH_BYTES];
    int rc = session_token_hash(text, len, a);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        FUZZ_CHECK(len == SESSION_TOKEN_CHARS);
        for (size_t i = 0; i < len; i++)
            FUZZ_CHECK((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z') ||
                       (text[i] >= '0' && text[i] <= '9') || text[i] == '-' || text[i] == '_');
        FUZZ_CHECK(session_token_hash(text, len, b) == 0 && memcmp(a, b, sizeof a) == 0);
    }
}

static void cookies(const char *text, size_t len)
{
    size_t n = 0;
    const char *v = session_cookie_find(text, &n);
    if (v) {
        FUZZ_CHECK(v >= text && v + n <= text + len);
        FUZZ_CHECK(memcmp(v - sizeof SESSION_COOKIE, SESSION_COOKIE "=", sizeof SESSION_COOKIE) ==
                   0);
        tokens(v, n);
    }
}

static void policy(const char *text, size_t len)
{
    size_t cut = len / 3;
    char user[64];
    snprintf(user, sizeof user, "%.*s", (int)(cut < 40 ? cut : 40), text);
    const char *why = password_problem(user, text + cut, len - cut);
    FUZZ_CHECK(why == NULL || strlen(why) > 0);
}

static void stored_hashes(const char *text, size_t len)
{
    (void)len;
    int log_n = 0;
    if (sscanf(text, "scrypt$%d$", &log_n) == 1 && log_n > FUZZ_MAX_LOG_N)
        return;
    static const char pw[] = "correct horse";
    int ok = password_verify(pw, sizeof pw - 1, text);
    FUZZ_CHECK(ok == 0 || ok == 1);
    if (ok) /* only the real hash of pw can verify: its parameters must be sane */
        FUZZ_CHECK(strncmp(text, "scrypt$", 7) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < 1 || len > 4096)
        return 0;
    char *text = fuzz_copy(data + 1, len - 1);
    char *z = malloc(len); /* NUL-terminated copy for the C-string parsers */
    FUZZ_CHECK(z != NULL);
    memcpy(z, data + 1, len - 1);
    z[len - 1] = '\0';
    switch (data[0] % 4) {
    case 0:
        tokens(text, len - 1);
        break;
    case 1:
        cookies(z, strlen(z));
        break;
    case 2:
        policy(text, len - 1);
        break;
    default:
        stored_hashes(z, strlen(z));
    }
    free(z);
    free(text);
    return 0;
}
