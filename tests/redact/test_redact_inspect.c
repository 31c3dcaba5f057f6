/*
 * shroud_image_inspect on plain, redacted and signed files (format, size,
 * progressive flag, groups, styles, regions as requested and as covered,
 * stanza kinds, signer and signature status), its errors, and the image
 * limits every entry point enforces (docs/FORMAT.md section 5 "Limits"):
 * more than 32768 pixels on a side, more than 64 Mi pixels, or a file over
 * 512 MiB give SHROUD_ERR_IMAGE_LIMIT before anything large is allocated;
 * anything that is not a PNG or JPEG gives SHROUD_ERR_IMAGE_FORMAT, as do
 * 12-bit and lossless JPEGs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

#include "image/embedded.h"
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

static shroud_image_info *inspect(const uint8_t *img, size_t len)
{
    shroud_image_info *info = NULL;
    int err = shroud_image_inspect(img, len, &info);
    if (err)
        fail_msg("inspect: %s (%d)", shroud_strerror(err), err);
    assert_non_null(info);
    return info;
}

static void assert_plain(const shroud_image_info *info, int format, uint32_t w, uint32_t h,
                         int progressive)
{
    assert_int_equal(info->format, format);
    assert_int_equal(info->width, w);
    assert_int_equal(info->height, h);
    assert_int_equal(info->progressive, progressive);
    assert_int_equal(info->n_groups, 0);
    assert_false(info->has_signature);
    assert_null(info->signer);
    assert_int_equal(info->signature_status, SHROUD_ERR_NO_SIGNATURE);
}

static void test_plain_images(void **state)
{
    (void)state;
    ru_png_spec png = {.width = 13, .height = 7, .color_type = PNG_CT_PALETTE, .bit_depth = 2};
    size_t len;
    uint8_t *img = ru_png_make(&png, &len);
    shroud_image_info *info = inspect(img, len);
    assert_plain(info, SHROUD_IMAGE_PNG, 13, 7, 0);
    shroud_image_info_free(info);
    free(img);
    for (int progressive = 0; progressive <= 1; progressive++) {
        ju_spec spec = {.width = 21, .height = 34, .progressive = progressive};
        img = ju_make(&spec, &len);
        info = inspect(img, len);
        assert_plain(info, SHROUD_IMAGE_JPEG, 21, 34, progressive);
        shroud_image_info_free(info);
        free(img);
    }
    shroud_image_info_free(NULL);
}

/* Three groups: X25519, passphrase, RSA + X25519; styles and regions as
 * given, JPEG regions grown to 16x16 MCUs (4:2:0) and clipped to the image. */
