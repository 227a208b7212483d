/*
 * store.h: the state store, everything that must survive a crash.
 *
 * The store holds the settings, mappings, links, ledger, cursors, inbox,
 * outbox, sync errors, conflicts, decision traces and API usage described
 * in docs/ENGINE.md ("State store"). The engine, capture, apply, the CLI
 * and the admin API call it through this header only; store.c dispatches
 * to one backend (store_sqlite.c today, store_pg.c later) through the ops
 * table in store_int.h, which nothing outside src/store includes.
 *
 * Opening: sync_store_open takes a URL. "sqlite:PATH" opens (or creates)
 * a SQLite file, "sqlite::memory:" a private in-memory database for tests.
 * "postgres://..." is reserved for the PostgreSQL backend. Pending schema
 * migrations run at open, inside one transaction.
 *
 * Transactions: every operation outside sync_store_begin/commit is atomic
 * on its own. Between begin and commit, operations belong to one
 * transaction that commits or rolls back as a whole (ENGINE.md invariants
 * 1, 4 and 5 rest on this). Nesting is refused; savepoints (below) give
 * the parts of a transaction their own undo. A failed commit leaves no
 * transaction open and nothing of it stored. Closing a store with a
 * transaction open rolls it back, as a crash would.
 *
 * Threads: a struct sync_store belongs to one thread at a time. Threads
 * and processes that share a database each open their own store; SQLite
 * serialises their writes (a writer waits up to the busy timeout, then the
 * operation fails with SYNC_ERR_IO of class retryable).
 *
 * Memory: no operation allocates in proportion to what the database
 * holds. Single rows come back in caller-owned structs with fixed-size
 * fields or in bounded struct sync_buf; lists call a callback per row.
 * Strings a callback receives are borrowed: valid until it returns. A
 * callback returns SYNC_OK to go on, SYNC_DECLINED to stop quietly (the
 * listing call then returns SYNC_OK), or an error, which stops the walk
 * and is returned. A callback must not call the store (that call fails
 * with SYNC_ERR_INVALID); copy what you need and act after the walk.
 *
 * Times are epoch milliseconds. Bookkeeping times (created, updated,
 * captured, first and last seen) are stamped by the store; times that
 * carry meaning (next attempt, the claim's "now", agreement times) come
 * from the caller.
 *
 * Errors: SYNC_ERR_INVALID for bad arguments and broken constraints (a
 * record already linked, a duplicate mapping), SYNC_ERR_NOT_FOUND for a
 * missing row or link, SYNC_ERR_IO for the database itself.
 */
#ifndef SYNC_STORE_STORE_H
#define SYNC_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

struct sync_store;

#define SYNC_LINK_ID_LEN 25       /* "L" + 24 lower-case hex digits */
#define SYNC_STORE_KIND_MAX 32    /* kinds, systems, vendors, states, operations, rules, metrics */
#define SYNC_STORE_ID_MAX 64      /* vendor record ids */
#define SYNC_STORE_NAME_MAX 128   /* objects, fields, properties, setting keys, cursor sources */
#define SYNC_STORE_BATCH_MAX 1000 /* most rows one inbox take or outbox claim returns */
#define SYNC_STORE_DECISIONS_KEEP 20
#define SYNC_STORE_INSTALL_ID_LEN 32

/* ---- lifecycle ---- */

/* Opens the store at url (see above) and brings its schema up to date. A database whose schema
 * is newer than this build knows is refused with SYNC_ERR_INVALID. */
enum sync_rc sync_store_open(struct sync_store **out, const char *url, struct sync_err *err);
/* Rolls back an open transaction, closes and frees. NULL is fine. */
void sync_store_close(struct sync_store *st);

struct sync_store_info {
    char backend[16];   /* "sqlite" */
    int schema_version; /* what the database holds */
    int schema_latest;  /* what this build knows */
    char install_id[SYNC_STORE_INSTALL_ID_LEN + 1];
};
enum sync_rc sync_store_info(struct sync_store *st, struct sync_store_info *out,
                             struct sync_err *err);
/* Checks the database's integrity and foreign keys; SYNC_ERR_IO with the first problem found. */
enum sync_rc sync_store_check(struct sync_store *st, struct sync_err *err);

