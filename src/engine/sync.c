/*
 * sync.c: the engine object and its passes (see sync.h): the store and
 * both connectors set up from crmsync.yaml, the captured objects and the
 * fields read for each, the vendors' field catalogues and link-id fields
 * (checked once per process), API usage from the vendors' headers, and
 * the pass loop behind `crmsync sync --once` and `crmsync run`, and after
 * a pass in which links moved, records waiting for an association planned
 * again.
 *
 * The plan step is planstep.c and apply is apply.c; both work on the
 * struct sync_engine of sync_int.h.
 */
#include "engine/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/json.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "capture/timeline.h"
#include "engine/apply.h"
#include "engine/budget.h"
#include "engine/credentials.h"
#include "engine/runtime.h"
#include "engine/sync_int.h"

/* `once` waits for outbox entries due this soon (short retries, claims a killed process left);
 * later ones are left for later */
#define WAIT_DUE_MS (SYNC_ENGINE_LEASE_MS + 2000)

const char *sync__side_name(enum sync_side side)
{
    return side == SYNC_SIDE_HUBSPOT ? "hubspot" : "salesforce";
}

struct sync_conn *sync__engine_conn(struct sync_engine *e, enum sync_side side)
{
    return side == SYNC_SIDE_HUBSPOT ? e->hs : e->sf;
}

struct sync_store *sync_engine_store(struct sync_engine *e)
{
    return e->st;
}

int64_t sync_engine_poll_interval_ms(const struct sync_engine *e)
{
    return sync_settings_int(&e->live, SYNC_SETTING_POLL_INTERVAL);
}

enum sync_rc sync_engine_poll_interval_refresh(struct sync_engine *e, struct sync_err *err)
{
    struct sync_settings next;
    int64_t was = sync_engine_poll_interval_ms(e), now;
    char x[32], y[32];
    enum sync_rc rc;

    if (sync_settings_init(&next))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    next.num[SYNC_SETTING_POLL_INTERVAL] =
        sync_settings_int(&e->cfg->settings, SYNC_SETTING_POLL_INTERVAL);
    /* the one override, not every stored row: this runs every few seconds while run waits */
    rc = sync_runtime_setting_load(e->st, SYNC_SETTING_POLL_INTERVAL, &next, err);
    now = sync_settings_int(&next, SYNC_SETTING_POLL_INTERVAL);
    sync_settings_release(&next);
    if (rc || now == was)
        return rc;
    sync_info("settings", "poll_interval is now %s (was %s)",
              sync_duration_format(now, y, sizeof(y)), sync_duration_format(was, x, sizeof(x)));
    e->live.num[SYNC_SETTING_POLL_INTERVAL] = now;
    return SYNC_OK;
}

/* ---- usage from the vendors' headers ---- */

static void on_usage(void *arg, const struct sync_conn_usage *u)
{
    struct sync_engine *e = arg;
    struct sync_engine_usage *k = &e->usage[u->vendor == SYNC_VENDOR_HUBSPOT ? 0 : 1];

    if (u->vendor == SYNC_VENDOR_SALESFORCE)
        sync__budget_on_answer(&e->budget, u);
    sync__credentials_on_answer(e, u); /* a refused login: the credentials are invalid */

    if (u->daily_used >= 0 && u->daily_limit > 0) {
        k->have_daily = 1;
        k->daily_used = u->daily_used;
        k->daily_limit = u->daily_limit;
    }
    if (u->window_limit > 0 && u->window_remaining >= 0) {
        k->have_window = 1;
        k->window_limit = u->window_limit;
        k->window_used = u->window_limit - u->window_remaining;
    }
}

enum sync_rc sync__engine_flush_usage(struct sync_engine *e, struct sync_err *err)
{
    sync__budget_flush(e);
    for (int v = 0; v < 2; v++) {
        struct sync_engine_usage *k = &e->usage[v];
        struct sync_api_usage u;
        enum sync_rc rc;

        memset(&u, 0, sizeof(u));
        snprintf(u.vendor, sizeof(u.vendor), "%s", v == 0 ? "hubspot" : "salesforce");
        if (k->have_daily) {
            snprintf(u.metric, sizeof(u.metric), "daily");
            u.used = k->daily_used;
            u.quota = k->daily_limit;
            if ((rc = sync_store_api_usage_record(e->st, &u, err)))
                return rc;
        }
        if (k->have_window) {
            snprintf(u.metric, sizeof(u.metric), "10s");
            u.used = k->window_used;
            u.quota = k->window_limit;
            if ((rc = sync_store_api_usage_record(e->st, &u, err)))
                return rc;
        }
        k->have_daily = k->have_window = 0;
    }
    return SYNC_OK;
}

/* ---- setting up ---- */

static enum sync_rc conns_open(struct sync_engine *e, struct sync_err *err)
{
    const struct sync_config *cfg = e->cfg;
    struct sync_conn_config hc, sc;

