/*
 * shroud's APP11 blocks in JPEG files (embedded.h, embedded_jpeg.c): round
 * trips of every payload size, where blocks go, that nothing else changes,
 * and which block sequences are refused.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "image/embedded.h"
#include "image/jpeg_coeffs.h"
#include "image/jpeg_segments.h"
#include "jpeg_util.h"
#include "shroud.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define SEGMENT_HEAD (4 + JPEG_EMBED_HEADER_BYTES) /* marker, length, shroud header */

static uint8_t *payload_of(size_t len, unsigned seed)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
    return p;
}

static void free_buf(bytebuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* buf without the blocks in remove_mask, plus payload as `kind` (if not NULL). */
static int rewrite(const uint8_t *buf, size_t len, unsigned remove_mask, int kind,
                   const uint8_t *payload, size_t payload_len, bytebuf *out)
{
    image_embedded e;
    memset(out, 0, sizeof *out);
    int err = image_embedded_find(buf, len, &e);
    if (!err)
        err = image_embedded_rewrite(buf, len, &e, remove_mask, kind, payload, payload_len, out);
    image_embedded_free(&e);
    return err;
}

static void embed(const uint8_t *buf, size_t len, int kind, const uint8_t *payload,
                  size_t payload_len, bytebuf *out)
{
    int err = rewrite(buf, len, EMBED_MASK(kind), kind, payload, payload_len, out);
    if (err)
        fail_msg("embedding failed: %s", shroud_strerror(err));
}

static int find(const uint8_t *buf, size_t len, image_embedded *e)
{
    return image_embedded_find(buf, len, e);
}

static void digest(const uint8_t *buf, size_t len, unsigned mask, uint8_t d[32])
{
    image_embedded e;
    assert_int_equal(find(buf, len, &e), SHROUD_OK);
    assert_int_equal(image_embedded_digest(buf, len, &e, mask, d), SHROUD_OK);
    image_embedded_free(&e);
}

/* One hand-made APP11 block. */
static void put_block(tu_buf *t, uint8_t kind, uint16_t seq, uint16_t count, const char *data)
{
    size_t n = strlen(data), field = 2 + JPEG_EMBED_HEADER_BYTES + n;
    uint8_t head[SEGMENT_HEAD] = {0xFF,
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
    tu_buf_write(t, head, sizeof head);
    tu_buf_write(t, (const uint8_t *)data, n);
}

/* A segment of any marker with raw data. */
static void put_segment(tu_buf *t, uint8_t marker, const void *data, size_t n)
{
    uint8_t head[4] = {0xFF, marker, (uint8_t)((n + 2) >> 8), (uint8_t)(n + 2)};
    tu_buf_write(t, head, 4);
    tu_buf_write(t, data, n);
}

/* The base file's bytes with `mid` spliced in at `at`. */
static void splice_in(const uint8_t *jpeg, size_t len, size_t at, const tu_buf *mid, tu_buf *out)
{
    *out = (tu_buf){0};
    tu_buf_write(out, jpeg, at);
    tu_buf_write(out, mid->data, mid->len);
    tu_buf_write(out, jpeg + at, len - at);
}

static uint8_t *base_file(size_t *len)
{
    ju_spec spec = {.width = 40, .height = 24, .exif = 1, .comment = 1};
    return ju_make(&spec, len);
}

/* The end of the APPn/COM run after SOI in a libjpeg file. */
static size_t run_end(const uint8_t *jpeg, size_t len)
{
    return ju_find_marker(jpeg, len, 0xDB);
}

/* ---- round trips ------------------------------------------------------------------------- */

static void test_record_round_trips_for_every_size(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = base_file(&len);
    size_t at = run_end(jpeg, len);
    uint8_t plain[32];
    SHA256(jpeg, len, plain);
    static const size_t sizes[] = {0, 1, JPEG_EMBED_DATA_MAX, JPEG_EMBED_DATA_MAX + 1, 200 * 1024};
    static const size_t segments[] = {1, 1, 1, 2, 4};
    for (size_t i = 0; i < N_ITEMS(sizes); i++) {
        uint8_t *payload = payload_of(sizes[i], (unsigned)i);
        bytebuf with;
        embed(jpeg, len, EMBED_RECORD, payload, sizes[i], &with);
        assert_int_equal(with.len, len + sizes[i] + segments[i] * SEGMENT_HEAD);
        /* Nothing else moved: the file around the blocks is the original. */
        size_t added = with.len - len;
        assert_memory_equal(with.data, jpeg, at);
        assert_memory_equal(with.data + at + added, jpeg + at, len - at);

        image_embedded e;
        assert_int_equal(find(with.data, with.len, &e), SHROUD_OK);
        assert_int_equal(e.format, IMAGE_FORMAT_JPEG);
        assert_non_null(e.payload[EMBED_RECORD]);
        assert_int_equal(e.payload_len[EMBED_RECORD], sizes[i]);
        assert_memory_equal(e.payload[EMBED_RECORD], payload, sizes[i]);
        assert_null(e.payload[EMBED_SIGNATURE]);
        assert_int_equal(e.ranges_len, segments[i]);
        size_t off = at;
        for (size_t k = 0; k < e.ranges_len; k++) {
            assert_int_equal(e.ranges[k].offset, off);
            assert_int_equal(e.ranges[k].kind, EMBED_RECORD);
            const uint8_t *s = with.data + off;
            size_t data =
                k + 1 < e.ranges_len ? JPEG_EMBED_DATA_MAX : sizes[i] - k * JPEG_EMBED_DATA_MAX;
            assert_int_equal(e.ranges[k].size, SEGMENT_HEAD + data);
            assert_int_equal(s[0], 0xFF);
            assert_int_equal(s[1], 0xEB);
            assert_int_equal((size_t)(s[2] << 8 | s[3]), 2 + JPEG_EMBED_HEADER_BYTES + data);
            assert_memory_equal(s + 4, "shroud\0", 7);
            assert_int_equal(s[11], EMBED_RECORD);
            assert_int_equal(s[12] << 8 | s[13], k);
            assert_int_equal(s[14] << 8 | s[15], e.ranges_len);
            off += e.ranges[k].size;
        }
        /* The digest that leaves the blocks out is the original file's. */
        uint8_t d[32];
        assert_int_equal(image_embedded_digest(with.data, with.len, &e, EMBED_ALL, d), SHROUD_OK);
        assert_memory_equal(d, plain, 32);
        /* Removing them gives the original bytes back. */
        bytebuf back = {0};
        assert_int_equal(
            image_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, 0, NULL, 0, &back),
            SHROUD_OK);
        assert_int_equal(back.len, len);
        assert_memory_equal(back.data, jpeg, len);
        free_buf(&back);
        image_embedded_free(&e);
        free_buf(&with);
        free(payload);
    }
    free(jpeg);
}

static void test_signature_joins_a_record_and_both_round_trip(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = base_file(&len);
    uint8_t *rec = payload_of(70000, 1), *sig = payload_of(100, 2);
    bytebuf a, b;
    embed(jpeg, len, EMBED_RECORD, rec, 70000, &a);
    embed(a.data, a.len, EMBED_SIGNATURE, sig, 100, &b);
    image_embedded e;
    assert_int_equal(find(b.data, b.len, &e), SHROUD_OK);
    assert_int_equal(e.payload_len[EMBED_RECORD], 70000);
    assert_memory_equal(e.payload[EMBED_RECORD], rec, 70000);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 100);
    assert_memory_equal(e.payload[EMBED_SIGNATURE], sig, 100);
    assert_int_equal(e.ranges_len, 3);
    assert_int_equal(e.ranges[0].kind, EMBED_RECORD);
    assert_int_equal(e.ranges[1].kind, EMBED_RECORD);
    assert_int_equal(e.ranges[2].kind, EMBED_SIGNATURE); /* after the remaining blocks */
    assert_int_equal(e.ranges[2].offset, e.ranges[1].offset + e.ranges[1].size);
    image_embedded_free(&e);

    /* The signature's digest (everything but the signature) is the digest of
     * the file before signing; all blocks out: the original's. */
    uint8_t d1[32], d2[32], d3[32];
    digest(b.data, b.len, EMBED_MASK(EMBED_SIGNATURE), d1);
    digest(a.data, a.len, EMBED_MASK(EMBED_SIGNATURE), d2);
    assert_memory_equal(d1, d2, 32);
    SHA256(a.data, a.len, d3);
    assert_memory_equal(d1, d3, 32);
    digest(b.data, b.len, EMBED_ALL, d1);
    SHA256(jpeg, len, d2);
    assert_memory_equal(d1, d2, 32);

    /* Replacing the signature, then removing each kind. */
    bytebuf c, only_sig, none;
    uint8_t *sig2 = payload_of(5, 3);
    embed(b.data, b.len, EMBED_SIGNATURE, sig2, 5, &c);
    assert_int_equal(find(c.data, c.len, &e), SHROUD_OK);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 5);
    assert_memory_equal(e.payload[EMBED_SIGNATURE], sig2, 5);
    image_embedded_free(&e);
    assert_int_equal(rewrite(c.data, c.len, EMBED_MASK(EMBED_RECORD), 0, NULL, 0, &only_sig),
                     SHROUD_OK);
    assert_int_equal(find(only_sig.data, only_sig.len, &e), SHROUD_OK);
    assert_null(e.payload[EMBED_RECORD]);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 5);
    image_embedded_free(&e);
    assert_int_equal(rewrite(c.data, c.len, EMBED_ALL, 0, NULL, 0, &none), SHROUD_OK);
    assert_int_equal(none.len, len);
    assert_memory_equal(none.data, jpeg, len);
    free_buf(&a);
    free_buf(&b);
    free_buf(&c);
    free_buf(&only_sig);
    free_buf(&none);
    free(sig2);
    free(rec);
    free(sig);
    free(jpeg);
}

