/*
 * store_sqlite.c: the SQLite state-store backend (store_int.h's ops).
 *
 * Owns one SQLite connection per struct sync_store: its settings, the
 * migrations run at open, a cache of prepared statements, and the SQL of
 * every operation. Called only by store.c, which has already checked the
 * arguments; nothing here reads the clock.
 *
 * Connection settings (docs/STORE.md says why):
 *   journal_mode=WAL     readers never block the writer, nor it them
 *   synchronous=FULL     a commit is on disk (WAL fsynced) before it returns
 *   foreign_keys=ON      ledger, outbox and conflicts rows need their link
 *   busy timeout 5 s     a second writer waits its turn, then SYNC_ERR_IO
 *
 * Transactions: the caller's is BEGIN IMMEDIATE, so the write lock is
 * taken up front and a read never has to be upgraded mid-transaction (the
 * upgrade can fail with SQLITE_BUSY without waiting). An operation of
 * several statements runs inside a savepoint when the caller has a
 * transaction open and inside its own BEGIN IMMEDIATE otherwise, so it is
 * atomic either way (op_begin/op_end).
 *
 * If SQLite rolls a transaction back by itself (it does on some I/O and
 * out-of-memory errors), every later operation fails until the caller
 * rolls back, instead of silently running in autocommit mode.
 */
#include "store/store_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"

#define STORE_SQLITE_BUSY_MS 5000

enum stmt_id {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_SAVEPOINT,
    S_RELEASE,
    S_ROLLBACK_TO,
    S_UNIT,
    S_UNIT_RELEASE,
    S_UNIT_ROLLBACK,
    S_META_GET,
    S_META_SET,
    S_SETTING_GET,
    S_SETTING_SET,
    S_SETTING_DELETE,
    S_SETTING_LIST,
    S_MAPPING_INSERT,
    S_MAPPING_DELETE,
    S_MAPPING_LIST,
    S_LINK_INSERT,
    S_LINK_GET,
    S_LINK_GET_BY_HS,
    S_LINK_GET_BY_SF,
    S_LINK_UPDATE,
    S_LINK_LIST,
    S_LEDGER_PUT,
    S_LEDGER_LIST,
    S_LEDGER_CLEAR,
    S_UNSETTLED_PUT,
    S_UNSETTLED_LIST,
    S_UNSETTLED_DROP,
    S_UNSETTLED_PRUNE,
    S_CURSOR_GET,
    S_CURSOR_SET,
    S_CURSOR_DELETE,
    S_SEEN_FORGET,
    S_SEEN_GET,
    S_SEEN_SET,
    S_SEEN_PRUNE,
    S_INBOX_PUT,
    S_INBOX_TAKE,
    S_INBOX_DELETE,
    S_INBOX_COUNT,
    S_OUTBOX_ENQUEUE,
    S_OUTBOX_GROUP,
    S_OUTBOX_BATCH,
    S_OUTBOX_LEASE,
    S_OUTBOX_COMPLETE,
    S_OUTBOX_RESCHEDULE,
    S_OUTBOX_STATS,
    S_ERROR_RECORD,
    S_ERROR_RESOLVE,
    S_ERROR_LIST_RECORD,
    S_ERROR_LIST_CATEGORY,
    S_ERROR_LIST_ANY,
    S_ERROR_COUNTS,
    S_CONFLICT_INSERT,
    S_CONFLICT_LIST,
    S_DECISION_INSERT,
    S_DECISION_TRIM,
    S_DECISION_LIST,
    S_USAGE_RECORD,
    S_USAGE_GET,
    S_CALLS_ADD,
    S_CALLS_SUM,
    S_CALLS_PRUNE,
    S_SUSPENSION_PUT,
    S_SUSPENSION_LIST,
    S_SUSPENSION_CLEAR,
    S_OUTBOX_DEFER_RETRIES,
    S_IMPORT_INSERT,
    S_IMPORT_GET,
    S_IMPORT_LIST,
    S_IMPORT_ADVANCE,
    S_IMPORT_STATE,
    S_CREDS_PUT,
    S_CREDS_GET,
    S_CREDS_FORGET,
    S_CREDS_VALIDITY,
    S_CREDS_VALIDITY_NEW,
    S__COUNT
};

#define LINK_COLS                                                                                  \
    "link_id, kind, hs_id, sf_object, sf_id, state, last_to_hs, last_to_sf, created_at, "          \
    "updated_at"
#define OUTBOX_COLS                                                                                \
    "id, link_id, target, object, op, payload, state, attempts, next_attempt_at, created_at"
#define IMPORT_COLS                                                                                \
    "id, system, object, filter, list_id, state, total, read, queued, position, started_at, "      \
    "updated_at, finished_at, run_started_at, run_read, error"
#define ERROR_COLS                                                                                 \
    "id, system, object, record_id, link_id, category, code, message, attempts, first_seen, "      \
    "last_seen, resolved_at"
/* Error listings bind the same parameters: ?1 category, ?2..?4 record, ?5 include resolved,
 * ?6 limit. */
#define ERROR_ORDER " ORDER BY last_seen DESC, id DESC LIMIT ?6"
/* The earliest due entry among those waiting and those whose lease lapsed. */
#define OUTBOX_DUE_IN(state)                                                                       \
    "SELECT target, object, op, next_attempt_at, id FROM (SELECT target, object, op, "             \
    "next_attempt_at, id FROM outbox WHERE state = '" state "' AND next_attempt_at <= ?1 "         \
    "ORDER BY next_attempt_at, id LIMIT 1)"

