/*
 * sobjects.c: single-record saves (insert, update, upsert by external id,
 * delete) shared by the REST sObject resources, Collections and
 * Composite, and the REST sObject handlers themselves:
 *   POST   /sobjects/{object}                 create
 *   GET    /sobjects/{object}                 basic info + recentItems
 *   GET    /sobjects/{object}/{id}            retrieve (?fields=)
 *   PATCH  /sobjects/{object}/{id}            update (204)
 *   DELETE /sobjects/{object}/{id}            delete (204)
 *   GET    /sobjects/{object}/{field}/{value} retrieve by external id (300 on several)
 *   PATCH  /sobjects/{object}/{field}/{value} upsert (201/200, 204 before v46, 300)
 *   DELETE /sobjects/{object}/{field}/{value} delete by external id
 *   POST   /sobjects/{object}/{field}         insert through the upsert resource
 * Handlers run with the org lock the route asks for (write for saves).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emulators/salesforce/api.h"
#include "core/time.h"
#include "emulators/salesforce/ids.h"
#include "emulators/salesforce/validate.h"

/* ---- locks on demand (POST /__emu/locks) ---- */

static int take_lock(struct sf_org *org, const struct sf_object *obj, const char *id)
{
    if (id) {
        uintptr_t n = (uintptr_t)hmap_get(&org->lock_ids, id);
        if (n) {
            if (n == 1)
                hmap_del(&org->lock_ids, id);
            else
                hmap_put(&org->lock_ids, id, (void *)(n - 1));
            return 1;
        }
    }
    if (org->lock_objects[obj->index] > 0) {
        org->lock_objects[obj->index]--;
        return 1;
    }
    return 0;
}

static void lock_error(struct sf_error *e, const char *id)
{
    if (id)
        sf_error_set(e, 400, "UNABLE_TO_LOCK_ROW",
                     "unable to obtain exclusive access to this record or 1 records: %s", id);
    else
        sf_error_set(e, 400, "UNABLE_TO_LOCK_ROW",
                     "unable to obtain exclusive access to this record");
}

static void save_init(struct sf_save *out)
{
    memset(out, 0, sizeof(*out));
    sf_error_init(&out->err);
}

/* ---- saves ---- */

void sobj_insert(struct sf_call *c, struct sf_txn *txn, const struct sf_object *obj,
                 const json_t *body, struct sf_save *out)
{
    char id[19];
    json_t *rec;

    save_init(out);
    if (take_lock(c->org, obj, NULL)) {
        lock_error(&out->err, NULL);
        return;
    }
    org_new_id(c->org, obj, id);
    rec = validate_write(c, obj, NULL, body, id, &out->err);
    if (!rec)
        return;
    if (!org_insert(c->org, txn, obj, rec)) {
        sf_error_set(&out->err, 500, "UNKNOWN_EXCEPTION", "out of memory");
        return;
    }
    out->ok = 1;
    out->created = 1;
    memcpy(out->id, id, sizeof(id));
}

/* The live record behind id for a write, or NULL with the error set. */
static struct sf_rec *write_target(struct sf_call *c, const struct sf_object *obj, const char *id,
                                   struct sf_error *e)
{
    char id18[19];
    struct sf_rec *rec;

    if (!id || record_id(id, id18)) {
        sf_error_set(e, 400, "MALFORMED_ID", "malformed id %s", id ? id : "");
        return NULL;
    }
    rec = org_get(c->org, id18);
    if (!rec || (obj && rec->obj != obj)) {
        sf_error_set(e, 404, "NOT_FOUND", "The requested resource does not exist");
        return NULL;
    }
    if (rec->deleted) {
        sf_error_set(e, 404, "ENTITY_IS_DELETED", "entity is deleted");
        return NULL;
    }
    return rec;
}

static void update_rec(struct sf_call *c, struct sf_txn *txn, struct sf_rec *rec,
                       const json_t *body, struct sf_save *out)
{
    json_t *data;
    if (take_lock(c->org, rec->obj, rec->id)) {
        lock_error(&out->err, rec->id);
        return;
    }
    data = validate_write(c, rec->obj, rec, body, NULL, &out->err);
    if (!data)
        return;
    org_replace(c->org, txn, rec, data);
    out->ok = 1;
    memcpy(out->id, rec->id, sizeof(out->id));
}

