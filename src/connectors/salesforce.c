/*
 * salesforce.c: the Salesforce connector (struct sync_conn_ops
 * sync_salesforce_ops): OAuth token grants, the REST data API (describe,
 * SOQL query/queryAll, getDeleted, sObject Collections), its headers
 * (Sforce-Call-Options on every call, Sforce-Auto-Assign: FALSE on writes
 * unless a record asks for assignment) and its usage header
 * (Sforce-Limit-Info). connector.c is its only caller; SOQL text and answer
 * parsing live in salesforce_soql.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/connector_int.h"
#include "connectors/salesforce.h"
#include "core/json.h"
#include "core/time.h"
#include "core/url.h"

#define SF_QUERY_MAX 2000 /* rows per window page */
#define SF_IN_CHUNK 200   /* values per IN (...) list: keeps the URL short */
#define SF_CAP (64 * 1024 * 1024)

static const char *sf_base(struct sync_conn *c)
{
    return c->instance_url[0] ? c->instance_url : c->cfg.login_url;
}

static enum sync_rc data_url(struct sync_conn *c, struct sync_buf *u, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum sync_rc data_url(struct sync_conn *c, struct sync_buf *u, const char *fmt, ...)
{
    va_list ap;
    enum sync_rc rc = sync_buf_addf(u, "%s/services/data/v%s", sf_base(c), c->cfg.api_version);
    va_start(ap, fmt);
    if (rc == SYNC_OK)
        rc = sync_buf_vaddf(u, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- table members: setup, auth, headers, usage, errors ---- */

static enum sync_rc sf_setup(struct sync_conn *c, struct sync_err *err)
{
    if (!c->cfg.api_version)
        c->cfg.api_version = "62.0";
    if (!c->cfg.login_url && !c->cfg.base_url)
        return sync_err_set(err, SYNC_ERR_INVALID, "salesforce: login_url is required");
    if (c->cfg.base_url)
        snprintf(c->instance_url, sizeof(c->instance_url), "%s", c->cfg.base_url);
    return SYNC_OK;
}

static enum sync_rc form_add(struct sync_buf *b, const char *key, const char *v1, const char *v2)
{
    enum sync_rc rc = sync_buf_addf(b, "%s%s=", b->len ? "&" : "", key);
    if (rc == SYNC_OK && v1)
        rc = sync_url_encode(b, v1, strlen(v1));
    if (rc == SYNC_OK && v2)
        rc = sync_url_encode(b, v2, strlen(v2));
    return rc;
}

static enum sync_rc token_form(struct sync_conn *c, struct sync_buf *f, struct sync_err *err)
{
    const struct sync_conn_config *k = &c->cfg;
    enum sync_rc rc;

    switch (k->auth) {
    case SYNC_AUTH_PASSWORD:
        rc = form_add(f, "grant_type", "password", NULL);
        rc = rc ? rc : form_add(f, "username", k->username, NULL);
        rc = rc ? rc : form_add(f, "password", k->password, k->security_token);
        break;
    case SYNC_AUTH_REFRESH_TOKEN:
        rc = form_add(f, "grant_type", "refresh_token", NULL);
        rc = rc ? rc : form_add(f, "refresh_token", c->refresh_token, NULL);
        break;
    case SYNC_AUTH_CLIENT_CREDENTIALS:
        rc = form_add(f, "grant_type", "client_credentials", NULL);
        break;
    default:
        return sync_err_set(err, SYNC_ERR_INVALID, "salesforce: unsupported auth kind");
    }
    rc = rc ? rc : form_add(f, "client_id", k->client_id, NULL);
    if (k->client_secret)
        rc = rc ? rc : form_add(f, "client_secret", k->client_secret, NULL);
    return rc ? sync_err_set(err, rc, "salesforce: token request too large") : SYNC_OK;
}

static enum sync_rc sf_authenticate(struct sync_conn *c, struct sync_err *err)
{
    struct sync_buf form = SYNC_BUF_INIT(64 * 1024), url = SYNC_BUF_INIT(4096);
    json_t *tok = NULL;
    const char *at, *inst, *rt;
    enum sync_rc rc;

    rc = token_form(c, &form, err);
    if (rc == SYNC_OK) {
        sync_buf_addf(&url, "%s/services/oauth2/token",
                      c->cfg.login_url ? c->cfg.login_url : c->cfg.base_url);
        rc = sync__conn_call(c, "POST", sync_buf_str(&url), sync_buf_str(&form), form.len,
                             SYNC__CALL_NOAUTH | SYNC__CALL_FORM, &tok, NULL, err);
    }
    sync_buf_release(&form);
    sync_buf_release(&url);
    if (rc)
        return rc;
    at = sync_json_str(tok, "access_token");
    inst = sync_json_str(tok, "instance_url");
    rt = sync_json_str(tok, "refresh_token");
    if (!at) {
        json_decref(tok);
        return sync_err_set(err, SYNC_ERR_PARSE, "salesforce: token answer without access_token");
    }
    snprintf(c->token, sizeof(c->token), "%s", at);
    /* a new session knows nothing of the org's usage until its first answer says: the daily
     * budget check does not refuse calls on an old answer (the rolling window moved on) */
    c->daily_used = c->daily_limit = -1;
    if (inst && *inst)
        snprintf(c->instance_url, sizeof(c->instance_url), "%s", inst);
    if (rt && *rt)
        snprintf(c->refresh_token, sizeof(c->refresh_token), "%s", rt);
    json_decref(tok);
    return SYNC_OK;
}

static size_t sf_headers(struct sync_conn *c, unsigned flags, char hdr[][512], size_t max)
{
    size_t n = 0;
    if (!(flags & SYNC__CALL_NOAUTH) && n < max)
        snprintf(hdr[n++], 512, "Authorization: Bearer %.480s", c->token);
    if (n < max)
        snprintf(hdr[n++], 512, "Sforce-Call-Options: client=crmsync");
    if ((flags & SYNC__CALL_WRITE) && !(flags & SYNC__CALL_ASSIGN) && n < max)
        snprintf(hdr[n++], 512, "Sforce-Auto-Assign: FALSE");
    if (n < max)
        snprintf(hdr[n++], 512, "Accept: application/json");
    return n;
}

/* Every answer is reported: the usage header when it has one, whether Salesforce counts the
 * call (a data call answered with Sforce-Limit-Info, except the refusal past the daily limit,
 * which is not counted), and an error answer's code and message (the engine's API budget and
 * suspensions). */
static void sf_usage(struct sync_conn *c, const struct sync_http_resp *resp)
{
    const char *h = sync_http_resp_header(resp, "Sforce-Limit-Info");
    struct sync_conn_usage u = {SYNC_VENDOR_SALESFORCE, -1, -1, -1, -1, -1, 0,
                                resp->status,           "", ""};
    struct sync_err e = SYNC_ERR_INIT;

    if (resp->status >= 400) {
        struct sync_err perr = SYNC_ERR_INIT;
        json_t *body =
            resp->body.len ? sync_json_parse(resp->body.data, resp->body.len, &perr) : NULL;
        int64_t ra;
        sync_sf_error(body, resp->status, NULL, &e, &ra);
        json_decref(body);
        u.error_code = e.code;
        u.error_message = e.message;
    }
    if (h && sync_sf_parse_limit_info(h, &u.daily_used, &u.daily_limit) == 0)
        u.counted = !(resp->status == 403 && strcmp(e.code, "REQUEST_LIMIT_EXCEEDED") == 0);
    else
        u.daily_used = u.daily_limit = -1;
    sync__conn_report_usage(c, &u);
}

static int sf_error(struct sync_conn *c, const struct sync_http_resp *resp, struct sync_err *err,
                    int64_t *retry_after_ms)
{
    struct sync_err perr = SYNC_ERR_INIT;
    json_t *body = resp->body.len ? sync_json_parse(resp->body.data, resp->body.len, &perr) : NULL;
    int expired = sync_sf_error(body, resp->status, sync_http_resp_header(resp, "Retry-After"), err,
                                retry_after_ms);
    json_decref(body);
    return expired;
}

/* ---- describe ---- */

static enum sync_field_type sf_type(const char *t)
{
    static const struct {
        const char *name;
        enum sync_field_type type;
    } map[] = {{"id", SYNC_FT_ID},
               {"reference", SYNC_FT_REFERENCE},
               {"string", SYNC_FT_STRING},
               {"encryptedstring", SYNC_FT_STRING},
               {"combobox", SYNC_FT_STRING},
               {"textarea", SYNC_FT_TEXTAREA},
               {"email", SYNC_FT_EMAIL},
               {"phone", SYNC_FT_PHONE},
               {"url", SYNC_FT_URL},
               {"picklist", SYNC_FT_PICKLIST},
               {"multipicklist", SYNC_FT_MULTIPICKLIST},
               {"boolean", SYNC_FT_BOOL},
               {"int", SYNC_FT_INT},
               {"double", SYNC_FT_NUMBER},
               {"currency", SYNC_FT_NUMBER},
               {"percent", SYNC_FT_NUMBER},
               {"date", SYNC_FT_DATE},
               {"datetime", SYNC_FT_DATETIME}};
    for (size_t i = 0; t && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].name, t) == 0)
            return map[i].type;
    return SYNC_FT_OTHER;
}

static void sf_field(const json_t *f, struct sync_field_def *d)
{
    const json_t *pl = json_object_get(f, "picklistValues");
    size_t i;
    const json_t *v;

    d->name = sync_json_str(f, "name");
    d->label = sync_json_str(f, "label");
    d->vendor_type = sync_json_str(f, "type");
    d->field_type = sync_json_str(f, "soapType");
    d->type = sf_type(d->vendor_type);
    d->length = (long)sync_json_int(f, "length", 0);
    if (sync_json_bool(f, "nillable", 0))
        d->flags |= SYNC_FIELD_NILLABLE;
    if (sync_json_bool(f, "createable", 0))
        d->flags |= SYNC_FIELD_CREATEABLE;
    if (sync_json_bool(f, "updateable", 0))
        d->flags |= SYNC_FIELD_UPDATEABLE;
    if (sync_json_bool(f, "calculated", 0) || sync_json_bool(f, "autoNumber", 0))
        d->flags |= SYNC_FIELD_CALCULATED;
    if (sync_json_bool(f, "restrictedPicklist", 0))
        d->flags |= SYNC_FIELD_RESTRICTED;
    if (sync_json_bool(f, "unique", 0))
        d->flags |= SYNC_FIELD_UNIQUE;
    if (sync_json_bool(f, "externalId", 0))
        d->flags |= SYNC_FIELD_EXTERNAL_ID;
    if (sync_json_bool(f, "custom", 0))
        d->flags |= SYNC_FIELD_CUSTOM;
    if (!(d->flags & SYNC_FIELD_NILLABLE) && (d->flags & SYNC_FIELD_CREATEABLE) &&
        !sync_json_bool(f, "defaultedOnCreate", 0) && d->type != SYNC_FT_BOOL)
        d->flags |= SYNC_FIELD_REQUIRED;
    if (json_is_array(pl) && json_array_size(pl)) {
        d->options = calloc(json_array_size(pl), sizeof(*d->options));
        json_array_foreach(pl, i, v)
        {
            if (!d->options)
                break;
            d->options[d->noptions].value = sync_json_str(v, "value");
            d->options[d->noptions].label = sync_json_str(v, "label");
            d->options[d->noptions].active = sync_json_bool(v, "active", 1);
            if (d->options[d->noptions].value)
                d->noptions++;
        }
    }
}

static enum sync_rc sf_describe(struct sync_conn *c, const char *object,
                                struct sync_field_catalog *out, struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    const json_t *fields, *f;
    enum sync_rc rc;
    size_t i;

    if (!sync_sf_soql_ident(object))
        return sync_err_set(err, SYNC_ERR_INVALID, "salesforce: bad object name");
    data_url(c, &url, "/sobjects/%s/describe", object);
    rc = sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &out->raw, NULL, err);
    sync_buf_release(&url);
    if (rc)
        return rc;
    fields = json_object_get(out->raw, "fields");
    if (!json_is_array(fields))
        return sync_err_set(err, SYNC_ERR_PARSE, "salesforce: describe answer without fields");
    out->fields = calloc(json_array_size(fields) + 1, sizeof(*out->fields));
    if (!out->fields)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    json_array_foreach(fields, i, f)
    {
        if (!sync_json_str(f, "name"))
            continue;
        sf_field(f, &out->fields[out->n++]);
    }
    return SYNC_OK;
}

