/*
 * report.h: what the state store says about the sync, as one JSON object,
 * for `crmsync status`, the admin API's GET /api/v1/status and the demo.
 *
 *   {"version", "store": {"backend", "schema_version", "schema_latest"},
 *    "sync": the master switch in force,
 *    "links": {kind: {state: n}}, "inbox": {"waiting", "more"},
 *    "outbox": {"waiting", "claimed", "next_attempt_at"},
 *    "errors": {category: open}, "api_usage": {vendor: {window: {"used", "limit",
 *    "reported_at"}}}, "budget": the Salesforce API budget (budget.h)}
 *
 * Reads the store only (no vendor call), so any process may call it next
 * to a running engine.
 */
#ifndef SYNC_ENGINE_REPORT_H
#define SYNC_ENGINE_REPORT_H

#include <jansson.h>

#include "core/err.h"
#include "engine/config.h"

struct sync_store;

/* The report for the configuration cfg (its settings overlaid by the store's overrides). */
enum sync_rc sync_report_status(struct sync_store *st, const struct sync_config *cfg, json_t **out,
                                struct sync_err *err);

#endif
