/*
 * composite.c: POST /composite: up to 25 subrequests run in order through
 * the same route table as top-level calls (routes_invoke), with
 * @{referenceId.path} substitution in urls and bodies. With allOrNone the
 * subrequests share one transaction: the first failure rolls everything
 * back and every other subrequest answers PROCESSING_HALTED. The whole
 * request is one API call. Runs under the org write lock.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/url.h"
#include "emulators/salesforce/api.h"

#define COMPOSITE_MAX 25

struct sub {
    const char *ref;
    json_t *result; /* the subrequest's response entry */
    int ok;
};

struct headers_ctx {
    const json_t *own; /* the subrequest's httpHeaders */
    const struct sf_call *parent;
};

static const char *sub_header(void *ctx, const char *name)
{
    struct headers_ctx *h = ctx;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)h->own, k, v)
    {
        if (strcasecmp(k, name) == 0 && json_is_string(v))
            return json_string_value(v);
    }
    return call_header(h->parent, name);
}

/* The value at "ref.path" among the earlier results, or NULL. */
static const json_t *resolve(const struct sub *subs, size_t n, const char *expr, size_t len,
                             int *known_ref)
{
    char buf[512], *p, *tok;
    const json_t *cur = NULL;
    size_t i;

    *known_ref = 0;
    if (len >= sizeof(buf))
        return NULL;
    memcpy(buf, expr, len);
    buf[len] = '\0';
    p = buf;
    tok = strsep(&p, ".");
    for (i = 0; i < n; i++) {
        if (subs[i].ref && strcmp(subs[i].ref, tok) == 0) {
            *known_ref = 1;
            if (!subs[i].ok)
                return NULL;
            cur = json_object_get(subs[i].result, "body");
            break;
        }
    }
    while (cur && p && *p) {
        char *seg = strsep(&p, ".");
        char *br = strchr(seg, '[');
        if (br)
            *br = '\0';
        if (*seg)
            cur = json_object_get(cur, seg);
        while (cur && br) {
            char *end;
            long idx = strtol(br + 1, &end, 10);
            if (*end != ']')
                return NULL;
            cur = json_array_get(cur, (size_t)idx);
            br = strchr(end, '[');
        }
    }
    return cur;
}

static int value_text(const json_t *v, struct sync_buf *out)
{
    if (json_is_string(v))
        return sync_buf_addstr(out, json_string_value(v));
    if (json_is_integer(v))
        return sync_buf_addf(out, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return sync_buf_addf(out, "%.15g", json_real_value(v));
    if (json_is_boolean(v))
        return sync_buf_addstr(out, json_is_true(v) ? "true" : "false");
    return -1;
}

/* Replaces every @{...} in s; fills bad with the first unresolvable reference. */
static int substitute(const struct sub *subs, size_t n, const char *s, struct sync_buf *out,
                      char *bad, size_t badlen)
{
    const char *p = s;
    while (*p) {
        const char *at = strstr(p, "@{"), *end;
        const json_t *v;
        int known;
        if (!at) {
            sync_buf_addstr(out, p);
            break;
        }
        end = strchr(at, '}');
        if (!end) {
            sync_buf_addstr(out, p);
            break;
        }
        sync_buf_add(out, p, (size_t)(at - p));
        v = resolve(subs, n, at + 2, (size_t)(end - at - 2), &known);
        if (!v || value_text(v, out)) {
            snprintf(bad, badlen, "%.*s", (int)(end - at - 2), at + 2);
            return -1;
        }
        p = end + 1;
    }
    return 0;
}

/* new: body with references replaced; a string that is exactly one reference takes the
 * referenced JSON value. */
static json_t *substitute_json(const struct sub *subs, size_t n, const json_t *v, char *bad,
                               size_t badlen)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t len = strlen(s);
        struct sync_buf b = SYNC_BUF_INIT(1 << 20);
        json_t *out;
        if (!strstr(s, "@{"))
            return json_incref((json_t *)v);
        if (len > 3 && strncmp(s, "@{", 2) == 0 && strchr(s, '}') == s + len - 1) {
            int known;
            const json_t *r = resolve(subs, n, s + 2, len - 3, &known);
            if (!r) {
                snprintf(bad, badlen, "%.*s", (int)(len - 3), s + 2);
                return NULL;
            }
            return json_deep_copy(r);
        }
        if (substitute(subs, n, s, &b, bad, badlen)) {
            sync_buf_release(&b);
            return NULL;
        }
        out = json_string(sync_buf_str(&b));
        sync_buf_release(&b);
        return out;
    }
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            json_t *nx = substitute_json(subs, n, x, bad, badlen);
            if (!nx) {
                json_decref(o);
                return NULL;
            }
            json_object_set_new(o, k, nx);
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array(), *x;
        size_t i;
        json_array_foreach(v, i, x)
        {
            json_t *nx = substitute_json(subs, n, x, bad, badlen);
            if (!nx) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, nx);
        }
        return a;
    }
    return json_incref((json_t *)v);
}

