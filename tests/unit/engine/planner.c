/*
 * Tests src/engine/planner.c: contacts (matching, creates, owners, lead
 * conversion, merges, deletes, duplicates), companies (matching through
 * contacts, the account-creation rules), deals (stage map, required close
 * date, associations, lifecycle transitions), every setting the planner
 * reads, the ledger invariants (echo, one edit one write, conflicts) and
 * the trace text behind each decision.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/planner.h"

#define NEWLINK "L000000000000000000000001"
#define OLDLINK "L00000000000000000000000a"
#define T0 1700000000000LL

#define LEAD1 "00Q000000000001AAA"
#define LEAD2 "00Q000000000002AAA"
#define CONT1 "003000000000001AAA"
#define CONT2 "003000000000002AAA"
#define ACC1 "001000000000001AAA"
#define ACC2 "001000000000002AAA"
#define OPP1 "006000000000001AAA"
#define USER_ADA "005000000000001AAA"
#define USER_BOB "005000000000002AAA"
#define USER_CY "005000000000003AAA"
#define USER_ZED "005000000000009AAA"
#define RT1 "012000000000001AAA"
#define RT2 "012000000000002AAA"

static struct sync_settings S;
static struct sync_mapping_set M;
static struct sync_plan P;
static struct sync_plan_input in;
static struct sync_err err;
static json_t *keep[64];
static size_t nkeep;
static char tbuf[16384];

static const struct sync_plan_owner owners[] = {
    {SYNC_SIDE_HUBSPOT, "101", "ada@x.co", 1},
    {SYNC_SIDE_HUBSPOT, "102", "bob@x.co", 1},
    {SYNC_SIDE_HUBSPOT, "103", "cy@x.co", 1},
    {SYNC_SIDE_HUBSPOT, "104", "dee@x.co", 1},
    {SYNC_SIDE_SALESFORCE, USER_ADA, "Ada@X.co", 1},
    {SYNC_SIDE_SALESFORCE, USER_BOB, "bob@x.co", 1},
    {SYNC_SIDE_SALESFORCE, USER_CY, "cy@x.co", 0},
    {SYNC_SIDE_SALESFORCE, USER_ZED, "zed@x.co", 1},
};

static const struct sync_plan_stage stage_items[] = {
    {"default", RT1, "appointmentscheduled", "Prospecting", 0, 0},
    {"default", RT1, "closedwon", "Closed Won", 1, 1},
    {"default", RT1, "closedlost", "Closed Lost", 1, 0},
    {"p2", RT2, "p2s1", "Prospecting", 0, 0},
};
static const struct sync_plan_stage_map stages = {stage_items, 4};

static json_t *J(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, 0, &je);

    cr_assert_not_null(v, "bad JSON in test: %s: %s", text, je.text);
    cr_assert_lt(nkeep, sizeof(keep) / sizeof(keep[0]));
    keep[nkeep++] = v;
    return v;
}

static void setup(void)
{
    cr_assert_eq(sync_settings_init(&S), SYNC_OK);
    cr_assert_eq(sync_mapping_set_init(&M), SYNC_OK);
    sync_plan_init(&P);
    memset(&in, 0, sizeof(in));
    in.now = T0 + 1000000;
    in.new_link_id = NEWLINK;
    in.settings = &S;
    in.mappings = &M;
    in.stages = &stages;
    in.owners = owners;
    in.nowners = sizeof(owners) / sizeof(owners[0]);
    sync_err_clear(&err);
    nkeep = 0;
}

static void teardown(void)
{
    sync_plan_release(&P);
    sync_mapping_set_release(&M);
    sync_settings_release(&S);
    while (nkeep)
        json_decref(keep[--nkeep]);
}

TestSuite(planner, .init = setup, .fini = teardown);

static void set(enum sync_setting id, const char *v)
{
    cr_assert_eq(sync_settings_set(&S, id, v, &err), SYNC_OK, "%s", err.message);
}

static void rule(enum sync_kind k, const char *prop, enum sync_rule r)
{
    cr_assert_eq(sync_mapping_set_rule(&M, k, prop, r, &err), SYNC_OK, "%s", err.message);
}

static const char *tr(void)
{
    struct sync_buf b = SYNC_BUF_INIT(1 << 20);
    sync_trace_format(&P.trace, &b);
    snprintf(tbuf, sizeof(tbuf), "%s", sync_buf_str(&b));
    sync_buf_release(&b);
    return tbuf;
}

static void plan(void)
{
    cr_assert_eq(sync_plan_make(&in, &P, &err), SYNC_OK, "%s", err.message);
}

static void has(const char *needle)
{
    cr_assert(sync_trace_contains(&P.trace, needle), "trace lacks \"%s\":\n%s", needle, tr());
}

static struct sync_plan_record hs_rec(const char *object, const char *id, const char *props)
{
    struct sync_plan_record r;

    memset(&r, 0, sizeof(r));
    r.system = SYNC_SIDE_HUBSPOT;
    r.object = object;
    r.id = id;
    r.version = T0;
    r.created_at = T0 - 1000;
    r.fields = J(props);
    return r;
}

static struct sync_plan_record sf_rec(const char *object, const char *id, const char *fields)
{
    struct sync_plan_record r = hs_rec(object, id, fields);

    r.system = SYNC_SIDE_SALESFORCE;
    return r;
}

static struct sync_plan_link link_of(const char *kind, const char *hs_id, const char *sf_object,
                                     const char *sf_id)
{
    struct sync_plan_link l;

    memset(&l, 0, sizeof(l));
    snprintf(l.link_id, sizeof(l.link_id), "%s", OLDLINK);
    snprintf(l.kind, sizeof(l.kind), "%s", kind);
    snprintf(l.hs_id, sizeof(l.hs_id), "%s", hs_id);
    snprintf(l.sf_object, sizeof(l.sf_object), "%s", sf_object);
    snprintf(l.sf_id, sizeof(l.sf_id), "%s", sf_id);
    l.state = SYNC_PLAN_LINK_LINKED;
    return l;
}

static const struct sync_plan_op *op(enum sync_plan_op_kind k, enum sync_side target)
{
    const struct sync_plan_op *o = sync_plan_find(&P, k, target, 0);
    cr_assert_not_null(o, "no %s op for %s:\n%s", sync_plan_op_kind_name(k),
                       sync_plan_side_name(target), tr());
    return o;
}

static const char *fstr(const struct sync_plan_op *o, const char *k)
{
    return json_string_value(json_object_get(o->fields, k));
}

static size_t count(enum sync_plan_op_kind k)
{
    return sync_plan_count(&P, k, SYNC_SIDE_NONE);
}

/* The ledger put for a field, or NULL. */
static const struct sync_plan_op *ledger_op(const char *field)
{
    for (size_t i = 0; i < P.nops; i++)
        if (P.ops[i].kind == SYNC_PLAN_OP_LEDGER_PUT && strcmp(P.ops[i].field, field) == 0)
            return &P.ops[i];
    return NULL;
}

#define ADA                                                                                        \
    "{\"email\":\"Ada@X.co\",\"firstname\":\"Ada\",\"lastname\":\"Lovelace\",\"company\":\"X "     \
    "Co\",\"phone\":\"+1 555 0100\",\"hubspot_owner_id\":\"101\"}"
#define ADA_LEAD                                                                                   \
    "{\"Email\":\"ada@x.co\",\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\",\"Company\":\"X "     \
    "Co\",\"Phone\":\"+1 555 0100\",\"OwnerId\":\"" USER_ADA "\"}"

/* ---- switches ---- */

Test(planner, sync_off_defers_and_keeps_the_change)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);

    in.change = &c;
    in.sync_off = 1;
    plan();
    cr_assert_eq(P.status, SYNC_PLAN_DEFERRED);
    cr_assert_eq(P.nops, 0);
    cr_assert_str_eq(P.action, "deferred");
    has("sync is off: nothing is planned and the change is kept for later");
}

Test(planner, contact_sync_off_plans_nothing)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);

    set(SYNC_SETTING_CONTACT_SYNC, "false");
    in.change = &c;
    plan();
    cr_assert_eq(P.status, SYNC_PLAN_DONE);
    cr_assert_eq(P.nops, 0);
    has("contact 123: contact_sync is off: contact changes do not sync");
}

Test(planner, company_and_deal_sync_off_plan_nothing)
{
    struct sync_plan_record a = sf_rec("Account", ACC1, "{\"Name\":\"X Co\"}");
    struct sync_plan_record d = hs_rec("deals", "7", "{\"dealname\":\"Big\"}");

    set(SYNC_SETTING_COMPANY_SYNC, "false");
    set(SYNC_SETTING_DEAL_SYNC, "false");
    in.change = &a;
    plan();
    cr_assert_eq(P.nops, 0);
    has("company_sync is off");
    in.change = &d;
    plan();
    cr_assert_eq(P.nops, 0);
    has("deal 7: deal_sync is off: deal changes do not sync");
}

Test(planner, unknown_object_is_a_caller_error)
{
    struct sync_plan_record c = hs_rec("products", "1", "{}");

    in.change = &c;
    cr_assert_eq(sync_plan_make(&in, &P, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "products"));
}

/* ---- contacts: email and creates ---- */

Test(planner, hubspot_contact_without_email_never_syncs)
{
    struct sync_plan_record c = hs_rec("contacts", "123", "{\"email\":\"  \",\"firstname\":\"A\"}");

    in.change = &c;
    plan();
    cr_assert_eq(P.nops, 1);
    const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT);
    cr_assert_eq(e->category, SYNC_PLAN_ERR_NO_EMAIL);
    cr_assert_str_eq(e->message, "no email address: a contact without email never syncs");
    cr_assert_str_eq(e->object, "contacts");
    cr_assert_str_eq(e->id, "123");
    has("contact 123: error (no_email): no email address: a contact without email never syncs");
}

Test(planner, salesforce_lead_without_email_never_syncs)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, "{\"Email\":null,\"LastName\":\"L\"}");

    in.change = &c;
    plan();
    cr_assert_eq(op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_SALESFORCE)->category,
                 SYNC_PLAN_ERR_NO_EMAIL);
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0);
}

Test(planner, email_present_again_clears_the_no_email_error)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);
    const char *open[] = {"no_email", "property_value"};

    in.change = &c;
    in.open_errors = open;
    in.nopen_errors = 2;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_CLEAR_ERROR), 1);
    cr_assert_eq(op(SYNC_PLAN_OP_CLEAR_ERROR, SYNC_SIDE_HUBSPOT)->category, SYNC_PLAN_ERR_NO_EMAIL);
    has("the earlier no_email error is resolved");
}

Test(planner, new_hubspot_contact_creates_a_lead_by_default)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);

    in.change = &c;
    plan();
    cr_assert_eq(P.status, SYNC_PLAN_DONE);
    cr_assert_str_eq(P.action, "create_sf");
    const struct sync_plan_op *b = op(SYNC_PLAN_OP_BIND_LINK, SYNC_SIDE_NONE);
    cr_assert_str_eq(b->link.link_id, NEWLINK);
    cr_assert_eq(b->link.state, SYNC_PLAN_LINK_PENDING_CREATE);
    cr_assert_str_eq(b->link.hs_id, "123");
    cr_assert_str_eq(b->link.sf_object, "Lead");
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(w->object, "Lead");
    cr_assert_str_eq(w->link_id, NEWLINK);
    cr_assert_str_eq(fstr(w, "Email"), "ada@x.co");
    cr_assert_str_eq(fstr(w, "LastName"), "Lovelace");
    cr_assert_str_eq(fstr(w, "Company"), "X Co");
    cr_assert_str_eq(fstr(w, "OwnerId"), USER_ADA);
    cr_assert_null(json_object_get(w->fields, "CrmSync_Link_Id__c"));
    cr_assert_eq(w->flags & SYNC_PLAN_F_ASSIGN_RULES, 0);
    /* every written field is agreed once the create succeeds */
    const struct sync_plan_op *le = ledger_op("email");
    cr_assert_not_null(le);
    cr_assert_eq(le->target, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(le->value, "ada@x.co");
    cr_assert_str_eq(ledger_op("hubspot_owner_id")->value, "101");
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0);
    has("contact 123: no Salesforce lead or contact has email ada@x.co; new record type is Lead");
    has("contact 123: creates Salesforce Lead with");
    has("an upsert on link id " NEWLINK);
}