static const char *const stmt_sql[S__COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT store_op",
    [S_RELEASE] = "RELEASE store_op",
    [S_ROLLBACK_TO] = "ROLLBACK TO store_op",
    [S_UNIT] = "SAVEPOINT unit",
    [S_UNIT_RELEASE] = "RELEASE unit",
    [S_UNIT_ROLLBACK] = "ROLLBACK TO unit",
    [S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [S_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [S_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
    [S_SETTING_SET] = "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                      "updated_at = excluded.updated_at",
    [S_SETTING_DELETE] = "DELETE FROM settings WHERE key = ?1",
    [S_SETTING_LIST] = "SELECT key, value FROM settings ORDER BY key",
    [S_MAPPING_INSERT] = "INSERT INTO mappings (kind, hs_property, sf_object, sf_field, rule, "
                         "builtin) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_MAPPING_DELETE] = "DELETE FROM mappings WHERE id = ?1",
    [S_MAPPING_LIST] = "SELECT id, kind, hs_property, sf_object, sf_field, rule, builtin "
                       "FROM mappings WHERE ?1 IS NULL OR kind = ?1 ORDER BY id",
    [S_LINK_INSERT] = "INSERT INTO links (" LINK_COLS ") "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_LINK_GET] = "SELECT " LINK_COLS " FROM links WHERE link_id = ?1",
    [S_LINK_GET_BY_HS] = "SELECT " LINK_COLS " FROM links WHERE kind = ?1 AND hs_id = ?2",
    [S_LINK_GET_BY_SF] = "SELECT " LINK_COLS " FROM links WHERE sf_object = ?1 AND sf_id = ?2",
    [S_LINK_UPDATE] = "UPDATE links SET hs_id = ?2, sf_object = ?3, sf_id = ?4, state = ?5, "
                      "last_to_hs = ?6, last_to_sf = ?7, updated_at = ?8 WHERE link_id = ?1",
    [S_LINK_LIST] = "SELECT " LINK_COLS " FROM links WHERE (?1 IS NULL OR kind = ?1) "
                    "AND (?2 IS NULL OR state = ?2) AND link_id > ?3 ORDER BY link_id LIMIT ?4",
    [S_LEDGER_PUT] = "INSERT INTO ledger (link_id, field, value, written_by, agreed_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (link_id, field) DO UPDATE SET "
                     "value = excluded.value, written_by = excluded.written_by, "
                     "agreed_at = excluded.agreed_at",
    [S_LEDGER_LIST] = "SELECT link_id, field, value, written_by, agreed_at FROM ledger "
                      "WHERE link_id = ?1 ORDER BY field",
    [S_LEDGER_CLEAR] = "DELETE FROM ledger WHERE link_id = ?1",
    [S_UNSETTLED_PUT] = "INSERT INTO unsettled_writes (link_id, side, field, value, sent_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (link_id, side, field, value) "
                        "DO UPDATE SET sent_at = max(sent_at, excluded.sent_at)",
    [S_UNSETTLED_LIST] = "SELECT link_id, side, field, value, sent_at FROM unsettled_writes "
                         "WHERE link_id = ?1 ORDER BY side, field, value",
    [S_UNSETTLED_DROP] = "DELETE FROM unsettled_writes WHERE link_id = ?1 AND side = ?2 "
                         "AND field = ?3 AND value = ?4",
    [S_UNSETTLED_PRUNE] = "DELETE FROM unsettled_writes WHERE sent_at < ?1",
    [S_CURSOR_GET] = "SELECT position, updated_at FROM cursors WHERE source = ?1",
    [S_CURSOR_DELETE] = "DELETE FROM cursors WHERE source = ?1",
    [S_SEEN_FORGET] = "DELETE FROM capture_seen WHERE source = ?1",
    [S_CURSOR_SET] = "INSERT INTO cursors (source, position, updated_at) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (source) DO UPDATE SET position = excluded.position, "
                     "updated_at = excluded.updated_at",
    [S_SEEN_GET] = "SELECT version, digest FROM capture_seen WHERE source = ?1 AND record_id = ?2",
    [S_SEEN_SET] = "INSERT INTO capture_seen (source, record_id, version, digest) "
                   "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (source, record_id) DO UPDATE SET "
                   "version = excluded.version, digest = excluded.digest",
    [S_SEEN_PRUNE] = "DELETE FROM capture_seen WHERE source = ?1 AND version < ?2",
    [S_INBOX_PUT] = "INSERT INTO inbox (system, object, record_id, version, deleted, payload, "
                    "captured_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                    "ON CONFLICT (system, object, record_id) DO UPDATE SET "
                    "version = excluded.version, deleted = excluded.deleted, "
                    "payload = excluded.payload, captured_at = excluded.captured_at "
                    "WHERE excluded.version >= inbox.version",
    [S_INBOX_TAKE] = "SELECT id, system, object, record_id, version, deleted, payload, "
                     "captured_at FROM inbox ORDER BY id LIMIT ?1",
    [S_INBOX_DELETE] = "DELETE FROM inbox WHERE system = ?1 AND object = ?2 AND record_id = ?3 "
                       "AND version <= ?4",
    [S_OUTBOX_ENQUEUE] = "INSERT INTO outbox (link_id, target, object, op, payload, "
                         "next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_OUTBOX_GROUP] =
        OUTBOX_DUE_IN("waiting") " UNION ALL " OUTBOX_DUE_IN("claimed") " ORDER BY 4, 5 LIMIT 1",
    [S_OUTBOX_BATCH] = "SELECT " OUTBOX_COLS " FROM outbox WHERE target = ?1 AND object = ?2 "
                       "AND op = ?3 AND next_attempt_at <= ?4 ORDER BY next_attempt_at, id "
                       "LIMIT ?5",
    [S_OUTBOX_LEASE] = "UPDATE outbox SET state = 'claimed', next_attempt_at = ?2 WHERE id = ?1",
    [S_OUTBOX_COMPLETE] = "DELETE FROM outbox WHERE id = ?1",
    [S_OUTBOX_RESCHEDULE] = "UPDATE outbox SET state = 'waiting', attempts = attempts + ?3, "
                            "next_attempt_at = ?2 WHERE id = ?1",
    [S_INBOX_COUNT] = "SELECT system, object, count(*) FROM inbox GROUP BY system, object "
                      "ORDER BY system, object",
    [S_OUTBOX_STATS] = "SELECT state, count(*), min(next_attempt_at) FROM outbox GROUP BY state",
    [S_ERROR_RECORD] =
        "INSERT INTO sync_errors (system, object, record_id, link_id, category, code, message, "
        "attempts, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?8) "
        "ON CONFLICT (system, object, record_id, category) DO UPDATE SET "
        "attempts = CASE WHEN resolved_at IS NULL THEN attempts + 1 ELSE 1 END, "
        "first_seen = CASE WHEN resolved_at IS NULL THEN first_seen ELSE excluded.first_seen END, "
        "last_seen = excluded.last_seen, code = excluded.code, message = excluded.message, "
        "link_id = coalesce(excluded.link_id, link_id), resolved_at = NULL",
    [S_ERROR_RESOLVE] = "UPDATE sync_errors SET resolved_at = ?5 WHERE system = ?1 AND "
                        "object = ?2 AND record_id = ?3 AND (?4 IS NULL OR category = ?4) AND "
                        "resolved_at IS NULL",
    [S_ERROR_LIST_RECORD] = "SELECT " ERROR_COLS " FROM sync_errors WHERE system = ?2 AND "
                            "object = ?3 AND record_id = ?4 AND (?1 IS NULL OR category = ?1) "
                            "AND (?5 OR resolved_at IS NULL)" ERROR_ORDER,
    [S_ERROR_LIST_CATEGORY] = "SELECT " ERROR_COLS " FROM sync_errors WHERE category = ?1 AND "
                              "resolved_at IS NULL" ERROR_ORDER,
    [S_ERROR_LIST_ANY] = "SELECT " ERROR_COLS " FROM sync_errors WHERE (?1 IS NULL OR "
                         "category = ?1) AND (?5 OR resolved_at IS NULL)" ERROR_ORDER,
    [S_ERROR_COUNTS] = "SELECT category, count(*) FROM sync_errors WHERE resolved_at IS NULL "
                       "GROUP BY category ORDER BY category",
    [S_CONFLICT_INSERT] = "INSERT INTO conflicts (link_id, field, hs_value, hs_at, sf_value, "
                          "sf_at, rule, winner, recorded_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_CONFLICT_LIST] = "SELECT id, link_id, field, hs_value, hs_at, sf_value, sf_at, rule, "
                        "winner, recorded_at FROM conflicts WHERE link_id = ?1 "
                        "ORDER BY id DESC LIMIT ?2",
    [S_DECISION_INSERT] = "INSERT INTO decisions (system, object, record_id, link_id, action, "
                          "trace, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_DECISION_TRIM] = "DELETE FROM decisions WHERE system = ?1 AND object = ?2 AND "
                        "record_id = ?3 AND id <= (SELECT id FROM decisions WHERE system = ?1 "
                        "AND object = ?2 AND record_id = ?3 ORDER BY id DESC LIMIT 1 OFFSET ?4)",
    [S_DECISION_LIST] = "SELECT id, system, object, record_id, link_id, action, trace, at "
                        "FROM decisions WHERE system = ?1 AND object = ?2 AND record_id = ?3 "
                        "ORDER BY id DESC LIMIT ?4",
    [S_USAGE_RECORD] = "INSERT INTO api_usage (vendor, metric, used, quota, reported_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (vendor, metric) DO UPDATE SET "
                       "used = excluded.used, quota = excluded.quota, "
                       "reported_at = excluded.reported_at",
    [S_USAGE_GET] = "SELECT vendor, metric, used, quota, reported_at FROM api_usage "
                    "WHERE vendor = ?1 AND (?2 IS NULL OR metric = ?2) "
                    "ORDER BY reported_at DESC, metric LIMIT 1",
    [S_CALLS_ADD] = "INSERT INTO api_calls (vendor, minute, calls) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (vendor, minute) DO UPDATE SET calls = calls + excluded.calls",
    [S_CALLS_SUM] = "SELECT coalesce(sum(calls), 0) FROM api_calls WHERE vendor = ?1 "
                    "AND minute >= ?2",
    [S_CALLS_PRUNE] = "DELETE FROM api_calls WHERE vendor = ?1 AND minute < ?2",
    [S_SUSPENSION_PUT] =
        "INSERT INTO suspensions (vendor, kind, code, message, since, check_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (vendor, kind) DO UPDATE SET "
        "code = excluded.code, message = excluded.message, check_at = excluded.check_at, "
        "updated_at = excluded.updated_at",
    [S_SUSPENSION_LIST] = "SELECT vendor, kind, code, message, since, check_at, updated_at "
                          "FROM suspensions WHERE ?1 IS NULL OR vendor = ?1 "
                          "ORDER BY since, vendor, kind",
    [S_SUSPENSION_CLEAR] = "DELETE FROM suspensions WHERE vendor = ?1 AND (?2 IS NULL OR "
                           "kind = ?2)",
    [S_OUTBOX_DEFER_RETRIES] = "UPDATE outbox SET next_attempt_at = ?3 WHERE target = ?1 "
                               "AND state = 'waiting' AND attempts > 0 "
                               "AND next_attempt_at <= ?2",
    [S_IMPORT_INSERT] = "INSERT INTO imports (system, object, filter, list_id, state, total, "
                        "started_at, updated_at, run_started_at) "
                        "VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?6, ?6)",
    [S_IMPORT_GET] = "SELECT " IMPORT_COLS " FROM imports WHERE id = ?1",
    [S_IMPORT_LIST] = "SELECT " IMPORT_COLS " FROM imports WHERE ?1 IS NULL OR state = ?1 "
                      "ORDER BY id DESC LIMIT ?2",
    [S_IMPORT_ADVANCE] = "UPDATE imports SET read = read + ?2, queued = queued + ?3, "
                         "position = ?4, updated_at = ?5 WHERE id = ?1 AND state = 'running' "
                         "AND position IS ?6",
    [S_IMPORT_STATE] = "UPDATE imports SET state = ?3, error = ?4, updated_at = ?5, "
                       "finished_at = CASE WHEN ?3 = 'running' THEN 0 ELSE ?5 END, "
                       "run_started_at = CASE WHEN ?3 = 'running' THEN ?5 ELSE run_started_at END, "
                       "run_read = CASE WHEN ?3 = 'running' THEN read ELSE run_read END "
                       "WHERE id = ?1 AND (?2 IS NULL OR state = ?2)",
    [S_CREDS_PUT] = "INSERT INTO credentials (vendor, sealed, username, login_url, sandbox, "
                    "grant_type, valid, checked_at, error, updated_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8) "
                    "ON CONFLICT (vendor) DO UPDATE SET sealed = excluded.sealed, "
                    "username = excluded.username, login_url = excluded.login_url, "
                    "sandbox = excluded.sandbox, grant_type = excluded.grant_type, "
                    "valid = excluded.valid, checked_at = excluded.checked_at, "
                    "error = excluded.error, "
                    "updated_at = max(excluded.updated_at, credentials.updated_at + 1) "
                    "RETURNING updated_at",
    [S_CREDS_GET] = "SELECT vendor, sealed, username, login_url, sandbox, grant_type, valid, "
                    "checked_at, error, updated_at FROM credentials WHERE vendor = ?1",
    [S_CREDS_FORGET] = "UPDATE credentials SET sealed = NULL, username = NULL, login_url = NULL, "
                       "sandbox = 0, grant_type = NULL, valid = NULL, checked_at = 0, "
                       "error = NULL, updated_at = max(?2, updated_at + 1) "
                       "WHERE vendor = ?1 AND sealed IS NOT NULL",
    [S_CREDS_VALIDITY] = "UPDATE credentials SET valid = ?3, checked_at = ?4, error = ?5 "
                         "WHERE vendor = ?1 AND updated_at = ?2",
    [S_CREDS_VALIDITY_NEW] = "INSERT INTO credentials (vendor, valid, checked_at, error, "
                             "updated_at) VALUES (?1, ?2, ?3, ?4, 0) "
                             "ON CONFLICT (vendor) DO NOTHING",
};

struct store_sqlite {
    struct sync_store base; /* first: store.c holds a pointer to it */
    sqlite3 *db;
    sqlite3_stmt *stmt[S__COUNT]; /* prepared on first use, kept until close */
};

static struct store_sqlite *B(struct sync_store *st)
{
    return (struct store_sqlite *)st;
}

/* ---- errors ---- */

/* Translates the connection's last error; what names the operation. */
static enum sync_rc fail(struct store_sqlite *b, const char *what, struct sync_err *err)
{
    int code = sqlite3_extended_errcode(b->db);
    const char *msg = sqlite3_errmsg(b->db);
    enum sync_rc rc;

    switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
        if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
            return sync_err_set(err, SYNC_ERR_NOT_FOUND, "sqlite store: %s: no such link", what);
        if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
            return sync_err_set(err, SYNC_ERR_INVALID, "sqlite store: %s: already exists (%s)",
                                what, msg);
        return sync_err_set(err, SYNC_ERR_INVALID, "sqlite store: %s: %s", what, msg);
    case SQLITE_NOMEM:
        rc = SYNC_ERR_NOMEM;
        break;
    case SQLITE_TOOBIG:
        rc = SYNC_ERR_TOO_LARGE;
        break;
    default:
        rc = SYNC_ERR_IO;
    }
    sync_err_set(err, rc, "sqlite store: %s: %s", what, msg);
    if (err && ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED))
        err->cls = SYNC_ERRCLASS_RETRYABLE;
    return rc;
}

