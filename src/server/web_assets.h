/*
 * web_assets.h — the web UI's files, embedded in the binary at build time
 * (server layer). cmake/embed_web.cmake writes the table from web/index.html,
 * web/assets/ and the @noble/hashes modules; routes_web.c serves it.
 */
#ifndef SHROUD_SERVER_WEB_ASSETS_H
#define SHROUD_SERVER_WEB_ASSETS_H

#include <stddef.h>

/* One file: its URL path ("/" for index.html, "/assets/..." for the rest),
 * media type, bytes and strong ETag (quoted: the first 128 bits of the
 * content's SHA-256 in hex). */
typedef struct {
    const char *path;
    const char *content_type;
    const unsigned char *data;
    size_t size;
    const char *etag;
} web_asset;

extern const web_asset web_assets[];
extern const size_t web_assets_count;

#endif
