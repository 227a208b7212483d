/* Tests emulators/salesforce/rules.c: declaring validation and duplicate rules from their JSON
 * form (bad definitions refused, nothing added), listing them back in the same form, and checking
 * records against them, against a fresh org of the default schema. */
#include <criterion/criterion.h>
#include <string.h>

#include "emulators/salesforce/api.h"
#include "emulators/salesforce/rules.h"

static struct sf_server srv;
static struct sf_call c;
static const char *dup_header; /* Sforce-Duplicate-Rule-Header of the call */

static const char *headers(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "Sforce-Duplicate-Rule-Header") == 0 ? dup_header : NULL;
}

static void setup(void)
{
    struct sf_schema s;
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_eq(schema_load_default(&s, &err), SYNC_OK);
    cr_assert_eq(server_init(&srv, &s, &err), SYNC_OK);
    server_fresh_org(&srv);
    memset(&c, 0, sizeof(c));
    c.srv = &srv;
    c.org = &srv.org;
    c.header_fn = headers;
    c.now = org_now();
    c.view_now = c.now;
    snprintf(c.version, sizeof(c.version), "62.0");
    memcpy(c.user_id, srv.org.integration_user, 19);
    dup_header = NULL;
}

static void teardown(void)
{
    server_release(&srv);
}

TestSuite(rules, .init = setup, .fini = teardown);

static enum sync_rc add(enum sync_rc (*fn)(struct sf_org *, const json_t *, struct sync_err *),
                        const char *def, struct sync_err *err)
{
    json_t *d = json_loads(def, 0, NULL);
    enum sync_rc rc;
    cr_assert_not_null(d, "bad test JSON %s", def);
    rc = fn(&srv.org, d, err);
    json_decref(d);
    return rc;
}

/* Checks a record given as JSON text against the rules; returns the error code or "". */
static const char *check(const char *object, const char *rec, const char *self, struct sf_error *e)
{
    static char code[64];
    const struct sf_object *o = schema_object(&srv.org.schema, object);
    json_t *r = json_loads(rec, 0, NULL);
    cr_assert_not_null(r);
    sf_error_init(e);
    code[0] = '\0';
    if (rules_check(&c, o, r, self, e))
        snprintf(code, sizeof(code), "%s", e->code);
    json_decref(r);
    return code;
}

Test(rules, validation_rule_fails_matching_records_with_its_message_and_field)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sf_error e;
    cr_assert_eq(add(rules_add_validation,
                     "{\"object\":\"lead\",\"name\":\"Phone_For_Web\",\"condition\":\"Phone = null "
                     "AND LeadSource = 'Web'\",\"message\":\"Phone please\",\"field\":\"phone\"}",
                     &err),
                 SYNC_OK, "%s", err.message);
    cr_assert_str_eq(check("Lead", "{\"LeadSource\":\"Web\",\"LastName\":\"A\"}", NULL, &e),
                     "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    cr_assert_str_eq(e.message, "Phone please");
    cr_assert_str_eq(json_string_value(json_array_get(e.fields, 0)), "Phone");
    sf_error_release(&e);
    cr_assert_str_eq(check("Lead", "{\"LeadSource\":\"Web\",\"Phone\":\"555\"}", NULL, &e), "");
    cr_assert_str_eq(check("Contact", "{\"LeadSource\":\"Web\"}", NULL, &e), "",
                     "a rule applies to its own object only");
    sf_error_release(&e);
}

Test(rules, bad_validation_rules_are_refused_and_nothing_is_added)
{
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_neq(add(rules_add_validation,
                      "{\"object\":\"Nope\",\"condition\":\"x\",\"message\":\"m\"}", &err),
                  SYNC_OK);
    cr_assert(strstr(err.message, "unknown or missing object"), "%s", err.message);
    cr_assert_neq(add(rules_add_validation,
                      "{\"object\":\"Lead\",\"condition\":\"Nope__c = 1\",\"message\":\"m\"}",
                      &err),
                  SYNC_OK);
    cr_assert(strstr(err.message, "condition: "), "%s", err.message);
    cr_assert_neq(
        add(rules_add_validation, "{\"object\":\"Lead\",\"condition\":\"Phone = null\"}", &err),
        SYNC_OK);
    cr_assert_neq(add(rules_add_validation,
                      "{\"object\":\"Lead\",\"condition\":\"Phone = null\",\"message\":\"m\","
                      "\"field\":\"Nope\"}",
                      &err),
                  SYNC_OK);
    cr_assert_eq(srv.org.nvrules, 0);
    cr_assert_eq(json_array_size(rules_validation_json(&srv.org)), 0);
}

