/*
 * Tests src/engine/config.c: the design's example file, the defaults of a
 * fresh integration, ${NAME} expansion, durations, the settings table, one
 * problem per mistake with its line, mapping entries, deal stages, ticket
 * pipeline choices, and the YAML writer (secrets redacted, output loads
 * back).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/json.h"
#include "engine/config.h"

static struct sync_config cfg;
static struct sync_config_problems pr;
static const char *const *env_vars;

static const char *const no_env[] = {NULL};

static const char *test_env(void *ctx, const char *name)
{
    for (const char *const *kv = ctx; *kv; kv += 2)
        if (strcmp(kv[0], name) == 0)
            return kv[1];
    return NULL;
}

static void setup(void)
{
    env_vars = no_env;
    cr_assert_eq(sync_config_init(&cfg), SYNC_OK);
}

static void teardown(void)
{
    sync_config_release(&cfg);
}

TestSuite(config, .init = setup, .fini = teardown);

static enum sync_rc load(const char *text)
{
    sync_config_release(&cfg);
    cr_assert_eq(sync_config_init(&cfg), SYNC_OK);
    return sync_config_load_text(&cfg, "crmsync.yaml", text, strlen(text), test_env,
                                 (void *)env_vars, &pr);
}

static char *problems_text(void)
{
    static char out[32768];
    struct sync_buf b = SYNC_BUF_INIT(sizeof(out));
    sync_config_problems_format(&pr, &b);
    snprintf(out, sizeof(out), "%s", sync_buf_str(&b));
    sync_buf_release(&b);
    return out;
}

static void assert_problem(size_t i, const char *want)
{
    cr_assert_lt(i, pr.n, "no problem %zu; problems:\n%s", i, problems_text());
    cr_assert_str_eq(pr.items[i].text, want, "problem %zu; all:\n%s", i, problems_text());
}

static const char *design_example =
    "hubspot:\n"
    "  base_url: http://127.0.0.1:8302        # https://api.hubapi.com in production\n"
    "  access_token: pat-na1-crmsync-demo      # or oauth: {client_id, client_secret, "
    "refresh_token}\n"
    "salesforce:\n"
    "  login_url: http://127.0.0.1:8301        # https://login.salesforce.com, "
    "https://test.salesforce.com\n"
    "  client_id: crmsync-demo\n"
    "  client_secret: crmsync-demo-secret\n"
    "  username: integration@crmsync.test\n"
    "  password: demo-password\n"
    "  security_token: DEMOTOKEN\n"
    "store: sqlite:crmsync.db                  # or postgres://...\n"
    "poll_interval: 30s\n";

/* ---- the example and the defaults ---- */

Test(config, the_design_example_loads_with_its_values)
{
    cr_assert_eq(load(design_example), SYNC_OK, "%s", problems_text());
    cr_assert_eq(pr.n, 0);
    cr_assert_str_eq(cfg.hubspot.base_url, "http://127.0.0.1:8302");
    cr_assert_str_eq(cfg.hubspot.access_token, "pat-na1-crmsync-demo");
    cr_assert_null(cfg.hubspot.oauth.client_id);
    cr_assert_str_eq(cfg.salesforce.login_url, "http://127.0.0.1:8301");
    cr_assert_str_eq(cfg.salesforce.client_id, "crmsync-demo");
    cr_assert_str_eq(cfg.salesforce.client_secret, "crmsync-demo-secret");
    cr_assert_str_eq(cfg.salesforce.username, "integration@crmsync.test");
    cr_assert_str_eq(cfg.salesforce.password, "demo-password");
    cr_assert_str_eq(cfg.salesforce.security_token, "DEMOTOKEN");
    cr_assert_null(cfg.salesforce.refresh_token);
    cr_assert_eq(cfg.salesforce.sandbox, 0);
    cr_assert_str_eq(cfg.store, "sqlite:crmsync.db");
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_POLL_INTERVAL), 30000);
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_LOG_LEVEL), SYNC_LOG_INFO);
    cr_assert_str_eq(cfg.admin.listen, "127.0.0.1:8300");
    cr_assert_null(cfg.admin.token);
    cr_assert_eq(cfg.nmappings, 0);
    cr_assert_str_eq(cfg.source, "crmsync.yaml");
}

Test(config, with_nothing_else_set_the_settings_are_a_fresh_two_way_integration)
{
    const struct sync_settings *s = &cfg.settings;
    cr_assert_eq(load(design_example), SYNC_OK);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_CONTACT_SYNC), 1);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_COMPANY_SYNC), 1);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_DEAL_SYNC), 1);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_CREATE_CONTACTS_FROM_LEADS), 1);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_CREATE_CONTACTS_FROM_CONTACTS), 1);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_NEW_RECORD_TYPE), SYNC_NEW_RECORD_LEAD);
    cr_assert_str_eq(sync_settings_str(s, SYNC_SETTING_INCLUSION_LIST), "");
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_DELETE_CONTACT_ON_LEAD_DELETE), 0);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_DELETE_CONTACT_ON_CONTACT_DELETE), 0);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_DELETE_COMPANY_ON_ACCOUNT_DELETE), 0);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_DELETE_DEAL_ON_OPPORTUNITY_DELETE), 0);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_LIFECYCLE_TRANSITIONS), 1);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_STATE_COUNTRY_PICKLISTS), 0);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_SALESFORCE_API_ALLOCATION), 0);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_RETRY_INTERVAL), 30 * 60 * 1000);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_RETRY_MAX_ATTEMPTS), 10);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_RETRY_NIGHTLY_AT), 0);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_RETRY_SUPPRESS_ABOVE_PERCENT), 75);
    cr_assert_eq(sync_settings_int(s, SYNC_SETTING_RETRY_SUPPRESS_ABOVE_CALLS), 5000);
}

Test(config, every_setting_in_the_table_has_a_valid_default_and_a_name)
{
    struct sync_settings s;
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_eq(sync_settings_init(&s), SYNC_OK);
    for (int i = 0; i < SYNC_SETTING__COUNT; i++) {
        const struct sync_setting_def *d = sync_setting_def((enum sync_setting)i);
        cr_assert(d && d->name && d->help && d->def);
        cr_assert_eq(sync_setting_find(d->name), i);
        cr_assert(d->flags & SYNC_SETTING_RUNTIME, "%s", d->name);
        cr_assert_eq(sync_settings_set(&s, (enum sync_setting)i, d->def, &err), SYNC_OK, "%s",
                     err.message);
    }
    cr_assert_null(sync_setting_def(SYNC_SETTING__COUNT));
    cr_assert_eq(sync_setting_find("nosuch"), -1);
    sync_settings_release(&s);
}

Test(config, settings_in_the_file_override_the_defaults)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "%ssettings:\n"
             "  new_record_type: contact\n"
             "  deal_sync: off\n"
             "  inclusion_list: \"4711\"\n"
             "  retry_interval: 1h30m\n"
             "  retry_nightly_at: \"02:30\"\n"
             "  salesforce_api_allocation: 20000\n"
             "  delete_contact_on_lead_delete: yes\n",
             design_example);
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_NEW_RECORD_TYPE),
                 SYNC_NEW_RECORD_CONTACT);
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_DEAL_SYNC), 0);
    cr_assert_str_eq(sync_settings_str(&cfg.settings, SYNC_SETTING_INCLUSION_LIST), "4711");
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_RETRY_INTERVAL), 5400000);
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_RETRY_NIGHTLY_AT), 150);
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_SALESFORCE_API_ALLOCATION), 20000);
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_DELETE_CONTACT_ON_LEAD_DELETE), 1);
}

