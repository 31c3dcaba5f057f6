/* redact.c — shroud redact: obscure regions, seal the originals inside the image. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char redact_help[] =
    "Usage: shroud redact [GROUP] [--group NAME GROUP]... [--sign IDENTITY] -o OUT IN\n"
    "  where GROUP is: --region X,Y,W,H... (-r PUBKEY | -R FILE)... | -p | --passphrase-file F\n"
    "                  [--style noise|fill|pixelate|blur]\n"
    "\n"
    "Obscures rectangles of the PNG or JPEG image IN for everyone and stores their\n"
    "original content inside OUT, encrypted to each group's recipients (or to a\n"
    "passphrase). A key holder gets the original back with 'shroud restore'.\n"
    "PNG in gives PNG out, JPEG in gives JPEG out. A JPEG is changed in the DCT\n"
    "domain: a region grows to whole MCUs (8 or 16 pixels) and every block outside\n"
    "the regions stays bit-identical.\n"
    "\n"
    "Groups: options apply to the group named by the last --group before them\n"
    "(options before any --group form a group called 'default'). Each group has its\n"
    "own regions, recipients and style; a key opens only its groups:\n"
    "  shroud redact --group faces --region 10,20,64,64 -r $ALICE \\\n"
    "                --group plates --region 400,300,120,40 -R team.pub -o out.jpg in.jpg\n"
    "Regions of different groups may overlap; the overlap is then readable by the\n"
    "key holders of either group.\n"
    "\n"
    "Group options:\n"
    "  -g, --group NAME          start a new group (letters, digits, '.', '_', '-')\n"
    "      --region X,Y,W,H      a rectangle in pixels (left, top, width, height);\n"
    "                            repeatable, up to 256 per group\n"
    "  -r, --recipient PUBKEY    seal to this public key ('shroudpk1...' or a PEM file\n"
    "                            given with -R); repeatable\n"
    "  -R, --recipients-file F   seal to every public key in F; repeatable\n"
    "  -p, --passphrase          seal to a passphrase, asked twice on the terminal\n"
    "      --passphrase-file F   seal to the passphrase on the first line of F\n"
    "      --scrypt-log-n N      passphrase cost, log2 of scrypt's N (10..20, default 18)\n"
    "      --style STYLE         how the region looks (default noise):\n"
    "                              noise     random content: reveals nothing\n"
    "                              fill      a black box: reveals nothing\n"
    "                              pixelate  coarse cells of the average colour:\n"
    "                                        LEAKS shapes, colours, sometimes identity\n"
    "                              blur      a strong blur: LEAKS shapes and colours;\n"
    "                                        blurred faces and text can be recovered\n"
    "\n"
    "Other options:\n"
    "      --sign IDENTITY       sign OUT with this identity (an embedded signature;\n"
    "                            check it with 'shroud verify -k PUBKEY OUT')\n"
    "      --identity-passphrase-file F  passphrase of a protected --sign identity\n"
    "      --strip-metadata      drop EXIF, XMP, ICC profiles, comments and text\n"
    "                            chunks from OUT (they are not kept in the record);\n"
    "                            thumbnails and previews of the original are left\n"
    "                            out in any case\n"
    "      --png-level N         PNG compression, 1 (fastest: Huffman only, for photos)\n"
    "                            .. 12 (small); default 6\n"
    "  -o, --output OUT          the redacted image ('-' for standard output)\n"
    "  -f, --force               replace OUT if it exists\n"
    "      --json                print what was done as JSON on standard output\n"
    "  -h, --help                show this help\n"
    "\n"
    "Limits: 32768 pixels per side, 64 megapixels, 512 MiB files; 16 groups.\n";

typedef struct {
    const char *name;
    int style;
    shroud_region regions[SHROUD_MAX_REGIONS];
    size_t n_regions;
    shroud_recipient *recipients[SHROUD_MAX_RECIPIENTS];
    size_t n_recipients;
    int passphrase;
    const char *pass_file;
    unsigned long log_n;
} group_opts;

typedef struct {
    group_opts groups[SHROUD_MAX_GROUPS];
    size_t n_groups;
    const char *sign, *sign_pass_file, *output, *input;
    int strip, force, json;
    unsigned long png_level;
} redact_opts;

enum {
    OPT_REGION = 256,
    OPT_STYLE,
    OPT_PASS_FILE,
    OPT_LOG_N,
    OPT_SIGN,
    OPT_SIGN_PASS_FILE,
    OPT_STRIP,
    OPT_PNG_LEVEL,
    OPT_JSON,
};

static void free_opts(redact_opts *o)
{
    for (size_t g = 0; g < o->n_groups; g++)
        for (size_t i = 0; i < o->groups[g].n_recipients; i++)
            shroud_recipient_free(o->groups[g].recipients[i]);
}

static int parse_style(const char *s)
{
    for (int st = SHROUD_STYLE_NOISE; st <= SHROUD_STYLE_BLUR; st++)
        if (strcmp(s, style_name(st)) == 0)
            return st;
    return -1;
}

/* "X,Y,W,H" with decimal numbers. */
static int parse_region(const char *s, shroud_region *r)
{
    unsigned long v[4];
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        char num[16];
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof num || (i < 3 && p[n] != ',') || (i == 3 && p[n] != '\0'))
            return -1;
        memcpy(num, p, n);
        num[n] = '\0';
        if (parse_uint(num, 0, UINT32_MAX, &v[i]))
            return -1;
        p += n + (i < 3);
    }
    r->x = (uint32_t)v[0];
    r->y = (uint32_t)v[1];
    r->w = (uint32_t)v[2];
    r->h = (uint32_t)v[3];
    return 0;
}

