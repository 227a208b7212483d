/*
 * persist.c: the org in SQLite for --data FILE (see persist.h).
 *
 * Tables: meta(key, value) for counters, settings and rules as JSON;
 * records(id, object, data, deleted_at) with each record's stored version;
 * changes(seq, entry) with the change log. Every commit writes what it
 * touched in one SQLite transaction (WAL, synchronous=NORMAL). All calls
 * happen with the org write lock held, so the handle is used by one
 * thread at a time.
 */
#include "emulators/salesforce/persist.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "emulators/salesforce/api.h"
#include "emulators/salesforce/rules.h"

struct sf_persist {
    sqlite3 *db;
    sqlite3_stmt *put_rec, *put_change, *put_meta, *trim_changes;
    uint64_t saved_seq; /* change-log entries up to here are in the file */
};

static const char *const ddl =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS records(id TEXT PRIMARY KEY, object TEXT NOT NULL,"
    " data TEXT NOT NULL, deleted_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS changes(seq INTEGER PRIMARY KEY, entry TEXT NOT NULL);";

static int exec(struct sf_persist *p, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(p->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        sync_warn("persist", "%s: %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static void put_meta(struct sf_persist *p, const char *key, json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(value);
    if (!text)
        return;
    sqlite3_reset(p->put_meta);
    sqlite3_bind_text(p->put_meta, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(p->put_meta, 2, text, -1, SQLITE_TRANSIENT);
    sqlite3_step(p->put_meta);
    free(text);
}

static void put_rec(struct sf_persist *p, const struct sf_rec *r)
{
    char *text = json_dumps(r->data, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return;
    sqlite3_reset(p->put_rec);
    sqlite3_bind_text(p->put_rec, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(p->put_rec, 2, r->obj->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(p->put_rec, 3, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(p->put_rec, 4, r->deleted_at);
    sqlite3_step(p->put_rec);
    free(text);
}

static json_t *rules_json(const struct sf_org *org)
{
    json_t *perms = json_object(), *assign = json_object();
    for (size_t i = 0; i < org->schema.n; i++) {
        const struct sf_perm *pm = &org->perms[i];
        if (pm->read_only || json_array_size(pm->read_only_fields))
            json_object_set_new(
                perms, org->schema.objects[i]->name,
                json_pack("{s:b, s:O}", "read_only", pm->read_only, "fields",
                          pm->read_only_fields ? pm->read_only_fields : json_array()));
        if (org->assign_owner[i][0])
            json_object_set_new(assign, org->schema.objects[i]->name,
                                json_string(org->assign_owner[i]));
    }
    return json_pack("{s:o, s:o, s:o, s:o}", "validation", rules_validation_json(org), "duplicate",
                     rules_duplicate_json(org), "permissions", perms, "assignment", assign);
}

static void load_access(struct sf_org *org, const json_t *m)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)m, k, v)
    {
        const struct sf_object *o = schema_object(&org->schema, k);
        int a = org_access_parse(json_string_value(v));
        if (o && a >= 0)
            org->perms[o->index].access = (enum sf_access)a;
    }
}

static void save_meta(struct sf_persist *p, struct sf_server *srv)
{
    struct sf_org *org = &srv->org;
    put_meta(p, "counters",
             json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:I}", "id_seq",
                       (json_int_t)org->id_seq, "case_number", (json_int_t)org->case_number,
                       "created_at", (json_int_t)org->created_at, "earliest_deleted",
                       (json_int_t)org->earliest_deleted, "change_seq", (json_int_t)org->change_seq,
                       "txn_seq", (json_int_t)org->txn_seq, "integration_user",
                       org->integration_user, "seed_rounds", (json_int_t)srv->seed_rounds));
    put_meta(p, "settings",
             json_pack("{s:I, s:b, s:b, s:I, s:o}", "token_lifetime_s",
                       (json_int_t)org->settings.token_lifetime_s, "state_country_picklists",
                       org->settings.state_country_picklists, "api_enabled",
                       org->settings.api_enabled, "late_commit_ms", (json_int_t)org->late_commit_ms,
                       "object_access", org_access_json(org)));
    put_meta(p, "rules", rules_json(org));
}

static void save_changes(struct sf_persist *p, struct sf_org *org)
{
    json_t *log;
    size_t i;
    json_t *e;
    if (org->change_seq <= p->saved_seq)
        return;
    log = org_changes_json(org, p->saved_seq, SF_CHANGES_MAX);
    json_array_foreach(json_object_get(log, "changes"), i, e)
    {
        char *text = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!text)
            continue;
        sqlite3_reset(p->put_change);
        sqlite3_bind_int64(p->put_change, 1,
                           (sqlite3_int64)json_integer_value(json_object_get(e, "seq")));
        sqlite3_bind_text(p->put_change, 2, text, -1, SQLITE_TRANSIENT);
        sqlite3_step(p->put_change);
        free(text);
    }
    json_decref(log);
    /* the file keeps what the ring keeps: the last SF_CHANGES_MAX entries */
    if (org->change_seq > SF_CHANGES_MAX) {
        sqlite3_reset(p->trim_changes);
        sqlite3_bind_int64(p->trim_changes, 1, (sqlite3_int64)(org->change_seq - SF_CHANGES_MAX));
        sqlite3_step(p->trim_changes);
    }
    p->saved_seq = org->change_seq;
}

static void on_commit(void *ctx, struct sf_org *org, const struct sf_txn *txn)
{
    struct sf_persist *p = ctx;
    struct sf_server *srv = (struct sf_server *)((char *)org - offsetof(struct sf_server, org));
    if (!txn->nundo && org->change_seq <= p->saved_seq)
        return;
    exec(p, "BEGIN");
    for (size_t i = 0; i < txn->nundo; i++) {
        const struct sf_rec *r = txn->undo[i].rec;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = txn->undo[k].rec == r;
        if (!seen)
            put_rec(p, r);
    }
    save_changes(p, org);
    save_meta(p, srv);
    exec(p, "COMMIT");
}

void persist_save_all(struct sf_persist *p, struct sf_server *srv)
{
    struct sf_org *org = &srv->org;
    exec(p, "BEGIN");
    exec(p, "DELETE FROM records; DELETE FROM changes;");
    for (size_t i = 0; i < org->schema.n; i++)
        for (size_t k = 0; k < org->tables[i].n; k++)
            put_rec(p, org->tables[i].rows[k]);
    p->saved_seq = 0;
    save_changes(p, org);
    save_meta(p, srv);
    exec(p, "COMMIT");
}

/* ---- loading ---- */

static json_t *get_meta(struct sf_persist *p, const char *key)
{
    sqlite3_stmt *st;
    json_t *v = NULL;
    if (sqlite3_prepare_v2(p->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    }
    sqlite3_finalize(st);
    return v;
}

static void load_rules(struct sf_server *srv, const json_t *rules)
{
    struct sf_org *org = &srv->org;
    size_t i;
    json_t *r;
    const char *k;
    json_t *v;

    json_array_foreach(json_object_get(rules, "validation"), i, r)
        rules_add_validation(org, r, NULL);
    json_array_foreach(json_object_get(rules, "duplicate"), i, r) rules_add_duplicate(org, r, NULL);
    json_object_foreach(json_object_get(rules, "permissions"), k, v)
    {
        const struct sf_object *o = schema_object(&org->schema, k);
        if (!o)
            continue;
        org->perms[o->index].read_only = sync_json_bool(v, "read_only", 0);
        json_decref(org->perms[o->index].read_only_fields);
        org->perms[o->index].read_only_fields = json_incref(json_object_get(v, "fields"));
    }
    json_object_foreach(json_object_get(rules, "assignment"), k, v)
    {
        const struct sf_object *o = schema_object(&org->schema, k);
        if (o && json_is_string(v))
            snprintf(org->assign_owner[o->index], 19, "%s", json_string_value(v));
    }
}

static void copy_str(char *out, size_t n, const json_t *e, const char *key)
{
    snprintf(out, n, "%s", sync_json_str(e, key) ? sync_json_str(e, key) : "");
}

/* Appends a change-log entry read back from its control-API form; skips unusable ones. */
static void load_change(struct sf_org *org, json_t *e)
{
    const struct sf_object *o = schema_object(&org->schema, sync_json_str(e, "object"));
    const char *type = sync_json_str(e, "type");
    struct sf_change *c;
    int64_t at = 0;

    if (!o || !type || org->changes_len >= SF_CHANGES_MAX)
        return;
    c = &org->changes[(org->changes_head + org->changes_len++) % SF_CHANGES_MAX];
    memset(c, 0, sizeof(*c));
    c->seq = (uint64_t)sync_json_int(e, "seq", 0);
    c->obj = o;
    snprintf(c->id, sizeof(c->id), "%s",
             json_string_value(json_array_get(json_object_get(e, "ids"), 0)));
    c->type = strcmp(type, "CREATE") == 0   ? SF_CHANGE_CREATE
              : strcmp(type, "UPDATE") == 0 ? SF_CHANGE_UPDATE
              : strcmp(type, "DELETE") == 0 ? SF_CHANGE_DELETE
                                            : SF_CHANGE_UNDELETE;
    c->fields = json_incref(json_object_get(e, "fields"));
    c->values = json_incref(json_object_get(e, "values"));
    copy_str(c->client, sizeof(c->client), e, "client");
    copy_str(c->txkey, sizeof(c->txkey), e, "transaction");
    copy_str(c->user, sizeof(c->user), e, "user");
    copy_str(c->api_version, sizeof(c->api_version), e, "api_version");
    if (sync_json_str(e, "at") && sync_time_parse(sync_json_str(e, "at"), &at) == SYNC_OK)
        c->at = at;
}

static void load_changes(struct sf_persist *p, struct sf_org *org)
{
    sqlite3_stmt *st;
    /* the newest SF_CHANGES_MAX, oldest first */
    if (sqlite3_prepare_v2(p->db,
                           "SELECT entry FROM (SELECT seq, entry FROM changes ORDER BY seq DESC "
                           "LIMIT ?) ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int(st, 1, SF_CHANGES_MAX);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        json_t *e = text ? json_loads(text, 0, NULL) : NULL;
        if (e)
            load_change(org, e);
        json_decref(e);
    }
    sqlite3_finalize(st);
}

static int load(struct sf_persist *p, struct sf_server *srv)
{
    struct sf_org *org = &srv->org;
    json_t *counters = get_meta(p, "counters"), *settings, *rules;
    sqlite3_stmt *st;

    if (!counters)
        return 0;
    org_clear(org);
    if (sqlite3_prepare_v2(p->db, "SELECT id, object, data, deleted_at FROM records ORDER BY rowid",
                           -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const struct sf_object *o =
                schema_object(&org->schema, (const char *)sqlite3_column_text(st, 1));
            const char *text = (const char *)sqlite3_column_text(st, 2);
            json_t *data = text ? json_loads(text, 0, NULL) : NULL;
            struct sf_rec *r;
            if (!o || !data) {
                json_decref(data);
                continue;
            }
            r = org_insert(org, NULL, o, data);
            if (r)
                r->deleted_at = sqlite3_column_int64(st, 3);
        }
        sqlite3_finalize(st);
    }
    org->id_seq = (uint64_t)sync_json_int(counters, "id_seq", 0);
    org->case_number = (uint64_t)sync_json_int(counters, "case_number", 1000);
    org->created_at = sync_json_int(counters, "created_at", org->created_at);
    org->earliest_deleted = sync_json_int(counters, "earliest_deleted", org->earliest_deleted);
    org->txn_seq = (uint64_t)sync_json_int(counters, "txn_seq", 0);
    srv->seed_rounds = (uint64_t)sync_json_int(counters, "seed_rounds", 0);
    snprintf(org->integration_user, sizeof(org->integration_user), "%s",
             sync_json_str(counters, "integration_user")
                 ? sync_json_str(counters, "integration_user")
                 : "");
    settings = get_meta(p, "settings");
    if (settings) {
        org->settings.token_lifetime_s = sync_json_int(settings, "token_lifetime_s", 7200);
        org->settings.state_country_picklists =
            sync_json_bool(settings, "state_country_picklists", 0);
        org->settings.api_enabled = sync_json_bool(settings, "api_enabled", 1);
        org->late_commit_ms = sync_json_int(settings, "late_commit_ms", 0);
        load_access(org, json_object_get(settings, "object_access"));
    }
    rules = get_meta(p, "rules");
    if (rules)
        load_rules(srv, rules);
    load_changes(p, org);
    org->change_seq = (uint64_t)sync_json_int(counters, "change_seq", 0);
    p->saved_seq = org->change_seq;
    json_decref(counters);
    json_decref(settings);
    json_decref(rules);
    return 1;
}

enum sync_rc persist_open(struct sf_persist **out, const char *path, struct sf_server *srv,
                          int *loaded, struct sync_err *err)
{
    struct sf_persist *p = calloc(1, sizeof(*p));
    if (!p)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (sqlite3_open(path, &p->db) != SQLITE_OK) {
        sync_err_set(err, SYNC_ERR_IO, "%s: %s", path, sqlite3_errmsg(p->db));
        sqlite3_close(p->db);
        free(p);
        return SYNC_ERR_IO;
    }
    sqlite3_busy_timeout(p->db, 5000);
    if (exec(p, ddl) ||
        sqlite3_prepare_v2(p->db,
                           "INSERT OR REPLACE INTO records(id, object, data, deleted_at) VALUES "
                           "(?, ?, ?, ?)",
                           -1, &p->put_rec, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(p->db, "INSERT OR REPLACE INTO changes(seq, entry) VALUES (?, ?)", -1,
                           &p->put_change, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(p->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", -1,
                           &p->put_meta, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(p->db, "DELETE FROM changes WHERE seq <= ?", -1, &p->trim_changes,
                           NULL) != SQLITE_OK) {
        sync_err_set(err, SYNC_ERR_IO, "%s: %s", path, sqlite3_errmsg(p->db));
        persist_close(p);
        return SYNC_ERR_IO;
    }
    *loaded = load(p, srv);
    srv->org.on_commit = on_commit;
    srv->org.on_commit_ctx = p;
    *out = p;
    return SYNC_OK;
}

void persist_close(struct sf_persist *p)
{
    if (!p)
        return;
    sqlite3_finalize(p->put_rec);
    sqlite3_finalize(p->put_change);
    sqlite3_finalize(p->put_meta);
    sqlite3_finalize(p->trim_changes);
    sqlite3_close(p->db);
    free(p);
}
