/*
 * Tests the checker (emulators/salesforce/soql_check.c): INVALID_TYPE and INVALID_FIELD with
 * Salesforce's messages, relationship depth, FIELDS(...) expansion and fields that cannot be
 * filtered, against the fake org in soql_fake.h.
 */
#include "soql_fake.h"

TestSuite(soql_check, .init = org_setup, .fini = org_teardown);

Test(soql_check, unknown_object_is_invalid_type)
{
    expect_error("SELECT Id FROM Foo", "INVALID_TYPE",
                 "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type "
                 "'Foo' is not supported.");
}

Test(soql_check, unknown_field_gives_salesforce_exact_message)
{
    expect_error("SELECT Id, Foo__c FROM Lead", "INVALID_FIELD", NULL);
    struct soql_query *q = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    soql_parse("SELECT Id, Foo__c FROM Lead", &cat, &q, &err);
    cr_assert_str_eq(
        err.message,
        "\nSELECT Id, Foo__c FROM Lead\n           ^\nERROR at Row:1:Column:12\nNo such column "
        "'Foo__c' on entity 'Lead'. If you are attempting to use a custom field, be sure to "
        "append the '__c' after the custom field name. Please reference your WSDL or the "
        "describe call for the appropriate names.");
    expect_error("SELECT Id FROM Lead WHERE Nope = 1", "INVALID_FIELD",
                 "No such column 'Nope' on entity 'Lead'");
    expect_error("SELECT Id FROM Lead ORDER BY Nope", "INVALID_FIELD",
                 "No such column 'Nope' on entity 'Lead'");
}

Test(soql_check, paths_go_five_levels_and_no_further)
{
    char *got = project_first("SELECT Name, Manager.Manager.Name, Manager.Manager.Manager.Name "
                              "FROM User WHERE Name = 'Rita Rep'",
                              "v62.0");
    char want[1024];
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"User\",\"url\":\"/services/data/v62.0/sobjects/User/"
             "%s\"},\"Name\":\"Rita Rep\",\"Manager\":{\"attributes\":{\"type\":\"User\",\"url\":"
             "\"/services/data/v62.0/sobjects/User/%s\"},\"Manager\":{\"attributes\":{\"type\":"
             "\"User\",\"url\":\"/services/data/v62.0/sobjects/User/%s\"},\"Name\":\"Bo Boss\","
             "\"Manager\":null}}}",
             user1, manager, boss);
    cr_assert_str_eq(got, want);
    free(got);
    soql_query_free(parse_ok("SELECT Manager.Manager.Manager.Manager.Manager.Name FROM User"));
    expect_error("SELECT Manager.Manager.Manager.Manager.Manager.Manager.Name FROM User",
                 "MALFORMED_QUERY", "5 levels");
    expect_error("SELECT Foo.Name FROM Contact", "INVALID_FIELD",
                 "Didn't understand relationship 'Foo' in field path. If you are attempting to "
                 "use a custom relationship, be sure to append the '__r' after the custom "
                 "relationship name.");
    expect_error("SELECT Account.Nope FROM Contact", "INVALID_FIELD",
                 "No such column 'Nope' on entity 'Account'");
}

Test(soql_check, fields_function_expands_the_catalog)
{
    struct soql_query *q = parse_ok("SELECT FIELDS(ALL) FROM Lead LIMIT 200");
    struct sync_err err = SYNC_ERR_INIT;
    json_t *arr = NULL, *p;
    const char *key;
    json_t *v;
    size_t i = 0;

    cr_assert_eq(soql_execute(q, &rows, 0, now_ms, &arr, &err), SYNC_OK);
    p = soql_project(q, json_array_get(arr, 0), &rows, "62.0");
    cr_assert_eq(json_object_size(p), 19);
    json_object_foreach(p, key, v)
    {
        if (i > 0)
            cr_assert_str_eq(key, schema[i - 1].name);
        i++;
    }
    json_decref(p);
    json_decref(arr);
    soql_query_free(q);

    q = parse_ok("SELECT Id, FIELDS(STANDARD) FROM Lead");
    cr_assert_eq(soql_execute(q, &rows, 0, now_ms, &arr, &err), SYNC_OK);
    p = soql_project(q, json_array_get(arr, 0), &rows, "62.0");
    cr_assert_eq(json_object_size(p), 16);
    cr_assert_null(json_object_get(p, "Score__c"));
    cr_assert_not_null(json_object_get(p, "SystemModstamp"));
    json_decref(p);
    json_decref(arr);
    soql_query_free(q);

    q = parse_ok("SELECT FIELDS(CUSTOM), Score__c, Email FROM Lead LIMIT 5");
    cr_assert_eq(soql_execute(q, &rows, 0, now_ms, &arr, &err), SYNC_OK);
    p = soql_project(q, json_array_get(arr, 0), &rows, "62.0");
    cr_assert_eq(json_object_size(p), 5);
    json_decref(p);
    json_decref(arr);
    soql_query_free(q);

    expect_error("SELECT FIELDS(CUSTOM) FROM Lead", "MALFORMED_QUERY",
                 "The SOQL FIELDS function must have a LIMIT of at most 200");
    expect_error("SELECT FIELDS(ALL) FROM Lead LIMIT 201", "MALFORMED_QUERY", "LIMIT");
    expect_error("SELECT FIELDS(SOME) FROM Lead", "MALFORMED_QUERY", "unexpected token: 'SOME'");
    expect_error("SELECT Id, id FROM Lead", "MALFORMED_QUERY", "duplicate field selected: id");
}

Test(soql_check, non_filterable_fields_are_refused_in_where)
{
    expect_error("SELECT Id FROM Lead WHERE Description = 'x'", "INVALID_FIELD",
                 "field 'Description' can not be filtered in a query call");
    expect_error("SELECT Id FROM Lead WHERE Address = null", "INVALID_FIELD",
                 "field 'Address' can not be filtered in a query call");
    soql_query_free(parse_ok("SELECT Description, Address FROM Lead"));
}
