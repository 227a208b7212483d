/*
 * store_int.h: what a state-store backend implements, and the part of
 * struct sync_store that store.c keeps for every backend.
 *
 * Included by store.c and by the backends (store_sqlite.c; store_pg.c
 * later) only. store.c is the sole caller of the ops (curl's lib/vtls
 * shape, git's struct ref_storage_be): it validates arguments, counts
 * operations for the fault seam, guards against calls from iteration
 * callbacks and tracks the caller's transaction, so a backend only
 * translates each operation to its database.
 *
 * A backend's open allocates its own struct whose first member is a
 * struct sync_store (git's struct ref_store base), fills in ops, and
 * returns a pointer to that member; every other op gets it back and
 * downcasts. close frees it, rolling back an open transaction.
 *
 * Contracts on top of store.h's:
 *   - An op that changes several rows is atomic: inside the caller's
 *     transaction it uses a savepoint, outside it its own transaction.
 *   - commit that fails leaves no transaction open.
 *   - Strings passed in are valid and within the store.h length limits;
 *     store.c checked them. "" for an optional id means NULL.
 *   - "now" arguments come from store.c; backends never read the clock.
 */
#ifndef SYNC_STORE_STORE_INT_H
#define SYNC_STORE_STORE_INT_H

#include "store/store.h"

struct sync_store_ops;

struct sync_store {
    const struct sync_store_ops *ops;
    int in_txn;             /* between a successful begin and commit/rollback */
    int savepoints;         /* open savepoints of the transaction */
    int busy;               /* an operation (and maybe its callback) is running */
    unsigned long ops_run;  /* operations started since open */
    unsigned long fault_at; /* fail the operation with this ops_run number; 0: never */
    int fault_persist;      /* and every one after it */
};

struct sync_store_migration {
    int version; /* 1, 2, ... without gaps */
    const char *name;
    const char *sql;
};

struct sync_store_ops {
    const char *name;
    enum sync_rc (*open)(struct sync_store **out, const char *target, struct sync_err *err);
    void (*close)(struct sync_store *st);
    enum sync_rc (*info)(struct sync_store *st, struct sync_store_info *out, struct sync_err *err);
    enum sync_rc (*check)(struct sync_store *st, struct sync_err *err);

    enum sync_rc (*begin)(struct sync_store *st, struct sync_err *err);
    enum sync_rc (*commit)(struct sync_store *st, struct sync_err *err);
    enum sync_rc (*rollback)(struct sync_store *st, struct sync_err *err);
    enum sync_rc (*savepoint)(struct sync_store *st, struct sync_err *err);
    enum sync_rc (*savepoint_release)(struct sync_store *st, struct sync_err *err);
    enum sync_rc (*savepoint_rollback)(struct sync_store *st, struct sync_err *err);

    enum sync_rc (*setting_get)(struct sync_store *st, const char *key, struct sync_buf *out,
                                struct sync_err *err);
    enum sync_rc (*setting_set)(struct sync_store *st, const char *key, const char *json,
                                int64_t now, struct sync_err *err);
    enum sync_rc (*setting_delete)(struct sync_store *st, const char *key, struct sync_err *err);
    enum sync_rc (*setting_list)(struct sync_store *st, sync_store_setting_fn fn, void *ctx,
                                 struct sync_err *err);

    enum sync_rc (*mapping_insert)(struct sync_store *st, const struct sync_store_mapping *m,
                                   int64_t *id, struct sync_err *err);
    enum sync_rc (*mapping_delete)(struct sync_store *st, int64_t id, struct sync_err *err);
    enum sync_rc (*mapping_list)(struct sync_store *st, const char *kind, sync_store_mapping_fn fn,
                                 void *ctx, struct sync_err *err);

