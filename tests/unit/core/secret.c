/*
 * Unit tests for src/core/secret.c: sealing round trips, tampered or
 * foreign messages refused, fresh nonces, and the key from the
 * environment or a key file (made 0600, refused when others may read it).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/secret.h"

static void key_fill(struct sync_secret_key *k, unsigned char v)
{
    memset(k->bytes, v, sizeof(k->bytes));
}

/* Whether needle occurs in the n bytes at p. */
static int contains(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return 1;
    return 0;
}

static void seal(const struct sync_secret_key *k, const char *label, const char *text,
                 struct sync_buf *out)
{
    struct sync_err err = SYNC_ERR_INIT;
    cr_assert_eq(sync_secret_seal(k, label, text, strlen(text), out, &err), SYNC_OK, "%s",
                 err.message);
}

Test(secret, a_sealed_message_opens_to_its_plaintext)
{
    struct sync_secret_key k;
    struct sync_buf sealed = SYNC_BUF_INIT(4096), plain = SYNC_BUF_INIT(4096);
    struct sync_err err = SYNC_ERR_INIT;
    const char *msg = "{\"password\":\"demo-password\"}";

    key_fill(&k, 7);
    seal(&k, "credentials/salesforce", msg, &sealed);
    cr_assert_eq(sealed.len, strlen(msg) + SYNC_SECRET_OVERHEAD);
    cr_assert_eq((unsigned char)sealed.data[0], SYNC_SECRET_VERSION, "the version byte leads");
    cr_assert_not(contains(sealed.data, sealed.len, "demo-password"), "no plaintext inside");
    cr_assert_eq(
        sync_secret_open(&k, "credentials/salesforce", sealed.data, sealed.len, &plain, &err),
        SYNC_OK, "%s", err.message);
    cr_assert_str_eq(sync_buf_str(&plain), msg);
    sync_buf_release(&sealed);
    sync_buf_release(&plain);
}

Test(secret, an_empty_message_round_trips)
{
    struct sync_secret_key k;
    struct sync_buf sealed = SYNC_BUF_INIT(4096), plain = SYNC_BUF_INIT(4096);
    struct sync_err err = SYNC_ERR_INIT;

    key_fill(&k, 1);
    seal(&k, NULL, "", &sealed);
    cr_assert_eq(sync_secret_open(&k, NULL, sealed.data, sealed.len, &plain, &err), SYNC_OK);
    cr_assert_eq(plain.len, 0);
    sync_buf_release(&sealed);
    sync_buf_release(&plain);
}

Test(secret, every_changed_byte_is_refused)
{
    struct sync_secret_key k;
    struct sync_buf sealed = SYNC_BUF_INIT(4096);

    key_fill(&k, 9);
    seal(&k, "l", "secret value", &sealed);
    for (size_t i = 0; i < sealed.len; i++) {
        struct sync_buf plain = SYNC_BUF_INIT(4096);
        struct sync_err err = SYNC_ERR_INIT;
        sealed.data[i] ^= 0x01;
        cr_assert_eq(sync_secret_open(&k, "l", sealed.data, sealed.len, &plain, &err),
                     SYNC_ERR_INVALID, "byte %zu changed", i);
        cr_assert_eq(plain.len, 0, "nothing is given out");
        sealed.data[i] ^= 0x01;
        sync_buf_release(&plain);
    }
    sync_buf_release(&sealed);
}

