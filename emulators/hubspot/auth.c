/*
 * auth.c: who may call. The private app token, OAuth (the authorize
 * redirect, the authorization-code and refresh-token grants, 30-minute
 * access tokens, token metadata, refresh-token revocation), the developer
 * API key of the webhooks management API, and the scope check behind
 * 403 MISSING_SCOPES.
 *
 * routes.c calls auth_check and auth_require for every API request (portal
 * lock held); control.c mints codes and tokens with limited scopes and
 * expires tokens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/time.h"
#include "core/url.h"
#include "emulators/hubspot/portal.h"

static void token_free(void *v)
{
    struct hs_token *t = v;
    if (!t)
        return;
    for (size_t i = 0; i < t->nscopes; i++)
        free(t->scopes[i]);
    free(t->scopes);
    free(t->token);
    free(t->refresh);
    free(t);
}

static struct hs_token *token_new(const char *tok, enum hs_auth_kind kind)
{
    struct hs_token *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->token = strdup(tok);
    t->kind = kind;
    return t;
}

/* scopes: a JSON array, or NULL for every scope. */
static void token_set_scopes(struct hs_token *t, const json_t *scopes)
{
    size_t i;
    json_t *s;
    if (!json_is_array(scopes))
        return;
    t->scopes = calloc(json_array_size(scopes) + 1, sizeof(char *));
    json_array_foreach(scopes, i, s)
    {
        if (json_is_string(s) && t->scopes)
            t->scopes[t->nscopes++] = strdup(json_string_value(s));
    }
}

static void token_copy_scopes(struct hs_token *dst, const struct hs_token *src)
{
    if (!src->scopes)
        return;
    dst->scopes = calloc(src->nscopes + 1, sizeof(char *));
    for (size_t i = 0; dst->scopes && i < src->nscopes; i++)
        dst->scopes[dst->nscopes++] = strdup(src->scopes[i]);
}

/* Space-separated scopes into a token. */
static void token_scopes_from_text(struct hs_token *t, const char *text)
{
    json_t *a = json_array();
    const char *q = text;
    while (q && *q) {
        size_t n;
        while (*q == ' ' || *q == '+' || *q == ',')
            q++;
        n = strcspn(q, " +,");
        if (n)
            json_array_append_new(a, json_stringn(q, n));
        q += n;
    }
    token_set_scopes(t, a);
    json_decref(a);
}

void auth_init(struct hs_portal *p)
{
    struct hs_token *t;
    hs_map_init(&p->auth.tokens);
    hs_map_init(&p->auth.refresh);
    hs_map_init(&p->auth.codes);
    t = token_new(HS_PRIVATE_TOKEN, HS_AUTH_PRIVATE);
    if (t)
        hs_map_put(&p->auth.tokens, t->token, t);
}

void auth_release(struct hs_portal *p)
{
    hs_map_release(&p->auth.tokens, token_free);
    hs_map_release(&p->auth.refresh, token_free);
    hs_map_release(&p->auth.codes, token_free);
}

#define STALE_MS (24LL * 3600 * 1000) /* an expired token is forgotten a day later */

struct stale_scan {
    int64_t before;
    char **keys;
    size_t n, cap;
};

static void stale_collect(const char *key, void *val, void *arg)
{
    struct stale_scan *s = arg;
    const struct hs_token *t = val;
    char **v;
    if (t->kind != HS_AUTH_OAUTH || !t->expires_at || t->expires_at >= s->before)
        return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        if (!(v = realloc(s->keys, cap * sizeof(*v))))
            return;
        s->keys = v;
        s->cap = cap;
    }
    if ((s->keys[s->n] = strdup(key)))
        s->n++;
}

/* Drops the OAuth tokens (or codes) of m that expired before before: without this, every
 * refresh would add to the map for good. */
static void forget_stale(struct hs_map *m, int64_t before)
{
    struct stale_scan s = {before, NULL, 0, 0};
    hs_map_each(m, stale_collect, &s);
    for (size_t i = 0; i < s.n; i++) {
        token_free(hs_map_del(m, s.keys[i]));
        free(s.keys[i]);
    }
    free(s.keys);
}

