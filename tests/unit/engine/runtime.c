/* Tests src/engine/runtime.c: the settings in force are the file's overlaid by the store's
 * overrides; an override is checked before it is stored and stored in its canonical form; a
 * reset brings the file's value back; a stored value that no longer passes is not applied; the
 * JSON listing says where each value comes from. User mappings are added, re-pointed and
 * removed at run time the same way, checked first (types from the resolver or the hints),
 * stored with their types, and built-ins only change their rule. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/runtime.h"
#include "store/store.h"

#define OK(x) cr_assert_eq((x), SYNC_OK, "%s", err.message)

static struct sync_store *st;
static struct sync_config cfg;
static struct sync_settings live;
static struct sync_err err;

static void setup(void)
{
    sync_err_clear(&err);
    cr_assert_eq(sync_store_open(&st, "sqlite::memory:", &err), SYNC_OK, "%s", err.message);
    cr_assert_eq(sync_config_init(&cfg), SYNC_OK);
    cr_assert_eq(sync_settings_init(&live), SYNC_OK);
    /* the file sets deal_sync off */
    cr_assert_eq(sync_settings_set(&cfg.settings, SYNC_SETTING_DEAL_SYNC, "false", &err), SYNC_OK);
    cfg.settings_given[SYNC_SETTING_DEAL_SYNC] = 1;
}

static void teardown(void)
{
    sync_settings_release(&live);
    sync_config_release(&cfg);
    sync_store_close(st);
}

TestSuite(runtime, .init = setup, .fini = teardown);

static int64_t in_force(enum sync_setting id)
{
    OK(sync_runtime_settings_load(st, &cfg.settings, &live, &err));
    return sync_settings_int(&live, id);
}

Test(runtime, the_files_values_apply_until_an_override_and_again_after_a_reset)
{
    cr_assert_eq(in_force(SYNC_SETTING_DEAL_SYNC), 0);
    cr_assert_eq(in_force(SYNC_SETTING_SYNC), 1);
    OK(sync_runtime_setting_set(st, "deal_sync", json_true(), &err));
    OK(sync_runtime_setting_set_text(st, "sync", "off", &err));
    cr_assert_eq(in_force(SYNC_SETTING_DEAL_SYNC), 1);
    cr_assert_eq(in_force(SYNC_SETTING_SYNC), 0);
    OK(sync_runtime_setting_reset(st, "deal_sync", &err));
    cr_assert_eq(in_force(SYNC_SETTING_DEAL_SYNC), 0);
}

Test(runtime, a_bad_value_or_an_unknown_setting_is_refused_and_nothing_stored)
{
    struct sync_buf b = SYNC_BUF_INIT(1024);

    cr_assert_eq(sync_runtime_setting_set_text(st, "retry_interval", "3s", &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "retry_interval"), "%s", err.message);
    cr_assert_eq(sync_runtime_setting_set_text(st, "colour", "blue", &err), SYNC_ERR_NOT_FOUND);
    cr_assert_str_eq(err.message, "unknown setting 'colour'");
    cr_assert_eq(sync_store_setting_get(st, "retry_interval", &b, &err), SYNC_ERR_NOT_FOUND);
    sync_buf_release(&b);
}

Test(runtime, overrides_are_stored_in_their_canonical_form)
{
    struct sync_buf b = SYNC_BUF_INIT(1024);

    OK(sync_runtime_setting_set_text(st, "retry_interval", "60m", &err));
    OK(sync_store_setting_get(st, "retry_interval", &b, &err));
    cr_assert_str_eq(sync_buf_str(&b), "\"1h\"");
    sync_buf_reset(&b);
    OK(sync_runtime_setting_set_text(st, "retry_max_attempts", "12", &err));
    OK(sync_store_setting_get(st, "retry_max_attempts", &b, &err));
    cr_assert_str_eq(sync_buf_str(&b), "12");
    sync_buf_release(&b);
}

