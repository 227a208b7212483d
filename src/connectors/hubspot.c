/*
 * hubspot.c: the HubSpot connector (struct sync_conn_ops sync_hubspot_ops):
 * private-app tokens or OAuth refreshed ahead of expiry, the properties API
 * (describe, the unique crmsync_link_id property), the search keyset window,
 * archived lists, batch read/upsert/update/archive with per-input results
 * (objectWriteTraceId), and the X-HubSpot-RateLimit-* headers. connector.c
 * is its only caller; bodies and parsing live in hubspot_wire.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/connector_int.h"
#include "connectors/hubspot.h"
#include "core/json.h"
#include "core/time.h"
#include "core/url.h"

#define HS_SEARCH_MAX 200
#define HS_LIST_MAX 100

static enum sync_rc api_url(struct sync_conn *c, struct sync_buf *u, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum sync_rc api_url(struct sync_conn *c, struct sync_buf *u, const char *fmt, ...)
{
    va_list ap;
    enum sync_rc rc = sync_buf_addstr(u, c->instance_url);
    va_start(ap, fmt);
    if (rc == SYNC_OK)
        rc = sync_buf_vaddf(u, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- table members: setup, auth, headers, usage, errors ---- */

static enum sync_rc hs_setup(struct sync_conn *c, struct sync_err *err)
{
    if (!c->cfg.base_url)
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: base_url is required");
    snprintf(c->instance_url, sizeof(c->instance_url), "%s", c->cfg.base_url);
    if (c->cfg.auth == 0)
        c->cfg.auth = c->cfg.refresh_token ? SYNC_AUTH_REFRESH_TOKEN : SYNC_AUTH_STATIC_TOKEN;
    if (c->cfg.auth == SYNC_AUTH_STATIC_TOKEN && !c->cfg.access_token)
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: access_token is required");
    if (c->cfg.auth == SYNC_AUTH_REFRESH_TOKEN &&
        (!c->cfg.refresh_token || !c->cfg.client_id || !c->cfg.client_secret))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "hubspot: OAuth needs client_id, client_secret and refresh_token");
    if (c->cfg.auth != SYNC_AUTH_STATIC_TOKEN && c->cfg.auth != SYNC_AUTH_REFRESH_TOKEN)
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: unsupported auth kind");
    return SYNC_OK;
}

static enum sync_rc form_add(struct sync_buf *b, const char *key, const char *v)
{
    enum sync_rc rc = sync_buf_addf(b, "%s%s=", b->len ? "&" : "", key);
    return rc ? rc : sync_url_encode(b, v, strlen(v));
}

static enum sync_rc hs_refresh(struct sync_conn *c, struct sync_err *err)
{
    struct sync_buf form = SYNC_BUF_INIT(64 * 1024), url = SYNC_BUF_INIT(4096);
    json_t *tok = NULL;
    const char *at, *rt;
    enum sync_rc rc;

    rc = form_add(&form, "grant_type", "refresh_token");
    rc = rc ? rc : form_add(&form, "client_id", c->cfg.client_id);
    rc = rc ? rc : form_add(&form, "client_secret", c->cfg.client_secret);
    rc = rc ? rc : form_add(&form, "refresh_token", c->refresh_token);
    rc = rc ? rc
            : sync_buf_addf(&url, "%s/oauth/v1/token",
                            c->cfg.login_url ? c->cfg.login_url : c->cfg.base_url);
    if (rc == SYNC_OK)
        rc = sync__conn_call(c, "POST", sync_buf_str(&url), sync_buf_str(&form), form.len,
                             SYNC__CALL_NOAUTH | SYNC__CALL_FORM, &tok, NULL, err);
    else
        rc = sync_err_set(err, rc, "hubspot: token request too large");
    sync_buf_release(&form);
    sync_buf_release(&url);
    if (rc)
        return rc;
    at = sync_json_str(tok, "access_token");
    rt = sync_json_str(tok, "refresh_token");
    if (!at) {
        json_decref(tok);
        return sync_err_set(err, SYNC_ERR_PARSE, "hubspot: token answer without access_token");
    }
    snprintf(c->token, sizeof(c->token), "%s", at);
    if (rt && *rt)
        snprintf(c->refresh_token, sizeof(c->refresh_token), "%s", rt);
    c->token_expires_ms = sync__conn_now(c) + sync_json_int(tok, "expires_in", 1800) * 1000;
    json_decref(tok);
    return SYNC_OK;
}

