/* Tests emulators/hubspot/marketing.c: e-mail events listed newest first and paged by an
 * opaque cursor that events arriving between pages do not shift; a campaign's counters come
 * from its events; the control API's checks on events and campaigns; a form submission sets
 * its contact's conversion properties as HubSpot's calculation. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "emulators/hubspot/portal.h"

static struct hs_portal p;

static void setup(void)
{
    cr_assert_eq(portal_init(&p, 1), 0);
}

static void teardown(void)
{
    portal_release(&p);
}

TestSuite(marketing, .init = setup, .fini = teardown);

static void event(const char *type, const char *rcpt, int64_t camp, const char *at)
{
    char err[256];
    json_t *body = json_pack("{s:s, s:s, s:I, s:s}", "type", type, "recipient", rcpt,
                             "emailCampaignId", (json_int_t)camp, "created", at);
    json_t *e = mkt_add_email_event(&p, body, err, sizeof(err));
    cr_assert_not_null(e, "%s", err);
    json_decref(e);
    json_decref(body);
}

/* Runs a GET handler with the query pairs (name, value, ..., NULL); returns the answer (new)
 * and its status in *status. */
static json_t *get(hs_handler_fn fn, const char *param, int *status, ...)
{
    struct sync_http_request req;
    struct hs_ctx c;
    va_list ap;
    const char *name;
    json_t *out;
    memset(&req, 0, sizeof(req));
    memset(&c, 0, sizeof(c));
    va_start(ap, status);
    while ((name = va_arg(ap, const char *)) && req.nquery < SYNC_HTTP_MAX_QUERY) {
        req.query[req.nquery].name = (char *)name;
        req.query[req.nquery].value = (char *)va_arg(ap, const char *);
        req.nquery++;
    }
    va_end(ap);
    c.p = &p;
    c.req = &req;
    if (param) {
        c.params[0] = param;
        c.nparams = 1;
    }
    fn(&c);
    *status = c.status;
    out = c.out;
    sync_buf_release(&c.text);
    return out;
}

static int64_t created_of(const json_t *events, size_t i)
{
    return json_integer_value(json_object_get(json_array_get(events, i), "created"));
}

Test(marketing, events_come_newest_first_and_page_without_shifting)
{
    int status;
    json_t *p1, *p2, *p3;
    char offset[256];
    event("SENT", "a@example.com", 7, "2024-01-01T00:00:01Z");
    event("SENT", "a@example.com", 7, "2024-01-01T00:00:02Z");
    event("SENT", "a@example.com", 7, "2024-01-01T00:00:03Z");
    p1 = get(mkt_h_email_events, NULL, &status, "limit", "2", NULL);
    cr_assert_eq(status, 200);
    cr_assert_eq(json_array_size(json_object_get(p1, "events")), 2);
    cr_assert_eq(created_of(json_object_get(p1, "events"), 0), 1704067203000);
    cr_assert_eq(created_of(json_object_get(p1, "events"), 1), 1704067202000);
    cr_assert(json_is_true(json_object_get(p1, "hasMore")));
    snprintf(offset, sizeof(offset), "%s", json_string_value(json_object_get(p1, "offset")));
    /* a newer event arrives before the next page */
    event("OPEN", "a@example.com", 7, "2024-01-01T00:00:09Z");
    p2 = get(mkt_h_email_events, NULL, &status, "limit", "2", "offset", offset, NULL);
    cr_assert_eq(status, 200);
    cr_assert_eq(json_array_size(json_object_get(p2, "events")), 1);
    cr_assert_eq(created_of(json_object_get(p2, "events"), 0), 1704067201000);
    cr_assert(json_is_false(json_object_get(p2, "hasMore")));
    p3 = get(mkt_h_email_events, NULL, &status, "offset", "bm90IGEgY3Vyc29y", NULL);
    cr_assert_eq(status, 400);
    json_decref(p1);
    json_decref(p2);
    json_decref(p3);
}

Test(marketing, later_events_point_at_the_sent_event_of_their_message)
{
    int status;
    json_t *all, *ev;
    event("SENT", "b@example.com", 8, "2024-02-01T00:00:00Z");
    event("OPEN", "b@example.com", 8, "2024-02-01T00:01:00Z");
    event("OPEN", "c@example.com", 8, "2024-02-01T00:02:00Z");
    all = get(mkt_h_email_events, NULL, &status, NULL);
    ev = json_object_get(all, "events");
    cr_assert_eq(json_array_size(ev), 3);
    cr_assert_null(json_object_get(json_array_get(ev, 0), "sentBy"), "no SENT to c@");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(json_array_get(ev, 1), "sentBy"), "id")),
        json_string_value(json_object_get(json_array_get(ev, 2), "id")));
    cr_assert_null(json_object_get(json_array_get(ev, 2), "sentBy"));
    json_decref(all);
}

