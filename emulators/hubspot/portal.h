/*
 * portal.h: the state of one emulated HubSpot portal and the internal
 * interfaces of emu-hubspot.
 *
 * One struct hs_portal holds everything a portal has: the property
 * catalogue and the records of each CRM object type, associations and their
 * labels, pipelines, owners, lists, forms and email events, OAuth tokens,
 * rate-limit windows, call statistics, settings and webhook subscriptions.
 * A single portal-wide mutex (portal->lock) guards all of it; the request
 * dispatcher (routes.c) takes it around every handler, and the control API
 * (control.c) around every control call. The webhook sender thread has its
 * own queue lock (webhooks.c) and never takes the portal lock while it
 * sends.
 *
 * Every file of this emulator includes this header; each section below
 * names the file that owns the functions it declares.
 */
#ifndef EMU_HUBSPOT_PORTAL_H
#define EMU_HUBSPOT_PORTAL_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/http_server.h"
#include "core/json.h"
#include "emulators/common/emu.h"

/* ---- fixed identities of the demo portal and app ---- */
#define HS_PORTAL_ID 24681357
#define HS_APP_ID 1357911
#define HS_APP_NAME "crmsync"
#define HS_PRIVATE_TOKEN "pat-na1-crmsync-demo"
#define HS_CLIENT_ID "crmsync-demo"
#define HS_CLIENT_SECRET "crmsync-demo-secret"
#define HS_DEVELOPER_KEY "crmsync-demo-developer-key"
#define HS_INTEGRATION_USER_ID 4242
#define HS_INTEGRATION_USER "integration@crmsync.test"
#define HS_FIRST_ID 10000000001ULL /* ids pass 2^32 on purpose */

/* ---- map.c: a string-keyed hash map with chaining ---- */
struct hs_map_ent {
    struct hs_map_ent *next;
    uint32_t hash;
    void *val;
    char key[]; /* NUL-terminated copy */
};
struct hs_map {
    struct hs_map_ent **b;
    size_t nb, n;
};
void hs_map_init(struct hs_map *m);
/* Frees the entries (and each value with free_val when given). */
void hs_map_release(struct hs_map *m, void (*free_val)(void *));
void *hs_map_get(const struct hs_map *m, const char *key);
/* Inserts or replaces; returns 0, or -1 when out of memory. */
int hs_map_put(struct hs_map *m, const char *key, void *val);
/* Removes key; returns its value or NULL. */
void *hs_map_del(struct hs_map *m, const char *key);
/* Calls fn for every entry (order unspecified); fn must not change the map. */
void hs_map_each(const struct hs_map *m, void (*fn)(const char *key, void *val, void *arg),
                 void *arg);

/* ---- objects.c: CRM object types ---- */
enum hs_type {
    HS_CONTACTS = 0,
    HS_COMPANIES,
    HS_DEALS,
    HS_TICKETS,
    HS_TASKS,
    HS_NOTES,
    HS_CALLS,
    HS_EMAILS,
    HS_MEETINGS,
    HS_NTYPES
};

struct hs_type_info {
    const char *name;            /* "contacts" */
    const char *singular;        /* "contact" */
    const char *type_id;         /* "0-1" */
    const char *scope;           /* "crm.objects.contacts" (+ ".read" / ".write") */
    const char *created;         /* "createdate" or "hs_createdate" */
    const char *lastmod;         /* "lastmodifieddate" or "hs_lastmodifieddate" */
    const char *webhook;         /* subscription prefix: "contact", or NULL (generic "object") */
    const char *const *defaults; /* properties returned when none are asked for */
    const char *const *searched; /* properties a search `query` looks in */
};
extern const struct hs_type_info hs_types[HS_NTYPES];
/* Accepts "contacts", "contact", "0-1", any case for names; -1 when unknown. */
int hs_type_parse(const char *s);

/* ---- props.c: property catalogue and write validation ---- */
enum hs_ptype {
    HS_PT_STRING = 0,
    HS_PT_NUMBER,
    HS_PT_DATE,
    HS_PT_DATETIME,
    HS_PT_ENUM,
    HS_PT_BOOL,
    HS_PT_PHONE
};

#define HS_PF_READONLY 0x01 /* the API may not write it */
#define HS_PF_UNIQUE 0x02   /* hasUniqueValue: an idProperty */
#define HS_PF_EMAIL 0x04    /* validated as an e-mail address, stored lower-case */
#define HS_PF_MULTI 0x08    /* checkbox enumeration: ';'-separated options */
#define HS_PF_HUBSPOT 0x10  /* hubspotDefined */
#define HS_PF_CALCULATED 0x20

struct hs_prop {
    char *name;
    size_t idx; /* slot in every record's value array of this type; never reused */
    enum hs_ptype type;
    unsigned flags;
    int archived;
    size_t nopts;
    char **opts;         /* enumeration option values */
    struct hs_map *uniq; /* unique index: normalised value -> struct hs_record (HS_PF_UNIQUE) */
    json_t *def;         /* the definition as the properties API shows it */
};

