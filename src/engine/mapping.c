/*
 * mapping.c: the mapping set, the built-in default mappings and the
 * checks on user mappings (see mapping.h). Pure; called by the config
 * loader, the admin API and the planner.
 *
 * The built-ins are one table, kind by kind, in the order a settings page
 * would list them. Their HubSpot types are HubSpot's standard properties'
 * (numemployees, leadsource, the contact description and crmsync_link_id
 * are not standard: the portal must have them); their Salesforce types and
 * lengths are the standard fields' describe values. A connected engine
 * refreshes both from the vendors' describes through
 * sync_mapping_set_describe_hs/_sf.
 */
#include "engine/mapping.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- kinds ---- */

static const char *const kind_names[SYNC_KIND__COUNT] = {
    "contact", "company", "deal", "ticket", "timeline", "task", "email", "call", "meeting"};
/* the HubSpot object of a kind; timeline sync reads several (record.c) */
static const char *const kind_plurals[SYNC_KIND__COUNT] = {"contacts", "companies", "deals",
                                                           "tickets",  "timeline",  "tasks",
                                                           "emails",   "calls",     "meetings"};
static const char *const contact_objects[] = {"Lead", "Contact", NULL};
static const char *const company_objects[] = {"Account", NULL};
static const char *const deal_objects[] = {"Opportunity", NULL};
static const char *const ticket_objects[] = {"Case", NULL};
/* timeline sync writes Tasks but captures none of its own: a Task is Salesforce task sync's */
static const char *const timeline_objects[] = {NULL};
static const char *const task_objects[] = {"Task", NULL};
static const char *const event_objects[] = {"Event", NULL};
static const char *const *const kind_objects[SYNC_KIND__COUNT] = {
    contact_objects, company_objects, deal_objects, ticket_objects, timeline_objects,
    task_objects,    task_objects,    task_objects, event_objects};

const char *sync_kind_name(enum sync_kind k)
{
    return (unsigned)k < SYNC_KIND__COUNT ? kind_names[k] : "unknown";
}

int sync_kind_parse(const char *s, enum sync_kind *out)
{
    for (int k = 0; s && k < SYNC_KIND__COUNT; k++) {
        if (strcmp(s, kind_names[k]) == 0 || strcmp(s, kind_plurals[k]) == 0) {
            *out = (enum sync_kind)k;
            return 0;
        }
    }
    return -1;
}

const char *const *sync_kind_sf_objects(enum sync_kind k)
{
    return (unsigned)k < SYNC_KIND__COUNT ? kind_objects[k] : deal_objects + 1;
}

const char *sync_kind_hs_object(enum sync_kind k)
{
    return (unsigned)k < SYNC_KIND__COUNT ? kind_plurals[k] : "unknown";
}

/* Index of a Salesforce object within its kind, or -1. */
static int object_index(enum sync_kind k, const char *object)
{
    const char *const *objs = sync_kind_sf_objects(k);
    for (int i = 0; objs[i]; i++)
        if (strcasecmp(objs[i], object) == 0)
            return i;
    return -1;
}

/* ---- the built-in defaults ---- */

struct builtin_sf {
    const char *object, *name;
    enum sync_sf_type type;
    unsigned length;
};

struct builtin {
    enum sync_kind kind;
    const char *hs;
    enum sync_hs_type hst;
    enum sync_hs_field_type hsf;
    struct builtin_sf sf[SYNC_MAPPING_MAX_SF];
    unsigned flags;
};

#define C SYNC_KIND_CONTACT
#define A SYNC_KIND_COMPANY
#define D SYNC_KIND_DEAL
#define T SYNC_KIND_TICKET
#define TK SYNC_KIND_TASK
#define EM SYNC_KIND_EMAIL
#define CL SYNC_KIND_CALL
#define MT SYNC_KIND_MEETING
#define HTML SYNC_HST_STRING, SYNC_HSF_HTML
#define WHEN SYNC_HST_DATETIME, SYNC_HSF_DATE
#define STR SYNC_HST_STRING, SYNC_HSF_TEXT
#define PHONE SYNC_HST_STRING, SYNC_HSF_PHONENUMBER
#define AREA SYNC_HST_STRING, SYNC_HSF_TEXTAREA
#define NUM SYNC_HST_NUMBER, SYNC_HSF_NUMBER
#define SELECT SYNC_HST_ENUMERATION, SYNC_HSF_SELECT
#define RADIO SYNC_HST_ENUMERATION, SYNC_HSF_RADIO
#define BOOL SYNC_HST_BOOL, SYNC_HSF_BOOLEANCHECKBOX
#define CHECKS SYNC_HST_ENUMERATION, SYNC_HSF_CHECKBOX
/* clang-format off */
#define BOTH(lead, contact, t, n) {{"Lead", lead, t, n}, {"Contact", contact, t, n}}
#define LEAD(f, t, n) {{"Lead", f, t, n}}
#define ONE(o, f, t, n) {{o, f, t, n}}
/* clang-format on */
#define LINK_ID "crmsync_link_id"
#define LINK_FIELD "CrmSync_Link_Id__c"

