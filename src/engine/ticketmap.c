/*
 * ticketmap.c: the ticket pipeline map built from both vendors' rows and
 * the admin's choices (see ticketmap.h). Called by stagedir.c and the
 * ticket setup commands.
 */
#include "engine/ticketmap.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "engine/match.h"

static const char *str(const json_t *o, const char *k)
{
    const char *s = sync_json_str(o, k);
    return s ? s : "";
}

static int is_kind(const json_t *r, const char *kind)
{
    return strcmp(str(r, "kind"), kind) == 0;
}

/* "Billing Process", "BillingProcess", "Billing-Process" -> "Billing" (into out); other names
 * unchanged. */
static const char *process_stem(const char *name, char *out, size_t n)
{
    size_t len = strlen(name);
    snprintf(out, n, "%s", name);
    if (len > 7 && len < n && sync_stages_same_label(name + len - 7, "process")) {
        len -= 7;
        while (len && (unsigned char)out[len - 1] < 128 &&
               (isspace((unsigned char)out[len - 1]) || ispunct((unsigned char)out[len - 1])))
            len--;
        if (len)
            out[len] = '\0';
    }
    return out;
}

/* The HubSpot pipelines as [{"id","label","order","stages":[{"id","label","closed"}]}], in the
 * order listed. */
static json_t *pipelines_of(const json_t *hs_rows)
{
    json_t *out = json_array(), *by = json_object();
    const json_t *h;
    size_t i;

    json_array_foreach(hs_rows, i, h)
    {
        const char *pid = str(h, "pipeline");
        json_t *p;
        if (!is_kind(h, "stage") || !pid[0] || !str(h, "stage")[0])
            continue;
        if (!(p = json_object_get(by, pid))) {
            p = json_pack("{s:s, s:s, s:I, s:[]}", "id", pid, "label", str(h, "pipeline_label"),
                          "order", (json_int_t)sync_json_int(h, "pipeline_order", (int64_t)i),
                          "stages");
            json_object_set_new(by, pid, json_incref(p));
            json_array_append_new(out, p);
        }
        json_array_append_new(json_object_get(p, "stages"),
                              json_pack("{s:s, s:s, s:b}", "id", str(h, "stage"), "label",
                                        str(h, "stage_label"), "closed",
                                        sync_json_bool(h, "closed", 0)));
    }
    json_decref(by);
    return out;
}

static const json_t *pipeline_find(const json_t *pipelines, const char *id)
{
    const json_t *p;
    size_t i;
    json_array_foreach(pipelines, i, p)
    {
        if (strcmp(str(p, "id"), id) == 0)
            return p;
    }
    return NULL;
}

/* HubSpot's default ticket pipeline: "0" when present, else the lowest display order. */
static const json_t *pipeline_default(const json_t *pipelines)
{
    const json_t *p, *best = pipeline_find(pipelines, "0");
    size_t i;
    if (best)
        return best;
    json_array_foreach(pipelines, i, p)
    {
        if (!best || sync_json_int(p, "order", 0) < sync_json_int(best, "order", 0))
            best = p;
    }
    return best;
}

/* The processes: [{"process","process_id","record_types":[...], "default"}]; an org without
 * record types has one process "". */
static json_t *processes_of(const json_t *sf_rows)
{
    json_t *out = json_array(), *p;
    const json_t *r;
    size_t i, k;

    json_array_foreach(sf_rows, i, r)
    {
        if (is_kind(r, "process"))
            json_array_append_new(out, json_pack("{s:s, s:s, s:[], s:b}", "process", str(r, "name"),
                                                 "process_id", str(r, "id"), "record_types",
                                                 "default", 0));
    }
    json_array_foreach(sf_rows, i, r)
    {
        int placed = 0;
        if (!is_kind(r, "record_type"))
            continue;
        json_array_foreach(out, k, p)
        {
            if (placed || !sync_match_same_sf_id(str(p, "process_id"), str(r, "process_id")))
                continue;
            json_array_append_new(json_object_get(p, "record_types"),
                                  json_pack("{s:s, s:s, s:b}", "id", str(r, "id"), "label",
                                            str(r, "label"), "default",
                                            sync_json_bool(r, "default", 0)));
            if (sync_json_bool(r, "default", 0))
                json_object_set_new(p, "default", json_true());
            placed = 1;
        }
    }
    if (!json_array_size(out))
        json_array_append_new(out, json_pack("{s:s, s:s, s:[], s:b}", "process", "", "process_id",
                                             "", "record_types", "default", 1));
    return out;
}

