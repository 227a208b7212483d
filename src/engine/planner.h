/*
 * planner.h: the planner, the pure function at the centre of the data
 * path (docs/ENGINE.md, docs/PLANNER.md).
 *
 * Given one captured change and everything the caller looked up for it
 * (the record's link and ledger, the other side's current record, match
 * candidates, the owner directory, the settings, the mappings, the
 * pipeline/stage map and a fresh link id), sync_plan_make says what to do:
 * a list of operations for the outbox and the store, and a trace of why,
 * in plain words, for `crmsync explain`.
 *
 * It does no I/O, reads no clock (in->now), draws no random numbers (a
 * create uses in->new_link_id) and keeps no state between calls. When it
 * needs a record the caller did not pass (the other side of a link, the
 * candidate it chose), it returns SYNC_PLAN_NEED_RECORD naming it; the
 * caller fetches it and calls again with the same inputs plus that record.
 *
 * A problem with one record (no email, a missing required field, an
 * unmapped stage, a value the other side cannot hold) is an operation
 * (SYNC_PLAN_OP_RECORD_ERROR), never a failed call: sync_plan_make fails
 * only on inputs that break this contract (SYNC_ERR_INVALID) or on
 * memory (SYNC_ERR_NOMEM).
 *
 * Every op carries the link it belongs to. Values written to a vendor are
 * in that vendor's JSON form (HubSpot: property strings; Salesforce: the
 * field's JSON type). Ledger puts say which write they wait for: their
 * target is the side whose write must succeed before the agreement is
 * stored (SYNC_SIDE_NONE: both sides already agree; store it now).
 *
 * Called by the engine's plan step and by `crmsync explain`.
 */
#ifndef SYNC_ENGINE_PLANNER_H
#define SYNC_ENGINE_PLANNER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "connectors/connector.h"
#include "core/err.h"
#include "engine/config.h"
#include "engine/mapping.h"
#include "engine/match.h"
#include "engine/rules.h"
#include "engine/trace.h"

#define SYNC_PLAN_ID_MAX 64     /* vendor record ids (SYNC_STORE_ID_MAX) */
#define SYNC_PLAN_NAME_MAX 128  /* objects (SYNC_STORE_NAME_MAX) */
#define SYNC_PLAN_MAX_ASSOC 500 /* associated contacts one record may carry */

/* ---- inputs ---- */

/* A ledger row (the store's struct sync_ledger_entry, trimmed to what the planner reads). */
struct sync_plan_ledger {
    const char *field; /* the mapping's HubSpot property, or "assoc:company" */
    const char *value; /* canonical; NULL: agreed blank */
};

/* A write crmsync sent to one side of the link whose landing it could not confirm (the request
 * timed out after it went out and was read back as not there, so it was sent again): the vendor
 * may still apply it, late, over newer values. A field holding such a value, changed after it
 * was sent, is that late landing, not a user's edit. */
struct sync_plan_unsettled {
    enum sync_side side; /* where it was sent */
    const char *field;   /* the ledger key */
    const char *value;   /* canonical; NULL: blank */
    int64_t sent_at;     /* epoch ms */
};

/* One association of a record, with where it leads on the other side. */
struct sync_plan_assoc {
    const char *id;           /* the associated record on this record's side; NULL: none */
    const char *other_object; /* what it is paired with: "Contact", "Lead", "contacts", ... */
    const char *other_id;     /* NULL: it is not paired (yet) */
    const char *lifecycle;    /* a HubSpot contact's lifecyclestage, when known */
};

/* A record as captured or fetched, on either side. */
struct sync_plan_record {
    enum sync_side system; /* SYNC_SIDE_HUBSPOT or SYNC_SIDE_SALESFORCE */
    const char *object;    /* "contacts", "companies", "deals", "Lead", "Contact", "Account",
                              "Opportunity" */
    const char *id;
    int64_t version;    /* the vendor's version stamp (last modified), epoch ms */
    int64_t created_at; /* epoch ms; 0: unknown */
    int deleted;
    const char *merged_into; /* the merge survivor (MasterRecordId; HubSpot's primary) */
    /* Salesforce lead conversion */
    int converted;
    const char *converted_contact_id, *converted_account_id, *converted_opportunity_id;
    /* The vendor's fields: HubSpot's properties object (strings or null); Salesforce's record
     * (field -> JSON value). A field absent from it is unknown and left alone; null is blank. */
    const json_t *fields;
    /* When each field last changed (HubSpot: propertiesWithHistory timestamps, property -> epoch
     * ms); NULL or a missing field: version. Salesforce passes NULL (LastModifiedDate). */
    const json_t *changed_at;
    /* Associations. company: a HubSpot contact's or deal's company, a Salesforce Contact's or
     * Opportunity's AccountId. contacts: a HubSpot deal's contacts, an Opportunity's contact
     * roles. */
    int has_assoc; /* the associations below were read; 0: unknown, left alone */
    struct sync_plan_assoc company;
    const struct sync_plan_assoc *contacts;
    size_t ncontacts;
};