/* The server-maintained properties every write touches, found once per catalogue. */
enum hs_sys {
    HS_SYS_OBJECT_ID = 0, /* hs_object_id */
    HS_SYS_CREATED,       /* the type's create date: createdate or hs_createdate */
    HS_SYS_LASTMOD,       /* the type's modify date: lastmodifieddate or hs_lastmodifieddate */
    HS_SYS_HS_LASTMOD,    /* hs_lastmodifieddate (contacts carry both) */
    HS_SYS_SOURCE,        /* hs_object_source */
    HS_SYS_TICKET_ID,     /* hs_ticket_id (tickets only) */
    HS_SYS_MERGED,        /* hs_merged_object_ids */
    HS_SYS_OWNER,         /* hubspot_owner_id */
    HS_SYS_N
};
#define HS_DEFAULTS_MAX 16

struct hs_catalog {
    struct hs_prop **v;
    size_t n, cap;
    struct hs_map by_name;
    json_t *groups;                            /* array of property groups */
    struct hs_prop *sys[HS_SYS_N];             /* NULL when the type lacks one */
    struct hs_prop *defaults[HS_DEFAULTS_MAX]; /* hs_types[t].defaults, resolved */
    size_t ndefaults;
};

int hs_ptype_parse(const char *s); /* -1 when unknown */

/* The longest value a property takes, in characters (HubSpot's limit for text). */
#define HS_VALUE_MAX 65536

/* Pure validation of one value for one property (unit-tested). in is the value as sent (a JSON
 * string, number or boolean rendered as text). On success writes the stored form to out
 * (NUL-terminated) and returns 0; "" means "clear". On failure returns -1 with *code set to the
 * HubSpot error code (INVALID_INTEGER, INVALID_EMAIL, INVALID_OPTION, INVALID_DATE,
 * INVALID_BOOLEAN, INVALID_DATETIME; INVALID_VALUE past HS_VALUE_MAX characters) and a message
 * in msg. */
int props_validate_value(const struct hs_prop *prop, const char *in, char *out, size_t outlen,
                         const char **code, char *msg, size_t msglen);
/* Pure e-mail syntax check used by the validator; at most HS_EMAIL_MAX bytes (RFC 5321). */
#define HS_EMAIL_MAX 254
int props_email_ok(const char *s);

struct hs_pval {
    struct hs_prop *prop;
    char *value; /* normalised; NULL clears */
};
struct hs_write {
    struct hs_pval *v;
    size_t n;
};
void hs_write_release(struct hs_write *w);

struct hs_portal;
struct hs_ctx;
/* Validates a `properties` object for a write to type t. On success fills w and returns NULL;
 * on failure returns a new HubSpot error body (400 VALIDATION_ERROR). */
json_t *props_check_write(struct hs_portal *p, enum hs_type t, const json_t *properties,
                          struct hs_write *w);
/* The same, trusted: read-only properties may be written (seeding, imports). */
json_t *props_check_write_trusted(struct hs_portal *p, enum hs_type t, const json_t *properties,
                                  struct hs_write *w);
struct hs_prop *props_find(struct hs_portal *p, enum hs_type t, const char *name);
/* Seeds the standard catalogue of every type. */
void props_init_catalogs(struct hs_portal *p);
void props_release_catalogs(struct hs_portal *p);
/* Normalises a value for a unique index: trimmed, lower-case, at most HS_UNIQUE_KEY_MAX - 1
 * bytes (values alike up to there count as the same). */
#define HS_UNIQUE_KEY_MAX 512
void props_unique_key(const char *v, char *out, size_t n);

/* ---- records (objects.c) ---- */
/* One value a property had. A single allocation: value and src_id point into text. */
struct hs_hist {
    struct hs_hist *next; /* older */
    char *value;          /* "" when cleared */
    int64_t ts;
    const char *src_type; /* static: INTEGRATION, CRM_UI, FORM, CALCULATED ... */
    char *src_id;         /* NULL when none */
    int64_t user_id;
    char text[];
};
/* new: an entry (next NULL); free() releases it. NULL when out of memory. */
struct hs_hist *hs_hist_new(const char *value, int64_t ts, const char *src_type, const char *src_id,
                            int64_t user_id);

struct hs_edge {
    uint64_t to_id;
    int32_t type_id;
    uint8_t to_type;
    uint8_t cat; /* 0 HUBSPOT_DEFINED, 1 USER_DEFINED, 2 INTEGRATOR_DEFINED */
};

struct hs_record {
    uint64_t id;
    enum hs_type type;
    int archived;
    int64_t created, updated, archived_at;
    size_t nvals;
    char **vals;           /* by hs_prop.idx; NULL when unset */
    struct hs_hist **hist; /* by hs_prop.idx; newest first */
    struct hs_edge *edges;
    size_t nedges, cedges;
    int64_t search_at; /* searchable from this instant (indexing lag) */
    char **snap;       /* values search sees until search_at (NULL: record invisible) */
    size_t nsnap;
    int dirty; /* changed since the last persist flush */
};

struct hs_store {
    struct hs_record **v; /* creation order, ids ascending */
    size_t n, cap;
    struct hs_map by_id;   /* decimal id -> record */
    struct hs_map aliases; /* an id merged away -> the record that absorbed it (merge.c) */
    size_t live;           /* not archived */
};

