/*
 * main.c: the emu-hubspot program. Parses the command line (--listen,
 * --seed, --data, --no-limits), sets up the portal, the webhook sender and
 * the optional SQLite store, and serves the API until SIGTERM (emu_serve),
 * then flushes the store and stops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "emulators/common/emu.h"
#include "emulators/hubspot/portal.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: emu-hubspot [--listen HOST:PORT] [--seed N] [--data FILE] [--no-limits]\n");
}

int main(int argc, char **argv)
{
    const char *listen = "127.0.0.1:8302";
    const char *data = NULL;
    long long seed = 0;
    int limits = 1, rc;
    static struct hs_portal portal;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            char *end;
            seed = strtoll(argv[++i], &end, 10);
            if (*end || seed < 0 || seed > 1000000) {
                fprintf(stderr, "emu-hubspot: --seed takes a count from 0 to 1000000\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
        } else if (strcmp(argv[i], "--no-limits") == 0) {
            limits = 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    portal_init(&portal, limits);
    if (webhooks_start(&portal)) {
        fprintf(stderr, "emu-hubspot: cannot start the webhook sender\n");
        return 1;
    }
    if (data) {
        char err[512];
        if (persist_open(&portal, data, err, sizeof(err))) {
            fprintf(stderr, "emu-hubspot: %s\n", err);
            webhooks_stop(&portal);
            portal_release(&portal);
            return 1;
        }
    }
    if (seed > 0) {
        pthread_mutex_lock(&portal.lock);
        json_decref(seed_run(&portal, seed));
        pthread_mutex_unlock(&portal.lock);
    }
    rc = emu_serve("emu-hubspot", listen, routes_handle, &portal);
    persist_close(&portal);
    webhooks_stop(&portal);
    portal_release(&portal);
    return rc;
}
