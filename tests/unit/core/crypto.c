/* Tests src/core/crypto.c against published vectors (RFC 4231 case 2, FIPS 180-2). */
#include <criterion/criterion.h>

#include "core/crypto.h"

Test(crypto, hmac_sha256_matches_rfc4231)
{
    struct sync_buf out = SYNC_BUF_INIT(256);
    const char *msg = "what do ya want for nothing?";
    cr_assert_eq(sync_hmac_sha256_b64("Jefe", 4, msg, strlen(msg), &out), SYNC_OK);
    /* 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 in base64 */
    cr_assert_str_eq(out.data, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    sync_buf_release(&out);
}

Test(crypto, sha256_hex_of_abc)
{
    struct sync_buf out = SYNC_BUF_INIT(256);
    cr_assert_eq(sync_sha256_hex("abc", 3, &out), SYNC_OK);
    cr_assert_str_eq(out.data, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sync_buf_release(&out);
}

Test(crypto, base64_round_trip_with_padding)
{
    for (size_t n = 0; n < 8; n++) {
        struct sync_buf e = SYNC_BUF_INIT(64), d = SYNC_BUF_INIT(64);
        const char *src = "abcdefgh";
        cr_assert_eq(sync_base64_encode(src, n, &e), SYNC_OK);
        cr_assert_eq(sync_base64_decode(e.data ? e.data : "", e.len, &d), SYNC_OK);
        cr_assert_eq(d.len, n);
        cr_assert(n == 0 || memcmp(d.data, src, n) == 0);
        sync_buf_release(&e);
        sync_buf_release(&d);
    }
}

Test(crypto, secure_streq)
{
    cr_assert(sync_secure_streq("abc", "abc"));
    cr_assert_not(sync_secure_streq("abc", "abd"));
    cr_assert_not(sync_secure_streq("abc", "ab"));
}
