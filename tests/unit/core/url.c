/* Tests src/core/url.c: percent-encoding round trips and form fields are found. */
#include <criterion/criterion.h>

#include "core/url.h"

Test(url, encode_decode_round_trip)
{
    struct sync_buf e = SYNC_BUF_INIT(1024), d = SYNC_BUF_INIT(1024);
    const char *s = "SELECT Id FROM Lead WHERE Email = 'a+b@x.co' & 100%";
    cr_assert_eq(sync_url_encode(&e, s, strlen(s)), SYNC_OK);
    cr_assert_null(strchr(e.data, ' '));
    cr_assert_eq(sync_url_decode(&d, e.data, e.len, 0), SYNC_OK);
    cr_assert_str_eq(d.data, s);
    sync_buf_release(&e);
    sync_buf_release(&d);
}

Test(url, form_fields_decode_plus_as_space)
{
    struct sync_buf v = SYNC_BUF_INIT(1024);
    const char *body = "grant_type=password&username=integration%40crmsync.test&password=a+b%21";
    cr_assert_eq(sync_form_get(body, strlen(body), "username", &v), SYNC_OK);
    cr_assert_str_eq(v.data, "integration@crmsync.test");
    sync_buf_reset(&v);
    cr_assert_eq(sync_form_get(body, strlen(body), "password", &v), SYNC_OK);
    cr_assert_str_eq(v.data, "a b!");
    cr_assert_eq(sync_form_get(body, strlen(body), "client_id", &v), SYNC_DECLINED);
    sync_buf_release(&v);
}

Test(url, truncated_escape_is_an_error)
{
    struct sync_buf d = SYNC_BUF_INIT(64);
    cr_assert_eq(sync_url_decode(&d, "abc%4", 5, 0), SYNC_ERR_PARSE);
    cr_assert_eq(sync_url_decode(&d, "%zz", 3, 0), SYNC_ERR_PARSE);
    sync_buf_release(&d);
}

Test(url, a_query_parameter_is_encoded_and_an_empty_one_left_out)
{
    struct sync_buf u = SYNC_BUF_INIT(1024);
    sync_buf_addstr(&u, "/x?limit=5");
    cr_assert_eq(sync_url_param(&u, "after", NULL), SYNC_OK);
    cr_assert_eq(sync_url_param(&u, "after", ""), SYNC_OK);
    cr_assert_str_eq(u.data, "/x?limit=5");
    cr_assert_eq(sync_url_param(&u, "after", "a b/c=="), SYNC_OK);
    cr_assert_str_eq(u.data, "/x?limit=5&after=a%20b%2Fc%3D%3D");
    sync_buf_release(&u);
}
