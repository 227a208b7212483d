/*
 * configio.c: the configuration as code (see configio.h): export of the
 * settings and mappings in force as YAML, and import's diff and apply.
 *
 * One walk over the file serves both: it compares each setting and
 * mapping entry with what is in force and, for each difference, adds a
 * line to the diff, applies it, or both. The apply runs inside one
 * transaction, so a refusal half way leaves nothing stored.
 */
#include "engine/configio.h"

#include <stdio.h>
#include <string.h>

#include "engine/mapping.h"
#include "engine/rules.h"
#include "engine/runtime.h"
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
};

enum sync_rc sync_configio_export(struct sync_store *st, const struct sync_config *cfg,
                                  struct sync_buf *out, struct sync_err *err)
{
    struct sync_config now = *cfg; /* cfg's keys, the settings in force */
    struct sync_mapping_set set;
    enum sync_rc rc = sync_settings_init(&now.settings);

    memset(&set, 0, sizeof(set));
    if (rc)
        return sync_err_set(err, rc, "out of memory");
    rc = sync_runtime_settings_load(st, &cfg->settings, &now.settings, err);
    if (rc == SYNC_OK)
        rc = sync_runtime_mappings_load(st, cfg, &set, err);
    if (rc == SYNC_OK && (rc = sync_config_write_yaml(&now, &set, out)))
        sync_err_set(err, rc, "the configuration does not fit in %zu bytes", out->cap);
    sync_mapping_set_release(&set);
    sync_settings_release(&now.settings);
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
    return rc;
}

enum sync_rc sync_configio_diff(struct sync_store *st, const struct sync_config *cfg,
                                const struct sync_config *in, json_t **out, struct sync_err *err)
{
    struct walk w = {st, cfg, json_array(), 0, NULL, NULL, 0};
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
    struct walk w = {st, cfg, NULL, 1, resolve, ctx, 0};
    enum sync_rc rc = sync_store_begin(st, err);

    if (rc == SYNC_OK)
        rc = walk_all(&w, in, err);
    if (rc == SYNC_OK)
        rc = sync_store_commit(st, err);
    else
        sync_store_rollback(st, NULL);
    if (changes)
        *changes = rc == SYNC_OK ? w.changes : 0;
    return rc;
}
