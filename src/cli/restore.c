/* restore.c — shroud restore: put back the regions a key holder may see. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char restore_help[] =
    "Usage: shroud restore [-i IDENTITY]... [-p | --passphrase-file F] [-o OUT] [--json] IN\n"
    "\n"
    "Restores every group of the redacted image IN that the identities (or the\n"
    "passphrase) open, and writes the image to OUT (default: standard output, not a\n"
    "terminal). Says on standard error which groups were restored and which stay\n"
    "obscured. OUT carries no redaction record or signature: restore again from IN\n"
    "with other keys for other groups.\n"
    "A JPEG whose groups are all restored decodes to exactly the original pixels,\n"
    "and is byte-identical to the original when that was written by libjpeg with\n"
    "its markers first (see docs/redaction.md). A PNG gets the original pixels back.\n"
    "Nothing is written when no group opens, or when the record does not belong to\n"
    "IN (copied from another image, or IN edited after redaction).\n"
    "\n"
    "Options:\n"
    "  -i, --identity IDENTITY   a secret key to try; repeatable (default: $SHROUD_IDENTITY,\n"
    "                            else ~/.config/shroud/identity, if it exists)\n"
    "  -p, --passphrase          ask for the groups' passphrase (asked anyway when a\n"
    "                            group needs one and there is a terminal)\n"
    "      --passphrase-file F   the passphrase (of the groups, or of a protected\n"
    "                            identity) from the first line of F\n"
    "  -o, --output OUT          the restored image (mode 0600; '-' for standard output)\n"
    "  -f, --force               replace OUT if it exists\n"
    "      --json                print which groups were restored as JSON on stdout\n"
    "                            (needs -o)\n"
    "  -h, --help                show this help\n";

typedef struct {
    const char *identities[SHROUD_MAX_RECIPIENTS];
    size_t n_identities;
    const char *pass_file, *output, *input;
    int force, passphrase, json;
} restore_opts;

enum { OPT_PASS_FILE = 256, OPT_JSON };

static int parse_restore(int argc, char **argv, restore_opts *o)
{
    static const struct option longopts[] = {
        {"identity", required_argument, NULL, 'i'},
        {"passphrase", no_argument, NULL, 'p'},
        {"passphrase-file", required_argument, NULL, OPT_PASS_FILE},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:po:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (o->n_identities >= SHROUD_MAX_RECIPIENTS)
                return usage_error("restore", "at most %d identities", SHROUD_MAX_RECIPIENTS);
            o->identities[o->n_identities++] = optarg;
            break;
        case 'p':
            o->passphrase = 1;
            break;
        case OPT_PASS_FILE:
            o->pass_file = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'f':
            o->force = 1;
            break;
        case OPT_JSON:
            o->json = 1;
            break;
        case 'h':
            fputs(restore_help, stdout);
            return -1;
        default:
            return option_error("restore", c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("restore", "give exactly one redacted image");
    o->input = argv[optind];
    if (o->json && (!o->output || strcmp(o->output, "-") == 0))
        return usage_error("restore", "--json prints on standard output: give -o OUT too");
    return 0;
}

/* Asks once, then gives the same passphrase to every group that wants one. */
typedef struct {
    pass_source src;
    char pass[SHROUD_PASSPHRASE_MAX];
    size_t len;
    int have, asked;
} pass_cache;

static int cached_ask(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len)
{
    pass_cache *c = ctx;
    if (!c->asked) {
        c->asked = 1;
        c->have = pass_ask(&c->src, purpose, c->pass, sizeof c->pass, &c->len) == 0;
    }
    if (!c->have || c->len > cap)
        return -1;
    memcpy(buf, c->pass, c->len);
    *len = c->len;
    return 0;
}

