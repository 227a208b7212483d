/*
 * props.c: the property catalogue of each object type (the standard
 * properties of a fresh portal, which a catalogue loaded from --data also
 * gets when it lacks them; custom properties, option sets, unique
 * properties), the validators every write goes through, and the
 * /crm/v3/properties API.
 *
 * props_validate_value is pure and unit-tested (tests/unit/emulators/
 * hubspot/props.c); props_check_write turns a `properties` object into a
 * validated struct hs_write or HubSpot's 400 VALIDATION_ERROR body. Callers
 * hold the portal lock.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

/* ---- the standard catalogue ---- */

#define RO HS_PF_READONLY
#define UQ HS_PF_UNIQUE
#define EM HS_PF_EMAIL
#define MU HS_PF_MULTI
#define CA (HS_PF_CALCULATED | HS_PF_READONLY)

struct std_prop {
    const char *name;
    const char *label;
    const char *type;
    const char *field;
    unsigned flags;
    const char *opts; /* "a|b|c" */
};

static const struct std_prop common_tail[] = {
    {"hs_object_id", "Record ID", "number", "number", RO, NULL},
    {"hs_object_source", "Record source", "string", "text", RO, NULL},
    {"hs_object_source_id", "Record source ID", "string", "text", RO, NULL},
    {"hs_merged_object_ids", "Merged record IDs", "enumeration", "checkbox", RO | MU, NULL},
    {"hs_lastmodifieddate", "Last Modified Date", "datetime", "date", RO, NULL},
    {"hubspot_owner_id", "Owner", "enumeration", "select", 0, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL}};

static const struct std_prop contact_props[] = {
    {"email", "Email", "string", "text", EM | UQ, NULL},
    {"firstname", "First Name", "string", "text", 0, NULL},
    {"lastname", "Last Name", "string", "text", 0, NULL},
    {"phone", "Phone Number", "string", "phonenumber", 0, NULL},
    {"mobilephone", "Mobile Phone Number", "string", "phonenumber", 0, NULL},
    {"fax", "Fax Number", "string", "phonenumber", 0, NULL},
    {"company", "Company Name", "string", "text", 0, NULL},
    {"website", "Website URL", "string", "text", 0, NULL},
    {"jobtitle", "Job Title", "string", "text", 0, NULL},
    {"address", "Street Address", "string", "text", 0, NULL},
    {"city", "City", "string", "text", 0, NULL},
    {"state", "State/Region", "string", "text", 0, NULL},
    {"zip", "Postal Code", "string", "text", 0, NULL},
    {"country", "Country/Region", "string", "text", 0, NULL},
    {"industry", "Industry", "string", "text", 0, NULL},
    {"annualrevenue", "Annual Revenue", "string", "text", 0, NULL},
    {"message", "Message", "string", "textarea", 0, NULL},
    {"date_of_birth", "Date of birth", "date", "date", 0, NULL},
    {"lifecyclestage", "Lifecycle Stage", "enumeration", "radio", 0,
     "subscriber|lead|marketingqualifiedlead|salesqualifiedlead|opportunity|customer|evangelist|"
     "other"},
    {"hs_lead_status", "Lead Status", "enumeration", "radio", 0,
     "NEW|OPEN|IN_PROGRESS|OPEN_DEAL|UNQUALIFIED|ATTEMPTED_TO_CONTACT|CONNECTED|BAD_TIMING"},
    {"hs_email_optout", "Unsubscribed from all email", "bool", "booleancheckbox", 0, "true|false"},
    {"hs_persona", "Persona", "enumeration", "radio", 0, "persona_1|persona_2|persona_3"},
    {"hs_timezone", "Time Zone", "string", "text", 0, NULL},
    {"associatedcompanyid", "Primary Associated Company ID", "number", "number", 0, NULL},
    {"num_associated_deals", "Number of Associated Deals", "number", "number", CA, NULL},
    {"hs_additional_emails", "Additional email addresses", "enumeration", "checkbox", RO | MU,
     NULL},
    {"hs_email_domain", "Email Domain", "string", "text", CA, NULL},
    {"hs_marketable_until_renewal", "Marketing contact until next update", "enumeration",
     "booleancheckbox", RO, "true|false"},
    {"salesforcecontactid", "Salesforce Contact ID", "string", "text", 0, NULL},
    {"salesforceleadid", "Salesforce Lead ID", "string", "text", 0, NULL},
    {"notes_last_updated", "Last Activity Date", "datetime", "date", CA, NULL},
    {"hs_sales_email_last_opened", "Recent Sales Email Opened Date", "datetime", "date", CA, NULL},
    {"hs_sales_email_last_clicked", "Recent Sales Email Clicked Date", "datetime", "date", CA,
     NULL},
    {"hs_document_last_revisited", "Recent Document Revisit Date", "datetime", "date", CA, NULL},
    {"first_conversion_date", "First Conversion Date", "datetime", "date", CA, NULL},
    {"first_conversion_event_name", "First Conversion", "string", "text", CA, NULL},
    {"recent_conversion_date", "Recent Conversion Date", "datetime", "date", CA, NULL},
    {"recent_conversion_event_name", "Recent Conversion", "string", "text", CA, NULL},
    {"num_conversion_events", "Number of Form Submissions", "number", "number", CA, NULL},
    {"createdate", "Create Date", "datetime", "date", RO, NULL},
    {"lastmodifieddate", "Last Modified Date", "datetime", "date", RO, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL}};

static const struct std_prop company_props[] = {
    {"name", "Company name", "string", "text", 0, NULL},
    {"domain", "Company Domain Name", "string", "text", 0, NULL},
    {"website", "Website URL", "string", "text", 0, NULL},
    {"phone", "Phone Number", "string", "phonenumber", 0, NULL},
    {"address", "Street Address", "string", "text", 0, NULL},
    {"city", "City", "string", "text", 0, NULL},
    {"state", "State/Region", "string", "text", 0, NULL},
    {"zip", "Postal Code", "string", "text", 0, NULL},
    {"country", "Country/Region", "string", "text", 0, NULL},
    {"industry", "Industry", "enumeration", "select", 0,
     "ACCOUNTING|AIRLINES_AVIATION|BANKING|COMPUTER_SOFTWARE|CONSTRUCTION|EDUCATION_MANAGEMENT|"
     "FINANCIAL_SERVICES|HOSPITAL_HEALTH_CARE|INFORMATION_TECHNOLOGY_AND_SERVICES|INSURANCE|"
     "MARKETING_AND_ADVERTISING|RETAIL|TELECOMMUNICATIONS"},
    {"type", "Type", "enumeration", "select", 0, "PROSPECT|PARTNER|RESELLER|VENDOR|OTHER"},
    {"numberofemployees", "Number of Employees", "number", "number", 0, NULL},
    {"annualrevenue", "Annual Revenue", "number", "number", 0, NULL},
    {"description", "Description", "string", "textarea", 0, NULL},
    {"lifecyclestage", "Lifecycle Stage", "enumeration", "radio", 0,
     "subscriber|lead|marketingqualifiedlead|salesqualifiedlead|opportunity|customer|evangelist|"
     "other"},
    {"founded_year", "Year Founded", "string", "text", 0, NULL},
    {"linkedin_company_page", "LinkedIn Company Page", "string", "text", 0, NULL},
    {"salesforceaccountid", "Salesforce Account ID", "string", "text", 0, NULL},
    {"num_associated_contacts", "Number of Associated Contacts", "number", "number", CA, NULL},
    {"createdate", "Create Date", "datetime", "date", RO, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL}};

