/*
 * sync.h: the engine's passes over the data path, for the CLI and (later)
 * the admin API's scheduler.
 *
 *   capture ──▶ inbox ──▶ plan ──▶ outbox ──▶ apply ──▶ links + ledger
 *
 * A pass polls every captured object on both sides into the inbox
 * (src/capture/poll.c), plans the inbox's changes through the pure
 * planner (planstep.c: fetching the other side's record and match
 * candidates the planner asks for) into link, ledger and error rows and
 * outbox entries, then drains the due outbox through the connectors
 * (apply.c). Every step commits as it goes, so a pass may be killed at any
 * moment and the next one carries on (docs/ENGINE.md, invariants 4 and 5).
 *
 * sync_engine_once repeats passes until nothing is left: no new change
 * captured, the inbox empty, no outbox entry due, and HubSpot's settled
 * search window past the moment the call began (so a change made just
 * before it is seen). Retries scheduled for later are left for later.
 *
 * An engine belongs to one thread. Called by `crmsync sync`, `crmsync run`.
 */
#ifndef SYNC_ENGINE_SYNC_H
#define SYNC_ENGINE_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "engine/config.h"

struct sync_engine;
struct sync_store;

struct sync_pass_stats {
    size_t read;          /* records the capture windows returned */
    size_t captured;      /* changes put into the inbox */
    size_t planned;       /* changes planned and removed from the inbox */
    size_t enqueued;      /* outbox entries written by the plans */
    size_t record_errors; /* per-record errors the plans opened */
    size_t written;       /* outbox entries applied (the vendor confirmed them) */
    size_t failed;        /* entries that failed for good (errors recorded) */
    size_t retried;       /* entries rescheduled for a later attempt */
    int64_t covered_ms;   /* every side's changes are in the inbox up to here */
};

/* Opens the store, sets up both connectors and the mappings from a loaded configuration
 * (which must outlive the engine). Makes no vendor call. */
enum sync_rc sync_engine_open(struct sync_engine **out, const struct sync_config *cfg,
                              struct sync_err *err);
void sync_engine_close(struct sync_engine *e);
/* borrowed: the engine's store */
struct sync_store *sync_engine_store(struct sync_engine *e);
/* The poll_interval in force (the file's, or the override the last pass or refresh loaded). */
int64_t sync_engine_poll_interval_ms(const struct sync_engine *e);
/* Reads the store's poll_interval again, so a change made while the engine waits between passes
 * takes effect in that wait (the other settings wait for the next pass). */
enum sync_rc sync_engine_poll_interval_refresh(struct sync_engine *e, struct sync_err *err);

/* One pass: capture, plan, apply. stats accumulates (it is not zeroed). */
enum sync_rc sync_engine_pass(struct sync_engine *e, struct sync_pass_stats *stats,
                              struct sync_err *err);

/* Passes until nothing is left to do (see above); at most max_passes (0: 100), after which it
 * fails with SYNC_AGAIN. stats receives the totals. */
enum sync_rc sync_engine_once(struct sync_engine *e, unsigned max_passes,
                              struct sync_pass_stats *stats, struct sync_err *err);

#endif
