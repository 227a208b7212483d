/*
 * cmd_suspension.c: `crmsync suspension`: the integration-level
 * suspensions (engine/budget.h).
 *
 *   crmsync suspension [show] [--json]   the budget and every open suspension
 *   crmsync suspension clear [KIND]      clear one kind (or all): the engine tries
 *                                        Salesforce again on its next pass
 *
 * Works on the store alone, next to a running engine. Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "core/time.h"
#include "engine/budget.h"
#include "engine/runtime.h"
#include "store/store.h"

static void suspension_usage(FILE *f)
{
    fprintf(f, "usage: crmsync suspension [show] [--json]\n"
               "       crmsync suspension clear [KIND]\n\n"
               "KIND is one of api_disabled, object_permissions, unknown, api_limit, "
               "allocation.\nClearing makes the engine try Salesforce again on its next pass; "
               "it suspends\nagain if the cause is still there.\n");
}

static int suspension_show(struct sync_store *st, const struct sync_config *cfg, int as_json)
{
    struct sync_settings s;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *b = NULL, *one;
    size_t i;
    int status = CLI_OK;

    if (sync_settings_init(&s)) {
        fprintf(stderr, "crmsync suspension: out of memory\n");
        return CLI_FAILED;
    }
    if (sync_runtime_settings_load(st, &cfg->settings, &s, &err) ||
        sync_budget_status(st, &s, sync_time_now_ms(), &b, &err)) {
        fprintf(stderr, "crmsync suspension: %s\n", err.message);
        sync_settings_release(&s);
        return CLI_FAILED;
    }
    if (as_json) {
        char *text = json_dumps(b, JSON_INDENT(2) | JSON_SORT_KEYS);
        printf("%s\n", text ? text : "{}");
        free(text);
    } else if (!json_array_size(json_object_get(b, "suspensions"))) {
        printf("not suspended\n");
    }
    json_array_foreach(as_json ? NULL : json_object_get(b, "suspensions"), i, one)
    {
        printf("%s (%s) since %s\n  %s%s%s\n  to clear: %s\n", sync_json_str(one, "title"),
               sync_json_str(one, "kind"), sync_json_str(one, "since"),
               sync_json_str(one, "code") ? sync_json_str(one, "code") : "",
               sync_json_str(one, "code") ? ": " : "", sync_json_str(one, "message"),
               sync_json_str(one, "how_to_clear"));
    }
    json_decref(b);
    sync_settings_release(&s);
    return status;
}

static int suspension_clear(struct sync_store *st, const char *kind)
{
    struct sync_err err = SYNC_ERR_INIT;
    int64_t n = 0;

    if (sync_budget_clear(st, kind, &n, &err)) {
        fprintf(stderr, "crmsync suspension: %s\n", err.message);
        return err.rc == SYNC_ERR_INVALID ? CLI_USAGE : CLI_FAILED;
    }
    if (n)
        printf("cleared %lld suspension%s; Salesforce is tried again on the next pass\n",
               (long long)n, n == 1 ? "" : "s");
    else
        printf("no %s%ssuspension to clear\n", kind ? kind : "", kind ? " " : "");
    return CLI_OK;
}

int cmd_suspension(int argc, const char **argv, const struct cli *cli)
{
    struct sync_config cfg;
    struct sync_store *st = NULL;
    const char *verb = "show", *kind = NULL;
    int as_json = 0, status, nargs = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            suspension_usage(stdout);
            return CLI_OK;
        } else if (nargs == 0 && (strcmp(argv[i], "show") == 0 || strcmp(argv[i], "clear") == 0)) {
            verb = argv[i];
            nargs++;
        } else if (nargs == 1 && strcmp(verb, "clear") == 0 && argv[i][0] != '-') {
            kind = argv[i];
            nargs++;
        } else {
            fprintf(stderr, "crmsync suspension: unknown argument '%s'\n", argv[i]);
            suspension_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (kind && sync_suspension_kind_find(kind) < 0) {
        fprintf(stderr, "crmsync suspension: no suspension kind '%s'\n", kind);
        suspension_usage(stderr);
        return CLI_USAGE;
    }
    if ((status = cli_store_open(cli, "crmsync suspension", &cfg, &st)) != CLI_OK)
        return status;
    status = strcmp(verb, "clear") == 0 ? suspension_clear(st, kind)
                                        : suspension_show(st, &cfg, as_json);
    cli_store_close(&cfg, st);
    return status;
}
