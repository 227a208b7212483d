/*
 * Integration tests of src/connectors/hubspot.c against the real
 * emu-hubspot binary over HTTP: private-app token, the crmsync_link_id
 * property, batch upserts with per-record failures and idempotent replays,
 * the search keyset window over ties, archived lists, reads by email, usage
 * headers, retries, ambiguous writes resolved by read-back, and 429 pacing.
 * Each test starts its own emulator.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "connectors/connector.h"
#include "core/json.h"
#include "core/time.h"
#include "tests/lib/emu_proc.h"

static struct emu_proc emu;
static struct sync_conn *conn;
static int sleeps;
static int64_t slept_ms;
static long long usage_daily = -1, usage_window_max = -1, usage_window_rem = -1;

static void count_sleep(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    sleeps++;
    slept_ms += ms;
    nanosleep(&ts, NULL);
}

static void on_usage(void *arg, const struct sync_conn_usage *u)
{
    (void)arg;
    usage_daily = u->daily_limit;
    usage_window_max = u->window_limit;
    usage_window_rem = u->window_remaining;
}

static struct sync_conn *connect_hs(int settle_ms)
{
    struct sync_conn_config cfg;
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn *c;

    cr_assert_eq(emu_proc_conn_config(&emu, &cfg), 0);
    cfg.retry.base_ms = 10;
    cfg.retry.cap_ms = 100;
    cfg.search_settle_ms = settle_ms;
    cfg.on_usage = on_usage;
    cfg.sleep_ms = count_sleep;
    c = sync_conn_new(&cfg, &err);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

static void setup(void)
{
    cr_assert_eq(emu_proc_start(&emu, "hubspot", NULL), 0, "emu-hubspot did not start");
    conn = connect_hs(1);
    sleeps = 0;
    slept_ms = 0;
}

static void teardown(void)
{
    sync_conn_free(conn);
    conn = NULL;
    emu_proc_stop(&emu);
}

TestSuite(hubspot, .init = setup, .fini = teardown, .timeout = 180);

static struct sync_conn_rec *make_contacts(size_t n, const char *tag, size_t bad, char (*links)[40])
{
    struct sync_conn_rec *recs = calloc(n, sizeof(*recs));
    for (size_t i = 0; i < n; i++) {
        char email[64];
        snprintf(links[i], 40, "L%s%020zu", tag, i);
        snprintf(email, sizeof(email), i == bad ? "not-an-email-%zu" : "c%zu@%s.example.com", i,
                 tag);
        recs[i].link_id = links[i];
        recs[i].fields = json_pack("{s:s, s:s, s:s}", "firstname", "Ada", "lastname", "Lovelace",
                                   "email", email);
    }
    return recs;
}

static void free_recs(struct sync_conn_rec *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(recs[i].fields);
    free(recs);
}

static long long endpoint_calls(const char *key)
{
    json_t *stats = NULL;
    long long n;
    cr_assert_eq(emu_proc_control(&emu, "GET", "/__emu/stats", NULL, &stats), 200);
    n = sync_json_int(json_object_get(json_object_get(stats, "calls"), "by_endpoint"), key, 0);
    json_decref(stats);
    return n;
}

static size_t linked_contacts(void)
{
    json_t *ans = NULL, *r, *list;
    size_t i, n = 0;
    cr_assert_eq(emu_proc_control(&emu, "GET", "/__emu/records/contacts", NULL, &ans), 200);
    list = json_object_get(ans, "results");
    if (!list)
        list = json_object_get(ans, "records");
    json_array_foreach(list, i, r)
    {
        const char *l = sync_json_str(json_object_get(r, "properties"), "crmsync_link_id");
        n += l && *l && !sync_json_bool(r, "archived", 0);
    }
    json_decref(ans);
    return n;
}

static void ensure_link(void)
{
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_eq(sync_conn_ensure_link_field(conn, "contacts", &err), SYNC_OK, "%s %s", err.code,
                 err.message);
}

#define UPSERT_ROUTE "POST /crm/v3/objects/{objectType}/batch/upsert"

Test(hubspot, token_auth_and_ensure_link_property_creates_it_once)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_field_catalog cat;
    const struct sync_field_def *f;

    ensure_link();
    ensure_link();
    cr_assert_eq(endpoint_calls("POST /crm/v3/properties/{objectType}"), 1);
    cr_assert_eq(sync_conn_describe(conn, "contacts", &cat, &err), SYNC_OK, "%s", err.message);
    f = sync_field_catalog_find(&cat, "crmsync_link_id");
    cr_assert(f && (f->flags & SYNC_FIELD_UNIQUE) && f->type == SYNC_FT_STRING);
    f = sync_field_catalog_find(&cat, "lifecyclestage");
    cr_assert(f && f->type == SYNC_FT_PICKLIST && f->noptions >= 8);
    f = sync_field_catalog_find(&cat, "email");
    cr_assert(f && (f->flags & SYNC_FIELD_UPDATEABLE));
    sync_field_catalog_release(&cat);
}

Test(hubspot, upsert_150_contacts_in_two_calls_one_bad_email_fails_alone_and_replay_updates)
{
    char links[150][40];
    struct sync_conn_rec *recs = make_contacts(150, "up", 42, links);
    struct sync_conn_result *res = calloc(150, sizeof(*res));
    struct sync_err err = SYNC_ERR_INIT;

    ensure_link();
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "contacts", recs, 150, res, &err), SYNC_OK,
                 "%s", err.message);
    cr_assert_eq(endpoint_calls(UPSERT_ROUTE), 2);
    for (size_t i = 0; i < 150; i++) {
        if (i == 42) {
            cr_assert_eq(res[i].outcome, SYNC_CONN_FAILED);
            cr_assert_str_eq(res[i].err.code, "INVALID_EMAIL");
            cr_assert_eq(res[i].err.cls, SYNC_ERRCLASS_PERMANENT);
            cr_assert_eq(sync_err_categorize(SYNC_VENDOR_HUBSPOT, res[i].err.code, 400),
                         SYNC_ERRCAT_PROPERTY_VALUE);
            continue;
        }
        cr_assert_eq(res[i].outcome, SYNC_CONN_OK, "record %zu: %s", i, res[i].err.message);
        cr_assert(res[i].created);
    }
    cr_assert_eq(linked_contacts(), 149);
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "contacts", recs, 150, res, &err),
                 SYNC_OK);
    for (size_t i = 0; i < 150; i++)
        if (i != 42)
            cr_assert(res[i].outcome == SYNC_CONN_OK && !res[i].created, "record %zu", i);
    cr_assert_eq(linked_contacts(), 149, "a replay must not duplicate");
    free_recs(recs, 150);
    free(res);
}

/* Reads the whole window [start, upper] page by page; returns the ids seen (new object). */
static json_t *read_window(const char *object, int64_t start, int64_t upper, size_t limit,
                           int *pages)
{
    struct sync_conn_window w = {0};
    struct sync_err err = SYNC_ERR_INIT;
    const char *fields[] = {"email", NULL};
    json_t *seen = json_object();

    w.object = object;
    w.fields = fields;
    w.after.ts_ms = start;
    w.upper_ms = upper;
    w.limit = limit;
    *pages = 0;
    for (;;) {
        struct sync_conn_batch b;
        json_t *r;
        size_t i;
        int done;
        sync_conn_batch_init(&b);
        cr_assert_eq(sync_conn_read_changes(conn, &w, &b, &err), SYNC_OK, "%s %s", err.code,
                     err.message);
        json_array_foreach(b.records, i, r)
        {
            const char *id = sync_json_str(r, "id");
            cr_assert_null(json_object_get(seen, id), "record %s read twice", id);
            json_object_set_new(seen, id, json_true());
        }
        (*pages)++;
        w.after = b.next;
        done = b.done;
        sync_conn_batch_release(&b);
        if (done)
            break;
        cr_assert_lt(*pages, 200);
    }
    return seen;
}

