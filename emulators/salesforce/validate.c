/*
 * validate.c: checks and normalises a write against the schema and the
 * org's rules (see validate.h), in the order a real org reports problems:
 * object access, unknown fields, read-only fields, permissions, values,
 * references, record-type processes, a lead next to a related record on
 * activities, required fields, then validation rules, duplicate rules and
 * unique values on the resulting record.
 */
#include "emulators/salesforce/validate.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "emulators/salesforce/geo.h"
#include "emulators/salesforce/ids.h"
#include "emulators/salesforce/rules.h"

/* ---- pure checks ---- */

size_t validate_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

int validate_email(const char *s)
{
    const char *at = strchr(s, '@'), *p, *dot = NULL;
    size_t label = 0;

    if (!at || at == s || strchr(at + 1, '@') || at - s > 64)
        return 0;
    for (p = s; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (!(isalnum(c) || strchr("!#$%&'*+/=?^_`{|}~.-", c)) || c == 0)
            return 0;
    }
    if (s[0] == '.' || at[-1] == '.' || strstr(s, ".."))
        return 0;
    for (p = at + 1; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
            dot = p;
        } else if (isalnum(c) || c == '-') {
            label++;
        } else {
            return 0;
        }
    }
    /* a domain with at least one dot and a top-level label of two characters or more */
    return dot && label >= 2;
}

/* ---- values ---- */

static void value_text(const json_t *v, char *out, size_t n)
{
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(out, n, "%.15g", json_real_value(v));
    else if (json_is_true(v))
        snprintf(out, n, "true");
    else if (json_is_false(v))
        snprintf(out, n, "false");
    else
        snprintf(out, n, "%s", json_is_object(v) ? "{...}" : json_is_array(v) ? "[...]" : "");
}

static const char *json_kind(const json_t *v)
{
    if (json_is_string(v))
        return "VALUE_STRING";
    if (json_is_integer(v))
        return "VALUE_NUMBER_INT";
    if (json_is_real(v))
        return "VALUE_NUMBER_FLOAT";
    if (json_is_boolean(v))
        return json_is_true(v) ? "VALUE_TRUE" : "VALUE_FALSE";
    if (json_is_object(v))
        return "START_OBJECT";
    return "START_ARRAY";
}

static void parser_error(struct sf_error *err, const char *java_type, const json_t *v)
{
    char text[256];
    value_text(v, text, sizeof(text));
    sf_error_set(err, 400, "JSON_PARSER_ERROR",
                 "Cannot deserialize instance of %s from %s value %s or request may be missing "
                 "a required field",
                 java_type, json_kind(v), text);
}

static int number_of(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    if (json_is_string(v) && json_string_length(v)) {
        char *end;
        *out = strtod(json_string_value(v), &end);
        return *end ? -1 : 0;
    }
    return -1;
}

/* Checks a reference value: form, target type, existence. */
static json_t *check_reference(struct sf_org *org, const struct sf_object *obj,
                               const struct sf_field *f, const json_t *v, struct sf_error *err)
{
    char id[19];
    struct sf_rec *target;
    int known_target = 0, prefix_ok = 0;

    if (!json_is_string(v) || ids_canonical(json_string_value(v), id)) {
        char text[256];
        value_text(v, text, sizeof(text));
        sf_error_set(err, 400, "MALFORMED_ID", "%s: id value of incorrect type: %s", f->label,
                     text);
        sf_error_field(err, f->name);
        return NULL;
    }
    for (size_t i = 0; i < f->nrefs; i++) {
        const struct sf_object *t = schema_object(&org->schema, f->refs[i]);
        if (t) {
            known_target = 1;
            prefix_ok |= ids_has_prefix(id, t->key_prefix);
        }
    }
    if (!known_target)
        return json_string(id);
    if (!prefix_ok) {
        sf_error_set(err, 400, "FIELD_INTEGRITY_EXCEPTION", "%s: id value of incorrect type: %s",
                     f->label, json_string_value(v));
        sf_error_field(err, f->name);
        return NULL;
    }
    target = org_get(org, id);
    if (!target) {
        sf_error_set(err, 400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
        sf_error_field(err, f->name);
        return NULL;
    }
    if (target->deleted) {
        sf_error_set(err, 400, "ENTITY_IS_DELETED", "entity is deleted");
        sf_error_field(err, f->name);
        return NULL;
    }
    if (strcmp(f->name, "OwnerId") == 0 && strcmp(target->obj->name, "User") == 0 &&
        !json_is_true(json_object_get(target->data, "IsActive"))) {
        sf_error_set(err, 400, "INACTIVE_OWNER_OR_USER",
                     "operation performed with inactive user [%s] as owner of %s", id, obj->name);
        return NULL;
    }
    return json_string(id);
}

static json_t *check_picklist(const struct sf_field *f, const char *s, struct sf_error *err)
{
    const struct sf_pick *p;
    if (!(f->flags & SF_F_RESTRICTED) || !f->picklist)
        return json_string(s);
    p = schema_pick(f, s);
    if (!p || !p->active) {
        sf_error_set(err, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                     "%s: bad value for restricted picklist field: %s", f->label, s);
        sf_error_field(err, f->name);
        return NULL;
    }
    return json_string(p->value);
}

static json_t *check_multipicklist(const struct sf_field *f, const char *s, struct sf_error *err)
{
    char buf[4200], out[4200];
    size_t o = 0;
    char *save = NULL, *tok;

    snprintf(buf, sizeof(buf), "%s", s);
    out[0] = '\0';
    for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        const struct sf_pick *p = f->picklist ? schema_pick(f, tok) : NULL;
        if ((f->flags & SF_F_RESTRICTED) && (!p || !p->active)) {
            sf_error_set(err, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                         "%s: bad value for restricted picklist field: %s", f->label, tok);
            sf_error_field(err, f->name);
            return NULL;
        }
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? ";" : "", p ? p->value : tok);
        if (o >= sizeof(out))
            break;
    }
    return json_string(out);
}

