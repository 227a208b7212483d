/*
 * credentials.h: the vendors' credentials as an admin manages them at run
 * time, like the native settings page's "Credentials" box: which ones are
 * in force, whether they are valid, "save credentials" (checked against
 * the vendor before anything is stored) and "disconnect".
 *
 * crmsync.yaml gives the credentials to start with. Salesforce credentials
 * saved at run time (username, password and security token, or a refresh
 * token; the connected app's client id and secret default to the file's)
 * are kept in the store's credentials table, their secrets sealed
 * (core/secret.h: AES-256-GCM, the key from CRMSYNC_SECRET_KEY or the key
 * file next to the SQLite store, "<store file>.key"), and are used instead
 * of the file's. The engine sees a save or a forget at its next pass and
 * makes a new Salesforce connector with the credentials in force, without
 * a restart. HubSpot's credentials come from the file only.
 *
 * Validity: a save is valid (its login was just checked). Afterwards the
 * engine records what Salesforce's answers say: a refused login
 * (invalid_grant, INVALID_LOGIN, ...) makes the credentials in force
 * invalid with the vendor's message, and an answer that went through makes
 * them valid again. Nothing is known (null) until one of those happened.
 *
 * Disconnect forgets the stored credentials and turns the master switch
 * `sync` off, so nothing is planned or written until an admin turns it on
 * again; saving credentials does not turn it on by itself.
 *
 * No function here answers a secret: what is shown is the username, the
 * login host, the sandbox flag, the grant, the validity and the times.
 *
 * Called by the admin API (api_credentials.c), the CLI (cmd_credentials.c)
 * and, through sync_int.h, the engine (sync.c).
 */
#ifndef SYNC_ENGINE_CREDENTIALS_H
#define SYNC_ENGINE_CREDENTIALS_H

#include <jansson.h>

#include "core/err.h"
#include "core/secret.h"
#include "engine/config.h"

struct sync_store;

/* Salesforce's login hosts: production, and every sandbox */
#define SYNC_CREDENTIALS_LOGIN "https://login.salesforce.com"
#define SYNC_CREDENTIALS_SANDBOX_HOST "test.salesforce.com"
#define SYNC_CREDENTIALS_SANDBOX_LOGIN "https://" SYNC_CREDENTIALS_SANDBOX_HOST

/* The file's Salesforce login host: salesforce.login_url, else the one salesforce.sandbox picks. */
const char *sync_credentials_file_login_url(const struct sync_config *cfg);
/* The longest value a credential field may have. */
#define SYNC_CREDENTIALS_FIELD_MAX 1024

/* New Salesforce credentials to save. Either username and password (security_token optional:
 * orgs that trust the caller's IP need none) or refresh_token. */
struct sync_sf_credentials_in {
    const char *username, *password, *security_token;
    const char *refresh_token;
    const char *client_id, *client_secret; /* NULL: the file's */
    const char *login_url; /* NULL: by sandbox when given, else the file's login host */
    int sandbox;           /* 1, 0, or -1 not given */
};

/* The credentials from a JSON object (the admin API's body): problems (an array) gets one
 * message per bad or missing field, each naming it; in borrows the object's strings. */
void sync_credentials_from_json(const json_t *body, struct sync_sf_credentials_in *in,
                                json_t *problems);
/* The checks alone (what sync_credentials_from_json also runs), one message per problem. */
void sync_credentials_check(const struct sync_sf_credentials_in *in, json_t *problems);

/* Checks the credentials with one login at Salesforce (the OAuth token call) and, when it
 * succeeds, stores them sealed and valid (a Salesforce API-disabled suspension is cleared, as
 * re-entering the credentials does in the native integration). Nothing is stored when any
 * step fails: SYNC_ERR_INVALID for bad input, SYNC_ERR_VENDOR when Salesforce refused the
 * login (err carries its code and message), SYNC_ERR_HTTP when it could not be reached, others
 * for the key or the store. */
enum sync_rc sync_credentials_save_salesforce(struct sync_store *st, const struct sync_config *cfg,
                                              const struct sync_sf_credentials_in *in,
                                              struct sync_err *err);

/* Disconnect: forgets the stored Salesforce credentials and turns the master switch off, in
 * one transaction; *had (may be NULL) is 1 when some were stored. */
enum sync_rc sync_credentials_forget_salesforce(struct sync_store *st, int *had,
                                                struct sync_err *err);

/* The credentials in force, never a secret:
 *   salesforce: {"vendor", "source": "stored"|"file", "grant", "username", "login_url",
 *                "sandbox", "valid": true|false|null, "checked_at", "error", "updated_at"}
 *   hubspot:    {"vendor", "source": "file", "auth": "private_app"|"oauth", "token_present",
 *                "base_url", "valid": null, "checked_at": null, "error": null}
 * (times ISO-8601 or null). One vendor ("salesforce", "hubspot"; SYNC_ERR_NOT_FOUND for
 * another), or both as {"salesforce": ..., "hubspot": ...} with vendor NULL. */
enum sync_rc sync_credentials_show(struct sync_store *st, const struct sync_config *cfg,
                                   const char *vendor, json_t **out, struct sync_err *err);

/* The key that seals this configuration's secrets (CRMSYNC_SECRET_KEY, else the key file next
 * to the SQLite store, made on first use). */
enum sync_rc sync_credentials_key(const struct sync_config *cfg, struct sync_secret_key *key,
                                  struct sync_err *err);

#endif
