/*
 * api_import.c: imports (backfill) over the admin API (engine/import.h):
 * start one (checked with the vendor first; the reading then runs on a
 * thread of the admin's, with a store handle of that thread), list them,
 * show one's progress (done/total, rate, time left), cancel one. At most
 * ADMIN_IMPORTS_MAX run at once; stopping the admin API stops them after
 * their page in flight (they stay resumable). Called by router.c and, for
 * the threads' lifetime, by admin.c.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "core/json.h"
#include "core/log.h"
#include "engine/import.h"
#include "store/store.h"

struct worker {
    pthread_t thread;
    int used;        /* the slot holds a thread (joined at stop or when reused) */
    atomic_int done; /* the thread has finished */
    const struct sync_config *cfg;
    int64_t id;
    atomic_int *stopping; /* the admin API is stopping: end after the page in flight */
};

static pthread_mutex_t workers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct worker workers[ADMIN_IMPORTS_MAX];
static atomic_int stopping;

static int on_progress(void *ctx, const json_t *progress)
{
    struct worker *w = ctx;
    (void)progress;
    return atomic_load(w->stopping);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;

    if (sync_store_open(&st, w->cfg->store, &err) ||
        sync_import_run(w->cfg, st, w->id, 0, on_progress, w, &err))
        sync_warn("admin", "import %lld stopped: %s", (long long)w->id, err.message);
    else
        sync_info("admin", "import %lld finished", (long long)w->id);
    sync_store_close(st);
    atomic_store(&w->done, 1);
    return NULL;
}

/* Starts job id on a free slot; -1 when every slot is busy. */
static int worker_start(const struct sync_config *cfg, int64_t id)
{
    int rc = -1;

    pthread_mutex_lock(&workers_lock);
    for (int i = 0; rc < 0 && i < ADMIN_IMPORTS_MAX; i++) {
        struct worker *w = &workers[i];
        if (w->used && !atomic_load(&w->done))
            continue;
        if (w->used)
            pthread_join(w->thread, NULL);
        memset(w, 0, sizeof(*w));
        w->cfg = cfg;
        w->id = id;
        w->stopping = &stopping;
        if (pthread_create(&w->thread, NULL, worker_main, w) == 0) {
            w->used = 1;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&workers_lock);
    return rc;
}

void admin_imports_stop(void)
{
    atomic_store(&stopping, 1);
    pthread_mutex_lock(&workers_lock);
    for (int i = 0; i < ADMIN_IMPORTS_MAX; i++)
        if (workers[i].used) {
            pthread_join(workers[i].thread, NULL);
            workers[i].used = 0;
        }
    pthread_mutex_unlock(&workers_lock);
    atomic_store(&stopping, 0);
}

static int job_id(struct admin_req *r, int64_t *id)
{
    const char *s = admin_param(r, "id");
    char *end;

    *id = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || *id <= 0) {
        admin_reply_error(r, 404, "not_found", "no import %s", s ? s : "");
        return -1;
    }
    return 0;
}

static void reply_job(struct admin_req *r, int status, int64_t id)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;

    if (sync_import_get(r->st, id, &out, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, status, out);
}

void api_imports_list(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;

    if (sync_import_list(r->st, &out, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_json(r, 200, json_pack("{s:o}", "imports", out));
}

void api_import_get(struct admin_req *r)
{
    int64_t id;
    if (job_id(r, &id) == 0)
        reply_job(r, 200, id);
}

void api_import_start(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_import_spec spec;
    int64_t id = 0;

    memset(&spec, 0, sizeof(spec));
    spec.system = sync_json_str(r->body, "system");
    spec.object = sync_json_str(r->body, "object");
    spec.where = sync_json_str(r->body, "where");
    spec.list_id = sync_json_str(r->body, "list_id");
    if (!spec.system) {
        admin_reply_error(r, 400, "bad_request",
                          "the body must be {\"system\": \"salesforce\", \"object\": \"Lead\", "
                          "\"where\"?: \"SOQL condition\"} or {\"system\": \"hubspot\", "
                          "\"list_id\": \"...\"}");
        return;
    }
    if (sync_import_create(r->cfg, r->st, &spec, &id, &err)) {
        if (err.rc == SYNC_ERR_NOT_FOUND || err.rc == SYNC_ERR_INVALID || err.http_status == 400 ||
            err.http_status == 404)
            admin_reply_error(r, 400, "bad_request", "%s", err.message);
        else
            admin_reply_err(r, &err);
        return;
    }
    if (worker_start(r->cfg, id)) {
        admin_reply_error(r, 409, "conflict",
                          "import %lld was stored, but %d imports are running already: resume "
                          "it later (crmsync import resume %lld)",
                          (long long)id, ADMIN_IMPORTS_MAX, (long long)id);
        return;
    }
    admin_wake(r);
    reply_job(r, 202, id);
}

void api_import_cancel(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    int64_t id;

    if (job_id(r, &id))
        return;
    if (sync_import_cancel(r->st, id, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    reply_job(r, 200, id);
}
