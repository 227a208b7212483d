/*
 * budget.h: the Salesforce API budget, integration-level suspensions and
 * the retry policy's suppression, as HubSpot's native connector documents
 * them.
 *
 * Budget. Every Salesforce call crmsync makes that Salesforce counts (an
 * answer carrying Sforce-Limit-Info, the refusal past the daily limit
 * excepted) is counted per minute in the store (api_calls), so the calls
 * of the rolling last 24 hours are known to every process on the store,
 * next to the org's own usage and limit from the same header (api_usage).
 *
 * Suspensions. The integration suspends itself (no Salesforce call; HubSpot
 * changes keep queueing in the inbox) for one of these, kept in the store
 * (suspensions) so `crmsync status` shows it:
 *
 *   allocation          crmsync's own 24-hour calls reached the
 *                       salesforce_api_allocation setting (0: none). Clears
 *                       by itself once the rolling window frees calls (or
 *                       the allocation is raised).
 *   api_limit           the org's 24-hour budget is used up: 403
 *                       REQUEST_LIMIT_EXCEEDED ("TotalRequests Limit
 *                       exceeded."), or Sforce-Limit-Info at its limit.
 *                       Clears by itself: tried again every
 *                       SYNC_BUDGET_RETRY_MS.
 *   api_disabled        403 API_DISABLED_FOR_ORG: the user's profile lacks
 *                       "API Enabled". Cleared only by `crmsync suspension
 *                       clear` (after granting it).
 *   object_permissions  a synced object refused as a whole: 403
 *                       INSUFFICIENT_ACCESS[_OR_READONLY] on a call, or
 *                       INVALID_TYPE "sObject type ... is not supported",
 *                       or records of a write refused where describe says
 *                       the user may not write the object at all
 *                       (sync__budget_object_refused, from apply.c).
 *                       Cleared only by `crmsync suspension clear`.
 *   unknown             any other 403. Clears by itself (tried again every
 *                       SYNC_BUDGET_RETRY_MS), or `crmsync suspension clear`.
 *
 * Per-record errors (a refused field, a validation rule) are never
 * suspensions: they are sync errors of their record.
 *
 * Retry policy. Automatic retries of failed writes to Salesforce are
 * suppressed while crmsync has used more than retry_suppress_above_percent
 * of its allocation in 24 hours or, with no allocation, more than
 * retry_suppress_above_calls calls: due retries are put off by
 * retry_interval (no attempt counted); fresh changes still sync.
 *
 * The engine (sync.c, apply.c) calls the sync__budget_* functions, from its
 * one thread, between steps (never inside a store transaction); the CLI
 * calls sync_budget_status and sync_budget_clear with a store of its own.
 */
#ifndef SYNC_ENGINE_BUDGET_H
#define SYNC_ENGINE_BUDGET_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "engine/config.h"

struct sync_engine;
struct sync_store;
struct sync_conn_usage;

#define SYNC_BUDGET_WINDOW_MS (24LL * 60 * 60 * 1000) /* Salesforce's rolling window */
#define SYNC_BUDGET_RETRY_MS (5LL * 60 * 1000) /* a self-clearing suspension is tried again */

/* In order of severity: the first open one is what status shows. */
enum sync_suspension_kind {
    SYNC_SUSPEND_API_DISABLED,
    SYNC_SUSPEND_OBJECT_PERMISSIONS,
    SYNC_SUSPEND_UNKNOWN,
    SYNC_SUSPEND_API_LIMIT,
    SYNC_SUSPEND_ALLOCATION,
    SYNC_SUSPEND__COUNT
};

/* "api_disabled", "object_permissions", "unknown", "api_limit", "allocation". */
const char *sync_suspension_kind_name(enum sync_suspension_kind k);
/* The kind of a name; -1 when unknown. */
int sync_suspension_kind_find(const char *name);
/* A title, as HubSpot's suspension cards name them ("Salesforce organization API limit
 * exceeded", ...). */
const char *sync_suspension_title(enum sync_suspension_kind k);
/* How to clear it, one sentence. */
const char *sync_suspension_fix(enum sync_suspension_kind k);
/* 1: the engine clears it by itself (allocation, api_limit, unknown); 0: only an explicit
 * clear does. */
int sync_suspension_clears_itself(enum sync_suspension_kind k);

