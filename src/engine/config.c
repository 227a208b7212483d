/*
 * config.c: crmsync.yaml, the settings table and durations (see config.h).
 * Called by the CLI at start-up, by the admin API for settings, and by
 * `crmsync config show`.
 *
 * Layout of this file:
 *   1. durations
 *   2. the settings table and its accessors
 *   3. the file's key table and the typed setters it drives
 *   4. the loader: libyaml's document tree walked against the tables, with
 *      ${NAME} expansion, then the checks that span several keys
 *   5. mapping entries, and applying them to a mapping set
 *   6. the YAML writer (libyaml's emitter)
 *
 * Problems are collected, never fatal: the loader keeps walking so one run
 * reports everything wrong with a file.
 */
#include "engine/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/http_server.h"
#include "core/log.h"

/* ======================================================================
 * 1. durations
 * ==================================================================== */

#define MS_SECOND 1000LL
#define MS_MINUTE (60 * MS_SECOND)
#define MS_HOUR (60 * MS_MINUTE)
#define MS_DAY (24 * MS_HOUR)
#define DURATION_MAX (365 * MS_DAY)

static const struct {
    const char *unit;
    int64_t ms;
} duration_units[] = {{"ms", 1}, {"s", MS_SECOND}, {"m", MS_MINUTE}, {"h", MS_HOUR}, {"d", MS_DAY}};

enum sync_rc sync_duration_parse(const char *s, int64_t *ms)
{
    int64_t total = 0;

    if (!s || !*s)
        return SYNC_ERR_PARSE;
    while (*s) {
        int64_t n = 0, unit = 0;
        size_t ulen = 0;
        if (!isdigit((unsigned char)*s))
            return SYNC_ERR_PARSE;
        for (; isdigit((unsigned char)*s); s++) {
            n = n * 10 + (*s - '0');
            if (n > DURATION_MAX)
                return SYNC_ERR_TOO_LARGE;
        }
        /* longest unit first, so "ms" wins over "m" */
        for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
            size_t l = strlen(duration_units[i].unit);
            if (l > ulen && strncmp(s, duration_units[i].unit, l) == 0 &&
                !isalpha((unsigned char)s[l])) {
                unit = duration_units[i].ms;
                ulen = l;
            }
        }
        if (!unit)
            return SYNC_ERR_PARSE;
        s += ulen;
        if (n > DURATION_MAX / unit || (total += n * unit) > DURATION_MAX)
            return SYNC_ERR_TOO_LARGE;
    }
    *ms = total;
    return SYNC_OK;
}

char *sync_duration_format(int64_t ms, char *out, size_t n)
{
    size_t used = 0;

    out[0] = '\0';
    if (ms <= 0) {
        snprintf(out, n, "0s");
        return out;
    }
    for (int i = (int)(sizeof(duration_units) / sizeof(duration_units[0])) - 1; i >= 0; i--) {
        int64_t q = ms / duration_units[i].ms;
        if (!q)
            continue;
        ms -= q * duration_units[i].ms;
        if (used < n)
            used += (size_t)snprintf(out + used, n - used, "%lld%s", (long long)q,
                                     duration_units[i].unit);
    }
    return out;
}

/* ======================================================================
 * 2. settings
 * ==================================================================== */

static const char *const new_record_types[] = {"lead", "contact", NULL};
static const char *const ticket_delete_rules[] = {"nothing", "delete", NULL};
static const char *const log_levels[] = {"debug", "info", "warn", "error", NULL};

#define RT SYNC_SETTING_RUNTIME
static const struct sync_setting_def setting_defs[SYNC_SETTING__COUNT] = {
    {"sync", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "the master switch: off stops all syncing (changes keep queueing) until it is on again"},
    {"contact_sync", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "sync HubSpot contacts with Salesforce leads and contacts"},
    {"company_sync", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "sync HubSpot companies with Salesforce accounts"},
    {"deal_sync", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "sync HubSpot deals with Salesforce opportunities"},
    {"ticket_sync", SYNC_SETTING_BOOL, "false", 0, 1, NULL, RT,
     "sync Salesforce cases to HubSpot tickets (turning it on imports nothing: cases sync when "
     "created or updated)"},
    {"ticket_two_way", SYNC_SETTING_BOOL, "false", 0, 1, NULL, RT,
     "ticket changes flow back to their cases, under the ticket mappings' rules"},
    {"ticket_account_association", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "a case's account becomes its ticket's company"},
    {"ticket_contact_association", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "a case's contact becomes its ticket's contact"},
    {"ticket_delete_rule", SYNC_SETTING_ENUM, "nothing", 0, 1, ticket_delete_rules, RT,
     "when a Salesforce case is deleted: nothing, or delete the ticket"},
    {"salesforce_task_sync", SYNC_SETTING_BOOL, "false", 0, 1, NULL, RT,
     "Salesforce task sync: tasks, emails, calls and events created or updated from the time it "
     "is on become HubSpot activities (one way; each type has its switch)"},
    {"salesforce_tasks", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "with Salesforce task sync on: Salesforce tasks become HubSpot tasks"},
    {"salesforce_emails", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "with Salesforce task sync on: Salesforce email tasks (TaskSubtype Email) become HubSpot "
     "emails"},
    {"salesforce_calls", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "with Salesforce task sync on: Salesforce call tasks (TaskSubtype Call) become HubSpot "
     "calls"},
    {"salesforce_meetings", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "with Salesforce task sync on: Salesforce events become HubSpot meetings"},
    {"form_campaigns", SYNC_SETTING_STRING, "", 0, 4000, NULL, RT,
     "HubSpot forms that add their submitter to a Salesforce campaign: FORM_ID=CAMPAIGN_ID, "
     "comma-separated (only an active campaign; a sync trigger)"},
    {"create_contacts_from_leads", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "a new Salesforce lead creates a HubSpot contact"},
    {"create_contacts_from_contacts", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "a new Salesforce contact creates a HubSpot contact"},
    {"new_record_type", SYNC_SETTING_ENUM, "lead", 0, 1, new_record_types, RT,
     "what a new HubSpot contact creates in Salesforce: lead or contact"},
    {"inclusion_list", SYNC_SETTING_STRING, "", 0, 64, NULL, RT,
     "HubSpot list (segment) id whose members alone sync to Salesforce; empty: every contact"},
    {"delete_contact_on_lead_delete", SYNC_SETTING_BOOL, "false", 0, 1, NULL, RT,
     "deleting a Salesforce lead deletes its HubSpot contact"},
    {"delete_contact_on_contact_delete", SYNC_SETTING_BOOL, "false", 0, 1, NULL, RT,
     "deleting a Salesforce contact deletes its HubSpot contact"},
    {"delete_company_on_account_delete", SYNC_SETTING_BOOL, "false", 0, 1, NULL, RT,
     "deleting a Salesforce account deletes its HubSpot company"},
    {"delete_deal_on_opportunity_delete", SYNC_SETTING_BOOL, "false", 0, 1, NULL, RT,
     "deleting a Salesforce opportunity deletes its HubSpot deal"},
    {"lifecycle_transitions", SYNC_SETTING_BOOL, "true", 0, 1, NULL, RT,
     "contacts on an opportunity become Opportunity, and Customer when it is Closed Won"},
    {"state_country_picklists", SYNC_SETTING_BOOL, "false", 0, 1, NULL, RT,
     "the Salesforce org uses state and country picklists: write the code fields"},
    {"salesforce_api_allocation", SYNC_SETTING_INT, "0", 0, 100000000, NULL, RT,
     "Salesforce API calls crmsync may use per rolling 24 hours; 0: the org's limit"},
    {"retry_interval", SYNC_SETTING_DURATION, "30m", MS_MINUTE, MS_DAY, NULL, RT,
     "wait between automatic retries of a failed record"},
    {"retry_max_attempts", SYNC_SETTING_INT, "10", 1, 100, NULL, RT,
     "retries every retry_interval, after the quick ones, before the nightly retry"},
    {"retry_nightly_at", SYNC_SETTING_TIME, "00:00", 0, 24 * 60 - 1, NULL, RT,
     "when (UTC) records past their automatic retries are retried once more each day"},
    {"retry_suppress_above_percent", SYNC_SETTING_INT, "75", 1, 100, NULL, RT,
     "no automatic retries once this share of the API allocation is used"},
    {"retry_suppress_above_calls", SYNC_SETTING_INT, "5000", 0, 100000000, NULL, RT,
     "with no allocation set, no automatic retries past this many calls in 24 hours"},
    {"poll_interval", SYNC_SETTING_DURATION, "30s", 100, MS_HOUR, NULL, RT,
     "how often crmsync run checks both sides for changes (a pass)"},
    {"log_level", SYNC_SETTING_ENUM, "info", 0, 3, log_levels, RT,
     "the least severe log line written: debug, info, warn or error"},
#define TIMELINE_DEFS_(id, name, subject, what)                                                    \
    {"timeline_" name,                                                                             \
     SYNC_SETTING_BOOL,                                                                            \
     "false",                                                                                      \
     0,                                                                                            \
     1,                                                                                            \
     NULL,                                                                                         \
     RT,                                                                                           \
     "timeline sync: every " what " from the time this is on becomes a Salesforce task"},          \
        {"timeline_" name "_task_type",                                                            \
         SYNC_SETTING_STRING,                                                                      \
         "",                                                                                       \
         0,                                                                                        \
         40,                                                                                       \
         NULL,                                                                                     \
         RT,                                                                                       \
         "the Type of the tasks a " what " makes (a Task Type picklist value); empty: no type"},   \
        {"timeline_" name "_subject",                                                              \
         SYNC_SETTING_STRING,                                                                      \
         subject,                                                                                  \
         0,                                                                                        \
         255,                                                                                      \
         NULL,                                                                                     \
         RT,                                                                                       \
         "the subject of the tasks a " what " makes; {form} {email} {subject} {title} {body} "     \
         "{document} {url} are filled in"},
    SYNC_TIMELINE_TYPES(TIMELINE_DEFS_)
#undef TIMELINE_DEFS_
};
#undef RT

#define TIMELINE_NAMES_(id, name, subject, what) name,
static const char *const timeline_names[SYNC_TIMELINE__COUNT] = {
    SYNC_TIMELINE_TYPES(TIMELINE_NAMES_)};
#undef TIMELINE_NAMES_
#define TIMELINE_WHATS_(id, name, subject, what) what,
static const char *const timeline_whats[SYNC_TIMELINE__COUNT] = {
    SYNC_TIMELINE_TYPES(TIMELINE_WHATS_)};
#undef TIMELINE_WHATS_

const char *sync_timeline_name(enum sync_timeline_type t)
{
    return (unsigned)t < SYNC_TIMELINE__COUNT ? timeline_names[t] : "unknown";
}

const char *sync_timeline_what(enum sync_timeline_type t)
{
    return (unsigned)t < SYNC_TIMELINE__COUNT ? timeline_whats[t] : "unknown";
}

const struct sync_setting_def *sync_setting_def(enum sync_setting id)
{
    return (unsigned)id < SYNC_SETTING__COUNT ? &setting_defs[id] : NULL;
}

int sync_setting_find(const char *s)
{
    for (int i = 0; s && i < SYNC_SETTING__COUNT; i++)
        if (strcmp(setting_defs[i].name, s) == 0)
            return i;
    return -1;
}

/* YAML 1.1's words for booleans, any case. */
static int bool_word(const char *s, int *b)
{
    static const char *const t[] = {"true", "yes", "on"}, *const f[] = {"false", "no", "off"};
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(s, t[i]) == 0)
            return *b = 1, 0;
        if (strcasecmp(s, f[i]) == 0)
            return *b = 0, 0;
    }
    return -1;
}

