/*
 * Tests the lexer and parser (emulators/salesforce/soql.c): names and keywords ignoring case,
 * literal escapes, Salesforce's MALFORMED_QUERY messages with the line, caret and column, and
 * robustness against mangled queries, against the fake org in soql_fake.h.
 */
#include "soql_fake.h"

TestSuite(soql_parse, .init = org_setup, .fini = org_teardown);

Test(soql_parse, parses_object_count_and_names_ignoring_case)
{
    struct soql_query *q = parse_ok("select ID, lastNAME from LEAD");
    cr_assert_str_eq(soql_query_object(q), "Lead");
    cr_assert_eq(soql_query_is_count(q), 0);
    soql_query_free(q);
    q = parse_ok("SELECT COUNT() FROM contact");
    cr_assert_str_eq(soql_query_object(q), "Contact");
    cr_assert_eq(soql_query_is_count(q), 1);
    soql_query_free(q);
    cr_assert_str_eq(run("sElEcT lastname FrOm lead WhErE lastname = 'SMITH'", "LastName"),
                     "Smith");
}

Test(soql_parse, keywords_may_name_objects_after_from)
{
    cr_assert_str_eq(run("SELECT Name FROM Group WHERE Type = 'Queue'", "Name"), "Web Queue");
    expect_error("SELECT Id FROM WHERE", "MALFORMED_QUERY", "unexpected token: 'WHERE'");
}

Test(soql_parse, malformed_query_echoes_line_caret_and_column)
{
    struct soql_query *q = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_eq(soql_parse("SELECT Id FORM Lead", &cat, &q, &err), SYNC_ERR_VENDOR);
    cr_assert_str_eq(err.code, "MALFORMED_QUERY");
    cr_assert_str_eq(err.message, "\nSELECT Id FORM Lead\n          ^\nERROR at Row:1:Column:11\n"
                                  "unexpected token: 'FORM'");
    cr_assert_eq(err.http_status, 400);
    /* a multi-line query reports the row and echoes that line */
    expect_error("SELECT Id\nFROM Lead\nWHERE Foo = 1", "INVALID_FIELD",
                 "\nWHERE Foo = 1\n      ^\nERROR at Row:3:Column:7\nNo such column 'Foo'");
    expect_error("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY", "unexpected token: '<EOF>'");
}

Test(soql_parse, mixing_and_with_or_needs_parentheses)
{
    expect_error("SELECT Id FROM Lead WHERE LastName = 'a' AND Company = 'b' OR Email = null",
                 "MALFORMED_QUERY", "unexpected token: 'OR'");
    expect_error("SELECT Id FROM Lead WHERE LastName = 'a' OR Company = 'b' AND Email = null",
                 "MALFORMED_QUERY", "unexpected token: 'AND'");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE (LastName = 'Smith' AND Company = 'Acme') "
                         "OR Email = null",
                         "Company"),
                     "Acme,Acme,a_b,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE NOT LastName = 'Smith'", "Company"),
                     "Globex,Acme,a_b,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE NOT (Company = 'Acme' OR Company = "
                         "'Globex') AND LeadSource != null",
                         "Company"),
                     "a_b,Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE ((Company = 'Acme') AND (NOT (LastName "
                         "LIKE 'smithers')))",
                         "Company"),
                     "Acme");
}

Test(soql_parse, string_literals_decode_every_escape)
{
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE LastName = 'O\\'Brien'", "Company"),
                     "Globex");
    cr_assert_str_eq(
        run("SELECT Company FROM Lead WHERE LastName = 'Tab\\there \\\\ \\\"q\\\"\\nend'",
            "Company"),
        "Caf\xc3\xa9");
    cr_assert_str_eq(
        run("SELECT Company FROM Lead WHERE LastName = 'TAB\\There \\\\ \\\"Q\\\"\\Nend'",
            "Company"),
        "Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Company = 'Caf\\u00e9'", "Company"),
                     "Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Company = 'Caf\\u00E9'", "Company"),
                     "Caf\xc3\xa9");
    cr_assert_str_eq(run("SELECT Company FROM Lead WHERE Company IN ('x\\by\\fz\\r\\R\\B\\F\\t', "
                         "'\\uD83D\\uDE00')",
                         "Company"),
                     "");
}

Test(soql_parse, illegal_escapes_are_malformed)
{
    const char *bad[] = {
        "SELECT Id FROM Lead WHERE LastName = 'a\\q'",
        "SELECT Id FROM Lead WHERE LastName = 'a\\%'",
        "SELECT Id FROM Lead WHERE LastName = 'a\\_'",
        "SELECT Id FROM Lead WHERE LastName = '\\u12'",
        "SELECT Id FROM Lead WHERE LastName = '\\uZZZZ'",
        "SELECT Id FROM Lead WHERE LastName = '\\u0000'",
        "SELECT Id FROM Lead WHERE LastName = '\\uDC00'",
        "SELECT Id FROM Lead WHERE LastName = '\\uD83Dx'",
        "SELECT Id FROM Lead WHERE LastName LIKE 'a\\x%'",
    };
    for (size_t i = 0; i < COUNT_OF(bad); i++)
        expect_error(bad[i], "MALFORMED_QUERY", "Illegal character sequence");
    expect_error("SELECT Id FROM Lead WHERE LastName = 'a\\q'", "MALFORMED_QUERY",
                 "Invalid string literal 'a\\q'. Illegal character sequence '\\q' in string "
                 "literal.");
}

