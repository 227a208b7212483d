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
#include "core/time.h"
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

enum sync_rc sync_runtime_setting_load(struct sync_store *st, enum sync_setting id,
                                       struct sync_settings *out, struct sync_err *err)
{
    const char *name = sync_setting_def(id)->name;
    struct sync_buf b = SYNC_BUF_INIT(64 * 1024);
    struct overlay o;
    enum sync_rc rc = sync_store_setting_get(st, name, &b, err);

    memset(&o, 0, sizeof(o));
    o.out = out;
    if (rc == SYNC_OK)
        rc = overlay_row(&o, name, sync_buf_str(&b));
    else if (rc == SYNC_ERR_NOT_FOUND) {
        sync_err_clear(err);
        rc = SYNC_OK;
    }
    sync_buf_release(&b);
    return rc;
}

static enum sync_rc known(const char *name, int *id, struct sync_err *err)
{
    *id = sync_setting_find(name);
    if (*id < 0)
        return sync_err_set(err, SYNC_ERR_NOT_FOUND, "unknown setting '%s'", name ? name : "");
    return SYNC_OK;
}

int sync_runtime_since_switch(int id)
{
    if (id == SYNC_SETTING_TICKET_SYNC || id == SYNC_SETTING_TICKET_TWO_WAY ||
        (id >= SYNC_SETTING_SALESFORCE_TASK_SYNC && id <= SYNC_SETTING_SALESFORCE_MEETINGS))
        return 1;
    return id >= SYNC_SETTING_TIMELINE_FIRST && id < SYNC_SETTING__COUNT &&
           (id - SYNC_SETTING_TIMELINE_FIRST) % 3 == SYNC_TIMELINE_ON;
}

/* Keeps when a since switch was turned on (see runtime.h). */
static enum sync_rc since_mark(struct sync_store *st, int id, int on, struct sync_err *err)
{
    struct sync_buf b = SYNC_BUF_INIT(64);
    char key[SYNC_STORE_NAME_MAX], ms[32];
    enum sync_rc rc;

    if (!sync_runtime_since_switch(id))
        return SYNC_OK;
    snprintf(key, sizeof(key), "%s%s", SYNC_SINCE_PREFIX, sync_setting_def(id)->name);
    if (!on)
        return sync_store_setting_delete(st, key, err);
    rc = sync_store_setting_get(st, key, &b, err);
    sync_buf_release(&b);
    if (rc != SYNC_ERR_NOT_FOUND)
        return rc;
    sync_err_clear(err);
    snprintf(ms, sizeof(ms), "%lld", (long long)sync_time_now_ms());
    return sync_store_setting_set(st, key, ms, err);
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
        if (rc == SYNC_OK && sync_setting_def(id)->type == SYNC_SETTING_BOOL)
            rc = since_mark(st, id, sync_settings_int(&scratch, (enum sync_setting)id) != 0, err);
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

/* ---- mappings: the file's, overridden at run time ---- */

#define RULE_PREFIX "mapping_rule:"
#define MAPPING_PREFIX "mapping:"

/* The store's mapping overrides, collected in key order: [[key, JSON text]]. */
struct override_rows {
    json_t *maps;  /* MAPPING_PREFIX rows */
    json_t *rules; /* RULE_PREFIX rows */
};

static enum sync_rc collect_row(void *ctx, const char *key, const char *json)
{
    struct override_rows *o = ctx;
    json_t *to = strncmp(key, MAPPING_PREFIX, strlen(MAPPING_PREFIX)) == 0 ? o->maps
                 : strncmp(key, RULE_PREFIX, strlen(RULE_PREFIX)) == 0     ? o->rules
                                                                           : NULL;

