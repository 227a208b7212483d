/*
 * activity.h: what a HubSpot activity becomes as a Salesforce task
 * (timeline sync, seed 003; docs/ACTIVITIES.md). Pure: the planner's
 * plan_timeline asks these for the activity's type, the contact the
 * task goes to and the task's fields, and writes the ops and the trace.
 *
 * The rules:
 *   - type: a form submission; a marketing email event SENT, OPEN or
 *     CLICK; a sales email (an email engagement sent, direction EMAIL);
 *     a meeting, call, note or task engagement; a sales email's open or
 *     click and a sales document's view, which HubSpot keeps only in
 *     calculated properties (sync_activity_derived turns them into
 *     events).
 *   - one Salesforce record per activity: among its contacts that sync
 *     with Salesforce, the most recently created in HubSpot, ties broken
 *     by the highest HubSpot id.
 *   - Subject: the type's format setting with {form}, {email} (the
 *     marketing email's name), {subject}, {title}, {body} (the first 80
 *     characters of a note), {document} and {url} filled in; at most 255
 *     characters (characters, as Salesforce counts them, not bytes).
 *   - Description: the activity's details as plain text (HTML tags
 *     dropped), at most 32,000 characters; attachments never.
 *   - ActivityDate: the UTC date of the activity's time (a task's due
 *     date), never shifted by a time zone.
 *   - Status: Completed, except a HubSpot task's own status (NOT_STARTED
 *     Not Started, IN_PROGRESS In Progress, WAITING Waiting on someone
 *     else, DEFERRED Deferred); Priority from a task's (HIGH High, LOW
 *     Low, else Normal).
 *   - Type: the type's task type setting, or none.
 */
#ifndef SYNC_ENGINE_ACTIVITY_H
#define SYNC_ENGINE_ACTIVITY_H

#include <jansson.h>
#include <stdint.h>

#include "engine/config.h"
#include "engine/planner.h"

#define SYNC_ACTIVITY_SUBJECT_MAX 255
#define SYNC_ACTIVITY_BODY_MAX 32000

/* The timeline type of a HubSpot activity (object: "notes", "email_events", ...; props: its
 * properties). 0, or -1 for an activity timeline sync does not write (an incoming email, a
 * bounce). */
int sync_activity_type(const char *object, const json_t *props, enum sync_timeline_type *out);

/* Whether activities of type t happen once (a form submission, an email opened, a document
 * viewed: the task is written once) rather than being records that change (a note, a call). */
int sync_activity_is_event(enum sync_timeline_type t);

/* The events a captured HubSpot record holds in its calculated properties, all HubSpot's APIs
 * give of them: a sent sales email's ("emails") latest open and click (hs_email_last_open_date,
 * hs_email_last_click_date, with their counts) and a contact's latest view of a sales document
 * (hs_document_last_revisited). An array of {"object", "id", "at", "record"}, the record shaped
 * like HubSpot's: object "sales_email_events" (id "<email>:OPEN|CLICK:<ms>"; properties
 * event_type, email_id, hs_email_subject, hubspot_owner_id, count) or "document_views" (id
 * "<contact>:<ms>"; contact_id, email), with hs_timestamp and hs_createdate the event's time.
 * A later open is a new event; the same one seen again has the same id. Empty when none; NULL
 * on memory. */
json_t *sync_activity_derived(const char *object, const char *id, const json_t *props);

/* A property holding a time (epoch ms as text, or ISO-8601), epoch ms; 0 when absent. */
int64_t sync_activity_time(const json_t *props, const char *name);

/* The party the task goes to (the rule above), or -1 when none syncs with Salesforce; *waiting
 * is set when one of them is linked but not created in Salesforce yet. */
int sync_activity_party(const struct sync_plan_party *p, size_t n, int *waiting);

/* The task's Subject, Description, ActivityDate, Status, Priority and (task_type non-empty)
 * Type for an activity of type t; a new object, NULL on memory. */
json_t *sync_activity_task(enum sync_timeline_type t, const char *object, const json_t *props,
                           const char *subject_format, const char *task_type);

/* Plain text of HTML-ish text (tags dropped, a line break for <br> and a block's end, named and
 * numeric entities decoded, leading and trailing blanks trimmed), at most max characters and never
 * a split one, into out (cap SYNC_ACTIVITY_PLAIN_CAP(max) bytes). */
#define SYNC_ACTIVITY_PLAIN_CAP(max) ((size_t)(max)*4 + 1)
void sync_activity_plain(const char *html, char *out, size_t max);

#endif
