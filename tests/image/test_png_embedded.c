/*
 * shroud's shRD / shSG chunks in PNG files (embedded.h, embedded_png.c):
 * round trips of every payload size (one chunk per MiB), where chunks go,
 * that no other byte changes, the digest without the blocks, both kinds
 * together, and the refused layouts (a second run of a kind).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "image/embedded.h"
#include "image/png_chunks.h"
#include "image/png_raster.h"
#include "png_util.h"
#include "shroud.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define MIB (1024u * 1024u)

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

/* Replaces the kind's payload. */
static void embed(const uint8_t *buf, size_t len, int kind, const uint8_t *payload,
                  size_t payload_len, bytebuf *out)
{
    int err = rewrite(buf, len, EMBED_MASK(kind), kind, payload, payload_len, out);
    if (err)
        fail_msg("embedding failed: %s", shroud_strerror(err));
}

static void digest(const uint8_t *buf, size_t len, unsigned mask, uint8_t d[32])
{
    image_embedded e;
    assert_int_equal(image_embedded_find(buf, len, &e), SHROUD_OK);
    assert_int_equal(image_embedded_digest(buf, len, &e, mask, d), SHROUD_OK);
    image_embedded_free(&e);
}

static int find_err(const uint8_t *buf, size_t len)
{
    image_embedded e;
    int err = image_embedded_find(buf, len, &e);
    image_embedded_free(&e);
    return err;
}

/* An RGB file with chunks before and after several IDATs. */
static uint8_t *base_file(size_t *len)
{
    pu_spec spec = {.width = 20,
                    .height = 10,
                    .color_type = PU_RGB,
                    .chunks = PU_GAMA | PU_TEXT | PU_SAFE_UNKNOWN,
                    .idat_max = 100};
    return pu_make(&spec, len);
}

/* A file of the base spec with extra chunks. */
static uint8_t *file_with(const pu_chunk *extra, size_t n, size_t *len)
{
    pu_spec spec = {.width = 20,
                    .height = 10,
                    .color_type = PU_RGB,
                    .chunks = PU_GAMA | PU_TEXT | PU_SAFE_UNKNOWN,
                    .idat_max = 100,
                    .extra = extra,
                    .n_extra = n};
    return pu_make(&spec, len);
}

/* ---- round trips --------------------------------------------------------------------------- */

