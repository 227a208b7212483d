/*
 * derive.c: the fields a real org computes on every save (see
 * validate.h): compound Name and address fields, Opportunity stage
 * facts (IsClosed, IsWon, Probability, ForecastCategory, ExpectedRevenue,
 * fiscal period), Case IsClosed/ClosedDate, Task IsClosed/IsHighPriority/
 * AccountId, Event times, CampaignMember HasResponded. Called by
 * validate.c with the org write lock held, and by seed.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/time.h"
#include "emulators/salesforce/validate.h"

static const char *str(const json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

static int in_body(const json_t *body, const char *key)
{
    return body && json_object_get(body, key) != NULL;
}

static int changed(const json_t *rec, const json_t *old, const char *key)
{
    json_t *a = json_object_get(rec, key), *b = old ? json_object_get(old, key) : NULL;
    if (!a && !b)
        return 0;
    return !a || !b || !json_equal(a, b);
}

static void set_or_del(json_t *rec, const char *key, json_t *v)
{
    if (!v || json_is_null(v)) {
        json_object_del(rec, key);
        json_decref(v);
    } else {
        json_object_set_new(rec, key, v);
    }
}

static void derive_name(const struct sf_object *obj, json_t *rec)
{
    const char *first = str(rec, "FirstName"), *last = str(rec, "LastName");
    char name[512];
    if (!schema_field(obj, "FirstName") || !schema_field(obj, "LastName") ||
        !schema_field(obj, "Name"))
        return;
    if (first && last)
        snprintf(name, sizeof(name), "%s %s", first, last);
    else
        snprintf(name, sizeof(name), "%s", first ? first : last ? last : "");
    set_or_del(rec, "Name", name[0] ? json_string(name) : NULL);
}

static void derive_addresses(struct sf_org *org, const struct sf_object *obj, json_t *rec)
{
    static const struct {
        const char *part, *key;
    } parts[] = {{"City", "city"},
                 {"Country", "country"},
                 {"CountryCode", "countryCode"},
                 {"GeocodeAccuracy", "geocodeAccuracy"},
                 {"Latitude", "latitude"},
                 {"Longitude", "longitude"},
                 {"PostalCode", "postalCode"},
                 {"State", "state"},
                 {"StateCode", "stateCode"},
                 {"Street", "street"}};
    for (size_t i = 0; i < obj->nfields; i++) {
        const struct sf_field *a = &obj->fields[i];
        size_t n = strlen(a->name);
        json_t *addr;
        int any = 0;
        if (a->type != SF_T_ADDRESS || n < 7)
            continue;
        addr = json_object();
        for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
            char name[128];
            json_t *v;
            int codes = strstr(parts[k].part, "Code") != NULL;
            if (codes && !org->settings.state_country_picklists)
                continue;
            snprintf(name, sizeof(name), "%.*s%s", (int)(n - 7), a->name, parts[k].part);
            v = json_object_get(rec, name);
            any |= v && !json_is_null(v);
            json_object_set_new(addr, parts[k].key, v ? json_incref(v) : json_null());
        }
        if (any)
            json_object_set_new(rec, a->name, addr);
        else {
            json_decref(addr);
            json_object_del(rec, a->name);
        }
    }
}

static const char *forecast_api_name(const char *label)
{
    if (!label)
        return NULL;
    if (strcmp(label, "Best Case") == 0)
        return "BestCase";
    if (strcmp(label, "Commit") == 0)
        return "Forecast";
    return label;
}

static void derive_opportunity(const struct sf_object *obj, json_t *rec, const json_t *old,
                               const json_t *body)
{
    const struct sf_field *sf = schema_field(obj, "StageName");
    const struct sf_pick *stage = sf ? schema_pick(sf, str(rec, "StageName")) : NULL;
    json_t *amount, *prob;
    const char *close;

    json_object_set_new(rec, "IsClosed", json_boolean(stage && stage->closed));
    json_object_set_new(rec, "IsWon", json_boolean(stage && stage->won));
    if (stage && (changed(rec, old, "StageName") || !old)) {
        if (!in_body(body, "Probability") && stage->probability >= 0)
            json_object_set_new(rec, "Probability", json_real(stage->probability));
        if (!in_body(body, "ForecastCategoryName") && stage->forecast)
            json_object_set_new(rec, "ForecastCategoryName", json_string(stage->forecast));
    }
    if (str(rec, "ForecastCategoryName"))
        json_object_set_new(rec, "ForecastCategory",
                            json_string(forecast_api_name(str(rec, "ForecastCategoryName"))));
    amount = json_object_get(rec, "Amount");
    prob = json_object_get(rec, "Probability");
    if (json_is_number(amount) && json_is_number(prob))
        json_object_set_new(
            rec, "ExpectedRevenue",
            json_real(round(json_number_value(amount) * json_number_value(prob)) / 100.0));
    else
        json_object_del(rec, "ExpectedRevenue");
    close = str(rec, "CloseDate");
    if (close && strlen(close) >= 7) {
        int year = 0, month = 0;
        char fiscal[16];
        sscanf(close, "%4d-%2d", &year, &month);
        snprintf(fiscal, sizeof(fiscal), "%d %d", year, (month - 1) / 3 + 1);
        json_object_set_new(rec, "FiscalYear", json_integer(year));
        json_object_set_new(rec, "FiscalQuarter", json_integer((month - 1) / 3 + 1));
        json_object_set_new(rec, "Fiscal", json_string(fiscal));
    }
}

static const struct sf_pick *pick_of(const struct sf_object *obj, const json_t *rec,
                                     const char *field)
{
    const struct sf_field *f = schema_field(obj, field);
    return f ? schema_pick(f, str(rec, field)) : NULL;
}

static void derive_case(const struct sf_object *obj, json_t *rec, const json_t *old, int64_t now)
{
    const struct sf_pick *st = pick_of(obj, rec, "Status");
    int closed = st && st->closed;
    int was = old && json_is_true(json_object_get(old, "IsClosed"));
    json_object_set_new(rec, "IsClosed", json_boolean(closed));
    if (closed && !was)
        json_object_set_new(rec, "ClosedDate", org_time_json(now));
    else if (!closed)
        json_object_del(rec, "ClosedDate");
}

static struct sf_rec *live_rec(struct sf_org *org, const char *id)
{
    struct sf_rec *r = id ? org_get(org, id) : NULL;
    return r && !r->deleted ? r : NULL;
}

/* An activity's AccountId as Salesforce derives it: a WhatId that is an Account gives that
 * account; one that is an Opportunity its AccountId (or none); any other WhatId, or none, the
 * AccountId of a Contact WhoId; otherwise none. */
