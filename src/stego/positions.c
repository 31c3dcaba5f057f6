/* positions.c — lazy keyed Fisher-Yates over the usable samples. */
#include "stego/positions.h"

#include <stdlib.h>
#include <string.h>

#include "shroud.h"

int positions_init(positions *p, const uint32_t *list, size_t n)
{
    memset(p, 0, sizeof *p);
    p->order = malloc((n ? n : 1) * sizeof *p->order);
    if (!p->order)
        return SHROUD_ERR_NOMEM;
    if (n)
        memcpy(p->order, list, n * sizeof *list);
    p->n = n;
    return SHROUD_OK;
}

int positions_init_identity(positions *p, size_t n)
{
    memset(p, 0, sizeof *p);
    if (n > UINT32_MAX)
        return SHROUD_ERR_LIMIT;
    p->order = malloc((n ? n : 1) * sizeof *p->order);
    if (!p->order)
        return SHROUD_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        p->order[i] = (uint32_t)i;
    p->n = n;
    return SHROUD_OK;
}

int positions_rekey(positions *p, const uint8_t key[KEYSTREAM_KEY_BYTES])
{
    if (p->keyed)
        keystream_free(&p->ks);
    p->keyed = 0;
    int err = keystream_init(&p->ks, key);
    if (err)
        return err;
    p->keyed = 1;
    return SHROUD_OK;
}

/* Draws are made in batches: the swap partners of a whole batch come from
 * the keystream first (they do not depend on the array) and are prefetched,
 * so the cache misses of a 4-byte-per-sample array much larger than the
 * caches overlap instead of following one another. The swaps themselves
 * stay in order, so the result is the plain sequential shuffle. */
#define DRAW_BATCH 64

int positions_draw(positions *p, size_t k, const uint32_t **out)
{
    if (!p->keyed)
        return SHROUD_ERR_STATE;
    if (k > p->n - p->drawn)
        return SHROUD_ERR_CAPACITY;
    uint32_t *order = p->order;
    size_t end = p->drawn + k;
    for (size_t i = p->drawn; i < end;) {
        size_t batch = end - i < DRAW_BATCH ? end - i : DRAW_BATCH;
        size_t partner[DRAW_BATCH];
        for (size_t b = 0; b < batch; b++) {
            uint32_t r;
            int err = keystream_below(&p->ks, (uint32_t)(p->n - (i + b)), &r);
            if (err)
                return err;
            partner[b] = i + b + r;
            __builtin_prefetch(order + partner[b], 1);
        }
        for (size_t b = 0; b < batch; b++, i++) {
            uint32_t t = order[i];
            order[i] = order[partner[b]];
            order[partner[b]] = t;
        }
    }
    *out = order + p->drawn;
    p->drawn = end;
    return SHROUD_OK;
}

void positions_free(positions *p)
{
    if (!p)
        return;
    if (p->keyed)
        keystream_free(&p->ks);
    free(p->order);
    memset(p, 0, sizeof *p);
}
