/*
 * Tests src/engine/record.c: vendor records wrapped as planner records
 * (ids, version stamps, deletes, merges, conversions, the fields the
 * planner reads), the field lists read per object, and which objects the
 * engine syncs.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <strings.h>

#include "connectors/connector.h"
#include "core/json.h"
#include "engine/record.h"

static json_t *parse(const char *text)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *j = sync_json_parse(text, strlen(text), &err);
    cr_assert_not_null(j, "%s", err.message);
    return j;
}

Test(record, a_salesforce_record_takes_its_object_and_stamps_from_the_record)
{
    json_t *j = parse("{\"attributes\":{\"type\":\"Contact\"},\"Id\":\"003Hs000000000aIAA\","
                      "\"SystemModstamp\":\"2024-01-17T19:55:04.000+0000\","
                      "\"CreatedDate\":\"2024-01-16T00:00:00.000+0000\",\"Email\":\"A@b.co\","
                      "\"CrmSync_Link_Id__c\":\"L0123456789abcdef01234567\",\"IsDeleted\":false}");
    struct sync_rec r;

    cr_assert_eq(sync_rec_init(&r, SYNC_SIDE_SALESFORCE, "Lead", j), 0);
    cr_assert_str_eq(r.r.object, "Contact", "attributes.type wins over the object asked for");
    cr_assert_str_eq(r.r.id, "003Hs000000000aIAA");
    cr_assert_eq(r.r.version, 1705521304000LL);
    cr_assert_eq(r.r.created_at, 1705363200000LL);
    cr_assert_eq(r.r.deleted, 0);
    cr_assert_null(r.r.merged_into);
    cr_assert_eq(r.r.fields, j, "the planner reads the record itself");
    cr_assert_str_eq(sync_rec_email(&r.r), "A@b.co");
    cr_assert_str_eq(sync_rec_link_id(&r.r), "L0123456789abcdef01234567");
    json_decref(j); /* the wrapper holds its own reference */
    cr_assert_str_eq(r.r.id, "003Hs000000000aIAA");
    sync_rec_release(&r);
}

Test(record, a_deleted_salesforce_merge_loser_names_its_survivor)
{
    json_t *j = parse("{\"Id\":\"003A\",\"SystemModstamp\":\"2024-01-17T19:55:04.000+0000\","
                      "\"IsDeleted\":true,\"MasterRecordId\":\"003B\"}");
    struct sync_rec r;

    cr_assert_eq(sync_rec_init(&r, SYNC_SIDE_SALESFORCE, "Contact", j), 0);
    cr_assert_str_eq(r.r.object, "Contact");
    cr_assert_eq(r.r.deleted, 1);
    cr_assert_str_eq(r.r.merged_into, "003B");
    sync_rec_release(&r);
    json_decref(j);
}

Test(record, a_live_record_with_a_master_id_is_not_a_merge)
{
    json_t *j = parse("{\"Id\":\"003A\",\"IsDeleted\":false,\"MasterRecordId\":\"003B\"}");
    struct sync_rec r;

    cr_assert_eq(sync_rec_init(&r, SYNC_SIDE_SALESFORCE, "Contact", j), 0);
    cr_assert_null(r.r.merged_into);
    sync_rec_release(&r);
    json_decref(j);
}

Test(record, a_converted_lead_names_what_it_became)
{
    json_t *j = parse("{\"Id\":\"00QA\",\"IsConverted\":true,\"ConvertedContactId\":\"003C\","
                      "\"ConvertedAccountId\":\"001A\",\"ConvertedOpportunityId\":\"\"}");
    struct sync_rec r;

    cr_assert_eq(sync_rec_init(&r, SYNC_SIDE_SALESFORCE, "Lead", j), 0);
    cr_assert_eq(r.r.converted, 1);
    cr_assert_str_eq(r.r.converted_contact_id, "003C");
    cr_assert_str_eq(r.r.converted_account_id, "001A");
    cr_assert_null(r.r.converted_opportunity_id, "blank is none");
    sync_rec_release(&r);
    json_decref(j);
}

