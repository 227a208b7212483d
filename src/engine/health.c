/*
 * health.c: sync health over the store (see health.h): the error
 * categories with their cards and documented fixes, the summary by
 * category, the error list as JSON pages or CSV, a record's sync card,
 * and the resync that queues records for a fresh sync. Called by the CLI
 * (`crmsync errors`, `crmsync resync`) and the admin API.
 *
 * Everything reads the store through its listing callbacks, which must
 * not call the store: a walk copies what it needs, the work that calls
 * the store again comes after it. Memory stays bounded by a page, by the
 * categories, or by the distinct records with open errors (the summary's
 * affected-record count).
 */
#include "engine/health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/time.h"
#include "engine/mapping.h"
#include "engine/record.h"
#include "engine/value.h"
#include "store/store.h"

/* ---- the categories (hubspot-integration-features §2A, the fixes in our words) ---- */

static const struct sync_health_category categories[] = {
    {"associations", "Associations",
     "An associated record has not synced yet, or an association limit was reached",
     "The record points at a record that has no counterpart yet (for example a deal whose "
     "company has no Salesforce account), or HubSpot's association limit per record was hit. "
     "Let the associated record sync first (records waiting for one are planned again by "
     "themselves once it links; an account that never synced needs an import or an edit), or "
     "remove associations past the limit; then resync."},
    {"custom_code", "Custom code",
     "Salesforce automation refused the write (validation rule, Apex trigger, Flow)",
     "A validation rule, Apex trigger, Flow or Process Builder in Salesforce rejected the "
     "record; the message is Salesforce's own. Have the Salesforce admin change the rule or "
     "automation, or change the record so it passes; then resync."},
    {"duplicates", "Duplicates",
     "The record collides with another one (same email, a duplicate rule, another link)",
     "The value is already held by another record: the email of another HubSpot contact, a "
     "Salesforce duplicate or matching rule, or a record that already syncs with something "
     "else. Remove the value from the other record or merge the two, review Salesforce's "
     "matching and duplicate rules; then resync."},
    {"field_permissions", "Field permissions",
     "The integration user cannot read or edit the field or object",
     "Give the integration user read and edit access to the field (field-level security) and "
     "to the objects synced (View All and Modify All on Lead, Contact, Account and "
     "Opportunity, or the integration's permission set), keep its role out of restrictive "
     "hierarchies and sharing rules, and check the field exists on the other side; then "
     "resync."},
    {"picklist", "Picklist", "The value is not an option of the target's picklist",
     "The option does not exist in the target picklist, which compares exact API values "
     "(State and Country are the usual cases). Make the option sets match: add the value to "
     "the Salesforce picklist, or turn the HubSpot property into a dropdown with the same "
     "options; then resync."},
    {"property_value", "Property value", "The value does not fit the target field",
     "HubSpot accepts almost anything and the target field does not: wrong format (text in a "
     "number field, a bad email or phone), too long for the field, out of range. Correct the "
     "value on the record, or change the mapping or the property's type so it fits; then "
     "resync."},
    {"required_field", "Property value", "A field the target requires is empty",
     "The target needs a value the record does not have (for example a Salesforce lead's Last "
     "Name or Company). Fill it in on the record, or map a property that provides it; then "
     "resync."},
    {"no_email", "Property value", "The contact or lead has no email address",
     "People are matched by email, so a contact or lead without one never syncs. Add an email "
     "address; the record syncs on its next change, or resync it."},
    {"owner", "Owner", "The owner has no active counterpart on the other side",
     "Owners are matched by the user's email: the owner has no active Salesforce user or "
     "HubSpot owner with the same email. Add or reactivate that user with a matching email; "
     "then resync."},
    {"mapping", "Mapping", "A value has no counterpart in the mapping",
     "A deal pipeline or stage matches no Salesforce record type or stage by label (or the "
     "other way round). Add it with the same label on the other side, or pair it in "
     "deal_stages in crmsync.yaml; then resync."},
    {"inclusion_list", "Inclusion list", "The contact is not in the inclusion list",
     "With an inclusion list set, only its members sync to Salesforce, and a linked contact "
     "outside it gets no updates from Salesforce either. Add the contact to the list (joining it "
     "starts a sync), or clear settings.inclusion_list to sync everyone."},
    {"other", "Other", "Something else went wrong",
     "An error outside the groups above: a temporary failure that outlasted the automatic "
     "retries, a change that could not be read, or a refusal the vendor did not explain. Read "
     "the message; temporary failures clear on their own once the vendor recovers, and a "
     "resync tries again now."},
};
#define NCATEGORIES (sizeof(categories) / sizeof(categories[0]))

const struct sync_health_category *sync_health_category_find(const char *name)
{
    for (size_t i = 0; name && i < NCATEGORIES; i++)
        if (strcmp(categories[i].name, name) == 0)
            return &categories[i];
    return NULL;
}

