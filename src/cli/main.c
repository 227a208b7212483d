/*
 * main.c: the crmsync command line. Global options, then one subcommand
 * from the table below (git's git.c shape); each subcommand is its own
 * cmd_<name>.c (builtin.h). Also what the subcommands share: loading the
 * configuration and printing times.
 *
 *   crmsync [--config FILE] <command> [<args>]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/builtin.h"
#include "core/log.h"
#include "core/time.h"
#include "store/store.h"

struct cmd_struct {
    const char *name;
    int (*fn)(int argc, const char **argv, const struct cli *cli);
    const char *help;
};

static const struct cmd_struct commands[] = {
    {"credentials", cmd_credentials,
     "the credentials in force; save Salesforce's: credentials salesforce --username U"},
    {"demo", cmd_demo, "sync the demo emulators with live progress (scripts/demo.sh; make demo)"},
    {"disconnect", cmd_disconnect, "forget the saved Salesforce credentials and turn sync off"},
    {"errors", cmd_errors, "open sync errors by category with their fixes (--csv: the export)"},
    {"explain", cmd_explain, "why a record synced as it did: explain hubspot|salesforce OBJECT ID"},
    {"import", cmd_import,
     "import (backfill) Salesforce records or a HubSpot list: import salesforce OBJECT "
     "[--where COND] | hubspot-list ID | list | resume ID"},
    {"mappings", cmd_mappings,
     "the field mappings in force; add, edit and delete them and their rules while running"},
    {"resync", cmd_resync, "queue records for a fresh sync: resync ERROR_ID... | SYSTEM OBJECT ID"},
    {"run", cmd_run, "sync continuously, polling every poll_interval, until stopped"},
    {"settings", cmd_settings, "the settings in force; set, reset, export and import them"},
    {"status", cmd_status, "links by state, pending work, open errors, API usage"},
    {"suspension", cmd_suspension, "integration suspensions: show, or clear [KIND] to try again"},
    {"sync", cmd_sync, "capture, plan and apply (--once: until nothing is left, then exit)"},
    {"tickets", cmd_tickets,
     "Salesforce cases -> HubSpot tickets, step by step: show, preview, map-pipeline, "
     "map-status, start, stop, remove"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: crmsync [--config FILE] [--version] [--help] <command> [<args>]\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "   %-11s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nThe configuration is read from --config FILE, else ./crmsync.yaml "
               "(docs/CONFIG.md).\n");
}

int cli_config_load(const struct cli *cli, struct sync_config *cfg)
{
    struct sync_config_problems *pr = calloc(1, sizeof(*pr));
    enum sync_rc rc;

    if (sync_config_init(cfg) || !pr) {
        free(pr);
        fprintf(stderr, "crmsync: out of memory\n");
        return CLI_FAILED;
    }
    rc = sync_config_load_file(cfg, cli->config_path, pr);
    if (rc) {
        struct sync_buf b = SYNC_BUF_INIT(256 * 1024);
        sync_config_problems_format(pr, &b);
        fprintf(stderr, "%s", sync_buf_str(&b));
        if (b.len && b.data[b.len - 1] != '\n')
            fputc('\n', stderr);
        sync_buf_release(&b);
        free(pr);
        return CLI_USAGE;
    }
    free(pr);
    sync_log_set_level(
        (enum sync_log_level)sync_settings_int(&cfg->settings, SYNC_SETTING_LOG_LEVEL));
    return CLI_OK;
}

int cli_store_open(const struct cli *cli, const char *cmd, struct sync_config *cfg,
                   struct sync_store **st)
{
    struct sync_err err = SYNC_ERR_INIT;
    int status = cli_config_load(cli, cfg);

    *st = NULL;
    if (status != CLI_OK) {
        sync_config_release(cfg);
        return status;
    }
    if (sync_store_open(st, cfg->store, &err)) {
        fprintf(stderr, "%s: %s\n", cmd, err.message);
        sync_config_release(cfg);
        return CLI_FAILED;
    }
    return CLI_OK;
}

void cli_store_close(struct sync_config *cfg, struct sync_store *st)
{
    sync_store_close(st);
    sync_config_release(cfg);
}

const char *cli_time(long long ms, char *buf, size_t n)
{
    if (ms <= 0)
        snprintf(buf, n, "never");
    else
        sync_time_format_iso(ms, buf, n);
    return buf;
}

int main(int argc, char **argv)
{
    struct cli cli = {NULL};
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "crmsync: %s needs a file\n", a);
                return CLI_USAGE;
            }
            cli.config_path = argv[++i];
        } else if (strncmp(a, "--config=", 9) == 0) {
            cli.config_path = a + 9;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return CLI_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("crmsync %s\n", CRMSYNC_VERSION);
            return CLI_OK;
        } else {
            fprintf(stderr, "crmsync: unknown option '%s'\n", a);
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (strcmp(commands[k].name, argv[i]) == 0)
            return commands[k].fn(argc - i, (const char **)(argv + i), &cli);
    fprintf(stderr, "crmsync: '%s' is not a crmsync command\n", argv[i]);
    usage(stderr);
    return CLI_USAGE;
}
