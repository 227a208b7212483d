/*
 * Tests src/engine/mapping.c: the built-in default mappings of each kind,
 * the type compatibility table, and adding, removing and re-ruling user
 * mappings with every refusal the settings page gives.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/mapping.h"

static struct sync_mapping_set set;
static struct sync_err err;

static void setup(void)
{
    cr_assert_eq(sync_mapping_set_init(&set), SYNC_OK);
    sync_err_clear(&err);
}

static void teardown(void)
{
    sync_mapping_set_release(&set);
}

TestSuite(mapping, .init = setup, .fini = teardown);

/* A user mapping of one HubSpot property to fields of the kind's objects ("Lead.Foo__c"). */
static struct sync_mapping user(enum sync_kind kind, const char *prop, enum sync_hs_type ht,
                                enum sync_hs_field_type ft, enum sync_sf_type st, const char *f1,
                                const char *f2)
{
    struct sync_mapping m;
    const char *fields[2] = {f1, f2};

    memset(&m, 0, sizeof(m));
    m.kind = kind;
    m.rule = SYNC_RULE_TWO_WAY;
    snprintf(m.hs.name, sizeof(m.hs.name), "%s", prop);
    m.hs.type = ht;
    m.hs.field_type = ft;
    for (int i = 0; i < 2 && fields[i]; i++) {
        const char *dot = strchr(fields[i], '.');
        snprintf(m.sf[i].object, sizeof(m.sf[i].object), "%.*s", (int)(dot - fields[i]), fields[i]);
        snprintf(m.sf[i].name, sizeof(m.sf[i].name), "%s", dot + 1);
        m.sf[i].type = st;
        m.nsf++;
    }
    return m;
}

static const struct sync_mapping *find(enum sync_kind k, const char *prop)
{
    return sync_mapping_set_find_hs(&set, k, prop);
}

static void assert_refused(struct sync_mapping m, const char *msg)
{
    size_t before = set.n;
    sync_err_clear(&err);
    cr_assert_eq(sync_mapping_set_add(&set, &m, &err), SYNC_ERR_INVALID, "%s should be refused",
                 m.hs.name);
    cr_assert(strstr(err.message, msg), "message '%s' lacks '%s'", err.message, msg);
    cr_assert_eq(set.n, before);
}

/* ---- built-ins ---- */

Test(mapping, contacts_map_to_lead_and_contact_by_default)
{
    static const char *const both[][3] = {
        {"email", "Email", "Email"},
        {"firstname", "FirstName", "FirstName"},
        {"lastname", "LastName", "LastName"},
        {"phone", "Phone", "Phone"},
        {"mobilephone", "MobilePhone", "MobilePhone"},
        {"jobtitle", "Title", "Title"},
        {"address", "Street", "MailingStreet"},
        {"city", "City", "MailingCity"},
        {"state", "State", "MailingState"},
        {"zip", "PostalCode", "MailingPostalCode"},
        {"country", "Country", "MailingCountry"},
        {"leadsource", "LeadSource", "LeadSource"},
        {"description", "Description", "Description"},
        {"hs_email_optout", "HasOptedOutOfEmail", "HasOptedOutOfEmail"},
        {"fax", "Fax", "Fax"},
        {"hubspot_owner_id", "OwnerId", "OwnerId"},
        {"crmsync_link_id", "CrmSync_Link_Id__c", "CrmSync_Link_Id__c"},
    };
    static const char *const lead_only[][2] = {{"company", "Company"},
                                               {"website", "Website"},
                                               {"annualrevenue", "AnnualRevenue"},
                                               {"numemployees", "NumberOfEmployees"},
                                               {"industry", "Industry"}};

    for (size_t i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
        const struct sync_mapping *m = find(SYNC_KIND_CONTACT, both[i][0]);
        cr_assert(m, "no contact mapping for %s", both[i][0]);
        cr_assert_eq(m->nsf, 2, "%s", both[i][0]);
        cr_assert_str_eq(sync_mapping_sf_field(m, "Lead")->name, both[i][1]);
        cr_assert_str_eq(sync_mapping_sf_field(m, "Contact")->name, both[i][2]);
        cr_assert(m->flags & SYNC_MAP_BUILTIN);
    }
    for (size_t i = 0; i < sizeof(lead_only) / sizeof(lead_only[0]); i++) {
        const struct sync_mapping *m = find(SYNC_KIND_CONTACT, lead_only[i][0]);
        cr_assert(m, "no contact mapping for %s", lead_only[i][0]);
        cr_assert_eq(m->nsf, 1);
        cr_assert_str_eq(sync_mapping_sf_field(m, "lead")->name, lead_only[i][1]);
        cr_assert_null(sync_mapping_sf_field(m, "Contact"));
    }
    cr_assert_eq(sync_mapping_set_find_sf(&set, SYNC_KIND_CONTACT, "contact", "mailingcity"),
                 find(SYNC_KIND_CONTACT, "city"));
}

