/*
 * record.c: vendor JSON records wrapped as planner records, and the field
 * lists the engine reads per object (see record.h). Called by the plan
 * step and the pass.
 */
#include "engine/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/connector.h"
#include "core/json.h"
#include "core/time.h"

static int64_t time_of(const char *s)
{
    int64_t ms = 0;
    char *end;

    if (!s || !*s)
        return 0;
    if (sync_time_parse(s, &ms) == SYNC_OK)
        return ms;
    ms = strtoll(s, &end, 10);
    return *end ? 0 : ms;
}

static const char *str_or_null(const json_t *o, const char *key)
{
    const char *s = sync_json_str(o, key);
    return s && *s ? s : NULL;
}

static int init_sf(struct sync_rec *out, const char *object, json_t *json)
{
    struct sync_plan_record *r = &out->r;
    const char *type = sync_json_str(json_object_get(json, "attributes"), "type");

    r->system = SYNC_SIDE_SALESFORCE;
    r->object = type && *type ? type : object;
    r->id = sync_json_str(json, "Id");
    r->version = time_of(sync_json_str(json, "SystemModstamp"));
    r->created_at = time_of(sync_json_str(json, "CreatedDate"));
    r->deleted = sync_json_bool(json, "IsDeleted", 0);
    r->merged_into = r->deleted ? str_or_null(json, "MasterRecordId") : NULL;
    r->converted = sync_json_bool(json, "IsConverted", 0);
    r->converted_contact_id = str_or_null(json, "ConvertedContactId");
    r->converted_account_id = str_or_null(json, "ConvertedAccountId");
    r->converted_opportunity_id = str_or_null(json, "ConvertedOpportunityId");
    r->fields = json;
    return r->id && *r->id ? 0 : -1;
}

static int init_hs(struct sync_rec *out, const char *object, json_t *json)
{
    struct sync_plan_record *r = &out->r;
    const json_t *props = json_object_get(json, "properties");
    const char *lm = strcmp(object, "contacts") == 0 ? "lastmodifieddate" : "hs_lastmodifieddate";

    r->system = SYNC_SIDE_HUBSPOT;
    r->object = object;
    r->id = sync_json_str(json, "id");
    r->version = time_of(sync_json_str(props, lm));
    if (!r->version)
        r->version = time_of(sync_json_str(json, "updatedAt"));
    r->created_at = time_of(sync_json_str(props, "createdate"));
    if (!r->created_at)
        r->created_at = time_of(sync_json_str(json, "createdAt"));
    r->deleted = sync_json_bool(json, "archived", 0);
    r->fields = json_is_object(props) ? props : NULL;
    return r->id && *r->id ? 0 : -1;
}

int sync_rec_init(struct sync_rec *out, enum sync_side side, const char *object, json_t *json)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(json))
        return -1;
    out->json = json_incref(json);
    return side == SYNC_SIDE_SALESFORCE ? init_sf(out, object, json) : init_hs(out, object, json);
}

void sync_rec_init_gone(struct sync_rec *out, enum sync_side side, const char *object,
                        const char *id, char *idbuf, size_t idn)
{
    memset(out, 0, sizeof(*out));
    snprintf(idbuf, idn, "%s", id);
    out->r.system = side;
    out->r.object = object;
    out->r.id = idbuf;
    out->r.deleted = 1;
}

void sync_rec_release(struct sync_rec *r)
{
    json_decref(r->json);
    json_decref(r->assoc);
    free(r->contacts);
    memset(r, 0, sizeof(*r));
}

static void assoc_from(const json_t *o, struct sync_plan_assoc *a)
{
    a->id = str_or_null(o, "id");
    a->other_object = str_or_null(o, "other_object");
    a->other_id = str_or_null(o, "other_id");
    a->lifecycle = sync_json_str(o, "lifecycle");
}