/* ---- queries ---- */

/* Runs soql (query or queryAll) and follows nextRecordsUrl, appending the records; *total
 * (may be NULL) the first page's totalSize (a COUNT() query's count). */
static enum sync_rc run_query(struct sync_conn *c, const char *soql, int all,
                              struct sync_conn_batch *out, size_t *count, int64_t *total,
                              struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(256 * 1024);
    enum sync_rc rc;
    int first = 1;

    *count = 0;
    rc = data_url(c, &url, "/%s?q=", all ? "queryAll" : "query");
    rc = rc ? rc : sync_url_encode(&url, soql, strlen(soql));
    while (rc == SYNC_OK) {
        json_t *page = NULL, *recs, *r;
        const char *next;
        size_t i;

        rc = sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &page, NULL, err);
        if (rc)
            break;
        if (total && first)
            *total = sync_json_int(page, "totalSize", 0);
        first = 0;
        recs = json_object_get(page, "records");
        json_array_foreach(recs, i, r)
        {
            sync__batch_append(out, r);
            (*count)++;
        }
        next = sync_json_str(page, "nextRecordsUrl");
        sync_buf_reset(&url);
        if (!next || sync_json_bool(page, "done", 1)) {
            json_decref(page);
            break;
        }
        rc = sync_buf_addf(&url, "%s%s", sf_base(c), next);
        json_decref(page);
    }
    sync_buf_release(&url);
    return rc;
}

