/*
 * buf.c: bounded, growable byte buffers (see buf.h). Owns nothing but
 * the memory of each buffer; callable from any thread on its own buffer.
 */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sync_buf_init(struct sync_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap ? cap : SYNC_BUF_DEFAULT_CAP;
}

void sync_buf_release(struct sync_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void sync_buf_reset(struct sync_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *sync_buf_detach(struct sync_buf *b, size_t *len)
{
    char *p = b->data;
    if (!p) {
        p = calloc(1, 1);
    }
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    return p;
}

static enum sync_rc buf_grow(struct sync_buf *b, size_t extra)
{
    size_t need, want;
    char *p;

    if (extra > b->cap || b->len > b->cap - extra)
        return SYNC_ERR_TOO_LARGE;
    need = b->len + extra + 1;
    if (need <= b->alloc)
        return SYNC_OK;
    want = b->alloc ? b->alloc : 64;
    while (want < need)
        want *= 2;
    if (want > b->cap + 1)
        want = b->cap + 1;
    p = realloc(b->data, want);
    if (!p)
        return SYNC_ERR_NOMEM;
    b->data = p;
    b->alloc = want;
    return SYNC_OK;
}

enum sync_rc sync_buf_add(struct sync_buf *b, const void *p, size_t n)
{
    enum sync_rc rc = buf_grow(b, n);
    if (rc != SYNC_OK)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return SYNC_OK;
}

enum sync_rc sync_buf_addstr(struct sync_buf *b, const char *s)
{
    return sync_buf_add(b, s, strlen(s));
}

enum sync_rc sync_buf_addch(struct sync_buf *b, char c)
{
    return sync_buf_add(b, &c, 1);
}

enum sync_rc sync_buf_vaddf(struct sync_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    enum sync_rc rc;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return SYNC_ERR_INVALID;
    rc = buf_grow(b, (size_t)n);
    if (rc != SYNC_OK)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return SYNC_OK;
}

enum sync_rc sync_buf_addf(struct sync_buf *b, const char *fmt, ...)
{
    va_list ap;
    enum sync_rc rc;

    va_start(ap, fmt);
    rc = sync_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *sync_buf_str(const struct sync_buf *b)
{
    return b->data ? b->data : "";
}
