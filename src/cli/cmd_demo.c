/*
 * cmd_demo.c: `crmsync demo`: the engine against the demo emulators on
 * this machine, with live progress on the terminal.
 *
 * Without --config it writes the embedded demo configuration (both
 * emulators at their default ports with the demo credentials of
 * DESIGN.md, a SQLite store) into the demo directory and uses that, so
 * `crmsync --config DIR/crmsync.yaml status` and `explain` work next to
 * it. Then it syncs as `crmsync run` does (cli_run_loop) until SIGTERM or
 * SIGINT, while a second thread reads the store through its own handle
 * (SQLite WAL: readers never block the engine) and shows what is
 * happening: one updating line on a terminal, a plain line whenever
 * something changed otherwise. The first pass that neither plans nor
 * makes a write, once capture has read both sides up to the end of the
 * last pass that did, ends the initial sync: it is announced (and
 * --ready-file written) once. On stop it prints a summary and the store's
 * status. Called by main.c; scripts/demo.sh runs it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/builtin.h"
#include "core/buf.h"
#include "core/time.h"
#include "store/store.h"

#define DEMO_DIR_DEFAULT "crmsync-demo"
#define DEMO_HUBSPOT_URL "http://127.0.0.1:8302"
#define DEMO_SALESFORCE_URL "http://127.0.0.1:8301"
#define DEMO_PATH_MAX 1024
#define DEMO_LINE_MAX 512
#define DEMO_TICK_MS 250        /* terminal redraw */
#define DEMO_READ_EVERY_MS 1000 /* store read */
#define DEMO_PLAIN_EVERY_MS 2000
#define DEMO_RATE_READS 4 /* the rate is over the last reads */

/* The embedded default: the demo emulators, the demo credentials, a store in the demo directory.
 * The three values are YAML double-quoted scalars. */
static const char demo_yaml[] =
    "# The crmsync demo: both emulators on this machine (scripts/demo.sh starts them).\n"
    "# Written by `crmsync demo`; pass --config to use a file of your own instead.\n"
    "hubspot:\n"
    "  base_url: %s\n"
    "  access_token: pat-na1-crmsync-demo\n"
    "salesforce:\n"
    "  login_url: %s\n"
    "  client_id: crmsync-demo\n"
    "  client_secret: crmsync-demo-secret\n"
    "  username: integration@crmsync.test\n"
    "  password: demo-password\n"
    "  security_token: DEMOTOKEN\n"
    "store: %s\n"
    "poll_interval: 2s\n"
    "log_level: warn\n";

struct demo_opts {
    const char *dir, *hubspot, *salesforce, *ready_file;
    int fresh;
};

/* What the store says, read by the progress thread. */
struct demo_view {
    size_t links[SYNC_LINK__COUNT];
    size_t to_hs, to_sf; /* records with a confirmed write to that side */
    size_t inbox;
    int inbox_more;
    int64_t outbox;
    int64_t errors;
};

struct demo {
    /* set before the progress thread starts, then only read */
    const char *ready_file;
    int tty;
    int64_t start_ms;
    struct sync_store *st; /* the progress thread's own handle (the summary's after the join) */

    pthread_mutex_t lock; /* guards the members up to the next comment */
    struct sync_pass_stats total;
    size_t passes, failed_passes;
    char last_error[160];
    int quiet;          /* the initial sync is over (see demo_on_pass) */
    int quiet_said;     /* ...and the progress thread has said so */
    int64_t quiet_ms;   /* when (monotonic) */
    int64_t busy_until; /* wall clock: the end of the last pass that planned or made a write */
    int done;           /* the loop has ended: the thread draws once more and returns */
    struct demo_view view;
    double rate; /* records newly written per second, over the last reads */

    /* the progress thread's alone */
    char last_line[DEMO_LINE_MAX];       /* the line drawn last (plain: without the clock) */
    size_t hist_synced[DEMO_RATE_READS]; /* to_hs + to_sf at the last reads */
    int64_t hist_ms[DEMO_RATE_READS];
    size_t nreads;
};

