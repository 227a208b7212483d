/*
 * query.c: SOQL over REST:
 *   GET /query?q=, /queryAll?q=              first page (Sforce-Query-Options: batchSize=N)
 *   GET /query/{locator}-{offset}, /queryAll/... later pages
 * Parsing and evaluation are the SOQL module's (soql.h); this file runs
 * them through the org adapters (soqlad.c), pages the result and keeps the
 * locators. Handlers reached through the route table (routes.c), directly
 * or as Composite subrequests, with the org read lock held; the locator
 * table has its own mutex. server.c creates and frees it.
 */
#include "emulators/salesforce/query.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/crypto.h"
#include "emulators/salesforce/api.h"
#include "emulators/salesforce/ids.h"
#include "emulators/salesforce/soqlad.h"

#define LOCATOR_TTL_MS (2LL * 86400000)
#define LOCATORS_MAX 2000
#define LOCATOR_ROWS_MAX 5000000 /* rows held by every locator together */
#define PAGE_DEFAULT 2000
#define PAGE_MIN 200

struct locator {
    char id[19];
    struct soql_query *q;
    json_t *rows; /* the matched record versions */
    size_t page;
    int64_t created;
    unsigned refs; /* callers using it right now */
    int dropped;   /* out of the table: the last caller frees it */
    struct locator *next;
};

struct sf_locators {
    pthread_mutex_t lock;
    struct hmap by_id;
    struct locator *oldest, *newest;
    size_t n;
    size_t rows; /* rows held by all of them */
    uint64_t seq;
};

struct sf_locators *locators_new(void)
{
    struct sf_locators *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    pthread_mutex_init(&l->lock, NULL);
    hmap_init(&l->by_id);
    return l;
}

static void locator_free(struct locator *loc)
{
    soql_query_free(loc->q);
    json_decref(loc->rows);
    free(loc);
}

static void drop_oldest_locked(struct sf_locators *l)
{
    struct locator *loc = l->oldest;
    if (!loc)
        return;
    l->oldest = loc->next;
    if (!l->oldest)
        l->newest = NULL;
    hmap_del(&l->by_id, loc->id);
    l->n--;
    l->rows -= json_array_size(loc->rows);
    if (loc->refs == 0)
        locator_free(loc);
    else
        loc->dropped = 1;
}

void locators_clear(struct sf_locators *l)
{
    pthread_mutex_lock(&l->lock);
    while (l->oldest)
        drop_oldest_locked(l);
    pthread_mutex_unlock(&l->lock);
}

