/*
 * control.c: the emulator's control API under /__emu/ (docs/EMULATORS.md):
 * reset, seed, stats, faults, limits, clock, settings, session expiry,
 * merges, lead conversion, validation and duplicate rules, row locks,
 * permissions, assignment rules, late commits, recycle-bin purges, the
 * change log and raw record dumps. Never authenticated, counted or
 * faulted; bad input gets 400 {"error":"..."}. Each handler runs with the
 * org lock its route asks for.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/time.h"
#include "emulators/salesforce/api.h"
#include "emulators/salesforce/persist.h"
#include "emulators/salesforce/query.h"
#include "emulators/salesforce/rules.h"

static void ctl_error(struct sf_call *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ctl_error(struct sf_call *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    call_json(c, 400, json_pack("{s:s}", "error", msg));
}

static void ok(struct sf_call *c)
{
    call_json(c, 200, json_pack("{s:b}", "ok", 1));
}

/* The JSON object body; an absent body gives an empty object when optional. */
static json_t *ctl_body(struct sf_call *c, int optional)
{
    struct sync_err err = SYNC_ERR_INIT;
    const char *p = c->body;
    while (p && *p && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    if (!p || !*p) {
        if (optional) {
            c->body_owned = json_object();
            return c->body_owned;
        }
        ctl_error(c, "a JSON object body is required");
        return NULL;
    }
    c->body_owned = sync_json_parse(c->body, c->body_len, &err);
    if (!c->body_owned) {
        ctl_error(c, "bad JSON: %s", err.message);
        return NULL;
    }
    if (!json_is_object(c->body_owned)) {
        ctl_error(c, "the body must be a JSON object");
        return NULL;
    }
    return c->body_owned;
}

static int ctl_int(struct sf_call *c, const json_t *body, const char *key, int64_t min, int64_t max,
                   int64_t *out)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        ctl_error(c, "%s must be an integer from %lld to %lld", key, (long long)min,
                  (long long)max);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

static const struct sf_object *ctl_object(struct sf_call *c, const json_t *body)
{
    const char *name = sync_json_str(body, "object");
    const struct sf_object *o = name ? schema_object(&c->org->schema, name) : NULL;
    if (!o)
        ctl_error(c, "unknown or missing object '%s'", name ? name : "");
    return o;
}

static void persist_all(struct sf_call *c)
{
    if (c->srv->persist)
        persist_save_all(c->srv->persist, c->srv);
}

/* ---- reset, seed, stats ---- */

void h_emu_reset(struct sf_call *c)
{
    json_t *body = ctl_body(c, 1);
    int64_t seed = 0;
    if (!body || ctl_int(c, body, "seed", 0, 100000, &seed))
        return;
    server_fresh_org(c->srv);
    emu_faults_clear(&c->srv->faults);
    limits_reset(&c->srv->limits, !c->srv->no_limits);
    locators_clear(c->srv->locators);
    sync_time_set_offset_ms(0);
    sync_time_freeze(0);
    if (seed > 0)
        json_decref(server_seed(c->srv, seed));
    persist_all(c);
    ok(c);
}

void h_emu_seed(struct sf_call *c)
{
    json_t *body = ctl_body(c, 0);
    const json_t *bad;
    json_t *created;
    int64_t n = -1;
    if (!body || ctl_int(c, body, "count", 0, 100000, &n))
        return;
    if (n < 0) {
        ctl_error(c, "count is required");
        return;
    }
    bad = json_object_get(body, "bad_values");
    if (bad && !json_is_boolean(bad)) {
        ctl_error(c, "bad_values must be true or false");
        return;
    }
    created = server_seed(c->srv, n);
    if (json_is_true(bad)) {
        json_t *more = server_seed_bad_values(c->srv, n), *v;
        const char *object;
        json_object_foreach(more, object, v)
        {
            json_object_set_new(created, object,
                                json_integer(json_integer_value(json_object_get(created, object)) +
                                             json_integer_value(v)));
        }
        json_decref(more);
    }
    call_json(c, 200, json_pack("{s:o}", "created", created));
    persist_all(c);
}

void h_emu_stats(struct sf_call *c)
{
    json_t *records = json_object();
    for (size_t i = 0; i < c->org->schema.n; i++)
        json_object_set_new(records, c->org->schema.objects[i]->name,
                            json_integer((json_int_t)c->org->tables[i].live));
    call_json(
        c, 200,
        json_pack("{s:o, s:o}", "calls", limits_stats_json(&c->srv->limits), "records", records));
}

void h_emu_stats_reset(struct sf_call *c)
{
    limits_stats_reset(&c->srv->limits);
    ok(c);
}

/* ---- faults, limits, clock ---- */

void h_emu_faults_get(struct sf_call *c)
{
    call_json(c, 200, emu_faults_to_json(&c->srv->faults));
}

void h_emu_faults_put(struct sf_call *c)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *body = ctl_body(c, 0);
    if (!body)
        return;
    if (emu_faults_configure(&c->srv->faults, body, &err)) {
        ctl_error(c, "%s", err.message);
        return;
    }
    call_json(c, 200, emu_faults_to_json(&c->srv->faults));
}