static int pipeline_taken(const json_t *procs, const char *pid)
{
    const json_t *p;
    size_t i;
    json_array_foreach(procs, i, p)
    {
        if (strcmp(str(p, "pipeline"), pid) == 0)
            return 1;
    }
    return 0;
}

static void pipeline_set(json_t *proc, const json_t *pl, const char *how)
{
    json_object_set_new(proc, "pipeline", json_string(str(pl, "id")));
    json_object_set_new(proc, "pipeline_label", json_string(str(pl, "label")));
    json_object_set_new(proc, "pipeline_how", json_string(how));
}

/* Steps 1-3 of ticketmap.h for the pipelines. */
static void pipelines_choose(json_t *procs, const json_t *pipelines, const json_t *configured)
{
    const json_t *chosen = json_object_get(configured, "processes");
    json_t *p;
    const json_t *pl;
    size_t i, k;

    json_array_foreach(procs, i, p)
    {
        const char *want = sync_json_str(chosen, str(p, "process"));
        if (!want && str(p, "process_id")[0])
            want = sync_json_str(chosen, str(p, "process_id"));
        if (want && (pl = pipeline_find(pipelines, want)))
            pipeline_set(p, pl, "configured");
    }
    json_array_foreach(procs, i, p)
    {
        char stem[256];
        if (json_object_get(p, "pipeline") || !str(p, "process")[0])
            continue;
        process_stem(str(p, "process"), stem, sizeof(stem));
        json_array_foreach(pipelines, k, pl)
        {
            if (!pipeline_taken(procs, str(pl, "id")) &&
                (sync_stages_same_label(str(pl, "label"), str(p, "process")) ||
                 sync_stages_same_label(str(pl, "label"), stem))) {
                pipeline_set(p, pl, "label");
                break;
            }
        }
    }
    json_array_foreach(procs, i, p)
    {
        if (json_object_get(p, "pipeline") || !sync_json_bool(p, "default", 0))
            continue;
        if ((pl = pipeline_default(pipelines)) && !pipeline_taken(procs, str(pl, "id")))
            pipeline_set(p, pl, "default");
    }
}

static const json_t *stage_find(const json_t *pl, const char *id)
{
    const json_t *s;
    size_t i;
    json_array_foreach(json_object_get(pl, "stages"), i, s)
    {
        if (strcmp(str(s, "id"), id) == 0)
            return s;
    }
    return NULL;
}

/* Steps 1-3 of ticketmap.h for one status within pipeline pl: the stage, and how. */
static const json_t *stage_choose(const json_t *pl, const json_t *status, const json_t *configured,
                                  const char **how)
{
    const json_t *mine = json_object_get(json_object_get(configured, "stages"), str(pl, "id"));
    const char *want = sync_json_str(mine, str(status, "stage"));
    int closed = sync_json_bool(status, "closed", 0), nclosed = 0;
    const json_t *s, *only = NULL;
    size_t i;

    if (want && (s = stage_find(pl, want)))
        return *how = "configured", s;
    json_array_foreach(json_object_get(pl, "stages"), i, s)
    {
        if (sync_json_bool(s, "closed", 0) == closed &&
            (sync_stages_same_label(str(s, "label"), str(status, "stage_label")) ||
             sync_stages_same_label(str(s, "label"), str(status, "stage"))))
            return *how = "label", s;
        if (sync_json_bool(s, "closed", 0))
            nclosed++, only = s;
    }
    if (closed && nclosed == 1)
        return *how = "closed", only;
    return NULL;
}

