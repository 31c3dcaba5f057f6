/*
 * Embedded image signatures (shroud_image_sign / shroud_image_verify and
 * shroud_redactor_sign), on PNG and JPEG, native and RSA signers:
 *  - a signed file verifies with the signer's key: SHROUD_OK; with another
 *    key: SHROUD_ERR_WRONG_SIGNER; unsigned: SHROUD_ERR_NO_SIGNATURE;
 *  - any change after signing (pixels, metadata, the redaction record)
 *    gives SHROUD_ERR_SIGNATURE; a damaged signature block never verifies;
 *  - signing again replaces the signature (one block, the new signer);
 *  - the signature covers the record, and survives nothing but itself:
 *    restore writes a file without any signature, and a signed unredacted
 *    file redacted without a signer comes out unsigned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/embedded.h"
#include "image/jpeg_coeffs.h"
#include "jpeg_util.h"
#include "redact_util.h"

static shroud_identity *alice, *bob, *rsa;
static shroud_recipient *alice_pub, *bob_pub, *rsa_pub;

static int setup(void **state)
{
    (void)state;
    alice = ru_native_identity();
    bob = ru_native_identity();
    rsa = ru_rsa_identity();
    alice_pub = ru_recipient_of(alice);
    bob_pub = ru_recipient_of(bob);
    rsa_pub = ru_recipient_of(rsa);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(alice);
    shroud_identity_free(bob);
    shroud_identity_free(rsa);
    shroud_recipient_free(alice_pub);
    shroud_recipient_free(bob_pub);
    shroud_recipient_free(rsa_pub);
    return 0;
}

enum { FMT_PNG, FMT_JPEG, N_FORMATS };

static uint8_t *make_image(int fmt, size_t *len)
{
    if (fmt == FMT_PNG) {
        ru_png_spec spec = {
            .width = 30, .height = 20, .color_type = PNG_CT_RGB, .bit_depth = 8, .text = true};
        return ru_png_make(&spec, len);
    }
    ju_spec spec = {.width = 40, .height = 24, .comment = 1};
    return ju_make(&spec, len);
}

static uint8_t *sign(const uint8_t *img, size_t len, const shroud_identity *who, size_t *out_len)
{
    uint8_t *out = NULL;
    assert_int_equal(shroud_image_sign(img, len, who, &out, out_len), SHROUD_OK);
    uint8_t *copy = ru_dup(out, *out_len);
    shroud_free(out);
    return copy;
}

/* A change to the image content that keeps the container valid: a PNG
 * pixel (decoded, changed, encoded with the shroud chunks carried over) or
 * a JPEG comment byte. */
static uint8_t *content_changed(int fmt, const uint8_t *file, size_t len, size_t *out_len)
{
    if (fmt == FMT_JPEG) {
        size_t com = ju_find_marker(file, len, 0xFE);
        assert_true(com != SIZE_MAX);
        uint8_t *f = ru_dup(file, len);
        f[com + 4] ^= 0x01;
        *out_len = len;
        return f;
    }
    png_raster *img = ru_png_decode(file, len);
    png_raster_pixel(img, 0, 0)[0] ^= 0x01;
    size_t off[8], size[8];
    size_t n = ru_blocks(file, len, EMBED_RECORD, off, size, 8);
    n += ru_blocks(file, len, EMBED_SIGNATURE, off + n, size + n, 8 - n);
    tu_buf extra = {0};
    for (size_t i = 0; i < n; i++)
        tu_buf_write(&extra, file + off[i], size[i]);
    bytebuf out = {0};
    assert_int_equal(png_raster_encode(img, extra.data, extra.len, PNG_DEFAULT_LEVEL, &out),
                     SHROUD_OK);
    tu_buf_free(&extra);
    png_raster_free(img);
    *out_len = out.len;
    return out.data;
}

