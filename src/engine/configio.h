/*
 * configio.h: the configuration as code. Export writes the configuration
 * in force as YAML: crmsync.yaml's keys (secrets redacted), every setting
 * in force (the file's overlaid by the store's overrides), the mappings
 * in force (user mappings, the file's and those added at run time, with
 * their types; default mappings whose rule is not the default) and the
 * ticket pipeline choices in force (ticket_pipelines, from the store;
 * tickets.h). The output loads back as a crmsync.yaml, and imports into
 * another store with no vendor call but the ticket choices' check.
 *
 * Import compares another file's settings, mappings and ticket pipeline
 * choices with those in force (the diff), then applies the difference in
 * one transaction, or nothing:
 *   - a setting the file gives that differs: stored as an override;
 *   - a mapping not in force: added as a user mapping (types from the
 *     entry's hints, else from the vendors' describes);
 *   - a user mapping whose Salesforce fields differ: re-pointed, keeping
 *     the rule in force unless the entry gives one;
 *   - a mapping whose rule differs: a rule override;
 *   - the ticket pipeline choices that differ (a null drops one): stored
 *     through sync_tickets_choose's checks against the vendors' lists;
 *     the records waiting on the map are queued again after the commit.
 * A default mapping re-pointed, or a rule for a mapping not in force
 * without a field to add it with, refuses the import (SYNC_ERR_INVALID,
 * the message naming the mapping), as does a ticket choice the vendors do
 * not list (the message naming its key, "ticket_pipelines.processes.X:
 * ..."). Import never removes: a mapping or choice in force that the file
 * leaves out stays.
 *
 * Called by `crmsync settings export|import` and the admin API's
 * /api/v1/config routes; each passes its own store handle.
 */
#ifndef SYNC_ENGINE_CONFIGIO_H
#define SYNC_ENGINE_CONFIGIO_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "engine/config.h"

struct sync_store;

/* The configuration cfg with the settings, mappings and ticket choices in force, as YAML, into
 * out. */
enum sync_rc sync_configio_export(struct sync_store *st, const struct sync_config *cfg,
                                  struct sync_buf *out, struct sync_err *err);

/* What importing in changes, as a new array in *out (empty: nothing), in the file's order,
 * settings first:
 *   {"setting": name, "from": text, "to": text}
 *   {"mapping": "<kind> <property>", "change": "add" | "repoint" | "rule", "from": text | null,
 *    "to": text}
 *   {"ticket_pipeline": "process <name>", "from": id | null, "to": id | null}
 *   {"ticket_status": "pipeline <id> status <case status>", "from": id | null, "to": id | null}
 * (a mapping's text: its fields, then its rule in parentheses; a rule change: the rules; a
 * ticket choice's null: none, the pre-fill applies). Asks no vendor. */
/* Whether the file in gives deal_stages other than the running configuration cfg's. They are
 * not imported (the engine reads them from crmsync.yaml only): the caller says so. */
int sync_configio_deal_stages_differ(const struct sync_config *cfg, const struct sync_config *in);

enum sync_rc sync_configio_diff(struct sync_store *st, const struct sync_config *cfg,
                                const struct sync_config *in, json_t **out, struct sync_err *err);

/* Applies the diff of in, all or nothing; resolve (may be NULL) types a new or re-pointed
 * mapping whose entry lacks the hints. *changes (may be NULL) counts what changed. */
enum sync_rc sync_configio_apply(struct sync_store *st, const struct sync_config *cfg,
                                 const struct sync_config *in, sync_config_resolve_fn resolve,
                                 void *ctx, size_t *changes, struct sync_err *err);

#endif
