/*
 * Integration tests of src/connectors/salesforce.c against the real
 * emu-salesforce binary over HTTP: login and re-login, describe, collection
 * upserts with per-record failures and idempotent replays, the keyset change
 * window, getDeleted and merges, find by email, usage headers, retries,
 * ambiguous writes resolved by read-back, and the daily limit not retried.
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
static long long usage_used = -1, usage_limit = -1;

static void count_sleep(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    sleeps++;
    nanosleep(&ts, NULL);
}

static void on_usage(void *arg, const struct sync_conn_usage *u)
{
    (void)arg;
    usage_used = u->daily_used;
    usage_limit = u->daily_limit;
}

static struct sync_conn *connect_sf(void)
{
    struct sync_conn_config cfg;
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn *c;

    cr_assert_eq(emu_proc_conn_config(&emu, &cfg), 0);
    cfg.retry.base_ms = 10;
    cfg.retry.cap_ms = 100;
    cfg.rate.limit = 1000;
    cfg.rate.window_ms = 1000;
    cfg.on_usage = on_usage;
    cfg.sleep_ms = count_sleep;
    c = sync_conn_new(&cfg, &err);
    cr_assert_not_null(c, "%s", err.message);
    return c;
}

static void setup(void)
{
    cr_assert_eq(emu_proc_start(&emu, "salesforce", NULL), 0, "emu-salesforce did not start");
    conn = connect_sf();
    sleeps = 0;
}

static void teardown(void)
{
    sync_conn_free(conn);
    conn = NULL;
    emu_proc_stop(&emu);
}

TestSuite(salesforce, .init = setup, .fini = teardown, .timeout = 120);

/* n leads with link ids L<tag><i>; record bad (if < n) gets an invalid email. */
static struct sync_conn_rec *make_leads(size_t n, const char *tag, size_t bad, char (*links)[40])
{
    struct sync_conn_rec *recs = calloc(n, sizeof(*recs));
    for (size_t i = 0; i < n; i++) {
        char email[64];
        snprintf(links[i], 40, "L%s%020zu", tag, i);
        snprintf(email, sizeof(email), i == bad ? "not-an-email-%zu" : "lead%zu@%s.example.com", i,
                 tag);
        recs[i].link_id = links[i];
        recs[i].fields = json_pack("{s:s, s:s, s:s, s:s}", "LastName", "Lovelace", "FirstName",
                                   "Ada", "Company", "Analytical Engines", "Email", email);
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

static size_t linked_rows(const char *object)
{
    char path[128];
    json_t *ans = NULL, *r;
    size_t i, n = 0;
    snprintf(path, sizeof(path), "/__emu/records/%s", object);
    cr_assert_eq(emu_proc_control(&emu, "GET", path, NULL, &ans), 200);
    json_array_foreach(json_object_get(ans, "records"), i, r)
    {
        const char *l = sync_json_str(r, "CrmSync_Link_Id__c");
        n += l && *l && !sync_json_bool(r, "IsDeleted", 0);
    }
    json_decref(ans);
    return n;
}

Test(salesforce, password_login_then_relogin_after_sessions_expire)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn_batch b;
    const char *emails[] = {"nobody@example.com"};

    cr_assert_eq(sync_conn_authenticate(conn, &err), SYNC_OK, "%s", err.message);
    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_find_people(conn, emails, 1, NULL, &b, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert_eq(emu_proc_control(&emu, "POST", "/__emu/sessions/expire", NULL, NULL), 200);
    cr_assert_eq(sync_conn_find_people(conn, emails, 1, NULL, &b, &err), SYNC_OK,
                 "no re-login after expiry: %s %s", err.code, err.message);
    cr_assert_eq(json_array_size(b.records), 0);
    sync_conn_batch_release(&b);
}

Test(salesforce, bad_password_is_a_permanent_invalid_grant)
{
    struct sync_conn_config cfg = {0};
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn *c;
    cfg.vendor = SYNC_VENDOR_SALESFORCE;
    cfg.login_url = emu.url;
    cfg.auth = SYNC_AUTH_PASSWORD;
    cfg.client_id = "crmsync-demo";
    cfg.client_secret = "crmsync-demo-secret";
    cfg.username = "integration@crmsync.test";
    cfg.password = "wrong";
    c = sync_conn_new(&cfg, &err);
    cr_assert_eq(sync_conn_authenticate(c, &err), SYNC_ERR_VENDOR);
    cr_assert_str_eq(err.code, "invalid_grant");
    cr_assert_eq(err.cls, SYNC_ERRCLASS_PERMANENT);
    sync_conn_free(c);
}

Test(salesforce, describe_lead_gives_the_neutral_catalogue)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_field_catalog cat;
    const struct sync_field_def *f;

    cr_assert_eq(sync_conn_describe(conn, "Lead", &cat, &err), SYNC_OK, "%s", err.message);
    f = sync_field_catalog_find(&cat, "Email");
    cr_assert_not_null(f);
    cr_assert_eq(f->type, SYNC_FT_EMAIL);
    cr_assert(f->flags & SYNC_FIELD_UPDATEABLE);
    f = sync_field_catalog_find(&cat, "LastName");
    cr_assert(f && (f->flags & SYNC_FIELD_REQUIRED));
    cr_assert_gt(f->length, 0);
    f = sync_field_catalog_find(&cat, "Status");
    cr_assert(f && f->type == SYNC_FT_PICKLIST && f->noptions > 0);
    f = sync_field_catalog_find(&cat, "CrmSync_Link_Id__c");
    cr_assert(f && (f->flags & SYNC_FIELD_EXTERNAL_ID));
    f = sync_field_catalog_find(&cat, "Id");
    cr_assert(f && f->type == SYNC_FT_ID && !(f->flags & SYNC_FIELD_UPDATEABLE));
    sync_field_catalog_release(&cat);
    cr_assert_eq(sync_conn_ensure_link_field(conn, "Lead", &err), SYNC_OK, "%s", err.message);
}

Test(salesforce, upsert_250_leads_in_two_calls_one_bad_email_fails_alone_and_replay_updates)
{
    char links[250][40];
    struct sync_conn_rec *recs = make_leads(250, "up", 7, links);
    struct sync_conn_result *res = calloc(250, sizeof(*res));
    struct sync_err err = SYNC_ERR_INIT;
    const char *route = "PATCH /services/data/vXX.X/composite/sobjects/{object}/{field}";
    long long before = endpoint_calls(route);

    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "Lead", recs, 250, res, &err), SYNC_OK,
                 "%s", err.message);
    cr_assert_eq(endpoint_calls(route) - before, 2);
    for (size_t i = 0; i < 250; i++) {
        if (i == 7) {
            cr_assert_eq(res[i].outcome, SYNC_CONN_FAILED);
            cr_assert_str_eq(res[i].err.code, "INVALID_EMAIL_ADDRESS");
            cr_assert_eq(res[i].err.cls, SYNC_ERRCLASS_PERMANENT);
            cr_assert_eq(sync_err_categorize(SYNC_VENDOR_SALESFORCE, res[i].err.code, 400),
                         SYNC_ERRCAT_PROPERTY_VALUE);
            continue;
        }
        cr_assert_eq(res[i].outcome, SYNC_CONN_OK, "record %zu: %s", i, res[i].err.message);
        cr_assert(res[i].created);
        cr_assert_eq(strlen(res[i].id), 18);
    }
    cr_assert_eq(linked_rows("Lead"), 249);

    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "Lead", recs, 250, res, &err), SYNC_OK);
    for (size_t i = 0; i < 250; i++)
        if (i != 7)
            cr_assert(res[i].outcome == SYNC_CONN_OK && !res[i].created, "record %zu", i);
    cr_assert_eq(linked_rows("Lead"), 249, "a replay must not duplicate");
    free_recs(recs, 250);
    free(res);
}