    if (to && json_array_append_new(to, json_pack("[s, s]", key, json)))
        return SYNC_ERR_NOMEM;
    return SYNC_OK;
}

/* The kind and HubSpot property an override's key names ("mapping:contact:salutation"). */
static int key_parse(const char *key, const char *prefix, enum sync_kind *kind, const char **prop)
{
    const char *rest = key + strlen(prefix), *colon = strchr(rest, ':');
    char name[32];

    if (!colon || (size_t)(colon - rest) >= sizeof(name))
        return -1;
    snprintf(name, sizeof(name), "%.*s", (int)(colon - rest), rest);
    *prop = colon + 1;
    return sync_kind_parse(name, kind) ? -1 : 0;
}

/* The store key of a kind's property; "" when it would not fit a store key (no such key). */
static void key_of(char *key, size_t n, const char *prefix, enum sync_kind kind, const char *prop)
{
    int w = snprintf(key, n, "%s%s:%s", prefix, sync_kind_name(kind), prop);
    if (w < 0 || (size_t)w >= n)
        key[0] = '\0';
}

/* Applies one stored mapping: a user mapping added or replacing the file's, or a file mapping
 * removed ({"removed": true}; one the file no longer has is nothing to remove). */
static enum sync_rc override_apply(struct sync_mapping_set *set, const char *key, const char *text,
                                   struct sync_err *err)
{
    struct sync_config_mapping e;
    struct sync_mapping m;
    enum sync_kind kind;
    const char *prop;
    json_t *spec;
    enum sync_rc rc;

    if (key_parse(key, MAPPING_PREFIX, &kind, &prop))
        return sync_err_set(err, SYNC_ERR_INVALID, "the key names no sync kind");
    if (!(spec = sync_json_parse(text, strlen(text), err)))
        return SYNC_ERR_PARSE;
    if (json_is_true(json_object_get(spec, "removed"))) {
        rc = sync_mapping_set_find_hs(set, kind, prop)
                 ? sync_mapping_set_remove(set, kind, prop, err)
                 : SYNC_OK;
    } else if ((rc = sync_config_mapping_from_json(kind, prop, spec, &e, err)) == SYNC_OK) {
        rc = sync_config_mapping_user(&e, NULL, NULL, &m, err);
        if (rc == SYNC_OK)
            rc = sync_mapping_set_replace(set, &m, err);
        sync_mapping_release(&m);
    }
    json_decref(spec);
    return rc;
}

/* Applies the stored mappings in rounds: one that waits for another (a field a later key frees
 * by re-pointing its mapping) applies once that one has, as it did when it was stored. One
 * that cannot apply at all is skipped with a warning. */
static enum sync_rc overrides_apply(struct sync_mapping_set *set, const json_t *rows, json_t *seen)
{
    size_t n = json_array_size(rows);
    char *done = calloc(n ? n : 1, 1);
    int progress = 1;

    if (!done)
        return SYNC_ERR_NOMEM;
    while (progress) {
        progress = 0;
        for (size_t i = 0; i < n; i++) {
            const json_t *row = json_array_get(rows, i);
            const char *key = json_string_value(json_array_get(row, 0));
            if (done[i] ||
                override_apply(set, key, json_string_value(json_array_get(row, 1)), NULL))
                continue;
            done[i] = progress = 1;
            if (seen)
                json_object_set_new(seen, key, json_true());
        }
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *row = json_array_get(rows, i);
        const char *key = json_string_value(json_array_get(row, 0));
        const char *text = json_string_value(json_array_get(row, 1));
        struct sync_err why = SYNC_ERR_INIT;
        if (done[i])
            continue;
        override_apply(set, key, text, &why);
        sync_warn("settings", "the stored mapping %s = %s is not used: %s", key, text, why.message);
    }
    free(done);
    return SYNC_OK;
}

static void rule_apply(struct sync_mapping_set *set, const char *key, const char *json,
                       json_t *seen)
{
    struct sync_err perr = SYNC_ERR_INIT, rerr = SYNC_ERR_INIT;
    enum sync_kind kind;
    enum sync_rule rule;
    const char *prop = NULL;
    json_t *v = sync_json_parse(json, strlen(json), &perr);

    if (key_parse(key, RULE_PREFIX, &kind, &prop) || !json_is_string(v) ||
        sync_rule_parse(json_string_value(v), &rule) ||
        sync_mapping_set_rule(set, kind, prop, rule, &rerr))
        sync_warn("settings", "the stored rule %s = %s is not used%s%s", key, json,
                  rerr.message[0] ? ": " : "", rerr.message);
    else if (seen)
        json_object_set_new(seen, key, json_true());
    json_decref(v);
}

/* out: the defaults and the file's mappings (checked with their type hints). out is set up
 * even on failure (the caller releases it). */
static enum sync_rc set_of_file(const struct sync_config *cfg, struct sync_mapping_set *out,
                                struct sync_err *err)
{
    struct sync_config_problems *pr = calloc(1, sizeof(*pr));
    enum sync_rc rc;