static void test_record_round_trips_for_every_size(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    size_t at = pu_find_chunk(png, len, "IDAT", 0);
    uint8_t plain[32];
    SHA256(png, len, plain);
    png_raster *orig = NULL;
    assert_int_equal(png_raster_decode(png, len, &orig), SHROUD_OK);
    static const size_t sizes[] = {0, 1, 1000, MIB, MIB + 1, 3 * MIB};
    static const size_t chunks[] = {1, 1, 1, 1, 2, 3};
    for (size_t i = 0; i < N_ITEMS(sizes); i++) {
        uint8_t *payload = payload_of(sizes[i], (unsigned)i);
        bytebuf with;
        embed(png, len, EMBED_RECORD, payload, sizes[i], &with);
        assert_int_equal(with.len, len + sizes[i] + chunks[i] * PNG_CHUNK_OVERHEAD);
        /* Nothing else moved: the file around the chunks is the original. */
        size_t added = with.len - len;
        assert_memory_equal(with.data, png, at);
        assert_memory_equal(with.data + at + added, png + at, len - at);

        image_embedded e;
        assert_int_equal(image_embedded_find(with.data, with.len, &e), SHROUD_OK);
        assert_int_equal(e.format, IMAGE_FORMAT_PNG);
        assert_non_null(e.payload[EMBED_RECORD]);
        assert_int_equal(e.payload_len[EMBED_RECORD], sizes[i]);
        assert_memory_equal(e.payload[EMBED_RECORD], payload, sizes[i]);
        assert_null(e.payload[EMBED_SIGNATURE]);
        assert_int_equal(e.payload_len[EMBED_SIGNATURE], 0);
        assert_int_equal(e.ranges_len, chunks[i]);
        size_t off = at;
        for (size_t k = 0; k < e.ranges_len; k++) {
            size_t data = k + 1 < e.ranges_len ? MIB : sizes[i] - k * MIB;
            assert_int_equal(e.ranges[k].offset, off);
            assert_int_equal(e.ranges[k].kind, EMBED_RECORD);
            assert_int_equal(e.ranges[k].size, PNG_CHUNK_OVERHEAD + data);
            assert_int_equal(pu_be32(with.data + off), data);
            assert_memory_equal(with.data + off + 4, "shRD", 4);
            assert_memory_equal(with.data + off + 8, payload + k * MIB, data);
            off += e.ranges[k].size;
        }
        /* The digest that leaves the blocks out is the original file's;
         * with nothing left out it is the file's own. */
        uint8_t d[32], whole[32];
        assert_int_equal(image_embedded_digest(with.data, with.len, &e, EMBED_ALL, d), SHROUD_OK);
        assert_memory_equal(d, plain, 32);
        assert_int_equal(
            image_embedded_digest(with.data, with.len, &e, EMBED_MASK(EMBED_RECORD), d), SHROUD_OK);
        assert_memory_equal(d, plain, 32);
        assert_int_equal(
            image_embedded_digest(with.data, with.len, &e, EMBED_MASK(EMBED_SIGNATURE), d),
            SHROUD_OK);
        SHA256(with.data, with.len, whole);
        assert_memory_equal(d, whole, 32);
        /* Removing them gives the original bytes back. */
        bytebuf back = {0};
        assert_int_equal(
            image_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, 0, NULL, 0, &back),
            SHROUD_OK);
        assert_int_equal(back.len, len);
        assert_memory_equal(back.data, png, len);
        /* Decoders skip them: same pixels and kept chunks. */
        if (sizes[i] <= MIB + 1) {
            png_raster *img = NULL;
            assert_int_equal(png_raster_decode(with.data, with.len, &img), SHROUD_OK);
            assert_int_equal(img->dropped_unsafe, 0);
            assert_int_equal(img->kept_len, orig->kept_len);
            assert_memory_equal(img->pixels, orig->pixels, orig->stride * orig->height);
            png_raster_free(img);
            pu_image ref;
            assert_int_equal(pu_decode(with.data, with.len, &ref), 0);
            assert_memory_equal(ref.pixels, orig->pixels, orig->stride * orig->height);
            pu_image_free(&ref);
        }
        free_buf(&back);
        image_embedded_free(&e);
        free_buf(&with);
        free(payload);
    }
    png_raster_free(orig);
    free(png);
}

