/*
 * schema.c: loads the object and field catalogue from JSON (see schema.h
 * for the format) and answers lookups on it. Pure apart from reading a
 * --schema file; called once at start-up by main.c (and by unit tests),
 * then read without locks by every handler.
 */
#include "emulators/salesforce/schema.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "emulators/salesforce/geo.h"
#include "emulators/salesforce/ids.h"

/* the default schema, embedded at build time from schema_default.json */
extern const char sf_schema_default_json[];

static const char *const type_names[] = {
    [SF_T_ID] = "id",
    [SF_T_REFERENCE] = "reference",
    [SF_T_STRING] = "string",
    [SF_T_TEXTAREA] = "textarea",
    [SF_T_EMAIL] = "email",
    [SF_T_PHONE] = "phone",
    [SF_T_URL] = "url",
    [SF_T_PICKLIST] = "picklist",
    [SF_T_MULTIPICKLIST] = "multipicklist",
    [SF_T_COMBOBOX] = "combobox",
    [SF_T_BOOLEAN] = "boolean",
    [SF_T_INT] = "int",
    [SF_T_DOUBLE] = "double",
    [SF_T_CURRENCY] = "currency",
    [SF_T_PERCENT] = "percent",
    [SF_T_DATE] = "date",
    [SF_T_DATETIME] = "datetime",
    [SF_T_TIME] = "time",
    [SF_T_ADDRESS] = "address",
    [SF_T_LOCATION] = "location",
    [SF_T_ENCRYPTEDSTRING] = "encryptedstring",
    [SF_T_BASE64] = "base64",
};

const char *schema_type_name(enum sf_type t)
{
    return type_names[t];
}

const char *schema_soap_type(enum sf_type t)
{
    switch (t) {
    case SF_T_ID:
    case SF_T_REFERENCE:
        return "tns:ID";
    case SF_T_BOOLEAN:
        return "xsd:boolean";
    case SF_T_INT:
        return "xsd:int";
    case SF_T_DOUBLE:
    case SF_T_CURRENCY:
    case SF_T_PERCENT:
        return "xsd:double";
    case SF_T_DATE:
        return "xsd:date";
    case SF_T_DATETIME:
        return "xsd:dateTime";
    case SF_T_TIME:
        return "xsd:time";
    case SF_T_ADDRESS:
        return "urn:address";
    case SF_T_LOCATION:
        return "urn:location";
    case SF_T_BASE64:
        return "xsd:base64Binary";
    default:
        return "xsd:string";
    }
}

int schema_type_is_text(enum sf_type t)
{
    switch (t) {
    case SF_T_STRING:
    case SF_T_TEXTAREA:
    case SF_T_EMAIL:
    case SF_T_PHONE:
    case SF_T_URL:
    case SF_T_PICKLIST:
    case SF_T_MULTIPICKLIST:
    case SF_T_COMBOBOX:
    case SF_T_ENCRYPTEDSTRING:
        return 1;
    default:
        return 0;
    }
}

int schema_field_createable(const struct sf_field *f)
{
    return !(f->flags & SF_F_NOCREATE);
}

int schema_field_updateable(const struct sf_field *f)
{
    return !(f->flags & SF_F_NOUPDATE);
}

int schema_field_nillable(const struct sf_field *f)
{
    return (f->flags & SF_F_NILLABLE) != 0;
}

void schema_init(struct sf_schema *s)
{
    memset(s, 0, sizeof(*s));
    hmap_init(&s->by_lname);
    hmap_init(&s->by_prefix);
}

static void field_release(struct sf_field *f)
{
    free(f->name);
    free(f->label);
    for (size_t i = 0; i < f->nrefs; i++)
        free(f->refs[i]);
    free(f->relationship);
    free(f->controller);
    free(f->compound);
    free(f->formula);
    free(f->default_value);
}

static void object_free(struct sf_object *o)
{
    for (size_t i = 0; i < o->nfields; i++)
        field_release(&o->fields[i]);
    free(o->fields);
    hmap_release(&o->by_lname);
    hmap_release(&o->by_lrel);
    for (size_t i = 0; i < o->nprocesses; i++) {
        free(o->processes[i].name);
        free(o->processes[i].field);
        json_decref(o->processes[i].values);
    }
    free(o->processes);
    for (size_t i = 0; i < o->nrtypes; i++) {
        free(o->rtypes[i].name);
        free(o->rtypes[i].developer_name);
    }
    free(o->rtypes);
    for (size_t i = 0; i < o->nchildren; i++)
        free(o->children[i].name);
    free(o->children);
    free(o->name);
    free(o->label);
    free(o->label_plural);
    free(o);
}

