/*
 * credentials.c: credentials saved at run time (see credentials.h): the
 * input checks, the save with its login check, disconnect, what is shown,
 * the sealing key's place, and the engine's side: the Salesforce connector
 * built from the credentials in force and rebuilt when they change, and
 * the validity Salesforce's answers tell, recorded between passes.
 *
 * Called by the admin API, the CLI and the engine (sync.c, through
 * sync_int.h: sync__credentials_*).
 */
#include "engine/credentials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/connector.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "engine/budget.h"
#include "engine/runtime.h"
#include "engine/sync_int.h"
#include "store/store.h"

#define VENDOR "salesforce"
#define LABEL "crmsync credentials/salesforce" /* binds the sealed blob to its row */
#define CHECK_TIMEOUT_MS 30000L

/* ---- input ---- */

static const char *const fields[] = {"username",      "password",  "security_token",
                                     "refresh_token", "client_id", "client_secret",
                                     "login_url",     "sandbox",   NULL};

static int given(const char *s)
{
    return s && *s;
}

/* An http:// or https:// URL naming a host. */
static int url_ok(const char *u)
{
    size_t skip = strncmp(u, "https://", 8) == 0 ? 8 : strncmp(u, "http://", 7) == 0 ? 7 : 0;
    if (!skip || !u[skip] || u[skip] == '/' || u[skip] == ':')
        return 0;
    for (const char *p = u; *p; p++)
        if ((unsigned char)*p <= ' ')
            return 0;
    return 1;
}

void sync_credentials_check(const struct sync_sf_credentials_in *in, json_t *problems)
{
    const char *values[] = {in->username,  in->password,      in->security_token, in->refresh_token,
                            in->client_id, in->client_secret, in->login_url};

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        if (values[i] && strlen(values[i]) >= SYNC_CREDENTIALS_FIELD_MAX)
            json_array_append_new(problems, json_sprintf("%s: longer than %d characters", fields[i],
                                                         SYNC_CREDENTIALS_FIELD_MAX - 1));
    if (given(in->refresh_token)) {
        /* a username beside a refresh token would be shown, but never used to log in */
        if (given(in->username) || given(in->password) || given(in->security_token))
            json_array_append_new(problems,
                                  json_string("refresh_token: give either username and password "
                                              "(and security_token), or refresh_token, not both"));
    } else {
        if (!given(in->username))
            json_array_append_new(problems,
                                  json_string("username: missing (or give refresh_token)"));
        if (!given(in->password))
            json_array_append_new(problems,
                                  json_string("password: missing (or give refresh_token)"));
    }
    if (in->login_url && !url_ok(in->login_url))
        json_array_append_new(problems,
                              json_sprintf("login_url: '%.200s' is not an http:// or https:// "
                                           "URL naming a host",
                                           in->login_url));
}

void sync_credentials_from_json(const json_t *body, struct sync_sf_credentials_in *in,
                                json_t *problems)
{
    const char **slots[] = {&in->username,      &in->password,  &in->security_token,
                            &in->refresh_token, &in->client_id, &in->client_secret,
                            &in->login_url};
    const char *key;
    json_t *v;

    memset(in, 0, sizeof(*in));
    in->sandbox = -1;
    if (!json_is_object(body)) {
        json_array_append_new(problems, json_string("the body must be an object: {\"username\", "
                                                    "\"password\", \"security_token\", ...}"));
        return;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        size_t i = 0;
        while (fields[i] && strcmp(fields[i], key) != 0)
            i++;
        if (!fields[i]) {
            json_array_append_new(problems, json_sprintf("%s: unknown field", key));
        } else if (strcmp(key, "sandbox") == 0) {
            if (json_is_boolean(v))
                in->sandbox = json_is_true(v);
            else if (!json_is_null(v))
                json_array_append_new(problems, json_string("sandbox: must be true or false"));
        } else if (json_is_string(v)) {
            *slots[i] = json_string_value(v);
        } else if (!json_is_null(v)) {
            json_array_append_new(problems, json_sprintf("%s: must be a string", key));
        }
    }
    sync_credentials_check(in, problems);
}

