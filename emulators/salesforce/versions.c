/*
 * versions.c: the discovery and limits resources:
 *   GET /services/data                      the API versions (no auth, not counted)
 *   GET /services/data/vXX.X                the version root: resource name -> path
 *   GET /services/data/vXX.X/limits         org limits, DailyApiRequests from limits.c
 *   GET /services/data/vXX.X/limits/recordCount?sObjects=A,B
 * Handlers reached through the route table (routes.c).
 */
#include <stdio.h>
#include <string.h>

#include "emulators/salesforce/api.h"

static void release_label(int version, char *out, size_t n)
{
    static const char *const seasons[] = {"Winter", "Spring", "Summer"};
    int k = version - 62; /* 62.0 is Winter '25 */
    int year = 25 + (k >= 0 ? k / 3 : -((-k + 2) / 3));
    int season = ((k % 3) + 3) % 3;
    snprintf(out, n, "%s '%02d", seasons[season], ((year % 100) + 100) % 100);
}

void h_versions(struct sf_call *c)
{
    json_t *arr = json_array();
    for (int v = SF_MIN_VERSION; v <= SF_MAX_VERSION; v++) {
        char label[32], url[64], ver[16];
        release_label(v, label, sizeof(label));
        snprintf(url, sizeof(url), "/services/data/v%d.0", v);
        snprintf(ver, sizeof(ver), "%d.0", v);
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s}", "label", label, "url", url, "version", ver));
    }
    call_json(c, 200, arr);
}

void h_version_root(struct sf_call *c)
{
    static const char *const resources[][2] = {
        {"tooling", "tooling"},
        {"metadata", "metadata"},
        {"eclair", "eclair"},
        {"folders", "folders"},
        {"prechatForms", "prechatForms"},
        {"contact-tracing", "contact-tracing"},
        {"jsonxform", "jsonxform"},
        {"chatter", "chatter"},
        {"tabs", "tabs"},
        {"appMenu", "appMenu"},
        {"quickActions", "quickActions"},
        {"queryAll", "queryAll"},
        {"commerce", "commerce"},
        {"wave", "wave"},
        {"iot", "iot"},
        {"analytics", "analytics"},
        {"search", "search"},
        {"smartdatadiscovery", "smartdatadiscovery"},
        {"identity", NULL},
        {"composite", "composite"},
        {"parameterizedSearch", "parameterizedSearch"},
        {"fingerprint", "fingerprint"},
        {"theme", "theme"},
        {"nouns", "nouns"},
        {"domino", "domino"},
        {"event", "event"},
        {"serviceTemplates", "serviceTemplates"},
        {"recent", "recent"},
        {"connect", "connect"},
        {"licensing", "licensing"},
        {"limits", "limits"},
        {"process", "process"},
        {"async-queries", "async-queries"},
        {"query", "query"},
        {"jobs", "jobs"},
        {"match", "match"},
        {"localizedvalue", "localizedvalue"},
        {"mobile", "mobile"},
        {"emailConnect", "emailConnect"},
        {"consent", "consent"},
        {"tokenizer", "tokenizer"},
        {"compactLayouts", "compactLayouts"},
        {"knowledgeManagement", "knowledgeManagement"},
        {"sobjects", "sobjects"},
        {"actions", "actions"},
        {"support", "support"},
        {"uiapi", "ui-api"},
    };
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++) {
        char v[512];
        if (resources[i][1])
            snprintf(v, sizeof(v), "/services/data/v%s/%s", c->version, resources[i][1]);
        else
            snprintf(v, sizeof(v), "%s/id/%s/%s", c->base_url, c->org->org_id, c->user_id);
        json_object_set_new(o, resources[i][0], json_string(v));
    }
    call_json(c, 200, o);
}

static json_t *limit(int64_t max, int64_t remaining)
{
    return json_pack("{s:I, s:I}", "Max", (json_int_t)max, "Remaining", (json_int_t)remaining);
}

void h_limits(struct sf_call *c)
{
    int64_t used, max;
    json_t *o = json_object(), *daily;

    limits_usage(&c->srv->limits, c->now, &used, &max);
    daily = limit(max, max - used < 0 ? 0 : max - used);
    json_object_set_new(o, "ActiveScratchOrgs", limit(3, 3));
    json_object_set_new(o, "AnalyticsExternalDataSizeMB", limit(40960, 40960));
    json_object_set_new(o, "ConcurrentAsyncGetReportInstances", limit(200, 200));
    json_object_set_new(o, "ConcurrentSyncReportRuns", limit(20, 20));
    json_object_set_new(o, "DailyAnalyticsDataflowJobExecutions", limit(60, 60));
    json_object_set_new(o, "DailyApiRequests", daily);
    json_object_set_new(o, "DailyAsyncApexExecutions", limit(250000, 250000));
    json_object_set_new(o, "DailyBulkApiBatches", limit(15000, 15000));
    json_object_set_new(o, "DailyBulkV2QueryFileStorageMB", limit(976562, 976562));
    json_object_set_new(o, "DailyBulkV2QueryJobs", limit(10000, 10000));
    json_object_set_new(o, "DailyDurableGenericStreamingApiEvents", limit(10000, 10000));
    json_object_set_new(o, "DailyDurableStreamingApiEvents", limit(10000, 10000));
    json_object_set_new(o, "DailyGenericStreamingApiEvents", limit(10000, 10000));
    json_object_set_new(o, "DailyStandardVolumePlatformEvents", limit(10000, 10000));
    json_object_set_new(o, "DailyStreamingApiEvents", limit(10000, 10000));
    json_object_set_new(o, "DailyWorkflowEmails", limit(2000, 2000));
    json_object_set_new(o, "DataStorageMB", limit(5, 5));
    json_object_set_new(o, "DurableStreamingApiConcurrentClients", limit(20, 20));
    json_object_set_new(o, "FileStorageMB", limit(20, 20));
    json_object_set_new(o, "HourlyAsyncReportRuns", limit(1200, 1200));
    json_object_set_new(o, "HourlyDashboardRefreshes", limit(200, 200));
    json_object_set_new(o, "HourlyDashboardResults", limit(5000, 5000));
    json_object_set_new(o, "HourlyDashboardStatuses", limit(999999999, 999999999));
    json_object_set_new(o, "HourlyODataCallout", limit(10000, 10000));
    json_object_set_new(o, "HourlySyncReportRuns", limit(500, 500));
    json_object_set_new(o, "HourlyTimeBasedWorkflow", limit(50, 50));
    json_object_set_new(o, "MassEmail", limit(10, 10));
    json_object_set_new(o, "SingleEmail", limit(15, 15));
    json_object_set_new(o, "StreamingApiConcurrentClients", limit(20, 20));
    call_json(c, 200, o);
}

void h_record_count(struct sf_call *c)
{
    const char *want = call_query(c, "sObjects");
    json_t *arr = json_array();
    for (size_t i = 0; i < c->org->schema.n; i++) {
        const struct sf_object *o = c->org->schema.objects[i];
        struct sf_table *t = org_table(c->org, o);
        if (want) {
            const char *p = want;
            int hit = 0;
            while (*p && !hit) {
                size_t n = strcspn(p, ",");
                hit = n == strlen(o->name) && strncmp(p, o->name, n) == 0;
                p += n + (p[n] == ',');
            }
            if (!hit)
                continue;
        } else if (!t->live) {
            continue;
        }
        json_array_append_new(
            arr, json_pack("{s:I, s:s}", "count", (json_int_t)t->live, "name", o->name));
    }
    call_json(c, 200, json_pack("{s:o}", "sObjects", arr));
}
