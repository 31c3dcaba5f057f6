/*
 * blobs.h — image files stored by content (server layer).
 *
 * DIR/<id>, id = SHA-256 of the bytes in lowercase hex. A file appears
 * only complete: written to DIR/.tmp-*, fsynced, renamed, and the directory
 * fsynced, so a crash leaves either nothing or the whole file (and at most a
 * .tmp- file, removed at the next start).
 */
#ifndef SHROUD_SERVER_BLOBS_H
#define SHROUD_SERVER_BLOBS_H

#include <stddef.h>
#include <stdint.h>

#define BLOB_ID_CHARS 64

/* Creates dir (0700) if needed and removes leftover temporary files:
 * 0, or an errno. */
int blobs_open(const char *dir);
/* The id of data: SHA-256, lowercase hex. */
int blobs_id(const uint8_t *data, size_t len, char id[BLOB_ID_CHARS + 1]);
/* 1 if id is 64 lowercase hex digits. */
int blobs_valid_id(const char *id);
/* Stores data under id (replacing nothing if it is already there): 0 or an errno. */
int blobs_put(const char *dir, const char *id, const uint8_t *data, size_t len);
/* Opens the file of id for reading: a descriptor and its size, or -1. */
int blobs_open_file(const char *dir, const char *id, uint64_t *size);
/* Removes the file of id: 0 or an errno (ENOENT included). */
int blobs_remove(const char *dir, const char *id);

#endif
