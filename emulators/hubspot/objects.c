/*
 * objects.c: the CRM object types and their records: the type table, the
 * stores, creating, updating, archiving, restoring and purging records
 * (with the server-maintained properties, property history, unique
 * indexes, the search-lag snapshot and webhook events), the checks and
 * writes behind API inputs, property selections, and the single-record v3
 * endpoints (list, read, create, update, archive, GDPR delete). Records
 * are written out by render.c; merges are in merge.c.
 *
 * Callers hold the portal lock. batch.c and search.c build on the same
 * record functions; control.c, marketing.c and seed.c use them for their
 * writes; persist.c rebuilds stores through obj_record_new and obj_adopt.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/crypto.h"
#include "core/time.h"
#include "emulators/hubspot/portal.h"

static const char *const contact_defaults[] = {
    "createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname", NULL};
static const char *const company_defaults[] = {
    "name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id", NULL};
static const char *const deal_defaults[] = {
    "dealname",  "amount",     "closedate",           "pipeline",
    "dealstage", "createdate", "hs_lastmodifieddate", "hs_object_id",
    NULL};
static const char *const ticket_defaults[] = {
    "content", "hs_pipeline", "hs_pipeline_stage",   "hs_ticket_category", "hs_ticket_priority",
    "subject", "createdate",  "hs_lastmodifieddate", "hs_object_id",       NULL};
static const char *const activity_defaults[] = {"hs_createdate", "hs_lastmodifieddate",
                                                "hs_object_id", NULL};

static const char *const contact_searched[] = {"firstname",
                                               "lastname",
                                               "email",
                                               "phone",
                                               "hs_additional_emails",
                                               "fax",
                                               "mobilephone",
                                               "company",
                                               "hs_marketable_until_renewal",
                                               NULL};
static const char *const company_searched[] = {"website", "phone", "name", "domain", NULL};
static const char *const deal_searched[] = {"dealname",    "pipeline", "dealstage",
                                            "description", "dealtype", NULL};
static const char *const ticket_searched[] = {
    "subject", "content", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_id", NULL};
static const char *const task_searched[] = {"hs_task_body", "hs_task_subject", NULL};
static const char *const note_searched[] = {"hs_note_body", NULL};
static const char *const call_searched[] = {"hs_call_title", "hs_body_preview", NULL};
static const char *const meeting_searched[] = {"hs_meeting_title", "hs_meeting_body", NULL};
static const char *const email_searched[] = {"hs_email_subject", NULL};

const struct hs_type_info hs_types[HS_NTYPES] = {
    {"contacts", "contact", "0-1", "crm.objects.contacts", "createdate", "lastmodifieddate",
     "contact", contact_defaults, contact_searched},
    {"companies", "company", "0-2", "crm.objects.companies", "createdate", "hs_lastmodifieddate",
     "company", company_defaults, company_searched},
    {"deals", "deal", "0-3", "crm.objects.deals", "createdate", "hs_lastmodifieddate", "deal",
     deal_defaults, deal_searched},
    {"tickets", "ticket", "0-5", "tickets", "createdate", "hs_lastmodifieddate", "ticket",
     ticket_defaults, ticket_searched},
    {"tasks", "task", "0-27", "crm.objects.contacts", "hs_createdate", "hs_lastmodifieddate", NULL,
     activity_defaults, task_searched},
    {"notes", "note", "0-46", "crm.objects.contacts", "hs_createdate", "hs_lastmodifieddate", NULL,
     activity_defaults, note_searched},
    {"calls", "call", "0-48", "crm.objects.contacts", "hs_createdate", "hs_lastmodifieddate", NULL,
     activity_defaults, call_searched},
    {"emails", "email", "0-49", "crm.objects.contacts", "hs_createdate", "hs_lastmodifieddate",
     NULL, activity_defaults, email_searched},
    {"meetings", "meeting", "0-47", "crm.objects.contacts", "hs_createdate", "hs_lastmodifieddate",
     NULL, activity_defaults, meeting_searched},
};

int hs_type_parse(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < HS_NTYPES; i++) {
        if (strcasecmp(s, hs_types[i].name) == 0 || strcasecmp(s, hs_types[i].singular) == 0 ||
            strcmp(s, hs_types[i].type_id) == 0)
            return i;
    }
    if (strcasecmp(s, "engagements_tasks") == 0)
        return HS_TASKS;
    return -1;
}

uint64_t hs_parse_id(const char *s)
{
    uint64_t v = 0;
    if (!s || !*s || strlen(s) > 19)
        return 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v;
}

char *hs_id_str(uint64_t id, char buf[24])
{
    char tmp[24];
    size_t n = 0, i = 0;
    do {
        tmp[n++] = (char)('0' + id % 10);
        id /= 10;
    } while (id);
    while (n)
        buf[i++] = tmp[--n];
    buf[i] = '\0';
    return buf;
}

/* ---- stores ---- */