static void demo_usage(FILE *f)
{
    fprintf(f,
            "usage: crmsync [--config FILE] demo [--dir DIR] [--fresh] [--hubspot URL]\n"
            "                                    [--salesforce URL] [--ready-file FILE]\n\n"
            "Syncs the demo emulators (scripts/demo.sh starts them) continuously with live\n"
            "progress, until SIGTERM or SIGINT; then prints a summary.\n\n"
            "  --dir DIR          where the demo's crmsync.yaml and store live (default %s)\n"
            "  --fresh            start from an empty store (the demo's own store only)\n"
            "  --hubspot URL      emu-hubspot's base URL (default %s)\n"
            "  --salesforce URL   emu-salesforce's login URL (default %s)\n"
            "  --ready-file FILE  written once the initial sync is done\n\n"
            "With --config, that file is used as it is: --dir, --hubspot and --salesforce\n"
            "do not apply and --fresh is refused.\n",
            DEMO_DIR_DEFAULT, DEMO_HUBSPOT_URL, DEMO_SALESFORCE_URL);
}

/* ---- the demo's configuration ---- */

/* Appends s as a YAML double-quoted scalar the loader reads back as s ("${" would name an
 * environment variable: "$${" is a literal one). */
static void yaml_quote(struct sync_buf *b, const char *s)
{
    sync_buf_addch(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sync_buf_addch(b, '\\');
        else if (s[0] == '$' && s[1] == '{')
            sync_buf_addch(b, '$');
        sync_buf_addch(b, *s);
    }
    sync_buf_addch(b, '"');
}

static int demo_write_config(const struct demo_opts *o, const char *path, const char *db)
{
    struct sync_buf hs = SYNC_BUF_INIT(4096), sf = SYNC_BUF_INIT(4096), st = SYNC_BUF_INIT(4096);
    char store[DEMO_PATH_MAX + 16];
    FILE *f;
    int ok;

    snprintf(store, sizeof(store), "sqlite:%s", db);
    yaml_quote(&hs, o->hubspot);
    yaml_quote(&sf, o->salesforce);
    yaml_quote(&st, store);
    f = fopen(path, "w");
    ok = f && fprintf(f, demo_yaml, sync_buf_str(&hs), sync_buf_str(&sf), sync_buf_str(&st)) > 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "crmsync demo: cannot write %s: %s\n", path, strerror(errno));
    sync_buf_release(&hs);
    sync_buf_release(&sf);
    sync_buf_release(&st);
    return ok ? CLI_OK : CLI_FAILED;
}

/* Removes the demo store's files (the database and its WAL companions). */
static int demo_remove_store(const char *db)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[DEMO_PATH_MAX + 16];

    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", db, suffixes[i]);
        if (unlink(p) != 0 && errno != ENOENT) {
            fprintf(stderr, "crmsync demo: cannot remove %s: %s\n", p, strerror(errno));
            return CLI_FAILED;
        }
    }
    return CLI_OK;
}

/* Loads the configuration: --config as given, else the embedded default written into the demo
 * directory (made if missing). */
static int demo_config(const struct demo_opts *o, const struct cli *cli, struct sync_config *cfg)
{
    char path[DEMO_PATH_MAX], db[DEMO_PATH_MAX];
    struct cli own = *cli;
    int status;

    if (!cli->config_path) {
        if (strlen(o->dir) + 16 > sizeof(path)) {
            fprintf(stderr, "crmsync demo: --dir is too long\n");
            sync_config_init(cfg);
            return CLI_USAGE;
        }
        snprintf(path, sizeof(path), "%s/crmsync.yaml", o->dir);
        snprintf(db, sizeof(db), "%s/crmsync.db", o->dir);
        if (mkdir(o->dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "crmsync demo: cannot make %s: %s\n", o->dir, strerror(errno));
            sync_config_init(cfg);
            return CLI_FAILED;
        }
        if ((status = demo_write_config(o, path, db)) != CLI_OK ||
            (o->fresh && (status = demo_remove_store(db)) != CLI_OK)) {
            sync_config_init(cfg);
            return status;
        }
        own.config_path = path;
    }
    if ((status = cli_config_load(&own, cfg)) != CLI_OK)
        return status;
    printf("crmsync demo: configuration %s, store %s, polling every %llds\n",
           own.config_path ? own.config_path : SYNC_CONFIG_DEFAULT_PATH, cfg->store,
           (long long)(sync_settings_int(&cfg->settings, SYNC_SETTING_POLL_INTERVAL) / 1000));
    fflush(stdout);
    return CLI_OK;
}

