/*
 * fuzz_redaction_record.c — the parsers of what a redacted image carries:
 * the redaction block (layout + envelopes), a group's sealed record, the JPEG
 * coding description inside it, and the embedded image signature payload.
 *
 * Byte 0 picks the parser (mod 4); the rest is its input. Checked beyond "no
 * crash": every accepted input re-encodes to exactly the same bytes (the
 * formats are canonical), and the layout digest is SHA-256 of the layout
 * prefix.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "fuzz_util.h"
#include "redact/image_signature.h"
#include "redact/record.h"
#include "redact/redact_jpeg.h"

static void check_block(const uint8_t *buf, size_t len)
{
    redaction_layout l;
    uint8_t digest[REDACT_DIGEST_BYTES];
    int err = block_parse(buf, len, &l, digest);
    if (err == SHROUD_OK) {
        bytebuf layout = {0}, block = {0};
        const uint8_t *envs[SHROUD_MAX_GROUPS];
        size_t lens[SHROUD_MAX_GROUPS];
        for (unsigned g = 0; g < l.n_groups; g++) {
            envs[g] = l.groups[g].envelope;
            lens[g] = l.groups[g].envelope_len;
        }
        FUZZ_CHECK(layout_encode(&l, &layout) == SHROUD_OK);
        FUZZ_CHECK(block_encode(&l, envs, lens, &block) == SHROUD_OK);
        FUZZ_CHECK(block.len == len && memcmp(block.data, buf, len) == 0);
        uint8_t again[REDACT_DIGEST_BYTES];
        SHA256(layout.data, layout.len, again);
        FUZZ_CHECK(memcmp(again, digest, sizeof digest) == 0);
        free(layout.data);
        free(block.data);
    } else {
        FUZZ_CHECK(err == SHROUD_ERR_RECORD || err == SHROUD_ERR_VERSION ||
                   err == SHROUD_ERR_NOMEM);
    }
    layout_free(&l);
}

static void check_record(const uint8_t *buf, size_t len)
{
    sealed_record r;
    int err = record_parse(buf, len, &r);
    if (err != SHROUD_OK) {
        FUZZ_CHECK(err == SHROUD_ERR_RECORD);
        return;
    }
    bytebuf out = {0};
    FUZZ_CHECK(record_encode(&r, &out) == SHROUD_OK);
    FUZZ_CHECK(out.len == len && memcmp(out.data, buf, len) == 0);
    free(out.data);
    /* inflating to the claimed size must fail cleanly or give exactly it;
     * claims above 1 MiB are not tried, to keep runs fast */
    if (r.raw_len <= (1u << 20)) {
        uint8_t *raw = NULL;
        err = record_inflate(r.data, r.data_len, r.raw_len, &raw);
        FUZZ_CHECK(err == SHROUD_OK || err == SHROUD_ERR_RECORD);
        free(raw);
    }
}

static void check_coding(const uint8_t *buf, size_t len)
{
    jpeg_write_options o;
    jpeg_huff_set tables;
    if (jpeg_coding_parse(buf, len, &o, &tables) != SHROUD_OK)
        return;
    bytebuf out = {0};
    FUZZ_CHECK(jpeg_coding_encode(&o, &out) == SHROUD_OK);
    FUZZ_CHECK(out.len == len && memcmp(out.data, buf, len) == 0);
    free(out.data);
}

static void check_signature(const uint8_t *buf, size_t len)
{
    image_signature s;
    int err = image_signature_parse(buf, len, &s);
    FUZZ_CHECK(err == SHROUD_OK || err == SHROUD_ERR_SIGNATURE_FORMAT || err == SHROUD_ERR_NOMEM ||
               err == SHROUD_ERR_VERSION);
    if (err == SHROUD_OK)
        FUZZ_CHECK(s.signer != NULL && strlen(s.signer_text) == s.signer_len);
    image_signature_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len == 0)
        return 0;
    uint8_t *buf = (uint8_t *)fuzz_copy(data + 1, len - 1);
    switch (data[0] % 4) {
    case 0:
        check_block(buf, len - 1);
        break;
    case 1:
        check_record(buf, len - 1);
        break;
    case 2:
        check_coding(buf, len - 1);
        break;
    default:
        check_signature(buf, len - 1);
        break;
    }
    free(buf);
    return 0;
}
