/*
 * Integration tests of src/connectors/hubspot_assoc.c against the real
 * emu-hubspot binary over HTTP: v4 association batch reads (one call for
 * many records, the primary company, records without associations),
 * batch create (per-pair results, primary company type) and archive, and
 * the deal pipelines as stage rows. Each test starts its own emulator.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "connectors/connector.h"
#include "core/json.h"
#include "tests/lib/emu_proc.h"

static struct emu_proc emu;
static struct sync_conn *conn;

static void setup(void)
{
    cr_assert_eq(emu_proc_connect(&emu, "hubspot", &conn), 0, "no connection to emu-hubspot");
}

static void teardown(void)
{
    sync_conn_free(conn);
    conn = NULL;
    emu_proc_stop(&emu);
}

TestSuite(hubspot_assoc, .init = setup, .fini = teardown, .timeout = 120);

/* A record made as a user would (control API); its id into out. */
static void make(const char *type, const char *props, char out[32])
{
    char path[64], body[512];
    json_t *ans = NULL;

    snprintf(path, sizeof(path), "/__emu/records/%s", type);
    snprintf(body, sizeof(body), "{\"properties\":%s}", props);
    cr_assert_eq(emu_proc_control(&emu, "POST", path, body, &ans), 201);
    snprintf(out, 32, "%s", sync_json_str(ans, "id"));
    json_decref(ans);
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

static const json_t *row_of(const json_t *records, const char *from)
{
    const json_t *r;
    size_t i;
    json_array_foreach(records, i, r)
    {
        if (strcmp(sync_json_str(r, "from"), from) == 0)
            return r;
    }
    return NULL;
}

#define READ_ROUTE "POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read"
#define CREATE_ROUTE "POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create"

Test(hubspot_assoc, made_associations_are_read_back_in_one_call_with_the_primary_company)
{
    char d1[32], d2[32], d3[32], co1[32], co2[32], c1[32];
    struct sync_conn_assoc pairs[3];
    struct sync_conn_result res[3];
    struct sync_conn_batch b;
    struct sync_err err = SYNC_ERR_INIT;
    const char *ids[3];
    const json_t *row;

    make("deals", "{\"dealname\":\"one\"}", d1);
    make("deals", "{\"dealname\":\"two\"}", d2);
    make("deals", "{\"dealname\":\"three\"}", d3);
    make("companies", "{\"name\":\"Acme\"}", co1);
    make("companies", "{\"name\":\"Globex\"}", co2);
    make("contacts", "{\"email\":\"ada@example.com\"}", c1);

    pairs[0] = (struct sync_conn_assoc){d1, co1};
    pairs[1] = (struct sync_conn_assoc){d2, co2};
    pairs[2] = (struct sync_conn_assoc){d2, "99999999999"}; /* no such company */
    cr_assert_eq(sync_conn_associate(conn, "deals", "companies", pairs, 3, 0, res, &err), SYNC_OK,
                 "%s", err.message);
    cr_assert_eq(res[0].outcome, SYNC_CONN_OK);
    cr_assert_eq(res[1].outcome, SYNC_CONN_OK);
    cr_assert_eq(res[2].outcome, SYNC_CONN_FAILED, "a bad pair fails alone");
    cr_assert_eq(endpoint_calls(CREATE_ROUTE), 1);
    pairs[0] = (struct sync_conn_assoc){d1, c1};
    cr_assert_eq(sync_conn_associate(conn, "deals", "contacts", pairs, 1, 0, res, &err), SYNC_OK);
    cr_assert_eq(res[0].outcome, SYNC_CONN_OK);

    ids[0] = d1, ids[1] = d2, ids[2] = d3;
    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_read_assoc(conn, "deals", "companies", ids, 3, &b, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert_eq(endpoint_calls(READ_ROUTE), 1, "one call for every record");
    row = row_of(b.records, d1);
    cr_assert_not_null(row);
    cr_assert_str_eq(sync_json_str(row, "primary"), co1, "made as the primary company");
    cr_assert_str_eq(sync_json_str(row_of(b.records, d2), "primary"), co2);
    cr_assert_null(row_of(b.records, d3), "a deal without companies has no row");
    sync_conn_batch_release(&b);

    /* archive: the company goes */
    pairs[0] = (struct sync_conn_assoc){d1, co1};
    cr_assert_eq(sync_conn_associate(conn, "deals", "companies", pairs, 1, 1, res, &err), SYNC_OK);
    cr_assert_eq(res[0].outcome, SYNC_CONN_OK);
    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_read_assoc(conn, "deals", "companies", ids, 1, &b, &err), SYNC_OK);
    cr_assert_null(row_of(b.records, d1));
    sync_conn_batch_release(&b);
    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_read_assoc(conn, "deals", "contacts", ids, 1, &b, &err), SYNC_OK);
    cr_assert_str_eq(
        json_string_value(json_array_get(json_object_get(row_of(b.records, d1), "to"), 0)), c1);
    sync_conn_batch_release(&b);
}

