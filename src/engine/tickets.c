/*
 * tickets.c: the ticket sync setup flow (see tickets.h). Called by
 * `crmsync tickets` and the admin API's ticket routes.
 */
#include "engine/tickets.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "engine/health.h"
#include "engine/import.h"
#include "engine/runtime.h"
#include "engine/sync_int.h"
#include "engine/ticketmap.h"

/* Both vendors' rows for the ticket map: rows[0] HubSpot's, rows[1] Salesforce's (new refs). */
static enum sync_rc vendor_rows(const struct sync_config *cfg, json_t *rows[2],
                                struct sync_err *err)
{
    struct sync_engine *e = NULL;
    enum sync_rc rc = sync_engine_open(&e, cfg, err);

    rows[0] = rows[1] = NULL;
    for (int side = 0; rc == SYNC_OK && side < 2; side++) {
        struct sync_conn_batch b;
        char why[SYNC_ERR_MSG_MAX];
        sync_conn_batch_init(&b);
        rc = sync_conn_list_stages(side == 0 ? e->hs : e->sf, 1, &b, err);
        if (rc == SYNC_OK) {
            rows[side] = json_incref(b.records);
        } else {
            snprintf(why, sizeof(why), "%s", err ? err->message : "");
            rc = sync_err_set(err, rc, "%s: cannot read the %s: %s",
                              side == 0 ? "HubSpot" : "Salesforce",
                              side == 0 ? "ticket pipelines" : "case processes and statuses", why);
        }
        sync_conn_batch_release(&b);
    }
    sync_engine_close(e);
    if (rc) {
        json_decref(rows[0]);
        json_decref(rows[1]);
        rows[0] = rows[1] = NULL;
    }
    return rc;
}

/* The admin's choices (a new object; {} when none). */
static json_t *choices_load(struct sync_store *st, struct sync_err *err)
{
    struct sync_buf b = SYNC_BUF_INIT(256 * 1024);
    enum sync_rc rc = sync_store_setting_get(st, SYNC_TICKET_PIPELINES_KEY, &b, err);
    json_t *j = NULL;

    if (rc == SYNC_OK)
        j = sync_json_parse(b.data, b.len, NULL);
    else if (rc == SYNC_ERR_NOT_FOUND)
        sync_err_clear(err);
    sync_buf_release(&b);
    if (rc != SYNC_OK && rc != SYNC_ERR_NOT_FOUND)
        return NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    return j;
}

/* The ticket mappings in force (each says whether it is required), the link id left out. */
static json_t *ticket_mappings(struct sync_store *st, const struct sync_config *cfg,
                               struct sync_err *err)
{
    json_t *all = NULL, *out, *m;
    size_t i;

    if (sync_runtime_mappings_json(st, cfg, &all, err))
        return NULL;
    out = json_array();
    json_array_foreach(all, i, m)
    {
        const char *prop = sync_json_str(m, "hubspot");
        if (strcmp(sync_json_str(m, "kind") ? sync_json_str(m, "kind") : "", "ticket") != 0 ||
            (prop && strcmp(prop, "crmsync_link_id") == 0))
            continue;
        json_array_append(out, m);
    }
    json_decref(all);
    return out;
}

/* What is still unmapped, in words. */
static json_t *problems_of(const json_t *report)
{
    json_t *out = json_array();
    const json_t *p, *s;
    size_t i, k;

    json_array_foreach(json_object_get(report, "processes"), i, p)
    {
        const char *name = sync_json_str(p, "process");
        if (!json_object_get(p, "pipeline")) {
            json_array_append_new(
                out, json_sprintf("business process %s has no ticket pipeline: its cases get a "
                                  "\"pipeline not mapped\" error",
                                  name && *name ? name : "(master)"));
            continue;
        }
        json_array_foreach(json_object_get(p, "statuses"), k, s)
        {
            if (!json_object_get(s, "stage"))
                json_array_append_new(
                    out, json_sprintf("case status %s has no ticket status in pipeline %s (%s): "
                                      "its cases get a \"stage not mapped\" error",
                                      sync_json_str(s, "status"), sync_json_str(p, "pipeline"),
                                      sync_json_str(p, "pipeline_label")));
        }
    }
    return out;
}

static int any_pipeline(const json_t *report)
{
    const json_t *p;
    size_t i;
    json_array_foreach(json_object_get(report, "processes"), i, p)
    {
        if (json_object_get(p, "pipeline"))
            return 1;
    }
    return 0;
}