Test(marketing, a_campaign_counts_its_events_by_type)
{
    char err[256];
    int status;
    json_t *body = json_pack("{s:s, s:s}", "name", "News", "subject", "This week");
    json_t *cp = mkt_add_campaign(&p, body, err, sizeof(err)), *got;
    char id[32];
    int64_t cid;
    cr_assert_not_null(cp, "%s", err);
    cid = json_integer_value(json_object_get(cp, "id"));
    event("SENT", "d@example.com", cid, "2024-03-01T00:00:00Z");
    event("SENT", "e@example.com", cid, "2024-03-01T00:00:00Z");
    event("CLICK", "d@example.com", cid, "2024-03-01T00:05:00Z");
    event("SENT", "f@example.com", cid + 1, "2024-03-01T00:00:00Z");
    snprintf(id, sizeof(id), "%lld", (long long)cid);
    got = get(mkt_h_campaign_get, id, &status, NULL);
    cr_assert_eq(status, 200);
    cr_assert_str_eq(json_string_value(json_object_get(got, "subject")), "This week");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(got, "counters"), "sent")), 2);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(got, "counters"), "click")), 1);
    cr_assert_eq(json_integer_value(json_object_get(got, "numIncluded")), 2);
    json_decref(got);
    got = get(mkt_h_campaign_get, "77", &status, NULL);
    cr_assert_eq(status, 404);
    json_decref(got);
    /* the same id twice is refused */
    json_object_set_new(body, "id", json_integer(cid));
    cr_assert_null(mkt_add_campaign(&p, body, err, sizeof(err)));
    json_decref(body);
}

Test(marketing, an_event_needs_a_type_a_recipient_and_a_campaign)
{
    char err[256];
    json_t *bad[] = {
        json_pack("{s:s, s:s, s:i}", "type", "TELEPORT", "recipient", "a@b.co", "emailCampaignId",
                  1),
        json_pack("{s:s, s:s, s:i}", "type", "SENT", "recipient", "not-mail", "emailCampaignId", 1),
        json_pack("{s:s, s:s}", "type", "SENT", "recipient", "a@b.co"),
        json_pack("{s:s, s:s, s:i, s:s}", "type", "SENT", "recipient", "a@b.co", "emailCampaignId",
                  1, "created", "yesterday"),
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_null(mkt_add_email_event(&p, bad[i], err, sizeof(err)), "case %zu", i);
        cr_assert(strlen(err) > 0);
        json_decref(bad[i]);
    }
}

/* One submission of form by email at (ISO); answers the contact it names. */
static struct hs_record *submit(const char *form, const char *email, const char *at)
{
    char err[256];
    json_t *body = json_pack("{s:s, s:s}", "email", email, "submittedAt", at);
    json_t *out = mkt_submit_form(&p, form, body, err, sizeof(err));
    struct hs_record *r;
    cr_assert_not_null(out, "%s", err);
    r = obj_lookup(&p, HS_CONTACTS, sync_json_str(out, "contactId"), NULL, 0);
    cr_assert_not_null(r);
    json_decref(out);
    json_decref(body);
    return r;
}

static const char *conv(const struct hs_record *r, const char *name)
{
    return hs_record_get(r, props_find(&p, HS_CONTACTS, name));
}

Test(marketing, a_submission_sets_the_contacts_conversion_properties_as_a_calculation)
{
    const char *form = "5a1c9e2b-0000-4000-8000-00000000f0f0"; /* "Contact us" */
    struct hs_record *r = submit(form, "conv@example.com", "2024-06-01T12:00:00Z");
    const struct hs_prop *recent = props_find(&p, HS_CONTACTS, "recent_conversion_date");

    cr_assert_not_null(recent);
    cr_assert(recent->flags & HS_PF_CALCULATED);
    cr_assert_str_eq(conv(r, "recent_conversion_date"), "2024-06-01T12:00:00.000Z");
    cr_assert_str_eq(conv(r, "recent_conversion_event_name"), "Contact us");
    cr_assert_str_eq(conv(r, "first_conversion_date"), "2024-06-01T12:00:00.000Z");
    cr_assert_str_eq(conv(r, "num_conversion_events"), "1");
    cr_assert_str_eq(r->hist[recent->idx]->src_type, "CALCULATED");

    /* a later submission of a form not made yet (named after its id) is the recent one */
    submit("webinar-7", "conv@example.com", "2024-06-02T00:00:00Z");
    cr_assert_str_eq(conv(r, "recent_conversion_date"), "2024-06-02T00:00:00.000Z");
    cr_assert_str_eq(conv(r, "recent_conversion_event_name"), "webinar-7");
    cr_assert_str_eq(conv(r, "first_conversion_event_name"), "Contact us");
    cr_assert_str_eq(conv(r, "num_conversion_events"), "2");

    /* an earlier one counts and is the first; the recent one stays */
    submit(form, "conv@example.com", "2024-05-01T00:00:00Z");
    cr_assert_str_eq(conv(r, "recent_conversion_date"), "2024-06-02T00:00:00.000Z");
    cr_assert_str_eq(conv(r, "first_conversion_date"), "2024-05-01T00:00:00.000Z");
    cr_assert_str_eq(conv(r, "first_conversion_event_name"), "Contact us");
    cr_assert_str_eq(conv(r, "num_conversion_events"), "3");
}
