/*
 * sweeper.h — removes stored image bytes no gallery entry refers to
 * (server layer).
 *
 * An upload stores an image's bytes before its row; a delete removes the
 * row before the bytes (blobs.h). A crash in between leaves bytes nothing
 * lists: harmless, never served, but they take space. A sweeper thread
 * runs blobs_sweep at start and then every interval, with the store as the
 * judge of what is listed; several server processes may sweep one place.
 */
#ifndef SHROUD_SERVER_SWEEPER_H
#define SHROUD_SERVER_SWEEPER_H

#include <stdio.h>

#include "server/blobs.h"
#include "server/store.h"

#define SWEEPER_DEFAULT_INTERVAL_SECONDS 900

typedef struct sweeper sweeper;

/* Starts the thread: a sweep now, then one every interval_seconds, each
 * removing bytes unlisted for BLOBS_SWEEP_GRACE_SECONDS. What it removed
 * or failed to do is logged on log ("shroud serve: ..."). NULL when the
 * thread cannot start (then nothing sweeps; the server still works). */
sweeper *sweeper_start(store *db, blobs *images, unsigned interval_seconds, FILE *log);
/* Stops the thread (waiting for a sweep in progress) and frees it. */
void sweeper_stop(sweeper *s);

#endif
