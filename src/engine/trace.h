/*
 * trace.h: a bounded list of human-readable lines, the planner's account
 * of why it decided what it did.
 *
 * The planner appends one line per decision ("contact 123: email
 * ada@x.co matched Salesforce Lead 00Q... (first of 2 matches, oldest
 * first)"); `crmsync explain` and the store's decisions table show them.
 * A trace holds at most max_lines lines of at most SYNC_TRACE_LINE_MAX
 * bytes each: a longer line is cut with "...", and lines past the cap are
 * counted, not kept, so a record with a thousand mapped fields cannot
 * make its trace grow without bound.
 *
 * Pure and single-threaded: a trace belongs to its plan. Called by
 * planner.c and match.c; read by whoever shows a plan.
 */
#ifndef SYNC_ENGINE_TRACE_H
#define SYNC_ENGINE_TRACE_H

#include <stdarg.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define SYNC_TRACE_LINE_MAX 512
#define SYNC_TRACE_DEFAULT_LINES 200

struct sync_trace {
    char **lines;     /* n lines, each NUL-terminated */
    size_t n;         /* lines kept */
    size_t max_lines; /* most lines kept */
    size_t dropped;   /* lines past the cap */
    int nomem;        /* an allocation failed: some lines were lost */
};

/* Sets up an empty trace keeping at most max_lines lines (0: SYNC_TRACE_DEFAULT_LINES). */
void sync_trace_init(struct sync_trace *t, size_t max_lines);
void sync_trace_release(struct sync_trace *t);

/* Appends one line (a trailing newline is not needed). Never fails: past the cap the line is
 * counted in dropped, and an allocation failure sets nomem. */
void sync_trace_add(struct sync_trace *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sync_trace_vadd(struct sync_trace *t, const char *fmt, va_list ap);

/* Appends every line to out, each ending in '\n', then "(N more lines not kept)" when lines
 * were dropped. */
enum sync_rc sync_trace_format(const struct sync_trace *t, struct sync_buf *out);

/* 1 when some kept line contains needle (tests and `explain --grep`). */
int sync_trace_contains(const struct sync_trace *t, const char *needle);

#endif
