/*
 * routes.c: the one route table of the Salesforce emulator and the
 * dispatcher around it.
 *
 * A route is a method, a path pattern ({name} matches one segment, vXX.X
 * an API version), a handler and flags: whether it is a data API call
 * (authenticated, counted against the daily limit, subject to faults,
 * answered with Sforce-Limit-Info), whether it writes (write lock,
 * drop-before/after-commit faults) or reads (read lock), a control call
 * (/__emu: none of that), and the API version it needs.
 *
 * The HTTP entry point (routes_http) builds the call context, applies
 * auth, limits and faults, takes the org lock the route asks for, runs
 * the handler and serialises its answer. Composite subrequests go through
 * routes_invoke with the caller's lock held.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "emulators/salesforce/api.h"

enum {
    R_API = 1 << 0,     /* data API: auth, limits, faults, usage header */
    R_WRITE = 1 << 1,   /* write lock; drop faults apply */
    R_READ = 1 << 2,    /* read lock */
    R_CONTROL = 1 << 3, /* /__emu: never authenticated, counted or faulted */
    R_OPEN = 1 << 4,    /* OAuth, versions, identity: no bearer token, not counted */
    R_V42 = 1 << 5,     /* needs API v42.0+ (sObject Collections) */
    R_V46 = 1 << 6,     /* needs API v46.0+ (Collections upsert) */
    R_NOSUB = 1 << 7    /* not allowed as a Composite subrequest */
};

struct route {
    const char *method;
    const char *pattern;
    void (*fn)(struct sf_call *c);
    unsigned flags;
};

#define DATA "/services/data/vXX.X"

