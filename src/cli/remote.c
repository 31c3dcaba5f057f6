/* remote.c — shroud remote: the client of shroud serve. One table maps the
 * subcommands to their functions, options and help; every subcommand picks
 * the server, checks its pin (trust on first use), then runs. */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/remote.h"
#include "server/json_wipe.h"

/* The options each subcommand may take. */
enum {
    OPT_SERVER = 1 << 0,
    OPT_PIN = 1 << 1,
    OPT_USER = 1 << 2,
    OPT_PASSWORD_FILE = 1 << 3,
    OPT_IDENTITY = 1 << 4,
    OPT_PUBLIC_KEY = 1 << 5,
    OPT_OUTPUT = 1 << 6,
    OPT_FORCE = 1 << 7,
    OPT_JSON = 1 << 8,
    OPT_PAGE = 1 << 9,
    OPT_PER_PAGE = 1 << 10,
    OPT_HELP = 1 << 11,
};
#define OPT_COMMON (OPT_SERVER | OPT_PIN | OPT_HELP)

typedef struct {
    const char *name;
    int (*run)(const remote_config *c, const remote_opts *o, remote_server *s);
    unsigned options;
    int min_args, max_args;
    int needs_session; /* checked before the server is contacted */
    const char *summary;
    const char *help;
} remote_command;

#define COMMON_HELP                                                                                \
    "      --server URL         the server, https://HOST:PORT (default:\n"                         \
    "                           $SHROUD_SERVER, else the last one logged in to)\n"                 \
    "      --pin PIN            trust a server met for the first time by its pin,\n"               \
    "                           sha256//... ('shroud serve' prints it at start)\n"                 \
    "  -h, --help               show this help\n"

