/*
 * batch.c: POST /crm/v3/objects/{objectType}/batch/{read,create,update,
 * upsert,archive}. At most 100 inputs; the BatchResponse shape with
 * status, results, startedAt/completedAt and, on partial failure, 207 with
 * numErrors and per-input errors. Without objectWriteTraceIds a bad input
 * fails the whole create or update (nothing is written); with them each
 * input stands alone and its error carries context.objectWriteTraceId.
 *
 * Every input is checked once, before anything is written (obj_check_*),
 * and the answer is rendered as text (render.c). Built on the record
 * functions of objects.c; runs under the portal lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

/* An input after its checks: the validated write, or the 400 it earned. */
struct prepared {
    struct hs_write w;
    json_t *err;
};

static void prepared_release(struct prepared *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hs_write_release(&v[i].w);
        json_decref(v[i].err);
        v[i].err = NULL;
    }
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

/* An item error of category about the id of an input. */
static json_t *id_error(const char *category, const char *id, json_t *in, const char *msg)
{
    return item_error(
        hs_error_body(category, NULL, NULL, json_pack("{s:[s]}", "ids", id), "%s", msg), in);
}

/* The one error naming every id a read or an update did not find (steals missing). */
static json_t *not_found_error(json_t *missing, const char *msg)
{
    json_t *e = hs_error_body("OBJECT_NOT_FOUND", NULL, NULL, json_pack("{s:o}", "ids", missing),
                              "%s", msg);
    json_object_del(e, "correlationId");
    return e;
}

/* Renders r as written by input in (the defaults, what it wrote, and also_prop when given),
 * with the input's objectWriteTraceId, leaving the object open. */
static void render_written(struct sync_buf *b, struct hs_portal *p, const struct hs_record *r,
                           json_t *in, struct hs_sel *sel, const char *also_prop)
{
    const char *trace = sync_json_str(in, "objectWriteTraceId");
    struct hs_out o;
    obj_out_for_write(p, r->type, in, sel, &o);
    if (also_prop)
        hs_sel_add_csv(p, r->type, sel, also_prop);
    render_record_open(b, p, r, &o);
    if (trace) {
        render_key(b, "objectWriteTraceId");
        render_str(b, trace);
    }
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

/* ---- read ---- */

static void read_selection(struct hs_ctx *c, int t, struct hs_sel *ps, struct hs_sel *hsel,
                           struct hs_out *o)
{
    memset(o, 0, sizeof(*o));
    hs_sel_add_json(c->p, t, ps, json_object_get(c->body, "properties"));
    hs_sel_add_json(c->p, t, hsel, json_object_get(c->body, "propertiesWithHistory"));
    if (ps->given && !json_array_size(json_object_get(c->body, "properties")))
        ps->given = 0;
    o->props = ps;
    o->hist = hsel;
}

void batch_h_read(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    int64_t started = sync_time_now_ms();
    struct hs_sel ps = {0}, hsel = {0};
    struct hs_out o;
    struct sync_buf b = SYNC_BUF_INIT(0);
    json_t *inputs, *missing, *in, *errors;
    const char *id_prop;
    char msg[160], upper[32];
    int archived, status;
    size_t i, k;

    if (t < 0 || !(inputs = hs_inputs(c, HS_BATCH_MAX)))
        return;
    id_prop = sync_json_str(c->body, "idProperty");
    if (!obj_id_prop_ok(c, t, id_prop))
        return;
    archived = hs_query_bool(c, "archived", sync_json_bool(c->body, "archived", 0));
    read_selection(c, t, &ps, &hsel, &o);
    errors = json_array();
    missing = json_array();
    render_batch_open(&b);
    json_array_foreach(inputs, i, in)
    {
        char buf[32];
        const char *id = hs_json_idstr(in, "id", buf);
        struct hs_record *r = id ? obj_lookup(c->p, t, id, id_prop, archived) : NULL;
        if (r)
            render_record(&b, c->p, r, &o);
        else
            json_array_append_new(missing, json_string(id ? id : ""));
    }
    for (k = 0; hs_types[t].singular[k] && k + 1 < sizeof(upper); k++)
        upper[k] = (char)(hs_types[t].singular[k] - 32);
    upper[k] = '\0';
    snprintf(msg, sizeof(msg),
             "Could not get some %s objects, they may be deleted or not exist. Check that ids "
             "are valid.",
             upper);
    if (json_array_size(missing))
        json_array_append_new(errors, not_found_error(missing, msg));
    else
        json_decref(missing);
    status = json_array_size(errors) ? 207 : 200;
    render_batch_close(&b, started, errors);
    hs_reply_text(c, status, &b);
    hs_sel_release(&ps);
    hs_sel_release(&hsel);
}

/* ---- create ---- */

/* The unique values of w: one an existing record holds is a 409; one an earlier input of the
 * batch (in seen, keyed "<property>=<normalised value>") has is a 400. */
static json_t *unique_check(int t, const struct hs_write *w, struct hs_map *seen, int *status)
{
    for (size_t k = 0; k < w->n; k++) {
        struct hs_prop *prop = w->v[k].prop;
        struct hs_record *x;
        char norm[HS_UNIQUE_KEY_MAX], key[1024];
        if (!prop->uniq || !w->v[k].value)
            continue;
        props_unique_key(w->v[k].value, norm, sizeof(norm)); /* as the index has it */
        snprintf(key, sizeof(key), "%s=%s", prop->name, norm);
        x = hs_map_get(prop->uniq, norm);
        if (x) {
            *status = 409;
            return obj_conflict_body(t, x, prop->name);
        }
        if (hs_map_get(seen, key)) {
            *status = 400;
            return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                                 "Duplicate IDs found in batch input: [%s]", w->v[k].value);
        }
        hs_map_put(seen, key, (void *)w);
    }
    return NULL;
}

