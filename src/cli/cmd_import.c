/*
 * cmd_import.c: `crmsync import`: imports (backfill, engine/import.h).
 *
 *   crmsync import salesforce OBJECT [--where COND] [--page N]
 *       (OBJECT: Lead, Contact, Account, Opportunity, Case, Task or Event)
 *   crmsync import hubspot-list LIST_ID [--page N]
 *   crmsync import list [--json]
 *   crmsync import show ID [--json]
 *   crmsync import resume ID [--page N]
 *   crmsync import cancel ID
 *
 * An import reads in this process, with connectors and a store handle
 * of its own, and puts the records into the inbox; the engine (`sync
 * --once`, or `run` meanwhile) plans and applies them. Progress is one
 * line updated in place on a terminal, a line per page otherwise.
 * Called by main.c.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "engine/import.h"
#include "store/store.h"

#define USAGE                                                                                      \
    "usage: crmsync import salesforce Lead|Contact|Account|Opportunity|Case|Task|Event [--where "  \
    "COND] "                                                                                       \
    "[--page N]\n"                                                                                 \
    "       crmsync import hubspot-list LIST_ID [--page N]\n"                                      \
    "       crmsync import list [--json]\n"                                                        \
    "       crmsync import show ID [--json]\n"                                                     \
    "       crmsync import resume ID [--page N]\n"                                                 \
    "       crmsync import cancel ID\n"

struct opts {
    const char *verb;
    const char *args[2]; /* positional arguments after the verb */
    int nargs;
    const char *where;
    size_t page;
    int as_json;
};

static int parse_count(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || end == s || v == 0 || s[0] == '-')
        return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_id(const char *s, int64_t *out)
{
    size_t v;
    if (parse_count(s, &v))
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int opts_parse(int argc, const char **argv, struct opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf(USAGE);
            return 1;
        } else if (strcmp(a, "--json") == 0) {
            o->as_json = 1;
        } else if (strcmp(a, "--where") == 0 && i + 1 < argc) {
            o->where = argv[++i];
        } else if (strcmp(a, "--page") == 0 && i + 1 < argc) {
            if (parse_count(argv[++i], &o->page)) {
                fprintf(stderr, "crmsync import: --page takes a positive number, not '%s'\n",
                        argv[i]);
                return -1;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "crmsync import: unknown or incomplete option '%s'\n%s", a, USAGE);
            return -1;
        } else if (!o->verb) {
            o->verb = a;
        } else if (o->nargs < 2) {
            o->args[o->nargs++] = a;
        } else {
            fprintf(stderr, "crmsync import: unexpected argument '%s'\n%s", a, USAGE);
            return -1;
        }
    }
    if (!o->verb) {
        fprintf(stderr, "%s", USAGE);
        return -1;
    }
    return 0;
}

/* ---- printing progress ---- */

static void what_text(const json_t *p, char *out, size_t n)
{
    const json_t *w = json_object_get(p, "what");
    const char *where = sync_json_str(w, "where"), *list = sync_json_str(w, "list_id");

    if (list)
        snprintf(out, n, "hubspot list %s", list);
    else
        snprintf(out, n, "%s %s%s%s", sync_json_str(w, "system") ? sync_json_str(w, "system") : "",
                 sync_json_str(w, "object") ? sync_json_str(w, "object") : "",
                 where ? " where " : "", where ? where : "");
}

/* "5 of 12 read (41.7%), 5 queued, 250.0 records/s, about 1 s left" */
static void figures_text(const json_t *p, char *out, size_t n)
{
    const json_t *total = json_object_get(p, "total"), *pct = json_object_get(p, "done_percent");
    const json_t *eta = json_object_get(p, "eta_s");
    size_t len = 0;

    if (json_is_integer(total))
        len = (size_t)snprintf(out, n, "%lld of %lld read", (long long)sync_json_int(p, "read", 0),
                               (long long)json_integer_value(total));
    else
        len = (size_t)snprintf(out, n, "%lld read", (long long)sync_json_int(p, "read", 0));
    if (len < n && json_is_number(pct))
        len += (size_t)snprintf(out + len, n - len, " (%.1f%%)", json_number_value(pct));
    if (len < n)
        len += (size_t)snprintf(out + len, n - len, ", %lld queued",
                                (long long)sync_json_int(p, "queued", 0));
    if (len < n && json_number_value(json_object_get(p, "rate_per_s")) > 0)
        len += (size_t)snprintf(out + len, n - len, ", %.1f records/s",
                                json_number_value(json_object_get(p, "rate_per_s")));
    if (len < n && json_is_integer(eta) &&
        strcmp(sync_json_str(p, "state") ? sync_json_str(p, "state") : "", "running") == 0)
        snprintf(out + len, n - len, ", about %lld s left", (long long)json_integer_value(eta));
}

