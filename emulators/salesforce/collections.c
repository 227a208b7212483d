/*
 * collections.c: sObject Collections (v42.0+; upsert v46.0+):
 *   POST   /composite/sobjects                     create up to 200 records
 *   PATCH  /composite/sobjects                     update up to 200 records (lower-case id)
 *   PATCH  /composite/sobjects/{object}/{field}    upsert up to 200 records on an external id
 *   DELETE /composite/sobjects?ids=&allOrNone=     delete up to 200 ids
 *   GET|POST /composite/sobjects/{object}          retrieve (ids, fields), null for missing
 * Results come in request order with per-item errors ({"statusCode",...}); allOrNone rolls
 * every record back and marks the good ones ALL_OR_NONE_OPERATION_ROLLED_BACK. Inside a
 * Composite allOrNone request, a failed item fails the whole Composite.
 * Handlers reached through the route table (routes.c), directly or as
 * Composite subrequests, with the org write lock held (read for retrieve).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emulators/salesforce/api.h"

#define COLL_MAX 200
#define RETRIEVE_MAX 2000

enum coll_op { OP_CREATE, OP_UPDATE, OP_UPSERT };

static void map_item_error(struct sf_error *e)
{
    /* resource errors of the single-record API read differently per item */
    if (strcmp(e->code, "NOT_FOUND") == 0)
        sf_error_set(e, 400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
}

static json_t *item_err(struct sf_save *s, const char *id)
{
    json_t *o = json_object();
    map_item_error(&s->err);
    if (id)
        json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "success", json_false());
    json_object_set_new(o, "errors", json_pack("[o]", sf_error_item(&s->err)));
    return o;
}

static json_t *rolled_back(const char *id)
{
    json_t *o = json_object();
    if (id)
        json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "success", json_false());
    json_object_set_new(
        o, "errors",
        json_pack("[{s:s, s:s, s:[]}]", "statusCode", "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                  "message",
                  "Record rolled back because not all records were valid and the request was "
                  "using AllOrNone header",
                  "fields"));
    return o;
}

static void set_item_error(struct sf_save *s, const char *code, const char *msg)
{
    memset(s, 0, sizeof(*s));
    sf_error_init(&s->err);
    sf_error_set(&s->err, 400, code, "%s", msg);
}

/* Finishes a batch: allOrNone rollback, results, the Composite failure flag. */
static void finish(struct sf_call *c, struct sf_txn *txn, struct sf_txn *own,
                   struct sf_txn_mark start, int all_or_none, struct sf_save *saves, size_t n,
                   int with_created, const char **ids)
{
    int failed = 0;
    json_t *out = json_array();

    for (size_t i = 0; i < n; i++)
        failed |= !saves[i].ok;
    if (failed && all_or_none)
        org_txn_rollback(c->org, txn, start);
    for (size_t i = 0; i < n; i++) {
        const char *id = ids ? ids[i] : NULL;
        if (!saves[i].ok)
            json_array_append_new(out, item_err(&saves[i], id));
        else if (failed && all_or_none)
            json_array_append_new(out, rolled_back(id));
        else
            json_array_append_new(out, sobj_result_json(&saves[i], with_created));
        sf_error_release(&saves[i].err);
    }
    call_txn_end(c, own);
    call_json(c, 200, out);
    c->failed = failed;
}

static int read_batch(struct sf_call *c, json_t **records, int *all_or_none)
{
    json_t *body = call_body(c);
    if (!body)
        return -1;
    *records = json_object_get(body, "records");
    *all_or_none = json_is_true(json_object_get(body, "allOrNone"));
    if (!json_is_array(*records)) {
        call_error(c, 400, "JSON_PARSER_ERROR", "Cannot deserialize instance of records");
        return -1;
    }
    if (json_array_size(*records) > COLL_MAX) {
        call_error(c, 400, "EXCEEDED_ID_LIMIT",
                   "record limit reached. cannot submit more than 200 records into this call");
        return -1;
    }
    return 0;
}

static const struct sf_object *item_type(struct sf_call *c, const json_t *rec, struct sf_save *s)
{
    const char *type =
        json_string_value(json_object_get(json_object_get(rec, "attributes"), "type"));
    const struct sf_object *o;
    if (!json_is_object(rec)) {
        set_item_error(s, "JSON_PARSER_ERROR", "Record must be a JSON object");
        return NULL;
    }
    if (!type) {
        set_item_error(s, "INVALID_TYPE", "Must send a concrete entity type.");
        return NULL;
    }
    o = org_user_object(c->org, type);
    if (!o) {
        char msg[300];
        snprintf(msg, sizeof(msg), "sObject type '%s' is not supported.", type);
        set_item_error(s, "INVALID_TYPE", msg);
    }
    return o;
}

/* The record's "id" (any case) and a copy of the record without it. */
static const char *take_id(const json_t *rec, json_t **rest)
{
    const char *id = NULL, *k;
    json_t *v;
    *rest = json_copy((json_t *)rec);
    json_object_foreach((json_t *)rec, k, v)
    {
        if (strcasecmp(k, "id") == 0) {
            id = json_string_value(v);
            json_object_del(*rest, k);
            break;
        }
    }
    return id;
}

