/*
 * cli.h — what the subcommands of the shroud command share: error
 * reporting, atomic output files, input streams, key loading, passphrase
 * prompts and progress display.
 */
#ifndef SHROUD_CLI_H
#define SHROUD_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shroud.h"

#define EXIT_FAILED 1 /* the operation failed: wrong key, tampered input, I/O... */
#define EXIT_USAGE 2  /* the command line was wrong */
#define KEY_FILE_MAX (1u << 20)
#define IO_BUFFER_BYTES (256u * 1024u)

/* ---- subcommands: cmd_<name>(argc, argv) returns the exit status ---- */
int cmd_keygen(int argc, char **argv);
int cmd_pubkey(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_redact(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_hide(int argc, char **argv);
int cmd_reveal(int argc, char **argv);
int cmd_capacity(int argc, char **argv);
/* In shroud, serve and remote exec shroud-net (net_exec.c); in shroud-net
 * they are the commands themselves (serve.c, remote.c). */
int cmd_serve(int argc, char **argv);
int cmd_remote(int argc, char **argv);

/* ---- errors (errors.c) ---- */

/* Prints "shroud: <message>" to stderr; returns EXIT_FAILED. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "shroud <cmd>: <message>" and a hint to see --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For getopt_long's ':' and '?' (optstring starting with ':', opterr = 0):
 * "shroud <cmd>: unknown option '--x'" or "... option '-r' needs an argument". */
int option_error(const char *cmd, int c, char *const *argv);
/* Prints "shroud: warning: <message>". */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses a decimal number in [min, max]; 0 on success, -1 otherwise. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* Wipes len bytes at p in a way the compiler cannot drop (passphrases). */
void secret_wipe(void *p, size_t len);

/* ---- files (files.c) ---- */

/* An output that appears only when complete: a temporary file beside the
 * destination, renamed over it by output_commit. Path "-" or NULL is stdout. */
typedef struct {
    int fd;
    char *path;     /* destination, NULL for stdout */
    char *tmp_path; /* the temporary file, NULL for stdout */
    uint8_t *buf;
    size_t len;
    size_t buf_used; /* the most of buf ever filled: what output_abort wipes */
    int failed_errno;
} cli_output;

/* Refuses an existing destination unless force. mode applies to the new file. */
int output_open(cli_output *o, const char *path, int force, mode_t mode);
/* A shroud_write_fn writing to the output. */
int output_write(void *ctx, const uint8_t *buf, size_t len);
/* Flushes, syncs and renames into place. Returns 0 or an errno. */
int output_commit(cli_output *o);
/* Removes the temporary file and frees everything (safe after commit). */
void output_abort(cli_output *o);
/* 1 if the output is a terminal. */
int output_is_tty(const cli_output *o);

/* An input stream: a file, or stdin for NULL or "-". */
typedef struct {
    int fd;
    const char *name; /* for messages */
    off_t size;       /* -1 when unknown (pipe) */
} cli_input;

int input_open(cli_input *in, const char *path);
void input_close(cli_input *in);

/* Streams the whole input through fn(ctx, buf, len) in IO_BUFFER_BYTES
 * pieces, showing progress on a terminal for large inputs. fn returns a
 * shroud error code; the first non-zero one stops the loop and is returned.
 * A read error returns SHROUD_ERR_CANCELLED with *read_errno set. */
int input_pump(cli_input *in, int (*fn)(void *ctx, const uint8_t *buf, size_t len), void *ctx,
               const char *verb, int *read_errno);

/* Reads a small file (keys, signatures) whole, NUL-terminated. Returns 0 or
 * an errno (EFBIG when over max). Free with free() or shroud_free_secret. */
int read_small_file(const char *path, size_t max, char **out, size_t *out_len);

/* Writes a small text file atomically with the given mode. 0 or an errno. */
int write_small_file(const char *path, const char *text, size_t len, int force, mode_t mode);

/* 1 if a and b name the same existing file (links and ./ included); 0 for
 * "-" or when either does not exist. */
int same_file(const char *a, const char *b);

/* 1 if path exists. */
int path_exists(const char *path);

/* The default identity path: $SHROUD_IDENTITY, else
 * $XDG_CONFIG_HOME/shroud/identity, else ~/.config/shroud/identity.
 * Returns a malloc'd string or NULL. */
char *default_identity_path(void);

/* ---- passphrases (passphrase.c) ---- */

typedef struct {
    const char *file; /* --passphrase-file, or NULL to ask on the terminal */
    const char *what; /* shown in prompts, e.g. the identity's file name */
    int reported;     /* set when pass_ask already printed why it gave none */
} pass_source;

/* A shroud_passphrase_fn: reads the file, or prompts without echo. */
int pass_ask(void *ctx, const char *purpose, char *buf, size_t cap, size_t *len);

/* Gets a new passphrase: from the file, or prompted twice and compared.
 * Returns 0, or prints the problem and returns EXIT_FAILED. */
int pass_new(const pass_source *src, char *buf, size_t cap, size_t *len);

/* ---- keys (keys.c) ---- */

/* Loads an identity file; prints the problem and returns NULL on failure. */
shroud_identity *load_identity(const char *path, const char *passphrase_file);

/* The -i identities (paths[0..n_paths)), or when none is given and no
 * passphrase either, the default identity if it exists (else none: *n = 0).
 * Returns 0, or prints the problem and returns EXIT_FAILED. */
int load_identities(const char *const *paths, size_t n_paths, int passphrase, const char *pass_file,
                    shroud_identity **ids, size_t *n);

/* Parses one -r argument; prints the problem and returns NULL on failure. */
shroud_recipient *parse_recipient_arg(const char *text);

/* Loads every public key in a file (lines "shroudpk1...", '#' comments, and
 * PEM public key blocks) and appends them to list (capacity cap, count *n).
 * Returns 0, or prints the problem and returns EXIT_FAILED. */
int load_recipients_file(const char *path, shroud_recipient **list, size_t cap, size_t *n);

/* -k: the key itself, or a file holding it; prints the problem and returns
 * NULL on failure. */
shroud_recipient *load_public_key(const char *arg);

/* Formats a key id as 16 hex digits into out[17]. */
void format_key_id(const uint8_t id[SHROUD_KEY_ID_BYTES], char out[2 * SHROUD_KEY_ID_BYTES + 1]);

/* ---- JSON output (json.c) ---- */

/* Prints s as a JSON string (quotes included) on standard output. */
void json_print_string(const char *s);

/* ---- images (images.c) ---- */

/* 1 if the file starts like a PNG or a JPEG (its first bytes are read and the
 * file is not otherwise touched); 0 otherwise, also when it cannot be read. */
int file_is_image(const char *path);

/* Reads a whole image file ('-': standard input) of at most
 * SHROUD_IMAGE_MAX_FILE_BYTES. Returns 0, or prints the problem and returns
 * EXIT_FAILED. Free with free(). */
int read_image(const char *path, uint8_t **buf, size_t *len);

/* Writes an image atomically to path ('-' or NULL: standard output, refused
 * on a terminal). Returns 0, or prints the problem and returns EXIT_FAILED. */
int write_image(const char *path, int force, mode_t mode, const uint8_t *buf, size_t len);

/* Prints "shroud: FILE: <explanation of err for an image>"; returns EXIT_FAILED. */
int image_fail(const char *file, int err);

/* Explains why an image cannot be a steganography cover (JPEG, palette,
 * low bit depth, colour key) or other image errors, for hide/capacity or
 * (revealing) for reveal; returns EXIT_FAILED. */
int cover_fail(const char *file, int err, const uint8_t *buf, size_t len, int revealing);

/* The names used on the command line and in JSON. */
const char *style_name(int style);
const char *format_name(int format);

/* ---- cleanup on signals (signals.c) ---- */

/* While set, SIGINT/SIGTERM/SIGHUP remove this temporary file before exiting. */
void signals_track_tmp(const char *path);
/* While set, the signal handler restores this terminal state first. */
struct termios;
void signals_track_tty(int fd, const struct termios *saved);
void signals_install(void);

#endif
