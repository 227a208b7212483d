/*
 * http_client.c: the libcurl wrapper (see http_client.h). Owns the easy
 * handles of one client and the multi handle that drives them.
 */
#include "core/http_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_global(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum sync_rc sync_http_client_init(struct sync_http_client *c, size_t max_body)
{
    pthread_once(&curl_once, curl_global);
    memset(c, 0, sizeof(*c));
    c->max_body = max_body ? max_body : (size_t)256 * 1024 * 1024;
    c->multi = curl_multi_init();
    return c->multi ? SYNC_OK : SYNC_ERR_NOMEM;
}

void sync_http_client_release(struct sync_http_client *c)
{
    for (size_t i = 0; i < c->npool; i++)
        curl_easy_cleanup(c->pool[i]);
    c->npool = 0;
    if (c->multi)
        curl_multi_cleanup(c->multi);
    c->multi = NULL;
}

void sync_http_resp_release(struct sync_http_resp *resp)
{
    for (size_t i = 0; i < resp->nheaders; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    resp->nheaders = 0;
    sync_buf_release(&resp->body);
}

const char *sync_http_resp_header(const struct sync_http_resp *resp, const char *name)
{
    for (size_t i = 0; i < resp->nheaders; i++)
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

/* One transfer in flight: what the callbacks write into. */
struct transfer {
    CURL *easy;
    struct curl_slist *hdrs;
    struct sync_http_resp *resp;
    char errbuf[CURL_ERROR_SIZE];
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
    struct sync_http_resp *resp = userdata;
    size_t n = size * nmemb;
    return sync_buf_add(&resp->body, p, n) == SYNC_OK ? n : 0;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *userdata)
{
    struct sync_http_resp *resp = userdata;
    size_t n = size * nmemb;
    const char *colon = memchr(p, ':', n);
    size_t vstart, vend;

    if (n > 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* a new status line (redirect, 100-continue): forget earlier headers */
        for (size_t i = 0; i < resp->nheaders; i++) {
            free(resp->headers[i].name);
            free(resp->headers[i].value);
        }
        resp->nheaders = 0;
        return n;
    }
    if (!colon || resp->nheaders >= SYNC_HTTP_CLIENT_MAX_HEADERS)
        return n;
    vstart = (size_t)(colon - p) + 1;
    while (vstart < n && (p[vstart] == ' ' || p[vstart] == '\t'))
        vstart++;
    vend = n;
    while (vend > vstart && (p[vend - 1] == '\r' || p[vend - 1] == '\n' || p[vend - 1] == ' '))
        vend--;
    resp->headers[resp->nheaders].name = strndup(p, (size_t)(colon - p));
    resp->headers[resp->nheaders].value = strndup(p + vstart, vend - vstart);
    resp->nheaders++;
    return n;
}

static CURL *easy_get(struct sync_http_client *c)
{
    if (c->npool > 0)
        return c->pool[--c->npool];
    return curl_easy_init();
}

static void easy_put(struct sync_http_client *c, CURL *easy)
{
    if (c->npool < SYNC_HTTP_CLIENT_POOL) {
        curl_easy_reset(easy);
        c->pool[c->npool++] = easy;
    } else {
        curl_easy_cleanup(easy);
    }
}

static enum sync_rc transfer_setup(struct sync_http_client *c, struct transfer *t,
                                   const struct sync_http_req *req, struct sync_http_resp *resp)
{
    const char *method = req->method ? req->method : "GET";

    memset(resp, 0, sizeof(*resp));
    sync_buf_init(&resp->body, c->max_body);
    t->resp = resp;
    t->hdrs = NULL;
    t->errbuf[0] = '\0';
    t->easy = easy_get(c);
    if (!t->easy)
        return SYNC_ERR_NOMEM;
    /* no "Expect: 100-continue" round trip on large bodies */
    t->hdrs = curl_slist_append(t->hdrs, "Expect:");
    for (size_t i = 0; req->headers && req->headers[i]; i++)
        t->hdrs = curl_slist_append(t->hdrs, req->headers[i]);

    curl_easy_setopt(t->easy, CURLOPT_URL, req->url);
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->hdrs);
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 60000L);
    curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(t->easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(t->easy, CURLOPT_TCP_NODELAY, 1L);
    if (req->fresh_connect)
        curl_easy_setopt(t->easy, CURLOPT_FRESH_CONNECT, 1L);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(t->easy, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(t->easy, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(t->easy, CURLOPT_CUSTOMREQUEST, method);
        if (req->body || strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0 ||
            strcmp(method, "PUT") == 0) {
            curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)(req->body ? req->body_len : 0));
            curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        }
    }
    c->calls++;
    return SYNC_OK;
}