static const struct std_prop deal_props[] = {
    {"dealname", "Deal Name", "string", "text", 0, NULL},
    {"amount", "Amount", "number", "number", 0, NULL},
    {"dealstage", "Deal Stage", "enumeration", "radio", 0, NULL},
    {"pipeline", "Pipeline", "enumeration", "select", 0, NULL},
    {"closedate", "Close Date", "datetime", "date", 0, NULL},
    {"dealtype", "Deal Type", "enumeration", "radio", 0, "newbusiness|existingbusiness"},
    {"description", "Deal Description", "string", "textarea", 0, NULL},
    {"hs_priority", "Priority", "enumeration", "select", 0, "low|medium|high"},
    {"hs_next_step", "Next step", "string", "textarea", 0, NULL},
    {"closed_lost_reason", "Closed Lost Reason", "string", "textarea", 0, NULL},
    {"closed_won_reason", "Closed Won Reason", "string", "textarea", 0, NULL},
    {"deal_currency_code", "Currency", "enumeration", "select", 0, "USD|EUR|GBP|JPY|BRL"},
    {"hs_forecast_probability", "Forecast Probability", "number", "number", 0, NULL},
    {"hs_is_closed", "Is Deal Closed?", "bool", "booleancheckbox", CA, "true|false"},
    {"hs_is_closed_won", "Is Closed Won", "bool", "booleancheckbox", CA, "true|false"},
    {"hs_deal_stage_probability", "Deal Stage Probability", "number", "number", CA, NULL},
    {"num_associated_contacts", "Number of Associated Contacts", "number", "number", CA, NULL},
    {"salesforceopportunityid", "Salesforce Opportunity ID", "string", "text", 0, NULL},
    {"createdate", "Create Date", "datetime", "date", RO, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL}};

static const struct std_prop ticket_props[] = {
    {"subject", "Ticket name", "string", "text", 0, NULL},
    {"content", "Ticket description", "string", "textarea", 0, NULL},
    {"hs_pipeline", "Pipeline", "enumeration", "select", 0, NULL},
    {"hs_pipeline_stage", "Ticket status", "enumeration", "select", 0, NULL},
    {"hs_ticket_priority", "Priority", "enumeration", "select", 0, "LOW|MEDIUM|HIGH|URGENT"},
    {"hs_ticket_category", "Category", "enumeration", "checkbox", MU,
     "PRODUCT_ISSUE|BILLING_ISSUE|FEATURE_REQUEST|GENERAL_INQUIRY"},
    {"source_type", "Source", "enumeration", "select", 0, "CHAT|EMAIL|FORM|PHONE"},
    {"hs_resolution", "Resolution", "enumeration", "select", 0,
     "ISSUE_FIXED|CUSTOMER_EDUCATION|FEATURE_REQUEST|DUPLICATE|OTHER"},
    {"closed_date", "Close date", "datetime", "date", 0, NULL},
    {"hs_ticket_id", "Ticket ID", "number", "number", RO, NULL},
    {"time_to_close", "Time to close", "number", "number", CA, NULL},
    {"createdate", "Create date", "datetime", "date", RO, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL}};

static const struct std_prop activity_common[] = {
    {"hs_timestamp", "Activity date", "datetime", "date", 0, NULL},
    {"hs_createdate", "Create date", "datetime", "date", RO, NULL},
    {"hs_attachment_ids", "Attached file IDs", "enumeration", "checkbox", MU, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL}};

static const struct std_prop task_props[] = {
    {"hs_task_subject", "Task Title", "string", "text", 0, NULL},
    {"hs_task_body", "Notes", "string", "html", 0, NULL},
    {"hs_task_status", "Task Status", "enumeration", "select", 0,
     "NOT_STARTED|IN_PROGRESS|WAITING|COMPLETED|DEFERRED"},
    {"hs_task_priority", "Priority", "enumeration", "select", 0, "NONE|LOW|MEDIUM|HIGH"},
    {"hs_task_type", "Task Type", "enumeration", "select", 0, "EMAIL|CALL|TODO|LINKED_IN"},
    {"hs_task_reminders", "Reminder", "enumeration", "checkbox", MU, NULL},
    {"hs_task_completion_date", "Completed at", "datetime", "date", CA, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL}};
static const struct std_prop note_props[] = {
    {"hs_note_body", "Note body", "string", "html", 0, NULL}, {NULL, NULL, NULL, NULL, 0, NULL}};
static const struct std_prop call_props[] = {
    {"hs_call_title", "Call Title", "string", "text", 0, NULL},
    {"hs_call_body", "Call notes", "string", "html", 0, NULL},
    {"hs_body_preview", "Body preview", "string", "text", CA, NULL},
    {"hs_call_direction", "Call direction", "enumeration", "select", 0, "INBOUND|OUTBOUND"},
    {"hs_call_duration", "Call duration", "number", "number", 0, NULL},
    {"hs_call_status", "Call status", "enumeration", "select", 0,
     "BUSY|CALLING_CRM_USER|CANCELED|COMPLETED|CONNECTING|FAILED|IN_PROGRESS|MISSED|NO_ANSWER|"
     "QUEUED|RINGING"},
    {"hs_call_from_number", "From number", "string", "text", 0, NULL},
    {"hs_call_to_number", "To number", "string", "text", 0, NULL},
    {"hs_call_disposition", "Call outcome", "string", "text", 0, NULL},
    {"hs_call_recording_url", "Recording URL", "string", "text", 0, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL}};