/* The statuses of each mapped process, and the planner's rows. */
static void statuses_choose(json_t *procs, const json_t *pipelines, const json_t *sf_rows,
                            const json_t *configured, json_t *rows, size_t *unmapped)
{
    json_t *p;
    const json_t *r, *rt;
    size_t i, k, j;

    json_array_foreach(procs, i, p)
    {
        const json_t *pl = pipeline_find(pipelines, str(p, "pipeline"));
        json_t *list = json_array();
        json_object_set_new(p, "statuses", list);
        json_array_foreach(sf_rows, k, r)
        {
            const char *how = NULL;
            const json_t *s;
            json_t *st;
            if (!is_kind(r, "stage"))
                continue;
            st = json_pack("{s:s, s:b}", "status", str(r, "stage"), "closed",
                           sync_json_bool(r, "closed", 0));
            json_array_append_new(list, st);
            if (!pl || !(s = stage_choose(pl, r, configured, &how))) {
                (*unmapped)++;
                continue;
            }
            json_object_set_new(st, "stage", json_string(str(s, "id")));
            json_object_set_new(st, "stage_label", json_string(str(s, "label")));
            json_object_set_new(st, "how", json_string(how));
            /* one row per record type of the process; "" for cases without one */
            json_array_foreach(json_object_get(p, "record_types"), j, rt)
            {
                json_array_append_new(
                    rows, json_pack("{s:s, s:s, s:s, s:s, s:b}", "pipeline", str(pl, "id"),
                                    "record_type", str(rt, "id"), "stage", str(s, "id"), "sf_stage",
                                    str(r, "stage"), "closed", sync_json_bool(s, "closed", 0)));
            }
            if (sync_json_bool(p, "default", 0))
                json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:b}", "pipeline",
                                                      str(pl, "id"), "record_type", "", "stage",
                                                      str(s, "id"), "sf_stage", str(r, "stage"),
                                                      "closed", sync_json_bool(s, "closed", 0)));
        }
    }
}

enum sync_rc sync_ticketmap_build(struct sync_stages *out, json_t **report, const json_t *hs_rows,
                                  const json_t *sf_rows, const json_t *configured)
{
    json_t *pipelines = pipelines_of(hs_rows), *procs = processes_of(sf_rows);
    json_t *rows = json_array();
    size_t unmapped_statuses = 0, unmapped_procs = 0, i;
    const json_t *e, *p;

    sync_stages_release(out);
    if (report)
        *report = NULL;
    if (!pipelines || !procs || !rows)
        goto nomem;
    pipelines_choose(procs, pipelines, configured);
    statuses_choose(procs, pipelines, sf_rows, configured, rows, &unmapped_statuses);
    json_array_foreach(procs, i, p)
    {
        unmapped_procs += !json_object_get(p, "pipeline");
        json_object_del((json_t *)p, "default");
    }
    if (!(out->items = calloc(json_array_size(rows) + 1, sizeof(*out->items))))
        goto nomem;
    json_array_foreach(rows, i, e)
    {
        struct sync_plan_stage *s = &out->items[i];
        s->hs_pipeline = str(e, "pipeline");
        s->sf_record_type = str(e, "record_type");
        s->hs_stage = str(e, "stage");
        s->sf_stage = str(e, "sf_stage");
        s->closed = sync_json_bool(e, "closed", 0);
    }
    out->mem = rows;
    out->map.items = out->items;
    out->map.n = json_array_size(rows);
    rows = NULL;
    if (report &&
        !(*report = json_pack("{s:O, s:O, s:{s:I, s:I}}", "processes", procs, "pipelines",
                              pipelines, "unmapped", "processes", (json_int_t)unmapped_procs,
                              "statuses", (json_int_t)unmapped_statuses)))
        goto nomem;
    json_decref(pipelines);
    json_decref(procs);
    return SYNC_OK;
nomem:
    json_decref(pipelines);
    json_decref(procs);
    json_decref(rows);
    sync_stages_release(out);
    return SYNC_ERR_NOMEM;
}
