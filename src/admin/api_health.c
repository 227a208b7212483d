/*
 * api_health.c: sync health over the admin API (engine/health.h): the
 * error cards by category, the errors themselves (JSON, or CSV for the
 * export), a record's sync card, and resync of chosen errors or one
 * record (the run loop is woken to plan them at once). Called by
 * router.c.
 */
#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "core/json.h"
#include "engine/health.h"

#define CSV_MAX_BYTES (64 * 1024 * 1024)

void api_health(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;

    if (sync_health_summary(r->st, &out, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, 200, out);
}

/* A whole-number query parameter into *v (absent: unchanged); -1 when it is not one. */
static int query_count(struct admin_req *r, const char *name, size_t *v)
{
    const char *s = admin_query(r, name);
    char *end;
    long long x;

    if (!s)
        return 0;
    x = strtoll(s, &end, 10);
    if (!*s || *end || x < 0) {
        admin_reply_error(r, 400, "bad_request", "%s must be a whole number, not '%s'", name, s);
        return -1;
    }
    *v = (size_t)x;
    return 0;
}

static int health_query(struct admin_req *r, struct sync_health_query *q)
{
    memset(q, 0, sizeof(*q));
    q->category = admin_query(r, "category");
    q->system = admin_query(r, "system");
    q->object = admin_query(r, "object");
    if (q->category && q->category[0] && !sync_health_category_find(q->category)) {
        admin_reply_error(r, 400, "bad_request", "unknown error category '%s'", q->category);
        return -1;
    }
    return query_count(r, "offset", &q->offset) || query_count(r, "limit", &q->limit) ? -1 : 0;
}

void api_errors(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_health_query q;
    json_t *out = NULL;

    if (health_query(r, &q))
        return;
    if (sync_health_errors(r->st, &q, &out, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, 200, out);
}

void api_errors_csv(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_health_query q;
    struct sync_buf csv = SYNC_BUF_INIT(CSV_MAX_BYTES);

    if (health_query(r, &q))
        return;
    if (sync_health_csv(r->st, &q, &csv, &err) && err.rc != SYNC_ERR_TOO_LARGE) {
        admin_reply_err(r, &err);
    } else {
        sync_http_response_header(r->res, "Content-Disposition",
                                  "attachment; filename=\"crmsync-errors.csv\"");
        admin_reply_text(r, 200, "text/csv; charset=utf-8", sync_buf_str(&csv));
    }
    sync_buf_release(&csv);
}

void api_record_card(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;

    if (sync_health_card(r->st, admin_param(r, "system"), admin_param(r, "object"),
                         admin_param(r, "id"), &out, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, 200, out);
}

/* {"error_ids": [n, ...]} */
static void resync_errors(struct admin_req *r, const json_t *ids)
{
    struct sync_err err = SYNC_ERR_INIT;
    int64_t *v = calloc(json_array_size(ids) + 1, sizeof(*v));
    json_t *out = NULL, *x;
    size_t i;

    if (!v) {
        admin_reply_error(r, 500, "internal", "out of memory");
        return;
    }
    json_array_foreach(ids, i, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) <= 0) {
            admin_reply_error(r, 400, "bad_request",
                              "error_ids[%zu] is not an error id (a positive whole number)", i);
            free(v);
            return;
        }
        v[i] = json_integer_value(x);
    }
    if (sync_health_resync(r->st, v, json_array_size(ids), &out, &err)) {
        admin_reply_err(r, &err);
    } else {
        admin_wake(r);
        admin_reply_json(r, 200, out);
    }
    free(v);
}

void api_resync(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    const json_t *ids = json_object_get(r->body, "error_ids");
    const json_t *rec = json_object_get(r->body, "record");
    const char *system = sync_json_str(rec, "system");
    const char *object = sync_json_str(rec, "object");
    const char *id = sync_json_str(rec, "id");
    json_t *out = NULL;

    if (json_is_array(ids) && json_array_size(ids) && !rec) {
        resync_errors(r, ids);
        return;
    }
    if (ids || !system || !object || !id) {
        admin_reply_error(r, 400, "bad_request",
                          "the body must be {\"error_ids\": [id, ...]} or {\"record\": "
                          "{\"system\": \"hubspot\"|\"salesforce\", \"object\", \"id\"}}");
        return;
    }
    if (sync_health_resync_record(r->st, system, object, id, &out, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    admin_wake(r);
    admin_reply_json(r, 200, out);
}
