/*
 * Tests the executor (emulators/salesforce/soql_exec.c): comparison, null, id and LIKE rules, date
 * literals, ordering, paging, COUNT(), queryAll, multipicklists, the incremental sync query
 * pattern, conditions for validation rules, and a hundred thousand records, against the fake org in
 * soql_fake.h.
 */
#include "soql_fake.h"

TestSuite(soql_exec, .init = org_setup, .fini = org_teardown);

Test(soql_exec, like_is_case_insensitive_with_wildcards_and_escapes)
{
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE LastName LIKE 'smith%'", "LastName"),
                     "Smith,smithers");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE LastName LIKE '%ITH%'", "LastName"),
                     "Smith,smithers");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE LastName LIKE '_mith'", "LastName"),
                     "Smith");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE LastName LIKE '100\\%%'", "LastName"),
                     "100% Sure");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE LastName LIKE '1\\%%'", "LastName"), "");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE LastName LIKE '%s%e%'", "LastName"),
                     "smithers,100% Sure");
    cr_assert_str_eq(run_all("SELECT Company FROM Lead WHERE Company LIKE 'a_b'", "Company", 1),
                     "a_b,axb");
    cr_assert_str_eq(run_all("SELECT Company FROM Lead WHERE Company LIKE 'a\\_b'", "Company", 1),
                     "a_b");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Company LIKE 'caf_'", "Company"),
                     "Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Company LIKE 'caf'", "Company"), "");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Company LIKE '%%'", "Company"),
                     "Acme,Globex,Acme,a_b,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Email LIKE '%'", "Company"),
                     "Acme,Globex");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Company LIKE ''", "Company"), "");
    expect_error("SELECT Id FROM Lead WHERE NumberOfEmployees LIKE '1%'", "INVALID_FIELD",
                 "value of filter criterion for field 'NumberOfEmployees' must be of type "
                 "integer and should not be enclosed in quotes");
    expect_error("SELECT Id FROM Lead WHERE Id LIKE '00Q%'", "INVALID_QUERY_FILTER_OPERATOR",
                 "invalid operator on id field");
    expect_error("SELECT Id FROM Lead WHERE LastName LIKE 5", "MALFORMED_QUERY",
                 "unexpected token: '5'");
}

Test(soql_exec, ids_compare_in_15_and_18_character_forms)
{
    char q[512], l2_15[16], l3_lower[19];
    memcpy(l2_15, lead2, 15);
    l2_15[15] = '\0';
    for (int i = 0; i < 19; i++)
        l3_lower[i] = (char)((lead3[i] >= 'A' && lead3[i] <= 'Z') ? lead3[i] + 32 : lead3[i]);
    snprintf(q, sizeof q, "SELECT LastName FROM Lead WHERE Id IN ('%s', '%s', '%s')", lead1, l2_15,
             l3_lower);
    cr_assert_str_eq(run(q, "LastName"), "Smith,O'Brien,smithers");
    snprintf(q, sizeof q, "SELECT LastName FROM Lead WHERE Id = '%.15s'", lead1);
    cr_assert_str_eq(run(q, "LastName"), "Smith");
    snprintf(q, sizeof q, "SELECT LastName FROM Lead WHERE Id NOT IN ('%.15s', '%s')", lead1,
             lead6);
    cr_assert_str_eq(run(q, "LastName"), "O'Brien,smithers,100% Sure");
    snprintf(q, sizeof q, "SELECT LastName FROM Lead WHERE OwnerId = '%.15s'", user1);
    cr_assert_str_eq(run(q, "LastName"), "Smith");
    snprintf(q, sizeof q, "SELECT LastName FROM Lead WHERE Id > '%s' AND Id <= '%s'", lead2, lead4);
    cr_assert_str_eq(run(q, "LastName"), "smithers,100% Sure");
    expect_error("SELECT Id FROM Lead WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR",
                 "invalid ID field: abc");
    expect_error("SELECT Id FROM Lead WHERE OwnerId IN ('005Hs000000000B', 'nope')",
                 "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: nope");
    expect_error("SELECT Id FROM Lead WHERE Id = 5", "INVALID_FIELD",
                 "value of filter criterion for field 'Id' must be of type id and should be "
                 "enclosed in quotes");
}

