/* Tests emulators/hubspot/webhooks.c: the v1, v2 and v3 request signatures against HubSpot's
 * documented test vectors. */
#include <criterion/criterion.h>

#include "emulators/hubspot/portal.h"

#define SECRET "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
#define BODY                                                                                       \
    "[{\"eventId\":1,\"subscriptionId\":12345,\"portalId\":62515,\"occurredAt\":1564113600000,"    \
    "\"subscriptionType\":\"contact.creation\",\"attemptNumber\":0,\"objectId\":123,"              \
    "\"changeSource\":\"CRM\",\"changeFlag\":\"NEW\",\"appId\":54321}]"

Test(webhooks, v1_signature_is_sha256_of_secret_and_body)
{
    struct sync_buf v1 = SYNC_BUF_INIT(256);
    wh_sign(SECRET, "POST", "https://example.com/x", BODY, "0", &v1, NULL, NULL);
    cr_assert_str_eq(sync_buf_str(&v1),
                     "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de");
    sync_buf_release(&v1);
}

Test(webhooks, v2_signature_covers_method_and_uri)
{
    struct sync_buf v2 = SYNC_BUF_INIT(256);
    wh_sign(SECRET, "GET", "https://www.example.com/webhook_uri", "", "0", NULL, &v2, NULL);
    cr_assert_str_eq(sync_buf_str(&v2),
                     "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e");
    sync_buf_release(&v2);
}

Test(webhooks, v3_signature_is_base64_hmac_with_the_timestamp)
{
    struct sync_buf v3 = SYNC_BUF_INIT(256);
    wh_sign(SECRET, "POST", "https://example.com/webhooks/hubspot?x=1", BODY, "1700000000000", NULL,
            NULL, &v3);
    cr_assert_str_eq(sync_buf_str(&v3), "pBZINap2JobONVSrulylTLuOMa0jvpZF2F+eNeIM2aY=");
    sync_buf_release(&v3);
}

Test(webhooks, v3_decodes_the_listed_percent_escapes_of_the_uri)
{
    struct sync_buf a = SYNC_BUF_INIT(256), b = SYNC_BUF_INIT(256);
    wh_sign(SECRET, "POST", "https://example.com/a%3Ab?q=%40x", BODY, "1", NULL, NULL, &a);
    wh_sign(SECRET, "POST", "https://example.com/a:b?q=@x", BODY, "1", NULL, NULL, &b);
    cr_assert_str_eq(sync_buf_str(&a), sync_buf_str(&b));
    sync_buf_release(&a);
    sync_buf_release(&b);
}
