/*
 * record.c: records in the REST JSON form Salesforce answers with:
 * "attributes" first, then every field the describe lists, in describe
 * order, with null for unset ones. Used by retrieve, collections
 * retrieve, the control API's record dump and upsert's 300 answer.
 */
#include <stdio.h>
#include <string.h>

#include "emulators/salesforce/api.h"
#include "emulators/salesforce/ids.h"

int record_field_visible(const struct sf_org *org, const struct sf_field *f)
{
    return !(f->flags & SF_F_STATECOUNTRY) || org->settings.state_country_picklists;
}

int record_field_read_only_for_user(const struct sf_org *org, const struct sf_object *obj,
                                    const struct sf_field *f)
{
    const json_t *list = org->perms[obj->index].read_only_fields;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (strcasecmp(json_string_value(v), f->name) == 0)
            return 1;
    }
    return 0;
}

json_t *record_attributes(const struct sf_call *c, const char *type, const char *id)
{
    char url[256];
    snprintf(url, sizeof(url), "/services/data/v%s/sobjects/%s/%s", c->version, type, id);
    return json_pack("{s:s, s:s}", "type", type, "url", url);
}

static json_t *field_value(const struct sf_field *f, const json_t *data)
{
    json_t *v = json_object_get(data, f->name);
    if (v)
        return json_incref(v);
    if (f->type == SF_T_BOOLEAN)
        return json_false();
    return json_null();
}

json_t *record_to_rest(const struct sf_call *c, const struct sf_object *obj, const json_t *data,
                       const json_t *fields)
{
    json_t *out = json_object();
    const char *id = json_string_value(json_object_get(data, "Id"));

    json_object_set_new(out, "attributes", record_attributes(c, obj->name, id ? id : ""));
    if (fields) {
        size_t i;
        json_t *name;
        json_array_foreach(fields, i, name)
        {
            const struct sf_field *f = schema_field(obj, json_string_value(name));
            if (f && record_field_visible(c->org, f))
                json_object_set_new(out, f->name, field_value(f, data));
        }
        return out;
    }
    for (size_t i = 0; i < obj->nfields; i++) {
        const struct sf_field *f = &obj->fields[i];
        if (record_field_visible(c->org, f))
            json_object_set_new(out, f->name, field_value(f, data));
    }
    return out;
}

int record_id(const char *s, char out[19])
{
    return ids_canonical(s, out);
}