    memset(out, 0, sizeof(*out));
    if (!pr)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if ((rc = sync_mapping_set_init(out)))
        rc = sync_err_set(err, rc, "out of memory");
    else if ((rc = sync_config_apply_mappings(cfg, out, NULL, NULL, pr)))
        rc = sync_err_set(err, rc, "the file's mappings: %s", pr->n ? pr->items[0].text : "");
    free(pr);
    return rc;
}

/* The mappings in force: the file's, then the stored mappings, then the stored rules; seen
 * (when given) gets the key of every override applied. */
static enum sync_rc mappings_load(struct sync_store *st, const struct sync_config *cfg,
                                  struct sync_mapping_set *out, json_t *seen, struct sync_err *err)
{
    struct override_rows o = {json_array(), json_array()};
    enum sync_rc rc = set_of_file(cfg, out, err);
    const json_t *row;
    size_t i;

    if (rc == SYNC_OK && (!o.maps || !o.rules))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (rc == SYNC_OK)
        rc = sync_store_setting_list(st, collect_row, &o, err);
    if (rc == SYNC_OK && overrides_apply(out, o.maps, seen))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    json_array_foreach(rc == SYNC_OK ? o.rules : NULL, i, row)
    {
        rule_apply(out, json_string_value(json_array_get(row, 0)),
                   json_string_value(json_array_get(row, 1)), seen);
    }
    json_decref(o.maps);
    json_decref(o.rules);
    return rc;
}

enum sync_rc sync_runtime_mappings_load(struct sync_store *st, const struct sync_config *cfg,
                                        struct sync_mapping_set *out, struct sync_err *err)
{
    return mappings_load(st, cfg, out, NULL, err);
}

/* The kind a name gives; refused (with rc) when unknown or a kind without mappings. */
static enum sync_rc kind_of(const struct sync_mapping_set *set, const char *name,
                            enum sync_kind *kind, enum sync_rc rc, struct sync_err *err)
{
    if (!name || sync_kind_parse(name, kind) || !sync_mapping_set_list(set, *kind, NULL, 0))
        return sync_err_set(
            err, rc,
            "unknown kind '%s' (contact, company, deal, ticket, task, email, call or meeting)",
            name ? name : "");
    return SYNC_OK;
}

/* The in-force mapping of (kind, prop); SYNC_ERR_NOT_FOUND (saying so) when there is none. */
static enum sync_rc mapping_of(const struct sync_mapping_set *set, const char *kind_name,
                               const char *prop, enum sync_kind *kind,
                               const struct sync_mapping **m, struct sync_err *err)
{
    enum sync_rc rc = kind_of(set, kind_name, kind, SYNC_ERR_NOT_FOUND, err);

    if (rc)
        return rc;
    if (!prop || !(*m = sync_mapping_set_find_hs(set, *kind, prop)))
        return sync_err_set(err, SYNC_ERR_NOT_FOUND, "no %s mapping of HubSpot property '%s'",
                            kind_name, prop ? prop : "");
    return SYNC_OK;
}

static enum sync_rc rule_of(const char *name, enum sync_rule *rule, struct sync_err *err)
{
    if (!name || sync_rule_parse(name, rule))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "unknown rule '%s' (prefer_salesforce_unless_blank, "
                            "always_use_salesforce, two_way, dont_sync, "
                            "prefer_hubspot_unless_blank, always_use_hubspot)",
                            name ? name : "");
    return SYNC_OK;
}

/* A built-in's fields cannot change, nor can it be removed: err->code says why it was refused
 * (SYNC_RUNTIME_BUILTIN). */