Test(salesforce, change_window_pages_by_keyset_through_rows_sharing_a_second)
{
    char links[300][40];
    struct sync_conn_rec *recs = make_leads(300, "win", 300, links);
    struct sync_conn_result *res = calloc(300, sizeof(*res));
    struct sync_err err = SYNC_ERR_INIT;
    const char *fields[] = {"Email", "CrmSync_Link_Id__c", NULL};
    struct sync_conn_window w = {0};
    json_t *seen = json_object();
    int64_t start = sync_time_now_ms() - 2000, prev_ts = 0;
    char prev_id[64] = "";
    int pages = 0, same_second_cut = 0;

    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "Lead", recs, 300, res, &err), SYNC_OK);
    w.object = "Lead";
    w.fields = fields;
    w.after.ts_ms = start;
    w.upper_ms = sync_time_now_ms() + 1000;
    w.limit = 40;
    for (;;) {
        struct sync_conn_batch b;
        json_t *r;
        size_t i;
        sync_conn_batch_init(&b);
        cr_assert_eq(sync_conn_read_changes(conn, &w, &b, &err), SYNC_OK, "%s", err.message);
        json_array_foreach(b.records, i, r)
        {
            int64_t ts;
            const char *id = sync_json_str(r, "Id");
            sync_time_parse(sync_json_str(r, "SystemModstamp"), &ts);
            cr_assert(ts > prev_ts || (ts == prev_ts && strcmp(id, prev_id) > 0),
                      "out of keyset order");
            cr_assert_null(json_object_get(seen, id), "record %s read twice", id);
            json_object_set_new(seen, id, json_true());
            prev_ts = ts;
            snprintf(prev_id, sizeof(prev_id), "%s", id);
        }
        pages++;
        if (!b.done && b.next.ts_ms == prev_ts && json_array_size(b.records))
            same_second_cut += 1;
        w.after = b.next;
        if (b.done) {
            sync_conn_batch_release(&b);
            break;
        }
        sync_conn_batch_release(&b);
        cr_assert_lt(pages, 50);
    }
    cr_assert_eq(json_object_size(seen), 300);
    cr_assert_geq(pages, 8);
    cr_assert_gt(same_second_cut, 0, "no page ended inside a second");
    json_decref(seen);
    free_recs(recs, 300);
    free(res);
}

