/* Tests emulators/hubspot/errors.c: HubSpot's error body, the scalars written out as HubSpot reads
 * them, and the UTF-8 clean-up that keeps messages quoting client bytes valid JSON. */
#include <criterion/criterion.h>
#include <string.h>

#include "emulators/hubspot/portal.h"

Test(errors, bodies_have_status_message_correlation_id_and_category)
{
    json_t *e = hs_error_body("VALIDATION_ERROR", "SUB", NULL, NULL, "bad %d", 7);
    cr_assert_str_eq(json_string_value(json_object_get(e, "status")), "error");
    cr_assert_str_eq(json_string_value(json_object_get(e, "message")), "bad 7");
    cr_assert_str_eq(json_string_value(json_object_get(e, "category")), "VALIDATION_ERROR");
    cr_assert_str_eq(json_string_value(json_object_get(e, "subCategory")), "SUB");
    cr_assert_eq(strlen(json_string_value(json_object_get(e, "correlationId"))), 36);
    json_decref(e);
}

Test(errors, messages_quoting_invalid_utf8_stay_valid_strings)
{
    json_t *e = hs_error_body("OBJECT_NOT_FOUND", NULL, NULL, NULL, "No route for %s", "/\xff\xfe");
    cr_assert_str_eq(json_string_value(json_object_get(e, "message")), "No route for /??");
    json_decref(e);
}

Test(errors, utf8_clean_keeps_valid_sequences_and_replaces_broken_ones)
{
    char s[] = "ç \xe2\x82\xac \xc0\xaf \xe2\x82 end";
    hs_utf8_clean(s);
    cr_assert_str_eq(s, "ç € ?? ?? end");
}

Test(errors, scalars_read_as_text_and_containers_do_not)
{
    char buf[64];
    json_t *v = json_pack("[i, b, s, f, n, {}]", 42, 1, "x", 1.5);
    cr_assert_str_eq(hs_json_text(json_array_get(v, 0), buf, sizeof(buf)), "42");
    cr_assert_str_eq(hs_json_text(json_array_get(v, 1), buf, sizeof(buf)), "true");
    cr_assert_str_eq(hs_json_text(json_array_get(v, 2), buf, sizeof(buf)), "x");
    cr_assert_str_eq(hs_json_text(json_array_get(v, 3), buf, sizeof(buf)), "1.5");
    cr_assert_null(hs_json_text(json_array_get(v, 4), buf, sizeof(buf)));
    cr_assert_null(hs_json_text(json_array_get(v, 5), buf, sizeof(buf)));
    json_decref(v);
}