/* All or nothing: the error of the first input that cannot be written, in input order. */
static json_t *first_error(int t, struct prepared *v, size_t n, int *status)
{
    struct hs_map seen;
    json_t *err = NULL;
    hs_map_init(&seen);
    for (size_t i = 0; i < n && !err; i++) {
        *status = 400;
        err = v[i].err ? json_incref(v[i].err) : unique_check(t, &v[i].w, &seen, status);
    }
    hs_map_release(&seen, NULL);
    return err;
}

void batch_h_create(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    int64_t started = sync_time_now_ms();
    struct prepared v[HS_BATCH_MAX];
    struct sync_buf b = SYNC_BUF_INIT(0);
    struct hs_sel sel = {0};
    json_t *inputs, *errors, *in;
    size_t i, n;
    int status;

    if (t < 0 || !(inputs = hs_inputs(c, HS_BATCH_MAX)))
        return;
    if (portal_locked(c->p, t, 0)) {
        hs_fail(c, 423, "LOCKED", HS_LOCKED_MSG);
        return;
    }
    n = json_array_size(inputs);
    json_array_foreach(inputs, i, in) v[i].err = obj_check_create(c->p, t, in, &v[i].w);
    if (!any_trace(inputs)) {
        json_t *err = first_error(t, v, n, &status);
        if (err) {
            prepared_release(v, n);
            hs_reply(c, status, err);
            return;
        }
    }
    errors = json_array();
    render_batch_open(&b);
    json_array_foreach(inputs, i, in)
    {
        struct hs_record *r;
        json_t *err = v[i].err;
        v[i].err = NULL;
        if (!err)
            err = obj_create_checked(c->p, t, &v[i].w, in, &c->src, &r, &status);
        if (err) {
            json_array_append_new(errors, item_error(err, in));
            continue;
        }
        render_written(&b, c->p, r, in, &sel, NULL);
        sync_buf_addch(&b, '}');
    }
    status = json_array_size(errors) ? 207 : 201;
    render_batch_close(&b, started, errors);
    hs_reply_text(c, status, &b);
    prepared_release(v, n);
    hs_sel_release(&sel);
}

/* ---- update ---- */

/* Applies one checked update input; NULL or the item error. */
static json_t *update_one(struct hs_ctx *c, int t, json_t *in, struct prepared *pr, int traced,
                          json_t *missing, struct hs_record **out)
{
    char buf[32];
    const char *id = hs_json_idstr(in, "id", buf);
    struct hs_record *r = id ? obj_lookup(c->p, t, id, sync_json_str(in, "idProperty"), 0) : NULL;
    json_t *err;
    int status;

    *out = NULL;
    if (!r && traced) {
        char msg[80];
        snprintf(msg, sizeof(msg), "Object not found. objectId=%s", id ? id : "");
        return id_error("OBJECT_NOT_FOUND", id ? id : "", in, msg);
    }
    if (!r) {
        json_array_append_new(missing, json_string(id ? id : ""));
        return NULL;
    }
    if (portal_locked(c->p, t, r->id))
        return id_error("LOCKED", id, in, HS_LOCKED_MSG);
    err = pr->err;
    pr->err = NULL;
    if (!err)
        err = obj_update_checked(c->p, r, &pr->w, &c->src, &status);
    if (err)
        return item_error(err, in);
    *out = r;
    return NULL;
}

