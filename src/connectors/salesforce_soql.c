/*
 * salesforce_soql.c: SOQL text and Salesforce answer parsing for the
 * Salesforce connector (see salesforce.h). Pure; called by salesforce.c
 * and the unit tests.
 *
 * Every value that reaches SOQL goes through sync_sf_soql_quote (the
 * backslash escaped before the quote, unlike jsforce's builder) and every
 * name through sync_sf_soql_ident, so no caller input can change the
 * shape of a query.
 */
#include "connectors/salesforce.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/time.h"

enum sync_rc sync_sf_soql_quote(struct sync_buf *b, const char *s)
{
    enum sync_rc rc = sync_buf_addch(b, '\'');
    for (; rc == SYNC_OK && s && *s; s++) {
        switch (*s) {
        case '\\':
            rc = sync_buf_addstr(b, "\\\\");
            break;
        case '\'':
            rc = sync_buf_addstr(b, "\\'");
            break;
        case '"':
            rc = sync_buf_addstr(b, "\\\"");
            break;
        case '\n':
            rc = sync_buf_addstr(b, "\\n");
            break;
        case '\r':
            rc = sync_buf_addstr(b, "\\r");
            break;
        case '\t':
            rc = sync_buf_addstr(b, "\\t");
            break;
        case '\b':
            rc = sync_buf_addstr(b, "\\b");
            break;
        case '\f':
            rc = sync_buf_addstr(b, "\\f");
            break;
        default:
            if ((unsigned char)*s < 0x20)
                rc = sync_buf_addf(b, "\\u%04x", (unsigned)(unsigned char)*s);
            else
                rc = sync_buf_addch(b, *s);
        }
    }
    return rc ? rc : sync_buf_addch(b, '\'');
}

enum sync_rc sync_sf_soql_datetime(struct sync_buf *b, int64_t ms)
{
    char iso[SYNC_TIME_ISO_MAX];
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    sync_time_format_iso(secs * 1000, iso, sizeof(iso));
    /* 2024-09-11T13:27:39.000Z -> 2024-09-11T13:27:39Z */
    return sync_buf_addf(b, "%.19sZ", iso);
}

int sync_sf_soql_ident(const char *s)
{
    if (!s || !isalpha((unsigned char)*s))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
            return 0;
    return 1;
}