Test(hubspot, search_window_pages_by_keyset_through_shared_timestamps)
{
    char links[300][40];
    struct sync_conn_rec *recs = make_contacts(300, "win", 300, links);
    struct sync_conn_result *res = calloc(300, sizeof(*res));
    struct sync_err err = SYNC_ERR_INIT;
    int64_t start = sync_time_now_ms() - 1000;
    json_t *seen;
    int pages;

    ensure_link();
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "contacts", recs, 300, res, &err),
                 SYNC_OK);
    nanosleep(&(struct timespec){0, 50000000L}, NULL);
    seen = read_window("contacts", start, sync_time_now_ms(), 7, &pages);
    cr_assert_eq(json_object_size(seen), 300);
    cr_assert_geq(pages, 300 / 7);
    json_decref(seen);
    free_recs(recs, 300);
    free(res);
}

Test(hubspot, search_window_reads_over_200_rows_sharing_one_millisecond)
{
    char links[250][40];
    struct sync_conn_rec *recs = make_contacts(250, "tie", 250, links);
    struct sync_conn_result *res = calloc(250, sizeof(*res));
    struct sync_err err = SYNC_ERR_INIT;
    int64_t start = sync_time_now_ms() - 1000;
    json_t *seen;
    int pages;

    ensure_link();
    /* every write lands on one frozen millisecond */
    if (emu_proc_control(&emu, "PUT", "/__emu/clock", "{\"freeze\":true}", NULL) != 200) {
        free_recs(recs, 250);
        free(res);
        teardown(); /* a skipped test does not reach .fini */
        cr_skip_test("emu-hubspot has no clock freeze yet (see build notes hs-peer-findings)");
    }
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "contacts", recs, 250, res, &err),
                 SYNC_OK);
    emu_proc_control(&emu, "PUT", "/__emu/clock", "{\"freeze\":false}", NULL);
    nanosleep(&(struct timespec){0, 50000000L}, NULL);
    seen = read_window("contacts", start, sync_time_now_ms(), 200, &pages);
    cr_assert_eq(json_object_size(seen), 250);
    json_decref(seen);
    free_recs(recs, 250);
    free(res);
}

