/*
 * backfill.c: the reads behind backfill.h: a SOQL query with its
 * totalSize (salesforce.c's query, every page), and a
 * HubSpot list (GET /crm/v3/lists/{listId}) with its members
 * (GET /crm/v3/lists/{listId}/memberships, paged by the "after" token).
 * Every request goes through sync__conn_call. Called by the engine's
 * import (src/engine/import.c).
 */
#include "connectors/backfill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/connector_int.h"
#include "connectors/salesforce.h"
#include "core/json.h"
#include "core/time.h"
#include "core/url.h"

#define URL_MAX (256 * 1024)

static enum sync_rc authed(struct sync_conn *c, struct sync_err *err)
{
    /* the data host (Salesforce's instance URL) is known once logged in */
    return c->authed ? SYNC_OK : sync_conn_authenticate(c, err);
}

enum sync_rc sync_conn_soql(struct sync_conn *c, const char *soql, struct sync_conn_batch *out,
                            int64_t *total, struct sync_err *err)
{
    enum sync_rc rc;

    *total = 0;
    if (c->ops->vendor != SYNC_VENDOR_SALESFORCE)
        return sync_err_set(err, SYNC_ERR_INVALID, "%s: SOQL is Salesforce's", c->ops->name);
    if (!out->records)
        sync_conn_batch_init(out);
    if ((rc = authed(c, err)))
        return rc;
    rc = sync_sf_query(c, soql, out, total, err);
    if (rc == SYNC_ERR_NOMEM || rc == SYNC_ERR_TOO_LARGE)
        sync_err_set(err, rc, "salesforce: the query is too long");
    return rc;
}

static enum sync_rc list_url(struct sync_conn *c, struct sync_buf *url, const char *list_id,
                             const char *tail, struct sync_err *err)
{
    enum sync_rc rc;

    if (c->ops->vendor != SYNC_VENDOR_HUBSPOT)
        return sync_err_set(err, SYNC_ERR_INVALID, "%s: lists are HubSpot's", c->ops->name);
    if (!list_id || !*list_id)
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: a list id is required");
    if ((rc = authed(c, err)))
        return rc;
    rc = sync_buf_addf(url, "%s/crm/v3/lists/", c->instance_url);
    rc = rc ? rc : sync_url_encode(url, list_id, strlen(list_id));
    rc = rc ? rc : sync_buf_addstr(url, tail);
    return rc ? sync_err_set(err, rc, "hubspot: the list id is too long") : SYNC_OK;
}

enum sync_rc sync_conn_list_info(struct sync_conn *c, const char *list_id,
                                 struct sync_conn_list_info *out, struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    json_t *ans = NULL;
    const json_t *list, *size;
    enum sync_rc rc = list_url(c, &url, list_id, "", err);

    memset(out, 0, sizeof(*out));
    out->size = -1;
    if (rc == SYNC_OK)
        rc = sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &ans, NULL, err);
    sync_buf_release(&url);
    if (rc)
        return rc;
    list = json_object_get(ans, "list");
    snprintf(out->object_type_id, sizeof(out->object_type_id), "%s",
             sync_json_str(list, "objectTypeId") ? sync_json_str(list, "objectTypeId") : "");
    snprintf(out->name, sizeof(out->name), "%s",
             sync_json_str(list, "name") ? sync_json_str(list, "name") : "");
    size = json_object_get(list, "size");
    if (!size) /* HubSpot also reports it as the list's hs_list_size property */
        size = json_object_get(json_object_get(list, "additionalProperties"), "hs_list_size");
    if (json_is_integer(size))
        out->size = json_integer_value(size);
    else if (json_is_string(size))
        out->size = strtoll(json_string_value(size), NULL, 10);
    rc = json_is_object(list)
             ? SYNC_OK
             : sync_err_set(err, SYNC_ERR_PARSE, "hubspot: the list answer has no list");
    json_decref(ans);
    return rc;
}

enum sync_rc sync_conn_list_members(struct sync_conn *c, const char *list_id, const char *after,
                                    size_t limit, struct sync_conn_batch *out, struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(4096);
    json_t *ans = NULL, *r;
    const char *next;
    size_t i;
    enum sync_rc rc = list_url(c, &url, list_id, "/memberships", err);

    if (!out->records)
        sync_conn_batch_init(out);
    out->after[0] = '\0';
    if (limit < 1 || limit > SYNC_HS_LIST_PAGE_MAX)
        limit = SYNC_HS_LIST_PAGE_MAX;
    if (rc == SYNC_OK)
        rc = sync_buf_addf(&url, "?limit=%zu", limit);
    rc = rc ? rc : sync_url_param(&url, "after", after);
    if (rc == SYNC_OK)
        rc = sync__conn_call(c, "GET", sync_buf_str(&url), NULL, 0, 0, &ans, NULL, err);
    sync_buf_release(&url);
    if (rc)
        return rc;
    json_array_foreach(json_object_get(ans, "results"), i, r)
    {
        const json_t *id = json_object_get(r, "recordId");
        const char *ts = sync_json_str(r, "membershipTimestamp");
        int64_t joined = 0;
        char text[64];
        if (json_is_string(id))
            snprintf(text, sizeof(text), "%s", json_string_value(id));
        else if (json_is_integer(id))
            snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(id));
        else
            continue;
        if (!ts || sync_time_parse(ts, &joined))
            joined = 0;
        json_array_append_new(out->records,
                              json_pack("{s:s, s:I}", "id", text, "joined_at", (json_int_t)joined));
    }
    next = sync_json_str(json_object_get(json_object_get(ans, "paging"), "next"), "after");
    if (next && strlen(next) < sizeof(out->after))
        snprintf(out->after, sizeof(out->after), "%s", next);
    else if (next)
        rc = sync_err_set(err, SYNC_ERR_TOO_LARGE, "hubspot: a list paging token is too long");
    out->done = !out->after[0];
    json_decref(ans);
    return rc;
}