static json_t *out_of_range(const struct sf_field *f, const json_t *v, struct sf_error *err)
{
    char text[SF_ERRMSG_MAX / 2];
    value_text(v, text, sizeof(text));
    sf_error_set(err, 400, "NUMBER_OUTSIDE_VALID_RANGE",
                 "%s: value outside of valid range on numeric field: %s", f->label, text);
    sf_error_field(err, f->name);
    return NULL;
}

/* new: an int, double, currency or percent value, in range and rounded to the field's scale. */
static json_t *convert_number(const struct sf_field *f, const json_t *v, struct sf_error *err)
{
    double d, scale = pow(10, f->scale);

    if (f->type == SF_T_INT) {
        if (number_of(v, &d) || d != floor(d)) {
            parser_error(err, "int", v);
            return NULL;
        }
        if (fabs(d) >= pow(10, f->length))
            return out_of_range(f, v, err);
        return json_integer((json_int_t)d);
    }
    if (number_of(v, &d) || !isfinite(d)) {
        parser_error(err, "double", v);
        return NULL;
    }
    if (fabs(d) >= pow(10, f->length - f->scale))
        return out_of_range(f, v, err);
    return json_real(round(d * scale) / scale);
}

/* new: a date ("YYYY-MM-DD"; a datetime is cut to its UTC day) or a datetime in Salesforce's
 * form. */
static json_t *convert_time(const struct sf_field *f, const json_t *v, struct sf_error *err)
{
    const char *s = json_string_value(v);
    char out[SYNC_TIME_ISO_MAX];
    int64_t ms;

    if (f->type == SF_T_DATETIME) {
        if (!s || sync_time_parse(s, &ms)) {
            parser_error(err, "datetime", v);
            return NULL;
        }
        return org_time_json(ms);
    }
    if (!s || (sync_time_parse_date(s, &ms) && sync_time_parse(s, &ms))) {
        parser_error(err, "date", v);
        return NULL;
    }
    return json_string(
        sync_time_format_date(ms - ((ms % 86400000) + 86400000) % 86400000, out, sizeof(out)));
}

/* Reads "HH:MM[:SS[.fff]][Z]" into t (hours, minutes, seconds, milliseconds); 0 when valid. */
static int parse_clock(const char *s, unsigned t[4])
{
    unsigned scale = 100;

    memset(t, 0, 4 * sizeof(*t));
    for (int i = 0; i < 3; i++) {
        if (i == 2 && *s != ':')
            break; /* seconds are optional */
        if (i > 0 && *s++ != ':')
            return -1;
        if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
            return -1;
        t[i] = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
        s += 2;
    }
    if (*s == '.') {
        if (!isdigit((unsigned char)*++s))
            return -1;
        for (; isdigit((unsigned char)*s); s++, scale /= 10)
            t[3] += (unsigned)(*s - '0') * scale;
    }
    if (*s == 'Z')
        s++;
    return *s || t[0] > 23 || t[1] > 59 || t[2] > 59 ? -1 : 0;
}

