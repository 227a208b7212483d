/*
 * connector.c: the vendor-neutral half of every connector (see
 * connector.h). It owns the connector's life cycle, the one request path
 * (pacing, headers, re-login once, retries with backoff, usage reports,
 * ambiguous writes), chunking of writes and fetches, per-record retries,
 * and the batch and catalogue helpers. It is the only caller of the
 * vendor tables in salesforce.c and hubspot.c; the engine calls the
 * sync_conn_* functions.
 */
#include "connectors/connector_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/json.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"

/* ---- clock and sleep (test seams) ---- */

int64_t sync__conn_now(const struct sync_conn *c)
{
    return c->cfg.now_ms ? c->cfg.now_ms() : sync_time_now_ms();
}

static void conn_sleep(struct sync_conn *c, int64_t ms)
{
    struct timespec ts;
    if (c->cfg.sleep_ms) {
        c->cfg.sleep_ms(ms > 0 ? ms : 0); /* every wait, zero ones too: tests count retries */
        return;
    }
    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* ---- life cycle ---- */

static const char *keep(struct sync_conn *c, const char *s)
{
    char *d;
    if (!s || c->nowned >= sizeof(c->owned) / sizeof(c->owned[0]))
        return NULL;
    d = strdup(s);
    if (d)
        c->owned[c->nowned++] = d;
    return d;
}

static const struct sync_conn_ops *ops_for(enum sync_vendor v)
{
    switch (v) {
    case SYNC_VENDOR_SALESFORCE:
        return &sync_salesforce_ops;
    case SYNC_VENDOR_HUBSPOT:
        return &sync_hubspot_ops;
    }
    return NULL;
}

static void default_rates(struct sync_conn *c)
{
    struct sync_conn_config *k = &c->cfg;
    if (k->rate.limit <= 0 && k->rate.window_ms <= 0) {
        if (k->vendor == SYNC_VENDOR_HUBSPOT) {
            k->rate.limit = 190;
            k->rate.window_ms = 10000;
        } else {
            /* Salesforce has no per-second limit (only the daily budget and 25 concurrent
             * long-running requests); this only keeps a runaway loop from spending the day's
             * budget in minutes */
            k->rate.limit = 100;
            k->rate.window_ms = 1000;
        }
    }
    if (k->search_rate.limit <= 0 && k->search_rate.window_ms <= 0) {
        k->search_rate.limit = 5;
        k->search_rate.window_ms = 1000;
        k->search_rate.burst = 1;
    }
    if (k->daily_share <= 0 || k->daily_share > 1)
        k->daily_share = 0.5;
    if (k->search_settle_ms <= 0)
        k->search_settle_ms = 5000;
    if (k->refresh_ahead_ms <= 0)
        k->refresh_ahead_ms = 5 * 60 * 1000;
}

struct sync_conn *sync_conn_new(const struct sync_conn_config *cfg, struct sync_err *err)
{
    const struct sync_conn_ops *ops = cfg ? ops_for(cfg->vendor) : NULL;
    struct sync_conn *c;

    if (!ops) {
        sync_err_set(err, SYNC_ERR_INVALID, "unknown vendor");
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
        return NULL;
    }
    c->ops = ops;
    c->cfg = *cfg;
    c->cfg.login_url = keep(c, cfg->login_url);
    c->cfg.base_url = keep(c, cfg->base_url);
    c->cfg.api_version = keep(c, cfg->api_version);
    c->cfg.client_id = keep(c, cfg->client_id);
    c->cfg.client_secret = keep(c, cfg->client_secret);
    c->cfg.username = keep(c, cfg->username);
    c->cfg.password = keep(c, cfg->password);
    c->cfg.security_token = keep(c, cfg->security_token);
    c->cfg.refresh_token = keep(c, cfg->refresh_token);
    c->cfg.access_token = keep(c, cfg->access_token);
    default_rates(c);
    c->daily_used = c->daily_limit = -1;
    c->rng = sync_pace_seed();
    if (cfg->http) {
        c->http = cfg->http;
    } else {
        if (sync_http_client_init(&c->own_http, cfg->max_body) != SYNC_OK) {
            sync_err_set(err, SYNC_ERR_NOMEM, "cannot set up the HTTP client");
            free(c);
            return NULL;
        }
        c->own_http_ready = 1;
        c->http = &c->own_http;
    }
    sync_bucket_init(&c->own_bucket, &c->cfg.rate, sync__conn_now(c));
    sync_bucket_init(&c->own_search, &c->cfg.search_rate, sync__conn_now(c));
    c->bucket = cfg->bucket ? cfg->bucket : &c->own_bucket;
    c->search = cfg->search_bucket ? cfg->search_bucket : &c->own_search;
    if (c->cfg.refresh_token)
        snprintf(c->refresh_token, sizeof(c->refresh_token), "%s", c->cfg.refresh_token);
    if (ops->setup(c, err) != SYNC_OK) {
        sync_conn_free(c);
        return NULL;
    }
    return c;
}

void sync_conn_free(struct sync_conn *c)
{
    if (!c)
        return;
    if (c->ops->cleanup)
        c->ops->cleanup(c);
    if (c->own_http_ready)
        sync_http_client_release(&c->own_http);
    sync_bucket_release(&c->own_bucket);
    sync_bucket_release(&c->own_search);
    for (size_t i = 0; i < c->nowned; i++)
        free(c->owned[i]);
    free(c);
}

enum sync_vendor sync_conn_vendor(const struct sync_conn *c)
{
    return c->ops->vendor;
}

/* ---- usage ---- */

void sync__conn_report_usage(struct sync_conn *c, const struct sync_conn_usage *u)
{
    if (u->daily_limit >= 0) {
        c->daily_used = u->daily_used;
        c->daily_limit = u->daily_limit;
    }
    if (u->window_remaining >= 0)
        sync_bucket_cap(c->bucket, (double)u->window_remaining, sync__conn_now(c));
    if (c->cfg.on_usage)
        c->cfg.on_usage(c->cfg.usage_arg, u);
}

/* Salesforce: stop before our share of the org's daily budget is gone. */
static enum sync_rc budget_check(struct sync_conn *c, unsigned flags, struct sync_err *err)
{
    if (c->ops->vendor != SYNC_VENDOR_SALESFORCE || (flags & SYNC__CALL_NOAUTH) ||
        c->daily_limit <= 0)
        return SYNC_OK;
    if ((double)c->daily_used < c->cfg.daily_share * (double)c->daily_limit)
        return SYNC_OK;
    sync_err_vendor(err, 0, SYNC_CONN_BUDGET_CODE,
                    "our share of the daily API budget is used: %lld of %lld calls (share %.2f)",
                    c->daily_used, c->daily_limit, c->cfg.daily_share);
    err->cls = SYNC_ERRCLASS_RATELIMITED;
    return SYNC_ERR_VENDOR;
}

/* ---- the request path ---- */

static void pace_wait(struct sync_conn *c, unsigned flags)
{
    struct sync_bucket *b = (flags & SYNC__CALL_SEARCH) ? c->search : c->bucket;
    int64_t wait, waited = 0;
    while ((wait = sync_bucket_take(b, sync__conn_now(c))) > 0) {
        conn_sleep(c, wait);
        waited += wait;
    }
    if (waited)
        sync_debug("pace", "%s: waited %lld ms for the %s budget",
                   c->cfg.vendor == SYNC_VENDOR_HUBSPOT ? "hubspot" : "salesforce",
                   (long long)waited, b == c->search ? "search" : "request");
}

static enum sync_rc ensure_auth(struct sync_conn *c, struct sync_err *err)
{
    if (c->authed && !(c->ops->refresh_due && c->ops->refresh_due(c)))
        return SYNC_OK;
    return sync_conn_authenticate(c, err);
}

enum sync_rc sync_conn_authenticate(struct sync_conn *c, struct sync_err *err)
{
    enum sync_rc rc;
    c->authed = 0;
    rc = c->ops->authenticate(c, err);
    if (rc == SYNC_OK)
        c->authed = 1;
    return rc;
}

static size_t build_headers(struct sync_conn *c, unsigned flags, char hdr[][512], const char **hp,
                            size_t max)
{
    size_t n = c->ops->headers(c, flags, hdr, max - 2);
    if (flags & SYNC__CALL_FORM)
        snprintf(hdr[n++], 512, "Content-Type: application/x-www-form-urlencoded");
    else if (flags & SYNC__CALL_JSON)
        snprintf(hdr[n++], 512, "Content-Type: application/json");
    for (size_t i = 0; i < n; i++)
        hp[i] = hdr[i];
    hp[n] = NULL;
    return n;
}

static enum sync_rc ambiguous(struct sync_err *err, const char *url, const struct sync_err *why)
{
    sync_err_set(err, SYNC_ERR_HTTP, "no answer after the request was sent to %s (%s)", url,
                 why->message);
    snprintf(err->code, sizeof(err->code), "%s", SYNC_CONN_AMBIGUOUS_CODE);
    err->cls = SYNC_ERRCLASS_RETRYABLE;
    return SYNC_ERR_HTTP;
}

static enum sync_rc answer_json(struct sync_http_resp *resp, json_t **out, struct sync_err *err)
{
    if (!out)
        return SYNC_OK;
    *out = NULL;
    if (resp->body.len == 0)
        return SYNC_OK;
    *out = sync_json_parse(resp->body.data, resp->body.len, err);
    return *out ? SYNC_OK : SYNC_ERR_PARSE;
}

/* One request in the process's metrics: crmsync_api_calls_total by vendor and result (ok: 2xx;
 * error: another status; failed: no answer), and its time. */
static void call_count(const struct sync_conn *c, long status, int64_t ms)
{
    const char *vendor = c->cfg.vendor == SYNC_VENDOR_HUBSPOT ? "hubspot" : "salesforce";
    char labels[64];

    snprintf(labels, sizeof(labels), "vendor=\"%s\",result=\"%s\"", vendor,
             status >= 200 && status < 300 ? "ok"
             : status                      ? "error"
                                           : "failed");
    sync_metrics_count("crmsync_api_calls_total", labels, 1,
                       "requests crmsync sent to each vendor, by result");
    snprintf(labels, sizeof(labels), "vendor=\"%s\"", vendor);
    sync_metrics_observe("crmsync_api_request_seconds", labels, (double)ms / 1000.0,
                         "how long a vendor request took, start to answer");
}

enum sync_rc sync__conn_call(struct sync_conn *c, const char *method, const char *url,
                             const char *body, size_t body_len, unsigned flags, json_t **out,
                             long *status, struct sync_err *err)
{
    int attempt = 0, relogged = 0, max = sync_retry_max_attempts(&c->cfg.retry);
    int64_t started;
    char hdr[16][512];
    const char *hp[18];
    enum sync_rc rc;

    if (out)
        *out = NULL;
    if (status)
        *status = 0;
    for (;;) {
        struct sync_http_req req = {
            method, url, hp, body, body_len, c->cfg.timeout_ms, (flags & SYNC__CALL_WRITE) != 0};
        struct sync_http_resp resp;
        struct sync_err lerr = SYNC_ERR_INIT;
        int64_t ra = -1;
        int expired;

        if (!(flags & SYNC__CALL_NOAUTH) && (rc = ensure_auth(c, err)) != SYNC_OK)
            return rc;
        if ((rc = budget_check(c, flags, err)) != SYNC_OK)
            return rc;
        pace_wait(c, flags);
        build_headers(c, flags, hdr, hp, 16);
        started = sync_time_monotonic_ms();
        rc = sync_http_client_do(c->http, &req, &resp, &lerr);
        c->calls++;
        call_count(c, rc == SYNC_OK ? resp.status : 0, sync_time_monotonic_ms() - started);
        if (rc != SYNC_OK) {
            int amb = resp.ambiguous;
            sync_http_resp_release(&resp);
            if (rc == SYNC_ERR_TOO_LARGE) {
                *err = lerr;
                return rc;
            }
            if (amb && (flags & SYNC__CALL_WRITE))
                return ambiguous(err, url, &lerr);
            if (++attempt < max) {
                conn_sleep(c, sync_backoff_ms(&c->cfg.retry, attempt - 1, 0, &c->rng));
                continue;
            }
            if (err)
                *err = lerr;
            return rc;
        }
        c->ops->usage(c, &resp);
        if (status)
            *status = resp.status;
        if (resp.status >= 200 && resp.status < 300) {
            rc = answer_json(&resp, out, err);
            sync_http_resp_release(&resp);
            return rc;
        }
        expired = c->ops->error(c, &resp, &lerr, &ra);
        sync_http_resp_release(&resp);
        if (expired && !(flags & SYNC__CALL_NOAUTH) && !relogged) {
            relogged = 1;
            c->authed = 0;
            continue;
        }
        if (lerr.cls == SYNC_ERRCLASS_RATELIMITED && ra >= 0)
            sync_bucket_hold((flags & SYNC__CALL_SEARCH) ? c->search : c->bucket,
                             sync__conn_now(c) + ra);
        if ((lerr.cls == SYNC_ERRCLASS_RETRYABLE ||
             (lerr.cls == SYNC_ERRCLASS_RATELIMITED && ra >= 0)) &&
            ++attempt < max) {
            sync_debug("connector", "%s %s: %d %s, retry %d", method, url, lerr.http_status,
                       lerr.code, attempt);
            conn_sleep(c, sync_backoff_ms(&c->cfg.retry, attempt - 1, ra, &c->rng));
            continue;
        }
        if (err)
            *err = lerr;
        return SYNC_ERR_VENDOR;
    }
}

enum sync_rc sync__conn_call_json(struct sync_conn *c, const char *method, const char *url,
                                  const json_t *body, unsigned flags, json_t **out, long *status,
                                  struct sync_err *err)
{
    struct sync_buf b = SYNC_BUF_INIT(64 * 1024 * 1024);
    enum sync_rc rc = SYNC_OK;

    if (body && (rc = sync_json_dump(body, &b)) != SYNC_OK) {
        sync_buf_release(&b);
        return sync_err_set(err, rc, "request body too large");
    }
    rc = sync__conn_call(c, method, url, body ? sync_buf_str(&b) : NULL, b.len,
                         flags | (body ? SYNC__CALL_JSON : 0), out, status, err);
    sync_buf_release(&b);
    return rc;
}

int sync_conn_err_ambiguous(const struct sync_err *err)
{
    return err && strcmp(err->code, SYNC_CONN_AMBIGUOUS_CODE) == 0;
}

/* ---- batches and catalogues ---- */

void sync_conn_batch_init(struct sync_conn_batch *b)
{
    memset(b, 0, sizeof(*b));
    b->records = json_array();
}

void sync_conn_batch_release(struct sync_conn_batch *b)
{
    json_decref(b->records);
    b->records = NULL;
}

void sync__batch_append(struct sync_conn_batch *out, json_t *rec)
{
    if (!out->records)
        out->records = json_array();
    json_array_append(out->records, rec);
}

void sync_field_catalog_release(struct sync_field_catalog *cat)
{
    for (size_t i = 0; i < cat->n; i++)
        free(cat->fields[i].options);
    free(cat->fields);
    json_decref(cat->raw);
    memset(cat, 0, sizeof(*cat));
}

const struct sync_field_def *sync_field_catalog_find(const struct sync_field_catalog *cat,
                                                     const char *name)
{
    for (size_t i = 0; i < cat->n; i++)
        if (strcasecmp(cat->fields[i].name, name) == 0)
            return &cat->fields[i];
    return NULL;
}

/* ---- operations ---- */

enum sync_rc sync_conn_describe(struct sync_conn *c, const char *object,
                                struct sync_field_catalog *out, struct sync_err *err)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->object, sizeof(out->object), "%s", object);
    return c->ops->describe(c, object, out, err);
}

