/* Tests emulators/salesforce/schema.c: the embedded default schema, field specs, custom
 * documents and the lookups describe and validation share. */
#include <criterion/criterion.h>
#include <string.h>

#include "emulators/salesforce/schema.h"

static struct sf_schema s;

static void load(void)
{
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_eq(schema_load_default(&s, &err), SYNC_OK, "%s", err.message);
    schema_finish(&s);
}

static void unload(void)
{
    schema_release(&s);
}

TestSuite(schema, .init = load, .fini = unload);

Test(schema, default_schema_has_the_synced_objects_with_their_prefixes)
{
    static const char *const objs[][2] = {{"Lead", "00Q"},
                                          {"Contact", "003"},
                                          {"Account", "001"},
                                          {"Opportunity", "006"},
                                          {"OpportunityContactRole", "00K"},
                                          {"Case", "500"},
                                          {"CaseStatus", "01J"},
                                          {"Task", "00T"},
                                          {"Event", "00U"},
                                          {"Campaign", "701"},
                                          {"CampaignMember", "00v"},
                                          {"User", "005"},
                                          {"RecordType", "012"},
                                          {"BusinessProcess", "019"}};
    for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
        const struct sf_object *o = schema_object(&s, objs[i][0]);
        cr_assert_not_null(o, "%s", objs[i][0]);
        cr_assert_str_eq(o->key_prefix, objs[i][1]);
        cr_assert_not_null(schema_field(o, "Id"));
        cr_assert_not_null(schema_field(o, "SystemModstamp"));
    }
    cr_assert_eq(schema_object(&s, "lead"), schema_object(&s, "Lead"));
    cr_assert_null(schema_object(&s, "Nope"));
}

Test(schema, external_id_field_is_on_the_six_synced_objects)
{
    static const char *const objs[] = {"Lead", "Contact", "Account", "Opportunity", "Case", "Task"};
    for (size_t i = 0; i < 6; i++) {
        const struct sf_field *f = schema_field(schema_object(&s, objs[i]), "crmsync_link_id__c");
        cr_assert_not_null(f, "%s", objs[i]);
        cr_assert_str_eq(f->name, "CrmSync_Link_Id__c");
        cr_assert(f->flags & SF_F_EXTID);
        cr_assert(f->flags & SF_F_CUSTOM);
        cr_assert(f->flags & SF_F_IDLOOKUP);
        cr_assert_eq(f->type, SF_T_STRING);
    }
}

Test(schema, field_specs_set_types_lengths_and_flags)
{
    const struct sf_object *lead = schema_object(&s, "Lead");
    const struct sf_field *last = schema_field(lead, "LastName");
    const struct sf_field *name = schema_field(lead, "Name");
    const struct sf_field *status = schema_field(lead, "Status");
    const struct sf_field *owner = schema_field(lead, "OwnerId");
    cr_assert_eq(last->length, 80);
    cr_assert_str_eq(last->label, "Last Name");
    cr_assert(!schema_field_nillable(last));
    cr_assert(!schema_field_createable(name) && !schema_field_updateable(name));
    cr_assert(status->flags & SF_F_RESTRICTED);
    cr_assert_str_eq(status->default_value, "Open - Not Contacted");
    cr_assert_eq(owner->nrefs, 2);
    cr_assert(owner->flags & SF_F_POLYMORPHIC);
    cr_assert_str_eq(owner->relationship, "Owner");
    cr_assert_eq(schema_relationship(lead, "owner"), owner);
    cr_assert_eq(schema_field(schema_object(&s, "Opportunity"), "Amount")->scale, 2);
    cr_assert(schema_field(schema_object(&s, "Opportunity"), "ExpectedRevenue")->flags &
              SF_F_CALCULATED);
}

Test(schema, child_relationships_come_from_reference_fields)
{
    const struct sf_object *acc = schema_object(&s, "Account");
    const struct sf_child *c = schema_child(acc, "contacts");
    cr_assert_not_null(c);
    cr_assert_str_eq(s.objects[c->child]->name, "Contact");
    cr_assert_str_eq(s.objects[c->child]->fields[c->field].name, "AccountId");
    cr_assert_not_null(schema_child(acc, "Opportunities"));
    cr_assert_not_null(schema_child(acc, "ChildAccounts"));
    cr_assert_not_null(schema_child(schema_object(&s, "Opportunity"), "OpportunityContactRoles"));
}

Test(schema, record_types_point_at_their_processes)
{
    const struct sf_object *opp = schema_object(&s, "Opportunity");
    cr_assert_eq(opp->nrtypes, 2);
    cr_assert_not_null(opp->rtypes[0].process);
    cr_assert_str_eq(opp->rtypes[0].process->field, "StageName");
    cr_assert(opp->rtypes[0].is_default);
    cr_assert_eq(strncmp(opp->rtypes[0].id, "012", 3), 0);
    cr_assert_eq(strncmp(opp->rtypes[0].process->id, "019", 3), 0);
}

Test(schema, custom_documents_add_fields_and_objects)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *doc = json_loads(
        "{\"picklists\":{\"Tier\":[\"Gold\",{\"value\":\"Bronze\",\"default\":true}]},"
        "\"objects\":{\"Contact\":{\"fields\":{\"Tier__c\":\"picklist restricted pick:Tier\","
        "\"Score__c\":{\"type\":\"double\",\"precision\":5,\"scale\":2}}},"
        "\"Widget__c\":{\"keyPrefix\":\"a01\",\"fields\":{\"Name\":\"string(80) required\","
        "\"Contact__c\":\"reference ref:Contact\"}}}}",
        0, NULL);
    const struct sf_object *w;
    const struct sf_field *tier;
    cr_assert_eq(schema_apply(&s, doc, &err), SYNC_OK, "%s", err.message);
    json_decref(doc);
    tier = schema_field(schema_object(&s, "Contact"), "Tier__c");
    cr_assert_not_null(tier);
    cr_assert_str_eq(tier->default_value, "Bronze");
    cr_assert(tier->flags & SF_F_DEFAULTED);
    cr_assert_eq(schema_field(schema_object(&s, "Contact"), "Score__c")->scale, 2);
    w = schema_object(&s, "Widget__c");
    cr_assert_not_null(w);
    cr_assert(w->custom);
    cr_assert_str_eq(w->key_prefix, "a01");
    cr_assert_str_eq(schema_field(w, "Contact__c")->relationship, "Contact__r");
    cr_assert_eq(schema_object_by_prefix(&s, "a01000000000001"), w);
}

Test(schema, bad_documents_are_refused_with_a_reason)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *doc =
        json_loads("{\"objects\":{\"Lead\":{\"fields\":{\"X__c\":\"strang(10)\"}}}}", 0, NULL);
    cr_assert_neq(schema_apply(&s, doc, &err), SYNC_OK);
    cr_assert_not_null(strstr(err.message, "unknown type"));
    json_decref(doc);
    doc = json_loads("{\"objects\":{\"Thing\":{\"fields\":{}}}}", 0, NULL);
    cr_assert_neq(schema_apply(&s, doc, &err), SYNC_OK);
    cr_assert_not_null(strstr(err.message, "keyPrefix"));
    json_decref(doc);
}
