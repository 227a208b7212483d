/*
 * hubspot_assoc.c: HubSpot associations and deal pipelines for the
 * HubSpot connector (members of sync_hubspot_ops in hubspot.c; connector.c
 * chunks the calls). Associations go through the v4 batch API: read
 * (one call per chunk of records, every target with its association
 * types), create (a company target gets HubSpot's "primary" type, which
 * also carries the unlabeled default) and archive. Pipelines come from
 * /crm/v3/pipelines/deals as neutral stage rows (see
 * sync_conn_list_stages).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/connector_int.h"
#include "connectors/hubspot.h"
#include "core/json.h"
#include "core/url.h"

/* HubSpot-defined association types crmsync uses: unlabeled and primary, per direction. */
static const struct {
    const char *from, *to;
    int unlabeled, primary;
} assoc_types[] = {
    {"contacts", "companies", 279, 1},
    {"companies", "contacts", 280, 2},
    {"deals", "companies", 341, 5},
    {"companies", "deals", 342, 6},
    {"deals", "contacts", 3, 0},
    {"contacts", "deals", 4, 0},
    {"tickets", "companies", 339, 26},
    {"companies", "tickets", 340, 25},
    {"tickets", "contacts", 16, 0},
    {"contacts", "tickets", 15, 0},
    /* the activities, toward the records they are about */
    {"tasks", "contacts", 204, 0},
    {"tasks", "companies", 192, 0},
    {"tasks", "deals", 216, 0},
    {"tasks", "tickets", 230, 0},
    {"notes", "contacts", 202, 0},
    {"notes", "companies", 190, 0},
    {"notes", "deals", 214, 0},
    {"notes", "tickets", 228, 0},
    {"calls", "contacts", 194, 0},
    {"calls", "companies", 182, 0},
    {"calls", "deals", 206, 0},
    {"calls", "tickets", 220, 0},
    {"emails", "contacts", 198, 0},
    {"emails", "companies", 186, 0},
    {"emails", "deals", 210, 0},
    {"emails", "tickets", 224, 0},
    {"meetings", "contacts", 200, 0},
    {"meetings", "companies", 188, 0},
    {"meetings", "deals", 212, 0},
    {"meetings", "tickets", 226, 0},
};

int sync_hs_assoc_primary_type(const char *from_object, const char *to_object)
{
    for (size_t i = 0; i < sizeof(assoc_types) / sizeof(assoc_types[0]); i++)
        if (strcmp(assoc_types[i].from, from_object) == 0 &&
            strcmp(assoc_types[i].to, to_object) == 0)
            return assoc_types[i].primary;
    return 0;
}

int sync_hs_assoc_type(const char *from_object, const char *to_object)
{
    for (size_t i = 0; i < sizeof(assoc_types) / sizeof(assoc_types[0]); i++)
        if (strcmp(assoc_types[i].from, from_object) == 0 &&
            strcmp(assoc_types[i].to, to_object) == 0)
            return assoc_types[i].primary ? assoc_types[i].primary : assoc_types[i].unlabeled;
    return 0;
}

static enum sync_rc assoc_url(struct sync_conn *c, struct sync_buf *u, const char *from,
                              const char *to, const char *verb)
{
    return sync_buf_addf(u, "%s/crm/v4/associations/%s/%s/batch/%s", c->instance_url, from, to,
                         verb);
}

/* An id HubSpot may send as a number or a string. */
static int id_text(const json_t *v, char *out, size_t n)
{
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else
        return -1;
    return 0;
}

/* Adds one result of a batch read to its neutral row {"from", "to":[...], "primary"?} in rows
 * (from -> row), making the row on first sight. Returns the page token for the record's next
 * targets ("" when none). */
static const char *assoc_add(json_t *rows, const json_t *item, int primary_type)
{
    char from[64], to[64];
    const json_t *t;
    json_t *row, *list;
    size_t i;

    if (id_text(json_object_get(json_object_get(item, "from"), "id"), from, sizeof(from)))
        return "";
    if (!(row = json_object_get(rows, from))) {
        row = json_pack("{s:s, s:[]}", "from", from, "to");
        if (!row || json_object_set_new(rows, from, row))
            return "";
    }
    list = json_object_get(row, "to");
    json_array_foreach(json_object_get(item, "to"), i, t)
    {
        const json_t *ty;
        size_t k;
        if (id_text(json_object_get(t, "toObjectId"), to, sizeof(to)))
            continue;
        json_array_append_new(list, json_string(to));
        json_array_foreach(json_object_get(t, "associationTypes"), k, ty)
        {
            if (primary_type && json_integer_value(json_object_get(ty, "typeId")) == primary_type)
                json_object_set_new(row, "primary", json_string(to));
        }
    }
    t = json_object_get(json_object_get(json_object_get(item, "paging"), "next"), "after");
    return json_is_string(t) ? json_string_value(t) : "";
}