void locators_free(struct sf_locators *l)
{
    if (!l)
        return;
    locators_clear(l);
    hmap_release(&l->by_id);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

static struct locator *locator_add(struct sf_locators *l, struct soql_query *q, json_t *rows,
                                   size_t page, int64_t now)
{
    struct locator *loc = calloc(1, sizeof(*loc));
    uint64_t salt;
    if (!loc)
        return NULL;
    loc->q = q;
    loc->rows = rows;
    loc->page = page;
    loc->created = now;
    loc->refs = 1; /* the caller's, given back with locator_put */
    sync_random_bytes(&salt, sizeof(salt));
    pthread_mutex_lock(&l->lock);
    while (l->oldest && (l->n >= LOCATORS_MAX || now - l->oldest->created > LOCATOR_TTL_MS ||
                         l->rows + json_array_size(rows) > LOCATOR_ROWS_MAX))
        drop_oldest_locked(l);
    ids_make("0r8", (++l->seq << 20) ^ (salt & 0xfffff), loc->id);
    hmap_put(&l->by_id, loc->id, loc);
    if (l->newest)
        l->newest->next = loc;
    else
        l->oldest = loc;
    l->newest = loc;
    l->n++;
    l->rows += json_array_size(rows);
    pthread_mutex_unlock(&l->lock);
    return loc;
}

static struct locator *locator_get(struct sf_locators *l, const char *id, int64_t now)
{
    struct locator *loc;
    pthread_mutex_lock(&l->lock);
    loc = hmap_get(&l->by_id, id);
    if (loc && now - loc->created > LOCATOR_TTL_MS)
        loc = NULL;
    if (loc)
        loc->refs++;
    pthread_mutex_unlock(&l->lock);
    return loc;
}

static void locator_put(struct sf_locators *l, struct locator *loc)
{
    int last;
    pthread_mutex_lock(&l->lock);
    last = --loc->refs == 0 && loc->dropped;
    pthread_mutex_unlock(&l->lock);
    if (last)
        locator_free(loc);
}

/* ---- pages ---- */

static size_t batch_size(const struct sf_call *c)
{
    const char *h = call_header(c, "Sforce-Query-Options");
    const char *p = h ? strstr(h, "batchSize") : NULL;
    long n;
    if (!p)
        return PAGE_DEFAULT;
    p += 9;
    while (*p == ' ' || *p == '=')
        p++;
    n = strtol(p, NULL, 10);
    if (n < PAGE_MIN)
        n = PAGE_MIN;
    if (n > PAGE_DEFAULT)
        n = PAGE_DEFAULT;
    return (size_t)n;
}

static json_t *page_json(struct sf_call *c, const struct soql_query *q, const json_t *rows,
                         size_t offset, size_t page, const char *locator)
{
    struct soqlad ad;
    size_t total = json_array_size(rows), end = offset + page < total ? offset + page : total;
    json_t *records = json_array(), *out;

    soqlad_init(&ad, c->org, c->view_now);
    for (size_t i = offset; i < end; i++)
        json_array_append_new(records,
                              soql_project(q, json_array_get(rows, i), &ad.rows, c->version));
    out = json_pack("{s:I, s:b}", "totalSize", (json_int_t)total, "done", end >= total);
    if (end < total && locator) {
        char url[160];
        snprintf(url, sizeof(url), "/services/data/v%s/query/%s-%zu", c->version, locator, end);
        json_object_set_new(out, "nextRecordsUrl", json_string(url));
    }
    json_object_set_new(out, "records", records);
    return out;
}

/* Answers the first page of a query; a result longer than the page keeps a locator (which
 * takes over q and rows). */
static void first_page(struct sf_call *c, struct soql_query *q, json_t *rows)
{
    size_t page = batch_size(c);
    struct locator *loc;

    if (soql_query_is_count(q)) {
        call_json(c, 200,
                  json_pack("{s:I, s:b, s:[]}", "totalSize", (json_int_t)json_array_size(rows),
                            "done", 1, "records"));
    } else if (json_array_size(rows) <= page) {
        call_json(c, 200, page_json(c, q, rows, 0, page, NULL));
    } else if ((loc = locator_add(c->srv->locators, q, rows, page, c->now))) {
        call_json(c, 200, page_json(c, q, rows, 0, page, loc->id));
        locator_put(c->srv->locators, loc);
        return;
    } else {
        call_error(c, 500, "UNKNOWN_EXCEPTION", "out of memory");
    }
    soql_query_free(q);
    json_decref(rows);
}

static void run_query(struct sf_call *c, int all)
{
    const char *text = call_query(c, "q");
    struct sync_err err = SYNC_ERR_INIT;
    struct soqlad ad;
    struct soql_query *q = NULL;
    json_t *rows = NULL;

    if (!text) {
        text = call_query(c, "explain");
        call_error(c, 400, text ? "INVALID_QUERY_FILTER_OPERATOR" : "MALFORMED_QUERY",
                   text ? "explain plans are not available in this org"
                        : "A query string has to be specified");
        return;
    }
    soqlad_init(&ad, c->org, c->view_now);
    ad.as_user = 1;
    if (soql_parse(text, &ad.cat, &q, &err) ||
        soql_execute(q, &ad.rows, all, c->now, &rows, &err)) {
        call_error(c, err.http_status ? err.http_status : 400,
                   err.code[0] ? err.code : "MALFORMED_QUERY", "%s", err.message);
        soql_query_free(q);
        json_decref(rows);
        return;
    }
    first_page(c, q, rows);
}

void h_query(struct sf_call *c)
{
    run_query(c, 0);
}

void h_query_all(struct sf_call *c)
{
    run_query(c, 1);
}

void h_query_more(struct sf_call *c)
{
    char id[64];
    const char *dash = strrchr(c->params[0], '-');
    struct locator *loc;
    char *end;
    unsigned long offset;

    if (!dash || dash == c->params[0] || (size_t)(dash - c->params[0]) >= sizeof(id)) {
        call_error(c, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        return;
    }
    snprintf(id, sizeof(id), "%.*s", (int)(dash - c->params[0]), c->params[0]);
    offset = strtoul(dash + 1, &end, 10);
    loc = *end ? NULL : locator_get(c->srv->locators, id, c->now);
    if (!loc) {
        call_error(c, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        return;
    }
    if (offset > json_array_size(loc->rows)) {
        call_error(c, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    } else {
        call_json(c, 200, page_json(c, loc->q, loc->rows, offset, loc->page, loc->id));
    }
    locator_put(c->srv->locators, loc);
}