static int int_word(const char *s, int64_t *v)
{
    char *end;
    long long x;

    if (!*s || (!isdigit((unsigned char)*s) && *s != '-' && *s != '+'))
        return -1;
    errno = 0;
    x = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

static int time_word(const char *s, int64_t *minutes)
{
    if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 23 || m > 59)
        return -1;
    *minutes = h * 60 + m;
    return 0;
}

/* Writes a bound as the setting's type spells it. */
static void format_bound(const struct sync_setting_def *d, int64_t v, char *out, size_t n)
{
    if (d->type == SYNC_SETTING_DURATION)
        sync_duration_format(v, out, n);
    else
        snprintf(out, n, "%lld", (long long)v);
}

const char *sync_form_campaign_next(const char *s, struct sync_form_campaign *out)
{
    const char *comma, *eq, *end;

    memset(out, 0, sizeof(*out));
    if (!s || !*s)
        return NULL;
    comma = strchr(s, ',');
    end = comma ? comma : s + strlen(s);
    out->text = s;
    out->len = (size_t)(end - s);
    if ((eq = memchr(s, '=', out->len)) && eq > s && (size_t)(eq - s) < sizeof(out->form) &&
        (size_t)(end - eq - 1) < sizeof(out->campaign)) {
        snprintf(out->form, sizeof(out->form), "%.*s", (int)(eq - s), s);
        snprintf(out->campaign, sizeof(out->campaign), "%.*s", (int)(end - eq - 1), eq + 1);
        out->ok = 1;
    }
    return comma ? comma + 1 : end;
}

/* form_campaigns: each pair FORM_ID=CAMPAIGN_ID, the campaign a Salesforce Campaign id (701...,
 * 15 or 18 letters and digits), each form once. */
static int form_campaigns_check(const char *text, char *why, size_t n)
{
    struct sync_form_campaign fc, seen;

    for (const char *s = sync_form_campaign_next(text, &fc); s;
         s = sync_form_campaign_next(s, &fc)) {
        size_t cl = strlen(fc.campaign);
        if (!fc.ok)
            return snprintf(why, n, "'%.*s' is not FORM_ID=CAMPAIGN_ID", (int)fc.len, fc.text), -1;
        for (size_t i = 0; i < cl; i++)
            if (!isalnum((unsigned char)fc.campaign[i]))
                cl = 0;
        if ((cl != 15 && cl != 18) || strncmp(fc.campaign, "701", 3) != 0)
            return snprintf(why, n,
                            "'%s' is not a Salesforce campaign id (701..., 15 or 18 characters)",
                            fc.campaign),
                   -1;
        for (const char *p = sync_form_campaign_next(text, &seen); p && seen.text < fc.text;
             p = sync_form_campaign_next(p, &seen))
            if (strcmp(seen.form, fc.form) == 0)
                return snprintf(why, n, "form %s is listed twice", fc.form), -1;
    }
    return 0;
}

/* Parses text for one setting; on failure writes the reason (without the name) to why. */
static int setting_parse(const struct sync_setting_def *d, const char *text, int64_t *num,
                         char *why, size_t n)
{
    char lo[32], hi[32];
    int b;

    switch (d->type) {
    case SYNC_SETTING_BOOL:
        if (bool_word(text, &b))
            return snprintf(why, n, "'%s' is not a boolean (true or false)", text), -1;
        *num = b;
        return 0;
    case SYNC_SETTING_ENUM:
        for (int i = 0; d->choices[i]; i++)
            if (strcmp(text, d->choices[i]) == 0)
                return *num = i, 0;
        snprintf(why, n, "'%s' is not one of:", text);
        for (int i = 0; d->choices[i]; i++)
            snprintf(why + strlen(why), n - strlen(why), "%s %s", i ? "," : "", d->choices[i]);
        return -1;
    case SYNC_SETTING_TIME:
        if (time_word(text, num))
            return snprintf(why, n, "'%s' is not a time of day (HH:MM, UTC)", text), -1;
        return 0;
    case SYNC_SETTING_STRING:
        if ((int64_t)strlen(text) > d->max)
            return snprintf(why, n, "is longer than %lld characters", (long long)d->max), -1;
        if (strcmp(d->name, "form_campaigns") == 0)
            return form_campaigns_check(text, why, n);
        return 0;
    case SYNC_SETTING_DURATION:
        if (sync_duration_parse(text, num))
            return snprintf(why, n, "'%s' is not a duration (like 500ms, 30s, 5m, 1h)", text), -1;
        break;
    case SYNC_SETTING_INT:
        if (int_word(text, num))
            return snprintf(why, n, "'%s' is not a whole number", text), -1;
        break;
    }
    format_bound(d, d->min, lo, sizeof(lo));
    format_bound(d, d->max, hi, sizeof(hi));
    if (*num < d->min)
        return snprintf(why, n, "%s is below the minimum (%s)", text, lo), -1;
    if (*num > d->max)
        return snprintf(why, n, "%s is above the maximum (%s)", text, hi), -1;
    return 0;
}

static enum sync_rc setting_store(struct sync_settings *s, enum sync_setting id, int64_t num,
                                  const char *text)
{
    if (setting_defs[id].type == SYNC_SETTING_STRING) {
        char *c = strdup(text);
        if (!c)
            return SYNC_ERR_NOMEM;
        free(s->str[id]);
        s->str[id] = c;
    }
    s->num[id] = num;
    return SYNC_OK;
}

enum sync_rc sync_settings_init(struct sync_settings *s)
{
    char why[256];

    memset(s, 0, sizeof(*s));
    for (int i = 0; i < SYNC_SETTING__COUNT; i++) {
        int64_t num = 0;
        if (setting_parse(&setting_defs[i], setting_defs[i].def, &num, why, sizeof(why)))
            return SYNC_ERR_INTERNAL;
        if (setting_store(s, (enum sync_setting)i, num, setting_defs[i].def))
            return SYNC_ERR_NOMEM;
    }
    return SYNC_OK;
}

enum sync_rc sync_settings_copy(struct sync_settings *dst, const struct sync_settings *src)
{
    for (int i = 0; i < SYNC_SETTING__COUNT; i++) {
        char *str = NULL;
        if (src->str[i] && !(str = strdup(src->str[i])))
            return SYNC_ERR_NOMEM;
        free(dst->str[i]);
        dst->str[i] = str;
        dst->num[i] = src->num[i];
    }
    return SYNC_OK;
}

void sync_settings_release(struct sync_settings *s)
{
    for (int i = 0; i < SYNC_SETTING__COUNT; i++)
        free(s->str[i]);
    memset(s, 0, sizeof(*s));
}

int64_t sync_settings_int(const struct sync_settings *s, enum sync_setting id)
{
    return (unsigned)id < SYNC_SETTING__COUNT ? s->num[id] : 0;
}

const char *sync_settings_str(const struct sync_settings *s, enum sync_setting id)
{
    return (unsigned)id < SYNC_SETTING__COUNT && s->str[id] ? s->str[id] : "";
}

enum sync_rc sync_settings_set(struct sync_settings *s, enum sync_setting id, const char *text,
                               struct sync_err *err)
{
    char why[256];
    int64_t num = 0;

    if ((unsigned)id >= SYNC_SETTING__COUNT)
        return sync_err_set(err, SYNC_ERR_INVALID, "unknown setting %d", (int)id);
    if (!text || setting_parse(&setting_defs[id], text, &num, why, sizeof(why)))
        return sync_err_set(err, SYNC_ERR_INVALID, "%s: %s", setting_defs[id].name,
                            text ? why : "missing value");
    if (setting_store(s, id, num, text))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    return SYNC_OK;
}

enum sync_rc sync_settings_format(const struct sync_settings *s, enum sync_setting id,
                                  struct sync_buf *out)
{
    const struct sync_setting_def *d = sync_setting_def(id);
    char buf[64];
    int64_t v;

    if (!d)
        return SYNC_ERR_INVALID;
    v = s->num[id];
    switch (d->type) {
    case SYNC_SETTING_BOOL:
        return sync_buf_addstr(out, v ? "true" : "false");
    case SYNC_SETTING_ENUM:
        return sync_buf_addstr(out, d->choices[v]);
    case SYNC_SETTING_DURATION:
        return sync_buf_addstr(out, sync_duration_format(v, buf, sizeof(buf)));
    case SYNC_SETTING_TIME:
        return sync_buf_addf(out, "%02d:%02d", (int)(v / 60), (int)(v % 60));
    case SYNC_SETTING_STRING:
        return sync_buf_addstr(out, sync_settings_str(s, id));
    default:
        return sync_buf_addf(out, "%lld", (long long)v);
    }
}

json_t *sync_settings_get_json(const struct sync_settings *s, enum sync_setting id)
{
    const struct sync_setting_def *d = sync_setting_def(id);
    struct sync_buf b = SYNC_BUF_INIT(4096);
    json_t *j;

    if (!d)
        return NULL;
    if (d->type == SYNC_SETTING_BOOL)
        return json_boolean(s->num[id]);
    if (d->type == SYNC_SETTING_INT)
        return json_integer(s->num[id]);
    if (sync_settings_format(s, id, &b)) {
        sync_buf_release(&b);
        return NULL;
    }
    j = json_string(sync_buf_str(&b));
    sync_buf_release(&b);
    return j;
}

enum sync_rc sync_settings_set_json(struct sync_settings *s, enum sync_setting id, const json_t *v,
                                    struct sync_err *err)
{
    char buf[32];

    if (json_is_boolean(v))
        return sync_settings_set(s, id, json_is_true(v) ? "true" : "false", err);
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        return sync_settings_set(s, id, buf, err);
    }
    if (json_is_string(v))
        return sync_settings_set(s, id, json_string_value(v), err);
    return sync_err_set(err, SYNC_ERR_INVALID, "%s: expected a boolean, number or string",
                        sync_setting_def(id) ? sync_setting_def(id)->name : "setting");
}

/* ======================================================================
 * 3. the file's keys
 * ==================================================================== */

enum cfg_type { CFG_STRING, CFG_URL, CFG_BOOL, CFG_DURATION, CFG_STORE, CFG_LISTEN };

#define CFG_SECRET 1u

struct cfg_key {
    const char *path;
    enum cfg_type type;
    size_t off; /* char * for strings, int for BOOL, int64_t for DURATION */
    const char *def;
    int64_t min, max; /* DURATION bounds */
    unsigned flags;
};

#define OFF(f) offsetof(struct sync_config, f)
/* Sections are contiguous and in writing order. */
static const struct cfg_key cfg_keys[] = {
    {"hubspot.base_url", CFG_URL, OFF(hubspot.base_url), "https://api.hubapi.com", 0, 0, 0},
    {"hubspot.access_token", CFG_STRING, OFF(hubspot.access_token), NULL, 0, 0, CFG_SECRET},
    {"hubspot.search_settle", CFG_DURATION, OFF(hubspot.search_settle_ms), "5s", 0, MS_MINUTE, 0},
    {"hubspot.oauth.client_id", CFG_STRING, OFF(hubspot.oauth.client_id), NULL, 0, 0, 0},
    {"hubspot.oauth.client_secret", CFG_STRING, OFF(hubspot.oauth.client_secret), NULL, 0, 0,
     CFG_SECRET},
    {"hubspot.oauth.refresh_token", CFG_STRING, OFF(hubspot.oauth.refresh_token), NULL, 0, 0,
     CFG_SECRET},
    {"salesforce.login_url", CFG_URL, OFF(salesforce.login_url), NULL, 0, 0, 0},
    {"salesforce.client_id", CFG_STRING, OFF(salesforce.client_id), NULL, 0, 0, 0},
    {"salesforce.client_secret", CFG_STRING, OFF(salesforce.client_secret), NULL, 0, 0, CFG_SECRET},
    {"salesforce.username", CFG_STRING, OFF(salesforce.username), NULL, 0, 0, 0},
    {"salesforce.password", CFG_STRING, OFF(salesforce.password), NULL, 0, 0, CFG_SECRET},
    {"salesforce.security_token", CFG_STRING, OFF(salesforce.security_token), NULL, 0, 0,
     CFG_SECRET},
    {"salesforce.refresh_token", CFG_STRING, OFF(salesforce.refresh_token), NULL, 0, 0, CFG_SECRET},
    {"salesforce.grant", CFG_STRING, OFF(salesforce.grant), NULL, 0, 0, 0},
    {"salesforce.sandbox", CFG_BOOL, OFF(salesforce.sandbox), "false", 0, 0, 0},
    {"store", CFG_STORE, OFF(store), "sqlite:crmsync.db", 0, 0, 0},
    {"request_timeout", CFG_DURATION, OFF(request_timeout_ms), "60s", 100, 10 * MS_MINUTE, 0},
    {"admin.listen", CFG_LISTEN, OFF(admin.listen), "127.0.0.1:8300", 0, 0, 0},
    {"admin.token", CFG_STRING, OFF(admin.token), NULL, 0, 0, CFG_SECRET},
};
#define NKEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