static const struct std_prop email_props[] = {
    {"hs_email_direction", "Email direction", "enumeration", "select", 0,
     "EMAIL|INCOMING_EMAIL|FORWARDED_EMAIL"},
    {"hs_email_subject", "Email subject", "string", "text", 0, NULL},
    {"hs_email_text", "Email body", "string", "textarea", 0, NULL},
    {"hs_email_html", "Email HTML", "string", "html", 0, NULL},
    {"hs_email_status", "Email status", "enumeration", "select", 0,
     "BOUNCED|FAILED|SCHEDULED|SENDING|SENT"},
    {"hs_email_headers", "Email headers", "string", "textarea", 0, NULL},
    {"hs_email_sender_email", "Sender email", "string", "text", 0, NULL},
    {"hs_email_to_email", "Recipient email", "string", "text", 0, NULL},
    {"hs_email_open_count", "Number of opens", "number", "number", CA, NULL},
    {"hs_email_click_count", "Number of clicks", "number", "number", CA, NULL},
    {"hs_email_last_open_date", "Last opened", "datetime", "date", CA, NULL},
    {"hs_email_last_click_date", "Last clicked", "datetime", "date", CA, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL}};
static const struct std_prop meeting_props[] = {
    {"hs_meeting_title", "Meeting name", "string", "text", 0, NULL},
    {"hs_meeting_body", "Meeting description", "string", "html", 0, NULL},
    {"hs_internal_meeting_notes", "Internal notes", "string", "html", 0, NULL},
    {"hs_meeting_start_time", "Start time", "datetime", "date", 0, NULL},
    {"hs_meeting_end_time", "End time", "datetime", "date", 0, NULL},
    {"hs_meeting_outcome", "Meeting outcome", "enumeration", "select", 0,
     "SCHEDULED|COMPLETED|RESCHEDULED|NO_SHOW|CANCELED"},
    {"hs_meeting_location", "Location", "string", "text", 0, NULL},
    {"hs_meeting_external_url", "External URL", "string", "text", 0, NULL},
    {NULL, NULL, NULL, NULL, 0, NULL}};

static const char *const group_names[HS_NTYPES] = {"contactinformation",
                                                   "companyinformation",
                                                   "dealinformation",
                                                   "ticketinformation",
                                                   "task",
                                                   "note",
                                                   "call",
                                                   "email",
                                                   "meeting"};

static const char *const ptype_names[] = {"string",      "number", "date",        "datetime",
                                          "enumeration", "bool",   "phone_number"};

int hs_ptype_parse(const char *s)
{
    for (int i = 0; i < 7; i++)
        if (s && strcmp(s, ptype_names[i]) == 0)
            return i;
    return -1;
}

static int field_type_ok(const char *f)
{
    static const char *const ok[] = {"text",
                                     "textarea",
                                     "number",
                                     "date",
                                     "select",
                                     "radio",
                                     "checkbox",
                                     "booleancheckbox",
                                     "calculation_equation",
                                     "file",
                                     "html",
                                     "phonenumber",
                                     NULL};
    for (int i = 0; f && ok[i]; i++)
        if (strcmp(f, ok[i]) == 0)
            return 1;
    return 0;
}

void props_unique_key(const char *v, char *out, size_t n)
{
    size_t i = 0;
    while (*v && isspace((unsigned char)*v))
        v++;
    for (; *v && i + 1 < n; v++)
        out[i++] = (char)tolower((unsigned char)*v);
    while (i && isspace((unsigned char)out[i - 1]))
        i--;
    out[i] = '\0';
}

static json_t *options_json(const struct hs_prop *prop, const json_t *given)
{
    json_t *a = json_array();
    if (json_is_array(given)) {
        size_t i;
        json_t *o;
        json_array_foreach(given, i, o)
        {
            json_t *c = json_pack(
                "{s:s, s:s, s:I, s:b, s:s}", "label",
                sync_json_str(o, "label") ? sync_json_str(o, "label") : sync_json_str(o, "value"),
                "value", sync_json_str(o, "value"), "displayOrder",
                (json_int_t)sync_json_int(o, "displayOrder", (int64_t)i), "hidden",
                sync_json_bool(o, "hidden", 0), "description",
                sync_json_str(o, "description") ? sync_json_str(o, "description") : "");
            if (c)
                json_array_append_new(a, c);
        }
        return a;
    }
    for (size_t i = 0; i < prop->nopts; i++) {
        char label[128];
        snprintf(label, sizeof(label), "%s", prop->opts[i]);
        label[0] = (char)toupper((unsigned char)label[0]);
        json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:b, s:s}", "label", label, "value",
                                           prop->opts[i], "displayOrder", (json_int_t)i, "hidden",
                                           0, "description", ""));
    }
    return a;
}

static void set_opts_from_json(struct hs_prop *prop)
{
    json_t *opts = json_object_get(prop->def, "options");
    size_t i;
    json_t *o;
    for (i = 0; i < prop->nopts; i++)
        free(prop->opts[i]);
    free(prop->opts);
    prop->opts = NULL;
    prop->nopts = 0;
    if (!json_is_array(opts) || !json_array_size(opts))
        return;
    prop->opts = calloc(json_array_size(opts), sizeof(char *));
    json_array_foreach(opts, i, o)
    {
        const char *v = sync_json_str(o, "value");
        if (v && prop->opts)
            prop->opts[prop->nopts++] = strdup(v);
    }
}

static void prop_free(void *v)
{
    struct hs_prop *prop = v;
    if (!prop)
        return;
    for (size_t i = 0; i < prop->nopts; i++)
        free(prop->opts[i]);
    free(prop->opts);
    if (prop->uniq) {
        hs_map_release(prop->uniq, NULL);
        free(prop->uniq);
    }
    json_decref(prop->def);
    free(prop->name);
    free(prop);
}

static void meta_json(struct hs_prop *prop)
{
    json_object_set_new(prop->def, "hasUniqueValue", json_boolean(prop->flags & HS_PF_UNIQUE));
    json_object_set_new(prop->def, "calculated", json_boolean(prop->flags & HS_PF_CALCULATED));
    json_object_set_new(prop->def, "hubspotDefined", json_boolean(prop->flags & HS_PF_HUBSPOT));
    json_object_set_new(prop->def, "modificationMetadata",
                        json_pack("{s:b, s:b, s:b}", "archivable", !(prop->flags & HS_PF_HUBSPOT),
                                  "readOnlyDefinition", (prop->flags & HS_PF_HUBSPOT) != 0,
                                  "readOnlyValue", (prop->flags & HS_PF_READONLY) != 0));
}

