/*
 * Tampering with redacted files (docs/redaction.md "Integrity", FORMAT.md
 * section 5). Every modification must make shroud_restore fail with a clear
 * error and return nothing (no output, no length, no info):
 *  - each byte of the record payload flipped (re-embedded with valid
 *    containers, so the record parser and the envelope see it), and each
 *    byte of the blocks themselves flipped in place. One exception, which
 *    the envelope format makes unavoidable: damage to a stanza that makes it
 *    look like a stanza for another key (an unknown type, a share or wrapped
 *    key that no longer unwraps) is "no key for this group"; the restore then
 *    succeeds for the other groups and must leave the damaged one obscured,
 *    saying so in its restore_status;
 *  - a record copied onto another image: SHROUD_ERR_RECORD_MISMATCH;
 *  - the public region list, styles, names or flags edited, groups dropped,
 *    envelopes swapped between groups: SHROUD_ERR_RECORD_EDITED;
 *  - the file truncated anywhere;
 *  - shRD chunks / APP11 segments reordered or split up;
 *  - pixels or metadata changed after redaction (even a re-compression):
 *    SHROUD_ERR_RECORD_MISMATCH.
 * SHROUD_PROBE=1 in the environment prints which error each sweep produced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/embedded.h"
#include "image/jpeg_coeffs.h"
#include "image/png_chunks.h"
#include "jpeg_util.h"
#include "redact_util.h"

static shroud_identity *alice, *bob;
static shroud_recipient *alice_pub, *bob_pub;
static const shroud_identity *both_ids[2];

static int setup(void **state)
{
    (void)state;
    alice = ru_native_identity();
    bob = ru_native_identity();
    alice_pub = ru_recipient_of(alice);
    bob_pub = ru_recipient_of(bob);
    both_ids[0] = alice;
    both_ids[1] = bob;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shroud_identity_free(alice);
    shroud_identity_free(bob);
    shroud_recipient_free(alice_pub);
    shroud_recipient_free(bob_pub);
    return 0;
}

/* ---- the files under attack -------------------------------------------------------------- */

#define W 40
#define H 24
static const shroud_region region_a = {3, 2, 9, 7}, region_b = {20, 10, 12, 9};

enum { FMT_PNG, FMT_JPEG, N_FORMATS };
static const char *const format_names[N_FORMATS] = {"PNG", "JPEG"};

static uint8_t *make_image(int fmt, unsigned seed, size_t *len)
{
    if (fmt == FMT_PNG) {
        ru_png_spec spec = {.width = W,
                            .height = H,
                            .color_type = PNG_CT_RGB,
                            .bit_depth = 8,
                            .text = true,
                            .seed = seed};
        return ru_png_make(&spec, len);
    }
    ju_spec spec = {.width = W, .height = H, .comment = 1, .seed = seed};
    return ju_make(&spec, len);
}

/* Two groups: "a" for alice, "b" for bob. */
static uint8_t *redact_two(const uint8_t *img, size_t len, size_t *red_len)
{
    const shroud_recipient *ka[1] = {alice_pub}, *kb[1] = {bob_pub};
    ru_group groups[2] = {{"a", SHROUD_STYLE_NOISE, &region_a, 1, ka, 1, NULL},
                          {"b", SHROUD_STYLE_FILL, &region_b, 1, kb, 1, NULL}};
    return ru_redact(img, len, groups, 2, NULL, red_len);
}

/* ---- expected errors ------------------------------------------------------------------- */

/* A damaged layout (the public part of the block). */
static const int LAYOUT_ERRORS[] = {SHROUD_ERR_RECORD, SHROUD_ERR_VERSION, SHROUD_ERR_RECORD_EDITED,
                                    SHROUD_ERR_RECORD_MISMATCH};
/* A damaged envelope: what shroud_open says about it. */
static const int ENVELOPE_ERRORS[] = {
    SHROUD_ERR_NOT_SHROUD, SHROUD_ERR_VERSION,     SHROUD_ERR_HEADER,
    SHROUD_ERR_HEADER_MAC, SHROUD_ERR_NO_IDENTITY, SHROUD_ERR_PAYLOAD,
    SHROUD_ERR_COMMITMENT, SHROUD_ERR_TRUNCATED,   SHROUD_ERR_TRAILING};
