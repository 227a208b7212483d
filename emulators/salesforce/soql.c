/*
 * soql.c: the emulator's SOQL parser, checker and executor (see soql.h).
 * This first cut links; the full engine follows in this file.
 */
#include "emulators/salesforce/soql.h"

#include <stdlib.h>

struct soql_query {
    char object[SOQL_NAME_MAX];
};

enum sync_rc soql_parse(const char *text, const struct soql_catalog *cat, struct soql_query **out,
                        struct sync_err *err)
{
    (void)text;
    (void)cat;
    *out = NULL;
    return sync_err_vendor(err, 400, "MALFORMED_QUERY", "unexpected token: '%s'", text);
}

void soql_query_free(struct soql_query *q)
{
    free(q);
}

const char *soql_query_object(const struct soql_query *q)
{
    return q->object;
}

int soql_query_is_count(const struct soql_query *q)
{
    (void)q;
    return 0;
}

enum sync_rc soql_execute(const struct soql_query *q, const struct soql_rows *rows,
                          int include_deleted, int64_t now_ms, json_t **out, struct sync_err *err)
{
    *out = json_array();
    return SYNC_OK;
}

json_t *soql_project(const struct soql_query *q, const json_t *rec, const struct soql_rows *rows,
                     const char *api_version)
{
    return json_object();
}

enum sync_rc soql_parse_condition(const char *cond, const char *object,
                                  const struct soql_catalog *cat, struct soql_query **out,
                                  struct sync_err *err)
{
    *out = NULL;
    return sync_err_vendor(err, 400, "MALFORMED_QUERY", "unexpected token: '%s'", cond);
}

int soql_matches(const struct soql_query *q, const json_t *rec, const struct soql_rows *rows,
                 int64_t now_ms)
{
    return 0;
}
