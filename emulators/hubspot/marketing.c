/*
 * marketing.c: the marketing events an integration reacts to. Forms
 * (/marketing/v3/forms) and their submissions (read through
 * /form-integrations/v1/submissions/forms/{formId}, newest first); a
 * submission made through the control API creates or updates the contact
 * by e-mail with FORM as the source. Marketing e-mail events (SENT, OPEN,
 * CLICK, ...) made through the control API, read through the e-mail events
 * API (/email/public/v1/events).
 *
 * State is a struct mkt_state in p->mkt; callers hold the portal lock.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

#define DEFAULT_FORM "5a1c9e2b-0000-4000-8000-00000000f0f0"

struct mkt_state {
    json_t *forms;       /* array of form definitions */
    json_t *submissions; /* object: formId -> array (oldest first) */
    json_t *events;      /* array, oldest first */
    int64_t next_event;
};

#define MS(p) ((struct mkt_state *)(p)->mkt)

static json_t *form_def(const char *id, const char *name, int64_t at)
{
    char iso[SYNC_TIME_ISO_MAX];
    json_t *fields = json_array();
    static const char *const f[][3] = {{"email", "Email", "email"},
                                       {"firstname", "First name", "single_line_text"},
                                       {"lastname", "Last name", "single_line_text"},
                                       {"company", "Company name", "single_line_text"}};
    sync_time_format_iso(at, iso, sizeof(iso));
    for (size_t i = 0; i < 4; i++)
        json_array_append_new(fields,
                              json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "objectTypeId", "0-1",
                                        "name", f[i][0], "label", f[i][1], "fieldType", f[i][2],
                                        "required", i == 0, "hidden", 0));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:[{s:s, s:s, s:o}], s:{s:s, s:b, s:b, "
                     "s:s}, s:{s:s}}",
                     "id", id, "name", name, "formType", "hubspot", "createdAt", iso, "updatedAt",
                     iso, "archived", 0, "fieldGroups", "groupType", "default_group",
                     "richTextType", "text", "fields", fields, "configuration", "language", "en",
                     "cloneable", 1, "editable", 1, "postSubmitAction", "thank_you",
                     "legalConsentOptions", "type", "none");
}

void mkt_init(struct hs_portal *p)
{
    struct mkt_state *s = calloc(1, sizeof(*s));
    p->mkt = s;
    if (!s)
        return;
    s->forms = json_array();
    s->submissions = json_object();
    s->events = json_array();
    s->next_event = 1;
    json_array_append_new(s->forms, form_def(DEFAULT_FORM, "Contact us", 1577836800000LL));
}

void mkt_release(struct hs_portal *p)
{
    struct mkt_state *s = MS(p);
    if (!s)
        return;
    json_decref(s->forms);
    json_decref(s->submissions);
    json_decref(s->events);
    free(s);
    p->mkt = NULL;
}

static json_t *find_form(struct mkt_state *s, const char *id, size_t *idx, int archived)
{
    size_t i;
    json_t *f;
    json_array_foreach(s->forms, i, f)
    {
        if (strcmp(sync_json_str(f, "id"), id) == 0 &&
            json_is_true(json_object_get(f, "archived")) == (archived != 0)) {
            if (idx)
                *idx = i;
            return f;
        }
    }
    return NULL;
}

static void new_uuid(char out[37])
{
    hs_correlation_id(out);
}

/* ---- forms API ---- */

void mkt_h_forms_list(struct hs_ctx *c)
{
    struct mkt_state *s = MS(c->p);
    int archived = hs_query_bool(c, "archived", 0);
    int64_t limit, after, seen = 0;
    json_t *res, *body, *f;
    size_t i;
    int more = 0;
    if (hs_query_int(c, "limit", 20, 1, 500, &limit) || hs_query_after(c, &after))
        return;
    res = json_array();
    json_array_foreach(s->forms, i, f)
    {
        if (json_is_true(json_object_get(f, "archived")) != (archived != 0))
            continue;
        if (seen >= after && (int64_t)json_array_size(res) < limit)
            json_array_append(res, f);
        else if (seen >= after)
            more = 1;
        seen++;
    }
    body = json_pack("{s:o}", "results", res);
    if (more)
        json_object_set_new(body, "paging", hs_paging(after + limit, NULL));
    hs_reply(c, 200, body);
}

void mkt_h_form_get(struct hs_ctx *c)
{
    json_t *f = find_form(MS(c->p), c->params[0], NULL, hs_query_bool(c, "archived", 0));
    if (!f) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Form %s does not exist", c->params[0]);
        return;
    }
    hs_reply(c, 200, json_incref(f));
}