struct hs_hist *hs_hist_new(const char *value, int64_t ts, const char *src_type, const char *src_id,
                            int64_t user_id)
{
    size_t vn = strlen(value ? value : ""), sn = src_id && *src_id ? strlen(src_id) + 1 : 0;
    struct hs_hist *h = malloc(sizeof(*h) + vn + 1 + sn);
    if (!h)
        return NULL;
    h->next = NULL;
    h->value = h->text;
    memcpy(h->text, value ? value : "", vn + 1);
    h->src_id = sn ? h->text + vn + 1 : NULL;
    if (sn)
        memcpy(h->src_id, src_id, sn);
    h->ts = ts;
    h->src_type = src_type;
    h->user_id = user_id;
    return h;
}

static void hist_free(struct hs_hist *h)
{
    while (h) {
        struct hs_hist *n = h->next;
        free(h);
        h = n;
    }
}

void obj_record_free(struct hs_record *r)
{
    for (size_t i = 0; i < r->nvals; i++) {
        free(r->vals[i]);
        hist_free(r->hist[i]);
    }
    for (size_t i = 0; i < r->nsnap; i++)
        free(r->snap[i]);
    free(r->snap);
    free(r->vals);
    free(r->hist);
    free(r->edges);
    free(r);
}

void hs_store_release(struct hs_store *s)
{
    for (size_t i = 0; i < s->n; i++)
        obj_record_free(s->v[i]);
    free(s->v);
    hs_map_release(&s->by_id, NULL);
    hs_map_release(&s->aliases, NULL);
    memset(s, 0, sizeof(*s));
}

const char *hs_record_get(const struct hs_record *r, const struct hs_prop *prop)
{
    if (!prop || prop->idx >= r->nvals)
        return NULL;
    return r->vals[prop->idx];
}

struct hs_record *obj_find(struct hs_portal *p, enum hs_type t, uint64_t id)
{
    char key[24];
    struct hs_record *r = hs_map_get(&p->st[t].by_id, hs_id_str(id, key));
    return r ? r : hs_map_get(&p->st[t].aliases, key);
}

struct hs_record *obj_lookup(struct hs_portal *p, enum hs_type t, const char *id,
                             const char *id_prop, int archived)
{
    struct hs_record *r = NULL;

    if (id_prop && *id_prop && strcmp(id_prop, "hs_object_id") != 0) {
        struct hs_prop *prop = props_find(p, t, id_prop);
        char key[HS_UNIQUE_KEY_MAX];
        if (!prop || !prop->uniq)
            return NULL;
        props_unique_key(id, key, sizeof(key));
        if (!archived)
            return hs_map_get(prop->uniq, key);
        for (size_t i = 0; i < p->st[t].n; i++) {
            struct hs_record *x = p->st[t].v[i];
            const char *v = hs_record_get(x, prop);
            if (x->archived && v && strcasecmp(v, id) == 0)
                return x;
        }
        return NULL;
    }
    r = obj_find(p, t, hs_parse_id(id));
    if (r && (r->archived != 0) != (archived != 0))
        return NULL;
    return r;
}

/* ---- values and history ---- */

static int ensure_slots(struct hs_record *r, size_t n)
{
    char **v;
    struct hs_hist **h;
    if (n <= r->nvals)
        return 0;
    v = realloc(r->vals, n * sizeof(*v));
    if (!v)
        return -1;
    r->vals = v;
    h = realloc(r->hist, n * sizeof(*h));
    if (!h)
        return -1;
    r->hist = h;
    for (size_t i = r->nvals; i < n; i++) {
        r->vals[i] = NULL;
        r->hist[i] = NULL;
    }
    r->nvals = n;
    return 0;
}

static void push_hist(struct hs_record *r, size_t idx, const char *value, int64_t ts,
                      const struct hs_source *src)
{
    struct hs_hist *h = hs_hist_new(value, ts, src->type, src->id, src->user_id);
    if (!h)
        return;
    h->next = r->hist[idx];
    r->hist[idx] = h;
}