static char **key_str(struct sync_config *cfg, const struct cfg_key *k)
{
    return (char **)((char *)cfg + k->off);
}

static const char *key_cstr(const struct sync_config *cfg, const struct cfg_key *k)
{
    return *(char *const *)((const char *)cfg + k->off);
}

static int *key_int(struct sync_config *cfg, const struct cfg_key *k)
{
    return (int *)((char *)cfg + k->off);
}

static int64_t *key_i64(struct sync_config *cfg, const struct cfg_key *k)
{
    return (int64_t *)((char *)cfg + k->off);
}

static int key_is_string(const struct cfg_key *k)
{
    return k->type == CFG_STRING || k->type == CFG_URL || k->type == CFG_STORE ||
           k->type == CFG_LISTEN;
}

static const struct cfg_key *key_find(const char *path)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(cfg_keys[i].path, path) == 0)
            return &cfg_keys[i];
    return NULL;
}

/* A section is a proper prefix of some key: "hubspot", "hubspot.oauth". */
static int is_section(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < NKEYS; i++)
        if (strncmp(cfg_keys[i].path, path, n) == 0 && cfg_keys[i].path[n] == '.')
            return 1;
    return 0;
}

static int valid_url(const char *s)
{
    const char *host;
    size_t hl;

    if (strncmp(s, "https://", 8) == 0)
        host = s + 8;
    else if (strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else
        return 0;
    hl = strcspn(host, "/?#");
    if (hl == 0)
        return 0;
    for (size_t i = 0; i < hl; i++) {
        unsigned char c = (unsigned char)host[i];
        if (!isalnum(c) && !strchr(".-:[]_", c))
            return 0;
    }
    /* a port after the host (or after an IPv6 literal's ']') is 1..65535 */
    const char *colon = memchr(host, ':', hl), *bracket = memchr(host, ']', hl);
    if (bracket)
        colon = bracket + 1 < host + hl && bracket[1] == ':' ? bracket + 1 : NULL;
    if (colon) {
        size_t pl = hl - (size_t)(colon + 1 - host);
        long port = pl && pl <= 5 && strspn(colon + 1, "0123456789") >= pl ? atol(colon + 1) : 0;
        if (port < 1 || port > 65535 || colon == host)
            return 0;
    }
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
            return 0;
    return 1;
}

static int valid_store(const char *s)
{
    if (strncmp(s, "sqlite:", 7) == 0)
        return s[7] != '\0';
    if (strncmp(s, "postgres://", 11) == 0)
        return s[11] != '\0';
    if (strncmp(s, "postgresql://", 13) == 0)
        return s[13] != '\0';
    return 0;
}

/* Sets a key from text; on failure writes the reason to why. */
static int key_set(struct sync_config *cfg, const struct cfg_key *k, const char *text, char *why,
                   size_t n)
{
    char host[256], lo[32], hi[32];
    unsigned port;
    int64_t ms;
    int b;
    char *c;

    switch (k->type) {
    case CFG_BOOL:
        if (bool_word(text, &b))
            return snprintf(why, n, "'%s' is not a boolean (true or false)", text), -1;
        *key_int(cfg, k) = b;
        return 0;
    case CFG_DURATION:
        if (sync_duration_parse(text, &ms))
            return snprintf(why, n, "'%s' is not a duration (like 500ms, 30s, 5m, 1h)", text), -1;
        sync_duration_format(k->min, lo, sizeof(lo));
        sync_duration_format(k->max, hi, sizeof(hi));
        if (ms < k->min)
            return snprintf(why, n, "%s is below the minimum (%s)", text, lo), -1;
        if (ms > k->max)
            return snprintf(why, n, "%s is above the maximum (%s)", text, hi), -1;
        *key_i64(cfg, k) = ms;
        return 0;
    case CFG_URL:
        if (!valid_url(text))
            return snprintf(why, n, "'%s' is not an http:// or https:// URL", text), -1;
        break;
    case CFG_STORE:
        if (!valid_store(text))
            return snprintf(why, n, "'%s' is not a store (sqlite:FILE or postgres://...)", text),
                   -1;
        break;
    case CFG_LISTEN:
        if (sync_http_parse_listen(text, host, sizeof(host), &port))
            return snprintf(why, n, "'%s' is not a listen address (HOST:PORT)", text), -1;
        break;
    case CFG_STRING:
        break;
    }
    if (!(c = strdup(text)))
        return snprintf(why, n, "out of memory"), -1;
    if (k->type == CFG_URL)
        for (size_t l = strlen(c); l > 0 && c[l - 1] == '/'; l--)
            c[l - 1] = '\0';
    free(*key_str(cfg, k));
    *key_str(cfg, k) = c;
    return 0;
}

enum sync_rc sync_config_init(struct sync_config *cfg)
{
    char why[256];

    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < NKEYS; i++)
        if (cfg_keys[i].def && key_set(cfg, &cfg_keys[i], cfg_keys[i].def, why, sizeof(why)))
            goto fail;
    if (sync_settings_init(&cfg->settings))
        goto fail;
    return SYNC_OK;
fail:
    sync_config_release(cfg);
    return SYNC_ERR_NOMEM;
}

void sync_config_release(struct sync_config *cfg)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (key_is_string(&cfg_keys[i]))
            free(*key_str(cfg, &cfg_keys[i]));
    sync_settings_release(&cfg->settings);
    free(cfg->mappings);
    json_decref(cfg->deal_stages);
    json_decref(cfg->ticket_pipelines);
    free(cfg->source);
    memset(cfg, 0, sizeof(*cfg));
}

/* ======================================================================
 * 4. the loader
 * ==================================================================== */

#define MAX_SECTIONS 8

struct loader {
    struct sync_config *cfg;
    struct sync_config_problems *pr;
    const char *name;
    yaml_document_t *doc;
    sync_config_env_fn env;
    void *env_ctx;
    int partial;         /* an import: nothing is required */
    int key_line[NKEYS]; /* where each key was written (even when empty); 0 when absent */
    char key_bad[NKEYS]; /* the key already has a problem: do not also call it missing */
    size_t nsections;
    struct {
        char path[128];
        int line;
    } sections[MAX_SECTIONS];
};

static void problem_add(struct sync_config_problems *pr, const char *name, int line,
                        const char *fmt, va_list ap)
{
    size_t used;

    if (pr->n >= SYNC_CONFIG_MAX_PROBLEMS) {
        pr->dropped++;
        return;
    }
    char *t = pr->items[pr->n].text;
    pr->items[pr->n].line = line;
    used = (size_t)(line > 0 ? snprintf(t, SYNC_CONFIG_PROBLEM_MAX, "%s:%d: ", name, line)
                             : snprintf(t, SYNC_CONFIG_PROBLEM_MAX, "%s: ", name));
    if (used < SYNC_CONFIG_PROBLEM_MAX)
        vsnprintf(t + used, SYNC_CONFIG_PROBLEM_MAX - used, fmt, ap);
    pr->n++;
}

static void problem(struct loader *L, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct loader *L, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    problem_add(L->pr, L->name, line, fmt, ap);
    va_end(ap);
}

/* Stable sort by line; problems without a line go last. */
static void problems_sort(struct sync_config_problems *pr)
{
    for (size_t i = 1; i < pr->n; i++) {
        for (size_t j = i; j > 0; j--) {
            int a = pr->items[j - 1].line, b = pr->items[j].line;
            if ((a ? a : 1 << 30) <= (b ? b : 1 << 30))
                break;
            char tmp[sizeof(pr->items[0])];
            memcpy(tmp, &pr->items[j], sizeof(tmp));
            memcpy(&pr->items[j], &pr->items[j - 1], sizeof(tmp));
            memcpy(&pr->items[j - 1], tmp, sizeof(tmp));
        }
    }
}

enum sync_rc sync_config_problems_format(const struct sync_config_problems *pr,
                                         struct sync_buf *out)
{
    enum sync_rc rc = SYNC_OK;
    for (size_t i = 0; i < pr->n && !rc; i++)
        rc = sync_buf_addf(out, "%s\n", pr->items[i].text);
    if (!rc && pr->dropped)
        rc = sync_buf_addf(out, "(and %zu more problems)\n", pr->dropped);
    return rc;
}

static int node_line(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

static int node_is_null(const yaml_node_t *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (!n)
        return 1;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
        if (strcmp((const char *)n->data.scalar.value, nulls[i]) == 0)
            return 1;
    return 0;
}

static const char *node_kind(const yaml_node_t *n)
{
    if (!n)
        return "nothing";
    return n->type == YAML_MAPPING_NODE    ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a list"
                                           : "a value";
}

static int valid_env_name(const char *s, size_t n)
{
    if (n == 0 || (!isalpha((unsigned char)s[0]) && s[0] != '_'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

/* Copies scalar text into out with every ${NAME} replaced; "$${" is a literal "${".
 * Returns 0, or -1 after recording a problem. */
static int expand(struct loader *L, int line, const char *path, const yaml_node_t *n,
                  struct sync_buf *out)
{
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;

    if (strlen(s) != len) {
        problem(L, line, "%s: the value contains a NUL character", path);
        return -1;
    }
    for (size_t i = 0; i < len;) {
        if (s[i] == '$' && s[i + 1] == '$' && s[i + 2] == '{') {
            sync_buf_addstr(out, "${");
            i += 3;
            continue;
        }
        if (s[i] != '$' || s[i + 1] != '{') {
            sync_buf_addch(out, s[i++]);
            continue;
        }
        const char *name = s + i + 2, *close = strchr(name, '}');
        if (!close) {
            problem(L, line, "%s: '${' without a closing '}'", path);
            return -1;
        }
        size_t nl = (size_t)(close - name);
        if (!valid_env_name(name, nl)) {
            problem(L, line, "%s: '${%.*s}' is not an environment variable name", path, (int)nl,
                    name);
            return -1;
        }
        char var[128];
        snprintf(var, sizeof(var), "%.*s", (int)(nl < sizeof(var) ? nl : sizeof(var) - 1), name);
        const char *val = L->env ? L->env(L->env_ctx, var) : getenv(var);
        if (!val) {
            problem(L, line, "%s: environment variable %s is not set", path, var);
            return -1;
        }
        sync_buf_addstr(out, val);
        i += nl + 3;
    }
    return 0;
}

/* The scalar text of a value after ${} expansion, into out. Returns 1 for a value, 0 for
 * null or empty, -1 after recording a problem. */
static int scalar(struct loader *L, const char *path, const yaml_node_t *n, struct sync_buf *out)
{
    int line = node_line(n);

    sync_buf_reset(out);
    if (node_is_null(n))
        return 0;
    if (n->type != YAML_SCALAR_NODE) {
        problem(L, line, "%s: expected a single value, found %s", path, node_kind(n));
        return -1;
    }
    if (expand(L, line, path, n, out))
        return -1;
    return sync_buf_str(out)[0] ? 1 : 0;
}

/* Finds an earlier pair of the same mapping with the same key text. */
static int duplicate_key(const yaml_document_t *doc, const yaml_node_t *map,
                         const yaml_node_pair_t *pair)
{
    const yaml_node_t *k = yaml_document_get_node((yaml_document_t *)doc, pair->key);
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair; p++) {
        const yaml_node_t *o = yaml_document_get_node((yaml_document_t *)doc, p->key);
        if (o && k && o->type == YAML_SCALAR_NODE && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)o->data.scalar.value, (const char *)k->data.scalar.value) == 0)
            return 1;
    }
    return 0;
}

/* Calls fn for each (key text, key line, value) of a mapping node, reporting non-text and
 * duplicate keys itself. */
typedef void (*pair_fn)(struct loader *L, const char *prefix, const char *key, int line,
                        const yaml_node_t *val, void *arg);

static void each_pair(struct loader *L, const yaml_node_t *map, const char *prefix, pair_fn fn,
                      void *arg)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
        int line = node_line(k);
        if (!k || k->type != YAML_SCALAR_NODE) {
            problem(L, line, "%s%skeys must be plain text", prefix ? prefix : "",
                    prefix ? ": " : "");
            continue;
        }
        const char *key = (const char *)k->data.scalar.value;
        if (duplicate_key(L->doc, map, p)) {
            problem(L, line, "%s%s%s: duplicate key", prefix ? prefix : "", prefix ? "." : "", key);
            continue;
        }
        fn(L, prefix, key, line, v, arg);
    }
}