/* ---- the file's credentials ---- */

const char *sync_credentials_file_login_url(const struct sync_config *cfg)
{
    if (given(cfg->salesforce.login_url))
        return cfg->salesforce.login_url;
    return cfg->salesforce.sandbox ? SYNC_CREDENTIALS_SANDBOX_LOGIN : SYNC_CREDENTIALS_LOGIN;
}

/* The scheme, host and port of a URL ("https://login.salesforce.com"), into out. */
static void url_origin(const char *u, char *out, size_t n)
{
    const char *host = strstr(u, "://");
    size_t len = host ? (size_t)(host - u) + 3 + strcspn(host + 3, "/?#") : strlen(u);
    snprintf(out, n, "%.*s", (int)len, u);
}

/* Whether the file's connected-app secret may be sent to login_url: the file's own login host,
 * or an https Salesforce host. Anywhere else the caller must give its own client id and
 * secret, so a stored secret never leaves for a host an admin typed. */
static int login_host_trusted(const struct sync_config *cfg, const char *login_url)
{
    char a[256], b[256];
    const char *host;
    size_t n;

    url_origin(login_url, a, sizeof(a));
    url_origin(sync_credentials_file_login_url(cfg), b, sizeof(b));
    if (strcasecmp(a, b) == 0)
        return 1;
    if (strncmp(a, "https://", 8))
        return 0;
    host = a + 8;
    n = strcspn(host, ":");
    return (n == strlen("salesforce.com") && strncasecmp(host, "salesforce.com", n) == 0) ||
           (n > strlen(".salesforce.com") &&
            strncasecmp(host + n - strlen(".salesforce.com"), ".salesforce.com",
                        strlen(".salesforce.com")) == 0);
}

/* The grant the file's credentials use (as sync.c's conns_open infers it). */
static const char *file_grant(const struct sync_config *cfg)
{
    if (cfg->salesforce.grant && strcmp(cfg->salesforce.grant, "client_credentials") == 0)
        return "client_credentials";
    if (cfg->salesforce.grant && strcmp(cfg->salesforce.grant, "refresh_token") == 0)
        return "refresh_token";
    return given(cfg->salesforce.username) ? "password" : "refresh_token";
}

/* ---- the key ---- */

enum sync_rc sync_credentials_key(const struct sync_config *cfg, struct sync_secret_key *key,
                                  struct sync_err *err)
{
    struct sync_buf path = SYNC_BUF_INIT(8192);
    const char *store = cfg->store ? cfg->store : "";
    enum sync_rc rc;

    /* a SQLite file's key lives next to it; a database without a file needs the variable */
    if (strncmp(store, "sqlite:", 7) == 0 && strcmp(store + 7, ":memory:") != 0 &&
        sync_buf_addf(&path, "%s.key", store + 7)) {
        sync_buf_release(&path);
        return sync_err_set(err, SYNC_ERR_TOO_LARGE, "the store path is too long");
    }
    rc = sync_secret_key_load(key, path.len ? sync_buf_str(&path) : NULL, err);
    sync_buf_release(&path);
    return rc;
}

/* ---- sealing the secrets ---- */

/* The secrets of in (those given) sealed under the configuration's key, as base64 text. */
static enum sync_rc seal_secrets(const struct sync_config *cfg,
                                 const struct sync_sf_credentials_in *in, struct sync_buf *out,
                                 struct sync_err *err)
{
    const char *names[] = {"password", "security_token", "refresh_token", "client_id",
                           "client_secret"};
    const char *values[] = {in->password, in->security_token, in->refresh_token, in->client_id,
                            in->client_secret};
    struct sync_secret_key key;
    struct sync_buf sealed = SYNC_BUF_INIT(SYNC_STORE_SEALED_MAX);
    json_t *o = json_object();
    char *text = NULL;
    enum sync_rc rc;