static void picklist_free(struct sf_picklist *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].value);
        free(p->v[i].label);
        free(p->v[i].forecast);
    }
    free(p->v);
    free(p->name);
    free(p);
}

void schema_release(struct sf_schema *s)
{
    for (size_t i = 0; i < s->n; i++)
        object_free(s->objects[i]);
    free(s->objects);
    for (size_t i = 0; i < s->npicklists; i++)
        picklist_free(s->picklists[i]);
    free(s->picklists);
    hmap_release(&s->by_lname);
    hmap_release(&s->by_prefix);
    memset(s, 0, sizeof(*s));
}

/* ---- lookups ---- */

const struct sf_object *schema_object(const struct sf_schema *s, const char *name)
{
    char low[128];
    uintptr_t i;
    if (!name)
        return NULL;
    i = (uintptr_t)hmap_get(&s->by_lname, hmap_lower(name, low, sizeof(low)));
    return i ? s->objects[i - 1] : NULL;
}

const struct sf_object *schema_object_by_prefix(const struct sf_schema *s, const char *id)
{
    char p[4];
    uintptr_t i;
    if (!id || strlen(id) < 3)
        return NULL;
    memcpy(p, id, 3);
    p[3] = '\0';
    i = (uintptr_t)hmap_get(&s->by_prefix, p);
    return i ? s->objects[i - 1] : NULL;
}

const struct sf_field *schema_field(const struct sf_object *o, const char *name)
{
    char low[128];
    uintptr_t i;
    if (!name)
        return NULL;
    i = (uintptr_t)hmap_get(&o->by_lname, hmap_lower(name, low, sizeof(low)));
    return i ? &o->fields[i - 1] : NULL;
}

const struct sf_field *schema_relationship(const struct sf_object *o, const char *rel)
{
    char low[128];
    uintptr_t i;
    if (!rel)
        return NULL;
    i = (uintptr_t)hmap_get(&o->by_lrel, hmap_lower(rel, low, sizeof(low)));
    return i ? &o->fields[i - 1] : NULL;
}

const struct sf_pick *schema_pick(const struct sf_field *f, const char *value)
{
    if (!f->picklist || !value)
        return NULL;
    for (size_t i = 0; i < f->picklist->n; i++)
        if (strcmp(f->picklist->v[i].value, value) == 0)
            return &f->picklist->v[i];
    for (size_t i = 0; i < f->picklist->n; i++)
        if (strcasecmp(f->picklist->v[i].value, value) == 0)
            return &f->picklist->v[i];
    return NULL;
}

/* ---- picklists ---- */

static struct sf_picklist *picklist_find(struct sf_schema *s, const char *name)
{
    for (size_t i = 0; i < s->npicklists; i++)
        if (strcmp(s->picklists[i]->name, name) == 0)
            return s->picklists[i];
    return NULL;
}

static enum sync_rc pick_add(struct sf_picklist *p, const char *value, const char *label)
{
    struct sf_pick *v = realloc(p->v, (p->n + 1) * sizeof(*v));
    if (!v)
        return SYNC_ERR_NOMEM;
    p->v = v;
    v = &p->v[p->n++];
    memset(v, 0, sizeof(*v));
    v->value = strdup(value);
    v->label = strdup(label ? label : value);
    v->active = 1;
    v->probability = -1;
    return SYNC_OK;
}

static enum sync_rc picklist_parse(struct sf_schema *s, const char *name, const json_t *vals,
                                   struct sync_err *err)
{
    struct sf_picklist *p = picklist_find(s, name);
    struct sf_picklist **arr;
    size_t i;
    json_t *v;

    if (!json_is_array(vals))
        return sync_err_set(err, SYNC_ERR_INVALID, "picklist '%s' must be an array", name);
    if (!p) {
        arr = realloc(s->picklists, (s->npicklists + 1) * sizeof(*arr));
        if (!arr)
            return SYNC_ERR_NOMEM;
        s->picklists = arr;
        p = calloc(1, sizeof(*p));
        if (!p)
            return SYNC_ERR_NOMEM;
        p->name = strdup(name);
        s->picklists[s->npicklists++] = p;
    }
    json_array_foreach(vals, i, v)
    {
        const char *value = json_is_string(v) ? json_string_value(v) : sync_json_str(v, "value");
        struct sf_pick *pk;
        if (!value)
            return sync_err_set(err, SYNC_ERR_INVALID, "picklist '%s' entry %zu has no value", name,
                                i);
        if (pick_add(p, value, json_is_object(v) ? sync_json_str(v, "label") : NULL))
            return SYNC_ERR_NOMEM;
        if (!json_is_object(v))
            continue;
        pk = &p->v[p->n - 1];
        pk->is_default = sync_json_bool(v, "default", 0);
        pk->active = sync_json_bool(v, "active", 1);
        pk->closed = sync_json_bool(v, "closed", 0);
        pk->won = sync_json_bool(v, "won", 0);
        pk->converted = sync_json_bool(v, "converted", 0);
        pk->responded = sync_json_bool(v, "responded", 0);
        pk->high = sync_json_bool(v, "high", 0);
        pk->probability = (int)sync_json_int(v, "probability", -1);
        if (sync_json_str(v, "forecast"))
            pk->forecast = strdup(sync_json_str(v, "forecast"));
    }
    /* the state and country picklists come from the geo tables */
    if (p->n == 0 && strcmp(name, "CountryCode") == 0) {
        for (i = 0; i < geo_ncountries; i++)
            pick_add(p, geo_countries[i].code, geo_countries[i].label);
    } else if (p->n == 0 && strcmp(name, "StateCode") == 0) {
        for (i = 0; i < geo_nstates; i++)
            pick_add(p, geo_states[i].code, geo_states[i].label);
    }
    return SYNC_OK;
}