/* The group options apply to: the last --group, or an implicit "default". */
static group_opts *current(redact_opts *o)
{
    if (o->n_groups == 0) {
        o->groups[0].name = "default";
        o->n_groups = 1;
    }
    return &o->groups[o->n_groups - 1];
}

static int parse_redact(int argc, char **argv, redact_opts *o)
{
    static const struct option longopts[] = {
        {"group", required_argument, NULL, 'g'},
        {"region", required_argument, NULL, OPT_REGION},
        {"recipient", required_argument, NULL, 'r'},
        {"recipients-file", required_argument, NULL, 'R'},
        {"passphrase", no_argument, NULL, 'p'},
        {"passphrase-file", required_argument, NULL, OPT_PASS_FILE},
        {"scrypt-log-n", required_argument, NULL, OPT_LOG_N},
        {"style", required_argument, NULL, OPT_STYLE},
        {"sign", required_argument, NULL, OPT_SIGN},
        {"identity-passphrase-file", required_argument, NULL, OPT_SIGN_PASS_FILE},
        {"strip-metadata", no_argument, NULL, OPT_STRIP},
        {"png-level", required_argument, NULL, OPT_PNG_LEVEL},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":g:r:R:po:fh", longopts, NULL)) != -1) {
        group_opts *g = NULL;
        switch (c) {
        case 'g':
            if (!shroud_group_name_valid(optarg))
                return usage_error("redact",
                                   "group name '%s': use 1 to %d letters, digits, '.', '_' or '-'",
                                   optarg, SHROUD_GROUP_NAME_MAX);
            if (o->n_groups == SHROUD_MAX_GROUPS)
                return usage_error("redact", "at most %d groups", SHROUD_MAX_GROUPS);
            for (size_t i = 0; i < o->n_groups; i++)
                if (strcmp(o->groups[i].name, optarg) == 0)
                    return usage_error("redact", "group '%s' is given twice", optarg);
            o->groups[o->n_groups++].name = optarg;
            break;
        case OPT_REGION:
            g = current(o);
            if (g->n_regions == SHROUD_MAX_REGIONS)
                return usage_error("redact", "at most %d regions per group", SHROUD_MAX_REGIONS);
            if (parse_region(optarg, &g->regions[g->n_regions]))
                return usage_error("redact", "--region takes X,Y,W,H in pixels, not '%s'", optarg);
            g->n_regions++;
            break;
        case 'r':
            g = current(o);
            if (g->n_recipients == SHROUD_MAX_RECIPIENTS)
                return usage_error("redact", "at most %d recipients per group",
                                   SHROUD_MAX_RECIPIENTS);
            if (!(g->recipients[g->n_recipients] = parse_recipient_arg(optarg)))
                return EXIT_USAGE;
            g->n_recipients++;
            break;
        case 'R':
            g = current(o);
            if (load_recipients_file(optarg, g->recipients, SHROUD_MAX_RECIPIENTS,
                                     &g->n_recipients))
                return EXIT_FAILED; /* as in encrypt: the file is failed input */
            break;
        case 'p':
            current(o)->passphrase = 1;
            break;
        case OPT_PASS_FILE:
            g = current(o);
            g->passphrase = 1;
            g->pass_file = optarg;
            break;
        case OPT_LOG_N:
            if (parse_uint(optarg, SHROUD_SCRYPT_MIN_LOG_N, SHROUD_SCRYPT_MAX_LOG_N,
                           &current(o)->log_n))
                return usage_error("redact", "--scrypt-log-n takes %d to %d",
                                   SHROUD_SCRYPT_MIN_LOG_N, SHROUD_SCRYPT_MAX_LOG_N);
            break;
        case OPT_STYLE:
            if ((current(o)->style = parse_style(optarg)) < 0)
                return usage_error("redact", "--style is noise, fill, pixelate or blur, not '%s'",
                                   optarg);
            break;
        case OPT_SIGN:
            o->sign = optarg;
            break;
        case OPT_SIGN_PASS_FILE:
            o->sign_pass_file = optarg;
            break;
        case OPT_STRIP:
            o->strip = 1;
            break;
        case OPT_PNG_LEVEL:
            if (parse_uint(optarg, 1, 12, &o->png_level))
                return usage_error("redact", "--png-level takes 1 to 12");
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
            fputs(redact_help, stdout);
            return -1;
        default:
            return option_error("redact", c, argv);
        }
    }
    if (optind + 1 != argc)
        return usage_error("redact", "give exactly one input image");
    o->input = argv[optind];
    if (!o->output)
        return usage_error("redact", "give the output image with -o OUT");
    if (o->json && strcmp(o->output, "-") == 0)
        return usage_error("redact", "--json prints on standard output: give -o OUT, not '-'");
    if (o->n_groups == 0)
        return usage_error("redact",
                           "give at least one --region and its recipients (-r, -R or -p)");
    for (size_t i = 0; i < o->n_groups; i++) {
        const group_opts *g = &o->groups[i];
        if (g->n_regions == 0)
            return usage_error("redact", "group '%s' has no --region", g->name);
        if (!g->passphrase && g->n_recipients == 0)
            return usage_error("redact", "group '%s' needs -r PUBKEY, -R FILE or -p", g->name);
        if (g->passphrase && g->n_recipients)
            return usage_error("redact",
                               "group '%s': a passphrase group cannot also have recipients "
                               "(put them in another group)",
                               g->name);
        if (g->log_n && !g->passphrase)
            return usage_error("redact", "group '%s': --scrypt-log-n applies to -p only", g->name);
    }
    return 0;
}

