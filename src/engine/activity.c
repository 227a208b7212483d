/*
 * activity.c: HubSpot activities as Salesforce tasks (see activity.h).
 * Pure; called by the planner and its unit test.
 */
#include "engine/activity.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/time.h"

#define NOTE_SUBJECT_CHARS 80 /* {body}: the first characters of a note */

static const char *prop(const json_t *props, const char *name)
{
    const char *s = sync_json_str(props, name);
    return s && *s ? s : NULL;
}

int sync_activity_type(const char *object, const json_t *props, enum sync_timeline_type *out)
{
    static const struct {
        const char *object;
        enum sync_timeline_type t;
    } simple[] = {{"form_submissions", SYNC_TIMELINE_FORM_SUBMISSIONS},
                  {"meetings", SYNC_TIMELINE_MEETINGS},
                  {"calls", SYNC_TIMELINE_CALLS},
                  {"notes", SYNC_TIMELINE_NOTES},
                  {"tasks", SYNC_TIMELINE_TASKS}};

    for (size_t i = 0; object && i < sizeof(simple) / sizeof(simple[0]); i++)
        if (strcmp(object, simple[i].object) == 0)
            return *out = simple[i].t, 0;
    if (object && strcmp(object, "email_events") == 0) {
        const char *e = prop(props, "event_type");
        if (!e)
            return -1;
        if (strcmp(e, "SENT") == 0)
            return *out = SYNC_TIMELINE_MARKETING_EMAIL_SENT, 0;
        if (strcmp(e, "OPEN") == 0)
            return *out = SYNC_TIMELINE_MARKETING_EMAIL_OPENED, 0;
        if (strcmp(e, "CLICK") == 0)
            return *out = SYNC_TIMELINE_MARKETING_EMAIL_CLICKED, 0;
        return -1;
    }
    if (object && strcmp(object, "emails") == 0) {
        const char *d = prop(props, "hs_email_direction");
        if (d && strcmp(d, "EMAIL") != 0)
            return -1; /* incoming or forwarded: not a sales email sent */
        return *out = SYNC_TIMELINE_SALES_EMAIL_SENT, 0;
    }
    if (object && strcmp(object, "sales_email_events") == 0) {
        const char *e = prop(props, "event_type");
        if (e && strcmp(e, "OPEN") == 0)
            return *out = SYNC_TIMELINE_SALES_EMAIL_OPENED, 0;
        if (e && strcmp(e, "CLICK") == 0)
            return *out = SYNC_TIMELINE_SALES_EMAIL_CLICKED, 0;
        return -1;
    }
    if (object && strcmp(object, "document_views") == 0)
        return *out = SYNC_TIMELINE_DOCUMENTS, 0;
    return -1;
}

int sync_activity_is_event(enum sync_timeline_type t)
{
    switch (t) {
    case SYNC_TIMELINE_SALES_EMAIL_SENT:
    case SYNC_TIMELINE_MEETINGS:
    case SYNC_TIMELINE_CALLS:
    case SYNC_TIMELINE_NOTES:
    case SYNC_TIMELINE_TASKS:
        return 0;
    default:
        return 1;
    }
}

/* ---- events HubSpot keeps only in calculated properties ---- */

/* One derived event into out: {"object", "id", "at", "record"} with the record's times at. */
static int derived_add(json_t *out, const char *object, const char *id, int64_t at, json_t *props)
{
    char ms[24];
    json_t *ev;

    snprintf(ms, sizeof(ms), "%lld", (long long)at);
    if (!props || json_object_set_new(props, "hs_timestamp", json_string(ms)) ||
        json_object_set_new(props, "hs_createdate", json_string(ms)) ||
        json_object_set_new(props, "hs_lastmodifieddate", json_string(ms))) {
        json_decref(props);
        return -1;
    }
    ev = json_pack("{s:s, s:s, s:I, s:{s:s, s:o}}", "object", object, "id", id, "at",
                   (json_int_t)at, "record", "id", id, "properties", props);
    return ev ? json_array_append_new(out, ev) : -1;
}

/* A sent sales email's latest open or click (type "OPEN", "CLICK"), when it has one. */
static int sales_email_event(json_t *out, const char *email_id, const json_t *props,
                             const char *type, const char *date_prop, const char *count_prop)
{
    int64_t at = sync_activity_time(props, date_prop);
    char id[160];

    if (!at)
        return 0;
    snprintf(id, sizeof(id), "%s:%s:%lld", email_id, type, (long long)at);
    return derived_add(out, "sales_email_events", id, at,
                       json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "event_type", type, "email_id",
                                 email_id, "hs_email_subject", prop(props, "hs_email_subject"),
                                 "hubspot_owner_id", prop(props, "hubspot_owner_id"), "count",
                                 prop(props, count_prop)));
}

