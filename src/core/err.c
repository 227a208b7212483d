/*
 * err.c: the error struct (see err.h). Pure; callable from anywhere.
 */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

void sync_err_clear(struct sync_err *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
}

enum sync_rc sync_err_set(struct sync_err *err, enum sync_rc rc, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return rc;
    err->rc = rc;
    err->cls = rc == SYNC_ERR_HTTP ? SYNC_ERRCLASS_RETRYABLE : SYNC_ERRCLASS_PERMANENT;
    err->http_status = 0;
    err->code[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return rc;
}

static enum sync_err_class class_of_status(int status)
{
    if (status == 429)
        return SYNC_ERRCLASS_RATELIMITED;
    if (status >= 500 || status == 0 || status == 408)
        return SYNC_ERRCLASS_RETRYABLE;
    return SYNC_ERRCLASS_PERMANENT;
}

enum sync_rc sync_err_vendor(struct sync_err *err, int http_status, const char *code,
                             const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return SYNC_ERR_VENDOR;
    err->rc = SYNC_ERR_VENDOR;
    err->http_status = http_status;
    err->cls = class_of_status(http_status);
    snprintf(err->code, sizeof(err->code), "%s", code ? code : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return SYNC_ERR_VENDOR;
}

const char *sync_rc_name(enum sync_rc rc)
{
    static const char *const names[] = {
        "SYNC_OK",         "SYNC_AGAIN",         "SYNC_DECLINED",
        "SYNC_ERR_NOMEM",  "SYNC_ERR_TOO_LARGE", "SYNC_ERR_INVALID",
        "SYNC_ERR_PARSE",  "SYNC_ERR_IO",        "SYNC_ERR_HTTP",
        "SYNC_ERR_VENDOR", "SYNC_ERR_NOT_FOUND", "SYNC_ERR_INTERNAL",
    };
    if ((unsigned)rc < sizeof(names) / sizeof(names[0]))
        return names[rc];
    return "SYNC_ERR_UNKNOWN";
}
