/*
 * salesforce_stages.c: the opportunity record types and stages of a
 * Salesforce org as neutral rows (the list_stages member of
 * sync_salesforce_ops; see sync_conn_list_stages). Three reads: the active
 * Opportunity record types, the active OpportunityStage rows in their sort
 * order, and the Opportunity describe's recordTypeInfos for the default
 * record type of the integration user. Called through connector.c by the
 * engine's stage map (src/engine/stages.c).
 */
#include <stdio.h>
#include <string.h>

#include "connectors/connector_int.h"
#include "connectors/salesforce.h"
#include "core/json.h"

/* The integration user's default record type for opportunities ("" when none). */
static enum sync_rc default_record_type(struct sync_conn *c, char *out, size_t n,
                                        struct sync_err *err)
{
    struct sync_field_catalog cat;
    const json_t *info;
    enum sync_rc rc;
    size_t i;

    out[0] = '\0';
    rc = sync_conn_describe(c, "Opportunity", &cat, err);
    if (rc == SYNC_OK) {
        json_array_foreach(json_object_get(cat.raw, "recordTypeInfos"), i, info)
        {
            const char *id = sync_json_str(info, "recordTypeId");
            if (id && sync_json_bool(info, "defaultRecordTypeMapping", 0) &&
                !sync_json_bool(info, "master", 0))
                snprintf(out, n, "%s", id);
        }
    }
    sync_field_catalog_release(&cat);
    return rc;
}

enum sync_rc sync_sf_list_stages(struct sync_conn *c, struct sync_conn_batch *out,
                                 struct sync_err *err)
{
    struct sync_conn_batch rt, st;
    char def[64];
    const json_t *r;
    enum sync_rc rc;
    size_t i;

    sync_conn_batch_init(&rt);
    sync_conn_batch_init(&st);
    rc = sync_sf_query(c,
                       "SELECT Id, Name, DeveloperName FROM RecordType WHERE SobjectType = "
                       "'Opportunity' AND IsActive = true ORDER BY Name",
                       &rt, NULL, err);
    rc = rc ? rc
            : sync_sf_query(c,
                            "SELECT ApiName, MasterLabel, IsClosed, IsWon, SortOrder FROM "
                            "OpportunityStage WHERE IsActive = true ORDER BY SortOrder",
                            &st, NULL, err);
    rc = rc ? rc : default_record_type(c, def, sizeof(def), err);
    if (rc == SYNC_OK) {
        json_array_foreach(rt.records, i, r)
        {
            const char *id = sync_json_str(r, "Id");
            if (!id)
                continue;
            json_array_append_new(out->records,
                                  json_pack("{s:s, s:s, s:s?, s:s?, s:b}", "kind", "record_type",
                                            "id", id, "label", sync_json_str(r, "Name"), "name",
                                            sync_json_str(r, "DeveloperName"), "default",
                                            strcmp(id, def) == 0));
        }
        json_array_foreach(st.records, i, r)
        {
            const char *v = sync_json_str(r, "ApiName");
            if (!v)
                v = sync_json_str(r, "MasterLabel");
            if (!v)
                continue;
            json_array_append_new(
                out->records,
                json_pack("{s:s, s:s, s:s?, s:b, s:b, s:I}", "kind", "stage", "stage", v,
                          "stage_label", sync_json_str(r, "MasterLabel"), "closed",
                          sync_json_bool(r, "IsClosed", 0), "won", sync_json_bool(r, "IsWon", 0),
                          "order", (json_int_t)sync_json_int(r, "SortOrder", (int64_t)i)));
        }
    }
    sync_conn_batch_release(&rt);
    sync_conn_batch_release(&st);
    out->done = 1;
    return rc;
}