static json_t *entry(json_t *body, const char *location, int status, const char *ref)
{
    json_t *h = json_object();
    if (location && location[0])
        json_object_set_new(h, "Location", json_string(location));
    return json_pack("{s:o, s:o, s:i, s:s}", "body", body ? body : json_null(), "httpHeaders", h,
                     "httpStatusCode", status, "referenceId", ref ? ref : "");
}

static json_t *halted(const char *ref, const char *msg)
{
    return entry(json_pack("[{s:s, s:s}]", "errorCode", "PROCESSING_HALTED", "message", msg), NULL,
                 400, ref);
}

/* Appends the decoding of one "name=value" pair of a query string to q; -1 when out of
 * memory. */
static int add_param(const char *pair, size_t len, struct sync_http_kv *kv)
{
    const char *eq = memchr(pair, '=', len);
    size_t kl = eq ? (size_t)(eq - pair) : len;
    struct sync_buf k = SYNC_BUF_INIT(4096), v = SYNC_BUF_INIT(64 * 1024);

    sync_url_decode(&k, pair, kl, 1);
    if (eq)
        sync_url_decode(&v, eq + 1, len - kl - 1, 1);
    kv->name = strdup(sync_buf_str(&k));
    kv->value = strdup(sync_buf_str(&v));
    sync_buf_release(&k);
    sync_buf_release(&v);
    return kv->name && kv->value ? 0 : -1;
}

/* Splits a subrequest url into its decoded path (without trailing slashes) and its decoded
 * query parameters (at most max; *nq of them to free even on failure). */
static int split_url(const char *url, char *path, size_t plen, struct sync_http_kv *q, size_t *nq,
                     size_t max)
{
    const char *qs = strchr(url, '?');
    size_t n = qs ? (size_t)(qs - url) : strlen(url);
    struct sync_buf b = SYNC_BUF_INIT(64 * 1024);
    int rc;

    *nq = 0;
    if (n >= plen)
        return -1;
    rc = sync_url_decode(&b, url, n, 0) ? -1 : 0;
    snprintf(path, plen, "%s", sync_buf_str(&b));
    sync_buf_release(&b);
    n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    while (!rc && qs && *qs && *nq < max) {
        const char *pair = qs + 1, *amp = strchr(pair, '&');
        size_t len = amp ? (size_t)(amp - pair) : strlen(pair);
        if (len) {
            memset(&q[*nq], 0, sizeof(q[*nq]));
            rc = add_param(pair, len, &q[(*nq)++]);
        }
        qs = amp;
    }
    return rc;
}

/* Substitutes references in the path and in every query value, in place; -1 with bad naming
 * the first reference that does not resolve. */