/* new: a time of day in Salesforce's form "HH:MM:SS.sssZ". */
static json_t *convert_clock(const json_t *v, struct sf_error *err)
{
    unsigned t[4];
    char out[32];

    if (!json_is_string(v) || parse_clock(json_string_value(v), t)) {
        parser_error(err, "time", v);
        return NULL;
    }
    snprintf(out, sizeof(out), "%02u:%02u:%02u.%03uZ", t[0], t[1], t[2], t[3]);
    return json_string(out);
}

/* new: a text value (strings, numbers and booleans as their text): length, e-mail form and
 * picklist values checked; "" is null. */
static json_t *convert_text(const struct sf_field *f, const json_t *v, struct sf_error *err)
{
    char text[SF_ERRMSG_MAX / 2];

    if (json_is_object(v) || json_is_array(v)) {
        parser_error(err, "String", v);
        return NULL;
    }
    value_text(v, text, sizeof(text));
    if (!text[0])
        return json_null();
    if (json_is_string(v) && validate_utf8_len(json_string_value(v)) > (size_t)f->length) {
        sf_error_set(err, 400, "STRING_TOO_LONG", "%s: data value too large: %s (max length=%d)",
                     f->label, text, f->length);
        sf_error_field(err, f->name);
        return NULL;
    }
    if (f->type == SF_T_EMAIL && !validate_email(text)) {
        sf_error_set(err, 400, "INVALID_EMAIL_ADDRESS", "%s: invalid email address: %s", f->label,
                     text);
        sf_error_field(err, f->name);
        return NULL;
    }
    if (f->type == SF_T_PICKLIST && !(f->flags & SF_F_STATECOUNTRY))
        return check_picklist(f, text, err);
    if (f->type == SF_T_MULTIPICKLIST)
        return check_multipicklist(f, text, err);
    return json_is_string(v) ? json_incref((json_t *)v) : json_string(text);
}

/* new: the stored form of v for field f, or NULL (err set) when unacceptable. A JSON null or an
 * empty string yields json_null(). */
static json_t *convert_value(struct sf_org *org, const struct sf_object *obj,
                             const struct sf_field *f, const json_t *v, struct sf_error *err)
{
    if (json_is_null(v))
        return f->type == SF_T_BOOLEAN ? json_false() : json_null();
    switch (f->type) {
    case SF_T_BOOLEAN:
        if (json_is_boolean(v))
            return json_incref((json_t *)v);
        if (json_is_string(v) && strcasecmp(json_string_value(v), "true") == 0)
            return json_true();
        if (json_is_string(v) && strcasecmp(json_string_value(v), "false") == 0)
            return json_false();
        parser_error(err, "boolean", v);
        return NULL;
    case SF_T_INT:
    case SF_T_DOUBLE:
    case SF_T_CURRENCY:
    case SF_T_PERCENT:
        return convert_number(f, v, err);
    case SF_T_DATE:
    case SF_T_DATETIME:
        return convert_time(f, v, err);
    case SF_T_ID:
    case SF_T_REFERENCE:
        if (json_is_string(v) && json_string_length(v) == 0)
            return json_null();
        return check_reference(org, obj, f, v, err);
    case SF_T_TIME:
        return convert_clock(v, err);
    case SF_T_ADDRESS:
    case SF_T_LOCATION:
    case SF_T_BASE64:
        if (!json_is_string(v)) {
            parser_error(err, "String", v);
            return NULL;
        }
        return json_incref((json_t *)v);
    default:
        return convert_text(f, v, err);
    }
}

/* ---- relationship by external id: "Account": {"CrmSync_Link_Id__c": "A-17"} ---- */

