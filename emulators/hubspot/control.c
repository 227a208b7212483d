/*
 * control.c: the control API under /__emu/ (docs/EMULATORS.md, HubSpot
 * section): reset, seed, stats, faults, limits, clock, settings, token
 * expiry and minting, 423 locks, form submissions and e-mail events,
 * sales email opens and clicks and document views (tracking.c), the
 * webhook delivery log, record dumps, restores, edits made "in the CRM UI"
 * and extra owners. No authentication, never rate limited, counted or
 * faulted. Bad requests get 400 {"error":"..."}.
 *
 * One table maps each call to its handler. routes_handle hands every
 * /__emu/ path to control_handle, which parses the body and runs the
 * handler under the portal lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/time.h"
#include "emulators/hubspot/portal.h"

#define SEED_MAX 100000 /* records per object one control call may seed */

/* One control call: the request, its parsed body (NULL when empty), the path after a prefix
 * route's prefix, and the response. */
struct ctl {
    struct hs_portal *p;
    struct sync_http_request *req;
    struct sync_http_response *res;
    json_t *body;
    const char *rest;
};

typedef void (*ctl_fn)(struct ctl *k);

static void reply(struct ctl *k, int status, json_t *body)
{
    sync_http_response_json(k->res, status, body);
}

static void bad(struct ctl *k, const char *msg)
{
    reply(k, 400, json_pack("{s:s}", "error", msg));
}

static void not_found(struct ctl *k, const char *msg)
{
    reply(k, 404, json_pack("{s:s}", "error", msg));
}

static void ok(struct ctl *k)
{
    reply(k, 200, json_pack("{s:b}", "ok", 1));
}

/* ---- records ---- */

/* Every set property and every association: what a test wants to assert on. */
static void dump_out(struct hs_out *o)
{
    memset(o, 0, sizeof(*o));
    o->all = 1;
    for (int t = 0; t < HS_NTYPES; t++)
        o->assoc_types[t] = t;
    o->nassoc = HS_NTYPES;
}

static void record_reply(struct ctl *k, int status, const struct hs_record *r)
{
    struct hs_out o;
    dump_out(&o);
    sync_buf_reset(&k->res->body);
    render_record(&k->res->body, k->p, r, &o);
    k->res->status = status;
    k->res->content_type = NULL;
}

/* The object type named at the start of k->rest (advanced past it); -1 after answering. */
static int rest_type(struct ctl *k)
{
    char type[64];
    size_t n = strcspn(k->rest, "/");
    int t;
    if (n == 0 || n >= sizeof(type)) {
        not_found(k, "no such control call");
        return -1;
    }
    memcpy(type, k->rest, n);
    type[n] = '\0';
    t = hs_type_parse(type);
    if (t < 0)
        bad(k, "unknown object type");
    k->rest += n;
    return t;
}

static void ctl_records_get(struct ctl *k)
{
    struct hs_out o;
    struct sync_buf *b = &k->res->body;
    int t = rest_type(k);
    if (t < 0)
        return;
    if (*k->rest) {
        not_found(k, "no such control call");
        return;
    }
    dump_out(&o);
    sync_buf_reset(b);
    sync_buf_addstr(b, "{\"results\":[");
    for (size_t i = 0; i < k->p->st[t].n; i++)
        render_record(b, k->p, k->p->st[t].v[i], &o);
    sync_buf_addstr(b, "]}");
    k->res->status = 200;
    k->res->content_type = NULL;
}

/* Who a UI-style write claims to be: a CRM user unless the body names another source. */
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

/* POST /__emu/records/{type} creates, PATCH /__emu/records/{type}/{id} updates. */
static void record_write(struct ctl *k, int t, const char *id)
{
    struct hs_source src;
    struct hs_record *r = NULL;
    int status;
    json_t *err;
    ui_source(&src, k->body);
    if (id) {
        r = obj_lookup(k->p, t, id, NULL, 0);
        if (!r) {
            not_found(k, "no such record");
            return;
        }
        err = obj_update_input(k->p, r, k->body, &src, &status);
    } else {
        err = obj_create_input(k->p, t, k->body, &src, &r, &status);
    }
    if (err) {
        const char *msg = sync_json_str(err, "message");
        reply(k, 400, json_pack("{s:s, s:o}", "error", msg ? msg : "invalid", "hubspot", err));
        return;
    }
    record_reply(k, id ? 200 : 201, r);
}