Test(salesforce, get_deleted_reports_deletes_and_merge_masters)
{
    char links[4][40];
    struct sync_conn_rec *recs = make_leads(4, "del", 4, links);
    struct sync_conn_result res[4];
    struct sync_conn_rec del[2] = {{0}};
    struct sync_conn_result dres[2];
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn_batch b;
    char body[256];
    int64_t t0 = sync_time_now_ms() - 120000;
    json_t *d;
    size_t i;
    int found_del = 0, found_merge = 0;

    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "Lead", recs, 4, res, &err), SYNC_OK);
    del[0].id = res[0].id;
    del[1].id = res[1].id;
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_DELETE, "Lead", del, 2, dres, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert_eq(dres[0].outcome, SYNC_CONN_OK);
    snprintf(body, sizeof(body),
             "{\"object\":\"Lead\",\"master_id\":\"%s\",\"loser_ids\":[\"%s\"]}", res[2].id,
             res[3].id);
    cr_assert_eq(emu_proc_control(&emu, "POST", "/__emu/merge", body, NULL), 200);
    /* getDeleted covers whole seconds that have passed */
    nanosleep(&(struct timespec){1, 500000000L}, NULL);

    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_read_deletes(conn, "Lead", t0, sync_time_now_ms() + 60000, &b, &err),
                 SYNC_OK, "%s %s", err.code, err.message);
    json_array_foreach(b.records, i, d)
    {
        const char *id = sync_json_str(d, "id");
        if (strcmp(id, res[0].id) == 0 || strcmp(id, res[1].id) == 0)
            found_del++;
        if (strcmp(id, res[3].id) == 0) {
            cr_assert_str_eq(sync_json_str(d, "masterId"), res[2].id);
            found_merge = 1;
        }
    }
    cr_assert_eq(found_del, 2);
    cr_assert(found_merge);
    cr_assert_gt(b.latest_ms, 0);
    sync_conn_batch_release(&b);
    free_recs(recs, 4);
}