Test(runtime, a_stored_value_that_no_longer_passes_is_not_applied)
{
    OK(sync_store_setting_set(st, "retry_max_attempts", "100000", &err));
    OK(sync_store_setting_set(st, "suspension", "{\"kind\": \"api_limit\"}", &err));
    cr_assert_eq(in_force(SYNC_SETTING_RETRY_MAX_ATTEMPTS), 10, "the default stays");
}

Test(runtime, one_setting_loads_alone_with_the_same_rules_as_all)
{
    struct sync_settings one;

    cr_assert_eq(sync_settings_init(&one), SYNC_OK);
    OK(sync_runtime_setting_load(st, SYNC_SETTING_POLL_INTERVAL, &one, &err));
    cr_assert_eq(sync_settings_int(&one, SYNC_SETTING_POLL_INTERVAL), 30000, "none stored");
    OK(sync_runtime_setting_set_text(st, "poll_interval", "5s", &err));
    OK(sync_runtime_setting_set_text(st, "retry_max_attempts", "12", &err));
    OK(sync_runtime_setting_load(st, SYNC_SETTING_POLL_INTERVAL, &one, &err));
    cr_assert_eq(sync_settings_int(&one, SYNC_SETTING_POLL_INTERVAL), 5000);
    cr_assert_eq(sync_settings_int(&one, SYNC_SETTING_RETRY_MAX_ATTEMPTS), 10, "only the one");
    OK(sync_store_setting_set(st, "poll_interval", "\"a while\"", &err));
    OK(sync_runtime_setting_load(st, SYNC_SETTING_POLL_INTERVAL, &one, &err));
    cr_assert_eq(sync_settings_int(&one, SYNC_SETTING_POLL_INTERVAL), 5000,
                 "a bad value is not used");
    sync_settings_release(&one);
}

Test(runtime, the_listing_says_where_each_value_comes_from)
{
    json_t *all = NULL, *one = NULL;

    OK(sync_runtime_setting_set_text(st, "new_record_type", "contact", &err));
    OK(sync_runtime_settings_json(st, &cfg, &all, &err));
    cr_assert_eq(json_array_size(all), SYNC_SETTING__COUNT);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 0), "name")), "sync");
    OK(sync_runtime_setting_json(st, &cfg, "deal_sync", &one, &err));
    cr_assert_str_eq(json_string_value(json_object_get(one, "source")), "file");
    cr_assert(json_is_false(json_object_get(one, "value")));
    cr_assert(json_is_true(json_object_get(one, "default")));
    json_decref(one);
    OK(sync_runtime_setting_json(st, &cfg, "new_record_type", &one, &err));
    cr_assert_str_eq(json_string_value(json_object_get(one, "source")), "override");
    cr_assert_str_eq(json_string_value(json_object_get(one, "value")), "contact");
    cr_assert_eq(json_array_size(json_object_get(one, "choices")), 2);
    json_decref(one);
    OK(sync_runtime_setting_json(st, &cfg, "company_sync", &one, &err));
    cr_assert_str_eq(json_string_value(json_object_get(one, "source")), "default");
    json_decref(one);
    cr_assert_eq(sync_runtime_setting_json(st, &cfg, "nope", &one, &err), SYNC_ERR_NOT_FOUND);
    json_decref(all);
}

/* ---- mapping rules ---- */

static const char *rule_in_force(const char *prop)
{
    struct sync_mapping_set set;
    const struct sync_mapping *m;
    static char name[64];

    OK(sync_runtime_mappings_load(st, &cfg, &set, &err));
    m = sync_mapping_set_find_hs(&set, SYNC_KIND_CONTACT, prop);
    cr_assert_not_null(m);
    snprintf(name, sizeof(name), "%s", sync_rule_name(m->rule));
    sync_mapping_set_release(&set);
    return name;
}

