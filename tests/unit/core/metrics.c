/* Tests src/core/metrics.c: counters add up per label set, histograms count into cumulative
 * buckets with a sum and a count, the text is Prometheus's (HELP and TYPE once per metric), and
 * the registry is bounded. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/metrics.h"

static char text[1 << 16];

static const char *render(void)
{
    struct sync_buf b = SYNC_BUF_INIT(1 << 16);
    cr_assert_eq(sync_metrics_render(&b), SYNC_OK);
    snprintf(text, sizeof(text), "%s", sync_buf_str(&b));
    sync_buf_release(&b);
    return text;
}

static void has(const char *needle)
{
    cr_assert(strstr(text, needle), "no \"%s\" in:\n%s", needle, text);
}

Test(metrics, counters_add_up_per_label_set_under_one_help_and_type)
{
    sync_metrics_reset();
    sync_metrics_count("crmsync_writes_total", "vendor=\"hubspot\"", 2, "writes");
    sync_metrics_count("crmsync_writes_total", "vendor=\"salesforce\"", 1, "writes");
    sync_metrics_count("crmsync_writes_total", "vendor=\"hubspot\"", 3, "ignored later help");
    sync_metrics_count("crmsync_captured_total", NULL, 7, "captured");
    render();
    has("# HELP crmsync_writes_total writes\n# TYPE crmsync_writes_total counter\n"
        "crmsync_writes_total{vendor=\"hubspot\"} 5\ncrmsync_writes_total{vendor=\"salesforce\"} "
        "1\n");
    has("crmsync_captured_total 7\n");
    cr_assert_null(strstr(strstr(text, "crmsync_writes_total{"), "# TYPE crmsync_writes_total"),
                   "one TYPE line per metric");
}

Test(metrics, histograms_count_into_cumulative_buckets_with_sum_and_count)
{
    sync_metrics_reset();
    sync_metrics_observe("crmsync_pass_seconds", NULL, 0.003, "pass");
    sync_metrics_observe("crmsync_pass_seconds", NULL, 0.2, "pass");
    sync_metrics_observe("crmsync_pass_seconds", NULL, 1000, "pass");
    render();
    has("# TYPE crmsync_pass_seconds histogram\n");
    has("crmsync_pass_seconds_bucket{le=\"0.005\"} 1\n");
    has("crmsync_pass_seconds_bucket{le=\"0.25\"} 2\n");
    has("crmsync_pass_seconds_bucket{le=\"300\"} 2\n");
    has("crmsync_pass_seconds_bucket{le=\"+Inf\"} 3\n");
    has("crmsync_pass_seconds_sum 1000.203");
    has("crmsync_pass_seconds_count 3\n");
}

Test(metrics, the_registry_is_bounded_and_says_what_it_dropped)
{
    char labels[32];

    sync_metrics_reset();
    for (int i = 0; i < SYNC_METRICS_MAX + 5; i++) {
        snprintf(labels, sizeof(labels), "n=\"%d\"", i);
        sync_metrics_count("crmsync_many_total", labels, 1, "many");
    }
    render();
    has("crmsync_many_total{n=\"0\"} 1\n");
    cr_assert_null(strstr(text, "{n=\"256\"}"));
    has("crmsync_metrics_dropped_total 5\n");
}
