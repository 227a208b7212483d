/*
 * Tests src/engine/health.c on an in-memory store: the summary's grouping
 * and counts (errors, distinct records, examples, unknown categories), the
 * error list's filters and paging, the CSV export's RFC 4180 quoting, a
 * record's sync card (link, last syncs, errors of both sides, decisions,
 * the inclusion list), and the resync markers put in the inbox.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "connectors/connector.h"
#include "core/json.h"
#include "engine/health.h"
#include "engine/planner.h"
#include "store/store.h"

#define OK(x) cr_assert_eq((x), SYNC_OK, "%s: %s", #x, err.message)

static struct sync_err err = SYNC_ERR_INIT;

static struct sync_store *open_mem(void)
{
    struct sync_store *st = NULL;
    OK(sync_store_open(&st, "sqlite::memory:", &err));
    return st;
}

static void add_error(struct sync_store *st, const char *system, const char *object, const char *id,
                      const char *category, const char *code, const char *message)
{
    struct sync_error_row e;

    memset(&e, 0, sizeof(e));
    e.system = system;
    e.object = object;
    e.record_id = id;
    e.category = category;
    e.code = code;
    e.message = message;
    OK(sync_store_error_record(st, &e, &err));
}

static const json_t *category_of(const json_t *summary, const char *name)
{
    const json_t *c;
    size_t i;

    json_array_foreach(json_object_get(summary, "categories"), i, c)
    {
        if (strcmp(sync_json_str(c, "category"), name) == 0)
            return c;
    }
    return NULL;
}

static int has_example(const json_t *c, const char *msg)
{
    const json_t *v;
    size_t i;

    json_array_foreach(json_object_get(c, "examples"), i, v)
    {
        if (strcmp(json_string_value(v), msg) == 0)
            return 1;
    }
    return 0;
}

/* The open error id of a record's category. */
struct find_ctx {
    const char *category;
    int64_t id;
};

static enum sync_rc find_row(void *ctx, const struct sync_error_row *e)
{
    struct find_ctx *f = ctx;
    if (strcmp(e->category, f->category) == 0)
        f->id = e->id;
    return SYNC_OK;
}

static int64_t error_id(struct sync_store *st, const char *system, const char *object,
                        const char *id, const char *category)
{
    struct sync_error_query q;
    struct find_ctx f = {category, 0};

    memset(&q, 0, sizeof(q));
    q.system = system, q.object = object, q.record_id = id;
    q.include_resolved = 1;
    OK(sync_store_error_list(st, &q, find_row, &f, &err));
    cr_assert_gt(f.id, 0);
    return f.id;
}

/* ---- the catalogue ---- */

Test(health, every_category_the_engine_records_has_a_card_title_and_fix)
{
    const char *names[SYNC_PLAN_ERR__COUNT + SYNC_ERRCAT_OWNER + 2];
    size_t n = 0;
    json_t *all = sync_health_categories_json();

    /* every category the planner opens and every one apply files a vendor error under */
    for (int k = 0; k < SYNC_PLAN_ERR__COUNT; k++)
        names[n++] = sync_plan_errcat_name((enum sync_plan_errcat)k);
    for (int k = 0; k <= SYNC_ERRCAT_OWNER; k++)
        names[n++] = sync_err_category_name((enum sync_err_category)k);
    for (size_t i = 0; i < n; i++) {
        const struct sync_health_category *c = sync_health_category_find(names[i]);
        cr_assert_not_null(c, "%s", names[i]);
        cr_assert(strlen(c->card) > 0 && strlen(c->title) > 0 && strlen(c->fix) > 40, "%s",
                  names[i]);
    }
    cr_assert_str_eq(sync_health_category_find("no_email")->card, "Property value");
    cr_assert_str_eq(sync_health_category_find("custom_code")->card, "Custom code");
    cr_assert_null(sync_health_category_find("DUPLICATE"));
    cr_assert_eq(json_array_size(all), 12);
    json_decref(all);
}

/* ---- summary ---- */