Test(planner, new_record_type_contact_creates_a_salesforce_contact)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);

    set(SYNC_SETTING_NEW_RECORD_TYPE, "contact");
    in.change = &c;
    plan();
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(w->object, "Contact");
    cr_assert_null(json_object_get(w->fields, "Company")); /* a Lead-only mapping */
    has("new record type is Contact");
}

Test(planner, lead_create_without_company_is_a_required_field_error)
{
    struct sync_plan_record c =
        hs_rec("contacts", "123", "{\"email\":\"a@x.co\",\"lastname\":\"L\"}");

    in.change = &c;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0);
    cr_assert_eq(count(SYNC_PLAN_OP_BIND_LINK), 0);
    cr_assert_eq(count(SYNC_PLAN_OP_LEDGER_PUT), 0);
    const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT);
    cr_assert_eq(e->category, SYNC_PLAN_ERR_REQUIRED_FIELD);
    cr_assert_str_eq(e->message, "required field missing: Company (a Salesforce Lead needs it)");
}

Test(planner, new_lead_without_a_mapped_owner_lets_assignment_rules_run)
{
    struct sync_plan_record c = hs_rec(
        "contacts", "123",
        "{\"email\":\"a@x.co\",\"lastname\":\"L\",\"company\":\"C\",\"hubspot_owner_id\":\"104\"}");

    in.change = &c;
    plan();
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE);
    cr_assert_null(json_object_get(w->fields, "OwnerId"));
    cr_assert(w->flags & SYNC_PLAN_F_ASSIGN_RULES);
    cr_assert_null(ledger_op("hubspot_owner_id"));
    has("field hubspot_owner_id: no owner is sent: no active Salesforce user has the email "
        "dee@x.co of HubSpot owner 104");
    has("new lead with no mapped owner: Salesforce assignment rules choose it");
}

Test(planner, new_lead_without_any_owner_lets_assignment_rules_run)
{
    struct sync_plan_record c =
        hs_rec("contacts", "123", "{\"email\":\"a@x.co\",\"lastname\":\"L\",\"company\":\"C\"}");

    in.change = &c;
    plan();
    cr_assert(op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE)->flags & SYNC_PLAN_F_ASSIGN_RULES);
}

Test(planner, new_contact_with_an_inactive_owner_goes_to_the_integration_user)
{
    struct sync_plan_record c =
        hs_rec("contacts", "123",
               "{\"email\":\"a@x.co\",\"lastname\":\"L\",\"hubspot_owner_id\":\"103\"}");

    set(SYNC_SETTING_NEW_RECORD_TYPE, "contact");
    in.change = &c;
    plan();
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE);
    cr_assert_null(json_object_get(w->fields, "OwnerId"));
    cr_assert_eq(w->flags & SYNC_PLAN_F_ASSIGN_RULES, 0);
    has("matches Salesforce user " USER_CY ", who is inactive");
    has("the new Salesforce Contact gets no OwnerId: the integration user owns it");
}

Test(planner, inclusion_list_keeps_a_non_member_out_of_salesforce)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);

    set(SYNC_SETTING_INCLUSION_LIST, "Synced people");
    in.change = &c;
    in.hs_qualifies = 0;
    plan();
    cr_assert_eq(P.nops, 1);
    const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT);
    cr_assert_eq(e->category, SYNC_PLAN_ERR_INCLUSION);
    cr_assert_str_eq(e->message, "not in the inclusion list \"Synced people\": it does not sync "
                                 "to Salesforce until it joins it");
    has("contact 123: error (inclusion_list): not in the inclusion list \"Synced people\"");
    /* once it qualifies, it syncs and the reason is cleared */
    static const char *const open[] = {"inclusion_list"};
    in.open_errors = open;
    in.nopen_errors = 1;
    in.hs_qualifies = 1;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 1);
    cr_assert_eq(op(SYNC_PLAN_OP_CLEAR_ERROR, SYNC_SIDE_HUBSPOT)->category,
                 SYNC_PLAN_ERR_INCLUSION);
}

/* ---- contacts: matching ---- */

static struct sync_match_candidate cand(const char *object, const char *id, const char *email,
                                        int64_t created, int64_t modified)
{
    struct sync_match_candidate m;

    memset(&m, 0, sizeof(m));
    m.object = object;
    m.id = id;
    m.email = email;
    m.created_at = created;
    m.modified_at = modified;
    return m;
}

Test(planner, one_match_binds_and_syncs_fields_first_sync)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);
    struct sync_plan_record lead = sf_rec(
        "Lead", LEAD1,
        "{\"Email\":\"ADA@x.co\",\"FirstName\":\"Ada\",\"LastName\":\"Byron\",\"Company\":\"X "
        "Co\",\"Phone\":null,\"OwnerId\":\"" USER_BOB "\"}");
    struct sync_match_candidate m = cand("Lead", LEAD1, "ADA@x.co", T0 - 50, T0 - 5);

    m.record = &lead;
    in.change = &c;
    in.candidates = &m;
    in.ncandidates = 1;
    plan();
    cr_assert_str_eq(P.action, "bind");
    const struct sync_plan_op *b = op(SYNC_PLAN_OP_BIND_LINK, SYNC_SIDE_NONE);
    cr_assert_eq(b->link.state, SYNC_PLAN_LINK_LINKED);
    cr_assert_str_eq(b->link.sf_id, LEAD1);
    cr_assert_str_eq(b->link.hs_id, "123");
    /* Prefer Salesforce unless blank: Salesforce's last name wins, HubSpot's phone fills the
     * blank; the owner's first sync goes to Salesforce */
    const struct sync_plan_op *uh = op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(fstr(uh, "lastname"), "Byron");
    cr_assert_str_eq(fstr(uh, "hubspot_owner_id"), "102");
    const struct sync_plan_op *us = op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(us->id, LEAD1);
    cr_assert_str_eq(fstr(us, "Phone"), "+1 555 0100");
    cr_assert_null(json_object_get(us->fields, "OwnerId"));
    /* equal values are recorded as agreed right away */
    cr_assert_eq(ledger_op("firstname")->target, SYNC_SIDE_NONE);
    cr_assert_eq(ledger_op("email")->target, SYNC_SIDE_NONE);
    cr_assert_eq(ledger_op("lastname")->target, SYNC_SIDE_HUBSPOT);
    has("contact 123: email ada@x.co matched Salesforce Lead " LEAD1
        " (the only one of 1 match, oldest first)");
    has("field lastname: rule Prefer Salesforce unless blank: Salesforce has a value, and it "
        "wins; HubSpot set to \"Byron\"");
    has("field phone: rule Prefer Salesforce unless blank: Salesforce is blank, so HubSpot's value "
        "is sent; Salesforce Phone set to \"+1 555 0100\"");
    has("field hubspot_owner_id: owner: first sync: Salesforce's value wins; HubSpot set to owner "
        "\"102\"");
}

Test(planner, a_match_without_its_record_asks_for_it)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);
    struct sync_match_candidate m = cand("Contact", CONT1, "ada@x.co", T0, T0);

    in.change = &c;
    in.candidates = &m;
    in.ncandidates = 1;
    plan();
    cr_assert_eq(P.status, SYNC_PLAN_NEED_RECORD);
    cr_assert_eq(P.need.system, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(P.need.object, "Contact");
    cr_assert_str_eq(P.need.id, CONT1);
    cr_assert_eq(P.nops, 0);
    has("needs the current values of Salesforce Contact " CONT1);
    /* the same call with the record passed as other */
    struct sync_plan_record rec = sf_rec("Contact", CONT1, "{\"Email\":\"ada@x.co\"}");
    in.other = &rec;
    plan();
    cr_assert_eq(P.status, SYNC_PLAN_DONE);
    cr_assert_str_eq(op(SYNC_PLAN_OP_BIND_LINK, SYNC_SIDE_NONE)->link.sf_id, CONT1);
}

struct first_case {
    const char *name;
    struct {
        const char *object, *id, *email;
        int64_t created;
        int converted, linked;
    } c[3];
    size_t n;
    const char *want; /* NULL: no match, create */
};

Test(planner, first_bind_table)
{
    static const struct first_case cases[] = {
        {"none", {{0}}, 0, NULL},
        {"one lead", {{"Lead", LEAD1, "ada@x.co", T0, 0, 0}}, 1, LEAD1},
        {"oldest of two",
         {{"Lead", LEAD2, "ada@x.co", T0, 0, 0}, {"Lead", LEAD1, "ada@x.co", T0 - 9, 0, 0}},
         2,
         LEAD1},
        {"older lead beats newer contact",
         {{"Contact", CONT1, "ada@x.co", T0, 0, 0}, {"Lead", LEAD1, "ada@x.co", T0 - 1, 0, 0}},
         2,
         LEAD1},
        {"same instant: contact first",
         {{"Lead", LEAD1, "ada@x.co", T0, 0, 0}, {"Contact", CONT1, "ada@x.co", T0, 0, 0}},
         2,
         CONT1},
        {"case differences match", {{"Contact", CONT1, " ADA@X.CO ", T0, 0, 0}}, 1, CONT1},
        {"other email never matches", {{"Contact", CONT1, "ada@y.co", T0, 0, 0}}, 1, NULL},
        {"converted lead skipped",
         {{"Lead", LEAD1, "ada@x.co", T0 - 9, 1, 0}, {"Contact", CONT1, "ada@x.co", T0, 0, 0}},
         2,
         CONT1},
        {"linked elsewhere skipped",
         {{"Contact", CONT1, "ada@x.co", T0 - 9, 0, 1}, {"Lead", LEAD2, "ada@x.co", T0, 0, 0}},
         2,
         LEAD2},
        {"all linked elsewhere: create", {{"Contact", CONT1, "ada@x.co", T0, 0, 1}}, 1, NULL},
    };
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);
    struct sync_plan_link other = link_of("contact", "999", "Contact", CONT1);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sync_match_candidate m[3];
        struct sync_plan_record recs[3];
        for (size_t k = 0; k < cases[i].n; k++) {
            m[k] = cand(cases[i].c[k].object, cases[i].c[k].id, cases[i].c[k].email,
                        cases[i].c[k].created, cases[i].c[k].created);
            m[k].converted = cases[i].c[k].converted;
            m[k].link = cases[i].c[k].linked ? &other : NULL;
            recs[k] = sf_rec(cases[i].c[k].object, cases[i].c[k].id,
                             "{\"Email\":\"ada@x.co\",\"LastName\":\"Lovelace\"}");
            m[k].record = &recs[k];
        }
        in.change = &c;
        in.candidates = m;
        in.ncandidates = cases[i].n;
        plan();
        if (!cases[i].want) {
            cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 1, "%s:\n%s", cases[i].name, tr());
            continue;
        }
        const struct sync_plan_op *b =
            sync_plan_find(&P, SYNC_PLAN_OP_BIND_LINK, SYNC_SIDE_NONE, 0);
        cr_assert_not_null(b, "%s:\n%s", cases[i].name, tr());
        cr_assert_str_eq(b->link.sf_id, cases[i].want, "%s", cases[i].name);
        cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0, "%s", cases[i].name);
    }
}

Test(planner, first_of_many_is_traced_with_the_count)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);
    struct sync_plan_record r = sf_rec("Lead", LEAD1, "{\"Email\":\"ada@x.co\"}");
    struct sync_match_candidate m[2] = {cand("Lead", LEAD2, "ada@x.co", T0, T0),
                                        cand("Lead", LEAD1, "ada@x.co", T0 - 1, T0)};

    m[1].record = &r;
    in.change = &c;
    in.candidates = m;
    in.ncandidates = 2;
    plan();
    has("contact 123: email ada@x.co matched Salesforce Lead " LEAD1
        " (first of 2 matches, oldest first)");
}

