/*
 * Tests emulators/salesforce/soql.c against a small fake org (Lead, Contact, Account, User and
 * Group, with a polymorphic Lead owner) held in this file: parsing, Salesforce's error codes and
 * messages, literal escapes and types, null and id rules, date literals, ordering, paging, parent
 * paths, child subqueries, projection, the incremental sync query pattern, conditions for
 * validation rules, speed, and robustness against mangled queries.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/time.h"
#include "emulators/salesforce/ids.h"
#include "emulators/salesforce/soql.h"

/* ---------------------------------------------------------------- the fake schema */

struct fake_field {
    const char *object, *name;
    enum soql_type type;
    int filterable, sortable, custom;
};

static const struct fake_field schema[] = {
    {"Lead", "Id", SOQL_T_ID, 1, 1, 0},
    {"Lead", "FirstName", SOQL_T_STRING, 1, 1, 0},
    {"Lead", "LastName", SOQL_T_STRING, 1, 1, 0},
    {"Lead", "Email", SOQL_T_STRING, 1, 1, 0},
    {"Lead", "Phone", SOQL_T_STRING, 1, 1, 0},
    {"Lead", "Company", SOQL_T_STRING, 1, 1, 0},
    {"Lead", "LeadSource", SOQL_T_STRING, 1, 1, 0},
    {"Lead", "Description", SOQL_T_STRING, 0, 0, 0},
    {"Lead", "NumberOfEmployees", SOQL_T_INT, 1, 1, 0},
    {"Lead", "IsConverted", SOQL_T_BOOLEAN, 1, 1, 0},
    {"Lead", "IsDeleted", SOQL_T_BOOLEAN, 1, 1, 0},
    {"Lead", "Address", SOQL_T_OTHER, 0, 0, 0},
    {"Lead", "CreatedDate", SOQL_T_DATETIME, 1, 1, 0},
    {"Lead", "SystemModstamp", SOQL_T_DATETIME, 1, 1, 0},
    {"Lead", "OwnerId", SOQL_T_ID, 1, 1, 0},
    {"Lead", "Score__c", SOQL_T_DOUBLE, 1, 1, 1},
    {"Lead", "Interests__c", SOQL_T_MULTIPICKLIST, 1, 0, 1},
    {"Lead", "Birthdate__c", SOQL_T_DATE, 1, 1, 1},
    {"Contact", "Id", SOQL_T_ID, 1, 1, 0},
    {"Contact", "FirstName", SOQL_T_STRING, 1, 1, 0},
    {"Contact", "LastName", SOQL_T_STRING, 1, 1, 0},
    {"Contact", "Email", SOQL_T_STRING, 1, 1, 0},
    {"Contact", "AccountId", SOQL_T_ID, 1, 1, 0},
    {"Contact", "OwnerId", SOQL_T_ID, 1, 1, 0},
    {"Contact", "IsDeleted", SOQL_T_BOOLEAN, 1, 1, 0},
    {"Contact", "SystemModstamp", SOQL_T_DATETIME, 1, 1, 0},
    {"Account", "Id", SOQL_T_ID, 1, 1, 0},
    {"Account", "Name", SOQL_T_STRING, 1, 1, 0},
    {"Account", "Industry", SOQL_T_STRING, 1, 1, 0},
    {"Account", "OwnerId", SOQL_T_ID, 1, 1, 0},
    {"Account", "ParentId", SOQL_T_ID, 1, 1, 0},
    {"Account", "IsDeleted", SOQL_T_BOOLEAN, 1, 1, 0},
    {"Account", "SystemModstamp", SOQL_T_DATETIME, 1, 1, 0},
    {"User", "Id", SOQL_T_ID, 1, 1, 0},
    {"User", "Name", SOQL_T_STRING, 1, 1, 0},
    {"User", "Email", SOQL_T_STRING, 1, 1, 0},
    {"User", "ManagerId", SOQL_T_ID, 1, 1, 0},
    {"User", "IsDeleted", SOQL_T_BOOLEAN, 1, 1, 0},
    {"Group", "Id", SOQL_T_ID, 1, 1, 0},
    {"Group", "Name", SOQL_T_STRING, 1, 1, 0},
    {"Group", "Type", SOQL_T_STRING, 1, 1, 0},
};