static void derive_activity_account(struct sf_org *org, json_t *rec)
{
    struct sf_rec *what = live_rec(org, str(rec, "WhatId"));
    struct sf_rec *who = live_rec(org, str(rec, "WhoId"));
    const char *acct = NULL;
    if (what && strcmp(what->obj->name, "Account") == 0)
        acct = what->id;
    else if (what && strcmp(what->obj->name, "Opportunity") == 0)
        acct = str(what->data, "AccountId");
    else if (who && strcmp(who->obj->name, "Contact") == 0)
        acct = str(who->data, "AccountId");
    if (acct)
        json_object_set_new(rec, "AccountId", json_string(acct));
    else
        json_object_del(rec, "AccountId");
}

static void derive_activity(struct sf_org *org, const struct sf_object *obj, json_t *rec,
                            const json_t *old, int64_t now, int task)
{
    derive_activity_account(org, rec);
    if (task) {
        const struct sf_pick *st = pick_of(obj, rec, "Status");
        const struct sf_pick *pr = pick_of(obj, rec, "Priority");
        int closed = st && st->closed;
        int was = old && json_is_true(json_object_get(old, "IsClosed"));
        json_object_set_new(rec, "IsClosed", json_boolean(closed));
        json_object_set_new(rec, "IsHighPriority", json_boolean(pr && pr->high));
        if (closed && !was)
            json_object_set_new(rec, "CompletedDateTime", org_time_json(now));
        else if (!closed)
            json_object_del(rec, "CompletedDateTime");
        return;
    }
    /* Event: StartDateTime and ActivityDateTime mirror each other; End = Start + duration */
    {
        const char *start = str(rec, "StartDateTime"), *adt = str(rec, "ActivityDateTime");
        int64_t s = 0, e = 0;
        json_t *dur = json_object_get(rec, "DurationInMinutes");
        if (!start && adt)
            json_object_set_new(rec, "StartDateTime", json_string(adt));
        else if (start && (!adt || changed(rec, old, "StartDateTime")))
            json_object_set_new(rec, "ActivityDateTime", json_string(start));
        start = str(rec, "StartDateTime");
        if (start && sync_time_parse(start, &s) == SYNC_OK) {
            char d[SYNC_TIME_ISO_MAX];
            json_object_set_new(rec, "ActivityDate",
                                json_string(sync_time_format_date(s, d, sizeof(d))));
            if (json_is_integer(dur) &&
                (!str(rec, "EndDateTime") || changed(rec, old, "DurationInMinutes")))
                json_object_set_new(rec, "EndDateTime",
                                    org_time_json(s + json_integer_value(dur) * 60000));
            else if (str(rec, "EndDateTime") &&
                     sync_time_parse(str(rec, "EndDateTime"), &e) == SYNC_OK && e >= s)
                json_object_set_new(rec, "DurationInMinutes", json_integer((e - s) / 60000));
        }
    }
}

static void derive_member(const struct sf_object *obj, json_t *rec, int64_t now)
{
    const struct sf_pick *st = pick_of(obj, rec, "Status");
    int responded = st && st->responded;
    json_object_set_new(rec, "HasResponded", json_boolean(responded));
    if (responded && !str(rec, "FirstRespondedDate")) {
        char d[SYNC_TIME_ISO_MAX];
        json_object_set_new(rec, "FirstRespondedDate",
                            json_string(sync_time_format_date(now, d, sizeof(d))));
    }
}

void derive_fields(struct sf_org *org, const struct sf_object *obj, json_t *rec, const json_t *old,
                   const json_t *body, int64_t now)
{
    const char *name = obj->name;

    derive_name(obj, rec);
    derive_addresses(org, obj, rec);
    if (strcmp(name, "Opportunity") == 0)
        derive_opportunity(obj, rec, old, body);
    else if (strcmp(name, "Case") == 0)
        derive_case(obj, rec, old, now);
    else if (strcmp(name, "Task") == 0)
        derive_activity(org, obj, rec, old, now, 1);
    else if (strcmp(name, "Event") == 0)
        derive_activity(org, obj, rec, old, now, 0);
    else if (strcmp(name, "CampaignMember") == 0)
        derive_member(obj, rec, now);
}
