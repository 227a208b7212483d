/*
 * Tests src/store/store.c through the public interface on the SQLite
 * backend: URLs, argument checks, transactions, every operation, the
 * callback guard, the fault seam, and ENGINE.md invariants 4 and 5 at
 * store level (a crash is a close without commit, then a reopen).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/time.h"
#include "store/store.h"

#define OK(x) cr_assert_eq((x), SYNC_OK, "%s: %s", #x, err.message)

static struct sync_store *open_url(const char *url)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = NULL;

    OK(sync_store_open(&st, url, &err));
    return st;
}

static struct sync_store *open_mem(void)
{
    return open_url("sqlite::memory:");
}

/* ---- a scratch folder for file databases ---- */

static char scratch[256];

static void scratch_make(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(scratch, sizeof(scratch), "%s/crmsync-storeXXXXXX", t && *t ? t : "/tmp");
    cr_assert_not_null(mkdtemp(scratch));
}

static void scratch_url(char *out, size_t n, const char *name)
{
    snprintf(out, n, "sqlite:%s/%s", scratch, name);
}

static void scratch_remove(const char *name)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[512];
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s%s", scratch, name, suffixes[i]);
        unlink(p);
    }
}

static void scratch_done(const char *name)
{
    scratch_remove(name);
    rmdir(scratch);
}

/* ---- fixtures ---- */

static void make_link(struct sync_store *st, const char *hs, const char *sf,
                      enum sync_link_state state, struct sync_link *out)
{
    struct sync_err err = SYNC_ERR_INIT;
    memset(out, 0, sizeof(*out));
    snprintf(out->kind, sizeof(out->kind), "contact");
    snprintf(out->hs_id, sizeof(out->hs_id), "%s", hs);
    snprintf(out->sf_object, sizeof(out->sf_object), "Contact");
    snprintf(out->sf_id, sizeof(out->sf_id), "%s", sf);
    out->state = state;
    OK(sync_store_link_insert(st, out, &err));
}

static struct sync_change change(const char *system, const char *id, int64_t version,
                                 const char *payload)
{
    struct sync_change c = {0};
    c.system = system;
    c.object = strcmp(system, "hubspot") == 0 ? "contacts" : "Contact";
    c.record_id = id;
    c.version = version;
    c.payload = payload;
    return c;
}

static int64_t enqueue(struct sync_store *st, const char *link_id, const char *target,
                       const char *object, const char *op, int64_t at)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_outbox_entry e = {0};
    int64_t id = 0;
    e.link_id = link_id;
    e.target = target;
    e.object = object;
    e.op = op;
    e.payload = "{\"properties\":{}}";
    e.next_attempt_at = at;
    OK(sync_store_outbox_enqueue(st, &e, &id, &err));
    return id;
}

/* ---- collectors ---- */

#define CAP 32

struct rows {
    int n;
    int64_t id[CAP];
    int64_t num[CAP]; /* version, attempts, count: what the row type has */
    char a[CAP][128]; /* the main string of the row */
    char b[CAP][128]; /* a second string */
    int stop_after;   /* 0: never; k: return stop_rc on the k-th row */
    enum sync_rc stop_rc;
};

static enum sync_rc rows_add(struct rows *r, int64_t id, int64_t num, const char *a, const char *b)
{
    if (r->stop_after && r->n + 1 == r->stop_after)
        return r->stop_rc;
    cr_assert_lt(r->n, CAP);
    r->id[r->n] = id;
    r->num[r->n] = num;
    snprintf(r->a[r->n], sizeof(r->a[0]), "%s", a ? a : "(null)");
    snprintf(r->b[r->n], sizeof(r->b[0]), "%s", b ? b : "(null)");
    r->n++;
    return SYNC_OK;
}

static enum sync_rc on_setting(void *ctx, const char *key, const char *json)
{
    return rows_add(ctx, 0, 0, key, json);
}

static enum sync_rc on_mapping(void *ctx, const struct sync_store_mapping *m)
{
    return rows_add(ctx, m->id, m->builtin, m->hs_property, m->sf_field);
}

static enum sync_rc on_link(void *ctx, const struct sync_link *l)
{
    return rows_add(ctx, 0, l->state, l->link_id, l->hs_id);
}

static enum sync_rc on_ledger(void *ctx, const struct sync_ledger_entry *e)
{
    return rows_add(ctx, 0, e->agreed_at, e->field, e->value);
}

static enum sync_rc on_change(void *ctx, const struct sync_change *c)
{
    return rows_add(ctx, c->id, c->version, c->record_id, c->payload);
}

static enum sync_rc on_outbox(void *ctx, const struct sync_outbox_entry *e)
{
    return rows_add(ctx, e->id, e->attempts, e->op, e->object);
}

static enum sync_rc on_error(void *ctx, const struct sync_error_row *e)
{
    return rows_add(ctx, e->id, e->attempts, e->category, e->message);
}

static enum sync_rc on_count(void *ctx, const char *category, int64_t open)
{
    return rows_add(ctx, 0, open, category, NULL);
}

static enum sync_rc on_conflict(void *ctx, const struct sync_conflict_row *c)
{
    return rows_add(ctx, c->id, c->hs_at, c->field, c->winner);
}

static enum sync_rc on_decision(void *ctx, const struct sync_decision_row *d)
{
    return rows_add(ctx, d->id, d->at, d->action, d->trace);
}

static int inbox_count(struct sync_store *st)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct rows r = {0};
    OK(sync_store_inbox_take(st, CAP, on_change, &r, &err));
    return r.n;
}

static int has_cursor(struct sync_store *st, const char *source)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_buf b = SYNC_BUF_INIT(1024);
    enum sync_rc rc = sync_store_cursor_get(st, source, &b, NULL, &err);
    sync_buf_release(&b);
    cr_assert(rc == SYNC_OK || rc == SYNC_ERR_NOT_FOUND, "%s", err.message);
    return rc == SYNC_OK;
}

/* ---- opening ---- */

Test(store, refuses_postgres_urls_until_that_backend_is_built)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = (struct sync_store *)&err;

    cr_assert_eq(sync_store_open(&st, "postgres://crmsync@127.0.0.1/crmsync", &err),
                 SYNC_ERR_INVALID);
    cr_assert_null(st);
    cr_assert(strstr(err.message, "not built yet"), "%s", err.message);
    cr_assert_eq(sync_store_open(&st, "postgresql://x/y", &err), SYNC_ERR_INVALID);
}

Test(store, refuses_unknown_schemes_and_empty_urls)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st;

    cr_assert_eq(sync_store_open(&st, "mysql://x", &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "unknown store URL"), "%s", err.message);
    cr_assert_eq(sync_store_open(&st, "", &err), SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_open(&st, "sqlite:", &err), SYNC_ERR_INVALID);
}

Test(store, info_names_the_backend_the_schema_and_an_install_id)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_store_info info;

    OK(sync_store_info(st, &info, &err));
    cr_assert_str_eq(info.backend, "sqlite");
    cr_assert_geq(info.schema_latest, 1);
    cr_assert_eq(info.schema_version, info.schema_latest);
    cr_assert_eq(strlen(info.install_id), SYNC_STORE_INSTALL_ID_LEN);
    cr_assert_eq(strspn(info.install_id, "0123456789abcdef"), SYNC_STORE_INSTALL_ID_LEN);
    OK(sync_store_check(st, &err));
    sync_store_close(st);
}

Test(store, in_memory_stores_are_private)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *a = open_mem(), *b = open_mem();

    OK(sync_store_cursor_set(a, "hubspot:contacts", "1", &err));
    cr_assert(has_cursor(a, "hubspot:contacts"));
    cr_assert_not(has_cursor(b, "hubspot:contacts"));
    sync_store_close(a);
    sync_store_close(b);
}

/* ---- transactions ---- */

Test(store, nested_begin_is_refused_and_the_open_transaction_goes_on)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();

    OK(sync_store_begin(st, &err));
    OK(sync_store_cursor_set(st, "salesforce:Lead", "a", &err));
    cr_assert_eq(sync_store_begin(st, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "already open"), "%s", err.message);
    cr_assert(sync_store_in_transaction(st));
    OK(sync_store_commit(st, &err));
    cr_assert_not(sync_store_in_transaction(st));
    cr_assert(has_cursor(st, "salesforce:Lead"));
    sync_store_close(st);
}

Test(store, commit_and_rollback_without_begin_are_refused)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();

    cr_assert_eq(sync_store_commit(st, &err), SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_rollback(st, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

Test(store, rollback_undoes_inbox_rows_and_cursor_together)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_change a = change("salesforce", "003A", 10, "{}");
    struct sync_change b = change("salesforce", "003B", 11, "{}");

    OK(sync_store_begin(st, &err));
    OK(sync_store_inbox_put(st, &a, NULL, &err));
    OK(sync_store_inbox_put(st, &b, NULL, &err));
    OK(sync_store_cursor_set(st, "salesforce:Contact", "11", &err));
    OK(sync_store_rollback(st, &err));
    cr_assert_eq(inbox_count(st), 0);
    cr_assert_not(has_cursor(st, "salesforce:Contact"));

    OK(sync_store_begin(st, &err));
    OK(sync_store_inbox_put(st, &a, NULL, &err));
    OK(sync_store_cursor_set(st, "salesforce:Contact", "10", &err));
    OK(sync_store_commit(st, &err));
    cr_assert_eq(inbox_count(st), 1);
    cr_assert(has_cursor(st, "salesforce:Contact"));
    sync_store_close(st);
}

Test(store, a_savepoint_rollback_undoes_its_part_and_the_transaction_keeps_the_rest)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_change a = change("salesforce", "003A", 10, "{}");
    struct sync_change b = change("salesforce", "003B", 11, "{}");

    cr_assert_eq(sync_store_savepoint(st, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "needs a transaction"), "%s", err.message);
    OK(sync_store_begin(st, &err));
    OK(sync_store_savepoint(st, &err));
    OK(sync_store_inbox_put(st, &a, NULL, &err));
    OK(sync_store_savepoint_release(st, &err));
    OK(sync_store_savepoint(st, &err));
    OK(sync_store_inbox_put(st, &b, NULL, &err));
    OK(sync_store_savepoint(st, &err)); /* nested */
    OK(sync_store_cursor_set(st, "salesforce:Contact", "11", &err));
    OK(sync_store_savepoint_release(st, &err));
    OK(sync_store_savepoint_rollback(st, &err)); /* undoes b and the nested cursor */
    cr_assert_eq(sync_store_savepoint_release(st, &err), SYNC_ERR_INVALID);
    cr_assert(sync_store_in_transaction(st));
    OK(sync_store_commit(st, &err));
    cr_assert_eq(inbox_count(st), 1);
    cr_assert_not(has_cursor(st, "salesforce:Contact"));
    sync_store_close(st);
}

Test(store, a_fault_at_a_savepoint_release_leaves_it_for_the_callers_rollback)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_change a = change("salesforce", "003A", 10, "{}");

    OK(sync_store_begin(st, &err));
    OK(sync_store_savepoint(st, &err));
    OK(sync_store_inbox_put(st, &a, NULL, &err));
    sync_store_fault_set(st, 1, 0);
    cr_assert_eq(sync_store_savepoint_release(st, &err), SYNC_ERR_IO);
    OK(sync_store_savepoint_rollback(st, &err));
    OK(sync_store_commit(st, &err));
    cr_assert_eq(inbox_count(st), 0);
    sync_store_close(st);
}

Test(store, a_failed_operation_inside_a_transaction_leaves_it_open_for_rollback)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct sync_ledger_entry e = {"L000000000000000000000000", "email", "a@b.c", "hubspot", 0};

    OK(sync_store_begin(st, &err));
    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    cr_assert_eq(sync_store_ledger_put(st, &e, &err), SYNC_ERR_NOT_FOUND);
    cr_assert(sync_store_in_transaction(st));
    OK(sync_store_rollback(st, &err));
    cr_assert_eq(sync_store_link_get(st, l.link_id, &l, &err), SYNC_ERR_NOT_FOUND);
    sync_store_close(st);
}

