/*
 * cmd_credentials.c: `crmsync credentials` and `crmsync disconnect`: the
 * vendors' credentials in force, saving Salesforce credentials (checked
 * with one login before they are stored, sealed) and disconnecting
 * (engine/credentials.h).
 *
 *   crmsync credentials [--json]
 *   crmsync credentials salesforce --username U [--sandbox] [--login-url URL]
 *                       [--client-id ID] [--client-secret-stdin]
 *       stdin: the password, then the security token (may be empty), then with
 *       --client-secret-stdin the client secret, one per line; never on the command line
 *   crmsync credentials salesforce --refresh-token-stdin [--sandbox] [--login-url URL]
 *                       [--client-id ID] [--client-secret-stdin]
 *       stdin: the OAuth refresh token, then with --client-secret-stdin the client secret
 *   crmsync disconnect
 *
 * Works on the store alone, next to a running engine, which takes the
 * change at its next pass. Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "core/secret.h"
#include "engine/credentials.h"
#include "store/store.h"

static void credentials_usage(FILE *f)
{
    fprintf(f, "usage: crmsync credentials [--json]\n"
               "       crmsync credentials salesforce --username U [--sandbox] "
               "[--login-url URL]\n"
               "                           [--client-id ID] [--client-secret-stdin]\n"
               "         (stdin: password, then security token, then with "
               "--client-secret-stdin the client secret, one per line)\n"
               "       crmsync credentials salesforce --refresh-token-stdin [--sandbox] "
               "[--login-url URL]\n"
               "                           [--client-id ID] [--client-secret-stdin]\n"
               "         (stdin: the OAuth refresh token, then with --client-secret-stdin "
               "the client secret)\n"
               "       crmsync disconnect\n");
}

static void print_vendor(const json_t *v)
{
    const json_t *valid = json_object_get(v, "valid");
    const char *vendor = sync_json_str(v, "vendor");
    const char *err = sync_json_str(v, "error");

    printf("%-11s %s", vendor, sync_json_str(v, "source"));
    if (strcmp(vendor, "salesforce") == 0)
        printf(", %s grant, user %s at %s%s", sync_json_str(v, "grant"),
               sync_json_str(v, "username") ? sync_json_str(v, "username") : "(none)",
               sync_json_str(v, "login_url"),
               json_is_true(json_object_get(v, "sandbox")) ? " (sandbox)" : "");
    else
        printf(", %s, token %s", sync_json_str(v, "auth"),
               json_is_true(json_object_get(v, "token_present")) ? "present" : "missing");
    printf("\n            valid: %s", json_is_null(valid)   ? "unknown"
                                      : json_is_true(valid) ? "yes"
                                                            : "no");
    if (sync_json_str(v, "checked_at"))
        printf(" (checked %s)", sync_json_str(v, "checked_at"));
    if (err)
        printf("\n            error: %s", err);
    printf("\n");
}

static int credentials_show(struct sync_store *st, const struct sync_config *cfg, int as_json)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *out = NULL;

    if (sync_credentials_show(st, cfg, NULL, &out, &err)) {
        fprintf(stderr, "crmsync credentials: %s\n", err.message);
        return CLI_FAILED;
    }
    if (as_json) {
        char *text = json_dumps(out, JSON_INDENT(2));
        printf("%s\n", text ? text : "null");
        free(text);
    } else {
        print_vendor(json_object_get(out, "salesforce"));
        print_vendor(json_object_get(out, "hubspot"));
    }
    json_decref(out);
    return CLI_OK;
}

/* One line of stdin without its line end, echo off on a terminal; 0 at end of input. */
static int read_secret(const char *prompt, char *buf, size_t n)
{
    struct termios was, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &was) == 0;
    int got;
    size_t len;

    if (tty) {
        fprintf(stderr, "%s: ", prompt);
        quiet = was;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    got = fgets(buf, (int)n, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &was);
        fputc('\n', stderr);
    }
    if (!got) {
        buf[0] = '\0';
        return 0;
    }
    len = strlen(buf);
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    return 1;
}

