/*
 * Tests src/engine/rules.c: every rule against every combination of one
 * side changed, both changed, blank, cleared and echo, with and without a
 * ledger agreement.
 */
#include <criterion/criterion.h>

#include "engine/rules.h"

#define KEEP SYNC_FIELD_KEEP
#define TO_HS SYNC_FIELD_TO_HS
#define TO_SF SYNC_FIELD_TO_SF

enum { PSF, ASF, TWO, DONT, PHS, AHS };

struct expect {
    enum sync_field_action action;
    const char *value;
};

struct row {
    const char *name;
    int has_agreed;
    const char *agreed, *hs, *sf;
    int64_t hs_at, sf_at;
    int conflict;
    struct expect want[6]; /* per rule, in enum order */
};

static const struct row rows[] = {
    {"echo",
     1,
     "A",
     "A",
     "A",
     1,
     1,
     0,
     {{KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}}},
    {"hubspot_changed",
     1,
     "A",
     "B",
     "A",
     2,
     1,
     0,
     {{TO_HS, "A"}, {TO_HS, "A"}, {TO_SF, "B"}, {KEEP, NULL}, {TO_SF, "B"}, {TO_SF, "B"}}},
    {"salesforce_changed",
     1,
     "A",
     "A",
     "B",
     1,
     2,
     0,
     {{TO_HS, "B"}, {TO_HS, "B"}, {TO_HS, "B"}, {KEEP, NULL}, {TO_SF, "A"}, {TO_SF, "A"}}},
    {"hubspot_cleared",
     1,
     "A",
     NULL,
     "A",
     2,
     1,
     0,
     {{TO_HS, "A"}, {TO_HS, "A"}, {TO_SF, NULL}, {KEEP, NULL}, {TO_SF, NULL}, {TO_SF, NULL}}},
    {"salesforce_cleared",
     1,
     "A",
     "A",
     "",
     1,
     2,
     0,
     {{TO_HS, NULL}, {TO_HS, NULL}, {TO_HS, NULL}, {KEEP, NULL}, {TO_SF, "A"}, {TO_SF, "A"}}},
    {"both_changed_hubspot_later",
     1,
     "A",
     "B",
     "C",
     2000,
     1000,
     1,
     {{TO_HS, "C"}, {TO_HS, "C"}, {TO_SF, "B"}, {KEEP, NULL}, {TO_SF, "B"}, {TO_SF, "B"}}},
    {"both_changed_salesforce_later",
     1,
     "A",
     "B",
     "C",
     1000,
     2000,
     1,
     {{TO_HS, "C"}, {TO_HS, "C"}, {TO_HS, "C"}, {KEEP, NULL}, {TO_SF, "B"}, {TO_SF, "B"}}},
    {"both_changed_same_instant_goes_to_salesforce",
     1,
     "A",
     "B",
     "C",
     1000,
     1000,
     1,
     {{TO_HS, "C"}, {TO_HS, "C"}, {TO_HS, "C"}, {KEEP, NULL}, {TO_SF, "B"}, {TO_SF, "B"}}},
    {"both_changed_to_the_same_value",
     1,
     "A",
     "B",
     "B",
     1,
     2,
     0,
     {{KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}}},
    {"blank_everywhere",
     1,
     NULL,
     NULL,
     "",
     1,
     1,
     0,
     {{KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}}},
    {"hubspot_filled_a_blank",
     1,
     "",
     "B",
     NULL,
     2,
     1,
     0,
     {{TO_SF, "B"}, {KEEP, NULL}, {TO_SF, "B"}, {KEEP, NULL}, {TO_SF, "B"}, {TO_SF, "B"}}},
    {"salesforce_filled_a_blank",
     1,
     NULL,
     NULL,
     "C",
     1,
     2,
     0,
     {{TO_HS, "C"}, {TO_HS, "C"}, {TO_HS, "C"}, {KEEP, NULL}, {TO_HS, "C"}, {KEEP, NULL}}},
    {"salesforce_cleared_later_than_hubspot_set",
     1,
     "A",
     "B",
     NULL,
     1000,
     2000,
     1,
     {{TO_HS, NULL}, {TO_HS, NULL}, {TO_HS, NULL}, {KEEP, NULL}, {TO_SF, "B"}, {TO_SF, "B"}}},
    {"hubspot_set_later_than_salesforce_cleared",
     1,
     "A",
     "B",
     NULL,
     3000,
     2000,
     1,
     {{TO_SF, "B"}, {TO_HS, NULL}, {TO_SF, "B"}, {KEEP, NULL}, {TO_SF, "B"}, {TO_SF, "B"}}},
    {"first_sync_both_set_hubspot_later",
     0,
     NULL,
     "B",
     "C",
     2000,
     1000,
     1,
     {{TO_HS, "C"}, {TO_HS, "C"}, {TO_SF, "B"}, {KEEP, NULL}, {TO_SF, "B"}, {TO_SF, "B"}}},
    {"first_sync_only_hubspot_set",
     0,
     NULL,
     "B",
     NULL,
     2000,
     1000,
     0,
     {{TO_SF, "B"}, {KEEP, NULL}, {TO_SF, "B"}, {KEEP, NULL}, {TO_SF, "B"}, {TO_SF, "B"}}},
    {"first_sync_only_salesforce_set",
     0,
     NULL,
     "",
     "C",
     2000,
     1000,
     0,
     {{TO_HS, "C"}, {TO_HS, "C"}, {TO_HS, "C"}, {KEEP, NULL}, {TO_HS, "C"}, {KEEP, NULL}}},
    {"first_sync_same_values",
     0,
     NULL,
     "C",
     "C",
     2000,
     1000,
     0,
     {{KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}, {KEEP, NULL}}},
};

