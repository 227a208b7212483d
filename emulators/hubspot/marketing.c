/*
 * marketing.c: the marketing events an integration reacts to. Forms
 * (/marketing/v3/forms) and their submissions (read through
 * /form-integrations/v1/submissions/forms/{formId}, newest first); a
 * submission made through the control API creates or updates the
 * contact by e-mail with FORM as the source, then sets the contact's
 * conversion properties (recent_conversion_date, ...,
 * num_conversion_events) as HubSpot's own calculation (tracking.h).
 * Marketing e-mail events (SENT, OPEN, CLICK, ...) made through the
 * control API, read through the e-mail events API
 * (/email/public/v1/events), and the e-mail campaigns they belong to
 * (/email/public/v1/campaigns: name, subject, counters from the
 * events). Lists come newest first and page by an opaque cursor naming
 * the last item returned, so items arriving between pages shift
 * nothing.
 *
 * State is a struct mkt_state in p->mkt; callers hold the portal lock.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/crypto.h"
#include "core/time.h"
#include "emulators/hubspot/tracking.h"

#define DEFAULT_FORM "5a1c9e2b-0000-4000-8000-00000000f0f0"
#define FIRST_CAMPAIGN 100000001LL

struct mkt_state {
    json_t *forms;       /* array of form definitions */
    json_t *submissions; /* object: formId -> array (oldest first) */
    json_t *events;      /* array, oldest first */
    json_t *campaigns;   /* array of campaigns, in creation order */
    int64_t next_campaign;
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
    s->campaigns = json_array();
    s->next_campaign = FIRST_CAMPAIGN;
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
    json_decref(s->campaigns);
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

/* ---- cursors: base64 of "<ms>:<id>" of the last item of a page ---- */

#define CURSOR_ID_MAX 64

static void cursor_make(int64_t ms, const char *id, struct sync_buf *out)
{
    char raw[32 + CURSOR_ID_MAX];
    int n = snprintf(raw, sizeof(raw), "%lld:%.*s", (long long)ms, CURSOR_ID_MAX - 1, id);
    sync_base64_encode(raw, (size_t)n, out);
}

/* 0 with ms and id, or -1 when s is no cursor of ours. */
static int cursor_parse(const char *s, int64_t *ms, char id[CURSOR_ID_MAX])
{
    struct sync_buf b = SYNC_BUF_INIT(256);
    char *colon, *end;
    int rc = -1;
    if (sync_base64_decode(s, strlen(s), &b) == SYNC_OK && b.data &&
        (colon = strchr(b.data, ':')) && colon != b.data && strlen(colon + 1) > 0 &&
        strlen(colon + 1) < CURSOR_ID_MAX) {
        *ms = strtoll(b.data, &end, 10);
        if (end == colon) {
            snprintf(id, CURSOR_ID_MAX, "%s", colon + 1);
            rc = 0;
        }
    }
    sync_buf_release(&b);
    return rc;
}

/* Order of two items by (time, id): <0, 0, >0. */
static int item_cmp(int64_t ma, const char *ia, int64_t mb, const char *ib)
{
    if (ma != mb)
        return ma < mb ? -1 : 1;
    return strcmp(ia, ib);
}

/* The query parameter name as a cursor (absent: 0 with *given 0); -1 after failing c. */
static int query_cursor(struct hs_ctx *c, const char *name, int *given, int64_t *ms,
                        char id[CURSOR_ID_MAX])
{
    const char *v = hs_query(c, name);
    *given = v && *v;
    if (!*given)
        return 0;
    if (cursor_parse(v, ms, id)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid paging cursor: %s", v);
        return -1;
    }
    return 0;
}

static const char *str_or_empty(const json_t *o, const char *key)
{
    const char *v = sync_json_str(o, key);
    return v ? v : "";
}

