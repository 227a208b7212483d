/*
 * health.h: sync health, the store's open sync errors as an admin sees
 * them, and the resync that retries a record by hand.
 *
 * The errors are the rows apply (vendor refusals, retries given up on)
 * and the planner (no email, a required field, a value or stage with no
 * counterpart, a record waiting for its association) record in the
 * store's sync_errors table, one per (record, category). Health groups
 * them as HubSpot's own integration does (one card per error type with
 * the count of errors and of affected records, the documented fix, a few
 * raw messages), lists them with paging or as CSV, shows one record's
 * sync card, and queues records for a fresh sync.
 *
 * A resync puts a marker into the inbox for the record (a change whose
 * payload is {"id": ID, "crmsync_resync": {"requested_at": MS,
 * "errors": [ids]}} at version 0). The plan step reads the record from
 * its vendor before planning such a change, so it is planned from the
 * values the vendor holds now, even when nothing changed there; a
 * change captured since replaces the marker (it is newer), and a
 * captured change already waiting is left as it is (it is planned on the
 * next pass anyway). Errors are not touched: a record that fails again
 * keeps its error (attempts bumped), one that syncs has it resolved.
 *
 * Every function works on a store handle only (no vendor call), in short
 * transactions, so the CLI and the admin API may call them while
 * `crmsync run` syncs the same store from another process. JSON results
 * are new references the caller owns; times are epoch milliseconds.
 * Called by the CLI (cmd_errors.c, cmd_resync.c) and the admin API.
 */
#ifndef SYNC_ENGINE_HEALTH_H
#define SYNC_ENGINE_HEALTH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

struct sync_store;

#define SYNC_HEALTH_PAGE_DEFAULT 50              /* errors one page lists when the query says 0 */
#define SYNC_HEALTH_PAGE_MAX 500                 /* most errors one page lists */
#define SYNC_HEALTH_CSV_MAX 100000               /* most rows one CSV export holds */
#define SYNC_HEALTH_EXAMPLES 3                   /* distinct raw messages shown per category */
#define SYNC_HEALTH_CARD_DECISIONS 5             /* decisions a record's card shows */
#define SYNC_HEALTH_RESYNC_MAX 1000              /* error ids one resync call takes */
#define SYNC_HEALTH_RESYNC_MARK "crmsync_resync" /* the marker's key in an inbox payload */

/* ---- the error categories ---- */

/* One error category: the store's name, the sync-health card it belongs to (the groups HubSpot's
 * integration shows), a human title and the documented fix. */
struct sync_health_category {
    const char *name;  /* "property_value", "no_email", ... */
    const char *card;  /* "Property value", "Custom code", ... */
    const char *title; /* what went wrong, in a line */
    const char *fix;   /* what to do about it */
};

/* The category of name; NULL when this build does not know it. */
const struct sync_health_category *sync_health_category_find(const char *name);
/* Every known category, in display order: [{"name","card","title","fix"}]. */
json_t *sync_health_categories_json(void);

/* ---- summary and lists ---- */

/* Open errors grouped by category, most errors first:
 *   {"open_errors": N, "affected_records": N (distinct records over all categories),
 *    "categories": [{"category", "card", "title", "fix", "errors", "records",
 *                    "examples": [up to SYNC_HEALTH_EXAMPLES distinct raw messages, newest
 *                                 first]}]}
 * A category this build does not know is listed under the card "Other". */
enum sync_rc sync_health_summary(struct sync_store *st, json_t **out, struct sync_err *err);

struct sync_health_query {
    const char *category; /* NULL or "": any */
    const char *system;   /* "hubspot" or "salesforce"; NULL or "": any */
    const char *object;   /* "contacts", "Lead", ...; NULL or "": any */
    size_t offset;        /* errors skipped first */
    size_t limit;         /* 0: SYNC_HEALTH_PAGE_DEFAULT; more than SYNC_HEALTH_PAGE_MAX: that */
};

/* The open errors matching q, most recently seen first, one page:
 *   {"total": N (matching), "offset", "limit", "next_offset": N or null (no more),
 *    "errors": [{"id", "record": {"system","object","id"}, "link_id" (or null), "category",
 *                "card", "code" (or null), "message" (or null), "attempts", "first_seen",
 *                "last_seen", "fix"}]} */
enum sync_rc sync_health_errors(struct sync_store *st, const struct sync_health_query *q,
                                json_t **out, struct sync_err *err);

/* The same list as CSV (RFC 4180: a header row, CRLF line ends, fields holding a comma, quote,
 * CR or LF quoted, quotes doubled; times ISO-8601 UTC), appended to out. q's offset applies;
 * limit 0 means every matching error, at most SYNC_HEALTH_CSV_MAX. Columns:
 * id,category,card,system,object,record_id,link_id,code,message,attempts,first_seen,last_seen,fix
 * SYNC_ERR_TOO_LARGE when out's cap is reached (out keeps the rows before). */
enum sync_rc sync_health_csv(struct sync_store *st, const struct sync_health_query *q,
                             struct sync_buf *out, struct sync_err *err);

/* ---- one record ---- */

/* The record's sync card (system "hubspot" or "salesforce", its object and id; a 15-character
 * Salesforce id is taken as its 18-character form):
 *   {"record": {"system","object","id"},
 *    "link": null | {"link_id", "kind", "state", "hubspot": {"object","id" or null},
 *                    "salesforce": {"object","id" or null}, "created_at", "updated_at"},
 *    "last_sync": {"to_hubspot": MS or null, "to_salesforce": MS or null},
 *    "error": null | the newest open error of the record or its counterpart (as in the list),
 *    "errors": [every open error of both, newest first],
 *    "inclusion_list": null (unknown) | {"member": false, "list": NAME} when the latest
 *                      decision found the HubSpot contact outside the inclusion list,
 *    "decisions": [the SYNC_HEALTH_CARD_DECISIONS newest decisions of the record and its
 *                  counterpart: {"id", "record", "at", "action", "link_id", "trace"}]}
 * SYNC_ERR_INVALID for a system or object crmsync does not sync. */
enum sync_rc sync_health_card(struct sync_store *st, const char *system, const char *object,
                              const char *id, json_t **out, struct sync_err *err);

/* ---- resync ---- */

/* Queues the records of the open errors error_ids (n at most SYNC_HEALTH_RESYNC_MAX) for a
 * fresh sync on the next pass:
 *   {"queued": N (records the next pass plans), "results": [{"error_id", "status",
 *    "category" and "record": {"system","object","id"} (unless no such error)}]}
 * one result per id, in the order given, status one of: "queued" (a resync marker is in the
 * inbox), "waiting" (a captured change of the record already waits in the inbox: it is planned
 * on the next pass), "resolved" (the error is no longer open: nothing queued), "not_found" (no
 * such error, or its record cannot be told). Errors of one record queue it once. */
enum sync_rc sync_health_resync(struct sync_store *st, const int64_t *error_ids, size_t n,
                                json_t **out, struct sync_err *err);

/* Queues one record, named as in sync_health_card, whether or not it has an error:
 *   {"queued": 1, "results": [{"status": "queued"|"waiting", "record", "errors": [the ids of
 *    its open errors]}]}
 * SYNC_ERR_INVALID for a system or object crmsync does not sync. */
enum sync_rc sync_health_resync_record(struct sync_store *st, const char *system,
                                       const char *object, const char *id, json_t **out,
                                       struct sync_err *err);

/* 1 when an inbox payload (parsed) is a resync marker (the plan step reads the record first). */
int sync_health_is_resync(const json_t *payload);

#endif
