/*
 * pipelines.c: deal and ticket pipelines and their stages. A fresh portal
 * has the default deal pipeline ("default", seven stages with
 * probabilities) and the default ticket pipeline ("0", stages 1-4). Holds
 * the /crm/v3/pipelines API (CRUD of pipelines and stages) and the checks
 * that keep a deal's dealstage inside its pipeline (and a ticket's
 * hs_pipeline_stage inside hs_pipeline), filling the defaults on create.
 *
 * Pipelines are kept as JSON arrays in the portal (p->pipelines[type]);
 * callers hold the portal lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

static json_t *stage(const char *id, const char *label, int order, json_t *meta, const char *iso)
{
    return json_pack("{s:s, s:s, s:i, s:o, s:s, s:s, s:b, s:s}", "id", id, "label", label,
                     "displayOrder", order, "metadata", meta, "createdAt", iso, "updatedAt", iso,
                     "archived", 0, "writePermissions", "CRM_PERMISSIONS_ENFORCEMENT");
}

static json_t *deal_meta(const char *prob, int closed)
{
    return json_pack("{s:s, s:s}", "probability", prob, "isClosed", closed ? "true" : "false");
}

void pipes_init(struct hs_portal *p)
{
    char iso[SYNC_TIME_ISO_MAX];
    json_t *stages, *pl;
    sync_time_format_iso(0, iso, sizeof(iso));
    for (int t = 0; t < HS_NTYPES; t++)
        p->pipelines[t] = NULL;

    stages = json_array();
    json_array_append_new(stages, stage("appointmentscheduled", "Appointment Scheduled", 0,
                                        deal_meta("0.2", 0), iso));
    json_array_append_new(stages,
                          stage("qualifiedtobuy", "Qualified To Buy", 1, deal_meta("0.4", 0), iso));
    json_array_append_new(stages, stage("presentationscheduled", "Presentation Scheduled", 2,
                                        deal_meta("0.6", 0), iso));
    json_array_append_new(stages, stage("decisionmakerboughtin", "Decision Maker Bought-In", 3,
                                        deal_meta("0.8", 0), iso));
    json_array_append_new(stages,
                          stage("contractsent", "Contract Sent", 4, deal_meta("0.9", 0), iso));
    json_array_append_new(stages, stage("closedwon", "Closed Won", 5, deal_meta("1.0", 1), iso));
    json_array_append_new(stages, stage("closedlost", "Closed Lost", 6, deal_meta("0.0", 1), iso));
    pl = json_pack("{s:s, s:s, s:i, s:o, s:s, s:s, s:b}", "id", "default", "label",
                   "Sales Pipeline", "displayOrder", 0, "stages", stages, "createdAt", iso,
                   "updatedAt", iso, "archived", 0);
    p->pipelines[HS_DEALS] = json_array();
    json_array_append_new(p->pipelines[HS_DEALS], pl);

    stages = json_array();
    json_array_append_new(stages,
                          stage("1", "New", 0, json_pack("{s:s}", "ticketState", "OPEN"), iso));
    json_array_append_new(stages, stage("2", "Waiting on contact", 1,
                                        json_pack("{s:s}", "ticketState", "OPEN"), iso));
    json_array_append_new(
        stages, stage("3", "Waiting on us", 2, json_pack("{s:s}", "ticketState", "OPEN"), iso));
    json_array_append_new(
        stages, stage("4", "Closed", 3, json_pack("{s:s}", "ticketState", "CLOSED"), iso));
    pl = json_pack("{s:s, s:s, s:i, s:o, s:s, s:s, s:b}", "id", "0", "label", "Support Pipeline",
                   "displayOrder", 0, "stages", stages, "createdAt", iso, "updatedAt", iso,
                   "archived", 0);
    p->pipelines[HS_TICKETS] = json_array();
    json_array_append_new(p->pipelines[HS_TICKETS], pl);
}

void pipes_release(struct hs_portal *p)
{
    for (int t = 0; t < HS_NTYPES; t++) {
        json_decref(p->pipelines[t]);
        p->pipelines[t] = NULL;
    }
}

static json_t *find_in(json_t *arr, const char *id, size_t *idx)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *x = sync_json_str(v, "id");
        if (x && strcmp(x, id) == 0 && !json_is_true(json_object_get(v, "archived"))) {
            if (idx)
                *idx = i;
            return v;
        }
    }
    return NULL;
}

static const char *prop_pipeline(enum hs_type t)
{
    return t == HS_DEALS ? "pipeline" : "hs_pipeline";
}

static const char *prop_stage(enum hs_type t)
{
    return t == HS_DEALS ? "dealstage" : "hs_pipeline_stage";
}

static int write_has(const struct hs_write *w, const char *name, const char **value)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->v[i].prop->name, name) == 0) {
            *value = w->v[i].value;
            return 1;
        }
    return 0;
}

static void write_add(struct hs_portal *p, enum hs_type t, struct hs_write *w, const char *name,
                      const char *value)
{
    struct hs_pval *v = realloc(w->v, (w->n + 1) * sizeof(*v));
    struct hs_prop *prop = props_find(p, t, name);
    if (!v)
        return;
    w->v = v;
    if (!prop)
        return;
    w->v[w->n].prop = prop;
    w->v[w->n].value = strdup(value);
    w->n++;
}

void pipes_fill_defaults(struct hs_portal *p, enum hs_type t, struct hs_write *w)
{
    const char *pipe = NULL, *st = NULL;
    json_t *pl;
    if (t != HS_DEALS && t != HS_TICKETS)
        return;
    if (!write_has(w, prop_pipeline(t), &pipe) || !pipe) {
        pipe = t == HS_DEALS ? "default" : "0";
        write_add(p, t, w, prop_pipeline(t), pipe);
    }
    if (!write_has(w, prop_stage(t), &st) || !st) {
        pl = find_in(p->pipelines[t], pipe, NULL);
        if (pl) {
            json_t *s0 = json_array_get(json_object_get(pl, "stages"), 0);
            if (s0)
                write_add(p, t, w, prop_stage(t), sync_json_str(s0, "id"));
        }
    }
}

static json_t *option_error(const char *name, const char *value, json_t *stages)
{
    char msg[1024];
    size_t i;
    json_t *s;
    struct sync_buf b = SYNC_BUF_INIT(1 << 16);
    json_t *legacy;
    snprintf(msg, sizeof(msg), "%s was not one of the allowed options: [", value);
    json_array_foreach(stages, i, s)
    {
        size_t l = strlen(msg);
        snprintf(msg + l, sizeof(msg) - l, "%s%s", i ? ", " : "", sync_json_str(s, "id"));
    }
    snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "]");
    legacy = json_pack("[{s:b, s:s, s:s, s:s, s:s}]", "isValid", 0, "message", msg, "error",
                       "INVALID_OPTION", "name", name, "localizedErrorMessage", msg);
    sync_json_dump(legacy, &b);
    json_decref(legacy);
    {
        json_t *body =
            hs_error_body("VALIDATION_ERROR", NULL,
                          json_pack("[{s:s, s:s, s:s, s:{s:[s]}}]", "message", msg, "code",
                                    "INVALID_OPTION", "in", name, "context", "propertyName", name),
                          NULL, "Property values were not valid: %s", sync_buf_str(&b));
        sync_buf_release(&b);
        return body;
    }
}

json_t *pipes_check(struct hs_portal *p, enum hs_type t, const struct hs_record *r,
                    const struct hs_write *w)
{
    const char *pipe = NULL, *st = NULL;
    int has_pipe = write_has(w, prop_pipeline(t), &pipe);
    int has_stage = write_has(w, prop_stage(t), &st);
    json_t *pl;
    if (t != HS_DEALS && t != HS_TICKETS)
        return NULL;
    if (!has_pipe && !has_stage)
        return NULL;
    if (!has_pipe && r)
        pipe = hs_record_get(r, props_find(p, t, prop_pipeline(t)));
    if (!has_stage && r)
        st = hs_record_get(r, props_find(p, t, prop_stage(t)));
    if (!pipe) {
        if (st)
            pipe = t == HS_DEALS ? "default" : "0";
        else
            return NULL;
    }
    pl = find_in(p->pipelines[t], pipe, NULL);
    if (!pl) {
        json_t *ids = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(p->pipelines[t], i, v) json_array_append(ids, v);
        {
            json_t *e = option_error(prop_pipeline(t), pipe, ids);
            json_decref(ids);
            return e;
        }
    }
    if (st && !find_in(json_object_get(pl, "stages"), st, NULL))
        return option_error(prop_stage(t), st, json_object_get(pl, "stages"));
    return NULL;
}

/* ---- the API ---- */

