/*
 * planstep.c: the plan step of a pass. Takes a batch of inbox changes of
 * one kind (contacts, then companies, then deals: each kind's look-ups see
 * the links the kind before it made), looks up what the planner needs for
 * each (the record's link and ledger, its open errors, the other side's
 * current record, same-email candidates, associations with where they
 * lead, a company's contacts and candidate companies or accounts, the
 * deal stage map), fetching from the vendors in batches first and one
 * record at a time when the planner asks for one more (SYNC_PLAN_NEED_RECORD),
 * then stores each plan in one transaction: link, ledger, error and
 * conflict rows, outbox entries for the writes (with the ledger rows that
 * wait for them), the decision trace, and the change's removal from the
 * inbox. Called by the pass (sync.c) through sync__plan_inbox.
 *
 * Writes are checked against the target's field catalogue first: a field
 * the target does not have, or will not let the integration write, is
 * dropped from the write (and its ledger row with it) and traced, so one
 * missing property never fails a whole record.
 *
 * A record the engine created carries the link id, so a change on it
 * captured before its create's result was recorded (a crash in between)
 * finds its link through the id it carries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "capture/timeline.h"
#include "engine/activity.h"
#include "engine/import.h"
#include "engine/apply.h"
#include "engine/health.h"
#include "engine/match.h"
#include "engine/planner.h"
#include "engine/sync_int.h"
#include "engine/value.h"

#define PLAN_TRIES 6 /* planner calls per change (each NEED_RECORD adds one record) */
#define MAX_LEDGER 2048
#define MAX_ERRORS 32
#define MAX_UNSETTLED 64
#define MAX_CANDIDATES 64
#define MAX_PEOPLE 500  /* contacts of one company a match looks at */
#define MAX_PARTIES 100 /* contacts of one activity timeline sync looks at */
#define TRACE_MAX (256 * 1024)
#define PAYLOAD_MAX (16 * 1024 * 1024)

struct change {
    char system[SYNC_STORE_KIND_MAX];
    char object[SYNC_STORE_NAME_MAX];
    char id[SYNC_STORE_ID_MAX];
    int64_t version;
    int deleted;
    char *payload;
    json_t *json; /* parsed payload */
    enum sync_kind kind;
    enum sync_side side;
    int known;               /* an object this build syncs, with a readable payload */
    int later;               /* left in the inbox for the next round (see changes_order) */
    const char *merged_into; /* a HubSpot record merged away: the survivor's id */
    int resync;              /* a resync marker (health.h): json is the record as read now */
    int gone;                /* a resync marker whose record the vendor no longer has */
};

struct changes {
    struct change *items;
    size_t n, cap;
};

/* Records fetched this round. */
struct pool {
    json_t *recs;      /* "hubspot/<object>/<id>" or "salesforce/<id18>" -> vendor record */
    json_t *sf_people; /* normalised email -> [Leads and Contacts] (key fields only) */
    json_t *hs_people; /* normalised email -> [HubSpot contacts] (every field read) */
    const struct sync_plan_owner *owners; /* the owner directory (owners.c), borrowed */
    size_t nowners;
    /* the round's stage map (stagedir.c): deals' or tickets', borrowed */
    const struct sync_plan_stage_map *stages;
    /* Associations read this round: "hs:<from>:<id>:<to>" -> {"to":[ids], "primary"?} (every
     * id asked for has a row), "sf:ocr:<opportunity id18>" -> [ContactId...] (contact roles),
     * "sf:acct:<account id18>" -> [Contact ids], "sf:cacct:<contact id18>" -> AccountId. */
    json_t *assoc;
    /* timeline sync: when each type was turned on (0: off), read once per round */
    int64_t since[SYNC_TIMELINE__COUNT];
};

/* ---- taking the inbox ---- */

static enum sync_rc take_one(void *ctx, const struct sync_change *c)
{
    struct changes *cs = ctx;
    struct change *ch;

    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 64;
        struct change *items = realloc(cs->items, cap * sizeof(*items));
        if (!items)
            return SYNC_ERR_NOMEM;
        cs->items = items;
        cs->cap = cap;
    }
    ch = &cs->items[cs->n];
    memset(ch, 0, sizeof(*ch));
    snprintf(ch->system, sizeof(ch->system), "%s", c->system);
    snprintf(ch->object, sizeof(ch->object), "%s", c->object);
    snprintf(ch->id, sizeof(ch->id), "%s", c->record_id);
    ch->version = c->version;
    ch->deleted = c->deleted;
    if (!(ch->payload = strdup(c->payload)))
        return SYNC_ERR_NOMEM;
    cs->n++;
    return SYNC_OK;
}

static void changes_release(struct changes *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->items[i].payload);
        json_decref(cs->items[i].json);
    }
    free(cs->items);
    memset(cs, 0, sizeof(*cs));
}

/* ---- the pool ---- */

static void pool_key(char *out, size_t n, enum sync_side side, const char *object, const char *id)
{
    char id18[19];

    if (side == SYNC_SIDE_SALESFORCE) {
        if (sync_value_sf_id18(id, id18))
            snprintf(id18, sizeof(id18), "%.18s", id);
        snprintf(out, n, "salesforce/%s", id18);
    } else {
        snprintf(out, n, "hubspot/%s/%s", object, id);
    }
}

static json_t *pool_get(const struct pool *p, enum sync_side side, const char *object,
                        const char *id)
{
    char key[256];
    pool_key(key, sizeof(key), side, object, id);
    return json_object_get(p->recs, key);
}

static void pool_put(struct pool *p, enum sync_side side, const char *object, json_t *rec)
{
    const char *id =
        side == SYNC_SIDE_SALESFORCE ? sync_json_str(rec, "Id") : sync_json_str(rec, "id");
    char key[256];

    if (!id)
        return;
    pool_key(key, sizeof(key), side, object, id);
    json_object_set(p->recs, key, rec);
}

static void people_add(json_t *people, const char *email, json_t *rec)
{
    char norm[SYNC_MATCH_EMAIL_MAX];
    json_t *list;

    if (!sync_match_email_norm(email, norm, sizeof(norm)))
        return;
    if (!(list = json_object_get(people, norm))) {
        list = json_array();
        json_object_set_new(people, norm, list);
    }
    json_array_append(list, rec);
}

/* A unique list of strings (emails, ids) to look up. */
struct strs {
    json_t *set; /* value -> true, keeps them unique */
};

static void strs_add(struct strs *s, const char *v)
{
    if (v && *v)
        json_object_set_new(s->set, v, json_true());
}

/* The list as a C array (borrowed from the set). */
static const char **strs_list(const struct strs *s, size_t *n)
{
    const char **out = calloc(json_object_size(s->set) + 1, sizeof(*out));
    const char *k;
    json_t *v;

    *n = 0;
    if (!out)
        return NULL;
    json_object_foreach(s->set, k, v)
    {
        out[(*n)++] = k;
    }
    return out;
}

/* One batched read of the records whose key (NULL: the record id) is in ids, into b, which is
 * initialised here and released by the caller. Nothing is read when ids is empty. */
static enum sync_rc fetch_ids(struct sync_conn *c, const char *object, const char *key,
                              const struct strs *ids, const char *const *fields,
                              struct sync_conn_batch *b, struct sync_err *err)
{
    const char **list;
    size_t n;
    enum sync_rc rc;

    sync_conn_batch_init(b);
    if (!json_object_size(ids->set))
        return SYNC_OK;
    if (!(list = strs_list(ids, &n)))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    rc = sync_conn_fetch(c, object, key, list, n, fields, b, err);
    free(list);
    return rc;
}

static enum sync_rc fetch_into(struct sync_engine *e, struct pool *p, enum sync_side side,
                               const char *object, const struct strs *ids, struct sync_err *err)
{
    const struct sync_fieldset *fs = sync__engine_fields(e, side, object);
    struct sync_conn_batch b;
    const json_t *r;
    size_t i;
    enum sync_rc rc =
        fetch_ids(sync__engine_conn(e, side), object, NULL, ids, fs ? fs->names : NULL, &b, err);

    json_array_foreach(b.records, i, r)
    {
        pool_put(p, side, object, (json_t *)r);
    }
    sync_conn_batch_release(&b);
    return rc;
}

/* ---- links ---- */

static void link_to_plan(const struct sync_link *l, struct sync_plan_link *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->link_id, sizeof(out->link_id), "%s", l->link_id);
    snprintf(out->kind, sizeof(out->kind), "%s", l->kind);
    snprintf(out->hs_id, sizeof(out->hs_id), "%s", l->hs_id);
    snprintf(out->sf_object, sizeof(out->sf_object), "%s", l->sf_object);
    snprintf(out->sf_id, sizeof(out->sf_id), "%s", l->sf_id);
    out->state = (enum sync_plan_link_state)l->state;
}

static void link_from_plan(const struct sync_plan_link *p, struct sync_link *out)
{
    snprintf(out->link_id, sizeof(out->link_id), "%s", p->link_id);
    snprintf(out->kind, sizeof(out->kind), "%s", p->kind);
    snprintf(out->hs_id, sizeof(out->hs_id), "%s", p->hs_id);
    snprintf(out->sf_object, sizeof(out->sf_object), "%s", p->sf_object);
    snprintf(out->sf_id, sizeof(out->sf_id), "%s", p->sf_id);
    out->state = (enum sync_link_state)p->state;
}

/* The link of a record; SYNC_ERR_NOT_FOUND when it has none. */
static enum sync_rc link_of(struct sync_engine *e, enum sync_kind kind, enum sync_side side,
                            const char *object, const char *id, struct sync_link *out,
                            struct sync_err *err)
{
    if (!id || !*id)
        return SYNC_ERR_NOT_FOUND;
    if (side == SYNC_SIDE_HUBSPOT)
        return sync_store_link_get_by_hs(e->st, sync_kind_name(kind), id, out, err);
    return sync_store_link_get_by_sf(e->st, object, id, out, err);
}

static int found(enum sync_rc rc)
{
    return rc == SYNC_OK;
}

/* ---- associations (companies and deals) ---- */

static void id18_of(const char *id, char out[19])
{
    if (!id || sync_value_sf_id18(id, out))
        snprintf(out, 19, "%.18s", id ? id : "");
}

static void assoc_key(char *out, size_t n, const char *kind, const char *a, const char *b,
                      const char *c)
{
    snprintf(out, n, "%s:%s:%s%s%s", kind, a, b, c ? ":" : "", c ? c : "");
}

/* HubSpot associations of ids (from -> to), one batched read; every id asked for gets a row. */
static enum sync_rc hs_assoc_read(struct sync_engine *e, struct pool *p, const char *from,
                                  const char *to, const struct strs *ids, struct sync_err *err)
{
    struct sync_conn_batch b;
    const json_t *r;
    const char *k;
    json_t *v;
    size_t n, i;
    const char **list = strs_list(ids, &n);
    enum sync_rc rc;
    char key[256];

    if (!list)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (!n) {
        free(list);
        return SYNC_OK;
    }
    sync_conn_batch_init(&b);
    rc = sync_conn_read_assoc(e->hs, from, to, list, n, &b, err);
    json_array_foreach(b.records, i, r)
    {
        assoc_key(key, sizeof(key), "hs", from, sync_json_str(r, "from"), to);
        json_object_set(p->assoc, key, (json_t *)r);
    }
    json_object_foreach(ids->set, k, v)
    {
        assoc_key(key, sizeof(key), "hs", from, k, to);
        if (rc == SYNC_OK && !json_object_get(p->assoc, key))
            json_object_set_new(p->assoc, key, json_pack("{s:[]}", "to"));
    }
    sync_conn_batch_release(&b);
    free(list);
    return rc;
}

/* Salesforce children of parents (OpportunityContactRole by OpportunityId, Contact by
 * AccountId) into "sf:<kind>:<parent id18>" -> [child ids]. */
static enum sync_rc sf_children_read(struct sync_engine *e, struct pool *p, const char *kind,
                                     const char *object, const char *parent, const char *child,
                                     const struct strs *ids, struct sync_err *err)
{
    const char *fields[] = {parent, child, NULL};
    struct sync_conn_batch b;
    const json_t *r;
    const char *k;
    json_t *v;
    size_t i;
    enum sync_rc rc = fetch_ids(e->sf, object, parent, ids, fields, &b, err);
    char key[256], id18[19];

    json_object_foreach(ids->set, k, v)
    {
        id18_of(k, id18);
        assoc_key(key, sizeof(key), "sf", kind, id18, NULL);
        if (rc == SYNC_OK && !json_object_get(p->assoc, key))
            json_object_set_new(p->assoc, key, json_array());
    }
    json_array_foreach(b.records, i, r)
    {
        const char *pid = sync_json_str(r, parent), *cid = sync_json_str(r, child);
        json_t *list_of;
        if (!pid || !cid)
            continue;
        id18_of(pid, id18);
        assoc_key(key, sizeof(key), "sf", kind, id18, NULL);
        if ((list_of = json_object_get(p->assoc, key)))
            json_array_append_new(list_of, json_string(cid));
        if (strcmp(object, "Contact") == 0) {
            id18_of(cid, id18);
            assoc_key(key, sizeof(key), "sf", "cacct", id18, NULL);
            json_object_set_new(p->assoc, key, json_string(pid));
        }
    }
    sync_conn_batch_release(&b);
    return rc;
}

/* The AccountId of Salesforce contacts, one batched read, into "sf:cacct:<id18>". */
static enum sync_rc sf_contact_accounts(struct sync_engine *e, struct pool *p,
                                        const struct strs *ids, struct sync_err *err)
{
    const char *fields[] = {"AccountId", NULL};
    struct sync_conn_batch b;
    const json_t *r;
    size_t i;
    enum sync_rc rc = fetch_ids(e->sf, "Contact", NULL, ids, fields, &b, err);
    char key[256], id18[19];

    json_array_foreach(b.records, i, r)
    {
        const char *acc = sync_json_str(r, "AccountId");
        id18_of(sync_json_str(r, "Id"), id18);
        assoc_key(key, sizeof(key), "sf", "cacct", id18, NULL);
        json_object_set_new(p->assoc, key, acc ? json_string(acc) : json_null());
    }
    sync_conn_batch_release(&b);
    return rc;
}