void h_emu_faults_delete(struct sf_call *c)
{
    emu_faults_clear(&c->srv->faults);
    call_json(c, 200, emu_faults_to_json(&c->srv->faults));
}

void h_emu_limits_get(struct sf_call *c)
{
    call_json(c, 200, limits_config_json(&c->srv->limits));
}

void h_emu_limits_put(struct sf_call *c)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *body = ctl_body(c, 0);
    if (!body)
        return;
    if (limits_configure(&c->srv->limits, body, &err)) {
        ctl_error(c, "%s", err.message);
        return;
    }
    call_json(c, 200, limits_config_json(&c->srv->limits));
}

static void clock_answer(struct sf_call *c)
{
    char now[SYNC_TIME_ISO_MAX];
    call_json(c, 200,
              json_pack("{s:s, s:I, s:b}", "now",
                        sync_time_format_iso(sync_time_now_ms(), now, sizeof(now)), "offset_ms",
                        (json_int_t)sync_time_offset_ms(), "frozen", sync_time_frozen()));
}

void h_emu_clock_get(struct sf_call *c)
{
    clock_answer(c);
}

void h_emu_clock_put(struct sf_call *c)
{
    json_t *body = ctl_body(c, 0);
    int64_t off = sync_time_offset_ms(), adv = 0;
    const int64_t span = 100LL * 365 * 86400000;
    if (!body || ctl_int(c, body, "offset_ms", -span, span, &off) ||
        ctl_int(c, body, "advance_ms", -span, span, &adv))
        return;
    json_t *frz = json_object_get(body, "freeze");
    if (frz && !json_is_boolean(frz)) {
        ctl_error(c, "freeze must be a boolean");
        return;
    }
    if (!json_object_get(body, "offset_ms") && !json_object_get(body, "advance_ms") && !frz) {
        ctl_error(c, "give offset_ms or advance_ms, or freeze");
        return;
    }
    if (frz)
        sync_time_freeze(json_is_true(frz));
    sync_time_set_offset_ms(off + adv);
    clock_answer(c);
}

/* ---- settings, sessions ---- */

/* The settings as GET answers them; object_access only when some object is below edit. */
static json_t *settings_json(const struct sf_org *org)
{
    json_t *access = org_access_json(org);
    json_t *out =
        json_pack("{s:I, s:b, s:b}", "token_lifetime_s", (json_int_t)org->settings.token_lifetime_s,
                  "state_country_picklists", org->settings.state_country_picklists, "api_enabled",
                  org->settings.api_enabled);

    if (json_object_size(access))
        json_object_set(out, "object_access", access);
    json_decref(access);
    return out;
}

/* Checks an object_access map ({"Lead": "none"|"read"|"edit"}); 0 when good, else the 400 is
 * answered. */