struct fake_parent {
    const char *object, *rel, *field, *targets[2];
};

static const struct fake_parent parents[] = {
    {"Lead", "Owner", "OwnerId", {"User", "Group"}},
    {"Contact", "Account", "AccountId", {"Account", NULL}},
    {"Contact", "Owner", "OwnerId", {"User", NULL}},
    {"Account", "Owner", "OwnerId", {"User", NULL}},
    {"Account", "Parent", "ParentId", {"Account", NULL}},
    {"User", "Manager", "ManagerId", {"User", NULL}},
};

struct fake_child {
    const char *object, *rel, *child, *field;
};

static const struct fake_child children[] = {
    {"Account", "Contacts", "Contact", "AccountId"},
    {"Account", "ChildAccounts", "Account", "ParentId"},
};

static const char *const objects[] = {"Lead", "Contact", "Account", "User", "Group"};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static int cat_object(void *ctx, const char *name, char canonical[SOQL_NAME_MAX])
{
    for (size_t i = 0; i < COUNT_OF(objects); i++)
        if (strcasecmp(objects[i], name) == 0) {
            snprintf(canonical, SOQL_NAME_MAX, "%s", objects[i]);
            return 0;
        }
    return -1;
}

static void to_info(const struct fake_field *f, struct soql_field_info *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", f->name);
    out->type = f->type;
    out->filterable = f->filterable;
    out->sortable = f->sortable;
    out->custom = f->custom;
}

static int cat_field(void *ctx, const char *object, const char *name, struct soql_field_info *out)
{
    for (size_t i = 0; i < COUNT_OF(schema); i++)
        if (strcasecmp(schema[i].object, object) == 0 && strcasecmp(schema[i].name, name) == 0) {
            to_info(&schema[i], out);
            return 0;
        }
    return -1;
}

static int cat_parent(void *ctx, const char *object, const char *rel, char field[SOQL_NAME_MAX],
                      char targets[][SOQL_NAME_MAX], size_t max_targets, size_t *ntargets)
{
    for (size_t i = 0; i < COUNT_OF(parents); i++) {
        const struct fake_parent *p = &parents[i];
        if (strcasecmp(p->object, object) || strcasecmp(p->rel, rel))
            continue;
        snprintf(field, SOQL_NAME_MAX, "%s", p->field);
        *ntargets = 0;
        for (size_t k = 0; k < 2 && p->targets[k] && *ntargets < max_targets; k++)
            snprintf(targets[(*ntargets)++], SOQL_NAME_MAX, "%s", p->targets[k]);
        return 0;
    }
    return -1;
}

static int cat_child(void *ctx, const char *object, const char *rel, char child[SOQL_NAME_MAX],
                     char field[SOQL_NAME_MAX])
{
    for (size_t i = 0; i < COUNT_OF(children); i++)
        if (strcasecmp(children[i].object, object) == 0 && strcasecmp(children[i].rel, rel) == 0) {
            snprintf(child, SOQL_NAME_MAX, "%s", children[i].child);
            snprintf(field, SOQL_NAME_MAX, "%s", children[i].field);
            return 0;
        }
    return -1;
}

static void cat_fields(void *ctx, const char *object,
                       void (*fn)(void *arg, const struct soql_field_info *f), void *arg)
{
    for (size_t i = 0; i < COUNT_OF(schema); i++)
        if (strcasecmp(schema[i].object, object) == 0) {
            struct soql_field_info fi;
            to_info(&schema[i], &fi);
            fn(arg, &fi);
        }
}

static const struct soql_catalog cat = {NULL,       cat_object, cat_field,
                                        cat_parent, cat_child,  cat_fields};

