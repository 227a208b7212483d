/*
 * batch.c: POST /crm/v3/objects/{objectType}/batch/{read,create,update,
 * upsert,archive}. At most 100 inputs; the BatchResponse shape with
 * status, results, startedAt/completedAt and, on partial failure, 207 with
 * numErrors and per-input errors. Without objectWriteTraceIds a bad input
 * fails the whole create or update (nothing is written); with them each
 * input stands alone and its error carries context.objectWriteTraceId.
 *
 * Built on the record functions of objects.c; runs under the portal lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

#define BATCH_MAX 100

static json_t *batch_body(int64_t started, json_t *results, json_t *errors)
{
    char a[SYNC_TIME_ISO_MAX], b[SYNC_TIME_ISO_MAX];
    json_t *o;
    sync_time_format_iso(started, a, sizeof(a));
    sync_time_format_iso(sync_time_now_ms(), b, sizeof(b));
    o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:{}}", "status", "COMPLETE", "results", results,
                  "requestedAt", a, "startedAt", a, "completedAt", b, "links");
    if (errors && json_array_size(errors)) {
        json_object_set_new(o, "numErrors", json_integer((json_int_t)json_array_size(errors)));
        json_object_set_new(o, "errors", errors);
    } else {
        json_decref(errors);
    }
    return o;
}

static json_t *inputs_of(struct hs_ctx *c)
{
    json_t *in = json_object_get(c->body, "inputs");
    if (!json_is_array(in)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: inputs must be an array");
        return NULL;
    }
    if (json_array_size(in) > BATCH_MAX) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "Batch input limit exceeded: %zu inputs were given, at most %d are allowed",
                json_array_size(in), BATCH_MAX);
        return NULL;
    }
    return in;
}

static int any_trace(json_t *inputs)
{
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in)
    {
        if (sync_json_str(in, "objectWriteTraceId"))
            return 1;
    }
    return 0;
}

/* Turns a single-call error body into a batch error item for input in. */
static json_t *item_error(json_t *err, json_t *in)
{
    const char *trace = sync_json_str(in, "objectWriteTraceId");
    json_object_del(err, "correlationId");
    if (trace) {
        json_t *ctx = json_object_get(err, "context");
        if (!ctx) {
            ctx = json_object();
            json_object_set_new(err, "context", ctx);
        }
        json_object_set_new(ctx, "objectWriteTraceId", json_pack("[s]", trace));
    }
    return err;
}

static json_t *write_json(struct hs_portal *p, struct hs_record *r, json_t *in)
{
    struct hs_sel sel = {0};
    struct hs_out o;
    json_t *j;
    obj_out_for_write(p, r->type, in, &sel, &o);
    j = obj_to_json(p, r, &o);
    hs_sel_release(&sel);
    return j;
}

static json_t *with_trace(json_t *rec, json_t *in)
{
    const char *trace = sync_json_str(in, "objectWriteTraceId");
    if (trace)
        json_object_set_new(rec, "objectWriteTraceId", json_string(trace));
    return rec;
}

void batch_h_read(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    int64_t started = sync_time_now_ms();
    json_t *inputs, *results, *missing, *in, *errors;
    struct hs_sel ps = {0}, hsel = {0};
    struct hs_out o;
    const char *id_prop;
    int archived;
    size_t i;

    if (t < 0 || !(inputs = inputs_of(c)))
        return;
    id_prop = sync_json_str(c->body, "idProperty");
    if (id_prop && *id_prop && strcmp(id_prop, "hs_object_id") != 0) {
        struct hs_prop *prop = props_find(c->p, t, id_prop);
        if (!prop || !prop->uniq) {
            hs_fail(c, 400, "VALIDATION_ERROR",
                    "Property %s is not a unique identifier property for %s", id_prop,
                    hs_types[t].name);
            return;
        }
    }
    archived = hs_query_bool(c, "archived", sync_json_bool(c->body, "archived", 0));
    memset(&o, 0, sizeof(o));
    hs_sel_add_json(c->p, t, &ps, json_object_get(c->body, "properties"));
    hs_sel_add_json(c->p, t, &hsel, json_object_get(c->body, "propertiesWithHistory"));
    if (ps.given && !json_array_size(json_object_get(c->body, "properties")))
        ps.given = 0;
    o.props = &ps;
    o.hist = &hsel;
    results = json_array();
    missing = json_array();
    json_array_foreach(inputs, i, in)
    {
        char buf[32];
        const char *id = hs_json_idstr(in, "id", buf);
        struct hs_record *r = id ? obj_lookup(c->p, t, id, id_prop, archived) : NULL;
        if (r)
            json_array_append_new(results, obj_to_json(c->p, r, &o));
        else
            json_array_append_new(missing, json_string(id ? id : ""));
    }
    errors = json_array();
    if (json_array_size(missing)) {
        char upper[32];
        size_t k;
        for (k = 0; hs_types[t].singular[k] && k + 1 < sizeof(upper); k++)
            upper[k] = (char)(hs_types[t].singular[k] - 32);
        upper[k] = '\0';
        json_t *e =
            hs_error_body("OBJECT_NOT_FOUND", NULL, NULL, json_pack("{s:O}", "ids", missing),
                          "Could not get some %s objects, they may be deleted or not "
                          "exist. Check that ids are valid.",
                          upper);
        json_object_del(e, "correlationId");
        json_array_append_new(errors, e);
    }
    json_decref(missing);
    hs_reply(c, json_array_size(errors) ? 207 : 200, batch_body(started, results, errors));
    hs_sel_release(&ps);
    hs_sel_release(&hsel);
}

