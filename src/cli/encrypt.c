/* encrypt.c — shroud encrypt: seal a file or stream into an envelope. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char encrypt_help[] =
    "Usage: shroud encrypt (-r PUBKEY | -R FILE)... [-a] [-o OUT] [IN]\n"
    "       shroud encrypt -p [--kdf scrypt|pbkdf2] [-a] [-o OUT] [IN]\n"
    "\n"
    "Encrypts IN (default: standard input) with AES-256-GCM in 16 KiB authenticated\n"
    "chunks, to one or more public keys or to a passphrase, and writes OUT (default:\n"
    "standard output). Any one of the keys decrypts it. Tampering, truncation and\n"
    "reordering are detected on decryption. Memory use does not grow with the input.\n"
    "\n"
    "Options:\n"
    "  -r, --recipient PUBKEY     encrypt to this public key ('shroudpk1...'); repeatable\n"
    "  -R, --recipients-file F    encrypt to every public key in F: 'shroudpk1...' lines\n"
    "                             and PEM RSA public keys ('openssl pkey -pubout');\n"
    "                             repeatable\n"
    "  -p, --passphrase           encrypt to a passphrase, asked twice on the terminal\n"
    "                             (cannot be combined with -r/-R)\n"
    "      --passphrase-file F    read the passphrase from the first line of F\n"
    "      --kdf scrypt|pbkdf2    passphrase key derivation (default scrypt; PBKDF2-SHA256\n"
    "                             with 600000 iterations only for compatibility)\n"
    "      --scrypt-log-n N       scrypt cost, log2 N (10..20, default 18: ~256 MiB)\n"
    "      --pbkdf2-iterations N  PBKDF2 iterations (at least 600000)\n"
    "  -a, --armor                write text ('-----BEGIN SHROUD MESSAGE-----', base64)\n"
    "  -o, --output OUT           write to OUT, created only once complete; '-' for stdout\n"
    "  -f, --force                replace OUT if it exists\n"
    "  -h, --help                 show this help\n";

typedef struct {
    shroud_recipient *recipients[SHROUD_MAX_RECIPIENTS];
    size_t n_recipients;
    int passphrase, armor, force, pbkdf2;
    const char *pass_file, *output, *input;
    unsigned long log_n, iterations;
} encrypt_opts;

static void free_opts(encrypt_opts *o)
{
    for (size_t i = 0; i < o->n_recipients; i++)
        shroud_recipient_free(o->recipients[i]);
}

static int parse_encrypt(int argc, char **argv, encrypt_opts *o)
{
    static const struct option longopts[] = {
        {"recipient", required_argument, NULL, 'r'},
        {"recipients-file", required_argument, NULL, 'R'},
        {"passphrase", no_argument, NULL, 'p'},
        {"passphrase-file", required_argument, NULL, 'F'},
        {"kdf", required_argument, NULL, 'K'},
        {"scrypt-log-n", required_argument, NULL, 'N'},
        {"pbkdf2-iterations", required_argument, NULL, 'I'},
        {"armor", no_argument, NULL, 'a'},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":r:R:pao:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->n_recipients >= SHROUD_MAX_RECIPIENTS)
                return usage_error("encrypt", "at most %d recipients", SHROUD_MAX_RECIPIENTS);
            if (!(o->recipients[o->n_recipients] = parse_recipient_arg(optarg)))
                return EXIT_USAGE;
            o->n_recipients++;
            break;
        case 'R':
            if (load_recipients_file(optarg, o->recipients, SHROUD_MAX_RECIPIENTS,
                                     &o->n_recipients))
                return EXIT_FAILED; /* a file that cannot be read or used: failed input */
            break;
        case 'p':
            o->passphrase = 1;
            break;
        case 'F':
            o->pass_file = optarg;
            break;
        case 'K':
            if (strcmp(optarg, "scrypt") != 0 && strcmp(optarg, "pbkdf2") != 0)
                return usage_error("encrypt", "--kdf is scrypt or pbkdf2");
            o->pbkdf2 = strcmp(optarg, "pbkdf2") == 0;
            break;
        case 'N':
            if (parse_uint(optarg, SHROUD_SCRYPT_MIN_LOG_N, SHROUD_SCRYPT_MAX_LOG_N, &o->log_n))
                return usage_error("encrypt", "--scrypt-log-n takes a number from 10 to 20");
            break;
        case 'I':
            if (parse_uint(optarg, SHROUD_PBKDF2_MIN_ITERATIONS, SHROUD_PBKDF2_MAX_ITERATIONS,
                           &o->iterations))
                return usage_error("encrypt", "--pbkdf2-iterations takes %u to %u",
                                   SHROUD_PBKDF2_MIN_ITERATIONS, SHROUD_PBKDF2_MAX_ITERATIONS);
            break;
        case 'a':
            o->armor = 1;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'f':
            o->force = 1;
            break;
        case 'h':
            fputs(encrypt_help, stdout);
            return -1;
        default:
            return option_error("encrypt", c, argv);
        }
    }
    if (optind + 1 < argc)
        return usage_error("encrypt", "one input at most (got '%s' and '%s')", argv[optind],
                           argv[optind + 1]);
    o->input = optind < argc ? argv[optind] : NULL;
    if (o->pass_file)
        o->passphrase = 1;
    if (o->passphrase && o->n_recipients)
        return usage_error("encrypt", "a passphrase cannot be combined with -r/-R recipients");
    if (!o->passphrase && !o->n_recipients)
        return usage_error("encrypt", "say who can decrypt: -r PUBKEY, -R FILE or -p");
    if ((o->pbkdf2 || o->log_n || o->iterations) && !o->passphrase)
        return usage_error("encrypt", "--kdf and its costs apply to -p only");
    if (o->log_n && o->pbkdf2)
        return usage_error("encrypt", "--scrypt-log-n applies to --kdf scrypt");
    if (o->iterations && !o->pbkdf2)
        return usage_error("encrypt", "--pbkdf2-iterations needs --kdf pbkdf2");
    return 0;
}

