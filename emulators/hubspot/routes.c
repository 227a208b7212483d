/*
 * routes.c: the one route table of emu-hubspot and the request
 * dispatcher. Every API request goes through routes_handle: control calls
 * (/__emu/...) are handed to control.c untouched; API calls are counted,
 * pass the fault dice, authentication, the rate limits and the scope check,
 * then run their handler under the portal lock. The small request-context
 * helpers every handler uses (hs_reply, hs_fail, query accessors) live here
 * too.
 *
 * Called by libmicrohttpd's connection threads through emu_serve (main.c).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "emulators/hubspot/portal.h"

#define F_WRITE 0x01  /* changes state: subject to dropped-connection faults */
#define F_SEARCH 0x02 /* the search limit instead of the ten-second window; no headers */
#define F_NOAUTH 0x04 /* OAuth endpoints: no token, no rate limit */
#define F_DEVKEY 0x08 /* webhooks management: developer API key */
#define F_FORM 0x10   /* form-encoded body */

struct route {
    const char *method;
    const char *pattern;
    hs_handler_fn fn;
    unsigned flags;
    const char *scope; /* "@r"/"@w": from the object type of parameter 0; NULL: none */
};

static const struct route routes[] = {
    /* CRM objects v3 */
    {"POST", "/crm/v3/objects/{objectType}/search", search_h_search, F_SEARCH, "@r"},
    {"POST", "/crm/v3/objects/{objectType}/batch/read", batch_h_read, 0, "@r"},
    {"POST", "/crm/v3/objects/{objectType}/batch/create", batch_h_create, F_WRITE, "@w"},
    {"POST", "/crm/v3/objects/{objectType}/batch/update", batch_h_update, F_WRITE, "@w"},
    {"POST", "/crm/v3/objects/{objectType}/batch/upsert", batch_h_upsert, F_WRITE, "@w"},
    {"POST", "/crm/v3/objects/{objectType}/batch/archive", batch_h_archive, F_WRITE, "@w"},
    {"POST", "/crm/v3/objects/{objectType}/merge", obj_h_merge, F_WRITE, "@w"},
    {"POST", "/crm/v3/objects/contacts/gdpr-delete", obj_h_gdpr, F_WRITE,
     "crm.objects.contacts.write"},
    {"GET", "/crm/v3/objects/{objectType}", obj_h_list, 0, "@r"},
    {"POST", "/crm/v3/objects/{objectType}", obj_h_create, F_WRITE, "@w"},
    {"GET", "/crm/v3/objects/{objectType}/{objectId}", obj_h_get, 0, "@r"},
    {"PATCH", "/crm/v3/objects/{objectType}/{objectId}", obj_h_update, F_WRITE, "@w"},
    {"DELETE", "/crm/v3/objects/{objectType}/{objectId}", obj_h_archive, F_WRITE, "@w"},
    {"PUT",
     "/crm/v3/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}/"
     "{associationType}",
     assoc_h_v3_put, F_WRITE, "@w"},
    {"DELETE",
     "/crm/v3/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}/"
     "{associationType}",
     assoc_h_v3_delete, F_WRITE, "@w"},
    /* associations v4 */
    {"PUT",
     "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/"
     "{toObjectId}",
     assoc_h_v4_default, F_WRITE, "@w"},
    {"PUT", "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}",
     assoc_h_v4_put, F_WRITE, "@w"},
    {"GET", "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}", assoc_h_v4_list,
     0, "@r"},
    {"DELETE", "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}",
     assoc_h_v4_delete, F_WRITE, "@w"},
    {"POST", "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create",
     assoc_h_v4_batch_create, F_WRITE, "@w"},
    {"POST", "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default",
     assoc_h_v4_batch_default, F_WRITE, "@w"},
    {"POST", "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read",
     assoc_h_v4_batch_read, 0, "@r"},
    {"POST", "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive",
     assoc_h_v4_batch_archive, F_WRITE, "@w"},
    {"POST", "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/labels/archive",
     assoc_h_v4_batch_labels_archive, F_WRITE, "@w"},
    {"GET", "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels", assoc_h_labels, 0, "@r"},
    {"POST", "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels", assoc_h_label_create,
     F_WRITE, "@w"},
    /* pipelines */
    {"GET", "/crm/v3/pipelines/{objectType}", pipe_h_list, 0, "@r"},
    {"POST", "/crm/v3/pipelines/{objectType}", pipe_h_create, F_WRITE, "@w"},
    {"GET", "/crm/v3/pipelines/{objectType}/{pipelineId}", pipe_h_get, 0, "@r"},
    {"PATCH", "/crm/v3/pipelines/{objectType}/{pipelineId}", pipe_h_update, F_WRITE, "@w"},
    {"PUT", "/crm/v3/pipelines/{objectType}/{pipelineId}", pipe_h_update, F_WRITE, "@w"},
    {"DELETE", "/crm/v3/pipelines/{objectType}/{pipelineId}", pipe_h_delete, F_WRITE, "@w"},
    {"GET", "/crm/v3/pipelines/{objectType}/{pipelineId}/stages", pipe_h_stages, 0, "@r"},
    {"POST", "/crm/v3/pipelines/{objectType}/{pipelineId}/stages", pipe_h_stage_create, F_WRITE,
     "@w"},
    {"GET", "/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}", pipe_h_stage_get, 0,
     "@r"},
    {"PATCH", "/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}", pipe_h_stage_update,
     F_WRITE, "@w"},
    {"PUT", "/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}", pipe_h_stage_update,
     F_WRITE, "@w"},
    {"DELETE", "/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}", pipe_h_stage_delete,
     F_WRITE, "@w"},
    /* properties */
    {"POST", "/crm/v3/properties/{objectType}/batch/read", props_h_batch_read, 0, "@r"},
    {"POST", "/crm/v3/properties/{objectType}/batch/create", props_h_batch_create, F_WRITE, "@w"},
    {"POST", "/crm/v3/properties/{objectType}/batch/archive", props_h_batch_archive, F_WRITE, "@w"},
    {"GET", "/crm/v3/properties/{objectType}/groups", props_h_groups, 0, "@r"},
    {"POST", "/crm/v3/properties/{objectType}/groups", props_h_group_create, F_WRITE, "@w"},
    {"GET", "/crm/v3/properties/{objectType}/groups/{groupName}", props_h_group_get, 0, "@r"},
    {"PATCH", "/crm/v3/properties/{objectType}/groups/{groupName}", props_h_group_update, F_WRITE,
     "@w"},
    {"DELETE", "/crm/v3/properties/{objectType}/groups/{groupName}", props_h_group_archive, F_WRITE,
     "@w"},
    {"GET", "/crm/v3/properties/{objectType}", props_h_list, 0, "@r"},
    {"POST", "/crm/v3/properties/{objectType}", props_h_create, F_WRITE, "@w"},
    {"GET", "/crm/v3/properties/{objectType}/{propertyName}", props_h_get, 0, "@r"},
    {"PATCH", "/crm/v3/properties/{objectType}/{propertyName}", props_h_update, F_WRITE, "@w"},
    {"DELETE", "/crm/v3/properties/{objectType}/{propertyName}", props_h_archive, F_WRITE, "@w"},
    /* owners */
    {"GET", "/crm/v3/owners", owners_h_list, 0, "crm.objects.owners.read"},
    {"GET", "/crm/v3/owners/{ownerId}", owners_h_get, 0, "crm.objects.owners.read"},
    /* lists */
    {"POST", "/crm/v3/lists/search", lists_h_search, 0, "crm.lists.read"},
    {"GET", "/crm/v3/lists/records/{objectTypeId}/{recordId}/memberships",
     lists_h_record_memberships, 0, "crm.lists.read"},
    {"GET", "/crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}", lists_h_by_name, 0,
     "crm.lists.read"},
    {"POST", "/crm/v3/lists", lists_h_create, F_WRITE, "crm.lists.write"},
    {"GET", "/crm/v3/lists", lists_h_get_many, 0, "crm.lists.read"},
    {"GET", "/crm/v3/lists/{listId}", lists_h_get, 0, "crm.lists.read"},
    {"DELETE", "/crm/v3/lists/{listId}", lists_h_delete, F_WRITE, "crm.lists.write"},
    {"PUT", "/crm/v3/lists/{listId}/restore", lists_h_restore, F_WRITE, "crm.lists.write"},
    {"PUT", "/crm/v3/lists/{listId}/update-list-name", lists_h_update_name, F_WRITE,
     "crm.lists.write"},
    {"GET", "/crm/v3/lists/{listId}/memberships", lists_h_members, 0, "crm.lists.read"},
    {"PUT", "/crm/v3/lists/{listId}/memberships/add", lists_h_members_add, F_WRITE,
     "crm.lists.write"},
    {"PUT", "/crm/v3/lists/{listId}/memberships/remove", lists_h_members_remove, F_WRITE,
     "crm.lists.write"},
    {"PUT", "/crm/v3/lists/{listId}/memberships/add-and-remove", lists_h_members_add_remove,
     F_WRITE, "crm.lists.write"},
    {"DELETE", "/crm/v3/lists/{listId}/memberships", lists_h_members_clear, F_WRITE,
     "crm.lists.write"},
    /* marketing: forms, submissions, email events */
    {"GET", "/marketing/v3/forms", mkt_h_forms_list, 0, "forms"},
    {"POST", "/marketing/v3/forms", mkt_h_form_create, F_WRITE, "forms"},
    {"GET", "/marketing/v3/forms/{formId}", mkt_h_form_get, 0, "forms"},
    {"PUT", "/marketing/v3/forms/{formId}", mkt_h_form_update, F_WRITE, "forms"},
    {"PATCH", "/marketing/v3/forms/{formId}", mkt_h_form_update, F_WRITE, "forms"},
    {"DELETE", "/marketing/v3/forms/{formId}", mkt_h_form_delete, F_WRITE, "forms"},
    {"GET", "/form-integrations/v1/submissions/forms/{formId}", mkt_h_submissions, 0, "forms"},
    {"GET", "/email/public/v1/events", mkt_h_email_events, 0, "content"},
    {"GET", "/email/public/v1/events/{created}/{eventId}", mkt_h_email_event_get, 0, "content"},
    {"GET", "/email/public/v1/campaigns", mkt_h_campaigns, 0, "content"},
    {"GET", "/email/public/v1/campaigns/by-id", mkt_h_campaigns_by_id, 0, "content"},
    {"GET", "/email/public/v1/campaigns/{campaignId}", mkt_h_campaign_get, 0, "content"},
    /* OAuth */
    {"POST", "/oauth/v1/token", auth_h_token, F_NOAUTH | F_FORM, NULL},
    {"GET", "/oauth/v1/access-tokens/{token}", auth_h_access_info, F_NOAUTH, NULL},
    {"GET", "/oauth/v1/refresh-tokens/{token}", auth_h_refresh_info, F_NOAUTH, NULL},
    {"DELETE", "/oauth/v1/refresh-tokens/{token}", auth_h_refresh_revoke, F_NOAUTH, NULL},
    {"GET", "/oauth/authorize", auth_h_authorize, F_NOAUTH, NULL},
    /* webhooks management */
    {"GET", "/webhooks/v3/{appId}/settings", wh_h_settings_get, F_DEVKEY, NULL},
    {"PUT", "/webhooks/v3/{appId}/settings", wh_h_settings_put, F_DEVKEY, NULL},
    {"DELETE", "/webhooks/v3/{appId}/settings", wh_h_settings_delete, F_DEVKEY, NULL},
    {"POST", "/webhooks/v3/{appId}/subscriptions/batch/update", wh_h_subs_batch_update, F_DEVKEY,
     NULL},
    {"GET", "/webhooks/v3/{appId}/subscriptions", wh_h_subs_list, F_DEVKEY, NULL},
    {"POST", "/webhooks/v3/{appId}/subscriptions", wh_h_sub_create, F_DEVKEY, NULL},
    {"GET", "/webhooks/v3/{appId}/subscriptions/{subscriptionId}", wh_h_sub_get, F_DEVKEY, NULL},
    {"PATCH", "/webhooks/v3/{appId}/subscriptions/{subscriptionId}", wh_h_sub_update, F_DEVKEY,
     NULL},
    {"DELETE", "/webhooks/v3/{appId}/subscriptions/{subscriptionId}", wh_h_sub_delete, F_DEVKEY,
     NULL},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Matches path against pattern; fills params (copied into pbuf). */
static int match(const char *pattern, const char *path, struct hs_ctx *c)
{
    const char *p = pattern, *q = path;
    size_t np = 0;
    while (*p && *q) {
        const char *pe, *qe;
        if (*p != '/' || *q != '/')
            return 0;
        p++;
        q++;
        pe = strchr(p, '/');
        qe = strchr(q, '/');
        if (!pe)
            pe = p + strlen(p);
        if (!qe)
            qe = q + strlen(q);
        if (*p == '{') {
            size_t n = (size_t)(qe - q);
            if (n == 0 || np >= HS_MAX_PARAMS)
                return 0;
            if (n >= HS_PARAM_MAX)
                return 0;
            memcpy(c->pbuf[np], q, n);
            c->pbuf[np][n] = '\0';
            c->params[np] = c->pbuf[np];
            np++;
        } else if ((size_t)(pe - p) != (size_t)(qe - q) || strncmp(p, q, (size_t)(pe - p)) != 0) {
            return 0;
        }
        p = pe;
        q = qe;
    }
    if (*p || *q)
        return 0;
    c->nparams = np;
    return 1;
}

static const struct route *find_route(const char *method, const char *path, struct hs_ctx *c)
{
    for (size_t i = 0; i < NROUTES; i++)
        if (strcmp(routes[i].method, method) == 0 && match(routes[i].pattern, path, c))
            return &routes[i];
    return NULL;
}

/* ---- context helpers ---- */

void hs_reply(struct hs_ctx *c, int status, json_t *body)
{
    json_decref(c->out);
    sync_buf_release(&c->text);
    c->has_text = 0;
    c->status = status;
    c->out = body;
}

void hs_reply_text(struct hs_ctx *c, int status, struct sync_buf *text)
{
    hs_reply(c, status, NULL);
    c->text = *text;
    c->has_text = 1;
    sync_buf_init(text, text->cap);
}

void hs_fail(struct hs_ctx *c, int status, const char *category, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    hs_reply(c, status, hs_error_body(category, NULL, NULL, NULL, "%s", msg));
}

void hs_not_found(struct hs_ctx *c)
{
    hs_fail(c, 404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.");
}

const char *hs_query(struct hs_ctx *c, const char *name)
{
    return sync_http_request_query(c->req, name);
}

int hs_query_bool(struct hs_ctx *c, const char *name, int def)
{
    const char *v = hs_query(c, name);
    if (!v || !*v)
        return def;
    return strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

int hs_query_int(struct hs_ctx *c, const char *name, int64_t def, int64_t min, int64_t max,
                 int64_t *out)
{
    const char *v = hs_query(c, name);
    char *end;
    long long n;
    *out = def;
    if (!v || !*v)
        return 0;
    n = strtoll(v, &end, 10);
    if (*end) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid value for %s: %s", name, v);
        return -1;
    }
    if (n < min || n > max) {
        hs_fail(c, 400, "VALIDATION_ERROR", "%s must be between %lld and %lld", name,
                (long long)min, (long long)max);
        return -1;
    }
    *out = n;
    return 0;
}

json_t *hs_inputs(struct hs_ctx *c, size_t max)
{
    json_t *in = json_object_get(c->body, "inputs");
    if (!json_is_array(in)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: inputs must be an array");
        return NULL;
    }
    if (json_array_size(in) > max) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "Batch input limit exceeded: %zu inputs were given, at most %zu are allowed",
                json_array_size(in), max);
        return NULL;
    }
    return in;
}