/* Sets a server-maintained value (no history, no webhook). */
static void set_system(struct hs_portal *p, struct hs_record *r, enum hs_sys which, const char *v)
{
    struct hs_prop *prop = p->cat[r->type].sys[which];
    if (!prop || ensure_slots(r, prop->idx + 1))
        return;
    free(r->vals[prop->idx]);
    r->vals[prop->idx] = v ? strdup(v) : NULL;
}

/* The modify dates follow r->updated; a new record gets its create date unless the write
 * gave one. */
static void set_times(struct hs_portal *p, struct hs_record *r, int creating)
{
    char iso[SYNC_TIME_ISO_MAX];
    struct hs_prop *const *sys = p->cat[r->type].sys;
    sync_time_format_iso(r->updated, iso, sizeof(iso));
    set_system(p, r, HS_SYS_LASTMOD, iso);
    if (sys[HS_SYS_HS_LASTMOD] != sys[HS_SYS_LASTMOD])
        set_system(p, r, HS_SYS_HS_LASTMOD, iso);
    if (creating && !hs_record_get(r, sys[HS_SYS_CREATED]))
        set_system(p, r, HS_SYS_CREATED, sync_time_format_iso(r->created, iso, sizeof(iso)));
}

static int same(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static void unique_index(struct hs_prop *prop, const char *v, struct hs_record *r, int add)
{
    char key[HS_UNIQUE_KEY_MAX];
    if (!prop->uniq || !v || !*v)
        return;
    props_unique_key(v, key, sizeof(key));
    if (add) {
        hs_map_put(prop->uniq, key, r);
    } else if (hs_map_get(prop->uniq, key) == r) {
        hs_map_del(prop->uniq, key);
    }
}

/* The record holding value v of a unique property, when it is not r. */
static struct hs_record *unique_clash(struct hs_prop *prop, const char *v, struct hs_record *r)
{
    char key[HS_UNIQUE_KEY_MAX];
    struct hs_record *x;
    if (!prop->uniq || !v || !*v)
        return NULL;
    props_unique_key(v, key, sizeof(key));
    x = hs_map_get(prop->uniq, key);
    return x && x != r ? x : NULL;
}

static void snapshot_for_search(struct hs_portal *p, struct hs_record *r, int64_t now)
{
    int64_t lag = p->settings.search_lag_ms;
    if (lag <= 0)
        return;
    if (r->search_at <= now) {
        for (size_t i = 0; i < r->nsnap; i++)
            free(r->snap[i]);
        free(r->snap);
        r->snap = calloc(r->nvals ? r->nvals : 1, sizeof(char *));
        r->nsnap = r->snap ? r->nvals : 0;
        for (size_t i = 0; i < r->nsnap; i++)
            r->snap[i] = r->vals[i] ? strdup(r->vals[i]) : NULL;
    }
    r->search_at = now + lag;
    if (r->search_at > p->lag_until)
        p->lag_until = r->search_at;
}

static int apply_values(struct hs_portal *p, struct hs_record *r, struct hs_write *w,
                        const struct hs_source *src, int64_t now, int emit)
{
    int changed = 0;
    for (size_t i = 0; i < w->n; i++) {
        struct hs_prop *prop = w->v[i].prop;
        const char *nv = w->v[i].value;
        if (ensure_slots(r, prop->idx + 1))
            continue;
        if (same(r->vals[prop->idx], nv))
            continue;
        unique_index(prop, r->vals[prop->idx], r, 0);
        free(r->vals[prop->idx]);
        r->vals[prop->idx] = nv ? strdup(nv) : NULL;
        if (!r->archived)
            unique_index(prop, nv, r, 1);
        push_hist(r, prop->idx, nv, now, src);
        if (prop == p->cat[r->type].sys[HS_SYS_CREATED] && nv)
            sync_time_parse(nv, &r->created);
        if (emit)
            wh_on_property(p, r, prop->name, nv ? nv : "", src);
        changed = 1;
    }
    return changed;
}

struct hs_record *obj_record_new(struct hs_portal *p, enum hs_type t)
{
    struct hs_record *r = calloc(1, sizeof(*r));
    if (!r || ensure_slots(r, p->cat[t].n)) {
        if (r)
            obj_record_free(r);
        return NULL;
    }
    r->type = t;
    return r;
}

/* A new, empty record of type t with the next id, not yet in the store. */
static struct hs_record *record_new(struct hs_portal *p, enum hs_type t, int64_t now)
{
    struct hs_record *r = obj_record_new(p, t);
    if (!r)
        return NULL;
    r->id = portal_next_id(p);
    r->created = r->updated = now;
    r->dirty = 1;
    r->search_at = p->settings.search_lag_ms > 0 ? now + p->settings.search_lag_ms : 0;
    if (r->search_at > p->lag_until)
        p->lag_until = r->search_at;
    return r;
}

/* The position of the first record whose id is at least id (the store is in id order). */
static size_t store_find(const struct hs_store *s, uint64_t id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Appends r to its store (ids ascend, so the store stays in id order). */
static int store_add(struct hs_store *s, struct hs_record *r)
{
    char key[24];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        struct hs_record **v = realloc(s->v, cap * sizeof(*v));
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    if (hs_map_put(&s->by_id, hs_id_str(r->id, key), r))
        return -1;
    s->v[s->n++] = r;
    s->live += !r->archived;
    return 0;
}

struct hs_record *obj_create(struct hs_portal *p, enum hs_type t, struct hs_write *w,
                             const struct hs_source *src, struct hs_record **conflict)
{
    struct hs_record *r;
    char key[24];
    int64_t now = sync_time_now_ms();

    *conflict = NULL;
    for (size_t i = 0; i < w->n; i++) {
        struct hs_record *x = unique_clash(w->v[i].prop, w->v[i].value, NULL);
        if (x) {
            *conflict = x;
            return NULL;
        }
    }
    r = record_new(p, t, now);
    if (!r)
        return NULL;
    if (store_add(&p->st[t], r)) {
        obj_record_free(r);
        return NULL;
    }
    apply_values(p, r, w, src, now, 0);
    hs_id_str(r->id, key);
    set_system(p, r, HS_SYS_OBJECT_ID, key);
    set_system(p, r, HS_SYS_TICKET_ID, key);
    set_system(p, r, HS_SYS_SOURCE, strcmp(src->type, "INTEGRATION") == 0 ? "API" : src->type);
    set_times(p, r, 1);
    wh_on_create(p, r, src);
    for (size_t i = 0; i < w->n; i++)
        if (w->v[i].value)
            wh_on_property(p, r, w->v[i].prop->name, w->v[i].value, src);
    persist_mark(p);
    return r;
}

int obj_update(struct hs_portal *p, struct hs_record *r, struct hs_write *w,
               const struct hs_source *src, struct hs_record **conflict)
{
    int64_t now = sync_time_now_ms();
    int differs = 0;

    *conflict = NULL;
    for (size_t i = 0; i < w->n; i++) {
        struct hs_record *x = unique_clash(w->v[i].prop, w->v[i].value, r);
        if (x) {
            *conflict = x;
            return -1;
        }
        if (!same(hs_record_get(r, w->v[i].prop), w->v[i].value))
            differs = 1;
    }
    if (!differs)
        return 0;
    snapshot_for_search(p, r, now);
    apply_values(p, r, w, src, now, 1);
    r->updated = now > r->updated ? now : r->updated + 1;
    set_times(p, r, 0);
    r->dirty = 1;
    persist_mark(p);
    return 0;
}

static void unique_all(struct hs_portal *p, struct hs_record *r, int add)
{
    struct hs_catalog *cat = &p->cat[r->type];
    for (size_t i = 0; i < cat->n; i++)
        if (cat->v[i]->uniq)
            unique_index(cat->v[i], hs_record_get(r, cat->v[i]), r, add);
}

int obj_adopt(struct hs_portal *p, struct hs_record *r)
{
    if (store_add(&p->st[r->type], r))
        return -1;
    if (!r->archived)
        unique_all(p, r, 1);
    if (r->id >= p->next_id)
        p->next_id = r->id + 1;
    return 0;
}

void obj_archive(struct hs_portal *p, struct hs_record *r, const struct hs_source *src)
{
    if (r->archived)
        return;
    r->archived = 1;
    r->archived_at = sync_time_now_ms();
    r->dirty = 1;
    p->st[r->type].live--;
    unique_all(p, r, 0);
    merge_drop_aliases(p, r, 0);
    wh_on_delete(p, r, src, 0);
    persist_mark(p);
}

void obj_restore(struct hs_portal *p, struct hs_record *r, const struct hs_source *src)
{
    if (!r->archived)
        return;
    r->archived = 0;
    r->archived_at = 0;
    r->updated = sync_time_now_ms();
    set_times(p, r, 0);
    r->dirty = 1;
    p->st[r->type].live++;
    unique_all(p, r, 1);
    wh_on_restore(p, r, src);
    persist_mark(p);
}

void obj_purge(struct hs_portal *p, struct hs_record *r)
{
    struct hs_store *s = &p->st[r->type];
    char key[24];
    size_t lo;

    merge_drop_aliases(p, r, 1);
    assoc_detach(p, r);
    lists_forget(p, r->type, r->id);
    persist_forget(p, r->type, r->id);
    if (!r->archived)
        s->live--;
    unique_all(p, r, 0);
    hs_map_del(&s->by_id, hs_id_str(r->id, key));
    lo = store_find(s, r->id);
    if (lo < s->n && s->v[lo] == r) {
        memmove(&s->v[lo], &s->v[lo + 1], (s->n - lo - 1) * sizeof(*s->v));
        s->n--;
    }
    obj_record_free(r);
    persist_mark(p);
}

/* ---- selections and output ---- */

void hs_sel_release(struct hs_sel *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}

/* Adds prop (when known and not there yet). A selection holds at most one entry per
 * property of the catalogue, which bounds it. */
static void sel_push(struct hs_sel *s, struct hs_prop *prop)
{
    if (!prop)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == prop)
            return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct hs_prop **v = realloc(s->v, cap * sizeof(*v));
        if (!v)
            return;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = prop;
}

static void sel_add(struct hs_portal *p, enum hs_type t, struct hs_sel *s, const char *name,
                    size_t n)
{
    char buf[256];
    while (n && isspace((unsigned char)*name)) {
        name++;
        n--;
    }
    while (n && isspace((unsigned char)name[n - 1]))
        n--;
    s->given = 1;
    if (!n || n >= sizeof(buf))
        return;
    memcpy(buf, name, n);
    buf[n] = '\0';
    sel_push(s, props_find(p, t, buf));
}

void hs_sel_add_csv(struct hs_portal *p, enum hs_type t, struct hs_sel *s, const char *csv)
{
    const char *q = csv;
    if (!csv)
        return;
    s->given = 1;
    while (*q) {
        const char *e = strchr(q, ',');
        size_t n = e ? (size_t)(e - q) : strlen(q);
        sel_add(p, t, s, q, n);
        q += n;
        if (*q == ',')
            q++;
    }
}

void hs_sel_add_json(struct hs_portal *p, enum hs_type t, struct hs_sel *s, const json_t *arr)
{
    size_t i;
    json_t *v;
    if (!json_is_array(arr))
        return;
    s->given = 1;
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v))
            hs_sel_add_csv(p, t, s, json_string_value(v));
    }
}

