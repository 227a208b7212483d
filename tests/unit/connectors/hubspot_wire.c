/* Tests src/connectors/hubspot_wire.c: the keyset search bodies, the rate-limit headers and
 * HubSpot error bodies with their classes and waits. */
#include <criterion/criterion.h>

#include "connectors/hubspot.h"
#include "core/json.h"

static char *dump(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(v);
    return s;
}

Test(hubspot_wire, last_modified_property_depends_on_the_object)
{
    cr_assert_str_eq(sync_hs_lastmodified_prop("contacts"), "lastmodifieddate");
    cr_assert_str_eq(sync_hs_lastmodified_prop("companies"), "hs_lastmodifieddate");
    cr_assert_str_eq(sync_hs_lastmodified_prop("deals"), "hs_lastmodifieddate");
}

Test(hubspot_wire, range_page_filters_inside_the_window_sorted_by_last_modified)
{
    struct sync_conn_cursor after = {1700000000000, ""};
    const char *props[] = {"email", "lastmodifieddate", NULL};
    char *s = dump(sync_hs_search_body("lastmodifieddate", &after, 1700000999000, props, 200));
    cr_assert_str_eq(
        s, "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\",\"operator\":"
           "\"GTE\",\"value\":\"1700000000000\"},{\"propertyName\":\"lastmodifieddate\","
           "\"operator\":\"LTE\",\"value\":\"1700000999000\"}]}],\"sorts\":[{\"propertyName\":"
           "\"lastmodifieddate\",\"direction\":\"ASCENDING\"}],\"properties\":["
           "\"lastmodifieddate\",\"hs_object_id\",\"email\"],\"limit\":200}");
    free(s);
}

Test(hubspot_wire, tie_page_reads_one_timestamp_by_object_id_without_offsets)
{
    struct sync_conn_cursor after = {1700000000123, "512"};
    char *s = dump(sync_hs_search_body("hs_lastmodifieddate", &after, 1700000999000, NULL, 100));
    cr_assert_str_eq(
        s, "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_lastmodifieddate\","
           "\"operator\":\"EQ\",\"value\":\"1700000000123\"},{\"propertyName\":\"hs_object_id\","
           "\"operator\":\"GT\",\"value\":\"512\"}]}],\"sorts\":[{\"propertyName\":"
           "\"hs_object_id\",\"direction\":\"ASCENDING\"}],\"properties\":["
           "\"hs_lastmodifieddate\",\"hs_object_id\"],\"limit\":100}");
    cr_assert_null(strstr(s, "\"after\""));
    free(s);
}

Test(hubspot_wire, rate_limit_headers_become_usage)
{
    struct sync_conn_usage u;
    cr_assert(sync_hs_usage_from_headers("625000", "624990", "190", "185", "10000", &u));
    cr_assert_eq(u.daily_limit, 625000);
    cr_assert_eq(u.daily_used, 10);
    cr_assert_eq(u.window_limit, 190);
    cr_assert_eq(u.window_remaining, 185);
    cr_assert_eq(u.window_ms, 10000);
    cr_assert(sync_hs_usage_from_headers(NULL, NULL, "110", "100", "10000", &u));
    cr_assert_eq(u.daily_limit, -1, "OAuth answers carry no daily pair");
    cr_assert(!sync_hs_usage_from_headers(NULL, NULL, NULL, NULL, NULL, &u));
}

static json_t *J(const char *s)
{
    json_error_t e;
    return json_loads(s, 0, &e);
}

Test(hubspot_wire, ten_secondly_429_waits_out_the_window_and_daily_is_not_retried)
{
    struct sync_err err = SYNC_ERR_INIT;
    int64_t ra;
    json_t *b = J("{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling "
                  "limit.\",\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\","
                  "\"category\":\"RATE_LIMITS\"}");
    sync_hs_error(b, 429, NULL, 10000, &err, &ra);
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RATELIMITED);
    cr_assert_eq(ra, 10000);
    sync_hs_error(b, 429, "2", 10000, &err, &ra);
    cr_assert_eq(ra, 2000, "Retry-After wins when sent");
    json_decref(b);

    b = J("{\"status\":\"error\",\"message\":\"You have reached your secondly limit.\","
          "\"policyName\":\"SECONDLY\",\"category\":\"RATE_LIMITS\"}");
    sync_hs_error(b, 429, NULL, 10000, &err, &ra);
    cr_assert_eq(ra, 1000);
    json_decref(b);

    b = J("{\"status\":\"error\",\"message\":\"You have reached your daily limit.\","
          "\"policyName\":\"DAILY\",\"category\":\"RATE_LIMITS\"}");
    sync_hs_error(b, 429, "60", 10000, &err, &ra);
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RATELIMITED);
    cr_assert_eq(ra, -1);
    json_decref(b);
}

Test(hubspot_wire, validation_errors_take_the_first_code_and_conflicts_the_category)
{
    struct sync_err err = SYNC_ERR_INIT;
    int64_t ra;
    json_t *b = J("{\"status\":\"error\",\"message\":\"Property values were not valid\","
                  "\"category\":\"VALIDATION_ERROR\",\"errors\":[{\"message\":\"bad\",\"code\":"
                  "\"INVALID_EMAIL\"}]}");
    cr_assert_eq(sync_hs_error(b, 400, NULL, 0, &err, &ra), 0);
    cr_assert_str_eq(err.code, "INVALID_EMAIL");
    cr_assert_eq(err.cls, SYNC_ERRCLASS_PERMANENT);
    json_decref(b);

    b = J("{\"status\":\"error\",\"message\":\"Contact already exists. Existing ID: 3401\","
          "\"category\":\"CONFLICT\"}");
    sync_hs_error(b, 409, NULL, 0, &err, &ra);
    cr_assert_str_eq(err.code, "CONFLICT");
    json_decref(b);

    b = J("{\"status\":\"error\",\"message\":\"expired\",\"category\":\"EXPIRED_AUTHENTICATION\"}");
    cr_assert_eq(sync_hs_error(b, 401, NULL, 0, &err, &ra), 1);
    json_decref(b);

    sync_hs_error(NULL, 423, NULL, 0, &err, &ra);
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RETRYABLE);
    cr_assert_eq(ra, 2000);
}