/* The suspension a Salesforce error answer means (status, errorCode, message), or -1 when it
 * means none (a record's own error, a transient failure). */
int sync_budget_classify(long status, const char *code, const char *message);

/* Whether automatic retries are suppressed for this 24-hour usage: above percent of the
 * allocation, or with no allocation (0) above calls. */
int sync_budget_retries_suppressed_for(int64_t used_24h, int64_t allocation, int64_t percent,
                                       int64_t calls);

/* The first instant after now at minutes after midnight UTC (the nightly retry). */
int64_t sync_budget_next_daily(int64_t now, int64_t minutes);

/* The budget and suspension as `crmsync status` shows them, for the settings in force:
 *   {"used_24h", "allocation", "org_used", "org_limit", "percent_of_allocation",
 *    "suspended": {"kind","title","since","code","message","clears_itself","how_to_clear",
 *                  "next_check_at"} | null,
 *    "suspensions": [same, every open one], "retries_suppressed": bool}
 * org_used, org_limit (the latest Sforce-Limit-Info) and percent_of_allocation (no allocation)
 * may be null; times are ISO-8601. *out is new. */
enum sync_rc sync_budget_status(struct sync_store *st, const struct sync_settings *s, int64_t now,
                                json_t **out, struct sync_err *err);

/* Clears the Salesforce suspension of kind (NULL: every one); *cleared (may be NULL) counts
 * them. The engine tries Salesforce again on its next pass (and suspends again if the cause is
 * still there). */
enum sync_rc sync_budget_clear(struct sync_store *st, const char *kind, int64_t *cleared,
                               struct sync_err *err);

/* ---- the engine's side (struct sync_engine.budget) ---- */

struct sync_budget_state {
    int64_t pending;               /* calls counted, not yet in the store */
    int64_t used_24h;              /* the store's count at the last check, plus pending */
    long long org_used, org_limit; /* the latest Sforce-Limit-Info; org_limit <= 0: none */
    int noted;                     /* kind + 1 of a suspension an answer meant; 0: none */
    char noted_code[64];
    char noted_message[512];
    unsigned open; /* bit per kind open in the store */
    int64_t check_at[SYNC_SUSPEND__COUNT];
    int probing;   /* kind + 1 being tried again: a counted answer clears it */
    int probe_ok;  /* a counted answer with no suspension error came since the check */
    int announced; /* the suspensions found at start were logged */
    int retries_suppressed;
};

/* The engine's usage callback for a Salesforce answer (counts it; notes what it means). */
void sync__budget_on_answer(struct sync_budget_state *b, const struct sync_conn_usage *u);
/* At the start of a pass: the suspensions another process set or cleared, and tries again a
 * self-clearing one that is due; then as sync__budget_ok. */
int sync__budget_pass_start(struct sync_engine *e);
/* Whether Salesforce may be called now: stores the calls counted, opens the suspension an
 * answer meant, checks the allocation and the org's limit (opening or clearing their
 * suspensions, logged), and works out the retry suppression. Store failures are logged; the
 * state in memory still holds. */
int sync__budget_ok(struct sync_engine *e);
/* After Salesforce refused records of object in a write (op, an enum sync_conn_op) with
 * refusal (INSUFFICIENT_ACCESS_OR_READONLY, INVALID_TYPE, NOT_FOUND): asks Salesforce's describe
 * of the object, which answers for the integration user, whether the user lacks the object
 * permission itself (describe answers 404, or the object is not createable / updateable /
 * deletable as op needs) rather than access to those records. When so, notes the
 * object_permissions suspension (opened by the next sync__budget_ok) and returns 1; else 0
 * (the records keep their own errors). */
int sync__budget_object_refused(struct sync_engine *e, const char *object, int op,
                                const struct sync_err *refusal);
/* Whether the last check left the integration suspended. */
int sync__budget_suspended(const struct sync_engine *e);
/* Whether err (a failed call's) is what the open suspension is about. */
int sync__budget_explains(const struct sync_engine *e, const struct sync_err *err);
/* Stores the calls counted (at the end of a pass). */
void sync__budget_flush(struct sync_engine *e);
/* When retries are suppressed: puts off the due Salesforce retries by retry_interval. */
void sync__budget_defer_retries(struct sync_engine *e);

#endif
