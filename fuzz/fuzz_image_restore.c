/*
 * fuzz_image_restore.c — a whole redacted image from untrusted hands:
 * shroud_image_inspect, shroud_restore with the fixed native identity (and
 * the fuzz passphrase), and shroud_image_verify with the fixed native key, on
 * arbitrary bytes. Seeds are small PNGs and JPEGs redacted and signed with the
 * fixed keys (make_image_seeds.sh), so mutations reach the record parser,
 * the envelope, the binding checks and the put-back code.
 *
 * Checked beyond "no crash": only documented error codes come back; inputs
 * whose header claims more than FUZZ_MAX_PIXELS are skipped to keep runs fast;
 * a successful restore returns a file that inspects as the same format and
 * size, without a record or a signature.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "image/jpeg_segments.h"

#define FUZZ_MAX_PIXELS (256u * 256u)

static shroud_identity *native_id;
static shroud_recipient *native_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_native_keys(&native_id, &native_key);
    return 0;
}

static int give_passphrase(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    (void)ctx;
    (void)purpose;
    static const char pass[] = FUZZ_PASSPHRASE;
    if (cap < sizeof pass - 1)
        return -1;
    memcpy(buf, pass, sizeof pass - 1);
    *len = sizeof pass - 1;
    return 0;
}

/* The pixel count the header claims (PNG IHDR, JPEG SOFn), 0 if none found;
 * checked before anything decodes, so huge claims never allocate. */
static uint64_t claimed_pixels(const uint8_t *buf, size_t len)
{
    if (len >= 24 && buf[0] == 0x89 && memcmp(buf + 12, "IHDR", 4) == 0) {
        uint64_t w = (uint64_t)buf[16] << 24 | (uint64_t)buf[17] << 16 | buf[18] << 8 | buf[19];
        uint64_t h = (uint64_t)buf[20] << 24 | (uint64_t)buf[21] << 16 | buf[22] << 8 | buf[23];
        return w * h;
    }
    jpeg_segment_reader r;
    jpeg_segment s;
    if (jpeg_segments_begin(&r, buf, len) != SHROUD_OK)
        return 0;
    while (jpeg_segments_next(&r, &s) == 1) {
        int sof = s.marker >= 0xC0 && s.marker <= 0xCF && s.marker != 0xC4 && s.marker != 0xC8 &&
                  s.marker != 0xCC;
        if (sof && s.length >= 5)
            return (uint64_t)(s.data[1] << 8 | s.data[2]) * (uint64_t)(s.data[3] << 8 | s.data[4]);
    }
    return 0;
}

static int documented(int err)
{
    return err <= SHROUD_OK && err >= SHROUD_ERR_ALREADY_REDACTED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    uint64_t claimed = claimed_pixels(data, len);
    if (claimed == 0 || claimed > FUZZ_MAX_PIXELS)
        return 0;
    uint8_t *buf = (uint8_t *)fuzz_copy(data, len);
    shroud_image_info *info = NULL;
    int err = shroud_image_inspect(buf, len, &info);
    FUZZ_CHECK(documented(err));
    if (err == SHROUD_OK) {
        uint8_t *out = NULL;
        size_t out_len = 0;
        shroud_image_info *restored = NULL;
        const shroud_identity *ids[1] = {native_id};
        int r = shroud_restore(buf, len, ids, 1, give_passphrase, NULL, &out, &out_len, &restored);
        FUZZ_CHECK(documented(r));
        if (r == SHROUD_OK) {
            shroud_image_info *again = NULL;
            FUZZ_CHECK(shroud_image_inspect(out, out_len, &again) == SHROUD_OK);
            FUZZ_CHECK(again->format == info->format && again->width == info->width &&
                       again->height == info->height);
            FUZZ_CHECK(again->n_groups == 0 && !again->has_signature);
            shroud_image_info_free(again);
        } else {
            FUZZ_CHECK(out == NULL && restored == NULL);
        }
        shroud_image_info_free(restored);
        shroud_free(out);
        FUZZ_CHECK(documented(shroud_image_verify(buf, len, native_key)));
    }
    shroud_image_info_free(info);
    free(buf);
    return 0;
}