static struct hs_prop *catalog_add(struct hs_catalog *cat, const char *name, enum hs_ptype type,
                                   unsigned flags, json_t *def)
{
    struct hs_prop *prop;
    if (cat->n == cat->cap) {
        size_t cap = cat->cap ? cat->cap * 2 : 64;
        struct hs_prop **v = realloc(cat->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        cat->v = v;
        cat->cap = cap;
    }
    prop = calloc(1, sizeof(*prop));
    if (!prop)
        return NULL;
    prop->name = strdup(name);
    prop->idx = cat->n;
    prop->type = type;
    prop->flags = flags;
    prop->def = def;
    if (flags & HS_PF_UNIQUE) {
        prop->uniq = calloc(1, sizeof(*prop->uniq));
        if (prop->uniq)
            hs_map_init(prop->uniq);
    }
    cat->v[cat->n++] = prop;
    hs_map_put(&cat->by_name, name, prop);
    return prop;
}

static void add_std(struct hs_catalog *cat, int t, const struct std_prop *sp, int order,
                    const char *now_iso)
{
    enum hs_ptype type = (enum hs_ptype)hs_ptype_parse(sp->type);
    unsigned flags = sp->flags | HS_PF_HUBSPOT;
    json_t *def;
    struct hs_prop *prop;
    if (hs_map_get(&cat->by_name, sp->name))
        return;
    def = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:s, s:s, s:b}", "name",
                    sp->name, "label", sp->label, "type", sp->type, "fieldType", sp->field,
                    "description", "", "groupName", group_names[t], "displayOrder", order,
                    "externalOptions", 0, "hidden", 0, "formField", !(sp->flags & HS_PF_READONLY),
                    "createdAt", now_iso, "updatedAt", now_iso, "archived", 0);
    prop = catalog_add(cat, sp->name, type, flags, def);
    if (!prop) {
        json_decref(def);
        return;
    }
    if (sp->opts) {
        const char *q = sp->opts;
        size_t n = 1;
        for (const char *x = q; *x; x++)
            n += *x == '|';
        prop->opts = calloc(n, sizeof(char *));
        while (prop->opts && *q) {
            size_t len = strcspn(q, "|");
            prop->opts[prop->nopts++] = strndup(q, len);
            q += len;
            if (*q == '|')
                q++;
        }
    }
    json_object_set_new(def, "options", options_json(prop, NULL));
    meta_json(prop);
}

static void add_table(struct hs_catalog *cat, int t, const struct std_prop *tbl, int *order,
                      const char *now_iso)
{
    for (size_t i = 0; tbl[i].name; i++)
        add_std(cat, t, &tbl[i], (*order)++, now_iso);
}

/* Resolves the server-maintained properties and the default output set of type t. */
static void catalog_index(struct hs_catalog *cat, int t)
{
    static const char *const sys_names[HS_SYS_N] = {"hs_object_id",
                                                    NULL,
                                                    NULL,
                                                    "hs_lastmodifieddate",
                                                    "hs_object_source",
                                                    "hs_ticket_id",
                                                    "hs_merged_object_ids",
                                                    "hubspot_owner_id"};
    for (int i = 0; i < HS_SYS_N; i++) {
        const char *name = i == HS_SYS_CREATED   ? hs_types[t].created
                           : i == HS_SYS_LASTMOD ? hs_types[t].lastmod
                                                 : sys_names[i];
        cat->sys[i] = hs_map_get(&cat->by_name, name);
    }
    cat->ndefaults = 0;
    for (size_t i = 0; hs_types[t].defaults[i] && cat->ndefaults < HS_DEFAULTS_MAX; i++) {
        struct hs_prop *prop = hs_map_get(&cat->by_name, hs_types[t].defaults[i]);
        if (prop)
            cat->defaults[cat->ndefaults++] = prop;
    }
}

/* Adds the standard properties of type t that cat lacks, numbered on from order. */
static void add_standard(struct hs_catalog *cat, int t, int order)
{
    static const struct std_prop *const specific[HS_NTYPES] = {
        contact_props, company_props, deal_props,  ticket_props, task_props,
        note_props,    call_props,    email_props, meeting_props};
    char now_iso[SYNC_TIME_ISO_MAX];
    sync_time_format_iso(0, now_iso, sizeof(now_iso));
    add_table(cat, t, specific[t], &order, now_iso);
    if (t >= HS_TASKS)
        add_table(cat, t, activity_common, &order, now_iso);
    add_table(cat, t, common_tail, &order, now_iso);
}

void props_init_catalogs(struct hs_portal *p)
{
    for (int t = 0; t < HS_NTYPES; t++) {
        struct hs_catalog *cat = &p->cat[t];
        memset(cat, 0, sizeof(*cat));
        hs_map_init(&cat->by_name);
        add_standard(cat, t, 0);
        cat->groups = json_pack("[{s:s, s:s, s:i, s:b}]", "name", group_names[t], "label",
                                group_names[t], "displayOrder", 0, "archived", 0);
        catalog_index(cat, t);
    }
}

void props_release_catalogs(struct hs_portal *p)
{
    for (int t = 0; t < HS_NTYPES; t++) {
        struct hs_catalog *cat = &p->cat[t];
        for (size_t i = 0; i < cat->n; i++)
            prop_free(cat->v[i]);
        free(cat->v);
        hs_map_release(&cat->by_name, NULL);
        json_decref(cat->groups);
        memset(cat, 0, sizeof(*cat));
    }
}

struct hs_prop *props_find(struct hs_portal *p, enum hs_type t, const char *name)
{
    struct hs_prop *prop = hs_map_get(&p->cat[t].by_name, name);
    return prop && !prop->archived ? prop : NULL;
}

/* ---- validation ---- */

int props_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    const char *dot;
    if (!at || at == s || strchr(at + 1, '@') || strlen(s) > HS_EMAIL_MAX)
        return 0;
    for (const char *q = s; *q; q++)
        if (isspace((unsigned char)*q) || *q == ',' || *q == ';' || *q == '<' || *q == '>' ||
            (unsigned char)*q < 0x20)
            return 0;
    dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0' || strlen(dot + 1) < 2)
        return 0;
    if (strstr(at, ".."))
        return 0;
    return 1;
}

static int number_ok(const char *s)
{
    char *end;
    double d;
    if (!*s || isspace((unsigned char)*s))
        return 0;
    d = strtod(s, &end);
    return *end == '\0' && isfinite(d) && !strpbrk(s, "xXnN");
}

