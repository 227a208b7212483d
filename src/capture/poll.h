/*
 * poll.h: polling capture, one source (a vendor object) at a time.
 *
 * A source is one object on one side ("salesforce:Lead",
 * "hubspot:contacts"). sync_poll_source reads the records changed since
 * the source's cursor through the connector's keyset windows
 * (sync_conn_read_changes), page by page, and writes each page's changes
 * into the inbox in the same store transaction that moves the cursor past
 * them (docs/ENGINE.md, invariant 4). A crash between pages loses nothing
 * and repeats nothing that was committed.
 *
 * Salesforce stamps SystemModstamp when a transaction starts, so a long
 * transaction can commit rows stamped before the cursor, and it stamps
 * whole seconds, so a row changed twice in one second keeps its stamp. A
 * source with a lookback re-reads that far behind its cursor (on a
 * process's first poll, then at most every SYNC_POLL_SWEEP_EVERY_MS, so a
 * commit up to lookback minus that interval late is caught) and drops the
 * rows it has already read: same Id, same SystemModstamp and the same
 * values (a digest of them). The rows read are kept in the store
 * (sync_store_seen_mark) as long as the lookback can reach them, in the
 * page's transaction, so no bound on a burst's size applies.

 * HubSpot search lags writes: the connector clamps each window's upper
 * bound to a settled instant, and the result's covered_ms says how far
 * the inbox is now complete for the source.
 *
 * The cursor position is JSON: {"ts":ms,"id":"...","tie":bool} (the
 * connector's keyset position; tie: HubSpot's next page reads one stamp by
 * id). A source without a cursor starts at the epoch:
 * its first poll captures every record (the initial sync); one marked
 * from_now starts at its first poll instead.
 *
 * Called by the engine's pass (src/engine/sync.c); uses only the store
 * and connector interfaces.
 */
#ifndef SYNC_CAPTURE_POLL_H
#define SYNC_CAPTURE_POLL_H

#include <stddef.h>
#include <stdint.h>

#include "connectors/connector.h"
#include "core/err.h"
#include "store/store.h"

#define SYNC_POLL_SWEEP_EVERY_MS (10 * 1000) /* lookback re-reads, at most this often */

/* Whether a periodic re-read last done at last_ms (0: never) is due at now_ms: never done, every_ms
 * passed, or a clock gone back (last_ms after now_ms). Every capture's sweep asks this. */
int sync_poll_sweep_due(int64_t last_ms, int64_t now_ms, int64_t every_ms);

struct sync_poll_source {
    const char *system;        /* "hubspot" or "salesforce" */
    const char *object;        /* "contacts", "Lead", ... */
    const char *const *fields; /* NULL-terminated fields to capture */
    int64_t lookback_ms;       /* re-read this far behind the cursor (Salesforce) */
    int include_deleted;       /* Salesforce: queryAll, so deletes and merges are captured */
    size_t page;               /* records per page; 0: the vendor's maximum */
    int64_t swept_ms;          /* set by polling: when the lookback was last re-read */
    int from_now;              /* no cursor yet: start at start_ms, not the epoch (no initial sync:
                                  Salesforce cases sync only once created or changed) */
    int64_t start_ms; /* from_now: when its switch was turned on; 0 (or later than now): now. A
                         cursor made before start_ms (the switch went off and on again) starts
                         over there */
};

struct sync_poll_result {
    size_t read;        /* records the windows returned */
    size_t stored;      /* changes put into the inbox (new, or newer than held) */
    int64_t covered_ms; /* the inbox now holds every change of the source up to here */
};

/* The cursor name of a source: "salesforce:Lead". */
void sync_poll_cursor_name(const struct sync_poll_source *src, char *out, size_t n);

/* Polls the source once: every page up to now_ms (HubSpot: the settled instant before it).
 * Changes and the cursor are committed page by page. */
enum sync_rc sync_poll_source(struct sync_store *st, struct sync_conn *c,
                              struct sync_poll_source *src, int64_t now_ms,
                              struct sync_poll_result *out, struct sync_err *err);

/* Deletes a source's windows cannot see (HubSpot: archived records leave search; Salesforce
 * deletes and merges come through its queryAll windows instead). Every record archived since
 * the source's delete cursor ("hubspot:contacts:deleted", JSON {"since":ms,"ids":[...]}, the ids
 * archived at that instant) goes into the inbox as a deleted change, in one transaction with the
 * cursor. HubSpot's archived list has no time filter, so each call pages through all of it:
 * callers poll it less often than the windows. */
enum sync_rc sync_poll_deletes(struct sync_store *st, struct sync_conn *c,
                               const struct sync_poll_source *src, struct sync_poll_result *out,
                               struct sync_err *err);

/* What the connector's vendor record says about itself: id, version stamp (epoch ms) and
 * whether it is deleted. 0 when the record lacks an id or a parsable stamp. */
int sync_poll_record_key(enum sync_vendor vendor, const char *object, const json_t *rec,
                         const char **id, int64_t *version, int *deleted);

#endif