    memset(&hc, 0, sizeof(hc));
    hc.vendor = SYNC_VENDOR_HUBSPOT;
    hc.base_url = cfg->hubspot.base_url;
    if (cfg->hubspot.access_token && cfg->hubspot.access_token[0]) {
        hc.auth = SYNC_AUTH_STATIC_TOKEN;
        hc.access_token = cfg->hubspot.access_token;
    } else {
        hc.auth = SYNC_AUTH_REFRESH_TOKEN;
        hc.client_id = cfg->hubspot.oauth.client_id;
        hc.client_secret = cfg->hubspot.oauth.client_secret;
        hc.refresh_token = cfg->hubspot.oauth.refresh_token;
    }
    /* the connector reads 0 as its default; 1 ms is "no settling" */
    hc.search_settle_ms = cfg->hubspot.search_settle_ms > 0 ? cfg->hubspot.search_settle_ms : 1;
    hc.timeout_ms = (long)cfg->request_timeout_ms;
    hc.on_usage = on_usage;
    hc.usage_arg = e;
    if (!(e->hs = sync_conn_new(&hc, err)))
        return err ? err->rc : SYNC_ERR_INVALID;

    memset(&sc, 0, sizeof(sc));
    sc.vendor = SYNC_VENDOR_SALESFORCE;
    sc.login_url = sync_credentials_file_login_url(cfg);
    sc.client_id = cfg->salesforce.client_id;
    sc.client_secret = cfg->salesforce.client_secret;
    if (cfg->salesforce.grant && strcmp(cfg->salesforce.grant, "client_credentials") == 0) {
        sc.auth = SYNC_AUTH_CLIENT_CREDENTIALS;
    } else if (cfg->salesforce.grant && strcmp(cfg->salesforce.grant, "refresh_token") == 0) {
        sc.auth = SYNC_AUTH_REFRESH_TOKEN;
        sc.refresh_token = cfg->salesforce.refresh_token;
    } else if (cfg->salesforce.username && cfg->salesforce.username[0]) {
        sc.auth = SYNC_AUTH_PASSWORD;
        sc.username = cfg->salesforce.username;
        sc.password = cfg->salesforce.password;
        sc.security_token = cfg->salesforce.security_token;
    } else {
        sc.auth = SYNC_AUTH_REFRESH_TOKEN;
        sc.refresh_token = cfg->salesforce.refresh_token;
    }
    sc.timeout_ms = (long)cfg->request_timeout_ms;
    sc.on_usage = on_usage;
    sc.usage_arg = e;
    /* the org's whole limit: crmsync's own share is the allocation setting (budget.h) */
    sc.daily_share = 1.0;
    /* the file's, or the credentials an admin saved (credentials.h) */
    return sync__credentials_connect(e, &sc, err);
}

static enum sync_rc source_add(struct sync_engine *e, enum sync_kind kind, enum sync_side side,
                               const char *object, struct sync_err *err)
{
    struct sync_engine_source *s;
    enum sync_rc rc;

    if (e->nsources == SYNC_ENGINE_MAX_SOURCES)
        return sync_err_set(err, SYNC_ERR_TOO_LARGE, "engine: too many sources");
    s = &e->sources[e->nsources];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->side = side;
    s->object = object;
    if ((rc = sync_fieldset_build(&s->fields, &e->maps, kind, side, object)))
        return sync_err_set(err, rc, "engine: cannot list the fields of %s", object);
    s->poll.system = sync__side_name(side);
    s->poll.object = object;
    s->poll.fields = s->fields.names;
    if (side == SYNC_SIDE_SALESFORCE) {
        s->poll.lookback_ms = SYNC_ENGINE_SF_LOOKBACK_MS;
        s->poll.include_deleted = 1;
    }
    e->nsources++;
    return SYNC_OK;
}

/* The objects this build syncs: contacts (HubSpot contacts, Salesforce Leads and Contacts),
 * companies (HubSpot companies, Salesforce Accounts), deals (HubSpot deals, Salesforce
 * Opportunities) and tickets (Salesforce Cases; HubSpot tickets in two-way mode). Companies come
 * before deals and tickets, so a round that holds a company and its deal plans the company
 * first. Each kind's sources are polled only while its setting is on
 * (source_on), which may change between passes. */
static enum sync_rc sources_open(struct sync_engine *e, struct sync_err *err)
{
    enum sync_rc rc = source_add(e, SYNC_KIND_CONTACT, SYNC_SIDE_HUBSPOT, "contacts", err);

    rc = rc ? rc : source_add(e, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE, "Lead", err);
    rc = rc ? rc : source_add(e, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE, "Contact", err);
    rc = rc ? rc : source_add(e, SYNC_KIND_COMPANY, SYNC_SIDE_HUBSPOT, "companies", err);
    rc = rc ? rc : source_add(e, SYNC_KIND_COMPANY, SYNC_SIDE_SALESFORCE, "Account", err);
    rc = rc ? rc : source_add(e, SYNC_KIND_DEAL, SYNC_SIDE_HUBSPOT, "deals", err);
    rc = rc ? rc : source_add(e, SYNC_KIND_DEAL, SYNC_SIDE_SALESFORCE, "Opportunity", err);
    rc = rc ? rc : source_add(e, SYNC_KIND_TICKET, SYNC_SIDE_SALESFORCE, "Case", err);
    rc = rc ? rc : source_add(e, SYNC_KIND_TICKET, SYNC_SIDE_HUBSPOT, "tickets", err);
    /* Salesforce task sync: Tasks (tasks, emails and calls by subtype) and Events */
    rc = rc ? rc : source_add(e, SYNC_KIND_TASK, SYNC_SIDE_SALESFORCE, "Task", err);
    rc = rc ? rc : source_add(e, SYNC_KIND_MEETING, SYNC_SIDE_SALESFORCE, "Event", err);
    /* timeline sync: the engagements, and the events capture/timeline.h reads */
    for (int i = 0; rc == SYNC_OK && sync_timeline_objects[i]; i++) {
        rc = source_add(e, SYNC_KIND_TIMELINE, SYNC_SIDE_HUBSPOT, sync_timeline_objects[i], err);
        if (rc == SYNC_OK) /* the events are read by capture_timeline or derived */
            e->sources[e->nsources - 1].events = i >= 5;
    }
    /* turning ticket sync, task sync or a timeline type on imports nothing: only what is created
     * or changed from then on syncs (an import brings the rest) */
    for (size_t i = 0; rc == SYNC_OK && i < e->nsources; i++)
        e->sources[i].poll.from_now = e->sources[i].kind >= SYNC_KIND_TICKET;
    return rc;
}