/* Who is writing: API writes carry the app as the source. */
struct hs_source {
    const char *type;          /* propertiesWithHistory sourceType: INTEGRATION, CRM_UI, FORM */
    const char *change_source; /* webhook changeSource: INTEGRATION, CRM_UI, FORM ... */
    char id[64];               /* sourceId */
    int64_t user_id;
};

const char *hs_record_get(const struct hs_record *r, const struct hs_prop *prop);
struct hs_record *obj_find(struct hs_portal *p, enum hs_type t, uint64_t id);
/* By id, or by a unique property when id_prop is given. Archived records only when archived. */
struct hs_record *obj_lookup(struct hs_portal *p, enum hs_type t, const char *id,
                             const char *id_prop, int archived);
uint64_t hs_parse_id(const char *s); /* 0 when not a positive decimal id */
/* id in decimal, into buf; returns buf. */
char *hs_id_str(uint64_t id, char buf[24]);

/* new: an empty record of type t (no id, slots for every property), in no store. */
struct hs_record *obj_record_new(struct hs_portal *p, enum hs_type t);
void obj_record_free(struct hs_record *r);
/* Puts a record built by persist.c (id set, ascending) into its store and the unique indexes;
 * -1 when out of memory (the caller still owns r). */
int obj_adopt(struct hs_portal *p, struct hs_record *r);
/* Creates a record from a validated write; fills *conflict with the existing record when a
 * unique value is taken (nothing created). */
struct hs_record *obj_create(struct hs_portal *p, enum hs_type t, struct hs_write *w,
                             const struct hs_source *src, struct hs_record **conflict);
/* Applies a validated write; returns 0, or -1 with *conflict set on a unique clash. */
int obj_update(struct hs_portal *p, struct hs_record *r, struct hs_write *w,
               const struct hs_source *src, struct hs_record **conflict);
void obj_archive(struct hs_portal *p, struct hs_record *r, const struct hs_source *src);
void obj_restore(struct hs_portal *p, struct hs_record *r, const struct hs_source *src);
/* Removes a record for good (merge loser, GDPR delete). */
void obj_purge(struct hs_portal *p, struct hs_record *r);
void hs_store_release(struct hs_store *s);

/* Property selection for output. */
struct hs_sel {
    struct hs_prop **v;
    size_t n, cap;
    int given; /* the caller named properties */
};
void hs_sel_release(struct hs_sel *s);
/* Adds names from a comma list (query) or a JSON array; unknown names are ignored. */
void hs_sel_add_csv(struct hs_portal *p, enum hs_type t, struct hs_sel *s, const char *csv);
void hs_sel_add_json(struct hs_portal *p, enum hs_type t, struct hs_sel *s, const json_t *arr);
void hs_sel_from_query(struct hs_portal *p, enum hs_type t, struct sync_http_request *req,
                       const char *key, struct hs_sel *s);

struct hs_out {
    struct hs_sel *props;       /* NULL or not given: the type's defaults */
    struct hs_sel *hist;        /* propertiesWithHistory */
    int all;                    /* every set property (the control API's dumps) */
    int assoc_types[HS_NTYPES]; /* include these associations */
    int nassoc;
};
/*
 * Writes from API inputs, in two steps so that a batch can check every input before it
 * writes any. The checks fill w (released by the caller after the write; on failure they
 * release it themselves) and answer NULL or a new 400 error body:
 *   obj_check_props   an update input {properties}
 *   obj_check_create  a create input {properties, associations}: also hs_timestamp for
 *                     activities, hs_pipeline_stage for tickets, pipeline and stage
 *                     defaults, the association targets
 * The writes answer NULL or a new error body with its HTTP status in *status (409 for a
 * unique value another record holds). obj_create_input and obj_update_input do both.
 */
json_t *obj_check_props(struct hs_portal *p, enum hs_type t, const json_t *in, struct hs_write *w);
json_t *obj_check_create(struct hs_portal *p, enum hs_type t, const json_t *in, struct hs_write *w);
json_t *obj_create_checked(struct hs_portal *p, enum hs_type t, struct hs_write *w,
                           const json_t *in, const struct hs_source *src, struct hs_record **out,
                           int *status);
json_t *obj_update_checked(struct hs_portal *p, struct hs_record *r, struct hs_write *w,
                           const struct hs_source *src, int *status);
json_t *obj_create_input(struct hs_portal *p, enum hs_type t, const json_t *in,
                         const struct hs_source *src, struct hs_record **out, int *status);
json_t *obj_update_input(struct hs_portal *p, struct hs_record *r, const json_t *in,
                         const struct hs_source *src, int *status);
/* new: the 409 CONFLICT body for a unique clash with x on prop. */
json_t *obj_conflict_body(enum hs_type t, const struct hs_record *x, const char *prop);
/* The property of w that clashes with x. */
const char *obj_clash_prop(const struct hs_write *w, const struct hs_record *x);

/* Is id_prop usable as an idProperty of t (absent, hs_object_id, or a unique property)?
 * Fails c with 400 when not. */