static void random_hex(char *out, size_t nbytes)
{
    unsigned char b[64];
    if (nbytes > sizeof(b))
        nbytes = sizeof(b);
    sync_random_bytes(b, nbytes);
    for (size_t i = 0; i < nbytes; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

const char *auth_new_code(struct hs_portal *p, const json_t *scopes, const char *redirect)
{
    char code[80];
    struct hs_token *t;
    snprintf(code, sizeof(code), "code-");
    random_hex(code + 5, 16);
    t = token_new(code, HS_AUTH_OAUTH);
    if (!t)
        return NULL;
    token_set_scopes(t, scopes);
    t->refresh = redirect ? strdup(redirect) : NULL;
    t->expires_at = sync_time_now_ms() + 5 * 60 * 1000;
    forget_stale(&p->auth.codes, sync_time_now_ms());
    hs_map_put(&p->auth.codes, t->token, t);
    return t->token;
}

const char *auth_new_private_token(struct hs_portal *p, const json_t *scopes)
{
    char tok[96];
    struct hs_token *t;
    snprintf(tok, sizeof(tok), "pat-na1-");
    random_hex(tok + 8, 16);
    t = token_new(tok, HS_AUTH_PRIVATE);
    if (!t)
        return NULL;
    token_set_scopes(t, scopes);
    hs_map_put(&p->auth.tokens, t->token, t);
    return t->token;
}

static void expire_one(const char *key, void *val, void *arg)
{
    struct hs_token *t = val;
    (void)key;
    if (t->kind == HS_AUTH_OAUTH)
        t->expires_at = *(int64_t *)arg;
}

void auth_expire(struct hs_portal *p, const char *token)
{
    int64_t when = sync_time_now_ms() - 1000;
    if (token) {
        struct hs_token *t = hs_map_get(&p->auth.tokens, token);
        if (t)
            t->expires_at = when;
        return;
    }
    hs_map_each(&p->auth.tokens, expire_one, &when);
}

static void set_source(struct hs_ctx *c)
{
    c->src.type = "INTEGRATION";
    c->src.change_source = "INTEGRATION";
    snprintf(c->src.id, sizeof(c->src.id), "%d", HS_APP_ID);
    c->src.user_id = 0;
}

static void fail_auth(struct hs_ctx *c, const char *msg)
{
    hs_reply(c, 401, hs_error_body("INVALID_AUTHENTICATION", NULL, NULL, NULL, "%s", msg));
}

int auth_check(struct hs_ctx *c, int devkey_route)
{
    const char *h = sync_http_request_header(c->req, "Authorization");
    struct hs_token *t;
    int64_t now;

    if (devkey_route) {
        const char *key = hs_query(c, "hapikey");
        if (key) {
            if (strcmp(key, HS_DEVELOPER_KEY) != 0) {
                fail_auth(c, "The API key provided is invalid. View or manage your API key here: "
                             "https://app.hubspot.com/l/api-key/");
                return -1;
            }
            c->auth = HS_AUTH_DEVKEY;
            set_source(c);
            return 0;
        }
    }
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        fail_auth(c, "Authentication credentials not found. This API supports OAuth 2.0 "
                     "authentication and you can find more details at "
                     "https://developers.hubspot.com/docs/methods/auth/oauth-overview");
        return -1;
    }
    h += 7;
    while (*h == ' ')
        h++;
    if (strlen(h) > 300 || !(t = hs_map_get(&c->p->auth.tokens, h))) {
        fail_auth(c, "Authentication credentials not found. This API supports OAuth 2.0 "
                     "authentication and you can find more details at "
                     "https://developers.hubspot.com/docs/methods/auth/oauth-overview");
        return -1;
    }
    now = sync_time_now_ms();
    if (t->expires_at && now >= t->expires_at) {
        char iso[SYNC_TIME_ISO_MAX];
        long long ago = (long long)((now - t->expires_at) / 1000);
        sync_time_format_iso(t->expires_at, iso, sizeof(iso));
        hs_reply(c, 401,
                 hs_error_body("EXPIRED_AUTHENTICATION", NULL, NULL,
                               json_pack("{s:[s]}", "expire time", iso),
                               "The OAuth token used to make this call expired %lld second(s) "
                               "ago.",
                               ago));
        return -1;
    }
    snprintf(c->token, sizeof(c->token), "%s", h);
    c->auth = t->kind;
    set_source(c);
    return 0;
}

static int has_scope(const struct hs_token *t, const char *s, size_t n)
{
    for (size_t i = 0; i < t->nscopes; i++)
        if (strlen(t->scopes[i]) == n && strncmp(t->scopes[i], s, n) == 0)
            return 1;
    return 0;
}

int auth_require(struct hs_ctx *c, const char *scope)
{
    struct hs_token *t;
    json_t *need;
    const char *q;
    if (c->auth == HS_AUTH_DEVKEY)
        return 0;
    t = hs_map_get(&c->p->auth.tokens, c->token);
    if (!t || !t->scopes)
        return 0;
    for (q = scope; *q;) {
        size_t n = strcspn(q, "|");
        if (has_scope(t, q, n))
            return 0;
        q += n;
        if (*q == '|')
            q++;
    }
    need = json_array();
    for (q = scope; *q;) {
        size_t n = strcspn(q, "|");
        json_array_append_new(need, json_stringn(q, n));
        q += n;
        if (*q == '|')
            q++;
    }
    {
        json_t *body = hs_error_body(
            "MISSING_SCOPES", NULL,
            json_pack("[{s:s, s:{s:O}}]", "message",
                      "One or more of the following scopes are required.", "context",
                      "requiredGranularScopes", need),
            json_pack("{s:O}", "missingScopes", need),
            "This app hasn't been granted all required scopes to make this call. Read more about "
            "required scopes here: https://developers.hubspot.com/scopes.");
        json_object_set_new(body, "links",
                            json_pack("{s:s}", "scopes", "https://developers.hubspot.com/scopes"));
        hs_reply(c, 403, body);
    }
    json_decref(need);
    return -1;
}

/* ---- OAuth endpoints ---- */

static void oauth_fail(struct hs_ctx *c, const char *status, const char *msg)
{
    char cid[37];
    hs_correlation_id(cid);
    hs_reply(c, 400,
             json_pack("{s:s, s:s, s:s}", "status", status, "message", msg, "correlationId", cid));
}

static int form_get(struct hs_ctx *c, const char *key, char *out, size_t n)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);
    int ok = sync_form_get(c->req->body.data ? c->req->body.data : "", c->req->body.len, key, &b) ==
             SYNC_OK;
    if (!ok) {
        const char *q = hs_query(c, key);
        if (q) {
            sync_buf_addstr(&b, q);
            ok = 1;
        }
    }
    snprintf(out, n, "%s", sync_buf_str(&b));
    sync_buf_release(&b);
    return ok && *out;
}