json_t *sync_activity_derived(const char *object, const char *id, const json_t *props)
{
    json_t *out = json_array();
    enum sync_timeline_type t;
    int bad = !out || !object || !id;

    if (!bad && strcmp(object, "emails") == 0 && sync_activity_type(object, props, &t) == 0) {
        bad |= sales_email_event(out, id, props, "OPEN", "hs_email_last_open_date",
                                 "hs_email_open_count");
        bad |= sales_email_event(out, id, props, "CLICK", "hs_email_last_click_date",
                                 "hs_email_click_count");
    } else if (!bad && strcmp(object, "contacts") == 0 && prop(props, "email")) {
        /* HubSpot names neither the document nor who shared it: the view is the contact's */
        int64_t at = sync_activity_time(props, "hs_document_last_revisited");
        char vid[160];
        snprintf(vid, sizeof(vid), "%s:%lld", id, (long long)at);
        if (at)
            bad |= derived_add(
                out, "document_views", vid, at,
                json_pack("{s:s, s:s}", "contact_id", id, "email", prop(props, "email")));
    }
    if (bad) {
        json_decref(out);
        return NULL;
    }
    return out;
}

int64_t sync_activity_time(const json_t *props, const char *name)
{
    const char *s = prop(props, name);
    int64_t ms = 0;
    char *end;

    if (!s)
        return 0;
    if (sync_time_parse(s, &ms) == SYNC_OK)
        return ms;
    ms = strtoll(s, &end, 10);
    return *end ? 0 : ms;
}

/* HubSpot ids are decimal: the longer is the higher, then by digits. */
static int id_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

int sync_activity_party(const struct sync_plan_party *p, size_t n, int *waiting)
{
    int best = -1;

    *waiting = 0;
    for (size_t i = 0; i < n; i++) {
        if (!p[i].hs_id)
            continue;
        if (!p[i].sf_id || !p[i].sf_id[0]) {
            *waiting |= p[i].pending;
            continue;
        }
        if (best < 0 || p[i].created_at > p[best].created_at ||
            (p[i].created_at == p[best].created_at && id_cmp(p[i].hs_id, p[best].hs_id) > 0))
            best = (int)i;
    }
    return best;
}

/* ---- text ---- */

/* The bytes of s's first max characters (Salesforce counts characters; a character is never
 * split). */
static size_t utf8_prefix(const char *s, size_t max)
{
    size_t n = 0;

    for (size_t chars = 0; s[n] && chars < max; chars++)
        for (n++; ((unsigned char)s[n] & 0xC0) == 0x80; n++)
            ;
    return n;
}

/* UTF-8 of code point cp into out (5 bytes); "" for none. */
static void utf8_put(unsigned long cp, char *out)
{
    unsigned char *o = (unsigned char *)out;

    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        *o = '\0';
    else if (cp < 0x80)
        o[0] = (unsigned char)cp, o[1] = '\0';
    else if (cp < 0x800)
        o[0] = (unsigned char)(0xC0 | cp >> 6), o[1] = (unsigned char)(0x80 | (cp & 0x3F)),
        o[2] = '\0';
    else if (cp < 0x10000)
        o[0] = (unsigned char)(0xE0 | cp >> 12), o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F)),
        o[2] = (unsigned char)(0x80 | (cp & 0x3F)), o[3] = '\0';
    else
        o[0] = (unsigned char)(0xF0 | cp >> 18), o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F)),
        o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F)), o[3] = (unsigned char)(0x80 | (cp & 0x3F)),
        o[4] = '\0';
}

/* The entity s starts ("&amp;", "&#39;", "&#x263A;") decoded into put (5 bytes); its length,
 * or 0 when it is none (the '&' then stands for itself). */
static size_t entity(const char *s, char *put)
{
    static const struct {
        const char *ent, *ch;
    } ents[] = {{"&amp;", "&"},   {"&lt;", "<"},   {"&gt;", ">"},
                {"&quot;", "\""}, {"&apos;", "'"}, {"&nbsp;", " "}};
    unsigned long cp;
    char *end;

    for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
        if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0) {
            strcpy(put, ents[i].ch);
            return strlen(ents[i].ent);
        }
    if (s[1] != '#')
        return 0;
    cp = (s[2] == 'x' || s[2] == 'X') ? strtoul(s + 3, &end, 16) : strtoul(s + 2, &end, 10);
    if (end == s + 2 || end == s + 3 || *end != ';' || end - s > 10)
        return 0;
    utf8_put(cp, put);
    return (size_t)(end - s) + 1;
}