/* A HubSpot record's associations of type to, when read this round (NULL: not read). */
static const json_t *hs_assoc_of(const struct pool *p, const char *from, const char *id,
                                 const char *to)
{
    char key[256];
    assoc_key(key, sizeof(key), "hs", from, id, to);
    return json_object_get(p->assoc, key);
}

static const json_t *sf_assoc_of(const struct pool *p, const char *kind, const char *id)
{
    char key[256], id18[19];
    id18_of(id, id18);
    assoc_key(key, sizeof(key), "sf", kind, id18, NULL);
    return json_object_get(p->assoc, key);
}

/* What a related record is paired with: {"id", "other_object", "other_id"}. */
static json_t *assoc_item(struct sync_engine *e, enum sync_kind kind, enum sync_side side,
                          const char *object, const char *id)
{
    struct sync_link l;
    json_t *o = json_pack("{s:s}", "id", id);

    if (o && found(link_of(e, kind, side, object, id, &l, NULL)) && l.state != SYNC_LINK_DELETED &&
        l.state != SYNC_LINK_DETACHED) {
        const char *oid = side == SYNC_SIDE_HUBSPOT ? l.sf_id : l.hs_id;
        json_object_set_new(
            o, "other_object",
            json_string(side == SYNC_SIDE_HUBSPOT ? l.sf_object : sync_kind_hs_object(kind)));
        if (oid[0])
            json_object_set_new(o, "other_id", json_string(oid));
    }
    return o;
}

/* Gives a record its associations when they were read this round: a HubSpot contact's or
 * deal's company and a deal's contacts; a Salesforce Contact's or Opportunity's AccountId and
 * an Opportunity's contact roles. Left unknown otherwise (the planner leaves them alone). */
static void assoc_attach(struct sync_engine *e, const struct pool *p, struct sync_rec *rec)
{
    const struct sync_plan_record *r = &rec->r;
    json_t *a;

    if (!rec->json || r->deleted || !r->id)
        return;
    if (r->system == SYNC_SIDE_HUBSPOT) {
        /* deals and tickets carry a company and contacts; contacts a company */
        int deal = strcmp(r->object, "deals") == 0 || strcmp(r->object, "tickets") == 0;
        const json_t *co, *ct, *t;
        size_t i;
        if (!deal && strcmp(r->object, "contacts") != 0)
            return;
        co = hs_assoc_of(p, r->object, r->id, "companies");
        ct = deal ? hs_assoc_of(p, r->object, r->id, "contacts") : NULL;
        if (!co || (deal && !ct))
            return;
        a = json_object();
        if (sync_json_str(co, "primary"))
            json_object_set_new(a, "company",
                                assoc_item(e, SYNC_KIND_COMPANY, SYNC_SIDE_HUBSPOT, "companies",
                                           sync_json_str(co, "primary")));
        if (deal) {
            json_t *list = json_array();
            json_array_foreach(json_object_get(ct, "to"), i, t)
            {
                json_array_append_new(list, assoc_item(e, SYNC_KIND_CONTACT, SYNC_SIDE_HUBSPOT,
                                                       "contacts", json_string_value(t)));
            }
            json_object_set_new(a, "contacts", list);
        }
    } else if (strcasecmp(r->object, "Task") == 0 || strcasecmp(r->object, "Event") == 0) {
        /* an activity's Name (WhoId: a lead or contact) and Related To (WhatId: an account,
         * opportunity or case), read with the record */
        const json_t *who = json_object_get(r->fields, "WhoId");
        const json_t *what = json_object_get(r->fields, "WhatId");
        if (!who || !what)
            return;
        a = json_pack("{s:[]}", "contacts");
        if (json_is_string(who) && json_string_length(who))
            json_array_append_new(
                json_object_get(a, "contacts"),
                assoc_item(e, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE,
                           strncmp(json_string_value(who), "00Q", 3) == 0 ? "Lead" : "Contact",
                           json_string_value(who)));
        if (json_is_string(what) && json_string_length(what)) {
            const char *w = json_string_value(what);
            enum sync_kind k = strncmp(w, "001", 3) == 0   ? SYNC_KIND_COMPANY
                               : strncmp(w, "006", 3) == 0 ? SYNC_KIND_DEAL
                               : strncmp(w, "500", 3) == 0 ? SYNC_KIND_TICKET
                                                           : SYNC_KIND__COUNT;
            json_object_set_new(a, "company",
                                k == SYNC_KIND__COUNT ? json_pack("{s:s}", "id", w)
                                                      : assoc_item(e, k, SYNC_SIDE_SALESFORCE,
                                                                   sync_kind_sf_objects(k)[0], w));
        }
    } else if (strcasecmp(r->object, "Case") == 0) {
        /* a case's AccountId and ContactId, read with the record */
        const json_t *acc = json_object_get(r->fields, "AccountId");
        const json_t *con = json_object_get(r->fields, "ContactId");
        if (!acc || !con)
            return;
        a = json_pack("{s:[]}", "contacts");
        if (json_is_string(acc) && json_string_length(acc))
            json_object_set_new(a, "company",
                                assoc_item(e, SYNC_KIND_COMPANY, SYNC_SIDE_SALESFORCE, "Account",
                                           json_string_value(acc)));
        if (json_is_string(con) && json_string_length(con))
            json_array_append_new(json_object_get(a, "contacts"),
                                  assoc_item(e, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE, "Contact",
                                             json_string_value(con)));
    } else {
        int opp = strcasecmp(r->object, "Opportunity") == 0;
        const json_t *acc, *roles = NULL, *t;
        size_t i;
        if (!opp && strcasecmp(r->object, "Contact") != 0)
            return;
        if (!sync_settings_int(e->settings, SYNC_SETTING_COMPANY_SYNC) && !opp)
            return;
        if (!json_object_get(r->fields, "AccountId"))
            return;
        if (opp && !(roles = sf_assoc_of(p, "ocr", r->id)))
            return;
        acc = json_object_get(r->fields, "AccountId");
        a = json_object();
        if (json_is_string(acc) && json_string_length(acc))
            json_object_set_new(a, "company",
                                assoc_item(e, SYNC_KIND_COMPANY, SYNC_SIDE_SALESFORCE, "Account",
                                           json_string_value(acc)));
        if (opp) {
            json_t *list = json_array();
            json_array_foreach(roles, i, t)
            {
                json_t *it = assoc_item(e, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE, "Contact",
                                        json_string_value(t));
                const char *hs = sync_json_str(it, "other_id");
                char key[256];
                if (hs) {
                    assoc_key(key, sizeof(key), "hs", "life", hs, NULL);
                    if (json_object_get(p->assoc, key))
                        json_object_set(it, "lifecycle", json_object_get(p->assoc, key));
                }
                json_array_append_new(list, it);
            }
            json_object_set_new(a, "contacts", list);
        }
    }
    if (a && sync_rec_assoc(rec, a))
        sync_warn("plan", "out of memory reading the associations of %s", r->id);
    json_decref(a);
}

/* A change planned while one of its associated records had no counterpart yet is planned
 * again when links move (sync.c), so the association follows once the other record syncs. */
static void assoc_note_waiting(struct sync_engine *e, const struct change *ch,
                               const struct sync_rec *rec)
{
    int waits;

    if (!rec->r.has_assoc)
        return;
    waits = rec->r.company.id && !rec->r.company.other_id;
    for (size_t i = 0; !waits && i < rec->r.ncontacts; i++)
        waits = !rec->r.contacts[i].other_id;
    if (waits)
        sync__engine_wait(e, ch->system, ch->object, ch->id);
}

/* Wants of a round: the records whose associations are read, in batches. */
struct assoc_wants {
    struct strs hs_deals, hs_tickets, hs_contacts, hs_companies, sf_opps, sf_accounts;
    json_t *hs_activities; /* timeline sync: engagement object -> {id: true} */
};

static void assoc_wants_add(struct sync_engine *e, struct assoc_wants *w, const struct change *ch,
                            int linked, const struct sync_link *l)
{
    const char *other = linked ? (ch->side == SYNC_SIDE_HUBSPOT ? l->sf_id : l->hs_id) : "";

    switch (ch->kind) {
    case SYNC_KIND_DEAL:
        strs_add(ch->side == SYNC_SIDE_HUBSPOT ? &w->hs_deals : &w->sf_opps, ch->id);
        strs_add(ch->side == SYNC_SIDE_HUBSPOT ? &w->sf_opps : &w->hs_deals, other);
        break;
    case SYNC_KIND_CONTACT:
        if (!sync_settings_int(e->settings, SYNC_SETTING_COMPANY_SYNC))
            break;
        if (ch->side == SYNC_SIDE_HUBSPOT)
            strs_add(&w->hs_contacts, ch->id);
        else if (linked && strcasecmp(l->sf_object, "Contact") == 0)
            strs_add(&w->hs_contacts, other);
        break;
    case SYNC_KIND_TICKET:
        /* the ticket's company and contacts, to compare with the case's */
        strs_add(&w->hs_tickets, ch->side == SYNC_SIDE_HUBSPOT ? ch->id : other);
        break;
    case SYNC_KIND_COMPANY:
        if (linked)
            break; /* matching needs the people; a linked pair syncs fields only */
        strs_add(ch->side == SYNC_SIDE_HUBSPOT ? &w->hs_companies : &w->sf_accounts, ch->id);
        break;
    default:
        break;
    }
}

/* Records a company match looks at: the contacts of the round's unlinked companies and
 * accounts, where their counterparts belong, and the candidate companies and accounts. */
static enum sync_rc assoc_company_people(struct sync_engine *e, struct pool *p,
                                         const struct assoc_wants *w, struct sync_err *err)
{
    struct strs sf_contacts = {json_object()}, hs_contacts = {json_object()};
    struct strs accounts = {json_object()}, companies = {json_object()};
    const char *k;
    json_t *v, *t;
    size_t i;
    enum sync_rc rc;

    json_object_foreach(w->hs_companies.set, k, v)
    {
        json_array_foreach(json_object_get(hs_assoc_of(p, "companies", k, "contacts"), "to"), i, t)
        {
            struct sync_link l;
            if (found(link_of(e, SYNC_KIND_CONTACT, SYNC_SIDE_HUBSPOT, "contacts",
                              json_string_value(t), &l, NULL)) &&
                strcasecmp(l.sf_object, "Contact") == 0 && l.sf_id[0])
                strs_add(&sf_contacts, l.sf_id);
        }
    }
    json_object_foreach(w->sf_accounts.set, k, v)
    {
        json_array_foreach(sf_assoc_of(p, "acct", k), i, t)
        {
            struct sync_link l;
            if (found(link_of(e, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE, "Contact",
                              json_string_value(t), &l, NULL)) &&
                l.hs_id[0])
                strs_add(&hs_contacts, l.hs_id);
        }
    }
    rc = sf_contact_accounts(e, p, &sf_contacts, err);
    if (rc == SYNC_OK)
        rc = hs_assoc_read(e, p, "contacts", "companies", &hs_contacts, err);
    if (rc == SYNC_OK) {
        json_object_foreach(sf_contacts.set, k, v)
        {
            const json_t *acc = sf_assoc_of(p, "cacct", k);
            if (json_is_string(acc))
                strs_add(&accounts, json_string_value(acc));
        }
        json_object_foreach(hs_contacts.set, k, v)
        {
            strs_add(&companies,
                     sync_json_str(hs_assoc_of(p, "contacts", k, "companies"), "primary"));
        }
        rc = fetch_into(e, p, SYNC_SIDE_SALESFORCE, "Account", &accounts, err);
    }
    if (rc == SYNC_OK)
        rc = fetch_into(e, p, SYNC_SIDE_HUBSPOT, "companies", &companies, err);
    json_decref(sf_contacts.set);
    json_decref(hs_contacts.set);
    json_decref(accounts.set);
    json_decref(companies.set);
    return rc;
}

/* The lifecycle stage of the HubSpot contacts of the round's contact roles (automatic
 * lifecycle transitions), one batched read, into "hs:life:<id>". */
static enum sync_rc assoc_lifecycles(struct sync_engine *e, struct pool *p, struct sync_err *err)
{
    static const char *const fields[] = {"lifecyclestage", NULL};
    struct strs hs = {json_object()};
    struct sync_conn_batch b;
    const char *k, **list = NULL;
    json_t *v, *t;
    size_t i, n = 0;
    enum sync_rc rc = SYNC_OK;

    if (!hs.set)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    json_object_foreach(p->assoc, k, v)
    {
        if (strncmp(k, "sf:ocr:", 7) != 0)
            continue;
        json_array_foreach(v, i, t)
        {
            struct sync_link l;
            if (found(link_of(e, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE, "Contact",
                              json_string_value(t), &l, NULL)) &&
                l.hs_id[0])
                strs_add(&hs, l.hs_id);
        }
    }
    sync_conn_batch_init(&b);
    if (json_object_size(hs.set) && !(list = strs_list(&hs, &n)))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (rc == SYNC_OK && n)
        rc = sync_conn_fetch(e->hs, "contacts", NULL, list, n, fields, &b, err);
    json_array_foreach(b.records, i, t)
    {
        char key[256];
        const char *life = sync_json_str(json_object_get(t, "properties"), "lifecyclestage");
        assoc_key(key, sizeof(key), "hs", "life", sync_json_str(t, "id"), NULL);
        json_object_set_new(p->assoc, key, json_string(life ? life : ""));
    }
    sync_conn_batch_release(&b);
    free(list);
    json_decref(hs.set);
    return rc;
}