/* ---- statements ---- */

/* The cached statement id, prepared on first use. */
static enum sync_rc prep(struct store_sqlite *b, enum stmt_id id, sqlite3_stmt **out,
                         struct sync_err *err)
{
    *out = NULL;
    if (b->base.in_txn && sqlite3_get_autocommit(b->db))
        return sync_err_set(err, SYNC_ERR_IO,
                            "sqlite store: the transaction was rolled back by "
                            "an earlier error; roll back and start again");
    if (!b->stmt[id] && sqlite3_prepare_v3(b->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                           &b->stmt[id], NULL) != SQLITE_OK)
        return fail(b, "prepare", err);
    *out = b->stmt[id];
    return SYNC_OK;
}

static void done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* Steps s once: *row says whether it produced a row. */
static enum sync_rc step(struct store_sqlite *b, sqlite3_stmt *s, const char *what, int *row,
                         struct sync_err *err)
{
    int r = sqlite3_step(s);

    *row = r == SQLITE_ROW;
    if (r == SQLITE_ROW || r == SQLITE_DONE)
        return SYNC_OK;
    return fail(b, what, err);
}

/* Steps a bound statement that returns no rows, then resets it. */
static enum sync_rc finish(struct store_sqlite *b, sqlite3_stmt *s, const char *what,
                           struct sync_err *err)
{
    int row;
    enum sync_rc rc = step(b, s, what, &row, err);

    done(s);
    return rc;
}

/* Like finish, for an UPDATE or DELETE of one row by id: SYNC_ERR_NOT_FOUND when none. */
static enum sync_rc finish_one(struct store_sqlite *b, sqlite3_stmt *s, const char *what,
                               int64_t id, struct sync_err *err)
{
    enum sync_rc rc = finish(b, s, what, err);

    if (!rc && sqlite3_changes(b->db) == 0)
        rc = sync_err_set(err, SYNC_ERR_NOT_FOUND, "sqlite store: %s: no row %lld", what,
                          (long long)id);
    return rc;
}

/* Runs a statement that takes no parameters and returns no rows. */
static enum sync_rc run(struct store_sqlite *b, enum stmt_id id, const char *what,
                        struct sync_err *err)
{
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, id, &s, err);

    return rc ? rc : finish(b, s, what, err);
}

/* Binds text; NULL binds SQL NULL. */
static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Binds an optional value; NULL and "" bind SQL NULL. */
static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    bind_str(s, i, v && *v ? v : NULL);
}

/* A LIMIT: 0 means none. */
static void bind_limit(sqlite3_stmt *s, int i, size_t max)
{
    sqlite3_bind_int64(s, i, max ? (sqlite3_int64)max : -1);
}

static const char *col_str(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* Copies a text column into dst; NULL becomes "". */
static enum sync_rc col_copy(sqlite3_stmt *s, int i, char *dst, size_t n, struct sync_err *err)
{
    const char *v = col_str(s, i);
    size_t len = v ? strlen(v) : 0;

    if (len >= n)
        return sync_err_set(err, SYNC_ERR_TOO_LARGE,
                            "sqlite store: column %s holds %zu bytes, more than %zu",
                            sqlite3_column_name(s, i), len, n - 1);
    memcpy(dst, v ? v : "", len + 1);
    return SYNC_OK;
}

/* Reads rows through row(), which builds the caller's struct and calls fn; stops at the first
 * non-OK result. SYNC_DECLINED from a callback ends the walk quietly. */
typedef void (*any_fn)(void);
typedef enum sync_rc (*row_fn)(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err);

static enum sync_rc walk(struct store_sqlite *b, sqlite3_stmt *s, const char *what, row_fn row,
                         any_fn fn, void *ctx, struct sync_err *err)
{
    enum sync_rc rc;
    int more;

    while (!(rc = step(b, s, what, &more, err)) && more) {
        rc = row(s, fn, ctx, err);
        if (rc)
            break;
    }
    done(s);
    return rc == SYNC_DECLINED ? SYNC_OK : rc;
}

/* A statement with one text parameter, run to completion. */
static enum sync_rc run_by(struct store_sqlite *b, enum stmt_id stmt, const char *key,
                           const char *what, struct sync_err *err)
{
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, stmt, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, key);
    return finish(b, s, what, err);
}

/* A listing with one text parameter: row turns each row into fn's argument. */
static enum sync_rc walk_by(struct store_sqlite *b, enum stmt_id stmt, const char *key,
                            const char *what, row_fn row, any_fn fn, void *ctx,
                            struct sync_err *err)
{
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, stmt, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, key);
    return walk(b, s, what, row, fn, ctx, err);
}

/* Reads at most one row into a caller's struct; SYNC_ERR_NOT_FOUND when there is none. */
typedef enum sync_rc (*fill_fn)(sqlite3_stmt *s, void *out, struct sync_err *err);

static enum sync_rc get_one(struct store_sqlite *b, sqlite3_stmt *s, const char *what, fill_fn fill,
                            void *out, struct sync_err *err)
{
    int row;
    enum sync_rc rc = step(b, s, what, &row, err);

    if (!rc && row)
        rc = fill(s, out, err);
    else if (!rc)
        rc = sync_err_set(err, SYNC_ERR_NOT_FOUND, "sqlite store: %s: not found", what);
    done(s);
    return rc;
}

/* ---- one operation's own atomicity ---- */

/* Opens a savepoint inside the caller's transaction, or a transaction of its own. */
static enum sync_rc op_begin(struct store_sqlite *b, int *own, struct sync_err *err)
{
    *own = sqlite3_get_autocommit(b->db);
    return run(b, *own ? S_BEGIN : S_SAVEPOINT, "begin", err);
}

/* Keeps the operation's work when rc is SYNC_OK, undoes it otherwise; returns the outcome. */
static enum sync_rc op_end(struct store_sqlite *b, int own, enum sync_rc rc, struct sync_err *err)
{
    if (!rc) {
        rc = run(b, own ? S_COMMIT : S_RELEASE, "commit", err);
        if (!rc)
            return SYNC_OK;
    }
    if (own) {
        if (!sqlite3_get_autocommit(b->db))
            run(b, S_ROLLBACK, "rollback", NULL);
    } else {
        run(b, S_ROLLBACK_TO, "rollback", NULL);
        run(b, S_RELEASE, "rollback", NULL);
    }
    return rc;
}

/* ---- open, migrate, close ---- */

static enum sync_rc exec_sql(struct store_sqlite *b, const char *sql, const char *what,
                             struct sync_err *err)
{
    if (sqlite3_exec(b->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail(b, what, err);
    return SYNC_OK;
}

/* Runs a one-off statement and copies the first column of its first row ("" when none). */
static enum sync_rc query_text(struct store_sqlite *b, const char *sql, char *out, size_t n,
                               struct sync_err *err)
{
    sqlite3_stmt *s;
    int row;
    enum sync_rc rc;

    if (sqlite3_prepare_v2(b->db, sql, -1, &s, NULL) != SQLITE_OK)
        return fail(b, sql, err);
    out[0] = '\0';
    rc = step(b, s, sql, &row, err);
    if (!rc && row)
        rc = col_copy(s, 0, out, n, err);
    sqlite3_finalize(s);
    return rc;
}

static enum sync_rc configure(struct store_sqlite *b, int memory, struct sync_err *err)
{
    char v[32];
    enum sync_rc rc;

    sqlite3_extended_result_codes(b->db, 1);
    sqlite3_busy_timeout(b->db, STORE_SQLITE_BUSY_MS);
    rc = query_text(b, "PRAGMA journal_mode=WAL", v, sizeof(v), err);
    if (!rc && strcmp(v, memory ? "memory" : "wal") != 0)
        rc = sync_err_set(err, SYNC_ERR_IO, "sqlite store: cannot use WAL mode (journal mode %s)",
                          v);
    if (!rc)
        rc = exec_sql(b, "PRAGMA synchronous=FULL", "set synchronous", err);
    if (!rc)
        rc = exec_sql(b, "PRAGMA foreign_keys=ON", "enable foreign keys", err);
    if (!rc)
        rc = query_text(b, "PRAGMA foreign_keys", v, sizeof(v), err);
    if (!rc && strcmp(v, "1") != 0)
        rc = sync_err_set(err, SYNC_ERR_IO, "sqlite store: this SQLite has no foreign keys");
    return rc;
}

static enum sync_rc fill_text(sqlite3_stmt *s, void *out, struct sync_err *err)
{
    struct sync_buf *buf = out;
    enum sync_rc rc =
        sync_buf_add(buf, sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0));

    if (rc)
        sync_err_set(err, rc, "sqlite store: %zu bytes do not fit the caller's buffer",
                     (size_t)sqlite3_column_bytes(s, 0));
    return rc;
}

static enum sync_rc meta_get(struct store_sqlite *b, const char *key, char *out, size_t n,
                             struct sync_err *err)
{
    struct sync_buf buf = SYNC_BUF_INIT(n - 1);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_META_GET, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, key);
    rc = get_one(b, s, "read meta", fill_text, &buf, err);
    if (!rc)
        memcpy(out, sync_buf_str(&buf), buf.len + 1);
    sync_buf_release(&buf);
    return rc;
}

static enum sync_rc meta_set(struct store_sqlite *b, const char *key, const char *value,
                             struct sync_err *err)
{
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_META_SET, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, key);
    bind_str(s, 2, value);
    return finish(b, s, "write meta", err);
}

/* The schema version the database holds: 0 for an empty one. */
static enum sync_rc schema_version(struct store_sqlite *b, int *version, struct sync_err *err)
{
    char v[32], *end;
    long n;
    enum sync_rc rc;

    *version = 0;
    rc = query_text(b, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                    v, sizeof(v), err);
    if (rc || strcmp(v, "0") == 0)
        return rc;
    rc = meta_get(b, "schema_version", v, sizeof(v), err);
    if (rc == SYNC_ERR_NOT_FOUND)
        return sync_err_set(err, SYNC_ERR_IO, "sqlite store: meta holds no schema version");
    if (rc)
        return rc;
    n = strtol(v, &end, 10);
    if (*end || n < 1 || n > 1000000)
        return sync_err_set(err, SYNC_ERR_IO, "sqlite store: bad schema version '%s'", v);
    *version = (int)n;
    return SYNC_OK;
}

