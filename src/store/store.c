/*
 * store.c: the state store's one entry point (see store.h).
 *
 * Owns the choice of backend from the URL, argument checks, link ids,
 * bookkeeping timestamps, the caller's transaction state, the guard that
 * refuses calls from inside an iteration callback, and the failure
 * injection seam. Everything else is the backend's, reached only through
 * struct sync_store_ops (store_int.h); this file is the ops' sole caller.
 *
 * Called by the engine, capture, apply, the CLI and the admin API.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/crypto.h"
#include "core/time.h"

/* ---- backends by URL ---- */

struct store_scheme {
    const char *prefix;
    const struct sync_store_ops *ops; /* NULL: known but not built */
};

static const struct store_scheme schemes[] = {
    {"sqlite:", &store_sqlite_ops},
    {"postgres://", NULL},
    {"postgresql://", NULL},
};

enum sync_rc sync_store_open(struct sync_store **out, const char *url, struct sync_err *err)
{
    *out = NULL;
    if (!url || !*url)
        return sync_err_set(err, SYNC_ERR_INVALID, "store: no store URL given");
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        size_t n = strlen(schemes[i].prefix);
        if (strncmp(url, schemes[i].prefix, n) != 0)
            continue;
        if (!schemes[i].ops)
            return sync_err_set(err, SYNC_ERR_INVALID,
                                "store: the PostgreSQL backend is not built yet; use sqlite:FILE");
        if (!url[n])
            return sync_err_set(err, SYNC_ERR_INVALID, "store: '%s' names no database", url);
        return schemes[i].ops->open(out, url + n, err);
    }
    return sync_err_set(err, SYNC_ERR_INVALID,
                        "store: unknown store URL '%s' (expected sqlite:FILE or postgres://...)",
                        url);
}

void sync_store_close(struct sync_store *st)
{
    if (st)
        st->ops->close(st);
}

/* ---- the guard and the fault seam, run by every counted operation ---- */

static enum sync_rc enter(struct sync_store *st, struct sync_err *err)
{
    if (st->busy)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "store: called from inside a store callback; act after the walk");
    st->ops_run++;
    if (st->fault_at &&
        (st->ops_run == st->fault_at || (st->fault_persist && st->ops_run > st->fault_at)))
        return sync_err_set(err, SYNC_ERR_IO, "store: injected fault at operation %lu",
                            st->ops_run);
    st->busy = 1;
    return SYNC_OK;
}

static enum sync_rc leave(struct sync_store *st, enum sync_rc rc)
{
    st->busy = 0;
    return rc;
}

void sync_store_fault_set(struct sync_store *st, unsigned long nth, int persist)
{
    st->fault_at = nth ? st->ops_run + nth : 0;
    st->fault_persist = persist;
}

unsigned long sync_store_op_count(const struct sync_store *st)
{
    return st->ops_run;
}

/* ---- argument checks ---- */

/* A required string: set, non-empty, shorter than max. */
static enum sync_rc need(const char *what, const char *s, size_t max, struct sync_err *err)
{
    if (!s || !*s)
        return sync_err_set(err, SYNC_ERR_INVALID, "store: %s is required", what);
    if (strlen(s) >= max)
        return sync_err_set(err, SYNC_ERR_INVALID, "store: %s '%.40s...' is too long (max %zu)",
                            what, s, max - 1);
    return SYNC_OK;
}

/* An optional string: NULL or "" or shorter than max. */
static enum sync_rc maybe(const char *what, const char *s, size_t max, struct sync_err *err)
{
    if (!s || !*s)
        return SYNC_OK;
    return need(what, s, max, err);
}

static enum sync_rc need_system(const char *what, const char *s, struct sync_err *err)
{
    if (!s || (strcmp(s, "hubspot") != 0 && strcmp(s, "salesforce") != 0))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "store: %s must be \"hubspot\" or \"salesforce\", not '%s'", what,
                            s ? s : "(null)");
    return SYNC_OK;
}

static enum sync_rc need_link_id(const char *s, struct sync_err *err)
{
    if (!s || strlen(s) != SYNC_LINK_ID_LEN || s[0] != 'L' ||
        strspn(s + 1, "0123456789abcdef") != SYNC_LINK_ID_LEN - 1)
        return sync_err_set(err, SYNC_ERR_INVALID, "store: '%s' is not a link id",
                            s ? s : "(null)");
    return SYNC_OK;
}

