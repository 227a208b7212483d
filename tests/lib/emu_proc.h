/*
 * emu_proc.h: starting and stopping an emulator binary for a C test,
 * calling its control API (/__emu/...), and the connection settings that
 * reach it as crmsync's demo integration user (and a connection made with
 * them).
 *
 *   struct emu_proc e;
 *   emu_proc_start(&e, "salesforce", NULL);     // e.url = "http://127.0.0.1:PORT"
 *   emu_proc_control(&e, "POST", "/__emu/reset", NULL, NULL);
 *   emu_proc_stop(&e);
 *
 * The emulator listens on 127.0.0.1 port 0 and prints "... listening on
 * http://HOST:PORT" once ready; emu_proc_start waits for that line (15 s at
 * most). Binaries come from $CRMSYNC_BIN_DIR, else the build's runtime
 * output directory (EMU_PROC_BIN_DIR, set by CMake). Used by the
 * integration tests only.
 */
#ifndef TESTS_LIB_EMU_PROC_H
#define TESTS_LIB_EMU_PROC_H

#include <jansson.h>
#include <sys/types.h>

#include "connectors/connector.h"

struct emu_proc {
    pid_t pid;
    int out_fd;
    char url[128];
    char kind[32];
};

/* Starts emu-<kind> with --listen 127.0.0.1:0 and the extra NULL-terminated args (may be
 * NULL). Returns 0, or -1 with a message on stderr. */
int emu_proc_start(struct emu_proc *e, const char *kind, const char *const *args);
/* SIGTERM, then SIGKILL after 10 s; returns the exit status (or -1). */
int emu_proc_stop(struct emu_proc *e);
/* Calls the control API; body is JSON text or NULL. Returns the HTTP status (0 on transport
 * failure); *out (if given) receives the parsed answer (new, or NULL). */
int emu_proc_control(struct emu_proc *e, const char *method, const char *path, const char *body,
                     json_t **out);
/* The directory the binaries are taken from. */
const char *emu_proc_bin_dir(void);
/* Fills cfg (zeroed first) to reach the running emulator as crmsync's demo integration user:
 * HubSpot with the demo private app token, Salesforce with the demo username-password login.
 * Returns 0, or -1 (a message on stderr) for an emulator of another kind. */
int emu_proc_conn_config(const struct emu_proc *e, struct sync_conn_config *cfg);
/* Starts emu-<kind> and connects to it with those settings: *out, a new connection. Returns 0,
 * or -1 (a message on stderr); the caller stops the emulator either way. */
int emu_proc_connect(struct emu_proc *e, const char *kind, struct sync_conn **out);

#endif
