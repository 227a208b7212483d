/* Tests src/connectors/pace.c: the token bucket never lets a window exceed the vendor's limit,
 * holds after a 429, follows the vendor's counters; backoff is full-jitter and bounded;
 * Retry-After is read in both forms. */
#include <criterion/criterion.h>

#include "connectors/pace.h"

/* Sends as fast as the bucket allows over `span` ms; returns the most requests seen in any
 * window of window_ms. */
static int busiest_window(struct sync_bucket *b, int64_t span, int64_t window_ms)
{
    static int64_t sent[100000];
    size_t n = 0;
    int best = 0;
    for (int64_t now = 0; now < span && n < 100000; now++)
        while (sync_bucket_take(b, now) == 0 && n < 100000)
            sent[n++] = now;
    for (size_t i = 0, j = 0; i < n; i++) {
        while (sent[i] - sent[j] >= window_ms)
            j++;
        if ((int)(i - j + 1) > best)
            best = (int)(i - j + 1);
    }
    return best;
}

Test(pace, bucket_keeps_every_window_under_the_hubspot_limit)
{
    struct sync_bucket b;
    struct sync_bucket_config cfg = {190, 10000, 19};
    sync_bucket_init(&b, &cfg, 0);
    int most = busiest_window(&b, 60000, 10000);
    cr_assert_leq(most, 190, "a ten-second window saw %d requests", most);
    cr_assert_geq(most, 180, "the bucket is far too slow: %d", most);
    sync_bucket_release(&b);
}

Test(pace, bucket_keeps_searches_under_five_per_second)
{
    struct sync_bucket b;
    struct sync_bucket_config cfg = {5, 1000, 1};
    sync_bucket_init(&b, &cfg, 0);
    cr_assert_leq(busiest_window(&b, 10000, 1000), 5);
    sync_bucket_release(&b);
}

Test(pace, empty_bucket_says_how_long_to_wait)
{
    struct sync_bucket b;
    struct sync_bucket_config cfg = {10, 1000, 2};
    sync_bucket_init(&b, &cfg, 0);
    cr_assert_eq(sync_bucket_take(&b, 0), 0);
    cr_assert_eq(sync_bucket_take(&b, 0), 0);
    int64_t wait = sync_bucket_take(&b, 0);
    cr_assert_gt(wait, 0);
    cr_assert_eq(sync_bucket_take(&b, wait), 0, "a token after the advised wait");
    sync_bucket_release(&b);
}

Test(pace, hold_closes_the_bucket_until_the_window_reopens)
{
    struct sync_bucket b;
    struct sync_bucket_config cfg = {190, 10000, 19};
    sync_bucket_init(&b, &cfg, 0);
    sync_bucket_hold(&b, 10000);
    cr_assert_eq(sync_bucket_take(&b, 100), 9900);
    cr_assert_eq(sync_bucket_take(&b, 20000), 0);
    sync_bucket_release(&b);
}

Test(pace, vendor_remaining_count_lowers_the_bucket)
{
    struct sync_bucket b;
    struct sync_bucket_config cfg = {190, 10000, 19};
    sync_bucket_init(&b, &cfg, 0);
    sync_bucket_cap(&b, 1, 0);
    cr_assert_eq(sync_bucket_take(&b, 0), 0);
    cr_assert_gt(sync_bucket_take(&b, 0), 0);
    sync_bucket_release(&b);
}

Test(pace, zero_limit_switches_pacing_off)
{
    struct sync_bucket b;
    struct sync_bucket_config cfg = {0, 0, 0};
    sync_bucket_init(&b, &cfg, 0);
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(sync_bucket_take(&b, 0), 0);
    sync_bucket_release(&b);
}

Test(pace, backoff_is_full_jitter_within_the_doubling_ceiling)
{
    struct sync_retry_policy p = {5, 100, 1000};
    uint64_t rng = 42;
    int64_t most[6] = {0};
    for (int i = 0; i < 2000; i++)
        for (int r = 0; r < 6; r++) {
            int64_t w = sync_backoff_ms(&p, r, 0, &rng);
            int64_t ceiling = r >= 4 ? 1000 : 100 << r;
            cr_assert(w >= 0 && w <= ceiling, "retry %d waited %lld", r, (long long)w);
            if (w > most[r])
                most[r] = w;
        }
    cr_assert_gt(most[3], 400, "the ceiling doubles");
    cr_assert_gt(most[5], 900, "and stops at the cap");
}

Test(pace, backoff_never_waits_less_than_the_vendor_asked)
{
    struct sync_retry_policy p = {0};
    uint64_t rng = 7;
    for (int i = 0; i < 100; i++)
        cr_assert_geq(sync_backoff_ms(&p, 0, 10000, &rng), 10000);
    cr_assert_eq(sync_retry_max_attempts(&p), 5);
}

Test(pace, retry_after_reads_seconds_and_http_dates)
{
    cr_assert_eq(sync_retry_after_ms("7", 0), 7000);
    cr_assert_eq(sync_retry_after_ms(" 0 ", 0), 0);
    cr_assert_eq(sync_retry_after_ms(NULL, 0), -1);
    cr_assert_eq(sync_retry_after_ms("soon", 0), -1);
    cr_assert_eq(sync_retry_after_ms("-3", 0), -1);
    /* Thu, 01 Jan 1970 00:00:10 GMT is 10 s after the epoch */
    cr_assert_eq(sync_retry_after_ms("Thu, 01 Jan 1970 00:00:10 GMT", 4000), 6000);
    cr_assert_eq(sync_retry_after_ms("Thu, 01 Jan 1970 00:00:10 GMT", 20000), 0);
}
