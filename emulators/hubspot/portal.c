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
#include <stddef.h>
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
    s->webhook_signature_v2 = 0;
}

/* The integer settings: name, slot, smallest and largest value. */
struct setting {
    const char *name;
    size_t off;
    int64_t min, max;
};

#define SETTING(name, field, min, max)                                                             \
    {                                                                                              \
        name, offsetof(struct hs_settings, field), min, max                                        \
    }
#define WEEK_MS (86400000LL * 7)

static const struct setting settings[] = {
    SETTING("search_lag_ms", search_lag_ms, 0, WEEK_MS),
    SETTING("access_token_lifetime_s", access_token_lifetime_s, 1, WEEK_MS),
    SETTING("webhook_batch_size", webhook_batch_size, 1, 1000),
    SETTING("webhook_retry_base_ms", webhook_retry_base_ms, 1, WEEK_MS),
    SETTING("webhook_max_retries", webhook_max_retries, 0, WEEK_MS),
    SETTING("webhook_timeout_ms", webhook_timeout_ms, 100, WEEK_MS),
    SETTING("search_max_filter_groups", search_max_groups, 1, WEEK_MS),
    SETTING("search_max_filters_per_group", search_max_filters_per_group, 1, WEEK_MS),
    SETTING("search_max_filters", search_max_filters, 1, WEEK_MS),
    SETTING("search_max_results", search_max_results, 1, WEEK_MS),
    SETTING("labels_imply_unlabeled", labels_imply_unlabeled, 0, 1),
    SETTING("webhook_batch_window_ms", webhook_batch_window_ms, 0, WEEK_MS),
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static int64_t *setting_slot(struct hs_settings *s, size_t i)
{
    return (int64_t *)((char *)s + settings[i].off);
}

json_t *settings_to_json(const struct hs_settings *s)
{
    json_t *o = json_object();
    for (size_t i = 0; i < NSETTINGS; i++)
        json_object_set_new(o, settings[i].name,
                            json_integer(*setting_slot((struct hs_settings *)s, i)));
    json_object_set_new(o, "webhook_signature_version",
                        json_string(s->webhook_signature_v2 ? "v2" : "v1"));
    return o;
}

/* One key of a settings object into n; -1 with err filled when it is not a setting or out of
 * range. */
static int setting_set(struct hs_settings *n, const char *key, const json_t *v, char *err,
                       size_t errlen)
{
    if (strcmp(key, "webhook_signature_version") == 0) {
        const char *sig = json_string_value(v);
        if (!sig || (strcmp(sig, "v1") != 0 && strcmp(sig, "v2") != 0)) {
            snprintf(err, errlen, "webhook_signature_version must be \"v1\" or \"v2\"");
            return -1;
        }
        n->webhook_signature_v2 = strcmp(sig, "v2") == 0;
        return 0;
    }
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *st = &settings[i];
        if (strcmp(key, st->name) != 0)
            continue;
        if (!json_is_integer(v) || json_integer_value(v) < st->min ||
            json_integer_value(v) > st->max) {
            snprintf(err, errlen, "%s must be an integer from %lld to %lld", key,
                     (long long)st->min, (long long)st->max);
            return -1;
        }
        *setting_slot(n, i) = json_integer_value(v);
        return 0;
    }
    snprintf(err, errlen, "unknown setting '%s'", key);
    return -1;
}

int settings_configure(struct hs_settings *s, const json_t *body, char *err, size_t errlen)
{
    struct hs_settings n = *s;
    const char *key;
    json_t *v;

    if (!json_is_object(body)) {
        snprintf(err, errlen, "settings must be a JSON object");
        return -1;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        if (setting_set(&n, key, v, err, errlen))
            return -1;
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
        hs_map_init(&p->st[t].aliases);
    }
    assoc_init(p);
    pipes_init(p);
    owners_init(p);
    lists_init(p);
    mkt_init(p);
    auth_init(p);
    settings_defaults(&p->settings);
    p->nlocks = 0;
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
    sync_time_freeze(0);
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

static int lock_push(struct hs_portal *p, uint64_t id, int type, int64_t count)
{
    if (p->nlocks >= HS_LOCKS_MAX)
        return -1;
    p->locks[p->nlocks].id = id;
    p->locks[p->nlocks].type = type;
    p->locks[p->nlocks].count = count;
    p->nlocks++;
    return 0;
}

/* The ids of a lock request, or -1 when one is not a record id. */
static int lock_ids(const json_t *ids, uint64_t *out, size_t *n)
{
    size_t i;
    json_t *v;
    *n = 0;
    json_array_foreach(ids, i, v)
    {
        char buf[32];
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        if (!s && json_is_integer(v)) {
            snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
            s = buf;
        }
        if (!s || !hs_parse_id(s) || *n >= HS_LOCKS_MAX)
            return -1;
        out[(*n)++] = hs_parse_id(s);
    }
    return 0;
}

int portal_add_locks(struct hs_portal *p, const json_t *body, char *err, size_t errlen)
{
    json_t *ids = json_object_get(body, "ids");
    int type = hs_type_parse(sync_json_str(body, "objectType"));
    int64_t count = sync_json_int(body, "count", 1);
    uint64_t v[HS_LOCKS_MAX];
    size_t n;

    if (count < 1) {
        snprintf(err, errlen, "count must be a positive integer");
        return -1;
    }
    if (!json_is_array(ids) && type < 0) {
        snprintf(err, errlen, "give ids (an array of record ids) or objectType");
        return -1;
    }
    if (json_is_array(ids) && lock_ids(ids, v, &n)) {
        snprintf(err, errlen, "ids must be at most %d record ids", HS_LOCKS_MAX);
        return -1;
    }
    if (p->nlocks + (json_is_array(ids) ? n : 1) > HS_LOCKS_MAX) {
        snprintf(err, errlen, "at most %d lock rules may be pending", HS_LOCKS_MAX);
        return -1;
    }
    if (!json_is_array(ids))
        return lock_push(p, 0, type, count);
    for (size_t i = 0; i < n; i++)
        lock_push(p, v[i], -1, count);
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

void portal_stats_reset(struct hs_portal *p)
{
    hs_map_release(&p->stats.by_route, free);
    hs_map_init(&p->stats.by_route);
    p->stats.total = 0;
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