Test(runtime, a_mapping_rule_override_applies_over_the_file_until_reset)
{
    cr_assert_str_eq(rule_in_force("phone"), "prefer_salesforce_unless_blank");
    OK(sync_runtime_rule_set(st, &cfg, "contact", "phone", "two_way", &err));
    cr_assert_str_eq(rule_in_force("phone"), "two_way");
    OK(sync_runtime_rule_reset(st, &cfg, "contact", "phone", &err));
    cr_assert_str_eq(rule_in_force("phone"), "prefer_salesforce_unless_blank");
}

Test(runtime, a_bad_rule_kind_or_mapping_is_refused_with_the_reason)
{
    cr_assert_eq(sync_runtime_rule_set(st, &cfg, "contact", "phone", "sideways", &err),
                 SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "unknown rule 'sideways'"), "%s", err.message);
    cr_assert_eq(sync_runtime_rule_set(st, &cfg, "widget", "phone", "two_way", &err),
                 SYNC_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "unknown kind 'widget'"), "%s", err.message);
    cr_assert_eq(sync_runtime_rule_set(st, &cfg, "contact", "shoe_size", "two_way", &err),
                 SYNC_ERR_NOT_FOUND);
    cr_assert_eq(sync_runtime_rule_set(st, &cfg, "contact", "crmsync_link_id", "two_way", &err),
                 SYNC_ERR_INVALID);
    /* a stored override that no longer applies is skipped, not fatal */
    OK(sync_store_setting_set(st, "mapping_rule:contact:shoe_size", "\"two_way\"", &err));
    cr_assert_str_eq(rule_in_force("phone"), "prefer_salesforce_unless_blank");
}

Test(runtime, the_mappings_listing_says_where_each_rule_comes_from)
{
    json_t *all = NULL, *m;
    size_t i;
    int seen = 0;

    OK(sync_runtime_rule_set(st, &cfg, "contact", "phone", "dont_sync", &err));
    OK(sync_runtime_mappings_json(st, &cfg, &all, &err));
    json_array_foreach(all, i, m)
    {
        const char *prop = json_string_value(json_object_get(m, "hubspot"));
        cr_assert_str_neq(prop, "crmsync_link_id", "the link id's mapping is not listed");
        if (strcmp(prop, "phone") == 0 &&
            strcmp(json_string_value(json_object_get(m, "kind")), "contact") == 0) {
            cr_assert_str_eq(json_string_value(json_object_get(m, "rule")), "dont_sync");
            cr_assert_str_eq(json_string_value(json_object_get(m, "source")), "override");
            seen = 1;
        }
    }
    cr_assert(seen);
    json_decref(all);
}

/* ---- user mappings added, edited and removed at run time ---- */

static json_t *spec_of(const char *text)
{
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    cr_assert_not_null(j, "%s", text);
    return j;
}

/* put with the spec's own type hints (no vendors) */
static enum sync_rc put(const char *kind, const char *prop, const char *spec, int replace)
{
    json_t *j = spec_of(spec);
    enum sync_rc rc = sync_runtime_mapping_put(st, &cfg, kind, prop, j, replace, NULL, NULL, &err);
    json_decref(j);
    return rc;
}

/* The in-force contact mapping of prop as "Lead.X,Contact.Y rule", or "" when unmapped. */
static const char *in_force_map(const char *prop)
{
    struct sync_mapping_set set;
    const struct sync_mapping *m;
    static char out[512];
    size_t o = 0;

    OK(sync_runtime_mappings_load(st, &cfg, &set, &err));
    out[0] = '\0';
    if ((m = sync_mapping_set_find_hs(&set, SYNC_KIND_CONTACT, prop))) {
        for (size_t i = 0; i < m->nsf; i++)
            o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s.%s", i ? "," : "",
                                  m->sf[i].object, m->sf[i].name);
        snprintf(out + o, sizeof(out) - o, " %s", sync_rule_name(m->rule));
    }
    sync_mapping_set_release(&set);
    return out;
}