enum sync_rc sync_conn_read_changes(struct sync_conn *c, const struct sync_conn_window *w,
                                    struct sync_conn_batch *out, struct sync_err *err)
{
    if (!out->records)
        sync_conn_batch_init(out);
    return c->ops->read_changes(c, w, out, err);
}

enum sync_rc sync_conn_read_deletes(struct sync_conn *c, const char *object, int64_t start_ms,
                                    int64_t end_ms, struct sync_conn_batch *out,
                                    struct sync_err *err)
{
    if (!out->records)
        sync_conn_batch_init(out);
    return c->ops->read_deletes(c, object, start_ms, end_ms, out, err);
}

enum sync_rc sync_conn_fetch(struct sync_conn *c, const char *object, const char *id_field,
                             const char *const *ids, size_t n, const char *const *fields,
                             struct sync_conn_batch *out, struct sync_err *err)
{
    enum sync_rc rc = SYNC_OK;
    if (!out->records)
        sync_conn_batch_init(out);
    for (size_t at = 0; at < n && rc == SYNC_OK; at += c->ops->max_fetch) {
        size_t m = n - at < c->ops->max_fetch ? n - at : c->ops->max_fetch;
        rc = c->ops->fetch(c, object, id_field, ids + at, m, fields, out, err);
    }
    return rc;
}