struct printer {
    int tty;
    int pages;
    int open_line; /* a line updated in place is on screen */
};

static int on_progress(void *ctx, const json_t *p)
{
    struct printer *pr = ctx;
    char fig[512];

    figures_text(p, fig, sizeof(fig));
    pr->pages++;
    if (pr->tty) {
        printf("\r\033[Kimport %lld: %s", (long long)sync_json_int(p, "id", 0), fig);
        pr->open_line = 1;
    } else {
        printf("import %lld: %s\n", (long long)sync_json_int(p, "id", 0), fig);
    }
    fflush(stdout);
    return 0;
}

static void end_line(struct printer *pr)
{
    if (pr->open_line)
        printf("\n");
    pr->open_line = 0;
}

/* ---- the verbs ---- */

static int run_job(const struct sync_config *cfg, struct sync_store *st, int64_t id, size_t page)
{
    struct printer pr = {isatty(fileno(stdout)), 0, 0};
    struct sync_err err = SYNC_ERR_INIT;
    enum sync_rc rc = sync_import_run(cfg, st, id, page, on_progress, &pr, &err);
    struct sync_err gerr = SYNC_ERR_INIT;
    json_t *p = NULL;
    char what[SYNC_STORE_FILTER_MAX + 128], fig[512];
    int elsewhere = 0; /* another run of the job owns it */

    end_line(&pr);
    if (sync_import_get(st, id, &p, &gerr) == SYNC_OK) {
        what_text(p, what, sizeof(what));
        figures_text(p, fig, sizeof(fig));
        printf("import %lld (%s) %s: %s\n", (long long)id, what, sync_json_str(p, "state"), fig);
        if (rc == SYNC_OK && strcmp(sync_json_str(p, "state"), "done") == 0)
            printf("the engine syncs what was queued: crmsync sync --once, or a running "
                   "crmsync run\n");
        else if (rc == SYNC_OK && strcmp(sync_json_str(p, "state"), "running") == 0)
            printf("resume it with: crmsync import resume %lld\n", (long long)id);
        elsewhere = rc == SYNC_ERR_NOT_FOUND && strcmp(sync_json_str(p, "state"), "running") == 0;
    }
    json_decref(p);
    if (rc) {
        fprintf(stderr, "crmsync import: import %lld %s: %s\n", (long long)id,
                elsewhere ? "is read by another run" : "failed", err.message);
        if (!elsewhere)
            fprintf(stderr,
                    "crmsync import: it resumes where it stopped: crmsync import resume %lld\n",
                    (long long)id);
        return CLI_FAILED;
    }
    return CLI_OK;
}

static int do_start(const struct sync_config *cfg, struct sync_store *st, const struct opts *o)
{
    struct sync_import_spec spec;
    struct sync_err err = SYNC_ERR_INIT;
    int64_t id;
    json_t *p = NULL;
    char what[SYNC_STORE_FILTER_MAX + 128];

    memset(&spec, 0, sizeof(spec));
    if (strcmp(o->verb, "salesforce") == 0) {
        if (o->nargs != 1) {
            fprintf(stderr, "crmsync import salesforce: name one object (Lead, Contact, Account, "
                            "Opportunity, Case, Task or Event)\n");
            return CLI_USAGE;
        }
        spec.system = "salesforce";
        spec.object = o->args[0];
        spec.where = o->where;
    } else {
        if (o->nargs != 1 || o->where) {
            fprintf(stderr, "crmsync import hubspot-list: name one list id (and no --where)\n");
            return CLI_USAGE;
        }
        spec.system = "hubspot";
        spec.list_id = o->args[0];
    }
    if (sync_import_create(cfg, st, &spec, &id, &err)) {
        fprintf(stderr, "crmsync import: %s\n", err.message);
        fprintf(stderr, "crmsync import: nothing was queued\n");
        return err.rc == SYNC_ERR_INVALID || err.http_status == 400 || err.http_status == 404
                   ? CLI_USAGE
                   : CLI_FAILED;
    }
    if (sync_import_get(st, id, &p, &err) == SYNC_OK) {
        const json_t *total = json_object_get(p, "total");
        what_text(p, what, sizeof(what));
        if (json_is_integer(total))
            printf("import %lld: %s, %lld to read\n", (long long)id, what,
                   (long long)json_integer_value(total));
        else
            printf("import %lld: %s\n", (long long)id, what);
        fflush(stdout);
    }
    json_decref(p);
    return run_job(cfg, st, id, o->page);
}

