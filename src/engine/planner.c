/*
 * planner.c: one change in, operations and a trace out (see planner.h and
 * docs/PLANNER.md for the contract and the rules it follows). Pure; called
 * by the engine's plan step and by `crmsync explain`.
 *
 * The shape: sync_plan_make checks the switches, then hands the change to
 * its kind (plan_contact, plan_company, plan_deal). Each kind handles, in
 * order, merges, deletes, lead conversion, a change on a linked record,
 * and a change on a record without a link (match, or create). Field sync
 * is shared: sync_fields walks the kind's mappings for a pair of records
 * (either of which may be about to be created), asks sync_rule_decide
 * about each field, and collects the writes, ledger puts and conflicts;
 * owners, pipelines and stages are translated first so that every value
 * it compares is canonical.
 */
#include "engine/planner.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/time.h"
#include "engine/activity.h"
#include "engine/record.h"

#define ASSOC_COMPANY "assoc:company" /* the ledger key of the company association */
#define OWNER_SF_PREFIX "sf:"         /* a Salesforce owner no HubSpot owner matches */

/* ---- names ---- */

static const char *const op_names[SYNC_PLAN_OP__COUNT] = {
    "create",     "update",       "delete",      "associate",       "bind_link",  "repoint_link",
    "link_state", "record_error", "clear_error", "record_conflict", "ledger_put", "settle"};
static const char *const errcat_names[SYNC_PLAN_ERR__COUNT] = {
    "no_email", "required_field", "property_value", "picklist",
    "mapping",  "associations",   "inclusion_list", "field_permissions"};
static const char *const rule_labels[SYNC_RULE__COUNT] = {
    "Prefer Salesforce unless blank", "Always use Salesforce", "Two-way", "Don't sync",
    "Prefer HubSpot unless blank",    "Always use HubSpot"};

const char *sync_plan_op_kind_name(enum sync_plan_op_kind k)
{
    return (unsigned)k < SYNC_PLAN_OP__COUNT ? op_names[k] : "unknown";
}

const char *sync_plan_errcat_name(enum sync_plan_errcat c)
{
    return (unsigned)c < SYNC_PLAN_ERR__COUNT ? errcat_names[c] : "other";
}

const char *sync_plan_status_name(enum sync_plan_status s)
{
    switch (s) {
    case SYNC_PLAN_DONE:
        return "done";
    case SYNC_PLAN_DEFERRED:
        return "deferred";
    case SYNC_PLAN_NEED_RECORD:
        return "need_record";
    }
    return "unknown";
}

const char *sync_plan_side_name(enum sync_side s)
{
    return s == SYNC_SIDE_HUBSPOT ? "hubspot" : s == SYNC_SIDE_SALESFORCE ? "salesforce" : "none";
}

const char *sync_plan_rule_label(enum sync_rule r)
{
    return (unsigned)r < SYNC_RULE__COUNT ? rule_labels[r] : "unknown rule";
}

static const char *vendor(enum sync_side s)
{
    return s == SYNC_SIDE_HUBSPOT ? "HubSpot" : "Salesforce";
}

static enum sync_side opposite(enum sync_side s)
{
    return s == SYNC_SIDE_HUBSPOT ? SYNC_SIDE_SALESFORCE : SYNC_SIDE_HUBSPOT;
}

/* ---- the plan ---- */

void sync_plan_init(struct sync_plan *p)
{
    memset(p, 0, sizeof(*p));
    sync_trace_init(&p->trace, 0);
}

static void op_free(struct sync_plan_op *op)
{
    json_decref(op->fields);
    free(op->message);
    free(op->field);
    free(op->value);
    free(op->sf_value);
}

void sync_plan_release(struct sync_plan *p)
{
    for (size_t i = 0; i < p->nops; i++)
        op_free(&p->ops[i]);
    free(p->ops);
    sync_trace_release(&p->trace);
    sync_plan_init(p);
}

size_t sync_plan_count(const struct sync_plan *p, enum sync_plan_op_kind k, enum sync_side target)
{
    size_t n = 0;

    for (size_t i = 0; i < p->nops; i++)
        if (p->ops[i].kind == k && (target == SYNC_SIDE_NONE || p->ops[i].target == target))
            n++;
    return n;
}

const struct sync_plan_op *sync_plan_find(const struct sync_plan *p, enum sync_plan_op_kind k,
                                          enum sync_side target, size_t from)
{
    for (size_t i = from; i < p->nops; i++)
        if (p->ops[i].kind == k && (target == SYNC_SIDE_NONE || p->ops[i].target == target))
            return &p->ops[i];
    return NULL;
}

/* ---- the planning context ---- */

struct ctx {
    const struct sync_plan_input *in;
    struct sync_plan *out;
    enum sync_kind kind;
    enum sync_rc rc; /* sticky: the first allocation failure */
    char label[160]; /* the change's record, as the trace names it */
    /* planner-owned error categories checked by this plan, and found failing */
    int checked[SYNC_PLAN_ERR__COUNT], failed[SYNC_PLAN_ERR__COUNT];
    int repointed; /* the link now pairs another record: its old agreements do not apply */
};