static enum sync_rc hs_authenticate(struct sync_conn *c, struct sync_err *err)
{
    if (c->cfg.auth == SYNC_AUTH_STATIC_TOKEN) {
        snprintf(c->token, sizeof(c->token), "%s", c->cfg.access_token);
        return SYNC_OK;
    }
    return hs_refresh(c, err);
}

static int hs_refresh_due(struct sync_conn *c)
{
    return c->cfg.auth == SYNC_AUTH_REFRESH_TOKEN && c->token_expires_ms > 0 &&
           sync__conn_now(c) >= c->token_expires_ms - c->cfg.refresh_ahead_ms;
}

static size_t hs_headers(struct sync_conn *c, unsigned flags, char hdr[][512], size_t max)
{
    size_t n = 0;
    if (!(flags & SYNC__CALL_NOAUTH) && n < max)
        snprintf(hdr[n++], 512, "Authorization: Bearer %.480s", c->token);
    if (n < max)
        snprintf(hdr[n++], 512, "Accept: application/json");
    return n;
}

static void hs_usage(struct sync_conn *c, const struct sync_http_resp *resp)
{
    struct sync_conn_usage u;
    if (sync_hs_usage_from_headers(
            sync_http_resp_header(resp, "X-HubSpot-RateLimit-Daily"),
            sync_http_resp_header(resp, "X-HubSpot-RateLimit-Daily-Remaining"),
            sync_http_resp_header(resp, "X-HubSpot-RateLimit-Max"),
            sync_http_resp_header(resp, "X-HubSpot-RateLimit-Remaining"),
            sync_http_resp_header(resp, "X-HubSpot-RateLimit-Interval-Milliseconds"), &u))
        sync__conn_report_usage(c, &u);
}

static int hs_error(struct sync_conn *c, const struct sync_http_resp *resp, struct sync_err *err,
                    int64_t *retry_after_ms)
{
    struct sync_err perr = SYNC_ERR_INIT;
    const char *iv = sync_http_resp_header(resp, "X-HubSpot-RateLimit-Interval-Milliseconds");
    json_t *body = resp->body.len ? sync_json_parse(resp->body.data, resp->body.len, &perr) : NULL;
    int expired = sync_hs_error(body, resp->status, sync_http_resp_header(resp, "Retry-After"),
                                iv ? atoll(iv) : 10000, err, retry_after_ms);
    json_decref(body);
    return expired;
}

/* ---- describe ---- */

static enum sync_field_type hs_type(const char *type, const char *ft)
{
    if (!type)
        return SYNC_FT_OTHER;
    if (strcmp(type, "string") == 0)
        return ft && strcmp(ft, "textarea") == 0 ? SYNC_FT_TEXTAREA : SYNC_FT_STRING;
    if (strcmp(type, "number") == 0)
        return SYNC_FT_NUMBER;
    if (strcmp(type, "date") == 0)
        return SYNC_FT_DATE;
    if (strcmp(type, "datetime") == 0)
        return SYNC_FT_DATETIME;
    if (strcmp(type, "phone_number") == 0)
        return SYNC_FT_PHONE;
    if (strcmp(type, "bool") == 0)
        return SYNC_FT_BOOL;
    if (strcmp(type, "enumeration") == 0) {
        if (ft && strcmp(ft, "booleancheckbox") == 0)
            return SYNC_FT_BOOL;
        if (ft && strcmp(ft, "checkbox") == 0)
            return SYNC_FT_MULTIPICKLIST;
        return SYNC_FT_PICKLIST;
    }
    return SYNC_FT_OTHER;
}