Test(mapping, companies_map_to_account_and_deals_to_opportunity_by_default)
{
    static const char *const company[][2] = {{"name", "Name"},
                                             {"website", "Website"},
                                             {"phone", "Phone"},
                                             {"industry", "Industry"},
                                             {"annualrevenue", "AnnualRevenue"},
                                             {"numberofemployees", "NumberOfEmployees"},
                                             {"description", "Description"},
                                             {"address", "BillingStreet"},
                                             {"city", "BillingCity"},
                                             {"state", "BillingState"},
                                             {"zip", "BillingPostalCode"},
                                             {"country", "BillingCountry"},
                                             {"type", "Type"},
                                             {"hubspot_owner_id", "OwnerId"},
                                             {"crmsync_link_id", "CrmSync_Link_Id__c"}};
    static const char *const deal[][2] = {{"dealname", "Name"},
                                          {"amount", "Amount"},
                                          {"closedate", "CloseDate"},
                                          {"dealstage", "StageName"},
                                          {"pipeline", "RecordTypeId"},
                                          {"dealtype", "Type"},
                                          {"description", "Description"},
                                          {"hubspot_owner_id", "OwnerId"},
                                          {"crmsync_link_id", "CrmSync_Link_Id__c"}};

    for (size_t i = 0; i < sizeof(company) / sizeof(company[0]); i++) {
        const struct sync_mapping *m = find(SYNC_KIND_COMPANY, company[i][0]);
        cr_assert(m, "no company mapping for %s", company[i][0]);
        cr_assert_str_eq(sync_mapping_sf_field(m, "Account")->name, company[i][1]);
    }
    for (size_t i = 0; i < sizeof(deal) / sizeof(deal[0]); i++) {
        const struct sync_mapping *m = find(SYNC_KIND_DEAL, deal[i][0]);
        cr_assert(m, "no deal mapping for %s", deal[i][0]);
        cr_assert_str_eq(sync_mapping_sf_field(m, "Opportunity")->name, deal[i][1]);
    }
    cr_assert(find(SYNC_KIND_DEAL, "dealstage")->flags & SYNC_MAP_STAGE);
    cr_assert(find(SYNC_KIND_DEAL, "pipeline")->flags & SYNC_MAP_PIPELINE);
    cr_assert_eq(find(SYNC_KIND_DEAL, "closedate")->vkind, SYNC_VK_DATE);
    cr_assert_eq(find(SYNC_KIND_DEAL, "amount")->vkind, SYNC_VK_NUMBER);
    cr_assert_null(find(SYNC_KIND_DEAL, "email"));
}

Test(mapping, every_default_mapping_passes_the_compatibility_check)
{
    const struct sync_mapping *list[64];
    for (int k = 0; k < SYNC_KIND__COUNT; k++) {
        size_t n = sync_mapping_set_list(&set, (enum sync_kind)k, list, 64);
        if (k == SYNC_KIND_TIMELINE) {
            cr_assert_eq(n, 0, "timeline sync writes tasks by its own rules, not mappings");
            continue;
        }
        cr_assert_gt(n, 4);
        cr_assert_leq(n, 64);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < list[i]->nsf; j++) {
                sync_err_clear(&err);
                cr_assert_eq(sync_mapping_check_types(&list[i]->hs, &list[i]->sf[j], 1, &err),
                             SYNC_OK, "%s %s: %s", sync_kind_name(list[i]->kind), list[i]->hs.name,
                             err.message);
            }
            cr_assert_eq(list[i]->kind, k);
            cr_assert(list[i]->flags & SYNC_MAP_BUILTIN);
        }
    }
}

Test(mapping, only_the_text_defaults_hubspot_ships_need_the_builtin_allowance)
{
    const struct sync_mapping *list[64];
    size_t lenient = 0;
    for (int k = 0; k < SYNC_KIND__COUNT; k++) {
        size_t n = sync_mapping_set_list(&set, (enum sync_kind)k, list, 64);
        for (size_t i = 0; i < n; i++) {
            if (list[i]->flags & SYNC_MAP_OWNER)
                continue;
            if (sync_mapping_check_types(&list[i]->hs, &list[i]->sf[0], 0, NULL)) {
                lenient++;
                cr_assert(
                    (k == SYNC_KIND_CONTACT && (!strcmp(list[i]->hs.name, "industry") ||
                                                !strcmp(list[i]->hs.name, "annualrevenue"))) ||
                        (k == SYNC_KIND_TICKET &&
                         !strcmp(list[i]->hs.name, "hs_ticket_category")) ||
                        /* the activities' rich-text bodies */
                        list[i]->hs.field_type == SYNC_HSF_HTML,
                    "%s %s needs the allowance", sync_kind_name(k), list[i]->hs.name);
            }
        }
    }
    cr_assert_eq(lenient, 6);
}