static int stored(const char *key, char *out, size_t n)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);
    struct sync_err e = SYNC_ERR_INIT;
    int found = sync_store_setting_get(st, key, &b, &e) == SYNC_OK;

    snprintf(out, n, "%s", found ? sync_buf_str(&b) : "");
    sync_buf_release(&b);
    return found;
}

static const char *source_of(const char *prop)
{
    json_t *all = NULL, *m;
    size_t i;
    static char out[32];

    out[0] = '\0';
    OK(sync_runtime_mappings_json(st, &cfg, &all, &err));
    json_array_foreach(all, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "kind")), "contact") == 0 &&
            strcmp(json_string_value(json_object_get(m, "hubspot")), prop) == 0)
            snprintf(out, sizeof(out), "%s", json_string_value(json_object_get(m, "source")));
    }
    json_decref(all);
    return out;
}

/* crmsync.yaml maps the contact property fav to Lead.Rating and Contact.Rating__c. */
static void file_maps_fav(void)
{
    json_t *j = spec_of("{\"salesforce\": [\"Lead.Rating\", \"Contact.Rating__c\"],"
                        " \"hubspot_type\": \"enumeration/select\","
                        " \"salesforce_type\": \"picklist\"}");
    cfg.mappings = calloc(1, sizeof(*cfg.mappings));
    cr_assert_not_null(cfg.mappings);
    OK(sync_config_mapping_from_json(SYNC_KIND_CONTACT, "fav", j, &cfg.mappings[0], &err));
    cfg.nmappings = 1;
    json_decref(j);
}

#define SALUTATION                                                                                 \
    "{\"salesforce\": \"Salutation\", \"hubspot_type\": \"enumeration/select\","                   \
    " \"salesforce_type\": \"picklist\"}"

Test(runtime, a_mapping_added_at_run_time_is_in_force_stored_with_its_types_and_shown_as_override)
{
    char text[1024];

    cr_assert_str_eq(in_force_map("salutation"), "");
    OK(put("contacts", "salutation", SALUTATION, 0));
    cr_assert_str_eq(in_force_map("salutation"),
                     "Lead.Salutation,Contact.Salutation prefer_salesforce_unless_blank");
    cr_assert(stored("mapping:contact:salutation", text, sizeof(text)));
    cr_assert(strstr(text, "\"hubspot_type\":\"enumeration/select\""), "%s", text);
    cr_assert(
        strstr(text, "{\"field\":\"Salutation\",\"object\":\"Contact\",\"type\":\"picklist\"}"),
        "%s", text);
    cr_assert_str_eq(source_of("salutation"), "override");
    cr_assert_str_eq(source_of("jobtitle"), "default");
}

Test(runtime, a_refused_mapping_says_why_and_stores_nothing)
{
    char text[64];

    cr_assert_eq(put("widget", "salutation", SALUTATION, 0), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "unknown kind 'widget'"), "%s", err.message);
    /* a built-in cannot be re-pointed, nor a property mapped already added again */
    cr_assert_eq(put("contact", "jobtitle", SALUTATION, 1), SYNC_ERR_INVALID);
    cr_assert_str_eq(err.code, SYNC_RUNTIME_BUILTIN);
    cr_assert(strstr(err.message, "default mapping"), "%s", err.message);
    OK(put("contact", "salutation", SALUTATION, 0));
    cr_assert_eq(put("contact", "salutation", SALUTATION, 0), SYNC_ERR_INVALID);
    cr_assert_str_eq(err.code, SYNC_RUNTIME_EXISTS);
    cr_assert(strstr(err.message, "already mapped (to Lead.Salutation)"), "%s", err.message);
    /* the type table, a field mapped already, an object of another kind, a bad spec */
    cr_assert_eq(put("contact", "shoe_size",
                     "{\"salesforce\": \"Lead.Rating\", \"hubspot_type\": \"number\","
                     " \"salesforce_type\": \"picklist\"}",
                     0),
                 SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "contact mapping shoe_size: types do not match"), "%s",
              err.message);
    cr_assert_eq(put("contact", "title_copy",
                     "{\"salesforce\": \"Lead.Title\", \"hubspot_type\": \"string/text\","
                     " \"salesforce_type\": \"string\"}",
                     0),
                 SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "Salesforce field Lead.Title is already mapped"), "%s",
              err.message);
    cr_assert_eq(put("contact", "acct", "{\"salesforce\": \"Account.Name\"}", 0), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "Account is not a Salesforce object of the contact sync"), "%s",
              err.message);
    cr_assert_eq(put("contact", "x", "{\"salesforce\": \"Lead.X__c\", \"colour\": \"red\"}", 0),
                 SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "colour: unknown key"), "%s", err.message);
    cr_assert_eq(put("contact", "x", "{\"salesforce\": \"Lead.X__c\"}", 0), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "give hubspot_type and salesforce_type"), "%s", err.message);
    cr_assert(!stored("mapping:contact:shoe_size", text, sizeof(text)));
    cr_assert(!stored("mapping:contact:x", text, sizeof(text)));
    cr_assert(!stored("mapping:contact:jobtitle", text, sizeof(text)));
}