/* Whether a timeline type that reads object is on (engagements: notes, calls, emails,
 * meetings, tasks; "form_submissions", "email_events"). A sales email's opens and clicks are
 * read with the email; documents viewed with the contacts, which contact sync reads. */
static const char *const timeline_reads_from[SYNC_TIMELINE__COUNT] = {
    [SYNC_TIMELINE_FORM_SUBMISSIONS] = "form_submissions",
    [SYNC_TIMELINE_MARKETING_EMAIL_SENT] = "email_events",
    [SYNC_TIMELINE_MARKETING_EMAIL_OPENED] = "email_events",
    [SYNC_TIMELINE_MARKETING_EMAIL_CLICKED] = "email_events",
    [SYNC_TIMELINE_SALES_EMAIL_SENT] = "emails",
    [SYNC_TIMELINE_SALES_EMAIL_OPENED] = "emails",
    [SYNC_TIMELINE_SALES_EMAIL_CLICKED] = "emails",
    [SYNC_TIMELINE_MEETINGS] = "meetings",
    [SYNC_TIMELINE_CALLS] = "calls",
    [SYNC_TIMELINE_NOTES] = "notes",
    [SYNC_TIMELINE_TASKS] = "tasks"};

static int timeline_reads(const struct sync_engine *e, const char *object)
{
    if (strcmp(object, "form_submissions") == 0 &&
        sync_settings_str(e->settings, SYNC_SETTING_FORM_CAMPAIGNS)[0])
        return 1; /* a form that adds its submitter to a campaign */
    for (int t = 0; t < SYNC_TIMELINE__COUNT; t++)
        if (timeline_reads_from[t] && strcmp(timeline_reads_from[t], object) == 0 &&
            sync_settings_int(e->settings, sync_setting_timeline(t, SYNC_TIMELINE_ON)))
            return 1;
    return 0;
}

/* Where a source that starts at its switch reads first: the earliest of its switches' since
 * (runtime.h); 0: the first poll's now. */
static int64_t source_start(const struct sync_engine *e, enum sync_kind kind, enum sync_side side,
                            const char *object)
{
    int64_t start = 0;

    if (kind == SYNC_KIND_TICKET)
        return sync__engine_since(e, side == SYNC_SIDE_HUBSPOT ? SYNC_SETTING_TICKET_TWO_WAY
                                                               : SYNC_SETTING_TICKET_SYNC);
    if (kind != SYNC_KIND_TIMELINE) {
        /* task sync's switch, and the earliest of the types the object carries that are on */
        static const enum sync_setting task_types[] = {SYNC_SETTING_SALESFORCE_TASKS,
                                                       SYNC_SETTING_SALESFORCE_EMAILS,
                                                       SYNC_SETTING_SALESFORCE_CALLS};
        int64_t master = sync__engine_since(e, SYNC_SETTING_SALESFORCE_TASK_SYNC);
        if (kind == SYNC_KIND_MEETING)
            start = sync__engine_since(e, SYNC_SETTING_SALESFORCE_MEETINGS);
        for (size_t i = 0; kind != SYNC_KIND_MEETING && i < 3; i++) {
            int64_t since = sync__engine_since(e, task_types[i]);
            if (since && (!start || since < start))
                start = since;
        }
        return start > master ? start : master;
    }
    for (int t = 0; t < SYNC_TIMELINE__COUNT; t++) {
        int64_t since;
        if (!timeline_reads_from[t] || strcmp(timeline_reads_from[t], object) != 0)
            continue;
        since = sync__engine_since(e, sync_setting_timeline(t, SYNC_TIMELINE_ON));
        if (since && (!start || since < start))
            start = since;
    }
    return start;
}

