/*
 * runtime.c: the settings in force, the file's overlaid by the store's
 * overrides (see runtime.h). Called by sync.c at the start of each pass,
 * by the admin API's settings routes and by `crmsync settings`.
 */
#include "engine/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "store/store.h"

struct overlay {
    struct sync_settings *out;
    int seen[SYNC_SETTING__COUNT]; /* the store overrides it (and the value is good) */
};

static enum sync_rc overlay_row(void *ctx, const char *key, const char *json)
{
    struct overlay *o = ctx;
    struct sync_err perr = SYNC_ERR_INIT, serr = SYNC_ERR_INIT;
    int id = sync_setting_find(key);
    json_t *v;

    if (id < 0)
        return SYNC_OK; /* another part of the engine's state, not a setting */
    v = sync_json_parse(json, strlen(json), &perr);
    if (!v || sync_settings_set_json(o->out, (enum sync_setting)id, v, &serr)) {
        sync_warn("settings", "the stored value of %s is not used: %s", key,
                  v ? serr.message : perr.message);
    } else {
        o->seen[id] = 1;
    }
    json_decref(v);
    return SYNC_OK;
}

static enum sync_rc overlay_load(struct sync_store *st, const struct sync_settings *base,
                                 struct sync_settings *out, struct overlay *o, struct sync_err *err)
{
    enum sync_rc rc = sync_settings_copy(out, base);

    if (rc)
        return sync_err_set(err, rc, "out of memory");
    memset(o, 0, sizeof(*o));
    o->out = out;
    return sync_store_setting_list(st, overlay_row, o, err);
}

enum sync_rc sync_runtime_settings_load(struct sync_store *st, const struct sync_settings *base,
                                        struct sync_settings *out, struct sync_err *err)
{
    struct overlay o;
    return overlay_load(st, base, out, &o, err);
}

static enum sync_rc known(const char *name, int *id, struct sync_err *err)
{
    *id = sync_setting_find(name);
    if (*id < 0)
        return sync_err_set(err, SYNC_ERR_NOT_FOUND, "unknown setting '%s'", name ? name : "");
    return SYNC_OK;
}

enum sync_rc sync_runtime_setting_set(struct sync_store *st, const char *name, const json_t *value,
                                      struct sync_err *err)
{
    struct sync_settings scratch;
    json_t *canon = NULL;
    char *text = NULL;
    int id;
    enum sync_rc rc = known(name, &id, err);

    if (rc)
        return rc;
    if ((rc = sync_settings_init(&scratch)))
        return sync_err_set(err, rc, "out of memory");
    rc = sync_settings_set_json(&scratch, (enum sync_setting)id, value, err);
    if (rc == SYNC_OK) {
        /* stored as the table spells it, so "1h0m" and "60m" are one value */
        canon = sync_settings_get_json(&scratch, (enum sync_setting)id);
        text = canon ? json_dumps(canon, JSON_ENCODE_ANY) : NULL;
        rc = text ? sync_store_setting_set(st, name, text, err)
                  : sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    free(text);
    json_decref(canon);
    sync_settings_release(&scratch);
    return rc;
}

enum sync_rc sync_runtime_setting_set_text(struct sync_store *st, const char *name,
                                           const char *text, struct sync_err *err)
{
    json_t *v = json_string(text ? text : "");
    enum sync_rc rc =
        v ? sync_runtime_setting_set(st, name, v, err) : sync_err_set(err, SYNC_ERR_NOMEM, "oom");

    json_decref(v);
    return rc;
}

enum sync_rc sync_runtime_setting_reset(struct sync_store *st, const char *name,
                                        struct sync_err *err)
{
    int id;
    enum sync_rc rc = known(name, &id, err);
    return rc ? rc : sync_store_setting_delete(st, name, err);
}

static const char *const type_names[] = {"boolean",  "integer", "choice",
                                         "duration", "time",    "string"};

static json_t *setting_json(const struct sync_settings *in_force, const struct sync_config *cfg,
                            const struct sync_settings *defaults, int overridden, int id)
{
    const struct sync_setting_def *d = sync_setting_def((enum sync_setting)id);
    json_t *def_v = sync_settings_get_json(defaults, (enum sync_setting)id);
    const char *source = overridden ? "override" : cfg->settings_given[id] ? "file" : "default";
    json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s}", "name", d->name, "value",
                          sync_settings_get_json(in_force, (enum sync_setting)id), "default", def_v,
                          "source", source, "type", type_names[d->type], "help", d->help);

    if (!o)
        return NULL;
    if (d->choices) {
        json_t *c = json_array();
        for (size_t i = 0; d->choices[i]; i++)
            json_array_append_new(c, json_string(d->choices[i]));
        json_object_set_new(o, "choices", c);
    }
    if (d->type == SYNC_SETTING_INT) {
        json_object_set_new(o, "min", json_integer(d->min));
        json_object_set_new(o, "max", json_integer(d->max));
    }
    return o;
}

