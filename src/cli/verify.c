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
    "Checks that FILE was signed by the key. For a PNG or JPEG without -s, the\n"
    "signature embedded in the image by 'shroud sign' or 'shroud redact --sign' is\n"
    "checked (any change to the image after signing, its redaction record\n"
    "included, makes it fail); when the image has none, FILE.sig is used if it\n"
    "exists. Otherwise SIGFILE (default: FILE.sig) must be a detached signature of\n"
    "FILE ('-' for standard input). Exit status 0 when it verifies, 1 when it does\n"
    "not (modified file or signature, another signer) or cannot be checked.\n"
    "\n"
    "Options:\n"
    "  -k, --key PUBKEY_OR_FILE  the signer's public key: a 'shroudpk1...' line, or a\n"
    "                            file holding one or a PEM RSA public key\n"
    "  -s, --signature SIGFILE   the signature file\n"
    "      --json                print the result as JSON on standard output\n"
    "  -h, --help                show this help\n";

static int verify_update(void *ctx, const uint8_t *buf, size_t len)
{
    return shroud_verifier_update(ctx, buf, len);
}

/* The result as one JSON line; error NULL when the signature verifies. A
 * key that could not be loaded has no id (null). */
static void print_json(const shroud_recipient *key, const char *file, int embedded,
                       const char *error)
{
    uint8_t id[SHROUD_KEY_ID_BYTES];
    char hex[2 * SHROUD_KEY_ID_BYTES + 1] = "";
    printf("{\"file\":");
    json_print_string(file);
    printf(",\"embedded\":%s,\"valid\":%s,\"key_id\":", embedded ? "true" : "false",
           error ? "false" : "true");
    if (key && shroud_recipient_key_id(key, id) == SHROUD_OK) {
        format_key_id(id, hex);
        printf("\"%s\"", hex);
    } else {
        printf("null");
    }
    printf(",\"error\":");
    if (error)
        json_print_string(error);
    else
        printf("null");
    printf("}\n");
}

/* With --json, a check that could not be made is reported on standard
 * output too (what, and why), besides the line on standard error. */
static void print_json_io(const shroud_recipient *key, const char *file, int embedded,
                          const char *what, const char *path, int e)
{
    const char *why = strerror(e);
    size_t n = strlen(what) + strlen(path) + strlen(why) + 4;
    char *msg = malloc(n);
    if (msg)
        snprintf(msg, n, "%s %s: %s", what, path, why);
    print_json(key, file, embedded, msg ? msg : what);
    free(msg);
}

/* Checks the signature embedded in an image. Returns -1, having printed
 * nothing, when the image has none and fallback is set. */
static int verify_image(const shroud_recipient *key, const char *file, int json, int fallback)
{
    uint8_t *image = NULL;
    size_t len = 0;
    if (read_image(file, &image, &len)) {
        if (json)
            print_json(key, file, 1, "cannot read the image");
        return EXIT_FAILED;
    }
    int err = shroud_image_verify(image, len, key);
    free(image);
    if (err == SHROUD_ERR_NO_SIGNATURE && fallback)
        return -1;
    if (json) {
        print_json(key, file, 1, err ? shroud_strerror(err) : NULL);
        return err ? EXIT_FAILED : 0;
    }
    if (err == SHROUD_ERR_SIGNATURE)
        return fail("%s: BAD signature: the image was changed after it was signed", file);
    if (err == SHROUD_ERR_WRONG_SIGNER)
        return fail("%s: signed by another key, not by the one given", file);
    if (err == SHROUD_ERR_NO_SIGNATURE)
        return fail("%s carries no embedded signature (sign it with 'shroud sign -i IDENTITY "
                    "-o OUT %s', or give a detached one with -s SIGFILE)",
                    file, file);
    if (err)
        return image_fail(file, err);
    fprintf(stderr, "shroud: good signature of %s (embedded)\n", file);
    return 0;
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
    if (!sig_path && strcmp(file, "-") == 0)
        return usage_error("verify", "checking standard input needs -s SIGFILE");
    int embedded = !sig_path && file_is_image(file);
    shroud_recipient *key = load_public_key(key_arg);
    if (!key) {
        if (json)
            print_json(NULL, file, embedded, "cannot load the public key");
        return EXIT_FAILED;
    }
    char default_sig[4096];
    if (!sig_path)
        snprintf(default_sig, sizeof default_sig, "%s.sig", file);
    if (embedded) {
        int rc = verify_image(key, file, json, path_exists(default_sig));
        if (rc >= 0) {
            shroud_recipient_free(key);
            return rc;
        }
    }
    if (!sig_path)
        sig_path = default_sig;
    char *sig = NULL;
    size_t sig_len = 0;
    int e = read_small_file(sig_path, KEY_FILE_MAX, &sig, &sig_len);
    if (e) {
        if (json)
            print_json_io(key, file, 0, "cannot read signature", sig_path, e);
        shroud_recipient_free(key);
        return fail("cannot read signature %s: %s", sig_path, strerror(e));
    }
    shroud_verifier *v = NULL;
    cli_input in = {.fd = -1};
    int read_errno = 0;
    int err = shroud_verifier_new(&v, key, sig, sig_len);
    if (!err && (e = input_open(&in, file)) != 0) {
        if (json)
            print_json_io(key, file, 0, "cannot open", file, e);
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
    if (err == SHROUD_ERR_CANCELLED && read_errno) {
        if (json)
            print_json_io(key, file, 0, "cannot read", file, read_errno);
        rc = fail("cannot read %s: %s", file, strerror(read_errno));
    } else if (json) {
        print_json(key, file, 0, err ? shroud_strerror(err) : NULL);
        rc = err ? EXIT_FAILED : 0;
    } else if (err)
        rc = fail("%s: %s (signature %s)", file, shroud_strerror(err), sig_path);
    else
        fprintf(stderr, "shroud: good signature of %s\n", file);
    shroud_verifier_free(v);
    input_close(&in);
    shroud_recipient_free(key);
    free(sig);
    return rc;
}