Test(mapping, default_rules_are_prefer_salesforce_and_owner_is_two_way)
{
    const struct sync_mapping *owner = find(SYNC_KIND_CONTACT, "hubspot_owner_id");
    const struct sync_mapping *first = find(SYNC_KIND_CONTACT, "firstname");
    const struct sync_mapping *link = find(SYNC_KIND_CONTACT, "crmsync_link_id");

    cr_assert_eq(first->rule, SYNC_RULE_PREFER_SF_UNLESS_BLANK);
    cr_assert_eq(sync_mapping_rule(first), SYNC_RULE_PREFER_SF_UNLESS_BLANK);
    cr_assert_eq(sync_mapping_first_sync_winner(first), SYNC_SIDE_NONE);
    cr_assert(owner->flags & SYNC_MAP_OWNER);
    cr_assert_eq(owner->rule, SYNC_RULE_PREFER_SF_UNLESS_BLANK);
    cr_assert_eq(sync_mapping_rule(owner), SYNC_RULE_TWO_WAY);
    cr_assert_eq(sync_mapping_first_sync_winner(owner), SYNC_SIDE_SALESFORCE);
    cr_assert(link->flags & SYNC_MAP_INTERNAL);
    cr_assert_eq(link->rule, SYNC_RULE_DONT_SYNC);
    /* an owner mapping shown as Always use Salesforce still syncs both ways ... */
    cr_assert_eq(sync_mapping_set_rule(&set, SYNC_KIND_CONTACT, "hubspot_owner_id",
                                       SYNC_RULE_ALWAYS_SF, &err),
                 SYNC_OK);
    cr_assert_eq(sync_mapping_rule(find(SYNC_KIND_CONTACT, "hubspot_owner_id")), SYNC_RULE_TWO_WAY);
    /* ... but Don't sync turns it off */
    cr_assert_eq(sync_mapping_set_rule(&set, SYNC_KIND_CONTACT, "hubspot_owner_id",
                                       SYNC_RULE_DONT_SYNC, &err),
                 SYNC_OK);
    cr_assert_eq(sync_mapping_rule(find(SYNC_KIND_CONTACT, "hubspot_owner_id")),
                 SYNC_RULE_DONT_SYNC);
}

Test(mapping, default_mappings_cannot_be_removed_and_the_link_id_rule_is_fixed)
{
    cr_assert_eq(sync_mapping_set_remove(&set, SYNC_KIND_CONTACT, "email", &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "default mapping and cannot be removed"), "%s", err.message);
    cr_assert(find(SYNC_KIND_CONTACT, "email"));
    cr_assert_eq(
        sync_mapping_set_rule(&set, SYNC_KIND_DEAL, "crmsync_link_id", SYNC_RULE_TWO_WAY, &err),
        SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "link id"), "%s", err.message);
    cr_assert_eq(
        sync_mapping_set_rule(&set, SYNC_KIND_CONTACT, "firstname", SYNC_RULE_ALWAYS_HS, &err),
        SYNC_OK);
    cr_assert_eq(find(SYNC_KIND_CONTACT, "firstname")->rule, SYNC_RULE_ALWAYS_HS);
    cr_assert_eq(find(SYNC_KIND_CONTACT, "firstname")->default_rule,
                 SYNC_RULE_PREFER_SF_UNLESS_BLANK);
    cr_assert_eq(sync_mapping_set_rule(&set, SYNC_KIND_CONTACT, "nosuch", SYNC_RULE_TWO_WAY, &err),
                 SYNC_ERR_NOT_FOUND);
}

/* ---- user mappings ---- */