Test(secret, a_short_message_another_key_or_another_label_is_refused)
{
    struct sync_secret_key k, other;
    struct sync_buf sealed = SYNC_BUF_INIT(4096), plain = SYNC_BUF_INIT(4096);
    struct sync_err err = SYNC_ERR_INIT;

    key_fill(&k, 3);
    key_fill(&other, 4);
    seal(&k, "credentials/salesforce", "pw", &sealed);
    cr_assert_eq(
        sync_secret_open(&other, "credentials/salesforce", sealed.data, sealed.len, &plain, &err),
        SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "another key"), "%s", err.message);
    cr_assert_eq(sync_secret_open(&k, "credentials/hubspot", sealed.data, sealed.len, &plain, &err),
                 SYNC_ERR_INVALID);
    cr_assert_eq(
        sync_secret_open(&k, "credentials/salesforce", sealed.data, sealed.len - 1, &plain, &err),
        SYNC_ERR_INVALID);
    cr_assert_eq(sync_secret_open(&k, "credentials/salesforce", sealed.data, 5, &plain, &err),
                 SYNC_ERR_INVALID);
    cr_assert_eq(plain.len, 0);
    sync_buf_release(&sealed);
    sync_buf_release(&plain);
}

Test(secret, each_message_gets_a_fresh_nonce)
{
    struct sync_secret_key k;
    struct sync_buf a = SYNC_BUF_INIT(4096), b = SYNC_BUF_INIT(4096);

    key_fill(&k, 5);
    seal(&k, NULL, "same text", &a);
    seal(&k, NULL, "same text", &b);
    cr_assert_eq(a.len, b.len);
    cr_assert_neq(memcmp(a.data + 1, b.data + 1, SYNC_SECRET_NONCE_LEN), 0, "nonces differ");
    cr_assert_neq(memcmp(a.data, b.data, a.len), 0, "so do the ciphertexts");
    sync_buf_release(&a);
    sync_buf_release(&b);
}

Test(secret, the_key_comes_from_the_environment_first)
{
    struct sync_secret_key k;
    struct sync_err err = SYNC_ERR_INIT;

    /* base64 of 32 bytes of 0x01 */
    setenv(SYNC_SECRET_ENV, "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", 1);
    cr_assert_eq(sync_secret_key_load(&k, "/nonexistent/dir/store.key", &err), SYNC_OK, "%s",
                 err.message);
    for (int i = 0; i < SYNC_SECRET_KEY_LEN; i++)
        cr_assert_eq(k.bytes[i], 1);
    setenv(SYNC_SECRET_ENV, "c2hvcnQ=", 1);
    cr_assert_eq(sync_secret_key_load(&k, NULL, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, SYNC_SECRET_ENV), "%s", err.message);
    unsetenv(SYNC_SECRET_ENV);
    cr_assert_eq(sync_secret_key_load(&k, NULL, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "set " SYNC_SECRET_ENV), "%s", err.message);
}

Test(secret, a_missing_key_file_is_made_owner_only_and_used_again)
{
    char dir[] = "/tmp/crmsync-secret-XXXXXX", path[256];
    struct sync_secret_key a, b;
    struct sync_err err = SYNC_ERR_INIT;
    struct stat sb;

    unsetenv(SYNC_SECRET_ENV);
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/crmsync.db.key", dir);
    cr_assert_eq(sync_secret_key_load(&a, path, &err), SYNC_OK, "%s", err.message);
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0600);
    cr_assert_eq(sync_secret_key_load(&b, path, &err), SYNC_OK, "%s", err.message);
    cr_assert_eq(memcmp(a.bytes, b.bytes, sizeof(a.bytes)), 0, "the same key the second time");
    chmod(path, 0644);
    cr_assert_eq(sync_secret_key_load(&b, path, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "chmod 600"), "%s", err.message);
    cr_assert(strstr(err.message, "0644"), "%s", err.message);
    unlink(path);
    rmdir(dir);
}

Test(secret, a_key_file_that_is_not_a_key_is_refused)
{
    char dir[] = "/tmp/crmsync-secret-XXXXXX", path[256];
    struct sync_secret_key k;
    struct sync_err err = SYNC_ERR_INIT;
    FILE *f;

    unsetenv(SYNC_SECRET_ENV);
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/bad.key", dir);
    f = fopen(path, "w");
    fputs("not a key\n", f);
    fclose(f);
    chmod(path, 0600);
    cr_assert_eq(sync_secret_key_load(&k, path, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "not a key"), "%s", err.message);
    unlink(path);
    rmdir(dir);
}
