/* sign.c — shroud sign: a detached signature of a file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char sign_help[] =
    "Usage: shroud sign [-i IDENTITY] -o OUT IMAGE\n"
    "       shroud sign [-i IDENTITY] [--detached] [-o SIGFILE] FILE\n"
    "\n"
    "Signs with the identity's Ed25519 key, or with RSA-PSS-SHA256 for an RSA\n"
    "identity.\n"
    "A PNG or JPEG is signed inside: OUT is the image with an embedded signature\n"
    "(and the signer's public key) over every other byte of the file, redaction\n"
    "record included; an earlier embedded signature is replaced.\n"
    "Any other FILE ('-' for standard input), or an image with --detached, gets an\n"
    "armored detached signature ('-----BEGIN SHROUD SIGNATURE-----') in SIGFILE\n"
    "(default: FILE.sig).\n"
    "Check either with: shroud verify -k PUBKEY FILE\n"
    "\n"
    "Options:\n"
    "  -i, --identity IDENTITY   the signing key (default: $SHROUD_IDENTITY, else\n"
    "                            ~/.config/shroud/identity)\n"
    "      --passphrase-file F   passphrase of a protected identity (else asked)\n"
    "  -o, --output OUT|SIGFILE  the signed image, or where to write a detached\n"
    "                            signature; '-' for stdout\n"
    "      --detached            sign an image with a detached signature instead\n"
    "  -f, --force               replace the output if it exists\n"
    "  -h, --help                show this help\n";

static int sign_update(void *ctx, const uint8_t *buf, size_t len)
{
    return shroud_signer_update(ctx, buf, len);
}

/* Signs the input with id; *sig is the armored signature. */
static int sign_input(const char *file, const shroud_identity *id, char **sig, size_t *sig_len)
{
    cli_input in;
    int e = input_open(&in, file);
    if (e)
        return fail("cannot open %s: %s", file, strerror(e));
    shroud_signer *s = NULL;
    int read_errno = 0;
    int err = shroud_signer_new(&s, id);
    if (!err)
        err = input_pump(&in, sign_update, s, "signing", &read_errno);
    if (!err)
        err = shroud_signer_finish(s, sig, sig_len);
    shroud_signer_free(s);
    input_close(&in);
    if (err == SHROUD_ERR_CANCELLED && read_errno)
        return fail("cannot read %s: %s", in.name, strerror(read_errno));
    return err ? fail("cannot sign %s: %s", in.name, shroud_strerror(err)) : 0;
}

/* Writes a copy of the image with an embedded signature. */
static int sign_image(const char *file, const shroud_identity *id, const char *output, int force)
{
    uint8_t *image = NULL, *out = NULL;
    size_t len = 0, out_len = 0;
    if (read_image(file, &image, &len))
        return EXIT_FAILED;
    int err = shroud_image_sign(image, len, id, &out, &out_len);
    free(image);
    int rc = err ? image_fail(file, err) : write_image(output, force, 0644, out, out_len);
    shroud_free(out);
    return rc;
}

int cmd_sign(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"identity", required_argument, NULL, 'i'},
        {"passphrase-file", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"detached", no_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *identity = NULL, *pass_file = NULL, *output = NULL;
    int force = 0, detached = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:o:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            identity = optarg;
            break;
        case 'F':
            pass_file = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'f':
            force = 1;
            break;
        case 'D':
            detached = 1;
            break;
        case 'h':
            fputs(sign_help, stdout);
            return 0;
        default:
            return option_error("sign", c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("sign", "give exactly one FILE to sign");
    const char *file = argv[optind];
    int embed = !detached && file_is_image(file);
    if (embed && !output)
        return usage_error("sign",
                           "signing an image writes a signed copy: give -o OUT (or --detached "
                           "for a separate %s.sig)",
                           file);
    if (strcmp(file, "-") == 0 && !output)
        return usage_error("sign", "signing standard input needs -o SIGFILE");
    char default_out[4096];
    if (!output) {
        if ((size_t)snprintf(default_out, sizeof default_out, "%s.sig", file) >= sizeof default_out)
            return usage_error("sign", "file name too long");
        output = default_out;
    }
    char *path = identity ? NULL : default_identity_path();
    if (!identity && !path)
        return usage_error("sign", "give the identity with -i IDENTITY");
    shroud_identity *id = load_identity(identity ? identity : path, pass_file);
    free(path);
    if (!id)
        return EXIT_FAILED;
    if (embed) {
        int rc = sign_image(file, id, output, force);
        shroud_identity_free(id);
        return rc;
    }
    char *sig = NULL;
    size_t sig_len = 0;
    int rc = sign_input(file, id, &sig, &sig_len);
    shroud_identity_free(id);
    int e = 0;
    if (!rc && strcmp(output, "-") == 0)
        rc = fwrite(sig, 1, sig_len, stdout) == sig_len && fflush(stdout) == 0
                 ? 0
                 : fail("cannot write the signature to standard output");
    else if (!rc && (e = write_small_file(output, sig, sig_len, force, 0644)) != 0)
        rc = e == EEXIST ? fail("%s already exists; use --force to replace it", output)
                         : fail("cannot write %s: %s", output, strerror(e));
    shroud_free(sig);
    return rc;
}