/* ---- fields ---- */

static int type_from_name(const char *name, size_t n, enum sf_type *out)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (strlen(type_names[i]) == n && strncmp(type_names[i], name, n) == 0) {
            *out = (enum sf_type)i;
            return 0;
        }
    }
    return -1;
}

static int default_length(enum sf_type t)
{
    switch (t) {
    case SF_T_ID:
    case SF_T_REFERENCE:
        return 18;
    case SF_T_EMAIL:
        return 80;
    case SF_T_PHONE:
        return 40;
    case SF_T_INT:
        return 9;
    case SF_T_DOUBLE:
    case SF_T_CURRENCY:
        return 18;
    case SF_T_PERCENT:
        return 3;
    case SF_T_STRING:
    case SF_T_TEXTAREA:
    case SF_T_URL:
    case SF_T_PICKLIST:
    case SF_T_COMBOBOX:
    case SF_T_ENCRYPTEDSTRING:
        return 255;
    case SF_T_MULTIPICKLIST:
        return 4099;
    default:
        return 0;
    }
}

/* "FirstName" -> "First Name", "AccountId" -> "Account ID", "Foo_Bar__c" -> "Foo Bar". */
static char *label_from_name(const char *name)
{
    char out[256];
    size_t n = strlen(name), j = 0;

    if (n > 3 && strcmp(name + n - 3, "__c") == 0)
        n -= 3;
    for (size_t i = 0; i < n && j + 4 < sizeof(out); i++) {
        char c = name[i];
        if (c == '_') {
            out[j++] = ' ';
            continue;
        }
        if (i > 0 && isupper((unsigned char)c) && islower((unsigned char)name[i - 1]))
            out[j++] = ' ';
        out[j++] = c;
    }
    out[j] = '\0';
    if (j >= 3 && strcmp(out + j - 3, " Id") == 0)
        out[j - 1] = 'D';
    return strdup(out);
}

static void label_words(const char *s, size_t n, char **out)
{
    char *l = malloc(n + 1);
    if (!l)
        return;
    for (size_t i = 0; i < n; i++)
        l[i] = s[i] == '_' ? ' ' : s[i];
    l[n] = '\0';
    free(*out);
    *out = l;
}

static enum sync_rc add_refs(struct sf_field *f, const char *list, size_t n)
{
    const char *p = list, *end = list + n;
    while (p < end && f->nrefs < SF_MAX_REFS) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        size_t len = bar ? (size_t)(bar - p) : (size_t)(end - p);
        f->refs[f->nrefs] = strndup(p, len);
        if (!f->refs[f->nrefs])
            return SYNC_ERR_NOMEM;
        f->nrefs++;
        p += len + 1;
    }
    if (f->nrefs > 1)
        f->flags |= SF_F_POLYMORPHIC;
    return SYNC_OK;
}

static const struct {
    const char *name;
    unsigned flag;
} flag_words[] = {
    {"required", SF_F_REQUIRED},
    {"extid", SF_F_EXTID},
    {"unique", SF_F_UNIQUE},
    {"casesensitive", SF_F_CASESENS},
    {"restricted", SF_F_RESTRICTED},
    {"calculated", SF_F_CALCULATED | SF_F_NOCREATE | SF_F_NOUPDATE},
    {"autonumber", SF_F_AUTONUMBER | SF_F_NOCREATE | SF_F_NOUPDATE},
    {"idlookup", SF_F_IDLOOKUP},
    {"namefield", SF_F_NAMEFIELD},
    {"defaulted", SF_F_DEFAULTED},
    {"nofilter", SF_F_NOFILTER},
    {"statecountry", SF_F_STATECOUNTRY},
    {"custom", SF_F_CUSTOM},
    {"readonly", SF_F_NOCREATE | SF_F_NOUPDATE},
    {"createonly", SF_F_NOUPDATE},
};

