/*
 * import.c: imports (backfill), see import.h: checking what is asked
 * with the vendor and storing the job, reading it page by page into the
 * inbox (the page's changes, counts and position in one transaction),
 * resuming after the last recorded page, cancelling, and the progress
 * JSON with its figures (done, rate, time left). Called by the CLI
 * (`crmsync import`) and, later, the admin API.
 *
 * The reading side borrows an engine object (sync_engine_open): its
 * connectors, the fields capture reads per object (so a record's payload
 * is the one capture would store) and the Salesforce API budget (an
 * import's calls count as the engine's, and a suspension stops it). The
 * engine's own store handle only takes the budget's counts; the job and
 * the inbox are written through the caller's store.
 */
#include "engine/import.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capture/poll.h"
#include "connectors/backfill.h"
#include "connectors/salesforce.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "engine/sync_int.h"

#define PAYLOAD_MAX (16 * 1024 * 1024)
#define SOQL_MAX (64 * 1024)

static const char *const sf_objects[] = {"Lead", "Contact", "Account", "Opportunity",
                                         "Case", "Task",    "Event"};

/* The canonical spelling of a Salesforce object an import takes; NULL when it takes none. */
static const char *sf_object_name(const char *object)
{
    for (size_t i = 0; object && i < sizeof(sf_objects) / sizeof(sf_objects[0]); i++)
        if (strcasecmp(object, sf_objects[i]) == 0)
            return sf_objects[i];
    return NULL;
}

/* ---- SOQL ---- */

static enum sync_rc where_add(struct sync_buf *out, const char *where, int *open)
{
    *open = where && *where;
    return *open ? sync_buf_addf(out, " WHERE (%s)", where) : SYNC_OK;
}

enum sync_rc sync_import_soql_count(struct sync_buf *out, const char *object, const char *where)
{
    int open;
    enum sync_rc rc;

    if (!sync_sf_soql_ident(object))
        return SYNC_ERR_INVALID;
    rc = sync_buf_addf(out, "SELECT COUNT() FROM %s", object);
    return rc ? rc : where_add(out, where, &open);
}

static int listed(const char *const *fields, size_t upto, const char *f)
{
    static const char *const keys[] = {"Id", "SystemModstamp", "IsDeleted"};

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcasecmp(keys[i], f) == 0)
            return 1;
    for (size_t i = 0; i < upto; i++)
        if (strcasecmp(fields[i], f) == 0)
            return 1;
    return 0;
}

enum sync_rc sync_import_soql_page(struct sync_buf *out, const char *object,
                                   const char *const *fields, const char *where, const char *after,
                                   size_t limit)
{
    enum sync_rc rc;
    int open;

    if (!sync_sf_soql_ident(object))
        return SYNC_ERR_INVALID;
    rc = sync_buf_addstr(out, "SELECT Id, SystemModstamp, IsDeleted");
    for (size_t i = 0; rc == SYNC_OK && fields && fields[i]; i++) {
        if (!sync_sf_soql_ident(fields[i]))
            return SYNC_ERR_INVALID;
        if (!listed(fields, i, fields[i]))
            rc = sync_buf_addf(out, ", %s", fields[i]);
    }
    rc = rc ? rc : sync_buf_addf(out, " FROM %s", object);
    rc = rc ? rc : where_add(out, where, &open);
    if (rc == SYNC_OK && after && *after) {
        rc = sync_buf_addstr(out, open ? " AND Id > " : " WHERE Id > ");
        rc = rc ? rc : sync_sf_soql_quote(out, after);
    }
    return rc ? rc : sync_buf_addf(out, " ORDER BY Id LIMIT %zu", limit ? limit : 1);
}

int sync_import_where_balanced(const char *where)
{
    long depth = 0;
    int quoted = 0;

    for (const char *p = where; p && *p; p++) {
        if (quoted && *p == '\\' && p[1])
            p++; /* an escaped character: \' does not end the literal */
        else if (*p == '\'')
            quoted = !quoted;
        else if (!quoted && *p == '(')
            depth++;
        else if (!quoted && *p == ')' && --depth < 0)
            return 0;
    }
    return depth == 0 && !quoted;
}