/* A damaged container or file. */
static const int FILE_ERRORS[] = {SHROUD_ERR_IMAGE,           SHROUD_ERR_IMAGE_FORMAT,
                                  SHROUD_ERR_NO_RECORD,       SHROUD_ERR_RECORD,
                                  SHROUD_ERR_RECORD_MISMATCH, SHROUD_ERR_IMAGE_LIMIT};
static const int MISMATCH[] = {SHROUD_ERR_RECORD_MISMATCH};
static const int EDITED[] = {SHROUD_ERR_RECORD_EDITED};

/* Error histogram for SHROUD_PROBE. */
typedef struct {
    int code[64];
} tally;

static void count(tally *t, int err)
{
    if (err < 0 && err > -64)
        t->code[-err]++;
}

static void report(const tally *t, const char *what)
{
    if (!getenv("SHROUD_PROBE"))
        return;
    printf("%s:", what);
    for (int i = 0; i < 64; i++)
        if (t->code[i])
            printf(" %s=%d", shroud_strerror(-i), t->code[i]);
    printf("\n");
}

/* Restores a file whose record payload is replaced by payload, expecting one
 * of allowed. */
static int restore_with_payload(const uint8_t *red, size_t red_len, const uint8_t *payload,
                                size_t payload_len, const int *allowed, size_t n_allowed,
                                const char *what)
{
    size_t len;
    uint8_t *file = ru_with_payload(red, red_len, EMBED_RECORD, payload, payload_len, &len);
    int err = ru_restore_fails(file, len, both_ids, 2, NULL, allowed, n_allowed, what);
    free(file);
    return err;
}

/* Every error a damaged file, block, layout or envelope may produce. */
static size_t any_damage(int *allowed)
{
    size_t n = 0;
    for (size_t k = 0; k < N_ITEMS(FILE_ERRORS); k++)
        allowed[n++] = FILE_ERRORS[k];
    for (size_t k = 0; k < N_ITEMS(LAYOUT_ERRORS); k++)
        allowed[n++] = LAYOUT_ERRORS[k];
    for (size_t k = 0; k < N_ITEMS(ENVELOPE_ERRORS); k++)
        allowed[n++] = ENVELOPE_ERRORS[k];
    return n;
}
#define MAX_DAMAGE (N_ITEMS(FILE_ERRORS) + N_ITEMS(LAYOUT_ERRORS) + N_ITEMS(ENVELOPE_ERRORS))

/* Restores a file in which only group `hit`'s envelope was damaged, with
 * both keys. Either the restore fails with an envelope error and returns
 * nothing, or — when the damage makes the stanza look like one for another
 * key (an unknown stanza type, a share or wrapped key that no longer
 * unwraps), which the envelope format cannot tell apart — it restores the
 * other group only: the damaged group reports that no key opened it and its
 * regions stay exactly as published. Never is anything put back from a
 * damaged envelope. Returns the error, or the damaged group's status. */
static int restore_envelope_damaged(const uint8_t *img, size_t len, const uint8_t *red,
                                    size_t red_len, const uint8_t *file, size_t file_len,
                                    unsigned hit, const char *what)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    shroud_image_info *info = NULL;
    int err = shroud_restore(file, file_len, both_ids, 2, NULL, NULL, &out, &out_len, &info);
    if (err != SHROUD_OK) {
        if (out || out_len || info)
            fail_msg("%s: restore failed but returned something", what);
        for (size_t k = 0; k < N_ITEMS(ENVELOPE_ERRORS); k++)
            if (err == ENVELOPE_ERRORS[k])
                return err;
        fail_msg("%s: unexpected error %d (%s)", what, err, shroud_strerror(err));
    }
    const shroud_region *hit_region = hit == 0 ? &region_a : &region_b;
    const shroud_region *other_region = hit == 0 ? &region_b : &region_a;
    int status = info->groups[hit].restore_status;
    if (status != SHROUD_ERR_NO_IDENTITY)
        fail_msg("%s: damaged group %u has status %d (%s)", what, hit, status,
                 shroud_strerror(status));
    if (info->groups[1 - hit].restore_status != SHROUD_OK)
        fail_msg("%s: the intact group was not restored", what);
    if (!ru_same_inside(red, red_len, out, out_len, hit_region))
        fail_msg("%s: the damaged group's regions changed", what);
    if (!ru_same_inside(img, len, out, out_len, other_region))
        fail_msg("%s: the intact group's regions are not the original", what);
    shroud_free(out);
    shroud_image_info_free(info);
    return status;
}

/* The zone of a payload byte: -1 layout, -2 an envelope length, else the
 * group whose envelope it is in. */