/* The round's association reads: a few batched calls, never one per record. */
static enum sync_rc assoc_prefetch(struct sync_engine *e, struct pool *p,
                                   const struct assoc_wants *w, struct sync_err *err)
{
    enum sync_rc rc = hs_assoc_read(e, p, "deals", "companies", &w->hs_deals, err);

    if (rc == SYNC_OK)
        rc = hs_assoc_read(e, p, "deals", "contacts", &w->hs_deals, err);
    if (rc == SYNC_OK)
        rc = hs_assoc_read(e, p, "tickets", "companies", &w->hs_tickets, err);
    if (rc == SYNC_OK)
        rc = hs_assoc_read(e, p, "tickets", "contacts", &w->hs_tickets, err);
    if (rc == SYNC_OK)
        rc = hs_assoc_read(e, p, "contacts", "companies", &w->hs_contacts, err);
    if (rc == SYNC_OK)
        rc = hs_assoc_read(e, p, "companies", "contacts", &w->hs_companies, err);
    if (rc == SYNC_OK)
        rc = sf_children_read(e, p, "ocr", "OpportunityContactRole", "OpportunityId", "ContactId",
                              &w->sf_opps, err);
    if (rc == SYNC_OK && sync_settings_int(e->settings, SYNC_SETTING_LIFECYCLE_TRANSITIONS))
        rc = assoc_lifecycles(e, p, err);
    if (rc == SYNC_OK)
        rc = sf_children_read(e, p, "acct", "Contact", "AccountId", "Id", &w->sf_accounts, err);
    if (rc == SYNC_OK &&
        (json_object_size(w->hs_companies.set) || json_object_size(w->sf_accounts.set)))
        rc = assoc_company_people(e, p, w, err);
    return rc;
}

/* ---- one change's inputs ---- */

struct inputs {
    struct sync_rec rec;               /* the change */
    struct sync_rec other;             /* the other side's record, when known */
    struct sync_rec extra[PLAN_TRIES]; /* records fetched for NEED_RECORD */
    size_t nextra;
    char gone_id[PLAN_TRIES][SYNC_STORE_ID_MAX];
    int have_link;
    struct sync_link link;
    struct sync_plan_link plink;
    struct sync_plan_link target;
    int have_target;
    char *ledger_mem; /* one block for the ledger strings */
    struct sync_plan_ledger ledger[MAX_LEDGER];
    size_t nledger;
    json_t *unsettled_mem; /* the strings the unsettled writes borrow */
    struct sync_plan_unsettled unsettled[MAX_UNSETTLED];
    size_t nunsettled;
    char err_mem[MAX_ERRORS][SYNC_STORE_KIND_MAX];
    const char *errors[MAX_ERRORS];
    size_t nerrors;
    struct sync_match_candidate cands[MAX_CANDIDATES];
    struct sync_plan_link cand_links[MAX_CANDIDATES];
    struct sync_rec cand_recs[MAX_CANDIDATES];
    size_t ncands;
    struct sync_match_person people[MAX_PEOPLE]; /* companies: their contacts */
    size_t npeople;
    json_t *mem;                                 /* strings the people (or the parties) borrow */
    struct sync_plan_party parties[MAX_PARTIES]; /* timeline sync: the activity's contacts */
    size_t nparties;
    struct sync_plan_campaign campaign; /* a form submission's campaign (form_campaigns) */
    int have_campaign;
    char new_link_id[SYNC_LINK_ID_LEN + 1];
};

static void inputs_release(struct inputs *in)
{
    sync_rec_release(&in->rec);
    sync_rec_release(&in->other);
    for (size_t i = 0; i < in->nextra; i++)
        sync_rec_release(&in->extra[i]);
    for (size_t i = 0; i < in->ncands; i++)
        sync_rec_release(&in->cand_recs[i]);
    free(in->ledger_mem);
    json_decref(in->unsettled_mem);
    json_decref(in->mem);
}

struct ledger_walk {
    struct inputs *in;
    struct sync_buf mem;
    size_t offs[MAX_LEDGER][2]; /* field, value offsets (value (size_t)-1: blank) */
};

static enum sync_rc ledger_row(void *ctx, const struct sync_ledger_entry *le)
{
    struct ledger_walk *w = ctx;
    size_t k = w->in->nledger;

    if (k == MAX_LEDGER)
        return SYNC_DECLINED;
    w->offs[k][0] = w->mem.len;
    if (sync_buf_add(&w->mem, le->field, strlen(le->field) + 1))
        return SYNC_ERR_NOMEM;
    w->offs[k][1] = (size_t)-1;
    if (le->value) {
        w->offs[k][1] = w->mem.len;
        if (sync_buf_add(&w->mem, le->value, strlen(le->value) + 1))
            return SYNC_ERR_NOMEM;
    }
    w->in->nledger++;
    return SYNC_OK;
}

static enum sync_rc ledger_load(struct sync_engine *e, struct inputs *in, struct sync_err *err)
{
    struct ledger_walk *w = calloc(1, sizeof(*w));
    enum sync_rc rc;

    if (!w)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    w->in = in;
    sync_buf_init(&w->mem, 64 * 1024 * 1024);
    rc = sync_store_ledger_list(e->st, in->link.link_id, ledger_row, w, err);
    if (rc == SYNC_OK && in->nledger) {
        in->ledger_mem = sync_buf_detach(&w->mem, NULL);
        for (size_t i = 0; i < in->nledger; i++) {
            in->ledger[i].field = in->ledger_mem + w->offs[i][0];
            in->ledger[i].value =
                w->offs[i][1] == (size_t)-1 ? NULL : in->ledger_mem + w->offs[i][1];
        }
    }
    sync_buf_release(&w->mem);
    free(w);
    return rc;
}

static enum sync_rc unsettled_row(void *ctx, const struct sync_unsettled *u)
{
    struct inputs *in = ctx;
    struct sync_plan_unsettled *pu = &in->unsettled[in->nunsettled];
    json_t *f, *v = NULL;

    if (in->nunsettled == MAX_UNSETTLED)
        return SYNC_DECLINED;
    if (!(f = json_string(u->field)) || json_array_append_new(in->unsettled_mem, f) ||
        (u->value && (!(v = json_string(u->value)) || json_array_append_new(in->unsettled_mem, v))))
        return SYNC_ERR_NOMEM;
    pu->side = strcmp(u->side, "hubspot") == 0 ? SYNC_SIDE_HUBSPOT : SYNC_SIDE_SALESFORCE;
    pu->field = json_string_value(f);
    pu->value = v ? json_string_value(v) : NULL;
    pu->sent_at = u->sent_at;
    in->nunsettled++;
    return SYNC_OK;
}

/* The link's writes whose landing is unknown (see sync_store_unsettled_put). */
static enum sync_rc unsettled_load(struct sync_engine *e, struct inputs *in, struct sync_err *err)
{
    if (!(in->unsettled_mem = json_array()))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    return sync_store_unsettled_list(e->st, in->link.link_id, unsettled_row, in, err);
}

static enum sync_rc error_row(void *ctx, const struct sync_error_row *er)
{
    struct inputs *in = ctx;
    if (in->nerrors == MAX_ERRORS)
        return SYNC_DECLINED;
    snprintf(in->err_mem[in->nerrors], sizeof(in->err_mem[0]), "%s", er->category);
    in->errors[in->nerrors] = in->err_mem[in->nerrors];
    in->nerrors++;
    return SYNC_OK;
}

static enum sync_rc new_link_id(char out[SYNC_LINK_ID_LEN + 1], struct sync_err *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[(SYNC_LINK_ID_LEN - 1) / 2];

    if (sync_random_bytes(r, sizeof(r)))
        return sync_err_set(err, SYNC_ERR_INTERNAL, "engine: no random bytes for a link id");
    out[0] = 'L';
    for (size_t i = 0; i < sizeof(r); i++) {
        out[1 + 2 * i] = hex[r[i] >> 4];
        out[2 + 2 * i] = hex[r[i] & 15];
    }
    out[SYNC_LINK_ID_LEN] = '\0';
    return SYNC_OK;
}

/* A record the engine created carries its link id: a change on it before the create's result
 * was recorded finds the link that way, with this side's id filled in. */
static void link_by_carried_id(struct sync_engine *e, const struct change *ch, struct inputs *in)
{
    const char *lid = sync_rec_link_id(&in->rec.r);
    struct sync_link l;
    char *mine;

    if (!lid || sync_store_link_get(e->st, lid, &l, NULL) != SYNC_OK ||
        strcmp(l.kind, sync_kind_name(ch->kind)) != 0)
        return;
    mine = ch->side == SYNC_SIDE_HUBSPOT ? l.hs_id : l.sf_id;
    if (mine[0])
        return; /* the link holds another record: this one is not ours */
    snprintf(mine, SYNC_STORE_ID_MAX, "%s", ch->id);
    if (ch->side == SYNC_SIDE_SALESFORCE)
        snprintf(l.sf_object, sizeof(l.sf_object), "%s", in->rec.r.object);
    in->link = l;
    in->have_link = 1;
    sync_debug("plan", "%s %s %s carries link id %s: the record the engine created", ch->system,
               ch->object, ch->id, lid);
}

/* A record fetched on demand, into the pool; NULL when the vendor has no such record. */
static json_t *fetch_one(struct sync_engine *e, struct pool *p, enum sync_side side,
                         const char *object, const char *id, struct sync_err *err, enum sync_rc *rc)
{
    struct strs ids = {json_object()};
    json_t *r;

    *rc = SYNC_OK;
    if ((r = pool_get(p, side, object, id))) {
        json_decref(ids.set);
        return r;
    }
    strs_add(&ids, id);
    *rc = fetch_into(e, p, side, object, &ids, err);
    json_decref(ids.set);
    return *rc ? NULL : pool_get(p, side, object, id);
}

/* Same-email candidates on the other side. */
static enum sync_rc candidates_load(struct sync_engine *e, const struct change *ch, struct pool *p,
                                    struct inputs *in, struct sync_err *err)
{
    char norm[SYNC_MATCH_EMAIL_MAX];
    const json_t *list, *r;
    size_t i;

    if (!sync_match_email_norm(sync_rec_email(&in->rec.r), norm, sizeof(norm)))
        return SYNC_OK;
    if (ch->side == SYNC_SIDE_HUBSPOT) {
        list = json_object_get(p->sf_people, norm);
        json_array_foreach(list, i, r)
        {
            struct sync_match_candidate *c = &in->cands[in->ncands];
            struct sync_rec *cr = &in->cand_recs[in->ncands];
            struct sync_link l;
            json_t *full;
            if (in->ncands == MAX_CANDIDATES)
                break;
            if (sync_rec_init(cr, SYNC_SIDE_SALESFORCE, "Lead", (json_t *)r))
                continue;
            memset(c, 0, sizeof(*c));
            c->object = cr->r.object;
            c->id = cr->r.id;
            c->email = sync_rec_email(&cr->r);
            c->created_at = cr->r.created_at;
            c->modified_at = cr->r.version;
            c->converted = cr->r.converted;
            if (found(link_of(e, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE, c->object, c->id, &l,
                              NULL))) {
                link_to_plan(&l, &in->cand_links[in->ncands]);
                c->link = &in->cand_links[in->ncands];
            }
            /* a full record fetched this round stands in for the key fields */
            if ((full = pool_get(p, SYNC_SIDE_SALESFORCE, c->object, c->id))) {
                struct sync_rec tmp;
                if (sync_rec_init(&tmp, SYNC_SIDE_SALESFORCE, c->object, full) == 0) {
                    sync_rec_release(cr);
                    *cr = tmp;
                    c->object = cr->r.object;
                    c->id = cr->r.id;
                    c->email = sync_rec_email(&cr->r);
                    c->record = &cr->r;
                } else {
                    sync_rec_release(&tmp);
                }
            }
            in->ncands++;
        }
        return SYNC_OK;
    }
    list = json_object_get(p->hs_people, norm);
    json_array_foreach(list, i, r)
    {
        struct sync_match_candidate *c = &in->cands[in->ncands];
        struct sync_rec *cr = &in->cand_recs[in->ncands];
        struct sync_link l;
        if (in->ncands == MAX_CANDIDATES)
            break;
        if (sync_rec_init(cr, SYNC_SIDE_HUBSPOT, "contacts", (json_t *)r))
            continue;
        memset(c, 0, sizeof(*c));
        c->object = "contacts";
        c->id = cr->r.id;
        c->email = sync_rec_email(&cr->r);
        c->created_at = cr->r.created_at;
        c->modified_at = cr->r.version;
        c->record = &cr->r;
        if (found(link_of(e, SYNC_KIND_CONTACT, SYNC_SIDE_HUBSPOT, "contacts", c->id, &l, NULL))) {
            link_to_plan(&l, &in->cand_links[in->ncands]);
            c->link = &in->cand_links[in->ncands];
            if (l.sf_id[0]) {
                /* when the record it syncs with last changed: a duplicate updated later takes
                 * the sync over */
                enum sync_rc rc;
                json_t *linked =
                    fetch_one(e, p, SYNC_SIDE_SALESFORCE, l.sf_object, l.sf_id, err, &rc);
                struct sync_rec lr;
                if (rc)
                    return rc;
                if (linked && sync_rec_init(&lr, SYNC_SIDE_SALESFORCE, l.sf_object, linked) == 0)
                    c->linked_modified_at = lr.r.version;
                if (linked)
                    sync_rec_release(&lr);
            }
        }
        in->ncands++;
    }
    return SYNC_OK;
}

