/*
 * big_buffer.h — image-sized buffers that fault in fewer pages (internal).
 *
 * A 1080p image passes through several buffers of 4 to 6 MB (compressed
 * data, rows, pixels, filtered rows). Touching a fresh one costs a page
 * fault per 4 KiB page, which for a whole hide or reveal is a fifth of its
 * time. On Linux, buffers of BIG_BUFFER_MIN bytes and more are marked for
 * transparent huge pages (madvise MADV_HUGEPAGE: 2 MiB pages where the
 * kernel allows them, a no-op where it does not); they are aligned to, and
 * rounded up to, whole 2 MiB pages so that all of a buffer can be huge
 * pages (up to 2 MiB more address space each, touched only if used). Free
 * with free(); realloc works but may lose the alignment.
 */
#ifndef SHROUD_IMAGE_BIG_BUFFER_H
#define SHROUD_IMAGE_BIG_BUFFER_H

#include <stddef.h>

#define BIG_BUFFER_MIN (1024u * 1024u)

/* malloc(n) (n = 0 gives a 1-byte buffer), marked as above. */
void *big_buffer_alloc(size_t n);

#endif
