/*
 * limits.c: rolling-window API usage, the concurrent long-running limit
 * and call statistics (see limits.h). Called by the dispatcher (routes.c),
 * /limits (versions.c) and the control API (control.c); every function
 * takes the struct's own mutex.
 */
#include "emulators/salesforce/limits.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"

#define DEFAULT_DAILY 100000
#define DEFAULT_CONCURRENT 25
#define DEFAULT_LONG_RUNNING_MS 20000

static void defaults(struct sf_limits *l, int enabled)
{
    l->enabled = enabled;
    l->daily = DEFAULT_DAILY;
    l->concurrent = DEFAULT_CONCURRENT;
    l->long_running_ms = DEFAULT_LONG_RUNNING_MS;
    memset(l->bucket_minute, 0, sizeof(l->bucket_minute));
    memset(l->bucket_count, 0, sizeof(l->bucket_count));
    l->sum_minute = INT64_MIN;
}

void limits_init(struct sf_limits *l, int enabled)
{
    memset(l, 0, sizeof(*l));
    pthread_mutex_init(&l->lock, NULL);
    hmap_init(&l->by_endpoint);
    defaults(l, enabled);
}

static void stats_clear(struct sf_limits *l)
{
    size_t pos = 0;
    void *v;
    while (hmap_next(&l->by_endpoint, &pos, NULL, &v))
        free(v);
    hmap_release(&l->by_endpoint);
    hmap_init(&l->by_endpoint);
    l->total = 0;
}

void limits_release(struct sf_limits *l)
{
    stats_clear(l);
    hmap_release(&l->by_endpoint);
    pthread_mutex_destroy(&l->lock);
}

void limits_reset(struct sf_limits *l, int enabled)
{
    pthread_mutex_lock(&l->lock);
    defaults(l, enabled);
    stats_clear(l);
    pthread_mutex_unlock(&l->lock);
}

int limits_enter(struct sf_limits *l)
{
    int64_t now = sync_time_monotonic_ms() + 1; /* never 0: 0 marks a free slot */
    int64_t long_running = 0;
    int slot = SF_MAX_INFLIGHT; /* untracked when every slot is taken */

    pthread_mutex_lock(&l->lock);
    for (int i = 0; i < SF_MAX_INFLIGHT; i++) {
        if (!l->inflight[i]) {
            if (slot == SF_MAX_INFLIGHT)
                slot = i;
        } else if (now - l->inflight[i] >= l->long_running_ms) {
            long_running++;
        }
    }
    if (l->enabled && long_running >= l->concurrent)
        slot = -1;
    else if (slot < SF_MAX_INFLIGHT)
        l->inflight[slot] = now;
    pthread_mutex_unlock(&l->lock);
    return slot;
}

void limits_leave(struct sf_limits *l, int slot)
{
    if (slot < 0 || slot >= SF_MAX_INFLIGHT)
        return;
    pthread_mutex_lock(&l->lock);
    l->inflight[slot] = 0;
    pthread_mutex_unlock(&l->lock);
}

/* Calls in the day ending at minute. The sum is kept for the current minute, so the buckets
 * are added up once a minute rather than on every call. */
static int64_t used_locked(struct sf_limits *l, int64_t minute)
{
    int64_t used = 0;
    if (minute == l->sum_minute)
        return l->sum;
    for (int i = 0; i < SF_LIMIT_BUCKETS; i++)
        if (l->bucket_count[i] && l->bucket_minute[i] > minute - SF_LIMIT_BUCKETS &&
            l->bucket_minute[i] <= minute)
            used += l->bucket_count[i];
    l->sum_minute = minute;
    l->sum = used;
    return used;
}

int limits_take(struct sf_limits *l, int64_t now)
{
    int64_t minute = now / 60000;
    int slot = (int)(((minute % SF_LIMIT_BUCKETS) + SF_LIMIT_BUCKETS) % SF_LIMIT_BUCKETS);
    int rc = 0;

    pthread_mutex_lock(&l->lock);
    if (l->enabled && used_locked(l, minute) >= l->daily) {
        rc = -1;
    } else {
        if (l->bucket_minute[slot] != minute) {
            l->bucket_minute[slot] = minute;
            l->bucket_count[slot] = 0;
        }
        l->bucket_count[slot]++;
        if (l->sum_minute == minute)
            l->sum++;
    }
    pthread_mutex_unlock(&l->lock);
    return rc;
}

