/*
 * org.c: the record store, its indexes, transactions and the change log
 * (see org.h). Called by the saving code (sobjects.c, collections.c,
 * composite.c), the control API, seed.c, persist.c and the readers; the
 * caller holds org->lock (the write lock for anything that changes it).
 */
#include "emulators/salesforce/org.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "emulators/salesforce/ids.h"
#include "emulators/salesforce/soql.h"

int64_t org_now(void)
{
    int64_t ms = sync_time_now_ms();
    return ms - ms % 1000;
}

json_t *org_time_json(int64_t ms)
{
    char buf[SYNC_TIME_ISO_MAX];
    return json_string(sync_time_format_sf(ms, buf, sizeof(buf)));
}

void org_stamp(json_t *rec, int64_t at, const char *user, int created)
{
    if (created) {
        json_object_set_new(rec, "CreatedDate", org_time_json(at));
        json_object_set_new(rec, "CreatedById", json_string(user));
    }
    json_object_set_new(rec, "LastModifiedDate", org_time_json(at));
    json_object_set_new(rec, "LastModifiedById", json_string(user));
    json_object_set_new(rec, "SystemModstamp", org_time_json(at));
}

json_t *org_case_number(struct sf_org *org)
{
    char num[32];
    snprintf(num, sizeof(num), "%08llu", (unsigned long long)++org->case_number);
    return json_string(num);
}

#define INDEX_KEY_MAX 1024 /* longer values are indexed under their first 1023 bytes */

/* ---- setup ---- */

static int field_needs_index(const struct sf_field *f)
{
    return (f->flags & (SF_F_EXTID | SF_F_UNIQUE)) && f->type != SF_T_ID;
}

static void tables_init(struct sf_org *org)
{
    size_t n = org->schema.n;
    org->tables = calloc(n, sizeof(*org->tables));
    org->lock_objects = calloc(n, sizeof(*org->lock_objects));
    org->perms = calloc(n, sizeof(*org->perms));
    org->assign_owner = calloc(n, sizeof(*org->assign_owner));
    for (size_t i = 0; i < n; i++) {
        const struct sf_object *o = org->schema.objects[i];
        org->tables[i].index = calloc(o->nfields, sizeof(struct hmap *));
        for (size_t k = 0; k < o->nfields; k++) {
            if (field_needs_index(&o->fields[k])) {
                org->tables[i].index[k] = calloc(1, sizeof(struct hmap));
                hmap_init(org->tables[i].index[k]);
            }
        }
    }
}

static void settings_default(struct sf_org *org)
{
    org->settings.token_lifetime_s = 7200;
    org->settings.state_country_picklists = 0;
    org->settings.api_enabled = 1;
}

enum sync_rc org_init(struct sf_org *org, struct sf_schema *schema)
{
    memset(org, 0, sizeof(*org));
    pthread_rwlock_init(&org->lock, NULL);
    org->schema = *schema;
    memset(schema, 0, sizeof(*schema));
    hmap_init(&org->by_id);
    hmap_init(&org->lock_ids);
    tables_init(org);
    org->changes = calloc(SF_CHANGES_MAX, sizeof(*org->changes));
    if (!org->tables || !org->changes || !org->perms || !org->assign_owner || !org->lock_objects)
        return SYNC_ERR_NOMEM;
    ids_make("00D", 1, org->org_id);
    memcpy(org->org_id + 3, "Hs0000001", 9);
    ids_checksum(org->org_id, org->org_id + 15);
    settings_default(org);
    org->created_at = org_now();
    org->earliest_deleted = org->created_at - org->created_at % 60000;
    org->case_number = 1000;
    return SYNC_OK;
}

static void recvec_free(struct sf_recvec *v)
{
    if (v)
        free(v->v);
    free(v);
}

static void rec_free(struct sf_rec *r)
{
    json_decref(r->data);
    json_decref(r->prev);
    free(r);
}

