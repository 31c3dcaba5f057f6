/* reveal.c — shroud reveal: find and open a message hidden with hide, or read
 * the classic tutorial's sequential LSB layout. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const char reveal_help[] =
    "Usage: shroud reveal (-i IDENTITY... | -p | --passphrase-file F) [-o OUT] STEGO\n"
    "       shroud reveal --raw-lsb BYTES [-o OUT] IMAGE\n"
    "\n"
    "Finds the message hidden in STEGO (a PNG or BMP made by 'shroud hide') for your\n"
    "key or passphrase, decrypts it and writes it to OUT (default: standard output;\n"
    "a binary message is not written to a terminal). A wrong key, a wrong\n"
    "passphrase, an image without a message and an image changed since (resized,\n"
    "recompressed as JPEG...) all give the same error, and nothing is written.\n"
    "A passphrase guess costs about half a second, by design.\n"
    "\n"
    "--raw-lsb reads BYTES bytes from the least significant bits of the samples in\n"
    "row-major order (R,G,B[,A] interleaved, as numpy.array(img).flatten() orders\n"
    "them), most significant bit first: the layout of the widely copied Python\n"
    "tutorial. No key is involved: what it hid (often RSA-OAEP ciphertext) comes out\n"
    "as is, e.g. for 'openssl pkeyutl -decrypt -pkeyopt rsa_padding_mode:oaep'.\n"
    "\n"
    "Options:\n"
    "  -i, --identity IDENTITY   a secret key to try; repeatable (default: $SHROUD_IDENTITY,\n"
    "                            else ~/.config/shroud/identity, if it exists)\n"
    "  -p, --passphrase          ask for the passphrase (without echo)\n"
    "      --passphrase-file F   the passphrase from the first line of F\n"
    "      --position-key KEY    the public key the message was hidden for first (-r\n"
    "                            order), when you are one of several recipients and\n"
    "                            not the first; repeatable\n"
    "      --raw-lsb BYTES       read the tutorial layout instead (no key)\n"
    "  -o, --output OUT          write the message here (mode 0600)\n"
    "      --force               replace OUT if it exists\n"
    "  -h, --help                show this help\n";

#define RAW_LSB_MAX (SHROUD_IMAGE_MAX_PIXELS / 2u) /* 64 Mi pixels x 4 samples / 8 */

typedef struct {
    const char *identities[SHROUD_MAX_RECIPIENTS];
    size_t n_identities;
    shroud_recipient *position_keys[SHROUD_MAX_RECIPIENTS];
    size_t n_position_keys;
    const char *pass_file, *output, *input;
    int passphrase, force, raw;
    unsigned long raw_bytes;
} reveal_opts;

enum { OPT_PASS_FILE = 256, OPT_FORCE, OPT_POSITION_KEY, OPT_RAW_LSB };