static const struct builtin builtins[] = {
    /* contacts <-> Lead and Contact */
    {C, "email", STR, BOTH("Email", "Email", SYNC_SFT_EMAIL, 80), 0},
    {C, "firstname", STR, BOTH("FirstName", "FirstName", SYNC_SFT_STRING, 40), 0},
    {C, "lastname", STR, BOTH("LastName", "LastName", SYNC_SFT_STRING, 80), 0},
    {C, "phone", PHONE, BOTH("Phone", "Phone", SYNC_SFT_PHONE, 40), 0},
    {C, "mobilephone", PHONE, BOTH("MobilePhone", "MobilePhone", SYNC_SFT_PHONE, 40), 0},
    {C, "fax", PHONE, BOTH("Fax", "Fax", SYNC_SFT_PHONE, 40), 0},
    {C, "jobtitle", STR, BOTH("Title", "Title", SYNC_SFT_STRING, 128), 0},
    {C, "company", STR, LEAD("Company", SYNC_SFT_STRING, 255), 0},
    {C, "website", STR, LEAD("Website", SYNC_SFT_URL, 255), 0},
    {C, "address", STR, BOTH("Street", "MailingStreet", SYNC_SFT_TEXTAREA, 255), 0},
    {C, "city", STR, BOTH("City", "MailingCity", SYNC_SFT_STRING, 40), 0},
    {C, "state", STR, BOTH("State", "MailingState", SYNC_SFT_STRING, 80), 0},
    {C, "zip", STR, BOTH("PostalCode", "MailingPostalCode", SYNC_SFT_STRING, 20), 0},
    {C, "country", STR, BOTH("Country", "MailingCountry", SYNC_SFT_STRING, 80), 0},
    {C, "annualrevenue", STR, LEAD("AnnualRevenue", SYNC_SFT_CURRENCY, 0), 0},
    {C, "numemployees", NUM, LEAD("NumberOfEmployees", SYNC_SFT_INT, 0), 0},
    {C, "industry", STR, LEAD("Industry", SYNC_SFT_PICKLIST, 255), 0},
    {C, "leadsource", SELECT, BOTH("LeadSource", "LeadSource", SYNC_SFT_PICKLIST, 255), 0},
    {C, "description", AREA, BOTH("Description", "Description", SYNC_SFT_TEXTAREA, 32000), 0},
    {C, "hs_email_optout", BOOL,
     BOTH("HasOptedOutOfEmail", "HasOptedOutOfEmail", SYNC_SFT_BOOLEAN, 0), 0},
    {C, "hubspot_owner_id", SELECT, BOTH("OwnerId", "OwnerId", SYNC_SFT_REFERENCE, 18),
     SYNC_MAP_OWNER},
    {C, LINK_ID, STR, BOTH(LINK_FIELD, LINK_FIELD, SYNC_SFT_STRING, 255), SYNC_MAP_INTERNAL},
    /* companies <-> Account */
    {A, "name", STR, ONE("Account", "Name", SYNC_SFT_STRING, 255), 0},
    {A, "website", STR, ONE("Account", "Website", SYNC_SFT_URL, 255), 0},
    {A, "phone", PHONE, ONE("Account", "Phone", SYNC_SFT_PHONE, 40), 0},
    {A, "industry", SELECT, ONE("Account", "Industry", SYNC_SFT_PICKLIST, 255), 0},
    {A, "type", SELECT, ONE("Account", "Type", SYNC_SFT_PICKLIST, 255), 0},
    {A, "annualrevenue", NUM, ONE("Account", "AnnualRevenue", SYNC_SFT_CURRENCY, 0), 0},
    {A, "numberofemployees", NUM, ONE("Account", "NumberOfEmployees", SYNC_SFT_INT, 0), 0},
    {A, "description", AREA, ONE("Account", "Description", SYNC_SFT_TEXTAREA, 32000), 0},
    {A, "address", STR, ONE("Account", "BillingStreet", SYNC_SFT_TEXTAREA, 255), 0},
    {A, "city", STR, ONE("Account", "BillingCity", SYNC_SFT_STRING, 40), 0},
    {A, "state", STR, ONE("Account", "BillingState", SYNC_SFT_STRING, 80), 0},
    {A, "zip", STR, ONE("Account", "BillingPostalCode", SYNC_SFT_STRING, 20), 0},
    {A, "country", STR, ONE("Account", "BillingCountry", SYNC_SFT_STRING, 80), 0},
    {A, "hubspot_owner_id", SELECT, ONE("Account", "OwnerId", SYNC_SFT_REFERENCE, 18),
     SYNC_MAP_OWNER},
    {A, LINK_ID, STR, ONE("Account", LINK_FIELD, SYNC_SFT_STRING, 255), SYNC_MAP_INTERNAL},
    /* deals <-> Opportunity */
    {D, "dealname", STR, ONE("Opportunity", "Name", SYNC_SFT_STRING, 120), 0},
    {D, "amount", NUM, ONE("Opportunity", "Amount", SYNC_SFT_CURRENCY, 0), 0},
    {D, "closedate", SYNC_HST_DATETIME, SYNC_HSF_DATE,
     ONE("Opportunity", "CloseDate", SYNC_SFT_DATE, 0), 0},
    {D, "dealstage", RADIO, ONE("Opportunity", "StageName", SYNC_SFT_PICKLIST, 255),
     SYNC_MAP_STAGE},
    {D, "pipeline", SELECT, ONE("Opportunity", "RecordTypeId", SYNC_SFT_REFERENCE, 18),
     SYNC_MAP_PIPELINE},
    {D, "dealtype", RADIO, ONE("Opportunity", "Type", SYNC_SFT_PICKLIST, 255), 0},
    {D, "description", AREA, ONE("Opportunity", "Description", SYNC_SFT_TEXTAREA, 32000), 0},
    {D, "hubspot_owner_id", SELECT, ONE("Opportunity", "OwnerId", SYNC_SFT_REFERENCE, 18),
     SYNC_MAP_OWNER},
    {D, LINK_ID, STR, ONE("Opportunity", LINK_FIELD, SYNC_SFT_STRING, 255), SYNC_MAP_INTERNAL},
    /* tickets <- Case: the ticket's required properties first (name, pipeline, status) */
    {T, "subject", STR, ONE("Case", "Subject", SYNC_SFT_STRING, 255), SYNC_MAP_REQUIRED},
    {T, "hs_pipeline", SELECT, ONE("Case", "RecordTypeId", SYNC_SFT_REFERENCE, 18),
     SYNC_MAP_PIPELINE | SYNC_MAP_REQUIRED},
    {T, "hs_pipeline_stage", SELECT, ONE("Case", "Status", SYNC_SFT_PICKLIST, 255),
     SYNC_MAP_STAGE | SYNC_MAP_REQUIRED},
    {T, "content", AREA, ONE("Case", "Description", SYNC_SFT_TEXTAREA, 32000), 0},
    {T, "hs_ticket_priority", SELECT, ONE("Case", "Priority", SYNC_SFT_PICKLIST, 255), 0},
    {T, "source_type", SELECT, ONE("Case", "Origin", SYNC_SFT_PICKLIST, 255), 0},
    {T, "hs_ticket_category", CHECKS, ONE("Case", "Type", SYNC_SFT_PICKLIST, 255), 0},
    {T, "hubspot_owner_id", SELECT, ONE("Case", "OwnerId", SYNC_SFT_REFERENCE, 18), SYNC_MAP_OWNER},
    {T, LINK_ID, STR, ONE("Case", LINK_FIELD, SYNC_SFT_STRING, 255), SYNC_MAP_INTERNAL},
    /* Salesforce task sync (seed 003): Assigned To, Related To (associations, planner), Due
     * Date (a date: hs_timestamp at 00:00 UTC), Comments, Subject, Status and Priority */
    {TK, "hs_task_subject", STR, ONE("Task", "Subject", SYNC_SFT_COMBOBOX, 255), 0},
    {TK, "hs_task_body", HTML, ONE("Task", "Description", SYNC_SFT_TEXTAREA, 32000), 0},
    {TK, "hs_timestamp", WHEN, ONE("Task", "ActivityDate", SYNC_SFT_DATE, 0), 0},
    {TK, "hs_task_status", SELECT, ONE("Task", "Status", SYNC_SFT_PICKLIST, 40), 0},
    {TK, "hs_task_priority", SELECT, ONE("Task", "Priority", SYNC_SFT_PICKLIST, 40), 0},
    {TK, "hubspot_owner_id", SELECT, ONE("Task", "OwnerId", SYNC_SFT_REFERENCE, 18),
     SYNC_MAP_OWNER},
    {TK, LINK_ID, STR, ONE("Task", LINK_FIELD, SYNC_SFT_STRING, 255), SYNC_MAP_INTERNAL},
    {EM, "hs_email_subject", STR, ONE("Task", "Subject", SYNC_SFT_COMBOBOX, 255), 0},
    {EM, "hs_email_text", AREA, ONE("Task", "Description", SYNC_SFT_TEXTAREA, 32000), 0},
    {EM, "hs_timestamp", WHEN, ONE("Task", "ActivityDate", SYNC_SFT_DATE, 0), 0},
    {EM, "hubspot_owner_id", SELECT, ONE("Task", "OwnerId", SYNC_SFT_REFERENCE, 18),
     SYNC_MAP_OWNER},
    {EM, LINK_ID, STR, ONE("Task", LINK_FIELD, SYNC_SFT_STRING, 255), SYNC_MAP_INTERNAL},
    {CL, "hs_call_title", STR, ONE("Task", "Subject", SYNC_SFT_COMBOBOX, 255), 0},
    {CL, "hs_call_body", HTML, ONE("Task", "Description", SYNC_SFT_TEXTAREA, 32000), 0},
    {CL, "hs_timestamp", WHEN, ONE("Task", "ActivityDate", SYNC_SFT_DATE, 0), 0},
    {CL, "hubspot_owner_id", SELECT, ONE("Task", "OwnerId", SYNC_SFT_REFERENCE, 18),
     SYNC_MAP_OWNER},
    {CL, LINK_ID, STR, ONE("Task", LINK_FIELD, SYNC_SFT_STRING, 255), SYNC_MAP_INTERNAL},
    {MT, "hs_meeting_title", STR, ONE("Event", "Subject", SYNC_SFT_COMBOBOX, 255), 0},
    {MT, "hs_meeting_body", HTML, ONE("Event", "Description", SYNC_SFT_TEXTAREA, 32000), 0},
    {MT, "hs_timestamp", WHEN, ONE("Event", "ActivityDateTime", SYNC_SFT_DATETIME, 0), 0},
    {MT, "hs_meeting_start_time", WHEN, ONE("Event", "StartDateTime", SYNC_SFT_DATETIME, 0), 0},
    {MT, "hs_meeting_end_time", WHEN, ONE("Event", "EndDateTime", SYNC_SFT_DATETIME, 0), 0},
    {MT, "hs_meeting_location", STR, ONE("Event", "Location", SYNC_SFT_STRING, 255), 0},
    {MT, "hubspot_owner_id", SELECT, ONE("Event", "OwnerId", SYNC_SFT_REFERENCE, 18),
     SYNC_MAP_OWNER},
    {MT, LINK_ID, STR, ONE("Event", LINK_FIELD, SYNC_SFT_STRING, 255), SYNC_MAP_INTERNAL},
};

