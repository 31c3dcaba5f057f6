/* sweeper.c — the thread of sweeper.h. */
#include "server/sweeper.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sweeper {
    store *db;
    blobs *images;
    unsigned interval;
    FILE *log;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
};

/* blobs_listed_fn over the store: an image row with that id. */
static int listed_in_store(const char *id, void *arg)
{
    store_image img;
    int rc = store_image_get(arg, id, &img);
    return rc == STORE_OK ? 1 : rc == STORE_NOT_FOUND ? 0 : -1;
}

static void sweep_once(sweeper *s)
{
    size_t removed = 0;
    int e = blobs_sweep(s->images, BLOBS_SWEEP_GRACE_SECONDS, listed_in_store, s->db, &removed);
    if (removed)
        fprintf(s->log,
                "shroud serve: removed %zu stored image%s that no gallery entry refers to "
                "(left by an interrupted upload or delete)\n",
                removed, removed == 1 ? "" : "s");
    if (e)
        fprintf(s->log,
                "shroud serve: the sweep for unlisted images stopped: %s (next try in %u s)\n",
                e == EIO ? "the database failed" : strerror(e), s->interval);
    fflush(s->log);
}

static void *run(void *arg)
{
    sweeper *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->lock);
        sweep_once(s);
        pthread_mutex_lock(&s->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += s->interval;
        while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

sweeper *sweeper_start(store *db, blobs *images, unsigned interval_seconds, FILE *log)
{
    sweeper *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    *s = (sweeper){.db = db,
                   .images = images,
                   .interval = interval_seconds ? interval_seconds : 1,
                   .log = log};
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->thread, NULL, run, s) != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    return s;
}

void sweeper_stop(sweeper *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