static enum sync_rc ensure_install_id(struct store_sqlite *b, struct sync_err *err)
{
    static const char hex[] = "0123456789abcdef";
    char id[SYNC_STORE_INSTALL_ID_LEN + 1];
    unsigned char r[SYNC_STORE_INSTALL_ID_LEN / 2];
    enum sync_rc rc = meta_get(b, "install_id", id, sizeof(id), err);

    if (rc != SYNC_ERR_NOT_FOUND)
        return rc;
    if (sync_random_bytes(r, sizeof(r)))
        return sync_err_set(err, SYNC_ERR_INTERNAL, "sqlite store: no random bytes");
    for (size_t i = 0; i < sizeof(r); i++) {
        id[2 * i] = hex[r[i] >> 4];
        id[2 * i + 1] = hex[r[i] & 15];
    }
    id[SYNC_STORE_INSTALL_ID_LEN] = '\0';
    return meta_set(b, "install_id", id, err);
}

static enum sync_rc refuse_newer(int have, int latest, struct sync_err *err)
{
    return sync_err_set(err, SYNC_ERR_INVALID,
                        "sqlite store: the database has schema version %d, newer than the %d "
                        "this build knows; open it with a newer crmsync",
                        have, latest);
}

/* Applies the migrations the database lacks, all in one transaction. An up-to-date database
 * is only read, so opening never waits for another process's write transaction. */
static enum sync_rc migrate(struct store_sqlite *b, struct sync_err *err)
{
    int have = 0, latest = (int)store_sqlite_migrations_count;
    char v[16];
    enum sync_rc rc = schema_version(b, &have, err);

    if (rc || have == latest)
        return rc;
    if (have > latest)
        return refuse_newer(have, latest, err);
    rc = exec_sql(b, "BEGIN IMMEDIATE", "begin migration", err);
    if (rc)
        return rc;
    rc = schema_version(b, &have, err); /* another process may have migrated meanwhile */
    if (!rc && have > latest)
        rc = refuse_newer(have, latest, err);
    for (int i = have; !rc && i < latest; i++) {
        const struct sync_store_migration *m = &store_sqlite_migrations[i];
        char *msg = NULL;
        if (sqlite3_exec(b->db, m->sql, NULL, NULL, &msg) != SQLITE_OK) {
            rc = sync_err_set(err, SYNC_ERR_IO, "sqlite store: migration %s failed: %s", m->name,
                              msg ? msg : "unknown error");
            sqlite3_free(msg);
            break;
        }
        snprintf(v, sizeof(v), "%d", m->version);
        rc = meta_set(b, "schema_version", v, err);
    }
    if (!rc)
        rc = ensure_install_id(b, err);
    if (!rc)
        rc = exec_sql(b, "COMMIT", "commit migration", err);
    if (rc && !sqlite3_get_autocommit(b->db))
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static void store_sqlite_close(struct sync_store *st)
{
    struct store_sqlite *b = B(st);

    for (int i = 0; i < S__COUNT; i++)
        sqlite3_finalize(b->stmt[i]);
    sqlite3_close_v2(b->db); /* rolls back a transaction still open */
    free(b);
}

static enum sync_rc store_sqlite_open(struct sync_store **out, const char *target,
                                      struct sync_err *err)
{
    int memory = strcmp(target, ":memory:") == 0;
    struct store_sqlite *b = calloc(1, sizeof(*b));
    enum sync_rc rc;

    if (!b)
        return sync_err_set(err, SYNC_ERR_NOMEM, "sqlite store: out of memory");
    b->base.ops = &store_sqlite_ops;
    if (sqlite3_open_v2(target, &b->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = sync_err_set(err, SYNC_ERR_IO, "sqlite store: cannot open '%s': %s", target,
                          b->db ? sqlite3_errmsg(b->db) : "out of memory");
        store_sqlite_close(&b->base);
        return rc;
    }
    rc = configure(b, memory, err);
    if (!rc)
        rc = migrate(b, err);
    if (rc) {
        store_sqlite_close(&b->base);
        return rc;
    }
    *out = &b->base;
    return SYNC_OK;
}

static enum sync_rc store_sqlite_info(struct sync_store *st, struct sync_store_info *out,
                                      struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    enum sync_rc rc;

    snprintf(out->backend, sizeof(out->backend), "sqlite");
    out->schema_latest = (int)store_sqlite_migrations_count;
    rc = schema_version(b, &out->schema_version, err);
    if (!rc)
        rc = meta_get(b, "install_id", out->install_id, sizeof(out->install_id), err);
    return rc;
}

static enum sync_rc store_sqlite_check(struct sync_store *st, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    char v[256];
    sqlite3_stmt *s;
    int row;
    enum sync_rc rc = query_text(b, "PRAGMA integrity_check", v, sizeof(v), err);

    if (rc)
        return rc;
    if (strcmp(v, "ok") != 0)
        return sync_err_set(err, SYNC_ERR_IO, "sqlite store: integrity check: %s", v);
    if (sqlite3_prepare_v2(b->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
        return fail(b, "foreign key check", err);
    rc = step(b, s, "foreign key check", &row, err);
    if (!rc && row)
        rc = sync_err_set(err, SYNC_ERR_IO,
                          "sqlite store: row %lld of %s points at a missing %s row",
                          (long long)sqlite3_column_int64(s, 1), col_str(s, 0), col_str(s, 2));
    sqlite3_finalize(s);
    return rc;
}

/* ---- transactions ---- */

static enum sync_rc store_sqlite_begin(struct sync_store *st, struct sync_err *err)
{
    return run(B(st), S_BEGIN, "begin", err);
}

static enum sync_rc store_sqlite_commit(struct sync_store *st, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    enum sync_rc rc = run(b, S_COMMIT, "commit", err);

    if (rc && !sqlite3_get_autocommit(b->db))
        run(b, S_ROLLBACK, "rollback", NULL);
    return rc;
}

static enum sync_rc store_sqlite_rollback(struct sync_store *st, struct sync_err *err)
{
    struct store_sqlite *b = B(st);

    if (sqlite3_get_autocommit(b->db))
        return SYNC_OK; /* SQLite already rolled it back */
    return run(b, S_ROLLBACK, "rollback", err);
}

/* The caller's savepoints are named "unit"; SQLite's ROLLBACK TO and RELEASE act on the most
 * recent savepoint of that name, so they nest. */
static enum sync_rc store_sqlite_savepoint(struct sync_store *st, struct sync_err *err)
{
    return run(B(st), S_UNIT, "savepoint", err);
}

static enum sync_rc store_sqlite_savepoint_release(struct sync_store *st, struct sync_err *err)
{
    return run(B(st), S_UNIT_RELEASE, "release", err);
}

static enum sync_rc store_sqlite_savepoint_rollback(struct sync_store *st, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    enum sync_rc rc;

    if (sqlite3_get_autocommit(b->db))
        return SYNC_OK; /* SQLite already rolled the whole transaction back */
    rc = run(b, S_UNIT_ROLLBACK, "rollback", err);
    return rc ? rc : run(b, S_UNIT_RELEASE, "rollback", err);
}

/* ---- settings ---- */

static enum sync_rc store_sqlite_setting_get(struct sync_store *st, const char *key,
                                             struct sync_buf *out, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_SETTING_GET, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, key);
    return get_one(b, s, "read setting", fill_text, out, err);
}

static enum sync_rc store_sqlite_setting_set(struct sync_store *st, const char *key,
                                             const char *json, int64_t now, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_SETTING_SET, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, key);
    bind_str(s, 2, json);
    sqlite3_bind_int64(s, 3, now);
    return finish(b, s, "write setting", err);
}

static enum sync_rc setting_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    return ((sync_store_setting_fn)fn)(ctx, col_str(s, 0), col_str(s, 1));
}

static enum sync_rc store_sqlite_setting_delete(struct sync_store *st, const char *key,
                                                struct sync_err *err)
{
    return run_by(B(st), S_SETTING_DELETE, key, "delete setting", err);
}

static enum sync_rc store_sqlite_setting_list(struct sync_store *st, sync_store_setting_fn fn,
                                              void *ctx, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_SETTING_LIST, &s, err);

    return rc ? rc : walk(b, s, "list settings", setting_row, (any_fn)fn, ctx, err);
}

/* ---- mappings ---- */

static enum sync_rc store_sqlite_mapping_insert(struct sync_store *st,
                                                const struct sync_store_mapping *m, int64_t *id,
                                                struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_MAPPING_INSERT, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, m->kind);
    bind_str(s, 2, m->hs_property);
    bind_str(s, 3, m->sf_object);
    bind_str(s, 4, m->sf_field);
    bind_str(s, 5, m->rule);
    sqlite3_bind_int(s, 6, m->builtin ? 1 : 0);
    rc = finish(b, s, "insert mapping", err);
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(b->db);
    return rc;
}

static enum sync_rc store_sqlite_mapping_delete(struct sync_store *st, int64_t id,
                                                struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_MAPPING_DELETE, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    return finish_one(b, s, "delete mapping", id, err);
}

static enum sync_rc mapping_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    struct sync_store_mapping m = {
        .id = sqlite3_column_int64(s, 0),
        .kind = col_str(s, 1),
        .hs_property = col_str(s, 2),
        .sf_object = col_str(s, 3),
        .sf_field = col_str(s, 4),
        .rule = col_str(s, 5),
        .builtin = sqlite3_column_int(s, 6),
    };
    return ((sync_store_mapping_fn)fn)(ctx, &m);
}

static enum sync_rc store_sqlite_mapping_list(struct sync_store *st, const char *kind,
                                              sync_store_mapping_fn fn, void *ctx,
                                              struct sync_err *err)
{
    return walk_by(B(st), S_MAPPING_LIST, kind, "list mappings", mapping_row, (any_fn)fn, ctx, err);
}

/* ---- links ---- */

static enum sync_rc fill_link(sqlite3_stmt *s, void *out, struct sync_err *err)
{
    struct sync_link *l = out;
    enum sync_rc rc = col_copy(s, 0, l->link_id, sizeof(l->link_id), err);

    if (!rc)
        rc = col_copy(s, 1, l->kind, sizeof(l->kind), err);
    if (!rc)
        rc = col_copy(s, 2, l->hs_id, sizeof(l->hs_id), err);
    if (!rc)
        rc = col_copy(s, 3, l->sf_object, sizeof(l->sf_object), err);
    if (!rc)
        rc = col_copy(s, 4, l->sf_id, sizeof(l->sf_id), err);
    if (!rc && sync_link_state_parse(col_str(s, 5), &l->state))
        rc = sync_err_set(err, SYNC_ERR_IO, "sqlite store: link %s has unknown state '%s'",
                          l->link_id, col_str(s, 5));
    l->last_to_hs = sqlite3_column_int64(s, 6);
    l->last_to_sf = sqlite3_column_int64(s, 7);
    l->created_at = sqlite3_column_int64(s, 8);
    l->updated_at = sqlite3_column_int64(s, 9);
    return rc;
}