#undef C
#undef A
#undef D
#undef T
#undef TK
#undef EM
#undef CL
#undef MT
#undef HTML
#undef WHEN

/* The value maps of the built-ins whose picklists spell their choices differently
 * (sync_mapping.values). */
static const struct {
    enum sync_kind kind;
    const char *hs, *values;
} builtin_values[] = {
    {SYNC_KIND_TICKET, "hs_ticket_priority", "High=HIGH|Medium=MEDIUM|Low=LOW"},
    {SYNC_KIND_TICKET, "source_type", "Phone=PHONE|Email=EMAIL|Web=FORM|Chat=CHAT"},
    {SYNC_KIND_TICKET, "hs_ticket_category",
     "Problem=PRODUCT_ISSUE|Feature Request=FEATURE_REQUEST|Question=GENERAL_INQUIRY"},
    {SYNC_KIND_TASK, "hs_task_status",
     "Not Started=NOT_STARTED|In Progress=IN_PROGRESS|Completed=COMPLETED|Waiting on someone "
     "else=WAITING|Deferred=DEFERRED"},
    {SYNC_KIND_TASK, "hs_task_priority", "High=HIGH|Normal=MEDIUM|Low=LOW"},
};

static const char *values_of(enum sync_kind kind, const char *hs)
{
    for (size_t i = 0; i < sizeof(builtin_values) / sizeof(builtin_values[0]); i++)
        if (builtin_values[i].kind == kind && strcmp(builtin_values[i].hs, hs) == 0)
            return builtin_values[i].values;
    return NULL;
}