/* ---- transactions ---- */

enum sync_rc sync_store_begin(struct sync_store *st, struct sync_err *err);
enum sync_rc sync_store_commit(struct sync_store *st, struct sync_err *err);
enum sync_rc sync_store_rollback(struct sync_store *st, struct sync_err *err);
int sync_store_in_transaction(const struct sync_store *st);
/* Savepoints, inside an open transaction only: a unit of work that can be undone on its own
 * while the transaction keeps the rest (the plan step stores a round of changes in one
 * transaction, one savepoint per change). They nest. Each is ended by exactly one release (keep
 * its work as part of the transaction) or rollback (undo its work, and end it). */
enum sync_rc sync_store_savepoint(struct sync_store *st, struct sync_err *err);
enum sync_rc sync_store_savepoint_release(struct sync_store *st, struct sync_err *err);
enum sync_rc sync_store_savepoint_rollback(struct sync_store *st, struct sync_err *err);

/* ---- settings: key -> JSON text ---- */

/* Appends the setting's JSON text to out; SYNC_ERR_NOT_FOUND when unset. */
enum sync_rc sync_store_setting_get(struct sync_store *st, const char *key, struct sync_buf *out,
                                    struct sync_err *err);
/* json must parse as one JSON value (SYNC_ERR_PARSE otherwise). */
enum sync_rc sync_store_setting_set(struct sync_store *st, const char *key, const char *json,
                                    struct sync_err *err);
/* Forgets the setting; SYNC_OK also when it was not set. */
enum sync_rc sync_store_setting_delete(struct sync_store *st, const char *key,
                                       struct sync_err *err);
typedef enum sync_rc (*sync_store_setting_fn)(void *ctx, const char *key, const char *json);
/* Every setting, in key order. */
enum sync_rc sync_store_setting_list(struct sync_store *st, sync_store_setting_fn fn, void *ctx,
                                     struct sync_err *err);

/* ---- mappings ---- */

struct sync_store_mapping {
    int64_t id; /* set by the store */
    const char *kind;
    const char *hs_property;
    const char *sf_object;
    const char *sf_field;
    const char *rule; /* a rule name from engine/rules.h, e.g. "two_way" */
    int builtin;      /* 1 for the integration's defaults */
};
/* One mapping per (kind, sf_object, hs_property): a second is SYNC_ERR_INVALID. */
enum sync_rc sync_store_mapping_insert(struct sync_store *st, const struct sync_store_mapping *m,
                                       int64_t *id, struct sync_err *err);
enum sync_rc sync_store_mapping_delete(struct sync_store *st, int64_t id, struct sync_err *err);
typedef enum sync_rc (*sync_store_mapping_fn)(void *ctx, const struct sync_store_mapping *m);
/* The mappings of kind (NULL: all), in insertion order. */
enum sync_rc sync_store_mapping_list(struct sync_store *st, const char *kind,
                                     sync_store_mapping_fn fn, void *ctx, struct sync_err *err);

/* ---- links (state machine in docs/ENGINE.md) ---- */

enum sync_link_state {
    SYNC_LINK_PENDING_CREATE = 0,
    SYNC_LINK_LINKED,
    SYNC_LINK_FAILED,
    SYNC_LINK_DETACHED,
    SYNC_LINK_DELETED,
    SYNC_LINK__COUNT
};
/* "PENDING_CREATE", "LINKED", ...; NULL for an unknown value. */
const char *sync_link_state_name(enum sync_link_state s);
/* Parses a name above (exact); -1 when unknown. */
int sync_link_state_parse(const char *s, enum sync_link_state *out);

struct sync_link {
    char link_id[SYNC_LINK_ID_LEN + 1]; /* set by sync_store_link_insert */
    char kind[SYNC_STORE_KIND_MAX];     /* "contact", "company", "deal", ... */
    char hs_id[SYNC_STORE_ID_MAX];      /* "" until known */
    char sf_object[SYNC_STORE_NAME_MAX];
    char sf_id[SYNC_STORE_ID_MAX]; /* "" until known */
    enum sync_link_state state;
    int64_t last_to_hs; /* last confirmed write to HubSpot; 0: never */
    int64_t last_to_sf;
    int64_t created_at; /* set by the store */
    int64_t updated_at; /* set by the store */
};