/* ---- ${NAME} ---- */

Test(config, any_scalar_may_come_from_the_environment)
{
    static const char *const vars[] = {"HS_TOKEN", "pat-from-env", "SF_PASS", "s3cret",
                                       "HOST",     "127.0.0.1",    "POLL",    "5m",
                                       "NRT",      "contact",      NULL};
    env_vars = vars;
    cr_assert_eq(load("hubspot:\n"
                      "  base_url: http://${HOST}:8302\n"
                      "  access_token: ${HS_TOKEN}\n"
                      "salesforce:\n"
                      "  client_id: id\n"
                      "  client_secret: \"${SF_PASS}\"\n"
                      "  username: u\n"
                      "  password: pa$$word-${SF_PASS}-$${LITERAL}\n"
                      "poll_interval: ${POLL}\n"
                      "settings:\n"
                      "  new_record_type: ${NRT}\n"),
                 SYNC_OK, "%s", problems_text());
    cr_assert_str_eq(cfg.hubspot.base_url, "http://127.0.0.1:8302");
    cr_assert_str_eq(cfg.hubspot.access_token, "pat-from-env");
    cr_assert_str_eq(cfg.salesforce.client_secret, "s3cret");
    cr_assert_str_eq(cfg.salesforce.password, "pa$$word-s3cret-${LITERAL}");
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_POLL_INTERVAL), 300000);
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_NEW_RECORD_TYPE),
                 SYNC_NEW_RECORD_CONTACT);
}

Test(config, a_missing_environment_variable_is_named_with_its_line)
{
    static const char *const vars[] = {"EMPTY", "", NULL};
    env_vars = vars;
    cr_assert_eq(load("hubspot:\n"
                      "  access_token: ${HUBSPOT_TOKEN}\n"
                      "salesforce:\n"
                      "  client_id: ${SF_ID}x${}\n"
                      "  client_secret: ${SF_SECRET\n"
                      "  username: ${EMPTY}\n"
                      "  password: p\n"),
                 SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:2: hubspot.access_token: environment variable HUBSPOT_TOKEN "
                      "is not set");
    assert_problem(1, "crmsync.yaml:4: salesforce.client_id: environment variable SF_ID is not "
                      "set");
    assert_problem(2, "crmsync.yaml:5: salesforce.client_secret: '${' without a closing '}'");
    /* a variable set to "" leaves the key empty, hence missing */
    assert_problem(3, "crmsync.yaml:6: salesforce.username: missing (or give "
                      "salesforce.refresh_token)");
    cr_assert_eq(pr.n, 4, "%s", problems_text());
}

/* ---- problems ---- */

Test(config, a_file_with_several_problems_reports_each_with_its_line)
{
    cr_assert_eq(load("hubspot:\n"                      /* 1 */
                      "  base_url: ftp://example.com\n" /* 2 */
                      "  access_token: x\n"             /* 3 */
                      "  colour: blue\n"                /* 4 */
                      "salesforce:\n"                   /* 5 */
                      "  client_id: a\n"                /* 6 */
                      "  client_secret: b\n"            /* 7 */
                      "  username: u\n"                 /* 8 */
                      "store: mysql://x\n"              /* 9 */
                      "poll_interval: 30\n"             /* 10 */
                      "log_level: loud\n"               /* 11 */
                      "settings:\n"                     /* 12 */
                      "  retry_max_attempts: 0\n"       /* 13 */
                      "  new_record_type: person\n"     /* 14 */
                      "  frobnicate: true\n"            /* 15 */
                      "admin:\n"                        /* 16 */
                      "  listen: nowhere\n"             /* 17 */
                      "sandbox: true\n"),               /* 18 */
                 SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:2: hubspot.base_url: 'ftp://example.com' is not an http:// "
                      "or https:// URL");
    assert_problem(1, "crmsync.yaml:4: hubspot.colour: unknown key");
    assert_problem(2, "crmsync.yaml:5: salesforce.password: missing");
    assert_problem(3, "crmsync.yaml:9: store: 'mysql://x' is not a store (sqlite:FILE or "
                      "postgres://...)");
    assert_problem(4, "crmsync.yaml:10: poll_interval: '30' is not a duration (like 500ms, 30s, "
                      "5m, 1h)");
    assert_problem(5, "crmsync.yaml:11: log_level: 'loud' is not one of: debug, info, warn, "
                      "error");
    assert_problem(6, "crmsync.yaml:13: settings.retry_max_attempts: 0 is below the minimum (1)");
    assert_problem(7, "crmsync.yaml:14: settings.new_record_type: 'person' is not one of: lead, "
                      "contact");
    assert_problem(8, "crmsync.yaml:15: settings.frobnicate: unknown setting");
    assert_problem(9, "crmsync.yaml:17: admin.listen: 'nowhere' is not a listen address "
                      "(HOST:PORT)");
    assert_problem(10, "crmsync.yaml:18: sandbox: unknown key");
    cr_assert_eq(pr.n, 11, "%s", problems_text());
}

Test(config, values_of_the_wrong_shape_are_refused)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "%sadmin: [a, b]\n"
             "log_level:\n  level: info\n"
             "settings: 12\n"
             "mappings: {kind: contact}\n",
             design_example);
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:13: admin: expected a mapping of keys, found a list");
    assert_problem(1, "crmsync.yaml:15: log_level: expected a single value, found a mapping");
    assert_problem(2, "crmsync.yaml:16: settings: expected a mapping of settings, found a value");
    assert_problem(3, "crmsync.yaml:17: mappings: expected a list of mappings, found a mapping");
    cr_assert_eq(pr.n, 4, "%s", problems_text());
}