    for (size_t i = 0; o && i < sizeof(names) / sizeof(names[0]); i++)
        if (given(values[i]))
            json_object_set_new(o, names[i], json_string(values[i]));
    if (!o || !(text = json_dumps(o, JSON_COMPACT))) {
        json_decref(o);
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    json_decref(o);
    rc = sync_credentials_key(cfg, &key, err);
    if (rc == SYNC_OK)
        rc = sync_secret_seal(&key, LABEL, text, strlen(text), &sealed, err);
    if (rc == SYNC_OK && sync_base64_encode(sealed.data, sealed.len, out))
        rc = sync_err_set(err, SYNC_ERR_TOO_LARGE, "the sealed credentials are too large");
    sync_secret_wipe(&key, sizeof(key));
    sync_secret_wipe(text, strlen(text));
    free(text);
    sync_buf_release(&sealed);
    return rc;
}

/* The secrets sealed in a row, as a JSON object (*out new). */
static enum sync_rc open_secrets(const struct sync_config *cfg, const char *b64, json_t **out,
                                 struct sync_err *err)
{
    struct sync_secret_key key;
    struct sync_buf raw = SYNC_BUF_INIT(SYNC_STORE_SEALED_MAX),
                    plain = SYNC_BUF_INIT(SYNC_STORE_SEALED_MAX);
    struct sync_err perr = SYNC_ERR_INIT;
    enum sync_rc rc;

    *out = NULL;
    if (sync_base64_decode(b64, strlen(b64), &raw))
        rc = sync_err_set(err, SYNC_ERR_INVALID, "the stored credentials are not sealed text");
    else if ((rc = sync_credentials_key(cfg, &key, err)) == SYNC_OK)
        rc = sync_secret_open(&key, LABEL, raw.data, raw.len, &plain, err);
    sync_secret_wipe(&key, sizeof(key));
    if (rc == SYNC_OK && !(*out = sync_json_parse(plain.data, plain.len, &perr)))
        rc = sync_err_set(err, SYNC_ERR_PARSE, "the stored credentials do not read: %s",
                          perr.message);
    if (rc && err) {
        char why[SYNC_ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s", err->message);
        sync_err_set(err, rc,
                     "stored Salesforce credentials: %s (save them again, or set the key they "
                     "were sealed with)",
                     why);
    }
    sync_secret_wipe(plain.data, plain.len);
    sync_buf_release(&raw);
    sync_buf_release(&plain);
    return rc;
}

/* ---- the connector's configuration ---- */

/* Overlays stored credentials (secrets, an opened blob; the row's clear fields) on sc. Strings
 * are borrowed from secrets and r. */
static void overlay(struct sync_conn_config *sc, const json_t *secrets, const char *username,
                    const char *login_url, const char *grant)
{
    const char *id = sync_json_str(secrets, "client_id");
    const char *secret = sync_json_str(secrets, "client_secret");

    sc->login_url = login_url;
    if (given(id))
        sc->client_id = id;
    if (given(secret))
        sc->client_secret = secret;
    sc->username = sc->password = sc->security_token = sc->refresh_token = NULL;
    if (grant && strcmp(grant, "refresh_token") == 0) {
        sc->auth = SYNC_AUTH_REFRESH_TOKEN;
        sc->refresh_token = sync_json_str(secrets, "refresh_token");
    } else {
        sc->auth = SYNC_AUTH_PASSWORD;
        sc->username = username;
        sc->password = sync_json_str(secrets, "password");
        sc->security_token = sync_json_str(secrets, "security_token");
    }
}

/* The login host new credentials use: login_url, else by the sandbox switch, else the file's. */
static const char *in_login_url(const struct sync_config *cfg,
                                const struct sync_sf_credentials_in *in)
{
    if (in->login_url)
        return in->login_url;
    if (in->sandbox >= 0)
        return in->sandbox ? SYNC_CREDENTIALS_SANDBOX_LOGIN : SYNC_CREDENTIALS_LOGIN;
    return sync_credentials_file_login_url(cfg);
}

/* One login with in's credentials: SYNC_OK, or the vendor's refusal in err. */
static enum sync_rc login_check(const struct sync_config *cfg,
                                const struct sync_sf_credentials_in *in, const char *login_url,
                                struct sync_err *err)
{
    struct sync_conn_config sc;
    struct sync_err lerr = SYNC_ERR_INIT;
    struct sync_conn *c;
    enum sync_rc rc;

