/*
 * secret.c: AES-256-GCM sealing and the key (see secret.h). Called by
 * engine/credentials.c and its tests.
 */
#include "core/secret.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"

#define KEY_TEXT_MAX 256 /* a key file or variable longer than this is not a key */

void sync_secret_wipe(void *p, size_t n)
{
    if (p && n)
        OPENSSL_cleanse(p, n);
}

enum sync_rc sync_secret_key_from_b64(struct sync_secret_key *key, const char *text,
                                      const char *what, struct sync_err *err)
{
    struct sync_buf raw = SYNC_BUF_INIT(KEY_TEXT_MAX);
    size_t start = 0, end = text ? strlen(text) : 0;
    enum sync_rc rc;

    while (start < end && isspace((unsigned char)text[start]))
        start++;
    while (end > start && isspace((unsigned char)text[end - 1]))
        end--;
    rc = end - start < KEY_TEXT_MAX ? sync_base64_decode(text + start, end - start, &raw)
                                    : SYNC_ERR_TOO_LARGE;
    if (rc || raw.len != SYNC_SECRET_KEY_LEN) {
        sync_secret_wipe(raw.data, raw.len);
        sync_buf_release(&raw);
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "%s: not a key: the key is base64 of %d random bytes (openssl rand "
                            "-base64 %d)",
                            what, SYNC_SECRET_KEY_LEN, SYNC_SECRET_KEY_LEN);
    }
    memcpy(key->bytes, raw.data, SYNC_SECRET_KEY_LEN);
    sync_secret_wipe(raw.data, raw.len);
    sync_buf_release(&raw);
    return SYNC_OK;
}

/* Reads the key file at path (checked: a regular file only its owner may read or write). */
static enum sync_rc key_read(struct sync_secret_key *key, const char *path, struct sync_err *err)
{
    char text[KEY_TEXT_MAX];
    struct stat sb;
    ssize_t n;
    enum sync_rc rc;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return sync_err_set(err, SYNC_ERR_IO, "secret key file %s: %s", path, strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return sync_err_set(err, SYNC_ERR_INVALID, "secret key file %s: not a regular file", path);
    }
    if (sb.st_mode & 077) {
        close(fd);
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "secret key file %s: mode %04o lets others read or change it; it "
                            "must be readable by its owner only (chmod 600 %s)",
                            path, (unsigned)(sb.st_mode & 07777), path);
    }
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n < 0)
        return sync_err_set(err, SYNC_ERR_IO, "secret key file %s: %s", path, strerror(errno));
    text[n] = '\0';
    rc = sync_secret_key_from_b64(key, text, path, err);
    sync_secret_wipe(text, sizeof(text));
    return rc;
}

/* Makes the key file: written in full under a temporary name, then linked into place, so a
 * process racing this one either makes its own first or reads a complete file. */
static enum sync_rc key_create(const char *path, struct sync_err *err)
{
    unsigned char raw[SYNC_SECRET_KEY_LEN];
    struct sync_buf text = SYNC_BUF_INIT(KEY_TEXT_MAX), tmp = SYNC_BUF_INIT(8192);
    enum sync_rc rc = sync_random_bytes(raw, sizeof(raw));
    int fd = -1, saved = 0;

    if (rc == SYNC_OK)
        rc = sync_base64_encode(raw, sizeof(raw), &text);
    sync_secret_wipe(raw, sizeof(raw));
    if (rc == SYNC_OK)
        rc = sync_buf_addch(&text, '\n');
    if (rc == SYNC_OK)
        rc = sync_buf_addf(&tmp, "%s.%ld.tmp", path, (long)getpid());
    if (rc) {
        rc = sync_err_set(err, rc, "secret key file %s: cannot make a key", path);
        goto out;
    }
    fd = open(sync_buf_str(&tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, text.data, text.len) != (ssize_t)text.len ||
        fsync(fd) != 0) {
        saved = errno;
        rc = sync_err_set(err, SYNC_ERR_IO, "secret key file %s: %s", sync_buf_str(&tmp),
                          strerror(saved));
        goto out;
    }
    if (link(sync_buf_str(&tmp), path) != 0 && errno != EEXIST)
        rc = sync_err_set(err, SYNC_ERR_IO, "secret key file %s: %s", path, strerror(errno));
out:
    if (fd >= 0) {
        close(fd);
        unlink(sync_buf_str(&tmp));
    }
    sync_secret_wipe(text.data, text.len);
    sync_buf_release(&text);
    sync_buf_release(&tmp);
    return rc;
}

enum sync_rc sync_secret_key_load(struct sync_secret_key *key, const char *key_path,
                                  struct sync_err *err)
{
    const char *env = getenv(SYNC_SECRET_ENV);
    enum sync_rc rc;