/* The category's entry, or "other"'s for a name this build does not know. */
static const struct sync_health_category *category_or_other(const char *name)
{
    const struct sync_health_category *c = sync_health_category_find(name);
    return c ? c : sync_health_category_find("other");
}

json_t *sync_health_categories_json(void)
{
    json_t *out = json_array();

    for (size_t i = 0; out && i < NCATEGORIES; i++)
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "name", categories[i].name,
                                             "card", categories[i].card, "title",
                                             categories[i].title, "fix", categories[i].fix));
    return out;
}

/* ---- helpers ---- */

static enum sync_rc nomem(struct sync_err *err)
{
    return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
}

static int blank(const char *s)
{
    return !s || !*s;
}

static json_t *record_json(const char *system, const char *object, const char *id)
{
    return json_pack("{s:s, s:s, s:s}", "system", system, "object", object, "id", id);
}

static json_t *error_json(const struct sync_error_row *e)
{
    const struct sync_health_category *c = category_or_other(e->category);
    return json_pack("{s:I, s:o, s:s?, s:s, s:s, s:s?, s:s?, s:i, s:I, s:I, s:s}", "id",
                     (json_int_t)e->id, "record", record_json(e->system, e->object, e->record_id),
                     "link_id", e->link_id, "category", e->category, "card", c->card, "code",
                     e->code, "message", e->message, "attempts", e->attempts, "first_seen",
                     (json_int_t)e->first_seen, "last_seen", (json_int_t)e->last_seen, "fix",
                     c->fix);
}

/* A record crmsync syncs, with its object's canonical spelling (Salesforce names are matched
 * without case) and a Salesforce id in its 18-character form. */
struct rec {
    char system[SYNC_STORE_KIND_MAX];
    char object[SYNC_STORE_NAME_MAX];
    char id[SYNC_STORE_ID_MAX];
    enum sync_kind kind;
    enum sync_side side;
};

static enum sync_rc rec_parse(const char *system, const char *object, const char *id,
                              struct rec *out, struct sync_err *err)
{
    memset(out, 0, sizeof(*out));
    if (blank(system) || blank(object) || blank(id) ||
        sync_object_kind(system, object, &out->kind, &out->side))
        return sync_err_set(err, SYNC_ERR_INVALID, "crmsync does not sync %s %s",
                            system ? system : "(none)", object ? object : "(none)");
    if (strlen(id) >= sizeof(out->id))
        return sync_err_set(err, SYNC_ERR_INVALID, "record id too long: %s", id);
    snprintf(out->system, sizeof(out->system), "%s", system);
    snprintf(out->object, sizeof(out->object), "%s", object);
    snprintf(out->id, sizeof(out->id), "%s", id);
    if (out->side == SYNC_SIDE_SALESFORCE) {
        const char *const *objs = sync_kind_sf_objects(out->kind);
        char id18[19];
        for (size_t i = 0; objs[i]; i++)
            if (strcasecmp(objs[i], object) == 0)
                snprintf(out->object, sizeof(out->object), "%s", objs[i]);
        if (sync_value_sf_id18(id, id18) != SYNC_OK)
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "'%s' is not a Salesforce record id (15 or 18 letters and digits)",
                                id);
        snprintf(out->id, sizeof(out->id), "%s", id18);
    } else if (strspn(id, "0123456789") != strlen(id)) {
        return sync_err_set(err, SYNC_ERR_INVALID, "'%s' is not a HubSpot record id (digits)", id);
    }
    return SYNC_OK;
}

/* ---- summary ---- */

struct tally {
    const char *name; /* borrowed from the catalogue, or from names below */
    int64_t errors, records;
    json_t *examples;
};

struct summary {
    struct tally items[NCATEGORIES + 32];
    size_t n;
    json_t *names;   /* category names this build does not know (owns their text) */
    json_t *records; /* "system\nobject\nid" -> true: distinct records */
    int64_t open;
};

static struct tally *tally_of(struct summary *s, const char *category)
{
    const struct sync_health_category *c = sync_health_category_find(category);
    const char *name;

    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i].name, category) == 0)
            return &s->items[i];
    if (c) {
        name = c->name;
    } else if (s->n + 1 >= sizeof(s->items) / sizeof(s->items[0])) {
        return tally_of(s, "other");
    } else {
        json_object_set_new(s->names, category, json_true());
        name = json_object_iter_key(json_object_iter_at(s->names, category));
        if (!name)
            return NULL;
    }
    memset(&s->items[s->n], 0, sizeof(s->items[0]));
    s->items[s->n].name = name;
    if (!(s->items[s->n].examples = json_array()))
        return NULL;
    return &s->items[s->n++];
}

static int has_string(const json_t *arr, const char *s)
{
    const json_t *v;
    size_t i;

    json_array_foreach(arr, i, v)
    {
        if (strcmp(json_string_value(v), s) == 0)
            return 1;
    }
    return 0;
}