Test(config, an_empty_file_names_every_missing_credential)
{
    cr_assert_eq(load(""), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml: hubspot.access_token: missing (or give hubspot.oauth)");
    assert_problem(1, "crmsync.yaml: salesforce.client_id: missing");
    assert_problem(2, "crmsync.yaml: salesforce.client_secret: missing");
    assert_problem(3, "crmsync.yaml: salesforce.username: missing (or give "
                      "salesforce.refresh_token)");
    assert_problem(4, "crmsync.yaml: salesforce.password: missing");
    cr_assert_eq(pr.n, 5);
    /* defaults are still in place */
    cr_assert_str_eq(cfg.hubspot.base_url, "https://api.hubapi.com");
    cr_assert_str_eq(cfg.salesforce.login_url, "https://login.salesforce.com");
}

Test(config, yaml_syntax_errors_stop_with_their_line)
{
    cr_assert_eq(load("hubspot:\n  access_token: a\n   bad: [\n"), SYNC_ERR_PARSE);
    cr_assert_eq(pr.n, 1);
    cr_assert(strncmp(pr.items[0].text, "crmsync.yaml:3: YAML syntax: ", 29) == 0, "%s",
              pr.items[0].text);
    cr_assert_eq(load("- a\n- b\n"), SYNC_ERR_PARSE);
    assert_problem(0, "crmsync.yaml:1: the file must be a mapping of keys, found a list");
}

Test(config, duplicate_keys_and_extra_documents_are_problems)
{
    char text[2048];
    snprintf(text, sizeof(text), "%sstore: sqlite:a.db\n---\nstore: sqlite:b.db\n", design_example);
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:13: store: duplicate key");
    assert_problem(1, "crmsync.yaml:15: only one YAML document is allowed");
}

Test(config, problems_past_the_cap_are_counted)
{
    char text[8192];
    size_t used = (size_t)snprintf(text, sizeof(text), "%s", design_example);
    for (int i = 0; i < SYNC_CONFIG_MAX_PROBLEMS + 6; i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used, "junk_%d: 1\n", i);
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    cr_assert_eq(pr.n, SYNC_CONFIG_MAX_PROBLEMS);
    cr_assert_eq(pr.dropped, 6);
    cr_assert(strstr(problems_text(), "(and 6 more problems)"));
}

/* ---- credentials ---- */

Test(config, hubspot_takes_a_token_or_oauth_but_not_both)
{
    const char *sf = "salesforce:\n  client_id: a\n  client_secret: b\n  refresh_token: r\n";
    char text[1024];

    snprintf(text, sizeof(text),
             "hubspot:\n  oauth:\n    client_id: c\n    client_secret: s\n"
             "    refresh_token: t\n%s",
             sf);
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    cr_assert_str_eq(cfg.hubspot.oauth.refresh_token, "t");
    cr_assert_null(cfg.salesforce.username);

    snprintf(text, sizeof(text), "hubspot:\n  access_token: x\n  oauth:\n    client_id: c\n%s", sf);
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:2: hubspot: give access_token or oauth, not both");
    cr_assert_eq(pr.n, 1);

    snprintf(text, sizeof(text), "hubspot:\n  oauth:\n    client_id: c\n    client_secret: s\n%s",
             sf);
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:2: hubspot.oauth.refresh_token: missing");
}

Test(config, salesforce_password_needs_a_username_and_sandbox_picks_the_login_host)
{
    cr_assert_eq(load("hubspot:\n  access_token: x\n"
                      "salesforce:\n  client_id: a\n  client_secret: b\n  refresh_token: r\n"
                      "  password: p\n  sandbox: true\n"),
                 SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:3: salesforce.username: missing");
    cr_assert_str_eq(cfg.salesforce.login_url, "https://test.salesforce.com");

    cr_assert_eq(load("hubspot:\n  access_token: x\n"
                      "salesforce:\n  client_id: a\n  client_secret: b\n  username: u\n"
                      "  password:\n  login_url: https://acme.my.salesforce.com/\n"),
                 SYNC_ERR_INVALID);
    /* an empty password is reported on its own line */
    assert_problem(0, "crmsync.yaml:7: salesforce.password: missing");
    cr_assert_str_eq(cfg.salesforce.login_url, "https://acme.my.salesforce.com");
}

Test(config, salesforce_grant_picks_the_flow_and_its_credentials)
{
    cr_assert_eq(load("hubspot:\n  access_token: x\n"
                      "salesforce:\n  client_id: a\n  client_secret: b\n"
                      "  grant: client_credentials\n"),
                 SYNC_OK, "%s", problems_text());
    cr_assert_str_eq(cfg.salesforce.grant, "client_credentials");

    cr_assert_eq(load("hubspot:\n  access_token: x\n"
                      "salesforce:\n  client_id: a\n  client_secret: b\n"
                      "  grant: refresh_token\n  username: u\n  password: p\n"),
                 SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:3: salesforce.refresh_token: missing");

    cr_assert_eq(load("hubspot:\n  access_token: x\n"
                      "salesforce:\n  client_id: a\n  client_secret: b\n  grant: jwt\n"),
                 SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:6: salesforce.grant: 'jwt' is not a grant crmsync uses "
                      "(password, refresh_token or client_credentials)");
}

Test(config, urls_need_a_scheme_a_host_and_a_sane_port)
{
    static const char *const ok[] = {"https://api.hubapi.com", "http://127.0.0.1:8302",
                                     "http://[::1]:8301/", "https://login.salesforce.com/"};
    static const char *const bad[] = {"api.hubapi.com",  "http://",
                                      "http://host:",    "http://host:99999",
                                      "http://host:8x",  "mailto:ops@example.com",
                                      "http://ho st:80", "https://:443"};
    char text[1024];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(text, sizeof(text),
                 "hubspot:\n  base_url: \"%s\"\n  access_token: x\n"
                 "salesforce:\n  client_id: a\n  client_secret: b\n  refresh_token: r\n",
                 ok[i]);
        cr_assert_eq(load(text), SYNC_OK, "%s: %s", ok[i], problems_text());
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text),
                 "hubspot:\n  base_url: \"%s\"\n  access_token: x\n"
                 "salesforce:\n  client_id: a\n  client_secret: b\n  refresh_token: r\n",
                 bad[i]);
        cr_assert_eq(load(text), SYNC_ERR_INVALID, "%s", bad[i]);
        cr_assert(strstr(pr.items[0].text, "is not an http:// or https:// URL"), "%s",
                  pr.items[0].text);
    }
}

/* ---- durations ---- */

Test(config, durations_take_units_and_sums)
{
    static const struct {
        const char *text;
        int64_t ms;
    } ok[] = {{"30s", 30000},     {"5m", 300000},   {"1h", 3600000}, {"500ms", 500},
              {"1h30m", 5400000}, {"1d", 86400000}, {"0s", 0},       {"2m500ms", 120500}};
    static const char *const bad[] = {"", "30", "s", "5 m", "-5s", "1.5h", "5x", "5mss", "1y"};
    int64_t ms;
    char buf[64];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        cr_assert_eq(sync_duration_parse(ok[i].text, &ms), SYNC_OK, "%s", ok[i].text);
        cr_assert_eq(ms, ok[i].ms, "%s", ok[i].text);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(sync_duration_parse(bad[i], &ms), SYNC_ERR_PARSE, "'%s'", bad[i]);
    cr_assert_eq(sync_duration_parse("400d", &ms), SYNC_ERR_TOO_LARGE);
    cr_assert_eq(sync_duration_parse("99999999999999999999s", &ms), SYNC_ERR_TOO_LARGE);
    cr_assert_str_eq(sync_duration_format(90000, buf, sizeof(buf)), "1m30s");
    cr_assert_str_eq(sync_duration_format(500, buf, sizeof(buf)), "500ms");
    cr_assert_str_eq(sync_duration_format(0, buf, sizeof(buf)), "0s");
    cr_assert_str_eq(sync_duration_format(90061001, buf, sizeof(buf)), "1d1h1m1s1ms");
}

