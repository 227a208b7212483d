/*
 * router.c: the admin API's one route table, the token check, path
 * parameters, and the answers every handler shares (JSON, errors in the
 * {"error": {"code", "message"}} shape, text). Called by admin.c for every
 * request; handlers live in api_<area>.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "admin/admin_int.h"
#include "core/crypto.h"

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/settings/{name}": a {param} matches one segment */
    admin_handler_fn fn;
    /* the handler calls a vendor (a login check, an import's count): it gets a store handle
     * of its own instead of the shared one, so other requests are not held behind the call */
    int own_store;
};

static const struct route routes[] = {
    {"GET", "/api/v1/status", api_status, 0},
    {"GET", "/api/v1/settings", api_settings_list, 0},
    {"PATCH", "/api/v1/settings", api_settings_patch, 0},
    {"GET", "/api/v1/settings/{name}", api_settings_get, 0},
    {"PUT", "/api/v1/settings/{name}", api_settings_put, 0},
    {"DELETE", "/api/v1/settings/{name}", api_settings_reset, 0},
    {"GET", "/api/v1/config", api_config_get, 0},
    {"POST", "/api/v1/config/import", api_config_import, 1},
    {"GET", "/api/v1/budget", api_budget, 0},
    {"POST", "/api/v1/suspensions/clear", api_suspensions_clear, 0},
    {"GET", "/api/v1/mappings", api_mappings_list, 0},
    {"POST", "/api/v1/mappings", api_mapping_add, 1},
    {"PATCH", "/api/v1/mappings/{kind}/{hubspot}", api_mapping_patch, 1},
    {"DELETE", "/api/v1/mappings/{kind}/{hubspot}", api_mapping_delete, 0},
    {"PUT", "/api/v1/mappings/{kind}/{hubspot}", api_mapping_rule_put, 0},
    {"PUT", "/api/v1/mappings/{kind}/{hubspot}/rule", api_mapping_rule_put, 0},
    {"DELETE", "/api/v1/mappings/{kind}/{hubspot}/rule", api_mapping_rule_reset, 0},
    {"GET", "/api/v1/health", api_health, 0},
    {"GET", "/api/v1/errors", api_errors, 0},
    {"GET", "/api/v1/errors.csv", api_errors_csv, 0},
    {"GET", "/api/v1/records/{system}/{object}/{id}", api_record_card, 0},
    {"POST", "/api/v1/resync", api_resync, 0},
    {"GET", "/api/v1/imports", api_imports_list, 0},
    {"POST", "/api/v1/imports", api_import_start, 1},
    {"GET", "/api/v1/imports/{id}", api_import_get, 0},
    {"POST", "/api/v1/imports/{id}/cancel", api_import_cancel, 0},
    {"POST", "/api/v1/imports/{id}/resume", api_import_resume, 0},
    {"GET", "/api/v1/credentials", api_credentials, 0},
    {"GET", "/api/v1/credentials/{vendor}", api_credentials_get, 0},
    {"PUT", "/api/v1/credentials/{vendor}", api_credentials_put, 1},
    {"DELETE", "/api/v1/credentials/{vendor}", api_credentials_delete, 0},
    {"GET", "/api/v1/tickets", api_tickets_get, 1},
    {"GET", "/api/v1/tickets/preview", api_tickets_preview, 1},
    {"PATCH", "/api/v1/tickets/pipelines", api_tickets_pipelines_patch, 1},
    {"POST", "/api/v1/tickets/start", api_tickets_start, 1},
    {"POST", "/api/v1/tickets/stop", api_tickets_stop, 0},
    {"DELETE", "/api/v1/tickets", api_tickets_remove, 1},
    {"GET", "/metrics", api_metrics, 0},
};

/* ---- answers ---- */

void admin_reply_json(struct admin_req *r, int status, json_t *v)
{
    sync_http_response_json(r->res, status, v);
}

void admin_reply_error(struct admin_req *r, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    admin_reply_json(r, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

void admin_reply_text(struct admin_req *r, int status, const char *content_type, const char *text)
{
    sync_http_response_text(r->res, status, content_type, text);
}

void admin_reply_err(struct admin_req *r, const struct sync_err *err)
{
    switch (err->rc) {
    case SYNC_ERR_NOT_FOUND:
        admin_reply_error(r, 404, "not_found", "%s", err->message);
        break;
    case SYNC_ERR_INVALID:
    case SYNC_ERR_PARSE:
    case SYNC_ERR_TOO_LARGE:
        admin_reply_error(r, 400, "bad_request", "%s", err->message);
        break;
    case SYNC_ERR_HTTP:
    case SYNC_ERR_VENDOR:
        /* a vendor call the request needed failed (a suspension, an outage) */
        admin_reply_error(r, 502, "bad_gateway", "%s", err->message);
        break;
    default:
        admin_reply_error(r, 500, "internal", "%s", err->message);
        break;
    }
}

void admin_wake(struct admin_req *r)
{
    if (r->hooks && r->hooks->wake)
        r->hooks->wake(r->hooks->ctx);
}

const char *admin_param(const struct admin_req *r, const char *name)
{
    for (size_t i = 0; i < r->nparams; i++)
        if (strcmp(r->params[i].name, name) == 0)
            return r->params[i].value;
    return NULL;
}

const char *admin_query(const struct admin_req *r, const char *name)
{
    return sync_http_request_query(r->http, name);
}

/* ---- routing ---- */

/* Whether path matches pattern; fills r's params when it does. */
static int match(const char *pattern, const char *path, struct admin_req *r)
{
    r->nparams = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            size_t n = strcspn(path, "/");
            if (!close || r->nparams == ADMIN_MAX_PARAMS || n == 0 ||
                n >= sizeof(r->params[0].value))
                return 0;
            snprintf(r->params[r->nparams].name, sizeof(r->params[0].name), "%.*s",
                     (int)(close - pattern - 1), pattern + 1);
            snprintf(r->params[r->nparams].value, sizeof(r->params[0].value), "%.*s", (int)n, path);
            r->nparams++;
            pattern = close + 1;
            path += n;
            continue;
        }
        if (*pattern++ != *path++)
            return 0;
    }
    return *pattern == '\0' && *path == '\0';
}

static int authorized(const struct admin_req *r)
{
    const char *h = sync_http_request_header(r->http, "Authorization");
    return h && strncasecmp(h, "Bearer ", 7) == 0 && sync_secure_streq(h + 7, r->cfg->admin.token);
}

void admin_route(struct admin_req *r)
{
    const struct route *found = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    int path_known = 0;

    if (!authorized(r)) {
        sync_http_response_header(r->res, "WWW-Authenticate", "Bearer");
        admin_reply_error(r, 401, "unauthorized",
                          "an admin token is required: Authorization: Bearer <admin.token>");
        return;
    }
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!match(routes[i].pattern, r->http->path, r))
            continue;
        path_known = 1;
        if (strcmp(routes[i].method, r->http->method) == 0) {
            found = &routes[i];
            break;
        }
    }
    if (!found && path_known) {
        admin_reply_error(r, 405, "method_not_allowed", "%s is not allowed on %s", r->http->method,
                          r->http->path);
        return;
    }
    if (!found) {
        admin_reply_error(r, 404, "not_found", "no such route: %s %s", r->http->method,
                          r->http->path);
        return;
    }
    if (r->http->body.len && !r->body) {
        admin_reply_error(r, 400, "bad_request", "the request body is not JSON");
        return;
    }
    match(found->pattern, r->http->path, r); /* the params of the route chosen */
    if (admin_store_take(r, found->own_store, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    found->fn(r);
    admin_store_give(r);
}