static enum sync_rc builtin_refused(const struct sync_mapping *m, int removing,
                                    struct sync_err *err)
{
    if (removing)
        sync_err_set(err, SYNC_ERR_INVALID,
                     "the %s mapping of %s is a default mapping and cannot be removed (set its "
                     "rule to dont_sync instead)",
                     sync_kind_name(m->kind), m->hs.name);
    else
        sync_err_set(err, SYNC_ERR_INVALID,
                     "the %s mapping of %s is a default mapping: its Salesforce fields cannot be "
                     "changed (only its rule)",
                     sync_kind_name(m->kind), m->hs.name);
    if (err)
        snprintf(err->code, sizeof(err->code), "%s", SYNC_RUNTIME_BUILTIN);
    return SYNC_ERR_INVALID;
}

/* Adding a property mapped already (err->code SYNC_RUNTIME_EXISTS). */
static enum sync_rc exists_refused(const struct sync_mapping *m, struct sync_err *err)
{
    sync_err_set(err, SYNC_ERR_INVALID,
                 "HubSpot %s property %s is already mapped (to %s.%s); edit that mapping instead",
                 sync_kind_name(m->kind), m->hs.name, m->sf[0].object, m->sf[0].name);
    if (err)
        snprintf(err->code, sizeof(err->code), "%s", SYNC_RUNTIME_EXISTS);
    return SYNC_ERR_INVALID;
}

/* Says which mapping a refusal is about: "contact mapping salutation: ...". */
static enum sync_rc about(struct sync_err *err, enum sync_rc rc, enum sync_kind kind,
                          const char *prop)
{
    char was[SYNC_ERR_MSG_MAX];

    if (!err || rc != SYNC_ERR_INVALID)
        return rc;
    snprintf(was, sizeof(was), "%s", err->message);
    return sync_err_set(err, rc, "%s mapping %s: %.900s", sync_kind_name(kind), prop, was);
}

enum sync_rc sync_runtime_rule_set(struct sync_store *st, const struct sync_config *cfg,
                                   const char *kind_name, const char *prop, const char *rule_name,
                                   struct sync_err *err)
{
    struct sync_mapping_set set;
    const struct sync_mapping *m;
    char key[SYNC_STORE_NAME_MAX], json[64];
    enum sync_kind kind;
    enum sync_rule rule;
    enum sync_rc rc = mappings_load(st, cfg, &set, NULL, err);

