/*
 * http_client.h: an HTTP client on libcurl, for the engine's connectors,
 * the benchmarks and tests.
 *
 * A struct sync_http_client keeps libcurl easy handles and one multi
 * handle alive across calls, so connections are reused (keep-alive) and a
 * batch of requests can run concurrently through the multi interface.
 * One client belongs to one thread.
 *
 * A request is described by struct sync_http_req (borrowed by the call).
 * A response (struct sync_http_resp) owns its body and headers until
 * sync_http_resp_release. A transport failure returns SYNC_ERR_HTTP with
 * curl's message in err; resp->ambiguous says whether the request had been
 * sent in full before the failure, i.e. whether the server may have acted
 * on it: such an outcome must be resolved by reading back, never by a
 * blind resubmit.
 */
#ifndef SYNC_CORE_HTTP_CLIENT_H
#define SYNC_CORE_HTTP_CLIENT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/http_server.h" /* struct sync_http_kv */

#define SYNC_HTTP_CLIENT_MAX_HEADERS 32
#define SYNC_HTTP_CLIENT_POOL 16

struct sync_http_req {
    const char *method; /* default "GET" */
    const char *url;
    const char *const *headers; /* "Name: value" strings, NULL-terminated; may be NULL */
    const char *body;
    size_t body_len;
    long timeout_ms; /* whole-transfer timeout; 0 means 60 s */
    /* Send on a new connection. libcurl silently resends a request whose reused keep-alive
     * connection died before any answer byte; a non-idempotent write sets this so a lost
     * answer comes back as resp->ambiguous instead of being replayed. */
    int fresh_connect;
};

struct sync_http_resp {
    long status; /* 0 when no answer was received */
    int ambiguous;
    struct sync_buf body;
    size_t nheaders;
    struct sync_http_kv headers[SYNC_HTTP_CLIENT_MAX_HEADERS];
};

struct sync_http_client {
    void *multi;                       /* CURLM * */
    void *pool[SYNC_HTTP_CLIENT_POOL]; /* idle CURL * handles, connections kept */
    size_t npool;
    size_t max_body;     /* response bodies above this fail; default 256 MiB */
    unsigned long calls; /* requests sent, including failed ones */
};

/* Sets up the client; max_body 0 means the default. */
enum sync_rc sync_http_client_init(struct sync_http_client *c, size_t max_body);
void sync_http_client_release(struct sync_http_client *c);

/* One request, synchronously. resp must be released by the caller in every case. */
enum sync_rc sync_http_client_do(struct sync_http_client *c, const struct sync_http_req *req,
                                 struct sync_http_resp *resp, struct sync_err *err);

/* n requests at once through the multi interface, at most parallel in flight.
 * rcs[i] and errs[i] (errs may be NULL) receive each request's outcome. Returns SYNC_OK when
 * every request got an HTTP answer, else the first failure's rc. */
enum sync_rc sync_http_client_do_many(struct sync_http_client *c, const struct sync_http_req *reqs,
                                      struct sync_http_resp *resps, size_t n, size_t parallel,
                                      enum sync_rc *rcs, struct sync_err *errs);

void sync_http_resp_release(struct sync_http_resp *resp);
/* Borrowed value of a response header (name ignores case), NULL if absent. */
const char *sync_http_resp_header(const struct sync_http_resp *resp, const char *name);

#endif
