/* Tests emulators/hubspot/search.c: the search filter evaluator (every operator, per property
 * type), wildcard tokens and free-text queries. */
#include <criterion/criterion.h>

#include "emulators/hubspot/portal.h"

static int m(enum hs_ptype t, unsigned flags, const char *op, const char *stored, const char *value)
{
    return search_value_matches(t, flags, (enum hs_op)search_op_parse(op), stored, value, NULL,
                                NULL, 0);
}

Test(search, every_operator_name_parses_and_unknown_ones_do_not)
{
    const char *ops[] = {"EQ",
                         "NEQ",
                         "LT",
                         "LTE",
                         "GT",
                         "GTE",
                         "BETWEEN",
                         "IN",
                         "NOT_IN",
                         "HAS_PROPERTY",
                         "NOT_HAS_PROPERTY",
                         "CONTAINS_TOKEN",
                         "NOT_CONTAINS_TOKEN"};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        cr_assert_eq(search_op_parse(ops[i]), (int)i, "%s", ops[i]);
    cr_assert_eq(search_op_parse("LIKE"), -1);
    cr_assert_eq(search_op_parse("eq"), -1);
    cr_assert_eq(search_op_parse(NULL), -1);
}

Test(search, eq_on_strings_ignores_case_but_enumerations_do_not)
{
    cr_assert(m(HS_PT_STRING, 0, "EQ", "Ada", "ada"));
    cr_assert(m(HS_PT_STRING, 0, "EQ", "ada@example.com", "ADA@EXAMPLE.COM"));
    cr_assert_not(m(HS_PT_STRING, 0, "EQ", "Ada", "Adam"));
    cr_assert(m(HS_PT_ENUM, 0, "EQ", "lead", "lead"));
    cr_assert_not(m(HS_PT_ENUM, 0, "EQ", "lead", "LEAD"));
}

Test(search, unset_values_match_only_the_negative_operators)
{
    cr_assert_not(m(HS_PT_STRING, 0, "EQ", NULL, "x"));
    cr_assert(m(HS_PT_STRING, 0, "NEQ", NULL, "x"));
    cr_assert_not(m(HS_PT_NUMBER, 0, "GT", NULL, "1"));
    cr_assert_not(m(HS_PT_STRING, 0, "HAS_PROPERTY", NULL, NULL));
    cr_assert_not(m(HS_PT_STRING, 0, "HAS_PROPERTY", "", NULL));
    cr_assert(m(HS_PT_STRING, 0, "NOT_HAS_PROPERTY", NULL, NULL));
    cr_assert(m(HS_PT_STRING, 0, "HAS_PROPERTY", "x", NULL));
    cr_assert(m(HS_PT_STRING, 0, "NOT_CONTAINS_TOKEN", NULL, "x"));
}

Test(search, numbers_compare_numerically_not_as_text)
{
    cr_assert(m(HS_PT_NUMBER, 0, "GT", "10", "9"));
    cr_assert(m(HS_PT_NUMBER, 0, "LT", "9.5", "10"));
    cr_assert(m(HS_PT_NUMBER, 0, "EQ", "100.0", "100"));
    cr_assert(m(HS_PT_NUMBER, 0, "GTE", "5", "5"));
    cr_assert(m(HS_PT_NUMBER, 0, "LTE", "-3", "-3"));
    cr_assert_not(m(HS_PT_NUMBER, 0, "LT", "5", "5"));
    cr_assert_not(m(HS_PT_NUMBER, 0, "GT", "abc", "1"));
}

Test(search, datetimes_compare_against_epoch_milliseconds_or_iso)
{
    const char *stored = "2024-01-17T19:55:04.281Z"; /* 1705521304281 */
    cr_assert(m(HS_PT_DATETIME, 0, "GTE", stored, "1705521304281"));
    cr_assert(m(HS_PT_DATETIME, 0, "EQ", stored, "1705521304281"));
    cr_assert_not(m(HS_PT_DATETIME, 0, "GT", stored, "1705521304281"));
    cr_assert(m(HS_PT_DATETIME, 0, "LT", stored, "2024-01-18T00:00:00Z"));
    cr_assert(m(HS_PT_DATE, 0, "EQ", "2015-05-01", "1430438400000"));
}