/* A resolver standing in for the vendors: Salesforce spells the field "Salutation". */
static enum sync_rc fake_vendors(void *ctx, struct sync_mapping *m, struct sync_err *e)
{
    int *calls = ctx;

    (*calls)++;
    if (strcmp(m->hs.name, "nope") == 0)
        return sync_err_set(e, SYNC_ERR_INVALID, "HubSpot has no contacts property 'nope'");
    if (strcmp(m->hs.name, "down") == 0)
        return sync_err_set(e, SYNC_ERR_HTTP, "HubSpot: cannot read the contacts properties");
    m->hs.type = SYNC_HST_ENUMERATION;
    m->hs.field_type = SYNC_HSF_SELECT;
    for (size_t i = 0; i < m->nsf; i++) {
        m->sf[i].type = SYNC_SFT_PICKLIST;
        if (strcasecmp(m->sf[i].name, "salutation") == 0)
            snprintf(m->sf[i].name, sizeof(m->sf[i].name), "Salutation");
    }
    return SYNC_OK;
}

Test(runtime, the_resolver_gives_types_and_spelling_and_its_refusals_pass_through)
{
    json_t *spec = spec_of("{\"salesforce\": \"salutation\", \"rule\": \"two_way\"}");
    int calls = 0;
    char text[64];

    OK(sync_runtime_mapping_put(st, &cfg, "contact", "salutation", spec, 0, fake_vendors, &calls,
                                &err));
    cr_assert_eq(calls, 1);
    cr_assert_str_eq(in_force_map("salutation"), "Lead.Salutation,Contact.Salutation two_way");
    cr_assert_eq(
        sync_runtime_mapping_put(st, &cfg, "contact", "nope", spec, 0, fake_vendors, &calls, &err),
        SYNC_ERR_INVALID);
    cr_assert_str_eq(err.message, "contact mapping nope: HubSpot has no contacts property 'nope'");
    cr_assert_eq(
        sync_runtime_mapping_put(st, &cfg, "contact", "down", spec, 0, fake_vendors, &calls, &err),
        SYNC_ERR_HTTP, "a vendor failing is not a refusal");
    /* a built-in is refused before the vendors are asked */
    cr_assert_eq(
        sync_runtime_mapping_put(st, &cfg, "contact", "email", spec, 1, fake_vendors, &calls, &err),
        SYNC_ERR_INVALID);
    cr_assert_eq(calls, 3);
    cr_assert(!stored("mapping:contact:nope", text, sizeof(text)));
    json_decref(spec);
}