static int credentials_save(struct sync_store *st, const struct sync_config *cfg, int argc,
                            const char **argv)
{
    struct sync_sf_credentials_in in;
    struct sync_err err = SYNC_ERR_INIT;
    char password[SYNC_CREDENTIALS_FIELD_MAX + 2], token[SYNC_CREDENTIALS_FIELD_MAX + 2];
    char secret[SYNC_CREDENTIALS_FIELD_MAX + 2], refresh[SYNC_CREDENTIALS_FIELD_MAX + 2];
    int secret_stdin = 0, refresh_stdin = 0, status = CLI_OK;
    json_t *shown = NULL;

    memset(&in, 0, sizeof(in));
    in.sandbox = -1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--sandbox") == 0) {
            in.sandbox = 1;
        } else if (strcmp(a, "--client-secret-stdin") == 0) {
            secret_stdin = 1;
        } else if (strcmp(a, "--refresh-token-stdin") == 0) {
            refresh_stdin = 1;
        } else if ((strcmp(a, "--username") == 0 || strcmp(a, "--login-url") == 0 ||
                    strcmp(a, "--client-id") == 0) &&
                   i + 1 < argc) {
            const char **slot = a[2] == 'u'   ? &in.username
                                : a[2] == 'l' ? &in.login_url
                                              : &in.client_id;
            *slot = argv[++i];
        } else {
            fprintf(stderr, "crmsync credentials: unknown or incomplete option '%s'\n", a);
            credentials_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (!in.username == !refresh_stdin) {
        fprintf(stderr, "crmsync credentials: give --username (the password and security token "
                        "are read from stdin) or --refresh-token-stdin, one of them\n");
        return CLI_USAGE;
    }
    memset(refresh, 0, sizeof(refresh));
    memset(password, 0, sizeof(password));
    memset(token, 0, sizeof(token));
    memset(secret, 0, sizeof(secret));
    if (refresh_stdin) {
        if (!read_secret("refresh token", refresh, sizeof(refresh)) || !refresh[0]) {
            fprintf(stderr, "crmsync credentials: no refresh token on stdin\n");
            status = CLI_USAGE;
            goto out;
        }
        in.refresh_token = refresh;
    } else {
        if (!read_secret("password", password, sizeof(password))) {
            fprintf(stderr, "crmsync credentials: no password on stdin\n");
            status = CLI_USAGE;
            goto out;
        }
        read_secret("security token (empty: none)", token, sizeof(token));
        in.password = password;
        in.security_token = token;
    }
    if (secret_stdin && !read_secret("client secret", secret, sizeof(secret))) {
        fprintf(stderr, "crmsync credentials: no client secret on stdin\n");
        status = CLI_USAGE;
        goto out;
    }
    in.client_secret = secret_stdin ? secret : NULL;
    if (sync_credentials_save_salesforce(st, cfg, &in, &err)) {
        fprintf(stderr, "crmsync credentials: not saved: %s\n", err.message);
        status = err.rc == SYNC_ERR_INVALID ? CLI_USAGE : CLI_FAILED;
        goto out;
    }
    if (sync_credentials_show(st, cfg, "salesforce", &shown, &err) == SYNC_OK) {
        printf("saved, checked with a login to Salesforce\n");
        print_vendor(shown);
        json_decref(shown);
    }
out:
    sync_secret_wipe(password, sizeof(password));
    sync_secret_wipe(token, sizeof(token));
    sync_secret_wipe(secret, sizeof(secret));
    sync_secret_wipe(refresh, sizeof(refresh));
    return status;
}

static int with_store(const struct cli *cli,
                      int (*fn)(struct sync_store *, struct sync_config *, int, const char **),
                      int argc, const char **argv)
{
    struct sync_config cfg;
    struct sync_store *st = NULL;
    char cmd[64];
    int status;

    snprintf(cmd, sizeof(cmd), "crmsync %s", argv[0]);
    if ((status = cli_store_open(cli, cmd, &cfg, &st)) != CLI_OK)
        return status;
    status = fn(st, &cfg, argc, argv);
    cli_store_close(&cfg, st);
    return status;
}

static int credentials_run(struct sync_store *st, struct sync_config *cfg, int argc,
                           const char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "salesforce") == 0)
        return credentials_save(st, cfg, argc, argv);
    return credentials_show(st, cfg, argc >= 2 && strcmp(argv[1], "--json") == 0);
}

int cmd_credentials(int argc, const char **argv, const struct cli *cli)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        credentials_usage(stdout);
        return CLI_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "salesforce") != 0 &&
        !(argc == 2 && strcmp(argv[1], "--json") == 0)) {
        fprintf(stderr, "crmsync credentials: unknown argument '%s'\n", argv[1]);
        credentials_usage(stderr);
        return CLI_USAGE;
    }
    return with_store(cli, credentials_run, argc, argv);
}

static int disconnect_run(struct sync_store *st, struct sync_config *cfg, int argc,
                          const char **argv)
{
    struct sync_err err = SYNC_ERR_INIT;
    int had = 0;

    (void)cfg;
    (void)argc;
    (void)argv;
    if (sync_credentials_forget_salesforce(st, &had, &err)) {
        fprintf(stderr, "crmsync disconnect: %s\n", err.message);
        return CLI_FAILED;
    }
    printf("%s; sync is off (turn it on again with `crmsync settings set sync true` once "
           "credentials are saved)\n",
           had ? "the stored Salesforce credentials are forgotten"
               : "no Salesforce credentials were stored");
    return CLI_OK;
}

int cmd_disconnect(int argc, const char **argv, const struct cli *cli)
{
    if (argc > 1) {
        fprintf(stderr, "usage: crmsync disconnect\n");
        return CLI_USAGE;
    }
    return with_store(cli, disconnect_run, argc, argv);
}
