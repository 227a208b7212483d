/*
 * Tests src/engine/budget.c: what a Salesforce error answer means, the
 * retry suppression rule, the nightly retry time, the status JSON and
 * clearing over a store, and the engine's side (counting answers,
 * suspending at the allocation and resuming as the rolling window frees
 * up, suspensions an answer means, trying a self-clearing one again) on a
 * minimal engine with an in-memory store and no connector.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/connector.h"
#include "core/json.h"
#include "core/time.h"
#include "engine/budget.h"
#include "engine/sync_int.h"
#include "store/store.h"

#define OK(x) cr_assert_eq((x), SYNC_OK, "%s: %s", #x, err.message)
#define MIN_MS 60000LL

/* ---- pure rules ---- */

Test(budget, a_daily_limit_refusal_is_the_api_limit_suspension)
{
    cr_assert_eq(
        sync_budget_classify(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
        SYNC_SUSPEND_API_LIMIT);
    cr_assert_eq(sync_budget_classify(0, SYNC_CONN_BUDGET_CODE, "our share"),
                 SYNC_SUSPEND_API_LIMIT);
}

Test(budget, the_concurrent_limit_and_a_throttle_are_no_suspension)
{
    cr_assert_eq(sync_budget_classify(403, "REQUEST_LIMIT_EXCEEDED",
                                      "ConcurrentPerOrgLongTxn Limit exceeded."),
                 -1);
    cr_assert_eq(
        sync_budget_classify(429, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."), -1);
}

Test(budget, api_disabled_object_access_and_other_403s_are_their_kinds)
{
    cr_assert_eq(sync_budget_classify(403, "API_DISABLED_FOR_ORG", "The REST API is not enabled"),
                 SYNC_SUSPEND_API_DISABLED);
    cr_assert_eq(sync_budget_classify(403, "INSUFFICIENT_ACCESS", "Insufficient privileges"),
                 SYNC_SUSPEND_OBJECT_PERMISSIONS);
    cr_assert_eq(sync_budget_classify(400, "INVALID_TYPE", "sObject type 'Lead' is not supported."),
                 SYNC_SUSPEND_OBJECT_PERMISSIONS);
    cr_assert_eq(sync_budget_classify(403, "FUNCTIONALITY_NOT_ENABLED", "?"), SYNC_SUSPEND_UNKNOWN);
}

Test(budget, record_errors_and_transient_failures_are_no_suspension)
{
    cr_assert_eq(sync_budget_classify(400, "INSUFFICIENT_ACCESS_OR_READONLY",
                                      "insufficient access rights on object id"),
                 -1);
    cr_assert_eq(sync_budget_classify(400, "REQUIRED_FIELD_MISSING", "x"), -1);
    cr_assert_eq(sync_budget_classify(503, "SERVER_UNAVAILABLE", "x"), -1);
    cr_assert_eq(sync_budget_classify(401, "INVALID_SESSION_ID", "x"), -1);
}

Test(budget, which_suspensions_clear_by_themselves)
{
    cr_assert(sync_suspension_clears_itself(SYNC_SUSPEND_ALLOCATION));
    cr_assert(sync_suspension_clears_itself(SYNC_SUSPEND_API_LIMIT));
    cr_assert(sync_suspension_clears_itself(SYNC_SUSPEND_UNKNOWN));
    cr_assert_not(sync_suspension_clears_itself(SYNC_SUSPEND_API_DISABLED));
    cr_assert_not(sync_suspension_clears_itself(SYNC_SUSPEND_OBJECT_PERMISSIONS));
    for (int k = 0; k < SYNC_SUSPEND__COUNT; k++)
        cr_assert_eq(sync_suspension_kind_find(sync_suspension_kind_name(k)), k);
    cr_assert_eq(sync_suspension_kind_find("paused"), -1);
}

Test(budget, retries_stop_above_the_share_of_the_allocation)
{
    cr_assert_not(sync_budget_retries_suppressed_for(750, 1000, 75, 5000), "75 %% exactly");
    cr_assert(sync_budget_retries_suppressed_for(751, 1000, 75, 5000));
    cr_assert_not(sync_budget_retries_suppressed_for(9000, 100000, 75, 5000),
                  "with an allocation the call count does not apply");
}

Test(budget, without_an_allocation_retries_stop_above_the_call_count)
{
    cr_assert_not(sync_budget_retries_suppressed_for(5000, 0, 75, 5000));
    cr_assert(sync_budget_retries_suppressed_for(5001, 0, 75, 5000));
}

Test(budget, the_nightly_retry_is_the_next_such_minute_after_now)
{
    int64_t day = 19000LL * 86400000LL; /* a midnight UTC */

    cr_assert_eq(sync_budget_next_daily(day + 5 * MIN_MS, 0), day + 86400000LL);
    cr_assert_eq(sync_budget_next_daily(day + 5 * MIN_MS, 90), day + 90 * MIN_MS);
    cr_assert_eq(sync_budget_next_daily(day, 0), day + 86400000LL, "strictly after now");
}

/* ---- a minimal engine: a store and settings, no connector ---- */

static struct sync_engine *engine_new(const char *allocation)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_engine *e = calloc(1, sizeof(*e));

    cr_assert_not_null(e);
    OK(sync_settings_init(&e->live));
    e->settings = &e->live;
    OK(sync_settings_set(&e->live, SYNC_SETTING_SALESFORCE_API_ALLOCATION, allocation, &err));
    OK(sync_store_open(&e->st, "sqlite::memory:", &err));
    return e;
}

static void engine_free(struct sync_engine *e)
{
    sync_store_close(e->st);
    sync_settings_release(&e->live);
    free(e);
}

static void answer(struct sync_engine *e, long status, const char *code, const char *msg,
                   long long used, long long limit)
{
    struct sync_conn_usage u = {
        SYNC_VENDOR_SALESFORCE,
        used,
        limit,
        -1,
        -1,
        -1,
        limit > 0 && !(status == 403 && code && strcmp(code, "REQUEST_LIMIT_EXCEEDED") == 0),
        status,
        code ? code : "",
        msg ? msg : ""};
    sync__budget_on_answer(&e->budget, &u);
}

static json_t *status_of(struct sync_engine *e)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *s = NULL;
    OK(sync_budget_status(e->st, e->settings, sync_time_now_ms(), &s, &err));
    return s;
}

Test(budget, counted_answers_reach_the_store_and_the_status)
{
    struct sync_engine *e = engine_new("0");
    json_t *s;

    for (int i = 0; i < 7; i++)
        answer(e, 200, NULL, NULL, 100 + i, 15000);
    answer(e, 403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.", 107,
           15000);                                                   /* a refusal: not counted */
    answer(e, 401, "INVALID_SESSION_ID", "Session expired", -1, -1); /* no header */
    cr_assert(sync__budget_ok(e));
    s = status_of(e);
    cr_assert_eq(sync_json_int(s, "used_24h", -1), 7);
    cr_assert_eq(sync_json_int(s, "allocation", -1), 0);
    cr_assert(json_is_null(json_object_get(s, "percent_of_allocation")));
    cr_assert(json_is_null(json_object_get(s, "suspended")));
    cr_assert_not(sync_json_bool(s, "retries_suppressed", 1));
    json_decref(s);
    engine_free(e);
}

Test(budget, the_allocation_suspends_and_the_rolling_window_resumes)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_engine *e = engine_new("5");
    int64_t now = sync_time_now_ms();
    json_t *s, *sus;

    /* 5 calls made 23 hours 59 minutes ago by another process on the store */
    OK(sync_store_api_calls_add(e->st, "salesforce", now - SYNC_BUDGET_WINDOW_MS + 2 * MIN_MS, 5,
                                &err));
    cr_assert_not(sync__budget_pass_start(e), "at the allocation: no Salesforce call");
    cr_assert(sync__budget_suspended(e));
    s = status_of(e);
    sus = json_object_get(s, "suspended");
    cr_assert_str_eq(sync_json_str(sus, "kind"), "allocation");
    cr_assert(sync_json_bool(sus, "clears_itself", 0));
    cr_assert_eq(json_real_value(json_object_get(s, "percent_of_allocation")), 100.0);
    cr_assert(sync_json_bool(s, "retries_suppressed", 0));
    json_decref(s);
    /* the window moves past those calls: the counts of that minute age out */
    OK(sync_store_api_calls_prune(e->st, "salesforce", now, &err));
    cr_assert(sync__budget_ok(e), "resumed by itself");
    s = status_of(e);
    cr_assert(json_is_null(json_object_get(s, "suspended")));
    json_decref(s);
    engine_free(e);
}

