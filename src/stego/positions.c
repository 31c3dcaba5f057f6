/* positions.c — lazy keyed Fisher-Yates over the usable samples. */
#include "stego/positions.h"

#include <stdlib.h>
#include <string.h>

#include "shroud.h"

int positions_init(positions *p, const uint32_t *usable, size_t n)
{
    memset(p, 0, sizeof *p);
    p->order = malloc((n ? n : 1) * sizeof *p->order);
    if (!p->order)
        return SHROUD_ERR_NOMEM;
    if (n)
        memcpy(p->order, usable, n * sizeof *usable);
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

int positions_draw(positions *p, size_t k, const uint32_t **out)
{
    if (!p->keyed)
        return SHROUD_ERR_STATE;
    if (k > p->n - p->drawn)
        return SHROUD_ERR_CAPACITY;
    uint32_t *order = p->order;
    size_t end = p->drawn + k;
    for (size_t i = p->drawn; i < end; i++) {
        uint32_t r;
        int err = keystream_below(&p->ks, (uint32_t)(p->n - i), &r);
        if (err)
            return err;
        size_t j = i + r;
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
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