/* ---- what the store says ---- */

static enum sync_rc view_link(void *ctx, const struct sync_link *l)
{
    struct demo_view *v = ctx;
    if ((int)l->state >= 0 && l->state < SYNC_LINK__COUNT)
        v->links[l->state]++;
    v->to_hs += l->last_to_hs > 0;
    v->to_sf += l->last_to_sf > 0;
    return SYNC_OK;
}

static enum sync_rc view_change(void *ctx, const struct sync_change *c)
{
    (void)c;
    ((struct demo_view *)ctx)->inbox++;
    return SYNC_OK;
}

static enum sync_rc view_errors(void *ctx, const char *category, int64_t open)
{
    (void)category;
    ((struct demo_view *)ctx)->errors += open;
    return SYNC_OK;
}

static enum sync_rc demo_read(struct sync_store *st, struct demo_view *v, struct sync_err *err)
{
    struct sync_link_query q = {NULL, -1, NULL, 0};
    struct sync_outbox_stats os;
    enum sync_rc rc;

    memset(v, 0, sizeof(*v));
    if ((rc = sync_store_link_list(st, &q, view_link, v, err)) ||
        (rc = sync_store_inbox_take(st, SYNC_STORE_BATCH_MAX, view_change, v, err)) ||
        (rc = sync_store_outbox_stats(st, &os, err)) ||
        (rc = sync_store_error_counts(st, view_errors, v, err)))
        return rc;
    v->inbox_more = v->inbox >= SYNC_STORE_BATCH_MAX;
    v->outbox = os.waiting + os.claimed;
    return SYNC_OK;
}

/* ---- drawing ---- */

static void elapsed(int64_t ms, char *out, size_t n)
{
    long long s = ms / 1000;
    if (s >= 3600)
        snprintf(out, n, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, n, "%lld:%02lld", s / 60, s % 60);
}

static int term_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* The progress line, most telling first (a narrow terminal shows its start). Lock held. */
static void demo_line(struct demo *d, int64_t now, char *out, size_t n)
{
    const struct demo_view *v = &d->view;
    char t[32];

    elapsed(now - d->start_ms, t, sizeof(t));
    snprintf(out, n,
             "%s  linked %zu, written to HubSpot %zu, to Salesforce %zu, %.0f/s | errors %lld | "
             "queued %zu%s in, %lld out | %zu passes: %zu captured, %zu planned, %zu written, "
             "%zu failed%s%s",
             t, v->links[SYNC_LINK_LINKED], v->to_hs, v->to_sf, d->rate, (long long)v->errors,
             v->inbox, v->inbox_more ? "+" : "", (long long)v->outbox, d->passes, d->total.captured,
             d->total.planned, d->total.written, d->total.failed,
             d->last_error[0] ? " | last pass failed: " : "", d->last_error);
}

/* Draws the line when it changed (on a terminal the clock changes it every second, which also
 * redraws it after another program printed over it). Lock held. */
static void demo_draw(struct demo *d, int64_t now, int force)
{
    char line[DEMO_LINE_MAX], *last = d->last_line;
    const char *body;

    demo_line(d, now, line, sizeof(line));
    body = d->tty ? line : strchr(line, ' '); /* plain: the clock alone is no change */
    if (!force && body && strcmp(body, last) == 0)
        return;
    snprintf(last, sizeof(d->last_line), "%s", body ? body : "");
    if (d->tty) {
        int w = term_width() - 1;
        if ((int)strlen(line) > w)
            line[w] = '\0';
        printf("\r\033[K%s", line);
    } else {
        printf("%s\n", line);
    }
    fflush(stdout);
}

