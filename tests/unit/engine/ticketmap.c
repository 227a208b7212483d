/*
 * Tests src/engine/ticketmap.c: the ticket pipeline map built from
 * HubSpot's ticket pipelines and Salesforce's case record types, business
 * processes and statuses, pre-filled (the admin's choices first, then
 * labels and open/closed state, then the default pipeline) with what is
 * left over unmapped.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/json.h"
#include "engine/ticketmap.h"

#define RT_SUPPORT "012000000000001AAA"
#define RT_BILLING "012000000000002AAA"
#define RT_EMEA "012000000000003AAA"
#define BP_SUPPORT "01Y000000000001AAA"
#define BP_BILLING "01Y000000000002AAA"

static json_t *parse(const char *text)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *j = sync_json_parse(text, strlen(text), &err);
    cr_assert_not_null(j, "%s", err.message);
    return j;
}

/* A HubSpot ticket stage row: pipeline id, label and display order, stage id and label, closed. */
#define HS(p, pl, po, s, sl, closed)                                                               \
    "{\"kind\":\"stage\",\"pipeline\":\"" p "\",\"pipeline_label\":\"" pl                          \
    "\",\"pipeline_order\":" po ",\"stage\":\"" s "\",\"stage_label\":\"" sl                       \
    "\",\"closed\":" closed "}"
/* HubSpot's default ticket pipeline as a fresh portal has it. */
#define SUPPORT_PIPELINE                                                                           \
    HS("0", "Support Pipeline", "0", "1", "New", "false")                                          \
    "," HS("0", "Support Pipeline", "0", "2", "Waiting on contact",                                \
           "false") "," HS("0", "Support Pipeline", "0", "3", "Waiting on us",                     \
                           "false") "," HS("0", "Support Pipeline", "0", "4", "Closed", "true")

/* A Salesforce status row. */
#define ST(name, closed)                                                                           \
    "{\"kind\":\"stage\",\"stage\":\"" name "\",\"stage_label\":\"" name "\",\"closed\":" closed "}"

/* The org of the emulator: Support Process (record types Support, the default, and Support
 * EMEA) and Billing Process (record type Billing); statuses New, Working, On Hold, Closed. */
static const char *const sf_org =
    "[{\"kind\":\"record_type\",\"id\":\"" RT_BILLING "\",\"label\":\"Billing\",\"name\":"
    "\"Billing\",\"default\":false,\"process_id\":\"" BP_BILLING "\"},"
    "{\"kind\":\"record_type\",\"id\":\"" RT_SUPPORT "\",\"label\":\"Support\",\"name\":"
    "\"Support\",\"default\":true,\"process_id\":\"" BP_SUPPORT "\"},"
    "{\"kind\":\"record_type\",\"id\":\"" RT_EMEA "\",\"label\":\"Support EMEA\",\"name\":"
    "\"Support_EMEA\",\"default\":false,\"process_id\":\"" BP_SUPPORT "\"},"
    "{\"kind\":\"process\",\"id\":\"" BP_BILLING "\",\"name\":\"Billing Process\"},"
    "{\"kind\":\"process\",\"id\":\"" BP_SUPPORT
    "\",\"name\":\"Support Process\"}," ST("New", "false") "," ST("Working", "false") "," ST(
        "On Hold", "false") "," ST("Closed", "true") "]";

struct built {
    struct sync_stages map;
    json_t *report;
};

static void build(struct built *b, const char *hs, const char *sf, const char *configured)
{
    json_t *h = parse(hs), *s = parse(sf), *c = configured ? parse(configured) : NULL;

    memset(b, 0, sizeof(*b));
    cr_assert_eq(sync_ticketmap_build(&b->map, &b->report, h, s, c), SYNC_OK);
    cr_assert_not_null(b->report);
    json_decref(h);
    json_decref(s);
    json_decref(c);
}

static void release(struct built *b)
{
    sync_stages_release(&b->map);
    json_decref(b->report);
}

/* The ticket stage a case of record type rt in status sf_stage maps to, with its pipeline; NULL
 * when it has no row. */
static const struct sync_plan_stage *row(const struct built *b, const char *rt,
                                         const char *sf_stage)
{
    for (size_t i = 0; i < b->map.map.n; i++)
        if (strcmp(b->map.map.items[i].sf_record_type, rt) == 0 &&
            strcmp(b->map.map.items[i].sf_stage, sf_stage) == 0)
            return &b->map.map.items[i];
    return NULL;
}