static int resolve_foreign_key(struct sf_org *org, const struct sf_field *ref, const json_t *v,
                               json_t **out_id, struct sf_error *err)
{
    const char *type = json_string_value(json_object_get(json_object_get(v, "attributes"), "type"));
    const struct sf_object *target = schema_object(&org->schema, type ? type : ref->refs[0]);
    const char *k;
    json_t *val;

    if (!target) {
        sf_error_set(err, 400, "INVALID_TYPE", "sObject type '%s' is not supported.",
                     type ? type : ref->refs[0]);
        return -1;
    }
    json_object_foreach((json_t *)v, k, val)
    {
        const struct sf_field *f;
        const struct sf_recvec *m;
        char text[256];
        if (strcmp(k, "attributes") == 0)
            continue;
        f = schema_field(target, k);
        if (!f || !(f->flags & (SF_F_EXTID | SF_F_IDLOOKUP))) {
            sf_error_set(err, 400, "INVALID_FIELD",
                         "Foreign key external ID field %s is not an external ID field", k);
            return -1;
        }
        value_text(val, text, sizeof(text));
        if (f->type == SF_T_ID) {
            char id[19];
            struct sf_rec *r = ids_canonical(text, id) ? NULL : org_get(org, id);
            if (!r || r->deleted || r->obj != target) {
                sf_error_set(err, 400, "INVALID_FIELD",
                             "Foreign key external ID: %s not found for field %s in entity %s",
                             text, f->name, target->name);
                return -1;
            }
            *out_id = json_string(r->id);
            return 0;
        }
        m = org_find_by_field(org, target, f, val);
        if (!m) {
            sf_error_set(err, 400, "INVALID_FIELD",
                         "Foreign key external ID: %s not found for field %s in entity %s", text,
                         f->name, target->name);
            return -1;
        }
        if (m->n > 1) {
            sf_error_set(err, 400, "INVALID_FIELD",
                         "Foreign key external ID: %s matched more than one record for field %s "
                         "in entity %s",
                         text, f->name, target->name);
            return -1;
        }
        *out_id = json_string(m->v[0]->id);
        return 0;
    }
    sf_error_set(err, 400, "INVALID_FIELD", "Foreign key external ID not specified for %s",
                 ref->relationship);
    return -1;
}

/* ---- permissions and access ---- */

static void list_error(struct sf_error *err, const char *code, const char *prefix,
                       const char *suffix, const json_t *names)
{
    char msg[SF_ERRMSG_MAX];
    size_t o = 0, i;
    json_t *n;

    o += (size_t)snprintf(msg, sizeof(msg), "%s", prefix);
    json_array_foreach(names, i, n)
    {
        if (o < sizeof(msg))
            o += (size_t)snprintf(msg + o, sizeof(msg) - o, "%s%s", i ? ", " : "",
                                  json_string_value(n));
    }
    if (o < sizeof(msg))
        snprintf(msg + o, sizeof(msg) - o, "%s", suffix);
    sf_error_set(err, 400, code, "%s", msg);
    json_decref(err->fields);
    err->fields = json_copy((json_t *)names);
}

/* ---- state and country picklists ---- */

/* The field names of one address block ("Mailing", "Billing", "" for Lead's). */
struct address_names {
    char country[96], code[96], state[96], scode[96];
};

static void country_error(struct sf_error *err, const char *value, const char *field)
{
    sf_error_set(err, 400, "FIELD_INTEGRITY_EXCEPTION",
                 "There's a problem with this country, even though it may appear correct. Please "
                 "select a country from the list of valid countries.: %s",
                 value);
    sf_error_field(err, field);
}

/* Settles the country of one address: the code wins when it was written (or is all there is),
 * else the label (or a code typed as the label) sets both. Returns the geo_countries index, -1
 * when the address has no country, -2 with err set when the country is unknown. */
static int settle_country(const struct address_names *a, json_t *rec, const json_t *body,
                          struct sf_error *err)
{
    const char *cv = json_string_value(json_object_get(rec, a->country));
    const char *ccv = json_string_value(json_object_get(rec, a->code));
    int ci;

    if (json_object_get(body, a->code) || (ccv && !json_object_get(body, a->country))) {
        ci = ccv ? geo_country_by_code(ccv) : -1;
        if (ccv && ci < 0) {
            country_error(err, ccv, a->code);
            return -2;
        }
        if (ci >= 0)
            json_object_set_new(rec, a->country, json_string(geo_countries[ci].label));
        else
            json_object_del(rec, a->country);
        return ci;
    }
    if (!cv) {
        json_object_del(rec, a->code);
        return -1;
    }
    ci = geo_country_by_label(cv);
    if (ci < 0)
        ci = geo_country_by_code(cv);
    if (ci < 0) {
        country_error(err, cv, a->country);
        return -2;
    }
    json_object_set_new(rec, a->country, json_string(geo_countries[ci].label));
    json_object_set_new(rec, a->code, json_string(geo_countries[ci].code));
    return ci;
}

static int country_has_states(const char *code)
{
    for (size_t k = 0; k < geo_nstates; k++)
        if (strcmp(geo_states[k].country, code) == 0)
            return 1;
    return 0;
}

/* Settles the state of one address in country ci (or -1): a written code must be one of the
 * country's; a label (or a code typed as the label) must be one when the country has states. */