/* The link a merge or a conversion re-points to, if one already holds that record. */
static void target_load(struct sync_engine *e, const struct change *ch, struct inputs *in)
{
    const struct sync_plan_record *r = &in->rec.r, *o = in->other.json ? &in->other.r : NULL;
    struct sync_link l;
    enum sync_rc rc = SYNC_ERR_NOT_FOUND;

    if (r->merged_into)
        rc = link_of(e, ch->kind, ch->side, r->object, r->merged_into, &l, NULL);
    else if (r->converted && r->converted_contact_id)
        rc = link_of(e, ch->kind, SYNC_SIDE_SALESFORCE, "Contact", r->converted_contact_id, &l,
                     NULL);
    else if (o && o->converted && o->converted_contact_id)
        rc = link_of(e, ch->kind, SYNC_SIDE_SALESFORCE, "Contact", o->converted_contact_id, &l,
                     NULL);
    if (rc == SYNC_OK) {
        link_to_plan(&l, &in->target);
        in->have_target = 1;
    }
}

/* A company match's inputs: the people of the unlinked company or account (its contacts, what
 * they are paired with, where their counterparts belong) and the candidates those lead to. */
static void person_add(struct sync_engine *e, struct inputs *in, const char *hs_id,
                       const char *sf_object, const char *sf_id, const char *sf_account_id,
                       const char *hs_company_id)
{
    json_t *o;
    struct sync_match_person *pp;

    if (in->npeople == MAX_PEOPLE)
        return;
    o = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "hs", hs_id, "so", sf_object, "si", sf_id, "sa",
                  sf_account_id, "hc", hs_company_id);
    if (!o || json_array_append_new(in->mem, o))
        return;
    pp = &in->people[in->npeople++];
    memset(pp, 0, sizeof(*pp));
    pp->hs_id = sync_json_str(o, "hs");
    pp->sf_object = sync_json_str(o, "so");
    pp->sf_id = sync_json_str(o, "si");
    pp->sf_account_id = sync_json_str(o, "sa");
    pp->hs_company_id = sync_json_str(o, "hc");
    pp->qualifies = sync__engine_qualifies(e, pp->hs_id);
}

static void candidate_add(struct sync_engine *e, const struct pool *p, struct inputs *in,
                          enum sync_side side, const char *id)
{
    const char *object = side == SYNC_SIDE_HUBSPOT ? "companies" : "Account";
    struct sync_match_candidate *c;
    struct sync_rec *cr;
    struct sync_link l;
    json_t *r;

    if (!id || !id[0] || in->ncands == MAX_CANDIDATES)
        return;
    for (size_t i = 0; i < in->ncands; i++)
        if (side == SYNC_SIDE_HUBSPOT ? strcmp(in->cands[i].id, id) == 0
                                      : sync_match_same_sf_id(in->cands[i].id, id))
            return;
    if (!(r = pool_get(p, side, object, id)))
        return; /* gone */
    cr = &in->cand_recs[in->ncands];
    if (sync_rec_init(cr, side, object, r))
        return;
    c = &in->cands[in->ncands];
    memset(c, 0, sizeof(*c));
    c->object = cr->r.object;
    c->id = cr->r.id;
    c->created_at = cr->r.created_at;
    c->modified_at = cr->r.version;
    c->record = &cr->r;
    if (found(link_of(e, SYNC_KIND_COMPANY, side, object, id, &l, NULL))) {
        link_to_plan(&l, &in->cand_links[in->ncands]);
        c->link = &in->cand_links[in->ncands];
    }
    in->ncands++;
}

static void company_inputs(struct sync_engine *e, const struct change *ch, const struct pool *p,
                           struct inputs *in)
{
    const json_t *t;
    size_t i;

    if (ch->side == SYNC_SIDE_HUBSPOT) {
        json_array_foreach(json_object_get(hs_assoc_of(p, "companies", ch->id, "contacts"), "to"),
                           i, t)
        {
            const char *hs = json_string_value(t), *acc = NULL;
            struct sync_link l;
            if (!hs)
                continue;
            if (!found(
                    link_of(e, SYNC_KIND_CONTACT, SYNC_SIDE_HUBSPOT, "contacts", hs, &l, NULL)) ||
                !l.sf_id[0]) {
                person_add(e, in, hs, NULL, NULL, NULL, ch->id);
                continue;
            }
            if (strcasecmp(l.sf_object, "Contact") == 0) {
                const json_t *a = sf_assoc_of(p, "cacct", l.sf_id);
                acc = json_is_string(a) ? json_string_value(a) : NULL;
            }
            person_add(e, in, hs, l.sf_object, l.sf_id, acc, ch->id);
            candidate_add(e, p, in, SYNC_SIDE_SALESFORCE, acc);
        }
        return;
    }
    json_array_foreach(sf_assoc_of(p, "acct", ch->id), i, t)
    {
        const char *sf = json_string_value(t), *co = NULL;
        struct sync_link l;
        if (!sf)
            continue;
        if (found(link_of(e, SYNC_KIND_CONTACT, SYNC_SIDE_SALESFORCE, "Contact", sf, &l, NULL)) &&
            l.hs_id[0]) {
            co = sync_json_str(hs_assoc_of(p, "contacts", l.hs_id, "companies"), "primary");
            person_add(e, in, l.hs_id, "Contact", sf, ch->id, co);
            candidate_add(e, p, in, SYNC_SIDE_HUBSPOT, co);
        } else {
            person_add(e, in, NULL, "Contact", sf, ch->id, NULL);
        }
    }
}

/* ---- timeline sync ---- */

/* Whether a timeline object names its contact by email (a form submission, a marketing email
 * event, a document view) rather than by associations (an engagement; a sales email's open or
 * click: the email's). */
static int timeline_by_email(const char *object)
{
    return strcmp(object, "form_submissions") == 0 || strcmp(object, "email_events") == 0 ||
           strcmp(object, "document_views") == 0;
}

/* The engagement whose contacts an activity has: itself, or a sales email event's email. */
static void timeline_engagement(const char *object, const char *id, const json_t *fields,
                                const char **eng_object, const char **eng_id)
{
    *eng_object = object;
    *eng_id = id;
    if (strcmp(object, "sales_email_events") == 0) {
        *eng_object = "emails";
        *eng_id = sync_json_str(fields, "email_id");
    }
}

/* What a HubSpot activity needs read: an engagement's contacts (associations), a form
 * submission's, email event's or document view's contact (by email). */
static void timeline_wants(struct assoc_wants *w, struct strs *hs_emails, const struct change *ch,
                           const struct sync_rec *rec)
{
    char norm[SYNC_MATCH_EMAIL_MAX];
    const char *email = sync_json_str(rec->r.fields, "email");
    const char *object, *id;
    json_t *set;

    if (timeline_by_email(ch->object)) {
        if (email && sync_match_email_norm(email, norm, sizeof(norm)))
            strs_add(hs_emails, norm);
        return;
    }
    timeline_engagement(ch->object, ch->id, rec->r.fields, &object, &id);
    if (!id)
        return;
    if (!(set = json_object_get(w->hs_activities, object))) {
        set = json_object();
        json_object_set_new(w->hs_activities, object, set);
    }
    json_object_set_new(set, id, json_true());
}

/* The engagements' contacts (one association read per object), the contacts themselves (when
 * they were created, their owner), and when each timeline type was turned on. */
static enum sync_rc timeline_prefetch(struct sync_engine *e, struct pool *p,
                                      const struct assoc_wants *w, struct sync_err *err)
{
    struct strs contacts = {json_object()};
    const char *object, *id;
    json_t *set, *v, *t;
    size_t i;
    enum sync_rc rc = SYNC_OK;

    json_object_foreach(w->hs_activities, object, set)
    {
        struct strs ids = {set};
        if (rc == SYNC_OK)
            rc = hs_assoc_read(e, p, object, "contacts", &ids, err);
        json_object_foreach(set, id, v)
        {
            json_array_foreach(json_object_get(hs_assoc_of(p, object, id, "contacts"), "to"), i, t)
            {
                if (json_is_string(t) &&
                    !pool_get(p, SYNC_SIDE_HUBSPOT, "contacts", json_string_value(t)))
                    strs_add(&contacts, json_string_value(t));
            }
        }
    }
    if (rc == SYNC_OK && json_object_size(contacts.set))
        rc = fetch_into(e, p, SYNC_SIDE_HUBSPOT, "contacts", &contacts, err);
    json_decref(contacts.set);
    return rc;
}

/* Salesforce's Task Type field, when a timeline type names a task Type to check (one describe
 * of Task per engine, which the task's write needs anyway). */
static enum sync_rc task_type_field(struct sync_engine *e, const struct sync_field_def **out,
                                    struct sync_err *err)
{
    const struct sync_field_catalog *cat;
    enum sync_rc rc;
    int any = 0;

    *out = NULL;
    for (int t = 0; t < SYNC_TIMELINE__COUNT && !any; t++) {
        const char *v =
            sync_settings_str(e->settings, sync_setting_timeline((enum sync_timeline_type)t,
                                                                 SYNC_TIMELINE_TASK_TYPE));
        any = v && *v;
    }
    if (!any)
        return SYNC_OK;
    if ((rc = sync__engine_catalog(e, SYNC_SIDE_SALESFORCE, "Task", &cat, err)))
        return rc;
    *out = sync_field_catalog_find(cat, "Type");
    return SYNC_OK;
}

/* When each timeline type was turned on (sync.c keeps it in the store). */
static void timeline_since_load(struct sync_engine *e, struct pool *p)
{
    for (int t = 0; t < SYNC_TIMELINE__COUNT; t++)
        p->since[t] = sync__engine_since(
            e, sync_setting_timeline((enum sync_timeline_type)t, SYNC_TIMELINE_ON));
}

/* One contact of an activity, with where it syncs. */
static void party_add(struct sync_engine *e, const struct pool *p, struct inputs *in,
                      const char *hs_id)
{
    const json_t *c = pool_get(p, SYNC_SIDE_HUBSPOT, "contacts", hs_id);
    const json_t *props = json_object_get(c, "properties");
    struct sync_plan_party *pa;
    struct sync_link l;
    json_t *keep;

    if (in->nparties == MAX_PARTIES || !hs_id)
        return;
    for (size_t i = 0; i < in->nparties; i++)
        if (strcmp(in->parties[i].hs_id, hs_id) == 0)
            return;
    pa = &in->parties[in->nparties++];
    memset(pa, 0, sizeof(*pa));
    keep = json_pack("{s:s, s:s?}", "hs", hs_id, "owner", sync_json_str(props, "hubspot_owner_id"));
    pa->created_at = sync_activity_time(props, "createdate");
    if (found(link_of(e, SYNC_KIND_CONTACT, SYNC_SIDE_HUBSPOT, "contacts", hs_id, &l, NULL)) &&
        l.state != SYNC_LINK_DELETED && l.state != SYNC_LINK_DETACHED) {
        json_object_set_new(keep, "object", json_string(l.sf_object));
        json_object_set_new(keep, "sf", json_string(l.sf_id));
        json_object_set_new(keep, "link", json_string(l.link_id));
        pa->pending = !l.sf_id[0];
    }
    json_array_append_new(in->mem, keep);
    pa->hs_id = sync_json_str(keep, "hs");
    pa->owner_id = sync_json_str(keep, "owner");
    pa->sf_object = sync_json_str(keep, "object");
    pa->sf_id = sync_json_str(keep, "sf");
    pa->link_id = sync_json_str(keep, "link");
}

/* A HubSpot record (payload: its text) put into the inbox, in the round's open transaction. */
static enum sync_rc hs_inbox_put(struct sync_engine *e, const char *object, const char *id,
                                 int64_t version, struct sync_buf *payload, struct sync_err *err)
{
    struct sync_change c;

    memset(&c, 0, sizeof(c));
    c.system = "hubspot";
    c.object = object;
    c.record_id = id;
    c.version = version;
    c.payload = sync_buf_str(payload);
    return sync_store_inbox_put(e->st, &c, NULL, err);
}

/* A new activity is a sync trigger (seed 002: a form submission, an email opened, a meeting
 * booked, ...): each of its contacts that syncs is queued to sync again now. */
static enum sync_rc timeline_trigger(struct sync_engine *e, const struct inputs *in,
                                     struct sync_err *err)
{
    struct sync_buf text = SYNC_BUF_INIT(1024);
    enum sync_rc rc = SYNC_OK;

    if (!sync_settings_int(e->settings, SYNC_SETTING_CONTACT_SYNC))
        return SYNC_OK;
    for (size_t i = 0; rc == SYNC_OK && i < in->nparties; i++) {
        json_t *m;
        if (!in->parties[i].sf_id || !in->parties[i].sf_id[0])
            continue;
        /* a resync marker (health.h), put in the round's open transaction (the health call
         * would open one of its own) */
        m = json_pack("{s:s, s:{s:I, s:[]}}", "id", in->parties[i].hs_id, SYNC_HEALTH_RESYNC_MARK,
                      "requested_at", (json_int_t)sync_time_now_ms(), "errors");
        sync_buf_reset(&text);
        rc = m ? sync_json_dump(m, &text) : SYNC_ERR_NOMEM;
        json_decref(m);
        if (rc) {
            rc = sync_err_set(err, rc, "the resync marker of contact %s does not fit",
                              in->parties[i].hs_id);
            break;
        }
        /* version 0: any captured change is newer and replaces it */
        rc = hs_inbox_put(e, "contacts", in->parties[i].hs_id, 0, &text, err);
    }
    sync_buf_release(&text);
    return rc;
}

/* The campaign form_campaigns names for form (NULL: none) into out (cap n). */
static const char *campaign_of_form(const char *setting, const char *form, char *out, size_t n)
{
    struct sync_form_campaign fc;

    for (const char *s = sync_form_campaign_next(setting, &fc); s && form;
         s = sync_form_campaign_next(s, &fc))
        if (fc.ok && strcmp(fc.form, form) == 0) {
            snprintf(out, n, "%s", fc.campaign);
            return out;
        }
    return NULL;
}