struct reentry {
    struct sync_store *st;
    enum sync_rc rc;
};

static enum sync_rc reenter(void *ctx, const char *key, const char *json)
{
    struct reentry *r = ctx;
    struct sync_err err = SYNC_ERR_INIT;
    r->rc = sync_store_setting_set(r->st, "other", "1", &err);
    return SYNC_OK;
}

Test(store, a_callback_that_calls_the_store_is_refused)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct reentry r = {st, SYNC_OK};
    struct sync_buf b = SYNC_BUF_INIT(64);

    OK(sync_store_setting_set(st, "sync.enabled", "true", &err));
    OK(sync_store_setting_list(st, reenter, &r, &err));
    cr_assert_eq(r.rc, SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_setting_get(st, "other", &b, &err), SYNC_ERR_NOT_FOUND);
    sync_buf_release(&b);
    sync_store_close(st);
}

/* ---- settings ---- */

Test(store, settings_keep_json_values_and_list_in_key_order)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_buf b = SYNC_BUF_INIT(1024);
    struct rows r = {0};

    OK(sync_store_setting_set(st, "triggers.create_contacts", "{\"leads\":true}", &err));
    OK(sync_store_setting_set(st, "deletes.propagate", "false", &err));
    OK(sync_store_setting_set(st, "deletes.propagate", "true", &err));
    OK(sync_store_setting_get(st, "deletes.propagate", &b, &err));
    cr_assert_str_eq(sync_buf_str(&b), "true");
    OK(sync_store_setting_list(st, on_setting, &r, &err));
    cr_assert_eq(r.n, 2);
    cr_assert_str_eq(r.a[0], "deletes.propagate");
    cr_assert_str_eq(r.a[1], "triggers.create_contacts");
    cr_assert_str_eq(r.b[1], "{\"leads\":true}");
    sync_buf_release(&b);
    sync_store_close(st);
}

Test(store, a_deleted_setting_is_unset_and_deleting_an_unset_one_is_fine)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_buf b = SYNC_BUF_INIT(1024);
    struct rows r = {0};

    OK(sync_store_setting_set(st, "sync", "false", &err));
    OK(sync_store_setting_set(st, "deal_sync", "true", &err));
    OK(sync_store_setting_delete(st, "sync", &err));
    OK(sync_store_setting_delete(st, "sync", &err));
    cr_assert_eq(sync_store_setting_get(st, "sync", &b, &err), SYNC_ERR_NOT_FOUND);
    OK(sync_store_setting_list(st, on_setting, &r, &err));
    cr_assert_eq(r.n, 1);
    cr_assert_str_eq(r.a[0], "deal_sync");
    sync_buf_release(&b);
    sync_store_close(st);
}

Test(store, setting_values_must_be_json)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_buf b = SYNC_BUF_INIT(64);

    cr_assert_eq(sync_store_setting_set(st, "k", "{not json", &err), SYNC_ERR_PARSE);
    cr_assert_eq(sync_store_setting_set(st, "k", NULL, &err), SYNC_ERR_PARSE);
    cr_assert_eq(sync_store_setting_get(st, "k", &b, &err), SYNC_ERR_NOT_FOUND);
    OK(sync_store_setting_set(st, "k", "\"text\"", &err));
    sync_buf_release(&b);
    sync_store_close(st);
}

Test(store, setting_get_respects_the_callers_buffer_cap)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_buf b = SYNC_BUF_INIT(4);

    OK(sync_store_setting_set(st, "k", "\"longer than four\"", &err));
    cr_assert_eq(sync_store_setting_get(st, "k", &b, &err), SYNC_ERR_TOO_LARGE);
    cr_assert_eq(b.len, 0);
    sync_buf_release(&b);
    sync_store_close(st);
}

/* ---- mappings ---- */

Test(store, mappings_insert_list_by_kind_and_delete)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_store_mapping m = {0, "contact", "email", "Lead", "Email", "two_way", 1};
    struct rows r = {0};
    int64_t email_id = 0, phone_id = 0, name_id = 0;

    OK(sync_store_mapping_insert(st, &m, &email_id, &err));
    m.hs_property = "phone", m.sf_field = "Phone", m.builtin = 0;
    OK(sync_store_mapping_insert(st, &m, &phone_id, &err));
    m.kind = "company", m.hs_property = "name", m.sf_object = "Account", m.sf_field = "Name";
    OK(sync_store_mapping_insert(st, &m, &name_id, &err));
    cr_assert(email_id && phone_id && name_id && email_id != phone_id);

    OK(sync_store_mapping_list(st, "contact", on_mapping, &r, &err));
    cr_assert_eq(r.n, 2);
    cr_assert_str_eq(r.a[0], "email");
    cr_assert_eq(r.num[0], 1);
    cr_assert_str_eq(r.b[1], "Phone");

    OK(sync_store_mapping_delete(st, email_id, &err));
    cr_assert_eq(sync_store_mapping_delete(st, email_id, &err), SYNC_ERR_NOT_FOUND);
    memset(&r, 0, sizeof(r));
    OK(sync_store_mapping_list(st, NULL, on_mapping, &r, &err));
    cr_assert_eq(r.n, 2);
    cr_assert_str_eq(r.a[0], "phone");
    cr_assert_str_eq(r.a[1], "name");
    sync_store_close(st);
}

