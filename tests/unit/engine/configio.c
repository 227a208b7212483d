/* Tests src/engine/configio.c: the export carries the settings, mappings and ticket pipeline
 * choices in force (a mapping added at run time with its types, a default mapping re-ruled, the
 * stored choices); an import's diff lists each setting, mapping and ticket choice that differs
 * (added, re-pointed, re-ruled; chosen, changed, dropped) and nothing else; its apply is all or
 * nothing; an export imports into a fresh store with no vendor and then changes nothing. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "engine/configio.h"
#include "engine/runtime.h"
#include "engine/sync_int.h"
#include "store/store.h"

#define OK(x) cr_assert_eq((x), SYNC_OK, "%s", err.message)

static struct sync_store *st;
static struct sync_config cfg;
static struct sync_err err;

static void setup(void)
{
    sync_err_clear(&err);
    cr_assert_eq(sync_store_open(&st, "sqlite::memory:", &err), SYNC_OK, "%s", err.message);
    cr_assert_eq(sync_config_init(&cfg), SYNC_OK);
}

static void teardown(void)
{
    sync_config_release(&cfg);
    sync_store_close(st);
}

TestSuite(configio, .init = setup, .fini = teardown);

/* A file to import, from YAML text; the caller releases it. */
static void file_of(struct sync_config *in, const char *yaml)
{
    struct sync_config_problems pr;
    struct sync_buf b = SYNC_BUF_INIT(64 * 1024);

    cr_assert_eq(sync_config_init(in), SYNC_OK);
    if (sync_config_load_import_text(in, "t", yaml, strlen(yaml), NULL, NULL, &pr)) {
        sync_config_problems_format(&pr, &b);
        cr_assert_fail("%s", sync_buf_str(&b));
    }
    sync_buf_release(&b);
}

/* The diff of yaml as "a; b; c" (settings: name from>to; mappings: mapping change from>to). */
static char *diff_of(const char *yaml)
{
    struct sync_config in;
    struct sync_buf b = SYNC_BUF_INIT(64 * 1024);
    json_t *d = NULL, *c;
    size_t i;
    char *out;

    file_of(&in, yaml);
    OK(sync_configio_diff(st, &cfg, &in, &d, &err));
    json_array_foreach(d, i, c)
    {
        const char *from = sync_json_str(c, "from");
        const char *to = sync_json_str(c, "to"), *choice = sync_json_str(c, "ticket_pipeline");
        if (!choice)
            choice = sync_json_str(c, "ticket_status");
        if (sync_json_str(c, "setting"))
            sync_buf_addf(&b, "%s%s %s>%s", i ? "; " : "", sync_json_str(c, "setting"), from,
                          sync_json_str(c, "to"));
        else if (choice)
            sync_buf_addf(&b, "%s%s %s>%s", i ? "; " : "", choice, from ? from : "-",
                          to ? to : "-");
        else
            sync_buf_addf(&b, "%s%s %s %s>%s", i ? "; " : "", sync_json_str(c, "mapping"),
                          sync_json_str(c, "change"), from ? from : "-", sync_json_str(c, "to"));
    }
    out = strdup(sync_buf_str(&b));
    sync_buf_release(&b);
    json_decref(d);
    sync_config_release(&in);
    return out;
}

static void diff_is(const char *yaml, const char *want)
{
    char *got = diff_of(yaml);
    cr_assert_str_eq(got, want);
    free(got);
}

#define TIMEZONE                                                                                   \
    "{\"salesforce\": \"Contact.Department\", \"hubspot_type\": \"string/text\","                  \
    " \"salesforce_type\": \"string\", \"rule\": \"two_way\"}"

static void timezone_added(void)
{
    json_t *spec = json_loads(TIMEZONE, 0, NULL);
    OK(sync_runtime_mapping_put(st, &cfg, "contact", "hs_timezone", spec, 0, NULL, NULL, &err));
    json_decref(spec);
}

Test(configio, the_export_carries_the_settings_and_mappings_in_force)
{
    struct sync_buf out = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);

    OK(sync_runtime_setting_set_text(st, "deal_sync", "false", &err));
    OK(sync_runtime_rule_set(st, &cfg, "contact", "phone", "two_way", &err));
    timezone_added();
    OK(sync_configio_export(st, &cfg, &out, &err));
    cr_assert(strstr(sync_buf_str(&out), "deal_sync: false"), "%s", sync_buf_str(&out));
    cr_assert(strstr(sync_buf_str(&out), "hubspot: phone\n  rule: two_way\n"), "%s",
              sync_buf_str(&out));
    cr_assert(strstr(sync_buf_str(&out),
                     "hubspot: hs_timezone\n  salesforce: Contact.Department\n  rule: two_way\n"
                     "  hubspot_type: string/text\n  salesforce_type: string\n"),
              "%s", sync_buf_str(&out));
    cr_assert_null(strstr(sync_buf_str(&out), "hubspot: email"), "default mappings stay out");
    sync_buf_release(&out);
}

