/*
 * Tests src/engine/trace.c: lines kept in order, the line cap, long lines
 * cut without splitting a UTF-8 character, and the formatted text.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/trace.h"

Test(trace, keeps_lines_in_order_and_formats_them)
{
    struct sync_trace t;
    struct sync_buf b = SYNC_BUF_INIT(4096);

    sync_trace_init(&t, 0);
    cr_assert_eq(t.max_lines, SYNC_TRACE_DEFAULT_LINES);
    sync_trace_add(&t, "contact %d: first", 1);
    sync_trace_add(&t, "field %s: second", "phone");
    cr_assert_eq(t.n, 2);
    cr_assert(sync_trace_contains(&t, "phone: sec"));
    cr_assert(!sync_trace_contains(&t, "third"));
    cr_assert_eq(sync_trace_format(&t, &b), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b), "contact 1: first\nfield phone: second\n");
    sync_buf_release(&b);
    sync_trace_release(&t);
    cr_assert_eq(t.n, 0);
}

Test(trace, counts_lines_past_the_cap)
{
    struct sync_trace t;
    struct sync_buf b = SYNC_BUF_INIT(4096);

    sync_trace_init(&t, 3);
    for (int i = 0; i < 10; i++)
        sync_trace_add(&t, "line %d", i);
    cr_assert_eq(t.n, 3);
    cr_assert_eq(t.dropped, 7);
    cr_assert_eq(sync_trace_format(&t, &b), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b), "line 0\nline 1\nline 2\n(7 more lines not kept)\n");
    sync_buf_release(&b);
    sync_trace_release(&t);
}

Test(trace, cuts_long_lines_on_a_character_boundary)
{
    struct sync_trace t;
    char big[2000];

    /* 'x' then two-byte characters, so the cut point falls inside one */
    big[0] = 'x';
    for (size_t i = 1; i + 2 < sizeof(big); i += 2) {
        big[i] = (char)0xC3;
        big[i + 1] = (char)0xA9;
    }
    big[sizeof(big) - 1] = '\0';
    sync_trace_init(&t, 0);
    sync_trace_add(&t, "%s", big);
    cr_assert_eq(t.n, 1);
    size_t n = strlen(t.lines[0]);
    cr_assert_lt(n, SYNC_TRACE_LINE_MAX);
    cr_assert_str_eq(t.lines[0] + n - 3, "...");
    /* what precedes "..." is whole characters: 'x' plus pairs */
    cr_assert_eq((n - 3 - 1) % 2, 0);
    cr_assert_eq((unsigned char)t.lines[0][n - 4], 0xA9);
    sync_trace_release(&t);
}
