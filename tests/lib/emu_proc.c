/*
 * emu_proc.c: emulator processes for C tests (see emu_proc.h).
 */
#include "tests/lib/emu_proc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/http_client.h"
#include "core/json.h"
#include "core/time.h"

#ifndef EMU_PROC_BIN_DIR
#define EMU_PROC_BIN_DIR "build/bin"
#endif

const char *emu_proc_bin_dir(void)
{
    const char *d = getenv("CRMSYNC_BIN_DIR");
    return d && *d ? d : EMU_PROC_BIN_DIR;
}

/* Reads the child's stdout until the "listening on" line; 0 when found. */
static int wait_ready(struct emu_proc *e)
{
    char buf[4096];
    size_t len = 0;
    int64_t deadline = sync_time_monotonic_ms() + 15000;

    while (sync_time_monotonic_ms() < deadline && len < sizeof(buf) - 1) {
        struct pollfd p = {e->out_fd, POLLIN, 0};
        const char *at;
        ssize_t n;
        if (poll(&p, 1, 200) <= 0)
            continue;
        n = read(e->out_fd, buf + len, sizeof(buf) - 1 - len);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        at = strstr(buf, "listening on ");
        if (at && strchr(at, '\n')) {
            size_t u = strcspn(at + 13, " \r\n");
            snprintf(e->url, sizeof(e->url), "%.*s", (int)u, at + 13);
            return 0;
        }
    }
    return -1;
}

int emu_proc_start(struct emu_proc *e, const char *kind, const char *const *args)
{
    char bin[1024];
    const char *argv[32];
    int fds[2];
    size_t n = 0;

    memset(e, 0, sizeof(*e));
    e->pid = -1;
    snprintf(e->kind, sizeof(e->kind), "%s", kind);
    snprintf(bin, sizeof(bin), "%s/emu-%s", emu_proc_bin_dir(), kind);
    argv[n++] = bin;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    for (size_t i = 0; args && args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    if (pipe(fds) != 0)
        return -1;
    e->pid = fork();
    if (e->pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (e->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* a test that dies takes its emulator along */
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(bin, (char *const *)argv);
        fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    e->out_fd = fds[0];
    if (wait_ready(e) != 0) {
        fprintf(stderr, "%s did not start listening within 15 s\n", bin);
        emu_proc_stop(e);
        return -1;
    }
    return 0;
}

int emu_proc_stop(struct emu_proc *e)
{
    int status = -1;
    if (e->pid > 0) {
        int64_t deadline = sync_time_monotonic_ms() + 10000;
        kill(e->pid, SIGTERM);
        while (waitpid(e->pid, &status, WNOHANG) == 0) {
            struct timespec ts = {0, 20 * 1000000L};
            if (sync_time_monotonic_ms() > deadline) {
                kill(e->pid, SIGKILL);
                waitpid(e->pid, &status, 0);
                break;
            }
            nanosleep(&ts, NULL);
        }
        e->pid = -1;
    }
    if (e->out_fd > 0)
        close(e->out_fd);
    e->out_fd = -1;
    return status;
}

int emu_proc_control(struct emu_proc *e, const char *method, const char *path, const char *body,
                     json_t **out)
{
    struct sync_http_client c;
    struct sync_http_resp resp;
    struct sync_err err = SYNC_ERR_INIT;
    const char *hdrs[] = {"Content-Type: application/json", NULL};
    char url[1024];
    struct sync_http_req req = {.method = method,
                                .url = url,
                                .headers = hdrs,
                                .body = body,
                                .body_len = body ? strlen(body) : 0,
                                .timeout_ms = 30000};
    int status = 0;

    if (out)
        *out = NULL;
    snprintf(url, sizeof(url), "%s%s", e->url, path);
    sync_http_client_init(&c, 0);
    if (sync_http_client_do(&c, &req, &resp, &err) == SYNC_OK) {
        status = (int)resp.status;
        if (out && resp.body.len)
            *out = sync_json_parse(resp.body.data, resp.body.len, &err);
    }
    sync_http_resp_release(&resp);
    sync_http_client_release(&c);
    return status;
}

int emu_proc_conn_config(const struct emu_proc *e, struct sync_conn_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    if (strcmp(e->kind, "hubspot") == 0) {
        cfg->vendor = SYNC_VENDOR_HUBSPOT;
        cfg->base_url = e->url;
        cfg->auth = SYNC_AUTH_STATIC_TOKEN;
        cfg->access_token = "pat-na1-crmsync-demo";
        return 0;
    }
    if (strcmp(e->kind, "salesforce") != 0) {
        fprintf(stderr, "emu_proc: no demo connection for an emulator of kind %s\n", e->kind);
        return -1;
    }
    cfg->vendor = SYNC_VENDOR_SALESFORCE;
    cfg->login_url = e->url;
    cfg->auth = SYNC_AUTH_PASSWORD;
    cfg->client_id = "crmsync-demo";
    cfg->client_secret = "crmsync-demo-secret";
    cfg->username = "integration@crmsync.test";
    cfg->password = "demo-password";
    cfg->security_token = "DEMOTOKEN";
    return 0;
}

int emu_proc_connect(struct emu_proc *e, const char *kind, struct sync_conn **out)
{
    struct sync_conn_config cfg;
    struct sync_err err = SYNC_ERR_INIT;

    *out = NULL;
    if (emu_proc_start(e, kind, NULL) || emu_proc_conn_config(e, &cfg))
        return -1;
    if (!(*out = sync_conn_new(&cfg, &err))) {
        fprintf(stderr, "emu_proc: cannot connect to emu-%s: %s\n", kind, err.message);
        return -1;
    }
    return 0;
}
