/*
 * emu_load.c: a bounded load generator for the emulators, built on
 * sync_core's HTTP client (keep-alive connections, concurrency through
 * the multi interface).
 *
 *   emu_load salesforce|hubspot BASE_URL SCENARIO [--seconds S] [--concurrency C]
 *
 * Scenarios:
 *   salesforce: single-create, single-read, collections-create, query-pages
 *   hubspot:    single-create, single-read, batch-create, search-pages
 *
 * Each run sends waves of C requests until S seconds have passed (and at
 * most 1,000,000 requests), then prints one line:
 *   <vendor> <scenario> calls=N errors=E seconds=T calls_per_s=X records_per_s=Y
 * Called by bench/run.sh; never by tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http_client.h"
#include "core/json.h"
#include "core/time.h"
#include "core/url.h"

#define MAX_WAVE 64
#define MAX_CALLS 1000000L

struct bench {
    const char *vendor;
    const char *base;
    const char *scenario;
    double seconds;
    int concurrency;
    struct sync_http_client client;
    char auth[2048];    /* "Authorization: Bearer ..." */
    char instance[512]; /* data host (Salesforce) */
    long nonce;
    long seq;
    /* results */
    long calls, errors, records;
    /* ids created for reads */
    char (*ids)[64];
    int nids;
};

static void die(const char *what)
{
    fprintf(stderr, "emu_load: %s\n", what);
    exit(1);
}

static json_t *do_json(struct bench *b, const char *method, const char *url, const char *body,
                       long *status)
{
    const char *hdrs[] = {b->auth, "Content-Type: application/json", NULL};
    struct sync_http_req req = {.method = method,
                                .url = url,
                                .headers = hdrs,
                                .body = body,
                                .body_len = body ? strlen(body) : 0};
    struct sync_http_resp resp;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *v = NULL;

    if (sync_http_client_do(&b->client, &req, &resp, &err) == SYNC_OK)
        v = sync_json_parse(resp.body.data ? resp.body.data : "null",
                            resp.body.len ? resp.body.len : 4, NULL);
    *status = resp.status;
    sync_http_resp_release(&resp);
    return v;
}