void sobj_update(struct sf_call *c, struct sf_txn *txn, const struct sf_object *obj, const char *id,
                 const json_t *body, struct sf_save *out)
{
    struct sf_rec *rec;
    save_init(out);
    rec = write_target(c, obj, id, &out->err);
    if (rec)
        update_rec(c, txn, rec, body, out);
}

/* Records of obj whose field f equals value (live ones). */
static size_t find_matches(struct sf_call *c, const struct sf_object *obj, const struct sf_field *f,
                           const json_t *value, struct sf_rec **out, size_t max)
{
    size_t n = 0;
    if (f->type == SF_T_ID) {
        char id[19];
        struct sf_rec *r;
        if (!json_is_string(value) || record_id(json_string_value(value), id))
            return 0;
        r = org_get(c->org, id);
        if (r && r->obj == obj && !r->deleted && max)
            out[n++] = r;
        return n;
    }
    if (org_field_indexed(c->org, obj, f)) {
        const struct sf_recvec *m = org_find_by_field(c->org, obj, f, value);
        for (size_t i = 0; m && i < m->n && n < max; i++)
            out[n++] = m->v[i];
        return n;
    }
    {
        struct sf_table *t = org_table(c->org, obj);
        for (size_t i = 0; i < t->n && n < max; i++) {
            const json_t *v = json_object_get(t->rows[i]->data, f->name);
            if (t->rows[i]->deleted || !v)
                continue;
            if (json_is_string(v) && json_is_string(value)
                    ? strcasecmp(json_string_value(v), json_string_value(value)) == 0
                    : json_equal(v, value))
                out[n++] = t->rows[i];
        }
    }
    return n;
}

static json_t *value_as_json(const struct sf_field *f, const char *text)
{
    if (f->type == SF_T_INT || f->type == SF_T_DOUBLE) {
        char *end;
        double d = strtod(text, &end);
        if (!*end && *text)
            return f->type == SF_T_INT ? json_integer((json_int_t)d) : json_real(d);
    }
    return json_string(text);
}

/* new: the body of a 300 answer: the URLs of the records that share an external id value. */
static json_t *choices_json(const struct sf_call *c, struct sf_rec **found, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char url[256];
        snprintf(url, sizeof(url), "/services/data/v%s/sobjects/%s/%s", c->version,
                 found[i]->obj->name, found[i]->id);
        json_array_append_new(arr, json_string(url));
    }
    return arr;
}

/* The error a Collections upsert item reports when its key matches several records. */
static void choices_error(struct sf_error *e, const struct sf_field *field, struct sf_rec **found,
                          size_t n)
{
    char ids[1024];
    size_t o = 0;
    ids[0] = '\0';
    for (size_t i = 0; i < n && o < sizeof(ids); i++)
        o += (size_t)snprintf(ids + o, sizeof(ids) - o, "%s%s", i ? ", " : "", found[i]->id);
    sf_error_set(e, 300, "DUPLICATE_EXTERNAL_ID",
                 "%s: more than one record found for external id field: [%s]", field->label, ids);
}

/* new: the key an upsert matches on: value from the URL, else the body's field (any case);
 * NULL with the error set when there is none. */
static json_t *upsert_key(const struct sf_field *field, const char *value, const json_t *body,
                          struct sf_error *e)
{
    const json_t *in_body = NULL;
    const char *k;
    json_t *v;

    if (value)
        return value_as_json(field, value);
    json_object_foreach((json_t *)body, k, v)
    {
        if (strcasecmp(k, field->name) == 0)
            in_body = v;
    }
    if (in_body && !json_is_null(in_body))
        return json_incref((json_t *)in_body);
    sf_error_set(e, 400, "MISSING_ARGUMENT", "%s not specified", field->name);
    return NULL;
}