static void hs_field(const json_t *p, struct sync_field_def *d)
{
    const json_t *opts = json_object_get(p, "options");
    const json_t *meta = json_object_get(p, "modificationMetadata");
    size_t i;
    const json_t *v;

    d->name = sync_json_str(p, "name");
    d->label = sync_json_str(p, "label");
    d->vendor_type = sync_json_str(p, "type");
    d->field_type = sync_json_str(p, "fieldType");
    d->type = hs_type(d->vendor_type, d->field_type);
    d->flags = SYNC_FIELD_NILLABLE;
    if (!sync_json_bool(meta, "readOnlyValue", 0))
        d->flags |= SYNC_FIELD_CREATEABLE | SYNC_FIELD_UPDATEABLE;
    if (sync_json_bool(p, "calculated", 0) ||
        (d->field_type && strncmp(d->field_type, "calculation", 11) == 0))
        d->flags |= SYNC_FIELD_CALCULATED;
    if (sync_json_bool(p, "hasUniqueValue", 0))
        d->flags |= SYNC_FIELD_UNIQUE;
    if (!sync_json_bool(p, "hubspotDefined", 0))
        d->flags |= SYNC_FIELD_CUSTOM;
    if (d->type == SYNC_FT_PICKLIST || d->type == SYNC_FT_MULTIPICKLIST)
        d->flags |= SYNC_FIELD_RESTRICTED;
    if (json_is_array(opts) && json_array_size(opts)) {
        d->options = calloc(json_array_size(opts), sizeof(*d->options));
        json_array_foreach(opts, i, v)
        {
            if (!d->options)
                break;
            d->options[d->noptions].value = sync_json_str(v, "value");
            d->options[d->noptions].label = sync_json_str(v, "label");
            d->options[d->noptions].active = !sync_json_bool(v, "hidden", 0);
            if (d->options[d->noptions].value)
                d->noptions++;
        }
    }
}

static enum sync_rc hs_describe(struct sync_conn *c, const char *object,
                                struct sync_field_catalog *out, struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    const json_t *results, *p;
    enum sync_rc rc;
    size_t i;

    if (!sync_hs_object_ok(object))
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: bad object type");
    api_url(c, &url, "/crm/v3/properties/%s", object);
    rc = sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &out->raw, NULL, err);
    sync_buf_release(&url);
    if (rc)
        return rc;
    results = json_object_get(out->raw, "results");
    if (!json_is_array(results))
        return sync_err_set(err, SYNC_ERR_PARSE, "hubspot: properties answer without results");
    out->fields = calloc(json_array_size(results) + 1, sizeof(*out->fields));
    if (!out->fields)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    json_array_foreach(results, i, p)
    {
        if (sync_json_str(p, "name"))
            hs_field(p, &out->fields[out->n++]);
    }
    return SYNC_OK;
}

/* ---- search window ---- */

/* One page of a source's first window: the plain list of every record, by id. The list is paced
 * with the other requests (190 per 10 s), not by the search limit (5 per second), so an initial
 * sync reads about twice as fast; the windows after it search from the instant the listing
 * began (after->ts_ms), which catches whatever changed while it ran. */
static enum sync_rc hs_list_page(struct sync_conn *c, const struct sync_conn_window *w,
                                 const struct sync_conn_cursor *after, struct sync_conn_batch *out,
                                 struct sync_err *err)
{
    const char *lm = sync_hs_lastmodified_prop(w->object);
    struct sync_buf url = SYNC_BUF_INIT(16 * 1024);
    json_t *ans = NULL, *r;
    const char *next;
    enum sync_rc rc;
    size_t i;

    rc = api_url(c, &url, "/crm/v3/objects/%s?limit=%d&archived=false&properties=%s,hs_object_id",
                 w->object, HS_LIST_MAX, lm);
    for (size_t k = 0; rc == SYNC_OK && w->fields && w->fields[k]; k++) {
        rc = sync_buf_addch(&url, ',');
        rc = rc ? rc : sync_url_encode(&url, w->fields[k], strlen(w->fields[k]));
    }
    rc = rc ? rc : sync_url_param(&url, "after", after->id);
    if (rc) {
        sync_buf_release(&url);
        return sync_err_set(err, rc, "hubspot: the %s list URL is too long", w->object);
    }
    rc = sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &ans, NULL, err);
    sync_buf_release(&url);
    if (rc)
        return rc;
    json_array_foreach(json_object_get(ans, "results"), i, r)
    {
        sync__batch_append(out, r);
    }
    next = sync_json_str(json_object_get(json_object_get(ans, "paging"), "next"), "after");
    memset(&out->next, 0, sizeof(out->next));
    out->next.ts_ms = after->ts_ms;
    if (next && *next) {
        snprintf(out->next.id, sizeof(out->next.id), "%s", next);
        out->next.listing = 1;
    }
    out->done = 0; /* the search window from the listing's start follows */
    json_decref(ans);
    return SYNC_OK;
}

