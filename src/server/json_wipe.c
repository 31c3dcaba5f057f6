/* json_wipe.c — a jansson allocator that wipes what it frees. */
#include "server/json_wipe.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"

#define HEADER 16 /* the size, in front of the block; keeps malloc's alignment */

static void *wipe_malloc(size_t n)
{
    if (n > SIZE_MAX - HEADER)
        return NULL;
    unsigned char *p = malloc(n + HEADER);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    return p + HEADER;
}

void json_wipe_free(void *ptr)
{
    if (!ptr)
        return;
    unsigned char *p = (unsigned char *)ptr - HEADER;
    size_t n;
    memcpy(&n, p, sizeof n);
    prim_wipe(ptr, n);
    free(p);
}

void json_wipe_install(void)
{
    json_set_alloc_funcs(wipe_malloc, json_wipe_free);
}
