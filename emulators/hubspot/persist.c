/*
 * persist.c: --data FILE keeps the portal in SQLite across restarts.
 *
 * Two tables: records(type, id, body) with one JSON row per record (its
 * values, history, associations and timestamps) and meta(key, body) with
 * one JSON document for everything else (property catalogues, labels,
 * pipelines, owners, lists, forms and e-mail events, OAuth tokens, webhook
 * settings and subscriptions, portal settings, id counters, merged-id
 * aliases). Writers call persist_mark (portal lock held); a background
 * thread wakes every 200 ms and, when something changed, serialises the
 * dirty records and the meta document under the portal lock, then writes
 * them in one transaction outside it. persist_close writes what is left.
 *
 * Without --data every function here is a no-op.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "emulators/hubspot/portal.h"

struct gone {
    int type;
    uint64_t id;
};

struct persist {
    sqlite3 *db;
    pthread_t thread;
    int running;
    int stop; /* under stop_lock */
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
    int dirty; /* under the portal lock */
    int wipe;
    struct gone *gone;
    size_t ngone, cgone;
};

#define PS(p) ((struct persist *)(p)->persist)

void persist_mark(struct hs_portal *p)
{
    if (PS(p))
        PS(p)->dirty = 1;
}

void persist_forget(struct hs_portal *p, enum hs_type t, uint64_t id)
{
    struct persist *s = PS(p);
    if (!s)
        return;
    if (s->ngone == s->cgone) {
        size_t cap = s->cgone ? s->cgone * 2 : 64;
        struct gone *v = realloc(s->gone, cap * sizeof(*v));
        if (!v)
            return;
        s->gone = v;
        s->cgone = cap;
    }
    s->gone[s->ngone].type = t;
    s->gone[s->ngone].id = id;
    s->ngone++;
    s->dirty = 1;
}

void persist_wipe(struct hs_portal *p)
{
    struct persist *s = PS(p);
    if (!s)
        return;
    s->wipe = 1;
    s->ngone = 0;
    s->dirty = 1;
}

/* ---- records ---- */

static json_t *record_json(struct hs_portal *p, const struct hs_record *r)
{
    struct hs_catalog *cat = &p->cat[r->type];
    json_t *vals = json_object(), *hist = json_object(), *edges = json_array();
    for (size_t i = 0; i < r->nvals && i < cat->n; i++) {
        const struct hs_hist *h;
        json_t *ha;
        if (r->vals[i])
            json_object_set_new(vals, cat->v[i]->name, json_string(r->vals[i]));
        if (!r->hist[i])
            continue;
        ha = json_array();
        for (h = r->hist[i]; h; h = h->next)
            json_array_append_new(ha, json_pack("[s, I, s, s?, I]", h->value, (json_int_t)h->ts,
                                                h->src_type, h->src_id, (json_int_t)h->user_id));
        json_object_set_new(hist, cat->v[i]->name, ha);
    }
    for (size_t i = 0; i < r->nedges; i++)
        json_array_append_new(edges, json_pack("[i, I, i, i]", r->edges[i].to_type,
                                               (json_int_t)r->edges[i].to_id,
                                               (int)r->edges[i].type_id, r->edges[i].cat));
    return json_pack("{s:b, s:I, s:I, s:I, s:o, s:o, s:o}", "a", r->archived, "c",
                     (json_int_t)r->created, "u", (json_int_t)r->updated, "aa",
                     (json_int_t)r->archived_at, "v", vals, "h", hist, "e", edges);
}

/* History source types are static strings; map a stored one back to its constant. */
static const char *src_const(const char *s)
{
    static const char *const known[] = {"INTEGRATION",         "CRM_UI",     "FORM", "IMPORT",
                                        "AUTOMATION_PLATFORM", "CALCULATED", "API",  NULL};
    for (size_t i = 0; s && known[i]; i++)
        if (strcmp(s, known[i]) == 0)
            return known[i];
    return "API";
}

static void load_values(const struct hs_catalog *cat, struct hs_record *r, const json_t *vals)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)vals, k, v)
    {
        struct hs_prop *prop = hs_map_get(&cat->by_name, k);
        if (prop && json_is_string(v) && prop->idx < r->nvals)
            r->vals[prop->idx] = strdup(json_string_value(v));
    }
}

