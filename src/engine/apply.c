/*
 * apply.c: the outbox drained in batches per (target, object, operation)
 * through sync_conn_write, each result recorded with the entry's removal
 * in one transaction (see apply.h). Called by the engine's pass.
 *
 * One round: claim the earliest due group, merge entries that write the
 * same record (a later plan's fields win; every entry's ledger rows are
 * kept, in order), make sure the link-id field exists before the first
 * upsert, write, read back whatever came back ambiguous, then record.
 *
 * Associate entries (planner `associate` ops) resolve each end through its
 * link (an end not created yet waits for a retry) and go out per target
 * type: HubSpot v4 associations (removals first), Salesforce AccountId
 * updates and contact-role creates (the roles an opportunity already has
 * are read first, so a retry never makes one twice).
 */
#include "engine/apply.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "engine/sync_int.h"
#include "engine/value.h"

#define CLAIM_MAX 200      /* entries one round claims; the connector chunks them */
#define ROUNDS_MAX 1000    /* rounds one run makes at most */
#define BACKOFF_BASE 500   /* ms; doubled per attempt */
#define RATE_WAIT 60000    /* ms after a rate limit stopped a write */
#define READ_BACK_MAX 2000 /* ambiguous records read back per call */
#define QUICK_MAX 60000    /* ms; quick retries below this, then retry_interval */

struct entry {
    int64_t id;
    char link_id[SYNC_LINK_ID_LEN + 1];
    int attempts;
    json_t *payload; /* parsed */
    size_t primary;  /* the entry whose write carries this one (itself when it goes out) */
    size_t rec;      /* its index in the records sent (primaries only) */
};

struct batch {
    char target[SYNC_STORE_KIND_MAX];
    char object[SYNC_STORE_NAME_MAX];
    char op[SYNC_STORE_KIND_MAX];
    enum sync_side side;
    enum sync_conn_op cop;
    struct entry *items;
    size_t n, cap;
    int bad;         /* an entry could not be read: the claim is undone */
    int64_t sent_at; /* when the write went out */
};

static void batch_release(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        json_decref(b->items[i].payload);
    free(b->items);
    memset(b, 0, sizeof(*b));
}

static enum sync_rc claim_one(void *ctx, const struct sync_outbox_entry *o)
{
    struct batch *b = ctx;
    struct sync_err perr = SYNC_ERR_INIT;
    struct entry *it;

    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        struct entry *items = realloc(b->items, cap * sizeof(*items));
        if (!items)
            return SYNC_ERR_NOMEM;
        b->items = items;
        b->cap = cap;
    }
    if (b->n == 0) {
        snprintf(b->target, sizeof(b->target), "%s", o->target);
        snprintf(b->object, sizeof(b->object), "%s", o->object);
        snprintf(b->op, sizeof(b->op), "%s", o->op);
    }
    it = &b->items[b->n];
    memset(it, 0, sizeof(*it));
    it->id = o->id;
    snprintf(it->link_id, sizeof(it->link_id), "%s", o->link_id);
    it->attempts = o->attempts;
    it->payload = sync_json_parse(o->payload, strlen(o->payload), &perr);
    if (!json_is_object(it->payload)) {
        json_decref(it->payload);
        it->payload = json_object(); /* recorded as a permanent failure below */
        if (!it->payload)
            return SYNC_ERR_NOMEM;
        json_object_set_new(it->payload, "unreadable", json_true());
    }
    b->n++;
    return SYNC_OK;
}

/* ---- reading entries ---- */

static const char *p_str(const struct entry *it, const char *key)
{
    const char *s = sync_json_str(it->payload, key);
    return s ? s : "";
}

static const char *src_str(const struct entry *it, const char *key)
{
    const char *s = sync_json_str(json_object_get(it->payload, "source"), key);
    return s ? s : "";
}

/* The key two entries share when they write the same record. */
static const char *entry_key(const struct batch *b, const struct entry *it)
{
    return b->cop == SYNC_CONN_UPSERT ? it->link_id : p_str(it, "id");
}

static int parse_op(const char *op, enum sync_conn_op *out)
{
    if (strcmp(op, "upsert") == 0)
        *out = SYNC_CONN_UPSERT;
    else if (strcmp(op, "update") == 0)
        *out = SYNC_CONN_UPDATE;
    else if (strcmp(op, "delete") == 0)
        *out = SYNC_CONN_DELETE;
    else
        return -1;
    return 0;
}

/* ---- backoff: the retry policy ---- */

int64_t sync_apply_retry_at(const struct sync_retry_schedule *r, int attempts, int64_t now,
                            int *nightly)
{
    int quick = 0;

    /* the quick retries: waits doubling from BACKOFF_BASE while under a minute and the interval */
    for (int64_t d = BACKOFF_BASE; d < QUICK_MAX && d < r->interval_ms; d *= 2)
        quick++;
    *nightly = 0;
    if (attempts < 0)
        attempts = 0;
    if (attempts < quick)
        return now + ((int64_t)BACKOFF_BASE << attempts);
    if (attempts - quick < r->max_attempts)
        return now + r->interval_ms;
    *nightly = 1;
    return sync_budget_next_daily(now, r->nightly_minutes);
}

/* ---- results ---- */

/* Removes an applied entry. Gone already: another engine process on the same store applied it
 * after this one's lease lapsed; the write was idempotent, so that is fine too. */