Test(soql_exec, nulls_follow_salesforce_rules)
{
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Email = null", "Company"),
                     "Acme,a_b,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Email != null", "Company"), "Acme,Globex");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Email <> null", "Company"), "Acme,Globex");
    /* != and NOT IN keep records whose value is null; ordering comparisons drop them */
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE LeadSource != 'Web'", "Company"),
                     "Globex,Acme,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE LeadSource NOT IN ('Web')", "Company"),
                     "Globex,Acme,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE NumberOfEmployees < 50", "Company"),
                     "Globex,a_b");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE LeadSource IN ('web', null)", "Company"),
                     "Acme,Acme,a_b");
    /* text fields keep '' as null */
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Email = ''", "Company"),
                     "Acme,a_b,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Email != ''", "Company"), "Acme,Globex");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Email IN ('', 'ann@x.test')", "Company"),
                     "Acme,Acme,a_b,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE LeadSource > 'a'", "Company"),
                     "Acme,Globex,a_b,Caf\xc3\xa9");
    /* a boolean is never null: = null means false */
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE IsConverted = null", "Company"),
                     "Acme,Acme,a_b,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE IsConverted = false", "Company"),
                     "Acme,Acme,a_b,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE IsConverted != null", "Company"),
                     "Globex");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE IsConverted = TRUE", "Company"), "Globex");
}

Test(soql_exec, numbers_compare_numerically)
{
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Score__c > 10", "LastName"), "Smith");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Score__c < 0", "LastName"), "O'Brien");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Score__c >= -3.0", "LastName"),
                     "Smith,O'Brien");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Score__c = 12.5", "LastName"), "Smith");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE NumberOfEmployees = 100.0", "LastName"),
                     "Smith");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE NumberOfEmployees IN (5, 7)", "LastName"),
                     "O'Brien,100% Sure");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE NumberOfEmployees <= 5", "LastName"),
                     "O'Brien,100% Sure");
    expect_error("SELECT Id FROM Lead WHERE Score__c > '10'", "INVALID_FIELD",
                 "value of filter criterion for field 'Score__c' must be of type double and "
                 "should not be enclosed in quotes");
    expect_error("SELECT Id FROM Lead WHERE LastName = 5", "INVALID_FIELD",
                 "value of filter criterion for field 'LastName' must be of type string and "
                 "should be enclosed in quotes");
    expect_error("SELECT Id FROM Lead WHERE IsConverted = 'true'", "INVALID_FIELD",
                 "must be of type boolean and should not be enclosed in quotes");
    expect_error("SELECT Id FROM Lead WHERE IsConverted > true", "INVALID_QUERY_FILTER_OPERATOR",
                 "invalid operator on boolean field");
}