/* One pipeline stage: HubSpot (pipeline, stage) <-> Salesforce (record type, StageName). */
struct sync_plan_stage {
    const char *hs_pipeline;    /* "default", "Salesforce - 012..." */
    const char *sf_record_type; /* RecordTypeId; "" for an org without record types */
    const char *hs_stage;       /* dealstage id */
    const char *sf_stage;       /* StageName */
    int closed, won;
};

struct sync_plan_stage_map {
    const struct sync_plan_stage *items;
    size_t n;
};

/* Salesforce's State and Country/Territory picklists (settings.state_country_picklists): the
 * org's CountryCode options, and its StateCode options with the country each belongs to. */
struct sync_plan_geo_country {
    const char *code, *label;
};
struct sync_plan_geo_state {
    const char *code, *label, *country; /* country: a CountryCode */
};
struct sync_plan_geo {
    const struct sync_plan_geo_country *countries; /* none: the org has the picklists off */
    size_t ncountries;
    const struct sync_plan_geo_state *states;
    size_t nstates;
};

/* A HubSpot owner or a Salesforce user, for owner translation by email. */
struct sync_plan_owner {
    enum sync_side system;
    const char *id;
    const char *email;
    int active; /* Salesforce: IsActive; HubSpot: not archived */
};

/* Timeline sync: one HubSpot contact of an activity, with where it syncs. */
struct sync_plan_party {
    const char *hs_id;     /* the HubSpot contact */
    int64_t created_at;    /* its createdate, epoch ms */
    const char *owner_id;  /* its hubspot_owner_id; NULL: none */
    const char *sf_object; /* its Salesforce Lead or Contact; NULL: it does not sync */
    const char *sf_id;     /* NULL or "": not created in Salesforce (yet) */
    int pending;           /* linked, its create not applied yet */
    const char *link_id;   /* its link, when it has one */
};

/* The Salesforce campaign a HubSpot form adds its submitter to (setting form_campaigns). */
struct sync_plan_campaign {
    const char *id;   /* Campaign id */
    const char *name; /* NULL: unknown */
    int found;        /* Salesforce has it */
    int active;       /* IsActive */
};

struct sync_plan_input {
    int64_t now;             /* the caller's clock, epoch ms: stamps ledger puts */
    const char *new_link_id; /* used when the plan makes a new link */
    int sync_off;            /* the master switch is off: plan nothing, keep the change */

    const struct sync_settings *settings;
    const struct sync_mapping_set *mappings;
    const struct sync_plan_stage_map *stages; /* deals; NULL: none */
    /* With state_country_picklists on: the picklists of the Salesforce object written (NULL:
     * the setting is off; address State and Country go as text) */
    const struct sync_plan_geo *geo;
    const struct sync_plan_owner *owners;
    size_t nowners;

    const struct sync_plan_record *change; /* the captured record */
    const struct sync_plan_link *link;     /* its link; NULL: none */
    const struct sync_plan_ledger *ledger;
    size_t nledger;
    const struct sync_plan_record *other;        /* the other side's current record, when known */
    const struct sync_plan_unsettled *unsettled; /* the link's unsettled writes */
    size_t nunsettled;