void mkt_h_form_create(struct hs_ctx *c)
{
    struct mkt_state *s = MS(c->p);
    const char *name = sync_json_str(c->body, "name");
    char id[37], iso[SYNC_TIME_ISO_MAX];
    json_t *f;
    if (!json_is_object(c->body) || !name) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: name is required");
        return;
    }
    new_uuid(id);
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    f = json_deep_copy(c->body);
    json_object_set_new(f, "id", json_string(id));
    json_object_set_new(f, "createdAt", json_string(iso));
    json_object_set_new(f, "updatedAt", json_string(iso));
    json_object_set_new(f, "archived", json_false());
    if (!json_object_get(f, "formType"))
        json_object_set_new(f, "formType", json_string("hubspot"));
    if (!json_object_get(f, "fieldGroups"))
        json_object_set_new(f, "fieldGroups", json_array());
    json_array_append(s->forms, f);
    persist_mark(c->p);
    hs_reply(c, 201, f);
}

void mkt_h_form_update(struct hs_ctx *c)
{
    struct mkt_state *s = MS(c->p);
    json_t *f = find_form(s, c->params[0], NULL, 0);
    char iso[SYNC_TIME_ISO_MAX];
    const char *k;
    json_t *v;
    if (!f) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Form %s does not exist", c->params[0]);
        return;
    }
    if (!json_is_object(c->body)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: expected an object");
        return;
    }
    json_object_foreach(c->body, k, v)
    {
        if (strcmp(k, "id") != 0 && strcmp(k, "createdAt") != 0)
            json_object_set(f, k, v);
    }
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    json_object_set_new(f, "updatedAt", json_string(iso));
    persist_mark(c->p);
    hs_reply(c, 200, json_incref(f));
}

void mkt_h_form_delete(struct hs_ctx *c)
{
    json_t *f = find_form(MS(c->p), c->params[0], NULL, 0);
    char iso[SYNC_TIME_ISO_MAX];
    if (!f) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Form %s does not exist", c->params[0]);
        return;
    }
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    json_object_set_new(f, "archived", json_true());
    json_object_set_new(f, "archivedAt", json_string(iso));
    persist_mark(c->p);
    hs_reply(c, 204, NULL);
}

void mkt_h_submissions(struct hs_ctx *c)
{
    struct mkt_state *s = MS(c->p);
    json_t *subs, *res, *body;
    int64_t limit, after, n;
    if (!find_form(s, c->params[0], NULL, 0) && !find_form(s, c->params[0], NULL, 1)) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Form %s does not exist", c->params[0]);
        return;
    }
    if (hs_query_int(c, "limit", 20, 1, 50, &limit) || hs_query_after(c, &after))
        return;
    subs = json_object_get(s->submissions, c->params[0]);
    n = (int64_t)json_array_size(subs);
    res = json_array();
    /* newest first: stored oldest first, and sorted by submittedAt on insert */
    for (int64_t i = after; i < n && i < after + limit; i++)
        json_array_append(res, json_array_get(subs, (size_t)(n - 1 - i)));
    body = json_pack("{s:o}", "results", res);
    if (after + limit < n) {
        char link[700];
        snprintf(link, sizeof(link), "/form-integrations/v1/submissions/forms/%s?after=%lld",
                 c->params[0], (long long)(after + limit));
        json_object_set_new(body, "paging", hs_paging(after + limit, link));
    }
    hs_reply(c, 200, body);
}

/* The submitted values as the submissions API lists them, and the contact properties they
 * write (new, both). */
static void submission_values(const char *email, const json_t *fields, json_t **values,
                              json_t **props)
{
    const char *k;
    json_t *v;
    *props = json_object();
    *values = json_array();
    json_array_append_new(*values, json_pack("{s:s, s:s}", "name", "email", "value", email));
    json_object_foreach((json_t *)fields, k, v)
    {
        if (strcmp(k, "email") == 0)
            continue;
        json_object_set(*props, k, v);
        if (json_is_string(v))
            json_array_append_new(*values, json_pack("{s:s, s:O}", "name", k, "value", v));
    }
}

/* Creates or updates the contact of a submission, FORM as the source; NULL or the error. */
static json_t *submission_contact(struct hs_portal *p, const char *form_id, const char *email,
                                  json_t *props, struct hs_record **r, int *created)
{
    json_t *in = json_pack("{s:o}", "properties", props), *e;
    struct hs_source src;
    int status;
    memset(&src, 0, sizeof(src));
    src.type = "FORM";
    src.change_source = "FORM";
    snprintf(src.id, sizeof(src.id), "%s", form_id);
    *r = obj_lookup(p, HS_CONTACTS, email, "email", 0);
    *created = !*r;
    if (*r) {
        e = obj_update_input(p, *r, in, &src, &status);
    } else {
        json_object_set_new(props, "email", json_string(email));
        e = obj_create_input(p, HS_CONTACTS, in, &src, r, &status);
    }
    json_decref(in);
    return e;
}