static enum sync_rc hs_read_changes(struct sync_conn *c, const struct sync_conn_window *w,
                                    struct sync_conn_batch *out, struct sync_err *err)
{
    const char *lm = sync_hs_lastmodified_prop(w->object);
    struct sync_buf url = SYNC_BUF_INIT(4096);
    struct sync_conn_cursor after = w->after;
    size_t limit = w->limit && w->limit < HS_SEARCH_MAX ? w->limit : HS_SEARCH_MAX;
    int64_t upper = w->upper_ms, settled = sync__conn_now(c) - c->cfg.search_settle_ms;
    json_t *body, *ans = NULL;
    enum sync_rc rc;

    if (!sync_hs_object_ok(w->object))
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: bad object type");
    if (upper > settled)
        upper = settled;
    out->upper_ms = upper;
    if (w->lookback_ms > 0) {
        after.ts_ms -= w->lookback_ms;
        after.id[0] = '\0';
        after.tie = 0;
    }
    out->next = after;
    if (!after.listing && after.ts_ms == 0 && !after.id[0] && !after.tie) {
        /* a source's first window: list rather than search */
        after.listing = 1;
        after.ts_ms = upper;
    }
    if (after.listing)
        return hs_list_page(c, w, &after, out, err);
    if (after.ts_ms > upper) {
        out->done = 1;
        return SYNC_OK;
    }
    body = sync_hs_search_body(lm, &after, upper, w->fields, limit);
    api_url(c, &url, "/crm/v3/objects/%s/search", w->object);
    rc = sync__conn_call_json(c, "POST", sync_buf_str(&url), body, SYNC__CALL_SEARCH, &ans, NULL,
                              err);
    json_decref(body);
    sync_buf_release(&url);
    if (rc)
        return rc;
    if (!out->records)
        out->records = json_array();
    if (sync_hs_window_page(json_object_get(ans, "results"), lm, &after, upper, limit, out->records,
                            &out->next, &out->done) != 0)
        rc = sync_err_set(err, SYNC_ERR_PARSE, "hubspot: a %s search result without id or %s",
                          w->object, lm);
    json_decref(ans);
    return rc;
}

/* ---- archived list ---- */

static enum sync_rc hs_read_deletes(struct sync_conn *c, const char *object, int64_t start_ms,
                                    int64_t end_ms, struct sync_conn_batch *out,
                                    struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    json_t *ans = NULL, *r;
    const char *next;
    enum sync_rc rc;
    size_t i;

    if (!sync_hs_object_ok(object))
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: bad object type");
    rc = api_url(c, &url, "/crm/v3/objects/%s?archived=true&limit=%d", object, HS_LIST_MAX);
    rc = rc ? rc : sync_url_param(&url, "after", out->after);
    rc = rc ? rc : sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &ans, NULL, err);
    sync_buf_release(&url);
    if (rc)
        return rc;
    json_array_foreach(json_object_get(ans, "results"), i, r)
    {
        const char *id = sync_json_str(r, "id"), *at = sync_json_str(r, "archivedAt");
        int64_t ts = 0;
        if (!id)
            continue;
        if (at)
            sync_time_parse(at, &ts);
        if ((start_ms > 0 && ts && ts < start_ms) || (end_ms > 0 && ts > end_ms))
            continue;
        json_array_append_new(out->records,
                              json_pack("{s:s, s:I}", "id", id, "deletedAt", (json_int_t)ts));
    }
    next = sync_json_str(json_object_get(json_object_get(ans, "paging"), "next"), "after");
    snprintf(out->after, sizeof(out->after), "%s", next ? next : "");
    out->done = !next;
    json_decref(ans);
    return SYNC_OK;
}

/* ---- owners (the owner directory) ---- */

/* Every page of the owners list, archived (deactivated) or not, as neutral rows. */
static enum sync_rc owners_pages(struct sync_conn *c, int archived, struct sync_conn_batch *out,
                                 struct sync_err *err)
{
    char after[128] = "";
    enum sync_rc rc = SYNC_OK;

