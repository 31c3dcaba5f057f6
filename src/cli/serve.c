/* serve.c — shroud serve: the HTTPS server on its embedded defaults. */
#include <errno.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "server/blob_cache.h"
#include "server/blobs.h"
#include "server/client_address.h"
#include "server/json_wipe.h"
#include "server/server.h"
#include "server/store.h"
#include "server/sweeper.h"
#include "server/tls_identity.h"

#define DEFAULT_SESSION_TTL (7 * 24 * 3600)
#define DEFAULT_IMAGE_CACHE_MIB 128
#define DEFAULT_IMAGE_CACHE_MIB_TEXT "128"

static const char serve_help[] =
    "Usage: shroud serve [--listen HOST:PORT] [--data DIR]\n"
    "                    [--db sqlite:PATH | --db postgres://USER@HOST:PORT/DB]\n"
    "                    [--blobs DIR] [--image-cache MIB]\n"
    "                    [--tls-cert F --tls-key F | --no-tls]\n"
    "                    [--max-upload BYTES] [--max-upload-memory BYTES]\n"
    "                    [--threads N] [--session-ttl SECONDS]\n"
    "                    [--trust-proxy ADDR]...\n"
    "\n"
    "Runs shroud's HTTPS server until SIGINT (Ctrl-C) or SIGTERM, then finishes the\n"
    "requests in progress and exits 0. With no options: 127.0.0.1:8443, data in\n"
    "./shroud-data (created, mode 0700), and a self-signed ECDSA P-256 certificate\n"
    "made there on the first start and reused afterwards. At start it prints the\n"
    "URL, the certificate's SHA-256 fingerprint and its pin in curl's syntax\n"
    "(curl --pinnedpubkey sha256//...). One access-log line per request follows on\n"
    "standard output.\n"
    "Accounts and the gallery live in DIR/shroud.db (SQLite; --db elsewhere), image\n"
    "files in DIR/images/. With --db postgres://... both live in PostgreSQL (images\n"
    "in its table blobs), so several servers can share them; --blobs DIR keeps the\n"
    "images in a directory instead. The banner says where images live.\n"
    "It serves the web UI at /, the JSON API under /api/ (accounts, signed image\n"
    "uploads, the public gallery, stateless hide/reveal), /images/ID, /healthz and\n"
    "/metrics. The API: docs/API.md, docs/openapi.yaml.\n"
    "\n"
    "Options:\n"
    "      --listen HOST:PORT   address to listen on (default " SERVER_DEFAULT_LISTEN "; port 0:\n"
    "                           any free port; [::1]:PORT for IPv6; [::]:PORT for\n"
    "                           every address, IPv6 and IPv4)\n"
    "      --data DIR           data directory (default ./" SERVER_DEFAULT_DATA ")\n"
    "      --db sqlite:PATH     the database file (default DIR/shroud.db; a plain PATH\n"
    "                           works too)\n"
    "      --db postgres://USER@HOST:PORT/DB  a PostgreSQL database (postgresql://\n"
    "                           too; libpq's URL syntax). Give the password in\n"
    "                           PGPASSWORD or ~/.pgpass: others see the URL\n"
    "      --blobs DIR          keep image files in DIR (default: images/ in the data\n"
    "                           directory with SQLite, the database with PostgreSQL)\n"
    "      --image-cache MIB    with images in PostgreSQL: keep up to MIB MiB of the\n"
    "                           most recently downloaded ones in memory (default\n"
    "                           " DEFAULT_IMAGE_CACHE_MIB_TEXT "; 0: none)\n"
    "      --tls-cert FILE      PEM certificate (chain) to serve instead of the made one\n"
    "      --tls-key FILE       its PEM private key (unencrypted)\n"
    "      --no-tls             plain HTTP (behind a TLS-terminating proxy only)\n"
    "      --max-upload BYTES   largest request body accepted (default 64 MiB)\n"
    "      --max-upload-memory BYTES  memory all uploads and hide/reveal forms in\n"
    "                           progress may hold at once, each counted at its\n"
    "                           announced length; beyond, 503 with Retry-After\n"
    "                           (default 4 x --max-upload; at least --max-upload).\n"
    "                           Uploads without a session get 401; neither kind of\n"
    "                           refused body is kept in memory\n"
    "      --threads N          worker threads (default: one per processor)\n"
    "      --session-ttl SECONDS  how long a login lasts (default 604800: 7 days)\n"
    "      --trust-proxy ADDR   a reverse proxy's IP address (repeatable, up to 16): from\n"
    "                           it, the client is the last X-Forwarded-For entry (else\n"
    "                           X-Real-IP) for login throttling and the access log;\n"
    "                           from other peers those headers are ignored\n"
    "  -h, --help               show this help\n";

