/*
 * Tests src/engine/activity.c: what a HubSpot activity becomes as a
 * Salesforce task (timeline sync): its type (and the activities that are
 * none), the contact the task goes to, the subject formats and their cap,
 * HTML read as plain text, the description's cap, the UTC activity date,
 * the status and priority maps and the task type; the events derived
 * from calculated properties (a sales email opened or clicked, a sales
 * document viewed).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "engine/activity.h"

static json_t *parse(const char *text)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *j = sync_json_parse(text, strlen(text), &err);
    cr_assert_not_null(j, "%s", err.message);
    return j;
}

/* The type of an activity of object with these properties (JSON text), or -1. */
static int type_of(const char *object, const char *props)
{
    json_t *p = parse(props);
    enum sync_timeline_type t = SYNC_TIMELINE__COUNT;
    int rc = sync_activity_type(object, p, &t);
    json_decref(p);
    return rc ? -1 : (int)t;
}

/* The task of an activity of type t (props: JSON text); the caller frees it. */
static json_t *task_of(enum sync_timeline_type t, const char *object, const char *props,
                       const char *format, const char *task_type)
{
    json_t *p = parse(props);
    json_t *task = sync_activity_task(t, object, p, format, task_type);
    json_decref(p);
    cr_assert_not_null(task);
    return task;
}

/* Characters (not bytes) of UTF-8 text; fails the test on a split or stray sequence. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
        size_t k = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        cr_assert(*p < 0x80 || *p >= 0xC0, "no text starts inside a character");
        for (size_t i = 1; i < k; i++)
            cr_assert_eq(p[i] & 0xC0, 0x80, "a character is split at byte %zu",
                         (size_t)(p - (const unsigned char *)s));
        p += k;
    }
    return n;
}

/* s repeated n times, as a new string. */
static char *repeat(const char *s, size_t n)
{
    size_t len = strlen(s);
    char *out = malloc(len * n + 1);
    cr_assert_not_null(out);
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * len, s, len);
    out[len * n] = '\0';
    return out;
}

/* ---- types ---- */

Test(activity, form_submissions_meetings_calls_notes_and_tasks_are_their_own_types)
{
    cr_assert_eq(type_of("form_submissions", "{}"), SYNC_TIMELINE_FORM_SUBMISSIONS);
    cr_assert_eq(type_of("meetings", "{}"), SYNC_TIMELINE_MEETINGS);
    cr_assert_eq(type_of("calls", "{}"), SYNC_TIMELINE_CALLS);
    cr_assert_eq(type_of("notes", "{}"), SYNC_TIMELINE_NOTES);
    cr_assert_eq(type_of("tasks", "{}"), SYNC_TIMELINE_TASKS);
}

Test(activity, marketing_email_sent_opened_and_clicked_are_three_types)
{
    cr_assert_eq(type_of("email_events", "{\"event_type\":\"SENT\"}"),
                 SYNC_TIMELINE_MARKETING_EMAIL_SENT);
    cr_assert_eq(type_of("email_events", "{\"event_type\":\"OPEN\"}"),
                 SYNC_TIMELINE_MARKETING_EMAIL_OPENED);
    cr_assert_eq(type_of("email_events", "{\"event_type\":\"CLICK\"}"),
                 SYNC_TIMELINE_MARKETING_EMAIL_CLICKED);
}

Test(activity, delivered_bounced_and_typeless_email_events_make_no_task)
{
    cr_assert_eq(type_of("email_events", "{\"event_type\":\"DELIVERED\"}"), -1);
    cr_assert_eq(type_of("email_events", "{\"event_type\":\"BOUNCE\"}"), -1);
    cr_assert_eq(type_of("email_events", "{\"event_type\":\"\"}"), -1);
    cr_assert_eq(type_of("email_events", "{}"), -1);
}