static enum sync_rc sf_read_changes(struct sync_conn *c, const struct sync_conn_window *w,
                                    struct sync_conn_batch *out, struct sync_err *err)
{
    struct sync_buf q = SYNC_BUF_INIT(256 * 1024);
    struct sync_conn_cursor after = w->after;
    size_t limit = w->limit && w->limit < SF_QUERY_MAX ? w->limit : SF_QUERY_MAX, count = 0;
    size_t before = json_array_size(out->records);
    enum sync_rc rc;

    if (w->lookback_ms > 0) {
        after.ts_ms -= w->lookback_ms;
        after.id[0] = '\0';
    }
    rc = sync_sf_soql_window(&q, w->object, w->fields, &after, w->upper_ms, w->include_deleted,
                             limit);
    if (rc) {
        sync_buf_release(&q);
        return sync_err_set(err, rc, "salesforce: cannot build the window query for %s", w->object);
    }
    rc = run_query(c, sync_buf_str(&q), w->include_deleted, out, &count, NULL, err);
    sync_buf_release(&q);
    if (rc)
        return rc;
    out->upper_ms = w->upper_ms;
    out->next = after;
    if (count > 0) {
        const json_t *last = json_array_get(out->records, before + count - 1);
        const char *stamp = sync_json_str(last, "SystemModstamp");
        const char *id = sync_json_str(last, "Id");
        int64_t ts;
        if (!stamp || !id || sync_time_parse(stamp, &ts) != SYNC_OK)
            return sync_err_set(err, SYNC_ERR_PARSE, "salesforce: record without SystemModstamp");
        out->next.ts_ms = ts;
        snprintf(out->next.id, sizeof(out->next.id), "%s", id);
    }
    out->done = count < limit;
    return SYNC_OK;
}

