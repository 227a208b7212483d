/*
 * api.h: what the Salesforce emulator's request handlers share: the
 * server (org, sessions, limits, faults, locators, persistence), the
 * per-request call context, error values in the vendor's shapes, and the
 * handler functions the route table (routes.c) points at.
 *
 * A handler reads its request through struct sf_call (path parameters,
 * query, headers, body) and answers by setting c->status and c->out. The
 * same call context serves a real HTTP request and a Composite
 * subrequest, so every resource behaves the same both ways. Locks are
 * taken by the dispatcher (routes.c) from the route's flags; handlers run
 * with the org lock held as their route asks.
 */
#ifndef EMU_SF_API_H
#define EMU_SF_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/http_server.h"
#include "emulators/common/emu.h"
#include "emulators/salesforce/auth.h"
#include "emulators/salesforce/limits.h"
#include "emulators/salesforce/org.h"

struct sf_locators;
struct sf_persist;

struct sf_server {
    struct sf_org org;
    struct sf_auth auth;
    struct sf_limits limits;
    struct emu_faults faults;
    struct sf_locators *locators;
    struct sf_persist *persist;
    uint64_t seed_rounds; /* how many seed calls so far, so repeated seeds add new records */
    int no_limits;        /* --no-limits: resets keep the limits off */
};

#define SF_MAX_VERSION 62
#define SF_MIN_VERSION 31

struct sf_call {
    struct sf_server *srv;
    struct sf_org *org;
    /* request */
    const char *method;
    const char *path;
    const char *params[6]; /* the {name} segments of the matched route, in order */
    size_t nparams;
    const struct sync_http_kv *query;
    size_t nquery;
    const char *body;
    size_t body_len;
    json_t *body_json; /* borrowed once parsed (owned by body_owned when we parsed it) */
    json_t *body_owned;
    const char *(*header_fn)(void *ctx, const char *name);
    void *header_ctx;
    char version[8]; /* "62.0" */
    int version_num;
    char base_url[256];
    /* who */
    char user_id[19];
    char client[64];
    int64_t now;        /* epoch ms, whole seconds: timestamps written */
    int64_t view_now;   /* epoch ms, exact: what readers see (late commits) */
    struct sf_txn *txn; /* set inside a Composite allOrNone; else handlers run their own */
    int in_composite;
    int failed; /* a Collections item failed: fails a Composite allOrNone */
    /* response */
    int status;
    json_t *out;
    char *out_text; /* non-JSON body (SOAP) with out_type */
    const char *out_type;
    char location[300];
};

/* ---- errors ---- */

#define SF_ERRMSG_MAX 2048

struct sf_error {
    int status;
    char code[64];
    char *message;  /* owned; NULL until set (kept off the struct so result arrays stay small) */
    json_t *fields; /* array of names (owned) */
    json_t *extra;  /* duplicateResult (owned), or NULL */
};

