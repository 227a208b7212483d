/*
 * api_import.c: imports (backfill) over the admin API (engine/import.h):
 * start one (checked with the vendor first; the reading then runs on a
 * thread of the admin's, with a store handle of that thread), list them,
 * show one's progress (done/total, rate, time left), cancel one, resume
 * one that stopped (failed, or left running by a process or an admin API
 * that stopped). At most ADMIN_IMPORTS_MAX run at once: a start or a
 * resume takes a free slot first, and with none answers 409 having
 * stored nothing. Stopping the admin API stops them after their page in
 * flight (they stay running, resumable by the API or `crmsync import
 * resume`). Called by router.c and, for the threads' lifetime, by
 * admin.c.
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

enum slot { SLOT_FREE, SLOT_TAKEN, SLOT_RUNNING };

struct worker {
    pthread_t thread;
    enum slot slot;  /* taken: held for a job about to start; running: holds a thread (joined at
                        stop or when reused) */
    atomic_int done; /* the thread has finished */
    const struct sync_config *cfg;
    int64_t id;
    size_t page;          /* records per page; 0: the import's default */
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
        sync_import_run(w->cfg, st, w->id, w->page, on_progress, w, &err))
        sync_warn("admin", "import %lld stopped: %s", (long long)w->id, err.message);
    else
        sync_info("admin", "import %lld finished", (long long)w->id);
    sync_store_close(st);
    atomic_store(&w->done, 1);
    return NULL;
}

/* 1 when slot i is held: taken, or running a thread that has not finished. */
static int worker_live(int i)
{
    return workers[i].slot == SLOT_TAKEN ||
           (workers[i].slot == SLOT_RUNNING && !atomic_load(&workers[i].done));
}

/* Takes a slot for job id (0: a job not stored yet): a free one, or one whose thread finished
 * (joined). -1 when every slot is held, or job id holds one already. */
static int worker_take(int64_t id)
{
    int slot = -1;

    pthread_mutex_lock(&workers_lock);
    for (int i = 0; id > 0 && i < ADMIN_IMPORTS_MAX; i++)
        if (worker_live(i) && workers[i].id == id)
            id = -1;
    for (int i = 0; id >= 0 && slot < 0 && i < ADMIN_IMPORTS_MAX; i++) {
        struct worker *w = &workers[i];
        if (worker_live(i))
            continue;
        if (w->slot == SLOT_RUNNING)
            pthread_join(w->thread, NULL);
        memset(w, 0, sizeof(*w));
        w->slot = SLOT_TAKEN;
        w->id = id;
        slot = i;
    }
    pthread_mutex_unlock(&workers_lock);
    return slot;
}

/* Gives a taken slot back unused. */
static void worker_untake(int slot)
{
    pthread_mutex_lock(&workers_lock);
    workers[slot].slot = SLOT_FREE;
    pthread_mutex_unlock(&workers_lock);
}

/* Runs job id on the taken slot's thread; -1 (the slot given back) when no thread starts. */
static int worker_start(int slot, const struct sync_config *cfg, int64_t id, size_t page)
{
    struct worker *w = &workers[slot];
    int rc = -1;

    pthread_mutex_lock(&workers_lock);
    w->cfg = cfg;
    w->id = id;
    w->page = page;
    w->stopping = &stopping;
    atomic_store(&w->done, 0);
    if (pthread_create(&w->thread, NULL, worker_main, w) == 0) {
        w->slot = SLOT_RUNNING;
        rc = 0;
    } else {
        w->slot = SLOT_FREE;
    }
    pthread_mutex_unlock(&workers_lock);
    return rc;
}

void admin_imports_stop(void)
{
    atomic_store(&stopping, 1);
    pthread_mutex_lock(&workers_lock);
    for (int i = 0; i < ADMIN_IMPORTS_MAX; i++)
        if (workers[i].slot == SLOT_RUNNING) {
            pthread_join(workers[i].thread, NULL);
            workers[i].slot = SLOT_FREE;
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

/* The body's "page" (records per page read), when given: 1 to SYNC_IMPORT_SF_PAGE (a HubSpot
 * list reads at most its own maximum). -1 (answered 400) when it is not. */
static int page_of(struct admin_req *r, size_t *page)
{
    const json_t *v = json_object_get(r->body, "page");

    *page = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > SYNC_IMPORT_SF_PAGE) {
        admin_reply_error(r, 400, "bad_request",
                          "page: expected a whole number of records per page from 1 to %d",
                          SYNC_IMPORT_SF_PAGE);
        return -1;
    }
    *page = (size_t)json_integer_value(v);
    return 0;
}

/* Runs the stored job id on the taken slot and answers 202 with its progress (500, the job left
 * running and resumable, when no thread starts). */
static void started(struct admin_req *r, int slot, int64_t id, size_t page)
{
    if (worker_start(slot, r->cfg, id, page)) {
        admin_reply_error(r, 500, "internal",
                          "import %lld is stored but no thread starts for it: resume it later "
                          "(POST /api/v1/imports/%lld/resume)",
                          (long long)id, (long long)id);
        return;
    }
    admin_wake(r);
    reply_job(r, 202, id);
}

void api_import_start(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_import_spec spec;
    int64_t id = 0;
    size_t page;
    int slot;

    if (page_of(r, &page))
        return;
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
    if ((slot = worker_take(0)) < 0) {
        admin_reply_error(r, 409, "conflict",
                          "%d imports are running already: start this one when one of them "
                          "ends (nothing was stored)",
                          ADMIN_IMPORTS_MAX);
        return;
    }
    if (sync_import_create(r->cfg, r->st, &spec, &id, &err)) {
        worker_untake(slot);
        if (err.rc == SYNC_ERR_NOT_FOUND || err.rc == SYNC_ERR_INVALID || err.http_status == 400 ||
            err.http_status == 404)
            admin_reply_error(r, 400, "bad_request", "%s", err.message);
        else
            admin_reply_err(r, &err);
        return;
    }
    started(r, slot, id, page);
}

/* POST /api/v1/imports/{id}/resume: a stopped import on a worker, like a new one. */
void api_import_resume(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    const char *state;
    json_t *job = NULL;
    size_t page;
    int64_t id;
    int slot;

    if (job_id(r, &id) || page_of(r, &page))
        return;
    if (sync_import_get(r->st, id, &job, &err)) {
        admin_reply_err(r, &err);
        return;
    }
    state = sync_json_str(job, "state");
    if (state && (strcmp(state, "done") == 0 || strcmp(state, "cancelled") == 0)) {
        admin_reply_error(r, 400, "bad_request", "import %lld is %s: there is nothing to resume",
                          (long long)id, state);
    } else if ((slot = worker_take(id)) < 0) {
        admin_reply_error(r, 409, "conflict",
                          "import %lld is running here already, or %d imports are running: "
                          "resume it when one of them ends",
                          (long long)id, ADMIN_IMPORTS_MAX);
    } else {
        started(r, slot, id, page);
    }
    json_decref(job);
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