/* Whether the tag s starts (at its '<') reads as a line break: <br>, or a block's end. */
static int tag_breaks(const char *s)
{
    static const char *const blocks[] = {"p",  "div", "li", "tr", "h1",        "h2",
                                         "h3", "h4",  "h5", "h6", "blockquote"};
    int closing = s[1] == '/';
    const char *name = s + 1 + closing;
    size_t n = 0;

    while (isalnum((unsigned char)name[n]))
        n++;
    if (!closing)
        return n == 2 && strncasecmp(name, "br", 2) == 0;
    for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
        if (n == strlen(blocks[i]) && strncasecmp(name, blocks[i], n) == 0)
            return 1;
    return 0;
}

void sync_activity_plain(const char *html, char *out, size_t max)
{
    size_t o = 0, cap = SYNC_ACTIVITY_PLAIN_CAP(max) - 1; /* max characters fit in cap bytes */
    int in_tag = 0;

    for (const char *s = html ? html : ""; *s && o < cap; s++) {
        char put[8] = {*s, '\0'};
        size_t len;
        if (in_tag) {
            in_tag = *s != '>';
            continue;
        }
        if (*s == '<') {
            in_tag = 1;
            strcpy(put, tag_breaks(s) ? "\n" : "");
        } else if (*s == '&' && (len = entity(s, put)) > 0) {
            s += len - 1;
        }
        len = strlen(put);
        if (o == 0 && isspace((unsigned char)put[0]))
            continue; /* no leading blanks */
        if (o + len > cap)
            break;
        memcpy(out + o, put, len);
        o += len;
    }
    out[o] = '\0';
    o = utf8_prefix(out, max);
    while (o > 0 && isspace((unsigned char)out[o - 1]))
        o--;
    out[o] = '\0';
}

/* The value of a {name} placeholder for activity props of object ({body}: into tmp). */
static const char *placeholder(const char *name, size_t n, const char *object, const json_t *props,
                               char tmp[SYNC_ACTIVITY_PLAIN_CAP(NOTE_SUBJECT_CHARS)])
{
#define IS(s) (n == strlen(s) && strncmp(name, s, n) == 0)
    const char *v = NULL;
    if (IS("form"))
        v = prop(props, "form_name");
    else if (IS("email"))
        v = prop(props, "campaign_name") ? prop(props, "campaign_name") : prop(props, "subject");
    else if (IS("subject"))
        v = prop(props, "hs_email_subject")  ? prop(props, "hs_email_subject")
            : prop(props, "hs_task_subject") ? prop(props, "hs_task_subject")
                                             : prop(props, "subject");
    else if (IS("title"))
        v = prop(props, "hs_call_title") ? prop(props, "hs_call_title")
                                         : prop(props, "hs_meeting_title");
    else if (IS("url"))
        v = prop(props, "url") ? prop(props, "url") : prop(props, "page_url");
    else if (IS("document")) /* HubSpot's APIs do not name a viewed document */
        v = prop(props, "document_name") ? prop(props, "document_name") : "sales document";
    else if (IS("body")) {
        sync_activity_plain(prop(props, "hs_note_body"), tmp, NOTE_SUBJECT_CHARS);
        for (char *p = tmp; *p; p++)
            if (*p == '\n')
                *p = ' ';
        return tmp;
    } else
        return NULL;
    (void)object;
    return v ? v : "";
#undef IS
}

static char *subject_of(const char *fmt, const char *object, const json_t *props)
{
    /* a format of at most 255 characters, each value cut at the subject's length: it fits */
    struct sync_buf b = SYNC_BUF_INIT(256 * 1024);
    char tmp[SYNC_ACTIVITY_PLAIN_CAP(NOTE_SUBJECT_CHARS)], *out;

    for (const char *s = fmt ? fmt : ""; *s;) {
        const char *close = *s == '{' ? strchr(s, '}') : NULL;
        const char *v =
            close ? placeholder(s + 1, (size_t)(close - s - 1), object, props, tmp) : NULL;
        if (v) {
            sync_buf_add(&b, v, utf8_prefix(v, SYNC_ACTIVITY_SUBJECT_MAX));
            s = close + 1;
        } else {
            sync_buf_addch(&b, *s);
            s++;
        }
    }
    out = strdup(sync_buf_str(&b));
    sync_buf_release(&b);
    if (out)
        out[utf8_prefix(out, SYNC_ACTIVITY_SUBJECT_MAX)] = '\0';
    return out;
}