static int parse_reveal(int argc, char **argv, reveal_opts *o)
{
    static const struct option longopts[] = {
        {"identity", required_argument, NULL, 'i'},
        {"passphrase", no_argument, NULL, 'p'},
        {"passphrase-file", required_argument, NULL, OPT_PASS_FILE},
        {"position-key", required_argument, NULL, OPT_POSITION_KEY},
        {"raw-lsb", required_argument, NULL, OPT_RAW_LSB},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, OPT_FORCE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:po:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (o->n_identities >= SHROUD_MAX_RECIPIENTS)
                return usage_error("reveal", "at most %d identities", SHROUD_MAX_RECIPIENTS);
            o->identities[o->n_identities++] = optarg;
            break;
        case 'p':
            o->passphrase = 1;
            break;
        case OPT_PASS_FILE:
            o->pass_file = optarg;
            break;
        case OPT_POSITION_KEY:
            if (o->n_position_keys >= SHROUD_MAX_RECIPIENTS)
                return usage_error("reveal", "at most %d position keys", SHROUD_MAX_RECIPIENTS);
            if (!(o->position_keys[o->n_position_keys] = load_public_key(optarg)))
                return EXIT_USAGE;
            o->n_position_keys++;
            break;
        case OPT_RAW_LSB:
            if (parse_uint(optarg, 1, RAW_LSB_MAX, &o->raw_bytes))
                return usage_error("reveal", "--raw-lsb takes a byte count 1 .. %u, not '%s'",
                                   RAW_LSB_MAX, optarg);
            o->raw = 1;
            break;
        case 'o':
            o->output = optarg;
            break;
        case OPT_FORCE:
            o->force = 1;
            break;
        case 'h':
            fputs(reveal_help, stdout);
            return -1;
        default:
            return option_error("reveal", c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("reveal", "give exactly one image");
    o->input = argv[optind];
    if (o->raw && (o->n_identities || o->passphrase || o->pass_file || o->n_position_keys))
        return usage_error("reveal", "--raw-lsb takes no key: it reads the bits as they are");
    if (o->pass_file && !o->n_identities)
        o->passphrase = 1;
    return 0;
}

/* 1 if buf holds bytes a terminal would mangle (NUL, other control bytes). */
static int looks_binary(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t') || buf[i] == 0x7F)
            return 1;
    return 0;
}

static int write_message(const reveal_opts *o, const uint8_t *msg, size_t len)
{
    cli_output out;
    int e = output_open(&out, o->output, o->force, 0600);
    if (e == EEXIST)
        return fail("%s already exists; use --force to replace it", o->output);
    if (e)
        return fail("cannot create %s: %s", o->output, strerror(e));
    const char *name = o->output && strcmp(o->output, "-") != 0 ? o->output : "standard output";
    int rc = 0;
    if (output_is_tty(&out) && looks_binary(msg, len))
        rc = fail("the message is binary (%zu bytes): not writing it to a terminal; use -o FILE",
                  len);
    if (!rc && output_write(&out, msg, len) != 0)
        rc = fail("cannot write %s: %s", name, strerror(out.failed_errno));
    if (!rc && (e = output_commit(&out)) != 0)
        rc = fail("cannot write %s: %s", name, strerror(e));
    output_abort(&out);
    return rc;
}

static int reveal_raw(const reveal_opts *o, const uint8_t *image, size_t len)
{
    uint8_t *bytes = NULL;
    int err = shroud_stego_read_lsb(image, len, o->raw_bytes, &bytes);
    if (err == SHROUD_ERR_CAPACITY)
        return fail("%s has fewer than %lu samples: it cannot hold %lu bytes", o->input,
                    o->raw_bytes * 8, o->raw_bytes);
    if (err == SHROUD_ERR_IMAGE_FORMAT || err == SHROUD_ERR_COVER)
        return fail("%s: not a PNG or BMP", o->input);
    if (err)
        return image_fail(o->input, err);
    int rc = write_message(o, bytes, o->raw_bytes);
    shroud_free(bytes);
    return rc;
}

static int reveal_keyed(const reveal_opts *o, const uint8_t *image, size_t len)
{
    shroud_identity *ids[SHROUD_MAX_RECIPIENTS] = {0};
    size_t n_ids = 0;
    char pass[SHROUD_PASSPHRASE_MAX];
    size_t pass_len = 0;
    int rc = load_identities(o->identities, o->n_identities, o->passphrase,
                             o->passphrase ? NULL : o->pass_file, ids, &n_ids);
    if (!rc && !n_ids && !o->passphrase)
        rc = usage_error("reveal", "give a secret key with -i IDENTITY, or -p for a passphrase");
    if (!rc && o->passphrase) {
        pass_source src = {o->pass_file, NULL, 0};
        rc = pass_ask(&src, "reveal", pass, sizeof pass, &pass_len) == 0 ? 0 : EXIT_FAILED;
        if (rc && !src.reported)
            fail("no passphrase: run on a terminal or use --passphrase-file FILE");
    }
    uint8_t *msg = NULL;
    size_t msg_len = 0;
    if (!rc) {
        int err = shroud_stego_reveal(image, len, (const shroud_identity *const *)ids, n_ids,
                                      (const shroud_recipient *const *)o->position_keys,
                                      o->n_position_keys, o->passphrase ? pass : NULL, pass_len,
                                      &msg, &msg_len);
        if (err == SHROUD_ERR_NO_MESSAGE)
            rc = fail("%s: no message for this %s; nothing written", o->input,
                      o->passphrase && !n_ids ? "passphrase"
                      : o->passphrase         ? "passphrase or key"
                                              : (n_ids == 1 ? "key" : "set of keys"));
        else if (err)
            rc = cover_fail(o->input, err, image, len, 1);
    }
    secret_wipe(pass, sizeof pass);
    if (!rc)
        rc = write_message(o, msg, msg_len);
    if (msg)
        shroud_free_secret(msg, msg_len);
    for (size_t i = 0; i < n_ids; i++)
        shroud_identity_free(ids[i]);
    return rc;
}

int cmd_reveal(int argc, char **argv)
{
    reveal_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_reveal(argc, argv, &o);
    uint8_t *image = NULL;
    size_t len = 0;
    if (rc == 0)
        rc = read_image(o.input, &image, &len);
    if (rc == 0)
        rc = o.raw ? reveal_raw(&o, image, len) : reveal_keyed(&o, image, len);
    free(image);
    for (size_t i = 0; i < o.n_position_keys; i++)
        shroud_recipient_free(o.position_keys[i]);
    return rc < 0 ? 0 : rc;
}
