/*
 * serve.c: runs an emulator's HTTP server until SIGTERM or SIGINT (see
 * emu.h). Called once from each emulator's main.
 */
#include <signal.h>
#include <stdio.h>

#include "core/log.h"
#include "emulators/common/emu.h"

int emu_serve(const char *name, const char *listen, sync_http_handler_fn fn, void *ctx)
{
    struct sync_http_server *srv = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    sigset_t set;
    int sig = 0;

    /* block the signals before threads start so every thread inherits the mask */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (sync_http_server_start(&srv, listen, fn, ctx, NULL, &err)) {
        fprintf(stderr, "%s: %s\n", name, err.message);
        return 1;
    }
    printf("%s listening on http://%s:%u\n", name, sync_http_server_host(srv),
           sync_http_server_port(srv));
    fflush(stdout);
    sigwait(&set, &sig);
    sync_info(name, "signal %d: stopping", sig);
    sync_http_server_stop(srv);
    return 0;
}