Test(soql_exec, datetimes_compare_by_instant_in_every_literal_form)
{
    const char *same[] = {"2024-09-11T10:00:00Z",     "2024-09-11T12:00:00+02:00",
                          "2024-09-11T12:00:00+0200", "2024-09-11T05:00:00-05:00",
                          "2024-09-11T10:00:00.000Z", "2024-09-11T10:00:00.000+0000"};
    char q[256];
    for (size_t i = 0; i < COUNT_OF(same); i++) {
        snprintf(q, sizeof q, "SELECT LastName FROM Lead WHERE SystemModstamp = %s", same[i]);
        cr_assert_str_eq(run(q, "LastName"), "Smith", "%s", same[i]);
    }
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE SystemModstamp = 2024-09-11T10:00:00.5Z", "LastName"),
        "");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE SystemModstamp > 2024-09-11T10:00:00Z", "LastName"),
        "smithers,100% Sure");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE SystemModstamp >= 2024-09-11T10:00:00Z", "LastName"),
        "Smith,smithers,100% Sure");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE SystemModstamp < 2024-09-11T10:00:00Z", "LastName"),
        "O'Brien,Tab\there \\ \"q\"\nend");
    expect_error("SELECT Id FROM Lead WHERE CreatedDate > '2024-01-01'", "INVALID_FIELD",
                 "\nvalue of filter criterion for field 'CreatedDate' must be of type dateTime "
                 "and should not be enclosed in quotes");
    expect_error("SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01", "INVALID_FIELD",
                 "must be of type dateTime and should not be enclosed in quotes");
    expect_error("SELECT Id FROM Lead WHERE CreatedDate > 5", "INVALID_FIELD",
                 "must be of type dateTime");
    expect_error("SELECT Id FROM Lead WHERE Birthdate__c = 2024-09-11T00:00:00Z", "INVALID_FIELD",
                 "field 'Birthdate__c' must be of type date and should not be enclosed in quotes");
    expect_error("SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01T00:00:00", "MALFORMED_QUERY",
                 NULL);
    expect_error("SELECT Id FROM Lead WHERE CreatedDate > 2024-13-45T00:00:00Z", "MALFORMED_QUERY",
                 NULL);
}

Test(soql_exec, dates_compare_as_dates)
{
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Birthdate__c = 1990-05-01", "LastName"),
                     "Smith");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Birthdate__c > 2000-01-01", "LastName"),
                     "O'Brien");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Birthdate__c <= 1990-05-01", "LastName"),
                     "Smith");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Birthdate__c != 1990-05-01", "LastName"),
                     "O'Brien,smithers,100% Sure,Tab\there \\ \"q\"\nend");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Birthdate__c IN (1990-05-01, "
                         "2024-09-11)",
                         "LastName"),
                     "Smith,O'Brien");
}

Test(soql_exec, date_literals_are_ranges_relative_to_now)
{
    const char *tab = "Tab\there \\ \"q\"\nend";
    char want[128];
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE SystemModstamp = TODAY", "LastName"),
                     "Smith,smithers");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE SystemModstamp = yesterday", "LastName"),
                     "O'Brien");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE SystemModstamp = TOMORROW", "LastName"),
                     "100% Sure");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE SystemModstamp > TODAY", "LastName"),
                     "100% Sure");
    snprintf(want, sizeof want, "O'Brien,%s", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE SystemModstamp < TODAY", "LastName"),
                     want);
    snprintf(want, sizeof want, "Smith,O'Brien,smithers,%s", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE SystemModstamp <= TODAY", "LastName"),
                     want);
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE SystemModstamp >= TODAY", "LastName"),
                     "Smith,smithers,100% Sure");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE SystemModstamp = LAST_N_DAYS:1", "LastName"),
        "Smith,O'Brien,smithers");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE SystemModstamp = LAST_N_DAYS:0", "LastName"),
        "Smith,smithers");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE SystemModstamp = NEXT_N_DAYS:1", "LastName"),
        "100% Sure");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE SystemModstamp = NEXT_N_DAYS : 5", "LastName"),
        "100% Sure");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Birthdate__c = TODAY", "LastName"),
                     "O'Brien");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE Birthdate__c = LAST_N_DAYS:365", "LastName"),
        "O'Brien");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE CreatedDate = THIS_MONTH", "LastName"),
                     "Smith,O'Brien,smithers,100% Sure");
    cr_assert_str_eq(
        run_all("SELECT LastName FROM Lead WHERE CreatedDate = LAST_MONTH", "LastName", 1),
        "Zo\xc3\xab");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE CreatedDate < THIS_YEAR", "LastName"),
                     "");
    /* the week of Wednesday 2024-09-11 runs from Sunday 09-08 to Saturday 09-14 */
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE SystemModstamp = THIS_WEEK", "LastName"),
                     "Smith,O'Brien,smithers,100% Sure");
    expect_error("SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS", "MALFORMED_QUERY", NULL);
    expect_error("SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:x", "MALFORMED_QUERY", NULL);
    expect_error("SELECT Id FROM Lead WHERE CreatedDate = LAST_FOO", "MALFORMED_QUERY",
                 "unexpected token: 'LAST_FOO'");
    expect_error("SELECT Id FROM Lead WHERE LastName = TODAY", "INVALID_FIELD",
                 "must be of type string and should be enclosed in quotes");
}