/* Signature alone; an empty payload is one block with no data. */
static void test_signature_alone_and_empty_payloads(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = base_file(&len);
    bytebuf a, b;
    embed(jpeg, len, EMBED_SIGNATURE, (const uint8_t *)"", 0, &a);
    embed(a.data, a.len, EMBED_RECORD, (const uint8_t *)"", 0, &b);
    image_embedded e;
    assert_int_equal(find(b.data, b.len, &e), SHROUD_OK);
    for (int kind = EMBED_RECORD; kind <= EMBED_SIGNATURE; kind++) {
        assert_non_null(e.payload[kind]);
        assert_int_equal(e.payload_len[kind], 0);
    }
    assert_int_equal(e.ranges_len, 2);
    assert_int_equal(e.ranges[0].kind, EMBED_SIGNATURE);
    assert_int_equal(e.ranges[1].kind, EMBED_RECORD);
    assert_int_equal(e.ranges[0].size, SEGMENT_HEAD);
    image_embedded_free(&e);
    free_buf(&a);
    free_buf(&b);
    free(jpeg);
}

/* Where new blocks go: after the APPn/COM run that follows SOI. */
static void test_blocks_go_after_the_leading_appn_run(void **state)
{
    (void)state;
    static const ju_spec specs[] = {
        {.no_jfif = 1, .components = 1}, /* SOI then DQT */
        {.components = 1},               /* JFIF only */
        {.components = 4, .icc = 1},     /* Adobe APP14, ICC */
    };
    for (size_t i = 0; i < N_ITEMS(specs); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&specs[i], &len);
        bytebuf with;
        embed(jpeg, len, EMBED_RECORD, (const uint8_t *)"x", 1, &with);
        size_t at = run_end(jpeg, len);
        assert_int_equal(ju_find_marker(with.data, with.len, 0xEB), at);
        assert_int_equal(ju_find_marker(with.data, with.len, 0xDB), at + SEGMENT_HEAD + 1);
        free_buf(&with);
        free(jpeg);
    }
    /* A COM after DQT is not in the run: blocks still go before the DQT. */
    size_t len;
    uint8_t *jpeg = base_file(&len);
    size_t dqt = run_end(jpeg, len);
    tu_buf com = {0}, file;
    put_segment(&com, 0xFE, "late", 4);
    size_t second_dqt = dqt + 4 + ((size_t)jpeg[dqt + 2] << 8 | jpeg[dqt + 3]) - 2;
    splice_in(jpeg, len, second_dqt, &com, &file);
    bytebuf with;
    embed(file.data, file.len, EMBED_RECORD, (const uint8_t *)"y", 1, &with);
    assert_int_equal(ju_find_marker(with.data, with.len, 0xEB), dqt);
    free_buf(&with);
    tu_buf_free(&com);
    tu_buf_free(&file);
    free(jpeg);
}

