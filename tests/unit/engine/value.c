/*
 * Tests src/engine/value.c: every vendor type to canonical text and back,
 * with the edge cases that make sync loops (number spellings, -0, dates
 * near midnight in other offsets, multi-picklist order, blanks) and the
 * errors bad values must produce.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/value.h"

static struct sync_sf_field sf(const char *name, enum sync_sf_type t)
{
    struct sync_sf_field f;
    memset(&f, 0, sizeof(f));
    snprintf(f.object, sizeof(f.object), "Lead");
    snprintf(f.name, sizeof(f.name), "%s", name);
    f.type = t;
    return f;
}

static struct sync_hs_prop hs(const char *name, enum sync_hs_type t, enum sync_hs_field_type ft)
{
    struct sync_hs_prop p;
    memset(&p, 0, sizeof(p));
    snprintf(p.name, sizeof(p.name), "%s", name);
    p.type = t;
    p.field_type = ft;
    return p;
}

static char got[4096];
static struct sync_err err;

/* Canonical text of a Salesforce JSON value, or NULL on error (err holds why). */
static const char *from_sf(const struct sync_sf_field *f, enum sync_vkind k, const char *json)
{
    struct sync_buf b = SYNC_BUF_INIT(1 << 20);
    json_t *v = json ? json_loads(json, JSON_DECODE_ANY, NULL) : NULL;
    enum sync_rc rc;

    cr_assert(!json || v, "bad test JSON %s", json);
    sync_err_clear(&err);
    rc = sync_value_from_sf(f, k, v, &b, &err);
    snprintf(got, sizeof(got), "%s", sync_buf_str(&b));
    json_decref(v);
    sync_buf_release(&b);
    return rc ? NULL : got;
}

static const char *from_hs(const struct sync_hs_prop *p, enum sync_vkind k, const char *s)
{
    struct sync_buf b = SYNC_BUF_INIT(1 << 20);
    enum sync_rc rc;

    sync_err_clear(&err);
    rc = sync_value_from_hs(p, k, s, &b, &err);
    snprintf(got, sizeof(got), "%s", sync_buf_str(&b));
    sync_buf_release(&b);
    return rc ? NULL : got;
}

/* The compact JSON sent to Salesforce, or NULL on error. */
static const char *to_sf(const struct sync_sf_field *f, enum sync_vkind k, const char *c)
{
    json_t *v = NULL;
    char *s;

    sync_err_clear(&err);
    if (sync_value_to_sf(f, k, c, &v, &err))
        return NULL;
    cr_assert(v);
    s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(got, sizeof(got), "%s", s);
    free(s);
    json_decref(v);
    return got;
}

static const char *to_hs(const struct sync_hs_prop *p, enum sync_vkind k, const char *c)
{
    struct sync_buf b = SYNC_BUF_INIT(1 << 20);
    enum sync_rc rc;

    sync_err_clear(&err);
    rc = sync_value_to_hs(p, k, c, &b, &err);
    snprintf(got, sizeof(got), "%s", sync_buf_str(&b));
    sync_buf_release(&b);
    return rc ? NULL : got;
}