int hs_query_after(struct hs_ctx *c, int64_t *after)
{
    const char *a = hs_query(c, "after");
    char *end;
    *after = 0;
    if (!a || !*a)
        return 0;
    *after = strtoll(a, &end, 10);
    if (*end || *after < 0) {
        *after = 0;
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid paging cursor: %s", a);
        return -1;
    }
    return 0;
}

json_t *hs_paging(int64_t next, const char *link)
{
    char after[32];
    snprintf(after, sizeof(after), "%lld", (long long)next);
    return json_pack("{s:{s:s, s:s}}", "next", "after", after, "link", link ? link : "");
}

int hs_param_type(struct hs_ctx *c, size_t i)
{
    int t = i < c->nparams ? hs_type_parse(c->params[i]) : -1;
    if (t < 0)
        hs_fail(c, 400, "VALIDATION_ERROR", "Unable to infer object type from: %s",
                i < c->nparams ? c->params[i] : "");
    return t;
}

/* ---- the dispatcher ---- */

static json_t *fault_body(int status)
{
    switch (status) {
    case 429:
        return limits_429_body("TEN_SECONDLY_ROLLING");
    case 423:
        return hs_error_body("LOCKED", NULL, NULL, NULL, "%s", HS_LOCKED_MSG);
    case 477:
        return hs_error_body("MIGRATION_IN_PROGRESS", NULL, NULL, NULL,
                             "This account is being migrated to another data centre.");
    case 502:
    case 504:
        return hs_error_body("TIMEOUT", NULL, NULL, NULL,
                             "The request timed out inside HubSpot's processing limits.");
    case 503:
        return hs_error_body("SERVICE_UNAVAILABLE", NULL, NULL, NULL,
                             "The service is temporarily unavailable.");
    default:
        if (status >= 500)
            return hs_error_body("INTERNAL_ERROR", NULL, NULL, NULL, "internal error");
        return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL, "injected error %d", status);
    }
}