static int listed(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* SELECT a, b, ... FROM obj with the must-have fields first and no repeats. */
static enum sync_rc select_from(struct sync_buf *out, const char *object, const char *const *must,
                                size_t nmust, const char *const *fields)
{
    enum sync_rc rc = sync_buf_addstr(out, "SELECT ");
    size_t nf = 0;

    if (!sync_sf_soql_ident(object))
        return SYNC_ERR_INVALID;
    for (size_t i = 0; i < nmust && rc == SYNC_OK; i++) {
        if (listed(must, i, must[i]))
            continue;
        rc = sync_buf_addf(out, "%s%s", i ? ", " : "", must[i]);
    }
    for (; fields && fields[nf]; nf++) {
        if (!sync_sf_soql_ident(fields[nf]))
            return SYNC_ERR_INVALID;
        if (listed(must, nmust, fields[nf]) || listed(fields, nf, fields[nf]))
            continue;
        if (rc == SYNC_OK)
            rc = sync_buf_addf(out, ", %s", fields[nf]);
    }
    return rc ? rc : sync_buf_addf(out, " FROM %s", object);
}

enum sync_rc sync_sf_soql_window(struct sync_buf *out, const char *object,
                                 const char *const *fields, const struct sync_conn_cursor *after,
                                 int64_t upper_ms, int include_deleted, size_t limit)
{
    const char *must[] = {"Id", "SystemModstamp", "IsDeleted"};
    enum sync_rc rc = select_from(out, object, must, include_deleted ? 3 : 2, fields);

    if (rc)
        return rc;
    rc = sync_buf_addstr(out, " WHERE ");
    if (after->id[0]) {
        rc = rc ? rc : sync_buf_addstr(out, "(SystemModstamp > ");
        rc = rc ? rc : sync_sf_soql_datetime(out, after->ts_ms);
        rc = rc ? rc : sync_buf_addstr(out, " OR (SystemModstamp = ");
        rc = rc ? rc : sync_sf_soql_datetime(out, after->ts_ms);
        rc = rc ? rc : sync_buf_addstr(out, " AND Id > ");
        rc = rc ? rc : sync_sf_soql_quote(out, after->id);
        rc = rc ? rc : sync_buf_addstr(out, "))");
    } else {
        rc = rc ? rc : sync_buf_addstr(out, "SystemModstamp >= ");
        rc = rc ? rc : sync_sf_soql_datetime(out, after->ts_ms);
    }
    rc = rc ? rc : sync_buf_addstr(out, " AND SystemModstamp <= ");
    rc = rc ? rc : sync_sf_soql_datetime(out, upper_ms);
    rc = rc ? rc : sync_buf_addf(out, " ORDER BY SystemModstamp, Id LIMIT %zu", limit);
    return rc;
}

enum sync_rc sync_sf_soql_in(struct sync_buf *out, const char *object, const char *const *must,
                             const char *const *fields, const char *field,
                             const char *const *values, size_t n, const char *extra,
                             const char *order)
{
    const char *all[16] = {"Id"};
    size_t nmust = 1;
    enum sync_rc rc;

    for (; must && *must && nmust < 16; must++)
        all[nmust++] = *must;
    if (!sync_sf_soql_ident(field) || n == 0)
        return SYNC_ERR_INVALID;
    rc = select_from(out, object, all, nmust, fields);
    rc = rc ? rc : sync_buf_addf(out, " WHERE %s IN (", field);
    for (size_t i = 0; i < n && rc == SYNC_OK; i++) {
        if (i)
            rc = sync_buf_addstr(out, ", ");
        rc = rc ? rc : sync_sf_soql_quote(out, values[i]);
    }
    rc = rc ? rc : sync_buf_addch(out, ')');
    if (extra && *extra)
        rc = rc ? rc : sync_buf_addf(out, " AND %s", extra);
    if (order && *order)
        rc = rc ? rc : sync_buf_addf(out, " ORDER BY %s", order);
    return rc;
}

int sync_sf_parse_limit_info(const char *h, long long *used, long long *max)
{
    const char *p = h;
    char *end;

    while (p && (p = strstr(p, "api-usage=")) != NULL) {
        /* skip per-app-api-usage= */
        if (p > h && (isalnum((unsigned char)p[-1]) || p[-1] == '-')) {
            p += 10;
            continue;
        }
        p += 10;
        *used = strtoll(p, &end, 10);
        if (end == p || *end != '/')
            return -1;
        p = end + 1;
        *max = strtoll(p, &end, 10);
        return end == p ? -1 : 0;
    }
    return -1;
}

/* The first error of a REST error array or a collections item's errors. */
static const json_t *first_error(const json_t *body)
{
    if (json_is_array(body))
        return json_array_get(body, 0);
    if (json_is_object(body) && json_is_array(json_object_get(body, "errors")))
        return json_array_get(json_object_get(body, "errors"), 0);
    return body;
}

static void fields_suffix(const json_t *e, char *out, size_t n)
{
    const json_t *f = json_object_get(e, "fields");
    size_t i, len = 0;
    const json_t *v;

    out[0] = '\0';
    if (!json_is_array(f) || json_array_size(f) == 0)
        return;
    len += (size_t)snprintf(out, n, " [fields:");
    json_array_foreach(f, i, v)
    {
        if (json_is_string(v) && len < n)
            len += (size_t)snprintf(out + len, n - len, " %s", json_string_value(v));
    }
    if (len < n)
        snprintf(out + len, n - len, "]");
}

int sync_sf_error(const json_t *body, long status, const char *retry_after, struct sync_err *err,
                  int64_t *retry_after_ms)
{
    const json_t *e = first_error(body);
    const char *code = NULL, *msg = NULL;
    char suffix[256], generic[32];

    *retry_after_ms = -1;
    suffix[0] = '\0';
    if (json_is_object(e)) {
        code = sync_json_str(e, "errorCode");
        if (!code)
            code = sync_json_str(e, "statusCode");
        if (!code)
            code = sync_json_str(e, "error");
        msg = sync_json_str(e, "message");
        if (!msg)
            msg = sync_json_str(e, "error_description");
        fields_suffix(e, suffix, sizeof(suffix));
    }
    if (!code) {
        snprintf(generic, sizeof(generic), "ERROR_HTTP_%ld", status);
        code = status ? generic : "UNKNOWN";
    }
    sync_err_vendor(err, (int)status, code, "%s%s", msg ? msg : "no error message", suffix);
    err->cls = sync_err_classify(SYNC_VENDOR_SALESFORCE, code, (int)status);
    if (strcmp(code, "REQUEST_LIMIT_EXCEEDED") == 0) {
        /* the concurrent long-request limit clears in seconds; the daily one does not */
        if (msg && strncmp(msg, "ConcurrentPerOrgLongTxn", 23) == 0)
            *retry_after_ms = 2000;
        else if (status == 429)
            *retry_after_ms = 1000;
    } else if (status == 429) {
        err->cls = SYNC_ERRCLASS_RATELIMITED;
        *retry_after_ms = 1000;
    }
    if (retry_after && (*retry_after_ms != -1 || err->cls == SYNC_ERRCLASS_RETRYABLE)) {
        int64_t ra = sync_retry_after_ms(retry_after, sync_time_now_ms());
        if (ra >= 0)
            *retry_after_ms = ra;
    }
    return status == 401;
}
