/*
 * Tests src/engine/apply.c: the retry schedule of a failed write
 * (sync_apply_retry_at): the quick retries, retry_max_attempts retries
 * every retry_interval, then the nightly retry at retry_nightly_at (UTC),
 * each day.
 */
#include <criterion/criterion.h>

#include "core/time.h"
#include "engine/apply.h"

#define SEC_MS 1000LL
#define MIN_MS (60 * SEC_MS)
#define DAY_MS (24 * 60 * MIN_MS)

static int64_t at(const char *iso)
{
    int64_t ms = 0;
    cr_assert_eq(sync_time_parse(iso, &ms), SYNC_OK, "%s", iso);
    return ms;
}

/* The defaults: every 30 minutes, 10 times, then nightly at 00:00 UTC. */
static const struct sync_retry_schedule defaults = {30 * MIN_MS, 10, 0};

Test(apply, quick_retries_come_first_doubling_from_half_a_second_while_under_a_minute)
{
    int64_t now = at("2026-03-10T12:00:00.000Z");
    int64_t want[] = {500, 1000, 2000, 4000, 8000, 16000, 32000};
    int nightly = -1;

    for (int a = 0; a < 7; a++) {
        cr_assert_eq(sync_apply_retry_at(&defaults, a, now, &nightly), now + want[a], "attempt %d",
                     a + 1);
        cr_assert_eq(nightly, 0);
    }
}

Test(apply, then_retry_max_attempts_retries_every_retry_interval)
{
    int64_t now = at("2026-03-10T12:00:00.000Z");
    int nightly = -1;

    for (int a = 7; a < 7 + 10; a++) {
        cr_assert_eq(sync_apply_retry_at(&defaults, a, now, &nightly), now + 30 * MIN_MS,
                     "attempt %d", a + 1);
        cr_assert_eq(nightly, 0);
    }
}

Test(apply, past_them_the_nightly_retry_at_retry_nightly_at_utc_each_day)
{
    int64_t now = at("2026-03-10T12:00:00.000Z");
    int nightly = 0;

    cr_assert_eq(sync_apply_retry_at(&defaults, 17, now, &nightly), at("2026-03-11T00:00:00.000Z"));
    cr_assert_eq(nightly, 1);
    nightly = 0;
    cr_assert_eq(sync_apply_retry_at(&defaults, 40, now, &nightly), at("2026-03-11T00:00:00.000Z"));
    cr_assert_eq(nightly, 1);

    /* 02:30 UTC: later the same day when it is still ahead, else the next day */
    struct sync_retry_schedule r = {30 * MIN_MS, 10, 150};
    cr_assert_eq(sync_apply_retry_at(&r, 17, at("2026-03-10T01:00:00.000Z"), &nightly),
                 at("2026-03-10T02:30:00.000Z"));
    cr_assert_eq(sync_apply_retry_at(&r, 18, at("2026-03-10T02:30:00.000Z"), &nightly),
                 at("2026-03-11T02:30:00.000Z"));
}

Test(apply, the_settings_in_force_shape_the_schedule)
{
    int64_t now = at("2026-03-10T12:00:00.000Z");
    struct sync_retry_schedule r = {2 * MIN_MS, 2, 3 * 60};
    int nightly = -1;

    cr_assert_eq(sync_apply_retry_at(&r, 6, now, &nightly), now + 32 * SEC_MS);
    cr_assert_eq(sync_apply_retry_at(&r, 7, now, &nightly), now + 2 * MIN_MS);
    cr_assert_eq(sync_apply_retry_at(&r, 8, now, &nightly), now + 2 * MIN_MS);
    cr_assert_eq(nightly, 0);
    cr_assert_eq(sync_apply_retry_at(&r, 9, now, &nightly), at("2026-03-11T03:00:00.000Z"));
    cr_assert_eq(nightly, 1);

    /* one retry every interval: the second failure after the quick ones is nightly */
    r.max_attempts = 1;
    cr_assert_eq(sync_apply_retry_at(&r, 7, now, &nightly), now + 2 * MIN_MS);
    cr_assert_eq(nightly, 0);
    cr_assert_eq(sync_apply_retry_at(&r, 8, now, &nightly), at("2026-03-11T03:00:00.000Z"));
    cr_assert_eq(nightly, 1);
}

Test(apply, an_interval_under_a_minute_ends_the_quick_retries_sooner)
{
    int64_t now = at("2026-03-10T12:00:00.000Z");
    struct sync_retry_schedule r = {3 * SEC_MS, 2, 0};
    int nightly = -1;

    /* 0.5, 1, 2 s are below the interval; then every 3 s, twice */
    cr_assert_eq(sync_apply_retry_at(&r, 2, now, &nightly), now + 2 * SEC_MS);
    cr_assert_eq(sync_apply_retry_at(&r, 3, now, &nightly), now + 3 * SEC_MS);
    cr_assert_eq(sync_apply_retry_at(&r, 4, now, &nightly), now + 3 * SEC_MS);
    cr_assert_eq(nightly, 0);
    cr_assert_eq(sync_apply_retry_at(&r, 5, now, &nightly), at("2026-03-11T00:00:00.000Z"));
    cr_assert_eq(nightly, 1);
}
