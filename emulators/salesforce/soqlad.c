/*
 * soqlad.c: the SOQL module's view of the org (see soqlad.h): schema
 * lookups for the checker and record iteration for the executor, as a
 * reader at a given instant sees them. Used by query.c and rules.c with
 * the org lock held.
 */
#include "emulators/salesforce/soqlad.h"

#include <stdio.h>
#include <string.h>

#include "emulators/salesforce/api.h"

static enum soql_type soql_type_of(enum sf_type t)
{
    switch (t) {
    case SF_T_ID:
    case SF_T_REFERENCE:
        return SOQL_T_ID;
    case SF_T_MULTIPICKLIST:
        return SOQL_T_MULTIPICKLIST;
    case SF_T_BOOLEAN:
        return SOQL_T_BOOLEAN;
    case SF_T_INT:
        return SOQL_T_INT;
    case SF_T_DOUBLE:
    case SF_T_CURRENCY:
    case SF_T_PERCENT:
        return SOQL_T_DOUBLE;
    case SF_T_DATE:
        return SOQL_T_DATE;
    case SF_T_DATETIME:
        return SOQL_T_DATETIME;
    case SF_T_TIME:
        return SOQL_T_TIME;
    case SF_T_ADDRESS:
    case SF_T_LOCATION:
    case SF_T_BASE64:
        return SOQL_T_OTHER;
    default:
        return SOQL_T_STRING;
    }
}

static void fill_info(const struct sf_field *f, struct soql_field_info *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", f->name);
    out->type = soql_type_of(f->type);
    out->filterable = !(f->flags & SF_F_NOFILTER);
    out->sortable = !(f->flags & SF_F_NOFILTER);
    out->custom = (f->flags & SF_F_CUSTOM) != 0;
}

static int cat_object(void *ctx, const char *name, char canonical[SOQL_NAME_MAX])
{
    struct soqlad *a = ctx;
    const struct sf_object *o =
        a->as_user ? org_user_object(a->org, name) : schema_object(&a->org->schema, name);
    if (!o)
        return -1;
    snprintf(canonical, SOQL_NAME_MAX, "%s", o->name);
    return 0;
}

static int cat_field(void *ctx, const char *object, const char *name, struct soql_field_info *out)
{
    struct soqlad *a = ctx;
    const struct sf_object *o = schema_object(&a->org->schema, object);
    const struct sf_field *f = o ? schema_field(o, name) : NULL;
    if (!f || !record_field_visible(a->org, f))
        return -1;
    fill_info(f, out);
    return 0;
}

static int cat_parent(void *ctx, const char *object, const char *rel, char field[SOQL_NAME_MAX],
                      char targets[][SOQL_NAME_MAX], size_t max_targets, size_t *ntargets)
{
    struct soqlad *a = ctx;
    const struct sf_object *o = schema_object(&a->org->schema, object);
    const struct sf_field *f = o ? schema_relationship(o, rel) : NULL;
    size_t n = 0;
    if (!f)
        return -1;
    snprintf(field, SOQL_NAME_MAX, "%s", f->name);
    for (size_t i = 0; i < f->nrefs && n < max_targets; i++) {
        const struct sf_object *t = schema_object(&a->org->schema, f->refs[i]);
        if (t)
            snprintf(targets[n++], SOQL_NAME_MAX, "%s", t->name);
    }
    *ntargets = n;
    return n ? 0 : -1;
}

static int cat_child(void *ctx, const char *object, const char *rel, char child[SOQL_NAME_MAX],
                     char field[SOQL_NAME_MAX])
{
    struct soqlad *a = ctx;
    const struct sf_object *o = schema_object(&a->org->schema, object);
    const struct sf_child *ch = o ? schema_child(o, rel) : NULL;
    const struct sf_object *co;
    if (!ch)
        return -1;
    co = a->org->schema.objects[ch->child];
    snprintf(child, SOQL_NAME_MAX, "%s", co->name);
    snprintf(field, SOQL_NAME_MAX, "%s", co->fields[ch->field].name);
    return 0;
}

static void cat_fields(void *ctx, const char *object,
                       void (*fn)(void *arg, const struct soql_field_info *f), void *arg)
{
    struct soqlad *a = ctx;
    const struct sf_object *o = schema_object(&a->org->schema, object);
    for (size_t i = 0; o && i < o->nfields; i++) {
        struct soql_field_info info;
        if (!record_field_visible(a->org, &o->fields[i]))
            continue;
        fill_info(&o->fields[i], &info);
        fn(arg, &info);
    }
}

static void rows_foreach(void *ctx, const char *object, int include_deleted,
                         int (*fn)(void *arg, const json_t *rec), void *arg)
{
    struct soqlad *a = ctx;
    const struct sf_object *o = schema_object(&a->org->schema, object);
    struct sf_table *t;
    if (!o)
        return;
    t = org_table(a->org, o);
    for (size_t i = 0; i < t->n; i++) {
        const json_t *v = org_view(t->rows[i], a->now);
        if (!v)
            continue;
        if (!include_deleted && json_is_true(json_object_get(v, "IsDeleted")))
            continue;
        if (fn(arg, v))
            return;
    }
}

static const json_t *rows_get(void *ctx, const char *id, const char **object)
{
    struct soqlad *a = ctx;
    struct sf_rec *r = org_get(a->org, id);
    const json_t *v;
    if (!r)
        return NULL;
    v = org_view(r, a->now);
    if (v && object)
        *object = r->obj->name;
    return v;
}

void soqlad_init(struct soqlad *a, struct sf_org *org, int64_t now)
{
    memset(a, 0, sizeof(*a));
    a->org = org;
    a->now = now;
    a->cat.ctx = a;
    a->cat.object = cat_object;
    a->cat.field = cat_field;
    a->cat.parent = cat_parent;
    a->cat.child = cat_child;
    a->cat.fields = cat_fields;
    a->rows.ctx = a;
    a->rows.foreach = rows_foreach;
    a->rows.get = rows_get;
}