Test(planner, later_trigger_follows_the_most_recently_updated_duplicate)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);
    struct sync_plan_record cur = sf_rec("Contact", CONT1, "{\"Email\":\"ada@x.co\"}");
    struct sync_plan_record dup =
        sf_rec("Lead", LEAD1, "{\"Email\":\"ada@x.co\",\"LastName\":\"Newer\"}");
    struct sync_plan_link l = link_of("contact", "123", "Contact", CONT1);
    struct sync_match_candidate m[2] = {cand("Contact", CONT1, "ada@x.co", T0 - 100, T0 - 50),
                                        cand("Lead", LEAD1, "ada@x.co", T0 - 10, T0 - 5)};

    cur.version = T0 - 50;
    dup.version = T0 - 5;
    m[0].link = &l;
    m[1].record = &dup;
    in.change = &c;
    in.link = &l;
    in.other = &cur;
    in.candidates = m;
    in.ncandidates = 2;
    plan();
    const struct sync_plan_op *r = op(SYNC_PLAN_OP_REPOINT_LINK, SYNC_SIDE_NONE);
    cr_assert_str_eq(r->link.link_id, OLDLINK);
    cr_assert_str_eq(r->link.sf_object, "Lead");
    cr_assert_str_eq(r->link.sf_id, LEAD1);
    cr_assert_str_eq(op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT)->fields ? "y" : "n", "y");
    has("Salesforce Lead " LEAD1 " is the most recently updated record with email ada@x.co; the "
        "sync follows it");
    /* the linked record is the latest: nothing moves */
    dup.version = T0 - 60;
    m[1].modified_at = T0 - 60;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_REPOINT_LINK), 0, "%s", tr());
}

Test(planner, new_salesforce_duplicate_takes_the_link_when_updated_later)
{
    struct sync_plan_record c =
        sf_rec("Lead", LEAD2, "{\"Email\":\"ada@x.co\",\"LastName\":\"L\"}");
    struct sync_plan_record h = hs_rec("contacts", "123", ADA);
    struct sync_plan_link l = link_of("contact", "123", "Contact", CONT1);
    struct sync_match_candidate m = cand("contacts", "123", "ada@x.co", T0 - 100, T0 - 1);

    m.link = &l;
    m.linked_modified_at = T0 - 10;
    m.record = &h;
    c.version = T0;
    in.change = &c;
    in.candidates = &m;
    in.ncandidates = 1;
    plan();
    const struct sync_plan_op *r = op(SYNC_PLAN_OP_REPOINT_LINK, SYNC_SIDE_NONE);
    cr_assert_str_eq(r->link.sf_object, "Lead");
    cr_assert_str_eq(r->link.sf_id, LEAD2);
    cr_assert_str_eq(r->link.hs_id, "123");
    has("this record is the most recently updated duplicate, so the sync follows it");
    /* an older duplicate waits */
    m.linked_modified_at = T0 + 10;
    plan();
    cr_assert_eq(P.nops, 0);
    has("updated more recently; this duplicate does not sync");
}

/* ---- contacts: Salesforce -> HubSpot ---- */

Test(planner, new_salesforce_lead_creates_a_hubspot_contact)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, ADA_LEAD);

    in.change = &c;
    plan();
    cr_assert_str_eq(P.action, "create_hs");
    const struct sync_plan_op *b = op(SYNC_PLAN_OP_BIND_LINK, SYNC_SIDE_NONE);
    cr_assert_eq(b->link.state, SYNC_PLAN_LINK_PENDING_CREATE);
    cr_assert_str_eq(b->link.sf_id, LEAD1);
    cr_assert_str_eq(b->link.hs_id, "");
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(w->object, "contacts");
    cr_assert_str_eq(fstr(w, "email"), "ada@x.co");
    cr_assert_str_eq(fstr(w, "company"), "X Co");
    cr_assert_str_eq(fstr(w, "hubspot_owner_id"), "101");
    cr_assert_eq(ledger_op("lastname")->target, SYNC_SIDE_HUBSPOT);
    has("Salesforce Lead " LEAD1 ": no HubSpot contact has email ada@x.co; "
        "create_contacts_from_leads is on");
}

Test(planner, lead_and_contact_creation_settings_gate_hubspot_creates)
{
    struct sync_plan_record lead = sf_rec("Lead", LEAD1, ADA_LEAD);
    struct sync_plan_record cont =
        sf_rec("Contact", CONT1, "{\"Email\":\"ada@x.co\",\"LastName\":\"L\"}");

    set(SYNC_SETTING_CREATE_CONTACTS_FROM_LEADS, "false");
    in.change = &lead;
    plan();
    cr_assert_eq(P.nops, 0);
    has("and create_contacts_from_leads is off: nothing is created");
    in.change = &cont;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 1);
    set(SYNC_SETTING_CREATE_CONTACTS_FROM_CONTACTS, "false");
    plan();
    cr_assert_eq(P.nops, 0);
    has("create_contacts_from_contacts is off");
}

Test(planner, salesforce_record_creates_in_hubspot_even_outside_the_inclusion_list)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, ADA_LEAD);

    set(SYNC_SETTING_INCLUSION_LIST, "Synced people");
    in.hs_qualifies = 0;
    in.change = &c;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 1);
}

Test(planner, salesforce_owner_without_a_hubspot_owner_is_not_set_on_create)
{
    struct sync_plan_record c =
        sf_rec("Lead", LEAD1, "{\"Email\":\"a@x.co\",\"OwnerId\":\"" USER_ZED "\"}");

    in.change = &c;
    plan();
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_HUBSPOT);
    cr_assert_null(json_object_get(w->fields, "hubspot_owner_id"));
    cr_assert_null(ledger_op("hubspot_owner_id"));
    has("field hubspot_owner_id: no HubSpot owner is set: no HubSpot owner has the email "
        "zed@x.co of Salesforce user " USER_ZED);
}

Test(planner, salesforce_lead_matches_a_free_hubspot_contact)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, ADA_LEAD);
    struct sync_plan_record h = hs_rec("contacts", "123", ADA);
    struct sync_match_candidate m = cand("contacts", "123", "ada@x.co", T0, T0);

    m.record = &h;
    in.change = &c;
    in.candidates = &m;
    in.ncandidates = 1;
    plan();
    const struct sync_plan_op *b = op(SYNC_PLAN_OP_BIND_LINK, SYNC_SIDE_NONE);
    cr_assert_eq(b->link.state, SYNC_PLAN_LINK_LINKED);
    cr_assert_str_eq(b->link.hs_id, "123");
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0);
    has("email ada@x.co matched HubSpot contact 123");
}

Test(planner, matching_ignores_the_creation_setting)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, ADA_LEAD);
    struct sync_plan_record h = hs_rec("contacts", "123", ADA);
    struct sync_match_candidate m = cand("contacts", "123", "ada@x.co", T0, T0);

    set(SYNC_SETTING_CREATE_CONTACTS_FROM_LEADS, "false");
    m.record = &h;
    in.change = &c;
    in.candidates = &m;
    in.ncandidates = 1;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_BIND_LINK), 1);
}

/* ---- contacts: linked field sync and the ledger invariants ---- */

struct linked {
    struct sync_plan_record hs, sf;
    struct sync_plan_link l;
    struct sync_plan_ledger led[8];
};

/* A linked pair that agreed on Ada's values, ledger included. */
static void linked_pair(struct linked *x, const char *hs_props, const char *sf_fields)
{
    static const struct sync_plan_ledger agreed[] = {
        {"email", "ada@x.co"}, {"firstname", "Ada"},     {"lastname", "Lovelace"},
        {"company", "X Co"},   {"phone", "+1 555 0100"}, {"hubspot_owner_id", "101"},
        {"jobtitle", NULL},
    };
    x->hs = hs_rec("contacts", "123", hs_props);
    x->sf = sf_rec("Lead", LEAD1, sf_fields);
    x->l = link_of("contact", "123", "Lead", LEAD1);
    memcpy(x->led, agreed, sizeof(agreed));
    in.link = &x->l;
    in.ledger = x->led;
    in.nledger = sizeof(agreed) / sizeof(agreed[0]);
}

Test(planner, an_echo_never_moves_the_sync_to_another_duplicate)
{
    struct linked x;
    struct sync_plan_record dup =
        sf_rec("Lead", LEAD2, "{\"Email\":\"ada@x.co\",\"LastName\":\"Newer\"}");
    struct sync_match_candidate m[2] = {cand("Lead", LEAD1, "ada@x.co", T0 - 100, T0 - 50),
                                        cand("Lead", LEAD2, "ada@x.co", T0 - 90, T0 - 5)};

    /* bound to the oldest duplicate; the other was updated later, but before the bind */
    linked_pair(&x, ADA, ADA_LEAD);
    x.sf.version = T0 - 50;
    dup.version = T0 - 5;
    m[0].link = &x.l;
    m[1].record = &dup;
    in.change = &x.hs;
    in.other = &x.sf;
    in.candidates = m;
    in.ncandidates = 2;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_REPOINT_LINK), 0, "%s", tr());
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0, "%s", tr());
    has("this change carries no new value (an echo of the sync's own write), so the sync stays "
        "with Lead " LEAD1);
    /* a real HubSpot edit is a later trigger: the most recently updated duplicate takes over */
    x.hs = hs_rec("contacts", "123",
                  "{\"email\":\"ada@x.co\",\"firstname\":\"Ada\",\"lastname\":\"Lovelace\","
                  "\"company\":\"X Co\",\"phone\":\"+1 555 0199\",\"hubspot_owner_id\":\"101\"}");
    plan();
    cr_assert_str_eq(op(SYNC_PLAN_OP_REPOINT_LINK, SYNC_SIDE_NONE)->link.sf_id, LEAD2);
}

Test(planner, an_echo_writes_nothing)
{
    struct linked x;

    linked_pair(&x, ADA, ADA_LEAD);
    in.change = &x.sf;
    in.other = &x.hs;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0, "%s", tr());
    cr_assert_eq(count(SYNC_PLAN_OP_LEDGER_PUT), 0, "%s", tr());
    cr_assert_eq(count(SYNC_PLAN_OP_RECORD_CONFLICT), 0);
    cr_assert_str_eq(P.action, "skip_echo");
    has("0 fields to write to HubSpot, 0 to Salesforce");
    /* and from the HubSpot side */
    in.change = &x.hs;
    in.other = &x.sf;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0, "%s", tr());
}

Test(planner, one_edit_on_a_two_way_field_is_exactly_one_write)
{
    struct linked x;

    rule(SYNC_KIND_CONTACT, "phone", SYNC_RULE_TWO_WAY);
    linked_pair(&x,
                "{\"email\":\"ada@x.co\",\"firstname\":\"Ada\",\"lastname\":\"Lovelace\","
                "\"company\":\"X Co\",\"phone\":\"+1 555 0199\",\"hubspot_owner_id\":\"101\"}",
                ADA_LEAD);
    in.change = &x.hs;
    in.other = &x.sf;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 1, "%s", tr());
    const struct sync_plan_op *u = op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_SALESFORCE);
    cr_assert_eq(json_object_size(u->fields), 1);
    cr_assert_str_eq(fstr(u, "Phone"), "+1 555 0199");
    cr_assert_eq(count(SYNC_PLAN_OP_LEDGER_PUT), 1);
    const struct sync_plan_op *le = ledger_op("phone");
    cr_assert_eq(le->target, SYNC_SIDE_SALESFORCE);
    cr_assert_eq(le->agreed_by, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(le->value, "+1 555 0199");
    cr_assert_eq(le->at, in.now);
    cr_assert_str_eq(P.action, "write");
    has("field phone: rule Two-way: changed in HubSpot only; the change flows to Salesforce; "
        "Salesforce Phone set to \"+1 555 0199\"");
    /* the summary counts the Salesforce write (the empty HubSpot update was dropped first) */
    has("contact 123: 0 fields to write to HubSpot, 1 to Salesforce");
    /* the echo of that write comes back from Salesforce: nothing more */
    struct sync_plan_ledger led2[8];
    memcpy(led2, x.led, sizeof(led2));
    led2[4].value = "+1 555 0199";
    in.ledger = led2;
    struct sync_plan_record echo = sf_rec(
        "Lead", LEAD1,
        "{\"Email\":\"ada@x.co\",\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\",\"Company\":\"X "
        "Co\",\"Phone\":\"+1 555 0199\",\"OwnerId\":\"" USER_ADA "\"}");
    in.change = &echo;
    in.other = &x.hs;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0, "%s", tr());
}