Test(hubspot, a_first_window_lists_every_record_then_searches_from_where_the_list_began)
{
    char links[230][40];
    struct sync_conn_rec *recs = make_contacts(230, "first", 230, links);
    struct sync_conn_result *res = calloc(230, sizeof(*res));
    struct sync_err err = SYNC_ERR_INIT;
    json_t *seen;
    int pages;

    ensure_link();
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "contacts", recs, 230, res, &err),
                 SYNC_OK);
    nanosleep(&(struct timespec){0, 50000000L}, NULL);
    emu_proc_control(&emu, "POST", "/__emu/stats/reset", "{}", NULL);
    /* a cursor at the start: the list by id, 100 a page, then one search from its start */
    seen = read_window("contacts", 0, sync_time_now_ms(), 0, &pages);
    cr_assert_geq(json_object_size(seen), 230);
    cr_assert_eq(endpoint_calls("GET /crm/v3/objects/{objectType}"), 3);
    cr_assert_eq(endpoint_calls("POST /crm/v3/objects/{objectType}/search"), 1);
    json_decref(seen);
    free_recs(recs, 230);
    free(res);
}

Test(hubspot, archived_list_reports_archived_contacts)
{
    char links[5][40];
    struct sync_conn_rec *recs = make_contacts(5, "arc", 5, links);
    struct sync_conn_result res[5], ares[2];
    struct sync_conn_rec del[2] = {{0}};
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn_batch b;
    int64_t start = sync_time_now_ms() - 1000;
    json_t *d;
    size_t i;
    int found = 0;

    ensure_link();
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "contacts", recs, 5, res, &err), SYNC_OK);
    del[0].id = res[1].id;
    del[1].id = res[3].id;
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_DELETE, "contacts", del, 2, ares, &err), SYNC_OK,
                 "%s", err.message);
    sync_conn_batch_init(&b);
    do {
        cr_assert_eq(sync_conn_read_deletes(conn, "contacts", start, 0, &b, &err), SYNC_OK, "%s",
                     err.message);
    } while (!b.done);
    json_array_foreach(b.records, i, d)
    {
        const char *id = sync_json_str(d, "id");
        found += strcmp(id, res[1].id) == 0 || strcmp(id, res[3].id) == 0;
        cr_assert_gt(sync_json_int(d, "deletedAt", 0), 0);
    }
    cr_assert_eq(found, 2);
    cr_assert_eq(json_array_size(b.records), 2);
    sync_conn_batch_release(&b);
    free_recs(recs, 5);
}

