/*
 * inspect.h — reading the redaction layout out of an image file (internal).
 */
#ifndef SHROUD_REDACT_INSPECT_H
#define SHROUD_REDACT_INSPECT_H

#include "image/embedded.h"
#include "redact/redactor.h"

/* Finds shroud's blocks and parses the layout when there is a record
 * (l->n_groups stays 0 otherwise). Free e and l also after an error. */
int image_read_layout(const uint8_t *image, size_t len, image_embedded *e, redaction_layout *l,
                      uint8_t layout_digest[REDACT_DIGEST_BYTES]);

/* An info for a decoded image and its layout (l may be NULL). */
int image_info_build(const decoded_image *d, const redaction_layout *l, shroud_image_info **out);

#endif