    memset(&sc, 0, sizeof(sc));
    sc.vendor = SYNC_VENDOR_SALESFORCE;
    sc.login_url = login_url;
    sc.client_id = given(in->client_id) ? in->client_id : cfg->salesforce.client_id;
    sc.client_secret = given(in->client_secret) ? in->client_secret : cfg->salesforce.client_secret;
    if (given(in->refresh_token)) {
        sc.auth = SYNC_AUTH_REFRESH_TOKEN;
        sc.refresh_token = in->refresh_token;
    } else {
        sc.auth = SYNC_AUTH_PASSWORD;
        sc.username = in->username;
        sc.password = in->password;
        sc.security_token = in->security_token;
    }
    sc.timeout_ms = cfg->request_timeout_ms > 0 && cfg->request_timeout_ms < CHECK_TIMEOUT_MS
                        ? (long)cfg->request_timeout_ms
                        : CHECK_TIMEOUT_MS;
    sc.retry.max_attempts = 2; /* an admin waits for the answer */
    if (!(c = sync_conn_new(&sc, &lerr)))
        return sync_err_set(err, lerr.rc ? lerr.rc : SYNC_ERR_INVALID, "%s", lerr.message);
    rc = sync_conn_authenticate(c, &lerr);
    sync_conn_free(c);
    if (rc == SYNC_OK)
        return SYNC_OK;
    if (rc == SYNC_ERR_VENDOR) {
        sync_err_vendor(err, lerr.http_status, lerr.code,
                        "Salesforce refused the credentials at %s: %s: %s", login_url, lerr.code,
                        lerr.message);
        return SYNC_ERR_VENDOR;
    }
    return sync_err_set(err, rc, "the login check at %s failed: %s", login_url, lerr.message);
}

enum sync_rc sync_credentials_save_salesforce(struct sync_store *st, const struct sync_config *cfg,
                                              const struct sync_sf_credentials_in *in,
                                              struct sync_err *err)
{
    struct sync_buf sealed = SYNC_BUF_INIT(SYNC_STORE_SEALED_MAX);
    struct sync_credentials_row row;
    json_t *problems = json_array();
    const char *login_url = in_login_url(cfg, in);
    enum sync_rc rc = SYNC_OK;

    if (!problems)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    sync_credentials_check(in, problems);
    if (json_array_size(problems)) {
        rc = sync_err_set(err, SYNC_ERR_INVALID, "%s",
                          json_string_value(json_array_get(problems, 0)));
        json_decref(problems);
        return rc;
    }
    json_decref(problems);
    if (!login_host_trusted(cfg, login_url) && (!given(in->client_id) || !given(in->client_secret)))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "login_url %s is neither the configured login host nor an https "
                            "Salesforce host: give client_id and client_secret with it (the "
                            "configured connected app's secret is not sent there)",
                            login_url);
    /* the key first: a key that cannot be had fails before Salesforce is asked */
    if ((rc = seal_secrets(cfg, in, &sealed, err)) || (rc = login_check(cfg, in, login_url, err)))
        goto out;
    memset(&row, 0, sizeof(row));
    row.vendor = VENDOR;
    row.sealed = sync_buf_str(&sealed);
    row.username = in->username;
    row.login_url = login_url;
    row.sandbox = in->sandbox >= 0 ? in->sandbox
                  : in->login_url  ? strstr(login_url, SYNC_CREDENTIALS_SANDBOX_HOST) != NULL
                                   : cfg->salesforce.sandbox;
    row.grant = given(in->refresh_token) ? "refresh_token" : "password";
    row.valid = 1;
    if ((rc = sync_store_credentials_put(st, &row, NULL, err)))
        goto out;
    /* "grant it, then re-enter the credentials to clear the suspension" */
    if (sync_budget_clear(st, "api_disabled", NULL, NULL))
        sync_warn("credentials", "could not clear the api_disabled suspension");
    sync_info("credentials", "Salesforce credentials of %s at %s saved",
              given(in->username) ? in->username : "a refresh token", login_url);
out:
    sync_buf_release(&sealed);
    return rc;
}

enum sync_rc sync_credentials_forget_salesforce(struct sync_store *st, int *had,
                                                struct sync_err *err)
{
    enum sync_rc rc = sync_store_begin(st, err);

