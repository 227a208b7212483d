/*
 * ratelimit.c: HubSpot's API limits as it applies them. A ten-second
 * rolling window per app (private apps and OAuth apps have their own
 * allowance), a daily counter per portal (reset at midnight UTC, the
 * portal's time zone), and a per-second window for search. Non-search
 * answers carry the X-HubSpot-RateLimit-* headers (the Daily pair left out
 * for OAuth calls); refusals get the 429 bodies the Node SDK's retry logic
 * keys on.
 *
 * routes.c calls limits_admit for every API request (portal lock held);
 * control.c reads and changes the limits. Times come from the emulator
 * clock, so a clock advance empties the windows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

#define WINDOW_CAP_MAX 2000000

static void window_release(struct hs_window *w)
{
    free(w->ts);
    memset(w, 0, sizeof(*w));
}

static void window_trim(struct hs_window *w, int64_t now, int64_t span)
{
    while (w->n && w->ts[w->head] <= now - span) {
        w->head = (w->head + 1) % w->cap;
        w->n--;
    }
}

/* Room for max entries (resets the window when the size changes). */
static int window_size(struct hs_window *w, int64_t max)
{
    size_t cap = max < 1 ? 1 : (size_t)(max > WINDOW_CAP_MAX ? WINDOW_CAP_MAX : max);
    int64_t *ts;
    if (w->cap == cap)
        return 0;
    ts = calloc(cap, sizeof(*ts));
    if (!ts)
        return -1;
    free(w->ts);
    w->ts = ts;
    w->cap = cap;
    w->head = 0;
    w->n = 0;
    return 0;
}

static void window_push(struct hs_window *w, int64_t now)
{
    if (!w->cap)
        return;
    if (w->n == w->cap) {
        w->head = (w->head + 1) % w->cap;
        w->n--;
    }
    w->ts[(w->head + w->n) % w->cap] = now;
    w->n++;
}

void limits_init(struct hs_limits *l, int enabled)
{
    memset(l, 0, sizeof(*l));
    l->enabled = enabled;
    l->burst_per_10s = 190;
    l->oauth_burst_per_10s = 110;
    l->daily = 625000;
    l->search_per_second = 5;
    window_size(&l->burst, l->burst_per_10s);
    window_size(&l->oauth_burst, l->oauth_burst_per_10s);
    window_size(&l->search, l->search_per_second);
}

void limits_release(struct hs_limits *l)
{
    window_release(&l->burst);
    window_release(&l->oauth_burst);
    window_release(&l->search);
}

json_t *limits_429_body(const char *policy)
{
    char cid[37], rid[37];
    const char *msg = strcmp(policy, "DAILY") == 0 ? "You have reached your daily limit."
                      : strcmp(policy, "SECONDLY") == 0
                          ? "You have reached your secondly limit."
                          : "You have reached your ten_secondly_rolling limit.";
    hs_correlation_id(cid);
    hs_correlation_id(rid);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "status", "error", "message", msg,
                     "errorType", "RATE_LIMIT", "correlationId", cid, "policyName", policy,
                     "requestId", rid, "category", "RATE_LIMITS");
}

static void header_num(struct sync_http_response *res, const char *name, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long)(v < 0 ? 0 : v));
    sync_http_response_header(res, name, buf);
}

/* Requests of w in the last second (the deprecated "secondly" pair still reports them). */
static int64_t last_second(const struct hs_window *w, int64_t now)
{
    int64_t n = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (w->ts[(w->head + w->n - 1 - i) % w->cap] <= now - 1000)
            break;
        n++;
    }
    return n;
}

/* The X-HubSpot-RateLimit-* headers of an admitted non-search call (no Daily pair for OAuth). */
static void add_headers(struct hs_ctx *c, const struct hs_window *w, int64_t max, int oauth,
                        int64_t now)
{
    const struct hs_limits *l = &c->p->limits;
    if (!oauth) {
        header_num(c->res, "X-HubSpot-RateLimit-Daily", l->daily);
        header_num(c->res, "X-HubSpot-RateLimit-Daily-Remaining", l->daily - l->day_count);
    }
    header_num(c->res, "X-HubSpot-RateLimit-Interval-Milliseconds", 10000);
    header_num(c->res, "X-HubSpot-RateLimit-Max", max);
    header_num(c->res, "X-HubSpot-RateLimit-Remaining", max - (int64_t)w->n);
    header_num(c->res, "X-HubSpot-RateLimit-Secondly", max / 10);
    header_num(c->res, "X-HubSpot-RateLimit-Secondly-Remaining", max / 10 - last_second(w, now));
}