void sf_error_init(struct sf_error *e);
void sf_error_release(struct sf_error *e);
void sf_error_set(struct sf_error *e, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sf_error_field(struct sf_error *e, const char *field);
/* new: {"statusCode","message","fields"} (collections items) */
json_t *sf_error_item(const struct sf_error *e);

/* ---- call helpers ---- */

const char *call_header(const struct sf_call *c, const char *name);
const char *call_query(const struct sf_call *c, const char *name);
/* borrowed: the parsed JSON body; on a bad body answers 400 JSON_PARSER_ERROR and returns NULL */
json_t *call_body(struct sf_call *c);
void call_json(struct sf_call *c, int status, json_t *v);
/* [{"message":...,"errorCode":...}] */
void call_error(struct sf_call *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void call_error_from(struct sf_call *c, const struct sf_error *e);
void call_not_found(struct sf_call *c);
/* Whether Sforce-Auto-Assign allows assignment rules on this call. */
int call_auto_assign(const struct sf_call *c);
/* Whether Sforce-Duplicate-Rule-Header says allowSave=true. */
int call_allow_save(const struct sf_call *c);
/* Starts the call's own transaction unless it runs inside one; call_txn_end commits it. */
struct sf_txn *call_txn_begin(struct sf_call *c, struct sf_txn *own);
void call_txn_end(struct sf_call *c, struct sf_txn *own);

/* ---- records in REST form (record.c) ---- */

int record_field_visible(const struct sf_org *org, const struct sf_field *f);
/* Whether field-level security makes f read-only for the API user (PUT /__emu/permissions
 * read_only_fields): describe says it is neither createable nor updateable, and a write of it
 * is refused. */
int record_field_read_only_for_user(const struct sf_org *org, const struct sf_object *obj,
                                    const struct sf_field *f);
/* new: the record as REST returns it: attributes first, then every visible field (or only
 * `fields`, an array of names, when given) with nulls for unset ones. */
json_t *record_to_rest(const struct sf_call *c, const struct sf_object *obj, const json_t *data,
                       const json_t *fields);
json_t *record_attributes(const struct sf_call *c, const char *type, const char *id);
/* Resolves an id from a URL or body to 18 chars; -1 when malformed. */
int record_id(const char *s, char out[19]);

/* ---- saving (sobjects.c), shared by REST, Collections and Composite ---- */

struct sf_save {
    int ok;
    int created;
    char id[19];
    struct sf_error err;
};

void sobj_insert(struct sf_call *c, struct sf_txn *txn, const struct sf_object *obj,
                 const json_t *body, struct sf_save *out);
void sobj_update(struct sf_call *c, struct sf_txn *txn, const struct sf_object *obj, const char *id,
                 const json_t *body, struct sf_save *out);
/* Upsert on an external-id field (or Id). value NULL: taken from body[field]. */
void sobj_upsert(struct sf_call *c, struct sf_txn *txn, const struct sf_object *obj,
                 const struct sf_field *field, const char *value, const json_t *body,
                 struct sf_save *out, json_t **multiple);
void sobj_delete(struct sf_call *c, struct sf_txn *txn, const char *id, struct sf_save *out);
/* new: a successful save as REST and Collections answer it: {"id","success":true,"errors":[]}
 * plus "created" when asked (upserts, v46.0+). */
json_t *sobj_result_json(const struct sf_save *s, int with_created);

/* ---- handlers (routes.c's table points at these) ---- */

/* versions.c */
void h_versions(struct sf_call *c);
void h_version_root(struct sf_call *c);
void h_limits(struct sf_call *c);
void h_record_count(struct sf_call *c);
/* auth.c */
void h_oauth_token(struct sf_call *c);
void h_oauth_revoke(struct sf_call *c);
void h_oauth_authorize(struct sf_call *c);
void h_identity(struct sf_call *c);
void h_userinfo(struct sf_call *c);
void h_soap_login(struct sf_call *c);
/* sobjects.c */
void h_sobject_create(struct sf_call *c);
void h_sobject_get(struct sf_call *c);
void h_sobject_update(struct sf_call *c);
void h_sobject_delete(struct sf_call *c);
void h_sobject_by_ext(struct sf_call *c);
void h_sobject_upsert(struct sf_call *c);
void h_sobject_upsert_post(struct sf_call *c);
void h_sobject_upsert_delete(struct sf_call *c);
void h_sobject_info(struct sf_call *c);
/* describe.c */
/* new: one describeGlobal entry (also GET /sobjects/{object}'s objectDescribe) */
json_t *describe_global_entry(const struct sf_call *c, const struct sf_object *o);
void h_describe_global(struct sf_call *c);
void h_describe(struct sf_call *c);
/* query.c */
void h_query(struct sf_call *c);
void h_query_all(struct sf_call *c);
void h_query_more(struct sf_call *c);
/* replication.c */
void h_updated(struct sf_call *c);
void h_deleted(struct sf_call *c);
/* collections.c */
void h_coll_create(struct sf_call *c);
void h_coll_update(struct sf_call *c);
void h_coll_delete(struct sf_call *c);
void h_coll_upsert(struct sf_call *c);
void h_coll_retrieve(struct sf_call *c);
/* composite.c */
void h_composite(struct sf_call *c);
/* control.c */
void h_emu_reset(struct sf_call *c);
void h_emu_seed(struct sf_call *c);
void h_emu_stats(struct sf_call *c);
void h_emu_stats_reset(struct sf_call *c);
void h_emu_faults_get(struct sf_call *c);
void h_emu_faults_put(struct sf_call *c);
void h_emu_faults_delete(struct sf_call *c);
void h_emu_limits_get(struct sf_call *c);
void h_emu_limits_put(struct sf_call *c);
void h_emu_clock_get(struct sf_call *c);
void h_emu_clock_put(struct sf_call *c);
void h_emu_settings_get(struct sf_call *c);
void h_emu_settings_put(struct sf_call *c);
void h_emu_sessions_expire(struct sf_call *c);
void h_emu_merge(struct sf_call *c);
void h_emu_convert_lead(struct sf_call *c);
void h_emu_vrules_get(struct sf_call *c);
void h_emu_vrules_post(struct sf_call *c);
void h_emu_vrules_delete(struct sf_call *c);
void h_emu_duprules_get(struct sf_call *c);
void h_emu_duprules_post(struct sf_call *c);
void h_emu_duprules_delete(struct sf_call *c);
void h_emu_locks(struct sf_call *c);
void h_emu_permissions(struct sf_call *c);
void h_emu_assignment(struct sf_call *c);
void h_emu_late_commits(struct sf_call *c);
void h_emu_purge(struct sf_call *c);
void h_emu_undelete(struct sf_call *c);
void h_emu_changes(struct sf_call *c);
void h_emu_records(struct sf_call *c);

/* ---- the dispatcher (routes.c) ---- */

/* The HTTP entry point: ctx is the struct sf_server. */
void routes_http(void *ctx, struct sync_http_request *req, struct sync_http_response *res);
/* Runs one Composite subrequest: c carries method, path, query, body and headers; the caller
 * holds the write lock. Answers 404 for anything that is not a data resource. */
void routes_invoke(struct sf_call *c);

/* ---- server lifecycle (server.c) ---- */
enum sync_rc server_init(struct sf_server *srv, struct sf_schema *schema, struct sync_err *err);
void server_release(struct sf_server *srv);
/* Puts the org back to a fresh org (users, record types, status tables). Write lock held. */
void server_fresh_org(struct sf_server *srv);
/* Adds n records per object, deterministically (seed.c). Write lock held. Returns
 * {"<Object>":n}. */
json_t *server_seed(struct sf_server *srv, int64_t n);
/* Adds, for n, n/50+1 leads and as many contacts without an e-mail and n/100+1 of each with an
 * invalid one (as imports leave them; seed.c). Write lock held. Returns {"<Object>":n}. */
json_t *server_seed_bad_values(struct sf_server *srv, int64_t n);
/* Stores a record without validation (fresh org, seed, lead conversion): fills Id, system
 * fields, defaults and derived fields. fields is stolen. txn may be NULL (no change log). */
struct sf_rec *server_insert_raw(struct sf_server *srv, struct sf_txn *txn, const char *object,
                                 json_t *fields, int64_t created, const char *user);

#endif
