/* Tests src/core/err.c: vendor errors are classified by status, and a NULL err is allowed. */
#include <criterion/criterion.h>

#include "core/err.h"

Test(err, vendor_errors_are_classified_by_http_status)
{
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_eq(sync_err_vendor(&err, 429, "RATE_LIMIT", "slow down"), SYNC_ERR_VENDOR);
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RATELIMITED);
    sync_err_vendor(&err, 503, "SERVER_UNAVAILABLE", "later");
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RETRYABLE);
    sync_err_vendor(&err, 400, "STRING_TOO_LONG", "Last Name: data value too large");
    cr_assert_eq(err.cls, SYNC_ERRCLASS_PERMANENT);
    cr_assert_str_eq(err.code, "STRING_TOO_LONG");
    cr_assert_eq(err.http_status, 400);
}

Test(err, set_formats_the_message_and_tolerates_null)
{
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_eq(sync_err_set(NULL, SYNC_ERR_IO, "x"), SYNC_ERR_IO);
    cr_assert_eq(sync_err_set(&err, SYNC_ERR_PARSE, "bad %s at %d", "token", 7), SYNC_ERR_PARSE);
    cr_assert_str_eq(err.message, "bad token at 7");
    cr_assert_str_eq(sync_rc_name(SYNC_ERR_PARSE), "SYNC_ERR_PARSE");
    cr_assert_str_eq(sync_rc_name((enum sync_rc)999), "SYNC_ERR_UNKNOWN");
}

Test(err, long_messages_are_truncated_not_overflowed)
{
    struct sync_err err = SYNC_ERR_INIT;
    char big[4096];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sync_err_vendor(&err, 400, big, "%s", big);
    cr_assert_eq(strlen(err.code), SYNC_ERR_CODE_MAX - 1);
    cr_assert_eq(strlen(err.message), SYNC_ERR_MSG_MAX - 1);
}