/* ---- figures and the progress JSON ---- */

void sync_import_figures(const struct sync_import_row *r, int64_t now,
                         struct sync_import_figures *out)
{
    int running = r->state && strcmp(r->state, "running") == 0;
    int done = r->state && strcmp(r->state, "done") == 0;
    int64_t end = running ? now : (r->finished_at ? r->finished_at : r->updated_at);
    int64_t elapsed = end - r->run_started_at, ran = r->read - r->run_read;

    if (r->total < 0)
        out->done_percent = done ? 100.0 : -1.0;
    else if (done || r->total == 0)
        out->done_percent = 100.0;
    else
        out->done_percent = fmin(100.0, 100.0 * (double)r->read / (double)r->total);
    out->rate_per_s = elapsed > 0 && ran > 0 ? (double)ran * 1000.0 / (double)elapsed : 0.0;
    if (!running)
        out->eta_s = done ? 0 : -1;
    else if (r->total < 0)
        out->eta_s = -1;
    else if (r->read >= r->total)
        out->eta_s = 0;
    else if (out->rate_per_s <= 0)
        out->eta_s = -1;
    else
        out->eta_s = (int64_t)ceil((double)(r->total - r->read) / out->rate_per_s - 1e-9);
}

static json_t *iso_or_null(int64_t ms)
{
    char t[SYNC_TIME_ISO_MAX];
    return ms > 0 ? json_string(sync_time_format_iso(ms, t, sizeof(t))) : json_null();
}

/* A figure rounded to one decimal. */
static json_t *tenth(double v)
{
    return json_real(round(v * 10.0) / 10.0);
}

json_t *sync_import_progress_json(const struct sync_import_row *r, int64_t now)
{
    struct sync_import_figures f;
    json_t *what = json_pack("{s:s, s:s}", "system", r->system ? r->system : "", "object",
                             r->object ? r->object : "");
    json_t *o;

    sync_import_figures(r, now, &f);
    if (what && r->filter)
        json_object_set_new(what, "where", json_string(r->filter));
    if (what && r->list_id)
        json_object_set_new(what, "list_id", json_string(r->list_id));
    o = json_pack("{s:I, s:o, s:s, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                  (json_int_t)r->id, "what", what ? what : json_null(), "state",
                  r->state ? r->state : "", "total",
                  r->total >= 0 ? json_integer(r->total) : json_null(), "read", (json_int_t)r->read,
                  "queued", (json_int_t)r->queued, "done_percent",
                  f.done_percent >= 0 ? tenth(f.done_percent) : json_null(), "rate_per_s",
                  tenth(f.rate_per_s), "eta_s", f.eta_s >= 0 ? json_integer(f.eta_s) : json_null(),
                  "started_at", iso_or_null(r->started_at), "updated_at",
                  iso_or_null(r->updated_at), "finished_at", iso_or_null(r->finished_at), "error",
                  r->error ? json_string(r->error) : json_null());
    return o;
}

/* ---- reading the store ---- */

/* A job row copied out of a store callback. */
struct job {
    int64_t id;
    char system[SYNC_STORE_KIND_MAX];
    char object[SYNC_STORE_NAME_MAX];
    char *filter, *list_id, *position;
    char state[SYNC_STORE_KIND_MAX];
    int64_t read;
    json_t *progress; /* at the time read */
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void job_release(struct job *j)
{
    free(j->filter);
    free(j->list_id);
    free(j->position);
    json_decref(j->progress);
    memset(j, 0, sizeof(*j));
}

static enum sync_rc job_copy(void *ctx, const struct sync_import_row *r)
{
    struct job *j = ctx;

