/*
 * hubspot_wire.c: HubSpot request bodies and answer parsing for the
 * HubSpot connector (see hubspot.h). Pure; called by hubspot.c and the
 * unit tests.
 */
#include "connectors/hubspot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/time.h"

const char *sync_hs_lastmodified_prop(const char *object)
{
    if (object && (strcmp(object, "contacts") == 0 || strcmp(object, "0-1") == 0))
        return "lastmodifieddate";
    return "hs_lastmodifieddate";
}

int sync_hs_object_ok(const char *o)
{
    if (!o || !*o)
        return 0;
    for (; *o; o++)
        if (!(*o >= 'a' && *o <= 'z') && !(*o >= '0' && *o <= '9') && *o != '_' && *o != '-')
            return 0;
    return 1;
}

static json_t *filter(const char *prop, const char *op, const char *value)
{
    return json_pack("{s:s, s:s, s:s}", "propertyName", prop, "operator", op, "value", value);
}

json_t *sync_hs_search_body(const char *lm_prop, const struct sync_conn_cursor *after,
                            int64_t upper_ms, const char *const *props, size_t limit)
{
    char ts[32], up[32];
    json_t *filters = json_array(), *list = json_array();
    const char *sort;

    snprintf(ts, sizeof(ts), "%lld", (long long)after->ts_ms);
    snprintf(up, sizeof(up), "%lld", (long long)upper_ms);
    if (after->tie) {
        json_array_append_new(filters, filter(lm_prop, "EQ", ts));
        json_array_append_new(filters,
                              filter("hs_object_id", "GT", after->id[0] ? after->id : "0"));
        sort = "hs_object_id";
    } else {
        json_array_append_new(filters, filter(lm_prop, "GTE", ts));
        json_array_append_new(filters, filter(lm_prop, "LTE", up));
        sort = lm_prop;
    }
    json_array_append_new(list, json_string(lm_prop));
    json_array_append_new(list, json_string("hs_object_id"));
    for (size_t i = 0; props && props[i]; i++)
        if (strcmp(props[i], lm_prop) != 0 && strcmp(props[i], "hs_object_id") != 0)
            json_array_append_new(list, json_string(props[i]));
    return json_pack("{s:[{s:o}], s:[{s:s, s:s}], s:o, s:I}", "filterGroups", "filters", filters,
                     "sorts", "propertyName", sort, "direction", "ASCENDING", "properties", list,
                     "limit", (json_int_t)limit);
}

/* HubSpot ids are decimal: a longer one is larger. */
static int id_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

/* The record's stamp (epoch ms, or ISO as HubSpot renders dates) and id. */
static int page_key(const json_t *r, const char *lm_prop, int64_t *ts, const char **id)
{
    const char *v = sync_json_str(json_object_get(r, "properties"), lm_prop);
    char *end;

    *id = sync_json_str(r, "id");
    if (!v)
        v = sync_json_str(r, "updatedAt");
    if (!v || !*id || !**id)
        return -1;
    if (sync_time_parse(v, ts) == SYNC_OK)
        return 0;
    *ts = strtoll(v, &end, 10);
    return *end || end == v ? -1 : 0;
}

/* Already captured by the cursor: stamped at its ts with an id up to its id. */
static int covered(const struct sync_conn_cursor *after, int64_t ts, const char *id)
{
    return ts < after->ts_ms || (ts == after->ts_ms && after->id[0] && id_cmp(id, after->id) <= 0);
}

static int tie_page(const json_t *results, const char *lm_prop,
                    const struct sync_conn_cursor *after, int64_t upper_ms, size_t limit,
                    json_t *take, struct sync_conn_cursor *next, int *done)
{
    size_t i, count = json_array_size(results);
    const json_t *r;

    json_array_foreach(results, i, r)
    {
        int64_t ts;
        const char *id;
        if (page_key(r, lm_prop, &ts, &id))
            return -1;
        if (ts != after->ts_ms || covered(after, ts, id))
            continue;
        json_array_append(take, (json_t *)r);
        if (id_cmp(id, next->id) > 0)
            snprintf(next->id, sizeof(next->id), "%s", id);
    }
    if (count < limit) {
        /* the group is read to its end: on past it */
        next->ts_ms = after->ts_ms + 1;
        next->id[0] = '\0';
        next->tie = 0;
        *done = next->ts_ms > upper_ms;
    }
    return 0;
}

static int range_page(const json_t *results, const char *lm_prop,
                      const struct sync_conn_cursor *after, size_t limit, json_t *take,
                      struct sync_conn_cursor *next, int *done)
{
    size_t i, count = json_array_size(results);
    int64_t first = 0, last = 0;
    const json_t *r;
    const char *id;