/* Files sub (stolen) under form_id, oldest first by submittedAt. */
static void submission_store(struct mkt_state *s, const char *form_id, json_t *sub, int64_t ms)
{
    json_t *arr = json_object_get(s->submissions, form_id);
    size_t pos;
    if (!arr) {
        arr = json_array();
        json_object_set_new(s->submissions, form_id, arr);
    }
    pos = json_array_size(arr);
    while (pos > 0 &&
           json_integer_value(json_object_get(json_array_get(arr, pos - 1), "submittedAt")) > ms)
        pos--;
    json_array_insert_new(arr, pos, sub);
}

json_t *mkt_submit_form(struct hs_portal *p, const char *form_id, const json_t *body, char *err,
                        size_t errlen)
{
    struct mkt_state *s = MS(p);
    const char *email = sync_json_str(body, "email");
    const char *at = sync_json_str(body, "submittedAt");
    const char *page = sync_json_str(body, "pageUrl");
    json_t *fields = json_object_get(body, "fields");
    json_t *props, *values, *e;
    struct hs_record *r;
    int64_t ms = sync_time_now_ms();
    int created;
    char conv[37], idbuf[24];

    if (!email || !props_email_ok(email)) {
        snprintf(err, errlen, "email is required and must be an e-mail address");
        return NULL;
    }
    if (fields && !json_is_object(fields)) {
        snprintf(err, errlen, "fields must be an object of contact property values");
        return NULL;
    }
    if (at && sync_time_parse(at, &ms) != SYNC_OK) {
        snprintf(err, errlen, "submittedAt must be an ISO-8601 time");
        return NULL;
    }
    if (!find_form(s, form_id, NULL, 0) && !find_form(s, form_id, NULL, 1))
        json_array_append_new(s->forms, form_def(form_id, form_id, ms));
    submission_values(email, fields, &values, &props);
    e = submission_contact(p, form_id, email, props, &r, &created);
    if (e) {
        snprintf(err, errlen, "%s",
                 sync_json_str(e, "message") ? sync_json_str(e, "message") : "invalid submission");
        json_decref(e);
        json_decref(values);
        return NULL;
    }
    new_uuid(conv);
    submission_store(s, form_id,
                     json_pack("{s:I, s:o, s:s, s:s}", "submittedAt", (json_int_t)ms, "values",
                               values, "pageUrl", page ? page : "https://www.crmsync.test/contact",
                               "conversionId", conv),
                     ms);
    persist_mark(p);
    return json_pack("{s:s, s:s, s:b, s:s}", "formId", form_id, "contactId",
                     hs_id_str(r->id, idbuf), "new", created, "conversionId", conv);
}

/* ---- e-mail events ---- */

static int event_type_ok(const char *t)
{
    static const char *const ok[] = {
        "SENT",      "DELIVERED",  "OPEN",         "CLICK",   "BOUNCE", "DEFERRED", "DROPPED",
        "PROCESSED", "SPAMREPORT", "STATUSCHANGE", "FORWARD", "PRINT",  NULL};
    for (size_t i = 0; t && ok[i]; i++)
        if (strcmp(t, ok[i]) == 0)
            return 1;
    return 0;
}