static int zone_of(const uint8_t *payload, size_t plen, size_t i)
{
    size_t e0, l0, e1, l1;
    ru_envelope_at(payload, plen, 0, &e0, &l0);
    ru_envelope_at(payload, plen, 1, &e1, &l1);
    if (i < e0)
        return -1;
    if (i < e0 + 4 || (i >= e1 && i < e1 + 4))
        return -2;
    return i < e1 ? 0 : 1;
}

/* ---- byte flips ---------------------------------------------------------------------- */

/* Flips every byte of the record payload (with two masks), zone by zone:
 * layout, envelope lengths, envelopes. */
static void test_flip_every_payload_byte(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t len, red_len, plen;
        uint8_t *img = make_image(fmt, 1, &len);
        uint8_t *red = redact_two(img, len, &red_len);
        uint8_t *payload = ru_payload(red, red_len, EMBED_RECORD, &plen);
        assert_non_null(payload);
        /* the untouched payload, re-embedded, restores */
        size_t same_len, res_len;
        uint8_t *same = ru_with_payload(red, red_len, EMBED_RECORD, payload, plen, &same_len);
        uint8_t *res = ru_restore(same, same_len, both_ids, 2, NULL, &res_len, NULL);
        ru_assert_same_image(img, len, res, res_len, "re-embedded record");
        free(res);
        free(same);

        tally zones[3] = {0};
        const uint8_t masks[2] = {0x01, 0x80};
        for (size_t i = 0; i < plen; i++)
            for (int m = 0; m < 2; m++) {
                uint8_t *t = ru_dup(payload, plen);
                t[i] ^= masks[m];
                int zone = zone_of(payload, plen, i);
                char what[96];
                snprintf(what, sizeof what, "%s payload byte %zu ^ 0x%02x", format_names[fmt], i,
                         masks[m]);
                int err;
                if (zone == -1) {
                    err = restore_with_payload(red, red_len, t, plen, LAYOUT_ERRORS,
                                               N_ITEMS(LAYOUT_ERRORS), what);
                } else if (zone == -2) {
                    err = restore_with_payload(red, red_len, t, plen, FILE_ERRORS,
                                               N_ITEMS(FILE_ERRORS), what);
                } else {
                    size_t f_len;
                    uint8_t *f = ru_with_payload(red, red_len, EMBED_RECORD, t, plen, &f_len);
                    err = restore_envelope_damaged(img, len, red, red_len, f, f_len, (unsigned)zone,
                                                   what);
                    free(f);
                }
                count(&zones[zone < 0 ? -1 - zone : 2], err);
                free(t);
            }
        char what[64];
        snprintf(what, sizeof what, "%s layout flips", format_names[fmt]);
        report(&zones[0], what);
        snprintf(what, sizeof what, "%s envelope length flips", format_names[fmt]);
        report(&zones[1], what);
        snprintf(what, sizeof what, "%s envelope flips", format_names[fmt]);
        report(&zones[2], what);
        free(payload);
        free(red);
        free(img);
    }
}

/* Flips every byte of the blocks as stored (PNG: chunk length, type, data,
 * CRC; JPEG: marker, length, "shroud" header, data) in place: the header
 * fully, the data with a stride. */
static void test_flip_every_block_byte(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t len, red_len, plen;
        uint8_t *img = make_image(fmt, 2, &len);
        uint8_t *red = redact_two(img, len, &red_len);
        uint8_t *payload = ru_payload(red, red_len, EMBED_RECORD, &plen);
        size_t off[4], size[4];
        assert_int_equal(ru_blocks(red, red_len, EMBED_RECORD, off, size, 4), 1);
        size_t head = fmt == FMT_PNG ? 8 : 4 + JPEG_EMBED_HEADER_BYTES;
        size_t tail = fmt == FMT_PNG ? 4 : 0; /* the CRC */
        tally t = {0};
        for (size_t i = off[0]; i < off[0] + size[0]; i++) {
            size_t at = i - off[0];
            int in_data = at >= head && at < size[0] - tail;
            if (in_data && at >= head + 16 && at % 5)
                continue;
            uint8_t *f = ru_dup(red, red_len);
            f[i] ^= 0x01;
            char what[96];
            snprintf(what, sizeof what, "%s block byte %zu", format_names[fmt], at);
            int zone = in_data ? zone_of(payload, plen, at - head) : -1;
            if (fmt == FMT_JPEG && zone >= 0) {
                /* JPEG has no CRC: the envelope sees the change */
                count(&t, restore_envelope_damaged(img, len, red, red_len, f, red_len,
                                                   (unsigned)zone, what));
            } else {
                int allowed[MAX_DAMAGE];
                size_t n = any_damage(allowed);
                count(&t, ru_restore_fails(f, red_len, both_ids, 2, NULL, allowed, n, what));
            }
            /* inspect must not crash either; whatever it says is released */
            shroud_image_info *info = NULL;
            if (shroud_image_inspect(f, red_len, &info) == SHROUD_OK)
                shroud_image_info_free(info);
            else
                assert_null(info);
            free(f);
        }
        char what[64];
        snprintf(what, sizeof what, "%s in-place block flips", format_names[fmt]);
        report(&t, what);
        free(payload);
        free(red);
        free(img);
    }
}

