/*
 * api_metrics.c: GET /metrics in the Prometheus text format: what the
 * store says now (links by kind and state, open errors by category, inbox
 * and outbox depth, the vendors' API usage and limits as their headers
 * last reported them) as gauges, then the process's counters and
 * histograms (core/metrics.h: records captured and written, pass and
 * write latency). Called by router.c.
 */
#include <stdio.h>
#include <string.h>

#include "admin/admin_int.h"
#include "core/metrics.h"
#include "store/store.h"

#define METRICS_MAX_BYTES (1024 * 1024)

struct gauges {
    struct sync_buf *out;
    json_t *links; /* "kind\tstate" -> count */
};

static enum sync_rc count_link(void *ctx, const struct sync_link *l)
{
    struct gauges *g = ctx;
    char key[96];

    snprintf(key, sizeof(key), "kind=\"%s\",state=\"%s\"", l->kind, sync_link_state_name(l->state));
    json_object_set_new(g->links, key,
                        json_integer(json_integer_value(json_object_get(g->links, key)) + 1));
    return SYNC_OK;
}

static enum sync_rc error_line(void *ctx, const char *category, int64_t open)
{
    struct gauges *g = ctx;
    return sync_buf_addf(g->out, "crmsync_errors_open{category=\"%s\"} %lld\n", category,
                         (long long)open);
}

static enum sync_rc count_change(void *ctx, const struct sync_change *c)
{
    (void)c;
    ++*(size_t *)ctx;
    return SYNC_OK;
}

static void head(struct sync_buf *out, const char *name, const char *help)
{
    sync_buf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static enum sync_rc usage_lines(struct admin_req *r, struct sync_buf *out)
{
    static const char *const vendors[] = {"hubspot", "salesforce"}, *const metrics[] = {"daily",
                                                                                        "10s"};

    head(out, "crmsync_api_used", "API calls used as the vendor last reported (window: metric)");
    head(out, "crmsync_api_limit", "the vendor's API limit for the window");
    for (int v = 0; v < 2; v++)
        for (int k = 0; k < 2; k++) {
            struct sync_api_usage u;
            struct sync_err uerr = SYNC_ERR_INIT;
            if (sync_store_api_usage_get(r->st, vendors[v], metrics[k], &u, &uerr) != SYNC_OK)
                continue;
            sync_buf_addf(out, "crmsync_api_used{vendor=\"%s\",window=\"%s\"} %lld\n", vendors[v],
                          metrics[k], (long long)u.used);
            sync_buf_addf(out, "crmsync_api_limit{vendor=\"%s\",window=\"%s\"} %lld\n", vendors[v],
                          metrics[k], (long long)u.quota);
        }
    return SYNC_OK;
}

static enum sync_rc gauges_render(struct admin_req *r, struct sync_buf *out, struct sync_err *err)
{
    struct gauges g = {out, json_object()};
    struct sync_link_query q = {NULL, -1, NULL, 0};
    struct sync_outbox_stats os;
    size_t inbox = 0;
    const char *key;
    json_t *v;
    enum sync_rc rc = sync_store_link_list(r->st, &q, count_link, &g, err);

    head(out, "crmsync_links", "links by kind and state");
    json_object_foreach(g.links, key, v)
        sync_buf_addf(out, "crmsync_links{%s} %lld\n", key, (long long)json_integer_value(v));
    json_decref(g.links);
    head(out, "crmsync_errors_open", "open sync errors by category");
    if (rc == SYNC_OK)
        rc = sync_store_error_counts(r->st, error_line, &g, err);
    if (rc == SYNC_OK)
        rc = sync_store_inbox_take(r->st, SYNC_STORE_BATCH_MAX, count_change, &inbox, err);
    if (rc == SYNC_OK)
        rc = sync_store_outbox_stats(r->st, &os, err);
    if (rc)
        return rc;
    head(out, "crmsync_inbox_waiting", "captured changes waiting to be planned (capped at 1000)");
    sync_buf_addf(out, "crmsync_inbox_waiting %zu\n", inbox);
    head(out, "crmsync_outbox_waiting", "planned writes waiting to be sent, by state");
    sync_buf_addf(out, "crmsync_outbox_waiting{state=\"waiting\"} %lld\n", (long long)os.waiting);
    sync_buf_addf(out, "crmsync_outbox_waiting{state=\"claimed\"} %lld\n", (long long)os.claimed);
    return usage_lines(r, out);
}

void api_metrics(struct admin_req *r)
{
    struct sync_buf out = SYNC_BUF_INIT(METRICS_MAX_BYTES);
    struct sync_err err = SYNC_ERR_INIT;

    if (gauges_render(r, &out, &err)) {
        sync_buf_release(&out);
        admin_reply_err(r, &err);
        return;
    }
    if (sync_metrics_render(&out)) {
        sync_buf_release(&out);
        admin_reply_error(r, 500, "internal", "the metrics do not fit in %d bytes",
                          METRICS_MAX_BYTES);
        return;
    }
    admin_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", sync_buf_str(&out));
    sync_buf_release(&out);
}