static int check_object_access(struct sf_call *c, const json_t *m)
{
    const char *k;
    json_t *v;

    if (!json_is_object(m)) {
        ctl_error(c, "object_access must be an object of object name to \"edit\", \"read\" or "
                     "\"none\"");
        return -1;
    }
    json_object_foreach((json_t *)m, k, v)
    {
        if (!schema_object(&c->org->schema, k)) {
            ctl_error(c, "no object %s", k);
            return -1;
        }
        if (org_access_parse(json_string_value(v)) < 0) {
            ctl_error(c, "object_access of %s must be \"edit\", \"read\" or \"none\"", k);
            return -1;
        }
    }
    return 0;
}

void h_emu_settings_get(struct sf_call *c)
{
    call_json(c, 200, settings_json(c->org));
}

void h_emu_settings_put(struct sf_call *c)
{
    static const char *const known[] = {"token_lifetime_s", "state_country_picklists",
                                        "api_enabled", "object_access", NULL};
    json_t *body = ctl_body(c, 0), *v;
    int64_t life = c->org->settings.token_lifetime_s;
    const char *k;

    if (!body)
        return;
    json_object_foreach(body, k, v)
    {
        int hit = 0;
        for (int i = 0; known[i]; i++)
            hit |= strcmp(k, known[i]) == 0;
        if (!hit) {
            ctl_error(c, "unknown setting '%s'", k);
            return;
        }
        if (strcmp(k, "object_access") == 0) {
            if (check_object_access(c, v))
                return;
        } else if (strcmp(k, "token_lifetime_s") != 0 && !json_is_boolean(v)) {
            ctl_error(c, "%s must be true or false", k);
            return;
        }
    }
    if (ctl_int(c, body, "token_lifetime_s", 1, 86400 * 30, &life))
        return;
    c->org->settings.token_lifetime_s = life;
    if ((v = json_object_get(body, "state_country_picklists")))
        c->org->settings.state_country_picklists = json_is_true(v);
    if ((v = json_object_get(body, "api_enabled")))
        c->org->settings.api_enabled = json_is_true(v);
    json_object_foreach(json_object_get(body, "object_access"), k, v)
    {
        const struct sf_object *o = schema_object(&c->org->schema, k);
        c->org->perms[o->index].access = (enum sf_access)org_access_parse(json_string_value(v));
    }
    persist_all(c);
    call_json(c, 200, settings_json(c->org));
}

void h_emu_sessions_expire(struct sf_call *c)
{
    json_t *body = ctl_body(c, 1);
    const char *token;
    if (!body)
        return;
    token = sync_json_str(body, "token");
    call_json(c, 200, json_pack("{s:i}", "expired", auth_expire(&c->srv->auth, token)));
}

/* ---- merge ---- */

static json_t *copy_stamped(struct sf_call *c, const struct sf_rec *r)
{
    json_t *d = json_copy(r->data);
    org_stamp(d, c->now, c->org->integration_user, 0);
    return d;
}

/* Points every live reference at `from` (of any object) to `to`. */
static void reparent(struct sf_call *c, struct sf_txn *txn, const char *from, const char *to,
                     const struct sf_object *type)
{
    for (size_t i = 0; i < c->org->schema.n; i++) {
        const struct sf_object *o = c->org->schema.objects[i];
        struct sf_table *t = &c->org->tables[i];
        for (size_t f = 0; f < o->nfields; f++) {
            const struct sf_field *fd = &o->fields[f];
            int points = 0;
            if (fd->type != SF_T_REFERENCE || strcmp(fd->name, "MasterRecordId") == 0 ||
                !schema_field_updateable(fd))
                continue;
            for (size_t r = 0; r < fd->nrefs; r++)
                points |= strcmp(fd->refs[r], type->name) == 0;
            if (!points)
                continue;
            for (size_t r = 0; r < t->n; r++) {
                struct sf_rec *rec = t->rows[r];
                const char *v = json_string_value(json_object_get(rec->data, fd->name));
                json_t *d;
                if (rec->deleted || !v || strcmp(v, from) != 0)
                    continue;
                d = copy_stamped(c, rec);
                json_object_set_new(d, fd->name, json_string(to));
                org_replace(c->org, txn, rec, d);
            }
        }
    }
}

