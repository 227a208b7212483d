/*
 * configio.c: the configuration as code (see configio.h): export of the
 * settings, mappings and ticket pipeline choices in force as YAML, and
 * import's diff and apply.
 *
 * One walk over the file serves both: it compares each setting, mapping
 * entry and ticket pipeline choice with what is in force and, for each
 * difference, adds a line to the diff, applies it, or both. The apply
 * runs inside one transaction, so a refusal half way leaves nothing
 * stored.
 */
#include "engine/configio.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "engine/mapping.h"
#include "engine/rules.h"
#include "engine/runtime.h"
#include "engine/tickets.h"
#include "store/store.h"

#define TEXT_MAX 512 /* a mapping's fields and rule, as the diff shows them */

struct walk {
    struct sync_store *st;
    const struct sync_config *cfg;
    json_t *diff; /* NULL: not asked for */
    int apply;
    sync_config_resolve_fn resolve;
    void *ctx;
    size_t changes;
    int tickets_chosen; /* ticket pipeline choices were stored: requeue after the commit */
};

enum sync_rc sync_configio_export(struct sync_store *st, const struct sync_config *cfg,
                                  struct sync_buf *out, struct sync_err *err)
{
    struct sync_config now = *cfg; /* cfg's keys, the settings and ticket choices in force */
    struct sync_mapping_set set;
    enum sync_rc rc = sync_settings_init(&now.settings);

    memset(&set, 0, sizeof(set));
    if (rc)
        return sync_err_set(err, rc, "out of memory");
    now.ticket_pipelines = NULL;
    rc = sync_runtime_settings_load(st, &cfg->settings, &now.settings, err);
    if (rc == SYNC_OK)
        rc = sync_runtime_mappings_load(st, cfg, &set, err);
    if (rc == SYNC_OK && !(now.ticket_pipelines = sync_tickets_choices(st, err)))
        rc = err && err->rc ? err->rc : SYNC_ERR_NOMEM;
    if (rc == SYNC_OK && (rc = sync_config_write_yaml(&now, &set, out)))
        sync_err_set(err, rc, "the configuration does not fit in %zu bytes", out->cap);
    sync_mapping_set_release(&set);
    sync_settings_release(&now.settings);
    json_decref(now.ticket_pipelines);
    return rc;
}

/* ---- the text of a mapping, as the diff shows it ---- */

static void text_add(char *out, size_t *o, const char *fmt, const char *a, const char *b)
{
    if (*o < TEXT_MAX)
        *o += (size_t)snprintf(out + *o, TEXT_MAX - *o, fmt, a, b);
    if (*o >= TEXT_MAX)
        *o = TEXT_MAX - 1;
}

static const char *mapping_text(const struct sync_mapping *m, char out[TEXT_MAX])
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < m->nsf; i++)
        text_add(out, &o, i ? ", %s.%s" : "%s.%s", m->sf[i].object, m->sf[i].name);
    text_add(out, &o, " (%s)%s", sync_rule_name(m->rule), "");
    return out;
}

static const char *entry_text(const struct sync_config_mapping *e, enum sync_rule rule,
                              char out[TEXT_MAX])
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < e->nsf; i++) {
        const char *object = e->sf[i].object[0] ? e->sf[i].object : "*";
        text_add(out, &o, i ? ", %s.%s" : "%s.%s", object, e->sf[i].field);
    }
    text_add(out, &o, " (%s)%s", sync_rule_name(rule), "");
    return out;
}

/* ---- the walk ---- */

static enum sync_rc diff_add(struct walk *w, json_t *line, struct sync_err *err)
{
    w->changes++;
    if (!w->diff) {
        json_decref(line);
        return SYNC_OK;
    }
    if (!line || json_array_append_new(w->diff, line))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    return SYNC_OK;
}

static enum sync_rc walk_settings(struct walk *w, const struct sync_config *in,
                                  struct sync_err *err)
{
    struct sync_settings live;
    enum sync_rc rc = sync_settings_init(&live);

    if (rc == SYNC_OK)
        rc = sync_runtime_settings_load(w->st, &w->cfg->settings, &live, err);
    for (int i = 0; rc == SYNC_OK && i < SYNC_SETTING__COUNT; i++) {
        struct sync_buf was = SYNC_BUF_INIT(4096), now = SYNC_BUF_INIT(4096);
        const char *name = sync_setting_def((enum sync_setting)i)->name;
        json_t *v;
        if (!in->settings_given[i])
            continue;
        sync_settings_format(&live, (enum sync_setting)i, &was);
        sync_settings_format(&in->settings, (enum sync_setting)i, &now);
        if (strcmp(sync_buf_str(&was), sync_buf_str(&now)) != 0) {
            rc = diff_add(w,
                          json_pack("{s:s, s:s, s:s}", "setting", name, "from", sync_buf_str(&was),
                                    "to", sync_buf_str(&now)),
                          err);
            if (rc == SYNC_OK && w->apply) {
                v = sync_settings_get_json(&in->settings, (enum sync_setting)i);
                rc = v ? sync_runtime_setting_set(w->st, name, v, err)
                       : sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
                json_decref(v);
            }
        }
        sync_buf_release(&was);
        sync_buf_release(&now);
    }
    sync_settings_release(&live);
    return rc;
}