Test(health, summary_counts_errors_and_distinct_records_per_category_most_first)
{
    struct sync_store *st = open_mem();
    json_t *s;
    const json_t *c;

    add_error(st, "hubspot", "contacts", "1", "custom_code", "FIELD_CUSTOM_VALIDATION_EXCEPTION",
              "rule A");
    add_error(st, "hubspot", "contacts", "2", "custom_code", "FIELD_CUSTOM_VALIDATION_EXCEPTION",
              "rule A");
    add_error(st, "hubspot", "contacts", "3", "custom_code", "FIELD_CUSTOM_VALIDATION_EXCEPTION",
              "rule B");
    add_error(st, "hubspot", "contacts", "1", "property_value", "STRING_TOO_LONG", "too long");
    add_error(st, "salesforce", "Lead", "00Q000000000001EAA", "no_email", NULL, "no email");
    add_error(st, "hubspot", "contacts", "9", "picklist", NULL, "resolved later");
    OK(sync_store_error_resolve(st, "hubspot", "contacts", "9", NULL, &err));
    add_error(st, "hubspot", "contacts", "1", "custom_code", "FIELD_CUSTOM_VALIDATION_EXCEPTION",
              "rule A"); /* a second attempt: still one error */

    OK(sync_health_summary(st, &s, &err));
    cr_assert_eq(sync_json_int(s, "open_errors", 0), 5);
    cr_assert_eq(sync_json_int(s, "affected_records", 0), 4, "record 1 has two categories");
    cr_assert_eq(json_array_size(json_object_get(s, "categories")), 3, "resolved ones drop out");
    cr_assert_str_eq(sync_json_str(json_array_get(json_object_get(s, "categories"), 0), "category"),
                     "custom_code");
    c = category_of(s, "custom_code");
    cr_assert_eq(sync_json_int(c, "errors", 0), 3);
    cr_assert_eq(sync_json_int(c, "records", 0), 3);
    cr_assert_str_eq(sync_json_str(c, "card"), "Custom code");
    cr_assert_str_eq(sync_json_str(c, "fix"), sync_health_category_find("custom_code")->fix);
    cr_assert_eq(json_array_size(json_object_get(c, "examples")), 2, "distinct messages");
    cr_assert(has_example(c, "rule A") && has_example(c, "rule B"));
    cr_assert_null(category_of(s, "picklist"));
    cr_assert_str_eq(sync_json_str(category_of(s, "no_email"), "card"), "Property value");
    json_decref(s);
    sync_store_close(st);
}

Test(health, summary_keeps_at_most_three_examples_and_files_unknown_categories_under_other)
{
    struct sync_store *st = open_mem();
    char id[8], msg[32];
    json_t *s;
    const json_t *c;

    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof(id), "%d", i);
        snprintf(msg, sizeof(msg), "message %d", i);
        add_error(st, "hubspot", "contacts", id, "property_value", NULL, msg);
    }
    add_error(st, "hubspot", "contacts", "7", "FUTURE_KIND", NULL, "from a newer build");
    OK(sync_health_summary(st, &s, &err));
    c = category_of(s, "property_value");
    cr_assert_eq(json_array_size(json_object_get(c, "examples")), SYNC_HEALTH_EXAMPLES);
    c = category_of(s, "FUTURE_KIND");
    cr_assert_not_null(c);
    cr_assert_str_eq(sync_json_str(c, "card"), "Other");
    cr_assert_eq(sync_json_int(c, "errors", 0), 1);
    json_decref(s);
    sync_store_close(st);
}

Test(health, summary_of_a_clean_store_is_empty)
{
    struct sync_store *st = open_mem();
    json_t *s;

    OK(sync_health_summary(st, &s, &err));
    cr_assert_eq(sync_json_int(s, "open_errors", -1), 0);
    cr_assert_eq(sync_json_int(s, "affected_records", -1), 0);
    cr_assert_eq(json_array_size(json_object_get(s, "categories")), 0);
    json_decref(s);
    sync_store_close(st);
}

/* ---- the list ---- */