Test(soql_exec, order_by_keys_directions_and_null_placement)
{
    const char *tab = "Tab\there \\ \"q\"\nend";
    char want[160];
    snprintf(want, sizeof want, "100%% Sure,O'Brien,Smith,smithers,%s", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY LastName", "LastName"), want);
    snprintf(want, sizeof want, "%s,smithers,Smith,O'Brien,100%% Sure", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY LastName DESC", "LastName"), want);
    /* nulls first on ASC, last on DESC, unless told; ties broken by Id */
    snprintf(want, sizeof want, "smithers,100%% Sure,%s,O'Brien,Smith", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY Score__c", "LastName"), want);
    snprintf(want, sizeof want, "Smith,O'Brien,smithers,100%% Sure,%s", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY Score__c DESC", "LastName"), want);
    snprintf(want, sizeof want, "O'Brien,Smith,smithers,100%% Sure,%s", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY Score__c ASC NULLS LAST", "LastName"),
                     want);
    snprintf(want, sizeof want, "smithers,100%% Sure,%s,Smith,O'Brien", tab);
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead ORDER BY Score__c DESC NULLS FIRST", "LastName"), want);
    snprintf(want, sizeof want, "100%% Sure,smithers,Smith,%s,O'Brien", tab);
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead ORDER BY Company ASC, LastName DESC", "LastName"), want);
    snprintf(want, sizeof want, "smithers,%s,O'Brien,100%% Sure,Smith", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY NumberOfEmployees", "LastName"), want);
    snprintf(want, sizeof want, "Smith,O'Brien,100%% Sure,smithers,%s", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY NumberOfEmployees DESC", "LastName"),
                     want);
    snprintf(want, sizeof want, "%s,Smith,smithers,100%% Sure,O'Brien", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY IsConverted, CreatedDate", "LastName"),
                     want);
    /* a parent path as a key: the dangling owner sorts as null */
    snprintf(want, sizeof want, "100%% Sure,%s,Smith,smithers,O'Brien", tab);
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY Owner.Name", "LastName"), want);
    expect_error("SELECT Id FROM Lead ORDER BY Description", "INVALID_FIELD",
                 "field 'Description' can not be sorted in a query call");
    expect_error("SELECT Id FROM Lead ORDER BY LastName NULLS MIDDLE", "MALFORMED_QUERY",
                 "unexpected token: 'MIDDLE'");
}

Test(soql_exec, limit_and_offset_page_the_sorted_matches)
{
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY LastName LIMIT 2", "LastName"),
                     "100% Sure,O'Brien");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1", "LastName"),
        "O'Brien,Smith");
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY LastName OFFSET 4", "LastName"),
                     "Tab\there \\ \"q\"\nend");
    cr_assert_str_eq(run("SELECT LastName FROM Lead ORDER BY LastName OFFSET 10", "LastName"), "");
    cr_assert_str_eq(run("SELECT LastName FROM Lead LIMIT 0", "LastName"), "");
    cr_assert_str_eq(run("SELECT LastName FROM Lead LIMIT 2", "LastName"), "Smith,O'Brien");
    cr_assert_str_eq(run("SELECT LastName FROM Lead LIMIT 1 OFFSET 2000", "LastName"), "");
    expect_error("SELECT Id FROM Lead LIMIT 10 OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE",
                 "Maximum SOQL offset allowed is 2000");
    expect_error("SELECT Id FROM Lead OFFSET 5 LIMIT 1", "MALFORMED_QUERY",
                 "unexpected token: 'LIMIT'");
    expect_error("SELECT Id FROM Lead LIMIT 1.5", "MALFORMED_QUERY", NULL);
    expect_error("SELECT Id FROM Lead LIMIT 99999999999", "NUMBER_OUTSIDE_VALID_RANGE", NULL);
    expect_error("SELECT Id FROM Lead LIMIT -1", "MALFORMED_QUERY", NULL);
}

Test(soql_exec, count_returns_the_matching_records)
{
    struct soql_query *q = parse_ok("SELECT COUNT() FROM Lead WHERE LeadSource = 'Web'");
    struct sync_err err = SYNC_ERR_INIT;
    json_t *arr = NULL;
    cr_assert_eq(soql_execute(q, &rows, 0, now_ms, &arr, &err), SYNC_OK);
    cr_assert_eq(json_array_size(arr), 2);
    json_decref(arr);
    soql_query_free(q);
    q = parse_ok("SELECT COUNT() FROM Lead");
    cr_assert_eq(soql_execute(q, &rows, 0, now_ms, &arr, &err), SYNC_OK);
    cr_assert_eq(json_array_size(arr), 5);
    json_decref(arr);
    cr_assert_eq(soql_execute(q, &rows, 1, now_ms, &arr, &err), SYNC_OK);
    cr_assert_eq(json_array_size(arr), 6);
    json_decref(arr);
    soql_query_free(q);
    expect_error("SELECT Id, COUNT() FROM Lead", "MALFORMED_QUERY", "COUNT()");
    expect_error("SELECT COUNT(Id) FROM Lead", "MALFORMED_QUERY", NULL);
}

Test(soql_exec, query_all_sees_the_recycle_bin)
{
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE IsDeleted = true", "LastName"), "");
    cr_assert_str_eq(run_all("SELECT LastName FROM Lead WHERE IsDeleted = true", "LastName", 1),
                     "Zo\xc3\xab");
}

Test(soql_exec, multipicklists_include_exclude_and_compare_as_sets)
{
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE Interests__c INCLUDES ('Golf')", "LastName"), "Smith");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE Interests__c INCLUDES ('tennis')", "LastName"),
        "Smith,O'Brien");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE Interests__c INCLUDES ('Golf;Tennis')", "LastName"),
        "Smith");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Interests__c INCLUDES ('Golf;Running', "
                         "'Tennis')",
                         "LastName"),
                     "Smith,O'Brien");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE Interests__c INCLUDES ('Golf;Running')", "LastName"),
        "");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE Interests__c EXCLUDES ('Golf')", "LastName"),
        "O'Brien,smithers,100% Sure,Tab\there \\ \"q\"\nend");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE Interests__c = 'chess;Golf;Tennis'", "LastName"),
        "Smith");
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Interests__c = 'Golf'", "LastName"), "");
    expect_error("SELECT Id FROM Lead WHERE LastName INCLUDES ('a')",
                 "INVALID_QUERY_FILTER_OPERATOR",
                 "includes or excludes operator only valid on multipicklist field");
    expect_error("SELECT Id FROM Lead WHERE Interests__c < 'a'", "INVALID_QUERY_FILTER_OPERATOR",
                 "invalid operator on multipicklist field");
    expect_error("SELECT Id FROM Lead WHERE Interests__c INCLUDES (5)", "MALFORMED_QUERY", NULL);
}