void h_emu_merge(struct sf_call *c)
{
    json_t *body = ctl_body(c, 0), *losers, *l;
    const struct sf_object *o;
    struct sf_rec *master, *lr[2];
    char mid[19];
    struct sf_txn txn;
    size_t i, n;

    if (!body || !(o = ctl_object(c, body)))
        return;
    if (!o->mergeable) {
        ctl_error(c, "%s records cannot be merged", o->name);
        return;
    }
    losers = json_object_get(body, "loser_ids");
    n = json_array_size(losers);
    if (!json_is_array(losers) || n < 1 || n > 2) {
        ctl_error(c, "loser_ids must list 1 or 2 ids");
        return;
    }
    if (!sync_json_str(body, "master_id") || record_id(sync_json_str(body, "master_id"), mid) ||
        !(master = org_get(c->org, mid)) || master->obj != o || master->deleted) {
        ctl_error(c, "master_id is not a live %s", o->name);
        return;
    }
    json_array_foreach(losers, i, l)
    {
        char id[19];
        if (!json_is_string(l) || record_id(json_string_value(l), id) ||
            !(lr[i] = org_get(c->org, id)) || lr[i]->obj != o || lr[i]->deleted ||
            lr[i] == master || (i == 1 && lr[0] == lr[1])) {
            ctl_error(c, "loser %s is not a live %s other than the master",
                      json_is_string(l) ? json_string_value(l) : "?", o->name);
            return;
        }
    }
    org_txn_begin(c->org, &txn, "", c->org->integration_user, "62.0", c->now);
    for (i = 0; i < n; i++)
        reparent(c, &txn, lr[i]->id, master->id, o);
    org_replace(c->org, &txn, master, copy_stamped(c, master));
    for (i = 0; i < n; i++)
        org_delete(c->org, &txn, lr[i], master->id);
    org_txn_commit(c->org, &txn);
    org_txn_release(&txn);
    {
        json_t *merged = json_array();
        for (i = 0; i < n; i++)
            json_array_append_new(merged, json_string(lr[i]->id));
        call_json(c, 200, json_pack("{s:s, s:o}", "id", master->id, "merged", merged));
    }
}

/* ---- lead conversion ---- */

static const char *lstr(const json_t *lead, const char *k)
{
    return json_string_value(json_object_get(lead, k));
}

static void copy_field(json_t *to, const char *tk, const json_t *from, const char *fk)
{
    json_t *v = json_object_get(from, fk);
    if (v && !json_is_null(v))
        json_object_set(to, tk, v);
}

static struct sf_rec *live_of(struct sf_call *c, const json_t *body, const char *key,
                              const char *object, int *bad)
{
    const char *s = sync_json_str(body, key);
    char id[19];
    struct sf_rec *r;
    if (!s)
        return NULL;
    if (record_id(s, id) || !(r = org_get(c->org, id)) || r->deleted ||
        strcmp(r->obj->name, object) != 0) {
        ctl_error(c, "%s is not a live %s", key, object);
        *bad = 1;
        return NULL;
    }
    return r;
}

/* The lead status a conversion sets: the one asked for (a converted status), else the first
 * converted status; -1 with the 400 answered when the one asked for is not converted. */
static int converted_status(struct sf_call *c, const json_t *body, const char **status)
{
    const struct sf_object *lo = schema_object(&c->org->schema, "Lead");
    const struct sf_field *sf = lo ? schema_field(lo, "Status") : NULL;
    const char *want = sync_json_str(body, "converted_status");

    *status = NULL;
    if (want) {
        const struct sf_pick *p = schema_pick(sf, want);
        if (!p || !p->converted) {
            ctl_error(c, "converted_status must be a converted lead status");
            return -1;
        }
        *status = p->value;
        return 0;
    }
    for (size_t i = 0; sf && sf->picklist && i < sf->picklist->n && !*status; i++)
        if (sf->picklist->v[i].converted)
            *status = sf->picklist->v[i].value;
    return 0;
}