/* new: a copy of body without the key field (the key is not written again). */
static json_t *without_key(const json_t *body, const struct sf_field *field)
{
    json_t *copy = json_copy((json_t *)body), *v;
    const char *k;
    json_object_foreach(copy, k, v)
    {
        if (strcasecmp(k, field->name) == 0) {
            json_object_del(copy, k);
            break;
        }
    }
    return copy;
}

void sobj_upsert(struct sf_call *c, struct sf_txn *txn, const struct sf_object *obj,
                 const struct sf_field *field, const char *value, const json_t *body,
                 struct sf_save *out, json_t **multiple)
{
    struct sf_rec *found[16];
    size_t n;
    json_t *key, *rest;
    const char *uo = call_query(c, "updateOnly");

    save_init(out);
    if (multiple)
        *multiple = NULL;
    if (!json_is_object(body)) {
        sf_error_set(&out->err, 400, "JSON_PARSER_ERROR",
                     "Cannot deserialize instance of %s from non-object value", obj->name);
        return;
    }
    if (!(key = upsert_key(field, value, body, &out->err)))
        return;
    n = find_matches(c, obj, field, key, found, 16);
    if (n > 1) {
        if (multiple)
            *multiple = choices_json(c, found, n);
        choices_error(&out->err, field, found, n);
        json_decref(key);
        return;
    }
    rest = without_key(body, field);
    if (n == 1) {
        update_rec(c, txn, found[0], rest, out);
    } else if (field->type == SF_T_ID || (uo && strcasecmp(uo, "true") == 0)) {
        sf_error_set(&out->err, 404, "NOT_FOUND", "The requested resource does not exist");
    } else {
        json_object_set(rest, field->name, key);
        sobj_insert(c, txn, obj, rest, out);
    }
    json_decref(rest);
    json_decref(key);
}

/* Deleting a parent deletes what a real org deletes with it: an account's contacts,
 * opportunities and cases; contact roles and campaign members of deleted people,
 * opportunities and campaigns; activities whose Who or What is deleted. */
static const char *const cascades[][2] = {
    {"Contact", "AccountId"},
    {"Opportunity", "AccountId"},
    {"Case", "AccountId"},
    {"OpportunityContactRole", "OpportunityId"},
    {"OpportunityContactRole", "ContactId"},
    {"CampaignMember", "ContactId"},
    {"CampaignMember", "LeadId"},
    {"CampaignMember", "CampaignId"},
    {"Task", "WhoId"},
    {"Task", "WhatId"},
    {"Event", "WhoId"},
    {"Event", "WhatId"},
};

static void cascade_delete(struct sf_call *c, struct sf_txn *txn, const struct sf_rec *parent,
                           int depth)
{
    if (depth > 3)
        return;
    for (size_t i = 0; i < sizeof(cascades) / sizeof(cascades[0]); i++) {
        const struct sf_object *child = schema_object(&c->org->schema, cascades[i][0]);
        const struct sf_field *f = child ? schema_field(child, cascades[i][1]) : NULL;
        struct sf_table *t;
        int points = 0;
        if (!f)
            continue;
        for (size_t r = 0; r < f->nrefs; r++)
            points |= strcmp(f->refs[r], parent->obj->name) == 0;
        t = org_table(c->org, child);
        if (!points || !t->live)
            continue;
        for (size_t r = 0; r < t->n; r++) {
            struct sf_rec *rec = t->rows[r];
            const char *v;
            if (rec->deleted)
                continue;
            v = json_string_value(json_object_get(rec->data, f->name));
            if (v && strcmp(v, parent->id) == 0) {
                org_delete(c->org, txn, rec, NULL);
                cascade_delete(c, txn, rec, depth + 1);
            }
        }
    }
}