Test(soql_parse, malformed_queries_are_refused_as_malformed_query)
{
    static const char *const bad[] = {
        "",
        "   ",
        "SELECT",
        "SELECT Id",
        "SELECT Id FROM",
        "SELECT FROM Lead",
        "SELECT Id, FROM Lead",
        "SELECT Id,, Email FROM Lead",
        "SELECT Id FROM Lead WHERE",
        "SELECT Id FROM Lead WHERE LastName",
        "SELECT Id FROM Lead WHERE LastName =",
        "WHERE LastName = 'x'",
        "SELECT Id FROM Lead WHERE LastName = 'x",
        "SELECT Id FROM Lead WHERE (LastName = 'x'",
        "SELECT Id FROM Lead WHERE LastName = 'x')",
        "SELECT Id FROM Lead WHERE LastName == 'x'",
        "SELECT Id FROM Lead WHERE LastName ! 'x'",
        "SELECT Id FROM Lead ORDER LastName",
        "SELECT Id FROM Lead ORDER BY",
        "SELECT Id FROM Lead ORDER BY LastName ASC DESC",
        "SELECT Id FROM Lead LIMIT",
        "SELECT Id FROM Lead LIMIT x",
        "SELECT Id FROM Lead LIMIT 1 LIMIT 2",
        "SELECT Id FROM Lead;",
        "SELECT Id FROM Lead WHERE LastName = \"x\"",
        "SELECT Id FROM Lead WHERE LastName IN ()",
        "SELECT Id FROM Lead WHERE LastName IN ('a',)",
        "SELECT Id FROM Lead WHERE LastName IN 'a'",
        "SELECT Id FROM Lead WHERE LastName NOT LIKE 'a'",
        "SELECT Id FROM Lead WHERE LastName LIKE",
        "SELECT Id FROM Lead WHERE NOT",
        "SELECT Id FROM Lead WHERE LastName = 'a' AND",
        "SELECT Id FROM Lead WHERE LastName = 'a' OR LastName = 'b' AND Email = null",
        "SELECT Id FROM Lead WHERE LastName = :name",
        "SELECT Id FROM Lead WHERE Id IN (SELECT Id FROM Lead)",
        "SELECT Id FROM Lead WHERE LastName = 'a\\'",
        "SELECT Id FROM Lead WHERE LastName = 'a\\q'",
        "SELECT Id. FROM Lead",
        "SELECT Id FROM Lead.Owner",
        "SELECT (SELECT Id FROM Contacts FROM Account",
        "SELECT Id FROM Lead GROUP BY Id",
        "SELECT Id FROM Lead WITH SECURITY_ENFORCED",
        "SELECT Id FROM Lead FOR UPDATE",
        "SELECT Id FROM Lead USING SCOPE mine",
        "SELECT COUNT(Id) FROM Lead",
        "SELECT COUNT( FROM Lead",
        "SELECT TYPEOF Owner WHEN User THEN Name END FROM Lead",
        "SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01T00:00:00",
        "SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01T25:00:00Z",
        "SELECT Id FROM Lead WHERE Birthdate__c > 2024-02-30",
        "SELECT Id FROM Lead WHERE CreatedDate > LAST_N_DAYS",
        "SELECT Id FROM Lead WHERE CreatedDate > LAST_N_DAYS:",
        "SELECT Id FROM Lead WHERE CreatedDate > LAST_N_DAYS:-1",
        "SELECT Id FROM Lead WHERE NumberOfEmployees > 12abc",
        "SELECT Id FROM Lead WHERE NumberOfEmployees > 1.2.3",
        "SELECT Id FROM Lead WHERE LastName = 'x' \x01",
        "SELECT Id FROM Lead WHERE LastName = 'caf\xc3\xa9' #",
        "SELECT Id FROM Lead ORDER BY LastName NULLS",
        "SELECT Id FROM Lead Alias",
        "SELECT Id FROM Lead WHERE LastName IN ('a' 'b')",
        "SELECT Id FROM Lead WHERE () ",
        "SELECT Id FROM Lead WHERE NOT NOT",
        "SELECT * FROM Lead",
        "DELETE FROM Lead",
    };
    char deep[1024];
    size_t n = 0;

    for (size_t i = 0; i < COUNT_OF(bad); i++)
        expect_error(bad[i], "MALFORMED_QUERY", "ERROR at Row:");
    n += (size_t)snprintf(deep, sizeof deep, "SELECT Id FROM Lead WHERE ");
    for (int i = 0; i < 200; i++)
        deep[n++] = '(';
    snprintf(deep + n, sizeof deep - n, "LastName = 'x'");
    expect_error(deep, "MALFORMED_QUERY", "nested too deeply");
    expect_error("SELECT Id FROM Lead WHERE NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT "
                 "NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT "
                 "NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT "
                 "NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT LastName = 'x'",
                 "MALFORMED_QUERY", "nested too deeply");
    /* nesting within the bound is fine */
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE NOT NOT ((((LastName = 'Smith'))))", "LastName"),
        "Smith");
}