/* ---------------------------------------------------------------- the fake records */

struct row {
    char object[16];
    json_t *rec;
};

struct store {
    struct row *rows;
    size_t n, cap;
};

static void store_foreach(void *ctx, const char *object, int include_deleted,
                          int (*fn)(void *arg, const json_t *rec), void *arg)
{
    struct store *s = ctx;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->rows[i].object, object) != 0)
            continue;
        if (!include_deleted && json_is_true(json_object_get(s->rows[i].rec, "IsDeleted")))
            continue;
        if (fn(arg, s->rows[i].rec))
            return;
    }
}

static const json_t *store_get(void *ctx, const char *id, const char **object)
{
    struct store *s = ctx;
    for (size_t i = 0; i < s->n; i++) {
        const char *rid = json_string_value(json_object_get(s->rows[i].rec, "Id"));
        if (rid && strcmp(rid, id) == 0) {
            *object = s->rows[i].object;
            return s->rows[i].rec;
        }
    }
    return NULL;
}

static struct store org;
static struct soql_rows rows = {&org, store_foreach, store_get};

static json_t *add(const char *object, json_t *rec)
{
    if (org.n == org.cap) {
        org.cap = org.cap ? org.cap * 2 : 64;
        org.rows = realloc(org.rows, org.cap * sizeof(*org.rows));
        cr_assert_not_null(org.rows);
    }
    cr_assert_not_null(rec, "record %zu of %s", org.n, object);
    snprintf(org.rows[org.n].object, sizeof(org.rows[org.n].object), "%s", object);
    org.rows[org.n++].rec = rec;
    return rec;
}

static const char *id_of(const json_t *rec)
{
    return json_string_value(json_object_get(rec, "Id"));
}

/* Ids of the fixture's records, by name. */
static char user1[19], user2[19], manager[19], boss[19], queue[19], acme[19], globex[19],
    acme_sub[19], lead1[19], lead2[19], lead3[19], lead4[19], lead5[19], lead6[19], c1[19], c2[19],
    c3[19];

static int64_t now_ms; /* 2024-09-11T12:00:00Z: TODAY is 2024-09-11 */

