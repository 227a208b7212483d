/*
 * http_server.c: the libmicrohttpd wrapper (see http_server.h).
 *
 * Owns the MHD daemon and, per request, a struct sync_http_request that
 * accumulates the body across MHD's calls and is freed by the completion
 * callback. Called by the emulators' main functions.
 */
#include "core/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/log.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_Result_t;
#else
typedef enum MHD_Result MHD_Result_t;
#endif

struct sync_http_server {
    struct MHD_Daemon *daemon;
    sync_http_handler_fn fn;
    void *ctx;
    size_t max_body;
    unsigned port;
    char host[64];
};

enum sync_rc sync_http_parse_listen(const char *listen, char *host, size_t hostlen, unsigned *port)
{
    const char *colon = strrchr(listen, ':');
    char *end;
    unsigned long p;

    if (!colon || colon == listen || (size_t)(colon - listen) >= hostlen)
        return SYNC_ERR_INVALID;
    p = strtoul(colon + 1, &end, 10);
    if (*end || colon[1] == '\0' || p > 65535)
        return SYNC_ERR_INVALID;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    *port = (unsigned)p;
    return SYNC_OK;
}

static MHD_Result_t count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    size_t *n = cls;
    *n += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

static MHD_Result_t collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct sync_http_request *req = cls;
    if (req->nquery >= SYNC_HTTP_MAX_QUERY)
        return MHD_NO;
    req->query[req->nquery].name = strdup(key);
    req->query[req->nquery].value = strdup(value ? value : "");
    req->nquery++;
    return MHD_YES;
}

static struct sync_http_request *request_new(struct sync_http_server *s,
                                             struct MHD_Connection *conn, const char *method,
                                             const char *url)
{
    struct sync_http_request *req = calloc(1, sizeof(*req));
    if (!req)
        return NULL;
    req->method = method;
    req->path = url;
    req->conn = conn;
    sync_buf_init(&req->body, s->max_body);
    req->header_bytes = strlen(url);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &req->header_bytes);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, req);
    return req;
}

static void request_free(struct sync_http_request *req)
{
    for (size_t i = 0; i < req->nquery; i++) {
        free(req->query[i].name);
        free(req->query[i].value);
    }
    sync_buf_release(&req->body);
    free(req);
}

static void response_release(struct sync_http_response *res)
{
    for (size_t i = 0; i < res->nheaders; i++) {
        free(res->headers[i].name);
        free(res->headers[i].value);
    }
    sync_buf_release(&res->body);
}

static MHD_Result_t send_response(struct MHD_Connection *conn, struct sync_http_response *res)
{
    struct MHD_Response *r;
    MHD_Result_t ok;
    size_t len = 0;
    char *body = sync_buf_detach(&res->body, &len);

    r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    if (len > 0 || res->content_type)
        MHD_add_response_header(r, "Content-Type",
                                res->content_type ? res->content_type
                                                  : "application/json;charset=UTF-8");
    for (size_t i = 0; i < res->nheaders; i++)
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
    ok = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

static MHD_Result_t on_request(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    struct sync_http_server *s = cls;
    struct sync_http_request *req = *con_cls;
    struct sync_http_response res;
    MHD_Result_t ok;

    if (!req) {
        req = request_new(s, conn, method, url);
        if (!req)
            return MHD_NO;
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!req->body_too_large && sync_buf_add(&req->body, upload, *upload_size) != SYNC_OK)
            req->body_too_large = 1;
        *upload_size = 0;
        return MHD_YES;
    }

    memset(&res, 0, sizeof(res));
    sync_buf_init(&res.body, 0);
    res.status = 200;
    if (req->body_too_large) {
        sync_http_response_text(&res, 413, "text/plain", "Request body too large\n");
    } else {
        sync_buf_add(&req->body, "", 0);
        s->fn(s->ctx, req, &res);
    }
    if (res.drop) {
        response_release(&res);
        return MHD_NO;
    }
    ok = send_response(conn, &res);
    response_release(&res);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    if (*con_cls) {
        request_free(*con_cls);
        *con_cls = NULL;
    }
}

enum sync_rc sync_http_server_start(struct sync_http_server **out, const char *listen,
                                    sync_http_handler_fn fn, void *ctx,
                                    const struct sync_http_server_opts *opts, struct sync_err *err)
{
    struct sync_http_server *s;
    struct sockaddr_in addr;
    const union MHD_DaemonInfo *info;
    unsigned port;

    s = calloc(1, sizeof(*s));
    if (!s)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (sync_http_parse_listen(listen, s->host, sizeof(s->host), &port)) {
        free(s);
        return sync_err_set(err, SYNC_ERR_INVALID, "bad listen address '%s' (want HOST:PORT)",
                            listen);
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (strcmp(s->host, "localhost") == 0)
        snprintf(s->host, sizeof(s->host), "127.0.0.1");
    if (inet_pton(AF_INET, s->host, &addr.sin_addr) != 1) {
        free(s);
        return sync_err_set(err, SYNC_ERR_INVALID, "bad listen host '%s' (want an IPv4 address)",
                            listen);
    }
    s->fn = fn;
    s->ctx = ctx;
    s->max_body = opts && opts->max_body ? opts->max_body : (size_t)64 * 1024 * 1024;
    s->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
            MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)256 * 1024, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)(opts && opts->connection_cap ? opts->connection_cap : 1024),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_LISTENING_ADDRESS_REUSE,
        (unsigned)1, MHD_OPTION_END);
    if (!s->daemon) {
        free(s);
        return sync_err_set(err, SYNC_ERR_IO, "cannot listen on %s", listen);
    }
    info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    *out = s;
    return SYNC_OK;
}

unsigned sync_http_server_port(const struct sync_http_server *s)
{
    return s->port;
}

const char *sync_http_server_host(const struct sync_http_server *s)
{
    return s->host;
}

void sync_http_server_stop(struct sync_http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}

const char *sync_http_request_header(const struct sync_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *sync_http_request_query(const struct sync_http_request *req, const char *name)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].name, name) == 0)
            return req->query[i].value;
    return NULL;
}

void sync_http_response_header(struct sync_http_response *res, const char *name, const char *value)
{
    for (size_t i = 0; i < res->nheaders; i++) {
        if (strcasecmp(res->headers[i].name, name) == 0) {
            free(res->headers[i].value);
            res->headers[i].value = strdup(value);
            return;
        }
    }
    if (res->nheaders >= SYNC_HTTP_MAX_RESP_HEADERS) {
        sync_warn("http", "response header '%s' dropped: too many headers", name);
        return;
    }
    res->headers[res->nheaders].name = strdup(name);
    res->headers[res->nheaders].value = strdup(value);
    res->nheaders++;
}

void sync_http_response_json(struct sync_http_response *res, int status, json_t *v)
{
    res->status = status;
    res->content_type = NULL;
    sync_buf_reset(&res->body);
    if (v) {
        sync_json_dump(v, &res->body);
        json_decref(v);
    }
}

void sync_http_response_text(struct sync_http_response *res, int status, const char *content_type,
                             const char *text)
{
    res->status = status;
    res->content_type = content_type;
    sync_buf_reset(&res->body);
    sync_buf_addstr(&res->body, text);
}
