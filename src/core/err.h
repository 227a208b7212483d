/*
 * err.h: the one result type and the error struct.
 *
 * Functions return enum sync_rc (SYNC_OK is 0, so `if (rc)` reads as "if
 * it failed"). Functions that can fail in interesting ways also take a
 * struct sync_err *, which receives a full message plus, for errors that
 * came from a vendor (or that an emulator is about to send), the HTTP
 * status and the vendor's own error code. On success it is left untouched,
 * so calls can be chained and checked once (git's api-error-handling).
 *
 * sync_err_class says what a caller may do about it: retry, wait for a
 * rate window, or give up on this record.
 */
#ifndef SYNC_CORE_ERR_H
#define SYNC_CORE_ERR_H

#include <stdarg.h>

enum sync_rc {
    SYNC_OK = 0,
    SYNC_AGAIN,         /* not done yet; call again */
    SYNC_DECLINED,      /* not mine; not an error */
    SYNC_ERR_NOMEM,     /* allocation failed */
    SYNC_ERR_TOO_LARGE, /* a bounded buffer or limit was exceeded */
    SYNC_ERR_INVALID,   /* bad input from a caller or a peer */
    SYNC_ERR_PARSE,     /* malformed text: JSON, SOQL, YAML, dates */
    SYNC_ERR_IO,        /* files, sockets, the store */
    SYNC_ERR_HTTP,      /* transport failed: no usable HTTP answer */
    SYNC_ERR_VENDOR,    /* the vendor answered with an error */
    SYNC_ERR_NOT_FOUND,
    SYNC_ERR_INTERNAL
};

enum sync_err_class {
    SYNC_ERRCLASS_NONE = 0,
    SYNC_ERRCLASS_RETRYABLE,   /* 5xx, lock errors, dropped connections */
    SYNC_ERRCLASS_RATELIMITED, /* 429, REQUEST_LIMIT_EXCEEDED: wait for the window */
    SYNC_ERRCLASS_PERMANENT    /* the record itself is wrong: report, do not retry */
};

#define SYNC_ERR_CODE_MAX 64
#define SYNC_ERR_MSG_MAX 1024

struct sync_err {
    enum sync_rc rc;
    enum sync_err_class cls;
    int http_status;              /* 0 when no HTTP answer is involved */
    char code[SYNC_ERR_CODE_MAX]; /* vendor code: INVALID_SESSION_ID, CONFLICT, ... */
    char message[SYNC_ERR_MSG_MAX];
};

#define SYNC_ERR_INIT                                                                              \
    {                                                                                              \
        SYNC_OK, SYNC_ERRCLASS_NONE, 0, {0},                                                       \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

void sync_err_clear(struct sync_err *err);

/* Sets rc and a printf-style message; returns rc so callers can `return sync_err_set(...)`.
 * err may be NULL. */
enum sync_rc sync_err_set(struct sync_err *err, enum sync_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets a vendor error: HTTP status, vendor code and message; the class is derived from the
 * status unless the caller overrides it afterwards. Returns SYNC_ERR_VENDOR. */
enum sync_rc sync_err_vendor(struct sync_err *err, int http_status, const char *code,
                             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A short constant name for an rc ("SYNC_ERR_PARSE"). */
const char *sync_rc_name(enum sync_rc rc);

#endif
