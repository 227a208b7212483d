/*
 * record.h: vendor records as the planner sees them, and the fields the
 * engine reads for each object.
 *
 * Capture, fetches and searches return records in the vendor's own JSON
 * (a Salesforce sObject with attributes, a HubSpot object with
 * properties). sync_rec_init wraps one into a struct sync_plan_record
 * (planner.h) without copying: the plan record borrows strings from the
 * JSON, which the struct sync_rec keeps a reference to.
 *
 * sync_fieldset_build lists, per object, the fields a record must carry
 * for the planner to judge it: every mapped field of the kind on that
 * object, the link-id field, and the keys the planner reads (email,
 * created and modified stamps, lead conversion, merges).
 *
 * Pure apart from allocation. Called by the engine's plan step and pass.
 */
#ifndef SYNC_ENGINE_RECORD_H
#define SYNC_ENGINE_RECORD_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "engine/mapping.h"
#include "engine/planner.h"

struct sync_rec {
    struct sync_plan_record r;
    json_t *json;                     /* a reference held on the vendor record */
    json_t *assoc;                    /* a reference held on the associations (sync_rec_assoc) */
    struct sync_plan_assoc *contacts; /* owned: r.contacts */
};

/* Wraps a vendor record of side; object is the object it was read from (Salesforce: the
 * record's attributes.type wins). Returns 0, or -1 when the record has no id. */
int sync_rec_init(struct sync_rec *out, enum sync_side side, const char *object, json_t *json);
/* A record known to be gone (a fetch found nothing): deleted, no fields. */
void sync_rec_init_gone(struct sync_rec *out, enum sync_side side, const char *object,
                        const char *id, char *idbuf, size_t idn);
void sync_rec_release(struct sync_rec *r);

/* Gives the record its associations (has_assoc set) from
 *   {"company": {"id", "other_object", "other_id"}, "contacts": [{"id", "other_object",
 *    "other_id", "lifecycle"}]}
 * (any key may be absent or null; an absent company is none). The record keeps a reference on
 * assoc and borrows its strings. Returns 0, or -1 on memory. */
int sync_rec_assoc(struct sync_rec *r, json_t *assoc);

/* The record's email address, as stored (Salesforce Email, HubSpot email); NULL if none. */
const char *sync_rec_email(const struct sync_plan_record *r);
/* The link id the record carries (CrmSync_Link_Id__c, crmsync_link_id); NULL if none. */
const char *sync_rec_link_id(const struct sync_plan_record *r);

/* A NULL-terminated list of field names; names are borrowed from the mapping set or static. */
struct sync_fieldset {
    const char **names;
    size_t n;
};

/* The fields to read for object (a HubSpot object type or a Salesforce object) of kind. */
enum sync_rc sync_fieldset_build(struct sync_fieldset *fs, const struct sync_mapping_set *maps,
                                 enum sync_kind kind, enum sync_side side, const char *object);
void sync_fieldset_release(struct sync_fieldset *fs);

/* The HubSpot objects timeline sync reads (kind timeline), NULL-terminated: the engagements
 * (notes, calls, emails, meetings, tasks), the captured events (form_submissions,
 * email_events; capture/timeline.h) and the events derived from calculated properties
 * (sales_email_events, document_views; engine/activity.h). */
extern const char *const sync_timeline_objects[];
/* Whether object is one of them. */
int sync_timeline_object(const char *object);

/* The kind and side of an object name: "contacts" (HubSpot), "Lead" (Salesforce), ...; -1 when
 * crmsync does not sync it. */
int sync_object_kind(const char *system, const char *object, enum sync_kind *kind,
                     enum sync_side *side);

#endif
