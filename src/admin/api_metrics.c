/*
 * api_metrics.c: GET /metrics in the Prometheus text format: the status
 * report of engine/report.h (links by kind and state, open errors by
 * category, inbox and outbox depth, the vendors' API usage and limits as
 * their headers last reported them, the Salesforce budget and the
 * suspensions in force) as gauges, then the process's counters and
 * histograms (core/metrics.h: records captured, planned and written, API
 * calls by vendor and result, request and pass latency). Called by
 * router.c.
 */
#include <stdio.h>
#include <string.h>

#include "admin/admin_int.h"
#include "core/json.h"
#include "core/metrics.h"
#include "engine/report.h"

#define METRICS_MAX_BYTES (1024 * 1024)

static void head(struct sync_buf *out, const char *name, const char *help)
{
    sync_buf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void gauges_render(const json_t *rep, struct sync_buf *out)
{
    const json_t *links = json_object_get(rep, "links"), *outbox = json_object_get(rep, "outbox");
    const char *kind, *k2;
    const json_t *v, *w;

    head(out, "crmsync_links", "links by kind and state");
    json_object_foreach((json_t *)links, kind, v)
    {
        json_object_foreach((json_t *)v, k2, w)
            sync_buf_addf(out, "crmsync_links{kind=\"%s\",state=\"%s\"} %lld\n", kind, k2,
                          (long long)json_integer_value(w));
    }
    head(out, "crmsync_errors_open", "open sync errors by category");
    json_object_foreach(json_object_get(rep, "errors"), kind, v) sync_buf_addf(
        out, "crmsync_errors_open{category=\"%s\"} %lld\n", kind, (long long)json_integer_value(v));
    head(out, "crmsync_inbox_waiting", "captured changes waiting to be planned, by object");
    json_object_foreach(json_object_get(json_object_get(rep, "inbox"), "by_object"), kind, v)
    {
        const char *sp = strchr(kind, ' ');
        if (sp)
            sync_buf_addf(out, "crmsync_inbox_waiting{system=\"%.*s\",object=\"%s\"} %lld\n",
                          (int)(sp - kind), kind, sp + 1, (long long)json_integer_value(v));
    }
    head(out, "crmsync_outbox_waiting", "planned writes waiting to be sent, by state");
    sync_buf_addf(out, "crmsync_outbox_waiting{state=\"waiting\"} %lld\n",
                  (long long)sync_json_int(outbox, "waiting", 0));
    sync_buf_addf(out, "crmsync_outbox_waiting{state=\"claimed\"} %lld\n",
                  (long long)sync_json_int(outbox, "claimed", 0));
    head(out, "crmsync_api_used", "API calls used as the vendor last reported (window: metric)");
    head(out, "crmsync_api_limit", "the vendor's API limit for the window");
    json_object_foreach(json_object_get(rep, "api_usage"), kind, v)
    {
        json_object_foreach((json_t *)v, k2, w)
        {
            sync_buf_addf(out, "crmsync_api_used{vendor=\"%s\",window=\"%s\"} %lld\n", kind, k2,
                          (long long)sync_json_int(w, "used", 0));
            sync_buf_addf(out, "crmsync_api_limit{vendor=\"%s\",window=\"%s\"} %lld\n", kind, k2,
                          (long long)sync_json_int(w, "limit", 0));
        }
    }
}

/* The Salesforce API budget (engine/budget.h): crmsync's calls in the rolling 24 hours, its
 * allocation, whether retries are suppressed, and each open suspension. */
static void budget_render(const json_t *rep, struct sync_buf *out)
{
    const json_t *b = json_object_get(rep, "budget"), *s;
    size_t i;

    if (!b)
        return;
    head(out, "crmsync_budget_used_24h",
         "Salesforce calls crmsync made in the rolling last 24 hours (its own count)");
    sync_buf_addf(out, "crmsync_budget_used_24h{vendor=\"salesforce\"} %lld\n",
                  (long long)sync_json_int(b, "used_24h", 0));
    head(out, "crmsync_budget_allocation", "the calls per 24 hours allocated to crmsync");
    sync_buf_addf(out, "crmsync_budget_allocation{vendor=\"salesforce\"} %lld\n",
                  (long long)sync_json_int(b, "allocation", 0));
    head(out, "crmsync_budget_retries_suppressed",
         "1 while automatic retries are suppressed (above 75% of the allocation)");
    sync_buf_addf(out, "crmsync_budget_retries_suppressed{vendor=\"salesforce\"} %d\n",
                  sync_json_bool(b, "retries_suppressed", 0));
    head(out, "crmsync_suspended", "1 for each integration-level suspension in force, by kind");
    json_array_foreach(json_object_get(b, "suspensions"), i, s)
        sync_buf_addf(out, "crmsync_suspended{kind=\"%s\"} 1\n", sync_json_str(s, "kind"));
}

void api_metrics(struct admin_req *r)
{
    struct sync_buf out = SYNC_BUF_INIT(METRICS_MAX_BYTES);
    struct sync_err err = SYNC_ERR_INIT;
    json_t *rep = NULL;

    if (sync_report_status(r->st, r->cfg, &rep, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    gauges_render(rep, &out);
    budget_render(rep, &out);
    json_decref(rep);
    if (sync_metrics_render(&out)) {
        sync_buf_release(&out);
        admin_reply_error(r, 500, "internal", "the metrics do not fit in %d bytes",
                          METRICS_MAX_BYTES);
        return;
    }
    admin_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", sync_buf_str(&out));
    sync_buf_release(&out);
}