/* Turns a finished transfer into an rc/err, and gives the handle back. */
static enum sync_rc transfer_finish(struct sync_http_client *c, struct transfer *t, CURLcode cc,
                                    struct sync_err *err)
{
    enum sync_rc rc = SYNC_OK;
    long hsize = 0;

    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->resp->status);
    if (cc != CURLE_OK) {
        curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &hsize);
        /* the request left (its headers at least), so the server may have acted on it */
        t->resp->ambiguous = hsize > 0;
        rc = sync_err_set(err, SYNC_ERR_HTTP, "%s%s%s", curl_easy_strerror(cc),
                          t->errbuf[0] ? ": " : "", t->errbuf);
        if (cc == CURLE_WRITE_ERROR)
            rc = sync_err_set(err, SYNC_ERR_TOO_LARGE, "response body over %zu bytes", c->max_body);
    }
    curl_slist_free_all(t->hdrs);
    t->hdrs = NULL;
    if (cc == CURLE_OK)
        easy_put(c, t->easy);
    else
        curl_easy_cleanup(t->easy); /* its connection is suspect */
    t->easy = NULL;
    return rc;
}

enum sync_rc sync_http_client_do(struct sync_http_client *c, const struct sync_http_req *req,
                                 struct sync_http_resp *resp, struct sync_err *err)
{
    struct transfer t;
    enum sync_rc rc = transfer_setup(c, &t, req, resp);
    if (rc) {
        curl_slist_free_all(t.hdrs);
        return sync_err_set(err, rc, "cannot set up request to %s", req->url);
    }
    return transfer_finish(c, &t, curl_easy_perform(t.easy), err);
}

enum sync_rc sync_http_client_do_many(struct sync_http_client *c, const struct sync_http_req *reqs,
                                      struct sync_http_resp *resps, size_t n, size_t parallel,
                                      enum sync_rc *rcs, struct sync_err *errs)
{
    struct transfer *ts;
    size_t next = 0, running = 0;
    enum sync_rc first = SYNC_OK;

    if (n == 0)
        return SYNC_OK;
    ts = calloc(n, sizeof(*ts));
    if (!ts)
        return SYNC_ERR_NOMEM;
    if (parallel == 0)
        parallel = 8;
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)parallel);

    while (next < n || running > 0) {
        int still = 0, msgs = 0;
        CURLMsg *m;

        while (next < n && running < parallel) {
            rcs[next] = transfer_setup(c, &ts[next], &reqs[next], &resps[next]);
            if (rcs[next] == SYNC_OK) {
                curl_easy_setopt(ts[next].easy, CURLOPT_PRIVATE, &ts[next]);
                curl_multi_add_handle(c->multi, ts[next].easy);
                running++;
            } else if (first == SYNC_OK) {
                first = rcs[next];
            }
            next++;
        }
        curl_multi_perform(c->multi, &still);
        while ((m = curl_multi_info_read(c->multi, &msgs))) {
            struct transfer *t = NULL;
            size_t i;
            if (m->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            i = (size_t)(t - ts);
            curl_multi_remove_handle(c->multi, t->easy);
            rcs[i] = transfer_finish(c, t, m->data.result, errs ? &errs[i] : NULL);
            if (rcs[i] && first == SYNC_OK)
                first = rcs[i];
            running--;
        }
        if (running > 0)
            curl_multi_poll(c->multi, NULL, 0, 100, NULL);
    }
    free(ts);
    return first;
}
