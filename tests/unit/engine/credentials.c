/*
 * Unit tests for src/engine/credentials.c against a token endpoint of the
 * test's own (the Salesforce OAuth password grant's answers): a refused
 * login stores nothing and names the vendor's message, a checked one is
 * stored sealed (no secret in the database file) and shown without
 * secrets, input problems name each field, disconnect forgets and turns
 * sync off, and the engine refuses stored credentials it cannot open.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/http_server.h"
#include "core/url.h"
#include "engine/credentials.h"
#include "engine/runtime.h"
#include "engine/sync.h"
#include "store/store.h"

#define OK(x) cr_assert_eq((x), SYNC_OK, "%s: %s", #x, err.message)

static struct sync_http_server *srv;
static char dir[64];
static struct sync_config cfg;
static struct sync_store *st;

/* The token endpoint: the password grant with client id "cid" and password+token
 * "pw-secretDEMOTOKEN42". */
static void on_token(void *ctx, struct sync_http_request *req, struct sync_http_response *res)
{
    struct sync_buf id = SYNC_BUF_INIT(1024), pw = SYNC_BUF_INIT(1024);
    (void)ctx;
    sync_form_get(req->body.data ? req->body.data : "", req->body.len, "client_id", &id);
    sync_form_get(req->body.data ? req->body.data : "", req->body.len, "password", &pw);
    if (strcmp(req->path, "/services/oauth2/token") != 0)
        sync_http_response_json(res, 404, json_pack("[{s:s}]", "errorCode", "NOT_FOUND"));
    else if (strcmp(sync_buf_str(&id), "cid") != 0)
        sync_http_response_json(res, 400,
                                json_pack("{s:s, s:s}", "error", "invalid_client_id",
                                          "error_description", "client identifier invalid"));
    else if (strcmp(sync_buf_str(&pw), "pw-secretDEMOTOKEN42") != 0)
        sync_http_response_json(res, 400,
                                json_pack("{s:s, s:s}", "error", "invalid_grant",
                                          "error_description", "authentication failure"));
    else
        sync_http_response_json(res, 200,
                                json_pack("{s:s, s:s}", "access_token", "00Dtoken", "instance_url",
                                          "http://127.0.0.1:1"));
    sync_buf_release(&id);
    sync_buf_release(&pw);
}

static void setup(void)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_config_problems *pr = calloc(1, sizeof(*pr));
    char yaml[2048];

    unsetenv(SYNC_SECRET_ENV);
    snprintf(dir, sizeof(dir), "/tmp/crmsync-credsXXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    OK(sync_http_server_start(&srv, "127.0.0.1:0", on_token, NULL, NULL, &err));
    snprintf(yaml, sizeof(yaml),
             "hubspot:\n  base_url: http://127.0.0.1:1\n  access_token: pat-x\n"
             "salesforce:\n  login_url: http://127.0.0.1:%u\n  client_id: cid\n"
             "  client_secret: csecret\n  username: file@example.com\n  password: filepw\n"
             "store: sqlite:%s/c.db\n",
             sync_http_server_port(srv), dir);
    cr_assert_eq(sync_config_init(&cfg), SYNC_OK);
    cr_assert_eq(sync_config_load_text(&cfg, "test.yaml", yaml, strlen(yaml), NULL, NULL, pr),
                 SYNC_OK, "%s", pr->n ? pr->items[0].text : "");
    free(pr);
    OK(sync_store_open(&st, cfg.store, &err));
}

static void teardown(void)
{
    char cmd[128];
    sync_store_close(st);
    sync_config_release(&cfg);
    sync_http_server_stop(srv);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static struct sync_sf_credentials_in creds(const char *password, const char *token)
{
    struct sync_sf_credentials_in in;
    memset(&in, 0, sizeof(in));
    in.username = "ada@example.com";
    in.password = password;
    in.security_token = token;
    in.sandbox = -1;
    return in;
}

static json_t *shown(void)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;
    OK(sync_credentials_show(st, &cfg, "salesforce", &out, &err));
    return out;
}

/* Whether the bytes of the file at path hold text. */
static int file_holds(const char *path, const char *text)
{
    FILE *f = fopen(path, "rb");
    size_t k = strlen(text), n = 0;
    char *buf = malloc(16 << 20);
    int found = 0;

    if (!f) {
        free(buf);
        return 0;
    }
    n = fread(buf, 1, 16 << 20, f);
    fclose(f);
    for (size_t i = 0; !found && i + k <= n; i++)
        found = memcmp(buf + i, text, k) == 0;
    free(buf);
    return found;
}