static enum sync_rc store_sqlite_link_insert(struct sync_store *st, const struct sync_link *l,
                                             struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_LINK_INSERT, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, l->link_id);
    bind_str(s, 2, l->kind);
    bind_opt(s, 3, l->hs_id);
    bind_str(s, 4, l->sf_object);
    bind_opt(s, 5, l->sf_id);
    bind_str(s, 6, sync_link_state_name(l->state));
    sqlite3_bind_int64(s, 7, l->last_to_hs);
    sqlite3_bind_int64(s, 8, l->last_to_sf);
    sqlite3_bind_int64(s, 9, l->created_at);
    sqlite3_bind_int64(s, 10, l->updated_at);
    return finish(b, s, "insert link", err);
}

static enum sync_rc store_sqlite_link_get(struct sync_store *st, const char *link_id,
                                          struct sync_link *out, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_LINK_GET, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, link_id);
    return get_one(b, s, "get link", fill_link, out, err);
}

static enum sync_rc store_sqlite_link_get_by_hs(struct sync_store *st, const char *kind,
                                                const char *hs_id, struct sync_link *out,
                                                struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_LINK_GET_BY_HS, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, kind);
    bind_str(s, 2, hs_id);
    return get_one(b, s, "get link by HubSpot id", fill_link, out, err);
}

static enum sync_rc store_sqlite_link_get_by_sf(struct sync_store *st, const char *sf_object,
                                                const char *sf_id, struct sync_link *out,
                                                struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_LINK_GET_BY_SF, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, sf_object);
    bind_str(s, 2, sf_id);
    return get_one(b, s, "get link by Salesforce id", fill_link, out, err);
}

static enum sync_rc store_sqlite_link_update(struct sync_store *st, const struct sync_link *l,
                                             struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_LINK_UPDATE, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, l->link_id);
    bind_opt(s, 2, l->hs_id);
    bind_str(s, 3, l->sf_object);
    bind_opt(s, 4, l->sf_id);
    bind_str(s, 5, sync_link_state_name(l->state));
    sqlite3_bind_int64(s, 6, l->last_to_hs);
    sqlite3_bind_int64(s, 7, l->last_to_sf);
    sqlite3_bind_int64(s, 8, l->updated_at);
    rc = finish(b, s, "update link", err);
    if (!rc && sqlite3_changes(b->db) == 0)
        rc = sync_err_set(err, SYNC_ERR_NOT_FOUND, "sqlite store: update link: no link %s",
                          l->link_id);
    return rc;
}

static enum sync_rc link_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    struct sync_link l;
    enum sync_rc rc = fill_link(s, &l, err);

    return rc ? rc : ((sync_store_link_fn)fn)(ctx, &l);
}

static enum sync_rc store_sqlite_link_list(struct sync_store *st, const struct sync_link_query *q,
                                           sync_store_link_fn fn, void *ctx, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_LINK_LIST, &s, err);

    if (rc)
        return rc;
    bind_opt(s, 1, q->kind);
    bind_str(s, 2, q->state < 0 ? NULL : sync_link_state_name((enum sync_link_state)q->state));
    bind_str(s, 3, q->after ? q->after : "");
    bind_limit(s, 4, q->max);
    return walk(b, s, "list links", link_row, (any_fn)fn, ctx, err);
}

/* ---- ledger ---- */

static enum sync_rc store_sqlite_ledger_put(struct sync_store *st,
                                            const struct sync_ledger_entry *e, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_LEDGER_PUT, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, e->link_id);
    bind_str(s, 2, e->field);
    bind_str(s, 3, e->value);
    bind_str(s, 4, e->written_by);
    sqlite3_bind_int64(s, 5, e->agreed_at);
    return finish(b, s, "put ledger entry", err);
}

static enum sync_rc ledger_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    struct sync_ledger_entry e = {
        .link_id = col_str(s, 0),
        .field = col_str(s, 1),
        .value = col_str(s, 2),
        .written_by = col_str(s, 3),
        .agreed_at = sqlite3_column_int64(s, 4),
    };
    return ((sync_store_ledger_fn)fn)(ctx, &e);
}

static enum sync_rc store_sqlite_ledger_list(struct sync_store *st, const char *link_id,
                                             sync_store_ledger_fn fn, void *ctx,
                                             struct sync_err *err)
{
    return walk_by(B(st), S_LEDGER_LIST, link_id, "list ledger", ledger_row, (any_fn)fn, ctx, err);
}

static enum sync_rc store_sqlite_ledger_clear(struct sync_store *st, const char *link_id,
                                              struct sync_err *err)
{
    return run_by(B(st), S_LEDGER_CLEAR, link_id, "clear ledger", err);
}

/* ---- unsettled writes ---- */

static enum sync_rc store_sqlite_unsettled_put(struct sync_store *st,
                                               const struct sync_unsettled *u, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_UNSETTLED_PUT, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, u->link_id);
    bind_str(s, 2, u->side);
    bind_str(s, 3, u->field);
    bind_str(s, 4, u->value ? u->value : "");
    sqlite3_bind_int64(s, 5, u->sent_at);
    return finish(b, s, "put unsettled write", err);
}

static enum sync_rc unsettled_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    const char *v = col_str(s, 3);
    struct sync_unsettled u = {
        .link_id = col_str(s, 0),
        .side = col_str(s, 1),
        .field = col_str(s, 2),
        .value = v && v[0] ? v : NULL,
        .sent_at = sqlite3_column_int64(s, 4),
    };
    (void)err;
    return ((sync_store_unsettled_fn)fn)(ctx, &u);
}

static enum sync_rc store_sqlite_unsettled_list(struct sync_store *st, const char *link_id,
                                                sync_store_unsettled_fn fn, void *ctx,
                                                struct sync_err *err)
{
    return walk_by(B(st), S_UNSETTLED_LIST, link_id, "list unsettled writes", unsettled_row,
                   (any_fn)fn, ctx, err);
}

static enum sync_rc store_sqlite_unsettled_drop(struct sync_store *st,
                                                const struct sync_unsettled *u,
                                                struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_UNSETTLED_DROP, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, u->link_id);
    bind_str(s, 2, u->side);
    bind_str(s, 3, u->field);
    bind_str(s, 4, u->value ? u->value : "");
    return finish(b, s, "drop unsettled write", err);
}

static enum sync_rc store_sqlite_unsettled_prune(struct sync_store *st, int64_t floor,
                                                 struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_UNSETTLED_PRUNE, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, floor);
    return finish(b, s, "prune unsettled writes", err);
}

/* ---- cursors ---- */

struct cursor_out {
    struct sync_buf *pos;
    int64_t *updated_at;
};

static enum sync_rc fill_cursor(sqlite3_stmt *s, void *out, struct sync_err *err)
{
    struct cursor_out *c = out;
    enum sync_rc rc = fill_text(s, c->pos, err);

    if (!rc && c->updated_at)
        *c->updated_at = sqlite3_column_int64(s, 1);
    return rc;
}

static enum sync_rc store_sqlite_cursor_get(struct sync_store *st, const char *source,
                                            struct sync_buf *out, int64_t *updated_at,
                                            struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    struct cursor_out c = {out, updated_at};
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_CURSOR_GET, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, source);
    return get_one(b, s, "get cursor", fill_cursor, &c, err);
}

static enum sync_rc store_sqlite_cursor_delete(struct sync_store *st, const char *source,
                                               struct sync_err *err)
{
    enum sync_rc rc = run_by(B(st), S_SEEN_FORGET, source, "forget the rows read", err);
    return rc ? rc : run_by(B(st), S_CURSOR_DELETE, source, "delete cursor", err);
}

static enum sync_rc store_sqlite_cursor_set(struct sync_store *st, const char *source,
                                            const char *position, int64_t now, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_CURSOR_SET, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, source);
    bind_str(s, 2, position);
    sqlite3_bind_int64(s, 3, now);
    return finish(b, s, "set cursor", err);
}

/* ---- capture: seen rows ---- */

static enum sync_rc store_sqlite_seen_mark(struct sync_store *st, const char *source,
                                           const char *record_id, int64_t version,
                                           const char *digest, int *seen, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_SEEN_GET, &s, err);
    int row;

    if (rc)
        return rc;
    bind_str(s, 1, source);
    bind_str(s, 2, record_id);
    rc = step(b, s, "read seen row", &row, err);
    if (!rc && row && sqlite3_column_int64(s, 0) == version && strcmp(col_str(s, 1), digest) == 0)
        *seen = 1;
    done(s);
    if (rc || *seen)
        return rc;
    if ((rc = prep(b, S_SEEN_SET, &s, err)))
        return rc;
    bind_str(s, 1, source);
    bind_str(s, 2, record_id);
    sqlite3_bind_int64(s, 3, version);
    bind_str(s, 4, digest);
    return finish(b, s, "mark seen row", err);
}

static enum sync_rc store_sqlite_seen_prune(struct sync_store *st, const char *source,
                                            int64_t floor, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_SEEN_PRUNE, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, source);
    sqlite3_bind_int64(s, 2, floor);
    return finish(b, s, "prune seen rows", err);
}

/* ---- inbox ---- */

static enum sync_rc store_sqlite_inbox_put(struct sync_store *st, const struct sync_change *c,
                                           int64_t now, int *stored, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_INBOX_PUT, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, c->system);
    bind_str(s, 2, c->object);
    bind_str(s, 3, c->record_id);
    sqlite3_bind_int64(s, 4, c->version);
    sqlite3_bind_int(s, 5, c->deleted ? 1 : 0);
    bind_str(s, 6, c->payload);
    sqlite3_bind_int64(s, 7, now);
    rc = finish(b, s, "put change", err);
    if (!rc && stored)
        *stored = sqlite3_changes(b->db) > 0;
    return rc;
}

static enum sync_rc change_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    struct sync_change c = {
        .id = sqlite3_column_int64(s, 0),
        .system = col_str(s, 1),
        .object = col_str(s, 2),
        .record_id = col_str(s, 3),
        .version = sqlite3_column_int64(s, 4),
        .deleted = sqlite3_column_int(s, 5),
        .payload = col_str(s, 6),
        .captured_at = sqlite3_column_int64(s, 7),
    };
    return ((sync_store_change_fn)fn)(ctx, &c);
}