static const remote_command commands[] = {
    {"register", remote_register,
     OPT_COMMON | OPT_USER | OPT_PASSWORD_FILE | OPT_IDENTITY | OPT_PUBLIC_KEY, 0, 0, 0,
     "create an account bound to your public key",
     "Usage: shroud remote register --server URL --user NAME [--password-file F]\n"
     "                              (-i IDENTITY | -k PUBKEY)\n"
     "\n"
     "Creates the account NAME (3..32 of a-z 0-9 _ . -) on the server, bound to a\n"
     "public key: the one of IDENTITY, or PUBKEY (a shroudpk1... line or an RSA PEM\n"
     "public key, or a file holding it). Only images signed with that key can be\n"
     "uploaded to the account. The password (8..1024 characters) is asked twice on\n"
     "the terminal, without echo. Then log in with 'shroud remote login'.\n"
     "\n"
     "Options:\n"
     "      --user NAME          the account's name\n"
     "      --password-file F    read the password from the first line of F\n"
     "  -i, --identity IDENTITY  register the public key of this identity\n"
     "  -k, --public-key PUBKEY  register this public key\n" COMMON_HELP},
    {"login", remote_login, OPT_COMMON | OPT_USER | OPT_PASSWORD_FILE, 0, 0, 0,
     "log in and keep the session for the next commands",
     "Usage: shroud remote login --server URL --user NAME [--password-file F]\n"
     "\n"
     "Logs in and keeps the session token (never printed) in the configuration\n"
     "directory, mode 0600, for the next commands; the server becomes the default\n"
     "one. The password is asked on the terminal, without echo.\n"
     "\n"
     "Options:\n"
     "      --user NAME          the account's name\n"
     "      --password-file F    read the password from the first line of F\n" COMMON_HELP},
    {"logout", remote_logout, OPT_COMMON, 0, 0, 0, "end the session, on the server and here",
     "Usage: shroud remote logout [--server URL]\n"
     "\n"
     "Ends the session on the server and deletes it here (also when the server\n"
     "says it had already ended). When the server cannot be reached the session\n"
     "is kept, so that logout can be tried again.\n"
     "\n"
     "Options:\n" COMMON_HELP},
    {"upload", remote_upload, OPT_COMMON | OPT_JSON, 1, 1, 1,
     "upload a signed PNG or JPEG, print its id",
     "Usage: shroud remote upload [--json] [--server URL] FILE\n"
     "\n"
     "Uploads FILE, a PNG or JPEG signed with the key registered for your account\n"
     "('shroud sign -i KEY', or 'shroud redact --sign KEY'), and prints its id (the\n"
     "SHA-256 of the file). The server refuses unsigned images and images signed\n"
     "by another key. Needs 'shroud remote login' first.\n"
     "\n"
     "Options:\n"
     "      --json               print the server's image object (JSON), not the id\n" COMMON_HELP},
    {"list", remote_list, OPT_COMMON | OPT_JSON | OPT_PAGE | OPT_PER_PAGE, 0, 0, 0,
     "the gallery, newest first",
     "Usage: shroud remote list [--json] [--page N] [--per-page N] [--server URL]\n"
     "\n"
     "Lists the server's images, newest first, one page at a time: id (its first\n"
     "16 digits; get and delete take any unique start of 8 or more), owner, size,\n"
     "width x height, redaction groups, and upload time in UTC. The gallery is\n"
     "public: no login needed.\n"
     "\n"
     "Options:\n"
     "      --json               print the server's answer (JSON) as it is\n"
     "      --page N             which page (default 1)\n"
     "      --per-page N         images per page, 1..100 (default 20)\n" COMMON_HELP},
    {"get", remote_get, OPT_COMMON | OPT_OUTPUT | OPT_FORCE, 1, 1, 0, "download an image",
     "Usage: shroud remote get [--server URL] [--force] ID -o OUT\n"
     "\n"
     "Downloads the image ID (its 64 hex digits, or a unique start of 8 or more) to\n"
     "OUT, checking that the file's SHA-256 is the id. OUT appears only once\n"
     "complete; an existing OUT is replaced only with --force. No login needed.\n"
     "\n"
     "Options:\n"
     "  -o, --output OUT         where to write ('-': standard output, not a terminal)\n"
     "      --force              replace an existing OUT\n" COMMON_HELP},
    {"delete", remote_delete, OPT_COMMON, 1, 1, 1, "delete one of your images",
     "Usage: shroud remote delete [--server URL] ID\n"
     "\n"
     "Deletes the image ID (its 64 hex digits, or a unique start of 8 or more) from\n"
     "the server. Only its owner can. Needs 'shroud remote login' first.\n"
     "\n"
     "Options:\n" COMMON_HELP},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void remote_usage(FILE *f)
{
    fprintf(f, "Usage: shroud remote COMMAND [--server URL] [--pin PIN] [OPTIONS] [ARGS]\n\n"
               "The client of a shroud server ('shroud serve'): accounts and images over\n"
               "HTTPS.\n\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n"
               "The server's certificate is self-signed, so shroud checks its key by a pin\n"
               "(sha256// and the SHA-256 of the key, which 'shroud serve' prints at start).\n"
               "The first time a server is met, its pin is shown on the terminal to be\n"
               "confirmed, or given with --pin; it is stored in known_servers and checked on\n"
               "every request after that. A server whose key changed is refused.\n"
               "\n"
               "Files, in $SHROUD_CONFIG_DIR, else $XDG_CONFIG_HOME/shroud, else\n"
               "~/.config/shroud: known_servers (a server and its pin a line), sessions/ (one\n"
               "file per server, mode 0600), remote_default (the server last logged in to).\n"
               "\n"
               "Run 'shroud remote COMMAND --help' for a command's options.\n");
}

static int parse_remote_opts(const remote_command *cmd, int argc, char **argv, remote_opts *o,
                             char *name)
{
    static const struct option longopts[] = {
        {"server", required_argument, NULL, 'S'},
        {"pin", required_argument, NULL, 'P'},
        {"user", required_argument, NULL, 'u'},
        {"password-file", required_argument, NULL, 'F'},
        {"identity", required_argument, NULL, 'i'},
        {"public-key", required_argument, NULL, 'k'},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'J'},
        {"page", required_argument, NULL, 'p'},
        {"per-page", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const struct {
        int c;
        unsigned bit;
    } bits[] = {{'S', OPT_SERVER},        {'P', OPT_PIN},      {'u', OPT_USER},
                {'F', OPT_PASSWORD_FILE}, {'i', OPT_IDENTITY}, {'k', OPT_PUBLIC_KEY},
                {'o', OPT_OUTPUT},        {'f', OPT_FORCE},    {'J', OPT_JSON},
                {'p', OPT_PAGE},          {'n', OPT_PER_PAGE}, {'h', OPT_HELP}};
    memset(o, 0, sizeof *o);
    o->cmd = name;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":i:k:o:h", longopts, NULL)) != -1) {
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
            if (bits[i].c == c)
                bit = bits[i].bit;
        if (bit && !(cmd->options & bit))
            return usage_error(name, "option '%s' does not apply here", argv[optind - 1]);
        switch (c) {
        case 'S':
            o->server = optarg;
            break;
        case 'P':
            o->pin = optarg;
            break;
        case 'u':
            o->user = optarg;
            break;
        case 'F':
            o->password_file = optarg;
            break;
        case 'i':
            o->identity = optarg;
            break;
        case 'k':
            o->public_key = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'f':
            o->force = 1;
            break;
        case 'J':
            o->json = 1;
            break;
        case 'p':
            if (parse_uint(optarg, 1, 1000000000ul, &o->page))
                return usage_error(name, "--page takes a page number from 1, not '%s'", optarg);
            break;
        case 'n':
            if (parse_uint(optarg, 1, 100, &o->per_page))
                return usage_error(name, "--per-page takes 1 .. 100, not '%s'", optarg);
            break;
        case 'h':
            fputs(cmd->help, stdout);
            return -1;
        default:
            return option_error(name, c, argv);
        }
    }
    o->args = argv + optind;
    o->n_args = argc - optind;
    if (o->n_args < cmd->min_args)
        return usage_error(name, "missing argument: see the usage line");
    if (o->n_args > cmd->max_args)
        return usage_error(name, "unexpected argument '%s'", o->args[cmd->max_args]);
    return 0;
}

