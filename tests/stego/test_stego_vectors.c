/*
 * test_stego_vectors.c — the format does not move: stego PNGs made by an
 * earlier shroud (tests/stego/vectors, see its README) reveal with this one.
 * They cover the 8-bit fast path with unusable samples inside cells
 * (saturated patches and scattered zeros), the general path (RGBA with
 * transparent pixels, 16-bit gray), and the passphrase mode (salt at the
 * public positions). A wrong identity finds nothing in them, and hiding in
 * the vectors' cover with this shroud changes only usable samples, by 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shroud.h"
#include "stego_util.h"
#include "testutil.h"

#define VECTORS SHROUD_TEST_VECTORS "/../stego/vectors/"

static uint8_t *read_vector(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", VECTORS, name);
    return tu_read_file(path, len);
}

static shroud_identity *vector_identity(void)
{
    size_t len;
    uint8_t *text = read_vector("identity.key", &len);
    shroud_identity *id = NULL;
    assert_int_equal(shroud_identity_parse(&id, (const char *)text, len, NULL, NULL), SHROUD_OK);
    free(text);
    return id;
}

static void check_reveals(const char *file, const shroud_identity *id, const char *pass)
{
    size_t len, msg_len, got_len = 0;
    uint8_t *png = read_vector(file, &len), *msg = read_vector("message.bin", &msg_len);
    uint8_t *got = NULL;
    const shroud_identity *ids[1] = {id};
    int err = shroud_stego_reveal(png, len, id ? ids : NULL, id ? 1 : 0, NULL, 0, pass,
                                  pass ? strlen(pass) : 0, &got, &got_len);
    if (err != SHROUD_OK)
        fail_msg("%s does not reveal: %s", file, shroud_strerror(err));
    assert_int_equal(got_len, msg_len);
    assert_memory_equal(got, msg, msg_len);
    shroud_free_secret(got, got_len);
    free(msg);
    free(png);
}

static void test_vectors_of_every_path_reveal(void **state)
{
    (void)state;
    shroud_identity *id = vector_identity();
    check_reveals("stego_rgb8_x25519.png", id, NULL);
    check_reveals("stego_rgba8_x25519.png", id, NULL);
    check_reveals("stego_gray16_x25519.png", id, NULL);
    size_t plen;
    char *pass = (char *)read_vector("passphrase.txt", &plen);
    char *p = calloc(plen + 1, 1);
    assert_non_null(p);
    memcpy(p, pass, plen);
    check_reveals("stego_rgb8_passphrase.png", NULL, p);
    free(p);
    free(pass);
    shroud_identity_free(id);
}

static void test_other_identity_finds_nothing(void **state)
{
    (void)state;
    shroud_identity *other = NULL;
    assert_int_equal(shroud_identity_generate(&other), SHROUD_OK);
    size_t len;
    uint8_t *png = read_vector("stego_rgb8_x25519.png", &len), *got = NULL;
    size_t got_len = 0;
    const shroud_identity *ids[1] = {other};
    assert_int_equal(shroud_stego_reveal(png, len, ids, 1, NULL, 0, NULL, 0, &got, &got_len),
                     SHROUD_ERR_NO_MESSAGE);
    assert_null(got);
    free(png);
    shroud_identity_free(other);
}

/* Today's hide into the vectors' cover reveals, and the stego image keeps
 * the cover's usable set with changes of +-1 only (su_check_stego). */
static void test_hide_in_vector_cover_round_trips(void **state)
{
    (void)state;
    shroud_identity *id = vector_identity();
    shroud_recipient *rec = NULL;
    assert_int_equal(shroud_identity_recipient(id, &rec), SHROUD_OK);
    size_t len, msg_len, out_len = 0, got_len = 0;
    uint8_t *cover = read_vector("cover_rgb8.png", &len),
            *msg = read_vector("message.bin", &msg_len);
    shroud_cover *c = NULL;
    assert_int_equal(shroud_cover_new(&c, cover, len), SHROUD_OK);
    const shroud_recipient *recs[1] = {rec};
    uint8_t *out = NULL, *got = NULL;
    assert_int_equal(shroud_stego_hide(c, recs, 1, NULL, 0, msg, msg_len, &out, &out_len, NULL),
                     SHROUD_OK);
    const shroud_identity *ids[1] = {id};
    assert_int_equal(shroud_stego_reveal(out, out_len, ids, 1, NULL, 0, NULL, 0, &got, &got_len),
                     SHROUD_OK);
    assert_int_equal(got_len, msg_len);
    assert_memory_equal(got, msg, msg_len);
    png_raster *a = NULL, *b = NULL;
    assert_int_equal(png_raster_decode(cover, len, &a), SHROUD_OK);
    assert_int_equal(png_raster_decode(out, out_len, &b), SHROUD_OK);
    assert_true(su_check_stego(a, b) > 0);
    png_raster_free(a);
    png_raster_free(b);
    shroud_free_secret(got, got_len);
    shroud_free(out);
    shroud_cover_free(c);
    free(msg);
    free(cover);
    shroud_recipient_free(rec);
    shroud_identity_free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_of_every_path_reveal),
        cmocka_unit_test(test_other_identity_finds_nothing),
        cmocka_unit_test(test_hide_in_vector_cover_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