Test(planner, prefer_salesforce_reverts_a_hubspot_edit)
{
    struct linked x;

    linked_pair(&x,
                "{\"email\":\"ada@x.co\",\"firstname\":\"Ada\",\"lastname\":\"Lovelace\","
                "\"company\":\"X Co\",\"phone\":\"+1 555 0199\",\"hubspot_owner_id\":\"101\"}",
                ADA_LEAD);
    in.change = &x.hs;
    in.other = &x.sf;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 1);
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT), "phone"), "+1 555 0100");
    has("field phone: rule Prefer Salesforce unless blank: HubSpot's edit is not sent: Salesforce "
        "has a value, and it wins");
}

Test(planner, a_conflict_on_a_two_way_field_is_recorded_with_both_values)
{
    struct linked x;

    rule(SYNC_KIND_CONTACT, "phone", SYNC_RULE_TWO_WAY);
    linked_pair(&x,
                "{\"email\":\"ada@x.co\",\"firstname\":\"Ada\",\"lastname\":\"Lovelace\","
                "\"company\":\"X Co\",\"phone\":\"111\",\"hubspot_owner_id\":\"101\"}",
                "{\"Email\":\"ada@x.co\",\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\","
                "\"Company\":\"X Co\",\"Phone\":\"222\",\"OwnerId\":\"" USER_ADA "\"}");
    x.hs.changed_at = J("{\"phone\":1700000005000}");
    x.sf.version = T0 + 2000;
    in.change = &x.hs;
    in.other = &x.sf;
    plan();
    const struct sync_plan_op *k = op(SYNC_PLAN_OP_RECORD_CONFLICT, SYNC_SIDE_NONE);
    cr_assert_str_eq(k->field, "phone");
    cr_assert_str_eq(k->value, "111");
    cr_assert_str_eq(k->sf_value, "222");
    cr_assert_eq(k->hs_at, T0 + 5000);
    cr_assert_eq(k->sf_at, T0 + 2000);
    cr_assert_eq(k->rule, SYNC_RULE_TWO_WAY);
    cr_assert_eq(k->winner, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_SALESFORCE), "Phone"), "111");
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 1);
    has("field phone: conflict: HubSpot \"111\", Salesforce \"222\", both changed since the last "
        "agreement");
    has("changed on both sides; HubSpot's change is later and wins");
}

/* ---- late landings of the engine's own writes ---- */

#define ADA_STALE_PHONE                                                                            \
    "{\"email\":\"ada@x.co\",\"firstname\":\"Ada\",\"lastname\":\"Lovelace\","                     \
    "\"company\":\"X Co\",\"phone\":\"+1 555 0199\",\"hubspot_owner_id\":\"101\"}"

/* Ada agreed on +1 555 0100; HubSpot now holds +1 555 0199, changed at T0 + 5 s. */
static void stale_hubspot(struct linked *x, struct sync_plan_unsettled *u, int64_t sent_at)
{
    rule(SYNC_KIND_CONTACT, "phone", SYNC_RULE_TWO_WAY);
    linked_pair(x, ADA_STALE_PHONE, ADA_LEAD);
    x->hs.changed_at = J("{\"phone\":1700000005000}");
    u->side = SYNC_SIDE_HUBSPOT;
    u->field = "phone";
    u->value = "+1 555 0199";
    u->sent_at = sent_at;
    in.unsettled = u;
    in.nunsettled = 1;
    in.change = &x->hs;
    in.other = &x->sf;
}

Test(planner, its_own_write_landing_late_is_no_edit_and_the_side_is_set_back)
{
    struct linked x;
    struct sync_plan_unsettled u;

    stale_hubspot(&x, &u, T0);
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 1, "%s", tr());
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT), "phone"), "+1 555 0100");
    cr_assert_eq(count(SYNC_PLAN_OP_RECORD_CONFLICT), 0, "%s", tr());
    const struct sync_plan_op *s = op(SYNC_PLAN_OP_SETTLE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(s->link_id, OLDLINK);
    cr_assert_str_eq(s->field, "phone");
    cr_assert_str_eq(s->value, "+1 555 0199");
    has("field phone: HubSpot's \"+1 555 0199\" is crmsync's own write sent at "
        "2023-11-14T22:13:20.000Z, which timed out and was sent again, landing late: not an edit");
    has("HubSpot set to \"+1 555 0100\"");
    cr_assert_eq(ledger_op("phone")->target, SYNC_SIDE_HUBSPOT);
}

Test(planner, a_late_landing_behind_a_newer_salesforce_edit_gives_way_to_that_edit)
{
    struct linked x;
    struct sync_plan_unsettled u;
    struct sync_plan_record sf = sf_rec(
        "Lead", LEAD1,
        "{\"Email\":\"ada@x.co\",\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\",\"Company\":\"X "
        "Co\",\"Phone\":\"222\",\"OwnerId\":\"" USER_ADA "\"}");

    stale_hubspot(&x, &u, T0);
    sf.version = T0 + 1000; /* Salesforce's edit is older than the late landing */
    in.other = &sf;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 1, "%s", tr());
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT), "phone"), "222");
    cr_assert_eq(count(SYNC_PLAN_OP_RECORD_CONFLICT), 0, "%s", tr());
    cr_assert_str_eq(ledger_op("phone")->value, "222");
}

Test(planner, a_value_set_before_the_write_was_sent_or_another_value_is_an_edit)
{
    struct linked x;
    struct sync_plan_unsettled u;

    /* sent ten minutes after HubSpot's value changed: that value is not its landing */
    stale_hubspot(&x, &u, T0 + 10 * 60 * 1000);
    plan();
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_SALESFORCE), "Phone"), "+1 555 0199");
    cr_assert_eq(count(SYNC_PLAN_OP_SETTLE), 0);
    /* within the clock skew allowed, it is */
    u.sent_at = T0 + 5000 + 30 * 1000;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_SETTLE), 1, "%s", tr());
    /* the value sent was another one */
    u.sent_at = T0;
    u.value = "+1 555 0142";
    plan();
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_SALESFORCE), "Phone"), "+1 555 0199");
    cr_assert_eq(count(SYNC_PLAN_OP_SETTLE), 0);
    /* a write sent to the other side says nothing of HubSpot's value */
    u.value = "+1 555 0199";
    u.side = SYNC_SIDE_SALESFORCE;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_SETTLE), 0);
}

Test(planner, a_late_landing_in_salesforce_is_set_back_and_never_reaches_hubspot)
{
    struct linked x;
    struct sync_plan_unsettled u = {SYNC_SIDE_SALESFORCE, "phone", "+1 555 0199", T0 - 1000};
    struct sync_plan_record sf = sf_rec(
        "Lead", LEAD1,
        "{\"Email\":\"ada@x.co\",\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\",\"Company\":\"X "
        "Co\",\"Phone\":\"+1 555 0199\",\"OwnerId\":\"" USER_ADA "\"}");

    rule(SYNC_KIND_CONTACT, "phone", SYNC_RULE_TWO_WAY);
    linked_pair(&x, ADA, ADA_LEAD);
    in.unsettled = &u;
    in.nunsettled = 1;
    in.change = &sf;
    in.other = &x.hs;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 1, "%s", tr());
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_SALESFORCE), "Phone"), "+1 555 0100");
    cr_assert_eq(op(SYNC_PLAN_OP_SETTLE, SYNC_SIDE_SALESFORCE)->target, SYNC_SIDE_SALESFORCE);
    has("field phone: Salesforce's \"+1 555 0199\" is crmsync's own write");
}

Test(planner, values_already_equal_are_recorded_as_agreed)
{
    struct linked x;

    linked_pair(&x, "{\"email\":\"ada@x.co\",\"jobtitle\":\"Countess\"}",
                "{\"Email\":\"ada@x.co\",\"Title\":\"Countess\"}");
    in.change = &x.hs;
    in.other = &x.sf;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0);
    const struct sync_plan_op *le = ledger_op("jobtitle");
    cr_assert_not_null(le);
    cr_assert_eq(le->target, SYNC_SIDE_NONE);
    cr_assert_str_eq(le->value, "Countess");
    has("field jobtitle: both sides already hold the same value (\"Countess\"): recorded as "
        "agreed");
}

Test(planner, a_field_absent_from_the_record_is_left_alone)
{
    struct linked x;

    linked_pair(&x, "{\"email\":\"ada@x.co\"}", "{\"Email\":\"ada@x.co\",\"Phone\":\"9\"}");
    in.change = &x.sf;
    in.other = &x.hs;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0, "%s", tr());
}

Test(planner, a_bad_value_is_a_record_error_and_the_rest_still_syncs)
{
    struct linked x;

    rule(SYNC_KIND_CONTACT, "numemployees", SYNC_RULE_TWO_WAY);
    rule(SYNC_KIND_CONTACT, "phone", SYNC_RULE_TWO_WAY);
    linked_pair(&x, "{\"email\":\"ada@x.co\",\"numemployees\":\"lots\",\"phone\":\"5\"}",
                "{\"Email\":\"ada@x.co\",\"NumberOfEmployees\":3,\"Phone\":\"+1 555 0100\"}");
    in.change = &x.hs;
    in.other = &x.sf;
    plan();
    const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT);
    cr_assert_eq(e->category, SYNC_PLAN_ERR_PROPERTY_VALUE);
    cr_assert_str_eq(e->message, "HubSpot numemployees: 'lots' is not a number");
    cr_assert_eq(P.status, SYNC_PLAN_DONE);
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_SALESFORCE), "Phone"), "5");
}

Test(planner, clearing_a_required_salesforce_field_is_refused)
{
    struct linked x;

    rule(SYNC_KIND_CONTACT, "lastname", SYNC_RULE_TWO_WAY);
    linked_pair(&x, "{\"email\":\"ada@x.co\",\"lastname\":\"\"}",
                "{\"Email\":\"ada@x.co\",\"LastName\":\"Lovelace\"}");
    in.change = &x.hs;
    in.other = &x.sf;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0, "%s", tr());
    cr_assert_str_eq(op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT)->message,
                     "required field missing: LastName (Salesforce cannot clear it)");
}

Test(planner, linked_without_the_other_record_asks_for_it)
{
    struct linked x;

    linked_pair(&x, ADA, ADA_LEAD);
    in.change = &x.hs;
    plan();
    cr_assert_eq(P.status, SYNC_PLAN_NEED_RECORD);
    cr_assert_eq(P.need.system, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(P.need.object, "Lead");
    cr_assert_str_eq(P.need.id, LEAD1);
}

Test(planner, a_pending_create_is_planned_again_with_its_link_id)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);
    struct sync_plan_link l = link_of("contact", "123", "Lead", "");

    l.state = SYNC_PLAN_LINK_PENDING_CREATE;
    in.change = &c;
    in.link = &l;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_BIND_LINK), 0);
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(w->link_id, OLDLINK);
    has("the create is planned again (an upsert on the link id, so it happens once)");
}

Test(planner, a_detached_link_does_not_sync)
{
    struct linked x;

    linked_pair(&x, ADA, ADA_LEAD);
    x.l.state = SYNC_PLAN_LINK_DETACHED;
    in.change = &x.hs;
    in.other = &x.sf;
    plan();
    cr_assert_eq(P.nops, 0);
    has("is detached (the other record was deleted)");
}

Test(planner, a_linked_contact_outside_the_inclusion_list_gets_no_updates)
{
    struct linked x;

    set(SYNC_SETTING_INCLUSION_LIST, "Synced people");
    linked_pair(&x, ADA, "{\"Email\":\"ada@x.co\",\"Phone\":\"777\"}");
    in.change = &x.sf;
    in.other = &x.hs;
    in.hs_qualifies = 0;
    plan();
    cr_assert_eq(P.nops, 1);
    cr_assert_eq(op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_SALESFORCE)->category,
                 SYNC_PLAN_ERR_INCLUSION);
    has("is not in the inclusion list \"Synced people\": it gets no updates from Salesforce until "
        "it qualifies");
    in.hs_qualifies = 1;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 1);
}