static void change_release(struct sf_change *c)
{
    json_decref(c->fields);
    json_decref(c->values);
    memset(c, 0, sizeof(*c));
}

void org_vrules_clear(struct sf_org *org)
{
    for (size_t i = 0; i < org->nvrules; i++) {
        free(org->vrules[i].condition);
        free(org->vrules[i].message);
        free(org->vrules[i].field);
        soql_query_free(org->vrules[i].q);
    }
    free(org->vrules);
    org->vrules = NULL;
    org->nvrules = 0;
}

void org_duprules_clear(struct sf_org *org)
{
    for (size_t i = 0; i < org->nduprules; i++)
        for (size_t k = 0; k < org->duprules[i].nfields; k++)
            free(org->duprules[i].fields[k]);
    free(org->duprules);
    org->duprules = NULL;
    org->nduprules = 0;
}

static void rules_clear(struct sf_org *org)
{
    org_vrules_clear(org);
    org_duprules_clear(org);
    hmap_release(&org->lock_ids);
    hmap_init(&org->lock_ids);
    for (size_t i = 0; i < org->schema.n; i++) {
        org->lock_objects[i] = 0;
        json_decref(org->perms[i].read_only_fields);
        org->perms[i].read_only_fields = NULL;
        org->perms[i].read_only = 0;
        org->perms[i].access = SF_ACCESS_EDIT;
        org->assign_owner[i][0] = '\0';
    }
    org->late_commit_ms = 0;
}

void org_clear(struct sf_org *org)
{
    for (size_t i = 0; i < org->schema.n; i++) {
        struct sf_table *t = &org->tables[i];
        const struct sf_object *o = org->schema.objects[i];
        for (size_t k = 0; k < t->n; k++)
            rec_free(t->rows[k]);
        t->n = 0;
        t->live = 0;
        for (size_t k = 0; k < o->nfields; k++) {
            if (t->index[k]) {
                size_t pos = 0;
                void *val;
                while (hmap_next(t->index[k], &pos, NULL, &val))
                    recvec_free(val);
                hmap_release(t->index[k]);
                hmap_init(t->index[k]);
            }
        }
    }
    hmap_release(&org->by_id);
    hmap_init(&org->by_id);
    for (size_t i = 0; i < org->changes_len; i++)
        change_release(&org->changes[(org->changes_head + i) % SF_CHANGES_MAX]);
    org->changes_head = 0;
    org->changes_len = 0;
    org->change_seq = 0;
    rules_clear(org);
    settings_default(org);
    org->id_seq = 0;
    org->case_number = 1000;
    org->txn_seq = 0;
    org->created_at = org_now();
    org->earliest_deleted = org->created_at - org->created_at % 60000;
}

void org_release(struct sf_org *org)
{
    org_clear(org);
    for (size_t i = 0; i < org->schema.n; i++) {
        const struct sf_object *o = org->schema.objects[i];
        for (size_t k = 0; k < o->nfields; k++) {
            if (org->tables[i].index[k]) {
                hmap_release(org->tables[i].index[k]);
                free(org->tables[i].index[k]);
            }
        }
        free(org->tables[i].index);
        free(org->tables[i].rows);
    }
    free(org->tables);
    free(org->changes);
    free(org->lock_objects);
    free(org->perms);
    free(org->assign_owner);
    hmap_release(&org->by_id);
    hmap_release(&org->lock_ids);
    schema_release(&org->schema);
    pthread_rwlock_destroy(&org->lock);
}

/* ---- reading ---- */

struct sf_rec *org_get(const struct sf_org *org, const char *id18)
{
    return hmap_get(&org->by_id, id18);
}

struct sf_table *org_table(const struct sf_org *org, const struct sf_object *obj)
{
    return &org->tables[obj->index];
}

enum sf_access org_access(const struct sf_org *org, const struct sf_object *obj)
{
    return org->perms[obj->index].access;
}

