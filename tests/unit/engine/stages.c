/*
 * Tests src/engine/stages.c: the deal stage map built from HubSpot's
 * pipelines and Salesforce's record types and stages, pre-filled by
 * matching labels, with configured entries first.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/json.h"
#include "engine/stages.h"

static json_t *parse(const char *text)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *j = sync_json_parse(text, strlen(text), &err);
    cr_assert_not_null(j, "%s", err.message);
    return j;
}

/* A HubSpot stage row. */
#define HS(p, pl, s, sl)                                                                           \
    "{\"kind\":\"stage\",\"pipeline\":\"" p "\",\"pipeline_label\":\"" pl "\",\"stage\":\"" s      \
    "\",\"stage_label\":\"" sl "\"}"

static const char *const sf_org =
    "[{\"kind\":\"record_type\",\"id\":\"012Hs0000000001IAA\",\"label\":\"New Business\","
    "\"name\":\"New_Business\",\"default\":true},"
    "{\"kind\":\"record_type\",\"id\":\"012Hs0000000002IAA\",\"label\":\"Renewal\","
    "\"name\":\"Renewal\",\"default\":false},"
    "{\"kind\":\"stage\",\"stage\":\"Prospecting\",\"stage_label\":\"Prospecting\","
    "\"closed\":false,\"won\":false},"
    "{\"kind\":\"stage\",\"stage\":\"Closed Won\",\"stage_label\":\"Closed Won\","
    "\"closed\":true,\"won\":true},"
    "{\"kind\":\"stage\",\"stage\":\"Closed Lost\",\"stage_label\":\"Closed Lost\","
    "\"closed\":true,\"won\":false}]";

static const struct sync_plan_stage *find(const struct sync_stages *s, const char *pipeline,
                                          const char *stage)
{
    for (size_t i = 0; i < s->map.n; i++)
        if (strcmp(s->map.items[i].hs_pipeline, pipeline) == 0 &&
            strcmp(s->map.items[i].hs_stage, stage) == 0)
            return &s->map.items[i];
    return NULL;
}

Test(stages, a_pipeline_pairs_with_the_record_type_of_its_label_and_stages_by_label)
{
    json_t *hs = parse("[" HS("77", "Renewal", "s1", "prospecting") "," HS(
        "77", "Renewal", "s2", "Closed-Won") "," HS("77", "Renewal", "s3", "Demo booked") "]");
    json_t *sf = parse(sf_org);
    struct sync_stages st;
    const struct sync_plan_stage *s;

    memset(&st, 0, sizeof(st));
    cr_assert_eq(sync_stages_build(&st, hs, sf, NULL), SYNC_OK);
    cr_assert_eq(st.map.n, 2, "a stage with no Salesforce label has no entry");
    s = find(&st, "77", "s1");
    cr_assert_not_null(s);
    cr_assert_str_eq(s->sf_record_type, "012Hs0000000002IAA");
    cr_assert_str_eq(s->sf_stage, "Prospecting", "labels compare ignoring case");
    s = find(&st, "77", "s2");
    cr_assert_not_null(s);
    cr_assert_str_eq(s->sf_stage, "Closed Won", "and punctuation");
    cr_assert(s->closed && s->won, "closed and won come from Salesforce");
    cr_assert_null(find(&st, "77", "s3"));
    sync_stages_release(&st);
    json_decref(hs);
    json_decref(sf);
}

Test(stages, the_default_pipeline_pairs_with_the_default_record_type)
{
    json_t *hs = parse("[" HS("default", "Sales Pipeline", "closedwon",
                              "Closed Won") "," HS("9", "Partners", "p1", "Prospecting") "]");
    json_t *sf = parse(sf_org);
    struct sync_stages st;
    const struct sync_plan_stage *s;

    memset(&st, 0, sizeof(st));
    cr_assert_eq(sync_stages_build(&st, hs, sf, NULL), SYNC_OK);
    s = find(&st, "default", "closedwon");
    cr_assert_not_null(s);
    cr_assert_str_eq(s->sf_record_type, "012Hs0000000001IAA");
    cr_assert_null(find(&st, "9", "p1"), "a pipeline with no record type of its label is unmapped");
    sync_stages_release(&st);
    json_decref(hs);
    json_decref(sf);
}

Test(stages, a_pipeline_named_after_the_default_record_type_keeps_it)
{
    json_t *hs = parse("[" HS("default", "Sales Pipeline", "closedwon",
                              "Closed Won") "," HS("9", "New Business", "p1", "Prospecting") "]");
    json_t *sf = parse(sf_org);
    struct sync_stages st;

    memset(&st, 0, sizeof(st));
    cr_assert_eq(sync_stages_build(&st, hs, sf, NULL), SYNC_OK);
    cr_assert_not_null(find(&st, "9", "p1"));
    cr_assert_str_eq(find(&st, "9", "p1")->sf_record_type, "012Hs0000000001IAA");
    cr_assert_null(find(&st, "default", "closedwon"),
                   "the default pipeline's fallback record type is taken");
    sync_stages_release(&st);
    json_decref(hs);
    json_decref(sf);
}

Test(stages, an_org_without_record_types_maps_the_default_pipeline_to_none)
{
    json_t *hs = parse("[" HS("default", "Sales Pipeline", "closedlost", "Closed Lost") "]");
    json_t *sf = parse("[{\"kind\":\"stage\",\"stage\":\"Closed Lost\",\"stage_label\":\"Closed "
                       "Lost\",\"closed\":true,\"won\":false}]");
    struct sync_stages st;
    const struct sync_plan_stage *s;

    memset(&st, 0, sizeof(st));
    cr_assert_eq(sync_stages_build(&st, hs, sf, NULL), SYNC_OK);
    s = find(&st, "default", "closedlost");
    cr_assert_not_null(s);
    cr_assert_str_eq(s->sf_record_type, "");
    cr_assert(s->closed && !s->won);
    sync_stages_release(&st);
    json_decref(hs);
    json_decref(sf);
}

Test(stages, configured_entries_win_and_name_record_types_by_api_name)
{
    json_t *hs = parse("[" HS("default", "Sales Pipeline", "appointmentscheduled",
                              "Appointment Scheduled") "," HS("default", "Sales Pipeline",
                                                              "closedwon", "Closed Won") "]");
    json_t *sf = parse(sf_org);
    json_t *cfg = parse("[{\"pipeline\":\"default\",\"record_type\":\"Renewal\",\"stage\":"
                        "\"appointmentscheduled\",\"sf_stage\":\"Prospecting\"},"
                        "{\"pipeline\":\"default\",\"record_type\":\"Renewal\",\"stage\":"
                        "\"x\",\"sf_stage\":\"No Such Stage\"}]");
    struct sync_stages st;
    const struct sync_plan_stage *s;

    memset(&st, 0, sizeof(st));
    cr_assert_eq(sync_stages_build(&st, hs, sf, cfg), SYNC_OK);
    s = find(&st, "default", "appointmentscheduled");
    cr_assert_not_null(s);
    cr_assert_str_eq(s->sf_stage, "Prospecting");
    cr_assert_str_eq(s->sf_record_type, "012Hs0000000002IAA");
    s = find(&st, "default", "closedwon");
    cr_assert_not_null(s, "the rest of a configured pipeline is still matched by label");
    cr_assert_str_eq(s->sf_record_type, "012Hs0000000002IAA", "in the configured record type");
    cr_assert_null(find(&st, "default", "x"), "an entry naming no Salesforce stage is dropped");
    sync_stages_release(&st);
    json_decref(hs);
    json_decref(sf);
    json_decref(cfg);
}