Test(record, a_hubspot_contact_is_versioned_by_lastmodifieddate)
{
    json_t *j = parse("{\"id\":\"10000000001\",\"properties\":{\"email\":\"a@b.co\","
                      "\"lastmodifieddate\":\"2024-01-17T19:55:04.123Z\","
                      "\"createdate\":\"2024-01-16T00:00:00.000Z\",\"phone\":null},"
                      "\"updatedAt\":\"2020-01-01T00:00:00Z\",\"archived\":true}");
    struct sync_rec r;

    cr_assert_eq(sync_rec_init(&r, SYNC_SIDE_HUBSPOT, "contacts", j), 0);
    cr_assert_str_eq(r.r.object, "contacts");
    cr_assert_str_eq(r.r.id, "10000000001");
    cr_assert_eq(r.r.version, 1705521304123LL);
    cr_assert_eq(r.r.created_at, 1705363200000LL);
    cr_assert_eq(r.r.deleted, 1, "archived is deleted");
    cr_assert_eq(r.r.fields, json_object_get(j, "properties"));
    cr_assert_str_eq(sync_rec_email(&r.r), "a@b.co");
    cr_assert_null(sync_rec_link_id(&r.r));
    sync_rec_release(&r);
    json_decref(j);
}

Test(record, other_hubspot_objects_use_hs_lastmodifieddate_then_updated_at)
{
    json_t *a = parse("{\"id\":\"1\",\"properties\":{\"hs_lastmodifieddate\":\"1705521304000\"}}");
    json_t *b = parse("{\"id\":\"2\",\"properties\":{},\"updatedAt\":\"2024-01-17T19:55:04Z\"}");
    struct sync_rec r;

    cr_assert_eq(sync_rec_init(&r, SYNC_SIDE_HUBSPOT, "companies", a), 0);
    cr_assert_eq(r.r.version, 1705521304000LL, "epoch milliseconds are read too");
    sync_rec_release(&r);
    cr_assert_eq(sync_rec_init(&r, SYNC_SIDE_HUBSPOT, "deals", b), 0);
    cr_assert_eq(r.r.version, 1705521304000LL);
    sync_rec_release(&r);
    json_decref(a);
    json_decref(b);
}

Test(record, a_record_without_an_id_is_refused)
{
    json_t *j = parse("{\"properties\":{\"email\":\"a@b.co\"}}");
    struct sync_rec r;

    cr_assert_neq(sync_rec_init(&r, SYNC_SIDE_HUBSPOT, "contacts", j), 0);
    sync_rec_release(&r);
    cr_assert_neq(sync_rec_init(&r, SYNC_SIDE_SALESFORCE, "Lead", NULL), 0);
    sync_rec_release(&r);
    json_decref(j);
}

Test(record, a_gone_record_is_deleted_and_has_no_fields)
{
    struct sync_rec r;
    char id[64];

    sync_rec_init_gone(&r, SYNC_SIDE_SALESFORCE, "Lead", "00QX", id, sizeof(id));
    cr_assert_str_eq(r.r.id, "00QX");
    cr_assert_eq(r.r.deleted, 1);
    cr_assert_null(r.r.fields);
    cr_assert_null(sync_rec_email(&r.r));
    sync_rec_release(&r);
}

static int has(const struct sync_fieldset *fs, const char *name)
{
    int n = 0;
    for (size_t i = 0; i < fs->n; i++)
        n += strcasecmp(fs->names[i], name) == 0;
    return n;
}

