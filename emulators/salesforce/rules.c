/*
 * rules.c: the org's validation and duplicate rules (see rules.h):
 * declaring them from their JSON form, listing them, and checking a
 * record against them. Validation conditions are parsed once, when
 * declared, by the SOQL module; duplicate matching compares the rule's
 * fields ignoring case, and a null field never matches.
 */
#include "emulators/salesforce/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "emulators/salesforce/soqlad.h"

#define DUPLICATE_MATCHES_MAX 50

static const struct sf_object *rule_object(const struct sf_org *org, const json_t *def,
                                           struct sync_err *err)
{
    const char *name = sync_json_str(def, "object");
    const struct sf_object *o = name ? schema_object(&org->schema, name) : NULL;
    if (!o)
        sync_err_set(err, SYNC_ERR_INVALID, "unknown or missing object '%s'", name ? name : "");
    return o;
}

/* ---- validation rules ---- */

enum sync_rc rules_add_validation(struct sf_org *org, const json_t *def, struct sync_err *err)
{
    const struct sf_object *o = rule_object(org, def, err);
    const char *cond = sync_json_str(def, "condition"), *msg = sync_json_str(def, "message");
    const char *name = sync_json_str(def, "name"), *field = sync_json_str(def, "field");
    const struct sf_field *f = o && field ? schema_field(o, field) : NULL;
    struct sync_err perr = SYNC_ERR_INIT;
    struct soql_query *q = NULL;
    struct sf_vrule *arr;
    struct soqlad ad;

    if (!o)
        return SYNC_ERR_INVALID;
    if (!cond || !msg)
        return sync_err_set(err, SYNC_ERR_INVALID, "condition and message are required");
    if (field && !f)
        return sync_err_set(err, SYNC_ERR_INVALID, "no field %s on %s", field, o->name);
    soqlad_init(&ad, org, org_now());
    if (soql_parse_condition(cond, o->name, &ad.cat, &q, &perr))
        return sync_err_set(err, SYNC_ERR_INVALID, "condition: %s", perr.message);
    arr = realloc(org->vrules, (org->nvrules + 1) * sizeof(*arr));
    if (!arr) {
        soql_query_free(q);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    org->vrules = arr;
    arr = &org->vrules[org->nvrules++];
    memset(arr, 0, sizeof(*arr));
    arr->obj = o;
    snprintf(arr->name, sizeof(arr->name), "%s", name ? name : "Validation_Rule");
    arr->condition = strdup(cond);
    arr->message = strdup(msg);
    arr->field = f ? strdup(f->name) : NULL;
    arr->q = q;
    return SYNC_OK;
}

json_t *rules_validation_json(const struct sf_org *org)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < org->nvrules; i++) {
        const struct sf_vrule *r = &org->vrules[i];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s?}", "object", r->obj->name,
                                             "name", r->name, "condition", r->condition, "message",
                                             r->message, "field", r->field));
    }
    return arr;
}

static int check_validation(struct sf_call *c, const struct sf_object *obj, const json_t *rec,
                            struct sf_error *err)
{
    struct soqlad ad;
    int inited = 0;
    for (size_t i = 0; i < c->org->nvrules; i++) {
        const struct sf_vrule *r = &c->org->vrules[i];
        if (r->obj != obj || !r->q)
            continue;
        if (!inited) {
            soqlad_init(&ad, c->org, c->view_now);
            inited = 1;
        }
        if (soql_matches(r->q, rec, &ad.rows, c->now)) {
            sf_error_set(err, 400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "%s", r->message);
            if (r->field && r->field[0])
                sf_error_field(err, r->field);
            return -1;
        }
    }
    return 0;
}

/* ---- duplicate rules ---- */

/* Fills r->fields from a JSON array of field names of r->obj. */
static enum sync_rc duplicate_fields(struct sf_duprule *r, const json_t *fields,
                                     struct sync_err *err)
{
    size_t i;
    json_t *f;

    if (!json_is_array(fields) || !json_array_size(fields) ||
        json_array_size(fields) > sizeof(r->fields) / sizeof(r->fields[0]))
        return sync_err_set(err, SYNC_ERR_INVALID, "fields must list 1 to 8 field names");
    json_array_foreach(fields, i, f)
    {
        const struct sf_field *sf = schema_field(r->obj, json_string_value(f));
        if (!sf)
            return sync_err_set(err, SYNC_ERR_INVALID, "no field %s on %s",
                                json_string_value(f) ? json_string_value(f) : "?", r->obj->name);
        if (!(r->fields[r->nfields] = strdup(sf->name)))
            return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
        r->nfields++;
    }
    return SYNC_OK;
}

enum sync_rc rules_add_duplicate(struct sf_org *org, const json_t *def, struct sync_err *err)
{
    const char *action = sync_json_str(def, "action"), *name = sync_json_str(def, "name");
    struct sf_duprule r, *arr = NULL;
    enum sync_rc rc;