/* ---- type compatibility ---- */

enum hs_class {
    HC_NONE,
    HC_TEXT,
    HC_TEXTAREA,
    HC_SELECT,
    HC_CHECKBOXES,
    HC_BOOL,
    HC_NUMBER,
    HC_DATE,
    HC_USER,
    HC__COUNT
};

#define T(t) (1u << (t))
static const struct {
    const char *label;
    unsigned types;         /* Salesforce types any mapping may use */
    unsigned builtin_extra; /* more that HubSpot's own defaults use */
} hs_classes[HC__COUNT] = {
    [HC_NONE] = {"unmappable", 0, 0},
    [HC_TEXT] = {"single-line text",
                 T(SYNC_SFT_STRING) | T(SYNC_SFT_TEXTAREA) | T(SYNC_SFT_EMAIL) | T(SYNC_SFT_PHONE) |
                     T(SYNC_SFT_URL) | T(SYNC_SFT_COMBOBOX),
                 T(SYNC_SFT_PICKLIST) | T(SYNC_SFT_INT) | T(SYNC_SFT_DOUBLE) |
                     T(SYNC_SFT_CURRENCY) | T(SYNC_SFT_PERCENT)},
    [HC_TEXTAREA] = {"multi-line text", T(SYNC_SFT_TEXTAREA), 0},
    [HC_SELECT] = {"dropdown select or radio select",
                   T(SYNC_SFT_PICKLIST) | T(SYNC_SFT_REFERENCE) | T(SYNC_SFT_COMBOBOX), 0},
    [HC_CHECKBOXES] = {"multiple checkboxes", T(SYNC_SFT_MULTIPICKLIST), T(SYNC_SFT_PICKLIST)},
    [HC_BOOL] = {"single checkbox", T(SYNC_SFT_BOOLEAN), 0},
    [HC_NUMBER] = {"number",
                   T(SYNC_SFT_INT) | T(SYNC_SFT_DOUBLE) | T(SYNC_SFT_CURRENCY) |
                       T(SYNC_SFT_PERCENT),
                   0},
    [HC_DATE] = {"date picker", T(SYNC_SFT_DATE) | T(SYNC_SFT_DATETIME), 0},
    [HC_USER] = {"HubSpot user", 0, T(SYNC_SFT_REFERENCE)},
};

static enum hs_class hs_class_of(const struct sync_hs_prop *p)
{
    if (p->owner_ref)
        return HC_USER;
    switch (p->type) {
    case SYNC_HST_STRING:
        if (p->field_type == SYNC_HSF_TEXT || p->field_type == SYNC_HSF_PHONENUMBER)
            return HC_TEXT;
        return p->field_type == SYNC_HSF_TEXTAREA ? HC_TEXTAREA : HC_NONE;
    case SYNC_HST_PHONE_NUMBER:
        return HC_TEXT;
    case SYNC_HST_NUMBER:
        return p->field_type == SYNC_HSF_NUMBER ? HC_NUMBER : HC_NONE;
    case SYNC_HST_DATE:
    case SYNC_HST_DATETIME:
        return p->field_type == SYNC_HSF_CALCULATION_EQUATION ? HC_NONE : HC_DATE;
    case SYNC_HST_ENUMERATION:
        if (p->field_type == SYNC_HSF_SELECT || p->field_type == SYNC_HSF_RADIO)
            return HC_SELECT;
        if (p->field_type == SYNC_HSF_CHECKBOX)
            return HC_CHECKBOXES;
        return p->field_type == SYNC_HSF_BOOLEANCHECKBOX ? HC_BOOL : HC_NONE;
    case SYNC_HST_BOOL:
        return HC_BOOL;
    default:
        return HC_NONE;
    }
}

/* "string, textarea, email, phone, url or combobox" */
static void list_types(unsigned mask, char *out, size_t n)
{
    size_t used = 0;
    int count = 0, total = __builtin_popcount(mask);

    out[0] = '\0';
    for (int t = 0; t < SYNC_SFT__COUNT && used < n; t++) {
        if (!(mask & T(t)))
            continue;
        count++;
        used += (size_t)snprintf(out + used, n - used, "%s%s",
                                 count == 1       ? ""
                                 : count == total ? " or "
                                                  : ", ",
                                 sync_sf_type_name((enum sync_sf_type)t));
    }
}