static int settle_state(const struct address_names *a, int ci, json_t *rec, const json_t *body,
                        struct sf_error *err)
{
    const char *sv = json_string_value(json_object_get(rec, a->state));
    const char *scv = json_string_value(json_object_get(rec, a->scode));
    int si;

    if (json_object_get(body, a->scode) && scv) {
        si = ci >= 0 ? geo_state_by_code(geo_countries[ci].code, scv) : -1;
        if (si < 0) {
            sf_error_set(err, 400, "FIELD_INTEGRITY_EXCEPTION",
                         "The %s field contains %s, which isn't an available state.", a->scode,
                         scv);
            sf_error_field(err, a->scode);
            return -1;
        }
    } else if (sv && ci >= 0) {
        si = geo_state_by_label(geo_countries[ci].code, sv);
        if (si < 0)
            si = geo_state_by_code(geo_countries[ci].code, sv);
        if (si < 0 && country_has_states(geo_countries[ci].code)) {
            sf_error_set(err, 400, "FIELD_INTEGRITY_EXCEPTION",
                         "There's a problem with this state, even though it may appear correct. "
                         "Please select a state from the list of valid states.: %s",
                         sv);
            sf_error_field(err, a->state);
            return -1;
        }
        if (si < 0)
            return 0;
    } else {
        if (!sv)
            json_object_del(rec, a->scode);
        return 0;
    }
    json_object_set_new(rec, a->state, json_string(geo_states[si].label));
    json_object_set_new(rec, a->scode, json_string(geo_states[si].code));
    return 0;
}

/* With state and country picklists on: every address's country and state must be known, and
 * the label and code fields are kept in step. */
static int check_state_country(const struct sf_object *obj, json_t *rec, const json_t *body,
                               struct sf_error *err)
{
    for (size_t i = 0; i < obj->nfields; i++) {
        const struct sf_field *f = &obj->fields[i];
        struct address_names a;
        int n = (int)strlen(f->name) - 7, ci; /* "Address" */
        if (f->type != SF_T_ADDRESS || n < 0)
            continue;
        snprintf(a.country, sizeof(a.country), "%.*sCountry", n, f->name);
        snprintf(a.code, sizeof(a.code), "%.*sCountryCode", n, f->name);
        snprintf(a.state, sizeof(a.state), "%.*sState", n, f->name);
        snprintf(a.scode, sizeof(a.scode), "%.*sStateCode", n, f->name);
        if (!schema_field(obj, a.code))
            continue;
        ci = settle_country(&a, rec, body, err);
        if (ci == -2 || settle_state(&a, ci, rec, body, err))
            return -1;
    }
    return 0;
}

/* ---- record types ---- */

static int check_process(const struct sf_object *obj, json_t *rec, int insert, struct sf_error *err)
{
    const struct sf_rtype *rt = NULL;
    const char *rtid;
    if (!obj->nrtypes || !schema_field(obj, "RecordTypeId"))
        return 0;
    rtid = json_string_value(json_object_get(rec, "RecordTypeId"));
    if (!rtid && insert) {
        for (size_t i = 0; i < obj->nrtypes; i++)
            if (obj->rtypes[i].is_default)
                rt = &obj->rtypes[i];
        if (rt)
            json_object_set_new(rec, "RecordTypeId", json_string(rt->id));
    } else if (rtid) {
        for (size_t i = 0; i < obj->nrtypes; i++)
            if (strcmp(obj->rtypes[i].id, rtid) == 0)
                rt = &obj->rtypes[i];
        if (!rt) {
            sf_error_set(err, 400, "INVALID_CROSS_REFERENCE_KEY",
                         "Record Type ID: this ID value isn't valid for the user: %s", rtid);
            sf_error_field(err, "RecordTypeId");
            return -1;
        }
    }
    if (rt && rt->process) {
        const struct sf_field *f = schema_field(obj, rt->process->field);
        const char *v = f ? json_string_value(json_object_get(rec, f->name)) : NULL;
        size_t i;
        json_t *allowed;
        int ok = 0;
        if (!v)
            return 0;
        json_array_foreach(rt->process->values, i, allowed)
        {
            ok |= strcmp(json_string_value(allowed), v) == 0;
        }
        if (!ok) {
            sf_error_set(err, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                         "%s: bad value for restricted picklist field: %s", f->label, v);
            sf_error_field(err, f->name);
            return -1;
        }
    }
    return 0;
}

/* ---- activities ---- */