    memset(&r, 0, sizeof(r));
    if (!(r.obj = rule_object(org, def, err)))
        return SYNC_ERR_INVALID;
    if (action && strcmp(action, "block") != 0 && strcmp(action, "alert") != 0)
        return sync_err_set(err, SYNC_ERR_INVALID, "action must be block or alert");
    r.block = !action || strcmp(action, "block") == 0;
    snprintf(r.name, sizeof(r.name), "%s", name ? name : "Duplicate_Rule");
    rc = duplicate_fields(&r, json_object_get(def, "fields"), err);
    if (!rc && !(arr = realloc(org->duprules, (org->nduprules + 1) * sizeof(*arr))))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (rc) {
        for (size_t k = 0; k < r.nfields; k++)
            free(r.fields[k]);
        return rc;
    }
    org->duprules = arr;
    org->duprules[org->nduprules++] = r;
    return SYNC_OK;
}

json_t *rules_duplicate_json(const struct sf_org *org)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < org->nduprules; i++) {
        const struct sf_duprule *r = &org->duprules[i];
        json_t *fields = json_array();
        for (size_t k = 0; k < r->nfields; k++)
            json_array_append_new(fields, json_string(r->fields[k]));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s}", "object", r->obj->name, "name",
                                             r->name, "fields", fields, "action",
                                             r->block ? "block" : "alert"));
    }
    return arr;
}

static int values_match(const json_t *a, const json_t *b)
{
    if (json_is_string(a) && json_is_string(b))
        return strcasecmp(json_string_value(a), json_string_value(b)) == 0;
    return a && b && json_equal(a, b);
}

/* new: Salesforce's duplicateResult naming the matching records. */
static json_t *duplicate_result(struct sf_call *c, const struct sf_duprule *r, json_t *matches)
{
    json_t *records = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(matches, i, id)
    {
        json_array_append_new(
            records,
            json_pack("{s:[], s:[], s:f, s:{s:o, s:O}}", "additionalInformation", "fieldDiffs",
                      "matchConfidence", 100.0, "record", "attributes",
                      record_attributes(c, r->obj->name, json_string_value(id)), "Id", id));
    }
    return json_pack("{s:b, s:s, s:s, s:s, s:[{s:s, s:[], s:s, s:o, s:s, s:I, s:b}]}", "allowSave",
                     !r->block, "duplicateRule", r->name, "duplicateRuleEntityType", r->obj->name,
                     "errorMessage", "Use one of these records?", "matchResults", "entityType",
                     r->obj->name, "errors", "matchEngine", "ExactMatchEngine", "matchRecords",
                     records, "rule", r->name, "size", (json_int_t)json_array_size(matches),
                     "success", 1);
}

/* new: ids of the live records (other than self) that agree with rec on every field of r. */
static json_t *duplicate_matches(struct sf_call *c, const struct sf_duprule *r, const json_t *rec,
                                 const char *self)
{
    struct sf_table *t = org_table(c->org, r->obj);
    json_t *matches = json_array();
    for (size_t n = 0; n < t->n && json_array_size(matches) < DUPLICATE_MATCHES_MAX; n++) {
        struct sf_rec *other = t->rows[n];
        int same = 1;
        if (other->deleted || (self && strcmp(other->id, self) == 0))
            continue;
        for (size_t k = 0; k < r->nfields && same; k++)
            same = values_match(json_object_get(rec, r->fields[k]),
                                json_object_get(other->data, r->fields[k]));
        if (same)
            json_array_append_new(matches, json_string(other->id));
    }
    return matches;
}

static int check_duplicates(struct sf_call *c, const struct sf_object *obj, const json_t *rec,
                            const char *self, struct sf_error *err)
{
    for (size_t i = 0; i < c->org->nduprules; i++) {
        const struct sf_duprule *r = &c->org->duprules[i];
        json_t *matches;
        int usable = 1;
        if (r->obj != obj || (!r->block && call_allow_save(c)))
            continue;
        for (size_t k = 0; k < r->nfields; k++)
            usable &= json_object_get(rec, r->fields[k]) != NULL;
        if (!usable)
            continue;
        matches = duplicate_matches(c, r, rec, self);
        if (json_array_size(matches)) {
            sf_error_set(err, 400, "DUPLICATES_DETECTED", "Use one of these records?");
            err->extra = duplicate_result(c, r, matches);
            json_decref(matches);
            return -1;
        }
        json_decref(matches);
    }
    return 0;
}

int rules_check(struct sf_call *c, const struct sf_object *obj, const json_t *rec, const char *self,
                struct sf_error *err)
{
    return check_validation(c, obj, rec, err) || check_duplicates(c, obj, rec, self, err) ? -1 : 0;
}
