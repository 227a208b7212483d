/*
 * stagedir.c: the engine's stage maps (docs/PLANNER.md, "Deals";
 * docs/TICKETS.md). Deals: HubSpot's deal pipelines and Salesforce's
 * opportunity record types and stages, turned into the planner's
 * in.stages by stages.c, with the entries crmsync.yaml gives
 * (deal_stages) first. Tickets: HubSpot's ticket pipelines and
 * Salesforce's case business processes, record types and statuses,
 * turned into the planner's in.stages by ticketmap.c with the admin's
 * choices from the store (SYNC_TICKET_PIPELINES_KEY). Both read through
 * the connectors (sync_conn_list_stages) and kept for
 * SYNC_ENGINE_STAGES_TTL_MS like the owner directory (owners.c); the
 * plan step asks for one once per round that holds a deal or a case.
 *
 * A side whose list cannot be read keeps its last list (empty the first
 * time): deals and tickets then get the planner's "mapping" error and
 * nothing is written for them until the list is read.
 */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "engine/sync_int.h"
#include "engine/ticketmap.h"
#include "store/store.h"

static void stages_read(struct sync_engine *e, enum sync_side side, int tickets, json_t **rows)
{
    struct sync_conn_batch b;
    struct sync_err err = SYNC_ERR_INIT;

    sync_conn_batch_init(&b);
    if (sync_conn_list_stages(sync__engine_conn(e, side), tickets, &b, &err) == SYNC_OK) {
        json_decref(*rows);
        *rows = json_incref(b.records);
    } else {
        sync_warn("engine", "%s %s not read (%s do not sync until they are): %s",
                  sync__side_name(side), tickets ? "ticket pipelines" : "deal stages",
                  tickets ? "cases" : "deals", err.message);
    }
    sync_conn_batch_release(&b);
}

static int stale(const struct sync_engine_stages *s, int64_t now)
{
    return !s->loaded_ms || now - s->loaded_ms >= SYNC_ENGINE_STAGES_TTL_MS || now < s->loaded_ms;
}

enum sync_rc sync__engine_stages(struct sync_engine *e, int64_t now,
                                 const struct sync_plan_stage_map **out, struct sync_err *err)
{
    struct sync_engine_stages *s = &e->stages;

    if (stale(s, now)) {
        enum sync_rc rc;
        stages_read(e, SYNC_SIDE_HUBSPOT, 0, &s->rows[0]);
        stages_read(e, SYNC_SIDE_SALESFORCE, 0, &s->rows[1]);
        if ((rc = sync_stages_build(&s->map, s->rows[0], s->rows[1], e->cfg->deal_stages)))
            return sync_err_set(err, rc, "out of memory");
        s->loaded_ms = now;
        sync_debug("engine", "deal stage map: %zu entr%s", s->map.map.n,
                   s->map.map.n == 1 ? "y" : "ies");
    }
    *out = &s->map.map;
    return SYNC_OK;
}

enum sync_rc sync__engine_ticket_stages(struct sync_engine *e, int64_t now,
                                        const struct sync_plan_stage_map **out,
                                        struct sync_err *err)
{
    struct sync_engine_stages *s = &e->ticket_stages;
    struct sync_buf b = SYNC_BUF_INIT(256 * 1024);
    enum sync_rc rc = sync_store_setting_get(e->st, SYNC_TICKET_PIPELINES_KEY, &b, err);
    const char *now_cfg = rc == SYNC_OK ? sync_buf_str(&b) : "";
    int fresh = stale(s, now);

    if (rc != SYNC_OK && rc != SYNC_ERR_NOT_FOUND) {
        sync_buf_release(&b);
        return rc;
    }
    if (fresh) {
        stages_read(e, SYNC_SIDE_HUBSPOT, 1, &s->rows[0]);
        stages_read(e, SYNC_SIDE_SALESFORCE, 1, &s->rows[1]);
    }
    if (fresh || !s->configured || strcmp(s->configured, now_cfg)) {
        json_t *configured = now_cfg[0] ? sync_json_parse(now_cfg, strlen(now_cfg), NULL) : NULL;
        rc = sync_ticketmap_build(&s->map, NULL, s->rows[0], s->rows[1], configured);
        json_decref(configured);
        free(s->configured);
        s->configured = rc ? NULL : strdup(now_cfg);
        if (rc || !s->configured) {
            sync_buf_release(&b);
            return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
        }
        if (fresh)
            s->loaded_ms = now;
        sync_debug("engine", "ticket pipeline map: %zu entr%s", s->map.map.n,
                   s->map.map.n == 1 ? "y" : "ies");
    }
    sync_buf_release(&b);
    *out = &s->map.map;
    return SYNC_OK;
}

static void one_release(struct sync_engine_stages *s)
{
    json_decref(s->rows[0]);
    json_decref(s->rows[1]);
    sync_stages_release(&s->map);
    free(s->configured);
    memset(s, 0, sizeof(*s));
}

void sync__engine_stages_release(struct sync_engine *e)
{
    one_release(&e->stages);
    one_release(&e->ticket_stages);
}