Test(rules, rules_list_back_in_the_form_they_were_declared)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *v, *d, *want;
    cr_assert_eq(add(rules_add_validation,
                     "{\"object\":\"Lead\",\"name\":\"R\",\"condition\":\"Phone = null\","
                     "\"message\":\"m\"}",
                     &err),
                 SYNC_OK);
    cr_assert_eq(add(rules_add_duplicate,
                     "{\"object\":\"Contact\",\"name\":\"D\",\"fields\":[\"email\",\"LASTNAME\"],"
                     "\"action\":\"alert\"}",
                     &err),
                 SYNC_OK, "%s", err.message);
    v = rules_validation_json(&srv.org);
    want = json_loads("[{\"object\":\"Lead\",\"name\":\"R\",\"condition\":\"Phone = null\","
                      "\"message\":\"m\",\"field\":null}]",
                      0, NULL);
    cr_assert(json_equal(v, want));
    json_decref(want);
    d = rules_duplicate_json(&srv.org);
    want = json_loads("[{\"object\":\"Contact\",\"name\":\"D\",\"fields\":[\"Email\",\"LastName\"],"
                      "\"action\":\"alert\"}]",
                      0, NULL);
    cr_assert(json_equal(d, want), "canonical field names, the action kept");
    json_decref(want);
    /* what is listed can be declared again: persistence reloads rules this way */
    org_duprules_clear(&srv.org);
    cr_assert_eq(rules_add_duplicate(&srv.org, json_array_get(d, 0), &err), SYNC_OK);
    cr_assert_eq(srv.org.nduprules, 1);
    json_decref(v);
    json_decref(d);
}

Test(rules, duplicate_rules_match_live_records_ignoring_case_and_name_them)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sf_error e;
    struct sf_rec *other = server_insert_raw(
        &srv, NULL, "Contact",
        json_pack("{s:s, s:s}", "LastName", "Lovelace", "Email", "ada@x.test"), c.now, NULL);
    json_t *match;
    cr_assert_not_null(other);
    cr_assert_eq(add(rules_add_duplicate,
                     "{\"object\":\"Contact\",\"name\":\"Same_Email\",\"fields\":[\"Email\"]}",
                     &err),
                 SYNC_OK);
    cr_assert_str_eq(check("Contact", "{\"Email\":\"ADA@x.test\"}", NULL, &e),
                     "DUPLICATES_DETECTED");
    cr_assert_str_eq(json_string_value(json_object_get(e.extra, "duplicateRule")), "Same_Email");
    cr_assert(json_is_false(json_object_get(e.extra, "allowSave")), "a blocking rule");
    match =
        json_array_get(json_object_get(json_array_get(json_object_get(e.extra, "matchResults"), 0),
                                       "matchRecords"),
                       0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(match, "record"), "Id")),
                     other->id);
    sf_error_release(&e);
    cr_assert_str_eq(check("Contact", "{\"Email\":\"ada@x.test\"}", other->id, &e), "",
                     "a record never duplicates itself");
    cr_assert_str_eq(check("Contact", "{\"LastName\":\"No email\"}", NULL, &e), "",
                     "a null field never matches");
    dup_header = "allowSave=true";
    cr_assert_str_eq(check("Contact", "{\"Email\":\"ada@x.test\"}", NULL, &e),
                     "DUPLICATES_DETECTED", "allowSave does not pass a blocking rule");
    sf_error_release(&e);
}

Test(rules, alert_rules_let_allow_save_through)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sf_error e;
    cr_assert_not_null(server_insert_raw(
        &srv, NULL, "Contact",
        json_pack("{s:s, s:s}", "LastName", "Hopper", "Email", "grace@x.test"), c.now, NULL));
    cr_assert_eq(add(rules_add_duplicate,
                     "{\"object\":\"Contact\",\"fields\":[\"Email\"],\"action\":\"alert\"}", &err),
                 SYNC_OK);
    cr_assert_str_eq(check("Contact", "{\"Email\":\"grace@x.test\"}", NULL, &e),
                     "DUPLICATES_DETECTED");
    cr_assert(json_is_true(json_object_get(e.extra, "allowSave")));
    sf_error_release(&e);
    dup_header = "allowSave=true";
    cr_assert_str_eq(check("Contact", "{\"Email\":\"grace@x.test\"}", NULL, &e), "");
}

Test(rules, bad_duplicate_rules_are_refused)
{
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_neq(add(rules_add_duplicate, "{\"object\":\"Contact\",\"fields\":[]}", &err),
                  SYNC_OK);
    cr_assert_neq(
        add(rules_add_duplicate, "{\"object\":\"Contact\",\"fields\":[\"Email\",\"Nope\"]}", &err),
        SYNC_OK);
    cr_assert(strstr(err.message, "no field Nope on Contact"), "%s", err.message);
    cr_assert_neq(add(rules_add_duplicate,
                      "{\"object\":\"Contact\",\"fields\":[\"Email\"],\"action\":\"warn\"}", &err),
                  SYNC_OK);
    cr_assert_eq(srv.org.nduprules, 0);
}