static json_t *scopes_json(const struct hs_token *t)
{
    static const char *const all[] = {"oauth",
                                      "crm.objects.contacts.read",
                                      "crm.objects.contacts.write",
                                      "crm.objects.companies.read",
                                      "crm.objects.companies.write",
                                      "crm.objects.deals.read",
                                      "crm.objects.deals.write",
                                      "tickets",
                                      "crm.objects.owners.read",
                                      "crm.lists.read",
                                      "crm.lists.write",
                                      "crm.schemas.contacts.read",
                                      "forms",
                                      "content",
                                      NULL};
    json_t *a = json_array();
    if (!t->scopes) {
        for (size_t i = 0; all[i]; i++)
            json_array_append_new(a, json_string(all[i]));
        return a;
    }
    for (size_t i = 0; i < t->nscopes; i++)
        json_array_append_new(a, json_string(t->scopes[i]));
    return a;
}

static void issue(struct hs_ctx *c, const struct hs_token *grant, const char *refresh)
{
    char tok[96];
    struct hs_token *t;
    int64_t life = c->p->settings.access_token_lifetime_s;
    snprintf(tok, sizeof(tok), "CNa1");
    random_hex(tok + 4, 32);
    t = token_new(tok, HS_AUTH_OAUTH);
    if (!t) {
        hs_fail(c, 500, "INTERNAL_ERROR", "out of memory");
        return;
    }
    token_copy_scopes(t, grant);
    t->expires_at = sync_time_now_ms() + life * 1000;
    t->refresh = strdup(refresh);
    forget_stale(&c->p->auth.tokens, sync_time_now_ms() - STALE_MS);
    hs_map_put(&c->p->auth.tokens, t->token, t);
    hs_reply(c, 200,
             json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:o, s:s}", "token_type", "bearer",
                       "refresh_token", refresh, "access_token", t->token, "expires_in",
                       (json_int_t)life, "hub_id", HS_PORTAL_ID, "user_id", HS_INTEGRATION_USER_ID,
                       "scopes", scopes_json(t), "token_use", "access_token"));
}

