/*
 * Tests src/engine/import.c's pure pieces and its store-side calls: the
 * progress figures (done, rate, time left) for running, resumed and
 * finished jobs, the progress JSON, the SOQL of a page and of the count,
 * the bracket check of a filter, and listing, getting and cancelling jobs on an in-memory store.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/json.h"
#include "engine/import.h"

#define OK(x) cr_assert_eq((x), SYNC_OK, "%s: %s", #x, err.message)

static struct sync_import_row row(const char *state, int64_t total, int64_t read)
{
    struct sync_import_row r;

    memset(&r, 0, sizeof(r));
    r.id = 7;
    r.system = "salesforce";
    r.object = "Lead";
    r.state = state;
    r.total = total;
    r.read = read;
    r.queued = read;
    r.started_at = r.run_started_at = 1000000;
    r.updated_at = 1000000;
    return r;
}

Test(import_figures, a_running_job_reports_done_rate_and_time_left_from_its_reads)
{
    struct sync_import_row r = row("running", 1000, 250);
    struct sync_import_figures f;

    sync_import_figures(&r, 1000000 + 5000, &f); /* 250 read in 5 s */
    cr_assert_float_eq(f.done_percent, 25.0, 1e-9);
    cr_assert_float_eq(f.rate_per_s, 50.0, 1e-9);
    cr_assert_eq(f.eta_s, 15, "750 left at 50/s");
}

Test(import_figures, a_resumed_job_counts_the_rate_of_its_latest_run_only)
{
    struct sync_import_row r = row("running", 1000, 600);
    struct sync_import_figures f;

    /* 500 were read by a run killed an hour ago; this run began at 2000000 with 500 read */
    r.run_started_at = 2000000;
    r.run_read = 500;
    sync_import_figures(&r, 2000000 + 2000, &f);
    cr_assert_float_eq(f.rate_per_s, 50.0, 1e-9, "100 in 2 s, not 600 over the hour");
    cr_assert_eq(f.eta_s, 8);
    cr_assert_float_eq(f.done_percent, 60.0, 1e-9);
}

Test(import_figures, time_left_is_unknown_before_the_first_page_and_without_a_total)
{
    struct sync_import_row r = row("running", 1000, 0);
    struct sync_import_figures f;

    sync_import_figures(&r, 1000000 + 3000, &f);
    cr_assert_eq(f.rate_per_s, 0.0);
    cr_assert_eq(f.eta_s, -1);
    r = row("running", -1, 40);
    sync_import_figures(&r, 1000000 + 1000, &f);
    cr_assert_eq(f.done_percent, -1.0, "no total, no percentage");
    cr_assert_eq(f.eta_s, -1);
    cr_assert_float_eq(f.rate_per_s, 40.0, 1e-9);
}

Test(import_figures, more_read_than_counted_stays_at_100_percent_with_nothing_left)
{
    struct sync_import_row r = row("running", 10, 12); /* records added since the count */
    struct sync_import_figures f;

    sync_import_figures(&r, 1000000 + 1000, &f);
    cr_assert_float_eq(f.done_percent, 100.0, 1e-9);
    cr_assert_eq(f.eta_s, 0);
}

Test(import_figures, a_finished_job_keeps_the_rate_of_its_run_and_has_no_time_left)
{
    struct sync_import_row r = row("done", 0, 0);
    struct sync_import_figures f;

    sync_import_figures(&r, 9000000, &f);
    cr_assert_float_eq(f.done_percent, 100.0, 1e-9, "an empty import is done");
    cr_assert_eq(f.eta_s, 0);
    r = row("failed", 100, 40);
    r.finished_at = 1000000 + 4000;
    sync_import_figures(&r, 9000000, &f);
    cr_assert_float_eq(f.rate_per_s, 10.0, 1e-9, "measured up to the end, not up to now");
    cr_assert_eq(f.eta_s, -1, "a failed job has no time left until resumed");
    cr_assert_float_eq(f.done_percent, 40.0, 1e-9);
}

