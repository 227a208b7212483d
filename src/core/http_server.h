/*
 * http_server.h: an HTTP/1.1 server on libmicrohttpd, for the emulators
 * (and later the engine's admin API).
 *
 * The server calls one handler per complete request, on a thread of its
 * own per connection, so a handler may sleep (injected latency) or hold a
 * long poll without stalling other clients. Handlers run concurrently:
 * whatever state they share must be locked by the caller.
 *
 * Lifetimes: a struct sync_http_request and its response live for one
 * request; the server frees both after the answer is queued. Strings the
 * request hands out are borrowed and valid until the handler returns.
 *
 * A handler fills the response: status, headers, body. Setting drop makes
 * the server close the connection without answering (fault injection).
 */
#ifndef SYNC_CORE_HTTP_SERVER_H
#define SYNC_CORE_HTTP_SERVER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SYNC_HTTP_MAX_RESP_HEADERS 24
#define SYNC_HTTP_MAX_QUERY 64

struct sync_http_kv {
    char *name;
    char *value;
};

struct sync_http_request {
    const char *method;   /* "GET", "POST", ... */
    const char *path;     /* percent-decoded path, no query string */
    struct sync_buf body; /* the request body, NUL-terminated */
    size_t header_bytes;  /* URL + all header lines, as a client sent them */
    size_t nquery;
    struct sync_http_kv query[SYNC_HTTP_MAX_QUERY]; /* decoded, in order, repeats kept */
    void *conn;                                     /* the libmicrohttpd connection */
    int body_too_large;
};

struct sync_http_response {
    int status;
    int drop; /* close the connection without an answer */
    struct sync_buf body;
    const char *content_type; /* static string; default application/json;charset=UTF-8 */
    size_t nheaders;
    struct sync_http_kv headers[SYNC_HTTP_MAX_RESP_HEADERS];
};

typedef void (*sync_http_handler_fn)(void *ctx, struct sync_http_request *req,
                                     struct sync_http_response *res);

struct sync_http_server_opts {
    size_t max_body;         /* request bodies above this get 413; default 64 MiB */
    unsigned connection_cap; /* most simultaneous connections; default 1024 */
};

struct sync_http_server;

/* Splits "HOST:PORT" (PORT may be 0 for any free port). */
enum sync_rc sync_http_parse_listen(const char *listen, char *host, size_t hostlen, unsigned *port);

/* Starts listening; *out is the running server. */
enum sync_rc sync_http_server_start(struct sync_http_server **out, const char *listen,
                                    sync_http_handler_fn fn, void *ctx,
                                    const struct sync_http_server_opts *opts, struct sync_err *err);
/* The port actually bound (useful after listening on port 0). */
unsigned sync_http_server_port(const struct sync_http_server *s);
const char *sync_http_server_host(const struct sync_http_server *s);
/* Stops accepting, waits for in-flight requests, frees the server. */
void sync_http_server_stop(struct sync_http_server *s);

/* Request accessors (borrowed strings; NULL when absent). Header names ignore case. */
const char *sync_http_request_header(const struct sync_http_request *req, const char *name);
const char *sync_http_request_query(const struct sync_http_request *req, const char *name);

/* Response builders. */
void sync_http_response_header(struct sync_http_response *res, const char *name, const char *value);
/* Sets status and a JSON body; steals v (NULL means no body). */
void sync_http_response_json(struct sync_http_response *res, int status, json_t *v);
void sync_http_response_text(struct sync_http_response *res, int status, const char *content_type,
                             const char *text);

#endif
