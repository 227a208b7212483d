/*
 * errors.c: HubSpot's error body, built the one way every handler uses:
 *   {"status":"error","message":...,"correlationId":...,"category":...,
 *    "subCategory"?,"errors"?,"context"?}
 * the UUID-shaped correlation ids, and the small JSON and text helpers the
 * handlers share. Called by every handler file.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/crypto.h"
#include "emulators/hubspot/portal.h"

void hs_correlation_id(char out[37])
{
    unsigned char b[16];
    if (sync_random_bytes(b, sizeof(b)) != SYNC_OK)
        for (size_t i = 0; i < sizeof(b); i++)
            b[i] = (unsigned char)(i * 37u + 11u);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

/* Length of the UTF-8 sequence at s, or 0 when it is not a valid one. */
static size_t utf8_seq(const unsigned char *s)
{
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xe0) == 0xc0 ? 2
               : (s[0] & 0xf0) == 0xe0 ? 3
               : (s[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    if (n == 2 && s[0] < 0xc2)
        return 0; /* overlong */
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

void hs_utf8_clean(char *s)
{
    while (*s) {
        size_t n = utf8_seq((const unsigned char *)s);
        if (!n) {
            *s++ = '?';
            continue;
        }
        s += n;
    }
}

json_t *hs_error_body(const char *category, const char *sub_category, json_t *errors,
                      json_t *context, const char *fmt, ...)
{
    char msg[2048];
    char cid[37];
    va_list ap;
    json_t *o = json_object();

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    hs_utf8_clean(msg); /* messages quote what clients sent; JSON strings must be UTF-8 */
    hs_correlation_id(cid);
    json_object_set_new(o, "status", json_string("error"));
    json_object_set_new(o, "message", json_string(msg));
    json_object_set_new(o, "correlationId", json_string(cid));
    json_object_set_new(o, "category", json_string(category));
    if (sub_category)
        json_object_set_new(o, "subCategory", json_string(sub_category));
    if (errors)
        json_object_set_new(o, "errors", errors);
    if (context)
        json_object_set_new(o, "context", context);
    return o;
}

const char *hs_json_idstr(const json_t *o, const char *key, char buf[32])
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return NULL;
}

const char *hs_json_text(const json_t *v, char *buf, size_t n)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, n, "%.17g", json_real_value(v));
        return buf;
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    return NULL;
}