Test(import_progress, the_json_names_what_is_read_and_leaves_unknowns_null)
{
    struct sync_import_row r = row("running", -1, 3);
    json_t *p;

    r.filter = "LeadSource = 'Web'";
    p = sync_import_progress_json(&r, 1000000 + 1000);
    cr_assert_not_null(p);
    cr_assert_eq(sync_json_int(p, "id", 0), 7);
    cr_assert_str_eq(sync_json_str(json_object_get(p, "what"), "system"), "salesforce");
    cr_assert_str_eq(sync_json_str(json_object_get(p, "what"), "object"), "Lead");
    cr_assert_str_eq(sync_json_str(json_object_get(p, "what"), "where"), "LeadSource = 'Web'");
    cr_assert_null(json_object_get(json_object_get(p, "what"), "list_id"));
    cr_assert_str_eq(sync_json_str(p, "state"), "running");
    cr_assert(json_is_null(json_object_get(p, "total")));
    cr_assert(json_is_null(json_object_get(p, "done_percent")));
    cr_assert(json_is_null(json_object_get(p, "eta_s")));
    cr_assert(json_is_null(json_object_get(p, "finished_at")));
    cr_assert(json_is_null(json_object_get(p, "error")));
    cr_assert_eq(sync_json_int(p, "read", 0), 3);
    cr_assert_eq(sync_json_int(p, "queued", 0), 3);
    cr_assert_float_eq(json_number_value(json_object_get(p, "rate_per_s")), 3.0, 1e-9);
    cr_assert_str_eq(sync_json_str(p, "started_at"), "1970-01-01T00:16:40.000Z");
    json_decref(p);
}

Test(import_progress, figures_are_rounded_to_a_tenth)
{
    struct sync_import_row r = row("running", 3, 1);
    json_t *p = sync_import_progress_json(&r, 1000000 + 3000);

    cr_assert_float_eq(json_number_value(json_object_get(p, "done_percent")), 33.3, 1e-9);
    cr_assert_float_eq(json_number_value(json_object_get(p, "rate_per_s")), 0.3, 1e-9);
    cr_assert_eq(sync_json_int(p, "eta_s", -5), 6, "2 left at 1/3 per second");
    json_decref(p);
}

/* ---- SOQL ---- */

Test(import_soql, a_page_wraps_the_filter_and_starts_after_the_last_id)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);
    const char *fields[] = {"Email", "Id", "LastName", "email", NULL};

    cr_assert_eq(sync_import_soql_page(&b, "Lead", fields, "LeadSource = 'Web' OR Rating = 'Hot'",
                                       "00Q000000000001AAA", 50),
                 SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b),
                     "SELECT Id, SystemModstamp, IsDeleted, Email, LastName FROM Lead WHERE "
                     "(LeadSource = 'Web' OR Rating = 'Hot') AND Id > '00Q000000000001AAA' "
                     "ORDER BY Id LIMIT 50");
    sync_buf_release(&b);
}

Test(import_soql, a_first_page_without_a_filter_reads_from_the_start)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);

    cr_assert_eq(sync_import_soql_page(&b, "Account", NULL, NULL, NULL, 2000), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b),
                     "SELECT Id, SystemModstamp, IsDeleted FROM Account ORDER BY Id LIMIT 2000");
    sync_buf_reset(&b);
    cr_assert_eq(sync_import_soql_page(&b, "Account", NULL, "", "001' OR Name != '", 10), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b),
                     "SELECT Id, SystemModstamp, IsDeleted FROM Account WHERE "
                     "Id > '001\\' OR Name != \\'' ORDER BY Id LIMIT 10",
                     "the position is a quoted literal");
    sync_buf_release(&b);
}

Test(import_soql, field_and_object_names_must_be_plain)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);
    const char *bad[] = {"Email, (SELECT Id FROM Tasks)", NULL};

    cr_assert_eq(sync_import_soql_page(&b, "Lead", bad, NULL, NULL, 5), SYNC_ERR_INVALID);
    sync_buf_reset(&b);
    cr_assert_eq(sync_import_soql_page(&b, "Lead WHERE", NULL, NULL, NULL, 5), SYNC_ERR_INVALID);
    sync_buf_reset(&b);
    cr_assert_eq(sync_import_soql_count(&b, "Lead", "LeadSource = 'Web'"), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b), "SELECT COUNT() FROM Lead WHERE (LeadSource = 'Web')");
    sync_buf_reset(&b);
    cr_assert_eq(sync_import_soql_count(&b, "Contact", NULL), SYNC_OK);
    cr_assert_str_eq(sync_buf_str(&b), "SELECT COUNT() FROM Contact");
    sync_buf_release(&b);
}

/* ---- jobs in a store ---- */

static struct sync_store *store_with_jobs(int64_t *a, int64_t *b)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = NULL;
    struct sync_import_row r;

    OK(sync_store_open(&st, "sqlite::memory:", &err));
    memset(&r, 0, sizeof(r));
    r.system = "salesforce";
    r.object = "Lead";
    r.filter = "LeadSource = 'Web'";
    r.total = 12;
    OK(sync_store_import_insert(st, &r, a, &err));
    memset(&r, 0, sizeof(r));
    r.system = "hubspot";
    r.object = "contacts";
    r.list_id = "42";
    r.total = 3;
    OK(sync_store_import_insert(st, &r, b, &err));
    return st;
}

