/*
 * timeline.h: capture of the HubSpot activities timeline sync reads that
 * are not CRM objects: form submissions (forms API) and marketing email
 * events (email events API: SENT, OPEN, CLICK). The engagements (notes,
 * calls, emails, meetings, tasks) are CRM objects and come through the
 * ordinary windows of poll.h.
 *
 * Each kind has a cursor ("hubspot:form_submissions",
 * "hubspot:email_events": {"ts": epoch ms}, with a mark beside it: see
 * below for "read" and "swept"); a missing cursor starts
 * where the caller says the type was turned on (else at the first poll),
 * so nothing from before timeline sync is read. Each
 * activity goes into the inbox as a change of object "form_submissions"
 * or "email_events" (id: the conversion or event id; version: when it
 * happened) whose payload looks like a HubSpot record:
 *   {"id", "properties": {"hs_timestamp", "hs_createdate",
 *    "hs_lastmodifieddate" (all the event's time, epoch ms as text),
 *    "email" (the submitter or recipient), and for a submission
 *    "form_name", "form_id", "page_url", "form_values" ("name: value" lines); for an
 *    email event "event_type" (SENT, OPEN, CLICK), "campaign_name",
 *    "subject", "url"}}.
 * The events and the cursor are committed together (email events) or
 * form by form before the cursor moves (submissions); a crash repeats at
 * most what the inbox then holds once (same id and version).
 *
 * now_ms is the settled instant (the pass's time less hubspot.search_
 * settle): events after it wait for a later pass, as the CRM windows leave
 * records HubSpot search may not show yet, so the contact a form
 * submission made (or an email went to) is captured, and planned, no
 * later than its event.
 *
 * Reading the submissions costs a call per form, so the forms are read
 * only when there may be something to read. The form submissions cursor
 * also keeps "read": the settled instant (now_ms) of the last pass that
 * read every form, and so read every submission made up to it. A pass
 * reads every form when the cursor has no "read" yet (the first read),
 * when SYNC_TIMELINE_FORMS_SWEEP_MS have passed since it (a sweep), or
 * when one contacts search (the gate: recent_conversion_date GT read,
 * limit 1) finds a contact, HubSpot setting that calculated property to
 * a submission's time on every submission and moving it only forward; a
 * gate that fails reads them too. Otherwise the pass costs that one
 * call. Nothing is lost: "read" moves only with a read of every form,
 * so a submission after it has a contact whose recent_conversion_date
 * stays after it, and every later gate asks about it until a read takes
 * it in. A contact the search does not show yet (search lags writes) is
 * found by a later pass's gate; one it never shows (merged or deleted
 * before it was indexed, a portal without the property, a clock behind
 * ours) by the sweep, which reads from the submissions cursor ("ts",
 * the newest submission read), not from "read". A conversion no form
 * read shows (a form type or an archived form the forms list leaves
 * out) makes one read, not one per pass, as "read" moves past it.
 * "read" is kept in the store, so it holds from one process to the
 * next (each sync --once run) as in a running engine.
 *
 * These events cannot be read again by id. One whose contact is not in
 * Salesforce yet (its create still to land) is kept aside ("parked": the
 * store setting "timeline_waiting:<object>:<id>", the change as captured)
 * by the plan step, and put back into the inbox by the engine after links
 * moved, as an engagement waiting for its contact is read again.
 *
 * Called by the engine's pass (src/engine/sync.c) while a timeline type
 * that needs them is on, and by the plan step (src/engine/planstep.c).
 */
#ifndef SYNC_CAPTURE_TIMELINE_H
#define SYNC_CAPTURE_TIMELINE_H

#include <jansson.h>
#include <stdint.h>

#include "capture/poll.h"
#include "connectors/connector.h"
#include "store/store.h"

/* How long at most the forms go unread (timeline.h: the sweep) when the contacts search shows
 * no conversion since they were last read. */
#define SYNC_TIMELINE_FORMS_SWEEP_MS (10 * 60 * 1000)

/* start_ms: where a kind's first read starts (when its switch went on; 0: now). */
enum sync_rc sync_poll_form_submissions(struct sync_store *st, struct sync_conn *c, int64_t now_ms,
                                        int64_t start_ms, struct sync_poll_result *out,
                                        struct sync_err *err);
/* How late an email event may become readable and still be read, once: HubSpot records an event
 * under when it happened, so it can become readable behind later ones. A read sweeps on a
 * process's first read, then at most every SYNC_TIMELINE_EVENTS_SWEEP_MS: it reaches
 * SYNC_TIMELINE_EVENTS_LOOKBACK_MS behind the cursor as the last sweep left it (the cursor's
 * "swept"), so an event at most that far behind the cursor when it became readable is read by
 * the next sweep. The reads between ask only for what is after the cursor, so a send to a large
 * list is not read again and again on every pass. */
#define SYNC_TIMELINE_EVENTS_LOOKBACK_MS (10 * 60 * 1000)
#define SYNC_TIMELINE_EVENTS_SWEEP_MS (2 * 60 * 1000)

/* campaigns: a cache (id -> campaign) the caller keeps for the process; swept_ms: when this
 * process last swept the lookback (0: not yet), which the read keeps up to date. */
enum sync_rc sync_poll_email_events(struct sync_store *st, struct sync_conn *c, int64_t now_ms,
                                    int64_t start_ms, json_t *campaigns, int64_t *swept_ms,
                                    struct sync_poll_result *out, struct sync_err *err);

/* Whether object is one of these events ("form_submissions", "email_events"), or one the plan
 * step derives from calculated properties ("sales_email_events", "document_views"): events
 * that cannot be read again by id, so they are parked while they wait. */
int sync_timeline_event(const char *object);

/* Keeps the event change (object, id, version, payload: as in the inbox) until links move; an
 * event that cannot be kept (an id too long for a key) is logged and left. */
enum sync_rc sync_timeline_park(struct sync_store *st, const char *object, const char *id,
                                int64_t version, const char *payload, struct sync_err *err);

/* Puts every kept event back into the inbox (as captured) and forgets it. */
enum sync_rc sync_timeline_unpark(struct sync_store *st, struct sync_err *err);

#endif