static enum sync_rc need_record(const char *system, const char *object, const char *record_id,
                                struct sync_err *err)
{
    enum sync_rc rc = need_system("system", system, err);
    if (!rc)
        rc = need("object", object, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("record id", record_id, SYNC_STORE_ID_MAX, err);
    return rc;
}

static enum sync_rc need_batch(size_t max, struct sync_err *err)
{
    if (max < 1 || max > SYNC_STORE_BATCH_MAX)
        return sync_err_set(err, SYNC_ERR_INVALID, "store: batch size %zu is not in 1..%d", max,
                            SYNC_STORE_BATCH_MAX);
    return SYNC_OK;
}

/* ---- info, check, transactions ---- */

enum sync_rc sync_store_info(struct sync_store *st, struct sync_store_info *out,
                             struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    memset(out, 0, sizeof(*out));
    return leave(st, st->ops->info(st, out, err));
}

enum sync_rc sync_store_check(struct sync_store *st, struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    return leave(st, st->ops->check(st, err));
}

enum sync_rc sync_store_begin(struct sync_store *st, struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    if (st->in_txn)
        return leave(st, sync_err_set(err, SYNC_ERR_INVALID,
                                      "store: a transaction is already open (no nesting)"));
    rc = st->ops->begin(st, err);
    if (!rc) {
        st->in_txn = 1;
        st->savepoints = 0;
    }
    return leave(st, rc);
}

enum sync_rc sync_store_commit(struct sync_store *st, struct sync_err *err)
{
    enum sync_rc rc;

    if (!st->in_txn && !st->busy)
        return sync_err_set(err, SYNC_ERR_INVALID, "store: commit without a transaction");
    rc = enter(st, err);
    if (rc == SYNC_ERR_IO) {
        st->ops->rollback(st, NULL); /* an injected commit failure stores nothing */
        st->in_txn = st->savepoints = 0;
    }
    if (rc)
        return rc;
    rc = st->ops->commit(st, err); /* on failure the backend has rolled back */
    st->in_txn = st->savepoints = 0;
    return leave(st, rc);
}

enum sync_rc sync_store_rollback(struct sync_store *st, struct sync_err *err)
{
    if (st->busy)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "store: called from inside a store callback; act after the walk");
    if (!st->in_txn)
        return sync_err_set(err, SYNC_ERR_INVALID, "store: rollback without a transaction");
    st->in_txn = st->savepoints = 0;
    return st->ops->rollback(st, err);
}

int sync_store_in_transaction(const struct sync_store *st)
{
    return st->in_txn;
}

enum sync_rc sync_store_savepoint(struct sync_store *st, struct sync_err *err)
{
    enum sync_rc rc;

    if (!st->in_txn && !st->busy)
        return sync_err_set(err, SYNC_ERR_INVALID, "store: a savepoint needs a transaction");
    if ((rc = enter(st, err)))
        return rc;
    rc = st->ops->savepoint(st, err);
    if (!rc)
        st->savepoints++;
    return leave(st, rc);
}

enum sync_rc sync_store_savepoint_release(struct sync_store *st, struct sync_err *err)
{
    enum sync_rc rc;

    if (!st->savepoints && !st->busy)
        return sync_err_set(err, SYNC_ERR_INVALID, "store: release without a savepoint");
    if ((rc = enter(st, err)))
        return rc; /* still open: the caller rolls it back */
    rc = st->ops->savepoint_release(st, err);
    if (!rc)
        st->savepoints--;
    return leave(st, rc);
}

enum sync_rc sync_store_savepoint_rollback(struct sync_store *st, struct sync_err *err)
{
    if (st->busy)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "store: called from inside a store callback; act after the walk");
    if (!st->savepoints)
        return sync_err_set(err, SYNC_ERR_INVALID, "store: rollback without a savepoint");
    st->savepoints--;
    return st->ops->savepoint_rollback(st, err);
}

/* ---- settings ---- */

enum sync_rc sync_store_setting_get(struct sync_store *st, const char *key, struct sync_buf *out,
                                    struct sync_err *err)
{
    enum sync_rc rc = need("setting key", key, SYNC_STORE_NAME_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->setting_get(st, key, out, err));
}

enum sync_rc sync_store_setting_set(struct sync_store *st, const char *key, const char *json,
                                    struct sync_err *err)
{
    json_error_t jerr;
    json_t *v;
    enum sync_rc rc = need("setting key", key, SYNC_STORE_NAME_MAX, err);