/* ---- moved, edited and swapped records ------------------------------------------------------ */

/* A record copied onto another image of the same size is refused, and one
 * copied onto an image of another size too. */
static void test_record_copied_to_another_image(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t a_len, b_len, ra_len, rb_len, plen;
        uint8_t *a = make_image(fmt, 3, &a_len), *b = make_image(fmt, 4, &b_len);
        uint8_t *ra = redact_two(a, a_len, &ra_len), *rb = redact_two(b, b_len, &rb_len);
        uint8_t *payload = ru_payload(ra, ra_len, EMBED_RECORD, &plen);
        restore_with_payload(rb, rb_len, payload, plen, MISMATCH, 1, "A's record on B");
        /* onto B before redaction: B's unredacted pixels */
        size_t plain_len;
        uint8_t *plain = ru_with_payload(b, b_len, EMBED_RECORD, payload, plen, &plain_len);
        ru_restore_fails(plain, plain_len, both_ids, 2, NULL, MISMATCH, 1, "A's record on plain B");
        /* onto A itself before redaction (same size, pixels not obscured) */
        free(plain);
        plain = ru_with_payload(a, a_len, EMBED_RECORD, payload, plen, &plain_len);
        ru_restore_fails(plain, plain_len, both_ids, 2, NULL, MISMATCH, 1,
                         "A's record on unredacted A");
        free(plain);
        /* onto an image of another size */
        size_t c_len, c_red_len;
        uint8_t *c;
        if (fmt == FMT_PNG) {
            ru_png_spec spec = {
                .width = W + 8, .height = H, .color_type = PNG_CT_RGB, .bit_depth = 8};
            c = ru_png_make(&spec, &c_len);
        } else {
            ju_spec spec = {.width = W + 8, .height = H};
            c = ju_make(&spec, &c_len);
        }
        uint8_t *cr = redact_two(c, c_len, &c_red_len);
        restore_with_payload(cr, c_red_len, payload, plen, MISMATCH, 1, "record on another size");
        free(cr);
        free(c);
        free(payload);
        free(ra);
        free(rb);
        free(a);
        free(b);
    }
}