typedef struct {
    const char *listen, *data, *db, *pg_url, *blobs_dir, *cert, *key;
    int no_tls;
    unsigned long max_upload, max_upload_memory, threads, session_ttl, image_cache_mib;
    char trusted_proxies[SERVER_TRUSTED_PROXIES_MAX][HTTP_ADDR_MAX]; /* canonical */
    size_t n_trusted_proxies;
} serve_opts;

enum {
    OPT_LISTEN = 256,
    OPT_DATA,
    OPT_DB,
    OPT_BLOBS,
    OPT_IMAGE_CACHE,
    OPT_CERT,
    OPT_KEY,
    OPT_NO_TLS,
    OPT_MAX_UPLOAD,
    OPT_MAX_UPLOAD_MEMORY,
    OPT_THREADS,
    OPT_SESSION_TTL,
    OPT_TRUST_PROXY
};

static int parse_serve(int argc, char **argv, serve_opts *o)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"data", required_argument, NULL, OPT_DATA},
        {"db", required_argument, NULL, OPT_DB},
        {"blobs", required_argument, NULL, OPT_BLOBS},
        {"image-cache", required_argument, NULL, OPT_IMAGE_CACHE},
        {"tls-cert", required_argument, NULL, OPT_CERT},
        {"tls-key", required_argument, NULL, OPT_KEY},
        {"no-tls", no_argument, NULL, OPT_NO_TLS},
        {"max-upload", required_argument, NULL, OPT_MAX_UPLOAD},
        {"max-upload-memory", required_argument, NULL, OPT_MAX_UPLOAD_MEMORY},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"session-ttl", required_argument, NULL, OPT_SESSION_TTL},
        {"trust-proxy", required_argument, NULL, OPT_TRUST_PROXY},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    o->listen = SERVER_DEFAULT_LISTEN;
    o->data = SERVER_DEFAULT_DATA;
    o->max_upload = SERVER_DEFAULT_MAX_UPLOAD;
    o->session_ttl = DEFAULT_SESSION_TTL;
    o->image_cache_mib = DEFAULT_IMAGE_CACHE_MIB;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_LISTEN:
            o->listen = optarg;
            break;
        case OPT_DATA:
            o->data = optarg;
            break;
        case OPT_DB:
            o->db = o->pg_url = NULL; /* the last --db counts */
            if (strncmp(optarg, "postgres://", 11) == 0 ||
                strncmp(optarg, "postgresql://", 13) == 0) {
                o->pg_url = optarg;
                break;
            }
            o->db = strncmp(optarg, "sqlite:", 7) == 0 ? optarg + 7 : optarg;
            if (!o->db[0])
                return usage_error("serve", "--db sqlite:PATH needs a PATH");
            break;
        case OPT_BLOBS:
            if (!optarg[0])
                return usage_error("serve", "--blobs takes a directory, not ''");
            o->blobs_dir = optarg;
            break;
        case OPT_IMAGE_CACHE:
            if (parse_uint(optarg, 0, 1ul << 20, &o->image_cache_mib))
                return usage_error("serve", "--image-cache takes MiB, 0 .. 1048576, not '%s'",
                                   optarg);
            break;
        case OPT_CERT:
            o->cert = optarg;
            break;
        case OPT_KEY:
            o->key = optarg;
            break;
        case OPT_NO_TLS:
            o->no_tls = 1;
            break;
        case OPT_MAX_UPLOAD:
            if (parse_uint(optarg, 1024, 1ul << 40, &o->max_upload))
                return usage_error("serve", "--max-upload takes a byte count >= 1024, not '%s'",
                                   optarg);
            break;
        case OPT_MAX_UPLOAD_MEMORY:
            if (parse_uint(optarg, 1024, 1ul << 44, &o->max_upload_memory))
                return usage_error(
                    "serve", "--max-upload-memory takes a byte count >= 1024, not '%s'", optarg);
            break;
        case OPT_THREADS:
            if (parse_uint(optarg, 1, 256, &o->threads))
                return usage_error("serve", "--threads takes 1 .. 256, not '%s'", optarg);
            break;
        case OPT_SESSION_TTL:
            if (parse_uint(optarg, 1, 366ul * 24 * 3600, &o->session_ttl))
                return usage_error("serve", "--session-ttl takes 1 .. 31622400 seconds, not '%s'",
                                   optarg);
            break;
        case OPT_TRUST_PROXY:
            if (o->n_trusted_proxies == SERVER_TRUSTED_PROXIES_MAX)
                return usage_error("serve", "--trust-proxy: at most %d proxies",
                                   SERVER_TRUSTED_PROXIES_MAX);
            if (server_canonical_address(optarg, o->trusted_proxies[o->n_trusted_proxies],
                                         HTTP_ADDR_MAX) != 0)
                return usage_error("serve",
                                   "--trust-proxy takes an IP address (127.0.0.1, ::1), not '%s'",
                                   optarg);
            o->n_trusted_proxies++;
            break;
        case 'h':
            fputs(serve_help, stdout);
            return -1;
        default:
            return option_error("serve", c, argv);
        }
    }
    if (optind != argc)
        return usage_error("serve", "unexpected argument '%s'", argv[optind]);
    struct sockaddr_storage addr;
    socklen_t addr_len;
    if (server_parse_listen(o->listen, &addr, &addr_len) != 0)
        return usage_error(
            "serve", "--listen takes HOST:PORT (127.0.0.1:8443, [::1]:8443), not '%s'", o->listen);
    if (o->no_tls && (o->cert || o->key))
        return usage_error("serve", "--no-tls and --tls-cert/--tls-key exclude each other");
    if ((o->cert != NULL) != (o->key != NULL))
        return usage_error("serve", "give both --tls-cert and --tls-key");
    if (o->max_upload_memory && o->max_upload_memory < o->max_upload)
        return usage_error("serve",
                           "--max-upload-memory (%lu) is below --max-upload (%lu): no upload "
                           "could ever be taken",
                           o->max_upload_memory, o->max_upload);
    return 0;
}

