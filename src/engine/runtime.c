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