    if (rc == SYNC_OK)
        rc = mapping_of(&set, kind_name, prop, &kind, &m, err);
    if (rc == SYNC_OK)
        rc = rule_of(rule_name, &rule, err);
    if (rc == SYNC_OK)
        rc = sync_mapping_set_rule(&set, kind, prop, rule, err);
    if (rc == SYNC_OK) {
        key_of(key, sizeof(key), RULE_PREFIX, kind, prop);
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
    const struct sync_mapping *m;
    char key[SYNC_STORE_NAME_MAX];
    enum sync_kind kind;
    enum sync_rc rc = mappings_load(st, cfg, &set, NULL, err);

    if (rc == SYNC_OK)
        rc = mapping_of(&set, kind_name, prop, &kind, &m, err);
    if (rc == SYNC_OK) {
        key_of(key, sizeof(key), RULE_PREFIX, kind, prop);
        rc = sync_store_setting_delete(st, key, err);
    }
    sync_mapping_set_release(&set);
    return rc;
}

/* The stored form of a user mapping: the JSON entry with its types. */
static char *spec_text(const struct sync_mapping *m)
{
    json_t *sf = json_array(), *spec;
    char hs_type[96];
    char *text;

    for (size_t i = 0; sf && i < m->nsf; i++)
        json_array_append_new(sf,
                              json_pack("{s:s, s:s, s:s}", "object", m->sf[i].object, "field",
                                        m->sf[i].name, "type", sync_sf_type_name(m->sf[i].type)));
    snprintf(hs_type, sizeof(hs_type), "%s/%s", sync_hs_type_name(m->hs.type),
             sync_hs_field_type_name(m->hs.field_type));
    spec = json_pack("{s:o*, s:s, s:s}", "salesforce", sf, "rule", sync_rule_name(m->rule),
                     "hubspot_type", hs_type);
    text = spec ? json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(spec);
    return text;
}

/* A unit of work on the store: its own transaction, or a savepoint of the caller's when one is
 * open (*nested), so a caller can make several changes all or nothing. */
static enum sync_rc unit_begin(struct sync_store *st, int *nested, struct sync_err *err)
{
    *nested = sync_store_in_transaction(st);
    return *nested ? sync_store_savepoint(st, err) : sync_store_begin(st, err);
}

/* Ends it: kept when rc is SYNC_OK, else undone; returns rc or the store's. */
static enum sync_rc unit_end(struct sync_store *st, int nested, enum sync_rc rc,
                             struct sync_err *err)
{
    if (rc) {
        if (nested)
            sync_store_savepoint_rollback(st, NULL);
        else
            sync_store_rollback(st, NULL);
        return rc;
    }
    return nested ? sync_store_savepoint_release(st, err) : sync_store_commit(st, err);
}

/* In one transaction (a savepoint of the caller's, when one is open): m checked against the
 * mappings in force (added, or replacing the user mapping of its property) and stored; a rule
 * override of the property is dropped (m carries its rule). */
static enum sync_rc put_store(struct sync_store *st, const struct sync_config *cfg,
                              const struct sync_mapping *m, int replace, struct sync_err *err)
{
    struct sync_mapping_set set;
    char key[SYNC_STORE_NAME_MAX];
    char *text = NULL;
    int nested;
    enum sync_rc rc = unit_begin(st, &nested, err);

    memset(&set, 0, sizeof(set));
    if (rc)
        return rc;
    rc = mappings_load(st, cfg, &set, NULL, err);
    if (rc == SYNC_OK)
        rc = replace ? sync_mapping_set_replace(&set, m, err) : sync_mapping_set_add(&set, m, err);
    if (rc == SYNC_OK && !(text = spec_text(m)))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (rc == SYNC_OK) {
        key_of(key, sizeof(key), MAPPING_PREFIX, m->kind, m->hs.name);
        rc = sync_store_setting_set(st, key, text, err);
    }
    if (rc == SYNC_OK) {
        key_of(key, sizeof(key), RULE_PREFIX, m->kind, m->hs.name);
        rc = sync_store_setting_delete(st, key, err);
    }
    free(text);
    sync_mapping_set_release(&set);
    return unit_end(st, nested, rc, err);
}

/* Whether the kind's mapping of prop may be stored: not a built-in, and (replace 0) not mapped
 * already. Asked before the vendors are. */
static enum sync_rc put_allowed(struct sync_store *st, const struct sync_config *cfg,
                                enum sync_kind kind, const char *prop, int replace,
                                struct sync_err *err)
{
    struct sync_mapping_set set;
    const struct sync_mapping *was;
    enum sync_rc rc = mappings_load(st, cfg, &set, NULL, err);

    was = rc == SYNC_OK && prop ? sync_mapping_set_find_hs(&set, kind, prop) : NULL;
    if (was && (was->flags & SYNC_MAP_BUILTIN))
        rc = builtin_refused(was, 0, err);
    else if (was && !replace)
        rc = exists_refused(was, err);
    sync_mapping_set_release(&set);
    return rc;
}

enum sync_rc sync_runtime_mapping_put_entry(struct sync_store *st, const struct sync_config *cfg,
                                            const struct sync_config_mapping *e, int replace,
                                            sync_config_resolve_fn resolve, void *ctx,
                                            struct sync_err *err)
{
    struct sync_mapping m;
    enum sync_rc rc = put_allowed(st, cfg, e->kind, e->hubspot, replace, err);

    memset(&m, 0, sizeof(m));
    if (rc == SYNC_OK)
        rc = sync_config_mapping_user(e, resolve, ctx, &m, err);
    if (rc == SYNC_OK)
        rc = put_store(st, cfg, &m, replace, err);
    sync_mapping_release(&m);
    return about(err, rc, e->kind, e->hubspot);
}

enum sync_rc sync_runtime_mapping_put(struct sync_store *st, const struct sync_config *cfg,
                                      const char *kind_name, const char *prop, const json_t *spec,
                                      int replace, sync_config_resolve_fn resolve, void *ctx,
                                      struct sync_err *err)
{
    struct sync_mapping_set set;
    struct sync_config_mapping e;
    enum sync_kind kind;
    enum sync_rc rc = mappings_load(st, cfg, &set, NULL, err);