static void list_print(const json_t *list)
{
    const json_t *p;
    size_t i;
    char what[SYNC_STORE_FILTER_MAX + 128], fig[512];

    if (!json_array_size(list))
        printf("no imports yet\n");
    json_array_foreach(list, i, p)
    {
        const char *error = sync_json_str(p, "error");
        const char *started = sync_json_str(p, "started_at");
        what_text(p, what, sizeof(what));
        figures_text(p, fig, sizeof(fig));
        printf("%lld  %-9s  %s\n     %s; started %s\n", (long long)sync_json_int(p, "id", 0),
               sync_json_str(p, "state"), what, fig, started ? started : "?");
        if (error)
            printf("     error: %s\n", error);
    }
}

static int do_show(struct sync_store *st, const struct opts *o)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;
    enum sync_rc rc;
    int64_t id = 0;

    if (strcmp(o->verb, "show") == 0) {
        if (o->nargs != 1 || parse_id(o->args[0], &id)) {
            fprintf(stderr, "crmsync import show: give one import id\n");
            return CLI_USAGE;
        }
        rc = sync_import_get(st, id, &out, &err);
    } else {
        if (o->nargs) {
            fprintf(stderr, "crmsync import list: takes no arguments but --json\n");
            return CLI_USAGE;
        }
        rc = sync_import_list(st, &out, &err);
    }
    if (rc) {
        fprintf(stderr, "crmsync import: %s\n", err.message);
        return rc == SYNC_ERR_NOT_FOUND ? CLI_USAGE : CLI_FAILED;
    }
    if (o->as_json) {
        char *text = json_dumps(out, JSON_INDENT(2) | JSON_SORT_KEYS);
        printf("%s\n", text ? text : "null");
        free(text);
    } else if (json_is_array(out)) {
        list_print(out);
    } else {
        json_t *one = json_array();
        json_array_append(one, out);
        list_print(one);
        json_decref(one);
    }
    json_decref(out);
    return CLI_OK;
}

static int do_job(const struct sync_config *cfg, struct sync_store *st, const struct opts *o)
{
    struct sync_err err = SYNC_ERR_INIT;
    int64_t id;

    if (o->nargs != 1 || parse_id(o->args[0], &id)) {
        fprintf(stderr, "crmsync import %s: give one import id\n", o->verb);
        return CLI_USAGE;
    }
    if (strcmp(o->verb, "resume") == 0) {
        json_t *p = NULL;
        int done;
        if (sync_import_get(st, id, &p, &err)) {
            fprintf(stderr, "crmsync import resume: %s\n", err.message);
            return err.rc == SYNC_ERR_NOT_FOUND ? CLI_USAGE : CLI_FAILED;
        }
        done = strcmp(sync_json_str(p, "state"), "done") == 0;
        json_decref(p);
        if (done) {
            fprintf(stderr, "crmsync import resume: import %lld is done already\n", (long long)id);
            return CLI_USAGE;
        }
        return run_job(cfg, st, id, o->page);
    }
    if (sync_import_cancel(st, id, &err)) {
        fprintf(stderr, "crmsync import cancel: %s\n", err.message);
        return err.rc == SYNC_ERR_NOT_FOUND || err.rc == SYNC_ERR_INVALID ? CLI_USAGE : CLI_FAILED;
    }
    printf("import %lld cancelled; what it queued stays queued\n", (long long)id);
    return CLI_OK;
}

int cmd_import(int argc, const char **argv, const struct cli *cli)
{
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct opts o;
    int status = opts_parse(argc, argv, &o);

    if (status)
        return status > 0 ? CLI_OK : CLI_USAGE;
    if (strcmp(o.verb, "salesforce") && strcmp(o.verb, "hubspot-list") && strcmp(o.verb, "list") &&
        strcmp(o.verb, "show") && strcmp(o.verb, "resume") && strcmp(o.verb, "cancel")) {
        fprintf(stderr, "crmsync import: unknown verb '%s'\n%s", o.verb, USAGE);
        return CLI_USAGE;
    }
    if ((status = cli_store_open(cli, "crmsync import", &cfg, &st)) != CLI_OK)
        return status;
    if (strcmp(o.verb, "list") == 0 || strcmp(o.verb, "show") == 0)
        status = do_show(st, &o);
    else if (strcmp(o.verb, "resume") == 0 || strcmp(o.verb, "cancel") == 0)
        status = do_job(&cfg, st, &o);
    else
        status = do_start(&cfg, st, &o);
    cli_store_close(&cfg, st);
    return status;
}