/* Search: its own per-second window, counted in the daily total; no headers. */
static int admit_search(struct hs_ctx *c, int64_t now)
{
    struct hs_limits *l = &c->p->limits;
    window_trim(&l->search, now, 1000);
    if (l->enabled && (int64_t)l->search.n >= l->search_per_second) {
        hs_reply(c, 429, limits_429_body("SECONDLY"));
        return -1;
    }
    window_push(&l->search, now);
    l->day_count++;
    return 0;
}

int limits_admit(struct hs_ctx *c, int is_search)
{
    struct hs_limits *l = &c->p->limits;
    int64_t now = sync_time_now_ms();
    int oauth = c->auth == HS_AUTH_OAUTH;
    struct hs_window *w = oauth ? &l->oauth_burst : &l->burst;
    int64_t max = oauth ? l->oauth_burst_per_10s : l->burst_per_10s;
    int64_t day = now / 86400000;

    if (day != l->day) {
        l->day = day;
        l->day_count = 0;
    }
    if (is_search)
        return admit_search(c, now);
    window_trim(w, now, 10000);
    if (l->enabled && !oauth && l->day_count >= l->daily) {
        hs_reply(c, 429, limits_429_body("DAILY"));
        return -1;
    }
    if (l->enabled && (int64_t)w->n >= max) {
        hs_reply(c, 429, limits_429_body("TEN_SECONDLY_ROLLING"));
        header_num(c->res, "X-HubSpot-RateLimit-Interval-Milliseconds", 10000);
        header_num(c->res, "X-HubSpot-RateLimit-Max", max);
        header_num(c->res, "X-HubSpot-RateLimit-Remaining", 0);
        return -1;
    }
    window_push(w, now);
    l->day_count++;
    add_headers(c, w, max, oauth, now);
    return 0;
}

json_t *limits_to_json(struct hs_limits *l)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:b, s:I}", "burst_per_10s",
                     (json_int_t)l->burst_per_10s, "oauth_burst_per_10s",
                     (json_int_t)l->oauth_burst_per_10s, "daily", (json_int_t)l->daily,
                     "search_per_second", (json_int_t)l->search_per_second, "enabled", l->enabled,
                     "daily_used", (json_int_t)l->day_count);
}

int limits_configure(struct hs_limits *l, const json_t *body, char *err, size_t errlen)
{
    static const char *const keys[] = {"burst_per_10s", "oauth_burst_per_10s", "daily",
                                       "search_per_second", NULL};
    int64_t *slots[] = {&l->burst_per_10s, &l->oauth_burst_per_10s, &l->daily,
                        &l->search_per_second};
    int64_t vals[4];
    const char *key;
    json_t *v;

    if (!json_is_object(body)) {
        snprintf(err, errlen, "limits must be a JSON object");
        return -1;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        int ok = strcmp(key, "enabled") == 0;
        for (size_t i = 0; keys[i]; i++)
            ok |= strcmp(key, keys[i]) == 0;
        if (!ok) {
            snprintf(err, errlen, "unknown limit '%s'", key);
            return -1;
        }
    }
    for (size_t i = 0; keys[i]; i++) {
        v = json_object_get(body, keys[i]);
        vals[i] = *slots[i];
        if (!v)
            continue;
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > 1000000000) {
            snprintf(err, errlen, "%s must be an integer from 1 to 1000000000", keys[i]);
            return -1;
        }
        vals[i] = json_integer_value(v);
    }
    v = json_object_get(body, "enabled");
    if (v && !json_is_boolean(v)) {
        snprintf(err, errlen, "enabled must be a boolean");
        return -1;
    }
    for (size_t i = 0; keys[i]; i++)
        *slots[i] = vals[i];
    if (v)
        l->enabled = json_is_true(v);
    window_size(&l->burst, l->burst_per_10s);
    window_size(&l->oauth_burst, l->oauth_burst_per_10s);
    window_size(&l->search, l->search_per_second);
    return 0;
}
