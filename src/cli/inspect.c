/* inspect.c — shroud inspect: what an image carries, readable without keys. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char inspect_help[] =
    "Usage: shroud inspect [--json] [-k PUBKEY] IN\n"
    "\n"
    "Shows the format and size of the PNG or JPEG image IN, its redaction groups\n"
    "(names, styles, regions as given and as covered, what each is sealed to) and\n"
    "its embedded signature: the signer's key and whether the signature verifies\n"
    "against it. With -k, also whether that signer is the given key. No secret key\n"
    "is needed. Exit status 0 when the image could be read (a bad signature is\n"
    "reported, not an error), 1 otherwise.\n"
    "\n"
    "Options:\n"
    "  -k, --key PUBKEY_OR_FILE  the expected signer\n"
    "      --json                print JSON on standard output\n"
    "  -h, --help                show this help\n";

static const char *const stanza_names[] = {"", "X25519", "RSA-OAEP", "scrypt", "PBKDF2"};

static const char *signature_verdict(const shroud_image_info *info)
{
    switch (info->signature_status) {
    case SHROUD_OK:
        return "valid";
    case SHROUD_ERR_SIGNATURE:
        return "INVALID (the image changed after signing)";
    default:
        return shroud_strerror(info->signature_status);
    }
}

static void print_text(const char *file, const shroud_image_info *info, int key_status,
                       int have_key)
{
    printf("%s: %s %ux%u%s\n", file, format_name(info->format), info->width, info->height,
           info->format == SHROUD_IMAGE_JPEG ? (info->progressive ? ", progressive" : ", baseline")
                                             : "");
    if (info->n_groups == 0)
        printf("redaction: none\n");
    for (size_t g = 0; g < info->n_groups; g++) {
        const shroud_group_info *gi = &info->groups[g];
        printf("group '%s': style %s, %zu region%s, sealed to", gi->name, style_name(gi->style),
               gi->n_regions, gi->n_regions == 1 ? "" : "s");
        const char *sep = " ";
        for (unsigned k = 1; k <= SHROUD_STANZA_PBKDF2; k++)
            if (gi->stanza_kinds & (1u << k)) {
                printf("%s%s", sep, stanza_names[k]);
                sep = ", ";
            }
        printf(" (%zu stanza%s)\n", gi->n_stanzas, gi->n_stanzas == 1 ? "" : "s");
        for (size_t i = 0; i < gi->n_regions; i++) {
            const shroud_region *r = &gi->regions[i], *c = &gi->covered[i];
            printf("  region %u,%u,%u,%u", r->x, r->y, r->w, r->h);
            if (memcmp(r, c, sizeof *r) != 0)
                printf(" (covers %u,%u,%u,%u)", c->x, c->y, c->w, c->h);
            printf("\n");
        }
    }
    if (!info->has_signature) {
        printf("signature: none\n");
        return;
    }
    char hex[2 * SHROUD_KEY_ID_BYTES + 1];
    format_key_id(info->signer_key_id, hex);
    printf("signature: key id %s, %s\n", hex, signature_verdict(info));
    if (info->signer)
        printf("signer: %s%s", info->signer,
               info->signer[strlen(info->signer) - 1] == '\n' ? "" : "\n");
    if (have_key)
        printf("expected signer: %s\n", key_status == SHROUD_OK ? "yes, verified with -k"
                                        : key_status == SHROUD_ERR_WRONG_SIGNER
                                            ? "NO, signed by another key"
                                            : shroud_strerror(key_status));
}

static void print_json(const char *file, const shroud_image_info *info, int key_status,
                       int have_key)
{
    printf("{\"file\":");
    json_print_string(file);
    printf(",\"format\":\"%s\",\"width\":%u,\"height\":%u", format_name(info->format), info->width,
           info->height);
    if (info->format == SHROUD_IMAGE_JPEG)
        printf(",\"progressive\":%s", info->progressive ? "true" : "false");
    printf(",\"groups\":[");
    for (size_t g = 0; g < info->n_groups; g++) {
        const shroud_group_info *gi = &info->groups[g];
        printf("%s{\"name\":\"%s\",\"style\":\"%s\",\"stanzas\":%zu,\"sealed_to\":[", g ? "," : "",
               gi->name, style_name(gi->style), gi->n_stanzas);
        const char *sep = "";
        for (unsigned k = 1; k <= SHROUD_STANZA_PBKDF2; k++)
            if (gi->stanza_kinds & (1u << k)) {
                printf("%s\"%s\"", sep, stanza_names[k]);
                sep = ",";
            }
        printf("],\"regions\":[");
        for (size_t i = 0; i < gi->n_regions; i++) {
            const shroud_region *r = &gi->regions[i], *c = &gi->covered[i];
            printf("%s{\"x\":%u,\"y\":%u,\"w\":%u,\"h\":%u,\"covered\":{\"x\":%u,\"y\":%u,"
                   "\"w\":%u,\"h\":%u}}",
                   i ? "," : "", r->x, r->y, r->w, r->h, c->x, c->y, c->w, c->h);
        }
        printf("]}");
    }
    printf("],\"signature\":");
    if (!info->has_signature) {
        printf("null}\n");
        return;
    }
    char hex[2 * SHROUD_KEY_ID_BYTES + 1];
    format_key_id(info->signer_key_id, hex);
    printf("{\"key_id\":\"%s\",\"valid\":%s,\"error\":", hex,
           info->signature_status == SHROUD_OK ? "true" : "false");
    if (info->signature_status == SHROUD_OK)
        printf("null");
    else
        json_print_string(shroud_strerror(info->signature_status));
    printf(",\"signer\":");
    json_print_string(info->signer);
    if (have_key)
        printf(",\"expected_signer\":%s", key_status == SHROUD_OK ? "true" : "false");
    printf("}}\n");
}

int cmd_inspect(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key_arg = NULL;
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            key_arg = optarg;
            break;
        case 'J':
            json = 1;
            break;
        case 'h':
            fputs(inspect_help, stdout);
            return 0;
        default:
            return option_error("inspect", c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("inspect", "give exactly one image");
    const char *file = argv[optind];
    shroud_recipient *key = NULL;
    if (key_arg && !(key = load_public_key(key_arg)))
        return EXIT_FAILED;
    uint8_t *image = NULL;
    size_t len = 0;
    shroud_image_info *info = NULL;
    int rc = read_image(file, &image, &len);
    int err = rc ? SHROUD_OK : shroud_image_inspect(image, len, &info);
    if (!rc && err)
        rc = image_fail(file, err);
    int key_status = SHROUD_ERR_NO_SIGNATURE;
    if (!rc && key && info->has_signature)
        key_status = shroud_image_verify(image, len, key);
    if (!rc && json)
        print_json(file, info, key_status, key != NULL);
    else if (!rc)
        print_text(file, info, key_status, key != NULL);
    shroud_image_info_free(info);
    shroud_recipient_free(key);
    free(image);
    return rc;
}