/* A single target is the primary one when HubSpot marks none (no primary type for the pair, or
 * an integration that made only the unlabeled association). */
static void assoc_rows_out(json_t *rows, int primary_type, struct sync_conn_batch *out)
{
    const char *k;
    json_t *row;

    json_object_foreach(rows, k, row)
    {
        const json_t *list = json_object_get(row, "to");
        if (!json_object_get(row, "primary") && json_array_size(list) == 1 && primary_type)
            json_object_set(row, "primary", json_array_get(list, 0));
        json_array_append(out->records, row);
    }
}

enum sync_rc sync_hs_read_assoc(struct sync_conn *c, const char *from_object, const char *to_object,
                                const char *const *ids, size_t n, struct sync_conn_batch *out,
                                struct sync_err *err)
{
    json_t *inputs = json_array(), *rows = json_object();
    int primary = sync_hs_assoc_primary_type(from_object, to_object);
    enum sync_rc rc = SYNC_OK;
    size_t i;

    if (!inputs || !rows || !sync_hs_object_ok(from_object) || !sync_hs_object_ok(to_object)) {
        json_decref(inputs);
        json_decref(rows);
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: bad object type");
    }
    for (i = 0; i < n; i++)
        json_array_append_new(inputs, json_pack("{s:s}", "id", ids[i]));
    /* records with more than a page of targets (500) come back with a page token: they are
     * asked again, together, with their tokens, until none is left */
    while (rc == SYNC_OK && json_array_size(inputs)) {
        struct sync_buf url = SYNC_BUF_INIT(4096);
        json_t *body = json_pack("{s:o}", "inputs", inputs), *ans = NULL, *item;
        inputs = json_array();
        rc = assoc_url(c, &url, from_object, to_object, "read");
        rc =
            rc ? rc : sync__conn_call_json(c, "POST", sync_buf_str(&url), body, 0, &ans, NULL, err);
        /* records without associations come back as errors (NO_ASSOCIATIONS_FOUND): no row */
        json_array_foreach(json_object_get(ans, "results"), i, item)
        {
            const char *after = assoc_add(rows, item, primary);
            char from[64];
            if (after[0] &&
                !id_text(json_object_get(json_object_get(item, "from"), "id"), from, sizeof(from)))
                json_array_append_new(inputs, json_pack("{s:s, s:s}", "id", from, "after", after));
        }
        json_decref(ans);
        json_decref(body);
        sync_buf_release(&url);
    }
    if (rc == SYNC_OK)
        assoc_rows_out(rows, primary, out);
    json_decref(inputs);
    json_decref(rows);
    return rc;
}

/* Whether the answer's results hold the pair (from -> to): batch create answers
 * {"fromObjectId", "toObjectId", "labels"}, the default-association calls {"from":{"id"},
 * "to":{"id"}}. */
static int answered(const json_t *results, const char *from, const char *to)
{
    const json_t *r;
    size_t i;

    json_array_foreach(results, i, r)
    {
        char f[64], t[64];
        if ((id_text(json_object_get(r, "fromObjectId"), f, sizeof(f)) ||
             id_text(json_object_get(r, "toObjectId"), t, sizeof(t))) &&
            (id_text(json_object_get(json_object_get(r, "from"), "id"), f, sizeof(f)) ||
             id_text(json_object_get(json_object_get(r, "to"), "id"), t, sizeof(t))))
            continue;
        if (strcmp(f, from) == 0 && strcmp(t, to) == 0)
            return 1;
    }
    return 0;
}

/* An error item that names the pair's ids in its message or context; else (strict 0) the
 * first error, else NULL. */
static const json_t *error_for(const json_t *errors, const char *from, const char *to, int strict)
{
    const json_t *e;
    size_t i;

    json_array_foreach(errors, i, e)
    {
        char *text = json_dumps(e, JSON_COMPACT);
        int hit = text && (strstr(text, from) || strstr(text, to));
        free(text);
        if (hit)
            return e;
    }
    return strict ? NULL : json_array_get(errors, 0);
}