Test(store, a_second_mapping_of_one_property_to_one_object_is_refused)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_store_mapping m = {0, "contact", "email", "Lead", "Email", "two_way", 1};

    OK(sync_store_mapping_insert(st, &m, NULL, &err));
    m.sf_field = "Email__c";
    cr_assert_eq(sync_store_mapping_insert(st, &m, NULL, &err), SYNC_ERR_INVALID);
    m.sf_object = "Contact"; /* the same property on the other object is fine */
    OK(sync_store_mapping_insert(st, &m, NULL, &err));
    m.rule = NULL;
    cr_assert_eq(sync_store_mapping_insert(st, &m, NULL, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

/* ---- links ---- */

Test(store, link_insert_assigns_fresh_link_ids)
{
    struct sync_store *st = open_mem();
    struct sync_link a, b;

    make_link(st, "101", "003A", SYNC_LINK_LINKED, &a);
    make_link(st, "102", "", SYNC_LINK_PENDING_CREATE, &b);
    cr_assert_eq(strlen(a.link_id), SYNC_LINK_ID_LEN);
    cr_assert_eq(a.link_id[0], 'L');
    cr_assert_eq(strspn(a.link_id + 1, "0123456789abcdef"), SYNC_LINK_ID_LEN - 1);
    cr_assert_str_neq(a.link_id, b.link_id);
    cr_assert_gt(a.created_at, 0);
    sync_store_close(st);
}

Test(store, link_insert_as_keeps_the_callers_link_id_once)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l = {0}, got, again;

    snprintf(l.link_id, sizeof(l.link_id), "L0123456789abcdef01234567");
    snprintf(l.kind, sizeof(l.kind), "contact");
    snprintf(l.hs_id, sizeof(l.hs_id), "101");
    snprintf(l.sf_object, sizeof(l.sf_object), "Lead");
    l.state = SYNC_LINK_PENDING_CREATE;
    OK(sync_store_link_insert_as(st, &l, &err));
    cr_assert_gt(l.created_at, 0);
    OK(sync_store_link_get(st, "L0123456789abcdef01234567", &got, &err));
    cr_assert_str_eq(got.hs_id, "101");
    cr_assert_eq(got.state, SYNC_LINK_PENDING_CREATE);
    again = l;
    snprintf(again.hs_id, sizeof(again.hs_id), "102");
    cr_assert_eq(sync_store_link_insert_as(st, &again, &err), SYNC_ERR_INVALID, "id taken");
    snprintf(again.link_id, sizeof(again.link_id), "L0123456789ABCDEF01234567");
    cr_assert_eq(sync_store_link_insert_as(st, &again, &err), SYNC_ERR_INVALID, "not a link id");
    again.link_id[0] = '\0';
    cr_assert_eq(sync_store_link_insert_as(st, &again, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

Test(store, links_are_found_by_link_id_hubspot_id_and_salesforce_id)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l, got;

    make_link(st, "101", "003A", SYNC_LINK_LINKED, &l);
    OK(sync_store_link_get(st, l.link_id, &got, &err));
    cr_assert_str_eq(got.hs_id, "101");
    cr_assert_eq(got.state, SYNC_LINK_LINKED);
    memset(&got, 0, sizeof(got));
    OK(sync_store_link_get_by_hs(st, "contact", "101", &got, &err));
    cr_assert_str_eq(got.link_id, l.link_id);
    memset(&got, 0, sizeof(got));
    OK(sync_store_link_get_by_sf(st, "Contact", "003A", &got, &err));
    cr_assert_str_eq(got.link_id, l.link_id);
    cr_assert_str_eq(got.kind, "contact");
    cr_assert_eq(sync_store_link_get_by_hs(st, "company", "101", &got, &err), SYNC_ERR_NOT_FOUND);
    cr_assert_eq(sync_store_link_get_by_sf(st, "Lead", "003A", &got, &err), SYNC_ERR_NOT_FOUND);
    cr_assert_eq(sync_store_link_get(st, "L000000000000000000000000", &got, &err),
                 SYNC_ERR_NOT_FOUND);
    cr_assert_eq(sync_store_link_get(st, "not-a-link", &got, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

Test(store, a_record_already_linked_cannot_be_linked_again)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link a, b;

    make_link(st, "101", "003A", SYNC_LINK_LINKED, &a);
    b = a;
    snprintf(b.sf_id, sizeof(b.sf_id), "003B");
    cr_assert_eq(sync_store_link_insert(st, &b, &err), SYNC_ERR_INVALID);
    b = a;
    snprintf(b.hs_id, sizeof(b.hs_id), "102");
    cr_assert_eq(sync_store_link_insert(st, &b, &err), SYNC_ERR_INVALID);
    /* pending links without the other side's id do not collide on the missing id */
    make_link(st, "103", "", SYNC_LINK_PENDING_CREATE, &b);
    make_link(st, "", "003C", SYNC_LINK_PENDING_CREATE, &b);
    make_link(st, "", "003D", SYNC_LINK_PENDING_CREATE, &b);
    sync_store_close(st);
}

Test(store, link_insert_checks_state_and_ids)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l = {0};

    snprintf(l.kind, sizeof(l.kind), "contact");
    snprintf(l.sf_object, sizeof(l.sf_object), "Lead");
    l.state = SYNC_LINK_PENDING_CREATE;
    cr_assert_eq(sync_store_link_insert(st, &l, &err), SYNC_ERR_INVALID); /* no id at all */
    snprintf(l.hs_id, sizeof(l.hs_id), "5");
    l.state = SYNC_LINK_LINKED;
    cr_assert_eq(sync_store_link_insert(st, &l, &err), SYNC_ERR_INVALID); /* LINKED, one id */
    l.state = (enum sync_link_state)42;
    cr_assert_eq(sync_store_link_insert(st, &l, &err), SYNC_ERR_INVALID);
    l.state = SYNC_LINK_PENDING_CREATE;
    l.kind[0] = '\0';
    cr_assert_eq(sync_store_link_insert(st, &l, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

Test(store, link_update_repoints_a_converted_lead_and_moves_its_state)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l = {0}, got;

    snprintf(l.kind, sizeof(l.kind), "contact");
    snprintf(l.hs_id, sizeof(l.hs_id), "101");
    snprintf(l.sf_object, sizeof(l.sf_object), "Lead");
    l.state = SYNC_LINK_PENDING_CREATE;
    OK(sync_store_link_insert(st, &l, &err));

    snprintf(l.sf_id, sizeof(l.sf_id), "00QA");
    l.state = SYNC_LINK_LINKED;
    l.last_to_sf = 1700000000000;
    OK(sync_store_link_update(st, &l, &err));
    OK(sync_store_link_get_by_sf(st, "Lead", "00QA", &got, &err));
    cr_assert_eq(got.last_to_sf, 1700000000000);

    snprintf(l.sf_object, sizeof(l.sf_object), "Contact");
    snprintf(l.sf_id, sizeof(l.sf_id), "003Z");
    OK(sync_store_link_update(st, &l, &err));
    cr_assert_eq(sync_store_link_get_by_sf(st, "Lead", "00QA", &got, &err), SYNC_ERR_NOT_FOUND);
    OK(sync_store_link_get_by_sf(st, "Contact", "003Z", &got, &err));
    cr_assert_str_eq(got.link_id, l.link_id);
    cr_assert_eq(got.state, SYNC_LINK_LINKED);
    cr_assert_eq(got.created_at, l.created_at);

    snprintf(l.link_id, sizeof(l.link_id), "L000000000000000000000000");
    cr_assert_eq(sync_store_link_update(st, &l, &err), SYNC_ERR_NOT_FOUND);
    sync_store_close(st);
}

Test(store, link_update_cannot_point_two_links_at_one_record)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link a, b;

    make_link(st, "101", "003A", SYNC_LINK_LINKED, &a);
    make_link(st, "102", "003B", SYNC_LINK_LINKED, &b);
    snprintf(b.hs_id, sizeof(b.hs_id), "101"); /* merged into 101, but 101 has its link */
    cr_assert_eq(sync_store_link_update(st, &b, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

Test(store, link_list_filters_by_kind_and_state_and_pages_by_link_id)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct sync_link_query q = {NULL, -1, NULL, 0};
    struct rows all = {0}, page = {0}, linked = {0};
    char hs[8];

    for (int i = 0; i < 5; i++) {
        snprintf(hs, sizeof(hs), "%d", i);
        make_link(st, hs, i % 2 ? "" : hs, i % 2 ? SYNC_LINK_PENDING_CREATE : SYNC_LINK_LINKED, &l);
    }
    OK(sync_store_link_list(st, &q, on_link, &all, &err));
    cr_assert_eq(all.n, 5);
    for (int i = 1; i < all.n; i++)
        cr_assert_lt(strcmp(all.a[i - 1], all.a[i]), 0);

    q.after = all.a[1];
    q.max = 2;
    OK(sync_store_link_list(st, &q, on_link, &page, &err));
    cr_assert_eq(page.n, 2);
    cr_assert_str_eq(page.a[0], all.a[2]);
    cr_assert_str_eq(page.a[1], all.a[3]);

    struct sync_link_query lq = {"contact", SYNC_LINK_LINKED, NULL, 0};
    OK(sync_store_link_list(st, &lq, on_link, &linked, &err));
    cr_assert_eq(linked.n, 3);
    lq.kind = "deal";
    memset(&linked, 0, sizeof(linked));
    OK(sync_store_link_list(st, &lq, on_link, &linked, &err));
    cr_assert_eq(linked.n, 0);
    sync_store_close(st);
}

Test(store, a_walk_stops_quietly_when_the_callback_declines)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct sync_link_query q = {NULL, -1, NULL, 0};
    struct rows r = {0};

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    make_link(st, "2", "003B", SYNC_LINK_LINKED, &l);
    make_link(st, "3", "003C", SYNC_LINK_LINKED, &l);
    r.stop_after = 2;
    r.stop_rc = SYNC_DECLINED;
    OK(sync_store_link_list(st, &q, on_link, &r, &err));
    cr_assert_eq(r.n, 1);
    memset(&r, 0, sizeof(r));
    r.stop_after = 2;
    r.stop_rc = SYNC_ERR_TOO_LARGE;
    cr_assert_eq(sync_store_link_list(st, &q, on_link, &r, &err), SYNC_ERR_TOO_LARGE);
    sync_store_close(st);
}

/* ---- ledger ---- */

Test(store, ledger_put_upserts_one_field_and_lists_the_links_fields)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link a, b;
    struct rows r = {0};

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &a);
    make_link(st, "2", "003B", SYNC_LINK_LINKED, &b);
    struct sync_ledger_entry e = {a.link_id, "email", "x@y.z", "hubspot", 1000};
    OK(sync_store_ledger_put(st, &e, &err));
    e.field = "phone", e.value = NULL, e.written_by = "both";
    OK(sync_store_ledger_put(st, &e, &err));
    e.field = "email", e.value = "new@y.z", e.written_by = "salesforce", e.agreed_at = 2000;
    OK(sync_store_ledger_put(st, &e, &err));
    e.link_id = b.link_id, e.field = "email", e.value = "b@y.z";
    OK(sync_store_ledger_put(st, &e, &err));

    OK(sync_store_ledger_list(st, a.link_id, on_ledger, &r, &err));
    cr_assert_eq(r.n, 2);
    cr_assert_str_eq(r.a[0], "email");
    cr_assert_str_eq(r.b[0], "new@y.z");
    cr_assert_eq(r.num[0], 2000);
    cr_assert_str_eq(r.a[1], "phone");
    cr_assert_str_eq(r.b[1], "(null)"); /* an agreed blank stays NULL */
    sync_store_close(st);
}

Test(store, ledger_clear_forgets_one_links_agreements_only)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link a, b;
    struct rows ra = {0}, rb = {0};

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &a);
    make_link(st, "2", "003B", SYNC_LINK_LINKED, &b);
    struct sync_ledger_entry e = {a.link_id, "email", "x@y.z", "hubspot", 1000};
    OK(sync_store_ledger_put(st, &e, &err));
    e.link_id = b.link_id;
    OK(sync_store_ledger_put(st, &e, &err));
    OK(sync_store_ledger_clear(st, a.link_id, &err));
    OK(sync_store_ledger_list(st, a.link_id, on_ledger, &ra, &err));
    OK(sync_store_ledger_list(st, b.link_id, on_ledger, &rb, &err));
    cr_assert_eq(ra.n, 0);
    cr_assert_eq(rb.n, 1);
    cr_assert_eq(sync_store_ledger_clear(st, "L1", &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

Test(store, ledger_put_for_an_unknown_link_is_not_found)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_ledger_entry e = {"L000000000000000000000000", "email", "a", "hubspot", 0};

    cr_assert_eq(sync_store_ledger_put(st, &e, &err), SYNC_ERR_NOT_FOUND);
    e.link_id = "L1";
    cr_assert_eq(sync_store_ledger_put(st, &e, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

/* ---- unsettled writes ---- */

static enum sync_rc on_unsettled(void *ctx, const struct sync_unsettled *u)
{
    char key[128];
    snprintf(key, sizeof(key), "%s/%s", u->side, u->field);
    return rows_add(ctx, 0, u->sent_at, key, u->value);
}

Test(store, unsettled_writes_keep_the_latest_send_per_value_until_dropped_or_pruned)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link a, b;
    struct rows r = {0}, rb = {0};

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &a);
    make_link(st, "2", "003B", SYNC_LINK_LINKED, &b);
    struct sync_unsettled u = {a.link_id, "hubspot", "jobtitle", "A", 1000};
    OK(sync_store_unsettled_put(st, &u, &err));
    u.sent_at = 3000; /* the same value sent again */
    OK(sync_store_unsettled_put(st, &u, &err));
    u.sent_at = 2000; /* an older report of it never moves the time back */
    OK(sync_store_unsettled_put(st, &u, &err));
    u.value = NULL; /* a clear */
    OK(sync_store_unsettled_put(st, &u, &err));
    u.side = "salesforce", u.value = "A";
    OK(sync_store_unsettled_put(st, &u, &err));
    u.link_id = b.link_id, u.side = "hubspot", u.sent_at = 500;
    OK(sync_store_unsettled_put(st, &u, &err));

    OK(sync_store_unsettled_list(st, a.link_id, on_unsettled, &r, &err));
    cr_assert_eq(r.n, 3);
    cr_assert_str_eq(r.a[0], "hubspot/jobtitle");
    cr_assert_str_eq(r.b[0], "(null)", "a blank comes back NULL");
    cr_assert_str_eq(r.b[1], "A");
    cr_assert_eq(r.num[1], 3000);
    cr_assert_str_eq(r.a[2], "salesforce/jobtitle");

    u.link_id = a.link_id, u.side = "hubspot", u.value = "A";
    OK(sync_store_unsettled_drop(st, &u, &err));
    OK(sync_store_unsettled_drop(st, &u, &err));    /* gone already: fine */
    OK(sync_store_unsettled_prune(st, 1000, &err)); /* b's row, sent at 500 */
    memset(&r, 0, sizeof(r));
    OK(sync_store_unsettled_list(st, a.link_id, on_unsettled, &r, &err));
    OK(sync_store_unsettled_list(st, b.link_id, on_unsettled, &rb, &err));
    cr_assert_eq(r.n, 2);
    cr_assert_str_eq(r.b[0], "(null)");
    cr_assert_str_eq(r.a[1], "salesforce/jobtitle");
    cr_assert_eq(rb.n, 0);
    sync_store_close(st);
}

Test(store, unsettled_writes_need_a_known_link_and_a_side)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_unsettled u = {"L000000000000000000000000", "hubspot", "jobtitle", "A", 1};

    cr_assert_eq(sync_store_unsettled_put(st, &u, &err), SYNC_ERR_NOT_FOUND);
    u.side = "zendesk";
    cr_assert_eq(sync_store_unsettled_put(st, &u, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "side"), "%s", err.message);
    u.side = "hubspot", u.field = "";
    cr_assert_eq(sync_store_unsettled_put(st, &u, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

/* ---- cursors ---- */

Test(store, cursors_keep_the_latest_position_per_source)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_buf b = SYNC_BUF_INIT(1024);
    int64_t at = 0;

    cr_assert_eq(sync_store_cursor_get(st, "salesforce:Lead", &b, &at, &err), SYNC_ERR_NOT_FOUND);
    OK(sync_store_cursor_set(st, "salesforce:Lead", "{\"ts\":1,\"id\":\"00Q1\"}", &err));
    OK(sync_store_cursor_set(st, "salesforce:Lead", "{\"ts\":2,\"id\":\"00Q2\"}", &err));
    OK(sync_store_cursor_set(st, "hubspot:contacts", "{\"ts\":9}", &err));
    OK(sync_store_cursor_get(st, "salesforce:Lead", &b, &at, &err));
    cr_assert_str_eq(sync_buf_str(&b), "{\"ts\":2,\"id\":\"00Q2\"}");
    cr_assert_gt(at, 0);
    cr_assert_eq(sync_store_cursor_set(st, "x", NULL, &err), SYNC_ERR_INVALID);
    sync_buf_release(&b);
    sync_store_close(st);
}

/* ---- inbox ---- */

Test(store, seen_rows_tell_a_reread_from_a_new_version_and_prune_behind_a_floor)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    int seen = -1;

    OK(sync_store_seen_mark(st, "salesforce:Lead", "00QA", 1000, "d1", &seen, &err));
    cr_assert_eq(seen, 0, "first read");
    OK(sync_store_seen_mark(st, "salesforce:Lead", "00QA", 1000, "d1", &seen, &err));
    cr_assert_eq(seen, 1, "the same stamp and values: a re-read");
    OK(sync_store_seen_mark(st, "salesforce:Lead", "00QA", 1000, "d2", &seen, &err));
    cr_assert_eq(seen, 0, "same second, other values: a new version");
    OK(sync_store_seen_mark(st, "salesforce:Contact", "00QA", 1000, "d2", &seen, &err));
    cr_assert_eq(seen, 0, "sources keep their own rows");
    OK(sync_store_seen_prune(st, "salesforce:Lead", 1001, &err));
    OK(sync_store_seen_mark(st, "salesforce:Lead", "00QA", 1000, "d2", &seen, &err));
    cr_assert_eq(seen, 0, "pruned: forgotten");
    OK(sync_store_seen_mark(st, "salesforce:Contact", "00QA", 1000, "d2", &seen, &err));
    cr_assert_eq(seen, 1, "another source's rows stay");
    cr_assert_eq(sync_store_seen_mark(st, "salesforce:Lead", "", 1, "d", &seen, &err),
                 SYNC_ERR_INVALID);
    sync_store_close(st);
}

Test(store, inbox_keeps_one_change_per_record_and_a_newer_version_replaces_an_older)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_change c = change("hubspot", "501", 100, "{\"v\":1}");
    struct rows r = {0};
    int stored = -1;

    OK(sync_store_inbox_put(st, &c, &stored, &err));
    cr_assert_eq(stored, 1);
    c.version = 200, c.payload = "{\"v\":2}";
    OK(sync_store_inbox_put(st, &c, &stored, &err));
    cr_assert_eq(stored, 1);
    OK(sync_store_inbox_take(st, 10, on_change, &r, &err));
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.num[0], 200);
    cr_assert_str_eq(r.b[0], "{\"v\":2}");
    sync_store_close(st);
}

Test(store, inbox_never_lets_an_older_version_replace_a_newer)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_change c = change("salesforce", "003A", 300, "{\"v\":3}");
    struct rows r = {0};
    int stored = -1;

    OK(sync_store_inbox_put(st, &c, &stored, &err));
    c.version = 299, c.payload = "{\"v\":2}", c.deleted = 1;
    OK(sync_store_inbox_put(st, &c, &stored, &err));
    cr_assert_eq(stored, 0);
    c.version = 300, c.payload = "{\"v\":3,\"again\":true}", c.deleted = 0;
    OK(sync_store_inbox_put(st, &c, &stored, &err)); /* a recapture of the same version */
    cr_assert_eq(stored, 1);
    OK(sync_store_inbox_take(st, 10, on_change, &r, &err));
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.num[0], 300);
    cr_assert_str_eq(r.b[0], "{\"v\":3,\"again\":true}");
    sync_store_close(st);
}

Test(store, inbox_take_returns_oldest_captures_first_up_to_the_batch_size)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_change a = change("salesforce", "003A", 1, "{}");
    struct sync_change b = change("hubspot", "501", 1, "{}");
    struct sync_change c = change("salesforce", "003C", 1, "{}");
    struct rows r = {0};

    OK(sync_store_inbox_put(st, &a, NULL, &err));
    OK(sync_store_inbox_put(st, &b, NULL, &err));
    OK(sync_store_inbox_put(st, &c, NULL, &err));
    a.version = 5;
    OK(sync_store_inbox_put(st, &a, NULL, &err)); /* a newer version keeps its place */
    OK(sync_store_inbox_take(st, 2, on_change, &r, &err));
    cr_assert_eq(r.n, 2);
    cr_assert_str_eq(r.a[0], "003A");
    cr_assert_eq(r.num[0], 5);
    cr_assert_str_eq(r.a[1], "501");
    cr_assert_eq(sync_store_inbox_take(st, 0, on_change, &r, &err), SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_inbox_take(st, SYNC_STORE_BATCH_MAX + 1, on_change, &r, &err),
                 SYNC_ERR_INVALID);
    sync_store_close(st);
}