static void set_key(struct loader *L, const struct cfg_key *k, int line, const yaml_node_t *v)
{
    struct sync_buf text = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    char why[512];
    int r;

    L->key_line[k - cfg_keys] = line;
    if ((r = scalar(L, k->path, v, &text)) == 1 &&
        key_set(L->cfg, k, sync_buf_str(&text), why, sizeof(why))) {
        problem(L, node_line(v), "%s: %s", k->path, why);
        r = -1;
    }
    L->key_bad[k - cfg_keys] = r < 0;
    sync_buf_release(&text);
}

static void walk_settings(struct loader *L, const yaml_node_t *v);
static void walk_mappings(struct loader *L, const yaml_node_t *v);
static void walk_deal_stages(struct loader *L, const yaml_node_t *v);
static void walk_ticket_pipelines(struct loader *L, const yaml_node_t *v);

static void section_note(struct loader *L, const char *path, int line)
{
    if (L->nsections < MAX_SECTIONS) {
        snprintf(L->sections[L->nsections].path, sizeof(L->sections[0].path), "%s", path);
        L->sections[L->nsections++].line = line;
    }
}

static int section_line(const struct loader *L, const char *path)
{
    for (size_t i = 0; i < L->nsections; i++)
        if (strcmp(L->sections[i].path, path) == 0)
            return L->sections[i].line;
    return 0;
}

static void walk_keys(struct loader *L, const yaml_node_t *map, const char *prefix);

static int is_top_level_setting(const char *key);
static void on_setting(struct loader *L, const char *prefix, const char *key, int line,
                       const yaml_node_t *v, void *arg);

static void on_key(struct loader *L, const char *prefix, const char *key, int line,
                   const yaml_node_t *v, void *arg)
{
    char path[128];
    const struct cfg_key *k;

    snprintf(path, sizeof(path), "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
    if (!prefix && strcmp(key, "settings") == 0) {
        walk_settings(L, v);
        return;
    }
    if (!prefix && strcmp(key, "mappings") == 0) {
        walk_mappings(L, v);
        return;
    }
    if (!prefix && strcmp(key, "deal_stages") == 0) {
        walk_deal_stages(L, v);
        return;
    }
    if (!prefix && strcmp(key, "ticket_pipelines") == 0) {
        walk_ticket_pipelines(L, v);
        return;
    }
    if (!prefix && is_top_level_setting(key)) {
        on_setting(L, NULL, key, line, v, (void *)key);
        return;
    }
    if ((k = key_find(path))) {
        set_key(L, k, line, v);
        return;
    }
    if (!is_section(path)) {
        problem(L, line, "%s: unknown key", path);
        return;
    }
    section_note(L, path, line);
    if (node_is_null(v))
        return;
    if (v->type != YAML_MAPPING_NODE) {
        problem(L, node_line(v), "%s: expected a mapping of keys, found %s", path, node_kind(v));
        return;
    }
    walk_keys(L, v, path);
}

static void walk_keys(struct loader *L, const yaml_node_t *map, const char *prefix)
{
    each_pair(L, map, prefix, on_key, NULL);
}

/* Settings the file may also give at its top level, as it did before they became settings. */
static const char *const top_level_settings[] = {"poll_interval", "log_level", NULL};

static int is_top_level_setting(const char *key)
{
    for (int i = 0; top_level_settings[i]; i++)
        if (strcmp(key, top_level_settings[i]) == 0)
            return 1;
    return 0;
}

/* arg: non-NULL for a top-level key (no "settings." before its name). */
static void on_setting(struct loader *L, const char *prefix, const char *key, int line,
                       const yaml_node_t *v, void *arg)
{
    struct sync_buf text = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    struct sync_err err = SYNC_ERR_INIT;
    char path[128];
    int id = sync_setting_find(key), r;
    const char *at = arg ? "" : "settings.";

    snprintf(path, sizeof(path), "%s%s", at, key ? key : "");
    if (id < 0) {
        problem(L, line, "%s: unknown setting", path);
        return;
    }
    if (L->cfg->settings_given[id] && is_top_level_setting(key)) {
        problem(L, line, "%s: given twice (at the top level and under settings)", key);
        return;
    }
    r = scalar(L, path, v, &text);
    if (r == 0 && sync_setting_def((enum sync_setting)id)->type == SYNC_SETTING_STRING && v &&
        v->type == YAML_SCALAR_NODE)
        r = 1; /* an empty text setting is a value: none */
    if (r == 0)
        problem(L, line, "%s: missing value", path);
    else if (r == 1 &&
             sync_settings_set(&L->cfg->settings, (enum sync_setting)id, sync_buf_str(&text), &err))
        problem(L, node_line(v), "%s%s", at, err.message);
    else if (r == 1)
        L->cfg->settings_given[id] = 1;
    sync_buf_release(&text);
}

static void walk_settings(struct loader *L, const yaml_node_t *v)
{
    if (node_is_null(v))
        return;
    if (v->type != YAML_MAPPING_NODE) {
        problem(L, node_line(v), "settings: expected a mapping of settings, found %s",
                node_kind(v));
        return;
    }
    each_pair(L, v, "settings", on_setting, NULL);
}

/* ---- checks across keys ---- */

static int key_index(const char *path)
{
    const struct cfg_key *k = key_find(path);
    return k ? (int)(k - cfg_keys) : -1;
}

static int is_set(const struct loader *L, const char *path)
{
    const char *v = key_cstr(L->cfg, &cfg_keys[key_index(path)]);
    return v && *v;
}

/* Where to report a missing key: its own (empty) line, else its section's, else none. */
static int missing_line(const struct loader *L, const char *path)
{
    char sec[128];
    char *dot;
    int line = L->key_line[key_index(path)];

    snprintf(sec, sizeof(sec), "%s", path);
    while (!line && (dot = strrchr(sec, '.'))) {
        *dot = '\0';
        line = section_line(L, sec);
    }
    return line;
}

static void require(struct loader *L, const char *path, const char *hint)
{
    if (!is_set(L, path) && !L->key_bad[key_index(path)])
        problem(L, missing_line(L, path), "%s: missing%s", path, hint);
}

static void check_hubspot(struct loader *L)
{
    int token = is_set(L, "hubspot.access_token");
    int oauth = section_line(L, "hubspot.oauth") || is_set(L, "hubspot.oauth.client_id") ||
                is_set(L, "hubspot.oauth.client_secret") ||
                is_set(L, "hubspot.oauth.refresh_token");

    if (token && oauth) {
        problem(L, missing_line(L, "hubspot.access_token"),
                "hubspot: give access_token or oauth, not both");
        return;
    }
    if (!oauth) {
        require(L, "hubspot.access_token", " (or give hubspot.oauth)");
        return;
    }
    require(L, "hubspot.oauth.client_id", "");
    require(L, "hubspot.oauth.client_secret", "");
    require(L, "hubspot.oauth.refresh_token", "");
}

static void check_salesforce(struct loader *L)
{
    struct sync_config *cfg = L->cfg;
    char why[64];

    require(L, "salesforce.client_id", "");
    require(L, "salesforce.client_secret", "");
    if (is_set(L, "salesforce.grant")) {
        const char *g = cfg->salesforce.grant;
        if (strcmp(g, "client_credentials") == 0) {
            /* the connected app's run-as user: client id and secret are all it takes */
        } else if (strcmp(g, "refresh_token") == 0) {
            require(L, "salesforce.refresh_token", "");
        } else if (strcmp(g, "password") == 0) {
            require(L, "salesforce.username", "");
            require(L, "salesforce.password", "");
        } else {
            problem(L, missing_line(L, "salesforce.grant"),
                    "salesforce.grant: '%s' is not a grant crmsync uses (password, refresh_token "
                    "or client_credentials)",
                    g);
        }
    } else if (is_set(L, "salesforce.refresh_token")) {
        if (is_set(L, "salesforce.username"))
            require(L, "salesforce.password", "");
        else if (is_set(L, "salesforce.password"))
            require(L, "salesforce.username", "");
    } else {
        require(L, "salesforce.username", " (or give salesforce.refresh_token)");
        require(L, "salesforce.password", "");
    }
    if (!is_set(L, "salesforce.login_url"))
        key_set(cfg, key_find("salesforce.login_url"),
                cfg->salesforce.sandbox ? "https://test.salesforce.com"
                                        : "https://login.salesforce.com",
                why, sizeof(why));
}

static int load_doc(struct loader *L, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t extra;
    yaml_node_t *root;
    int ok = 1;

    if (!yaml_parser_initialize(&parser)) {
        problem(L, 0, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, L->doc)) {
        problem(L, (int)parser.problem_mark.line + 1, "YAML syntax: %s%s%s",
                parser.problem ? parser.problem : "malformed", parser.context ? " " : "",
                parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return -1;
    }
    if (yaml_parser_load(&parser, &extra)) {
        if ((root = yaml_document_get_root_node(&extra)))
            problem(L, node_line(root), "only one YAML document is allowed");
        yaml_document_delete(&extra);
    } else {
        problem(L, (int)parser.problem_mark.line + 1, "YAML syntax: %s",
                parser.problem ? parser.problem : "malformed");
    }
    yaml_parser_delete(&parser);
    root = yaml_document_get_root_node(L->doc);
    if (root && !node_is_null(root) && root->type != YAML_MAPPING_NODE) {
        problem(L, node_line(root), "the file must be a mapping of keys, found %s",
                node_kind(root));
        ok = 0;
    }
    return ok ? 0 : -1;
}

static enum sync_rc load_text(struct sync_config *cfg, const char *name, const char *text,
                              size_t len, sync_config_env_fn env, void *env_ctx, int partial,
                              struct sync_config_problems *pr)
{
    yaml_document_t doc;
    struct loader L;
    yaml_node_t *root;
    enum sync_rc rc = SYNC_OK;

    memset(pr, 0, sizeof(*pr));
    memset(&L, 0, sizeof(L));
    memset(cfg->settings_given, 0, sizeof(cfg->settings_given));
    L.partial = partial;
    L.cfg = cfg;
    L.pr = pr;
    L.name = name ? name : SYNC_CONFIG_DEFAULT_PATH;
    L.doc = &doc;
    L.env = env;
    L.env_ctx = env_ctx;
    free(cfg->source);
    cfg->source = strdup(L.name);
    free(cfg->mappings); /* the file's list replaces any earlier one */
    cfg->mappings = NULL;
    cfg->nmappings = 0;
    json_decref(cfg->deal_stages);
    cfg->deal_stages = NULL;
    json_decref(cfg->ticket_pipelines);
    cfg->ticket_pipelines = NULL;
    if (len > SYNC_CONFIG_MAX_BYTES) {
        problem(&L, 0, "the file is larger than %zu bytes", SYNC_CONFIG_MAX_BYTES);
        return SYNC_ERR_TOO_LARGE;
    }
    memset(&doc, 0, sizeof(doc));
    if (load_doc(&L, text, len)) {
        yaml_document_delete(&doc);
        return SYNC_ERR_PARSE;
    }
    if ((root = yaml_document_get_root_node(&doc)) && !node_is_null(root))
        walk_keys(&L, root, NULL);
    if (!partial) {
        check_hubspot(&L);
        check_salesforce(&L);
    }
    yaml_document_delete(&doc);
    problems_sort(pr);
    if (pr->n || pr->dropped)
        rc = SYNC_ERR_INVALID;
    return rc;
}

enum sync_rc sync_config_load_text(struct sync_config *cfg, const char *name, const char *text,
                                   size_t len, sync_config_env_fn env, void *env_ctx,
                                   struct sync_config_problems *pr)
{
    return load_text(cfg, name, text, len, env, env_ctx, 0, pr);
}

static enum sync_rc load_file(struct sync_config *cfg, const char *path, int partial,
                              struct sync_config_problems *pr)
{
    struct sync_buf text = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES + 1);
    char chunk[8192];
    size_t n;
    FILE *f;
    enum sync_rc rc;

    if (!path)
        path = SYNC_CONFIG_DEFAULT_PATH;
    memset(pr, 0, sizeof(*pr));
    if (!(f = fopen(path, "rb"))) {
        struct loader L = {.pr = pr, .name = path};
        problem(&L, 0, "cannot open: %s", strerror(errno));
        return SYNC_ERR_IO;
    }
    rc = SYNC_OK;
    while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = sync_buf_add(&text, chunk, n);
    if (!rc && ferror(f))
        rc = SYNC_ERR_IO;
    fclose(f);
    if (rc) {
        struct loader L = {.pr = pr, .name = path};
        problem(&L, 0,
                rc == SYNC_ERR_TOO_LARGE ? "the file is larger than 1 MiB"
                                         : "cannot read the file");
        sync_buf_release(&text);
        return rc == SYNC_ERR_TOO_LARGE ? rc : SYNC_ERR_IO;
    }
    rc = load_text(cfg, path, sync_buf_str(&text), text.len, NULL, NULL, partial, pr);
    sync_buf_release(&text);
    return rc;
}

enum sync_rc sync_config_load_file(struct sync_config *cfg, const char *path,
                                   struct sync_config_problems *pr)
{
    return load_file(cfg, path, 0, pr);
}

enum sync_rc sync_config_load_import(struct sync_config *cfg, const char *path,
                                     struct sync_config_problems *pr)
{
    return load_file(cfg, path, 1, pr);
}

enum sync_rc sync_config_load_import_text(struct sync_config *cfg, const char *name,
                                          const char *text, size_t len, sync_config_env_fn env,
                                          void *env_ctx, struct sync_config_problems *pr)
{
    return load_text(cfg, name, text, len, env, env_ctx, 1, pr);
}

/* ======================================================================
 * 5. mapping entries
 * ==================================================================== */

struct entry_ctx {
    struct sync_config_mapping *e;
    char path[64];
    int seen_kind, seen_hubspot;
    const yaml_node_t *salesforce; /* read after the kind is known */
    int sf_line;
};

/* The entry's next Salesforce field from "Field" (every object of the kind) or
 * "Object.Field". 0, or -1 with why (said after "<entry>.salesforce: "). Shared by the file's
 * entries and the JSON form. */
static int entry_sf_add(struct sync_config_mapping *e, const char *text, char *why, size_t n)
{
    const char *dot = strchr(text, '.');
    const char *field = dot ? dot + 1 : text;
    size_t ol = dot ? (size_t)(dot - text) : 0;

    if (e->nsf >= SYNC_MAPPING_MAX_SF) {
        snprintf(why, n, "at most %d fields", SYNC_MAPPING_MAX_SF);
        return -1;
    }
    if (!*field || strlen(field) >= SYNC_FIELD_NAME_MAX || ol >= SYNC_FIELD_NAME_MAX ||
        (dot && (ol == 0 || strchr(field, '.')))) {
        snprintf(why, n, "'%.200s' is not Field or Object.Field", text);
        return -1;
    }
    snprintf(e->sf[e->nsf].object, SYNC_FIELD_NAME_MAX, "%.*s", (int)ol, text);
    snprintf(e->sf[e->nsf].field, SYNC_FIELD_NAME_MAX, "%s", field);
    e->nsf++;
    return 0;
}

static void entry_sf_one(struct loader *L, struct entry_ctx *c, const char *text, int line)
{
    char why[SYNC_CONFIG_PROBLEM_MAX];

    if (entry_sf_add(c->e, text, why, sizeof(why)))
        problem(L, line, "%s.salesforce: %s", c->path, why);
}

static void entry_salesforce(struct loader *L, struct entry_ctx *c)
{
    struct sync_buf text = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    const yaml_node_t *v = c->salesforce;
    char path[96];

    snprintf(path, sizeof(path), "%s.salesforce", c->path);
    if (v && v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            yaml_node_t *item = yaml_document_get_node(L->doc, *it);
            if (scalar(L, path, item, &text) == 1)
                entry_sf_one(L, c, sync_buf_str(&text), node_line(item));
        }
    } else if (scalar(L, path, v, &text) == 1) {
        entry_sf_one(L, c, sync_buf_str(&text), node_line(v));
    }
    sync_buf_release(&text);
}