static int source_on(const struct sync_engine *e, const struct sync_engine_source *s)
{
    enum sync_setting id = s->kind == SYNC_KIND_CONTACT   ? SYNC_SETTING_CONTACT_SYNC
                           : s->kind == SYNC_KIND_COMPANY ? SYNC_SETTING_COMPANY_SYNC
                           : s->kind == SYNC_KIND_DEAL    ? SYNC_SETTING_DEAL_SYNC
                                                          : SYNC_SETTING_TICKET_SYNC;
    if (s->kind == SYNC_KIND_TIMELINE)
        return timeline_reads(e, s->object);
    if (s->kind == SYNC_KIND_TASK) /* a Task is a task, an email or a call */
        return sync_settings_int(e->settings, SYNC_SETTING_SALESFORCE_TASK_SYNC) &&
               (sync_settings_int(e->settings, SYNC_SETTING_SALESFORCE_TASKS) ||
                sync_settings_int(e->settings, SYNC_SETTING_SALESFORCE_EMAILS) ||
                sync_settings_int(e->settings, SYNC_SETTING_SALESFORCE_CALLS));
    if (s->kind == SYNC_KIND_MEETING)
        return sync_settings_int(e->settings, SYNC_SETTING_SALESFORCE_TASK_SYNC) &&
               sync_settings_int(e->settings, SYNC_SETTING_SALESFORCE_MEETINGS);
    if (s->kind == SYNC_KIND_TICKET && s->side == SYNC_SIDE_HUBSPOT &&
        !sync_settings_int(e->settings, SYNC_SETTING_TICKET_TWO_WAY))
        return 0; /* one way: ticket changes are not read */
    return sync_settings_int(e->settings, id) != 0;
}

/* Brings the mappings to those in force (the file's and the store's overrides: mappings added,
 * changed or removed, and rules), logging each change (remap.c). */
static enum sync_rc rules_reload(struct sync_engine *e, struct sync_err *err)
{
    struct sync_mapping_set now;
    enum sync_rc rc = sync_runtime_mappings_load(e->st, e->cfg, &now, err);

    if (rc == SYNC_OK)
        rc = sync__engine_remap(e, &now, err);
    sync_mapping_set_release(&now);
    return rc;
}

/* Keeps when each since switch was turned on (runtime.h: "since:<name>", epoch ms) in the store
 * and in e->since for the pass: for one the file turns on, or an admin turned on while no engine
 * ran, set by the first pass that sees it on (unless the admin's change set it already); dropped
 * when it is off, so only what changes from then on syncs, also after it was off a while. */
static enum sync_rc since_keep(struct sync_engine *e, struct sync_err *err)
{
    for (int id = 0; id < SYNC_SETTING__COUNT; id++) {
        struct sync_buf b = SYNC_BUF_INIT(64);
        char key[SYNC_STORE_NAME_MAX];
        int on;
        enum sync_rc rc;
        e->since[id] = 0;
        if (!sync_runtime_since_switch(id))
            continue;
        on = sync_settings_int(e->settings, (enum sync_setting)id) != 0;
        snprintf(key, sizeof(key), "%s%s", SYNC_SINCE_PREFIX, sync_setting_def(id)->name);
        rc = sync_store_setting_get(e->st, key, &b, err);
        if (rc == SYNC_OK && on)
            e->since[id] = strtoll(sync_buf_str(&b), NULL, 10);
        sync_buf_release(&b);
        if (rc == SYNC_ERR_NOT_FOUND) {
            char ms[32];
            sync_err_clear(err);
            if (!on)
                continue;
            e->since[id] = sync_time_now_ms();
            snprintf(ms, sizeof(ms), "%lld", (long long)e->since[id]);
            rc = sync_store_setting_set(e->st, key, ms, err);
            sync_info("settings", "%s is on: what changes from now on syncs",
                      sync_setting_def(id)->name);
        } else if (rc == SYNC_OK && !on) {
            rc = sync_store_setting_delete(e->st, key, err);
        }
        if (rc)
            return rc;
    }
    return SYNC_OK;
}

int64_t sync__engine_since(const struct sync_engine *e, enum sync_setting id)
{
    return (unsigned)id < SYNC_SETTING__COUNT ? e->since[id] : 0;
}

/* Loads the settings in force (the file's and the store's overrides) and logs what changed
 * since the last pass; then the mappings' rules. */
static enum sync_rc settings_reload(struct sync_engine *e, struct sync_err *err)
{
    struct sync_settings next;
    enum sync_rc rc;

    if (sync_settings_init(&next))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if ((rc = sync_runtime_settings_load(e->st, &e->cfg->settings, &next, err))) {
        sync_settings_release(&next);
        return rc;
    }
    for (int i = 0; i < SYNC_SETTING__COUNT; i++) {
        struct sync_buf was = SYNC_BUF_INIT(4096), now = SYNC_BUF_INIT(4096);
        sync_settings_format(&e->live, (enum sync_setting)i, &was);
        sync_settings_format(&next, (enum sync_setting)i, &now);
        if (strcmp(sync_buf_str(&was), sync_buf_str(&now)))
            sync_info("settings", "%s is now %s (was %s)", sync_setting_def(i)->name,
                      sync_buf_str(&now), sync_buf_str(&was));
        sync_buf_release(&was);
        sync_buf_release(&now);
    }
    sync_settings_release(&e->live);
    e->live = next;
    sync_log_set_level((enum sync_log_level)sync_settings_int(&e->live, SYNC_SETTING_LOG_LEVEL));
    if ((rc = since_keep(e, err)))
        return rc;
    return rules_reload(e, err);
}

static void problems_to_err(const struct sync_config_problems *pr, struct sync_err *err)
{
    struct sync_buf b = SYNC_BUF_INIT(16 * 1024);
    sync_config_problems_format(pr, &b);
    sync_err_set(err, SYNC_ERR_INVALID, "%s", sync_buf_str(&b));
    sync_buf_release(&b);
}