static json_t *mapping_line(const struct sync_config_mapping *e, const char *change,
                            const char *from, const char *to)
{
    char name[SYNC_FIELD_NAME_MAX + 16];

    snprintf(name, sizeof(name), "%s %s", sync_kind_name(e->kind), e->hubspot);
    return json_pack("{s:s, s:s, s:s?, s:s}", "mapping", name, "change", change, "from", from, "to",
                     to);
}

/* A new user mapping, or (m) a user mapping re-pointed keeping its rule unless e gives one. */
static enum sync_rc walk_put(struct walk *w, const struct sync_config_mapping *e,
                             const struct sync_mapping *m, struct sync_err *err)
{
    struct sync_config_mapping x = *e;
    char from[TEXT_MAX], to[TEXT_MAX];
    enum sync_rc rc;

    if (m && !x.has_rule) {
        x.has_rule = 1;
        x.rule = m->rule;
    }
    entry_text(&x, x.has_rule ? x.rule : SYNC_RULE_PREFER_SF_UNLESS_BLANK, to);
    rc = diff_add(w, mapping_line(e, m ? "repoint" : "add", m ? mapping_text(m, from) : NULL, to),
                  err);
    if (rc == SYNC_OK && w->apply)
        rc = sync_runtime_mapping_put_entry(w->st, w->cfg, &x, m != NULL,
                                            sync_config_mapping_typed(&x) ? NULL : w->resolve,
                                            w->ctx, err);
    return rc;
}

static enum sync_rc walk_mapping(struct walk *w, const struct sync_mapping_set *set,
                                 const struct sync_config_mapping *e, struct sync_err *err)
{
    const struct sync_mapping *m = sync_mapping_set_find_hs(set, e->kind, e->hubspot);
    const char *kind = sync_kind_name(e->kind);
    enum sync_rc rc;

    if (!m && !e->nsf)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "%s mapping %s: not a mapping in force; give salesforce: to add it",
                            kind, e->hubspot);
    if (!m)
        return walk_put(w, e, NULL, err);
    if (e->nsf && !sync_config_mapping_same_fields(e, m)) {
        if (m->flags & SYNC_MAP_BUILTIN)
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "%s mapping %s: a default mapping cannot be re-pointed, only its "
                                "rule changes",
                                kind, e->hubspot);
        return walk_put(w, e, m, err);
    }
    if (!e->has_rule || e->rule == m->rule)
        return SYNC_OK;
    rc =
        diff_add(w, mapping_line(e, "rule", sync_rule_name(m->rule), sync_rule_name(e->rule)), err);
    if (rc == SYNC_OK && w->apply)
        rc = sync_runtime_rule_set(w->st, w->cfg, kind, e->hubspot, sync_rule_name(e->rule), err);
    return rc;
}

/* ---- the ticket pipeline map's choices ---- */

/* One choice: was (stored; NULL or null: none, the pre-fill applies) against want (the file's;
 * null drops it). When they differ: a diff line what: name, and (patch not NULL) the change
 * into patch under key. */
static enum sync_rc walk_choice(struct walk *w, const char *what, json_t *name, const json_t *was,
                                const json_t *want, json_t *patch, const char *key,
                                struct sync_err *err)
{
    const char *from = json_string_value(was), *to = json_string_value(want);
    enum sync_rc rc;

    if ((!from && !to) || (from && to && strcmp(from, to) == 0)) {
        json_decref(name);
        return SYNC_OK;
    }
    rc = diff_add(w, json_pack("{s:o, s:s?, s:s?}", what, name, "from", from, "to", to), err);
    if (rc == SYNC_OK && patch &&
        json_object_set_new(patch, key, to ? json_string(to) : json_null()))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    return rc;
}

/* The member name of patch, made when missing (NULL when patch is). */
static json_t *patch_member(json_t *patch, const char *name)
{
    json_t *m = patch ? json_object_get(patch, name) : NULL;

    if (patch && !m && (m = json_object()) && json_object_set_new(patch, name, m))
        m = NULL;
    return m;
}

/* Stores the changed choices through the ticket setup's own checks (the vendors' names, a
 * pipeline taken once); a refusal names the file's key. */
static enum sync_rc choose(struct walk *w, json_t *patch, struct sync_err *err)
{
    char why[SYNC_ERR_MSG_MAX];
    json_t *stages = json_object_get(patch, "stages"), *v;
    const char *pid;
    void *tmp;
    enum sync_rc rc;

