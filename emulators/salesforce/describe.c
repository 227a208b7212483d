/*
 * describe.c: describeGlobal (GET /sobjects) and describe
 * (GET /sobjects/{object}/describe), built from the schema catalogue that
 * validation also uses. State and country code fields appear only while
 * the org has state/country picklists switched on; StateCode values carry
 * validFor bitmaps over the CountryCode values. Handlers reached through
 * the route table (routes.c) with the org read lock held;
 * describe_global_entry also serves GET /sobjects/{object} (sobjects.c).
 */
#include <stdio.h>
#include <string.h>

#include "core/crypto.h"
#include "emulators/salesforce/api.h"
#include "emulators/salesforce/geo.h"

static json_t *object_urls(const struct sf_call *c, const struct sf_object *o, int full)
{
    static const char *const urls[][2] = {{"listviews", "/listviews"},
                                          {"compactLayouts", "/describe/compactLayouts"},
                                          {"approvalLayouts", "/describe/approvalLayouts"},
                                          {"layouts", "/describe/layouts"},
                                          {"quickActions", "/quickActions"},
                                          {"rowTemplate", "/{ID}"},
                                          {"describe", "/describe"},
                                          {"sobject", ""}};
    const size_t describe_only = 5; /* the first five; describeGlobal lists the rest */
    char base[256], buf[320];
    json_t *u = json_object();
    snprintf(base, sizeof(base), "/services/data/v%s/sobjects/%s", c->version, o->name);
    for (size_t i = full ? 0 : describe_only; i < sizeof(urls) / sizeof(urls[0]); i++) {
        snprintf(buf, sizeof(buf), "%s%s", base, urls[i][1]);
        json_object_set_new(u, urls[i][0], json_string(buf));
    }
    return u;
}

/* The object's flags as the integration user sees them: without edit permission it may not
 * create, update or delete it. */
static void set_common(json_t *d, const struct sf_org *org, const struct sf_object *o)
{
    int status_table = !o->createable && !o->updateable && !o->deletable;
    int edit = org_access(org, o) == SF_ACCESS_EDIT;
    json_object_set_new(d, "activateable", json_false());
    json_object_set_new(d, "createable", json_boolean(o->createable && edit));
    json_object_set_new(d, "custom", json_boolean(o->custom));
    json_object_set_new(d, "customSetting", json_false());
    json_object_set_new(d, "deepCloneable", json_false());
    json_object_set_new(d, "deletable", json_boolean(o->deletable && edit));
    json_object_set_new(d, "deprecatedAndHidden", json_false());
    json_object_set_new(d, "feedEnabled", json_boolean(!status_table));
    json_object_set_new(d, "hasSubtypes", json_false());
    json_object_set_new(d, "idEnabled", json_true());
    json_object_set_new(d, "isInterface", json_false());
    json_object_set_new(d, "isSubtype", json_false());
    json_object_set_new(d, "keyPrefix", json_string(o->key_prefix));
    json_object_set_new(d, "label", json_string(o->label));
    json_object_set_new(d, "labelPlural", json_string(o->label_plural));
    json_object_set_new(d, "layoutable", json_boolean(!status_table));
    json_object_set_new(d, "mergeable", json_boolean(o->mergeable));
    json_object_set_new(d, "mruEnabled", json_boolean(!status_table));
    json_object_set_new(d, "name", json_string(o->name));
    json_object_set_new(d, "queryable", json_boolean(o->queryable));
    json_object_set_new(d, "replicateable", json_boolean(o->replicateable));
    json_object_set_new(d, "retrieveable", json_true());
    json_object_set_new(d, "searchable", json_boolean(!status_table));
    json_object_set_new(d, "triggerable", json_boolean(!status_table));
    json_object_set_new(d, "undeletable", json_boolean(o->deletable && edit));
    json_object_set_new(d, "updateable", json_boolean(o->updateable && edit));
}