void batch_h_update(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    int64_t started = sync_time_now_ms();
    struct prepared v[HS_BATCH_MAX];
    struct sync_buf b = SYNC_BUF_INIT(0);
    struct hs_sel sel = {0};
    json_t *inputs, *errors, *in, *missing;
    int traced, status;
    size_t i, n;

    if (t < 0 || !(inputs = hs_inputs(c, HS_BATCH_MAX)) || duplicate_ids(c, inputs))
        return;
    traced = any_trace(inputs);
    n = json_array_size(inputs);
    json_array_foreach(inputs, i, in) v[i].err = obj_check_props(c->p, t, in, &v[i].w);
    for (i = 0; i < n && !traced; i++) {
        if (v[i].err) {
            hs_reply(c, 400, json_incref(v[i].err));
            prepared_release(v, n);
            return;
        }
    }
    errors = json_array();
    missing = json_array();
    render_batch_open(&b);
    json_array_foreach(inputs, i, in)
    {
        struct hs_record *r;
        json_t *err = update_one(c, t, in, &v[i], traced, missing, &r);
        if (err)
            json_array_append_new(errors, err);
        if (!r)
            continue;
        render_written(&b, c->p, r, in, &sel, NULL);
        sync_buf_addch(&b, '}');
    }
    if (json_array_size(missing))
        json_array_append_new(errors,
                              not_found_error(missing, "Could not update some objects, they may "
                                                       "be deleted or not exist. Check that ids "
                                                       "are valid."));
    else
        json_decref(missing);
    status = json_array_size(errors) ? 207 : 200;
    render_batch_close(&b, started, errors);
    hs_reply_text(c, status, &b);
    prepared_release(v, n);
    hs_sel_release(&sel);
}

/* ---- upsert ---- */

/* new: the create input of an upsert that finds nothing: the input with id_prop = id among
 * its properties (a new object holding the input's members, not a copy of them). */
static json_t *upsert_input(json_t *in, const char *id_prop, const char *id)
{
    json_t *props = json_object(), *given = json_object_get(in, "properties");
    json_t *input = json_pack("{s:o}", "properties", props);
    json_t *assocs = json_object_get(in, "associations");
    if (json_is_object(given))
        json_object_update(props, given);
    json_object_set_new(props, id_prop, json_string(id));
    if (assocs)
        json_object_set(input, "associations", assocs);
    return input;
}

/* Creates the record an upsert did not find. */
static json_t *upsert_create(struct hs_ctx *c, int t, json_t *in, const char *id_prop,
                             const char *id, struct hs_record **r, int *status)
{
    json_t *input = upsert_input(in, id_prop, id);
    json_t *err = obj_create_input(c->p, t, input, &c->src, r, status);
    json_decref(input);
    return err;
}

/* The error creating the record an upsert input finds nothing for would meet (a missing
 * hs_timestamp or ticket stage, a bad association), or NULL. */
static json_t *upsert_create_error(struct hs_ctx *c, int t, json_t *in)
{
    char buf[32];
    const char *id = hs_json_idstr(in, "id", buf);
    const char *id_prop = sync_json_str(in, "idProperty");
    struct hs_write w;
    json_t *input, *err;
    if (!id || !id_prop || !*id_prop || strcmp(id_prop, "hs_object_id") == 0 ||
        obj_lookup(c->p, t, id, id_prop, 0))
        return NULL;
    input = upsert_input(in, id_prop, id);
    err = obj_check_create(c->p, t, input, &w);
    if (!err)
        hs_write_release(&w);
    json_decref(input);
    return err;
}