Test(hubspot, batch_read_by_email_finds_contacts_case_insensitively)
{
    char links[3][40];
    struct sync_conn_rec *recs = make_contacts(3, "find", 3, links);
    struct sync_conn_result res[3];
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn_batch b;
    const char *emails[] = {"c2@find.example.com", "C0@FIND.example.com", "nobody@example.com"};

    ensure_link();
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "contacts", recs, 3, res, &err), SYNC_OK);
    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_find_people(conn, emails, 3, NULL, &b, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert_eq(json_array_size(b.records), 2);
    sync_conn_batch_release(&b);
    free_recs(recs, 3);
}

Test(hubspot, usage_callback_sees_ratelimit_headers)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_field_catalog cat;
    cr_assert_eq(sync_conn_describe(conn, "contacts", &cat, &err), SYNC_OK);
    sync_field_catalog_release(&cat);
    cr_assert_eq(usage_window_max, 190);
    cr_assert_geq(usage_window_rem, 0);
    cr_assert_lt(usage_window_rem, 190);
    cr_assert_eq(usage_daily, 625000);
}

Test(hubspot, a_503_burst_is_retried_and_succeeds)
{
    char links[1][40];
    struct sync_conn_rec *recs = make_contacts(1, "r503", 1, links);
    struct sync_conn_result res[1];
    struct sync_err err = SYNC_ERR_INIT;

    ensure_link();
    sleeps = 0;
    cr_assert_eq(emu_proc_control(&emu, "PUT", "/__emu/faults",
                                  "{\"error_next\":2,\"error_status\":503}", NULL),
                 200);
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "contacts", recs, 1, res, &err), SYNC_OK,
                 "%s", err.message);
    cr_assert_eq(res[0].outcome, SYNC_CONN_OK);
    cr_assert_eq(sleeps, 2);
    free_recs(recs, 1);
}

Test(hubspot, a_write_dropped_after_commit_is_ambiguous_and_read_back_finds_it)
{
    char links[2][40];
    struct sync_conn_rec *recs = make_contacts(2, "amb", 2, links);
    struct sync_conn_result res[2];
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn_batch b;
    const char *ids[] = {links[0], links[1]};
    const char *fields[] = {"email", NULL};

    ensure_link();
    sleeps = 0;
    cr_assert_eq(emu_proc_control(&emu, "PUT", "/__emu/faults", "{\"drop_after_next\":1}", NULL),
                 200);
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "contacts", recs, 2, res, &err),
                 SYNC_ERR_HTTP, "outcome %d", res[0].outcome);
    cr_assert(sync_conn_err_ambiguous(&err));
    cr_assert_eq(res[1].outcome, SYNC_CONN_AMBIGUOUS);
    cr_assert_eq(sleeps, 0, "an ambiguous write must not be resent");
    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_read_back(conn, "contacts", ids, 2, fields, &b, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert_eq(json_array_size(b.records), 2, "the write had committed");
    sync_conn_batch_release(&b);
    free_recs(recs, 2);
}

Test(hubspot, a_429_from_a_small_ten_second_limit_is_waited_out_and_retried)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn_batch b;
    const char *emails[] = {"x@example.com"};

    cr_assert_eq(emu_proc_control(&emu, "PUT", "/__emu/limits", "{\"burst_per_10s\":3}", NULL),
                 200);
    sleeps = 0;
    slept_ms = 0;
    sync_conn_batch_init(&b);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(sync_conn_find_people(conn, emails, 1, NULL, &b, &err), SYNC_OK, "call %d: %s",
                     i, err.message);
    cr_assert_geq(slept_ms, 5000, "the ten-second window was not waited out");
    sync_conn_batch_release(&b);
}

Test(hubspot, the_daily_limit_is_rate_limited_and_not_retried)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn_batch b;
    const char *emails[] = {"x@example.com"};

    cr_assert_eq(emu_proc_control(&emu, "PUT", "/__emu/limits", "{\"daily\":1}", NULL), 200);
    sync_conn_batch_init(&b);
    sync_conn_find_people(conn, emails, 1, NULL, &b, &err);
    sleeps = 0;
    cr_assert_eq(sync_conn_find_people(conn, emails, 1, NULL, &b, &err), SYNC_ERR_VENDOR);
    cr_assert_eq(err.http_status, 429);
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RATELIMITED);
    cr_assert_eq(sleeps, 0);
    sync_conn_batch_release(&b);
}