#define EQ(expr, want)                                                                             \
    do {                                                                                           \
        const char *g_ = (expr);                                                                   \
        cr_assert(g_, "%s failed: %s", #expr, err.message);                                        \
        cr_assert_str_eq(g_, want, "%s", #expr);                                                   \
    } while (0)
#define FAILS(expr, msg)                                                                           \
    do {                                                                                           \
        cr_assert_null((expr), "%s should fail", #expr);                                           \
        cr_assert_eq(err.rc, SYNC_ERR_INVALID);                                                    \
        cr_assert(strstr(err.message, msg), "%s: message '%s' lacks '%s'", #expr, err.message,     \
                  msg);                                                                            \
    } while (0)

/* ---- numbers ---- */

Test(value, numbers_take_their_shortest_round_trip_spelling)
{
    static const char *const cases[][2] = {
        {"12.50", "12.5"},
        {"3.0", "3"},
        {"3", "3"},
        {"-0", "0"},
        {"-0.0", "0"},
        {"0.000", "0"},
        {"+7", "7"},
        {" 42 ", "42"},
        {".5", "0.5"},
        {"5.", "5"},
        {"1e3", "1000"},
        {"1200", "1200"},
        {"-12.25", "-12.25"},
        {"0.1", "0.1"},
        {"0.000001", "0.000001"},
        {"1e-7", "1e-7"},
        {"1.5E-7", "1.5e-7"},
        {"1e21", "1e+21"},
        {"123456789012345678", "123456789012345680"},
        {"999999999999999999999", "1e+21"},
        {"12345678901234567890", "12345678901234567000"},
        {"100000000000000000000", "100000000000000000000"},
        {"0.30000000000000004", "0.30000000000000004"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"},
    };
    struct sync_buf b = SYNC_BUF_INIT(1024);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_assert_eq(sync_value_number(cases[i][0], &b), SYNC_OK, "%s", cases[i][0]);
        cr_assert_str_eq(sync_buf_str(&b), cases[i][1], "%s", cases[i][0]);
    }
    sync_buf_release(&b);
}

Test(value, refuses_text_that_is_not_a_plain_decimal_number)
{
    static const char *const bad[] = {"",    "abc",   "1,000", "0x10", "inf", "nan",   "1e",
                                      "--1", "1.2.3", "1e999", "$5",   "5%",  "1 000", "."};
    struct sync_buf b = SYNC_BUF_INIT(1024);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(sync_value_number(bad[i], &b), SYNC_ERR_INVALID, "'%s'", bad[i]);
    sync_buf_release(&b);
}

Test(value, salesforce_and_hubspot_spellings_of_one_number_agree)
{
    struct sync_sf_field amount = sf("Amount", SYNC_SFT_CURRENCY);
    struct sync_hs_prop p = hs("amount", SYNC_HST_NUMBER, SYNC_HSF_NUMBER);

    EQ(from_sf(&amount, SYNC_VK_NUMBER, "1000000.0"), "1000000");
    EQ(from_hs(&p, SYNC_VK_NUMBER, "1000000.00"), "1000000");
    EQ(from_sf(&amount, SYNC_VK_NUMBER, "12.5"), "12.5");
    EQ(from_hs(&p, SYNC_VK_NUMBER, "12.50"), "12.5");
    EQ(from_sf(&amount, SYNC_VK_NUMBER, "-0.0"), "0");
    EQ(from_sf(&amount, SYNC_VK_NUMBER, "42"), "42");
    EQ(from_sf(&amount, SYNC_VK_NUMBER, "\"42.10\""), "42.1");
    EQ(from_sf(&amount, SYNC_VK_NUMBER, "1e21"), "1e+21");
    EQ(from_sf(&amount, SYNC_VK_NUMBER, "null"), "");
    EQ(from_hs(&p, SYNC_VK_NUMBER, ""), "");
    EQ(from_hs(&p, SYNC_VK_NUMBER, NULL), "");
}

Test(value, a_bad_number_names_the_field_and_the_value)
{
    struct sync_sf_field amount = sf("Amount", SYNC_SFT_CURRENCY);
    struct sync_hs_prop p = hs("amount", SYNC_HST_NUMBER, SYNC_HSF_NUMBER);

    cr_assert_null(from_sf(&amount, SYNC_VK_NUMBER, "\"abc\""));
    cr_assert_str_eq(err.message, "Amount: 'abc' is not a number");
    cr_assert_str_eq(err.code, "PROPERTY_VALUE");
    cr_assert_eq(err.cls, SYNC_ERRCLASS_PERMANENT);
    FAILS(from_hs(&p, SYNC_VK_NUMBER, "12 apples"), "amount: '12 apples' is not a number");
    FAILS(from_sf(&amount, SYNC_VK_NUMBER, "true"), "Amount: 'true' is not a string");
}

Test(value, whole_number_fields_refuse_fractions_and_overflow)
{
    struct sync_sf_field n = sf("NumberOfEmployees", SYNC_SFT_INT);
    struct sync_sf_field d = sf("Amount", SYNC_SFT_DOUBLE);

    EQ(to_sf(&n, SYNC_VK_NUMBER, "3"), "3");
    EQ(to_sf(&n, SYNC_VK_NUMBER, "-2147483647"), "-2147483647");
    FAILS(to_sf(&n, SYNC_VK_NUMBER, "12.5"), "NumberOfEmployees: '12.5' is not a whole number");
    FAILS(to_sf(&n, SYNC_VK_NUMBER, "3000000000"), "out of range");
    FAILS(to_sf(&n, SYNC_VK_NUMBER, "many"), "'many' is not a number");
    EQ(to_sf(&d, SYNC_VK_NUMBER, "12.5"), "12.5");
    EQ(to_sf(&d, SYNC_VK_NUMBER, "3"), "3");
    EQ(to_sf(&d, SYNC_VK_NUMBER, "0"), "0");
    EQ(to_sf(&d, SYNC_VK_NUMBER, "1e+21"), "1e21"); /* jansson's spelling of the real */
    EQ(to_sf(&d, SYNC_VK_NUMBER, ""), "null");
    EQ(to_sf(&d, SYNC_VK_NUMBER, NULL), "null");
}

Test(value, numbers_go_to_hubspot_as_canonical_text)
{
    struct sync_hs_prop p = hs("amount", SYNC_HST_NUMBER, SYNC_HSF_NUMBER);
    EQ(to_hs(&p, SYNC_VK_NUMBER, "12.5"), "12.5");
    EQ(to_hs(&p, SYNC_VK_NUMBER, "1e+21"), "1e+21");
    EQ(to_hs(&p, SYNC_VK_NUMBER, ""), "");
    FAILS(to_hs(&p, SYNC_VK_NUMBER, "twelve"), "amount: 'twelve' is not a number");
}

/* ---- booleans ---- */

Test(value, booleans_are_true_or_blank_on_both_sides)
{
    struct sync_sf_field f = sf("HasOptedOutOfEmail", SYNC_SFT_BOOLEAN);
    struct sync_hs_prop p = hs("hs_email_optout", SYNC_HST_BOOL, SYNC_HSF_BOOLEANCHECKBOX);
    struct sync_hs_prop old = hs("legacy", SYNC_HST_ENUMERATION, SYNC_HSF_BOOLEANCHECKBOX);

    EQ(from_sf(&f, SYNC_VK_BOOL, "true"), "true");
    /* false and unset are one value, so Salesforce's false on a new lead is no change for an
     * unset HubSpot checkbox */
    EQ(from_sf(&f, SYNC_VK_BOOL, "false"), "");
    FAILS(from_sf(&f, SYNC_VK_BOOL, "\"true\""), "is not a boolean");
    EQ(from_hs(&p, SYNC_VK_BOOL, "TRUE"), "true");
    EQ(from_hs(&p, SYNC_VK_BOOL, "false"), "");
    EQ(from_hs(&old, SYNC_VK_BOOL, "Yes"), "true");
    EQ(from_hs(&p, SYNC_VK_BOOL, ""), "");
    FAILS(from_hs(&p, SYNC_VK_BOOL, "maybe"), "hs_email_optout: 'maybe' is not a boolean");
    EQ(to_sf(&f, SYNC_VK_BOOL, "true"), "true");
    EQ(to_sf(&f, SYNC_VK_BOOL, "false"), "false");
    /* Salesforce booleans are never null: a blank clears to false */
    EQ(to_sf(&f, SYNC_VK_BOOL, ""), "false");
    EQ(to_hs(&p, SYNC_VK_BOOL, "false"), "false");
    EQ(to_hs(&old, SYNC_VK_BOOL, "true"), "true");
    EQ(to_hs(&p, SYNC_VK_BOOL, ""), "");
}

/* ---- dates ---- */

Test(value, salesforce_dates_are_plain_dates_never_shifted)
{
    struct sync_sf_field f = sf("CloseDate", SYNC_SFT_DATE);
    struct sync_hs_prop close = hs("closedate", SYNC_HST_DATETIME, SYNC_HSF_DATE);

    EQ(from_sf(&f, SYNC_VK_DATE, "\"2024-01-17\""), "2024-01-17");
    EQ(from_sf(&f, SYNC_VK_DATE, "\"1815-12-10\""), "1815-12-10");
    EQ(from_sf(&f, SYNC_VK_DATE, "null"), "");
    FAILS(from_sf(&f, SYNC_VK_DATE, "\"2024-01-17T00:00:00Z\""), "is not a date (YYYY-MM-DD)");
    FAILS(from_sf(&f, SYNC_VK_DATE, "\"2024-02-30\""), "is not a date");
    FAILS(from_sf(&f, SYNC_VK_DATE, "20240117"), "is not a string");
    /* the round trip through a HubSpot datetime lands on the same day */
    EQ(to_hs(&close, SYNC_VK_DATE, "2024-01-17"), "1705449600000");
    EQ(from_hs(&close, SYNC_VK_DATE, "1705449600000"), "2024-01-17");
    EQ(to_sf(&f, SYNC_VK_DATE, "2024-01-17"), "\"2024-01-17\"");
    EQ(to_sf(&f, SYNC_VK_DATE, "1815-12-10"), "\"1815-12-10\"");
    FAILS(to_sf(&f, SYNC_VK_DATE, "17/01/2024"), "is not a canonical date");
}

Test(value, hubspot_date_properties_are_midnight_utc)
{
    struct sync_hs_prop p = hs("date_of_birth", SYNC_HST_DATE, SYNC_HSF_DATE);

    EQ(from_hs(&p, SYNC_VK_DATE, "2024-01-17"), "2024-01-17");
    EQ(from_hs(&p, SYNC_VK_DATE, "1705449600000"), "2024-01-17");
    EQ(from_hs(&p, SYNC_VK_DATE, "2024-01-17T00:00:00.000Z"), "2024-01-17");
    EQ(from_hs(&p, SYNC_VK_DATE, "-4717353600000"), "1820-07-07");
    /* midnight somewhere else is not midnight UTC */
    FAILS(from_hs(&p, SYNC_VK_DATE, "2024-01-17T00:00:00+02:00"), "midnight UTC");
    FAILS(from_hs(&p, SYNC_VK_DATE, "1705449600001"), "midnight UTC");
    FAILS(from_hs(&p, SYNC_VK_DATE, "tomorrow"), "date_of_birth: 'tomorrow' is not a date");
    EQ(to_hs(&p, SYNC_VK_DATE, "2024-01-17"), "2024-01-17");
}

Test(value, a_datetime_read_as_a_date_takes_its_utc_calendar_day)
{
    struct sync_hs_prop close = hs("closedate", SYNC_HST_DATETIME, SYNC_HSF_DATE);
    struct sync_sf_field when = sf("Due__c", SYNC_SFT_DATETIME);

    /* 23:30 in New York is already the next day in UTC */
    EQ(from_hs(&close, SYNC_VK_DATE, "2024-01-17T23:30:00-05:00"), "2024-01-18");
    /* 01:30 in UTC+5 is still the previous day in UTC */
    EQ(from_hs(&close, SYNC_VK_DATE, "2024-01-17T01:30:00+05:00"), "2024-01-16");
    EQ(from_hs(&close, SYNC_VK_DATE, "2024-01-17T23:59:59.999Z"), "2024-01-17");
    EQ(from_hs(&close, SYNC_VK_DATE, "1705535999999"), "2024-01-17");
    EQ(from_hs(&close, SYNC_VK_DATE, "-1"), "1969-12-31");
    EQ(from_sf(&when, SYNC_VK_DATE, "\"2024-01-17T19:55:04.000+0000\""), "2024-01-17");
    /* a date written to a Salesforce datetime is its midnight UTC */
    EQ(to_sf(&when, SYNC_VK_DATE, "2024-01-17"), "\"2024-01-17T00:00:00.000+0000\"");
}

Test(value, datetimes_are_epoch_milliseconds_from_every_vendor_form)
{
    struct sync_sf_field f = sf("LastActivity__c", SYNC_SFT_DATETIME);
    struct sync_hs_prop p = hs("notes_last_updated", SYNC_HST_DATETIME, SYNC_HSF_DATE);

    EQ(from_sf(&f, SYNC_VK_DATETIME, "\"2024-01-17T19:55:04.000+0000\""), "1705521304000");
    EQ(from_hs(&p, SYNC_VK_DATETIME, "2024-01-17T19:55:04.000Z"), "1705521304000");
    EQ(from_hs(&p, SYNC_VK_DATETIME, "1705521304000"), "1705521304000");
    EQ(from_hs(&p, SYNC_VK_DATETIME, "2024-01-17T20:55:04+01:00"), "1705521304000");
    EQ(from_sf(&f, SYNC_VK_DATETIME, "\"1969-12-31T23:59:59.000+0000\""), "-1000");
    EQ(to_sf(&f, SYNC_VK_DATETIME, "1705521304000"), "\"2024-01-17T19:55:04.000+0000\"");
    EQ(to_sf(&f, SYNC_VK_DATETIME, "-1000"), "\"1969-12-31T23:59:59.000+0000\"");
    EQ(to_hs(&p, SYNC_VK_DATETIME, "1705521304000"), "1705521304000");
    FAILS(from_sf(&f, SYNC_VK_DATETIME, "\"1705521304000\""), "is not a datetime");
    FAILS(from_hs(&p, SYNC_VK_DATETIME, "yesterday"), "is not a datetime");
    FAILS(from_hs(&p, SYNC_VK_DATETIME, "99999999999999999"), "is not a datetime");
    FAILS(to_sf(&f, SYNC_VK_DATETIME, "2024-01-17T19:55:04Z"), "is not a canonical datetime");
}

/* ---- multi-picklists ---- */

Test(value, multi_picklists_are_sorted_and_deduplicated_in_any_order)
{
    struct sync_sf_field f = sf("Interests__c", SYNC_SFT_MULTIPICKLIST);
    struct sync_hs_prop p = hs("interests", SYNC_HST_ENUMERATION, SYNC_HSF_CHECKBOX);

    EQ(from_sf(&f, SYNC_VK_MULTI, "\"B;A;B\""), "A;B");
    EQ(from_hs(&p, SYNC_VK_MULTI, "c;a; b ;;"), "a;b;c");
    EQ(from_sf(&f, SYNC_VK_MULTI, "\"x;y\""), "x;y");
    EQ(from_hs(&p, SYNC_VK_MULTI, "y;x"), "x;y");
    EQ(from_sf(&f, SYNC_VK_MULTI, "\"Zeta;alpha;Alpha\""), "Alpha;Zeta;alpha");
    EQ(from_sf(&f, SYNC_VK_MULTI, "\";\""), "");
    EQ(from_sf(&f, SYNC_VK_MULTI, "null"), "");
    EQ(to_sf(&f, SYNC_VK_MULTI, "B;A"), "\"A;B\"");
    EQ(to_hs(&p, SYNC_VK_MULTI, "b;a"), "a;b");
    EQ(to_sf(&f, SYNC_VK_MULTI, ""), "null");
}

Test(value, restricted_values_and_options_are_checked_on_write)
{
    const char *const values[] = {"Web", "Phone Inquiry", "Other"};
    const char *const opts[] = {"a", "b"};
    struct sync_sf_field src = sf("LeadSource", SYNC_SFT_PICKLIST);
    struct sync_sf_field multi = sf("Interests__c", SYNC_SFT_MULTIPICKLIST);
    struct sync_hs_prop sel = hs("source", SYNC_HST_ENUMERATION, SYNC_HSF_SELECT);
    struct sync_hs_prop box = hs("interests", SYNC_HST_ENUMERATION, SYNC_HSF_CHECKBOX);

    cr_assert_eq(sync_sf_field_set_values(&src, values, 3), SYNC_OK);
    EQ(to_sf(&src, SYNC_VK_TEXT, "Carrier pigeon"), "\"Carrier pigeon\""); /* not restricted */
    src.restricted = 1;
    EQ(to_sf(&src, SYNC_VK_TEXT, "Phone Inquiry"), "\"Phone Inquiry\"");
    FAILS(to_sf(&src, SYNC_VK_TEXT, "Carrier pigeon"),
          "LeadSource: 'Carrier pigeon' is not a value of the restricted picklist");
    cr_assert_eq(sync_sf_field_set_values(&multi, values, 3), SYNC_OK);
    multi.restricted = 1;
    EQ(to_sf(&multi, SYNC_VK_MULTI, "Web;Other"), "\"Other;Web\"");
    FAILS(to_sf(&multi, SYNC_VK_MULTI, "Web;Fax"), "'Fax' is not a value");
    cr_assert_eq(sync_hs_prop_set_options(&sel, opts, 2), SYNC_OK);
    cr_assert_eq(sync_hs_prop_set_options(&box, opts, 2), SYNC_OK);
    EQ(to_hs(&sel, SYNC_VK_TEXT, "a"), "a");
    FAILS(to_hs(&sel, SYNC_VK_TEXT, "c"), "source: 'c' is not one of the property's options");
    EQ(to_hs(&box, SYNC_VK_MULTI, "b;a"), "a;b");
    FAILS(to_hs(&box, SYNC_VK_MULTI, "a;z"), "interests: 'z' is not one of");
    sync_sf_field_release(&src);
    sync_sf_field_release(&multi);
    sync_hs_prop_release(&sel);
    sync_hs_prop_release(&box);
}

/* ---- text, e-mail, ids ---- */

Test(value, text_is_kept_as_is_and_empty_is_blank)
{
    struct sync_sf_field f = sf("Title", SYNC_SFT_STRING);
    struct sync_hs_prop p = hs("jobtitle", SYNC_HST_STRING, SYNC_HSF_TEXT);

    EQ(from_sf(&f, SYNC_VK_TEXT, "\" Chief  Engineer \""), " Chief  Engineer ");
    EQ(from_sf(&f, SYNC_VK_TEXT, "\"\""), "");
    EQ(from_sf(&f, SYNC_VK_TEXT, "null"), "");
    EQ(from_sf(&f, SYNC_VK_TEXT, NULL), "");
    EQ(from_hs(&p, SYNC_VK_TEXT, "Ünïcode ✓"), "Ünïcode ✓");
    EQ(to_sf(&f, SYNC_VK_TEXT, ""), "null");
    EQ(to_hs(&p, SYNC_VK_TEXT, ""), "");
    EQ(to_hs(&p, SYNC_VK_TEXT, "a;b"), "a;b");
    FAILS(from_sf(&f, SYNC_VK_TEXT, "12"), "Title: '12' is not a string");
    FAILS(from_sf(&f, SYNC_VK_TEXT, "{\"a\":1}"), "is not a string");
}

Test(value, text_longer_than_the_field_is_refused_counting_characters)
{
    struct sync_sf_field f = sf("FirstName", SYNC_SFT_STRING);
    f.length = 5;
    EQ(to_sf(&f, SYNC_VK_TEXT, "héllo"), "\"héllo\""); /* 5 characters, 6 bytes */
    FAILS(to_sf(&f, SYNC_VK_TEXT, "abcdef"),
          "FirstName: 'abcdef' is 6 characters long; the field holds at most 5");
    FAILS(to_sf(&f, SYNC_VK_TEXT, "\xff\xfe"), "is not valid UTF-8");
}

Test(value, email_is_compared_case_insensitively)
{
    struct sync_sf_field f = sf("Email", SYNC_SFT_EMAIL);
    struct sync_hs_prop p = hs("email", SYNC_HST_STRING, SYNC_HSF_TEXT);

    cr_assert_eq(sync_value_kind(&p, &f), SYNC_VK_EMAIL);
    EQ(from_sf(&f, SYNC_VK_EMAIL, "\"Ada.Lovelace@Example.COM\""), "ada.lovelace@example.com");
    EQ(from_hs(&p, SYNC_VK_EMAIL, "ada.lovelace@example.com"), "ada.lovelace@example.com");
}

Test(value, salesforce_ids_are_compared_in_their_18_character_form)
{
    static const char *const v[][2] = {{"00190000001pPvH", "00190000001pPvHAAU"},
                                       {"a00D0000008pQSN", "a00D0000008pQSNIA2"},
                                       {"001D000000IRFma", "001D000000IRFmaIAH"},
                                       {"001D000000IRFmaiah", "001D000000IRFmaIAH"}};
    struct sync_sf_field owner = sf("OwnerId", SYNC_SFT_REFERENCE);
    char id[19];

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        cr_assert_eq(sync_value_sf_id18(v[i][0], id), SYNC_OK, "%s", v[i][0]);
        cr_assert_str_eq(id, v[i][1]);
    }
    cr_assert_eq(sync_value_sf_id18("001D000000IRFmaXXX", id), SYNC_ERR_INVALID);
    cr_assert_eq(sync_value_sf_id18("001D00000", id), SYNC_ERR_INVALID);
    cr_assert_eq(sync_value_sf_id18("001D000000IRF-a", id), SYNC_ERR_INVALID);
    EQ(from_sf(&owner, SYNC_VK_TEXT, "\"001D000000IRFma\""), "001D000000IRFmaIAH");
    EQ(to_sf(&owner, SYNC_VK_TEXT, "001D000000IRFma"), "\"001D000000IRFmaIAH\"");
    EQ(to_sf(&owner, SYNC_VK_TEXT, ""), "null");
    FAILS(from_sf(&owner, SYNC_VK_TEXT, "\"nobody\""), "OwnerId: 'nobody' is not a Salesforce id");
    FAILS(to_sf(&owner, SYNC_VK_TEXT, "64492917"), "is not a Salesforce id");
}

Test(value, long_values_are_shortened_in_messages)
{
    struct sync_hs_prop p = hs("amount", SYNC_HST_NUMBER, SYNC_HSF_NUMBER);
    char big[300];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cr_assert_null(from_hs(&p, SYNC_VK_NUMBER, big));
    cr_assert(strstr(err.message, "...' is not a number"), "%s", err.message);
    cr_assert_lt(strlen(err.message), 120);
}

/* ---- kinds and names ---- */

Test(value, a_mapping_kind_follows_both_sides_types)
{
    struct sync_hs_prop close = hs("closedate", SYNC_HST_DATETIME, SYNC_HSF_DATE);
    struct sync_hs_prop dob = hs("dob", SYNC_HST_DATE, SYNC_HSF_DATE);
    struct sync_hs_prop text = hs("t", SYNC_HST_STRING, SYNC_HSF_TEXT);
    struct sync_hs_prop num = hs("n", SYNC_HST_NUMBER, SYNC_HSF_NUMBER);
    struct sync_hs_prop box = hs("b", SYNC_HST_ENUMERATION, SYNC_HSF_CHECKBOX);
    struct sync_hs_prop flag = hs("f", SYNC_HST_BOOL, SYNC_HSF_BOOLEANCHECKBOX);
    struct sync_sf_field date = sf("D", SYNC_SFT_DATE), dt = sf("T", SYNC_SFT_DATETIME);
    struct sync_sf_field i = sf("I", SYNC_SFT_INT), cur = sf("C", SYNC_SFT_CURRENCY);
    struct sync_sf_field mp = sf("M", SYNC_SFT_MULTIPICKLIST), b = sf("B", SYNC_SFT_BOOLEAN);
    struct sync_sf_field str = sf("S", SYNC_SFT_STRING), pick = sf("P", SYNC_SFT_PICKLIST);

    cr_assert_eq(sync_value_kind(&close, &date), SYNC_VK_DATE);
    cr_assert_eq(sync_value_kind(&dob, &dt), SYNC_VK_DATE);
    cr_assert_eq(sync_value_kind(&close, &dt), SYNC_VK_DATETIME);
    cr_assert_eq(sync_value_kind(&num, &i), SYNC_VK_NUMBER);
    cr_assert_eq(sync_value_kind(&text, &cur), SYNC_VK_NUMBER);
    cr_assert_eq(sync_value_kind(&box, &mp), SYNC_VK_MULTI);
    cr_assert_eq(sync_value_kind(&flag, &b), SYNC_VK_BOOL);
    cr_assert_eq(sync_value_kind(&text, &str), SYNC_VK_TEXT);
    cr_assert_eq(sync_value_kind(&text, &pick), SYNC_VK_TEXT);
}

Test(value, type_names_parse_back)
{
    enum sync_sf_type st;
    enum sync_hs_type ht;
    enum sync_hs_field_type ft;

    for (int t = 0; t < SYNC_SFT__COUNT; t++) {
        cr_assert_eq(sync_sf_type_parse(sync_sf_type_name((enum sync_sf_type)t), &st), 0);
        cr_assert_eq((int)st, t);
    }
    for (int t = 0; t < SYNC_HST__COUNT; t++) {
        cr_assert_eq(sync_hs_type_parse(sync_hs_type_name((enum sync_hs_type)t), &ht), 0);
        cr_assert_eq((int)ht, t);
    }
    for (int t = 0; t < SYNC_HSF__COUNT; t++) {
        cr_assert_eq(
            sync_hs_field_type_parse(sync_hs_field_type_name((enum sync_hs_field_type)t), &ft), 0);
        cr_assert_eq((int)ft, t);
    }
    cr_assert_eq(sync_sf_type_parse("address", &st), -1);
    cr_assert_eq(sync_hs_type_parse("user", &ht), -1);
    cr_assert_str_eq(sync_vkind_name(SYNC_VK_MULTI), "multi");
}

Test(value, field_descriptions_copy_their_values_deeply)
{
    const char *const values[] = {"A", "B"};
    struct sync_sf_field a = sf("P", SYNC_SFT_PICKLIST), b;

    cr_assert_eq(sync_sf_field_set_values(&a, values, 2), SYNC_OK);
    cr_assert_eq(sync_sf_field_copy(&b, &a), SYNC_OK);
    sync_sf_field_release(&a);
    cr_assert_eq(b.nvalues, 2);
    cr_assert_str_eq(b.values[1], "B");
    sync_sf_field_release(&b);
    cr_assert_eq(b.nvalues, 0);
}
