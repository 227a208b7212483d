/*
 * Tests src/store/store_sqlite.c: the embedded migrations, migrating an
 * empty file, reopening, refusing a newer schema, WAL mode, the indexes
 * behind the engine's hot paths, a second writer waiting its turn, and
 * durability across a SIGKILL (a child process commits or is killed
 * mid-transaction; the parent reopens the file).
 *
 * The database file is read and tampered with through SQLite directly,
 * the way an operator or a bug elsewhere would.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/time.h"
#include "store/store.h"
#include "store/store_int.h"

#define OK(x) cr_assert_eq((x), SYNC_OK, "%s: %s", #x, err.message)

static char scratch[256];
static char path[400];
static char url[420];

static void scratch_make(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(scratch, sizeof(scratch), "%s/crmsync-sqliteXXXXXX", t && *t ? t : "/tmp");
    cr_assert_not_null(mkdtemp(scratch));
    snprintf(path, sizeof(path), "%s/store.db", scratch);
    snprintf(url, sizeof(url), "sqlite:%s", path);
}

static void scratch_done(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[512];
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
        unlink(p);
    }
    rmdir(scratch);
}

static struct sync_store *open_file(void)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = NULL;
    OK(sync_store_open(&st, url, &err));
    return st;
}

/* A raw connection to the same file. */
static sqlite3 *raw_open(void)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* The first column of the first row as text ("" when there is none). */
static void raw_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *s;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    out[0] = '\0';
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
}

static void raw_exec(sqlite3 *db, const char *sql)
{
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
}

static int has_cursor(struct sync_store *st, const char *source, const char *want)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_buf b = SYNC_BUF_INIT(256);
    enum sync_rc rc = sync_store_cursor_get(st, source, &b, NULL, &err);
    int found = rc == SYNC_OK && strcmp(sync_buf_str(&b), want) == 0;
    cr_assert(rc == SYNC_OK || rc == SYNC_ERR_NOT_FOUND, "%s", err.message);
    sync_buf_release(&b);
    return found;
}

static enum sync_rc count_change(void *ctx, const struct sync_change *c)
{
    (*(int *)ctx)++;
    return SYNC_OK;
}

static int inbox_count(struct sync_store *st)
{
    struct sync_err err = SYNC_ERR_INIT;
    int n = 0;
    OK(sync_store_inbox_take(st, SYNC_STORE_BATCH_MAX, count_change, &n, &err));
    return n;
}

/* ---- migrations ---- */

Test(store_sqlite, migrations_are_numbered_from_one_without_gaps)
{
    cr_assert_geq(store_sqlite_migrations_count, 1);
    for (size_t i = 0; i < store_sqlite_migrations_count; i++) {
        cr_assert_eq(store_sqlite_migrations[i].version, (int)i + 1);
        cr_assert_gt(strlen(store_sqlite_migrations[i].sql), 0);
    }
    cr_assert_str_eq(store_sqlite_migrations[0].name, "0001_init");
}

Test(store_sqlite, an_empty_file_is_migrated_to_the_latest_schema_in_wal_mode)
{
    static const char *const tables[] = {
        "meta",  "settings", "mappings",    "links",     "ledger",    "cursors",
        "inbox", "outbox",   "sync_errors", "conflicts", "decisions", "api_usage",
    };
    char v[64], want[16];
    sqlite3 *db;

    scratch_make();
    sync_store_close(open_file());
    db = raw_open();
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[160];
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                 tables[i]);
        raw_text(db, sql, v, sizeof(v));
        cr_assert_str_eq(v, "1", "table %s", tables[i]);
    }
    raw_text(db, "SELECT value FROM meta WHERE key = 'schema_version'", v, sizeof(v));
    snprintf(want, sizeof(want), "%zu", store_sqlite_migrations_count);
    cr_assert_str_eq(v, want);
    raw_text(db, "PRAGMA journal_mode", v, sizeof(v));
    cr_assert_str_eq(v, "wal");
    sqlite3_close(db);
    scratch_done();
}