const struct sf_object *org_user_object(const struct sf_org *org, const char *name)
{
    const struct sf_object *o = schema_object(&org->schema, name);
    return o && org_access(org, o) != SF_ACCESS_NONE ? o : NULL;
}

static const char *const access_names[] = {"edit", "read", "none"};

const char *org_access_name(enum sf_access a)
{
    return (unsigned)a <= SF_ACCESS_NONE ? access_names[a] : "edit";
}

int org_access_parse(const char *name)
{
    for (int i = 0; name && i <= SF_ACCESS_NONE; i++)
        if (strcmp(name, access_names[i]) == 0)
            return i;
    return -1;
}

json_t *org_access_json(const struct sf_org *org)
{
    json_t *m = json_object();
    for (size_t i = 0; i < org->schema.n; i++)
        if (org->perms[i].access != SF_ACCESS_EDIT)
            json_object_set_new(m, org->schema.objects[i]->name,
                                json_string(org_access_name(org->perms[i].access)));
    return m;
}

const json_t *org_view(const struct sf_rec *rec, int64_t now)
{
    if (rec->visible_at && now < rec->visible_at)
        return rec->prev;
    return rec->data;
}

/* The index key of a value: its text, lower-cased unless the field is case-sensitive. */
static int index_key(const struct sf_field *f, const json_t *v, char *out, size_t n)
{
    if (json_is_string(v)) {
        if (f->flags & SF_F_CASESENS)
            snprintf(out, n, "%s", json_string_value(v));
        else
            hmap_lower(json_string_value(v), out, n);
    } else if (json_is_integer(v)) {
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(out, n, "%.17g", json_real_value(v));
    } else {
        return -1;
    }
    return 0;
}

int org_field_indexed(const struct sf_org *org, const struct sf_object *obj,
                      const struct sf_field *f)
{
    size_t k = (size_t)(f - obj->fields);
    return org->tables[obj->index].index[k] != NULL;
}

const struct sf_recvec *org_find_by_field(const struct sf_org *org, const struct sf_object *obj,
                                          const struct sf_field *f, const json_t *value)
{
    size_t k = (size_t)(f - obj->fields);
    struct hmap *idx = org->tables[obj->index].index[k];
    char key[INDEX_KEY_MAX];
    const struct sf_recvec *v;

    if (!idx || index_key(f, value, key, sizeof(key)))
        return NULL;
    v = hmap_get(idx, key);
    return v && v->n ? v : NULL;
}

/* The index of field k of rec's object when there is one and rec has a value to index under;
 * key receives the value's key. */
static struct hmap *index_for(struct sf_org *org, const struct sf_rec *rec, size_t k,
                              char key[INDEX_KEY_MAX])
{
    struct hmap *idx = org->tables[rec->obj->index].index[k];
    const struct sf_field *f = &rec->obj->fields[k];
    if (!idx || index_key(f, json_object_get(rec->data, f->name), key, INDEX_KEY_MAX))
        return NULL;
    return idx;
}

static void index_add(struct sf_org *org, struct sf_rec *rec)
{
    for (size_t k = 0; k < rec->obj->nfields; k++) {
        char key[INDEX_KEY_MAX];
        struct hmap *idx = index_for(org, rec, k, key);
        struct sf_recvec *v;
        if (!idx)
            continue;
        v = hmap_get(idx, key);
        if (!v) {
            v = calloc(1, sizeof(*v));
            if (!v || hmap_put(idx, key, v)) {
                free(v);
                continue;
            }
        }
        if (v->n == v->cap) {
            size_t ncap = v->cap ? v->cap * 2 : 2;
            struct sf_rec **nv = realloc(v->v, ncap * sizeof(*nv));
            if (!nv)
                continue;
            v->v = nv;
            v->cap = ncap;
        }
        v->v[v->n++] = rec;
    }
}