/* The all-or-nothing pre-check of a create batch: NULL, or the error body (with *status) of
 * the first bad input. */
static json_t *precheck_create(struct hs_ctx *c, int t, json_t *inputs, int *status)
{
    struct hs_map seen;
    size_t i;
    json_t *in, *err = NULL;

    hs_map_init(&seen);
    json_array_foreach(inputs, i, in)
    {
        struct hs_write w = {0};
        err = props_check_write(c->p, t, json_object_get(in, "properties"), &w);
        if (err) {
            *status = 400;
            break;
        }
        for (size_t k = 0; k < w.n && !err; k++) {
            struct hs_prop *prop = w.v[k].prop;
            char key[600];
            struct hs_record *x;
            if (!prop->uniq || !w.v[k].value)
                continue;
            snprintf(key, sizeof(key), "%s=", prop->name);
            props_unique_key(w.v[k].value, key + strlen(key), sizeof(key) - strlen(key));
            x = obj_lookup(c->p, t, w.v[k].value, prop->name, 0);
            if (x) {
                err = obj_conflict_body(t, x, prop->name);
                *status = 409;
            } else if (hs_map_get(&seen, key)) {
                err = hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                                    "Duplicate IDs found in batch input: [%s]", w.v[k].value);
                *status = 400;
            } else {
                hs_map_put(&seen, key, in);
            }
        }
        hs_write_release(&w);
        if (err)
            break;
    }
    hs_map_release(&seen, NULL);
    return err;
}

void batch_h_create(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    int64_t started = sync_time_now_ms();
    json_t *inputs, *results, *errors, *in;
    size_t i;
    int status;

    if (t < 0 || !(inputs = inputs_of(c)))
        return;
    if (portal_locked(c->p, t, 0)) {
        hs_fail(c, 423, "LOCKED", "The resource is locked; retry in 2 seconds");
        return;
    }
    if (!any_trace(inputs)) {
        json_t *err = precheck_create(c, t, inputs, &status);
        if (err) {
            hs_reply(c, status, err);
            return;
        }
    }
    results = json_array();
    errors = json_array();
    json_array_foreach(inputs, i, in)
    {
        struct hs_record *r;
        json_t *err = obj_create_input(c->p, t, in, &c->src, &r, &status);
        if (err)
            json_array_append_new(errors, item_error(err, in));
        else
            json_array_append_new(results, with_trace(write_json(c->p, r, in), in));
    }
    hs_reply(c, json_array_size(errors) ? 207 : 201, batch_body(started, results, errors));
}

static int duplicate_ids(struct hs_ctx *c, json_t *inputs)
{
    struct hs_map seen;
    size_t i;
    json_t *in;
    int dup = 0;
    hs_map_init(&seen);
    json_array_foreach(inputs, i, in)
    {
        char buf[32];
        const char *id = hs_json_idstr(in, "id", buf);
        if (!id)
            continue;
        if (hs_map_get(&seen, id)) {
            hs_fail(c, 400, "VALIDATION_ERROR", "Duplicate IDs found in batch input: [%s]", id);
            dup = 1;
            break;
        }
        hs_map_put(&seen, id, in);
    }
    hs_map_release(&seen, NULL);
    return dup;
}

void batch_h_update(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    int64_t started = sync_time_now_ms();
    json_t *inputs, *results, *errors, *in, *missing;
    int traced;
    size_t i;

    if (t < 0 || !(inputs = inputs_of(c)))
        return;
    if (duplicate_ids(c, inputs))
        return;
    traced = any_trace(inputs);
    if (!traced) {
        json_array_foreach(inputs, i, in)
        {
            struct hs_write w = {0};
            json_t *err = props_check_write(c->p, t, json_object_get(in, "properties"), &w);
            hs_write_release(&w);
            if (err) {
                hs_reply(c, 400, err);
                return;
            }
        }
    }
    results = json_array();
    errors = json_array();
    missing = json_array();
    json_array_foreach(inputs, i, in)
    {
        char buf[32];
        const char *id = hs_json_idstr(in, "id", buf);
        const char *id_prop = sync_json_str(in, "idProperty");
        struct hs_record *r = id ? obj_lookup(c->p, t, id, id_prop, 0) : NULL;
        int status;
        json_t *err;
        if (!r) {
            if (traced)
                json_array_append_new(
                    errors, item_error(hs_error_body("OBJECT_NOT_FOUND", NULL, NULL,
                                                     json_pack("{s:[s]}", "ids", id ? id : ""),
                                                     "Object not found. objectId=%s", id ? id : ""),
                                       in));
            else
                json_array_append_new(missing, json_string(id ? id : ""));
            continue;
        }
        if (portal_locked(c->p, t, r->id)) {
            json_array_append_new(
                errors,
                item_error(hs_error_body("LOCKED", NULL, NULL, json_pack("{s:[s]}", "ids", id),
                                         "The resource is locked; retry in 2 seconds"),
                           in));
            continue;
        }
        err = obj_update_input(c->p, r, in, &c->src, &status);
        if (err)
            json_array_append_new(errors, item_error(err, in));
        else
            json_array_append_new(results, with_trace(write_json(c->p, r, in), in));
    }
    if (json_array_size(missing)) {
        json_t *e =
            hs_error_body("OBJECT_NOT_FOUND", NULL, NULL, json_pack("{s:O}", "ids", missing),
                          "Could not update some objects, they may be deleted or not "
                          "exist. Check that ids are valid.");
        json_object_del(e, "correlationId");
        json_array_append_new(errors, e);
    }
    json_decref(missing);
    hs_reply(c, json_array_size(errors) ? 207 : 200, batch_body(started, results, errors));
}