enum sync_rc sync_mapping_check_types(const struct sync_hs_prop *hs, const struct sync_sf_field *sf,
                                      int builtin, struct sync_err *err)
{
    /* rich text (an activity's body) is mapped by HubSpot's own activity sync only, as long text */
    enum hs_class c = builtin && hs->type == SYNC_HST_STRING && hs->field_type == SYNC_HSF_HTML
                          ? HC_TEXTAREA
                          : hs_class_of(hs);
    unsigned mask = hs_classes[c].types | (builtin ? hs_classes[c].builtin_extra : 0);
    char allowed[256];

    if (c == HC_USER && !builtin)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "HubSpot property %s is a HubSpot user property: those cannot be "
                            "mapped to Salesforce fields",
                            hs->name);
    if (c == HC_NONE)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "HubSpot property %s (%s, %s) cannot be mapped to Salesforce", hs->name,
                            sync_hs_type_name(hs->type), sync_hs_field_type_name(hs->field_type));
    if ((unsigned)sf->type < SYNC_SFT__COUNT && (mask & T(sf->type)))
        return SYNC_OK;
    list_types(hs_classes[c].types, allowed, sizeof(allowed));
    return sync_err_set(err, SYNC_ERR_INVALID,
                        "types do not match: HubSpot property %s is %s, which maps to Salesforce "
                        "%s fields, but %s.%s is %s",
                        hs->name, hs_classes[c].label, allowed, sf->object, sf->name,
                        sync_sf_type_name(sf->type));
}

/* ---- checks ---- */

static int valid_hs_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 100 || !islower((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

static int valid_sf_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 80 || !isalpha((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

const struct sync_mapping *sync_mapping_set_find_hs(const struct sync_mapping_set *set,
                                                    enum sync_kind kind, const char *prop)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->items[i].kind == kind && strcmp(set->items[i].hs.name, prop) == 0)
            return &set->items[i];
    return NULL;
}

const struct sync_mapping *sync_mapping_set_find_sf(const struct sync_mapping_set *set,
                                                    enum sync_kind kind, const char *object,
                                                    const char *field)
{
    for (size_t i = 0; i < set->n; i++) {
        const struct sync_mapping *m = &set->items[i];
        if (m->kind != kind)
            continue;
        for (size_t j = 0; j < m->nsf; j++)
            if (strcasecmp(m->sf[j].object, object) == 0 && strcasecmp(m->sf[j].name, field) == 0)
                return m;
    }
    return NULL;
}

/* Object membership, names, one field per object, types and one canonical kind. */
static enum sync_rc check_fields(const struct sync_mapping *m, int builtin, struct sync_err *err)
{
    int seen[SYNC_MAPPING_MAX_SF] = {0};

    if (m->nsf == 0 || m->nsf > SYNC_MAPPING_MAX_SF)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "%s mapping %s: give one Salesforce field per "
                            "object (at most %d)",
                            sync_kind_name(m->kind), m->hs.name, SYNC_MAPPING_MAX_SF);
    for (size_t i = 0; i < m->nsf; i++) {
        const struct sync_sf_field *f = &m->sf[i];
        int oi = object_index(m->kind, f->object);
        if (oi < 0 || oi >= SYNC_MAPPING_MAX_SF)
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "%s mapping %s: %s is not a Salesforce "
                                "object of the %s sync",
                                sync_kind_name(m->kind), m->hs.name, f->object,
                                sync_kind_name(m->kind));
        if (seen[oi]++)
            return sync_err_set(err, SYNC_ERR_INVALID, "%s mapping %s: two fields on %s",
                                sync_kind_name(m->kind), m->hs.name, f->object);
        if (!valid_sf_name(f->name))
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "%s mapping %s: '%s' is not a Salesforce "
                                "field name",
                                sync_kind_name(m->kind), m->hs.name, f->name);
        if (sync_mapping_check_types(&m->hs, f, builtin, err))
            return SYNC_ERR_INVALID;
        if (i > 0 && sync_value_kind(&m->hs, f) != sync_value_kind(&m->hs, &m->sf[0]))
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "%s mapping %s: %s.%s (%s) and %s.%s (%s) "
                                "hold different kinds of value; map them separately",
                                sync_kind_name(m->kind), m->hs.name, m->sf[0].object, m->sf[0].name,
                                sync_sf_type_name(m->sf[0].type), f->object, f->name,
                                sync_sf_type_name(f->type));
    }
    return SYNC_OK;
}

enum sync_rc sync_mapping_check(const struct sync_mapping_set *set, const struct sync_mapping *m,
                                struct sync_err *err)
{
    const struct sync_mapping *other;

    if ((unsigned)m->kind >= SYNC_KIND__COUNT)
        return sync_err_set(err, SYNC_ERR_INVALID, "unknown sync kind %d", (int)m->kind);
    if ((unsigned)m->rule >= SYNC_RULE__COUNT)
        return sync_err_set(err, SYNC_ERR_INVALID, "unknown sync rule %d", (int)m->rule);
    if (!valid_hs_name(m->hs.name))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "'%s' is not a HubSpot property name "
                            "(lower-case letters, digits and '_', starting with a letter)",
                            m->hs.name);
    if (check_fields(m, 0, err))
        return SYNC_ERR_INVALID;
    if ((other = sync_mapping_set_find_hs(set, m->kind, m->hs.name)))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "HubSpot %s property %s is already mapped (to "
                            "%s.%s)",
                            sync_kind_name(m->kind), m->hs.name, other->sf[0].object,
                            other->sf[0].name);
    for (size_t i = 0; i < m->nsf; i++)
        if ((other = sync_mapping_set_find_sf(set, m->kind, m->sf[i].object, m->sf[i].name)))
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "Salesforce field %s.%s is already mapped "
                                "(to HubSpot %s property %s)",
                                m->sf[i].object, m->sf[i].name, sync_kind_name(m->kind),
                                other->hs.name);
    return SYNC_OK;
}