/* A task or event whose WhoId is a lead cannot also have a WhatId. */
static int check_who_what(const struct sf_object *obj, const json_t *rec, struct sf_error *err)
{
    const char *who = json_string_value(json_object_get(rec, "WhoId"));
    const char *what = json_string_value(json_object_get(rec, "WhatId"));
    if ((strcmp(obj->name, "Task") != 0 && strcmp(obj->name, "Event") != 0) || !who || !what ||
        !ids_has_prefix(who, "00Q"))
        return 0;
    sf_error_set(err, 400, "FIELD_INTEGRITY_EXCEPTION",
                 "Related To ID: an activity whose Name is a lead cannot be related to another "
                 "record: %s",
                 what);
    sf_error_field(err, "WhoId");
    sf_error_field(err, "WhatId");
    return -1;
}

/* ---- defaults, required ---- */

static void apply_defaults(struct sf_call *c, const struct sf_object *obj, json_t *rec,
                           const json_t *body)
{
    for (size_t i = 0; i < obj->nfields; i++) {
        const struct sf_field *f = &obj->fields[i];
        if (json_object_get(rec, f->name))
            continue;
        if (f->type == SF_T_BOOLEAN)
            json_object_set_new(rec, f->name, json_false());
        else if (strcmp(f->name, "OwnerId") == 0)
            json_object_set_new(rec, f->name, json_string(c->user_id));
        else if (f->default_value && (f->flags & SF_F_DEFAULTED))
            json_object_set_new(rec, f->name, json_string(f->default_value));
    }
    if (strcmp(obj->name, "User") == 0) {
        if (!json_object_get(body, "IsActive"))
            json_object_set_new(rec, "IsActive", json_true());
        if (!json_object_get(rec, "UserType"))
            json_object_set_new(rec, "UserType", json_string("Standard"));
        if (!json_object_get(rec, "CommunityNickname") && json_object_get(rec, "Alias"))
            json_object_set(rec, "CommunityNickname", json_object_get(rec, "Alias"));
        if (!json_object_get(rec, "ProfileId"))
            json_object_set_new(rec, "ProfileId", json_string("00eHs0000000001AAA"));
    } else if (strcmp(obj->name, "Task") == 0 && !json_object_get(rec, "TaskSubtype")) {
        json_object_set_new(rec, "TaskSubtype", json_string("Task"));
    } else if (strcmp(obj->name, "Event") == 0 && !json_object_get(rec, "EventSubtype")) {
        json_object_set_new(rec, "EventSubtype", json_string("Event"));
    }
}

static int check_required(const struct sf_object *obj, const json_t *rec, const json_t *body,
                          int insert, struct sf_error *err)
{
    json_t *missing = json_array();
    for (size_t i = 0; i < obj->nfields; i++) {
        const struct sf_field *f = &obj->fields[i];
        if (schema_field_nillable(f) || f->type == SF_T_BOOLEAN || f->type == SF_T_ID)
            continue;
        if (!schema_field_createable(f) && !schema_field_updateable(f))
            continue;
        if (insert && (f->flags & SF_F_DEFAULTED))
            continue;
        if (!insert && !json_object_get(body, f->name))
            continue;
        if (!json_object_get(rec, f->name))
            json_array_append_new(missing, json_string(f->name));
    }
    if (strcmp(obj->name, "Event") == 0 && insert && !json_object_get(rec, "StartDateTime") &&
        !json_object_get(rec, "ActivityDateTime") &&
        !json_is_true(json_object_get(rec, "IsAllDayEvent")))
        json_array_append_new(missing, json_string("ActivityDateTime"));
    if (strcmp(obj->name, "Event") == 0 && insert && !json_object_get(rec, "EndDateTime") &&
        !json_object_get(rec, "DurationInMinutes") &&
        !json_is_true(json_object_get(rec, "IsAllDayEvent")))
        json_array_append_new(missing, json_string("DurationInMinutes"));
    if (json_array_size(missing)) {
        list_error(err, "REQUIRED_FIELD_MISSING", "Required fields are missing: [", "]", missing);
        json_decref(missing);
        return -1;
    }
    json_decref(missing);
    return 0;
}

/* ---- unique values ---- */