    if (count == 0) {
        *done = 1;
        return 0;
    }
    if (page_key(json_array_get(results, 0), lm_prop, &first, &id) ||
        page_key(json_array_get(results, count - 1), lm_prop, &last, &id))
        return -1;
    if (count >= limit && first == last) {
        /* a full page of one stamp: read that group by id */
        next->ts_ms = last;
        next->tie = 1;
        if (last != after->ts_ms)
            next->id[0] = '\0';
        *done = 0;
        return 0;
    }
    if (last != after->ts_ms)
        next->id[0] = '\0';
    json_array_foreach(results, i, r)
    {
        int64_t ts;
        if (page_key(r, lm_prop, &ts, &id))
            return -1;
        if (covered(after, ts, id) || (count >= limit && ts == last))
            continue;
        json_array_append(take, (json_t *)r);
        if (count < limit && ts == last && id_cmp(id, next->id) > 0)
            snprintf(next->id, sizeof(next->id), "%s", id);
    }
    next->ts_ms = last;
    next->tie = 0;
    *done = count < limit;
    return 0;
}

int sync_hs_window_page(const json_t *results, const char *lm_prop,
                        const struct sync_conn_cursor *after, int64_t upper_ms, size_t limit,
                        json_t *take, struct sync_conn_cursor *next, int *done)
{
    *next = *after;
    *done = 0;
    if (after->tie)
        return tie_page(results, lm_prop, after, upper_ms, limit, take, next, done);
    return range_page(results, lm_prop, after, limit, take, next, done);
}

static int num(const char *s, long long *out)
{
    char *end;
    if (!s || !*s)
        return 0;
    *out = strtoll(s, &end, 10);
    return *end == '\0';
}

int sync_hs_usage_from_headers(const char *daily, const char *daily_remaining, const char *max,
                               const char *remaining, const char *interval_ms,
                               struct sync_conn_usage *u)
{
    long long d, dr;
    int any = 0;

    u->vendor = SYNC_VENDOR_HUBSPOT;
    u->daily_used = u->daily_limit = u->window_limit = u->window_remaining = u->window_ms = -1;
    if (num(daily, &d) && num(daily_remaining, &dr)) {
        u->daily_limit = d;
        u->daily_used = d - dr;
        any = 1;
    }
    any |= num(max, &u->window_limit);
    any |= num(remaining, &u->window_remaining);
    any |= num(interval_ms, &u->window_ms);
    return any;
}

int sync_hs_error(const json_t *body, long status, const char *retry_after, int64_t window_ms,
                  struct sync_err *err, int64_t *retry_after_ms)
{
    const json_t *errors = json_object_get(body, "errors");
    const char *code = NULL, *msg = sync_json_str(body, "message");
    const char *category = sync_json_str(body, "category");
    const char *policy = sync_json_str(body, "policyName");
    char generic[32];

    *retry_after_ms = -1;
    if (json_is_array(errors) && json_array_size(errors))
        code = sync_json_str(json_array_get(errors, 0), "code");
    if (!code)
        code = category;
    if (!code && status == 429)
        code = "RATE_LIMITS";
    if (!code) {
        snprintf(generic, sizeof(generic), "ERROR_HTTP_%ld", status);
        code = generic;
    }
    sync_err_vendor(err, (int)status, code, "%s", msg ? msg : "no error message");
    err->cls = sync_err_classify(SYNC_VENDOR_HUBSPOT, code, (int)status);
    if (status == 429 || (category && strcmp(category, "RATE_LIMITS") == 0)) {
        err->cls = SYNC_ERRCLASS_RATELIMITED;
        if (policy && strcmp(policy, "DAILY") == 0)
            *retry_after_ms = -1;
        else if (msg && strcmp(msg, "You have reached your secondly limit.") == 0)
            *retry_after_ms = 1000;
        else
            *retry_after_ms = window_ms > 0 ? window_ms : 10000;
    } else if (status == 423 || (category && strcmp(category, "LOCKED") == 0)) {
        err->cls = SYNC_ERRCLASS_RETRYABLE;
        *retry_after_ms = 2000; /* HubSpot: the lock lasts about 2 s */
    }
    if (retry_after && err->cls != SYNC_ERRCLASS_PERMANENT &&
        !(policy && strcmp(policy, "DAILY") == 0)) {
        int64_t ra = sync_retry_after_ms(retry_after, sync_time_now_ms());
        if (ra >= 0)
            *retry_after_ms = ra;
    }
    return status == 401 && category && strcmp(category, "EXPIRED_AUTHENTICATION") == 0;
}