static void test_redacted_images(void **state)
{
    (void)state;
    const shroud_region ra[2] = {{1, 2, 3, 4}, {40, 30, 10, 9}}, rb = {17, 0, 1, 1},
                        rc = {0, 0, 50, 39};
    for (int fmt = 0; fmt < 2; fmt++) {
        size_t len, red_len;
        uint8_t *img, *red;
        if (fmt == 0) {
            ru_png_spec spec = {
                .width = 50, .height = 39, .color_type = PNG_CT_RGB, .bit_depth = 8};
            img = ru_png_make(&spec, &len);
        } else {
            ju_spec spec = {.width = 50, .height = 39, .progressive = 1};
            img = ju_make(&spec, &len);
        }
        const shroud_recipient *ka[1] = {alice_pub}, *kc[2] = {rsa_pub, bob_pub};
        ru_group groups[3] = {{"faces", SHROUD_STYLE_PIXELATE, ra, 2, ka, 1, NULL},
                              {"plate.1", SHROUD_STYLE_FILL, &rb, 1, NULL, 0, "pw"},
                              {"all_of-it", SHROUD_STYLE_BLUR, &rc, 1, kc, 2, NULL}};
        red = ru_redact(img, len, groups, 3, NULL, &red_len);
        shroud_image_info *info = inspect(red, red_len);
        assert_int_equal(info->format, fmt == 0 ? SHROUD_IMAGE_PNG : SHROUD_IMAGE_JPEG);
        assert_int_equal(info->width, 50);
        assert_int_equal(info->height, 39);
        assert_int_equal(info->progressive, fmt == 1);
        assert_int_equal(info->n_groups, 3);
        assert_false(info->has_signature);
        for (int g = 0; g < 3; g++) {
            const shroud_group_info *gi = &info->groups[g];
            assert_string_equal(gi->name, groups[g].name);
            assert_int_equal(gi->style, groups[g].style);
            assert_int_equal(gi->n_regions, groups[g].n_regions);
            assert_memory_equal(gi->regions, groups[g].regions,
                                groups[g].n_regions * sizeof(shroud_region));
            for (size_t i = 0; i < gi->n_regions; i++) {
                shroud_region want = ru_cover(img, len, &groups[g].regions[i]);
                assert_memory_equal(&gi->covered[i], &want, sizeof want);
            }
        }
        assert_int_equal(info->groups[0].n_stanzas, 1);
        assert_int_equal(info->groups[0].stanza_kinds, 1u << SHROUD_STANZA_X25519);
        assert_int_equal(info->groups[1].n_stanzas, 1);
        assert_int_equal(info->groups[1].stanza_kinds, 1u << SHROUD_STANZA_SCRYPT);
        assert_int_equal(info->groups[2].n_stanzas, 2);
        assert_int_equal(info->groups[2].stanza_kinds,
                         1u << SHROUD_STANZA_RSA_OAEP | 1u << SHROUD_STANZA_X25519);
        if (fmt == 1) { /* spelled out: 4:2:0, MCU 16x16, image 50x39 */
            const shroud_region want0 = {0, 0, 16, 16}, want1 = {32, 16, 18, 23},
                                want_b = {16, 0, 16, 16}, want_c = {0, 0, 50, 39};
            assert_memory_equal(&info->groups[0].covered[0], &want0, sizeof want0);
            assert_memory_equal(&info->groups[0].covered[1], &want1, sizeof want1);
            assert_memory_equal(&info->groups[1].covered[0], &want_b, sizeof want_b);
            assert_memory_equal(&info->groups[2].covered[0], &want_c, sizeof want_c);
        }
        shroud_image_info_free(info);
        free(red);
        free(img);
    }
}

static void test_signed_images(void **state)
{
    (void)state;
    ju_spec spec = {.width = 24, .height = 24, .comment = 1};
    size_t len;
    uint8_t *img = ju_make(&spec, &len);
    const shroud_identity *signers[2] = {alice, rsa};
    const shroud_recipient *pubs[2] = {alice_pub, rsa_pub};
    for (int s = 0; s < 2; s++) {
        uint8_t *signed_img = NULL;
        size_t s_len;
        assert_int_equal(shroud_image_sign(img, len, signers[s], &signed_img, &s_len), SHROUD_OK);
        shroud_image_info *info = inspect(signed_img, s_len);
        assert_true(info->has_signature);
        assert_int_equal(info->signature_status, SHROUD_OK);
        char *text = NULL;
        size_t text_len;
        assert_int_equal(shroud_recipient_format(pubs[s], &text, &text_len), SHROUD_OK);
        assert_non_null(info->signer);
        assert_string_equal(info->signer, text);
        uint8_t id[SHROUD_KEY_ID_BYTES];
        assert_int_equal(shroud_recipient_key_id(pubs[s], id), SHROUD_OK);
        assert_memory_equal(info->signer_key_id, id, sizeof id);
        shroud_free(text);
        shroud_image_info_free(info);
        /* changed after signing: inspect still describes it, status says so */
        size_t com = ju_find_marker(signed_img, s_len, 0xFE);
        assert_true(com != SIZE_MAX);
        signed_img[com + 5] ^= 0x01;
        info = inspect(signed_img, s_len);
        assert_true(info->has_signature);
        assert_int_equal(info->signature_status, SHROUD_ERR_SIGNATURE);
        shroud_image_info_free(info);
        shroud_free(signed_img);
    }
    free(img);
}

