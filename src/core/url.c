/*
 * url.c: percent-encoding and form bodies (see url.h). Pure.
 */
#include "core/url.h"

#include <string.h>

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

enum sync_rc sync_url_encode(struct sync_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        enum sync_rc rc;
        if (unreserved(c)) {
            rc = sync_buf_addch(out, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = sync_buf_add(out, esc, 3);
        }
        if (rc)
            return rc;
    }
    return SYNC_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum sync_rc sync_url_param(struct sync_buf *out, const char *name, const char *value)
{
    enum sync_rc rc;

    if (!value || !*value)
        return SYNC_OK;
    rc = sync_buf_addf(out, "&%s=", name);
    return rc ? rc : sync_url_encode(out, value, strlen(value));
}

enum sync_rc sync_url_decode(struct sync_buf *out, const char *s, size_t n, int form)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        enum sync_rc rc;
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= n)
                return SYNC_ERR_PARSE;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return SYNC_ERR_PARSE;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && form) {
            c = ' ';
        }
        rc = sync_buf_addch(out, c);
        if (rc)
            return rc;
    }
    return SYNC_OK;
}

enum sync_rc sync_form_get(const char *body, size_t n, const char *key, struct sync_buf *out)
{
    size_t klen = strlen(key);
    size_t i = 0;

    while (i < n) {
        size_t end = i;
        while (end < n && body[end] != '&')
            end++;
        const char *eq = memchr(body + i, '=', end - i);
        size_t name_len = eq ? (size_t)(eq - (body + i)) : end - i;
        if (name_len == klen && memcmp(body + i, key, klen) == 0) {
            if (!eq)
                return SYNC_OK;
            return sync_url_decode(out, eq + 1, (size_t)(body + end - (eq + 1)), 1);
        }
        i = end + 1;
    }
    return SYNC_DECLINED;
}
