/*
 * import.h: imports (backfill): Salesforce leads, contacts, accounts or
 * opportunities or cases, all of them or those a SOQL condition selects, and the
 * members of a HubSpot contact list, put into the inbox as capture puts
 * them, so the engine's plan step syncs them (creates, matches, updates
 * by the field rules) like any captured change.
 *
 * A job is a row in the store (sync_store_import_*, migration 0005):
 * what it reads, its state (running, done, failed, cancelled), the total
 * to read (SOQL COUNT(), or the list's size), the records read and the
 * changes queued so far, and where the next page starts. Reading is
 * paged, never one call per record: Salesforce by SOQL ordered by Id
 * with a keyset on the last Id read; HubSpot by the list's memberships,
 * then one batch read of the page's contacts. Each page's changes and the
 * job's counts and position (and, after the last page, its state done)
 * are one store transaction, so a run that is killed resumes
 * (sync_import_run again) after the last page it recorded and queues
 * nothing twice. A page is stored only while the job is still where the
 * page started: of two runs of one job (a resume while it still runs
 * elsewhere), the one that stores a page first owns it, and the other
 * stops without queueing anything.
 *
 * sync_import_create checks what is asked first, with the vendor: a
 * SOQL condition Salesforce refuses comes back as its own error message
 * and nothing is stored. sync_import_run reads with connectors of its
 * own (from the configuration) and writes through the store it is
 * given, which belongs to the calling thread (store.h): the CLI runs it
 * in `crmsync import`, the admin API may run it on a thread of its own
 * with a store handle of that thread. The engine that plans the inbox
 * may run meanwhile in another process.
 *
 * Progress is JSON, the same for the CLI and the admin API:
 *   {"id", "what": {"system", "object", "where"? | "list_id"?}, "state",
 *    "total" (null: unknown), "read", "queued", "done_percent" (null:
 *    unknown total), "rate_per_s" (records read per second in the
 *    latest run), "eta_s" (null: unknown; 0 once finished), "started_at",
 *    "updated_at", "finished_at" (null while not finished), "error"
 *    (null: none)} with ISO-8601 times.
 */
#ifndef SYNC_ENGINE_IMPORT_H
#define SYNC_ENGINE_IMPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "engine/config.h"
#include "store/store.h"

#define SYNC_IMPORT_SF_PAGE 2000 /* records per SOQL page by default (and at most) */
#define SYNC_IMPORT_HS_PAGE 100  /* list members per page by default (one batch read each) */
#define SYNC_IMPORT_HS_PAGE_MAX 250
#define SYNC_IMPORT_LIST_MAX 100 /* jobs sync_import_list shows */
/* The key an imported record carries in the inbox (true): the plan step knows it was asked for,
 * so a switch that syncs only what changes after it was turned on lets it through. */
#define SYNC_IMPORT_MARK "crmsync_imported"

/* What to import: Salesforce (object Lead, Contact, Account, Opportunity or Case; where a SOQL
 * condition, NULL or "": every record) or HubSpot (list_id: a list of contacts). */
struct sync_import_spec {
    const char *system; /* "salesforce" or "hubspot" */
    const char *object; /* Salesforce's object; HubSpot: NULL or "contacts" */
    const char *where;
    const char *list_id;
};

/* Checks the spec with the vendor (Salesforce: SELECT COUNT() with the condition, which gives
 * the total; HubSpot: the list exists, holds contacts, and its size) and stores a new running
 * job; *id its id. A refused condition or an unknown list fails with the vendor's message and
 * stores nothing. */
enum sync_rc sync_import_create(const struct sync_config *cfg, struct sync_store *st,
                                const struct sync_import_spec *spec, int64_t *id,
                                struct sync_err *err);

/* How many records an import of a Salesforce object would read (SELECT COUNT() with the
 * condition, checked as sync_import_create checks it); nothing is stored. */
enum sync_rc sync_import_count(const struct sync_config *cfg, const char *object, const char *where,
                               int64_t *total, struct sync_err *err);

/* Called after every page stored (and once at the end) with the job's progress JSON
 * (borrowed for the call). Returning non-zero stops the run after that page: the job stays
 * running and a later sync_import_run resumes it. */
typedef int (*sync_import_progress_fn)(void *ctx, const json_t *progress);

/* Runs job id until it has read everything (done), fails (failed, with the error, also
 * returned) or is cancelled (sync_import_cancel from anywhere; SYNC_OK). A job that is running
 * (its process was killed), failed or cancelled resumes after its last recorded page; a done
 * job is SYNC_ERR_INVALID. When another run of the job stores a page first, this one stops
 * with SYNC_ERR_NOT_FOUND ("another run owns import N"), leaving the job to that run. A
 * Salesforce page whose last Id is not past where it started fails the job (paging would not
 * move on). page: records per page (0: SYNC_IMPORT_SF_PAGE or
 * SYNC_IMPORT_HS_PAGE; capped to the vendor's maximum). fn may be NULL. */
enum sync_rc sync_import_run(const struct sync_config *cfg, struct sync_store *st, int64_t id,
                             size_t page, sync_import_progress_fn fn, void *ctx,
                             struct sync_err *err);

/* Cancels a running job: its run stops before its next page is stored. SYNC_ERR_NOT_FOUND
 * when no such job; SYNC_ERR_INVALID when it is not running. */
enum sync_rc sync_import_cancel(struct sync_store *st, int64_t id, struct sync_err *err);

/* The latest SYNC_IMPORT_LIST_MAX jobs' progress, newest first: *out a new JSON array. */
enum sync_rc sync_import_list(struct sync_store *st, json_t **out, struct sync_err *err);
/* One job's progress: *out a new JSON object; SYNC_ERR_NOT_FOUND when no such job. */
enum sync_rc sync_import_get(struct sync_store *st, int64_t id, json_t **out, struct sync_err *err);

/* ---- pure pieces (unit-tested) ---- */

struct sync_import_figures {
    double done_percent; /* read of total, 0..100; -1: the total is unknown */
    double rate_per_s;   /* records read per second in the latest run; 0: none yet */
    int64_t eta_s;       /* seconds left at that rate; -1: unknown; 0 once finished */
};
/* The figures of a job row at now (epoch ms). */
void sync_import_figures(const struct sync_import_row *r, int64_t now,
                         struct sync_import_figures *out);
/* A job row as the progress JSON above (new), at now. */
json_t *sync_import_progress_json(const struct sync_import_row *r, int64_t now);

/* The SOQL of one page: SELECT Id, SystemModstamp, IsDeleted, fields... FROM object
 * [WHERE (where)] [AND] [Id > 'after'] ORDER BY Id LIMIT limit. fields may be NULL; a field
 * that is not a plain field name is SYNC_ERR_INVALID. */
enum sync_rc sync_import_soql_page(struct sync_buf *out, const char *object,
                                   const char *const *fields, const char *where, const char *after,
                                   size_t limit);
/* The SOQL that counts what an import reads: SELECT COUNT() FROM object [WHERE (where)]. */
enum sync_rc sync_import_soql_count(struct sync_buf *out, const char *object, const char *where);

/* 1 when where's parentheses balance outside its string literals ('...', with backslash
 * escapes) and every literal is closed, so the condition stays inside the brackets the page
 * query puts around it (a condition like "A) OR (B" would escape them and break paging).
 * NULL and "" balance. sync_import_create refuses a condition that does not. */
int sync_import_where_balanced(const char *where);

#endif
