/*
 * timeline.h: capture of the HubSpot activities timeline sync reads that
 * are not CRM objects: form submissions (forms API) and marketing email
 * events (email events API: SENT, OPEN, CLICK). The engagements (notes,
 * calls, emails, meetings, tasks) are CRM objects and come through the
 * ordinary windows of poll.h.
 *
 * Each kind has a cursor ("hubspot:form_submissions",
 * "hubspot:email_events": {"ts": epoch ms}); a missing cursor starts at
 * the first poll, so nothing from before timeline sync is read. Each
 * activity goes into the inbox as a change of object "form_submissions"
 * or "email_events" (id: the conversion or event id; version: when it
 * happened) whose payload looks like a HubSpot record:
 *   {"id", "properties": {"hs_timestamp", "hs_createdate",
 *    "hs_lastmodifieddate" (all the event's time, epoch ms as text),
 *    "email" (the submitter or recipient), and for a submission
 *    "form_name", "page_url", "form_values" ("name: value" lines); for an
 *    email event "event_type" (SENT, OPEN, CLICK), "campaign_name",
 *    "subject", "url"}}.
 * The events and the cursor are committed together (email events) or
 * form by form before the cursor moves (submissions); a crash repeats at
 * most what the inbox then holds once (same id and version).
 *
 * Called by the engine's pass (src/engine/sync.c) while a timeline type
 * that needs them is on.
 */
#ifndef SYNC_CAPTURE_TIMELINE_H
#define SYNC_CAPTURE_TIMELINE_H

#include <jansson.h>
#include <stdint.h>

#include "capture/poll.h"
#include "connectors/connector.h"
#include "store/store.h"

enum sync_rc sync_poll_form_submissions(struct sync_store *st, struct sync_conn *c, int64_t now_ms,
                                        struct sync_poll_result *out, struct sync_err *err);
/* campaigns: a cache (id -> campaign) the caller keeps for the process. */
enum sync_rc sync_poll_email_events(struct sync_store *st, struct sync_conn *c, int64_t now_ms,
                                    json_t *campaigns, struct sync_poll_result *out,
                                    struct sync_err *err);

#endif