Test(health, errors_filter_by_category_system_and_object_and_page_with_a_bounded_limit)
{
    struct sync_store *st = open_mem();
    struct sync_health_query q;
    char id[8];
    json_t *page, *e;

    for (int i = 0; i < 7; i++) {
        snprintf(id, sizeof(id), "%d", i);
        add_error(st, "hubspot", "contacts", id, i % 2 ? "picklist" : "property_value", "CODE",
                  "m");
    }
    add_error(st, "salesforce", "Lead", "00Q000000000001EAA", "no_email", NULL, NULL);

    memset(&q, 0, sizeof(q));
    OK(sync_health_errors(st, &q, &page, &err));
    cr_assert_eq(sync_json_int(page, "total", 0), 8);
    cr_assert_eq(sync_json_int(page, "limit", 0), SYNC_HEALTH_PAGE_DEFAULT);
    cr_assert(json_is_null(json_object_get(page, "next_offset")));
    e = json_array_get(json_object_get(page, "errors"), 0);
    cr_assert_str_eq(sync_json_str(json_object_get(e, "record"), "system"), "salesforce",
                     "newest first");
    cr_assert(json_is_null(json_object_get(e, "code")));
    cr_assert(json_is_null(json_object_get(e, "message")));
    cr_assert_str_eq(sync_json_str(e, "fix"), sync_health_category_find("no_email")->fix);
    json_decref(page);

    q.category = "picklist";
    OK(sync_health_errors(st, &q, &page, &err));
    cr_assert_eq(sync_json_int(page, "total", 0), 3);
    json_decref(page);

    q.category = NULL;
    q.system = "salesforce";
    q.object = "lead"; /* Salesforce object names match without case */
    OK(sync_health_errors(st, &q, &page, &err));
    cr_assert_eq(sync_json_int(page, "total", 0), 1);
    json_decref(page);

    memset(&q, 0, sizeof(q));
    q.system = "hubspot";
    q.limit = 3;
    q.offset = 3;
    OK(sync_health_errors(st, &q, &page, &err));
    cr_assert_eq(sync_json_int(page, "total", 0), 7);
    cr_assert_eq(json_array_size(json_object_get(page, "errors")), 3);
    cr_assert_eq(sync_json_int(page, "next_offset", 0), 6);
    json_decref(page);

    q.offset = 6;
    OK(sync_health_errors(st, &q, &page, &err));
    cr_assert_eq(json_array_size(json_object_get(page, "errors")), 1);
    cr_assert(json_is_null(json_object_get(page, "next_offset")));
    json_decref(page);

    q.offset = 0;
    q.limit = 1000000;
    OK(sync_health_errors(st, &q, &page, &err));
    cr_assert_eq(sync_json_int(page, "limit", 0), SYNC_HEALTH_PAGE_MAX);
    json_decref(page);
    sync_store_close(st);
}

/* ---- CSV ---- */

Test(health, csv_has_a_header_and_quotes_commas_quotes_and_line_breaks_rfc4180)
{
    struct sync_store *st = open_mem();
    struct sync_buf b = SYNC_BUF_INIT(0);
    struct sync_health_query q;
    const char *text, *row;

    add_error(st, "hubspot", "contacts", "1", "custom_code", "FIELD_CUSTOM_VALIDATION_EXCEPTION",
              "Test companies, the \"fake\" ones,\nare not leads");
    memset(&q, 0, sizeof(q));
    OK(sync_health_csv(st, &q, &b, &err));
    text = sync_buf_str(&b);
    cr_assert(strncmp(text,
                      "id,category,card,system,object,record_id,link_id,code,message,attempts,"
                      "first_seen,last_seen,fix\r\n",
                      strlen("id,category,card,system,object,record_id,link_id,code,message,"
                             "attempts,first_seen,last_seen,fix\r\n")) == 0,
              "%s", text);
    row = strstr(text, "\r\n") + 2;
    cr_assert(strncmp(row,
                      "1,custom_code,Custom code,hubspot,contacts,1,,"
                      "FIELD_CUSTOM_VALIDATION_EXCEPTION,"
                      "\"Test companies, the \"\"fake\"\" ones,\nare not leads\",1,",
                      strlen("1,custom_code,Custom code,hubspot,contacts,1,,"
                             "FIELD_CUSTOM_VALIDATION_EXCEPTION,"
                             "\"Test companies, the \"\"fake\"\" ones,\nare not leads\",1,")) == 0,
              "%s", row);
    cr_assert(strstr(row, "Z,") != NULL, "ISO-8601 times");
    cr_assert_eq(strcmp(text + b.len - 2, "\r\n"), 0, "every line ends in CRLF");
    sync_buf_release(&b);
    sync_store_close(st);
}