void hs_sel_from_query(struct hs_portal *p, enum hs_type t, struct sync_http_request *req,
                       const char *key, struct hs_sel *s)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].name, key) == 0)
            hs_sel_add_csv(p, t, s, req->query[i].value);
}

void obj_out_for_write(struct hs_portal *p, enum hs_type t, const json_t *in, struct hs_sel *sel,
                       struct hs_out *o)
{
    const json_t *props = json_object_get(in, "properties");
    const struct hs_catalog *cat = &p->cat[t];
    const char *key;
    json_t *v;
    memset(o, 0, sizeof(*o));
    sel->n = 0;
    sel->given = 1;
    for (size_t i = 0; i < cat->ndefaults; i++)
        sel_push(sel, cat->defaults[i]);
    if (json_is_object(props))
        json_object_foreach((json_t *)props, key, v) sel_push(sel, props_find(p, t, key));
    o->props = sel;
}

/* ---- handlers ---- */

static void out_from_query(struct hs_ctx *c, enum hs_type t, struct hs_sel *ps, struct hs_sel *hs,
                           struct hs_out *o)
{
    memset(o, 0, sizeof(*o));
    hs_sel_from_query(c->p, t, c->req, "properties", ps);
    hs_sel_from_query(c->p, t, c->req, "propertiesWithHistory", hs);
    o->props = ps;
    o->hist = hs;
    for (size_t i = 0; i < c->req->nquery; i++) {
        const char *q;
        if (strcmp(c->req->query[i].name, "associations") != 0)
            continue;
        q = c->req->query[i].value;
        while (*q) {
            char name[64];
            size_t n = strcspn(q, ",");
            int at;
            if (n < sizeof(name)) {
                memcpy(name, q, n);
                name[n] = '\0';
                at = hs_type_parse(name);
                if (at >= 0 && o->nassoc < HS_NTYPES) {
                    int dup = 0;
                    for (int k = 0; k < o->nassoc; k++)
                        dup |= o->assoc_types[k] == at;
                    if (!dup)
                        o->assoc_types[o->nassoc++] = at;
                }
            }
            q += n;
            if (*q == ',')
                q++;
        }
    }
}

