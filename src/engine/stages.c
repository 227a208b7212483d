/*
 * stages.c: the deal stage map built from both vendors' stage lists and
 * the configured entries (see stages.h). Called by stagedir.c.
 */
#include "engine/stages.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "engine/match.h"

int sync_stages_same_label(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    for (;;) {
        while (*a && !isalnum((unsigned char)*a))
            a++;
        while (*b && !isalnum((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
        a++, b++;
    }
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = sync_json_str(o, k);
    return s ? s : "";
}

static int is_kind(const json_t *r, const char *kind)
{
    return strcmp(str(r, "kind"), kind) == 0;
}

/* The Salesforce stage row whose value is v. */
static const json_t *sf_stage(const json_t *sf_rows, const char *v)
{
    const json_t *r;
    size_t i;
    json_array_foreach(sf_rows, i, r)
    {
        if (is_kind(r, "stage") && strcmp(str(r, "stage"), v) == 0)
            return r;
    }
    return NULL;
}

/* A record type given by id, API name or label: its id; "" stays "". NULL: no such type. */
static const char *record_type_id(const json_t *sf_rows, const char *given)
{
    const json_t *r;
    size_t i;
    if (!given[0])
        return "";
    json_array_foreach(sf_rows, i, r)
    {
        if (!is_kind(r, "record_type"))
            continue;
        if (sync_match_same_sf_id(str(r, "id"), given) || strcmp(str(r, "name"), given) == 0 ||
            strcmp(str(r, "label"), given) == 0)
            return str(r, "id");
    }
    return NULL;
}

static int has_entry(const json_t *entries, const char *pipeline, const char *stage)
{
    const json_t *e;
    size_t i;
    json_array_foreach(entries, i, e)
    {
        if (strcmp(str(e, "pipeline"), pipeline) == 0 && strcmp(str(e, "stage"), stage) == 0)
            return 1;
    }
    return 0;
}

static int record_type_taken(const json_t *entries, const char *rt, const char *pipeline)
{
    const json_t *e;
    size_t i;
    json_array_foreach(entries, i, e)
    {
        if (sync_match_same_sf_id(str(e, "record_type"), rt) &&
            strcmp(str(e, "pipeline"), pipeline) != 0)
            return 1;
    }
    return 0;
}

static void add_entry(json_t *entries, const char *pipeline, const char *rt, const char *stage,
                      const json_t *sfs)
{
    json_array_append_new(
        entries, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "pipeline", pipeline, "record_type",
                           rt, "stage", stage, "sf_stage", str(sfs, "stage"), "closed",
                           sync_json_bool(sfs, "closed", 0), "won", sync_json_bool(sfs, "won", 0)));
}

static void configured_entries(json_t *entries, const json_t *configured, const json_t *sf_rows)
{
    const json_t *c;
    size_t i;
    json_array_foreach(configured, i, c)
    {
        const char *rt = record_type_id(sf_rows, str(c, "record_type"));
        const json_t *sfs = sf_stage(sf_rows, str(c, "sf_stage"));
        if (!rt || !sfs || !str(c, "pipeline")[0] || !str(c, "stage")[0])
            continue; /* the config check reports these */
        if (!has_entry(entries, str(c, "pipeline"), str(c, "stage")))
            add_entry(entries, str(c, "pipeline"), rt, str(c, "stage"), sfs);
    }
}

/* The record type a pipeline pairs with (configured, by label, or on the fallback pass the
 * default one for HubSpot's default pipeline), or NULL. */
static const char *pipeline_record_type(const json_t *entries, const json_t *sf_rows,
                                        const char *pid, const char *plabel, int any_types,
                                        int fallback)
{
    const json_t *r;
    size_t i;

    json_array_foreach(entries, i, r)
    {
        if (strcmp(str(r, "pipeline"), pid) == 0)
            return str(r, "record_type"); /* configured */
    }
    if (!any_types)
        return fallback && strcmp(pid, "default") == 0 ? "" : NULL;
    json_array_foreach(sf_rows, i, r)
    {
        if (is_kind(r, "record_type") && !record_type_taken(entries, str(r, "id"), pid) &&
            (sync_stages_same_label(str(r, "label"), plabel) ||
             sync_stages_same_label(str(r, "name"), plabel)))
            return str(r, "id");
    }
    if (!fallback || strcmp(pid, "default") != 0)
        return NULL;
    json_array_foreach(sf_rows, i, r)
    {
        if (is_kind(r, "record_type") && sync_json_bool(r, "default", 0) &&
            !record_type_taken(entries, str(r, "id"), pid))
            return str(r, "id");
    }
    return NULL;
}

static void automatic_entries(json_t *entries, const json_t *hs_rows, const json_t *sf_rows)
{
    int any_types = 0;
    const json_t *r, *h;
    size_t i, k;

    json_array_foreach(sf_rows, i, r)
    {
        any_types |= is_kind(r, "record_type");
    }
    /* pipelines named like a record type first, so the default pipeline's fallback never takes
     * a record type another pipeline is named after */
    for (int fallback = 0; fallback < 2; fallback++) {
        json_array_foreach(hs_rows, i, h)
        {
            const char *pid = str(h, "pipeline"), *rt;
            if (!is_kind(h, "stage") || !pid[0] || has_entry(entries, pid, str(h, "stage")))
                continue;
            rt = pipeline_record_type(entries, sf_rows, pid, str(h, "pipeline_label"), any_types,
                                      fallback);
            if (!rt)
                continue;
            json_array_foreach(sf_rows, k, r)
            {
                if (is_kind(r, "stage") &&
                    (sync_stages_same_label(str(r, "stage_label"), str(h, "stage_label")) ||
                     sync_stages_same_label(str(r, "stage"), str(h, "stage_label")))) {
                    add_entry(entries, pid, rt, str(h, "stage"), r);
                    break;
                }
            }
        }
    }
}

void sync_stages_release(struct sync_stages *s)
{
    free(s->items);
    json_decref(s->mem);
    memset(s, 0, sizeof(*s));
}

enum sync_rc sync_stages_build(struct sync_stages *out, const json_t *hs_rows,
                               const json_t *sf_rows, const json_t *configured)
{
    json_t *entries = json_array();
    const json_t *e;
    size_t i;

    sync_stages_release(out);
    if (!entries)
        return SYNC_ERR_NOMEM;
    configured_entries(entries, configured, sf_rows);
    automatic_entries(entries, hs_rows, sf_rows);
    out->items = calloc(json_array_size(entries) + 1, sizeof(*out->items));
    if (!out->items) {
        json_decref(entries);
        return SYNC_ERR_NOMEM;
    }
    out->mem = entries;
    json_array_foreach(entries, i, e)
    {
        struct sync_plan_stage *s = &out->items[i];
        s->hs_pipeline = str(e, "pipeline");
        s->sf_record_type = str(e, "record_type");
        s->hs_stage = str(e, "stage");
        s->sf_stage = str(e, "sf_stage");
        s->closed = sync_json_bool(e, "closed", 0);
        s->won = sync_json_bool(e, "won", 0);
    }
    out->map.items = out->items;
    out->map.n = json_array_size(entries);
    return SYNC_OK;
}
