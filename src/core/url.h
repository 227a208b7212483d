/*
 * url.h: percent-encoding and application/x-www-form-urlencoded bodies.
 *
 * Used by the emulators (OAuth token forms, query strings) and the engine
 * (building SOQL query URLs). Pure; every output goes to a bounded buffer.
 */
#ifndef SYNC_CORE_URL_H
#define SYNC_CORE_URL_H

#include <stddef.h>

#include "core/buf.h"

/* Appends s percent-encoded (RFC 3986 unreserved characters kept). */
enum sync_rc sync_url_encode(struct sync_buf *out, const char *s, size_t n);
/* Appends "&name=<value percent-encoded>" to a URL that has a query already; nothing when value
 * is NULL or empty (a paging token on the first page). */
enum sync_rc sync_url_param(struct sync_buf *out, const char *name, const char *value);
/* Appends the decoding of s; '+' becomes a space when form is set. Bad escapes fail. */
enum sync_rc sync_url_decode(struct sync_buf *out, const char *s, size_t n, int form);

/* Finds key in a form body ("a=1&b=2") and appends its decoded value to out.
 * Returns SYNC_DECLINED when the key is absent. */
enum sync_rc sync_form_get(const char *body, size_t n, const char *key, struct sync_buf *out);

#endif