static void cursor_encode(uint64_t id, char *out, size_t n)
{
    struct sync_buf b = SYNC_BUF_INIT(128);
    char raw[24];
    snprintf(raw, sizeof(raw), "%llu", (unsigned long long)id);
    sync_base64_encode(raw, strlen(raw), &b);
    snprintf(out, n, "%s", sync_buf_str(&b));
    sync_buf_release(&b);
}

static int cursor_decode(const char *s, uint64_t *id)
{
    struct sync_buf b = SYNC_BUF_INIT(128);
    int ok = sync_base64_decode(s, strlen(s), &b) == SYNC_OK;
    *id = ok ? hs_parse_id(sync_buf_str(&b)) : 0;
    sync_buf_release(&b);
    return *id ? 0 : -1;
}

void obj_h_list(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    struct hs_sel ps = {0}, hsel = {0};
    struct hs_out o;
    struct hs_store *s;
    struct sync_buf b = SYNC_BUF_INIT(0);
    int64_t limit;
    uint64_t after = 0;
    int archived;
    size_t i, n = 0;
    const char *a;

    if (t < 0)
        return;
    out_from_query(c, t, &ps, &hsel, &o);
    if (hs_query_int(c, "limit", 10, 1, 100, &limit))
        goto out;
    if (hsel.n && limit > 50)
        limit = 50; /* asking for history lowers the page size */
    archived = hs_query_bool(c, "archived", 0);
    a = hs_query(c, "after");
    if (a && *a && cursor_decode(a, &after)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid paging cursor: %s", a);
        goto out;
    }
    s = &c->p->st[t];
    sync_buf_addstr(&b, "{\"results\":[");
    for (i = store_find(s, after); i < s->n && n < (size_t)limit; i++) {
        if ((s->v[i]->archived != 0) == (archived != 0)) {
            render_record(&b, c->p, s->v[i], &o);
            n++;
        }
    }
    while (i < s->n && (s->v[i]->archived != 0) != (archived != 0))
        i++;
    sync_buf_addch(&b, ']');
    if (i < s->n) {
        char cur[64];
        cursor_encode(s->v[i]->id, cur, sizeof(cur));
        sync_buf_addstr(&b, ",\"paging\":{\"next\":{\"after\":");
        render_str(&b, cur);
        sync_buf_addf(&b, ",\"link\":\"?after=%s\"}}", cur);
    }
    sync_buf_addch(&b, '}');
    hs_reply_text(c, 200, &b);
out:
    sync_buf_release(&b);
    hs_sel_release(&ps);
    hs_sel_release(&hsel);
}