void auth_h_token(struct hs_ctx *c)
{
    char grant[64], cid[128], secret[128], code[128], redirect[1024], refresh[128];
    form_get(c, "grant_type", grant, sizeof(grant));
    if (!form_get(c, "client_id", cid, sizeof(cid)) || strcmp(cid, HS_CLIENT_ID) != 0) {
        oauth_fail(c, "BAD_CLIENT_ID", "missing or unknown client id");
        return;
    }
    if (!form_get(c, "client_secret", secret, sizeof(secret)) ||
        strcmp(secret, HS_CLIENT_SECRET) != 0) {
        oauth_fail(c, "BAD_CLIENT_SECRET", "missing or invalid client secret");
        return;
    }
    if (strcmp(grant, "authorization_code") == 0) {
        struct hs_token *g;
        struct hs_token *rt;
        char rtok[64];
        if (!form_get(c, "code", code, sizeof(code)) ||
            !(g = hs_map_get(&c->p->auth.codes, code)) || sync_time_now_ms() >= g->expires_at) {
            oauth_fail(c, "BAD_AUTH_CODE", "missing or unknown auth code");
            return;
        }
        form_get(c, "redirect_uri", redirect, sizeof(redirect));
        if (g->refresh && strcmp(g->refresh, redirect) != 0) {
            oauth_fail(c, "BAD_REDIRECT_URI", "redirect_uri does not match the one authorized");
            return;
        }
        hs_correlation_id(rtok + 4);
        memcpy(rtok, "na1-", 4);
        rt = token_new(rtok, HS_AUTH_OAUTH);
        if (!rt) {
            hs_fail(c, 500, "INTERNAL_ERROR", "out of memory");
            return;
        }
        token_copy_scopes(rt, g);
        hs_map_put(&c->p->auth.refresh, rt->token, rt);
        hs_map_del(&c->p->auth.codes, code);
        token_free(g);
        issue(c, rt, rt->token);
        persist_mark(c->p);
        return;
    }
    if (strcmp(grant, "refresh_token") == 0) {
        struct hs_token *rt;
        if (!form_get(c, "refresh_token", refresh, sizeof(refresh)) ||
            !(rt = hs_map_get(&c->p->auth.refresh, refresh)) || rt->revoked) {
            oauth_fail(c, "BAD_REFRESH_TOKEN", "missing or invalid refresh token");
            return;
        }
        issue(c, rt, rt->token);
        persist_mark(c->p);
        return;
    }
    oauth_fail(c, "BAD_GRANT_TYPE", "grant_type must be authorization_code or refresh_token");
}

void auth_h_access_info(struct hs_ctx *c)
{
    struct hs_token *t = hs_map_get(&c->p->auth.tokens, c->params[0]);
    int64_t left;
    if (!t || t->kind != HS_AUTH_OAUTH || sync_time_now_ms() >= t->expires_at) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Token not found or expired");
        return;
    }
    left = (t->expires_at - sync_time_now_ms()) / 1000;
    hs_reply(c, 200,
             json_pack("{s:s, s:s, s:s, s:o, s:i, s:i, s:I, s:i, s:s, s:b}", "token", t->token,
                       "user", HS_INTEGRATION_USER, "hub_domain", "crmsync-demo.hubspot.com",
                       "scopes", scopes_json(t), "hub_id", HS_PORTAL_ID, "app_id", HS_APP_ID,
                       "expires_in", (json_int_t)left, "user_id", HS_INTEGRATION_USER_ID,
                       "token_type", "access", "is_private_distribution", 0));
}

void auth_h_refresh_info(struct hs_ctx *c)
{
    struct hs_token *t = hs_map_get(&c->p->auth.refresh, c->params[0]);
    if (!t || t->revoked) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Refresh token not found");
        return;
    }
    hs_reply(c, 200,
             json_pack("{s:s, s:s, s:s, s:o, s:i, s:s, s:i, s:s}", "token", t->token, "user",
                       HS_INTEGRATION_USER, "hub_domain", "crmsync-demo.hubspot.com", "scopes",
                       scopes_json(t), "hub_id", HS_PORTAL_ID, "client_id", HS_CLIENT_ID, "user_id",
                       HS_INTEGRATION_USER_ID, "token_type", "refresh"));
}

