/* decrypt.c — shroud decrypt: open an envelope (binary or armored). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char decrypt_help[] =
    "Usage: shroud decrypt [-i IDENTITY]... [-p | --passphrase-file F] [-o OUT] [IN]\n"
    "\n"
    "Decrypts IN (default: standard input; binary or armored) and writes the\n"
    "plaintext to OUT (default: standard output). Every chunk is authenticated\n"
    "before it is written; any tampering, truncation or appended data is an error.\n"
    "With -o, OUT appears only when the whole message has been verified; on\n"
    "standard output, verified chunks written before a later error must be\n"
    "discarded by the reader (the exit status is then 1).\n"
    "\n"
    "Options:\n"
    "  -i, --identity IDENTITY   a secret key to try; repeatable (default: $SHROUD_IDENTITY,\n"
    "                            else ~/.config/shroud/identity, if it exists)\n"
    "  -p, --passphrase          the message is encrypted to a passphrase: ask for it\n"
    "                            (it is asked anyway when needed; -p skips loading the\n"
    "                            default identity)\n"
    "      --passphrase-file F   the passphrase (of the message, or of a protected\n"
    "                            identity) from the first line of F; else asked on the\n"
    "                            terminal when needed\n"
    "  -o, --output OUT          write to OUT (mode 0600), created only once verified\n"
    "  -f, --force               replace OUT if it exists\n"
    "  -h, --help                show this help\n";

typedef struct {
    const char *identities[SHROUD_MAX_RECIPIENTS];
    size_t n_identities;
    const char *pass_file, *output, *input;
    int force, passphrase;
} decrypt_opts;

static int parse_decrypt(int argc, char **argv, decrypt_opts *o)
{
    static const struct option longopts[] = {
        {"identity", required_argument, NULL, 'i'},
        {"passphrase", no_argument, NULL, 'p'},
        {"passphrase-file", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:po:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (o->n_identities >= SHROUD_MAX_RECIPIENTS)
                return usage_error("decrypt", "at most %d identities", SHROUD_MAX_RECIPIENTS);
            o->identities[o->n_identities++] = optarg;
            break;
        case 'p':
            o->passphrase = 1;
            break;
        case 'F':
            o->pass_file = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'f':
            o->force = 1;
            break;
        case 'h':
            fputs(decrypt_help, stdout);
            return -1;
        default:
            return option_error("decrypt", c, argv);
        }
    }
    if (optind + 1 < argc)
        return usage_error("decrypt", "one input at most (got '%s' and '%s')", argv[optind],
                           argv[optind + 1]);
    o->input = optind < argc ? argv[optind] : NULL;
    return 0;
}

/* Loads the named identities, or the default one when none is named and it exists. */
static int open_write(void *ctx, const uint8_t *buf, size_t len)
{
    return shroud_opener_write(ctx, buf, len);
}

static int report(int err, const decrypt_opts *o, size_t n_ids, const cli_input *in,
                  const cli_output *out, int read_errno, const pass_source *src)
{
    if (src->reported)
        return EXIT_FAILED; /* pass_ask already said why */
    const char *what = in->name;
    switch (err) {
    case SHROUD_ERR_CANCELLED:
        if (read_errno)
            return fail("cannot read %s: %s", what, strerror(read_errno));
        return fail("cannot write %s: %s", o->output ? o->output : "standard output",
                    strerror(out->failed_errno));
    case SHROUD_ERR_NO_IDENTITY:
        if (n_ids == 0)
            return fail("%s is encrypted to public keys: give the secret key with -i IDENTITY",
                        what);
        /* stanzas name no recipient: a damaged one reads like another key's */
        if (n_ids == 1)
            return fail("%s: the identity given cannot decrypt it (a wrong key, or a damaged "
                        "header)",
                        what);
        return fail("%s: none of the %zu identities given can decrypt it (wrong keys, or a "
                    "damaged header)",
                    what, n_ids);
    case SHROUD_ERR_NEED_PASSPHRASE:
        return fail("%s is encrypted with a passphrase: run on a terminal or use "
                    "--passphrase-file FILE",
                    what);
    default:
        return fail("%s: %s", what, shroud_strerror(err));
    }
}

static int run_decrypt(const decrypt_opts *o)
{
    shroud_identity *ids[SHROUD_MAX_RECIPIENTS] = {0};
    size_t n_ids = 0;
    int rc =
        load_identities(o->identities, o->n_identities, o->passphrase, o->pass_file, ids, &n_ids);
    cli_input in = {.fd = -1};
    cli_output out = {.fd = -1};
    shroud_opener *op = NULL;
    int e = rc ? 0 : input_open(&in, o->input);
    if (e)
        rc = fail("cannot open %s: %s", o->input, strerror(e));
    if (!rc && (e = output_open(&out, o->output, o->force, 0600)) != 0)
        rc = e == EEXIST ? fail("%s already exists; use --force to replace it", o->output)
                         : fail("cannot create %s: %s", o->output, strerror(e));
    pass_source src = {o->pass_file, NULL, 0};
    int err = rc ? SHROUD_OK : shroud_opener_new(&op, 0, output_write, &out);
    for (size_t i = 0; !rc && !err && i < n_ids; i++)
        err = shroud_opener_add_identity(op, ids[i]);
    if (!rc && !err)
        shroud_opener_set_passphrase_fn(op, pass_ask, &src);
    int read_errno = 0;
    if (!rc && !err)
        err = input_pump(&in, open_write, op, "decrypting", &read_errno);
    if (!rc && !err)
        err = shroud_opener_finish(op);
    if (!rc && err)
        rc = report(err, o, n_ids, &in, &out, read_errno, &src);
    if (!rc && (e = output_commit(&out)) != 0)
        rc = fail("cannot write %s: %s", o->output ? o->output : "standard output", strerror(e));
    shroud_opener_free(op);
    output_abort(&out);
    input_close(&in);
    for (size_t i = 0; i < n_ids; i++)
        shroud_identity_free(ids[i]);
    return rc;
}

int cmd_decrypt(int argc, char **argv)
{
    decrypt_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_decrypt(argc, argv, &o);
    if (rc == 0)
        rc = run_decrypt(&o);
    return rc < 0 ? 0 : rc;
}