Test(runtime, an_edit_re_points_a_user_mapping_keeping_its_rule_or_changes_a_rule_alone)
{
    json_t *to = spec_of("[{\"object\": \"Lead\", \"field\": \"Rating\", \"type\": \"picklist\"}]");
    json_t *lead_only = spec_of("\"Lead.Salutation\"");
    char text[256];

    OK(put("contact", "salutation", SALUTATION, 0));
    OK(sync_runtime_mapping_edit(st, &cfg, "contact", "salutation", NULL, "two_way", NULL, NULL,
                                 &err));
    cr_assert_str_eq(in_force_map("salutation"), "Lead.Salutation,Contact.Salutation two_way");
    cr_assert(stored("mapping_rule:contact:salutation", text, sizeof(text)), "a rule override");
    OK(sync_runtime_mapping_edit(st, &cfg, "contact", "salutation", to, NULL, NULL, NULL, &err));
    cr_assert_str_eq(in_force_map("salutation"), "Lead.Rating two_way");
    cr_assert(!stored("mapping_rule:contact:salutation", text, sizeof(text)),
              "the stored mapping carries the rule");
    /* built-ins: the rule yes, the fields no */
    OK(sync_runtime_mapping_edit(st, &cfg, "contact", "jobtitle", NULL, "dont_sync", NULL, NULL,
                                 &err));
    cr_assert_str_eq(rule_in_force("jobtitle"), "dont_sync");
    cr_assert_eq(sync_runtime_mapping_edit(st, &cfg, "contact", "jobtitle", lead_only, NULL, NULL,
                                           NULL, &err),
                 SYNC_ERR_INVALID);
    cr_assert_str_eq(err.code, SYNC_RUNTIME_BUILTIN);
    cr_assert_eq(sync_runtime_mapping_edit(st, &cfg, "contact", "shoe_size", NULL, "two_way", NULL,
                                           NULL, &err),
                 SYNC_ERR_NOT_FOUND);
    cr_assert_eq(
        sync_runtime_mapping_edit(st, &cfg, "contact", "salutation", NULL, NULL, NULL, NULL, &err),
        SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "nothing to change"), "%s", err.message);
    cr_assert_eq(sync_runtime_mapping_edit(st, &cfg, "contact", "salutation", NULL, "sideways",
                                           NULL, NULL, &err),
                 SYNC_ERR_INVALID);
    json_decref(to);
    json_decref(lead_only);
}

Test(runtime, a_file_mapping_can_be_re_pointed_removed_and_added_back)
{
    char text[256];

    file_maps_fav();
    cr_assert_str_eq(in_force_map("fav"),
                     "Lead.Rating,Contact.Rating__c prefer_salesforce_unless_blank");
    cr_assert_str_eq(source_of("fav"), "file");
    OK(put("contact", "fav",
           "{\"salesforce\": \"Lead.Rating\", \"hubspot_type\": \"enumeration/select\","
           " \"salesforce_type\": \"picklist\", \"rule\": \"two_way\"}",
           1));
    cr_assert_str_eq(in_force_map("fav"), "Lead.Rating two_way");
    cr_assert_str_eq(source_of("fav"), "override");
    OK(sync_runtime_rule_set(st, &cfg, "contact", "fav", "always_use_hubspot", &err));
    OK(sync_runtime_mapping_delete(st, &cfg, "contact", "fav", &err));
    cr_assert_str_eq(in_force_map("fav"), "");
    cr_assert(stored("mapping:contact:fav", text, sizeof(text)));
    cr_assert_str_eq(text, "{\"removed\":true}");
    cr_assert(!stored("mapping_rule:contact:fav", text, sizeof(text)), "its rule went with it");
    cr_assert_eq(sync_runtime_mapping_delete(st, &cfg, "contact", "fav", &err), SYNC_ERR_NOT_FOUND);
    OK(put("contact", "fav",
           "{\"salesforce\": \"Contact.Rating__c\", \"hubspot_type\": \"enumeration/select\","
           " \"salesforce_type\": \"picklist\"}",
           0));
    cr_assert_str_eq(in_force_map("fav"), "Contact.Rating__c prefer_salesforce_unless_blank");
}