enum sync_rc sync_engine_open(struct sync_engine **out, const struct sync_config *cfg,
                              struct sync_err *err)
{
    struct sync_engine *e = calloc(1, sizeof(*e));
    struct sync_config_problems *pr = NULL;
    enum sync_rc rc;

    *out = NULL;
    if (!e)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    e->cfg = cfg;
    e->settings = &e->live;
    if ((rc = sync_settings_init(&e->live)) ||
        (rc = sync_settings_copy(&e->live, &cfg->settings))) {
        rc = sync_err_set(err, rc, "out of memory");
        goto fail;
    }
    e->hs_settle_ms = cfg->hubspot.search_settle_ms;
    if ((rc = sync_mapping_set_init(&e->maps))) {
        rc = sync_err_set(err, rc, "engine: cannot set up the mappings");
        goto fail;
    }
    if (!(pr = calloc(1, sizeof(*pr)))) {
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((rc = sync_config_apply_mappings(cfg, &e->maps, NULL, NULL, pr))) {
        problems_to_err(pr, err);
        goto fail;
    }
    if ((rc = sync_store_open(&e->st, cfg->store, err)))
        goto fail;
    if ((rc = sync_runtime_settings_load(e->st, &cfg->settings, &e->live, err)))
        goto fail;
    sync_log_set_level((enum sync_log_level)sync_settings_int(&e->live, SYNC_SETTING_LOG_LEVEL));
    if ((rc = sync__engine_maps_load(e, err))) /* the store's overrides too */
        goto fail;
    if ((rc = conns_open(e, err)))
        goto fail;
    if ((rc = sources_open(e, err)))
        goto fail;
    free(pr);
    *out = e;
    return SYNC_OK;
fail:
    free(pr);
    sync_engine_close(e);
    return rc ? rc : SYNC_ERR_INVALID;
}

void sync_engine_close(struct sync_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nsources; i++)
        sync_fieldset_release(&e->sources[i].fields);
    for (size_t i = 0; i < e->ncats; i++) {
        sync__engine_geo_release(&e->cats[i]);
        sync_field_catalog_release(&e->cats[i].cat);
    }
    sync__engine_owners_release(e);
    sync__engine_inclusion_release(e);
    sync__engine_stages_release(e);
    json_decref(e->waiting);
    json_decref(e->campaigns);
    sync_conn_free(e->hs);
    sync_conn_free(e->sf);
    sync_store_close(e->st);
    sync_mapping_set_release(&e->maps);
    sync_settings_release(&e->live);
    free(e);
}

const struct sync_fieldset *sync__engine_fields(struct sync_engine *e, enum sync_side side,
                                                const char *object)
{
    for (size_t i = 0; i < e->nsources; i++)
        if (e->sources[i].side == side && strcasecmp(e->sources[i].object, object) == 0)
            return &e->sources[i].fields;
    return NULL;
}

/* ---- what the vendors say about their objects ---- */

static struct sync_engine_catalog *catalog_slot(struct sync_engine *e, enum sync_side side,
                                                const char *object)
{
    for (size_t i = 0; i < e->ncats; i++)
        if (e->cats[i].side == side && strcasecmp(e->cats[i].object, object) == 0)
            return &e->cats[i];
    return NULL;
}

enum sync_rc sync__engine_catalog(struct sync_engine *e, enum sync_side side, const char *object,
                                  const struct sync_field_catalog **out, struct sync_err *err)
{
    struct sync_engine_catalog *slot = catalog_slot(e, side, object);
    enum sync_rc rc;

    if (slot) {
        *out = &slot->cat;
        return SYNC_OK;
    }
    if (e->ncats == SYNC_ENGINE_MAX_CATALOGS)
        return sync_err_set(err, SYNC_ERR_TOO_LARGE, "engine: too many field catalogues");
    slot = &e->cats[e->ncats];
    memset(slot, 0, sizeof(*slot));
    rc = sync_conn_describe(sync__engine_conn(e, side), object, &slot->cat, err);
    if (rc) {
        sync_field_catalog_release(&slot->cat);
        return rc;
    }
    slot->side = side;
    snprintf(slot->object, sizeof(slot->object), "%s", object);
    slot->described_at = sync_time_monotonic_ms();
    e->ncats++;
    *out = &slot->cat;
    return SYNC_OK;
}

enum sync_rc sync__engine_catalog_recheck(struct sync_engine *e, enum sync_side side,
                                          const char *object, int64_t max_age_ms,
                                          const struct sync_field_catalog **out,
                                          struct sync_err *err)
{
    struct sync_engine_catalog *slot = catalog_slot(e, side, object);
    struct sync_field_catalog cat;
    struct sync_err derr = SYNC_ERR_INIT;
    int64_t now = sync_time_monotonic_ms();

    if (!slot)
        return sync__engine_catalog(e, side, object, out, err);
    *out = &slot->cat;
    if (now - slot->described_at <= max_age_ms)
        return SYNC_OK;
    memset(&cat, 0, sizeof(cat));
    if (sync_conn_describe(sync__engine_conn(e, side), object, &cat, &derr)) {
        sync_field_catalog_release(&cat);
        sync_warn("engine", "cannot describe %s again, keeping the earlier describe: %s", object,
                  derr.message);
        slot->described_at = now;
        return SYNC_OK;
    }
    sync__engine_geo_release(slot);
    sync_field_catalog_release(&slot->cat);
    slot->cat = cat;
    slot->described_at = now;
    return SYNC_OK;
}