/* Blocks elsewhere before SOS (after DQT) are found and removed too. */
static void test_blocks_outside_the_run_are_found_and_removed(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = base_file(&len);
    size_t sof = ju_find_marker(jpeg, len, 0xC0);
    tu_buf blocks = {0}, file;
    put_block(&blocks, EMBED_SIGNATURE, 0, 1, "late signature");
    splice_in(jpeg, len, sof, &blocks, &file);
    image_embedded e;
    assert_int_equal(find(file.data, file.len, &e), SHROUD_OK);
    assert_int_equal(e.ranges_len, 1);
    assert_int_equal(e.ranges[0].offset, sof);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 14);
    image_embedded_free(&e);
    bytebuf out;
    assert_int_equal(rewrite(file.data, file.len, EMBED_ALL, 0, NULL, 0, &out), SHROUD_OK);
    assert_int_equal(out.len, len);
    assert_memory_equal(out.data, jpeg, len);
    free_buf(&out);
    /* Replacing it puts the new one in the run and drops the old one. */
    embed(file.data, file.len, EMBED_SIGNATURE, (const uint8_t *)"new", 3, &out);
    assert_int_equal(find(out.data, out.len, &e), SHROUD_OK);
    assert_int_equal(e.ranges_len, 1);
    assert_int_equal(e.ranges[0].offset, run_end(jpeg, len));
    image_embedded_free(&e);
    free_buf(&out);
    tu_buf_free(&blocks);
    tu_buf_free(&file);
    free(jpeg);
}