    /* People: other-side records with the change's email (Salesforce Leads and Contacts, or
     * HubSpot contacts). Companies: accounts or companies found through the associated
     * contacts in people[]. Deals: unused (never deduplicated). */
    const struct sync_match_candidate *candidates;
    size_t ncandidates;
    const struct sync_match_person *people;
    size_t npeople;
    /* The link that already holds the record a merge or a conversion re-points to (the merge
     * survivor, the ConvertedContactId); NULL: none. */
    const struct sync_plan_link *target_link;
    /* With an inclusion list set: whether the HubSpot contact (the change or the other)
     * qualifies. */
    int hs_qualifies;
    /* Timeline sync (a HubSpot activity): its contacts, and when each timeline type was turned
     * on (SYNC_TIMELINE__COUNT entries, epoch ms; 0: off; NULL: all off). */
    const struct sync_plan_party *parties;
    size_t nparties;
    const int64_t *timeline_since;
    /* Salesforce's Task Type field as described (its picklist), which a timeline type's
     * task_type setting must name; NULL: no type is set, or not described. */
    const struct sync_field_def *task_type_field;
    /* Salesforce task sync: when the record's switches were both on (the later of
     * salesforce_task_sync and its type's, epoch ms; 0: none), and whether the change came from
     * an import (which brings what changed before). */
    int64_t switch_since;
    int imported;
    /* A form submission: the campaign its form adds the submitter to; NULL: none. */
    const struct sync_plan_campaign *form_campaign;
    /* The record's open sync errors, by category name: cleared when the check passes now. */
    const char *const *open_errors;
    size_t nopen_errors;
};

/* ---- outputs ---- */

enum sync_plan_status {
    SYNC_PLAN_DONE = 0,    /* ops (possibly none) say what to do; the change is consumed */
    SYNC_PLAN_DEFERRED,    /* sync is off: nothing planned, keep the change */
    SYNC_PLAN_NEED_RECORD, /* fetch need.* and call again */
};

enum sync_plan_op_kind {
    SYNC_PLAN_OP_CREATE = 0,   /* upsert on link_id into target object */
    SYNC_PLAN_OP_UPDATE,       /* update target object id */
    SYNC_PLAN_OP_DELETE,       /* delete / archive target object id */
    SYNC_PLAN_OP_ASSOCIATE,    /* associate two target records (see below) */
    SYNC_PLAN_OP_BIND_LINK,    /* a new link: link (state LINKED, or PENDING_CREATE) */
    SYNC_PLAN_OP_REPOINT_LINK, /* the link now pairs other ids (merge, conversion, duplicate) */
    SYNC_PLAN_OP_LINK_STATE,   /* the link's state changes (DETACHED, DELETED) */
    SYNC_PLAN_OP_RECORD_ERROR, /* an error on record (target, object, id): category, message */
    SYNC_PLAN_OP_CLEAR_ERROR,  /* resolve the record's open error of category */
    SYNC_PLAN_OP_RECORD_CONFLICT,
    SYNC_PLAN_OP_LEDGER_PUT,
    SYNC_PLAN_OP_SETTLE, /* an unsettled write (target, field, value) was seen landing: forget it */
    SYNC_PLAN_OP__COUNT
};

enum sync_plan_errcat {
    SYNC_PLAN_ERR_NO_EMAIL = 0,   /* "no_email" */
    SYNC_PLAN_ERR_REQUIRED_FIELD, /* "required_field" */
    SYNC_PLAN_ERR_PROPERTY_VALUE, /* "property_value" */
    SYNC_PLAN_ERR_PICKLIST,       /* "picklist" */
    SYNC_PLAN_ERR_MAPPING,        /* "mapping": a pipeline or stage with no counterpart */
    SYNC_PLAN_ERR_ASSOCIATIONS,   /* "associations": waiting for an account to sync; retries */
    SYNC_PLAN_ERR_INCLUSION,      /* "inclusion_list": not in the inclusion list (never synced) */
    /* "field_permissions": a field the integration user may not edit (filed by planstep.c when
     * describe says so; a write that lands with the field resolves it) */
    SYNC_PLAN_ERR_FIELD_PERMISSIONS,
    SYNC_PLAN_ERR__COUNT
};

enum sync_plan_op_flags {
    /* CREATE of a Salesforce lead with no mapped owner: let assignment rules run */
    SYNC_PLAN_F_ASSIGN_RULES = 1 << 0,
    /* RECORD_ERROR: retry the record later (the cause may clear by itself) */
    SYNC_PLAN_F_RETRY = 1 << 1
};