/* Offset of group g's entry in the layout (its name_len byte). */
static size_t group_at(const uint8_t *payload, unsigned g)
{
    size_t pos = 19;
    for (unsigned i = 0; i < g; i++) {
        pos += 1 + payload[pos];
        pos += 3 + 16 * ((size_t)payload[pos + 1] << 8 | payload[pos + 2]);
    }
    return pos;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Edits of the public layout that keep it well-formed: the region list,
 * a style, a name, the stripped flag. */
static void test_layout_edited(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t len, red_len, plen;
        uint8_t *img = make_image(fmt, 5, &len);
        uint8_t *red = redact_two(img, len, &red_len);
        uint8_t *payload = ru_payload(red, red_len, EMBED_RECORD, &plen);
        size_t g0 = group_at(payload, 0), g1 = group_at(payload, 1);
        size_t r0 = g0 + 1 + payload[g0] + 3; /* group 0's first region */
        size_t r1 = g1 + 1 + payload[g1] + 3;
        struct {
            const char *what;
            size_t at;
            uint8_t value;
        } edits[] = {
            {"region x + 1", r0 + 3, (uint8_t)(region_a.x + 1)},
            {"region y - 1", r0 + 7, (uint8_t)(region_a.y - 1)},
            {"region w - 1", r0 + 11, (uint8_t)(region_a.w - 1)},
            {"region h + 1", r1 + 15, (uint8_t)(region_b.h + 1)},
            {"style noise -> fill", g0 + 2, SHROUD_STYLE_FILL},
            {"style fill -> blur", g1 + 2, SHROUD_STYLE_BLUR},
            {"name a -> c", g0 + 1, 'c'},
            {"stripped flag set", 17, 0x01},
        };
        for (size_t e = 0; e < N_ITEMS(edits); e++) {
            uint8_t *t = ru_dup(payload, plen);
            assert_int_not_equal(t[edits[e].at], edits[e].value);
            t[edits[e].at] = edits[e].value;
            char what[96];
            snprintf(what, sizeof what, "%s %s", format_names[fmt], edits[e].what);
            restore_with_payload(red, red_len, t, plen, EDITED, 1, what);
            /* the key of the untouched group alone is refused too: the
             * layout digest covers every group */
            size_t f_len;
            uint8_t *f = ru_with_payload(red, red_len, EMBED_RECORD, t, plen, &f_len);
            ru_restore_fails(f, f_len, &both_ids[1], 1, NULL, EDITED, 1, what);
            free(f);
            free(t);
        }
        /* a wider image in the layout than in the file */
        uint8_t *t = ru_dup(payload, plen);
        put32(t + 9, W + 16);
        const int size_errors[] = {SHROUD_ERR_RECORD_MISMATCH, SHROUD_ERR_RECORD_EDITED};
        restore_with_payload(red, red_len, t, plen, size_errors, 2, "layout width edited");
        free(t);

        /* a group dropped from the layout (and its envelope) */
        tu_buf b = {0};
        size_t env1, env1_len;
        ru_envelope_at(payload, plen, 1, &env1, &env1_len);
        size_t layout_len = ru_layout_len(payload, plen);
        tu_buf_write(&b, payload, g1);                             /* layout without group 1 */
        tu_buf_write(&b, payload + layout_len, env1 - layout_len); /* group 0's envelope */
        b.data[18] = 1;
        restore_with_payload(red, red_len, b.data, b.len, EDITED, 1, "group b dropped");
        tu_buf_free(&b);

        /* group 0's region removed from its list (count 1 -> 0 is invalid:
         * use a two-region group) */
        free(payload);
        free(red);
        const shroud_region two[2] = {region_a, {30, 2, 5, 5}};
        const shroud_recipient *ka[1] = {alice_pub};
        ru_group g = {"a", SHROUD_STYLE_NOISE, two, 2, ka, 1, NULL};
        red = ru_redact(img, len, &g, 1, NULL, &red_len);
        payload = ru_payload(red, red_len, EMBED_RECORD, &plen);
        g0 = group_at(payload, 0);
        r0 = g0 + 1 + payload[g0] + 3;
        b = (tu_buf){0};
        tu_buf_write(&b, payload, r0 + 16); /* keep the first region only */
        tu_buf_write(&b, payload + r0 + 32, plen - r0 - 32);
        b.data[r0 - 1] = 1;
        restore_with_payload(red, red_len, b.data, b.len, EDITED, 1, "one region dropped");
        tu_buf_free(&b);
        /* and the two regions swapped */
        t = ru_dup(payload, plen);
        memcpy(t + r0, payload + r0 + 16, 16);
        memcpy(t + r0 + 16, payload + r0, 16);
        restore_with_payload(red, red_len, t, plen, EDITED, 1, "regions swapped");
        free(t);
        free(payload);
        free(red);
        free(img);
    }
}