/* Parses "type[(len[,scale])] flag..." into f (name already set). */
static enum sync_rc field_parse_spec(struct sf_schema *s, struct sf_field *f, const char *spec,
                                     struct sync_err *err)
{
    const char *p = spec;
    size_t n = strcspn(p, "( ");

    if (type_from_name(p, n, &f->type))
        return sync_err_set(err, SYNC_ERR_INVALID, "field %s: unknown type '%.*s'", f->name, (int)n,
                            p);
    f->length = default_length(f->type);
    p += n;
    if (*p == '(') {
        char *end;
        f->length = (int)strtol(p + 1, &end, 10);
        if (*end == ',')
            f->scale = (int)strtol(end + 1, &end, 10);
        if (*end != ')' || f->length <= 0)
            return sync_err_set(err, SYNC_ERR_INVALID, "field %s: bad length in '%s'", f->name,
                                spec);
        p = end + 1;
    }
    while (*p) {
        size_t k;
        int known = 0;
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        n = strcspn(p, " ");
        for (k = 0; k < sizeof(flag_words) / sizeof(flag_words[0]); k++) {
            if (strlen(flag_words[k].name) == n && strncmp(p, flag_words[k].name, n) == 0) {
                f->flags |= flag_words[k].flag;
                known = 1;
            }
        }
        if (!known && n > 4 && strncmp(p, "ref:", 4) == 0) {
            if (add_refs(f, p + 4, n - 4))
                return SYNC_ERR_NOMEM;
            known = 1;
        } else if (!known && n > 4 && strncmp(p, "rel:", 4) == 0) {
            free(f->relationship);
            f->relationship = strndup(p + 4, n - 4);
            known = 1;
        } else if (!known && n > 5 && strncmp(p, "pick:", 5) == 0) {
            char pname[128];
            snprintf(pname, sizeof(pname), "%.*s", (int)(n - 5), p + 5);
            f->picklist = picklist_find(s, pname);
            if (!f->picklist)
                return sync_err_set(err, SYNC_ERR_INVALID, "field %s: unknown picklist '%s'",
                                    f->name, pname);
            known = 1;
        } else if (!known && n > 11 && strncmp(p, "controller:", 11) == 0) {
            f->controller = strndup(p + 11, n - 11);
            known = 1;
        } else if (!known && n > 6 && strncmp(p, "label:", 6) == 0) {
            label_words(p + 6, n - 6, &f->label);
            known = 1;
        }
        if (!known)
            return sync_err_set(err, SYNC_ERR_INVALID, "field %s: unknown flag '%.*s'", f->name,
                                (int)n, p);
        p += n;
    }
    return SYNC_OK;
}

/* The object form: describe's own property names. */
static enum sync_rc field_parse_object(struct sf_schema *s, struct sf_field *f, const json_t *o,
                                       struct sync_err *err)
{
    const char *type = sync_json_str(o, "type");
    json_t *v;
    size_t i;

