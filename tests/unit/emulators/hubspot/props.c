/* Tests emulators/hubspot/props.c: the property value validators behind every write (numbers,
 * booleans, e-mail addresses, enumerations and checkboxes, dates that must be midnight UTC,
 * datetimes) and the e-mail syntax check. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "emulators/hubspot/portal.h"

static char *opts_lifecycle[] = {"subscriber", "lead", "customer"};
static char *opts_category[] = {"PRODUCT_ISSUE", "BILLING_ISSUE"};

static struct hs_prop prop(enum hs_ptype t, unsigned flags)
{
    struct hs_prop p;
    memset(&p, 0, sizeof(p));
    p.name = "x";
    p.type = t;
    p.flags = flags;
    return p;
}

static int check(const struct hs_prop *p, const char *in, char *out, const char **code)
{
    char msg[512];
    return props_validate_value(p, in, out, 128, code, msg, sizeof(msg));
}

Test(props, numbers_accept_integers_and_decimals_and_refuse_text)
{
    struct hs_prop p = prop(HS_PT_NUMBER, 0);
    char out[128];
    const char *code;
    cr_assert_eq(check(&p, "17", out, &code), 0);
    cr_assert_str_eq(out, "17");
    cr_assert_eq(check(&p, "-1000.50", out, &code), 0);
    cr_assert_str_eq(out, "-1000.50");
    cr_assert_eq(check(&p, "12abc", out, &code), -1);
    cr_assert_str_eq(code, "INVALID_INTEGER");
    cr_assert_eq(check(&p, "NaN", out, &code), -1);
    cr_assert_eq(check(&p, " 5", out, &code), -1);
}

Test(props, empty_values_clear_for_every_type)
{
    enum hs_ptype types[] = {HS_PT_STRING,   HS_PT_NUMBER, HS_PT_DATE,
                             HS_PT_DATETIME, HS_PT_ENUM,   HS_PT_BOOL};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct hs_prop p = prop(types[i], HS_PF_EMAIL);
        char out[128] = "junk";
        const char *code;
        cr_assert_eq(check(&p, "", out, &code), 0);
        cr_assert_str_eq(out, "");
    }
}

Test(props, booleans_take_true_or_false_only)
{
    struct hs_prop p = prop(HS_PT_BOOL, 0);
    char out[128];
    const char *code;
    cr_assert_eq(check(&p, "TRUE", out, &code), 0);
    cr_assert_str_eq(out, "true");
    cr_assert_eq(check(&p, "false", out, &code), 0);
    cr_assert_str_eq(out, "false");
    cr_assert_eq(check(&p, "yes", out, &code), -1);
    cr_assert_str_eq(code, "INVALID_BOOLEAN");
}

Test(props, email_properties_are_checked_and_stored_lower_case)
{
    struct hs_prop p = prop(HS_PT_STRING, HS_PF_EMAIL);
    char out[128];
    const char *code;
    cr_assert_eq(check(&p, "Ada.Lovelace@Example.COM", out, &code), 0);
    cr_assert_str_eq(out, "ada.lovelace@example.com");
    cr_assert_eq(check(&p, "not-an-email", out, &code), -1);
    cr_assert_str_eq(code, "INVALID_EMAIL");
    cr_assert_eq(check(&p, "a@b", out, &code), -1);
    cr_assert_eq(check(&p, "a b@example.com", out, &code), -1);
}

Test(props, email_syntax)
{
    cr_assert(props_email_ok("a@b.co"));
    cr_assert(props_email_ok("first.last+tag@sub.example.com"));
    cr_assert_not(props_email_ok("@example.com"));
    cr_assert_not(props_email_ok("a@@example.com"));
    cr_assert_not(props_email_ok("a@example"));
    cr_assert_not(props_email_ok("a@example..com"));
    cr_assert_not(props_email_ok("a@.com"));
}

Test(props, enumerations_take_only_their_options_case_sensitively)
{
    struct hs_prop p = prop(HS_PT_ENUM, 0);
    char out[128];
    const char *code;
    p.opts = opts_lifecycle;
    p.nopts = 3;
    cr_assert_eq(check(&p, "lead", out, &code), 0);
    cr_assert_eq(check(&p, "Lead", out, &code), -1);
    cr_assert_str_eq(code, "INVALID_OPTION");
    cr_assert_eq(check(&p, "lead;customer", out, &code), -1, "not a checkbox");
}

Test(props, checkboxes_take_semicolon_separated_options)
{
    struct hs_prop p = prop(HS_PT_ENUM, HS_PF_MULTI);
    char out[128];
    const char *code;
    p.opts = opts_category;
    p.nopts = 2;
    cr_assert_eq(check(&p, "PRODUCT_ISSUE;BILLING_ISSUE", out, &code), 0);
    cr_assert_str_eq(out, "PRODUCT_ISSUE;BILLING_ISSUE");
    cr_assert_eq(check(&p, "PRODUCT_ISSUE;OTHER", out, &code), -1);
    cr_assert_str_eq(code, "INVALID_OPTION");
}

Test(props, enumerations_without_an_option_set_take_any_value)
{
    struct hs_prop p = prop(HS_PT_ENUM, 0);
    char out[128];
    const char *code;
    cr_assert_eq(check(&p, "appointmentscheduled", out, &code), 0);
}

Test(props, dates_must_be_midnight_utc_and_come_back_as_yyyy_mm_dd)
{
    struct hs_prop p = prop(HS_PT_DATE, 0);
    char out[128], msg[512];
    const char *code;
    cr_assert_eq(check(&p, "1430438400000", out, &code), 0);
    cr_assert_str_eq(out, "2015-05-01");
    cr_assert_eq(check(&p, "2015-05-01", out, &code), 0);
    cr_assert_str_eq(out, "2015-05-01");
    cr_assert_eq(check(&p, "2015-05-01T00:00:00.000Z", out, &code), 0);
    cr_assert_eq(
        props_validate_value(&p, "1430438401000", out, sizeof(out), &code, msg, sizeof(msg)), -1);
    cr_assert_str_eq(code, "INVALID_DATE");
    cr_assert(strstr(msg, "not midnight") != NULL, "%s", msg);
    cr_assert_eq(check(&p, "2015-05-01T10:15:00Z", out, &code), -1);
    cr_assert_eq(check(&p, "May 1st", out, &code), -1);
}

Test(props, datetimes_take_epoch_ms_or_iso_and_come_back_as_iso_ms)
{
    struct hs_prop p = prop(HS_PT_DATETIME, 0);
    char out[128];
    const char *code;
    cr_assert_eq(check(&p, "1579514400000", out, &code), 0);
    cr_assert_str_eq(out, "2020-01-20T10:00:00.000Z");
    cr_assert_eq(check(&p, "2020-01-20T11:00:00+01:00", out, &code), 0);
    cr_assert_str_eq(out, "2020-01-20T10:00:00.000Z");
    cr_assert_eq(check(&p, "yesterday", out, &code), -1);
    cr_assert_str_eq(code, "INVALID_DATETIME");
}

Test(props, strings_are_kept_as_sent)
{
    struct hs_prop p = prop(HS_PT_STRING, 0);
    char out[128];
    const char *code;
    cr_assert_eq(check(&p, "  n/a ", out, &code), 0);
    cr_assert_str_eq(out, "  n/a ");
}

Test(props, unique_keys_fold_case_and_trim)
{
    char k[64];
    props_unique_key("  Ada@Example.COM ", k, sizeof(k));
    cr_assert_str_eq(k, "ada@example.com");
}

Test(props, values_longer_than_hubspots_limit_are_refused)
{
    struct hs_prop p = prop(HS_PT_STRING, 0);
    size_t n = HS_VALUE_MAX + 1;
    char *in = malloc(n + 1), *out = malloc(n + 64), msg[256];
    const char *code;
    memset(in, 'a', n);
    in[n] = '\0';
    cr_assert_eq(props_validate_value(&p, in, out, n + 64, &code, msg, sizeof(msg)), -1);
    cr_assert_str_eq(code, "INVALID_VALUE");
    in[n - 1] = '\0';
    cr_assert_eq(props_validate_value(&p, in, out, n + 64, &code, msg, sizeof(msg)), 0);
    free(in);
    free(out);
}

Test(props, limits_count_characters_not_bytes)
{
    struct hs_prop p = prop(HS_PT_STRING, 0);
    size_t n = HS_VALUE_MAX * 2; /* HS_VALUE_MAX two-byte characters */
    char *in = malloc(n + 1), *out = malloc(n + 64), msg[256];
    const char *code;
    for (size_t i = 0; i < n; i += 2)
        memcpy(in + i, "\xc3\xa7", 2);
    in[n] = '\0';
    cr_assert_eq(props_validate_value(&p, in, out, n + 64, &code, msg, sizeof(msg)), 0);
    free(in);
    free(out);
}

Test(props, email_addresses_longer_than_254_bytes_are_invalid)
{
    char addr[300];
    memset(addr, 'a', sizeof(addr));
    memcpy(addr + 240, "@example.com", 13); /* 252 bytes */
    cr_assert(props_email_ok(addr));
    memset(addr, 'a', sizeof(addr));
    memcpy(addr + 250, "@example.com", 13); /* 262 bytes */
    cr_assert_not(props_email_ok(addr));
}
