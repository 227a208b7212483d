/*
 * control.c: the control API under /__emu/ (docs/EMULATORS.md, HubSpot
 * section): reset, seed, stats, faults, limits, clock, settings, token
 * expiry and minting, 423 locks, form submissions and e-mail events,
 * webhook delivery log, record dumps, restores, edits made "in the CRM UI"
 * and extra owners. No authentication, never rate limited, counted or
 * faulted. Bad requests get 400 {"error":"..."}.
 *
 * Called by routes_handle for every /__emu/ path; takes the portal lock
 * itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/time.h"
#include "emulators/hubspot/portal.h"

void webhooks_settings_changed(struct hs_portal *p, int legacy_v2);

static void bad(struct sync_http_response *res, const char *msg)
{
    sync_http_response_json(res, 400, json_pack("{s:s}", "error", msg));
}

static void not_found(struct sync_http_response *res, const char *msg)
{
    sync_http_response_json(res, 404, json_pack("{s:s}", "error", msg));
}

static int is(const struct sync_http_request *req, const char *method, const char *path,
              const char *want)
{
    return strcmp(req->method, method) == 0 && strcmp(path, want) == 0;
}

static json_t *record_dump(struct hs_portal *p, const struct hs_record *r)
{
    struct hs_out o;
    json_t *j;
    json_t *props;
    struct hs_catalog *cat = &p->cat[r->type];
    int all[HS_NTYPES];
    memset(&o, 0, sizeof(o));
    for (int t = 0; t < HS_NTYPES; t++)
        all[t] = t;
    memcpy(o.assoc_types, all, sizeof(all));
    o.nassoc = HS_NTYPES;
    j = obj_to_json(p, r, &o);
    props = json_object_get(j, "properties");
    for (size_t i = 0; i < cat->n; i++) {
        const char *v = hs_record_get(r, cat->v[i]);
        if (v)
            json_object_set_new(props, cat->v[i]->name, json_string(v));
    }
    return j;
}

static void records_dump(struct hs_portal *p, int t, struct sync_http_response *res)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->st[t].n; i++)
        json_array_append_new(a, record_dump(p, p->st[t].v[i]));
    sync_http_response_json(res, 200, json_pack("{s:o}", "results", a));
}

static void ui_source(struct hs_source *src, const json_t *body)
{
    const char *type = sync_json_str(body, "source");
    memset(src, 0, sizeof(*src));
    if (type && strcmp(type, "INTEGRATION") == 0) {
        src->type = "INTEGRATION";
        src->change_source = "INTEGRATION";
        snprintf(src->id, sizeof(src->id), "%d", HS_APP_ID);
        return;
    }
    if (type && strcmp(type, "IMPORT") == 0) {
        src->type = "IMPORT";
        src->change_source = "IMPORT";
        return;
    }
    if (type && strcmp(type, "WORKFLOW") == 0) {
        src->type = "AUTOMATION_PLATFORM";
        src->change_source = "AUTOMATION_PLATFORM";
        return;
    }
    src->type = "CRM_UI";
    src->change_source = "CRM_UI";
    src->user_id = sync_json_int(body, "userId", 9100001);
    snprintf(src->id, sizeof(src->id), "userId:%lld", (long long)src->user_id);
}

static void record_write(struct hs_portal *p, int t, const char *id, const json_t *body,
                         struct sync_http_response *res)
{
    struct hs_source src;
    struct hs_record *r = NULL;
    int status;
    json_t *err;
    ui_source(&src, body);
    if (id) {
        r = obj_lookup(p, t, id, NULL, 0);
        if (!r) {
            not_found(res, "no such record");
            return;
        }
        err = obj_update_input(p, r, body, &src, &status);
    } else {
        err = obj_create_input(p, t, body, &src, &r, &status);
    }
    if (err) {
        sync_http_response_json(
            res, 400,
            json_pack("{s:s, s:o}", "error",
                      sync_json_str(err, "message") ? sync_json_str(err, "message") : "invalid",
                      "hubspot", err));
        return;
    }
    sync_http_response_json(res, id ? 200 : 201, record_dump(p, r));
}

static void locks_add(struct hs_portal *p, const json_t *body, struct sync_http_response *res)
{
    json_t *ids = json_object_get(body, "ids");
    const char *type = sync_json_str(body, "objectType");
    int64_t count = sync_json_int(body, "count", 1);
    size_t i;
    json_t *v;
    if (count < 1) {
        bad(res, "count must be a positive integer");
        return;
    }
    if (json_is_array(ids)) {
        json_array_foreach(ids, i, v)
        {
            char buf[32];
            const char *s = json_is_string(v) ? json_string_value(v) : NULL;
            if (!s && json_is_integer(v)) {
                snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
                s = buf;
            }
            if (!s || !hs_parse_id(s)) {
                bad(res, "ids must be record ids");
                return;
            }
        }
        json_array_foreach(ids, i, v)
        {
            char buf[32];
            const char *s = json_is_string(v) ? json_string_value(v) : buf;
            if (!json_is_string(v))
                snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
            if (p->nlocks < sizeof(p->locks) / sizeof(p->locks[0])) {
                p->locks[p->nlocks].id = hs_parse_id(s);
                p->locks[p->nlocks].type = -1;
                p->locks[p->nlocks].count = count;
                p->nlocks++;
            }
        }
    } else if (type && hs_type_parse(type) >= 0) {
        if (p->nlocks < sizeof(p->locks) / sizeof(p->locks[0])) {
            p->locks[p->nlocks].id = 0;
            p->locks[p->nlocks].type = hs_type_parse(type);
            p->locks[p->nlocks].count = count;
            p->nlocks++;
        }
    } else {
        bad(res, "give ids (an array of record ids) or objectType");
        return;
    }
    sync_http_response_json(res, 200,
                            json_pack("{s:b, s:I}", "ok", 1, "locks", (json_int_t)p->nlocks));
}

static void clock_reply(struct sync_http_response *res)
{
    char iso[SYNC_TIME_ISO_MAX];
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    sync_http_response_json(
        res, 200,
        json_pack("{s:s, s:I}", "now", iso, "offset_ms", (json_int_t)sync_time_offset_ms()));
}

static void settings_put(struct hs_portal *p, json_t *body, struct sync_http_response *res)
{
    char err[256];
    json_t *copy;
    const char *sig;
    int v2 = -1;
    if (!json_is_object(body)) {
        bad(res, "settings must be a JSON object");
        return;
    }
    copy = json_deep_copy(body);
    sig = sync_json_str(body, "webhook_signature_version");
    if (json_object_get(body, "webhook_signature_version")) {
        if (!sig || (strcmp(sig, "v1") != 0 && strcmp(sig, "v2") != 0)) {
            json_decref(copy);
            bad(res, "webhook_signature_version must be \"v1\" or \"v2\"");
            return;
        }
        v2 = strcmp(sig, "v2") == 0;
        json_object_del(copy, "webhook_signature_version");
    }
    if (settings_configure(&p->settings, copy, err, sizeof(err))) {
        json_decref(copy);
        bad(res, err);
        return;
    }
    json_decref(copy);
    webhooks_settings_changed(p, v2);
    sync_http_response_json(res, 200, settings_to_json(&p->settings));
}

static void handle_locked(struct hs_portal *p, struct sync_http_request *req,
                          struct sync_http_response *res, const char *path, json_t *body)
{
    char err[256];
    struct sync_err e = SYNC_ERR_INIT;

    if (is(req, "POST", path, "/__emu/reset")) {
        int64_t n = sync_json_int(body, "seed", 0);
        portal_reset(p);
        if (n > 0)
            json_decref(seed_run(p, n > 100000 ? 100000 : n));
        sync_http_response_json(res, 200, json_pack("{s:b}", "ok", 1));
    } else if (is(req, "POST", path, "/__emu/seed")) {
        json_t *n = json_object_get(body, "count");
        if (!json_is_integer(n) || json_integer_value(n) < 0 || json_integer_value(n) > 100000) {
            bad(res, "count must be an integer from 0 to 100000");
            return;
        }
        sync_http_response_json(res, 200, seed_run(p, json_integer_value(n)));
    } else if (is(req, "GET", path, "/__emu/stats")) {
        sync_http_response_json(res, 200, portal_stats_json(p));
    } else if (is(req, "POST", path, "/__emu/stats/reset")) {
        hs_map_release(&p->stats.by_route, free);
        hs_map_init(&p->stats.by_route);
        p->stats.total = 0;
        sync_http_response_json(res, 200, json_pack("{s:b}", "ok", 1));
    } else if (is(req, "GET", path, "/__emu/faults")) {
        sync_http_response_json(res, 200, emu_faults_to_json(&p->faults));
    } else if (is(req, "PUT", path, "/__emu/faults")) {
        if (emu_faults_configure(&p->faults, body, &e)) {
            bad(res, e.message);
            return;
        }
        sync_http_response_json(res, 200, emu_faults_to_json(&p->faults));
    } else if (is(req, "DELETE", path, "/__emu/faults")) {
        emu_faults_clear(&p->faults);
        sync_http_response_json(res, 200, emu_faults_to_json(&p->faults));
    } else if (is(req, "GET", path, "/__emu/limits")) {
        sync_http_response_json(res, 200, limits_to_json(&p->limits));
    } else if (is(req, "PUT", path, "/__emu/limits")) {
        if (limits_configure(&p->limits, body, err, sizeof(err))) {
            bad(res, err);
            return;
        }
        sync_http_response_json(res, 200, limits_to_json(&p->limits));
    } else if (is(req, "GET", path, "/__emu/clock")) {
        clock_reply(res);
    } else if (is(req, "PUT", path, "/__emu/clock")) {
        json_t *off = json_object_get(body, "offset_ms");
        json_t *adv = json_object_get(body, "advance_ms");
        if ((!off && !adv) || (off && !json_is_integer(off)) || (adv && !json_is_integer(adv))) {
            bad(res, "give offset_ms or advance_ms (integers)");
            return;
        }
        if (off)
            sync_time_set_offset_ms(json_integer_value(off));
        if (adv)
            sync_time_set_offset_ms(sync_time_offset_ms() + json_integer_value(adv));
        clock_reply(res);
    } else if (is(req, "GET", path, "/__emu/settings")) {
        sync_http_response_json(res, 200, settings_to_json(&p->settings));
    } else if (is(req, "PUT", path, "/__emu/settings")) {
        settings_put(p, body, res);
    } else if (is(req, "POST", path, "/__emu/tokens/expire")) {
        auth_expire(p, sync_json_str(body, "token"));
        sync_http_response_json(res, 200, json_pack("{s:b}", "ok", 1));
    } else if (is(req, "POST", path, "/__emu/tokens")) {
        json_t *scopes = json_object_get(body, "scopes");
        if (scopes && !json_is_array(scopes)) {
            bad(res, "scopes must be an array of strings");
            return;
        }
        sync_http_response_json(res, 200,
                                json_pack("{s:s}", "token", auth_new_private_token(p, scopes)));
    } else if (is(req, "POST", path, "/__emu/oauth/codes")) {
        json_t *scopes = json_object_get(body, "scopes");
        if (scopes && !json_is_array(scopes)) {
            bad(res, "scopes must be an array of strings");
            return;
        }
        sync_http_response_json(
            res, 200,
            json_pack("{s:s}", "code",
                      auth_new_code(p, scopes, sync_json_str(body, "redirect_uri"))));
    } else if (is(req, "POST", path, "/__emu/locks")) {
        locks_add(p, body, res);
    } else if (is(req, "POST", path, "/__emu/email-events")) {
        json_t *ev = mkt_add_email_event(p, body, err, sizeof(err));
        if (!ev) {
            bad(res, err);
            return;
        }
        sync_http_response_json(res, 201, ev);
    } else if (is(req, "GET", path, "/__emu/webhooks/deliveries")) {
        sync_http_response_json(res, 200, wh_deliveries_json(p));
    } else if (is(req, "POST", path, "/__emu/owners")) {
        json_t *o = owners_add(p, body, err, sizeof(err));
        if (!o) {
            bad(res, err);
            return;
        }
        sync_http_response_json(res, 201, json_incref(o));
    } else if (is(req, "POST", path, "/__emu/restore")) {
        int t = hs_type_parse(sync_json_str(body, "objectType"));
        char buf[32];
        const char *id = hs_json_idstr(body, "id", buf);
        struct hs_record *r;
        struct hs_source src;
        if (t < 0 || !id) {
            bad(res, "give objectType and id");
            return;
        }
        r = obj_lookup(p, t, id, NULL, 1);
        if (!r) {
            not_found(res, "no archived record with that id");
            return;
        }
        ui_source(&src, body);
        obj_restore(p, r, &src);
        sync_http_response_json(res, 200, record_dump(p, r));
    } else if (strncmp(path, "/__emu/forms/", 13) == 0 && strcmp(req->method, "POST") == 0) {
        char form[256];
        const char *rest = path + 13;
        size_t n = strcspn(rest, "/");
        json_t *out;
        if (n == 0 || n >= sizeof(form) || strcmp(rest + n, "/submissions") != 0) {
            not_found(res, "no such control call");
            return;
        }
        memcpy(form, rest, n);
        form[n] = '\0';
        out = mkt_submit_form(p, form, body, err, sizeof(err));
        if (!out) {
            bad(res, err);
            return;
        }
        sync_http_response_json(res, 201, out);
    } else if (strncmp(path, "/__emu/records/", 15) == 0) {
        char type[64];
        const char *rest = path + 15;
        size_t n = strcspn(rest, "/");
        int t;
        if (n == 0 || n >= sizeof(type)) {
            not_found(res, "no such control call");
            return;
        }
        memcpy(type, rest, n);
        type[n] = '\0';
        t = hs_type_parse(type);
        if (t < 0) {
            bad(res, "unknown object type");
            return;
        }
        rest += n;
        if (!*rest && strcmp(req->method, "GET") == 0)
            records_dump(p, t, res);
        else if (!*rest && strcmp(req->method, "POST") == 0)
            record_write(p, t, NULL, body, res);
        else if (*rest == '/' && strcmp(req->method, "PATCH") == 0)
            record_write(p, t, rest + 1, body, res);
        else
            not_found(res, "no such control call");
    } else {
        not_found(res, "no such control call");
    }
}

void control_handle(struct hs_portal *p, struct sync_http_request *req,
                    struct sync_http_response *res)
{
    char path[1024];
    json_t *body = NULL;
    size_t n;
    snprintf(path, sizeof(path), "%s", req->path);
    n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    if (req->body.len) {
        struct sync_err err = SYNC_ERR_INIT;
        body = sync_json_parse(req->body.data, req->body.len, &err);
        if (!body) {
            bad(res, err.message);
            return;
        }
    }
    if (body && !json_is_object(body)) {
        json_decref(body);
        bad(res, "the body must be a JSON object");
        return;
    }
    pthread_mutex_lock(&p->lock);
    handle_locked(p, req, res, path, body);
    pthread_mutex_unlock(&p->lock);
    json_decref(body);
}