    if (!type || type_from_name(type, strlen(type), &f->type))
        return sync_err_set(err, SYNC_ERR_INVALID, "field %s: missing or unknown type", f->name);
    f->length =
        (int)sync_json_int(o, "length", sync_json_int(o, "precision", default_length(f->type)));
    f->scale = (int)sync_json_int(o, "scale", 0);
    if (sync_json_str(o, "label"))
        f->label = strdup(sync_json_str(o, "label"));
    if (!sync_json_bool(o, "nillable", 1))
        f->flags |= SF_F_REQUIRED;
    if (!sync_json_bool(o, "createable", 1))
        f->flags |= SF_F_NOCREATE;
    if (!sync_json_bool(o, "updateable", 1))
        f->flags |= SF_F_NOUPDATE;
    if (sync_json_bool(o, "externalId", 0))
        f->flags |= SF_F_EXTID;
    if (sync_json_bool(o, "unique", 0))
        f->flags |= SF_F_UNIQUE;
    if (sync_json_bool(o, "caseSensitive", 0))
        f->flags |= SF_F_CASESENS;
    if (sync_json_bool(o, "restrictedPicklist", 0))
        f->flags |= SF_F_RESTRICTED;
    if (sync_json_bool(o, "calculated", 0))
        f->flags |= SF_F_CALCULATED | SF_F_NOCREATE | SF_F_NOUPDATE;
    if (sync_json_bool(o, "defaultedOnCreate", 0))
        f->flags |= SF_F_DEFAULTED;
    if (sync_json_bool(o, "idLookup", 0))
        f->flags |= SF_F_IDLOOKUP;
    if (!sync_json_bool(o, "filterable", 1))
        f->flags |= SF_F_NOFILTER;
    if (sync_json_str(o, "relationshipName"))
        f->relationship = strdup(sync_json_str(o, "relationshipName"));
    if (sync_json_str(o, "calculatedFormula"))
        f->formula = strdup(sync_json_str(o, "calculatedFormula"));
    v = json_object_get(o, "defaultValue");
    if (json_is_string(v))
        f->default_value = strdup(json_string_value(v));
    v = json_object_get(o, "referenceTo");
    if (json_is_string(v)) {
        if (add_refs(f, json_string_value(v), json_string_length(v)))
            return SYNC_ERR_NOMEM;
    } else if (json_is_array(v)) {
        json_t *r;
        json_array_foreach(v, i, r)
        {
            if (json_is_string(r) && add_refs(f, json_string_value(r), json_string_length(r)))
                return SYNC_ERR_NOMEM;
        }
    }
    v = json_object_get(o, "picklistValues");
    if (json_is_string(v)) {
        f->picklist = picklist_find(s, json_string_value(v));
        if (!f->picklist)
            return sync_err_set(err, SYNC_ERR_INVALID, "field %s: unknown picklist '%s'", f->name,
                                json_string_value(v));
    } else if (json_is_array(v)) {
        char pname[300];
        snprintf(pname, sizeof(pname), "%s.%s", sync_json_str(o, "_object"), f->name);
        if (picklist_parse(s, pname, v, err))
            return SYNC_ERR_INVALID;
        f->picklist = picklist_find(s, pname);
    }
    return SYNC_OK;
}

static void field_finish(struct sf_field *f)
{
    size_t n = strlen(f->name);

    if (!f->label)
        f->label = label_from_name(f->name);
    if (n > 3 && strcmp(f->name + n - 3, "__c") == 0)
        f->flags |= SF_F_CUSTOM;
    if (f->type == SF_T_REFERENCE && !f->relationship) {
        if (f->flags & SF_F_CUSTOM) {
            f->relationship = strdup(f->name);
            if (f->relationship)
                f->relationship[n - 1] = 'r';
        } else if (n > 2 && strcmp(f->name + n - 2, "Id") == 0) {
            f->relationship = strndup(f->name, n - 2);
        }
    }
    if (f->type == SF_T_BOOLEAN) {
        f->flags |= SF_F_DEFAULTED;
        f->flags &= ~(unsigned)SF_F_NILLABLE;
    } else if (!(f->flags & SF_F_REQUIRED) && f->type != SF_T_ID) {
        f->flags |= SF_F_NILLABLE;
    }
    if (f->type == SF_T_ADDRESS || f->type == SF_T_LOCATION)
        f->flags |= SF_F_NOCREATE | SF_F_NOUPDATE | SF_F_NOFILTER;
    if (f->type == SF_T_TEXTAREA && f->length > 255)
        f->flags |= SF_F_NOFILTER;
    if ((f->flags & SF_F_UNIQUE) && !(f->flags & SF_F_EXTID) && f->type != SF_T_ID)
        f->flags |= SF_F_IDLOOKUP;
    if (f->flags & SF_F_EXTID)
        f->flags |= SF_F_IDLOOKUP;
    if (f->picklist && !f->default_value) {
        /* a picklist's default value is filled in on create, as an org does for API inserts */
        for (size_t i = 0; i < f->picklist->n; i++) {
            if (f->picklist->v[i].is_default) {
                f->default_value = strdup(f->picklist->v[i].value);
                f->flags |= SF_F_DEFAULTED;
            }
        }
    }
    if ((f->flags & SF_F_CALCULATED) && !f->formula) {
        if (strcmp(f->name, "ExpectedRevenue") == 0)
            f->formula = strdup("Amount * Probability / 100");
    }
}

static enum sync_rc object_add_field(struct sf_object *o, struct sf_field *f)
{
    char low[128];
    struct sf_field *arr = realloc(o->fields, (o->nfields + 1) * sizeof(*arr));
    if (!arr)
        return SYNC_ERR_NOMEM;
    o->fields = arr;
    o->fields[o->nfields] = *f;
    o->nfields++;
    hmap_put(&o->by_lname, hmap_lower(f->name, low, sizeof(low)), (void *)(uintptr_t)o->nfields);
    if (f->relationship)
        hmap_put(&o->by_lrel, hmap_lower(f->relationship, low, sizeof(low)),
                 (void *)(uintptr_t)o->nfields);
    return SYNC_OK;
}

