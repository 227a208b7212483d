/*
 * cmd_mappings.c: `crmsync mappings`: the field mappings in force, and
 * their rules changed at run time without a restart (runtime.h).
 *
 *   crmsync mappings [--json]                      every mapping: fields, rule, where it comes from
 *   crmsync mappings set-rule KIND PROPERTY RULE   store a rule override (checked first)
 *   crmsync mappings reset KIND PROPERTY           drop it: the file's rule applies again
 *
 * Works on the store alone, next to a running engine. Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "engine/runtime.h"
#include "store/store.h"

static void mappings_usage(FILE *f)
{
    fprintf(f, "usage: crmsync mappings [--json]\n"
               "       crmsync mappings set-rule KIND PROPERTY RULE\n"
               "       crmsync mappings reset KIND PROPERTY\n\n"
               "KIND: contact, company, deal or ticket. RULE: prefer_salesforce_unless_blank, "
               "always_use_salesforce,\ntwo_way, dont_sync, prefer_hubspot_unless_blank, "
               "always_use_hubspot.\n");
}

static void print_mapping(const json_t *m)
{
    const json_t *f;
    size_t i;
    char fields[512] = "";
    size_t o = 0;

    json_array_foreach(json_object_get(m, "salesforce"), i, f)
    {
        if (o < sizeof(fields))
            o += (size_t)snprintf(fields + o, sizeof(fields) - o, "%s%s.%s", i ? ", " : "",
                                  sync_json_str(f, "object"), sync_json_str(f, "field"));
    }
    printf("%-8s %-32s %-40s %s (%s)\n", sync_json_str(m, "kind"), sync_json_str(m, "hubspot"),
           fields, sync_json_str(m, "rule"), sync_json_str(m, "source"));
}

static int mappings_show(struct sync_store *st, const struct sync_config *cfg, const char *kind,
                         const char *prop, int as_json)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *all = NULL, *m;
    size_t i;

    if (sync_runtime_mappings_json(st, cfg, &all, &err)) {
        fprintf(stderr, "crmsync mappings: %s\n", err.message);
        return CLI_FAILED;
    }
    if (as_json && !prop) {
        char *text = json_dumps(all, JSON_INDENT(2));
        printf("%s\n", text ? text : "[]");
        free(text);
    } else {
        json_array_foreach(all, i, m)
        {
            if (!prop || (strcmp(sync_json_str(m, "kind"), kind) == 0 &&
                          strcmp(sync_json_str(m, "hubspot"), prop) == 0))
                print_mapping(m);
        }
    }
    json_decref(all);
    return CLI_OK;
}

int cmd_mappings(int argc, const char **argv, const struct cli *cli)
{
    const char *pos[4] = {NULL, NULL, NULL, NULL};
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    int as_json = 0, npos = 0, status;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return mappings_usage(stdout), CLI_OK;
        else if (argv[i][0] == '-' || npos == 4)
            return fprintf(stderr, "crmsync mappings: unexpected '%s'\n", argv[i]),
                   mappings_usage(stderr), CLI_USAGE;
        else
            pos[npos++] = argv[i];
    }
    if (npos && !((strcmp(pos[0], "set-rule") == 0 && npos == 4) ||
                  (strcmp(pos[0], "reset") == 0 && npos == 3)))
        return mappings_usage(stderr), CLI_USAGE;
    if ((status = cli_store_open(cli, "crmsync mappings", &cfg, &st)) != CLI_OK)
        return status;
    if (!npos) {
        status = mappings_show(st, &cfg, NULL, NULL, as_json);
    } else {
        enum sync_rc rc = strcmp(pos[0], "set-rule") == 0
                              ? sync_runtime_rule_set(st, &cfg, pos[1], pos[2], pos[3], &err)
                              : sync_runtime_rule_reset(st, &cfg, pos[1], pos[2], &err);
        if (rc) {
            fprintf(stderr, "crmsync mappings %s: %s\n", pos[0], err.message);
            status = CLI_USAGE;
        } else {
            status = mappings_show(st, &cfg, pos[1], pos[2], 0);
        }
    }
    cli_store_close(&cfg, st);
    return status;
}