Test(search, between_is_inclusive_at_both_ends)
{
    enum hs_op op = HS_OP_BETWEEN;
    cr_assert(search_value_matches(HS_PT_NUMBER, 0, op, "10", "10", "20", NULL, 0));
    cr_assert(search_value_matches(HS_PT_NUMBER, 0, op, "20", "10", "20", NULL, 0));
    cr_assert(search_value_matches(HS_PT_NUMBER, 0, op, "15", "10", "20", NULL, 0));
    cr_assert_not(search_value_matches(HS_PT_NUMBER, 0, op, "21", "10", "20", NULL, 0));
    cr_assert_not(search_value_matches(HS_PT_NUMBER, 0, op, "15", "10", NULL, NULL, 0));
    cr_assert(search_value_matches(HS_PT_DATETIME, 0, op, "2022-01-01T00:00:00.000Z",
                                   "1579514400000", "1642672800000", NULL, 0));
}

Test(search, in_on_strings_needs_lower_case_values)
{
    const char *lower[] = {"ada", "grace"};
    const char *upper[] = {"Ada"};
    cr_assert(search_value_matches(HS_PT_STRING, 0, HS_OP_IN, "Ada", NULL, NULL, lower, 2));
    cr_assert_not(search_value_matches(HS_PT_STRING, 0, HS_OP_IN, "Ada", NULL, NULL, upper, 1));
    cr_assert(search_value_matches(HS_PT_STRING, 0, HS_OP_NOT_IN, "Linus", NULL, NULL, lower, 2));
    cr_assert_not(
        search_value_matches(HS_PT_STRING, 0, HS_OP_NOT_IN, "grace", NULL, NULL, lower, 2));
}

Test(search, in_on_enumerations_is_exact_and_multi_checkbox_matches_any_part)
{
    const char *vals[] = {"lead", "customer"};
    const char *issue[] = {"BILLING_ISSUE"};
    cr_assert(search_value_matches(HS_PT_ENUM, 0, HS_OP_IN, "customer", NULL, NULL, vals, 2));
    cr_assert_not(search_value_matches(HS_PT_ENUM, 0, HS_OP_IN, "Customer", NULL, NULL, vals, 2));
    cr_assert(search_value_matches(HS_PT_ENUM, HS_PF_MULTI, HS_OP_IN, "PRODUCT_ISSUE;BILLING_ISSUE",
                                   NULL, NULL, issue, 1));
    cr_assert(search_value_matches(HS_PT_ENUM, HS_PF_MULTI, HS_OP_EQ, "PRODUCT_ISSUE;BILLING_ISSUE",
                                   "BILLING_ISSUE", NULL, NULL, 0));
}

Test(search, contains_token_matches_words_and_star_wildcards)
{
    cr_assert(m(HS_PT_STRING, 0, "CONTAINS_TOKEN", "Quarterly business review", "business"));
    cr_assert_not(m(HS_PT_STRING, 0, "CONTAINS_TOKEN", "Quarterly business review", "busi"));
    cr_assert(m(HS_PT_STRING, 0, "CONTAINS_TOKEN", "Quarterly business review", "busi*"));
    cr_assert(m(HS_PT_STRING, 0, "CONTAINS_TOKEN", "ada@hubspot.com", "*@hubspot.com"));
    cr_assert_not(m(HS_PT_STRING, 0, "CONTAINS_TOKEN", "ada@example.com", "*@hubspot.com"));
    cr_assert(m(HS_PT_STRING, 0, "NOT_CONTAINS_TOKEN", "ada@example.com", "*@hubspot.com"));
}

Test(search, glob_star_matches_any_run_without_case)
{
    cr_assert(search_glob("*", ""));
    cr_assert(search_glob("a*c", "ABC"));
    cr_assert(search_glob("a*c", "ac"));
    cr_assert(search_glob("*b*", "abc"));
    cr_assert_not(search_glob("a*d", "abc"));
    cr_assert_not(search_glob("abc", "abcd"));
}

Test(search, query_needs_every_word_somewhere_in_the_searched_values)
{
    const char *vals[] = {"Ada", "Lovelace", "ada@example.com", NULL};
    cr_assert(search_query_matches("ada", vals, 4));
    cr_assert(search_query_matches("Ada love", vals, 4));
    cr_assert(search_query_matches("example.com", vals, 4));
    cr_assert_not(search_query_matches("ada hopper", vals, 4));
    cr_assert(search_query_matches("", vals, 4));
}
