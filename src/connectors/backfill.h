/*
 * backfill.h: the vendor reads an import (engine/import.h) pages
 * through, beside the capture windows of connector.h: a Salesforce SOQL
 * query with the totalSize Salesforce reports (COUNT() answers only
 * that), and a HubSpot list's facts and its members, page by page.
 *
 * They go through the connector's one request path (pacing, auth,
 * retries, usage reports) like every other call; backfill.c is the only
 * file behind this header. Called by src/engine/import.c.
 */
#ifndef SYNC_CONNECTORS_BACKFILL_H
#define SYNC_CONNECTORS_BACKFILL_H

#include <stddef.h>
#include <stdint.h>

#include "connectors/connector.h"

#define SYNC_HS_LIST_PAGE_MAX 250 /* list members per page (HubSpot's limit) */

/* Salesforce: runs soql (every page) into out->records and sets *total to the totalSize of
 * the answer (a COUNT() query's count). The vendor's error (MALFORMED_QUERY, INVALID_FIELD,
 * ...) comes back in err. SYNC_ERR_INVALID on a HubSpot connector. */
enum sync_rc sync_conn_soql(struct sync_conn *c, const char *soql, struct sync_conn_batch *out,
                            int64_t *total, struct sync_err *err);

struct sync_conn_list_info {
    char object_type_id[16]; /* "0-1" for contacts */
    char name[256];
    int64_t size; /* members; -1 when the answer does not say */
};

/* HubSpot: the list's object type, name and size (GET /crm/v3/lists/{listId}); a list that
 * does not exist is the vendor's 404. SYNC_ERR_INVALID on a Salesforce connector. */
enum sync_rc sync_conn_list_info(struct sync_conn *c, const char *list_id,
                                 struct sync_conn_list_info *out, struct sync_err *err);

/* HubSpot: one page of the list's members after the paging token after ("" or NULL: the first
 * page), at most limit (1..SYNC_HS_LIST_PAGE_MAX): out->records = [{"id": "<record id>",
 * "joined_at": epoch ms (membershipTimestamp; 0 when not given)}, ...] and out->after the next
 * page's token ("" after the last page). */
enum sync_rc sync_conn_list_members(struct sync_conn *c, const char *list_id, const char *after,
                                    size_t limit, struct sync_conn_batch *out,
                                    struct sync_err *err);

#endif
