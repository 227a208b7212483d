/*
 * log.h: one-line log records on stderr.
 *
 * A record is "<UTC time> <level> <component>: <message>". The level and
 * the output stream are process-wide settings made once at start-up; the
 * writer takes a lock so lines from several threads never interleave.
 */
#ifndef SYNC_CORE_LOG_H
#define SYNC_CORE_LOG_H

#include <stdio.h>

enum sync_log_level { SYNC_LOG_DEBUG = 0, SYNC_LOG_INFO, SYNC_LOG_WARN, SYNC_LOG_ERROR };

void sync_log_set_level(enum sync_log_level level);
void sync_log_set_stream(FILE *f);

void sync_log(enum sync_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define sync_debug(c, ...) sync_log(SYNC_LOG_DEBUG, c, __VA_ARGS__)
#define sync_info(c, ...) sync_log(SYNC_LOG_INFO, c, __VA_ARGS__)
#define sync_warn(c, ...) sync_log(SYNC_LOG_WARN, c, __VA_ARGS__)
#define sync_error(c, ...) sync_log(SYNC_LOG_ERROR, c, __VA_ARGS__)

#endif
