/* hide.c — shroud hide: seal a message and hide it in a lossless image. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

static const char hide_help[] =
    "Usage: shroud hide (-r KEY... | -R FILE | -p | --passphrase-file F)\n"
    "                   (-m MESSAGE | -f FILE) -o OUT.png [options] COVER\n"
    "\n"
    "Encrypts the message (or file) and hides it in the least significant bits of\n"
    "COVER, a PNG (8/16-bit gray, gray+alpha, RGB, RGBA) or BMP (24/32-bit, 8-bit\n"
    "gray). OUT is always a PNG that looks like COVER: samples at key-derived\n"
    "positions move by +-1, as few as the Hamming code allows. Nothing marks OUT:\n"
    "no header, no magic, the length is encrypted too.\n"
    "With a passphrase, the positions come from scrypt of it (each guess costs an\n"
    "attacker about half a second); with public keys, from the first key, so who\n"
    "knows that key can tell a message is there (not read it). JPEG covers are\n"
    "refused: recompression would destroy the message.\n"
    "Keep the payload small for stealth: 'shroud capacity COVER' prints the size\n"
    "that stays at or below 0.2 bits per sample; above that you are warned.\n"
    "\n"
    "Options:\n"
    "  -r, --recipient KEY       a public key line (shroudpk1...); repeatable\n"
    "  -R, --recipients-file F   a file of public keys: lines, and RSA PEM public keys\n"
    "  -p, --passphrase          ask for a passphrase (twice, without echo)\n"
    "      --passphrase-file F   the passphrase from the first line of F\n"
    "  -m, --message TEXT        the message (visible in the process list and shell\n"
    "                            history: prefer -f for anything sensitive)\n"
    "  -f, --file FILE           the message is this file's bytes ('-': standard input)\n"
    "  -o, --output OUT          the stego image, PNG (required)\n"
    "      --force               replace OUT if it exists (never COVER itself)\n"
    "      --level N             PNG compression level 1 (fast, default) .. 12 (small)\n"
    "      --json                print what was embedded as JSON on stdout\n"
    "  -h, --help                show this help\n";

#define STEALTH_BITS_PER_SAMPLE 0.2

typedef struct {
    shroud_recipient *recipients[SHROUD_MAX_RECIPIENTS];
    size_t n_recipients;
    const char *pass_file, *message, *file, *output, *input;
    int passphrase, force, json;
    unsigned long level;
} hide_opts;

enum { OPT_PASS_FILE = 256, OPT_FORCE, OPT_LEVEL, OPT_JSON };

static int parse_hide(int argc, char **argv, hide_opts *o)
{
    static const struct option longopts[] = {
        {"recipient", required_argument, NULL, 'r'},
        {"recipients-file", required_argument, NULL, 'R'},
        {"passphrase", no_argument, NULL, 'p'},
        {"passphrase-file", required_argument, NULL, OPT_PASS_FILE},
        {"message", required_argument, NULL, 'm'},
        {"file", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, OPT_FORCE},
        {"level", required_argument, NULL, OPT_LEVEL},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    o->level = SHROUD_STEGO_DEFAULT_PNG_LEVEL;
    while ((c = getopt_long(argc, argv, ":r:R:pm:f:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->n_recipients >= SHROUD_MAX_RECIPIENTS)
                return usage_error("hide", "at most %d recipients", SHROUD_MAX_RECIPIENTS);
            if (!(o->recipients[o->n_recipients] = parse_recipient_arg(optarg)))
                return EXIT_USAGE;
            o->n_recipients++;
            break;
        case 'R':
            if (load_recipients_file(optarg, o->recipients, SHROUD_MAX_RECIPIENTS,
                                     &o->n_recipients))
                return EXIT_FAILED; /* as in encrypt */
            break;
        case 'p':
            o->passphrase = 1;
            break;
        case OPT_PASS_FILE:
            o->pass_file = optarg;
            o->passphrase = 1;
            break;
        case 'm':
            o->message = optarg;
            break;
        case 'f':
            o->file = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case OPT_FORCE:
            o->force = 1;
            break;
        case OPT_LEVEL:
            if (parse_uint(optarg, 1, 12, &o->level))
                return usage_error("hide", "--level takes 1 .. 12, not '%s'", optarg);
            break;
        case OPT_JSON:
            o->json = 1;
            break;
        case 'h':
            fputs(hide_help, stdout);
            return -1;
        default:
            return option_error("hide", c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("hide", "give exactly one cover image");
    o->input = argv[optind];
    if (o->passphrase == (o->n_recipients != 0))
        return usage_error("hide", o->passphrase ? "give public keys or a passphrase, not both"
                                                 : "give public keys (-r) or a passphrase (-p)");
    if ((o->message != NULL) == (o->file != NULL))
        return usage_error("hide", "give the message with -m TEXT or -f FILE (one of them)");
    if (!o->output || strcmp(o->output, "-") == 0)
        return usage_error("hide", "give the output image with -o OUT.png");
    if (o->json && strcmp(o->output, "-") == 0)
        return usage_error("hide", "--json prints on standard output: give -o OUT");
    if (strcmp(o->input, o->output) == 0 || same_file(o->input, o->output))
        return usage_error("hide", "OUT must not be COVER: the original would be lost");
    size_t n = strlen(o->output);
    if (n < 4 || strcasecmp(o->output + n - 4, ".png") != 0)
        warn("%s will be a PNG file whatever its name", o->output);
    return 0;
}