/* Checks the regions against the image, naming the first bad one. */
static int check_regions(const redact_opts *o, uint32_t width, uint32_t height)
{
    for (size_t i = 0; i < o->n_groups; i++)
        for (size_t k = 0; k < o->groups[i].n_regions; k++) {
            const shroud_region *r = &o->groups[i].regions[k];
            if (r->w == 0 || r->h == 0)
                return fail("group '%s': region %u,%u,%u,%u is empty", o->groups[i].name, r->x,
                            r->y, r->w, r->h);
            if ((uint64_t)r->x + r->w > width || (uint64_t)r->y + r->h > height)
                return fail("group '%s': region %u,%u,%u,%u lies outside the %ux%u image",
                            o->groups[i].name, r->x, r->y, r->w, r->h, width, height);
        }
    return 0;
}

/* Adds one group, asking for its passphrase when it has one. */
static int add_group(shroud_redactor *rd, const group_opts *g)
{
    char pass[SHROUD_PASSPHRASE_MAX];
    size_t pass_len = 0;
    if (g->passphrase) {
        char what[128];
        snprintf(what, sizeof what, "group '%s'", g->name);
        pass_source src = {g->pass_file, what, 0};
        int rc = pass_new(&src, pass, sizeof pass, &pass_len);
        if (rc)
            return rc;
    }
    int err =
        shroud_redactor_add_group(rd, g->name, g->style, g->regions, g->n_regions,
                                  (const shroud_recipient *const *)g->recipients, g->n_recipients,
                                  g->passphrase ? pass : NULL, pass_len, (int)g->log_n);
    memset(pass, 0, sizeof pass);
    return err ? fail("group '%s': %s", g->name, shroud_strerror(err)) : 0;
}

static void print_json(const redact_opts *o, const shroud_image_info *info, size_t out_len,
                       size_t previews)
{
    printf("{\"output\":");
    json_print_string(o->output);
    printf(",\"format\":\"%s\",\"width\":%u,\"height\":%u,\"bytes\":%zu,\"signed\":%s,"
           "\"dropped_previews\":%zu,\"groups\":[",
           format_name(info->format), info->width, info->height, out_len,
           info->has_signature ? "true" : "false", previews);
    for (size_t g = 0; g < info->n_groups; g++) {
        const shroud_group_info *gi = &info->groups[g];
        printf("%s{\"name\":\"%s\",\"style\":\"%s\",\"regions\":[", g ? "," : "", gi->name,
               style_name(gi->style));
        for (size_t i = 0; i < gi->n_regions; i++) {
            const shroud_region *r = &gi->regions[i], *c = &gi->covered[i];
            printf("%s{\"x\":%u,\"y\":%u,\"w\":%u,\"h\":%u,\"covered\":{\"x\":%u,\"y\":%u,"
                   "\"w\":%u,\"h\":%u}}",
                   i ? "," : "", r->x, r->y, r->w, r->h, c->x, c->y, c->w, c->h);
        }
        printf("]}");
    }
    printf("]}\n");
}