Test(mapping, a_compatible_user_mapping_is_added_after_the_defaults_of_its_kind)
{
    struct sync_mapping m =
        user(SYNC_KIND_CONTACT, "favorite_color", SYNC_HST_ENUMERATION, SYNC_HSF_SELECT,
             SYNC_SFT_PICKLIST, "Lead.Color__c", "Contact.Color__c");
    const struct sync_mapping *list[64];
    size_t before = sync_mapping_set_list(&set, SYNC_KIND_CONTACT, list, 64);
    size_t companies = sync_mapping_set_list(&set, SYNC_KIND_COMPANY, list, 64);

    cr_assert_eq(sync_mapping_set_add(&set, &m, &err), SYNC_OK, "%s", err.message);
    cr_assert_eq(sync_mapping_set_list(&set, SYNC_KIND_CONTACT, list, 64), before + 1);
    cr_assert_eq(sync_mapping_set_list(&set, SYNC_KIND_COMPANY, NULL, 0), companies);
    cr_assert_str_eq(list[before]->hs.name, "favorite_color");
    cr_assert_eq(list[before]->flags, 0);
    cr_assert_eq(list[before]->rule, SYNC_RULE_TWO_WAY);
    cr_assert_eq(list[before]->vkind, SYNC_VK_TEXT);
    cr_assert_eq(sync_mapping_set_find_sf(&set, SYNC_KIND_CONTACT, "Contact", "color__c"),
                 list[before]);
    cr_assert_null(sync_mapping_set_find_sf(&set, SYNC_KIND_COMPANY, "Account", "Color__c"));
    /* and a user mapping can go again */
    cr_assert_eq(sync_mapping_set_remove(&set, SYNC_KIND_CONTACT, "favorite_color", &err), SYNC_OK);
    cr_assert_null(find(SYNC_KIND_CONTACT, "favorite_color"));
    cr_assert_eq(sync_mapping_set_remove(&set, SYNC_KIND_CONTACT, "favorite_color", &err),
                 SYNC_ERR_NOT_FOUND);
}

Test(mapping, the_compatibility_table_accepts_what_hubspot_accepts)
{
    static const struct {
        enum sync_hs_type ht;
        enum sync_hs_field_type ft;
        enum sync_sf_type st;
    } ok[] = {
        {SYNC_HST_ENUMERATION, SYNC_HSF_SELECT, SYNC_SFT_PICKLIST},
        {SYNC_HST_ENUMERATION, SYNC_HSF_RADIO, SYNC_SFT_PICKLIST},
        {SYNC_HST_ENUMERATION, SYNC_HSF_SELECT, SYNC_SFT_REFERENCE},
        {SYNC_HST_ENUMERATION, SYNC_HSF_CHECKBOX, SYNC_SFT_MULTIPICKLIST},
        {SYNC_HST_BOOL, SYNC_HSF_BOOLEANCHECKBOX, SYNC_SFT_BOOLEAN},
        {SYNC_HST_ENUMERATION, SYNC_HSF_BOOLEANCHECKBOX, SYNC_SFT_BOOLEAN},
        {SYNC_HST_NUMBER, SYNC_HSF_NUMBER, SYNC_SFT_DOUBLE},
        {SYNC_HST_NUMBER, SYNC_HSF_NUMBER, SYNC_SFT_INT},
        {SYNC_HST_NUMBER, SYNC_HSF_NUMBER, SYNC_SFT_CURRENCY},
        {SYNC_HST_NUMBER, SYNC_HSF_NUMBER, SYNC_SFT_PERCENT},
        {SYNC_HST_STRING, SYNC_HSF_TEXT, SYNC_SFT_STRING},
        {SYNC_HST_STRING, SYNC_HSF_TEXT, SYNC_SFT_TEXTAREA},
        {SYNC_HST_STRING, SYNC_HSF_TEXT, SYNC_SFT_EMAIL},
        {SYNC_HST_STRING, SYNC_HSF_TEXT, SYNC_SFT_PHONE},
        {SYNC_HST_STRING, SYNC_HSF_TEXT, SYNC_SFT_URL},
        {SYNC_HST_STRING, SYNC_HSF_PHONENUMBER, SYNC_SFT_PHONE},
        {SYNC_HST_PHONE_NUMBER, SYNC_HSF_PHONENUMBER, SYNC_SFT_STRING},
        {SYNC_HST_STRING, SYNC_HSF_TEXTAREA, SYNC_SFT_TEXTAREA},
        {SYNC_HST_DATE, SYNC_HSF_DATE, SYNC_SFT_DATE},
        {SYNC_HST_DATE, SYNC_HSF_DATE, SYNC_SFT_DATETIME},
        {SYNC_HST_DATETIME, SYNC_HSF_DATE, SYNC_SFT_DATE},
        {SYNC_HST_DATETIME, SYNC_HSF_DATE, SYNC_SFT_DATETIME},
    };
    char name[32];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(name, sizeof(name), "custom_%zu", i);
        char field[40];
        snprintf(field, sizeof(field), "Lead.Custom_%zu__c", i);
        struct sync_mapping m =
            user(SYNC_KIND_CONTACT, name, ok[i].ht, ok[i].ft, ok[i].st, field, NULL);
        sync_err_clear(&err);
        cr_assert_eq(sync_mapping_set_add(&set, &m, &err), SYNC_OK, "case %zu: %s", i, err.message);
    }
}