/* Gives the link a fresh id (into l->link_id) and stores it. At least one of hs_id and sf_id
 * must be set, both for LINKED. A HubSpot record (kind, hs_id) or a Salesforce record
 * (sf_object, sf_id) belongs to at most one link: a second is SYNC_ERR_INVALID. */
enum sync_rc sync_store_link_insert(struct sync_store *st, struct sync_link *l,
                                    struct sync_err *err);
/* As sync_store_link_insert, but stores the caller's l->link_id ("L" + 24 lower-case hex
 * digits) instead of a fresh one: the planner writes a new link's id into its operations before
 * the link is stored. An id already stored is SYNC_ERR_INVALID. */
enum sync_rc sync_store_link_insert_as(struct sync_store *st, struct sync_link *l,
                                       struct sync_err *err);
/* Each fills out or returns SYNC_ERR_NOT_FOUND. */
enum sync_rc sync_store_link_get(struct sync_store *st, const char *link_id, struct sync_link *out,
                                 struct sync_err *err);
enum sync_rc sync_store_link_get_by_hs(struct sync_store *st, const char *kind, const char *hs_id,
                                       struct sync_link *out, struct sync_err *err);
enum sync_rc sync_store_link_get_by_sf(struct sync_store *st, const char *sf_object,
                                       const char *sf_id, struct sync_link *out,
                                       struct sync_err *err);
/* Writes state, ids (re-pointing after a merge or lead conversion) and last-sync times of the
 * link l->link_id; kind and created_at never change. Stamps l->updated_at. */
enum sync_rc sync_store_link_update(struct sync_store *st, struct sync_link *l,
                                    struct sync_err *err);
struct sync_link_query {
    const char *kind;  /* NULL: any */
    int state;         /* an enum sync_link_state, or -1: any */
    const char *after; /* keyset paging: only link ids after this one; NULL: from the start */
    size_t max;        /* 0: no limit */
};
typedef enum sync_rc (*sync_store_link_fn)(void *ctx, const struct sync_link *l);
/* Links matching q, in link id order. */
enum sync_rc sync_store_link_list(struct sync_store *st, const struct sync_link_query *q,
                                  sync_store_link_fn fn, void *ctx, struct sync_err *err);

/* ---- ledger: per link and field, the value both sides last agreed on ---- */

struct sync_ledger_entry {
    const char *link_id;
    const char *field;      /* the mapped field's key */
    const char *value;      /* canonical text; NULL: agreed blank */
    const char *written_by; /* "hubspot", "salesforce" or "both" */
    int64_t agreed_at;      /* 0: now */
};
/* Inserts or replaces the entry for (link_id, field); SYNC_ERR_NOT_FOUND for an unknown link. */
enum sync_rc sync_store_ledger_put(struct sync_store *st, const struct sync_ledger_entry *e,
                                   struct sync_err *err);
typedef enum sync_rc (*sync_store_ledger_fn)(void *ctx, const struct sync_ledger_entry *e);
/* Every entry of the link, in field order. */
enum sync_rc sync_store_ledger_list(struct sync_store *st, const char *link_id,
                                    sync_store_ledger_fn fn, void *ctx, struct sync_err *err);
/* Forgets every agreement of a link: its next sync is a first sync (a link re-pointed at another
 * record agrees on nothing yet with it). */
enum sync_rc sync_store_ledger_clear(struct sync_store *st, const char *link_id,
                                     struct sync_err *err);

/* ---- unsettled writes: values sent whose landing is unknown (a timeout after the send) ---- */

struct sync_unsettled {
    const char *link_id;
    const char *side;  /* "hubspot" or "salesforce": where it was sent */
    const char *field; /* the ledger key */
    const char *value; /* canonical text; NULL: blank */
    int64_t sent_at;   /* when the request went out; 0: now */
};
/* Remembers u; the same (link, side, field, value) sent again keeps the later sent_at.
 * SYNC_ERR_NOT_FOUND for an unknown link. */
