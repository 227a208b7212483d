/*
 * tickets.h: the ticket sync setup flow (seeds 000/001; docs/TICKETS.md),
 * step by step, for the CLI (`crmsync tickets`) and the admin API
 * (/api/v1/tickets):
 *
 *   1. the rule for a case deleted in Salesforce (ticket_delete_rule);
 *   2. the account and contact association switches;
 *   3. the field mappings (the ticket's required ones, name, pipeline and
 *      status, are built in and cannot be removed);
 *   4. the pipeline map: each case business process to a ticket pipeline,
 *      each case status to a ticket status (ticketmap.h), pre-filled, and
 *      changed by the admin (sync_tickets_choose);
 *   5. the preview: all of the above, what is still unmapped, and how many
 *      existing cases an import would bring (a COUNT() in Salesforce);
 *   6. start ("start continual sync": ticket_sync on, refused while no
 *      process has a pipeline) or leave it off ("save for later").
 * Afterwards: stop (ticket_sync off) and remove (off, and every ticket
 * choice and override forgotten, so a new setup starts over; the tickets
 * and their links stay, so a later setup makes no duplicates).
 *
 * Steps 1-3 are settings and mappings (runtime.h); this module adds the
 * pipeline map's choices (the store setting SYNC_TICKET_PIPELINES_KEY)
 * and the view of the whole. Reads the vendors with connectors of its own
 * (an engine object, like imports); writes only through the store it is
 * given.
 */
#ifndef SYNC_ENGINE_TICKETS_H
#define SYNC_ENGINE_TICKETS_H

#include <jansson.h>

#include "core/err.h"
#include "engine/config.h"
#include "store/store.h"

/* The setup as JSON:
 * {"ticket_sync": bool, "two_way": bool, "delete_rule": "nothing"|"delete",
 *  "associations": {"account": bool, "contact": bool},
 *  "mappings": [runtime.h's mapping JSON, + "required": bool],
 *  "pipelines": ticketmap.h's report, "ready": bool, "problems": ["..."]}
 * With preview set, also "import": {"cases": n, "where": "..."|null} (where: a SOQL condition
 * the count applies, as an import's). */
enum sync_rc sync_tickets_setup(const struct sync_config *cfg, struct sync_store *st, int preview,
                                const char *where, json_t **out, struct sync_err *err);

/* Step 4: changes the admin's choices. patch is {"processes": {process name or id: pipeline id
 * or null}, "stages": {pipeline id: {case status: ticket status id or null}}} (null drops a
 * choice, so the pre-fill applies again); each name is checked against what the vendors list
 * and a pipeline chosen for two processes is refused, with a message naming it
 * (SYNC_ERR_INVALID), storing nothing. The cases and (two way) tickets waiting on the map (open
 * "mapping" errors, the 1000 most recently seen of each) are queued to sync again, so one the
 * choice maps goes through without another change. */
enum sync_rc sync_tickets_choose(const struct sync_config *cfg, struct sync_store *st,
                                 const json_t *patch, struct sync_err *err);
/* sync_tickets_choose in two parts, for a caller that changes the choices inside a transaction
 * of its own (the configuration import, configio.h): the checks and the store alone (a
 * statement of the caller's transaction), then, once it is committed, the requeue (which opens
 * a transaction of its own). */
enum sync_rc sync_tickets_choose_stored(const struct sync_config *cfg, struct sync_store *st,
                                        const json_t *patch, struct sync_err *err);
enum sync_rc sync_tickets_requeue(struct sync_store *st, struct sync_err *err);
/* The admin's choices as stored, in the patch's shape (a new object; {} when none); NULL when
 * the store cannot be read (err says why). */
json_t *sync_tickets_choices(struct sync_store *st, struct sync_err *err);

/* Step 6: ticket_sync on; SYNC_ERR_INVALID (saying why) while no process has a pipeline. */
enum sync_rc sync_tickets_start(const struct sync_config *cfg, struct sync_store *st,
                                struct sync_err *err);
/* ticket_sync off (changes captured so far stay queued). */
enum sync_rc sync_tickets_stop(struct sync_store *st, struct sync_err *err);
/* Remove ticket sync, in one transaction: off, the ticket settings' overrides, every ticket
 * mapping override (mappings added, re-pointed or removed at run time, and rule overrides:
 * sync_runtime_mappings_forget) and the pipeline choices forgotten, and the case and ticket
 * cursors dropped (a new setup imports nothing again). Tickets and links stay. */
enum sync_rc sync_tickets_remove(const struct sync_config *cfg, struct sync_store *st,
                                 struct sync_err *err);

#endif