static void org_setup(void)
{
    char dangling[19];

    memset(&org, 0, sizeof(org));
    cr_assert_eq(sync_time_parse("2024-09-11T12:00:00Z", &now_ms), SYNC_OK);
    ids_make("005", 1, user1);
    ids_make("005", 2, user2);
    ids_make("005", 3, manager);
    ids_make("005", 4, boss);
    ids_make("00G", 1, queue);
    ids_make("001", 1, acme);
    ids_make("001", 2, globex);
    ids_make("001", 3, acme_sub);
    ids_make("00Q", 11, lead1);
    ids_make("00Q", 12, lead2);
    ids_make("00Q", 13, lead3);
    ids_make("00Q", 14, lead4);
    ids_make("00Q", 15, lead5);
    ids_make("00Q", 16, lead6);
    ids_make("003", 1, c1);
    ids_make("003", 2, c2);
    ids_make("003", 3, c3);
    ids_make("005", 999, dangling);

    add("User", json_pack("{s:s,s:s,s:s,s:s,s:b}", "Id", user1, "Name", "Rita Rep", "Email",
                          "rita@acme.test", "ManagerId", manager, "IsDeleted", 0));
    add("User", json_pack("{s:s,s:s,s:s,s:n,s:b}", "Id", user2, "Name", "Sam Seller", "Email",
                          "sam@acme.test", "ManagerId", "IsDeleted", 0));
    add("User", json_pack("{s:s,s:s,s:s,s:s,s:b}", "Id", manager, "Name", "Mia Manager", "Email",
                          "mia@acme.test", "ManagerId", boss, "IsDeleted", 0));
    add("User", json_pack("{s:s,s:s,s:s,s:b}", "Id", boss, "Name", "Bo Boss", "Email",
                          "bo@acme.test", "IsDeleted", 0));
    add("Group", json_pack("{s:s,s:s,s:s}", "Id", queue, "Name", "Web Queue", "Type", "Queue"));
    add("Account", json_pack("{s:s,s:s,s:s,s:s,s:n,s:b,s:s}", "Id", acme, "Name", "Acme",
                             "Industry", "Tech", "OwnerId", user1, "ParentId", "IsDeleted", 0,
                             "SystemModstamp", "2024-09-01T00:00:00.000+0000"));
    add("Account", json_pack("{s:s,s:s,s:n,s:s,s:n,s:b,s:s}", "Id", globex, "Name", "Globex",
                             "Industry", "OwnerId", user2, "ParentId", "IsDeleted", 0,
                             "SystemModstamp", "2024-09-02T00:00:00.000+0000"));
    add("Account", json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "Id", acme_sub, "Name", "Acme EU",
                             "Industry", "Tech", "OwnerId", user1, "ParentId", acme, "IsDeleted", 0,
                             "SystemModstamp", "2024-09-03T00:00:00.000+0000"));
    add("Contact",
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "Id", c1, "FirstName", "Ada", "LastName",
                  "Lovelace", "Email", "ada@acme.test", "AccountId", acme, "OwnerId", user1,
                  "IsDeleted", 0, "SystemModstamp", "2024-09-05T00:00:00.000+0000"));
    add("Contact",
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "Id", c2, "FirstName", "Alan", "LastName",
                  "Turing", "Email", "alan@acme.test", "AccountId", acme, "OwnerId", user2,
                  "IsDeleted", 0, "SystemModstamp", "2024-09-06T00:00:00.000+0000"));
    add("Contact", json_pack("{s:s,s:s,s:s,s:n,s:n,s:s,s:b,s:s}", "Id", c3, "FirstName", "Grace",
                             "LastName", "Hopper", "Email", "AccountId", "OwnerId", user1,
                             "IsDeleted", 0, "SystemModstamp", "2024-09-07T00:00:00.000+0000"));

    /* Leads: owned by a user, by a queue, by a user whose manager chain is long, and by an id
     * that points nowhere. */
    add("Lead",
        json_pack("{s:s,s:s,s:s,s:s,s:n,s:s,s:s,s:s,s:i,s:b,s:b,s:s,s:s,s:s,s:f,s:s,s:s}", "Id",
                  lead1, "FirstName", "Ann", "LastName", "Smith", "Email", "ann@x.test", "Phone",
                  "Company", "Acme", "LeadSource", "Web", "Description", "long text",
                  "NumberOfEmployees", 100, "IsConverted", 0, "IsDeleted", 0, "CreatedDate",
                  "2024-09-01T09:00:00.000+0000", "SystemModstamp", "2024-09-11T10:00:00.000+0000",
                  "OwnerId", user1, "Score__c", 12.5, "Interests__c", "Golf;Tennis;Chess",
                  "Birthdate__c", "1990-05-01"));
    add("Lead",
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:b,s:b,s:s,s:s,s:s,s:f,s:s,s:s}", "Id", lead2,
                  "FirstName", "Pat", "LastName", "O'Brien", "Email", "pat@x.test", "Phone",
                  "555-0100", "Company", "Globex", "LeadSource", "Phone", "NumberOfEmployees", 5,
                  "IsConverted", 1, "IsDeleted", 0, "CreatedDate", "2024-09-02T09:00:00.000+0000",
                  "SystemModstamp", "2024-09-10T08:00:00.000+0000", "OwnerId", queue, "Score__c",
                  -3.0, "Interests__c", "Tennis", "Birthdate__c", "2024-09-11"));
    add("Lead", json_pack("{s:s,s:s,s:n,s:s,s:n,s:b,s:s,s:s,s:s}", "Id", lead3, "LastName",
                          "smithers", "Email", "Company", "Acme", "LeadSource", "IsDeleted", 0,
                          "CreatedDate", "2024-09-03T09:00:00.000+0000", "SystemModstamp",
                          "2024-09-11T11:59:00.000+0000", "OwnerId", user2));
    add("Lead",
        json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:i}", "Id", lead4, "LastName", "100% Sure",
                  "Company", "a_b", "LeadSource", "Web", "IsDeleted", 0, "CreatedDate",
                  "2024-09-04T09:00:00.000+0000", "SystemModstamp", "2024-09-12T01:00:00.000+0000",
                  "OwnerId", dangling, "NumberOfEmployees", 5));
    add("Lead",
        json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "Id", lead5, "LastName", "Zo\xc3\xab", "Company",
                  "axb", "IsDeleted", 1, "CreatedDate", "2024-08-01T00:00:00.000+0000",
                  "SystemModstamp", "2024-08-01T00:00:00.000+0000", "OwnerId", user1));
    add("Lead", json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "Id", lead6, "LastName",
                          "Tab\there \\ \"q\"\nend", "Company", "Caf\xc3\xa9", "LeadSource",
                          "Partner", "IsDeleted", 0, "CreatedDate", "2024-01-01T00:00:00.000+0000",
                          "SystemModstamp", "2024-01-01T00:00:00.000+0000", "OwnerId", manager));
}