static void index_remove(struct sf_org *org, struct sf_rec *rec)
{
    for (size_t k = 0; k < rec->obj->nfields; k++) {
        char key[INDEX_KEY_MAX];
        struct hmap *idx = index_for(org, rec, k, key);
        struct sf_recvec *v = idx ? hmap_get(idx, key) : NULL;
        if (!v)
            continue;
        for (size_t i = 0; i < v->n; i++) {
            if (v->v[i] == rec) {
                memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof(*v->v));
                v->n--;
                break;
            }
        }
        if (!v->n) {
            hmap_del(idx, key);
            recvec_free(v);
        }
    }
}

/* ---- transactions ---- */

void org_txn_begin(struct sf_org *org, struct sf_txn *txn, const char *client, const char *user,
                   const char *api_version, int64_t now)
{
    uint64_t n = ++org->txn_seq;
    memset(txn, 0, sizeof(*txn));
    snprintf(txn->client, sizeof(txn->client), "%s", client ? client : "");
    snprintf(txn->user, sizeof(txn->user), "%s", user ? user : org->integration_user);
    snprintf(txn->api_version, sizeof(txn->api_version), "%s", api_version ? api_version : "");
    /* transaction keys look like Salesforce's: 8-4-4-4-12 hex */
    snprintf(txn->key, sizeof(txn->key), "%08llx-%04x-%04x-%04x-%012llx",
             (unsigned long long)(now / 1000) & 0xffffffffULL, (unsigned)(n >> 32) & 0xffff,
             (unsigned)(n >> 16) & 0xffff, (unsigned)n & 0xffff,
             (unsigned long long)(n * 2654435761ULL) & 0xffffffffffffULL);
    txn->now = now;
}

struct sf_txn_mark org_txn_mark(const struct sf_txn *txn)
{
    struct sf_txn_mark m = {txn->nundo, txn->npending};
    return m;
}

static struct sf_undo *undo_push(struct sf_txn *txn, struct sf_rec *rec, int created)
{
    struct sf_undo *u;
    if (txn->nundo == txn->capundo) {
        size_t ncap = txn->capundo ? txn->capundo * 2 : 8;
        struct sf_undo *nu = realloc(txn->undo, ncap * sizeof(*nu));
        if (!nu)
            return NULL;
        txn->undo = nu;
        txn->capundo = ncap;
    }
    u = &txn->undo[txn->nundo++];
    memset(u, 0, sizeof(*u));
    u->rec = rec;
    u->created = created;
    if (!created) {
        u->old_data = json_incref(rec->data);
        u->old_prev = json_incref(rec->prev);
        u->old_visible = rec->visible_at;
        u->old_modstamp = rec->modstamp;
        u->old_deleted_at = rec->deleted_at;
        u->old_deleted = rec->deleted;
    }
    return u;
}

static void pending_push(struct sf_txn *txn, struct sf_rec *rec, enum sf_change_type type,
                         json_t *fields, json_t *values)
{
    struct sf_change *c;
    if (txn->npending == txn->cappending) {
        size_t ncap = txn->cappending ? txn->cappending * 2 : 8;
        struct sf_change *nc = realloc(txn->pending, ncap * sizeof(*nc));
        if (!nc) {
            json_decref(fields);
            json_decref(values);
            return;
        }
        txn->pending = nc;
        txn->cappending = ncap;
    }
    c = &txn->pending[txn->npending++];
    memset(c, 0, sizeof(*c));
    c->obj = rec->obj;
    memcpy(c->id, rec->id, sizeof(c->id));
    c->type = type;
    c->fields = fields;
    c->values = values;
    snprintf(c->client, sizeof(c->client), "%s", txn->client);
    snprintf(c->txkey, sizeof(c->txkey), "%s", txn->key);
    snprintf(c->user, sizeof(c->user), "%s", txn->user);
    snprintf(c->api_version, sizeof(c->api_version), "%s", txn->api_version);
    c->at = txn->now;
}