/* borrowed: rec's value of field (any case), or NULL. */
static const json_t *key_of(const json_t *rec, const struct sf_field *field)
{
    const json_t *key = NULL;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rec, k, v)
    {
        if (strcasecmp(k, field->name) == 0)
            key = v;
    }
    return key;
}

/* Whether an upsert item's external-id value already came in an earlier item of the batch
 * (an error for the later one: Salesforce refuses to upsert one key twice in a call). */
static int repeated_key(const json_t *records, size_t i, const struct sf_field *field,
                        struct sf_save *s)
{
    const json_t *key = key_of(json_array_get(records, i), field);
    if (field->type == SF_T_ID || !json_is_string(key))
        return 0;
    for (size_t p = 0; p < i; p++) {
        const json_t *pk = key_of(json_array_get(records, p), field);
        if (json_is_string(pk) && strcasecmp(json_string_value(pk), json_string_value(key)) == 0) {
            char msg[512];
            snprintf(msg, sizeof(msg), "Duplicate external id specified: %s",
                     json_string_value(key));
            set_item_error(s, "DUPLICATE_EXTERNAL_ID", msg);
            return 1;
        }
    }
    return 0;
}

/* One upsert item: rest is the record without its id; id its "id" when it had one. */
static void upsert_item(struct sf_call *c, struct sf_txn *txn, const struct sf_object *o,
                        const struct sf_object *uobj, const struct sf_field *ufield,
                        const json_t *records, size_t i, json_t *rest, const char *id,
                        struct sf_save *s)
{
    if (o != uobj) {
        set_item_error(s, "INVALID_TYPE", "Record type does not match the object in the URL");
        return;
    }
    if (repeated_key(records, i, ufield, s))
        return;
    if (id && strcasecmp(ufield->name, "Id") == 0)
        json_object_set_new(rest, "Id", json_string(id));
    sobj_upsert(c, txn, o, ufield, NULL, rest, s, NULL);
}

/* Saves item i of a batch into *s. */
static void run_item(struct sf_call *c, struct sf_txn *txn, enum coll_op op,
                     const struct sf_object *uobj, const struct sf_field *ufield,
                     const json_t *records, size_t i, struct sf_save *s)
{
    const json_t *rec = json_array_get(records, i);
    const struct sf_object *o = item_type(c, rec, s);
    json_t *rest;
    const char *id;

    if (!o)
        return;
    id = take_id(rec, &rest);
    if (op == OP_CREATE) {
        if (id)
            set_item_error(s, "INVALID_FIELD", "cannot specify Id in an insert call");
        else
            sobj_insert(c, txn, o, rest, s);
    } else if (op == OP_UPDATE) {
        if (!id)
            set_item_error(s, "MISSING_ARGUMENT", "Id not specified in an update call");
        else
            sobj_update(c, txn, o, id, rest, s);
    } else {
        upsert_item(c, txn, o, uobj, ufield, records, i, rest, id, s);
    }
    json_decref(rest);
}

static void run_batch(struct sf_call *c, enum coll_op op, const struct sf_object *uobj,
                      const struct sf_field *ufield)
{
    json_t *records;
    int all_or_none;
    struct sf_txn own, *txn;
    struct sf_txn_mark start;
    struct sf_save *saves;
    size_t n;

    if (read_batch(c, &records, &all_or_none))
        return;
    if (c->txn && c->in_composite)
        all_or_none = 1; /* Composite allOrNone overrides the inner flag */
    n = json_array_size(records);
    saves = calloc(n ? n : 1, sizeof(*saves));
    if (!saves) {
        call_error(c, 500, "UNKNOWN_EXCEPTION", "out of memory");
        return;
    }
    txn = call_txn_begin(c, &own);
    start = org_txn_mark(txn);
    for (size_t i = 0; i < n; i++) {
        struct sf_txn_mark mark = org_txn_mark(txn);
        run_item(c, txn, op, uobj, ufield, records, i, &saves[i]);
        if (!saves[i].ok && !all_or_none)
            org_txn_rollback(c->org, txn, mark);
    }
    finish(c, txn, &own, start, all_or_none, saves, n, op == OP_UPSERT, NULL);
    free(saves);
}

void h_coll_create(struct sf_call *c)
{
    run_batch(c, OP_CREATE, NULL, NULL);
}

void h_coll_update(struct sf_call *c)
{
    run_batch(c, OP_UPDATE, NULL, NULL);
}

void h_coll_upsert(struct sf_call *c)
{
    const struct sf_object *o = org_user_object(c->org, c->params[0]);
    const struct sf_field *f = o ? schema_field(o, c->params[1]) : NULL;
    if (!o) {
        call_not_found(c);
        return;
    }
    if (!f || !(f->flags & (SF_F_EXTID | SF_F_IDLOOKUP))) {
        call_error(c, 404, "NOT_FOUND",
                   "Provided external ID field does not exist or is not accessible: %s",
                   c->params[1]);
        return;
    }
    run_batch(c, OP_UPSERT, o, f);
}