/* ---- deletes and merges ---- */

static enum sync_rc add_time_param(struct sync_buf *u, const char *name, int64_t ms)
{
    char iso[SYNC_TIME_ISO_MAX], v[40];
    sync_time_format_iso(ms, iso, sizeof(iso));
    snprintf(v, sizeof(v), "%.19s+00:00", iso);
    enum sync_rc rc = sync_buf_addf(u, "%s=", name);
    return rc ? rc : sync_url_encode(u, v, strlen(v));
}

static int mergeable(const char *object)
{
    return strcasecmp(object, "Lead") == 0 || strcasecmp(object, "Contact") == 0 ||
           strcasecmp(object, "Account") == 0;
}

/* Merge losers deleted in [start, end]: id -> MasterRecordId, from queryAll. */
static enum sync_rc merged_in(struct sync_conn *c, const char *object, int64_t start_ms,
                              int64_t end_ms, json_t *masters, struct sync_err *err)
{
    struct sync_buf q = SYNC_BUF_INIT(4096);
    struct sync_conn_batch b;
    size_t count = 0, i;
    json_t *r;
    enum sync_rc rc;

    sync_conn_batch_init(&b);
    rc = sync_buf_addf(&q,
                       "SELECT Id, MasterRecordId, SystemModstamp FROM %s WHERE IsDeleted = true "
                       "AND MasterRecordId != null AND SystemModstamp >= ",
                       object);
    rc = rc ? rc : sync_sf_soql_datetime(&q, start_ms);
    rc = rc ? rc : sync_buf_addstr(&q, " AND SystemModstamp <= ");
    rc = rc ? rc : sync_sf_soql_datetime(&q, end_ms + 999);
    rc = rc ? rc : run_query(c, sync_buf_str(&q), 1, &b, &count, NULL, err);
    json_array_foreach(b.records, i, r)
    {
        const char *id = sync_json_str(r, "Id"), *m = sync_json_str(r, "MasterRecordId");
        if (id && m)
            json_object_set_new(masters, id, json_string(m));
    }
    sync_conn_batch_release(&b);
    sync_buf_release(&q);
    return rc;
}

