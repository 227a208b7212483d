/*
 * apply.h: draining the outbox through the connectors.
 *
 * sync_apply_run claims the due outbox entries one group at a time (one
 * target, object and operation: a HubSpot batch endpoint, a Salesforce
 * sObject Collection), writes them with sync_conn_write and records every
 * result: the link (ids, state, last sync), the ledger rows the plan held
 * back until the write succeeded, the record's sync errors, and the
 * entry's removal, all in one store transaction per batch (docs/ENGINE.md,
 * invariants 1 and 5). Creates go out as upserts on the link id, so a
 * batch replayed after a crash updates what the first attempt made.
 *
 * Per record: a permanent error is recorded in sync_errors under its
 * sync-health category and never holds back the rest of the batch
 * (invariant 7); a retryable one is rescheduled with backoff; an
 * ambiguous outcome (the request left, no answer came) is resolved by
 * reading the record back (by link id for upserts, by id otherwise) and
 * never by sending it again blindly (invariant 6).
 *
 * The outbox entry payload (written by planstep.c) is JSON:
 *   {"kind", "source": {"system","object","id"}, "id", "fields", "flags",
 *    "ledger": [{"field","value","by","at"}]}
 * where source is the record whose change the write carries (errors are
 * shown on it) and id the target record (updates and deletes).
 *
 * Called by the engine's pass (sync.c).
 */
#ifndef SYNC_ENGINE_APPLY_H
#define SYNC_ENGINE_APPLY_H

#include <stdint.h>

#include "core/err.h"
#include "engine/sync.h"

/* Payload flags */
#define SYNC_APPLY_F_ASSIGN 1u /* a new lead with no mapped owner: let assignment rules run */

/* The retry schedule of a failed write, HubSpot's "every 30 minutes, 10 times, then nightly"
 * with quick retries first: after 0.5 s, doubling while under a minute and under interval_ms
 * (a blip, an association end waiting for its create; 7 of them for an interval of a minute or
 * more), then max_attempts retries every interval_ms, then once a day at nightly_minutes past
 * midnight UTC (the nightly retry; *nightly set). */
struct sync_retry_schedule {
    int64_t interval_ms;     /* retry_interval */
    int64_t max_attempts;    /* retry_max_attempts: the retries every interval_ms */
    int64_t nightly_minutes; /* retry_nightly_at */
};

/* When an entry is tried again whose write failed at now after attempts earlier failures. */
int64_t sync_apply_retry_at(const struct sync_retry_schedule *r, int attempts, int64_t now,
                            int *nightly);

/* Applies every outbox entry due now; stats->written, failed and retried accumulate. Fails only
 * when the store fails; vendor failures are recorded per entry. */
enum sync_rc sync_apply_run(struct sync_engine *e, struct sync_pass_stats *stats,
                            struct sync_err *err);

#endif