static int scope_check(struct hs_ctx *c, const struct route *rt)
{
    char scope[160];
    int t;
    if (!rt->scope)
        return 0;
    if (rt->scope[0] != '@')
        return auth_require(c, rt->scope);
    t = c->nparams ? hs_type_parse(c->params[0]) : -1;
    if (t < 0) {
        hs_param_type(c, 0);
        return -1;
    }
    if (strcmp(hs_types[t].scope, "tickets") == 0)
        snprintf(scope, sizeof(scope), "tickets|crm.objects.tickets.%s",
                 rt->scope[1] == 'r' ? "read" : "write");
    else
        snprintf(scope, sizeof(scope), "%s.%s", hs_types[t].scope,
                 rt->scope[1] == 'r' ? "read" : "write");
    return auth_require(c, scope);
}

static void finish(struct hs_ctx *c)
{
    if (c->status == 0)
        c->status = 500;
    if (c->has_text) {
        sync_buf_release(&c->res->body);
        c->res->body = c->text;
        c->res->status = c->status;
        c->res->content_type = NULL;
        sync_buf_init(&c->text, 0);
        c->has_text = 0;
        return;
    }
    sync_http_response_json(c->res, c->status, c->out);
    c->out = NULL;
}

/* Answers with the injected error status and the vendor's body for it. */
static void fail_injected(struct hs_ctx *c)
{
    int status;
    int64_t retry_after;
    char ra[24];
    pthread_mutex_lock(&c->p->faults.lock);
    status = c->p->faults.error_status;
    retry_after = c->p->faults.retry_after_s;
    pthread_mutex_unlock(&c->p->faults.lock);
    if (retry_after == 0 && status == 477)
        retry_after = 2; /* HubSpot always sends one with a 477 */
    if (retry_after > 0) {
        snprintf(ra, sizeof(ra), "%lld", (long long)retry_after);
        sync_http_response_header(c->res, "Retry-After", ra);
    }
    hs_reply(c, status, fault_body(status));
}

