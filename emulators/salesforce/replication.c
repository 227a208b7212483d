/*
 * replication.c: getUpdated and getDeleted over REST:
 *   GET /sobjects/{object}/updated?start=&end=  ids whose SystemModstamp is in [start, end)
 *   GET /sobjects/{object}/deleted?start=&end=  recycle-bin rows deleted in [start, end)
 * Both truncate to the minute, refuse windows starting more than 30 (updated) or 15
 * (deleted) days back, cap at 600,000 ids, and report latestDateCovered, which stops short of
 * `end` while a late commit is still pending. getDeleted reports earliestDateAvailable, which
 * a purge (POST /__emu/purge-deleted) moves forward. Handlers reached
 * through the route table (routes.c) with the org read lock held.
 */
#include <stdio.h>
#include <string.h>

#include "core/time.h"
#include "emulators/salesforce/api.h"

#define ID_LIMIT 600000
#define DAY_MS 86400000LL

static int parse_window(struct sf_call *c, int64_t max_days, int64_t *start, int64_t *end)
{
    const char *s = call_query(c, "start"), *e = call_query(c, "end");
    int64_t now = c->now;

    if (!s || !e) {
        call_error(c, 400, "MISSING_ARGUMENT", "%s not specified", !s ? "start" : "end");
        return -1;
    }
    if (sync_time_parse(s, start)) {
        call_error(c, 400, "INVALID_REPLICATION_DATE", "unable to parse start: %s", s);
        return -1;
    }
    if (sync_time_parse(e, end)) {
        call_error(c, 400, "INVALID_REPLICATION_DATE", "unable to parse end: %s", e);
        return -1;
    }
    /* whole minutes; an end in the future stops at the present second */
    *start -= ((*start % 60000) + 60000) % 60000;
    if (*end > now)
        *end = now;
    else
        *end -= ((*end % 60000) + 60000) % 60000;
    if (*start >= *end) {
        call_error(c, 400, "INVALID_REPLICATION_DATE",
                   "startDate must chronologically precede endDate");
        return -1;
    }
    if (*start < now - now % 60000 - max_days * DAY_MS) {
        call_error(c, 400, "INVALID_REPLICATION_DATE",
                   "startDate cannot be more than %lld days ago", (long long)max_days);
        return -1;
    }
    return 0;
}

static const struct sf_object *replicated_object(struct sf_call *c)
{
    const struct sf_object *o = org_user_object(c->org, c->params[0]);
    if (!o) {
        call_not_found(c);
        return NULL;
    }
    if (!o->replicateable) {
        call_error(c, 400, "INVALID_TYPE", "sObject type '%s' is not replicateable", o->name);
        return NULL;
    }
    return o;
}

/* Whether the answer being built already holds the most ids one call may return; if so,
 * answers EXCEEDED_ID_LIMIT and frees it. */
static int id_limit_reached(struct sf_call *c, json_t *arr)
{
    if (json_array_size(arr) < ID_LIMIT)
        return 0;
    json_decref(arr);
    call_error(c, 400, "EXCEEDED_ID_LIMIT",
               "too many ids: narrow the window between startDate and endDate");
    return 1;
}

/* latestDateCovered: end, or the minute of the oldest write still committing before end. */
static int64_t latest_covered(struct sf_table *t, int64_t now, int64_t end)
{
    int64_t latest = end;
    for (size_t i = 0; i < t->n; i++) {
        const struct sf_rec *r = t->rows[i];
        if (r->visible_at && now < r->visible_at && r->modstamp < latest)
            latest = r->modstamp - r->modstamp % 60000;
    }
    return latest;
}

void h_updated(struct sf_call *c)
{
    const struct sf_object *o = replicated_object(c);
    int64_t start, end, latest;
    struct sf_table *t;
    json_t *ids;

    if (!o || parse_window(c, 30, &start, &end))
        return;
    t = org_table(c->org, o);
    latest = latest_covered(t, c->view_now, end);
    ids = json_array();
    for (size_t i = 0; i < t->n; i++) {
        const struct sf_rec *r = t->rows[i];
        const json_t *v = org_view(r, c->view_now);
        int64_t ms = 0;
        const char *stamp;
        if (!v || json_is_true(json_object_get(v, "IsDeleted")))
            continue;
        stamp = json_string_value(json_object_get(v, "SystemModstamp"));
        if (!stamp || sync_time_parse(stamp, &ms) || ms < start || ms >= latest)
            continue;
        if (id_limit_reached(c, ids))
            return;
        json_array_append_new(ids, json_string(r->id));
    }
    call_json(c, 200,
              json_pack("{s:o, s:o}", "ids", ids, "latestDateCovered", org_time_json(latest)));
}

void h_deleted(struct sf_call *c)
{
    const struct sf_object *o = replicated_object(c);
    int64_t start, end, latest;
    struct sf_table *t;
    json_t *recs;

    if (!o || parse_window(c, 15, &start, &end))
        return;
    t = org_table(c->org, o);
    latest = latest_covered(t, c->view_now, end);
    recs = json_array();
    for (size_t i = 0; i < t->n; i++) {
        const struct sf_rec *r = t->rows[i];
        if (!r->deleted || r->deleted_at < start || r->deleted_at >= latest ||
            (r->visible_at && c->view_now < r->visible_at))
            continue;
        if (id_limit_reached(c, recs))
            return;
        json_array_append_new(recs, json_pack("{s:s, s:o}", "id", r->id, "deletedDate",
                                              org_time_json(r->deleted_at)));
    }
    call_json(c, 200,
              json_pack("{s:o, s:o, s:o}", "deletedRecords", recs, "earliestDateAvailable",
                        org_time_json(c->org->earliest_deleted), "latestDateCovered",
                        org_time_json(latest)));
}