Test(config, poll_interval_is_bounded)
{
    char text[1024];
    snprintf(text, sizeof(text), "%s", design_example);
    char *p = strstr(text, "poll_interval: 30s");
    snprintf(p, sizeof(text) - (size_t)(p - text), "poll_interval: 50ms\n");
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:12: poll_interval: 50ms is below the minimum (100ms)");
    snprintf(p, sizeof(text) - (size_t)(p - text), "poll_interval: 2h\n");
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:12: poll_interval: 2h is above the maximum (1h)");
    snprintf(p, sizeof(text) - (size_t)(p - text), "poll_interval: 500ms\n");
    cr_assert_eq(load(text), SYNC_OK);
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_POLL_INTERVAL), 500);
}

Test(config, poll_interval_and_log_level_are_settings_given_at_the_top_or_under_settings)
{
    char text[2048];
    snprintf(text, sizeof(text), "%s", design_example);
    char *p = strstr(text, "poll_interval: 30s");
    snprintf(p, sizeof(text) - (size_t)(p - text),
             "settings:\n  poll_interval: 5s\n  log_level: warn\n");
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_POLL_INTERVAL), 5000);
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_LOG_LEVEL), SYNC_LOG_WARN);
    cr_assert(cfg.settings_given[SYNC_SETTING_POLL_INTERVAL]);
    snprintf(p, sizeof(text) - (size_t)(p - text),
             "poll_interval: 10s\nsettings:\n  poll_interval: 5s\n");
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:14: poll_interval: given twice (at the top level and under "
                      "settings)");
}

Test(config, request_timeout_defaults_to_a_minute_and_is_bounded)
{
    char text[1024];
    snprintf(text, sizeof(text), "%s", design_example);
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    cr_assert_eq(cfg.request_timeout_ms, 60000);
    char *p = strstr(text, "poll_interval: 30s");
    snprintf(p, sizeof(text) - (size_t)(p - text), "request_timeout: 50ms\n");
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:12: request_timeout: 50ms is below the minimum (100ms)");
    snprintf(p, sizeof(text) - (size_t)(p - text), "request_timeout: 2s\n");
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    cr_assert_eq(cfg.request_timeout_ms, 2000);
}

/* ---- the settings API ---- */

Test(config, settings_change_at_run_time_with_the_same_checks)
{
    struct sync_settings s;
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_buf b = SYNC_BUF_INIT(256);
    json_t *j;

    cr_assert_eq(sync_settings_init(&s), SYNC_OK);
    cr_assert_eq(sync_settings_set(&s, SYNC_SETTING_RETRY_INTERVAL, "45s", &err), SYNC_ERR_INVALID);
    cr_assert_str_eq(err.message, "retry_interval: 45s is below the minimum (1m)");
    cr_assert_eq(sync_settings_int(&s, SYNC_SETTING_RETRY_INTERVAL), 1800000);
    cr_assert_eq(sync_settings_set(&s, SYNC_SETTING_RETRY_NIGHTLY_AT, "24:00", &err),
                 SYNC_ERR_INVALID);
    cr_assert_eq(sync_settings_set(&s, SYNC_SETTING_CONTACT_SYNC, "maybe", &err), SYNC_ERR_INVALID);
    cr_assert_str_eq(err.message, "contact_sync: 'maybe' is not a boolean (true or false)");
    cr_assert_eq(sync_settings_set(&s, SYNC_SETTING_RETRY_MAX_ATTEMPTS, "1e3", &err),
                 SYNC_ERR_INVALID);
    cr_assert_eq(sync_settings_set(&s, SYNC_SETTING_RETRY_INTERVAL, "2h", &err), SYNC_OK);
    sync_settings_format(&s, SYNC_SETTING_RETRY_INTERVAL, &b);
    cr_assert_str_eq(sync_buf_str(&b), "2h");

    j = sync_settings_get_json(&s, SYNC_SETTING_CONTACT_SYNC);
    cr_assert(json_is_true(j));
    json_decref(j);
    j = sync_settings_get_json(&s, SYNC_SETTING_RETRY_MAX_ATTEMPTS);
    cr_assert_eq(json_integer_value(j), 10);
    json_decref(j);
    j = sync_settings_get_json(&s, SYNC_SETTING_NEW_RECORD_TYPE);
    cr_assert_str_eq(json_string_value(j), "lead");
    json_decref(j);

    j = json_false();
    cr_assert_eq(sync_settings_set_json(&s, SYNC_SETTING_DEAL_SYNC, j, &err), SYNC_OK);
    json_decref(j);
    j = json_integer(101);
    cr_assert_eq(sync_settings_set_json(&s, SYNC_SETTING_RETRY_SUPPRESS_ABOVE_PERCENT, j, &err),
                 SYNC_ERR_INVALID);
    cr_assert_str_eq(err.message, "retry_suppress_above_percent: 101 is above the maximum (100)");
    json_decref(j);
    j = json_string("contact");
    cr_assert_eq(sync_settings_set_json(&s, SYNC_SETTING_NEW_RECORD_TYPE, j, &err), SYNC_OK);
    json_decref(j);
    cr_assert_eq(sync_settings_int(&s, SYNC_SETTING_DEAL_SYNC), 0);
    cr_assert_eq(sync_settings_int(&s, SYNC_SETTING_NEW_RECORD_TYPE), SYNC_NEW_RECORD_CONTACT);
    j = json_array();
    cr_assert_eq(sync_settings_set_json(&s, SYNC_SETTING_DEAL_SYNC, j, &err), SYNC_ERR_INVALID);
    json_decref(j);
    sync_buf_release(&b);
    sync_settings_release(&s);
}

/* ---- mappings ---- */

static const char *mappings_file = "hubspot:\n  access_token: x\n"                     /* 1-2 */
                                   "salesforce:\n  client_id: a\n  client_secret: b\n" /* 3-5 */
                                   "  refresh_token: r\n"                              /* 6 */
                                   "mappings:\n"                                       /* 7 */
                                   "  - kind: contact\n"                               /* 8 */
                                   "    hubspot: favorite_color\n"                     /* 9 */
                                   "    salesforce: Color__c\n"                        /* 10 */
                                   "    rule: two_way\n"                               /* 11 */
                                   "    hubspot_type: enumeration/select\n"            /* 12 */
                                   "    salesforce_type: picklist\n"                   /* 13 */
                                   "  - kind: contact\n"                               /* 14 */
                                   "    hubspot: firstname\n"                          /* 15 */
                                   "    rule: always_use_salesforce\n"                 /* 16 */
                                   "  - kind: deals\n"                                 /* 17 */
                                   "    hubspot: region\n"                             /* 18 */
                                   "    salesforce: [Opportunity.Region__c]\n"         /* 19 */
                                   "    hubspot_type: string\n"                        /* 20 */
                                   "    salesforce_type: string\n";                    /* 21 */