/* Parses a JSON body into c->body; -1 after failing c. */
static int parse_body(struct hs_ctx *c, const struct route *rt)
{
    struct sync_err err = SYNC_ERR_INIT;
    if (!c->req->body.len || (rt->flags & F_FORM))
        return 0;
    c->body = sync_json_parse(c->req->body.data, c->req->body.len, &err);
    if (c->body)
        return 0;
    hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON on %s", err.message);
    return -1;
}

/* Authentication, the rate limits, the scope, then the handler: all under the portal lock. */
static void run(struct hs_ctx *c, const struct route *rt)
{
    pthread_mutex_lock(&c->p->lock);
    if ((rt->flags & F_NOAUTH) || auth_check(c, (rt->flags & F_DEVKEY) != 0) == 0) {
        int admitted = (rt->flags & (F_NOAUTH | F_DEVKEY)) ||
                       limits_admit(c, (rt->flags & F_SEARCH) != 0) == 0;
        if (admitted && scope_check(c, rt) == 0)
            rt->fn(c);
    }
    pthread_mutex_unlock(&c->p->lock);
}

/* The method as counted: a client may send any token, and the stats must stay bounded. */
static const char *known_method(const char *m)
{
    static const char *const known[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(m, known[i]) == 0)
            return known[i];
    return "OTHER";
}