/* Inserts item into arr (oldest first by (key, idkey)); takes the reference. */
static void insert_ordered(json_t *arr, json_t *item, const char *key, const char *idkey)
{
    int64_t ms = json_integer_value(json_object_get(item, key));
    const char *id = str_or_empty(item, idkey);
    size_t pos = json_array_size(arr);
    while (pos > 0) {
        json_t *prev = json_array_get(arr, pos - 1);
        if (item_cmp(json_integer_value(json_object_get(prev, key)), str_or_empty(prev, idkey), ms,
                     id) <= 0)
            break;
        pos--;
    }
    json_array_insert_new(arr, pos, item);
}

/* The cursor naming item (by key, idkey) as text; release out. */
static void item_cursor(const json_t *item, const char *key, const char *idkey,
                        struct sync_buf *out)
{
    cursor_make(json_integer_value(json_object_get(item, key)), str_or_empty(item, idkey), out);
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
    json_t *subs, *res, *body, *last = NULL;
    int64_t limit, cms = 0;
    char cid[CURSOR_ID_MAX];
    int given, more = 0;
    if (!find_form(s, c->params[0], NULL, 0) && !find_form(s, c->params[0], NULL, 1)) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Form %s does not exist", c->params[0]);
        return;
    }
    if (hs_query_int(c, "limit", 20, 1, 50, &limit) || query_cursor(c, "after", &given, &cms, cid))
        return;
    subs = json_object_get(s->submissions, c->params[0]);
    res = json_array();
    /* newest first: stored oldest first by (submittedAt, conversionId) */
    for (size_t k = json_array_size(subs); k > 0; k--) {
        json_t *sub = json_array_get(subs, k - 1);
        if (given && item_cmp(json_integer_value(json_object_get(sub, "submittedAt")),
                              str_or_empty(sub, "conversionId"), cms, cid) >= 0)
            continue;
        if ((int64_t)json_array_size(res) == limit) {
            more = 1;
            break;
        }
        json_array_append(res, sub);
        last = sub;
    }
    body = json_pack("{s:o}", "results", res);
    if (more && last) {
        struct sync_buf cur = SYNC_BUF_INIT(256);
        char link[900];
        item_cursor(last, "submittedAt", "conversionId", &cur);
        snprintf(link, sizeof(link), "/form-integrations/v1/submissions/forms/%s?after=%s",
                 c->params[0], cur.data);
        json_object_set_new(body, "paging",
                            json_pack("{s:{s:s, s:s}}", "next", "after", cur.data, "link", link));
        sync_buf_release(&cur);
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

/* HubSpot's own calculation on the submitter's contact: recent_conversion_date and
 * recent_conversion_event_name move to the submission when it is later, first_conversion_date
 * and first_conversion_event_name when there is none or it is earlier, num_conversion_events
 * counts every submission. The event name is the form's. 0, or -1 with err filled. */
static int submission_conversion(struct hs_portal *p, struct hs_record *r, const char *form_name,
                                 int64_t at, char *err, size_t errlen)
{
    const char *recent = hs_record_get(r, props_find(p, HS_CONTACTS, "recent_conversion_date"));
    const char *first = hs_record_get(r, props_find(p, HS_CONTACTS, "first_conversion_date"));
    const char *count = hs_record_get(r, props_find(p, HS_CONTACTS, "num_conversion_events"));
    char iso[SYNC_TIME_ISO_MAX], n[24];
    int64_t first_ms;
    json_t *props;

    sync_time_format_iso(at, iso, sizeof(iso));
    snprintf(n, sizeof(n), "%lld", (long long)tracking_count_after(count));
    props = json_pack("{s:s}", "num_conversion_events", n);
    if (props && tracking_is_later(recent, at)) {
        json_object_set_new(props, "recent_conversion_date", json_string(iso));
        json_object_set_new(props, "recent_conversion_event_name", json_string(form_name));
    }
    if (props &&
        (!first || !*first || sync_time_parse(first, &first_ms) != SYNC_OK || at < first_ms)) {
        json_object_set_new(props, "first_conversion_date", json_string(iso));
        json_object_set_new(props, "first_conversion_event_name", json_string(form_name));
    }
    return tracking_write_calculated(p, r, props, err, errlen);
}

/* Files sub (stolen) under form_id, oldest first by (submittedAt, conversionId). */
static void submission_store(struct mkt_state *s, const char *form_id, json_t *sub)
{
    json_t *arr = json_object_get(s->submissions, form_id);
    if (!arr) {
        arr = json_array();
        json_object_set_new(s->submissions, form_id, arr);
    }
    insert_ordered(arr, sub, "submittedAt", "conversionId");
}

json_t *mkt_submit_form(struct hs_portal *p, const char *form_id, const json_t *body, char *err,
                        size_t errlen)
{
    struct mkt_state *s = MS(p);
    const char *email = sync_json_str(body, "email");
    const char *at = sync_json_str(body, "submittedAt");
    const char *page = sync_json_str(body, "pageUrl");
    json_t *fields = json_object_get(body, "fields");
    json_t *props, *values, *e, *form;
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
    form = find_form(s, form_id, NULL, 0);
    form = form ? form : find_form(s, form_id, NULL, 1);
    if (!form) {
        form = form_def(form_id, form_id, ms);
        json_array_append_new(s->forms, form);
    }
    submission_values(email, fields, &values, &props);
    e = submission_contact(p, form_id, email, props, &r, &created);
    if (e) {
        snprintf(err, errlen, "%s",
                 sync_json_str(e, "message") ? sync_json_str(e, "message") : "invalid submission");
        json_decref(e);
        json_decref(values);
        return NULL;
    }
    if (submission_conversion(p, r, str_or_empty(form, "name"), ms, err, errlen)) {
        json_decref(values);
        return NULL;
    }
    new_uuid(conv);
    submission_store(s, form_id,
                     json_pack("{s:I, s:o, s:s, s:s}", "submittedAt", (json_int_t)ms, "values",
                               values, "pageUrl", page ? page : "https://www.crmsync.test/contact",
                               "conversionId", conv));
    persist_mark(p);
    return json_pack("{s:s, s:s, s:b, s:s}", "formId", form_id, "contactId",
                     hs_id_str(r->id, idbuf), "new", created, "conversionId", conv);
}

/* ---- e-mail campaigns ---- */

static json_t *find_campaign(struct mkt_state *s, int64_t id)
{
    size_t i;
    json_t *cp;
    json_array_foreach(s->campaigns, i, cp)
    {
        if (json_integer_value(json_object_get(cp, "id")) == id)
            return cp;
    }
    return NULL;
}

/* Adds a campaign (borrowed answer); name and subject default to each other. */
static json_t *campaign_add(struct mkt_state *s, int64_t id, const char *name, const char *subject,
                            int64_t content_id, int64_t at)
{
    json_t *cp;
    if (!name)
        name = subject;
    if (!subject)
        subject = name;
    cp = json_pack("{s:I, s:i, s:s, s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)id, "appId",
                   113, "appName", "Batch", "contentId", (json_int_t)content_id, "name",
                   name ? name : "", "subject", subject ? subject : "", "type", "BATCH_EMAIL",
                   "subType", "BATCH", "createdAt", (json_int_t)at);
    json_array_append_new(s->campaigns, cp);
    if (id >= s->next_campaign)
        s->next_campaign = id + 1;
    return cp;
}

json_t *mkt_add_campaign(struct hs_portal *p, const json_t *body, char *err, size_t errlen)
{
    struct mkt_state *s = MS(p);
    const char *name = sync_json_str(body, "name");
    const char *subject = sync_json_str(body, "subject");
    json_t *id = json_object_get(body, "id"), *content = json_object_get(body, "contentId");
    int64_t cid;
    if (!json_is_object(body) || (!name && !subject)) {
        snprintf(err, errlen, "name or subject is required");
        return NULL;
    }
    if ((id && (!json_is_integer(id) || json_integer_value(id) <= 0)) ||
        (content && !json_is_integer(content))) {
        snprintf(err, errlen, "id and contentId must be positive integers");
        return NULL;
    }
    cid = id ? json_integer_value(id) : s->next_campaign;
    if (find_campaign(s, cid)) {
        snprintf(err, errlen, "campaign %lld exists", (long long)cid);
        return NULL;
    }
    persist_mark(p);
    return campaign_add(s, cid, name, subject,
                        content ? json_integer_value(content) : 80000000000LL + cid,
                        sync_time_now_ms());
}

/* The campaign as GET /email/public/v1/campaigns/{id} answers it: counters (one per event
 * type seen, lower case), recipients, the time of the last event. New. */
static json_t *campaign_json(struct mkt_state *s, const json_t *cp, int64_t *last)
{
    int64_t id = json_integer_value(json_object_get(cp, "id"));
    json_t *out = json_deep_copy(cp), *counters = json_object(), *e;
    int64_t sent = 0;
    size_t i;
    *last = json_integer_value(json_object_get(cp, "createdAt"));
    json_object_del(out, "createdAt");
    json_array_foreach(s->events, i, e)
    {
        char key[32];
        size_t k;
        const char *type = str_or_empty(e, "type");
        if (json_integer_value(json_object_get(e, "emailCampaignId")) != id)
            continue;
        for (k = 0; type[k] && k < sizeof(key) - 1; k++)
            key[k] = (char)tolower((unsigned char)type[k]);
        key[k] = '\0';
        json_object_set_new(counters, key,
                            json_integer(json_integer_value(json_object_get(counters, key)) + 1));
        sent += strcmp(type, "SENT") == 0;
        if (json_integer_value(json_object_get(e, "created")) > *last)
            *last = json_integer_value(json_object_get(e, "created"));
    }
    json_object_set_new(out, "counters", counters);
    json_object_set_new(out, "numIncluded", json_integer(sent));
    json_object_set_new(out, "numQueued", json_integer(0));
    json_object_set_new(out, "lastProcessingFinishedAt", json_integer(*last));
    return out;
}

void mkt_h_campaign_get(struct hs_ctx *c)
{
    struct mkt_state *s = MS(c->p);
    char *end;
    int64_t id = strtoll(c->params[0], &end, 10), last;
    json_t *cp = *end || id <= 0 ? NULL : find_campaign(s, id);
    if (!cp) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Campaign %s does not exist", c->params[0]);
        return;
    }
    hs_reply(c, 200, campaign_json(s, cp, &last));
}

