/*
 * cmd_errors.c: `crmsync errors [--category C] [--system S] [--object O]
 * [--limit N] [--offset N] [--csv] [--json]`: sync health from the
 * store. The open errors by category (HubSpot's sync-health cards: the
 * count of errors and of affected records, what went wrong, the
 * documented fix, a few raw messages), then the errors themselves, newest
 * first, a page at a time; --csv prints every matching error as CSV
 * instead (the export), --json the summary and the page as one object.
 * Reads the store only (engine/health.h), so it is safe next to a running
 * engine. Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "engine/health.h"
#include "store/store.h"

#define WRAP 96        /* columns the fix text is wrapped at */
#define ARGS_HELP (-1) /* errors_args: --help was printed */

struct errors_opts {
    struct sync_health_query q;
    int as_json, as_csv;
};

static void errors_usage(FILE *f)
{
    fprintf(f, "usage: crmsync errors [--category C] [--system hubspot|salesforce] [--object O]\n"
               "                      [--limit N] [--offset N] [--csv] [--json]\n\n"
               "  crmsync errors                         open errors by category, then the list\n"
               "  crmsync errors --category picklist     one category\n"
               "  crmsync errors --csv > errors.csv      every open error as CSV\n"
               "then `crmsync resync ID...` once the cause is fixed.\n");
}

/* Prints text wrapped at WRAP columns, each line indented by indent spaces (the first after
 * lead). */
static void print_wrapped(const char *lead, int indent, const char *text)
{
    int col = printf("%*s%s", indent, "", lead);
    const char *p = text;

    while (p && *p) {
        size_t word = strcspn(p, " ");
        if (col + (int)word + 1 > WRAP && col > indent + (int)strlen(lead)) {
            col = printf("\n%*s", indent + (int)strlen(lead), "") - 1;
        } else if (p != text) {
            col += printf(" ");
        }
        col += printf("%.*s", (int)word, p);
        p += word;
        while (*p == ' ')
            p++;
    }
    printf("\n");
}

static void summary_print(const json_t *s, const char *only)
{
    const json_t *cats = json_object_get(s, "categories"), *c, *ex;
    size_t i, k;
    int64_t open = sync_json_int(s, "open_errors", 0);

    printf("sync errors: %lld open on %lld record%s\n", (long long)open,
           (long long)sync_json_int(s, "affected_records", 0),
           sync_json_int(s, "affected_records", 0) == 1 ? "" : "s");
    if (open == 0)
        printf("  none: every record synced, or is waiting for its turn\n");
    json_array_foreach(cats, i, c)
    {
        int64_t n = sync_json_int(c, "errors", 0), r = sync_json_int(c, "records", 0);
        if (only && strcmp(only, sync_json_str(c, "category")) != 0)
            continue;
        printf("\n%s (%s): %lld error%s, %lld record%s\n", sync_json_str(c, "category"),
               sync_json_str(c, "card"), (long long)n, n == 1 ? "" : "s", (long long)r,
               r == 1 ? "" : "s");
        printf("  %s\n", sync_json_str(c, "title"));
        print_wrapped("fix: ", 2, sync_json_str(c, "fix"));
        json_array_foreach(json_object_get(c, "examples"), k, ex)
        {
            printf("  e.g. %s\n", json_string_value(ex));
        }
    }
}