static const char *company_of(const json_t *lead)
{
    return lstr(lead, "Company") ? lstr(lead, "Company") : lstr(lead, "Name");
}

/* The account a conversion creates from the lead's company and address. */
static struct sf_rec *convert_account(struct sf_call *c, struct sf_txn *txn, const json_t *lead,
                                      const char *owner)
{
    json_t *a = json_pack("{s:s, s:s}", "Name", company_of(lead), "OwnerId", owner);
    copy_field(a, "Phone", lead, "Phone");
    copy_field(a, "Website", lead, "Website");
    copy_field(a, "Industry", lead, "Industry");
    copy_field(a, "AnnualRevenue", lead, "AnnualRevenue");
    copy_field(a, "NumberOfEmployees", lead, "NumberOfEmployees");
    copy_field(a, "AccountSource", lead, "LeadSource");
    copy_field(a, "BillingStreet", lead, "Street");
    copy_field(a, "BillingCity", lead, "City");
    copy_field(a, "BillingState", lead, "State");
    copy_field(a, "BillingPostalCode", lead, "PostalCode");
    copy_field(a, "BillingCountry", lead, "Country");
    return server_insert_raw(c->srv, txn, "Account", a, c->now, c->org->integration_user);
}

/* The contact a conversion creates under the account from the lead's person fields. */
static struct sf_rec *convert_contact(struct sf_call *c, struct sf_txn *txn, const json_t *lead,
                                      const struct sf_rec *acc, const char *owner)
{
    json_t *k = json_pack("{s:s, s:s, s:s}", "LastName", lstr(lead, "LastName"), "AccountId",
                          acc->id, "OwnerId", owner);
    static const char *const same[] = {"FirstName",  "Salutation",  "Email",
                                       "Phone",      "MobilePhone", "Title",
                                       "LeadSource", "Description", "HasOptedOutOfEmail",
                                       "DoNotCall"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        copy_field(k, same[i], lead, same[i]);
    copy_field(k, "MailingStreet", lead, "Street");
    copy_field(k, "MailingCity", lead, "City");
    copy_field(k, "MailingState", lead, "State");
    copy_field(k, "MailingPostalCode", lead, "PostalCode");
    copy_field(k, "MailingCountry", lead, "Country");
    return server_insert_raw(c->srv, txn, "Contact", k, c->now, c->org->integration_user);
}

/* The opportunity a conversion creates ("<Company>-", Prospecting, closing today) with the
 * contact as its primary contact role. */
static struct sf_rec *convert_opportunity(struct sf_call *c, struct sf_txn *txn, const json_t *body,
                                          const json_t *lead, const struct sf_rec *acc,
                                          const struct sf_rec *con, const char *owner,
                                          const char *today)
{
    const char *asked = sync_json_str(body, "opportunity_name");
    char name[300];
    struct sf_rec *opp;
    json_t *o;

    snprintf(name, sizeof(name), "%s-", company_of(lead));
    o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "Name", asked ? asked : name, "StageName",
                  "Prospecting", "CloseDate", today, "AccountId", acc->id, "OwnerId", owner);
    copy_field(o, "LeadSource", lead, "LeadSource");
    opp = server_insert_raw(c->srv, txn, "Opportunity", o, c->now, c->org->integration_user);
    if (opp)
        server_insert_raw(c->srv, txn, "OpportunityContactRole",
                          json_pack("{s:s, s:s, s:b}", "OpportunityId", opp->id, "ContactId",
                                    con->id, "IsPrimary", 1),
                          c->now, c->org->integration_user);
    return opp;
}