    do {
        struct sync_buf url = SYNC_BUF_INIT(4096);
        json_t *ans = NULL, *r;
        const char *next;
        size_t i;

        rc = api_url(c, &url, "/crm/v3/owners?limit=%d&archived=%s", HS_LIST_MAX,
                     archived ? "true" : "false");
        rc = rc ? rc : sync_url_param(&url, "after", after);
        rc = rc ? rc : sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &ans, NULL, err);
        sync_buf_release(&url);
        if (rc)
            return rc;
        json_array_foreach(json_object_get(ans, "results"), i, r)
        {
            const json_t *idv = json_object_get(r, "id");
            char id[64];
            if (json_is_string(idv))
                snprintf(id, sizeof(id), "%s", json_string_value(idv));
            else if (json_is_integer(idv))
                snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(idv));
            else
                continue;
            json_array_append_new(
                out->records,
                json_pack("{s:s, s:s?, s:b}", "id", id, "email", sync_json_str(r, "email"),
                          "active", !archived && !json_is_true(json_object_get(r, "archived"))));
        }
        next = sync_json_str(json_object_get(json_object_get(ans, "paging"), "next"), "after");
        snprintf(after, sizeof(after), "%s", next ? next : "");
        json_decref(ans);
    } while (after[0]);
    return rc;
}

static enum sync_rc hs_list_owners(struct sync_conn *c, int include_inactive,
                                   struct sync_conn_batch *out, struct sync_err *err)
{
    enum sync_rc rc = owners_pages(c, 0, out, err);
    if (rc == SYNC_OK && include_inactive)
        rc = owners_pages(c, 1, out, err);
    out->done = 1;
    return rc;
}

/* ---- batch read ---- */

static json_t *props_list(const char *const *fields, const char *extra)
{
    json_t *a = json_array();
    if (extra)
        json_array_append_new(a, json_string(extra));
    for (size_t i = 0; fields && fields[i]; i++)
        if (!extra || strcmp(fields[i], extra) != 0)
            json_array_append_new(a, json_string(fields[i]));
    return a;
}

static enum sync_rc hs_fetch(struct sync_conn *c, const char *object, const char *id_field,
                             const char *const *ids, size_t n, const char *const *fields,
                             struct sync_conn_batch *out, struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    json_t *body, *inputs = json_array(), *ans = NULL, *r;
    enum sync_rc rc;
    size_t i;

    if (!sync_hs_object_ok(object)) {
        json_decref(inputs);
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: bad object type");
    }
    for (i = 0; i < n; i++)
        json_array_append_new(inputs, json_pack("{s:s}", "id", ids[i]));
    body = json_pack("{s:o, s:o}", "inputs", inputs, "properties", props_list(fields, id_field));
    if (id_field && strcmp(id_field, "hs_object_id") != 0)
        json_object_set_new(body, "idProperty", json_string(id_field));
    api_url(c, &url, "/crm/v3/objects/%s/batch/read?archived=false", object);
    rc = sync__conn_call_json(c, "POST", sync_buf_str(&url), body, 0, &ans, NULL, err);
    json_array_foreach(json_object_get(ans, "results"), i, r)
    {
        sync__batch_append(out, r);
    }
    json_decref(ans);
    json_decref(body);
    sync_buf_release(&url);
    return rc;
}

static enum sync_rc hs_find_people(struct sync_conn *c, const char *const *emails, size_t n,
                                   const char *const *fields, struct sync_conn_batch *out,
                                   struct sync_err *err)
{
    enum sync_rc rc = SYNC_OK;
    for (size_t at = 0; at < n && rc == SYNC_OK; at += c->ops->max_fetch) {
        size_t m = n - at < c->ops->max_fetch ? n - at : c->ops->max_fetch;
        rc = hs_fetch(c, "contacts", "email", emails + at, m, fields, out, err);
    }
    return rc;
}

/* ---- batch writes ---- */