Test(record, each_object_reads_its_mapped_fields_once_plus_the_keys)
{
    struct sync_mapping_set set;
    struct sync_fieldset lead, contact, hs;

    cr_assert_eq(sync_mapping_set_init(&set), SYNC_OK);
    cr_assert_eq(sync_fieldset_build(&lead, &set, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE, "Lead"),
                 SYNC_OK);
    cr_assert_eq(
        sync_fieldset_build(&contact, &set, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE, "Contact"),
        SYNC_OK);
    cr_assert_eq(sync_fieldset_build(&hs, &set, SYNC_KIND_CONTACT, SYNC_SIDE_HUBSPOT, "contacts"),
                 SYNC_OK);
    cr_assert_null(lead.names[lead.n], "NULL-terminated");
    cr_assert_eq(has(&lead, "Company"), 1);
    cr_assert_eq(has(&lead, "Street"), 1);
    cr_assert_eq(has(&lead, "Email"), 1, "a key and a mapped field, listed once");
    cr_assert_eq(has(&lead, "IsConverted"), 1);
    cr_assert_eq(has(&lead, "ConvertedContactId"), 1);
    cr_assert_eq(has(&lead, "SystemModstamp"), 1);
    cr_assert_eq(has(&lead, "CrmSync_Link_Id__c"), 1);
    cr_assert_eq(has(&contact, "MailingStreet"), 1);
    cr_assert_eq(has(&contact, "Company"), 0, "Lead-only fields are not read on Contact");
    cr_assert_eq(has(&contact, "IsConverted"), 0);
    cr_assert_eq(has(&contact, "AccountId"), 1);
    cr_assert_eq(has(&hs, "email"), 1);
    cr_assert_eq(has(&hs, "lastmodifieddate"), 1);
    cr_assert_eq(has(&hs, "crmsync_link_id"), 1);
    cr_assert_eq(has(&hs, "hubspot_owner_id"), 1);
    cr_assert_eq(has(&hs, "MailingStreet"), 0, "no Salesforce names on the HubSpot side");
    sync_fieldset_release(&lead);
    sync_fieldset_release(&contact);
    sync_fieldset_release(&hs);
    sync_mapping_set_release(&set);
}

Test(record, objects_map_to_their_kind_and_side)
{
    enum sync_kind k;
    enum sync_side s;

    cr_assert_eq(sync_object_kind("hubspot", "contacts", &k, &s), 0);
    cr_assert_eq(k, SYNC_KIND_CONTACT);
    cr_assert_eq(s, SYNC_SIDE_HUBSPOT);
    cr_assert_eq(sync_object_kind("salesforce", "Lead", &k, &s), 0);
    cr_assert_eq(k, SYNC_KIND_CONTACT);
    cr_assert_eq(s, SYNC_SIDE_SALESFORCE);
    cr_assert_eq(sync_object_kind("salesforce", "Opportunity", &k, &s), 0);
    cr_assert_eq(k, SYNC_KIND_DEAL);
    cr_assert_eq(sync_object_kind("hubspot", "companies", &k, &s), 0);
    cr_assert_eq(k, SYNC_KIND_COMPANY);
    cr_assert_eq(sync_object_kind("hubspot", "tickets", &k, &s), 0);
    cr_assert_eq(k, SYNC_KIND_TICKET);
    cr_assert_eq(sync_object_kind("salesforce", "Case", &k, &s), 0);
    cr_assert_eq(k, SYNC_KIND_TICKET);
    cr_assert_eq(sync_object_kind("hubspot", "notes", &k, &s), 0);
    cr_assert_eq(k, SYNC_KIND_TIMELINE);
    cr_assert_eq(sync_object_kind("hubspot", "form_submissions", &k, &s), 0);
    cr_assert_eq(k, SYNC_KIND_TIMELINE);
    cr_assert_neq(sync_object_kind("hubspot", "products", &k, &s), 0);
    cr_assert_neq(sync_object_kind("salesforce", "contacts", &k, &s), 0);
    cr_assert_neq(sync_object_kind("zendesk", "Lead", &k, &s), 0);
}