/* ---- the set ---- */

void sync_mapping_release(struct sync_mapping *m)
{
    sync_hs_prop_release(&m->hs);
    for (size_t i = 0; i < SYNC_MAPPING_MAX_SF; i++)
        sync_sf_field_release(&m->sf[i]);
    memset(m, 0, sizeof(*m));
}

/* Deep copy with the Salesforce fields in the kind's object order. */
static enum sync_rc mapping_copy(struct sync_mapping *dst, const struct sync_mapping *src)
{
    const struct sync_sf_field *order[SYNC_MAPPING_MAX_SF] = {NULL};
    size_t k = 0;
    enum sync_rc rc;

    memset(dst, 0, sizeof(*dst));
    for (size_t i = 0; i < src->nsf && i < SYNC_MAPPING_MAX_SF; i++) {
        int oi = object_index(src->kind, src->sf[i].object);
        if (oi < 0 || oi >= SYNC_MAPPING_MAX_SF || order[oi])
            return SYNC_ERR_INVALID; /* sync_mapping_check refuses these first */
        order[oi] = &src->sf[i];
    }
    dst->kind = src->kind;
    dst->rule = src->rule;
    dst->default_rule = src->default_rule;
    dst->flags = src->flags;
    dst->vkind = src->vkind;
    dst->values = src->values;
    rc = sync_hs_prop_copy(&dst->hs, &src->hs);
    for (size_t i = 0; !rc && i < SYNC_MAPPING_MAX_SF; i++)
        if (order[i] && !(rc = sync_sf_field_copy(&dst->sf[k], order[i])))
            k++;
    dst->nsf = k;
    if (rc)
        sync_mapping_release(dst);
    return rc;
}

/* Inserts a copy after the last mapping of its kind. */
static enum sync_rc set_insert(struct sync_mapping_set *set, const struct sync_mapping *m)
{
    size_t at = 0;
    enum sync_rc rc;

    if (set->n >= SYNC_MAPPING_MAX)
        return SYNC_ERR_TOO_LARGE;
    if (set->n == set->alloc) {
        size_t na = set->alloc ? set->alloc * 2 : 64;
        struct sync_mapping *ni = realloc(set->items, na * sizeof(*ni));
        if (!ni)
            return SYNC_ERR_NOMEM;
        set->items = ni;
        set->alloc = na;
    }
    while (at < set->n && set->items[at].kind <= m->kind)
        at++;
    memmove(&set->items[at + 1], &set->items[at], (set->n - at) * sizeof(*set->items));
    if ((rc = mapping_copy(&set->items[at], m))) {
        memmove(&set->items[at], &set->items[at + 1], (set->n - at) * sizeof(*set->items));
        return rc;
    }
    set->n++;
    return SYNC_OK;
}

static void builtin_to_mapping(const struct builtin *b, struct sync_mapping *m)
{
    memset(m, 0, sizeof(*m));
    m->kind = b->kind;
    snprintf(m->hs.name, sizeof(m->hs.name), "%s", b->hs);
    m->hs.type = b->hst;
    m->hs.field_type = b->hsf;
    m->hs.owner_ref = (b->flags & SYNC_MAP_OWNER) != 0;
    for (size_t i = 0; i < SYNC_MAPPING_MAX_SF && b->sf[i].object; i++) {
        struct sync_sf_field *f = &m->sf[m->nsf++];
        snprintf(f->object, sizeof(f->object), "%s", b->sf[i].object);
        snprintf(f->name, sizeof(f->name), "%s", b->sf[i].name);
        f->type = b->sf[i].type;
        f->length = b->sf[i].length;
    }
    m->flags = b->flags | SYNC_MAP_BUILTIN;
    m->values = values_of(b->kind, b->hs);
    /* tickets: Salesforce always wins while ticket sync is one-way (the planner's rule); the
     * shown rule is what the opt-in two-way mode applies */
    m->rule = m->default_rule = b->flags & SYNC_MAP_INTERNAL  ? SYNC_RULE_DONT_SYNC
                                : b->kind == SYNC_KIND_TICKET ? SYNC_RULE_TWO_WAY
                                : b->kind >= SYNC_KIND_TASK   ? SYNC_RULE_ALWAYS_SF
                                                              : SYNC_RULE_PREFER_SF_UNLESS_BLANK;
    m->vkind = sync_value_kind(&m->hs, &m->sf[0]);
}

enum sync_rc sync_mapping_set_init(struct sync_mapping_set *set)
{
    struct sync_mapping m;
    enum sync_rc rc = SYNC_OK;

    memset(set, 0, sizeof(*set));
    for (size_t i = 0; !rc && i < sizeof(builtins) / sizeof(builtins[0]); i++) {
        builtin_to_mapping(&builtins[i], &m);
        rc = set_insert(set, &m);
    }
    if (rc)
        sync_mapping_set_release(set);
    return rc;
}

void sync_mapping_set_release(struct sync_mapping_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        sync_mapping_release(&set->items[i]);
    free(set->items);
    memset(set, 0, sizeof(*set));
}

size_t sync_mapping_set_list(const struct sync_mapping_set *set, enum sync_kind kind,
                             const struct sync_mapping **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++) {
        if (set->items[i].kind != kind)
            continue;
        if (n < cap)
            out[n] = &set->items[i];
        n++;
    }
    return n;
}

enum sync_rc sync_mapping_set_add(struct sync_mapping_set *set, const struct sync_mapping *m,
                                  struct sync_err *err)
{
    struct sync_mapping user = *m;
    enum sync_rc rc;

