/*
 * cmd_status.c: `crmsync status [--json]`: what the state store says
 * about the sync: links by state and kind, changes waiting in the inbox,
 * writes waiting in the outbox, open sync errors by category, and the
 * vendors' API usage as their own headers last reported it. Reads the
 * store only (no vendor call), so it is safe next to a running engine.
 * Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "store/store.h"

#define INBOX_COUNT_MAX SYNC_STORE_BATCH_MAX

static enum sync_rc count_link(void *ctx, const struct sync_link *l)
{
    json_t *by_kind = ctx, *k = json_object_get(by_kind, l->kind);
    const char *state = sync_link_state_name(l->state);

    if (!k) {
        k = json_object();
        json_object_set_new(by_kind, l->kind, k);
    }
    json_object_set_new(k, state, json_integer(sync_json_int(k, state, 0) + 1));
    return SYNC_OK;
}

static enum sync_rc count_change(void *ctx, const struct sync_change *c)
{
    (void)c;
    ++*(size_t *)ctx;
    return SYNC_OK;
}

static enum sync_rc count_errors(void *ctx, const char *category, int64_t open)
{
    json_object_set_new(ctx, category, json_integer(open));
    return SYNC_OK;
}

/* Everything status shows, as one JSON object. */
static enum sync_rc status_collect(struct sync_store *st, json_t *out, struct sync_err *err)
{
    json_t *links = json_object(), *errors = json_object(), *usage = json_object();
    struct sync_link_query q = {NULL, -1, NULL, 0};
    struct sync_outbox_stats os;
    size_t inbox = 0;
    enum sync_rc rc;

    json_object_set_new(out, "links", links);
    json_object_set_new(out, "errors", errors);
    json_object_set_new(out, "api_usage", usage);
    if ((rc = sync_store_link_list(st, &q, count_link, links, err)))
        return rc;
    if ((rc = sync_store_inbox_take(st, INBOX_COUNT_MAX, count_change, &inbox, err)))
        return rc;
    json_object_set_new(
        out, "inbox",
        json_pack("{s:I, s:b}", "waiting", (json_int_t)inbox, "more", inbox >= INBOX_COUNT_MAX));
    if ((rc = sync_store_outbox_stats(st, &os, err)))
        return rc;
    json_object_set_new(out, "outbox",
                        json_pack("{s:I, s:I, s:I}", "waiting", (json_int_t)os.waiting, "claimed",
                                  (json_int_t)os.claimed, "next_attempt_at",
                                  (json_int_t)os.next_attempt_at));
    if ((rc = sync_store_error_counts(st, count_errors, errors, err)))
        return rc;
    for (int v = 0; v < 2; v++) {
        const char *vendor = v ? "salesforce" : "hubspot";
        const char *metrics[] = {"daily", "10s"};
        json_t *m = json_object();
        json_object_set_new(usage, vendor, m);
        for (int k = 0; k < 2; k++) {
            struct sync_api_usage u;
            struct sync_err uerr = SYNC_ERR_INIT;
            if (sync_store_api_usage_get(st, vendor, metrics[k], &u, &uerr) != SYNC_OK)
                continue;
            json_object_set_new(m, metrics[k],
                                json_pack("{s:I, s:I, s:I}", "used", (json_int_t)u.used, "limit",
                                          (json_int_t)u.quota, "reported_at",
                                          (json_int_t)u.reported_at));
        }
    }
    return SYNC_OK;
}

static void status_print(const json_t *s)
{
    const json_t *links = json_object_get(s, "links"), *errors = json_object_get(s, "errors");
    const json_t *inbox = json_object_get(s, "inbox"), *outbox = json_object_get(s, "outbox");
    const json_t *usage = json_object_get(s, "api_usage"), *k, *v;
    const char *name, *state;
    char when[64];

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
    printf("inbox\n  %lld%s change%s waiting to be planned\n",
           (long long)sync_json_int(inbox, "waiting", 0),
           sync_json_bool(inbox, "more", 0) ? "+" : "",
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
}

enum sync_rc cli_status_show(struct sync_store *st, int as_json, struct sync_err *err)
{
    json_t *s = json_object();
    enum sync_rc rc;

    if (!s)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if ((rc = status_collect(st, s, err)) == SYNC_OK) {
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
    if ((status = cli_config_load(cli, &cfg)) != CLI_OK) {
        sync_config_release(&cfg);
        return status;
    }
    if (sync_store_open(&st, cfg.store, &err)) {
        fprintf(stderr, "crmsync status: %s\n", err.message);
        sync_config_release(&cfg);
        return CLI_FAILED;
    }
    if (cli_status_show(st, as_json, &err)) {
        fprintf(stderr, "crmsync status: %s\n", err.message);
        status = CLI_FAILED;
    }
    sync_store_close(st);
    sync_config_release(&cfg);
    return status;
}
