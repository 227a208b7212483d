/* Tests emulators/salesforce/validate.c: the checks a write goes through, each with the error
 * code, status, message and fields a real org answers, against a fresh org of the default
 * schema (plus a custom time field on Contact). */
#include <criterion/criterion.h>
#include <string.h>

#include "emulators/salesforce/api.h"
#include "emulators/salesforce/validate.h"

static struct sf_server srv;
static struct sf_call c;

static const char *no_headers(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static void setup(void)
{
    struct sf_schema s;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *extra =
        json_loads("{\"objects\":{\"Contact\":{\"fields\":{\"Wake__c\":\"time\"}}}}", 0, NULL);
    cr_assert_eq(schema_load_default(&s, &err), SYNC_OK);
    cr_assert_eq(schema_apply(&s, extra, &err), SYNC_OK, "%s", err.message);
    json_decref(extra);
    cr_assert_eq(server_init(&srv, &s, &err), SYNC_OK);
    server_fresh_org(&srv);
    memset(&c, 0, sizeof(c));
    c.srv = &srv;
    c.org = &srv.org;
    c.header_fn = no_headers;
    c.now = org_now();
    c.view_now = c.now;
    snprintf(c.version, sizeof(c.version), "62.0");
    memcpy(c.user_id, srv.org.integration_user, 19);
}

static void teardown(void)
{
    server_release(&srv);
}

TestSuite(validate, .init = setup, .fini = teardown);

/* Validates an insert of the JSON text; returns the record or NULL with e filled. */
static json_t *insert(const char *object, const char *body, struct sf_error *e)
{
    const struct sf_object *o = schema_object(&srv.org.schema, object);
    json_t *b = json_loads(body, 0, NULL);
    char id[19];
    json_t *rec;
    cr_assert_not_null(b, "bad test JSON %s", body);
    org_new_id(&srv.org, o, id);
    sf_error_init(e);
    rec = validate_write(&c, o, NULL, b, id, e);
    json_decref(b);
    return rec;
}

static void expect(const char *object, const char *body, const char *code, const char *message,
                   const char *field)
{
    struct sf_error e;
    json_t *rec = insert(object, body, &e);
    cr_assert_null(rec, "%s should fail with %s", body, code);
    cr_assert_str_eq(e.code, code);
    cr_assert_eq(e.status, 400);
    if (message)
        cr_assert_str_eq(e.message, message);
    if (field) {
        cr_assert_eq(json_array_size(e.fields), 1);
        cr_assert_str_eq(json_string_value(json_array_get(e.fields, 0)), field);
    }
    sf_error_release(&e);
}

Test(validate, email_rules)
{
    cr_assert(validate_email("a@b.co"));
    cr_assert(validate_email("first.last+tag@sub.example.org"));
    cr_assert_not(validate_email("foo"));
    cr_assert_not(validate_email("a@b"));
    cr_assert_not(validate_email("a@@b.co"));
    cr_assert_not(validate_email("a b@c.co"));
    cr_assert_not(validate_email(".a@b.co"));
    cr_assert_not(validate_email("a@b.c"));
}

Test(validate, utf8_length_counts_characters)
{
    cr_assert_eq(validate_utf8_len("abc"), 3);
    cr_assert_eq(validate_utf8_len("S\xc3\xa3o"), 3);
}

Test(validate, a_good_insert_gets_defaults_system_and_derived_fields)
{
    struct sf_error e;
    json_t *rec = insert("Lead",
                         "{\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\","
                         "\"Company\":\"Acme\",\"Email\":\"ada@example.com\"}",
                         &e);
    cr_assert_not_null(rec, "%s", e.message);
    cr_assert_str_eq(json_string_value(json_object_get(rec, "Name")), "Ada Lovelace");
    cr_assert_str_eq(json_string_value(json_object_get(rec, "Status")), "Open - Not Contacted");
    cr_assert_str_eq(json_string_value(json_object_get(rec, "OwnerId")), srv.org.integration_user);
    cr_assert(json_is_false(json_object_get(rec, "IsConverted")));
    cr_assert_not_null(json_object_get(rec, "CreatedDate"));
    cr_assert_not_null(json_object_get(rec, "SystemModstamp"));
    json_decref(rec);
}

Test(validate, required_fields_are_listed_together)
{
    expect("Lead", "{\"FirstName\":\"No\"}", "REQUIRED_FIELD_MISSING",
           "Required fields are missing: [LastName, Company]", NULL);
}

Test(validate, long_values_name_label_value_and_max)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"LastName\":\"%081d\"}", 0);
    expect("Contact", body, "STRING_TOO_LONG", NULL, "LastName");
}

