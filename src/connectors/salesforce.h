/*
 * salesforce.h: the pure pieces of the Salesforce connector, shared by
 * salesforce.c and salesforce_soql.c and unit-tested on their own: SOQL
 * text (quoting, datetime literals, the incremental window, IN lists) and
 * the Sforce-Limit-Info and error-body parsers. Nothing here does I/O.
 */
#ifndef SYNC_CONNECTORS_SALESFORCE_H
#define SYNC_CONNECTORS_SALESFORCE_H

#include <jansson.h>
#include <stdint.h>

#include "connectors/connector.h"
#include "core/buf.h"

/* Appends s as a SOQL string literal: quoted, with \ ' " and control characters escaped. */
enum sync_rc sync_sf_soql_quote(struct sync_buf *b, const char *s);
/* Appends a datetime literal in whole seconds, e.g. 2024-09-11T13:27:39Z (floored). */
enum sync_rc sync_sf_soql_datetime(struct sync_buf *b, int64_t ms);
/* 1 when s is a plain field path (letters, digits, '_' and '.', starting with a letter). */
int sync_sf_soql_ident(const char *s);

/* The incremental window query:
 *   SELECT <Id, SystemModstamp, fields...> FROM obj
 *   WHERE (SystemModstamp > t OR (SystemModstamp = t AND Id > 'id')) AND SystemModstamp <= upper
 *   ORDER BY SystemModstamp, Id LIMIT n
 * With an empty after->id the start is inclusive: SystemModstamp >= t. include_deleted adds
 * IsDeleted (the caller runs it through queryAll). */
enum sync_rc sync_sf_soql_window(struct sync_buf *out, const char *object,
                                 const char *const *fields, const struct sync_conn_cursor *after,
                                 int64_t upper_ms, int include_deleted, size_t limit);

/* SELECT <Id, must..., fields...> FROM obj WHERE field IN ('v1',...) [AND extra] [ORDER BY
 * order]. must may be NULL. */
enum sync_rc sync_sf_soql_in(struct sync_buf *out, const char *object, const char *const *must,
                             const char *const *fields, const char *field,
                             const char *const *values, size_t n, const char *extra,
                             const char *order);

/* Parses "api-usage=18/5000[; per-app-api-usage=...]". Returns 0 and fills used/max, or -1. */
int sync_sf_parse_limit_info(const char *h, long long *used, long long *max);

/* Fills err from a Salesforce error answer: the REST array [{"errorCode","message","fields"}],
 * a collections item's errors [{"statusCode",...}], or the OAuth {"error","error_description"}
 * (body may be NULL or not JSON). Sets the class; *retry_after_ms is the advised wait for
 * a retryable or rate-limited answer (-1: none; the daily limit is never retried). Returns 1
 * when the session expired (401). */
int sync_sf_error(const json_t *body, long status, const char *retry_after, struct sync_err *err,
                  int64_t *retry_after_ms);

/* Runs a SOQL query (every page) into out->records (salesforce.c); *total (may be NULL) is
 * the totalSize Salesforce reports (a COUNT() query's count). */
enum sync_rc sync_sf_query(struct sync_conn *c, const char *soql, struct sync_conn_batch *out,
                           int64_t *total, struct sync_err *err);

/* The opportunity record types and stages as neutral rows (salesforce_stages.c), the
 * list_stages member of sync_salesforce_ops (see sync_conn_list_stages). */
enum sync_rc sync_sf_list_stages(struct sync_conn *c, int tickets, struct sync_conn_batch *out,
                                 struct sync_err *err);

#endif