static void add_deleted(struct sync_conn_batch *out, const char *id, int64_t at, json_t *masters)
{
    json_t *m = json_object_get(masters, id);
    json_t *d = json_pack("{s:s, s:I}", "id", id, "deletedAt", (json_int_t)at);
    if (m)
        json_object_set(d, "masterId", m);
    json_array_append_new(out->records, d);
}

static enum sync_rc sf_read_deletes(struct sync_conn *c, const char *object, int64_t start_ms,
                                    int64_t end_ms, struct sync_conn_batch *out,
                                    struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    json_t *ans = NULL, *masters = json_object(), *d;
    const char *s;
    enum sync_rc rc;
    size_t i;

    if (!sync_sf_soql_ident(object))
        return sync_err_set(err, SYNC_ERR_INVALID, "salesforce: bad object name");
    rc = data_url(c, &url, "/sobjects/%s/deleted/?", object);
    rc = rc ? rc : add_time_param(&url, "start", start_ms);
    rc = rc ? rc : sync_buf_addch(&url, '&');
    rc = rc ? rc : add_time_param(&url, "end", end_ms);
    rc = rc ? rc : sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &ans, NULL, err);
    if (rc == SYNC_OK && mergeable(object))
        rc = merged_in(c, object, start_ms, end_ms, masters, err);
    if (rc == SYNC_OK) {
        json_array_foreach(json_object_get(ans, "deletedRecords"), i, d)
        {
            const char *id = sync_json_str(d, "id");
            int64_t at = 0;
            if (!id)
                continue;
            if ((s = sync_json_str(d, "deletedDate")))
                sync_time_parse(s, &at);
            add_deleted(out, id, at, masters);
            json_object_del(masters, id);
        }
        {
            const char *id;
            json_t *m;
            json_object_foreach(masters, id, m)
            {
                add_deleted(out, id, 0, masters);
            }
        }
        if ((s = sync_json_str(ans, "earliestDateAvailable")))
            sync_time_parse(s, &out->earliest_ms);
        if ((s = sync_json_str(ans, "latestDateCovered")))
            sync_time_parse(s, &out->latest_ms);
        out->done = 1;
        out->after[0] = '\0';
    }
    json_decref(ans);
    json_decref(masters);
    sync_buf_release(&url);
    return rc;
}

/* ---- fetch and find ---- */

static enum sync_rc fetch_by_id(struct sync_conn *c, const char *object, const char *const *ids,
                                size_t n, const char *const *fields, struct sync_conn_batch *out,
                                struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    json_t *body = json_pack("{s:[], s:[s]}", "ids", "fields", "Id"), *ans = NULL, *r;
    enum sync_rc rc;
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(json_object_get(body, "ids"), json_string(ids[i]));
    for (i = 0; fields && fields[i]; i++)
        if (strcasecmp(fields[i], "Id") != 0)
            json_array_append_new(json_object_get(body, "fields"), json_string(fields[i]));
    rc = data_url(c, &url, "/composite/sobjects/%s", object);
    rc = rc ? rc : sync__conn_call_json(c, "POST", sync_buf_str(&url), body, 0, &ans, NULL, err);
    json_array_foreach(ans, i, r)
    {
        if (json_is_object(r))
            sync__batch_append(out, r);
    }
    json_decref(ans);
    json_decref(body);
    sync_buf_release(&url);
    return rc;
}