enum sync_rc sync_conn_find_people(struct sync_conn *c, const char *const *emails, size_t n,
                                   const char *const *fields, struct sync_conn_batch *out,
                                   struct sync_err *err)
{
    if (!out->records)
        sync_conn_batch_init(out);
    return c->ops->find_people(c, emails, n, fields, out, err);
}

enum sync_rc sync_conn_read_back(struct sync_conn *c, const char *object,
                                 const char *const *link_ids, size_t n, const char *const *fields,
                                 struct sync_conn_batch *out, struct sync_err *err)
{
    const char *f =
        c->ops->vendor == SYNC_VENDOR_SALESFORCE ? SYNC_SF_LINK_FIELD : SYNC_HS_LINK_PROPERTY;
    return sync_conn_fetch(c, object, f, link_ids, n, fields, out, err);
}

enum sync_rc sync_conn_ensure_link_field(struct sync_conn *c, const char *object,
                                         struct sync_err *err)
{
    return c->ops->ensure_link_field(c, object, err);
}

enum sync_rc sync_conn_list_owners(struct sync_conn *c, int include_inactive,
                                   struct sync_conn_batch *out, struct sync_err *err)
{
    if (!out->records)
        sync_conn_batch_init(out);
    if (!out->records)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    return c->ops->list_owners(c, include_inactive, out, err);
}