static void test_sign_and_verify(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t len, s_len;
        uint8_t *img = make_image(fmt, &len);
        assert_int_equal(shroud_image_verify(img, len, alice_pub), SHROUD_ERR_NO_SIGNATURE);
        const shroud_identity *signers[2] = {alice, rsa};
        const shroud_recipient *pubs[2] = {alice_pub, rsa_pub};
        for (int s = 0; s < 2; s++) {
            uint8_t *signed_img = sign(img, len, signers[s], &s_len);
            assert_int_equal(shroud_image_verify(signed_img, s_len, pubs[s]), SHROUD_OK);
            assert_int_equal(shroud_image_verify(signed_img, s_len, bob_pub),
                             SHROUD_ERR_WRONG_SIGNER);
            assert_int_equal(shroud_image_verify(signed_img, s_len, pubs[1 - s]),
                             SHROUD_ERR_WRONG_SIGNER);
            /* the image itself is untouched: removing the signature gives it back */
            size_t bare_len;
            uint8_t *bare = ru_with_payload(signed_img, s_len, EMBED_SIGNATURE, NULL, 0, &bare_len);
            assert_int_equal(bare_len, len);
            assert_memory_equal(bare, img, len);
            free(bare);
            /* content changed after signing */
            size_t c_len;
            uint8_t *changed = content_changed(fmt, signed_img, s_len, &c_len);
            assert_int_equal(shroud_image_verify(changed, c_len, pubs[s]), SHROUD_ERR_SIGNATURE);
            free(changed);
            /* signing again replaces: one block, the new signer */
            size_t again_len, off[4], size[4];
            uint8_t *again = sign(signed_img, s_len, bob, &again_len);
            assert_int_equal(ru_blocks(again, again_len, EMBED_SIGNATURE, off, size, 4), 1);
            assert_int_equal(shroud_image_verify(again, again_len, bob_pub), SHROUD_OK);
            assert_int_equal(shroud_image_verify(again, again_len, pubs[s]),
                             SHROUD_ERR_WRONG_SIGNER);
            free(again);
            free(signed_img);
        }
        assert_int_equal(shroud_image_verify(NULL, len, alice_pub), SHROUD_ERR_ARGUMENT);
        assert_int_equal(shroud_image_verify(img, len, NULL), SHROUD_ERR_ARGUMENT);
        static const uint8_t junk[] = "not an image at all";
        assert_int_equal(shroud_image_verify(junk, sizeof junk, alice_pub),
                         SHROUD_ERR_IMAGE_FORMAT);
        uint8_t *out = (uint8_t *)junk;
        size_t out_len = 1;
        assert_int_equal(shroud_image_sign(junk, sizeof junk, alice, &out, &out_len),
                         SHROUD_ERR_IMAGE_FORMAT);
        assert_null(out);
        free(img);
    }
}

/* Each byte of the signature payload flipped: never SHROUD_OK. */
static void test_signature_payload_flipped(void **state)
{
    (void)state;
    static const int allowed[] = {SHROUD_ERR_SIGNATURE, SHROUD_ERR_SIGNATURE_FORMAT,
                                  SHROUD_ERR_WRONG_SIGNER, SHROUD_ERR_VERSION};
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t len, s_len, plen;
        uint8_t *img = make_image(fmt, &len);
        uint8_t *signed_img = sign(img, len, alice, &s_len);
        uint8_t *payload = ru_payload(signed_img, s_len, EMBED_SIGNATURE, &plen);
        assert_non_null(payload);
        for (size_t i = 0; i < plen; i++) {
            uint8_t *t = ru_dup(payload, plen);
            t[i] ^= 0x04;
            size_t f_len;
            uint8_t *f = ru_with_payload(signed_img, s_len, EMBED_SIGNATURE, t, plen, &f_len);
            int err = shroud_image_verify(f, f_len, alice_pub);
            int ok = 0;
            for (size_t k = 0; k < N_ITEMS(allowed); k++)
                ok |= err == allowed[k];
            if (!ok)
                fail_msg("signature byte %zu flipped: verify gives %d (%s)", i, err,
                         shroud_strerror(err));
            /* inspect reports it and does not vouch for it */
            shroud_image_info *info = NULL;
            assert_int_equal(shroud_image_inspect(f, f_len, &info), SHROUD_OK);
            assert_true(info->has_signature);
            assert_int_not_equal(info->signature_status, SHROUD_OK);
            shroud_image_info_free(info);
            free(f);
            free(t);
        }
        free(payload);
        free(signed_img);
        free(img);
    }
}

/* Signed while redacting: the signature covers the record; changing the
 * record breaks it; restore drops it. */