enum sync_rc sync_store_unsettled_put(struct sync_store *st, const struct sync_unsettled *u,
                                      struct sync_err *err);
typedef enum sync_rc (*sync_store_unsettled_fn)(void *ctx, const struct sync_unsettled *u);
/* Every row of the link, by side, field and value (a blank value comes back NULL). */
enum sync_rc sync_store_unsettled_list(struct sync_store *st, const char *link_id,
                                       sync_store_unsettled_fn fn, void *ctx, struct sync_err *err);
/* Forgets the row (its landing was seen); SYNC_OK also when there is none. */
enum sync_rc sync_store_unsettled_drop(struct sync_store *st, const struct sync_unsettled *u,
                                       struct sync_err *err);
/* Forgets every row sent before floor. */
enum sync_rc sync_store_unsettled_prune(struct sync_store *st, int64_t floor, struct sync_err *err);

/* ---- cursors: per capture source, e.g. "salesforce:Lead" ---- */

/* Appends the position to out and sets *updated_at (may be NULL); SYNC_ERR_NOT_FOUND if none. */
enum sync_rc sync_store_cursor_get(struct sync_store *st, const char *source, struct sync_buf *out,
                                   int64_t *updated_at, struct sync_err *err);
enum sync_rc sync_store_cursor_set(struct sync_store *st, const char *source, const char *position,
                                   struct sync_err *err);
/* Forgets the cursor (and the rows its lookback read): the source starts over. SYNC_OK also
 * when there was none. */
enum sync_rc sync_store_cursor_delete(struct sync_store *st, const char *source,
                                      struct sync_err *err);

/* ---- capture: the rows a lookback has already read, per source ---- */

/* Marks record_id as read by source at version with values summed up by digest. *seen is 1 when
 * exactly that version and digest was marked before (a re-read to drop), 0 when the row is new to
 * the source (and now marked). */
enum sync_rc sync_store_seen_mark(struct sync_store *st, const char *source, const char *record_id,
                                  int64_t version, const char *digest, int *seen,
                                  struct sync_err *err);
/* Forgets the source's rows whose version is older than floor. */
enum sync_rc sync_store_seen_prune(struct sync_store *st, const char *source, int64_t floor,
                                   struct sync_err *err);

/* ---- inbox: captured changes not yet planned, one per record, newest wins ---- */

struct sync_change {
    int64_t id;            /* set by the store; FIFO by first capture */
    const char *system;    /* "hubspot" or "salesforce" */
    const char *object;    /* "contacts", "Lead", ... */
    const char *record_id; /* the vendor's id */
    int64_t version;       /* the vendor's version stamp (last-modified epoch ms) */
    int deleted;           /* the record was deleted (merges: see payload) */
    const char *payload;   /* JSON: captured values, merge or conversion details */
    int64_t captured_at;   /* set by the store */
};
/* Stores c unless the inbox already holds a newer version of the same record; an equal or
 * newer version replaces the held one. *stored (may be NULL) says which happened. */
enum sync_rc sync_store_inbox_put(struct sync_store *st, const struct sync_change *c, int *stored,
                                  struct sync_err *err);
typedef enum sync_rc (*sync_store_change_fn)(void *ctx, const struct sync_change *c);
/* The oldest max (1..SYNC_STORE_BATCH_MAX) changes; they stay until deleted. */
enum sync_rc sync_store_inbox_take(struct sync_store *st, size_t max, sync_store_change_fn fn,
                                   void *ctx, struct sync_err *err);
/* Deletes the record's change if its version is at most version; a newer change captured since
 * the take stays. SYNC_OK also when nothing matched. */
enum sync_rc sync_store_inbox_delete(struct sync_store *st, const char *system, const char *object,
                                     const char *record_id, int64_t version, struct sync_err *err);

typedef enum sync_rc (*sync_store_count_fn)(void *ctx, const char *system, const char *object,
                                            int64_t count);
/* How many changes wait in the inbox, per system and object (one call each, none when empty). */
enum sync_rc sync_store_inbox_count(struct sync_store *st, sync_store_count_fn fn, void *ctx,
                                    struct sync_err *err);

