/*
 * pace.c: token buckets, backoff with full jitter, Retry-After (see
 * pace.h). Pure apart from the bucket lock and sync_pace_seed; callers
 * pass the time in. Called by connector.c.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* strptime */
#endif
#include "connectors/pace.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void sync_bucket_init(struct sync_bucket *b, const struct sync_bucket_config *cfg, int64_t now_ms)
{
    double burst;

    memset(b, 0, sizeof(*b));
    pthread_mutex_init(&b->lock, NULL);
    b->last_ms = now_ms;
    if (!cfg || cfg->limit <= 0 || cfg->window_ms <= 0) {
        b->off = 1;
        return;
    }
    burst = cfg->burst > 0 ? cfg->burst : cfg->limit / 10;
    if (burst < 1)
        burst = 1;
    if (burst > cfg->limit)
        burst = cfg->limit;
    b->capacity = burst;
    b->tokens = burst;
    /* burst + rate * window never exceeds limit in any window */
    b->rate_per_ms = (cfg->limit - burst) / (double)cfg->window_ms;
    if (b->rate_per_ms <= 0)
        b->rate_per_ms = cfg->limit / (double)cfg->window_ms / 2;
}

void sync_bucket_release(struct sync_bucket *b)
{
    pthread_mutex_destroy(&b->lock);
}

static void refill(struct sync_bucket *b, int64_t now_ms)
{
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * b->rate_per_ms;
        if (b->tokens > b->capacity)
            b->tokens = b->capacity;
        b->last_ms = now_ms;
    }
}

int64_t sync_bucket_take(struct sync_bucket *b, int64_t now_ms)
{
    int64_t wait = 0;

    pthread_mutex_lock(&b->lock);
    if (now_ms < b->closed_until_ms) {
        wait = b->closed_until_ms - now_ms;
    } else if (!b->off) {
        refill(b, now_ms);
        if (b->tokens >= 1) {
            b->tokens -= 1;
        } else {
            wait = (int64_t)((1 - b->tokens) / b->rate_per_ms) + 1;
        }
    }
    pthread_mutex_unlock(&b->lock);
    return wait;
}

void sync_bucket_cap(struct sync_bucket *b, double remaining, int64_t now_ms)
{
    pthread_mutex_lock(&b->lock);
    if (!b->off) {
        refill(b, now_ms);
        if (remaining < 0)
            remaining = 0;
        if (b->tokens > remaining)
            b->tokens = remaining;
    }
    pthread_mutex_unlock(&b->lock);
}

void sync_bucket_hold(struct sync_bucket *b, int64_t until_ms)
{
    pthread_mutex_lock(&b->lock);
    if (until_ms > b->closed_until_ms)
        b->closed_until_ms = until_ms;
    if (!b->off)
        b->tokens = 0;
    pthread_mutex_unlock(&b->lock);
}

int sync_retry_max_attempts(const struct sync_retry_policy *p)
{
    return p && p->max_attempts > 0 ? p->max_attempts : 5;
}

static uint64_t next_random(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int64_t sync_backoff_ms(const struct sync_retry_policy *p, int retry, int64_t floor_ms,
                        uint64_t *rng)
{
    int64_t base = p && p->base_ms > 0 ? p->base_ms : 200;
    int64_t cap = p && p->cap_ms > 0 ? p->cap_ms : 30000;
    int64_t ceiling = base;
    int64_t wait;

    for (int i = 0; i < retry && ceiling < cap; i++)
        ceiling *= 2;
    if (ceiling > cap)
        ceiling = cap;
    wait = (int64_t)(next_random(rng) % (uint64_t)(ceiling + 1));
    return wait < floor_ms ? floor_ms : wait;
}

int64_t sync_retry_after_ms(const char *value, int64_t now_ms)
{
    struct tm tm;
    const char *end;
    char *num_end;
    long secs;

    if (!value)
        return -1;
    while (isspace((unsigned char)*value))
        value++;
    if (isdigit((unsigned char)*value)) {
        secs = strtol(value, &num_end, 10);
        while (isspace((unsigned char)*num_end))
            num_end++;
        if (*num_end || secs < 0)
            return -1;
        return (int64_t)secs * 1000;
    }
    memset(&tm, 0, sizeof(tm));
    end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end)
        return -1;
    {
        int64_t at = (int64_t)timegm(&tm) * 1000;
        return at > now_ms ? at - now_ms : 0;
    }
}

uint64_t sync_pace_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((uint64_t)ts.tv_sec * 1000000007ULL) ^ (uint64_t)ts.tv_nsec ^
           ((uint64_t)getpid() << 32) ^ 0x2545f4914f6cdd1dULL;
}