Test(runtime, a_mapping_added_at_run_time_is_forgotten_on_delete_and_built_ins_stay)
{
    char text[256];

    OK(put("contact", "salutation", SALUTATION, 0));
    OK(sync_runtime_mapping_delete(st, &cfg, "contacts", "salutation", &err));
    cr_assert_str_eq(in_force_map("salutation"), "");
    cr_assert(!stored("mapping:contact:salutation", text, sizeof(text)), "nothing left behind");
    cr_assert_eq(sync_runtime_mapping_delete(st, &cfg, "contact", "email", &err), SYNC_ERR_INVALID);
    cr_assert_str_eq(err.code, SYNC_RUNTIME_BUILTIN);
    cr_assert(strstr(err.message, "cannot be removed (set its rule to dont_sync instead)"), "%s",
              err.message);
    cr_assert_eq(sync_runtime_mapping_delete(st, &cfg, "widget", "email", &err),
                 SYNC_ERR_NOT_FOUND);
    cr_assert_str_eq(in_force_map("email"),
                     "Lead.Email,Contact.Email prefer_salesforce_unless_blank");
}

Test(runtime, stored_mappings_apply_in_the_order_they_need_and_a_broken_one_is_skipped)
{
    /* fav holds Lead.Rating in the file; "aaa" was given Lead.Rating after fav moved off it:
     * aaa's key comes first, so it applies in a second round */
    file_maps_fav();
    OK(sync_store_setting_set(
        st, "mapping:contact:zz_fav",
        "{\"salesforce\": [{\"object\": \"Contact\", \"field\": \"Mood__c\","
        " \"type\": \"picklist\"}], \"hubspot_type\": \"enumeration/select\"}",
        &err));
    OK(sync_store_setting_set(
        st, "mapping:contact:fav",
        "{\"salesforce\": [{\"object\": \"Contact\", \"field\": \"Rating__c\","
        " \"type\": \"picklist\"}], \"hubspot_type\": \"enumeration/select\"}",
        &err));
    OK(sync_store_setting_set(
        st, "mapping:contact:aaa",
        "{\"salesforce\": [{\"object\": \"Lead\", \"field\": \"Rating\","
        " \"type\": \"picklist\"}], \"hubspot_type\": \"enumeration/select\"}",
        &err));
    OK(sync_store_setting_set(st, "mapping:contact:broken", "{\"salesforce\": 42}", &err));
    cr_assert_str_eq(in_force_map("aaa"), "Lead.Rating prefer_salesforce_unless_blank");
    cr_assert_str_eq(in_force_map("fav"), "Contact.Rating__c prefer_salesforce_unless_blank");
    cr_assert_str_eq(in_force_map("zz_fav"), "Contact.Mood__c prefer_salesforce_unless_blank");
    cr_assert_str_eq(in_force_map("broken"), "");
}

/* The in-force ticket mapping of prop as "Case.X rule", or "" when unmapped. */
static const char *in_force_ticket(const char *prop)
{
    struct sync_mapping_set set;
    const struct sync_mapping *m;
    static char out[512];

    OK(sync_runtime_mappings_load(st, &cfg, &set, &err));
    out[0] = '\0';
    if ((m = sync_mapping_set_find_hs(&set, SYNC_KIND_TICKET, prop)))
        snprintf(out, sizeof(out), "%.200s.%.200s %s", m->sf[0].object, m->sf[0].name,
                 sync_rule_name(m->rule));
    sync_mapping_set_release(&set);
    return out;
}