static void test_signature_joins_a_record_and_both_round_trip(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    size_t at = pu_find_chunk(png, len, "IDAT", 0);
    uint8_t *rec = payload_of(MIB + 70000, 1), *sig = payload_of(100, 2);
    bytebuf a, b;
    embed(png, len, EMBED_RECORD, rec, MIB + 70000, &a);
    embed(a.data, a.len, EMBED_SIGNATURE, sig, 100, &b);
    image_embedded e;
    assert_int_equal(image_embedded_find(b.data, b.len, &e), SHROUD_OK);
    assert_int_equal(e.payload_len[EMBED_RECORD], MIB + 70000);
    assert_memory_equal(e.payload[EMBED_RECORD], rec, MIB + 70000);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 100);
    assert_memory_equal(e.payload[EMBED_SIGNATURE], sig, 100);
    assert_int_equal(e.ranges_len, 3);
    assert_int_equal(e.ranges[0].kind, EMBED_RECORD);
    assert_int_equal(e.ranges[0].offset, at);
    assert_int_equal(e.ranges[1].kind, EMBED_RECORD);
    assert_int_equal(e.ranges[2].kind, EMBED_SIGNATURE); /* after the remaining blocks */
    assert_int_equal(e.ranges[2].offset, e.ranges[1].offset + e.ranges[1].size);
    assert_memory_equal(b.data + e.ranges[2].offset + e.ranges[2].size, "\0\0\0", 3);
    assert_memory_equal(b.data + e.ranges[2].offset + e.ranges[2].size + 4, "IDAT", 4);
    image_embedded_free(&e);
    char *types = pu_chunk_types(b.data, b.len);
    assert_non_null(strstr(types, "tEXt shRD shRD shSG IDAT"));
    free(types);

    /* The signature's digest (everything but the signature) is the digest of
     * the file before signing; all blocks out: the original's. */
    uint8_t d1[32], d2[32], d3[32];
    digest(b.data, b.len, EMBED_MASK(EMBED_SIGNATURE), d1);
    digest(a.data, a.len, EMBED_MASK(EMBED_SIGNATURE), d2);
    assert_memory_equal(d1, d2, 32);
    SHA256(a.data, a.len, d3);
    assert_memory_equal(d1, d3, 32);
    digest(b.data, b.len, EMBED_ALL, d1);
    SHA256(png, len, d2);
    assert_memory_equal(d1, d2, 32);

    /* Replacing the signature, then removing each kind. */
    bytebuf c, only_sig, only_rec, none, sig_direct;
    uint8_t *sig2 = payload_of(5, 3);
    embed(b.data, b.len, EMBED_SIGNATURE, sig2, 5, &c);
    assert_int_equal(image_embedded_find(c.data, c.len, &e), SHROUD_OK);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 5);
    assert_memory_equal(e.payload[EMBED_SIGNATURE], sig2, 5);
    assert_int_equal(e.payload_len[EMBED_RECORD], MIB + 70000);
    image_embedded_free(&e);
    assert_int_equal(rewrite(c.data, c.len, EMBED_MASK(EMBED_RECORD), 0, NULL, 0, &only_sig),
                     SHROUD_OK);
    assert_int_equal(image_embedded_find(only_sig.data, only_sig.len, &e), SHROUD_OK);
    assert_null(e.payload[EMBED_RECORD]);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 5);
    assert_memory_equal(e.payload[EMBED_SIGNATURE], sig2, 5);
    image_embedded_free(&e);
    /* ... which is the original with that signature embedded directly */
    embed(png, len, EMBED_SIGNATURE, sig2, 5, &sig_direct);
    assert_int_equal(only_sig.len, sig_direct.len);
    assert_memory_equal(only_sig.data, sig_direct.data, sig_direct.len);
    assert_int_equal(rewrite(c.data, c.len, EMBED_MASK(EMBED_SIGNATURE), 0, NULL, 0, &only_rec),
                     SHROUD_OK);
    assert_int_equal(only_rec.len, a.len);
    assert_memory_equal(only_rec.data, a.data, a.len);
    assert_int_equal(rewrite(c.data, c.len, EMBED_ALL, 0, NULL, 0, &none), SHROUD_OK);
    assert_int_equal(none.len, len);
    assert_memory_equal(none.data, png, len);
    if (pu_pngcheck(c.data, c.len) < 0)
        fail_msg("pngcheck refuses a file with shRD and shSG chunks");
    free_buf(&a);
    free_buf(&b);
    free_buf(&c);
    free_buf(&only_sig);
    free_buf(&only_rec);
    free_buf(&none);
    free_buf(&sig_direct);
    free(sig2);
    free(rec);
    free(sig);
    free(png);
}