Test(config, mapping_entries_are_read_with_their_lines)
{
    cr_assert_eq(load(mappings_file), SYNC_OK, "%s", problems_text());
    cr_assert_eq(cfg.nmappings, 3);
    cr_assert_eq(cfg.mappings[0].line, 8);
    cr_assert_eq(cfg.mappings[0].kind, SYNC_KIND_CONTACT);
    cr_assert_str_eq(cfg.mappings[0].hubspot, "favorite_color");
    cr_assert_eq(cfg.mappings[0].nsf, 1);
    cr_assert_str_eq(cfg.mappings[0].sf[0].object, "");
    cr_assert_str_eq(cfg.mappings[0].sf[0].field, "Color__c");
    cr_assert_eq(cfg.mappings[0].rule, SYNC_RULE_TWO_WAY);
    cr_assert_eq(cfg.mappings[0].hs_type, SYNC_HST_ENUMERATION);
    cr_assert_eq(cfg.mappings[0].hs_field_type, SYNC_HSF_SELECT);
    cr_assert_eq(cfg.mappings[0].sf_type, SYNC_SFT_PICKLIST);
    cr_assert_eq(cfg.mappings[1].has_rule, 1);
    cr_assert_eq(cfg.mappings[1].nsf, 0);
    cr_assert_eq(cfg.mappings[2].kind, SYNC_KIND_DEAL);
    cr_assert_str_eq(cfg.mappings[2].sf[0].object, "Opportunity");
    cr_assert_eq(cfg.mappings[2].hs_field_type, SYNC_HSF_TEXT);
}

Test(config, mapping_entries_apply_to_a_set)
{
    struct sync_mapping_set set;
    const struct sync_mapping *m;

    cr_assert_eq(load(mappings_file), SYNC_OK, "%s", problems_text());
    cr_assert_eq(sync_mapping_set_init(&set), SYNC_OK);
    cr_assert_eq(sync_config_apply_mappings(&cfg, &set, NULL, NULL, &pr), SYNC_OK, "%s",
                 problems_text());
    m = sync_mapping_set_find_hs(&set, SYNC_KIND_CONTACT, "favorite_color");
    cr_assert(m);
    cr_assert_eq(m->nsf, 2);
    cr_assert_str_eq(m->sf[0].object, "Lead");
    cr_assert_str_eq(m->sf[1].object, "Contact");
    cr_assert_eq(m->rule, SYNC_RULE_TWO_WAY);
    cr_assert_eq(sync_mapping_set_find_hs(&set, SYNC_KIND_CONTACT, "firstname")->rule,
                 SYNC_RULE_ALWAYS_SF);
    cr_assert(sync_mapping_set_find_sf(&set, SYNC_KIND_DEAL, "Opportunity", "Region__c"));
    sync_mapping_set_release(&set);
}

