/*
 * owners.c: the engine's owner directory: the HubSpot owners and the
 * Salesforce users (id, email, active) the planner translates owners
 * with (docs/PLANNER.md, "Owners"). Both lists are read through the
 * connectors (sync_conn_list_owners, inactive users and archived owners
 * included so the trace can say why one does not match) and kept for
 * SYNC_ENGINE_OWNERS_TTL_MS; the plan step (planstep.c) asks for them
 * once per round of changes.
 *
 * A side whose list cannot be read keeps its last list (empty the first
 * time): owners then do not move (the planner traces why), and the rest
 * of the record still syncs.
 */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "engine/sync_int.h"

/* Rebuilds the planner's view from the two sides' rows. */
static enum sync_rc owners_index(struct sync_engine_owners *o, struct sync_err *err)
{
    size_t total = json_array_size(o->rows[0]) + json_array_size(o->rows[1]), n = 0;
    struct sync_plan_owner *items = calloc(total ? total : 1, sizeof(*items));

    if (!items)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    for (int s = 0; s < 2; s++) {
        size_t i;
        json_t *r;
        json_array_foreach(o->rows[s], i, r)
        {
            items[n].system = s == 0 ? SYNC_SIDE_HUBSPOT : SYNC_SIDE_SALESFORCE;
            items[n].id = sync_json_str(r, "id");
            items[n].email = sync_json_str(r, "email");
            items[n].active = json_is_true(json_object_get(r, "active"));
            if (items[n].id)
                n++;
        }
    }
    free(o->items);
    o->items = items;
    o->n = n;
    return SYNC_OK;
}

/* Reads one side's list; on failure the side keeps its previous rows. */
static void owners_read(struct sync_engine *e, enum sync_side side, json_t **rows)
{
    struct sync_conn_batch b;
    struct sync_err err = SYNC_ERR_INIT;

    sync_conn_batch_init(&b);
    if (sync_conn_list_owners(sync__engine_conn(e, side), 1, &b, &err) == SYNC_OK) {
        json_decref(*rows);
        *rows = json_incref(b.records);
    } else {
        sync_warn("engine", "%s owner directory not read (owners do not sync until it is): %s",
                  sync__side_name(side), err.message);
    }
    sync_conn_batch_release(&b);
}

enum sync_rc sync__engine_owners(struct sync_engine *e, int64_t now,
                                 const struct sync_plan_owner **out, size_t *n,
                                 struct sync_err *err)
{
    struct sync_engine_owners *o = &e->owners;

    if (!o->loaded_ms || now - o->loaded_ms >= SYNC_ENGINE_OWNERS_TTL_MS || now < o->loaded_ms) {
        enum sync_rc rc;
        owners_read(e, SYNC_SIDE_HUBSPOT, &o->rows[0]);
        owners_read(e, SYNC_SIDE_SALESFORCE, &o->rows[1]);
        if ((rc = owners_index(o, err)))
            return rc;
        o->loaded_ms = now;
    }
    *out = o->items;
    *n = o->n;
    return SYNC_OK;
}

void sync__engine_owners_release(struct sync_engine *e)
{
    json_decref(e->owners.rows[0]);
    json_decref(e->owners.rows[1]);
    free(e->owners.items);
    memset(&e->owners, 0, sizeof(e->owners));
}