/* The envelopes of two groups swapped, or one group's envelope in both slots. */
static void test_envelopes_swapped(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t len, red_len, plen;
        uint8_t *img = make_image(fmt, 6, &len);
        uint8_t *red = redact_two(img, len, &red_len);
        uint8_t *payload = ru_payload(red, red_len, EMBED_RECORD, &plen);
        size_t layout_len = ru_layout_len(payload, plen), e0, l0, e1, l1;
        ru_envelope_at(payload, plen, 0, &e0, &l0);
        ru_envelope_at(payload, plen, 1, &e1, &l1);
        tu_buf swapped = {0}, doubled = {0};
        tu_buf_write(&swapped, payload, layout_len);
        tu_buf_write(&swapped, payload + e1, 4 + l1);
        tu_buf_write(&swapped, payload + e0, 4 + l0);
        tu_buf_write(&doubled, payload, layout_len);
        tu_buf_write(&doubled, payload + e0, 4 + l0);
        tu_buf_write(&doubled, payload + e0, 4 + l0);
        const shroud_identity *only_a[1] = {alice}, *only_b[1] = {bob};
        const shroud_identity *const *keys[3] = {both_ids, only_a, only_b};
        const size_t n_keys[3] = {2, 1, 1};
        for (int k = 0; k < 3; k++) {
            size_t f_len;
            uint8_t *f =
                ru_with_payload(red, red_len, EMBED_RECORD, swapped.data, swapped.len, &f_len);
            ru_restore_fails(f, f_len, keys[k], n_keys[k], NULL, EDITED, 1, "envelopes swapped");
            free(f);
            if (k == 2)
                continue; /* bob opens nothing in the doubled file */
            f = ru_with_payload(red, red_len, EMBED_RECORD, doubled.data, doubled.len, &f_len);
            ru_restore_fails(f, f_len, keys[k], n_keys[k], NULL, EDITED, 1, "envelope doubled");
            free(f);
        }
        tu_buf_free(&swapped);
        tu_buf_free(&doubled);
        free(payload);
        free(red);
        free(img);
    }
}

/* ---- truncation and block order ----------------------------------------------------------- */

static void test_truncated_anywhere(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t len, red_len;
        uint8_t *img = make_image(fmt, 7, &len);
        uint8_t *red = redact_two(img, len, &red_len);
        tally t = {0};
        for (size_t cut = 0; cut < red_len; cut++) {
            if (cut > 400 && cut + 400 < red_len && cut % 7)
                continue;
            uint8_t *f = ru_dup(red, cut); /* a buffer of exactly cut bytes, for ASan */
            char what[64];
            snprintf(what, sizeof what, "%s cut at %zu", format_names[fmt], cut);
            count(&t, ru_restore_fails(f, cut, both_ids, 2, NULL, FILE_ERRORS, N_ITEMS(FILE_ERRORS),
                                       what));
            shroud_image_info *info = NULL;
            if (shroud_image_inspect(f, cut, &info) == SHROUD_OK)
                shroud_image_info_free(info);
            free(f);
        }
        char what[64];
        snprintf(what, sizeof what, "%s truncations", format_names[fmt]);
        report(&t, what);
        free(red);
        free(img);
    }
}

/* The file with the record's block replaced by the given bytes. */
static uint8_t *replace_block(const uint8_t *red, size_t red_len, const tu_buf *blocks,
                              size_t *out_len)
{
    size_t off, size;
    assert_int_equal(ru_blocks(red, red_len, EMBED_RECORD, &off, &size, 1), 1);
    tu_buf f = {0};
    tu_buf_write(&f, red, off);
    tu_buf_write(&f, blocks->data, blocks->len);
    tu_buf_write(&f, red + off + size, red_len - off - size);
    *out_len = f.len;
    return f.data;
}

/* One APP11 segment of shroud's: kind, seq, count and a part of the payload. */
static void app11(tu_buf *out, uint8_t kind, uint16_t seq, uint16_t count, const uint8_t *part,
                  size_t n)
{
    size_t field = 2 + JPEG_EMBED_HEADER_BYTES + n;
    uint8_t head[4 + JPEG_EMBED_HEADER_BYTES] = {0xFF,
                                                 0xEB,
                                                 (uint8_t)(field >> 8),
                                                 (uint8_t)field,
                                                 's',
                                                 'h',
                                                 'r',
                                                 'o',
                                                 'u',
                                                 'd',
                                                 0,
                                                 kind,
                                                 (uint8_t)(seq >> 8),
                                                 (uint8_t)seq,
                                                 (uint8_t)(count >> 8),
                                                 (uint8_t)count};
    tu_buf_write(out, head, sizeof head);
    tu_buf_write(out, part, n);
}

/* The payload split into three blocks is as good as one; the blocks
 * reordered, repeated, separated or renumbered are refused. */
