/*
 * server.c: the emulator's lifecycle: sets up the org and the services
 * around it (sessions, limits, faults, locators) and fills a fresh org the
 * way a new Enterprise org looks to an integration: the integration user
 * and a few other users (some inactive), two queues, the business
 * processes and record types of Opportunity and Case, and the LeadStatus,
 * CaseStatus, TaskStatus and OpportunityStage tables. Called by main.c,
 * the control API (reset) and persistence (first start).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulators/salesforce/api.h"
#include "emulators/salesforce/query.h"
#include "emulators/salesforce/validate.h"

enum sync_rc server_init(struct sf_server *srv, struct sf_schema *schema, struct sync_err *err)
{
    enum sync_rc rc;
    memset(srv, 0, sizeof(*srv));
    schema_finish(schema);
    rc = org_init(&srv->org, schema);
    if (rc)
        return sync_err_set(err, rc, "cannot set up the org");
    auth_init(&srv->auth);
    limits_init(&srv->limits, 1);
    emu_faults_init(&srv->faults);
    srv->locators = locators_new();
    return SYNC_OK;
}

void server_release(struct sf_server *srv)
{
    locators_free(srv->locators);
    emu_faults_release(&srv->faults);
    limits_release(&srv->limits);
    auth_release(&srv->auth);
    org_release(&srv->org);
}

struct sf_rec *server_insert_raw(struct sf_server *srv, struct sf_txn *txn, const char *object,
                                 json_t *fields, int64_t created, const char *user)
{
    struct sf_org *org = &srv->org;
    const struct sf_object *obj = schema_object(&org->schema, object);
    char id[19];

    if (!obj) {
        json_decref(fields);
        return NULL;
    }
    if (!user || !user[0])
        user = org->integration_user[0] ? org->integration_user : NULL;
    org_new_id(org, obj, id);
    json_object_set_new(fields, "Id", json_string(id));
    json_object_set_new(fields, "IsDeleted", json_false());
    for (size_t i = 0; i < obj->nfields; i++) {
        const struct sf_field *f = &obj->fields[i];
        if (json_object_get(fields, f->name))
            continue;
        if (f->type == SF_T_BOOLEAN)
            json_object_set_new(fields, f->name, json_false());
        else if (f->default_value && (f->flags & SF_F_DEFAULTED))
            json_object_set_new(fields, f->name, json_string(f->default_value));
    }
    if (strcmp(obj->name, "Case") == 0 && !json_object_get(fields, "CaseNumber"))
        json_object_set_new(fields, "CaseNumber", org_case_number(org));
    if (schema_field(obj, "OwnerId") && !json_object_get(fields, "OwnerId") && user)
        json_object_set_new(fields, "OwnerId", json_string(user));
    org_stamp(fields, created, user ? user : id, 1); /* the first user creates itself */
    derive_fields(org, obj, fields, NULL, NULL, created);
    return org_insert(org, txn, obj, fields);
}

static struct sf_rec *add_user(struct sf_server *srv, const char *first, const char *last,
                               const char *username, const char *alias, int active,
                               const char *type, const char *title, int64_t at)
{
    json_t *u = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "LastName", last, "Username",
                          username, "Email", username, "Alias", alias, "IsActive", active,
                          "UserType", type, "CommunityNickname", alias);
    if (first)
        json_object_set_new(u, "FirstName", json_string(first));
    if (title)
        json_object_set_new(u, "Title", json_string(title));
    json_object_set_new(u, "CompanyName", json_string("CrmSync Demo"));
    return server_insert_raw(srv, NULL, "User", u, at, NULL);
}

static void add_status_rows(struct sf_server *srv, const char *table, const char *object,
                            const char *field, int64_t at)
{
    const struct sf_object *o = schema_object(&srv->org.schema, object);
    const struct sf_field *f = o ? schema_field(o, field) : NULL;
    if (!f || !f->picklist)
        return;
    for (size_t i = 0; i < f->picklist->n; i++) {
        const struct sf_pick *p = &f->picklist->v[i];
        json_t *row = json_pack("{s:s, s:s, s:i}", "MasterLabel", p->label, "ApiName", p->value,
                                "SortOrder", (int)i + 1);
        if (strcmp(table, "OpportunityStage") == 0) {
            const char *fc = p->forecast ? p->forecast : "Pipeline";
            json_object_set_new(row, "IsActive", json_boolean(p->active));
            json_object_set_new(row, "IsClosed", json_boolean(p->closed));
            json_object_set_new(row, "IsWon", json_boolean(p->won));
            json_object_set_new(row, "DefaultProbability",
                                json_real(p->probability < 0 ? 0 : p->probability));
            json_object_set_new(row, "ForecastCategoryName", json_string(fc));
            json_object_set_new(row, "ForecastCategory",
                                json_string(strcmp(fc, "Best Case") == 0 ? "BestCase"
                                            : strcmp(fc, "Commit") == 0  ? "Forecast"
                                                                         : fc));
        } else {
            json_object_set_new(row, "IsDefault", json_boolean(p->is_default));
            if (strcmp(table, "LeadStatus") == 0)
                json_object_set_new(row, "IsConverted", json_boolean(p->converted));
            else
                json_object_set_new(row, "IsClosed", json_boolean(p->closed));
        }
        server_insert_raw(srv, NULL, table, row, at, NULL);
    }
}