static int by_recent(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int64_t tx = json_integer_value(json_object_get(x, "lastUpdatedTime"));
    int64_t ty = json_integer_value(json_object_get(y, "lastUpdatedTime"));
    if (tx != ty)
        return tx > ty ? -1 : 1;
    return json_integer_value(json_object_get(x, "id")) >
                   json_integer_value(json_object_get(y, "id"))
               ? -1
               : 1;
}

/* GET /email/public/v1/campaigns (recent activity first, with lastUpdatedTime) and
 * .../campaigns/by-id (creation order): {campaigns, hasMore, offset}. */
static void campaign_list(struct hs_ctx *c, int recent)
{
    struct mkt_state *s = MS(c->p);
    size_t n = json_array_size(s->campaigns), i;
    json_t **v = calloc(n ? n : 1, sizeof(*v)), *out = json_array();
    int64_t limit, offset;
    char next[32];
    if (!v || hs_query_int(c, "limit", 250, 1, 1000, &limit) ||
        hs_query_int(c, "offset", 0, 0, INT64_MAX, &offset)) {
        if (!v)
            hs_fail(c, 500, "INTERNAL_ERROR", "out of memory");
        free(v);
        json_decref(out);
        return;
    }
    for (i = 0; i < n; i++) {
        json_t *cp = json_array_get(s->campaigns, i);
        int64_t last;
        json_t *full = campaign_json(s, cp, &last);
        json_decref(full);
        v[i] = json_pack("{s:O, s:O, s:O}", "id", json_object_get(cp, "id"), "appId",
                         json_object_get(cp, "appId"), "appName", json_object_get(cp, "appName"));
        if (recent)
            json_object_set_new(v[i], "lastUpdatedTime", json_integer(last));
    }
    if (recent && n > 1)
        qsort(v, n, sizeof(*v), by_recent);
    for (i = 0; i < n; i++) {
        if ((int64_t)i >= offset && (int64_t)i < offset + limit)
            json_array_append(out, v[i]);
        json_decref(v[i]);
    }
    free(v);
    snprintf(next, sizeof(next), "%lld", (long long)(offset + (int64_t)json_array_size(out)));
    hs_reply(c, 200,
             json_pack("{s:o, s:b, s:s}", "campaigns", out, "hasMore", offset + limit < (int64_t)n,
                       "offset", next));
}

