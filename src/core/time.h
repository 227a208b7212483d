/*
 * time.h: wall-clock time as epoch milliseconds, and the text forms the
 * vendors use.
 *
 *   ISO-8601 (HubSpot, logs):     2024-01-17T19:55:04.000Z
 *   Salesforce datetime:          2024-01-17T19:55:04.000+0000
 *   Date only:                    2024-01-17
 *
 * sync_time_parse accepts all of these and the variants vendors send:
 * with or without milliseconds (any fraction length), 'Z', "+HH:MM",
 * "+HHMM" or "+HH" offsets, and a bare date (midnight UTC). Everything is
 * UTC inside the program; no function here reads the local time zone.
 *
 * A process-wide offset (sync_time_set_offset_ms) shifts "now", and a
 * freeze (sync_time_freeze) stops it at one instant; the emulators use
 * them for their clock control call (a frozen clock gives every write the
 * same timestamp, as a burst of writes inside one millisecond would).
 */
#ifndef SYNC_CORE_TIME_H
#define SYNC_CORE_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SYNC_TIME_ISO_MAX 40

int64_t sync_time_now_ms(void);
/* A clock that never goes backwards, for timeouts and rates. */
int64_t sync_time_monotonic_ms(void);
void sync_time_set_offset_ms(int64_t offset);
int64_t sync_time_offset_ms(void);
/* Stops "now" at its current value (on) or lets it run again (off); offsets still apply. */
void sync_time_freeze(int on);
int sync_time_frozen(void);

/* Each writes at most n bytes (n >= SYNC_TIME_ISO_MAX is always enough) and returns out. */
char *sync_time_format_iso(int64_t ms, char *out, size_t n);
char *sync_time_format_sf(int64_t ms, char *out, size_t n);
char *sync_time_format_date(int64_t ms, char *out, size_t n);

/* Parses any accepted form into epoch ms. */
enum sync_rc sync_time_parse(const char *s, int64_t *ms);
/* Parses a date-only "YYYY-MM-DD" strictly (no time part allowed). */
enum sync_rc sync_time_parse_date(const char *s, int64_t *ms);

/* Days since 1970-01-01 for a civil date, and back; valid for years 0..9999. */
int64_t sync_time_days_from_civil(int y, unsigned m, unsigned d);
void sync_time_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);

#endif
