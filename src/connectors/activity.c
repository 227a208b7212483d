/*
 * activity.c: HubSpot's forms, form submissions, the contacts search that
 * says whether anyone converted since a time, marketing email events and
 * email campaigns, read for timeline sync (see activity.h).
 */
#include "connectors/activity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/connector_int.h"
#include "core/json.h"
#include "core/url.h"

#define PAGES_MAX 1000 /* a bound on any one read's pages */

static enum sync_rc hubspot_only(struct sync_conn *c, struct sync_conn_batch *out,
                                 struct sync_err *err)
{
    if (c->ops->vendor != SYNC_VENDOR_HUBSPOT)
        return sync_err_set(err, SYNC_ERR_INVALID, "%s: timeline events are HubSpot's",
                            c->ops->name);
    if (out && !out->records)
        sync_conn_batch_init(out);
    if (out && !out->records)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    return c->authed ? SYNC_OK : sync_conn_authenticate(c, err);
}

static enum sync_rc get(struct sync_conn *c, const struct sync_buf *url, json_t **ans,
                        struct sync_err *err)
{
    return sync__conn_call(c, "GET", sync_buf_str(url), NULL, 0, 0, ans, NULL, err);
}

/* The paging token of a v3 answer ("" when none) into out. */
static void next_after(const json_t *ans, char *out, size_t n)
{
    const char *a = sync_json_str(json_object_get(json_object_get(ans, "paging"), "next"), "after");
    snprintf(out, n, "%s", a ? a : "");
}

enum sync_rc sync_conn_hs_forms(struct sync_conn *c, struct sync_conn_batch *out,
                                struct sync_err *err)
{
    char after[512] = "";
    enum sync_rc rc = hubspot_only(c, out, err);

    for (int page = 0; rc == SYNC_OK && page < PAGES_MAX; page++) {
        struct sync_buf url = SYNC_BUF_INIT(4096);
        json_t *ans = NULL, *f;
        size_t i;
        rc = sync_buf_addf(&url, "%s/marketing/v3/forms?limit=100", c->instance_url);
        rc = rc ? rc : sync_url_param(&url, "after", after);
        rc = rc ? sync_err_set(err, rc, "hubspot: the forms URL is too long")
                : get(c, &url, &ans, err);
        sync_buf_release(&url);
        json_array_foreach(json_object_get(ans, "results"), i, f)
        {
            const char *id = sync_json_str(f, "id");
            if (id && !sync_json_bool(f, "archived", 0))
                json_array_append_new(
                    out->records,
                    json_pack("{s:s, s:s}", "id", id, "name",
                              sync_json_str(f, "name") ? sync_json_str(f, "name") : ""));
        }
        next_after(ans, after, sizeof(after));
        json_decref(ans);
        if (!after[0])
            break;
    }
    out->done = rc == SYNC_OK;
    return rc;
}

enum sync_rc sync_conn_hs_form_submissions(struct sync_conn *c, const char *form_id,
                                           int64_t since_ms, struct sync_conn_batch *out,
                                           struct sync_err *err)
{
    char after[512] = "";
    enum sync_rc rc = hubspot_only(c, out, err);

    if (rc == SYNC_OK && (!form_id || !*form_id))
        return sync_err_set(err, SYNC_ERR_INVALID, "hubspot: a form id is required");
    for (int page = 0; rc == SYNC_OK && page < PAGES_MAX; page++) {
        struct sync_buf url = SYNC_BUF_INIT(4096);
        json_t *ans = NULL, *s;
        size_t i;
        int older = 0;
        rc = sync_buf_addf(&url, "%s/form-integrations/v1/submissions/forms/", c->instance_url);
        rc = rc ? rc : sync_url_encode(&url, form_id, strlen(form_id));
        rc = rc ? rc : sync_buf_addstr(&url, "?limit=50");
        rc = rc ? rc : sync_url_param(&url, "after", after);
        rc = rc ? sync_err_set(err, rc, "hubspot: the submissions URL is too long")
                : get(c, &url, &ans, err);
        sync_buf_release(&url);
        json_array_foreach(json_object_get(ans, "results"), i, s)
        {
            if (sync_json_int(s, "submittedAt", 0) <= since_ms) {
                older = 1; /* newest first: the rest were read before */
                break;
            }
            json_array_append(out->records, s);
        }
        next_after(ans, after, sizeof(after));
        json_decref(ans);
        if (older || !after[0])
            break;
    }
    out->done = rc == SYNC_OK;
    return rc;
}

