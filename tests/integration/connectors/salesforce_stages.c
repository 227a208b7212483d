/*
 * Integration tests of src/connectors/salesforce_stages.c against the real
 * emu-salesforce binary over HTTP: the active opportunity record types
 * (with the integration user's default) and stages as neutral rows, and
 * the plain create (SYNC_CONN_CREATE) that makes opportunity contact
 * roles. Each test starts its own emulator.
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
    cr_assert_eq(emu_proc_connect(&emu, "salesforce", &conn), 0, "no connection to emu-salesforce");
}

static void teardown(void)
{
    sync_conn_free(conn);
    conn = NULL;
    emu_proc_stop(&emu);
}

TestSuite(salesforce_stages, .init = setup, .fini = teardown, .timeout = 120);

Test(salesforce_stages, record_types_and_stages_are_listed_with_the_default_type)
{
    struct sync_conn_batch b;
    struct sync_err err = SYNC_ERR_INIT;
    const json_t *r;
    size_t i;
    int types = 0, defaults = 0, won = 0, open = 0;
    const char *def = NULL;

    sync_conn_batch_init(&b);
    cr_assert_eq(sync_conn_list_stages(conn, 0, &b, &err), SYNC_OK, "%s", err.message);
    json_array_foreach(b.records, i, r)
    {
        if (strcmp(sync_json_str(r, "kind"), "record_type") == 0) {
            types++;
            if (sync_json_bool(r, "default", 0))
                defaults++, def = sync_json_str(r, "name");
        } else if (sync_json_bool(r, "won", 0)) {
            won++;
            cr_assert_str_eq(sync_json_str(r, "stage"), "Closed Won");
        } else {
            open += !sync_json_bool(r, "closed", 1);
        }
    }
    cr_assert_eq(types, 2, "the fresh org's two opportunity record types (not the Case ones)");
    cr_assert_eq(defaults, 1);
    cr_assert_str_eq(def, "New_Business");
    cr_assert_eq(won, 1);
    cr_assert_eq(open, 8);
    sync_conn_batch_release(&b);
}

/* One record made through the REST API; its id into out. */
static void make(const char *object, const char *body, char out[64])
{
    struct sync_conn_rec rec = {0};
    struct sync_conn_result res;
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_err perr = SYNC_ERR_INIT;

    rec.fields = sync_json_parse(body, strlen(body), &perr);
    cr_assert_not_null(rec.fields, "%s", perr.message);
    cr_assert_eq(sync_conn_write(conn, SYNC_CONN_CREATE, object, &rec, 1, &res, &err), SYNC_OK,
                 "%s", err.message);
    cr_assert_eq(res.outcome, SYNC_CONN_OK, "%s", res.err.message);
    snprintf(out, 64, "%s", res.id);
    json_decref(rec.fields);
}

Test(salesforce_stages, contact_roles_are_made_by_plain_create_and_read_by_opportunity)
{
    char opp[64], c1[64], c2[64];
    struct sync_conn_rec recs[2] = {{0}, {0}};
    struct sync_conn_result res[2];
    struct sync_conn_batch b;
    struct sync_err err = SYNC_ERR_INIT;
    const char *fields[] = {"OpportunityId", "ContactId", NULL};
    const char *ids[1];

    make("Opportunity",
         "{\"Name\":\"Roles\",\"StageName\":\"Prospecting\",\"CloseDate\":"
         "\"2026-12-01\"}",
         opp);
    make("Contact", "{\"LastName\":\"Lovelace\"}", c1);
    make("Contact", "{\"LastName\":\"Hopper\"}", c2);
    recs[0].fields = json_pack("{s:s, s:s}", "OpportunityId", opp, "ContactId", c1);
    recs[1].fields = json_pack("{s:s, s:s}", "OpportunityId", opp, "ContactId", "003000000000000");
    cr_assert_eq(
        sync_conn_write(conn, SYNC_CONN_CREATE, "OpportunityContactRole", recs, 2, res, &err),
        SYNC_OK, "%s", err.message);
    cr_assert_eq(res[0].outcome, SYNC_CONN_OK);
    cr_assert_eq(res[1].outcome, SYNC_CONN_FAILED, "a bad contact fails alone");
    json_decref(recs[0].fields);
    json_decref(recs[1].fields);

    ids[0] = opp;
    sync_conn_batch_init(&b);
    cr_assert_eq(
        sync_conn_fetch(conn, "OpportunityContactRole", "OpportunityId", ids, 1, fields, &b, &err),
        SYNC_OK, "%s", err.message);
    cr_assert_eq(json_array_size(b.records), 1);
    cr_assert_str_eq(sync_json_str(json_array_get(b.records, 0), "ContactId"), c1);
    sync_conn_batch_release(&b);
    (void)c2;
}