/* Record types and business processes keep the ids the schema gave them. */
static void add_processes(struct sf_server *srv, int64_t at)
{
    struct sf_org *org = &srv->org;
    const struct sf_object *bp = schema_object(&org->schema, "BusinessProcess");
    const struct sf_object *rt = schema_object(&org->schema, "RecordType");
    if (!bp || !rt)
        return;
    for (size_t i = 0; i < org->schema.n; i++) {
        const struct sf_object *o = org->schema.objects[i];
        for (size_t k = 0; k < o->nprocesses; k++) {
            const struct sf_process *p = &o->processes[k];
            json_t *row = json_pack("{s:s, s:s, s:b, s:s, s:b}", "Id", p->id, "Name", p->name,
                                    "IsActive", 1, "TableEnumOrId", o->name, "IsDeleted", 0);
            org_stamp(row, at, org->integration_user, 1);
            org_insert(org, NULL, bp, row);
        }
        for (size_t k = 0; k < o->nrtypes; k++) {
            const struct sf_rtype *r = &o->rtypes[k];
            json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "Id", r->id, "Name", r->name,
                                    "DeveloperName", r->developer_name, "SobjectType", o->name,
                                    "IsActive", 1, "IsDeleted", 0);
            if (r->process)
                json_object_set_new(row, "BusinessProcessId", json_string(r->process->id));
            org_stamp(row, at, org->integration_user, 1);
            org_insert(org, NULL, rt, row);
        }
    }
}

void server_fresh_org(struct sf_server *srv)
{
    struct sf_org *org = &srv->org;
    int64_t at = org_now() - 86400000LL * 400; /* the org was set up a while ago */
    struct sf_rec *integ;
    json_t *q;

    org_clear(org);
    at -= at % 1000;
    integ = add_user(srv, "Integration", "User", "integration@crmsync.test", "integ", 1, "Standard",
                     "Integration User", at);
    if (integ) {
        json_t *d = json_copy(integ->data);
        snprintf(org->integration_user, sizeof(org->integration_user), "%s", integ->id);
        /* the first user created itself */
        json_object_set_new(d, "OwnerId", json_string(integ->id));
        json_object_set_new(d, "CreatedById", json_string(integ->id));
        json_object_set_new(d, "LastModifiedById", json_string(integ->id));
        org_replace(org, NULL, integ, d);
    }
    add_user(srv, "Ada", "Admin", "admin@crmsync.test", "aadmin", 1, "Standard",
             "System Administrator", at + 1000);
    add_user(srv, "Sam", "Seller", "sam.seller@crmsync.test", "sseller", 1, "Standard",
             "Account Executive", at + 2000);
    add_user(srv, "Priya", "Patel", "priya.patel@crmsync.test", "ppatel", 1, "Standard",
             "Support Agent", at + 3000);
    add_user(srv, "Marco", "Rossi", "marco.rossi@crmsync.test", "mrossi", 0, "Standard",
             "Account Executive", at + 4000);
    add_user(srv, "Dana", "Departed", "dana.departed@crmsync.test", "ddepart", 0, "Standard",
             "Sales Development Rep", at + 5000);
    add_user(srv, NULL, "Automated Process", "autoproc@crmsync.test", "autoproc", 1,
             "AutomatedProcess", NULL, at + 6000);
    q = json_pack("{s:s, s:s, s:s}", "Name", "Unassigned Leads", "DeveloperName",
                  "Unassigned_Leads", "Type", "Queue");
    server_insert_raw(srv, NULL, "Group", q, at + 7000, NULL);
    q = json_pack("{s:s, s:s, s:s, s:s}", "Name", "Support Queue", "DeveloperName", "Support_Queue",
                  "Type", "Queue", "Email", "support@crmsync.test");
    server_insert_raw(srv, NULL, "Group", q, at + 8000, NULL);
    add_processes(srv, at + 9000);
    add_status_rows(srv, "LeadStatus", "Lead", "Status", at + 10000);
    add_status_rows(srv, "CaseStatus", "Case", "Status", at + 10000);
    add_status_rows(srv, "TaskStatus", "Task", "Status", at + 10000);
    add_status_rows(srv, "OpportunityStage", "Opportunity", "StageName", at + 10000);
    srv->seed_rounds = 0;
}