static int rects_meet(const shroud_region *a, const shroud_region *b)
{
    return (uint64_t)a->x < (uint64_t)b->x + b->w && (uint64_t)b->x < (uint64_t)a->x + a->w &&
           (uint64_t)a->y < (uint64_t)b->y + b->h && (uint64_t)b->y < (uint64_t)a->y + a->h;
}

/* JPEG regions grow to whole MCUs: regions of two groups that do not meet
 * may still share blocks, which either group's keys then restore. Says so,
 * once per pair of groups, unless the user made the regions overlap. */
static void warn_shared_blocks(const shroud_image_info *info)
{
    for (size_t a = 0; a < info->n_groups; a++)
        for (size_t b = a + 1; b < info->n_groups; b++) {
            const shroud_group_info *ga = &info->groups[a], *gb = &info->groups[b];
            int asked = 0, shared = 0;
            for (size_t i = 0; i < ga->n_regions; i++)
                for (size_t j = 0; j < gb->n_regions; j++) {
                    asked |= rects_meet(&ga->regions[i], &gb->regions[j]);
                    shared |= rects_meet(&ga->covered[i], &gb->covered[j]);
                }
            if (shared && !asked)
                warn("groups '%s' and '%s' share JPEG blocks (regions grow to whole MCUs): "
                     "keys of either group restore the shared blocks",
                     ga->name, gb->name);
        }
}

static int run_redact(const redact_opts *o)
{
    uint8_t *image = NULL, *out = NULL;
    size_t len = 0, out_len = 0;
    shroud_redactor *rd = NULL;
    shroud_identity *signer = NULL;
    shroud_image_info *info = NULL;
    int rc = read_image(o->input, &image, &len);
    if (!rc && o->sign && !(signer = load_identity(o->sign, o->sign_pass_file)))
        rc = EXIT_FAILED;
    int err = SHROUD_OK;
    if (!rc && (err = shroud_redactor_new(&rd, image, len)) != SHROUD_OK)
        rc = image_fail(o->input, err);
    uint32_t width = 0, height = 0;
    if (!rc) {
        shroud_redactor_size(rd, &width, &height);
        rc = check_regions(o, width, height);
    }
    for (size_t g = 0; !rc && g < o->n_groups; g++)
        rc = add_group(rd, &o->groups[g]);
    if (!rc && o->strip)
        shroud_redactor_strip_metadata(rd, 1);
    if (!rc && o->png_level)
        shroud_redactor_png_level(rd, (int)o->png_level);
    if (!rc && signer)
        shroud_redactor_sign(rd, signer);
    if (!rc && (err = shroud_redactor_finish(rd, &out, &out_len)) != SHROUD_OK)
        rc = image_fail(o->input, err);
    size_t previews = rd ? shroud_redactor_dropped_previews(rd) : 0;
    if (!rc && previews)
        fprintf(stderr,
                "shroud: left out %zu metadata block%s holding a preview picture of the original "
                "(EXIF/Photoshop/XMP thumbnail, MPF or FlashPix preview): it would show the "
                "regions\n",
                previews, previews == 1 ? "" : "s");
    if (!rc)
        rc = write_image(o->output, o->force, 0644, out, out_len);
    int need_info = o->json || o->n_groups > 1;
    if (!rc && need_info && (err = shroud_image_inspect(out, out_len, &info)) == SHROUD_OK) {
        if (info->format == SHROUD_IMAGE_JPEG)
            warn_shared_blocks(info);
        if (o->json)
            print_json(o, info, out_len, previews);
    }
    shroud_image_info_free(info);
    shroud_free(out);
    shroud_redactor_free(rd);
    shroud_identity_free(signer);
    free(image);
    return rc;
}

int cmd_redact(int argc, char **argv)
{
    redact_opts *o = calloc(1, sizeof *o);
    if (!o)
        return fail("out of memory");
    int rc = parse_redact(argc, argv, o);
    if (rc == 0)
        rc = run_redact(o);
    free_opts(o);
    free(o);
    return rc < 0 ? 0 : rc;
}
