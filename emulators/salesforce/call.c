/*
 * call.c: the per-request call context's helpers (headers, query, the
 * JSON body, answers, transactions) and error values in Salesforce's
 * shapes (see api.h). Used by every handler and by validation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "emulators/salesforce/api.h"

void sf_error_init(struct sf_error *e)
{
    memset(e, 0, sizeof(*e));
}

void sf_error_release(struct sf_error *e)
{
    json_decref(e->fields);
    json_decref(e->extra);
    free(e->message);
    e->fields = NULL;
    e->extra = NULL;
    e->message = NULL;
}

void sf_error_set(struct sf_error *e, int status, const char *code, const char *fmt, ...)
{
    char msg[SF_ERRMSG_MAX];
    va_list ap;
    sf_error_release(e);
    e->status = status;
    snprintf(e->code, sizeof(e->code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    e->message = strdup(msg);
    e->fields = json_array();
}

void sf_error_field(struct sf_error *e, const char *field)
{
    if (!e->fields)
        e->fields = json_array();
    json_array_append_new(e->fields, json_string(field));
}

/* new: {"message","errorCode","fields"} (single-record REST) */
static json_t *sf_error_rest(const struct sf_error *e)
{
    json_t *o = json_object();
    if (e->extra)
        json_object_set(o, "duplicateResult", e->extra);
    json_object_set_new(o, "message", json_string(e->message ? e->message : ""));
    json_object_set_new(o, "errorCode", json_string(e->code));
    json_object_set_new(o, "fields", e->fields ? json_copy(e->fields) : json_array());
    return o;
}

json_t *sf_error_item(const struct sf_error *e)
{
    json_t *o = json_object();
    if (e->extra)
        json_object_set(o, "duplicateResult", e->extra);
    json_object_set_new(o, "statusCode", json_string(e->code));
    json_object_set_new(o, "message", json_string(e->message ? e->message : ""));
    json_object_set_new(o, "fields", e->fields ? json_copy(e->fields) : json_array());
    return o;
}

const char *call_header(const struct sf_call *c, const char *name)
{
    return c->header_fn ? c->header_fn(c->header_ctx, name) : NULL;
}

const char *call_query(const struct sf_call *c, const char *name)
{
    for (size_t i = 0; i < c->nquery; i++)
        if (strcmp(c->query[i].name, name) == 0)
            return c->query[i].value;
    return NULL;
}

json_t *call_body(struct sf_call *c)
{
    struct sync_err err = SYNC_ERR_INIT;
    const char *p;

    if (c->body_json)
        return c->body_json;
    for (p = c->body;
         p && p < c->body + c->body_len && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t');
         p++)
        ;
    if (!c->body || !c->body_len || p == c->body + c->body_len) {
        call_error(c, 400, "JSON_PARSER_ERROR",
                   "The HTTP entity body is required, but this request has no entity body.");
        return NULL;
    }
    c->body_owned = sync_json_parse(c->body, c->body_len, &err);
    if (!c->body_owned) {
        call_error(c, 400, "JSON_PARSER_ERROR", "Unexpected character: %s", err.message);
        return NULL;
    }
    c->body_json = c->body_owned;
    return c->body_json;
}

void call_json(struct sf_call *c, int status, json_t *v)
{
    json_decref(c->out);
    c->status = status;
    c->out = v;
}

void call_error(struct sf_call *c, int status, const char *code, const char *fmt, ...)
{
    char msg[SF_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    call_json(c, status, json_pack("[{s:s, s:s}]", "message", msg, "errorCode", code));
}

void call_error_from(struct sf_call *c, const struct sf_error *e)
{
    json_t *arr = json_array();
    json_array_append_new(arr, sf_error_rest(e));
    call_json(c, e->status ? e->status : 400, arr);
}

void call_not_found(struct sf_call *c)
{
    call_error(c, 404, "NOT_FOUND", "The requested resource does not exist");
}

int call_auto_assign(const struct sf_call *c)
{
    const char *h = call_header(c, "Sforce-Auto-Assign");
    return !(h && (strcasecmp(h, "FALSE") == 0 || strcmp(h, "0") == 0));
}

static const char *find_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

int call_allow_save(const struct sf_call *c)
{
    const char *h = call_header(c, "Sforce-Duplicate-Rule-Header");
    const char *p;
    if (!h)
        return 0;
    p = find_nocase(h, "allowSave");
    if (!p)
        return 0;
    p += 9;
    while (*p == ' ' || *p == '=')
        p++;
    return strncasecmp(p, "true", 4) == 0;
}

struct sf_txn *call_txn_begin(struct sf_call *c, struct sf_txn *own)
{
    if (c->txn)
        return c->txn;
    org_txn_begin(c->org, own, c->client, c->user_id, c->version, c->now);
    return own;
}

void call_txn_end(struct sf_call *c, struct sf_txn *own)
{
    if (c->txn)
        return;
    org_txn_commit(c->org, own);
    org_txn_release(own);
}
