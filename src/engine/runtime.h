/*
 * runtime.h: the integration settings in force while the engine runs.
 *
 * crmsync.yaml gives each setting its value (or the default); an admin
 * changes one at run time through the admin API or `crmsync settings set`,
 * which stores an override in the state store's settings table (key: the
 * setting's name, value: JSON). The settings in force are the file's
 * overlaid by the overrides. The engine loads them at the start of every
 * pass, so a change takes effect without a restart; `crmsync settings
 * reset NAME` drops an override and the file's value applies again.
 *
 * Every write goes through the setting table's own checks
 * (sync_settings_set_json): a bad value is refused with a message naming
 * the setting and the problem, and nothing is stored. An override found
 * in the store that no longer passes (a setting renamed or re-bounded by
 * an upgrade) is skipped with a warning, never applied.
 *
 * Mappings work the same way. A user mapping added or re-pointed at run
 * time is stored under "mapping:<kind>:<HubSpot property>" as the JSON
 * form of a file entry (config.h's sync_config_mapping_from_json) with its
 * types, as the vendors' describes gave them when it was stored; a file
 * mapping removed at run time as {"removed": true}. An override of one
 * mapping's rule is stored under "mapping_rule:<kind>:<HubSpot property>".
 * The mappings in force are the defaults, the file's, then the stored
 * mappings, then the stored rules (sync_runtime_mappings_load); the engine
 * loads them at the start of every pass. Built-in mappings cannot be
 * removed or re-pointed, only their rule changes.
 *
 * Called by the engine (sync.c), the admin API and the CLI; each passes
 * its own store handle.
 */
#ifndef SYNC_ENGINE_RUNTIME_H
#define SYNC_ENGINE_RUNTIME_H

#include <jansson.h>

#include "core/err.h"
#include "engine/config.h"

struct sync_store;

/* Switches that start reading from the moment they are turned on (ticket_sync, ticket_two_way,
 * salesforce_task_sync, timeline_<type>): turning one on through sync_runtime_setting_set
 * stores when, under SYNC_SINCE_PREFIX + its name ("since:ticket_sync" -> epoch ms), unless it is
 * already there; turning it off drops it. The engine starts those sources' first read there (so
 * a case created right after the switch, before the engine's next pass, still syncs), and sets
 * it at its first pass for a switch the file turns on. */
#define SYNC_SINCE_PREFIX "since:"
int sync_runtime_since_switch(int id);

/* out (initialised) becomes base overlaid by the store's overrides. */
enum sync_rc sync_runtime_settings_load(struct sync_store *st, const struct sync_settings *base,
                                        struct sync_settings *out, struct sync_err *err);
/* Overlays the store's override of setting id alone onto out, as sync_runtime_settings_load
 * would (none, or one that is not a good value: out keeps its value); one read, for a caller
 * that watches one setting often. */
enum sync_rc sync_runtime_setting_load(struct sync_store *st, enum sync_setting id,
                                       struct sync_settings *out, struct sync_err *err);

/* Stores an override of setting name: value as JSON (true, 30, "30m", "lead") or, from a command
 * line, as text ("true", "30m"). SYNC_ERR_NOT_FOUND for an unknown setting, SYNC_ERR_INVALID for
 * a value the setting refuses (err says why). */
enum sync_rc sync_runtime_setting_set(struct sync_store *st, const char *name, const json_t *value,
                                      struct sync_err *err);
enum sync_rc sync_runtime_setting_set_text(struct sync_store *st, const char *name,
                                           const char *text, struct sync_err *err);
/* Drops the override of name (the file's value applies again). */
enum sync_rc sync_runtime_setting_reset(struct sync_store *st, const char *name,
                                        struct sync_err *err);

/* Every setting of the configuration cfg as JSON, in table order:
 * [{"name","value","default","source":"default"|"file"|"override","type","help",
 *   "choices"?, "min"?, "max"?}]
 * ("file": crmsync.yaml sets it; "override": the store's value is in force). */
enum sync_rc sync_runtime_settings_json(struct sync_store *st, const struct sync_config *cfg,
                                        json_t **out, struct sync_err *err);
/* One setting as in the list above; SYNC_ERR_NOT_FOUND for an unknown name. */
enum sync_rc sync_runtime_setting_json(struct sync_store *st, const struct sync_config *cfg,
                                       const char *name, json_t **out, struct sync_err *err);

/* ---- mappings ---- */

/* err->code of a refusal that is about a built-in mapping (re-pointed or removed), and of an
 * addition of a property mapped already. */
#define SYNC_RUNTIME_BUILTIN "builtin"
#define SYNC_RUNTIME_EXISTS "exists"

/* out (set up here; released by the caller, also on failure) becomes the mappings in force:
 * the defaults, the file's mappings, the stored mappings and the stored rule overrides (a
 * stored one the set refuses is skipped with a warning). */