TestSuite(credentials, .init = setup, .fini = teardown);

Test(credentials, the_file_credentials_are_shown_until_some_are_saved)
{
    json_t *s = shown();
    cr_assert_str_eq(json_string_value(json_object_get(s, "source")), "file");
    cr_assert_str_eq(json_string_value(json_object_get(s, "username")), "file@example.com");
    cr_assert_str_eq(json_string_value(json_object_get(s, "grant")), "password");
    cr_assert(json_is_null(json_object_get(s, "valid")), "validity is not known yet");
    cr_assert_null(json_object_get(s, "password"));
    json_decref(s);
}

Test(credentials, a_refused_login_stores_nothing_and_gives_the_vendor_message)
{
    struct sync_sf_credentials_in in = creds("wrong", "DEMOTOKEN42");
    struct sync_err err = SYNC_ERR_INIT;
    json_t *s;

    cr_assert_eq(sync_credentials_save_salesforce(st, &cfg, &in, &err), SYNC_ERR_VENDOR);
    cr_assert_str_eq(err.code, "invalid_grant");
    cr_assert(strstr(err.message, "authentication failure"), "%s", err.message);
    s = shown();
    cr_assert_str_eq(json_string_value(json_object_get(s, "source")), "file", "nothing stored");
    json_decref(s);
    /* the client id is checked too: a wrong one defaults nothing */
    in = creds("pw-secret", "DEMOTOKEN42");
    in.client_id = "other";
    cr_assert_eq(sync_credentials_save_salesforce(st, &cfg, &in, &err), SYNC_ERR_VENDOR);
    cr_assert_str_eq(err.code, "invalid_client_id");
}

Test(credentials, checked_credentials_are_stored_sealed_and_shown_without_secrets)
{
    struct sync_sf_credentials_in in = creds("pw-secret", "DEMOTOKEN42");
    struct sync_err err = SYNC_ERR_INIT;
    char db[128], wal[128], key[128];
    struct stat sb;
    json_t *s;
    char *text;

    OK(sync_credentials_save_salesforce(st, &cfg, &in, &err));
    s = shown();
    cr_assert_str_eq(json_string_value(json_object_get(s, "source")), "stored");
    cr_assert_str_eq(json_string_value(json_object_get(s, "username")), "ada@example.com");
    cr_assert(json_is_true(json_object_get(s, "valid")));
    cr_assert(json_is_string(json_object_get(s, "checked_at")));
    text = json_dumps(s, 0);
    cr_assert_null(strstr(text, "pw-secret"), "%s", text);
    cr_assert_null(strstr(text, "DEMOTOKEN42"), "%s", text);
    free(text);
    json_decref(s);
    snprintf(db, sizeof(db), "%s/c.db", dir);
    snprintf(wal, sizeof(wal), "%s/c.db-wal", dir);
    snprintf(key, sizeof(key), "%s/c.db.key", dir);
    cr_assert(file_holds(db, "ada@example.com") || file_holds(wal, "ada@example.com"),
              "the username is kept in clear");
    cr_assert_not(file_holds(db, "pw-secretDEMOTOKEN42") ||
                  file_holds(wal, "pw-secretDEMOTOKEN42"));
    cr_assert_not(file_holds(db, "DEMOTOKEN42") || file_holds(wal, "DEMOTOKEN42"),
                  "the token is sealed");
    cr_assert_eq(stat(key, &sb), 0, "the key file was made next to the store");
    cr_assert_eq(sb.st_mode & 0777, 0600);
}