    if (env)
        return sync_secret_key_from_b64(key, env, SYNC_SECRET_ENV, err);
    if (!key_path || !*key_path)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "no secret key: set %s (base64 of %d random bytes) to keep secrets "
                            "in this store",
                            SYNC_SECRET_ENV, SYNC_SECRET_KEY_LEN);
    if (access(key_path, F_OK) != 0 && errno == ENOENT && (rc = key_create(key_path, err)))
        return rc;
    return key_read(key, key_path, err);
}

/* ---- sealing ---- */

static enum sync_rc gcm_fail(EVP_CIPHER_CTX *ctx, struct sync_err *err, const char *what)
{
    EVP_CIPHER_CTX_free(ctx);
    return sync_err_set(err, SYNC_ERR_INTERNAL, "secret: %s failed", what);
}

enum sync_rc sync_secret_seal(const struct sync_secret_key *key, const char *label,
                              const void *plain, size_t n, struct sync_buf *out,
                              struct sync_err *err)
{
    size_t total = SYNC_SECRET_OVERHEAD + n;
    unsigned char *msg, *nonce, *body;
    EVP_CIPHER_CTX *ctx;
    int len = 0, fin = 0;
    enum sync_rc rc;

    if (n > (size_t)INT32_MAX - SYNC_SECRET_OVERHEAD)
        return sync_err_set(err, SYNC_ERR_TOO_LARGE, "secret: message too large");
    if (!(msg = malloc(total)))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    msg[0] = SYNC_SECRET_VERSION;
    nonce = msg + 1;
    body = nonce + SYNC_SECRET_NONCE_LEN;
    if (sync_random_bytes(nonce, SYNC_SECRET_NONCE_LEN)) {
        free(msg);
        return sync_err_set(err, SYNC_ERR_INTERNAL, "secret: no random source");
    }
    if (!(ctx = EVP_CIPHER_CTX_new())) {
        free(msg);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SYNC_SECRET_NONCE_LEN, NULL) != 1 ||
        EVP_EncryptInit_ex(ctx, NULL, NULL, key->bytes, nonce) != 1 ||
        (label && EVP_EncryptUpdate(ctx, NULL, &len, (const unsigned char *)label,
                                    (int)strlen(label)) != 1) ||
        EVP_EncryptUpdate(ctx, body, &len, plain, (int)n) != 1 ||
        EVP_EncryptFinal_ex(ctx, body + len, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SYNC_SECRET_TAG_LEN, body + n) != 1) {
        free(msg);
        return gcm_fail(ctx, err, "encryption");
    }
    EVP_CIPHER_CTX_free(ctx);
    rc = sync_buf_add(out, msg, total);
    free(msg);
    return rc ? sync_err_set(err, rc, "secret: the sealed message does not fit") : SYNC_OK;
}

enum sync_rc sync_secret_open(const struct sync_secret_key *key, const char *label,
                              const void *sealed, size_t n, struct sync_buf *out,
                              struct sync_err *err)
{
    const unsigned char *msg = sealed, *nonce, *body;
    size_t len_body;
    unsigned char *plain;
    unsigned char tag[SYNC_SECRET_TAG_LEN];
    EVP_CIPHER_CTX *ctx;
    int len = 0, fin = 0, ok;
    enum sync_rc rc;

    if (n < SYNC_SECRET_OVERHEAD || msg[0] != SYNC_SECRET_VERSION)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "secret: not a sealed message this build reads (version %d)",
                            n ? msg[0] : -1);
    nonce = msg + 1;
    body = nonce + SYNC_SECRET_NONCE_LEN;
    len_body = n - SYNC_SECRET_OVERHEAD;
    memcpy(tag, body + len_body, SYNC_SECRET_TAG_LEN);
    if (!(plain = malloc(len_body + 1)))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (!(ctx = EVP_CIPHER_CTX_new())) {
        free(plain);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SYNC_SECRET_NONCE_LEN, NULL) == 1 &&
         EVP_DecryptInit_ex(ctx, NULL, NULL, key->bytes, nonce) == 1 &&
         (!label || EVP_DecryptUpdate(ctx, NULL, &len, (const unsigned char *)label,
                                      (int)strlen(label)) == 1) &&
         EVP_DecryptUpdate(ctx, plain, &len, body, (int)len_body) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SYNC_SECRET_TAG_LEN, tag) == 1 &&
         EVP_DecryptFinal_ex(ctx, plain + len, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        sync_secret_wipe(plain, len_body);
        free(plain);
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "secret: the sealed message does not open: it was changed, or sealed "
                            "under another key");
    }
    rc = sync_buf_add(out, plain, len_body);
    sync_secret_wipe(plain, len_body);
    free(plain);
    return rc ? sync_err_set(err, rc, "secret: the opened message does not fit") : SYNC_OK;
}