Test(salesforce, find_by_email_is_case_insensitive_over_leads_and_contacts)
{
    char links[3][40];
    struct sync_conn_rec *recs = make_leads(3, "find", 3, links);
    struct sync_conn_result res[3];
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn_batch b;
    const char *emails[] = {"LEAD1@FIND.example.com", "nobody@example.com"};
    json_t *contact =
        json_pack("{s:s, s:s}", "LastName", "Byron", "Email", "lead1@find.example.com");
    struct sync_conn_rec c1 = {"Lcontact0000000000000001", NULL, contact, 0};
    struct sync_conn_result cres;

    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "Lead", recs, 3, res, &err), SYNC_OK);
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "Contact", &c1, 1, &cres, &err), SYNC_OK,
                 "%s", err.message);
    cr_assert_eq(cres.outcome, SYNC_CONN_OK, "%s", cres.err.message);
    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_find_people(conn, emails, 2, NULL, &b, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert_eq(json_array_size(b.records), 2);
    cr_assert_str_eq(
        sync_json_str(json_object_get(json_array_get(b.records, 0), "attributes"), "type"), "Lead");
    cr_assert_str_eq(sync_json_str(json_array_get(b.records, 0), "Id"), res[1].id);
    cr_assert_str_eq(
        sync_json_str(json_object_get(json_array_get(b.records, 1), "attributes"), "type"),
        "Contact");
    cr_assert_not_null(sync_json_str(json_array_get(b.records, 1), "SystemModstamp"));
    sync_conn_batch_release(&b);
    json_decref(contact);
    free_recs(recs, 3);
}

Test(salesforce, usage_callback_sees_sforce_limit_info)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_field_catalog cat;
    cr_assert_eq(sync_conn_describe(conn, "Contact", &cat, &err), SYNC_OK);
    sync_field_catalog_release(&cat);
    cr_assert_gt(usage_used, 0);
    cr_assert_eq(usage_limit, 100000);
}

Test(salesforce, a_503_burst_is_retried_and_succeeds)
{
    char links[1][40];
    struct sync_conn_rec *recs = make_leads(1, "r503", 1, links);
    struct sync_conn_result res[1];
    struct sync_err err = SYNC_ERR_INIT;

    cr_assert_eq(sync_conn_authenticate(conn, &err), SYNC_OK);
    cr_assert_eq(emu_proc_control(&emu, "PUT", "/__emu/faults",
                                  "{\"error_next\":2,\"error_status\":503}", NULL),
                 200);
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "Lead", recs, 1, res, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert_eq(res[0].outcome, SYNC_CONN_OK);
    cr_assert_eq(sleeps, 2, "two backoff waits expected, got %d", sleeps);
    cr_assert_eq(endpoint_calls("PATCH /services/data/vXX.X/composite/sobjects/{object}/{field}"),
                 3);
    free_recs(recs, 1);
}