static json_t *write_inputs(enum sync_conn_op op, const struct sync_conn_rec *recs,
                            const size_t *idx, size_t n)
{
    json_t *inputs = json_array();
    for (size_t k = 0; k < n; k++) {
        const struct sync_conn_rec *r = &recs[idx[k]];
        char trace[32];
        json_t *in;
        snprintf(trace, sizeof(trace), "crmsync-%zu", k);
        if (op == SYNC_CONN_DELETE) {
            in = json_pack("{s:s}", "id", r->id ? r->id : "");
        } else {
            json_t *props = json_is_object(r->fields) ? json_deep_copy(r->fields) : json_object();
            if (op == SYNC_CONN_UPSERT)
                in = json_pack("{s:s, s:s, s:o, s:s}", "id", r->link_id ? r->link_id : "",
                               "idProperty", SYNC_HS_LINK_PROPERTY, "properties", props,
                               "objectWriteTraceId", trace);
            else if (op == SYNC_CONN_CREATE)
                in = json_pack("{s:o, s:s}", "properties", props, "objectWriteTraceId", trace);
            else
                in = json_pack("{s:s, s:o, s:s}", "id", r->id ? r->id : "", "properties", props,
                               "objectWriteTraceId", trace);
        }
        json_array_append_new(inputs, in);
    }
    return json_pack("{s:o}", "inputs", inputs);
}

/* The chunk position k of an answer item: its trace id, else its link id or id. */
static long match_item(const json_t *item, enum sync_conn_op op, const struct sync_conn_rec *recs,
                       const size_t *idx, size_t n)
{
    const json_t *ctx = json_object_get(item, "context");
    const char *trace = sync_json_str(item, "objectWriteTraceId");
    const char *key;

    if (!trace && json_is_array(json_object_get(ctx, "objectWriteTraceId")))
        trace = json_string_value(json_array_get(json_object_get(ctx, "objectWriteTraceId"), 0));
    if (trace && strncmp(trace, "crmsync-", 8) == 0) {
        long k = strtol(trace + 8, NULL, 10);
        if (k >= 0 && (size_t)k < n)
            return k;
    }
    key = op == SYNC_CONN_UPSERT
              ? sync_json_str(json_object_get(item, "properties"), SYNC_HS_LINK_PROPERTY)
              : sync_json_str(item, "id");
    for (size_t k = 0; key && k < n; k++) {
        const char *mine = op == SYNC_CONN_UPSERT ? recs[idx[k]].link_id : recs[idx[k]].id;
        if (mine && strcmp(mine, key) == 0)
            return (long)k;
    }
    return -1;
}

static void apply_answer(const json_t *ans, enum sync_conn_op op, const struct sync_conn_rec *recs,
                         const size_t *idx, size_t n, struct sync_conn_result *res)
{
    const json_t *item;
    size_t i;

    json_array_foreach(json_object_get(ans, "results"), i, item)
    {
        long k = match_item(item, op, recs, idx, n);
        const char *id = sync_json_str(item, "id");
        if (k < 0)
            continue;
        res[idx[k]].outcome = SYNC_CONN_OK;
        snprintf(res[idx[k]].id, sizeof(res[idx[k]].id), "%s", id ? id : "");
        res[idx[k]].created = sync_json_bool(item, "new", 0);
    }
    json_array_foreach(json_object_get(ans, "errors"), i, item)
    {
        long k = match_item(item, op, recs, idx, n);
        int64_t ra;
        if (k < 0)
            continue;
        res[idx[k]].outcome = SYNC_CONN_FAILED;
        sync_hs_error(item, 400, NULL, 10000, &res[idx[k]].err, &ra);
        if (strcmp(res[idx[k]].err.code, "LOCKED") == 0)
            res[idx[k]].err.cls = SYNC_ERRCLASS_RETRYABLE;
        res[idx[k]].err.http_status = 207;
    }
}

static enum sync_rc hs_write(struct sync_conn *c, enum sync_conn_op op, const char *object,
                             const struct sync_conn_rec *recs, const size_t *idx, size_t n,
                             struct sync_conn_result *res, struct sync_err *err)
{
    static const char *const verbs[] = {"", "upsert", "update", "archive", "create"};
    struct sync_buf url = SYNC_BUF_INIT(4096);
    json_t *body, *ans = NULL;
    enum sync_rc rc;