/* ---- outbox: planned writes not yet applied ---- */

struct sync_outbox_entry {
    int64_t id; /* set by the store */
    const char *link_id;
    const char *target; /* "hubspot" or "salesforce" */
    const char *object; /* the target's object: "contacts", "Lead", ... */
    const char *op;     /* "upsert", "update", "delete", ... */
    const char *payload;
    int claimed;             /* set by the store: 1 while a claim's lease runs */
    int attempts;            /* set by the store */
    int64_t next_attempt_at; /* 0 on enqueue: now */
    int64_t created_at;      /* set by the store */
};
/* SYNC_ERR_NOT_FOUND for an unknown link. */
enum sync_rc sync_store_outbox_enqueue(struct sync_store *st, const struct sync_outbox_entry *e,
                                       int64_t *id, struct sync_err *err);
struct sync_outbox_claim {
    int64_t now;      /* entries due at or before now */
    int64_t lease_ms; /* a claimed entry is due again after this, unless completed or rescheduled */
    size_t max;       /* 1..SYNC_STORE_BATCH_MAX */
    /* the batch's group; all NULL: the group of the earliest due entry */
    const char *target, *object, *op;
};
typedef enum sync_rc (*sync_store_outbox_fn)(void *ctx, const struct sync_outbox_entry *e);
/* Claims up to max due entries of one (target, object, op) group, earliest due first, and calls
 * fn for each. Entries are claimed only if the call returns SYNC_OK: a callback error undoes the
 * whole claim; SYNC_DECLINED leaves that entry and the rest unclaimed (e.g. a payload-size cap).
 * Nothing due: SYNC_OK and fn is never called. */
enum sync_rc sync_store_outbox_claim(struct sync_store *st, const struct sync_outbox_claim *req,
                                     sync_store_outbox_fn fn, void *ctx, struct sync_err *err);
/* Removes an applied entry; SYNC_ERR_NOT_FOUND if it is gone. */
enum sync_rc sync_store_outbox_complete(struct sync_store *st, int64_t id, struct sync_err *err);
/* Releases a claim for a retry: attempts + 1, due at next_attempt_at. */
enum sync_rc sync_store_outbox_reschedule(struct sync_store *st, int64_t id,
                                          int64_t next_attempt_at, struct sync_err *err);
/* Releases a claim that was never tried (held back): due at next_attempt_at, no attempt
 * counted. SYNC_ERR_NOT_FOUND if it is gone. */
enum sync_rc sync_store_outbox_release(struct sync_store *st, int64_t id, int64_t next_attempt_at,
                                       struct sync_err *err);
struct sync_outbox_stats {
    int64_t waiting;         /* not claimed */
    int64_t claimed;         /* under a lease */
    int64_t next_attempt_at; /* earliest due time of any entry; 0 when empty */
};
enum sync_rc sync_store_outbox_stats(struct sync_store *st, struct sync_outbox_stats *out,
                                     struct sync_err *err);

/* ---- sync errors: one row per (record, category) ---- */

struct sync_error_row {
    int64_t id; /* set by the store */
    const char *system, *object, *record_id;
    const char *link_id;                        /* NULL when none */
    const char *category;                       /* "DUPLICATE", "VALIDATION", "PERMISSION", ... */
    const char *code;                           /* the vendor's code; NULL: none */
    const char *message;                        /* NULL: none */
    int attempts;                               /* set by the store */
    int64_t first_seen, last_seen, resolved_at; /* set by the store; resolved_at 0: open */
};
/* Opens the record's error of this category, or bumps attempts and last seen on the open one
 * (a resolved one reopens with attempts 1); code and message become the latest. */
enum sync_rc sync_store_error_record(struct sync_store *st, const struct sync_error_row *e,
                                     struct sync_err *err);
/* Resolves the record's open errors of category (NULL: every category). */
enum sync_rc sync_store_error_resolve(struct sync_store *st, const char *system, const char *object,
                                      const char *record_id, const char *category,
                                      struct sync_err *err);