static void test_inspect_errors(void **state)
{
    (void)state;
    shroud_image_info *info = (shroud_image_info *)&info;
    static const uint8_t garbage[] = "GIF89a, or anything else";
    assert_int_equal(shroud_image_inspect(garbage, sizeof garbage, &info), SHROUD_ERR_IMAGE_FORMAT);
    assert_null(info);
    assert_int_equal(shroud_image_inspect(garbage, 0, &info), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(shroud_image_inspect(NULL, 10, &info), SHROUD_ERR_ARGUMENT);
    assert_int_equal(shroud_image_inspect(garbage, sizeof garbage, NULL), SHROUD_ERR_ARGUMENT);

    ru_png_spec spec = {.width = 20, .height = 10, .color_type = PNG_CT_GRAY, .bit_depth = 8};
    size_t len, red_len;
    uint8_t *img = ru_png_make(&spec, &len);
    /* just the PNG signature; the file cut before IEND */
    assert_int_equal(shroud_image_inspect(img, 8, &info), SHROUD_ERR_IMAGE);
    assert_int_equal(shroud_image_inspect(img, len - 1, &info), SHROUD_ERR_IMAGE);
    assert_null(info);
    /* a record whose layout is damaged, or names the other format */
    shroud_region r = {0, 0, 5, 5};
    uint8_t *red = ru_redact_one(img, len, SHROUD_STYLE_NOISE, &r, 1, alice_pub, &red_len);
    size_t plen, f_len;
    uint8_t *payload = ru_payload(red, red_len, EMBED_RECORD, &plen);
    payload[0] ^= 0x20;
    uint8_t *f = ru_with_payload(red, red_len, EMBED_RECORD, payload, plen, &f_len);
    assert_int_equal(shroud_image_inspect(f, f_len, &info), SHROUD_ERR_RECORD);
    assert_null(info);
    free(f);
    payload[0] ^= 0x20;
    payload[8] = SHROUD_IMAGE_JPEG;
    f = ru_with_payload(red, red_len, EMBED_RECORD, payload, plen, &f_len);
    assert_int_equal(shroud_image_inspect(f, f_len, &info), SHROUD_ERR_RECORD_MISMATCH);
    free(f);
    free(payload);
    free(red);
    free(img);
}

/* ---- limits ------------------------------------------------------------------------------- */

/* A PNG with this header, a valid zlib IDAT of `raw` zero bytes and IEND. */
static uint8_t *crafted_png(uint32_t w, uint32_t h, uint8_t depth, size_t raw, size_t *len)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    tu_buf b = {0};
    tu_buf_write(&b, sig, sizeof sig);
    uint8_t ihdr[13] = {(uint8_t)(w >> 24),
                        (uint8_t)(w >> 16),
                        (uint8_t)(w >> 8),
                        (uint8_t)w,
                        (uint8_t)(h >> 24),
                        (uint8_t)(h >> 16),
                        (uint8_t)(h >> 8),
                        (uint8_t)h,
                        depth,
                        0,
                        0,
                        0,
                        0};
    ru_png_chunk_append(&b, "IHDR", ihdr, sizeof ihdr);
    uint8_t *zeros = calloc(raw ? raw : 1, 1);
    assert_non_null(zeros);
    uLongf z_len = compressBound((uLong)raw);
    uint8_t *z = malloc(z_len);
    assert_non_null(z);
    assert_int_equal(compress2(z, &z_len, zeros, (uLong)raw, 9), Z_OK);
    ru_png_chunk_append(&b, "IDAT", z, (uint32_t)z_len);
    ru_png_chunk_append(&b, "IEND", NULL, 0);
    free(z);
    free(zeros);
    *len = b.len;
    return b.data;
}

/* A JPEG header (SOI, DQT, SOFn, SOS, a few zero bytes, EOI): enough for
 * libjpeg to read the size; the entropy data is not valid. */
static size_t crafted_jpeg(uint8_t *out, uint8_t sof, uint8_t precision, uint16_t w, uint16_t h)
{
    size_t n = 0;
    const uint8_t head[] = {0xFF, 0xD8, 0xFF, 0xDB, 0, 67, 0};
    memcpy(out, head, sizeof head);
    n += sizeof head;
    memset(out + n, 1, 64);
    n += 64;
    const uint8_t sof_seg[] = {
        0xFF,       sof, 0, 11,   precision, (uint8_t)(h >> 8), (uint8_t)h, (uint8_t)(w >> 8),
        (uint8_t)w, 1,   1, 0x11, 0};
    memcpy(out + n, sof_seg, sizeof sof_seg);
    n += sizeof sof_seg;
    const uint8_t sos[] = {0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0};
    memcpy(out + n, sos, sizeof sos);
    n += sizeof sos;
    memset(out + n, 0, 16);
    n += 16;
    out[n++] = 0xFF;
    out[n++] = 0xD9;
    return n;
}