static enum sync_rc summary_row(void *ctx, const struct sync_error_row *e)
{
    struct summary *s = ctx;
    struct tally *t = tally_of(s, e->category);
    char key[SYNC_STORE_KIND_MAX + SYNC_STORE_NAME_MAX + SYNC_STORE_ID_MAX + 4];

    if (!t)
        return SYNC_ERR_NOMEM;
    s->open++;
    t->errors++;
    /* the store keeps one open error per (record, category): each is a record of its own */
    t->records++;
    snprintf(key, sizeof(key), "%s\n%s\n%s", e->system, e->object, e->record_id);
    if (json_object_set_new(s->records, key, json_true()))
        return SYNC_ERR_NOMEM;
    if (!blank(e->message) && json_array_size(t->examples) < SYNC_HEALTH_EXAMPLES &&
        !has_string(t->examples, e->message))
        json_array_append_new(t->examples, json_string(e->message));
    return SYNC_OK;
}

static int tally_cmp(const void *a, const void *b)
{
    const struct tally *x = a, *y = b;
    const struct sync_health_category *cx = sync_health_category_find(x->name);
    const struct sync_health_category *cy = sync_health_category_find(y->name);

    if (x->errors != y->errors)
        return x->errors > y->errors ? -1 : 1;
    if (cx && cy)
        return cx < cy ? -1 : cx > cy;
    if (cx || cy)
        return cx ? -1 : 1;
    return strcmp(x->name, y->name);
}

enum sync_rc sync_health_summary(struct sync_store *st, json_t **out, struct sync_err *err)
{
    struct summary *s = calloc(1, sizeof(*s));
    struct sync_error_query q;
    json_t *cats = NULL;
    enum sync_rc rc;

    *out = NULL;
    if (!s)
        return nomem(err);
    s->names = json_object();
    s->records = json_object();
    memset(&q, 0, sizeof(q));
    rc = s->names && s->records ? sync_store_error_list(st, &q, summary_row, s, err)
                                : SYNC_ERR_NOMEM;
    if (rc == SYNC_OK) {
        qsort(s->items, s->n, sizeof(s->items[0]), tally_cmp);
        cats = json_array();
        for (size_t i = 0; cats && i < s->n; i++) {
            const struct tally *t = &s->items[i];
            const struct sync_health_category *c = category_or_other(t->name);
            if (json_array_append_new(cats,
                                      json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:O}", "category",
                                                t->name, "card", c->card, "title", c->title, "fix",
                                                c->fix, "errors", (json_int_t)t->errors, "records",
                                                (json_int_t)t->records, "examples", t->examples)))
                rc = SYNC_ERR_NOMEM;
        }
        if (!cats)
            rc = SYNC_ERR_NOMEM;
    }
    if (rc == SYNC_OK &&
        !(*out =
              json_pack("{s:I, s:I, s:o}", "open_errors", (json_int_t)s->open, "affected_records",
                        (json_int_t)json_object_size(s->records), "categories", cats)))
        rc = SYNC_ERR_NOMEM;
    else if (rc)
        json_decref(cats);
    for (size_t i = 0; i < s->n; i++)
        json_decref(s->items[i].examples);
    json_decref(s->names);
    json_decref(s->records);
    free(s);
    if (rc == SYNC_ERR_NOMEM)
        nomem(err);
    return rc;
}

/* ---- the error list ---- */

typedef enum sync_rc (*page_fn)(void *ctx, const struct sync_error_row *e);

/* Walks the open errors matching q; calls fn for those in [offset, offset + limit) and counts
 * every match into *total. */
struct walk {
    const struct sync_health_query *q;
    size_t offset, limit;
    int64_t total;
    page_fn fn;
    void *ctx;
};

static enum sync_rc walk_row(void *ctx, const struct sync_error_row *e)
{
    struct walk *w = ctx;
    size_t at;

    if (!blank(w->q->system) && strcmp(w->q->system, e->system) != 0)
        return SYNC_OK;
    if (!blank(w->q->object) && strcasecmp(w->q->object, e->object) != 0)
        return SYNC_OK;
    at = (size_t)w->total++;
    if (at < w->offset || at - w->offset >= w->limit)
        return SYNC_OK;
    return w->fn(w->ctx, e);
}

static enum sync_rc walk_errors(struct sync_store *st, struct walk *w, struct sync_err *err)
{
    struct sync_error_query q;

    memset(&q, 0, sizeof(q));
    q.category = blank(w->q->category) ? NULL : w->q->category;
    return sync_store_error_list(st, &q, walk_row, w, err);
}

static enum sync_rc page_row(void *ctx, const struct sync_error_row *e)
{
    json_t *j = error_json(e);
    return j && json_array_append_new(ctx, j) == 0 ? SYNC_OK : SYNC_ERR_NOMEM;
}