static int substitute_url(const struct sub *subs, size_t n, char *path, size_t plen,
                          struct sync_http_kv *q, size_t nq, char *bad, size_t badlen)
{
    struct sync_buf ub = SYNC_BUF_INIT(64 * 1024);
    int rc = substitute(subs, n, path, &ub, bad, badlen);

    if (!rc)
        snprintf(path, plen, "%s", sync_buf_str(&ub));
    for (size_t k = 0; k < nq && !rc; k++) {
        char *v;
        sync_buf_reset(&ub);
        rc = substitute(subs, n, q[k].value, &ub, bad, badlen);
        if (!rc && (v = strdup(sync_buf_str(&ub)))) {
            free(q[k].value);
            q[k].value = v;
        }
    }
    sync_buf_release(&ub);
    return rc;
}

/* new: the PROCESSING_HALTED entry of a subrequest whose reference (bad) did not resolve. */
static json_t *bad_reference(const char *refid, const char *bad)
{
    char msg[1400], ref[300];
    snprintf(ref, sizeof(ref), "%s", bad);
    ref[strcspn(ref, ".[")] = '\0';
    snprintf(msg, sizeof(msg),
             "Invalid reference specified. No value for %s found in %s. Provided referenceId "
             "('%s') must start with a letter or a number, and it can contain only letters, "
             "numbers and underscores ('_').",
             bad, ref, ref);
    return halted(refid, msg);
}

/* Runs a prepared subrequest through the route table and records its result in *sub. */
static void invoke(struct sf_call *parent, struct sf_txn *txn, const char *method, const char *path,
                   const struct sync_http_kv *q, size_t nq, json_t *body, struct headers_ctx *hctx,
                   struct sub *sub)
{
    struct sf_call c;

    memset(&c, 0, sizeof(c));
    c.srv = parent->srv;
    c.org = parent->org;
    c.method = method;
    c.path = path;
    c.query = q;
    c.nquery = nq;
    c.body_json = body;
    c.header_fn = sub_header;
    c.header_ctx = hctx;
    snprintf(c.base_url, sizeof(c.base_url), "%s", parent->base_url);
    memcpy(c.user_id, parent->user_id, sizeof(c.user_id));
    snprintf(c.client, sizeof(c.client), "%s", parent->client);
    c.now = parent->now;
    c.view_now = parent->view_now;
    c.txn = txn;
    c.in_composite = 1;
    snprintf(c.version, sizeof(c.version), "%s", parent->version);
    c.version_num = parent->version_num;
    routes_invoke(&c);
    if (!c.status)
        c.status = 200;
    sub->ok = c.status < 400 && !c.failed;
    sub->result = entry(c.out, c.location, c.status, sub->ref);
    json_decref(c.body_owned);
}

/* Runs subrequest i: references may sit in the path or, percent-encoded, in query values, so
 * the url is split and decoded first, then references are substituted in each piece. */
static void run_sub(struct sf_call *parent, struct sf_txn *txn, const json_t *req, struct sub *subs,
                    size_t i)
{
    const char *url = json_string_value(json_object_get(req, "url"));
    const json_t *body = json_object_get(req, "body");
    struct headers_ctx hctx = {json_object_get(req, "httpHeaders"), parent};
    struct sync_http_kv q[SYNC_HTTP_MAX_QUERY];
    char path[4096], bad[300] = "";
    json_t *sbody = NULL;
    size_t nq = 0;

    if (split_url(url, path, sizeof(path), q, &nq, SYNC_HTTP_MAX_QUERY))
        subs[i].result = entry(json_pack("[{s:s, s:s}]", "errorCode", "NOT_FOUND", "message",
                                         "The requested resource does not exist"),
                               NULL, 404, subs[i].ref);
    else if (substitute_url(subs, i, path, sizeof(path), q, nq, bad, sizeof(bad)) ||
             (body && !(sbody = substitute_json(subs, i, body, bad, sizeof(bad)))))
        subs[i].result = bad_reference(subs[i].ref, bad);
    else
        invoke(parent, txn, json_string_value(json_object_get(req, "method")), path, q, nq, sbody,
               &hctx, &subs[i]);
    json_decref(sbody);
    for (size_t k = 0; k < nq; k++) {
        free(q[k].name);
        free(q[k].value);
    }
}