    if (rc == SYNC_OK)
        rc = kind_of(&set, kind_name, &kind, SYNC_ERR_INVALID, err);
    sync_mapping_set_release(&set);
    if (rc == SYNC_OK)
        rc = put_allowed(st, cfg, kind, prop, replace, err);
    if (rc)
        return rc;
    if ((rc = sync_config_mapping_from_json(kind, prop, spec, &e, err)))
        return about(err, rc, kind, prop);
    return sync_runtime_mapping_put_entry(st, cfg, &e, replace, resolve, ctx, err);
}

enum sync_rc sync_runtime_mapping_edit(struct sync_store *st, const struct sync_config *cfg,
                                       const char *kind_name, const char *prop,
                                       const json_t *salesforce, const char *rule_name,
                                       sync_config_resolve_fn resolve, void *ctx,
                                       struct sync_err *err)
{
    struct sync_mapping_set set;
    const struct sync_mapping *m = NULL;
    enum sync_kind kind;
    enum sync_rule rule;
    json_t *spec = NULL;
    char hs_type[96];
    enum sync_rc rc = mappings_load(st, cfg, &set, NULL, err);

    if (rc == SYNC_OK)
        rc = mapping_of(&set, kind_name, prop, &kind, &m, err);
    if (rc == SYNC_OK && !salesforce && !rule_name)
        rc = sync_err_set(err, SYNC_ERR_INVALID,
                          "nothing to change: give the Salesforce field, the rule or both");
    if (rc == SYNC_OK && rule_name)
        rc = rule_of(rule_name, &rule, err);
    if (rc == SYNC_OK && salesforce && (m->flags & SYNC_MAP_BUILTIN))
        rc = builtin_refused(m, 0, err);
    if (rc == SYNC_OK && salesforce) {
        /* re-pointed: a new entry with the rule in force unless another is given */
        snprintf(hs_type, sizeof(hs_type), "%s/%s", sync_hs_type_name(m->hs.type),
                 sync_hs_field_type_name(m->hs.field_type));
        spec = json_pack("{s:O, s:s, s:s}", "salesforce", salesforce, "rule",
                         rule_name ? sync_rule_name(rule) : sync_rule_name(m->rule), "hubspot_type",
                         hs_type);
        if (!spec)
            rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    sync_mapping_set_release(&set);
    if (rc)
        return rc;
    /* the rule alone: an override of the rule, as for a built-in */
    rc = spec ? sync_runtime_mapping_put(st, cfg, kind_name, prop, spec, 1, resolve, ctx, err)
              : sync_runtime_rule_set(st, cfg, kind_name, prop, rule_name, err);
    json_decref(spec);
    return rc;
}

enum sync_rc sync_runtime_mapping_delete(struct sync_store *st, const struct sync_config *cfg,
                                         const char *kind_name, const char *prop,
                                         struct sync_err *err)
{
    struct sync_mapping_set set, file;
    const struct sync_mapping *m = NULL, *f;
    char key[SYNC_STORE_NAME_MAX];
    enum sync_kind kind;
    enum sync_rc rc = sync_store_begin(st, err);