/* Each property's history, newest first: [value, ts, sourceType, sourceId, userId]. */
static void load_history(const struct hs_catalog *cat, struct hs_record *r, const json_t *hist)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)hist, k, v)
    {
        struct hs_prop *prop = hs_map_get(&cat->by_name, k);
        struct hs_hist **tail;
        size_t i;
        json_t *e;
        if (!prop || prop->idx >= r->nvals)
            continue;
        tail = &r->hist[prop->idx];
        json_array_foreach(v, i, e)
        {
            struct hs_hist *h = hs_hist_new(
                json_string_value(json_array_get(e, 0)), json_integer_value(json_array_get(e, 1)),
                src_const(json_string_value(json_array_get(e, 2))),
                json_string_value(json_array_get(e, 3)), json_integer_value(json_array_get(e, 4)));
            if (!h)
                break;
            *tail = h;
            tail = &h->next;
        }
    }
}

/* The associations: [toType, toId, typeId, category]. */
static void load_edges(struct hs_record *r, const json_t *edges)
{
    size_t i;
    json_t *e;
    if (!json_array_size(edges))
        return;
    r->edges = calloc(json_array_size(edges), sizeof(*r->edges));
    r->cedges = r->edges ? json_array_size(edges) : 0;
    json_array_foreach(edges, i, e)
    {
        int type = (int)json_integer_value(json_array_get(e, 0));
        if (!r->edges || type < 0 || type >= HS_NTYPES)
            continue;
        r->edges[r->nedges].to_type = (uint8_t)type;
        r->edges[r->nedges].to_id = (uint64_t)json_integer_value(json_array_get(e, 1));
        r->edges[r->nedges].type_id = (int32_t)json_integer_value(json_array_get(e, 2));
        r->edges[r->nedges].cat = (uint8_t)json_integer_value(json_array_get(e, 3));
        r->nedges++;
    }
}

static void record_load(struct hs_portal *p, int t, uint64_t id, const json_t *j)
{
    const struct hs_catalog *cat = &p->cat[t];
    struct hs_record *r = obj_record_new(p, (enum hs_type)t);
    if (!r)
        return;
    r->id = id;
    r->archived = sync_json_bool(j, "a", 0);
    r->created = sync_json_int(j, "c", 0);
    r->updated = sync_json_int(j, "u", 0);
    r->archived_at = sync_json_int(j, "aa", 0);
    load_values(cat, r, json_object_get(j, "v"));
    load_history(cat, r, json_object_get(j, "h"));
    load_edges(r, json_object_get(j, "e"));
    if (obj_adopt(p, r))
        obj_record_free(r);
}

/* ---- meta ---- */

struct alias_arg {
    int type;
    json_t *out;
};

static void alias_one(const char *key, void *val, void *arg)
{
    struct alias_arg *a = arg;
    const struct hs_record *r = val;
    char own[24];
    json_array_append_new(a->out, json_pack("[i, s, s]", a->type, key, hs_id_str(r->id, own)));
}

static json_t *meta_json(struct hs_portal *p)
{
    json_t *pipes = json_array(), *aliases = json_array();
    for (int t = 0; t < HS_NTYPES; t++) {
        struct alias_arg a = {t, aliases};
        json_array_append(pipes, p->pipelines[t] ? p->pipelines[t] : json_null());
        hs_map_each(&p->st[t].aliases, alias_one, &a);
    }
    return json_pack(
        "{s:I, s:o, s:o, s:o, s:O, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "next_id",
        (json_int_t)p->next_id, "props", props_dump(p), "assoc", assoc_dump(p), "pipelines", pipes,
        "owners", p->owners, "next_owner", (json_int_t)p->next_owner, "lists", lists_dump(p), "mkt",
        mkt_dump(p), "auth", auth_dump(p), "webhooks", wh_dump(p), "settings",
        settings_to_json(&p->settings), "limits", limits_to_json(&p->limits), "aliases", aliases);
}

static void meta_load(struct hs_portal *p, const json_t *m)
{
    json_t *v, *lim;
    char err[256];
    size_t i;
    props_load(p, json_object_get(m, "props"));
    assoc_load(p, json_object_get(m, "assoc"));
    json_array_foreach(json_object_get(m, "pipelines"), i, v)
    {
        if (i < HS_NTYPES && json_is_array(v)) {
            json_decref(p->pipelines[i]);
            p->pipelines[i] = json_deep_copy(v);
        }
    }
    if (json_is_array(json_object_get(m, "owners"))) {
        json_decref(p->owners);
        p->owners = json_deep_copy(json_object_get(m, "owners"));
    }
    p->next_owner = sync_json_int(m, "next_owner", p->next_owner);
    lists_load(p, json_object_get(m, "lists"));
    mkt_load(p, json_object_get(m, "mkt"));
    auth_load(p, json_object_get(m, "auth"));
    wh_load(p, json_object_get(m, "webhooks"));
    settings_configure(&p->settings, json_object_get(m, "settings"), err, sizeof(err));
    webhooks_settings_changed(p);
    lim = json_deep_copy(json_object_get(m, "limits"));
    if (lim) {
        json_object_del(lim, "daily_used");
        json_object_del(lim, "enabled"); /* the command line decides (--no-limits) */
        limits_configure(&p->limits, lim, err, sizeof(err));
        json_decref(lim);
    }
    if ((uint64_t)sync_json_int(m, "next_id", 0) > p->next_id)
        p->next_id = (uint64_t)sync_json_int(m, "next_id", 0);
}