static void test_blocks_split_and_reordered(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < N_FORMATS; fmt++) {
        size_t len, red_len, plen, f_len, res_len;
        uint8_t *img = make_image(fmt, 8, &len);
        uint8_t *red = redact_two(img, len, &red_len);
        uint8_t *payload = ru_payload(red, red_len, EMBED_RECORD, &plen);
        size_t cut1 = plen / 3, cut2 = 2 * plen / 3;
        const uint8_t *part[3] = {payload, payload + cut1, payload + cut2};
        const size_t part_len[3] = {cut1, cut2 - cut1, plen - cut2};
        /* orders: as is; 0 2 1; 1 0 2 */
        const int orders[3][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}};
        for (int o = 0; o < 3; o++) {
            /* parts reordered, numbered in file order (a valid sequence of
             * wrong data), and for JPEG parts reordered with their numbers */
            for (int renumber = 0; renumber <= (fmt == FMT_JPEG); renumber++) {
                tu_buf b = {0};
                for (int k = 0; k < 3; k++) {
                    int p = orders[o][k];
                    if (fmt == FMT_PNG)
                        ru_png_chunk_append(&b, "shRD", part[p], (uint32_t)part_len[p]);
                    else
                        app11(&b, EMBED_RECORD, (uint16_t)(renumber ? p : k), 3, part[p],
                              part_len[p]);
                }
                uint8_t *f = replace_block(red, red_len, &b, &f_len);
                if (o == 0) {
                    uint8_t *res = ru_restore(f, f_len, both_ids, 2, NULL, &res_len, NULL);
                    ru_assert_same_image(img, len, res, res_len, "record in three blocks");
                    free(res);
                } else {
                    int allowed[MAX_DAMAGE];
                    size_t n = any_damage(allowed);
                    int err = ru_restore_fails(f, f_len, both_ids, 2, NULL, allowed, n,
                                               "blocks reordered");
                    if (renumber)
                        assert_int_equal(err, SHROUD_ERR_IMAGE); /* sequence out of order */
                }
                free(f);
                tu_buf_free(&b);
            }
        }
        /* a block repeated, or the run broken by another block */
        tu_buf b = {0};
        if (fmt == FMT_PNG) {
            ru_png_chunk_append(&b, "shRD", part[0], (uint32_t)part_len[0]);
            ru_png_chunk_append(&b, "tEXt", (const uint8_t *)"k\0v", 3);
            ru_png_chunk_append(&b, "shRD", part[1], (uint32_t)(plen - cut1));
        } else {
            app11(&b, EMBED_RECORD, 0, 2, part[0], part_len[0]);
            app11(&b, EMBED_RECORD, 0, 2, part[0], part_len[0]);
            app11(&b, EMBED_RECORD, 1, 2, part[1], plen - cut1);
        }
        uint8_t *f = replace_block(red, red_len, &b, &f_len);
        const int broken[] = {SHROUD_ERR_IMAGE};
        ru_restore_fails(f, f_len, both_ids, 2, NULL, broken, 1, "broken run");
        free(f);
        tu_buf_free(&b);
        if (fmt == FMT_JPEG) { /* counts that disagree; a missing last block */
            app11(&b, EMBED_RECORD, 0, 2, part[0], part_len[0]);
            app11(&b, EMBED_RECORD, 1, 3, part[1], plen - cut1);
            f = replace_block(red, red_len, &b, &f_len);
            ru_restore_fails(f, f_len, both_ids, 2, NULL, broken, 1, "counts disagree");
            free(f);
            tu_buf_free(&b);
            app11(&b, EMBED_RECORD, 0, 3, part[0], part_len[0]);
            app11(&b, EMBED_RECORD, 1, 3, part[1], part_len[1]);
            f = replace_block(red, red_len, &b, &f_len);
            ru_restore_fails(f, f_len, both_ids, 2, NULL, broken, 1, "last block missing");
            free(f);
            tu_buf_free(&b);
        }
        free(payload);
        free(red);
        free(img);
    }
}

/* ---- edits of the image after redaction -------------------------------------------------- */

/* The PNG decoded, changed by edit (may be NULL), and encoded again with the
 * original shRD chunks and the given level. */
static uint8_t *png_reencoded(const uint8_t *red, size_t red_len, void (*edit)(png_raster *),
                              int level, size_t *out_len)
{
    png_raster *img = ru_png_decode(red, red_len);
    if (edit)
        edit(img);
    size_t off, size;
    assert_int_equal(ru_blocks(red, red_len, EMBED_RECORD, &off, &size, 1), 1);
    bytebuf out = {0};
    assert_int_equal(png_raster_encode(img, red + off, size, level, &out), SHROUD_OK);
    png_raster_free(img);
    *out_len = out.len;
    return out.data;
}

static void pixel_outside_changed(png_raster *img)
{
    png_raster_pixel(img, W - 1, 0)[1] ^= 0x10;
}

static void pixel_inside_changed(png_raster *img)
{
    png_raster_pixel(img, region_a.x, region_a.y)[0] ^= 0x01;
}

