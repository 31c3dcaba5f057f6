/* bech32.c — Bech32m encoding (BIP 173 alphabet, BIP 350 constant). */
#include "crypto/bech32.h"

#include <ctype.h>
#include <string.h>

#include "shroud.h"

#define BECH32M_CONST 0x2bc830a3u
#define CHECKSUM_CHARS 6

static const char alphabet[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t polymod_step(uint32_t chk, uint8_t value)
{
    static const uint32_t gen[5] = {0x3b6a57b2u, 0x26508e6du, 0x1ea119fau, 0x3d4233ddu,
                                    0x2a1462b3u};
    uint8_t top = (uint8_t)(chk >> 25);
    chk = ((chk & 0x1ffffffu) << 5) ^ value;
    for (int i = 0; i < 5; i++)
        if ((top >> i) & 1)
            chk ^= gen[i];
    return chk;
}

/* The checksum state after the expanded hrp (lower case). */
static uint32_t hrp_polymod(const char *hrp, size_t hrp_len)
{
    uint32_t chk = 1;
    for (size_t i = 0; i < hrp_len; i++)
        chk = polymod_step(chk, (uint8_t)(tolower((unsigned char)hrp[i]) >> 5));
    chk = polymod_step(chk, 0);
    for (size_t i = 0; i < hrp_len; i++)
        chk = polymod_step(chk, (uint8_t)(tolower((unsigned char)hrp[i]) & 31));
    return chk;
}

int bech32_encode(const char *hrp, const uint8_t *data, size_t len, int upper, char *out,
                  size_t cap)
{
    size_t hrp_len = strlen(hrp);
    size_t groups = (len * 8 + 4) / 5;
    if (hrp_len + 1 + groups + CHECKSUM_CHARS + 1 > cap)
        return SHROUD_ERR_ARGUMENT;
    uint32_t chk = hrp_polymod(hrp, hrp_len);
    size_t o = 0;
    for (size_t i = 0; i < hrp_len; i++)
        out[o++] = (char)tolower((unsigned char)hrp[i]);
    out[o++] = '1';
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            uint8_t v = (uint8_t)((acc >> (bits - 5)) & 31);
            bits -= 5;
            chk = polymod_step(chk, v);
            out[o++] = alphabet[v];
        }
    }
    if (bits > 0) {
        uint8_t v = (uint8_t)((acc << (5 - bits)) & 31);
        chk = polymod_step(chk, v);
        out[o++] = alphabet[v];
    }
    for (int i = 0; i < CHECKSUM_CHARS; i++)
        chk = polymod_step(chk, 0);
    chk ^= BECH32M_CONST;
    for (int i = 0; i < CHECKSUM_CHARS; i++)
        out[o++] = alphabet[(chk >> (5 * (CHECKSUM_CHARS - 1 - i))) & 31];
    out[o] = '\0';
    if (upper)
        for (size_t i = 0; i < o; i++)
            out[i] = (char)toupper((unsigned char)out[i]);
    return SHROUD_OK;
}

static int char_value(char c)
{
    const char *p = strchr(alphabet, tolower((unsigned char)c));
    return (c && p) ? (int)(p - alphabet) : -1;
}

int bech32_decode(const char *hrp, const char *text, size_t len, uint8_t *out, size_t want)
{
    size_t hrp_len = strlen(hrp);
    if (len > BECH32_MAX_TEXT || len < hrp_len + 1 + CHECKSUM_CHARS)
        return SHROUD_ERR_KEY;
    int has_lower = 0, has_upper = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 33 || c > 126)
            return SHROUD_ERR_KEY;
        has_lower |= islower(c) != 0;
        has_upper |= isupper(c) != 0;
    }
    if (has_lower && has_upper) /* mixed case is not allowed */
        return SHROUD_ERR_KEY;
    for (size_t i = 0; i < hrp_len; i++)
        if (tolower((unsigned char)text[i]) != hrp[i])
            return SHROUD_ERR_KEY;
    if (text[hrp_len] != '1')
        return SHROUD_ERR_KEY;
    const char *d = text + hrp_len + 1;
    size_t dlen = len - hrp_len - 1 - CHECKSUM_CHARS;
    if ((dlen * 5) / 8 != want || (dlen * 5) % 8 >= 5)
        return SHROUD_ERR_KEY;
    uint32_t chk = hrp_polymod(hrp, hrp_len);
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < dlen + CHECKSUM_CHARS; i++) {
        int v = char_value(d[i]);
        if (v < 0)
            return SHROUD_ERR_KEY;
        chk = polymod_step(chk, (uint8_t)v);
        if (i >= dlen)
            continue;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    if (chk != BECH32M_CONST)
        return SHROUD_ERR_KEY_CHECKSUM;
    if ((acc & ((1u << bits) - 1)) != 0) /* padding bits must be zero */
        return SHROUD_ERR_KEY;
    return SHROUD_OK;
}