/* The inbox counts as text: "hubspot contacts=2;salesforce Contact=1;" */
static enum sync_rc on_inbox_count(void *ctx, const char *system, const char *object, int64_t n)
{
    char *out = ctx;
    size_t o = strlen(out);
    snprintf(out + o, 256 - o, "%s %s=%lld;", system, object, (long long)n);
    return SYNC_OK;
}

Test(store, inbox_count_gives_every_waiting_change_by_system_and_object_past_a_batch)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    char text[256] = "", id[16];

    OK(sync_store_inbox_count(st, on_inbox_count, text, &err));
    cr_assert_str_eq(text, "", "empty: no call");
    for (int i = 0; i < SYNC_STORE_BATCH_MAX + 5; i++) {
        struct sync_change c;
        snprintf(id, sizeof(id), "%d", i + 1);
        c = change("hubspot", id, 1, "{}");
        OK(sync_store_inbox_put(st, &c, NULL, &err));
    }
    {
        struct sync_change c = change("salesforce", "003A", 1, "{}");
        OK(sync_store_inbox_put(st, &c, NULL, &err));
        OK(sync_store_inbox_put(st, &c, NULL, &err)); /* one change per record */
    }
    OK(sync_store_inbox_count(st, on_inbox_count, text, &err));
    cr_assert_str_eq(text, "hubspot contacts=1005;salesforce Contact=1;");
    sync_store_close(st);
}

Test(store, inbox_delete_spares_a_newer_version_captured_after_the_take)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_change c = change("hubspot", "501", 100, "{}");
    struct rows r = {0};

    OK(sync_store_inbox_put(st, &c, NULL, &err));
    c.version = 101;
    OK(sync_store_inbox_put(st, &c, NULL, &err)); /* arrives while 100 is being planned */
    OK(sync_store_inbox_delete(st, "hubspot", "contacts", "501", 100, &err));
    OK(sync_store_inbox_take(st, 10, on_change, &r, &err));
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.num[0], 101);
    OK(sync_store_inbox_delete(st, "hubspot", "contacts", "501", 101, &err));
    cr_assert_eq(inbox_count(st), 0);
    OK(sync_store_inbox_delete(st, "hubspot", "contacts", "501", 101, &err)); /* idempotent */
    cr_assert_eq(sync_store_inbox_delete(st, "zendesk", "x", "1", 1, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

/* ---- outbox ---- */

Test(store, outbox_claim_takes_the_earliest_due_group_and_leases_it)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct rows r = {0};
    struct sync_outbox_claim req = {1000, 60000, 100, NULL, NULL, NULL};
    struct sync_outbox_stats stats;

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    int64_t u1 = enqueue(st, l.link_id, "hubspot", "contacts", "update", 500);
    int64_t c1 = enqueue(st, l.link_id, "salesforce", "Contact", "upsert", 100);
    int64_t u2 = enqueue(st, l.link_id, "hubspot", "contacts", "update", 50);
    int64_t c2 = enqueue(st, l.link_id, "salesforce", "Contact", "upsert", 900);
    enqueue(st, l.link_id, "salesforce", "Contact", "upsert", 5000); /* not due */

    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 2); /* the group of the earliest due entry, earliest first */
    cr_assert_eq(r.id[0], u2);
    cr_assert_eq(r.id[1], u1);
    cr_assert_str_eq(r.a[0], "update");

    memset(&r, 0, sizeof(r));
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.id[0], c1);
    cr_assert_eq(r.id[1], c2);

    memset(&r, 0, sizeof(r));
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 0); /* everything due is leased */

    OK(sync_store_outbox_stats(st, &stats, &err));
    cr_assert_eq(stats.waiting, 1);
    cr_assert_eq(stats.claimed, 4);
    cr_assert_eq(stats.next_attempt_at, 5000);
    sync_store_close(st);
}

Test(store, outbox_claim_of_a_named_group_takes_only_that_group_up_to_max)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct rows r = {0};
    struct sync_outbox_claim req = {1000, 60000, 2, "salesforce", "Contact", "upsert"};

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    enqueue(st, l.link_id, "hubspot", "contacts", "update", 1);
    int64_t a = enqueue(st, l.link_id, "salesforce", "Contact", "upsert", 10);
    int64_t b = enqueue(st, l.link_id, "salesforce", "Contact", "upsert", 20);
    enqueue(st, l.link_id, "salesforce", "Contact", "upsert", 30);
    enqueue(st, l.link_id, "salesforce", "Contact", "delete", 5);

    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.id[0], a);
    cr_assert_eq(r.id[1], b);
    req.target = "salesforce", req.object = NULL, req.op = NULL;
    cr_assert_eq(sync_store_outbox_claim(st, &req, on_outbox, &r, &err), SYNC_ERR_INVALID);
    req.target = NULL, req.max = 0;
    cr_assert_eq(sync_store_outbox_claim(st, &req, on_outbox, &r, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

Test(store, outbox_entries_come_back_when_the_lease_lapses)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct rows r = {0};
    struct sync_outbox_claim req = {1000, 30000, 10, NULL, NULL, NULL};

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    int64_t id = enqueue(st, l.link_id, "hubspot", "contacts", "update", 1);
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 1);
    req.now = 30999;
    memset(&r, 0, sizeof(r));
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 0);
    req.now = 31000;
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.id[0], id);
    sync_store_close(st);
}

Test(store, outbox_complete_removes_the_entry_once)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct sync_outbox_stats stats;

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    int64_t id = enqueue(st, l.link_id, "hubspot", "contacts", "update", 1);
    OK(sync_store_outbox_complete(st, id, &err));
    cr_assert_eq(sync_store_outbox_complete(st, id, &err), SYNC_ERR_NOT_FOUND);
    OK(sync_store_outbox_stats(st, &stats, &err));
    cr_assert_eq(stats.waiting + stats.claimed, 0);
    cr_assert_eq(stats.next_attempt_at, 0);
    sync_store_close(st);
}

Test(store, outbox_reschedule_counts_the_attempt_and_waits_until_the_new_time)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct rows r = {0};
    struct sync_outbox_claim req = {1000, 60000, 10, NULL, NULL, NULL};

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    int64_t id = enqueue(st, l.link_id, "hubspot", "contacts", "update", 1);
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.num[0], 0);
    OK(sync_store_outbox_reschedule(st, id, 5000, &err));
    req.now = 4999;
    memset(&r, 0, sizeof(r));
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 0);
    req.now = 5000;
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.num[0], 1);
    OK(sync_store_outbox_reschedule(st, id, 9000, &err));
    req.now = 9000;
    memset(&r, 0, sizeof(r));
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.num[0], 2);
    cr_assert_eq(sync_store_outbox_reschedule(st, id + 1, 1, &err), SYNC_ERR_NOT_FOUND);
    sync_store_close(st);
}

Test(store, outbox_release_waits_until_the_new_time_and_counts_no_attempt)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct rows r = {0};
    struct sync_outbox_claim req = {1000, 60000, 10, NULL, NULL, NULL};

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    int64_t id = enqueue(st, l.link_id, "hubspot", "contacts", "update", 1);
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    OK(sync_store_outbox_release(st, id, 3000, &err));
    req.now = 2999;
    memset(&r, 0, sizeof(r));
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 0, "not due before its time");
    req.now = 3000;
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.num[0], 0, "a release is no attempt");
    cr_assert_eq(sync_store_outbox_release(st, id + 1, 1, &err), SYNC_ERR_NOT_FOUND);
    sync_store_close(st);
}

Test(store, outbox_claim_undoes_itself_when_the_callback_fails)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct rows r = {0};
    struct sync_outbox_claim req = {1000, 60000, 10, NULL, NULL, NULL};
    struct sync_outbox_stats stats;

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    enqueue(st, l.link_id, "hubspot", "contacts", "update", 1);
    enqueue(st, l.link_id, "hubspot", "contacts", "update", 2);
    enqueue(st, l.link_id, "hubspot", "contacts", "update", 3);
    r.stop_after = 2;
    r.stop_rc = SYNC_ERR_TOO_LARGE;
    cr_assert_eq(sync_store_outbox_claim(st, &req, on_outbox, &r, &err), SYNC_ERR_TOO_LARGE);
    OK(sync_store_outbox_stats(st, &stats, &err));
    cr_assert_eq(stats.claimed, 0);

    memset(&r, 0, sizeof(r));
    r.stop_after = 3; /* declining the third: the first two are claimed */
    r.stop_rc = SYNC_DECLINED;
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 2);
    OK(sync_store_outbox_stats(st, &stats, &err));
    cr_assert_eq(stats.claimed, 2);
    cr_assert_eq(stats.waiting, 1);
    sync_store_close(st);
}

