/*
 * admin_int.h: what the admin API's route handlers share (src/admin only).
 *
 * One request, one struct admin_req: the route's path parameters, the
 * query, the parsed JSON body, the admin's store handle (held for the
 * request) and the configuration. A handler answers through the reply
 * helpers; an error answer is {"error": {"code", "message"}} with the
 * HTTP status (docs/ADMIN-API.md).
 */
#ifndef SYNC_ADMIN_ADMIN_INT_H
#define SYNC_ADMIN_ADMIN_INT_H

#include <jansson.h>

#include "admin/admin.h"
#include "core/http_server.h"

#define ADMIN_MAX_PARAMS 4

struct sync_store;

struct admin_req {
    struct sync_http_request *http;
    struct sync_http_response *res;
    struct sync_store *st;
    const struct sync_config *cfg;
    const struct sync_admin_hooks *hooks;
    size_t nparams;
    struct {
        char name[32];
        char value[256];
    } params[ADMIN_MAX_PARAMS];
    json_t *body; /* the request body when it is JSON; NULL otherwise */
    struct sync_admin *admin;
    int own_st; /* st was opened for this request alone */
};

typedef void (*admin_handler_fn)(struct admin_req *r);

/* The path parameter {name}; NULL when the route has none by that name. */
const char *admin_param(const struct admin_req *r, const char *name);
/* The query parameter; NULL when absent. */
const char *admin_query(const struct admin_req *r, const char *name);

/* Answers: JSON (steals v), an error, text. */
void admin_reply_json(struct admin_req *r, int status, json_t *v);
void admin_reply_error(struct admin_req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void admin_reply_text(struct admin_req *r, int status, const char *content_type, const char *text);
/* An engine error as an answer: NOT_FOUND 404, INVALID/PARSE 400, others 500. */
void admin_reply_err(struct admin_req *r, const struct sync_err *err);
/* Asks the run loop for a pass now (after a change the engine should see). */
void admin_wake(struct admin_req *r);

/* The router (router.c): answers one request (auth, route, method, body). */
void admin_route(struct admin_req *r);
/* The request's store (admin.c): the API's shared handle, held under its lock for the request,
 * or (own) a handle opened for the request alone; given back when the handler returns. */
enum sync_rc admin_store_take(struct admin_req *r, int own, struct sync_err *err);
void admin_store_give(struct admin_req *r);

/* Handlers, one file per area. */
void api_status(struct admin_req *r);
void api_settings_list(struct admin_req *r);
void api_settings_get(struct admin_req *r);
void api_settings_put(struct admin_req *r);
void api_settings_patch(struct admin_req *r);
void api_settings_reset(struct admin_req *r);
void api_config_get(struct admin_req *r);
void api_config_import(struct admin_req *r);
void api_metrics(struct admin_req *r);
void api_budget(struct admin_req *r);
void api_mappings_list(struct admin_req *r);
void api_mapping_add(struct admin_req *r);
void api_mapping_patch(struct admin_req *r);
void api_mapping_delete(struct admin_req *r);
void api_mapping_rule_put(struct admin_req *r);
void api_mapping_rule_reset(struct admin_req *r);
void api_health(struct admin_req *r);
void api_errors(struct admin_req *r);
void api_errors_csv(struct admin_req *r);
void api_record_card(struct admin_req *r);
void api_resync(struct admin_req *r);
void api_imports_list(struct admin_req *r);
void api_tickets_get(struct admin_req *r);
void api_tickets_preview(struct admin_req *r);
void api_tickets_pipelines_patch(struct admin_req *r);
void api_tickets_start(struct admin_req *r);
void api_tickets_stop(struct admin_req *r);
void api_tickets_remove(struct admin_req *r);
void api_import_start(struct admin_req *r);
void api_import_get(struct admin_req *r);
void api_import_cancel(struct admin_req *r);
void api_import_resume(struct admin_req *r);

/* Imports running on the admin's threads (api_import.c): at most this many at once; stopped
 * (after their page in flight, resumable) when the admin API stops. */
#define ADMIN_IMPORTS_MAX 4
void admin_imports_stop(void);
void api_suspensions_clear(struct admin_req *r);
void api_credentials(struct admin_req *r);
void api_credentials_get(struct admin_req *r);
void api_credentials_put(struct admin_req *r);
void api_credentials_delete(struct admin_req *r);

#endif