struct sync_plan_op {
    enum sync_plan_op_kind kind;
    enum sync_side target; /* the side written or the record's side; LEDGER_PUT: see top */
    char object[SYNC_PLAN_NAME_MAX];
    char id[SYNC_PLAN_ID_MAX]; /* "" for a create, or a record known only by its link */
    char link_id[SYNC_PLAN_LINK_ID_LEN + 1];
    unsigned flags;
    /* CREATE, UPDATE: field -> value in the target's JSON form (owned) */
    json_t *fields;
    /* ASSOCIATE: record (object, id; id "" = the target record of link_id) gets associated
     * with (to_object, to_id; to_id "" = the target record of link to_link_id). via says how:
     * "AccountId" (a Salesforce lookup field), "OpportunityContactRole" (a new role), or ""
     * (a HubSpot association; remove_id, when set, is an association to remove). */
    char to_object[SYNC_PLAN_NAME_MAX];
    char to_id[SYNC_PLAN_ID_MAX];
    char to_link_id[SYNC_PLAN_LINK_ID_LEN + 1];
    char via[32];
    char remove_id[SYNC_PLAN_ID_MAX];
    /* BIND_LINK, REPOINT_LINK, LINK_STATE: the link as it is after the plan */
    struct sync_plan_link link;
    /* RECORD_ERROR, CLEAR_ERROR */
    enum sync_plan_errcat category;
    char *message; /* owned */
    /* RECORD_CONFLICT, LEDGER_PUT, SETTLE: field is the mapping's HubSpot property (the ledger
     * key) */
    char *field;    /* owned */
    char *value;    /* LEDGER_PUT: the agreed value; CONFLICT: HubSpot's; SETTLE: the one sent */
    char *sf_value; /* CONFLICT: Salesforce's (owned) */
    int64_t hs_at, sf_at;     /* CONFLICT */
    enum sync_rule rule;      /* CONFLICT */
    enum sync_side winner;    /* CONFLICT: SYNC_SIDE_NONE when nothing moved */
    enum sync_side agreed_by; /* LEDGER_PUT: who wrote it (NONE: both already held it) */
    int64_t at;               /* LEDGER_PUT: the agreement's time (in->now) */
};

struct sync_plan {
    enum sync_plan_status status;
    struct {
        enum sync_side system;
        char object[SYNC_PLAN_NAME_MAX];
        char id[SYNC_PLAN_ID_MAX];
    } need;
    struct sync_plan_op *ops;
    size_t nops, alloc;
    char action[32]; /* short summary for the decisions table: "create_sf", "write_hs", ... */
    struct sync_trace trace;
};

void sync_plan_init(struct sync_plan *p);
void sync_plan_release(struct sync_plan *p);

/* The switch of a Salesforce task sync kind (task: salesforce_tasks, email, call, meeting). */
enum sync_setting sync_plan_activity_switch(enum sync_kind k);

/* Plans one change into out (initialised; its previous contents are released). */
enum sync_rc sync_plan_make(const struct sync_plan_input *in, struct sync_plan *out,
                            struct sync_err *err);

/* Names: "create", "update", ...; "no_email", "required_field", ...; "done", "deferred",
 * "need_record". */
/* Adds a RECORD_ERROR op on the change's record rec, as the planner's own checks do (for the
 * checks made after planning, against the vendors' describes). */
enum sync_rc sync_plan_add_error(struct sync_plan *p, const struct sync_plan_record *rec,
                                 const char *link_id, enum sync_plan_errcat cat, unsigned flags,
                                 const char *message);
const char *sync_plan_op_kind_name(enum sync_plan_op_kind k);
const char *sync_plan_errcat_name(enum sync_plan_errcat c);
const char *sync_plan_status_name(enum sync_plan_status s);
/* "hubspot", "salesforce", "none"; and the rule as the settings page shows it ("Prefer
 * Salesforce unless blank"). */
const char *sync_plan_side_name(enum sync_side s);
const char *sync_plan_rule_label(enum sync_rule r);

/* Counts the plan's ops of a kind (and target, SYNC_SIDE_NONE: any). */
size_t sync_plan_count(const struct sync_plan *p, enum sync_plan_op_kind k, enum sync_side target);
/* borrowed: the first op of kind (and target, NONE: any) at or after index from, or NULL. */
const struct sync_plan_op *sync_plan_find(const struct sync_plan *p, enum sync_plan_op_kind k,
                                          enum sync_side target, size_t from);

#endif
