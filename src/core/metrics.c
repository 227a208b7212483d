/*
 * metrics.c: the bounded, locked registry behind metrics.h.
 */
#include "core/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 80
#define LABELS_MAX_LEN 160
#define HELP_MAX_LEN 160

static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                 1,     2.5,  5,     10,   30,  60,   300};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct series {
    char name[NAME_MAX_LEN];
    char labels[LABELS_MAX_LEN];
    char help[HELP_MAX_LEN];
    int histogram;
    double value; /* counter; histogram: the sum */
    unsigned long long count, in_bucket[NBUCKETS];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct series reg[SYNC_METRICS_MAX];
static size_t nreg;
static unsigned long long dropped;

/* The series (created when new); NULL when the registry is full. Called with the lock held. */
static struct series *series_of(const char *name, const char *labels, const char *help,
                                int histogram)
{
    struct series *s;

    labels = labels ? labels : "";
    for (size_t i = 0; i < nreg; i++)
        if (strcmp(reg[i].name, name) == 0 && strcmp(reg[i].labels, labels) == 0)
            return &reg[i];
    if (nreg == SYNC_METRICS_MAX) {
        dropped++;
        return NULL;
    }
    s = &reg[nreg++];
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    snprintf(s->labels, sizeof(s->labels), "%s", labels);
    snprintf(s->help, sizeof(s->help), "%s", help ? help : "");
    s->histogram = histogram;
    return s;
}

void sync_metrics_count(const char *name, const char *labels, double v, const char *help)
{
    struct series *s;

    pthread_mutex_lock(&lock);
    if ((s = series_of(name, labels, help, 0)))
        s->value += v;
    pthread_mutex_unlock(&lock);
}

void sync_metrics_observe(const char *name, const char *labels, double seconds, const char *help)
{
    struct series *s;

    pthread_mutex_lock(&lock);
    if ((s = series_of(name, labels, help, 1))) {
        s->value += seconds;
        s->count++;
        for (size_t b = 0; b < NBUCKETS; b++)
            if (seconds <= buckets[b])
                s->in_bucket[b]++;
    }
    pthread_mutex_unlock(&lock);
}

/* "{a=\"x\",le=\"0.5\"}" from labels and an extra pair (either may be empty). */
static void label_set(char *out, size_t n, const char *labels, const char *extra)
{
    if (!labels[0] && !extra[0])
        out[0] = '\0';
    else
        snprintf(out, n, "{%s%s%s}", labels, labels[0] && extra[0] ? "," : "", extra);
}

static int render_series(struct sync_buf *out, const struct series *s)
{
    char ls[LABELS_MAX_LEN + 32], le[32];
    int rc = 0;

    if (!s->histogram) {
        label_set(ls, sizeof(ls), s->labels, "");
        return sync_buf_addf(out, "%s%s %.17g\n", s->name, ls, s->value) ? -1 : 0;
    }
    for (size_t b = 0; rc == 0 && b < NBUCKETS; b++) {
        snprintf(le, sizeof(le), "le=\"%g\"", buckets[b]);
        label_set(ls, sizeof(ls), s->labels, le);
        rc = sync_buf_addf(out, "%s_bucket%s %llu\n", s->name, ls, s->in_bucket[b]) ? -1 : 0;
    }
    label_set(ls, sizeof(ls), s->labels, "le=\"+Inf\"");
    if (rc == 0 && sync_buf_addf(out, "%s_bucket%s %llu\n", s->name, ls, s->count))
        rc = -1;
    label_set(ls, sizeof(ls), s->labels, "");
    if (rc == 0 && sync_buf_addf(out, "%s_sum%s %.17g\n%s_count%s %llu\n", s->name, ls, s->value,
                                 s->name, ls, s->count))
        rc = -1;
    return rc;
}

enum sync_rc sync_metrics_render(struct sync_buf *out)
{
    int rc = 0;

    pthread_mutex_lock(&lock);
    for (size_t i = 0; rc == 0 && i < nreg; i++) {
        int first = 1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(reg[j].name, reg[i].name) == 0)
                first = 0;
        if (!first)
            continue;
        rc = sync_buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", reg[i].name, reg[i].help,
                           reg[i].name, reg[i].histogram ? "histogram" : "counter")
                 ? -1
                 : 0;
        for (size_t j = i; rc == 0 && j < nreg; j++)
            if (strcmp(reg[j].name, reg[i].name) == 0)
                rc = render_series(out, &reg[j]);
    }
    if (rc == 0 && dropped)
        rc = sync_buf_addf(out,
                           "# HELP crmsync_metrics_dropped_total series not kept (registry "
                           "full)\n# TYPE crmsync_metrics_dropped_total counter\n"
                           "crmsync_metrics_dropped_total %llu\n",
                           dropped)
                 ? -1
                 : 0;
    pthread_mutex_unlock(&lock);
    return rc ? SYNC_ERR_TOO_LARGE : SYNC_OK;
}

void sync_metrics_reset(void)
{
    pthread_mutex_lock(&lock);
    nreg = 0;
    dropped = 0;
    pthread_mutex_unlock(&lock);
}