struct stamped {
    char id[19];
    char stamp[32];
};

static int stamped_cmp(const void *a, const void *b)
{
    const struct stamped *x = a, *y = b;
    int c = strcmp(x->stamp, y->stamp);
    return c ? c : strcmp(x->id, y->id);
}

Test(soql_exec, incremental_sync_keyset_pages_see_every_record_once)
{
    enum { N = 23, PAGE = 4 };
    struct stamped want[N];
    char last_stamp[32] = "1970-01-01T00:00:00Z", last_id[19] = "000000000000000AAA";
    char q[1024];
    size_t seen = 0;

    for (int k = 0; k < N + 3; k++) {
        char id[19], stamp[32];
        /* five records per second, ids not in insertion order; three past the window */
        ids_make("003", (uint64_t)(100 + (k * 7) % (N + 3)), id);
        snprintf(stamp, sizeof stamp, "2024-09-11T13:%02d:%02d.000+0000", k < N ? 27 : 40,
                 k < N ? 30 + k / 5 : k);
        add("Contact", json_pack("{s:s,s:s,s:b,s:s,s:s,s:s,s:n}", "Id", id, "SystemModstamp", stamp,
                                 "IsDeleted", 0, "Email", "x@y.test", "FirstName", "F", "LastName",
                                 "L", "OwnerId"));
        if (k < N) {
            snprintf(want[k].id, sizeof want[k].id, "%s", id);
            snprintf(want[k].stamp, sizeof want[k].stamp, "%s", stamp);
        }
    }
    qsort(want, N, sizeof want[0], stamped_cmp);
    for (int page = 0; page < 20; page++) {
        struct soql_query *qq;
        struct sync_err err = SYNC_ERR_INIT;
        json_t *arr = NULL;
        size_t got;
        snprintf(q, sizeof q,
                 "SELECT Id, SystemModstamp, IsDeleted, Email, FirstName, LastName, OwnerId\n"
                 "FROM Contact\n"
                 "WHERE (SystemModstamp > %s\n"
                 "       OR (SystemModstamp = %s AND Id > '%s'))\n"
                 "  AND SystemModstamp < 2024-09-11T13:40:00Z\n"
                 "ORDER BY SystemModstamp ASC, Id ASC\n"
                 "LIMIT %d",
                 last_stamp, last_stamp, last_id, PAGE);
        qq = parse_ok(q);
        cr_assert_eq(soql_execute(qq, &rows, 1, now_ms, &arr, &err), SYNC_OK);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            const json_t *r = json_array_get(arr, i);
            if (!strcmp(id_of(r), c1) || !strcmp(id_of(r), c2) || !strcmp(id_of(r), c3))
                continue; /* the fixture's own contacts predate the window */
            cr_assert_str_eq(id_of(r), want[seen].id, "record %zu", seen);
            seen++;
        }
        if (json_array_size(arr) > 0) {
            const json_t *r = json_array_get(arr, json_array_size(arr) - 1);
            snprintf(last_stamp, sizeof last_stamp, "%s",
                     json_string_value(json_object_get(r, "SystemModstamp")));
            snprintf(last_id, sizeof last_id, "%s", id_of(r));
        }
        got = json_array_size(arr);
        json_decref(arr);
        soql_query_free(qq);
        if (got == 0)
            break;
    }
    cr_assert_eq(seen, N, "saw %zu", seen);
}