int obj_id_prop_ok(struct hs_ctx *c, enum hs_type t, const char *id_prop)
{
    struct hs_prop *prop;
    if (!id_prop || !*id_prop || strcmp(id_prop, "hs_object_id") == 0)
        return 1;
    prop = props_find(c->p, t, id_prop);
    if (prop && prop->uniq)
        return 1;
    hs_fail(c, 400, "VALIDATION_ERROR", "Property %s is not a unique identifier property for %s",
            id_prop, hs_types[t].name);
    return 0;
}

static struct hs_record *lookup_param(struct hs_ctx *c, int t, int archived)
{
    const char *id_prop = hs_query(c, "idProperty");
    struct hs_record *r;
    if (!obj_id_prop_ok(c, t, id_prop))
        return NULL;
    r = obj_lookup(c->p, t, c->params[1], id_prop, archived);
    if (!r)
        hs_not_found(c);
    return r;
}

void obj_h_get(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    struct hs_sel ps = {0}, hsel = {0};
    struct hs_out o;
    struct hs_record *r;

    if (t < 0)
        return;
    out_from_query(c, t, &ps, &hsel, &o);
    r = lookup_param(c, t, hs_query_bool(c, "archived", 0));
    if (r)
        obj_reply(c, 200, r, &o);
    hs_sel_release(&ps);
    hs_sel_release(&hsel);
}

