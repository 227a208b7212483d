/*
 * cmd_resync.c: `crmsync resync ERROR_ID... [--json]` and `crmsync
 * resync hubspot|salesforce OBJECT ID [--json]`: queues records for a
 * fresh sync once the cause of their errors is fixed (engine/health.h).
 * The next pass (`crmsync sync --once`, or the running `crmsync run`)
 * reads each record from its vendor and plans it from what the vendor
 * holds now, even when nothing changed there. Writes only resync markers
 * into the store's inbox, in one short transaction, so it is safe next to
 * a running engine. Prints what was queued. Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "engine/health.h"
#include "store/store.h"

static void resync_usage(FILE *f)
{
    fprintf(f, "usage: crmsync resync ERROR_ID... [--json]\n"
               "       crmsync resync hubspot|salesforce OBJECT ID [--json]\n\n"
               "  crmsync resync 12 13                   the records of errors 12 and 13\n"
               "  crmsync resync hubspot contacts 10000000001\n"
               "  crmsync resync salesforce Lead 00QHs00000AbCdEfGH\n"
               "(error ids: `crmsync errors`)\n");
}

/* A positive error id: digits only, at most 18. */
static int parse_id(const char *s, int64_t *out)
{
    size_t n = strlen(s);

    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return -1;
    *out = (int64_t)strtoll(s, NULL, 10);
    return *out > 0 ? 0 : -1;
}

/* Prints each result; returns how many named no open error. */
static int resync_print(const json_t *res)
{
    const json_t *r;
    size_t i;
    int missing = 0;

    json_array_foreach(json_object_get(res, "results"), i, r)
    {
        const json_t *rec = json_object_get(r, "record");
        const char *status = sync_json_str(r, "status");
        char what[256], from[64];

        snprintf(what, sizeof(what), "%s %s %s", sync_json_str(rec, "system"),
                 sync_json_str(rec, "object"), sync_json_str(rec, "id"));
        if (json_object_get(r, "error_id"))
            snprintf(from, sizeof(from), " (error %lld, %s)",
                     (long long)sync_json_int(r, "error_id", 0), sync_json_str(r, "category"));
        else
            from[0] = '\0';
        if (strcmp(status, "queued") == 0) {
            printf("queued %s%s: planned again on the next pass\n", what, from);
        } else if (strcmp(status, "waiting") == 0) {
            printf("%s%s: a captured change of it already waits; planned on the next pass\n", what,
                   from);
        } else if (strcmp(status, "resolved") == 0) {
            printf("error %lld (%s) is resolved already: nothing queued\n",
                   (long long)sync_json_int(r, "error_id", 0), what);
        } else {
            printf("error %lld: no such open error\n", (long long)sync_json_int(r, "error_id", 0));
            missing++;
        }
    }
    if (sync_json_int(res, "queued", 0) > 0)
        printf("the next `crmsync sync --once` (or the running `crmsync run`) syncs %s\n",
               sync_json_int(res, "queued", 0) == 1 ? "it" : "them");
    return missing;
}

static int resync_missing(const json_t *res)
{
    const json_t *r;
    size_t i;
    int missing = 0;

    json_array_foreach(json_object_get(res, "results"), i, r)
    {
        missing += strcmp(sync_json_str(r, "status"), "not_found") == 0;
    }
    return missing;
}

int cmd_resync(int argc, const char **argv, const struct cli *cli)
{
    const char **pos = calloc((size_t)argc + 1, sizeof(*pos));
    int64_t *ids = calloc((size_t)argc + 1, sizeof(*ids));
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    json_t *res = NULL;
    int as_json = 0, npos = 0, status = CLI_OK, record;
    enum sync_rc rc;

    if (!pos || !ids) {
        fprintf(stderr, "crmsync resync: out of memory\n");
        status = CLI_FAILED;
        goto out;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            resync_usage(stdout);
            goto out;
        } else if (argv[i][0] != '-') {
            pos[npos++] = argv[i];
        } else {
            resync_usage(stderr);
            status = CLI_USAGE;
            goto out;
        }
    }
    record = npos > 0 && (strcmp(pos[0], "hubspot") == 0 || strcmp(pos[0], "salesforce") == 0);
    for (int i = 0; !record && i < npos; i++)
        if (parse_id(pos[i], &ids[i])) {
            fprintf(stderr, "crmsync resync: '%s' is not an error id\n", pos[i]);
            status = CLI_USAGE;
        }
    if (npos == 0 || (record && npos != 3) || npos > SYNC_HEALTH_RESYNC_MAX) {
        resync_usage(stderr);
        status = CLI_USAGE;
    }
    if (status != CLI_OK)
        goto out;
    if ((status = cli_store_open(cli, "crmsync resync", &cfg, &st)) != CLI_OK)
        goto out;
    rc = record ? sync_health_resync_record(st, pos[0], pos[1], pos[2], &res, &err)
                : sync_health_resync(st, ids, (size_t)npos, &res, &err);
    if (rc == SYNC_ERR_INVALID)
        status = CLI_USAGE;
    else if (rc)
        status = CLI_FAILED;
    if (status != CLI_OK) {
        fprintf(stderr, "crmsync resync: %s\n", err.message);
    } else if (as_json) {
        char *text = json_dumps(res, JSON_INDENT(2));
        printf("%s\n", text ? text : "{}");
        free(text);
        status = resync_missing(res) ? CLI_FAILED : CLI_OK;
    } else {
        status = resync_print(res) ? CLI_FAILED : CLI_OK;
    }
    json_decref(res);
    cli_store_close(&cfg, st);
out:
    free(pos);
    free(ids);
    return status;
}