/* Signature alone; an empty payload is one chunk with no data. */
static void test_signature_alone_and_empty_payloads(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    size_t at = pu_find_chunk(png, len, "IDAT", 0);
    bytebuf a, b;
    embed(png, len, EMBED_SIGNATURE, (const uint8_t *)"", 0, &a);
    embed(a.data, a.len, EMBED_RECORD, (const uint8_t *)"", 0, &b);
    image_embedded e;
    assert_int_equal(image_embedded_find(b.data, b.len, &e), SHROUD_OK);
    for (int kind = EMBED_RECORD; kind <= EMBED_SIGNATURE; kind++) {
        assert_non_null(e.payload[kind]);
        assert_int_equal(e.payload_len[kind], 0);
    }
    assert_int_equal(e.ranges_len, 2);
    assert_int_equal(e.ranges[0].kind, EMBED_SIGNATURE);
    assert_int_equal(e.ranges[0].offset, at);
    assert_int_equal(e.ranges[1].kind, EMBED_RECORD);
    assert_int_equal(e.ranges[0].size, PNG_CHUNK_OVERHEAD);
    assert_int_equal(e.ranges[1].size, PNG_CHUNK_OVERHEAD);
    assert_memory_equal(b.data + at, "\0\0\0\0shSG", 8);
    assert_memory_equal(b.data + at + 12, "\0\0\0\0shRD", 8);
    image_embedded_free(&e);
    free_buf(&a);
    free_buf(&b);
    free(png);
}

/* A plain file: nothing found, format PNG. */
static void test_plain_file_has_no_blocks(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    image_embedded e;
    assert_int_equal(image_embedded_find(png, len, &e), SHROUD_OK);
    assert_int_equal(e.format, IMAGE_FORMAT_PNG);
    assert_int_equal(e.ranges_len, 0);
    assert_null(e.payload[EMBED_RECORD]);
    assert_null(e.payload[EMBED_SIGNATURE]);
    uint8_t d[32], want[32];
    assert_int_equal(image_embedded_digest(png, len, &e, EMBED_ALL, d), SHROUD_OK);
    SHA256(png, len, want);
    assert_memory_equal(d, want, 32);
    bytebuf same = {0};
    assert_int_equal(image_embedded_rewrite(png, len, &e, EMBED_ALL, 0, NULL, 0, &same), SHROUD_OK);
    assert_int_equal(same.len, len);
    assert_memory_equal(same.data, png, len);
    free_buf(&same);
    image_embedded_free(&e);
    free(png);
}

/* ---- blocks elsewhere
 * ---------------------------------------------------------------------------- */

/* Blocks after the image data (or right after IHDR) are found and removed;
 * new ones always go before the first IDAT. */
static void test_blocks_elsewhere_are_found_and_removed(void **state)
{
    (void)state;
    size_t base_len;
    uint8_t *base = base_file(&base_len);
    const pu_chunk extra[] = {
        {"shRD", (const uint8_t *)"early ", 6, PU_AFTER_IHDR},
        {"shRD", (const uint8_t *)"record", 6, PU_AFTER_IHDR},
        {"shSG", (const uint8_t *)"late signature", 14, PU_AFTER_IDAT},
    };
    size_t len;
    uint8_t *png = file_with(extra, N_ITEMS(extra), &len);
    image_embedded e;
    assert_int_equal(image_embedded_find(png, len, &e), SHROUD_OK);
    assert_int_equal(e.ranges_len, 3);
    assert_int_equal(e.ranges[0].offset, pu_find_chunk(png, len, "gAMA", 0) + 16);
    assert_int_equal(e.payload_len[EMBED_RECORD], 12);
    assert_memory_equal(e.payload[EMBED_RECORD], "early record", 12);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 14);
    assert_true(e.ranges[2].offset > pu_find_chunk(png, len, "IDAT", 0));
    image_embedded_free(&e);
    bytebuf out;
    assert_int_equal(rewrite(png, len, EMBED_ALL, 0, NULL, 0, &out), SHROUD_OK);
    assert_int_equal(out.len, base_len);
    assert_memory_equal(out.data, base, base_len);
    free_buf(&out);
    /* A new record replaces the early one; the late signature stays. */
    embed(png, len, EMBED_RECORD, (const uint8_t *)"new", 3, &out);
    char *types = pu_chunk_types(out.data, out.len);
    assert_true(strncmp(types, "IHDR gAMA tEXt shRD IDAT", 24) == 0);
    assert_string_equal(types + strlen(types) - 19, "IDAT teSt shSG IEND");
    assert_null(strstr(types + 1, "shRD shRD"));
    free(types);
    assert_int_equal(pu_find_chunk(out.data, out.len, "shRD", 1), SIZE_MAX);
    assert_int_equal(image_embedded_find(out.data, out.len, &e), SHROUD_OK);
    assert_int_equal(e.payload_len[EMBED_RECORD], 3);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 14);
    image_embedded_free(&e);
    free_buf(&out);
    free(png);
    free(base);
}

