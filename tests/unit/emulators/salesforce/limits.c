/* Tests emulators/salesforce/limits.c: the rolling 24-hour window, the daily limit, the
 * concurrent long-running limit, statistics and configuration. */
#include <criterion/criterion.h>
#include <unistd.h>

#include "emulators/salesforce/limits.h"

#define MIN 60000LL

Test(limits, counts_calls_over_a_rolling_day)
{
    struct sf_limits l;
    int64_t used, max, t0 = 1700000000000LL;
    limits_init(&l, 1);
    cr_assert_eq(limits_take(&l, t0), 0);
    cr_assert_eq(limits_take(&l, t0 + 10 * MIN), 0);
    limits_usage(&l, t0 + 10 * MIN, &used, &max);
    cr_assert_eq(used, 2);
    cr_assert_eq(max, 100000);
    /* the first call leaves the window a day after its minute */
    limits_usage(&l, t0 + 1440 * MIN, &used, &max);
    cr_assert_eq(used, 1);
    limits_usage(&l, t0 + 1451 * MIN, &used, &max);
    cr_assert_eq(used, 0);
    limits_release(&l);
}

Test(limits, refuses_past_the_daily_limit_without_counting)
{
    struct sf_limits l;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *cfg = json_pack("{s:i}", "daily_api_requests", 2);
    int64_t used, max, t0 = 1700000000000LL;
    limits_init(&l, 1);
    cr_assert_eq(limits_configure(&l, cfg, &err), SYNC_OK);
    cr_assert_eq(limits_take(&l, t0), 0);
    cr_assert_eq(limits_take(&l, t0), 0);
    cr_assert_eq(limits_take(&l, t0), -1);
    limits_usage(&l, t0, &used, &max);
    cr_assert_eq(used, 2);
    json_decref(cfg);
    cfg = json_pack("{s:b}", "enabled", 0);
    cr_assert_eq(limits_configure(&l, cfg, &err), SYNC_OK);
    cr_assert_eq(limits_take(&l, t0), 0);
    json_decref(cfg);
    limits_release(&l);
}

Test(limits, concurrent_limit_counts_only_long_running_requests)
{
    struct sf_limits l;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *cfg = json_pack("{s:i, s:i}", "concurrent_long_running", 1, "long_running_ms", 50);
    int a, b;
    limits_init(&l, 1);
    cr_assert_eq(limits_configure(&l, cfg, &err), SYNC_OK);
    a = limits_enter(&l);
    cr_assert_geq(a, 0);
    b = limits_enter(&l); /* a is young: not long-running yet */
    cr_assert_geq(b, 0);
    limits_leave(&l, b);
    usleep(80000);
    cr_assert_eq(limits_enter(&l), -1);
    limits_leave(&l, a);
    b = limits_enter(&l);
    cr_assert_geq(b, 0);
    limits_leave(&l, b);
    json_decref(cfg);
    limits_release(&l);
}

Test(limits, statistics_group_calls_by_route)
{
    struct sf_limits l;
    json_t *s;
    limits_init(&l, 1);
    limits_stat(&l, "GET", "/services/data/vXX.X/query");
    limits_stat(&l, "GET", "/services/data/vXX.X/query");
    limits_stat(&l, "POST", "/services/data/vXX.X/sobjects/{object}");
    s = limits_stats_json(&l);
    cr_assert_eq(json_integer_value(json_object_get(s, "total")), 3);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(s, "by_endpoint"),
                                                    "GET /services/data/vXX.X/query")),
                 2);
    json_decref(s);
    limits_stats_reset(&l);
    s = limits_stats_json(&l);
    cr_assert_eq(json_integer_value(json_object_get(s, "total")), 0);
    json_decref(s);
    limits_release(&l);
}

Test(limits, bad_settings_change_nothing)
{
    struct sf_limits l;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *cfg = json_pack("{s:i, s:s}", "daily_api_requests", 5, "bogus", "x");
    limits_init(&l, 1);
    cr_assert_neq(limits_configure(&l, cfg, &err), SYNC_OK);
    cr_assert_eq(l.daily, 100000);
    json_decref(cfg);
    limits_release(&l);
}
