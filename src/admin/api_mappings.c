/*
 * api_mappings.c: the field mappings in force over the admin API, and
 * changed at run time (runtime.h): list; add a user mapping, re-point it
 * or change its rule, remove it; set a mapping's rule and drop that
 * override. Adding and re-pointing check the property and fields against
 * the vendors' describes (mapdescribe.h), so those routes get a store
 * handle of their own (router.c). Called by router.c.
 */
#include <string.h>

#include "admin/admin_int.h"
#include "core/json.h"
#include "engine/mapdescribe.h"
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

/* The mapping (kind, hubspot) as it is in force now (a new reference), or NULL. */
static json_t *mapping_now(struct admin_req *r, const char *kind, const char *prop,
                           struct sync_err *err)
{
    enum sync_kind want, have;
    json_t *all = NULL, *m, *found = NULL;
    size_t i;

    if (sync_runtime_mappings_json(r->st, r->cfg, &all, err))
        return NULL;
    json_array_foreach(all, i, m)
    {
        if (!found && sync_kind_parse(kind, &want) == 0 &&
            sync_kind_parse(sync_json_str(m, "kind"), &have) == 0 && want == have &&
            strcmp(sync_json_str(m, "hubspot"), prop) == 0)
            found = json_incref(m);
    }
    json_decref(all);
    if (!found)
        sync_err_set(err, SYNC_ERR_NOT_FOUND, "no %s mapping of HubSpot property '%s'", kind, prop);
    return found;
}

static void reply_mapping(struct admin_req *r, int status, const char *kind, const char *prop)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *m = mapping_now(r, kind, prop, &err);

    if (m)
        admin_reply_json(r, status, m);
    else
        admin_reply_err(r, &err);
}

/* A refusal: 409 when it is about a built-in or a mapping that exists, else by its rc. */
static void reply_refusal(struct admin_req *r, const struct sync_err *err)
{
    if (strcmp(err->code, SYNC_RUNTIME_BUILTIN) == 0 || strcmp(err->code, SYNC_RUNTIME_EXISTS) == 0)
        admin_reply_error(r, 409, "conflict", "%s", err->message);
    else
        admin_reply_err(r, err);
}

/* "salesforce" of a body: "Field", "Object.Field" or a list of those (or of {"object",
 * "field"}); NULL when absent. Answers 400 and returns -1 when it is something else. */
static int body_fields(struct admin_req *r, const json_t **out)
{
    const json_t *sf = json_object_get(r->body, "salesforce");

    *out = NULL;
    if (!sf)
        return 0;
    if (!json_is_string(sf) && !(json_is_array(sf) && json_array_size(sf) > 0)) {
        admin_reply_error(r, 400, "bad_request",
                          "salesforce: expected \"Object.Field\", \"Field\" or a list of them");
        return -1;
    }
    *out = sf;
    return 0;
}

/* A body key that must be text when present; answers 400 and returns -1 otherwise. */
static int body_text(struct admin_req *r, const char *key, const char **out)
{
    const json_t *v = json_object_get(r->body, key);

    *out = json_string_value(v);
    if (v && !*out) {
        admin_reply_error(r, 400, "bad_request", "%s: expected text", key);
        return -1;
    }
    return 0;
}

void api_mapping_add(struct admin_req *r)
{
    struct sync_mapdescribe vendors = {r->cfg, NULL};
    struct sync_err err = SYNC_ERR_INIT;
    const char *kind, *prop, *rule;
    const json_t *sf;
    json_t *spec;
    enum sync_kind k;
    enum sync_rc rc;

    if (!json_is_object(r->body)) {
        admin_reply_error(r, 400, "bad_request",
                          "the body must be {\"kind\": \"contact\", \"hubspot\": \"property\", "
                          "\"salesforce\": \"Object.Field\", \"rule\": ...}");
        return;
    }
    if (body_text(r, "kind", &kind) || body_text(r, "hubspot", &prop) ||
        body_text(r, "rule", &rule) || body_fields(r, &sf))
        return;
    if (!kind || !prop || !sf) {
        admin_reply_error(r, 400, "bad_request", "%s: missing",
                          !kind   ? "kind"
                          : !prop ? "hubspot"
                                  : "salesforce");
        return;
    }
    if (!(spec = json_pack("{s:O, s:s?}", "salesforce", sf, "rule", rule))) {
        admin_reply_error(r, 500, "internal", "out of memory");
        return;
    }
    rc = sync_runtime_mapping_put(r->st, r->cfg, kind, prop, spec, 0, sync_mapdescribe_resolve,
                                  &vendors, &err);
    sync_mapdescribe_close(&vendors);
    json_decref(spec);
    if (rc) {
        reply_refusal(r, &err);
        return;
    }
    admin_wake(r);
    reply_mapping(r, 201, sync_kind_parse(kind, &k) == 0 ? sync_kind_name(k) : kind, prop);
}

void api_mapping_patch(struct admin_req *r)
{
    struct sync_mapdescribe vendors = {r->cfg, NULL};
    struct sync_err err = SYNC_ERR_INIT;
    const char *kind = admin_param(r, "kind"), *prop = admin_param(r, "hubspot"), *rule;
    const json_t *sf;
    enum sync_rc rc;

    if (!json_is_object(r->body)) {
        admin_reply_error(r, 400, "bad_request",
                          "the body must be {\"salesforce\": \"Object.Field\", \"rule\": ...} "
                          "(either or both)");
        return;
    }
    if (body_text(r, "rule", &rule) || body_fields(r, &sf))
        return;
    rc = sync_runtime_mapping_edit(r->st, r->cfg, kind, prop, sf, rule, sync_mapdescribe_resolve,
                                   &vendors, &err);
    sync_mapdescribe_close(&vendors);
    if (rc) {
        reply_refusal(r, &err);
        return;
    }
    admin_wake(r);
    reply_mapping(r, 200, kind, prop);
}

void api_mapping_delete(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    const char *kind = admin_param(r, "kind"), *prop = admin_param(r, "hubspot");
    json_t *was = mapping_now(r, kind, prop, &err);

    if (!was || sync_runtime_mapping_delete(r->st, r->cfg, kind, prop, &err)) {
        json_decref(was);
        reply_refusal(r, &err);
        return;
    }
    admin_wake(r);
    admin_reply_json(r, 200, json_pack("{s:o}", "deleted", was));
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
    reply_mapping(r, 200, kind, prop);
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
    reply_mapping(r, 200, kind, prop);
}
