/*
 * cmd_status.c: `crmsync status [--json]`: what the state store says
 * about the sync: links by state and kind, changes waiting in the inbox,
 * writes waiting in the outbox, open sync errors by category, and the
 * vendors' API usage as their own headers last reported it, and the
 * Salesforce API budget with any suspension (engine/budget.h). Reads the
 * store only (no vendor call), so it is safe next to a running engine.
 * Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "engine/report.h"
#include "store/store.h"

/* The budget section: crmsync's own 24-hour calls, the org's usage, any suspension. */
static void budget_print(const json_t *b)
{
    const json_t *sus = json_object_get(b, "suspended");
    const json_t *pct = json_object_get(b, "percent_of_allocation");

    printf("salesforce api budget (rolling 24 hours)\n  crmsync %lld calls",
           (long long)sync_json_int(b, "used_24h", 0));
    if (sync_json_int(b, "allocation", 0) > 0)
        printf(" of its allocation of %lld (%.1f%%)", (long long)sync_json_int(b, "allocation", 0),
               json_number_value(pct));
    else
        printf(" (no allocation)");
    if (json_is_integer(json_object_get(b, "org_limit")))
        printf("; the org %lld of %lld", (long long)sync_json_int(b, "org_used", 0),
               (long long)sync_json_int(b, "org_limit", 0));
    printf("\n  automatic retries %s\n",
           sync_json_bool(b, "retries_suppressed", 0) ? "suppressed" : "on");
    if (!json_is_object(sus)) {
        printf("  not suspended\n");
        return;
    }
    printf("  SUSPENDED: %s (%s) since %s\n  %s%s%s\n  to clear: %s\n", sync_json_str(sus, "title"),
           sync_json_str(sus, "kind"), sync_json_str(sus, "since"),
           sync_json_str(sus, "code") ? sync_json_str(sus, "code") : "",
           sync_json_str(sus, "code") ? ": " : "", sync_json_str(sus, "message"),
           sync_json_str(sus, "how_to_clear"));
}

static void status_print(const json_t *s)
{
    const json_t *links = json_object_get(s, "links"), *errors = json_object_get(s, "errors");
    const json_t *inbox = json_object_get(s, "inbox"), *outbox = json_object_get(s, "outbox");
    const json_t *usage = json_object_get(s, "api_usage"), *k, *v;
    const char *name, *state;
    const json_t *store = json_object_get(s, "store");
    char when[64];

    printf("crmsync %s, store %s schema %lld%s; sync %s\n", sync_json_str(s, "version"),
           sync_json_str(store, "backend"), (long long)sync_json_int(store, "schema_version", 0),
           sync_json_int(store, "schema_version", 0) == sync_json_int(store, "schema_latest", 0)
               ? ""
               : " (older than this build's)",
           sync_json_bool(s, "sync", 1) ? "on" : "OFF (the master switch: changes queue)");
    printf("links\n");
    if (!json_object_size(links))
        printf("  (none yet)\n");
    json_object_foreach((json_t *)links, name, k)
    {
        printf("  %s:", name);
        for (int st = 0; st < SYNC_LINK__COUNT; st++) {
            state = sync_link_state_name((enum sync_link_state)st);
            printf(" %s %lld%s", state, (long long)sync_json_int(k, state, 0),
                   st + 1 < SYNC_LINK__COUNT ? "," : "\n");
        }
    }
    printf("inbox\n  %lld change%s waiting to be planned\n",
           (long long)sync_json_int(inbox, "waiting", 0),
           sync_json_int(inbox, "waiting", 0) == 1 ? "" : "s");
    printf("outbox\n  %lld waiting, %lld claimed", (long long)sync_json_int(outbox, "waiting", 0),
           (long long)sync_json_int(outbox, "claimed", 0));
    if (sync_json_int(outbox, "waiting", 0) + sync_json_int(outbox, "claimed", 0) > 0)
        printf("; next attempt %s",
               cli_time(sync_json_int(outbox, "next_attempt_at", 0), when, sizeof(when)));
    printf("\nerrors (open, by category)\n");
    if (!json_object_size(errors))
        printf("  none\n");
    json_object_foreach((json_t *)errors, name, v)
    {
        printf("  %-18s %lld\n", name, (long long)json_integer_value(v));
    }
    printf("api usage (as the vendors reported it)\n");
    json_object_foreach((json_t *)usage, name, k)
    {
        const json_t *d = json_object_get(k, "daily"), *w = json_object_get(k, "10s");
        if (!d && !w) {
            printf("  %-10s no report yet\n", name);
            continue;
        }
        printf("  %-10s", name);
        if (d)
            printf(" daily %lld of %lld", (long long)sync_json_int(d, "used", 0),
                   (long long)sync_json_int(d, "limit", 0));
        if (w)
            printf("%s ten-second window %lld of %lld", d ? ";" : "",
                   (long long)sync_json_int(w, "used", 0), (long long)sync_json_int(w, "limit", 0));
        printf(" (at %s)\n",
               cli_time(sync_json_int(d ? d : w, "reported_at", 0), when, sizeof(when)));
    }
    if (json_object_get(s, "budget"))
        budget_print(json_object_get(s, "budget"));
}

enum sync_rc cli_status_show(struct sync_store *st, const struct sync_config *cfg, int as_json,
                             struct sync_err *err)
{
    json_t *s = NULL;
    enum sync_rc rc = sync_report_status(st, cfg, &s, err);

    if (rc == SYNC_OK) {
        if (as_json) {
            char *text = json_dumps(s, JSON_INDENT(2) | JSON_SORT_KEYS);
            printf("%s\n", text ? text : "{}");
            free(text);
        } else {
            status_print(s);
        }
    }
    json_decref(s);
    return rc;
}

int cmd_status(int argc, const char **argv, const struct cli *cli)
{
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    int as_json = 0, status;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: crmsync status [--json]\n");
            return CLI_OK;
        } else {
            fprintf(stderr, "crmsync status: unknown argument '%s'\n", argv[i]);
            return CLI_USAGE;
        }
    }
    if ((status = cli_store_open(cli, "crmsync status", &cfg, &st)) != CLI_OK)
        return status;
    if (cli_status_show(st, &cfg, as_json, &err)) {
        fprintf(stderr, "crmsync status: %s\n", err.message);
        status = CLI_FAILED;
    }
    cli_store_close(&cfg, st);
    return status;
}