enum sync_rc sync__engine_ensure_link(struct sync_engine *e, enum sync_side side,
                                      const char *object, struct sync_err *err)
{
    const struct sync_field_catalog *cat;
    struct sync_engine_catalog *slot;
    enum sync_rc rc;

    if ((rc = sync__engine_catalog(e, side, object, &cat, err)))
        return rc;
    slot = catalog_slot(e, side, object);
    if (slot->link_ensured)
        return SYNC_OK;
    if ((rc = sync_conn_ensure_link_field(sync__engine_conn(e, side), object, err)))
        return rc;
    slot->link_ensured = 1;
    return SYNC_OK;
}

/* ---- passes ---- */

/* The timeline events that are not CRM objects: form submissions and marketing email events,
 * while a type that needs them is on. */
static enum sync_rc capture_timeline(struct sync_engine *e, int64_t now,
                                     struct sync_pass_stats *stats, struct sync_err *err)
{
    struct sync_poll_result res;
    enum sync_rc rc = SYNC_OK;

    now -= e->hs_settle_ms; /* no event before the contacts it names (capture/timeline.h) */
    if (timeline_reads(e, "form_submissions")) {
        rc = sync_poll_form_submissions(
            e->st, e->hs, now,
            source_start(e, SYNC_KIND_TIMELINE, SYNC_SIDE_HUBSPOT, "form_submissions"), &res, err);
        stats->read += res.read;
        stats->captured += res.stored;
        if (rc)
            sync_warn("capture", "hubspot form submissions: %s", err ? err->message : "");
    }
    if (rc == SYNC_OK && timeline_reads(e, "email_events")) {
        if (!e->campaigns)
            e->campaigns = json_object();
        rc = sync_poll_email_events(
            e->st, e->hs, now,
            source_start(e, SYNC_KIND_TIMELINE, SYNC_SIDE_HUBSPOT, "email_events"), e->campaigns,
            &e->events_swept_ms, &res, err);
        stats->read += res.read;
        stats->captured += res.stored;
        if (rc)
            sync_warn("capture", "hubspot email events: %s", err ? err->message : "");
    }
    return rc;
}

static enum sync_rc capture_all(struct sync_engine *e, int64_t now, struct sync_pass_stats *stats,
                                struct sync_err *err)
{
    enum sync_rc first = SYNC_OK;
    int64_t covered = INT64_MAX;

    for (size_t i = 0; i < e->nsources; i++) {
        struct sync_engine_source *s = &e->sources[i];
        struct sync_poll_result res;
        struct sync_err perr = SYNC_ERR_INIT;
        enum sync_rc rc;

        if (!source_on(e, s) || s->events)
            continue;
        if (s->poll.from_now)
            s->poll.start_ms = source_start(e, s->kind, s->side, s->object);
        if (s->side == SYNC_SIDE_SALESFORCE && !sync__budget_ok(e))
            continue; /* suspended: HubSpot changes still queue */
        rc = sync_poll_source(e->st, sync__engine_conn(e, s->side), &s->poll, now, &res, &perr);

        stats->read += res.read;
        stats->captured += res.stored;
        if (rc) {
            /* one side failing does not stop the other from syncing */
            sync_warn("capture", "%s %s: %s", s->poll.system, s->object, perr.message);
            if (!first) {
                first = rc;
                if (err)
                    *err = perr;
            }
            /* a refusal that suspends is a skipped source, as when suspended already: it is
             * not a capture that fell behind, so `once` does not wait for it to catch up */
            if (!(s->side == SYNC_SIDE_SALESFORCE && !sync__budget_ok(e) &&
                  sync__budget_explains(e, &perr)))
                covered = 0;
            continue;
        }
        if (res.covered_ms < covered)
            covered = res.covered_ms;
        if (res.stored)
            sync_debug("capture", "%s %s: %zu change%s", s->poll.system, s->object, res.stored,
                       res.stored == 1 ? "" : "s");
        if (s->side == SYNC_SIDE_HUBSPOT && s->kind != SYNC_KIND_TIMELINE &&
            now >= s->deletes_due_ms) {
            rc = sync_poll_deletes(e->st, e->hs, &s->poll, &res, &perr);
            stats->read += res.read;
            stats->captured += res.stored;
            if (rc) {
                sync_warn("capture", "%s %s deletes: %s", s->poll.system, s->object, perr.message);
                if (!first) {
                    first = rc;
                    if (err)
                        *err = perr;
                }
                continue;
            }
            s->deletes_due_ms = now + SYNC_ENGINE_DELETES_EVERY_MS;
        }
    }
    if (first == SYNC_OK)
        first = capture_timeline(e, now, stats, err);
    stats->covered_ms = covered == INT64_MAX ? now : covered;
    return first;
}

/* ---- records waiting for an association ---- */

struct waiting {
    json_t *ids; /* "<system>/<object>" -> {id: true} */
};

static void waiting_add(json_t *ids, const char *system, const char *object, const char *id)
{
    char key[SYNC_STORE_KIND_MAX + SYNC_STORE_NAME_MAX + 2];
    json_t *set;

    if (!ids || !id || !id[0])
        return;
    snprintf(key, sizeof(key), "%s/%s", system, object);
    if (!(set = json_object_get(ids, key))) {
        set = json_object();
        json_object_set_new(ids, key, set);
    }
    json_object_set_new(set, id, json_true());
}