static void org_teardown(void)
{
    for (size_t i = 0; i < org.n; i++)
        json_decref(org.rows[i].rec);
    free(org.rows);
    memset(&org, 0, sizeof(org));
}

TestSuite(soql, .init = org_setup, .fini = org_teardown);

/* ---------------------------------------------------------------- helpers */

static struct soql_query *parse_ok(const char *text)
{
    struct soql_query *q = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    enum sync_rc rc = soql_parse(text, &cat, &q, &err);
    cr_assert_eq(rc, SYNC_OK, "%s\n-> %s %s", text, err.code, err.message);
    cr_assert_not_null(q);
    return q;
}

/* Runs text (queryAll when all) and returns the matches' values of field, comma-joined. */
static const char *run_all(const char *text, const char *field, int all)
{
    static char out[4096];
    struct soql_query *q = parse_ok(text);
    struct sync_err err = SYNC_ERR_INIT;
    json_t *arr = NULL;
    size_t i;

    cr_assert_eq(soql_execute(q, &rows, all, now_ms, &arr, &err), SYNC_OK, "%s", err.message);
    out[0] = '\0';
    for (i = 0; i < json_array_size(arr); i++) {
        const json_t *v = json_object_get(json_array_get(arr, i), field);
        size_t len = strlen(out);
        snprintf(out + len, sizeof(out) - len, "%s%s", i ? "," : "",
                 json_is_string(v) ? json_string_value(v) : "null");
    }
    json_decref(arr);
    soql_query_free(q);
    return out;
}

static const char *run(const char *text, const char *field)
{
    return run_all(text, field, 0);
}

static void expect_error(const char *text, const char *code, const char *message_part)
{
    struct soql_query *q = (struct soql_query *)0x1;
    struct sync_err err = SYNC_ERR_INIT;
    enum sync_rc rc = soql_parse(text, &cat, &q, &err);
    cr_assert_eq(rc, SYNC_ERR_VENDOR, "%s: parsed (rc %d)", text, rc);
    cr_assert_null(q);
    cr_assert_eq(err.http_status, 400, "%s", text);
    cr_assert_str_eq(err.code, code, "%s\n-> %s %s", text, err.code, err.message);
    if (message_part)
        cr_assert(strstr(err.message, message_part), "%s\n-> message was: %s", text, err.message);
}

/* The projection of the query's first match, serialised compactly. */
static char *project_first(const char *text, const char *version)
{
    struct soql_query *q = parse_ok(text);
    struct sync_err err = SYNC_ERR_INIT;
    json_t *arr = NULL, *p;
    char *s;

    cr_assert_eq(soql_execute(q, &rows, 0, now_ms, &arr, &err), SYNC_OK);
    cr_assert_geq(json_array_size(arr), 1, "%s matched nothing", text);
    p = soql_project(q, json_array_get(arr, 0), &rows, version);
    s = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(p);
    json_decref(arr);
    soql_query_free(q);
    return s;
}

