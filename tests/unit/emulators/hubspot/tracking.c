/* Tests emulators/hubspot/tracking.c: a last date only moves forward, a count goes on from the
 * stored one, an open moves the email and its live contacts with CALCULATED as the source, only
 * a sent email is tracked, and a catalogue kept from before the tracked properties existed gets
 * them. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

static struct hs_source src = {"INTEGRATION", "INTEGRATION", "1357911", 0};

static struct hs_record *create(struct hs_portal *p, enum hs_type t, json_t *props)
{
    struct hs_write w = {0};
    struct hs_record *r, *x;
    cr_assert_null(props_check_write_trusted(p, t, props, &w));
    r = obj_create(p, t, &w, &src, &x);
    cr_assert_not_null(r);
    hs_write_release(&w);
    json_decref(props);
    return r;
}

static struct hs_record *sent_email(struct hs_portal *p, const char *direction)
{
    json_t *props = json_pack("{s:s}", "hs_timestamp", "2024-05-02T14:00:00Z");
    if (direction)
        json_object_set_new(props, "hs_email_direction", json_string(direction));
    return create(p, HS_EMAILS, props);
}

static const char *val(struct hs_portal *p, const struct hs_record *r, const char *name)
{
    return hs_record_get(r, props_find(p, r->type, name));
}

/* Runs an event; answers the reply (NULL when refused, with the message in err). */
static json_t *event(struct hs_portal *p, const struct hs_record *email, const char *type,
                     const char *at, char *err)
{
    char id[24];
    json_t *body = json_pack("{s:s, s:s}", "emailId", hs_id_str(email->id, id), "type", type);
    json_t *out;
    if (at)
        json_object_set_new(body, "at", json_string(at));
    out = tracking_email_event(p, body, err, 256);
    json_decref(body);
    return out;
}

Test(tracking, a_last_date_moves_only_to_a_later_time)
{
    int64_t ms;
    cr_assert_eq(sync_time_parse("2024-05-03T10:00:00.000Z", &ms), SYNC_OK);
    cr_assert(tracking_is_later(NULL, ms));
    cr_assert(tracking_is_later("", ms));
    cr_assert(tracking_is_later("not a date", ms));
    cr_assert(tracking_is_later("2024-05-03T09:59:59.999Z", ms));
    cr_assert_not(tracking_is_later("2024-05-03T10:00:00.000Z", ms));
    cr_assert_not(tracking_is_later("2024-05-03T10:00:00.001Z", ms));
}

Test(tracking, a_count_goes_on_from_the_stored_one_and_starts_at_one)
{
    cr_assert_eq(tracking_count_after(NULL), 1);
    cr_assert_eq(tracking_count_after(""), 1);
    cr_assert_eq(tracking_count_after("0"), 1);
    cr_assert_eq(tracking_count_after("41"), 42);
    cr_assert_eq(tracking_count_after("2.0"), 3);
    cr_assert_eq(tracking_count_after("-3"), 1);
    cr_assert_eq(tracking_count_after("many"), 1);
}

Test(tracking, an_open_moves_the_email_and_its_live_contacts_as_a_calculation)
{
    struct hs_portal p;
    struct hs_record *email, *a, *b;
    char err[256];
    json_t *out;
    portal_init(&p, 1);
    a = create(&p, HS_CONTACTS, json_pack("{s:s}", "email", "a@x.co"));
    b = create(&p, HS_CONTACTS, json_pack("{s:s}", "email", "b@x.co"));
    email = sent_email(&p, "EMAIL");
    cr_assert_eq(assoc_add(&p, email, a, 0, assoc_default_type(&p, HS_EMAILS, HS_CONTACTS), &src),
                 0);
    cr_assert_eq(assoc_add(&p, email, b, 0, assoc_default_type(&p, HS_EMAILS, HS_CONTACTS), &src),
                 0);
    obj_archive(&p, b, &src);

    out = event(&p, email, "OPEN", "2024-05-03T12:00:00+02:00", err);
    cr_assert_not_null(out, "%s", err);
    cr_assert_eq(json_integer_value(json_object_get(out, "count")), 1);
    cr_assert_str_eq(sync_json_str(out, "at"), "2024-05-03T10:00:00.000Z");
    cr_assert_eq(json_array_size(json_object_get(out, "contactIds")), 1); /* b is archived */
    json_decref(out);
    out = event(&p, email, "OPEN", "2024-05-01T00:00:00Z", err);
    cr_assert_eq(json_integer_value(json_object_get(out, "count")), 2);
    json_decref(out);

    cr_assert_str_eq(val(&p, email, "hs_email_open_count"), "2");
    cr_assert_str_eq(val(&p, email, "hs_email_last_open_date"), "2024-05-03T10:00:00.000Z");
    cr_assert_null(val(&p, email, "hs_email_click_count"));
    cr_assert_str_eq(val(&p, a, "hs_sales_email_last_opened"), "2024-05-03T10:00:00.000Z");
    cr_assert_null(val(&p, b, "hs_sales_email_last_opened"));
    cr_assert_str_eq(
        a->hist[props_find(&p, HS_CONTACTS, "hs_sales_email_last_opened")->idx]->src_type,
        "CALCULATED");
    portal_release(&p);
}

Test(tracking, only_a_sent_email_is_tracked)
{
    struct hs_portal p;
    char err[256];
    portal_init(&p, 1);
    cr_assert_null(event(&p, sent_email(&p, "INCOMING_EMAIL"), "OPEN", NULL, err));
    cr_assert_str_eq(err, "only a sent sales email (hs_email_direction EMAIL) is tracked");
    cr_assert_null(event(&p, sent_email(&p, NULL), "CLICK", NULL, err));
    cr_assert_null(event(&p, sent_email(&p, "EMAIL"), "REPLY", NULL, err));
    cr_assert_str_eq(err, "type must be OPEN or CLICK");
    portal_release(&p);
}

Test(tracking, a_catalogue_kept_from_before_the_tracked_properties_gets_them)
{
    struct hs_portal p;
    json_t *dump, *body, *out, *props;
    struct hs_record *c;
    char err[256], id[24];
    size_t i;
    portal_init(&p, 1);
    dump = props_dump(&p);
    props = json_object_get(json_array_get(dump, HS_CONTACTS), "props");
    for (i = json_array_size(props); i > 0; i--) {
        const char *name =
            sync_json_str(json_object_get(json_array_get(props, i - 1), "def"), "name");
        if (strcmp(name, "hs_document_last_revisited") == 0)
            json_array_remove(props, i - 1);
    }
    props_load(&p, dump);
    json_decref(dump);
    cr_assert_not_null(props_find(&p, HS_CONTACTS, "hs_document_last_revisited"));

    c = create(&p, HS_CONTACTS, json_pack("{s:s}", "email", "c@x.co"));
    body = json_pack("{s:s, s:s}", "contactId", hs_id_str(c->id, id), "at", "2024-05-03T10:00:00Z");
    out = tracking_document_view(&p, body, err, sizeof(err));
    cr_assert_not_null(out, "%s", err);
    cr_assert_str_eq(val(&p, c, "hs_document_last_revisited"), "2024-05-03T10:00:00.000Z");
    json_decref(out);
    json_decref(body);
    portal_release(&p);
}