Test(budget, raising_the_allocation_resumes_and_retries_follow_the_share)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_engine *e = engine_new("4");

    for (int i = 0; i < 4; i++)
        answer(e, 200, NULL, NULL, i, 15000);
    cr_assert_not(sync__budget_ok(e));
    OK(sync_settings_set(&e->live, SYNC_SETTING_SALESFORCE_API_ALLOCATION, "5", &err));
    cr_assert(sync__budget_ok(e));
    cr_assert(e->budget.retries_suppressed, "4 of 5 is above 75 %%");
    OK(sync_settings_set(&e->live, SYNC_SETTING_SALESFORCE_API_ALLOCATION, "100", &err));
    cr_assert(sync__budget_ok(e));
    cr_assert_not(e->budget.retries_suppressed);
    engine_free(e);
}

Test(budget, api_disabled_suspends_until_cleared_even_by_another_process)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_engine *e = engine_new("0");
    struct sync_err cause = SYNC_ERR_INIT;
    int64_t n = 0;
    json_t *s, *sus;

    answer(e, 403, "API_DISABLED_FOR_ORG", "The REST API is not enabled for this Organization.", -1,
           -1);
    cr_assert_not(sync__budget_ok(e));
    s = status_of(e);
    sus = json_object_get(s, "suspended");
    cr_assert_str_eq(sync_json_str(sus, "kind"), "api_disabled");
    cr_assert_str_eq(sync_json_str(sus, "code"), "API_DISABLED_FOR_ORG");
    cr_assert_str_eq(sync_json_str(sus, "message"),
                     "The REST API is not enabled for this Organization.");
    cr_assert_not(sync_json_bool(sus, "clears_itself", 1));
    cr_assert(json_is_null(json_object_get(sus, "next_check_at")));
    json_decref(s);
    sync_err_vendor(&cause, 403, "API_DISABLED_FOR_ORG", "disabled");
    cr_assert(sync__budget_explains(e, &cause));
    cr_assert_not(sync__budget_pass_start(e), "a new pass stays suspended");
    OK(sync_budget_clear(e->st, NULL, &n, &err));
    cr_assert_eq(n, 1);
    cr_assert(sync__budget_pass_start(e), "the next pass tries again");
    engine_free(e);
}