/* A form submission's campaign (form_campaigns), as the round read it. */
static void form_campaign(struct sync_engine *e, const struct pool *p, struct inputs *in)
{
    char id[SYNC_STORE_ID_MAX];
    const json_t *c;
    json_t *keep;

    if (!campaign_of_form(sync_settings_str(e->settings, SYNC_SETTING_FORM_CAMPAIGNS),
                          sync_json_str(in->rec.r.fields, "form_id"), id, sizeof(id)))
        return;
    c = pool_get(p, SYNC_SIDE_SALESFORCE, "Campaign", id);
    keep = json_pack("{s:s, s:s?}", "id", id, "name", sync_json_str(c, "Name"));
    json_array_append_new(in->mem, keep);
    in->campaign.id = sync_json_str(keep, "id");
    in->campaign.name = sync_json_str(keep, "name");
    in->campaign.found = c != NULL;
    in->campaign.active = sync_json_bool(c, "IsActive", 0);
    in->have_campaign = 1;
}

/* The campaigns of form_campaigns, read once per round that holds a form submission. */
static enum sync_rc campaigns_read(struct sync_engine *e, struct pool *p, struct sync_err *err)
{
    static const char *const fields[] = {"Name", "IsActive", NULL};
    const char *s = sync_settings_str(e->settings, SYNC_SETTING_FORM_CAMPAIGNS);
    struct strs ids = {json_object()};
    struct sync_form_campaign fc;
    struct sync_conn_batch b;
    const json_t *r;
    size_t i;
    enum sync_rc rc;

    for (s = sync_form_campaign_next(s, &fc); s; s = sync_form_campaign_next(s, &fc))
        if (fc.ok)
            strs_add(&ids, fc.campaign);
    rc = fetch_ids(e->sf, "Campaign", NULL, &ids, fields, &b, err);
    if (rc && err && err->cls == SYNC_ERRCLASS_PERMANENT && err->http_status >= 400 &&
        err->http_status < 500) {
        /* refused for good (an id Salesforce does not take, no Campaign access): the forms'
         * campaigns count as missing, and the rest of the round plans on */
        sync_warn("plan", "the campaigns of form_campaigns cannot be read: %s", err->message);
        sync_err_clear(err);
        rc = SYNC_OK;
    }
    json_array_foreach(b.records, i, r)
    {
        pool_put(p, SYNC_SIDE_SALESFORCE, "Campaign", (json_t *)r);
    }
    sync_conn_batch_release(&b);
    json_decref(ids.set);
    return rc;
}

/* An activity's contacts, and its deterministic link id: the activity's own, so a replay (a
 * crash, a lost store) upserts the same Salesforce task instead of making a second. */
static enum sync_rc timeline_inputs(struct sync_engine *e, const struct change *ch,
                                    const struct pool *p, struct inputs *in, struct sync_err *err)
{
    struct sync_buf hex = SYNC_BUF_INIT(128);
    char key[SYNC_STORE_NAME_MAX + SYNC_STORE_ID_MAX + 16];
    const json_t *t;
    size_t i;

    if (!(in->mem = json_array()))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (strcmp(ch->object, "form_submissions") == 0)
        form_campaign(e, p, in);
    if (timeline_by_email(ch->object)) {
        char norm[SYNC_MATCH_EMAIL_MAX];
        const char *email = sync_json_str(in->rec.r.fields, "email");
        if (email && sync_match_email_norm(email, norm, sizeof(norm)))
            json_array_foreach(json_object_get(p->hs_people, norm), i, t)
            {
                party_add(e, p, in, sync_json_str(t, "id"));
            }
    } else {
        const char *object, *id;
        timeline_engagement(ch->object, ch->id, in->rec.r.fields, &object, &id);
        json_array_foreach(json_object_get(hs_assoc_of(p, object, id, "contacts"), "to"), i, t)
        {
            party_add(e, p, in, json_string_value(t));
        }
    }
    /* an event cannot be read again by id: timeline_park keeps it while it waits */
    for (i = 0; i < in->nparties && !sync_timeline_event(ch->object); i++)
        if (in->parties[i].pending)
            sync__engine_wait(e, ch->system, ch->object, ch->id);
    snprintf(key, sizeof(key), "timeline:%s:%s", ch->object, ch->id);
    if (sync_sha256_hex(key, strlen(key), &hex)) {
        sync_buf_release(&hex);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    snprintf(in->new_link_id, sizeof(in->new_link_id), "L%.24s", sync_buf_str(&hex));
    sync_buf_release(&hex);
    return SYNC_OK;
}

/* The events a HubSpot email or contact holds in its calculated properties (a sales email
 * opened or clicked, a sales document viewed; engine/activity.h), put into the inbox in the
 * round's transaction when their type is on, they happened since it was turned on, and they are
 * not synced already; a later round plans them as it plans form submissions. */
static enum sync_rc timeline_derive(struct sync_engine *e, const struct change *ch,
                                    const struct pool *p, const struct inputs *in,
                                    struct sync_err *err)
{
    struct sync_buf text = SYNC_BUF_INIT(64 * 1024);
    enum sync_rc rc = SYNC_OK;
    json_t *evs, *ev;
    size_t i;

    if (ch->side != SYNC_SIDE_HUBSPOT || in->rec.r.deleted)
        return SYNC_OK;
    if (!(evs = sync_activity_derived(ch->object, ch->id, in->rec.r.fields)))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    json_array_foreach(evs, i, ev)
    {
        const json_t *rec = json_object_get(ev, "record");
        const char *object = sync_json_str(ev, "object"), *id = sync_json_str(ev, "id");
        int64_t at = sync_json_int(ev, "at", 0);
        enum sync_timeline_type t;
        struct sync_link l;

        if (rc || sync_activity_type(object, json_object_get(rec, "properties"), &t) ||
            !sync_settings_int(e->settings, sync_setting_timeline(t, SYNC_TIMELINE_ON)) ||
            !p->since[t] || at < p->since[t] ||
            found(link_of(e, SYNC_KIND_TIMELINE, SYNC_SIDE_HUBSPOT, object, id, &l, NULL)))
            continue;
        sync_buf_reset(&text);
        if ((rc = sync_json_dump(rec, &text))) {
            rc = sync_err_set(err, rc, "the %s event %s does not fit", object, id);
            break;
        }
        rc = hs_inbox_put(e, object, id, at, &text, err);
    }
    json_decref(evs);
    sync_buf_release(&text);
    return rc;
}

/* A form submission or email event whose plan waits for its contact (an "associations"
 * error): kept as captured, to go back into the inbox when links move (capture/timeline.h). */
static enum sync_rc timeline_park(struct sync_engine *e, const struct change *ch,
                                  const struct sync_plan *plan, struct sync_err *err)
{
    for (size_t i = 0; sync_timeline_event(ch->object) && i < plan->nops; i++)
        if (plan->ops[i].kind == SYNC_PLAN_OP_RECORD_ERROR &&
            plan->ops[i].category == SYNC_PLAN_ERR_ASSOCIATIONS)
            return sync_timeline_park(e->st, ch->object, ch->id, ch->version, ch->payload, err);
    return SYNC_OK;
}

static enum sync_rc inputs_load(struct sync_engine *e, struct change *ch, struct pool *p,
                                struct inputs *in, struct sync_err *err)
{
    struct sync_error_query q;
    enum sync_rc rc;

    if (sync_rec_init(&in->rec, ch->side, ch->object, ch->json))
        return sync_err_set(err, SYNC_ERR_PARSE, "the captured record has no id");
    in->rec.r.version = ch->version;
    in->rec.r.deleted |= ch->deleted;
    if (ch->merged_into) {
        in->rec.r.deleted = 1;
        in->rec.r.merged_into = ch->merged_into;
    }
    rc = link_of(e, ch->kind, ch->side, in->rec.r.object, ch->id, &in->link, err);
    if (rc == SYNC_OK)
        in->have_link = 1;
    else if (rc == SYNC_ERR_NOT_FOUND)
        link_by_carried_id(e, ch, in);
    else
        return rc;
    sync_err_clear(err);
    if (in->have_link) {
        const char *oid = ch->side == SYNC_SIDE_HUBSPOT ? in->link.sf_id : in->link.hs_id;
        const char *oobj =
            ch->side == SYNC_SIDE_HUBSPOT ? in->link.sf_object : sync_kind_hs_object(ch->kind);
        json_t *o = oid[0] ? pool_get(p,
                                      ch->side == SYNC_SIDE_HUBSPOT ? SYNC_SIDE_SALESFORCE
                                                                    : SYNC_SIDE_HUBSPOT,
                                      oobj, oid)
                           : NULL;
        link_to_plan(&in->link, &in->plink);
        if ((rc = ledger_load(e, in, err)) || (rc = unsettled_load(e, in, err)))
            return rc;
        if (o &&
            sync_rec_init(&in->other,
                          ch->side == SYNC_SIDE_HUBSPOT ? SYNC_SIDE_SALESFORCE : SYNC_SIDE_HUBSPOT,
                          oobj, o) == 0)
            assoc_attach(e, p, &in->other);
    }
    assoc_attach(e, p, &in->rec);
    assoc_note_waiting(e, ch, &in->rec);
    if (ch->kind == SYNC_KIND_COMPANY && !in->have_link) {
        if (!(in->mem = json_array()))
            return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
        company_inputs(e, ch, p, in);
    }
    memset(&q, 0, sizeof(q));
    q.system = ch->system;
    q.object = ch->object;
    q.record_id = ch->id;
    if ((rc = sync_store_error_list(e->st, &q, error_row, in, err)))
        return rc;
    if (ch->kind == SYNC_KIND_CONTACT && (ch->side == SYNC_SIDE_HUBSPOT || !in->have_link))
        if ((rc = candidates_load(e, ch, p, in, err)))
            return rc;
    target_load(e, ch, in);
    if (ch->kind == SYNC_KIND_TIMELINE)
        return timeline_inputs(e, ch, p, in, err);
    return new_link_id(in->new_link_id, err);
}

/* ---- checking writes against the target's catalogue ---- */

/* The ledger key a written field is recorded under. */
static const char *ledger_key(struct sync_engine *e, enum sync_kind kind,
                              const struct sync_plan_op *op, const char *field)
{
    const struct sync_mapping *m;

    if (op->target == SYNC_SIDE_HUBSPOT)
        return field;
    if (strcasecmp(field, "AccountId") == 0)
        return "assoc:company";
    m = sync_mapping_set_find_sf(&e->maps, kind, op->object, field);
    return m ? m->hs.name : field;
}

static int writable(const struct sync_field_def *d, int create)
{
    if (!d || (d->flags & SYNC_FIELD_CALCULATED))
        return 0;
    return (d->flags & (create ? SYNC_FIELD_CREATEABLE : SYNC_FIELD_UPDATEABLE)) != 0;
}

/* A Salesforce field describe knows but says the integration user may not set: field-level
 * security (a calculated field is read-only by nature, and dropped quietly). */
static int denied(const struct sync_plan_op *op, const struct sync_field_def *d)
{
    return op->target == SYNC_SIDE_SALESFORCE && d && !(d->flags & SYNC_FIELD_CALCULATED) &&
           !writable(d, op->kind == SYNC_PLAN_OP_CREATE);
}

static int any_denied(const struct sync_plan_op *op, const struct sync_field_catalog *cat)
{
    const char *k;
    json_t *v;

    json_object_foreach(op->fields, k, v)
    {
        if (denied(op, sync_field_catalog_find(cat, k)))
            return 1;
    }
    return 0;
}

/* The op's catalogue; when it refuses a field to the integration user, described again if
 * older than SYNC_ENGINE_CATALOG_RECHECK_MS (access may have been given since), or at once for
 * a resync (what a user asks for once access is given). */
static enum sync_rc op_catalog(struct sync_engine *e, const struct sync_plan_op *op, int resync,
                               const struct sync_field_catalog **cat, struct sync_err *err)
{
    enum sync_rc rc = sync__engine_catalog(e, op->target, op->object, cat, err);

    if (rc || !any_denied(op, *cat))
        return rc;
    return sync__engine_catalog_recheck(e, op->target, op->object,
                                        resync ? 0 : SYNC_ENGINE_CATALOG_RECHECK_MS, cat, err);
}

/* Drops one field the target cannot take from op (and its ledger rows). */
static void field_drop(struct sync_engine *e, enum sync_kind kind, struct sync_plan *plan, size_t i,
                       const char *k, int by_security, char *skip)
{
    struct sync_plan_op *op = &plan->ops[i];
    const char *lk = ledger_key(e, kind, op, k);

    if (by_security)
        sync_trace_add(&plan->trace,
                       "field %s: Salesforce %s %s is read-only for the integration user "
                       "(field-level security); it is not synced",
                       lk, op->object, k);
    else
        sync_trace_add(&plan->trace,
                       "field %s: %s %s has no field %s the integration may %s; it is not synced",
                       lk, op->target == SYNC_SIDE_HUBSPOT ? "HubSpot" : "Salesforce", op->object,
                       k, op->kind == SYNC_PLAN_OP_CREATE ? "set" : "change");
    for (size_t j = 0; j < plan->nops; j++) {
        struct sync_plan_op *lp = &plan->ops[j];
        if (lp->kind == SYNC_PLAN_OP_LEDGER_PUT && lp->target == op->target && lp->field &&
            strcmp(lp->field, lk) == 0 && strcmp(lp->link_id, op->link_id) == 0)
            skip[j] = 1;
    }
    json_object_del(op->fields, k);
}

/* Drops fields the target cannot take from every write (and their ledger rows); marks writes
 * left with nothing to do (updates) in skip[]. Fields Salesforce refuses to the integration
 * user are a field_permissions error on rec, as Salesforce's own refusal would be, while the
 * rest of the record syncs: one op added to the plan, for which skip[] has room. */
static enum sync_rc writes_check(struct sync_engine *e, const struct change *ch,
                                 const struct sync_plan_record *rec, const char *link_id,
                                 struct sync_plan *plan, char *skip, struct sync_err *err)
{
    struct sync_buf refused = SYNC_BUF_INIT(SYNC_ERR_MSG_MAX / 2);
    enum sync_rc rc = SYNC_OK;
    size_t nops = plan->nops;

    for (size_t i = 0; rc == SYNC_OK && i < nops; i++) {
        struct sync_plan_op *op = &plan->ops[i];
        const struct sync_field_catalog *cat;
        const char *k;
        json_t *v, *tmp;

        if ((op->kind != SYNC_PLAN_OP_CREATE && op->kind != SYNC_PLAN_OP_UPDATE) || !op->fields)
            continue;
        if ((rc = op_catalog(e, op, ch->resync, &cat, err)))
            break;
        json_object_foreach_safe(op->fields, tmp, k, v)
        {
            const struct sync_field_def *d = sync_field_catalog_find(cat, k);
            if (writable(d, op->kind == SYNC_PLAN_OP_CREATE))
                continue;
            if (denied(op, d))
                sync_buf_addf(&refused, "%s%s.%s", refused.len ? ", " : "", op->object, k);
            field_drop(e, ch->kind, plan, i, k, denied(op, d), skip);
        }
        if (op->kind == SYNC_PLAN_OP_UPDATE && json_object_size(op->fields) == 0)
            skip[i] = 1;
    }
    if (rc == SYNC_OK && refused.len) {
        char msg[SYNC_ERR_MSG_MAX];
        snprintf(msg, sizeof(msg),
                 "Salesforce's describe says the integration user may not edit %s (field-level "
                 "security): the rest of the record synced without it. Give the integration user "
                 "edit access to the field in Salesforce, then resync the record",
                 sync_buf_str(&refused));
        sync_trace_add(&plan->trace, "error (field_permissions): %s", msg);
        if ((rc = sync_plan_add_error(plan, rec, link_id, SYNC_PLAN_ERR_FIELD_PERMISSIONS, 0, msg)))
            sync_err_set(err, rc, "out of memory");
    }
    sync_buf_release(&refused);
    return rc;
}

/* The record a field Salesforce refuses is filed on: the change's, except a Salesforce change
 * whose plan carries HubSpot's value back to it: then the value that does not reach Salesforce
 * is the HubSpot record's, and the error is filed there (as apply.c files a refused write), so
 * the same refusal planned from both sides is one error. */
static const struct sync_plan_record *refused_on(const struct change *ch, const struct inputs *in,
                                                 struct sync_plan_record *about)
{
    if (ch->side != SYNC_SIDE_SALESFORCE || !in->have_link || !in->link.hs_id[0])
        return &in->rec.r;
    memset(about, 0, sizeof(*about));
    about->system = SYNC_SIDE_HUBSPOT;
    about->object = sync_kind_hs_object(ch->kind);
    about->id = in->link.hs_id;
    return about;
}

/* ---- storing a plan ---- */

static const char *op_name(enum sync_plan_op_kind k)
{
    return k == SYNC_PLAN_OP_CREATE      ? "upsert"
           : k == SYNC_PLAN_OP_UPDATE    ? "update"
           : k == SYNC_PLAN_OP_ASSOCIATE ? "associate"
                                         : "delete";
}

/* The HubSpot object an association's ledger row is about ("assoc:company": companies,
 * "assoc:contact": a ticket's contact), or NULL for a field's row. */
static const char *assoc_ledger_object(const char *field)
{
    if (!field)
        return NULL;
    if (strcmp(field, "assoc:company") == 0)
        return "companies";
    if (strcmp(field, "assoc:contact") == 0)
        return "contacts";
    if (strcmp(field, "assoc:deal") == 0)
        return "deals";
    if (strcmp(field, "assoc:ticket") == 0)
        return "tickets";
    return NULL;
}

/* Whether the plan writes an association of link_id on target to to_object through an
 * associate op (HubSpot): its ledger row rides with that op, not with the field writes. */
static int assoc_op(const struct sync_plan *plan, enum sync_side target, const char *link_id,
                    const char *to_object)
{
    for (size_t j = 0; to_object && j < plan->nops; j++) {
        const struct sync_plan_op *a = &plan->ops[j];
        if (a->kind == SYNC_PLAN_OP_ASSOCIATE && a->target == target && !a->via[0] &&
            strcmp(a->to_object, to_object) == 0 && strcmp(a->link_id, link_id) == 0)
            return 1;
    }
    return 0;
}

static const char *agreed_name(enum sync_side s)
{
    return s == SYNC_SIDE_NONE ? "both" : sync__side_name(s);
}

/* The categories of the errors this plan files (a field refused by field-level security, a
 * state not in the picklist: the rest of the record is still written), under "keep_errors":
 * the write landing must not resolve them (apply.c record_ok). */
static int keep_errors_add(const struct sync_plan *plan, json_t *p)
{
    json_t *keep = NULL;

    for (size_t j = 0; j < plan->nops; j++) {
        const struct sync_plan_op *e = &plan->ops[j];
        if (e->kind != SYNC_PLAN_OP_RECORD_ERROR)
            continue;
        if ((!keep && !(keep = json_array())) ||
            json_array_append_new(keep, json_string(sync_plan_errcat_name(e->category)))) {
            json_decref(keep);
            return -1;
        }
    }
    return keep ? json_object_set_new(p, "keep_errors", keep) : 0;
}

/* The outbox payload of write op i, with the ledger rows that wait for it. */
static json_t *write_payload(const struct change *ch, const struct sync_plan *plan, size_t i,
                             const char *skip, char *ledger_taken)
{
    const struct sync_plan_op *op = &plan->ops[i];
    json_t *ledger = json_array();
    json_t *fields = op->fields ? json_incref(op->fields) : json_object();
    json_t *p = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:o, s:i, s:o}", "kind",
                          sync_kind_name(ch->kind), "source", "system", ch->system, "object",
                          ch->object, "id", ch->id, "id", op->id, "fields", fields, "flags",
                          (op->flags & SYNC_PLAN_F_ASSIGN_RULES) ? (int)SYNC_APPLY_F_ASSIGN : 0,
                          "ledger", ledger);

    if (!p || keep_errors_add(plan, p)) {
        json_decref(p);
        return NULL;
    }
    if (op->kind == SYNC_PLAN_OP_DELETE)
        return p;
    if (op->kind == SYNC_PLAN_OP_ASSOCIATE) {
        json_t *a =
            json_pack("{s:s, s:s, s:s, s:s, s:s}", "to_object", op->to_object, "to_id", op->to_id,
                      "to_link_id", op->to_link_id, "via", op->via, "remove_id", op->remove_id);
        int bad = !a || json_object_update(p, a);
        json_decref(a);
        if (bad) {
            json_decref(p);
            return NULL;
        }
    }
    for (size_t j = 0; j < plan->nops; j++) {
        const struct sync_plan_op *lp = &plan->ops[j];
        const char *about = assoc_ledger_object(lp->field);
        if (lp->kind != SYNC_PLAN_OP_LEDGER_PUT || skip[j] || ledger_taken[j] ||
            lp->target != op->target || strcmp(lp->link_id, op->link_id) != 0)
            continue;
        if (op->kind == SYNC_PLAN_OP_ASSOCIATE
                ? !about || op->via[0] || strcmp(op->to_object, about) != 0
                : about && assoc_op(plan, op->target, op->link_id, about))
            continue;
        ledger_taken[j] = 1;
        json_array_append_new(
            ledger, json_pack("{s:s, s:s?, s:s, s:I}", "field", lp->field, "value", lp->value, "by",
                              agreed_name(lp->agreed_by), "at", (json_int_t)lp->at));
    }
    return p;
}

