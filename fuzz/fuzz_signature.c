/*
 * fuzz_signature.c — shroud_verifier_new on arbitrary signature text, then
 * update/finish over a fixed message, with the fixed native key and the
 * fixed RSA key (fuzz_fixed_keys.h).
 *
 * Checked beyond "no crash": the result is one of the documented codes; the
 * message fed in one piece or in two gives the same result; and a signature
 * that verifies under one fixed key is refused as WRONG_SIGNER by the other.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

static shroud_recipient *native_key, *rsa_key;
static const char message[] = FUZZ_SIGNED_MESSAGE;
#define MESSAGE_LEN (sizeof message - 1)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char native_text[] = FUZZ_NATIVE_RECIPIENT;
    static const char rsa_text[] = FUZZ_RSA_RECIPIENT;
    FUZZ_CHECK(shroud_recipient_parse(&native_key, native_text, sizeof native_text - 1) ==
               SHROUD_OK);
    FUZZ_CHECK(shroud_recipient_parse(&rsa_key, rsa_text, sizeof rsa_text - 1) == SHROUD_OK);
    return 0;
}

/* Verifies sig over the message, fed cut at `cut`. */
static int verify(const shroud_recipient *key, const char *sig, size_t len, size_t cut)
{
    shroud_verifier *v = NULL;
    int err = shroud_verifier_new(&v, key, sig, len);
    if (err != SHROUD_OK) {
        FUZZ_CHECK(v == NULL);
        FUZZ_CHECK(err == SHROUD_ERR_SIGNATURE_FORMAT || err == SHROUD_ERR_VERSION);
        return err;
    }
    const uint8_t *m = (const uint8_t *)message;
    FUZZ_CHECK(shroud_verifier_update(v, m, cut) == SHROUD_OK);
    FUZZ_CHECK(shroud_verifier_update(v, m + cut, MESSAGE_LEN - cut) == SHROUD_OK);
    err = shroud_verifier_finish(v);
    FUZZ_CHECK(err == SHROUD_OK || err == SHROUD_ERR_SIGNATURE || err == SHROUD_ERR_WRONG_SIGNER);
    shroud_verifier_free(v);
    return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    char *sig = fuzz_copy(data, len);
    size_t cut = len % (MESSAGE_LEN + 1);
    int n = verify(native_key, sig, len, cut);
    int r = verify(rsa_key, sig, len, MESSAGE_LEN - cut);
    FUZZ_CHECK(n == verify(native_key, sig, len, MESSAGE_LEN)); /* deterministic */
    if (n == SHROUD_OK)
        FUZZ_CHECK(r == SHROUD_ERR_WRONG_SIGNER);
    if (r == SHROUD_OK)
        FUZZ_CHECK(n == SHROUD_ERR_WRONG_SIGNER);
    free(sig);
    return 0;
}