Test(mapping, incompatible_types_are_refused_with_what_would_fit)
{
    assert_refused(user(SYNC_KIND_CONTACT, "color", SYNC_HST_STRING, SYNC_HSF_TEXT,
                        SYNC_SFT_PICKLIST, "Lead.Color__c", NULL),
                   "HubSpot property color is single-line text, which maps to Salesforce string, "
                   "textarea, email, phone, url or combobox fields, but Lead.Color__c is "
                   "picklist");
    assert_refused(user(SYNC_KIND_CONTACT, "notes", SYNC_HST_STRING, SYNC_HSF_TEXTAREA,
                        SYNC_SFT_STRING, "Lead.Notes__c", NULL),
                   "multi-line text");
    assert_refused(user(SYNC_KIND_CONTACT, "score", SYNC_HST_NUMBER, SYNC_HSF_NUMBER,
                        SYNC_SFT_STRING, "Lead.Score__c", NULL),
                   "number, which maps to Salesforce int, double, currency or percent fields");
    assert_refused(user(SYNC_KIND_CONTACT, "tags", SYNC_HST_ENUMERATION, SYNC_HSF_CHECKBOX,
                        SYNC_SFT_PICKLIST, "Lead.Tags__c", NULL),
                   "multiple checkboxes");
    assert_refused(user(SYNC_KIND_CONTACT, "color", SYNC_HST_ENUMERATION, SYNC_HSF_SELECT,
                        SYNC_SFT_MULTIPICKLIST, "Lead.Color__c", NULL),
                   "dropdown select or radio select");
    assert_refused(user(SYNC_KIND_CONTACT, "vip", SYNC_HST_BOOL, SYNC_HSF_BOOLEANCHECKBOX,
                        SYNC_SFT_STRING, "Lead.Vip__c", NULL),
                   "single checkbox");
    assert_refused(user(SYNC_KIND_CONTACT, "met_on", SYNC_HST_DATE, SYNC_HSF_DATE, SYNC_SFT_STRING,
                        "Lead.Met__c", NULL),
                   "date picker");
    assert_refused(user(SYNC_KIND_CONTACT, "cv", SYNC_HST_STRING, SYNC_HSF_FILE, SYNC_SFT_STRING,
                        "Lead.Cv__c", NULL),
                   "cannot be mapped to Salesforce");
    assert_refused(user(SYNC_KIND_CONTACT, "bio", SYNC_HST_STRING, SYNC_HSF_HTML, SYNC_SFT_TEXTAREA,
                        "Lead.Bio__c", NULL),
                   "cannot be mapped to Salesforce");
    assert_refused(user(SYNC_KIND_CONTACT, "total", SYNC_HST_NUMBER, SYNC_HSF_CALCULATION_EQUATION,
                        SYNC_SFT_DOUBLE, "Lead.Total__c", NULL),
                   "cannot be mapped to Salesforce");
}

Test(mapping, hubspot_user_properties_cannot_be_mapped)
{
    struct sync_mapping m = user(SYNC_KIND_DEAL, "reviewer", SYNC_HST_ENUMERATION, SYNC_HSF_SELECT,
                                 SYNC_SFT_REFERENCE, "Opportunity.Reviewer__c", NULL);
    m.hs.owner_ref = 1;
    assert_refused(m, "reviewer is a HubSpot user property: those cannot be mapped");
    /* flags on the candidate do not make it an owner mapping */
    m.flags = SYNC_MAP_OWNER | SYNC_MAP_BUILTIN;
    assert_refused(m, "HubSpot user property");
}