static enum sync_rc query_in(struct sync_conn *c, const char *object, const char *const *must,
                             const char *const *fields, const char *field,
                             const char *const *values, size_t n, const char *extra,
                             const char *order, struct sync_conn_batch *out, struct sync_err *err)
{
    enum sync_rc rc = SYNC_OK;
    for (size_t at = 0; at < n && rc == SYNC_OK; at += SF_IN_CHUNK) {
        struct sync_buf q = SYNC_BUF_INIT(SF_CAP);
        size_t m = n - at < SF_IN_CHUNK ? n - at : SF_IN_CHUNK, count;
        rc = sync_sf_soql_in(&q, object, must, fields, field, values + at, m, extra, order);
        if (rc)
            rc = sync_err_set(err, rc, "salesforce: cannot build an IN query on %s.%s", object,
                              field);
        else
            rc = run_query(c, sync_buf_str(&q), 0, out, &count, NULL, err);
        sync_buf_release(&q);
    }
    return rc;
}

static enum sync_rc sf_fetch(struct sync_conn *c, const char *object, const char *id_field,
                             const char *const *ids, size_t n, const char *const *fields,
                             struct sync_conn_batch *out, struct sync_err *err)
{
    if (!sync_sf_soql_ident(object))
        return sync_err_set(err, SYNC_ERR_INVALID, "salesforce: bad object name");
    if (!id_field || strcasecmp(id_field, "Id") == 0)
        return fetch_by_id(c, object, ids, n, fields, out, err);
    {
        const char *must[] = {"SystemModstamp", id_field, NULL};
        return query_in(c, object, must, fields, id_field, ids, n, NULL, NULL, out, err);
    }
}

static enum sync_rc sf_find_people(struct sync_conn *c, const char *const *emails, size_t n,
                                   const char *const *fields, struct sync_conn_batch *out,
                                   struct sync_err *err)
{
    const char *must[] = {"Email", "CreatedDate", "SystemModstamp", NULL};
    enum sync_rc rc;

    if (n == 0)
        return SYNC_OK;
    rc = query_in(c, "Lead", must, fields, "Email", emails, n, "IsConverted = false",
                  "CreatedDate, Id", out, err);
    if (rc == SYNC_OK)
        rc = query_in(c, "Contact", must, fields, "Email", emails, n, NULL, "CreatedDate, Id", out,
                      err);
    return rc;
}

/* ---- writes ---- */

static json_t *write_body(enum sync_conn_op op, const char *object,
                          const struct sync_conn_rec *recs, const size_t *idx, size_t n)
{
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++) {
        const struct sync_conn_rec *r = &recs[idx[k]];
        json_t *o = json_pack("{s:{s:s}}", "attributes", "type", object);
        if (json_is_object(r->fields))
            json_object_update(o, r->fields);
        if (op == SYNC_CONN_UPSERT)
            json_object_set_new(o, SYNC_SF_LINK_FIELD, json_string(r->link_id ? r->link_id : ""));
        else if (op != SYNC_CONN_CREATE)
            json_object_set_new(o, "id", json_string(r->id ? r->id : ""));
        json_array_append_new(arr, o);
    }
    return json_pack("{s:b, s:o}", "allOrNone", 0, "records", arr);
}

static void item_result(const json_t *item, struct sync_conn_result *res)
{
    const char *id = sync_json_str(item, "id");
    if (sync_json_bool(item, "success", 0)) {
        res->outcome = SYNC_CONN_OK;
        snprintf(res->id, sizeof(res->id), "%s", id ? id : "");
        res->created = sync_json_bool(item, "created", 0);
        return;
    }
    {
        int64_t ra;
        res->outcome = SYNC_CONN_FAILED;
        if (id)
            snprintf(res->id, sizeof(res->id), "%s", id);
        sync_sf_error(item, 400, NULL, &res->err, &ra);
        res->err.http_status = 200;
    }
}