/* The ticket map's report from the vendors' rows and the stored choices. */
static enum sync_rc report_build(const struct sync_config *cfg, struct sync_store *st,
                                 json_t *rows[2], json_t **report, struct sync_err *err)
{
    struct sync_stages map;
    json_t *choices;
    enum sync_rc rc;

    memset(&map, 0, sizeof(map));
    *report = NULL;
    if ((rc = vendor_rows(cfg, rows, err)))
        return rc;
    if (!(choices = choices_load(st, err)))
        return err && err->rc ? err->rc : SYNC_ERR_NOMEM;
    rc = sync_ticketmap_build(&map, report, rows[0], rows[1], choices);
    sync_stages_release(&map);
    json_decref(choices);
    return rc ? sync_err_set(err, rc, "out of memory") : SYNC_OK;
}

enum sync_rc sync_tickets_setup(const struct sync_config *cfg, struct sync_store *st, int preview,
                                const char *where, json_t **out, struct sync_err *err)
{
    struct sync_settings live;
    json_t *rows[2] = {NULL, NULL}, *report = NULL, *maps = NULL;
    enum sync_rc rc;

    *out = NULL;
    if (sync_settings_init(&live))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    rc = sync_runtime_settings_load(st, &cfg->settings, &live, err);
    rc = rc ? rc : report_build(cfg, st, rows, &report, err);
    if (rc == SYNC_OK && !(maps = ticket_mappings(st, cfg, err)))
        rc = err && err->rc ? err->rc : SYNC_ERR_NOMEM;
    if (rc == SYNC_OK) {
        *out = json_pack(
            "{s:b, s:b, s:s, s:{s:b, s:b}, s:O, s:O, s:b, s:o}", "ticket_sync",
            (int)sync_settings_int(&live, SYNC_SETTING_TICKET_SYNC), "two_way",
            (int)sync_settings_int(&live, SYNC_SETTING_TICKET_TWO_WAY), "delete_rule",
            sync_settings_int(&live, SYNC_SETTING_TICKET_DELETE_RULE) ? "delete" : "nothing",
            "associations", "account",
            (int)sync_settings_int(&live, SYNC_SETTING_TICKET_ACCOUNT_ASSOCIATION), "contact",
            (int)sync_settings_int(&live, SYNC_SETTING_TICKET_CONTACT_ASSOCIATION), "mappings",
            maps, "pipelines", report, "ready", any_pipeline(report), "problems",
            problems_of(report));
        if (!*out)
            rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    if (rc == SYNC_OK && preview) {
        int64_t total = -1;
        rc = sync_import_count(cfg, "Case", where, &total, err);
        if (rc == SYNC_OK)
            json_object_set_new(*out, "import",
                                json_pack("{s:I, s:s?}", "cases", (json_int_t)total, "where",
                                          where && *where ? where : NULL));
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(maps);
    json_decref(report);
    json_decref(rows[0]);
    json_decref(rows[1]);
    sync_settings_release(&live);
    return rc;
}

/* ---- step 4: the admin's choices ---- */

static int has_row(const json_t *rows, const char *kind, const char *key, const char *v,
                   const char *key2, const char *v2)
{
    const json_t *r;
    size_t i;
    json_array_foreach(rows, i, r)
    {
        const char *k = sync_json_str(r, "kind"), *a = sync_json_str(r, key);
        const char *b = key2 ? sync_json_str(r, key2) : NULL;
        if (k && strcmp(k, kind) == 0 && a && strcmp(a, v) == 0 &&
            (!key2 || (b && strcmp(b, v2) == 0)))
            return 1;
    }
    return 0;
}

static int is_process(const json_t *sf_rows, const char *name)
{
    return has_row(sf_rows, "process", "name", name, NULL, NULL) ||
           has_row(sf_rows, "process", "id", name, NULL, NULL) ||
           (!name[0] && !has_row(sf_rows, "process", "kind", "process", NULL, NULL));
}

static enum sync_rc choose_processes(json_t *choices, const json_t *patch, json_t *rows[2],
                                     struct sync_err *err)
{
    json_t *mine = json_object_get(choices, "processes"), *v;
    const char *k, *k2;
    json_t *v2;

    if (!mine) {
        mine = json_object();
        json_object_set_new(choices, "processes", mine);
    }
    json_object_foreach((json_t *)patch, k, v)
    {
        if (!is_process(rows[1], k))
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "processes: '%s' is not an active case business process", k);
        if (json_is_null(v)) {
            json_object_del(mine, k);
            continue;
        }
        if (!json_is_string(v) ||
            !has_row(rows[0], "stage", "pipeline", json_string_value(v), NULL, NULL))
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "processes.%s: '%s' is not a HubSpot ticket pipeline", k,
                                json_is_string(v) ? json_string_value(v) : "(not text)");
        json_object_foreach(mine, k2, v2)
        {
            if (strcmp(k2, k) && json_equal(v2, v))
                return sync_err_set(err, SYNC_ERR_INVALID,
                                    "processes.%s: pipeline %s is already mapped to business "
                                    "process %s",
                                    k, json_string_value(v), k2);
        }
        json_object_set(mine, k, v);
    }
    return SYNC_OK;
}

