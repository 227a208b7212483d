/*
 * cmd_run.c: `crmsync run`: one pass every poll_interval (the setting in
 * force, so a change made while it runs takes effect at the next nap), forever, until
 * SIGTERM or SIGINT (the pass under way finishes first; every step of a
 * pass commits as it goes, so a harder stop loses nothing either). A
 * failing pass is logged and retried at the next interval. With an
 * admin token configured it also serves the admin API (src/admin), whose
 * changes wake the loop for a pass at once. Called by main.c; the loop
 * itself (cli_run_loop) is also what `crmsync demo` runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin/admin.h"
#include "cli/builtin.h"
#include "core/log.h"
#include "core/json.h"
#include "core/time.h"
#include "engine/configio.h"
#include "engine/sync.h"

/* set by the signal handler; read by the loop */
static volatile sig_atomic_t stop_requested;
/* set by the admin API's threads after a change; read and cleared by the loop */
static atomic_int wake_requested;

static void on_wake(void *ctx)
{
    (void)ctx;
    atomic_store(&wake_requested, 1);
}

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* How often a wait reads the store's poll_interval again (a change made elsewhere, by
 * `crmsync settings set`, shortens or lengthens the wait under way). */
#define POLL_INTERVAL_CHECK_MS 2000

/* Waits poll_interval from start, waking early when a stop or a pass is requested. */
static void nap(struct sync_engine *e, int64_t start)
{
    int64_t checked = start;

    while (!stop_requested && !atomic_exchange(&wake_requested, 0)) {
        struct sync_err err = SYNC_ERR_INIT;
        int64_t now = sync_time_monotonic_ms(), left;
        struct timespec ts;
        if (now - checked >= POLL_INTERVAL_CHECK_MS) {
            if (sync_engine_poll_interval_refresh(e, &err))
                sync_debug("run", "cannot read poll_interval: %s", err.message);
            checked = now;
        }
        left = start + sync_engine_poll_interval_ms(e) - now;
        if (left <= 0)
            return;
        if (left > 200)
            left = 200;
        ts.tv_sec = (time_t)(left / 1000);
        ts.tv_nsec = (long)(left % 1000) * 1000000L;
        nanosleep(&ts, NULL);
    }
}

void cli_run_loop(struct sync_engine *e, cli_pass_fn on_pass, void *ctx)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sync_info("run", "syncing every %lld ms", (long long)sync_engine_poll_interval_ms(e));
    while (!stop_requested) {
        struct sync_pass_stats st;
        enum sync_rc rc;
        memset(&st, 0, sizeof(st));
        sync_err_clear(&err);
        rc = sync_engine_pass(e, &st, &err);
        if (rc)
            sync_warn("run", "pass failed: %s", err.message);
        else if (st.captured || st.written || st.failed)
            sync_info("run", "%zu captured, %zu planned, %zu written, %zu failed", st.captured,
                      st.planned, st.written, st.failed);
        if (on_pass)
            on_pass(ctx, &st, rc ? &err : NULL);
        nap(e, sync_time_monotonic_ms());
    }
    sync_info("run", "stopped");
}

/* crmsync.yaml's ticket_pipelines are applied by an import, not by being in the file (the
 * engine takes the map from the store): says so when they differ from the choices in force. */
static void ticket_choices_check(struct sync_engine *e, const struct sync_config *cfg)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *diff = NULL, *c;
    size_t i, n = 0;

    if (!cfg->ticket_pipelines || sync_configio_diff(sync_engine_store(e), cfg, cfg, &diff, &err))
        return;
    json_array_foreach(diff, i, c)
    {
        n += sync_json_str(c, "ticket_pipeline") || sync_json_str(c, "ticket_status");
    }
    if (n)
        sync_warn("run",
                  "%s gives %zu ticket pipeline choice%s other than those in force, which the "
                  "file alone does not apply: run `crmsync settings import %s` to apply them",
                  cfg->source ? cfg->source : "the configuration", n, n == 1 ? "" : "s",
                  cfg->source ? cfg->source : "FILE");
    json_decref(diff);
}

int cmd_run(int argc, const char **argv, const struct cli *cli)
{
    struct sync_config cfg;
    struct sync_engine *e = NULL;
    struct sync_admin *admin = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    int status;

    if (argc > 1) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            printf("usage: crmsync run\n\nSyncs continuously: a pass every poll_interval "
                   "until SIGTERM or SIGINT.\n");
            return CLI_OK;
        }
        fprintf(stderr, "crmsync run: unknown argument '%s'\n", argv[1]);
        return CLI_USAGE;
    }
    if ((status = cli_config_load(cli, &cfg)) != CLI_OK) {
        sync_config_release(&cfg);
        return status;
    }
    if (sync_engine_open(&e, &cfg, &err)) {
        fprintf(stderr, "crmsync run: %s\n", err.message);
        sync_config_release(&cfg);
        return err.rc == SYNC_ERR_INVALID ? CLI_USAGE : CLI_FAILED;
    }
    if (cfg.admin.token && cfg.admin.token[0]) {
        struct sync_admin_hooks hooks = {on_wake, NULL};
        if (sync_admin_start(&admin, &cfg, &hooks, &err)) {
            fprintf(stderr, "crmsync run: %s\n", err.message);
            sync_engine_close(e);
            sync_config_release(&cfg);
            return CLI_FAILED;
        }
    } else {
        sync_info("run", "the admin API is off: set admin.token to serve it");
    }
    ticket_choices_check(e, &cfg);
    cli_run_loop(e, NULL, NULL);
    sync_admin_stop(admin);
    sync_engine_close(e);
    sync_config_release(&cfg);
    return CLI_OK;
}