/* ---------------------------------------------------------------- parsing */

Test(soql, parses_object_count_and_names_ignoring_case)
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

Test(soql, keywords_may_name_objects_after_from)
{
    cr_assert_str_eq(run("SELECT Name FROM Group WHERE Type = 'Queue'", "Name"), "Web Queue");
    expect_error("SELECT Id FROM WHERE", "MALFORMED_QUERY", "unexpected token: 'WHERE'");
}

Test(soql, unknown_object_is_invalid_type)
{
    expect_error("SELECT Id FROM Foo", "INVALID_TYPE",
                 "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type "
                 "'Foo' is not supported.");
}

Test(soql, unknown_field_gives_salesforce_exact_message)
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

Test(soql, malformed_query_echoes_line_caret_and_column)
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

Test(soql, mixing_and_with_or_needs_parentheses)
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

Test(soql, string_literals_decode_every_escape)
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

Test(soql, illegal_escapes_are_malformed)
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

Test(soql, like_is_case_insensitive_with_wildcards_and_escapes)
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

Test(soql, ids_compare_in_15_and_18_character_forms)
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

Test(soql, nulls_follow_salesforce_rules)
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

Test(soql, numbers_compare_numerically)
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

Test(soql, datetimes_compare_by_instant_in_every_literal_form)
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

Test(soql, dates_compare_as_dates)
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

Test(soql, date_literals_are_ranges_relative_to_now)
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

Test(soql, order_by_keys_directions_and_null_placement)
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

Test(soql, limit_and_offset_page_the_sorted_matches)
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

Test(soql, count_returns_the_matching_records)
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

Test(soql, query_all_sees_the_recycle_bin)
{
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE IsDeleted = true", "LastName"), "");
    cr_assert_str_eq(run_all("SELECT LastName FROM Lead WHERE IsDeleted = true", "LastName", 1),
                     "Zo\xc3\xab");
}

Test(soql, parent_paths_project_as_nested_records)
{
    char want[1024], *got;

    got = project_first("SELECT LastName, Account.Name FROM Contact ORDER BY LastName", "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v62.0/sobjects/"
             "Contact/%s\"},\"LastName\":\"Hopper\",\"Account\":null}",
             c3);
    cr_assert_str_eq(got, want);
    free(got);

    got = project_first("SELECT LastName, account.name, ACCOUNT.OWNER.NAME, Account.Industry FROM "
                        "Contact WHERE LastName = 'Lovelace'",
                        "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v62.0/sobjects/"
             "Contact/%s\"},\"LastName\":\"Lovelace\",\"Account\":{\"attributes\":{\"type\":"
             "\"Account\",\"url\":\"/services/data/v62.0/sobjects/Account/%s\"},\"Name\":\"Acme\","
             "\"Owner\":{\"attributes\":{\"type\":\"User\",\"url\":\"/services/data/v62.0/"
             "sobjects/User/%s\"},\"Name\":\"Rita Rep\"},\"Industry\":\"Tech\"}}",
             c1, acme, user1);
    cr_assert_str_eq(got, want);
    free(got);

    cr_assert_str_eq(run("SELECT LastName FROM Contact WHERE Account.Name = 'acme'", "LastName"),
                     "Lovelace,Turing");
    cr_assert_str_eq(run("SELECT LastName FROM Contact WHERE Account.Name = null", "LastName"),
                     "Hopper");
    cr_assert_str_eq(
        run("SELECT LastName FROM Contact WHERE Account.Owner.Email LIKE 'rita%'", "LastName"),
        "Lovelace,Turing");
    cr_assert_str_eq(
        run("SELECT LastName FROM Contact ORDER BY Account.Name DESC, LastName DESC", "LastName"),
        "Turing,Lovelace,Hopper");
}