void sobj_delete(struct sf_call *c, struct sf_txn *txn, const char *id, struct sf_save *out)
{
    struct sf_rec *rec;

    save_init(out);
    rec = write_target(c, NULL, id, &out->err);
    if (!rec)
        return;
    if (!rec->obj->deletable) {
        sf_error_set(&out->err, 400, "INVALID_TYPE_FOR_OPERATION",
                     "entity type cannot be deleted: %s", rec->obj->name);
        return;
    }
    if (c->org->perms[rec->obj->index].read_only ||
        org_access(c->org, rec->obj) != SF_ACCESS_EDIT) {
        sf_error_set(&out->err, 400, "INSUFFICIENT_ACCESS_OR_READONLY",
                     "insufficient access rights on object id");
        return;
    }
    if (take_lock(c->org, rec->obj, rec->id)) {
        lock_error(&out->err, rec->id);
        return;
    }
    org_delete(c->org, txn, rec, NULL);
    cascade_delete(c, txn, rec, 0);
    out->ok = 1;
    memcpy(out->id, rec->id, sizeof(out->id));
}

/* ---- REST handlers ---- */

static const struct sf_object *path_object(struct sf_call *c)
{
    const struct sf_object *o = org_user_object(c->org, c->params[0]);
    if (!o)
        call_not_found(c);
    return o;
}

/* The record id in the path (params[1]) in 18 characters; -1 with the 404 answered when it is
 * not an id (Salesforce then reads the segment as an external-id field name). */
static int path_id(struct sf_call *c, char id[19])
{
    if (record_id(c->params[1], id) == 0)
        return 0;
    call_error(c, 404, "NOT_FOUND",
               "Provided external ID field does not exist or is not accessible: %s", c->params[1]);
    return -1;
}

json_t *sobj_result_json(const struct sf_save *s, int with_created)
{
    json_t *o = json_pack("{s:s, s:b, s:[]}", "id", s->id, "success", 1, "errors");
    if (with_created)
        json_object_set_new(o, "created", json_boolean(s->created));
    return o;
}

static void set_location(struct sf_call *c, const struct sf_object *obj, const char *id)
{
    snprintf(c->location, sizeof(c->location), "/services/data/v%s/sobjects/%s/%s", c->version,
             obj->name, id);
}

void h_sobject_create(struct sf_call *c)
{
    const struct sf_object *obj = path_object(c);
    struct sf_txn own, *txn;
    struct sf_save s;
    json_t *body;

    if (!obj || !(body = call_body(c)))
        return;
    txn = call_txn_begin(c, &own);
    sobj_insert(c, txn, obj, body, &s);
    call_txn_end(c, &own);
    if (!s.ok) {
        call_error_from(c, &s.err);
    } else {
        set_location(c, obj, s.id);
        call_json(c, 201, sobj_result_json(&s, 0));
    }
    sf_error_release(&s.err);
}

