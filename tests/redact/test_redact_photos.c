/*
 * Real photographs (tests/data): a camera JPEG written by libjpeg with
 * optimized tables and ICC/COM segments, a Photoshop JPEG (EXIF, XMP, ICC,
 * Ducky, Adobe; all quantisation and Huffman tables grouped in one DQT and
 * one DHT segment), a gray and an RGB PNG. Redacted with every style: what
 * lies outside the regions (JPEG: their MCUs) is untouched; restore gives
 * the same coefficients and pixels. Byte identity (docs/redaction.md):
 * the libjpeg-written file comes back byte-identical with every style; the
 * Photoshop file (grouped tables) does when the redaction was spliced, i.e.
 * when its own optimized tables can code the obscured blocks: fill,
 * pixelate and blur (DC only), not noise (which goes through libjpeg and
 * new tables, so restore writes libjpeg's layout).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/embedded.h"
#include "jpeg_util.h"
#include "redact_util.h"

#define DATA_DIR SHROUD_TEST_VECTORS "/../data/"

static shroud_identity *alice;
static shroud_recipient *alice_pub;

static int setup(void **state)
{
    (void)state;
    alice = ru_native_identity();
    alice_pub = ru_recipient_of(alice);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(alice);
    shroud_recipient_free(alice_pub);
    return 0;
}

static const struct {
    const char *file;
    unsigned identical_styles; /* JPEG: bit s set: a full restore after style s gives the
                                  original bytes */
} photos[] = {
    {"rocket.jpg", 0xF},
    {"hubble_deep_field.jpg", 0xF & ~(1u << SHROUD_STYLE_NOISE)},
    {"camera.png", 0},
    {"chelsea.png", 0},
};

static void test_photos(void **state)
{
    (void)state;
    for (size_t p = 0; p < N_ITEMS(photos); p++) {
        size_t len;
        char path[512];
        snprintf(path, sizeof path, "%s%s", DATA_DIR, photos[p].file);
        uint8_t *img = tu_read_file(path, &len);
        shroud_image_info *info = NULL;
        assert_int_equal(shroud_image_inspect(img, len, &info), SHROUD_OK);
        uint32_t w = info->width, h = info->height;
        shroud_image_info_free(info);
        /* a face-sized box, a strip along the bottom edge, a corner */
        const shroud_region regions[3] = {
            {w / 3, h / 4, w / 5, h / 4}, {0, h - 9, w, 9}, {w - 30, 0, 30, 30}};
        for (int style = SHROUD_STYLE_NOISE; style <= SHROUD_STYLE_BLUR; style++) {
            char what[96];
            snprintf(what, sizeof what, "%s style %d", photos[p].file, style);
            size_t red_len, res_len;
            uint8_t *red = ru_redact_one(img, len, style, regions, 3, alice_pub, &red_len);
            ru_assert_same_outside(img, len, red, red_len, regions, 3, what);
            for (int i = 0; i < 3; i++)
                if (ru_same_inside(img, len, red, red_len, &regions[i]))
                    fail_msg("%s: region %d was not obscured", what, i);
            const shroud_identity *ids[1] = {alice};
            uint8_t *res = ru_restore(red, red_len, ids, 1, NULL, &res_len, NULL);
            ru_assert_same_image(img, len, res, res_len, what);
            if (image_sniff(img, len) == IMAGE_FORMAT_JPEG) {
                int identical = res_len == len && memcmp(res, img, len) == 0;
                if (identical != (int)(photos[p].identical_styles >> style & 1u))
                    fail_msg("%s: restore %s byte-identical", what,
                             identical ? "unexpectedly is" : "is not");
            }
            free(red);
            free(res);
        }
        free(img);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_photos),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
