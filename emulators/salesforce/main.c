/*
 * main.c: emu-salesforce's command line (docs/EMULATORS.md):
 *   emu-salesforce --listen HOST:PORT [--seed N] [--data FILE] [--schema FILE] [--no-limits]
 * Loads the schema, sets up a fresh org (or the one in --data), seeds it,
 * and serves until SIGTERM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulators/common/emu.h"
#include "emulators/salesforce/api.h"
#include "emulators/salesforce/persist.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: emu-salesforce [--listen HOST:PORT] [--seed N] [--data FILE] "
               "[--schema FILE] [--no-limits]\n");
}

int main(int argc, char **argv)
{
    const char *listen = "127.0.0.1:8301", *data = NULL, *schema_file = NULL;
    long seed = 0;
    int no_limits = 0, loaded = 0, rc;
    struct sf_schema schema;
    struct sync_err err = SYNC_ERR_INIT;
    static struct sf_server srv;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            char *end;
            seed = strtol(argv[++i], &end, 10);
            if (*end || seed < 0 || seed > 1000000) {
                fprintf(stderr, "emu-salesforce: --seed wants a count from 0 to 1000000\n");
                return 2;
            }
        } else if (strcmp(a, "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
        } else if (strcmp(a, "--schema") == 0 && i + 1 < argc) {
            schema_file = argv[++i];
        } else if (strcmp(a, "--no-limits") == 0) {
            no_limits = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (schema_load_default(&schema, &err) ||
        (schema_file && schema_apply_file(&schema, schema_file, &err))) {
        fprintf(stderr, "emu-salesforce: schema: %s\n", err.message);
        schema_release(&schema);
        return 1;
    }
    if (server_init(&srv, &schema, &err)) {
        fprintf(stderr, "emu-salesforce: %s\n", err.message);
        return 1;
    }
    srv.no_limits = no_limits;
    limits_reset(&srv.limits, !no_limits);
    if (data && persist_open(&srv.persist, data, &srv, &loaded, &err)) {
        fprintf(stderr, "emu-salesforce: --data: %s\n", err.message);
        server_release(&srv);
        return 1;
    }
    if (!loaded) {
        server_fresh_org(&srv);
        if (seed > 0)
            json_decref(server_seed(&srv, seed));
        if (srv.persist)
            persist_save_all(srv.persist, &srv);
    }
    rc = emu_serve("emu-salesforce", listen, routes_http, &srv);
    persist_close(srv.persist);
    srv.org.on_commit = NULL;
    server_release(&srv);
    return rc;
}
