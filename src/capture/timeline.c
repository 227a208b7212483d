/*
 * timeline.c: capture of the HubSpot activities that are not CRM objects
 * (see timeline.h): form submissions and marketing email events, read
 * back to their cursor (the email events, when they sweep, a lookback further, with seen
 * marks) and put into the inbox as records shaped like HubSpot's
 * ({"id", "properties": {...}}), so the plan step reads them as it
 * reads the engagements.
 */
#include "capture/timeline.h"

#include <stdio.h>
#include <string.h>

#include "connectors/activity.h"
#include "core/json.h"
#include "core/log.h"

#define PAYLOAD_MAX (1024 * 1024)
#define VALUES_MAX 8000 /* the form values kept, as text */
#define PARK_PREFIX "timeline_waiting:"

/* A cursor: {"ts": ms} and a mark beside it (mark_ms 0: not written): for the form submissions
 * "read" (when every form was last read), for the email events "swept" (the cursor as the last
 * sweep left it). */
static enum sync_rc cursor_put(struct sync_store *st, const char *name, int64_t ms,
                               const char *mark, int64_t mark_ms, struct sync_err *err)
{
    char text[96];
    if (mark && mark_ms > 0)
        snprintf(text, sizeof(text), "{\"ts\":%lld,\"%s\":%lld}", (long long)ms, mark,
                 (long long)mark_ms);
    else
        snprintf(text, sizeof(text), "{\"ts\":%lld}", (long long)ms);
    return sync_store_cursor_set(st, name, text, err);
}

/* Where a kind's events are read from: its cursor, or (none yet) start_ms (0 or later than now:
 * now), which becomes the cursor at once. mark (may be NULL): the name of the cursor's mark, read
 * into *mark_ms, 0 when it has none (a cursor just made has none). */
static enum sync_rc cursor_since(struct sync_store *st, const char *name, int64_t now_ms,
                                 int64_t start_ms, int64_t *ms, const char *mark, int64_t *mark_ms,
                                 struct sync_err *err)
{
    struct sync_buf b = SYNC_BUF_INIT(1024);
    enum sync_rc rc = sync_store_cursor_get(st, name, &b, NULL, err);
    json_t *j;

    *ms = start_ms > 0 && start_ms <= now_ms ? start_ms : now_ms;
    if (mark)
        *mark_ms = 0;
    if (rc == SYNC_ERR_NOT_FOUND) {
        sync_err_clear(err);
        sync_buf_release(&b);
        return cursor_put(st, name, *ms, NULL, 0, err);
    }
    if (rc == SYNC_OK) {
        j = sync_json_parse(b.data, b.len, NULL);
        *ms = sync_json_int(j, "ts", *ms);
        if (mark)
            *mark_ms = sync_json_int(j, mark, 0);
        json_decref(j);
    }
    sync_buf_release(&b);
    return rc;
}

static enum sync_rc change_put(struct sync_store *st, const char *object, const char *id,
                               int64_t at, json_t *rec, size_t *stored, struct sync_err *err)
{
    struct sync_buf payload = SYNC_BUF_INIT(PAYLOAD_MAX);
    struct sync_change ch;
    enum sync_rc rc = sync_json_dump(rec, &payload);
    int put = 0;

    if (rc) {
        sync_buf_release(&payload);
        return sync_err_set(err, rc, "capture: a %s record is too large to keep", object);
    }
    memset(&ch, 0, sizeof(ch));
    ch.system = "hubspot";
    ch.object = object;
    ch.record_id = id;
    ch.version = at;
    ch.payload = sync_buf_str(&payload);
    rc = sync_store_inbox_put(st, &ch, &put, err);
    *stored += put != 0;
    sync_buf_release(&payload);
    return rc;
}

/* ---- form submissions ---- */

/* A submission as a HubSpot-shaped record: the submitter's email, the form, the page, and the
 * values as "name: value" lines. */
