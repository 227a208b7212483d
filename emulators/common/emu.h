/*
 * emu.h: what both emulators share and nothing else: serving until
 * SIGTERM, a deterministic random source for seeding, and fault injection
 * settings for the PUT /__emu/faults control call.
 *
 * Only emulator code includes this. The engine never links it, and it
 * never reaches into engine code, so a bug in our client cannot hide
 * behind code the emulator shares with it.
 */
#ifndef EMU_COMMON_EMU_H
#define EMU_COMMON_EMU_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "core/err.h"
#include "core/http_server.h"

/* Starts the server on listen, prints "<name> listening on http://HOST:PORT" on stdout once
 * ready, serves until SIGTERM or SIGINT, then stops it. Returns a process exit code. */
int emu_serve(const char *name, const char *listen, sync_http_handler_fn fn, void *ctx);

/* ---- deterministic random numbers (splitmix64) ---- */
struct emu_rng {
    uint64_t state;
};
void emu_rng_init(struct emu_rng *r, uint64_t seed);
uint64_t emu_rng_next(struct emu_rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t emu_rng_below(struct emu_rng *r, uint64_t n);
/* Uniform in [0, 1). */
double emu_rng_unit(struct emu_rng *r);

/* ---- fault injection ---- */

/*
 * Settings of PUT /__emu/faults (every key optional; absent keys keep their value):
 *   latency_ms              added to every API request
 *   error_rate              fraction of API requests answered with error_status
 *   error_status            500 (default) or 503, 423, 429 ...
 *   error_next              the next N API requests get error_status
 *   retry_after_s           injected errors carry Retry-After: N (0: only where the vendor
 *                           always sends one)
 *   drop_before_rate        fraction of writes whose connection is dropped before commit
 *   drop_after_rate         fraction of writes dropped after they commit
 *   drop_before_next        the next N writes are dropped before commit
 *   drop_after_next         the next N writes are dropped after commit
 *   path_prefix             only requests whose path starts with this are affected ("" = all)
 *   seed                    reseeds the fault dice, for reproducible runs
 * DELETE /__emu/faults (or a reset) clears them all.
 */
struct emu_faults {
    pthread_mutex_t lock;
    int64_t latency_ms;
    double error_rate;
    int error_status;
    int64_t error_next;
    int64_t retry_after_s;
    double drop_before_rate;
    double drop_after_rate;
    int64_t drop_before_next;
    int64_t drop_after_next;
    char path_prefix[256];
    struct emu_rng rng;
};

enum emu_fault {
    EMU_FAULT_NONE = 0,
    EMU_FAULT_ERROR,       /* answer with error_status instead of doing anything */
    EMU_FAULT_DROP_BEFORE, /* drop the connection without doing the write */
    EMU_FAULT_DROP_AFTER   /* do the write, then drop the connection */
};

void emu_faults_init(struct emu_faults *f);
void emu_faults_release(struct emu_faults *f);
void emu_faults_clear(struct emu_faults *f);
/* Applies a settings object; a bad key or value fills err (SYNC_ERR_INVALID) and changes
 * nothing. */
enum sync_rc emu_faults_configure(struct emu_faults *f, const json_t *settings,
                                  struct sync_err *err);
/* new: the current settings. */
json_t *emu_faults_to_json(struct emu_faults *f);
/* Rolls the dice for one request: is_write says whether it changes state. Sleeps for the
 * configured latency before returning. */
enum emu_fault emu_faults_decide(struct emu_faults *f, const char *path, int is_write);

#endif
