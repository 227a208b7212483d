/*
 * auth.c: OAuth 2.0 and identity for the Salesforce emulator:
 *   POST /services/oauth2/token      password (password + security token), refresh_token,
 *                                    client_credentials, authorization_code
 *   GET  /services/oauth2/authorize  auto-approving code flow for the integration user
 *   POST /services/oauth2/revoke     access or refresh token
 *   GET  /id/{org}/{user}            identity (Bearer or ?oauth_token=)
 *   GET  /services/oauth2/userinfo   OpenID-style user info
 *   POST /services/Soap/u/{version}  the SOAP login() jsforce falls back to without a secret
 * plus the session table every data call checks (see auth.h).
 */
#include "emulators/salesforce/auth.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/crypto.h"
#include "core/time.h"
#include "core/url.h"
#include "emulators/salesforce/api.h"

#define DEMO_CLIENT_ID "crmsync-demo"
#define DEMO_CLIENT_SECRET "crmsync-demo-secret"
#define DEMO_PASSWORD "demo-password"
#define DEMO_TOKEN "DEMOTOKEN"

#define AUTH_TOKENS_MAX 10000 /* per table: sessions, refresh tokens, authorization codes */
#define AUTH_TOKEN_LEN 160

struct sf_session {
    char user[19];
    int64_t last_used;
    char redirect[256]; /* authorization codes only */
};

void auth_init(struct sf_auth *a)
{
    memset(a, 0, sizeof(*a));
    pthread_mutex_init(&a->lock, NULL);
    hmap_init(&a->sessions);
    hmap_init(&a->refresh);
    hmap_init(&a->codes);
}

static void free_all(struct hmap *m)
{
    size_t pos = 0;
    void *v;
    while (hmap_next(m, &pos, NULL, &v))
        free(v);
    hmap_release(m);
    hmap_init(m);
}

static void auth_clear(struct sf_auth *a)
{
    pthread_mutex_lock(&a->lock);
    free_all(&a->sessions);
    free_all(&a->refresh);
    free_all(&a->codes);
    pthread_mutex_unlock(&a->lock);
}

void auth_release(struct sf_auth *a)
{
    auth_clear(a);
    hmap_release(&a->sessions);
    hmap_release(&a->refresh);
    hmap_release(&a->codes);
    pthread_mutex_destroy(&a->lock);
}

