/*
 * auth.h: OAuth sessions of the Salesforce emulator: access tokens,
 * refresh tokens and authorization codes, each with its user. The token
 * endpoint, revoke, identity and SOAP login live in auth.c too; they are
 * declared with the other handlers in api.h.
 *
 * The session tables have their own mutex (struct sf_auth.lock), so the
 * dispatcher (routes.c) can check a bearer token before it takes the org
 * lock; each table holds at most 10,000 tokens, the least recently used
 * going first. server.c sets them up; the control API expires sessions.
 */
#ifndef EMU_SF_AUTH_H
#define EMU_SF_AUTH_H

#include <pthread.h>
#include <stdint.h>

#include "emulators/salesforce/hmap.h"

struct sf_auth {
    pthread_mutex_t lock;
    struct hmap sessions; /* access token -> struct sf_session * */
    struct hmap refresh;  /* refresh token -> struct sf_session * (user only) */
    struct hmap codes;    /* authorization code -> struct sf_session * */
};

void auth_init(struct sf_auth *a);
void auth_release(struct sf_auth *a);
/* Checks an Authorization header ("Bearer X" or "OAuth X") or a bare token: a live session
 * idle for less than lifetime_ms. Fills user (18-char id) and touches the session. Returns 0,
 * or -1 for a missing, unknown, revoked or expired token. */
int auth_check(struct sf_auth *a, const char *authz, int64_t lifetime_ms, int64_t now,
               char user[19]);
/* Invalidates one access token, or all of them when token is NULL. Returns how many. */
int auth_expire(struct sf_auth *a, const char *token);

#endif
