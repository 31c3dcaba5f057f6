/* keygen.c — shroud keygen: create an identity, print its public key. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

static const char keygen_help[] =
    "Usage: shroud keygen [-o IDENTITY] [--rsa BITS] [--protect] [--force]\n"
    "\n"
    "Creates an identity (a secret key file, mode 0600) and prints its public key\n"
    "on standard output: one line 'shroudpk1...' for a native key, or a PEM\n"
    "'PUBLIC KEY' block with --rsa. Give the public key to whoever encrypts to\n"
    "you or checks your signatures; keep the identity secret.\n"
    "\n"
    "Options:\n"
    "  -o, --output IDENTITY     where to write the identity (default: $SHROUD_IDENTITY,\n"
    "                            else ~/.config/shroud/identity); '-' for stdout\n"
    "      --rsa BITS            an RSA key (2048..4096 bits) in PKCS#8 PEM instead of\n"
    "                            a native X25519+Ed25519 key; works with openssl\n"
    "      --protect             encrypt the identity with a passphrase (asked twice)\n"
    "      --passphrase-file F   read that passphrase from the first line of F\n"
    "      --scrypt-log-n N      scrypt cost for --protect, log2 N (10..20, default 18)\n"
    "  -f, --force               replace an existing identity file (its key is lost!)\n"
    "  -h, --help                show this help\n";

static int make_parent_dirs(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return ENOMEM;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
            int e = errno;
            free(copy);
            return e;
        }
        *p = '/';
    }
    free(copy);
    return 0;
}

typedef struct {
    const char *output;
    unsigned long rsa_bits;
    int protect, force;
    unsigned long log_n;
    const char *pass_file;
} keygen_opts;

static int parse_keygen(int argc, char **argv, keygen_opts *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"rsa", required_argument, NULL, 'r'},
        {"protect", no_argument, NULL, 'P'},
        {"passphrase-file", required_argument, NULL, 'F'},
        {"scrypt-log-n", required_argument, NULL, 'N'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case 'r':
            if (parse_uint(optarg, SHROUD_RSA_MIN_BITS, SHROUD_RSA_MAX_BITS, &o->rsa_bits))
                return usage_error("keygen", "--rsa takes a key size from 2048 to 4096 bits");
            break;
        case 'P':
            o->protect = 1;
            break;
        case 'F':
            o->pass_file = optarg;
            break;
        case 'N':
            if (parse_uint(optarg, SHROUD_SCRYPT_MIN_LOG_N, SHROUD_SCRYPT_MAX_LOG_N, &o->log_n))
                return usage_error("keygen", "--scrypt-log-n takes a number from 10 to 20");
            break;
        case 'f':
            o->force = 1;
            break;
        case 'h':
            fputs(keygen_help, stdout);
            return -1;
        default:
            return option_error("keygen", c, argv);
        }
    }
    if (optind < argc)
        return usage_error("keygen", "unexpected argument '%s'", argv[optind]);
    if (o->pass_file && !o->protect)
        return usage_error("keygen", "--passphrase-file needs --protect");
    return 0;
}

static int write_identity(const keygen_opts *o, const char *path, const char *text, size_t len)
{
    int e = 0;
    if (strcmp(path, "-") == 0) {
        if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
            return fail("cannot write the identity to standard output");
        return 0;
    }
    if (!o->output)
        e = make_parent_dirs(path);
    if (!e)
        e = write_small_file(path, text, len, o->force, 0600);
    if (e == EEXIST)
        return fail("%s already exists; choose another file with -o, or --force to replace it "
                    "(its key is then lost)",
                    path);
    if (e)
        return fail("cannot write identity %s: %s", path, strerror(e));
    return 0;
}

int cmd_keygen(int argc, char **argv)
{
    keygen_opts o = {0};
    int rc = parse_keygen(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    char *path = o.output ? strdup(o.output) : default_identity_path();
    if (!path)
        return fail("no place for the identity: give -o FILE (HOME is not set)");
    if (strcmp(path, "-") != 0 && !o.force && path_exists(path)) {
        rc = fail("%s already exists; choose another file with -o, or --force to replace it "
                  "(its key is then lost)",
                  path);
        free(path);
        return rc;
    }
    char pass[SHROUD_PASSPHRASE_MAX];
    size_t pass_len = 0;
    pass_source src = {o.pass_file, NULL, 0};
    if (o.protect && (rc = pass_new(&src, pass, sizeof pass, &pass_len)) != 0) {
        free(path);
        return rc;
    }
    shroud_identity *id = NULL;
    shroud_recipient *pub = NULL;
    char *secret = NULL, *pub_text = NULL;
    size_t secret_len = 0, pub_len = 0;
    int err = o.rsa_bits ? shroud_identity_generate_rsa(&id, (unsigned)o.rsa_bits)
                         : shroud_identity_generate(&id);
    if (!err)
        err = shroud_identity_serialize(id, o.protect ? pass : NULL, pass_len, (int)o.log_n,
                                        &secret, &secret_len);
    if (!err)
        err = shroud_identity_recipient(id, &pub);
    if (!err)
        err = shroud_recipient_format(pub, &pub_text, &pub_len);
    memset(pass, 0, sizeof pass);
    if (err)
        rc = fail("cannot create the key: %s", shroud_strerror(err));
    if (!rc)
        rc = write_identity(&o, path, secret, secret_len);
    if (!rc) {
        int to_stdout = strcmp(path, "-") == 0;
        FILE *f = to_stdout ? stderr : stdout;
        fprintf(f, "%s%s%s", to_stdout ? "Public key: " : "", pub_text,
                pub_text[pub_len - 1] == '\n' ? "" : "\n");
        if (!to_stdout)
            fprintf(stderr, "shroud: identity written to %s\n", path);
    }
    shroud_free_secret(secret, secret_len);
    shroud_free(pub_text);
    shroud_recipient_free(pub);
    shroud_identity_free(id);
    free(path);
    return rc;
}
