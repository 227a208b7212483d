/*
 * report.c: the status report of report.h, read from the store. Called by
 * cmd_status.c, cmd_demo.c and the admin API.
 */
#include "engine/report.h"

#include <stdio.h>

#include "core/json.h"
#include "core/time.h"
#include "engine/budget.h"
#include "engine/runtime.h"
#include "store/store.h"

static enum sync_rc count_link(void *ctx, const struct sync_link *l)
{
    json_t *by_kind = ctx, *k = json_object_get(by_kind, l->kind);
    const char *state = sync_link_state_name(l->state);

    if (!k) {
        k = json_object();
        json_object_set_new(by_kind, l->kind, k);
    }
    json_object_set_new(k, state, json_integer(sync_json_int(k, state, 0) + 1));
    return SYNC_OK;
}

/* The inbox: {"waiting": total, "by_object": {"<system> <object>": n}}. */
static enum sync_rc count_inbox(void *ctx, const char *system, const char *object, int64_t n)
{
    json_t *inbox = ctx;
    char key[128];

    snprintf(key, sizeof(key), "%s %s", system, object);
    json_object_set_new(json_object_get(inbox, "by_object"), key, json_integer(n));
    json_object_set_new(inbox, "waiting", json_integer(sync_json_int(inbox, "waiting", 0) + n));
    return SYNC_OK;
}

static enum sync_rc count_errors(void *ctx, const char *category, int64_t open)
{
    json_object_set_new(ctx, category, json_integer(open));
    return SYNC_OK;
}

static void usage_collect(struct sync_store *st, json_t *usage)
{
    static const char *const metrics[] = {"daily", "10s"};

    for (int v = 0; v < 2; v++) {
        const char *vendor = v ? "salesforce" : "hubspot";
        json_t *m = json_object();
        json_object_set_new(usage, vendor, m);
        for (int k = 0; k < 2; k++) {
            struct sync_api_usage u;
            struct sync_err uerr = SYNC_ERR_INIT;
            if (sync_store_api_usage_get(st, vendor, metrics[k], &u, &uerr) != SYNC_OK)
                continue;
            json_object_set_new(m, metrics[k],
                                json_pack("{s:I, s:I, s:I}", "used", (json_int_t)u.used, "limit",
                                          (json_int_t)u.quota, "reported_at",
                                          (json_int_t)u.reported_at));
        }
    }
}

/* Links, pending work, open errors and API usage. */
static enum sync_rc work_collect(struct sync_store *st, json_t *out, struct sync_err *err)
{
    json_t *links = json_object(), *errors = json_object(), *usage = json_object();
    struct sync_link_query q = {NULL, -1, NULL, 0};
    struct sync_outbox_stats os;
    json_t *inbox = json_pack("{s:i, s:{}}", "waiting", 0, "by_object");
    enum sync_rc rc;

    json_object_set_new(out, "links", links);
    json_object_set_new(out, "errors", errors);
    json_object_set_new(out, "api_usage", usage);
    if ((rc = sync_store_link_list(st, &q, count_link, links, err)))
        return rc;
    json_object_set_new(out, "inbox", inbox);
    if ((rc = sync_store_inbox_count(st, count_inbox, inbox, err)))
        return rc;
    if ((rc = sync_store_outbox_stats(st, &os, err)))
        return rc;
    json_object_set_new(out, "outbox",
                        json_pack("{s:I, s:I, s:I}", "waiting", (json_int_t)os.waiting, "claimed",
                                  (json_int_t)os.claimed, "next_attempt_at",
                                  (json_int_t)os.next_attempt_at));
    if ((rc = sync_store_error_counts(st, count_errors, errors, err)))
        return rc;
    usage_collect(st, usage);
    return SYNC_OK;
}

enum sync_rc sync_report_status(struct sync_store *st, const struct sync_config *cfg, json_t **out,
                                struct sync_err *err)
{
    struct sync_store_info info;
    struct sync_settings live;
    json_t *r = json_object(), *budget = NULL;
    enum sync_rc rc;

    *out = NULL;
    if (!r || sync_settings_init(&live)) {
        json_decref(r);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    rc = sync_store_info(st, &info, err);
    if (rc == SYNC_OK)
        rc = sync_runtime_settings_load(st, &cfg->settings, &live, err);
    if (rc == SYNC_OK) {
        json_object_set_new(r, "version", json_string(CRMSYNC_VERSION));
        json_object_set_new(r, "store",
                            json_pack("{s:s, s:i, s:i}", "backend", info.backend, "schema_version",
                                      info.schema_version, "schema_latest", info.schema_latest));
        json_object_set_new(r, "sync", json_boolean(sync_settings_int(&live, SYNC_SETTING_SYNC)));
        rc = work_collect(st, r, err);
    }
    if (rc == SYNC_OK &&
        (rc = sync_budget_status(st, &live, sync_time_now_ms(), &budget, err)) == SYNC_OK)
        json_object_set_new(r, "budget", budget);
    sync_settings_release(&live);
    if (rc)
        json_decref(r);
    else
        *out = r;
    return rc;
}