Test(config, bad_mapping_entries_are_reported_each_with_its_line)
{
    cr_assert_eq(load("hubspot:\n  access_token: x\n"
                      "salesforce:\n  client_id: a\n  client_secret: b\n  refresh_token: r\n"
                      "mappings:\n"                    /* 7 */
                      "  - kind: product\n"            /* 8 */
                      "    hubspot: subject\n"         /* 9 */
                      "  - hubspot: x\n"               /* 10 */
                      "    salesforce: Account.X__c\n" /* 11 */
                      "    colour: red\n"              /* 12 */
                      "  - kind: contact\n"            /* 13 */
                      "    hubspot: y\n"               /* 14 */
                      "    salesforce: Account.Y__c\n" /* 15 */
                      "    rule: sometimes\n"          /* 16 */
                      "    hubspot_type: blob\n"       /* 17 */
                      "    salesforce_type: address\n" /* 18 */
                      "  - kind: company\n"            /* 19 */
                      "    hubspot: z\n"               /* 20 */
                      "    salesforce: Z__c\n"         /* 21 */
                      "  - kind: company\n"            /* 22 */
                      "    hubspot: z\n"               /* 23 */
                      "  - kind: company\n"            /* 24 */
                      "    hubspot: w\n"               /* 25 */
                      "    salesforce: a.b.c\n"        /* 26 */
                      "  - just text\n"),              /* 27 */
                 SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:8: mappings[0].kind: 'product' is not a sync kind (contact, "
                      "company, deal, ticket, task, email, call, meeting)");
    assert_problem(1, "crmsync.yaml:10: mappings[1].kind: missing");
    assert_problem(2, "crmsync.yaml:12: mappings[1].colour: unknown key (kind, hubspot, "
                      "salesforce, rule, hubspot_type, salesforce_type)");
    assert_problem(3, "crmsync.yaml:15: mappings[2].salesforce: Account is not a Salesforce "
                      "object of the contact sync");
    cr_assert(strstr(pr.items[4].text, "crmsync.yaml:16: mappings[2].rule: 'sometimes' is not "
                                       "a sync rule"),
              "%s", pr.items[4].text);
    cr_assert(strstr(pr.items[5].text, "crmsync.yaml:17: mappings[2].hubspot_type: 'blob'"));
    assert_problem(6, "crmsync.yaml:18: mappings[2].salesforce_type: 'address' is not a "
                      "Salesforce field type that can be mapped");
    assert_problem(7, "crmsync.yaml:22: mappings[4]: the company property z is already listed "
                      "at line 19");
    assert_problem(8, "crmsync.yaml:26: mappings[5].salesforce: 'a.b.c' is not Field or "
                      "Object.Field");
    assert_problem(9, "crmsync.yaml:27: mappings[6]: expected a mapping (kind, hubspot, "
                      "salesforce, rule), found a value");
    cr_assert_eq(pr.n, 10, "%s", problems_text());
}

/* Types as a describe would give them, for the resolver. */
static enum sync_rc test_resolve(void *ctx, struct sync_mapping *m, struct sync_err *err)
{
    int *calls = ctx;
    (*calls)++;
    if (strcmp(m->hs.name, "ghost") == 0)
        return sync_err_set(err, SYNC_ERR_NOT_FOUND, "HubSpot has no contact property ghost");
    m->hs.type = SYNC_HST_STRING;
    m->hs.field_type = strcmp(m->hs.name, "notes") == 0 ? SYNC_HSF_TEXTAREA : SYNC_HSF_TEXT;
    for (size_t i = 0; i < m->nsf; i++)
        m->sf[i].type = SYNC_SFT_STRING;
    return SYNC_OK;
}

Test(config, applying_mappings_reports_refusals_with_the_entry_line)
{
    struct sync_mapping_set set;
    int calls = 0;

    cr_assert_eq(load("hubspot:\n  access_token: x\n"
                      "salesforce:\n  client_id: a\n  client_secret: b\n  refresh_token: r\n"
                      "mappings:\n"                      /* 7 */
                      "  - kind: contact\n"              /* 8 */
                      "    hubspot: email\n"             /* 9 */
                      "    salesforce: Other_Email__c\n" /* 10 */
                      "  - kind: contact\n"              /* 11 */
                      "    hubspot: notes\n"             /* 12 */
                      "    salesforce: Lead.Notes__c\n"  /* 13 */
                      "  - kind: contact\n"              /* 14 */
                      "    hubspot: ghost\n"             /* 15 */
                      "    salesforce: Ghost__c\n"       /* 16 */
                      "  - kind: contact\n"              /* 17 */
                      "    hubspot: crmsync_link_id\n"   /* 18 */
                      "    rule: two_way\n"              /* 19 */
                      "  - kind: contact\n"              /* 20 */
                      "    hubspot: nickname\n"          /* 21 */
                      "    salesforce: Nickname__c\n"    /* 22 */
                      "  - kind: company\n"              /* 23 */
                      "    hubspot: city\n"              /* 24 */
                      "    salesforce: BillingCity\n"    /* 25 */
                      "    rule: dont_sync\n"),          /* 26 */
                 SYNC_OK, "%s", problems_text());
    cr_assert_eq(sync_mapping_set_init(&set), SYNC_OK);
    cr_assert_eq(sync_config_apply_mappings(&cfg, &set, test_resolve, &calls, &pr),
                 SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:8: contact mapping email: a default mapping's Salesforce "
                      "fields cannot be changed (it maps to Lead.Email)");
    assert_problem(1, "crmsync.yaml:11: contact mapping notes: types do not match: HubSpot "
                      "property notes is multi-line text, which maps to Salesforce textarea "
                      "fields, but Lead.Notes__c is string");
    assert_problem(2, "crmsync.yaml:14: contact mapping ghost: HubSpot has no contact property "
                      "ghost");
    assert_problem(3, "crmsync.yaml:17: contact mapping crmsync_link_id: crmsync_link_id is "
                      "crmsync's own link id: the engine writes it, and its rule cannot be "
                      "changed");
    cr_assert_eq(pr.n, 4, "%s", problems_text());
    cr_assert_eq(calls, 3);
    cr_assert(sync_mapping_set_find_hs(&set, SYNC_KIND_CONTACT, "nickname"));
    cr_assert_eq(sync_mapping_set_find_hs(&set, SYNC_KIND_COMPANY, "city")->rule,
                 SYNC_RULE_DONT_SYNC);
    sync_mapping_set_release(&set);
}

Test(config, user_mappings_need_types_when_no_resolver_is_given)
{
    struct sync_mapping_set set;
    cr_assert_eq(load("hubspot:\n  access_token: x\n"
                      "salesforce:\n  client_id: a\n  client_secret: b\n  refresh_token: r\n"
                      "mappings:\n"
                      "  - kind: contact\n    hubspot: nickname\n    salesforce: Nickname__c\n"
                      "  - kind: contact\n    hubspot: nick2\n    hubspot_type: user\n"
                      "    salesforce: Lead.Nick2__c\n    salesforce_type: reference\n"),
                 SYNC_OK, "%s", problems_text());
    cr_assert_eq(sync_mapping_set_init(&set), SYNC_OK);
    cr_assert_eq(sync_config_apply_mappings(&cfg, &set, NULL, NULL, &pr), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:8: contact mapping nickname: give hubspot_type and "
                      "salesforce_type, or connect to the vendors to read them");
    assert_problem(1, "crmsync.yaml:11: contact mapping nick2: HubSpot property nick2 is a "
                      "HubSpot user property: those cannot be mapped to Salesforce fields");
    sync_mapping_set_release(&set);
}

/* ---- writing ---- */

Test(config, the_written_yaml_redacts_secrets_and_shows_defaults)
{
    struct sync_buf out = SYNC_BUF_INIT(1 << 20);
    const char *y;
    char text[2048];

    snprintf(text, sizeof(text), "%s", design_example);
    char *p = strstr(text, "store:");
    snprintf(p, sizeof(text) - (size_t)(p - text),
             "store: postgres://sync:hunter2@db.example.com/crmsync\n"
             "admin:\n  token: admintoken\n"
             "settings:\n  inclusion_list: \"123\"\n");
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    cr_assert_eq(sync_config_write_yaml(&cfg, NULL, &out), SYNC_OK);
    y = sync_buf_str(&out);
    cr_assert(strstr(y, "hubspot:\n  base_url: http://127.0.0.1:8302\n  access_token: "
                        "<redacted>\n"),
              "%s", y);
    cr_assert(strstr(y, "  password: <redacted>\n  security_token: <redacted>\n"), "%s", y);
    cr_assert(strstr(y, "  client_secret: <redacted>\n"), "%s", y);
    cr_assert(strstr(y, "  username: integration@crmsync.test\n"), "%s", y);
    cr_assert(strstr(y, "  sandbox: false\n"), "%s", y);
    cr_assert(strstr(y, "store: postgres://sync:<redacted>@db.example.com/crmsync\n"), "%s", y);
    cr_assert(strstr(y, "  poll_interval: 30s\n  log_level: info\n"), "%s", y);
    cr_assert_null(strstr(y, "\npoll_interval:"), "%s", y);
    cr_assert(strstr(y, "admin:\n  listen: 127.0.0.1:8300\n  token: <redacted>\n"), "%s", y);
    cr_assert(strstr(y, "  new_record_type: lead\n"), "%s", y);
    cr_assert(strstr(y, "  inclusion_list: \"123\"\n"), "%s", y);
    cr_assert(strstr(y, "  retry_interval: 30m\n"), "%s", y);
    cr_assert(strstr(y, "  retry_nightly_at: 00:00\n") ||
                  strstr(y, "  retry_nightly_at: '00:00'\n"),
              "%s", y);
    cr_assert_null(strstr(y, "hunter2"));
    cr_assert_null(strstr(y, "demo-password"));
    cr_assert_null(strstr(y, "DEMOTOKEN"));
    cr_assert_null(strstr(y, "pat-na1"));
    cr_assert_null(strstr(y, "admintoken"));
    cr_assert_null(strstr(y, "oauth"));
    sync_buf_release(&out);
}

Test(config, the_written_yaml_loads_back_to_the_same_configuration)
{
    struct sync_buf out = SYNC_BUF_INIT(1 << 20), again = SYNC_BUF_INIT(1 << 20);
    struct sync_mapping_set set;
    static const char *const vars[] = {"WEIRD", "${not-a-var} and yes", NULL};
    char text[4096];

    env_vars = vars;
    snprintf(text, sizeof(text),
             "%ssettings:\n  deal_sync: false\n  inclusion_list: ${WEIRD}\n"
             "mappings:\n"
             "  - kind: contact\n    hubspot: favorite_color\n    salesforce: Color__c\n"
             "    hubspot_type: enumeration/select\n    salesforce_type: picklist\n"
             "  - kind: deal\n    hubspot: region\n    salesforce: Opportunity.Region__c\n"
             "    rule: always_use_hubspot\n    hubspot_type: string\n"
             "    salesforce_type: string\n"
             "  - kind: company\n    hubspot: name\n    rule: two_way\n",
             design_example);
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    cr_assert_eq(sync_mapping_set_init(&set), SYNC_OK);
    cr_assert_eq(sync_config_apply_mappings(&cfg, &set, NULL, NULL, &pr), SYNC_OK, "%s",
                 problems_text());
    cr_assert_eq(sync_config_write_yaml(&cfg, &set, &out), SYNC_OK);
    sync_mapping_set_release(&set);

    env_vars = no_env;
    cr_assert_eq(load(sync_buf_str(&out)), SYNC_OK, "%s\n%s", problems_text(), sync_buf_str(&out));
    cr_assert_str_eq(sync_settings_str(&cfg.settings, SYNC_SETTING_INCLUSION_LIST),
                     "${not-a-var} and yes");
    cr_assert_eq(sync_settings_int(&cfg.settings, SYNC_SETTING_DEAL_SYNC), 0);
    cr_assert_eq(cfg.nmappings, 3, "%s", sync_buf_str(&out));
    cr_assert_eq(sync_mapping_set_init(&set), SYNC_OK);
    cr_assert_eq(sync_config_apply_mappings(&cfg, &set, NULL, NULL, &pr), SYNC_OK, "%s",
                 problems_text());
    cr_assert_eq(sync_mapping_set_find_hs(&set, SYNC_KIND_COMPANY, "name")->rule,
                 SYNC_RULE_TWO_WAY);
    cr_assert_eq(sync_mapping_set_find_hs(&set, SYNC_KIND_DEAL, "region")->rule,
                 SYNC_RULE_ALWAYS_HS);
    cr_assert_eq(sync_mapping_set_find_hs(&set, SYNC_KIND_CONTACT, "favorite_color")->nsf, 2);
    /* writing again gives the same text: the output is a fixed point */
    cr_assert_eq(sync_config_write_yaml(&cfg, &set, &again), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&again), sync_buf_str(&out));
    sync_mapping_set_release(&set);
    sync_buf_release(&out);
    sync_buf_release(&again);
}

