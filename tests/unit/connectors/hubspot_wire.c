/* Tests src/connectors/hubspot_wire.c: the keyset search bodies and how a page moves the window,
 * the rate-limit headers and HubSpot error bodies with their classes and waits. */
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
    struct sync_conn_cursor after = {.ts_ms = 1700000000000, .id = "", .tie = 0};
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
    struct sync_conn_cursor after = {.ts_ms = 1700000000123, .id = "512", .tie = 1};
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

/* A search result: {"id":id,"properties":{"lastmodifieddate":ts}}. */
static json_t *results_of(const long long (*rows)[2], size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char ts[32], id[32];
        snprintf(ts, sizeof(ts), "%lld", rows[i][0]);
        snprintf(id, sizeof(id), "%lld", rows[i][1]);
        json_array_append_new(
            a, json_pack("{s:s, s:{s:s}}", "id", id, "properties", "lastmodifieddate", ts));
    }
    return a;
}

static const char *id_at(const json_t *take, size_t i)
{
    return json_string_value(json_object_get(json_array_get(take, i), "id"));
}

struct step {
    json_t *take;
    struct sync_conn_cursor next;
    int done;
};

static struct step page(const long long (*rows)[2], size_t n, struct sync_conn_cursor after,
                        size_t limit)
{
    struct step s = {json_array(), {.ts_ms = 0, .id = "", .tie = 0}, 0};
    json_t *res = results_of(rows, n);
    cr_assert_eq(
        sync_hs_window_page(res, "lastmodifieddate", &after, 999, limit, s.take, &s.next, &s.done),
        0);
    json_decref(res);
    return s;
}

Test(hubspot_wire, a_short_range_page_takes_all_and_remembers_the_last_stamps_highest_id)
{
    const long long rows[][2] = {{10, 5}, {20, 9}, {20, 12}, {20, 3}};
    struct step s = page(rows, 4, (struct sync_conn_cursor){.ts_ms = 0, .id = "", .tie = 0}, 200);
    cr_assert_eq(json_array_size(s.take), 4);
    cr_assert_eq(s.next.ts_ms, 20);
    cr_assert_str_eq(s.next.id, "12", "ids compare as numbers: 12 > 9 > 3");
    cr_assert_eq(s.next.tie, 0);
    cr_assert(s.done);
    json_decref(s.take);
}

Test(hubspot_wire, the_next_range_page_drops_what_the_cursor_covers)
{
    /* the cursor (20, 12): 3, 9 and 12 at 20 are held; 15 at 20 arrived since */
    const long long rows[][2] = {{20, 3}, {20, 12}, {20, 15}, {20, 9}, {30, 1}};
    struct step s =
        page(rows, 5, (struct sync_conn_cursor){.ts_ms = 20, .id = "12", .tie = 0}, 200);
    cr_assert_eq(json_array_size(s.take), 2);
    cr_assert_str_eq(id_at(s.take, 0), "15");
    cr_assert_str_eq(id_at(s.take, 1), "1");
    cr_assert_eq(s.next.ts_ms, 30);
    cr_assert_str_eq(s.next.id, "1");
    json_decref(s.take);
}

Test(hubspot_wire, an_idle_range_page_keeps_the_cursor_where_it_is)
{
    const long long rows[][2] = {{20, 3}, {20, 12}};
    struct step s =
        page(rows, 2, (struct sync_conn_cursor){.ts_ms = 20, .id = "12", .tie = 0}, 200);
    cr_assert_eq(json_array_size(s.take), 0);
    cr_assert_eq(s.next.ts_ms, 20);
    cr_assert_str_eq(s.next.id, "12");
    cr_assert(s.done);
    json_decref(s.take);
}

Test(hubspot_wire, a_full_range_page_keeps_what_is_before_its_last_stamp_and_goes_on_there)
{
    const long long rows[][2] = {{10, 1}, {11, 2}, {12, 7}, {12, 4}};
    struct step s = page(rows, 4, (struct sync_conn_cursor){.ts_ms = 0, .id = "", .tie = 0}, 4);
    cr_assert_eq(json_array_size(s.take), 2);
    cr_assert_eq(s.next.ts_ms, 12);
    cr_assert_str_eq(s.next.id, "", "nothing stamped 12 is held yet");
    cr_assert_eq(s.next.tie, 0);
    cr_assert_not(s.done);
    json_decref(s.take);
}

Test(hubspot_wire, a_full_page_of_one_stamp_switches_to_tie_pages_read_by_id_to_their_end)
{
    const long long full[][2] = {{12, 9}, {12, 2}, {12, 5}};
    const long long tie1[][2] = {{12, 2}, {12, 5}, {12, 9}};
    const long long tie2[][2] = {{12, 11}};
    struct step s = page(full, 3, (struct sync_conn_cursor){.ts_ms = 12, .id = "", .tie = 0}, 3);
    cr_assert_eq(json_array_size(s.take), 0);
    cr_assert(s.next.tie);
    cr_assert_eq(s.next.ts_ms, 12);
    json_decref(s.take);

    s = page(tie1, 3, s.next, 3);
    cr_assert_eq(json_array_size(s.take), 3);
    cr_assert(s.next.tie, "a full tie page: more of the group may follow");
    cr_assert_str_eq(s.next.id, "9");
    cr_assert_not(s.done);
    json_decref(s.take);

    s = page(tie2, 1, s.next, 3);
    cr_assert_eq(json_array_size(s.take), 1);
    cr_assert_eq(s.next.tie, 0);
    cr_assert_eq(s.next.ts_ms, 13, "the group is read: on past its stamp");
    cr_assert_str_eq(s.next.id, "");
    cr_assert_not(s.done);
    json_decref(s.take);
}

Test(hubspot_wire, a_record_without_a_stamp_fails_the_page)
{
    json_t *res = json_pack("[{s:s, s:{}}]", "id", "4", "properties");
    json_t *take = json_array();
    struct sync_conn_cursor after = {.ts_ms = 0, .id = "", .tie = 0}, next;
    int done;
    cr_assert_eq(sync_hs_window_page(res, "lastmodifieddate", &after, 999, 200, take, &next, &done),
                 -1);
    json_decref(res);
    json_decref(take);
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