enum sync_rc sync_conn_read_assoc(struct sync_conn *c, const char *from_object,
                                  const char *to_object, const char *const *ids, size_t n,
                                  struct sync_conn_batch *out, struct sync_err *err)
{
    size_t chunk = c->ops->max_assoc_read ? c->ops->max_assoc_read : 100;
    enum sync_rc rc = SYNC_OK;

    if (!out->records)
        sync_conn_batch_init(out);
    if (!c->ops->read_assoc)
        return sync_err_set(err, SYNC_ERR_INVALID, "%s keeps no association records", c->ops->name);
    for (size_t at = 0; at < n && rc == SYNC_OK; at += chunk) {
        size_t m = n - at < chunk ? n - at : chunk;
        rc = c->ops->read_assoc(c, from_object, to_object, ids + at, m, out, err);
    }
    return rc;
}

enum sync_rc sync_conn_associate(struct sync_conn *c, const char *from_object,
                                 const char *to_object, const struct sync_conn_assoc *pairs,
                                 size_t n, int remove, struct sync_conn_result *res,
                                 struct sync_err *err)
{
    size_t chunk = c->ops->max_assoc_write ? c->ops->max_assoc_write : 100;
    enum sync_rc rc = SYNC_OK;

    memset(res, 0, n * sizeof(*res));
    if (!c->ops->associate)
        return sync_err_set(err, SYNC_ERR_INVALID, "%s keeps no association records", c->ops->name);
    for (size_t at = 0; at < n && rc == SYNC_OK; at += chunk) {
        size_t m = n - at < chunk ? n - at : chunk;
        rc = c->ops->associate(c, from_object, to_object, pairs + at, m, remove, res + at, err);
    }
    return rc;
}

