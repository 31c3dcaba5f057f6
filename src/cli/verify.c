/* verify.c — shroud verify: check a detached signature. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char verify_help[] =
    "Usage: shroud verify -k PUBKEY_OR_FILE [-s SIGFILE] [--json] FILE\n"
    "\n"
    "Checks that SIGFILE (default: FILE.sig) is a signature of FILE ('-' for\n"
    "standard input) made by the key. Exit status 0 when it verifies, 1 when it\n"
    "does not (modified file or signature, another signer) or cannot be checked.\n"
    "\n"
    "Options:\n"
    "  -k, --key PUBKEY_OR_FILE  the signer's public key: a 'shroudpk1...' line, or a\n"
    "                            file holding one or a PEM RSA public key\n"
    "  -s, --signature SIGFILE   the signature file\n"
    "      --json                print the result as JSON on standard output\n"
    "  -h, --help                show this help\n";

/* -k accepts the key itself or a file that holds it. */
static shroud_recipient *load_key(const char *arg)
{
    shroud_recipient *r = NULL;
    if (shroud_recipient_parse(&r, arg, strlen(arg)) == SHROUD_OK)
        return r;
    if (!path_exists(arg))
        return parse_recipient_arg(arg); /* prints why the text is not a key */
    shroud_recipient *list[1] = {NULL};
    size_t n = 0;
    if (load_recipients_file(arg, list, 1, &n))
        return NULL;
    return list[0];
}

static int verify_update(void *ctx, const uint8_t *buf, size_t len)
{
    return shroud_verifier_update(ctx, buf, len);
}

static void print_json(int err, const shroud_recipient *key, const char *file)
{
    uint8_t id[SHROUD_KEY_ID_BYTES];
    char hex[2 * SHROUD_KEY_ID_BYTES + 1] = "";
    if (shroud_recipient_key_id(key, id) == SHROUD_OK)
        format_key_id(id, hex);
    printf("{\"file\":\"");
    for (const char *p = file; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    printf("\",\"valid\":%s,\"key_id\":\"%s\",\"error\":", err ? "false" : "true", hex);
    if (err)
        printf("\"%s\"}\n", shroud_strerror(err));
    else
        printf("null}\n");
}

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"signature", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key_arg = NULL, *sig_path = NULL;
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            key_arg = optarg;
            break;
        case 's':
            sig_path = optarg;
            break;
        case 'J':
            json = 1;
            break;
        case 'h':
            fputs(verify_help, stdout);
            return 0;
        default:
            return option_error("verify", c, argv);
        }
    }
    if (!key_arg)
        return usage_error("verify", "give the signer's public key with -k");
    if (optind + 1 != argc)
        return usage_error("verify", "give exactly one FILE to check");
    const char *file = argv[optind];
    char default_sig[4096];
    if (!sig_path) {
        if (strcmp(file, "-") == 0)
            return usage_error("verify", "checking standard input needs -s SIGFILE");
        snprintf(default_sig, sizeof default_sig, "%s.sig", file);
        sig_path = default_sig;
    }
    shroud_recipient *key = load_key(key_arg);
    if (!key)
        return EXIT_FAILED;
    char *sig = NULL;
    size_t sig_len = 0;
    int e = read_small_file(sig_path, KEY_FILE_MAX, &sig, &sig_len);
    if (e) {
        shroud_recipient_free(key);
        return fail("cannot read signature %s: %s", sig_path, strerror(e));
    }
    shroud_verifier *v = NULL;
    cli_input in = {.fd = -1};
    int read_errno = 0;
    int err = shroud_verifier_new(&v, key, sig, sig_len);
    if (!err && (e = input_open(&in, file)) != 0) {
        shroud_verifier_free(v);
        shroud_recipient_free(key);
        free(sig);
        return fail("cannot open %s: %s", file, strerror(e));
    }
    if (!err)
        err = input_pump(&in, verify_update, v, "verifying", &read_errno);
    if (!err)
        err = shroud_verifier_finish(v);
    int rc = 0;
    if (err == SHROUD_ERR_CANCELLED && read_errno)
        rc = fail("cannot read %s: %s", file, strerror(read_errno));
    else if (json)
        print_json(err, key, file), rc = err ? EXIT_FAILED : 0;
    else if (err)
        rc = fail("%s: %s (signature %s)", file, shroud_strerror(err), sig_path);
    else
        fprintf(stderr, "shroud: good signature of %s\n", file);
    shroud_verifier_free(v);
    input_close(&in);
    shroud_recipient_free(key);
    free(sig);
    return rc;
}