Test(mapping, a_property_or_field_already_mapped_is_refused)
{
    assert_refused(user(SYNC_KIND_CONTACT, "email", SYNC_HST_STRING, SYNC_HSF_TEXT, SYNC_SFT_EMAIL,
                        "Lead.Other_Email__c", NULL),
                   "HubSpot contact property email is already mapped (to Lead.Email)");
    assert_refused(user(SYNC_KIND_CONTACT, "company_name_2", SYNC_HST_STRING, SYNC_HSF_TEXT,
                        SYNC_SFT_STRING, "Lead.company", NULL),
                   "Salesforce field Lead.company is already mapped (to HubSpot contact "
                   "property company)");
    assert_refused(user(SYNC_KIND_CONTACT, "street_2", SYNC_HST_STRING, SYNC_HSF_TEXT,
                        SYNC_SFT_TEXTAREA, "Lead.Street2__c", "Contact.MailingStreet"),
                   "Contact.MailingStreet is already mapped");
    /* the same property in another kind is a different mapping */
    struct sync_mapping m = user(SYNC_KIND_DEAL, "email", SYNC_HST_STRING, SYNC_HSF_TEXT,
                                 SYNC_SFT_EMAIL, "Opportunity.Email__c", NULL);
    cr_assert_eq(sync_mapping_set_add(&set, &m, &err), SYNC_OK, "%s", err.message);
    /* and a second add of the same user mapping is a duplicate */
    assert_refused(m, "already mapped");
}

Test(mapping, fields_must_belong_to_the_kinds_objects_once_each)
{
    assert_refused(user(SYNC_KIND_CONTACT, "tier", SYNC_HST_STRING, SYNC_HSF_TEXT, SYNC_SFT_STRING,
                        "Account.Tier__c", NULL),
                   "Account is not a Salesforce object of the contact sync");
    assert_refused(user(SYNC_KIND_COMPANY, "tier", SYNC_HST_STRING, SYNC_HSF_TEXT, SYNC_SFT_STRING,
                        "Account.Tier__c", "Account.Tier2__c"),
                   "two fields on Account");
    assert_refused(user(SYNC_KIND_COMPANY, "tier", SYNC_HST_STRING, SYNC_HSF_TEXT, SYNC_SFT_STRING,
                        "Account.Tier-1", NULL),
                   "'Tier-1' is not a Salesforce field name");
    assert_refused(user(SYNC_KIND_COMPANY, "Tier", SYNC_HST_STRING, SYNC_HSF_TEXT, SYNC_SFT_STRING,
                        "Account.Tier__c", NULL),
                   "'Tier' is not a HubSpot property name");
    struct sync_mapping none = user(SYNC_KIND_COMPANY, "tier", SYNC_HST_STRING, SYNC_HSF_TEXT,
                                    SYNC_SFT_STRING, NULL, NULL);
    assert_refused(none, "give one Salesforce field per object");
}

Test(mapping, lead_and_contact_fields_of_one_mapping_must_hold_the_same_kind_of_value)
{
    struct sync_mapping m = user(SYNC_KIND_CONTACT, "alt_email", SYNC_HST_STRING, SYNC_HSF_TEXT,
                                 SYNC_SFT_EMAIL, "Lead.Alt__c", "Contact.Alt__c");
    m.sf[1].type = SYNC_SFT_STRING;
    assert_refused(m, "hold different kinds of value");
}

