/*
 * tracking.c: the sales tools' tracking: opens and clicks of a sales (1:1)
 * email and views of a sales document, which tests make happen through the
 * control API (POST /__emu/sales-email-events, POST /__emu/document-views).
 * HubSpot shows these to integrations only as calculated, read-only
 * properties: a sent email engagement's hs_email_open_count,
 * hs_email_click_count, hs_email_last_open_date and
 * hs_email_last_click_date; the hs_sales_email_last_opened and
 * hs_sales_email_last_clicked of the contacts it is associated with; a
 * contact's hs_document_last_revisited. A last date only moves forward: an
 * event older than it counts but leaves it be.
 *
 * The values go in as trusted writes through obj_update with CALCULATED as
 * the source (tracking_write_calculated, tracking.h, which marketing.c also
 * uses for a form submission's conversion properties), so property
 * history, the modify dates (and so search on them), propertyChange
 * webhooks and --data follow as for any other change. control.c calls
 * tracking_email_event and tracking_document_view under the portal lock;
 * tracking_is_later and tracking_count_after are pure (unit-tested with the
 * rest in tests/unit/emulators/hubspot/tracking.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/time.h"
#include "emulators/hubspot/tracking.h"

/* What one kind of sales email event moves. */
struct email_kind {
    const char *type;    /* OPEN, CLICK */
    const char *count;   /* on the email */
    const char *last;    /* on the email */
    const char *contact; /* on each associated contact */
};

static const struct email_kind email_kinds[] = {
    {"OPEN", "hs_email_open_count", "hs_email_last_open_date", "hs_sales_email_last_opened"},
    {"CLICK", "hs_email_click_count", "hs_email_last_click_date", "hs_sales_email_last_clicked"},
};

int tracking_is_later(const char *stored, int64_t at)
{
    int64_t ms;
    if (!stored || !*stored || sync_time_parse(stored, &ms) != SYNC_OK)
        return 1;
    return at > ms;
}

int64_t tracking_count_after(const char *stored)
{
    char *end;
    double n;
    if (!stored || !*stored)
        return 1;
    n = strtod(stored, &end);
    if (*end || !(n >= 0 && n < 9e15)) /* unreadable, negative or past exact integers */
        return 1;
    return (int64_t)n + 1;
}

static const struct email_kind *email_kind_of(const char *type)
{
    for (size_t i = 0; type && i < sizeof(email_kinds) / sizeof(email_kinds[0]); i++)
        if (strcmp(type, email_kinds[i].type) == 0)
            return &email_kinds[i];
    return NULL;
}

/* The body's "at" into *ms (absent or null: now); -1 with err filled when it is not an
 * ISO-8601 time. */
static int body_at(const json_t *body, int64_t *ms, char *err, size_t errlen)
{
    json_t *v = json_object_get(body, "at");
    *ms = sync_time_now_ms();
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v) && sync_time_parse(json_string_value(v), ms) == SYNC_OK)
        return 0;
    snprintf(err, errlen, "at must be an ISO-8601 time");
    return -1;
}

/* The live record of type t whose id is key of the body (a string or a number); NULL with err
 * filled. what names the record in messages. */
static struct hs_record *body_record(struct hs_portal *p, const json_t *body, const char *key,
                                     enum hs_type t, const char *what, char *err, size_t errlen)
{
    char buf[32];
    const char *id = hs_json_idstr(body, key, buf);
    struct hs_record *r;
    if (!id) {
        snprintf(err, errlen, "%s is required: the id of %s", key, what);
        return NULL;
    }
    r = obj_lookup(p, t, id, NULL, 0);
    if (!r)
        snprintf(err, errlen, "%s %.40s is not %s", key, id, what);
    return r;
}

int tracking_write_calculated(struct hs_portal *p, struct hs_record *r, json_t *props, char *err,
                              size_t errlen)
{
    struct hs_source src;
    struct hs_write w = {NULL, 0};
    struct hs_record *clash;
    json_t *e;

    memset(&src, 0, sizeof(src));
    src.type = "CALCULATED";
    src.change_source = "CALCULATED";
    if (!props) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    e = props_check_write_trusted(p, r->type, props, &w);
    json_decref(props);
    if (e) {
        const char *msg = sync_json_str(e, "message");
        snprintf(err, errlen, "%s", msg ? msg : "the tracked values could not be written");
        json_decref(e);
        return -1;
    }
    if (w.n)
        obj_update(p, r, &w, &src, &clash); /* none of these properties is unique */
    hs_write_release(&w);
    return 0;
}

