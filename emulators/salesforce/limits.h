/*
 * limits.h: API usage as Salesforce counts it, and the emulator's call
 * statistics.
 *
 * Daily API requests are counted per minute over a rolling 24 hours (1440
 * buckets, on the emulator's clock, so a clock offset ages them); the
 * concurrent limit counts requests in flight for longer than
 * long_running_ms. Statistics count calls per "<METHOD> <route template>".
 * Everything here has its own mutex and is called by the dispatcher
 * (routes.c), /limits (versions.c) and the control API.
 */
#ifndef EMU_SF_LIMITS_H
#define EMU_SF_LIMITS_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "core/err.h"
#include "emulators/salesforce/hmap.h"

#define SF_LIMIT_BUCKETS 1440
#define SF_MAX_INFLIGHT 1024

struct sf_limits {
    pthread_mutex_t lock;
    int enabled;
    int64_t daily;
    int64_t concurrent;
    int64_t long_running_ms;
    int64_t bucket_minute[SF_LIMIT_BUCKETS];
    int64_t bucket_count[SF_LIMIT_BUCKETS];
    int64_t sum_minute; /* the window sum below is for the day ending at this minute */
    int64_t sum;        /* (INT64_MIN: not computed yet) */
    int64_t inflight[SF_MAX_INFLIGHT]; /* monotonic start ms, 0 when free */
    /* statistics */
    int64_t total;
    struct hmap by_endpoint; /* key -> int64_t * */
};

void limits_init(struct sf_limits *l, int enabled);
void limits_release(struct sf_limits *l);
/* Back to defaults (limits on unless no_limits) with empty windows. */
void limits_reset(struct sf_limits *l, int enabled);

/* Registers a request in flight; returns its slot for limits_leave, or -1 when the concurrent
 * long-running limit is reached (the request must be refused). More than SF_MAX_INFLIGHT
 * requests at once are let through untracked. */
int limits_enter(struct sf_limits *l);
void limits_leave(struct sf_limits *l, int slot);
/* Counts one API call at now unless the daily limit is reached (returns -1, not counted). */
int limits_take(struct sf_limits *l, int64_t now);
/* Calls used in the 24 hours before now, and the limit. */
void limits_usage(struct sf_limits *l, int64_t now, int64_t *used, int64_t *max);

void limits_stat(struct sf_limits *l, const char *method, const char *route);
json_t *limits_stats_json(struct sf_limits *l);
void limits_stats_reset(struct sf_limits *l);

json_t *limits_config_json(struct sf_limits *l);
enum sync_rc limits_configure(struct sf_limits *l, const json_t *cfg, struct sync_err *err);

#endif