    user.flags = 0;
    user.default_rule = SYNC_RULE_PREFER_SF_UNLESS_BLANK;
    if (sync_mapping_check(set, &user, err))
        return SYNC_ERR_INVALID;
    user.vkind = sync_value_kind(&user.hs, &user.sf[0]);
    if ((rc = set_insert(set, &user)) == SYNC_ERR_TOO_LARGE)
        return sync_err_set(err, rc, "too many mappings (at most %d)", SYNC_MAPPING_MAX);
    if (rc)
        return sync_err_set(err, rc, "out of memory adding a mapping");
    return SYNC_OK;
}

static struct sync_mapping *find_mut(struct sync_mapping_set *set, enum sync_kind kind,
                                     const char *prop, struct sync_err *err)
{
    struct sync_mapping *m = (struct sync_mapping *)sync_mapping_set_find_hs(set, kind, prop);
    if (!m)
        sync_err_set(err, SYNC_ERR_NOT_FOUND, "no %s mapping for HubSpot property %s",
                     sync_kind_name(kind), prop);
    return m;
}

enum sync_rc sync_mapping_set_remove(struct sync_mapping_set *set, enum sync_kind kind,
                                     const char *prop, struct sync_err *err)
{
    struct sync_mapping *m = find_mut(set, kind, prop, err);
    size_t at;

    if (!m)
        return SYNC_ERR_NOT_FOUND;
    if (m->flags & SYNC_MAP_BUILTIN)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "the %s mapping of %s is a default mapping and "
                            "cannot be removed (set its rule to dont_sync instead)",
                            sync_kind_name(kind), prop);
    at = (size_t)(m - set->items);
    sync_mapping_release(m);
    memmove(&set->items[at], &set->items[at + 1], (set->n - at - 1) * sizeof(*set->items));
    set->n--;
    return SYNC_OK;
}

enum sync_rc sync_mapping_set_replace(struct sync_mapping_set *set, const struct sync_mapping *m,
                                      struct sync_err *err)
{
    struct sync_mapping *old =
        (struct sync_mapping *)sync_mapping_set_find_hs(set, m->kind, m->hs.name);
    struct sync_mapping saved;
    size_t at;
    enum sync_rc rc;

    if (!old)
        return sync_mapping_set_add(set, m, err);
    if (old->flags & SYNC_MAP_BUILTIN)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "the %s mapping of %s is a default mapping: its Salesforce fields "
                            "cannot be changed (only its rule)",
                            sync_kind_name(m->kind), m->hs.name);
    /* checked against the set without the mapping it replaces, which goes back on refusal */
    at = (size_t)(old - set->items);
    saved = *old;
    memmove(&set->items[at], &set->items[at + 1], (set->n - at - 1) * sizeof(*set->items));
    set->n--;
    if ((rc = sync_mapping_set_add(set, m, err))) {
        memmove(&set->items[at + 1], &set->items[at], (set->n - at) * sizeof(*set->items));
        set->items[at] = saved;
        set->n++;
        return rc;
    }
    sync_mapping_release(&saved);
    return SYNC_OK;
}

int sync_mapping_same_fields(const struct sync_mapping *a, const struct sync_mapping *b)
{
    if (a->kind != b->kind || strcmp(a->hs.name, b->hs.name) || a->hs.type != b->hs.type ||
        a->hs.field_type != b->hs.field_type || a->hs.owner_ref != b->hs.owner_ref ||
        a->nsf != b->nsf || a->flags != b->flags || a->vkind != b->vkind)
        return 0;
    for (size_t i = 0; i < a->nsf; i++)
        if (strcmp(a->sf[i].object, b->sf[i].object) || strcmp(a->sf[i].name, b->sf[i].name) ||
            a->sf[i].type != b->sf[i].type)
            return 0;
    return 1;
}

enum sync_rc sync_mapping_set_rule(struct sync_mapping_set *set, enum sync_kind kind,
                                   const char *prop, enum sync_rule rule, struct sync_err *err)
{
    struct sync_mapping *m = find_mut(set, kind, prop, err);

    if (!m)
        return SYNC_ERR_NOT_FOUND;
    if ((unsigned)rule >= SYNC_RULE__COUNT)
        return sync_err_set(err, SYNC_ERR_INVALID, "unknown sync rule %d", (int)rule);
    if ((m->flags & SYNC_MAP_INTERNAL) && rule != m->rule)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "%s is crmsync's own link id: the engine "
                            "writes it, and its rule cannot be changed",
                            prop);
    if ((m->flags & SYNC_MAP_REQUIRED) && rule == SYNC_RULE_DONT_SYNC)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "%s is required: a HubSpot %s needs it, so it cannot be Don't sync",
                            prop, sync_kind_name(kind));
    m->rule = rule;
    return SYNC_OK;
}

/* Applies a changed description to a copy of m, checks it, and swaps it in. */
static enum sync_rc redescribe(struct sync_mapping *m, const struct sync_hs_prop *p,
                               const struct sync_sf_field *f, struct sync_err *err)
{
    struct sync_mapping next;
    enum sync_rc rc;

    if ((rc = mapping_copy(&next, m)))
        return sync_err_set(err, rc, "out of memory describing a mapping");
    if (p) {
        struct sync_hs_prop np;
        if ((rc = sync_hs_prop_copy(&np, p)))
            goto out;
        snprintf(np.name, sizeof(np.name), "%s", m->hs.name);
        np.owner_ref = p->owner_ref || (m->flags & SYNC_MAP_OWNER);
        sync_hs_prop_release(&next.hs);
        next.hs = np;
    }
    for (size_t i = 0; f && i < next.nsf; i++) {
        struct sync_sf_field nf;
        if (strcasecmp(next.sf[i].object, f->object) || strcasecmp(next.sf[i].name, f->name))
            continue;
        if ((rc = sync_sf_field_copy(&nf, f)))
            goto out;
        memcpy(nf.object, next.sf[i].object, sizeof(nf.object));
        memcpy(nf.name, next.sf[i].name, sizeof(nf.name));
        sync_sf_field_release(&next.sf[i]);
        next.sf[i] = nf;
    }
    if (check_fields(&next, (m->flags & SYNC_MAP_BUILTIN) != 0, err)) {
        rc = SYNC_ERR_INVALID;
        goto out;
    }
    next.vkind = sync_value_kind(&next.hs, &next.sf[0]);
    sync_mapping_release(m);
    *m = next;
    return SYNC_OK;
out:
    sync_mapping_release(&next);
    if (rc == SYNC_ERR_NOMEM)
        sync_err_set(err, rc, "out of memory describing a mapping");
    return rc;
}

