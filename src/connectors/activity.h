/*
 * activity.h: the HubSpot reads timeline sync needs beside the CRM
 * object windows of connector.h (the engagements: notes, calls, emails,
 * meetings and tasks are CRM objects and come through those windows):
 * the forms and their submissions (forms API), whether any contact
 * converted since a time (contacts search on recent_conversion_date: the
 * gate before reading every form), and the marketing email events with
 * the campaigns they belong to (email events API).
 *
 * Both APIs answer newest first; each read here goes back to a given
 * instant and stops there, paging as the vendor pages. Every request goes
 * through the connector's one request path (pacing, auth, retries, usage
 * reports). activity.c is the only file behind this header. Called by the
 * timeline capture (src/capture/timeline.c).
 */
#ifndef SYNC_CONNECTORS_ACTIVITY_H
#define SYNC_CONNECTORS_ACTIVITY_H

#include <jansson.h>
#include <stdint.h>

#include "connectors/connector.h"

/* HubSpot: every form, out->records = [{"id", "name"}] (all pages). */
enum sync_rc sync_conn_hs_forms(struct sync_conn *c, struct sync_conn_batch *out,
                                struct sync_err *err);

/* HubSpot: the form's submissions made after since_ms (epoch ms), newest first, as the vendor
 * answers them ({"submittedAt", "values": [{"name","value"}], "pageUrl", "conversionId"}). */
enum sync_rc sync_conn_hs_form_submissions(struct sync_conn *c, const char *form_id,
                                           int64_t since_ms, struct sync_conn_batch *out,
                                           struct sync_err *err);

/* HubSpot: whether any contact converted (submitted a form) after since_ms (epoch ms), as the
 * contacts search shows it: one search on HubSpot's calculated recent_conversion_date (GT
 * since_ms, limit 1, only that property); *any is 1 when it counts one. The search lags writes,
 * and a portal may lack the property: a 0 is "none that search shows yet", not "none". */
enum sync_rc sync_conn_hs_converted_since(struct sync_conn *c, int64_t since_ms, int *any,
                                          struct sync_err *err);

/* HubSpot: the marketing email events created in (since_ms, until_ms], newest first, as the
 * vendor answers them ({"id", "created", "type", "recipient", "emailCampaignId", "url"?, ...}). */
enum sync_rc sync_conn_hs_email_events(struct sync_conn *c, int64_t since_ms, int64_t until_ms,
                                       struct sync_conn_batch *out, struct sync_err *err);

/* HubSpot: one email campaign ({"id", "name", "subject", ...}); *out a new reference. */
enum sync_rc sync_conn_hs_email_campaign(struct sync_conn *c, int64_t id, json_t **out,
                                         struct sync_err *err);

#endif