void sync__engine_wait(struct sync_engine *e, const char *system, const char *object,
                       const char *id)
{
    const char *k;
    json_t *set;
    size_t n = 0;

    if (!e->waiting)
        e->waiting = json_object();
    json_object_foreach(e->waiting, k, set)
    {
        n += json_object_size(set);
    }
    /* bounded: past this many, the rest follow on their own next change */
    if (n < SYNC_ENGINE_WAITING_MAX)
        waiting_add(e->waiting, system, object, id);
}

static enum sync_rc waiting_row(void *ctx, const struct sync_error_row *er)
{
    struct waiting *w = ctx;
    waiting_add(w->ids, er->system, er->object, er->record_id);
    return SYNC_OK;
}

/* Puts the current version of records of one object back in the inbox. */
static enum sync_rc requeue(struct sync_engine *e, enum sync_side side, const char *object,
                            const json_t *set, struct sync_err *err)
{
    const struct sync_fieldset *fs = sync__engine_fields(e, side, object);
    const char **ids = calloc(json_object_size(set) + 1, sizeof(*ids));
    struct sync_buf text = SYNC_BUF_INIT(16 * 1024 * 1024);
    struct sync_conn_batch b;
    const char *k;
    json_t *v;
    size_t n = 0, i;
    enum sync_rc rc;

    if (!ids)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    json_object_foreach((json_t *)set, k, v)
    {
        ids[n++] = k;
    }
    sync_conn_batch_init(&b);
    rc = sync_conn_fetch(sync__engine_conn(e, side), object, NULL, ids, n, fs ? fs->names : NULL,
                         &b, err);
    json_array_foreach(b.records, i, v)
    {
        struct sync_change c;
        const char *id;
        int64_t version;
        int deleted;
        if (rc || !sync_poll_record_key(side == SYNC_SIDE_HUBSPOT ? SYNC_VENDOR_HUBSPOT
                                                                  : SYNC_VENDOR_SALESFORCE,
                                        object, v, &id, &version, &deleted))
            continue;
        sync_buf_reset(&text);
        if ((rc = sync_json_dump(v, &text)))
            break;
        memset(&c, 0, sizeof(c));
        c.system = sync__side_name(side);
        c.object = object;
        c.record_id = id;
        c.version = version;
        c.deleted = deleted;
        c.payload = sync_buf_str(&text);
        rc = sync_store_inbox_put(e->st, &c, NULL, err);
    }
    sync_conn_batch_release(&b);
    sync_buf_release(&text);
    free(ids);
    return rc;
}

/* After links moved (a company's account was made or found), records waiting for an
 * association ("associations" errors, flagged to retry) are planned again: their current
 * version goes back in the inbox. Runs only when links moved, so it ends. */
static enum sync_rc retry_waiting(struct sync_engine *e, struct sync_err *err)
{
    struct sync_error_query q;
    struct waiting w = {NULL};
    const char *k;
    json_t *set;
    enum sync_rc rc;

    if (e->link_moves == e->link_moves_swept)
        return SYNC_OK;
    e->link_moves_swept = e->link_moves;
    if (!(w.ids = json_object()))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    memset(&q, 0, sizeof(q));
    q.category = "associations";
    q.max = SYNC_ENGINE_PLAN_BATCH;
    rc = sync_store_error_list(e->st, &q, waiting_row, &w, err);
    if (e->waiting) {
        /* the records remembered by the plan step (bounded: one pass's worth) */
        const char *obj;
        json_t *ids, *v;
        json_object_foreach(e->waiting, obj, ids)
        {
            const char *id;
            const char *slash = strchr(obj, '/');
            json_object_foreach(ids, id, v)
            {
                if (slash) {
                    char system[SYNC_STORE_KIND_MAX];
                    snprintf(system, sizeof(system), "%.*s", (int)(slash - obj), obj);
                    waiting_add(w.ids, system, slash + 1, id);
                }
            }
        }
        json_object_clear(e->waiting);
    }
    json_object_foreach(w.ids, k, set)
    {
        const char *slash = strchr(k, '/');
        enum sync_kind kind;
        enum sync_side side;
        char system[SYNC_STORE_KIND_MAX];
        if (rc || !slash)
            continue;
        snprintf(system, sizeof(system), "%.*s", (int)(slash - k), k);
        if (sync_object_kind(system, slash + 1, &kind, &side) ||
            !sync__engine_fields(e, side, slash + 1) || sync_timeline_event(slash + 1))
            continue; /* timeline events are not read again: they were kept (below) */
        rc = requeue(e, side, slash + 1, set, err);
    }
    json_decref(w.ids);
    if (rc == SYNC_OK)
        rc = sync_timeline_unpark(e->st, err);
    return rc;
}

static enum sync_rc pass_run(struct sync_engine *e, struct sync_pass_stats *stats,
                             struct sync_err *err)
{
    struct sync_err cerr = SYNC_ERR_INIT;
    int64_t now = sync_time_now_ms();
    enum sync_rc crc, rc;
    size_t before;

