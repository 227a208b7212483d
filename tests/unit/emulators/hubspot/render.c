/* Tests emulators/hubspot/render.c: JSON strings written straight into a buffer (every byte a
 * JSON string cannot hold is escaped, UTF-8 passes through), separators, and a record's
 * SimplePublicObject as the default, selected and full property sets shape it. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "core/json.h"
#include "emulators/hubspot/portal.h"

static json_t *parse(const struct sync_buf *b)
{
    json_t *v = sync_json_parse(b->data, b->len, NULL);
    cr_assert_not_null(v, "not JSON: %s", sync_buf_str(b));
    return v;
}

Test(render, strings_escape_quotes_backslashes_and_controls_and_keep_utf8)
{
    struct sync_buf b = SYNC_BUF_INIT(0);
    render_str(&b, "a\"b\\c\nd\te\x01 ção");
    cr_assert_str_eq(sync_buf_str(&b), "\"a\\\"b\\\\c\\nd\\te\\u0001 ção\"");
    sync_buf_release(&b);
}

Test(render, strings_round_trip_through_a_json_parser)
{
    const char *s = "quote \" slash / back \\ cr \r bell \x07 end";
    struct sync_buf b = SYNC_BUF_INIT(0);
    json_t *v;
    render_str(&b, s);
    v = parse(&b);
    cr_assert_str_eq(json_string_value(v), s);
    json_decref(v);
    sync_buf_release(&b);
}

Test(render, keys_are_separated_except_after_an_opening_bracket)
{
    struct sync_buf b = SYNC_BUF_INIT(0);
    sync_buf_addch(&b, '{');
    render_key(&b, "a");
    render_id(&b, 10000000001ULL);
    render_key(&b, "b");
    sync_buf_addstr(&b, "[]}");
    cr_assert_str_eq(sync_buf_str(&b), "{\"a\":\"10000000001\",\"b\":[]}");
    sync_buf_release(&b);
}

/* A portal with one contact: email and firstname set, lastname not. */
static struct hs_record *one_contact(struct hs_portal *p)
{
    struct hs_source src = {"INTEGRATION", "INTEGRATION", "1357911", 0};
    struct hs_write w = {0};
    struct hs_record *r, *x;
    json_t *props = json_pack("{s:s, s:s}", "email", "Ada@Example.com", "firstname", "Ada");
    cr_assert_null(props_check_write(p, HS_CONTACTS, props, &w));
    r = obj_create(p, HS_CONTACTS, &w, &src, &x);
    cr_assert_not_null(r);
    hs_write_release(&w);
    json_decref(props);
    return r;
}

Test(render, a_record_carries_the_type_defaults_with_nulls_for_unset_values)
{
    struct hs_portal p;
    struct sync_buf b = SYNC_BUF_INIT(0);
    json_t *v, *props;
    portal_init(&p, 1);
    render_record(&b, &p, one_contact(&p), NULL);
    v = parse(&b);
    props = json_object_get(v, "properties");
    cr_assert_str_eq(json_string_value(json_object_get(v, "id")), "10000000001");
    cr_assert_str_eq(json_string_value(json_object_get(props, "email")), "ada@example.com");
    cr_assert(json_is_null(json_object_get(props, "lastname")));
    cr_assert_str_eq(json_string_value(json_object_get(props, "hs_object_id")), "10000000001");
    cr_assert_eq(json_object_size(props), 6); /* createdate email firstname hs_object_id ... */
    cr_assert(json_is_false(json_object_get(v, "archived")));
    cr_assert_not_null(json_object_get(v, "createdAt"));
    json_decref(v);
    sync_buf_release(&b);
    portal_release(&p);
}

Test(render, a_selection_adds_the_dates_and_the_id_once_each)
{
    struct hs_portal p;
    struct sync_buf b = SYNC_BUF_INIT(0);
    struct hs_sel sel = {0};
    struct hs_out o = {0};
    json_t *v, *props;
    portal_init(&p, 1);
    hs_sel_add_csv(&p, HS_CONTACTS, &sel, "firstname,hs_object_id,firstname,nosuch");
    o.props = &sel;
    o.hist = &sel;
    render_record(&b, &p, one_contact(&p), &o);
    v = parse(&b);
    props = json_object_get(v, "properties");
    cr_assert_eq(json_object_size(props), 4); /* firstname hs_object_id createdate lastmod */
    cr_assert_not_null(json_object_get(props, "lastmodifieddate"));
    cr_assert_str_eq(
        json_string_value(json_object_get(
            json_array_get(
                json_object_get(json_object_get(v, "propertiesWithHistory"), "firstname"), 0),
            "sourceType")),
        "INTEGRATION");
    json_decref(v);
    hs_sel_release(&sel);
    sync_buf_release(&b);
    portal_release(&p);
}

Test(render, batch_answers_count_their_errors)
{
    struct sync_buf b = SYNC_BUF_INIT(0);
    json_t *errors = json_pack("[{s:s}]", "status", "error"), *v;
    render_batch_open(&b);
    render_batch_close(&b, 0, errors);
    v = parse(&b);
    cr_assert_str_eq(json_string_value(json_object_get(v, "status")), "COMPLETE");
    cr_assert_eq(json_array_size(json_object_get(v, "results")), 0);
    cr_assert_eq(json_integer_value(json_object_get(v, "numErrors")), 1);
    cr_assert_str_eq(json_string_value(json_object_get(v, "startedAt")),
                     "1970-01-01T00:00:00.000Z");
    json_decref(v);
    sync_buf_release(&b);
}