static int pipe_type(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    if (t < 0)
        return -1;
    if (t != HS_DEALS && t != HS_TICKETS) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Object type %s does not support pipelines",
                hs_types[t].name);
        return -1;
    }
    return t;
}

static json_t *pipe_of(struct hs_ctx *c, int t)
{
    json_t *pl = find_in(c->p->pipelines[t], c->params[1], NULL);
    if (!pl)
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Unable to find pipeline %s", c->params[1]);
    return pl;
}

static json_t *live_only(json_t *arr)
{
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_true(json_object_get(v, "archived")))
            json_array_append(out, v);
    }
    return out;
}

void pipe_h_list(struct hs_ctx *c)
{
    int t = pipe_type(c);
    if (t < 0)
        return;
    hs_reply(c, 200, json_pack("{s:o}", "results", live_only(c->p->pipelines[t])));
}

void pipe_h_get(struct hs_ctx *c)
{
    int t = pipe_type(c);
    json_t *pl;
    if (t < 0 || !(pl = pipe_of(c, t)))
        return;
    hs_reply(c, 200, json_deep_copy(pl));
}

/* Builds a stage from input; NULL with c failed when invalid. */
static json_t *stage_from(struct hs_ctx *c, int t, json_t *in, int order)
{
    const char *label = sync_json_str(in, "label");
    json_t *meta = json_object_get(in, "metadata");
    char id[32], iso[SYNC_TIME_ISO_MAX];
    json_t *m;
    if (!label) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: stage label is required");
        return NULL;
    }
    if (t == HS_DEALS) {
        json_t *pv = json_object_get(meta, "probability");
        double prob = -1;
        char *end = NULL;
        if (json_is_string(pv)) {
            prob = strtod(json_string_value(pv), &end);
            if (*end || end == json_string_value(pv))
                prob = -1;
        } else if (json_is_number(pv)) {
            prob = json_number_value(pv);
        }
        if (prob < 0 || prob > 1) {
            hs_fail(c, 400, "VALIDATION_ERROR",
                    "Deal stages require metadata.probability, a number from 0.0 to 1.0");
            return NULL;
        }
    }
    m = json_object();
    if (json_is_object(meta)) {
        const char *k;
        json_t *v;
        json_object_foreach(meta, k, v)
        {
            if (json_is_string(v))
                json_object_set(m, k, v);
            else if (json_is_number(v)) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%g", json_number_value(v));
                json_object_set_new(m, k, json_string(buf));
            } else if (json_is_boolean(v))
                json_object_set_new(m, k, json_string(json_is_true(v) ? "true" : "false"));
        }
    }
    if (t == HS_DEALS && !json_object_get(m, "isClosed"))
        json_object_set_new(m, "isClosed", json_string("false"));
    snprintf(id, sizeof(id), "%llu", (unsigned long long)portal_next_id(c->p));
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    return stage(id, label, (int)sync_json_int(in, "displayOrder", order), m, iso);
}

