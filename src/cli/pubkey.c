/* pubkey.c — shroud pubkey: print the public key of an identity. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static const char pubkey_help[] =
    "Usage: shroud pubkey [-i IDENTITY] [--passphrase-file F]\n"
    "\n"
    "Prints the public key of an identity: a 'shroudpk1...' line, or a PEM\n"
    "'PUBLIC KEY' block for an RSA identity (readable by 'openssl pkey -pubin').\n"
    "\n"
    "Options:\n"
    "  -i, --identity IDENTITY   the identity file (default: $SHROUD_IDENTITY, else\n"
    "                            ~/.config/shroud/identity)\n"
    "      --passphrase-file F   passphrase of a protected identity (else asked)\n"
    "  -h, --help                show this help\n";

int cmd_pubkey(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"identity", required_argument, NULL, 'i'},
        {"passphrase-file", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *identity = NULL, *pass_file = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            identity = optarg;
            break;
        case 'F':
            pass_file = optarg;
            break;
        case 'h':
            fputs(pubkey_help, stdout);
            return 0;
        default:
            return option_error("pubkey", c, argv);
        }
    }
    if (optind < argc)
        return usage_error("pubkey", "unexpected argument '%s'", argv[optind]);
    char *path = identity ? NULL : default_identity_path();
    if (!identity && !path)
        return usage_error("pubkey", "give the identity with -i IDENTITY");
    shroud_identity *id = load_identity(identity ? identity : path, pass_file);
    free(path);
    if (!id)
        return EXIT_FAILED;
    shroud_recipient *pub = NULL;
    char *text = NULL;
    size_t len = 0;
    int err = shroud_identity_recipient(id, &pub);
    if (!err)
        err = shroud_recipient_format(pub, &text, &len);
    int rc = err ? fail("%s", shroud_strerror(err)) : 0;
    if (!rc)
        printf("%s%s", text, text[len - 1] == '\n' ? "" : "\n");
    shroud_free(text);
    shroud_recipient_free(pub);
    shroud_identity_free(id);
    return rc;
}