static void table_append(struct sf_table *t, struct sf_rec *rec)
{
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        struct sf_rec **nr = realloc(t->rows, ncap * sizeof(*nr));
        if (!nr)
            return;
        t->rows = nr;
        t->cap = ncap;
    }
    rec->pos = t->n;
    t->rows[t->n++] = rec;
}

static void table_remove(struct sf_table *t, struct sf_rec *rec)
{
    size_t pos = rec->pos;
    if (pos >= t->n || t->rows[pos] != rec)
        return;
    memmove(&t->rows[pos], &t->rows[pos + 1], (t->n - pos - 1) * sizeof(*t->rows));
    t->n--;
    for (size_t i = pos; i < t->n; i++)
        t->rows[i]->pos = i;
}

static void unlink_rec(struct sf_org *org, struct sf_rec *rec)
{
    struct sf_table *t = &org->tables[rec->obj->index];
    if (!rec->deleted) {
        index_remove(org, rec);
        t->live--;
    }
    table_remove(t, rec);
    hmap_del(&org->by_id, rec->id);
}

void org_txn_rollback(struct sf_org *org, struct sf_txn *txn, struct sf_txn_mark mark)
{
    while (txn->nundo > mark.nundo) {
        struct sf_undo *u = &txn->undo[--txn->nundo];
        struct sf_rec *rec = u->rec;
        struct sf_table *t = &org->tables[rec->obj->index];
        if (u->created) {
            unlink_rec(org, rec);
            rec_free(rec);
            continue;
        }
        if (!rec->deleted)
            index_remove(org, rec);
        if (rec->deleted && !u->old_deleted)
            t->live++;
        else if (!rec->deleted && u->old_deleted)
            t->live--;
        json_decref(rec->data);
        json_decref(rec->prev);
        rec->data = u->old_data;
        rec->prev = u->old_prev;
        rec->visible_at = u->old_visible;
        rec->modstamp = u->old_modstamp;
        rec->deleted_at = u->old_deleted_at;
        rec->deleted = u->old_deleted;
        if (!rec->deleted)
            index_add(org, rec);
    }
    while (txn->npending > mark.npending)
        change_release(&txn->pending[--txn->npending]);
}

static void changes_append(struct sf_org *org, struct sf_change *c)
{
    size_t slot;
    if (org->changes_len == SF_CHANGES_MAX) {
        change_release(&org->changes[org->changes_head]);
        org->changes_head = (org->changes_head + 1) % SF_CHANGES_MAX;
        org->changes_len--;
    }
    slot = (org->changes_head + org->changes_len) % SF_CHANGES_MAX;
    org->changes[slot] = *c;
    org->changes[slot].seq = ++org->change_seq;
    org->changes_len++;
    memset(c, 0, sizeof(*c));
}

void org_txn_commit(struct sf_org *org, struct sf_txn *txn)
{
    int64_t delay = org->late_commit_ms;
    int64_t now = sync_time_now_ms();

    if (delay > 0) {
        /* the first undo entry of each record holds the version readers keep seeing */
        for (size_t i = 0; i < txn->nundo; i++) {
            struct sf_undo *u = &txn->undo[i];
            struct sf_rec *rec = u->rec;
            int first = 1;
            for (size_t k = 0; k < i && first; k++)
                first = txn->undo[k].rec != rec;
            if (!first)
                continue;
            if (!(rec->visible_at && now < rec->visible_at)) {
                json_decref(rec->prev);
                rec->prev = u->created ? NULL : json_incref(u->old_data);
            }
            rec->visible_at = now + delay;
        }
    }
    for (size_t i = 0; i < txn->npending; i++)
        changes_append(org, &txn->pending[i]);
    txn->npending = 0;
    if (org->on_commit)
        org->on_commit(org->on_commit_ctx, org, txn);
    for (size_t i = 0; i < txn->nundo; i++) {
        json_decref(txn->undo[i].old_data);
        json_decref(txn->undo[i].old_prev);
    }
    txn->nundo = 0;
}

