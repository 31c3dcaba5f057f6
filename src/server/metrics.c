/* metrics.c — request counters, a latency histogram, and their text form. */
#include "server/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bounds[METRICS_BUCKETS - 1] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                   0.25,  0.5,   1,    2.5,   5};

void metrics_request(metrics *m, unsigned status, double seconds, int aborted)
{
    if (status < 600)
        atomic_fetch_add(&m->by_status[status], 1);
    if (aborted)
        atomic_fetch_add(&m->aborted, 1);
    size_t b = 0;
    while (b < METRICS_BUCKETS - 1 && seconds > bounds[b])
        b++;
    atomic_fetch_add(&m->latency[b], 1); /* cumulated when rendered */
    atomic_fetch_add(&m->latency_sum_us, (unsigned long long)(seconds * 1e6));
}

void metrics_upload(metrics *m)
{
    atomic_fetch_add(&m->uploads, 1);
}

/* Appends to a growing buffer; returns 0, or -1 when out of memory. */
static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return 0;
        }
        char *grown = realloc(*buf, *cap * 2);
        if (!grown)
            return -1;
        *buf = grown;
        *cap *= 2;
    }
}

char *metrics_render(metrics *m)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    int bad = append(&buf, &len, &cap,
                     "# HELP shroud_http_requests_total HTTP requests answered, by status code.\n"
                     "# TYPE shroud_http_requests_total counter\n");
    unsigned long errors = 0;
    for (unsigned s = 100; s < 600 && !bad; s++) {
        unsigned long n = atomic_load(&m->by_status[s]);
        if (s >= 500)
            errors += n;
        if (n)
            bad = append(&buf, &len, &cap, "shroud_http_requests_total{code=\"%u\"} %lu\n", s, n);
    }
    bad = bad || append(&buf, &len, &cap,
                        "# HELP shroud_http_errors_total Requests answered with a 5xx status.\n"
                        "# TYPE shroud_http_errors_total counter\n"
                        "shroud_http_errors_total %lu\n"
                        "# HELP shroud_http_aborted_total Connections closed before the answer "
                        "was sent.\n"
                        "# TYPE shroud_http_aborted_total counter\n"
                        "shroud_http_aborted_total %lu\n"
                        "# HELP shroud_http_request_duration_seconds From the request's headers "
                        "to the answer sent.\n"
                        "# TYPE shroud_http_request_duration_seconds histogram\n",
                        errors, atomic_load(&m->aborted));
    unsigned long cumulated = 0;
    for (size_t b = 0; b < METRICS_BUCKETS && !bad; b++) {
        cumulated += atomic_load(&m->latency[b]);
        if (b < METRICS_BUCKETS - 1)
            bad = append(&buf, &len, &cap,
                         "shroud_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n", bounds[b],
                         cumulated);
        else
            bad =
                append(&buf, &len, &cap,
                       "shroud_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cumulated);
    }
    bad = bad || append(&buf, &len, &cap,
                        "shroud_http_request_duration_seconds_sum %.6f\n"
                        "shroud_http_request_duration_seconds_count %lu\n"
                        "# HELP shroud_uploads_total Images stored by uploads.\n"
                        "# TYPE shroud_uploads_total counter\n"
                        "shroud_uploads_total %lu\n",
                        (double)atomic_load(&m->latency_sum_us) / 1e6, cumulated,
                        atomic_load(&m->uploads));
    if (bad) {
        free(buf);
        return NULL;
    }
    return buf;
}