Test(store_sqlite, reopening_keeps_the_data_and_the_install_id)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store_info a, b;
    struct sync_store *st;
    struct sync_link l = {0}, got;

    scratch_make();
    st = open_file();
    OK(sync_store_info(st, &a, &err));
    snprintf(l.kind, sizeof(l.kind), "company");
    snprintf(l.hs_id, sizeof(l.hs_id), "9001");
    snprintf(l.sf_object, sizeof(l.sf_object), "Account");
    snprintf(l.sf_id, sizeof(l.sf_id), "001A");
    l.state = SYNC_LINK_LINKED;
    OK(sync_store_link_insert(st, &l, &err));
    OK(sync_store_setting_set(st, "company.sync", "true", &err));
    sync_store_close(st);

    st = open_file();
    OK(sync_store_info(st, &b, &err));
    cr_assert_str_eq(a.install_id, b.install_id);
    cr_assert_eq(b.schema_version, b.schema_latest);
    OK(sync_store_link_get_by_hs(st, "company", "9001", &got, &err));
    cr_assert_str_eq(got.link_id, l.link_id);
    cr_assert_str_eq(got.sf_id, "001A");
    sync_store_close(st);
    scratch_done();
}

Test(store_sqlite, a_database_with_a_newer_schema_is_refused_and_left_alone)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = NULL;
    char sql[128], v[32], want[32];
    sqlite3 *db;

    scratch_make();
    sync_store_close(open_file());
    db = raw_open();
    snprintf(want, sizeof(want), "%zu", store_sqlite_migrations_count + 1);
    snprintf(sql, sizeof(sql), "UPDATE meta SET value = '%s' WHERE key = 'schema_version'", want);
    raw_exec(db, sql);
    sqlite3_close(db);

    cr_assert_eq(sync_store_open(&st, url, &err), SYNC_ERR_INVALID);
    cr_assert_null(st);
    cr_assert(strstr(err.message, "newer"), "%s", err.message);
    db = raw_open();
    raw_text(db, "SELECT value FROM meta WHERE key = 'schema_version'", v, sizeof(v));
    cr_assert_str_eq(v, want);
    sqlite3_close(db);
    scratch_done();
}

Test(store_sqlite, a_failed_migration_leaves_nothing_behind)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = NULL;
    char v[32];
    sqlite3 *db;

    scratch_make();
    db = raw_open(); /* a table in the way of the first migration, no meta yet */
    raw_exec(db, "CREATE TABLE inbox (x INTEGER)");
    sqlite3_close(db);
    cr_assert_eq(sync_store_open(&st, url, &err), SYNC_ERR_IO);
    cr_assert(strstr(err.message, "0001_init"), "%s", err.message);
    db = raw_open();
    raw_text(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('meta', 'links')", v,
             sizeof(v));
    cr_assert_str_eq(v, "0");
    sqlite3_close(db);
    scratch_done();
}

Test(store_sqlite, a_file_that_is_not_a_database_is_refused)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = NULL;
    FILE *f;

    scratch_make();
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("these are not the pages you are looking for, not even one of them\n", f);
    for (int i = 0; i < 100; i++)
        fputs("0123456789abcdef0123456789abcdef0123456789abcdef\n", f);
    fclose(f);
    cr_assert_eq(sync_store_open(&st, url, &err), SYNC_ERR_IO);
    cr_assert_null(st);
    scratch_done();
}

Test(store_sqlite, a_missing_folder_is_an_io_error)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st = NULL;
    char bad[512];

    scratch_make();
    snprintf(bad, sizeof(bad), "sqlite:%s/no/such/folder/x.db", scratch);
    cr_assert_eq(sync_store_open(&st, bad, &err), SYNC_ERR_IO);
    cr_assert(strstr(err.message, "cannot open"), "%s", err.message);
    scratch_done();
}

