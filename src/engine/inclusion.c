/*
 * inclusion.c: the inclusion list (settings.inclusion_list): which HubSpot
 * contacts qualify to sync to Salesforce, read from the list's
 * memberships, and a contact joining the list as a sync trigger. Called by
 * sync.c at the start of each pass and by the plan step.
 *
 * The members are read again when the list changes and at most every
 * SYNC_ENGINE_INCLUSION_TTL_MS, a page of 250 per request, never one call
 * per contact. A member that joined after the newest join seen before
 * (its membershipTimestamp, kept in the store as the cursor
 * "hubspot:inclusion:<list>") is queued for a resync (health.h), so it is
 * planned at once although none of its properties changed. The first read
 * of a list only sets the cursor: existing members are not swept, as the
 * native integration does not sweep them either; a later edit or an
 * import brings them.
 *
 * A list that cannot be read keeps the members of the last read (logged);
 * before any read succeeded, contact changes wait in the inbox
 * (sync__engine_inclusion_known), so nothing reaches Salesforce that the
 * list would have kept out and nothing a member changed is lost.
 */
#include <stdio.h>
#include <string.h>

#include "connectors/backfill.h"
#include "core/json.h"
#include "core/log.h"
#include "engine/health.h"
#include "engine/sync_int.h"

#define CURSOR_PREFIX "hubspot:inclusion:"

/* Every member of the list, into members (id -> true); *newest the latest join seen. */
static enum sync_rc members_read(struct sync_engine *e, const char *list, json_t *members,
                                 json_t *joins, int64_t since, int64_t *newest,
                                 struct sync_err *err)
{
    char after[256] = "";
    enum sync_rc rc;

    do {
        struct sync_conn_batch page;
        const json_t *m;
        size_t i;

        sync_conn_batch_init(&page);
        rc = sync_conn_list_members(e->hs, list, after, SYNC_HS_LIST_PAGE_MAX, &page, err);
        json_array_foreach(page.records, i, m)
        {
            const char *id = sync_json_str(m, "id");
            int64_t at = sync_json_int(m, "joined_at", 0);
            if (!id)
                continue;
            json_object_set_new(members, id, json_true());
            if (at > *newest)
                *newest = at;
            if (since > 0 && at > since)
                json_array_append_new(joins, json_string(id));
        }
        snprintf(after, sizeof(after), "%s", rc == SYNC_OK ? page.after : "");
        sync_conn_batch_release(&page);
        if (rc == SYNC_OK && json_object_size(members) > SYNC_ENGINE_INCLUSION_MAX)
            rc = sync_err_set(err, SYNC_ERR_TOO_LARGE,
                              "inclusion list %s has more than %d members, more than crmsync "
                              "holds",
                              list, SYNC_ENGINE_INCLUSION_MAX);
    } while (rc == SYNC_OK && after[0]);
    return rc;
}

static int64_t cursor_get(struct sync_engine *e, const char *source)
{
    struct sync_buf b = SYNC_BUF_INIT(64);
    int64_t v = 0;

    if (sync_store_cursor_get(e->st, source, &b, NULL, NULL) == SYNC_OK)
        v = strtoll(sync_buf_str(&b), NULL, 10);
    sync_buf_release(&b);
    return v;
}

/* Queues a resync of every contact that joined; then moves the cursor past them. */
static enum sync_rc joins_queue(struct sync_engine *e, const char *source, const json_t *joins,
                                int64_t newest, struct sync_err *err)
{
    const json_t *id;
    char pos[32];
    size_t i;
    enum sync_rc rc = SYNC_OK;

    json_array_foreach(joins, i, id)
    {
        json_t *out = NULL;
        rc = sync_health_resync_record(e->st, "hubspot", "contacts", json_string_value(id), &out,
                                       err);
        json_decref(out);
        if (rc)
            return rc;
    }
    if (json_array_size(joins))
        sync_info("inclusion", "%zu contact%s joined the inclusion list: syncing them",
                  json_array_size(joins), json_array_size(joins) == 1 ? "" : "s");
    snprintf(pos, sizeof(pos), "%lld", (long long)newest);
    return sync_store_cursor_set(e->st, source, pos, err);
}

enum sync_rc sync__engine_inclusion(struct sync_engine *e, int64_t now, struct sync_err *err)
{
    struct sync_engine_inclusion *in = &e->inclusion;
    const char *list = sync_settings_str(e->settings, SYNC_SETTING_INCLUSION_LIST);
    char source[SYNC_STORE_NAME_MAX];
    json_t *members, *joins;
    int64_t since, newest;
    struct sync_err rerr = SYNC_ERR_INIT;
    enum sync_rc rc;

    if (!list || !list[0]) {
        sync__engine_inclusion_release(e);
        return SYNC_OK;
    }
    if (strcmp(in->list, list) == 0 && now - in->read_ms < SYNC_ENGINE_INCLUSION_TTL_MS)
        return SYNC_OK;
    if (strcmp(in->list, list) != 0) {
        sync__engine_inclusion_release(e);
        snprintf(in->list, sizeof(in->list), "%s", list);
    }
    in->read_ms = now;
    snprintf(source, sizeof(source), CURSOR_PREFIX "%s", list);
    newest = since = cursor_get(e, source);
    members = json_object();
    joins = json_array();
    if (!members || !joins) {
        json_decref(members);
        json_decref(joins);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    if ((rc = members_read(e, list, members, joins, since, &newest, &rerr))) {
        sync_warn("inclusion", "inclusion list %s cannot be read: %s%s", list, rerr.message,
                  in->members ? " (its last members still count)" : " (nobody qualifies yet)");
        json_decref(members);
        json_decref(joins);
        return SYNC_OK;
    }
    json_decref(in->members);
    in->members = members;
    if (newest < since)
        newest = since;
    /* a list empty at its first read: every later join counts (HubSpot's clock, not ours) */
    rc = joins_queue(e, source, joins, since ? newest : (newest ? newest : 1), err);
    json_decref(joins);
    return rc;
}

int sync__engine_inclusion_known(const struct sync_engine *e)
{
    const char *list = sync_settings_str(e->settings, SYNC_SETTING_INCLUSION_LIST);
    return !list || !list[0] || e->inclusion.members != NULL;
}

int sync__engine_qualifies(const struct sync_engine *e, const char *hs_id)
{
    const char *list = sync_settings_str(e->settings, SYNC_SETTING_INCLUSION_LIST);

    if (!list || !list[0])
        return 1;
    return hs_id && e->inclusion.members && json_object_get(e->inclusion.members, hs_id) != NULL;
}

void sync__engine_inclusion_release(struct sync_engine *e)
{
    json_decref(e->inclusion.members);
    memset(&e->inclusion, 0, sizeof(e->inclusion));
}