static enum sync_rc add_spec_field(struct sf_schema *s, struct sf_object *o, const char *name,
                                   const char *spec)
{
    struct sf_field f;
    struct sync_err err = SYNC_ERR_INIT;
    memset(&f, 0, sizeof(f));
    f.name = strdup(name);
    if (field_parse_spec(s, &f, spec, &err)) {
        field_release(&f);
        return SYNC_ERR_INTERNAL;
    }
    field_finish(&f);
    return object_add_field(o, &f);
}

static void set_compounds(struct sf_object *o)
{
    /* address components point at their compound field: Mailing* -> MailingAddress */
    static const char *const parts[] = {
        "Street",      "City",     "State",     "PostalCode",      "Country", "StateCode",
        "CountryCode", "Latitude", "Longitude", "GeocodeAccuracy", NULL};
    for (size_t i = 0; i < o->nfields; i++) {
        struct sf_field *a = &o->fields[i];
        size_t n = strlen(a->name);
        if (a->type != SF_T_ADDRESS || n < 7)
            continue;
        for (int k = 0; parts[k]; k++) {
            char name[128];
            struct sf_field *c;
            snprintf(name, sizeof(name), "%.*s%s", (int)(n - 7), a->name, parts[k]);
            c = (struct sf_field *)schema_field(o, name);
            if (c && !c->compound)
                c->compound = strdup(a->name);
        }
    }
    if (schema_field(o, "Name") && schema_field(o, "FirstName") && schema_field(o, "LastName")) {
        static const char *const nparts[] = {"FirstName", "LastName", "Salutation", NULL};
        for (int k = 0; nparts[k]; k++) {
            struct sf_field *c = (struct sf_field *)schema_field(o, nparts[k]);
            if (c && !c->compound)
                c->compound = strdup("Name");
        }
    }
}

static struct sf_object *object_new(struct sf_schema *s, const char *name, const json_t *def,
                                    struct sync_err *err)
{
    struct sf_object *o = calloc(1, sizeof(*o)), **arr;
    const char *prefix = sync_json_str(def, "keyPrefix");
    char low[128];
    size_t n = strlen(name);

    if (!o)
        return NULL;
    o->custom = n > 3 && strcmp(name + n - 3, "__c") == 0;
    if (!prefix || strlen(prefix) != 3) {
        if (!o->custom) {
            free(o);
            sync_err_set(err, SYNC_ERR_INVALID, "object %s needs a 3-character keyPrefix", name);
            return NULL;
        }
        snprintf(o->key_prefix, sizeof(o->key_prefix), "a%02zu", s->n % 100);
    } else {
        memcpy(o->key_prefix, prefix, 4);
    }
    o->name = strdup(name);
    o->label =
        sync_json_str(def, "label") ? strdup(sync_json_str(def, "label")) : label_from_name(name);
    o->label_plural =
        sync_json_str(def, "labelPlural") ? strdup(sync_json_str(def, "labelPlural")) : NULL;
    if (!o->label_plural && o->label) {
        size_t ln = strlen(o->label);
        o->label_plural = malloc(ln + 2);
        if (o->label_plural)
            snprintf(o->label_plural, ln + 2, "%ss", o->label);
    }
    o->createable = sync_json_bool(def, "createable", 1);
    o->updateable = sync_json_bool(def, "updateable", 1);
    o->deletable = sync_json_bool(def, "deletable", 1);
    o->mergeable = sync_json_bool(def, "mergeable", 0);
    o->replicateable = sync_json_bool(def, "replicateable", 1);
    o->queryable = 1;
    hmap_init(&o->by_lname);
    hmap_init(&o->by_lrel);
    arr = realloc(s->objects, (s->n + 1) * sizeof(*arr));
    if (!arr) {
        object_free(o);
        return NULL;
    }
    s->objects = arr;
    o->index = s->n;
    s->objects[s->n++] = o;
    hmap_put(&s->by_lname, hmap_lower(name, low, sizeof(low)), (void *)(uintptr_t)s->n);
    if (!hmap_get(&s->by_prefix, o->key_prefix))
        hmap_put(&s->by_prefix, o->key_prefix, (void *)(uintptr_t)s->n);
    return o;
}

static enum sync_rc parse_one_field(struct sf_schema *s, struct sf_object *o, const char *fname,
                                    const json_t *fv, struct sync_err *err)
{
    struct sf_field f;
    enum sync_rc rc;

    if (schema_field(o, fname))
        return sync_err_set(err, SYNC_ERR_INVALID, "field %s.%s is declared twice", o->name, fname);
    memset(&f, 0, sizeof(f));
    f.name = strdup(fname);
    if (json_is_string(fv)) {
        rc = field_parse_spec(s, &f, json_string_value(fv), err);
    } else if (json_is_object(fv)) {
        json_t *copy = json_copy((json_t *)fv);
        json_object_set_new(copy, "_object", json_string(o->name));
        rc = field_parse_object(s, &f, copy, err);
        json_decref(copy);
    } else {
        rc = sync_err_set(err, SYNC_ERR_INVALID, "field %s.%s: want a spec string or an object",
                          o->name, fname);
    }
    if (rc) {
        field_release(&f);
        return rc;
    }
    field_finish(&f);
    return object_add_field(o, &f);
}

