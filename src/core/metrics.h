/*
 * metrics.h: the process's counters and histograms, rendered in the
 * Prometheus text format for the admin API's /metrics.
 *
 * A series is a metric name plus a label set written as Prometheus
 * spells it ("vendor=\"hubspot\",result=\"ok\""). Counters only grow;
 * histograms count observations into fixed buckets (seconds, from 5 ms to
 * 5 min). The registry is bounded (SYNC_METRICS_MAX series; further
 * series are dropped and counted) and locked: the engine records from its
 * thread while the admin API renders from its own.
 *
 * Called by the engine (pass and apply figures), the HTTP client's users
 * and the admin API.
 */
#ifndef SYNC_CORE_METRICS_H
#define SYNC_CORE_METRICS_H

#include "core/buf.h"
#include "core/err.h"

#define SYNC_METRICS_MAX 256

/* Adds v to a counter (created at 0 on first use); help is kept from the first call. */
void sync_metrics_count(const char *name, const char *labels, double v, const char *help);
/* Counts one observation (seconds) into a histogram. */
void sync_metrics_observe(const char *name, const char *labels, double seconds, const char *help);
/* Appends every series, grouped by metric with its HELP and TYPE lines. */
enum sync_rc sync_metrics_render(struct sync_buf *out);
/* Forgets every series (tests). */
void sync_metrics_reset(void);

#endif
