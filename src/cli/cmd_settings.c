/*
 * cmd_settings.c: `crmsync settings`: the integration settings in force,
 * changed at run time without a restart (runtime.h).
 *
 *   crmsync settings [get [NAME]] [--json]   every setting (or one): value, where it comes from
 *   crmsync settings set NAME VALUE           store an override (checked first)
 *   crmsync settings reset NAME               drop the override: the file's value applies
 *   crmsync settings export                   the configuration as YAML: settings, mappings and
 *                                             ticket pipeline choices in force
 *   crmsync settings import FILE [--dry-run]  what FILE's settings, mappings and ticket pipeline
 *                                             choices would change, then apply it (configio.h)
 *
 * Works on the store alone, next to a running engine, which picks the
 * change up at its next pass. Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "engine/configio.h"
#include "engine/mapdescribe.h"
#include "engine/runtime.h"
#include "store/store.h"

static void settings_usage(FILE *f)
{
    fprintf(f, "usage: crmsync settings [get [NAME]] [--json]\n"
               "       crmsync settings set NAME VALUE\n"
               "       crmsync settings reset NAME\n"
               "       crmsync settings export\n"
               "       crmsync settings import FILE [--dry-run]\n");
}

static void print_value(const json_t *v)
{
    if (json_is_string(v))
        printf("%s", json_string_value(v)[0] ? json_string_value(v) : "(none)");
    else if (json_is_boolean(v))
        printf("%s", json_is_true(v) ? "true" : "false");
    else
        printf("%lld", (long long)json_integer_value(v));
}

static void print_setting(const json_t *s)
{
    printf("%-34s ", sync_json_str(s, "name"));
    print_value(json_object_get(s, "value"));
    printf("  (%s)\n", sync_json_str(s, "source"));
}

static int settings_get(struct sync_store *st, const struct sync_config *cfg, const char *name,
                        int as_json)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL, *s;
    size_t i;

    if (name ? sync_runtime_setting_json(st, cfg, name, &out, &err)
             : sync_runtime_settings_json(st, cfg, &out, &err)) {
        fprintf(stderr, "crmsync settings: %s\n", err.message);
        return err.rc == SYNC_ERR_NOT_FOUND ? CLI_USAGE : CLI_FAILED;
    }
    if (as_json) {
        char *text = json_dumps(out, JSON_INDENT(2));
        printf("%s\n", text ? text : "null");
        free(text);
    } else if (name) {
        print_setting(out);
    } else {
        json_array_foreach(out, i, s) print_setting(s);
    }
    json_decref(out);
    return CLI_OK;
}

static int settings_export(struct sync_store *st, const struct sync_config *cfg)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_buf out = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    int status = CLI_OK;

    if (sync_configio_export(st, cfg, &out, &err)) {
        fprintf(stderr, "crmsync settings export: %s\n", err.message);
        status = CLI_FAILED;
    } else {
        fputs(sync_buf_str(&out), stdout);
    }
    sync_buf_release(&out);
    return status;
}

/* A ticket pipeline choice as the diff shows it: none is the pre-fill. */
static const char *choice(const char *v)
{
    return v ? v : "(pre-filled)";
}

/* One line of the diff (configio.h). */
static void print_change(const json_t *c)
{
    const char *setting = sync_json_str(c, "setting"), *change = sync_json_str(c, "change");
    const char *from = sync_json_str(c, "from"), *to = sync_json_str(c, "to");
    const char *pipeline = sync_json_str(c, "ticket_pipeline");
    const char *status = sync_json_str(c, "ticket_status");

    if (setting)
        printf("  %-34s %s -> %s\n", setting, from, to);
    else if (pipeline)
        printf("  ticket pipeline of %s: %s -> %s\n", pipeline, choice(from), choice(to));
    else if (status)
        printf("  ticket status of %s: %s -> %s\n", status, choice(from), choice(to));
    else if (strcmp(change, "add") == 0)
        printf("  mapping %s: new, %s\n", sync_json_str(c, "mapping"), to);
    else if (strcmp(change, "repoint") == 0)
        printf("  mapping %s: %s -> %s\n", sync_json_str(c, "mapping"), from, to);
    else
        printf("  mapping %-30s %s -> %s\n", sync_json_str(c, "mapping"), from, to);
}