Test(activity, an_email_sent_is_a_sales_email_and_an_incoming_or_forwarded_one_is_none)
{
    cr_assert_eq(type_of("emails", "{\"hs_email_direction\":\"EMAIL\"}"),
                 SYNC_TIMELINE_SALES_EMAIL_SENT);
    cr_assert_eq(type_of("emails", "{}"), SYNC_TIMELINE_SALES_EMAIL_SENT,
                 "an email with no direction was sent from HubSpot");
    cr_assert_eq(type_of("emails", "{\"hs_email_direction\":\"INCOMING_EMAIL\"}"), -1);
    cr_assert_eq(type_of("emails", "{\"hs_email_direction\":\"FORWARDED_EMAIL\"}"), -1);
}

Test(activity, crm_records_and_unknown_objects_are_no_activity)
{
    cr_assert_eq(type_of("contacts", "{}"), -1);
    cr_assert_eq(type_of("Task", "{}"), -1);
    cr_assert_eq(type_of("postal_mail", "{}"), -1);
    cr_assert_eq(type_of(NULL, "{}"), -1);
}

Test(activity, a_time_reads_as_epoch_ms_text_or_iso_and_absent_or_junk_is_zero)
{
    json_t *p = parse("{\"a\":\"1772667000000\",\"b\":\"2026-03-04T23:30:00.000Z\",\"c\":\"\","
                      "\"d\":\"soon\"}");
    cr_assert_eq(sync_activity_time(p, "a"), 1772667000000LL);
    cr_assert_eq(sync_activity_time(p, "b"), 1772667000000LL);
    cr_assert_eq(sync_activity_time(p, "c"), 0);
    cr_assert_eq(sync_activity_time(p, "d"), 0);
    cr_assert_eq(sync_activity_time(p, "e"), 0);
    json_decref(p);
}

/* ---- the party ---- */

#define SYNCED(id, at)                                                                             \
    {                                                                                              \
        id, at, NULL, "Lead", "00Q" id, 0, "L" id                                                  \
    }
#define PENDING(id, at)                                                                            \
    {                                                                                              \
        id, at, NULL, "Lead", "", 1, "L" id                                                        \
    }
#define UNSYNCED(id, at)                                                                           \
    {                                                                                              \
        id, at, NULL, NULL, NULL, 0, NULL                                                          \
    }

Test(activity, the_task_goes_to_the_most_recently_created_synced_contact)
{
    const struct sync_plan_party p[] = {SYNCED("101", 1000), SYNCED("102", 3000),
                                        SYNCED("103", 2000)};
    int waiting = -1;

    cr_assert_eq(sync_activity_party(p, 3, &waiting), 1);
    cr_assert_eq(waiting, 0);
}

Test(activity, equal_createdates_go_to_the_highest_numeric_id_not_the_highest_text)
{
    const struct sync_plan_party p[] = {SYNCED("9", 5000), SYNCED("10", 5000), SYNCED("2", 5000)};
    const struct sync_plan_party q[] = {SYNCED("10000000002", 7), SYNCED("9999999999", 7)};
    int waiting;

    cr_assert_eq(sync_activity_party(p, 3, &waiting), 1, "10 is higher than 9");
    cr_assert_eq(sync_activity_party(q, 2, &waiting), 0, "past 2^32 too");
}

Test(activity, a_contact_that_does_not_sync_is_ignored_even_when_newest)
{
    const struct sync_plan_party p[] = {
        UNSYNCED("900", 9000), SYNCED("100", 1000), {NULL, 9999, NULL, "Lead", "00Qx", 0, NULL}};
    int waiting;

    cr_assert_eq(sync_activity_party(p, 3, &waiting), 1);
    cr_assert_eq(waiting, 0, "a contact that does not sync is not waited for");
    cr_assert_eq(sync_activity_party(p, 1, &waiting), -1);
    cr_assert_eq(waiting, 0);
}

Test(activity, a_contact_linked_but_not_created_yet_means_waiting)
{
    const struct sync_plan_party p[] = {UNSYNCED("1", 1), PENDING("2", 2)};
    int waiting;

    cr_assert_eq(sync_activity_party(p, 2, &waiting), -1);
    cr_assert_eq(waiting, 1);
}

