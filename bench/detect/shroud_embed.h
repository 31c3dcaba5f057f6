/*
 * shroud_embed.h — the "shroud" rows: shroud_stego_hide at a target rate.
 * Built without libshroud (no DETECT_WITH_SHROUD), every call says it is
 * unavailable and the report leaves the shroud rows out.
 */
#ifndef DETECT_SHROUD_EMBED_H
#define DETECT_SHROUD_EMBED_H

#include <stddef.h>

#include "images.h"

typedef struct {
    double bits_per_usable; /* stats.bits_per_sample: stream bits / usable samples */
    double bits_per_sample; /* stream bits / all samples of the tile */
    size_t usable, changed; /* stats.usable_samples, stats.changed_samples */
    size_t changed_seen;    /* samples that differ between cover and decoded stego */
    size_t bad_changes;     /* of those, changes other than +-1 or on 0 / 255 */
} shroud_hide_info;

/* Makes the identity the messages are sealed to. 0 when the library is
 * there; else -1 with the reason in why. */
int shroud_bench_init(char *why, size_t len);
/* Hides a random message in the PNG of `tile`, its stream (envelope,
 * length) as close to rate * usable_samples bits as possible without going
 * over, and decodes the output PNG into *stego. 0 on success. */
int shroud_bench_hide(const image8 *tile, double rate, image8 *stego, shroud_hide_info *info,
                      char *err, size_t errlen);
void shroud_bench_done(void);

#endif