static enum sync_rc parse_processes(struct sf_schema *s, struct sf_object *o, const json_t *def,
                                    struct sync_err *err)
{
    json_t *procs = json_object_get(def, "processes"), *rts = json_object_get(def, "recordTypes");
    const char *pname;
    json_t *pv, *rt;
    size_t i;

    json_object_foreach(procs, pname, pv)
    {
        struct sf_process *arr = realloc(o->processes, (o->nprocesses + 1) * sizeof(*arr));
        if (!arr)
            return SYNC_ERR_NOMEM;
        o->processes = arr;
        arr = &o->processes[o->nprocesses++];
        memset(arr, 0, sizeof(*arr));
        arr->name = strdup(pname);
        arr->field = strdup(sync_json_str(pv, "field") ? sync_json_str(pv, "field") : "");
        arr->values = json_incref(json_object_get(pv, "values"));
        ids_make("019", ++s->process_seq, arr->id);
    }
    json_array_foreach(rts, i, rt)
    {
        struct sf_rtype *arr = realloc(o->rtypes, (o->nrtypes + 1) * sizeof(*arr));
        const char *proc = sync_json_str(rt, "process");
        if (!arr)
            return SYNC_ERR_NOMEM;
        if (!sync_json_str(rt, "name"))
            return sync_err_set(err, SYNC_ERR_INVALID, "%s: record type without a name", o->name);
        o->rtypes = arr;
        arr = &o->rtypes[o->nrtypes++];
        memset(arr, 0, sizeof(*arr));
        arr->name = strdup(sync_json_str(rt, "name"));
        arr->developer_name =
            strdup(sync_json_str(rt, "developerName") ? sync_json_str(rt, "developerName")
                                                      : sync_json_str(rt, "name"));
        arr->is_default = sync_json_bool(rt, "default", 0);
        for (size_t k = 0; proc && k < o->nprocesses; k++)
            if (strcmp(o->processes[k].name, proc) == 0)
                arr->process = &o->processes[k];
        ids_make("012", ++s->rtype_seq, arr->id);
    }
    return SYNC_OK;
}

static enum sync_rc parse_object(struct sf_schema *s, const char *name, const json_t *def,
                                 struct sync_err *err)
{
    struct sf_object *o = (struct sf_object *)schema_object(s, name);
    json_t *fields = json_object_get(def, "fields");
    const char *fname;
    json_t *fv;
    int fresh = 0;
    enum sync_rc rc;

    if (!json_is_object(def))
        return sync_err_set(err, SYNC_ERR_INVALID, "object %s must be a JSON object", name);
    if (fields && !json_is_object(fields))
        return sync_err_set(err, SYNC_ERR_INVALID, "%s.fields must be a JSON object", name);
    if (!o) {
        o = object_new(s, name, def, err);
        if (!o)
            return err && err->rc ? err->rc : SYNC_ERR_NOMEM;
        fresh = 1;
        if (add_spec_field(s, o, "Id", "id(18) readonly idlookup label:Record_ID") ||
            add_spec_field(s, o, "IsDeleted", "boolean readonly label:Deleted"))
            return SYNC_ERR_NOMEM;
    }
    /* standard fields first, then the audit fields, then custom fields (describe's order) */
    json_object_foreach(fields, fname, fv)
    {
        size_t n = strlen(fname);
        if (fresh && n > 3 && strcmp(fname + n - 3, "__c") == 0)
            continue;
        if ((rc = parse_one_field(s, o, fname, fv, err)))
            return rc;
    }
    if (fresh) {
        if (add_spec_field(s, o, "CreatedDate", "datetime readonly required defaulted") ||
            add_spec_field(s, o, "CreatedById",
                           "reference(18) readonly required defaulted ref:User rel:CreatedBy") ||
            add_spec_field(s, o, "LastModifiedDate", "datetime readonly required defaulted") ||
            add_spec_field(s, o, "LastModifiedById",
                           "reference(18) readonly required defaulted "
                           "ref:User rel:LastModifiedBy") ||
            add_spec_field(s, o, "SystemModstamp", "datetime readonly required defaulted"))
            return SYNC_ERR_NOMEM;
        json_object_foreach(fields, fname, fv)
        {
            size_t n = strlen(fname);
            if (n > 3 && strcmp(fname + n - 3, "__c") == 0 &&
                (rc = parse_one_field(s, o, fname, fv, err)))
                return rc;
        }
    }
    set_compounds(o);
    return parse_processes(s, o, def, err);
}