Test(activity, a_synced_contact_takes_the_task_though_a_newer_one_is_pending)
{
    const struct sync_plan_party p[] = {PENDING("2", 9000), SYNCED("1", 1000)};
    int waiting;

    cr_assert_eq(sync_activity_party(p, 2, &waiting), 1);
    cr_assert_eq(waiting, 1);
}

Test(activity, no_contacts_no_party)
{
    int waiting = -1;
    cr_assert_eq(sync_activity_party(NULL, 0, &waiting), -1);
    cr_assert_eq(waiting, 0);
}

/* ---- subjects ---- */

static void subject_is(enum sync_timeline_type t, const char *object, const char *props,
                       const char *format, const char *want)
{
    json_t *task = task_of(t, object, props, format, "");
    cr_assert_str_eq(sync_json_str(task, "Subject"), want);
    json_decref(task);
}

Test(activity, each_default_subject_fills_in_its_placeholder)
{
    subject_is(SYNC_TIMELINE_FORM_SUBMISSIONS, "form_submissions", "{\"form_name\":\"Contact us\"}",
               "Submitted: {form}", "Submitted: Contact us");
    subject_is(SYNC_TIMELINE_MARKETING_EMAIL_SENT, "email_events",
               "{\"event_type\":\"SENT\",\"campaign_name\":\"Spring launch\",\"subject\":\"New!\"}",
               "Sent: {email}", "Sent: Spring launch");
    subject_is(SYNC_TIMELINE_MARKETING_EMAIL_OPENED, "email_events",
               "{\"event_type\":\"OPEN\",\"campaign_name\":\"Spring launch\"}", "Opened: {email}",
               "Opened: Spring launch");
    subject_is(SYNC_TIMELINE_SALES_EMAIL_SENT, "emails", "{\"hs_email_subject\":\"Your quote\"}",
               "{subject}", "Your quote");
    subject_is(SYNC_TIMELINE_TASKS, "tasks", "{\"hs_task_subject\":\"Send quote\"}", "{subject}",
               "Send quote");
    subject_is(SYNC_TIMELINE_CALLS, "calls", "{\"hs_call_title\":\"Discovery\"}", "Call: {title}",
               "Call: Discovery");
    subject_is(SYNC_TIMELINE_MEETINGS, "meetings", "{\"hs_meeting_title\":\"Demo\"}",
               "Meeting: {title}", "Meeting: Demo");
    subject_is(SYNC_TIMELINE_DOCUMENTS, "documents", "{\"document_name\":\"Price list\"}",
               "Viewed: {document}", "Viewed: Price list");
    subject_is(SYNC_TIMELINE_MARKETING_EMAIL_CLICKED, "email_events",
               "{\"event_type\":\"CLICK\",\"url\":\"https://x.example/a\"}", "Clicked {url}",
               "Clicked https://x.example/a");
}

Test(activity, the_email_placeholder_falls_back_to_the_subject_without_a_campaign_name)
{
    subject_is(SYNC_TIMELINE_MARKETING_EMAIL_SENT, "email_events",
               "{\"event_type\":\"SENT\",\"subject\":\"Our news\"}", "Sent: {email}",
               "Sent: Our news");
}

Test(activity, an_unknown_placeholder_stays_as_written_and_a_missing_value_is_empty)
{
    subject_is(SYNC_TIMELINE_CALLS, "calls", "{\"hs_call_title\":\"Demo\"}",
               "{title} {colour} {title", "Demo {colour} {title");
    subject_is(SYNC_TIMELINE_CALLS, "calls", "{}", "Phoned: {title}!", "Phoned: !");
    subject_is(SYNC_TIMELINE_CALLS, "calls", "{}", "", "");
}

Test(activity, a_note_subject_has_its_first_80_characters_as_one_plain_line)
{
    char *long_body = repeat("abcdefghij", 12);
    char props[512], want[128];

    subject_is(SYNC_TIMELINE_NOTES, "notes",
               "{\"hs_note_body\":\"<p>Prefers <b>morning</b></p><p>calls &amp; email</p>\"}",
               "Note: {body}", "Note: Prefers morning calls & email");
    snprintf(props, sizeof(props), "{\"hs_note_body\":\"%s\"}", long_body);
    snprintf(want, sizeof(want), "Note: %.80s", long_body);
    subject_is(SYNC_TIMELINE_NOTES, "notes", props, "Note: {body}", want);
    free(long_body);
}

