/*
 * builtin.h: the crmsync subcommands (git's builtin.h shape) and what
 * they share.
 *
 * main.c parses the global options, finds the subcommand in its table and
 * calls it with the arguments that follow its name (argv[0] is the
 * subcommand's name). Each subcommand lives in its own cmd_<name>.c and
 * returns the process exit status: 0 done, 1 it failed, 2 bad usage or a
 * bad configuration.
 */
#ifndef SYNC_CLI_BUILTIN_H
#define SYNC_CLI_BUILTIN_H

#include <stdio.h>

#include "engine/config.h"
#include "engine/sync.h"

#define CLI_OK 0
#define CLI_FAILED 1
#define CLI_USAGE 2

struct cli {
    const char *config_path; /* --config FILE; NULL: ./crmsync.yaml */
};

int cmd_credentials(int argc, const char **argv, const struct cli *cli);
int cmd_demo(int argc, const char **argv, const struct cli *cli);
int cmd_disconnect(int argc, const char **argv, const struct cli *cli);
int cmd_errors(int argc, const char **argv, const struct cli *cli);
int cmd_explain(int argc, const char **argv, const struct cli *cli);
int cmd_import(int argc, const char **argv, const struct cli *cli);
int cmd_resync(int argc, const char **argv, const struct cli *cli);
int cmd_mappings(int argc, const char **argv, const struct cli *cli);
int cmd_run(int argc, const char **argv, const struct cli *cli);
int cmd_settings(int argc, const char **argv, const struct cli *cli);
int cmd_status(int argc, const char **argv, const struct cli *cli);
int cmd_suspension(int argc, const char **argv, const struct cli *cli);
int cmd_sync(int argc, const char **argv, const struct cli *cli);
int cmd_tickets(int argc, const char **argv, const struct cli *cli);

/* Loads and checks the configuration (problems go to stderr) and applies its log level.
 * Returns CLI_OK, or CLI_USAGE after printing every problem; cfg must be released either way. */
int cli_config_load(const struct cli *cli, struct sync_config *cfg);

/* cli_config_load, then the store it names, for a subcommand that works on the store alone
 * (cmd: "crmsync status", for the error message). Returns CLI_OK with both open (release with
 * cli_store_close), or the exit status after printing why, with nothing left open. */
int cli_store_open(const struct cli *cli, const char *cmd, struct sync_config *cfg,
                   struct sync_store **st);
void cli_store_close(struct sync_config *cfg, struct sync_store *st);

/* After each pass of cli_run_loop: the pass's stats, and its error (NULL when it succeeded). */
typedef void (*cli_pass_fn)(void *ctx, const struct sync_pass_stats *st,
                            const struct sync_err *failed);
/* The loop of `crmsync run` (cmd_run.c): a pass every poll_interval in force until SIGTERM or
 * SIGINT (the pass under way finishes first); on_pass (may be NULL) sees each pass. */
void cli_run_loop(struct sync_engine *e, cli_pass_fn on_pass, void *ctx);

/* `crmsync status` for an open store (cmd_status.c): prints the report of engine/report.h for
 * the configuration cfg, as text or (as_json) one JSON object. */
enum sync_rc cli_status_show(struct sync_store *st, const struct sync_config *cfg, int as_json,
                             struct sync_err *err);

/* Prints an epoch-ms time as ISO-8601 UTC, or "never" for 0. */
const char *cli_time(long long ms, char *buf, size_t n);

#endif