Test(validate, bad_email_and_restricted_picklist)
{
    expect("Lead", "{\"LastName\":\"E\",\"Company\":\"C\",\"Email\":\"foo\"}",
           "INVALID_EMAIL_ADDRESS", "Email: invalid email address: foo", "Email");
    expect("Lead", "{\"LastName\":\"E\",\"Company\":\"C\",\"Status\":\"Hot\"}",
           "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
           "Lead Status: bad value for restricted picklist field: Hot", "Status");
}

Test(validate, unknown_and_read_only_fields)
{
    expect("Contact", "{\"LastName\":\"X\",\"Foo__c\":1}", "INVALID_FIELD",
           "No such column 'Foo__c' on sobject of type Contact", NULL);
    expect("Opportunity",
           "{\"Name\":\"O\",\"StageName\":\"Prospecting\",\"CloseDate\":\"2030-01-01\","
           "\"IsWon\":true}",
           "INVALID_FIELD_FOR_INSERT_UPDATE", NULL, "IsWon");
}

Test(validate, lookups_check_form_type_and_existence)
{
    expect("Contact", "{\"LastName\":\"X\",\"AccountId\":\"nope\"}", "MALFORMED_ID",
           "Account ID: id value of incorrect type: nope", "AccountId");
    expect("Contact", "{\"LastName\":\"X\",\"AccountId\":\"001Hs0ZZZZZZZZZ\"}",
           "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "AccountId");
    expect("Contact", "{\"LastName\":\"X\",\"AccountId\":\"003Hs0ZZZZZZZZZ\"}",
           "FIELD_INTEGRITY_EXCEPTION", NULL, "AccountId");
}

Test(validate, numbers_and_dates_are_typed)
{
    struct sf_error e;
    json_t *rec =
        insert("Opportunity",
               "{\"Name\":\"O\",\"StageName\":\"Closed Won\",\"CloseDate\":\"2030-01-01\","
               "\"Amount\":\"1234.567\"}",
               &e);
    cr_assert_not_null(rec, "%s", e.message);
    cr_assert_float_eq(json_real_value(json_object_get(rec, "Amount")), 1234.57, 1e-9);
    cr_assert(json_is_true(json_object_get(rec, "IsWon")));
    cr_assert(json_is_true(json_object_get(rec, "IsClosed")));
    cr_assert_float_eq(json_real_value(json_object_get(rec, "Probability")), 100.0, 1e-9);
    json_decref(rec);
    expect("Opportunity",
           "{\"Name\":\"O\",\"StageName\":\"Prospecting\",\"CloseDate\":\"someday\"}",
           "JSON_PARSER_ERROR", NULL, NULL);
    expect("Account", "{\"Name\":\"A\",\"NumberOfEmployees\":1000000000}",
           "NUMBER_OUTSIDE_VALID_RANGE", NULL, "NumberOfEmployees");
}

Test(validate, state_and_country_codes_follow_the_setting)
{
    struct sf_error e;
    json_t *rec;
    expect("Contact", "{\"LastName\":\"G\",\"MailingCountryCode\":\"US\"}", "INVALID_FIELD", NULL,
           NULL);
    srv.org.settings.state_country_picklists = 1;
    rec = insert("Contact",
                 "{\"LastName\":\"G\",\"MailingCountryCode\":\"US\","
                 "\"MailingStateCode\":\"CA\"}",
                 &e);
    cr_assert_not_null(rec, "%s", e.message);
    cr_assert_str_eq(json_string_value(json_object_get(rec, "MailingCountry")), "United States");
    cr_assert_str_eq(json_string_value(json_object_get(rec, "MailingState")), "California");
    json_decref(rec);
    expect("Contact",
           "{\"LastName\":\"G\",\"MailingCountryCode\":\"US\",\"MailingStateCode\":\"FD\"}",
           "FIELD_INTEGRITY_EXCEPTION", NULL, "MailingStateCode");
    expect("Contact", "{\"LastName\":\"G\",\"MailingCountry\":\"Narnia\"}",
           "FIELD_INTEGRITY_EXCEPTION", NULL, "MailingCountry");
}

Test(validate, permissions_make_fields_and_objects_read_only)
{
    const struct sf_object *lead = schema_object(&srv.org.schema, "Lead");
    srv.org.perms[lead->index].read_only_fields = json_pack("[s]", "Rating");
    expect("Lead", "{\"LastName\":\"P\",\"Company\":\"C\",\"Rating\":\"Hot\"}",
           "INSUFFICIENT_ACCESS_OR_READONLY", NULL, "Rating");
    srv.org.perms[lead->index].read_only = 1;
    expect("Lead", "{\"LastName\":\"P\",\"Company\":\"C\"}", "INSUFFICIENT_ACCESS_OR_READONLY",
           NULL, NULL);
}

Test(validate, read_only_objects_refuse_inserts)
{
    expect("RecordType", "{\"Name\":\"X\"}", "INVALID_TYPE_FOR_OPERATION",
           "entity type cannot be inserted: RecordType", NULL);
}

Test(validate, times_of_day_are_stored_in_salesforce_form)
{
    static const char *const good[][2] = {{"07:30", "07:30:00.000Z"},
                                          {"23:59:59", "23:59:59.000Z"},
                                          {"23:59:59.5Z", "23:59:59.500Z"},
                                          {"00:00:00.123456", "00:00:00.123Z"}};
    static const char *const bad[] = {"24:00", "7:30", "07:60", "07:30:00Zjunk", "07:30:", "x"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char body[128];
        struct sf_error e;
        json_t *rec;
        snprintf(body, sizeof(body), "{\"LastName\":\"T\",\"Wake__c\":\"%s\"}", good[i][0]);
        rec = insert("Contact", body, &e);
        cr_assert_not_null(rec, "%s: %s", good[i][0], e.message);
        cr_assert_str_eq(json_string_value(json_object_get(rec, "Wake__c")), good[i][1]);
        json_decref(rec);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[128];
        snprintf(body, sizeof(body), "{\"LastName\":\"T\",\"Wake__c\":\"%s\"}", bad[i]);
        expect("Contact", body, "JSON_PARSER_ERROR", NULL, NULL);
    }
    expect("Contact", "{\"LastName\":\"T\",\"Wake__c\":730}", "JSON_PARSER_ERROR", NULL, NULL);
}

/* Validates and stores an insert of the JSON text; its id goes to id. */
static void store(const char *object, const char *body, char id[19])
{
    const struct sf_object *o = schema_object(&srv.org.schema, object);
    struct sf_error e;
    struct sf_txn txn;
    json_t *b = json_loads(body, 0, NULL), *rec;
    cr_assert_not_null(b, "bad test JSON %s", body);
    org_new_id(&srv.org, o, id);
    sf_error_init(&e);
    rec = validate_write(&c, o, NULL, b, id, &e);
    json_decref(b);
    cr_assert_not_null(rec, "%s: %s", body, e.message);
    org_txn_begin(&srv.org, &txn, NULL, c.user_id, "62.0", c.now);
    cr_assert_not_null(org_insert(&srv.org, &txn, o, rec));
    org_txn_commit(&srv.org, &txn);
    org_txn_release(&txn);
}

Test(validate, a_task_or_event_with_a_lead_cannot_also_have_a_related_record)
{
    char lead[19], acct[19], body[256];
    struct sf_error e;
    json_t *rec;
    store("Lead", "{\"LastName\":\"L\",\"Company\":\"C\"}", lead);
    store("Account", "{\"Name\":\"A\"}", acct);
    snprintf(body, sizeof(body), "{\"Subject\":\"x\",\"WhoId\":\"%s\",\"WhatId\":\"%s\"}", lead,
             acct);
    rec = insert("Task", body, &e);
    cr_assert_null(rec);
    cr_assert_str_eq(e.code, "FIELD_INTEGRITY_EXCEPTION");
    cr_assert_eq(json_array_size(e.fields), 2);
    cr_assert_str_eq(json_string_value(json_array_get(e.fields, 0)), "WhoId");
    cr_assert_str_eq(json_string_value(json_array_get(e.fields, 1)), "WhatId");
    sf_error_release(&e);
    snprintf(body, sizeof(body),
             "{\"Subject\":\"x\",\"WhoId\":\"%s\",\"WhatId\":\"%s\","
             "\"StartDateTime\":\"2024-05-02T14:00:00Z\",\"DurationInMinutes\":30}",
             lead, acct);
    expect("Event", body, "FIELD_INTEGRITY_EXCEPTION", NULL, NULL);
    /* a lead alone is fine, and has no account */
    snprintf(body, sizeof(body), "{\"Subject\":\"x\",\"WhoId\":\"%s\"}", lead);
    rec = insert("Task", body, &e);
    cr_assert_not_null(rec, "%s", e.message);
    cr_assert_null(json_object_get(rec, "AccountId"));
    json_decref(rec);
}

/* The AccountId a task gets for a WhoId/WhatId pair (NULL: none). */
static void expect_account(const char *who, const char *what, const char *want)
{
    char body[256];
    struct sf_error e;
    json_t *rec;
    snprintf(body, sizeof(body), "{\"Subject\":\"x\"%s%s%s%s%s%s}", who ? ",\"WhoId\":\"" : "",
             who ? who : "", who ? "\"" : "", what ? ",\"WhatId\":\"" : "", what ? what : "",
             what ? "\"" : "");
    rec = insert("Task", body, &e);
    cr_assert_not_null(rec, "%s: %s", body, e.message);
    if (want)
        cr_assert_str_eq(json_string_value(json_object_get(rec, "AccountId")), want, "%s", body);
    else
        cr_assert_null(json_object_get(rec, "AccountId"), "%s", body);
    json_decref(rec);
}

Test(validate, an_activity_account_comes_from_an_account_or_opportunity_else_the_contact)
{
    char a[19], b[19], con[19], opp[19], kase[19], body[256];
    store("Account", "{\"Name\":\"A\"}", a);
    store("Account", "{\"Name\":\"B\"}", b);
    snprintf(body, sizeof(body), "{\"LastName\":\"C\",\"AccountId\":\"%s\"}", a);
    store("Contact", body, con);
    snprintf(body, sizeof(body),
             "{\"Name\":\"O\",\"StageName\":\"Prospecting\",\"CloseDate\":\"2030-01-01\","
             "\"AccountId\":\"%s\"}",
             b);
    store("Opportunity", body, opp);
    snprintf(body, sizeof(body), "{\"Subject\":\"K\",\"AccountId\":\"%s\"}", b);
    store("Case", body, kase);
    expect_account(con, b, b);        /* WhatId an account */
    expect_account(con, opp, b);      /* WhatId an opportunity: its account */
    expect_account(con, kase, a);     /* WhatId a case: the contact's account */
    expect_account(NULL, kase, NULL); /* a case and no contact: none */
    expect_account(con, NULL, a);
    expect_account(NULL, NULL, NULL);
}