    if (rc)
        return rc;
    v = json ? json_loads(json, JSON_DECODE_ANY, &jerr) : NULL;
    if (!v)
        return sync_err_set(err, SYNC_ERR_PARSE, "store: setting '%s' is not JSON: %s", key,
                            json ? jerr.text : "no value");
    json_decref(v);
    if ((rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->setting_set(st, key, json, sync_time_now_ms(), err));
}

enum sync_rc sync_store_setting_delete(struct sync_store *st, const char *key, struct sync_err *err)
{
    enum sync_rc rc = need("setting key", key, SYNC_STORE_NAME_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->setting_delete(st, key, err));
}

enum sync_rc sync_store_setting_list(struct sync_store *st, sync_store_setting_fn fn, void *ctx,
                                     struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    return leave(st, st->ops->setting_list(st, fn, ctx, err));
}

/* ---- mappings ---- */

enum sync_rc sync_store_mapping_insert(struct sync_store *st, const struct sync_store_mapping *m,
                                       int64_t *id, struct sync_err *err)
{
    enum sync_rc rc = need("mapping kind", m->kind, SYNC_STORE_KIND_MAX, err);
    if (!rc)
        rc = need("HubSpot property", m->hs_property, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("Salesforce object", m->sf_object, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("Salesforce field", m->sf_field, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("mapping rule", m->rule, SYNC_STORE_NAME_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->mapping_insert(st, m, id, err));
}

enum sync_rc sync_store_mapping_delete(struct sync_store *st, int64_t id, struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    return leave(st, st->ops->mapping_delete(st, id, err));
}

enum sync_rc sync_store_mapping_list(struct sync_store *st, const char *kind,
                                     sync_store_mapping_fn fn, void *ctx, struct sync_err *err)
{
    enum sync_rc rc = maybe("mapping kind", kind, SYNC_STORE_KIND_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->mapping_list(st, kind && *kind ? kind : NULL, fn, ctx, err));
}

/* ---- links ---- */

static const char *const link_state_names[SYNC_LINK__COUNT] = {
    "PENDING_CREATE", "LINKED", "FAILED", "DETACHED", "DELETED",
};

const char *sync_link_state_name(enum sync_link_state s)
{
    if ((unsigned)s >= SYNC_LINK__COUNT)
        return NULL;
    return link_state_names[s];
}

int sync_link_state_parse(const char *s, enum sync_link_state *out)
{
    for (int i = 0; s && i < SYNC_LINK__COUNT; i++) {
        if (strcmp(s, link_state_names[i]) == 0) {
            *out = (enum sync_link_state)i;
            return 0;
        }
    }
    return -1;
}

/* The fields a caller may set, whether inserting or updating. */
static enum sync_rc check_link(const struct sync_link *l, struct sync_err *err)
{
    enum sync_rc rc = need("link kind", l->kind, SYNC_STORE_KIND_MAX, err);
    if (!rc)
        rc = need("Salesforce object", l->sf_object, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = maybe("HubSpot id", l->hs_id, SYNC_STORE_ID_MAX, err);
    if (!rc)
        rc = maybe("Salesforce id", l->sf_id, SYNC_STORE_ID_MAX, err);
    if (rc)
        return rc;
    if (!sync_link_state_name(l->state))
        return sync_err_set(err, SYNC_ERR_INVALID, "store: link state %d is unknown",
                            (int)l->state);
    if (!l->hs_id[0] && !l->sf_id[0])
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "store: a link needs a HubSpot or Salesforce id");
    if (l->state == SYNC_LINK_LINKED && (!l->hs_id[0] || !l->sf_id[0]))
        return sync_err_set(err, SYNC_ERR_INVALID, "store: a LINKED link needs both ids");
    return SYNC_OK;
}

/* "L" + 24 lower-case hex digits from 12 random bytes. */
static enum sync_rc new_link_id(char out[SYNC_LINK_ID_LEN + 1], struct sync_err *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[(SYNC_LINK_ID_LEN - 1) / 2];

    if (sync_random_bytes(r, sizeof(r)))
        return sync_err_set(err, SYNC_ERR_INTERNAL, "store: no random bytes for a link id");
    out[0] = 'L';
    for (size_t i = 0; i < sizeof(r); i++) {
        out[1 + 2 * i] = hex[r[i] >> 4];
        out[2 + 2 * i] = hex[r[i] & 15];
    }
    out[SYNC_LINK_ID_LEN] = '\0';
    return SYNC_OK;
}

enum sync_rc sync_store_link_insert(struct sync_store *st, struct sync_link *l,
                                    struct sync_err *err)
{
    enum sync_rc rc = check_link(l, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    rc = new_link_id(l->link_id, err);
    if (rc)
        return leave(st, rc);
    l->created_at = l->updated_at = sync_time_now_ms();
    return leave(st, st->ops->link_insert(st, l, err));
}

enum sync_rc sync_store_link_insert_as(struct sync_store *st, struct sync_link *l,
                                       struct sync_err *err)
{
    enum sync_rc rc = need_link_id(l->link_id, err);
    if (!rc)
        rc = check_link(l, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    l->created_at = l->updated_at = sync_time_now_ms();
    return leave(st, st->ops->link_insert(st, l, err));
}

enum sync_rc sync_store_link_get(struct sync_store *st, const char *link_id, struct sync_link *out,
                                 struct sync_err *err)
{
    enum sync_rc rc = need_link_id(link_id, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->link_get(st, link_id, out, err));
}

enum sync_rc sync_store_link_get_by_hs(struct sync_store *st, const char *kind, const char *hs_id,
                                       struct sync_link *out, struct sync_err *err)
{
    enum sync_rc rc = need("link kind", kind, SYNC_STORE_KIND_MAX, err);
    if (!rc)
        rc = need("HubSpot id", hs_id, SYNC_STORE_ID_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->link_get_by_hs(st, kind, hs_id, out, err));
}

enum sync_rc sync_store_link_get_by_sf(struct sync_store *st, const char *sf_object,
                                       const char *sf_id, struct sync_link *out,
                                       struct sync_err *err)
{
    enum sync_rc rc = need("Salesforce object", sf_object, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("Salesforce id", sf_id, SYNC_STORE_ID_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->link_get_by_sf(st, sf_object, sf_id, out, err));
}

enum sync_rc sync_store_link_update(struct sync_store *st, struct sync_link *l,
                                    struct sync_err *err)
{
    enum sync_rc rc = need_link_id(l->link_id, err);
    if (!rc)
        rc = check_link(l, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    l->updated_at = sync_time_now_ms();
    return leave(st, st->ops->link_update(st, l, err));
}

enum sync_rc sync_store_link_list(struct sync_store *st, const struct sync_link_query *q,
                                  sync_store_link_fn fn, void *ctx, struct sync_err *err)
{
    enum sync_rc rc = maybe("link kind", q->kind, SYNC_STORE_KIND_MAX, err);
    if (!rc && q->state != -1 && !sync_link_state_name((enum sync_link_state)q->state))
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: link state %d is unknown", q->state);
    if (!rc)
        rc = maybe("link id", q->after, SYNC_LINK_ID_LEN + 1, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->link_list(st, q, fn, ctx, err));
}

/* ---- ledger ---- */

enum sync_rc sync_store_ledger_put(struct sync_store *st, const struct sync_ledger_entry *e,
                                   struct sync_err *err)
{
    struct sync_ledger_entry stamped = *e;
    enum sync_rc rc = need_link_id(e->link_id, err);

    if (!rc)
        rc = need("ledger field", e->field, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("ledger writer", e->written_by, SYNC_STORE_KIND_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    if (!stamped.agreed_at)
        stamped.agreed_at = sync_time_now_ms();
    return leave(st, st->ops->ledger_put(st, &stamped, err));
}

enum sync_rc sync_store_ledger_list(struct sync_store *st, const char *link_id,
                                    sync_store_ledger_fn fn, void *ctx, struct sync_err *err)
{
    enum sync_rc rc = need_link_id(link_id, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->ledger_list(st, link_id, fn, ctx, err));
}

enum sync_rc sync_store_ledger_clear(struct sync_store *st, const char *link_id,
                                     struct sync_err *err)
{
    enum sync_rc rc = need_link_id(link_id, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->ledger_clear(st, link_id, err));
}

/* ---- unsettled writes ---- */

static enum sync_rc need_unsettled(const struct sync_unsettled *u, struct sync_err *err)
{
    enum sync_rc rc = need_link_id(u->link_id, err);

    if (!rc && (!u->side || (strcmp(u->side, "hubspot") && strcmp(u->side, "salesforce"))))
        rc = sync_err_set(err, SYNC_ERR_INVALID,
                          "store: an unsettled write's side must be hubspot or salesforce");
    if (!rc)
        rc = need("unsettled field", u->field, SYNC_STORE_NAME_MAX, err);
    return rc;
}

enum sync_rc sync_store_unsettled_put(struct sync_store *st, const struct sync_unsettled *u,
                                      struct sync_err *err)
{
    struct sync_unsettled stamped = *u;
    enum sync_rc rc = need_unsettled(u, err);

    if (rc || (rc = enter(st, err)))
        return rc;
    if (!stamped.sent_at)
        stamped.sent_at = sync_time_now_ms();
    return leave(st, st->ops->unsettled_put(st, &stamped, err));
}

enum sync_rc sync_store_unsettled_list(struct sync_store *st, const char *link_id,
                                       sync_store_unsettled_fn fn, void *ctx, struct sync_err *err)
{
    enum sync_rc rc = need_link_id(link_id, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->unsettled_list(st, link_id, fn, ctx, err));
}

enum sync_rc sync_store_unsettled_drop(struct sync_store *st, const struct sync_unsettled *u,
                                       struct sync_err *err)
{
    enum sync_rc rc = need_unsettled(u, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->unsettled_drop(st, u, err));
}

enum sync_rc sync_store_unsettled_prune(struct sync_store *st, int64_t floor, struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    return leave(st, st->ops->unsettled_prune(st, floor, err));
}

/* ---- cursors ---- */

enum sync_rc sync_store_cursor_get(struct sync_store *st, const char *source, struct sync_buf *out,
                                   int64_t *updated_at, struct sync_err *err)
{
    enum sync_rc rc = need("cursor source", source, SYNC_STORE_NAME_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->cursor_get(st, source, out, updated_at, err));
}

enum sync_rc sync_store_cursor_delete(struct sync_store *st, const char *source,
                                      struct sync_err *err)
{
    enum sync_rc rc = need("cursor source", source, SYNC_STORE_NAME_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->cursor_delete(st, source, err));
}

enum sync_rc sync_store_cursor_set(struct sync_store *st, const char *source, const char *position,
                                   struct sync_err *err)
{
    enum sync_rc rc = need("cursor source", source, SYNC_STORE_NAME_MAX, err);
    if (!rc && !position)
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: cursor position is required");
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->cursor_set(st, source, position, sync_time_now_ms(), err));
}

/* ---- capture: seen rows ---- */

enum sync_rc sync_store_seen_mark(struct sync_store *st, const char *source, const char *record_id,
                                  int64_t version, const char *digest, int *seen,
                                  struct sync_err *err)
{
    enum sync_rc rc = need("cursor source", source, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("record id", record_id, SYNC_STORE_ID_MAX, err);
    if (!rc)
        rc = need("digest", digest, SYNC_STORE_NAME_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    *seen = 0;
    return leave(st, st->ops->seen_mark(st, source, record_id, version, digest, seen, err));
}

enum sync_rc sync_store_seen_prune(struct sync_store *st, const char *source, int64_t floor,
                                   struct sync_err *err)
{
    enum sync_rc rc = need("cursor source", source, SYNC_STORE_NAME_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->seen_prune(st, source, floor, err));
}

/* ---- inbox ---- */

enum sync_rc sync_store_inbox_put(struct sync_store *st, const struct sync_change *c, int *stored,
                                  struct sync_err *err)
{
    enum sync_rc rc = need_record(c->system, c->object, c->record_id, err);
    if (!rc && !c->payload)
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: change payload is required");
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->inbox_put(st, c, sync_time_now_ms(), stored, err));
}

enum sync_rc sync_store_inbox_take(struct sync_store *st, size_t max, sync_store_change_fn fn,
                                   void *ctx, struct sync_err *err)
{
    enum sync_rc rc = need_batch(max, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->inbox_take(st, max, fn, ctx, err));
}

enum sync_rc sync_store_inbox_delete(struct sync_store *st, const char *system, const char *object,
                                     const char *record_id, int64_t version, struct sync_err *err)
{
    enum sync_rc rc = need_record(system, object, record_id, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->inbox_delete(st, system, object, record_id, version, err));
}

enum sync_rc sync_store_inbox_count(struct sync_store *st, sync_store_count_fn fn, void *ctx,
                                    struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    return leave(st, st->ops->inbox_count(st, fn, ctx, err));
}

/* ---- outbox ---- */

enum sync_rc sync_store_outbox_enqueue(struct sync_store *st, const struct sync_outbox_entry *e,
                                       int64_t *id, struct sync_err *err)
{
    enum sync_rc rc = need_link_id(e->link_id, err);
    if (!rc)
        rc = need_system("outbox target", e->target, err);
    if (!rc)
        rc = need("outbox object", e->object, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("outbox operation", e->op, SYNC_STORE_KIND_MAX, err);
    if (!rc && !e->payload)
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: outbox payload is required");
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->outbox_enqueue(st, e, sync_time_now_ms(), id, err));
}

enum sync_rc sync_store_outbox_claim(struct sync_store *st, const struct sync_outbox_claim *req,
                                     sync_store_outbox_fn fn, void *ctx, struct sync_err *err)
{
    int given = !!req->target + !!req->object + !!req->op;
    enum sync_rc rc = need_batch(req->max, err);

    if (!rc && req->lease_ms < 0)
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: negative claim lease");
    if (!rc && given != 0 && given != 3)
        rc = sync_err_set(err, SYNC_ERR_INVALID,
                          "store: a claim names its whole group (target, object, op) or none");
    if (!rc && given) {
        rc = need_system("outbox target", req->target, err);
        if (!rc)
            rc = need("outbox object", req->object, SYNC_STORE_NAME_MAX, err);
        if (!rc)
            rc = need("outbox operation", req->op, SYNC_STORE_KIND_MAX, err);
    }
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->outbox_claim(st, req, fn, ctx, err));
}

enum sync_rc sync_store_outbox_complete(struct sync_store *st, int64_t id, struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    return leave(st, st->ops->outbox_complete(st, id, err));
}

enum sync_rc sync_store_outbox_reschedule(struct sync_store *st, int64_t id,
                                          int64_t next_attempt_at, struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    return leave(st, st->ops->outbox_reschedule(st, id, next_attempt_at, 1, err));
}

enum sync_rc sync_store_outbox_release(struct sync_store *st, int64_t id, int64_t next_attempt_at,
                                       struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    return leave(st, st->ops->outbox_reschedule(st, id, next_attempt_at, 0, err));
}

enum sync_rc sync_store_outbox_stats(struct sync_store *st, struct sync_outbox_stats *out,
                                     struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    memset(out, 0, sizeof(*out));
    return leave(st, st->ops->outbox_stats(st, out, err));
}

/* ---- sync errors ---- */

enum sync_rc sync_store_error_record(struct sync_store *st, const struct sync_error_row *e,
                                     struct sync_err *err)
{
    enum sync_rc rc = need_record(e->system, e->object, e->record_id, err);
    if (!rc && e->link_id && *e->link_id)
        rc = need_link_id(e->link_id, err);
    if (!rc)
        rc = need("error category", e->category, SYNC_STORE_KIND_MAX, err);
    if (!rc)
        rc = maybe("error code", e->code, SYNC_ERR_CODE_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->error_record(st, e, sync_time_now_ms(), err));
}

enum sync_rc sync_store_error_resolve(struct sync_store *st, const char *system, const char *object,
                                      const char *record_id, const char *category,
                                      struct sync_err *err)
{
    enum sync_rc rc = need_record(system, object, record_id, err);
    if (!rc)
        rc = maybe("error category", category, SYNC_STORE_KIND_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->error_resolve(st, system, object, record_id,
                                            category && *category ? category : NULL,
                                            sync_time_now_ms(), err));
}

enum sync_rc sync_store_error_list(struct sync_store *st, const struct sync_error_query *q,
                                   sync_store_error_fn fn, void *ctx, struct sync_err *err)
{
    int given = !!q->system + !!q->object + !!q->record_id;
    enum sync_rc rc = maybe("error category", q->category, SYNC_STORE_KIND_MAX, err);

    if (!rc && given != 0 && given != 3)
        rc =
            sync_err_set(err, SYNC_ERR_INVALID,
                         "store: an error query names a whole record (system, object, id) or none");
    if (!rc && given)
        rc = need_record(q->system, q->object, q->record_id, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->error_list(st, q, fn, ctx, err));
}

enum sync_rc sync_store_error_counts(struct sync_store *st, sync_store_error_count_fn fn, void *ctx,
                                     struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);
    if (rc)
        return rc;
    return leave(st, st->ops->error_counts(st, fn, ctx, err));
}

/* ---- conflicts ---- */

enum sync_rc sync_store_conflict_insert(struct sync_store *st, const struct sync_conflict_row *c,
                                        int64_t *id, struct sync_err *err)
{
    enum sync_rc rc = need_link_id(c->link_id, err);
    if (!rc)
        rc = need("conflict field", c->field, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("conflict rule", c->rule, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("conflict winner", c->winner, SYNC_STORE_KIND_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->conflict_insert(st, c, sync_time_now_ms(), id, err));
}

enum sync_rc sync_store_conflict_list(struct sync_store *st, const char *link_id, size_t max,
                                      sync_store_conflict_fn fn, void *ctx, struct sync_err *err)
{
    enum sync_rc rc = need_link_id(link_id, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->conflict_list(st, link_id, max, fn, ctx, err));
}

/* ---- decisions ---- */

enum sync_rc sync_store_decision_append(struct sync_store *st, const struct sync_decision_row *d,
                                        unsigned keep, struct sync_err *err)
{
    enum sync_rc rc = need_record(d->system, d->object, d->record_id, err);
    if (!rc && d->link_id && *d->link_id)
        rc = need_link_id(d->link_id, err);
    if (!rc)
        rc = need("decision action", d->action, SYNC_STORE_NAME_MAX, err);
    if (!rc && !d->trace)
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: decision trace is required");
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->decision_append(st, d, keep ? keep : SYNC_STORE_DECISIONS_KEEP,
                                              sync_time_now_ms(), err));
}

enum sync_rc sync_store_decision_list(struct sync_store *st, const char *system, const char *object,
                                      const char *record_id, size_t max, sync_store_decision_fn fn,
                                      void *ctx, struct sync_err *err)
{
    enum sync_rc rc = need_record(system, object, record_id, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->decision_list(st, system, object, record_id, max, fn, ctx, err));
}

/* ---- API usage ---- */

enum sync_rc sync_store_api_usage_record(struct sync_store *st, const struct sync_api_usage *u,
                                         struct sync_err *err)
{
    struct sync_api_usage stamped = *u;
    enum sync_rc rc = need_system("vendor", u->vendor, err);

    if (!rc)
        rc = need("usage metric", u->metric, SYNC_STORE_KIND_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    if (!stamped.reported_at)
        stamped.reported_at = sync_time_now_ms();
    return leave(st, st->ops->api_usage_record(st, &stamped, err));
}

enum sync_rc sync_store_api_usage_get(struct sync_store *st, const char *vendor, const char *metric,
                                      struct sync_api_usage *out, struct sync_err *err)
{
    enum sync_rc rc = need_system("vendor", vendor, err);
    if (!rc)
        rc = maybe("usage metric", metric, SYNC_STORE_KIND_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st,
                 st->ops->api_usage_get(st, vendor, metric && *metric ? metric : NULL, out, err));
}

/* ---- API calls per minute ---- */

#define MINUTE_MS 60000

enum sync_rc sync_store_api_calls_add(struct sync_store *st, const char *vendor, int64_t at,
                                      int64_t n, struct sync_err *err)
{
    enum sync_rc rc = need_system("vendor", vendor, err);

    if (!rc && (n < 0 || at < 0))
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: API calls and their time must be >= 0");
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->api_calls_add(st, vendor, at / MINUTE_MS, n, err));
}

enum sync_rc sync_store_api_calls_sum(struct sync_store *st, const char *vendor, int64_t since,
                                      int64_t *total, struct sync_err *err)
{
    enum sync_rc rc = need_system("vendor", vendor, err);
    int64_t from = since <= 0 ? 0 : (since + MINUTE_MS - 1) / MINUTE_MS;

    *total = 0;
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->api_calls_sum(st, vendor, from, total, err));
}

enum sync_rc sync_store_api_calls_prune(struct sync_store *st, const char *vendor, int64_t floor,
                                        struct sync_err *err)
{
    enum sync_rc rc = need_system("vendor", vendor, err);
    int64_t before = floor <= 0 ? 0 : (floor + MINUTE_MS - 1) / MINUTE_MS;

    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->api_calls_prune(st, vendor, before, err));
}

/* ---- suspensions ---- */

enum sync_rc sync_store_suspension_put(struct sync_store *st, const struct sync_suspension_row *s,
                                       struct sync_err *err)
{
    enum sync_rc rc = need_system("vendor", s->vendor, err);

    if (!rc)
        rc = need("suspension kind", s->kind, SYNC_STORE_KIND_MAX, err);
    if (!rc)
        rc = maybe("suspension code", s->code, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = need("suspension message", s->message, SYNC_ERR_MSG_MAX + 512, err);
    if (!rc && s->check_at < 0)
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: check_at must be >= 0");
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->suspension_put(st, s, sync_time_now_ms(), err));
}

enum sync_rc sync_store_suspension_list(struct sync_store *st, const char *vendor,
                                        sync_store_suspension_fn fn, void *ctx,
                                        struct sync_err *err)
{
    enum sync_rc rc = vendor ? need_system("vendor", vendor, err) : SYNC_OK;

    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->suspension_list(st, vendor, fn, ctx, err));
}

enum sync_rc sync_store_suspension_clear(struct sync_store *st, const char *vendor,
                                         const char *kind, int64_t *cleared, struct sync_err *err)
{
    int64_t n = 0;
    enum sync_rc rc = need_system("vendor", vendor, err);

    if (!rc)
        rc = maybe("suspension kind", kind, SYNC_STORE_KIND_MAX, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    rc = leave(st, st->ops->suspension_clear(st, vendor, kind && *kind ? kind : NULL, &n, err));
    if (cleared)
        *cleared = n;
    return rc;
}

/* ---- outbox: deferring retries ---- */

enum sync_rc sync_store_outbox_defer_retries(struct sync_store *st, const char *target, int64_t now,
                                             int64_t next_attempt_at, int64_t *moved,
                                             struct sync_err *err)
{
    int64_t n = 0;
    enum sync_rc rc = need_system("target", target, err);

    if (rc || (rc = enter(st, err)))
        return rc;
    rc = leave(st, st->ops->outbox_defer_retries(st, target, now, next_attempt_at, &n, err));
    if (moved)
        *moved = n;
    return rc;
}

/* ---- imports ---- */

int sync_store_import_state_ok(const char *s)
{
    static const char *const states[] = {"running", "done", "failed", "cancelled"};

    for (size_t i = 0; s && i < sizeof(states) / sizeof(states[0]); i++)
        if (strcmp(s, states[i]) == 0)
            return 1;
    return 0;
}

static enum sync_rc need_import_state(const char *what, const char *s, struct sync_err *err)
{
    if (!sync_store_import_state_ok(s))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "store: %s must be running, done, failed or cancelled, not '%s'", what,
                            s ? s : "(null)");
    return SYNC_OK;
}

enum sync_rc sync_store_import_insert(struct sync_store *st, const struct sync_import_row *r,
                                      int64_t *id, struct sync_err *err)
{
    enum sync_rc rc = need_system("import system", r->system, err);

    if (!rc)
        rc = need("import object", r->object, SYNC_STORE_NAME_MAX, err);
    if (!rc)
        rc = maybe("import filter", r->filter, SYNC_STORE_FILTER_MAX, err);
    if (!rc)
        rc = maybe("import list id", r->list_id, SYNC_STORE_ID_MAX, err);
    if (!rc && r->total < -1)
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: an import's total must be >= -1");
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->import_insert(st, r, sync_time_now_ms(), id, err));
}

enum sync_rc sync_store_import_get(struct sync_store *st, int64_t id, sync_store_import_fn fn,
                                   void *ctx, struct sync_err *err)
{
    enum sync_rc rc = enter(st, err);

    if (rc)
        return rc;
    return leave(st, st->ops->import_get(st, id, fn, ctx, err));
}

enum sync_rc sync_store_import_list(struct sync_store *st, const char *state, size_t max,
                                    sync_store_import_fn fn, void *ctx, struct sync_err *err)
{
    enum sync_rc rc = state ? need_import_state("import state", state, err) : SYNC_OK;

    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->import_list(st, state, max, fn, ctx, err));
}

enum sync_rc sync_store_import_advance(struct sync_store *st, int64_t id, const char *from,
                                       int64_t read, int64_t queued, const char *position,
                                       struct sync_err *err)
{
    enum sync_rc rc = maybe("import position", position, SYNC_STORE_FILTER_MAX, err);

    if (!rc)
        rc = maybe("import position (from)", from, SYNC_STORE_FILTER_MAX, err);
    if (!rc && (read < 0 || queued < 0))
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: an import's counts only grow");
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->import_advance(st, id, from && *from ? from : NULL, read, queued,
                                             position && *position ? position : NULL,
                                             sync_time_now_ms(), err));
}

enum sync_rc sync_store_import_set_state(struct sync_store *st, int64_t id, const char *from,
                                         const char *state, const char *error, struct sync_err *err)
{
    enum sync_rc rc = from ? need_import_state("import state (from)", from, err) : SYNC_OK;

    if (!rc)
        rc = need_import_state("import state", state, err);
    if (!rc)
        rc = maybe("import error", error, SYNC_ERR_MSG_MAX + 512, err);
    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->import_set_state(st, id, from, state, error && *error ? error : NULL,
                                               sync_time_now_ms(), err));
}

/* ---- credentials ---- */

enum sync_rc sync_store_credentials_put(struct sync_store *st, const struct sync_credentials_row *r,
                                        int64_t *updated_at, struct sync_err *err)
{
    int64_t gen = 0;
    enum sync_rc rc = need_system("vendor", r->vendor, err);

    if (!rc)
        rc = need("sealed credentials", r->sealed, SYNC_STORE_SEALED_MAX, err);
    if (!rc)
        rc = maybe("username", r->username, SYNC_STORE_URL_MAX, err);
    if (!rc)
        rc = maybe("login_url", r->login_url, SYNC_STORE_URL_MAX, err);
    if (!rc)
        rc = maybe("grant", r->grant, SYNC_STORE_KIND_MAX, err);
    if (!rc)
        rc = maybe("credentials error", r->error, SYNC_ERR_MSG_MAX + 512, err);
    if (!rc && (r->valid < -1 || r->valid > 1))
        rc = sync_err_set(err, SYNC_ERR_INVALID, "store: valid must be 1, 0 or -1");
    if (rc || (rc = enter(st, err)))
        return rc;
    rc = leave(st, st->ops->credentials_put(st, r, sync_time_now_ms(), &gen, err));
    if (updated_at)
        *updated_at = rc ? 0 : gen;
    return rc;
}

enum sync_rc sync_store_credentials_get(struct sync_store *st, const char *vendor,
                                        sync_store_credentials_fn fn, void *ctx,
                                        struct sync_err *err)
{
    enum sync_rc rc = need_system("vendor", vendor, err);

    if (rc || (rc = enter(st, err)))
        return rc;
    return leave(st, st->ops->credentials_get(st, vendor, fn, ctx, err));
}

enum sync_rc sync_store_credentials_forget(struct sync_store *st, const char *vendor, int *had,
                                           struct sync_err *err)
{
    int h = 0;
    enum sync_rc rc = need_system("vendor", vendor, err);

    if (rc || (rc = enter(st, err)))
        return rc;
    rc = leave(st, st->ops->credentials_forget(st, vendor, sync_time_now_ms(), &h, err));
    if (had)
        *had = rc ? 0 : h;
    return rc;
}

enum sync_rc sync_store_credentials_validity(struct sync_store *st, const char *vendor,
                                             int64_t updated_at, int valid, const char *error,
                                             int *recorded, struct sync_err *err)
{
    int done = 0;
    enum sync_rc rc = need_system("vendor", vendor, err);

    if (!rc)
        rc = maybe("credentials error", error, SYNC_ERR_MSG_MAX + 512, err);
    if (!rc && (valid < -1 || valid > 1 || updated_at < 0))
        rc = sync_err_set(err, SYNC_ERR_INVALID,
                          "store: valid must be 1, 0 or -1 and updated_at >= 0");
    if (rc || (rc = enter(st, err)))
        return rc;
    rc = leave(st, st->ops->credentials_validity(st, vendor, updated_at, valid, error,
                                                 sync_time_now_ms(), &done, err));
    if (recorded)
        *recorded = rc ? 0 : done;
    return rc;
}
