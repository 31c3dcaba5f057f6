/*
 * image_signature.h — signatures embedded in PNG and JPEG files (internal).
 *
 * Payload of the EMBED_SIGNATURE blocks:
 *   signer_len:u16be | signer (the signer's public key as text: a shroudpk1
 *   line or an SPKI PEM) | signature block (signature.h)
 * The signature (context SIG_CONTEXT_IMAGE) is over SHA-256 of the file with
 * the signature blocks left out; the record blocks are covered.
 */
#ifndef SHROUD_REDACT_IMAGE_SIGNATURE_H
#define SHROUD_REDACT_IMAGE_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/signature.h"
#include "image/embedded.h"
#include "shroud.h"

#define IMAGE_SIGNER_MAX 4096 /* bytes of key text */

typedef struct {
    char *signer_text; /* NUL-terminated, owned */
    size_t signer_len;
    shroud_recipient *signer; /* parsed signer_text, owned */
    signature_block sig;
} image_signature;

/* SHROUD_ERR_SIGNATURE_FORMAT when malformed (the key text included). Free
 * with image_signature_free (also after an error). */
int image_signature_parse(const uint8_t *buf, size_t len, image_signature *out);
void image_signature_free(image_signature *s);

/* Verifies an image file's embedded signature against key (or, when key is
 * NULL, against the key it names). SHROUD_ERR_NO_SIGNATURE when none. When
 * parsed is not NULL it receives the parsed signature (free it). */
int image_signature_check(const uint8_t *image, size_t len, const shroud_recipient *key,
                          image_signature *parsed);
/* The same on a file whose blocks image_embedded_find already found (e). */
int image_signature_check_found(const uint8_t *image, size_t len, const image_embedded *e,
                                const shroud_recipient *key, image_signature *parsed);

#endif