static enum sync_rc complete(struct sync_engine *e, const struct entry *it, struct sync_err *err)
{
    struct sync_err cerr = SYNC_ERR_INIT;
    enum sync_rc rc = sync_store_outbox_complete(e->st, it->id, &cerr);
    if (rc && rc != SYNC_ERR_NOT_FOUND && err)
        *err = cerr;
    return rc == SYNC_ERR_NOT_FOUND ? SYNC_OK : rc;
}

struct outcome {
    enum sync_conn_outcome what;
    char id[64];
    struct sync_err err;
    int resolved;  /* an ambiguous write read back */
    int unsettled; /* sent, landing unknown: it may still land late (sync_store_unsettled_put) */
    int held;      /* refused for a missing object permission: waits for the suspension */
};

static const char *const vendor_categories[] = {
    "custom_code", "duplicates",     "field_permissions",
    "picklist",    "property_value", "required_field",
    "owner",       "other",          NULL};

static enum sync_rc link_after_write(struct sync_engine *e, const struct batch *b,
                                     const struct entry *it, const struct outcome *oc, int64_t now,
                                     struct sync_err *err)
{
    struct sync_link l, other;
    struct sync_err lerr = SYNC_ERR_INIT;
    enum sync_rc rc = sync_store_link_get(e->st, it->link_id, &l, &lerr);
    int hs = b->side == SYNC_SIDE_HUBSPOT;

    if (rc == SYNC_ERR_NOT_FOUND)
        return SYNC_OK;
    if (rc) {
        if (err)
            *err = lerr;
        return rc;
    }
    if (b->cop == SYNC_CONN_UPSERT && oc->id[0]) {
        char *mine = hs ? l.hs_id : l.sf_id;
        if (strcmp(mine, oc->id) != 0) {
            rc = hs ? sync_store_link_get_by_hs(e->st, l.kind, oc->id, &other, &lerr)
                    : sync_store_link_get_by_sf(e->st, b->object, oc->id, &other, &lerr);
            if (rc == SYNC_OK && strcmp(other.link_id, l.link_id) != 0) {
                struct sync_error_row er;
                char msg[SYNC_ERR_MSG_MAX];
                snprintf(msg, sizeof(msg), "%s %s %s already syncs through link %s",
                         hs ? "HubSpot" : "Salesforce", b->object, oc->id, other.link_id);
                memset(&er, 0, sizeof(er));
                er.system = src_str(it, "system");
                er.object = src_str(it, "object");
                er.record_id = src_str(it, "id");
                er.link_id = it->link_id;
                er.category = "duplicates";
                er.message = msg;
                return sync_store_error_record(e->st, &er, err);
            }
            if (rc && rc != SYNC_ERR_NOT_FOUND) {
                if (err)
                    *err = lerr;
                return rc;
            }
            snprintf(mine, SYNC_STORE_ID_MAX, "%s", oc->id);
            if (hs == 0)
                snprintf(l.sf_object, sizeof(l.sf_object), "%s", b->object);
            e->link_moves++;
        }
        if ((l.state == SYNC_LINK_PENDING_CREATE || l.state == SYNC_LINK_FAILED) && l.hs_id[0] &&
            l.sf_id[0])
            l.state = SYNC_LINK_LINKED;
    }
    if (hs)
        l.last_to_hs = now;
    else
        l.last_to_sf = now;
    return sync_store_link_update(e->st, &l, err);
}

/* Stores the ledger rows an entry carries: as agreements once its write landed, or
 * (unsettled) as the values of a write whose landing is unknown, so their late landing is told
 * from an edit (the planner's settle_late). */
static enum sync_rc ledger_rows_store(struct sync_engine *e, const struct batch *b,
                                      const struct entry *it, int unsettled, struct sync_err *err)
{
    const json_t *row;
    size_t i;

    json_array_foreach(json_object_get(it->payload, "ledger"), i, row)
    {
        struct sync_ledger_entry le = {it->link_id, sync_json_str(row, "field"),
                                       sync_json_str(row, "value"), sync_json_str(row, "by"),
                                       sync_json_int(row, "at", 0)};
        struct sync_unsettled u = {it->link_id, b->target, le.field, le.value, b->sent_at};
        enum sync_rc rc;

        if (!le.field || (!unsettled && !le.written_by))
            continue;
        rc = unsettled ? sync_store_unsettled_put(e->st, &u, err)
                       : sync_store_ledger_put(e->st, &le, err);
        if (rc && rc != SYNC_ERR_NOT_FOUND)
            return rc;
    }
    return SYNC_OK;
}

/* The record a write's refusal is filed on: the record whose change planned it, except a write
 * back to that record's own side (a plan from a Salesforce change that carries HubSpot's value
 * to the Salesforce record), which is about the other side's record not reaching it: filed on
 * the link's record there, so that write and the one the other side's change planned (both can
 * be in one pass) share one error, and either landing resolves it. */
struct filed {
    const char *system, *object, *record_id;
    struct sync_link l;
};

static void filed_on(struct sync_engine *e, const struct batch *b, const struct entry *it,
                     struct filed *f)
{
    enum sync_kind kind;

    f->system = src_str(it, "system");
    f->object = src_str(it, "object");
    f->record_id = src_str(it, "id");
    if (!f->system[0] || strcmp(f->system, b->target) != 0 || !it->link_id[0] ||
        sync_store_link_get(e->st, it->link_id, &f->l, NULL) != SYNC_OK ||
        sync_kind_parse(f->l.kind, &kind))
        return;
    if (strcmp(b->target, "salesforce") == 0 && f->l.hs_id[0]) {
        f->system = "hubspot";
        f->object = sync_kind_hs_object(kind);
        f->record_id = f->l.hs_id;
    } else if (strcmp(b->target, "hubspot") == 0 && f->l.sf_id[0]) {
        f->system = "salesforce";
        f->object = f->l.sf_object;
        f->record_id = f->l.sf_id;
    }
}