enum sync_rc sync_conn_list_stages(struct sync_conn *c, int tickets, struct sync_conn_batch *out,
                                   struct sync_err *err)
{
    if (!out->records)
        sync_conn_batch_init(out);
    if (!out->records)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (!c->ops->list_stages)
        return sync_err_set(err, SYNC_ERR_INVALID, "%s has no deal stages", c->ops->name);
    return c->ops->list_stages(c, tickets, out, err);
}

/* ---- writes ---- */

static void mark(struct sync_conn_result *res, const size_t *idx, size_t m,
                 enum sync_conn_outcome o, const struct sync_err *e)
{
    for (size_t k = 0; k < m; k++) {
        res[idx[k]].outcome = o;
        res[idx[k]].err = *e;
    }
}

/* Sends the pending records whose flags equal `flags`, in chunks. Returns a call-level rc that
 * must stop the whole write (rate limit, auth), else SYNC_OK. */
static enum sync_rc write_group(struct sync_conn *c, enum sync_conn_op op, const char *object,
                                const struct sync_conn_rec *recs, size_t n, unsigned flags,
                                struct sync_conn_result *res, int *tries, size_t *idx,
                                struct sync_err *err)
{
    size_t m = 0;
    for (size_t i = 0; i <= n; i++) {
        int take = i < n && res[i].outcome == SYNC_CONN_NOT_SENT &&
                   (recs[i].flags & SYNC_CONN_REC_ASSIGN) == flags;
        struct sync_err cerr = SYNC_ERR_INIT;
        enum sync_rc rc;
        if (take)
            idx[m++] = i;
        if (m == 0 || (m < c->ops->max_write && i < n))
            continue;
        for (size_t k = 0; k < m; k++)
            tries[idx[k]]++;
        rc = c->ops->write(c, op, object, recs, idx, m, res, &cerr);
        if (rc == SYNC_OK) {
            struct sync_err none = SYNC_ERR_INIT;
            sync_err_set(&none, SYNC_ERR_HTTP, "the vendor's answer had no result for this record");
            snprintf(none.code, sizeof(none.code), "%s", SYNC_CONN_AMBIGUOUS_CODE);
            for (size_t k = 0; k < m; k++)
                if (res[idx[k]].outcome == SYNC_CONN_NOT_SENT)
                    mark(res, &idx[k], 1, SYNC_CONN_AMBIGUOUS, &none);
        } else if (sync_conn_err_ambiguous(&cerr)) {
            mark(res, idx, m, SYNC_CONN_AMBIGUOUS, &cerr);
        } else if (cerr.cls == SYNC_ERRCLASS_RATELIMITED || cerr.http_status == 401) {
            for (size_t k = 0; k < m; k++)
                res[idx[k]].err = cerr; /* stays NOT_SENT */
            if (err)
                *err = cerr;
            return rc;
        } else {
            mark(res, idx, m, SYNC_CONN_FAILED, &cerr);
        }
        m = 0;
    }
    return SYNC_OK;
}

