/*
 * stagedir.c: the engine's deal stage map (docs/PLANNER.md, "Deals"):
 * HubSpot's deal pipelines and Salesforce's opportunity record types and
 * stages, read through the connectors (sync_conn_list_stages) and turned
 * into the planner's in.stages by stages.c, with the entries crmsync.yaml
 * gives (deal_stages) first. Kept for SYNC_ENGINE_STAGES_TTL_MS like the
 * owner directory (owners.c); the plan step asks for it once per round
 * that holds a deal or opportunity.
 *
 * A side whose list cannot be read keeps its last list (empty the first
 * time): deals then get the planner's "mapping" error and nothing is
 * written for them until the list is read.
 */
#include <string.h>

#include "core/log.h"
#include "engine/sync_int.h"

static void stages_read(struct sync_engine *e, enum sync_side side, json_t **rows)
{
    struct sync_conn_batch b;
    struct sync_err err = SYNC_ERR_INIT;

    sync_conn_batch_init(&b);
    if (sync_conn_list_stages(sync__engine_conn(e, side), &b, &err) == SYNC_OK) {
        json_decref(*rows);
        *rows = json_incref(b.records);
    } else {
        sync_warn("engine", "%s deal stages not read (deals do not sync until they are): %s",
                  sync__side_name(side), err.message);
    }
    sync_conn_batch_release(&b);
}

enum sync_rc sync__engine_stages(struct sync_engine *e, int64_t now,
                                 const struct sync_plan_stage_map **out, struct sync_err *err)
{
    struct sync_engine_stages *s = &e->stages;

    if (!s->loaded_ms || now - s->loaded_ms >= SYNC_ENGINE_STAGES_TTL_MS || now < s->loaded_ms) {
        enum sync_rc rc;
        stages_read(e, SYNC_SIDE_HUBSPOT, &s->rows[0]);
        stages_read(e, SYNC_SIDE_SALESFORCE, &s->rows[1]);
        if ((rc = sync_stages_build(&s->map, s->rows[0], s->rows[1], e->cfg->deal_stages)))
            return sync_err_set(err, rc, "out of memory");
        s->loaded_ms = now;
        sync_debug("engine", "deal stage map: %zu entr%s", s->map.map.n,
                   s->map.map.n == 1 ? "y" : "ies");
    }
    *out = &s->map.map;
    return SYNC_OK;
}

void sync__engine_stages_release(struct sync_engine *e)
{
    json_decref(e->stages.rows[0]);
    json_decref(e->stages.rows[1]);
    sync_stages_release(&e->stages.map);
    memset(&e->stages, 0, sizeof(e->stages));
}