json_t *describe_global_entry(const struct sf_call *c, const struct sf_object *o)
{
    json_t *d = json_object();
    set_common(d, c->org, o);
    json_object_set_new(d, "associateEntityType", json_null());
    json_object_set_new(d, "associateParentEntity", json_null());
    json_object_set_new(d, "urls", object_urls(c, o, 0));
    return d;
}

void h_describe_global(struct sf_call *c)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < c->org->schema.n; i++)
        if (org_access(c->org, c->org->schema.objects[i]) != SF_ACCESS_NONE)
            json_array_append_new(arr, describe_global_entry(c, c->org->schema.objects[i]));
    call_json(
        c, 200,
        json_pack("{s:s, s:i, s:o}", "encoding", "UTF-8", "maxBatchSize", 200, "sobjects", arr));
}

/* base64 bitmap with bit i set for controller value index i (MSB first in each byte) */
static json_t *valid_for(int country_index)
{
    unsigned char bits[16] = {0};
    struct sync_buf b = SYNC_BUF_INIT(64);
    json_t *out;
    size_t n = (geo_ncountries + 7) / 8;
    if (n > sizeof(bits))
        n = sizeof(bits);
    if (country_index >= 0 && (size_t)country_index / 8 < sizeof(bits))
        bits[country_index / 8] |= (unsigned char)(0x80 >> (country_index % 8));
    sync_base64_encode(bits, n, &b);
    out = json_string(sync_buf_str(&b));
    sync_buf_release(&b);
    return out;
}

static json_t *picklist_values(const struct sf_field *f)
{
    json_t *arr = json_array();
    int state_codes = f->picklist && strcmp(f->picklist->name, "StateCode") == 0;
    for (size_t i = 0; f->picklist && i < f->picklist->n; i++) {
        const struct sf_pick *p = &f->picklist->v[i];
        json_t *v = json_pack("{s:b, s:b, s:s, s:s}", "active", p->active, "defaultValue",
                              p->is_default, "label", p->label, "value", p->value);
        json_object_set_new(v, "validFor",
                            state_codes && i < geo_nstates
                                ? valid_for(geo_country_by_code(geo_states[i].country))
                                : json_null());
        json_array_append_new(arr, v);
    }
    return arr;
}

static int digits_of(const struct sf_field *f)
{
    return f->type == SF_T_INT ? f->length : 0;
}