    json_object_foreach_safe(stages, tmp, pid, v)
    {
        if (!json_object_size(v))
            json_object_del(stages, pid);
    }
    if (!json_object_size(json_object_get(patch, "processes")))
        json_object_del(patch, "processes");
    if (!json_object_size(json_object_get(patch, "stages")))
        json_object_del(patch, "stages");
    if (!json_object_size(patch))
        return SYNC_OK;
    rc = sync_tickets_choose_stored(w->cfg, w->st, patch, err);
    if (rc == SYNC_ERR_INVALID && err) {
        snprintf(why, sizeof(why), "%s", err->message);
        sync_err_set(err, rc, "ticket_pipelines.%s", why);
    }
    w->tickets_chosen = rc == SYNC_OK;
    return rc;
}

static enum sync_rc walk_tickets(struct walk *w, const struct sync_config *in, struct sync_err *err)
{
    const json_t *tp = in->ticket_pipelines, *stored;
    json_t *have, *patch = NULL, *v, *statuses, *into;
    const char *k, *pid, *status;
    enum sync_rc rc = SYNC_OK;

    if (!json_object_size(tp))
        return SYNC_OK;
    if (!(have = sync_tickets_choices(w->st, err)))
        return err && err->rc ? err->rc : SYNC_ERR_NOMEM;
    if (w->apply && !(patch = json_object()))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    into = patch_member(patch, "processes");
    stored = json_object_get(have, "processes");
    json_object_foreach(json_object_get(tp, "processes"), k, v)
    {
        if (rc == SYNC_OK)
            rc = walk_choice(w, "ticket_pipeline", json_sprintf("process %s", k),
                             json_object_get(stored, k), v, into, k, err);
    }
    json_object_foreach(json_object_get(tp, "stages"), pid, statuses)
    {
        stored = json_object_get(json_object_get(have, "stages"), pid);
        into = patch_member(patch_member(patch, "stages"), pid);
        json_object_foreach(statuses, status, v)
        {
            if (rc == SYNC_OK)
                rc = walk_choice(w, "ticket_status",
                                 json_sprintf("pipeline %s status %s", pid, status),
                                 json_object_get(stored, status), v, into, status, err);
        }
    }
    if (rc == SYNC_OK && patch)
        rc = choose(w, patch, err);
    json_decref(patch);
    json_decref(have);
    return rc;
}

/* deal_stages without the lines they were read from. */
static json_t *stage_pairs(const json_t *ds)
{
    json_t *out = json_array(), *e;
    size_t i;

    json_array_foreach(ds, i, e)
    {
        json_t *c = json_deep_copy(e);
        if (c)
            json_object_del(c, "line");
        if (!c || json_array_append_new(out, c))
            break;
    }
    return out;
}

int sync_configio_deal_stages_differ(const struct sync_config *cfg, const struct sync_config *in)
{
    json_t *a, *b;
    int differ;

    if (!json_array_size(in->deal_stages))
        return 0;
    a = stage_pairs(cfg->deal_stages);
    b = stage_pairs(in->deal_stages);
    differ = !a || !b || !json_equal(a, b);
    json_decref(a);
    json_decref(b);
    return differ;
}

static enum sync_rc walk_all(struct walk *w, const struct sync_config *in, struct sync_err *err)
{
    struct sync_mapping_set set;
    enum sync_rc rc = walk_settings(w, in, err);

    memset(&set, 0, sizeof(set));
    if (rc == SYNC_OK && in->nmappings)
        rc = sync_runtime_mappings_load(w->st, w->cfg, &set, err);
    for (size_t i = 0; rc == SYNC_OK && i < in->nmappings; i++)
        rc = walk_mapping(w, &set, &in->mappings[i], err);
    sync_mapping_set_release(&set);
    if (rc == SYNC_OK)
        rc = walk_tickets(w, in, err);
    return rc;
}

enum sync_rc sync_configio_diff(struct sync_store *st, const struct sync_config *cfg,
                                const struct sync_config *in, json_t **out, struct sync_err *err)
{
    struct walk w = {st, cfg, json_array(), 0, NULL, NULL, 0, 0};
    enum sync_rc rc =
        w.diff ? walk_all(&w, in, err) : sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");

    if (rc) {
        json_decref(w.diff);
        w.diff = NULL;
    }
    *out = w.diff;
    return rc;
}

enum sync_rc sync_configio_apply(struct sync_store *st, const struct sync_config *cfg,
                                 const struct sync_config *in, sync_config_resolve_fn resolve,
                                 void *ctx, size_t *changes, struct sync_err *err)
{
    struct walk w = {st, cfg, NULL, 1, resolve, ctx, 0, 0};
    struct sync_err later = SYNC_ERR_INIT;
    enum sync_rc rc = sync_store_begin(st, err);

    if (rc == SYNC_OK)
        rc = walk_all(&w, in, err);
    if (rc == SYNC_OK)
        rc = sync_store_commit(st, err);
    else
        sync_store_rollback(st, NULL);
    if (changes)
        *changes = rc == SYNC_OK ? w.changes : 0;
    /* the import stands: records waiting on the map that are not queued again now sync at
     * their next change */
    if (rc == SYNC_OK && w.tickets_chosen && sync_tickets_requeue(st, &later))
        sync_warn("config",
                  "the records waiting on the ticket pipeline map were not queued "
                  "again: %s",
                  later.message);
    return rc;
}