Test(store_sqlite, check_finds_a_row_that_points_at_a_missing_link)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st;
    sqlite3 *db;

    scratch_make();
    st = open_file();
    OK(sync_store_check(st, &err));
    db = raw_open(); /* foreign keys are off by default on a raw connection */
    raw_exec(db, "INSERT INTO ledger (link_id, field, value, written_by, agreed_at) "
                 "VALUES ('L000000000000000000000000', 'email', 'x', 'hubspot', 1)");
    sqlite3_close(db);
    cr_assert_eq(sync_store_check(st, &err), SYNC_ERR_IO);
    cr_assert(strstr(err.message, "ledger"), "%s", err.message);
    sync_store_close(st);
    scratch_done();
}

/* ---- indexes behind the hot paths ---- */

static void assert_plan_uses(sqlite3 *db, const char *sql, const char *index)
{
    char q[1024], plan[1024] = "";
    sqlite3_stmt *s;

    snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
    cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &s, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    while (sqlite3_step(s) == SQLITE_ROW) {
        size_t used = strlen(plan);
        snprintf(plan + used, sizeof(plan) - used, "%s; ", sqlite3_column_text(s, 3));
    }
    sqlite3_finalize(s);
    cr_assert(strstr(plan, index), "%s\nplan: %s", sql, plan);
    cr_assert_null(strstr(plan, "USE TEMP B-TREE"), "%s\nsorts: %s", sql, plan);
}

Test(store_sqlite, the_hot_paths_are_served_by_indexes)
{
    sqlite3 *db;

    scratch_make();
    sync_store_close(open_file());
    db = raw_open();
    assert_plan_uses(db, "SELECT * FROM links WHERE link_id = 'L1'", "PRIMARY KEY");
    assert_plan_uses(db, "SELECT * FROM links WHERE kind = 'contact' AND hs_id = '1'",
                     "links_by_hs");
    assert_plan_uses(db, "SELECT * FROM links WHERE sf_object = 'Lead' AND sf_id = '00Q'",
                     "links_by_sf");
    assert_plan_uses(db, "SELECT * FROM ledger WHERE link_id = 'L1' ORDER BY field", "PRIMARY KEY");
    assert_plan_uses(db,
                     "SELECT * FROM inbox WHERE system = 'hubspot' AND object = 'contacts' "
                     "AND record_id = '1'",
                     "sqlite_autoindex_inbox_1");
    assert_plan_uses(db,
                     "SELECT * FROM outbox WHERE state = 'waiting' AND next_attempt_at <= 5 "
                     "ORDER BY next_attempt_at, id LIMIT 1",
                     "outbox_due");
    assert_plan_uses(db,
                     "SELECT * FROM outbox WHERE target = 'hubspot' AND object = 'contacts' "
                     "AND op = 'update' AND next_attempt_at <= 5 ORDER BY next_attempt_at, id "
                     "LIMIT 100",
                     "outbox_batch");
    assert_plan_uses(db,
                     "SELECT * FROM sync_errors WHERE category = 'DUPLICATE' AND resolved_at IS "
                     "NULL ORDER BY last_seen DESC, id DESC",
                     "sync_errors_by_category");
    assert_plan_uses(db,
                     "SELECT category, count(*) FROM sync_errors WHERE resolved_at IS NULL "
                     "GROUP BY category ORDER BY category",
                     "sync_errors_by_category");
    assert_plan_uses(db,
                     "SELECT * FROM sync_errors WHERE system = 'hubspot' AND object = 'contacts' "
                     "AND record_id = '1'",
                     "sqlite_autoindex_sync_errors_1");
    assert_plan_uses(db,
                     "SELECT * FROM decisions WHERE system = 'hubspot' AND object = 'contacts' "
                     "AND record_id = '1' ORDER BY id DESC LIMIT 20",
                     "decisions_by_record");
    assert_plan_uses(db, "SELECT * FROM conflicts WHERE link_id = 'L1' ORDER BY id DESC",
                     "conflicts_by_link");
    sqlite3_close(db);
    scratch_done();
}