static void text_added(png_raster *img)
{
    png_kept_chunk *k = realloc(img->kept, (img->kept_len + 1) * sizeof *k);
    assert_non_null(k);
    img->kept = k;
    k = &img->kept[img->kept_len++];
    memset(k, 0, sizeof *k);
    memcpy(k->type, "tEXt", 5);
    k->place = PNG_PLACE_AFTER_IDAT;
    k->length = 3;
    k->data = malloc(3);
    assert_non_null(k->data);
    memcpy(k->data, "a\0b", 3);
}

static void test_png_edited_after_redaction(void **state)
{
    (void)state;
    size_t len, red_len, f_len, res_len;
    uint8_t *img = make_image(FMT_PNG, 9, &len);
    uint8_t *red = redact_two(img, len, &red_len);
    /* the encoder is deterministic: re-encoding as redact did restores */
    uint8_t *f = png_reencoded(red, red_len, NULL, PNG_DEFAULT_LEVEL, &f_len);
    assert_int_equal(f_len, red_len);
    uint8_t *res = ru_restore(f, f_len, both_ids, 2, NULL, &res_len, NULL);
    ru_assert_same_image(img, len, res, res_len, "re-encoded identically");
    free(res);
    free(f);
    struct {
        const char *what;
        void (*edit)(png_raster *);
        int level;
    } edits[] = {
        {"pixel outside the regions", pixel_outside_changed, PNG_DEFAULT_LEVEL},
        {"pixel inside a region", pixel_inside_changed, PNG_DEFAULT_LEVEL},
        {"text chunk added", text_added, PNG_DEFAULT_LEVEL},
        {"re-compressed, same pixels", NULL, 12},
    };
    for (size_t e = 0; e < N_ITEMS(edits); e++) {
        f = png_reencoded(red, red_len, edits[e].edit, edits[e].level, &f_len);
        ru_restore_fails(f, f_len, both_ids, 2, NULL, MISMATCH, 1, edits[e].what);
        free(f);
    }
    free(red);
    free(img);
}

static void test_jpeg_edited_after_redaction(void **state)
{
    (void)state;
    size_t len, red_len, plen, f_len;
    uint8_t *img = make_image(FMT_JPEG, 10, &len);
    uint8_t *red = redact_two(img, len, &red_len);
    uint8_t *payload = ru_payload(red, red_len, EMBED_RECORD, &plen);
    /* one coefficient outside the regions changed, record carried over */
    jpeg_coeffs *j = ju_read(red, red_len);
    jpeg_coeffs_row(j, 0, 2)[4][1] += 1;
    bytebuf edited;
    assert_int_equal(ju_write(j, NULL, &edited), SHROUD_OK);
    jpeg_coeffs_free(j);
    uint8_t *f = ru_with_payload(edited.data, edited.len, EMBED_RECORD, payload, plen, &f_len);
    ru_restore_fails(f, f_len, both_ids, 2, NULL, MISMATCH, 1, "JPEG coefficient changed");
    free(f);
    free(edited.data);
    /* the comment changed */
    size_t com = ju_find_marker(red, red_len, 0xFE);
    assert_true(com != SIZE_MAX);
    f = ru_dup(red, red_len);
    f[com + 4] ^= 0x20;
    ru_restore_fails(f, red_len, both_ids, 2, NULL, MISMATCH, 1, "JPEG comment changed");
    free(f);
    /* a quantiser changed (the file still decodes, to other pixels) */
    size_t dqt = ju_find_marker(red, red_len, 0xDB);
    assert_true(dqt != SIZE_MAX);
    f = ru_dup(red, red_len);
    f[dqt + 5 + 63] ^= 0x01; /* the last quantiser of table 0 */
    ru_restore_fails(f, red_len, both_ids, 2, NULL, MISMATCH, 1, "JPEG quantiser changed");
    free(f);
    free(payload);
    free(red);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flip_every_payload_byte),
        cmocka_unit_test(test_flip_every_block_byte),
        cmocka_unit_test(test_record_copied_to_another_image),
        cmocka_unit_test(test_layout_edited),
        cmocka_unit_test(test_envelopes_swapped),
        cmocka_unit_test(test_truncated_anywhere),
        cmocka_unit_test(test_blocks_split_and_reordered),
        cmocka_unit_test(test_png_edited_after_redaction),
        cmocka_unit_test(test_jpeg_edited_after_redaction),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