/* "enumeration/select", "string", "user" */
static int parse_hs_type(const char *s, struct sync_config_mapping *e)
{
    static const enum sync_hs_field_type defaults[SYNC_HST__COUNT] = {
        SYNC_HSF_TEXT,   SYNC_HSF_NUMBER,          SYNC_HSF_DATE,       SYNC_HSF_DATE,
        SYNC_HSF_SELECT, SYNC_HSF_BOOLEANCHECKBOX, SYNC_HSF_PHONENUMBER};
    char type[64];
    const char *slash = strchr(s, '/');

    if (strcmp(s, "user") == 0) {
        e->hs_type = SYNC_HST_ENUMERATION;
        e->hs_field_type = SYNC_HSF_SELECT;
        e->hs_owner_ref = 1;
        return 0;
    }
    snprintf(type, sizeof(type), "%.*s", slash ? (int)(slash - s) : (int)strlen(s), s);
    if (sync_hs_type_parse(type, &e->hs_type))
        return -1;
    e->hs_field_type = defaults[e->hs_type];
    return slash ? sync_hs_field_type_parse(slash + 1, &e->hs_field_type) : 0;
}

/* One key of an entry (kind, hubspot, rule, hubspot_type, salesforce_type) from its text. 0,
 * or -1 with why (said after "<entry>.<key>: "). Shared by the file's entries and the JSON
 * form. */
static int entry_key_set(struct sync_config_mapping *e, const char *key, const char *s, char *why,
                         size_t n)
{
    if (strcmp(key, "kind") == 0) {
        if (sync_kind_parse(s, &e->kind)) {
            snprintf(why, n,
                     "'%.80s' is not a sync kind (contact, company, deal, ticket, task, email, "
                     "call, meeting)",
                     s);
            return -1;
        }
    } else if (strcmp(key, "hubspot") == 0) {
        if (strlen(s) >= SYNC_FIELD_NAME_MAX) {
            snprintf(why, n, "the property name is too long");
            return -1;
        }
        snprintf(e->hubspot, sizeof(e->hubspot), "%s", s);
    } else if (strcmp(key, "rule") == 0) {
        if (sync_rule_parse(s, &e->rule)) {
            snprintf(why, n,
                     "'%.80s' is not a sync rule (prefer_salesforce_unless_blank, "
                     "always_use_salesforce, two_way, dont_sync, prefer_hubspot_unless_blank, "
                     "always_use_hubspot)",
                     s);
            return -1;
        }
        e->has_rule = 1;
    } else if (strcmp(key, "hubspot_type") == 0) {
        if (parse_hs_type(s, e)) {
            snprintf(why, n,
                     "'%.200s' is not a HubSpot property type (type/fieldType, such as "
                     "string/text or enumeration/select)",
                     s);
            return -1;
        }
        e->has_hs_type = 1;
    } else {
        if (sync_sf_type_parse(s, &e->sf_type)) {
            snprintf(why, n, "'%.200s' is not a Salesforce field type that can be mapped", s);
            return -1;
        }
        e->has_sf_type = 1;
    }
    return 0;
}

static void on_entry_key(struct loader *L, const char *prefix, const char *key, int line,
                         const yaml_node_t *v, void *arg)
{
    struct entry_ctx *c = arg;
    struct sync_buf text = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    char path[96], why[SYNC_CONFIG_PROBLEM_MAX];
    int r;

    snprintf(path, sizeof(path), "%s.%s", c->path, key);
    if (strcmp(key, "salesforce") == 0) {
        c->salesforce = v;
        c->sf_line = line;
        return;
    }
    if (strcmp(key, "kind") && strcmp(key, "hubspot") && strcmp(key, "rule") &&
        strcmp(key, "hubspot_type") && strcmp(key, "salesforce_type")) {
        problem(L, line,
                "%s: unknown key (kind, hubspot, salesforce, rule, hubspot_type, "
                "salesforce_type)",
                path);
        return;
    }
    if ((r = scalar(L, path, v, &text)) <= 0) {
        if (r == 0)
            problem(L, line, "%s: missing value", path);
        sync_buf_release(&text);
        return;
    }
    r = entry_key_set(c->e, key, sync_buf_str(&text), why, sizeof(why));
    if (strcmp(key, "kind") == 0)
        c->seen_kind = r ? 1 : 2;
    else if (strcmp(key, "hubspot") == 0)
        c->seen_hubspot = 1;
    if (r)
        problem(L, line, "%s: %s", path, why);
    sync_buf_release(&text);
}

/* Whether the entry's i-th Salesforce field is on an object of its kind ("": every one). */
static int entry_object_ok(const struct sync_config_mapping *e, size_t i)
{
    const char *const *objs = sync_kind_sf_objects(e->kind);
    int found = !e->sf[i].object[0];

    for (size_t j = 0; objs && objs[j] && !found; j++)
        found = strcasecmp(objs[j], e->sf[i].object) == 0;
    return found;
}

/* Every Salesforce object named in an entry must belong to its kind. */
static void entry_check_objects(struct loader *L, struct entry_ctx *c)
{
    struct sync_config_mapping *e = c->e;

    for (size_t i = 0; i < e->nsf; i++)
        if (!entry_object_ok(e, i))
            problem(L, c->sf_line, "%s.salesforce: %s is not a Salesforce object of the %s sync",
                    c->path, e->sf[i].object, sync_kind_name(e->kind));
}

static void entry_check_duplicate(struct loader *L, struct entry_ctx *c)
{
    const struct sync_config *cfg = L->cfg;
    for (size_t i = 0; i < cfg->nmappings; i++) {
        const struct sync_config_mapping *o = &cfg->mappings[i];
        if (o->kind == c->e->kind && strcmp(o->hubspot, c->e->hubspot) == 0)
            problem(L, c->e->line, "%s: the %s property %s is already listed at line %d", c->path,
                    sync_kind_name(o->kind), o->hubspot, o->line);
    }
}