Test(soql, polymorphic_owner_resolves_per_record)
{
    char want[1024], *got;

    got = project_first("SELECT LastName, Owner.Name, Owner.Email, Owner.Type FROM Lead WHERE "
                        "LastName = 'O\\'Brien'",
                        "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Lead\",\"url\":\"/services/data/v62.0/sobjects/Lead/"
             "%s\"},\"LastName\":\"O'Brien\",\"Owner\":{\"attributes\":{\"type\":\"Name\","
             "\"url\":\"/services/data/v62.0/sobjects/Group/%s\"},\"Name\":\"Web Queue\","
             "\"Email\":null,\"Type\":\"Queue\"}}",
             lead2, queue);
    cr_assert_str_eq(got, want);
    free(got);
    got = project_first("SELECT Owner.Name, Owner.Email, Owner.Type FROM Lead WHERE LastName = "
                        "'Smith'",
                        "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Lead\",\"url\":\"/services/data/v62.0/sobjects/Lead/"
             "%s\"},\"Owner\":{\"attributes\":{\"type\":\"Name\",\"url\":\"/services/data/v62.0/"
             "sobjects/User/%s\"},\"Name\":\"Rita Rep\",\"Email\":\"rita@acme.test\",\"Type\":"
             "\"User\"}}",
             lead1, user1);
    cr_assert_str_eq(got, want);
    free(got);
    /* a dangling reference is a null relationship */
    got = project_first("SELECT Owner.Name FROM Lead WHERE LastName LIKE '100%'", "62.0");
    cr_assert(strstr(got, "\"Owner\":null"), "%s", got);
    free(got);
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Owner.Type = 'Queue'", "LastName"),
                     "O'Brien");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE Owner.Email = 'RITA@acme.test'", "LastName"), "Smith");
    {
        const char *users = run("SELECT LastName FROM Lead WHERE Owner.Type = 'User'", "LastName");
        cr_assert(strstr(users, "Smith") && !strstr(users, "O'Brien"), "%s", users);
    }
    /* a polymorphic relationship reaches the Name entity, not the referenced object */
    expect_error("SELECT Owner.Nope FROM Lead", "INVALID_FIELD",
                 "No such column 'Nope' on entity 'Name'");
}

Test(soql, paths_go_five_levels_and_no_further)
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

Test(soql, child_subqueries_nest_their_own_clauses)
{
    char want[2048], *got;

    got = project_first("SELECT Name, (SELECT LastName, Owner.Name FROM Contacts ORDER BY "
                        "LastName) FROM Account WHERE Name = 'Acme'",
                        "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Account\",\"url\":\"/services/data/v62.0/sobjects/"
             "Account/%s\"},\"Name\":\"Acme\",\"Contacts\":{\"totalSize\":2,\"done\":true,"
             "\"records\":[{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v62.0/"
             "sobjects/Contact/%s\"},\"LastName\":\"Lovelace\",\"Owner\":{\"attributes\":{"
             "\"type\":\"User\",\"url\":\"/services/data/v62.0/sobjects/User/%s\"},\"Name\":"
             "\"Rita Rep\"}},{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/"
             "v62.0/sobjects/Contact/%s\"},\"LastName\":\"Turing\",\"Owner\":{\"attributes\":{"
             "\"type\":\"User\",\"url\":\"/services/data/v62.0/sobjects/User/%s\"},\"Name\":"
             "\"Sam Seller\"}}]}}",
             acme, c1, user1, c2, user2);
    cr_assert_str_eq(got, want);
    free(got);

    got = project_first("SELECT Name, (SELECT LastName FROM Contacts WHERE FirstName LIKE 'a%' "
                        "ORDER BY LastName DESC LIMIT 1) FROM Account WHERE Name = 'Acme'",
                        "62.0");
    cr_assert(strstr(got, "\"Contacts\":{\"totalSize\":1,\"done\":true,\"records\":[{"), "%s", got);
    cr_assert(strstr(got, "\"LastName\":\"Turing\"}]}"), "%s", got);
    free(got);

    /* an empty child relationship is null */
    got = project_first("SELECT Name, (SELECT Id FROM Contacts) FROM Account WHERE Name = "
                        "'Globex'",
                        "62.0");
    cr_assert(strstr(got, "\"Name\":\"Globex\",\"Contacts\":null}"), "%s", got);
    free(got);
    got = project_first("SELECT (SELECT Name FROM ChildAccounts) FROM Account WHERE Name = 'Acme'",
                        "62.0");
    cr_assert(strstr(got, "\"Name\":\"Acme EU\""), "%s", got);
    free(got);

    expect_error("SELECT Id, (SELECT Id FROM Foos) FROM Account", "INVALID_TYPE",
                 "Didn't understand relationship 'Foos' in FROM part of query call.");
    expect_error("SELECT Id, (SELECT Nope FROM Contacts) FROM Account", "INVALID_FIELD",
                 "No such column 'Nope' on entity 'Contact'");
    expect_error("SELECT Id, (SELECT Id, (SELECT Id FROM Contacts) FROM Contacts) FROM Account",
                 "MALFORMED_QUERY", NULL);
    expect_error("SELECT Id, (SELECT Id FROM Contacts FROM Account", "MALFORMED_QUERY", NULL);
}