Test(configio, the_diff_lists_what_differs_and_nothing_else)
{
    timezone_added();
    diff_is("settings:\n  deal_sync: true\n  new_record_type: contact\n",
            "new_record_type lead>contact");
    diff_is("mappings:\n"
            "  - {kind: contact, hubspot: phone, rule: two_way}\n"
            "  - {kind: contact, hubspot: email, rule: prefer_salesforce_unless_blank}\n"
            "  - {kind: contact, hubspot: hs_timezone, salesforce: Contact.Department}\n"
            "  - {kind: contact, hubspot: date_of_birth, salesforce: Contact.Birthdate}\n",
            "contact phone rule prefer_salesforce_unless_blank>two_way; contact date_of_birth add "
            "->Contact.Birthdate (prefer_salesforce_unless_blank)");
    diff_is(
        "mappings:\n  - {kind: contact, hubspot: hs_timezone, salesforce: Contact.OtherPhone}\n",
        "contact hs_timezone repoint Contact.Department (two_way)>Contact.OtherPhone (two_way)");
    diff_is("mappings:\n  - {kind: contact, hubspot: hs_timezone, salesforce: Department}\n",
            "contact hs_timezone repoint Contact.Department (two_way)>*.Department (two_way)");
}

Test(configio, a_refused_entry_refuses_the_diff_naming_the_mapping)
{
    struct sync_config in;
    json_t *d = NULL;

    file_of(&in, "mappings:\n  - {kind: contact, hubspot: email, salesforce: Title}\n");
    cr_assert_eq(sync_configio_diff(st, &cfg, &in, &d, &err), SYNC_ERR_INVALID);
    cr_assert_str_eq(err.message,
                     "contact mapping email: a default mapping cannot be re-pointed, only its rule "
                     "changes");
    cr_assert_null(d);
    sync_config_release(&in);
    file_of(&in, "mappings:\n  - {kind: contact, hubspot: shoe_size, rule: two_way}\n");
    cr_assert_eq(sync_configio_diff(st, &cfg, &in, &d, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "shoe_size: not a mapping in force"), "%s", err.message);
    sync_config_release(&in);
}

Test(configio, an_apply_is_all_or_nothing)
{
    struct sync_config in;
    struct sync_settings live;
    size_t n = 99;

    /* the setting would pass, the untyped mapping without a resolver does not */
    file_of(&in, "settings:\n  deal_sync: false\nmappings:\n"
                 "  - {kind: contact, hubspot: phone, rule: two_way}\n"
                 "  - {kind: contact, hubspot: shoe_size, salesforce: Contact.Department}\n");
    cr_assert_eq(sync_configio_apply(st, &cfg, &in, NULL, NULL, &n, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "contact mapping shoe_size: give hubspot_type"), "%s",
              err.message);
    cr_assert_eq(n, 0);
    cr_assert_eq(sync_settings_init(&live), SYNC_OK);
    OK(sync_runtime_settings_load(st, &cfg.settings, &live, &err));
    cr_assert_eq(sync_settings_int(&live, SYNC_SETTING_DEAL_SYNC), 1, "the setting was undone");
    sync_settings_release(&live);
    sync_config_release(&in);
    diff_is("mappings:\n  - {kind: contact, hubspot: phone, rule: two_way}\n",
            "contact phone rule prefer_salesforce_unless_blank>two_way");
}

Test(configio, an_export_imports_into_a_fresh_store_and_then_changes_nothing)
{
    struct sync_buf out = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    struct sync_config in;
    size_t n = 0;

    OK(sync_runtime_setting_set_text(st, "new_record_type", "contact", &err));
    OK(sync_runtime_rule_set(st, &cfg, "contact", "phone", "two_way", &err));
    timezone_added();
    OK(sync_configio_export(st, &cfg, &out, &err));
    sync_store_close(st);
    OK(sync_store_open(&st, "sqlite::memory:", &err));
    file_of(&in, sync_buf_str(&out));
    OK(sync_configio_apply(st, &cfg, &in, NULL, NULL, &n, &err));
    cr_assert_eq(n, 3, "new_record_type, the phone rule, hs_timezone");
    sync_config_release(&in);
    diff_is(sync_buf_str(&out), "");
    sync_buf_release(&out);
}

