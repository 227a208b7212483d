/*
 * api_mappings.c: the field mappings in force over the admin API, and
 * their rules changed at run time (runtime.h): list, set one mapping's
 * rule, drop the override. Called by router.c.
 */
#include <string.h>

#include "admin/admin_int.h"
#include "core/json.h"
#include "engine/runtime.h"

void api_mappings_list(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;

    if (sync_runtime_mappings_json(r->st, r->cfg, &out, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, 200, json_pack("{s:o}", "mappings", out));
}

/* The mapping (kind, hubspot) as it is in force now. */
static void reply_mapping(struct admin_req *r, const char *kind, const char *prop)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *all = NULL, *m;
    size_t i;

    if (sync_runtime_mappings_json(r->st, r->cfg, &all, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    json_array_foreach(all, i, m)
    {
        if (strcmp(sync_json_str(m, "kind"), kind) == 0 &&
            strcmp(sync_json_str(m, "hubspot"), prop) == 0) {
            admin_reply_json(r, 200, json_incref(m));
            json_decref(all);
            return;
        }
    }
    json_decref(all);
    admin_reply_error(r, 404, "not_found", "no %s mapping of HubSpot property '%s'", kind, prop);
}

void api_mapping_rule_put(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    const char *kind = admin_param(r, "kind"), *prop = admin_param(r, "hubspot");
    const char *rule = sync_json_str(r->body, "rule");

    if (!rule) {
        admin_reply_error(r, 400, "bad_request",
                          "the body must be {\"rule\": \"two_way\"} (or "
                          "another rule)");
        return;
    }
    if (sync_runtime_rule_set(r->st, r->cfg, kind, prop, rule, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    admin_wake(r);
    reply_mapping(r, kind, prop);
}

void api_mapping_rule_reset(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    const char *kind = admin_param(r, "kind"), *prop = admin_param(r, "hubspot");

    if (sync_runtime_rule_reset(r->st, r->cfg, kind, prop, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    admin_wake(r);
    reply_mapping(r, kind, prop);
}