/* Does the array of id strings hold id? */
static int listed(const json_t *ids, const char *id)
{
    size_t i;
    json_t *x;
    json_array_foreach(ids, i, x)
    {
        if (strcmp(json_string_value(x), id) == 0)
            return 1;
    }
    return 0;
}

/* Moves prop of every live contact associated with the email to at (iso) when later; answers
 * the ids of those contacts, or NULL with err filled. */
static json_t *touch_contacts(struct hs_portal *p, const struct hs_record *email, const char *prop,
                              int64_t at, const char *iso, char *err, size_t errlen)
{
    struct hs_prop *pr = props_find(p, HS_CONTACTS, prop);
    json_t *ids = json_array();
    for (size_t i = 0; ids && i < email->nedges; i++) {
        struct hs_record *c;
        char id[24];
        if (email->edges[i].to_type != HS_CONTACTS)
            continue;
        c = obj_find(p, HS_CONTACTS, email->edges[i].to_id);
        if (!c || c->archived)
            continue;
        if (listed(ids, hs_id_str(c->id, id)))
            continue;
        json_array_append_new(ids, json_string(id));
        if (tracking_is_later(hs_record_get(c, pr), at) &&
            tracking_write_calculated(p, c, json_pack("{s:s}", prop, iso), err, errlen)) {
            json_decref(ids);
            return NULL;
        }
    }
    if (!ids)
        snprintf(err, errlen, "out of memory");
    return ids;
}

json_t *tracking_email_event(struct hs_portal *p, const json_t *body, char *err, size_t errlen)
{
    const struct email_kind *k = email_kind_of(sync_json_str(body, "type"));
    struct hs_record *email;
    const char *dir;
    char iso[SYNC_TIME_ISO_MAX], count[24], id[24];
    int64_t at, n;
    json_t *props, *ids;

    if (!k) {
        snprintf(err, errlen, "type must be OPEN or CLICK");
        return NULL;
    }
    if (body_at(body, &at, err, errlen))
        return NULL;
    email = body_record(p, body, "emailId", HS_EMAILS, "an email engagement", err, errlen);
    if (!email)
        return NULL;
    dir = hs_record_get(email, props_find(p, HS_EMAILS, "hs_email_direction"));
    if (!dir || strcmp(dir, "EMAIL") != 0) {
        snprintf(err, errlen, "only a sent sales email (hs_email_direction EMAIL) is tracked");
        return NULL;
    }
    sync_time_format_iso(at, iso, sizeof(iso));
    n = tracking_count_after(hs_record_get(email, props_find(p, HS_EMAILS, k->count)));
    snprintf(count, sizeof(count), "%lld", (long long)n);
    props = json_pack("{s:s}", k->count, count);
    if (props && tracking_is_later(hs_record_get(email, props_find(p, HS_EMAILS, k->last)), at))
        json_object_set_new(props, k->last, json_string(iso));
    if (tracking_write_calculated(p, email, props, err, errlen))
        return NULL;
    ids = touch_contacts(p, email, k->contact, at, iso, err, errlen);
    if (!ids)
        return NULL;
    return json_pack("{s:s, s:s, s:I, s:s, s:o}", "emailId", hs_id_str(email->id, id), "type",
                     k->type, "count", (json_int_t)n, "at", iso, "contactIds", ids);
}

json_t *tracking_document_view(struct hs_portal *p, const json_t *body, char *err, size_t errlen)
{
    const char *prop = "hs_document_last_revisited";
    struct hs_record *c;
    char iso[SYNC_TIME_ISO_MAX], id[24];
    int64_t at;

    if (body_at(body, &at, err, errlen))
        return NULL;
    c = body_record(p, body, "contactId", HS_CONTACTS, "a contact", err, errlen);
    if (!c)
        return NULL;
    sync_time_format_iso(at, iso, sizeof(iso));
    if (tracking_is_later(hs_record_get(c, props_find(p, HS_CONTACTS, prop)), at) &&
        tracking_write_calculated(p, c, json_pack("{s:s}", prop, iso), err, errlen))
        return NULL;
    return json_pack("{s:s, s:s}", "contactId", hs_id_str(c->id, id), "at", iso);
}