int auth_check(struct sf_auth *a, const char *authz, int64_t lifetime_ms, int64_t now,
               char user[19])
{
    struct sf_session *s;
    int rc = -1;

    if (!authz)
        return -1;
    if (strncasecmp(authz, "Bearer ", 7) == 0)
        authz += 7;
    else if (strncasecmp(authz, "OAuth ", 6) == 0)
        authz += 6;
    while (*authz == ' ')
        authz++;
    pthread_mutex_lock(&a->lock);
    s = hmap_get(&a->sessions, authz);
    if (s && now - s->last_used < lifetime_ms) {
        s->last_used = now;
        memcpy(user, s->user, 19);
        rc = 0;
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int auth_expire(struct sf_auth *a, const char *token)
{
    int n = 0;
    pthread_mutex_lock(&a->lock);
    if (token) {
        void *v = hmap_del(&a->sessions, token);
        n = v != NULL;
        free(v);
    } else {
        n = (int)a->sessions.len;
        free_all(&a->sessions);
    }
    pthread_mutex_unlock(&a->lock);
    return n;
}

/* ---- tokens ---- */

static void random_token(const char *prefix, size_t n, char *out, size_t outlen)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    unsigned char rnd[128];
    size_t p = (size_t)snprintf(out, outlen, "%s", prefix);
    if (n > sizeof(rnd))
        n = sizeof(rnd);
    sync_random_bytes(rnd, n);
    for (size_t i = 0; i < n && p + 1 < outlen; i++)
        out[p++] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
    out[p] = '\0';
}

/* With a->lock held: makes room in m for one more token by forgetting the ones used least
 * recently, so no client can make a token table grow without bound. */
static void make_room_locked(struct hmap *m)
{
    while (m->len >= AUTH_TOKENS_MAX) {
        char oldest[AUTH_TOKEN_LEN] = "";
        int64_t when = INT64_MAX;
        size_t pos = 0;
        const char *k;
        void *v;
        while (hmap_next(m, &pos, &k, &v)) {
            const struct sf_session *s = v;
            if (s->last_used < when) {
                when = s->last_used;
                snprintf(oldest, sizeof(oldest), "%s", k);
            }
        }
        free(hmap_del(m, oldest));
    }
}

static void issue(struct sf_auth *a, struct hmap *m, const char *token, const char *user,
                  const char *redirect)
{
    struct sf_session *s = calloc(1, sizeof(*s));
    if (!s)
        return;
    snprintf(s->user, sizeof(s->user), "%s", user);
    s->last_used = sync_time_now_ms();
    if (redirect)
        snprintf(s->redirect, sizeof(s->redirect), "%s", redirect);
    pthread_mutex_lock(&a->lock);
    free(hmap_del(m, token));
    make_room_locked(m);
    if (hmap_put(m, token, s))
        free(s);
    pthread_mutex_unlock(&a->lock);
}

/* A new access token for user, as Salesforce shapes them (the 15-character org id, '!', then
 * random text), registered as a session; out has AUTH_TOKEN_LEN bytes. */
static void new_session(struct sf_call *c, const char *user, char out[AUTH_TOKEN_LEN])
{
    char org15[16];

    memcpy(org15, c->org->org_id, 15);
    org15[15] = '\0';
    random_token("!AQ", 96, out, AUTH_TOKEN_LEN);
    memmove(out + 15, out, strlen(out) + 1);
    memcpy(out, org15, 15);
    issue(&c->srv->auth, &c->srv->auth.sessions, out, user, NULL);
}

/* The user behind a token in map m (copied into user); 0 when found. */
static int lookup(struct sf_auth *a, struct hmap *m, const char *token, char user[19],
                  char *redirect, size_t rlen, int take)
{
    struct sf_session *s;
    int rc = -1;
    pthread_mutex_lock(&a->lock);
    s = hmap_get(m, token);
    if (s) {
        memcpy(user, s->user, 19);
        if (redirect)
            snprintf(redirect, rlen, "%s", s->redirect);
        if (take)
            free(hmap_del(m, token));
        rc = 0;
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

/* ---- form input ---- */

static int form_value(struct sf_call *c, const char *key, char *out, size_t n)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);
    const char *q = call_query(c, key);
    int rc = -1;
    if (c->body && c->body_len && sync_form_get(c->body, c->body_len, key, &b) == SYNC_OK) {
        snprintf(out, n, "%s", sync_buf_str(&b));
        rc = 0;
    } else if (q) {
        snprintf(out, n, "%s", q);
        rc = 0;
    } else {
        out[0] = '\0';
    }
    sync_buf_release(&b);
    return rc;
}

static void oauth_error(struct sf_call *c, int status, const char *error, const char *desc)
{
    call_json(c, status, json_pack("{s:s, s:s}", "error", error, "error_description", desc));
}

/* Client id and secret from the form or HTTP Basic. */
static void client_credentials(struct sf_call *c, char *id, size_t idn, char *secret, size_t sn)
{
    const char *h = call_header(c, "Authorization");
    form_value(c, "client_id", id, idn);
    form_value(c, "client_secret", secret, sn);
    if (h && strncasecmp(h, "Basic ", 6) == 0 && !id[0]) {
        struct sync_buf b = SYNC_BUF_INIT(1024);
        if (sync_base64_decode(h + 6, strlen(h + 6), &b) == SYNC_OK) {
            const char *s = sync_buf_str(&b), *colon = strchr(s, ':');
            if (colon) {
                snprintf(id, idn, "%.*s", (int)(colon - s), s);
                snprintf(secret, sn, "%s", colon + 1);
            }
        }
        sync_buf_release(&b);
    }
}

static struct sf_rec *user_by_name(struct sf_org *org, const char *username)
{
    const struct sf_object *uo = schema_object(&org->schema, "User");
    const struct sf_field *f = uo ? schema_field(uo, "Username") : NULL;
    json_t *key = json_string(username);
    const struct sf_recvec *m = f ? org_find_by_field(org, uo, f, key) : NULL;
    json_decref(key);
    return m ? m->v[0] : NULL;
}

static int user_active(struct sf_org *org, const char *id)
{
    struct sf_rec *u = org_get(org, id);
    return u && json_is_true(json_object_get(u->data, "IsActive"));
}

static void token_response(struct sf_call *c, const char *user, const char *secret,
                           int with_refresh)
{
    char access[AUTH_TOKEN_LEN], refresh[128], id_url[512], issued[32];
    struct sync_buf sig = SYNC_BUF_INIT(256), msg = SYNC_BUF_INIT(1024);
    json_t *o = json_object();

    new_session(c, user, access);
    snprintf(id_url, sizeof(id_url), "%s/id/%s/%s", c->base_url, c->org->org_id, user);
    snprintf(issued, sizeof(issued), "%lld", (long long)sync_time_now_ms());
    sync_buf_addstr(&msg, id_url);
    sync_buf_addstr(&msg, issued);
    sync_hmac_sha256_b64(secret, strlen(secret), msg.data, msg.len, &sig);

    json_object_set_new(o, "access_token", json_string(access));
    if (with_refresh) {
        random_token("5Aep861", 80, refresh, sizeof(refresh));
        issue(&c->srv->auth, &c->srv->auth.refresh, refresh, user, NULL);
        json_object_set_new(o, "refresh_token", json_string(refresh));
    }
    json_object_set_new(o, "signature", json_string(sync_buf_str(&sig)));
    json_object_set_new(o, "scope", json_string(with_refresh ? "refresh_token api" : "api"));
    json_object_set_new(o, "instance_url", json_string(c->base_url));
    json_object_set_new(o, "id", json_string(id_url));
    json_object_set_new(o, "token_type", json_string("Bearer"));
    json_object_set_new(o, "issued_at", json_string(issued));
    call_json(c, 200, o);
    sync_buf_release(&sig);
    sync_buf_release(&msg);
}

void h_oauth_token(struct sf_call *c)
{
    char grant[64], id[128], secret[128], user[19];

    form_value(c, "grant_type", grant, sizeof(grant));
    client_credentials(c, id, sizeof(id), secret, sizeof(secret));
    if (!grant[0]) {
        oauth_error(c, 400, "unsupported_grant_type", "grant type not supported");
        return;
    }
    if (strcmp(grant, "password") && strcmp(grant, "refresh_token") &&
        strcmp(grant, "client_credentials") && strcmp(grant, "authorization_code")) {
        oauth_error(c, 400, "unsupported_grant_type", "grant type not supported");
        return;
    }
    if (strcmp(id, DEMO_CLIENT_ID) != 0) {
        oauth_error(c, 400, "invalid_client_id", "client identifier invalid");
        return;
    }
    /* the secret is optional on refresh (as for a connected app that does not require it) */
    if ((secret[0] || strcmp(grant, "refresh_token") != 0) &&
        !sync_secure_streq(secret, DEMO_CLIENT_SECRET)) {
        oauth_error(c, 400, "invalid_client", "invalid client credentials");
        return;
    }
    if (strcmp(grant, "password") == 0) {
        char username[256], password[256];
        struct sf_rec *u;
        form_value(c, "username", username, sizeof(username));
        form_value(c, "password", password, sizeof(password));
        u = user_by_name(c->org, username);
        if (!u || strcmp(u->id, c->org->integration_user) != 0 ||
            !sync_secure_streq(password, DEMO_PASSWORD DEMO_TOKEN)) {
            oauth_error(c, 400, "invalid_grant", "authentication failure");
            return;
        }
        if (!user_active(c->org, u->id)) {
            oauth_error(c, 400, "inactive_user", "user is inactive");
            return;
        }
        token_response(c, u->id, secret, 0);
    } else if (strcmp(grant, "refresh_token") == 0) {
        char token[256];
        form_value(c, "refresh_token", token, sizeof(token));
        if (lookup(&c->srv->auth, &c->srv->auth.refresh, token, user, NULL, 0, 0) ||
            !user_active(c->org, user)) {
            oauth_error(c, 400, "invalid_grant", "expired access/refresh token");
            return;
        }
        token_response(c, user, DEMO_CLIENT_SECRET, 0);
    } else if (strcmp(grant, "client_credentials") == 0) {
        token_response(c, c->org->integration_user, secret, 0);
    } else {
        char code[256], redirect[256], want[256];
        form_value(c, "code", code, sizeof(code));
        form_value(c, "redirect_uri", redirect, sizeof(redirect));
        if (lookup(&c->srv->auth, &c->srv->auth.codes, code, user, want, sizeof(want), 1)) {
            oauth_error(c, 400, "invalid_grant", "invalid authorization code");
            return;
        }
        if (want[0] && strcmp(want, redirect) != 0) {
            oauth_error(c, 400, "invalid_grant", "redirect_uri must match configuration");
            return;
        }
        token_response(c, user, secret, 1);
    }
}

void h_oauth_authorize(struct sf_call *c)
{
    const char *client = call_query(c, "client_id"), *redirect = call_query(c, "redirect_uri");
    const char *type = call_query(c, "response_type"), *state = call_query(c, "state");
    char code[128];
    struct sync_buf loc = SYNC_BUF_INIT(2048);

    if (!client || strcmp(client, DEMO_CLIENT_ID) != 0 || !redirect) {
        oauth_error(c, 400, "invalid_client_id", "client identifier invalid");
        return;
    }
    if (!type || strcmp(type, "code") != 0) {
        oauth_error(c, 400, "unsupported_response_type", "response type not supported");
        return;
    }
    random_token("aPrx", 60, code, sizeof(code));
    issue(&c->srv->auth, &c->srv->auth.codes, code, c->org->integration_user, redirect);
    sync_buf_addstr(&loc, redirect);
    sync_buf_addstr(&loc, strchr(redirect, '?') ? "&code=" : "?code=");
    sync_url_encode(&loc, code, strlen(code));
    if (state) {
        sync_buf_addstr(&loc, "&state=");
        sync_url_encode(&loc, state, strlen(state));
    }
    snprintf(c->location, sizeof(c->location), "%s", sync_buf_str(&loc));
    sync_buf_release(&loc);
    c->status = 302;
}

void h_oauth_revoke(struct sf_call *c)
{
    char token[256];
    void *v;

    form_value(c, "token", token, sizeof(token));
    pthread_mutex_lock(&c->srv->auth.lock);
    v = hmap_del(&c->srv->auth.sessions, token);
    if (!v)
        v = hmap_del(&c->srv->auth.refresh, token);
    pthread_mutex_unlock(&c->srv->auth.lock);
    if (!v) {
        oauth_error(c, 400, "unsupported_token_type", "this token type is not supported");
        return;
    }
    free(v);
    c->status = 200;
}

/* ---- identity ---- */

static int bearer_user(struct sf_call *c, char user[19])
{
    const char *authz = call_header(c, "Authorization"), *q = call_query(c, "oauth_token");
    int64_t lifetime = c->org->settings.token_lifetime_s * 1000;
    if (authz && auth_check(&c->srv->auth, authz, lifetime, sync_time_now_ms(), user) == 0)
        return 0;
    return q ? auth_check(&c->srv->auth, q, lifetime, sync_time_now_ms(), user) : -1;
}

static const char *ustr(const json_t *u, const char *k)
{
    const char *s = json_string_value(json_object_get(u, k));
    return s ? s : "";
}

static json_t *identity_json(struct sf_call *c, const json_t *u, const char *uid)
{
    char id_url[512], base[300];
    json_t *urls = json_object();
    static const char *const url_keys[][2] = {
        {"enterprise", "/services/Soap/c/{version}/%s"},
        {"metadata", "/services/Soap/m/{version}/%s"},
        {"partner", "/services/Soap/u/{version}/%s"},
        {"rest", "/services/data/v{version}/"},
        {"sobjects", "/services/data/v{version}/sobjects/"},
        {"search", "/services/data/v{version}/search/"},
        {"query", "/services/data/v{version}/query/"},
        {"recent", "/services/data/v{version}/recent/"},
        {"tooling_soap", "/services/Soap/T/{version}/%s"},
        {"tooling_rest", "/services/data/v{version}/tooling/"},
        {"profile", "/%s"},
        {"feeds", "/services/data/v{version}/chatter/feeds"},
        {"groups", "/services/data/v{version}/chatter/groups"},
        {"users", "/services/data/v{version}/chatter/users"},
        {"feed_items", "/services/data/v{version}/chatter/feed-items"},
        {"feed_elements", "/services/data/v{version}/chatter/feed-elements"},
    };
    char org15[16];
    memcpy(org15, c->org->org_id, 15);
    org15[15] = '\0';
    snprintf(base, sizeof(base), "%s", c->base_url);
    for (size_t i = 0; i < sizeof(url_keys) / sizeof(url_keys[0]); i++) {
        char path[256], full[600];
        snprintf(path, sizeof(path), url_keys[i][1],
                 strcmp(url_keys[i][0], "profile") == 0 ? uid : org15);
        snprintf(full, sizeof(full), "%s%s", base, path);
        json_object_set_new(urls, url_keys[i][0], json_string(full));
    }
    json_object_set_new(urls, "custom_domain", json_string(base));
    snprintf(id_url, sizeof(id_url), "%s/id/%s/%s", base, c->org->org_id, uid);
    return json_pack(
        "{s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:o, s:b, s:s, s:s, s:s, "
        "s:i, s:s}",
        "id", id_url, "asserted_user", 1, "user_id", uid, "organization_id", c->org->org_id,
        "username", ustr(u, "Username"), "nick_name", ustr(u, "CommunityNickname"), "display_name",
        ustr(u, "Name"), "email", ustr(u, "Email"), "email_verified", 1, "first_name",
        ustr(u, "FirstName"), "last_name", ustr(u, "LastName"), "timezone",
        ustr(u, "TimeZoneSidKey"), "urls", urls, "active",
        json_is_true(json_object_get(u, "IsActive")), "user_type", "STANDARD", "language",
        ustr(u, "LanguageLocaleKey"), "locale", ustr(u, "LocaleSidKey"), "utcOffset", -28800000,
        "last_modified_date", ustr(u, "LastModifiedDate"));
}

void h_identity(struct sf_call *c)
{
    char user[19], id18[19];
    struct sf_rec *u;

    if (bearer_user(c, user)) {
        c->status = 403;
        c->out_text = strdup("Bad_OAuth_Token");
        c->out_type = "text/plain;charset=UTF-8";
        return;
    }
    if (record_id(c->params[1], id18) || !(u = org_get(c->org, id18)) ||
        strcmp(u->obj->name, "User") != 0 || strncmp(c->params[0], c->org->org_id, 15) != 0) {
        c->status = 404;
        c->out_text = strdup("Bad_Id");
        c->out_type = "text/plain;charset=UTF-8";
        return;
    }
    call_json(c, 200, identity_json(c, u->data, u->id));
}

void h_userinfo(struct sf_call *c)
{
    char user[19];
    struct sf_rec *u;
    json_t *o;
    if (bearer_user(c, user) || !(u = org_get(c->org, user))) {
        c->status = 403;
        c->out_text = strdup("Bad_OAuth_Token");
        c->out_type = "text/plain;charset=UTF-8";
        return;
    }
    o = identity_json(c, u->data, u->id);
    json_object_set_new(o, "sub", json_incref(json_object_get(o, "id")));
    json_object_set_new(o, "name", json_incref(json_object_get(o, "display_name")));
    json_object_set_new(o, "preferred_username", json_incref(json_object_get(o, "username")));
    call_json(c, 200, o);
}

/* ---- SOAP login ---- */

/* Copies the text of the first <...tag>...</...tag> element (any namespace prefix). */
static int xml_text(const char *xml, const char *tag, char *out, size_t n)
{
    const char *p = xml;
    size_t tl = strlen(tag);
    while ((p = strchr(p, '<'))) {
        const char *name = p + 1, *colon, *end, *close;
        end = strchr(name, '>');
        if (!end)
            return -1;
        colon = memchr(name, ':', (size_t)(end - name));
        if (colon)
            name = colon + 1;
        if ((size_t)(end - name) >= tl && strncmp(name, tag, tl) == 0 &&
            (name[tl] == '>' || name[tl] == ' ')) {
            close = strstr(end + 1, "</");
            if (!close)
                return -1;
            snprintf(out, n, "%.*s", (int)(close - end - 1), end + 1);
            return 0;
        }
        p = end;
    }
    return -1;
}

static void xml_unescape(char *s)
{
    static const char *const ents[][2] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
    for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
        char *p;
        size_t el = strlen(ents[i][0]);
        while ((p = strstr(s, ents[i][0]))) {
            *p = ents[i][1][0];
            memmove(p + 1, p + el, strlen(p + el) + 1);
        }
    }
}