/* ---- owners ---- */

struct owner_case {
    const char *name;
    const char *hs_owner, *sf_owner; /* now; the ledger agreed on 101 / USER_ADA */
    const char *want_hs, *want_sf;   /* NULL: not written */
    const char *trace;
};

Test(planner, owner_table)
{
    static const struct owner_case cases[] = {
        {"hubspot owner with an active user", "102", USER_ADA, NULL, USER_BOB,
         "Salesforce set to user " USER_BOB},
        {"hubspot owner whose user is inactive", "103", USER_ADA, "101", NULL,
         "matches Salesforce user " USER_CY ", who is inactive: the Salesforce owner is kept and "
         "HubSpot's owner is reset to \"101\""},
        {"hubspot owner with no user", "104", USER_ADA, "101", NULL,
         "no active Salesforce user has the email dee@x.co of HubSpot owner 104"},
        {"unknown hubspot owner", "999", USER_ADA, "101", NULL, "HubSpot owner 999 is unknown"},
        {"salesforce owner with a hubspot owner", "101", USER_BOB, "102", NULL,
         "HubSpot set to owner \"102\""},
        {"salesforce owner without a hubspot owner", "101", USER_ZED, NULL, NULL,
         "no HubSpot owner has the email zed@x.co of Salesforce user " USER_ZED
         ": HubSpot's owner \"101\" is kept"},
        {"inactive salesforce owner still reaches hubspot", "101", USER_CY, "103", NULL,
         "HubSpot set to owner \"103\""},
    };

    rule(SYNC_KIND_CONTACT, "hubspot_owner_id", SYNC_RULE_PREFER_SF_UNLESS_BLANK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct linked x;
        char hp[128], sp[128];
        snprintf(hp, sizeof(hp), "{\"email\":\"ada@x.co\",\"hubspot_owner_id\":\"%s\"}",
                 cases[i].hs_owner);
        snprintf(sp, sizeof(sp), "{\"Email\":\"ada@x.co\",\"OwnerId\":\"%s\"}", cases[i].sf_owner);
        linked_pair(&x, hp, sp);
        in.change = &x.hs;
        in.other = &x.sf;
        plan();
        const struct sync_plan_op *uh =
            sync_plan_find(&P, SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT, 0);
        const struct sync_plan_op *us =
            sync_plan_find(&P, SYNC_PLAN_OP_UPDATE, SYNC_SIDE_SALESFORCE, 0);
        if (cases[i].want_hs) {
            cr_assert_not_null(uh, "%s:\n%s", cases[i].name, tr());
            cr_assert_str_eq(fstr(uh, "hubspot_owner_id"), cases[i].want_hs, "%s", cases[i].name);
        } else {
            cr_assert_null(uh, "%s:\n%s", cases[i].name, tr());
        }
        if (cases[i].want_sf) {
            cr_assert_not_null(us, "%s:\n%s", cases[i].name, tr());
            cr_assert_str_eq(fstr(us, "OwnerId"), cases[i].want_sf, "%s", cases[i].name);
        } else {
            cr_assert_null(us, "%s:\n%s", cases[i].name, tr());
        }
        cr_assert_eq(count(SYNC_PLAN_OP_RECORD_ERROR), 0, "%s: owner problems are silent",
                     cases[i].name);
        cr_assert(sync_trace_contains(&P.trace, cases[i].trace), "%s: trace lacks \"%s\":\n%s",
                  cases[i].name, cases[i].trace, tr());
    }
}

/* ---- lead conversion, merges, deletes ---- */

Test(planner, lead_conversion_repoints_the_link_to_the_contact)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, ADA_LEAD);
    struct sync_plan_link l = link_of("contact", "123", "Lead", LEAD1);

    c.converted = 1;
    c.converted_contact_id = CONT1;
    c.converted_account_id = ACC1;
    in.change = &c;
    in.link = &l;
    plan();
    cr_assert_eq(P.nops, 1);
    const struct sync_plan_op *r = op(SYNC_PLAN_OP_REPOINT_LINK, SYNC_SIDE_NONE);
    cr_assert_str_eq(r->link.link_id, OLDLINK);
    cr_assert_str_eq(r->link.hs_id, "123");
    cr_assert_str_eq(r->link.sf_object, "Contact");
    cr_assert_str_eq(r->link.sf_id, CONT1);
    cr_assert_str_eq(P.action, "repoint");
    has("lead converted: link " OLDLINK " re-pointed from Lead " LEAD1 " to Contact " CONT1);
    has("the conversion used account " ACC1);
}

Test(planner, conversion_into_a_contact_that_already_syncs_detaches_the_lead)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, ADA_LEAD);
    struct sync_plan_link l = link_of("contact", "123", "Lead", LEAD1);
    struct sync_plan_link t = link_of("contact", "456", "Contact", CONT1);

    snprintf(t.link_id, sizeof(t.link_id), "L0000000000000000000000bb");
    c.converted = 1;
    c.converted_contact_id = CONT1;
    in.change = &c;
    in.link = &l;
    in.target_link = &t;
    plan();
    const struct sync_plan_op *s = op(SYNC_PLAN_OP_LINK_STATE, SYNC_SIDE_NONE);
    cr_assert_eq(s->link.state, SYNC_PLAN_LINK_DETACHED);
    cr_assert_eq(count(SYNC_PLAN_OP_REPOINT_LINK), 0);
    has("which already syncs with HubSpot contact 456");
}

Test(planner, an_unlinked_converted_lead_does_nothing)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, ADA_LEAD);

    c.converted = 1;
    c.converted_contact_id = CONT1;
    in.change = &c;
    plan();
    cr_assert_eq(P.nops, 0);
    has("the contact syncs on its own");
}

Test(planner, salesforce_merge_repoints_never_deletes)
{
    struct sync_plan_record c = sf_rec("Contact", CONT2, "{}");
    struct sync_plan_link l = link_of("contact", "123", "Contact", CONT2);

    c.deleted = 1;
    c.merged_into = CONT1;
    set(SYNC_SETTING_DELETE_CONTACT_ON_CONTACT_DELETE, "true");
    in.change = &c;
    in.link = &l;
    plan();
    cr_assert_eq(P.nops, 1);
    const struct sync_plan_op *r = op(SYNC_PLAN_OP_REPOINT_LINK, SYNC_SIDE_NONE);
    cr_assert_str_eq(r->link.sf_id, CONT1);
    cr_assert_str_eq(r->link.hs_id, "123");
    cr_assert_eq(count(SYNC_PLAN_OP_DELETE), 0);
    has("merged into " CONT1 ": link " OLDLINK " re-pointed");
}

Test(planner, hubspot_merge_repoints_the_hubspot_side)
{
    struct sync_plan_record c = hs_rec("contacts", "123", "{}");
    struct sync_plan_link l = link_of("contact", "123", "Contact", CONT1);

    c.deleted = 1;
    c.merged_into = "456";
    in.change = &c;
    in.link = &l;
    plan();
    const struct sync_plan_op *r = op(SYNC_PLAN_OP_REPOINT_LINK, SYNC_SIDE_NONE);
    cr_assert_str_eq(r->link.hs_id, "456");
    cr_assert_str_eq(r->link.sf_id, CONT1);
    has("re-pointed from contact 123 to contact 456");
}

Test(planner, merge_into_a_record_that_already_syncs_is_a_delete)
{
    struct sync_plan_record c = sf_rec("Contact", CONT2, "{}");
    struct sync_plan_link l = link_of("contact", "123", "Contact", CONT2);
    struct sync_plan_link t = link_of("contact", "456", "Contact", CONT1);

    snprintf(t.link_id, sizeof(t.link_id), "L0000000000000000000000bb");
    c.deleted = 1;
    c.merged_into = CONT1;
    in.change = &c;
    in.link = &l;
    in.target_link = &t;
    plan();
    cr_assert_eq(op(SYNC_PLAN_OP_LINK_STATE, SYNC_SIDE_NONE)->link.state, SYNC_PLAN_LINK_DETACHED);
    cr_assert_eq(count(SYNC_PLAN_OP_DELETE), 0);
    set(SYNC_SETTING_DELETE_CONTACT_ON_CONTACT_DELETE, "true");
    plan();
    cr_assert_eq(op(SYNC_PLAN_OP_DELETE, SYNC_SIDE_HUBSPOT)->id[0], '1');
    cr_assert_eq(op(SYNC_PLAN_OP_LINK_STATE, SYNC_SIDE_NONE)->link.state, SYNC_PLAN_LINK_DELETED);
}

struct delete_case {
    const char *name;
    int hs_side;
    const char *object, *kind, *hs_object;
    enum sync_setting setting; /* SYNC_SETTING__COUNT: none */
    int on;
    int want_delete;
};

Test(planner, delete_table)
{
    static const struct delete_case cases[] = {
        {"lead, default", 0, "Lead", "contact", "contacts", SYNC_SETTING__COUNT, 0, 0},
        {"lead, on", 0, "Lead", "contact", "contacts", SYNC_SETTING_DELETE_CONTACT_ON_LEAD_DELETE,
         1, 1},
        {"contact, lead setting on only", 0, "Contact", "contact", "contacts",
         SYNC_SETTING_DELETE_CONTACT_ON_LEAD_DELETE, 1, 0},
        {"contact, on", 0, "Contact", "contact", "contacts",
         SYNC_SETTING_DELETE_CONTACT_ON_CONTACT_DELETE, 1, 1},
        {"account, default", 0, "Account", "company", "companies", SYNC_SETTING__COUNT, 0, 0},
        {"account, on", 0, "Account", "company", "companies",
         SYNC_SETTING_DELETE_COMPANY_ON_ACCOUNT_DELETE, 1, 1},
        {"opportunity, on", 0, "Opportunity", "deal", "deals",
         SYNC_SETTING_DELETE_DEAL_ON_OPPORTUNITY_DELETE, 1, 1},
        {"hubspot contact, every setting on", 1, "contacts", "contact", "contacts",
         SYNC_SETTING_DELETE_CONTACT_ON_CONTACT_DELETE, 1, 0},
        {"hubspot deal", 1, "deals", "deal", "deals",
         SYNC_SETTING_DELETE_DEAL_ON_OPPORTUNITY_DELETE, 1, 0},
        {"hubspot company", 1, "companies", "company", "companies", SYNC_SETTING__COUNT, 0, 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sync_plan_record c = cases[i].hs_side ? hs_rec(cases[i].object, "77", "{}")
                                                     : sf_rec(cases[i].object, CONT1, "{}");
        struct sync_plan_link l =
            link_of(cases[i].kind, "77", cases[i].hs_side ? "Contact" : cases[i].object, CONT1);
        sync_settings_release(&S);
        sync_settings_init(&S);
        if (cases[i].setting != SYNC_SETTING__COUNT)
            set(cases[i].setting, cases[i].on ? "true" : "false");
        c.deleted = 1;
        in.change = &c;
        in.link = &l;
        plan();
        const struct sync_plan_op *s = op(SYNC_PLAN_OP_LINK_STATE, SYNC_SIDE_NONE);
        if (cases[i].want_delete) {
            const struct sync_plan_op *d = op(SYNC_PLAN_OP_DELETE, SYNC_SIDE_HUBSPOT);
            cr_assert_str_eq(d->object, cases[i].hs_object, "%s", cases[i].name);
            cr_assert_str_eq(d->id, "77", "%s", cases[i].name);
            cr_assert_eq(s->link.state, SYNC_PLAN_LINK_DELETED, "%s", cases[i].name);
        } else {
            cr_assert_eq(count(SYNC_PLAN_OP_DELETE), 0, "%s:\n%s", cases[i].name, tr());
            cr_assert_eq(s->link.state, SYNC_PLAN_LINK_DETACHED, "%s", cases[i].name);
        }
    }
}

Test(planner, a_propagated_delete_echo_leaves_the_link_deleted)
{
    struct sync_plan_record c = hs_rec("contacts", "77", "{}");
    struct sync_plan_link l = link_of("contact", "77", "Contact", CONT1);

    /* the HubSpot archive that a Salesforce delete caused, captured afterwards */
    c.deleted = 1;
    l.state = SYNC_PLAN_LINK_DELETED;
    in.change = &c;
    in.link = &l;
    plan();
    cr_assert_eq(P.nops, 0, "%s", tr());
    cr_assert_str_eq(P.action, "skip");
    has("contact 77: deleted in HubSpot; link " OLDLINK " is already deleted, so nothing more "
        "happens");
    /* a detached link stays detached when the other record goes too, whatever the settings */
    set(SYNC_SETTING_DELETE_CONTACT_ON_CONTACT_DELETE, "true");
    c = sf_rec("Contact", CONT1, "{}");
    c.deleted = 1;
    l.state = SYNC_PLAN_LINK_DETACHED;
    plan();
    cr_assert_eq(P.nops, 0, "%s", tr());
    cr_assert_eq(count(SYNC_PLAN_OP_DELETE), 0);
}

Test(planner, delete_traces_say_which_setting_decided)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, "{}");
    struct sync_plan_link l = link_of("contact", "123", "Lead", LEAD1);

    c.deleted = 1;
    in.change = &c;
    in.link = &l;
    plan();
    has("deleted in Salesforce; delete_contact_on_lead_delete is off, so HubSpot contact 123 stays "
        "and the link is detached");
    set(SYNC_SETTING_DELETE_CONTACT_ON_LEAD_DELETE, "true");
    plan();
    has("delete_contact_on_lead_delete is on, so HubSpot contact 123 is deleted too");
    struct sync_plan_record h = hs_rec("contacts", "123", "{}");
    h.deleted = 1;
    in.change = &h;
    plan();
    has("deleted in HubSpot; HubSpot deletes are not propagated, so Salesforce Lead " LEAD1
        " stays and the link is detached");
}