Test(record, associations_are_unknown_until_given_and_borrow_from_their_json)
{
    json_t *j = parse("{\"id\":\"101\",\"properties\":{\"dealname\":\"D\","
                      "\"hs_lastmodifieddate\":\"2024-01-17T19:55:04.000Z\"}}");
    json_t *a = parse("{\"company\":{\"id\":\"55\",\"other_object\":\"Account\","
                      "\"other_id\":\"001Hs000000000aIAA\"},"
                      "\"contacts\":[{\"id\":\"7\",\"other_object\":\"Contact\",\"other_id\":"
                      "\"003Hs000000000aIAA\"},{\"id\":\"8\"},{\"other_id\":\"x\"}]}");
    struct sync_rec r;

    cr_assert_eq(sync_rec_init(&r, SYNC_SIDE_HUBSPOT, "deals", j), 0);
    cr_assert_eq(r.r.has_assoc, 0, "not read: left alone by the planner");
    cr_assert_eq(sync_rec_assoc(&r, a), 0);
    json_decref(a); /* the record keeps its own reference */
    cr_assert_eq(r.r.has_assoc, 1);
    cr_assert_str_eq(r.r.company.id, "55");
    cr_assert_str_eq(r.r.company.other_id, "001Hs000000000aIAA");
    cr_assert_eq(r.r.ncontacts, 2, "an entry without an id is dropped");
    cr_assert_str_eq(r.r.contacts[0].other_object, "Contact");
    cr_assert_null(r.r.contacts[1].other_id, "a contact not synced yet has no counterpart");
    sync_rec_release(&r);
    json_decref(j);
}

Test(record, no_company_is_a_blank_association)
{
    json_t *j = parse("{\"attributes\":{\"type\":\"Opportunity\"},\"Id\":\"006Hs000000000aIAA\","
                      "\"SystemModstamp\":\"2024-01-17T19:55:04.000+0000\",\"AccountId\":null}");
    json_t *a = parse("{\"contacts\":[]}");
    struct sync_rec r;

    cr_assert_eq(sync_rec_init(&r, SYNC_SIDE_SALESFORCE, "Opportunity", j), 0);
    cr_assert_eq(sync_rec_assoc(&r, a), 0);
    cr_assert_eq(r.r.has_assoc, 1);
    cr_assert_null(r.r.company.id);
    cr_assert_eq(r.r.ncontacts, 0);
    sync_rec_release(&r);
    json_decref(a);
    json_decref(j);
}

Test(record, opportunities_and_deals_read_their_stage_and_association_keys)
{
    struct sync_mapping_set maps;
    struct sync_fieldset fs;
    const char *want_sf[] = {"AccountId", "RecordTypeId", "StageName", "CloseDate"};
    const char *want_hs[] = {"pipeline", "dealstage", "hs_lastmodifieddate"};

    cr_assert_eq(sync_mapping_set_init(&maps), SYNC_OK);
    cr_assert_eq(
        sync_fieldset_build(&fs, &maps, SYNC_KIND_DEAL, SYNC_SIDE_SALESFORCE, "Opportunity"),
        SYNC_OK);
    for (size_t k = 0; k < sizeof(want_sf) / sizeof(want_sf[0]); k++) {
        int hit = 0;
        for (size_t i = 0; i < fs.n; i++)
            hit |= strcasecmp(fs.names[i], want_sf[k]) == 0;
        cr_assert(hit, "Opportunity reads %s", want_sf[k]);
    }
    sync_fieldset_release(&fs);
    cr_assert_eq(sync_fieldset_build(&fs, &maps, SYNC_KIND_DEAL, SYNC_SIDE_HUBSPOT, "deals"),
                 SYNC_OK);
    for (size_t k = 0; k < sizeof(want_hs) / sizeof(want_hs[0]); k++) {
        int hit = 0;
        for (size_t i = 0; i < fs.n; i++)
            hit |= strcmp(fs.names[i], want_hs[k]) == 0;
        cr_assert(hit, "deals read %s", want_hs[k]);
    }
    sync_fieldset_release(&fs);
    sync_mapping_set_release(&maps);
}