static void check_row(const struct row *r)
{
    for (int rule = 0; rule < SYNC_RULE__COUNT; rule++) {
        struct sync_field_state st = {.hs = r->hs,
                                      .hs_at = r->hs_at,
                                      .sf = r->sf,
                                      .sf_at = r->sf_at,
                                      .has_agreed = r->has_agreed,
                                      .agreed = r->agreed};
        struct sync_field_decision d;
        const struct expect *w = &r->want[rule];

        sync_rule_decide((enum sync_rule)rule, &st, &d);
        cr_expect_eq(d.action, w->action, "%s / %s: action %d, want %d (%s)", r->name,
                     sync_rule_name(rule), d.action, w->action, d.why);
        if (w->value)
            cr_expect(d.value && strcmp(d.value, w->value) == 0, "%s / %s: value %s, want %s",
                      r->name, sync_rule_name(rule), d.value ? d.value : "(null)", w->value);
        else
            cr_expect_null(d.value, "%s / %s: value %s, want a clear", r->name,
                           sync_rule_name(rule), d.value);
        cr_expect_eq(d.conflict, r->conflict, "%s / %s: conflict flag", r->name,
                     sync_rule_name(rule));
        cr_expect(d.why && d.why[0], "%s / %s: no reason given", r->name, sync_rule_name(rule));
        cr_expect_eq(d.agree, sync_value_eq(r->hs, r->sf), "%s: agree flag", r->name);
    }
}

Test(rules, every_rule_against_every_change_combination)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        check_row(&rows[i]);
}

Test(rules, echo_of_our_own_write_is_never_written_back)
{
    /* we wrote B to Salesforce; the ledger holds B; both sides now read B */
    struct sync_field_state st = {.hs = "B", .sf = "B", .has_agreed = 1, .agreed = "B"};
    struct sync_field_decision d;
    for (int rule = 0; rule < SYNC_RULE__COUNT; rule++) {
        sync_rule_decide((enum sync_rule)rule, &st, &d);
        cr_assert_eq(d.action, KEEP);
        cr_assert_str_eq(d.why, "unchanged since the last agreement (echo)");
    }
}

Test(rules, owner_first_sync_lets_salesforce_win_a_two_way_field)
{
    struct sync_field_state st = {.hs = "owner-hs",
                                  .hs_at = 5000,
                                  .sf = "owner-sf",
                                  .sf_at = 1,
                                  .first_sync_winner = SYNC_SIDE_SALESFORCE};
    struct sync_field_decision d;
    sync_rule_decide(SYNC_RULE_TWO_WAY, &st, &d);
    cr_assert_eq(d.action, TO_HS);
    cr_assert_str_eq(d.value, "owner-sf");
    /* after the first sync the later change wins again */
    st.has_agreed = 1;
    st.agreed = "owner-old";
    sync_rule_decide(SYNC_RULE_TWO_WAY, &st, &d);
    cr_assert_eq(d.action, TO_SF);
}

Test(rules, names_round_trip_and_unknown_names_are_refused)
{
    enum sync_rule r;
    for (int i = 0; i < SYNC_RULE__COUNT; i++) {
        cr_assert_eq(sync_rule_parse(sync_rule_name(i), &r), 0);
        cr_assert_eq(r, i);
    }
    cr_assert_eq(sync_rule_parse("Prefer Salesforce unless blank", &r), 0);
    cr_assert_eq(r, SYNC_RULE_PREFER_SF_UNLESS_BLANK);
    cr_assert_eq(sync_rule_parse("two-way", &r), 0);
    cr_assert_eq(r, SYNC_RULE_TWO_WAY);
    cr_assert_eq(sync_rule_parse("sometimes", &r), -1);
    cr_assert_eq(sync_rule_parse("", &r), -1);
}