/* Marks the lead converted into acc, con and opp (NULL when none) with status. */
static void mark_converted(struct sf_call *c, struct sf_txn *txn, struct sf_rec *lr,
                           const struct sf_rec *acc, const struct sf_rec *con,
                           const struct sf_rec *opp, const char *status, const char *today)
{
    json_t *d = copy_stamped(c, lr);
    json_object_set_new(d, "IsConverted", json_true());
    json_object_set_new(d, "ConvertedDate", json_string(today));
    json_object_set_new(d, "ConvertedAccountId", json_string(acc->id));
    json_object_set_new(d, "ConvertedContactId", json_string(con->id));
    if (opp)
        json_object_set_new(d, "ConvertedOpportunityId", json_string(opp->id));
    if (status)
        json_object_set_new(d, "Status", json_string(status));
    org_replace(c->org, txn, lr, d);
}

void h_emu_convert_lead(struct sf_call *c)
{
    json_t *body = ctl_body(c, 0);
    struct sf_rec *lr, *acc, *con, *opp = NULL;
    const char *status, *owner;
    struct sf_txn txn;
    int bad = 0;
    char today[SYNC_TIME_ISO_MAX];

    if (!body)
        return;
    lr = live_of(c, body, "lead_id", "Lead", &bad);
    if (bad)
        return;
    if (!lr) {
        ctl_error(c, "lead_id is required");
        return;
    }
    if (json_is_true(json_object_get(lr->data, "IsConverted"))) {
        ctl_error(c, "the lead is already converted");
        return;
    }
    acc = live_of(c, body, "account_id", "Account", &bad);
    con = bad ? NULL : live_of(c, body, "contact_id", "Contact", &bad);
    if (bad || converted_status(c, body, &status))
        return;
    owner = lstr(lr->data, "OwnerId");
    if (!owner || strncmp(owner, "005", 3) != 0)
        owner = c->org->integration_user; /* a queue cannot own accounts and contacts */
    sync_time_format_date(c->now, today, sizeof(today));
    org_txn_begin(c->org, &txn, "", c->org->integration_user, "62.0", c->now);
    if (!acc)
        acc = convert_account(c, &txn, lr->data, owner);
    if (!con)
        con = convert_contact(c, &txn, lr->data, acc, owner);
    if (sync_json_bool(body, "create_opportunity", 1))
        opp = convert_opportunity(c, &txn, body, lr->data, acc, con, owner, today);
    mark_converted(c, &txn, lr, acc, con, opp, status, today);
    org_txn_commit(c->org, &txn);
    org_txn_release(&txn);
    call_json(c, 200,
              json_pack("{s:s, s:s, s:s, s:o}", "lead_id", lr->id, "account_id", acc->id,
                        "contact_id", con->id, "opportunity_id",
                        opp ? json_string(opp->id) : json_null()));
}

/* ---- validation and duplicate rules ---- */

/* Adds a rule from the body with add (rules.c) and answers the list of that kind. */
static void add_rule(struct sf_call *c,
                     enum sync_rc (*add)(struct sf_org *, const json_t *, struct sync_err *),
                     json_t *(*list)(const struct sf_org *))
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *body = ctl_body(c, 0);
    if (!body)
        return;
    if (add(c->org, body, &err)) {
        ctl_error(c, "%s", err.message);
        return;
    }
    persist_all(c);
    call_json(c, 200, json_pack("{s:o}", "rules", list(c->org)));
}

void h_emu_vrules_get(struct sf_call *c)
{
    call_json(c, 200, json_pack("{s:o}", "rules", rules_validation_json(c->org)));
}

void h_emu_vrules_post(struct sf_call *c)
{
    add_rule(c, rules_add_validation, rules_validation_json);
}

void h_emu_vrules_delete(struct sf_call *c)
{
    org_vrules_clear(c->org);
    persist_all(c);
    ok(c);
}