static json_t *submission_record(const json_t *s, const json_t *form, char *id, size_t n)
{
    struct sync_buf values = SYNC_BUF_INIT(VALUES_MAX);
    const char *email = NULL;
    const json_t *v;
    json_t *rec;
    size_t i;
    int64_t at = sync_json_int(s, "submittedAt", 0);
    char ms[32];

    json_array_foreach(json_object_get(s, "values"), i, v)
    {
        const char *name = sync_json_str(v, "name"), *value = sync_json_str(v, "value");
        if (!name || !value)
            continue;
        if (strcmp(name, "email") == 0)
            email = value;
        sync_buf_addf(&values, "%s: %s\n", name, value); /* past the cap: the rest is left off */
    }
    snprintf(id, n, "%s", sync_json_str(s, "conversionId") ? sync_json_str(s, "conversionId") : "");
    if (!id[0])
        snprintf(id, n, "%s-%lld", sync_json_str(form, "id"), (long long)at);
    snprintf(ms, sizeof(ms), "%lld", (long long)at);
    rec = json_pack("{s:s, s:{s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s}}", "id", id, "properties",
                    "hs_timestamp", ms, "hs_lastmodifieddate", ms, "hs_createdate", ms, "email",
                    email, "page_url", sync_json_str(s, "pageUrl"), "form_name",
                    sync_json_str(form, "name"), "form_id", sync_json_str(form, "id"),
                    "form_values", sync_buf_str(&values));
    sync_buf_release(&values);
    return rec;
}

/* Whether every form is read this pass (timeline.h): never read yet (no "read" mark), a sweep
 * due, or a contact that converted after the last read, as the contacts search shows it; a
 * search that fails reads them. */
static int forms_due(struct sync_conn *c, int64_t read_ms, int64_t now_ms)
{
    struct sync_err gerr = SYNC_ERR_INIT;
    int any = 0;

    if (sync_poll_sweep_due(read_ms, now_ms, SYNC_TIMELINE_FORMS_SWEEP_MS))
        return 1;
    if (sync_conn_hs_converted_since(c, read_ms, &any, &gerr) != SYNC_OK) {
        sync_debug("capture", "the conversion search failed, so every form is read: %s",
                   gerr.message);
        return 1;
    }
    return any;
}

enum sync_rc sync_poll_form_submissions(struct sync_store *st, struct sync_conn *c, int64_t now_ms,
                                        int64_t start_ms, struct sync_poll_result *out,
                                        struct sync_err *err)
{
    static const char *const name = "hubspot:form_submissions";
    struct sync_conn_batch forms;
    int64_t since, newest, read_ms;
    const json_t *f;
    size_t i;
    enum sync_rc rc = cursor_since(st, name, now_ms, start_ms, &since, "read", &read_ms, err);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    out->covered_ms = now_ms;
    if (!forms_due(c, read_ms, now_ms))
        return SYNC_OK; /* nobody converted since every form was last read */
    newest = since;
    sync_conn_batch_init(&forms);
    rc = sync_conn_hs_forms(c, &forms, err);
    json_array_foreach(forms.records, i, f)
    {
        struct sync_conn_batch subs;
        const json_t *s;
        size_t k;
        if (rc)
            break;
        sync_conn_batch_init(&subs);
        rc = sync_conn_hs_form_submissions(c, sync_json_str(f, "id"), since, &subs, err);
        out->read += json_array_size(subs.records);
        rc = rc ? rc : sync_store_begin(st, err);
        json_array_foreach(subs.records, k, s)
        {
            char id[128];
            int64_t at = sync_json_int(s, "submittedAt", 0);
            json_t *rec;
            if (at > now_ms)
                continue; /* not settled: read again on a later pass, after its contact */
            rec = submission_record(s, f, id, sizeof(id));
            if (rc == SYNC_OK)
                rc = rec ? change_put(st, "form_submissions", id, at, rec, &out->stored, err)
                         : sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
            json_decref(rec);
            if (at > newest)
                newest = at;
        }
        if (rc == SYNC_OK && !json_array_size(subs.records))
            sync_store_rollback(st, NULL);
        else if (rc == SYNC_OK)
            rc = sync_store_commit(st, err);
        else
            sync_store_rollback(st, NULL);
        sync_conn_batch_release(&subs);
    }
    sync_conn_batch_release(&forms);
    /* every form was read past since: the cursor moves to the newest submission, and every
     * submission up to now_ms was read (the next gate asks from here) */
    if (rc == SYNC_OK)
        rc = cursor_put(st, name, newest, "read", now_ms, err);
    return rc;
}

/* ---- marketing email events ---- */