/* ---- the ticket pipeline map's choices ---- */

static void choices_stored(const char *json)
{
    OK(sync_store_setting_set(st, SYNC_TICKET_PIPELINES_KEY, json, &err));
}

Test(configio, the_export_carries_the_ticket_pipeline_choices_in_force)
{
    struct sync_buf out = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    struct sync_config file;

    /* the running file's section is not in force: the store's choices are */
    file_of(&file, "ticket_pipelines:\n  processes: {Repair Process: '5'}\n");
    OK(sync_configio_export(st, &file, &out, &err));
    cr_assert_null(strstr(sync_buf_str(&out), "ticket_pipelines"), "%s", sync_buf_str(&out));
    choices_stored("{\"processes\": {\"Billing Process\": \"0\"},"
                   " \"stages\": {\"0\": {\"Working\": \"3\", \"On Hold\": \"2\"}}}");
    sync_buf_reset(&out);
    OK(sync_configio_export(st, &file, &out, &err));
    cr_assert(strstr(sync_buf_str(&out), "ticket_pipelines:\n  processes:\n"
                                         "    Billing Process: \"0\"\n  stages:\n"
                                         "    \"0\":\n      Working: \"3\"\n"
                                         "      On Hold: \"2\"\n"),
              "%s", sync_buf_str(&out));
    cr_assert_null(strstr(sync_buf_str(&out), "Repair Process"), "%s", sync_buf_str(&out));
    /* it loads back as an import, and then changes nothing */
    diff_is(sync_buf_str(&out), "");
    sync_config_release(&file);
    sync_buf_release(&out);
}

Test(configio, the_diff_lists_each_ticket_choice_that_differs_and_nothing_else)
{
    choices_stored("{\"processes\": {\"Support Process\": \"0\"},"
                   " \"stages\": {\"0\": {\"Working\": \"3\", \"New\": \"1\"}}}");
    diff_is("ticket_pipelines:\n"
            "  processes:\n"
            "    Support Process: '0'\n"
            "    Billing Process: '7'\n"
            "    Repair Process: ~\n"
            "  stages:\n"
            "    '0': {Working: '2', New: '1', Closed: ~}\n"
            "    '7': {New: '71'}\n",
            "process Billing Process ->7; pipeline 0 status Working 3>2; "
            "pipeline 7 status New ->71");
    /* null drops a choice: the pre-fill applies again */
    diff_is("ticket_pipelines:\n  processes: {Support Process: ~}\n"
            "  stages: {'0': {New: null}}\n",
            "process Support Process 0>-; pipeline 0 status New 1>-");
    /* the choices come after the settings and mappings, and count as changes */
    diff_is(
        "settings: {deal_sync: false}\nticket_pipelines:\n  processes: {Support Process: '9'}\n",
        "deal_sync true>false; process Support Process 0>9");
}

Test(configio, an_apply_whose_ticket_choices_the_vendors_cannot_check_stores_nothing)
{
    struct sync_config in;
    struct sync_config_problems pr;
    struct sync_settings live;
    static const char *vendors = "store: 'sqlite::memory:'\n"
                                 "hubspot:\n  base_url: http://127.0.0.1:9\n  access_token: t\n"
                                 "salesforce:\n  login_url: http://127.0.0.1:9\n"
                                 "  client_id: c\n  client_secret: s\n"
                                 "  username: u\n  password: p\n";
    size_t n = 99;

    sync_config_release(&cfg);
    cr_assert_eq(sync_config_init(&cfg), SYNC_OK);
    cr_assert_eq(sync_config_load_text(&cfg, "t", vendors, strlen(vendors), NULL, NULL, &pr),
                 SYNC_OK);
    file_of(&in, "settings: {deal_sync: false}\n"
                 "ticket_pipelines:\n  processes: {Support Process: '0'}\n");
    cr_assert_neq(sync_configio_apply(st, &cfg, &in, NULL, NULL, &n, &err), SYNC_OK);
    cr_assert(strstr(err.message, "HubSpot: cannot read the ticket pipelines"), "%s", err.message);
    cr_assert_eq(n, 0);
    cr_assert_eq(sync_settings_init(&live), SYNC_OK);
    OK(sync_runtime_settings_load(st, &cfg.settings, &live, &err));
    cr_assert_eq(sync_settings_int(&live, SYNC_SETTING_DEAL_SYNC), 1, "the setting was undone");
    sync_settings_release(&live);
    diff_is("ticket_pipelines:\n  processes: {Support Process: '0'}\n",
            "process Support Process ->0");
    sync_config_release(&in);
}