static int check_unique(struct sf_call *c, const struct sf_object *obj, const json_t *rec,
                        const char *self, struct sf_error *err)
{
    for (size_t i = 0; i < obj->nfields; i++) {
        const struct sf_field *f = &obj->fields[i];
        const struct sf_recvec *m;
        json_t *v;
        if (!(f->flags & SF_F_UNIQUE) || !(v = json_object_get(rec, f->name)))
            continue;
        m = org_find_by_field(c->org, obj, f, v);
        for (size_t k = 0; m && k < m->n; k++) {
            if (self && strcmp(m->v[k]->id, self) == 0)
                continue;
            sf_error_set(err, 400, "DUPLICATE_VALUE",
                         "duplicate value found: %s duplicates value on record with id: %s",
                         f->name, m->v[k]->id);
            return -1;
        }
    }
    if (strcmp(obj->name, "CampaignMember") == 0) {
        struct sf_table *t = org_table(c->org, obj);
        const json_t *camp = json_object_get(rec, "CampaignId");
        const char *pf = json_object_get(rec, "LeadId") ? "LeadId" : "ContactId";
        const json_t *person = json_object_get(rec, pf);
        if (!json_object_get(rec, "LeadId") && !json_object_get(rec, "ContactId")) {
            sf_error_set(err, 400, "REQUIRED_FIELD_MISSING",
                         "Required fields are missing: [ContactId, LeadId]");
            sf_error_field(err, "ContactId");
            sf_error_field(err, "LeadId");
            return -1;
        }
        for (size_t n = 0; n < t->n; n++) {
            const json_t *o = t->rows[n]->data;
            if (t->rows[n]->deleted || (self && strcmp(t->rows[n]->id, self) == 0))
                continue;
            if (json_equal(json_object_get(o, "CampaignId"), camp) &&
                json_equal(json_object_get(o, pf), person)) {
                sf_error_set(err, 400, "DUPLICATE_VALUE", "Already a campaign member.");
                return -1;
            }
        }
    }
    return 0;
}

/* ---- the whole write ---- */

/* An update body may repeat the record's own Id; that is not a write to Id. */
static int same_id(const char *key, const json_t *v, const json_t *rec)
{
    char id[19];
    return rec && strcasecmp(key, "Id") == 0 && json_is_string(v) &&
           ids_canonical(json_string_value(v), id) == 0 &&
           strcmp(id, json_string_value(json_object_get(rec, "Id"))) == 0;
}

static const char perm_advice[] = ". Please check the security settings of this field and "
                                  "verify that it is read/write for your profile or permission "
                                  "set.";

/* Checks the body's field names before any value: unknown fields (INVALID_FIELD), then fields
 * nobody may write (INVALID_FIELD_FOR_INSERT_UPDATE), then fields this user may not write
 * (INSUFFICIENT_ACCESS_OR_READONLY). rec is the stored version on update, NULL on insert. */
static int check_names(struct sf_call *c, const struct sf_object *obj, const json_t *rec,
                       const json_t *body, struct sf_error *err)
{
    json_t *ro = json_array(), *noaccess = json_array(), *v;
    const char *k;
    int rc = 0;

    json_object_foreach((json_t *)body, k, v)
    {
        const struct sf_field *f;
        if (strcmp(k, "attributes") == 0 || same_id(k, v, rec))
            continue;
        f = schema_field(obj, k);
        if (!f && json_is_object(v) && schema_relationship(obj, k))
            continue;
        if (!f || !record_field_visible(c->org, f)) {
            sf_error_set(err, 400, "INVALID_FIELD", "No such column '%s' on sobject of type %s", k,
                         obj->name);
            rc = -1;
            break;
        }
        if (!rec ? !schema_field_createable(f) : !schema_field_updateable(f))
            json_array_append_new(ro, json_string(f->name));
        else if (record_field_read_only_for_user(c->org, obj, f))
            json_array_append_new(noaccess, json_string(f->name));
    }
    if (!rc && json_array_size(ro)) {
        list_error(err, "INVALID_FIELD_FOR_INSERT_UPDATE",
                   "Unable to create/update fields: ", perm_advice, ro);
        rc = -1;
    } else if (!rc && json_array_size(noaccess)) {
        list_error(err, "INSUFFICIENT_ACCESS_OR_READONLY",
                   "Unable to create/update fields: ", perm_advice, noaccess);
        rc = -1;
    }
    json_decref(ro);
    json_decref(noaccess);
    return rc;
}

/* Sets the reference field behind relationship rel from an external-id body value
 * ("Account": {"CrmSync_Link_Id__c": "A-17"}). */