enum sync_rc sync_conn_hs_converted_since(struct sync_conn *c, int64_t since_ms, int *any,
                                          struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(1024);
    json_t *body = NULL, *ans = NULL;
    char since[32];
    enum sync_rc rc = hubspot_only(c, NULL, err);

    *any = 0;
    snprintf(since, sizeof(since), "%lld", (long long)since_ms);
    if (rc == SYNC_OK &&
        (sync_buf_addf(&url, "%s/crm/v3/objects/contacts/search", c->instance_url) ||
         !(body = json_pack("{s:[{s:[{s:s, s:s, s:s}]}], s:[s], s:i}", "filterGroups", "filters",
                            "propertyName", "recent_conversion_date", "operator", "GT", "value",
                            since, "properties", "recent_conversion_date", "limit", 1))))
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (rc == SYNC_OK)
        rc = sync__conn_call_json(c, "POST", sync_buf_str(&url), body, SYNC__CALL_SEARCH, &ans,
                                  NULL, err);
    if (rc == SYNC_OK)
        *any =
            sync_json_int(ans, "total", 0) > 0 || json_array_size(json_object_get(ans, "results"));
    json_decref(ans);
    json_decref(body);
    sync_buf_release(&url);
    return rc;
}

enum sync_rc sync_conn_hs_email_events(struct sync_conn *c, int64_t since_ms, int64_t until_ms,
                                       struct sync_conn_batch *out, struct sync_err *err)
{
    char offset[512] = "";
    enum sync_rc rc = hubspot_only(c, out, err);

    for (int page = 0; rc == SYNC_OK && page < PAGES_MAX; page++) {
        struct sync_buf url = SYNC_BUF_INIT(4096);
        json_t *ans = NULL, *e;
        size_t i;
        const char *next;
        rc = sync_buf_addf(&url,
                           "%s/email/public/v1/events?startTimestamp=%lld&endTimestamp=%lld"
                           "&limit=1000",
                           c->instance_url, (long long)since_ms + 1, (long long)until_ms);
        rc = rc ? rc : sync_url_param(&url, "offset", offset);
        rc = rc ? sync_err_set(err, rc, "hubspot: the events URL is too long")
                : get(c, &url, &ans, err);
        sync_buf_release(&url);
        json_array_foreach(json_object_get(ans, "events"), i, e)
        {
            json_array_append(out->records, e);
        }
        next = sync_json_str(ans, "offset");
        snprintf(offset, sizeof(offset), "%s", next ? next : "");
        i = sync_json_bool(ans, "hasMore", 0) && offset[0];
        json_decref(ans);
        if (!i)
            break;
    }
    out->done = rc == SYNC_OK;
    return rc;
}

enum sync_rc sync_conn_hs_email_campaign(struct sync_conn *c, int64_t id, json_t **out,
                                         struct sync_err *err)
{
    struct sync_buf url = SYNC_BUF_INIT(1024);
    enum sync_rc rc = hubspot_only(c, NULL, err);

    *out = NULL;
    if (rc == SYNC_OK && (rc = sync_buf_addf(&url, "%s/email/public/v1/campaigns/%lld",
                                             c->instance_url, (long long)id)))
        rc = sync_err_set(err, rc, "out of memory");
    if (rc == SYNC_OK)
        rc = get(c, &url, out, err);
    sync_buf_release(&url);
    return rc;
}