Test(store, outbox_claim_inside_a_transaction_rolls_back_with_it)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct rows r = {0};
    struct sync_outbox_claim req = {1000, 60000, 10, NULL, NULL, NULL};
    struct sync_outbox_stats stats;

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    enqueue(st, l.link_id, "hubspot", "contacts", "update", 1);
    OK(sync_store_begin(st, &err));
    OK(sync_store_outbox_claim(st, &req, on_outbox, &r, &err));
    cr_assert_eq(r.n, 1);
    OK(sync_store_rollback(st, &err));
    OK(sync_store_outbox_stats(st, &stats, &err));
    cr_assert_eq(stats.claimed, 0);
    cr_assert_eq(stats.waiting, 1);
    sync_store_close(st);
}

Test(store, outbox_enqueue_needs_a_known_link_and_a_known_target)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_outbox_entry e = {0};

    e.link_id = "L000000000000000000000000";
    e.target = "hubspot", e.object = "contacts", e.op = "update", e.payload = "{}";
    cr_assert_eq(sync_store_outbox_enqueue(st, &e, NULL, &err), SYNC_ERR_NOT_FOUND);
    e.target = "zendesk";
    cr_assert_eq(sync_store_outbox_enqueue(st, &e, NULL, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

/* ---- sync errors ---- */

static void record_error(struct sync_store *st, const char *record, const char *category,
                         const char *message)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_error_row e = {0};
    e.system = "hubspot", e.object = "contacts", e.record_id = record;
    e.category = category, e.code = "VALIDATION_ERROR", e.message = message;
    OK(sync_store_error_record(st, &e, &err));
}

Test(store, a_repeated_error_bumps_attempts_on_one_row)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_error_query q = {NULL, "hubspot", "contacts", "501", 0, 0};
    struct rows r = {0};

    record_error(st, "501", "VALIDATION", "bad email");
    record_error(st, "501", "VALIDATION", "bad email again");
    record_error(st, "501", "DUPLICATE", "email exists");
    OK(sync_store_error_list(st, &q, on_error, &r, &err));
    cr_assert_eq(r.n, 2);
    int v = strcmp(r.a[0], "VALIDATION") == 0 ? 0 : 1;
    cr_assert_str_eq(r.a[v], "VALIDATION");
    cr_assert_eq(r.num[v], 2);
    cr_assert_str_eq(r.b[v], "bad email again");
    cr_assert_eq(r.num[1 - v], 1);
    sync_store_close(st);
}

Test(store, resolving_closes_errors_and_a_recurrence_reopens_with_one_attempt)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_error_query q = {NULL, "hubspot", "contacts", "501", 0, 0};
    struct rows r = {0};

    record_error(st, "501", "VALIDATION", "bad");
    record_error(st, "501", "VALIDATION", "bad");
    record_error(st, "501", "DUPLICATE", "dup");
    OK(sync_store_error_resolve(st, "hubspot", "contacts", "501", "DUPLICATE", &err));
    OK(sync_store_error_list(st, &q, on_error, &r, &err));
    cr_assert_eq(r.n, 1);
    cr_assert_str_eq(r.a[0], "VALIDATION");
    OK(sync_store_error_resolve(st, "hubspot", "contacts", "501", NULL, &err));
    memset(&r, 0, sizeof(r));
    OK(sync_store_error_list(st, &q, on_error, &r, &err));
    cr_assert_eq(r.n, 0);
    q.include_resolved = 1;
    OK(sync_store_error_list(st, &q, on_error, &r, &err));
    cr_assert_eq(r.n, 2);

    record_error(st, "501", "VALIDATION", "bad once more");
    q.include_resolved = 0;
    memset(&r, 0, sizeof(r));
    OK(sync_store_error_list(st, &q, on_error, &r, &err));
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.num[0], 1);
    OK(sync_store_error_resolve(st, "hubspot", "contacts", "999", NULL, &err));
    sync_store_close(st);
}

Test(store, errors_list_by_category_and_count_per_category)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_error_query q = {"VALIDATION", NULL, NULL, NULL, 0, 0};
    struct rows r = {0}, counts = {0};

    record_error(st, "1", "VALIDATION", "a");
    record_error(st, "2", "VALIDATION", "b");
    record_error(st, "3", "VALIDATION", "c");
    record_error(st, "3", "PERMISSION", "d");
    record_error(st, "4", "DUPLICATE", "e");
    OK(sync_store_error_resolve(st, "hubspot", "contacts", "2", NULL, &err));

    OK(sync_store_error_list(st, &q, on_error, &r, &err));
    cr_assert_eq(r.n, 2);
    q.include_resolved = 1;
    memset(&r, 0, sizeof(r));
    OK(sync_store_error_list(st, &q, on_error, &r, &err));
    cr_assert_eq(r.n, 3);
    struct sync_error_query any = {NULL, NULL, NULL, NULL, 0, 2};
    memset(&r, 0, sizeof(r));
    OK(sync_store_error_list(st, &any, on_error, &r, &err));
    cr_assert_eq(r.n, 2);
    struct sync_error_query blank = {"", NULL, NULL, NULL, 0, 0};
    memset(&r, 0, sizeof(r));
    OK(sync_store_error_list(st, &blank, on_error, &r, &err));
    cr_assert_eq(r.n, 4); /* "" is any category, like NULL */

    OK(sync_store_error_counts(st, on_count, &counts, &err));
    cr_assert_eq(counts.n, 3);
    cr_assert_str_eq(counts.a[0], "DUPLICATE");
    cr_assert_eq(counts.num[0], 1);
    cr_assert_str_eq(counts.a[1], "PERMISSION");
    cr_assert_str_eq(counts.a[2], "VALIDATION");
    cr_assert_eq(counts.num[2], 2);

    struct sync_error_query half = {NULL, "hubspot", NULL, "1", 0, 0};
    cr_assert_eq(sync_store_error_list(st, &half, on_error, &r, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

/* ---- conflicts ---- */

Test(store, conflicts_are_kept_per_link_newest_first)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link a, b;
    struct rows r = {0};
    int64_t id1 = 0, id2 = 0;

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &a);
    make_link(st, "2", "003B", SYNC_LINK_LINKED, &b);
    struct sync_conflict_row c = {0,     a.link_id, "phone",   "111",        10,
                                  "222", 20,        "two_way", "salesforce", 0};
    OK(sync_store_conflict_insert(st, &c, &id1, &err));
    c.field = "email", c.hs_value = NULL, c.winner = "hubspot";
    OK(sync_store_conflict_insert(st, &c, &id2, &err));
    c.link_id = b.link_id;
    OK(sync_store_conflict_insert(st, &c, NULL, &err));

    OK(sync_store_conflict_list(st, a.link_id, 0, on_conflict, &r, &err));
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.id[0], id2);
    cr_assert_str_eq(r.a[0], "email");
    cr_assert_str_eq(r.b[1], "salesforce");
    cr_assert_eq(r.num[1], 10);
    memset(&r, 0, sizeof(r));
    OK(sync_store_conflict_list(st, a.link_id, 1, on_conflict, &r, &err));
    cr_assert_eq(r.n, 1);
    c.link_id = "L000000000000000000000000";
    cr_assert_eq(sync_store_conflict_insert(st, &c, NULL, &err), SYNC_ERR_NOT_FOUND);
    sync_store_close(st);
}

/* ---- decisions ---- */

static void decide(struct sync_store *st, const char *record, int i, unsigned keep)
{
    struct sync_err err = SYNC_ERR_INIT;
    char trace[32];
    struct sync_decision_row d = {0};
    snprintf(trace, sizeof(trace), "step %d", i);
    d.system = "salesforce", d.object = "Lead", d.record_id = record;
    d.action = "write_hs", d.trace = trace;
    OK(sync_store_decision_append(st, &d, keep, &err));
}

Test(store, decisions_keep_the_newest_twenty_per_record_by_default)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct rows r = {0}, other = {0};

    for (int i = 0; i < 25; i++)
        decide(st, "00QA", i, 0);
    decide(st, "00QB", 0, 0);
    OK(sync_store_decision_list(st, "salesforce", "Lead", "00QA", 0, on_decision, &r, &err));
    cr_assert_eq(r.n, SYNC_STORE_DECISIONS_KEEP);
    cr_assert_str_eq(r.b[0], "step 24");
    cr_assert_str_eq(r.b[SYNC_STORE_DECISIONS_KEEP - 1], "step 5");
    OK(sync_store_decision_list(st, "salesforce", "Lead", "00QB", 0, on_decision, &other, &err));
    cr_assert_eq(other.n, 1);
    sync_store_close(st);
}

Test(store, decisions_keep_as_many_as_asked)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct rows r = {0};

    for (int i = 0; i < 6; i++)
        decide(st, "00QA", i, 3);
    OK(sync_store_decision_list(st, "salesforce", "Lead", "00QA", 0, on_decision, &r, &err));
    cr_assert_eq(r.n, 3);
    cr_assert_str_eq(r.b[2], "step 3");
    memset(&r, 0, sizeof(r));
    OK(sync_store_decision_list(st, "salesforce", "Lead", "00QA", 1, on_decision, &r, &err));
    cr_assert_eq(r.n, 1);
    cr_assert_str_eq(r.b[0], "step 5");
    sync_store_close(st);
}

/* ---- API usage ---- */

Test(store, api_usage_keeps_the_latest_report_per_vendor_and_metric)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_api_usage u = {"salesforce", "daily", 10, 100000, 1000}, got;

    OK(sync_store_api_usage_record(st, &u, &err));
    u.used = 25, u.reported_at = 2000;
    OK(sync_store_api_usage_record(st, &u, &err));
    struct sync_api_usage h = {"hubspot", "10s", 3, 190, 1500};
    OK(sync_store_api_usage_record(st, &h, &err));
    struct sync_api_usage hd = {"hubspot", "daily", 900, 625000, 1400};
    OK(sync_store_api_usage_record(st, &hd, &err));

    OK(sync_store_api_usage_get(st, "salesforce", "daily", &got, &err));
    cr_assert_eq(got.used, 25);
    cr_assert_eq(got.quota, 100000);
    cr_assert_eq(got.reported_at, 2000);
    OK(sync_store_api_usage_get(st, "hubspot", NULL, &got, &err));
    cr_assert_str_eq(got.metric, "10s");
    OK(sync_store_api_usage_get(st, "hubspot", "daily", &got, &err));
    cr_assert_eq(got.used, 900);
    cr_assert_eq(sync_store_api_usage_get(st, "salesforce", "10s", &got, &err), SYNC_ERR_NOT_FOUND);
    sync_store_close(st);
}

/* ---- the fault seam ---- */

Test(store, a_fault_fails_exactly_the_nth_operation)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    unsigned long before = sync_store_op_count(st);

    sync_store_fault_set(st, 2, 0);
    OK(sync_store_cursor_set(st, "a", "1", &err));
    cr_assert_eq(sync_store_cursor_set(st, "b", "1", &err), SYNC_ERR_IO);
    cr_assert(strstr(err.message, "injected"), "%s", err.message);
    OK(sync_store_cursor_set(st, "c", "1", &err));
    cr_assert_eq(sync_store_op_count(st), before + 3);
    cr_assert(has_cursor(st, "a"));
    cr_assert_not(has_cursor(st, "b")); /* the failed operation wrote nothing */
    sync_store_close(st);
}