/* ---- refused
 * ------------------------------------------------------------------------------------- */

typedef struct {
    const char *what;
    pu_chunk chunks[4];
    size_t n;
    int err;
} layout_case;

static void test_a_kind_must_be_one_run(void **state)
{
    (void)state;
    const uint8_t *d = (const uint8_t *)"abcdef";
    const layout_case cases[] = {
        {"record, text, record",
         {{"shRD", d, 2, PU_BEFORE_IDAT},
          {"tIME", d, 0, PU_BEFORE_IDAT},
          {"shRD", d, 2, PU_BEFORE_IDAT}},
         3,
         SHROUD_ERR_IMAGE},
        {"record before and after IDAT",
         {{"shRD", d, 2, PU_BEFORE_IDAT}, {"shRD", d, 2, PU_AFTER_IDAT}},
         2,
         SHROUD_ERR_IMAGE},
        {"record, signature, record",
         {{"shRD", d, 1, PU_BEFORE_IDAT},
          {"shSG", d, 1, PU_BEFORE_IDAT},
          {"shRD", d, 1, PU_BEFORE_IDAT}},
         3,
         SHROUD_ERR_IMAGE},
        {"signature, record, signature",
         {{"shSG", d, 0, PU_AFTER_IHDR},
          {"shRD", d, 1, PU_AFTER_IHDR},
          {"shSG", d, 0, PU_AFTER_IHDR}},
         3,
         SHROUD_ERR_IMAGE},
        {"signature after IHDR and after IDAT",
         {{"shSG", d, 3, PU_AFTER_IHDR}, {"shSG", d, 3, PU_AFTER_IDAT}},
         2,
         SHROUD_ERR_IMAGE},
        /* accepted */
        {"two runs, one per kind",
         {{"shRD", d, 2, PU_BEFORE_IDAT},
          {"shRD", d + 2, 2, PU_BEFORE_IDAT},
          {"shSG", d, 3, PU_BEFORE_IDAT},
          {"shSG", d + 3, 3, PU_BEFORE_IDAT}},
         4,
         SHROUD_OK},
        {"kinds on both sides of IDAT",
         {{"shSG", d, 6, PU_AFTER_IHDR},
          {"shRD", d, 0, PU_AFTER_IDAT},
          {"shRD", d, 4, PU_AFTER_IDAT}},
         3,
         SHROUD_OK},
    };
    for (size_t i = 0; i < N_ITEMS(cases); i++) {
        size_t len;
        uint8_t *png = file_with(cases[i].chunks, cases[i].n, &len);
        image_embedded e;
        int err = image_embedded_find(png, len, &e);
        if (err != cases[i].err)
            fail_msg("%s: got %d, want %d", cases[i].what, err, cases[i].err);
        if (err == SHROUD_OK) {
            size_t want[3] = {0};
            tu_buf cat[3] = {{0}, {0}, {0}};
            for (size_t k = 0; k < cases[i].n; k++) {
                int kind = cases[i].chunks[k].type[3] == 'D' ? EMBED_RECORD : EMBED_SIGNATURE;
                want[kind] += cases[i].chunks[k].len;
                tu_buf_write(&cat[kind], cases[i].chunks[k].data, cases[i].chunks[k].len);
            }
            for (int kind = EMBED_RECORD; kind <= EMBED_SIGNATURE; kind++) {
                assert_int_equal(e.payload_len[kind], want[kind]);
                assert_memory_equal(e.payload[kind], cat[kind].data, want[kind]);
                tu_buf_free(&cat[kind]);
            }
            assert_int_equal(e.ranges_len, cases[i].n);
        }
        image_embedded_free(&e);
        free(png);
    }
}