void pipe_h_create(struct hs_ctx *c)
{
    int t = pipe_type(c);
    const char *label = sync_json_str(c->body, "label");
    json_t *stages = json_object_get(c->body, "stages"), *out, *in;
    char id[32], iso[SYNC_TIME_ISO_MAX];
    size_t i;
    if (t < 0)
        return;
    if (!label || !json_is_array(stages)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: label and stages are required");
        return;
    }
    out = json_array();
    json_array_foreach(stages, i, in)
    {
        json_t *s = stage_from(c, t, in, (int)i);
        if (!s) {
            json_decref(out);
            return;
        }
        json_array_append_new(out, s);
    }
    snprintf(id, sizeof(id), "%llu", (unsigned long long)portal_next_id(c->p));
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    in = json_pack("{s:s, s:s, s:I, s:o, s:s, s:s, s:b}", "id", id, "label", label, "displayOrder",
                   (json_int_t)sync_json_int(c->body, "displayOrder", 0), "stages", out,
                   "createdAt", iso, "updatedAt", iso, "archived", 0);
    json_array_append(c->p->pipelines[t], in);
    persist_mark(c->p);
    hs_reply(c, 201, in);
}

void pipe_h_update(struct hs_ctx *c)
{
    int t = pipe_type(c);
    json_t *pl, *v;
    char iso[SYNC_TIME_ISO_MAX];
    if (t < 0 || !(pl = pipe_of(c, t)))
        return;
    if ((v = json_object_get(c->body, "label")) && json_is_string(v))
        json_object_set(pl, "label", v);
    if ((v = json_object_get(c->body, "displayOrder")) && json_is_integer(v))
        json_object_set(pl, "displayOrder", v);
    if ((v = json_object_get(c->body, "stages")) && json_is_array(v)) {
        json_t *out = json_array(), *in;
        size_t i;
        json_array_foreach(v, i, in)
        {
            json_t *s = stage_from(c, t, in, (int)i);
            if (!s) {
                json_decref(out);
                return;
            }
            json_array_append_new(out, s);
        }
        json_object_set_new(pl, "stages", out);
    }
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    json_object_set_new(pl, "updatedAt", json_string(iso));
    persist_mark(c->p);
    hs_reply(c, 200, json_deep_copy(pl));
}