static enum sync_rc op_link(struct sync_engine *e, const struct sync_plan_op *op,
                            struct sync_err *err)
{
    struct sync_link l;
    enum sync_rc rc;

    memset(&l, 0, sizeof(l));
    e->link_moves++;
    if (op->kind == SYNC_PLAN_OP_BIND_LINK) {
        link_from_plan(&op->link, &l);
        return sync_store_link_insert_as(e->st, &l, err);
    }
    if ((rc = sync_store_link_get(e->st, op->link.link_id, &l, err)))
        return rc;
    if ((strcmp(l.hs_id, op->link.hs_id) || strcmp(l.sf_id, op->link.sf_id)) &&
        (rc = sync_store_ledger_clear(e->st, l.link_id, err)))
        return rc;
    snprintf(l.hs_id, sizeof(l.hs_id), "%s", op->link.hs_id);
    snprintf(l.sf_object, sizeof(l.sf_object), "%s", op->link.sf_object);
    snprintf(l.sf_id, sizeof(l.sf_id), "%s", op->link.sf_id);
    l.state = (enum sync_link_state)op->link.state;
    return sync_store_link_update(e->st, &l, err);
}

static enum sync_rc op_enqueue(struct sync_engine *e, const struct change *ch,
                               struct sync_plan *plan, size_t i, const char *skip,
                               char *ledger_taken, struct sync_err *err)
{
    const struct sync_plan_op *op = &plan->ops[i];
    struct sync_buf text = SYNC_BUF_INIT(PAYLOAD_MAX);
    struct sync_outbox_entry o;
    json_t *p;
    enum sync_rc rc;

    if (!op->link_id[0]) {
        sync_trace_add(&plan->trace, "%s of %s %s has no link: not supported by this build",
                       op_name(op->kind), op->object, op->id);
        return SYNC_OK;
    }
    if (!(p = write_payload(ch, plan, i, skip, ledger_taken)))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    rc = sync_json_dump(p, &text);
    json_decref(p);
    if (rc) {
        sync_buf_release(&text);
        return sync_err_set(err, rc, "engine: the write is too large for the outbox");
    }
    memset(&o, 0, sizeof(o));
    o.link_id = op->link_id;
    o.target = sync__side_name(op->target);
    o.object = op->object;
    o.op = op_name(op->kind);
    o.payload = sync_buf_str(&text);
    rc = sync_store_outbox_enqueue(e->st, &o, NULL, err);
    sync_buf_release(&text);
    return rc;
}

static enum sync_rc op_store(struct sync_engine *e, const struct change *ch, struct sync_plan *plan,
                             size_t i, const char *skip, char *ledger_taken,
                             struct sync_pass_stats *stats, struct sync_err *err)
{
    const struct sync_plan_op *op = &plan->ops[i];
    enum sync_rc rc = SYNC_OK;

    switch (op->kind) {
    case SYNC_PLAN_OP_BIND_LINK:
    case SYNC_PLAN_OP_REPOINT_LINK:
    case SYNC_PLAN_OP_LINK_STATE:
        return op_link(e, op, err);
    case SYNC_PLAN_OP_CREATE:
    case SYNC_PLAN_OP_UPDATE:
    case SYNC_PLAN_OP_DELETE:
        if (op->kind == SYNC_PLAN_OP_UPDATE && !op->link_id[0] && op->target == SYNC_SIDE_HUBSPOT &&
            strcmp(op->object, "contacts") == 0) {
            /* a lifecycle transition of a deal's contact: it goes out under that contact's
             * own link (the outbox keys entries by link) */
            struct sync_link l;
            if (found(
                    link_of(e, SYNC_KIND_CONTACT, SYNC_SIDE_HUBSPOT, "contacts", op->id, &l, NULL)))
                snprintf(plan->ops[i].link_id, sizeof(plan->ops[i].link_id), "%s", l.link_id);
        }
        rc = op_enqueue(e, ch, plan, i, skip, ledger_taken, err);
        if (rc == SYNC_OK && op->link_id[0])
            stats->enqueued++;
        return rc;
    case SYNC_PLAN_OP_ASSOCIATE:
        rc = op_enqueue(e, ch, plan, i, skip, ledger_taken, err);
        if (rc == SYNC_OK && op->link_id[0])
            stats->enqueued++;
        return rc;
    case SYNC_PLAN_OP_RECORD_ERROR: {
        struct sync_error_row er;
        memset(&er, 0, sizeof(er));
        er.system = sync__side_name(op->target);
        er.object = op->object;
        er.record_id = op->id;
        er.link_id = op->link_id[0] ? op->link_id : NULL;
        er.category = sync_plan_errcat_name(op->category);
        er.message = op->message;
        stats->record_errors++;
        return sync_store_error_record(e->st, &er, err);
    }
    case SYNC_PLAN_OP_CLEAR_ERROR:
        return sync_store_error_resolve(e->st, sync__side_name(op->target), op->object, op->id,
                                        sync_plan_errcat_name(op->category), err);
    case SYNC_PLAN_OP_RECORD_CONFLICT: {
        struct sync_conflict_row cr;
        memset(&cr, 0, sizeof(cr));
        cr.link_id = op->link_id;
        cr.field = op->field;
        cr.hs_value = op->value;
        cr.hs_at = op->hs_at;
        cr.sf_value = op->sf_value;
        cr.sf_at = op->sf_at;
        cr.rule = sync_rule_name(op->rule);
        cr.winner = sync_plan_side_name(op->winner);
        return sync_store_conflict_insert(e->st, &cr, NULL, err);
    }
    case SYNC_PLAN_OP_LEDGER_PUT:
        if (op->target == SYNC_SIDE_NONE) {
            struct sync_ledger_entry le;
            memset(&le, 0, sizeof(le));
            le.link_id = op->link_id;
            le.field = op->field;
            le.value = op->value;
            le.written_by = agreed_name(op->agreed_by);
            le.agreed_at = op->at;
            return sync_store_ledger_put(e->st, &le, err);
        }
        return SYNC_OK; /* rides with its write (write_payload) */
    case SYNC_PLAN_OP_SETTLE: {
        struct sync_unsettled u;
        memset(&u, 0, sizeof(u));
        u.link_id = op->link_id;
        u.side = sync__side_name(op->target);
        u.field = op->field;
        u.value = op->value;
        return sync_store_unsettled_drop(e->st, &u, err);
    }
    default:
        return SYNC_OK;
    }
}