enum sync_rc sync_conn_write(struct sync_conn *c, enum sync_conn_op op, const char *object,
                             const struct sync_conn_rec *recs, size_t n,
                             struct sync_conn_result *res, struct sync_err *err)
{
    int max = sync_retry_max_attempts(&c->cfg.retry);
    int *tries = calloc(n ? n : 1, sizeof(*tries));
    size_t *idx = calloc(c->ops->max_write, sizeof(*idx));
    enum sync_rc rc = SYNC_OK;
    size_t namb = 0;

    if (!tries || !idx) {
        free(tries);
        free(idx);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    memset(res, 0, n * sizeof(*res));
    for (int round = 0; rc == SYNC_OK; round++) {
        size_t pending = 0;
        for (size_t i = 0; i < n; i++)
            pending += res[i].outcome == SYNC_CONN_NOT_SENT;
        if (!pending)
            break;
        if (round > 0)
            conn_sleep(c, sync_backoff_ms(&c->cfg.retry, round - 1, 0, &c->rng));
        rc = write_group(c, op, object, recs, n, 0, res, tries, idx, err);
        if (rc == SYNC_OK)
            rc = write_group(c, op, object, recs, n, SYNC_CONN_REC_ASSIGN, res, tries, idx, err);
        for (size_t i = 0; i < n && rc == SYNC_OK; i++) {
            /* per-record retryable failures (row locks) go again, alone */
            if (res[i].outcome == SYNC_CONN_FAILED && res[i].err.cls == SYNC_ERRCLASS_RETRYABLE &&
                tries[i] < max)
                res[i].outcome = SYNC_CONN_NOT_SENT;
        }
    }
    for (size_t i = 0; i < n; i++)
        namb += res[i].outcome == SYNC_CONN_AMBIGUOUS;
    free(tries);
    free(idx);
    if (rc != SYNC_OK)
        return rc;
    if (namb) {
        sync_err_set(err, SYNC_ERR_HTTP, "%zu of %zu records have an unknown outcome", namb, n);
        if (err) {
            snprintf(err->code, sizeof(err->code), "%s", SYNC_CONN_AMBIGUOUS_CODE);
            err->cls = SYNC_ERRCLASS_RETRYABLE;
        }
        return SYNC_ERR_HTTP;
    }
    return SYNC_OK;
}