    enum sync_rc (*link_insert)(struct sync_store *st, const struct sync_link *l,
                                struct sync_err *err);
    enum sync_rc (*link_get)(struct sync_store *st, const char *link_id, struct sync_link *out,
                             struct sync_err *err);
    enum sync_rc (*link_get_by_hs)(struct sync_store *st, const char *kind, const char *hs_id,
                                   struct sync_link *out, struct sync_err *err);
    enum sync_rc (*link_get_by_sf)(struct sync_store *st, const char *sf_object, const char *sf_id,
                                   struct sync_link *out, struct sync_err *err);
    enum sync_rc (*link_update)(struct sync_store *st, const struct sync_link *l,
                                struct sync_err *err);
    enum sync_rc (*link_list)(struct sync_store *st, const struct sync_link_query *q,
                              sync_store_link_fn fn, void *ctx, struct sync_err *err);

    enum sync_rc (*ledger_put)(struct sync_store *st, const struct sync_ledger_entry *e,
                               struct sync_err *err);
    enum sync_rc (*ledger_list)(struct sync_store *st, const char *link_id, sync_store_ledger_fn fn,
                                void *ctx, struct sync_err *err);
    enum sync_rc (*ledger_clear)(struct sync_store *st, const char *link_id, struct sync_err *err);

    enum sync_rc (*unsettled_put)(struct sync_store *st, const struct sync_unsettled *u,
                                  struct sync_err *err);
    enum sync_rc (*unsettled_list)(struct sync_store *st, const char *link_id,
                                   sync_store_unsettled_fn fn, void *ctx, struct sync_err *err);
    enum sync_rc (*unsettled_drop)(struct sync_store *st, const struct sync_unsettled *u,
                                   struct sync_err *err);
    enum sync_rc (*unsettled_prune)(struct sync_store *st, int64_t floor, struct sync_err *err);

    enum sync_rc (*cursor_get)(struct sync_store *st, const char *source, struct sync_buf *out,
                               int64_t *updated_at, struct sync_err *err);
    enum sync_rc (*cursor_set)(struct sync_store *st, const char *source, const char *position,
                               int64_t now, struct sync_err *err);
    enum sync_rc (*cursor_delete)(struct sync_store *st, const char *source, struct sync_err *err);
    enum sync_rc (*seen_mark)(struct sync_store *st, const char *source, const char *record_id,
                              int64_t version, const char *digest, int *seen, struct sync_err *err);
    enum sync_rc (*seen_prune)(struct sync_store *st, const char *source, int64_t floor,
                               struct sync_err *err);

    enum sync_rc (*inbox_put)(struct sync_store *st, const struct sync_change *c, int64_t now,
                              int *stored, struct sync_err *err);
    enum sync_rc (*inbox_take)(struct sync_store *st, size_t max, sync_store_change_fn fn,
                               void *ctx, struct sync_err *err);
    enum sync_rc (*inbox_delete)(struct sync_store *st, const char *system, const char *object,
                                 const char *record_id, int64_t version, struct sync_err *err);
    enum sync_rc (*inbox_count)(struct sync_store *st, sync_store_count_fn fn, void *ctx,
                                struct sync_err *err);

    enum sync_rc (*outbox_enqueue)(struct sync_store *st, const struct sync_outbox_entry *e,
                                   int64_t now, int64_t *id, struct sync_err *err);
    enum sync_rc (*outbox_claim)(struct sync_store *st, const struct sync_outbox_claim *req,
                                 sync_store_outbox_fn fn, void *ctx, struct sync_err *err);
    enum sync_rc (*outbox_complete)(struct sync_store *st, int64_t id, struct sync_err *err);
    /* attempted: 1 counts an attempt (a retry), 0 none (a write held back) */
    enum sync_rc (*outbox_reschedule)(struct sync_store *st, int64_t id, int64_t next_attempt_at,
                                      int attempted, struct sync_err *err);
    enum sync_rc (*outbox_stats)(struct sync_store *st, struct sync_outbox_stats *out,
                                 struct sync_err *err);

    enum sync_rc (*error_record)(struct sync_store *st, const struct sync_error_row *e, int64_t now,
                                 struct sync_err *err);
    enum sync_rc (*error_resolve)(struct sync_store *st, const char *system, const char *object,
                                  const char *record_id, const char *category, int64_t now,
                                  struct sync_err *err);
    enum sync_rc (*error_list)(struct sync_store *st, const struct sync_error_query *q,
                               sync_store_error_fn fn, void *ctx, struct sync_err *err);
    enum sync_rc (*error_counts)(struct sync_store *st, sync_store_error_count_fn fn, void *ctx,
                                 struct sync_err *err);