void h_emu_duprules_get(struct sf_call *c)
{
    call_json(c, 200, json_pack("{s:o}", "rules", rules_duplicate_json(c->org)));
}

void h_emu_duprules_post(struct sf_call *c)
{
    add_rule(c, rules_add_duplicate, rules_duplicate_json);
}

void h_emu_duprules_delete(struct sf_call *c)
{
    org_duprules_clear(c->org);
    persist_all(c);
    ok(c);
}

/* ---- locks, permissions, assignment, late commits ---- */

void h_emu_locks(struct sf_call *c)
{
    json_t *body = ctl_body(c, 0), *ids, *id;
    int64_t count = 1;
    size_t i;

    if (!body || ctl_int(c, body, "count", 0, 1000000, &count))
        return;
    ids = json_object_get(body, "ids");
    if (ids) {
        if (!json_is_array(ids)) {
            ctl_error(c, "ids must be an array");
            return;
        }
        json_array_foreach(ids, i, id)
        {
            char id18[19];
            if (!json_is_string(id) || record_id(json_string_value(id), id18)) {
                ctl_error(c, "malformed id in ids");
                return;
            }
        }
        json_array_foreach(ids, i, id)
        {
            char id18[19];
            record_id(json_string_value(id), id18);
            if (count)
                hmap_put(&c->org->lock_ids, id18, (void *)(uintptr_t)count);
            else
                hmap_del(&c->org->lock_ids, id18);
        }
    } else {
        const struct sf_object *o = ctl_object(c, body);
        if (!o)
            return;
        c->org->lock_objects[o->index] = count;
    }
    ok(c);
}

void h_emu_permissions(struct sf_call *c)
{
    json_t *body = ctl_body(c, 0), *fields, *f, *canon;
    const struct sf_object *o;
    size_t i;

    if (!body || !(o = ctl_object(c, body)))
        return;
    fields = json_object_get(body, "read_only_fields");
    if (fields && !json_is_array(fields)) {
        ctl_error(c, "read_only_fields must be an array");
        return;
    }
    canon = json_array();
    json_array_foreach(fields, i, f)
    {
        const struct sf_field *sf = schema_field(o, json_string_value(f));
        if (!sf) {
            json_decref(canon);
            ctl_error(c, "no field %s on %s", json_string_value(f) ? json_string_value(f) : "?",
                      o->name);
            return;
        }
        json_array_append_new(canon, json_string(sf->name));
    }
    json_decref(c->org->perms[o->index].read_only_fields);
    c->org->perms[o->index].read_only_fields = canon;
    c->org->perms[o->index].read_only = sync_json_bool(body, "read_only", 0);
    persist_all(c);
    call_json(c, 200,
              json_pack("{s:s, s:O, s:b}", "object", o->name, "read_only_fields", canon,
                        "read_only", c->org->perms[o->index].read_only));
}

void h_emu_assignment(struct sf_call *c)
{
    json_t *body = ctl_body(c, 0), *v;
    const char *k;

    if (!body)
        return;
    json_object_foreach(body, k, v)
    {
        const struct sf_object *o = schema_object(&c->org->schema, k);
        const char *owner = sync_json_str(v, "owner_id");
        char id[19];
        struct sf_rec *r;
        if (!o || (strcmp(o->name, "Lead") != 0 && strcmp(o->name, "Case") != 0)) {
            ctl_error(c, "assignment rules exist for Lead and Case only, not '%s'", k);
            return;
        }
        if (json_is_null(v))
            continue;
        if (!owner || record_id(owner, id) || !(r = org_get(c->org, id)) ||
            (strcmp(r->obj->name, "User") != 0 && strcmp(r->obj->name, "Group") != 0) ||
            (strcmp(r->obj->name, "User") == 0 &&
             !json_is_true(json_object_get(r->data, "IsActive")))) {
            ctl_error(c, "%s.owner_id must be an active user or a queue", k);
            return;
        }
    }
    /* the body is the whole set of active rules: objects left out have none */
    for (size_t i = 0; i < c->org->schema.n; i++)
        c->org->assign_owner[i][0] = '\0';
    json_object_foreach(body, k, v)
    {
        const struct sf_object *o = schema_object(&c->org->schema, k);
        char id[19] = "";
        if (!json_is_null(v))
            record_id(sync_json_str(v, "owner_id"), id);
        snprintf(c->org->assign_owner[o->index], 19, "%s", id);
    }
    persist_all(c);
    ok(c);
}