void batch_h_upsert(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    int64_t started = sync_time_now_ms();
    json_t *inputs, *results, *errors, *in;
    size_t i;

    if (t < 0 || !(inputs = inputs_of(c)))
        return;
    if (duplicate_ids(c, inputs))
        return;
    json_array_foreach(inputs, i, in)
    {
        const char *id_prop = sync_json_str(in, "idProperty");
        struct hs_write w = {0};
        json_t *err;
        if (id_prop && *id_prop && strcmp(id_prop, "hs_object_id") != 0) {
            struct hs_prop *prop = props_find(c->p, t, id_prop);
            if (!prop || !prop->uniq) {
                hs_fail(c, 400, "VALIDATION_ERROR",
                        "Property %s is not a unique identifier property for %s", id_prop,
                        hs_types[t].name);
                return;
            }
        }
        err = props_check_write(c->p, t, json_object_get(in, "properties"), &w);
        hs_write_release(&w);
        if (err && !any_trace(inputs)) {
            hs_reply(c, 400, err);
            return;
        }
        json_decref(err);
    }
    results = json_array();
    errors = json_array();
    json_array_foreach(inputs, i, in)
    {
        char buf[32];
        const char *id = hs_json_idstr(in, "id", buf);
        const char *id_prop = sync_json_str(in, "idProperty");
        int by_prop = id_prop && *id_prop && strcmp(id_prop, "hs_object_id") != 0;
        struct hs_record *r = id ? obj_lookup(c->p, t, id, id_prop, 0) : NULL;
        int status, created = 0;
        json_t *err, *rec;
        if (!id) {
            json_array_append_new(errors,
                                  item_error(hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                                                           "Invalid input JSON: id is required"),
                                             in));
            continue;
        }
        if (!r && !by_prop) {
            json_array_append_new(errors,
                                  item_error(hs_error_body("OBJECT_NOT_FOUND", NULL, NULL,
                                                           json_pack("{s:[s]}", "ids", id),
                                                           "Object not found. objectId=%s", id),
                                             in));
            continue;
        }
        if (r && portal_locked(c->p, t, r->id)) {
            json_array_append_new(
                errors,
                item_error(hs_error_body("LOCKED", NULL, NULL, json_pack("{s:[s]}", "ids", id),
                                         "The resource is locked; retry in 2 seconds"),
                           in));
            continue;
        }
        if (r) {
            err = obj_update_input(c->p, r, in, &c->src, &status);
        } else {
            json_t *copy = json_deep_copy(in);
            json_t *props = json_object_get(copy, "properties");
            if (!json_is_object(props)) {
                props = json_object();
                json_object_set_new(copy, "properties", props);
            }
            json_object_set_new(props, id_prop, json_string(id));
            err = obj_create_input(c->p, t, copy, &c->src, &r, &status);
            json_decref(copy);
            created = 1;
        }
        if (err) {
            json_array_append_new(errors, item_error(err, in));
            continue;
        }
        rec = with_trace(write_json(c->p, r, in), in);
        if (by_prop) {
            const char *v = hs_record_get(r, props_find(c->p, t, id_prop));
            json_object_set_new(json_object_get(rec, "properties"), id_prop,
                                v ? json_string(v) : json_null());
        }
        json_object_set_new(rec, "new", json_boolean(created));
        json_array_append_new(results, rec);
    }
    hs_reply(c, json_array_size(errors) ? 207 : 200, batch_body(started, results, errors));
}

void batch_h_archive(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    json_t *inputs, *in;
    size_t i;
    if (t < 0 || !(inputs = inputs_of(c)))
        return;
    json_array_foreach(inputs, i, in)
    {
        char buf[32];
        const char *id = hs_json_idstr(in, "id", buf);
        struct hs_record *r = id ? obj_lookup(c->p, t, id, NULL, 0) : NULL;
        if (r && portal_locked(c->p, t, r->id)) {
            hs_fail(c, 423, "LOCKED", "The resource is locked; retry in 2 seconds");
            return;
        }
        if (r)
            obj_archive(c->p, r, &c->src);
    }
    hs_reply(c, 204, NULL);
}