Test(activity, a_note_subject_counts_characters_not_bytes)
{
    char *body = repeat("\xe3\x81\x82", 100); /* あ x 100 */
    char props[1024];
    json_t *task;

    snprintf(props, sizeof(props), "{\"hs_note_body\":\"%s\"}", body);
    task = task_of(SYNC_TIMELINE_NOTES, "notes", props, "{body}", "");
    cr_assert_eq(utf8_chars(sync_json_str(task, "Subject")), 80);
    json_decref(task);
    free(body);
}

Test(activity, a_subject_is_cut_at_255_characters)
{
    char *title = repeat("x", 300);
    char props[1024];
    json_t *task;

    snprintf(props, sizeof(props), "{\"hs_call_title\":\"%s\"}", title);
    task = task_of(SYNC_TIMELINE_CALLS, "calls", props, "Call: {title}", "");
    cr_assert_eq(strlen(sync_json_str(task, "Subject")), 255);
    cr_assert_eq(strncmp(sync_json_str(task, "Subject"), "Call: xxx", 9), 0);
    json_decref(task);
    free(title);
}

Test(activity, a_multibyte_subject_keeps_255_characters_and_splits_none)
{
    char *title = repeat("\xe3\x81\x82", 300); /* あ x 300: 900 bytes */
    char *mixed = repeat("\xc3\xa9", 300);     /* é x 300 */
    char props[2048];
    json_t *task;

    snprintf(props, sizeof(props), "{\"hs_call_title\":\"%s\"}", title);
    task = task_of(SYNC_TIMELINE_CALLS, "calls", props, "{title}", "");
    cr_assert_eq(utf8_chars(sync_json_str(task, "Subject")), 255);
    json_decref(task);

    /* an odd start shifts every later character by a byte: the cut must still fall between two */
    snprintf(props, sizeof(props), "{\"hs_call_title\":\"%s\"}", mixed);
    task = task_of(SYNC_TIMELINE_CALLS, "calls", props, "a{title}", "");
    cr_assert_eq(utf8_chars(sync_json_str(task, "Subject")), 255);
    json_decref(task);

    /* 100 such characters fit whole */
    title[300] = '\0';
    snprintf(props, sizeof(props), "{\"hs_call_title\":\"%s\"}", title);
    task = task_of(SYNC_TIMELINE_CALLS, "calls", props, "{title}", "");
    cr_assert_str_eq(sync_json_str(task, "Subject"), title);
    json_decref(task);
    free(title);
    free(mixed);
}

/* ---- plain text and descriptions ---- */

static void plain_is(const char *html, size_t max, const char *want)
{
    char *out = malloc(SYNC_ACTIVITY_PLAIN_CAP(max));
    cr_assert_not_null(out);
    sync_activity_plain(html, out, max);
    cr_assert_str_eq(out, want, "plain text of %s", html ? html : "(null)");
    free(out);
}

Test(activity, html_reads_as_plain_text)
{
    plain_is("<p>Prefers <b>morning</b> calls &amp; email</p>", 100,
             "Prefers morning calls & email");
    plain_is("one<br>two<br/>three<BR />four", 100, "one\ntwo\nthree\nfour");
    plain_is("<p>a</p><P>b</P><div>c</div><ul><li>d</li><li>e</li></ul>", 100, "a\nb\nc\nd\ne");
    plain_is("&lt;tag&gt; &quot;q&quot; it&#39;s&nbsp;fine", 100, "<tag> \"q\" it's fine");
    plain_is("caf&#233; &#x263A; AT&T &unknown;", 100, "caf\xc3\xa9 \xe2\x98\xba AT&T &unknown;");
    plain_is("plain text stays", 100, "plain text stays");
    plain_is("<p>trailing breaks go</p>\n\n", 100, "trailing breaks go");
    plain_is("<p></p>\n <p>&nbsp;leading ones too</p>", 100, "leading ones too");
    plain_is("", 100, "");
    plain_is(NULL, 100, "");
}