/* Whether the plan that made the entry filed an error of category on the record itself (the
 * write carries the rest of the record; the error stays until a plan finds it gone). */
static int kept_error(const struct entry *it, const char *category)
{
    const json_t *keep = json_object_get(it->payload, "keep_errors"), *v;
    size_t i;

    json_array_foreach(keep, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), category) == 0)
            return 1;
    }
    return 0;
}

static enum sync_rc record_ok(struct sync_engine *e, const struct batch *b, const struct entry *it,
                              const struct outcome *oc, int64_t now, struct sync_err *err)
{
    struct filed f;
    const char *sys, *obj, *rid;
    enum sync_rc rc;

    filed_on(e, b, it, &f);
    sys = f.system, obj = f.object, rid = f.record_id;
    rc = link_after_write(e, b, it, oc, now, err);

    if (rc == SYNC_OK)
        rc = ledger_rows_store(e, b, it, 0, err);
    for (size_t k = 0; rc == SYNC_OK && sys[0] && obj[0] && rid[0] && vendor_categories[k]; k++)
        if (!kept_error(it, vendor_categories[k]))
            rc = sync_store_error_resolve(e->st, sys, obj, rid, vendor_categories[k], err);
    return rc ? rc : complete(e, it, err);
}

static enum sync_rc record_error(struct sync_engine *e, const struct batch *b,
                                 const struct entry *it, const struct sync_err *verr,
                                 const char *category)
{
    struct sync_error_row er;
    struct filed f;
    char msg[SYNC_ERR_MSG_MAX + 512];

    memset(&er, 0, sizeof(er));
    filed_on(e, b, it, &f);
    er.system = f.system;
    er.object = f.object;
    er.record_id = f.record_id;
    if (!er.system[0] || !er.object[0] || !er.record_id[0]) {
        er.system = b->target;
        er.object = b->object;
        er.record_id = p_str(it, "id")[0] ? p_str(it, "id") : it->link_id;
    }
    er.link_id = it->link_id;
    er.category = category;
    er.code = verr->code[0] ? verr->code : NULL;
    snprintf(msg, sizeof(msg), "%s %s of %s %s: %s", b->target, b->op, b->object,
             p_str(it, "id")[0] ? p_str(it, "id") : "(new)", verr->message);
    er.message = msg;
    return sync_store_error_record(e->st, &er, NULL);
}

static enum sync_rc record_failed(struct sync_engine *e, const struct batch *b,
                                  const struct entry *it, const struct outcome *oc,
                                  struct sync_err *err)
{
    enum sync_vendor v =
        b->side == SYNC_SIDE_HUBSPOT ? SYNC_VENDOR_HUBSPOT : SYNC_VENDOR_SALESFORCE;
    const char *cat =
        sync_err_category_name(sync_err_categorize(v, oc->err.code, oc->err.http_status));
    struct sync_link l;
    enum sync_rc rc = record_error(e, b, it, &oc->err, cat);

    if (rc == SYNC_OK && b->cop == SYNC_CONN_UPSERT &&
        sync_store_link_get(e->st, it->link_id, &l, NULL) == SYNC_OK &&
        l.state == SYNC_LINK_PENDING_CREATE) {
        l.state = SYNC_LINK_FAILED;
        rc = sync_store_link_update(e->st, &l, err);
    }
    return rc ? rc : complete(e, it, err);
}

static enum sync_rc record_retry(struct sync_engine *e, const struct batch *b,
                                 const struct entry *it, const struct outcome *oc, int64_t now,
                                 struct sync_err *err)
{
    struct sync_retry_schedule r = {sync_settings_int(e->settings, SYNC_SETTING_RETRY_INTERVAL),
                                    sync_settings_int(e->settings, SYNC_SETTING_RETRY_MAX_ATTEMPTS),
                                    sync_settings_int(e->settings, SYNC_SETTING_RETRY_NIGHTLY_AT)};
    int nightly;
    int64_t due = sync_apply_retry_at(&r, it->attempts, now, &nightly);

    if (nightly || due - now >= r.interval_ms) {
        /* past the quick retries (a blip): an errored record, visible in sync health with each
         * attempt counted while it is retried every retry_interval and, after those, nightly
         * (HubSpot's "timeout queue", retry_nightly_at UTC); a write that lands resolves it */
        enum sync_rc rc = record_error(e, b, it, &oc->err, "other");
        if (rc)
            return rc;
    }
    if (!nightly && oc->err.cls == SYNC_ERRCLASS_RATELIMITED && due < now + RATE_WAIT)
        due = now + RATE_WAIT;
    {
        struct sync_err rerr = SYNC_ERR_INIT;
        enum sync_rc rc = sync_store_outbox_reschedule(e->st, it->id, due, &rerr);
        if (rc && rc != SYNC_ERR_NOT_FOUND && err)
            *err = rerr;
        return rc == SYNC_ERR_NOT_FOUND ? SYNC_OK : rc;
    }
}

/* A write held back by the object_permissions suspension: due again at once, so it goes out
 * with the first pass after the suspension is cleared; never tried, it counts no attempt, and no
 * sync error is filed. */
static enum sync_rc record_held(struct sync_engine *e, const struct entry *it, int64_t now,
                                struct sync_err *err)
{
    struct sync_err rerr = SYNC_ERR_INIT;
    enum sync_rc rc = sync_store_outbox_release(e->st, it->id, now, &rerr);