static enum sync_rc store_sqlite_inbox_take(struct sync_store *st, size_t max,
                                            sync_store_change_fn fn, void *ctx,
                                            struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_INBOX_TAKE, &s, err);

    if (rc)
        return rc;
    bind_limit(s, 1, max);
    return walk(b, s, "take changes", change_row, (any_fn)fn, ctx, err);
}

static enum sync_rc store_sqlite_inbox_delete(struct sync_store *st, const char *system,
                                              const char *object, const char *record_id,
                                              int64_t version, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_INBOX_DELETE, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, system);
    bind_str(s, 2, object);
    bind_str(s, 3, record_id);
    sqlite3_bind_int64(s, 4, version);
    return finish(b, s, "delete change", err);
}

static enum sync_rc store_sqlite_inbox_count(struct sync_store *st, sync_store_count_fn fn,
                                             void *ctx, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    int more;
    enum sync_rc rc = prep(b, S_INBOX_COUNT, &s, err);

    if (rc)
        return rc;
    while (!(rc = step(b, s, "inbox count", &more, err)) && more)
        if ((rc = fn(ctx, col_str(s, 0), col_str(s, 1), sqlite3_column_int64(s, 2))))
            break;
    done(s);
    return rc;
}

/* ---- outbox ---- */

static enum sync_rc store_sqlite_outbox_enqueue(struct sync_store *st,
                                                const struct sync_outbox_entry *e, int64_t now,
                                                int64_t *id, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_OUTBOX_ENQUEUE, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, e->link_id);
    bind_str(s, 2, e->target);
    bind_str(s, 3, e->object);
    bind_str(s, 4, e->op);
    bind_str(s, 5, e->payload);
    sqlite3_bind_int64(s, 6, e->next_attempt_at ? e->next_attempt_at : now);
    sqlite3_bind_int64(s, 7, now);
    rc = finish(b, s, "enqueue", err);
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(b->db);
    return rc;
}

struct outbox_group {
    char target[SYNC_STORE_KIND_MAX];
    char object[SYNC_STORE_NAME_MAX];
    char op[SYNC_STORE_KIND_MAX];
};

static enum sync_rc fill_group(sqlite3_stmt *s, void *out, struct sync_err *err)
{
    struct outbox_group *g = out;
    enum sync_rc rc = col_copy(s, 0, g->target, sizeof(g->target), err);

    if (!rc)
        rc = col_copy(s, 1, g->object, sizeof(g->object), err);
    if (!rc)
        rc = col_copy(s, 2, g->op, sizeof(g->op), err);
    return rc;
}

/* The batch group: the caller's, or that of the earliest due entry (SYNC_ERR_NOT_FOUND: none). */
static enum sync_rc claim_group(struct store_sqlite *b, const struct sync_outbox_claim *req,
                                struct outbox_group *g, struct sync_err *err)
{
    struct sync_err local = SYNC_ERR_INIT;
    sqlite3_stmt *s;
    enum sync_rc rc;

    if (req->target) {
        snprintf(g->target, sizeof(g->target), "%s", req->target);
        snprintf(g->object, sizeof(g->object), "%s", req->object);
        snprintf(g->op, sizeof(g->op), "%s", req->op);
        return SYNC_OK;
    }
    rc = prep(b, S_OUTBOX_GROUP, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, req->now);
    rc = get_one(b, s, "find due group", fill_group, g, &local);
    if (rc && rc != SYNC_ERR_NOT_FOUND && err)
        *err = local; /* nothing due is no error: leave err untouched */
    return rc;
}

static enum sync_rc outbox_fill(sqlite3_stmt *s, struct sync_outbox_entry *e)
{
    e->id = sqlite3_column_int64(s, 0);
    e->link_id = col_str(s, 1);
    e->target = col_str(s, 2);
    e->object = col_str(s, 3);
    e->op = col_str(s, 4);
    e->payload = col_str(s, 5);
    e->claimed = strcmp(col_str(s, 6), "claimed") == 0;
    e->attempts = sqlite3_column_int(s, 7);
    e->next_attempt_at = sqlite3_column_int64(s, 8);
    e->created_at = sqlite3_column_int64(s, 9);
    return SYNC_OK;
}

/* Passes the group's due entries to fn, collecting the ids fn accepted. */
static enum sync_rc claim_read(struct store_sqlite *b, const struct sync_outbox_claim *req,
                               const struct outbox_group *g, sync_store_outbox_fn fn, void *ctx,
                               int64_t *ids, size_t *n, struct sync_err *err)
{
    struct sync_outbox_entry e;
    sqlite3_stmt *s;
    int more;
    enum sync_rc rc = prep(b, S_OUTBOX_BATCH, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, g->target);
    bind_str(s, 2, g->object);
    bind_str(s, 3, g->op);
    sqlite3_bind_int64(s, 4, req->now);
    bind_limit(s, 5, req->max);
    while (!(rc = step(b, s, "claim", &more, err)) && more && *n < req->max) {
        outbox_fill(s, &e);
        rc = fn(ctx, &e);
        if (rc)
            break;
        ids[(*n)++] = e.id;
    }
    done(s);
    return rc == SYNC_DECLINED ? SYNC_OK : rc;
}

static enum sync_rc claim_lease(struct store_sqlite *b, const int64_t *ids, size_t n, int64_t until,
                                struct sync_err *err)
{
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_OUTBOX_LEASE, &s, err);

    for (size_t i = 0; !rc && i < n; i++) {
        sqlite3_bind_int64(s, 1, ids[i]);
        sqlite3_bind_int64(s, 2, until);
        rc = finish(b, s, "lease", err);
    }
    return rc;
}

static enum sync_rc store_sqlite_outbox_claim(struct sync_store *st,
                                              const struct sync_outbox_claim *req,
                                              sync_store_outbox_fn fn, void *ctx,
                                              struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    int64_t ids[SYNC_STORE_BATCH_MAX];
    int64_t until = req->lease_ms > INT64_MAX - req->now ? INT64_MAX : req->now + req->lease_ms;
    struct outbox_group g;
    size_t n = 0;
    int own;
    enum sync_rc rc = op_begin(b, &own, err);

    if (rc)
        return rc;
    rc = claim_group(b, req, &g, err);
    if (rc == SYNC_ERR_NOT_FOUND)
        return op_end(b, own, SYNC_OK, err); /* nothing due */
    if (!rc)
        rc = claim_read(b, req, &g, fn, ctx, ids, &n, err);
    if (!rc)
        rc = claim_lease(b, ids, n, until, err);
    return op_end(b, own, rc, err);
}

static enum sync_rc store_sqlite_outbox_complete(struct sync_store *st, int64_t id,
                                                 struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_OUTBOX_COMPLETE, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    return finish_one(b, s, "complete outbox entry", id, err);
}

static enum sync_rc store_sqlite_outbox_reschedule(struct sync_store *st, int64_t id,
                                                   int64_t next_attempt_at, int attempted,
                                                   struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_OUTBOX_RESCHEDULE, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, next_attempt_at);
    sqlite3_bind_int(s, 3, attempted ? 1 : 0);
    return finish_one(b, s, "reschedule outbox entry", id, err);
}

static enum sync_rc store_sqlite_outbox_stats(struct sync_store *st, struct sync_outbox_stats *out,
                                              struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    int more;
    enum sync_rc rc = prep(b, S_OUTBOX_STATS, &s, err);

    if (rc)
        return rc;
    while (!(rc = step(b, s, "outbox stats", &more, err)) && more) {
        int64_t count = sqlite3_column_int64(s, 1), next = sqlite3_column_int64(s, 2);
        if (strcmp(col_str(s, 0), "claimed") == 0)
            out->claimed = count;
        else
            out->waiting = count;
        if (!out->next_attempt_at || next < out->next_attempt_at)
            out->next_attempt_at = next;
    }
    done(s);
    return rc;
}

/* ---- sync errors ---- */

static enum sync_rc store_sqlite_error_record(struct sync_store *st, const struct sync_error_row *e,
                                              int64_t now, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_ERROR_RECORD, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, e->system);
    bind_str(s, 2, e->object);
    bind_str(s, 3, e->record_id);
    bind_opt(s, 4, e->link_id);
    bind_str(s, 5, e->category);
    bind_str(s, 6, e->code);
    bind_str(s, 7, e->message);
    sqlite3_bind_int64(s, 8, now);
    return finish(b, s, "record error", err);
}

static enum sync_rc store_sqlite_error_resolve(struct sync_store *st, const char *system,
                                               const char *object, const char *record_id,
                                               const char *category, int64_t now,
                                               struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_ERROR_RESOLVE, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, system);
    bind_str(s, 2, object);
    bind_str(s, 3, record_id);
    bind_str(s, 4, category);
    sqlite3_bind_int64(s, 5, now);
    return finish(b, s, "resolve errors", err);
}

static enum sync_rc error_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    struct sync_error_row e = {
        .id = sqlite3_column_int64(s, 0),
        .system = col_str(s, 1),
        .object = col_str(s, 2),
        .record_id = col_str(s, 3),
        .link_id = col_str(s, 4),
        .category = col_str(s, 5),
        .code = col_str(s, 6),
        .message = col_str(s, 7),
        .attempts = sqlite3_column_int(s, 8),
        .first_seen = sqlite3_column_int64(s, 9),
        .last_seen = sqlite3_column_int64(s, 10),
        .resolved_at = sqlite3_column_int64(s, 11),
    };
    return ((sync_store_error_fn)fn)(ctx, &e);
}

static enum sync_rc store_sqlite_error_list(struct sync_store *st, const struct sync_error_query *q,
                                            sync_store_error_fn fn, void *ctx, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    enum stmt_id id = q->record_id                                          ? S_ERROR_LIST_RECORD
                      : q->category && *q->category && !q->include_resolved ? S_ERROR_LIST_CATEGORY
                                                                            : S_ERROR_LIST_ANY;
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, id, &s, err);

    if (rc)
        return rc;
    bind_opt(s, 1, q->category);
    bind_str(s, 2, q->system);
    bind_str(s, 3, q->object);
    bind_str(s, 4, q->record_id);
    sqlite3_bind_int(s, 5, q->include_resolved ? 1 : 0);
    bind_limit(s, 6, q->max);
    return walk(b, s, "list errors", error_row, (any_fn)fn, ctx, err);
}

static enum sync_rc count_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    return ((sync_store_error_count_fn)fn)(ctx, col_str(s, 0), sqlite3_column_int64(s, 1));
}