Test(budget, the_org_limit_is_tried_again_and_a_good_answer_clears_it)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_engine *e = engine_new("0");
    struct sync_suspension_row r = {"salesforce", "api_limit", NULL, "x", 0, 0, 0};
    json_t *s;

    answer(e, 200, NULL, NULL, 15000, 15000); /* the header at the limit */
    cr_assert_not(sync__budget_ok(e));
    s = status_of(e);
    cr_assert_str_eq(sync_json_str(json_object_get(s, "suspended"), "kind"), "api_limit");
    cr_assert_not(json_is_null(json_object_get(json_object_get(s, "suspended"), "next_check_at")));
    json_decref(s);
    cr_assert_not(sync__budget_pass_start(e), "not due yet");
    /* due now */
    r.check_at = sync_time_now_ms() - 1;
    r.message = "the org used 15000 of its 15000 daily API requests";
    OK(sync_store_suspension_put(e->st, &r, &err));
    cr_assert(sync__budget_pass_start(e), "tried again");
    answer(e, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", 15000, 15000);
    cr_assert_not(sync__budget_ok(e), "still over: suspended again");
    OK(sync_store_suspension_put(e->st, &r, &err));
    cr_assert(sync__budget_pass_start(e));
    answer(e, 200, NULL, NULL, 14000, 15000);
    cr_assert(sync__budget_ok(e), "a counted answer under the limit resumes");
    s = status_of(e);
    cr_assert(json_is_null(json_object_get(s, "suspended")));
    cr_assert_eq(sync_json_int(s, "used_24h", -1), 2);
    json_decref(s);
    engine_free(e);
}

Test(budget, clearing_an_unknown_kind_is_refused)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_engine *e = engine_new("0");

    cr_assert_eq(sync_budget_clear(e->st, "paused", NULL, &err), SYNC_ERR_INVALID);
    engine_free(e);
}