void h_emu_late_commits(struct sf_call *c)
{
    json_t *body = ctl_body(c, 0);
    int64_t delay = -1;
    if (!body || ctl_int(c, body, "delay_ms", 0, 3600000, &delay))
        return;
    if (delay < 0) {
        ctl_error(c, "delay_ms is required");
        return;
    }
    c->org->late_commit_ms = delay;
    persist_all(c);
    call_json(c, 200, json_pack("{s:I}", "delay_ms", (json_int_t)delay));
}

/* ---- recycle bin, change log, records ---- */

void h_emu_undelete(struct sf_call *c)
{
    json_t *body = ctl_body(c, 0), *ids, *id, *done;
    struct sf_txn txn;
    size_t i;

    if (!body)
        return;
    ids = json_object_get(body, "ids");
    if (!json_is_array(ids) || !json_array_size(ids)) {
        ctl_error(c, "ids must list record ids");
        return;
    }
    json_array_foreach(ids, i, id)
    {
        char id18[19];
        struct sf_rec *r;
        if (!json_is_string(id) || record_id(json_string_value(id), id18) ||
            !(r = org_get(c->org, id18)) || !r->deleted) {
            ctl_error(c, "%s is not in the recycle bin",
                      json_is_string(id) ? json_string_value(id) : "?");
            return;
        }
    }
    done = json_array();
    org_txn_begin(c->org, &txn, "", c->org->integration_user, "62.0", c->now);
    json_array_foreach(ids, i, id)
    {
        char id18[19];
        struct sf_rec *r;
        record_id(json_string_value(id), id18);
        r = org_get(c->org, id18);
        if (r->deleted) {
            org_undelete(c->org, &txn, r);
            json_array_append_new(done, json_string(r->id));
        }
    }
    org_txn_commit(c->org, &txn);
    org_txn_release(&txn);
    call_json(c, 200, json_pack("{s:o}", "undeleted", done));
}

void h_emu_purge(struct sf_call *c)
{
    json_t *body = ctl_body(c, 1);
    const char *before;
    int64_t at = c->now;
    size_t n;

    if (!body)
        return;
    before = sync_json_str(body, "before");
    if (before && sync_time_parse(before, &at)) {
        ctl_error(c, "before must be an ISO date-time");
        return;
    }
    n = org_purge_deleted(c->org, at);
    persist_all(c);
    call_json(c, 200,
              json_pack("{s:I, s:o}", "purged", (json_int_t)n, "earliestDateAvailable",
                        org_time_json(c->org->earliest_deleted)));
}

void h_emu_changes(struct sf_call *c)
{
    const char *after = call_query(c, "after"), *limit = call_query(c, "limit");
    unsigned long long a = after ? strtoull(after, NULL, 10) : 0;
    unsigned long l = limit ? strtoul(limit, NULL, 10) : 10000;
    call_json(c, 200, org_changes_json(c->org, a, l ? l : 10000));
}

void h_emu_records(struct sf_call *c)
{
    const struct sf_object *o = schema_object(&c->org->schema, c->params[0]);
    struct sf_table *t;
    json_t *arr;
    if (!o) {
        call_json(c, 404, json_pack("{s:s}", "error", "no such object"));
        return;
    }
    t = org_table(c->org, o);
    arr = json_array();
    for (size_t i = 0; i < t->n; i++)
        json_array_append_new(arr, record_to_rest(c, o, t->rows[i]->data, NULL));
    call_json(c, 200, json_pack("{s:o}", "records", arr));
}