/* crmsync.yaml maps the ticket property product to Case.Product__c. */
static void file_maps_ticket_product(void)
{
    json_t *j = spec_of("{\"salesforce\": \"Case.Product__c\", \"hubspot_type\": \"string/text\","
                        " \"salesforce_type\": \"string\"}");
    cfg.mappings = calloc(1, sizeof(*cfg.mappings));
    cr_assert_not_null(cfg.mappings);
    OK(sync_config_mapping_from_json(SYNC_KIND_TICKET, "product", j, &cfg.mappings[0], &err));
    cfg.nmappings = 1;
    json_decref(j);
}

#define CASE_REASON                                                                                \
    "{\"salesforce\": \"Case.Reason\", \"hubspot_type\": \"enumeration/select\","                  \
    " \"salesforce_type\": \"picklist\", \"rule\": \"two_way\"}"

/* A ticket mapping added, a file ticket mapping removed, a default's rule changed; and a
 * contact mapping added and a contact rule changed, which are not the ticket kind's. */
static void ticket_and_contact_overrides(void)
{
    file_maps_ticket_product();
    OK(put("ticket", "case_reason", CASE_REASON, 0));
    OK(sync_runtime_mapping_delete(st, &cfg, "ticket", "product", &err));
    OK(sync_runtime_rule_set(st, &cfg, "ticket", "content", "dont_sync", &err));
    OK(put("contact", "salutation", SALUTATION, 0));
    OK(sync_runtime_rule_set(st, &cfg, "contact", "jobtitle", "two_way", &err));
    cr_assert_str_eq(in_force_ticket("case_reason"), "Case.Reason two_way");
    cr_assert_str_eq(in_force_ticket("product"), "");
    cr_assert_str_eq(in_force_ticket("content"), "Case.Description dont_sync");
}

Test(runtime, forgetting_a_kinds_mappings_drops_its_added_removed_and_rule_overrides_only)
{
    char text[256];

    ticket_and_contact_overrides();
    OK(sync_runtime_mappings_forget(st, &cfg, "ticket", &err));
    cr_assert_str_eq(in_force_ticket("case_reason"), "", "the mapping added at run time is gone");
    cr_assert_str_eq(in_force_ticket("product"), "Case.Product__c prefer_salesforce_unless_blank",
                     "the file's mapping applies again");
    cr_assert_str_eq(in_force_ticket("content"), "Case.Description two_way",
                     "the default's own rule applies again");
    cr_assert(!stored("mapping:ticket:case_reason", text, sizeof(text)));
    cr_assert(!stored("mapping:ticket:product", text, sizeof(text)));
    cr_assert(!stored("mapping_rule:ticket:content", text, sizeof(text)));
    /* the other kinds keep theirs */
    cr_assert_str_eq(in_force_map("salutation"),
                     "Lead.Salutation,Contact.Salutation prefer_salesforce_unless_blank");
    cr_assert_str_eq(rule_in_force("jobtitle"), "two_way");
    /* nothing left: forgetting again is no error */
    OK(sync_runtime_mappings_forget(st, &cfg, "ticket", &err));
}

Test(runtime, forgetting_a_kinds_mappings_inside_a_transaction_rolls_back_with_it)
{
    char text[256];

    ticket_and_contact_overrides();
    OK(sync_store_begin(st, &err));
    OK(sync_runtime_mappings_forget(st, &cfg, "ticket", &err));
    cr_assert(!stored("mapping:ticket:case_reason", text, sizeof(text)));
    OK(sync_store_rollback(st, &err));
    cr_assert_str_eq(in_force_ticket("case_reason"), "Case.Reason two_way");
    cr_assert_str_eq(in_force_ticket("product"), "");
    cr_assert_str_eq(in_force_ticket("content"), "Case.Description dont_sync");
}

Test(runtime, forgetting_the_mappings_of_an_unknown_kind_is_refused)
{
    cr_assert_eq(sync_runtime_mappings_forget(st, &cfg, "widget", &err), SYNC_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "unknown kind 'widget'"), "%s", err.message);
    cr_assert_eq(sync_runtime_mappings_forget(st, &cfg, NULL, &err), SYNC_ERR_NOT_FOUND);
}