/* Other APP11 segments (JPEG XT, C2PA JUMBF, look-alikes) are not shroud's:
 * ignored, kept byte for byte, and fill bytes between segments stay too. */
static void test_foreign_app11_and_fill_bytes_are_kept(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = base_file(&len);
    static const uint8_t jumbf[] = {'J', 'P', 0, 0, 0, 0, 0, 1, 'j', 'u', 'm', 'b'};
    static const uint8_t lookalike[] = {'s', 'h', 'r', 'o', 'u', 'd', 'X', 1, 0, 0, 0, 1};
    static const uint8_t fill[] = {0xFF, 0xFF};
    tu_buf mid = {0}, file;
    put_segment(&mid, 0xEB, jumbf, sizeof jumbf);
    tu_buf_write(&mid, fill, sizeof fill);
    put_segment(&mid, 0xEB, lookalike, sizeof lookalike);
    put_segment(&mid, 0xEB, "shr", 3);
    put_segment(&mid, 0xEB, "", 0);
    size_t at = ju_find_marker(jpeg, len, 0xE1);
    splice_in(jpeg, len, at, &mid, &file);
    image_embedded e;
    assert_int_equal(find(file.data, file.len, &e), SHROUD_OK);
    assert_int_equal(e.ranges_len, 0);
    assert_null(e.payload[EMBED_RECORD]);
    image_embedded_free(&e);
    uint8_t *payload = payload_of(300, 9);
    bytebuf with, back;
    embed(file.data, file.len, EMBED_RECORD, payload, 300, &with);
    size_t ins = run_end(file.data, file.len);
    assert_memory_equal(with.data, file.data, ins);
    assert_memory_equal(with.data + ins + SEGMENT_HEAD + 300, file.data + ins, file.len - ins);
    assert_int_equal(rewrite(with.data, with.len, EMBED_ALL, 0, NULL, 0, &back), SHROUD_OK);
    assert_int_equal(back.len, file.len);
    assert_memory_equal(back.data, file.data, file.len);
    free_buf(&with);
    free_buf(&back);
    free(payload);
    tu_buf_free(&mid);
    tu_buf_free(&file);
    free(jpeg);
}

