/*
 * portal.c: the life of a struct hs_portal: a fresh portal (standard
 * properties, default pipelines, owners, association labels, forms, the
 * private app token), reset, release, record ids, 423 lock rules, call
 * statistics and portal settings.
 *
 * main.c creates the one portal; control.c resets it and reads its stats.
 * Every function here expects the portal lock to be held, except
 * portal_init and portal_release.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

void settings_defaults(struct hs_settings *s)
{
    s->search_lag_ms = 0;
    s->access_token_lifetime_s = 1800;
    s->webhook_batch_size = 100;
    s->webhook_retry_base_ms = 1000;
    s->webhook_max_retries = 10;
    s->webhook_timeout_ms = 5000;
    s->webhook_batch_window_ms = 50;
    s->search_max_groups = 5;
    s->search_max_filters_per_group = 6;
    s->search_max_filters = 18;
    s->search_max_results = 10000;
    s->labels_imply_unlabeled = 1;
}

static const char *const setting_keys[] = {"search_lag_ms",
                                           "access_token_lifetime_s",
                                           "webhook_batch_size",
                                           "webhook_retry_base_ms",
                                           "webhook_max_retries",
                                           "webhook_timeout_ms",
                                           "search_max_filter_groups",
                                           "search_max_filters_per_group",
                                           "search_max_filters",
                                           "search_max_results",
                                           "labels_imply_unlabeled",
                                           "webhook_batch_window_ms",
                                           NULL};

static int64_t *setting_slot(struct hs_settings *s, size_t i)
{
    int64_t *slots[] = {
        &s->search_lag_ms,         &s->access_token_lifetime_s,      &s->webhook_batch_size,
        &s->webhook_retry_base_ms, &s->webhook_max_retries,          &s->webhook_timeout_ms,
        &s->search_max_groups,     &s->search_max_filters_per_group, &s->search_max_filters,
        &s->search_max_results,    &s->labels_imply_unlabeled,       &s->webhook_batch_window_ms};
    return slots[i];
}

json_t *settings_to_json(const struct hs_settings *s)
{
    json_t *o = json_object();
    for (size_t i = 0; setting_keys[i]; i++)
        json_object_set_new(o, setting_keys[i],
                            json_integer(*setting_slot((struct hs_settings *)s, i)));
    return o;
}

int settings_configure(struct hs_settings *s, const json_t *body, char *err, size_t errlen)
{
    static const int64_t mins[] = {0, 1, 1, 1, 0, 100, 1, 1, 1, 1, 0, 0};
    struct hs_settings n = *s;
    const char *key;
    json_t *v;

    if (!json_is_object(body)) {
        snprintf(err, errlen, "settings must be a JSON object");
        return -1;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        size_t i;
        for (i = 0; setting_keys[i]; i++)
            if (strcmp(key, setting_keys[i]) == 0)
                break;
        if (!setting_keys[i]) {
            snprintf(err, errlen, "unknown setting '%s'", key);
            return -1;
        }
        if (!json_is_integer(v) || json_integer_value(v) < mins[i] ||
            json_integer_value(v) > 86400000LL * 7) {
            snprintf(err, errlen, "%s must be an integer from %lld", key, (long long)mins[i]);
            return -1;
        }
        if (strcmp(key, "labels_imply_unlabeled") == 0 && json_integer_value(v) > 1) {
            snprintf(err, errlen, "labels_imply_unlabeled must be 0 or 1");
            return -1;
        }
        if (strcmp(key, "webhook_batch_size") == 0 && json_integer_value(v) > 1000) {
            snprintf(err, errlen, "webhook_batch_size must be from 1 to 1000");
            return -1;
        }
        *setting_slot(&n, i) = json_integer_value(v);
    }
    *s = n;
    return 0;
}

static void state_init(struct hs_portal *p)
{
    p->next_id = HS_FIRST_ID;
    props_init_catalogs(p);
    for (int t = 0; t < HS_NTYPES; t++) {
        memset(&p->st[t], 0, sizeof(p->st[t]));
        hs_map_init(&p->st[t].by_id);
    }
    assoc_init(p);
    pipes_init(p);
    owners_init(p);
    lists_init(p);
    mkt_init(p);
    auth_init(p);
    settings_defaults(&p->settings);
    p->nlocks = 0;
    p->seed_rounds = 0;
}

static void state_release(struct hs_portal *p)
{
    for (int t = 0; t < HS_NTYPES; t++)
        hs_store_release(&p->st[t]);
    props_release_catalogs(p);
    assoc_release(p);
    pipes_release(p);
    owners_release(p);
    lists_release(p);
    mkt_release(p);
    auth_release(p);
}

int portal_init(struct hs_portal *p, int limits_enabled)
{
    memset(p, 0, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    emu_faults_init(&p->faults);
    limits_init(&p->limits, limits_enabled);
    p->limits_default_enabled = limits_enabled;
    hs_map_init(&p->stats.by_route);
    state_init(p);
    return 0;
}

void portal_release(struct hs_portal *p)
{
    state_release(p);
    limits_release(&p->limits);
    hs_map_release(&p->stats.by_route, free);
    emu_faults_release(&p->faults);
    pthread_mutex_destroy(&p->lock);
}

void portal_reset(struct hs_portal *p)
{
    state_release(p);
    state_init(p);
    limits_release(&p->limits);
    limits_init(&p->limits, p->limits_default_enabled);
    emu_faults_clear(&p->faults);
    sync_time_set_offset_ms(0);
    webhooks_reset(p);
    persist_wipe(p);
}

uint64_t portal_next_id(struct hs_portal *p)
{
    return p->next_id++;
}

int portal_locked(struct hs_portal *p, int type, uint64_t id)
{
    for (size_t i = 0; i < p->nlocks; i++) {
        struct hs_lock_rule *l = &p->locks[i];
        int hit = l->id ? (id && l->id == id) : l->type == type;
        if (!hit || l->count <= 0)
            continue;
        l->count--;
        if (l->count == 0) {
            p->locks[i] = p->locks[--p->nlocks];
        }
        return 1;
    }
    return 0;
}

void portal_count_call(struct hs_portal *p, const char *method, const char *tmpl)
{
    char key[512];
    int64_t *n;
    snprintf(key, sizeof(key), "%s %s", method, tmpl);
    n = hs_map_get(&p->stats.by_route, key);
    if (!n) {
        n = calloc(1, sizeof(*n));
        if (!n || hs_map_put(&p->stats.by_route, key, n)) {
            free(n);
            return;
        }
    }
    (*n)++;
    p->stats.total++;
}

static void stat_entry(const char *key, void *val, void *arg)
{
    json_object_set_new(arg, key, json_integer(*(int64_t *)val));
}

json_t *portal_stats_json(struct hs_portal *p)
{
    json_t *by = json_object(), *recs = json_object(), *arch = json_object();
    hs_map_each(&p->stats.by_route, stat_entry, by);
    for (int t = 0; t < HS_NTYPES; t++) {
        json_object_set_new(recs, hs_types[t].name, json_integer((json_int_t)p->st[t].live));
        json_object_set_new(arch, hs_types[t].name,
                            json_integer((json_int_t)(p->st[t].n - p->st[t].live)));
    }
    return json_pack("{s:{s:I, s:o}, s:o, s:o}", "calls", "total", (json_int_t)p->stats.total,
                     "by_endpoint", by, "records", recs, "archived", arch);
}
