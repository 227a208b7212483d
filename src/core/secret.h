/*
 * secret.h: secrets encrypted at rest (AES-256-GCM on OpenSSL).
 *
 * A sealed message is one version byte (SYNC_SECRET_VERSION), a random
 * 96-bit nonce (new for every message), the ciphertext and the 128-bit
 * GCM tag; opening checks the tag, so a message changed by one bit, cut
 * short, or sealed under another key or another label is refused. The
 * label (associated data, e.g. "credentials/salesforce") binds a message
 * to the place it is kept: a blob copied to another row does not open.
 *
 * The key is 32 bytes: CRMSYNC_SECRET_KEY (base64 of 32 bytes) when that
 * variable is set, else a key file, made on first use with 32 random
 * bytes (written as base64 text, the variable's form) and mode 0600. A
 * key file that its group or others may read or write is refused, never
 * used.
 *
 * Called by the engine's stored credentials (engine/credentials.c).
 * Pure but for the random source, the environment and the key file.
 */
#ifndef SYNC_CORE_SECRET_H
#define SYNC_CORE_SECRET_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define SYNC_SECRET_KEY_LEN 32
#define SYNC_SECRET_NONCE_LEN 12
#define SYNC_SECRET_TAG_LEN 16
#define SYNC_SECRET_VERSION 1
#define SYNC_SECRET_ENV "CRMSYNC_SECRET_KEY"
/* The bytes a sealed message adds to its plaintext. */
#define SYNC_SECRET_OVERHEAD (1 + SYNC_SECRET_NONCE_LEN + SYNC_SECRET_TAG_LEN)

struct sync_secret_key {
    unsigned char bytes[SYNC_SECRET_KEY_LEN];
};

/* The key from base64 text of exactly 32 bytes (surrounding blanks ignored); what names its
 * source in the error ("CRMSYNC_SECRET_KEY", the file's path). */
enum sync_rc sync_secret_key_from_b64(struct sync_secret_key *key, const char *text,
                                      const char *what, struct sync_err *err);

/* The key in force: CRMSYNC_SECRET_KEY when set (even when key_path is given), else the file
 * key_path, created (0600, random) when missing. key_path NULL with the variable unset is
 * SYNC_ERR_INVALID saying to set it. A key file readable or writable by its group or others is
 * SYNC_ERR_INVALID naming the file and its mode. */
enum sync_rc sync_secret_key_load(struct sync_secret_key *key, const char *key_path,
                                  struct sync_err *err);

/* Appends the sealed form of plain[0..n) under key and label (may be NULL: none). */
enum sync_rc sync_secret_seal(const struct sync_secret_key *key, const char *label,
                              const void *plain, size_t n, struct sync_buf *out,
                              struct sync_err *err);

/* Appends the plaintext of a sealed message; SYNC_ERR_INVALID when it is not one this build
 * reads, was changed, or was sealed under another key or label (nothing appended). */
enum sync_rc sync_secret_open(const struct sync_secret_key *key, const char *label,
                              const void *sealed, size_t n, struct sync_buf *out,
                              struct sync_err *err);

/* Overwrites the key (and any buffer of secrets) so it does not linger in freed memory. */
void sync_secret_wipe(void *p, size_t n);

#endif