enum sync_rc sync_hs_associate(struct sync_conn *c, const char *from_object, const char *to_object,
                               const struct sync_conn_assoc *pairs, size_t n, int remove,
                               struct sync_conn_result *res, struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    int type = sync_hs_assoc_type(from_object, to_object);
    json_t *inputs = json_array(), *body, *ans = NULL;
    enum sync_rc rc;

    if (!sync_hs_object_ok(from_object) || !sync_hs_object_ok(to_object) || !type) {
        json_decref(inputs);
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: crmsync does not associate %s with %s",
                            from_object ? from_object : "?", to_object ? to_object : "?");
    }
    for (size_t k = 0; k < n; k++) {
        const char *f = pairs[k].from_id ? pairs[k].from_id : "";
        const char *t = pairs[k].to_id ? pairs[k].to_id : "";
        if (remove)
            json_array_append_new(
                inputs, json_pack("{s:{s:s}, s:[{s:s}]}", "from", "id", f, "to", "id", t));
        else
            json_array_append_new(inputs,
                                  json_pack("{s:{s:s}, s:{s:s}, s:[{s:s, s:i}]}", "from", "id", f,
                                            "to", "id", t, "types", "associationCategory",
                                            "HUBSPOT_DEFINED", "associationTypeId", type));
    }
    body = json_pack("{s:o}", "inputs", inputs);
    rc = assoc_url(c, &url, from_object, to_object, remove ? "archive" : "create");
    rc = rc ? rc
            : sync__conn_call_json(c, "POST", sync_buf_str(&url), body, SYNC__CALL_WRITE, &ans,
                                   NULL, err);
    if (rc == SYNC_OK) {
        const json_t *results = json_object_get(ans, "results");
        const json_t *errors = json_object_get(ans, "errors");
        for (size_t k = 0; k < n; k++) {
            const char *f = pairs[k].from_id ? pairs[k].from_id : "";
            const char *t = pairs[k].to_id ? pairs[k].to_id : "";
            if (remove ? !error_for(errors, f, t, 1) : answered(results, f, t)) {
                res[k].outcome = SYNC_CONN_OK;
                snprintf(res[k].id, sizeof(res[k].id), "%s", f);
            } else {
                int64_t ra;
                const json_t *e = error_for(errors, f, t, remove);
                res[k].outcome = SYNC_CONN_FAILED;
                if (e)
                    sync_hs_error(e, 400, NULL, 10000, &res[k].err, &ra);
                else
                    sync_err_set(&res[k].err, SYNC_ERR_VENDOR,
                                 "hubspot: the answer had no result for %s -> %s", f, t);
                res[k].err.cls = SYNC_ERRCLASS_PERMANENT;
                res[k].err.http_status = 207;
            }
        }
    }
    json_decref(ans);
    json_decref(body);
    sync_buf_release(&url);
    return rc;
}

/* ---- deal pipelines ---- */

static int meta_true(const json_t *meta, const char *key)
{
    const json_t *v = json_object_get(meta, key);
    return json_is_true(v) || (json_is_string(v) && strcmp(json_string_value(v), "true") == 0);
}

static double meta_number(const json_t *meta, const char *key)
{
    const json_t *v = json_object_get(meta, key);
    if (json_is_number(v))
        return json_number_value(v);
    return json_is_string(v) ? strtod(json_string_value(v), NULL) : -1;
}

enum sync_rc sync_hs_list_stages(struct sync_conn *c, int tickets, struct sync_conn_batch *out,
                                 struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    json_t *ans = NULL, *p, *s;
    enum sync_rc rc;
    size_t i, k;

    rc = sync_buf_addf(&url, "%s/crm/v3/pipelines/%s", c->instance_url,
                       tickets ? "tickets" : "deals");
    rc = rc ? rc : sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &ans, NULL, err);
    sync_buf_release(&url);
    if (rc)
        return rc;
    json_array_foreach(json_object_get(ans, "results"), i, p)
    {
        const char *pid = sync_json_str(p, "id"), *plabel = sync_json_str(p, "label");
        if (!pid || sync_json_bool(p, "archived", 0))
            continue;
        json_array_foreach(json_object_get(p, "stages"), k, s)
        {
            const json_t *meta = json_object_get(s, "metadata");
            const char *sid = sync_json_str(s, "id");
            const char *state = sync_json_str(meta, "ticketState");
            int closed =
                tickets ? state && strcmp(state, "CLOSED") == 0 : meta_true(meta, "isClosed");
            if (!sid || sync_json_bool(s, "archived", 0))
                continue;
            json_array_append_new(
                out->records,
                json_pack("{s:s, s:s, s:s?, s:I, s:s, s:s?, s:b, s:b, s:I}", "kind", "stage",
                          "pipeline", pid, "pipeline_label", plabel, "pipeline_order",
                          (json_int_t)sync_json_int(p, "displayOrder", (int64_t)i), "stage", sid,
                          "stage_label", sync_json_str(s, "label"), "closed", closed, "won",
                          !tickets && closed && meta_number(meta, "probability") >= 1.0, "order",
                          (json_int_t)sync_json_int(s, "displayOrder", (int64_t)k)));
        }
    }
    json_decref(ans);
    out->done = 1;
    return SYNC_OK;
}