static enum sync_rc choose_stages(json_t *choices, const json_t *patch, json_t *rows[2],
                                  struct sync_err *err)
{
    json_t *mine = json_object_get(choices, "stages"), *statuses, *v, *pl;
    const char *pid, *status;

    if (!mine) {
        mine = json_object();
        json_object_set_new(choices, "stages", mine);
    }
    json_object_foreach((json_t *)patch, pid, statuses)
    {
        if (!has_row(rows[0], "stage", "pipeline", pid, NULL, NULL))
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "stages: '%s' is not a HubSpot ticket pipeline", pid);
        if (!json_is_object(statuses))
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "stages.%s: expected an object of case status: ticket status", pid);
        if (!(pl = json_object_get(mine, pid))) {
            pl = json_object();
            json_object_set_new(mine, pid, pl);
        }
        json_object_foreach(statuses, status, v)
        {
            if (!has_row(rows[1], "stage", "stage", status, NULL, NULL))
                return sync_err_set(err, SYNC_ERR_INVALID,
                                    "stages.%s: '%s' is not a Salesforce case status", pid, status);
            if (json_is_null(v)) {
                json_object_del(pl, status);
                continue;
            }
            if (!json_is_string(v) ||
                !has_row(rows[0], "stage", "pipeline", pid, "stage", json_string_value(v)))
                return sync_err_set(err, SYNC_ERR_INVALID,
                                    "stages.%s.%s: '%s' is not a ticket status of pipeline %s", pid,
                                    status, json_is_string(v) ? json_string_value(v) : "(not text)",
                                    pid);
            json_object_set(pl, status, v);
        }
    }
    return SYNC_OK;
}

/* The records of one side waiting on the map (its open "mapping" errors) are queued to sync
 * again: a choice that maps their process or status lets them through without another change
 * (the SYNC_HEALTH_RESYNC_MAX most recently seen). */
static enum sync_rc requeue_side(struct sync_store *st, const char *system, const char *object,
                                 struct sync_err *err)
{
    struct sync_health_query q = {"mapping", system, object, 0, SYNC_HEALTH_RESYNC_MAX};
    json_t *page = NULL, *out = NULL, *e;
    int64_t ids[SYNC_HEALTH_RESYNC_MAX];
    size_t n = 0, i;
    enum sync_rc rc = sync_health_errors(st, &q, &page, err);

    json_array_foreach(json_object_get(page, "errors"), i, e)
    {
        if (n < SYNC_HEALTH_RESYNC_MAX)
            ids[n++] = sync_json_int(e, "id", 0);
    }
    if (rc == SYNC_OK && n)
        rc = sync_health_resync(st, ids, n, &out, err);
    json_decref(page);
    json_decref(out);
    return rc;
}

/* The cases, and (two way) the tickets whose status had no case status, waiting on the map. */
static enum sync_rc requeue_unmapped(struct sync_store *st, struct sync_err *err)
{
    enum sync_rc rc = requeue_side(st, "salesforce", "Case", err);
    return rc ? rc : requeue_side(st, "hubspot", "tickets", err);
}

json_t *sync_tickets_choices(struct sync_store *st, struct sync_err *err)
{
    return choices_load(st, err);
}

enum sync_rc sync_tickets_requeue(struct sync_store *st, struct sync_err *err)
{
    return requeue_unmapped(st, err);
}

enum sync_rc sync_tickets_choose(const struct sync_config *cfg, struct sync_store *st,
                                 const json_t *patch, struct sync_err *err)
{
    enum sync_rc rc = sync_tickets_choose_stored(cfg, st, patch, err);
    return rc ? rc : requeue_unmapped(st, err);
}