Test(activity, plain_text_is_cut_at_max_characters_and_never_splits_one)
{
    plain_is("abcdef", 3, "abc");
    plain_is("a&amp;b", 2, "a&");
    plain_is("\xe3\x81\x82\xe3\x81\x84\xe3\x81\x86", 2, "\xe3\x81\x82\xe3\x81\x84");
    plain_is("x\xf0\x9f\x98\x80y", 2, "x\xf0\x9f\x98\x80");
    plain_is("ab  \n", 3, "ab"); /* the blanks left by the cut go too */
}

Test(activity, a_note_description_is_its_body_as_plain_text)
{
    json_t *task =
        task_of(SYNC_TIMELINE_NOTES, "notes",
                "{\"hs_note_body\":\"<p>Line one</p><p>Line <i>two</i></p>\"}", "Note: {body}", "");
    cr_assert_str_eq(sync_json_str(task, "Description"), "Line one\nLine two");
    json_decref(task);
}

Test(activity, a_description_is_cut_at_32000_characters)
{
    char *body = repeat("x", 40000);
    char *wide = repeat("\xc3\xa9", 40000);
    struct sync_buf props = SYNC_BUF_INIT(1024 * 1024);
    json_t *task;

    sync_buf_addf(&props, "{\"hs_note_body\":\"%s\"}", body);
    task = task_of(SYNC_TIMELINE_NOTES, "notes", sync_buf_str(&props), "n", "");
    cr_assert_eq(strlen(sync_json_str(task, "Description")), SYNC_ACTIVITY_BODY_MAX);
    json_decref(task);

    sync_buf_reset(&props);
    sync_buf_addf(&props, "{\"hs_note_body\":\"%s\"}", wide);
    task = task_of(SYNC_TIMELINE_NOTES, "notes", sync_buf_str(&props), "n", "");
    cr_assert_eq(utf8_chars(sync_json_str(task, "Description")), SYNC_ACTIVITY_BODY_MAX,
                 "32,000 characters, not bytes");
    json_decref(task);
    sync_buf_release(&props);
    free(body);
    free(wide);
}

Test(activity, a_marketing_email_description_names_the_email_and_the_link_clicked)
{
    json_t *task =
        task_of(SYNC_TIMELINE_MARKETING_EMAIL_CLICKED, "email_events",
                "{\"event_type\":\"CLICK\",\"campaign_name\":\"Spring\","
                "\"subject\":\"New &amp; improved\",\"url\":\"https://x.example/p?a=1\"}",
                "Clicked: {email}", "");
    cr_assert_str_eq(sync_json_str(task, "Description"),
                     "Email: Spring\nSubject: New & improved\nClicked: https://x.example/p?a=1");
    json_decref(task);
}

Test(activity, a_form_description_names_the_form_the_page_and_the_values)
{
    json_t *task = task_of(SYNC_TIMELINE_FORM_SUBMISSIONS, "form_submissions",
                           "{\"form_name\":\"Contact us\",\"page_url\":\"https://x.example/c\","
                           "\"form_values\":\"email: a@b.example\\nmessage: Call me\\n\"}",
                           "Submitted: {form}", "");
    cr_assert_str_eq(sync_json_str(task, "Description"),
                     "Form: Contact us\nPage: https://x.example/c\nemail: a@b.example\n"
                     "message: Call me");
    json_decref(task);
}

Test(activity, an_activity_without_details_has_no_description)
{
    json_t *task =
        task_of(SYNC_TIMELINE_CALLS, "calls", "{\"hs_call_title\":\"Quick\"}", "Call: {title}", "");
    cr_assert_null(json_object_get(task, "Description"));
    json_decref(task);
}

/* ---- dates, status, priority, type ---- */

static void date_is(enum sync_timeline_type t, const char *object, const char *props,
                    const char *want)
{
    json_t *task = task_of(t, object, props, "s", "");
    if (want)
        cr_assert_str_eq(sync_json_str(task, "ActivityDate"), want, "%s", props);
    else
        cr_assert_null(json_object_get(task, "ActivityDate"), "%s", props);
    json_decref(task);
}