/* Says (once) that the initial sync is over, and writes the ready file. Lock held. */
static void demo_say_quiet(struct demo *d)
{
    char t[32];
    const struct demo_view *v = &d->view;

    elapsed(d->quiet_ms - d->start_ms, t, sizeof(t));
    printf("%sinitial sync done in %s: %zu linked, %zu records written to HubSpot and %zu to "
           "Salesforce, %lld open errors (crmsync status lists them)\n",
           d->tty ? "\r\033[K" : "", t, v->links[SYNC_LINK_LINKED], v->to_hs, v->to_sf,
           (long long)v->errors);
    fflush(stdout);
    d->quiet_said = 1;
    if (d->ready_file) {
        FILE *f = fopen(d->ready_file, "w");
        if (!f || fprintf(f, "%lld\n", (long long)(d->quiet_ms - d->start_ms)) < 0)
            fprintf(stderr, "crmsync demo: cannot write %s: %s\n", d->ready_file, strerror(errno));
        if (f)
            fclose(f);
    }
}

static void nap_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Reads the store into d->view and works out the rate. A read that fails keeps the last view
 * (the next one is a second away). */
static void demo_refresh(struct demo *d, int64_t now)
{
    struct demo_view v;
    struct sync_err err = SYNC_ERR_INIT;
    size_t k = d->nreads % DEMO_RATE_READS, synced;

    if (demo_read(d->st, &v, &err) != SYNC_OK)
        return;
    synced = v.to_hs + v.to_sf;
    pthread_mutex_lock(&d->lock);
    d->view = v;
    /* the slot about to be overwritten holds the oldest read kept */
    if (d->nreads >= DEMO_RATE_READS && now > d->hist_ms[k])
        d->rate = (double)(synced > d->hist_synced[k] ? synced - d->hist_synced[k] : 0) * 1000.0 /
                  (double)(now - d->hist_ms[k]);
    pthread_mutex_unlock(&d->lock);
    d->hist_synced[k] = synced;
    d->hist_ms[k] = now;
    d->nreads++;
}

static void *demo_progress(void *arg)
{
    struct demo *d = arg;
    int64_t next_read = 0, last_plain = 0;

    for (;;) {
        int64_t now = sync_time_monotonic_ms();
        int done, announce;

        pthread_mutex_lock(&d->lock);
        done = d->done;
        announce = d->quiet && !d->quiet_said;
        pthread_mutex_unlock(&d->lock);
        /* fresh numbers for the announcement and the last line */
        if (now >= next_read || announce || done) {
            demo_refresh(d, now);
            next_read = now + DEMO_READ_EVERY_MS;
        }
        pthread_mutex_lock(&d->lock);
        if (announce)
            demo_say_quiet(d);
        if (d->tty || done || now - last_plain >= DEMO_PLAIN_EVERY_MS) {
            demo_draw(d, now, done);
            last_plain = now;
        }
        pthread_mutex_unlock(&d->lock);
        if (done)
            break;
        nap_ms(DEMO_TICK_MS);
    }
    if (d->tty)
        printf("\n");
    fflush(stdout);
    return NULL;
}

/* ---- the passes ---- */

static void demo_on_pass(void *ctx, const struct sync_pass_stats *st, const struct sync_err *failed)
{
    struct demo *d = ctx;
    int64_t now = sync_time_now_ms();

    pthread_mutex_lock(&d->lock);
    d->passes++;
    d->total.read += st->read;
    d->total.captured += st->captured;
    d->total.planned += st->planned;
    d->total.written += st->written;
    d->total.failed += st->failed;
    d->total.retried += st->retried;
    d->total.record_errors += st->record_errors;
    if (failed) {
        d->failed_passes++;
        snprintf(d->last_error, sizeof(d->last_error), "%.150s", failed->message);
    } else {
        d->last_error[0] = '\0';
    }
    /* quiet: a pass that neither planned nor made a write, whose capture covers everything up
     * to the end of the last pass that did (HubSpot's search settles a few seconds late; our
     * own writes come back as changes that turn out to be echoes) */
    if (failed || st->enqueued || st->written || st->failed || st->retried) {
        d->busy_until = now;
    } else if (!d->quiet && st->covered_ms >= d->busy_until) {
        d->quiet = 1;
        d->quiet_ms = sync_time_monotonic_ms();
    }
    pthread_mutex_unlock(&d->lock);
}