json_t *mkt_add_email_event(struct hs_portal *p, const json_t *body, char *err, size_t errlen)
{
    struct mkt_state *s = MS(p);
    const char *type = sync_json_str(body, "type");
    const char *rcpt = sync_json_str(body, "recipient");
    const char *subject = sync_json_str(body, "subject");
    const char *url = sync_json_str(body, "url");
    const char *at = sync_json_str(body, "created");
    json_t *camp = json_object_get(body, "emailCampaignId");
    int64_t ms = sync_time_now_ms();
    char id[37];
    json_t *e;
    size_t pos;

    if (!event_type_ok(type)) {
        snprintf(err, errlen, "type must be one of SENT, DELIVERED, OPEN, CLICK, BOUNCE, ...");
        return NULL;
    }
    if (!rcpt || !props_email_ok(rcpt)) {
        snprintf(err, errlen, "recipient is required and must be an e-mail address");
        return NULL;
    }
    if (camp && !json_is_integer(camp)) {
        snprintf(err, errlen, "emailCampaignId must be an integer");
        return NULL;
    }
    if (at && sync_time_parse(at, &ms) != SYNC_OK) {
        snprintf(err, errlen, "created must be an ISO-8601 time");
        return NULL;
    }
    new_uuid(id);
    e = json_pack("{s:s, s:I, s:s, s:s, s:I, s:i, s:i, s:s, s:{s:s, s:I}}", "id", id, "created",
                  (json_int_t)ms, "type", type, "recipient", rcpt, "emailCampaignId",
                  (json_int_t)(camp ? json_integer_value(camp) : 0), "portalId", HS_PORTAL_ID,
                  "appId", HS_APP_ID, "appName", "Batch", "sentBy", "id", id, "created",
                  (json_int_t)ms);
    if (subject)
        json_object_set_new(e, "subject", json_string(subject));
    if (url)
        json_object_set_new(e, "url", json_string(url));
    pos = json_array_size(s->events);
    while (pos > 0 &&
           json_integer_value(json_object_get(json_array_get(s->events, pos - 1), "created")) > ms)
        pos--;
    json_array_insert(s->events, pos, e);
    persist_mark(p);
    return e;
}

void mkt_h_email_events(struct hs_ctx *c)
{
    struct mkt_state *s = MS(c->p);
    const char *rcpt = hs_query(c, "recipient");
    const char *type = hs_query(c, "eventType");
    const char *camp = hs_query(c, "campaignId");
    int64_t start, end, limit, offset;
    json_t *out = json_array();
    int64_t seen = 0;
    int more = 0;
    if (hs_query_int(c, "startTimestamp", 0, 0, INT64_MAX, &start) ||
        hs_query_int(c, "endTimestamp", INT64_MAX, 0, INT64_MAX, &end) ||
        hs_query_int(c, "limit", 100, 1, 1000, &limit) ||
        hs_query_int(c, "offset", 0, 0, INT64_MAX, &offset)) {
        json_decref(out);
        return;
    }
    /* newest first */
    for (size_t k = json_array_size(s->events); k > 0; k--) {
        json_t *e = json_array_get(s->events, k - 1);
        int64_t at = json_integer_value(json_object_get(e, "created"));
        if (rcpt && strcasecmp(rcpt, sync_json_str(e, "recipient")) != 0)
            continue;
        if (type && strcmp(type, sync_json_str(e, "type")) != 0)
            continue;
        if (camp &&
            strtoll(camp, NULL, 10) != json_integer_value(json_object_get(e, "emailCampaignId")))
            continue;
        if (at < start || at > end)
            continue;
        if (seen >= offset && (int64_t)json_array_size(out) < limit)
            json_array_append(out, e);
        else if (seen >= offset)
            more = 1;
        seen++;
    }
    {
        char next[32];
        snprintf(next, sizeof(next), "%lld", (long long)(offset + (int64_t)json_array_size(out)));
        hs_reply(c, 200,
                 json_pack("{s:o, s:b, s:s}", "events", out, "hasMore", more, "offset", next));
    }
}

void mkt_h_email_event_get(struct hs_ctx *c)
{
    struct mkt_state *s = MS(c->p);
    size_t i;
    json_t *e;
    json_array_foreach(s->events, i, e)
    {
        char created[32];
        snprintf(created, sizeof(created), "%lld",
                 (long long)json_integer_value(json_object_get(e, "created")));
        if (strcmp(sync_json_str(e, "id"), c->params[1]) == 0 &&
            strcmp(created, c->params[0]) == 0) {
            hs_reply(c, 200, json_incref(e));
            return;
        }
    }
    hs_fail(c, 404, "OBJECT_NOT_FOUND", "Email event %s/%s does not exist", c->params[0],
            c->params[1]);
}

/* For persist.c. */
json_t *mkt_dump(struct hs_portal *p)
{
    struct mkt_state *s = MS(p);
    return json_pack("{s:O, s:O, s:O}", "forms", s->forms, "submissions", s->submissions, "events",
                     s->events);
}

void mkt_load(struct hs_portal *p, const json_t *j)
{
    struct mkt_state *s = MS(p);
    json_t *v;
    if (!s)
        return;
    if ((v = json_object_get(j, "forms")) && json_is_array(v)) {
        json_decref(s->forms);
        s->forms = json_deep_copy(v);
    }
    if ((v = json_object_get(j, "submissions")) && json_is_object(v)) {
        json_decref(s->submissions);
        s->submissions = json_deep_copy(v);
    }
    if ((v = json_object_get(j, "events")) && json_is_array(v)) {
        json_decref(s->events);
        s->events = json_deep_copy(v);
    }
}