Test(planner, an_unlinked_delete_does_nothing)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, "{}");

    c.deleted = 1;
    set(SYNC_SETTING_DELETE_CONTACT_ON_LEAD_DELETE, "true");
    in.change = &c;
    plan();
    cr_assert_eq(P.nops, 0);
}

/* ---- contact company association ---- */

Test(planner, a_salesforce_contact_gets_the_account_of_the_hubspot_company)
{
    struct sync_plan_record c =
        hs_rec("contacts", "123", "{\"email\":\"a@x.co\",\"lastname\":\"L\"}");

    set(SYNC_SETTING_NEW_RECORD_TYPE, "contact");
    c.has_assoc = 1;
    c.company = (struct sync_plan_assoc){"55", "Account", ACC1, NULL};
    in.change = &c;
    plan();
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE), "AccountId"), ACC1);
    cr_assert_eq(ledger_op("assoc:company")->target, SYNC_SIDE_SALESFORCE);
}

Test(planner, a_new_hubspot_contact_joins_the_company_of_its_account)
{
    struct sync_plan_record c =
        sf_rec("Contact", CONT1, "{\"Email\":\"a@x.co\",\"LastName\":\"L\"}");

    c.has_assoc = 1;
    c.company = (struct sync_plan_assoc){ACC1, "companies", "55", NULL};
    in.change = &c;
    plan();
    const struct sync_plan_op *a = op(SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(a->object, "contacts");
    cr_assert_str_eq(a->id, "");
    cr_assert_str_eq(a->link_id, NEWLINK);
    cr_assert_str_eq(a->to_object, "companies");
    cr_assert_str_eq(a->to_id, "55");
}

/* ---- companies ---- */

static struct sync_match_person person(const char *hs_id, const char *sf_object, const char *sf_id,
                                       const char *account, const char *company)
{
    struct sync_match_person p = {hs_id, sf_object, sf_id, account, company, 1};
    return p;
}

Test(planner, company_without_contacts_creates_no_account)
{
    struct sync_plan_record c = hs_rec("companies", "55", "{\"name\":\"X Co\"}");

    in.change = &c;
    plan();
    cr_assert_eq(P.nops, 0);
    has("company 55: no Salesforce account is created: the company has no associated contacts");
}

Test(planner, company_creation_rules_table)
{
    static const struct {
        const char *name;
        struct sync_match_person p[2];
        size_t n;
        int contact_type, want;
        const char *trace;
    } cases[] = {
        {"all leads",
         {{"1", "Lead", LEAD1, NULL, "55", 1}, {"2", "Lead", LEAD2, NULL, "55", 1}},
         2,
         0,
         0,
         "all its contacts sync to Salesforce leads"},
        {"unpaired, new record type lead",
         {{"1", NULL, NULL, NULL, "55", 1}},
         1,
         0,
         0,
         "all its contacts sync to Salesforce leads"},
        {"private salesforce contact",
         {{"1", "Lead", LEAD1, NULL, "55", 1}, {"2", "Contact", CONT1, NULL, "55", 1}},
         2,
         0,
         1,
         "contact 2 syncs with Salesforce contact " CONT1 ", which has no account"},
        {"unpaired, new record type contact",
         {{"1", NULL, NULL, NULL, "55", 1}},
         1,
         1,
         1,
         "will be created as a Salesforce contact"},
        {"none qualifies",
         {{"1", "Contact", CONT1, NULL, "55", 0}},
         1,
         0,
         0,
         "none of its contacts qualifies for the inclusion list"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sync_plan_record c = hs_rec("companies", "55", "{\"name\":\"X Co\"}");
        set(SYNC_SETTING_NEW_RECORD_TYPE, cases[i].contact_type ? "contact" : "lead");
        in.change = &c;
        in.people = cases[i].p;
        in.npeople = cases[i].n;
        plan();
        cr_assert_eq(count(SYNC_PLAN_OP_CREATE), (size_t)cases[i].want, "%s:\n%s", cases[i].name,
                     tr());
        cr_assert(sync_trace_contains(&P.trace, cases[i].trace), "%s:\n%s", cases[i].name, tr());
    }
}

Test(planner, a_new_account_takes_in_the_private_contacts)
{
    struct sync_plan_record c = hs_rec("companies", "55", "{\"name\":\"X Co\"}");
    struct sync_match_person p[2] = {person("1", "Contact", CONT1, NULL, "55"),
                                     person("2", "Lead", LEAD1, NULL, "55")};

    in.change = &c;
    in.people = p;
    in.npeople = 2;
    plan();
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(w->object, "Account");
    cr_assert_str_eq(fstr(w, "Name"), "X Co");
    const struct sync_plan_op *a = op(SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(a->object, "Contact");
    cr_assert_str_eq(a->id, CONT1);
    cr_assert_str_eq(a->to_object, "Account");
    cr_assert_str_eq(a->to_link_id, NEWLINK);
    cr_assert_str_eq(a->via, "AccountId");
    cr_assert_eq(count(SYNC_PLAN_OP_ASSOCIATE), 1);
}

Test(planner, account_without_a_name_is_not_created)
{
    struct sync_plan_record c = hs_rec("companies", "55", "{\"name\":\"\"}");
    struct sync_match_person p = person("1", "Contact", CONT1, NULL, "55");

    in.change = &c;
    in.people = &p;
    in.npeople = 1;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0);
    cr_assert_eq(count(SYNC_PLAN_OP_ASSOCIATE), 0);
    cr_assert_str_eq(op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT)->message,
                     "required field missing: Name (a Salesforce Account needs it)");
}

Test(planner, company_matches_the_account_most_contacts_share)
{
    struct sync_plan_record c = hs_rec("companies", "55", "{\"name\":\"X Co\"}");
    struct sync_plan_record acc2 = sf_rec("Account", ACC2, "{\"Name\":\"X Company\"}");
    struct sync_match_person p[3] = {person("1", "Contact", CONT1, ACC1, "55"),
                                     person("2", "Contact", CONT2, ACC2, "55"),
                                     person("3", "Contact", "003000000000003AAA", ACC2, "55")};
    struct sync_match_candidate m[2] = {cand("Account", ACC1, NULL, T0 - 100, T0),
                                        cand("Account", ACC2, NULL, T0, T0)};

    m[1].record = &acc2;
    in.change = &c;
    in.people = p;
    in.npeople = 3;
    in.candidates = m;
    in.ncandidates = 2;
    plan();
    cr_assert_str_eq(op(SYNC_PLAN_OP_BIND_LINK, SYNC_SIDE_NONE)->link.sf_id, ACC2);
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0);
    has("company 55: matched Salesforce account " ACC2 " through 2 associated contacts (never by "
        "domain)");
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT), "name"), "X Company");
}

Test(planner, new_account_creates_a_company_and_gathers_its_contacts)
{
    struct sync_plan_record c = sf_rec("Account", ACC1, "{\"Name\":\"X Co\",\"Website\":\"x.co\"}");
    struct sync_match_person p[2] = {person("1", "Contact", CONT1, ACC1, NULL),
                                     person("2", "Contact", CONT2, ACC1, "77")};

    in.change = &c;
    in.people = p;
    in.npeople = 2;
    plan();
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(w->object, "companies");
    cr_assert_str_eq(fstr(w, "name"), "X Co");
    const struct sync_plan_op *a = op(SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(a->id, "1");
    cr_assert_str_eq(a->to_link_id, NEWLINK);
    cr_assert_eq(count(SYNC_PLAN_OP_ASSOCIATE), 1);
    has("every new Salesforce account creates a HubSpot company");
}

Test(planner, new_account_matches_the_company_of_its_contacts)
{
    struct sync_plan_record c = sf_rec("Account", ACC1, "{\"Name\":\"X Co\"}");
    struct sync_plan_record co = hs_rec("companies", "55", "{\"name\":\"X Co\"}");
    struct sync_match_person p = person("1", "Contact", CONT1, ACC1, "55");
    struct sync_match_candidate m = cand("companies", "55", NULL, T0, T0);

    m.record = &co;
    in.change = &c;
    in.people = &p;
    in.npeople = 1;
    in.candidates = &m;
    in.ncandidates = 1;
    plan();
    const struct sync_plan_op *b = op(SYNC_PLAN_OP_BIND_LINK, SYNC_SIDE_NONE);
    cr_assert_str_eq(b->link.hs_id, "55");
    cr_assert_str_eq(b->link.sf_id, ACC1);
    cr_assert_str_eq(b->link.kind, "company");
    has("matched HubSpot company 55 through 1 associated contact");
}

/* ---- deals ---- */

#define DEAL                                                                                       \
    "{\"dealname\":\"Big\",\"amount\":\"1200\",\"closedate\":\"2024-05-01T00:00:00Z\","            \
    "\"pipeline\":\"default\",\"dealstage\":\"appointmentscheduled\",\"hubspot_owner_id\":"        \
    "\"102\"}"

Test(planner, new_deal_always_creates_an_opportunity)
{
    struct sync_plan_record d = hs_rec("deals", "7", DEAL);

    in.change = &d;
    plan();
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(w->object, "Opportunity");
    cr_assert_str_eq(fstr(w, "Name"), "Big");
    cr_assert_str_eq(fstr(w, "StageName"), "Prospecting");
    cr_assert_str_eq(fstr(w, "RecordTypeId"), RT1);
    cr_assert_str_eq(fstr(w, "CloseDate"), "2024-05-01");
    cr_assert_str_eq(fstr(w, "OwnerId"), USER_BOB);
    cr_assert(json_number_value(json_object_get(w->fields, "Amount")) == 1200.0);
    cr_assert_eq(w->flags & SYNC_PLAN_F_ASSIGN_RULES, 0);
    cr_assert_str_eq(ledger_op("dealstage")->value, "appointmentscheduled");
    cr_assert_str_eq(ledger_op("pipeline")->value, "default");
    has("deal 7: deals are never deduplicated: a new deal always creates a new opportunity");
}

Test(planner, a_deal_without_close_date_is_a_required_field_error)
{
    struct sync_plan_record d =
        hs_rec("deals", "7",
               "{\"dealname\":\"Big\",\"pipeline\":\"default\",\"dealstage\":"
               "\"appointmentscheduled\"}");

    in.change = &d;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0);
    const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT);
    cr_assert_eq(e->category, SYNC_PLAN_ERR_REQUIRED_FIELD);
    cr_assert(strncmp(e->message, "required field missing: CloseDate", 33) == 0, "%s", e->message);
}