/* Splits "a,b,c" into a new array of strings. */
static json_t *split_list(const char *s)
{
    json_t *arr = json_array();
    while (s && *s) {
        size_t n = strcspn(s, ",");
        char item[256];
        snprintf(item, sizeof(item), "%.*s", (int)(n < sizeof(item) ? n : sizeof(item) - 1), s);
        if (item[0])
            json_array_append_new(arr, json_string(item));
        s += n;
        if (*s == ',')
            s++;
    }
    return arr;
}

void h_coll_delete(struct sf_call *c)
{
    json_t *ids = split_list(call_query(c, "ids")), *id;
    const char *aon = call_query(c, "allOrNone");
    int all_or_none = aon && strcasecmp(aon, "true") == 0;
    struct sf_txn own, *txn;
    struct sf_txn_mark start;
    struct sf_save *saves;
    const char **canon;
    char(*buf)[19];
    size_t i, n = json_array_size(ids);

    if (!n) {
        json_decref(ids);
        call_error(c, 400, "MISSING_ARGUMENT", "ids not specified");
        return;
    }
    if (n > COLL_MAX) {
        json_decref(ids);
        call_error(c, 400, "EXCEEDED_ID_LIMIT",
                   "record limit reached. cannot submit more than 200 records into this call");
        return;
    }
    if (c->txn && c->in_composite)
        all_or_none = 1;
    saves = calloc(n, sizeof(*saves));
    canon = calloc(n, sizeof(*canon));
    buf = calloc(n, sizeof(*buf));
    if (!saves || !canon || !buf) {
        free(saves);
        free(canon);
        free(buf);
        json_decref(ids);
        call_error(c, 500, "UNKNOWN_EXCEPTION", "out of memory");
        return;
    }
    txn = call_txn_begin(c, &own);
    start = org_txn_mark(txn);
    json_array_foreach(ids, i, id)
    {
        struct sf_txn_mark mark = org_txn_mark(txn);
        if (record_id(json_string_value(id), buf[i]) == 0)
            canon[i] = buf[i];
        sobj_delete(c, txn, json_string_value(id), &saves[i]);
        if (!saves[i].ok && !all_or_none)
            org_txn_rollback(c->org, txn, mark);
    }
    finish(c, txn, &own, start, all_or_none, saves, n, 0, canon);
    free(saves);
    free(canon);
    free(buf);
    json_decref(ids);
}

void h_coll_retrieve(struct sf_call *c)
{
    const struct sf_object *o = org_user_object(c->org, c->params[0]);
    json_t *ids, *fields, *out, *id, *f;
    size_t i;

    if (!o) {
        call_not_found(c);
        return;
    }
    if (strcmp(c->method, "POST") == 0) {
        json_t *body = call_body(c);
        if (!body)
            return;
        ids = json_incref(json_object_get(body, "ids"));
        fields = json_incref(json_object_get(body, "fields"));
        if (!json_is_array(ids) || (fields && !json_is_array(fields))) {
            json_decref(ids);
            json_decref(fields);
            call_error(c, 400, "JSON_PARSER_ERROR", "ids must be an array of record ids");
            return;
        }
    } else {
        ids = split_list(call_query(c, "ids"));
        fields = call_query(c, "fields") ? split_list(call_query(c, "fields")) : NULL;
    }
    if (json_array_size(ids) > RETRIEVE_MAX) {
        call_error(c, 400, "EXCEEDED_ID_LIMIT", "too many ids: at most %d", RETRIEVE_MAX);
        goto out;
    }
    if (fields && !json_array_size(fields)) {
        json_decref(fields);
        fields = NULL;
    }
    json_array_foreach(fields, i, f)
    {
        const struct sf_field *sf = schema_field(o, json_string_value(f));
        if (!sf || !record_field_visible(c->org, sf)) {
            call_error(c, 400, "INVALID_FIELD", "No such column '%s' on entity '%s'",
                       json_string_value(f) ? json_string_value(f) : "", o->name);
            goto out;
        }
        json_array_set_new(fields, i, json_string(sf->name));
    }
    out = json_array();
    json_array_foreach(ids, i, id)
    {
        char id18[19];
        struct sf_rec *r;
        const json_t *v;
        if (!json_is_string(id) || record_id(json_string_value(id), id18)) {
            json_decref(out);
            call_error(c, 400, "MALFORMED_ID", "malformed id %s",
                       json_is_string(id) ? json_string_value(id) : "");
            goto out;
        }
        r = org_get(c->org, id18);
        v = r && r->obj == o ? org_view(r, c->view_now) : NULL;
        if (!v || json_is_true(json_object_get(v, "IsDeleted")))
            json_array_append_new(out, json_null());
        else
            json_array_append_new(out, record_to_rest(c, o, v, fields));
    }
    call_json(c, 200, out);
out:
    json_decref(ids);
    json_decref(fields);
}