    if ((rc = settings_reload(e, err)))
        return rc;
    sync__budget_pass_start(e);
    crc = capture_all(e, now, stats, &cerr);
    if (sync_settings_int(e->settings, SYNC_SETTING_SYNC) &&
        (rc = sync__engine_inclusion(e, now, err)))
        return rc;
    if (!sync__budget_ok(e) || !sync_settings_int(e->settings, SYNC_SETTING_SYNC)) {
        /* suspended (budget.h), or the master switch is off: changes queue in the inbox, and
         * nothing is planned or sent */
        rc = sync__engine_flush_usage(e, err);
        if (rc == SYNC_OK && crc && !(sync__budget_ok(e) == 0 && sync__budget_explains(e, &cerr))) {
            if (err)
                *err = cerr;
            rc = crc;
        }
        return rc;
    }
    do {
        before = stats->planned;
        rc = sync__plan_inbox(e, sync_time_now_ms(), stats, err);
    } while (rc == SYNC_OK && stats->planned > before && sync__budget_ok(e));
    if (rc == SYNC_OK)
        rc = sync_apply_run(e, stats, err);
    if (rc == SYNC_OK)
        rc = sync__budget_ok(e) ? retry_waiting(e, err) : SYNC_OK;
    if (rc == SYNC_OK)
        rc = sync__engine_flush_usage(e, err);
    else
        sync__engine_flush_usage(e, NULL);
    if (rc == SYNC_OK && crc) {
        if (err)
            *err = cerr;
        rc = crc;
    }
    return rc;
}

static void stats_add(struct sync_pass_stats *t, const struct sync_pass_stats *p)
{
    t->read += p->read;
    t->captured += p->captured;
    t->planned += p->planned;
    t->enqueued += p->enqueued;
    t->record_errors += p->record_errors;
    t->written += p->written;
    t->failed += p->failed;
    t->retried += p->retried;
    t->covered_ms = p->covered_ms;
}

/* The process's pass figures (/metrics). */
static void count_pass(const struct sync_pass_stats *p, int64_t started_ms)
{
    sync_metrics_count("crmsync_records_captured_total", NULL, (double)p->captured,
                       "changes captured into the inbox");
    sync_metrics_count("crmsync_records_planned_total", NULL, (double)p->planned,
                       "captured changes planned");
    sync_metrics_count("crmsync_record_errors_total", NULL, (double)p->record_errors,
                       "per-record errors the plans opened");
    sync_metrics_observe("crmsync_pass_seconds", NULL,
                         (double)(sync_time_monotonic_ms() - started_ms) / 1000.0,
                         "how long one pass (capture, plan, apply) took");
}

enum sync_rc sync_engine_pass(struct sync_engine *e, struct sync_pass_stats *stats,
                              struct sync_err *err)
{
    struct sync_pass_stats mine;
    int64_t started = sync_time_monotonic_ms();
    enum sync_rc rc;

    memset(&mine, 0, sizeof(mine));
    /* the Salesforce credentials in force: a new connector when an admin changed them */
    rc = sync__credentials_pass_start(e, err);
    if (rc == SYNC_OK)
        rc = pass_run(e, &mine, err);
    sync__credentials_pass_end(e);
    count_pass(&mine, started);
    stats_add(stats, &mine);
    return rc;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* How long until the outbox has an entry due (0: one is due now; -1: none soon). */
static enum sync_rc outbox_wait(struct sync_engine *e, int64_t *wait, struct sync_err *err)
{
    struct sync_outbox_stats os;
    enum sync_rc rc = sync_store_outbox_stats(e->st, &os, err);
    int64_t now = sync_time_now_ms();

    *wait = -1;
    if (rc || os.waiting + os.claimed == 0)
        return rc;
    if (os.next_attempt_at <= now)
        *wait = 0;
    else if (os.next_attempt_at - now <= WAIT_DUE_MS)
        *wait = os.next_attempt_at - now;
    return SYNC_OK;
}

enum sync_rc sync_engine_once(struct sync_engine *e, unsigned max_passes,
                              struct sync_pass_stats *stats, struct sync_err *err)
{
    int64_t start = sync_time_now_ms();

    memset(stats, 0, sizeof(*stats));
    if (!max_passes)
        max_passes = 100;
    for (unsigned n = 0; n < max_passes; n++) {
        struct sync_pass_stats p;
        int64_t wait;
        enum sync_rc rc;

        memset(&p, 0, sizeof(p));
        rc = sync_engine_pass(e, &p, err);
        stats_add(stats, &p);
        if (rc)
            return rc;
        if (p.captured || p.planned || p.written || p.failed)
            continue;
        /* A pass that planned nothing left in the inbox only changes that wait (the master
         * switch off, a suspension, an inclusion list not read yet): done once capture is. */
        wait = -1;
        if (sync_settings_int(e->settings, SYNC_SETTING_SYNC) && !sync__budget_suspended(e) &&
            (rc = outbox_wait(e, &wait, err)))
            return rc;
        if (wait == 0)
            continue;
        if (wait > 0) {
            sleep_ms(wait);
            continue;
        }
        if (p.covered_ms >= start)
            return SYNC_OK;
        /* HubSpot's search has not settled past our start yet */
        sleep_ms(start - p.covered_ms + 1 < 60000 ? start - p.covered_ms + 1 : 60000);
    }
    return sync_err_set(err, SYNC_AGAIN, "sync: still busy after %u passes", max_passes);
}