struct sync_error_query {
    const char *category;                    /* NULL: any */
    const char *system, *object, *record_id; /* all set: that record's errors; NULL: any */
    int include_resolved;
    size_t max; /* 0: no limit */
};
typedef enum sync_rc (*sync_store_error_fn)(void *ctx, const struct sync_error_row *e);
/* Errors matching q, most recently seen first. */
enum sync_rc sync_store_error_list(struct sync_store *st, const struct sync_error_query *q,
                                   sync_store_error_fn fn, void *ctx, struct sync_err *err);
typedef enum sync_rc (*sync_store_error_count_fn)(void *ctx, const char *category, int64_t open);
/* Open errors per category, in category order. */
enum sync_rc sync_store_error_counts(struct sync_store *st, sync_store_error_count_fn fn, void *ctx,
                                     struct sync_err *err);

/* ---- conflicts: fields changed on both sides, and how each was settled ---- */

struct sync_conflict_row {
    int64_t id; /* set by the store */
    const char *link_id, *field;
    const char *hs_value; /* NULL: blank */
    int64_t hs_at;
    const char *sf_value;
    int64_t sf_at;
    const char *rule;    /* the field's rule name */
    const char *winner;  /* "hubspot", "salesforce" or "none" */
    int64_t recorded_at; /* set by the store */
};
enum sync_rc sync_store_conflict_insert(struct sync_store *st, const struct sync_conflict_row *c,
                                        int64_t *id, struct sync_err *err);
typedef enum sync_rc (*sync_store_conflict_fn)(void *ctx, const struct sync_conflict_row *c);
/* The link's conflicts, newest first, at most max (0: all). */
enum sync_rc sync_store_conflict_list(struct sync_store *st, const char *link_id, size_t max,
                                      sync_store_conflict_fn fn, void *ctx, struct sync_err *err);

/* ---- decisions: the per-record trace behind `crmsync explain`, bounded ---- */

struct sync_decision_row {
    int64_t id; /* set by the store */
    const char *system, *object, *record_id;
    const char *link_id; /* NULL when none */
    const char *action;  /* short: "write_sf", "skip_echo", ... */
    const char *trace;   /* the planner's reasons */
    int64_t at;          /* set by the store */
};
/* Appends d and keeps only the record's newest keep decisions (0: SYNC_STORE_DECISIONS_KEEP). */
enum sync_rc sync_store_decision_append(struct sync_store *st, const struct sync_decision_row *d,
                                        unsigned keep, struct sync_err *err);
typedef enum sync_rc (*sync_store_decision_fn)(void *ctx, const struct sync_decision_row *d);
/* The record's decisions, newest first, at most max (0: all kept). */
enum sync_rc sync_store_decision_list(struct sync_store *st, const char *system, const char *object,
                                      const char *record_id, size_t max, sync_store_decision_fn fn,
                                      void *ctx, struct sync_err *err);

/* ---- API usage, as the vendors' own headers report it ---- */

struct sync_api_usage {
    char vendor[SYNC_STORE_KIND_MAX]; /* "hubspot", "salesforce" */
    char metric[SYNC_STORE_KIND_MAX]; /* "daily", "10s", ... */
    int64_t used;
    int64_t quota;       /* the limit the vendor reported */
    int64_t reported_at; /* 0 on record: now */
};
/* Replaces the latest report for (vendor, metric). */
enum sync_rc sync_store_api_usage_record(struct sync_store *st, const struct sync_api_usage *u,
                                         struct sync_err *err);
/* The latest report for (vendor, metric); metric NULL: the vendor's most recent of any metric.
 * SYNC_ERR_NOT_FOUND when there is none. */
enum sync_rc sync_store_api_usage_get(struct sync_store *st, const char *vendor, const char *metric,
                                      struct sync_api_usage *out, struct sync_err *err);

/* ---- API calls crmsync made, per vendor and minute (the rolling 24-hour budget) ---- */

/* Adds n (>= 0) calls to the vendor's count for the minute holding at (epoch ms). */
enum sync_rc sync_store_api_calls_add(struct sync_store *st, const char *vendor, int64_t at,
                                      int64_t n, struct sync_err *err);
