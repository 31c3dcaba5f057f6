/* errors.c — shroud_strerror and the small global helpers of the API. */
#include <stdlib.h>

#include "crypto/primitives.h"
#include "shroud.h"

const char *shroud_strerror(int err)
{
    switch (err) {
    case SHROUD_OK:
        return "success";
    case SHROUD_ERR_NOMEM:
        return "out of memory";
    case SHROUD_ERR_ARGUMENT:
        return "invalid argument";
    case SHROUD_ERR_STATE:
        return "operation not allowed in the current state";
    case SHROUD_ERR_CRYPTO:
        return "the cryptographic library failed";
    case SHROUD_ERR_RANDOM:
        return "the system random number generator failed";
    case SHROUD_ERR_NOT_SHROUD:
        return "not a shroud message (no shroud magic or armor)";
    case SHROUD_ERR_VERSION:
        return "unsupported shroud format version (made by a newer shroud?)";
    case SHROUD_ERR_HEADER:
        return "malformed message header (corrupted or not a shroud message)";
    case SHROUD_ERR_HEADER_MAC:
        return "header authentication failed: the message was modified or corrupted";
    case SHROUD_ERR_NO_IDENTITY:
        return "no identity matches: the message was not encrypted to any of the given keys";
    case SHROUD_ERR_PASSPHRASE:
        return "wrong passphrase (or the message was modified)";
    case SHROUD_ERR_NEED_PASSPHRASE:
        return "the message is encrypted with a passphrase, but none was given";
    case SHROUD_ERR_PAYLOAD:
        return "payload authentication failed: the message was modified or corrupted";
    case SHROUD_ERR_TRUNCATED:
        return "the message is truncated";
    case SHROUD_ERR_TRAILING:
        return "unexpected data after the end of the message";
    case SHROUD_ERR_COMMITMENT:
        return "payload key commitment mismatch: the message was modified or corrupted";
    case SHROUD_ERR_ARMOR:
        return "malformed armor (expected -----BEGIN SHROUD MESSAGE----- and base64 lines)";
    case SHROUD_ERR_KEY:
        return "malformed or unsupported key";
    case SHROUD_ERR_KEY_CHECKSUM:
        return "key checksum mismatch (mistyped or truncated key?)";
    case SHROUD_ERR_KEY_SIZE:
        return "RSA key size must be 2048 to 4096 bits";
    case SHROUD_ERR_WORK_FACTOR:
        return "key derivation cost outside the accepted range";
    case SHROUD_ERR_LIMIT:
        return "a size limit was exceeded";
    case SHROUD_ERR_SIGNATURE:
        return "signature does not verify: the data or the signature was modified";
    case SHROUD_ERR_SIGNATURE_FORMAT:
        return "malformed signature";
    case SHROUD_ERR_WRONG_SIGNER:
        return "the signature was made by a different key";
    case SHROUD_ERR_CANCELLED:
        return "cancelled (output could not be written)";
    case SHROUD_ERR_PASSPHRASE_MIX:
        return "a passphrase cannot be combined with other recipients";
    case SHROUD_ERR_KEY_KIND:
        return "this kind of key cannot do that";
    case SHROUD_ERR_IMAGE:
        return "malformed or corrupt image file";
    case SHROUD_ERR_IMAGE_FORMAT:
        return "unsupported image: expected a PNG or a JPEG (8-bit, baseline or progressive)";
    case SHROUD_ERR_IMAGE_LIMIT:
        return "image too large: it exceeds shroud's pixel or chunk size limits";
    case SHROUD_ERR_REGION:
        return "region is empty or lies outside the image";
    case SHROUD_ERR_NO_RECORD:
        return "the image carries no shroud redaction record";
    case SHROUD_ERR_RECORD:
        return "malformed redaction record (corrupted?)";
    case SHROUD_ERR_RECORD_MISMATCH:
        return "the redaction record does not belong to this image (copied from another image, "
               "or the image was edited after redaction)";
    case SHROUD_ERR_RECORD_EDITED:
        return "the image's region list was edited: it differs from the sealed one";
    case SHROUD_ERR_NO_SIGNATURE:
        return "the image carries no shroud signature";
    case SHROUD_ERR_ALREADY_REDACTED:
        return "the image is already redacted (restore it first, or redact the original)";
    case SHROUD_ERR_NO_MESSAGE:
        return "no message for this key (wrong key or passphrase, no hidden message, or the "
               "image was changed since)";
    case SHROUD_ERR_CAPACITY:
        return "the message does not fit in this cover (see 'shroud capacity'; use a larger "
               "image or a shorter message)";
    case SHROUD_ERR_COVER:
        return "this image cannot carry a hidden message";
    }
    return "unknown error";
}

const char *shroud_version(void)
{
    return SHROUD_VERSION_STRING;
}

void shroud_free(void *p)
{
    free(p);
}

void shroud_free_secret(void *p, size_t len)
{
    prim_wipe(p, len);
    free(p);
}
