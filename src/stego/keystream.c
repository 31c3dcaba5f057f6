/* keystream.c — AES-256-CTR as a deterministic random stream. */
#include "stego/keystream.h"

#include <openssl/evp.h>
#include <string.h>

#include "crypto/primitives.h"
#include "shroud.h"

static const uint8_t zeros[KEYSTREAM_BUFFER];

static int refill(keystream *ks)
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
    if (EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, key, counter) != 1) {
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
            int err = refill(ks);
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

int keystream_u32(keystream *ks, uint32_t *out)
{
    if (ks->pos + 4 > KEYSTREAM_BUFFER) {
        uint8_t b[4];
        int err = keystream_bytes(ks, b, 4);
        if (err)
            return err;
        *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        return SHROUD_OK;
    }
    const uint8_t *b = ks->buf + ks->pos;
    *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    ks->pos += 4;
    return SHROUD_OK;
}

int keystream_below(keystream *ks, uint32_t bound, uint32_t *out)
{
    if (bound == 0)
        return SHROUD_ERR_ARGUMENT;
    uint32_t r;
    int err = keystream_u32(ks, &r);
    if (err)
        return err;
    uint64_t m = (uint64_t)r * bound;
    uint32_t low = (uint32_t)m;
    if (low < bound) {
        uint32_t threshold = (uint32_t)-bound % bound;
        while (low < threshold) {
            if ((err = keystream_u32(ks, &r)))
                return err;
            m = (uint64_t)r * bound;
            low = (uint32_t)m;
        }
    }
    *out = (uint32_t)(m >> 32);
    return SHROUD_OK;
}