int obj_id_prop_ok(struct hs_ctx *c, enum hs_type t, const char *id_prop);
/* Answers with r as a SimplePublicObject (o NULL: the defaults). */
void obj_reply(struct hs_ctx *c, int status, const struct hs_record *r, const struct hs_out *o);
/* Output of a write: the type's default properties plus every property the input wrote
 * (sel is emptied first, so one selection can serve a whole batch). */
void obj_out_for_write(struct hs_portal *p, enum hs_type t, const json_t *in, struct hs_sel *sel,
                       struct hs_out *o);

/* ---- render.c: JSON text straight into a buffer ---- */
/* s as a JSON string, quoted and escaped. */
void render_str(struct sync_buf *b, const char *s);
/* A comma, unless b is empty or ends a '[' or '{'. */
void render_sep(struct sync_buf *b);
/* render_sep, then "key": (key is a name the emulator chose or checked, such as a property
 * name, never raw client text: it is not escaped) */
void render_key(struct sync_buf *b, const char *key);
void render_iso(struct sync_buf *b, int64_t ms);
/* A record id as a JSON string. */
void render_id(struct sync_buf *b, uint64_t id);
/* The SimplePublicObject of r (preceded by render_sep). _open leaves the object open so the
 * caller can add members (objectWriteTraceId, new) and the closing brace. */
void render_record(struct sync_buf *b, struct hs_portal *p, const struct hs_record *r,
                   const struct hs_out *o);
void render_record_open(struct sync_buf *b, struct hs_portal *p, const struct hs_record *r,
                        const struct hs_out *o);
/* A BatchResponse: _open starts the results array; records follow (render_record);
 * _close ends it with the timestamps and, when errors has any, numErrors and errors
 * (errors is stolen). */
void render_batch_open(struct sync_buf *b);
void render_batch_close(struct sync_buf *b, int64_t started, json_t *errors);
/* Answers with the same envelope built from JSON results (associations, properties,
 * subscriptions): ok_status, or 207 when errors has any. Steals results and errors. */
void hs_reply_batch(struct hs_ctx *c, int ok_status, int64_t started, json_t *results,
                    json_t *errors);

/* ---- merge.c ---- */
/* A merged record is archived (ids 0) or purged (ids 1): the e-mail addresses it absorbed stop
 * naming it, and with ids the ids too. */
void merge_drop_aliases(struct hs_portal *p, struct hs_record *r, int ids);