/* The vendor's calls counted in minutes that start at or after since. */
enum sync_rc sync_store_api_calls_sum(struct sync_store *st, const char *vendor, int64_t since,
                                      int64_t *total, struct sync_err *err);
/* Forgets the vendor's counts of minutes that start before floor. */
enum sync_rc sync_store_api_calls_prune(struct sync_store *st, const char *vendor, int64_t floor,
                                        struct sync_err *err);

/* ---- suspensions: why the integration stopped calling a vendor ---- */

struct sync_suspension_row {
    const char *vendor;  /* "hubspot" or "salesforce" */
    const char *kind;    /* "allocation", "api_limit", ... (engine/budget.h) */
    const char *code;    /* the vendor's error code; NULL: none */
    const char *message; /* required */
    int64_t since;       /* 0 on put: now; an existing row keeps its own */
    int64_t check_at;    /* when the engine tries again by itself; 0: only when cleared */
    int64_t updated_at;  /* set by the store */
};
/* Opens the (vendor, kind) suspension, or updates code, message and check_at of the open one
 * (its since stays). */
enum sync_rc sync_store_suspension_put(struct sync_store *st, const struct sync_suspension_row *s,
                                       struct sync_err *err);
typedef enum sync_rc (*sync_store_suspension_fn)(void *ctx, const struct sync_suspension_row *s);
/* The open suspensions of vendor (NULL: every vendor), oldest first. */
enum sync_rc sync_store_suspension_list(struct sync_store *st, const char *vendor,
                                        sync_store_suspension_fn fn, void *ctx,
                                        struct sync_err *err);
/* Removes the vendor's suspension of kind (NULL: every kind); *cleared (may be NULL) counts
 * the rows removed. */
enum sync_rc sync_store_suspension_clear(struct sync_store *st, const char *vendor,
                                         const char *kind, int64_t *cleared, struct sync_err *err);

/* ---- outbox: putting retries off (the retry policy's suppression) ---- */

/* Moves the waiting entries of target that were tried before (attempts > 0) and are due at or
 * before now to next_attempt_at, without counting an attempt; *moved (may be NULL) counts
 * them. */
enum sync_rc sync_store_outbox_defer_retries(struct sync_store *st, const char *target, int64_t now,
                                             int64_t next_attempt_at, int64_t *moved,
                                             struct sync_err *err);

/* ---- imports: backfill jobs and their progress (engine/import.h) ---- */

#define SYNC_STORE_FILTER_MAX 4096 /* an import's SOQL condition */

struct sync_import_row {
    int64_t id;           /* set by the store on insert */
    const char *system;   /* "salesforce" or "hubspot" */
    const char *object;   /* "Lead", "Contact", "Account", "Opportunity"; "contacts" */
    const char *filter;   /* Salesforce: the SOQL condition; NULL: every record */
    const char *list_id;  /* HubSpot: the list read; NULL: none */
    const char *state;    /* "running", "done", "failed" or "cancelled"; insert: running */
    int64_t total;        /* records to read; -1: unknown */
    int64_t read, queued; /* records read, changes put into the inbox; insert: 0 */
    const char *position; /* where the next page starts; NULL: at the beginning */
    /* set by the store: */
    int64_t started_at, updated_at;
    int64_t finished_at;    /* 0: not finished */
    int64_t run_started_at; /* when the latest run (the first, or a resume) began */
    int64_t run_read;       /* read when that run began (a run's rate counts its own reads) */
    const char *error;      /* the last error; NULL: none */
};
/* Stores a new running job (system, object, filter, list_id, total); *id its id. */
enum sync_rc sync_store_import_insert(struct sync_store *st, const struct sync_import_row *r,
                                      int64_t *id, struct sync_err *err);
typedef enum sync_rc (*sync_store_import_fn)(void *ctx, const struct sync_import_row *r);
/* Calls fn with the job; SYNC_ERR_NOT_FOUND when there is none. */
enum sync_rc sync_store_import_get(struct sync_store *st, int64_t id, sync_store_import_fn fn,
                                   void *ctx, struct sync_err *err);
/* The jobs in state (NULL: any), newest first, at most max (0: all). */
enum sync_rc sync_store_import_list(struct sync_store *st, const char *state, size_t max,
                                    sync_store_import_fn fn, void *ctx, struct sync_err *err);
