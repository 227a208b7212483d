/*
 * api_budget.c: the Salesforce API budget and the integration's
 * suspensions (engine/budget.h): GET /api/v1/budget, and
 * POST /api/v1/suspensions/clear with {"kind": K} (absent: every one),
 * after which the engine tries Salesforce again at once. Called by
 * router.c.
 */
#include "admin/admin_int.h"
#include "core/time.h"
#include "engine/budget.h"
#include "engine/runtime.h"

void api_budget(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_settings live;
    json_t *out = NULL;

    if (sync_settings_init(&live)) {
        admin_reply_error(r, 500, "internal", "out of memory");
        return;
    }
    if (sync_runtime_settings_load(r->st, &r->cfg->settings, &live, &err) ||
        sync_budget_status(r->st, &live, sync_time_now_ms(), &out, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, 200, out);
    sync_settings_release(&live);
}

void api_suspensions_clear(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    const json_t *k = json_object_get(r->body, "kind");
    const char *kind = json_string_value(k);
    int64_t cleared = 0;

    if ((k && !kind) || (kind && sync_suspension_kind_find(kind) < 0)) {
        admin_reply_error(r, 400, "bad_request",
                          "kind must be one of allocation, api_limit, api_disabled, "
                          "object_permissions, unknown (or left out for every one)");
        return;
    }
    if (sync_budget_clear(r->st, kind, &cleared, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    admin_wake(r);
    admin_reply_json(r, 200, json_pack("{s:I}", "cleared", (json_int_t)cleared));
}