json_t *obj_conflict_body(enum hs_type t, const struct hs_record *x, const char *prop)
{
    if (t == HS_CONTACTS && strcmp(prop, "email") == 0)
        return hs_error_body("CONFLICT", NULL, NULL, NULL,
                             "Contact already exists. Existing ID: %llu",
                             (unsigned long long)x->id);
    return hs_error_body("CONFLICT", NULL, NULL, NULL,
                         "A %s with the unique value for property %s already exists. Existing "
                         "ID: %llu",
                         hs_types[t].singular, prop, (unsigned long long)x->id);
}

/* The property of w that clashes with x. */
const char *obj_clash_prop(const struct hs_write *w, const struct hs_record *x)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->v[i].prop->uniq && w->v[i].value &&
            same(hs_record_get(x, w->v[i].prop), w->v[i].value))
            return w->v[i].prop->name;
    for (size_t i = 0; i < w->n; i++)
        if (w->v[i].prop->uniq && w->v[i].value)
            return w->v[i].prop->name;
    return "hs_object_id";
}

json_t *obj_check_props(struct hs_portal *p, enum hs_type t, const json_t *in, struct hs_write *w)
{
    const json_t *props = json_object_get(in, "properties");
    memset(w, 0, sizeof(*w));
    if (props && !json_is_object(props))
        return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                             "Invalid input JSON: properties must be an object");
    return props_check_write(p, t, props, w);
}

/* Activities need hs_timestamp. */
static json_t *check_timestamp(enum hs_type t, const struct hs_write *w)
{
    if (t < HS_TASKS)
        return NULL;
    for (size_t i = 0; i < w->n; i++)
        if (w->v[i].value && strcmp(w->v[i].prop->name, "hs_timestamp") == 0)
            return NULL;
    return hs_error_body(
        "VALIDATION_ERROR", NULL,
        json_pack("[{s:s, s:s, s:{s:[s]}}]", "message", "hs_timestamp is required", "code",
                  "REQUIRED_FIELD", "context", "propertyName", "hs_timestamp"),
        NULL,
        "Property values were not valid: [{\"isValid\":false,\"message\":\"hs_timestamp "
        "is required\",\"error\":\"REQUIRED_FIELD\",\"name\":\"hs_timestamp\"}]");
}

/* A ticket needs its status (hs_pipeline_stage) on create; the pipeline defaults to "0". */
static json_t *check_ticket_stage(enum hs_type t, const struct hs_write *w)
{
    if (t != HS_TICKETS)
        return NULL;
    for (size_t i = 0; i < w->n; i++)
        if (w->v[i].value && strcmp(w->v[i].prop->name, "hs_pipeline_stage") == 0)
            return NULL;
    return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                         "Cannot create object with type: TICKET. The following required "
                         "properties were missing: [hs_pipeline_stage]");
}

json_t *obj_check_create(struct hs_portal *p, enum hs_type t, const json_t *in, struct hs_write *w)
{
    const json_t *assocs = json_object_get(in, "associations");
    json_t *err;

    memset(w, 0, sizeof(*w));
    if (assocs && !json_is_null(assocs) && !json_is_array(assocs))
        err = hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                            "Invalid input JSON: associations must be an array");
    else
        err = obj_check_props(p, t, in, w);
    if (!err)
        err = check_timestamp(t, w);
    if (!err)
        err = check_ticket_stage(t, w);
    if (!err && (t == HS_DEALS || t == HS_TICKETS)) {
        pipes_fill_defaults(p, t, w);
        err = pipes_check(p, t, NULL, w);
    }
    if (!err && json_is_array(assocs))
        err = assoc_apply_create(p, t, NULL, assocs, NULL, 1);
    if (err)
        hs_write_release(w);
    return err;
}

json_t *obj_create_checked(struct hs_portal *p, enum hs_type t, struct hs_write *w,
                           const json_t *in, const struct hs_source *src, struct hs_record **out,
                           int *status)
{
    const json_t *assocs = json_object_get(in, "associations");
    struct hs_record *r, *x = NULL;

    *out = NULL;
    r = obj_create(p, t, w, src, &x);
    if (!r && x) {
        *status = 409;
        return obj_conflict_body(t, x, obj_clash_prop(w, x));
    }
    if (!r) {
        *status = 500;
        return hs_error_body("INTERNAL_ERROR", NULL, NULL, NULL, "internal error");
    }
    if (json_is_array(assocs))
        assoc_apply_create(p, t, r, assocs, src, 0);
    *out = r;
    return NULL;
}