static void ctl_records_create(struct ctl *k)
{
    int t = rest_type(k);
    if (t < 0)
        return;
    if (*k->rest)
        not_found(k, "no such control call");
    else
        record_write(k, t, NULL);
}

static void ctl_records_update(struct ctl *k)
{
    int t = rest_type(k);
    if (t < 0)
        return;
    if (*k->rest != '/' || !k->rest[1] || strchr(k->rest + 1, '/'))
        not_found(k, "no such control call");
    else
        record_write(k, t, k->rest + 1);
}

static void ctl_restore(struct ctl *k)
{
    int t = hs_type_parse(sync_json_str(k->body, "objectType"));
    char buf[32];
    const char *id = hs_json_idstr(k->body, "id", buf);
    struct hs_record *r;
    struct hs_source src;
    if (t < 0 || !id) {
        bad(k, "give objectType and id");
        return;
    }
    r = obj_lookup(k->p, t, id, NULL, 1);
    if (!r) {
        not_found(k, "no archived record with that id");
        return;
    }
    ui_source(&src, k->body);
    obj_restore(k->p, r, &src);
    record_reply(k, 200, r);
}

/* ---- portal state ---- */

/* A count from 0 to SEED_MAX in key of the body (absent: 0); -1 after answering. */
static int64_t seed_count(struct ctl *k, const char *key, int required)
{
    json_t *n = json_object_get(k->body, key);
    char msg[96];
    if (!n && !required)
        return 0;
    if (json_is_integer(n) && json_integer_value(n) >= 0 && json_integer_value(n) <= SEED_MAX)
        return json_integer_value(n);
    snprintf(msg, sizeof(msg), "%s must be an integer from 0 to %d", key, SEED_MAX);
    bad(k, msg);
    return -1;
}

static void ctl_reset(struct ctl *k)
{
    int64_t n = seed_count(k, "seed", 0);
    if (n < 0)
        return;
    portal_reset(k->p);
    if (n > 0)
        json_decref(seed_run(k->p, n));
    ok(k);
}

static void ctl_seed(struct ctl *k)
{
    int64_t n = seed_count(k, "count", 1);
    if (n >= 0)
        reply(k, 200, seed_run(k->p, n));
}

static void ctl_stats(struct ctl *k)
{
    reply(k, 200, portal_stats_json(k->p));
}

static void ctl_stats_reset(struct ctl *k)
{
    portal_stats_reset(k->p);
    ok(k);
}

static void ctl_faults_get(struct ctl *k)
{
    reply(k, 200, emu_faults_to_json(&k->p->faults));
}

static void ctl_faults_put(struct ctl *k)
{
    struct sync_err e = SYNC_ERR_INIT;
    if (emu_faults_configure(&k->p->faults, k->body, &e))
        bad(k, e.message);
    else
        ctl_faults_get(k);
}

static void ctl_faults_delete(struct ctl *k)
{
    emu_faults_clear(&k->p->faults);
    ctl_faults_get(k);
}

static void ctl_limits_get(struct ctl *k)
{
    reply(k, 200, limits_to_json(&k->p->limits));
}

static void ctl_limits_put(struct ctl *k)
{
    char err[256];
    if (limits_configure(&k->p->limits, k->body, err, sizeof(err))) {
        bad(k, err);
        return;
    }
    persist_mark(k->p);
    ctl_limits_get(k);
}

static void ctl_clock_get(struct ctl *k)
{
    char iso[SYNC_TIME_ISO_MAX];
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    reply(k, 200,
          json_pack("{s:s, s:I, s:b}", "now", iso, "offset_ms", (json_int_t)sync_time_offset_ms(),
                    "frozen", sync_time_frozen()));
}