/* ?fields=A,B: canonical names, or NULL with a 400 answered. *fields is NULL without it. */
static int parse_fields_param(struct sf_call *c, const struct sf_object *obj, json_t **fields)
{
    const char *p = call_query(c, "fields");
    *fields = NULL;
    if (!p || !*p)
        return 0;
    *fields = json_array();
    while (*p) {
        size_t n = strcspn(p, ",");
        char name[256];
        const struct sf_field *f;
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        while (name[0] == ' ')
            memmove(name, name + 1, strlen(name));
        f = schema_field(obj, name);
        if (!f || !record_field_visible(c->org, f)) {
            call_error(c, 400, "INVALID_FIELD",
                       "\n%s\n^\nERROR at Row:1:Column:1\nNo such column '%s' on entity '%s'. If "
                       "you are attempting to use a custom field, be sure to append the '__c' "
                       "after the custom field name. Please reference your WSDL or the describe "
                       "call for the appropriate names.",
                       name, name, obj->name);
            json_decref(*fields);
            *fields = NULL;
            return -1;
        }
        json_array_append_new(*fields, json_string(f->name));
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* An HTTP date ("Tue, 24 Nov 2026 02:18:22 GMT") as epoch ms; -1 when unreadable. */
static int64_t http_date(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4] = "";
    int d, y, h, mi, sec, n = 0;
    const char *m;
    if (!s || sscanf(s, "%*3s, %d %3s %d %d:%d:%d GMT%n", &d, mon, &y, &h, &mi, &sec, &n) != 6 ||
        !n || s[n] || strlen(mon) != 3 || !(m = strstr(months, mon)) || (m - months) % 3)
        return -1;
    return (sync_time_days_from_civil(y, (unsigned)((m - months) / 3 + 1), (unsigned)d) * 86400 +
            h * 3600 + mi * 60 + sec) *
           1000LL;
}

/* Conditional headers on a record: 0 to go on, else the answer is set (304 or 412). */
static int precondition(struct sf_call *c, const json_t *rec, int is_get)
{
    const char *h = call_header(c, is_get ? "If-Modified-Since" : "If-Unmodified-Since");
    const char *stamp = json_string_value(json_object_get(rec, "LastModifiedDate"));
    int64_t since, modified = 0;
    if (!h)
        return 0;
    since = http_date(h);
    if (since < 0) {
        if (is_get)
            return 0;
        call_error(c, 400, "INVALID_HEADER", "Invalid If-Unmodified-Since header: %s", h);
        return -1;
    }
    if (stamp)
        sync_time_parse(stamp, &modified);
    if (is_get && modified <= since) {
        call_json(c, 304, NULL);
        return -1;
    }
    if (!is_get && modified > since) {
        call_error(c, 412, "PRECONDITION_FAILED",
                   "The requested resource has been modified since %s", h);
        return -1;
    }
    return 0;
}

void h_sobject_get(struct sf_call *c)
{
    const struct sf_object *obj = path_object(c);
    char id[19];
    struct sf_rec *rec;
    const json_t *view;
    json_t *fields;

    if (!obj || path_id(c, id))
        return;
    rec = org_get(c->org, id);
    view = rec && rec->obj == obj ? org_view(rec, c->view_now) : NULL;
    if (!view) {
        call_not_found(c);
        return;
    }
    if (json_is_true(json_object_get(view, "IsDeleted"))) {
        call_json(c, 404,
                  json_pack("[{s:s, s:s, s:[]}]", "message", "entity is deleted", "errorCode",
                            "ENTITY_IS_DELETED", "fields"));
        return;
    }
    if (precondition(c, view, 1) || parse_fields_param(c, obj, &fields))
        return;
    call_json(c, 200, record_to_rest(c, obj, view, fields));
    json_decref(fields);
}

/* Answers a finished update or delete: 204, or its error. Releases the save. */
static void answer_no_content(struct sf_call *c, struct sf_save *s)
{
    if (!s->ok)
        call_error_from(c, &s->err);
    else
        call_json(c, 204, NULL);
    sf_error_release(&s->err);
}

void h_sobject_update(struct sf_call *c)
{
    const struct sf_object *obj = path_object(c);
    struct sf_txn own, *txn;
    struct sf_save s;
    struct sf_rec *rec;
    json_t *body;
    char id[19];

    if (!obj || path_id(c, id) || !(body = call_body(c)))
        return;
    rec = org_get(c->org, id);
    if (rec && rec->obj == obj && !rec->deleted && precondition(c, rec->data, 0))
        return;
    txn = call_txn_begin(c, &own);
    sobj_update(c, txn, obj, id, body, &s);
    call_txn_end(c, &own);
    answer_no_content(c, &s);
}

/* Deletes one record in the call's transaction and answers 204 or the error. */
static void delete_and_answer(struct sf_call *c, const char *id)
{
    struct sf_txn own, *txn = call_txn_begin(c, &own);
    struct sf_save s;

    sobj_delete(c, txn, id, &s);
    call_txn_end(c, &own);
    answer_no_content(c, &s);
}

void h_sobject_delete(struct sf_call *c)
{
    const struct sf_object *obj = path_object(c);
    char id[19];
    struct sf_rec *rec;

    if (!obj || path_id(c, id))
        return;
    rec = org_get(c->org, id);
    if (!rec || rec->obj != obj) {
        call_not_found(c);
        return;
    }
    delete_and_answer(c, id);
}

/* The external-id (or idLookup) field in the path, or NULL with 404 answered. */
static const struct sf_field *path_ext_field(struct sf_call *c, const struct sf_object *obj)
{
    const struct sf_field *f = schema_field(obj, c->params[1]);
    if (!f || !(f->flags & (SF_F_EXTID | SF_F_IDLOOKUP))) {
        call_error(c, 404, "NOT_FOUND",
                   "Provided external ID field does not exist or is not accessible: %s",
                   c->params[1]);
        return NULL;
    }
    return f;
}

/* The one live record whose external-id field (params[1]) holds the value in params[2]; NULL
 * with the answer set otherwise (404 for none or a bad field, 300 listing several). */
static struct sf_rec *path_match(struct sf_call *c, const struct sf_object *obj)
{
    const struct sf_field *f = path_ext_field(c, obj);
    struct sf_rec *found[16];
    json_t *key;
    size_t n;

    if (!f)
        return NULL;
    key = value_as_json(f, c->params[2]);
    n = find_matches(c, obj, f, key, found, 16);
    json_decref(key);
    if (n == 1)
        return found[0];
    if (n == 0)
        call_not_found(c);
    else
        call_json(c, 300, choices_json(c, found, n));
    return NULL;
}

void h_sobject_by_ext(struct sf_call *c)
{
    const struct sf_object *obj = path_object(c);
    const struct sf_rec *rec = obj ? path_match(c, obj) : NULL;
    const json_t *view = rec ? org_view(rec, c->view_now) : NULL;
    json_t *fields;

    if (!rec)
        return;
    if (!view)
        call_not_found(c);
    else if (parse_fields_param(c, obj, &fields) == 0) {
        call_json(c, 200, record_to_rest(c, obj, view, fields));
        json_decref(fields);
    }
}

static void upsert_common(struct sf_call *c, const char *value)
{
    const struct sf_object *obj = path_object(c);
    const struct sf_field *f;
    struct sf_txn own, *txn;
    struct sf_save s;
    json_t *body, *multiple = NULL;

    if (!obj || !(f = path_ext_field(c, obj)) || !(body = call_body(c)))
        return;
    txn = call_txn_begin(c, &own);
    sobj_upsert(c, txn, obj, f, value, body, &s, &multiple);
    call_txn_end(c, &own);
    if (multiple) {
        call_json(c, 300, multiple);
    } else if (!s.ok) {
        call_error_from(c, &s.err);
    } else if (s.created) {
        set_location(c, obj, s.id);
        call_json(c, 201, sobj_result_json(&s, c->version_num >= 46));
    } else if (c->version_num >= 46) {
        call_json(c, 200, sobj_result_json(&s, 1));
    } else {
        call_json(c, 204, NULL);
    }
    sf_error_release(&s.err);
}

void h_sobject_upsert(struct sf_call *c)
{
    upsert_common(c, c->params[2]);
}

void h_sobject_upsert_post(struct sf_call *c)
{
    if (strcasecmp(c->params[1], "Id") == 0) {
        h_sobject_create(c);
        return;
    }
    upsert_common(c, NULL);
}

void h_sobject_upsert_delete(struct sf_call *c)
{
    const struct sf_object *obj = path_object(c);
    const struct sf_rec *rec = obj ? path_match(c, obj) : NULL;

    if (rec)
        delete_and_answer(c, rec->id);
}

void h_sobject_info(struct sf_call *c)
{
    const struct sf_object *obj = path_object(c);
    struct sf_table *t;
    json_t *recent;

    if (!obj)
        return;
    t = org_table(c->org, obj);
    recent = json_array();
    for (size_t i = t->n; i > 0 && json_array_size(recent) < 10; i--) {
        const struct sf_rec *r = t->rows[i - 1];
        const json_t *v = org_view(r, c->view_now);
        json_t *item;
        if (!v || r->deleted)
            continue;
        item = json_pack("{s:o, s:s}", "attributes", record_attributes(c, obj->name, r->id), "Id",
                         r->id);
        for (size_t k = 0; k < obj->nfields; k++) {
            if (obj->fields[k].flags & SF_F_NAMEFIELD) {
                json_t *nv = json_object_get(v, obj->fields[k].name);
                json_object_set_new(item, obj->fields[k].name, nv ? json_incref(nv) : json_null());
                break;
            }
        }
        json_array_append_new(recent, item);
    }
    call_json(c, 200,
              json_pack("{s:o, s:o}", "objectDescribe", describe_global_entry(c, obj),
                        "recentItems", recent));
}