/* ---- files ---- */

Test(config, files_are_read_from_disk_and_a_missing_one_is_named)
{
    char path[] = "crmsync-config-test-XXXXXX"; /* in the working directory */
    int fd = mkstemp(path);
    FILE *f;

    cr_assert_geq(fd, 0);
    f = fdopen(fd, "w");
    fputs(design_example, f);
    fclose(f);
    sync_config_release(&cfg);
    sync_config_init(&cfg);
    cr_assert_eq(sync_config_load_file(&cfg, path, &pr), SYNC_OK, "%s", problems_text());
    cr_assert_str_eq(cfg.source, path);
    cr_assert_str_eq(cfg.salesforce.username, "integration@crmsync.test");
    unlink(path);
    cr_assert_eq(sync_config_load_file(&cfg, path, &pr), SYNC_ERR_IO);
    cr_assert_eq(pr.n, 1);
    cr_assert(strstr(pr.items[0].text, ": cannot open: No such file or directory"), "%s",
              pr.items[0].text);
}

/* ---- deal stages ---- */

Test(config, deal_stages_are_read_as_flat_entries_per_stage)
{
    char text[4096];
    const json_t *e;

    snprintf(text, sizeof(text),
             "%sdeal_stages:\n"
             "  - pipeline: default\n"
             "    record_type: New_Business\n"
             "    stages:\n"
             "      appointmentscheduled: Prospecting\n"
             "      closedwon: Closed Won\n"
             "  - pipeline: '77'\n"
             "    stages: {s1: Qualification}\n",
             design_example);
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    cr_assert_eq(json_array_size(cfg.deal_stages), 3);
    e = json_array_get(cfg.deal_stages, 1);
    cr_assert_str_eq(sync_json_str(e, "pipeline"), "default");
    cr_assert_str_eq(sync_json_str(e, "record_type"), "New_Business");
    cr_assert_str_eq(sync_json_str(e, "stage"), "closedwon");
    cr_assert_str_eq(sync_json_str(e, "sf_stage"), "Closed Won");
    e = json_array_get(cfg.deal_stages, 2);
    cr_assert_str_eq(sync_json_str(e, "record_type"), "", "no record type: an org without any");
}

Test(config, deal_stages_of_the_wrong_shape_are_refused_with_their_lines)
{
    char text[4096];

    snprintf(text, sizeof(text),
             "%sdeal_stages:\n"
             "  - record_type: Renewal\n"
             "    stages:\n"
             "      s1: Prospecting\n"
             "  - pipeline: default\n"
             "    colour: red\n"
             "    stages: [a, b]\n",
             design_example);
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:14: deal_stages[0].pipeline: missing");
    assert_problem(1, "crmsync.yaml:17: deal_stages[1].stages: expected a mapping of HubSpot "
                      "stage id: StageName");
    assert_problem(2, "crmsync.yaml:18: deal_stages[1].colour: unknown key (pipeline, "
                      "record_type, stages)");
}

/* ---- ticket pipelines ---- */

static void assert_json(const json_t *got, const char *want)
{
    json_t *w = json_loads(want, 0, NULL);
    char *text = json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY);

    cr_assert_not_null(w, "%s", want);
    cr_assert(json_equal(got, w), "got %s, want %s", text ? text : "NULL", want);
    free(text);
    json_decref(w);
}

Test(config, ticket_pipelines_are_read_as_the_choices_with_null_dropping_one)
{
    char text[4096];

    snprintf(text, sizeof(text),
             "%sticket_pipelines:\n"
             "  processes:\n"
             "    Support Process: '0'\n"
             "    Billing Process: ~\n"
             "  stages:\n"
             "    '0':\n"
             "      Working: '3'\n"
             "      On Hold: null\n"
             "    77: {New: 12}\n",
             design_example);
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    assert_json(cfg.ticket_pipelines,
                "{\"processes\": {\"Support Process\": \"0\", \"Billing Process\": null},"
                " \"stages\": {\"0\": {\"Working\": \"3\", \"On Hold\": null},"
                " \"77\": {\"New\": \"12\"}}}");
    cr_assert_eq(load(design_example), SYNC_OK);
    cr_assert_null(cfg.ticket_pipelines, "no section: no choices");
}

Test(config, ticket_pipelines_of_the_wrong_shape_are_refused_with_their_lines)
{
    char text[4096];

    snprintf(text, sizeof(text),
             "%sticket_pipelines:\n"
             "  processes: [Support Process]\n"
             "  stages:\n"
             "    '0': '3'\n"
             "    '1':\n"
             "      New: {id: 2}\n"
             "      Closed: ''\n"
             "  colour: red\n",
             design_example);
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:14: ticket_pipelines.processes: expected a mapping of "
                      "business process: ticket pipeline id, found a list");
    assert_problem(1, "crmsync.yaml:16: ticket_pipelines.stages.0: expected a mapping of case "
                      "status: ticket status id, found a value");
    assert_problem(2, "crmsync.yaml:18: ticket_pipelines.stages.1.New: expected a single value, "
                      "found a mapping");
    assert_problem(3, "crmsync.yaml:19: ticket_pipelines.stages.1.Closed: expected a ticket "
                      "status id (or null to drop the choice)");
    assert_problem(4, "crmsync.yaml:20: ticket_pipelines.colour: unknown key (processes, stages)");
    cr_assert_eq(pr.n, 5, "%s", problems_text());
    snprintf(text, sizeof(text), "%sticket_pipelines: [a]\n", design_example);
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:13: ticket_pipelines: expected a mapping (processes, stages), "
                      "found a list");
    snprintf(text, sizeof(text), "%sticket_pipelines:\n  stages: [a]\n", design_example);
    cr_assert_eq(load(text), SYNC_ERR_INVALID);
    assert_problem(0, "crmsync.yaml:14: ticket_pipelines.stages: expected a mapping of ticket "
                      "pipeline id: (case status: ticket status id), found a list");
}