    job_release(j);
    j->id = r->id;
    snprintf(j->system, sizeof(j->system), "%s", r->system);
    snprintf(j->object, sizeof(j->object), "%s", r->object);
    snprintf(j->state, sizeof(j->state), "%s", r->state);
    j->read = r->read;
    j->filter = dup_or_null(r->filter);
    j->list_id = dup_or_null(r->list_id);
    j->position = dup_or_null(r->position);
    j->progress = sync_import_progress_json(r, sync_time_now_ms());
    if ((r->filter && !j->filter) || (r->list_id && !j->list_id) || (r->position && !j->position) ||
        !j->progress)
        return SYNC_ERR_NOMEM;
    return SYNC_OK;
}

static enum sync_rc job_load(struct sync_store *st, int64_t id, struct job *j, struct sync_err *err)
{
    enum sync_rc rc = sync_store_import_get(st, id, job_copy, j, err);

    if (rc == SYNC_ERR_NOMEM)
        return sync_err_set(err, rc, "out of memory");
    if (rc == SYNC_ERR_NOT_FOUND)
        return sync_err_set(err, rc, "no import %lld", (long long)id);
    return rc;
}

static enum sync_rc progress_add(void *ctx, const struct sync_import_row *r)
{
    json_t *p = sync_import_progress_json(r, sync_time_now_ms());
    return p && json_array_append_new(ctx, p) == 0 ? SYNC_OK : SYNC_ERR_NOMEM;
}

enum sync_rc sync_import_list(struct sync_store *st, json_t **out, struct sync_err *err)
{
    json_t *list = json_array();
    enum sync_rc rc;

    *out = NULL;
    if (!list)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    rc = sync_store_import_list(st, NULL, SYNC_IMPORT_LIST_MAX, progress_add, list, err);
    if (rc == SYNC_ERR_NOMEM)
        sync_err_set(err, rc, "out of memory");
    if (rc) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return SYNC_OK;
}

enum sync_rc sync_import_get(struct sync_store *st, int64_t id, json_t **out, struct sync_err *err)
{
    struct job j;
    enum sync_rc rc;

    memset(&j, 0, sizeof(j));
    *out = NULL;
    if ((rc = job_load(st, id, &j, err)) == SYNC_OK)
        *out = json_incref(j.progress);
    job_release(&j);
    return rc;
}

enum sync_rc sync_import_cancel(struct sync_store *st, int64_t id, struct sync_err *err)
{
    struct job j;
    enum sync_rc rc;

    memset(&j, 0, sizeof(j));
    if ((rc = job_load(st, id, &j, err)))
        return rc;
    rc = sync_store_import_set_state(st, id, "running", "cancelled", NULL, err);
    if (rc == SYNC_ERR_NOT_FOUND)
        rc = sync_err_set(err, SYNC_ERR_INVALID, "import %lld is %s, not running", (long long)id,
                          j.state);
    job_release(&j);
    return rc;
}

/* ---- creating a job ---- */

static enum sync_rc spec_check(const struct sync_import_spec *spec, const char **object,
                               struct sync_err *err)
{
    if (!spec->system || (strcmp(spec->system, "salesforce") && strcmp(spec->system, "hubspot")))
        return sync_err_set(err, SYNC_ERR_INVALID, "import: the system is salesforce or hubspot");
    if (strcmp(spec->system, "hubspot") == 0) {
        if (spec->object && *spec->object && strcmp(spec->object, "contacts"))
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "import: HubSpot imports read a list of contacts, not %s",
                                spec->object);
        if (!spec->list_id || !*spec->list_id || strlen(spec->list_id) >= SYNC_STORE_ID_MAX)
            return sync_err_set(err, SYNC_ERR_INVALID, "import: a HubSpot list id is required");
        *object = "contacts";
        return SYNC_OK;
    }
    if (!(*object = sf_object_name(spec->object)))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "import: Salesforce imports read Lead, Contact, Account, "
                            "Opportunity, Case, Task or Event, not '%s'",
                            spec->object ? spec->object : "");
    if (spec->where && strlen(spec->where) >= SYNC_STORE_FILTER_MAX)
        return sync_err_set(err, SYNC_ERR_INVALID, "import: the filter is longer than %d bytes",
                            SYNC_STORE_FILTER_MAX - 1);
    if (!sync_import_where_balanced(spec->where))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "import: the filter's parentheses do not balance (or a '...' string "
                            "is not closed): every ( needs its ), inside the condition");
    return SYNC_OK;
}