Test(soql_exec, conditions_match_single_records_for_validation_rules)
{
    struct soql_query *q = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    const json_t *r1, *r2, *r4;
    const char *obj;

    cr_assert_eq(
        soql_parse_condition("Phone = null AND LeadSource = 'Web'", "lead", &cat, &q, &err),
        SYNC_OK, "%s", err.message);
    cr_assert_str_eq(soql_query_object(q), "Lead");
    r1 = store_get(&org, lead1, &obj);
    r2 = store_get(&org, lead2, &obj);
    r4 = store_get(&org, lead4, &obj);
    cr_assert(soql_matches(q, r1, &rows, now_ms));
    cr_assert_not(soql_matches(q, r2, &rows, now_ms));
    cr_assert(soql_matches(q, r4, &rows, now_ms));
    soql_query_free(q);

    cr_assert_eq(soql_parse_condition("CreatedDate = LAST_N_DAYS:30 AND Owner.Name != null", "Lead",
                                      &cat, &q, &err),
                 SYNC_OK);
    cr_assert(soql_matches(q, r1, &rows, now_ms));
    cr_assert_not(soql_matches(q, r1, &rows, now_ms + 60 * 86400000LL));
    cr_assert_not(soql_matches(q, r4, &rows, now_ms));
    soql_query_free(q);

    q = (struct soql_query *)0x1;
    cr_assert_eq(soql_parse_condition("Phon = null", "Lead", &cat, &q, &err), SYNC_ERR_VENDOR);
    cr_assert_null(q);
    cr_assert_str_eq(err.code, "INVALID_FIELD");
    cr_assert_eq(soql_parse_condition("Phone = null AND", "Lead", &cat, &q, &err), SYNC_ERR_VENDOR);
    cr_assert_str_eq(err.code, "MALFORMED_QUERY");
    cr_assert_eq(soql_parse_condition("Phone = null) OR (Email = null", "Lead", &cat, &q, &err),
                 SYNC_ERR_VENDOR);
    cr_assert_str_eq(err.code, "MALFORMED_QUERY");
    cr_assert_eq(soql_parse_condition("", "Lead", &cat, &q, &err), SYNC_ERR_VENDOR);
    cr_assert_str_eq(err.code, "MALFORMED_QUERY");
    cr_assert_eq(soql_parse_condition("Id = null", "Nope", &cat, &q, &err), SYNC_ERR_VENDOR);
    cr_assert_str_eq(err.code, "INVALID_TYPE");
}

