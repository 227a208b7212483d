/*
 * Tests src/engine/match.c: email normalisation, Salesforce id comparison,
 * the first-bind order (oldest first, Contact before Lead at the same
 * instant), the most-recently-updated rule for later triggers, company
 * matching through contacts and the account-creation rules.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/match.h"

static struct sync_trace t;

static void setup(void)
{
    sync_trace_init(&t, 0);
}

static void teardown(void)
{
    sync_trace_release(&t);
}

TestSuite(match, .init = setup, .fini = teardown);

static struct sync_match_candidate cand(const char *object, const char *id, const char *email,
                                        int64_t created, int64_t modified)
{
    struct sync_match_candidate m;

    memset(&m, 0, sizeof(m));
    m.object = object;
    m.id = id;
    m.email = email;
    m.created_at = created;
    m.modified_at = modified;
    return m;
}

Test(match, email_is_trimmed_and_lower_cased)
{
    char out[64];

    cr_assert_eq(sync_match_email_norm("  Ada@Example.COM \t", out, sizeof(out)), 1);
    cr_assert_str_eq(out, "ada@example.com");
    cr_assert_eq(sync_match_email_norm("", out, sizeof(out)), 0);
    cr_assert_str_eq(out, "");
    cr_assert_eq(sync_match_email_norm(NULL, out, sizeof(out)), 0);
    cr_assert_eq(sync_match_email_norm("   ", out, sizeof(out)), 0);
    cr_assert_eq(sync_match_email_norm("no-at-sign", out, sizeof(out)), 0);
    cr_assert_eq(sync_match_email_norm("a@b.co", out, 4), 0, "too long for the buffer");
}

Test(match, salesforce_ids_compare_in_either_form)
{
    cr_assert(sync_match_same_sf_id("001000000000001", "001000000000001AAA"));
    cr_assert(sync_match_same_sf_id("001000000000001aaa", "001000000000001AAA"));
    cr_assert(!sync_match_same_sf_id("001000000000001", "001000000000002"));
    cr_assert(!sync_match_same_sf_id("001Ab0000000001", "001ab0000000001"), "case matters");
    cr_assert(sync_match_same_sf_id(NULL, ""));
    cr_assert(!sync_match_same_sf_id(NULL, "x"));
    cr_assert(sync_match_same_sf_id("x", "x"));
}

Test(match, eligibility_says_why_not)
{
    struct sync_plan_link mine, other;
    struct sync_match_candidate c = cand("Lead", "L1", "A@x.co", 1, 1);
    const char *why;

    memset(&mine, 0, sizeof(mine));
    memset(&other, 0, sizeof(other));
    strcpy(mine.link_id, "L1");
    strcpy(other.link_id, "L2");
    cr_assert(sync_match_eligible(&c, "a@x.co", NULL, &why));
    cr_assert(!sync_match_eligible(&c, "b@x.co", NULL, &why));
    cr_assert_str_eq(why, "its email differs");
    c.converted = 1;
    cr_assert(!sync_match_eligible(&c, "a@x.co", NULL, &why));
    cr_assert_str_eq(why, "it is a converted lead");
    c.converted = 0;
    c.link = &other;
    cr_assert(!sync_match_eligible(&c, "a@x.co", &mine, &why));
    cr_assert_str_eq(why, "it already syncs with another record");
    c.link = &mine;
    cr_assert(sync_match_eligible(&c, "a@x.co", &mine, &why));
    cr_assert(sync_match_eligible(&c, NULL, &mine, NULL), "companies carry no email");
}

Test(match, first_bind_takes_the_oldest)
{
    struct sync_match_candidate c[3] = {cand("Lead", "L2", "a@x.co", 30, 99),
                                        cand("Contact", "C1", "a@x.co", 20, 1),
                                        cand("Lead", "L1", "a@x.co", 10, 5)};

    cr_assert_eq(sync_match_first(c, 3, "A@X.CO", "contact 1", &t), 2);
    cr_assert(sync_trace_contains(&t, "contact 1: email a@x.co matched Salesforce Lead L1 (first "
                                      "of 3 matches, oldest first)"));
}

Test(match, first_bind_prefers_a_contact_at_the_same_instant_then_the_lower_id)
{
    struct sync_match_candidate c[3] = {cand("Lead", "L1", "a@x.co", 10, 0),
                                        cand("Contact", "C9", "a@x.co", 10, 0),
                                        cand("Contact", "C2", "a@x.co", 10, 0)};

    cr_assert_eq(sync_match_first(c, 3, "a@x.co", "contact 1", &t), 2);
}

Test(match, first_bind_with_nothing_eligible_is_none)
{
    struct sync_match_candidate c[2] = {cand("Lead", "L1", "b@x.co", 10, 0),
                                        cand("Lead", "L2", "a@x.co", 5, 0)};

    c[1].converted = 1;
    cr_assert_eq(sync_match_first(c, 2, "a@x.co", "contact 1", &t), -1);
    cr_assert(sync_trace_contains(&t, "contact 1: Lead L1 passed over: its email differs"));
    cr_assert(sync_trace_contains(&t, "contact 1: Lead L2 passed over: it is a converted lead"));
    cr_assert_eq(sync_match_first(NULL, 0, "a@x.co", "contact 1", &t), -1);
    cr_assert_eq(sync_match_first(c, 2, "", "contact 1", &t), -1);
}

Test(match, later_triggers_take_the_most_recently_updated)
{
    struct sync_plan_link mine;
    struct sync_match_candidate c[3] = {cand("Contact", "C1", "a@x.co", 1, 50),
                                        cand("Lead", "L1", "a@x.co", 2, 70),
                                        cand("Lead", "L2", "a@x.co", 3, 60)};

    memset(&mine, 0, sizeof(mine));
    strcpy(mine.link_id, "Lmine");
    c[0].link = &mine;
    cr_assert_eq(sync_match_latest(c, 3, "a@x.co", &mine), 1);
    c[1].converted = 1;
    cr_assert_eq(sync_match_latest(c, 3, "a@x.co", &mine), 2);
    c[2].modified_at = 50; /* a tie goes to the oldest */
    cr_assert_eq(sync_match_latest(c, 3, "a@x.co", &mine), 0);
}