/* A page done: adds read and queued (>= 0) to the running job's counts and moves its position
 * from from, where the page started (NULL or "": the beginning), to position (NULL: the
 * beginning). SYNC_ERR_NOT_FOUND when no running job has that id at from (it was cancelled or
 * finished meanwhile, or another run of it stored a page first): the caller undoes the page.
 * Put it in the page's transaction. */
enum sync_rc sync_store_import_advance(struct sync_store *st, int64_t id, const char *from,
                                       int64_t read, int64_t queued, const char *position,
                                       struct sync_err *err);
/* Moves the job from state from (NULL: any) to state, with error (NULL: none). "running"
 * starts a run (run_started_at now, run_read the reads so far, finished_at 0); the other states
 * finish it (finished_at now). SYNC_ERR_NOT_FOUND when no job with that id is in from. */
enum sync_rc sync_store_import_set_state(struct sync_store *st, int64_t id, const char *from,
                                         const char *state, const char *error,
                                         struct sync_err *err);
/* 1 when s names an import state ("running", "done", "failed", "cancelled"). */
int sync_store_import_state_ok(const char *s);

/* ---- credentials saved at run time (engine/credentials.h) ---- */

#define SYNC_STORE_SEALED_MAX (64 * 1024) /* a vendor's sealed secrets, as text */
#define SYNC_STORE_URL_MAX 1024

struct sync_credentials_row {
    const char *vendor;    /* "salesforce" */
    const char *sealed;    /* the sealed secrets (core/secret.h) as text; NULL: none stored */
    const char *username;  /* in clear; NULL: none */
    const char *login_url; /* in clear */
    int sandbox;
    const char *grant;  /* "password" or "refresh_token" */
    int valid;          /* 1 logged in, 0 refused, -1 not known */
    int64_t checked_at; /* when valid was found; 0: never */
    const char *error;  /* the refusal when valid is 0; NULL: none */
    int64_t updated_at; /* the credentials' generation: moves on every save and forget */
};
/* Stores the vendor's credentials (sealed, required, and the clear fields), valid as given and
 * checked now; *updated_at (may be NULL) receives the new generation, later than any before. */
enum sync_rc sync_store_credentials_put(struct sync_store *st, const struct sync_credentials_row *r,
                                        int64_t *updated_at, struct sync_err *err);
typedef enum sync_rc (*sync_store_credentials_fn)(void *ctx, const struct sync_credentials_row *r);
/* Calls fn with the vendor's row; SYNC_ERR_NOT_FOUND when there is none. */
enum sync_rc sync_store_credentials_get(struct sync_store *st, const char *vendor,
                                        sync_store_credentials_fn fn, void *ctx,
                                        struct sync_err *err);
/* Forgets the vendor's stored credentials (sealed and clear fields gone, validity not known, a
 * new generation); *had (may be NULL) is 1 when some were stored, else nothing changes. */
enum sync_rc sync_store_credentials_forget(struct sync_store *st, const char *vendor, int *had,
                                           struct sync_err *err);
/* Records the validity (1, 0, or -1 not known; error the refusal, may be NULL) of the vendor's
 * credentials of generation updated_at, checked now. Generation 0 is the file's credentials
 * before anything was stored (a row is made for them). *recorded (may be NULL) is 0 when the
 * row moved on to another generation meanwhile (nothing changed). */
enum sync_rc sync_store_credentials_validity(struct sync_store *st, const char *vendor,
                                             int64_t updated_at, int valid, const char *error,
                                             int *recorded, struct sync_err *err);

/* ---- test seam: failure injection ---- */

/* Makes the nth store operation from now (1: the next) fail with SYNC_ERR_IO before it touches
 * the database; with persist, every later one fails too. 0 disarms. Every operation counts
 * except close, rollback, savepoint rollback, in_transaction and these two; a failed commit
 * rolls back. */
void sync_store_fault_set(struct sync_store *st, unsigned long nth, int persist);
/* Operations run since open (the unit the fault counter counts in). */
unsigned long sync_store_op_count(const struct sync_store *st);

#endif
