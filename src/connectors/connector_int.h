/*
 * connector_int.h: what connector.c shares with the vendor files
 * (salesforce*.c, hubspot*.c) and nothing else includes: the connector's
 * state and the one request path every vendor call goes through.
 *
 * sync__conn_call paces (token bucket), adds the vendor's headers, sends,
 * reports usage, parses JSON, and on failure classifies the answer through
 * ops->error, logs in again once on an expired session, and retries what
 * may be retried with backoff. Writes whose answer was lost are never
 * resent: they come back with err->code SYNC_CONN_AMBIGUOUS_CODE.
 */
#ifndef SYNC_CONNECTORS_CONNECTOR_INT_H
#define SYNC_CONNECTORS_CONNECTOR_INT_H

#include "connectors/connector.h"
#include "core/buf.h"

#define SYNC__TOKEN_MAX 2048
#define SYNC__URL_MAX 1024

struct sync_conn {
    const struct sync_conn_ops *ops;
    struct sync_conn_config cfg; /* strings point into owned copies */
    char *owned[16];
    size_t nowned;

    struct sync_http_client own_http;
    int own_http_ready;
    struct sync_http_client *http;
    struct sync_bucket own_bucket, own_search;
    struct sync_bucket *bucket, *search;
    uint64_t rng;

    int authed;
    char token[SYNC__TOKEN_MAX];
    char refresh_token[SYNC__TOKEN_MAX];
    char instance_url[SYNC__URL_MAX]; /* SF data host; HS API host */
    int64_t token_expires_ms;         /* 0: no known expiry */

    long long daily_used, daily_limit; /* last reported, -1 unknown */
    int calls;                         /* requests sent, retries included */
};

enum sync__call_flags {
    SYNC__CALL_WRITE = 1 << 0,  /* a lost answer is ambiguous: never resend */
    SYNC__CALL_SEARCH = 1 << 1, /* HubSpot search: its own bucket */
    SYNC__CALL_NOAUTH = 1 << 2, /* token endpoint: no Authorization, no re-login */
    SYNC__CALL_FORM = 1 << 3,   /* body is application/x-www-form-urlencoded */
    SYNC__CALL_ASSIGN = 1 << 4, /* Salesforce: let assignment rules run */
    SYNC__CALL_JSON = 1 << 5    /* body is JSON */
};

/* One request through pacing, auth and retries. *out receives the parsed JSON body (new; NULL
 * when the body is empty) of a 2xx answer; *status the final HTTP status (0 if none). */
enum sync_rc sync__conn_call(struct sync_conn *c, const char *method, const char *url,
                             const char *body, size_t body_len, unsigned flags, json_t **out,
                             long *status, struct sync_err *err);

/* Same with a JSON body (serialised here). */
enum sync_rc sync__conn_call_json(struct sync_conn *c, const char *method, const char *url,
                                  const json_t *body, unsigned flags, json_t **out, long *status,
                                  struct sync_err *err);

/* Stores usage and passes it to the engine's callback. */
void sync__conn_report_usage(struct sync_conn *c, const struct sync_conn_usage *u);

/* Appends records (each a borrowed json value, increfed) to out->records. */
void sync__batch_append(struct sync_conn_batch *out, json_t *rec);

int64_t sync__conn_now(const struct sync_conn *c);

#endif