static void ctl_clock_put(struct ctl *k)
{
    json_t *off = json_object_get(k->body, "offset_ms");
    json_t *adv = json_object_get(k->body, "advance_ms");
    json_t *frz = json_object_get(k->body, "freeze");
    if ((!off && !adv && !frz) || (off && !json_is_integer(off)) ||
        (adv && !json_is_integer(adv)) || (frz && !json_is_boolean(frz))) {
        bad(k, "give offset_ms or advance_ms (integers), or freeze (a boolean)");
        return;
    }
    if (frz)
        sync_time_freeze(json_is_true(frz));
    if (off)
        sync_time_set_offset_ms(json_integer_value(off));
    if (adv)
        sync_time_set_offset_ms(sync_time_offset_ms() + json_integer_value(adv));
    ctl_clock_get(k);
}

static void ctl_settings_get(struct ctl *k)
{
    reply(k, 200, settings_to_json(&k->p->settings));
}

static void ctl_settings_put(struct ctl *k)
{
    char err[256];
    if (settings_configure(&k->p->settings, k->body, err, sizeof(err))) {
        bad(k, err);
        return;
    }
    webhooks_settings_changed(k->p);
    persist_mark(k->p);
    ctl_settings_get(k);
}

/* ---- auth, locks, marketing, owners, webhooks ---- */

static void ctl_tokens_expire(struct ctl *k)
{
    auth_expire(k->p, sync_json_str(k->body, "token"));
    ok(k);
}

/* The optional scopes array of the body; -1 after answering when it is not one. */
static int scopes_of(struct ctl *k, json_t **scopes)
{
    *scopes = json_object_get(k->body, "scopes");
    if (*scopes && !json_is_array(*scopes)) {
        bad(k, "scopes must be an array of strings");
        return -1;
    }
    return 0;
}

static void ctl_token_new(struct ctl *k)
{
    json_t *scopes;
    if (scopes_of(k, &scopes) == 0)
        reply(k, 200, json_pack("{s:s}", "token", auth_new_private_token(k->p, scopes)));
}

static void ctl_code_new(struct ctl *k)
{
    json_t *scopes;
    if (scopes_of(k, &scopes) == 0)
        reply(k, 200,
              json_pack("{s:s}", "code",
                        auth_new_code(k->p, scopes, sync_json_str(k->body, "redirect_uri"))));
}

static void ctl_locks(struct ctl *k)
{
    char err[160];
    if (portal_add_locks(k->p, k->body, err, sizeof(err)))
        bad(k, err);
    else
        reply(k, 200, json_pack("{s:b, s:I}", "ok", 1, "locks", (json_int_t)k->p->nlocks));
}

static void ctl_email_event(struct ctl *k)
{
    char err[256];
    json_t *ev = mkt_add_email_event(k->p, k->body, err, sizeof(err));
    if (ev)
        reply(k, 201, ev);
    else
        bad(k, err);
}

static void ctl_sales_email_event(struct ctl *k)
{
    char err[256];
    json_t *ev = tracking_email_event(k->p, k->body, err, sizeof(err));
    if (ev)
        reply(k, 201, ev);
    else
        bad(k, err);
}

static void ctl_document_view(struct ctl *k)
{
    char err[256];
    json_t *v = tracking_document_view(k->p, k->body, err, sizeof(err));
    if (v)
        reply(k, 201, v);
    else
        bad(k, err);
}

static void ctl_email_campaign(struct ctl *k)
{
    char err[256];
    json_t *cp = mkt_add_campaign(k->p, k->body, err, sizeof(err));
    if (cp)
        reply(k, 201, json_incref(cp));
    else
        bad(k, err);
}

/* POST /__emu/forms/{formId}/submissions */
static void ctl_form_submit(struct ctl *k)
{
    char form[256], err[256];
    size_t n = strcspn(k->rest, "/");
    json_t *out;
    if (n == 0 || n >= sizeof(form) || strcmp(k->rest + n, "/submissions") != 0) {
        not_found(k, "no such control call");
        return;
    }
    memcpy(form, k->rest, n);
    form[n] = '\0';
    out = mkt_submit_form(k->p, form, k->body, err, sizeof(err));
    if (out)
        reply(k, 201, out);
    else
        bad(k, err);
}