Test(store, a_persistent_fault_fails_every_later_operation_until_disarmed)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();

    sync_store_fault_set(st, 1, 1);
    cr_assert_eq(sync_store_cursor_set(st, "a", "1", &err), SYNC_ERR_IO);
    cr_assert_eq(sync_store_begin(st, &err), SYNC_ERR_IO);
    cr_assert_not(sync_store_in_transaction(st));
    sync_store_fault_set(st, 0, 0);
    OK(sync_store_cursor_set(st, "a", "1", &err));
    sync_store_close(st);
}

Test(store, an_injected_commit_failure_rolls_the_transaction_back)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_change c = change("hubspot", "501", 1, "{}");

    OK(sync_store_begin(st, &err));
    OK(sync_store_inbox_put(st, &c, NULL, &err));
    OK(sync_store_cursor_set(st, "hubspot:contacts", "1", &err));
    sync_store_fault_set(st, 1, 0);
    cr_assert_eq(sync_store_commit(st, &err), SYNC_ERR_IO);
    cr_assert_not(sync_store_in_transaction(st));
    cr_assert_eq(inbox_count(st), 0);
    cr_assert_not(has_cursor(st, "hubspot:contacts"));
    sync_store_close(st);
}

/*
 * The engine's three persistence points, each a transaction that stops at its first failure:
 *   1 capture: two changes into the inbox and the cursor that covers them (invariant 4)
 *   2 plan:    a pending link, its create in the outbox, the changes out of the inbox
 *   3 apply:   claim; then the link linked, the ledger written, the entry removed (invariant 5)
 * Returns how many of them committed.
 */
static int engine_round(struct sync_store *st)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_change a = change("salesforce", "003A", 10, "{\"Email\":\"a@x.io\"}");
    struct sync_change b = change("salesforce", "003B", 11, "{\"Email\":\"b@x.io\"}");
    struct sync_link l = {0};
    struct sync_outbox_entry e = {0};
    struct sync_decision_row d = {0};
    struct sync_outbox_claim req = {0, 60000, 10, NULL, NULL, NULL};
    struct rows taken = {0}, claimed = {0};
    struct sync_ledger_entry le = {l.link_id, "email", "a@x.io", "salesforce", 0};
    struct sync_ledger_entry le2 = {l.link_id, "lastname", "Ames", "salesforce", 0};

    if (sync_store_begin(st, &err))
        return 0;
    if (sync_store_inbox_put(st, &a, NULL, &err) || sync_store_inbox_put(st, &b, NULL, &err) ||
        sync_store_cursor_set(st, "salesforce:Contact", "11", &err) || sync_store_commit(st, &err))
        goto failed0;

    if (sync_store_begin(st, &err))
        return 1;
    snprintf(l.kind, sizeof(l.kind), "contact");
    snprintf(l.sf_object, sizeof(l.sf_object), "Contact");
    snprintf(l.sf_id, sizeof(l.sf_id), "003A");
    l.state = SYNC_LINK_PENDING_CREATE;
    e.link_id = l.link_id;
    e.target = "hubspot", e.object = "contacts", e.op = "upsert", e.payload = "{}";
    d.system = "salesforce", d.object = "Contact", d.record_id = "003A";
    d.action = "create_hs", d.trace = "no match by email";
    if (sync_store_inbox_take(st, 10, on_change, &taken, &err) ||
        sync_store_link_insert(st, &l, &err) || sync_store_outbox_enqueue(st, &e, NULL, &err) ||
        sync_store_inbox_delete(st, "salesforce", "Contact", "003A", 10, &err) ||
        sync_store_inbox_delete(st, "salesforce", "Contact", "003B", 11, &err) ||
        sync_store_decision_append(st, &d, 0, &err) || sync_store_commit(st, &err))
        goto failed1;

    req.now = sync_time_now_ms();
    if (sync_store_outbox_claim(st, &req, on_outbox, &claimed, &err))
        return 2;
    cr_assert_eq(claimed.n, 1);
    if (sync_store_begin(st, &err))
        return 2;
    snprintf(l.hs_id, sizeof(l.hs_id), "501");
    l.state = SYNC_LINK_LINKED;
    if (sync_store_link_update(st, &l, &err) || sync_store_ledger_put(st, &le, &err) ||
        sync_store_ledger_put(st, &le2, &err) ||
        sync_store_error_resolve(st, "salesforce", "Contact", "003A", NULL, &err) ||
        sync_store_outbox_complete(st, claimed.id[0], &err) || sync_store_commit(st, &err))
        goto failed2;
    return 3;

failed0:
    cr_assert_eq(err.rc, SYNC_ERR_IO, "%s", err.message);
    if (sync_store_in_transaction(st))
        sync_store_rollback(st, NULL);
    return 0;
failed1:
    cr_assert_eq(err.rc, SYNC_ERR_IO, "%s", err.message);
    if (sync_store_in_transaction(st))
        sync_store_rollback(st, NULL);
    return 1;
failed2:
    cr_assert_eq(err.rc, SYNC_ERR_IO, "%s", err.message);
    if (sync_store_in_transaction(st))
        sync_store_rollback(st, NULL);
    return 2;
}

static enum sync_rc on_ledger_count(void *ctx, const struct sync_ledger_entry *e)
{
    (*(int *)ctx)++;
    return SYNC_OK;
}

/* Checks that the database holds exactly the outcome of `done` committed persistence points. */
static void assert_round_state(struct sync_store *st, int done)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_link_query q = {NULL, -1, NULL, 0};
    struct rows links = {0};
    struct sync_outbox_stats stats;
    int ledger = 0;

    OK(sync_store_check(st, &err));
    cr_assert_eq(has_cursor(st, "salesforce:Contact"), done >= 1, "after %d", done);
    cr_assert_eq(inbox_count(st), done == 1 ? 2 : 0, "after %d", done);
    OK(sync_store_link_list(st, &q, on_link, &links, &err));
    cr_assert_eq(links.n, done >= 2 ? 1 : 0, "after %d", done);
    OK(sync_store_outbox_stats(st, &stats, &err));
    cr_assert_eq(stats.waiting + stats.claimed, done == 2 ? 1 : 0, "after %d", done);
    if (links.n) {
        OK(sync_store_ledger_list(st, links.a[0], on_ledger_count, &ledger, &err));
        cr_assert_eq(links.num[0], done == 3 ? SYNC_LINK_LINKED : SYNC_LINK_PENDING_CREATE);
    }
    cr_assert_eq(ledger, done == 3 ? 2 : 0, "after %d", done);
}

Test(store, failing_each_persistence_point_in_turn_leaves_the_db_consistent_fault)
{
    char url[400], name[32];
    struct sync_store *st;
    unsigned long ops;

    scratch_make();
    scratch_url(url, sizeof(url), "dry.db");
    st = open_url(url);
    ops = sync_store_op_count(st);
    cr_assert_eq(engine_round(st), 3);
    ops = sync_store_op_count(st) - ops;
    sync_store_close(st);
    scratch_remove("dry.db");
    cr_assert_gt(ops, 15);

    for (unsigned long n = 1; n <= ops + 1; n++) {
        snprintf(name, sizeof(name), "fault%lu.db", n);
        scratch_url(url, sizeof(url), name);
        st = open_url(url);
        sync_store_fault_set(st, n, 0);
        int done = engine_round(st);
        cr_assert_eq(done == 3, n > ops, "fault at operation %lu stopped nothing", n);
        sync_store_close(st); /* a crash right after the failure */
        st = open_url(url);
        assert_round_state(st, done);
        sync_store_close(st);
        scratch_remove(name);
    }
    scratch_done("none");
}

/* ---- invariants 4 and 5 across a crash (close without commit, reopen) ---- */

Test(store, invariant_4_a_crash_before_commit_leaves_neither_changes_nor_cursor)
{
    struct sync_err err = SYNC_ERR_INIT;
    char url[400];
    struct sync_store *st;
    struct sync_change a = change("hubspot", "501", 7, "{}");
    struct sync_change b = change("hubspot", "502", 8, "{}");

    scratch_make();
    scratch_url(url, sizeof(url), "inv4.db");
    st = open_url(url);
    OK(sync_store_cursor_set(st, "hubspot:contacts", "6", &err));
    OK(sync_store_begin(st, &err));
    OK(sync_store_inbox_put(st, &a, NULL, &err));
    OK(sync_store_inbox_put(st, &b, NULL, &err));
    OK(sync_store_cursor_set(st, "hubspot:contacts", "8", &err));
    sync_store_close(st); /* crash: no commit */

    st = open_url(url);
    struct sync_buf pos = SYNC_BUF_INIT(64);
    OK(sync_store_cursor_get(st, "hubspot:contacts", &pos, NULL, &err));
    cr_assert_str_eq(sync_buf_str(&pos), "6");
    cr_assert_eq(inbox_count(st), 0);
    sync_buf_release(&pos);
    sync_store_close(st);
    scratch_done("inv4.db");
}

Test(store, invariant_5_a_crash_before_commit_replays_the_outbox_entry)
{
    struct sync_err err = SYNC_ERR_INIT;
    char url[400];
    struct sync_store *st;
    struct sync_link l, got;
    struct rows claimed = {0}, again = {0};
    struct sync_outbox_claim req = {1000, 60000, 10, NULL, NULL, NULL};
    int ledger = 0;

    scratch_make();
    scratch_url(url, sizeof(url), "inv5.db");
    st = open_url(url);
    make_link(st, "", "003A", SYNC_LINK_PENDING_CREATE, &l);
    enqueue(st, l.link_id, "hubspot", "contacts", "upsert", 1);
    OK(sync_store_outbox_claim(st, &req, on_outbox, &claimed, &err));
    cr_assert_eq(claimed.n, 1);
    /* the vendor write happened; now the results, in one transaction */
    OK(sync_store_begin(st, &err));
    snprintf(l.hs_id, sizeof(l.hs_id), "501");
    l.state = SYNC_LINK_LINKED;
    OK(sync_store_link_update(st, &l, &err));
    struct sync_ledger_entry e = {l.link_id, "email", "a@x.io", "salesforce", 0};
    OK(sync_store_ledger_put(st, &e, &err));
    OK(sync_store_outbox_complete(st, claimed.id[0], &err));
    sync_store_close(st); /* crash: no commit */

    st = open_url(url);
    OK(sync_store_link_get(st, l.link_id, &got, &err));
    cr_assert_eq(got.state, SYNC_LINK_PENDING_CREATE);
    cr_assert_str_eq(got.hs_id, "");
    OK(sync_store_ledger_list(st, l.link_id, on_ledger_count, &ledger, &err));
    cr_assert_eq(ledger, 0);
    req.now = 1000 + 60000; /* the lease lapses: the entry is replayed */
    OK(sync_store_outbox_claim(st, &req, on_outbox, &again, &err));
    cr_assert_eq(again.n, 1);
    cr_assert_eq(again.id[0], claimed.id[0]);
    sync_store_close(st);
    scratch_done("inv5.db");
}

/* ---- API calls per minute and suspensions (migration 0004) ---- */

#define MIN_MS 60000LL

Test(store, api_calls_add_up_per_minute_and_sum_from_a_minute_on)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    int64_t day = 20000 * 1440 * MIN_MS, total = -1;

    OK(sync_store_api_calls_add(st, "salesforce", day + 5 * MIN_MS + 10, 3, &err));
    OK(sync_store_api_calls_add(st, "salesforce", day + 5 * MIN_MS + 59999, 2, &err));
    OK(sync_store_api_calls_add(st, "salesforce", day + 7 * MIN_MS, 4, &err));
    OK(sync_store_api_calls_add(st, "hubspot", day + 7 * MIN_MS, 100, &err));
    OK(sync_store_api_calls_sum(st, "salesforce", 0, &total, &err));
    cr_assert_eq(total, 9, "every minute counts: %lld", (long long)total);
    /* since falls inside minute 5: that minute started before it and is out */
    OK(sync_store_api_calls_sum(st, "salesforce", day + 5 * MIN_MS + 1, &total, &err));
    cr_assert_eq(total, 4);
    OK(sync_store_api_calls_sum(st, "salesforce", day + 5 * MIN_MS, &total, &err));
    cr_assert_eq(total, 9);
    OK(sync_store_api_calls_sum(st, "hubspot", day, &total, &err));
    cr_assert_eq(total, 100, "vendors count apart");
    sync_store_close(st);
}