    if (rc)
        return rc;
    rc = sync_store_credentials_forget(st, VENDOR, had, err);
    if (rc == SYNC_OK)
        rc = sync_runtime_setting_set(st, "sync", json_false(), err);
    if (rc == SYNC_OK)
        return sync_store_commit(st, err);
    sync_store_rollback(st, NULL);
    return rc;
}

/* ---- showing ---- */

static json_t *time_or_null(int64_t ms)
{
    char buf[64];
    return ms > 0 ? json_string(sync_time_format_iso(ms, buf, sizeof(buf))) : json_null();
}

static json_t *str_or_null(const char *s)
{
    return given(s) ? json_string(s) : json_null();
}

static json_t *valid_json(int valid)
{
    return valid < 0 ? json_null() : json_boolean(valid);
}

/* The stored row, copied for after the walk. */
struct row_copy {
    int found;
    json_t *shown;
};

static enum sync_rc row_shown(void *ctx, const struct sync_credentials_row *r)
{
    struct row_copy *c = ctx;

    c->found = 1;
    c->shown = json_pack("{s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o}", "vendor", VENDOR,
                         "source", r->sealed ? "stored" : "file", "grant", str_or_null(r->grant),
                         "username", str_or_null(r->username), "login_url",
                         str_or_null(r->login_url), "sandbox", r->sandbox, "valid",
                         valid_json(r->valid), "checked_at", time_or_null(r->checked_at), "error",
                         str_or_null(r->error), "updated_at", time_or_null(r->updated_at));
    return c->shown ? SYNC_OK : SYNC_ERR_NOMEM;
}

static enum sync_rc show_salesforce(struct sync_store *st, const struct sync_config *cfg,
                                    json_t **out, struct sync_err *err)
{
    struct row_copy c = {0, NULL};
    enum sync_rc rc = sync_store_credentials_get(st, VENDOR, row_shown, &c, err);

    if (rc && rc != SYNC_ERR_NOT_FOUND)
        return rc;
    if (c.found && strcmp(sync_json_str(c.shown, "source"), "file") == 0) {
        /* the file's credentials, with the validity recorded for them */
        json_object_set_new(c.shown, "grant", json_string(file_grant(cfg)));
        json_object_set_new(c.shown, "username",
                            strcmp(file_grant(cfg), "password") == 0
                                ? str_or_null(cfg->salesforce.username)
                                : json_null());
        json_object_set_new(c.shown, "login_url",
                            json_string(sync_credentials_file_login_url(cfg)));
        json_object_set_new(c.shown, "sandbox", json_boolean(cfg->salesforce.sandbox));
    } else if (!c.found) {
        c.shown = json_pack("{s:s, s:s, s:s, s:o, s:s, s:b, s:n, s:n, s:n, s:n}", "vendor", VENDOR,
                            "source", "file", "grant", file_grant(cfg), "username",
                            strcmp(file_grant(cfg), "password") == 0
                                ? str_or_null(cfg->salesforce.username)
                                : json_null(),
                            "login_url", sync_credentials_file_login_url(cfg), "sandbox",
                            cfg->salesforce.sandbox, "valid", "checked_at", "error", "updated_at");
    }
    if (!c.shown)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    *out = c.shown;
    return SYNC_OK;
}

static json_t *show_hubspot(const struct sync_config *cfg)
{
    int pat = given(cfg->hubspot.access_token);
    int present = pat || given(cfg->hubspot.oauth.refresh_token);

    return json_pack("{s:s, s:s, s:s, s:b, s:o, s:n, s:n, s:n}", "vendor", "hubspot", "source",
                     "file", "auth", pat ? "private_app" : "oauth", "token_present", present,
                     "base_url", str_or_null(cfg->hubspot.base_url), "valid", "checked_at",
                     "error");
}

enum sync_rc sync_credentials_show(struct sync_store *st, const struct sync_config *cfg,
                                   const char *vendor, json_t **out, struct sync_err *err)
{
    json_t *sf = NULL, *hs = NULL;
    enum sync_rc rc;

    *out = NULL;
    if (vendor && strcmp(vendor, VENDOR) != 0 && strcmp(vendor, "hubspot") != 0)
        return sync_err_set(err, SYNC_ERR_NOT_FOUND,
                            "no credentials for '%s' (salesforce or hubspot)", vendor);
    if (vendor && strcmp(vendor, "hubspot") == 0) {
        *out = show_hubspot(cfg);
        return *out ? SYNC_OK : sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    }
    if ((rc = show_salesforce(st, cfg, &sf, err)))
        return rc;
    if (vendor) {
        *out = sf;
        return SYNC_OK;
    }
    if (!(hs = show_hubspot(cfg)) ||
        !(*out = json_pack("{s:o, s:o}", "salesforce", sf, "hubspot", hs)))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    return SYNC_OK;
}

/* ---- the engine's side ---- */

/* The generation of the credentials in force (0: the file's, never stored or forgotten). */
struct row_gen {
    int64_t gen;
    int stored;
    char *sealed, *username, *login_url, *grant; /* stored only */
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static enum sync_rc row_gen_copy(void *ctx, const struct sync_credentials_row *r)
{
    struct row_gen *g = ctx;

    g->gen = r->updated_at;
    g->stored = r->sealed != NULL;
    if (!g->stored)
        return SYNC_OK;
    g->sealed = dup_or_null(r->sealed);
    g->username = dup_or_null(r->username);
    g->login_url = dup_or_null(r->login_url);
    g->grant = dup_or_null(r->grant);
    return g->sealed ? SYNC_OK : SYNC_ERR_NOMEM;
}

static void row_gen_release(struct row_gen *g)
{
    free(g->sealed);
    free(g->username);
    free(g->login_url);
    free(g->grant);
    memset(g, 0, sizeof(*g));
}

static enum sync_rc row_gen_read(struct sync_store *st, struct row_gen *g, struct sync_err *err)
{
    enum sync_rc rc;

