/*
 * api_status.c: GET /api/v1/status: the status report of engine/report.h
 * (version, schema, the master switch, links, pending work, open errors,
 * API usage and the Salesforce budget with any suspension). Called by
 * router.c.
 */
#include "admin/admin_int.h"
#include "engine/report.h"

void api_status(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;

    if (sync_report_status(r->st, r->cfg, &out, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, 200, out);
}