Test(soql, projection_puts_attributes_first_and_fields_in_select_order)
{
    char want[512], *got;
    char q[256];

    snprintf(q, sizeof q, "select email, ID, phone, score__c from lead where id = '%s'", lead3);
    got = project_first(q, "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Lead\",\"url\":\"/services/data/v62.0/sobjects/Lead/"
             "%s\"},\"Email\":null,\"Id\":\"%s\",\"Phone\":null,\"Score__c\":null}",
             lead3, lead3);
    cr_assert_str_eq(got, want);
    free(got);
    got = project_first(q, "v59.0");
    cr_assert(strstr(got, "/services/data/v59.0/sobjects/Lead/"), "%s", got);
    free(got);
}

Test(soql, fields_function_expands_the_catalog)
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

Test(soql, multipicklists_include_exclude_and_compare_as_sets)
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

Test(soql, non_filterable_fields_are_refused_in_where)
{
    expect_error("SELECT Id FROM Lead WHERE Description = 'x'", "INVALID_FIELD",
                 "field 'Description' can not be filtered in a query call");
    expect_error("SELECT Id FROM Lead WHERE Address = null", "INVALID_FIELD",
                 "field 'Address' can not be filtered in a query call");
    soql_query_free(parse_ok("SELECT Description, Address FROM Lead"));
}

/* ---------------------------------------------------------------- the sync engine's pattern */

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

Test(soql, incremental_sync_keyset_pages_see_every_record_once)
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

/* ---------------------------------------------------------------- conditions */

Test(soql, conditions_match_single_records_for_validation_rules)
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

/* ---------------------------------------------------------------- malformed input */

Test(soql, malformed_queries_are_refused_as_malformed_query)
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

Test(soql, long_query_lines_are_cut_around_the_caret)
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

Test(soql, mutated_queries_never_crash)
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

/* ---------------------------------------------------------------- speed */

Test(soql, filters_and_sorts_a_hundred_thousand_records_quickly)
{
    enum { N = 100000 };
    struct soql_query *q;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *arr = NULL;
    int64_t t0, t1, base;
    char id[19], stamp[40];
#if defined(__SANITIZE_ADDRESS__)
    const int64_t budget_ms = 8000;
#else
    const int64_t budget_ms = 1000;
#endif

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
    cr_log_info("two queries over %d records: %lld ms", N, (long long)(t1 - t0));
    cr_assert_lt(t1 - t0, budget_ms, "took %lld ms", (long long)(t1 - t0));
}
