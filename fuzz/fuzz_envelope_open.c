/*
 * fuzz_envelope_open.c — the streaming opener (shroud_opener) on arbitrary
 * bytes: binary, armored and headerless envelopes, fed in pieces.
 *
 * Input layout (make_seeds.c writes its seeds this way):
 *   control:u8   bits 0-2  number of split points k (0..7)
 *                bit  3    SHROUD_FLAG_HEADERLESS
 *                bit  4    the output sink cancels after 1000 bytes
 *                bit  5    also add the fixed RSA identity (before the native one)
 *   split[k]:u16be  cut positions in the stream (taken modulo its length + 1)
 *   stream       the bytes given to the opener
 *
 * The fixed native identity (fuzz_fixed_keys.h) is always added. The
 * passphrase callback gives FUZZ_PASSPHRASE only when the stream's header is
 * a lone scrypt stanza of the cheapest cost (log2 N = 10, about 1 MiB and a
 * few ms); for any other passphrase stanza it says "none", so that a mutated
 * work factor (up to log2 N = 20, 1 GiB, by design) or PBKDF2's 600000+
 * iterations cannot make the fuzzer crawl. The seed corpus has both kinds.
 *
 * Checked: no crash, leak or undefined behaviour; and the outcome (error
 * code, plaintext bytes delivered) is the same whether the stream is written
 * in one piece or cut at the split points.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/armor.h"
#include "crypto/envelope.h"
#include "fuzz_util.h"

#define CTL_SPLITS 0x07u
#define CTL_HEADERLESS 0x08u
#define CTL_CANCEL 0x10u
#define CTL_RSA 0x20u
#define CANCEL_AFTER 1000

static shroud_identity *native_id, *rsa_id;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char rsa_text[] = FUZZ_RSA_IDENTITY;
    fuzz_native_keys(&native_id, NULL);
    FUZZ_CHECK(shroud_identity_parse(&rsa_id, rsa_text, sizeof rsa_text - 1, NULL, NULL) ==
               SHROUD_OK);
    return 0;
}

typedef struct {
    int allow; /* the header is a lone scrypt stanza with log2 N = 10 */
    int asked;
} pass_state;

static int ask_passphrase(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    pass_state *p = ctx;
    FUZZ_CHECK(purpose != NULL && buf != NULL && len != NULL);
    p->asked++;
    if (!p->allow)
        return -1;
    static const char pass[] = FUZZ_PASSPHRASE;
    FUZZ_CHECK(cap >= sizeof pass - 1);
    memcpy(buf, pass, sizeof pass - 1);
    *len = sizeof pass - 1;
    return 0;
}

/* 1 when the stream's header is one scrypt stanza of log2 N = 10. */
static int cheap_passphrase(const uint8_t *stream, size_t len, unsigned flags)
{
    uint8_t *decoded = NULL;
    const uint8_t *bin = stream;
    size_t bin_len = len;
    if (!(flags & SHROUD_FLAG_HEADERLESS) && len > 0 && stream[0] != (uint8_t)ENVELOPE_MAGIC[0]) {
        if (armor_decode(ARMOR_LABEL_MESSAGE, (const char *)stream, len, &decoded, &bin_len) !=
            SHROUD_OK)
            return 0;
        bin = decoded;
    }
    int cheap = 0;
    size_t skip = (flags & SHROUD_FLAG_HEADERLESS) ? 0 : ENVELOPE_MAGIC_BYTES;
    envelope_header h;
    size_t needed;
    if (bin_len >= skip &&
        envelope_header_parse(bin + skip, bin_len - skip, &h, &needed) == SHROUD_OK)
        cheap = h.count == 1 && h.stanzas[0].type == STANZA_SCRYPT &&
                h.stanzas[0].body[STANZA_SALT_BYTES] == SHROUD_SCRYPT_MIN_LOG_N;
    free(decoded);
    return cheap;
}

typedef struct {
    int err;
    fuzz_sink sink;
} outcome;

/* Opens stream, writing it in the pieces between the sorted cut points. */
static outcome open_stream(const uint8_t *stream, size_t len, const size_t *cuts, size_t n_cuts,
                           unsigned ctl, int allow_pass)
{
    unsigned flags = (ctl & CTL_HEADERLESS) ? SHROUD_FLAG_HEADERLESS : 0;
    outcome r;
    fuzz_sink_init(&r.sink, (ctl & CTL_CANCEL) ? CANCEL_AFTER : SIZE_MAX);
    pass_state pass = {allow_pass, 0};
    shroud_opener *o = NULL;
    FUZZ_CHECK(shroud_opener_new(&o, flags, fuzz_sink_write, &r.sink) == SHROUD_OK);
    if (ctl & CTL_RSA)
        FUZZ_CHECK(shroud_opener_add_identity(o, rsa_id) == SHROUD_OK);
    FUZZ_CHECK(shroud_opener_add_identity(o, native_id) == SHROUD_OK);
    shroud_opener_set_passphrase_fn(o, ask_passphrase, &pass);
    int err = SHROUD_OK;
    size_t off = 0;
    for (size_t i = 0; i <= n_cuts && err == SHROUD_OK; i++) {
        size_t end = i < n_cuts ? cuts[i] : len;
        /* Each piece in its own exact-size buffer: reads past it are caught. */
        uint8_t *piece = (uint8_t *)fuzz_copy(stream + off, end - off);
        err = shroud_opener_write(o, piece, end - off);
        free(piece);
        off = end;
    }
    if (err == SHROUD_OK)
        err = shroud_opener_finish(o);
    else
        FUZZ_CHECK(shroud_opener_finish(o) == err);               /* errors are sticky */
    FUZZ_CHECK(shroud_opener_write(o, stream, len) != SHROUD_OK); /* nothing after the end */
    shroud_opener_free(o);
    FUZZ_CHECK(pass.asked <= 1);
    r.err = err;
    return r;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < 1)
        return 0;
    unsigned ctl = data[0];
    size_t n_cuts = ctl & CTL_SPLITS;
    if (len < 1 + 2 * n_cuts)
        return 0;
    const uint8_t *stream = data + 1 + 2 * n_cuts;
    size_t stream_len = len - 1 - 2 * n_cuts;
    size_t cuts[CTL_SPLITS];
    for (size_t i = 0; i < n_cuts; i++)
        cuts[i] = (size_t)(data[1 + 2 * i] << 8 | data[2 + 2 * i]) % (stream_len + 1);
    qsort(cuts, n_cuts, sizeof cuts[0], cmp_size);

    unsigned flags = (ctl & CTL_HEADERLESS) ? SHROUD_FLAG_HEADERLESS : 0;
    int allow = cheap_passphrase(stream, stream_len, flags);
    outcome cut = open_stream(stream, stream_len, cuts, n_cuts, ctl, allow);
    if (n_cuts > 0) {
        outcome whole = open_stream(stream, stream_len, NULL, 0, ctl, allow);
        if (cut.err != whole.err || cut.sink.total != whole.sink.total ||
            cut.sink.hash != whole.sink.hash) {
            fprintf(stderr, "split: err %d, %zu bytes; whole: err %d, %zu bytes\n", cut.err,
                    cut.sink.total, whole.err, whole.sink.total);
            FUZZ_CHECK(!"the outcome depends on how the input is cut");
        }
    }
    if (cut.err == SHROUD_OK)
        FUZZ_CHECK(!(ctl & CTL_CANCEL) || cut.sink.total <= CANCEL_AFTER);
    return 0;
}
