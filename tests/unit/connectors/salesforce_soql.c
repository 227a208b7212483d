/* Tests src/connectors/salesforce_soql.c: SOQL quoting, the keyset window query, IN lists,
 * Sforce-Limit-Info, and Salesforce error bodies with their classes. */
#include <criterion/criterion.h>

#include "connectors/salesforce.h"
#include "core/json.h"

static const char *quoted(struct sync_buf *b, const char *s)
{
    sync_buf_reset(b);
    cr_assert_eq(sync_sf_soql_quote(b, s), SYNC_OK);
    return sync_buf_str(b);
}

Test(salesforce_soql, quote_escapes_backslash_before_quote_and_controls)
{
    struct sync_buf b = SYNC_BUF_INIT(1024);
    cr_assert_str_eq(quoted(&b, "O'Brien"), "'O\\'Brien'");
    cr_assert_str_eq(quoted(&b, "a\\'b"), "'a\\\\\\'b'");
    cr_assert_str_eq(quoted(&b, "x\"y\nz\t"), "'x\\\"y\\nz\\t'");
    cr_assert_str_eq(quoted(&b, "\x01"), "'\\u0001'");
    cr_assert_str_eq(quoted(&b, ""), "''");
    sync_buf_release(&b);
}

Test(salesforce_soql, datetime_literals_are_whole_seconds_in_utc)
{
    struct sync_buf b = SYNC_BUF_INIT(64);
    cr_assert_eq(sync_sf_soql_datetime(&b, 1726061259999), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b), "2024-09-11T13:27:39Z");
    sync_buf_release(&b);
}

Test(salesforce_soql, window_query_is_the_keyset_pattern)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);
    struct sync_conn_cursor after = {.ts_ms = 1726061259000, .id = "00Q5g00000AaBbCEAV", .tie = 0};
    const char *fields[] = {"Email", "Id", "email", NULL};
    cr_assert_eq(sync_sf_soql_window(&b, "Lead", fields, &after, 1726062000000, 0, 2000), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b),
                     "SELECT Id, SystemModstamp, Email FROM Lead WHERE (SystemModstamp > "
                     "2024-09-11T13:27:39Z OR (SystemModstamp = 2024-09-11T13:27:39Z AND Id > "
                     "'00Q5g00000AaBbCEAV')) AND SystemModstamp <= 2024-09-11T13:40:00Z ORDER BY "
                     "SystemModstamp, Id LIMIT 2000");
    sync_buf_release(&b);
}

Test(salesforce_soql, window_without_an_id_starts_inclusive_and_query_all_adds_is_deleted)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);
    struct sync_conn_cursor after = {.ts_ms = 1726061259000, .id = "", .tie = 0};
    cr_assert_eq(sync_sf_soql_window(&b, "Contact", NULL, &after, 1726062000000, 1, 50), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b),
                     "SELECT Id, SystemModstamp, IsDeleted FROM Contact WHERE SystemModstamp >= "
                     "2024-09-11T13:27:39Z AND SystemModstamp <= 2024-09-11T13:40:00Z ORDER BY "
                     "SystemModstamp, Id LIMIT 50");
    sync_buf_release(&b);
}

Test(salesforce_soql, names_that_are_not_identifiers_are_refused)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);
    struct sync_conn_cursor after = {.ts_ms = 0, .id = "", .tie = 0};
    const char *bad[] = {"Email FROM User --", NULL};
    const char *v[] = {"a"};
    cr_assert_eq(sync_sf_soql_window(&b, "Lead", bad, &after, 0, 0, 10), SYNC_ERR_INVALID);
    cr_assert_eq(sync_sf_soql_window(&b, "Lead;", NULL, &after, 0, 0, 10), SYNC_ERR_INVALID);
    cr_assert_eq(sync_sf_soql_in(&b, "Lead", NULL, NULL, "Email)", v, 1, NULL, NULL),
                 SYNC_ERR_INVALID);
    cr_assert(sync_sf_soql_ident("Account.Owner.Email"));
    cr_assert(!sync_sf_soql_ident("1abc"));
    sync_buf_release(&b);
}