/* A file with blocks decodes like the original (libjpeg skips APP11), and
 * the coefficient writer drops them. */
static void test_files_with_blocks_decode_and_transcode(void **state)
{
    (void)state;
    static const ju_spec specs[] = {{.width = 40, .height = 24, .exif = 1},
                                    {.width = 40, .height = 24, .progressive = 1}};
    for (size_t i = 0; i < N_ITEMS(specs); i++) {
        size_t len;
        uint8_t *jpeg = ju_make(&specs[i], &len);
        uint8_t *rec = payload_of(200 * 1024, 4);
        bytebuf a, b;
        embed(jpeg, len, EMBED_RECORD, rec, 200 * 1024, &a);
        embed(a.data, a.len, EMBED_SIGNATURE, rec, 64, &b);
        ju_image x, y;
        assert_int_equal(ju_decode(jpeg, len, &x), 0);
        assert_int_equal(ju_decode(b.data, b.len, &y), 0);
        assert_memory_equal(x.pixels, y.pixels, (size_t)x.width * x.height * 3);
        ju_image_free(&x);
        ju_image_free(&y);
        tu_buf pa = {0}, pb = {0};
        if (ju_djpeg(jpeg, len, &pa) == 0) {
            assert_int_equal(ju_djpeg(b.data, b.len, &pb), 0);
            assert_int_equal(pa.len, pb.len);
            assert_memory_equal(pa.data, pb.data, pa.len);
        }
        tu_buf_free(&pa);
        tu_buf_free(&pb);
        jpeg_coeffs *j = ju_read(b.data, b.len);
        bytebuf out;
        assert_int_equal(ju_write(j, NULL, &out), SHROUD_OK);
        assert_int_equal(out.len, len);
        assert_memory_equal(out.data, jpeg, len);
        free_buf(&out);
        jpeg_coeffs_free(j);
        free_buf(&a);
        free_buf(&b);
        free(rec);
        free(jpeg);
    }
}

/* ---- refused -------------------------------------------------------------------------------- */

typedef struct {
    const char *what;
    int blocks[6][3]; /* kind, seq, count; kind 0 ends the list */
} bad_sequence;

static void test_inconsistent_sequences_are_refused(void **state)
{
    (void)state;
    static const bad_sequence cases[] = {
        {"gap", {{1, 0, 3}, {1, 2, 3}}},
        {"missing last block", {{1, 0, 3}, {1, 1, 3}}},
        {"duplicate", {{1, 0, 3}, {1, 1, 3}, {1, 1, 3}, {1, 2, 3}}},
        {"reordered", {{1, 0, 3}, {1, 2, 3}, {1, 1, 3}}},
        {"starts at 1", {{2, 1, 2}}},
        {"counts disagree", {{1, 0, 3}, {1, 1, 2}, {1, 2, 3}}},
        {"count 0", {{1, 0, 0}}},
        {"two sequences of one kind", {{2, 0, 1}, {2, 0, 1}}},
        {"kind 0", {{0x100, 0, 1}}}, /* 0x100 stands for kind byte 0 */
        {"kind 3", {{3, 0, 1}}},
        {"kind 255", {{255, 0, 1}}},
        {"seq past count", {{1, 0, 1}, {1, 1, 1}}},
    };
    size_t len;
    uint8_t *jpeg = base_file(&len);
    size_t at = run_end(jpeg, len);
    for (size_t i = 0; i < N_ITEMS(cases); i++) {
        tu_buf mid = {0}, file;
        for (size_t k = 0; k < 6 && cases[i].blocks[k][0]; k++)
            put_block(&mid, (uint8_t)cases[i].blocks[k][0], (uint16_t)cases[i].blocks[k][1],
                      (uint16_t)cases[i].blocks[k][2], "data");
        splice_in(jpeg, len, at, &mid, &file);
        image_embedded e;
        int err = find(file.data, file.len, &e);
        image_embedded_free(&e);
        if (err != SHROUD_ERR_IMAGE)
            fail_msg("%s: got %d", cases[i].what, err);
        tu_buf_free(&mid);
        tu_buf_free(&file);
    }
    /* Kinds may interleave: each kind's own order is what counts. */
    tu_buf mid = {0}, file;
    put_block(&mid, EMBED_RECORD, 0, 2, "ab");
    put_block(&mid, EMBED_SIGNATURE, 0, 1, "s");
    put_block(&mid, EMBED_RECORD, 1, 2, "cd");
    splice_in(jpeg, len, at, &mid, &file);
    image_embedded e;
    assert_int_equal(find(file.data, file.len, &e), SHROUD_OK);
    assert_int_equal(e.payload_len[EMBED_RECORD], 4);
    assert_memory_equal(e.payload[EMBED_RECORD], "abcd", 4);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 1);
    assert_int_equal(e.ranges_len, 3);
    image_embedded_free(&e);
    tu_buf_free(&mid);
    tu_buf_free(&file);
    free(jpeg);
}

