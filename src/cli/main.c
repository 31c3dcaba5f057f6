/* main.c — the shroud command: one table maps subcommands to cmd_* functions. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"keygen", cmd_keygen, "create an identity (secret key) and print its public key"},
    {"pubkey", cmd_pubkey, "print the public key of an identity"},
    {"encrypt", cmd_encrypt, "encrypt a file or stream to public keys or a passphrase"},
    {"decrypt", cmd_decrypt, "decrypt a file or stream"},
    {"redact", cmd_redact, "obscure regions of a PNG/JPEG, keeping the original sealed inside"},
    {"restore", cmd_restore, "restore the regions of a redacted image your keys open"},
    {"inspect", cmd_inspect, "show what an image carries: groups, regions, signature"},
    {"sign", cmd_sign, "sign an image (embedded) or any file (detached signature)"},
    {"verify", cmd_verify, "check an image's embedded signature or a detached one"},
    {"hide", cmd_hide, "hide an encrypted message or file in a PNG/BMP (steganography)"},
    {"reveal", cmd_reveal, "find and decrypt a message hidden with 'hide'"},
    {"capacity", cmd_capacity, "how many bytes a cover image can hide"},
    {"serve", cmd_serve, "run the HTTPS server: web UI, accounts, gallery, hide/reveal"},
    {"remote", cmd_remote, "the client of a shroud server: accounts, upload, list, get"},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: shroud COMMAND [OPTIONS] [ARGS]\n\n"
               "shroud: image privacy and end-to-end encryption.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'shroud COMMAND --help' for a command's options; 'man shroud' for more.\n"
               "Exit status: 0 success, 1 failure, 2 wrong usage.\n");
}

int main(int argc, char **argv)
{
    signals_install();
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("shroud %s\n", shroud_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "shroud: unknown command '%s'\nTry 'shroud --help'.\n", name);
    return EXIT_USAGE;
}