enum sync_rc sync_runtime_mappings_load(struct sync_store *st, const struct sync_config *cfg,
                                        struct sync_mapping_set *out, struct sync_err *err);
/* Stores a rule override for the kind's mapping of a HubSpot property: kind "contact",
 * "company", "deal" or "ticket", rule as rules.h names it. SYNC_ERR_NOT_FOUND for an unknown
 * kind or mapping, SYNC_ERR_INVALID for an unknown rule or a mapping whose rule is fixed. */
enum sync_rc sync_runtime_rule_set(struct sync_store *st, const struct sync_config *cfg,
                                   const char *kind, const char *prop, const char *rule,
                                   struct sync_err *err);
/* Drops the override: the mapping's own rule (the file's, the stored mapping's or the default)
 * applies again. */
enum sync_rc sync_runtime_rule_reset(struct sync_store *st, const struct sync_config *cfg,
                                     const char *kind, const char *prop, struct sync_err *err);

/* Stores a user mapping of the kind's HubSpot property prop: spec is the JSON form of a file
 * entry without kind and hubspot ({"salesforce": "Object.Field" | "Field" | [...], "rule"?,
 * "hubspot_type"?, "salesforce_type"?}). Its types come from resolve (the vendors' describes,
 * mapdescribe.h) when given, else from the spec's type hints; it is checked against the
 * mappings in force like a file entry (names, objects of the kind, types, duplicates) and
 * stored with its types, in one transaction, dropping a rule override of the property (the
 * spec carries the rule; default prefer_salesforce_unless_blank). replace 0 refuses a property
 * already mapped (err->code SYNC_RUNTIME_EXISTS); 1 replaces its user mapping (the file's or an
 * earlier one). Refuses a built-in (err->code SYNC_RUNTIME_BUILTIN). SYNC_ERR_INVALID for an
 * unknown kind or a refusal (the message names the mapping and the problem); resolve's rc (a vendor
 * call failing) as it returned it. Nothing is stored on failure. */
enum sync_rc sync_runtime_mapping_put(struct sync_store *st, const struct sync_config *cfg,
                                      const char *kind, const char *prop, const json_t *spec,
                                      int replace, sync_config_resolve_fn resolve, void *ctx,
                                      struct sync_err *err);
/* The same for a file entry (its kind and HubSpot property, its fields, rule and type hints):
 * settings import. */
enum sync_rc sync_runtime_mapping_put_entry(struct sync_store *st, const struct sync_config *cfg,
                                            const struct sync_config_mapping *e, int replace,
                                            sync_config_resolve_fn resolve, void *ctx,
                                            struct sync_err *err);
/* Edits the kind's mapping of prop: salesforce (NULL: unchanged; as spec's "salesforce")
 * re-points a user mapping (a new entry stored through sync_runtime_mapping_put, keeping the
 * rule in force unless rule is given); rule alone is a rule override (sync_runtime_rule_set),
 * built-ins included. SYNC_ERR_NOT_FOUND for an unknown kind or mapping; SYNC_ERR_INVALID for
 * nothing to change, an unknown rule, or a built-in re-pointed (err->code
 * SYNC_RUNTIME_BUILTIN). */
enum sync_rc sync_runtime_mapping_edit(struct sync_store *st, const struct sync_config *cfg,
                                       const char *kind, const char *prop, const json_t *salesforce,
                                       const char *rule, sync_config_resolve_fn resolve, void *ctx,
                                       struct sync_err *err);
/* Removes the kind's user mapping of prop, with any rule override of it: a file mapping stays
 * removed ({"removed": true}) until added again, one added at run time is forgotten.
 * SYNC_ERR_NOT_FOUND for an unknown kind or mapping; SYNC_ERR_INVALID for a built-in (err->code
 * SYNC_RUNTIME_BUILTIN). */
enum sync_rc sync_runtime_mapping_delete(struct sync_store *st, const struct sync_config *cfg,
                                         const char *kind, const char *prop, struct sync_err *err);

/* Forgets every stored override of the kind's mappings: the user mappings added or re-pointed
 * at run time, the file mappings removed at run time (the file's mapping applies again) and the
 * rule overrides (each mapping's own rule applies again), as crmsync.yaml and the defaults give
 * them. In one transaction (a savepoint of the caller's, when one is open). SYNC_ERR_NOT_FOUND
 * for an unknown kind or a kind without mappings. */
enum sync_rc sync_runtime_mappings_forget(struct sync_store *st, const struct sync_config *cfg,
                                          const char *kind, struct sync_err *err);

/* The mappings in force as JSON: [{"kind", "hubspot", "salesforce": [{"object", "field"}],
 * "rule", "default_rule", "source": "default"|"file"|"override", "builtin", "required" (a HubSpot
 * record needs it: never Don't sync)}] ("override": a
 * stored mapping or rule is in force). */
enum sync_rc sync_runtime_mappings_json(struct sync_store *st, const struct sync_config *cfg,
                                        json_t **out, struct sync_err *err);

#endif
