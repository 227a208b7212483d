/*
 * trace.c: the bounded decision trace (see trace.h). Pure; called by the
 * planner and the matcher.
 */
#include "engine/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sync_trace_init(struct sync_trace *t, size_t max_lines)
{
    memset(t, 0, sizeof(*t));
    t->max_lines = max_lines ? max_lines : SYNC_TRACE_DEFAULT_LINES;
}

void sync_trace_release(struct sync_trace *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->lines[i]);
    free(t->lines);
    sync_trace_init(t, t->max_lines);
}

void sync_trace_vadd(struct sync_trace *t, const char *fmt, va_list ap)
{
    char line[SYNC_TRACE_LINE_MAX];
    char *copy;
    int n;

    if (t->n >= t->max_lines) {
        t->dropped++;
        return;
    }
    n = vsnprintf(line, sizeof(line), fmt, ap);
    if (n < 0) {
        snprintf(line, sizeof(line), "(unprintable trace line)");
    } else if ((size_t)n >= sizeof(line)) {
        size_t end = sizeof(line) - 4;
        /* do not cut a UTF-8 sequence in half */
        while (end > 0 && ((unsigned char)line[end] & 0xC0) == 0x80)
            end--;
        memcpy(line + end, "...", 4);
    }
    if (!t->lines) {
        t->lines = calloc(t->max_lines, sizeof(*t->lines));
        if (!t->lines) {
            t->nomem = 1;
            return;
        }
    }
    if (!(copy = strdup(line))) {
        t->nomem = 1;
        return;
    }
    t->lines[t->n++] = copy;
}

void sync_trace_add(struct sync_trace *t, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sync_trace_vadd(t, fmt, ap);
    va_end(ap);
}

enum sync_rc sync_trace_format(const struct sync_trace *t, struct sync_buf *out)
{
    enum sync_rc rc = SYNC_OK;

    for (size_t i = 0; !rc && i < t->n; i++)
        rc = sync_buf_addf(out, "%s\n", t->lines[i]);
    if (!rc && t->dropped)
        rc = sync_buf_addf(out, "(%zu more lines not kept)\n", t->dropped);
    return rc;
}

int sync_trace_contains(const struct sync_trace *t, const char *needle)
{
    for (size_t i = 0; i < t->n; i++)
        if (strstr(t->lines[i], needle))
            return 1;
    return 0;
}