Test(hubspot_assoc, the_deal_pipelines_are_listed_as_stage_rows)
{
    struct sync_conn_batch b;
    struct sync_err err = SYNC_ERR_INIT;
    const json_t *r;
    size_t i;
    int won = 0, lost = 0, open = 0;

    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_list_stages(conn, 0, &b, &err), SYNC_OK, "%s", err.message);
    json_array_foreach(b.records, i, r)
    {
        cr_assert_str_eq(sync_json_str(r, "kind"), "stage");
        cr_assert_str_eq(sync_json_str(r, "pipeline"), "default");
        cr_assert_str_eq(sync_json_str(r, "pipeline_label"), "Sales Pipeline");
        if (strcmp(sync_json_str(r, "stage"), "closedwon") == 0)
            won = sync_json_bool(r, "won", 0) && sync_json_bool(r, "closed", 0);
        else if (strcmp(sync_json_str(r, "stage"), "closedlost") == 0)
            lost = !sync_json_bool(r, "won", 1) && sync_json_bool(r, "closed", 0);
        else
            open += !sync_json_bool(r, "closed", 1);
    }
    cr_assert(won, "Closed Won is closed and won");
    cr_assert(lost, "Closed Lost is closed, not won");
    cr_assert_eq(open, 5, "the five open stages of the default pipeline");
    sync_conn_batch_release(&b);
}

Test(hubspot_assoc, a_record_with_more_than_a_page_of_targets_is_read_whole)
{
    enum { N = 520 };
    static char ids[N][32];
    static struct sync_conn_assoc pairs[N];
    static struct sync_conn_result res[N];
    char deal[32], other[32], props[64];
    struct sync_conn_batch b;
    struct sync_err err = SYNC_ERR_INIT;
    const char *from[2];
    long long before;

    make("deals", "{\"dealname\":\"big\"}", deal);
    make("deals", "{\"dealname\":\"small\"}", other);
    for (int i = 0; i < N; i++) {
        snprintf(props, sizeof(props), "{\"email\":\"p%d@example.com\"}", i);
        make("contacts", props, ids[i]);
        pairs[i] = (struct sync_conn_assoc){deal, ids[i]};
    }
    cr_assert_eq(sync_conn_associate(conn, "deals", "contacts", pairs, N, 0, res, &err), SYNC_OK,
                 "%s", err.message);
    pairs[0] = (struct sync_conn_assoc){other, ids[0]};
    cr_assert_eq(sync_conn_associate(conn, "deals", "contacts", pairs, 1, 0, res, &err), SYNC_OK);
    before = endpoint_calls(READ_ROUTE);
    from[0] = deal, from[1] = other;
    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_read_assoc(conn, "deals", "contacts", from, 2, &b, &err), SYNC_OK, "%s",
                 err.message);
    cr_assert_eq(json_array_size(json_object_get(row_of(b.records, deal), "to")), N,
                 "every target, past the first page of 500");
    cr_assert_eq(json_array_size(json_object_get(row_of(b.records, other), "to")), 1);
    cr_assert_eq(endpoint_calls(READ_ROUTE) - before, 2, "one more call for the second page");
    sync_conn_batch_release(&b);
}