static void sf_login(struct bench *b)
{
    char url[600];
    const char *form =
        "grant_type=password&client_id=crmsync-demo&client_secret=crmsync-demo-secret"
        "&username=integration%40crmsync.test&password=demo-passwordDEMOTOKEN";
    const char *hdrs[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    struct sync_http_req req = {
        .method = "POST", .url = url, .headers = hdrs, .body = form, .body_len = strlen(form)};
    struct sync_http_resp resp;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *v;

    snprintf(url, sizeof url, "%s/services/oauth2/token", b->base);
    if (sync_http_client_do(&b->client, &req, &resp, &err) || resp.status != 200)
        die("salesforce login failed");
    v = sync_json_parse(resp.body.data, resp.body.len, NULL);
    if (!v || !sync_json_str(v, "access_token"))
        die("salesforce login: no access_token");
    snprintf(b->auth, sizeof b->auth, "Authorization: Bearer %s", sync_json_str(v, "access_token"));
    snprintf(b->instance, sizeof b->instance, "%s", sync_json_str(v, "instance_url"));
    json_decref(v);
    sync_http_resp_release(&resp);
}

/* Builds the body and URL of request number i of this scenario. */
struct one {
    char url[1024];
    char *body;
    const char *method;
    int records; /* records the request carries or is expected to return */
};

/* kind: 0 a Salesforce record, 1 a Salesforce collection item, 2 a HubSpot input */
static char *person_json(struct bench *b, int kind)
{
    long n = b->seq++;
    char *s = malloc(256);
    if (kind == 2)
        snprintf(s, 256,
                 "{\"properties\":{\"email\":\"bench%ld.%ld@example.com\",\"firstname\":\"Ada\","
                 "\"lastname\":\"Bench %ld\"}}",
                 b->nonce, n, n);
    else
        snprintf(s, 256, "{%s\"LastName\":\"Bench %ld\",\"Email\":\"bench%ld.%ld@example.com\"}",
                 kind == 1 ? "\"attributes\":{\"type\":\"Contact\"}," : "", n, b->nonce, n);
    return s;
}

static char *batch_json(struct bench *b, int n, int hubspot)
{
    struct sync_buf out = SYNC_BUF_INIT(0);
    sync_buf_addstr(&out, hubspot ? "{\"inputs\":[" : "{\"allOrNone\":false,\"records\":[");
    for (int i = 0; i < n; i++) {
        char *p = person_json(b, hubspot ? 2 : 1);
        if (i)
            sync_buf_addch(&out, ',');
        sync_buf_addstr(&out, p);
        free(p);
    }
    sync_buf_addstr(&out, "]}");
    return sync_buf_detach(&out, NULL);
}

static void make_request(struct bench *b, struct one *o, int i)
{
    int hs = strcmp(b->vendor, "hubspot") == 0;
    const char *sc = b->scenario;

    o->body = NULL;
    o->records = 1;
    o->method = "POST";
    if (strcmp(sc, "single-create") == 0) {
        if (hs)
            snprintf(o->url, sizeof o->url, "%s/crm/v3/objects/contacts", b->base);
        else
            snprintf(o->url, sizeof o->url, "%s/services/data/v62.0/sobjects/Contact", b->instance);
        o->body = person_json(b, hs ? 2 : 0);
    } else if (strcmp(sc, "single-read") == 0) {
        o->method = "GET";
        if (hs)
            snprintf(o->url, sizeof o->url, "%s/crm/v3/objects/contacts/%s", b->base,
                     b->ids[i % b->nids]);
        else
            snprintf(o->url, sizeof o->url, "%s/services/data/v62.0/sobjects/Contact/%s",
                     b->instance, b->ids[i % b->nids]);
    } else if (strcmp(sc, "collections-create") == 0 || strcmp(sc, "batch-create") == 0) {
        int n = hs ? 100 : 200;
        if (hs)
            snprintf(o->url, sizeof o->url, "%s/crm/v3/objects/contacts/batch/create", b->base);
        else
            snprintf(o->url, sizeof o->url, "%s/services/data/v62.0/composite/sobjects",
                     b->instance);
        o->body = batch_json(b, n, hs);
        o->records = n;
    } else {
        die("unknown scenario");
    }
}

/* Creates a few records and remembers their ids, for single-read. */
static void prepare_reads(struct bench *b)
{
    int hs = strcmp(b->vendor, "hubspot") == 0;
    b->nids = 64;
    b->ids = calloc((size_t)b->nids, sizeof(*b->ids));
    for (int i = 0; i < b->nids; i++) {
        char url[1024];
        long status = 0;
        char *body = person_json(b, hs ? 2 : 0);
        json_t *v;
        if (hs)
            snprintf(url, sizeof url, "%s/crm/v3/objects/contacts", b->base);
        else
            snprintf(url, sizeof url, "%s/services/data/v62.0/sobjects/Contact", b->instance);
        v = do_json(b, "POST", url, body, &status);
        free(body);
        if (!v || status != 201 || !sync_json_str(v, "id"))
            die("cannot create records to read");
        snprintf(b->ids[i], sizeof b->ids[i], "%s", sync_json_str(v, "id"));
        json_decref(v);
    }
}

static void run_waves(struct bench *b)
{
    struct sync_http_req reqs[MAX_WAVE];
    struct sync_http_resp resps[MAX_WAVE];
    enum sync_rc rcs[MAX_WAVE];
    struct one ones[MAX_WAVE];
    const char *hdrs[] = {b->auth, "Content-Type: application/json", NULL};
    int64_t start = sync_time_monotonic_ms(), end = start + (int64_t)(b->seconds * 1000);
    int c = b->concurrency;

    if (strcmp(b->scenario, "single-read") == 0)
        prepare_reads(b);
    start = sync_time_monotonic_ms();
    end = start + (int64_t)(b->seconds * 1000);
    while (sync_time_monotonic_ms() < end && b->calls < MAX_CALLS) {
        for (int i = 0; i < c; i++) {
            make_request(b, &ones[i], (int)(b->calls + i));
            reqs[i] = (struct sync_http_req){.method = ones[i].method,
                                             .url = ones[i].url,
                                             .headers = hdrs,
                                             .body = ones[i].body,
                                             .body_len = ones[i].body ? strlen(ones[i].body) : 0};
        }
        sync_http_client_do_many(&b->client, reqs, resps, (size_t)c, (size_t)c, rcs, NULL);
        for (int i = 0; i < c; i++) {
            b->calls++;
            if (rcs[i] || resps[i].status >= 300)
                b->errors++;
            else
                b->records += ones[i].records;
            free(ones[i].body);
            sync_http_resp_release(&resps[i]);
        }
    }
    b->seconds = (double)(sync_time_monotonic_ms() - start) / 1000.0;
}

/* Pages through a whole query (Salesforce) or search (HubSpot) result, C streams at a time. */
static void run_pages(struct bench *b)
{
    int hs = strcmp(b->vendor, "hubspot") == 0;
    int64_t start = sync_time_monotonic_ms(), end = start + (int64_t)(b->seconds * 1000);

    while (sync_time_monotonic_ms() < end && b->calls < MAX_CALLS) {
        char url[2048], body[512];
        char after[64] = "";
        long status = 0;
        struct sync_buf q = SYNC_BUF_INIT(0);
        const char *soql = "SELECT Id, LastName, Email, SystemModstamp FROM Contact";

        sync_url_encode(&q, soql, strlen(soql));
        if (!hs)
            snprintf(url, sizeof url, "%s/services/data/v62.0/query?q=%s", b->instance, q.data);
        sync_buf_release(&q);
        for (;;) {
            json_t *v;
            if (hs) {
                snprintf(url, sizeof url, "%s/crm/v3/objects/contacts/search", b->base);
                snprintf(body, sizeof body,
                         "{\"limit\":200,\"after\":\"%s\",\"properties\":[\"email\",\"lastname\"],"
                         "\"sorts\":[{\"propertyName\":\"hs_object_id\",\"direction\":"
                         "\"ASCENDING\"}]}",
                         after[0] ? after : "0");
                v = do_json(b, "POST", url, body, &status);
            } else {
                v = do_json(b, "GET", url, NULL, &status);
            }
            b->calls++;
            if (!v || status != 200) {
                b->errors++;
                json_decref(v);
                break;
            }
            b->records += (long)json_array_size(json_object_get(v, hs ? "results" : "records"));
            if (hs) {
                const char *a =
                    sync_json_str(json_object_get(json_object_get(v, "paging"), "next"), "after");
                if (!a || atol(a) >= 10000) {
                    json_decref(v);
                    break;
                }
                snprintf(after, sizeof after, "%s", a);
            } else {
                const char *next = sync_json_str(v, "nextRecordsUrl");
                if (!next) {
                    json_decref(v);
                    break;
                }
                snprintf(url, sizeof url, "%s%s", b->instance, next);
            }
            json_decref(v);
            if (sync_time_monotonic_ms() >= end)
                break;
        }
    }
    b->seconds = (double)(sync_time_monotonic_ms() - start) / 1000.0;
}

int main(int argc, char **argv)
{
    struct bench b = {0};

    if (argc < 4) {
        fprintf(stderr, "usage: emu_load salesforce|hubspot BASE_URL SCENARIO [--seconds S] "
                        "[--concurrency C]\n");
        return 2;
    }
    b.vendor = argv[1];
    b.base = argv[2];
    b.scenario = argv[3];
    b.seconds = 5;
    b.concurrency = 8;
    for (int i = 4; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seconds") == 0)
            b.seconds = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--concurrency") == 0)
            b.concurrency = atoi(argv[i + 1]);
    }
    if (b.seconds <= 0 || b.seconds > 600)
        die("--seconds must be from 0 to 600");
    if (b.concurrency < 1 || b.concurrency > MAX_WAVE)
        die("--concurrency must be from 1 to 64");
    b.nonce = (long)(sync_time_now_ms() % 100000000);
    if (sync_http_client_init(&b.client, 0))
        die("cannot start HTTP client");
    if (strcmp(b.vendor, "salesforce") == 0)
        sf_login(&b);
    else if (strcmp(b.vendor, "hubspot") == 0)
        snprintf(b.auth, sizeof b.auth, "Authorization: Bearer pat-na1-crmsync-demo");
    else
        die("vendor must be salesforce or hubspot");

    if (strcmp(b.scenario, "query-pages") == 0 || strcmp(b.scenario, "search-pages") == 0)
        run_pages(&b);
    else
        run_waves(&b);

    printf("%s %s calls=%ld errors=%ld seconds=%.2f calls_per_s=%.0f records_per_s=%.0f\n",
           b.vendor, b.scenario, b.calls, b.errors, b.seconds, (double)b.calls / b.seconds,
           (double)b.records / b.seconds);
    free(b.ids);
    sync_http_client_release(&b.client);
    return b.errors ? 1 : 0;
}