/* Waits for SIGINT or SIGTERM (blocked in every thread) and says which. */
static int wait_for_stop(const sigset_t *set)
{
    int sig = 0;
    while (sigwait(set, &sig) != 0)
        ;
    return sig;
}

/* url without its password, for the banner: postgresql://USER@HOST:PORT/DB
 * (the parts libpq reads from it). */
static void url_for_display(const char *url, char *out, size_t len)
{
    const char *user = "", *host = "", *port = "", *dbname = "";
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    for (PQconninfoOption *op = opts; op && op->keyword; op++) {
        if (!op->val)
            continue;
        if (strcmp(op->keyword, "user") == 0)
            user = op->val;
        else if (strcmp(op->keyword, "host") == 0)
            host = op->val;
        else if (strcmp(op->keyword, "port") == 0)
            port = op->val;
        else if (strcmp(op->keyword, "dbname") == 0)
            dbname = op->val;
    }
    snprintf(out, len, "postgresql://%s%s%s%s%s/%s", user, user[0] ? "@" : "", host,
             port[0] ? ":" : "", port, dbname);
    PQconninfoFree(opts);
}

static void banner(const serve_opts *o, const tls_identity *id, unsigned port,
                   const char *images_dir)
{
    char host[256];
    const char *colon = strrchr(o->listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - o->listen), o->listen);
    printf("shroud serve: listening on %s://%s:%u/\n", o->no_tls ? "http" : "https", host, port);
    if (!o->no_tls) {
        printf("  certificate SHA-256 %s%s\n", id->fingerprint,
               id->created ? " (made on this start)" : "");
        printf("  pin %s (curl --pinnedpubkey; shroud remote pins it on first use)\n", id->pin);
    }
    char db[512];
    if (o->pg_url)
        url_for_display(o->pg_url, db, sizeof db);
    if (o->pg_url || o->db)
        printf("  data in %s, database %s\n", o->data, o->pg_url ? db : o->db);
    else
        printf("  data in %s\n", o->data);
    for (size_t i = 0; i < o->n_trusted_proxies; i++)
        printf("  clients of proxy %s named by its X-Forwarded-For\n", o->trusted_proxies[i]);
    if (images_dir)
        printf("  images in %s; stop with Ctrl-C or SIGTERM\n", images_dir);
    else if (o->image_cache_mib)
        printf("  images in PostgreSQL (table blobs), up to %lu MiB of them cached in memory; "
               "stop with Ctrl-C or SIGTERM\n",
               o->image_cache_mib);
    else
        printf("  images in PostgreSQL (table blobs); stop with Ctrl-C or SIGTERM\n");
    fflush(stdout);
}