void org_txn_release(struct sf_txn *txn)
{
    for (size_t i = 0; i < txn->nundo; i++) {
        json_decref(txn->undo[i].old_data);
        json_decref(txn->undo[i].old_prev);
    }
    for (size_t i = 0; i < txn->npending; i++)
        change_release(&txn->pending[i]);
    free(txn->undo);
    free(txn->pending);
    memset(txn, 0, sizeof(*txn));
}

/* ---- writes ---- */

void org_new_id(struct sf_org *org, const struct sf_object *obj, char out[19])
{
    ids_make(obj->key_prefix, ++org->id_seq, out);
}

static int64_t modstamp_of(const json_t *data)
{
    int64_t ms = 0;
    const char *s = json_string_value(json_object_get(data, "SystemModstamp"));
    if (s)
        sync_time_parse(s, &ms);
    return ms;
}

struct sf_rec *org_insert(struct sf_org *org, struct sf_txn *txn, const struct sf_object *obj,
                          json_t *data)
{
    struct sf_rec *rec = calloc(1, sizeof(*rec));
    struct sf_table *t = &org->tables[obj->index];
    const char *id = json_string_value(json_object_get(data, "Id"));

    if (!rec || !id) {
        free(rec);
        json_decref(data);
        return NULL;
    }
    rec->obj = obj;
    snprintf(rec->id, sizeof(rec->id), "%s", id);
    rec->data = data;
    rec->modstamp = modstamp_of(data);
    rec->deleted = json_is_true(json_object_get(data, "IsDeleted"));
    table_append(t, rec);
    hmap_put(&org->by_id, rec->id, rec);
    if (!rec->deleted) {
        t->live++;
        index_add(org, rec);
    }
    if (txn) {
        /* a CREATE lists every populated field: taken from the values when the log is read */
        undo_push(txn, rec, 1);
        pending_push(txn, rec, SF_CHANGE_CREATE, NULL, json_incref(data));
    }
    return rec;
}

/* Names of the fields whose values differ between a and b, and the new values. */
static void diff_fields(const json_t *a, const json_t *b, json_t **names, json_t **values)
{
    const char *k;
    json_t *v;
    *names = json_array();
    *values = json_object();
    json_object_foreach((json_t *)b, k, v)
    {
        json_t *old = json_object_get(a, k);
        if (!old || !json_equal(old, v)) {
            json_array_append_new(*names, json_string(k));
            json_object_set(*values, k, v);
        }
    }
    json_object_foreach((json_t *)a, k, v)
    {
        if (!json_object_get(b, k)) {
            json_array_append_new(*names, json_string(k));
            json_object_set_new(*values, k, json_null());
        }
    }
}

static void swap_data(struct sf_org *org, struct sf_rec *rec, json_t *data)
{
    if (!rec->deleted)
        index_remove(org, rec);
    json_decref(rec->data);
    rec->data = data;
    rec->modstamp = modstamp_of(data);
    if (!rec->deleted)
        index_add(org, rec);
}

void org_replace(struct sf_org *org, struct sf_txn *txn, struct sf_rec *rec, json_t *data)
{
    json_t *names, *values;
    diff_fields(rec->data, data, &names, &values);
    if (txn)
        undo_push(txn, rec, 0);
    swap_data(org, rec, data);
    if (txn && json_array_size(names))
        pending_push(txn, rec, SF_CHANGE_UPDATE, names, values);
    else {
        json_decref(names);
        json_decref(values);
    }
}

static json_t *stamp(const struct sf_rec *rec, const struct sf_txn *txn)
{
    json_t *d = json_copy(rec->data);
    json_object_set_new(d, "SystemModstamp", org_time_json(txn->now));
    return d;
}