static void aliases_load(struct hs_portal *p, const json_t *m)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(m, "aliases"), i, a)
    {
        int t = (int)json_integer_value(json_array_get(a, 0));
        const char *alias = json_string_value(json_array_get(a, 1));
        const char *own = json_string_value(json_array_get(a, 2));
        struct hs_record *r;
        if (t < 0 || t >= HS_NTYPES || !alias || !own)
            continue;
        r = hs_map_get(&p->st[t].by_id, own);
        if (r)
            hs_map_put(&p->st[t].aliases, alias, r);
    }
}

/* ---- SQLite ---- */

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        sync_error("emu-hubspot", "sqlite: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
    }
    return rc;
}

struct pending {
    int wipe;
    struct gone *gone;
    size_t ngone;
    struct {
        int type;
        uint64_t id;
        char *body;
    } * rows;
    size_t nrows;
    char *meta;
};

static void pending_release(struct pending *w)
{
    for (size_t i = 0; i < w->nrows; i++)
        free(w->rows[i].body);
    free(w->rows);
    free(w->gone);
    free(w->meta);
    memset(w, 0, sizeof(*w));
}

/* Collects what changed (portal lock held). Returns 0 when nothing did. */
static int collect(struct hs_portal *p, struct pending *w)
{
    struct persist *s = PS(p);
    struct sync_buf b = SYNC_BUF_INIT(SYNC_BUF_DEFAULT_CAP);
    json_t *m;
    size_t cap = 0;
    if (!s->dirty)
        return 0;
    memset(w, 0, sizeof(*w));
    w->wipe = s->wipe;
    w->gone = s->gone;
    w->ngone = s->ngone;
    s->gone = NULL;
    s->ngone = s->cgone = 0;
    s->wipe = 0;
    s->dirty = 0;
    for (int t = 0; t < HS_NTYPES; t++) {
        struct hs_store *st = &p->st[t];
        for (size_t i = 0; i < st->n; i++) {
            struct hs_record *r = st->v[i];
            json_t *j;
            if (!r->dirty && !w->wipe)
                continue;
            if (w->nrows == cap) {
                size_t nc = cap ? cap * 2 : 256;
                void *nv = realloc(w->rows, nc * sizeof(*w->rows));
                if (!nv)
                    break;
                w->rows = nv;
                cap = nc;
            }
            j = record_json(p, r);
            sync_buf_reset(&b);
            sync_json_dump(j, &b);
            json_decref(j);
            w->rows[w->nrows].type = t;
            w->rows[w->nrows].id = r->id;
            w->rows[w->nrows].body = strdup(sync_buf_str(&b));
            w->nrows++;
            r->dirty = 0;
        }
    }
    m = meta_json(p);
    sync_buf_reset(&b);
    sync_json_dump(m, &b);
    json_decref(m);
    w->meta = strdup(sync_buf_str(&b));
    sync_buf_release(&b);
    return 1;
}

static void write_pending(sqlite3 *db, struct pending *w)
{
    sqlite3_stmt *put = NULL, *del = NULL, *meta = NULL;
    exec(db, "BEGIN");
    if (w->wipe)
        exec(db, "DELETE FROM records");
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO records(type, id, body) VALUES (?, ?, ?)",
                           -1, &put, NULL) == SQLITE_OK) {
        for (size_t i = 0; i < w->nrows; i++) {
            sqlite3_bind_int(put, 1, w->rows[i].type);
            sqlite3_bind_int64(put, 2, (sqlite3_int64)w->rows[i].id);
            sqlite3_bind_text(put, 3, w->rows[i].body, -1, SQLITE_STATIC);
            sqlite3_step(put);
            sqlite3_reset(put);
        }
    }
    if (sqlite3_prepare_v2(db, "DELETE FROM records WHERE type = ? AND id = ?", -1, &del, NULL) ==
        SQLITE_OK) {
        for (size_t i = 0; i < w->ngone; i++) {
            sqlite3_bind_int(del, 1, w->gone[i].type);
            sqlite3_bind_int64(del, 2, (sqlite3_int64)w->gone[i].id);
            sqlite3_step(del);
            sqlite3_reset(del);
        }
    }
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, body) VALUES ('portal', ?)", -1,
                           &meta, NULL) == SQLITE_OK) {
        sqlite3_bind_text(meta, 1, w->meta, -1, SQLITE_STATIC);
        sqlite3_step(meta);
    }
    sqlite3_finalize(put);
    sqlite3_finalize(del);
    sqlite3_finalize(meta);
    exec(db, "COMMIT");
}