enum sync_rc sync_tickets_choose_stored(const struct sync_config *cfg, struct sync_store *st,
                                        const json_t *patch, struct sync_err *err)
{
    struct sync_buf text = SYNC_BUF_INIT(256 * 1024);
    json_t *rows[2] = {NULL, NULL}, *choices = NULL;
    const char *k;
    json_t *v;
    enum sync_rc rc = SYNC_OK;

    if (!json_is_object(patch))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "expected an object with \"processes\" and/or \"stages\"");
    json_object_foreach((json_t *)patch, k, v)
    {
        if (strcmp(k, "processes") && strcmp(k, "stages"))
            return sync_err_set(err, SYNC_ERR_INVALID, "%s: unknown member (processes, stages)", k);
        if (!json_is_object(v))
            return sync_err_set(err, SYNC_ERR_INVALID, "%s: expected an object", k);
    }
    if ((rc = vendor_rows(cfg, rows, err)))
        return rc;
    if (!(choices = choices_load(st, err)))
        rc = err && err->rc ? err->rc : SYNC_ERR_NOMEM;
    if (rc == SYNC_OK && json_object_get(patch, "processes"))
        rc = choose_processes(choices, json_object_get(patch, "processes"), rows, err);
    if (rc == SYNC_OK && json_object_get(patch, "stages"))
        rc = choose_stages(choices, json_object_get(patch, "stages"), rows, err);
    if (rc == SYNC_OK && (rc = sync_json_dump(choices, &text)))
        rc = sync_err_set(err, rc, "the pipeline choices are too large");
    if (rc == SYNC_OK)
        rc = sync_store_setting_set(st, SYNC_TICKET_PIPELINES_KEY, sync_buf_str(&text), err);
    sync_buf_release(&text);
    json_decref(choices);
    json_decref(rows[0]);
    json_decref(rows[1]);
    return rc;
}

/* ---- steps 6 and after ---- */

enum sync_rc sync_tickets_start(const struct sync_config *cfg, struct sync_store *st,
                                struct sync_err *err)
{
    json_t *rows[2] = {NULL, NULL}, *report = NULL;
    enum sync_rc rc = report_build(cfg, st, rows, &report, err);

    if (rc == SYNC_OK && !any_pipeline(report))
        rc = sync_err_set(err, SYNC_ERR_INVALID,
                          "no case business process has a ticket pipeline yet: map one first "
                          "(crmsync tickets map-pipeline PROCESS PIPELINE)");
    if (rc == SYNC_OK)
        rc = sync_runtime_setting_set_text(st, "ticket_sync", "true", err);
    json_decref(report);
    json_decref(rows[0]);
    json_decref(rows[1]);
    return rc;
}

enum sync_rc sync_tickets_stop(struct sync_store *st, struct sync_err *err)
{
    return sync_runtime_setting_set_text(st, "ticket_sync", "false", err);
}

enum sync_rc sync_tickets_remove(const struct sync_config *cfg, struct sync_store *st,
                                 struct sync_err *err)
{
    static const char *const settings[] = {"ticket_two_way", "ticket_account_association",
                                           "ticket_contact_association", "ticket_delete_rule",
                                           NULL};
    static const char *const cursors[] = {"salesforce:Case", "hubspot:tickets",
                                          "hubspot:tickets:deleted", NULL};
    size_t i;
    enum sync_rc rc = sync_store_begin(st, err);

    if (rc)
        return rc;
    rc = sync_runtime_setting_set_text(st, "ticket_sync", "false", err);
    for (i = 0; rc == SYNC_OK && settings[i]; i++)
        rc = sync_runtime_setting_reset(st, settings[i], err);
    /* when ticket_two_way was turned on (ticket_sync's mark went with it off above): a new
     * setup reads ticket changes from its own start, even before the engine's next pass */
    if (rc == SYNC_OK)
        rc = sync_store_setting_delete(st, SYNC_SINCE_PREFIX "ticket_two_way", err);
    if (rc == SYNC_OK)
        rc = sync_store_setting_delete(st, SYNC_TICKET_PIPELINES_KEY, err);
    /* every ticket mapping override: mappings added, re-pointed or removed, and rules */
    if (rc == SYNC_OK)
        rc = sync_runtime_mappings_forget(st, cfg, "ticket", err);
    for (i = 0; rc == SYNC_OK && cursors[i]; i++)
        rc = sync_store_cursor_delete(st, cursors[i], err);
    if (rc) {
        sync_store_rollback(st, NULL);
        return rc;
    }
    return sync_store_commit(st, err);
}
