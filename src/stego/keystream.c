/* keystream.c — AES-256-CTR as a deterministic random stream. */
#include "stego/keystream.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

#include "crypto/primitives.h"
#include "shroud.h"

static const uint8_t zeros[KEYSTREAM_BUFFER];

/* AES-256-CTR fetched once: an implicit fetch at each init goes through
 * OpenSSL's provider store (locks, lookups), 20 to 60 us with cold caches,
 * and a hide makes several keystreams. */
static EVP_CIPHER *aes_ctr;
static void fetch_aes_ctr(void)
{
    aes_ctr = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL);
}

static const EVP_CIPHER *cipher(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fetch_aes_ctr);
    return aes_ctr;
}

int keystream_refill(keystream *ks)
{
    int n = 0;
    if (EVP_EncryptUpdate(ks->ctx, ks->buf, &n, zeros, (int)sizeof zeros) != 1 ||
        n != (int)sizeof zeros)
        return SHROUD_ERR_CRYPTO;
    ks->pos = 0;
    return SHROUD_OK;
}

int keystream_init(keystream *ks, const uint8_t key[KEYSTREAM_KEY_BYTES])
{
    static const uint8_t counter[16];
    memset(ks, 0, sizeof *ks);
    ks->pos = KEYSTREAM_BUFFER;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c)
        return SHROUD_ERR_NOMEM;
    ks->ctx = c;
    const EVP_CIPHER *aes = cipher();
    if (!aes || EVP_EncryptInit_ex(c, aes, NULL, key, counter) != 1) {
        keystream_free(ks);
        return SHROUD_ERR_CRYPTO;
    }
    return SHROUD_OK;
}

void keystream_free(keystream *ks)
{
    if (!ks)
        return;
    EVP_CIPHER_CTX_free(ks->ctx);
    prim_wipe(ks, sizeof *ks);
}

int keystream_bytes(keystream *ks, uint8_t *out, size_t len)
{
    while (len) {
        if (ks->pos == KEYSTREAM_BUFFER) {
            int err = keystream_refill(ks);
            if (err)
                return err;
        }
        size_t take = KEYSTREAM_BUFFER - ks->pos;
        if (take > len)
            take = len;
        memcpy(out, ks->buf + ks->pos, take);
        ks->pos += take;
        out += take;
        len -= take;
    }
    return SHROUD_OK;
}
