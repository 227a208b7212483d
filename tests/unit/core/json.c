/* Tests src/core/json.c: parse errors carry a position, dumps respect the buffer cap, and
 * lookups are typed and case-insensitive where asked. */
#include <criterion/criterion.h>

#include "core/json.h"

Test(json, parse_error_names_line_and_column)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *v = sync_json_parse("{\n  \"a\": 1,\n  \"b\" 2\n}", 20, &err);
    cr_assert_null(v);
    cr_assert_eq(err.rc, SYNC_ERR_PARSE);
    cr_assert_not_null(strstr(err.message, "line 3"), "%s", err.message);
}

Test(json, dump_is_compact_ordered_and_bounded)
{
    struct sync_buf b = SYNC_BUF_INIT(1024), tiny = SYNC_BUF_INIT(8);
    json_t *v = json_pack("{s:s, s:i, s:b, s:n}", "z", "last", "a", 1, "t", 1, "nil");
    cr_assert_eq(sync_json_dump(v, &b), SYNC_OK);
    cr_assert_str_eq(b.data, "{\"z\":\"last\",\"a\":1,\"t\":true,\"nil\":null}");
    cr_assert_eq(sync_json_dump(v, &tiny), SYNC_ERR_TOO_LARGE);
    json_decref(v);
    sync_buf_release(&b);
    sync_buf_release(&tiny);
}

Test(json, typed_getters_fall_back_on_wrong_types)
{
    json_t *v = json_pack("{s:s, s:i, s:b}", "s", "x", "i", 42, "b", 0);
    cr_assert_str_eq(sync_json_str(v, "s"), "x");
    cr_assert_null(sync_json_str(v, "i"));
    cr_assert_eq(sync_json_int(v, "i", -1), 42);
    cr_assert_eq(sync_json_int(v, "s", -1), -1);
    cr_assert_eq(sync_json_bool(v, "b", 1), 0);
    cr_assert_eq(sync_json_bool(v, "missing", 1), 1);
    json_decref(v);
}

Test(json, nocase_lookup_reports_the_stored_key)
{
    const char *real = NULL;
    json_t *v = json_pack("{s:s}", "LastName", "Lovelace");
    json_t *got = sync_json_get_nocase(v, "lastname", &real);
    cr_assert_not_null(got);
    cr_assert_str_eq(real, "LastName");
    cr_assert_null(sync_json_get_nocase(v, "FirstName", NULL));
    json_decref(v);
}
