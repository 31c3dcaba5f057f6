/*
 * armor.h — PEM-style text armor: "-----BEGIN <LABEL>-----", base64 lines of
 * exactly 64 characters (the last one 1..64), "-----END <LABEL>-----".
 *
 * The reader is strict about the body (canonical base64, padding only at the
 * very end, every line but the last full) and lenient about the frame:
 * white space around the block and CRLF line ends are accepted. Both
 * directions stream in constant memory.
 */
#ifndef SHROUD_CRYPTO_ARMOR_H
#define SHROUD_CRYPTO_ARMOR_H

#include <stddef.h>
#include <stdint.h>

#include "shroud.h"

#define ARMOR_LINE_CHARS 64
#define ARMOR_LINE_BYTES 48
#define ARMOR_LABEL_MESSAGE "SHROUD MESSAGE"
#define ARMOR_LABEL_SIGNATURE "SHROUD SIGNATURE"
#define ARMOR_MAX_LABEL 32

typedef struct armor_writer armor_writer;
typedef struct armor_reader armor_reader;

int armor_writer_new(armor_writer **out, const char *label, shroud_write_fn write, void *wctx);
int armor_writer_write(armor_writer *a, const uint8_t *buf, size_t len);
int armor_writer_finish(armor_writer *a);
void armor_writer_free(armor_writer *a);

/* Decoded bytes go to write. Errors: SHROUD_ERR_ARMOR (malformed),
 * SHROUD_ERR_TRUNCATED (no END line), SHROUD_ERR_TRAILING (text after END). */
int armor_reader_new(armor_reader **out, const char *label, shroud_write_fn write, void *wctx);
int armor_reader_write(armor_reader *a, const uint8_t *buf, size_t len);
int armor_reader_finish(armor_reader *a);
void armor_reader_free(armor_reader *a);

/* One-shot forms. Free *out with free(). */
int armor_encode(const char *label, const uint8_t *data, size_t len, char **out, size_t *out_len);
int armor_decode(const char *label, const char *text, size_t len, uint8_t **out, size_t *out_len);

/* 1 if text (after leading white space) starts with the BEGIN line of label. */
int armor_detect(const char *label, const uint8_t *text, size_t len);

#endif
