/*
 * log.c: the log writer (see log.h). Process-wide state: the level, the
 * stream and a mutex that keeps lines whole.
 */
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>

#include "core/time.h"

/* atomic: the engine changes it between passes while the admin API's threads log */
static atomic_int log_level = SYNC_LOG_INFO;
static FILE *log_stream;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void sync_log_set_level(enum sync_log_level level)
{
    atomic_store(&log_level, (int)level);
}

void sync_log_set_stream(FILE *f)
{
    log_stream = f;
}

void sync_log(enum sync_log_level level, const char *component, const char *fmt, ...)
{
    static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    char when[SYNC_TIME_ISO_MAX];
    FILE *out;
    va_list ap;

    if ((int)level < atomic_load(&log_level))
        return;
    sync_time_format_iso(sync_time_now_ms(), when, sizeof(when));
    pthread_mutex_lock(&log_lock);
    out = log_stream ? log_stream : stderr;
    fprintf(out, "%s %-5s %s: ", when, names[level], component);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
    pthread_mutex_unlock(&log_lock);
}
