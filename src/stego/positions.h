/*
 * positions.h — a keyed shuffle drawn lazily (internal).
 *
 * A Fisher-Yates shuffle of a list (the cells of cells.h), drawn lazily from the
 * front: draw i (0, 1, 2, ...) swaps entry i with entry i + below(n - i),
 * below() taken from the current keystream, and returns the new entry i.
 * Switching the keystream between draws (positions_rekey) is how the
 * passphrase mode puts its salt at public positions and the rest at secret
 * ones. Only as many entries as are drawn are shuffled.
 */
#ifndef SHROUD_STEGO_POSITIONS_H
#define SHROUD_STEGO_POSITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "stego/keystream.h"

typedef struct {
    uint32_t *order; /* a copy of the usable samples, shuffled from the front */
    size_t n;        /* entries */
    size_t drawn;    /* entries 0 .. drawn-1 are final */
    keystream ks;
    int keyed;
} positions;

/* Copies the list to shuffle; no keystream yet (positions_rekey first). */
int positions_init(positions *p, const uint32_t *list, size_t n);
/* The same for the list 0, 1, ..., n-1. */
int positions_init_identity(positions *p, size_t n);
/* Later draws come from keystream(key). */
int positions_rekey(positions *p, const uint8_t key[KEYSTREAM_KEY_BYTES]);
/* Draws k more positions; *out points at them (inside p->order), valid
 * until positions_free. SHROUD_ERR_CAPACITY if fewer than k remain. */
int positions_draw(positions *p, size_t k, const uint32_t **out);
void positions_free(positions *p);

#endif