    if (rc && rc != SYNC_ERR_NOT_FOUND && err)
        *err = rerr;
    return rc == SYNC_ERR_NOT_FOUND ? SYNC_OK : rc;
}

/* The process's write counters (/metrics). */
static void count_results(const char *vendor, size_t ok, size_t failed, size_t retried)
{
    static const char *const help = "outbox entries applied, by vendor and result";
    const char *results[] = {"ok", "failed", "retried"};
    size_t n[] = {ok, failed, retried};
    char labels[96];

    for (int i = 0; i < 3; i++) {
        snprintf(labels, sizeof(labels), "vendor=\"%s\",result=\"%s\"", vendor, results[i]);
        sync_metrics_count("crmsync_writes_total", labels, (double)n[i], help);
    }
}

/* One transaction: every entry's result, link, ledger, errors and removal or reschedule. */
static enum sync_rc record_batch(struct sync_engine *e, const struct batch *b,
                                 const struct outcome *oc, struct sync_pass_stats *stats,
                                 struct sync_err *err)
{
    int64_t now = sync_time_now_ms();
    size_t ok = 0, failed = 0, retried = 0;
    enum sync_rc rc = sync_store_begin(e->st, err);

    for (size_t i = 0; rc == SYNC_OK && i < b->n; i++) {
        const struct entry *it = &b->items[i];
        const struct outcome *o = &oc[b->items[it->primary].rec];

        if (json_object_get(it->payload, "unreadable")) {
            struct outcome bad;
            memset(&bad, 0, sizeof(bad));
            sync_err_set(&bad.err, SYNC_ERR_PARSE, "the outbox entry cannot be read");
            rc = record_failed(e, b, it, &bad, err);
            failed++;
            continue;
        }
        if (o->held) {
            rc = record_held(e, it, now, err);
            retried++;
            continue;
        }
        switch (o->what) {
        case SYNC_CONN_OK:
            rc = record_ok(e, b, it, o, now, err);
            ok++;
            break;
        case SYNC_CONN_FAILED:
            if (o->err.cls == SYNC_ERRCLASS_RETRYABLE || o->err.cls == SYNC_ERRCLASS_RATELIMITED) {
                rc = record_retry(e, b, it, o, now, err);
                retried++;
            } else {
                rc = record_failed(e, b, it, o, err);
                failed++;
            }
            break;
        default:
            if (o->unsettled)
                rc = ledger_rows_store(e, b, it, 1, err);
            if (rc == SYNC_OK)
                rc = record_retry(e, b, it, o, now, err);
            retried++;
            break;
        }
    }
    if (rc == SYNC_OK)
        rc = sync_store_commit(e->st, err);
    else
        sync_store_rollback(e->st, NULL);
    if (rc == SYNC_OK) {
        stats->written += ok;
        stats->failed += failed;
        stats->retried += retried;
        count_results(b->target, ok, failed, retried);
    }
    return rc;
}

/* ---- ambiguous outcomes ---- */

static int blank(const json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
}

/* Whether a value read back is the value written (vendors normalise some: case, number form). */
static int same_value(const json_t *sent, const json_t *got)
{
    if (blank(sent) || blank(got))
        return blank(sent) && blank(got);
    if (json_equal(sent, got))
        return 1;
    if (json_is_string(sent) && json_is_string(got))
        return strcasecmp(json_string_value(sent), json_string_value(got)) == 0;
    if (json_is_number(sent) || json_is_number(got)) {
        double a =
            json_is_number(sent) ? json_number_value(sent) : strtod(json_string_value(sent), NULL);
        double c =
            json_is_number(got) ? json_number_value(got) : strtod(json_string_value(got), NULL);
        return fabs(a - c) < 1e-9 * (fabs(a) + 1);
    }
    if (json_is_boolean(sent) && json_is_string(got))
        return strcmp(json_string_value(got), json_is_true(sent) ? "true" : "false") == 0;
    return 0;
}

static const json_t *found_by(const json_t *records, enum sync_side side, const char *key,
                              int by_link)
{
    const json_t *r;
    size_t i;

    json_array_foreach(records, i, r)
    {
        const char *v;
        if (side == SYNC_SIDE_SALESFORCE)
            v = by_link ? sync_json_str(r, SYNC_SF_LINK_FIELD) : sync_json_str(r, "Id");
        else
            v = by_link ? sync_json_str(json_object_get(r, "properties"), SYNC_HS_LINK_PROPERTY)
                        : sync_json_str(r, "id");
        if (v && strcasecmp(v, key) == 0)
            return r;
    }
    return NULL;
}

static int fields_landed(enum sync_side side, const json_t *sent, const json_t *rec)
{
    const json_t *have = side == SYNC_SIDE_HUBSPOT ? json_object_get(rec, "properties") : rec;
    const char *k;
    const json_t *v;

    json_object_foreach((json_t *)sent, k, v)
    {
        const json_t *g = side == SYNC_SIDE_SALESFORCE ? sync_json_get_nocase(have, k, NULL)
                                                       : json_object_get(have, k);
        if (!same_value(v, g))
            return 0;
    }
    return 1;
}

/* Reads back every ambiguous record: found holding the values written -> OK; not there, or
 * (an upsert) there without them -> not sent (it is written again on the entry's next attempt);
 * the read failing -> stays ambiguous. */