json_t *obj_create_input(struct hs_portal *p, enum hs_type t, const json_t *in,
                         const struct hs_source *src, struct hs_record **out, int *status)
{
    struct hs_write w;
    json_t *err = obj_check_create(p, t, in, &w);
    *out = NULL;
    *status = 400;
    if (err)
        return err;
    err = obj_create_checked(p, t, &w, in, src, out, status);
    hs_write_release(&w);
    return err;
}

json_t *obj_update_checked(struct hs_portal *p, struct hs_record *r, struct hs_write *w,
                           const struct hs_source *src, int *status)
{
    struct hs_record *x = NULL;
    json_t *err = NULL;

    *status = 400;
    if (r->type == HS_DEALS || r->type == HS_TICKETS)
        err = pipes_check(p, r->type, r, w);
    if (!err && obj_update(p, r, w, src, &x)) {
        err = obj_conflict_body(r->type, x, obj_clash_prop(w, x));
        *status = 409;
    }
    return err;
}

json_t *obj_update_input(struct hs_portal *p, struct hs_record *r, const json_t *in,
                         const struct hs_source *src, int *status)
{
    struct hs_write w;
    json_t *err = obj_check_props(p, r->type, in, &w);
    *status = 400;
    if (err)
        return err;
    err = obj_update_checked(p, r, &w, src, status);
    hs_write_release(&w);
    return err;
}

void obj_reply(struct hs_ctx *c, int status, const struct hs_record *r, const struct hs_out *o)
{
    struct sync_buf b = SYNC_BUF_INIT(0);
    render_record(&b, c->p, r, o);
    hs_reply_text(c, status, &b);
}

/* The answer to a single create or update: the defaults and what the body wrote. */
static void reply_written(struct hs_ctx *c, int status, const struct hs_record *r)
{
    struct hs_sel sel = {0};
    struct hs_out o;
    obj_out_for_write(c->p, r->type, c->body, &sel, &o);
    obj_reply(c, status, r, &o);
    hs_sel_release(&sel);
}

void obj_h_create(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    struct hs_record *r;
    int status;
    json_t *err;

    if (t < 0)
        return;
    if (!json_is_object(c->body)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: expected an object");
        return;
    }
    if (portal_locked(c->p, t, 0)) {
        hs_fail(c, 423, "LOCKED", HS_LOCKED_MSG);
        return;
    }
    err = obj_create_input(c->p, t, c->body, &c->src, &r, &status);
    if (err) {
        hs_reply(c, status, err);
        return;
    }
    reply_written(c, 201, r);
}

void obj_h_update(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    struct hs_record *r;
    int status;
    json_t *err;

    if (t < 0)
        return;
    if (!json_is_object(c->body)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: expected an object");
        return;
    }
    r = lookup_param(c, t, 0);
    if (!r)
        return;
    if (portal_locked(c->p, t, r->id)) {
        hs_fail(c, 423, "LOCKED", HS_LOCKED_MSG);
        return;
    }
    err = obj_update_input(c->p, r, c->body, &c->src, &status);
    if (err) {
        hs_reply(c, status, err);
        return;
    }
    reply_written(c, 200, r);
}

void obj_h_archive(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    struct hs_record *r;
    if (t < 0)
        return;
    r = obj_find(c->p, t, hs_parse_id(c->params[1]));
    if (r && portal_locked(c->p, t, r->id)) {
        hs_fail(c, 423, "LOCKED", HS_LOCKED_MSG);
        return;
    }
    if (r)
        obj_archive(c->p, r, &c->src);
    hs_reply(c, 204, NULL);
}

void obj_h_gdpr(struct hs_ctx *c)
{
    char buf[32];
    const char *id = hs_json_idstr(c->body, "objectId", buf);
    const char *id_prop = sync_json_str(c->body, "idProperty");
    struct hs_record *r;

    if (!id) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: objectId is required");
        return;
    }
    r = obj_lookup(c->p, HS_CONTACTS, id, id_prop, 0);
    if (!r)
        r = obj_lookup(c->p, HS_CONTACTS, id, id_prop, 1);
    if (!r) {
        hs_not_found(c);
        return;
    }
    wh_on_delete(c->p, r, &c->src, 1);
    obj_purge(c->p, r);
    hs_reply(c, 204, NULL);
}
