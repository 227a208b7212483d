/*
 * soql.h: the emulator's SOQL: a parser, a checker against the org's
 * schema, and an executor over the emulator's stored records.
 *
 * This module is pure. It sees the schema and the records only through
 * two callback tables the caller supplies (struct soql_catalog and
 * struct soql_rows), so it can be unit-tested with a small fake org and
 * the emulator's store stays the only owner of records.
 *
 * Records are jansson objects keyed by canonical API field names, with
 * values in their REST JSON form (strings, numbers, booleans, null;
 * datetimes as "2024-01-17T19:55:04.000+0000", dates as "2024-01-17").
 * A record's type is its object's canonical name.
 *
 * Supported (salesforce-api.md §4.3-4.6):
 *   SELECT field, Rel.field (up to 5 levels, polymorphic Owner/Who/What),
 *          (child subquery), COUNT(), FIELDS(ALL|STANDARD|CUSTOM)
 *   FROM Object
 *   WHERE  AND / OR / NOT / parentheses; = != <> < <= > >=; IN / NOT IN;
 *          LIKE (case-insensitive, % and _, \% \_); INCLUDES / EXCLUDES;
 *          null; true/false; numbers; 'strings' with SOQL escapes;
 *          unquoted date and datetime literals (Z, +hh:mm, fractions);
 *          date literals TODAY, YESTERDAY, TOMORROW, LAST_N_DAYS:n, NEXT_N_DAYS:n
 *   ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], several keys
 *   LIMIT n  OFFSET m
 * Mixing AND and OR at one level without parentheses is MALFORMED_QUERY.
 *
 * Errors fill struct sync_err with http_status 400 and code
 * MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE or
 * INVALID_QUERY_FILTER_OPERATOR, and Salesforce's message text (for
 * INVALID_FIELD and MALFORMED_QUERY the query line, a caret line and
 * "ERROR at Row:1:Column:N" as Salesforce prints them).
 *
 * Called by the Salesforce emulator's query, queryAll, composite and
 * validation-rule code; never by engine code.
 */
#ifndef EMU_SALESFORCE_SOQL_H
#define EMU_SALESFORCE_SOQL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum soql_type {
    SOQL_T_ID,     /* id, reference */
    SOQL_T_STRING, /* string, textarea, email, phone, url, picklist, combobox, encryptedstring */
    SOQL_T_MULTIPICKLIST,
    SOQL_T_BOOLEAN,
    SOQL_T_INT,
    SOQL_T_DOUBLE, /* double, currency, percent */
    SOQL_T_DATE,
    SOQL_T_DATETIME,
    SOQL_T_TIME,
    SOQL_T_OTHER /* address, location, base64, anyType: selectable, not filterable */
};

#define SOQL_NAME_MAX 128

struct soql_field_info {
    char name[SOQL_NAME_MAX]; /* canonical API name */
    enum soql_type type;
    int filterable;
    int sortable;
    int custom;
};

/* The org's schema, as the caller exposes it. Every callback returns 0 when found, -1 when not.
 * Names are matched ignoring ASCII case; outputs are canonical names. */
struct soql_catalog {
    void *ctx;
    int (*object)(void *ctx, const char *name, char canonical[SOQL_NAME_MAX]);
    int (*field)(void *ctx, const char *object, const char *name, struct soql_field_info *out);
    /* A parent relationship ("Account" on Contact, "Owner" on Lead): the reference field
     * ("AccountId") and the objects it may point at (one, or several when polymorphic). */
    int (*parent)(void *ctx, const char *object, const char *rel, char field[SOQL_NAME_MAX],
                  char targets[][SOQL_NAME_MAX], size_t max_targets, size_t *ntargets);
    /* A child relationship ("Contacts" on Account): the child object and its reference field. */
    int (*child)(void *ctx, const char *object, const char *rel, char child[SOQL_NAME_MAX],
                 char field[SOQL_NAME_MAX]);
    /* The object's fields, for FIELDS(...): calls fn for each. */
    void (*fields)(void *ctx, const char *object,
                   void (*fn)(void *arg, const struct soql_field_info *f), void *arg);
};

/* The stored records, as the caller exposes them. */
struct soql_rows {
    void *ctx;
    /* Calls fn for each record of object; with include_deleted, recycle-bin rows too
     * (IsDeleted true). fn returns nonzero to stop early. */
    void (*foreach)(void *ctx, const char *object, int include_deleted,
                    int (*fn)(void *arg, const json_t *rec), void *arg);
    /* borrowed: any record by 18-character id (deleted ones included), NULL when none;
     * *object receives its type. */
    const json_t *(*get)(void *ctx, const char *id, const char **object);
};

struct soql_query;

/* Parses and checks text; *out must be freed with soql_query_free. */
enum sync_rc soql_parse(const char *text, const struct soql_catalog *cat, struct soql_query **out,
                        struct sync_err *err);
void soql_query_free(struct soql_query *q);

const char *soql_query_object(const struct soql_query *q); /* canonical FROM object */
int soql_query_is_count(const struct soql_query *q);       /* SELECT COUNT() */

/* Runs q over rows at instant now_ms (for TODAY and friends). *out receives a new JSON array of
 * the matching stored records (references to the caller's objects, not projections), sorted,
 * with OFFSET and LIMIT applied. include_deleted is set for queryAll. */
enum sync_rc soql_execute(const struct soql_query *q, const struct soql_rows *rows,
                          int include_deleted, int64_t now_ms, json_t **out, struct sync_err *err);

/* new: a stored record shaped as the query's SELECT list says: "attributes" first
 * ({"type","url"} with the given API version, e.g. "62.0"), then the selected fields in SELECT
 * order, parent relationships as nested records (or null), child subqueries as
 * {"totalSize","done","records"}. */
json_t *soql_project(const struct soql_query *q, const json_t *rec, const struct soql_rows *rows,
                     const char *api_version);

/* Whether one record satisfies a bare condition, e.g. a validation rule's "Phone = null AND
 * LeadSource = 'Web'". Parsed with soql_parse_condition against object. */
enum sync_rc soql_parse_condition(const char *cond, const char *object,
                                  const struct soql_catalog *cat, struct soql_query **out,
                                  struct sync_err *err);
int soql_matches(const struct soql_query *q, const json_t *rec, const struct soql_rows *rows,
                 int64_t now_ms);

#endif