/* The campaign's name and subject, read once per process (cache: id -> campaign). */
static const json_t *campaign_of(struct sync_conn *c, json_t *cache, int64_t id)
{
    char key[32];
    json_t *cp = NULL;
    struct sync_err err = SYNC_ERR_INIT;

    snprintf(key, sizeof(key), "%lld", (long long)id);
    if (json_object_get(cache, key))
        return json_object_get(cache, key);
    if (sync_conn_hs_email_campaign(c, id, &cp, &err) != SYNC_OK) {
        sync_warn("capture", "email campaign %lld not read: %s", (long long)id, err.message);
        json_object_set_new(cache, key, json_object()); /* not asked again this process */
        return NULL;
    }
    json_object_set_new(cache, key, cp);
    return cp;
}

static json_t *event_record(struct sync_conn *c, json_t *cache, const json_t *e, char *id, size_t n)
{
    int64_t at = sync_json_int(e, "created", 0);
    const json_t *cp = campaign_of(c, cache, sync_json_int(e, "emailCampaignId", 0));
    const char *subject = sync_json_str(e, "subject");
    char ms[32];

    snprintf(id, n, "%s", sync_json_str(e, "id") ? sync_json_str(e, "id") : "");
    snprintf(ms, sizeof(ms), "%lld", (long long)at);
    if (!subject && cp)
        subject = sync_json_str(cp, "subject");
    return json_pack(
        "{s:s, s:{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?}}", "id", id, "properties",
        "hs_timestamp", ms, "hs_lastmodifieddate", ms, "hs_createdate", ms, "email",
        sync_json_str(e, "recipient"), "event_type", sync_json_str(e, "type"), "campaign_name",
        cp ? sync_json_str(cp, "name") : NULL, "subject", subject, "url", sync_json_str(e, "url"));
}

/* One event read: into the inbox unless the lookback read it before (seen marks). */
static enum sync_rc event_put(struct sync_store *st, struct sync_conn *c, json_t *campaigns,
                              const json_t *e, struct sync_poll_result *out, struct sync_err *err)
{
    static const char *const name = "hubspot:email_events";
    const char *type = sync_json_str(e, "type"), *eid = sync_json_str(e, "id");
    int64_t at = sync_json_int(e, "created", 0);
    char id[128];
    json_t *rec;
    enum sync_rc rc;
    int seen;

    if (!type || !eid || !eid[0] ||
        (strcmp(type, "SENT") && strcmp(type, "OPEN") && strcmp(type, "CLICK")))
        return SYNC_OK; /* delivered, bounced, ...: no timeline task */
    if ((rc = sync_store_seen_mark(st, name, eid, at, "1", &seen, err)) || seen)
        return rc;
    if (!(rec = event_record(c, campaigns, e, id, sizeof(id))))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    rc = change_put(st, "email_events", id, at, rec, &out->stored, err);
    json_decref(rec);
    return rc;
}

enum sync_rc sync_poll_email_events(struct sync_store *st, struct sync_conn *c, int64_t now_ms,
                                    int64_t start_ms, json_t *campaigns, int64_t *swept_ms,
                                    struct sync_poll_result *out, struct sync_err *err)
{
    static const char *const name = "hubspot:email_events";
    struct sync_conn_batch ev;
    int64_t since, swept_at, newest, from;
    const json_t *e;
    size_t i;
    /* a process's first read, then one every SYNC_TIMELINE_EVENTS_SWEEP_MS (timeline.h) */
    int sweep = sync_poll_sweep_due(*swept_ms, now_ms, SYNC_TIMELINE_EVENTS_SWEEP_MS);
    enum sync_rc rc = cursor_since(st, name, now_ms, start_ms, &since, "swept", &swept_at, err);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    if (swept_at <= 0 || swept_at > since)
        swept_at = since;
    newest = since;
    /* HubSpot records an event under when it happened, which may be before it can be read. An
     * event at most SYNC_TIMELINE_EVENTS_LOOKBACK_MS behind the cursor when it becomes readable
     * is read: a sweep reaches that far behind the cursor as the last sweep left it (the reads
     * between only moved it on), never behind where the type was turned on, and the events read
     * before are known by their seen marks */
    from = sweep ? swept_at - SYNC_TIMELINE_EVENTS_LOOKBACK_MS : since;
    if (start_ms > 0 && from < start_ms)
        from = start_ms;
    sync_conn_batch_init(&ev);
    rc = sync_conn_hs_email_events(c, from < since ? from : since, now_ms, &ev, err);
    out->read = json_array_size(ev.records);
    if (rc || (rc = sync_store_begin(st, err))) {
        sync_conn_batch_release(&ev);
        return rc;
    }
    json_array_foreach(ev.records, i, e)
    {
        int64_t at = sync_json_int(e, "created", 0);
        if (at > newest)
            newest = at;
        if (rc == SYNC_OK)
            rc = event_put(st, c, campaigns, e, out, err);
    }
    if (rc == SYNC_OK && (newest > since || sweep)) /* with the events: one transaction */
        rc = cursor_put(st, name, newest, "swept", sweep ? newest : swept_at, err);
    if (rc == SYNC_OK && sweep) /* the next sweep reaches back to here */
        rc = sync_store_seen_prune(st, name, newest - SYNC_TIMELINE_EVENTS_LOOKBACK_MS, err);
    if (rc == SYNC_OK)
        rc = sync_store_commit(st, err);
    else
        sync_store_rollback(st, NULL);
    sync_conn_batch_release(&ev);
    out->covered_ms = now_ms;
    if (rc == SYNC_OK && sweep)
        *swept_ms = now_ms;
    return rc;
}