    memset(g, 0, sizeof(*g));
    rc = sync_store_credentials_get(st, VENDOR, row_gen_copy, g, err);
    if (rc == SYNC_ERR_NOT_FOUND)
        rc = SYNC_OK;
    if (rc)
        row_gen_release(g);
    return rc;
}

/* A new Salesforce connector from the credentials of g over the file's. */
static enum sync_rc sf_connect(struct sync_engine *e, const struct row_gen *g, struct sync_err *err)
{
    struct sync_conn_config sc = e->creds.base;
    json_t *secrets = NULL;
    struct sync_conn *c;
    enum sync_rc rc;

    if (g->stored) {
        if ((rc = open_secrets(e->cfg, g->sealed, &secrets, err)))
            return rc;
        overlay(&sc, secrets, g->username, g->login_url, g->grant);
    }
    c = sync_conn_new(&sc, err);
    json_decref(secrets);
    if (!c)
        return err && err->rc ? err->rc : SYNC_ERR_INVALID;
    sync_conn_free(e->sf);
    e->sf = c;
    e->creds.gen = g->gen;
    e->creds.noted = -1;
    e->creds.written = -2;
    return SYNC_OK;
}

enum sync_rc sync__credentials_connect(struct sync_engine *e, const struct sync_conn_config *base,
                                       struct sync_err *err)
{
    struct row_gen g;
    enum sync_rc rc;

