/*
 * mapdescribe.h: a candidate user mapping checked against the vendors:
 * its HubSpot property and Salesforce fields looked up in HubSpot's
 * properties and Salesforce's describe, and its types (and the fields'
 * spelling) taken from them.
 *
 * A mapping added or re-pointed at run time (runtime.h's
 * sync_runtime_mapping_put) is resolved this way before it is checked
 * against the type table and stored. The vendors are read through an
 * engine object of its own (sync_engine_open, like imports and the ticket
 * setup), opened on first use and closed by sync_mapdescribe_close.
 *
 * Called by `crmsync mappings add|edit` and the admin API's mapping
 * routes; one struct per request, one thread.
 */
#ifndef SYNC_ENGINE_MAPDESCRIBE_H
#define SYNC_ENGINE_MAPDESCRIBE_H

#include "core/err.h"
#include "engine/config.h"
#include "engine/mapping.h"

struct sync_engine;

struct sync_mapdescribe {
    const struct sync_config *cfg;
    struct sync_engine *e; /* NULL until the first resolve */
};

/* A sync_config_resolve_fn (ctx: a struct sync_mapdescribe): fills in m->hs and each m->sf[i]
 * from the describes. SYNC_ERR_INVALID naming what the vendor does not have ("HubSpot has no
 * contacts property 'x'", "Salesforce Lead has no field 'X__c'"), a type that cannot be mapped
 * or a calculated HubSpot property; the vendor's rc when a describe fails. */
enum sync_rc sync_mapdescribe_resolve(void *ctx, struct sync_mapping *m, struct sync_err *err);
/* Closes the engine object, if one was opened. */
void sync_mapdescribe_close(struct sync_mapdescribe *d);

#endif