static void demo_summary(struct demo *d)
{
    char t[32];
    int64_t ms = sync_time_monotonic_ms() - d->start_ms;
    size_t synced = d->view.to_hs + d->view.to_sf;

    elapsed(ms, t, sizeof(t));
    printf("\ncrmsync demo: stopped after %s: %zu passes (%zu failed); %zu changes captured, "
           "%zu planned; %zu writes applied, %zu failed for good, %zu record errors",
           t, d->passes, d->failed_passes, d->total.captured, d->total.planned, d->total.written,
           d->total.failed, d->total.record_errors);
    if (d->quiet)
        printf("; initial sync %.1f s", (double)(d->quiet_ms - d->start_ms) / 1000.0);
    if (ms > 0)
        printf("; %.0f records/s on average", (double)synced * 1000.0 / (double)ms);
    printf("\n\n");
}

static int demo_args(int argc, const char **argv, struct demo_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--dir") == 0          ? &o->dir
                            : strcmp(a, "--hubspot") == 0    ? &o->hubspot
                            : strcmp(a, "--salesforce") == 0 ? &o->salesforce
                            : strcmp(a, "--ready-file") == 0 ? &o->ready_file
                                                             : NULL;
        if (slot) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fprintf(stderr, "crmsync demo: %s needs a value\n", a);
                return CLI_USAGE;
            }
            *slot = argv[++i];
        } else if (strcmp(a, "--fresh") == 0) {
            o->fresh = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            demo_usage(stdout);
            return -1;
        } else {
            fprintf(stderr, "crmsync demo: unknown argument '%s'\n", a);
            demo_usage(stderr);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

int cmd_demo(int argc, const char **argv, const struct cli *cli)
{
    struct demo_opts o = {DEMO_DIR_DEFAULT, DEMO_HUBSPOT_URL, DEMO_SALESFORCE_URL, NULL, 0};
    struct sync_config cfg;
    struct sync_engine *e = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    struct demo *d;
    pthread_t thread;
    int status = demo_args(argc, argv, &o);

    if (status)
        return status < 0 ? CLI_OK : status;
    if (cli->config_path && o.fresh) {
        fprintf(stderr, "crmsync demo: --fresh empties the demo's own store only; it does not "
                        "go with --config\n");
        return CLI_USAGE;
    }
    if ((status = demo_config(&o, cli, &cfg)) != CLI_OK) {
        sync_config_release(&cfg);
        return status;
    }
    if (!(d = calloc(1, sizeof(*d)))) {
        sync_config_release(&cfg);
        fprintf(stderr, "crmsync demo: out of memory\n");
        return CLI_FAILED;
    }
    pthread_mutex_init(&d->lock, NULL);
    d->ready_file = o.ready_file;
    d->tty = isatty(STDOUT_FILENO);
    if (sync_engine_open(&e, &cfg, &err) || sync_store_open(&d->st, cfg.store, &err)) {
        fprintf(stderr, "crmsync demo: %s\n", err.message);
        status = err.rc == SYNC_ERR_INVALID ? CLI_USAGE : CLI_FAILED;
        goto out;
    }
    d->start_ms = sync_time_monotonic_ms();
    d->busy_until = sync_time_now_ms();
    if (pthread_create(&thread, NULL, demo_progress, d) != 0) {
        fprintf(stderr, "crmsync demo: cannot start the progress thread\n");
        status = CLI_FAILED;
        goto out;
    }
    cli_run_loop(e, demo_on_pass, d);
    pthread_mutex_lock(&d->lock);
    d->done = 1;
    pthread_mutex_unlock(&d->lock);
    pthread_join(thread, NULL);
    demo_summary(d);
    if (cli_status_show(d->st, &cfg, 0, &err))
        fprintf(stderr, "crmsync demo: %s\n", err.message);
    printf("\nThe store stays: crmsync --config %s%s status | explain hubspot contacts ID\n",
           cli->config_path ? cli->config_path : o.dir, cli->config_path ? "" : "/crmsync.yaml");
    fflush(stdout);
out:
    sync_store_close(d->st);
    sync_engine_close(e);
    pthread_mutex_destroy(&d->lock);
    free(d);
    sync_config_release(&cfg);
    return status;
}