Test(mapping, describes_refresh_types_and_picklists_and_keep_mappings_compatible)
{
    const char *const values[] = {"Agriculture", "Banking"};
    struct sync_sf_field f;
    struct sync_hs_prop p;
    struct sync_buf out = SYNC_BUF_INIT(1024);
    json_t *v = NULL;
    const struct sync_mapping *ind;

    memset(&f, 0, sizeof(f));
    snprintf(f.object, sizeof(f.object), "lead");
    snprintf(f.name, sizeof(f.name), "industry");
    f.type = SYNC_SFT_PICKLIST;
    f.restricted = 1;
    cr_assert_eq(sync_sf_field_set_values(&f, values, 2), SYNC_OK);
    cr_assert_eq(sync_mapping_set_describe_sf(&set, SYNC_KIND_CONTACT, &f, &err), SYNC_OK, "%s",
                 err.message);
    ind = find(SYNC_KIND_CONTACT, "industry");
    cr_assert_str_eq(ind->sf[0].name, "Industry"); /* the mapping keeps its own spelling */
    cr_assert_eq(ind->sf[0].nvalues, 2);
    cr_assert_eq(sync_mapping_to_sf(ind, "Lead", "Mining", &v, &err), SYNC_ERR_INVALID);
    cr_assert_eq(sync_mapping_to_sf(ind, "Lead", "Banking", &v, &err), SYNC_OK);
    json_decref(v);
    sync_sf_field_release(&f);

    /* a describe that would break a mapping is refused and changes nothing */
    memset(&f, 0, sizeof(f));
    snprintf(f.object, sizeof(f.object), "Lead");
    snprintf(f.name, sizeof(f.name), "Email");
    f.type = SYNC_SFT_BOOLEAN;
    cr_assert_eq(sync_mapping_set_describe_sf(&set, SYNC_KIND_CONTACT, &f, &err), SYNC_ERR_INVALID);
    cr_assert_eq(find(SYNC_KIND_CONTACT, "email")->sf[0].type, SYNC_SFT_EMAIL);
    snprintf(f.name, sizeof(f.name), "Unmapped__c");
    cr_assert_eq(sync_mapping_set_describe_sf(&set, SYNC_KIND_CONTACT, &f, &err), SYNC_DECLINED);

    /* HubSpot's own describe of the owner property keeps it an owner mapping */
    memset(&p, 0, sizeof(p));
    snprintf(p.name, sizeof(p.name), "hubspot_owner_id");
    p.type = SYNC_HST_ENUMERATION;
    p.field_type = SYNC_HSF_SELECT;
    cr_assert_eq(sync_mapping_set_describe_hs(&set, SYNC_KIND_DEAL, &p, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert(find(SYNC_KIND_DEAL, "hubspot_owner_id")->hs.owner_ref);
    /* a portal whose closedate is a date keeps the mapping a date */
    snprintf(p.name, sizeof(p.name), "closedate");
    p.type = SYNC_HST_DATE;
    p.field_type = SYNC_HSF_DATE;
    cr_assert_eq(sync_mapping_set_describe_hs(&set, SYNC_KIND_DEAL, &p, &err), SYNC_OK);
    cr_assert_eq(find(SYNC_KIND_DEAL, "closedate")->vkind, SYNC_VK_DATE);
    sync_buf_release(&out);
}

Test(mapping, converters_use_the_field_of_the_record_object)
{
    const struct sync_mapping *addr = find(SYNC_KIND_CONTACT, "address");
    const struct sync_mapping *email = find(SYNC_KIND_CONTACT, "email");
    const struct sync_mapping *company = find(SYNC_KIND_CONTACT, "company");
    const struct sync_mapping *close = find(SYNC_KIND_DEAL, "closedate");
    struct sync_buf out = SYNC_BUF_INIT(1024);
    json_t *v = json_string("Ada@Example.com");

    cr_assert_eq(sync_mapping_from_sf(email, "Contact", v, &out, &err), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&out), "ada@example.com");
    json_decref(v);
    cr_assert_eq(sync_mapping_from_hs(close, "2024-03-01T00:00:00Z", &out, &err), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&out), "2024-03-01");
    cr_assert_eq(sync_mapping_to_hs(close, "2024-03-01", &out, &err), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&out), "1709251200000");
    cr_assert_eq(sync_mapping_to_sf(close, "Opportunity", "2024-03-01", &v, &err), SYNC_OK);
    cr_assert_str_eq(json_string_value(v), "2024-03-01");
    json_decref(v);
    cr_assert_eq(sync_mapping_to_sf(addr, "Contact", "1 Main St", &v, &err), SYNC_OK);
    json_decref(v);
    cr_assert_eq(sync_mapping_to_sf(company, "Contact", "Acme", &v, &err), SYNC_ERR_NOT_FOUND);
    cr_assert_null(v);
    cr_assert(strstr(err.message, "has no field on Contact"), "%s", err.message);
    sync_buf_release(&out);
}

Test(mapping, kinds_have_names_objects_and_hubspot_types)
{
    enum sync_kind k;
    cr_assert_eq(sync_kind_parse("companies", &k), 0);
    cr_assert_eq(k, SYNC_KIND_COMPANY);
    cr_assert_eq(sync_kind_parse("deal", &k), 0);
    cr_assert_eq(k, SYNC_KIND_DEAL);
    cr_assert_eq(sync_kind_parse("tickets", &k), 0);
    cr_assert_eq(k, SYNC_KIND_TICKET);
    cr_assert_str_eq(sync_kind_sf_objects(SYNC_KIND_TICKET)[0], "Case");
    cr_assert_eq(sync_kind_parse("meetings", &k), 0);
    cr_assert_eq(k, SYNC_KIND_MEETING);
    cr_assert_str_eq(sync_kind_sf_objects(SYNC_KIND_MEETING)[0], "Event");
    cr_assert_null(sync_kind_sf_objects(SYNC_KIND_TIMELINE)[0]);
    cr_assert_eq(sync_kind_parse("product", &k), -1);
    cr_assert_str_eq(sync_kind_sf_objects(SYNC_KIND_CONTACT)[1], "Contact");
    cr_assert_null(sync_kind_sf_objects(SYNC_KIND_DEAL)[1]);
    cr_assert_str_eq(sync_kind_hs_object(SYNC_KIND_COMPANY), "companies");
}