    enum sync_rc (*conflict_insert)(struct sync_store *st, const struct sync_conflict_row *c,
                                    int64_t now, int64_t *id, struct sync_err *err);
    enum sync_rc (*conflict_list)(struct sync_store *st, const char *link_id, size_t max,
                                  sync_store_conflict_fn fn, void *ctx, struct sync_err *err);

    enum sync_rc (*decision_append)(struct sync_store *st, const struct sync_decision_row *d,
                                    unsigned keep, int64_t now, struct sync_err *err);
    enum sync_rc (*decision_list)(struct sync_store *st, const char *system, const char *object,
                                  const char *record_id, size_t max, sync_store_decision_fn fn,
                                  void *ctx, struct sync_err *err);

    enum sync_rc (*api_usage_record)(struct sync_store *st, const struct sync_api_usage *u,
                                     struct sync_err *err);
    enum sync_rc (*api_usage_get)(struct sync_store *st, const char *vendor, const char *metric,
                                  struct sync_api_usage *out, struct sync_err *err);

    enum sync_rc (*api_calls_add)(struct sync_store *st, const char *vendor, int64_t minute,
                                  int64_t n, struct sync_err *err);
    enum sync_rc (*api_calls_sum)(struct sync_store *st, const char *vendor, int64_t from_minute,
                                  int64_t *total, struct sync_err *err);
    enum sync_rc (*api_calls_prune)(struct sync_store *st, const char *vendor,
                                    int64_t before_minute, struct sync_err *err);
    enum sync_rc (*suspension_put)(struct sync_store *st, const struct sync_suspension_row *s,
                                   int64_t now, struct sync_err *err);
    enum sync_rc (*suspension_list)(struct sync_store *st, const char *vendor,
                                    sync_store_suspension_fn fn, void *ctx, struct sync_err *err);
    enum sync_rc (*suspension_clear)(struct sync_store *st, const char *vendor, const char *kind,
                                     int64_t *cleared, struct sync_err *err);
    enum sync_rc (*outbox_defer_retries)(struct sync_store *st, const char *target, int64_t now,
                                         int64_t next_attempt_at, int64_t *moved,
                                         struct sync_err *err);
    enum sync_rc (*import_insert)(struct sync_store *st, const struct sync_import_row *r,
                                  int64_t now, int64_t *id, struct sync_err *err);
    enum sync_rc (*import_get)(struct sync_store *st, int64_t id, sync_store_import_fn fn,
                               void *ctx, struct sync_err *err);
    enum sync_rc (*import_list)(struct sync_store *st, const char *state, size_t max,
                                sync_store_import_fn fn, void *ctx, struct sync_err *err);
    enum sync_rc (*import_advance)(struct sync_store *st, int64_t id, const char *from,
                                   int64_t read, int64_t queued, const char *position, int64_t now,
                                   struct sync_err *err);
    enum sync_rc (*import_set_state)(struct sync_store *st, int64_t id, const char *from,
                                     const char *state, const char *error, int64_t now,
                                     struct sync_err *err);
    enum sync_rc (*credentials_put)(struct sync_store *st, const struct sync_credentials_row *r,
                                    int64_t now, int64_t *updated_at, struct sync_err *err);
    enum sync_rc (*credentials_get)(struct sync_store *st, const char *vendor,
                                    sync_store_credentials_fn fn, void *ctx, struct sync_err *err);
    enum sync_rc (*credentials_forget)(struct sync_store *st, const char *vendor, int64_t now,
                                       int *had, struct sync_err *err);
    enum sync_rc (*credentials_validity)(struct sync_store *st, const char *vendor,
                                         int64_t updated_at, int valid, const char *error,
                                         int64_t now, int *recorded, struct sync_err *err);
};

/* The SQLite backend (store_sqlite.c) and its migrations (generated from migrations/sqlite/). */
extern const struct sync_store_ops store_sqlite_ops;
extern const struct sync_store_migration store_sqlite_migrations[];
extern const size_t store_sqlite_migrations_count;

#endif
