/*
 * cmd_sync.c: `crmsync sync --once`: capture, plan and apply until
 * nothing is left to do (retries that are not due yet excepted), print
 * what was done, exit 0. Scripts and tests rely on it. Called by main.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/builtin.h"
#include "engine/sync.h"

static void sync_usage(FILE *f)
{
    fprintf(f, "usage: crmsync sync --once [--max-passes N]\n\n"
               "Captures both sides, plans every change and applies the writes, pass after "
               "pass,\nuntil nothing is left to do; then prints a summary and exits.\n");
}

int cmd_sync(int argc, const char **argv, const struct cli *cli)
{
    struct sync_config cfg;
    struct sync_engine *e = NULL;
    struct sync_pass_stats st;
    struct sync_err err = SYNC_ERR_INIT;
    unsigned max_passes = 0;
    int status;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0)
            continue;
        if (strcmp(argv[i], "--max-passes") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 100000) {
                fprintf(stderr, "crmsync sync: --max-passes takes a number from 1 to 100000\n");
                return CLI_USAGE;
            }
            max_passes = (unsigned)v;
            continue;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            sync_usage(stdout);
            return CLI_OK;
        }
        fprintf(stderr, "crmsync sync: unknown argument '%s'\n", argv[i]);
        sync_usage(stderr);
        return CLI_USAGE;
    }
    if ((status = cli_config_load(cli, &cfg)) != CLI_OK) {
        sync_config_release(&cfg);
        return status;
    }
    if (sync_engine_open(&e, &cfg, &err)) {
        fprintf(stderr, "crmsync sync: %s\n", err.message);
        sync_config_release(&cfg);
        return err.rc == SYNC_ERR_INVALID ? CLI_USAGE : CLI_FAILED;
    }
    status = CLI_OK;
    if (sync_engine_once(e, max_passes, &st, &err)) {
        fprintf(stderr, "crmsync sync: %s\n", err.message);
        status = CLI_FAILED;
    }
    printf("sync: %zu read, %zu captured, %zu planned, %zu written, %zu failed, %zu retrying, "
           "%zu record errors\n",
           st.read, st.captured, st.planned, st.written, st.failed, st.retried, st.record_errors);
    sync_engine_close(e);
    sync_config_release(&cfg);
    return status;
}