Test(salesforce_soql, in_query_quotes_every_value)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);
    const char *must[] = {"Email", "CreatedDate", NULL};
    const char *v[] = {"a@b.co", "o'hara@x.io"};
    cr_assert_eq(sync_sf_soql_in(&b, "Lead", must, NULL, "Email", v, 2, "IsConverted = false",
                                 "CreatedDate, Id"),
                 SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b),
                     "SELECT Id, Email, CreatedDate FROM Lead WHERE Email IN ('a@b.co', "
                     "'o\\'hara@x.io') AND IsConverted = false ORDER BY CreatedDate, Id");
    sync_buf_release(&b);
}

Test(salesforce_soql, limit_info_header_is_parsed_and_per_app_usage_skipped)
{
    long long used = 0, max = 0;
    cr_assert_eq(sync_sf_parse_limit_info("api-usage=18/5000", &used, &max), 0);
    cr_assert(used == 18 && max == 5000);
    cr_assert_eq(sync_sf_parse_limit_info("per-app-api-usage=17/250(appName=x); "
                                          "api-usage=10018/100000",
                                          &used, &max),
                 0);
    cr_assert(used == 10018 && max == 100000);
    cr_assert_eq(sync_sf_parse_limit_info("api-usage=x/1", &used, &max), -1);
    cr_assert_eq(sync_sf_parse_limit_info("nothing", &used, &max), -1);
}

static json_t *J(const char *s)
{
    json_error_t e;
    return json_loads(s, 0, &e);
}

Test(salesforce_soql, rest_error_arrays_carry_code_message_and_class)
{
    struct sync_err err = SYNC_ERR_INIT;
    int64_t ra;
    json_t *b =
        J("[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]");
    cr_assert_eq(sync_sf_error(b, 401, NULL, &err, &ra), 1);
    cr_assert_str_eq(err.code, "INVALID_SESSION_ID");
    json_decref(b);

    b = J("[{\"message\":\"TotalRequests Limit "
          "exceeded.\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]");
    cr_assert_eq(sync_sf_error(b, 403, "5", &err, &ra), 0);
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RATELIMITED);
    cr_assert_eq(ra, -1, "the daily limit is never retried");
    json_decref(b);

    b = J("[{\"message\":\"ConcurrentPerOrgLongTxn Limit exceeded.\",\"errorCode\":"
          "\"REQUEST_LIMIT_EXCEEDED\"}]");
    sync_sf_error(b, 403, NULL, &err, &ra);
    cr_assert_gt(ra, 0, "the concurrent limit clears in seconds");
    json_decref(b);

    b = J("[{\"message\":\"down\",\"errorCode\":\"SERVER_UNAVAILABLE\"}]");
    sync_sf_error(b, 503, "3", &err, &ra);
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RETRYABLE);
    cr_assert_eq(ra, 3000);
    json_decref(b);
}

Test(salesforce_soql, collection_items_oauth_errors_and_html_bodies_are_understood)
{
    struct sync_err err = SYNC_ERR_INIT;
    int64_t ra;
    json_t *b = J("{\"success\":false,\"errors\":[{\"statusCode\":\"UNABLE_TO_LOCK_ROW\","
                  "\"message\":\"unable to obtain exclusive access\",\"fields\":[]}]}");
    sync_sf_error(b, 400, NULL, &err, &ra);
    cr_assert_str_eq(err.code, "UNABLE_TO_LOCK_ROW");
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RETRYABLE);
    json_decref(b);

    b = J("{\"success\":false,\"errors\":[{\"statusCode\":\"STRING_TOO_LONG\",\"message\":"
          "\"Last Name: data value too large\",\"fields\":[\"LastName\"]}]}");
    sync_sf_error(b, 400, NULL, &err, &ra);
    cr_assert_str_eq(err.message, "Last Name: data value too large [fields: LastName]");
    cr_assert_eq(err.cls, SYNC_ERRCLASS_PERMANENT);
    json_decref(b);

    b = J("{\"error\":\"invalid_grant\",\"error_description\":\"authentication failure\"}");
    sync_sf_error(b, 400, NULL, &err, &ra);
    cr_assert_str_eq(err.code, "invalid_grant");
    cr_assert_str_eq(err.message, "authentication failure");
    json_decref(b);

    sync_sf_error(NULL, 502, NULL, &err, &ra);
    cr_assert_str_eq(err.code, "ERROR_HTTP_502");
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RETRYABLE);
}