static void walk_entry(struct loader *L, const yaml_node_t *item, size_t idx)
{
    struct sync_config_mapping e;
    struct entry_ctx c;
    struct sync_config_mapping *grown;
    size_t before = L->pr->n + L->pr->dropped;

    memset(&e, 0, sizeof(e));
    memset(&c, 0, sizeof(c));
    c.e = &e;
    e.line = node_line(item);
    snprintf(c.path, sizeof(c.path), "mappings[%zu]", idx);
    if (!item || item->type != YAML_MAPPING_NODE) {
        problem(L, e.line, "%s: expected a mapping (kind, hubspot, salesforce, rule), found %s",
                c.path, node_kind(item));
        return;
    }
    each_pair(L, item, c.path, on_entry_key, &c);
    if (!c.seen_kind)
        problem(L, e.line, "%s.kind: missing", c.path);
    if (!c.seen_hubspot)
        problem(L, e.line, "%s.hubspot: missing", c.path);
    if (c.salesforce)
        entry_salesforce(L, &c);
    if (c.seen_kind == 2) {
        entry_check_objects(L, &c);
        if (c.seen_hubspot && e.hubspot[0])
            entry_check_duplicate(L, &c);
    }
    if (L->pr->n + L->pr->dropped != before)
        return;
    if (L->cfg->nmappings >= SYNC_MAPPING_MAX) {
        problem(L, e.line, "%s: too many mappings (at most %d)", c.path, SYNC_MAPPING_MAX);
        return;
    }
    grown = realloc(L->cfg->mappings, (L->cfg->nmappings + 1) * sizeof(*grown));
    if (!grown) {
        problem(L, e.line, "%s: out of memory", c.path);
        return;
    }
    L->cfg->mappings = grown;
    L->cfg->mappings[L->cfg->nmappings++] = e;
}

static void walk_mappings(struct loader *L, const yaml_node_t *v)
{
    size_t idx = 0;

    if (node_is_null(v))
        return;
    if (v->type != YAML_SEQUENCE_NODE) {
        problem(L, node_line(v), "mappings: expected a list of mappings, found %s", node_kind(v));
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
        walk_entry(L, yaml_document_get_node(L->doc, *it), idx++);
}

/* ---- deal stages ---- */

/* One deal_stages entry: pipeline, record_type (optional), stages (HubSpot stage id ->
 * Salesforce StageName). Whether the names exist is checked against the vendors when the map
 * is built (an entry naming nothing there is dropped). */
struct stage_ctx {
    char path[64];
    char pipeline[128], record_type[128];
    const yaml_node_t *stages;
    int line, bad;
};

static void on_stage_key(struct loader *L, const char *prefix, const char *key, int line,
                         const yaml_node_t *v, void *arg)
{
    struct stage_ctx *c = arg;
    struct sync_buf text = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    char path[96];
    int r;

    (void)prefix;
    snprintf(path, sizeof(path), "%s.%s", c->path, key);
    if (strcmp(key, "stages") == 0) {
        c->stages = v;
    } else if (strcmp(key, "pipeline") == 0 || strcmp(key, "record_type") == 0) {
        char *dst = key[0] == 'p' ? c->pipeline : c->record_type;
        if ((r = scalar(L, path, v, &text)) < 0 || text.len >= sizeof(c->pipeline))
            c->bad = 1, problem(L, line, "%s: expected a name of at most 127 characters", path);
        else if (r == 1)
            snprintf(dst, sizeof(c->pipeline), "%s", sync_buf_str(&text));
    } else {
        problem(L, line, "%s: unknown key (pipeline, record_type, stages)", path);
        c->bad = 1;
    }
    sync_buf_release(&text);
}

static void on_stage_pair(struct loader *L, const char *prefix, const char *key, int line,
                          const yaml_node_t *v, void *arg)
{
    struct stage_ctx *c = arg;
    struct sync_buf text = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    char path[192];
    json_t *e;

    (void)prefix;
    snprintf(path, sizeof(path), "%s.stages.%s", c->path, key);
    if (scalar(L, path, v, &text) != 1) {
        problem(L, line, "%s: expected the Salesforce stage (StageName) it pairs with", path);
    } else if (!c->bad) {
        e = json_pack("{s:s, s:s, s:s, s:s, s:i}", "pipeline", c->pipeline, "record_type",
                      c->record_type, "stage", key, "sf_stage", sync_buf_str(&text), "line", line);
        if (!L->cfg->deal_stages)
            L->cfg->deal_stages = json_array();
        if (!e || json_array_append_new(L->cfg->deal_stages, e))
            problem(L, line, "%s: out of memory", path);
    }
    sync_buf_release(&text);
}

static void walk_deal_stages(struct loader *L, const yaml_node_t *v)
{
    size_t idx = 0;

    if (node_is_null(v))
        return;
    if (v->type != YAML_SEQUENCE_NODE) {
        problem(L, node_line(v), "deal_stages: expected a list of pipelines, found %s",
                node_kind(v));
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *item = yaml_document_get_node(L->doc, *it);
        struct stage_ctx c;
        memset(&c, 0, sizeof(c));
        c.line = node_line(item);
        snprintf(c.path, sizeof(c.path), "deal_stages[%zu]", idx++);
        if (!item || item->type != YAML_MAPPING_NODE) {
            problem(L, c.line, "%s: expected a mapping (pipeline, record_type, stages), found %s",
                    c.path, node_kind(item));
            continue;
        }
        each_pair(L, item, c.path, on_stage_key, &c);
        if (!c.pipeline[0]) {
            problem(L, c.line, "%s.pipeline: missing", c.path);
            c.bad = 1;
        }
        if (!c.stages || c.stages->type != YAML_MAPPING_NODE) {
            problem(L, c.line, "%s.stages: expected a mapping of HubSpot stage id: StageName",
                    c.path);
            continue;
        }
        each_pair(L, c.stages, c.path, on_stage_pair, &c);
    }
}

/* ---- ticket pipelines ---- */

/* ticket_pipelines: the pipeline map's choices (tickets.h), kept as sync_tickets_choose's patch:
 * processes (business process: ticket pipeline id) and stages (pipeline id: case status: ticket
 * status id), a null value dropping a choice. Whether the names exist is checked against the
 * vendors when an import applies them. */
struct choice_ctx {
    json_t *into;     /* the object the pairs go into */
    const char *what; /* what a value names, for the problem */
};

/* One name: choice pair; a null value is kept as JSON null. */
static void on_choice_pair(struct loader *L, const char *prefix, const char *key, int line,
                           const yaml_node_t *v, void *arg)
{
    struct choice_ctx *c = arg;
    struct sync_buf text = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    char path[256];
    json_t *value = NULL;
    int r;

    snprintf(path, sizeof(path), "%s.%s", prefix, key);
    if (node_is_null(v))
        value = json_null();
    else if ((r = scalar(L, path, v, &text)) == 1)
        value = json_string(sync_buf_str(&text));
    else if (r == 0)
        problem(L, line, "%s: expected %s (or null to drop the choice)", path, c->what);
    if (value && json_object_set_new(c->into, key, value))
        problem(L, line, "%s: out of memory", path);
    sync_buf_release(&text);
}

/* A mapping of name: choice under path into a new member name of parent. */
static void choice_map(struct loader *L, json_t *parent, const char *name, const char *path,
                       const yaml_node_t *v, const char *shape, const char *what)
{
    struct choice_ctx c = {json_object(), what};

    if (node_is_null(v) || !c.into) {
        json_decref(c.into);
        return;
    }
    if (v->type != YAML_MAPPING_NODE) {
        problem(L, node_line(v), "%s: expected a mapping of %s, found %s", path, shape,
                node_kind(v));
        json_decref(c.into);
        return;
    }
    each_pair(L, v, path, on_choice_pair, &c);
    if (json_object_set_new(parent, name, c.into))
        problem(L, node_line(v), "%s: out of memory", path);
}

static void on_ticket_stages(struct loader *L, const char *prefix, const char *key, int line,
                             const yaml_node_t *v, void *arg)
{
    char path[192];

    (void)line;
    snprintf(path, sizeof(path), "%s.%s", prefix, key);
    choice_map(L, arg, key, path, v, "case status: ticket status id", "a ticket status id");
}

static void on_ticket_pipelines_key(struct loader *L, const char *prefix, const char *key, int line,
                                    const yaml_node_t *v, void *arg)
{
    json_t *tp = arg, *stages;

    if (strcmp(key, "processes") == 0) {
        choice_map(L, tp, "processes", "ticket_pipelines.processes", v,
                   "business process: ticket pipeline id", "a ticket pipeline id");
    } else if (strcmp(key, "stages") != 0) {
        problem(L, line, "%s.%s: unknown key (processes, stages)", prefix, key);
    } else if (!node_is_null(v) && v->type != YAML_MAPPING_NODE) {
        problem(L, node_line(v),
                "ticket_pipelines.stages: expected a mapping of ticket pipeline id: (case status: "
                "ticket status id), found %s",
                node_kind(v));
    } else if (!node_is_null(v)) {
        if (!(stages = json_object()) || json_object_set_new(tp, "stages", stages))
            problem(L, node_line(v), "ticket_pipelines.stages: out of memory");
        else
            each_pair(L, v, "ticket_pipelines.stages", on_ticket_stages, stages);
    }
}

static void walk_ticket_pipelines(struct loader *L, const yaml_node_t *v)
{
    if (node_is_null(v))
        return;
    if (v->type != YAML_MAPPING_NODE) {
        problem(L, node_line(v),
                "ticket_pipelines: expected a mapping (processes, stages), found %s", node_kind(v));
        return;
    }
    if (!L->cfg->ticket_pipelines && !(L->cfg->ticket_pipelines = json_object())) {
        problem(L, node_line(v), "ticket_pipelines: out of memory");
        return;
    }
    each_pair(L, v, "ticket_pipelines", on_ticket_pipelines_key, L->cfg->ticket_pipelines);
}

/* ---- applying entries to a mapping set ---- */

static void apply_problem(const struct sync_config *cfg, struct sync_config_problems *pr,
                          const struct sync_config_mapping *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void apply_problem(const struct sync_config *cfg, struct sync_config_problems *pr,
                          const struct sync_config_mapping *e, const char *fmt, ...)
{
    char msg[SYNC_CONFIG_PROBLEM_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct loader L = {.pr = pr, .name = cfg->source ? cfg->source : SYNC_CONFIG_DEFAULT_PATH};
    problem(&L, e->line, "%s mapping %s: %s", sync_kind_name(e->kind), e->hubspot, msg);
}

/* A built-in entry may restate its fields but not change them, and may set its rule. */
static void apply_builtin(const struct sync_config *cfg, struct sync_mapping_set *set,
                          const struct sync_config_mapping *e, const struct sync_mapping *m,
                          struct sync_config_problems *pr)
{
    struct sync_err err = SYNC_ERR_INIT;

    for (size_t i = 0; i < e->nsf; i++) {
        for (size_t j = 0; j < m->nsf; j++) {
            int same_object = !e->sf[i].object[0] || !strcasecmp(e->sf[i].object, m->sf[j].object);
            if (same_object && strcasecmp(e->sf[i].field, m->sf[j].name) != 0) {
                apply_problem(cfg, pr, e,
                              "a default mapping's Salesforce fields cannot be "
                              "changed (it maps to %s.%s)",
                              m->sf[j].object, m->sf[j].name);
                return;
            }
        }
    }
    if (e->has_hs_type || e->has_sf_type) {
        apply_problem(cfg, pr, e,
                      "a default mapping's types come from the vendors; remove "
                      "hubspot_type and salesforce_type");
        return;
    }
    if (e->has_rule && sync_mapping_set_rule(set, e->kind, e->hubspot, e->rule, &err))
        apply_problem(cfg, pr, e, "%s", err.message);
}

/* Builds the user mapping an entry describes, names and type hints only. */
static void entry_to_mapping(const struct sync_config_mapping *e, struct sync_mapping *m)
{
    const char *const *objs = sync_kind_sf_objects(e->kind);

    memset(m, 0, sizeof(*m));
    m->kind = e->kind;
    m->rule = e->has_rule ? e->rule : SYNC_RULE_PREFER_SF_UNLESS_BLANK;
    m->default_rule = SYNC_RULE_PREFER_SF_UNLESS_BLANK;
    snprintf(m->hs.name, sizeof(m->hs.name), "%s", e->hubspot);
    m->hs.type = e->hs_type;
    m->hs.field_type = e->hs_field_type;
    m->hs.owner_ref = e->hs_owner_ref;
    for (size_t i = 0; i < e->nsf; i++) {
        for (size_t j = 0; objs[j] && m->nsf < SYNC_MAPPING_MAX_SF; j++) {
            if (e->sf[i].object[0] && strcasecmp(e->sf[i].object, objs[j]) != 0)
                continue;
            struct sync_sf_field *f = &m->sf[m->nsf++];
            snprintf(f->object, sizeof(f->object), "%s", objs[j]);
            snprintf(f->name, sizeof(f->name), "%s", e->sf[i].field);
            f->type = e->sf[i].has_type ? e->sf[i].type : e->sf_type;
        }
    }
}

/* Whether every Salesforce field of the entry has a type hint. */
static int entry_sf_typed(const struct sync_config_mapping *e)
{
    for (size_t i = 0; i < e->nsf; i++)
        if (!e->has_sf_type && !e->sf[i].has_type)
            return 0;
    return 1;
}

int sync_config_mapping_typed(const struct sync_config_mapping *e)
{
    return e->has_hs_type && entry_sf_typed(e);
}

int sync_config_mapping_same_fields(const struct sync_config_mapping *e,
                                    const struct sync_mapping *m)
{
    struct sync_mapping x;
    size_t found = 0, n;

    entry_to_mapping(e, &x);
    n = x.nsf;
    for (size_t i = 0; i < n && n == m->nsf; i++)
        for (size_t j = 0; j < m->nsf; j++)
            if (strcasecmp(x.sf[i].object, m->sf[j].object) == 0 &&
                strcmp(x.sf[i].name, m->sf[j].name) == 0) {
                found++;
                break;
            }
    sync_mapping_release(&x);
    return n == m->nsf && found == n;
}

enum sync_rc sync_config_mapping_user(const struct sync_config_mapping *e,
                                      sync_config_resolve_fn resolve, void *ctx,
                                      struct sync_mapping *out, struct sync_err *err)
{
    memset(out, 0, sizeof(*out));
    if (e->nsf == 0)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "salesforce: missing (the Salesforce field to map)");
    entry_to_mapping(e, out);
    if (resolve)
        return resolve(ctx, out, err);
    if (!e->has_hs_type || !entry_sf_typed(e))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "give hubspot_type and salesforce_type, or connect to the "
                            "vendors to read them");
    return SYNC_OK;
}

static void apply_user(const struct sync_config *cfg, struct sync_mapping_set *set,
                       const struct sync_config_mapping *e, sync_config_resolve_fn resolve,
                       void *ctx, struct sync_config_problems *pr)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_mapping m;

    if (sync_config_mapping_user(e, resolve, ctx, &m, &err) || sync_mapping_set_add(set, &m, &err))
        apply_problem(cfg, pr, e, "%s", err.message);
    sync_mapping_release(&m);
}

