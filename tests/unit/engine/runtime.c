/* Tests src/engine/runtime.c: the settings in force are the file's overlaid by the store's
 * overrides; an override is checked before it is stored and stored in its canonical form; a
 * reset brings the file's value back; a stored value that no longer passes is not applied; the
 * JSON listing says where each value comes from. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

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
    cr_assert_eq(sync_runtime_rule_set(st, &cfg, "task", "phone", "two_way", &err),
                 SYNC_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "unknown kind 'task'"), "%s", err.message);
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