static void ctl_deliveries(struct ctl *k)
{
    reply(k, 200, wh_deliveries_json(k->p));
}

static void ctl_owner_add(struct ctl *k)
{
    char err[256];
    json_t *o = owners_add(k->p, k->body, err, sizeof(err));
    if (o)
        reply(k, 201, json_incref(o));
    else
        bad(k, err);
}

/* ---- the table ---- */

struct ctl_route {
    const char *method;
    const char *path; /* ending in '/': a prefix; the rest of the path goes to the handler */
    ctl_fn fn;
};

static const struct ctl_route ctl_routes[] = {
    {"POST", "/__emu/reset", ctl_reset},
    {"POST", "/__emu/seed", ctl_seed},
    {"GET", "/__emu/stats", ctl_stats},
    {"POST", "/__emu/stats/reset", ctl_stats_reset},
    {"GET", "/__emu/faults", ctl_faults_get},
    {"PUT", "/__emu/faults", ctl_faults_put},
    {"DELETE", "/__emu/faults", ctl_faults_delete},
    {"GET", "/__emu/limits", ctl_limits_get},
    {"PUT", "/__emu/limits", ctl_limits_put},
    {"GET", "/__emu/clock", ctl_clock_get},
    {"PUT", "/__emu/clock", ctl_clock_put},
    {"GET", "/__emu/settings", ctl_settings_get},
    {"PUT", "/__emu/settings", ctl_settings_put},
    {"POST", "/__emu/tokens/expire", ctl_tokens_expire},
    {"POST", "/__emu/tokens", ctl_token_new},
    {"POST", "/__emu/oauth/codes", ctl_code_new},
    {"POST", "/__emu/locks", ctl_locks},
    {"POST", "/__emu/email-events", ctl_email_event},
    {"POST", "/__emu/email-campaigns", ctl_email_campaign},
    {"POST", "/__emu/sales-email-events", ctl_sales_email_event},
    {"POST", "/__emu/document-views", ctl_document_view},
    {"GET", "/__emu/webhooks/deliveries", ctl_deliveries},
    {"POST", "/__emu/owners", ctl_owner_add},
    {"POST", "/__emu/restore", ctl_restore},
    {"POST", "/__emu/forms/", ctl_form_submit},
    {"GET", "/__emu/records/", ctl_records_get},
    {"POST", "/__emu/records/", ctl_records_create},
    {"PATCH", "/__emu/records/", ctl_records_update},
};

static const struct ctl_route *ctl_find(const char *method, const char *path, const char **rest)
{
    for (size_t i = 0; i < sizeof(ctl_routes) / sizeof(ctl_routes[0]); i++) {
        const struct ctl_route *r = &ctl_routes[i];
        size_t n = strlen(r->path);
        int prefix = r->path[n - 1] == '/';
        if (strcmp(r->method, method) != 0)
            continue;
        if (prefix ? strncmp(path, r->path, n) == 0 : strcmp(path, r->path) == 0) {
            *rest = path + n;
            return r;
        }
    }
    return NULL;
}

void control_handle(struct hs_portal *p, struct sync_http_request *req,
                    struct sync_http_response *res)
{
    struct ctl k = {p, req, res, NULL, ""};
    const struct ctl_route *r;
    char path[1024];
    size_t n;

    snprintf(path, sizeof(path), "%s", req->path);
    n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    if (req->body.len) {
        struct sync_err err = SYNC_ERR_INIT;
        k.body = sync_json_parse(req->body.data, req->body.len, &err);
        if (!k.body) {
            bad(&k, err.message);
            return;
        }
    }
    if (k.body && !json_is_object(k.body)) {
        json_decref(k.body);
        bad(&k, "the body must be a JSON object");
        return;
    }
    r = ctl_find(req->method, path, &k.rest);
    if (!r) {
        not_found(&k, "no such control call");
    } else {
        pthread_mutex_lock(&p->lock);
        r->fn(&k);
        pthread_mutex_unlock(&p->lock);
    }
    json_decref(k.body);
}