static json_t *field_describe(const struct sf_field *f)
{
    json_t *d = json_object(), *refs = json_array();
    int text = schema_type_is_text(f->type) || f->type == SF_T_ID || f->type == SF_T_REFERENCE;
    int number = f->type == SF_T_DOUBLE || f->type == SF_T_CURRENCY || f->type == SF_T_PERCENT;
    int filterable = !(f->flags & SF_F_NOFILTER);
    int is_id = f->type == SF_T_ID;

    for (size_t i = 0; i < f->nrefs; i++)
        json_array_append_new(refs, json_string(f->refs[i]));
    json_object_set_new(d, "aggregatable", json_boolean(filterable));
    json_object_set_new(d, "aiPredictionField", json_false());
    json_object_set_new(d, "autoNumber", json_boolean((f->flags & SF_F_AUTONUMBER) != 0));
    json_object_set_new(d, "byteLength", json_integer(text ? f->length * 3 : 0));
    json_object_set_new(d, "calculated", json_boolean((f->flags & SF_F_CALCULATED) != 0));
    json_object_set_new(d, "calculatedFormula", f->formula ? json_string(f->formula) : json_null());
    json_object_set_new(d, "cascadeDelete", json_false());
    json_object_set_new(d, "caseSensitive", json_boolean((f->flags & SF_F_CASESENS) != 0));
    json_object_set_new(d, "compoundFieldName",
                        f->compound ? json_string(f->compound) : json_null());
    json_object_set_new(d, "controllerName",
                        f->controller ? json_string(f->controller) : json_null());
    json_object_set_new(d, "createable", json_boolean(schema_field_createable(f)));
    json_object_set_new(d, "custom", json_boolean((f->flags & SF_F_CUSTOM) != 0));
    json_object_set_new(d, "defaultValue", f->type == SF_T_BOOLEAN ? json_false() : json_null());
    json_object_set_new(d, "defaultValueFormula", json_null());
    json_object_set_new(d, "defaultedOnCreate", json_boolean((f->flags & SF_F_DEFAULTED) != 0));
    json_object_set_new(d, "dependentPicklist", json_boolean(f->controller != NULL));
    json_object_set_new(d, "deprecatedAndHidden", json_false());
    json_object_set_new(d, "digits", json_integer(digits_of(f)));
    json_object_set_new(d, "displayLocationInDecimal", json_false());
    json_object_set_new(d, "encrypted", json_false());
    json_object_set_new(d, "externalId", json_boolean((f->flags & SF_F_EXTID) != 0));
    json_object_set_new(d, "extraTypeInfo", json_null());
    json_object_set_new(d, "filterable", json_boolean(filterable));
    json_object_set_new(d, "filteredLookupInfo", json_null());
    json_object_set_new(d, "formulaTreatNullNumberAsZero", json_false());
    json_object_set_new(d, "groupable", json_boolean(filterable && !number));
    json_object_set_new(d, "highScaleNumber", json_false());
    json_object_set_new(d, "htmlFormatted", json_false());
    json_object_set_new(d, "idLookup", json_boolean((f->flags & SF_F_IDLOOKUP) != 0));
    json_object_set_new(d, "inlineHelpText", json_null());
    json_object_set_new(d, "label", json_string(f->label));
    json_object_set_new(d, "length", json_integer(text ? f->length : 0));
    json_object_set_new(d, "mask", json_null());
    json_object_set_new(d, "maskType", json_null());
    json_object_set_new(d, "name", json_string(f->name));
    json_object_set_new(d, "nameField", json_boolean((f->flags & SF_F_NAMEFIELD) != 0));
    json_object_set_new(d, "namePointing", json_boolean((f->flags & SF_F_POLYMORPHIC) != 0));
    json_object_set_new(d, "nillable", json_boolean(schema_field_nillable(f)));
    json_object_set_new(d, "permissionable", json_boolean(schema_field_nillable(f) && !is_id));
    json_object_set_new(d, "picklistValues", picklist_values(f));
    json_object_set_new(d, "polymorphicForeignKey",
                        json_boolean((f->flags & SF_F_POLYMORPHIC) != 0));
    json_object_set_new(d, "precision", json_integer(number ? f->length : 0));
    json_object_set_new(d, "queryByDistance", json_false());
    json_object_set_new(d, "referenceTargetField", json_null());
    json_object_set_new(d, "referenceTo", refs);
    json_object_set_new(d, "relationshipName",
                        f->relationship ? json_string(f->relationship) : json_null());
    json_object_set_new(d, "relationshipOrder", json_null());
    json_object_set_new(d, "restrictedDelete", json_false());
    json_object_set_new(d, "restrictedPicklist", json_boolean((f->flags & SF_F_RESTRICTED) != 0));
    json_object_set_new(d, "scale", json_integer(number ? f->scale : 0));
    json_object_set_new(d, "searchPrefilterable", json_boolean(f->type == SF_T_REFERENCE));
    json_object_set_new(d, "soapType", json_string(schema_soap_type(f->type)));
    json_object_set_new(d, "sortable", json_boolean(filterable));
    json_object_set_new(d, "type", json_string(schema_type_name(f->type)));
    json_object_set_new(d, "unique", json_boolean((f->flags & SF_F_UNIQUE) != 0));
    json_object_set_new(d, "updateable", json_boolean(schema_field_updateable(f)));
    json_object_set_new(d, "writeRequiresMasterRead", json_false());
    return d;
}