Test(mapping, user_mappings_keep_their_own_picklist_copies)
{
    const char *const values[] = {"Red", "Green"};
    struct sync_mapping m = user(SYNC_KIND_COMPANY, "color", SYNC_HST_ENUMERATION, SYNC_HSF_SELECT,
                                 SYNC_SFT_PICKLIST, "Account.Color__c", NULL);
    cr_assert_eq(sync_sf_field_set_values(&m.sf[0], values, 2), SYNC_OK);
    cr_assert_eq(sync_mapping_set_add(&set, &m, &err), SYNC_OK, "%s", err.message);
    sync_mapping_release(&m);
    cr_assert_str_eq(find(SYNC_KIND_COMPANY, "color")->sf[0].values[1], "Green");
}

Test(mapping, a_user_mapping_is_replaced_in_place_of_the_old_one_which_stays_on_refusal)
{
    struct sync_mapping a = user(SYNC_KIND_CONTACT, "fav", SYNC_HST_ENUMERATION, SYNC_HSF_SELECT,
                                 SYNC_SFT_PICKLIST, "Lead.Fav__c", "Contact.Fav__c");
    struct sync_mapping b = user(SYNC_KIND_CONTACT, "fav", SYNC_HST_ENUMERATION, SYNC_HSF_SELECT,
                                 SYNC_SFT_PICKLIST, "Lead.Rating", NULL);
    struct sync_mapping bad = user(SYNC_KIND_CONTACT, "fav", SYNC_HST_NUMBER, SYNC_HSF_NUMBER,
                                   SYNC_SFT_PICKLIST, "Lead.Rating", NULL);
    struct sync_mapping title = user(SYNC_KIND_CONTACT, "fav", SYNC_HST_STRING, SYNC_HSF_TEXT,
                                     SYNC_SFT_STRING, "Lead.Title", NULL);
    struct sync_mapping builtin = user(SYNC_KIND_CONTACT, "jobtitle", SYNC_HST_STRING,
                                       SYNC_HSF_TEXT, SYNC_SFT_STRING, "Lead.Other__c", NULL);
    size_t n;

    cr_assert_eq(sync_mapping_set_replace(&set, &a, &err), SYNC_OK, "%s", err.message);
    n = set.n;
    cr_assert_eq(sync_mapping_set_replace(&set, &b, &err), SYNC_OK, "%s", err.message);
    cr_assert_eq(set.n, n);
    cr_assert_eq(find(SYNC_KIND_CONTACT, "fav")->nsf, 1);
    cr_assert_str_eq(find(SYNC_KIND_CONTACT, "fav")->sf[0].name, "Rating");
    cr_assert_null(sync_mapping_set_find_sf(&set, SYNC_KIND_CONTACT, "Contact", "Fav__c"));
    /* refused: the mapping in place stays */
    cr_assert_eq(sync_mapping_set_replace(&set, &bad, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "types do not match"), "%s", err.message);
    cr_assert_eq(sync_mapping_set_replace(&set, &title, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "already mapped (to HubSpot contact property jobtitle)"), "%s",
              err.message);
    cr_assert_eq(set.n, n);
    cr_assert_str_eq(find(SYNC_KIND_CONTACT, "fav")->sf[0].name, "Rating");
    cr_assert_eq(find(SYNC_KIND_CONTACT, "fav")->hs.type, SYNC_HST_ENUMERATION);
    cr_assert_eq(sync_mapping_set_replace(&set, &builtin, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "default mapping"), "%s", err.message);
    cr_assert_str_eq(find(SYNC_KIND_CONTACT, "jobtitle")->sf[0].name, "Title");
    sync_mapping_release(&a);
    sync_mapping_release(&b);
    sync_mapping_release(&bad);
    sync_mapping_release(&title);
    sync_mapping_release(&builtin);
}

Test(mapping, same_fields_tells_a_re_pointed_mapping_from_a_rule_change)
{
    struct sync_mapping a = user(SYNC_KIND_CONTACT, "fav", SYNC_HST_ENUMERATION, SYNC_HSF_SELECT,
                                 SYNC_SFT_PICKLIST, "Lead.Fav__c", NULL);
    struct sync_mapping b = a;

    b.rule = SYNC_RULE_DONT_SYNC;
    cr_assert(sync_mapping_same_fields(&a, &b), "a rule alone is the same fields");
    snprintf(b.sf[0].name, sizeof(b.sf[0].name), "Rating");
    cr_assert(!sync_mapping_same_fields(&a, &b));
    b = a;
    b.sf[0].type = SYNC_SFT_COMBOBOX;
    cr_assert(!sync_mapping_same_fields(&a, &b), "a type changed is another mapping");
}