/* Inserting a kind that is present and not removed would make a second run. */
static void test_rewrite_refuses_a_second_run(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    bytebuf with;
    embed(png, len, EMBED_RECORD, (const uint8_t *)"record", 6, &with);
    image_embedded e;
    assert_int_equal(image_embedded_find(with.data, with.len, &e), SHROUD_OK);
    bytebuf out = {0};
    const uint8_t one = 1;
    assert_int_equal(
        image_embedded_rewrite(with.data, with.len, &e, 0, EMBED_RECORD, &one, 1, &out),
        SHROUD_ERR_ARGUMENT);
    assert_int_equal(image_embedded_rewrite(with.data, with.len, &e, EMBED_MASK(EMBED_SIGNATURE),
                                            EMBED_RECORD, &one, 1, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(png_embedded_rewrite(with.data, with.len, &e, 0, EMBED_RECORD, &one, 1, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(out.len, 0);
    /* The other kind may join. */
    assert_int_equal(
        image_embedded_rewrite(with.data, with.len, &e, 0, EMBED_SIGNATURE, &one, 1, &out),
        SHROUD_OK);
    image_embedded_free(&e);
    assert_int_equal(image_embedded_find(out.data, out.len, &e), SHROUD_OK);
    assert_int_equal(e.payload_len[EMBED_RECORD], 6);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 1);
    image_embedded_free(&e);
    free_buf(&out);
    free_buf(&with);
    free(png);
}

static void test_broken_files_and_bad_arguments(void **state)
{
    (void)state;
    size_t len;
    uint8_t *png = base_file(&len);
    static const char text[] = "not an image";
    assert_int_equal(find_err((const uint8_t *)text, sizeof text), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(find_err(png, 7), SHROUD_ERR_IMAGE_FORMAT);
    assert_int_equal(find_err(png, len - 1), SHROUD_ERR_IMAGE);
    /* Cut inside a block, a bad CRC in a block, data after IEND. */
    bytebuf with;
    embed(png, len, EMBED_RECORD, (const uint8_t *)"payload", 7, &with);
    size_t at = pu_find_chunk(png, len, "IDAT", 0);
    assert_int_equal(find_err(with.data, at + 10), SHROUD_ERR_IMAGE);
    with.data[at + 9] ^= 1;
    assert_int_equal(find_err(with.data, with.len), SHROUD_ERR_IMAGE);
    with.data[at + 9] ^= 1;
    tu_buf tail = {0};
    tu_buf_write(&tail, with.data, with.len);
    tu_buf_write(&tail, (const uint8_t *)"x", 1);
    assert_int_equal(find_err(tail.data, tail.len), SHROUD_ERR_IMAGE);
    tu_buf_free(&tail);

    image_embedded e;
    assert_int_equal(image_embedded_find(with.data, with.len, &e), SHROUD_OK);
    bytebuf out = {0};
    const uint8_t one = 0;
    assert_int_equal(image_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, EMBED_RECORD, &one,
                                            (size_t)EMBED_MAX_PAYLOAD + 1, &out),
                     SHROUD_ERR_IMAGE_LIMIT);
    assert_int_equal(png_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, EMBED_RECORD, &one,
                                          (size_t)EMBED_MAX_PAYLOAD + 1, &out),
                     SHROUD_ERR_IMAGE_LIMIT);
    assert_int_equal(image_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, 3, &one, 1, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(png_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, 0, &one, 1, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(image_embedded_rewrite(NULL, with.len, &e, EMBED_ALL, 0, NULL, 0, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(image_embedded_rewrite(with.data, with.len, NULL, EMBED_ALL, 0, NULL, 0, &out),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(image_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, 0, NULL, 0, NULL),
                     SHROUD_ERR_ARGUMENT);
    /* A broken file given with good ranges: the whole file is walked. */
    assert_int_equal(
        image_embedded_rewrite(with.data, with.len - 1, &e, EMBED_ALL, 0, NULL, 0, &out),
        SHROUD_ERR_IMAGE);
    assert_int_equal(out.len, 0);
    /* Digest: ranges must be sorted and inside the buffer. */
    uint8_t d[32];
    assert_int_equal(image_embedded_digest(NULL, 1, &e, EMBED_ALL, d), SHROUD_ERR_ARGUMENT);
    assert_int_equal(image_embedded_digest(with.data, with.len, NULL, EMBED_ALL, d),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(image_embedded_digest(with.data, with.len, &e, EMBED_ALL, NULL),
                     SHROUD_ERR_ARGUMENT);
    assert_int_equal(image_embedded_digest(with.data, e.ranges[0].offset + 5, &e, EMBED_ALL, d),
                     SHROUD_ERR_ARGUMENT);
    /* An unknown format in e. */
    e.format = IMAGE_FORMAT_UNKNOWN;
    assert_int_equal(image_embedded_rewrite(with.data, with.len, &e, EMBED_ALL, 0, NULL, 0, &out),
                     SHROUD_ERR_ARGUMENT);
    image_embedded_free(&e);
    assert_int_equal(png_embedded_find(png, len, NULL), SHROUD_ERR_ARGUMENT);
    assert_int_equal(image_embedded_find(png, len, NULL), SHROUD_ERR_ARGUMENT);
    image_embedded_free(NULL);
    free_buf(&with);
    free(out.data); /* a failed rewrite leaves out empty, but it may hold room reserved */
    free(png);
}

/* Without IDAT there is nowhere to insert; removing still works. */
static void test_no_idat(void **state)
{
    (void)state;
    tu_buf f = {0};
    pu_put_signature(&f);
    pu_put_ihdr(&f, 1, 1, 8, PU_GRAY, 0);
    pu_put_chunk(&f, "shSG", "sig", 3);
    pu_put_chunk(&f, "IEND", NULL, 0);
    image_embedded e;
    assert_int_equal(image_embedded_find(f.data, f.len, &e), SHROUD_OK);
    assert_int_equal(e.payload_len[EMBED_SIGNATURE], 3);
    bytebuf out = {0};
    assert_int_equal(image_embedded_rewrite(f.data, f.len, &e, EMBED_ALL, EMBED_RECORD,
                                            (const uint8_t *)"r", 1, &out),
                     SHROUD_ERR_IMAGE);
    assert_int_equal(out.len, 0);
    assert_int_equal(image_embedded_rewrite(f.data, f.len, &e, EMBED_ALL, 0, NULL, 0, &out),
                     SHROUD_OK);
    assert_int_equal(out.len, f.len - 15);
    image_embedded_free(&e);
    free_buf(&out);
    tu_buf_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_round_trips_for_every_size),
        cmocka_unit_test(test_signature_joins_a_record_and_both_round_trip),
        cmocka_unit_test(test_signature_alone_and_empty_payloads),
        cmocka_unit_test(test_plain_file_has_no_blocks),
        cmocka_unit_test(test_blocks_elsewhere_are_found_and_removed),
        cmocka_unit_test(test_a_kind_must_be_one_run),
        cmocka_unit_test(test_rewrite_refuses_a_second_run),
        cmocka_unit_test(test_broken_files_and_bad_arguments),
        cmocka_unit_test(test_no_idat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