void pipe_h_delete(struct hs_ctx *c)
{
    int t = pipe_type(c);
    size_t idx;
    if (t < 0)
        return;
    if (!find_in(c->p->pipelines[t], c->params[1], &idx)) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Unable to find pipeline %s", c->params[1]);
        return;
    }
    json_array_remove(c->p->pipelines[t], idx);
    persist_mark(c->p);
    hs_reply(c, 204, NULL);
}

void pipe_h_stages(struct hs_ctx *c)
{
    int t = pipe_type(c);
    json_t *pl;
    if (t < 0 || !(pl = pipe_of(c, t)))
        return;
    hs_reply(c, 200, json_pack("{s:o}", "results", live_only(json_object_get(pl, "stages"))));
}

static json_t *stage_of(struct hs_ctx *c, json_t *pl, size_t *idx)
{
    json_t *s = find_in(json_object_get(pl, "stages"), c->params[2], idx);
    if (!s)
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Unable to find stage %s in pipeline %s", c->params[2],
                c->params[1]);
    return s;
}

void pipe_h_stage_get(struct hs_ctx *c)
{
    int t = pipe_type(c);
    json_t *pl, *s;
    if (t < 0 || !(pl = pipe_of(c, t)) || !(s = stage_of(c, pl, NULL)))
        return;
    hs_reply(c, 200, json_deep_copy(s));
}

void pipe_h_stage_create(struct hs_ctx *c)
{
    int t = pipe_type(c);
    json_t *pl, *s;
    if (t < 0 || !(pl = pipe_of(c, t)))
        return;
    s = stage_from(c, t, c->body, (int)json_array_size(json_object_get(pl, "stages")));
    if (!s)
        return;
    json_array_append(json_object_get(pl, "stages"), s);
    persist_mark(c->p);
    hs_reply(c, 201, s);
}

void pipe_h_stage_update(struct hs_ctx *c)
{
    int t = pipe_type(c);
    json_t *pl, *s, *v;
    char iso[SYNC_TIME_ISO_MAX];
    if (t < 0 || !(pl = pipe_of(c, t)) || !(s = stage_of(c, pl, NULL)))
        return;
    if ((v = json_object_get(c->body, "label")) && json_is_string(v))
        json_object_set(s, "label", v);
    if ((v = json_object_get(c->body, "displayOrder")) && json_is_integer(v))
        json_object_set(s, "displayOrder", v);
    if ((v = json_object_get(c->body, "metadata")) && json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (json_is_string(x))
                json_object_set(json_object_get(s, "metadata"), k, x);
        }
    }
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    json_object_set_new(s, "updatedAt", json_string(iso));
    persist_mark(c->p);
    hs_reply(c, 200, json_deep_copy(s));
}

void pipe_h_stage_delete(struct hs_ctx *c)
{
    int t = pipe_type(c);
    json_t *pl;
    size_t idx;
    if (t < 0 || !(pl = pipe_of(c, t)) || !stage_of(c, pl, &idx))
        return;
    json_array_remove(json_object_get(pl, "stages"), idx);
    persist_mark(c->p);
    hs_reply(c, 204, NULL);
}
