/*
 * test_metrics.c — the /metrics counters: per-status counts, 5xx errors,
 * the cumulative latency histogram (bucket edges included), uploads, and
 * counting from several threads at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server/metrics.h"
#include "testutil.h"

/* The value on the sample line that starts with line_start (not a HELP or
 * TYPE line: those start with '#'). */
static unsigned long value_of(const char *text, const char *line_start)
{
    for (const char *p = text; (p = strstr(p, line_start)) != NULL; p++)
        if (p == text || p[-1] == '\n' || p[-1] == '{' || p[-1] == ',')
            return strtoul(p + strlen(line_start), NULL, 10);
    fail_msg("no line %s", line_start);
    return 0;
}

static void test_counts_and_histogram(void **state)
{
    (void)state;
    metrics *m = calloc(1, sizeof *m);
    assert_non_null(m);
    metrics_request(m, 200, 0.0005, 0);
    metrics_request(m, 200, 0.001, 0); /* on an edge: counted in that bucket */
    metrics_request(m, 404, 0.02, 0);
    metrics_request(m, 503, 7.0, 1);
    metrics_upload(m);
    char *t = metrics_render(m);
    assert_non_null(t);
    assert_int_equal(value_of(t, "shroud_http_requests_total{code=\"200\"} "), 2);
    assert_int_equal(value_of(t, "shroud_http_requests_total{code=\"404\"} "), 1);
    assert_int_equal(value_of(t, "shroud_http_errors_total "), 1);
    assert_int_equal(value_of(t, "shroud_http_aborted_total "), 1);
    assert_int_equal(value_of(t, "le=\"0.001\"} "), 2);
    assert_int_equal(value_of(t, "le=\"0.025\"} "), 3);
    assert_int_equal(value_of(t, "le=\"5\"} "), 3);
    assert_int_equal(value_of(t, "le=\"+Inf\"} "), 4);
    assert_int_equal(value_of(t, "shroud_http_request_duration_seconds_count "), 4);
    assert_int_equal(value_of(t, "shroud_uploads_total "), 1);
    assert_null(strstr(t, "code=\"500\""));
    free(t);
    free(m);
}

#define THREADS 4
#define EACH 10000

static void *hammer(void *arg)
{
    for (int i = 0; i < EACH; i++)
        metrics_request(arg, 200, 0.01, 0);
    return NULL;
}

static void test_threads_lose_nothing(void **state)
{
    (void)state;
    metrics *m = calloc(1, sizeof *m);
    assert_non_null(m);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hammer, m), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    char *t = metrics_render(m);
    assert_non_null(t);
    assert_int_equal(value_of(t, "shroud_http_requests_total{code=\"200\"} "), THREADS * EACH);
    free(t);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_histogram),
        cmocka_unit_test(test_threads_lose_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