static void test_signed_redaction(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t len, red_len, res_len, plen;
        uint8_t *img = make_image(fmt, &len);
        const shroud_region r = {4, 4, 12, 10};
        const shroud_recipient *rs[1] = {bob_pub};
        ru_group g = {"g", SHROUD_STYLE_NOISE, &r, 1, rs, 1, NULL};
        ru_options opts = {.signer = alice};
        uint8_t *red = ru_redact(img, len, &g, 1, &opts, &red_len);
        assert_int_equal(shroud_image_verify(red, red_len, alice_pub), SHROUD_OK);
        assert_int_equal(shroud_image_verify(red, red_len, bob_pub), SHROUD_ERR_WRONG_SIGNER);

        /* the record's region list changed (a valid one): signature broken */
        uint8_t *payload = ru_payload(red, red_len, EMBED_RECORD, &plen);
        uint8_t *t = ru_dup(payload, plen);
        t[19 + 1 + 1 + 1 + 2 + 3] += 1; /* first region's x */
        size_t f_len;
        uint8_t *f = ru_with_payload(red, red_len, EMBED_RECORD, t, plen, &f_len);
        assert_int_equal(shroud_image_verify(f, f_len, alice_pub), SHROUD_ERR_SIGNATURE);
        free(f);
        free(t);
        /* the record removed: signature broken */
        f = ru_with_payload(red, red_len, EMBED_RECORD, NULL, 0, &f_len);
        assert_int_equal(shroud_image_verify(f, f_len, alice_pub), SHROUD_ERR_SIGNATURE);
        free(f);
        free(payload);
        /* content changed */
        f = content_changed(fmt, red, red_len, &f_len);
        assert_int_equal(shroud_image_verify(f, f_len, alice_pub), SHROUD_ERR_SIGNATURE);
        free(f);

        /* restore: the original image, no signature, no record */
        const shroud_identity *ids[1] = {bob};
        uint8_t *res = ru_restore(red, red_len, ids, 1, NULL, &res_len, NULL);
        ru_assert_same_image(img, len, res, res_len, "signed redaction restored");
        assert_int_equal(shroud_image_verify(res, res_len, alice_pub), SHROUD_ERR_NO_SIGNATURE);
        size_t n;
        assert_null(ru_payload(res, res_len, EMBED_SIGNATURE, &n));
        assert_null(ru_payload(res, res_len, EMBED_RECORD, &n));
        free(res);
        free(red);

        /* signed after redaction (shroud sign later): restore still works */
        red = ru_redact(img, len, &g, 1, NULL, &red_len);
        size_t s_len;
        uint8_t *signed_red = sign(red, red_len, rsa, &s_len);
        assert_int_equal(shroud_image_verify(signed_red, s_len, rsa_pub), SHROUD_OK);
        res = ru_restore(signed_red, s_len, ids, 1, NULL, &res_len, NULL);
        ru_assert_same_image(img, len, res, res_len, "signed later, restored");
        assert_int_equal(shroud_image_verify(res, res_len, rsa_pub), SHROUD_ERR_NO_SIGNATURE);
        free(res);
        free(signed_red);
        free(red);
        free(img);
    }
}

/* A signed file redacted without a signer comes out unsigned (the old
 * signature would no longer hold); with a signer it carries the new one. */
static void test_redacting_a_signed_file(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t len, s_len, red_len;
        uint8_t *img = make_image(fmt, &len);
        uint8_t *signed_img = sign(img, len, alice, &s_len);
        const shroud_region r = {1, 1, 5, 5};
        uint8_t *red =
            ru_redact_one(signed_img, s_len, SHROUD_STYLE_FILL, &r, 1, bob_pub, &red_len);
        assert_int_equal(shroud_image_verify(red, red_len, alice_pub), SHROUD_ERR_NO_SIGNATURE);
        free(red);
        const shroud_recipient *rs[1] = {bob_pub};
        ru_group g = {"g", SHROUD_STYLE_FILL, &r, 1, rs, 1, NULL};
        ru_options opts = {.signer = bob};
        red = ru_redact(signed_img, s_len, &g, 1, &opts, &red_len);
        assert_int_equal(shroud_image_verify(red, red_len, bob_pub), SHROUD_OK);
        assert_int_equal(shroud_image_verify(red, red_len, alice_pub), SHROUD_ERR_WRONG_SIGNER);
        size_t off[4], size[4];
        assert_int_equal(ru_blocks(red, red_len, EMBED_SIGNATURE, off, size, 4), 1);
        free(red);
        free(signed_img);
        free(img);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_and_verify),
        cmocka_unit_test(test_signature_payload_flipped),
        cmocka_unit_test(test_signed_redaction),
        cmocka_unit_test(test_redacting_a_signed_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