static const struct route routes[] = {
    {"GET", "/services/data", h_versions, R_OPEN | R_NOSUB},
    {"GET", DATA, h_version_root, R_API | R_READ},
    {"GET", DATA "/limits", h_limits, R_API},
    {"GET", DATA "/limits/recordCount", h_record_count, R_API | R_READ},
    {"GET", DATA "/sobjects", h_describe_global, R_API | R_READ},
    {"GET", DATA "/sobjects/{object}", h_sobject_info, R_API | R_READ},
    {"POST", DATA "/sobjects/{object}", h_sobject_create, R_API | R_WRITE},
    {"GET", DATA "/sobjects/{object}/describe", h_describe, R_API | R_READ},
    {"GET", DATA "/sobjects/{object}/updated", h_updated, R_API | R_READ},
    {"GET", DATA "/sobjects/{object}/deleted", h_deleted, R_API | R_READ},
    {"GET", DATA "/sobjects/{object}/{id}", h_sobject_get, R_API | R_READ},
    {"PATCH", DATA "/sobjects/{object}/{id}", h_sobject_update, R_API | R_WRITE},
    {"DELETE", DATA "/sobjects/{object}/{id}", h_sobject_delete, R_API | R_WRITE},
    {"POST", DATA "/sobjects/{object}/{field}", h_sobject_upsert_post, R_API | R_WRITE},
    {"GET", DATA "/sobjects/{object}/{field}/{value}", h_sobject_by_ext, R_API | R_READ},
    {"PATCH", DATA "/sobjects/{object}/{field}/{value}", h_sobject_upsert, R_API | R_WRITE},
    {"DELETE", DATA "/sobjects/{object}/{field}/{value}", h_sobject_upsert_delete, R_API | R_WRITE},
    {"GET", DATA "/query", h_query, R_API | R_READ},
    {"GET", DATA "/query/{locator}", h_query_more, R_API | R_READ},
    {"GET", DATA "/queryAll", h_query_all, R_API | R_READ},
    {"GET", DATA "/queryAll/{locator}", h_query_more, R_API | R_READ},
    {"POST", DATA "/composite/sobjects", h_coll_create, R_API | R_WRITE | R_V42},
    {"PATCH", DATA "/composite/sobjects", h_coll_update, R_API | R_WRITE | R_V42},
    {"DELETE", DATA "/composite/sobjects", h_coll_delete, R_API | R_WRITE | R_V42},
    {"GET", DATA "/composite/sobjects/{object}", h_coll_retrieve, R_API | R_READ | R_V42},
    {"POST", DATA "/composite/sobjects/{object}", h_coll_retrieve, R_API | R_READ | R_V42},
    {"PATCH", DATA "/composite/sobjects/{object}/{field}", h_coll_upsert, R_API | R_WRITE | R_V46},
    {"POST", DATA "/composite", h_composite, R_API | R_WRITE | R_NOSUB},
    {"POST", "/services/oauth2/token", h_oauth_token, R_OPEN | R_READ | R_NOSUB},
    {"POST", "/services/oauth2/revoke", h_oauth_revoke, R_OPEN | R_NOSUB},
    {"GET", "/services/oauth2/authorize", h_oauth_authorize, R_OPEN | R_READ | R_NOSUB},
    {"GET", "/services/oauth2/userinfo", h_userinfo, R_OPEN | R_READ | R_NOSUB},
    {"GET", "/id/{org}/{user}", h_identity, R_OPEN | R_READ | R_NOSUB},
    {"POST", "/services/Soap/u/{version}", h_soap_login, R_OPEN | R_READ | R_NOSUB},
    {"POST", "/__emu/reset", h_emu_reset, R_CONTROL | R_WRITE},
    {"POST", "/__emu/seed", h_emu_seed, R_CONTROL | R_WRITE},
    {"GET", "/__emu/stats", h_emu_stats, R_CONTROL | R_READ},
    {"POST", "/__emu/stats/reset", h_emu_stats_reset, R_CONTROL},
    {"GET", "/__emu/faults", h_emu_faults_get, R_CONTROL},
    {"PUT", "/__emu/faults", h_emu_faults_put, R_CONTROL},
    {"DELETE", "/__emu/faults", h_emu_faults_delete, R_CONTROL},
    {"GET", "/__emu/limits", h_emu_limits_get, R_CONTROL},
    {"PUT", "/__emu/limits", h_emu_limits_put, R_CONTROL},
    {"GET", "/__emu/clock", h_emu_clock_get, R_CONTROL},
    {"PUT", "/__emu/clock", h_emu_clock_put, R_CONTROL},
    {"GET", "/__emu/settings", h_emu_settings_get, R_CONTROL | R_READ},
    {"PUT", "/__emu/settings", h_emu_settings_put, R_CONTROL | R_WRITE},
    {"POST", "/__emu/sessions/expire", h_emu_sessions_expire, R_CONTROL},
    {"POST", "/__emu/merge", h_emu_merge, R_CONTROL | R_WRITE},
    {"POST", "/__emu/convert-lead", h_emu_convert_lead, R_CONTROL | R_WRITE},
    {"GET", "/__emu/validation-rules", h_emu_vrules_get, R_CONTROL | R_READ},
    {"POST", "/__emu/validation-rules", h_emu_vrules_post, R_CONTROL | R_WRITE},
    {"DELETE", "/__emu/validation-rules", h_emu_vrules_delete, R_CONTROL | R_WRITE},
    {"GET", "/__emu/duplicate-rules", h_emu_duprules_get, R_CONTROL | R_READ},
    {"POST", "/__emu/duplicate-rules", h_emu_duprules_post, R_CONTROL | R_WRITE},
    {"DELETE", "/__emu/duplicate-rules", h_emu_duprules_delete, R_CONTROL | R_WRITE},
    {"POST", "/__emu/locks", h_emu_locks, R_CONTROL | R_WRITE},
    {"PUT", "/__emu/permissions", h_emu_permissions, R_CONTROL | R_WRITE},
    {"PUT", "/__emu/assignment-rules", h_emu_assignment, R_CONTROL | R_WRITE},
    {"PUT", "/__emu/late-commits", h_emu_late_commits, R_CONTROL | R_WRITE},
    {"POST", "/__emu/purge-deleted", h_emu_purge, R_CONTROL | R_WRITE},
    {"POST", "/__emu/undelete", h_emu_undelete, R_CONTROL | R_WRITE},
    {"GET", "/__emu/changes", h_emu_changes, R_CONTROL | R_READ},
    {"GET", "/__emu/records/{object}", h_emu_records, R_CONTROL | R_READ},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* ---- matching ---- */

/* Matches one "vNN.N" segment; fills version. */
static int match_version(const char *seg, size_t n, char version[8], int *num)
{
    int major = 0;
    size_t i = 1;
    if (n == 6 && strncmp(seg, "latest", 6) == 0) {
        snprintf(version, 8, "%d.0", SF_MAX_VERSION);
        *num = SF_MAX_VERSION;
        return 0;
    }
    if (n < 4 || seg[0] != 'v')
        return -1;
    while (i < n && seg[i] >= '0' && seg[i] <= '9')
        major = major * 10 + (seg[i++] - '0');
    if (i == 1 || i + 2 != n || seg[i] != '.' || seg[i + 1] != '0')
        return -1;
    snprintf(version, 8, "%.*s", (int)(n - 1), seg + 1);
    *num = major;
    return 0;
}

/* Whether path matches pattern; fills params (pointers into pbuf) and the version. */
static int match_path(const char *pattern, const char *path, char *pbuf, size_t pbuflen,
                      struct sf_call *c)
{
    const char *p = pattern, *s = path;
    size_t used = 0;

    c->nparams = 0;
    while (*p && *s) {
        const char *pe, *se;
        size_t pn, sn;
        if (*p != '/' || *s != '/')
            return 0;
        p++;
        s++;
        pe = strchr(p, '/');
        se = strchr(s, '/');
        pn = pe ? (size_t)(pe - p) : strlen(p);
        sn = se ? (size_t)(se - s) : strlen(s);
        if (pn == 5 && strncmp(p, "vXX.X", 5) == 0) {
            if (match_version(s, sn, c->version, &c->version_num))
                return 0;
        } else if (pn > 2 && p[0] == '{') {
            if (sn == 0 || c->nparams >= sizeof(c->params) / sizeof(c->params[0]) ||
                used + sn + 1 > pbuflen)
                return 0;
            memcpy(pbuf + used, s, sn);
            pbuf[used + sn] = '\0';
            c->params[c->nparams++] = pbuf + used;
            used += sn + 1;
        } else if (pn != sn || strncmp(p, s, pn) != 0) {
            return 0;
        }
        p += pn;
        s += sn;
    }
    return *p == '\0' && *s == '\0';
}

/* The route for method and path; *path_matched says whether any method matched the path. */
static const struct route *find_route(struct sf_call *c, const char *method, const char *path,
                                      char *pbuf, size_t pbuflen, int *path_matched, char *allowed,
                                      size_t allowed_len)
{
    const struct route *hit = NULL;
    size_t used = 0;
    *path_matched = 0;
    if (allowed_len)
        allowed[0] = '\0';
    for (size_t i = 0; i < NROUTES; i++) {
        if (!match_path(routes[i].pattern, path, pbuf, pbuflen, c))
            continue;
        *path_matched = 1;
        if (!hit && strcmp(routes[i].method, method) == 0) {
            hit = &routes[i];
            break;
        }
        if (used < allowed_len)
            used += (size_t)snprintf(allowed + used, allowed_len - used, "%s%s", used ? "," : "",
                                     routes[i].method);
    }
    if (hit)
        match_path(hit->pattern, path, pbuf, pbuflen, c);
    return hit;
}

/* ---- request plumbing ---- */

static const char *http_header(void *ctx, const char *name)
{
    return sync_http_request_header(ctx, name);
}

static void parse_client(struct sf_call *c)
{
    const char *h = call_header(c, "Sforce-Call-Options");
    const char *p;
    size_t n;
    c->client[0] = '\0';
    if (!h)
        return;
    for (p = h; *p; p++) {
        if (strncasecmp(p, "client=", 7) == 0 &&
            (p == h || p[-1] == ' ' || p[-1] == ',' || p[-1] == ';')) {
            p += 7;
            n = strcspn(p, ",; ");
            snprintf(c->client, sizeof(c->client), "%.*s", (int)n, p);
            return;
        }
    }
}

/* A dropped connection is reset (RST), as when a proxy or a crashing server loses it: clients
 * see ECONNRESET rather than an orderly close. */
static void reset_on_close(struct sync_http_request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct linger lg = {1, 0};
    if (ci)
        setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void fault_answer(struct sf_call *c, int status)
{
    switch (status) {
    case 503:
        call_error(c, 503, "SERVER_UNAVAILABLE", "Server temporarily unavailable");
        break;
    case 429:
    case 420:
        call_error(c, status, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
        break;
    case 423:
        call_error(c, status, "UNABLE_TO_LOCK_ROW",
                   "unable to obtain exclusive access to this record");
        break;
    case 401:
        call_error(c, status, "INVALID_SESSION_ID", "Session expired or invalid");
        break;
    default:
        if (status >= 500)
            call_error(c, status, "UNKNOWN_EXCEPTION",
                       "An unexpected error occurred. Please include this ErrorId if you "
                       "contact support: 1938276341-21357 (-1182366384)");
        else
            call_error(c, status, "BAD_REQUEST", "The request could not be processed");
    }
}

static void lock_for(struct sf_server *srv, unsigned flags)
{
    if (flags & R_WRITE)
        pthread_rwlock_wrlock(&srv->org.lock);
    else if (flags & R_READ)
        pthread_rwlock_rdlock(&srv->org.lock);
}

static void unlock_for(struct sf_server *srv, unsigned flags)
{
    if (flags & (R_WRITE | R_READ))
        pthread_rwlock_unlock(&srv->org.lock);
}

static void usage_header(struct sf_server *srv, struct sync_http_response *res, int64_t now)
{
    char v[96];
    int64_t used, max;
    limits_usage(&srv->limits, now, &used, &max);
    snprintf(v, sizeof(v), "api-usage=%lld/%lld", (long long)used, (long long)max);
    sync_http_response_header(res, "Sforce-Limit-Info", v);
}

static void write_answer(struct sf_call *c, struct sync_http_response *res)
{
    if (c->out_text) {
        sync_http_response_text(res, c->status, c->out_type, c->out_text);
    } else {
        res->status = c->status ? c->status : 200;
        sync_buf_reset(&res->body);
        if (c->out)
            sync_json_dump(c->out, &res->body);
    }
    if (c->status == 302 && c->location[0])
        sync_http_response_header(res, "Location", c->location);
}

static void call_release(struct sf_call *c)
{
    json_decref(c->out);
    json_decref(c->body_owned);
    free(c->out_text);
    c->out = NULL;
    c->body_owned = NULL;
    c->out_text = NULL;
}

/* Parses a JSON body before the org lock is taken, so big Collections bodies do not hold up
 * other requests; a body that does not parse is left for the handler to report. */
static void prefetch_body(struct sf_call *c)
{
    const char *p = c->body;
    if (!p || !c->body_len)
        return;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (*p != '{' && *p != '[')
        return;
    c->body_owned = sync_json_parse(c->body, c->body_len, NULL);
    c->body_json = c->body_owned;
}

/* Checks the call's bearer token against the org's session settings (read under the org
 * lock); 0 with c->user_id filled, else the 401 or 403 answer is set. */
static int authenticate(struct sf_server *srv, struct sf_call *c)
{
    int64_t lifetime;
    int api_enabled;

    pthread_rwlock_rdlock(&srv->org.lock);
    lifetime = srv->org.settings.token_lifetime_s * 1000;
    api_enabled = srv->org.settings.api_enabled;
    pthread_rwlock_unlock(&srv->org.lock);
    if (auth_check(&srv->auth, call_header(c, "Authorization"), lifetime, sync_time_now_ms(),
                   c->user_id)) {
        call_error(c, 401, "INVALID_SESSION_ID", "Session expired or invalid");
        return -1;
    }
    if (!api_enabled) {
        call_error(c, 403, "API_DISABLED_FOR_ORG",
                   "The REST API is not enabled for this Organization.");
        return -1;
    }
    return 0;
}

/* Runs an authenticated data API call: limits, faults, lock, handler. */
static void run_api(struct sf_server *srv, const struct route *r, struct sf_call *c,
                    struct sync_http_response *res)
{
    enum emu_fault fault;
    int slot;

    if (authenticate(srv, c))
        return;
    slot = limits_enter(&srv->limits);
    if (slot < 0) {
        call_error(c, 403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.");
        usage_header(srv, res, c->now);
        return;
    }
    if (limits_take(&srv->limits, sync_time_now_ms())) {
        call_error(c, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
        usage_header(srv, res, c->now);
        limits_leave(&srv->limits, slot);
        return;
    }
    limits_stat(&srv->limits, c->method, r->pattern);
    if (((r->flags & R_V42) && c->version_num < 42) ||
        ((r->flags & R_V46) && c->version_num < 46)) {
        call_not_found(c);
        goto out;
    }
    fault = emu_faults_decide(&srv->faults, c->path, (r->flags & R_WRITE) != 0);
    c->now = org_now();
    c->view_now = sync_time_now_ms();
    if (fault == EMU_FAULT_ERROR) {
        int status;
        int64_t retry_after;
        pthread_mutex_lock(&srv->faults.lock);
        status = srv->faults.error_status;
        retry_after = srv->faults.retry_after_s;
        pthread_mutex_unlock(&srv->faults.lock);
        fault_answer(c, status);
        if (retry_after > 0) {
            char ra[24];
            snprintf(ra, sizeof(ra), "%lld", (long long)retry_after);
            sync_http_response_header(res, "Retry-After", ra);
        }
        goto out;
    }
    if (fault == EMU_FAULT_DROP_BEFORE) {
        res->drop = 1;
        goto out;
    }
    parse_client(c);
    prefetch_body(c);
    lock_for(srv, r->flags);
    r->fn(c);
    unlock_for(srv, r->flags);
    if (fault == EMU_FAULT_DROP_AFTER)
        res->drop = 1;
out:
    limits_leave(&srv->limits, slot);
    usage_header(srv, res, sync_time_now_ms());
}

static void base_url(struct sf_call *c, struct sync_http_request *req)
{
    const char *host = sync_http_request_header(req, "Host");
    const char *proto = sync_http_request_header(req, "X-Forwarded-Proto");
    snprintf(c->base_url, sizeof(c->base_url), "%s://%s", proto ? proto : "http",
             host ? host : "127.0.0.1");
}

/* Fills the call context of an HTTP request; path is the request path without trailing
 * slashes (the same resource), in a buffer of the caller's. */
static void call_from_http(struct sf_call *c, struct sf_server *srv, struct sync_http_request *req,
                           char *path, size_t pathlen)
{
    size_t n;

    memset(c, 0, sizeof(*c));
    c->srv = srv;
    c->org = &srv->org;
    c->method = req->method;
    c->query = req->query;
    c->nquery = req->nquery;
    c->body = req->body.data;
    c->body_len = req->body.len;
    c->header_fn = http_header;
    c->header_ctx = req;
    c->now = org_now();
    c->view_now = sync_time_now_ms();
    snprintf(c->version, sizeof(c->version), "%d.0", SF_MAX_VERSION);
    c->version_num = SF_MAX_VERSION;
    base_url(c, req);
    snprintf(path, pathlen, "%s", req->path);
    n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    c->path = path;
}

/* The answer when no route serves the request. An unknown data resource answers 401 before
 * 404 or 405 to a caller without a session, as Salesforce does. */
static void answer_no_route(struct sf_server *srv, struct sf_call *c, int path_matched,
                            const char *allowed)
{
    if (strncmp(c->path, "/services/data/v", 16) == 0 && authenticate(srv, c))
        return;
    if (path_matched)
        call_error(c, 405, "METHOD_NOT_ALLOWED", "HTTP Method '%s' not allowed. Allowed are %s",
                   c->method, allowed);
    else if (strncmp(c->path, "/__emu", 6) == 0)
        call_json(c, 404, json_pack("{s:s}", "error", "no such control call"));
    else
        call_not_found(c);
}

void routes_http(void *ctx, struct sync_http_request *req, struct sync_http_response *res)
{
    struct sf_server *srv = ctx;
    struct sf_call c;
    char path[2048], pbuf[2048], allowed[128];
    const struct route *r;
    int path_matched;

    call_from_http(&c, srv, req, path, sizeof(path));
    if (req->header_bytes > 16384) {
        call_error(&c, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "Request Header Fields Too Large");
    } else {
        r = find_route(&c, req->method, path, pbuf, sizeof(pbuf), &path_matched, allowed,
                       sizeof(allowed));
        if (r && (r->flags & R_API) &&
            (c.version_num < SF_MIN_VERSION || c.version_num > SF_MAX_VERSION))
            r = NULL, path_matched = 0;
        if (!r) {
            answer_no_route(srv, &c, path_matched, allowed);
        } else if (r->flags & R_API) {
            run_api(srv, r, &c, res);
        } else {
            if (r->flags & R_OPEN)
                limits_stat(&srv->limits, c.method, r->pattern);
            lock_for(srv, r->flags);
            r->fn(&c);
            unlock_for(srv, r->flags);
        }
    }
    if (res->drop)
        reset_on_close(req);
    else
        write_answer(&c, res);
    call_release(&c);
}

void routes_invoke(struct sf_call *c)
{
    char pbuf[2048], allowed[128];
    int path_matched;
    const struct route *r = find_route(c, c->method, c->path, pbuf, sizeof(pbuf), &path_matched,
                                       allowed, sizeof(allowed));

    if (!r || !(r->flags & R_API) || (r->flags & R_NOSUB) || c->version_num < SF_MIN_VERSION ||
        c->version_num > SF_MAX_VERSION) {
        if (r || path_matched)
            call_error(c, 405, "METHOD_NOT_ALLOWED", "HTTP Method '%s' not allowed. Allowed are %s",
                       c->method, allowed);
        else
            call_not_found(c);
        return;
    }
    if (((r->flags & R_V42) && c->version_num < 42) ||
        ((r->flags & R_V46) && c->version_num < 46)) {
        call_not_found(c);
        return;
    }
    r->fn(c); /* c->params point into pbuf, alive for the call */
}
