/*
 * crypto.c: digests and encodings on OpenSSL (see crypto.h). Pure but
 * for the random source.
 */
#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

enum sync_rc sync_base64_encode(const void *p, size_t n, struct sync_buf *out)
{
    size_t need = 4 * ((n + 2) / 3) + 1;
    char *q = malloc(need);
    enum sync_rc rc;
    int len;

    if (!q)
        return SYNC_ERR_NOMEM;
    len = EVP_EncodeBlock((unsigned char *)q, p, (int)n);
    rc = sync_buf_add(out, q, (size_t)len);
    free(q);
    return rc;
}

enum sync_rc sync_base64_decode(const char *s, size_t n, struct sync_buf *out)
{
    unsigned char *q;
    int len;
    size_t pad = 0;
    enum sync_rc rc;

    if (n % 4)
        return SYNC_ERR_PARSE;
    q = malloc(n / 4 * 3 + 1);
    if (!q)
        return SYNC_ERR_NOMEM;
    len = EVP_DecodeBlock(q, (const unsigned char *)s, (int)n);
    if (len < 0) {
        free(q);
        return SYNC_ERR_PARSE;
    }
    while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
        pad++;
    rc = sync_buf_add(out, q, (size_t)len - pad);
    free(q);
    return rc;
}

enum sync_rc sync_hmac_sha256_b64(const char *key, size_t klen, const void *msg, size_t n,
                                  struct sync_buf *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (!HMAC(EVP_sha256(), key, (int)klen, msg, n, md, &mdlen))
        return SYNC_ERR_INTERNAL;
    return sync_base64_encode(md, mdlen, out);
}

enum sync_rc sync_sha256_hex(const void *msg, size_t n, struct sync_buf *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char text[2 * EVP_MAX_MD_SIZE];

    if (!EVP_Digest(msg, n, md, &mdlen, EVP_sha256(), NULL))
        return SYNC_ERR_INTERNAL;
    for (unsigned i = 0; i < mdlen; i++) {
        text[2 * i] = hex[md[i] >> 4];
        text[2 * i + 1] = hex[md[i] & 15];
    }
    return sync_buf_add(out, text, 2 * (size_t)mdlen);
}

enum sync_rc sync_random_bytes(void *p, size_t n)
{
    return RAND_bytes(p, (int)n) == 1 ? SYNC_OK : SYNC_ERR_INTERNAL;
}

int sync_secure_streq(const char *a, const char *b)
{
    /* digests of equal length are compared, so neither the content nor the length of the
     * secret shows in the time taken */
    unsigned char da[EVP_MAX_MD_SIZE], db[EVP_MAX_MD_SIZE];
    unsigned int na = 0, nb = 0;

    if (!EVP_Digest(a, strlen(a), da, &na, EVP_sha256(), NULL) ||
        !EVP_Digest(b, strlen(b), db, &nb, EVP_sha256(), NULL) || na != nb)
        return 0;
    return CRYPTO_memcmp(da, db, na) == 0;
}