static int all_digits(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int parse_when(const char *in, int64_t *ms)
{
    if (all_digits(in)) {
        *ms = strtoll(in, NULL, 10);
        return 0;
    }
    return sync_time_parse(in, ms) == SYNC_OK ? 0 : -1;
}

static int option_ok(const struct hs_prop *prop, const char *v, size_t n)
{
    for (size_t i = 0; i < prop->nopts; i++)
        if (strlen(prop->opts[i]) == n && strncmp(prop->opts[i], v, n) == 0)
            return 1;
    return 0;
}

/* Copies in to out (truncating to outlen), the stored form of most values. */
static void copy_text(char *out, size_t outlen, const char *in)
{
    size_t n = strlen(in);
    if (!outlen)
        return;
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, in, n);
    out[n] = '\0';
}

static int check_number(const char *in, char *out, size_t outlen, const char **code, char *msg,
                        size_t msglen)
{
    if (!number_ok(in)) {
        *code = "INVALID_INTEGER";
        snprintf(msg, msglen, "%s was not a valid number.", in);
        return -1;
    }
    copy_text(out, outlen, in);
    return 0;
}

static int check_bool(const char *in, char *out, size_t outlen, const char **code, char *msg,
                      size_t msglen)
{
    if (strcasecmp(in, "true") == 0 || strcasecmp(in, "false") == 0) {
        copy_text(out, outlen, strcasecmp(in, "true") == 0 ? "true" : "false");
        return 0;
    }
    *code = "INVALID_BOOLEAN";
    snprintf(msg, msglen, "%s was not a valid boolean (true or false).", in);
    return -1;
}

/* A date is midnight UTC, as epoch ms or YYYY-MM-DD; stored as YYYY-MM-DD. */
static int check_date(const char *in, char *out, size_t outlen, const char **code, char *msg,
                      size_t msglen)
{
    int64_t ms, r;
    *code = "INVALID_DATE";
    if (parse_when(in, &ms)) {
        snprintf(msg, msglen, "%s was not a valid date (epoch milliseconds or YYYY-MM-DD).", in);
        return -1;
    }
    r = ((ms % 86400000) + 86400000) % 86400000;
    if (r != 0) {
        snprintf(msg, msglen, "%s is at %d:%d:%d.%d UTC, not midnight!", in, (int)(r / 3600000),
                 (int)(r / 60000 % 60), (int)(r / 1000 % 60), (int)(r % 1000));
        return -1;
    }
    *code = NULL;
    sync_time_format_date(ms, out, outlen);
    return 0;
}

/* A datetime is epoch ms or ISO-8601; stored as ISO-8601 UTC with milliseconds. */
static int check_datetime(const char *in, char *out, size_t outlen, const char **code, char *msg,
                          size_t msglen)
{
    int64_t ms;
    if (parse_when(in, &ms)) {
        *code = "INVALID_DATETIME";
        snprintf(msg, msglen, "%s was not a valid datetime (epoch milliseconds or ISO-8601).", in);
        return -1;
    }
    sync_time_format_iso(ms, out, outlen);
    return 0;
}

/* An enumeration takes one of its options (a checkbox: several, ';'-separated). */
static int check_enum(const struct hs_prop *prop, const char *in, char *out, size_t outlen,
                      const char **code, char *msg, size_t msglen)
{
    const char *q = in;
    while (prop->nopts) {
        size_t n = (prop->flags & HS_PF_MULTI) ? strcspn(q, ";") : strlen(q);
        if (n && !option_ok(prop, q, n)) {
            *code = "INVALID_OPTION";
            snprintf(msg, msglen, "%.*s was not one of the allowed options: [", (int)n, q);
            for (size_t i = 0; i < prop->nopts; i++) {
                size_t l = strlen(msg);
                snprintf(msg + l, msglen - l, "%s%s", i ? ", " : "", prop->opts[i]);
            }
            snprintf(msg + strlen(msg), msglen - strlen(msg), "]");
            return -1;
        }
        if (!q[n])
            break;
        q += n + 1;
    }
    copy_text(out, outlen, in);
    return 0;
}