Test(store, api_calls_prune_forgets_minutes_before_the_floor_only)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    int64_t total = 0;

    OK(sync_store_api_calls_add(st, "salesforce", 10 * MIN_MS, 1, &err));
    OK(sync_store_api_calls_add(st, "salesforce", 11 * MIN_MS, 2, &err));
    OK(sync_store_api_calls_add(st, "hubspot", 10 * MIN_MS, 5, &err));
    OK(sync_store_api_calls_prune(st, "salesforce", 11 * MIN_MS, &err));
    OK(sync_store_api_calls_sum(st, "salesforce", 0, &total, &err));
    cr_assert_eq(total, 2);
    OK(sync_store_api_calls_sum(st, "hubspot", 0, &total, &err));
    cr_assert_eq(total, 5, "another vendor's counts stay");
    sync_store_close(st);
}

Test(store, api_calls_refuse_a_bad_vendor_or_a_negative_count)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    int64_t total;

    cr_assert_eq(sync_store_api_calls_add(st, "zoho", 1, 1, &err), SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_api_calls_add(st, "salesforce", 1, -1, &err), SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_api_calls_sum(st, NULL, 0, &total, &err), SYNC_ERR_INVALID);
    sync_store_close(st);
}

struct susp_rows {
    int n;
    char kind[4][32], code[4][64], message[4][128];
    int64_t since[4], check_at[4];
};

static enum sync_rc on_susp(void *ctx, const struct sync_suspension_row *r)
{
    struct susp_rows *s = ctx;
    if (s->n < 4) {
        snprintf(s->kind[s->n], 32, "%s", r->kind);
        snprintf(s->code[s->n], 64, "%s", r->code ? r->code : "(null)");
        snprintf(s->message[s->n], 128, "%s", r->message);
        s->since[s->n] = r->since;
        s->check_at[s->n] = r->check_at;
    }
    s->n++;
    return SYNC_OK;
}

Test(store, a_suspension_put_again_keeps_its_since_and_takes_the_new_message)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_suspension_row r = {"salesforce",
                                    "api_limit",
                                    "REQUEST_LIMIT_EXCEEDED",
                                    "TotalRequests Limit exceeded.",
                                    1000,
                                    5000,
                                    0};
    struct susp_rows got = {0};

    OK(sync_store_suspension_put(st, &r, &err));
    r.since = 9000;
    r.code = NULL;
    r.message = "the org used 10 of its 10 daily API requests";
    r.check_at = 7000;
    OK(sync_store_suspension_put(st, &r, &err));
    OK(sync_store_suspension_list(st, "salesforce", on_susp, &got, &err));
    cr_assert_eq(got.n, 1);
    cr_assert_eq(got.since[0], 1000, "since stays");
    cr_assert_str_eq(got.code[0], "(null)");
    cr_assert_str_eq(got.message[0], "the org used 10 of its 10 daily API requests");
    cr_assert_eq(got.check_at[0], 7000);
    sync_store_close(st);
}

Test(store, suspensions_clear_by_kind_or_all_and_count_what_went)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_suspension_row a = {
        "salesforce", "api_disabled", "API_DISABLED_FOR_ORG", "off", 0, 0, 0};
    struct sync_suspension_row b = {"salesforce", "allocation", NULL, "used", 0, 0, 0};
    struct sync_suspension_row h = {"hubspot", "unknown", NULL, "?", 0, 0, 0};
    struct susp_rows got = {0};
    int64_t n = -1;

    OK(sync_store_suspension_put(st, &a, &err));
    OK(sync_store_suspension_put(st, &b, &err));
    OK(sync_store_suspension_put(st, &h, &err));
    OK(sync_store_suspension_list(st, NULL, on_susp, &got, &err));
    cr_assert_eq(got.n, 3);
    OK(sync_store_suspension_clear(st, "salesforce", "allocation", &n, &err));
    cr_assert_eq(n, 1);
    OK(sync_store_suspension_clear(st, "salesforce", "allocation", &n, &err));
    cr_assert_eq(n, 0, "clearing what is not there is no error");
    OK(sync_store_suspension_clear(st, "salesforce", NULL, &n, &err));
    cr_assert_eq(n, 1);
    memset(&got, 0, sizeof(got));
    OK(sync_store_suspension_list(st, NULL, on_susp, &got, &err));
    cr_assert_eq(got.n, 1, "the other vendor's stays");
    cr_assert_str_eq(got.kind[0], "unknown");
    a.message = NULL;
    cr_assert_eq(sync_store_suspension_put(st, &a, &err), SYNC_ERR_INVALID, "message required");
    sync_store_close(st);
}

static enum sync_rc on_claim_count(void *ctx, const struct sync_outbox_entry *e)
{
    (void)e;
    ++*(int *)ctx;
    return SYNC_OK;
}

Test(store, deferring_retries_moves_only_tried_due_waiting_entries_of_the_target)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_link l;
    struct sync_outbox_claim req = {0};
    int64_t fresh, tried, later, hs, moved = -1;
    int n = 0;

    make_link(st, "1", "003A", SYNC_LINK_LINKED, &l);
    fresh = enqueue(st, l.link_id, "salesforce", "Contact", "update", 100);
    tried = enqueue(st, l.link_id, "salesforce", "Lead", "update", 100);
    later = enqueue(st, l.link_id, "salesforce", "Account", "update", 100);
    hs = enqueue(st, l.link_id, "hubspot", "contacts", "update", 100);
    OK(sync_store_outbox_reschedule(st, tried, 200, &err));
    OK(sync_store_outbox_reschedule(st, later, 900, &err));
    OK(sync_store_outbox_reschedule(st, hs, 200, &err));
    OK(sync_store_outbox_defer_retries(st, "salesforce", 500, 5000, &moved, &err));
    cr_assert_eq(moved, 1, "only the due Salesforce retry");
    req.now = 1000;
    req.lease_ms = 1000;
    req.max = 10;
    req.target = "salesforce";
    req.object = "Lead";
    req.op = "update";
    OK(sync_store_outbox_claim(st, &req, on_claim_count, &n, &err));
    cr_assert_eq(n, 0, "the retry waits until 5000");
    req.now = 5000;
    OK(sync_store_outbox_claim(st, &req, on_claim_count, &n, &err));
    cr_assert_eq(n, 1);
    req.now = 1000;
    req.object = "Contact";
    OK(sync_store_outbox_claim(st, &req, on_claim_count, &n, &err));
    cr_assert_eq(n, 2, "a fresh entry still goes (id %lld)", (long long)fresh);
    sync_store_close(st);
}

/* ---- imports ---- */

struct import_seen {
    int n;
    int64_t id[8], total[8], read[8], queued[8], finished_at[8], run_started_at[8], run_read[8];
    char state[8][16], position[8][64], filter[8][64], list_id[8][16], error[8][64];
};

static enum sync_rc on_import(void *ctx, const struct sync_import_row *r)
{
    struct import_seen *s = ctx;
    int i = s->n++;

    s->id[i] = r->id;
    s->total[i] = r->total;
    s->read[i] = r->read;
    s->queued[i] = r->queued;
    s->finished_at[i] = r->finished_at;
    s->run_started_at[i] = r->run_started_at;
    s->run_read[i] = r->run_read;
    snprintf(s->state[i], sizeof(s->state[i]), "%s", r->state);
    snprintf(s->position[i], sizeof(s->position[i]), "%s", r->position ? r->position : "(null)");
    snprintf(s->filter[i], sizeof(s->filter[i]), "%s", r->filter ? r->filter : "(null)");
    snprintf(s->list_id[i], sizeof(s->list_id[i]), "%s", r->list_id ? r->list_id : "(null)");
    snprintf(s->error[i], sizeof(s->error[i]), "%s", r->error ? r->error : "(null)");
    return SYNC_OK;
}

static int64_t import_new(struct sync_store *st, const char *system, const char *object,
                          const char *filter, const char *list_id, int64_t total)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_import_row r;
    int64_t id = 0;

    memset(&r, 0, sizeof(r));
    r.system = system;
    r.object = object;
    r.filter = filter;
    r.list_id = list_id;
    r.total = total;
    OK(sync_store_import_insert(st, &r, &id, &err));
    return id;
}

Test(store, an_import_starts_running_with_nothing_read_and_its_page_counts_add_up)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct import_seen s = {0};
    int64_t id = import_new(st, "salesforce", "Lead", "LeadSource = 'Web'", NULL, 12);

    cr_assert_gt(id, 0);
    OK(sync_store_import_get(st, id, on_import, &s, &err));
    cr_assert_eq(s.n, 1);
    cr_assert_str_eq(s.state[0], "running");
    cr_assert_eq(s.total[0], 12);
    cr_assert_eq(s.read[0] + s.queued[0] + s.finished_at[0], 0);
    cr_assert_str_eq(s.position[0], "(null)");
    cr_assert_str_eq(s.filter[0], "LeadSource = 'Web'");
    cr_assert_str_eq(s.list_id[0], "(null)");
    cr_assert_gt(s.run_started_at[0], 0);
    OK(sync_store_import_advance(st, id, NULL, 5, 5, "00Q05", &err));
    OK(sync_store_import_advance(st, id, "00Q05", 5, 3, "00Q10", &err));
    s.n = 0;
    OK(sync_store_import_get(st, id, on_import, &s, &err));
    cr_assert_eq(s.read[0], 10);
    cr_assert_eq(s.queued[0], 8);
    cr_assert_str_eq(s.position[0], "00Q10");
    cr_assert_eq(sync_store_import_get(st, id + 1, on_import, &s, &err), SYNC_ERR_NOT_FOUND);
    sync_store_close(st);
}

Test(store, an_import_advance_in_a_rolled_back_page_leaves_no_trace)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct import_seen s = {0};
    int64_t id = import_new(st, "hubspot", "contacts", NULL, "42", 3);
    struct sync_change ch = {0, "hubspot", "contacts", "101", 5, 0, "{}", 0};

    OK(sync_store_begin(st, &err));
    OK(sync_store_inbox_put(st, &ch, NULL, &err));
    OK(sync_store_import_advance(st, id, NULL, 1, 1, "1", &err));
    OK(sync_store_rollback(st, &err));
    OK(sync_store_import_get(st, id, on_import, &s, &err));
    cr_assert_eq(s.read[0], 0, "the page and its counts go together");
    cr_assert_str_eq(s.position[0], "(null)");
    cr_assert_str_eq(s.list_id[0], "42");
    sync_store_close(st);
}