Test(health, csv_that_does_not_fit_its_buffer_fails_with_whole_rows_only)
{
    struct sync_store *st = open_mem();
    struct sync_buf b = SYNC_BUF_INIT(700);
    struct sync_health_query q;
    char id[8];

    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof(id), "%d", i);
        add_error(st, "hubspot", "contacts", id, "other", NULL, "x");
    }
    memset(&q, 0, sizeof(q));
    cr_assert_eq(sync_health_csv(st, &q, &b, &err), SYNC_ERR_TOO_LARGE);
    cr_assert_eq(strcmp(sync_buf_str(&b) + b.len - 2, "\r\n"), 0, "no half row");
    sync_buf_release(&b);
    sync_store_close(st);
}

/* ---- the card ---- */

static void linked_pair(struct sync_store *st, struct sync_link *l)
{
    memset(l, 0, sizeof(*l));
    snprintf(l->kind, sizeof(l->kind), "contact");
    snprintf(l->hs_id, sizeof(l->hs_id), "101");
    snprintf(l->sf_object, sizeof(l->sf_object), "Lead");
    snprintf(l->sf_id, sizeof(l->sf_id), "00Q000000000001EAA");
    l->state = SYNC_LINK_LINKED;
    OK(sync_store_link_insert(st, l, &err));
    l->last_to_sf = 1700000000000;
    OK(sync_store_link_update(st, l, &err));
}

static void add_decision(struct sync_store *st, const char *system, const char *object,
                         const char *id, const char *link_id, const char *action, const char *trace)
{
    struct sync_decision_row d;

    memset(&d, 0, sizeof(d));
    d.system = system, d.object = object, d.record_id = id, d.link_id = link_id;
    d.action = action, d.trace = trace;
    OK(sync_store_decision_append(st, &d, 0, &err));
}

Test(health, card_shows_the_link_last_syncs_errors_of_both_sides_and_latest_decisions)
{
    struct sync_store *st = open_mem();
    struct sync_link l;
    json_t *card;
    const json_t *link;

    linked_pair(st, &l);
    add_decision(st, "hubspot", "contacts", "101", l.link_id, "create_sf", "made the lead");
    add_decision(st, "salesforce", "Lead", "00Q000000000001EAA", l.link_id, "skip_echo", "echo");
    add_error(st, "salesforce", "Lead", "00Q000000000001EAA", "property_value", "STRING_TOO_LONG",
              "too long for HubSpot");

    /* named by its 15-character id: the same record */
    OK(sync_health_card(st, "salesforce", "Lead", "00Q000000000001", &card, &err));
    cr_assert_str_eq(sync_json_str(json_object_get(card, "record"), "id"), "00Q000000000001EAA");
    link = json_object_get(card, "link");
    cr_assert_str_eq(sync_json_str(link, "link_id"), l.link_id);
    cr_assert_str_eq(sync_json_str(link, "state"), "LINKED");
    cr_assert_str_eq(sync_json_str(json_object_get(link, "hubspot"), "object"), "contacts");
    cr_assert_str_eq(sync_json_str(json_object_get(link, "hubspot"), "id"), "101");
    cr_assert_str_eq(sync_json_str(json_object_get(link, "salesforce"), "object"), "Lead");
    cr_assert_eq(sync_json_int(json_object_get(card, "last_sync"), "to_salesforce", 0),
                 1700000000000);
    cr_assert(json_is_null(json_object_get(json_object_get(card, "last_sync"), "to_hubspot")));
    cr_assert_str_eq(sync_json_str(json_object_get(card, "error"), "code"), "STRING_TOO_LONG");
    cr_assert_eq(json_array_size(json_object_get(card, "decisions")), 2, "decisions of both sides");
    cr_assert(json_is_null(json_object_get(card, "inclusion_list")));
    json_decref(card);

    /* the HubSpot side's card shows its counterpart's error too */
    OK(sync_health_card(st, "hubspot", "contacts", "101", &card, &err));
    cr_assert_str_eq(sync_json_str(json_object_get(card, "error"), "category"), "property_value");
    cr_assert_eq(json_array_size(json_object_get(card, "errors")), 1);
    json_decref(card);
    sync_store_close(st);
}