/* Text; an e-mail property takes an address and stores it lower-case. */
static int check_text(const struct hs_prop *prop, const char *in, char *out, size_t outlen,
                      const char **code, char *msg, size_t msglen)
{
    size_t i;
    if (!(prop->flags & HS_PF_EMAIL)) {
        copy_text(out, outlen, in);
        return 0;
    }
    if (!props_email_ok(in)) {
        *code = "INVALID_EMAIL";
        snprintf(msg, msglen, "Email address %s is invalid", in);
        return -1;
    }
    for (i = 0; in[i] && i + 1 < outlen; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
    return 0;
}

/* Characters (UTF-8 code points) in s. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

int props_validate_value(const struct hs_prop *prop, const char *in, char *out, size_t outlen,
                         const char **code, char *msg, size_t msglen)
{
    *code = NULL;
    if (!in || !*in) {
        if (outlen)
            out[0] = '\0';
        return 0;
    }
    if (strlen(in) > HS_VALUE_MAX && utf8_chars(in) > HS_VALUE_MAX) {
        *code = "INVALID_VALUE";
        snprintf(msg, msglen, "Property values can be at most %d characters long.", HS_VALUE_MAX);
        return -1;
    }
    switch (prop->type) {
    case HS_PT_NUMBER:
        return check_number(in, out, outlen, code, msg, msglen);
    case HS_PT_BOOL:
        return check_bool(in, out, outlen, code, msg, msglen);
    case HS_PT_DATE:
        return check_date(in, out, outlen, code, msg, msglen);
    case HS_PT_DATETIME:
        return check_datetime(in, out, outlen, code, msg, msglen);
    case HS_PT_ENUM:
        return check_enum(prop, in, out, outlen, code, msg, msglen);
    case HS_PT_STRING:
    case HS_PT_PHONE:
    default:
        return check_text(prop, in, out, outlen, code, msg, msglen);
    }
}

void hs_write_release(struct hs_write *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i].value);
    free(w->v);
    w->v = NULL;
    w->n = 0;
}

/* The problems of one write, in both of HubSpot's forms: the legacy list the message quotes
 * and errors[]. Created on the first problem. */
struct problems {
    json_t *legacy, *errors;
};

static void add_error(struct problems *pb, const char *name, const char *code, const char *msg)
{
    if (!pb->legacy) {
        pb->legacy = json_array();
        pb->errors = json_array();
    }
    json_array_append_new(pb->legacy,
                          json_pack("{s:b, s:s, s:s, s:s, s:s}", "isValid", 0, "message", msg,
                                    "error", code, "name", name, "localizedErrorMessage", msg));
    json_array_append_new(pb->errors,
                          json_pack("{s:s, s:s, s:s, s:{s:[s]}}", "message", msg, "code", code,
                                    "in", name, "context", "propertyName", name));
}

/* new: the 400 VALIDATION_ERROR body of the problems; releases them. */
static json_t *problems_body(struct problems *pb)
{
    struct sync_buf b = SYNC_BUF_INIT(1 << 20);
    json_t *body;
    sync_json_dump(pb->legacy, &b);
    body = hs_error_body("VALIDATION_ERROR", NULL, pb->errors, NULL,
                         "Property values were not valid: %s", sync_buf_str(&b));
    sync_buf_release(&b);
    json_decref(pb->legacy);
    return body;
}

/* Checks one key of a write into pv (the value is new; NULL clears), or returns -1 after
 * adding the problem to pb. */
static int check_one(struct hs_portal *p, enum hs_type t, const char *key, const json_t *v,
                     int trusted, struct problems *pb, struct hs_pval *pv)
{
    struct hs_prop *prop = props_find(p, t, key);
    char nbuf[64], msg[1024];
    const char *code, *text;
    char **out = &pv->value;
    size_t outlen;

    if (!prop) {
        snprintf(msg, sizeof(msg), "Property \"%s\" does not exist", key);
        add_error(pb, key, "PROPERTY_DOESNT_EXIST", msg);
        return -1;
    }
    if ((prop->flags & HS_PF_READONLY) && !trusted) {
        snprintf(msg, sizeof(msg), "\"%s\" is a read only property; its value cannot be set.", key);
        add_error(pb, key, "READ_ONLY_VALUE", msg);
        return -1;
    }
    text = json_is_null(v) ? "" : hs_json_text(v, nbuf, sizeof(nbuf));
    if (!text) {
        snprintf(msg, sizeof(msg), "Property \"%s\" must be a string value", key);
        add_error(pb, key, "INVALID_VALUE", msg);
        return -1;
    }
    outlen = strlen(text) + SYNC_TIME_ISO_MAX + 1;
    *out = malloc(outlen);
    if (!*out || props_validate_value(prop, text, *out, outlen, &code, msg, sizeof(msg))) {
        add_error(pb, key, *out ? code : "INTERNAL_ERROR", *out ? msg : "out of memory");
        free(*out);
        return -1;
    }
    if (prop == p->cat[t].sys[HS_SYS_OWNER] && **out && !owners_exists(p, *out)) {
        snprintf(msg, sizeof(msg), "%s was not one of the allowed options", *out);
        add_error(pb, key, "INVALID_OPTION", msg);
        free(*out);
        return -1;
    }
    if (!**out) {
        free(*out);
        *out = NULL;
    }
    pv->prop = prop;
    return 0;
}

static json_t *check_write(struct hs_portal *p, enum hs_type t, const json_t *properties,
                           struct hs_write *w, int trusted)
{
    struct problems pb = {NULL, NULL};
    size_t cap = json_is_object(properties) ? json_object_size(properties) : 0;
    const char *key;
    json_t *v;

    w->v = calloc(cap ? cap : 1, sizeof(*w->v));
    w->n = 0;
    if (!w->v)
        return hs_error_body("INTERNAL_ERROR", NULL, NULL, NULL, "out of memory");
    if (cap)
        json_object_foreach((json_t *)properties, key, v)
        {
            if (check_one(p, t, key, v, trusted, &pb, &w->v[w->n]) == 0)
                w->n++;
        }
    if (!pb.legacy)
        return NULL;
    hs_write_release(w);
    return problems_body(&pb);
}

json_t *props_check_write(struct hs_portal *p, enum hs_type t, const json_t *properties,
                          struct hs_write *w)
{
    return check_write(p, t, properties, w, 0);
}

json_t *props_check_write_trusted(struct hs_portal *p, enum hs_type t, const json_t *properties,
                                  struct hs_write *w)
{
    return check_write(p, t, properties, w, 1);
}

/* ---- the properties API ---- */

static json_t *group_find(struct hs_ctx *c, int t, size_t *idx);

static int name_ok(const char *s)
{
    if (!s || !islower((unsigned char)*s))
        return 0;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

void props_h_list(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    int archived;
    json_t *res;
    struct hs_catalog *cat;
    const char *only;
    if (t < 0)
        return;
    archived = hs_query_bool(c, "archived", 0);
    only = hs_query(c, "properties");
    cat = &c->p->cat[t];
    res = json_array();
    for (size_t i = 0; i < cat->n; i++) {
        if ((cat->v[i]->archived != 0) != (archived != 0))
            continue;
        if (only && *only) {
            const char *hit = strstr(only, cat->v[i]->name);
            size_t n = strlen(cat->v[i]->name);
            int ok = 0;
            while (hit) {
                if ((hit == only || hit[-1] == ',') && (hit[n] == ',' || hit[n] == '\0'))
                    ok = 1;
                hit = strstr(hit + 1, cat->v[i]->name);
            }
            if (!ok)
                continue;
        }
        json_array_append(res, cat->v[i]->def);
    }
    hs_reply(c, 200, json_pack("{s:o}", "results", res));
}

static struct hs_prop *find_any(struct hs_ctx *c, int t, const char *name, int archived)
{
    struct hs_prop *prop = hs_map_get(&c->p->cat[t].by_name, name);
    if (!prop || (prop->archived != 0) != (archived != 0))
        return NULL;
    return prop;
}

void props_h_get(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    struct hs_prop *prop;
    if (t < 0)
        return;
    prop = find_any(c, t, c->params[1], hs_query_bool(c, "archived", 0));
    if (!prop) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Unable to find property %s for object type %s",
                c->params[1], hs_types[t].type_id);
        return;
    }
    hs_reply(c, 200, json_incref(prop->def));
}

#define OPTIONS_MAX 5000 /* options of one enumeration, as in HubSpot */

/* The group named name in groups (its index in *idx), or NULL. */
static json_t *group_named(json_t *groups, const char *name, size_t *idx)
{
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        if (strcmp(sync_json_str(g, "name"), name) == 0) {
            if (idx)
                *idx = i;
            return g;
        }
    }
    return NULL;
}