static size_t rows_of(const struct built *b, const char *rt)
{
    size_t n = 0;
    for (size_t i = 0; i < b->map.map.n; i++)
        n += strcmp(b->map.map.items[i].sf_record_type, rt) == 0;
    return n;
}

/* The report's entry of a process. */
static const json_t *process(const struct built *b, const char *name)
{
    const json_t *p;
    size_t i;
    json_array_foreach(json_object_get(b->report, "processes"), i, p)
    {
        if (strcmp(sync_json_str(p, "process"), name) == 0)
            return p;
    }
    cr_assert_fail("no process %s in the report", name);
    return NULL;
}

/* The report's entry of one status of a process. */
static const json_t *status(const struct built *b, const char *proc, const char *st)
{
    const json_t *s;
    size_t i;
    json_array_foreach(json_object_get(process(b, proc), "statuses"), i, s)
    {
        if (strcmp(sync_json_str(s, "status"), st) == 0)
            return s;
    }
    cr_assert_fail("no status %s of %s in the report", st, proc);
    return NULL;
}

static void assert_row(const struct built *b, const char *rt, const char *sf_stage,
                       const char *pipeline, const char *stage, int closed)
{
    const struct sync_plan_stage *s = row(b, rt, sf_stage);
    cr_assert_not_null(s, "no row for %s / %s", rt[0] ? rt : "(none)", sf_stage);
    cr_assert_str_eq(s->hs_pipeline, pipeline, "%s / %s", rt, sf_stage);
    cr_assert_str_eq(s->hs_stage, stage, "%s / %s", rt, sf_stage);
    cr_assert_eq(s->closed, closed, "%s / %s", rt, sf_stage);
}

Test(ticketmap, the_default_process_takes_pipeline_0_and_statuses_pair_by_label_and_state)
{
    struct built b;

    build(&b, "[" SUPPORT_PIPELINE "]", sf_org, NULL);
    assert_row(&b, RT_SUPPORT, "New", "0", "1", 0);
    assert_row(&b, RT_SUPPORT, "Closed", "0", "4", 1);
    cr_assert_str_eq(sync_json_str(process(&b, "Support Process"), "pipeline_how"), "default");
    cr_assert_str_eq(sync_json_str(status(&b, "Support Process", "New"), "how"), "label");
    cr_assert_str_eq(sync_json_str(status(&b, "Support Process", "Closed"), "how"), "label");
    cr_assert_str_eq(sync_json_str(status(&b, "Support Process", "Closed"), "stage_label"),
                     "Closed");
    release(&b);
}

Test(ticketmap, rows_come_per_record_type_of_the_process_and_blank_for_the_default_process)
{
    struct built b;

    build(&b, "[" SUPPORT_PIPELINE "]", sf_org, NULL);
    /* Support and Support EMEA share the process; a case without a record type is the default
     * record type's process */
    assert_row(&b, RT_EMEA, "New", "0", "1", 0);
    assert_row(&b, RT_EMEA, "Closed", "0", "4", 1);
    assert_row(&b, "", "New", "0", "1", 0);
    assert_row(&b, "", "Closed", "0", "4", 1);
    cr_assert_eq(rows_of(&b, RT_SUPPORT), 2);
    cr_assert_eq(rows_of(&b, RT_EMEA), 2);
    cr_assert_eq(rows_of(&b, ""), 2);
    cr_assert_eq(rows_of(&b, RT_BILLING), 0, "Billing Process has no pipeline");
    cr_assert_eq(b.map.map.n, 6);
    cr_assert_eq(json_array_size(json_object_get(process(&b, "Support Process"), "record_types")),
                 2);
    release(&b);
}

Test(ticketmap, leftover_processes_and_statuses_stay_unmapped_and_are_counted)
{
    struct built b;
    const json_t *billing;

    build(&b, "[" SUPPORT_PIPELINE "]", sf_org, NULL);
    cr_assert_null(row(&b, RT_SUPPORT, "Working"), "no stage is labelled Working");
    cr_assert_null(row(&b, RT_SUPPORT, "On Hold"));
    cr_assert_null(json_object_get(status(&b, "Support Process", "Working"), "stage"));
    billing = process(&b, "Billing Process");
    cr_assert_null(json_object_get(billing, "pipeline"), "pipeline 0 is Support's");
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(b.report, "unmapped"), "processes")), 1);
    /* Support: Working and On Hold; Billing: all four (no pipeline) */
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(b.report, "unmapped"), "statuses")), 6);
    release(&b);
}