/* The JSON form's "salesforce": text, a list of texts, or a list of {"object", "field",
 * "type"?}. 0, or -1 with why. */
static int json_entry_sf(struct sync_config_mapping *e, const json_t *v, char *why, size_t n)
{
    const json_t *item;
    size_t i;

    if (json_is_string(v))
        return entry_sf_add(e, json_string_value(v), why, n);
    if (!json_is_array(v)) {
        snprintf(why, n, "expected \"Field\", \"Object.Field\" or a list of them");
        return -1;
    }
    json_array_foreach(v, i, item)
    {
        const char *obj = json_string_value(json_object_get(item, "object"));
        const char *field = json_string_value(json_object_get(item, "field"));
        const char *type = json_string_value(json_object_get(item, "type"));
        char text[2 * SYNC_FIELD_NAME_MAX + 2];

        if (json_is_string(item)) {
            if (entry_sf_add(e, json_string_value(item), why, n))
                return -1;
            continue;
        }
        if (!json_is_object(item) || !field) {
            snprintf(why, n, "item %zu: expected \"Object.Field\" or {\"object\", \"field\"}", i);
            return -1;
        }
        snprintf(text, sizeof(text), "%s%s%s", obj && obj[0] ? obj : "", obj && obj[0] ? "." : "",
                 field);
        if (entry_sf_add(e, text, why, n))
            return -1;
        if (type && sync_sf_type_parse(type, &e->sf[e->nsf - 1].type)) {
            snprintf(why, n, "'%.200s' is not a Salesforce field type that can be mapped", type);
            return -1;
        }
        e->sf[e->nsf - 1].has_type = type != NULL;
    }
    return 0;
}

enum sync_rc sync_config_mapping_from_json(enum sync_kind kind, const char *prop,
                                           const json_t *spec, struct sync_config_mapping *out,
                                           struct sync_err *err)
{
    char why[SYNC_CONFIG_PROBLEM_MAX];
    const char *key;
    json_t *v;

    memset(out, 0, sizeof(*out));
    out->kind = kind;
    if (!prop || !prop[0] || entry_key_set(out, "hubspot", prop, why, sizeof(why)))
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: %s",
                            prop && prop[0] ? why : "missing (the HubSpot property to map)");
    if (!json_is_object(spec))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "a mapping is {\"salesforce\": \"Object.Field\", \"rule\": ...}");
    json_object_foreach((json_t *)spec, key, v)
    {
        if (strcmp(key, "salesforce") == 0) {
            if (json_entry_sf(out, v, why, sizeof(why)))
                return sync_err_set(err, SYNC_ERR_INVALID, "salesforce: %s", why);
            continue;
        }
        if (strcmp(key, "rule") && strcmp(key, "hubspot_type") && strcmp(key, "salesforce_type"))
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "%s: unknown key (salesforce, rule, hubspot_type, "
                                "salesforce_type)",
                                key);
        if (json_is_null(v))
            continue;
        if (!json_is_string(v))
            return sync_err_set(err, SYNC_ERR_INVALID, "%s: expected text", key);
        if (entry_key_set(out, key, json_string_value(v), why, sizeof(why)))
            return sync_err_set(err, SYNC_ERR_INVALID, "%s: %s", key, why);
    }
    for (size_t i = 0; i < out->nsf; i++)
        if (!entry_object_ok(out, i))
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "salesforce: %s is not a Salesforce object of the %s sync",
                                out->sf[i].object, sync_kind_name(kind));
    return SYNC_OK;
}

enum sync_rc sync_config_apply_mappings(const struct sync_config *cfg, struct sync_mapping_set *set,
                                        sync_config_resolve_fn resolve, void *ctx,
                                        struct sync_config_problems *pr)
{
    memset(pr, 0, sizeof(*pr));
    for (size_t i = 0; i < cfg->nmappings; i++) {
        const struct sync_config_mapping *e = &cfg->mappings[i];
        const struct sync_mapping *m = sync_mapping_set_find_hs(set, e->kind, e->hubspot);
        if (m && (m->flags & SYNC_MAP_BUILTIN))
            apply_builtin(cfg, set, e, m, pr);
        else
            apply_user(cfg, set, e, resolve, ctx, pr);
    }
    problems_sort(pr);
    return pr->n || pr->dropped ? SYNC_ERR_INVALID : SYNC_OK;
}

/* ======================================================================
 * 6. the YAML writer
 * ==================================================================== */

#define REDACTED "<redacted>"

struct writer {
    yaml_emitter_t em;
    struct sync_buf *out;
    int failed;
};

static int write_cb(void *data, unsigned char *buf, size_t n)
{
    struct writer *w = data;
    return sync_buf_add(w->out, buf, n) == SYNC_OK;
}

static void emit(struct writer *w, yaml_event_t *ev, int ok)
{
    if (w->failed || !ok || !yaml_emitter_emit(&w->em, ev))
        w->failed = 1;
}

/* Text a YAML reader would take for something other than a string: empty, null and boolean
 * words, numbers (strtod's whole grammar, hex included), YAML 1.1 integers with '_' and
 * sexagesimals ("12:30"). */
static int looks_special(const char *s)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on",
                                        "off",  "null",  "~",   "y",  "n"};
    char *end;

    if (!*s)
        return 1;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(s, words[i]) == 0)
            return 1;
    strtod(s, &end);
    if (*end == '\0')
        return 1;
    if (*s == '-' || *s == '+')
        s++;
    if (!isdigit((unsigned char)*s) || strspn(s, "0123456789_:.") != strlen(s))
        return 0;
    return strchr(s, '.') == strrchr(s, '.'); /* at most one '.' */
}

/* A string value; "${" is escaped so the loader reads back the same text. */
static void emit_str(struct writer *w, const char *s, int quote_special)
{
    struct sync_buf esc = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    yaml_event_t ev;
    yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;

    for (const char *p = s; *p; p++) {
        if (p[0] == '$' && p[1] == '{')
            sync_buf_addch(&esc, '$');
        sync_buf_addch(&esc, *p);
    }
    if (quote_special && looks_special(s))
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    emit(w, &ev,
         yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)sync_buf_str(&esc),
                                      (int)esc.len, 1, 1, style));
    sync_buf_release(&esc);
}

static void emit_key(struct writer *w, const char *k)
{
    emit_str(w, k, 0);
}