static int valid_ref(const char *r)
{
    if (!r || !*r || !isalnum((unsigned char)r[0]))
        return 0;
    for (; *r; r++)
        if (!isalnum((unsigned char)*r) && *r != '_')
            return 0;
    return 1;
}

/* Refuses a request over the subrequest limit, or with a subrequest that lacks a method, a
 * url or a well-formed unique referenceId: 0 when all is well, else the 400 is answered. */
static int check_requests(struct sf_call *c, const json_t *reqs)
{
    size_t i;
    json_t *req;

    if (json_array_size(reqs) > COMPOSITE_MAX) {
        call_error(c, 400, "LIMIT_EXCEEDED",
                   "Limit Exceeded: the compositeRequest array can hold at most %d subrequests",
                   COMPOSITE_MAX);
        return -1;
    }
    json_array_foreach(reqs, i, req)
    {
        const char *ref = json_string_value(json_object_get(req, "referenceId"));
        if (!json_string_value(json_object_get(req, "method")) ||
            !json_string_value(json_object_get(req, "url")) || !valid_ref(ref)) {
            call_error(c, 400, "INVALID_INPUT",
                       "Each subrequest needs a method, a url and a referenceId made of letters, "
                       "numbers and underscores");
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(json_string_value(json_object_get(json_array_get(reqs, k), "referenceId")),
                       ref) == 0) {
                call_error(c, 400, "INVALID_INPUT", "Duplicate referenceId provided: %s", ref);
                return -1;
            }
        }
    }
    return 0;
}

void h_composite(struct sf_call *c)
{
    json_t *body = call_body(c), *reqs, *req, *out;
    struct sub subs[COMPOSITE_MAX];
    struct sf_txn txn;
    int all_or_none;
    size_t i, n, failed_at = (size_t)-1;

    if (!body)
        return;
    reqs = json_object_get(body, "compositeRequest");
    all_or_none = json_is_true(json_object_get(body, "allOrNone"));
    if (!json_is_array(reqs) || !json_array_size(reqs)) {
        call_error(c, 400, "JSON_PARSER_ERROR", "compositeRequest is required");
        return;
    }
    n = json_array_size(reqs);
    if (check_requests(c, reqs))
        return;
    memset(subs, 0, sizeof(subs));
    if (all_or_none)
        org_txn_begin(c->org, &txn, c->client, c->user_id, c->version, c->now);
    json_array_foreach(reqs, i, req)
    {
        subs[i].ref = json_string_value(json_object_get(req, "referenceId"));
        run_sub(c, all_or_none ? &txn : NULL, req, subs, i);
        if (all_or_none && !subs[i].ok) {
            failed_at = i;
            break;
        }
    }
    if (all_or_none) {
        if (failed_at != (size_t)-1)
            org_txn_rollback(c->org, &txn, (struct sf_txn_mark){0, 0});
        else
            org_txn_commit(c->org, &txn);
        org_txn_release(&txn);
    }
    out = json_array();
    for (i = 0; i < n; i++) {
        const char *ref =
            json_string_value(json_object_get(json_array_get(reqs, i), "referenceId"));
        if (failed_at != (size_t)-1 && i != failed_at) {
            json_array_append_new(out, halted(ref, "The transaction was rolled back since another "
                                                   "operation in the same transaction failed."));
        } else if (subs[i].result) {
            json_array_append_new(out, json_incref(subs[i].result));
        }
        json_decref(subs[i].result);
    }
    call_json(c, 200, json_pack("{s:o}", "compositeResponse", out));
}