enum sync_rc sync_mapping_set_describe_hs(struct sync_mapping_set *set, enum sync_kind kind,
                                          const struct sync_hs_prop *p, struct sync_err *err)
{
    struct sync_mapping *m = (struct sync_mapping *)sync_mapping_set_find_hs(set, kind, p->name);
    return m ? redescribe(m, p, NULL, err) : SYNC_DECLINED;
}

enum sync_rc sync_mapping_set_describe_sf(struct sync_mapping_set *set, enum sync_kind kind,
                                          const struct sync_sf_field *f, struct sync_err *err)
{
    struct sync_mapping *m =
        (struct sync_mapping *)sync_mapping_set_find_sf(set, kind, f->object, f->name);
    return m ? redescribe(m, NULL, f, err) : SYNC_DECLINED;
}

/* ---- what the planner asks ---- */

enum sync_rule sync_mapping_rule(const struct sync_mapping *m)
{
    if ((m->flags & SYNC_MAP_OWNER) && m->rule != SYNC_RULE_DONT_SYNC)
        return SYNC_RULE_TWO_WAY;
    return m->rule;
}

enum sync_side sync_mapping_first_sync_winner(const struct sync_mapping *m)
{
    return m->flags & SYNC_MAP_OWNER ? SYNC_SIDE_SALESFORCE : SYNC_SIDE_NONE;
}

const struct sync_sf_field *sync_mapping_sf_field(const struct sync_mapping *m, const char *object)
{
    for (size_t i = 0; i < m->nsf; i++)
        if (strcasecmp(m->sf[i].object, object) == 0)
            return &m->sf[i];
    return NULL;
}

static const struct sync_sf_field *field_or_err(const struct sync_mapping *m, const char *object,
                                                struct sync_err *err)
{
    const struct sync_sf_field *f = sync_mapping_sf_field(m, object);
    if (!f)
        sync_err_set(err, SYNC_ERR_NOT_FOUND, "the %s mapping of %s has no field on %s",
                     sync_kind_name(m->kind), m->hs.name, object);
    return f;
}

enum sync_rc sync_mapping_from_sf(const struct sync_mapping *m, const char *object, const json_t *v,
                                  struct sync_buf *out, struct sync_err *err)
{
    const struct sync_sf_field *f = field_or_err(m, object, err);
    return f ? sync_value_from_sf(f, m->vkind, v, out, err) : SYNC_ERR_NOT_FOUND;
}

/* The other spelling of v in a value map ("sf=hs|..."): from_hs 1 looks v up among the HubSpot
 * values and gives the Salesforce one. NULL when the map does not name v. */
static const char *value_map(const char *map, const char *v, int from_hs, char *out, size_t n)
{
    size_t vl = v ? strlen(v) : 0;

    while (map && *map && vl) {
        const char *eq = strchr(map, '='), *end = strchr(map, '|');
        const char *a, *b;
        size_t al, bl;
        if (!end)
            end = map + strlen(map);
        if (!eq || eq > end)
            break;
        a = from_hs ? eq + 1 : map;
        al = from_hs ? (size_t)(end - eq - 1) : (size_t)(eq - map);
        b = from_hs ? map : eq + 1;
        bl = from_hs ? (size_t)(eq - map) : (size_t)(end - eq - 1);
        if (al == vl && strncasecmp(a, v, vl) == 0 && bl < n) {
            memcpy(out, b, bl);
            out[bl] = '\0';
            return out;
        }
        map = *end ? end + 1 : end;
    }
    return NULL;
}

enum sync_rc sync_mapping_from_hs(const struct sync_mapping *m, const char *s, struct sync_buf *out,
                                  struct sync_err *err)
{
    char tmp[256];
    const char *sf = m->values ? value_map(m->values, s, 1, tmp, sizeof(tmp)) : NULL;

    if (sf) {
        sync_buf_reset(out);
        return sync_buf_addstr(out, sf);
    }
    return sync_value_from_hs(&m->hs, m->vkind, s, out, err);
}

enum sync_rc sync_mapping_to_sf(const struct sync_mapping *m, const char *object, const char *canon,
                                json_t **out, struct sync_err *err)
{
    const struct sync_sf_field *f = field_or_err(m, object, err);
    *out = NULL;
    return f ? sync_value_to_sf(f, m->vkind, canon, out, err) : SYNC_ERR_NOT_FOUND;
}

enum sync_rc sync_mapping_to_hs(const struct sync_mapping *m, const char *canon,
                                struct sync_buf *out, struct sync_err *err)
{
    char tmp[256];
    const char *hs = m->values ? value_map(m->values, canon, 0, tmp, sizeof(tmp)) : NULL;

    return sync_value_to_hs(&m->hs, m->vkind, hs ? hs : canon, out, err);
}