static void flush(struct hs_portal *p)
{
    struct pending w;
    int any;
    pthread_mutex_lock(&p->lock);
    any = collect(p, &w);
    pthread_mutex_unlock(&p->lock);
    if (!any)
        return;
    write_pending(PS(p)->db, &w);
    pending_release(&w);
}

static void *flusher(void *arg)
{
    struct hs_portal *p = arg;
    struct persist *s = PS(p);
    pthread_mutex_lock(&s->stop_lock);
    while (!s->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->stop_cond, &s->stop_lock, &ts);
        if (s->stop)
            break;
        pthread_mutex_unlock(&s->stop_lock);
        flush(p);
        pthread_mutex_lock(&s->stop_lock);
    }
    pthread_mutex_unlock(&s->stop_lock);
    return NULL;
}

static void load_records(struct hs_portal *p, sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT type, id, body FROM records ORDER BY type, id", -1, &st,
                           NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int t = sqlite3_column_int(st, 0);
        uint64_t id = (uint64_t)sqlite3_column_int64(st, 1);
        const char *b = (const char *)sqlite3_column_text(st, 2);
        json_t *r = b ? sync_json_parse(b, strlen(b), NULL) : NULL;
        if (r && t >= 0 && t < HS_NTYPES)
            record_load(p, t, id, r);
        json_decref(r);
    }
    sqlite3_finalize(st);
}

/* Reads a stored portal: 1 when there was one, 0 for a new file, -1 when unreadable. */
static int load(struct hs_portal *p, sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    json_t *m = NULL;
    if (sqlite3_prepare_v2(db, "SELECT body FROM meta WHERE key = 'portal'", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        m = text ? sync_json_parse(text, strlen(text), NULL) : NULL;
    }
    sqlite3_finalize(st);
    if (!m)
        return 0;
    meta_load(p, m);
    load_records(p, db);
    aliases_load(p, m);
    json_decref(m);
    return 1;
}

int persist_open(struct hs_portal *p, const char *file, char *err, size_t errlen)
{
    struct persist *s = calloc(1, sizeof(*s));
    int have;
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (sqlite3_open(file, &s->db) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", file, sqlite3_errmsg(s->db));
        sqlite3_close(s->db);
        free(s);
        return -1;
    }
    if (exec(s->db, "PRAGMA journal_mode=WAL") || exec(s->db, "PRAGMA synchronous=NORMAL") ||
        exec(s->db, "CREATE TABLE IF NOT EXISTS records(type INTEGER NOT NULL, id INTEGER NOT "
                    "NULL, body TEXT NOT NULL, PRIMARY KEY(type, id))") ||
        exec(s->db, "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, body TEXT NOT NULL)")) {
        snprintf(err, errlen, "cannot set up %s: %s", file, sqlite3_errmsg(s->db));
        sqlite3_close(s->db);
        free(s);
        return -1;
    }
    pthread_mutex_lock(&p->lock);
    have = load(p, s->db);
    if (have >= 0) {
        p->persist = s;
        s->dirty = !have; /* a new file gets the fresh portal at once */
    }
    pthread_mutex_unlock(&p->lock);
    if (have < 0) {
        snprintf(err, errlen, "cannot read %s: %s", file, sqlite3_errmsg(s->db));
        sqlite3_close(s->db);
        free(s);
        return -1;
    }
    pthread_mutex_init(&s->stop_lock, NULL);
    pthread_cond_init(&s->stop_cond, NULL);
    if (pthread_create(&s->thread, NULL, flusher, p) == 0)
        s->running = 1;
    return 0;
}

void persist_close(struct hs_portal *p)
{
    struct persist *s = PS(p);
    if (!s)
        return;
    if (s->running) {
        pthread_mutex_lock(&s->stop_lock);
        s->stop = 1;
        pthread_cond_signal(&s->stop_cond);
        pthread_mutex_unlock(&s->stop_lock);
        pthread_join(s->thread, NULL);
    }
    flush(p);
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->stop_lock);
    pthread_cond_destroy(&s->stop_cond);
    free(s->gone);
    free(s);
    p->persist = NULL;
}
