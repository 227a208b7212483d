/*
 * crypto.h: the few digests and encodings the vendors' protocols need,
 * on OpenSSL: HMAC-SHA256 (HubSpot webhook signatures v3, Salesforce token
 * signatures), SHA-256 hex (HubSpot signatures v1/v2), base64, random ids.
 */
#ifndef SYNC_CORE_CRYPTO_H
#define SYNC_CORE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Appends base64(HMAC-SHA256(key, msg)). */
enum sync_rc sync_hmac_sha256_b64(const char *key, size_t klen, const void *msg, size_t n,
                                  struct sync_buf *out);
/* Appends lower-case hex SHA-256 of msg. */
enum sync_rc sync_sha256_hex(const void *msg, size_t n, struct sync_buf *out);
/* Appends standard base64 (with padding) of n bytes. */
enum sync_rc sync_base64_encode(const void *p, size_t n, struct sync_buf *out);
/* Appends the decoding of standard base64 text. */
enum sync_rc sync_base64_decode(const char *s, size_t n, struct sync_buf *out);
/* Fills p with n cryptographically random bytes. */
enum sync_rc sync_random_bytes(void *p, size_t n);
/* Constant-time comparison of two NUL-terminated strings; 1 when equal. */
int sync_secure_streq(const char *a, const char *b);

#endif