static int settings_import(struct sync_store *st, const struct sync_config *cfg, const char *file,
                           int dry_run)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_mapdescribe vendors = {cfg, NULL};
    struct sync_config in;
    struct sync_config_problems *pr = calloc(1, sizeof(*pr));
    json_t *diff = NULL, *c;
    size_t i;
    int status = CLI_FAILED;

    if (!pr || sync_config_init(&in)) {
        free(pr);
        fprintf(stderr, "crmsync settings import: out of memory\n");
        return CLI_FAILED;
    }
    if (sync_config_load_import(&in, file, pr)) {
        struct sync_buf b = SYNC_BUF_INIT(256 * 1024);
        sync_config_problems_format(pr, &b);
        fprintf(stderr, "%s\ncrmsync settings import: nothing was changed\n", sync_buf_str(&b));
        sync_buf_release(&b);
        status = CLI_USAGE;
        goto out;
    }
    if (sync_configio_diff(st, cfg, &in, &diff, &err)) {
        fprintf(stderr, "crmsync settings import: %s (nothing was changed)\n", err.message);
        status = err.rc == SYNC_ERR_INVALID ? CLI_USAGE : CLI_FAILED;
        goto out;
    }
    printf("%s %s:\n", dry_run ? "importing would change" : "importing changes", file);
    json_array_foreach(diff, i, c) print_change(c);
    if (!json_array_size(diff))
        printf("  nothing: every setting and mapping it gives is already in force\n");
    if (sync_configio_deal_stages_differ(cfg, &in))
        printf("  deal_stages: not imported: the engine reads them from crmsync.yaml, whose "
               "deal_stages differ from this file's; copy them there\n");
    status = CLI_OK;
    if (!dry_run && json_array_size(diff) &&
        sync_configio_apply(st, cfg, &in, sync_mapdescribe_resolve, &vendors, NULL, &err)) {
        fprintf(stderr, "crmsync settings import: %s (nothing was changed)\n", err.message);
        status = err.rc == SYNC_ERR_INVALID ? CLI_USAGE : CLI_FAILED;
    }
out:
    sync_mapdescribe_close(&vendors);
    json_decref(diff);
    sync_config_release(&in);
    free(pr);
    return status;
}

int cmd_settings(int argc, const char **argv, const struct cli *cli)
{
    const char *pos[3] = {NULL, NULL, NULL};
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    int as_json = 0, dry_run = 0, npos = 0, status;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = 1;
        else if (strcmp(argv[i], "--dry-run") == 0)
            dry_run = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return settings_usage(stdout), CLI_OK;
        else if (argv[i][0] == '-' || npos == 3)
            return fprintf(stderr, "crmsync settings: unexpected '%s'\n", argv[i]),
                   settings_usage(stderr), CLI_USAGE;
        else
            pos[npos++] = argv[i];
    }
    if (npos && strcmp(pos[0], "get") && strcmp(pos[0], "set") && strcmp(pos[0], "reset") &&
        strcmp(pos[0], "export") && strcmp(pos[0], "import"))
        return fprintf(stderr, "crmsync settings: unknown action '%s'\n", pos[0]),
               settings_usage(stderr), CLI_USAGE;
    if (npos && ((!strcmp(pos[0], "set") && npos != 3) ||
                 ((!strcmp(pos[0], "reset") || !strcmp(pos[0], "import")) && npos != 2)))
        return settings_usage(stderr), CLI_USAGE;
    if ((status = cli_store_open(cli, "crmsync settings", &cfg, &st)) != CLI_OK)
        return status;
    if (!npos || !strcmp(pos[0], "get")) {
        status = settings_get(st, &cfg, npos > 1 ? pos[1] : NULL, as_json);
    } else if (!strcmp(pos[0], "export")) {
        status = settings_export(st, &cfg);
    } else if (!strcmp(pos[0], "import")) {
        status = settings_import(st, &cfg, pos[1], dry_run);
    } else {
        enum sync_rc rc = !strcmp(pos[0], "set")
                              ? sync_runtime_setting_set_text(st, pos[1], pos[2], &err)
                              : sync_runtime_setting_reset(st, pos[1], &err);
        if (rc) {
            fprintf(stderr, "crmsync settings %s: %s\n", pos[0], err.message);
            status = CLI_USAGE;
        } else {
            status = settings_get(st, &cfg, pos[1], 0);
        }
    }
    cli_store_close(&cfg, st);
    return status;
}