int sync_rec_assoc(struct sync_rec *r, json_t *assoc)
{
    const json_t *list = json_object_get(assoc, "contacts"), *c;
    size_t n = json_array_size(list), i;

    json_decref(r->assoc);
    free(r->contacts);
    r->assoc = NULL;
    r->contacts = NULL;
    memset(&r->r.company, 0, sizeof(r->r.company));
    r->r.contacts = NULL;
    r->r.ncontacts = 0;
    if (n && !(r->contacts = calloc(n, sizeof(*r->contacts))))
        return -1;
    r->assoc = json_incref(assoc);
    assoc_from(json_object_get(assoc, "company"), &r->r.company);
    json_array_foreach(list, i, c)
    {
        assoc_from(c, &r->contacts[r->r.ncontacts]);
        if (r->contacts[r->r.ncontacts].id)
            r->r.ncontacts++;
    }
    r->r.contacts = r->contacts;
    r->r.has_assoc = 1;
    return 0;
}

static const char *field_str(const struct sync_plan_record *r, const char *name)
{
    const json_t *v;

    if (!r || !r->fields)
        return NULL;
    v = r->system == SYNC_SIDE_SALESFORCE ? sync_json_get_nocase(r->fields, name, NULL)
                                          : json_object_get(r->fields, name);
    return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

const char *sync_rec_email(const struct sync_plan_record *r)
{
    return field_str(r, r && r->system == SYNC_SIDE_SALESFORCE ? "Email" : "email");
}

const char *sync_rec_link_id(const struct sync_plan_record *r)
{
    return field_str(r, r && r->system == SYNC_SIDE_SALESFORCE ? SYNC_SF_LINK_FIELD
                                                               : SYNC_HS_LINK_PROPERTY);
}

/* ---- field lists ---- */

static int listed(const struct sync_fieldset *fs, const char *name)
{
    for (size_t i = 0; i < fs->n; i++)
        if (strcasecmp(fs->names[i], name) == 0)
            return 1;
    return 0;
}

static enum sync_rc add(struct sync_fieldset *fs, size_t cap, const char *name)
{
    if (!name || !*name || listed(fs, name))
        return SYNC_OK;
    if (fs->n + 1 >= cap)
        return SYNC_ERR_TOO_LARGE;
    fs->names[fs->n++] = name;
    fs->names[fs->n] = NULL;
    return SYNC_OK;
}

const char *const sync_timeline_objects[] = {"notes",          "calls",
                                             "emails",         "meetings",
                                             "tasks",          "form_submissions",
                                             "email_events",   "sales_email_events",
                                             "document_views", NULL};

int sync_timeline_object(const char *object)
{
    for (int i = 0; object && sync_timeline_objects[i]; i++)
        if (strcmp(object, sync_timeline_objects[i]) == 0)
            return 1;
    return 0;
}

/* The properties timeline sync reads of each engagement (attachments never). */
static const char *const *timeline_extras(const char *object)
{
#define COMMON                                                                                     \
    "hs_timestamp", "hs_createdate", "hs_lastmodifieddate", "hubspot_owner_id",                    \
        SYNC_HS_LINK_PROPERTY
    static const char *const notes[] = {COMMON, "hs_note_body", NULL};
    static const char *const calls[] = {COMMON,           "hs_call_title",     "hs_call_body",
                                        "hs_call_status", "hs_call_direction", NULL};
    /* with the opens and clicks, which timeline sync's derived events come from */
    static const char *const emails[] = {COMMON,
                                         "hs_email_subject",
                                         "hs_email_text",
                                         "hs_email_direction",
                                         "hs_email_status",
                                         "hs_email_open_count",
                                         "hs_email_last_open_date",
                                         "hs_email_click_count",
                                         "hs_email_last_click_date",
                                         NULL};
    static const char *const meetings[] = {COMMON,
                                           "hs_meeting_title",
                                           "hs_meeting_body",
                                           "hs_meeting_start_time",
                                           "hs_meeting_outcome",
                                           NULL};
    static const char *const tasks[] = {COMMON,           "hs_task_subject",  "hs_task_body",
                                        "hs_task_status", "hs_task_priority", NULL};
#undef COMMON
    return strcmp(object, "notes") == 0      ? notes
           : strcmp(object, "calls") == 0    ? calls
           : strcmp(object, "emails") == 0   ? emails
           : strcmp(object, "meetings") == 0 ? meetings
           : strcmp(object, "tasks") == 0    ? tasks
                                             : NULL;
}

/* The keys the planner reads beyond the mappings, per object. */
static const char *const *extras(enum sync_side side, const char *object)
{
    /* hs_merged_object_ids: the ids merged into the record (HubSpot merges);
     * hs_document_last_revisited: a sales document viewed (timeline sync's derived events) */
    static const char *const hs_contact[] = {"email",
                                             "createdate",
                                             "lastmodifieddate",
                                             "hs_merged_object_ids",
                                             "hs_document_last_revisited",
                                             SYNC_HS_LINK_PROPERTY,
                                             NULL};
    static const char *const hs_other[] = {"createdate", "hs_lastmodifieddate",
                                           "hs_merged_object_ids", SYNC_HS_LINK_PROPERTY, NULL};
    static const char *const sf_lead[] = {"Email",
                                          "CreatedDate",
                                          "SystemModstamp",
                                          "IsConverted",
                                          "ConvertedContactId",
                                          "ConvertedAccountId",
                                          "ConvertedOpportunityId",
                                          "MasterRecordId",
                                          SYNC_SF_LINK_FIELD,
                                          NULL};
    static const char *const sf_contact[] = {"Email",     "CreatedDate",    "SystemModstamp",
                                             "AccountId", "MasterRecordId", SYNC_SF_LINK_FIELD,
                                             NULL};
    static const char *const sf_account[] = {"CreatedDate", "SystemModstamp", "MasterRecordId",
                                             SYNC_SF_LINK_FIELD, NULL};
    static const char *const sf_opportunity[] = {
        "CreatedDate", "SystemModstamp",   "AccountId", "RecordTypeId",
        "StageName",   SYNC_SF_LINK_FIELD, NULL};
    static const char *const hs_deal[] = {
        "createdate",           "hs_lastmodifieddate", "pipeline", "dealstage",
        "hs_merged_object_ids", SYNC_HS_LINK_PROPERTY, NULL};
    static const char *const sf_case[] = {"CreatedDate",    "SystemModstamp",   "AccountId",
                                          "ContactId",      "RecordTypeId",     "Status",
                                          "MasterRecordId", SYNC_SF_LINK_FIELD, NULL};
    static const char *const sf_task[] = {"CreatedDate", "SystemModstamp",   "TaskSubtype", "WhoId",
                                          "WhatId",      SYNC_SF_LINK_FIELD, NULL};
    static const char *const sf_event[] = {"CreatedDate", "SystemModstamp",   "WhoId",
                                           "WhatId",      SYNC_SF_LINK_FIELD, NULL};
    static const char *const hs_ticket[] = {
        "createdate",           "hs_lastmodifieddate", "hs_pipeline", "hs_pipeline_stage",
        "hs_merged_object_ids", SYNC_HS_LINK_PROPERTY, NULL};
    static const char *const sf_other[] = {"CreatedDate", "SystemModstamp", SYNC_SF_LINK_FIELD,
                                           NULL};

    if (side == SYNC_SIDE_HUBSPOT && timeline_extras(object))
        return timeline_extras(object);
    if (side == SYNC_SIDE_HUBSPOT)
        return strcmp(object, "contacts") == 0  ? hs_contact
               : strcmp(object, "deals") == 0   ? hs_deal
               : strcmp(object, "tickets") == 0 ? hs_ticket
                                                : hs_other;
    if (strcasecmp(object, "Opportunity") == 0)
        return sf_opportunity;
    if (strcasecmp(object, "Lead") == 0)
        return sf_lead;
    if (strcasecmp(object, "Contact") == 0)
        return sf_contact;
    if (strcasecmp(object, "Account") == 0)
        return sf_account;
    if (strcasecmp(object, "Case") == 0)
        return sf_case;
    if (strcasecmp(object, "Task") == 0)
        return sf_task;
    if (strcasecmp(object, "Event") == 0)
        return sf_event;
    return sf_other;
}

/* Whether kind k's mappings are read for object on side: the kind itself, or (Salesforce) every
 * kind that syncs the object (a Task is a task, an email or a call). */
static int reads_for(enum sync_kind kind, enum sync_kind k, enum sync_side side, const char *object)
{
    const char *const *objs = sync_kind_sf_objects(k);
    if (k == kind)
        return 1;
    /* HubSpot: a kind whose records are this object (a HubSpot task read for timeline sync is
     * also the task a Salesforce task made, whose mapped properties its sync compares) */
    if (side == SYNC_SIDE_HUBSPOT)
        return strcmp(sync_kind_hs_object(k), object) == 0;
    for (int i = 0; objs[i]; i++)
        if (strcasecmp(objs[i], object) == 0)
            return 1;
    return 0;
}

enum sync_rc sync_fieldset_build(struct sync_fieldset *fs, const struct sync_mapping_set *maps,
                                 enum sync_kind kind, enum sync_side side, const char *object)
{
    const char *const *ex = extras(side, object);
    enum sync_rc rc = SYNC_OK;
    size_t cap = 16;

    memset(fs, 0, sizeof(*fs));
    for (int k = 0; k < SYNC_KIND__COUNT; k++)
        if (reads_for(kind, (enum sync_kind)k, side, object))
            cap += sync_mapping_set_list(maps, (enum sync_kind)k, NULL, 0);
    if (!(fs->names = calloc(cap, sizeof(*fs->names))))
        return SYNC_ERR_NOMEM;
    for (size_t i = 0; ex[i] && rc == SYNC_OK; i++)
        rc = add(fs, cap, ex[i]);
    for (int k = 0; k < SYNC_KIND__COUNT && rc == SYNC_OK; k++) {
        size_t nmaps;
        const struct sync_mapping **list;
        if (!reads_for(kind, (enum sync_kind)k, side, object))
            continue;
        nmaps = sync_mapping_set_list(maps, (enum sync_kind)k, NULL, 0);
        if (!(list = calloc(nmaps ? nmaps : 1, sizeof(*list)))) {
            rc = SYNC_ERR_NOMEM;
            break;
        }
        sync_mapping_set_list(maps, (enum sync_kind)k, list, nmaps);
        for (size_t i = 0; i < nmaps && rc == SYNC_OK; i++) {
            if (side == SYNC_SIDE_HUBSPOT) {
                rc = add(fs, cap, list[i]->hs.name);
            } else {
                const struct sync_sf_field *f = sync_mapping_sf_field(list[i], object);
                if (f)
                    rc = add(fs, cap, f->name);
            }
        }
        free(list);
    }
    if (rc)
        sync_fieldset_release(fs);
    return rc;
}

void sync_fieldset_release(struct sync_fieldset *fs)
{
    free(fs->names);
    memset(fs, 0, sizeof(*fs));
}

int sync_object_kind(const char *system, const char *object, enum sync_kind *kind,
                     enum sync_side *side)
{
    if (!system || !object)
        return -1;
    if (strcmp(system, "hubspot") == 0) {
        *side = SYNC_SIDE_HUBSPOT;
        if (sync_timeline_object(object)) {
            *kind = SYNC_KIND_TIMELINE;
            return 0;
        }
        for (int k = 0; k < SYNC_KIND__COUNT; k++)
            if (strcmp(object, sync_kind_hs_object((enum sync_kind)k)) == 0) {
                *kind = (enum sync_kind)k;
                return 0;
            }
        return -1;
    }
    if (strcmp(system, "salesforce") != 0)
        return -1;
    *side = SYNC_SIDE_SALESFORCE;
    for (int k = 0; k < SYNC_KIND__COUNT; k++) {
        const char *const *objs = sync_kind_sf_objects((enum sync_kind)k);
        for (int i = 0; objs[i]; i++)
            if (strcasecmp(objs[i], object) == 0) {
                *kind = (enum sync_kind)k;
                return 0;
            }
    }
    return -1;
}