static enum sync_rc store_sqlite_error_counts(struct sync_store *st, sync_store_error_count_fn fn,
                                              void *ctx, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_ERROR_COUNTS, &s, err);

    return rc ? rc : walk(b, s, "count errors", count_row, (any_fn)fn, ctx, err);
}

/* ---- conflicts ---- */

static enum sync_rc store_sqlite_conflict_insert(struct sync_store *st,
                                                 const struct sync_conflict_row *c, int64_t now,
                                                 int64_t *id, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_CONFLICT_INSERT, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, c->link_id);
    bind_str(s, 2, c->field);
    bind_str(s, 3, c->hs_value);
    sqlite3_bind_int64(s, 4, c->hs_at);
    bind_str(s, 5, c->sf_value);
    sqlite3_bind_int64(s, 6, c->sf_at);
    bind_str(s, 7, c->rule);
    bind_str(s, 8, c->winner);
    sqlite3_bind_int64(s, 9, now);
    rc = finish(b, s, "insert conflict", err);
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(b->db);
    return rc;
}

static enum sync_rc conflict_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    struct sync_conflict_row c = {
        .id = sqlite3_column_int64(s, 0),
        .link_id = col_str(s, 1),
        .field = col_str(s, 2),
        .hs_value = col_str(s, 3),
        .hs_at = sqlite3_column_int64(s, 4),
        .sf_value = col_str(s, 5),
        .sf_at = sqlite3_column_int64(s, 6),
        .rule = col_str(s, 7),
        .winner = col_str(s, 8),
        .recorded_at = sqlite3_column_int64(s, 9),
    };
    return ((sync_store_conflict_fn)fn)(ctx, &c);
}

static enum sync_rc store_sqlite_conflict_list(struct sync_store *st, const char *link_id,
                                               size_t max, sync_store_conflict_fn fn, void *ctx,
                                               struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_CONFLICT_LIST, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, link_id);
    bind_limit(s, 2, max);
    return walk(b, s, "list conflicts", conflict_row, (any_fn)fn, ctx, err);
}

/* ---- decisions ---- */

static enum sync_rc decision_insert(struct store_sqlite *b, const struct sync_decision_row *d,
                                    int64_t now, struct sync_err *err)
{
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_DECISION_INSERT, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, d->system);
    bind_str(s, 2, d->object);
    bind_str(s, 3, d->record_id);
    bind_opt(s, 4, d->link_id);
    bind_str(s, 5, d->action);
    bind_str(s, 6, d->trace);
    sqlite3_bind_int64(s, 7, now);
    return finish(b, s, "append decision", err);
}

static enum sync_rc decision_trim(struct store_sqlite *b, const struct sync_decision_row *d,
                                  unsigned keep, struct sync_err *err)
{
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_DECISION_TRIM, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, d->system);
    bind_str(s, 2, d->object);
    bind_str(s, 3, d->record_id);
    sqlite3_bind_int64(s, 4, keep);
    return finish(b, s, "trim decisions", err);
}

static enum sync_rc store_sqlite_decision_append(struct sync_store *st,
                                                 const struct sync_decision_row *d, unsigned keep,
                                                 int64_t now, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    int own;
    enum sync_rc rc = op_begin(b, &own, err);

    if (rc)
        return rc;
    rc = decision_insert(b, d, now, err);
    if (!rc)
        rc = decision_trim(b, d, keep, err);
    return op_end(b, own, rc, err);
}

static enum sync_rc decision_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    struct sync_decision_row d = {
        .id = sqlite3_column_int64(s, 0),
        .system = col_str(s, 1),
        .object = col_str(s, 2),
        .record_id = col_str(s, 3),
        .link_id = col_str(s, 4),
        .action = col_str(s, 5),
        .trace = col_str(s, 6),
        .at = sqlite3_column_int64(s, 7),
    };
    return ((sync_store_decision_fn)fn)(ctx, &d);
}

static enum sync_rc store_sqlite_decision_list(struct sync_store *st, const char *system,
                                               const char *object, const char *record_id,
                                               size_t max, sync_store_decision_fn fn, void *ctx,
                                               struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_DECISION_LIST, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, system);
    bind_str(s, 2, object);
    bind_str(s, 3, record_id);
    bind_limit(s, 4, max);
    return walk(b, s, "list decisions", decision_row, (any_fn)fn, ctx, err);
}

/* ---- API usage ---- */

static enum sync_rc store_sqlite_api_usage_record(struct sync_store *st,
                                                  const struct sync_api_usage *u,
                                                  struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_USAGE_RECORD, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, u->vendor);
    bind_str(s, 2, u->metric);
    sqlite3_bind_int64(s, 3, u->used);
    sqlite3_bind_int64(s, 4, u->quota);
    sqlite3_bind_int64(s, 5, u->reported_at);
    return finish(b, s, "record API usage", err);
}

static enum sync_rc fill_usage(sqlite3_stmt *s, void *out, struct sync_err *err)
{
    struct sync_api_usage *u = out;
    enum sync_rc rc = col_copy(s, 0, u->vendor, sizeof(u->vendor), err);

    if (!rc)
        rc = col_copy(s, 1, u->metric, sizeof(u->metric), err);
    u->used = sqlite3_column_int64(s, 2);
    u->quota = sqlite3_column_int64(s, 3);
    u->reported_at = sqlite3_column_int64(s, 4);
    return rc;
}

static enum sync_rc store_sqlite_api_usage_get(struct sync_store *st, const char *vendor,
                                               const char *metric, struct sync_api_usage *out,
                                               struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_USAGE_GET, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, vendor);
    bind_str(s, 2, metric);
    return get_one(b, s, "get API usage", fill_usage, out, err);
}

/* ---- API calls per minute ---- */

static enum sync_rc store_sqlite_api_calls_add(struct sync_store *st, const char *vendor,
                                               int64_t minute, int64_t n, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_CALLS_ADD, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, vendor);
    sqlite3_bind_int64(s, 2, minute);
    sqlite3_bind_int64(s, 3, n);
    return finish(b, s, "count API calls", err);
}

static enum sync_rc fill_total(sqlite3_stmt *s, void *out, struct sync_err *err)
{
    (void)err;
    *(int64_t *)out = sqlite3_column_int64(s, 0);
    return SYNC_OK;
}

static enum sync_rc store_sqlite_api_calls_sum(struct sync_store *st, const char *vendor,
                                               int64_t from_minute, int64_t *total,
                                               struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_CALLS_SUM, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, vendor);
    sqlite3_bind_int64(s, 2, from_minute);
    return get_one(b, s, "sum API calls", fill_total, total, err);
}

static enum sync_rc store_sqlite_api_calls_prune(struct sync_store *st, const char *vendor,
                                                 int64_t before_minute, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_CALLS_PRUNE, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, vendor);
    sqlite3_bind_int64(s, 2, before_minute);
    return finish(b, s, "prune API calls", err);
}

/* ---- suspensions ---- */

static enum sync_rc store_sqlite_suspension_put(struct sync_store *st,
                                                const struct sync_suspension_row *r, int64_t now,
                                                struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_SUSPENSION_PUT, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, r->vendor);
    bind_str(s, 2, r->kind);
    bind_opt(s, 3, r->code);
    bind_str(s, 4, r->message);
    sqlite3_bind_int64(s, 5, r->since ? r->since : now);
    sqlite3_bind_int64(s, 6, r->check_at);
    sqlite3_bind_int64(s, 7, now);
    return finish(b, s, "put suspension", err);
}

static enum sync_rc suspension_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    struct sync_suspension_row r;

    (void)err;
    r.vendor = col_str(s, 0);
    r.kind = col_str(s, 1);
    r.code = col_str(s, 2);
    r.message = col_str(s, 3);
    r.since = sqlite3_column_int64(s, 4);
    r.check_at = sqlite3_column_int64(s, 5);
    r.updated_at = sqlite3_column_int64(s, 6);
    return ((sync_store_suspension_fn)fn)(ctx, &r);
}

static enum sync_rc store_sqlite_suspension_list(struct sync_store *st, const char *vendor,
                                                 sync_store_suspension_fn fn, void *ctx,
                                                 struct sync_err *err)
{
    return walk_by(B(st), S_SUSPENSION_LIST, vendor, "list suspensions", suspension_row, (any_fn)fn,
                   ctx, err);
}

static enum sync_rc store_sqlite_suspension_clear(struct sync_store *st, const char *vendor,
                                                  const char *kind, int64_t *cleared,
                                                  struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_SUSPENSION_CLEAR, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, vendor);
    bind_str(s, 2, kind);
    rc = finish(b, s, "clear suspensions", err);
    *cleared = rc ? 0 : sqlite3_changes(b->db);
    return rc;
}

static enum sync_rc store_sqlite_outbox_defer_retries(struct sync_store *st, const char *target,
                                                      int64_t now, int64_t next_attempt_at,
                                                      int64_t *moved, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_OUTBOX_DEFER_RETRIES, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, target);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, next_attempt_at);
    rc = finish(b, s, "defer retries", err);
    *moved = rc ? 0 : sqlite3_changes(b->db);
    return rc;
}

/* ---- imports ---- */

static enum sync_rc store_sqlite_import_insert(struct sync_store *st,
                                               const struct sync_import_row *r, int64_t now,
                                               int64_t *id, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_IMPORT_INSERT, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, r->system);
    bind_str(s, 2, r->object);
    bind_opt(s, 3, r->filter);
    bind_opt(s, 4, r->list_id);
    sqlite3_bind_int64(s, 5, r->total);
    sqlite3_bind_int64(s, 6, now);
    rc = finish(b, s, "insert import", err);
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(b->db);
    return rc;
}

static enum sync_rc import_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    struct sync_import_row r;

    (void)err;
    r.id = sqlite3_column_int64(s, 0);
    r.system = col_str(s, 1);
    r.object = col_str(s, 2);
    r.filter = col_str(s, 3);
    r.list_id = col_str(s, 4);
    r.state = col_str(s, 5);
    r.total = sqlite3_column_int64(s, 6);
    r.read = sqlite3_column_int64(s, 7);
    r.queued = sqlite3_column_int64(s, 8);
    r.position = col_str(s, 9);
    r.started_at = sqlite3_column_int64(s, 10);
    r.updated_at = sqlite3_column_int64(s, 11);
    r.finished_at = sqlite3_column_int64(s, 12);
    r.run_started_at = sqlite3_column_int64(s, 13);
    r.run_read = sqlite3_column_int64(s, 14);
    r.error = col_str(s, 15);
    return ((sync_store_import_fn)fn)(ctx, &r);
}

