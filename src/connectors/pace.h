/*
 * pace.h: keeping under a vendor's limits, and retrying what may be
 * retried.
 *
 * A struct sync_bucket is a token bucket: `burst` tokens at most, refilled
 * so that no window of `window_ms` ever sees more than `limit` requests
 * (refill rate = (limit - burst) / window_ms). A connector takes one token
 * before every request and waits when there is none, so the engine stays
 * under the vendor's limit instead of hitting it. The vendor's own counters
 * can only lower the bucket (sync_bucket_cap), and a 429 closes it until
 * the vendor's window reopens (sync_bucket_hold). A bucket has a lock, so
 * several connectors of one vendor account may share it.
 *
 * Retries use exponential backoff with full jitter: the n-th retry waits a
 * uniform random time in [0, min(cap, base * 2^n)], never less than what
 * the vendor asked for (Retry-After).
 *
 * Everything takes "now" from the caller, so it is pure and unit-tested
 * with a fake clock. Called by connector.c only.
 */
#ifndef SYNC_CONNECTORS_PACE_H
#define SYNC_CONNECTORS_PACE_H

#include <pthread.h>
#include <stdint.h>

struct sync_bucket_config {
    double limit;      /* requests allowed per window; 0 switches pacing off */
    int64_t window_ms; /* the vendor's window */
    double burst;      /* bucket capacity; 0 means limit / 10 (at least 1) */
};

struct sync_bucket {
    pthread_mutex_t lock;
    double tokens;
    double capacity;
    double rate_per_ms;
    int64_t last_ms;
    int64_t closed_until_ms; /* after a 429: no tokens before this */
    int off;
};

void sync_bucket_init(struct sync_bucket *b, const struct sync_bucket_config *cfg, int64_t now_ms);
void sync_bucket_release(struct sync_bucket *b);
/* Takes a token and returns 0, or returns how many ms to wait before trying again (taking
 * nothing). */
int64_t sync_bucket_take(struct sync_bucket *b, int64_t now_ms);
/* The vendor says only `remaining` requests are left in its window: never hold more. */
void sync_bucket_cap(struct sync_bucket *b, double remaining, int64_t now_ms);
/* No tokens before until_ms (after a 429 or a lock). */
void sync_bucket_hold(struct sync_bucket *b, int64_t until_ms);

struct sync_retry_policy {
    int max_attempts; /* tries per call, the first included; 0 means 5 */
    int64_t base_ms;  /* 0 means 200 */
    int64_t cap_ms;   /* 0 means 30000 */
};

/* The wait before retry number `retry` (0 for the first retry), with full jitter, never below
 * floor_ms. *rng is the caller's random state (any non-zero seed). */
int64_t sync_backoff_ms(const struct sync_retry_policy *p, int retry, int64_t floor_ms,
                        uint64_t *rng);
/* Tries allowed by the policy (defaults applied). */
int sync_retry_max_attempts(const struct sync_retry_policy *p);

/* A Retry-After header value (delta seconds, or an HTTP date) as ms from now_ms; -1 when
 * absent or unreadable. */
int64_t sync_retry_after_ms(const char *value, int64_t now_ms);

/* A seed for the backoff random state from the clock and the process. */
uint64_t sync_pace_seed(void);

#endif