Test(activity, the_activity_date_is_the_utc_date_of_its_time)
{
    /* 2026-03-04T23:30:00Z and 2026-03-05T00:30:00Z: never shifted into another day */
    date_is(SYNC_TIMELINE_CALLS, "calls", "{\"hs_timestamp\":\"1772667000000\"}", "2026-03-04");
    date_is(SYNC_TIMELINE_CALLS, "calls", "{\"hs_timestamp\":\"1772670600000\"}", "2026-03-05");
    date_is(SYNC_TIMELINE_NOTES, "notes", "{\"hs_timestamp\":\"2026-03-04T23:30:00.000Z\"}",
            "2026-03-04");
    date_is(SYNC_TIMELINE_NOTES, "notes", "{\"hs_timestamp\":\"2026-03-05T00:30:00Z\"}",
            "2026-03-05");
    date_is(SYNC_TIMELINE_NOTES, "notes", "{}", NULL);
}

Test(activity, a_meeting_is_dated_by_its_start)
{
    date_is(SYNC_TIMELINE_MEETINGS, "meetings",
            "{\"hs_timestamp\":\"1772667000000\",\"hs_meeting_start_time\":\"1772843400000\"}",
            "2026-03-07");
    date_is(SYNC_TIMELINE_MEETINGS, "meetings", "{\"hs_timestamp\":\"1772667000000\"}",
            "2026-03-04");
}

static void status_is(enum sync_timeline_type t, const char *object, const char *props,
                      const char *status, const char *priority)
{
    json_t *task = task_of(t, object, props, "s", "");
    cr_assert_str_eq(sync_json_str(task, "Status"), status, "%s", props);
    cr_assert_str_eq(sync_json_str(task, "Priority"), priority, "%s", props);
    json_decref(task);
}

Test(activity, a_hubspot_task_keeps_its_status_and_priority)
{
    status_is(SYNC_TIMELINE_TASKS, "tasks", "{\"hs_task_status\":\"NOT_STARTED\"}", "Not Started",
              "Normal");
    status_is(SYNC_TIMELINE_TASKS, "tasks",
              "{\"hs_task_status\":\"IN_PROGRESS\",\"hs_task_priority\":\"HIGH\"}", "In Progress",
              "High");
    status_is(SYNC_TIMELINE_TASKS, "tasks",
              "{\"hs_task_status\":\"WAITING\",\"hs_task_priority\":\"LOW\"}",
              "Waiting on someone else", "Low");
    status_is(SYNC_TIMELINE_TASKS, "tasks",
              "{\"hs_task_status\":\"DEFERRED\",\"hs_task_priority\":\"MEDIUM\"}", "Deferred",
              "Normal");
    status_is(SYNC_TIMELINE_TASKS, "tasks", "{\"hs_task_status\":\"COMPLETED\"}", "Completed",
              "Normal");
    status_is(SYNC_TIMELINE_TASKS, "tasks", "{\"hs_task_status\":\"SNOOZED\"}", "Not Started",
              "Normal");
    status_is(SYNC_TIMELINE_TASKS, "tasks", "{}", "Not Started", "Normal");
}

Test(activity, every_other_activity_is_a_completed_normal_task)
{
    status_is(SYNC_TIMELINE_CALLS, "calls", "{\"hs_task_status\":\"NOT_STARTED\"}", "Completed",
              "Normal");
    status_is(SYNC_TIMELINE_MARKETING_EMAIL_OPENED, "email_events",
              "{\"event_type\":\"OPEN\",\"hs_task_priority\":\"HIGH\"}", "Completed", "Normal");
    status_is(SYNC_TIMELINE_FORM_SUBMISSIONS, "form_submissions", "{}", "Completed", "Normal");
    status_is(SYNC_TIMELINE_NOTES, "notes", "{}", "Completed", "Normal");
}

