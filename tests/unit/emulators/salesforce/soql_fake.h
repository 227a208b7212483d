/*
 * soql_fake.h: the small fake org the SOQL module's unit tests run against
 * (Lead, Contact, Account, User and Group, with a polymorphic Lead owner):
 * a catalog and a row source in the shapes soql.h asks for, the fixture's
 * records (org_setup/org_teardown, for a TestSuite's .init/.fini) and the
 * helpers the tests share. Included by tests/unit/emulators/salesforce/
 * soql.c, soql_check.c, soql_exec.c and soql_project.c only; each test
 * program gets its own copy.
 */
#ifndef TESTS_UNIT_EMU_SF_SOQL_FAKE_H
#define TESTS_UNIT_EMU_SF_SOQL_FAKE_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

__attribute__((unused)) static json_t *add(const char *object, json_t *rec)
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

__attribute__((unused)) static const char *id_of(const json_t *rec)
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

/* ---------------------------------------------------------------- helpers */

__attribute__((unused)) static struct soql_query *parse_ok(const char *text)
{
    struct soql_query *q = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    enum sync_rc rc = soql_parse(text, &cat, &q, &err);
    cr_assert_eq(rc, SYNC_OK, "%s\n-> %s %s", text, err.code, err.message);
    cr_assert_not_null(q);
    return q;
}

/* Runs text (queryAll when all) and returns the matches' values of field, comma-joined. */
__attribute__((unused)) static const char *run_all(const char *text, const char *field, int all)
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

__attribute__((unused)) static const char *run(const char *text, const char *field)
{
    return run_all(text, field, 0);
}

__attribute__((unused)) static void expect_error(const char *text, const char *code,
                                                 const char *message_part)
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
__attribute__((unused)) static char *project_first(const char *text, const char *version)
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

#endif