static void report_groups(const shroud_image_info *info)
{
    for (size_t g = 0; g < info->n_groups; g++) {
        const shroud_group_info *gi = &info->groups[g];
        if (gi->restore_status == SHROUD_OK)
            fprintf(stderr, "shroud: restored group '%s' (%zu region%s)\n", gi->name, gi->n_regions,
                    gi->n_regions == 1 ? "" : "s");
        else
            fprintf(stderr, "shroud: group '%s' stays obscured: %s\n", gi->name,
                    gi->restore_status == SHROUD_ERR_PASSPHRASE ? "wrong passphrase"
                    : gi->restore_status == SHROUD_ERR_NEED_PASSPHRASE
                        ? "it needs a passphrase (-p)"
                        : "no key given opens it");
    }
}

static void print_json(const restore_opts *o, const shroud_image_info *info)
{
    printf("{\"input\":");
    json_print_string(o->input);
    printf(",\"output\":");
    json_print_string(o->output);
    printf(",\"groups\":[");
    for (size_t g = 0; g < info->n_groups; g++) {
        const shroud_group_info *gi = &info->groups[g];
        printf("%s{\"name\":\"%s\",\"restored\":%s,\"reason\":", g ? "," : "", gi->name,
               gi->restore_status == SHROUD_OK ? "true" : "false");
        if (gi->restore_status == SHROUD_OK)
            printf("null}");
        else
            printf("\"%s\"}", shroud_strerror(gi->restore_status));
    }
    printf("]}\n");
}

static int explain(const char *input, int err, size_t n_ids, const pass_cache *pc)
{
    if (pc->src.reported)
        return EXIT_FAILED; /* pass_ask already said why */
    switch (err) {
    case SHROUD_ERR_NO_IDENTITY:
        if (n_ids == 0)
            return fail("%s: its groups are sealed to public keys: give a secret key with -i "
                        "IDENTITY",
                        input);
        return fail("%s: no group is sealed to the key%s given (wrong key?); nothing written",
                    input, n_ids == 1 ? "" : "s");
    case SHROUD_ERR_NEED_PASSPHRASE:
        return fail("%s: its groups are sealed to a passphrase: run on a terminal or use "
                    "--passphrase-file FILE",
                    input);
    case SHROUD_ERR_PASSPHRASE:
        return fail("%s: wrong passphrase; nothing written", input);
    case SHROUD_ERR_NO_RECORD:
        return fail("%s carries no redaction record: nothing to restore", input);
    default:
        return image_fail(input, err);
    }
}

static int run_restore(const restore_opts *o)
{
    shroud_identity *ids[SHROUD_MAX_RECIPIENTS] = {0};
    size_t n_ids = 0;
    uint8_t *image = NULL, *out = NULL;
    size_t len = 0, out_len = 0;
    shroud_image_info *info = NULL;
    pass_cache *pc = calloc(1, sizeof *pc);
    int rc = pc ? load_identities(o->identities, o->n_identities, o->passphrase, o->pass_file, ids,
                                  &n_ids)
                : fail("out of memory");
    if (!rc)
        rc = read_image(o->input, &image, &len);
    if (!rc) {
        pc->src.file = o->pass_file;
        int err = shroud_restore(image, len, (const shroud_identity *const *)ids, n_ids, cached_ask,
                                 pc, &out, &out_len, &info);
        rc = err ? explain(o->input, err, n_ids, pc) : 0;
    }
    if (!rc)
        rc = write_image(o->output, o->force, 0600, out, out_len);
    if (!rc) {
        report_groups(info);
        if (o->json)
            print_json(o, info);
    }
    shroud_image_info_free(info);
    if (out)
        shroud_free_secret(out, out_len);
    free(image);
    for (size_t i = 0; i < n_ids; i++)
        shroud_identity_free(ids[i]);
    if (pc)
        shroud_free_secret(pc, sizeof *pc);
    return rc;
}

int cmd_restore(int argc, char **argv)
{
    restore_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_restore(argc, argv, &o);
    if (rc == 0)
        rc = run_restore(&o);
    return rc < 0 ? 0 : rc;
}