static void count_call(struct hs_portal *p, const char *method, const char *tmpl)
{
    pthread_mutex_lock(&p->lock);
    portal_count_call(p, method, tmpl);
    pthread_mutex_unlock(&p->lock);
}

/* An API call on a route: counted, then faulted, or parsed and run. */
static void serve(struct hs_ctx *c, const struct route *rt, const char *path)
{
    enum emu_fault fault;
    count_call(c->p, c->req->method, rt->pattern);
    fault = emu_faults_decide(&c->p->faults, path, (rt->flags & F_WRITE) != 0);
    if (fault == EMU_FAULT_DROP_BEFORE) {
        c->res->drop = 1;
        return;
    }
    if (fault == EMU_FAULT_ERROR)
        fail_injected(c);
    else if (parse_body(c, rt) == 0)
        run(c, rt);
    if (fault == EMU_FAULT_DROP_AFTER)
        c->res->drop = 1;
    finish(c);
}

void routes_handle(void *ctx, struct sync_http_request *req, struct sync_http_response *res)
{
    struct hs_portal *p = ctx;
    struct hs_ctx *c;
    const struct route *rt;
    char path[2048];
    size_t n = strlen(req->path);

    if (n >= sizeof(path)) {
        sync_http_response_text(res, 414, "text/plain", "URI Too Long\n");
        return;
    }
    memcpy(path, req->path, n + 1);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    if (strncmp(path, "/__emu/", 7) == 0 || strcmp(path, "/__emu") == 0) {
        control_handle(p, req, res);
        return;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        sync_http_response_text(res, 500, "text/plain", "out of memory\n");
        return;
    }
    c->p = p;
    c->req = req;
    c->res = res;
    rt = find_route(req->method, path, c);
    if (rt) {
        serve(c, rt, path);
    } else {
        count_call(p, known_method(req->method), "(unknown)");
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "No route for %s %s", req->method, path);
        finish(c);
    }
    json_decref(c->body);
    sync_buf_release(&c->text);
    json_decref(c->out);
    free(c);
}