Test(soql_exec, filters_and_sorts_a_hundred_thousand_records)
{
    enum { N = 100000 };
    struct soql_query *q;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *arr = NULL;
    int64_t t0, t1, base;
    char id[19], stamp[40];

    cr_assert_eq(sync_time_parse("2024-01-01T00:00:00Z", &base), SYNC_OK);
    for (int i = 0; i < N; i++) {
        ids_make("00Q", (uint64_t)(1000 + (i * 7919) % N), id);
        sync_time_format_sf(base + (int64_t)(i / 3) * 1000, stamp, sizeof stamp);
        add("Lead",
            json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Id", id, "LastName", "Perf", "Email",
                      "p@x.test", "Company", "Bulk", "IsDeleted", 0, "SystemModstamp", stamp));
    }
    t0 = sync_time_monotonic_ms();
    q = parse_ok("SELECT Id, SystemModstamp, Email FROM Lead WHERE (SystemModstamp > "
                 "2024-01-01T00:00:10Z OR (SystemModstamp = 2024-01-01T00:00:10Z AND Id > "
                 "'000000000000000AAA')) AND SystemModstamp < 2030-01-01T00:00:00Z ORDER BY "
                 "SystemModstamp ASC, Id ASC LIMIT 2000");
    cr_assert_eq(soql_execute(q, &rows, 0, now_ms, &arr, &err), SYNC_OK);
    cr_assert_eq(json_array_size(arr), 2000);
    for (size_t i = 0; i < json_array_size(arr); i++)
        json_decref(soql_project(q, json_array_get(arr, i), &rows, "62.0"));
    json_decref(arr);
    soql_query_free(q);
    q = parse_ok("SELECT Id FROM Lead WHERE SystemModstamp > 2024-01-01T00:00:00Z");
    cr_assert_eq(soql_execute(q, &rows, 0, now_ms, &arr, &err), SYNC_OK);
    cr_assert_geq(json_array_size(arr), N - 3);
    json_decref(arr);
    soql_query_free(q);
    t1 = sync_time_monotonic_ms();
    /* timed for the log only: speed is measured in bench/, never asserted */
    cr_log_info("two queries over %d records: %lld ms", N, (long long)(t1 - t0));
}