Test(salesforce, a_write_dropped_after_commit_is_ambiguous_and_read_back_finds_it)
{
    char links[2][40];
    struct sync_conn_rec *recs = make_leads(2, "amb", 2, links);
    struct sync_conn_result res[2];
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn_batch b;
    const char *ids[] = {links[0], links[1]};
    const char *fields[] = {"Email", NULL};

    cr_assert_eq(sync_conn_authenticate(conn, &err), SYNC_OK);
    cr_assert_eq(emu_proc_control(&emu, "PUT", "/__emu/faults", "{\"drop_after_next\":1}", NULL),
                 200);
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "Lead", recs, 2, res, &err), SYNC_ERR_HTTP,
                 "outcome %d: %s %s", res[0].outcome, err.code, err.message);
    cr_assert(sync_conn_err_ambiguous(&err));
    cr_assert_eq(res[0].outcome, SYNC_CONN_AMBIGUOUS);
    cr_assert_eq(res[1].outcome, SYNC_CONN_AMBIGUOUS);
    cr_assert_eq(sleeps, 0, "an ambiguous write must not be resent");

    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_read_back(conn, "Lead", ids, 2, fields, &b, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert_eq(json_array_size(b.records), 2, "the write had committed");
    sync_conn_batch_release(&b);
    cr_assert_eq(linked_rows("Lead"), 2);
    free_recs(recs, 2);
}

Test(salesforce, request_limit_exceeded_is_rate_limited_and_not_retried)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_field_catalog cat;
    long long total_before;
    json_t *stats = NULL;

    cr_assert_eq(sync_conn_describe(conn, "Account", &cat, &err), SYNC_OK); /* one call used */
    sync_field_catalog_release(&cat);
    cr_assert_eq(emu_proc_control(&emu, "PUT", "/__emu/limits", "{\"daily_api_requests\":1}", NULL),
                 200);
    emu_proc_control(&emu, "GET", "/__emu/stats", NULL, &stats);
    total_before = sync_json_int(json_object_get(stats, "calls"), "total", 0);
    json_decref(stats);
    cr_assert_eq(sync_conn_describe(conn, "Lead", &cat, &err), SYNC_ERR_VENDOR);
    cr_assert_str_eq(err.code, "REQUEST_LIMIT_EXCEEDED");
    cr_assert_eq(err.http_status, 403);
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RATELIMITED);
    cr_assert_eq(sleeps, 0, "the daily limit must not be retried");
    emu_proc_control(&emu, "GET", "/__emu/stats", NULL, &stats);
    cr_assert_eq(sync_json_int(json_object_get(stats, "calls"), "total", 0), total_before);
    json_decref(stats);
    sync_field_catalog_release(&cat);
}

Test(salesforce, writes_send_auto_assign_false_unless_the_record_asks_for_assignment)
{
    char links[2][40];
    struct sync_conn_rec *recs = make_leads(2, "asg", 2, links);
    struct sync_conn_result res[2];
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_conn_batch b;
    const char *ids[2];
    const char *fields[] = {"OwnerId", NULL};
    json_t *users = NULL, *u;
    const char *other = NULL;
    char body[128];
    size_t i;

    emu_proc_control(&emu, "GET", "/__emu/records/User", NULL, &users);
    json_array_foreach(json_object_get(users, "records"), i, u)
    {
        const char *name = sync_json_str(u, "Username");
        if (name && strcmp(name, "integration@crmsync.test") != 0)
            other = sync_json_str(u, "Id");
    }
    cr_assert_not_null(other, "the fresh org has other users");
    snprintf(body, sizeof(body), "{\"Lead\":{\"owner_id\":\"%s\"}}", other);
    cr_assert_eq(emu_proc_control(&emu, "PUT", "/__emu/assignment-rules", body, NULL), 200);
    recs[1].flags = SYNC_CONN_REC_ASSIGN;
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_UPSERT, "Lead", recs, 2, res, &err), SYNC_OK);
    ids[0] = res[0].id;
    ids[1] = res[1].id;
    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_fetch(conn, "Lead", NULL, ids, 2, fields, &b, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert_eq(json_array_size(b.records), 2);
    cr_assert_str_neq(sync_json_str(json_array_get(b.records, 0), "OwnerId"), other);
    cr_assert_str_eq(sync_json_str(json_array_get(b.records, 1), "OwnerId"), other);
    sync_conn_batch_release(&b);
    json_decref(users);
    free_recs(recs, 2);
}
