/*
 * cmd_settings.c: `crmsync settings`: the integration settings in force,
 * changed at run time without a restart (runtime.h).
 *
 *   crmsync settings [get [NAME]] [--json]   every setting (or one): value, where it comes from
 *   crmsync settings set NAME VALUE           store an override (checked first)
 *   crmsync settings reset NAME               drop the override: the file's value applies
 *   crmsync settings export                   the configuration as YAML, settings in force
 *   crmsync settings import FILE [--dry-run]  what FILE's settings would change, then apply it
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

static int settings_export(struct sync_store *st, struct sync_config *cfg)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_settings live;
    struct sync_buf out = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);
    int status = CLI_OK;

    if (sync_settings_init(&live) || sync_runtime_settings_load(st, &cfg->settings, &live, &err) ||
        sync_settings_copy(&cfg->settings, &live) || sync_config_write_yaml(cfg, NULL, &out)) {
        fprintf(stderr, "crmsync settings export: %s\n",
                err.message[0] ? err.message : "cannot write the configuration");
        status = CLI_FAILED;
    } else {
        fputs(sync_buf_str(&out), stdout);
    }
    sync_settings_release(&live);
    sync_buf_release(&out);
    return status;
}

/* The settings FILE sets that differ from those in force, printed as a diff; *changes counts
 * them. */
static int import_diff(struct sync_store *st, const struct sync_config *cfg,
                       const struct sync_config *in, size_t *changes)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_settings live;

    *changes = 0;
    if (sync_settings_init(&live) || sync_runtime_settings_load(st, &cfg->settings, &live, &err)) {
        sync_settings_release(&live);
        fprintf(stderr, "crmsync settings import: %s\n", err.message);
        return CLI_FAILED;
    }
    for (int i = 0; i < SYNC_SETTING__COUNT; i++) {
        struct sync_buf was = SYNC_BUF_INIT(4096), now = SYNC_BUF_INIT(4096);
        if (!in->settings_given[i])
            continue;
        sync_settings_format(&live, (enum sync_setting)i, &was);
        sync_settings_format(&in->settings, (enum sync_setting)i, &now);
        if (strcmp(sync_buf_str(&was), sync_buf_str(&now))) {
            printf("  %-34s %s -> %s\n", sync_setting_def((enum sync_setting)i)->name,
                   sync_buf_str(&was), sync_buf_str(&now));
            ++*changes;
        }
        sync_buf_release(&was);
        sync_buf_release(&now);
    }
    sync_settings_release(&live);
    return CLI_OK;
}

/* The mapping rules FILE changes (entries with a rule for a mapping in force), printed as a
 * diff; with apply, stored too. A new mapping is reported and left to crmsync.yaml. */
static int import_rules(struct sync_store *st, const struct sync_config *cfg,
                        const struct sync_config *in, int apply, size_t *changes)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_mapping_set set;
    int status = CLI_OK;

    if (sync_runtime_mappings_load(st, cfg, &set, &err)) {
        fprintf(stderr, "crmsync settings import: %s\n", err.message);
        sync_mapping_set_release(&set);
        return CLI_FAILED;
    }
    for (size_t i = 0; status == CLI_OK && i < in->nmappings; i++) {
        const struct sync_config_mapping *e = &in->mappings[i];
        const struct sync_mapping *m = sync_mapping_set_find_hs(&set, e->kind, e->hubspot);
        const char *kind = sync_kind_name(e->kind);
        if (!e->has_rule)
            continue;
        if (!m) {
            if (!apply)
                printf("  mapping %s %s: a new mapping, not imported (add it to crmsync.yaml: its "
                       "types are checked when the engine starts)\n",
                       kind, e->hubspot);
            continue;
        }
        if (m->rule == e->rule)
            continue;
        if (!apply)
            printf("  mapping %s %-24s %s -> %s\n", kind, e->hubspot, sync_rule_name(m->rule),
                   sync_rule_name(e->rule));
        ++*changes;
        if (apply &&
            sync_runtime_rule_set(st, cfg, kind, e->hubspot, sync_rule_name(e->rule), &err)) {
            fprintf(stderr, "crmsync settings import: mapping %s %s: %s\n", kind, e->hubspot,
                    err.message);
            status = CLI_FAILED;
        }
    }
    sync_mapping_set_release(&set);
    return status;
}

/* Stores FILE's settings and mapping rules, all in one transaction or none. */
static int import_apply(struct sync_store *st, const struct sync_config *cfg,
                        const struct sync_config *in)
{
    struct sync_err err = SYNC_ERR_INIT;
    size_t rules = 0;
    enum sync_rc rc = sync_store_begin(st, &err);

    for (int i = 0; rc == SYNC_OK && i < SYNC_SETTING__COUNT; i++) {
        json_t *v;
        if (!in->settings_given[i])
            continue;
        v = sync_settings_get_json(&in->settings, (enum sync_setting)i);
        rc = v ? sync_runtime_setting_set(st, sync_setting_def((enum sync_setting)i)->name, v, &err)
               : sync_err_set(&err, SYNC_ERR_NOMEM, "out of memory");
        json_decref(v);
    }
    if (rc == SYNC_OK && import_rules(st, cfg, in, 1, &rules) != CLI_OK)
        rc = sync_err_set(&err, SYNC_ERR_INVALID, "a mapping rule was refused");
    if (rc == SYNC_OK)
        rc = sync_store_commit(st, &err);
    else
        sync_store_rollback(st, NULL);
    if (rc) {
        fprintf(stderr, "crmsync settings import: %s (nothing was changed)\n", err.message);
        return CLI_FAILED;
    }
    return CLI_OK;
}

static int settings_import(struct sync_store *st, const struct sync_config *cfg, const char *file,
                           int dry_run)
{
    struct sync_config in;
    struct sync_config_problems *pr = calloc(1, sizeof(*pr));
    size_t changes = 0;
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
    printf("%s %s:\n", dry_run ? "importing would change" : "importing changes", file);
    if ((status = import_diff(st, cfg, &in, &changes)) != CLI_OK ||
        (status = import_rules(st, cfg, &in, 0, &changes)) != CLI_OK)
        goto out;
    if (!changes)
        printf("  nothing: every setting and rule it gives is already in force\n");
    if (!dry_run && changes)
        status = import_apply(st, cfg, &in);
out:
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
