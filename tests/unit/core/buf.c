/* Tests src/core/buf.c: appends stay within the cap and a refused append changes nothing. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/buf.h"

Test(buf, grows_and_stays_nul_terminated)
{
    struct sync_buf b = SYNC_BUF_INIT(1 << 20);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(sync_buf_addf(&b, "%d,", i), SYNC_OK);
    cr_assert_eq(strlen(sync_buf_str(&b)), b.len);
    cr_assert(strncmp(b.data, "0,1,2,", 6) == 0);
    sync_buf_release(&b);
}

Test(buf, refuses_appends_past_the_cap_and_keeps_contents)
{
    struct sync_buf b = SYNC_BUF_INIT(10);
    cr_assert_eq(sync_buf_addstr(&b, "0123456789"), SYNC_OK);
    cr_assert_eq(sync_buf_addch(&b, 'x'), SYNC_ERR_TOO_LARGE);
    cr_assert_eq(sync_buf_addf(&b, "%s", "y"), SYNC_ERR_TOO_LARGE);
    cr_assert_str_eq(sync_buf_str(&b), "0123456789");
    sync_buf_release(&b);
}

Test(buf, empty_buffer_reads_as_empty_string_and_detaches)
{
    struct sync_buf b = SYNC_BUF_INIT(100);
    size_t n = 99;
    cr_assert_str_eq(sync_buf_str(&b), "");
    char *p = sync_buf_detach(&b, &n);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(p, "");
    free(p);
}

Test(buf, zero_cap_means_the_default_cap)
{
    struct sync_buf a = SYNC_BUF_INIT(0), b;
    sync_buf_init(&b, 0);
    cr_assert_eq(a.cap, SYNC_BUF_DEFAULT_CAP);
    cr_assert_eq(b.cap, SYNC_BUF_DEFAULT_CAP);
    cr_assert_eq(sync_buf_addstr(&a, "x"), SYNC_OK);
    sync_buf_release(&a);
}