Test(activity, the_task_type_is_set_only_when_the_setting_names_one)
{
    json_t *p = parse("{\"hs_call_title\":\"Demo\"}");
    json_t *none = sync_activity_task(SYNC_TIMELINE_CALLS, "calls", p, "{title}", "");
    json_t *null = sync_activity_task(SYNC_TIMELINE_CALLS, "calls", p, "{title}", NULL);
    json_t *call = sync_activity_task(SYNC_TIMELINE_CALLS, "calls", p, "{title}", "Call");

    cr_assert_null(json_object_get(none, "Type"));
    cr_assert_null(json_object_get(null, "Type"));
    cr_assert_str_eq(sync_json_str(call, "Type"), "Call");
    json_decref(none);
    json_decref(null);
    json_decref(call);
    json_decref(p);
}

/* ---- events derived from calculated properties ---- */

static json_t *derived_of(const char *object, const char *id, const char *props)
{
    json_t *p = parse(props);
    json_t *evs = sync_activity_derived(object, id, p);
    json_decref(p);
    cr_assert_not_null(evs);
    return evs;
}

Test(activity, a_sales_email_opened_and_clicked_and_a_document_viewed_are_event_types)
{
    cr_assert_eq(type_of("sales_email_events", "{\"event_type\":\"OPEN\"}"),
                 SYNC_TIMELINE_SALES_EMAIL_OPENED);
    cr_assert_eq(type_of("sales_email_events", "{\"event_type\":\"CLICK\"}"),
                 SYNC_TIMELINE_SALES_EMAIL_CLICKED);
    cr_assert_eq(type_of("sales_email_events", "{\"event_type\":\"REPLY\"}"), -1);
    cr_assert_eq(type_of("document_views", "{}"), SYNC_TIMELINE_DOCUMENTS);
    cr_assert(sync_activity_is_event(SYNC_TIMELINE_SALES_EMAIL_OPENED));
    cr_assert(sync_activity_is_event(SYNC_TIMELINE_DOCUMENTS));
    cr_assert(sync_activity_is_event(SYNC_TIMELINE_FORM_SUBMISSIONS));
    cr_assert(sync_activity_is_event(SYNC_TIMELINE_MARKETING_EMAIL_CLICKED));
    cr_assert_not(sync_activity_is_event(SYNC_TIMELINE_SALES_EMAIL_SENT), "a record that changes");
    cr_assert_not(sync_activity_is_event(SYNC_TIMELINE_NOTES));
    cr_assert_not(sync_activity_is_event(SYNC_TIMELINE_TASKS));
}

Test(activity, a_sent_email_with_an_open_and_a_click_derives_both_events)
{
    json_t *evs = derived_of("emails", "501",
                             "{\"hs_email_direction\":\"EMAIL\",\"hs_email_subject\":\"Quote\","
                             "\"hubspot_owner_id\":\"77\",\"hs_email_open_count\":\"2\","
                             "\"hs_email_last_open_date\":\"2026-03-01T10:00:00.000Z\","
                             "\"hs_email_click_count\":\"1\","
                             "\"hs_email_last_click_date\":\"1772359200500\"}");
    json_t *open = json_array_get(evs, 0), *click = json_array_get(evs, 1);
    json_t *props = json_object_get(json_object_get(open, "record"), "properties");

    cr_assert_eq(json_array_size(evs), 2);
    cr_assert_str_eq(sync_json_str(open, "object"), "sales_email_events");
    cr_assert_str_eq(sync_json_str(open, "id"), "501:OPEN:1772359200000");
    cr_assert_eq(sync_json_int(open, "at", 0), 1772359200000LL);
    cr_assert_str_eq(sync_json_str(json_object_get(open, "record"), "id"),
                     "501:OPEN:1772359200000");
    cr_assert_str_eq(sync_json_str(props, "event_type"), "OPEN");
    cr_assert_str_eq(sync_json_str(props, "email_id"), "501");
    cr_assert_str_eq(sync_json_str(props, "hs_email_subject"), "Quote");
    cr_assert_str_eq(sync_json_str(props, "hubspot_owner_id"), "77");
    cr_assert_str_eq(sync_json_str(props, "count"), "2");
    cr_assert_str_eq(sync_json_str(props, "hs_createdate"), "1772359200000");
    cr_assert_str_eq(sync_json_str(click, "id"), "501:CLICK:1772359200500");
    json_decref(evs);
}