static void resolve_ambiguous(struct sync_engine *e, const struct batch *b,
                              const struct sync_conn_rec *recs, size_t n, struct outcome *oc)
{
    struct sync_conn *c = sync__engine_conn(e, b->side);
    const char **keys = calloc(n ? n : 1, sizeof(*keys));
    const char *const *fields = NULL;
    const struct sync_fieldset *fs = sync__engine_fields(e, b->side, b->object);
    struct sync_conn_batch got;
    struct sync_err rerr = SYNC_ERR_INIT;
    size_t m = 0;
    enum sync_rc rc;

    if (!keys)
        return;
    for (size_t i = 0; i < n; i++)
        if (oc[i].what == SYNC_CONN_AMBIGUOUS && m < READ_BACK_MAX)
            keys[m++] = b->cop == SYNC_CONN_UPSERT ? recs[i].link_id : recs[i].id;
    if (!m) {
        free(keys);
        return;
    }
    if (fs)
        fields = fs->names;
    sync_conn_batch_init(&got);
    if (b->cop == SYNC_CONN_UPSERT)
        rc = sync_conn_read_back(c, b->object, keys, m, fields, &got, &rerr);
    else
        rc = sync_conn_fetch(c, b->object, NULL, keys, m, fields, &got, &rerr);
    if (rc) {
        sync_warn("apply", "reading back %zu ambiguous %s %s write%s failed: %s", m, b->target,
                  b->object, m == 1 ? "" : "s", rerr.message);
        for (size_t i = 0; i < n; i++)
            if (oc[i].what == SYNC_CONN_AMBIGUOUS)
                oc[i].unsettled = b->cop != SYNC_CONN_DELETE;
    } else {
        for (size_t i = 0; i < n; i++) {
            const json_t *r;
            const char *key = b->cop == SYNC_CONN_UPSERT ? recs[i].link_id : recs[i].id;
            if (oc[i].what != SYNC_CONN_AMBIGUOUS)
                continue;
            r = found_by(got.records, b->side, key, b->cop == SYNC_CONN_UPSERT);
            oc[i].resolved = 1;
            /* an upsert's record found by link id may be an earlier attempt's: it landed only
             * when it holds this write's values too */
            if (b->cop == SYNC_CONN_DELETE
                    ? r == NULL
                    : r != NULL && fields_landed(b->side, recs[i].fields, r)) {
                const char *id = b->side == SYNC_SIDE_SALESFORCE ? sync_json_str(r, "Id")
                                                                 : sync_json_str(r, "id");
                oc[i].what = SYNC_CONN_OK;
                snprintf(oc[i].id, sizeof(oc[i].id), "%s", id ? id : recs[i].id ? recs[i].id : "");
                sync_info("apply", "ambiguous %s %s write of %s landed (read back)", b->target,
                          b->object, key);
            } else {
                oc[i].what = SYNC_CONN_NOT_SENT;
                oc[i].unsettled = b->cop != SYNC_CONN_DELETE;
                sync_info("apply", "ambiguous %s %s write of %s did not land (read back)",
                          b->target, b->object, key);
            }
        }
    }
    sync_conn_batch_release(&got);
    free(keys);
}

/* ---- associations ---- */

/* The record of side a link pairs, into buf; NULL while it has none (a create not applied). */
static const char *link_side_id(struct sync_engine *e, const char *link_id, enum sync_side side,
                                char *buf, size_t n)
{
    struct sync_link l;

    if (!link_id || !link_id[0] || sync_store_link_get(e->st, link_id, &l, NULL) != SYNC_OK)
        return NULL;
    snprintf(buf, n, "%s", side == SYNC_SIDE_HUBSPOT ? l.hs_id : l.sf_id);
    return buf[0] ? buf : NULL;
}

struct assoc_item {
    char from[64], to[64], remove[64];
    int ready; /* both ends known */
};

static void assoc_outcome(struct outcome *o, const struct sync_conn_result *r)
{
    o->what = r->outcome;
    o->err = r->err;
    snprintf(o->id, sizeof(o->id), "%s", r->id);
}

static void assoc_call_failed(struct outcome *o, const struct sync_err *err)
{
    o->what = sync_conn_err_ambiguous(err) ? SYNC_CONN_AMBIGUOUS
              : err->cls == SYNC_ERRCLASS_PERMANENT && err->http_status >= 400 &&
                      err->http_status < 500 && err->http_status != 429
                  ? SYNC_CONN_FAILED
                  : SYNC_CONN_NOT_SENT;
    o->err = *err;
}

/* HubSpot: removals first (a company replaced), then the new associations, per target type. */
static void assoc_hubspot(struct sync_engine *e, const struct batch *b, struct assoc_item *it,
                          const size_t *idx, size_t m, const char *to_object, struct outcome *oc)
{
    struct sync_conn_assoc *pairs = calloc(m ? m : 1, sizeof(*pairs));
    struct sync_conn_result *res = calloc(m ? m : 1, sizeof(*res));
    size_t *who = calloc(m ? m : 1, sizeof(*who));
    size_t k = 0;

    if (!pairs || !res || !who)
        goto out;
    for (int pass = 0; pass < 2; pass++) {
        struct sync_err cerr = SYNC_ERR_INIT;
        enum sync_rc rc;
        k = 0;
        for (size_t j = 0; j < m; j++) {
            struct assoc_item *a = &it[idx[j]];
            const char *to = pass == 0 ? a->remove : a->to;
            if (!to[0] || oc[idx[j]].what == SYNC_CONN_FAILED)
                continue;
            pairs[k].from_id = a->from;
            pairs[k].to_id = to;
            who[k++] = idx[j];
        }
        if (!k)
            continue;
        rc = sync_conn_associate(e->hs, b->object, to_object, pairs, k, pass == 0, res, &cerr);
        for (size_t j = 0; j < k; j++) {
            if (rc)
                assoc_call_failed(&oc[who[j]], &cerr);
            else if (pass == 1 || res[j].outcome != SYNC_CONN_OK)
                assoc_outcome(&oc[who[j]], &res[j]);
        }
    }
out:
    free(pairs);
    free(res);
    free(who);
}

