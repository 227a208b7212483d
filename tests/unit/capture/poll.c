/*
 * Unit tests of src/capture/poll.c's pure part: when a periodic re-read
 * (the Salesforce lookback, the form and email event sweeps) is due.
 */
#include <criterion/criterion.h>

#include "capture/poll.h"

Test(poll_sweep_due, a_re_read_never_done_is_due)
{
    cr_expect(sync_poll_sweep_due(0, 1000000, 10000));
}

Test(poll_sweep_due, is_not_due_until_the_interval_has_passed_then_is)
{
    cr_expect_not(sync_poll_sweep_due(1000000, 1000000, 10000));
    cr_expect_not(sync_poll_sweep_due(1000000, 1009999, 10000));
    cr_expect(sync_poll_sweep_due(1000000, 1010000, 10000));
}

Test(poll_sweep_due, a_clock_gone_back_makes_it_due_at_once)
{
    cr_expect(sync_poll_sweep_due(1000000, 999999, 10000));
}