static json_t *record_type_infos(const struct sf_call *c, const struct sf_object *o)
{
    json_t *arr = json_array();
    int any_default = 0;
    for (size_t i = 0; i < o->nrtypes; i++) {
        const struct sf_rtype *r = &o->rtypes[i];
        char layout[256];
        snprintf(layout, sizeof(layout), "/services/data/v%s/sobjects/%s/describe/layouts/%s",
                 c->version, o->name, r->id);
        any_default |= r->is_default;
        json_array_append_new(arr,
                              json_pack("{s:b, s:b, s:b, s:s, s:b, s:s, s:s, s:{s:s}}", "active", 1,
                                        "available", 1, "defaultRecordTypeMapping", r->is_default,
                                        "developerName", r->developer_name, "master", 0, "name",
                                        r->name, "recordTypeId", r->id, "urls", "layout", layout));
    }
    {
        char layout[256];
        snprintf(layout, sizeof(layout),
                 "/services/data/v%s/sobjects/%s/describe/layouts/012000000000000AAA", c->version,
                 o->name);
        json_array_append_new(
            arr, json_pack("{s:b, s:b, s:b, s:s, s:b, s:s, s:s, s:{s:s}}", "active", 1, "available",
                           1, "defaultRecordTypeMapping", !any_default, "developerName", "Master",
                           "master", 1, "name", "Master", "recordTypeId", "012000000000000AAA",
                           "urls", "layout", layout));
    }
    return arr;
}

static json_t *child_relationships(const struct sf_call *c, const struct sf_object *o)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < o->nchildren; i++) {
        const struct sf_object *co = c->org->schema.objects[o->children[i].child];
        const struct sf_field *cf = &co->fields[o->children[i].field];
        int cascade = strcmp(cf->name, "OpportunityId") == 0 || strcmp(cf->name, "CampaignId") == 0;
        json_array_append_new(arr, json_pack("{s:b, s:s, s:b, s:s, s:[], s:s, s:b}",
                                             "cascadeDelete", cascade, "childSObject", co->name,
                                             "deprecatedAndHidden", 0, "field", cf->name,
                                             "junctionIdListNames", "relationshipName",
                                             o->children[i].name, "restrictedDelete", 0));
    }
    return arr;
}

void h_describe(struct sf_call *c)
{
    const struct sf_object *o = org_user_object(c->org, c->params[0]);
    json_t *d, *fields;

    if (!o) {
        call_not_found(c);
        return;
    }
    d = json_object();
    fields = json_array();
    for (size_t i = 0; i < o->nfields; i++) {
        json_t *f;
        if (!record_field_visible(c->org, &o->fields[i]))
            continue;
        f = field_describe(&o->fields[i]);
        if (record_field_read_only_for_user(c->org, o, &o->fields[i])) {
            /* describe is the user's view: field-level security shows here */
            json_object_set_new(f, "createable", json_false());
            json_object_set_new(f, "updateable", json_false());
        }
        json_array_append_new(fields, f);
    }
    set_common(d, c->org, o);
    json_object_set_new(d, "actionOverrides", json_array());
    json_object_set_new(d, "childRelationships", child_relationships(c, o));
    json_object_set_new(d, "compactLayoutable", json_true());
    json_object_set_new(d, "defaultImplementation", json_null());
    json_object_set_new(d, "extendedBy", json_null());
    json_object_set_new(d, "extendsInterfaces", json_null());
    json_object_set_new(d, "fields", fields);
    json_object_set_new(d, "implementedBy", json_null());
    json_object_set_new(d, "implementsInterfaces", json_null());
    json_object_set_new(d, "listviewable", json_null());
    json_object_set_new(d, "lookupLayoutable", json_null());
    json_object_set_new(d, "namedLayoutInfos", json_array());
    json_object_set_new(d, "networkScopeFieldName", json_null());
    json_object_set_new(d, "recordTypeInfos", record_type_infos(c, o));
    json_object_set_new(d, "searchLayoutable", json_true());
    json_object_set_new(d, "sobjectDescribeOption", json_string("FULL"));
    {
        char all[300];
        snprintf(all, sizeof(all), "All %s", o->label_plural);
        json_object_set_new(d, "supportedScopes",
                            json_pack("[{s:s, s:s}]", "label", all, "name", "everything"));
    }
    json_object_set_new(d, "urls", object_urls(c, o, 1));
    call_json(c, 200, d);
}