Test(store, an_import_page_from_a_position_the_job_has_left_is_refused_and_queues_nothing)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct import_seen s = {0};
    int64_t id = import_new(st, "salesforce", "Lead", NULL, NULL, 4);
    struct sync_change a = {0, "salesforce", "Lead", "00Q01", 5, 0, "{}", 0};
    struct sync_change b = {0, "salesforce", "Lead", "00Q03", 5, 0, "{}", 0};
    struct rows q = {0};

    /* two runs of the job both read the first page; the first stores it */
    OK(sync_store_begin(st, &err));
    OK(sync_store_inbox_put(st, &a, NULL, &err));
    OK(sync_store_import_advance(st, id, NULL, 2, 1, "00Q02", &err));
    OK(sync_store_commit(st, &err));
    /* the second's copy of the page started at the beginning too: refused, undone */
    OK(sync_store_begin(st, &err));
    OK(sync_store_inbox_put(st, &b, NULL, &err));
    cr_assert_eq(sync_store_import_advance(st, id, NULL, 2, 1, "00Q02", &err), SYNC_ERR_NOT_FOUND,
                 "the job moved on from where this page started");
    OK(sync_store_rollback(st, &err));
    cr_assert_eq(sync_store_import_advance(st, id, "00Q01", 2, 2, "00Q04", &err),
                 SYNC_ERR_NOT_FOUND, "nor from any other position but its own");
    OK(sync_store_import_get(st, id, on_import, &s, &err));
    cr_assert_eq(s.read[0], 2);
    cr_assert_eq(s.queued[0], 1);
    cr_assert_str_eq(s.position[0], "00Q02");
    OK(sync_store_inbox_take(st, 10, on_change, &q, &err));
    cr_assert_eq(q.n, 1, "only the first run's page is queued");
    cr_assert_str_eq(q.a[0], "00Q01");
    /* the run that owns it goes on from where it is */
    OK(sync_store_import_advance(st, id, "00Q02", 2, 2, "00Q04", &err));
    sync_store_close(st);
}

Test(store, an_import_finishes_only_from_the_state_named_and_a_resume_starts_a_new_run)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct import_seen s = {0};
    int64_t id = import_new(st, "salesforce", "Account", NULL, NULL, -1);

    OK(sync_store_import_advance(st, id, NULL, 7, 7, "001x", &err));
    OK(sync_store_import_set_state(st, id, "running", "failed", "UNABLE_TO_LOCK_ROW", &err));
    cr_assert_eq(sync_store_import_set_state(st, id, "running", "done", NULL, &err),
                 SYNC_ERR_NOT_FOUND, "it is not running any more");
    cr_assert_eq(sync_store_import_advance(st, id, "001x", 1, 1, "001y", &err), SYNC_ERR_NOT_FOUND,
                 "a job that is not running takes no page");
    OK(sync_store_import_get(st, id, on_import, &s, &err));
    cr_assert_str_eq(s.state[0], "failed");
    cr_assert_str_eq(s.error[0], "UNABLE_TO_LOCK_ROW");
    cr_assert_gt(s.finished_at[0], 0);
    cr_assert_eq(s.run_read[0], 0);
    OK(sync_store_import_set_state(st, id, "failed", "running", NULL, &err));
    s.n = 0;
    OK(sync_store_import_get(st, id, on_import, &s, &err));
    cr_assert_str_eq(s.state[0], "running");
    cr_assert_eq(s.finished_at[0], 0);
    cr_assert_eq(s.run_read[0], 7, "the new run counts its rate from here");
    cr_assert_str_eq(s.error[0], "(null)");
    cr_assert_str_eq(s.position[0], "001x", "it goes on where it stopped");
    cr_assert_eq(sync_store_import_set_state(st, id + 5, NULL, "done", NULL, &err),
                 SYNC_ERR_NOT_FOUND);
    sync_store_close(st);
}

Test(store, imports_list_newest_first_by_state_and_with_a_limit)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct import_seen s = {0};
    int64_t a = import_new(st, "salesforce", "Lead", NULL, NULL, 1);
    int64_t b = import_new(st, "salesforce", "Contact", NULL, NULL, 2);
    int64_t c = import_new(st, "hubspot", "contacts", NULL, "9", 3);

    OK(sync_store_import_set_state(st, b, NULL, "done", NULL, &err));
    OK(sync_store_import_list(st, NULL, 0, on_import, &s, &err));
    cr_assert_eq(s.n, 3);
    cr_assert_eq(s.id[0], c);
    cr_assert_eq(s.id[2], a);
    s.n = 0;
    OK(sync_store_import_list(st, "running", 0, on_import, &s, &err));
    cr_assert_eq(s.n, 2);
    s.n = 0;
    OK(sync_store_import_list(st, NULL, 1, on_import, &s, &err));
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.id[0], c);
    sync_store_close(st);
}

Test(store, import_arguments_are_checked)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = open_mem();
    struct sync_import_row r;
    int64_t id = import_new(st, "salesforce", "Lead", NULL, NULL, 0);

    memset(&r, 0, sizeof(r));
    r.system = "pipedrive";
    r.object = "Lead";
    cr_assert_eq(sync_store_import_insert(st, &r, &id, &err), SYNC_ERR_INVALID);
    r.system = "salesforce";
    r.object = NULL;
    cr_assert_eq(sync_store_import_insert(st, &r, &id, &err), SYNC_ERR_INVALID);
    r.object = "Lead";
    r.total = -2;
    cr_assert_eq(sync_store_import_insert(st, &r, &id, &err), SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_import_set_state(st, id, NULL, "paused", NULL, &err), SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_import_set_state(st, id, "stuck", "done", NULL, &err),
                 SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_import_advance(st, id, NULL, -1, 0, NULL, &err), SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_import_list(st, "paused", 0, on_import, NULL, &err), SYNC_ERR_INVALID);
    cr_assert(sync_store_import_state_ok("cancelled"));
    cr_assert(!sync_store_import_state_ok("Done"));
    sync_store_close(st);
}

/* ---- credentials ---- */

struct creds_copy {
    int n;
    char sealed[256], username[128], login_url[128], grant[32], error[256];
    int sandbox, valid, has_sealed;
    int64_t checked_at, updated_at;
};

static enum sync_rc creds_copy_row(void *ctx, const struct sync_credentials_row *r)
{
    struct creds_copy *c = ctx;
    c->n++;
    c->has_sealed = r->sealed != NULL;
    snprintf(c->sealed, sizeof(c->sealed), "%s", r->sealed ? r->sealed : "");
    snprintf(c->username, sizeof(c->username), "%s", r->username ? r->username : "");
    snprintf(c->login_url, sizeof(c->login_url), "%s", r->login_url ? r->login_url : "");
    snprintf(c->grant, sizeof(c->grant), "%s", r->grant ? r->grant : "");
    snprintf(c->error, sizeof(c->error), "%s", r->error ? r->error : "");
    c->sandbox = r->sandbox;
    c->valid = r->valid;
    c->checked_at = r->checked_at;
    c->updated_at = r->updated_at;
    return SYNC_OK;
}

static struct creds_copy creds_get(struct sync_store *st)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct creds_copy c;
    memset(&c, 0, sizeof(c));
    OK(sync_store_credentials_get(st, "salesforce", creds_copy_row, &c, &err));
    cr_assert_eq(c.n, 1);
    return c;
}

static struct sync_credentials_row creds_row(const char *sealed, const char *user)
{
    struct sync_credentials_row r;
    memset(&r, 0, sizeof(r));
    r.vendor = "salesforce";
    r.sealed = sealed;
    r.username = user;
    r.login_url = "https://test.salesforce.com";
    r.sandbox = 1;
    r.grant = "password";
    r.valid = 1;
    return r;
}

Test(store, stored_credentials_read_back_and_every_save_is_a_new_generation)
{
    struct sync_store *st = open_mem();
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_credentials_row r = creds_row("AQsealed==", "ada@example.com");
    struct creds_copy c;
    int64_t g1 = 0, g2 = 0;

    cr_assert_eq(sync_store_credentials_get(st, "salesforce", creds_copy_row, &c, &err),
                 SYNC_ERR_NOT_FOUND);
    OK(sync_store_credentials_put(st, &r, &g1, &err));
    cr_assert_gt(g1, 0);
    c = creds_get(st);
    cr_assert_str_eq(c.sealed, "AQsealed==");
    cr_assert_str_eq(c.username, "ada@example.com");
    cr_assert_str_eq(c.login_url, "https://test.salesforce.com");
    cr_assert_str_eq(c.grant, "password");
    cr_assert_eq(c.sandbox, 1);
    cr_assert_eq(c.valid, 1);
    cr_assert_gt(c.checked_at, 0);
    cr_assert_eq(c.updated_at, g1);
    /* saved again within the same millisecond or not: the generation moves forward */
    r.sealed = "AQother==";
    OK(sync_store_credentials_put(st, &r, &g2, &err));
    cr_assert_gt(g2, g1);
    cr_assert_str_eq(creds_get(st).sealed, "AQother==");
    sync_store_close(st);
}

Test(store, forgetting_credentials_clears_them_and_moves_the_generation)
{
    struct sync_store *st = open_mem();
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_credentials_row r = creds_row("AQsealed==", "ada@example.com");
    struct creds_copy c;
    int64_t g = 0;
    int had = -1;

    OK(sync_store_credentials_forget(st, "salesforce", &had, &err));
    cr_assert_eq(had, 0, "nothing was stored");
    OK(sync_store_credentials_put(st, &r, &g, &err));
    OK(sync_store_credentials_forget(st, "salesforce", &had, &err));
    cr_assert_eq(had, 1);
    c = creds_get(st);
    cr_assert_eq(c.has_sealed, 0);
    cr_assert_str_eq(c.username, "");
    cr_assert_eq(c.valid, -1, "the file's credentials are not known to be good");
    cr_assert_gt(c.updated_at, g);
    OK(sync_store_credentials_forget(st, "salesforce", &had, &err));
    cr_assert_eq(had, 0);
    cr_assert_eq(creds_get(st).updated_at, c.updated_at, "a second forget changes nothing");
    sync_store_close(st);
}

Test(store, validity_is_recorded_for_its_own_generation_only)
{
    struct sync_store *st = open_mem();
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_credentials_row r = creds_row("AQsealed==", "ada@example.com");
    struct creds_copy c;
    int64_t g = 0;
    int rec = -1;

    /* the file's credentials, before anything is stored: a row is made for them */
    OK(sync_store_credentials_validity(st, "salesforce", 0, 0,
                                       "invalid_grant: authentication "
                                       "failure",
                                       &rec, &err));
    cr_assert_eq(rec, 1);
    c = creds_get(st);
    cr_assert_eq(c.valid, 0);
    cr_assert_str_eq(c.error, "invalid_grant: authentication failure");
    cr_assert_eq(c.has_sealed, 0);
    cr_assert_eq(c.updated_at, 0);
    OK(sync_store_credentials_put(st, &r, &g, &err));
    cr_assert_eq(creds_get(st).error[0], '\0', "a save starts with its own validity");
    /* an engine still on the file's credentials does not overwrite the stored ones' */
    OK(sync_store_credentials_validity(st, "salesforce", 0, 0, "stale", &rec, &err));
    cr_assert_eq(rec, 0);
    cr_assert_eq(creds_get(st).valid, 1);
    OK(sync_store_credentials_validity(st, "salesforce", g, 0, "INVALID_LOGIN: locked", &rec,
                                       &err));
    cr_assert_eq(rec, 1);
    c = creds_get(st);
    cr_assert_eq(c.valid, 0);
    cr_assert_str_eq(c.error, "INVALID_LOGIN: locked");
    cr_assert_str_eq(c.sealed, "AQsealed==", "the credentials themselves are kept");
    sync_store_close(st);
}

Test(store, credentials_arguments_are_checked)
{
    struct sync_store *st = open_mem();
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_credentials_row r = creds_row(NULL, "ada@example.com");

    cr_assert_eq(sync_store_credentials_put(st, &r, NULL, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "sealed credentials"), "%s", err.message);
    r = creds_row("AQ==", NULL);
    r.vendor = "zendesk";
    cr_assert_eq(sync_store_credentials_put(st, &r, NULL, &err), SYNC_ERR_INVALID);
    r.vendor = "salesforce";
    r.valid = 2;
    cr_assert_eq(sync_store_credentials_put(st, &r, NULL, &err), SYNC_ERR_INVALID);
    cr_assert_eq(sync_store_credentials_validity(st, "salesforce", -1, 1, NULL, NULL, &err),
                 SYNC_ERR_INVALID);
    sync_store_close(st);
}