static int seal_write(void *ctx, const uint8_t *buf, size_t len)
{
    return shroud_sealer_write(ctx, buf, len);
}

/* Adds the recipients or the passphrase to the sealer. */
static int add_keys(const encrypt_opts *o, shroud_sealer *s)
{
    if (!o->passphrase) {
        for (size_t i = 0; i < o->n_recipients; i++) {
            int err = shroud_sealer_add_recipient(s, o->recipients[i]);
            if (err)
                return fail("cannot encrypt to recipient %zu: %s", i + 1, shroud_strerror(err));
        }
        return 0;
    }
    char pass[SHROUD_PASSPHRASE_MAX];
    size_t len = 0;
    pass_source src = {o->pass_file, NULL, 0};
    int rc = pass_new(&src, pass, sizeof pass, &len);
    if (rc)
        return rc;
    int err = o->pbkdf2 ? shroud_sealer_add_passphrase_pbkdf2(s, pass, len, (uint32_t)o->iterations)
                        : shroud_sealer_add_passphrase(s, pass, len, (int)o->log_n);
    memset(pass, 0, sizeof pass);
    return err ? fail("%s", shroud_strerror(err)) : 0;
}

static int run_encrypt(const encrypt_opts *o)
{
    cli_input in;
    int e = input_open(&in, o->input);
    if (e)
        return fail("cannot open %s: %s", o->input, strerror(e));
    cli_output out;
    e = output_open(&out, o->output, o->force, 0644);
    if (e) {
        input_close(&in);
        if (e == EEXIST)
            return fail("%s already exists; use --force to replace it", o->output);
        return fail("cannot create %s: %s", o->output, strerror(e));
    }
    int rc = 0;
    if (!o->armor && output_is_tty(&out))
        rc = fail("refusing to write binary ciphertext to a terminal; use -a or -o FILE");
    shroud_sealer *s = NULL;
    int err = rc ? SHROUD_OK
                 : shroud_sealer_new(&s, o->armor ? SHROUD_FLAG_ARMOR : 0, output_write, &out);
    if (err)
        rc = fail("%s", shroud_strerror(err));
    if (!rc)
        rc = add_keys(o, s);
    int read_errno = 0;
    if (!rc)
        err = input_pump(&in, seal_write, s, "encrypting", &read_errno);
    if (!rc && !err)
        err = shroud_sealer_finish(s);
    if (!rc && err == SHROUD_ERR_CANCELLED)
        rc = read_errno ? fail("cannot read %s: %s", in.name, strerror(read_errno))
                        : fail("cannot write %s: %s", o->output ? o->output : "standard output",
                               strerror(out.failed_errno));
    else if (!rc && err)
        rc = fail("%s", shroud_strerror(err));
    if (!rc && (e = output_commit(&out)) != 0)
        rc = fail("cannot write %s: %s", o->output ? o->output : "standard output", strerror(e));
    shroud_sealer_free(s);
    output_abort(&out);
    input_close(&in);
    return rc;
}

int cmd_encrypt(int argc, char **argv)
{
    encrypt_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_encrypt(argc, argv, &o);
    if (rc == 0)
        rc = run_encrypt(&o);
    free_opts(&o);
    return rc < 0 ? 0 : rc;
}