/* The link a decision is filed under: the change's, or the one the plan made. */
static const char *plan_link_id(const struct inputs *in, const struct sync_plan *plan)
{
    const struct sync_plan_op *b = sync_plan_find(plan, SYNC_PLAN_OP_BIND_LINK, SYNC_SIDE_NONE, 0);
    if (in && in->have_link)
        return in->link.link_id;
    return b ? b->link_id : NULL;
}

static enum sync_rc decision_store(struct sync_engine *e, const struct change *ch,
                                   const char *link_id, const char *action,
                                   const struct sync_trace *t, const char *extra,
                                   struct sync_err *err)
{
    struct sync_buf text = SYNC_BUF_INIT(TRACE_MAX);
    struct sync_decision_row d;
    enum sync_rc rc;

    if (t)
        sync_trace_format(t, &text);
    if (extra)
        sync_buf_addstr(&text, extra);
    memset(&d, 0, sizeof(d));
    d.system = ch->system;
    d.object = ch->object;
    d.record_id = ch->id;
    d.link_id = link_id;
    d.action = action;
    d.trace = sync_buf_str(&text);
    rc = sync_store_decision_append(e->st, &d, 0, err);
    sync_buf_release(&text);
    return rc;
}

/* Ends one change's savepoint: keeps its work when rc is SYNC_OK, undoes it otherwise. */
static enum sync_rc unit_end(struct sync_engine *e, enum sync_rc rc, struct sync_err *err)
{
    if (rc == SYNC_OK)
        rc = sync_store_savepoint_release(e->st, err);
    if (rc)
        sync_store_savepoint_rollback(e->st, NULL);
    return rc;
}

static enum sync_rc plan_store(struct sync_engine *e, const struct change *ch,
                               const struct inputs *in, struct sync_plan *plan, const char *skip,
                               struct sync_pass_stats *stats, struct sync_err *err)
{
    char *taken = calloc(plan->nops + 1, 1);
    struct sync_pass_stats local;
    enum sync_rc rc;

    if (!taken)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    memset(&local, 0, sizeof(local));
    rc = sync_store_savepoint(e->st, err);
    for (size_t i = 0; rc == SYNC_OK && i < plan->nops; i++)
        if (!skip[i])
            rc = op_store(e, ch, plan, i, skip, taken, &local, err);
    if (rc == SYNC_OK)
        rc = decision_store(e, ch, plan_link_id(in, plan), plan->action, &plan->trace,
                            ch->resync ? "resync: planned from the record as read from the vendor "
                                         "just now (a resync was asked for)\n"
                                       : NULL,
                            err);
    if (rc == SYNC_OK)
        rc = sync_store_inbox_delete(e->st, ch->system, ch->object, ch->id, ch->version, err);
    rc = unit_end(e, rc, err);
    free(taken);
    if (rc == SYNC_OK) {
        stats->planned++;
        stats->enqueued += local.enqueued;
        stats->record_errors += local.record_errors;
    }
    return rc;
}

/* A change that cannot be planned or stored for a reason of its own (not the store's): its
 * decision says why, an error is opened on it, and it leaves the inbox. */
static enum sync_rc change_refused(struct sync_engine *e, const struct change *ch,
                                   const char *link_id, const struct sync_trace *t, const char *why,
                                   struct sync_pass_stats *stats, struct sync_err *err)
{
    struct sync_error_row er;
    char line[SYNC_ERR_MSG_MAX + 64];
    enum sync_rc rc;

    snprintf(line, sizeof(line), "not synced: %s\n", why);
    memset(&er, 0, sizeof(er));
    er.system = ch->system;
    er.object = ch->object;
    er.record_id = ch->id;
    er.link_id = link_id;
    er.category = "other";
    er.message = why;
    rc = sync_store_savepoint(e->st, err);
    rc = rc ? rc : decision_store(e, ch, link_id, "error", t, line, err);
    rc = rc ? rc : sync_store_error_record(e->st, &er, err);
    rc = rc ? rc : sync_store_inbox_delete(e->st, ch->system, ch->object, ch->id, ch->version, err);
    rc = unit_end(e, rc, err);
    if (rc == SYNC_OK)
        stats->planned++, stats->record_errors++;
    sync_warn("plan", "%s %s %s: %s", ch->system, ch->object, ch->id, why);
    return rc;
}

/* ---- one change ---- */

/* How long after the vendor's change (its stamp) the change was planned (/metrics). */
static void lag_observe(const struct change *ch, int64_t now)
{
    char labels[48];

    if (ch->version <= 0 || ch->version > now)
        return; /* a resync marker, or a clock ahead of ours */
    snprintf(labels, sizeof(labels), "system=\"%s\"", ch->system);
    sync_metrics_observe("crmsync_change_to_plan_seconds", labels,
                         (double)(now - ch->version) / 1000.0,
                         "from a vendor's change (its stamp) to crmsync's plan for it");
}

static enum sync_rc plan_change(struct sync_engine *e, struct change *ch, struct pool *p,
                                int64_t now, struct sync_pass_stats *stats, struct sync_err *err);

/* A HubSpot merge removes the merged-away records for good (reads of their ids answer the
 * survivor), so the only trace of one is the survivor's hs_merged_object_ids. Each merged-away
 * id that still has a linked link is planned first, as a record merged into the survivor: the
 * planner re-points its link to the survivor, or detaches it when the survivor already syncs. */
static enum sync_rc plan_merged_away(struct sync_engine *e, struct change *ch, struct pool *p,
                                     int64_t now, struct sync_pass_stats *stats,
                                     struct sync_err *err)
{
    const char *ids =
        sync_json_str(json_object_get(ch->json, "properties"), "hs_merged_object_ids");
    enum sync_rc rc = SYNC_OK;

    while (rc == SYNC_OK && ids && *ids) {
        size_t n = strcspn(ids, ";");
        struct change gone;
        struct sync_link l;

        memset(&gone, 0, sizeof(gone));
        if (n && n < sizeof(gone.id)) {
            memcpy(gone.id, ids, n);
            if (strcmp(gone.id, ch->id) &&
                found(link_of(e, ch->kind, ch->side, ch->object, gone.id, &l, NULL)) &&
                l.state == SYNC_LINK_LINKED) {
                snprintf(gone.system, sizeof(gone.system), "%s", ch->system);
                snprintf(gone.object, sizeof(gone.object), "%s", ch->object);
                gone.version = ch->version;
                gone.deleted = 1;
                gone.kind = ch->kind;
                gone.side = ch->side;
                gone.known = 1;
                gone.merged_into = ch->id;
                if (!(gone.json = json_pack("{s:s, s:{}}", "id", gone.id, "properties")))
                    return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
                rc = plan_change(e, &gone, p, now, stats, err);
                json_decref(gone.json);
            }
        }
        ids += n;
        if (*ids == ';')
            ids++;
    }
    return rc;
}

/* Whether the HubSpot contact of a change qualifies for the inclusion list: the change itself,
 * else the contact its link pairs, else the first same-email candidate (the one the planner
 * binds); a Salesforce record with none creates its HubSpot contact whatever the list says. */
static int change_qualifies(struct sync_engine *e, const struct change *ch, const struct inputs *in)
{
    if (ch->kind != SYNC_KIND_CONTACT)
        return 1;
    if (ch->side == SYNC_SIDE_HUBSPOT)
        return sync__engine_qualifies(e, ch->id);
    if (in->have_link && in->link.hs_id[0])
        return sync__engine_qualifies(e, in->link.hs_id);
    if (in->ncands)
        return sync__engine_qualifies(e, in->cands[0].id);
    return 1;
}

static enum sync_rc plan_change(struct sync_engine *e, struct change *ch, struct pool *p,
                                int64_t now, struct sync_pass_stats *stats, struct sync_err *err)
{
    struct inputs *in = calloc(1, sizeof(*in));
    struct sync_plan_input pi;
    struct sync_plan_record about;
    struct sync_plan plan;
    char *skip = NULL;
    enum sync_rc rc;
    int tries;

    if (!in)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    sync_plan_init(&plan);
    if (ch->side == SYNC_SIDE_HUBSPOT && !ch->merged_into &&
        (rc = plan_merged_away(e, ch, p, now, stats, err)))
        goto out;
    if ((rc = inputs_load(e, ch, p, in, err))) {
        if (rc == SYNC_ERR_PARSE)
            rc = change_refused(e, ch, NULL, NULL, err->message, stats, err);
        goto out;
    }
    memset(&pi, 0, sizeof(pi));
    pi.now = now;
    pi.new_link_id = in->new_link_id;
    pi.settings = e->settings;
    pi.mappings = &e->maps;
    pi.owners = p->owners;
    pi.nowners = p->nowners;
    pi.change = &in->rec.r;
    pi.link = in->have_link ? &in->plink : NULL;
    pi.ledger = in->ledger;
    pi.nledger = in->nledger;
    pi.unsettled = in->unsettled;
    pi.nunsettled = in->nunsettled;
    pi.other = in->other.json ? &in->other.r : NULL;
    pi.candidates = in->cands;
    pi.ncandidates = in->ncands;
    pi.people = in->people;
    pi.npeople = in->npeople;
    pi.stages = p->stages;
    if (sync_settings_int(e->settings, SYNC_SETTING_STATE_COUNTRY_PICKLISTS) &&
        (ch->kind == SYNC_KIND_CONTACT || ch->kind == SYNC_KIND_COMPANY) &&
        (rc =
             sync__engine_geo(e, ch->kind == SYNC_KIND_CONTACT ? "Lead" : "Account", &pi.geo, err)))
        goto out;
    pi.target_link = in->have_target ? &in->target : NULL;
    pi.hs_qualifies = change_qualifies(e, ch, in);
    /* an inclusion list not read yet: the change waits rather than be judged a non-member */
    pi.sync_off = ch->kind == SYNC_KIND_CONTACT && !sync__engine_inclusion_known(e);
    pi.open_errors = in->errors;
    pi.nopen_errors = in->nerrors;
    pi.parties = in->parties;
    pi.nparties = in->nparties;
    pi.timeline_since = p->since;
    if (ch->kind == SYNC_KIND_TIMELINE && (rc = task_type_field(e, &pi.task_type_field, err)))
        goto out;
    pi.imported = json_is_true(json_object_get(ch->json, SYNC_IMPORT_MARK));
    if (ch->kind == SYNC_KIND_TASK || ch->kind == SYNC_KIND_EMAIL || ch->kind == SYNC_KIND_CALL ||
        ch->kind == SYNC_KIND_MEETING) {
        int64_t master = sync__engine_since(e, SYNC_SETTING_SALESFORCE_TASK_SYNC);
        int64_t type = sync__engine_since(e, sync_plan_activity_switch(ch->kind));
        pi.switch_since = master > type ? master : type;
    }
    pi.form_campaign = in->have_campaign ? &in->campaign : NULL;
    for (tries = 0; tries < PLAN_TRIES; tries++) {
        json_t *r;
        struct sync_rec *x;
        if ((rc = sync_plan_make(&pi, &plan, err)))
            goto out;
        if (plan.status != SYNC_PLAN_NEED_RECORD)
            break;
        r = fetch_one(e, p, plan.need.system, plan.need.object, plan.need.id, err, &rc);
        if (rc)
            goto out;
        x = &in->extra[in->nextra];
        if (!r || sync_rec_init(x, plan.need.system, plan.need.object, r)) {
            sync_rec_release(x);
            sync_rec_init_gone(x, plan.need.system, plan.need.object, plan.need.id,
                               in->gone_id[in->nextra], sizeof(in->gone_id[0]));
        }
        in->nextra++;
        pi.other = &x->r;
        if (!in->have_target) {
            target_load(e, ch, in);
            pi.target_link = in->have_target ? &in->target : NULL;
        }
    }
    if (plan.status == SYNC_PLAN_NEED_RECORD) {
        rc = change_refused(e, ch, plan_link_id(in, &plan), &plan.trace,
                            "the planner kept asking for more records", stats, err);
        goto out;
    }
    if (plan.status == SYNC_PLAN_DEFERRED)
        goto out;                             /* stays in the inbox */
    if (!(skip = calloc(plan.nops + 2, 1))) { /* writes_check may add an op */
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = writes_check(e, ch, refused_on(ch, in, &about), plan_link_id(in, &plan), &plan, skip,
                           err)))
        goto out;
    if (ch->kind == SYNC_KIND_TIMELINE && (rc = timeline_park(e, ch, &plan, err)))
        goto out;
    rc = plan_store(e, ch, in, &plan, skip, stats, err);
    if (rc == SYNC_OK)
        lag_observe(ch, now);
    if (rc == SYNC_OK && ch->kind == SYNC_KIND_TIMELINE &&
        (strcmp(plan.action, "create_sf") == 0 || strcmp(plan.action, "associate_sf") == 0))
        rc = timeline_trigger(e, in, err);
    if (rc == SYNC_OK)
        rc = timeline_derive(e, ch, p, in, err);
    if (rc == SYNC_ERR_INVALID || rc == SYNC_ERR_NOT_FOUND) {
        /* a constraint the plan broke (a record already linked elsewhere): not the store's
         * fault, so the change must not block the inbox */
        char why[SYNC_ERR_MSG_MAX + 32];
        snprintf(why, sizeof(why), "the plan could not be stored: %s", err->message);
        sync_err_clear(err);
        rc = change_refused(e, ch, plan_link_id(in, &plan), &plan.trace, why, stats, err);
    }
out:
    free(skip);
    sync_plan_release(&plan);
    inputs_release(in);
    free(in);
    return rc;
}

/* ---- a round ---- */

/* Batched look-ups for the whole round: the linked records of the other side and same-email
 * people. */
static enum sync_rc prefetch(struct sync_engine *e, struct changes *cs, struct pool *p,
                             struct sync_err *err)
{
    struct strs sf_emails = {json_object()}, hs_emails = {json_object()};
    struct assoc_wants w = {{json_object()}, {json_object()}, {json_object()}, {json_object()},
                            {json_object()}, {json_object()}, json_object()};
    json_t *linked_ids = json_object(); /* "<side>/<object>" -> the counterparts to read */
    enum sync_rc rc = SYNC_OK;
    int deals = 0, tickets = 0, forms = 0;