static void print_json(const hide_opts *o, size_t msg_len, const shroud_stego_stats *st)
{
    printf("{\"cover\":");
    json_print_string(o->input);
    printf(",\"output\":");
    json_print_string(o->output);
    printf(",\"mode\":\"%s\",\"message_bytes\":%zu,\"usable_samples\":%zu,"
           "\"embedded_bits\":%zu,\"bits_per_sample\":%.4f,\"code_bits\":%u,"
           "\"samples_used\":%zu,\"changed_samples\":%zu}\n",
           o->passphrase ? "passphrase" : "recipients", msg_len, st->usable_samples,
           st->stream_bits, st->bits_per_sample, st->code_bits, st->samples_used,
           st->changed_samples);
}

static int read_message(const hide_opts *o, uint8_t **msg, size_t *len)
{
    if (o->message) {
        *len = strlen(o->message);
        *msg = (uint8_t *)strdup(o->message);
        return *msg ? 0 : fail("out of memory");
    }
    char *data = NULL;
    int e = read_small_file(o->file, SHROUD_IMAGE_MAX_FILE_BYTES, &data, len);
    const char *name = strcmp(o->file, "-") == 0 ? "standard input" : o->file;
    if (e)
        return fail("cannot read %s: %s", name, strerror(e));
    *msg = (uint8_t *)data;
    return 0;
}

static int hide_into(const hide_opts *o, shroud_cover *cover, const uint8_t *msg, size_t msg_len)
{
    char pass[SHROUD_PASSPHRASE_MAX];
    size_t pass_len = 0;
    int rc = 0;
    if (o->passphrase) {
        pass_source src = {o->pass_file, NULL, 0};
        rc = pass_new(&src, pass, sizeof pass, &pass_len);
    }
    uint8_t *out = NULL;
    size_t out_len = 0;
    shroud_stego_stats st;
    memset(&st, 0, sizeof st);
    int err = rc ? 0
                 : shroud_stego_hide(cover, (const shroud_recipient *const *)o->recipients,
                                     o->n_recipients, o->passphrase ? pass : NULL, pass_len, msg,
                                     msg_len, &out, &out_len, &st);
    secret_wipe(pass, sizeof pass);
    if (!rc && err)
        rc = fail("%s: %s", o->input, shroud_strerror(err));
    if (!rc)
        rc = write_image(o->output, o->force, 0644, out, out_len);
    if (!rc && st.bits_per_sample > STEALTH_BITS_PER_SAMPLE)
        warn("the message takes %.2f bits per usable sample: above %.1f, statistical "
             "detectors may notice it; use a larger cover or a shorter message",
             st.bits_per_sample, STEALTH_BITS_PER_SAMPLE);
    if (!rc && o->json)
        print_json(o, msg_len, &st);
    shroud_free(out);
    return rc;
}

static int run_hide(const hide_opts *o)
{
    uint8_t *image = NULL, *msg = NULL;
    size_t len = 0, msg_len = 0;
    shroud_cover *cover = NULL;
    int rc = read_image(o->input, &image, &len);
    if (!rc) {
        int err = shroud_cover_new(&cover, image, len);
        rc = err ? cover_fail(o->input, err, image, len, 0) : 0;
    }
    if (!rc && o->level != SHROUD_STEGO_DEFAULT_PNG_LEVEL)
        shroud_cover_png_level(cover, (int)o->level);
    if (!rc && !o->force && path_exists(o->output))
        rc = fail("%s already exists; use --force to replace it", o->output);
    if (!rc)
        rc = read_message(o, &msg, &msg_len);
    size_t cap = 0;
    if (!rc && (shroud_cover_capacity(cover, (const shroud_recipient *const *)o->recipients,
                                      o->n_recipients, o->passphrase, &cap) != SHROUD_OK ||
                msg_len > cap))
        rc = fail("%s: the message (%zu bytes) does not fit: this cover holds at most %zu "
                  "bytes in this mode; nothing written",
                  o->input, msg_len, cap);
    if (!rc)
        rc = hide_into(o, cover, msg, msg_len);
    if (msg)
        shroud_free_secret(msg, msg_len);
    shroud_cover_free(cover);
    free(image);
    return rc;
}

int cmd_hide(int argc, char **argv)
{
    hide_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_hide(argc, argv, &o);
    if (rc == 0)
        rc = run_hide(&o);
    for (size_t i = 0; i < o.n_recipients; i++)
        shroud_recipient_free(o.recipients[i]);
    return rc < 0 ? 0 : rc;
}