/* The vendor's own words for a refusal, with what was refused. */
static enum sync_rc refused(struct sync_err *err, const char *what)
{
    char msg[SYNC_ERR_MSG_MAX], code[SYNC_ERR_CODE_MAX];

    snprintf(msg, sizeof(msg), "%s", err->message);
    snprintf(code, sizeof(code), "%s", err->code);
    if (code[0])
        return sync_err_vendor(err, err->http_status, code, "%s: %s: %s", what, code, msg);
    return sync_err_set(err, err->rc ? err->rc : SYNC_ERR_INVALID, "%s: %s", what, msg);
}

static enum sync_rc sf_count(struct sync_engine *e, const char *object, const char *where,
                             int64_t *total, struct sync_err *err)
{
    struct sync_buf q = SYNC_BUF_INIT(SOQL_MAX);
    struct sync_conn_batch b;
    enum sync_rc rc;

    sync_conn_batch_init(&b);
    if (sync_import_soql_count(&q, object, where)) {
        rc = sync_err_set(err, SYNC_ERR_INVALID, "import: the filter is too long");
    } else if (!sync__budget_pass_start(e)) {
        rc = sync_err_set(err, SYNC_ERR_HTTP,
                          "import: the integration is suspended for Salesforce (crmsync status "
                          "says why)");
    } else if ((rc = sync_conn_soql(e->sf, sync_buf_str(&q), &b, total, err))) {
        rc = refused(err, where && *where ? "Salesforce refused the filter" : "Salesforce");
    }
    sync__budget_flush(e);
    sync_conn_batch_release(&b);
    sync_buf_release(&q);
    return rc;
}

static enum sync_rc hs_size(struct sync_engine *e, const char *list_id, int64_t *total,
                            struct sync_err *err)
{
    struct sync_conn_list_info info;
    enum sync_rc rc = sync_conn_list_info(e->hs, list_id, &info, err);

    if (rc)
        return refused(err, "HubSpot");
    if (strcmp(info.object_type_id, "0-1") != 0)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "HubSpot list %s (%s) holds records of type %s, not contacts", list_id,
                            info.name, info.object_type_id);
    *total = info.size;
    return SYNC_OK;
}

enum sync_rc sync_import_count(const struct sync_config *cfg, const char *object, const char *where,
                               int64_t *total, struct sync_err *err)
{
    struct sync_engine *e = NULL;
    struct sync_import_spec spec = {"salesforce", object, where, NULL};
    const char *name = NULL;
    enum sync_rc rc = spec_check(&spec, &name, err);

    *total = -1;
    if (rc || (rc = sync_engine_open(&e, cfg, err)))
        return rc;
    rc = sf_count(e, name, where, total, err);
    sync_engine_close(e);
    return rc;
}

enum sync_rc sync_import_create(const struct sync_config *cfg, struct sync_store *st,
                                const struct sync_import_spec *spec, int64_t *id,
                                struct sync_err *err)
{
    struct sync_engine *e = NULL;
    struct sync_import_row row;
    const char *object = NULL;
    int64_t total = -1;
    enum sync_rc rc = spec_check(spec, &object, err);

    *id = 0;
    if (rc || (rc = sync_engine_open(&e, cfg, err)))
        return rc;
    if (strcmp(spec->system, "salesforce") == 0)
        rc = sf_count(e, object, spec->where, &total, err);
    else
        rc = hs_size(e, spec->list_id, &total, err);
    sync_engine_close(e);
    if (rc)
        return rc;
    memset(&row, 0, sizeof(row));
    row.system = spec->system;
    row.object = object;
    row.filter =
        strcmp(spec->system, "salesforce") == 0 && spec->where && *spec->where ? spec->where : NULL;
    row.list_id = strcmp(spec->system, "hubspot") == 0 ? spec->list_id : NULL;
    row.total = total;
    return sync_store_import_insert(st, &row, id, err);
}