enum sync_rc schema_apply(struct sf_schema *s, const json_t *doc, struct sync_err *err)
{
    json_t *pl = json_object_get(doc, "picklists"), *objs = json_object_get(doc, "objects"), *v;
    const char *name;
    enum sync_rc rc;

    if (!json_is_object(doc))
        return sync_err_set(err, SYNC_ERR_INVALID, "a schema document must be a JSON object");
    if (pl && !json_is_object(pl))
        return sync_err_set(err, SYNC_ERR_INVALID, "\"picklists\" must be a JSON object");
    if (objs && !json_is_object(objs))
        return sync_err_set(err, SYNC_ERR_INVALID, "\"objects\" must be a JSON object");
    json_object_foreach(pl, name, v)
    {
        if ((rc = picklist_parse(s, name, v, err)))
            return rc;
    }
    json_object_foreach(objs, name, v)
    {
        if ((rc = parse_object(s, name, v, err)))
            return rc;
    }
    return SYNC_OK;
}

enum sync_rc schema_load_default(struct sf_schema *s, struct sync_err *err)
{
    json_t *doc;
    enum sync_rc rc;

    schema_init(s);
    doc = sync_json_parse(sf_schema_default_json, strlen(sf_schema_default_json), err);
    if (!doc)
        return SYNC_ERR_PARSE;
    rc = schema_apply(s, doc, err);
    json_decref(doc);
    return rc;
}

enum sync_rc schema_apply_file(struct sf_schema *s, const char *path, struct sync_err *err)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_DECODE_ANY, &jerr);
    enum sync_rc rc;

    if (!doc)
        return sync_err_set(err, SYNC_ERR_PARSE, "%s: line %d: %s", path, jerr.line, jerr.text);
    rc = schema_apply(s, doc, err);
    json_decref(doc);
    return rc;
}

/* ---- child relationships ---- */

static int skip_child_field(const struct sf_field *f)
{
    static const char *const skip[] = {"CreatedById",
                                       "LastModifiedById",
                                       "OwnerId",
                                       "MasterRecordId",
                                       "RecordTypeId",
                                       "ReportsToId",
                                       "ConvertedAccountId",
                                       "ConvertedContactId",
                                       "ConvertedOpportunityId",
                                       "ManagerId",
                                       "ProfileId",
                                       "UserRoleId",
                                       "BusinessProcessId",
                                       NULL};
    for (int i = 0; skip[i]; i++)
        if (strcmp(f->name, skip[i]) == 0)
            return 1;
    return 0;
}

static void add_child(struct sf_object *parent, const char *name, size_t child, size_t field)
{
    struct sf_child *arr;
    if (schema_child(parent, name))
        return;
    arr = realloc(parent->children, (parent->nchildren + 1) * sizeof(*arr));
    if (!arr)
        return;
    parent->children = arr;
    arr[parent->nchildren].name = strdup(name);
    arr[parent->nchildren].child = child;
    arr[parent->nchildren].field = field;
    parent->nchildren++;
}

void schema_finish(struct sf_schema *s)
{
    for (size_t ci = 0; ci < s->n; ci++) {
        struct sf_object *c = s->objects[ci];
        for (size_t fi = 0; fi < c->nfields; fi++) {
            const struct sf_field *f = &c->fields[fi];
            if (f->type != SF_T_REFERENCE || skip_child_field(f))
                continue;
            for (size_t r = 0; r < f->nrefs; r++) {
                struct sf_object *p = (struct sf_object *)schema_object(s, f->refs[r]);
                char name[256];
                size_t j = 0;
                if (!p)
                    continue;
                if (p == c && strcmp(f->name, "ParentId") == 0 && strcmp(c->name, "Case") != 0)
                    j = (size_t)snprintf(name, sizeof(name), "Child");
                for (const char *q = c->label_plural; *q && j + 4 < sizeof(name); q++)
                    if (*q != ' ')
                        name[j++] = *q;
                name[j] = '\0';
                if (f->flags & SF_F_CUSTOM)
                    snprintf(name + j, sizeof(name) - j, "__r");
                add_child(p, name, ci, fi);
            }
        }
    }
}

const struct sf_child *schema_child(const struct sf_object *o, const char *name)
{
    for (size_t i = 0; name && i < o->nchildren; i++)
        if (strcasecmp(o->children[i].name, name) == 0)
            return &o->children[i];
    return NULL;
}