static void list_print(const json_t *page)
{
    const json_t *list = json_object_get(page, "errors"), *e;
    int64_t total = sync_json_int(page, "total", 0), offset = sync_json_int(page, "offset", 0);
    char when[64];
    size_t i;

    if (!total)
        return;
    printf("\nerrors (newest first; %lld-%lld of %lld)\n", (long long)offset + 1,
           (long long)offset + (long long)json_array_size(list), (long long)total);
    json_array_foreach(list, i, e)
    {
        const json_t *r = json_object_get(e, "record");
        const char *code = sync_json_str(e, "code"), *msg = sync_json_str(e, "message");
        int64_t attempts = sync_json_int(e, "attempts", 0);
        printf("  #%-5lld %-17s %s %s %s%s%s%s  %lld attempt%s, last %s\n",
               (long long)sync_json_int(e, "id", 0), sync_json_str(e, "category"),
               sync_json_str(r, "system"), sync_json_str(r, "object"), sync_json_str(r, "id"),
               code ? " [" : "", code ? code : "", code ? "]" : "", (long long)attempts,
               attempts == 1 ? "" : "s",
               cli_time(sync_json_int(e, "last_seen", 0), when, sizeof(when)));
        if (msg)
            printf("          %s\n", msg);
    }
    if (!json_is_null(json_object_get(page, "next_offset")))
        printf("more: crmsync errors --offset %lld\n",
               (long long)sync_json_int(page, "next_offset", 0));
    printf("once the cause is fixed: crmsync resync ID...\n");
}

static int errors_show(struct sync_store *st, const struct errors_opts *o, struct sync_err *err)
{
    json_t *summary = NULL, *page = NULL;
    enum sync_rc rc;

    if (o->as_csv) {
        struct sync_buf csv = SYNC_BUF_INIT(0);
        rc = sync_health_csv(st, &o->q, &csv, err);
        if (rc == SYNC_OK)
            fwrite(csv.data ? csv.data : "", 1, csv.len, stdout);
        sync_buf_release(&csv);
        return rc;
    }
    rc = sync_health_summary(st, &summary, err);
    if (rc == SYNC_OK)
        rc = sync_health_errors(st, &o->q, &page, err);
    if (rc == SYNC_OK && o->as_json) {
        json_t *both = json_pack("{s:O, s:O}", "summary", summary, "errors", page);
        char *text = both ? json_dumps(both, JSON_INDENT(2)) : NULL;
        printf("%s\n", text ? text : "{}");
        free(text);
        json_decref(both);
    } else if (rc == SYNC_OK) {
        summary_print(summary, o->q.category);
        list_print(page);
    }
    json_decref(summary);
    json_decref(page);
    return rc;
}

/* A count from the command line: up to nine digits. */
static int parse_count(const char *s, size_t *out)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > 9 || strspn(s, "0123456789") != n)
        return -1;
    *out = (size_t)strtoul(s, NULL, 10);
    return 0;
}

static int errors_args(int argc, const char **argv, struct errors_opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--json") == 0) {
            o->as_json = 1;
        } else if (strcmp(a, "--csv") == 0) {
            o->as_csv = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            errors_usage(stdout);
            return ARGS_HELP;
        } else if (v && strcmp(a, "--category") == 0) {
            o->q.category = v, i++;
        } else if (v && strcmp(a, "--system") == 0 &&
                   (strcmp(v, "hubspot") == 0 || strcmp(v, "salesforce") == 0)) {
            o->q.system = v, i++;
        } else if (v && strcmp(a, "--object") == 0) {
            o->q.object = v, i++;
        } else if (v && strcmp(a, "--limit") == 0 && parse_count(v, &o->q.limit) == 0) {
            i++;
        } else if (v && strcmp(a, "--offset") == 0 && parse_count(v, &o->q.offset) == 0) {
            i++;
        } else {
            fprintf(stderr, "crmsync errors: bad argument '%s'\n", a);
            errors_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (o->as_json && o->as_csv) {
        fprintf(stderr, "crmsync errors: --csv and --json do not go together\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cmd_errors(int argc, const char **argv, const struct cli *cli)
{
    struct errors_opts o;
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    int status = errors_args(argc, argv, &o);

    if (status != CLI_OK)
        return status == ARGS_HELP ? CLI_OK : status;
    if ((status = cli_store_open(cli, "crmsync errors", &cfg, &st)) != CLI_OK)
        return status;
    if (errors_show(st, &o, &err)) {
        fprintf(stderr, "crmsync errors: %s\n", err.message);
        status = CLI_FAILED;
    }
    cli_store_close(&cfg, st);
    return status;
}