Test(soql_parse, long_query_lines_are_cut_around_the_caret)
{
    char q[4096];
    struct soql_query *qq = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    size_t n = (size_t)snprintf(q, sizeof q, "SELECT Id FROM Lead WHERE ");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(q + n, sizeof q - n, "LastName = 'x%03d' OR ", i);
    snprintf(q + n, sizeof q - n, "Bogus__c = 'y'");
    cr_assert_eq(soql_parse(q, &cat, &qq, &err), SYNC_ERR_VENDOR);
    cr_assert_str_eq(err.code, "INVALID_FIELD");
    cr_assert(strstr(err.message, "No such column 'Bogus__c' on entity 'Lead'"), "%s", err.message);
    char col[64];
    snprintf(col, sizeof col, "ERROR at Row:1:Column:%zu\n", n + 1);
    cr_assert(strstr(err.message, col), "%s", err.message);
}

/* Deterministic mutations of valid queries: every truncation, byte flips, insertions and
 * deletions. Each must parse or fail with a 400 vendor error; successes also run. */

static uint32_t rng_state = 12345;

static uint32_t rng_next(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void try_query(const char *text)
{
    struct soql_query *q = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    enum sync_rc rc = soql_parse(text, &cat, &q, &err);

    if (rc == SYNC_OK) {
        json_t *arr = NULL;
        cr_assert_not_null(q);
        cr_assert_eq(soql_execute(q, &rows, 1, now_ms, &arr, &err), SYNC_OK);
        for (size_t i = 0; i < json_array_size(arr) && i < 3; i++)
            json_decref(soql_project(q, json_array_get(arr, i), &rows, "62.0"));
        json_decref(arr);
        soql_query_free(q);
        return;
    }
    cr_assert_eq(rc, SYNC_ERR_VENDOR, "%s -> rc %d", text, rc);
    cr_assert_null(q);
    cr_assert_eq(err.http_status, 400, "%s", text);
    cr_assert(err.code[0] != '\0', "%s", text);
    cr_assert(strstr(err.message, "ERROR at Row:") != NULL, "%s -> %s", text, err.message);
}

Test(soql_parse, mutated_queries_never_crash)
{
    static const char *const seeds[] = {
        "SELECT Id, LastName, Owner.Name FROM Lead WHERE (SystemModstamp > 2024-09-11T13:27:39Z "
        "OR (SystemModstamp = 2024-09-11T13:27:39.000+0000 AND Id > '00QHs0000000000AAA')) AND "
        "SystemModstamp < 2024-09-11T13:40:00+02:00 ORDER BY SystemModstamp ASC, Id ASC LIMIT 2000",
        "SELECT Name, (SELECT LastName FROM Contacts WHERE Email LIKE '%\\_x\\%' ORDER BY LastName "
        "DESC NULLS LAST LIMIT 5) FROM Account WHERE Name IN ('a\\'b', 'c\\\\d', '\\u00e9') OFFSET "
        "3",
        "SELECT COUNT() FROM Lead WHERE Interests__c INCLUDES ('Golf;Tennis', 'x') AND NOT "
        "(Score__c >= -1.5 OR Birthdate__c = LAST_N_DAYS:30)",
        "SELECT FIELDS(ALL) FROM Lead WHERE IsConverted = false AND CreatedDate = TODAY LIMIT 200",
        "select id from contact where account.owner.manager.name != null order by account.name "
        "nulls first",
    };
    char buf[512];
    size_t tried = 0;

    for (size_t s = 0; s < COUNT_OF(seeds); s++) {
        const char *seed = seeds[s];
        size_t len = strlen(seed);
        cr_assert_lt(len, sizeof buf - 8);
        for (size_t cut = 0; cut <= len; cut++) {
            snprintf(buf, sizeof buf, "%.*s", (int)cut, seed);
            try_query(buf);
            tried++;
        }
        for (int m = 0; m < 600; m++) {
            static const char spice[] = "'\\()%,_.:=<>!\" \n0aZ-+T;";
            size_t at = rng_next() % len, n = len;
            memcpy(buf, seed, len + 1);
            switch (rng_next() % 4) {
            case 0: /* replace with an interesting character */
                buf[at] = spice[rng_next() % (sizeof spice - 1)];
                break;
            case 1: /* replace with any byte but NUL */
                buf[at] = (char)(1 + rng_next() % 255);
                break;
            case 2: { /* delete a run */
                size_t k = 1 + rng_next() % 3;
                if (k > len - at)
                    k = len - at;
                memmove(buf + at, buf + at + k, len - at - k + 1);
                break;
            }
            default: /* insert */
                memmove(buf + at + 1, buf + at, n - at + 1);
                buf[at] = spice[rng_next() % (sizeof spice - 1)];
                break;
            }
            buf[sizeof buf - 1] = '\0';
            try_query(buf);
            tried++;
        }
    }
    cr_assert_gt(tried, 3000);
}