static int apply_foreign_key(struct sf_call *c, const struct sf_object *obj, json_t *rec,
                             const char *rel, const json_t *v, int insert, struct sf_error *err)
{
    const struct sf_field *ref = schema_relationship(obj, rel);
    json_t *id = NULL;

    if (insert ? !schema_field_createable(ref) : !schema_field_updateable(ref)) {
        sf_error_set(err, 400, "INVALID_FIELD_FOR_INSERT_UPDATE",
                     "Unable to create/update fields: %s%s", ref->name, perm_advice);
        sf_error_field(err, ref->name);
        return -1;
    }
    if (resolve_foreign_key(c->org, ref, v, &id, err))
        return -1;
    json_object_set_new(rec, ref->name, id);
    return 0;
}

/* Writes the body's values into rec (a copy of the stored version, or empty on insert). */
static int apply_body(struct sf_call *c, const struct sf_object *obj, json_t *rec,
                      const json_t *body, int insert, struct sf_error *err)
{
    const char *k;
    json_t *v;

    if (check_names(c, obj, insert ? NULL : rec, body, err))
        return -1;
    json_object_foreach((json_t *)body, k, v)
    {
        const struct sf_field *f;
        json_t *nv;
        if (strcmp(k, "attributes") == 0 || same_id(k, v, insert ? NULL : rec))
            continue;
        if (!(f = schema_field(obj, k))) {
            if (apply_foreign_key(c, obj, rec, k, v, insert, err))
                return -1;
            continue;
        }
        if (!(nv = convert_value(c->org, obj, f, v, err)))
            return -1;
        if (json_is_null(nv))
            json_object_del(rec, f->name);
        else
            json_object_set_new(rec, f->name, nv);
    }
    return 0;
}

json_t *validate_write(struct sf_call *c, const struct sf_object *obj,
                       const struct sf_rec *existing, const json_t *body, const char *new_id,
                       struct sf_error *err)
{
    int insert = existing == NULL;
    const json_t *old = existing ? existing->data : NULL;
    json_t *rec;

    if (!json_is_object(body)) {
        sf_error_set(err, 400, "JSON_PARSER_ERROR",
                     "Cannot deserialize instance of %s from %s value", obj->name, json_kind(body));
        return NULL;
    }
    if (insert ? !obj->createable : !obj->updateable) {
        sf_error_set(err, 400, "INVALID_TYPE_FOR_OPERATION", "entity type cannot be %s: %s",
                     insert ? "inserted" : "updated", obj->name);
        return NULL;
    }
    if (org_access(c->org, obj) != SF_ACCESS_EDIT) {
        /* no object permission to create or edit (PUT /__emu/settings object_access) */
        sf_error_set(err, 400, "INSUFFICIENT_ACCESS_OR_READONLY",
                     "insufficient access rights on object id");
        return NULL;
    }
    if (c->org->perms[obj->index].read_only) {
        sf_error_set(err, 400, "INSUFFICIENT_ACCESS_OR_READONLY",
                     insert ? "insufficient access rights on cross-reference id"
                            : "insufficient access rights on object id");
        return NULL;
    }
    if (!insert && strcmp(obj->name, "Lead") == 0 &&
        json_is_true(json_object_get(old, "IsConverted"))) {
        sf_error_set(err, 400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead");
        return NULL;
    }
    rec = insert ? json_object() : json_copy((json_t *)old);
    if (apply_body(c, obj, rec, body, insert, err))
        goto fail;
    if (insert)
        apply_defaults(c, obj, rec, body);
    if (c->org->settings.state_country_picklists && check_state_country(obj, rec, body, err))
        goto fail;
    if (check_process(obj, rec, insert, err) || check_who_what(obj, rec, err))
        goto fail;
    if (check_required(obj, rec, body, insert, err))
        goto fail;
    /* assignment rules run on Lead and Case writes unless the call says not to */
    if (c->org->assign_owner[obj->index][0] && call_auto_assign(c) &&
        (strcmp(obj->name, "Lead") == 0 || strcmp(obj->name, "Case") == 0))
        json_object_set_new(rec, "OwnerId", json_string(c->org->assign_owner[obj->index]));
    if (insert) {
        json_object_set_new(rec, "Id", json_string(new_id));
        json_object_set_new(rec, "IsDeleted", json_false());
        if (strcmp(obj->name, "Case") == 0)
            json_object_set_new(rec, "CaseNumber", org_case_number(c->org));
    }
    org_stamp(rec, c->now, c->user_id, insert);
    derive_fields(c->org, obj, rec, old, body, c->now);
    if (rules_check(c, obj, rec, existing ? existing->id : NULL, err) ||
        check_unique(c, obj, rec, existing ? existing->id : new_id, err))
        goto fail;
    return rec;
fail:
    json_decref(rec);
    return NULL;
}