/* Updates or creates the record of one upsert input; NULL or the item error. */
static json_t *upsert_one(struct hs_ctx *c, int t, json_t *in, struct prepared *pr,
                          struct hs_record **out, int *created)
{
    char buf[32];
    const char *id = hs_json_idstr(in, "id", buf);
    const char *id_prop = sync_json_str(in, "idProperty");
    int by_prop = id_prop && *id_prop && strcmp(id_prop, "hs_object_id") != 0;
    struct hs_record *r = id ? obj_lookup(c->p, t, id, id_prop, 0) : NULL;
    json_t *err;
    int status;

    *out = NULL;
    *created = !r;
    if (!id)
        return item_error(hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                                        "Invalid input JSON: id is required"),
                          in);
    if (!r && !by_prop) {
        char msg[80];
        snprintf(msg, sizeof(msg), "Object not found. objectId=%s", id);
        return id_error("OBJECT_NOT_FOUND", id, in, msg);
    }
    if (r && portal_locked(c->p, t, r->id))
        return id_error("LOCKED", id, in, HS_LOCKED_MSG);
    err = pr->err;
    pr->err = NULL;
    if (!err && r)
        err = obj_update_checked(c->p, r, &pr->w, &c->src, &status);
    else if (!err)
        err = upsert_create(c, t, in, id_prop, id, &r, &status);
    if (err)
        return item_error(err, in);
    *out = r;
    return NULL;
}

/* Checks every upsert input: a bad idProperty fails the call; so does a bad input without
 * trace ids, or one whose record would be created but cannot be. 0, or -1 after failing c. */
static int upsert_check(struct hs_ctx *c, int t, json_t *inputs, struct prepared *v)
{
    int traced = any_trace(inputs);
    size_t i;
    json_t *in;
    memset(v, 0, json_array_size(inputs) * sizeof(*v));
    json_array_foreach(inputs, i, in)
    {
        if (!obj_id_prop_ok(c, t, sync_json_str(in, "idProperty")))
            return -1;
        v[i].err = obj_check_props(c->p, t, in, &v[i].w);
        if (v[i].err && !traced) {
            hs_reply(c, 400, json_incref(v[i].err));
            return -1;
        }
        if (!v[i].err && !traced) {
            json_t *err = upsert_create_error(c, t, in);
            if (err) {
                hs_reply(c, 400, err);
                return -1;
            }
        }
    }
    return 0;
}

void batch_h_upsert(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    int64_t started = sync_time_now_ms();
    struct prepared v[HS_BATCH_MAX];
    struct sync_buf b = SYNC_BUF_INIT(0);
    struct hs_sel sel = {0};
    json_t *inputs, *errors, *in;
    size_t i, n;
    int status;

    if (t < 0 || !(inputs = hs_inputs(c, HS_BATCH_MAX)) || duplicate_ids(c, inputs))
        return;
    n = json_array_size(inputs);
    if (upsert_check(c, t, inputs, v)) {
        prepared_release(v, n);
        return;
    }
    errors = json_array();
    render_batch_open(&b);
    json_array_foreach(inputs, i, in)
    {
        const char *id_prop = sync_json_str(in, "idProperty");
        int by_prop = id_prop && *id_prop && strcmp(id_prop, "hs_object_id") != 0;
        struct hs_record *r;
        int created;
        json_t *err = upsert_one(c, t, in, &v[i], &r, &created);
        if (err) {
            json_array_append_new(errors, err);
            continue;
        }
        render_written(&b, c->p, r, in, &sel, by_prop ? id_prop : NULL);
        sync_buf_addstr(&b, created ? ",\"new\":true}" : ",\"new\":false}");
    }
    status = json_array_size(errors) ? 207 : 200;
    render_batch_close(&b, started, errors);
    hs_reply_text(c, status, &b);
    prepared_release(v, n);
    hs_sel_release(&sel);
}

/* ---- archive ---- */

void batch_h_archive(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    json_t *inputs, *in;
    size_t i;
    if (t < 0 || !(inputs = hs_inputs(c, HS_BATCH_MAX)))
        return;
    json_array_foreach(inputs, i, in)
    {
        char buf[32];
        const char *id = hs_json_idstr(in, "id", buf);
        struct hs_record *r = id ? obj_lookup(c->p, t, id, NULL, 0) : NULL;
        if (r && portal_locked(c->p, t, r->id)) {
            hs_fail(c, 423, "LOCKED", HS_LOCKED_MSG);
            return;
        }
        if (r)
            obj_archive(c->p, r, &c->src);
    }
    hs_reply(c, 204, NULL);
}