Test(credentials, bad_input_names_each_field)
{
    json_t *body = json_pack("{s:i, s:s, s:s, s:s}", "password", 5, "colour", "blue", "login_url",
                             "ftp://x", "sandbox", "yes");
    json_t *problems = json_array();
    struct sync_sf_credentials_in in;
    char *text;

    sync_credentials_from_json(body, &in, problems);
    text = json_dumps(problems, 0);
    cr_assert(strstr(text, "password: must be a string"), "%s", text);
    cr_assert(strstr(text, "colour: unknown field"), "%s", text);
    cr_assert(strstr(text, "login_url: 'ftp://x' is not an http"), "%s", text);
    cr_assert(strstr(text, "sandbox: must be true or false"), "%s", text);
    cr_assert(strstr(text, "username: missing"), "%s", text);
    free(text);
    json_array_clear(problems);
    json_decref(body);
    body = json_pack("{s:s, s:s, s:s}", "username", "u", "password", "p", "refresh_token", "r");
    sync_credentials_from_json(body, &in, problems);
    cr_assert_eq(json_array_size(problems), 1);
    cr_assert(strstr(json_string_value(json_array_get(problems, 0)), "not both"));
    json_array_clear(problems);
    json_decref(body);
    /* a username alone beside a refresh token: it would be shown but never used */
    body = json_pack("{s:s, s:s}", "username", "u", "refresh_token", "r");
    sync_credentials_from_json(body, &in, problems);
    cr_assert_eq(json_array_size(problems), 1);
    cr_assert(strstr(json_string_value(json_array_get(problems, 0)), "not both"));
    json_decref(body);
    json_decref(problems);
}

Test(credentials, disconnect_forgets_them_and_turns_sync_off)
{
    struct sync_sf_credentials_in in = creds("pw-secret", "DEMOTOKEN42");
    struct sync_err err = SYNC_ERR_INIT;
    json_t *s, *sync = NULL;
    int had = 0;

    OK(sync_credentials_save_salesforce(st, &cfg, &in, &err));
    OK(sync_credentials_forget_salesforce(st, &had, &err));
    cr_assert_eq(had, 1);
    s = shown();
    cr_assert_str_eq(json_string_value(json_object_get(s, "source")), "file");
    json_decref(s);
    OK(sync_runtime_setting_json(st, &cfg, "sync", &sync, &err));
    cr_assert(json_is_false(json_object_get(sync, "value")), "the master switch is off");
    json_decref(sync);
    /* saving again does not turn it on */
    OK(sync_credentials_save_salesforce(st, &cfg, &in, &err));
    OK(sync_runtime_setting_json(st, &cfg, "sync", &sync, &err));
    cr_assert(json_is_false(json_object_get(sync, "value")));
    json_decref(sync);
}

Test(credentials, the_engine_uses_stored_credentials_and_refuses_ones_it_cannot_open)
{
    struct sync_sf_credentials_in in = creds("pw-secret", "DEMOTOKEN42");
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_engine *e = NULL;

    OK(sync_credentials_save_salesforce(st, &cfg, &in, &err));
    OK(sync_engine_open(&e, &cfg, &err));
    sync_engine_close(e);
    /* another key: the sealed blob does not open, and the engine says so */
    setenv(SYNC_SECRET_ENV, "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", 1);
    cr_assert_neq(sync_engine_open(&e, &cfg, &err), SYNC_OK);
    cr_assert_null(e);
    cr_assert(strstr(err.message, "another key"), "%s", err.message);
    unsetenv(SYNC_SECRET_ENV);
}

Test(credentials, a_key_file_others_may_read_is_refused_before_any_login)
{
    struct sync_sf_credentials_in in = creds("pw-secret", "DEMOTOKEN42");
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_secret_key k;
    char key[128];

    OK(sync_credentials_key(&cfg, &k, &err));
    snprintf(key, sizeof(key), "%s/c.db.key", dir);
    chmod(key, 0644);
    cr_assert_eq(sync_credentials_save_salesforce(st, &cfg, &in, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "chmod 600"), "%s", err.message);
    json_t *s = shown();
    cr_assert_str_eq(json_string_value(json_object_get(s, "source")), "file");
    json_decref(s);
}

Test(credentials, the_configured_app_secret_never_goes_to_a_login_host_an_admin_typed)
{
    struct sync_sf_credentials_in in = creds("pw", "tok");
    struct sync_err err = SYNC_ERR_INIT;
    json_t *s;

    in.login_url = "http://attacker.example";
    cr_assert_eq(sync_credentials_save_salesforce(st, &cfg, &in, &err), SYNC_ERR_INVALID);
    cr_assert(strstr(err.message, "give client_id and client_secret"), "%s", err.message);
    in.login_url = "http://login.salesforce.com"; /* a Salesforce host, but not https */
    cr_assert_eq(sync_credentials_save_salesforce(st, &cfg, &in, &err), SYNC_ERR_INVALID);
    s = shown();
    cr_assert_str_eq(json_string_value(json_object_get(s, "source")), "file", "nothing stored");
    json_decref(s);
}