/* ---- running a job ---- */

struct run {
    struct sync_engine *e;
    struct sync_store *st;
    struct job job;
    enum sync_side side;
    const struct sync_fieldset *fields;
    size_t page;
    int cancelled; /* the job left "running" under us */
    int lost;      /* another run of the job stored a page first: it owns the job now */
};

/* Puts one record into the inbox as capture does (poll.c); *stored says whether it went in. */
static enum sync_rc record_put(struct run *r, const json_t *rec, struct sync_buf *payload,
                               int *stored, struct sync_err *err)
{
    enum sync_vendor vendor =
        r->side == SYNC_SIDE_HUBSPOT ? SYNC_VENDOR_HUBSPOT : SYNC_VENDOR_SALESFORCE;
    struct sync_change ch;
    const char *id;
    int64_t version;
    int deleted;
    enum sync_rc rc;

    json_t *marked;

    *stored = 0;
    if (!sync_poll_record_key(vendor, r->job.object, rec, &id, &version, &deleted))
        return SYNC_OK;
    sync_buf_reset(payload);
    if (!(marked = json_copy((json_t *)rec)) ||
        json_object_set_new(marked, SYNC_IMPORT_MARK, json_true())) {
        json_decref(marked);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    rc = sync_json_dump(marked, payload);
    json_decref(marked);
    if (rc)
        return sync_err_set(err, rc, "import: a %s record is too large to keep", r->job.object);
    memset(&ch, 0, sizeof(ch));
    ch.system = r->job.system;
    ch.object = r->job.object;
    ch.record_id = id;
    ch.version = version;
    ch.deleted = deleted;
    ch.payload = sync_buf_str(payload);
    return sync_store_inbox_put(r->st, &ch, stored, err);
}

/* Why the job took no page: it left "running" (cancelled, or finished by another run):
 * r->cancelled, SYNC_OK; or it is still running but another run moved it past where this
 * page started: r->lost and an error (the job is left to that run). */
static enum sync_rc page_refused(struct run *r, struct sync_err *err)
{
    struct job now;
    enum sync_rc rc;

    memset(&now, 0, sizeof(now));
    sync_err_clear(err);
    if ((rc = job_load(r->st, r->job.id, &now, err)) == SYNC_OK &&
        strcmp(now.state, "running") == 0) {
        r->lost = 1;
        rc = sync_err_set(err, SYNC_ERR_NOT_FOUND,
                          "another run owns import %lld (it stored a page after %s first); "
                          "this run stopped without queueing its page",
                          (long long)r->job.id, r->job.position ? r->job.position : "the start");
    } else if (rc == SYNC_OK) {
        r->cancelled = 1;
    }
    job_release(&now);
    return rc;
}

/* A page's changes, the job's counts and its next position (and, after the last page, the
 * state done), in one transaction. The job takes the page only while it is running at the
 * position the page started from (r->job.position): otherwise nothing is kept (page_refused). */
static enum sync_rc page_store(struct run *r, const json_t *records, int64_t read,
                               const char *position, int last, struct sync_err *err)
{
    struct sync_buf payload = SYNC_BUF_INIT(PAYLOAD_MAX);
    int64_t queued = 0;
    const json_t *rec;
    size_t i;
    enum sync_rc rc = sync_store_begin(r->st, err);

    json_array_foreach(records, i, rec)
    {
        int stored = 0;
        if (rc || (rc = record_put(r, rec, &payload, &stored, err)))
            break;
        queued += stored != 0;
    }
    sync_buf_release(&payload);
    if (rc == SYNC_OK)
        rc = sync_store_import_advance(r->st, r->job.id, r->job.position, read, queued, position,
                                       err);
    if (rc == SYNC_OK && last)
        rc = sync_store_import_set_state(r->st, r->job.id, "running", "done", NULL, err);
    if (rc == SYNC_OK)
        return sync_store_commit(r->st, err);
    sync_store_rollback(r->st, NULL);
    return rc == SYNC_ERR_NOT_FOUND ? page_refused(r, err) : rc;
}

/* Tells the caller how far the job is; 1 when it asks to stop. */
static int report(struct run *r, sync_import_progress_fn fn, void *ctx, struct sync_err *err)
{
    struct job now;
    int stop = 0;

    if (!fn)
        return 0;
    memset(&now, 0, sizeof(now));
    if (job_load(r->st, r->job.id, &now, err) == SYNC_OK)
        stop = fn(ctx, now.progress) != 0;
    else
        sync_err_clear(err);
    job_release(&now);
    return stop;
}

/* 1 (with the error) when a page's last Id is missing or not past where the page started:
 * paging would not move on (a filter that escapes its brackets can do that), so the job fails
 * instead of reading the same page for ever. */
static int no_progress(struct run *r, const char *last_id, struct sync_err *err)
{
    if (last_id && *last_id && (!r->job.position || strcmp(last_id, r->job.position) > 0))
        return 0;
    sync_err_set(err, SYNC_ERR_INVALID,
                 "import %lld: Salesforce's page after %s ended at %s, not past it: paging does "
                 "not move on (check the filter); stopped",
                 (long long)r->job.id, r->job.position ? r->job.position : "the start",
                 last_id && *last_id ? last_id : "a record without an Id");
    return 1;
}

/* Salesforce: one SOQL page after the last Id read. *done when it was the last. */
static enum sync_rc sf_page(struct run *r, int *done, struct sync_err *err)
{
    struct sync_buf q = SYNC_BUF_INIT(SOQL_MAX);
    struct sync_conn_batch b;
    const json_t *last;
    int64_t total;
    enum sync_rc rc;

    sync_conn_batch_init(&b);
    if (!sync__budget_ok(r->e)) {
        rc = sync_err_set(err, SYNC_ERR_HTTP,
                          "the integration is suspended for Salesforce (crmsync status says "
                          "why); resume the import once it is cleared");
        goto out;
    }
    if (sync_import_soql_page(&q, r->job.object, r->fields->names, r->job.filter, r->job.position,
                              r->page)) {
        rc = sync_err_set(err, SYNC_ERR_INVALID, "import: cannot build the page query");
        goto out;
    }
    if ((rc = sync_conn_soql(r->e->sf, sync_buf_str(&q), &b, &total, err)))
        goto out;
    *done = json_array_size(b.records) < r->page;
    last = json_array_get(b.records, json_array_size(b.records) - 1);
    if (last && !no_progress(r, sync_json_str(last, "Id"), err))
        rc = page_store(r, b.records, (int64_t)json_array_size(b.records),
                        sync_json_str(last, "Id"), *done, err);
    else if (last)
        rc = err->rc;
    else
        rc = page_store(r, b.records, 0, r->job.position, *done, err);
    if (rc == SYNC_OK && last && sync_json_str(last, "Id")) {
        free(r->job.position);
        if (!(r->job.position = strdup(sync_json_str(last, "Id"))))
            rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
out:
    sync__budget_flush(r->e);
    sync_conn_batch_release(&b);
    sync_buf_release(&q);
    return rc;
}

/* HubSpot: one page of the list's members, then one batch read of those contacts. */
static enum sync_rc hs_page(struct run *r, int *done, struct sync_err *err)
{
    struct sync_conn_batch m, b;
    const char **ids = NULL;
    const json_t *v;
    size_t i, n;
    enum sync_rc rc;

    sync_conn_batch_init(&m);
    sync_conn_batch_init(&b);
    rc = sync_conn_list_members(r->e->hs, r->job.list_id, r->job.position, r->page, &m, err);
    n = json_array_size(m.records);
    if (rc == SYNC_OK && n && !(ids = calloc(n, sizeof(*ids))))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    json_array_foreach(m.records, i, v)
    {
        if (ids)
            ids[i] = sync_json_str(v, "id");
    }
    if (rc == SYNC_OK && n)
        rc = sync_conn_fetch(r->e->hs, "contacts", NULL, ids, n, r->fields->names, &b, err);
    *done = !m.after[0];
    if (rc == SYNC_OK)
        rc = page_store(r, b.records, (int64_t)n, m.after, *done, err);
    if (rc == SYNC_OK) {
        free(r->job.position);
        r->job.position = NULL;
        if (m.after[0] && !(r->job.position = strdup(m.after)))
            rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    free(ids);
    sync_conn_batch_release(&m);
    sync_conn_batch_release(&b);
    return rc;
}

static size_t page_size(enum sync_side side, size_t page)
{
    size_t max = side == SYNC_SIDE_HUBSPOT ? SYNC_IMPORT_HS_PAGE_MAX : SYNC_IMPORT_SF_PAGE;
    if (!page)
        return side == SYNC_SIDE_HUBSPOT ? SYNC_IMPORT_HS_PAGE : SYNC_IMPORT_SF_PAGE;
    return page < max ? page : max;
}

/* Marks the job running again (a resume), unless it is done. */
static enum sync_rc run_begin(struct run *r, int64_t id, struct sync_err *err)
{
    enum sync_kind kind;
    enum sync_rc rc = job_load(r->st, id, &r->job, err);

    if (rc)
        return rc;
    if (strcmp(r->job.state, "done") == 0)
        return sync_err_set(err, SYNC_ERR_INVALID, "import %lld is done already", (long long)id);
    if (sync_object_kind(r->job.system, r->job.object, &kind, &r->side))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "import %lld reads %s %s, which crmsync does "
                            "not sync",
                            (long long)id, r->job.system, r->job.object);
    rc = sync_store_import_set_state(r->st, id, r->job.state, "running", NULL, err);
    if (rc == SYNC_ERR_NOT_FOUND)
        return sync_err_set(err, SYNC_ERR_INVALID, "import %lld changed state meanwhile; try again",
                            (long long)id);
    return rc;
}

enum sync_rc sync_import_run(const struct sync_config *cfg, struct sync_store *st, int64_t id,
                             size_t page, sync_import_progress_fn fn, void *ctx,
                             struct sync_err *err)
{
    struct run r;
    int done = 0, stop = 0;
    enum sync_rc rc;

    memset(&r, 0, sizeof(r));
    r.st = st;
    if ((rc = run_begin(&r, id, err))) {
        job_release(&r.job);
        return rc;
    }
    r.page = page_size(r.side, page);
    rc = sync_engine_open(&r.e, cfg, err);
    if (rc == SYNC_OK && !(r.fields = sync__engine_fields(r.e, r.side, r.job.object)))
        rc = sync_err_set(err, SYNC_ERR_INVALID, "import: the engine reads no fields of %s",
                          r.job.object);
    if (rc == SYNC_OK && r.side == SYNC_SIDE_SALESFORCE && !sync__budget_pass_start(r.e))
        rc = sync_err_set(err, SYNC_ERR_HTTP,
                          "the integration is suspended for Salesforce (crmsync status says "
                          "why); resume the import once it is cleared");
    while (rc == SYNC_OK && !done && !r.cancelled && !stop) {
        rc = r.side == SYNC_SIDE_SALESFORCE ? sf_page(&r, &done, err) : hs_page(&r, &done, err);
        if (rc == SYNC_OK && !r.cancelled && !done)
            stop = report(&r, fn, ctx, err);
    }
    if (rc && !r.lost) {
        struct sync_err ferr = SYNC_ERR_INIT;
        if (sync_store_import_set_state(st, id, "running", "failed", err->message, &ferr))
            sync_warn("import", "import %lld: cannot record its failure: %s", (long long)id,
                      ferr.message);
    }
    if (rc == SYNC_OK)
        report(&r, fn, ctx, err);
    sync_engine_close(r.e);
    job_release(&r.job);
    return rc;
}