/* The details of an activity, as text before the HTML is dropped. */
static void details_of(enum sync_timeline_type t, const json_t *props, struct sync_buf *b)
{
    const char *p;

    switch (t) {
    case SYNC_TIMELINE_FORM_SUBMISSIONS:
        sync_buf_addf(b, "Form: %s\n", (p = prop(props, "form_name")) ? p : "");
        if ((p = prop(props, "page_url")))
            sync_buf_addf(b, "Page: %s\n", p);
        if ((p = prop(props, "form_values")))
            sync_buf_addstr(b, p);
        break;
    case SYNC_TIMELINE_MARKETING_EMAIL_SENT:
    case SYNC_TIMELINE_MARKETING_EMAIL_OPENED:
    case SYNC_TIMELINE_MARKETING_EMAIL_CLICKED:
        if ((p = prop(props, "campaign_name")))
            sync_buf_addf(b, "Email: %s\n", p);
        if ((p = prop(props, "subject")))
            sync_buf_addf(b, "Subject: %s\n", p);
        if ((p = prop(props, "url")))
            sync_buf_addf(b, "Clicked: %s\n", p);
        break;
    case SYNC_TIMELINE_SALES_EMAIL_OPENED:
    case SYNC_TIMELINE_SALES_EMAIL_CLICKED:
        sync_buf_addf(b, "Sales email: %s\n", (p = prop(props, "hs_email_subject")) ? p : "");
        if ((p = prop(props, "count")))
            sync_buf_addf(b, "%s so far: %s\n",
                          t == SYNC_TIMELINE_SALES_EMAIL_OPENED ? "Opens" : "Clicks", p);
        break;
    case SYNC_TIMELINE_DOCUMENTS:
        sync_buf_addstr(b, "Viewed a sales document shared with them\n");
        break;
    default: {
        static const char *const bodies[] = {"hs_email_text", "hs_meeting_body", "hs_call_body",
                                             "hs_note_body", "hs_task_body"};
        for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
            if ((p = prop(props, bodies[i])))
                sync_buf_addstr(b, p);
        break;
    }
    }
}

static const char *task_status(enum sync_timeline_type t, const json_t *props)
{
    static const struct {
        const char *hs, *sf;
    } map[] = {{"NOT_STARTED", "Not Started"},
               {"IN_PROGRESS", "In Progress"},
               {"WAITING", "Waiting on someone else"},
               {"DEFERRED", "Deferred"},
               {"COMPLETED", "Completed"}};
    const char *s = prop(props, "hs_task_status");

    if (t != SYNC_TIMELINE_TASKS)
        return "Completed";
    for (size_t i = 0; s && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(s, map[i].hs) == 0)
            return map[i].sf;
    return "Not Started";
}

static const char *task_priority(const json_t *props)
{
    const char *p = prop(props, "hs_task_priority");
    if (p && strcmp(p, "HIGH") == 0)
        return "High";
    if (p && strcmp(p, "LOW") == 0)
        return "Low";
    return "Normal";
}

json_t *sync_activity_task(enum sync_timeline_type t, const char *object, const json_t *props,
                           const char *subject_format, const char *task_type)
{
    struct sync_buf details = SYNC_BUF_INIT(1024 * 1024);
    char *subject = subject_of(subject_format, object, props);
    char *body = malloc(SYNC_ACTIVITY_PLAIN_CAP(SYNC_ACTIVITY_BODY_MAX));
    int64_t when = sync_activity_time(props, t == SYNC_TIMELINE_MEETINGS &&
                                                     prop(props, "hs_meeting_start_time")
                                                 ? "hs_meeting_start_time"
                                                 : "hs_timestamp");
    char date[SYNC_TIME_ISO_MAX];
    json_t *out = NULL;

    if (!subject || !body)
        goto done;
    details_of(t, props, &details);
    sync_activity_plain(sync_buf_str(&details), body, SYNC_ACTIVITY_BODY_MAX);
    out = json_pack("{s:s, s:s, s:s}", "Subject", subject, "Status", task_status(t, props),
                    "Priority", t == SYNC_TIMELINE_TASKS ? task_priority(props) : "Normal");
    if (out && body[0])
        json_object_set_new(out, "Description", json_string(body));
    if (out && when) /* a date: the UTC day of the instant */
        json_object_set_new(
            out, "ActivityDate",
            json_string(sync_time_format_date(when - when % 86400000, date, sizeof(date))));
    if (out && task_type && *task_type)
        json_object_set_new(out, "Type", json_string(task_type));
done:
    sync_buf_release(&details);
    free(subject);
    free(body);
    return out;
}