static void trace(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void trace(struct ctx *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sync_trace_vadd(&c->out->trace, fmt, ap);
    va_end(ap);
}

static void set_action(struct ctx *c, const char *action)
{
    snprintf(c->out->action, sizeof(c->out->action), "%s", action);
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static struct sync_plan_op *op_add(struct ctx *c, enum sync_plan_op_kind kind,
                                   enum sync_side target, const char *object, const char *id,
                                   const char *link_id)
{
    struct sync_plan *p = c->out;
    struct sync_plan_op *op;

    if (c->rc)
        return NULL;
    if (p->nops == p->alloc) {
        size_t alloc = p->alloc ? p->alloc * 2 : 16;
        struct sync_plan_op *ops = realloc(p->ops, alloc * sizeof(*ops));
        if (!ops) {
            c->rc = SYNC_ERR_NOMEM;
            return NULL;
        }
        p->ops = ops;
        p->alloc = alloc;
    }
    op = &p->ops[p->nops++];
    memset(op, 0, sizeof(*op));
    op->kind = kind;
    op->target = target;
    copy(op->object, sizeof(op->object), object);
    copy(op->id, sizeof(op->id), id);
    copy(op->link_id, sizeof(op->link_id), link_id);
    return op;
}

/* Drops every op from index n on (a create abandoned for a missing required field). */
static void ops_truncate(struct ctx *c, size_t n)
{
    while (c->out->nops > n)
        op_free(&c->out->ops[--c->out->nops]);
}

/* Removes the op at index i, keeping the order of the rest. */
static void op_remove(struct ctx *c, size_t i)
{
    struct sync_plan *p = c->out;

    op_free(&p->ops[i]);
    memmove(&p->ops[i], &p->ops[i + 1], (p->nops - i - 1) * sizeof(*p->ops));
    p->nops--;
}

static char *dup_or_null(struct ctx *c, const char *s)
{
    char *d;

    if (!s)
        return NULL;
    if (!(d = strdup(s)))
        c->rc = SYNC_ERR_NOMEM;
    return d;
}

/* The RECORD_ERROR op on rec (c->rc says when it could not be made). */
static void error_op(struct ctx *c, const struct sync_plan_record *rec, const char *link_id,
                     enum sync_plan_errcat cat, unsigned flags, const char *msg)
{
    struct sync_plan_op *op =
        op_add(c, SYNC_PLAN_OP_RECORD_ERROR, rec->system, rec->object, rec->id, link_id);

    if (!op)
        return;
    op->category = cat;
    op->flags = flags;
    op->message = dup_or_null(c, msg);
}

enum sync_rc sync_plan_add_error(struct sync_plan *p, const struct sync_plan_record *rec,
                                 const char *link_id, enum sync_plan_errcat cat, unsigned flags,
                                 const char *message)
{
    struct ctx c;

    memset(&c, 0, sizeof(c));
    c.out = p;
    error_op(&c, rec, link_id, cat, flags, message);
    return c.rc;
}

static void record_error_va(struct ctx *c, const struct sync_plan_record *rec, const char *link_id,
                            enum sync_plan_errcat cat, unsigned flags, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void record_error_va(struct ctx *c, const struct sync_plan_record *rec, const char *link_id,
                            enum sync_plan_errcat cat, unsigned flags, const char *fmt, va_list ap)
{
    char msg[SYNC_ERR_MSG_MAX];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    c->checked[cat] = c->failed[cat] = 1;
    if (rec == c->in->change)
        trace(c, "%s: error (%s): %s", c->label, errcat_names[cat], msg);
    else
        trace(c, "%s: error (%s) filed on %s %s %s: %s", c->label, errcat_names[cat],
              sync_plan_side_name(rec->system), rec->object, rec->id, msg);
    error_op(c, rec, link_id, cat, flags, msg);
}

static void record_error(struct ctx *c, const char *link_id, enum sync_plan_errcat cat,
                         unsigned flags, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A per-record error on the change's record (errors are shown on the record that changed). */
static void record_error(struct ctx *c, const char *link_id, enum sync_plan_errcat cat,
                         unsigned flags, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    record_error_va(c, c->in->change, link_id, cat, flags, fmt, ap);
    va_end(ap);
}

/* Resolves the change record's open errors of the categories this plan checked and passed. */
static void clear_errors(struct ctx *c, const char *link_id)
{
    const struct sync_plan_record *rec = c->in->change;

    for (size_t i = 0; i < c->in->nopen_errors; i++) {
        const char *name = c->in->open_errors[i];
        for (int k = 0; name && k < SYNC_PLAN_ERR__COUNT; k++) {
            struct sync_plan_op *op;
            if (strcmp(name, errcat_names[k]) || !c->checked[k] || c->failed[k])
                continue;
            if ((op = op_add(c, SYNC_PLAN_OP_CLEAR_ERROR, rec->system, rec->object, rec->id,
                             link_id)))
                op->category = (enum sync_plan_errcat)k;
            trace(c, "%s: the earlier %s error is resolved", c->label, name);
        }
    }
}

static void link_op(struct ctx *c, enum sync_plan_op_kind kind, const struct sync_plan_link *l)
{
    struct sync_plan_op *op = op_add(c, kind, SYNC_SIDE_NONE, l->sf_object, "", l->link_id);
    if (op)
        op->link = *l;
}

static void ledger_put(struct ctx *c, const char *link_id, const char *field, const char *value,
                       enum sync_side wait_for, enum sync_side agreed_by)
{
    struct sync_plan_op *op = op_add(c, SYNC_PLAN_OP_LEDGER_PUT, wait_for, "", "", link_id);

    if (!op)
        return;
    op->field = dup_or_null(c, field);
    op->value = sync_value_blank(value) ? NULL : dup_or_null(c, value);
    op->agreed_by = agreed_by;
    op->at = c->in->now;
}

/* ---- reading records ---- */

static const char *setting_str(const struct ctx *c, enum sync_setting id)
{
    return sync_settings_str(c->in->settings, id);
}

static int64_t setting(const struct ctx *c, enum sync_setting id)
{
    return sync_settings_int(c->in->settings, id);
}

static int is_sf(const struct sync_plan_record *r)
{
    return r->system == SYNC_SIDE_SALESFORCE;
}

static int is_object(const struct sync_plan_record *r, const char *object)
{
    return r && r->object && strcasecmp(r->object, object) == 0;
}

static void make_label(char *out, size_t n, enum sync_kind kind, enum sync_side side,
                       const char *object, const char *id)
{
    if (side == SYNC_SIDE_HUBSPOT)
        snprintf(out, n, "%s %s", sync_kind_name(kind), id && id[0] ? id : "(new)");
    else
        snprintf(out, n, "Salesforce %s %s", object, id && id[0] ? id : "(new)");
}

/* A field's raw value as text. *present is 0 when the record does not carry the field. */
static const json_t *raw_field(const struct sync_plan_record *r, const char *name, int *present)
{
    const json_t *v;

    *present = 0;
    if (!r || !r->fields || !json_is_object(r->fields))
        return NULL;
    v = is_sf(r) ? sync_json_get_nocase(r->fields, name, NULL) : json_object_get(r->fields, name);
    *present = v != NULL;
    return v && !json_is_null(v) ? v : NULL;
}

/* A HubSpot property's text; numbers and booleans (which some callers pass) as text. */
static const char *hs_text(const json_t *v, char *tmp, size_t n)
{
    if (!v)
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(tmp, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return tmp;
    }
    if (json_is_real(v)) {
        snprintf(tmp, n, "%.17g", json_real_value(v));
        return tmp;
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    return NULL;
}

/* When a field last changed: the record's per-field time, else its version. */
static int64_t changed_at(const struct sync_plan_record *r, const char *name)
{
    const json_t *t;

    if (!r)
        return 0;
    t = r->changed_at ? json_object_get(r->changed_at, name) : NULL;
    if (json_is_integer(t))
        return json_integer_value(t);
    if (json_is_string(t)) {
        const char *s = json_string_value(t);
        char *end;
        long long v = strtoll(s, &end, 10);
        int64_t ms;
        if (*s && !*end)
            return v;
        if (sync_time_parse(s, &ms) == SYNC_OK)
            return ms;
    }
    return r->version;
}

static const char *sf_text(const struct sync_plan_record *r, const char *name)
{
    int present;
    const json_t *v = raw_field(r, name, &present);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *hs_prop(const struct sync_plan_record *r, const char *name)
{
    int present;
    const json_t *v = raw_field(r, name, &present);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const struct sync_plan_ledger *ledger_find(const struct ctx *c, const char *field)
{
    if (c->repointed)
        return NULL;
    for (size_t i = 0; i < c->in->nledger; i++)
        if (c->in->ledger[i].field && strcmp(c->in->ledger[i].field, field) == 0)
            return &c->in->ledger[i];
    return NULL;
}

/* ---- owners ---- */

static const struct sync_plan_owner *owner_by_id(const struct ctx *c, enum sync_side side,
                                                 const char *id)
{
    for (size_t i = 0; id && id[0] && i < c->in->nowners; i++) {
        const struct sync_plan_owner *o = &c->in->owners[i];
        if (o->system != side || !o->id)
            continue;
        if (side == SYNC_SIDE_SALESFORCE ? sync_match_same_sf_id(o->id, id)
                                         : strcmp(o->id, id) == 0)
            return o;
    }
    return NULL;
}

/* The owner of side with this email; an active one first, else (want_active 0) any. */
static const struct sync_plan_owner *owner_by_email(const struct ctx *c, enum sync_side side,
                                                    const char *email, int want_active)
{
    const struct sync_plan_owner *any = NULL;

    for (size_t i = 0; email && email[0] && i < c->in->nowners; i++) {
        const struct sync_plan_owner *o = &c->in->owners[i];
        if (o->system != side || !o->email || strcasecmp(o->email, email))
            continue;
        if (o->active)
            return o;
        if (!any)
            any = o;
    }
    return want_active ? NULL : any;
}

/* A Salesforce owner as canonical text: the HubSpot owner with the user's email, else
 * "sf:<id>", which no HubSpot value ever equals. why says which. */
static void owner_from_sf(const struct ctx *c, const char *sf_id, struct sync_buf *out, char *why,
                          size_t n)
{
    const struct sync_plan_owner *u = owner_by_id(c, SYNC_SIDE_SALESFORCE, sf_id), *h = NULL;
    char id18[19];

    sync_buf_reset(out);
    why[0] = '\0';
    if (!sf_id || !sf_id[0])
        return;
    if (u && u->email)
        h = owner_by_email(c, SYNC_SIDE_HUBSPOT, u->email, 1);
    if (h) {
        sync_buf_addstr(out, h->id);
        return;
    }
    if (sync_value_sf_id18(sf_id, id18))
        copy(id18, sizeof(id18), sf_id);
    sync_buf_addf(out, OWNER_SF_PREFIX "%s", id18);
    if (!u)
        snprintf(why, n, "Salesforce owner %s is not a user crmsync knows (a queue?)", sf_id);
    else if (!u->email || !u->email[0])
        snprintf(why, n, "Salesforce user %s has no email", sf_id);
    else
        snprintf(why, n, "no HubSpot owner has the email %s of Salesforce user %s", u->email,
                 sf_id);
}

/* A HubSpot owner id -> the active Salesforce user with the same email, or NULL and why. */
static const struct sync_plan_owner *owner_to_sf(const struct ctx *c, const char *hs_id, char *why,
                                                 size_t n)
{
    const struct sync_plan_owner *h = owner_by_id(c, SYNC_SIDE_HUBSPOT, hs_id), *u;

    if (!hs_id || !hs_id[0]) {
        snprintf(why, n, "HubSpot has no owner, and Salesforce requires one");
        return NULL;
    }
    if (!h) {
        snprintf(why, n, "HubSpot owner %s is unknown", hs_id);
        return NULL;
    }
    if (!h->email || !h->email[0]) {
        snprintf(why, n, "HubSpot owner %s has no email", hs_id);
        return NULL;
    }
    if ((u = owner_by_email(c, SYNC_SIDE_SALESFORCE, h->email, 1)))
        return u;
    if ((u = owner_by_email(c, SYNC_SIDE_SALESFORCE, h->email, 0)))
        snprintf(why, n, "HubSpot owner %s (%s) matches Salesforce user %s, who is inactive", hs_id,
                 h->email, u->id);
    else
        snprintf(why, n, "no active Salesforce user has the email %s of HubSpot owner %s", h->email,
                 hs_id);
    return NULL;
}

/* ---- pipelines and stages ---- */

static const struct sync_plan_stage *stage_by_hs(const struct ctx *c, const char *pipeline,
                                                 const char *stage)
{
    const struct sync_plan_stage_map *m = c->in->stages;

    for (size_t i = 0; m && i < m->n; i++) {
        const struct sync_plan_stage *s = &m->items[i];
        if (pipeline && strcmp(s->hs_pipeline, pipeline))
            continue;
        if (stage && strcmp(s->hs_stage, stage))
            continue;
        return s;
    }
    return NULL;
}

static const struct sync_plan_stage *stage_by_sf(const struct ctx *c, const char *record_type,
                                                 const char *stage)
{
    const struct sync_plan_stage_map *m = c->in->stages;

    for (size_t i = 0; m && i < m->n; i++) {
        const struct sync_plan_stage *s = &m->items[i];
        if (!sync_match_same_sf_id(s->sf_record_type, record_type))
            continue;
        if (stage && strcmp(s->sf_stage, stage))
            continue;
        return s;
    }
    return NULL;
}

/* The HubSpot properties holding a record's pipeline and stage. */
static const char *hs_pipeline_prop(const struct ctx *c)
{
    return c->kind == SYNC_KIND_TICKET ? "hs_pipeline" : "pipeline";
}

static const char *hs_stage_prop(const struct ctx *c)
{
    return c->kind == SYNC_KIND_TICKET ? "hs_pipeline_stage" : "dealstage";
}

static const char *sf_stage_field(const struct ctx *c)
{
    return c->kind == SYNC_KIND_TICKET ? "Status" : "StageName";
}

static const char *sf_record_type(const struct sync_plan_record *sf)
{
    const char *rt = sf_text(sf, "RecordTypeId");
    return rt ? rt : "";
}

/* ---- field sync ---- */

/* A pair of records being synced; one of them may be about to be created (NULL). */
struct pair {
    const struct sync_plan_record *hs, *sf;
    const char *sf_object; /* Lead, Contact, Account, Opportunity */
    const char *link_id;
    enum sync_side creating; /* the side being created, or NONE */
    json_t *to_hs, *to_sf;   /* borrowed from the write ops */
    size_t nsame;            /* fields unchanged or already equal */
};

static void sf_value_error(struct ctx *c, const struct pair *pr, enum sync_plan_errcat cat,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A value that cannot be written to Salesforce: an error on the record the value comes from.
 * That is the change's, except a Salesforce change whose plan carries HubSpot's value back to
 * it: then the HubSpot record's (as apply.c files a refused write), so the same refusal
 * planned from both sides is one error, which the HubSpot record's plan resolves. */
static void sf_value_error(struct ctx *c, const struct pair *pr, enum sync_plan_errcat cat,
                           const char *fmt, ...)
{
    const struct sync_plan_record *rec = c->in->change;
    va_list ap;

    if (rec->system == SYNC_SIDE_SALESFORCE && pr->hs && pr->hs->id && pr->hs->id[0])
        rec = pr->hs;
    va_start(ap, fmt);
    record_error_va(c, rec, pr->link_id, cat, 0, fmt, ap);
    va_end(ap);
}

/* Canonical value of one side. Returns 0 when the side does not carry the field (left alone),
 * 1 when out holds the value, -1 after recording a conversion error. */
static int canon_hs(struct ctx *c, const struct pair *pr, const struct sync_mapping *m,
                    struct sync_buf *out)
{
    struct sync_err err = SYNC_ERR_INIT;
    char tmp[64];
    int present;
    const char *s;

    sync_buf_reset(out);
    if (!pr->hs)
        return 1;
    s = hs_text(raw_field(pr->hs, m->hs.name, &present), tmp, sizeof(tmp));
    if (!present)
        return 0;
    if (m->flags & (SYNC_MAP_OWNER | SYNC_MAP_STAGE | SYNC_MAP_PIPELINE)) {
        if (s && sync_buf_addstr(out, s))
            c->rc = SYNC_ERR_NOMEM;
        return 1;
    }
    if (sync_mapping_from_hs(m, s, out, &err) == SYNC_OK)
        return 1;
    record_error(c, pr->link_id, SYNC_PLAN_ERR_PROPERTY_VALUE, 0, "HubSpot %s", err.message);
    return -1;
}

static int canon_sf(struct ctx *c, const struct pair *pr, const struct sync_mapping *m,
                    const struct sync_sf_field *f, struct sync_buf *out, char *why, size_t n)
{
    struct sync_err err = SYNC_ERR_INIT;
    const json_t *v;
    int present;

    sync_buf_reset(out);
    why[0] = '\0';
    if (!pr->sf)
        return 1;
    v = raw_field(pr->sf, f->name, &present);
    if (m->flags & SYNC_MAP_PIPELINE) {
        const struct sync_plan_stage *s = stage_by_sf(c, sf_record_type(pr->sf), NULL);
        if (s && sync_buf_addstr(out, s->hs_pipeline))
            c->rc = SYNC_ERR_NOMEM;
        return 1; /* checked by check_deal_stages */
    }
    if (!present)
        return 0;
    if (m->flags & SYNC_MAP_OWNER) {
        owner_from_sf(c, json_is_string(v) ? json_string_value(v) : NULL, out, why, n);
        return 1;
    }
    if (m->flags & SYNC_MAP_STAGE) {
        const struct sync_plan_stage *s =
            json_is_string(v) ? stage_by_sf(c, sf_record_type(pr->sf), json_string_value(v)) : NULL;
        if (s && sync_buf_addstr(out, s->hs_stage))
            c->rc = SYNC_ERR_NOMEM;
        return 1;
    }
    if (sync_mapping_from_sf(m, pr->sf_object, v, out, &err) == SYNC_OK)
        return 1;
    record_error(c, pr->link_id, SYNC_PLAN_ERR_PROPERTY_VALUE, 0, "Salesforce %s %s", pr->sf_object,
                 err.message);
    return -1;
}

static enum sync_plan_errcat value_errcat(const struct sync_err *err)
{
    return strstr(err->message, "picklist") || strstr(err->message, "options")
               ? SYNC_PLAN_ERR_PICKLIST
               : SYNC_PLAN_ERR_PROPERTY_VALUE;
}

/* Salesforce fields a record cannot be created without, nor have cleared. */
static int sf_required(const char *object, const char *field)
{
    static const char *const req[][2] = {
        {"Lead", "LastName"},         {"Lead", "Company"},     {"Contact", "LastName"},
        {"Account", "Name"},          {"Opportunity", "Name"}, {"Opportunity", "StageName"},
        {"Opportunity", "CloseDate"},
    };
    for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
        if (strcasecmp(req[i][0], object) == 0 && strcasecmp(req[i][1], field) == 0)
            return 1;
    return 0;
}

/* "\"value\"" or "blank", shortened, into buf. */
static const char *show(const char *v, char *buf, size_t n)
{
    if (sync_value_blank(v))
        snprintf(buf, n, "blank");
    else
        snprintf(buf, n, "\"%.*s%s\"", strlen(v) > 60 ? 57 : 60, v, strlen(v) > 60 ? "..." : "");
    return buf;
}

/* ---- Salesforce state and country picklists ---- */

/* Whether field is an address's State (1) or Country (2), with its prefix ("", "Mailing",
 * "Billing", "Shipping", "Other") into prefix; 0 for any other field. */
static int address_part(const char *field, char *prefix, size_t n)
{
    static const char *const prefixes[] = {"", "Mailing", "Billing", "Shipping", "Other"};
    static const char *const parts[] = {"State", "Country"};

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        for (int k = 0; k < 2; k++) {
            size_t pl = strlen(prefixes[i]);
            if (strncmp(field, prefixes[i], pl) == 0 && strcmp(field + pl, parts[k]) == 0) {
                snprintf(prefix, n, "%s", prefixes[i]);
                return k + 1;
            }
        }
    return 0;
}

static const struct sync_plan_geo_country *geo_country(const struct sync_plan_geo *g, const char *v)
{
    for (size_t i = 0; v && i < g->ncountries; i++)
        if (strcasecmp(g->countries[i].label, v) == 0 || strcasecmp(g->countries[i].code, v) == 0)
            return &g->countries[i];
    return NULL;
}

static const struct sync_plan_geo_state *geo_state(const struct sync_plan_geo *g,
                                                   const char *country, const char *v)
{
    for (size_t i = 0; i < g->nstates; i++)
        if (strcmp(g->states[i].country, country) == 0 &&
            (strcasecmp(g->states[i].label, v) == 0 || strcasecmp(g->states[i].code, v) == 0))
            return &g->states[i];
    return NULL;
}

/* The country code a state is written with: the one this write sets, else HubSpot's country,
 * else the Salesforce record's. */
static const char *geo_context(struct ctx *c, const struct pair *pr, const char *prefix)
{
    const struct sync_plan_geo_country *k;
    char name[96];
    const char *v;

    snprintf(name, sizeof(name), "%sCountryCode", prefix);
    if ((v = json_string_value(json_object_get(pr->to_sf, name))))
        return v;
    if (pr->hs && (k = geo_country(c->in->geo, hs_prop(pr->hs, "country"))))
        return k->code;
    if (pr->sf && (v = sf_text(pr->sf, name)) && v[0])
        return v;
    snprintf(name, sizeof(name), "%sCountry", prefix);
    k = pr->sf ? geo_country(c->in->geo, sf_text(pr->sf, name)) : NULL;
    return k ? k->code : NULL;
}

static int geo_set(struct ctx *c, struct pair *pr, const char *prefix, const char *part,
                   const char *code)
{
    char name[96];

    snprintf(name, sizeof(name), "%s%sCode", prefix, part);
    if (json_object_set_new(pr->to_sf, name, code ? json_string(code) : json_null())) {
        c->rc = SYNC_ERR_NOMEM;
        return -1;
    }
    return 0;
}

/* An address's State or Country with the picklists on: written to its code field
 * (StateCode, CountryCode), a state with its country, each checked against the org's
 * picklists first (a value not in them is a picklist error). 0 written, -1 refused. */
static int write_sf_geo(struct ctx *c, struct pair *pr, const struct sync_sf_field *f,
                        const char *v)
{
    const struct sync_plan_geo *g = c->in->geo;
    char prefix[16];
    int part = address_part(f->name, prefix, sizeof(prefix));
    const struct sync_plan_geo_country *k = NULL;
    const struct sync_plan_geo_state *s;
    const char *country;

    if (!g->ncountries) {
        sf_value_error(c, pr, SYNC_PLAN_ERR_PICKLIST,
                       "state and country picklists are on in the settings, but Salesforce %s has "
                       "no %sCountryCode field: switch them on in Salesforce, or the setting off",
                       pr->sf_object, prefix);
        return -1;
    }
    if (part == 2) {
        if (!sync_value_blank(v) && !(k = geo_country(g, v))) {
            sf_value_error(c, pr, SYNC_PLAN_ERR_PICKLIST,
                           "%s: country \"%s\" is not in Salesforce's country picklist", f->name,
                           v);
            return -1;
        }
        return geo_set(c, pr, prefix, "Country", sync_value_blank(v) ? NULL : k->code);
    }
    if (sync_value_blank(v))
        return geo_set(c, pr, prefix, "State", NULL);
    if (!(country = geo_context(c, pr, prefix))) {
        sf_value_error(
            c, pr, SYNC_PLAN_ERR_PICKLIST,
            "%s: state \"%s\" needs a country: Salesforce's state picklist depends on it", f->name,
            v);
        return -1;
    }
    if (!(s = geo_state(g, country, v))) {
        sf_value_error(c, pr, SYNC_PLAN_ERR_PICKLIST,
                       "%s: state \"%s\" is not a state of %s in Salesforce's state picklist",
                       f->name, v, country);
        return -1;
    }
    if (geo_set(c, pr, prefix, "State", s->code))
        return -1;
    {
        char name[96];
        snprintf(name, sizeof(name), "%sCountryCode", prefix);
        if (json_object_get(pr->to_sf, name))
            return 0;
    }
    return geo_set(c, pr, prefix, "Country", country); /* Salesforce wants the two together */
}

/* Writes canonical value v of mapping m to Salesforce; 0 when written, -1 when refused. */
static int write_sf(struct ctx *c, struct pair *pr, const struct sync_mapping *m,
                    const struct sync_sf_field *f, const char *v)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *jv = NULL;
    char why[SYNC_ERR_MSG_MAX];

    if (m->flags & SYNC_MAP_OWNER) {
        const struct sync_plan_owner *u = owner_to_sf(c, v, why, sizeof(why));
        if (!u)
            return -1;
        jv = json_string(u->id);
    } else if (m->flags & SYNC_MAP_PIPELINE) {
        const struct sync_plan_stage *s = stage_by_hs(c, v, NULL);
        if (!s || !s->sf_record_type[0])
            return s ? 1 : -1; /* an org without record types: nothing to write */
        jv = json_string(s->sf_record_type);
    } else if (m->flags & SYNC_MAP_STAGE) {
        const char *pipeline = pr->hs ? hs_prop(pr->hs, hs_pipeline_prop(c)) : NULL;
        const struct sync_plan_stage *s = stage_by_hs(c, pipeline, v);
        if (!s)
            return -1;
        jv = json_string(s->sf_stage);
    } else if (c->in->geo && address_part(f->name, why, sizeof(why))) {
        return write_sf_geo(c, pr, f, v);
    } else if (sync_mapping_to_sf(m, pr->sf_object, v, &jv, &err)) {
        sf_value_error(c, pr, value_errcat(&err), "%s", err.message);
        return -1;
    }
    if (!jv || json_object_set_new(pr->to_sf, f->name, jv)) {
        c->rc = SYNC_ERR_NOMEM;
        return -1;
    }
    return 0;
}

static int write_hs(struct ctx *c, struct pair *pr, const struct sync_mapping *m, const char *v)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_buf b = SYNC_BUF_INIT(SYNC_VALUE_MAX);
    int rc = 0;

    if (m->flags & (SYNC_MAP_OWNER | SYNC_MAP_STAGE | SYNC_MAP_PIPELINE)) {
        if (v && strncmp(v, OWNER_SF_PREFIX, strlen(OWNER_SF_PREFIX)) == 0)
            return -1;
        if (v && sync_buf_addstr(&b, v))
            c->rc = SYNC_ERR_NOMEM;
    } else if (sync_mapping_to_hs(m, v, &b, &err)) {
        record_error(c, pr->link_id, value_errcat(&err), 0, "%s", err.message);
        rc = -1;
    }
    if (!rc && json_object_set_new(pr->to_hs, m->hs.name, json_string(sync_buf_str(&b))))
        c->rc = SYNC_ERR_NOMEM;
    sync_buf_release(&b);
    return rc;
}

static void conflict_op(struct ctx *c, const struct pair *pr, const struct sync_mapping *m,
                        const struct sync_field_state *st, enum sync_rule rule,
                        enum sync_side winner)
{
    struct sync_plan_op *op =
        op_add(c, SYNC_PLAN_OP_RECORD_CONFLICT, SYNC_SIDE_NONE, "", "", pr->link_id);

    if (!op)
        return;
    op->field = dup_or_null(c, m->hs.name);
    op->value = sync_value_blank(st->hs) ? NULL : dup_or_null(c, st->hs);
    op->sf_value = sync_value_blank(st->sf) ? NULL : dup_or_null(c, st->sf);
    op->hs_at = st->hs_at;
    op->sf_at = st->sf_at;
    op->rule = rule;
    op->winner = winner;
}

/* The owner's special cases after the rule decided (owner mappings are two-way). */
static void owner_decided(struct ctx *c, struct pair *pr, const struct sync_mapping *m,
                          const struct sync_sf_field *f, const struct sync_field_state *st,
                          const struct sync_field_decision *d, const char *sf_why)
{
    char why[SYNC_ERR_MSG_MAX], a[80], b[80];
    const char *name = m->hs.name;

    if (d->action == SYNC_FIELD_TO_HS) {
        if (pr->creating == SYNC_SIDE_HUBSPOT && write_hs(c, pr, m, d->value)) {
            trace(c, "field %s: no HubSpot owner is set: %s", name, sf_why);
            return;
        }
        if (pr->creating == SYNC_SIDE_HUBSPOT) {
            trace(c, "field %s: Salesforce's owner is HubSpot owner %s", name, d->value);
            ledger_put(c, pr->link_id, name, d->value, SYNC_SIDE_HUBSPOT, SYNC_SIDE_SALESFORCE);
            return;
        }
        if (write_hs(c, pr, m, d->value) == 0) {
            trace(c, "field %s: owner: %s; HubSpot set to owner %s", name, d->why,
                  show(d->value, a, sizeof(a)));
            ledger_put(c, pr->link_id, name, d->value, SYNC_SIDE_HUBSPOT, SYNC_SIDE_SALESFORCE);
        } else {
            trace(c, "field %s: owner: %s, but %s: HubSpot's owner %s is kept", name, d->why,
                  sf_why[0] ? sf_why : "it has no HubSpot owner", show(st->hs, a, sizeof(a)));
        }
        return;
    }
    /* to Salesforce */
    if (pr->creating == SYNC_SIDE_SALESFORCE) {
        if (write_sf(c, pr, m, f, d->value) == 0) {
            trace(c, "field %s: owner %s is Salesforce user %s", name, d->value,
                  json_string_value(json_object_get(pr->to_sf, f->name)));
            ledger_put(c, pr->link_id, name, d->value, SYNC_SIDE_SALESFORCE, SYNC_SIDE_HUBSPOT);
        } else {
            owner_to_sf(c, d->value, why, sizeof(why));
            trace(c, "field %s: no owner is sent: %s", name, why);
        }
        return;
    }
    if (write_sf(c, pr, m, f, d->value) == 0) {
        trace(c, "field %s: owner: %s; Salesforce set to user %s", name, d->why,
              json_string_value(json_object_get(pr->to_sf, f->name)));
        ledger_put(c, pr->link_id, name, d->value, SYNC_SIDE_SALESFORCE, SYNC_SIDE_HUBSPOT);
        return;
    }
    owner_to_sf(c, d->value, why, sizeof(why));
    /* the Salesforce value is kept, and HubSpot goes back to it */
    if (!sync_value_blank(st->sf) && write_hs(c, pr, m, st->sf) == 0) {
        trace(c,
              "field %s: owner: %s: the Salesforce owner is kept and HubSpot's owner is reset "
              "to %s",
              name, why, show(st->sf, a, sizeof(a)));
        ledger_put(c, pr->link_id, name, st->sf, SYNC_SIDE_HUBSPOT, SYNC_SIDE_SALESFORCE);
    } else {
        trace(c, "field %s: owner: %s, and %s: both owners are kept (HubSpot %s)", name, why,
              sf_why[0] ? sf_why : "Salesforce's owner has no HubSpot owner",
              show(st->hs, b, sizeof(b)));
    }
}

/* ---- late landings of crmsync's own writes ---- */

/* How far a vendor's clock may run behind crmsync's when a value's change time is compared with
 * when a write was sent. */
#define LATE_SKEW_MS 60000

/* The unsettled write that side's value v (changed at `at`, 0: unknown) is the late landing of,
 * or NULL. */
static const struct sync_plan_unsettled *late_landing(const struct ctx *c, enum sync_side side,
                                                      const char *field, const char *v, int64_t at)
{
    for (size_t i = 0; i < c->in->nunsettled; i++) {
        const struct sync_plan_unsettled *u = &c->in->unsettled[i];
        if (u->side == side && u->field && strcmp(u->field, field) == 0 &&
            sync_value_eq(u->value, v) && (at <= 0 || at + LATE_SKEW_MS >= u->sent_at))
            return u;
    }
    return NULL;
}

static void settle(struct ctx *c, const struct pair *pr, const struct sync_plan_unsettled *u,
                   const char *name)
{
    struct sync_plan_op *op = op_add(c, SYNC_PLAN_OP_SETTLE, u->side, "", "", pr->link_id);
    char a[80], t[40];

    if (op) {
        op->field = dup_or_null(c, u->field);
        op->value = dup_or_null(c, u->value);
    }
    trace(c,
          "field %s: %s's %s is crmsync's own write sent at %s, which timed out and was sent "
          "again, landing late: not an edit",
          name, vendor(u->side), show(u->value, a, sizeof(a)),
          sync_time_format_iso(u->sent_at, t, sizeof(t)));
}

/* A side whose value is crmsync's own unsettled write landing late (struct
 * sync_plan_unsettled) did not change: the rule decides as if it still held the agreement, and
 * it is written back to what the rule says it should hold. 1: the field was handled here. */
static int settle_late(struct ctx *c, struct pair *pr, const struct sync_mapping *m,
                       const struct sync_sf_field *f, const struct sync_field_state *st,
                       const char *agreed, enum sync_rule rule)
{
    const char *name = m->hs.name, *want_hs, *want_sf;
    const struct sync_plan_unsettled *lh = NULL, *ls = NULL;
    struct sync_field_state was = *st;
    struct sync_field_decision d;
    char a[80];

    if (!sync_value_eq(st->hs, agreed))
        lh = late_landing(c, SYNC_SIDE_HUBSPOT, name, st->hs, st->hs_at);
    if (!sync_value_eq(st->sf, agreed))
        ls = late_landing(c, SYNC_SIDE_SALESFORCE, name, st->sf, st->sf_at);
    if (!lh && !ls)
        return 0;
    if (lh) {
        settle(c, pr, lh, name);
        was.hs = agreed;
        was.hs_at = 0;
    }
    if (ls) {
        settle(c, pr, ls, name);
        was.sf = agreed;
        was.sf_at = 0;
    }
    sync_rule_decide(rule, &was, &d);
    want_hs = d.action == SYNC_FIELD_TO_HS ? d.value : was.hs;
    want_sf = d.action == SYNC_FIELD_TO_SF ? d.value : was.sf;
    if (!sync_value_eq(want_hs, st->hs) && write_hs(c, pr, m, want_hs) == 0) {
        trace(c, "field %s: rule %s: %s; HubSpot set to %s", name, sync_plan_rule_label(rule),
              d.why, show(want_hs, a, sizeof(a)));
        ledger_put(c, pr->link_id, name, want_hs, SYNC_SIDE_HUBSPOT, SYNC_SIDE_SALESFORCE);
    }
    if (!sync_value_eq(want_sf, st->sf) &&
        !(sync_value_blank(want_sf) && sf_required(pr->sf_object, f->name)) &&
        write_sf(c, pr, m, f, want_sf) == 0) {
        trace(c, "field %s: rule %s: %s; Salesforce %s set to %s", name, sync_plan_rule_label(rule),
              d.why, f->name, show(want_sf, a, sizeof(a)));
        ledger_put(c, pr->link_id, name, want_sf, SYNC_SIDE_SALESFORCE, SYNC_SIDE_HUBSPOT);
    }
    return 1;
}

/* Where a lifecycle stage sits in HubSpot's default order (blank: 0); -1 for a stage this
 * order does not know, which is never moved. */
enum { LIFECYCLE_RANK_OPPORTUNITY = 5, LIFECYCLE_RANK_CUSTOMER = 6 };
static int lifecycle_rank(const char *s)
{
    static const char *const order[] = {
        "subscriber",         "lead",        "marketingqualifiedlead",
        "salesqualifiedlead", "opportunity", "customer",
        "evangelist",         "other"};
    if (!s || !s[0])
        return 0;
    for (int i = 0; i < (int)(sizeof(order) / sizeof(order[0])); i++)
        if (strcmp(s, order[i]) == 0)
            return i + 1;
    return -1;
}

/* One mapped field of a pair. */
/* Tickets sync one way unless ticket_two_way is on: Salesforce always wins, whatever rule a
 * ticket mapping shows (Don't sync still holds). */
static int tickets_one_way(const struct ctx *c)
{
    return (c->kind == SYNC_KIND_TICKET && !setting(c, SYNC_SETTING_TICKET_TWO_WAY)) ||
           c->kind >= SYNC_KIND_TASK; /* Salesforce task sync is one way */
}

static enum sync_rule field_rule(const struct ctx *c, const struct sync_mapping *m)
{
    enum sync_rule rule = sync_mapping_rule(m);
    return tickets_one_way(c) && rule != SYNC_RULE_DONT_SYNC ? SYNC_RULE_ALWAYS_SF : rule;
}

static void sync_field(struct ctx *c, struct pair *pr, const struct sync_mapping *m)
{
    const struct sync_sf_field *f = sync_mapping_sf_field(m, pr->sf_object);
    struct sync_buf hb = SYNC_BUF_INIT(SYNC_VALUE_MAX), sb = SYNC_BUF_INIT(SYNC_VALUE_MAX);
    const struct sync_plan_ledger *le;
    struct sync_field_state st;
    struct sync_field_decision d;
    enum sync_rule rule = field_rule(c, m);
    char sf_why[SYNC_ERR_MSG_MAX], a[80], b[80];
    int h, s;

    if (!f || (m->flags & SYNC_MAP_INTERNAL))
        return;
    h = canon_hs(c, pr, m, &hb);
    s = canon_sf(c, pr, m, f, &sb, sf_why, sizeof(sf_why));
    if (h <= 0 || s <= 0)
        goto out;
    le = pr->creating == SYNC_SIDE_NONE ? ledger_find(c, m->hs.name) : NULL;
    memset(&st, 0, sizeof(st));
    st.hs = sync_buf_str(&hb);
    st.sf = sync_buf_str(&sb);
    st.hs_at = changed_at(pr->hs, m->hs.name);
    st.sf_at = changed_at(pr->sf, f->name);
    st.has_agreed = le != NULL;
    st.agreed = le ? le->value : NULL;
    st.first_sync_winner = sync_mapping_first_sync_winner(m);
    if (le && settle_late(c, pr, m, f, &st, le->value, rule))
        goto out;
    sync_rule_decide(rule, &st, &d);

    if (d.conflict)
        conflict_op(c, pr, m, &st, rule,
                    d.action == SYNC_FIELD_TO_HS   ? SYNC_SIDE_SALESFORCE
                    : d.action == SYNC_FIELD_TO_SF ? SYNC_SIDE_HUBSPOT
                                                   : SYNC_SIDE_NONE);
    if (d.conflict)
        trace(c,
              "field %s: conflict: HubSpot %s, Salesforce %s, both changed since the last "
              "agreement",
              m->hs.name, show(st.hs, a, sizeof(a)), show(st.sf, b, sizeof(b)));
    if (d.action == SYNC_FIELD_KEEP) {
        if (d.agree && pr->creating == SYNC_SIDE_NONE &&
            (!le || !sync_value_eq(le->value, st.hs))) {
            ledger_put(c, pr->link_id, m->hs.name, st.hs, SYNC_SIDE_NONE, SYNC_SIDE_NONE);
            trace(c, "field %s: %s (%s): recorded as agreed", m->hs.name, d.why,
                  show(st.hs, a, sizeof(a)));
        } else if (d.agree) {
            pr->nsame++;
        } else {
            trace(c, "field %s: rule %s: %s", m->hs.name, sync_plan_rule_label(rule), d.why);
        }
        goto out;
    }
    if (m->flags & SYNC_MAP_OWNER) {
        owner_decided(c, pr, m, f, &st, &d, sf_why);
        goto out;
    }
    if (d.action == SYNC_FIELD_TO_SF) {
        if (sync_value_blank(d.value) && sf_required(pr->sf_object, f->name) &&
            pr->creating == SYNC_SIDE_NONE) {
            record_error(c, pr->link_id, SYNC_PLAN_ERR_REQUIRED_FIELD, 0,
                         "required field missing: %s (Salesforce cannot clear it)", f->name);
        } else if (write_sf(c, pr, m, f, d.value) == 0) {
            if (pr->creating == SYNC_SIDE_NONE)
                trace(c, "field %s: rule %s: %s; Salesforce %s set to %s", m->hs.name,
                      sync_plan_rule_label(rule), d.why, f->name, show(d.value, a, sizeof(a)));
            ledger_put(c, pr->link_id, m->hs.name, d.value, SYNC_SIDE_SALESFORCE,
                       SYNC_SIDE_HUBSPOT);
        }
    } else if (c->kind == SYNC_KIND_CONTACT && strcmp(m->hs.name, "lifecyclestage") == 0 &&
               lifecycle_rank(d.value) >= 0 && lifecycle_rank(st.hs) > lifecycle_rank(d.value)) {
        /* as in HubSpot, where an integration cannot move a stage back */
        trace(c,
              "field lifecyclestage: rule %s: %s, but HubSpot's %s is later than %s: a lifecycle "
              "stage never moves backwards",
              sync_plan_rule_label(rule), d.why, show(st.hs, a, sizeof(a)),
              show(d.value, b, sizeof(b)));
    } else if (write_hs(c, pr, m, d.value) == 0) {
        if (pr->creating == SYNC_SIDE_NONE)
            trace(c, "field %s: rule %s: %s; HubSpot set to %s", m->hs.name,
                  sync_plan_rule_label(rule), d.why, show(d.value, a, sizeof(a)));
        ledger_put(c, pr->link_id, m->hs.name, d.value, SYNC_SIDE_HUBSPOT, SYNC_SIDE_SALESFORCE);
    }
out:
    sync_buf_release(&hb);
    sync_buf_release(&sb);
}

/* The company association of a contact (with a Salesforce Contact) or a deal, as a two-way
 * field whose canonical value is the Salesforce account id. deal: an unpaired company is a
 * "waiting for account" error. */
static void sync_company_assoc(struct ctx *c, struct pair *pr, int deal)
{
    const struct sync_plan_assoc *hc = pr->hs ? &pr->hs->company : NULL;
    const struct sync_plan_assoc *sc = pr->sf ? &pr->sf->company : NULL;
    const struct sync_plan_ledger *le = NULL;
    struct sync_field_state st;
    struct sync_field_decision d;
    char hs_acc[19] = "", sf_acc[19] = "";
    const char *hs_kind = sync_kind_name(c->kind);

    if ((pr->hs && !pr->hs->has_assoc) || (pr->sf && !pr->sf->has_assoc))
        return;
    if (hc && hc->id && hc->id[0] && (!hc->other_id || !hc->other_id[0]) && tickets_one_way(c)) {
        /* one way: the ticket's own company does not count, the case's account replaces it */
        copy(hs_acc, sizeof(hs_acc), "-");
    } else if (hc && hc->id && hc->id[0]) {
        if (!hc->other_id || !hc->other_id[0]) {
            if (deal)
                record_error(c, pr->link_id, SYNC_PLAN_ERR_ASSOCIATIONS, SYNC_PLAN_F_RETRY,
                             "waiting for account to sync: company %s has no Salesforce account "
                             "yet",
                             hc->id);
            else
                trace(c, "%s: company %s has no Salesforce account yet; the association waits",
                      c->label, hc->id);
            return;
        }
        if (sync_value_sf_id18(hc->other_id, hs_acc))
            copy(hs_acc, sizeof(hs_acc), hc->other_id);
    }
    if (sc && sc->id && sc->id[0] && sync_value_sf_id18(sc->id, sf_acc))
        copy(sf_acc, sizeof(sf_acc), sc->id);
    if (deal)
        c->checked[SYNC_PLAN_ERR_ASSOCIATIONS] = 1;
    le = pr->creating == SYNC_SIDE_NONE ? ledger_find(c, ASSOC_COMPANY) : NULL;
    memset(&st, 0, sizeof(st));
    st.hs = hs_acc;
    st.sf = sf_acc;
    st.hs_at = pr->hs ? pr->hs->version : 0;
    st.sf_at = pr->sf ? pr->sf->version : 0;
    st.has_agreed = le != NULL;
    st.agreed = le ? le->value : NULL;
    st.first_sync_winner = SYNC_SIDE_SALESFORCE;
    sync_rule_decide(tickets_one_way(c) ? SYNC_RULE_ALWAYS_SF : SYNC_RULE_TWO_WAY, &st, &d);
    if (d.action == SYNC_FIELD_KEEP) {
        if (d.agree && pr->creating == SYNC_SIDE_NONE && (!le || !sync_value_eq(le->value, hs_acc)))
            ledger_put(c, pr->link_id, ASSOC_COMPANY, hs_acc, SYNC_SIDE_NONE, SYNC_SIDE_NONE);
        return;
    }
    if (d.action == SYNC_FIELD_TO_SF) {
        if (json_object_set_new(pr->to_sf, "AccountId",
                                d.value ? json_string(d.value) : json_null()))
            c->rc = SYNC_ERR_NOMEM;
        trace(c, "%s: company association: %s; Salesforce AccountId set to %s", c->label, d.why,
              d.value ? d.value : "blank");
        ledger_put(c, pr->link_id, ASSOC_COMPANY, d.value, SYNC_SIDE_SALESFORCE, SYNC_SIDE_HUBSPOT);
        return;
    }
    /* to HubSpot: the company paired with the Salesforce account */
    if (d.value && (!sc->other_id || !sc->other_id[0])) {
        if (deal)
            record_error(c, pr->link_id, SYNC_PLAN_ERR_ASSOCIATIONS, SYNC_PLAN_F_RETRY,
                         "waiting for account to sync: Salesforce account %s has no HubSpot "
                         "company yet",
                         sc->id);
        else
            trace(c,
                  "%s: Salesforce account %s has no HubSpot company yet; the association "
                  "waits",
                  c->label, sc->id);
        return;
    }
    {
        struct sync_plan_op *op =
            op_add(c, SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_HUBSPOT, sync_kind_hs_object(c->kind),
                   pr->hs ? pr->hs->id : "", pr->link_id);
        if (!op)
            return;
        copy(op->to_object, sizeof(op->to_object), "companies");
        copy(op->to_id, sizeof(op->to_id), d.value ? sc->other_id : "");
        if (hc && hc->id && (!d.value || strcmp(hc->id, sc->other_id)))
            copy(op->remove_id, sizeof(op->remove_id), hc->id);
        trace(c, "%s: company association: %s; HubSpot %s %s associated with company %s", c->label,
              d.why, hs_kind, pr->hs ? pr->hs->id : "(new)", d.value ? sc->other_id : "(none)");
        ledger_put(c, pr->link_id, ASSOC_COMPANY, d.value, SYNC_SIDE_HUBSPOT, SYNC_SIDE_SALESFORCE);
    }
}

#define ASSOC_CONTACT "assoc:contact" /* a ticket's contact: the HubSpot contact id agreed */

/* One association of the pair's HubSpot record to a record of to_object, one way from
 * Salesforce. sc: the Salesforce side's associated record (NULL or no id: none), paired with
 * HubSpot id sc->other_id; the ledger key holds what an earlier sync put there, which leaves when
 * it changes. hs/nhs: the HubSpot record's current associations of that type, when read
 * (known); otherwise the ledger alone says what is there. A record not synced yet is, with wait,
 * a "waiting for <noun> to sync" error (retried); without, it is traced and left. */
static void assoc_one(struct ctx *c, struct pair *pr, const struct sync_plan_assoc *sc,
                      const char *key, const char *to_object, const struct sync_plan_assoc *hs,
                      size_t nhs, int known, const char *noun, int wait)
{
    const struct sync_plan_ledger *le = pr->creating == SYNC_SIDE_NONE ? ledger_find(c, key) : NULL;
    const char *want = sc && sc->id && sc->id[0] ? sc->other_id : NULL;
    const char *was = le && le->value && le->value[0] ? le->value : NULL;
    const char *what = sync_kind_name(c->kind);
    struct sync_plan_op *op;
    int has = 0;

    if (sc && sc->id && sc->id[0] && (!want || !want[0])) {
        if (wait)
            record_error(c, pr->link_id, SYNC_PLAN_ERR_ASSOCIATIONS, SYNC_PLAN_F_RETRY,
                         "waiting for %s to sync: Salesforce %s %s has no HubSpot %s yet", noun,
                         noun, sc->id, noun);
        else
            trace(c, "%s: Salesforce %s %s does not sync with HubSpot: no association", c->label,
                  noun, sc->id);
        return;
    }
    if (known)
        for (size_t i = 0; want && i < nhs; i++)
            has |= hs[i].id && strcmp(hs[i].id, want) == 0;
    else
        has = want && was && strcmp(was, want) == 0;
    if (!want && (!was || !pr->hs))
        return;
    if (want && has && (!known || !was || strcmp(was, want) == 0)) {
        if (!was || strcmp(was, want))
            ledger_put(c, pr->link_id, key, want, SYNC_SIDE_NONE, SYNC_SIDE_NONE);
        return;
    }
    /* (known, has, and an earlier one differs: the earlier one leaves, nothing is added) */
    if (!(op = op_add(c, SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_HUBSPOT, sync_kind_hs_object(c->kind),
                      pr->hs ? pr->hs->id : "", pr->link_id)))
        return;
    copy(op->to_object, sizeof(op->to_object), to_object);
    if (want && !has)
        copy(op->to_id, sizeof(op->to_id), want);
    if (was && (!want || strcmp(was, want)))
        copy(op->remove_id, sizeof(op->remove_id), was);
    if (want)
        trace(c, "%s: %s association: Salesforce %s %s is HubSpot %s %s, associated with the %s",
              c->label, noun, noun, sc->id, noun, want, what);
    else
        trace(c, "%s: %s association: none now; HubSpot %s %s leaves the %s", c->label, noun, noun,
              was, what);
    ledger_put(c, pr->link_id, key, want, SYNC_SIDE_HUBSPOT, SYNC_SIDE_SALESFORCE);
}

/* A case's contact (ContactId) as its ticket's contact: a contact not synced yet waits. */
static void sync_ticket_contact(struct ctx *c, struct pair *pr)
{
    if (!pr->sf || !pr->sf->has_assoc || (pr->hs && !pr->hs->has_assoc))
        return;
    assoc_one(c, pr, pr->sf->ncontacts ? &pr->sf->contacts[0] : NULL, ASSOC_CONTACT, "contacts",
              pr->hs ? pr->hs->contacts : NULL, pr->hs ? pr->hs->ncontacts : 0, 1, "contact", 1);
}

/* A Salesforce activity's Related To (seed 003): its Name (WhoId, a lead or contact) as the
 * HubSpot activity's contact (waiting while it has not synced), and what it is related to
 * (WhatId: an account, opportunity or case) as its company, deal or ticket when that syncs. */
static void sync_activity_assocs(struct ctx *c, struct pair *pr)
{
    static const struct {
        const char *key, *object, *noun;
    } what[] = {{ASSOC_COMPANY, "companies", "account"},
                {"assoc:deal", "deals", "opportunity"},
                {"assoc:ticket", "tickets", "case"}};
    const struct sync_plan_assoc *w = pr->sf ? &pr->sf->company : NULL;

    if (!pr->sf || !pr->sf->has_assoc)
        return;
    assoc_one(c, pr, pr->sf->ncontacts ? &pr->sf->contacts[0] : NULL, ASSOC_CONTACT, "contacts",
              NULL, 0, 0, "contact", 1);
    if (w && w->id && w->id[0] && !w->other_object)
        trace(c, "%s: related record %s does not sync with HubSpot: no association", c->label,
              w->id);
    for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
        int mine = w && w->id && w->other_object && strcmp(w->other_object, what[i].object) == 0;
        assoc_one(c, pr, mine ? w : NULL, what[i].key, what[i].object, NULL, 0, 0, what[i].noun, 0);
    }
    c->checked[SYNC_PLAN_ERR_ASSOCIATIONS] |= !c->failed[SYNC_PLAN_ERR_ASSOCIATIONS];
}

/* A ticket's associations, each under its switch: the case's account as the ticket's company,
 * the case's contact as its contact. */
static void sync_ticket_assocs(struct ctx *c, struct pair *pr)
{
    if (setting(c, SYNC_SETTING_TICKET_ACCOUNT_ASSOCIATION))
        sync_company_assoc(c, pr, 1);
    else
        trace(c, "%s: ticket_account_association is off: the case's account is not associated",
              c->label);
    if (setting(c, SYNC_SETTING_TICKET_CONTACT_ASSOCIATION))
        sync_ticket_contact(c, pr);
    else
        trace(c, "%s: ticket_contact_association is off: the case's contact is not associated",
              c->label);
    if (pr->sf && pr->sf->has_assoc && (!pr->hs || pr->hs->has_assoc))
        c->checked[SYNC_PLAN_ERR_ASSOCIATIONS] |= !c->failed[SYNC_PLAN_ERR_ASSOCIATIONS];
}

/* Runs every mapping of the kind over a pair, and emits the writes. Returns 1 when a create
 * was planned or writes were emitted; 0 otherwise; -1 when a create was abandoned. */
static int sync_fields(struct ctx *c, struct pair *pr)
{
    const struct sync_mapping *maps[SYNC_MAPPING_MAX];
    size_t n = sync_mapping_set_list(c->in->mappings, c->kind, maps, SYNC_MAPPING_MAX);
    size_t start = c->out->nops, hs_at = (size_t)-1, sf_at = (size_t)-1;
    struct sync_plan_op *op;
    const char *hs_obj = sync_kind_hs_object(c->kind);
    int wrote = 0;

    if (n > SYNC_MAPPING_MAX)
        n = SYNC_MAPPING_MAX;
    /* the write ops first, filled in below; empty ones are removed at the end */
    if (pr->creating != SYNC_SIDE_SALESFORCE) {
        hs_at = c->out->nops;
        op =
            op_add(c, pr->creating == SYNC_SIDE_HUBSPOT ? SYNC_PLAN_OP_CREATE : SYNC_PLAN_OP_UPDATE,
                   SYNC_SIDE_HUBSPOT, hs_obj, pr->hs ? pr->hs->id : "", pr->link_id);
        if (!op || !(op->fields = json_object()))
            return c->rc = SYNC_ERR_NOMEM, 0;
        pr->to_hs = op->fields;
    }
    if (pr->creating != SYNC_SIDE_HUBSPOT) {
        sf_at = c->out->nops;
        op = op_add(
            c, pr->creating == SYNC_SIDE_SALESFORCE ? SYNC_PLAN_OP_CREATE : SYNC_PLAN_OP_UPDATE,
            SYNC_SIDE_SALESFORCE, pr->sf_object, pr->sf ? pr->sf->id : "", pr->link_id);
        if (!op || !(op->fields = json_object()))
            return c->rc = SYNC_ERR_NOMEM, 0;
        pr->to_sf = op->fields;
    }
    if (pr->creating == SYNC_SIDE_NONE)
        trace(c, "%s: syncing fields with HubSpot %s %s and Salesforce %s %s (%s)", c->label,
              sync_kind_name(c->kind), pr->hs->id, pr->sf_object, pr->sf->id,
              c->in->nledger && !c->repointed ? "against the ledger's last agreement"
                                              : "first sync: no ledger yet");
    for (size_t i = 0; i < n && !c->rc; i++)
        sync_field(c, pr, maps[i]);
    if (c->kind == SYNC_KIND_DEAL || strcasecmp(pr->sf_object, "Contact") == 0)
        sync_company_assoc(c, pr, c->kind == SYNC_KIND_DEAL);
    if (c->kind == SYNC_KIND_TICKET)
        sync_ticket_assocs(c, pr);
    if (c->kind >= SYNC_KIND_TASK)
        sync_activity_assocs(c, pr);
    if (c->rc)
        return 0;

    if (pr->creating == SYNC_SIDE_SALESFORCE) {
        /* a record Salesforce would refuse is not created */
        static const char *const fields[] = {"LastName", "Company", "Name", "StageName",
                                             "CloseDate"};
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
            const json_t *v = json_object_get(pr->to_sf, fields[i]);
            if (!sf_required(pr->sf_object, fields[i]) || (v && !json_is_null(v)))
                continue;
            ops_truncate(c, start);
            record_error(c, pr->link_id, SYNC_PLAN_ERR_REQUIRED_FIELD, 0,
                         "required field missing: %s (a Salesforce %s needs it)", fields[i],
                         pr->sf_object);
            return -1;
        }
        c->checked[SYNC_PLAN_ERR_REQUIRED_FIELD] = 1;
        if (!json_object_get(pr->to_sf, "OwnerId") && strcasecmp(pr->sf_object, "Lead") == 0) {
            c->out->ops[sf_at].flags |= SYNC_PLAN_F_ASSIGN_RULES;
            trace(c, "%s: new lead with no mapped owner: Salesforce assignment rules choose it",
                  c->label);
        } else if (!json_object_get(pr->to_sf, "OwnerId")) {
            trace(c, "%s: the new Salesforce %s gets no OwnerId: the integration user owns it",
                  c->label, pr->sf_object);
        }
    } else if (pr->creating == SYNC_SIDE_NONE) {
        c->checked[SYNC_PLAN_ERR_REQUIRED_FIELD] |= !c->failed[SYNC_PLAN_ERR_REQUIRED_FIELD];
    }
    /* drop empty updates (a create always goes out: it makes the record) */
    if (sf_at != (size_t)-1 && pr->creating != SYNC_SIDE_SALESFORCE &&
        json_object_size(c->out->ops[sf_at].fields) == 0) {
        op_remove(c, sf_at);
        if (hs_at != (size_t)-1 && hs_at > sf_at)
            hs_at--;
        sf_at = (size_t)-1;
    }
    if (hs_at != (size_t)-1 && pr->creating != SYNC_SIDE_HUBSPOT &&
        json_object_size(c->out->ops[hs_at].fields) == 0) {
        op_remove(c, hs_at);
        if (sf_at != (size_t)-1 && sf_at > hs_at)
            sf_at--;
        hs_at = (size_t)-1;
    }
    wrote = hs_at != (size_t)-1 || sf_at != (size_t)-1;
    if (pr->creating == SYNC_SIDE_NONE) {
        size_t nhs = hs_at != (size_t)-1 ? json_object_size(c->out->ops[hs_at].fields) : 0;
        size_t nsf = sf_at != (size_t)-1 ? json_object_size(c->out->ops[sf_at].fields) : 0;
        trace(c,
              "%s: %zu field%s to write to HubSpot, %zu to Salesforce; %zu unchanged or "
              "already equal",
              c->label, nhs, nhs == 1 ? "" : "s", nsf, pr->nsame);
    } else {
        const struct sync_plan_op *w =
            &c->out->ops[pr->creating == SYNC_SIDE_HUBSPOT ? hs_at : sf_at];
        trace(c, "%s: creates %s %s with %zu field%s (an upsert on link id %s)", c->label,
              vendor(pr->creating), w->object, json_object_size(w->fields),
              json_object_size(w->fields) == 1 ? "" : "s", pr->link_id);
    }
    return wrote;
}

/* ---- shared steps ---- */

static void need_record(struct ctx *c, enum sync_side side, const char *object, const char *id)
{
    struct sync_plan *p = c->out;
    char other[160];

    p->status = SYNC_PLAN_NEED_RECORD;
    p->need.system = side;
    copy(p->need.object, sizeof(p->need.object), object);
    copy(p->need.id, sizeof(p->need.id), id);
    make_label(other, sizeof(other), c->kind, side, object, id);
    trace(c, "%s: needs the current values of %s; fetch it and plan again", c->label, other);
    set_action(c, "need_record");
}

/* The current record for a candidate or link end, from the candidate or in->other. */
static const struct sync_plan_record *
record_for(const struct ctx *c, const struct sync_plan_record *given, const char *id)
{
    const struct sync_plan_record *o = c->in->other;

    if (given)
        return given;
    if (o && o->id && id &&
        (o->system == SYNC_SIDE_SALESFORCE ? sync_match_same_sf_id(o->id, id)
                                           : strcmp(o->id, id) == 0))
        return o;
    return NULL;
}

/* A link row for the kind. */
static void link_fill(struct sync_plan_link *l, const char *link_id, enum sync_kind kind,
                      const char *hs_id, const char *sf_object, const char *sf_id,
                      enum sync_plan_link_state state)
{
    memset(l, 0, sizeof(*l));
    copy(l->link_id, sizeof(l->link_id), link_id);
    copy(l->kind, sizeof(l->kind), sync_kind_name(kind));
    copy(l->hs_id, sizeof(l->hs_id), hs_id);
    copy(l->sf_object, sizeof(l->sf_object), sf_object);
    copy(l->sf_id, sizeof(l->sf_id), sf_id);
    l->state = state;
}

/* Syncs a linked pair: the change and its counterpart. */
static void sync_pair(struct ctx *c, const struct sync_plan_record *hs,
                      const struct sync_plan_record *sf, const struct sync_plan_link *l)
{
    struct pair pr;
    int wrote;

    memset(&pr, 0, sizeof(pr));
    pr.hs = hs;
    pr.sf = sf;
    pr.sf_object = sf->object;
    pr.link_id = l->link_id;
    wrote = sync_fields(c, &pr);
    if (!c->out->action[0])
        set_action(c, wrote ? "write" : "skip_echo");
}

/* Plans the create of the change's counterpart on side target as object. */
static int plan_create(struct ctx *c, const char *link_id, enum sync_side target,
                       const char *object)
{
    const struct sync_plan_record *rec = c->in->change;
    struct sync_plan_link l;
    struct pair pr;
    size_t start = c->out->nops;
    int rc;

    link_fill(&l, link_id, c->kind, target == SYNC_SIDE_HUBSPOT ? "" : rec->id,
              target == SYNC_SIDE_HUBSPOT ? rec->object : object,
              target == SYNC_SIDE_HUBSPOT ? rec->id : "", SYNC_PLAN_LINK_PENDING_CREATE);
    if (!c->in->link)
        link_op(c, SYNC_PLAN_OP_BIND_LINK, &l);
    memset(&pr, 0, sizeof(pr));
    pr.hs = target == SYNC_SIDE_HUBSPOT ? NULL : rec;
    pr.sf = target == SYNC_SIDE_HUBSPOT ? rec : NULL;
    pr.sf_object = target == SYNC_SIDE_HUBSPOT ? rec->object : object;
    pr.link_id = link_id;
    pr.creating = target;
    rc = sync_fields(c, &pr);
    if (rc < 0) {
        /* the bind goes too: nothing is created, the record stays unlinked */
        if (!c->in->link) {
            size_t keep = c->out->nops;
            for (size_t i = start; i < keep; i++)
                if (c->out->ops[i].kind == SYNC_PLAN_OP_BIND_LINK) {
                    op_remove(c, i);
                    break;
                }
        }
        set_action(c, "error");
        return -1;
    }
    set_action(c, target == SYNC_SIDE_HUBSPOT ? "create_hs" : "create_sf");
    return 0;
}

/* Re-points link l at a new id on side, keeping its ledger. */
static void repoint(struct ctx *c, const struct sync_plan_link *l, enum sync_side side,
                    const char *object, const char *id, const char *why)
{
    struct sync_plan_link n = *l;

    if (side == SYNC_SIDE_HUBSPOT) {
        copy(n.hs_id, sizeof(n.hs_id), id);
    } else {
        copy(n.sf_object, sizeof(n.sf_object), object);
        copy(n.sf_id, sizeof(n.sf_id), id);
    }
    n.state = SYNC_PLAN_LINK_LINKED;
    link_op(c, SYNC_PLAN_OP_REPOINT_LINK, &n);
    /* the new record has agreed on nothing yet: the next field sync is a first sync, so a blank
     * on it never clears the other side (rules.h invariant 6) */
    c->repointed = 1;
    trace(c,
          "%s: %s: link %s re-pointed from %s %s to %s %s (kept, never deleted and "
          "re-created; its ledger starts afresh with the new record)",
          c->label, why, l->link_id,
          side == SYNC_SIDE_HUBSPOT ? sync_kind_name(c->kind) : l->sf_object,
          side == SYNC_SIDE_HUBSPOT ? l->hs_id : l->sf_id,
          side == SYNC_SIDE_HUBSPOT ? sync_kind_name(c->kind) : object, id);
    if (!c->out->action[0])
        set_action(c, "repoint");
}

/* The delete setting for a Salesforce object's deletes. */
static int delete_propagates(const struct ctx *c, const struct sync_plan_record *rec)
{
    if (!is_sf(rec))
        return 0; /* HubSpot deletes never delete in Salesforce */
    if (is_object(rec, "Lead"))
        return setting(c, SYNC_SETTING_DELETE_CONTACT_ON_LEAD_DELETE) != 0;
    if (is_object(rec, "Contact"))
        return setting(c, SYNC_SETTING_DELETE_CONTACT_ON_CONTACT_DELETE) != 0;
    if (is_object(rec, "Account"))
        return setting(c, SYNC_SETTING_DELETE_COMPANY_ON_ACCOUNT_DELETE) != 0;
    if (is_object(rec, "Opportunity"))
        return setting(c, SYNC_SETTING_DELETE_DEAL_ON_OPPORTUNITY_DELETE) != 0;
    if (is_object(rec, "Case"))
        return setting(c, SYNC_SETTING_TICKET_DELETE_RULE) == SYNC_TICKET_DELETE_TICKET;
    return 0;
}

/* The delete setting in words: "delete_deal_on_opportunity_delete is on", "ticket_delete_rule
 * is nothing". */
static const char *delete_setting_words(const struct ctx *c, const struct sync_plan_record *rec,
                                        char *out, size_t n)
{
    enum sync_setting id =
        is_object(rec, "Lead")      ? SYNC_SETTING_DELETE_CONTACT_ON_LEAD_DELETE
        : is_object(rec, "Contact") ? SYNC_SETTING_DELETE_CONTACT_ON_CONTACT_DELETE
        : is_object(rec, "Account") ? SYNC_SETTING_DELETE_COMPANY_ON_ACCOUNT_DELETE
        : is_object(rec, "Case")    ? SYNC_SETTING_TICKET_DELETE_RULE
                                    : SYNC_SETTING_DELETE_DEAL_ON_OPPORTUNITY_DELETE;
    const struct sync_setting_def *d = sync_setting_def(id);
    if (d->type == SYNC_SETTING_ENUM)
        snprintf(out, n, "%s is %s", d->name, d->choices[setting(c, id)]);
    else
        snprintf(out, n, "%s is %s", d->name, setting(c, id) ? "on" : "off");
    return out;
}

/* A deleted record with a link: propagate (delete setting on) or detach. */
static void plan_delete(struct ctx *c, const struct sync_plan_link *l, const char *how)
{
    const struct sync_plan_record *rec = c->in->change;
    struct sync_plan_link n = *l;
    char words[96];

    if (l->state == SYNC_PLAN_LINK_DELETED || l->state == SYNC_PLAN_LINK_DETACHED) {
        /* the other side went first (a propagated delete's own echo, or a record whose
         * counterpart was already deleted): the link stays as it is */
        trace(c, "%s: %s in %s; link %s is already %s, so nothing more happens", c->label, how,
              vendor(rec->system), l->link_id,
              l->state == SYNC_PLAN_LINK_DELETED ? "deleted" : "detached");
        set_action(c, "skip");
        return;
    }
    if (!is_sf(rec)) {
        n.state = SYNC_PLAN_LINK_DETACHED;
        link_op(c, SYNC_PLAN_OP_LINK_STATE, &n);
        trace(c,
              "%s: %s in HubSpot; HubSpot deletes are not propagated, so Salesforce %s %s "
              "stays and the link is detached",
              c->label, how, l->sf_object, l->sf_id);
        set_action(c, "detach");
        return;
    }
    if (delete_propagates(c, rec) && l->hs_id[0]) {
        n.state = SYNC_PLAN_LINK_DELETED;
        link_op(c, SYNC_PLAN_OP_LINK_STATE, &n);
        op_add(c, SYNC_PLAN_OP_DELETE, SYNC_SIDE_HUBSPOT, sync_kind_hs_object(c->kind), l->hs_id,
               l->link_id);
        trace(c, "%s: %s in Salesforce; %s, so HubSpot %s %s is deleted too", c->label, how,
              delete_setting_words(c, rec, words, sizeof(words)), sync_kind_name(c->kind),
              l->hs_id);
        set_action(c, "delete_hs");
        return;
    }
    n.state = SYNC_PLAN_LINK_DETACHED;
    link_op(c, SYNC_PLAN_OP_LINK_STATE, &n);
    trace(c, "%s: %s in Salesforce; %s, so HubSpot %s %s stays and the link is detached", c->label,
          how, delete_setting_words(c, rec, words, sizeof(words)), sync_kind_name(c->kind),
          l->hs_id);
    set_action(c, "detach");
}

/* A merge loser: re-point its link at the survivor, or (the survivor already syncs with
 * another record) handle it as a delete. */
static void plan_merge(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change;
    const struct sync_plan_link *l = c->in->link, *t = c->in->target_link;
    char why[160];

    if (!l) {
        trace(c, "%s: merged into %s; it had no link, so there is nothing to re-point", c->label,
              rec->merged_into);
        set_action(c, "skip");
        return;
    }
    if (t && strcmp(t->link_id, l->link_id)) {
        trace(c, "%s: merged into %s, which already syncs through link %s", c->label,
              rec->merged_into, t->link_id);
        plan_delete(c, l, "merged away");
        return;
    }
    snprintf(why, sizeof(why), "merged into %s", rec->merged_into);
    repoint(c, l, rec->system, rec->object, rec->merged_into, why);
}

/* The link's state lets the change sync? Traces why not. */
static int link_usable(struct ctx *c, const struct sync_plan_link *l)
{
    switch (l->state) {
    case SYNC_PLAN_LINK_LINKED:
        return 1;
    case SYNC_PLAN_LINK_DETACHED:
        trace(c,
              "%s: link %s is detached (the other record was deleted); changes do not sync "
              "until the record is resynced",
              c->label, l->link_id);
        break;
    case SYNC_PLAN_LINK_DELETED:
        trace(c, "%s: link %s is deleted; nothing to sync", c->label, l->link_id);
        break;
    default:
        return 1;
    }
    set_action(c, "skip");
    return 0;
}

/* A change on a linked record. Fetches the counterpart through NEED_RECORD when missing. */
static void plan_linked(struct ctx *c, const struct sync_plan_link *l)
{
    const struct sync_plan_record *rec = c->in->change, *other;
    enum sync_side side = opposite(rec->system);
    const char *oid = side == SYNC_SIDE_HUBSPOT ? l->hs_id : l->sf_id;
    const char *oobj = side == SYNC_SIDE_HUBSPOT ? sync_kind_hs_object(c->kind) : l->sf_object;

    if (!oid[0]) {
        /* the create has not been confirmed: plan it again, the upsert makes it once */
        trace(c,
              "%s: link %s is %s; the create is planned again (an upsert on the link id, so "
              "it happens once)",
              c->label, l->link_id,
              l->state == SYNC_PLAN_LINK_FAILED ? "FAILED" : "PENDING_CREATE");
        plan_create(c, l->link_id, side, oobj);
        return;
    }
    if (!(other = record_for(c, NULL, oid))) {
        need_record(c, side, oobj, oid);
        return;
    }
    if (other->deleted) {
        trace(c, "%s: its %s counterpart %s is gone; the delete will be handled when captured",
              c->label, vendor(side), oid);
        set_action(c, "skip");
        return;
    }
    if (is_sf(other) && is_object(other, "Lead") && other->converted &&
        other->converted_contact_id && other->converted_contact_id[0]) {
        /* the conversion has not been planned yet: follow it now, sync with the contact next */
        const struct sync_plan_link *t = c->in->target_link;
        if (t && strcmp(t->link_id, l->link_id)) {
            trace(c,
                  "%s: Salesforce Lead %s was converted to Contact %s, which syncs through link "
                  "%s; this change waits for the conversion to be planned",
                  c->label, oid, other->converted_contact_id, t->link_id);
            set_action(c, "skip");
            return;
        }
        repoint(c, l, SYNC_SIDE_SALESFORCE, "Contact", other->converted_contact_id,
                "its Salesforce lead was converted");
        trace(c, "%s: fields sync with Contact %s on the next change", c->label,
              other->converted_contact_id);
        return;
    }
    if (l->state != SYNC_PLAN_LINK_LINKED) {
        /* the create went through (the record exists) but its result was not recorded yet */
        struct sync_plan_link n = *l;
        n.state = SYNC_PLAN_LINK_LINKED;
        link_op(c, SYNC_PLAN_OP_REPOINT_LINK, &n);
        trace(c, "%s: both records of link %s exist: the link is LINKED", c->label, l->link_id);
    }
    if (rec->system == SYNC_SIDE_HUBSPOT)
        sync_pair(c, rec, other, l);
    else
        sync_pair(c, other, rec, l);
}

static void plan_bind(struct ctx *c, const struct sync_plan_record *other)
{
    const struct sync_plan_record *rec = c->in->change;
    const struct sync_plan_record *hs = rec->system == SYNC_SIDE_HUBSPOT ? rec : other;
    const struct sync_plan_record *sf = rec->system == SYNC_SIDE_HUBSPOT ? other : rec;
    struct sync_plan_link l;

    link_fill(&l, c->in->new_link_id, c->kind, hs->id, sf->object, sf->id, SYNC_PLAN_LINK_LINKED);
    link_op(c, SYNC_PLAN_OP_BIND_LINK, &l);
    set_action(c, "bind");
    sync_pair(c, hs, sf, &l);
}

static int check_link_id(struct ctx *c)
{
    const char *id = c->in->new_link_id;

    if (!id || strlen(id) != SYNC_PLAN_LINK_ID_LEN || id[0] != 'L') {
        trace(c, "%s: no valid fresh link id was given", c->label);
        return -1;
    }
    return 0;
}

/* A merged-away or deleted record (every kind that merges or deletes alike): 1 when planned. */
static int plan_gone(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change;

    if (rec->merged_into && rec->merged_into[0]) {
        plan_merge(c);
        return 1;
    }
    if (!rec->deleted)
        return 0;
    if (c->in->link)
        plan_delete(c, c->in->link, "deleted");
    else {
        trace(c, "%s: deleted; it had no link", c->label);
        set_action(c, "skip");
    }
    return 1;
}

/* ---- contacts ---- */

static int inclusion_on(const struct ctx *c)
{
    const char *list = setting_str(c, SYNC_SETTING_INCLUSION_LIST);
    return list && list[0];
}

/* The record's email, normalised; 0 (and an error op) when it has none. */
static int contact_email(struct ctx *c, const struct sync_plan_record *rec, char *out, size_t n)
{
    const char *raw = is_sf(rec) ? sf_text(rec, "Email") : hs_prop(rec, "email");

    c->checked[SYNC_PLAN_ERR_NO_EMAIL] = 1;
    if (sync_match_email_norm(raw, out, n))
        return 1;
    record_error(c, c->in->link ? c->in->link->link_id : NULL, SYNC_PLAN_ERR_NO_EMAIL, 0,
                 "no email address: a contact without email never syncs");
    set_action(c, "error");
    return 0;
}

/* Lead conversion: the link follows ConvertedContactId. */
static void plan_conversion(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change;
    const struct sync_plan_link *l = c->in->link, *t = c->in->target_link;

    if (!rec->converted_contact_id || !rec->converted_contact_id[0]) {
        trace(c, "%s: converted, but Salesforce names no contact; nothing to do", c->label);
        set_action(c, "skip");
        return;
    }
    if (!l || l->state != SYNC_PLAN_LINK_LINKED) {
        trace(c,
              "%s: converted to Contact %s; the lead has no live link, so the contact syncs on "
              "its own",
              c->label, rec->converted_contact_id);
        set_action(c, "skip");
        return;
    }
    if (t && strcmp(t->link_id, l->link_id)) {
        struct sync_plan_link n = *l;
        n.state = SYNC_PLAN_LINK_DETACHED;
        link_op(c, SYNC_PLAN_OP_LINK_STATE, &n);
        trace(c,
              "%s: converted to Contact %s, which already syncs with HubSpot contact %s "
              "(link %s); this lead's link is detached and HubSpot contact %s is kept",
              c->label, rec->converted_contact_id, t->hs_id, t->link_id, l->hs_id);
        set_action(c, "detach");
        return;
    }
    repoint(c, l, SYNC_SIDE_SALESFORCE, "Contact", rec->converted_contact_id, "lead converted");
    if (rec->converted_account_id && rec->converted_account_id[0])
        trace(c, "%s: the conversion used account %s; it syncs as a company on its own change",
              c->label, rec->converted_account_id);
    if (rec->converted_opportunity_id && rec->converted_opportunity_id[0])
        trace(c, "%s: the conversion made opportunity %s; it syncs as a deal on its own change",
              c->label, rec->converted_opportunity_id);
    trace(c, "%s: fields sync when Contact %s's own change is planned", c->label,
          rec->converted_contact_id);
}

/* The HubSpot change carries nothing the ledger does not already hold: the echo of our own
 * write (or no change of a mapped field). Not a trigger: it never moves the sync to another
 * duplicate. Without a ledger nothing is agreed yet, so every change counts. */
static int hs_change_is_echo(struct ctx *c, const struct sync_plan_link *l)
{
    const struct sync_mapping *maps[SYNC_MAPPING_MAX];
    size_t n = sync_mapping_set_list(c->in->mappings, c->kind, maps, SYNC_MAPPING_MAX);
    struct sync_buf b = SYNC_BUF_INIT(SYNC_VALUE_MAX);
    int echo = c->in->nledger > 0;

    if (n > SYNC_MAPPING_MAX)
        n = SYNC_MAPPING_MAX;
    for (size_t i = 0; echo && i < n; i++) {
        const struct sync_mapping *m = maps[i];
        const struct sync_plan_ledger *le;
        struct sync_err err = SYNC_ERR_INIT;
        char tmp[64];
        int present;
        const char *s;

        if ((m->flags & SYNC_MAP_INTERNAL) || !sync_mapping_sf_field(m, l->sf_object))
            continue;
        s = hs_text(raw_field(c->in->change, m->hs.name, &present), tmp, sizeof(tmp));
        if (!present)
            continue;
        sync_buf_reset(&b);
        if (m->flags & (SYNC_MAP_OWNER | SYNC_MAP_STAGE | SYNC_MAP_PIPELINE)) {
            if (s && sync_buf_addstr(&b, s))
                echo = 0;
        } else if (sync_mapping_from_hs(m, s, &b, &err) != SYNC_OK) {
            echo = 0;
        }
        le = ledger_find(c, m->hs.name);
        if (le ? !sync_value_eq(le->value, sync_buf_str(&b)) : !sync_value_blank(sync_buf_str(&b)))
            echo = 0;
    }
    sync_buf_release(&b);
    return echo;
}

/* A HubSpot contact with a link: maybe the most recently updated duplicate takes over. */
static int follow_latest_duplicate(struct ctx *c, const struct sync_plan_link *l, const char *email)
{
    const struct sync_match_candidate *cand = c->in->candidates;
    const struct sync_plan_record *now_rec, *next;
    int64_t current_at = 0;
    int i;

    if (!c->in->ncandidates || !l->sf_id[0])
        return 0;
    i = sync_match_latest(cand, c->in->ncandidates, email, l);
    if (i < 0 || sync_match_same_sf_id(cand[i].id, l->sf_id))
        return 0;
    now_rec = record_for(c, NULL, l->sf_id);
    if (now_rec)
        current_at = now_rec->version;
    for (size_t k = 0; !current_at && k < c->in->ncandidates; k++)
        if (sync_match_same_sf_id(cand[k].id, l->sf_id))
            current_at = cand[k].modified_at;
    if (cand[i].modified_at <= current_at)
        return 0;
    if (hs_change_is_echo(c, l)) {
        trace(c,
              "%s: Salesforce %s %s was updated more recently, but this change carries no new "
              "value (an echo of the sync's own write), so the sync stays with %s %s",
              c->label, cand[i].object, cand[i].id, l->sf_object, l->sf_id);
        return 0;
    }
    if (!(next = record_for(c, cand[i].record, cand[i].id))) {
        need_record(c, SYNC_SIDE_SALESFORCE, cand[i].object, cand[i].id);
        return 1;
    }
    trace(c,
          "%s: Salesforce %s %s is the most recently updated record with email %s; the sync "
          "follows it",
          c->label, cand[i].object, cand[i].id, email);
    repoint(c, l, SYNC_SIDE_SALESFORCE, cand[i].object, cand[i].id, "duplicate updated later");
    {
        struct sync_plan_link n = *l;
        copy(n.sf_object, sizeof(n.sf_object), cand[i].object);
        copy(n.sf_id, sizeof(n.sf_id), cand[i].id);
        sync_pair(c, c->in->change, next, &n);
    }
    return 1;
}

static void plan_contact_hs(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change;
    const struct sync_plan_link *l = c->in->link;
    char email[SYNC_MATCH_EMAIL_MAX];
    int i;

    if (!contact_email(c, rec, email, sizeof(email)))
        return;
    if (inclusion_on(c) && !c->in->hs_qualifies) {
        record_error(c, l ? l->link_id : NULL, SYNC_PLAN_ERR_INCLUSION, 0,
                     "not in the inclusion list \"%s\": it does not sync to Salesforce%s",
                     setting_str(c, SYNC_SETTING_INCLUSION_LIST),
                     l ? ", nor get updates from it, until it qualifies" : " until it joins it");
        set_action(c, "skip");
        return;
    }
    c->checked[SYNC_PLAN_ERR_INCLUSION] = 1;
    if (inclusion_on(c))
        trace(c, "%s: a member of the inclusion list \"%s\"", c->label,
              setting_str(c, SYNC_SETTING_INCLUSION_LIST));
    if (l) {
        if (!link_usable(c, l))
            return;
        if (l->state == SYNC_PLAN_LINK_LINKED && follow_latest_duplicate(c, l, email))
            return;
        plan_linked(c, l);
        return;
    }
    if (check_link_id(c))
        return;
    i = sync_match_first(c->in->candidates, c->in->ncandidates, email, c->label, &c->out->trace);
    if (i >= 0) {
        const struct sync_match_candidate *m = &c->in->candidates[i];
        const struct sync_plan_record *o = record_for(c, m->record, m->id);
        if (!o) {
            need_record(c, SYNC_SIDE_SALESFORCE, m->object, m->id);
            return;
        }
        plan_bind(c, o);
        return;
    }
    {
        int contact = setting(c, SYNC_SETTING_NEW_RECORD_TYPE) == SYNC_NEW_RECORD_CONTACT;
        trace(c, "%s: no Salesforce lead or contact has email %s; new record type is %s", c->label,
              email, contact ? "Contact" : "Lead");
        plan_create(c, c->in->new_link_id, SYNC_SIDE_SALESFORCE, contact ? "Contact" : "Lead");
    }
}

/* A Salesforce record whose email's HubSpot contact syncs with another duplicate: the most
 * recently updated duplicate takes the link over. */
static void plan_duplicate(struct ctx *c, const struct sync_match_candidate *m, const char *email)
{
    const struct sync_plan_record *rec = c->in->change, *o;
    struct sync_plan_link n;

    if (m->link->state != SYNC_PLAN_LINK_LINKED || !m->link->sf_id[0] ||
        rec->version <= m->linked_modified_at) {
        trace(c,
              "%s: email %s matches HubSpot contact %s, which syncs with Salesforce %s %s, "
              "updated more recently; this duplicate does not sync",
              c->label, email, m->id, m->link->sf_object, m->link->sf_id);
        set_action(c, "skip");
        return;
    }
    if (!(o = record_for(c, m->record, m->id))) {
        need_record(c, SYNC_SIDE_HUBSPOT, "contacts", m->id);
        return;
    }
    trace(c,
          "%s: email %s matches HubSpot contact %s; this record is the most recently updated "
          "duplicate, so the sync follows it",
          c->label, email, m->id);
    repoint(c, m->link, SYNC_SIDE_SALESFORCE, rec->object, rec->id, "duplicate updated later");
    n = *m->link;
    copy(n.sf_object, sizeof(n.sf_object), rec->object);
    copy(n.sf_id, sizeof(n.sf_id), rec->id);
    if (!inclusion_on(c) || c->in->hs_qualifies)
        sync_pair(c, o, rec, &n);
}

static void plan_contact_sf(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change;
    const struct sync_plan_link *l = c->in->link;
    char email[SYNC_MATCH_EMAIL_MAX];

    if (l) {
        if (!link_usable(c, l))
            return;
        if (inclusion_on(c) && !c->in->hs_qualifies && l->state == SYNC_PLAN_LINK_LINKED) {
            record_error(c, l->link_id, SYNC_PLAN_ERR_INCLUSION, 0,
                         "HubSpot contact %s is not in the inclusion list \"%s\": it gets no "
                         "updates from Salesforce until it qualifies",
                         l->hs_id, setting_str(c, SYNC_SETTING_INCLUSION_LIST));
            set_action(c, "skip");
            return;
        }
        c->checked[SYNC_PLAN_ERR_INCLUSION] = 1;
        if (inclusion_on(c) && l->hs_id[0])
            trace(c, "%s: HubSpot contact %s is a member of the inclusion list \"%s\"", c->label,
                  l->hs_id, setting_str(c, SYNC_SETTING_INCLUSION_LIST));
        plan_linked(c, l);
        return;
    }
    if (!contact_email(c, rec, email, sizeof(email)))
        return;
    if (check_link_id(c))
        return;
    for (size_t k = 0; k < c->in->ncandidates; k++) {
        const struct sync_match_candidate *m = &c->in->candidates[k];
        const struct sync_plan_record *o;
        char norm[SYNC_MATCH_EMAIL_MAX];

        if (!sync_match_email_norm(m->email, norm, sizeof(norm)) || strcmp(norm, email)) {
            trace(c, "%s: HubSpot contact %s passed over: its email differs", c->label, m->id);
            continue;
        }
        if (m->link) {
            /* HubSpot holds one contact per email, and it syncs with another duplicate */
            plan_duplicate(c, m, email);
            return;
        }
        if (!(o = record_for(c, m->record, m->id))) {
            need_record(c, SYNC_SIDE_HUBSPOT, "contacts", m->id);
            return;
        }
        trace(c, "%s: email %s matched HubSpot contact %s", c->label, email, m->id);
        if (inclusion_on(c) && !c->in->hs_qualifies) {
            struct sync_plan_link nl;
            link_fill(&nl, c->in->new_link_id, c->kind, o->id, rec->object, rec->id,
                      SYNC_PLAN_LINK_LINKED);
            link_op(c, SYNC_PLAN_OP_BIND_LINK, &nl);
            trace(c,
                  "%s: HubSpot contact %s is not in the inclusion list: linked, but no fields "
                  "sync until it qualifies",
                  c->label, o->id);
            set_action(c, "bind");
            return;
        }
        plan_bind(c, o);
        return;
    }
    {
        int lead = is_object(rec, "Lead");
        enum sync_setting s = lead ? SYNC_SETTING_CREATE_CONTACTS_FROM_LEADS
                                   : SYNC_SETTING_CREATE_CONTACTS_FROM_CONTACTS;
        if (!setting(c, s)) {
            trace(c, "%s: no HubSpot contact has email %s, and %s is off: nothing is created",
                  c->label, email, sync_setting_def(s)->name);
            set_action(c, "skip");
            return;
        }
        trace(c, "%s: no HubSpot contact has email %s; %s is on", c->label, email,
              sync_setting_def(s)->name);
        plan_create(c, c->in->new_link_id, SYNC_SIDE_HUBSPOT, "contacts");
    }
}

static void plan_contact(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change;

    if (plan_gone(c))
        return;
    if (is_sf(rec) && is_object(rec, "Lead") && rec->converted) {
        plan_conversion(c);
        return;
    }
    if (is_sf(rec))
        plan_contact_sf(c);
    else
        plan_contact_hs(c);
}

/* ---- companies ---- */

/* After a new account: its private Salesforce contacts join it; after a new company: the
 * account's HubSpot contacts without a company join it. */
static void company_people_join(struct ctx *c, const char *link_id, enum sync_side created)
{
    const struct sync_plan_record *rec = c->in->change;

    for (size_t i = 0; i < c->in->npeople; i++) {
        const struct sync_match_person *p = &c->in->people[i];
        struct sync_plan_op *op;
        if (created == SYNC_SIDE_SALESFORCE) {
            if (!p->sf_object || strcasecmp(p->sf_object, "Contact") || !p->sf_id ||
                (p->sf_account_id && p->sf_account_id[0]))
                continue;
            if (!(op = op_add(c, SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_SALESFORCE, "Contact", p->sf_id,
                              link_id)))
                return;
            copy(op->to_object, sizeof(op->to_object), "Account");
            copy(op->to_link_id, sizeof(op->to_link_id), link_id);
            copy(op->via, sizeof(op->via), "AccountId");
            trace(c, "%s: Salesforce contact %s joins the new account", c->label, p->sf_id);
        } else {
            if (!p->hs_id || (p->hs_company_id && p->hs_company_id[0]) ||
                !sync_match_same_sf_id(p->sf_account_id, rec->id))
                continue;
            if (!(op = op_add(c, SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_HUBSPOT, "contacts", p->hs_id,
                              link_id)))
                return;
            copy(op->to_object, sizeof(op->to_object), "companies");
            copy(op->to_link_id, sizeof(op->to_link_id), link_id);
            trace(c, "%s: HubSpot contact %s joins the new company", c->label, p->hs_id);
        }
    }
}

static void plan_company(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change;
    const struct sync_plan_link *l = c->in->link;
    int i;

    if (plan_gone(c))
        return;
    if (l) {
        if (link_usable(c, l))
            plan_linked(c, l);
        return;
    }
    if (check_link_id(c))
        return;
    i = sync_match_company(c->in->candidates, c->in->ncandidates, c->in->people, c->in->npeople,
                           !is_sf(rec), c->label, &c->out->trace);
    if (i >= 0) {
        const struct sync_match_candidate *m = &c->in->candidates[i];
        const struct sync_plan_record *o = record_for(c, m->record, m->id);
        if (!o) {
            need_record(c, opposite(rec->system), m->object, m->id);
            return;
        }
        plan_bind(c, o);
        return;
    }
    if (is_sf(rec)) {
        trace(c,
              "%s: no HubSpot company shares its contacts; every new Salesforce account "
              "creates a HubSpot company",
              c->label);
        if (plan_create(c, c->in->new_link_id, SYNC_SIDE_HUBSPOT, "companies") == 0)
            company_people_join(c, c->in->new_link_id, SYNC_SIDE_HUBSPOT);
        return;
    }
    if (!sync_match_company_creates_account(c->in->people, c->in->npeople,
                                            setting(c, SYNC_SETTING_NEW_RECORD_TYPE) ==
                                                SYNC_NEW_RECORD_CONTACT,
                                            c->label, &c->out->trace)) {
        set_action(c, "skip");
        return;
    }
    if (plan_create(c, c->in->new_link_id, SYNC_SIDE_SALESFORCE, "Account") == 0)
        company_people_join(c, c->in->new_link_id, SYNC_SIDE_SALESFORCE);
}

/* ---- deals ---- */

/* A deal (or ticket) in an unmapped pipeline or stage does not sync: a per-record error, never
 * a fallback. Returns 0 when every pipeline and stage the change carries is mapped. */
static int check_stages(struct ctx *c, const struct sync_plan_record *r)
{
    const char *lid = c->in->link ? c->in->link->link_id : NULL;
    int ticket = c->kind == SYNC_KIND_TICKET;
    const char *what = ticket ? "ticket" : "deal";

    if (!r)
        return 0;
    c->checked[SYNC_PLAN_ERR_MAPPING] = 1;
    if (is_sf(r)) {
        const char *rt = sf_record_type(r), *stage = sf_text(r, sf_stage_field(c));
        if (!stage_by_sf(c, rt, NULL)) {
            record_error(c, lid, SYNC_PLAN_ERR_MAPPING, 0,
                         "pipeline not mapped: the %s process of %s record type %s has no "
                         "HubSpot pipeline, so the %s is not %s",
                         ticket ? "case" : "opportunity", ticket ? "case" : "opportunity",
                         rt[0] ? rt : "(none)", what, ticket ? "created or moved" : "synced");
            return -1;
        }
        if (stage && !stage_by_sf(c, rt, stage)) {
            record_error(c, lid, SYNC_PLAN_ERR_MAPPING, 0,
                         "stage not mapped: %s \"%s\" of record type %s has no HubSpot %s, so "
                         "the %s is not %s",
                         ticket ? "status" : "stage", stage, rt[0] ? rt : "(none)",
                         ticket ? "ticket status" : "deal stage", what,
                         ticket ? "created or moved" : "synced");
            return -1;
        }
        return 0;
    }
    {
        const char *pipeline = hs_prop(r, hs_pipeline_prop(c)),
                   *stage = hs_prop(r, hs_stage_prop(c));
        if (pipeline && pipeline[0] && !stage_by_hs(c, pipeline, NULL)) {
            record_error(c, lid, SYNC_PLAN_ERR_MAPPING, 0,
                         "pipeline not mapped: pipeline %s has no Salesforce %s, so the %s does "
                         "not sync",
                         pipeline, ticket ? "case business process" : "record type", what);
            return -1;
        }
        if (stage && stage[0] &&
            !stage_by_hs(c, pipeline && pipeline[0] ? pipeline : NULL, stage)) {
            record_error(c, lid, SYNC_PLAN_ERR_MAPPING, 0,
                         "stage not mapped: %s %s%s%s has no Salesforce %s, so the %s does not "
                         "sync",
                         ticket ? "ticket status" : "deal stage", stage,
                         pipeline ? " of pipeline " : "", pipeline ? pipeline : "",
                         ticket ? "case status" : "stage", what);
            return -1;
        }
    }
    return 0;
}

/* The other record of a pair passed check_stages: a mapping error it got while it was the one
 * that changed (a ticket moved to an unmapped status, two way) is resolved, though the pair now
 * syncs through this record's change. */
static void clear_other_mapping(struct ctx *c, const struct sync_plan_record *other)
{
    struct sync_plan_op *op = op_add(c, SYNC_PLAN_OP_CLEAR_ERROR, other->system, other->object,
                                     other->id, c->in->link ? c->in->link->link_id : "");
    if (op)
        op->category = SYNC_PLAN_ERR_MAPPING;
}

/* Deal contacts <-> OpportunityContactRole: each side gets the other's missing contacts (a
 * removal does not propagate); and the automatic lifecycle transitions. */
static void sync_deal_contacts(struct ctx *c, const struct sync_plan_record *hs,
                               const struct sync_plan_record *sf, const char *link_id)
{
    if ((hs && !hs->has_assoc) || (sf && !sf->has_assoc))
        return;
    for (size_t i = 0; hs && i < hs->ncontacts; i++) {
        const struct sync_plan_assoc *a = &hs->contacts[i];
        int found = 0;
        struct sync_plan_op *op;
        if (!a->id)
            continue;
        if (!a->other_id || !a->other_id[0]) {
            trace(c,
                  "%s: contact %s has not synced to Salesforce yet; it becomes a contact role "
                  "once it has",
                  c->label, a->id);
            continue;
        }
        if (!a->other_object || strcasecmp(a->other_object, "Contact")) {
            trace(c,
                  "%s: contact %s syncs with a Salesforce lead; only contacts can be contact "
                  "roles",
                  c->label, a->id);
            continue;
        }
        for (size_t k = 0; sf && k < sf->ncontacts; k++)
            found |= sync_match_same_sf_id(sf->contacts[k].id, a->other_id);
        if (found)
            continue;
        if (!(op = op_add(c, SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_SALESFORCE, "Opportunity",
                          sf ? sf->id : "", link_id)))
            return;
        copy(op->to_object, sizeof(op->to_object), "Contact");
        copy(op->to_id, sizeof(op->to_id), a->other_id);
        copy(op->via, sizeof(op->via), "OpportunityContactRole");
        trace(c, "%s: contact %s becomes a contact role (Salesforce Contact %s)", c->label, a->id,
              a->other_id);
    }
    for (size_t k = 0; sf && k < sf->ncontacts; k++) {
        const struct sync_plan_assoc *a = &sf->contacts[k];
        int found = 0;
        struct sync_plan_op *op;
        if (!a->id)
            continue;
        if (!a->other_id || !a->other_id[0]) {
            trace(c, "%s: contact role %s has no HubSpot contact yet", c->label, a->id);
            continue;
        }
        for (size_t i = 0; hs && i < hs->ncontacts; i++)
            found |= hs->contacts[i].id && strcmp(hs->contacts[i].id, a->other_id) == 0;
        if (found)
            continue;
        if (!(op = op_add(c, SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_HUBSPOT, "deals", hs ? hs->id : "",
                          link_id)))
            return;
        copy(op->to_object, sizeof(op->to_object), "contacts");
        copy(op->to_id, sizeof(op->to_id), a->other_id);
        trace(c, "%s: contact role %s: HubSpot contact %s joins the deal", c->label, a->id,
              a->other_id);
    }
    if (sf && setting(c, SYNC_SETTING_LIFECYCLE_TRANSITIONS)) {
        const struct sync_plan_stage *s =
            stage_by_sf(c, sf_record_type(sf), sf_text(sf, "StageName"));
        const char *target = s && s->won ? "customer" : "opportunity";
        /* ranked once, out of line of the loop (comparing a short literal with the longer stage
         * names inlined trips -Wstring-compare at -O3) */
        const int target_rank = s && s->won ? LIFECYCLE_RANK_CUSTOMER : LIFECYCLE_RANK_OPPORTUNITY;
        for (size_t k = 0; k < sf->ncontacts; k++) {
            const struct sync_plan_assoc *a = &sf->contacts[k];
            struct sync_plan_op *op;
            if (!a->other_id || !a->other_id[0])
                continue;
            if (!a->lifecycle || lifecycle_rank(a->lifecycle) < 0) {
                trace(c, "%s: HubSpot contact %s: lifecycle stage %s; no transition", c->label,
                      a->other_id, a->lifecycle ? "not in the default order" : "unknown");
                continue;
            }
            if (lifecycle_rank(a->lifecycle) >= target_rank)
                continue;
            if (!(op = op_add(c, SYNC_PLAN_OP_UPDATE, SYNC_SIDE_HUBSPOT, "contacts", a->other_id,
                              "")) ||
                !(op->fields = json_pack("{ss}", "lifecyclestage", target))) {
                c->rc = SYNC_ERR_NOMEM;
                return;
            }
            trace(c,
                  "%s: lifecycle transitions on: HubSpot contact %s moves from %s to %s (the "
                  "opportunity is %s)",
                  c->label, a->other_id, a->lifecycle[0] ? a->lifecycle : "blank", target,
                  s && s->won ? "Closed Won" : "open or lost");
        }
    }
}

static void plan_deal(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change, *other;
    const struct sync_plan_link *l = c->in->link;

    if (plan_gone(c))
        return;
    if (l && !link_usable(c, l))
        return;
    if (check_stages(c, rec)) {
        set_action(c, "error");
        return;
    }
    if (l && (l->state != SYNC_PLAN_LINK_LINKED || (is_sf(rec) ? !l->hs_id[0] : !l->sf_id[0]))) {
        plan_linked(c, l); /* re-plans the create */
        if (c->out->status == SYNC_PLAN_DONE && !c->failed[SYNC_PLAN_ERR_REQUIRED_FIELD])
            sync_deal_contacts(c, is_sf(rec) ? NULL : rec, is_sf(rec) ? rec : NULL, l->link_id);
        return;
    }
    if (l) {
        const char *oid = is_sf(rec) ? l->hs_id : l->sf_id;
        if (!(other = record_for(c, NULL, oid))) {
            plan_linked(c, l); /* asks for it */
            return;
        }
        if (check_stages(c, other)) {
            set_action(c, "error");
            return;
        }
        clear_other_mapping(c, other);
        plan_linked(c, l);
        if (c->out->status == SYNC_PLAN_DONE && !other->deleted)
            sync_deal_contacts(c, is_sf(rec) ? other : rec, is_sf(rec) ? rec : other, l->link_id);
        return;
    }
    if (check_link_id(c))
        return;
    trace(c, "%s: deals are never deduplicated: a new %s always creates a new %s", c->label,
          is_sf(rec) ? "opportunity" : "deal", is_sf(rec) ? "deal" : "opportunity");
    if (plan_create(c, c->in->new_link_id, opposite(rec->system),
                    is_sf(rec) ? "deals" : "Opportunity") == 0)
        sync_deal_contacts(c, is_sf(rec) ? NULL : rec, is_sf(rec) ? rec : NULL, c->in->new_link_id);
}

/* ---- tickets ---- */

/* A case syncs to a ticket (seeds 000/001): created in HubSpot the first time the case is
 * created or changed with ticket sync on (never by turning it on: history comes by import),
 * moved through the ticket pipeline map, deleted or left by the delete rule. Tickets never
 * create cases; with ticket_two_way on, a linked ticket's changes flow back under the ticket
 * mappings' rules. */
static void plan_ticket(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change, *other;
    const struct sync_plan_link *l = c->in->link;

    if (!is_sf(rec) && !setting(c, SYNC_SETTING_TICKET_TWO_WAY)) {
        trace(c,
              "%s: ticket sync is one way (ticket_two_way is off): ticket changes do not flow "
              "back to the case",
              c->label);
        set_action(c, "skip");
        return;
    }
    if (!is_sf(rec) && !l) {
        trace(c, "%s: tickets made in HubSpot do not create Salesforce cases", c->label);
        set_action(c, "skip");
        return;
    }
    if (plan_gone(c))
        return;
    if (l && !link_usable(c, l))
        return;
    if (check_stages(c, rec)) {
        set_action(c, "error");
        return;
    }
    /* the other record's pipeline and status matter only when they can flow back: one way, a
     * ticket a HubSpot user moved (even where no case status maps) is moved back by its case */
    if (l && l->hs_id[0] && l->sf_id[0] && !(is_sf(rec) && tickets_one_way(c))) {
        const char *oid = is_sf(rec) ? l->hs_id : l->sf_id;
        if ((other = record_for(c, NULL, oid)) && check_stages(c, other)) {
            set_action(c, "error");
            return;
        }
        if (other)
            clear_other_mapping(c, other);
    }
    if (l) {
        plan_linked(c, l);
        return;
    }
    if (check_link_id(c))
        return;
    if (!sf_text(rec, "Subject") || !sf_text(rec, "Subject")[0]) {
        record_error(c, NULL, SYNC_PLAN_ERR_REQUIRED_FIELD, 0,
                     "required field missing: Subject (a HubSpot ticket needs a name)");
        set_action(c, "error");
        return;
    }
    c->checked[SYNC_PLAN_ERR_REQUIRED_FIELD] = 1;
    trace(c, "%s: a case syncs to a ticket of its own (cases are never deduplicated)", c->label);
    plan_create(c, c->in->new_link_id, SYNC_SIDE_HUBSPOT, "tickets");
}

/* ---- timeline sync (HubSpot activities -> Salesforce tasks) ---- */

/* The Salesforce user a timeline task is assigned to (seed 003): the activity's owner when it
 * maps to a user, else the contact's owner when it maps, else none (the integration user). */
static const struct sync_plan_owner *
timeline_assignee(struct ctx *c, const struct sync_plan_party *party, const char **why)
{
    const char *own = hs_prop(c->in->change, "hubspot_owner_id");
    const struct sync_plan_owner *u;
    char tmp[SYNC_ERR_MSG_MAX];

    if (own && own[0] && (u = owner_to_sf(c, own, tmp, sizeof(tmp)))) {
        *why = "the activity's owner";
        return u;
    }
    if (party->owner_id && party->owner_id[0] &&
        (u = owner_to_sf(c, party->owner_id, tmp, sizeof(tmp)))) {
        *why = own && own[0] ? "the record owner (the activity's owner has no Salesforce user)"
                             : "the record owner (the activity has no owner)";
        return u;
    }
    *why = "the integration user (neither the activity's owner nor the record owner has a "
           "Salesforce user)";
    return NULL;
}

/* A form that adds its submitter to a Salesforce campaign (seed 002: a sync trigger): a
 * CampaignMember for the lead or contact, when the campaign is active. */
static void plan_campaign(struct ctx *c, const struct sync_plan_campaign *camp,
                          const struct sync_plan_party *party)
{
    struct sync_plan_op *op;

    if (!camp->found) {
        trace(c, "%s: its form's campaign %s is not in Salesforce (form_campaigns): not added",
              c->label, camp->id);
        return;
    }
    if (!camp->active) {
        trace(c,
              "%s: campaign %s (%s) is not active: a form adds its submitter to an active "
              "campaign only",
              c->label, camp->id, camp->name ? camp->name : "");
        return;
    }
    if (!party->link_id || !(op = op_add(c, SYNC_PLAN_OP_ASSOCIATE, SYNC_SIDE_SALESFORCE,
                                         "Campaign", camp->id, party->link_id)))
        return;
    copy(op->to_object, sizeof(op->to_object), party->sf_object ? party->sf_object : "Contact");
    copy(op->to_id, sizeof(op->to_id), party->sf_id);
    copy(op->via, sizeof(op->via), "CampaignMember");
    trace(c, "%s: its form adds Salesforce %s %s to campaign %s (%s)", c->label, op->to_object,
          party->sf_id, camp->id, camp->name ? camp->name : "");
}

/* The activity's task, on the Salesforce lead or contact the rule picks (activity.h); and a form
 * submission's campaign. */
/* A timeline type's task Type, as Salesforce's Task Type picklist spells it (*out NULL: no
 * type). A value not among the picklist's active values would land as an unlisted value that
 * reports do not find: it is a picklist error, retried, and no task is made until the setting
 * names a value. 0 when refused. */
static int timeline_task_type(struct ctx *c, enum sync_timeline_type t,
                              const struct sync_plan_link *l, const char **out)
{
    enum sync_setting id = sync_setting_timeline(t, SYNC_TIMELINE_TASK_TYPE);
    const char *want = setting_str(c, id);
    const struct sync_field_def *f = c->in->task_type_field;
    struct sync_buf values = SYNC_BUF_INIT(2048);

    *out = NULL;
    c->checked[SYNC_PLAN_ERR_PICKLIST] = 1;
    if (!want || !*want)
        return 1;
    *out = want;
    if (!f || !f->noptions)
        return 1;
    for (size_t i = 0; i < f->noptions; i++) {
        const struct sync_field_option *o = &f->options[i];
        if (!o->active)
            continue;
        if (strcasecmp(o->value, want) == 0) {
            *out = o->value;
            sync_buf_release(&values);
            return 1;
        }
        if (sync_buf_addf(&values, "%s%s", values.len ? ", " : "", o->value))
            c->rc = SYNC_ERR_NOMEM;
    }
    record_error(c, l ? l->link_id : NULL, SYNC_PLAN_ERR_PICKLIST, SYNC_PLAN_F_RETRY,
                 "%s \"%s\" is not a value of Salesforce's Task Type picklist (%s): set it to "
                 "one of them, or empty for no type; the task is made once it is",
                 sync_setting_def(id)->name, want, sync_buf_str(&values));
    sync_buf_release(&values);
    return 0;
}

static void plan_timeline(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change;
    const struct sync_plan_link *l = c->in->link;
    const json_t *props = rec->fields;
    const struct sync_plan_campaign *camp = c->in->form_campaign;
    enum sync_timeline_type t;
    const struct sync_plan_party *party;
    const struct sync_plan_owner *owner;
    const char *why = "", *task_type;
    struct sync_plan_op *op;
    int64_t since, created;
    int waiting, i, task;
    json_t *fields;

    if (sync_activity_type(rec->object, props, &t)) {
        trace(c, "%s: not an activity timeline sync writes (an incoming email, a bounce, ...)",
              c->label);
        set_action(c, "skip");
        return;
    }
    if (!(task = setting(c, sync_setting_timeline(t, SYNC_TIMELINE_ON)) != 0))
        trace(c, "%s: timeline_%s is off: a %s does not become a Salesforce task", c->label,
              sync_timeline_name(t), sync_timeline_what(t));
    since = c->in->timeline_since ? c->in->timeline_since[t] : 0;
    created = sync_activity_time(props, "hs_createdate");
    if (!created)
        created = rec->version;
    if (task && (!since || created < since)) {
        trace(c, "%s: a %s from before timeline_%s was turned on: only later ones sync", c->label,
              sync_timeline_name(t) ? sync_timeline_what(t) : "", sync_timeline_name(t));
        task = 0;
    }
    if (task && l && l->state == SYNC_PLAN_LINK_LINKED && l->sf_id[0] &&
        sync_activity_is_event(t)) {
        trace(c, "%s: already Salesforce Task %s (an event happens once)", c->label, l->sf_id);
        if (!camp) {
            set_action(c, "skip_echo");
            return;
        }
        task = 0;
    }
    if (!task && !camp) {
        set_action(c, "skip");
        return;
    }
    if (!l && sync_rec_link_id(rec)) {
        /* made by Salesforce task sync from a Salesforce task or event: never sent back */
        trace(c,
              "%s: it carries crmsync's link id %s: crmsync made it from Salesforce; not synced "
              "back",
              c->label, sync_rec_link_id(rec));
        set_action(c, "skip_echo");
        return;
    }
    if (rec->deleted) {
        trace(c, "%s: deleted in HubSpot; its Salesforce task stays", c->label);
        set_action(c, "skip");
        return;
    }
    i = sync_activity_party(c->in->parties, c->in->nparties, &waiting);
    if (i < 0 && waiting) {
        record_error(c, l ? l->link_id : NULL, SYNC_PLAN_ERR_ASSOCIATIONS, SYNC_PLAN_F_RETRY,
                     "waiting for contact to sync: its contact has no Salesforce record yet");
        set_action(c, "error");
        return;
    }
    if (i < 0) {
        trace(c, "%s: none of its %zu contact%s syncs with Salesforce: no task", c->label,
              c->in->nparties, c->in->nparties == 1 ? "" : "s");
        /* nothing to wait for any more: an earlier "waiting for contact" error is resolved */
        c->checked[SYNC_PLAN_ERR_ASSOCIATIONS] = 1;
        set_action(c, "skip");
        return;
    }
    c->checked[SYNC_PLAN_ERR_ASSOCIATIONS] = 1;
    party = &c->in->parties[i];
    if (camp)
        plan_campaign(c, camp, party);
    if (!task) {
        set_action(c, c->out->nops ? "associate_sf" : "skip");
        return;
    }
    if (!timeline_task_type(c, t, l, &task_type)) {
        set_action(c, "error");
        return;
    }
    if (!(fields = sync_activity_task(
              t, rec->object, props,
              setting_str(c, sync_setting_timeline(t, SYNC_TIMELINE_SUBJECT)), task_type))) {
        c->rc = SYNC_ERR_NOMEM;
        return;
    }
    json_object_set_new(fields, "WhoId", json_string(party->sf_id));
    if ((owner = timeline_assignee(c, party, &why)))
        json_object_set_new(fields, "OwnerId", json_string(owner->id));
    if (!l) {
        struct sync_plan_link nl;
        link_fill(&nl, c->in->new_link_id, c->kind, rec->id, "Task", "",
                  SYNC_PLAN_LINK_PENDING_CREATE);
        link_op(c, SYNC_PLAN_OP_BIND_LINK, &nl);
    }
    if (!(op = op_add(c, SYNC_PLAN_OP_CREATE, SYNC_SIDE_SALESFORCE, "Task", "",
                      l ? l->link_id : c->in->new_link_id))) {
        json_decref(fields);
        return;
    }
    op->fields = fields;
    if (c->in->nparties > 1)
        trace(c,
              "%s: %zu contacts; the task goes to the most recently created that syncs (ties: "
              "the highest id): HubSpot contact %s",
              c->label, c->in->nparties, party->hs_id);
    trace(c, "%s: timeline_%s: Salesforce task \"%s\" on %s %s, assigned to %s (%s)", c->label,
          sync_timeline_name(t), sync_json_str(fields, "Subject"),
          party->sf_object ? party->sf_object : "record", party->sf_id,
          owner ? owner->id : "the integration user", why);
    set_action(c, l ? "write" : "create_sf");
}

/* ---- Salesforce task sync (Salesforce tasks and events -> HubSpot activities) ---- */

enum sync_setting sync_plan_activity_switch(enum sync_kind k)
{
    return k == SYNC_KIND_TASK    ? SYNC_SETTING_SALESFORCE_TASKS
           : k == SYNC_KIND_EMAIL ? SYNC_SETTING_SALESFORCE_EMAILS
           : k == SYNC_KIND_CALL  ? SYNC_SETTING_SALESFORCE_CALLS
                                  : SYNC_SETTING_SALESFORCE_MEETINGS;
}

/* What a HubSpot activity needs on create that no mapping gives: its time (hs_timestamp; a
 * task without a due date is stamped with when it was created) and, for an email, that it was
 * sent (hs_email_direction EMAIL). */
static void activity_create_defaults(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change;

    for (size_t i = 0; i < c->out->nops; i++) {
        struct sync_plan_op *op = &c->out->ops[i];
        const char *created;
        int64_t ms;
        if (op->kind != SYNC_PLAN_OP_CREATE || op->target != SYNC_SIDE_HUBSPOT || !op->fields)
            continue;
        if (!json_object_get(op->fields, "hs_timestamp") &&
            (created = sf_text(rec, "CreatedDate")) && sync_time_parse(created, &ms) == SYNC_OK) {
            char text[32];
            snprintf(text, sizeof(text), "%lld", (long long)ms);
            json_object_set_new(op->fields, "hs_timestamp", json_string(text));
            trace(c, "%s: no due date: the HubSpot %s is stamped with its creation time", c->label,
                  sync_kind_name(c->kind));
        }
        if (c->kind == SYNC_KIND_EMAIL && !json_object_get(op->fields, "hs_email_direction"))
            json_object_set_new(op->fields, "hs_email_direction", json_string("EMAIL"));
    }
}

/* A Salesforce task or event (seed 003): one way to the matching HubSpot activity (capture reads
 * only what is created or updated from the time task sync is on; an import brings history);
 * never one crmsync made from a HubSpot activity. */
static void plan_sf_activity(struct ctx *c)
{
    const struct sync_plan_record *rec = c->in->change;
    const struct sync_plan_link *l = c->in->link;
    enum sync_setting sw = sync_plan_activity_switch(c->kind);

    if (!is_sf(rec)) {
        trace(c, "%s: HubSpot activities reach Salesforce through timeline sync", c->label);
        set_action(c, "skip");
        return;
    }
    if (!setting(c, sw)) {
        trace(c, "%s: %s is off", c->label, sync_setting_def(sw)->name);
        set_action(c, "skip");
        return;
    }
    if (l && strcmp(l->kind, sync_kind_name(c->kind)) != 0) {
        trace(c, "%s: crmsync made it from HubSpot activity %s (%s sync): not synced back",
              c->label, l->hs_id[0] ? l->hs_id : "(pending)", l->kind);
        set_action(c, "skip_echo");
        return;
    }
    if (!l && sync_rec_link_id(rec)) {
        trace(c, "%s: it carries crmsync's link id %s: crmsync made it; not synced back", c->label,
              sync_rec_link_id(rec));
        set_action(c, "skip_echo");
        return;
    }
    if (plan_gone(c))
        return;
    if (l) {
        if (link_usable(c, l))
            plan_linked(c, l);
        activity_create_defaults(c);
        return;
    }
    if (!c->in->imported && c->in->switch_since &&
        rec->version < c->in->switch_since - c->in->switch_since % 1000) {
        /* read late (the Task read goes on for the other types), but changed while off;
         * Salesforce stamps whole seconds, so the second the switch went on counts as on */
        trace(c,
              "%s: last changed before %s and salesforce_task_sync were both on: only what "
              "changes from then on syncs (an import brings the rest)",
              c->label, sync_setting_def(sw)->name);
        set_action(c, "skip");
        return;
    }
    if (check_link_id(c))
        return;
    if (plan_create(c, c->in->new_link_id, SYNC_SIDE_HUBSPOT, sync_kind_hs_object(c->kind)) == 0)
        activity_create_defaults(c);
}

/* ---- entry ---- */

static int kind_of(const struct sync_plan_record *r, enum sync_kind *kind)
{
    if (r->system == SYNC_SIDE_HUBSPOT && sync_timeline_object(r->object))
        return *kind = SYNC_KIND_TIMELINE, 0;
    if (r->system == SYNC_SIDE_HUBSPOT)
        return sync_kind_parse(r->object, kind) == 0 &&
                       strcmp(r->object, sync_kind_hs_object(*kind)) == 0
                   ? 0
                   : -1;
    for (int k = 0; k < SYNC_KIND__COUNT; k++) {
        const char *const *objs = sync_kind_sf_objects((enum sync_kind)k);
        for (int i = 0; objs[i]; i++)
            if (strcmp(objs[i], r->object) == 0) {
                *kind = (enum sync_kind)k;
                if (*kind == SYNC_KIND_TASK) { /* a task, an email or a call by its subtype */
                    const char *sub = sf_text(r, "TaskSubtype");
                    if (sub && strcmp(sub, "Email") == 0)
                        *kind = SYNC_KIND_EMAIL;
                    else if (sub && strcmp(sub, "Call") == 0)
                        *kind = SYNC_KIND_CALL;
                }
                return 0;
            }
    }
    return -1;
}

/* the switch of a kind (timeline sync: one per type, checked by plan_timeline) */
static const enum sync_setting kind_switch[SYNC_KIND__COUNT] = {SYNC_SETTING_CONTACT_SYNC,
                                                                SYNC_SETTING_COMPANY_SYNC,
                                                                SYNC_SETTING_DEAL_SYNC,
                                                                SYNC_SETTING_TICKET_SYNC,
                                                                SYNC_SETTING_SYNC,
                                                                SYNC_SETTING_SALESFORCE_TASK_SYNC,
                                                                SYNC_SETTING_SALESFORCE_TASK_SYNC,
                                                                SYNC_SETTING_SALESFORCE_TASK_SYNC,
                                                                SYNC_SETTING_SALESFORCE_TASK_SYNC};

enum sync_rc sync_plan_make(const struct sync_plan_input *in, struct sync_plan *out,
                            struct sync_err *err)
{
    const struct sync_plan_record *rec;
    struct ctx c;

    sync_plan_release(out);
    if (!in || !in->change || !in->settings || !in->mappings || !in->change->id ||
        !in->change->id[0] || !in->change->object)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "plan: a change, its id and object, the settings and the mappings "
                            "are required");
    rec = in->change;
    memset(&c, 0, sizeof(c));
    c.in = in;
    c.out = out;
    if ((rec->system != SYNC_SIDE_HUBSPOT && rec->system != SYNC_SIDE_SALESFORCE) ||
        kind_of(rec, &c.kind))
        return sync_err_set(err, SYNC_ERR_INVALID, "plan: %s is not an object crmsync syncs",
                            rec->object);
    make_label(c.label, sizeof(c.label), c.kind, rec->system, rec->object, rec->id);
    if (in->sync_off) {
        out->status = SYNC_PLAN_DEFERRED;
        set_action(&c, "deferred");
        trace(&c, "%s: sync is off: nothing is planned and the change is kept for later", c.label);
        return SYNC_OK;
    }
    if (!setting(&c, kind_switch[c.kind])) {
        set_action(&c, "skip");
        trace(&c, "%s: %s is off: %s changes do not sync", c.label,
              sync_setting_def(kind_switch[c.kind])->name, sync_kind_name(c.kind));
        return SYNC_OK;
    }
    if (c.kind == SYNC_KIND_CONTACT)
        plan_contact(&c);
    else if (c.kind == SYNC_KIND_COMPANY)
        plan_company(&c);
    else if (c.kind == SYNC_KIND_DEAL)
        plan_deal(&c);
    else if (c.kind == SYNC_KIND_TICKET)
        plan_ticket(&c);
    else if (c.kind == SYNC_KIND_TIMELINE)
        plan_timeline(&c);
    else
        plan_sf_activity(&c);
    if (!c.rc && out->status == SYNC_PLAN_DONE)
        clear_errors(&c, in->link ? in->link->link_id : "");
    if (c.rc || out->trace.nomem) {
        sync_plan_release(out);
        return sync_err_set(err, SYNC_ERR_NOMEM, "plan: out of memory");
    }
    if (!out->action[0])
        set_action(&c, "skip");
    return SYNC_OK;
}
