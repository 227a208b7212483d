/*
 * api_credentials.c: the vendors' credentials over the admin API: the
 * ones in force (never a secret), saving Salesforce credentials (checked
 * with one login first; nothing is stored when it fails) and disconnect
 * (forget them, master switch off). A change wakes the run loop so the
 * engine takes it at once. Called by router.c; the work is
 * engine/credentials.h's.
 */
#include <string.h>

#include "admin/admin_int.h"
#include "engine/credentials.h"

/* The vendor named in the path: 1 for salesforce; otherwise answered here (404 or 400). */
static int salesforce_only(struct admin_req *r)
{
    const char *v = admin_param(r, "vendor");

    if (strcmp(v, "salesforce") == 0)
        return 1;
    if (strcmp(v, "hubspot") == 0)
        admin_reply_error(r, 400, "bad_request",
                          "HubSpot's credentials come from crmsync.yaml only; Salesforce's can "
                          "be saved here");
    else
        admin_reply_error(r, 404, "not_found", "no credentials for '%s' (salesforce or hubspot)",
                          v);
    return 0;
}

static void reply_shown(struct admin_req *r, const char *vendor)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;

    if (sync_credentials_show(r->st, r->cfg, vendor, &out, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, 200, out);
}

void api_credentials(struct admin_req *r)
{
    reply_shown(r, NULL);
}

void api_credentials_get(struct admin_req *r)
{
    reply_shown(r, admin_param(r, "vendor"));
}

void api_credentials_put(struct admin_req *r)
{
    struct sync_sf_credentials_in in;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *problems;
    enum sync_rc rc;

    if (!salesforce_only(r))
        return;
    problems = json_array();
    sync_credentials_from_json(r->body, &in, problems);
    if (json_array_size(problems)) {
        const char *first = json_string_value(json_array_get(problems, 0));
        admin_reply_json(r, 400,
                         json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "bad_request", "message",
                                   first ? first : "bad credentials", "problems", problems));
        json_decref(problems);
        return;
    }
    json_decref(problems);
    rc = sync_credentials_save_salesforce(r->st, r->cfg, &in, &err);
    if (rc == SYNC_ERR_VENDOR || rc == SYNC_ERR_HTTP || rc == SYNC_ERR_INVALID) {
        /* the login check failed (or the input): nothing was stored. Salesforce not answering
         * at all is not the caller's mistake: 502 */
        int unreachable = rc == SYNC_ERR_HTTP && err.http_status == 0;
        json_t *e = json_pack("{s:s, s:s}", "code", unreachable ? "bad_gateway" : "bad_request",
                              "message", err.message);
        if (e && err.code[0])
            json_object_set_new(e, "vendor_code", json_string(err.code));
        admin_reply_json(r, unreachable ? 502 : 400, json_pack("{s:o}", "error", e));
        return;
    }
    if (rc) {
        admin_reply_err(r, &err);
        return;
    }
    admin_wake(r);
    reply_shown(r, "salesforce");
}

void api_credentials_delete(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *shown = NULL;
    int had = 0;

    if (!salesforce_only(r))
        return;
    if (sync_credentials_forget_salesforce(r->st, &had, &err) ||
        sync_credentials_show(r->st, r->cfg, "salesforce", &shown, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    admin_wake(r);
    admin_reply_json(
        r, 200, json_pack("{s:b, s:b, s:o}", "forgotten", had, "sync", 0, "salesforce", shown));
}