Test(health, card_says_a_contact_is_a_member_when_its_newest_plan_found_it_in_the_list)
{
    struct sync_store *st = open_mem();
    json_t *card;

    add_decision(st, "hubspot", "contacts", "6", NULL, "skip",
                 "contact 6: not in the inclusion list \"Sync me\": it does not sync to "
                 "Salesforce");
    add_decision(st, "hubspot", "contacts", "6", NULL, "create_sf",
                 "contact 6: a member of the inclusion list \"Sync me\"\ncontact 6: created");
    OK(sync_health_card(st, "hubspot", "contacts", "6", &card, &err));
    cr_assert(json_is_true(json_object_get(json_object_get(card, "inclusion_list"), "member")));
    cr_assert_str_eq(sync_json_str(json_object_get(card, "inclusion_list"), "list"), "Sync me");
    json_decref(card);
    sync_store_close(st);
}

Test(health, card_of_an_unlinked_record_has_no_link_and_its_newest_error)
{
    struct sync_store *st = open_mem();
    json_t *card;
    const json_t *d;

    add_error(st, "hubspot", "contacts", "5", "no_email", NULL, "no email address");
    add_decision(st, "hubspot", "contacts", "5", NULL, "error", "no email address");
    add_decision(st, "hubspot", "contacts", "5", NULL, "skip",
                 "contact 5: not in the inclusion list \"Sync me\": it does not sync to "
                 "Salesforce");
    OK(sync_health_card(st, "hubspot", "contacts", "5", &card, &err));
    cr_assert(json_is_null(json_object_get(card, "link")));
    cr_assert(json_is_null(json_object_get(json_object_get(card, "last_sync"), "to_salesforce")));
    cr_assert_str_eq(sync_json_str(json_object_get(card, "error"), "category"), "no_email");
    d = json_array_get(json_object_get(card, "decisions"), 0);
    cr_assert_str_eq(sync_json_str(d, "action"), "skip", "newest first");
    cr_assert(json_is_false(json_object_get(json_object_get(card, "inclusion_list"), "member")));
    cr_assert_str_eq(sync_json_str(json_object_get(card, "inclusion_list"), "list"), "Sync me");
    json_decref(card);

    cr_assert_eq(sync_health_card(st, "hubspot", "widgets", "5", &card, &err), SYNC_ERR_INVALID);
    cr_assert_null(card);
    cr_assert_eq(sync_health_card(st, "zendesk", "contacts", "5", &card, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

/* ---- resync ---- */

struct taken {
    int n;
    char system[32], object[64], id[64], payload[1024];
    int64_t version;
};

static enum sync_rc take_row(void *ctx, const struct sync_change *c)
{
    struct taken *t = ctx;
    t->n++;
    snprintf(t->system, sizeof(t->system), "%s", c->system);
    snprintf(t->object, sizeof(t->object), "%s", c->object);
    snprintf(t->id, sizeof(t->id), "%s", c->record_id);
    snprintf(t->payload, sizeof(t->payload), "%s", c->payload);
    t->version = c->version;
    return SYNC_OK;
}

static json_t *marker_of(const struct taken *t)
{
    json_t *p = json_loads(t->payload, 0, NULL);
    cr_assert(sync_health_is_resync(p), "%s", t->payload);
    return p;
}

Test(health, resync_by_error_ids_queues_each_record_once_as_a_marker_at_version_zero)
{
    struct sync_store *st = open_mem();
    struct taken t = {0};
    json_t *res, *p;
    int64_t ids[4];

    add_error(st, "hubspot", "contacts", "1", "custom_code", NULL, "rule");
    add_error(st, "hubspot", "contacts", "1", "property_value", NULL, "too long");
    add_error(st, "hubspot", "contacts", "2", "picklist", NULL, "bad option");
    ids[0] = error_id(st, "hubspot", "contacts", "1", "custom_code");
    ids[1] = 424242;
    ids[2] = error_id(st, "hubspot", "contacts", "1", "property_value");
    ids[3] = error_id(st, "hubspot", "contacts", "1", "custom_code"); /* asked twice */
    OK(sync_health_resync(st, ids, 4, &res, &err));
    cr_assert_eq(sync_json_int(res, "queued", 0), 1, "one record");
    cr_assert_eq(json_array_size(json_object_get(res, "results")), 4, "one result per id");
    cr_assert_str_eq(sync_json_str(json_array_get(json_object_get(res, "results"), 0), "status"),
                     "queued");
    cr_assert_str_eq(sync_json_str(json_array_get(json_object_get(res, "results"), 1), "status"),
                     "not_found");
    cr_assert_str_eq(sync_json_str(json_array_get(json_object_get(res, "results"), 2), "status"),
                     "queued");
    json_decref(res);

    OK(sync_store_inbox_take(st, 10, take_row, &t, &err));
    cr_assert_eq(t.n, 1);
    cr_assert_str_eq(t.system, "hubspot");
    cr_assert_str_eq(t.object, "contacts");
    cr_assert_str_eq(t.id, "1");
    cr_assert_eq(t.version, 0);
    p = marker_of(&t);
    cr_assert_str_eq(sync_json_str(p, "id"), "1");
    cr_assert_eq(
        json_array_size(json_object_get(json_object_get(p, SYNC_HEALTH_RESYNC_MARK), "errors")), 2,
        "both errors of the record");
    json_decref(p);

    /* the errors stay open until the record syncs */
    {
        struct sync_health_query q;
        json_t *page;
        memset(&q, 0, sizeof(q));
        OK(sync_health_errors(st, &q, &page, &err));
        cr_assert_eq(sync_json_int(page, "total", 0), 3);
        json_decref(page);
    }
    sync_store_close(st);
}

Test(health, resync_leaves_a_captured_change_in_place_and_a_capture_replaces_the_marker)
{
    struct sync_store *st = open_mem();
    struct sync_change c;
    struct taken t = {0};
    json_t *res;

    memset(&c, 0, sizeof(c));
    c.system = "hubspot", c.object = "contacts", c.record_id = "7", c.version = 1700000000000;
    c.payload = "{\"id\":\"7\",\"properties\":{}}";
    OK(sync_store_inbox_put(st, &c, NULL, &err));
    OK(sync_health_resync_record(st, "hubspot", "contacts", "7", &res, &err));
    cr_assert_str_eq(sync_json_str(json_array_get(json_object_get(res, "results"), 0), "status"),
                     "waiting");
    json_decref(res);
    OK(sync_store_inbox_take(st, 10, take_row, &t, &err));
    cr_assert_eq(t.n, 1);
    cr_assert_eq(t.version, 1700000000000, "the captured change is kept");
    OK(sync_store_inbox_delete(st, "hubspot", "contacts", "7", t.version, &err));

    OK(sync_health_resync_record(st, "hubspot", "contacts", "7", &res, &err));
    cr_assert_str_eq(sync_json_str(json_array_get(json_object_get(res, "results"), 0), "status"),
                     "queued");
    json_decref(res);
    OK(sync_store_inbox_put(st, &c, NULL, &err)); /* captured after the resync */
    memset(&t, 0, sizeof(t));
    OK(sync_store_inbox_take(st, 10, take_row, &t, &err));
    cr_assert_eq(t.n, 1);
    cr_assert_eq(t.version, 1700000000000, "the newer capture replaced the marker");
    sync_store_close(st);
}

Test(health, resync_of_a_record_normalises_salesforce_names_and_lists_its_open_errors)
{
    struct sync_store *st = open_mem();
    struct taken t = {0};
    json_t *res, *p;
    const json_t *r;

    add_error(st, "salesforce", "Lead", "00Q000000000001EAA", "no_email", NULL, "no email");
    OK(sync_health_resync_record(st, "salesforce", "lead", "00Q000000000001", &res, &err));
    r = json_array_get(json_object_get(res, "results"), 0);
    cr_assert_str_eq(sync_json_str(json_object_get(r, "record"), "object"), "Lead");
    cr_assert_str_eq(sync_json_str(json_object_get(r, "record"), "id"), "00Q000000000001EAA");
    cr_assert_eq(json_array_size(json_object_get(r, "errors")), 1);
    json_decref(res);
    OK(sync_store_inbox_take(st, 10, take_row, &t, &err));
    cr_assert_str_eq(t.object, "Lead");
    cr_assert_str_eq(t.id, "00Q000000000001EAA");
    p = marker_of(&t);
    cr_assert_str_eq(sync_json_str(p, "Id"), "00Q000000000001EAA", "Salesforce's id key");
    json_decref(p);

    cr_assert_eq(sync_health_resync_record(st, "salesforce", "Widget__c", "1", &res, &err),
                 SYNC_ERR_INVALID);
    /* an id the vendor would refuse is refused here: it would block the round's batch read */
    cr_assert_eq(sync_health_resync_record(st, "salesforce", "Lead", "foo", &res, &err),
                 SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "not a Salesforce record id"), "%s", err.message);
    cr_assert_eq(sync_health_resync_record(st, "hubspot", "contacts", "12a", &res, &err),
                 SYNC_ERR_INVALID);
    sync_store_close(st);
}

Test(health, resync_of_a_resolved_error_queues_nothing_and_too_many_ids_are_refused)
{
    struct sync_store *st = open_mem();
    struct taken t = {0};
    int64_t id, many[SYNC_HEALTH_RESYNC_MAX + 1];
    json_t *res;

    add_error(st, "hubspot", "contacts", "3", "picklist", NULL, "bad option");
    id = error_id(st, "hubspot", "contacts", "3", "picklist");
    OK(sync_store_error_resolve(st, "hubspot", "contacts", "3", NULL, &err));
    OK(sync_health_resync(st, &id, 1, &res, &err));
    cr_assert_eq(sync_json_int(res, "queued", -1), 0);
    cr_assert_str_eq(sync_json_str(json_array_get(json_object_get(res, "results"), 0), "status"),
                     "resolved");
    json_decref(res);
    OK(sync_store_inbox_take(st, 10, take_row, &t, &err));
    cr_assert_eq(t.n, 0);

    for (size_t i = 0; i < SYNC_HEALTH_RESYNC_MAX + 1; i++)
        many[i] = (int64_t)i + 1;
    cr_assert_eq(sync_health_resync(st, many, SYNC_HEALTH_RESYNC_MAX + 1, &res, &err),
                 SYNC_ERR_INVALID);
    cr_assert_null(res);
    sync_store_close(st);
}

Test(health, resync_of_an_error_filed_under_its_link_queues_the_links_record)
{
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct sync_error_row e;
    struct taken t = {0};
    int64_t id;
    json_t *res;

    linked_pair(st, &l);
    memset(&e, 0, sizeof(e));
    e.system = "salesforce", e.object = "Lead", e.record_id = l.link_id, e.link_id = l.link_id;
    e.category = "other", e.message = "the outbox entry cannot be read";
    OK(sync_store_error_record(st, &e, &err));
    id = error_id(st, "salesforce", "Lead", l.link_id, "other");
    OK(sync_health_resync(st, &id, 1, &res, &err));
    cr_assert_eq(sync_json_int(res, "queued", 0), 1);
    json_decref(res);
    OK(sync_store_inbox_take(st, 10, take_row, &t, &err));
    cr_assert_str_eq(t.system, "hubspot");
    cr_assert_str_eq(t.id, "101");
    sync_store_close(st);
}