/* The checks of a property create body; NULL or a new error body with *status. */
static json_t *check_create(struct hs_portal *p, int t, const json_t *in, int *status)
{
    const char *name = sync_json_str(in, "name");
    const char *type = sync_json_str(in, "type");
    const char *field = sync_json_str(in, "fieldType");
    const char *group = sync_json_str(in, "groupName");
    json_t *opts = json_object_get(in, "options");

    *status = 400;
    if (!name || !sync_json_str(in, "label") || !type || !field || !group)
        return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                             "Invalid input JSON: name, label, type, fieldType and groupName are "
                             "required");
    if (!name_ok(name))
        return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                             "Property name '%s' is invalid: use lower-case letters, digits and "
                             "underscores, starting with a letter",
                             name);
    if (hs_ptype_parse(type) < 0 || !field_type_ok(field))
        return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                             "Invalid type '%s' or fieldType '%s'", type, field);
    if (json_array_size(opts) > OPTIONS_MAX)
        return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                             "An enumeration can have at most %d options", OPTIONS_MAX);
    if (!group_named(p->cat[t].groups, group, NULL))
        return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                             "Property group %s does not exist for object type %s", group,
                             hs_types[t].type_id);
    if (hs_map_get(&p->cat[t].by_name, name)) {
        *status = 409;
        return hs_error_body("CONFLICT", "PropertyValidationError.PROPERTY_EXISTS", NULL, NULL,
                             "Property named '%s' already exists.", name);
    }
    return NULL;
}

/* new: the definition the properties API shows for a checked create body. */
static json_t *create_def(const json_t *in)
{
    char iso[SYNC_TIME_ISO_MAX];
    const char *desc = sync_json_str(in, "description");
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:b, s:b, s:s, s:s, s:b, s:s, s:s}",
                     "name", sync_json_str(in, "name"), "label", sync_json_str(in, "label"), "type",
                     sync_json_str(in, "type"), "fieldType", sync_json_str(in, "fieldType"),
                     "description", desc ? desc : "", "groupName", sync_json_str(in, "groupName"),
                     "displayOrder", (json_int_t)sync_json_int(in, "displayOrder", -1),
                     "externalOptions", 0, "hidden", sync_json_bool(in, "hidden", 0), "formField",
                     sync_json_bool(in, "formField", 0), "createdAt", iso, "updatedAt", iso,
                     "archived", 0, "createdUserId", "4242", "updatedUserId", "4242");
}

/* Validates a create body and adds the property; NULL or a new error body with *status. A new
 * name has no values yet, so a unique property starts with an empty index. */
static json_t *create_one(struct hs_portal *p, int t, const json_t *in, struct hs_prop **out,
                          int *status)
{
    json_t *err = check_create(p, t, in, status), *def;
    int pt;
    unsigned flags = 0;
    struct hs_prop *prop;

    if (err)
        return err;
    pt = hs_ptype_parse(sync_json_str(in, "type"));
    if (sync_json_bool(in, "hasUniqueValue", 0))
        flags |= HS_PF_UNIQUE;
    if (pt == HS_PT_ENUM && strcmp(sync_json_str(in, "fieldType"), "checkbox") == 0)
        flags |= HS_PF_MULTI;
    def = create_def(in);
    prop = catalog_add(&p->cat[t], sync_json_str(in, "name"), (enum hs_ptype)pt, flags, def);
    if (!prop) {
        json_decref(def);
        *status = 500;
        return hs_error_body("INTERNAL_ERROR", NULL, NULL, NULL, "out of memory");
    }
    json_object_set_new(def, "options", options_json(prop, json_object_get(in, "options")));
    set_opts_from_json(prop);
    meta_json(prop);
    persist_mark(p);
    *out = prop;
    return NULL;
}

void props_h_create(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    struct hs_prop *prop;
    int status;
    json_t *err;
    if (t < 0)
        return;
    err = create_one(c->p, t, c->body, &prop, &status);
    if (err) {
        hs_reply(c, status, err);
        return;
    }
    hs_reply(c, 201, json_incref(prop->def));
}

/* The checks of a property update body, before anything changes; -1 after failing c. */
static int check_update(struct hs_ctx *c, int t, const struct hs_prop *prop)
{
    const char *type = sync_json_str(c->body, "type");
    const char *field = sync_json_str(c->body, "fieldType");
    const char *group = sync_json_str(c->body, "groupName");
    if (!json_is_object(c->body)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: expected an object");
        return -1;
    }
    if (type && (hs_ptype_parse(type) < 0 || (prop->flags & HS_PF_HUBSPOT))) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Cannot change the type of property %s", prop->name);
        return -1;
    }
    if (field && !field_type_ok(field)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid fieldType '%s'", field);
        return -1;
    }
    if (group && !group_named(c->p->cat[t].groups, group, NULL)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Property group %s does not exist for object type %s",
                group, hs_types[t].type_id);
        return -1;
    }
    if (json_array_size(json_object_get(c->body, "options")) > OPTIONS_MAX) {
        hs_fail(c, 400, "VALIDATION_ERROR", "An enumeration can have at most %d options",
                OPTIONS_MAX);
        return -1;
    }
    return 0;
}

void props_h_update(struct hs_ctx *c)
{
    static const char *const keys[] = {"label",        "description", "groupName", "fieldType",
                                       "displayOrder", "hidden",      "formField", NULL};
    int t = hs_param_type(c, 0);
    struct hs_prop *prop;
    char iso[SYNC_TIME_ISO_MAX];
    json_t *v;
    if (t < 0)
        return;
    prop = find_any(c, t, c->params[1], 0);
    if (!prop) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Unable to find property %s for object type %s",
                c->params[1], hs_types[t].type_id);
        return;
    }
    if (check_update(c, t, prop))
        return;
    if ((v = json_object_get(c->body, "type")) && json_is_string(v)) {
        prop->type = (enum hs_ptype)hs_ptype_parse(json_string_value(v));
        json_object_set(prop->def, "type", v);
    }
    for (size_t i = 0; keys[i]; i++)
        if ((v = json_object_get(c->body, keys[i])))
            json_object_set(prop->def, keys[i], v);
    if ((v = json_object_get(c->body, "options")) && json_is_array(v)) {
        json_object_set_new(prop->def, "options", options_json(prop, v));
        set_opts_from_json(prop);
    }
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    json_object_set_new(prop->def, "updatedAt", json_string(iso));
    persist_mark(c->p);
    hs_reply(c, 200, json_incref(prop->def));
}

static int archive_one(struct hs_portal *p, int t, struct hs_prop *prop)
{
    char iso[SYNC_TIME_ISO_MAX];
    if (prop->flags & HS_PF_HUBSPOT)
        return -1;
    prop->archived = 1;
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    json_object_set_new(prop->def, "archived", json_true());
    json_object_set_new(prop->def, "archivedAt", json_string(iso));
    persist_mark(p);
    return 0;
}