/* What each entry point says about a file. */
static void assert_refused(const uint8_t *img, size_t len, int expected, const char *what)
{
    shroud_redactor *r = (shroud_redactor *)&r;
    int err = shroud_redactor_new(&r, img, len);
    if (err != expected)
        fail_msg("%s: shroud_redactor_new gives %d (%s), expected %d", what, err,
                 shroud_strerror(err), expected);
    assert_null(r);
    shroud_image_info *info = NULL;
    err = shroud_image_inspect(img, len, &info);
    if (err != expected)
        fail_msg("%s: shroud_image_inspect gives %d (%s), expected %d", what, err,
                 shroud_strerror(err), expected);
    assert_null(info);
}

static void test_png_limits(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = crafted_png(40000, 40000, 8, 100, &len);
    assert_refused(png, len, SHROUD_ERR_IMAGE_LIMIT, "PNG 40000x40000");
    /* the same with a record on it: restore refuses it too */
    ru_png_spec spec = {.width = 8, .height = 8, .color_type = PNG_CT_GRAY, .bit_depth = 8};
    size_t small_len, red_len, plen, f_len;
    uint8_t *small = ru_png_make(&spec, &small_len);
    shroud_region r = {0, 0, 2, 2};
    uint8_t *red = ru_redact_one(small, small_len, SHROUD_STYLE_FILL, &r, 1, alice_pub, &red_len);
    uint8_t *payload = ru_payload(red, red_len, EMBED_RECORD, &plen);
    uint8_t *f = ru_with_payload(png, len, EMBED_RECORD, payload, plen, &f_len);
    const shroud_identity *ids[1] = {alice};
    const int limit[] = {SHROUD_ERR_IMAGE_LIMIT};
    ru_restore_fails(f, f_len, ids, 1, NULL, limit, 1, "restore of a PNG 40000x40000");
    free(f);
    free(payload);
    free(red);
    free(small);
    free(png);

    const struct {
        uint32_t w, h;
    } over[] = {{32769, 1}, {1, 32769}, {8193, 8193}, {32768, 2049}, {0x7fffffffu, 1}};
    for (size_t i = 0; i < N_ITEMS(over); i++) {
        png = crafted_png(over[i].w, over[i].h, 1, 64, &len);
        char what[64];
        snprintf(what, sizeof what, "PNG %ux%u", over[i].w, over[i].h);
        assert_refused(png, len, SHROUD_ERR_IMAGE_LIMIT, what);
        free(png);
    }

    /* 32768 pixels on a side is allowed, and redacts and restores */
    png = crafted_png(32768, 1, 1, 1 + 32768 / 8, &len);
    shroud_redactor *rd = NULL;
    assert_int_equal(shroud_redactor_new(&rd, png, len), SHROUD_OK);
    uint32_t w, h;
    assert_int_equal(shroud_redactor_size(rd, &w, &h), SHROUD_OK);
    assert_int_equal(w, 32768);
    assert_int_equal(h, 1);
    shroud_redactor_free(rd);
    shroud_region all = {0, 0, 32768, 1};
    red = ru_redact_one(png, len, SHROUD_STYLE_NOISE, &all, 1, alice_pub, &red_len);
    size_t res_len;
    uint8_t *res = ru_restore(red, red_len, ids, 1, NULL, &res_len, NULL);
    ru_assert_same_image(png, len, res, res_len, "PNG 32768x1");
    free(res);
    free(red);
    free(png);
}

static void test_jpeg_limits(void **state)
{
    (void)state;
    uint8_t jpeg[256];
    const struct {
        uint16_t w, h;
    } over[] = {{9000, 8000}, {8193, 8193}, {40000, 8}, {8, 40000}, {65500, 65500}};
    for (size_t i = 0; i < N_ITEMS(over); i++) {
        size_t len = crafted_jpeg(jpeg, 0xC0, 8, over[i].w, over[i].h);
        char what[64];
        snprintf(what, sizeof what, "JPEG %ux%u", over[i].w, over[i].h);
        assert_refused(jpeg, len, SHROUD_ERR_IMAGE_LIMIT, what);
    }
    /* 12-bit and lossless JPEGs are not supported */
    size_t len = crafted_jpeg(jpeg, 0xC1, 12, 16, 16);
    assert_refused(jpeg, len, SHROUD_ERR_IMAGE_FORMAT, "12-bit JPEG");
    len = crafted_jpeg(jpeg, 0xC3, 8, 16, 16);
    assert_refused(jpeg, len, SHROUD_ERR_IMAGE_FORMAT, "lossless JPEG");
}

/* A file over SHROUD_IMAGE_MAX_FILE_BYTES: a small image followed by a
 * huge private chunk (PNG) or trailing zeros (JPEG), in anonymous memory
 * that is only read (a private mapping of /dev/zero: zero pages, nothing
 * resident). */
