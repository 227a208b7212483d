/* Tests emulators/salesforce/org.c: inserts, copy-on-write updates, external-id indexes,
 * transactions rolled back to a mark, deletes into the recycle bin, purges and the change log. */
#include <criterion/criterion.h>
#include <string.h>

#include "emulators/salesforce/org.h"

static struct sf_org org;
static const struct sf_object *contact;
static const struct sf_field *ext;

static void setup(void)
{
    struct sf_schema s;
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_eq(schema_load_default(&s, &err), SYNC_OK);
    schema_finish(&s);
    cr_assert_eq(org_init(&org, &s), SYNC_OK);
    contact = schema_object(&org.schema, "Contact");
    ext = schema_field(contact, "CrmSync_Link_Id__c");
}

static void teardown(void)
{
    org_release(&org);
}

TestSuite(org, .init = setup, .fini = teardown);

static struct sf_rec *add(struct sf_txn *txn, const char *last, const char *key)
{
    char id[19];
    json_t *d;
    org_new_id(&org, contact, id);
    d = json_pack("{s:s, s:s, s:b, s:s}", "Id", id, "LastName", last, "IsDeleted", 0,
                  "SystemModstamp", "2024-01-01T00:00:00.000+0000");
    if (key)
        json_object_set_new(d, "CrmSync_Link_Id__c", json_string(key));
    return org_insert(&org, txn, contact, d);
}

Test(org, external_ids_are_found_ignoring_case)
{
    struct sf_txn txn;
    json_t *k = json_string("abc-1");
    org_txn_begin(&org, &txn, "crmsync", NULL, "62.0", 1000);
    struct sf_rec *r = add(&txn, "A", "ABC-1");
    org_txn_commit(&org, &txn);
    org_txn_release(&txn);
    const struct sf_recvec *m = org_find_by_field(&org, contact, ext, k);
    cr_assert_not_null(m);
    cr_assert_eq(m->n, 1);
    cr_assert_eq(m->v[0], r);
    cr_assert_eq(org_get(&org, r->id), r);
    json_decref(k);
}

Test(org, rollback_to_a_mark_undoes_later_writes_only)
{
    struct sf_txn txn;
    struct sf_txn_mark mark;
    struct sf_rec *a, *b;
    json_t *d, *k = json_string("k2");
    char bid[19];

    org_txn_begin(&org, &txn, "", NULL, "62.0", 1000);
    a = add(&txn, "A", "k1");
    mark = org_txn_mark(&txn);
    b = add(&txn, "B", "k2");
    memcpy(bid, b->id, sizeof(bid));
    d = json_copy(a->data);
    json_object_set_new(d, "LastName", json_string("A2"));
    org_replace(&org, &txn, a, d);
    org_txn_rollback(&org, &txn, mark);
    org_txn_commit(&org, &txn);
    org_txn_release(&txn);
    cr_assert_null(org_get(&org, bid));
    cr_assert_null(org_find_by_field(&org, contact, ext, k));
    cr_assert_str_eq(json_string_value(json_object_get(a->data, "LastName")), "A");
    cr_assert_eq(org_table(&org, contact)->live, 1);
    json_decref(k);
}

Test(org, change_log_records_client_fields_and_order)
{
    struct sf_txn txn;
    struct sf_rec *a;
    json_t *d, *log, *changes;

    org_txn_begin(&org, &txn, "crmsync", NULL, "62.0", 1000);
    a = add(&txn, "A", NULL);
    d = json_copy(a->data);
    json_object_set_new(d, "Email", json_string("a@b.co"));
    org_replace(&org, &txn, a, d);
    org_delete(&org, &txn, a, NULL);
    org_txn_commit(&org, &txn);
    org_txn_release(&txn);
    log = org_changes_json(&org, 0, 100);
    changes = json_object_get(log, "changes");
    cr_assert_eq(json_array_size(changes), 3);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(changes, 0), "type")),
                     "CREATE");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(changes, 1), "type")),
                     "UPDATE");
    cr_assert_str_eq(
        json_string_value(json_array_get(json_object_get(json_array_get(changes, 1), "fields"), 0)),
        "Email");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(changes, 2), "client")),
                     "crmsync");
    cr_assert_eq(json_integer_value(json_object_get(log, "last")), 3);
    json_decref(log);
    log = org_changes_json(&org, 2, 100);
    cr_assert_eq(json_array_size(json_object_get(log, "changes")), 1);
    json_decref(log);
}

Test(org, deletes_go_to_the_recycle_bin_until_purged)
{
    struct sf_txn txn;
    struct sf_rec *a;
    char id[19];
    org_txn_begin(&org, &txn, "", NULL, "62.0", 5000);
    a = add(&txn, "A", "gone");
    org_delete(&org, &txn, a, "003Hs0000000009IAA");
    org_txn_commit(&org, &txn);
    org_txn_release(&txn);
    memcpy(id, a->id, sizeof(id));
    cr_assert(a->deleted);
    cr_assert(json_is_true(json_object_get(a->data, "IsDeleted")));
    cr_assert_str_eq(json_string_value(json_object_get(a->data, "MasterRecordId")),
                     "003Hs0000000009IAA");
    cr_assert_eq(org_table(&org, contact)->live, 0);
    cr_assert_eq(org_purge_deleted(&org, 4000), 0);
    cr_assert_not_null(org_get(&org, id));
    cr_assert_eq(org_purge_deleted(&org, 6000), 1);
    cr_assert_null(org_get(&org, id));
    cr_assert(org.earliest_deleted >= 6000);
}

Test(org, change_log_keeps_the_last_entries_and_reads_from_any_seq)
{
    struct sf_txn txn;
    struct sf_rec *a;
    json_t *log, *changes;
    const size_t extra = 1000;

    org_txn_begin(&org, &txn, "", NULL, "62.0", 1000);
    a = add(&txn, "A", NULL);
    for (size_t i = 0; i < SF_CHANGES_MAX + extra; i++) {
        json_t *d = json_copy(a->data);
        json_object_set_new(d, "Title", json_integer((json_int_t)i));
        org_replace(&org, &txn, a, d);
    }
    org_txn_commit(&org, &txn);
    org_txn_release(&txn);
    /* CREATE plus SF_CHANGES_MAX + extra updates: the oldest extra + 1 are gone */
    log = org_changes_json(&org, 0, 3);
    changes = json_object_get(log, "changes");
    cr_assert_eq(json_array_size(changes), 3);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(changes, 0), "seq")),
                 (json_int_t)extra + 2);
    cr_assert_eq(json_integer_value(json_object_get(log, "last")),
                 (json_int_t)(SF_CHANGES_MAX + extra + 1));
    json_decref(log);
    log = org_changes_json(&org, 50000, 2);
    changes = json_object_get(log, "changes");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(changes, 0), "seq")), 50001);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(changes, 1), "seq")), 50002);
    json_decref(log);
    log = org_changes_json(&org, SF_CHANGES_MAX + extra + 1, 10);
    cr_assert_eq(json_array_size(json_object_get(log, "changes")), 0, "nothing after the last");
    json_decref(log);
}
