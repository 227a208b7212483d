/*
 * Tests src/core/http_server.c and src/core/http_client.c together over
 * loopback: bodies, headers and query strings arrive intact, a batch runs
 * through the multi interface, a dropped connection after a sent request
 * is reported as ambiguous, and oversized bodies are refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/http_client.h"
#include "core/http_server.h"
#include "core/json.h"

static void echo(void *ctx, struct sync_http_request *req, struct sync_http_response *res)
{
    const char *q = sync_http_request_query(req, "q");
    const char *h = sync_http_request_header(req, "X-Test");

    if (strcmp(req->path, "/drop") == 0) {
        res->drop = 1;
        return;
    }
    sync_http_response_header(res, "Sforce-Limit-Info", "api-usage=1/100");
    sync_http_response_json(res, strcmp(req->method, "POST") == 0 ? 201 : 200,
                            json_pack("{s:s, s:s, s:s?, s:s?, s:I}", "method", req->method, "path",
                                      req->path, "q", q, "x", h, "len", (json_int_t)req->body.len));
}

static struct sync_http_server *srv;
static char base[64];

static void start(void)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_http_server_opts opts = {.max_body = 4096};
    cr_assert_eq(sync_http_server_start(&srv, "127.0.0.1:0", echo, NULL, &opts, &err), SYNC_OK,
                 "%s", err.message);
    snprintf(base, sizeof base, "http://127.0.0.1:%u", sync_http_server_port(srv));
}

static void stop(void)
{
    sync_http_server_stop(srv);
}

TestSuite(http, .init = start, .fini = stop);

Test(http, round_trip_carries_method_path_query_headers_and_body)
{
    struct sync_http_client c;
    struct sync_http_resp r;
    struct sync_err err = SYNC_ERR_INIT;
    char url[128];
    const char *hdrs[] = {"X-Test: yes", "Content-Type: application/json", NULL};
    struct sync_http_req req = {
        .method = "POST", .url = url, .headers = hdrs, .body = "{\"a\":1}", .body_len = 7};

    snprintf(url, sizeof url, "%s/services/data/v62.0/query?q=SELECT%%20Id%%20FROM%%20Lead", base);
    cr_assert_eq(sync_http_client_init(&c, 0), SYNC_OK);
    cr_assert_eq(sync_http_client_do(&c, &req, &r, &err), SYNC_OK, "%s", err.message);
    cr_assert_eq(r.status, 201);
    cr_assert_str_eq(sync_http_resp_header(&r, "sforce-limit-info"), "api-usage=1/100");
    json_t *v = sync_json_parse(r.body.data, r.body.len, &err);
    cr_assert_not_null(v);
    cr_assert_str_eq(sync_json_str(v, "path"), "/services/data/v62.0/query");
    cr_assert_str_eq(sync_json_str(v, "q"), "SELECT Id FROM Lead");
    cr_assert_str_eq(sync_json_str(v, "x"), "yes");
    cr_assert_eq(sync_json_int(v, "len", 0), 7);
    json_decref(v);
    sync_http_resp_release(&r);
    sync_http_client_release(&c);
}

Test(http, many_requests_run_concurrently_and_all_answer)
{
    enum { N = 64 };
    struct sync_http_client c;
    struct sync_http_req reqs[N];
    struct sync_http_resp resps[N];
    enum sync_rc rcs[N];
    char urls[N][96];

    cr_assert_eq(sync_http_client_init(&c, 0), SYNC_OK);
    for (int i = 0; i < N; i++) {
        snprintf(urls[i], sizeof urls[i], "%s/item/%d", base, i);
        reqs[i] = (struct sync_http_req){.url = urls[i]};
    }
    cr_assert_eq(sync_http_client_do_many(&c, reqs, resps, N, 8, rcs, NULL), SYNC_OK);
    for (int i = 0; i < N; i++) {
        char want[32];
        cr_assert_eq(rcs[i], SYNC_OK);
        cr_assert_eq(resps[i].status, 200);
        snprintf(want, sizeof want, "\"/item/%d\"", i);
        cr_assert_not_null(strstr(resps[i].body.data, want));
        sync_http_resp_release(&resps[i]);
    }
    cr_assert_eq(c.calls, N);
    sync_http_client_release(&c);
}

Test(http, dropped_connection_after_send_is_ambiguous)
{
    struct sync_http_client c;
    struct sync_http_resp r;
    struct sync_err err = SYNC_ERR_INIT;
    char url[96];
    struct sync_http_req req = {.method = "PATCH", .url = url, .body = "{}", .body_len = 2};

    snprintf(url, sizeof url, "%s/drop", base);
    sync_http_client_init(&c, 0);
    cr_assert_eq(sync_http_client_do(&c, &req, &r, &err), SYNC_ERR_HTTP);
    cr_assert_eq(r.status, 0);
    cr_assert(r.ambiguous);
    cr_assert_eq(err.cls, SYNC_ERRCLASS_RETRYABLE);
    sync_http_resp_release(&r);
    sync_http_client_release(&c);
}

Test(http, body_over_the_server_cap_gets_413)
{
    struct sync_http_client c;
    struct sync_http_resp r;
    struct sync_err err = SYNC_ERR_INIT;
    static char big[10000];
    char url[96];
    struct sync_http_req req = {.method = "POST", .url = url, .body = big, .body_len = sizeof big};

    memset(big, 'x', sizeof big);
    snprintf(url, sizeof url, "%s/big", base);
    sync_http_client_init(&c, 0);
    cr_assert_eq(sync_http_client_do(&c, &req, &r, &err), SYNC_OK, "%s", err.message);
    cr_assert_eq(r.status, 413);
    sync_http_resp_release(&r);
    sync_http_client_release(&c);
}

Test(http, response_over_the_client_cap_fails_cleanly)
{
    struct sync_http_client c;
    struct sync_http_resp r;
    struct sync_err err = SYNC_ERR_INIT;
    char url[96];
    struct sync_http_req req = {.url = url};

    snprintf(url, sizeof url, "%s/small", base);
    sync_http_client_init(&c, 10);
    cr_assert_eq(sync_http_client_do(&c, &req, &r, &err), SYNC_ERR_TOO_LARGE);
    sync_http_resp_release(&r);
    sync_http_client_release(&c);
}

Test(http, listen_address_parsing)
{
    char host[64];
    unsigned port;
    cr_assert_eq(sync_http_parse_listen("127.0.0.1:8301", host, sizeof host, &port), SYNC_OK);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(port, 8301);
    cr_assert_neq(sync_http_parse_listen("127.0.0.1", host, sizeof host, &port), SYNC_OK);
    cr_assert_neq(sync_http_parse_listen("127.0.0.1:99999", host, sizeof host, &port), SYNC_OK);
    cr_assert_neq(sync_http_parse_listen(":80", host, sizeof host, &port), SYNC_OK);
}
