/*
 * soql_project.c: soql_project (soql.h): one stored record shaped as the
 * REST query answer shows it: "attributes" first, then the SELECT list in
 * order, parent relationships as nested records (typed "Name" when
 * polymorphic) or null, child subqueries as {"totalSize","done",
 * "records"} run through soql_exec.c. Called by the emulator's query
 * pages (query.c).
 */
#include <stdio.h>
#include <string.h>

#include "core/time.h"
#include "emulators/salesforce/soql_int.h"

/* ---------------------------------------------------------------- projecting */

static json_t *attributes(const char *object, const char *id, const char *version)
{
    char url[512];

    if (version && (version[0] == 'v' || version[0] == 'V'))
        version++;
    snprintf(url, sizeof(url), "/services/data/v%s/sobjects/%s/%s", version ? version : "", object,
             id ? id : "");
    return json_pack("{s:s, s:s}", "type", object, "url", url);
}

static json_t *record_shell(const char *object, const json_t *rec, const char *version)
{
    json_t *out = json_object();

    if (out)
        json_object_set_new(
            out, "attributes",
            attributes(object, json_string_value(json_object_get(rec, "Id")), version));
    return out;
}

static json_t *copy_value(const json_t *v)
{
    return v ? json_deep_copy(v) : json_null();
}

static void project_path(json_t *out, const char *base, const struct path *pa, const json_t *rec,
                         const struct soql_rows *rows, const char *version)
{
    json_t *container = out;
    const char *obj = base;
    const struct final *f;
    size_t i;

    for (i = 0; i < pa->nhops; i++) {
        const struct hop *h = &pa->hops[i];
        const struct link *l = soql__find_link(h, obj);
        json_t *nested = json_object_get(container, h->rel);
        const json_t *target = NULL;
        const char *tobj = NULL;
        if (l)
            target = soql__follow(rows, rec, l->field, &tobj);
        if (!target || !tobj) {
            if (!nested)
                json_object_set_new(container, h->rel, json_null());
            return;
        }
        if (!json_is_object(nested)) {
            nested = record_shell(tobj, target, version);
            if (!nested)
                return;
            if (h->poly) /* the url names the real object, the type the Name entity */
                json_object_set_new(json_object_get(nested, "attributes"), "type",
                                    json_string("Name"));
            json_object_set_new(container, h->rel, nested);
        }
        container = nested;
        rec = target;
        obj = tobj;
    }
    f = pa->nhops ? soql__find_final(pa, obj) : &pa->finals[0];
    json_object_set_new(
        container, f ? f->info.name : pa->finals[0].info.name,
        f ? copy_value(f->constant ? f->constant : json_object_get(rec, f->info.name))
          : json_null());
}

static json_t *project_child(const struct soql_query *sub, const json_t *rec,
                             const struct soql_rows *rows, const char *version)
{
    const json_t *idv = json_object_get(rec, "Id");
    json_t *matches = NULL, *records, *res;
    char id[19];
    size_t i;

    if (!json_is_string(idv))
        return json_null();
    soql__stored_id(json_string_value(idv), json_string_length(idv), id);
    if (soql__run(sub, rows, 0, sync_time_now_ms(), id, &matches) ||
        json_array_size(matches) == 0) {
        json_decref(matches);
        return json_null();
    }
    records = json_array();
    for (i = 0; records && i < json_array_size(matches); i++)
        json_array_append_new(records,
                              soql_project(sub, json_array_get(matches, i), rows, version));
    res = json_pack("{s:I, s:b, s:o}", "totalSize", (json_int_t)json_array_size(matches), "done", 1,
                    "records", records);
    json_decref(matches);
    return res ? res : json_null();
}

json_t *soql_project(const struct soql_query *q, const json_t *rec, const struct soql_rows *rows,
                     const char *api_version)
{
    json_t *out = record_shell(q->object, rec, api_version);
    size_t i;

    for (i = 0; out && i < q->nitems; i++) {
        const struct item *it = &q->items[i];
        if (it->kind == I_FIELD)
            project_path(out, q->object, &it->path, rec, rows, api_version);
        else if (it->kind == I_SUB)
            json_object_set_new(out, it->sub->rel, project_child(it->sub, rec, rows, api_version));
    }
    return out;
}