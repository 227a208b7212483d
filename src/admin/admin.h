/*
 * admin.h: the admin HTTP JSON API that `crmsync run` serves
 * (docs/ADMIN-API.md).
 *
 * sync_admin_start listens on admin.listen (127.0.0.1:8300 by default;
 * port 0 picks a free one) and answers every route of router.c on
 * threads of its own: each request needs the admin token, runs against an
 * admin-owned handle on the state store (one request at a time holds it),
 * and never touches the engine's own structures. The engine sees what the
 * API changed through the store (settings overrides, resync requests) at
 * its next pass; hooks.wake asks the run loop to start that pass now.
 *
 * Called by cmd_run.c (and cmd_demo.c) only.
 */
#ifndef SYNC_ADMIN_ADMIN_H
#define SYNC_ADMIN_ADMIN_H

#include "core/err.h"
#include "engine/config.h"

struct sync_admin;

struct sync_admin_hooks {
    void (*wake)(void *ctx); /* a change wants a pass soon; may be NULL */
    void *ctx;
};

/* Starts the API for cfg (which must outlive it). SYNC_ERR_INVALID without an admin token (the
 * API never runs unprotected), SYNC_ERR_IO when the address cannot be bound. */
enum sync_rc sync_admin_start(struct sync_admin **out, const struct sync_config *cfg,
                              const struct sync_admin_hooks *hooks, struct sync_err *err);
/* The port bound. */
unsigned sync_admin_port(const struct sync_admin *a);
/* Stops accepting, finishes the requests under way, frees. NULL is fine. */
void sync_admin_stop(struct sync_admin *a);

#endif