    for (size_t i = 0; i < cs->n; i++) {
        struct change *ch = &cs->items[i];
        struct sync_rec rec;
        struct sync_link l;
        char norm[SYNC_MATCH_EMAIL_MAX];
        int linked;

        if (!ch->known || ch->later || sync_rec_init(&rec, ch->side, ch->object, ch->json))
            continue;
        linked = found(link_of(e, ch->kind, ch->side, rec.r.object, ch->id, &l, NULL));
        if (ch->kind == SYNC_KIND_CONTACT &&
            sync_match_email_norm(sync_rec_email(&rec.r), norm, sizeof(norm))) {
            if (ch->side == SYNC_SIDE_HUBSPOT)
                strs_add(&sf_emails, norm);
            else if (!linked)
                strs_add(&hs_emails, norm);
        }
        if (ch->kind == SYNC_KIND_TIMELINE)
            timeline_wants(&w, &hs_emails, ch, &rec);
        else if (linked && (ch->side == SYNC_SIDE_HUBSPOT ? l.sf_id[0] : l.hs_id[0])) {
            char key[SYNC_STORE_NAME_MAX + 16];
            struct strs set;
            snprintf(key, sizeof(key), "%s/%s",
                     ch->side == SYNC_SIDE_HUBSPOT ? "salesforce" : "hubspot",
                     ch->side == SYNC_SIDE_HUBSPOT ? l.sf_object : sync_kind_hs_object(ch->kind));
            if (!(set.set = json_object_get(linked_ids, key))) {
                set.set = json_object();
                json_object_set_new(linked_ids, key, set.set);
            }
            strs_add(&set, ch->side == SYNC_SIDE_HUBSPOT ? l.sf_id : l.hs_id);
        }
        assoc_wants_add(e, &w, ch, linked, &l);
        deals |= ch->kind == SYNC_KIND_DEAL;
        tickets |= ch->kind == SYNC_KIND_TICKET;
        forms |= strcmp(ch->object, "form_submissions") == 0;
        sync_rec_release(&rec);
    }
    if (json_object_size(sf_emails.set)) {
        static const char *const keys[] = {"Email", "CreatedDate", NULL};
        struct sync_conn_batch b;
        const json_t *r;
        size_t n, i;
        const char **list = strs_list(&sf_emails, &n);
        sync_conn_batch_init(&b);
        rc = list ? sync_conn_find_people(e->sf, list, n, keys, &b, err) : SYNC_ERR_NOMEM;
        json_array_foreach(b.records, i, r)
        {
            people_add(p->sf_people, sync_json_str(r, "Email"), (json_t *)r);
        }
        sync_conn_batch_release(&b);
        free(list);
    }
    if (rc == SYNC_OK && json_object_size(hs_emails.set)) {
        const struct sync_fieldset *fs = sync__engine_fields(e, SYNC_SIDE_HUBSPOT, "contacts");
        struct sync_conn_batch b;
        const json_t *r;
        size_t n, i;
        const char **list = strs_list(&hs_emails, &n);
        sync_conn_batch_init(&b);
        rc = list ? sync_conn_find_people(e->hs, list, n, fs ? fs->names : NULL, &b, err)
                  : SYNC_ERR_NOMEM;
        json_array_foreach(b.records, i, r)
        {
            people_add(p->hs_people, sync_json_str(json_object_get(r, "properties"), "email"),
                       (json_t *)r);
            pool_put(p, SYNC_SIDE_HUBSPOT, "contacts", (json_t *)r);
        }
        sync_conn_batch_release(&b);
        free(list);
    }
    if (rc == SYNC_OK) {
        const char *k;
        json_t *v;
        json_object_foreach(linked_ids, k, v)
        {
            struct strs set = {v};
            const char *slash = strchr(k, '/');
            if (rc == SYNC_OK)
                rc = fetch_into(
                    e, p, strncmp(k, "hubspot/", 8) == 0 ? SYNC_SIDE_HUBSPOT : SYNC_SIDE_SALESFORCE,
                    slash + 1, &set, err);
        }
    }
    if (rc == SYNC_OK)
        rc = assoc_prefetch(e, p, &w, err);
    if (rc == SYNC_OK && json_object_size(w.hs_activities))
        rc = timeline_prefetch(e, p, &w, err);
    if (rc == SYNC_OK && forms && sync_settings_str(e->settings, SYNC_SETTING_FORM_CAMPAIGNS)[0])
        rc = campaigns_read(e, p, err);
    if (rc == SYNC_OK && deals)
        rc = sync__engine_stages(e, sync_time_now_ms(), &p->stages, err);
    else if (rc == SYNC_OK && tickets) /* a round plans one kind */
        rc = sync__engine_ticket_stages(e, sync_time_now_ms(), &p->stages, err);
    json_decref(sf_emails.set);
    json_decref(hs_emails.set);
    json_decref(linked_ids);
    json_decref(w.hs_deals.set);
    json_decref(w.hs_activities);
    json_decref(w.hs_tickets.set);
    json_decref(w.hs_contacts.set);
    json_decref(w.hs_companies.set);
    json_decref(w.sf_opps.set);
    json_decref(w.sf_accounts.set);
    if (rc == SYNC_ERR_NOMEM)
        sync_err_set(err, rc, "out of memory");
    return rc;
}

/* Parses each change and says whether this build syncs its object. */
static void changes_read(struct sync_engine *e, struct changes *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        struct change *ch = &cs->items[i];
        struct sync_err perr = SYNC_ERR_INIT;

        if (sync_object_kind(ch->system, ch->object, &ch->kind, &ch->side))
            continue;
        if (!sync__engine_fields(e, ch->side, ch->object))
            continue;
        ch->json = sync_json_parse(ch->payload, strlen(ch->payload), &perr);
        ch->known = json_is_object(ch->json);
        if (ch->known && ch->kind == SYNC_KIND_TASK) {
            /* a Task is a HubSpot task, email or call by its subtype (fixed at create) */
            const char *sub = sync_json_str(ch->json, "TaskSubtype");
            if (sub && strcmp(sub, "Email") == 0)
                ch->kind = SYNC_KIND_EMAIL;
            else if (sub && strcmp(sub, "Call") == 0)
                ch->kind = SYNC_KIND_CALL;
        }
    }
}

/* A round plans one kind: contacts first, then companies, then deals. A company's match
 * reads where its contacts sync, and a deal's associations where its company and contacts
 * sync, so each is planned (and prefetched) after the round that links the kind before it;
 * the later kinds stay in the inbox for the next round of the same pass. */
static void changes_order(struct changes *cs)
{
    int first = SYNC_KIND__COUNT;

    for (size_t i = 0; i < cs->n; i++)
        if (cs->items[i].known && (int)cs->items[i].kind < first)
            first = (int)cs->items[i].kind;
    for (size_t i = 0; i < cs->n; i++)
        cs->items[i].later = cs->items[i].known && (int)cs->items[i].kind > first;
}

/* ---- resync markers (health.h) ---- */

/* A resync marker carries no values: the records of this round's markers are read now, in one
 * batch per object, so each is planned from what its vendor holds, changed or not. The record's
 * version stamp replaces the marker's 0, so planning it removes the marker, and a change
 * captured after this read (newer) stays. */
static enum sync_rc resync_read(struct sync_engine *e, struct changes *cs, struct sync_err *err)
{
    json_t *groups = json_object(); /* "<side>/<object>" -> {id: true} */
    const char *k;
    json_t *set;
    enum sync_rc rc = SYNC_OK;

    if (!groups)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < cs->n; i++) {
        struct change *ch = &cs->items[i];
        char key[SYNC_STORE_NAME_MAX + 16];
        if (!ch->known || ch->later || !sync_health_is_resync(ch->json))
            continue;
        ch->resync = ch->gone = 1; /* until the read finds it */
        snprintf(key, sizeof(key), "%d/%s", (int)ch->side, ch->object);
        if (!(set = json_object_get(groups, key))) {
            set = json_object();
            json_object_set_new(groups, key, set);
        }
        json_object_set_new(set, ch->id, json_true());
    }
    json_object_foreach(groups, k, set)
    {
        enum sync_side side = (enum sync_side)atoi(k);
        const char *object = strchr(k, '/') + 1;
        const struct sync_fieldset *fs = sync__engine_fields(e, side, object);
        struct strs ids = {set};
        struct sync_conn_batch b;
        const json_t *r;
        size_t n;

        if (rc)
            break;
        rc = fetch_ids(sync__engine_conn(e, side), object, NULL, &ids, fs ? fs->names : NULL, &b,
                       err);
        if (rc && err && err->cls == SYNC_ERRCLASS_PERMANENT && err->http_status >= 400 &&
            err->http_status < 500) {
            /* the vendor refuses the read for good (an id it does not take): those markers are
             * dropped as not found, and planning goes on */
            sync_warn("plan", "the %s records asked to resync cannot be read: %s", object,
                      err->message);
            sync_err_clear(err);
            rc = SYNC_OK;
        }
        json_array_foreach(b.records, n, r)
        {
            const char *id;
            int64_t version;
            int deleted;
            char a[19], c[19];
            if (rc || !sync_poll_record_key(side == SYNC_SIDE_HUBSPOT ? SYNC_VENDOR_HUBSPOT
                                                                      : SYNC_VENDOR_SALESFORCE,
                                            object, r, &id, &version, &deleted))
                continue;
            for (size_t i = 0; i < cs->n; i++) {
                struct change *ch = &cs->items[i];
                int same = side == SYNC_SIDE_SALESFORCE
                               ? !sync_value_sf_id18(id, a) && !sync_value_sf_id18(ch->id, c) &&
                                     strcmp(a, c) == 0
                               : strcmp(id, ch->id) == 0;
                if (!ch->gone || ch->side != side || strcmp(ch->object, object) || !same)
                    continue;
                json_decref(ch->json);
                ch->json = json_incref((json_t *)r);
                ch->version = version;
                ch->deleted = deleted;
                ch->gone = 0;
            }
        }
        sync_conn_batch_release(&b);
    }
    json_decref(groups);
    return rc;
}

/* A resync of a record its vendor no longer has: nothing to plan (capture handles the delete);
 * the decision says so and the marker leaves the inbox. */
static enum sync_rc resync_gone(struct sync_engine *e, const struct change *ch,
                                struct sync_pass_stats *stats, struct sync_err *err)
{
    enum sync_rc rc = sync_store_savepoint(e->st, err);

    rc = rc ? rc
            : decision_store(e, ch, NULL, "skip", NULL,
                             "resync: the record was not found on the vendor; nothing planned\n",
                             err);
    rc = rc ? rc : sync_store_inbox_delete(e->st, ch->system, ch->object, ch->id, 0, err);
    rc = unit_end(e, rc, err);
    if (rc == SYNC_OK)
        stats->planned++;
    return rc;
}

/* Plans the round's changes inside the open transaction, then commits it. A change that fails
 * for the store's sake stops the round; the changes planned before it are kept. */
static enum sync_rc round_plan(struct sync_engine *e, struct changes *cs, struct pool *p,
                               int64_t now, struct sync_pass_stats *stats, struct sync_err *err)
{
    struct sync_pass_stats local;
    enum sync_rc rc = SYNC_OK, crc;

    memset(&local, 0, sizeof(local));
    for (size_t i = 0; rc == SYNC_OK && i < cs->n; i++) {
        struct change *ch = &cs->items[i];
        if (ch->later)
            continue;
        if (ch->gone) {
            rc = resync_gone(e, ch, &local, err);
            continue;
        }
        if (!ch->known) {
            char why[256];
            snprintf(why, sizeof(why),
                     "%s %s is not an object this build syncs, or its "
                     "captured values cannot be read",
                     ch->system, ch->object);
            rc = change_refused(e, ch, NULL, NULL, why, &local, err);
            continue;
        }
        rc = plan_change(e, ch, p, now, &local, err);
    }
    crc = sync_store_commit(e->st, rc ? NULL : err);
    if (crc == SYNC_OK) {
        stats->planned += local.planned;
        stats->enqueued += local.enqueued;
        stats->record_errors += local.record_errors;
    }
    return rc ? rc : crc;
}

enum sync_rc sync__plan_inbox(struct sync_engine *e, int64_t now, struct sync_pass_stats *stats,
                              struct sync_err *err)
{
    struct changes cs;
    struct pool p;
    enum sync_rc rc;

    memset(&cs, 0, sizeof(cs));
    rc = sync_store_inbox_take(e->st, SYNC_ENGINE_PLAN_BATCH, take_one, &cs, err);
    if (rc || cs.n == 0) {
        changes_release(&cs);
        return rc;
    }
    changes_read(e, &cs);
    changes_order(&cs);
    rc = resync_read(e, &cs, err);
    p.recs = json_object();
    p.sf_people = json_object();
    p.hs_people = json_object();
    p.assoc = json_object();
    if (rc == SYNC_OK && (!p.recs || !p.sf_people || !p.hs_people || !p.assoc))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    p.owners = NULL;
    p.nowners = 0;
    p.stages = NULL;
    timeline_since_load(e, &p);
    if (rc == SYNC_OK)
        rc = prefetch(e, &cs, &p, err);
    if (rc == SYNC_OK)
        rc = sync__engine_owners(e, now, &p.owners, &p.nowners, err);
    /* the round's changes commit together (one disk sync per round); each change is a
     * savepoint of its own, so one that fails is undone alone */
    if (rc == SYNC_OK)
        rc = sync_store_begin(e->st, err);
    if (rc == SYNC_OK)
        rc = round_plan(e, &cs, &p, now, stats, err);
    json_decref(p.recs);
    json_decref(p.sf_people);
    json_decref(p.hs_people);
    json_decref(p.assoc);
    changes_release(&cs);
    return rc;
}