static int run_serve(const serve_opts *o)
{
    if (mkdir(o->data, 0700) != 0 && errno != EEXIST)
        return fail("cannot create the data directory %s: %s", o->data, strerror(errno));
    tls_identity id;
    memset(&id, 0, sizeof id);
    char err[512];
    if (!o->no_tls && tls_identity_load(&id, o->data, o->cert, o->key, err, sizeof err) != 0)
        return fail("TLS: %s", err);
    char db_path[4200];
    if (o->db)
        snprintf(db_path, sizeof db_path, "%s", o->db);
    else
        snprintf(db_path, sizeof db_path, "%s/shroud.db", o->data);
    store *db = NULL;
    int opened = o->pg_url ? store_open_postgres(o->pg_url, &db, err, sizeof err)
                           : store_open_sqlite(db_path, &db, err, sizeof err);
    if (opened != STORE_OK) {
        tls_identity_free(&id);
        return fail("%s", err);
    }
    /* Images: --blobs DIR, else PostgreSQL with PostgreSQL, else DATA/images. */
    char images_dir[4200];
    if (o->blobs_dir)
        snprintf(images_dir, sizeof images_dir, "%s", o->blobs_dir);
    else
        snprintf(images_dir, sizeof images_dir, "%s/images", o->data);
    int in_dir = o->blobs_dir || !o->pg_url;
    blobs *images = NULL;
    if ((in_dir ? blobs_open_dir(images_dir, &images, err, sizeof err)
                : blobs_open_postgres(o->pg_url, &images, err, sizeof err)) != 0) {
        store_close(db);
        tls_identity_free(&id);
        return fail("%s", err);
    }
    if (!in_dir && o->image_cache_mib &&
        blobs_cache_wrap(images, (uint64_t)o->image_cache_mib << 20, &images) != 0) {
        store_close(db);
        tls_identity_free(&id);
        return fail("out of memory for the image cache");
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before the server's threads start */
    setvbuf(stdout, NULL, _IOLBF, 0);
    server_config cfg = {.listen = o->listen,
                         .cert_pem = o->no_tls ? NULL : id.cert_pem,
                         .key_pem = o->no_tls ? NULL : id.key_pem,
                         .max_upload = o->max_upload,
                         .max_upload_memory = o->max_upload_memory,
                         .threads = (unsigned)o->threads,
                         .access_log = stdout,
                         .app = {.store = db,
                                 .session_ttl = (int64_t)o->session_ttl,
                                 .tls = !o->no_tls,
                                 .images = images,
                                 .max_upload = o->max_upload,
                                 .metrics = NULL}}; /* the server sets metrics */
    memcpy(cfg.trusted_proxies, o->trusted_proxies, sizeof cfg.trusted_proxies);
    cfg.n_trusted_proxies = o->n_trusted_proxies;
    server *s = NULL;
    int rc = server_start(&cfg, &s, err, sizeof err) == 0 ? 0 : fail("%s", err);
    if (!rc) {
        banner(o, &id, server_port(s), in_dir ? images_dir : NULL);
        sweeper *sw = sweeper_start(db, images, SWEEPER_DEFAULT_INTERVAL_SECONDS, stderr);
        if (!sw)
            fprintf(stderr, "shroud serve: cannot start the sweep for unlisted images; "
                            "serving without it\n");
        int sig = wait_for_stop(&set);
        fprintf(stderr, "shroud serve: %s: finishing the requests in progress\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
        sweeper_stop(sw);
        server_stop(s);
        fprintf(stderr, "shroud serve: stopped\n");
    }
    blobs_close(images);
    store_close(db);
    tls_identity_free(&id);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    serve_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_serve(argc, argv, &o);
    if (rc == 0) {
        json_wipe_install(); /* passwords, tokens and revealed messages travel in JSON */
        rc = run_serve(&o);
    }
    return rc < 0 ? 0 : rc;
}
