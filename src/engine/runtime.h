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
 * Mapping rules work the same way: an override of one mapping's rule is
 * stored under "mapping_rule:<kind>:<HubSpot property>" and applied over
 * the file's mappings (sync_runtime_mappings_load). New mappings still
 * come from the file (their types are checked against the vendors'
 * describes when the engine starts).
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

/* out (initialised) becomes base overlaid by the store's overrides. */
enum sync_rc sync_runtime_settings_load(struct sync_store *st, const struct sync_settings *base,
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

/* ---- mapping rules ---- */

/* out (initialised, empty) becomes the mappings in force: the defaults, the file's mappings and
 * the store's rule overrides (an override the set refuses is skipped with a warning). */
enum sync_rc sync_runtime_mappings_load(struct sync_store *st, const struct sync_config *cfg,
                                        struct sync_mapping_set *out, struct sync_err *err);
/* Stores a rule override for the kind's mapping of a HubSpot property: kind "contact",
 * "company" or "deal", rule as rules.h names it. SYNC_ERR_NOT_FOUND for an unknown kind or
 * mapping, SYNC_ERR_INVALID for an unknown rule or a mapping whose rule is fixed. */
enum sync_rc sync_runtime_rule_set(struct sync_store *st, const struct sync_config *cfg,
                                   const char *kind, const char *prop, const char *rule,
                                   struct sync_err *err);
/* Drops the override: the file's rule (or the default) applies again. */
enum sync_rc sync_runtime_rule_reset(struct sync_store *st, const struct sync_config *cfg,
                                     const char *kind, const char *prop, struct sync_err *err);
/* The mappings in force as JSON: [{"kind", "hubspot", "salesforce": [{"object", "field"}],
 * "rule", "default_rule", "source": "default"|"file"|"override", "builtin"}]. */
enum sync_rc sync_runtime_mappings_json(struct sync_store *st, const struct sync_config *cfg,
                                        json_t **out, struct sync_err *err);

#endif
