/*
 * admin.c: the admin API's lifetime: the listener, the store handle the
 * requests share (one request holds it at a time, under a mutex), and the
 * per-request struct admin_req handed to the router. Called by cmd_run.c
 * through admin.h.
 */
#include "admin/admin.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "core/json.h"
#include "core/log.h"
#include "store/store.h"

struct sync_admin {
    const struct sync_config *cfg;
    struct sync_admin_hooks hooks;
    struct sync_http_server *srv;
    pthread_mutex_t lock; /* held by the request using st (admin_store_take) */
    struct sync_store *st;
};

static void on_request(void *ctx, struct sync_http_request *req, struct sync_http_response *res)
{
    struct sync_admin *a = ctx;
    struct admin_req r;
    struct sync_err perr = SYNC_ERR_INIT;

    memset(&r, 0, sizeof(r));
    r.http = req;
    r.res = res;
    r.cfg = a->cfg;
    r.hooks = &a->hooks;
    r.admin = a;
    if (req->body.len)
        r.body = sync_json_parse(sync_buf_str(&req->body), req->body.len, &perr);
    admin_route(&r);
    json_decref(r.body);
}

enum sync_rc admin_store_take(struct admin_req *r, int own, struct sync_err *err)
{
    if (own) {
        r->own_st = 1;
        return sync_store_open(&r->st, r->cfg->store, err);
    }
    pthread_mutex_lock(&r->admin->lock);
    r->st = r->admin->st;
    return SYNC_OK;
}

void admin_store_give(struct admin_req *r)
{
    if (r->own_st)
        sync_store_close(r->st);
    else
        pthread_mutex_unlock(&r->admin->lock);
    r->st = NULL;
    r->own_st = 0;
}

enum sync_rc sync_admin_start(struct sync_admin **out, const struct sync_config *cfg,
                              const struct sync_admin_hooks *hooks, struct sync_err *err)
{
    struct sync_admin *a;
    struct sync_http_server_opts opts = {1024 * 1024, 64};
    enum sync_rc rc;

    *out = NULL;
    if (!cfg->admin.token || !cfg->admin.token[0])
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "admin API: admin.token is not set (the API never runs unprotected)");
    if (!(a = calloc(1, sizeof(*a))))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    a->cfg = cfg;
    if (hooks)
        a->hooks = *hooks;
    pthread_mutex_init(&a->lock, NULL);
    if ((rc = sync_store_open(&a->st, cfg->store, err)) ||
        (rc = sync_http_server_start(&a->srv, cfg->admin.listen, on_request, a, &opts, err))) {
        sync_admin_stop(a);
        return rc;
    }
    sync_info("admin", "admin API listening on http://%s:%u", sync_http_server_host(a->srv),
              sync_http_server_port(a->srv));
    *out = a;
    return SYNC_OK;
}

unsigned sync_admin_port(const struct sync_admin *a)
{
    return a && a->srv ? sync_http_server_port(a->srv) : 0;
}

void sync_admin_stop(struct sync_admin *a)
{
    if (!a)
        return;
    sync_http_server_stop(a->srv);
    admin_imports_stop();
    sync_store_close(a->st);
    pthread_mutex_destroy(&a->lock);
    free(a);
}