void org_delete(struct sf_org *org, struct sf_txn *txn, struct sf_rec *rec, const char *master_id)
{
    struct sf_table *t = &org->tables[rec->obj->index];
    json_t *d;

    if (rec->deleted)
        return;
    undo_push(txn, rec, 0);
    d = stamp(rec, txn);
    json_object_set_new(d, "IsDeleted", json_true());
    if (master_id && schema_field(rec->obj, "MasterRecordId"))
        json_object_set_new(d, "MasterRecordId", json_string(master_id));
    index_remove(org, rec);
    json_decref(rec->data);
    rec->data = d;
    rec->modstamp = txn->now;
    rec->deleted = 1;
    rec->deleted_at = txn->now;
    t->live--;
    pending_push(txn, rec, SF_CHANGE_DELETE, json_array(), json_object());
}

void org_undelete(struct sf_org *org, struct sf_txn *txn, struct sf_rec *rec)
{
    struct sf_table *t = &org->tables[rec->obj->index];
    json_t *d;

    if (!rec->deleted)
        return;
    undo_push(txn, rec, 0);
    d = stamp(rec, txn);
    json_object_set_new(d, "IsDeleted", json_false());
    json_object_del(d, "MasterRecordId");
    json_decref(rec->data);
    rec->data = d;
    rec->modstamp = txn->now;
    rec->deleted = 0;
    rec->deleted_at = 0;
    t->live++;
    index_add(org, rec);
    pending_push(txn, rec, SF_CHANGE_UNDELETE, json_array(), json_incref(d));
}

size_t org_purge_deleted(struct sf_org *org, int64_t before)
{
    size_t purged = 0;
    for (size_t i = 0; i < org->schema.n; i++) {
        struct sf_table *t = &org->tables[i];
        size_t w = 0;
        for (size_t r = 0; r < t->n; r++) {
            struct sf_rec *rec = t->rows[r];
            if (rec->deleted && rec->deleted_at < before) {
                hmap_del(&org->by_id, rec->id);
                rec_free(rec);
                purged++;
                continue;
            }
            rec->pos = w;
            t->rows[w++] = rec;
        }
        t->n = w;
    }
    if (before > org->earliest_deleted)
        org->earliest_deleted = before;
    return purged;
}

/* ---- change log ---- */

static const char *change_type_name(enum sf_change_type t)
{
    static const char *const names[] = {"CREATE", "UPDATE", "DELETE", "UNDELETE"};
    return names[t];
}

static const struct sf_change *change_at(const struct sf_org *org, size_t i)
{
    return &org->changes[(org->changes_head + i) % SF_CHANGES_MAX];
}

/* new: one change-log entry in the control API's form. */
static json_t *change_json(const struct sf_change *c)
{
    json_t *fields = c->fields ? json_incref(c->fields) : json_array();
    char at[SYNC_TIME_ISO_MAX];

    if (!c->fields) {
        const char *k;
        json_t *v;
        json_object_foreach(c->values, k, v)
        {
            if (!json_is_null(v))
                json_array_append_new(fields, json_string(k));
        }
    }
    return json_pack("{s:I, s:s, s:[s], s:s, s:o, s:O, s:s?, s:s, s:s, s:s, s:s}", "seq",
                     (json_int_t)c->seq, "object", c->obj->name, "ids", c->id, "type",
                     change_type_name(c->type), "fields", fields, "values", c->values, "client",
                     c->client[0] ? c->client : NULL, "at",
                     sync_time_format_iso(c->at, at, sizeof(at)), "transaction", c->txkey, "user",
                     c->user, "api_version", c->api_version);
}

json_t *org_changes_json(const struct sf_org *org, uint64_t after, size_t max)
{
    json_t *arr = json_array();
    size_t lo = 0, hi = org->changes_len;

    /* the ring is in seq order: find the first entry after `after` */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (change_at(org, mid)->seq <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < org->changes_len && json_array_size(arr) < max; i++)
        json_array_append_new(arr, change_json(change_at(org, i)));
    return json_pack("{s:o, s:I}", "changes", arr, "last", (json_int_t)org->change_seq);
}
