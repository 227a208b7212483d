/*
 * api_tickets.c: the ticket sync setup flow over the admin API
 * (engine/tickets.h; docs/ADMIN-API.md, "Tickets"): the setup as it
 * stands, the preview, the pipeline map's choices, start, stop and
 * remove. Each route reads the vendors, so each runs on a store handle
 * of its own (router.c's own_store). Called by the router.
 */
#include "admin/admin_int.h"
#include "engine/tickets.h"

static void reply_setup(struct admin_req *r, int preview, const char *where)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;

    if (sync_tickets_setup(r->cfg, r->st, preview, where, &out, &err)) {
        if (preview && where && err.http_status == 400) /* Salesforce refused the filter */
            admin_reply_error(r, 400, "bad_request", "%s", err.message);
        else
            admin_reply_err(r, &err);
    } else
        admin_reply_json(r, 200, out);
}

void api_tickets_get(struct admin_req *r)
{
    reply_setup(r, 0, NULL);
}

void api_tickets_preview(struct admin_req *r)
{
    reply_setup(r, 1, admin_query(r, "where"));
}

void api_tickets_pipelines_patch(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;

    if (!json_is_object(r->body)) {
        admin_reply_error(r, 400, "bad_request",
                          "expected a JSON object: {\"processes\": {process: pipeline|null}, "
                          "\"stages\": {pipeline: {status: stage|null}}}");
        return;
    }
    if (sync_tickets_choose(r->cfg, r->st, r->body, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    admin_wake(r);
    reply_setup(r, 0, NULL);
}

static void switched(struct admin_req *r, enum sync_rc rc, const struct sync_err *err)
{
    if (rc) {
        admin_reply_err(r, err);
        return;
    }
    admin_wake(r);
    reply_setup(r, 0, NULL);
}

void api_tickets_start(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    enum sync_rc rc = sync_tickets_start(r->cfg, r->st, &err);
    if (rc == SYNC_ERR_INVALID)
        admin_reply_error(r, 409, "conflict", "%s", err.message);
    else
        switched(r, rc, &err);
}

void api_tickets_stop(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    switched(r, sync_tickets_stop(r->st, &err), &err);
}

void api_tickets_remove(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    switched(r, sync_tickets_remove(r->cfg, r->st, &err), &err);
}