static void test_file_size_limit(void **state)
{
    (void)state;
    const size_t big = (size_t)SHROUD_IMAGE_MAX_FILE_BYTES + 4096;
    int fd = open("/dev/zero", O_RDONLY);
    assert_true(fd >= 0);
    uint8_t *m = mmap(NULL, big + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    assert_true(m != MAP_FAILED);
    close(fd);

    /* JPEG: the image, then zeros */
    ju_spec spec = {.width = 16, .height = 16};
    size_t len;
    uint8_t *jpeg = ju_make(&spec, &len);
    memcpy(m, jpeg, len);
    assert_refused(m, big, SHROUD_ERR_IMAGE_LIMIT, "JPEG over 512 MiB");
    free(jpeg);

    /* PNG: signature, IHDR, a safe-to-copy private chunk of zeros whose CRC
     * is right, IDAT, IEND */
    ru_png_spec pspec = {.width = 4, .height = 4, .color_type = PNG_CT_GRAY, .bit_depth = 8};
    uint8_t *png = ru_png_make(&pspec, &len);
    const size_t head = 8 + 12 + 13, tail = len - head;
    const size_t chunk_data = big - head - tail - 12;
    memcpy(m, png, head);
    uint8_t *c = m + head;
    c[0] = (uint8_t)(chunk_data >> 24);
    c[1] = (uint8_t)(chunk_data >> 16);
    c[2] = (uint8_t)(chunk_data >> 8);
    c[3] = (uint8_t)chunk_data;
    memcpy(c + 4, "prVt", 4);
    memset(c + 8, 0, 4096); /* the first page was the JPEG */
    uLong crc = crc32(0, c + 4, 4);
    crc = crc32_z(crc, c + 8, chunk_data);
    uint8_t *crc_at = c + 8 + chunk_data;
    crc_at[0] = (uint8_t)(crc >> 24);
    crc_at[1] = (uint8_t)(crc >> 16);
    crc_at[2] = (uint8_t)(crc >> 8);
    crc_at[3] = (uint8_t)crc;
    memcpy(crc_at + 4, png + head, tail);
    assert_true(crc_at + 4 + tail == m + big);
    assert_refused(m, big, SHROUD_ERR_IMAGE_LIMIT, "PNG over 512 MiB");
    free(png);
    munmap(m, big + 4096);
}

/* Not an image: every entry point says so. */
static void test_not_an_image(void **state)
{
    (void)state;
    static const uint8_t *const inputs[] = {
        (const uint8_t *)"plain text, nothing more",
        (const uint8_t *)"\x89PNG\r\n\x1a", /* one byte short of the signature */
        (const uint8_t *)"\xFF\xD8",        /* SOI without a marker after it */
        (const uint8_t *)"GIF89a\x01\x00\x01\x00",
    };
    const size_t lens[] = {24, 7, 2, 10};
    for (size_t i = 0; i < N_ITEMS(inputs); i++) {
        char what[32];
        snprintf(what, sizeof what, "not an image #%zu", i);
        assert_refused(inputs[i], lens[i], SHROUD_ERR_IMAGE_FORMAT, what);
        const int format[] = {SHROUD_ERR_IMAGE_FORMAT};
        const shroud_identity *ids[1] = {alice};
        ru_restore_fails(inputs[i], lens[i], ids, 1, NULL, format, 1, what);
        assert_int_equal(shroud_image_verify(inputs[i], lens[i], alice_pub),
                         SHROUD_ERR_IMAGE_FORMAT);
    }
    /* a plain image has nothing to restore */
    ru_png_spec spec = {.width = 4, .height = 4, .color_type = PNG_CT_GRAY, .bit_depth = 8};
    size_t len;
    uint8_t *png = ru_png_make(&spec, &len);
    const int no_record[] = {SHROUD_ERR_NO_RECORD};
    const shroud_identity *ids[1] = {alice};
    ru_restore_fails(png, len, ids, 1, NULL, no_record, 1, "plain PNG");
    free(png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_images),    cmocka_unit_test(test_redacted_images),
        cmocka_unit_test(test_signed_images),   cmocka_unit_test(test_inspect_errors),
        cmocka_unit_test(test_png_limits),      cmocka_unit_test(test_jpeg_limits),
        cmocka_unit_test(test_file_size_limit), cmocka_unit_test(test_not_an_image),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
