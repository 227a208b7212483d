/*
 * hubspot.h: the pure pieces of the HubSpot connector, shared by
 * hubspot.c and hubspot_wire.c and unit-tested on their own: the search
 * body of the keyset window, the rate-limit headers and the error bodies.
 * Nothing here does I/O.
 */
#ifndef SYNC_CONNECTORS_HUBSPOT_H
#define SYNC_CONNECTORS_HUBSPOT_H

#include <jansson.h>
#include <stdint.h>

#include "connectors/connector.h"

/* 1 when o can be an object type in a URL path: lower-case letters, digits, '_' and '-' (names
 * like "contacts" and ids like "0-1" or "2-123"). */
int sync_hs_object_ok(const char *o);

/* The last-modified property of an object type: contacts "lastmodifieddate", others
 * "hs_lastmodifieddate". */
const char *sync_hs_lastmodified_prop(const char *object);

/*
 * Keyset windows on (last-modified, hs_object_id). HubSpot allows one sort only, so a window
 * reads two kinds of page:
 *   range page (!after->tie): lm GTE after.ts AND lm LTE upper, sorted by lm
 *   tie page   (after->tie):  lm EQ after.ts AND hs_object_id GT after.id, sorted by id
 * Neither uses `after` offsets, so the 10,000-result cap never stops a window.
 *
 * A cursor (ts, id) means: every record stamped before ts is captured, and those stamped ts with
 * an id up to id ("" none). A range page drops what the cursor already covers and keeps what is
 * stamped before its last stamp (a full page may end inside a group of equal stamps); the next
 * range page starts at that last stamp. Only a full page that is one stamp throughout switches
 * to tie pages, which read that group by id to its end and then go on at ts + 1.
 */

/* The search body for one page of a window. */
json_t *sync_hs_search_body(const char *lm_prop, const struct sync_conn_cursor *after,
                            int64_t upper_ms, const char *const *props, size_t limit);

/* Reads one page's results (as the search returned them) against the window: appends the records
 * to capture to take, sets *next and *done (the window is exhausted). -1 when a record has no
 * readable stamp or id. */
int sync_hs_window_page(const json_t *results, const char *lm_prop,
                        const struct sync_conn_cursor *after, int64_t upper_ms, size_t limit,
                        json_t *take, struct sync_conn_cursor *next, int *done);

/* Fills u from the X-HubSpot-RateLimit-* header values (any may be NULL); returns 1 when at
 * least one was present. */
int sync_hs_usage_from_headers(const char *daily, const char *daily_remaining, const char *max,
                               const char *remaining, const char *interval_ms,
                               struct sync_conn_usage *u);

/* Fills err from a HubSpot error body (standard error, 429 body, or a batch error item): the
 * code is the first errors[].code, else the category (RATE_LIMITS, CONFLICT, ...). Sets the
 * class and *retry_after_ms (ten-second window: Retry-After or the window; secondly: 1 s;
 * daily: -1, never retried). Returns 1 when an OAuth token expired. */
int sync_hs_error(const json_t *body, long status, const char *retry_after, int64_t window_ms,
                  struct sync_err *err, int64_t *retry_after_ms);

/* Associations and pipelines (hubspot_assoc.c), members of sync_hubspot_ops: v4 batch read,
 * v4 batch create (primary for a company target) and archive, and the deal pipelines. */
enum sync_rc sync_hs_read_assoc(struct sync_conn *c, const char *from_object, const char *to_object,
                                const char *const *ids, size_t n, struct sync_conn_batch *out,
                                struct sync_err *err);
enum sync_rc sync_hs_associate(struct sync_conn *c, const char *from_object, const char *to_object,
                               const struct sync_conn_assoc *pairs, size_t n, int remove,
                               struct sync_conn_result *res, struct sync_err *err);
enum sync_rc sync_hs_list_stages(struct sync_conn *c, int tickets, struct sync_conn_batch *out,
                                 struct sync_err *err);
/* The HubSpot-defined association type a new association of from -> to gets (a company target:
 * primary), 0 for a pair crmsync does not associate. */
int sync_hs_assoc_type(const char *from_object, const char *to_object);
/* The primary type of from -> to (contacts/deals -> companies), 0 when the pair has none. */
int sync_hs_assoc_primary_type(const char *from_object, const char *to_object);

#endif