    e->creds.base = *base;
    if ((rc = row_gen_read(e->st, &g, err)))
        return rc;
    rc = sf_connect(e, &g, err);
    if (rc == SYNC_OK && g.stored)
        sync_info("credentials", "Salesforce: the stored credentials of %s at %s",
                  g.username ? g.username : "a refresh token", g.login_url ? g.login_url : "?");
    row_gen_release(&g);
    return rc;
}

/* Records what Salesforce's answers said about the credentials in force, once per change. */
static void validity_flush(struct sync_engine *e)
{
    struct sync_engine_creds *k = &e->creds;
    struct sync_err err = SYNC_ERR_INIT;
    int recorded = 0;

    if (k->noted < 0 || k->noted == k->written || sync_store_in_transaction(e->st))
        return;
    if (sync_store_credentials_validity(e->st, VENDOR, k->gen, k->noted,
                                        k->noted ? NULL : k->noted_error, &recorded, &err)) {
        sync_warn("credentials", "could not record the credentials' validity: %s", err.message);
        return;
    }
    k->written = k->noted;
    if (recorded && !k->noted)
        sync_warn("credentials", "Salesforce refused the %s credentials: %s",
                  k->gen ? "stored" : "file's", k->noted_error);
}

enum sync_rc sync__credentials_pass_start(struct sync_engine *e, struct sync_err *err)
{
    struct row_gen g;
    enum sync_rc rc;

    validity_flush(e);
    if ((rc = row_gen_read(e->st, &g, err)))
        return rc;
    if (g.gen != e->creds.gen) {
        rc = sf_connect(e, &g, err);
        if (rc == SYNC_OK && g.stored)
            sync_info("credentials", "Salesforce credentials changed: now the stored ones of %s",
                      g.username ? g.username : "a refresh token");
        else if (rc == SYNC_OK)
            sync_info("credentials", "Salesforce credentials changed: now the file's");
    }
    row_gen_release(&g);
    return rc;
}

void sync__credentials_pass_end(struct sync_engine *e)
{
    validity_flush(e);
}

/* Whether an error answer means the login itself was refused (not an expired session). */
static int login_refused(long status, const char *code)
{
    static const char *const codes[] = {"invalid_grant",
                                        "invalid_client_id",
                                        "invalid_client",
                                        "inactive_user",
                                        "inactive_org",
                                        "unsupported_grant_type",
                                        "INVALID_LOGIN",
                                        "LOGIN_MUST_USE_SECURITY_TOKEN",
                                        "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
                                        NULL};
    for (size_t i = 0; codes[i]; i++)
        if (strcmp(code, codes[i]) == 0)
            return 1;
    /* a 401 other than an expired session (the connector logs in again after that one) */
    return status == 401 && *code && strcmp(code, "INVALID_SESSION_ID") != 0;
}

void sync__credentials_on_answer(struct sync_engine *e, const struct sync_conn_usage *u)
{
    struct sync_engine_creds *k = &e->creds;

    if (u->vendor != SYNC_VENDOR_SALESFORCE)
        return;
    if (u->status >= 200 && u->status < 300) {
        k->noted = 1;
    } else if (u->error_code && login_refused(u->status, u->error_code)) {
        k->noted = 0;
        snprintf(k->noted_error, sizeof(k->noted_error), "%s: %s", u->error_code,
                 u->error_message ? u->error_message : "");
        if (k->written == 0)
            k->written = -2; /* a new refusal's message is recorded too */
    }
}