static struct sync_match_person person(const char *hs, const char *obj, const char *sf,
                                       const char *acc, const char *co, int q)
{
    struct sync_match_person p = {hs, obj, sf, acc, co, q};
    return p;
}

Test(match, company_takes_the_account_most_contacts_share)
{
    struct sync_match_person p[4] = {person("1", "Contact", "C1", "001000000000001", "55", 1),
                                     person("2", "Contact", "C2", "001000000000002AAA", "55", 1),
                                     person("3", "Contact", "C3", "001000000000002", "55", 1),
                                     person("4", "Lead", "L1", "001000000000001", "55", 1)};
    struct sync_match_candidate c[2] = {cand("Account", "001000000000001AAA", NULL, 1, 1),
                                        cand("Account", "001000000000002AAA", NULL, 2, 1)};

    cr_assert_eq(sync_match_company(c, 2, p, 4, 1, "company 55", &t), 1);
    cr_assert(sync_trace_contains(&t, "through 2 associated contacts (never by domain)"));
}

Test(match, company_ties_go_to_the_oldest_and_taken_ones_are_skipped)
{
    struct sync_plan_link other;
    struct sync_match_person p[2] = {person("1", "Contact", "C1", "A1", "55", 1),
                                     person("2", "Contact", "C2", "A2", "55", 1)};
    struct sync_match_candidate c[2] = {cand("Account", "A2", NULL, 5, 1),
                                        cand("Account", "A1", NULL, 9, 1)};

    memset(&other, 0, sizeof(other));
    strcpy(other.link_id, "Lx");
    cr_assert_eq(sync_match_company(c, 2, p, 2, 1, "company 55", &t), 0);
    c[0].link = &other;
    cr_assert_eq(sync_match_company(c, 2, p, 2, 1, "company 55", &t), 1);
    cr_assert(sync_trace_contains(&t, "shares 1 contact but already syncs with another record"));
    c[1].link = &other;
    cr_assert_eq(sync_match_company(c, 2, p, 2, 1, "company 55", &t), -1);
}

Test(match, account_takes_the_company_of_its_contacts)
{
    struct sync_match_person p[3] = {person("1", "Contact", "C1", "A1", "55", 1),
                                     person("2", "Contact", "C2", "A1", "56", 1),
                                     person("3", "Contact", "C3", "A1", "56", 1)};
    struct sync_match_candidate c[2] = {cand("companies", "55", NULL, 1, 1),
                                        cand("companies", "56", NULL, 2, 1)};

    cr_assert_eq(sync_match_company(c, 2, p, 3, 0, "Salesforce Account A1", &t), 1);
    cr_assert_eq(sync_match_company(c, 2, p, 0, 0, "Salesforce Account A1", &t), -1,
                 "never by anything but contacts");
}

Test(match, account_creation_rules)
{
    struct sync_match_person leads[2] = {person("1", "Lead", "L1", NULL, "55", 1),
                                         person("2", NULL, NULL, NULL, "55", 1)};
    struct sync_match_person priv[2] = {person("1", "Lead", "L1", NULL, "55", 1),
                                        person("2", "Contact", "C2", "", "55", 1)};
    struct sync_match_person placed[1] = {person("1", "Contact", "C1", "A1", "55", 1)};
    struct sync_match_person outside[1] = {person("1", "Contact", "C1", NULL, "55", 0)};

    cr_assert_eq(sync_match_company_creates_account(NULL, 0, 0, "company 55", &t), 0);
    cr_assert(sync_trace_contains(&t, "the company has no associated contacts"));
    cr_assert_eq(sync_match_company_creates_account(leads, 2, 0, "company 55", &t), 0);
    cr_assert(sync_trace_contains(&t, "all its contacts sync to Salesforce leads"));
    cr_assert_eq(sync_match_company_creates_account(leads, 2, 1, "company 55", &t), 1);
    cr_assert(sync_trace_contains(&t, "contact 2 will be created as a Salesforce contact"));
    cr_assert_eq(sync_match_company_creates_account(priv, 2, 0, "company 55", &t), 1);
    cr_assert(sync_trace_contains(&t, "Salesforce contact C2, which has no account"));
    cr_assert_eq(sync_match_company_creates_account(placed, 1, 0, "company 55", &t), 0);
    cr_assert(sync_trace_contains(&t, "already belong to accounts that sync with other companies"));
    cr_assert_eq(sync_match_company_creates_account(outside, 1, 0, "company 55", &t), 0);
    cr_assert(sync_trace_contains(&t, "none of its contacts qualifies for the inclusion list"));
}