void auth_h_refresh_revoke(struct hs_ctx *c)
{
    struct hs_token *t = hs_map_get(&c->p->auth.refresh, c->params[0]);
    if (!t) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "Refresh token not found");
        return;
    }
    t->revoked = 1;
    persist_mark(c->p);
    hs_reply(c, 204, NULL);
}

/* GET /oauth/authorize: the user consents at once; redirects with a code. */
void auth_h_authorize(struct hs_ctx *c)
{
    const char *cid = hs_query(c, "client_id");
    const char *redirect = hs_query(c, "redirect_uri");
    const char *scope = hs_query(c, "scope");
    const char *state = hs_query(c, "state");
    struct hs_token tmp;
    json_t *scopes;
    const char *code;
    struct sync_buf loc = SYNC_BUF_INIT(8192);

    if (!cid || strcmp(cid, HS_CLIENT_ID) != 0 || !redirect || !*redirect) {
        hs_fail(c, 400, "VALIDATION_ERROR", "client_id and redirect_uri are required");
        return;
    }
    memset(&tmp, 0, sizeof(tmp));
    if (scope)
        token_scopes_from_text(&tmp, scope);
    scopes = json_array();
    for (size_t i = 0; i < tmp.nscopes; i++)
        json_array_append_new(scopes, json_string(tmp.scopes[i]));
    code = auth_new_code(c->p, scope ? scopes : NULL, redirect);
    json_decref(scopes);
    for (size_t i = 0; i < tmp.nscopes; i++)
        free(tmp.scopes[i]);
    free(tmp.scopes);
    sync_buf_addstr(&loc, redirect);
    sync_buf_addstr(&loc, strchr(redirect, '?') ? "&code=" : "?code=");
    sync_buf_addstr(&loc, code ? code : "");
    if (state) {
        sync_buf_addstr(&loc, "&state=");
        sync_url_encode(&loc, state, strlen(state));
    }
    sync_http_response_header(c->res, "Location", sync_buf_str(&loc));
    sync_buf_release(&loc);
    hs_reply(c, 302, NULL);
}

static json_t *token_json(const struct hs_token *t)
{
    json_t *scopes = json_null();
    if (t->scopes) {
        scopes = json_array();
        for (size_t i = 0; i < t->nscopes; i++)
            json_array_append_new(scopes, json_string(t->scopes[i]));
    }
    return json_pack("{s:s, s:i, s:o, s:I, s:s?, s:b}", "token", t->token, "kind", (int)t->kind,
                     "scopes", scopes, "expires_at", (json_int_t)t->expires_at, "refresh",
                     t->refresh, "revoked", t->revoked);
}

static void dump_one(const char *key, void *val, void *arg)
{
    (void)key;
    json_array_append_new(arg, token_json(val));
}

json_t *auth_dump(struct hs_portal *p)
{
    json_t *tokens = json_array(), *refresh = json_array();
    hs_map_each(&p->auth.tokens, dump_one, tokens);
    hs_map_each(&p->auth.refresh, dump_one, refresh);
    return json_pack("{s:o, s:o}", "tokens", tokens, "refresh", refresh);
}

static void load_into(struct hs_map *m, const json_t *arr)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        const char *tok = sync_json_str(x, "token");
        struct hs_token *t;
        if (!tok || hs_map_get(m, tok))
            continue;
        t = token_new(tok, (enum hs_auth_kind)sync_json_int(x, "kind", HS_AUTH_OAUTH));
        if (!t)
            return;
        token_set_scopes(t, json_object_get(x, "scopes"));
        t->expires_at = sync_json_int(x, "expires_at", 0);
        t->refresh = sync_json_str(x, "refresh") ? strdup(sync_json_str(x, "refresh")) : NULL;
        t->revoked = sync_json_bool(x, "revoked", 0);
        hs_map_put(m, t->token, t);
    }
}

void auth_load(struct hs_portal *p, const json_t *j)
{
    load_into(&p->auth.tokens, json_object_get(j, "tokens"));
    load_into(&p->auth.refresh, json_object_get(j, "refresh"));
}