Test(activity, an_unopened_or_incoming_email_derives_nothing)
{
    json_t *evs = derived_of("emails", "7", "{\"hs_email_direction\":\"EMAIL\"}");
    cr_assert_eq(json_array_size(evs), 0);
    json_decref(evs);
    evs = derived_of("emails", "7",
                     "{\"hs_email_direction\":\"INCOMING_EMAIL\","
                     "\"hs_email_last_open_date\":\"1772359200000\"}");
    cr_assert_eq(json_array_size(evs), 0, "an incoming email is not a sales email");
    json_decref(evs);
    evs = derived_of("notes", "7", "{\"hs_email_last_open_date\":\"1772359200000\"}");
    cr_assert_eq(json_array_size(evs), 0);
    json_decref(evs);
}

Test(activity, a_later_open_is_a_new_event_and_the_same_one_keeps_its_id)
{
    const char *first = "{\"hs_email_last_open_date\":\"1772359200000\"}";
    const char *later = "{\"hs_email_last_open_date\":\"1772362800000\"}";
    json_t *a = derived_of("emails", "9", first), *b = derived_of("emails", "9", first);
    json_t *c = derived_of("emails", "9", later);

    cr_assert_str_eq(sync_json_str(json_array_get(a, 0), "id"),
                     sync_json_str(json_array_get(b, 0), "id"));
    cr_assert_str_neq(sync_json_str(json_array_get(a, 0), "id"),
                      sync_json_str(json_array_get(c, 0), "id"));
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

Test(activity, a_contact_with_a_document_view_derives_a_view_named_by_its_email)
{
    json_t *evs = derived_of("contacts", "42",
                             "{\"email\":\"ada@example.com\","
                             "\"hs_document_last_revisited\":\"2026-03-01T10:00:00Z\"}");
    json_t *ev = json_array_get(evs, 0);
    json_t *props = json_object_get(json_object_get(ev, "record"), "properties");

    cr_assert_eq(json_array_size(evs), 1);
    cr_assert_str_eq(sync_json_str(ev, "object"), "document_views");
    cr_assert_str_eq(sync_json_str(ev, "id"), "42:1772359200000");
    cr_assert_str_eq(sync_json_str(props, "contact_id"), "42");
    cr_assert_str_eq(sync_json_str(props, "email"), "ada@example.com");
    json_decref(evs);
    evs = derived_of("contacts", "42", "{\"email\":\"ada@example.com\"}");
    cr_assert_eq(json_array_size(evs), 0, "no view, no event");
    json_decref(evs);
    evs = derived_of("contacts", "42", "{\"hs_document_last_revisited\":\"1772359200000\"}");
    cr_assert_eq(json_array_size(evs), 0, "a contact without an email cannot sync");
    json_decref(evs);
}

Test(activity, a_sales_email_event_task_names_the_email_and_its_count)
{
    json_t *task = task_of(SYNC_TIMELINE_SALES_EMAIL_OPENED, "sales_email_events",
                           "{\"event_type\":\"OPEN\",\"hs_email_subject\":\"Quote\","
                           "\"count\":\"3\",\"hs_timestamp\":\"1772359200000\"}",
                           "Opened: {subject}", "Email");
    cr_assert_str_eq(sync_json_str(task, "Subject"), "Opened: Quote");
    cr_assert_str_eq(sync_json_str(task, "Description"), "Sales email: Quote\nOpens so far: 3");
    cr_assert_str_eq(sync_json_str(task, "Status"), "Completed");
    cr_assert_str_eq(sync_json_str(task, "ActivityDate"), "2026-03-01");
    cr_assert_str_eq(sync_json_str(task, "Type"), "Email");
    json_decref(task);
}

Test(activity, a_document_view_without_a_name_is_a_sales_document)
{
    subject_is(SYNC_TIMELINE_DOCUMENTS, "document_views", "{}", "Viewed: {document}",
               "Viewed: sales document");
}