Test(planner, unmapped_pipeline_or_stage_is_an_error_never_a_fallback)
{
    static const char *const bad[] = {
        "{\"dealname\":\"B\",\"closedate\":\"2024-05-01\",\"pipeline\":\"nope\",\"dealstage\":"
        "\"appointmentscheduled\"}",
        "{\"dealname\":\"B\",\"closedate\":\"2024-05-01\",\"pipeline\":\"default\",\"dealstage\":"
        "\"p2s1\"}",
    };
    static const char *const want[] = {
        "pipeline not mapped: pipeline nope has no Salesforce record type, so the deal does not "
        "sync",
        "stage not mapped: deal stage p2s1 of pipeline default has no Salesforce stage, so the "
        "deal does not sync",
    };

    for (size_t i = 0; i < 2; i++) {
        struct sync_plan_record d = hs_rec("deals", "7", bad[i]);
        in.change = &d;
        plan();
        cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0);
        const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT);
        cr_assert_eq(e->category, SYNC_PLAN_ERR_MAPPING);
        cr_assert_str_eq(e->message, want[i]);
    }
    struct sync_plan_record o =
        sf_rec("Opportunity", OPP1,
               "{\"Name\":\"B\",\"StageName\":\"Negotiation\",\"RecordTypeId\":\"" RT1 "\"}");
    in.change = &o;
    plan();
    cr_assert_str_eq(op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_SALESFORCE)->message,
                     "stage not mapped: stage \"Negotiation\" of record type " RT1
                     " has no HubSpot deal stage, so the deal is not synced");
    struct sync_plan_record o2 =
        sf_rec("Opportunity", OPP1, "{\"Name\":\"B\",\"StageName\":\"Prospecting\"}");
    in.change = &o2;
    plan();
    cr_assert_str_eq(op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_SALESFORCE)->message,
                     "pipeline not mapped: the opportunity process of opportunity record type "
                     "(none) has no HubSpot pipeline, so the deal is not synced");
}

Test(planner, a_fixed_stage_clears_the_mapping_error)
{
    struct sync_plan_record d = hs_rec("deals", "7", DEAL);
    const char *open[] = {"mapping"};

    in.change = &d;
    in.open_errors = open;
    in.nopen_errors = 1;
    plan();
    cr_assert_eq(op(SYNC_PLAN_OP_CLEAR_ERROR, SYNC_SIDE_HUBSPOT)->category, SYNC_PLAN_ERR_MAPPING);
}

Test(planner, new_opportunity_creates_a_deal_in_the_record_types_pipeline)
{
    struct sync_plan_record o =
        sf_rec("Opportunity", OPP1,
               "{\"Name\":\"Big\",\"StageName\":\"Prospecting\",\"RecordTypeId\":\"" RT2
               "\",\"CloseDate\":\"2024-05-01\",\"Amount\":99.5,\"OwnerId\":\"" USER_ZED "\"}");

    in.change = &o;
    plan();
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(w->object, "deals");
    cr_assert_str_eq(fstr(w, "pipeline"), "p2");
    cr_assert_str_eq(fstr(w, "dealstage"), "p2s1");
    cr_assert_str_eq(fstr(w, "dealname"), "Big");
    cr_assert_str_eq(fstr(w, "amount"), "99.5");
    cr_assert_null(json_object_get(w->fields, "hubspot_owner_id"));
}

Test(planner, deal_company_becomes_the_account_or_waits_for_it)
{
    struct sync_plan_record d = hs_rec("deals", "7", DEAL);

    d.has_assoc = 1;
    d.company = (struct sync_plan_assoc){"55", "Account", ACC1, NULL};
    in.change = &d;
    plan();
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE), "AccountId"), ACC1);
    cr_assert_eq(count(SYNC_PLAN_OP_RECORD_ERROR), 0);
    /* the company has no account yet: created without one, and an error that retries */
    d.company.other_id = NULL;
    plan();
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE);
    cr_assert_null(json_object_get(w->fields, "AccountId"));
    const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT);
    cr_assert_eq(e->category, SYNC_PLAN_ERR_ASSOCIATIONS);
    cr_assert(e->flags & SYNC_PLAN_F_RETRY);
    cr_assert_str_eq(e->message,
                     "waiting for account to sync: company 55 has no Salesforce account yet");
}

Test(planner, deal_contacts_become_contact_roles)
{
    struct sync_plan_record d = hs_rec("deals", "7", DEAL);
    struct sync_plan_assoc cs[3] = {
        {"1", "Contact", CONT1, NULL}, {"2", "Lead", LEAD1, NULL}, {"3", NULL, NULL, NULL}};

    d.has_assoc = 1;
    d.contacts = cs;
    d.ncontacts = 3;
    in.change = &d;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_ASSOCIATE), 1, "%s", tr());
    const struct sync_plan_op *a = op(SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(a->object, "Opportunity");
    cr_assert_str_eq(a->id, "");
    cr_assert_str_eq(a->link_id, NEWLINK);
    cr_assert_str_eq(a->to_object, "Contact");
    cr_assert_str_eq(a->to_id, CONT1);
    cr_assert_str_eq(a->via, "OpportunityContactRole");
    has("contact 2 syncs with a Salesforce lead; only contacts can be contact roles");
    has("contact 3 has not synced to Salesforce yet");
}

static void linked_deal(struct sync_plan_record *d, struct sync_plan_record *o,
                        struct sync_plan_link *l, const char *stage)
{
    static struct sync_plan_ledger led[] = {
        {"dealname", "Big"},         {"pipeline", "default"}, {"dealstage", "appointmentscheduled"},
        {"closedate", "2024-05-01"}, {"amount", "1200"},      {"hubspot_owner_id", "102"}};
    char buf[512];

    *d = hs_rec("deals", "7", DEAL);
    snprintf(buf, sizeof(buf),
             "{\"Name\":\"Big\",\"StageName\":\"%s\",\"RecordTypeId\":\"" RT1
             "\",\"CloseDate\":\"2024-05-01\",\"Amount\":1200,\"OwnerId\":\"" USER_BOB "\"}",
             stage);
    *o = sf_rec("Opportunity", OPP1, buf);
    *l = link_of("deal", "7", "Opportunity", OPP1);
    in.link = l;
    in.ledger = led;
    in.nledger = sizeof(led) / sizeof(led[0]);
}

Test(planner, a_salesforce_stage_change_moves_the_deal_stage)
{
    struct sync_plan_record d, o;
    struct sync_plan_link l;

    linked_deal(&d, &o, &l, "Closed Won");
    in.change = &o;
    in.other = &d;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 1, "%s", tr());
    const struct sync_plan_op *u = op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(fstr(u, "dealstage"), "closedwon");
    cr_assert_eq(json_object_size(u->fields), 1);
    has("field dealstage: rule Prefer Salesforce unless blank: Salesforce has a value, and it "
        "wins; "
        "HubSpot set to \"closedwon\"");
    /* echo */
    linked_deal(&d, &o, &l, "Prospecting");
    in.change = &o;
    in.other = &d;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0, "%s", tr());
}

Test(planner, opportunity_contact_roles_join_the_deal_and_transition_lifecycles)
{
    struct sync_plan_record d, o;
    struct sync_plan_link l;
    struct sync_plan_assoc roles[3] = {{CONT1, "contacts", "1", "lead"},
                                       {CONT2, "contacts", "2", "customer"},
                                       {"003000000000003AAA", NULL, NULL, NULL}};
    struct sync_plan_assoc hc[1] = {{"2", "Contact", CONT2, "customer"}};

    linked_deal(&d, &o, &l, "Closed Won");
    o.has_assoc = d.has_assoc = 1;
    o.contacts = roles;
    o.ncontacts = 3;
    d.contacts = hc;
    d.ncontacts = 1;
    in.change = &o;
    in.other = &d;
    plan();
    const struct sync_plan_op *a = op(SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(a->object, "deals");
    cr_assert_str_eq(a->id, "7");
    cr_assert_str_eq(a->to_object, "contacts");
    cr_assert_str_eq(a->to_id, "1");
    cr_assert_eq(count(SYNC_PLAN_OP_ASSOCIATE), 1);
    /* contact 1 moves to customer; contact 2 is already there */
    size_t lifecycle = 0;
    for (size_t i = 0; i < P.nops; i++)
        if (P.ops[i].kind == SYNC_PLAN_OP_UPDATE && !strcmp(P.ops[i].object, "contacts")) {
            lifecycle++;
            cr_assert_str_eq(P.ops[i].id, "1");
            cr_assert_str_eq(fstr(&P.ops[i], "lifecyclestage"), "customer");
        }
    cr_assert_eq(lifecycle, 1);
    has("lifecycle transitions on: HubSpot contact 1 moves from lead to customer (the opportunity "
        "is Closed Won)");
    set(SYNC_SETTING_LIFECYCLE_TRANSITIONS, "false");
    plan();
    for (size_t i = 0; i < P.nops; i++)
        cr_assert(!(P.ops[i].kind == SYNC_PLAN_OP_UPDATE && !strcmp(P.ops[i].object, "contacts")));
}

Test(planner, an_open_opportunity_moves_contacts_to_opportunity_never_backwards)
{
    struct sync_plan_record d, o;
    struct sync_plan_link l;
    struct sync_plan_assoc roles[3] = {{CONT1, "contacts", "1", "salesqualifiedlead"},
                                       {CONT2, "contacts", "2", "customer"},
                                       {"003000000000003AAA", "contacts", "3", "partner"}};
    struct sync_plan_assoc hc[3] = {{"1", "Contact", CONT1, NULL},
                                    {"2", "Contact", CONT2, NULL},
                                    {"3", "Contact", "003000000000003AAA", NULL}};

    linked_deal(&d, &o, &l, "Prospecting");
    o.has_assoc = d.has_assoc = 1;
    o.contacts = roles;
    o.ncontacts = 3;
    d.contacts = hc;
    d.ncontacts = 3;
    in.change = &o;
    in.other = &d;
    plan();
    const struct sync_plan_op *u = op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(u->id, "1");
    cr_assert_str_eq(fstr(u, "lifecyclestage"), "opportunity");
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 1);
    has("HubSpot contact 3: lifecycle stage not in the default order; no transition");
}

Test(planner, a_deal_company_change_in_hubspot_moves_the_account)
{
    struct sync_plan_record d, o;
    struct sync_plan_link l;
    struct sync_plan_ledger led[2] = {{"dealname", "Big"}, {"assoc:company", ACC1}};

    linked_deal(&d, &o, &l, "Prospecting");
    in.ledger = led;
    in.nledger = 2;
    d.has_assoc = o.has_assoc = 1;
    d.company = (struct sync_plan_assoc){"56", "Account", ACC2, NULL};
    o.company = (struct sync_plan_assoc){ACC1, "companies", "55", NULL};
    in.change = &d;
    in.other = &o;
    plan();
    const struct sync_plan_op *u = op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_SALESFORCE);
    cr_assert_str_eq(fstr(u, "AccountId"), ACC2);
    has("company association: changed in HubSpot only; the change flows to Salesforce; Salesforce "
        "AccountId set to " ACC2);
    /* and the other way */
    d.company = (struct sync_plan_assoc){"55", "Account", ACC1, NULL};
    o.company = (struct sync_plan_assoc){ACC2, "companies", "56", NULL};
    in.change = &o;
    in.other = &d;
    plan();
    const struct sync_plan_op *a = op(SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(a->to_id, "56");
    cr_assert_str_eq(a->remove_id, "55");
}