void mkt_h_campaigns(struct hs_ctx *c)
{
    campaign_list(c, 1);
}

void mkt_h_campaigns_by_id(struct hs_ctx *c)
{
    campaign_list(c, 0);
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

/* The newest SENT event of the same message (recipient, campaign) at or before ms. */
static const json_t *sent_event(struct mkt_state *s, const char *rcpt, int64_t camp, int64_t ms)
{
    for (size_t k = json_array_size(s->events); k > 0; k--) {
        const json_t *e = json_array_get(s->events, k - 1);
        if (json_integer_value(json_object_get(e, "created")) <= ms &&
            strcmp(str_or_empty(e, "type"), "SENT") == 0 &&
            json_integer_value(json_object_get(e, "emailCampaignId")) == camp &&
            strcasecmp(str_or_empty(e, "recipient"), rcpt) == 0)
            return e;
    }
    return NULL;
}

json_t *mkt_add_email_event(struct hs_portal *p, const json_t *body, char *err, size_t errlen)
{
    struct mkt_state *s = MS(p);
    const char *type = sync_json_str(body, "type");
    const char *rcpt = sync_json_str(body, "recipient");
    const char *subject = sync_json_str(body, "subject");
    const char *url = sync_json_str(body, "url");
    const char *at = sync_json_str(body, "created");
    json_t *camp = json_object_get(body, "emailCampaignId"), *cp;
    const json_t *sent;
    int64_t ms = sync_time_now_ms(), cid;
    char id[37];
    json_t *e;

    if (!event_type_ok(type)) {
        snprintf(err, errlen, "type must be one of SENT, DELIVERED, OPEN, CLICK, BOUNCE, ...");
        return NULL;
    }
    if (!rcpt || !props_email_ok(rcpt)) {
        snprintf(err, errlen, "recipient is required and must be an e-mail address");
        return NULL;
    }
    if (!json_is_integer(camp) || json_integer_value(camp) <= 0) {
        snprintf(err, errlen, "emailCampaignId is required and must be a positive integer");
        return NULL;
    }
    if (at && sync_time_parse(at, &ms) != SYNC_OK) {
        snprintf(err, errlen, "created must be an ISO-8601 time");
        return NULL;
    }
    cid = json_integer_value(camp);
    /* an event of a campaign not made yet makes it, named after the subject */
    if (!(cp = find_campaign(s, cid))) {
        char name[64];
        snprintf(name, sizeof(name), "Campaign %lld", (long long)cid);
        cp = campaign_add(s, cid, subject ? subject : name, subject ? subject : name,
                          80000000000LL + cid, ms);
    }
    new_uuid(id);
    e = json_pack("{s:s, s:I, s:s, s:s, s:I, s:i, s:O, s:O}", "id", id, "created", (json_int_t)ms,
                  "type", type, "recipient", rcpt, "emailCampaignId", (json_int_t)cid, "portalId",
                  HS_PORTAL_ID, "appId", json_object_get(cp, "appId"), "appName",
                  json_object_get(cp, "appName"));
    if (subject)
        json_object_set_new(e, "subject", json_string(subject));
    else if (strcmp(type, "SENT") == 0)
        json_object_set(e, "subject", json_object_get(cp, "subject"));
    if (url)
        json_object_set_new(e, "url", json_string(url));
    if (strcmp(type, "SENT") != 0 && (sent = sent_event(s, rcpt, cid, ms)))
        json_object_set_new(e, "sentBy",
                            json_pack("{s:O, s:O}", "id", json_object_get(sent, "id"), "created",
                                      json_object_get(sent, "created")));
    insert_ordered(s->events, json_incref(e), "created", "id");
    persist_mark(p);
    return e;
}

void mkt_h_email_events(struct hs_ctx *c)
{
    struct mkt_state *s = MS(c->p);
    const char *rcpt = hs_query(c, "recipient");
    const char *type = hs_query(c, "eventType");
    const char *camp = hs_query(c, "campaignId");
    int64_t start, end, limit, cms = 0;
    char cid[CURSOR_ID_MAX];
    json_t *out, *last = NULL;
    int given, more = 0;
    struct sync_buf next = SYNC_BUF_INIT(256);
    if (hs_query_int(c, "startTimestamp", 0, 0, INT64_MAX, &start) ||
        hs_query_int(c, "endTimestamp", INT64_MAX, 0, INT64_MAX, &end) ||
        hs_query_int(c, "limit", 100, 1, 1000, &limit) ||
        query_cursor(c, "offset", &given, &cms, cid))
        return;
    out = json_array();
    /* newest first: stored oldest first by (created, id) */
    for (size_t k = json_array_size(s->events); k > 0; k--) {
        json_t *e = json_array_get(s->events, k - 1);
        int64_t at = json_integer_value(json_object_get(e, "created"));
        if (given && item_cmp(at, str_or_empty(e, "id"), cms, cid) >= 0)
            continue;
        if (rcpt && strcasecmp(rcpt, str_or_empty(e, "recipient")) != 0)
            continue;
        if (type && strcmp(type, str_or_empty(e, "type")) != 0)
            continue;
        if (camp &&
            strtoll(camp, NULL, 10) != json_integer_value(json_object_get(e, "emailCampaignId")))
            continue;
        if (at < start || at > end)
            continue;
        if ((int64_t)json_array_size(out) == limit) {
            more = 1;
            break;
        }
        json_array_append(out, e);
        last = e;
    }
    if (last)
        item_cursor(last, "created", "id", &next);
    else if (given)
        cursor_make(cms, cid, &next);
    hs_reply(c, 200,
             json_pack("{s:o, s:b, s:s}", "events", out, "hasMore", more, "offset",
                       next.data ? next.data : ""));
    sync_buf_release(&next);
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
        if (strcmp(str_or_empty(e, "id"), c->params[1]) == 0 &&
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
    return json_pack("{s:O, s:O, s:O, s:O}", "forms", s->forms, "submissions", s->submissions,
                     "events", s->events, "campaigns", s->campaigns);
}

void mkt_load(struct hs_portal *p, const json_t *j)
{
    struct mkt_state *s = MS(p);
    json_t *v;
    size_t i;
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
    if ((v = json_object_get(j, "campaigns")) && json_is_array(v)) {
        json_t *cp;
        json_decref(s->campaigns);
        s->campaigns = json_deep_copy(v);
        json_array_foreach(s->campaigns, i, cp)
        {
            int64_t id = json_integer_value(json_object_get(cp, "id"));
            if (id >= s->next_campaign)
                s->next_campaign = id + 1;
        }
    }
}