Test(import_where, conditions_whose_brackets_balance_are_taken)
{
    cr_assert(sync_import_where_balanced(NULL));
    cr_assert(sync_import_where_balanced(""));
    cr_assert(sync_import_where_balanced("LeadSource = 'Web'"));
    cr_assert(sync_import_where_balanced("(A = 1 OR B = 2) AND (C = 3 OR (D = 4))"));
    cr_assert(sync_import_where_balanced("Name = 'a) OR (b'"), "brackets in a string count not");
    cr_assert(sync_import_where_balanced("Name = 'it\\'s (x' AND Id IN ('a', 'b')"),
              "an escaped quote does not end the string");
    cr_assert(sync_import_where_balanced("Name = 'back\\\\' AND (A = 1)"),
              "an escaped backslash does not escape the quote after it");
}

Test(import_where, conditions_that_would_escape_the_page_query_brackets_are_refused)
{
    cr_assert(!sync_import_where_balanced("LeadSource = 'Web') OR (LeadSource = 'Phone'"),
              "A) OR (B closes the brackets the page query wraps it in");
    cr_assert(!sync_import_where_balanced("A = 1) OR (B = 2"));
    cr_assert(!sync_import_where_balanced("(A = 1"));
    cr_assert(!sync_import_where_balanced("A = 1)"));
    cr_assert(!sync_import_where_balanced(")("), "balanced in count, not in order");
    cr_assert(!sync_import_where_balanced("Name = 'open) OR (B = 1"), "a string left open");
    cr_assert(!sync_import_where_balanced("Name = 'x\\') OR (B = 1"),
              "the escaped quote leaves the string open");
}

Test(import_where, a_create_with_an_unbalanced_condition_fails_before_anything_is_stored)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = NULL;
    struct sync_config cfg;
    struct sync_import_spec spec = {"salesforce", "Lead", "A = 1) OR (B = 2", NULL};
    json_t *list = NULL;
    int64_t id = 5;

    memset(&cfg, 0, sizeof(cfg));
    OK(sync_store_open(&st, "sqlite::memory:", &err));
    cr_assert_eq(sync_import_create(&cfg, st, &spec, &id, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "parentheses do not balance"), "%s", err.message);
    cr_assert_eq(id, 0);
    OK(sync_import_list(st, &list, &err));
    cr_assert_eq(json_array_size(list), 0, "no job stored");
    json_decref(list);
    sync_store_close(st);
}

Test(import_jobs, list_shows_the_newest_first_and_get_one)
{
    struct sync_err err = SYNC_ERR_INIT;
    int64_t a, b;
    struct sync_store *st = store_with_jobs(&a, &b);
    json_t *list = NULL, *one = NULL;

    OK(sync_store_import_advance(st, a, NULL, 5, 4, "00Q5", &err));
    OK(sync_import_list(st, &list, &err));
    cr_assert_eq(json_array_size(list), 2);
    cr_assert_eq(sync_json_int(json_array_get(list, 0), "id", 0), b);
    cr_assert_str_eq(sync_json_str(json_object_get(json_array_get(list, 0), "what"), "list_id"),
                     "42");
    OK(sync_import_get(st, a, &one, &err));
    cr_assert_eq(sync_json_int(one, "read", 0), 5);
    cr_assert_eq(sync_json_int(one, "queued", 0), 4);
    cr_assert_eq(sync_json_int(one, "total", 0), 12);
    cr_assert_float_eq(json_number_value(json_object_get(one, "done_percent")), 41.7, 1e-9);
    json_decref(one);
    json_decref(list);
    cr_assert_eq(sync_import_get(st, 99, &one, &err), SYNC_ERR_NOT_FOUND);
    cr_assert_null(one);
    sync_store_close(st);
}

Test(import_jobs, a_cancelled_job_takes_no_more_pages_and_cannot_be_cancelled_twice)
{
    struct sync_err err = SYNC_ERR_INIT;
    int64_t a, b;
    struct sync_store *st = store_with_jobs(&a, &b);
    json_t *one = NULL;

    OK(sync_import_cancel(st, a, &err));
    cr_assert_eq(sync_store_import_advance(st, a, NULL, 1, 1, "x", &err), SYNC_ERR_NOT_FOUND);
    cr_assert_eq(sync_import_cancel(st, a, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "cancelled, not running"), "%s", err.message);
    cr_assert_eq(sync_import_cancel(st, 99, &err), SYNC_ERR_NOT_FOUND);
    OK(sync_import_get(st, a, &one, &err));
    cr_assert_str_eq(sync_json_str(one, "state"), "cancelled");
    cr_assert(json_is_string(json_object_get(one, "finished_at")));
    json_decref(one);
    sync_store_close(st);
}