void h_soap_login(struct sf_call *c)
{
    char username[256], password[256], access[AUTH_TOKEN_LEN], org15[16];
    struct sf_rec *u;
    const char *body = c->body ? c->body : "";
    struct sync_buf b = SYNC_BUF_INIT(8192);

    c->out_type = "text/xml;charset=UTF-8";
    if (xml_text(body, "username", username, sizeof(username)) ||
        xml_text(body, "password", password, sizeof(password))) {
        username[0] = password[0] = '\0';
    }
    xml_unescape(username);
    xml_unescape(password);
    u = username[0] ? user_by_name(c->org, username) : NULL;
    if (!u || strcmp(u->id, c->org->integration_user) != 0 ||
        !sync_secure_streq(password, DEMO_PASSWORD DEMO_TOKEN) || !user_active(c->org, u->id)) {
        c->status = 500;
        c->out_text = strdup(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
            "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
            "xmlns:sf=\"urn:fault.partner.soap.sforce.com\" "
            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><soapenv:"
            "Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid "
            "username, password, security token; or user locked out.</faultstring><detail><sf:"
            "LoginFault xsi:type=\"sf:LoginFault\"><sf:exceptionCode>INVALID_LOGIN</"
            "sf:exceptionCode><sf:exceptionMessage>Invalid username, password, security token; "
            "or user locked out.</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault>"
            "</soapenv:Body></soapenv:Envelope>");
        return;
    }
    memcpy(org15, c->org->org_id, 15);
    org15[15] = '\0';
    new_session(c, u->id, access);
    sync_buf_addf(&b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
                  "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                  "xmlns=\"urn:partner.soap.sforce.com\" "
                  "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>"
                  "<loginResponse><result><metadataServerUrl>%s/services/Soap/m/%s/%s"
                  "</metadataServerUrl><passwordExpired>false</passwordExpired><sandbox>false"
                  "</sandbox><serverUrl>%s/services/Soap/u/%s/%s</serverUrl><sessionId>%s"
                  "</sessionId><userId>%s</userId><userInfo><organizationId>%s</organizationId>"
                  "<userEmail>%s</userEmail><userFullName>%s</userFullName><userId>%s</userId>"
                  "<userName>%s</userName></userInfo></result></loginResponse></soapenv:Body>"
                  "</soapenv:Envelope>",
                  c->base_url, c->params[0], org15, c->base_url, c->params[0], org15, access, u->id,
                  c->org->org_id, ustr(u->data, "Email"), ustr(u->data, "Name"), u->id,
                  ustr(u->data, "Username"));
    c->status = 200;
    c->out_text = sync_buf_detach(&b, NULL);
}