/* Counts the rows a walk passes on (import_get's "is there one"). */
struct import_one {
    sync_store_import_fn fn;
    void *ctx;
    int seen;
};

static enum sync_rc import_one_fn(void *ctx, const struct sync_import_row *r)
{
    struct import_one *o = ctx;
    o->seen = 1;
    return o->fn(o->ctx, r);
}

static enum sync_rc store_sqlite_import_get(struct sync_store *st, int64_t id,
                                            sync_store_import_fn fn, void *ctx,
                                            struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    struct import_one one = {fn, ctx, 0};
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_IMPORT_GET, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = walk(b, s, "get import", import_row, (any_fn)import_one_fn, &one, err);
    if (!rc && !one.seen)
        rc = sync_err_set(err, SYNC_ERR_NOT_FOUND, "no import %lld", (long long)id);
    return rc;
}

static enum sync_rc store_sqlite_import_list(struct sync_store *st, const char *state, size_t max,
                                             sync_store_import_fn fn, void *ctx,
                                             struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_IMPORT_LIST, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, state);
    bind_limit(s, 2, max);
    return walk(b, s, "list imports", import_row, (any_fn)fn, ctx, err);
}

static enum sync_rc store_sqlite_import_advance(struct sync_store *st, int64_t id, const char *from,
                                                int64_t read, int64_t queued, const char *position,
                                                int64_t now, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_IMPORT_ADVANCE, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, read);
    sqlite3_bind_int64(s, 3, queued);
    bind_str(s, 4, position);
    sqlite3_bind_int64(s, 5, now);
    bind_str(s, 6, from);
    return finish_one(b, s, "advance running import", id, err);
}

static enum sync_rc store_sqlite_import_set_state(struct sync_store *st, int64_t id,
                                                  const char *from, const char *state,
                                                  const char *error, int64_t now,
                                                  struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_IMPORT_STATE, &s, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    bind_str(s, 2, from);
    bind_str(s, 3, state);
    bind_str(s, 4, error);
    sqlite3_bind_int64(s, 5, now);
    return finish_one(b, s, "set import state", id, err);
}

/* ---- credentials ---- */

/* Binds valid (1, 0; -1 as NULL). */
static void bind_valid(sqlite3_stmt *s, int i, int valid)
{
    if (valid < 0)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int(s, i, valid);
}

static enum sync_rc store_sqlite_credentials_put(struct sync_store *st,
                                                 const struct sync_credentials_row *r, int64_t now,
                                                 int64_t *updated_at, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    int row;
    enum sync_rc rc = prep(b, S_CREDS_PUT, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, r->vendor);
    bind_str(s, 2, r->sealed);
    bind_opt(s, 3, r->username);
    bind_opt(s, 4, r->login_url);
    sqlite3_bind_int(s, 5, r->sandbox ? 1 : 0);
    bind_opt(s, 6, r->grant);
    bind_valid(s, 7, r->valid);
    sqlite3_bind_int64(s, 8, now);
    bind_opt(s, 9, r->error);
    rc = step(b, s, "put credentials", &row, err);
    *updated_at = !rc && row ? sqlite3_column_int64(s, 0) : now;
    done(s);
    return rc;
}

static enum sync_rc credentials_row(sqlite3_stmt *s, any_fn fn, void *ctx, struct sync_err *err)
{
    struct sync_credentials_row r;

    (void)err;
    r.vendor = col_str(s, 0);
    r.sealed = col_str(s, 1);
    r.username = col_str(s, 2);
    r.login_url = col_str(s, 3);
    r.sandbox = sqlite3_column_int(s, 4);
    r.grant = col_str(s, 5);
    r.valid = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 6) != 0;
    r.checked_at = sqlite3_column_int64(s, 7);
    r.error = col_str(s, 8);
    r.updated_at = sqlite3_column_int64(s, 9);
    return ((sync_store_credentials_fn)fn)(ctx, &r);
}

/* The caller's callback, and whether a row came (get's "is there one"). */
struct credentials_get_ctx {
    sync_store_credentials_fn fn;
    void *ctx;
    int n;
};

static enum sync_rc credentials_pass(void *ctx, const struct sync_credentials_row *r)
{
    struct credentials_get_ctx *g = ctx;
    g->n++;
    return g->fn(g->ctx, r);
}

static enum sync_rc store_sqlite_credentials_get(struct sync_store *st, const char *vendor,
                                                 sync_store_credentials_fn fn, void *ctx,
                                                 struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    struct credentials_get_ctx g = {fn, ctx, 0};
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_CREDS_GET, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, vendor);
    rc = walk(b, s, "get credentials", credentials_row, (any_fn)credentials_pass, &g, err);
    if (rc == SYNC_OK && g.n == 0)
        rc = sync_err_set(err, SYNC_ERR_NOT_FOUND, "sqlite store: no %s credentials", vendor);
    return rc;
}

static enum sync_rc store_sqlite_credentials_forget(struct sync_store *st, const char *vendor,
                                                    int64_t now, int *had, struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_CREDS_FORGET, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, vendor);
    sqlite3_bind_int64(s, 2, now);
    rc = finish(b, s, "forget credentials", err);
    *had = !rc && sqlite3_changes(b->db) > 0;
    return rc;
}

static enum sync_rc store_sqlite_credentials_validity(struct sync_store *st, const char *vendor,
                                                      int64_t updated_at, int valid,
                                                      const char *error, int64_t now, int *recorded,
                                                      struct sync_err *err)
{
    struct store_sqlite *b = B(st);
    sqlite3_stmt *s;
    enum sync_rc rc = prep(b, S_CREDS_VALIDITY, &s, err);

    if (rc)
        return rc;
    bind_str(s, 1, vendor);
    sqlite3_bind_int64(s, 2, updated_at);
    bind_valid(s, 3, valid);
    sqlite3_bind_int64(s, 4, now);
    bind_opt(s, 5, error);
    if ((rc = finish(b, s, "record credentials validity", err)))
        return rc;
    *recorded = sqlite3_changes(b->db) > 0;
    if (*recorded || updated_at != 0)
        return SYNC_OK;
    /* the file's credentials, nothing stored yet: the first record makes the row (a single
     * statement, so no unit is needed around the two) */
    if ((rc = prep(b, S_CREDS_VALIDITY_NEW, &s, err)))
        return rc;
    bind_str(s, 1, vendor);
    bind_valid(s, 2, valid);
    sqlite3_bind_int64(s, 3, now);
    bind_opt(s, 4, error);
    if ((rc = finish(b, s, "record credentials validity", err)))
        return rc;
    *recorded = sqlite3_changes(b->db) > 0;
    return SYNC_OK;
}

const struct sync_store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = store_sqlite_open,
    .close = store_sqlite_close,
    .info = store_sqlite_info,
    .check = store_sqlite_check,
    .begin = store_sqlite_begin,
    .commit = store_sqlite_commit,
    .rollback = store_sqlite_rollback,
    .savepoint = store_sqlite_savepoint,
    .savepoint_release = store_sqlite_savepoint_release,
    .savepoint_rollback = store_sqlite_savepoint_rollback,
    .setting_get = store_sqlite_setting_get,
    .setting_set = store_sqlite_setting_set,
    .setting_delete = store_sqlite_setting_delete,
    .setting_list = store_sqlite_setting_list,
    .mapping_insert = store_sqlite_mapping_insert,
    .mapping_delete = store_sqlite_mapping_delete,
    .mapping_list = store_sqlite_mapping_list,
    .link_insert = store_sqlite_link_insert,
    .link_get = store_sqlite_link_get,
    .link_get_by_hs = store_sqlite_link_get_by_hs,
    .link_get_by_sf = store_sqlite_link_get_by_sf,
    .link_update = store_sqlite_link_update,
    .link_list = store_sqlite_link_list,
    .ledger_put = store_sqlite_ledger_put,
    .ledger_list = store_sqlite_ledger_list,
    .ledger_clear = store_sqlite_ledger_clear,
    .unsettled_put = store_sqlite_unsettled_put,
    .unsettled_list = store_sqlite_unsettled_list,
    .unsettled_drop = store_sqlite_unsettled_drop,
    .unsettled_prune = store_sqlite_unsettled_prune,
    .cursor_get = store_sqlite_cursor_get,
    .cursor_set = store_sqlite_cursor_set,
    .cursor_delete = store_sqlite_cursor_delete,
    .seen_mark = store_sqlite_seen_mark,
    .seen_prune = store_sqlite_seen_prune,
    .inbox_put = store_sqlite_inbox_put,
    .inbox_take = store_sqlite_inbox_take,
    .inbox_delete = store_sqlite_inbox_delete,
    .inbox_count = store_sqlite_inbox_count,
    .outbox_enqueue = store_sqlite_outbox_enqueue,
    .outbox_claim = store_sqlite_outbox_claim,
    .outbox_complete = store_sqlite_outbox_complete,
    .outbox_reschedule = store_sqlite_outbox_reschedule,
    .outbox_stats = store_sqlite_outbox_stats,
    .error_record = store_sqlite_error_record,
    .error_resolve = store_sqlite_error_resolve,
    .error_list = store_sqlite_error_list,
    .error_counts = store_sqlite_error_counts,
    .conflict_insert = store_sqlite_conflict_insert,
    .conflict_list = store_sqlite_conflict_list,
    .decision_append = store_sqlite_decision_append,
    .decision_list = store_sqlite_decision_list,
    .api_usage_record = store_sqlite_api_usage_record,
    .api_usage_get = store_sqlite_api_usage_get,
    .api_calls_add = store_sqlite_api_calls_add,
    .api_calls_sum = store_sqlite_api_calls_sum,
    .api_calls_prune = store_sqlite_api_calls_prune,
    .suspension_put = store_sqlite_suspension_put,
    .suspension_list = store_sqlite_suspension_list,
    .suspension_clear = store_sqlite_suspension_clear,
    .outbox_defer_retries = store_sqlite_outbox_defer_retries,
    .import_insert = store_sqlite_import_insert,
    .import_get = store_sqlite_import_get,
    .import_list = store_sqlite_import_list,
    .import_advance = store_sqlite_import_advance,
    .import_set_state = store_sqlite_import_set_state,
    .credentials_put = store_sqlite_credentials_put,
    .credentials_get = store_sqlite_credentials_get,
    .credentials_forget = store_sqlite_credentials_forget,
    .credentials_validity = store_sqlite_credentials_validity,
};