Test(ticketmap, a_pipeline_labelled_like_the_process_or_its_stem_takes_it)
{
    static const char *const labels[] = {"Billing", "billing process", "BILLING-PROCESS"};

    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        char hs[2048];
        struct built b;
        snprintf(hs, sizeof(hs),
                 "[" SUPPORT_PIPELINE "," HS("77", "%s", "1", "71", "new", "false") "," HS(
                     "77", "%s", "1", "72", "On hold", "false") "," HS("77", "%s", "1", "73",
                                                                       "Done", "true") "]",
                 labels[i], labels[i], labels[i]);
        build(&b, hs, sf_org, NULL);
        cr_assert_str_eq(sync_json_str(process(&b, "Billing Process"), "pipeline"), "77", "%s",
                         labels[i]);
        cr_assert_str_eq(sync_json_str(process(&b, "Billing Process"), "pipeline_how"), "label");
        assert_row(&b, RT_BILLING, "New", "77", "71", 0);
        assert_row(&b, RT_BILLING, "On Hold", "77", "72", 0);
        assert_row(&b, RT_BILLING, "Closed", "77", "73", 1);
        cr_assert_str_eq(sync_json_str(status(&b, "Billing Process", "Closed"), "how"), "closed");
        assert_row(&b, RT_SUPPORT, "New", "0", "1", 0);
        release(&b);
    }
}

Test(ticketmap, a_process_name_without_a_separator_still_matches_its_stem)
{
    static const char *const sf =
        "[{\"kind\":\"record_type\",\"id\":\"" RT_BILLING "\",\"label\":\"Billing\","
        "\"default\":true,\"process_id\":\"" BP_BILLING "\"},"
        "{\"kind\":\"process\",\"id\":\"" BP_BILLING
        "\",\"name\":\"BillingProcess\"}," ST("New", "false") "]";
    struct built b;

    build(&b, "[" SUPPORT_PIPELINE "," HS("77", "Billing", "1", "71", "New", "false") "]", sf,
          NULL);
    cr_assert_str_eq(sync_json_str(process(&b, "BillingProcess"), "pipeline"), "77");
    cr_assert_str_eq(sync_json_str(process(&b, "BillingProcess"), "pipeline_how"), "label");
    release(&b);
}

Test(ticketmap, a_status_pairs_by_label_only_when_open_and_closed_agree)
{
    struct built b;

    /* "Closed" is an open stage here, and there are two closed ones: nothing for Closed */
    build(&b,
          "[" HS("0", "Support", "0", "1", "New", "false") "," HS(
              "0", "Support", "0", "2", "Closed",
              "false") "," HS("0", "Support", "0", "3", "Solved",
                              "true") "," HS("0", "Support", "0", "4", "Rejected", "true") "]",
          sf_org, NULL);
    cr_assert_null(row(&b, RT_SUPPORT, "Closed"), "an open stage never takes a closed status");
    assert_row(&b, RT_SUPPORT, "New", "0", "1", 0);
    release(&b);

    /* and a closed stage never takes an open status of its label */
    build(&b,
          "[" HS("0", "Support", "0", "1", "New", "true") "," HS("0", "Support", "0", "2", "Open",
                                                                 "false") "]",
          sf_org, NULL);
    cr_assert_null(row(&b, RT_SUPPORT, "New"));
    release(&b);
}

Test(ticketmap, a_closed_status_without_a_label_match_takes_the_only_closed_stage)
{
    struct built b;

    build(&b,
          "[" HS("0", "Support", "0", "1", "New",
                 "false") "," HS("0", "Support", "0", "2", "Waiting",
                                 "false") "," HS("0", "Support", "0", "9", "Done", "true") "]",
          sf_org, NULL);
    assert_row(&b, RT_SUPPORT, "Closed", "0", "9", 1);
    cr_assert_str_eq(sync_json_str(status(&b, "Support Process", "Closed"), "how"), "closed");
    cr_assert_null(row(&b, RT_SUPPORT, "Working"), "never an open status");
    release(&b);
}

