/* capacity.c — shroud capacity: how much a cover can hide, per mode. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char capacity_help[] =
    "Usage: shroud capacity [-r KEY | -p] [--json] COVER\n"
    "\n"
    "Prints how many message bytes 'shroud hide' can hide in COVER (PNG or BMP):\n"
    "the most that fits, and the most that stays at or below 0.2 bits per usable\n"
    "sample, where the structural detectors (chi-square, RS, SPA) cannot tell the\n"
    "image from an untouched one. Smaller is stealthier. Without options, for a\n"
    "passphrase and for one X25519 public key; with -r, for that key (RSA keys\n"
    "take more room); with -p, for a passphrase only.\n"
    "Usable samples: colour samples of pixels that are not fully transparent,\n"
    "with values other than 0 and the maximum (alpha never carries data).\n"
    "\n"
    "Options:\n"
    "  -r, --recipient KEY   the public key you will hide for\n"
    "  -p, --passphrase      passphrase mode only\n"
    "      --json            print JSON on stdout\n"
    "  -h, --help            show this help\n";

#define STEALTH_BITS_PER_SAMPLE 0.2

typedef struct {
    shroud_recipient *recipient;
    int passphrase, json;
    const char *input;
} capacity_opts;

enum { OPT_JSON = 256 };

static int parse_capacity(int argc, char **argv, capacity_opts *o)
{
    static const struct option longopts[] = {
        {"recipient", required_argument, NULL, 'r'},
        {"passphrase", no_argument, NULL, 'p'},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":r:ph", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->recipient)
                return usage_error("capacity", "give one -r KEY");
            if (!(o->recipient = parse_recipient_arg(optarg)))
                return EXIT_USAGE;
            break;
        case 'p':
            o->passphrase = 1;
            break;
        case OPT_JSON:
            o->json = 1;
            break;
        case 'h':
            fputs(capacity_help, stdout);
            return -1;
        default:
            return option_error("capacity", c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("capacity", "give exactly one cover image");
    if (o->recipient && o->passphrase)
        return usage_error("capacity", "give -r KEY or -p, not both");
    o->input = argv[optind];
    return 0;
}

typedef struct {
    const char *name;
    const shroud_recipient *recipient; /* NULL: passphrase */
    size_t max_bytes, stealth_bytes;
} mode_capacity;

/* The largest message whose embedded stream stays within bits_per_sample. */
static size_t stealth_bytes(const mode_capacity *m, size_t usable, size_t max_bytes)
{
    const shroud_recipient *const *r = m->recipient ? &m->recipient : NULL;
    double budget = STEALTH_BITS_PER_SAMPLE * (double)usable;
    size_t lo = 0, hi = max_bytes, stream;
    if (shroud_stego_stream_bytes(r, r ? 1 : 0, !r, 0, &stream) || (double)stream * 8 > budget)
        return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (shroud_stego_stream_bytes(r, r ? 1 : 0, !r, mid, &stream) == SHROUD_OK &&
            (double)stream * 8 <= budget)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static void print_modes(const capacity_opts *o, uint32_t w, uint32_t h, size_t usable,
                        const mode_capacity *modes, size_t n)
{
    if (o->json) {
        printf("{\"cover\":");
        json_print_string(o->input);
        printf(",\"width\":%u,\"height\":%u,\"usable_samples\":%zu,\"modes\":[", w, h, usable);
        for (size_t i = 0; i < n; i++)
            printf("%s{\"mode\":\"%s\",\"max_bytes\":%zu,\"stealth_bytes\":%zu}", i ? "," : "",
                   modes[i].name, modes[i].max_bytes, modes[i].stealth_bytes);
        printf("],\"stealth_bits_per_sample\":%.1f}\n", STEALTH_BITS_PER_SAMPLE);
        return;
    }
    printf("%s: %u x %u, %zu usable samples\n", o->input, w, h, usable);
    for (size_t i = 0; i < n; i++)
        printf("  %-11s %10zu bytes at most, %10zu bytes at <= %.1f bits per sample\n",
               modes[i].name, modes[i].max_bytes, modes[i].stealth_bytes, STEALTH_BITS_PER_SAMPLE);
}

static int run_capacity(const capacity_opts *o)
{
    uint8_t *image = NULL;
    size_t len = 0;
    shroud_cover *cover = NULL;
    shroud_identity *demo = NULL;
    shroud_recipient *demo_key = NULL;
    int rc = read_image(o->input, &image, &len);
    if (!rc) {
        int err = shroud_cover_new(&cover, image, len);
        rc = err ? cover_fail(o->input, err, image, len, 0) : 0;
    }
    mode_capacity modes[2];
    size_t n = 0;
    if (!rc && !o->recipient)
        modes[n++] = (mode_capacity){"passphrase", NULL, 0, 0};
    if (!rc && o->recipient)
        modes[n++] = (mode_capacity){
            shroud_recipient_kind(o->recipient) == SHROUD_KEY_RSA ? "rsa" : "x25519", o->recipient,
            0, 0};
    else if (!rc && !o->passphrase) {
        /* Any X25519 key takes the same room: size it with a throwaway one. */
        if (shroud_identity_generate(&demo) || shroud_identity_recipient(demo, &demo_key))
            rc = fail("cannot make a key to size the X25519 mode");
        else
            modes[n++] = (mode_capacity){"x25519", demo_key, 0, 0};
    }
    uint32_t w = 0, h = 0;
    size_t usable = 0;
    if (!rc)
        shroud_cover_info(cover, &w, &h, &usable);
    for (size_t i = 0; !rc && i < n; i++) {
        const shroud_recipient *const *r = modes[i].recipient ? &modes[i].recipient : NULL;
        if (shroud_cover_capacity(cover, r, r ? 1 : 0, !r, &modes[i].max_bytes) != SHROUD_OK)
            modes[i].max_bytes = 0;
        modes[i].stealth_bytes = stealth_bytes(&modes[i], usable, modes[i].max_bytes);
    }
    if (!rc)
        print_modes(o, w, h, usable, modes, n);
    shroud_recipient_free(demo_key);
    shroud_identity_free(demo);
    shroud_cover_free(cover);
    free(image);
    return rc;
}

int cmd_capacity(int argc, char **argv)
{
    capacity_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_capacity(argc, argv, &o);
    if (rc == 0)
        rc = run_capacity(&o);
    shroud_recipient_free(o.recipient);
    return rc < 0 ? 0 : rc;
}