/* "shroud\0" followed by less than the 5 header bytes. */
static void test_short_block_header_is_refused(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = base_file(&len);
    size_t at = run_end(jpeg, len);
    for (size_t extra = 0; extra < 5; extra++) {
        uint8_t data[12] = {'s', 'h', 'r', 'o', 'u', 'd', 0, 1, 0, 0, 0};
        tu_buf mid = {0}, file;
        put_segment(&mid, 0xEB, data, 7 + extra);
        splice_in(jpeg, len, at, &mid, &file);
        image_embedded e;
        assert_int_equal(find(file.data, file.len, &e), SHROUD_ERR_IMAGE);
        image_embedded_free(&e);
        tu_buf_free(&mid);
        tu_buf_free(&file);
    }
    free(jpeg);
}

static void test_broken_files_and_bad_arguments(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jpeg = base_file(&len);
    image_embedded e;
    assert_int_equal(find(jpeg, 3, &e), SHROUD_ERR_IMAGE);
    image_embedded_free(&e);
    static const uint8_t text[] = "not an image";
    assert_int_equal(find(text, sizeof text, &e), SHROUD_ERR_IMAGE_FORMAT);
    image_embedded_free(&e);
    /* Cut inside a block. */
    bytebuf with;
    embed(jpeg, len, EMBED_RECORD, (const uint8_t *)"payload", 7, &with);
    size_t at = run_end(jpeg, len);
    assert_int_equal(find(with.data, at + 10, &e), SHROUD_ERR_IMAGE);
    image_embedded_free(&e);

    assert_int_equal(find(with.data, with.len, &e), SHROUD_OK);
    bytebuf out = {0};
    uint8_t one = 0;
    /* The kind being added still present: a second sequence would result. */
    assert_int_equal(jpeg_embedded_rewrite(with.data, with.len, &e, 0, EMBED_RECORD, &one, 1, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(image_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, EMBED_RECORD, &one,
                                            (size_t)EMBED_MAX_PAYLOAD + 1, &out),
                     SHROUD_ERR_IMAGE_LIMIT);
    assert_int_equal(jpeg_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, 3, &one, 1, &out),
                     SHROUD_ERR_ARGUMENT);
    /* Ranges that are not this buffer's. */
    e.ranges[0].offset += 1;
    assert_int_equal(jpeg_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, 0, NULL, 0, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(out.len, 0);
    image_embedded_free(&e);
    free_buf(&with);
    free(jpeg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_round_trips_for_every_size),
        cmocka_unit_test(test_signature_joins_a_record_and_both_round_trip),
        cmocka_unit_test(test_signature_alone_and_empty_payloads),
        cmocka_unit_test(test_blocks_go_after_the_leading_appn_run),
        cmocka_unit_test(test_blocks_outside_the_run_are_found_and_removed),
        cmocka_unit_test(test_foreign_app11_and_fill_bytes_are_kept),
        cmocka_unit_test(test_files_with_blocks_decode_and_transcode),
        cmocka_unit_test(test_inconsistent_sequences_are_refused),
        cmocka_unit_test(test_short_block_header_is_refused),
        cmocka_unit_test(test_broken_files_and_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