/* A Salesforce junction record an associate entry makes (via): an opportunity's contact role,
 * or a campaign's member (a lead or a contact). */
struct junction {
    const char *object; /* OpportunityContactRole, CampaignMember */
    const char *parent; /* its parent's field: OpportunityId, CampaignId */
};

static const struct junction *junction_of(const char *via)
{
    static const struct junction j[] = {{"OpportunityContactRole", "OpportunityId"},
                                        {"CampaignMember", "CampaignId"}};
    for (size_t i = 0; i < sizeof(j) / sizeof(j[0]); i++)
        if (strcmp(via, j[i].object) == 0)
            return &j[i];
    return NULL;
}

/* The member's field of a junction record: a lead's LeadId (00Q...), else ContactId. */
static const char *member_field(const struct junction *jn, const char *id)
{
    return strcmp(jn->object, "CampaignMember") == 0 && strncmp(id, "00Q", 3) == 0 ? "LeadId"
                                                                                   : "ContactId";
}

/* The junction records that exist already ("<parent id18>/<member id18>" -> true): a retry
 * after a lost answer, or a member added by hand, finds its own. */
static enum sync_rc junctions_read(struct sync_engine *e, const struct junction *jn,
                                   const struct assoc_item *it, const size_t *idx, size_t m,
                                   json_t *have, struct sync_err *err)
{
    const char **keys = calloc(m ? m : 1, sizeof(*keys));
    const char *fields[] = {jn->parent, "ContactId", "LeadId", NULL};
    int members = strcmp(jn->object, "CampaignMember") == 0;
    struct sync_conn_batch got;
    const json_t *r;
    size_t i;
    enum sync_rc rc = keys ? SYNC_OK : SYNC_ERR_NOMEM;

    sync_conn_batch_init(&got);
    if (!members) {
        /* an opportunity's contact roles are few: read by parent */
        fields[2] = NULL; /* a contact role has no lead */
        for (size_t j = 0; keys && j < m; j++)
            keys[j] = it[idx[j]].from;
        if (keys)
            rc = sync_conn_fetch(e->sf, jn->object, jn->parent, keys, m, fields, &got, err);
    }
    /* a campaign may have many members: read those of the batch's leads, then contacts */
    for (int lead = 1; members && rc == SYNC_OK && lead >= 0; lead--) {
        size_t k = 0;
        for (size_t j = 0; j < m; j++)
            if ((strncmp(it[idx[j]].to, "00Q", 3) == 0) == lead)
                keys[k++] = it[idx[j]].to;
        if (k)
            rc = sync_conn_fetch(e->sf, jn->object, lead ? "LeadId" : "ContactId", keys, k, fields,
                                 &got, err);
    }
    json_array_foreach(got.records, i, r)
    {
        char key[40], a[19], c[19];
        const char *member = sync_json_str(r, "ContactId");
        if (!member)
            member = sync_json_str(r, "LeadId");
        if (sync_value_sf_id18(sync_json_str(r, jn->parent), a) || sync_value_sf_id18(member, c))
            continue;
        snprintf(key, sizeof(key), "%s/%s", a, c);
        json_object_set_new(have, key, json_true());
    }
    sync_conn_batch_release(&got);
    free(keys);
    return rc;
}

/* Salesforce: AccountId written as a field; contact roles and campaign members created unless
 * they exist. */
static void assoc_salesforce(struct sync_engine *e, const struct batch *b, struct assoc_item *it,
                             const size_t *idx, size_t m, const char *via, struct outcome *oc)
{
    const struct junction *jn = junction_of(via);
    struct sync_conn_rec *recs = calloc(m ? m : 1, sizeof(*recs));
    struct sync_conn_result *res = calloc(m ? m : 1, sizeof(*res));
    size_t *who = calloc(m ? m : 1, sizeof(*who));
    json_t *have = json_object();
    struct sync_err cerr = SYNC_ERR_INIT;
    size_t k = 0;
    enum sync_rc rc = SYNC_OK;

    if (!recs || !res || !who || !have)
        goto out;
    if (jn)
        rc = junctions_read(e, jn, it, idx, m, have, &cerr);
    for (size_t j = 0; rc == SYNC_OK && j < m; j++) {
        struct assoc_item *a = &it[idx[j]];
        if (jn) {
            char key[40], f[19], t[19];
            if (sync_value_sf_id18(a->from, f) == 0 && sync_value_sf_id18(a->to, t) == 0) {
                snprintf(key, sizeof(key), "%s/%s", f, t);
                if (json_object_get(have, key)) {
                    oc[idx[j]].what = SYNC_CONN_OK;
                    continue;
                }
                json_object_set_new(have, key, json_true()); /* once per batch too */
            }
            recs[k].fields =
                json_pack("{s:s, s:s}", jn->parent, a->from, member_field(jn, a->to), a->to);
        } else {
            recs[k].id = a->from;
            recs[k].fields = json_pack("{s:s?}", "AccountId", a->to[0] ? a->to : NULL);
        }
        who[k++] = idx[j];
    }
    if (rc == SYNC_OK && k)
        rc = sync_conn_write(e->sf, jn ? SYNC_CONN_CREATE : SYNC_CONN_UPDATE,
                             jn ? jn->object : b->object, recs, k, res, &cerr);
    for (size_t j = 0; j < k; j++) {
        if (rc && res[j].outcome == SYNC_CONN_NOT_SENT)
            assoc_call_failed(&oc[who[j]], &cerr);
        else
            assoc_outcome(&oc[who[j]], &res[j]);
    }
    if (rc && !k)
        for (size_t j = 0; j < m; j++)
            if (oc[idx[j]].what != SYNC_CONN_OK)
                assoc_call_failed(&oc[idx[j]], &cerr);
out:
    for (size_t j = 0; recs && j < k; j++)
        json_decref(recs[j].fields);
    json_decref(have);
    free(recs);
    free(res);
    free(who);
}