/* ---- several processes, and crashes ---- */

/* Waits for one byte on fd (the child's "done"), failing the test after a few seconds. */
static void wait_byte(int fd)
{
    char c;
    cr_assert_eq(read(fd, &c, 1), 1, "the child died before it signalled");
}

static int child_status(pid_t pid)
{
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return status;
}

Test(store_sqlite, a_second_writer_waits_for_the_first_to_commit)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st;
    int pipefd[2];
    pid_t pid;

    scratch_make();
    st = open_file(); /* opened before the fork; the child never touches it */
    cr_assert_eq(pipe(pipefd), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct sync_store *c = NULL;
        close(pipefd[0]);
        if (sync_store_open(&c, url, &err) || sync_store_begin(c, &err) ||
            sync_store_cursor_set(c, "salesforce:Lead", "child", &err))
            _exit(1);
        if (write(pipefd[1], "x", 1) != 1)
            _exit(2);
        usleep(300 * 1000);
        _exit(sync_store_commit(c, &err) ? 3 : 0);
    }
    close(pipefd[1]);
    wait_byte(pipefd[0]); /* the child holds the write lock */
    int64_t t0 = sync_time_monotonic_ms();
    OK(sync_store_begin(st, &err)); /* waits out the child's 300 ms */
    cr_assert_geq(sync_time_monotonic_ms() - t0, 150, "begin did not wait for the child");
    cr_assert(has_cursor(st, "salesforce:Lead", "child"));
    OK(sync_store_cursor_set(st, "salesforce:Lead", "parent", &err));
    OK(sync_store_commit(st, &err));
    int status = child_status(pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    cr_assert(has_cursor(st, "salesforce:Lead", "parent"));
    sync_store_close(st);
    close(pipefd[0]);
    scratch_done();
}

/* In a child: opens the store, captures three changes and advances the cursor in one
 * transaction, commits only if told to, tells the parent, and waits to be killed. */
static void child_capture(int fd, int commit)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *c = NULL;
    char id[16];

    if (sync_store_open(&c, url, &err) || sync_store_begin(c, &err))
        _exit(1);
    for (int i = 0; i < 3; i++) {
        struct sync_change ch = {0, "hubspot", "contacts", id, 100 + i, 0, "{}", 0};
        snprintf(id, sizeof(id), "%d", 700 + i);
        if (sync_store_inbox_put(c, &ch, NULL, &err))
            _exit(2);
    }
    if (sync_store_cursor_set(c, "hubspot:contacts", "102", &err))
        _exit(3);
    if (commit && sync_store_commit(c, &err))
        _exit(4);
    if (write(fd, "x", 1) != 1)
        _exit(5);
    for (;;)
        pause();
}

static void kill_child_after(int commit)
{
    int pipefd[2];
    pid_t pid;

    scratch_make();
    sync_store_close(open_file());
    cr_assert_eq(pipe(pipefd), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(pipefd[0]);
        child_capture(pipefd[1], commit);
    }
    close(pipefd[1]);
    wait_byte(pipefd[0]);
    cr_assert_eq(kill(pid, SIGKILL), 0);
    int status = child_status(pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);
    close(pipefd[0]);
}

Test(store_sqlite, a_committed_transaction_survives_a_sigkill_right_after_commit)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st;

    kill_child_after(1);
    st = open_file();
    cr_assert_eq(inbox_count(st), 3);
    cr_assert(has_cursor(st, "hubspot:contacts", "102"));
    OK(sync_store_check(st, &err));
    sync_store_close(st);
    scratch_done();
}

Test(store_sqlite, a_transaction_killed_before_commit_leaves_nothing)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_store *st;

    kill_child_after(0);
    st = open_file();
    cr_assert_eq(inbox_count(st), 0);
    cr_assert_not(has_cursor(st, "hubspot:contacts", "102"));
    OK(sync_store_check(st, &err));
    sync_store_close(st);
    scratch_done();
}
