/*
 * api_settings.c: the integration settings over the admin API: list, one,
 * set (PUT one, PATCH several at once, all or nothing), reset to the
 * file's value (DELETE). Values go through the settings table's checks
 * (runtime.h); a change wakes the run loop so it applies at once. Called
 * by router.c.
 */
#include <stdio.h>
#include <string.h>

#include "admin/admin_int.h"
#include "engine/runtime.h"
#include "store/store.h"

void api_settings_list(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *list = NULL;

    if (sync_runtime_settings_json(r->st, r->cfg, &list, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, 200, json_pack("{s:o}", "settings", list));
}

static void reply_one(struct admin_req *r, const char *name)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *one = NULL;

    if (sync_runtime_setting_json(r->st, r->cfg, name, &one, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, 200, one);
}

void api_settings_get(struct admin_req *r)
{
    reply_one(r, admin_param(r, "name"));
}

void api_settings_put(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    const char *name = admin_param(r, "name");
    const json_t *v = json_object_get(r->body, "value");

    if (!v) {
        admin_reply_error(r, 400, "bad_request", "the body must be {\"value\": ...}");
        return;
    }
    if (sync_runtime_setting_set(r->st, name, v, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    admin_wake(r);
    reply_one(r, name);
}

void api_settings_reset(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    const char *name = admin_param(r, "name");

    if (sync_runtime_setting_reset(r->st, name, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    admin_wake(r);
    reply_one(r, name);
}

/* Checks every value of body without storing any; problems become one message each. */
static int patch_check(struct admin_req *r, json_t *problems)
{
    struct sync_settings scratch;
    const char *name;
    json_t *v;

    if (sync_settings_init(&scratch))
        return -1;
    json_object_foreach(r->body, name, v)
    {
        struct sync_err err = SYNC_ERR_INIT;
        int id = sync_setting_find(name);
        if (id < 0)
            json_array_append_new(problems, json_sprintf("unknown setting '%s'", name));
        else if (sync_settings_set_json(&scratch, (enum sync_setting)id, v, &err))
            json_array_append_new(problems, json_string(err.message));
    }
    sync_settings_release(&scratch);
    return 0;
}

void api_settings_patch(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *problems = json_array(), *changed = json_array();
    const char *name;
    json_t *v;
    enum sync_rc rc;

    if (!json_is_object(r->body) || json_object_size(r->body) == 0) {
        admin_reply_error(r, 400, "bad_request",
                          "the body must be an object of settings: {\"deal_sync\": false, ...}");
        goto out;
    }
    if (patch_check(r, problems) || json_array_size(problems)) {
        admin_reply_json(r, 400,
                         json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "bad_request", "message",
                                   "nothing was changed: a setting was refused", "problems",
                                   problems));
        goto out;
    }
    rc = sync_store_begin(r->st, &err);
    json_object_foreach(r->body, name, v)
    {
        if (rc == SYNC_OK)
            rc = sync_runtime_setting_set(r->st, name, v, &err);
        json_array_append_new(changed, json_string(name));
    }
    if (rc == SYNC_OK)
        rc = sync_store_commit(r->st, &err);
    else
        sync_store_rollback(r->st, NULL);
    if (rc) {
        admin_reply_err(r, &err);
        goto out;
    }
    admin_wake(r);
    admin_reply_json(r, 200, json_pack("{s:O}", "changed", changed));
out:
    json_decref(problems);
    json_decref(changed);
}
