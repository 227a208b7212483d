/*
 * cmd_tickets.c: `crmsync tickets`: the ticket sync setup flow
 * (engine/tickets.h), one step per verb:
 *
 *   crmsync tickets [show] [--json]        every step as it stands
 *   crmsync tickets preview [--where COND] [--json]
 *                                          the same, and what an import of cases would bring
 *   crmsync tickets map-pipeline PROCESS PIPELINE|-
 *   crmsync tickets map-status PIPELINE STATUS STAGE|-
 *                                          the pipeline map ("-": back to the pre-fill)
 *   crmsync tickets start | stop | remove
 *
 * Steps 1-3 (the delete rule, the association switches, the mappings)
 * are settings and mappings: `crmsync settings set ticket_delete_rule
 * delete`, `crmsync mappings set-rule ticket PROP RULE`. Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "engine/tickets.h"
#include "store/store.h"

#define USAGE                                                                                      \
    "usage: crmsync tickets [show] [--json]\n"                                                     \
    "       crmsync tickets preview [--where COND] [--json]\n"                                     \
    "       crmsync tickets map-pipeline PROCESS PIPELINE|-\n"                                     \
    "       crmsync tickets map-status PIPELINE STATUS STAGE|-\n"                                  \
    "       crmsync tickets start | stop | remove\n"

static const char *str(const json_t *o, const char *k)
{
    const char *s = sync_json_str(o, k);
    return s ? s : "";
}

static void print_pipelines(const json_t *report)
{
    const json_t *p, *s;
    size_t i, k;

    printf("4. pipelines (case business process -> ticket pipeline; case status -> ticket "
           "status):\n");
    json_array_foreach(json_object_get(report, "processes"), i, p)
    {
        const char *name = str(p, "process");
        if (json_object_get(p, "pipeline"))
            printf("   %s -> pipeline %s (%s) [%s]\n", name[0] ? name : "(master)",
                   str(p, "pipeline"), str(p, "pipeline_label"), str(p, "pipeline_how"));
        else
            printf("   %s -> NOT MAPPED\n", name[0] ? name : "(master)");
        json_array_foreach(json_object_get(p, "statuses"), k, s)
        {
            if (!json_object_get(p, "pipeline"))
                continue;
            if (json_object_get(s, "stage"))
                printf("      %-20s -> %s (%s) [%s]\n", str(s, "status"), str(s, "stage"),
                       str(s, "stage_label"), str(s, "how"));
            else
                printf("      %-20s -> NOT MAPPED\n", str(s, "status"));
        }
    }
}

static void print_setup(const json_t *j)
{
    const json_t *m, *pr;
    size_t i;

    printf("ticket sync: %s%s\n", json_is_true(json_object_get(j, "ticket_sync")) ? "on" : "off",
           json_is_true(json_object_get(j, "two_way")) ? " (two-way)"
                                                       : " (one-way: cases -> "
                                                         "tickets)");
    printf("1. when a case is deleted in Salesforce: %s\n",
           strcmp(str(j, "delete_rule"), "delete") == 0 ? "delete the ticket" : "do nothing");
    printf("2. associations: account -> company %s; contact -> contact %s\n",
           json_is_true(json_object_get(json_object_get(j, "associations"), "account")) ? "on"
                                                                                        : "off",
           json_is_true(json_object_get(json_object_get(j, "associations"), "contact")) ? "on"
                                                                                        : "off");
    printf("3. field mappings (ticket property <- Case field, rule%s):\n",
           json_is_true(json_object_get(j, "two_way")) ? "" : "; one-way: Salesforce always wins");
    json_array_foreach(json_object_get(j, "mappings"), i, m)
    {
        const json_t *sf = json_array_get(json_object_get(m, "salesforce"), 0);
        printf("   %-20s <- %-14s %s%s\n", str(m, "hubspot"), str(sf, "field"), str(m, "rule"),
               json_is_true(json_object_get(m, "required")) ? " (required)" : "");
    }
    print_pipelines(json_object_get(j, "pipelines"));
    if (json_object_get(j, "import")) {
        const json_t *im = json_object_get(j, "import");
        printf("5. preview: an import would bring %lld existing case%s%s%s\n",
               (long long)sync_json_int(im, "cases", 0),
               sync_json_int(im, "cases", 0) == 1 ? "" : "s",
               json_is_string(json_object_get(im, "where")) ? " matching " : "", str(im, "where"));
    }
    json_array_foreach(json_object_get(j, "problems"), i, pr)
    {
        printf("%s %s\n", i ? "      " : "still:", json_string_value(pr));
    }
    printf("%s\n", json_is_true(json_object_get(j, "ready"))
                       ? "ready: crmsync tickets start turns it on (new and changed cases sync; "
                         "crmsync import salesforce Case brings the rest)"
                       : "not ready: map a business process to a pipeline first");
}

static int show(const struct cli *cli, int preview, const char *where, int as_json)
{
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *j = NULL;
    int rc = cli_store_open(cli, "crmsync tickets", &cfg, &st);

    if (rc)
        return rc;
    if (sync_tickets_setup(&cfg, st, preview, where, &j, &err)) {
        fprintf(stderr, "crmsync tickets: %s\n", err.message);
        cli_store_close(&cfg, st);
        return CLI_FAILED;
    }
    if (as_json) {
        char *s = json_dumps(j, JSON_COMPACT);
        printf("%s\n", s ? s : "{}");
        free(s);
    } else {
        print_setup(j);
    }
    json_decref(j);
    cli_store_close(&cfg, st);
    return CLI_OK;
}

/* map-pipeline / map-status: one choice as a patch. */
static int choose(const struct cli *cli, const char *verb, const char **a, int n)
{
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *patch;
    int rc;

    if (strcmp(verb, "map-pipeline") == 0 && n == 2)
        patch = json_pack("{s:{s:o}}", "processes", a[0],
                          strcmp(a[1], "-") ? json_string(a[1]) : json_null());
    else if (strcmp(verb, "map-status") == 0 && n == 3)
        patch = json_pack("{s:{s:{s:o}}}", "stages", a[0], a[1],
                          strcmp(a[2], "-") ? json_string(a[2]) : json_null());
    else {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    if ((rc = cli_store_open(cli, "crmsync tickets", &cfg, &st))) {
        json_decref(patch);
        return rc;
    }
    if (!patch || sync_tickets_choose(&cfg, st, patch, &err)) {
        fprintf(stderr, "crmsync tickets %s: %s\n", verb, patch ? err.message : "out of memory");
        rc = err.rc == SYNC_ERR_INVALID ? CLI_USAGE : CLI_FAILED;
    } else {
        printf("saved: %s %s %s %s\n", verb, a[0], a[1], n == 3 ? a[2] : "");
    }
    json_decref(patch);
    cli_store_close(&cfg, st);
    return rc;
}

static int switch_verb(const struct cli *cli, const char *verb)
{
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    enum sync_rc r;
    int rc = cli_store_open(cli, "crmsync tickets", &cfg, &st);

    if (rc)
        return rc;
    r = strcmp(verb, "start") == 0  ? sync_tickets_start(&cfg, st, &err)
        : strcmp(verb, "stop") == 0 ? sync_tickets_stop(st, &err)
                                    : sync_tickets_remove(&cfg, st, &err);
    if (r) {
        fprintf(stderr, "crmsync tickets %s: %s\n", verb, err.message);
        rc = r == SYNC_ERR_INVALID ? CLI_USAGE : CLI_FAILED;
    } else if (strcmp(verb, "start") == 0) {
        printf("ticket sync is on: cases sync when created or updated in Salesforce (existing "
               "ones need an import: crmsync import salesforce Case)\n");
    } else if (strcmp(verb, "stop") == 0) {
        printf("ticket sync is off\n");
    } else {
        printf("ticket sync removed: off, and its settings, mappings (added, re-pointed, removed "
               "and rules) and pipeline choices are back to crmsync.yaml's and the defaults\n");
    }
    cli_store_close(&cfg, st);
    return rc;
}

int cmd_tickets(int argc, const char **argv, const struct cli *cli)
{
    const char *verb = argc > 1 && argv[1][0] != '-' ? argv[1] : "show";
    const char *where = NULL, *pos[4];
    int as_json = 0, npos = 0;

    for (int i = argc > 1 && argv[1][0] != '-' ? 2 : 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = 1;
        else if (strcmp(argv[i], "--where") == 0 && i + 1 < argc)
            where = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "crmsync tickets: unknown option %s\n%s", argv[i], USAGE);
            return CLI_USAGE;
        } else if (npos < 4)
            pos[npos++] = argv[i];
        else {
            fputs(USAGE, stderr);
            return CLI_USAGE;
        }
    }
    if (strcmp(verb, "show") == 0 || strcmp(verb, "preview") == 0) {
        if (npos || (where && strcmp(verb, "preview"))) {
            fputs(USAGE, stderr);
            return CLI_USAGE;
        }
        return show(cli, strcmp(verb, "preview") == 0, where, as_json);
    }
    if (strcmp(verb, "map-pipeline") == 0 || strcmp(verb, "map-status") == 0)
        return choose(cli, verb, pos, npos);
    if (!npos &&
        (strcmp(verb, "start") == 0 || strcmp(verb, "stop") == 0 || strcmp(verb, "remove") == 0))
        return switch_verb(cli, verb);
    fprintf(stderr, "crmsync tickets: unknown step '%s'\n%s", verb, USAGE);
    return CLI_USAGE;
}
