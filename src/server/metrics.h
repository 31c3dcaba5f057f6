/*
 * metrics.h — counters for /metrics, in the Prometheus text format
 * (server layer). Updated from every worker thread with atomics.
 */
#ifndef SHROUD_SERVER_METRICS_H
#define SHROUD_SERVER_METRICS_H

#include <stdatomic.h>
#include <stddef.h>

#define METRICS_BUCKETS 12 /* latency histogram upper bounds, +Inf last */

typedef struct {
    atomic_ulong by_status[600]; /* requests answered, by status code */
    atomic_ulong latency[METRICS_BUCKETS];
    atomic_ullong latency_sum_us; /* microseconds */
    atomic_ulong uploads;         /* images stored */
    atomic_ulong aborted;         /* connections closed before the answer went out */
} metrics;

void metrics_request(metrics *m, unsigned status, double seconds, int aborted);
void metrics_upload(metrics *m);
/* The text exposition (free with free()), or NULL when out of memory. */
char *metrics_render(metrics *m);

#endif