    memset(&set, 0, sizeof(set));
    memset(&file, 0, sizeof(file));
    if (rc)
        return rc;
    rc = mappings_load(st, cfg, &set, NULL, err);
    if (rc == SYNC_OK)
        rc = mapping_of(&set, kind_name, prop, &kind, &m, err);
    if (rc == SYNC_OK && (m->flags & SYNC_MAP_BUILTIN))
        rc = builtin_refused(m, 1, err);
    if (rc == SYNC_OK)
        rc = set_of_file(cfg, &file, err);
    if (rc == SYNC_OK) {
        /* the file's own mapping stays removed; one added at run time is simply forgotten */
        f = sync_mapping_set_find_hs(&file, kind, prop);
        key_of(key, sizeof(key), MAPPING_PREFIX, kind, prop);
        rc = f ? sync_store_setting_set(st, key, "{\"removed\":true}", err)
               : sync_store_setting_delete(st, key, err);
    }
    if (rc == SYNC_OK) {
        key_of(key, sizeof(key), RULE_PREFIX, kind, prop);
        rc = sync_store_setting_delete(st, key, err);
    }
    sync_mapping_set_release(&set);
    sync_mapping_set_release(&file);
    if (rc) {
        sync_store_rollback(st, NULL);
        return rc;
    }
    return sync_store_commit(st, err);
}

/* The stored keys of rows (collect_row's [[key, text]]) whose kind is kind, appended to keys. */
static void keys_of_kind(const json_t *rows, const char *prefix, enum sync_kind kind, json_t *keys)
{
    const json_t *row;
    size_t i;

    json_array_foreach(rows, i, row)
    {
        const char *key = json_string_value(json_array_get(row, 0)), *prop;
        enum sync_kind k;
        if (key && !key_parse(key, prefix, &k, &prop) && k == kind)
            json_array_append_new(keys, json_string(key));
    }
}

enum sync_rc sync_runtime_mappings_forget(struct sync_store *st, const struct sync_config *cfg,
                                          const char *kind_name, struct sync_err *err)
{
    struct override_rows o = {json_array(), json_array()};
    struct sync_mapping_set file;
    json_t *keys = json_array();
    enum sync_kind kind;
    const json_t *key;
    size_t i;
    int nested = 0;
    enum sync_rc rc = set_of_file(cfg, &file, err);

    if (rc == SYNC_OK)
        rc = kind_of(&file, kind_name, &kind, SYNC_ERR_NOT_FOUND, err);
    sync_mapping_set_release(&file);
    if (rc == SYNC_OK && (!o.maps || !o.rules || !keys))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (rc == SYNC_OK)
        rc = unit_begin(st, &nested, err);
    if (rc) {
        json_decref(o.maps);
        json_decref(o.rules);
        json_decref(keys);
        return rc;
    }
    /* listed first, then deleted: the list does not see its own deletions */
    rc = sync_store_setting_list(st, collect_row, &o, err);
    if (rc == SYNC_OK) {
        keys_of_kind(o.maps, MAPPING_PREFIX, kind, keys);
        keys_of_kind(o.rules, RULE_PREFIX, kind, keys);
    }
    json_array_foreach(rc == SYNC_OK ? keys : NULL, i, key)
    {
        if (rc == SYNC_OK)
            rc = sync_store_setting_delete(st, json_string_value(key), err);
    }
    json_decref(o.maps);
    json_decref(o.rules);
    json_decref(keys);
    return unit_end(st, nested, rc, err);
}

static json_t *mapping_json(const struct sync_mapping *m, const struct sync_mapping_set *file,
                            const json_t *seen)
{
    const struct sync_mapping *f = sync_mapping_set_find_hs(file, m->kind, m->hs.name);
    json_t *sf = json_array();
    char rule_key[SYNC_STORE_NAME_MAX], map_key[SYNC_STORE_NAME_MAX];

    for (size_t i = 0; i < m->nsf; i++)
        json_array_append_new(
            sf, json_pack("{s:s, s:s}", "object", m->sf[i].object, "field", m->sf[i].name));
    key_of(rule_key, sizeof(rule_key), RULE_PREFIX, m->kind, m->hs.name);
    key_of(map_key, sizeof(map_key), MAPPING_PREFIX, m->kind, m->hs.name);
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:b, s:b}", "kind", sync_kind_name(m->kind),
                     "hubspot", m->hs.name, "salesforce", sf, "rule", sync_rule_name(m->rule),
                     "default_rule", sync_rule_name(m->default_rule), "source",
                     json_object_get(seen, rule_key) || json_object_get(seen, map_key) ? "override"
                     : !(m->flags & SYNC_MAP_BUILTIN)                                  ? "file"
                     : f && f->rule != m->default_rule                                 ? "file"
                                                                                       : "default",
                     "builtin", (m->flags & SYNC_MAP_BUILTIN) != 0, "required",
                     (m->flags & SYNC_MAP_REQUIRED) != 0);
}

enum sync_rc sync_runtime_mappings_json(struct sync_store *st, const struct sync_config *cfg,
                                        json_t **out, struct sync_err *err)
{
    struct sync_mapping_set set, file;
    json_t *seen = json_object(), *list = json_array();
    enum sync_rc rc;

    *out = NULL;
    memset(&set, 0, sizeof(set));
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