static enum sync_rc sf_write(struct sync_conn *c, enum sync_conn_op op, const char *object,
                             const struct sync_conn_rec *recs, const size_t *idx, size_t n,
                             struct sync_conn_result *res, struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(64 * 1024);
    unsigned flags = SYNC__CALL_WRITE;
    json_t *body = NULL, *ans = NULL;
    const char *method = "PATCH";
    enum sync_rc rc;

    if (!sync_sf_soql_ident(object))
        return sync_err_set(err, SYNC_ERR_INVALID, "salesforce: bad object name");
    if (recs[idx[0]].flags & SYNC_CONN_REC_ASSIGN)
        flags |= SYNC__CALL_ASSIGN;
    if (op == SYNC_CONN_DELETE) {
        method = "DELETE";
        rc = data_url(c, &url, "/composite/sobjects?allOrNone=false&ids=");
        for (size_t k = 0; k < n && rc == SYNC_OK; k++) {
            const char *id = recs[idx[k]].id ? recs[idx[k]].id : "";
            rc = k ? sync_buf_addch(&url, ',') : SYNC_OK;
            rc = rc ? rc : sync_url_encode(&url, id, strlen(id));
        }
    } else if (op == SYNC_CONN_UPSERT) {
        rc = data_url(c, &url, "/composite/sobjects/%s/%s", object, SYNC_SF_LINK_FIELD);
        body = write_body(op, object, recs, idx, n);
    } else if (op == SYNC_CONN_CREATE) {
        method = "POST";
        rc = data_url(c, &url, "/composite/sobjects");
        body = write_body(op, object, recs, idx, n);
    } else {
        rc = data_url(c, &url, "/composite/sobjects");
        body = write_body(op, object, recs, idx, n);
    }
    if (rc == SYNC_OK)
        rc = sync__conn_call_json(c, method, sync_buf_str(&url), body, flags, &ans, NULL, err);
    if (rc == SYNC_OK) {
        if (!json_is_array(ans)) {
            rc = sync_err_set(err, SYNC_ERR_PARSE, "salesforce: collections answer is not a list");
        } else {
            for (size_t k = 0; k < n && k < json_array_size(ans); k++)
                item_result(json_array_get(ans, k), &res[idx[k]]);
        }
    }
    json_decref(ans);
    json_decref(body);
    sync_buf_release(&url);
    return rc;
}

static enum sync_rc sf_ensure_link_field(struct sync_conn *c, const char *object,
                                         struct sync_err *err)
{
    struct sync_field_catalog cat;
    const struct sync_field_def *f;
    enum sync_rc rc = sync_conn_describe(c, object, &cat, err);

    if (rc)
        return rc;
    f = sync_field_catalog_find(&cat, SYNC_SF_LINK_FIELD);
    if (!f || !(f->flags & SYNC_FIELD_EXTERNAL_ID))
        rc = sync_err_vendor(err, 0, "LINK_FIELD_MISSING",
                             "%s has no external-id field %s: add it (Text(255), External ID, "
                             "Unique) in Setup",
                             object, SYNC_SF_LINK_FIELD);
    sync_field_catalog_release(&cat);
    return rc;
}

/* ---- users (the owner directory) ---- */

static enum sync_rc sf_list_owners(struct sync_conn *c, int include_inactive,
                                   struct sync_conn_batch *out, struct sync_err *err)
{
    struct sync_conn_batch raw;
    const char *soql = include_inactive ? "SELECT Id, Email, IsActive FROM User ORDER BY Id"
                                        : "SELECT Id, Email, IsActive FROM User WHERE IsActive = "
                                          "true ORDER BY Id";
    enum sync_rc rc;
    size_t count, i;
    json_t *r;

    sync_conn_batch_init(&raw);
    rc = run_query(c, soql, 0, &raw, &count, NULL, err);
    json_array_foreach(raw.records, i, r)
    {
        const char *id = sync_json_str(r, "Id"), *email = sync_json_str(r, "Email");
        if (rc || !id)
            continue;
        json_array_append_new(out->records,
                              json_pack("{s:s, s:s?, s:b}", "id", id, "email", email, "active",
                                        json_is_true(json_object_get(r, "IsActive"))));
    }
    sync_conn_batch_release(&raw);
    out->done = 1;
    return rc;
}

enum sync_rc sync_sf_query(struct sync_conn *c, const char *soql, struct sync_conn_batch *out,
                           int64_t *total, struct sync_err *err)
{
    size_t count;
    return run_query(c, soql, 0, out, &count, total, err);
}

const struct sync_conn_ops sync_salesforce_ops = {
    .name = "salesforce",
    .vendor = SYNC_VENDOR_SALESFORCE,
    .max_write = 200,
    .max_fetch = 2000,
    .setup = sf_setup,
    .cleanup = NULL,
    .authenticate = sf_authenticate,
    .refresh_due = NULL,
    .headers = sf_headers,
    .usage = sf_usage,
    .error = sf_error,
    .describe = sf_describe,
    .read_changes = sf_read_changes,
    .read_deletes = sf_read_deletes,
    .fetch = sf_fetch,
    .find_people = sf_find_people,
    .write = sf_write,
    .ensure_link_field = sf_ensure_link_field,
    .list_owners = sf_list_owners,
    .list_stages = sync_sf_list_stages,
};
