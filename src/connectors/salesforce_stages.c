/*
 * salesforce_stages.c: the opportunity (or case) record types and stages
 * of a Salesforce org as neutral rows (the list_stages member of
 * sync_salesforce_ops; see sync_conn_list_stages). Opportunities: three
 * reads, the active Opportunity record types, the active OpportunityStage
 * rows in their sort order, and the Opportunity describe's
 * recordTypeInfos for the default record type of the integration user.
 * Cases: the active Case record types with their business process, the
 * active Case business processes, the CaseStatus values and the Case
 * describe. Called through connector.c by the engine's stage maps
 * (src/engine/stages.c, src/engine/ticketmap.c).
 */
#include <stdio.h>
#include <string.h>

#include "connectors/connector_int.h"
#include "connectors/salesforce.h"
#include "core/json.h"

/* The integration user's default record type for an object ("" when none). */
static enum sync_rc default_record_type(struct sync_conn *c, const char *object, char *out,
                                        size_t n, struct sync_err *err)
{
    struct sync_field_catalog cat;
    const json_t *info;
    enum sync_rc rc;
    size_t i;

    out[0] = '\0';
    rc = sync_conn_describe(c, object, &cat, err);
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

/* The queries of one kind: record types, stages, and (cases) business processes. */
static const char *const opp_queries[] = {
    "SELECT Id, Name, DeveloperName FROM RecordType WHERE SobjectType = 'Opportunity' AND "
    "IsActive = true ORDER BY Name",
    "SELECT ApiName, MasterLabel, IsClosed, IsWon, SortOrder FROM OpportunityStage WHERE "
    "IsActive = true ORDER BY SortOrder",
    NULL};
static const char *const case_queries[] = {
    "SELECT Id, Name, DeveloperName, BusinessProcessId FROM RecordType WHERE SobjectType = "
    "'Case' AND IsActive = true ORDER BY Name",
    "SELECT ApiName, MasterLabel, IsClosed, SortOrder FROM CaseStatus ORDER BY SortOrder",
    "SELECT Id, Name FROM BusinessProcess WHERE TableEnumOrId = 'Case' AND IsActive = true "
    "ORDER BY Name"};

enum sync_rc sync_sf_list_stages(struct sync_conn *c, int tickets, struct sync_conn_batch *out,
                                 struct sync_err *err)
{
    const char *const *q = tickets ? case_queries : opp_queries;
    struct sync_conn_batch rt, st, bp;
    char def[64];
    const json_t *r;
    enum sync_rc rc;
    size_t i;

    sync_conn_batch_init(&rt);
    sync_conn_batch_init(&st);
    sync_conn_batch_init(&bp);
    rc = sync_sf_query(c, q[0], &rt, NULL, err);
    rc = rc ? rc : sync_sf_query(c, q[1], &st, NULL, err);
    rc = rc || !q[2] ? rc : sync_sf_query(c, q[2], &bp, NULL, err);
    rc = rc ? rc : default_record_type(c, tickets ? "Case" : "Opportunity", def, sizeof(def), err);
    if (rc == SYNC_OK) {
        json_array_foreach(rt.records, i, r)
        {
            const char *id = sync_json_str(r, "Id");
            if (!id)
                continue;
            json_array_append_new(
                out->records,
                json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:s?}", "kind", "record_type", "id", id,
                          "label", sync_json_str(r, "Name"), "name",
                          sync_json_str(r, "DeveloperName"), "default", strcmp(id, def) == 0,
                          "process_id", sync_json_str(r, "BusinessProcessId")));
        }
        json_array_foreach(bp.records, i, r)
        {
            const char *id = sync_json_str(r, "Id");
            if (id)
                json_array_append_new(out->records,
                                      json_pack("{s:s, s:s, s:s?}", "kind", "process", "id", id,
                                                "name", sync_json_str(r, "Name")));
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
    sync_conn_batch_release(&bp);
    out->done = 1;
    return rc;
}
