/*
 * image_limits.h — the size limits every image reader enforces (internal).
 *
 * They keep a hostile file (a decompression bomb, a chunk claiming 2 GiB)
 * from exhausting memory: anything beyond them is refused with
 * SHROUD_ERR_IMAGE_LIMIT before the memory is allocated. docs/FORMAT.md
 * lists them.
 */
#ifndef SHROUD_IMAGE_LIMITS_H
#define SHROUD_IMAGE_LIMITS_H

#include "shroud.h"

#define IMAGE_MAX_DIMENSION SHROUD_IMAGE_MAX_DIMENSION   /* pixels per side */
#define IMAGE_MAX_PIXELS SHROUD_IMAGE_MAX_PIXELS         /* width * height: 64 Mi pixels */
#define IMAGE_MAX_FILE_BYTES SHROUD_IMAGE_MAX_FILE_BYTES /* a whole image file in memory */
#define IMAGE_MAX_METADATA_CHUNK (16u * 1024u * 1024u)   /* one kept PNG chunk / JPEG segment set */
#define IMAGE_MAX_METADATA_TOTAL (64u * 1024u * 1024u)   /* all kept metadata of one image */

#endif