/* A round of associate entries: both ends resolved through their links (an end whose create
 * has not been applied yet waits: retried later), then one call per (target type, how). */
static enum sync_rc round_associate(struct sync_engine *e, struct batch *b,
                                    struct sync_pass_stats *stats, struct sync_err *err)
{
    struct assoc_item *it = calloc(b->n, sizeof(*it));
    struct outcome *oc = calloc(b->n, sizeof(*oc));
    size_t *idx = calloc(b->n, sizeof(*idx));
    char *done = calloc(b->n, 1);
    enum sync_rc rc;

    if (!it || !oc || !idx || !done) {
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
        goto out;
    }
    b->cop = SYNC_CONN_UPDATE;
    for (size_t i = 0; i < b->n; i++) {
        struct entry *en = &b->items[i];
        struct assoc_item *a = &it[i];
        const char *from = p_str(en, "id"), *to = p_str(en, "to_id");
        en->primary = en->rec = i;
        if (!from[0])
            from = link_side_id(e, en->link_id, b->side, a->from, sizeof(a->from));
        if (!to[0] && p_str(en, "to_link_id")[0])
            to = link_side_id(e, p_str(en, "to_link_id"), b->side, a->to, sizeof(a->to));
        if (from && from != a->from)
            snprintf(a->from, sizeof(a->from), "%s", from);
        if (to && to != a->to)
            snprintf(a->to, sizeof(a->to), "%s", to);
        snprintf(a->remove, sizeof(a->remove), "%s", p_str(en, "remove_id"));
        a->ready = from && to && (a->to[0] || a->remove[0] || b->side == SYNC_SIDE_SALESFORCE);
        if (!a->ready) {
            oc[i].what = SYNC_CONN_NOT_SENT;
            oc[i].err.cls = SYNC_ERRCLASS_RETRYABLE;
            sync_err_set(&oc[i].err, SYNC_ERR_NOT_FOUND,
                         "waiting for the %s record of link %s to be created", b->target,
                         from ? p_str(en, "to_link_id") : en->link_id);
            oc[i].err.cls = SYNC_ERRCLASS_RETRYABLE;
            done[i] = 1;
        }
    }
    for (size_t i = 0; i < b->n; i++) {
        const char *to_object = p_str(&b->items[i], "to_object"), *via = p_str(&b->items[i], "via");
        size_t m = 0;
        if (done[i])
            continue;
        for (size_t j = i; j < b->n; j++)
            if (!done[j] && strcmp(p_str(&b->items[j], "to_object"), to_object) == 0 &&
                strcmp(p_str(&b->items[j], "via"), via) == 0) {
                idx[m++] = j;
                done[j] = 1;
                oc[j].what = SYNC_CONN_OK;
            }
        if (b->side == SYNC_SIDE_HUBSPOT)
            assoc_hubspot(e, b, it, idx, m, to_object, oc);
        else
            assoc_salesforce(e, b, it, idx, m, via, oc);
    }
    rc = record_batch(e, b, oc, stats, err);
out:
    free(it);
    free(oc);
    free(idx);
    free(done);
    return rc;
}

/* ---- one round ---- */

/* Whether a Salesforce outcome may be a refusal of the object as a whole. */
static int object_refusal(const struct outcome *o)
{
    if (o->what != SYNC_CONN_FAILED && o->what != SYNC_CONN_NOT_SENT)
        return 0;
    return strcmp(o->err.code, "INSUFFICIENT_ACCESS_OR_READONLY") == 0 ||
           sync_budget_classify(o->err.http_status, o->err.code, o->err.message) ==
               SYNC_SUSPEND_OBJECT_PERMISSIONS ||
           (o->what == SYNC_CONN_NOT_SENT && o->err.http_status == 404);
}

/* Salesforce refusing the integration user the object itself, not these records, suspends the
 * integration (budget.h object_permissions): the refused records are held for the suspension
 * instead of each becoming a sync error. */
static void hold_object_refusals(struct sync_engine *e, const struct batch *b, struct outcome *oc,
                                 size_t n)
{
    size_t first = n;

    if (b->side != SYNC_SIDE_SALESFORCE)
        return;
    for (size_t i = 0; i < n && first == n; i++)
        if (object_refusal(&oc[i]))
            first = i;
    if (first == n || !sync__budget_object_refused(e, b->object, b->cop, &oc[first].err))
        return;
    sync_warn("apply", "%s %s %s: %s: the integration user lacks the object permission", b->target,
              b->op, b->object, oc[first].err.message);
    for (size_t i = first; i < n; i++)
        if (object_refusal(&oc[i]))
            oc[i].held = 1;
}