void props_h_archive(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    struct hs_prop *prop;
    if (t < 0)
        return;
    prop = find_any(c, t, c->params[1], 0);
    if (!prop) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Unable to find property %s for object type %s",
                c->params[1], hs_types[t].type_id);
        return;
    }
    if (archive_one(c->p, t, prop)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Can't delete HubSpot-defined property %s", prop->name);
        return;
    }
    hs_reply(c, 204, NULL);
}

void props_h_batch_read(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    json_t *inputs, *res, *errs, *in;
    int archived = sync_json_bool(c->body, "archived", 0);
    size_t i;
    if (t < 0)
        return;
    if (!(inputs = hs_inputs(c, HS_BATCH_MAX)))
        return;
    res = json_array();
    errs = json_array();
    json_array_foreach(inputs, i, in)
    {
        const char *name = sync_json_str(in, "name");
        struct hs_prop *prop = name ? find_any(c, t, name, archived) : NULL;
        if (prop)
            json_array_append(res, prop->def);
        else
            json_array_append_new(errs,
                                  hs_error_body("OBJECT_NOT_FOUND", NULL, NULL,
                                                json_pack("{s:[s]}", "name", name ? name : ""),
                                                "Unable to find property %s", name ? name : ""));
    }
    hs_reply_batch(c, 200, sync_time_now_ms(), res, errs);
}

void props_h_batch_create(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    json_t *inputs, *res, *errs, *in;
    size_t i;
    if (t < 0)
        return;
    if (!(inputs = hs_inputs(c, HS_BATCH_MAX)))
        return;
    res = json_array();
    errs = json_array();
    json_array_foreach(inputs, i, in)
    {
        struct hs_prop *prop;
        int status;
        json_t *err = create_one(c->p, t, in, &prop, &status);
        if (err)
            json_array_append_new(errs, err);
        else
            json_array_append(res, prop->def);
    }
    hs_reply_batch(c, 201, sync_time_now_ms(), res, errs);
}

void props_h_batch_archive(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    json_t *inputs, *in;
    size_t i;
    if (t < 0)
        return;
    if (!(inputs = hs_inputs(c, HS_BATCH_MAX)))
        return;
    json_array_foreach(inputs, i, in)
    {
        const char *name = sync_json_str(in, "name");
        struct hs_prop *prop = name ? find_any(c, t, name, 0) : NULL;
        if (prop)
            archive_one(c->p, t, prop);
    }
    hs_reply(c, 204, NULL);
}

void props_h_groups(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    if (t < 0)
        return;
    hs_reply(c, 200, json_pack("{s:O}", "results", c->p->cat[t].groups));
}

void props_h_group_get(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    json_t *g;
    if (t < 0)
        return;
    g = group_find(c, t, NULL);
    if (g)
        hs_reply(c, 200, json_incref(g));
}

void props_h_group_create(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    const char *name = sync_json_str(c->body, "name");
    const char *label = sync_json_str(c->body, "label");
    json_t *g;
    if (t < 0)
        return;
    if (!name || !label || !name_ok(name)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: name and label are required");
        return;
    }
    if (group_named(c->p->cat[t].groups, name, NULL)) {
        hs_fail(c, 409, "CONFLICT", "Property group named '%s' already exists.", name);
        return;
    }
    g = json_pack("{s:s, s:s, s:I, s:b}", "name", name, "label", label, "displayOrder",
                  (json_int_t)sync_json_int(c->body, "displayOrder", -1), "archived", 0);
    json_array_append(c->p->cat[t].groups, g);
    persist_mark(c->p);
    hs_reply(c, 201, g);
}

static json_t *group_find(struct hs_ctx *c, int t, size_t *idx)
{
    json_t *g = group_named(c->p->cat[t].groups, c->params[1], idx);
    if (!g)
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Unable to find property group %s", c->params[1]);
    return g;
}

void props_h_group_update(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    json_t *g, *v;
    if (t < 0 || !(g = group_find(c, t, NULL)))
        return;
    if ((v = json_object_get(c->body, "label")) && json_is_string(v))
        json_object_set(g, "label", v);
    if ((v = json_object_get(c->body, "displayOrder")) && json_is_integer(v))
        json_object_set(g, "displayOrder", v);
    persist_mark(c->p);
    hs_reply(c, 200, json_incref(g));
}

void props_h_group_archive(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    size_t idx;
    if (t < 0 || !group_find(c, t, &idx))
        return;
    if (idx == 0) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Can't delete HubSpot-defined group %s", c->params[1]);
        return;
    }
    json_array_remove(c->p->cat[t].groups, idx);
    persist_mark(c->p);
    hs_reply(c, 204, NULL);
}

json_t *props_dump(struct hs_portal *p)
{
    json_t *out = json_array();
    for (int t = 0; t < HS_NTYPES; t++) {
        struct hs_catalog *cat = &p->cat[t];
        json_t *a = json_array();
        for (size_t i = 0; i < cat->n; i++)
            json_array_append_new(a,
                                  json_pack("{s:O, s:i, s:i, s:b}", "def", cat->v[i]->def, "type",
                                            (int)cat->v[i]->type, "flags", (int)cat->v[i]->flags,
                                            "archived", cat->v[i]->archived));
        json_array_append_new(out, json_pack("{s:o, s:O}", "props", a, "groups", cat->groups));
    }
    return out;
}

void props_load(struct hs_portal *p, const json_t *j)
{
    if (!json_is_array(j) || json_array_size(j) != HS_NTYPES)
        return;
    props_release_catalogs(p);
    for (int t = 0; t < HS_NTYPES; t++) {
        struct hs_catalog *cat = &p->cat[t];
        json_t *e = json_array_get(j, (size_t)t), *x;
        size_t i;
        memset(cat, 0, sizeof(*cat));
        hs_map_init(&cat->by_name);
        cat->groups = json_deep_copy(json_object_get(e, "groups"));
        if (!cat->groups)
            cat->groups = json_array();
        json_array_foreach(json_object_get(e, "props"), i, x)
        {
            json_t *def = json_deep_copy(json_object_get(x, "def"));
            const char *name = sync_json_str(def, "name");
            struct hs_prop *prop;
            if (!name_ok(name)) {
                json_decref(def);
                continue;
            }
            prop = catalog_add(cat, name, (enum hs_ptype)sync_json_int(x, "type", 0),
                               (unsigned)sync_json_int(x, "flags", 0), def);
            if (!prop)
                continue;
            prop->archived = sync_json_bool(x, "archived", 0);
            set_opts_from_json(prop);
        }
        /* a file written before the standard catalogue grew gets the newer properties */
        add_standard(cat, t, (int)cat->n);
        catalog_index(cat, t);
    }
}
