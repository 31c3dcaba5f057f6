/*
 * bech32.h — Bech32m (BIP 350) text encoding for keys: "<hrp>1<data><6-char
 * checksum>", case-insensitive, catches typos. The 90-character limit of
 * BIP 173 is not applied (keys are longer); BECH32_MAX_TEXT is.
 */
#ifndef SHROUD_CRYPTO_BECH32_H
#define SHROUD_CRYPTO_BECH32_H

#include <stddef.h>
#include <stdint.h>

#define BECH32_MAX_TEXT 512

/* Encodes data under hrp (lower case) into out (NUL-terminated); upper
 * turns the result into upper case. Returns SHROUD_OK or SHROUD_ERR_ARGUMENT
 * when it does not fit in cap bytes. */
int bech32_encode(const char *hrp, const uint8_t *data, size_t len, int upper, char *out,
                  size_t cap);

/* Decodes text (exactly len bytes, no white space) whose human-readable part
 * must equal hrp (compared case-insensitively) into exactly want bytes.
 * SHROUD_ERR_KEY for a malformed string or wrong hrp/length,
 * SHROUD_ERR_KEY_CHECKSUM for a bad checksum. */
int bech32_decode(const char *hrp, const char *text, size_t len, uint8_t *out, size_t want);

#endif