/* ---- events waiting for their contact ---- */

int sync_timeline_event(const char *object)
{
    static const char *const events[] = {"form_submissions", "email_events", "sales_email_events",
                                         "document_views"};
    for (size_t i = 0; object && i < sizeof(events) / sizeof(events[0]); i++)
        if (strcmp(object, events[i]) == 0)
            return 1;
    return 0;
}

enum sync_rc sync_timeline_park(struct sync_store *st, const char *object, const char *id,
                                int64_t version, const char *payload, struct sync_err *err)
{
    struct sync_buf text = SYNC_BUF_INIT(PAYLOAD_MAX + 256);
    char key[SYNC_STORE_NAME_MAX];
    json_t *rec = sync_json_parse(payload, strlen(payload), NULL);
    json_t *kept =
        rec ? json_pack("{s:I, s:o}", "version", (json_int_t)version, "record", rec) : NULL;
    enum sync_rc rc = SYNC_OK;

    if (!kept || snprintf(key, sizeof(key), PARK_PREFIX "%s:%s", object, id) >= (int)sizeof(key) ||
        sync_json_dump(kept, &text))
        /* the event's own trouble, not the store's: it waits without coming back by itself */
        sync_warn("timeline", "%s %s cannot be kept while it waits for its contact", object, id);
    else
        rc = sync_store_setting_set(st, key, sync_buf_str(&text), err);
    json_decref(kept);
    sync_buf_release(&text);
    return rc;
}

static enum sync_rc parked_row(void *ctx, const char *key, const char *json)
{
    if (strncmp(key, PARK_PREFIX, strlen(PARK_PREFIX)) == 0 &&
        json_array_append_new(ctx, json_pack("[s, s]", key, json)))
        return SYNC_ERR_NOMEM;
    return SYNC_OK;
}

/* One kept event back into the inbox ("timeline_waiting:<object>:<id>" -> its change). */
static enum sync_rc unpark_one(struct sync_store *st, const char *key, const char *json,
                               struct sync_err *err)
{
    const char *rest = key + strlen(PARK_PREFIX), *colon = strchr(rest, ':');
    json_t *kept = sync_json_parse(json, strlen(json), NULL);
    char object[SYNC_STORE_NAME_MAX];
    size_t stored = 0;
    enum sync_rc rc = sync_store_begin(st, err);

    if (rc == SYNC_OK && colon && json_is_object(json_object_get(kept, "record"))) {
        snprintf(object, sizeof(object), "%.*s", (int)(colon - rest), rest);
        rc = change_put(st, object, colon + 1, sync_json_int(kept, "version", 0),
                        json_object_get(kept, "record"), &stored, err);
    } else if (rc == SYNC_OK) {
        sync_warn("timeline", "the kept event %s is unreadable and is dropped", key);
    }
    rc = rc ? rc : sync_store_setting_delete(st, key, err);
    if (rc == SYNC_OK)
        rc = sync_store_commit(st, err);
    else
        sync_store_rollback(st, NULL);
    json_decref(kept);
    return rc;
}

enum sync_rc sync_timeline_unpark(struct sync_store *st, struct sync_err *err)
{
    json_t *rows = json_array(), *row;
    enum sync_rc rc = rows ? sync_store_setting_list(st, parked_row, rows, err)
                           : sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    size_t i;

    json_array_foreach(rc == SYNC_OK ? rows : NULL, i, row)
    {
        if ((rc = unpark_one(st, json_string_value(json_array_get(row, 0)),
                             json_string_value(json_array_get(row, 1)), err)))
            break;
    }
    json_decref(rows);
    return rc;
}