enum sync_rc sync_health_errors(struct sync_store *st, const struct sync_health_query *q,
                                json_t **out, struct sync_err *err)
{
    static const struct sync_health_query any;
    json_t *list = json_array();
    struct walk w;
    enum sync_rc rc;

    *out = NULL;
    if (!list)
        return nomem(err);
    memset(&w, 0, sizeof(w));
    w.q = q ? q : &any;
    w.offset = w.q->offset;
    w.limit = w.q->limit ? w.q->limit : SYNC_HEALTH_PAGE_DEFAULT;
    if (w.limit > SYNC_HEALTH_PAGE_MAX)
        w.limit = SYNC_HEALTH_PAGE_MAX;
    w.fn = page_row;
    w.ctx = list;
    if ((rc = walk_errors(st, &w, err))) {
        json_decref(list);
        return rc == SYNC_ERR_NOMEM ? nomem(err) : rc;
    }
    *out = json_pack("{s:I, s:I, s:I, s:o, s:o}", "total", (json_int_t)w.total, "offset",
                     (json_int_t)w.offset, "limit", (json_int_t)w.limit, "next_offset",
                     (int64_t)(w.offset + w.limit) < w.total
                         ? json_integer((json_int_t)(w.offset + w.limit))
                         : json_null(),
                     "errors", list);
    return *out ? SYNC_OK : nomem(err);
}

/* ---- CSV (RFC 4180) ---- */

static enum sync_rc csv_field(struct sync_buf *b, const char *s, int last)
{
    enum sync_rc rc = SYNC_OK;

    if (!s)
        s = "";
    if (strpbrk(s, ",\"\r\n")) {
        rc = sync_buf_addch(b, '"');
        for (const char *p = s; rc == SYNC_OK && *p; p++)
            rc = *p == '"' ? sync_buf_add(b, "\"\"", 2) : sync_buf_addch(b, *p);
        if (rc == SYNC_OK)
            rc = sync_buf_addch(b, '"');
    } else {
        rc = sync_buf_addstr(b, s);
    }
    if (rc == SYNC_OK)
        rc = last ? sync_buf_add(b, "\r\n", 2) : sync_buf_addch(b, ',');
    return rc;
}

static const char *const csv_columns[] = {"id",         "category",  "card", "system",  "object",
                                          "record_id",  "link_id",   "code", "message", "attempts",
                                          "first_seen", "last_seen", "fix",  NULL};

static enum sync_rc csv_row(void *ctx, const struct sync_error_row *e)
{
    struct sync_buf *b = ctx;
    const struct sync_health_category *c = category_or_other(e->category);
    char id[32], attempts[32], first[SYNC_TIME_ISO_MAX], last[SYNC_TIME_ISO_MAX];
    const char *cells[13];
    size_t mark = b->len;
    enum sync_rc rc = SYNC_OK;

    snprintf(id, sizeof(id), "%lld", (long long)e->id);
    snprintf(attempts, sizeof(attempts), "%d", e->attempts);
    sync_time_format_iso(e->first_seen, first, sizeof(first));
    sync_time_format_iso(e->last_seen, last, sizeof(last));
    cells[0] = id;
    cells[1] = e->category;
    cells[2] = c->card;
    cells[3] = e->system;
    cells[4] = e->object;
    cells[5] = e->record_id;
    cells[6] = e->link_id;
    cells[7] = e->code;
    cells[8] = e->message;
    cells[9] = attempts;
    cells[10] = first;
    cells[11] = last;
    cells[12] = c->fix;
    for (size_t i = 0; rc == SYNC_OK && i < 13; i++)
        rc = csv_field(b, cells[i], i == 12);
    if (rc) {
        /* a row is whole or absent */
        b->len = mark;
        if (b->data)
            b->data[mark] = '\0';
    }
    return rc;
}

enum sync_rc sync_health_csv(struct sync_store *st, const struct sync_health_query *q,
                             struct sync_buf *out, struct sync_err *err)
{
    static const struct sync_health_query any;
    struct walk w;
    enum sync_rc rc = SYNC_OK;

    for (size_t i = 0; rc == SYNC_OK && csv_columns[i]; i++)
        rc = csv_field(out, csv_columns[i], csv_columns[i + 1] == NULL);
    if (rc)
        return sync_err_set(err, rc, "the CSV export does not fit in its buffer");
    memset(&w, 0, sizeof(w));
    w.q = q ? q : &any;
    w.offset = w.q->offset;
    w.limit = w.q->limit && w.q->limit < SYNC_HEALTH_CSV_MAX ? w.q->limit : SYNC_HEALTH_CSV_MAX;
    w.fn = csv_row;
    w.ctx = out;
    rc = walk_errors(st, &w, err);
    if (rc == SYNC_ERR_TOO_LARGE)
        return sync_err_set(err, rc, "the CSV export does not fit in its buffer");
    return rc == SYNC_ERR_NOMEM ? nomem(err) : rc;
}