/* Merges entries that write the same record into the first of them; returns how many go out. */
static size_t batch_merge(struct batch *b, json_t **fields)
{
    size_t nrec = 0;

    for (size_t i = 0; i < b->n; i++) {
        struct entry *it = &b->items[i];
        const char *key = entry_key(b, it);
        json_t *f = json_object_get(it->payload, "fields");

        it->primary = i;
        for (size_t j = 0; key[0] && j < i; j++)
            if (b->items[j].primary == j && strcmp(entry_key(b, &b->items[j]), key) == 0) {
                it->primary = j;
                break;
            }
        if (it->primary == i) {
            it->rec = nrec;
            fields[nrec++] = json_is_object(f) ? json_deep_copy(f) : json_object();
        } else if (json_is_object(f)) {
            json_object_update(fields[b->items[it->primary].rec], f);
        }
    }
    return nrec;
}

static enum sync_rc round_write(struct sync_engine *e, struct batch *b,
                                struct sync_pass_stats *stats, struct sync_err *err)
{
    json_t **fields = calloc(b->n, sizeof(*fields));
    struct sync_conn_rec *recs = calloc(b->n, sizeof(*recs));
    struct sync_conn_result *res = calloc(b->n, sizeof(*res));
    struct outcome *oc = calloc(b->n, sizeof(*oc));
    struct sync_err werr = SYNC_ERR_INIT;
    size_t nrec;
    enum sync_rc rc = SYNC_OK;

    if (!fields || !recs || !res || !oc) {
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
        goto out;
    }
    nrec = batch_merge(b, fields);
    for (size_t i = 0; i < b->n; i++) {
        const struct entry *it = &b->items[i];
        struct sync_conn_rec *r;
        if (it->primary != i)
            continue;
        r = &recs[it->rec];
        r->link_id = it->link_id;
        r->id = p_str(it, "id");
        r->fields = fields[it->rec];
        if ((unsigned)sync_json_int(it->payload, "flags", 0) & SYNC_APPLY_F_ASSIGN)
            r->flags |= SYNC_CONN_REC_ASSIGN;
    }
    if (b->cop == SYNC_CONN_UPSERT)
        rc = sync__engine_ensure_link(e, b->side, b->object, &werr);
    if (rc == SYNC_OK) {
        b->sent_at = sync_time_now_ms();
        rc = sync_conn_write(sync__engine_conn(e, b->side), b->cop, b->object, recs, nrec, res,
                             &werr);
        for (size_t i = 0; i < nrec; i++) {
            oc[i].what = res[i].outcome;
            oc[i].err = res[i].err;
            snprintf(oc[i].id, sizeof(oc[i].id), "%s", res[i].id);
        }
        if (rc && !sync_conn_err_ambiguous(&werr))
            sync_warn("apply", "%s %s %s: %s", b->target, b->op, b->object, werr.message);
        resolve_ambiguous(e, b, recs, nrec, oc);
    } else {
        sync_warn("apply", "%s %s: the link-id field is not usable: %s", b->target, b->object,
                  werr.message);
        for (size_t i = 0; i < nrec; i++) {
            oc[i].what = SYNC_CONN_NOT_SENT;
            oc[i].err = werr;
        }
    }
    hold_object_refusals(e, b, oc, nrec);
    rc = record_batch(e, b, oc, stats, err);
out:
    for (size_t i = 0; fields && i < b->n; i++)
        json_decref(fields[i]);
    free(fields);
    free(recs);
    free(res);
    free(oc);
    return rc;
}

enum sync_rc sync_apply_run(struct sync_engine *e, struct sync_pass_stats *stats,
                            struct sync_err *err)
{
    enum sync_rc prc =
        sync_store_unsettled_prune(e->st, sync_time_now_ms() - SYNC_ENGINE_UNSETTLED_KEEP_MS, err);

    if (prc)
        return prc;
    if (sync__budget_ok(e) && e->budget.retries_suppressed)
        sync__budget_defer_retries(e); /* fresh changes still go out */
    for (int round = 0; round < ROUNDS_MAX; round++) {
        struct sync_outbox_claim req;
        struct batch b;
        enum sync_rc rc;

        if (!sync__budget_ok(e))
            return SYNC_OK; /* suspended: the entries wait */

        memset(&req, 0, sizeof(req));
        memset(&b, 0, sizeof(b));
        req.now = sync_time_now_ms();
        req.lease_ms = SYNC_ENGINE_LEASE_MS;
        req.max = CLAIM_MAX;
        rc = sync_store_outbox_claim(e->st, &req, claim_one, &b, err);
        if (rc) {
            batch_release(&b);
            return rc;
        }
        if (b.n == 0) {
            batch_release(&b);
            return SYNC_OK;
        }
        b.side = strcmp(b.target, "hubspot") == 0 ? SYNC_SIDE_HUBSPOT : SYNC_SIDE_SALESFORCE;
        if (strcmp(b.op, "associate") == 0) {
            rc = round_associate(e, &b, stats, err);
        } else if (parse_op(b.op, &b.cop)) {
            struct outcome *oc = calloc(b.n, sizeof(*oc));
            if (!oc) {
                batch_release(&b);
                return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
            }
            for (size_t i = 0; i < b.n; i++) {
                b.items[i].primary = i;
                b.items[i].rec = i;
                oc[i].what = SYNC_CONN_FAILED;
                oc[i].err.cls = SYNC_ERRCLASS_PERMANENT;
                sync_err_set(&oc[i].err, SYNC_ERR_INVALID, "operation '%s' is not supported", b.op);
                oc[i].err.cls = SYNC_ERRCLASS_PERMANENT;
            }
            rc = record_batch(e, &b, oc, stats, err);
            free(oc);
        } else {
            rc = round_write(e, &b, stats, err);
        }
        batch_release(&b);
        if (rc)
            return rc;
    }
    return SYNC_OK;
}