/* ---- errors (errors.c) ---- */
/* new: {"status":"error","message","correlationId","category"} plus optional parts. */
json_t *hs_error_body(const char *category, const char *sub_category, json_t *errors,
                      json_t *context, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void hs_correlation_id(char out[37]);
/* Replaces every byte of s that is not part of valid UTF-8 with '?'. */
void hs_utf8_clean(char *s);
/* o[key] as text when it is a string or an integer (into buf); NULL otherwise. */
const char *hs_json_idstr(const json_t *o, const char *key, char buf[32]);
/* A scalar as the text HubSpot reads it (numbers and booleans written out, into buf when
 * needed; 64 bytes hold any); NULL for null, objects and arrays. */
const char *hs_json_text(const json_t *v, char *buf, size_t n);

/* ---- request context (routes.c) ---- */
#define HS_MAX_PARAMS 8
#define HS_PARAM_MAX 512 /* bytes of one path parameter; a longer one matches no route */

enum hs_auth_kind { HS_AUTH_NONE = 0, HS_AUTH_PRIVATE, HS_AUTH_OAUTH, HS_AUTH_DEVKEY };

struct hs_ctx {
    struct hs_portal *p;
    struct sync_http_request *req;
    struct sync_http_response *res;
    const char *params[HS_MAX_PARAMS];
    char pbuf[HS_MAX_PARAMS][HS_PARAM_MAX];
    size_t nparams;
    json_t *body; /* parsed JSON body, or NULL */
    enum hs_auth_kind auth;
    char token[320];
    struct hs_source src;
    int status;
    json_t *out;          /* response body (stolen by the dispatcher) */
    struct sync_buf text; /* or the body as text (hs_reply_text) */
    int has_text;
};

void hs_reply(struct hs_ctx *c, int status, json_t *body);
/* Answers with JSON text already written (render.c); takes over *text and empties it. */
void hs_reply_text(struct hs_ctx *c, int status, struct sync_buf *text);
void hs_fail(struct hs_ctx *c, int status, const char *category, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 404 OBJECT_NOT_FOUND, as HubSpot answers for a record id it does not know. */
void hs_not_found(struct hs_ctx *c);
const char *hs_query(struct hs_ctx *c, const char *name);
int hs_query_bool(struct hs_ctx *c, const char *name, int def);
/* Reads an integer query parameter; returns -1 (after failing c) when it is malformed. */
int hs_query_int(struct hs_ctx *c, const char *name, int64_t def, int64_t min, int64_t max,
                 int64_t *out);
#define HS_BATCH_MAX 100 /* inputs of one batch call ("Batch operations are limited to 100") */
/* borrowed: the "inputs" array of a batch body, of at most max inputs; NULL after failing c
 * with 400 VALIDATION_ERROR. */
json_t *hs_inputs(struct hs_ctx *c, size_t max);
/* The numeric paging offset in the "after" query parameter (0 when absent); -1 after failing
 * c when it is not one. */
int hs_query_after(struct hs_ctx *c, int64_t *after);
/* new: {"next":{"after":"<next>","link":link or ""}}, the paging member of a page. */
json_t *hs_paging(int64_t next, const char *link);
/* The object type of path parameter i; fails c with 400 when unknown. */
int hs_param_type(struct hs_ctx *c, size_t i);

/* The dispatcher: the sync_http handler of main.c. ctx is a struct hs_portal. */
void routes_handle(void *ctx, struct sync_http_request *req, struct sync_http_response *res);

/* Handlers, by file. Each takes the request context; the portal lock is held. */
typedef void (*hs_handler_fn)(struct hs_ctx *c);

/* objects.c */
void obj_h_list(struct hs_ctx *c);
void obj_h_get(struct hs_ctx *c);
void obj_h_create(struct hs_ctx *c);
void obj_h_update(struct hs_ctx *c);
void obj_h_archive(struct hs_ctx *c);
void obj_h_gdpr(struct hs_ctx *c);
/* merge.c */
void obj_h_merge(struct hs_ctx *c);
/* batch.c */
void batch_h_read(struct hs_ctx *c);
void batch_h_create(struct hs_ctx *c);
void batch_h_update(struct hs_ctx *c);
void batch_h_upsert(struct hs_ctx *c);
void batch_h_archive(struct hs_ctx *c);
/* search.c */
void search_h_search(struct hs_ctx *c);
/* props.c */
void props_h_list(struct hs_ctx *c);
void props_h_get(struct hs_ctx *c);
void props_h_create(struct hs_ctx *c);
void props_h_update(struct hs_ctx *c);
void props_h_archive(struct hs_ctx *c);
void props_h_batch_read(struct hs_ctx *c);
void props_h_batch_create(struct hs_ctx *c);
void props_h_batch_archive(struct hs_ctx *c);
void props_h_groups(struct hs_ctx *c);
void props_h_group_get(struct hs_ctx *c);
void props_h_group_create(struct hs_ctx *c);
void props_h_group_update(struct hs_ctx *c);
void props_h_group_archive(struct hs_ctx *c);
/* assoc.c */
void assoc_h_v4_default(struct hs_ctx *c);
void assoc_h_v4_put(struct hs_ctx *c);
void assoc_h_v4_list(struct hs_ctx *c);
void assoc_h_v4_delete(struct hs_ctx *c);
void assoc_h_v4_batch_create(struct hs_ctx *c);
void assoc_h_v4_batch_default(struct hs_ctx *c);
void assoc_h_v4_batch_read(struct hs_ctx *c);
void assoc_h_v4_batch_archive(struct hs_ctx *c);
void assoc_h_v4_batch_labels_archive(struct hs_ctx *c);
void assoc_h_labels(struct hs_ctx *c);
void assoc_h_label_create(struct hs_ctx *c);
void assoc_h_v3_put(struct hs_ctx *c);
void assoc_h_v3_delete(struct hs_ctx *c);
/* pipelines.c */
void pipe_h_list(struct hs_ctx *c);
void pipe_h_get(struct hs_ctx *c);
void pipe_h_create(struct hs_ctx *c);
void pipe_h_update(struct hs_ctx *c);
void pipe_h_delete(struct hs_ctx *c);
void pipe_h_stages(struct hs_ctx *c);
void pipe_h_stage_get(struct hs_ctx *c);
void pipe_h_stage_create(struct hs_ctx *c);
void pipe_h_stage_update(struct hs_ctx *c);
void pipe_h_stage_delete(struct hs_ctx *c);
/* owners.c */
void owners_h_list(struct hs_ctx *c);
void owners_h_get(struct hs_ctx *c);
/* lists.c */
void lists_h_create(struct hs_ctx *c);
void lists_h_get(struct hs_ctx *c);
void lists_h_get_many(struct hs_ctx *c);
void lists_h_by_name(struct hs_ctx *c);
void lists_h_delete(struct hs_ctx *c);
void lists_h_restore(struct hs_ctx *c);
void lists_h_search(struct hs_ctx *c);
void lists_h_members(struct hs_ctx *c);
void lists_h_members_add(struct hs_ctx *c);
void lists_h_members_remove(struct hs_ctx *c);
void lists_h_members_add_remove(struct hs_ctx *c);
void lists_h_members_clear(struct hs_ctx *c);
void lists_h_record_memberships(struct hs_ctx *c);
void lists_h_update_name(struct hs_ctx *c);
/* marketing.c */
void mkt_h_forms_list(struct hs_ctx *c);
void mkt_h_form_get(struct hs_ctx *c);
void mkt_h_form_create(struct hs_ctx *c);
void mkt_h_form_update(struct hs_ctx *c);
void mkt_h_form_delete(struct hs_ctx *c);
void mkt_h_submissions(struct hs_ctx *c);
void mkt_h_email_events(struct hs_ctx *c);
void mkt_h_email_event_get(struct hs_ctx *c);
void mkt_h_campaigns(struct hs_ctx *c);
void mkt_h_campaigns_by_id(struct hs_ctx *c);
void mkt_h_campaign_get(struct hs_ctx *c);
/* auth.c */
void auth_h_token(struct hs_ctx *c);
void auth_h_access_info(struct hs_ctx *c);
void auth_h_refresh_info(struct hs_ctx *c);
void auth_h_refresh_revoke(struct hs_ctx *c);
void auth_h_authorize(struct hs_ctx *c);
/* webhooks.c */
void wh_h_settings_get(struct hs_ctx *c);
void wh_h_settings_put(struct hs_ctx *c);
void wh_h_settings_delete(struct hs_ctx *c);
void wh_h_subs_list(struct hs_ctx *c);
void wh_h_sub_create(struct hs_ctx *c);
void wh_h_sub_get(struct hs_ctx *c);
void wh_h_sub_update(struct hs_ctx *c);
void wh_h_sub_delete(struct hs_ctx *c);
void wh_h_subs_batch_update(struct hs_ctx *c);

/* ---- search.c: the filter evaluator (pure parts unit-tested) ---- */
enum hs_op {
    HS_OP_EQ = 0,
    HS_OP_NEQ,
    HS_OP_LT,
    HS_OP_LTE,
    HS_OP_GT,
    HS_OP_GTE,
    HS_OP_BETWEEN,
    HS_OP_IN,
    HS_OP_NOT_IN,
    HS_OP_HAS_PROPERTY,
    HS_OP_NOT_HAS_PROPERTY,
    HS_OP_CONTAINS_TOKEN,
    HS_OP_NOT_CONTAINS_TOKEN
};
/* -1 when unknown. */
int search_op_parse(const char *s);
/* Does a stored value (NULL: unset) satisfy op? type/flags are the property's; value and high
 * as sent; values for IN/NOT_IN. */
int search_value_matches(enum hs_ptype type, unsigned flags, enum hs_op op, const char *stored,
                         const char *value, const char *high, const char *const *values,
                         size_t nvalues);
/* Case-insensitive match of text against a pattern where '*' matches any run. */
int search_glob(const char *pattern, const char *text);
/* Does every word of query occur (case-insensitively) in one of the n values? */
int search_query_matches(const char *query, const char *const *values, size_t n);

/* ---- auth.c: tokens and scopes ---- */
struct hs_token {
    char *token;
    enum hs_auth_kind kind;
    char **scopes;
    size_t nscopes;
    int64_t expires_at; /* 0: never */
    char *refresh;      /* the refresh token that minted it (OAuth) */
    int revoked;
};
struct hs_auth {
    struct hs_map tokens;  /* access token -> struct hs_token */
    struct hs_map refresh; /* refresh token -> struct hs_token (scopes; kind unused) */
    struct hs_map codes;   /* authorization code -> struct hs_token (scopes; refresh=redirect) */
};
void auth_init(struct hs_portal *p);
void auth_release(struct hs_portal *p);
/* Checks the Authorization header (or hapikey for developer routes); fails c when bad. 0 ok. */
int auth_check(struct hs_ctx *c, int devkey_route);
/* Requires one of the scopes (NULL-terminated alternatives of one scope); fails c with 403. */
int auth_require(struct hs_ctx *c, const char *scope);
/* new code for the control API: scopes from a JSON array (NULL: every scope). */
const char *auth_new_code(struct hs_portal *p, const json_t *scopes, const char *redirect);
const char *auth_new_private_token(struct hs_portal *p, const json_t *scopes);
void auth_expire(struct hs_portal *p, const char *token);

/* ---- ratelimit.c ---- */
struct hs_window {
    int64_t *ts; /* ring of request times */
    size_t cap, head, n;
};
struct hs_limits {
    int enabled;
    int64_t burst_per_10s;       /* private apps */
    int64_t oauth_burst_per_10s; /* public (OAuth) apps */
    int64_t daily;
    int64_t search_per_second;
    struct hs_window burst, oauth_burst, search;
    int64_t day; /* day number of the daily counter */
    int64_t day_count;
};
void limits_init(struct hs_limits *l, int enabled);
void limits_release(struct hs_limits *l);
/* Admits one request; on refusal fills c with the 429 and returns -1. Adds the
 * X-HubSpot-RateLimit-* headers to c->res for non-search calls. */
int limits_admit(struct hs_ctx *c, int is_search);
json_t *limits_to_json(struct hs_limits *l);
int limits_configure(struct hs_limits *l, const json_t *body, char *err, size_t errlen);
json_t *limits_429_body(const char *policy);

/* ---- assoc.c ---- */
struct hs_label {
    uint8_t from, to;
    uint8_t cat;
    int32_t type_id, inverse_id;
    char *label; /* NULL: unlabeled */
    char *name;
};
struct hs_labels {
    struct hs_label *v;
    size_t n, cap;
    int32_t next_user_id;
};
void assoc_init(struct hs_portal *p);
void assoc_release(struct hs_portal *p);
const struct hs_label *assoc_label(struct hs_portal *p, int32_t type_id, int cat);
/* The default (unlabeled) type id from -> to; 0 when the pair has none. */
int32_t assoc_default_type(struct hs_portal *p, int from, int to);
/* Associates both directions; returns 0, or -1 when the type is unknown for the pair. */
int assoc_add(struct hs_portal *p, struct hs_record *a, struct hs_record *b, int cat,
              int32_t type_id, const struct hs_source *src);
/* Removes every association between a and b (both directions). Returns how many went. */
size_t assoc_remove_all(struct hs_portal *p, struct hs_record *a, struct hs_record *b,
                        const struct hs_source *src);
/* Removes the associations of r whose other side is gone (purge). */
void assoc_detach(struct hs_portal *p, struct hs_record *r);
/* Applies a create-time `associations` array of a record of type from (r; NULL with
 * check_only); returns NULL or a new error body. */
json_t *assoc_apply_create(struct hs_portal *p, enum hs_type from, struct hs_record *r,
                           const json_t *arr, const struct hs_source *src, int check_only);
const char *assoc_cat_name(int cat);
/* The v3 "associations" member for the listed types (nothing when r has none of them);
 * live_only leaves out associations to archived records, as API reads do. */
void assoc_render_v3(struct sync_buf *b, struct hs_portal *p, const struct hs_record *r,
                     const int *types, int n, int live_only);

/* ---- pipelines.c ---- */
void pipes_init(struct hs_portal *p);
void pipes_release(struct hs_portal *p);
/* Fills pipeline/stage defaults for a deal or ticket being created (adds to w). */
void pipes_fill_defaults(struct hs_portal *p, enum hs_type t, struct hs_write *w);
/* Checks that a write's pipeline/stage pair exists; NULL or a new error body. */
json_t *pipes_check(struct hs_portal *p, enum hs_type t, const struct hs_record *r,
                    const struct hs_write *w);

/* ---- owners.c ---- */
void owners_init(struct hs_portal *p);
void owners_release(struct hs_portal *p);
int owners_exists(struct hs_portal *p, const char *id);
/* Control API: adds an owner; returns the new owner (borrowed). */
json_t *owners_add(struct hs_portal *p, const json_t *body, char *err, size_t errlen);

/* ---- lists.c ---- */
void lists_init(struct hs_portal *p);
void lists_release(struct hs_portal *p);
/* Drops a purged record from every list. */
void lists_forget(struct hs_portal *p, enum hs_type t, uint64_t id);

/* ---- marketing.c ---- */
void mkt_init(struct hs_portal *p);
void mkt_release(struct hs_portal *p);
/* Control API: records a form submission (creating/updating the contact); new reply body, or
 * NULL with err filled. */
json_t *mkt_submit_form(struct hs_portal *p, const char *form_id, const json_t *body, char *err,
                        size_t errlen);
json_t *mkt_add_email_event(struct hs_portal *p, const json_t *body, char *err, size_t errlen);
/* Control API: adds an e-mail campaign {id?, name, subject, contentId?}; borrowed answer, or
 * NULL with err filled. */
json_t *mkt_add_campaign(struct hs_portal *p, const json_t *body, char *err, size_t errlen);

/* ---- tracking.c: the sales tools' tracking (opens, clicks, document views) ---- */
/* Control API: an open or click of a sent sales email {emailId, type: OPEN|CLICK, at?}; new
 * reply body {emailId, type, count, at, contactIds}, or NULL with err filled. */
json_t *tracking_email_event(struct hs_portal *p, const json_t *body, char *err, size_t errlen);
/* Control API: a contact viewed a sales document {contactId, at?}; new reply body
 * {contactId, at}, or NULL with err filled. */
json_t *tracking_document_view(struct hs_portal *p, const json_t *body, char *err, size_t errlen);
/* Pure (unit-tested): is at later than a stored datetime (NULL, empty or unreadable: yes)? */
int tracking_is_later(const char *stored, int64_t at);
/* Pure: a stored count (NULL, empty or unreadable: 0) after one more event. */
int64_t tracking_count_after(const char *stored);

/* ---- webhooks.c ---- */
struct hs_webhooks;
int webhooks_start(struct hs_portal *p);
void webhooks_stop(struct hs_portal *p);
void webhooks_reset(struct hs_portal *p);
/* Event hooks called by writers (portal lock held). */
void wh_on_create(struct hs_portal *p, const struct hs_record *r, const struct hs_source *src);
void wh_on_delete(struct hs_portal *p, const struct hs_record *r, const struct hs_source *src,
                  int privacy);
void wh_on_restore(struct hs_portal *p, const struct hs_record *r, const struct hs_source *src);
void wh_on_property(struct hs_portal *p, const struct hs_record *r, const char *name,
                    const char *value, const struct hs_source *src);
void wh_on_assoc(struct hs_portal *p, const struct hs_record *from, const struct hs_record *to,
                 int32_t type_id, int removed, const struct hs_source *src);
void wh_on_merge(struct hs_portal *p, const struct hs_record *primary, uint64_t merged_id,
                 uint64_t new_id, size_t moved, const struct hs_source *src);
json_t *wh_deliveries_json(struct hs_portal *p);
/* The portal settings changed (batch size, retries, timeouts, signature version). */
void webhooks_settings_changed(struct hs_portal *p);
/* The three signatures of a delivery (unit-tested against the research vectors). */
void wh_sign(const char *secret, const char *method, const char *url, const char *body,
             const char *timestamp, struct sync_buf *v1, struct sync_buf *v2, struct sync_buf *v3);

/* ---- settings ---- */
struct hs_settings {
    int64_t search_lag_ms;
    int64_t access_token_lifetime_s;
    int64_t webhook_batch_size;
    int64_t webhook_retry_base_ms;
    int64_t webhook_max_retries;
    int64_t webhook_timeout_ms;
    int64_t webhook_batch_window_ms; /* events this close together go out in one request */
    int64_t search_max_groups, search_max_filters_per_group, search_max_filters;
    int64_t search_max_results;
    int64_t labels_imply_unlabeled; /* a labeled association also carries the unlabeled type */
    int webhook_signature_v2;       /* X-HubSpot-Signature is v2 (else v1) */
};
void settings_defaults(struct hs_settings *s);
json_t *settings_to_json(const struct hs_settings *s);
int settings_configure(struct hs_settings *s, const json_t *body, char *err, size_t errlen);

/* ---- the portal ---- */
#define HS_LOCKS_MAX 32 /* pending 423 lock rules */
/* The message of every 423: HubSpot's lock lasts about 2 s. */
#define HS_LOCKED_MSG                                                                              \
    "Too many records are being synced at once; the resource is locked. Retry after 2 seconds."

struct hs_lock_rule {
    uint64_t id; /* 0: by type */
    int type;    /* -1: by id */
    int64_t count;
};

struct hs_stats {
    struct hs_map by_route; /* "METHOD template" -> int64_t* */
    int64_t total;
};

struct hs_portal {
    pthread_mutex_t lock;
    uint64_t next_id;
    struct hs_catalog cat[HS_NTYPES];
    struct hs_store st[HS_NTYPES];
    struct hs_labels labels;
    json_t *pipelines[HS_NTYPES]; /* arrays, deals and tickets only */
    json_t *owners;               /* array of PublicOwner */
    int64_t next_owner;
    void *lists; /* lists.c */
    void *mkt;   /* marketing.c */
    struct hs_auth auth;
    struct hs_limits limits;
    struct hs_settings settings;
    struct hs_stats stats;
    struct emu_faults faults;
    struct hs_lock_rule locks[HS_LOCKS_MAX];
    size_t nlocks;
    struct hs_webhooks *wh;
    int64_t lag_until; /* no record is waiting to become searchable after this instant */
    int limits_default_enabled;
    void *persist; /* persist.c */
};

/* portal.c */
int portal_init(struct hs_portal *p, int limits_enabled);
void portal_release(struct hs_portal *p);
/* Back to a fresh portal (lock held by the caller). */
void portal_reset(struct hs_portal *p);
/* The next record id. */
uint64_t portal_next_id(struct hs_portal *p);
/* Consumes a 423 lock rule matching the record (or type); 1 when the write must fail. */
int portal_locked(struct hs_portal *p, int type, uint64_t id);
/* Control API: adds 423 lock rules from {"ids":[...]} or {"objectType"}, with "count" (1);
 * 0, or -1 with err filled (nothing added). */
int portal_add_locks(struct hs_portal *p, const json_t *body, char *err, size_t errlen);
void portal_count_call(struct hs_portal *p, const char *method, const char *tmpl);
json_t *portal_stats_json(struct hs_portal *p);
void portal_stats_reset(struct hs_portal *p);

/* control.c */
void control_handle(struct hs_portal *p, struct sync_http_request *req,
                    struct sync_http_response *res);

/* seed.c */
/* Adds n realistic records per object; returns {"created":{...}}. */
json_t *seed_run(struct hs_portal *p, int64_t n);

/* persist.c: --data FILE (SQLite). persist_mark notes that something changed (portal lock
 * held); a background thread writes changes every 200 ms and persist_close writes the rest. */
int persist_open(struct hs_portal *p, const char *file, char *err, size_t errlen);
void persist_mark(struct hs_portal *p);
/* A record is gone for good (merge loser, GDPR delete): its row goes at the next flush. */
void persist_forget(struct hs_portal *p, enum hs_type t, uint64_t id);
/* Everything was replaced (reset): every row goes at the next flush. */
void persist_wipe(struct hs_portal *p);
void persist_close(struct hs_portal *p);

/* Dump/load of each module's state for persist.c (lock held). */
json_t *props_dump(struct hs_portal *p);
void props_load(struct hs_portal *p, const json_t *j);
json_t *assoc_dump(struct hs_portal *p);
void assoc_load(struct hs_portal *p, const json_t *j);
json_t *auth_dump(struct hs_portal *p);
void auth_load(struct hs_portal *p, const json_t *j);
json_t *lists_dump(struct hs_portal *p);
void lists_load(struct hs_portal *p, const json_t *j);
json_t *mkt_dump(struct hs_portal *p);
void mkt_load(struct hs_portal *p, const json_t *j);
json_t *wh_dump(struct hs_portal *p);
void wh_load(struct hs_portal *p, const json_t *j);

#endif
