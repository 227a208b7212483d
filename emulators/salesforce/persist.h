/*
 * persist.h: --data FILE: the org kept in SQLite across restarts.
 *
 * Every committed transaction writes the records it touched and its
 * change-log entries (the org's commit hook); control calls that change
 * settings, rules or everything at once (reset, seed, purge) rewrite the
 * whole file. On start, a file with an org in it is loaded instead of a
 * fresh org. Called by main.c, control.c and, through the hook, org.c.
 */
#ifndef EMU_SF_PERSIST_H
#define EMU_SF_PERSIST_H

#include "core/err.h"

struct sf_persist;
struct sf_server;

/* Opens (creating) the file; *loaded says whether it held an org, now in srv. */
enum sync_rc persist_open(struct sf_persist **out, const char *path, struct sf_server *srv,
                          int *loaded, struct sync_err *err);
void persist_close(struct sf_persist *p);
/* Rewrites the file from srv (the caller holds the org lock). */
void persist_save_all(struct sf_persist *p, struct sf_server *srv);

#endif