void limits_usage(struct sf_limits *l, int64_t now, int64_t *used, int64_t *max)
{
    pthread_mutex_lock(&l->lock);
    *used = used_locked(l, now / 60000);
    *max = l->daily;
    pthread_mutex_unlock(&l->lock);
}

void limits_stat(struct sf_limits *l, const char *method, const char *route)
{
    char key[512];
    int64_t *n;

    snprintf(key, sizeof(key), "%s %s", method, route);
    pthread_mutex_lock(&l->lock);
    l->total++;
    n = hmap_get(&l->by_endpoint, key);
    if (!n) {
        n = calloc(1, sizeof(*n));
        if (n)
            hmap_put(&l->by_endpoint, key, n);
    }
    if (n)
        (*n)++;
    pthread_mutex_unlock(&l->lock);
}

json_t *limits_stats_json(struct sf_limits *l)
{
    json_t *by = json_object();
    size_t pos = 0;
    const char *k;
    void *v;
    json_t *out;

    pthread_mutex_lock(&l->lock);
    while (hmap_next(&l->by_endpoint, &pos, &k, &v))
        json_object_set_new(by, k, json_integer(*(int64_t *)v));
    out = json_pack("{s:I, s:o}", "total", (json_int_t)l->total, "by_endpoint", by);
    pthread_mutex_unlock(&l->lock);
    return out;
}

void limits_stats_reset(struct sf_limits *l)
{
    pthread_mutex_lock(&l->lock);
    stats_clear(l);
    pthread_mutex_unlock(&l->lock);
}

json_t *limits_config_json(struct sf_limits *l)
{
    json_t *o;
    int64_t used = 0;
    pthread_mutex_lock(&l->lock);
    used = used_locked(l, sync_time_now_ms() / 60000);
    o = json_pack("{s:I, s:I, s:I, s:b, s:I}", "daily_api_requests", (json_int_t)l->daily,
                  "concurrent_long_running", (json_int_t)l->concurrent, "long_running_ms",
                  (json_int_t)l->long_running_ms, "enabled", l->enabled, "used", (json_int_t)used);
    pthread_mutex_unlock(&l->lock);
    return o;
}

static int read_pos(const json_t *cfg, const char *key, int64_t *out, struct sync_err *err)
{
    json_t *v = json_object_get(cfg, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        sync_err_set(err, SYNC_ERR_INVALID, "%s must be a non-negative integer", key);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

enum sync_rc limits_configure(struct sf_limits *l, const json_t *cfg, struct sync_err *err)
{
    static const char *const known[] = {"daily_api_requests", "concurrent_long_running",
                                        "long_running_ms", "enabled", NULL};
    int64_t daily, conc, lr;
    const char *key;
    json_t *v;
    int enabled;

    if (!json_is_object(cfg))
        return sync_err_set(err, SYNC_ERR_INVALID, "limits must be a JSON object");
    json_object_foreach((json_t *)cfg, key, v)
    {
        int ok = 0;
        for (int i = 0; known[i]; i++)
            ok |= strcmp(key, known[i]) == 0;
        if (!ok)
            return sync_err_set(err, SYNC_ERR_INVALID, "unknown limit setting '%s'", key);
    }
    v = json_object_get(cfg, "enabled");
    if (v && !json_is_boolean(v))
        return sync_err_set(err, SYNC_ERR_INVALID, "enabled must be true or false");
    pthread_mutex_lock(&l->lock);
    daily = l->daily;
    conc = l->concurrent;
    lr = l->long_running_ms;
    enabled = l->enabled;
    pthread_mutex_unlock(&l->lock);
    if (read_pos(cfg, "daily_api_requests", &daily, err) ||
        read_pos(cfg, "concurrent_long_running", &conc, err) ||
        read_pos(cfg, "long_running_ms", &lr, err))
        return SYNC_ERR_INVALID;
    if (v)
        enabled = json_is_true(v);
    pthread_mutex_lock(&l->lock);
    l->daily = daily;
    l->concurrent = conc;
    l->long_running_ms = lr;
    l->enabled = enabled;
    pthread_mutex_unlock(&l->lock);
    return SYNC_OK;
}