Test(config, ticket_pipelines_are_written_only_with_a_choice_and_load_back)
{
    struct sync_buf out = SYNC_BUF_INIT(1 << 20);
    char text[4096];

    cr_assert_eq(sync_config_write_yaml(&cfg, NULL, &out), SYNC_OK);
    cr_assert_null(strstr(sync_buf_str(&out), "ticket_pipelines"), "%s", sync_buf_str(&out));
    snprintf(text, sizeof(text),
             "%sticket_pipelines:\n  processes: {Support Process: '0', Other: ~}\n"
             "  stages: {'0': {Working: '3', 'true': '4'}, '9': {}}\n",
             design_example);
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    sync_buf_reset(&out);
    cr_assert_eq(sync_config_write_yaml(&cfg, NULL, &out), SYNC_OK);
    cr_assert(strstr(sync_buf_str(&out), "ticket_pipelines:\n  processes:\n"
                                         "    Support Process: \"0\"\n    Other: null\n"
                                         "  stages:\n    \"0\":\n      Working: \"3\"\n"
                                         "      \"true\": \"4\"\n"),
              "%s", sync_buf_str(&out));
    cr_assert_eq(load(sync_buf_str(&out)), SYNC_OK, "%s\n%s", problems_text(), sync_buf_str(&out));
    assert_json(cfg.ticket_pipelines,
                "{\"processes\": {\"Support Process\": \"0\", \"Other\": null},"
                " \"stages\": {\"0\": {\"Working\": \"3\", \"true\": \"4\"}}}");
    sync_buf_release(&out);
}

/* ---- the JSON form of a mapping entry (run-time mappings) ---- */

static enum sync_rc from_json(const char *prop, const char *text, struct sync_config_mapping *e,
                              struct sync_err *err)
{
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    enum sync_rc rc;

    cr_assert_not_null(j, "%s", text);
    rc = sync_config_mapping_from_json(SYNC_KIND_CONTACT, prop, j, e, err);
    json_decref(j);
    return rc;
}

Test(config, a_json_entry_reads_like_the_files_with_per_field_types)
{
    struct sync_config_mapping e;
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_mapping m;

    cr_assert_eq(from_json("fav", "{\"salesforce\": \"Fav__c\", \"rule\": \"two-way\"}", &e, &err),
                 SYNC_OK, "%s", err.message);
    cr_assert_eq(e.nsf, 1);
    cr_assert_str_eq(e.sf[0].object, "");
    cr_assert_eq(e.rule, SYNC_RULE_TWO_WAY);
    cr_assert_eq(from_json("fav",
                           "{\"salesforce\": [{\"object\": \"Lead\", \"field\": \"Fav__c\","
                           " \"type\": \"picklist\"}, {\"object\": \"Contact\", \"field\":"
                           " \"Fav2__c\", \"type\": \"combobox\"}],"
                           " \"hubspot_type\": \"enumeration/select\"}",
                           &e, &err),
                 SYNC_OK, "%s", err.message);
    cr_assert_eq(sync_config_mapping_user(&e, NULL, NULL, &m, &err), SYNC_OK, "%s", err.message);
    cr_assert_eq(m.nsf, 2);
    cr_assert_eq(m.sf[0].type, SYNC_SFT_PICKLIST);
    cr_assert_eq(m.sf[1].type, SYNC_SFT_COMBOBOX);
    cr_assert_eq(m.hs.field_type, SYNC_HSF_SELECT);
    sync_mapping_release(&m);
}

Test(config, a_bad_json_entry_gets_the_files_message)
{
    struct sync_config_mapping e;
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_mapping m;

    cr_assert_eq(from_json("fav", "{\"salesforce\": \"a.b.c\"}", &e, &err), SYNC_ERR_INVALID);
    cr_assert_str_eq(err.message, "salesforce: 'a.b.c' is not Field or Object.Field");
    cr_assert_eq(from_json("fav", "{\"salesforce\": \"Account.X\"}", &e, &err), SYNC_ERR_INVALID);
    cr_assert_str_eq(err.message,
                     "salesforce: Account is not a Salesforce object of the contact sync");
    cr_assert_eq(from_json("fav", "{\"salesforce\": \"X\", \"rule\": \"sometimes\"}", &e, &err),
                 SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "rule: 'sometimes' is not a sync rule"), "%s", err.message);
    cr_assert_eq(
        from_json("fav", "{\"salesforce\": \"X\", \"salesforce_type\": \"address\"}", &e, &err),
        SYNC_ERR_INVALID);
    cr_assert_str_eq(err.message, "salesforce_type: 'address' is not a Salesforce field type that "
                                  "can be mapped");
    cr_assert_eq(from_json("fav", "{\"salesforce\": [\"A.X\", \"B.Y\", \"C.Z\"]}", &e, &err),
                 SYNC_ERR_INVALID);
    cr_assert_str_eq(err.message, "salesforce: at most 2 fields");
    cr_assert_eq(from_json("fav", "[1]", &e, &err), SYNC_ERR_INVALID);
    cr_assert_eq(from_json("", "{\"salesforce\": \"X\"}", &e, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "hubspot: missing"), "%s", err.message);
    cr_assert_eq(from_json("fav", "{\"rule\": \"two_way\"}", &e, &err), SYNC_OK);
    cr_assert_eq(sync_config_mapping_user(&e, NULL, NULL, &m, &err), SYNC_ERR_INVALID);
    cr_assert_str_eq(err.message, "salesforce: missing (the Salesforce field to map)");
    sync_mapping_release(&m);
}

Test(config, deal_stages_are_written_as_the_file_gave_them_and_load_back)
{
    struct sync_buf out = SYNC_BUF_INIT(1 << 20);
    char text[4096];
    json_t *first;

    snprintf(text, sizeof(text),
             "%sdeal_stages:\n"
             "  - pipeline: default\n    record_type: New_Business\n"
             "    stages: {appointmentscheduled: Prospecting, closedwon: Closed Won}\n"
             "  - pipeline: \"77\"\n    stages: {s1: Qualification}\n",
             design_example);
    cr_assert_eq(load(text), SYNC_OK, "%s", problems_text());
    cr_assert_eq(sync_config_write_yaml(&cfg, NULL, &out), SYNC_OK);
    cr_assert(strstr(sync_buf_str(&out), "deal_stages:\n- pipeline: default\n"
                                         "  record_type: New_Business\n  stages:\n"
                                         "    appointmentscheduled: Prospecting\n"
                                         "    closedwon: Closed Won\n"
                                         "- pipeline: \"77\"\n  stages:\n    s1: Qualification\n"),
              "%s", sync_buf_str(&out));
    first = json_deep_copy(cfg.deal_stages);
    cr_assert_eq(load(sync_buf_str(&out)), SYNC_OK, "%s\n%s", problems_text(), sync_buf_str(&out));
    cr_assert_eq(json_array_size(cfg.deal_stages), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *a = json_array_get(first, i), *b = json_array_get(cfg.deal_stages, i);
        for (const char *const *k =
                 (const char *const[]){"pipeline", "record_type", "stage", "sf_stage", NULL};
             *k; k++)
            cr_assert_str_eq(json_string_value(json_object_get(a, *k)),
                             json_string_value(json_object_get(b, *k)));
    }
    json_decref(first);
    sync_buf_release(&out);
}
