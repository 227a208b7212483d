/*
 * buf.h: bounded, growable byte buffers.
 *
 * Every buffer is created with a cap; an append past the cap fails with
 * SYNC_ERR_TOO_LARGE and leaves the buffer as it was, so no peer can make
 * one grow without bound. The data is always NUL-terminated, so a buffer
 * holding text can be passed where a C string is expected.
 *
 * Lifecycle (git's meanings): sync_buf_init sets up without allocating,
 * sync_buf_release frees the contents, sync_buf_reset empties but keeps
 * the allocation, sync_buf_detach hands the data to the caller.
 *
 * Used by everything: HTTP bodies, JSON output, SOQL text, log lines.
 */
#ifndef SYNC_CORE_BUF_H
#define SYNC_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

#define SYNC_BUF_DEFAULT_CAP ((size_t)64 * 1024 * 1024)

struct sync_buf {
    char *data;   /* NUL-terminated; NULL until the first append */
    size_t len;   /* bytes used, not counting the NUL */
    size_t alloc; /* bytes allocated */
    size_t cap;   /* most bytes it may ever hold */
};

/* A cap of 0 means SYNC_BUF_DEFAULT_CAP, as in sync_buf_init. */
#define SYNC_BUF_INIT(c)                                                                           \
    {                                                                                              \
        NULL, 0, 0, (c) ? (c) : SYNC_BUF_DEFAULT_CAP                                               \
    }

void sync_buf_init(struct sync_buf *b, size_t cap);
void sync_buf_release(struct sync_buf *b);
void sync_buf_reset(struct sync_buf *b);
char *sync_buf_detach(struct sync_buf *b, size_t *len);

enum sync_rc sync_buf_add(struct sync_buf *b, const void *p, size_t n);
enum sync_rc sync_buf_addstr(struct sync_buf *b, const char *s);
enum sync_rc sync_buf_addch(struct sync_buf *b, char c);
enum sync_rc sync_buf_addf(struct sync_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum sync_rc sync_buf_vaddf(struct sync_buf *b, const char *fmt, va_list ap);

/* The contents as a C string; "" for an empty buffer, never NULL. */
const char *sync_buf_str(const struct sync_buf *b);

#endif
