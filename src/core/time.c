/*
 * time.c: epoch milliseconds and their text forms (see time.h). Pure but
 * for the clock reads and the process-wide offset.
 */
#include "core/time.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t clock_offset_ms;
static _Atomic int64_t clock_frozen_at; /* 0: running; else the real-clock instant it stopped at */

static int64_t real_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sync_time_now_ms(void)
{
    int64_t frozen = atomic_load(&clock_frozen_at);
    return (frozen ? frozen : real_now_ms()) + atomic_load(&clock_offset_ms);
}

void sync_time_freeze(int on)
{
    atomic_store(&clock_frozen_at, on ? real_now_ms() : 0);
}

int sync_time_frozen(void)
{
    return atomic_load(&clock_frozen_at) != 0;
}

int64_t sync_time_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sync_time_set_offset_ms(int64_t offset)
{
    atomic_store(&clock_offset_ms, offset);
}

int64_t sync_time_offset_ms(void)
{
    return atomic_load(&clock_offset_ms);
}

/* Howard Hinnant's civil-date algorithms; exact for the proleptic Gregorian calendar. */
int64_t sync_time_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void sync_time_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

struct civil {
    int y;
    unsigned mo, d, h, mi, s, ms;
};

static void split(int64_t ms, struct civil *c)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    sync_time_civil_from_days(days, &c->y, &c->mo, &c->d);
    c->h = (unsigned)(rem / 3600000);
    c->mi = (unsigned)(rem / 60000 % 60);
    c->s = (unsigned)(rem / 1000 % 60);
    c->ms = (unsigned)(rem % 1000);
}

/* Writes v as exactly width decimal digits at p; returns the end. */
static char *put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

char *sync_time_format_iso(int64_t ms, char *out, size_t n)
{
    struct civil c;
    char *p = out;
    split(ms, &c);
    if (c.y < 0 || c.y > 9999 || n < 25) {
        /* rare forms (and short buffers) take the slow, general path */
        snprintf(out, n, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.y, c.mo, c.d, c.h, c.mi, c.s,
                 c.ms);
        return out;
    }
    /* the hot path of every record the emulators write out: no printf */
    p = put_digits(p, (unsigned)c.y, 4);
    *p++ = '-';
    p = put_digits(p, c.mo, 2);
    *p++ = '-';
    p = put_digits(p, c.d, 2);
    *p++ = 'T';
    p = put_digits(p, c.h, 2);
    *p++ = ':';
    p = put_digits(p, c.mi, 2);
    *p++ = ':';
    p = put_digits(p, c.s, 2);
    *p++ = '.';
    p = put_digits(p, c.ms, 3);
    *p++ = 'Z';
    *p = '\0';
    return out;
}

char *sync_time_format_sf(int64_t ms, char *out, size_t n)
{
    struct civil c;
    split(ms, &c);
    snprintf(out, n, "%04d-%02u-%02uT%02u:%02u:%02u.%03u+0000", c.y, c.mo, c.d, c.h, c.mi, c.s,
             c.ms);
    return out;
}

char *sync_time_format_date(int64_t ms, char *out, size_t n)
{
    struct civil c;
    split(ms, &c);
    snprintf(out, n, "%04d-%02u-%02u", c.y, c.mo, c.d);
    return out;
}

/* Reads exactly n digits at *p; advances *p. */
static int digits(const char **p, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        char ch = (*p)[i];
        if (ch < '0' || ch > '9')
            return -1;
        v = v * 10 + (unsigned)(ch - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static unsigned days_in_month(int y, unsigned m)
{
    static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static enum sync_rc parse_date_part(const char **p, int64_t *days)
{
    unsigned y, m, d;
    if (digits(p, 4, &y) || **p != '-')
        return SYNC_ERR_PARSE;
    (*p)++;
    if (digits(p, 2, &m) || **p != '-')
        return SYNC_ERR_PARSE;
    (*p)++;
    if (digits(p, 2, &d))
        return SYNC_ERR_PARSE;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month((int)y, m))
        return SYNC_ERR_PARSE;
    *days = sync_time_days_from_civil((int)y, m, d);
    return SYNC_OK;
}

enum sync_rc sync_time_parse_date(const char *s, int64_t *ms)
{
    int64_t days;
    if (!s || parse_date_part(&s, &days) || *s)
        return SYNC_ERR_PARSE;
    *ms = days * 86400000;
    return SYNC_OK;
}

static enum sync_rc parse_offset(const char **p, int64_t *off_ms)
{
    unsigned hh, mm = 0;
    int sign;

    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        *off_ms = 0;
        return SYNC_OK;
    }
    if (**p != '+' && **p != '-')
        return SYNC_ERR_PARSE;
    sign = **p == '-' ? -1 : 1;
    (*p)++;
    if (digits(p, 2, &hh))
        return SYNC_ERR_PARSE;
    if (**p == ':')
        (*p)++;
    if (**p && digits(p, 2, &mm))
        return SYNC_ERR_PARSE;
    if (hh > 23 || mm > 59)
        return SYNC_ERR_PARSE;
    *off_ms = sign * ((int64_t)hh * 3600000 + (int64_t)mm * 60000);
    return SYNC_OK;
}

enum sync_rc sync_time_parse(const char *s, int64_t *ms)
{
    const char *p = s;
    int64_t days, off = 0;
    unsigned h, mi, sec = 0, frac = 0;

    if (!s || parse_date_part(&p, &days))
        return SYNC_ERR_PARSE;
    if (*p == '\0') {
        *ms = days * 86400000;
        return SYNC_OK;
    }
    if (*p != 'T' && *p != 't' && *p != ' ')
        return SYNC_ERR_PARSE;
    p++;
    if (digits(&p, 2, &h) || *p != ':')
        return SYNC_ERR_PARSE;
    p++;
    if (digits(&p, 2, &mi))
        return SYNC_ERR_PARSE;
    if (*p == ':') {
        p++;
        if (digits(&p, 2, &sec))
            return SYNC_ERR_PARSE;
    }
    if (*p == '.') {
        int n = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            if (n < 3)
                frac = frac * 10 + (unsigned)(*p - '0');
            n++;
            p++;
        }
        if (n == 0)
            return SYNC_ERR_PARSE;
        for (; n < 3; n++)
            frac *= 10;
    }
    if (h > 23 || mi > 59 || sec > 60)
        return SYNC_ERR_PARSE;
    if (*p && parse_offset(&p, &off))
        return SYNC_ERR_PARSE;
    if (*p)
        return SYNC_ERR_PARSE;
    *ms = days * 86400000 + (int64_t)h * 3600000 + (int64_t)mi * 60000 + (int64_t)sec * 1000 +
          frac - off;
    return SYNC_OK;
}