/* Every setting (only == -1) or one, into *out (an array, or the one object). */
static enum sync_rc settings_json(struct sync_store *st, const struct sync_config *cfg, int only,
                                  json_t **out, struct sync_err *err)
{
    struct sync_settings in_force, defaults;
    struct overlay o;
    json_t *list = NULL;
    enum sync_rc rc;

    *out = NULL;
    if (sync_settings_init(&in_force) || sync_settings_init(&defaults)) {
        sync_settings_release(&in_force);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    rc = overlay_load(st, &cfg->settings, &in_force, &o, err);
    if (rc == SYNC_OK && only < 0 && !(list = json_array()))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    for (int i = 0; rc == SYNC_OK && i < SYNC_SETTING__COUNT; i++) {
        json_t *one;
        if (only >= 0 && i != only)
            continue;
        if (!(one = setting_json(&in_force, cfg, &defaults, o.seen[i], i)))
            rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
        else if (only >= 0)
            *out = one;
        else
            json_array_append_new(list, one);
    }
    if (rc == SYNC_OK && only < 0)
        *out = list;
    else
        json_decref(list);
    sync_settings_release(&in_force);
    sync_settings_release(&defaults);
    return rc;
}

enum sync_rc sync_runtime_settings_json(struct sync_store *st, const struct sync_config *cfg,
                                        json_t **out, struct sync_err *err)
{
    return settings_json(st, cfg, -1, out, err);
}

enum sync_rc sync_runtime_setting_json(struct sync_store *st, const struct sync_config *cfg,
                                       const char *name, json_t **out, struct sync_err *err)
{
    int id;
    enum sync_rc rc = known(name, &id, err);
    return rc ? rc : settings_json(st, cfg, id, out, err);
}

/* ---- mapping rules ---- */

#define RULE_PREFIX "mapping_rule:"

struct rule_walk {
    struct sync_mapping_set *set;
    json_t *seen; /* key -> true: the overrides applied */
};

static enum sync_rc rule_row(void *ctx, const char *key, const char *json)
{
    struct rule_walk *w = ctx;
    struct sync_err perr = SYNC_ERR_INIT, rerr = SYNC_ERR_INIT;
    char kind_name[32];
    const char *prop;
    enum sync_kind kind;
    enum sync_rule rule;
    json_t *v;

    if (strncmp(key, RULE_PREFIX, strlen(RULE_PREFIX)))
        return SYNC_OK;
    prop = strchr(key + strlen(RULE_PREFIX), ':');
    v = sync_json_parse(json, strlen(json), &perr);
    snprintf(kind_name, sizeof(kind_name), "%.*s",
             prop ? (int)(prop - key - strlen(RULE_PREFIX)) : 0, key + strlen(RULE_PREFIX));
    if (!prop || sync_kind_parse(kind_name, &kind) || !json_is_string(v) ||
        sync_rule_parse(json_string_value(v), &rule) ||
        sync_mapping_set_rule(w->set, kind, prop + 1, rule, &rerr))
        sync_warn("settings", "the stored rule %s = %s is not used%s%s", key, json,
                  rerr.message[0] ? ": " : "", rerr.message);
    else if (w->seen)
        json_object_set_new(w->seen, key, json_true());
    json_decref(v);
    return SYNC_OK;
}

static enum sync_rc set_of_file(const struct sync_config *cfg, struct sync_mapping_set *out,
                                struct sync_err *err)
{
    struct sync_config_problems *pr = calloc(1, sizeof(*pr));
    enum sync_rc rc;

    if (!pr)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if ((rc = sync_mapping_set_init(out)))
        rc = sync_err_set(err, rc, "out of memory");
    else if ((rc = sync_config_apply_mappings(cfg, out, NULL, NULL, pr)))
        rc = sync_err_set(err, rc, "the file's mappings: %s", pr->n ? pr->items[0].text : "");
    free(pr);
    return rc;
}

static enum sync_rc mappings_load(struct sync_store *st, const struct sync_config *cfg,
                                  struct sync_mapping_set *out, json_t *seen, struct sync_err *err)
{
    struct rule_walk w = {out, seen};
    enum sync_rc rc = set_of_file(cfg, out, err);

    return rc ? rc : sync_store_setting_list(st, rule_row, &w, err);
}

enum sync_rc sync_runtime_mappings_load(struct sync_store *st, const struct sync_config *cfg,
                                        struct sync_mapping_set *out, struct sync_err *err)
{
    return mappings_load(st, cfg, out, NULL, err);
}

/* The store key of a mapping's rule, after checking the kind and the mapping exist. */
static enum sync_rc rule_key(const struct sync_mapping_set *set, const char *kind_name,
                             const char *prop, enum sync_kind *kind, char *key, size_t n,
                             struct sync_err *err)
{
    if (!kind_name || sync_kind_parse(kind_name, kind))
        return sync_err_set(err, SYNC_ERR_NOT_FOUND,
                            "unknown kind '%s' (contact, company, deal or ticket)",
                            kind_name ? kind_name : "");
    if (!prop || !sync_mapping_set_find_hs(set, *kind, prop))
        return sync_err_set(err, SYNC_ERR_NOT_FOUND, "no %s mapping of HubSpot property '%s'",
                            kind_name, prop ? prop : "");
    snprintf(key, n, RULE_PREFIX "%s:%s", sync_kind_name(*kind), prop);
    return SYNC_OK;
}

enum sync_rc sync_runtime_rule_set(struct sync_store *st, const struct sync_config *cfg,
                                   const char *kind_name, const char *prop, const char *rule_name,
                                   struct sync_err *err)
{
    struct sync_mapping_set set;
    char key[SYNC_STORE_NAME_MAX], json[64];
    enum sync_kind kind;
    enum sync_rule rule;
    enum sync_rc rc = set_of_file(cfg, &set, err);

    if (rc == SYNC_OK)
        rc = rule_key(&set, kind_name, prop, &kind, key, sizeof(key), err);
    if (rc == SYNC_OK && (!rule_name || sync_rule_parse(rule_name, &rule)))
        rc = sync_err_set(err, SYNC_ERR_INVALID,
                          "unknown rule '%s' (prefer_salesforce_unless_blank, "
                          "always_use_salesforce, two_way, dont_sync, "
                          "prefer_hubspot_unless_blank, always_use_hubspot)",
                          rule_name ? rule_name : "");
    if (rc == SYNC_OK)
        rc = sync_mapping_set_rule(&set, kind, prop, rule, err);
    if (rc == SYNC_OK) {
        snprintf(json, sizeof(json), "\"%s\"", sync_rule_name(rule));
        rc = sync_store_setting_set(st, key, json, err);
    }
    sync_mapping_set_release(&set);
    return rc;
}

enum sync_rc sync_runtime_rule_reset(struct sync_store *st, const struct sync_config *cfg,
                                     const char *kind_name, const char *prop, struct sync_err *err)
{
    struct sync_mapping_set set;
    char key[SYNC_STORE_NAME_MAX];
    enum sync_kind kind;
    enum sync_rc rc = set_of_file(cfg, &set, err);

    if (rc == SYNC_OK)
        rc = rule_key(&set, kind_name, prop, &kind, key, sizeof(key), err);
    if (rc == SYNC_OK)
        rc = sync_store_setting_delete(st, key, err);
    sync_mapping_set_release(&set);
    return rc;
}

static json_t *mapping_json(const struct sync_mapping *m, const struct sync_mapping_set *file,
                            const json_t *seen)
{
    const struct sync_mapping *f = sync_mapping_set_find_hs(file, m->kind, m->hs.name);
    json_t *sf = json_array();
    char key[SYNC_STORE_NAME_MAX + SYNC_FIELD_NAME_MAX];

    for (size_t i = 0; i < m->nsf; i++)
        json_array_append_new(
            sf, json_pack("{s:s, s:s}", "object", m->sf[i].object, "field", m->sf[i].name));
    snprintf(key, sizeof(key), RULE_PREFIX "%s:%s", sync_kind_name(m->kind), m->hs.name);
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:b}", "kind", sync_kind_name(m->kind),
                     "hubspot", m->hs.name, "salesforce", sf, "rule", sync_rule_name(m->rule),
                     "default_rule", sync_rule_name(m->default_rule), "source",
                     json_object_get(seen, key)        ? "override"
                     : !(m->flags & SYNC_MAP_BUILTIN)  ? "file"
                     : f && f->rule != m->default_rule ? "file"
                                                       : "default",
                     "builtin", (m->flags & SYNC_MAP_BUILTIN) != 0);
}

enum sync_rc sync_runtime_mappings_json(struct sync_store *st, const struct sync_config *cfg,
                                        json_t **out, struct sync_err *err)
{
    struct sync_mapping_set set, file;
    json_t *seen = json_object(), *list = json_array();
    enum sync_rc rc;

    *out = NULL;
    memset(&file, 0, sizeof(file));
    if (!seen || !list) {
        json_decref(seen);
        json_decref(list);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    rc = mappings_load(st, cfg, &set, seen, err);
    if (rc == SYNC_OK)
        rc = set_of_file(cfg, &file, err);
    for (size_t i = 0; rc == SYNC_OK && i < set.n; i++) {
        const struct sync_mapping *m = &set.items[i];
        if (!(m->flags & SYNC_MAP_INTERNAL))
            json_array_append_new(list, mapping_json(m, &file, seen));
    }
    sync_mapping_set_release(&set);
    sync_mapping_set_release(&file);
    json_decref(seen);
    if (rc)
        json_decref(list);
    else
        *out = list;
    return rc;
}