Test(planner, trace_is_bounded)
{
    struct sync_plan_record c = hs_rec("contacts", "123", ADA);
    struct sync_match_candidate m[300];

    for (size_t i = 0; i < 300; i++)
        m[i] = cand("Lead", LEAD1, "other@x.co", T0, T0);
    in.change = &c;
    in.candidates = m;
    in.ncandidates = 300;
    plan();
    cr_assert_leq(P.trace.n, SYNC_TRACE_DEFAULT_LINES);
    cr_assert_gt(P.trace.dropped, 0);
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 1);
}

Test(planner, a_created_record_seen_before_its_result_links_up)
{
    struct sync_plan_record c = sf_rec("Lead", LEAD1, ADA_LEAD);
    struct sync_plan_record h = hs_rec("contacts", "123", ADA);
    struct sync_plan_link l = link_of("contact", "123", "Lead", LEAD1);

    l.state = SYNC_PLAN_LINK_PENDING_CREATE;
    in.change = &c;
    in.link = &l;
    in.other = &h;
    plan();
    const struct sync_plan_op *r = op(SYNC_PLAN_OP_REPOINT_LINK, SYNC_SIDE_NONE);
    cr_assert_eq(r->link.state, SYNC_PLAN_LINK_LINKED);
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0);
    has("both records of link " OLDLINK " exist: the link is LINKED");
}

Test(planner, a_hubspot_edit_on_a_converted_lead_follows_the_conversion)
{
    struct linked x;

    linked_pair(&x, ADA, ADA_LEAD);
    x.sf.converted = 1;
    x.sf.converted_contact_id = CONT1;
    in.change = &x.hs;
    in.other = &x.sf;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0, "no write to a converted lead:\n%s", tr());
    cr_assert_str_eq(op(SYNC_PLAN_OP_REPOINT_LINK, SYNC_SIDE_NONE)->link.sf_id, CONT1);
    has("its Salesforce lead was converted: link " OLDLINK " re-pointed from Lead " LEAD1
        " to Contact " CONT1);
}

/* ---- Salesforce state and country picklists ---- */

static const struct sync_plan_geo_country geo_countries[] = {
    {"US", "United States"}, {"UY", "Uruguay"}, {"GB", "United Kingdom"}};
static const struct sync_plan_geo_state geo_states[] = {
    {"CA", "California", "US"}, {"FL", "Florida", "US"}, {"FD", "Florida", "UY"}};
static const struct sync_plan_geo geo = {geo_countries, 3, geo_states, 3};

static const struct sync_plan_op *create_with_address(const char *state, const char *country)
{
    static char props[512];
    static struct sync_plan_record c;

    snprintf(props, sizeof(props),
             "{\"email\":\"ada@x.co\",\"lastname\":\"Lovelace\",\"company\":\"X Co\""
             "%s%s%s%s%s%s}",
             state ? ",\"state\":\"" : "", state ? state : "", state ? "\"" : "",
             country ? ",\"country\":\"" : "", country ? country : "", country ? "\"" : "");
    c = hs_rec("contacts", "123", props);
    in.change = &c;
    in.geo = &geo;
    plan();
    return op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE);
}

Test(planner, with_the_picklists_on_a_state_goes_as_its_code_with_its_country)
{
    const struct sync_plan_op *w = create_with_address("Florida", "Uruguay");
    cr_assert_str_eq(fstr(w, "StateCode"), "FD", "the state of the country given");
    cr_assert_str_eq(fstr(w, "CountryCode"), "UY");
    cr_assert_null(json_object_get(w->fields, "State"));
    cr_assert_null(json_object_get(w->fields, "Country"));
    cr_assert_str_eq(ledger_op("state")->value, "Florida", "the ledger keeps HubSpot's text");
    w = create_with_address("ca", "us");
    cr_assert_str_eq(fstr(w, "StateCode"), "CA");
    cr_assert_str_eq(fstr(w, "CountryCode"), "US");
    cr_assert_eq(count(SYNC_PLAN_OP_RECORD_ERROR), 0, "%s", tr());
}

Test(planner, with_the_picklists_on_a_value_outside_them_is_a_picklist_error_on_that_field)
{
    const struct sync_plan_op *w = create_with_address("California", "Uruguay");
    const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT);
    cr_assert_eq(e->category, SYNC_PLAN_ERR_PICKLIST);
    cr_assert_str_eq(e->message,
                     "State: state \"California\" is not a state of UY in Salesforce's state "
                     "picklist");
    cr_assert_null(json_object_get(w->fields, "StateCode"));
    cr_assert_str_eq(fstr(w, "CountryCode"), "UY", "the country still goes");
    cr_assert_str_eq(fstr(w, "LastName"), "Lovelace", "and the rest of the record");
    cr_assert_null(ledger_op("state"));
    w = create_with_address(NULL, "Atlantis");
    cr_assert_str_eq(op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT)->message,
                     "Country: country \"Atlantis\" is not in Salesforce's country picklist");
    create_with_address("Florida", NULL);
    cr_assert_str_eq(op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT)->message,
                     "State: state \"Florida\" needs a country: Salesforce's state picklist "
                     "depends on it");
}

Test(planner, with_the_picklists_on_an_org_without_them_is_told_so)
{
    static const struct sync_plan_geo none = {NULL, 0, NULL, 0};
    struct sync_plan_record c =
        hs_rec("contacts", "123",
               "{\"email\":\"ada@x.co\",\"lastname\":\"L\",\"company\":\"X\",\"country\":\"US\"}");

    in.change = &c;
    in.geo = &none;
    plan();
    cr_assert(strstr(op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT)->message,
                     "has no CountryCode field"),
              "%s", tr());
    in.geo = NULL; /* the setting off: free text */
    plan();
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE), "Country"), "US");
}

/* ---- tickets ---- */

#define CASE1 "500000000000001AAA"

static const struct sync_plan_stage ticket_items[] = {
    {"0", RT1, "1", "New", 0, 0},
    {"0", RT1, "4", "Closed", 1, 0},
};
static const struct sync_plan_stage_map ticket_stages = {ticket_items, 2};

Test(planner, one_way_a_ticket_moved_to_an_unmapped_status_is_moved_back_by_its_case)
{
    static const struct sync_plan_ledger agreed[] = {
        {"subject", "Jam"}, {"hs_pipeline", "0"}, {"hs_pipeline_stage", "1"}, {"content", NULL}};
    /* a HubSpot user moved the ticket to status 2, which no case status maps to */
    struct sync_plan_record t =
        hs_rec("tickets", "900",
               "{\"subject\":\"Jam\",\"hs_pipeline\":\"0\",\"hs_pipeline_stage\":\"2\","
               "\"content\":\"\"}");
    struct sync_plan_record c =
        sf_rec("Case", CASE1,
               "{\"Subject\":\"Jam\",\"Status\":\"New\",\"RecordTypeId\":\"" RT1
               "\",\"Description\":\"More\"}");
    struct sync_plan_link l = link_of("ticket", "900", "Case", CASE1);

    set(SYNC_SETTING_TICKET_SYNC, "true");
    in.stages = &ticket_stages;
    in.link = &l;
    in.ledger = agreed;
    in.nledger = sizeof(agreed) / sizeof(agreed[0]);
    in.change = &c;
    in.other = &t;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_RECORD_ERROR), 0, "%s", tr());
    const struct sync_plan_op *w = op(SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT);
    cr_assert_str_eq(fstr(w, "hs_pipeline_stage"), "1", "the case's status wins");
    cr_assert_str_eq(fstr(w, "content"), "More");
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 1, "nothing goes to the case: %s", tr());

    /* two-way, the ticket's status would flow back and has no case status: nothing syncs */
    set(SYNC_SETTING_TICKET_TWO_WAY, "true");
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_UPDATE), 0, "%s", tr());
    const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_SALESFORCE);
    cr_assert_eq(e->category, SYNC_PLAN_ERR_MAPPING);
    cr_assert(strstr(e->message, "ticket status 2 of pipeline 0"), "%s", e->message);
}

Test(planner, a_case_in_an_unmapped_status_neither_creates_nor_moves_its_ticket)
{
    struct sync_plan_record c = sf_rec(
        "Case", CASE1, "{\"Subject\":\"Jam\",\"Status\":\"Working\",\"RecordTypeId\":\"" RT1 "\"}");

    set(SYNC_SETTING_TICKET_SYNC, "true");
    in.stages = &ticket_stages;
    in.change = &c;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0, "%s", tr());
    cr_assert_eq(count(SYNC_PLAN_OP_BIND_LINK), 0);
    const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_SALESFORCE);
    cr_assert_eq(e->category, SYNC_PLAN_ERR_MAPPING);
    cr_assert_str_eq(e->message, "stage not mapped: status \"Working\" of record type " RT1
                                 " has no HubSpot ticket status, so the ticket is not created or "
                                 "moved");
}

/* ---- timeline sync: the task Type ---- */

static const struct sync_field_option task_type_options[] = {
    {"Call", "Call", 1}, {"Email", "Email", 1}, {"Fax", "Fax", 0}, {"Other", "Other", 1}};
static const struct sync_field_def task_type_field = {
    "Type",
    "Type",
    "picklist",
    "xsd:string",
    SYNC_FT_STRING,
    40,
    0,
    4,
    (struct sync_field_option *)task_type_options};

static void note_on_a_synced_lead(const char *task_type)
{
    static int64_t since[SYNC_TIMELINE__COUNT];
    static struct sync_plan_party party;
    static struct sync_plan_record note;

    set(sync_setting_timeline(SYNC_TIMELINE_NOTES, SYNC_TIMELINE_ON), "true");
    set(sync_setting_timeline(SYNC_TIMELINE_NOTES, SYNC_TIMELINE_TASK_TYPE), task_type);
    since[SYNC_TIMELINE_NOTES] = T0 - 5000;
    memset(&party, 0, sizeof(party));
    party.hs_id = "501";
    party.created_at = T0 - 9000;
    party.sf_object = "Lead";
    party.sf_id = LEAD1;
    note = hs_rec("notes", "9001",
                  "{\"hs_note_body\":\"Quote sent\",\"hs_createdate\":\"1700000000000\"}");
    in.change = &note;
    in.parties = &party;
    in.nparties = 1;
    in.timeline_since = since;
    in.task_type_field = &task_type_field;
}

Test(planner, a_timeline_task_type_takes_the_picklists_spelling)
{
    note_on_a_synced_lead("email");
    plan();
    cr_assert_str_eq(fstr(op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE), "Type"), "Email");
    cr_assert_eq(count(SYNC_PLAN_OP_RECORD_ERROR), 0, "%s", tr());
}

Test(planner, a_timeline_task_type_not_in_the_picklist_is_a_retried_picklist_error_and_no_task)
{
    note_on_a_synced_lead("Fax"); /* inactive */
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0, "%s", tr());
    const struct sync_plan_op *e = op(SYNC_PLAN_OP_RECORD_ERROR, SYNC_SIDE_HUBSPOT);
    cr_assert_eq(e->category, SYNC_PLAN_ERR_PICKLIST);
    cr_assert(e->flags & SYNC_PLAN_F_RETRY);
    cr_assert_str_eq(e->message,
                     "timeline_notes_task_type \"Fax\" is not a value of Salesforce's Task Type "
                     "picklist (Call, Email, Other): set it to one of them, or empty for no type; "
                     "the task is made once it is");
}

Test(planner, no_timeline_task_type_writes_no_type_and_needs_no_picklist)
{
    note_on_a_synced_lead("");
    in.task_type_field = NULL;
    plan();
    cr_assert_null(json_object_get(op(SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE)->fields, "Type"));
}

Test(planner, a_timeline_activity_whose_contact_stopped_syncing_resolves_its_waiting_error)
{
    static const char *const open[] = {"associations"};

    note_on_a_synced_lead("");
    in.parties = NULL;
    in.nparties = 0;
    in.open_errors = open;
    in.nopen_errors = 1;
    plan();
    cr_assert_eq(count(SYNC_PLAN_OP_CREATE), 0, "%s", tr());
    const struct sync_plan_op *c = op(SYNC_PLAN_OP_CLEAR_ERROR, SYNC_SIDE_HUBSPOT);
    cr_assert_eq(c->category, SYNC_PLAN_ERR_ASSOCIATIONS);
    has("none of its 0 contacts syncs with Salesforce: no task");
}