    if (!sync_hs_object_ok(object))
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: bad object type");
    body = write_inputs(op, recs, idx, n);
    api_url(c, &url, "/crm/v3/objects/%s/batch/%s", object, verbs[op]);
    rc = sync__conn_call_json(c, "POST", sync_buf_str(&url), body, SYNC__CALL_WRITE, &ans, NULL,
                              err);
    if (rc == SYNC_OK && op == SYNC_CONN_DELETE) {
        for (size_t k = 0; k < n; k++) {
            res[idx[k]].outcome = SYNC_CONN_OK;
            snprintf(res[idx[k]].id, sizeof(res[idx[k]].id), "%s", recs[idx[k]].id);
        }
    } else if (rc == SYNC_OK) {
        apply_answer(ans, op, recs, idx, n, res);
    }
    json_decref(ans);
    json_decref(body);
    sync_buf_release(&url);
    return rc;
}

/* ---- the link property ---- */

static const char *group_for(const char *object)
{
    if (strcmp(object, "contacts") == 0)
        return "contactinformation";
    if (strcmp(object, "companies") == 0)
        return "companyinformation";
    if (strcmp(object, "deals") == 0)
        return "dealinformation";
    if (strcmp(object, "tickets") == 0)
        return "ticketinformation";
    /* the activities' own groups: task, note, call, email, meeting */
    if (strcmp(object, "tasks") == 0)
        return "task";
    if (strcmp(object, "notes") == 0)
        return "note";
    if (strcmp(object, "calls") == 0)
        return "call";
    if (strcmp(object, "emails") == 0)
        return "email";
    if (strcmp(object, "meetings") == 0)
        return "meeting";
    return "crmsync";
}

static enum sync_rc hs_ensure_link_field(struct sync_conn *c, const char *object,
                                         struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    struct sync_err lerr = SYNC_ERR_INIT;
    json_t *prop = NULL, *body;
    enum sync_rc rc;

    if (!sync_hs_object_ok(object))
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: bad object type");
    api_url(c, &url, "/crm/v3/properties/%s/%s", object, SYNC_HS_LINK_PROPERTY);
    rc = sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &prop, NULL, &lerr);
    sync_buf_release(&url);
    if (rc == SYNC_OK) {
        int unique = sync_json_bool(prop, "hasUniqueValue", 0);
        json_decref(prop);
        if (unique)
            return SYNC_OK;
        return sync_err_vendor(err, 0, "LINK_FIELD_NOT_UNIQUE",
                               "%s property %s exists but is not unique", object,
                               SYNC_HS_LINK_PROPERTY);
    }
    if (lerr.http_status != 404) {
        if (err)
            *err = lerr;
        return rc;
    }
    body =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:b}", "name", SYNC_HS_LINK_PROPERTY,
                  "label", "CrmSync link id", "type", "string", "fieldType", "text", "groupName",
                  group_for(object), "hasUniqueValue", 1, "description",
                  "Pairs this record with its Salesforce record (set by crmsync)", "formField", 0);
    api_url(c, &url, "/crm/v3/properties/%s", object);
    sync_err_clear(&lerr);
    rc = sync__conn_call_json(c, "POST", sync_buf_str(&url), body, 0, &prop, NULL, &lerr);
    json_decref(body);
    json_decref(prop);
    sync_buf_release(&url);
    if (rc != SYNC_OK && lerr.http_status == 409)
        return SYNC_OK; /* made meanwhile */
    if (rc != SYNC_OK && err)
        *err = lerr;
    return rc;
}

const struct sync_conn_ops sync_hubspot_ops = {
    .name = "hubspot",
    .vendor = SYNC_VENDOR_HUBSPOT,
    .max_write = 100,
    .max_fetch = 100,
    .setup = hs_setup,
    .cleanup = NULL,
    .authenticate = hs_authenticate,
    .refresh_due = hs_refresh_due,
    .headers = hs_headers,
    .usage = hs_usage,
    .error = hs_error,
    .describe = hs_describe,
    .read_changes = hs_read_changes,
    .read_deletes = hs_read_deletes,
    .fetch = hs_fetch,
    .find_people = hs_find_people,
    .write = hs_write,
    .ensure_link_field = hs_ensure_link_field,
    .list_owners = hs_list_owners,
    .read_assoc = sync_hs_read_assoc,
    .associate = sync_hs_associate,
    .list_stages = sync_hs_list_stages,
    .max_assoc_read = 1000,
    .max_assoc_write = 1000,
};
