/* Tests src/core/time.c: the vendors' datetime forms round-trip and bad text is refused. */
#include <criterion/criterion.h>
#include <time.h>

#include "core/time.h"

Test(time, formats_salesforce_and_iso_with_millis)
{
    char b[SYNC_TIME_ISO_MAX];
    int64_t ms = 1705521304281; /* 2024-01-17T19:55:04.281Z */
    cr_assert_str_eq(sync_time_format_sf(ms, b, sizeof b), "2024-01-17T19:55:04.281+0000");
    cr_assert_str_eq(sync_time_format_iso(ms, b, sizeof b), "2024-01-17T19:55:04.281Z");
    cr_assert_str_eq(sync_time_format_date(ms, b, sizeof b), "2024-01-17");
}

Test(time, parses_every_vendor_form_to_the_same_instant)
{
    const char *forms[] = {"2024-01-17T19:55:04.000+0000", "2024-01-17T19:55:04Z",
                           "2024-01-17T19:55:04.000Z",     "2024-01-17T20:55:04+01:00",
                           "2024-01-17T18:55:04-0100",     "2024-01-17T19:55:04.000000Z",
                           "2024-01-17T21:55:04+02"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        int64_t ms = 0;
        cr_assert_eq(sync_time_parse(forms[i], &ms), SYNC_OK, "%s", forms[i]);
        cr_assert_eq(ms, 1705521304000, "%s gave %lld", forms[i], (long long)ms);
    }
}

Test(time, date_only_is_midnight_utc)
{
    int64_t ms = 1;
    cr_assert_eq(sync_time_parse("1815-12-10", &ms), SYNC_OK);
    cr_assert_eq(ms, sync_time_days_from_civil(1815, 12, 10) * 86400000);
    cr_assert_eq(sync_time_parse_date("2024-02-29", &ms), SYNC_OK);
    cr_assert_neq(sync_time_parse_date("2024-02-29T00:00:00Z", &ms), SYNC_OK);
}

Test(time, refuses_malformed_text)
{
    const char *bad[] = {"",
                         "2024-13-01",
                         "2023-02-29",
                         "2024-01-17T25:00:00Z",
                         "2024-1-17",
                         "2024-01-17T19:55Zx",
                         "yesterday",
                         "2024-01-17T19:55:04.Z",
                         "2024-01-17T19:55:04+25:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms;
        cr_assert_neq(sync_time_parse(bad[i], &ms), SYNC_OK, "accepted '%s'", bad[i]);
    }
}

Test(time, civil_days_round_trip_across_eras)
{
    for (int64_t d = -800000; d < 800000; d += 997) {
        int y;
        unsigned m, day;
        sync_time_civil_from_days(d, &y, &m, &day);
        cr_assert_eq(sync_time_days_from_civil(y, m, day), d);
    }
}

Test(time, clock_offset_shifts_now)
{
    int64_t a = sync_time_now_ms();
    sync_time_set_offset_ms(86400000);
    int64_t b = sync_time_now_ms();
    sync_time_set_offset_ms(0);
    cr_assert_geq(b - a, 86400000);
    cr_assert_lt(b - a, 86400000 + 5000);
}

Test(time, formats_iso_at_the_edges_of_the_fast_path)
{
    char b[SYNC_TIME_ISO_MAX], small[10];
    cr_assert_str_eq(sync_time_format_iso(0, b, sizeof b), "1970-01-01T00:00:00.000Z");
    cr_assert_str_eq(sync_time_format_iso(-1, b, sizeof b), "1969-12-31T23:59:59.999Z");
    cr_assert_str_eq(sync_time_format_iso(253402300799999LL, b, sizeof b),
                     "9999-12-31T23:59:59.999Z");
    cr_assert_str_eq(sync_time_format_iso(253402300800000LL, b, sizeof b),
                     "10000-01-01T00:00:00.000Z");
    cr_assert_str_eq(sync_time_format_iso(0, small, sizeof small), "1970-01-0");
}

Test(time, a_frozen_clock_stands_still_and_still_takes_offsets)
{
    struct timespec pause = {0, 20 * 1000000L};
    sync_time_freeze(1);
    cr_assert(sync_time_frozen());
    int64_t a = sync_time_now_ms();
    nanosleep(&pause, NULL);
    cr_assert_eq(sync_time_now_ms(), a);
    sync_time_set_offset_ms(1000);
    cr_assert_eq(sync_time_now_ms(), a + 1000);
    sync_time_set_offset_ms(0);
    sync_time_freeze(0);
    cr_assert_not(sync_time_frozen());
    nanosleep(&pause, NULL);
    cr_assert_gt(sync_time_now_ms(), a);
}