/* ---- a record's card ---- */

static enum sync_rc card_error(void *ctx, const struct sync_error_row *e)
{
    json_t *j = error_json(e);
    return j && json_array_append_new(ctx, j) == 0 ? SYNC_OK : SYNC_ERR_NOMEM;
}

static enum sync_rc card_decision(void *ctx, const struct sync_decision_row *d)
{
    json_t *j = json_pack("{s:I, s:o, s:I, s:s, s:s?, s:s}", "id", (json_int_t)d->id, "record",
                          record_json(d->system, d->object, d->record_id), "at", (json_int_t)d->at,
                          "action", d->action, "link_id", d->link_id, "trace", d->trace);
    return j && json_array_append_new(ctx, j) == 0 ? SYNC_OK : SYNC_ERR_NOMEM;
}

/* arr sorted newest first by key, cut to max (0: all). Returns a new array. */
static json_t *sorted(json_t *arr, const char *key, size_t max)
{
    size_t n = json_array_size(arr);
    json_t **v = calloc(n + 1, sizeof(*v));
    json_t *out = json_array();

    if (!v || !out) {
        free(v);
        json_decref(out);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(arr, i);
    /* insertion sort: the lists are a few dozen items */
    for (size_t i = 1; i < n; i++) {
        json_t *t = v[i];
        size_t j = i;
        int64_t tt = sync_json_int(t, key, 0), it = sync_json_int(t, "id", 0);
        while (j > 0) {
            int64_t tp = sync_json_int(v[j - 1], key, 0), ip = sync_json_int(v[j - 1], "id", 0);
            if (tp > tt || (tp == tt && ip >= it))
                break;
            v[j] = v[j - 1];
            j--;
        }
        v[j] = t;
    }
    for (size_t i = 0; i < n && (!max || i < max); i++)
        json_array_append(out, v[i]);
    free(v);
    return out;
}

static json_t *link_card(const struct sync_link *l)
{
    enum sync_kind kind;
    const char *hs_object = sync_kind_parse(l->kind, &kind) == 0 ? sync_kind_hs_object(kind) : "";

    return json_pack("{s:s, s:s, s:s, s:{s:s, s:s?}, s:{s:s, s:s?}, s:I, s:I}", "link_id",
                     l->link_id, "kind", l->kind, "state", sync_link_state_name(l->state),
                     "hubspot", "object", hs_object, "id", l->hs_id[0] ? l->hs_id : NULL,
                     "salesforce", "object", l->sf_object, "id", l->sf_id[0] ? l->sf_id : NULL,
                     "created_at", (json_int_t)l->created_at, "updated_at",
                     (json_int_t)l->updated_at);
}

static json_t *ms_or_null(int64_t ms)
{
    return ms > 0 ? json_integer((json_int_t)ms) : json_null();
}

/* What the newest decision says about the inclusion list: {"member": true | false, "list"}
 * when its plan found the contact in it or outside it; NULL (unknown: no list, or no contact
 * decision yet) otherwise. */
static json_t *inclusion_of(const json_t *decisions)
{
    static const char out_of[] = "not in the inclusion list",
                      in[] = "a member of the inclusion list";
    const char *trace = sync_json_str(json_array_get(decisions, 0), "trace");
    const char *at = trace ? strstr(trace, out_of) : NULL;
    int member = 0;
    char list[128];

    if (at) {
        at += sizeof(out_of) - 1;
    } else if (trace && (at = strstr(trace, in))) {
        at += sizeof(in) - 1;
        member = 1;
    } else {
        return NULL;
    }
    list[0] = '\0';
    if (strncmp(at, " \"", 2) == 0) {
        size_t n = strcspn(at + 2, "\"\n");
        snprintf(list, sizeof(list), "%.*s", (int)(n < sizeof(list) ? n : sizeof(list) - 1),
                 at + 2);
    }
    return json_pack("{s:b, s:s?}", "member", member, "list", list[0] ? list : NULL);
}

enum sync_rc sync_health_card(struct sync_store *st, const char *system, const char *object,
                              const char *id, json_t **out, struct sync_err *err)
{
    struct rec r;
    struct sync_link l;
    struct sync_error_query q;
    json_t *errs = json_array(), *decs = json_array(), *card = json_object();
    json_t *errs_sorted = NULL, *decs_sorted = NULL, *incl;
    enum sync_rc rc;
    int linked = 0;
    const char *osys = NULL, *oobj = NULL, *oid = NULL;

    *out = NULL;
    if (!errs || !decs || !card) {
        rc = nomem(err);
        goto done;
    }
    if ((rc = rec_parse(system, object, id, &r, err)))
        goto done;
    rc = r.side == SYNC_SIDE_HUBSPOT
             ? sync_store_link_get_by_hs(st, sync_kind_name(r.kind), r.id, &l, err)
             : sync_store_link_get_by_sf(st, r.object, r.id, &l, err);
    if (rc == SYNC_OK) {
        linked = 1;
        if (r.side == SYNC_SIDE_HUBSPOT && l.sf_id[0]) {
            osys = "salesforce", oobj = l.sf_object, oid = l.sf_id;
        } else if (r.side == SYNC_SIDE_SALESFORCE && l.hs_id[0]) {
            osys = "hubspot", oobj = sync_kind_hs_object(r.kind), oid = l.hs_id;
        }
    } else if (rc != SYNC_ERR_NOT_FOUND) {
        goto done;
    }
    sync_err_clear(err);
    memset(&q, 0, sizeof(q));
    q.system = r.system, q.object = r.object, q.record_id = r.id;
    rc = sync_store_error_list(st, &q, card_error, errs, err);
    if (rc == SYNC_OK)
        rc = sync_store_decision_list(st, r.system, r.object, r.id, SYNC_HEALTH_CARD_DECISIONS,
                                      card_decision, decs, err);
    if (rc == SYNC_OK && oid) {
        q.system = osys, q.object = oobj, q.record_id = oid;
        rc = sync_store_error_list(st, &q, card_error, errs, err);
        if (rc == SYNC_OK)
            rc = sync_store_decision_list(st, osys, oobj, oid, SYNC_HEALTH_CARD_DECISIONS,
                                          card_decision, decs, err);
    }
    if (rc)
        goto done;
    errs_sorted = sorted(errs, "last_seen", 0);
    decs_sorted = sorted(decs, "at", SYNC_HEALTH_CARD_DECISIONS);
    if (!errs_sorted || !decs_sorted) {
        rc = nomem(err);
        goto done;
    }
    incl = inclusion_of(decs_sorted);
    if (json_object_set_new(card, "record", record_json(r.system, r.object, r.id)) ||
        json_object_set_new(card, "link", linked ? link_card(&l) : json_null()) ||
        json_object_set_new(card, "last_sync",
                            json_pack("{s:o, s:o}", "to_hubspot",
                                      ms_or_null(linked ? l.last_to_hs : 0), "to_salesforce",
                                      ms_or_null(linked ? l.last_to_sf : 0))) ||
        json_object_set(card, "error",
                        json_array_size(errs_sorted) ? json_array_get(errs_sorted, 0)
                                                     : json_null()) ||
        json_object_set(card, "errors", errs_sorted) ||
        json_object_set_new(card, "inclusion_list", incl ? incl : json_null()) ||
        json_object_set(card, "decisions", decs_sorted)) {
        rc = nomem(err);
        goto done;
    }
    *out = card;
    card = NULL;
done:
    json_decref(errs);
    json_decref(decs);
    json_decref(errs_sorted);
    json_decref(decs_sorted);
    json_decref(card);
    return rc;
}

/* ---- resync ---- */

int sync_health_is_resync(const json_t *payload)
{
    return json_is_object(json_object_get(payload, SYNC_HEALTH_RESYNC_MARK));
}

/* Puts the record's resync marker in the inbox (inside the caller's transaction); *status:
 * "queued", or "waiting" when a captured change already waits there. */
static enum sync_rc queue_one(struct sync_store *st, const struct rec *r, json_t *error_ids,
                              int64_t now, const char **status, struct sync_err *err)
{
    struct sync_buf text = SYNC_BUF_INIT(64 * 1024);
    struct sync_change c;
    json_t *p =
        json_pack("{s:s, s:{s:I, s:O}}", r->side == SYNC_SIDE_SALESFORCE ? "Id" : "id", r->id,
                  SYNC_HEALTH_RESYNC_MARK, "requested_at", (json_int_t)now, "errors", error_ids);
    int stored = 0;
    enum sync_rc rc;

    if (!p)
        return nomem(err);
    rc = sync_json_dump(p, &text);
    json_decref(p);
    if (rc) {
        sync_buf_release(&text);
        return sync_err_set(err, rc, "the resync marker does not fit");
    }
    memset(&c, 0, sizeof(c));
    c.system = r->system;
    c.object = r->object;
    c.record_id = r->id;
    c.version = 0; /* any captured change is newer and replaces it; it replaces none */
    c.payload = sync_buf_str(&text);
    rc = sync_store_inbox_put(st, &c, &stored, err);
    sync_buf_release(&text);
    *status = stored ? "queued" : "waiting";
    return rc;
}

/* One error asked for, as found by the walk. */
struct wanted {
    int64_t id;
    int found, resolved;
    char system[SYNC_STORE_KIND_MAX];
    char object[SYNC_STORE_NAME_MAX];
    char record_id[SYNC_STORE_ID_MAX];
    char link_id[SYNC_LINK_ID_LEN + 1];
    char category[SYNC_STORE_NAME_MAX];
};

struct wanted_set {
    struct wanted *items; /* sorted by id, unique */
    size_t n;
};

static int wanted_cmp(const void *a, const void *b)
{
    const struct wanted *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static struct wanted *wanted_find(const struct wanted_set *w, int64_t id)
{
    struct wanted key;
    key.id = id;
    return bsearch(&key, w->items, w->n, sizeof(*w->items), wanted_cmp);
}

static enum sync_rc wanted_row(void *ctx, const struct sync_error_row *e)
{
    struct wanted *it = wanted_find(ctx, e->id);

    if (!it)
        return SYNC_OK;
    it->found = 1;
    it->resolved = e->resolved_at != 0;
    snprintf(it->system, sizeof(it->system), "%s", e->system);
    snprintf(it->object, sizeof(it->object), "%s", e->object);
    snprintf(it->record_id, sizeof(it->record_id), "%s", e->record_id);
    snprintf(it->link_id, sizeof(it->link_id), "%s", e->link_id ? e->link_id : "");
    snprintf(it->category, sizeof(it->category), "%s", e->category);
    return SYNC_OK;
}

/* The record an error names; an error filed under its link (no record of its own) names the
 * link's HubSpot record, or its Salesforce one. */
static enum sync_rc wanted_record(struct sync_store *st, const struct wanted *it, struct rec *r)
{
    struct sync_link l;
    enum sync_kind kind;

    if (strcmp(it->record_id, it->link_id) != 0 &&
        rec_parse(it->system, it->object, it->record_id, r, NULL) == SYNC_OK)
        return SYNC_OK;
    if (!it->link_id[0] || sync_store_link_get(st, it->link_id, &l, NULL) != SYNC_OK ||
        sync_kind_parse(l.kind, &kind))
        return SYNC_ERR_NOT_FOUND;
    if (l.hs_id[0])
        return rec_parse("hubspot", sync_kind_hs_object(kind), l.hs_id, r, NULL);
    if (l.sf_id[0])
        return rec_parse("salesforce", l.sf_object, l.sf_id, r, NULL);
    return SYNC_ERR_NOT_FOUND;
}

#define REC_KEY_MAX (SYNC_STORE_KIND_MAX + SYNC_STORE_NAME_MAX + SYNC_STORE_ID_MAX + 4)

static void rec_key(const struct rec *r, char *out, size_t n)
{
    snprintf(out, n, "%s\n%s\n%s", r->system, r->object, r->id);
}

/* Groups the open errors found by the record they name: key -> {"record", "errors": [ids]};
 * each error's key goes into keys (error id -> key). */
static enum sync_rc resync_group(struct sync_store *st, const struct wanted_set *w, json_t *groups,
                                 json_t *keys, struct sync_err *err)
{
    for (size_t i = 0; i < w->n; i++) {
        const struct wanted *it = &w->items[i];
        char key[REC_KEY_MAX], idtext[32];
        json_t *g;
        struct rec r;

        if (!it->found || it->resolved || wanted_record(st, it, &r) != SYNC_OK)
            continue;
        rec_key(&r, key, sizeof(key));
        if (!(g = json_object_get(groups, key))) {
            g = json_pack("{s:o, s:[]}", "record", record_json(r.system, r.object, r.id), "errors");
            if (!g || json_object_set_new(groups, key, g))
                return nomem(err);
        }
        snprintf(idtext, sizeof(idtext), "%lld", (long long)it->id);
        if (json_array_append_new(json_object_get(g, "errors"), json_integer((json_int_t)it->id)) ||
            json_object_set_new(keys, idtext, json_string(key)))
            return nomem(err);
    }
    return SYNC_OK;
}

/* Queues each group's record in one short transaction; sets each group's "status". */
static enum sync_rc resync_queue(struct sync_store *st, json_t *groups, struct sync_err *err)
{
    int64_t now = sync_time_now_ms();
    const char *key;
    json_t *g;
    enum sync_rc rc;

    if (!json_object_size(groups))
        return SYNC_OK;
    if ((rc = sync_store_begin(st, err)))
        return rc;
    json_object_foreach(groups, key, g)
    {
        const json_t *rj = json_object_get(g, "record");
        const char *status = NULL;
        struct rec r;
        if (rc == SYNC_OK)
            rc = rec_parse(sync_json_str(rj, "system"), sync_json_str(rj, "object"),
                           sync_json_str(rj, "id"), &r, err);
        if (rc == SYNC_OK)
            rc = queue_one(st, &r, json_object_get(g, "errors"), now, &status, err);
        if (rc == SYNC_OK && json_object_set_new(g, "status", json_string(status)))
            rc = nomem(err);
    }
    if (rc == SYNC_OK)
        return sync_store_commit(st, err);
    sync_store_rollback(st, NULL);
    return rc;
}

/* One result per id asked for, in the order given. */
static json_t *resync_results(const int64_t *error_ids, size_t n, const struct wanted_set *w,
                              const json_t *groups, const json_t *keys)
{
    json_t *results = json_array();

    for (size_t i = 0; results && i < n; i++) {
        const struct wanted *it = wanted_find(w, error_ids[i]);
        char idtext[32];
        const json_t *g;
        json_t *res;

        snprintf(idtext, sizeof(idtext), "%lld", (long long)error_ids[i]);
        g = json_object_get(keys, idtext)
                ? json_object_get(groups, json_string_value(json_object_get(keys, idtext)))
                : NULL;
        if (g)
            res = json_pack("{s:I, s:s, s:O, s:O}", "error_id", (json_int_t)error_ids[i],
                            "category", it->category, "status", json_object_get(g, "status"),
                            "record", json_object_get(g, "record"));
        else if (it && it->found)
            res =
                json_pack("{s:I, s:s, s:s, s:o}", "error_id", (json_int_t)error_ids[i], "category",
                          it->category, "status", it->resolved ? "resolved" : "not_found", "record",
                          record_json(it->system, it->object, it->record_id));
        else
            res = json_pack("{s:I, s:s}", "error_id", (json_int_t)error_ids[i], "status",
                            "not_found");
        if (!res || json_array_append_new(results, res)) {
            json_decref(results);
            return NULL;
        }
    }
    return results;
}

enum sync_rc sync_health_resync(struct sync_store *st, const int64_t *error_ids, size_t n,
                                json_t **out, struct sync_err *err)
{
    struct wanted_set w = {NULL, 0};
    struct sync_error_query q;
    json_t *groups = json_object(), *keys = json_object(), *results;
    enum sync_rc rc = SYNC_OK;

    *out = NULL;
    if (n > SYNC_HEALTH_RESYNC_MAX)
        rc = sync_err_set(err, SYNC_ERR_INVALID, "at most %d errors per resync",
                          SYNC_HEALTH_RESYNC_MAX);
    else if (!groups || !keys || (n && !(w.items = calloc(n, sizeof(*w.items)))))
        rc = nomem(err);
    if (rc) {
        json_decref(groups);
        json_decref(keys);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        w.items[i].id = error_ids[i];
    qsort(w.items, n, sizeof(*w.items), wanted_cmp);
    for (size_t i = 0; i < n; i++)
        if (w.n == 0 || w.items[w.n - 1].id != w.items[i].id)
            w.items[w.n++] = w.items[i];
    memset(&q, 0, sizeof(q));
    q.include_resolved = 1;
    if (w.n)
        rc = sync_store_error_list(st, &q, wanted_row, &w, err);
    if (rc == SYNC_OK)
        rc = resync_group(st, &w, groups, keys, err);
    if (rc == SYNC_OK)
        rc = resync_queue(st, groups, err);
    if (rc == SYNC_OK) {
        results = resync_results(error_ids, n, &w, groups, keys);
        if (!results ||
            !(*out = json_pack("{s:I, s:o}", "queued", (json_int_t)json_object_size(groups),
                               "results", results)))
            rc = nomem(err);
    }
    json_decref(groups);
    json_decref(keys);
    free(w.items);
    return rc;
}

static enum sync_rc ids_row(void *ctx, const struct sync_error_row *e)
{
    return json_array_append_new(ctx, json_integer((json_int_t)e->id)) ? SYNC_ERR_NOMEM : SYNC_OK;
}

enum sync_rc sync_health_resync_record(struct sync_store *st, const char *system,
                                       const char *object, const char *id, json_t **out,
                                       struct sync_err *err)
{
    struct sync_error_query q;
    const char *status = NULL;
    json_t *ids = json_array();
    struct rec r;
    enum sync_rc rc;

    *out = NULL;
    if (!ids)
        return nomem(err);
    if ((rc = rec_parse(system, object, id, &r, err))) {
        json_decref(ids);
        return rc;
    }
    memset(&q, 0, sizeof(q));
    q.system = r.system, q.object = r.object, q.record_id = r.id;
    rc = sync_store_error_list(st, &q, ids_row, ids, err);
    if (rc == SYNC_OK)
        rc = sync_store_begin(st, err);
    if (rc == SYNC_OK) {
        rc = queue_one(st, &r, ids, sync_time_now_ms(), &status, err);
        if (rc == SYNC_OK)
            rc = sync_store_commit(st, err);
        else
            sync_store_rollback(st, NULL);
    }
    if (rc == SYNC_OK &&
        !(*out = json_pack("{s:i, s:[{s:s, s:o, s:O}]}", "queued", 1, "results", "status", status,
                           "record", record_json(r.system, r.object, r.id), "errors", ids)))
        rc = nomem(err);
    json_decref(ids);
    return rc;
}