Test(ticketmap, the_admins_choices_come_first)
{
    struct built b;

    /* Support Process by name to pipeline 77, whose statuses would not pair by label; Billing
     * Process by id to pipeline 0, with Working configured and New left to the label rule */
    build(&b,
          "[" SUPPORT_PIPELINE "," HS("77", "Escalations", "1", "71", "Triage", "false") "," HS(
              "77", "Escalations", "1", "72", "Fixed", "true") "]",
          sf_org,
          "{\"processes\":{\"Support Process\":\"77\",\"" BP_BILLING "\":\"0\"},"
          "\"stages\":{\"77\":{\"New\":\"71\",\"Working\":\"71\"},\"0\":{\"On Hold\":\"2\"}}}");
    cr_assert_str_eq(sync_json_str(process(&b, "Support Process"), "pipeline_how"), "configured");
    cr_assert_str_eq(sync_json_str(process(&b, "Billing Process"), "pipeline_how"), "configured");
    assert_row(&b, RT_SUPPORT, "New", "77", "71", 0);
    assert_row(&b, RT_SUPPORT, "Working", "77", "71", 0);
    assert_row(&b, RT_SUPPORT, "Closed", "77", "72", 1);
    assert_row(&b, "", "Working", "77", "71", 0);
    cr_assert_str_eq(sync_json_str(status(&b, "Support Process", "Working"), "how"), "configured");
    cr_assert_str_eq(sync_json_str(status(&b, "Support Process", "Closed"), "how"), "closed");
    assert_row(&b, RT_BILLING, "On Hold", "0", "2", 0);
    assert_row(&b, RT_BILLING, "New", "0", "1", 0);
    assert_row(&b, RT_BILLING, "Closed", "0", "4", 1);
    cr_assert_str_eq(sync_json_str(status(&b, "Billing Process", "On Hold"), "how"), "configured");
    cr_assert_str_eq(sync_json_str(status(&b, "Billing Process", "New"), "how"), "label");
    release(&b);
}

Test(ticketmap, a_choice_naming_a_pipeline_or_stage_that_is_gone_falls_back_to_the_rules)
{
    struct built b;

    build(&b, "[" SUPPORT_PIPELINE "]", sf_org,
          "{\"processes\":{\"Support Process\":\"99\"},\"stages\":{\"0\":{\"New\":\"99\"}}}");
    cr_assert_str_eq(sync_json_str(process(&b, "Support Process"), "pipeline_how"), "default");
    assert_row(&b, RT_SUPPORT, "New", "0", "1", 0);
    cr_assert_str_eq(sync_json_str(status(&b, "Support Process", "New"), "how"), "label");
    release(&b);
}

Test(ticketmap, pipeline_0_is_the_default_even_when_another_is_listed_first)
{
    struct built b;

    build(&b,
          "[" HS("55", "Other", "0", "51", "New", "false") "," HS("0", "Support Pipeline", "3", "1",
                                                                  "New", "false") "]",
          sf_org, NULL);
    cr_assert_str_eq(sync_json_str(process(&b, "Support Process"), "pipeline"), "0");
    assert_row(&b, RT_SUPPORT, "New", "0", "1", 0);
    release(&b);

    /* without a pipeline 0, the lowest display order */
    build(&b,
          "[" HS("55", "Other", "4", "51", "New", "false") "," HS("56", "First", "1", "61", "New",
                                                                  "false") "]",
          sf_org, NULL);
    cr_assert_str_eq(sync_json_str(process(&b, "Support Process"), "pipeline"), "56");
    release(&b);
}

Test(ticketmap, a_pipeline_taken_by_label_is_not_also_the_default)
{
    struct built b;

    /* pipeline 0 is labelled Billing: Billing Process takes it, and Support has none */
    build(&b,
          "[" HS("0", "Billing", "0", "1", "New", "false") "," HS("0", "Billing", "0", "4",
                                                                  "Closed", "true") "]",
          sf_org, NULL);
    cr_assert_str_eq(sync_json_str(process(&b, "Billing Process"), "pipeline"), "0");
    cr_assert_null(json_object_get(process(&b, "Support Process"), "pipeline"));
    assert_row(&b, RT_BILLING, "New", "0", "1", 0);
    cr_assert_eq(rows_of(&b, RT_SUPPORT), 0);
    cr_assert_eq(rows_of(&b, ""), 0, "cases without a record type are Support's");
    release(&b);
}

Test(ticketmap, an_org_without_record_types_has_one_process_for_every_case)
{
    struct built b;

    build(&b, "[" SUPPORT_PIPELINE "]", "[" ST("New", "false") "," ST("Closed", "true") "]", NULL);
    cr_assert_eq(json_array_size(json_object_get(b.report, "processes")), 1);
    cr_assert_str_eq(sync_json_str(process(&b, ""), "pipeline"), "0");
    assert_row(&b, "", "New", "0", "1", 0);
    assert_row(&b, "", "Closed", "0", "4", 1);
    cr_assert_eq(b.map.map.n, 2);
    release(&b);
}

Test(ticketmap, no_pipelines_means_nothing_is_mapped)
{
    struct built b;

    build(&b, "[]", sf_org, NULL);
    cr_assert_eq(b.map.map.n, 0);
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(b.report, "unmapped"), "processes")), 2);
    release(&b);
}