static void emit_map_start(struct writer *w)
{
    yaml_event_t ev;
    emit(w, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void emit_map_end(struct writer *w)
{
    yaml_event_t ev;
    emit(w, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void emit_seq_start(struct writer *w, int flow)
{
    yaml_event_t ev;
    emit(w, &ev,
         yaml_sequence_start_event_initialize(
             &ev, NULL, NULL, 1, flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE));
}

static void emit_seq_end(struct writer *w)
{
    yaml_event_t ev;
    emit(w, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* postgres://user:secret@host/db -> postgres://user:<redacted>@host/db */
static void redact_store(const char *s, struct sync_buf *out)
{
    const char *scheme = strstr(s, "://"), *at, *colon;

    if (!scheme || !(at = strchr(scheme + 3, '@')) ||
        !(colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3)))) {
        sync_buf_addstr(out, s);
        return;
    }
    sync_buf_add(out, s, (size_t)(colon - s + 1));
    sync_buf_addstr(out, REDACTED);
    sync_buf_addstr(out, at);
}

static void emit_key_value(struct writer *w, const struct sync_config *cfg, const struct cfg_key *k,
                           const char *leaf)
{
    struct sync_buf v = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    char buf[64];
    const void *at = (const char *)cfg + k->off;
    int quote = 0;

    if (k->flags & CFG_SECRET)
        sync_buf_addstr(&v, REDACTED);
    else if (k->type == CFG_BOOL)
        sync_buf_addstr(&v, *(const int *)at ? "true" : "false");
    else if (k->type == CFG_DURATION)
        sync_buf_addstr(&v, sync_duration_format(*(const int64_t *)at, buf, sizeof(buf)));
    else if (k->type == CFG_STORE && (quote = 1))
        redact_store(key_cstr(cfg, k), &v);
    else if ((quote = 1))
        sync_buf_addstr(&v, key_cstr(cfg, k));
    emit_key(w, leaf);
    emit_str(w, sync_buf_str(&v), quote);
    sync_buf_release(&v);
}

static int key_has_value(const struct sync_config *cfg, const struct cfg_key *k)
{
    const char *s;
    if (!key_is_string(k))
        return 1;
    s = key_cstr(cfg, k);
    return s && *s;
}

/* 1 when sec is open itself or lies inside open ("" is the root). */
static int path_within(const char *open, const char *sec)
{
    size_t n = strlen(open);
    return n == 0 || (strncmp(sec, open, n) == 0 && (sec[n] == '\0' || sec[n] == '.'));
}

static void close_section(struct writer *w, char *open)
{
    char *dot = strrchr(open, '.');
    emit_map_end(w);
    if (dot)
        *dot = '\0';
    else
        open[0] = '\0';
}

/* Opens and closes nested sections as the table's paths require. */
static void write_keys(struct writer *w, const struct sync_config *cfg)
{
    char open[128] = ""; /* the currently open section path, "" for the root */
    char sec[128];

    for (size_t i = 0; i < NKEYS; i++) {
        const struct cfg_key *k = &cfg_keys[i];
        const char *leaf = strrchr(k->path, '.');

        if (!key_has_value(cfg, k))
            continue;
        snprintf(sec, sizeof(sec), "%.*s", leaf ? (int)(leaf - k->path) : 0, k->path);
        while (!path_within(open, sec))
            close_section(w, open);
        while (strlen(open) < strlen(sec)) {
            size_t from = open[0] ? strlen(open) + 1 : 0;
            const char *next = strchr(sec + from, '.');
            size_t to = next ? (size_t)(next - sec) : strlen(sec);
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(to - from), sec + from);
            emit_key(w, name);
            emit_map_start(w);
            snprintf(open, sizeof(open), "%.*s", (int)to, sec);
        }
        emit_key_value(w, cfg, k, leaf ? leaf + 1 : k->path);
    }
    while (open[0])
        close_section(w, open);
}

static void write_settings(struct writer *w, const struct sync_settings *s)
{
    struct sync_buf v = SYNC_BUF_INIT(4096);

    emit_key(w, "settings");
    emit_map_start(w);
    for (int i = 0; i < SYNC_SETTING__COUNT; i++) {
        sync_buf_reset(&v);
        sync_settings_format(s, (enum sync_setting)i, &v);
        emit_key(w, setting_defs[i].name);
        emit_str(w, sync_buf_str(&v), setting_defs[i].type == SYNC_SETTING_STRING);
    }
    emit_map_end(w);
    sync_buf_release(&v);
}

/* "Field" when every object of the kind uses the same name, else Object.Field items. */
static void emit_sf_spec(struct writer *w, enum sync_kind kind, size_t n,
                         const char *const *objects, const char *const *fields)
{
    const char *const *objs = sync_kind_sf_objects(kind);
    size_t nobjs = 0;
    char buf[2 * SYNC_FIELD_NAME_MAX + 2];
    int same = 1;

    while (objs[nobjs])
        nobjs++;
    for (size_t i = 1; i < n; i++)
        same = same && strcmp(fields[i], fields[0]) == 0;
    emit_key(w, "salesforce");
    if (n == nobjs && same) {
        emit_str(w, fields[0], 1);
        return;
    }
    if (n > 1)
        emit_seq_start(w, 1);
    for (size_t i = 0; i < n; i++) {
        snprintf(buf, sizeof(buf), "%s%s%s", objects[i], objects[i][0] ? "." : "", fields[i]);
        emit_str(w, buf, 1);
    }
    if (n > 1)
        emit_seq_end(w);
}

static void emit_hs_type(struct writer *w, enum sync_hs_type t, enum sync_hs_field_type ft,
                         int owner_ref)
{
    char buf[96];
    snprintf(buf, sizeof(buf), "%s/%s", sync_hs_type_name(t), sync_hs_field_type_name(ft));
    emit_key(w, "hubspot_type");
    emit_str(w, owner_ref ? "user" : buf, 0);
}

static void write_set_mapping(struct writer *w, const struct sync_mapping *m)
{
    const char *objects[SYNC_MAPPING_MAX_SF], *fields[SYNC_MAPPING_MAX_SF];
    int builtin = (m->flags & SYNC_MAP_BUILTIN) != 0;

    for (size_t i = 0; i < m->nsf; i++) {
        objects[i] = m->sf[i].object;
        fields[i] = m->sf[i].name;
    }
    emit_map_start(w);
    emit_key(w, "kind");
    emit_str(w, sync_kind_name(m->kind), 0);
    emit_key(w, "hubspot");
    emit_str(w, m->hs.name, 1);
    if (!builtin)
        emit_sf_spec(w, m->kind, m->nsf, objects, fields);
    emit_key(w, "rule");
    emit_str(w, sync_rule_name(m->rule), 0);
    if (!builtin) {
        emit_hs_type(w, m->hs.type, m->hs.field_type, m->hs.owner_ref);
        emit_key(w, "salesforce_type");
        emit_str(w, sync_sf_type_name(m->sf[0].type), 0);
    }
    emit_map_end(w);
}

static void write_entry(struct writer *w, const struct sync_config_mapping *e)
{
    const char *objects[SYNC_MAPPING_MAX_SF], *fields[SYNC_MAPPING_MAX_SF];

    emit_map_start(w);
    emit_key(w, "kind");
    emit_str(w, sync_kind_name(e->kind), 0);
    emit_key(w, "hubspot");
    emit_str(w, e->hubspot, 1);
    if (e->nsf) {
        for (size_t i = 0; i < e->nsf; i++) {
            objects[i] = e->sf[i].object;
            fields[i] = e->sf[i].field;
        }
        /* entries keep their own spelling: a bare field stays bare */
        if (e->nsf == 1 && !e->sf[0].object[0]) {
            emit_key(w, "salesforce");
            emit_str(w, fields[0], 1);
        } else {
            emit_sf_spec(w, e->kind, e->nsf, objects, fields);
        }
    }
    if (e->has_rule) {
        emit_key(w, "rule");
        emit_str(w, sync_rule_name(e->rule), 0);
    }
    if (e->has_hs_type)
        emit_hs_type(w, e->hs_type, e->hs_field_type, e->hs_owner_ref);
    if (e->has_sf_type) {
        emit_key(w, "salesforce_type");
        emit_str(w, sync_sf_type_name(e->sf_type), 0);
    }
    emit_map_end(w);
}

static void write_mappings(struct writer *w, const struct sync_config *cfg,
                           const struct sync_mapping_set *set)
{
    size_t n = 0;

    if (set) {
        for (size_t i = 0; i < set->n; i++) {
            const struct sync_mapping *m = &set->items[i];
            if (!(m->flags & SYNC_MAP_BUILTIN) || m->rule != m->default_rule)
                n++;
        }
    } else {
        n = cfg->nmappings;
    }
    if (!n)
        return;
    emit_key(w, "mappings");
    emit_seq_start(w, 0);
    for (size_t i = 0; set && i < set->n; i++) {
        const struct sync_mapping *m = &set->items[i];
        if (!(m->flags & SYNC_MAP_BUILTIN) || m->rule != m->default_rule)
            write_set_mapping(w, m);
    }
    for (size_t i = 0; !set && i < cfg->nmappings; i++)
        write_entry(w, &cfg->mappings[i]);
    emit_seq_end(w);
}

/* The number of choices under ticket_pipelines (stages counted per status). */
static size_t ticket_choices(const json_t *tp)
{
    const char *k;
    json_t *v;
    size_t n = json_object_size(json_object_get(tp, "processes"));

    json_object_foreach(json_object_get(tp, "stages"), k, v) n += json_object_size(v);
    return n;
}

/* One name: choice pair of ticket_pipelines (null: drop the choice). */
static void emit_choices(struct writer *w, const json_t *map)
{
    const char *k;
    json_t *v;

    emit_map_start(w);
    json_object_foreach((json_t *)map, k, v)
    {
        emit_str(w, k, 1);
        if (json_is_string(v))
            emit_str(w, json_string_value(v), 1);
        else
            emit_str(w, "null", 0);
    }
    emit_map_end(w);
}

/* A deal_stages pair's text field, "" when missing. */
static const char *pair_text(const json_t *e, const char *k)
{
    const char *v = json_string_value(json_object_get(e, k));
    return v ? v : "";
}

/* The file's deal_stages, as it gave them: an entry per pipeline and record type, in order. */
static void write_deal_stages(struct writer *w, const json_t *ds)
{
    const json_t *e, *next;
    size_t i, n = json_array_size(ds);

    if (!n)
        return;
    emit_key(w, "deal_stages");
    emit_seq_start(w, 0);
    for (i = 0; i < n; i++) {
        const char *pipeline = pair_text(json_array_get(ds, i), "pipeline");
        const char *rt = pair_text(json_array_get(ds, i), "record_type");
        emit_map_start(w);
        emit_key(w, "pipeline");
        emit_str(w, pipeline, 1);
        if (rt[0]) {
            emit_key(w, "record_type");
            emit_str(w, rt, 1);
        }
        emit_key(w, "stages");
        emit_map_start(w);
        for (;; i++) {
            e = json_array_get(ds, i);
            emit_str(w, pair_text(e, "stage"), 1);
            emit_str(w, pair_text(e, "sf_stage"), 1);
            next = json_array_get(ds, i + 1);
            if (!next || strcmp(pair_text(next, "pipeline"), pipeline) != 0 ||
                strcmp(pair_text(next, "record_type"), rt) != 0)
                break;
        }
        emit_map_end(w);
        emit_map_end(w);
    }
    emit_seq_end(w);
}

static void write_ticket_pipelines(struct writer *w, const json_t *tp)
{
    const json_t *processes = json_object_get(tp, "processes");
    const char *pid;
    json_t *statuses;

    if (!ticket_choices(tp))
        return;
    emit_key(w, "ticket_pipelines");
    emit_map_start(w);
    if (json_object_size(processes)) {
        emit_key(w, "processes");
        emit_choices(w, processes);
    }
    if (ticket_choices(tp) > json_object_size(processes)) {
        emit_key(w, "stages");
        emit_map_start(w);
        json_object_foreach(json_object_get(tp, "stages"), pid, statuses)
        {
            if (!json_object_size(statuses))
                continue;
            emit_str(w, pid, 1);
            emit_choices(w, statuses);
        }
        emit_map_end(w);
    }
    emit_map_end(w);
}

enum sync_rc sync_config_write_yaml(const struct sync_config *cfg,
                                    const struct sync_mapping_set *set, struct sync_buf *out)
{
    struct writer w = {.out = out};
    yaml_event_t ev;

    if (!yaml_emitter_initialize(&w.em))
        return SYNC_ERR_NOMEM;
    yaml_emitter_set_output(&w.em, write_cb, &w);
    yaml_emitter_set_unicode(&w.em, 1);
    yaml_emitter_set_width(&w.em, 100);
    emit(&w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    emit(&w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    emit_map_start(&w);
    write_keys(&w, cfg);
    write_settings(&w, &cfg->settings);
    write_mappings(&w, cfg, set);
    write_deal_stages(&w, cfg->deal_stages);
    write_ticket_pipelines(&w, cfg->ticket_pipelines);
    emit_map_end(&w);
    emit(&w, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit(&w, &ev, yaml_stream_end_event_initialize(&ev));
    if (!w.failed && !yaml_emitter_flush(&w.em))
        w.failed = 1;
    yaml_emitter_delete(&w.em);
    return w.failed ? SYNC_ERR_TOO_LARGE : SYNC_OK;
}