/* jansson allocations that are wiped when freed: answers hold tokens. */
static int run_command(const remote_command *cmd, const remote_opts *o)
{
    remote_config config;
    if (remote_config_open(&config, 1) != 0)
        return EXIT_FAILED;
    remote_server server;
    memset(&server, 0, sizeof server);
    int rc = remote_pick_server(&config, o, server.origin, &server.tls);
    if (!rc && cmd->needs_session)
        rc = remote_need_session(&config, o, &server);
    if (!rc)
        rc = remote_trust(&config, o, &server);
    if (!rc)
        rc = cmd->run(&config, o, &server);
    secret_wipe(&server, sizeof server);
    remote_config_close(&config);
    return rc;
}

int cmd_remote(int argc, char **argv)
{
    if (argc < 2) {
        remote_usage(stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        remote_usage(stdout);
        return 0;
    }
    const remote_command *cmd = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(sub, commands[i].name) == 0)
            cmd = &commands[i];
    if (!cmd)
        return usage_error("remote", "unknown command '%s'", sub);
    char name[32];
    snprintf(name, sizeof name, "remote %s", cmd->name);
    remote_opts o;
    int rc = parse_remote_opts(cmd, argc - 1, argv + 1, &o, name);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return fail("cannot start libcurl");
    json_wipe_install(); /* passwords and tokens travel in JSON */
    rc = run_command(cmd, &o);
    curl_global_cleanup();
    return rc;
}

void remote_format_time(long long t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        snprintf(out, 32, "%lld", t);
}
